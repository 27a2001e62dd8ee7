/*
 * fabrik daemon (layer 1: build-tool adapters next to the build) and
 * fabrik server (layer 2: the Fabrik protocol for daemons, no adapters).
 * Both run one poll() loop with the local store, the health and metrics
 * listeners, signals (SIGINT/SIGTERM: graceful shutdown; SIGHUP: reload)
 * and incremental store maintenance.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/auth.h"
#include "base/clock.h"
#include "base/log.h"
#include "cache/chain.h"
#include "cache/stats.h"
#include "cli/cli.h"
#include "http/grpc_frame.h"
#include "http/grpc_server.h"
#include "http/router.h"
#include "http/server.h"
#include "net/loop.h"
#include "http/client.h"
#include "net/resolver.h"
#include "net/sock.h"
#include "store/store.h"
#include "tools/bazel_http.h"
#include "tools/ccache.h"
#include "tools/fabrik_svc.h"
#include "tools/gradle.h"
#include "tools/nix.h"
#include "tools/nx.h"
#include "tools/reapi.h"
#include "tools/s3.h"
#include "tools/tool.h"
#include "tools/turbo.h"
#include "tools/webdav.h"
#include "upstream/s3client.h"
#include "upstream/upstream.h"

#define DAEMON_MAX_SERVERS 8
#define DAEMON_MAINT_IDLE_MS 1000
#define DAEMON_MAINT_BUSY_MS 5
#define DAEMON_MAINT_BUDGET 64
#define DAEMON_SYNC_MS 5000

struct daemon {
	int server_mode;
	struct config cfg;
	int cfg_argc;
	char **cfg_argv;
	struct loop *loop;
	struct store *store;
	struct chain *chain;
	struct resolver *resolver; /* DNS for the upstreams and jwks_url */
	struct http_client *jwks_hc; /* fetches auth.jwks_url */
	struct http_client_req *jwks_req;
	struct loop_timer *jwks_timer;
	struct buf jwks_body;
	int jwks_status, jwks_ok;
	struct auth *auth;
	struct tools_env tools;
	struct s3 *s3; /* S3 API (s3.bind), or NULL */
	struct reapi *reapi; /* Bazel REAPI (daemon.grpc_bind), or NULL */
	struct fabrik_svc *fabrik; /* the Fabrik protocol service, or NULL */
	struct grpc_server *grpc; /* daemon.grpc_bind: REAPI and Fabrik */
	struct grpc_server *fabrik_grpc; /* [fabrik] bind */
	struct daemon_grpc_mux *grpc_mux;
	char grpc_url[128];
	struct api_env api_health, api_metrics, api_both;
	struct http_server *servers[DAEMON_MAX_SERVERS];
	int nservers;
	struct loop_timer *maint, *sync, *keys, *drain_poll;
	int stopping;
	uint64_t stop_deadline;
	char http_url[128];
};

/* Every build-tool adapter, by its build_tools.enabled name. */
static const struct {
	const char *tool;
	struct route route;
} daemon_routes[] = {
	{ "gradle", { GRADLE_PREFIX, 0, gradle_handle } },
	{ "nx", { NX_PREFIX, 0, nx_handle } },
	{ "turbo", { TURBO_PREFIX, 0, turbo_handle } },
	{ "ccache", { CCACHE_PREFIX, 0, ccache_handle } },
	{ "bazel", { BAZEL_HTTP_PREFIX, 0, bazel_http_handle } },
	{ "sccache", { WEBDAV_PREFIX, 0, webdav_handle } },
	{ "nix", { NIX_PREFIX, 0, nix_handle } },
};
#define DAEMON_NROUTES (sizeof(daemon_routes) / sizeof(daemon_routes[0]))

/* The routes of the enabled tools (one daemon per process). */
static struct route daemon_enabled[DAEMON_NROUTES];
static size_t daemon_nenabled;

static void
daemon_enable_routes(const struct config *cfg)
{
	size_t i;

	daemon_nenabled = 0;
	for (i = 0; i < DAEMON_NROUTES; i++)
		if (config_list_has(
			cfg, CFG_BUILD_TOOLS_ENABLED, daemon_routes[i].tool))
			daemon_enabled[daemon_nenabled++] =
			    daemon_routes[i].route;
}

static void
daemon_tools_handler(struct http_req *r, void *arg)
{
	router_dispatch(r, daemon_enabled, daemon_nenabled, arg);
}

static void
daemon_request_done(struct http_req *r, int status, uint64_t us)
{
	stats_observe(http_req_tag(r), us);
	log_trace("%s %d %lluus", http_req_server_name(r), status,
	    (unsigned long long)us);
}

static void
daemon_limits(const struct config *cfg, struct http_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body = (uint64_t)config_int(cfg, CFG_CACHE_MAX_OBJECT_SIZE);
	lim->header_timeout_ms =
	    (uint64_t)config_int(cfg, CFG_RT_HEADER_TIMEOUT);
	lim->idle_timeout_ms = (uint64_t)config_int(cfg, CFG_RT_IDLE_TIMEOUT);
	lim->body_timeout_ms = (uint64_t)config_int(cfg, CFG_RT_BODY_TIMEOUT);
	lim->write_timeout_ms = (uint64_t)config_int(cfg, CFG_RT_BODY_TIMEOUT);
	lim->max_conns =
	    (unsigned)config_int(cfg, CFG_RT_MAX_CONCURRENT_REQUESTS);
}

static void
daemon_store_config(
    const struct config *cfg, const char *dir, struct store_config *sc)
{
	const char *pol = config_str(cfg, CFG_CACHE_EVICTION_POLICY);

	memset(sc, 0, sizeof(*sc));
	sc->dir = dir;
	sc->max_size = (uint64_t)config_int(cfg, CFG_CACHE_MAX_SIZE);
	sc->max_object_size =
	    (uint64_t)config_int(cfg, CFG_CACHE_MAX_OBJECT_SIZE);
	sc->min_free = (uint64_t)config_int(cfg, CFG_CACHE_MIN_FREE_SPACE);
	sc->ttl = (uint64_t)config_int(cfg, CFG_CACHE_DEFAULT_TTL) / 1000;
	sc->lfu_halflife =
	    (uint64_t)config_int(cfg, CFG_CACHE_LFU_HALFLIFE) / 1000;
	sc->policy = strcmp(pol, "lru") == 0 ? STORE_LRU
	    : strcmp(pol, "ttl") == 0	     ? STORE_TTL
					     : STORE_LFU;
	sc->verify = strcmp(config_str(cfg, CFG_CACHE_VERIFY), "always") == 0
	    ? STORE_VERIFY_ALWAYS
	    : STORE_VERIFY_CHANGED;
	sc->fsync = (int)config_int(cfg, CFG_CACHE_FSYNC);
}

static struct auth *
daemon_auth_new(const struct config *cfg, const char **err)
{
	struct auth_config ac;

	memset(&ac, 0, sizeof(ac));
	ac.required = (int)config_int(cfg, CFG_AUTH_REQUIRED);
	ac.tokens = config_get(cfg, CFG_AUTH_TOKENS)->list;
	ac.ntokens = config_get(cfg, CFG_AUTH_TOKENS)->nlist;
	ac.public_key_file = config_str(cfg, CFG_AUTH_PUBLIC_KEY_FILE);
	ac.jwks_file = config_str(cfg, CFG_AUTH_JWKS_FILE);
	ac.leeway = config_int(cfg, CFG_AUTH_LEEWAY) / 1000;
	ac.issuer = config_str(cfg, CFG_AUTH_ISSUER);
	ac.audience = config_str(cfg, CFG_AUTH_AUDIENCE);
	ac.jwks_url = config_str(cfg, CFG_AUTH_JWKS_URL);
	return auth_new(&ac, err);
}

/* auth.jwks_url: fetched with the HTTP client at start and every
 * auth.key_refresh_interval (sooner while it has never worked). */
#define DAEMON_JWKS_MAX (256 * 1024)
#define DAEMON_JWKS_RETRY_MS 5000

static void daemon_jwks_fetch(struct loop *, void *);

static int
daemon_jwks_head(struct http_client_req *req,
    const struct http_client_response *resp, void *arg)
{
	struct daemon *d = arg;

	(void)req;
	d->jwks_status = resp->status;
	return resp->content_length > DAEMON_JWKS_MAX ? -1 : 0;
}

static int
daemon_jwks_data(
    struct http_client_req *req, const void *p, size_t n, void *arg)
{
	struct daemon *d = arg;

	(void)req;
	if (d->jwks_body.len + n > DAEMON_JWKS_MAX)
		return -1;
	return buf_append(&d->jwks_body, p, n) == -1 ? -1 : 0;
}

static void
daemon_jwks_done(
    struct http_client_req *req, int ok, const char *err, void *arg)
{
	struct daemon *d = arg;
	const char *why = NULL;
	uint64_t next;
	int rc;

	(void)req;
	d->jwks_req = NULL;
	next = (uint64_t)config_int(&d->cfg, CFG_AUTH_KEY_REFRESH_INTERVAL);
	if (!ok)
		log_warn("auth.jwks_url %s: %s; keeping the previous keys",
		    config_str(&d->cfg, CFG_AUTH_JWKS_URL), err);
	else if (d->jwks_status != 200)
		log_warn("auth.jwks_url %s: HTTP %d; keeping the previous keys",
		    config_str(&d->cfg, CFG_AUTH_JWKS_URL), d->jwks_status);
	else if ((rc = auth_set_remote_jwks(d->auth,
		      (const char *)d->jwks_body.data, d->jwks_body.len,
		      &why)) == -1)
		log_warn("auth.jwks_url %s: %s; keeping the previous keys",
		    config_str(&d->cfg, CFG_AUTH_JWKS_URL), why);
	else {
		if (rc == 1)
			log_info("auth keys from %s: %zu keys",
			    config_str(&d->cfg, CFG_AUTH_JWKS_URL),
			    auth_key_count(d->auth));
		d->jwks_ok = 1;
	}
	buf_reset(&d->jwks_body);
	if (!d->jwks_ok && next > DAEMON_JWKS_RETRY_MS)
		next = DAEMON_JWKS_RETRY_MS;
	d->jwks_timer = loop_timer_add(d->loop, next, daemon_jwks_fetch, d);
}

static void
daemon_jwks_fetch(struct loop *l, void *arg)
{
	struct daemon *d = arg;
	struct http_client_request rq;
	const char *url = config_str(&d->cfg, CFG_AUTH_JWKS_URL), *err;
	char msg[256];

	(void)l;
	d->jwks_timer = NULL;
	if (*url == '\0' || d->stopping)
		return;
	if (d->jwks_hc == NULL) {
		if ((d->jwks_hc = http_client_new(
			 d->loop, NULL, msg, sizeof(msg))) == NULL) {
			log_error("auth.jwks_url: %s", msg);
			return;
		}
		if (d->resolver == NULL)
			d->resolver = resolver_new(d->loop, NULL);
		if (d->resolver != NULL)
			http_client_set_resolver(
			    d->jwks_hc, s3client_resolve, d->resolver);
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = url;
	rq.on_head = daemon_jwks_head;
	rq.on_data = daemon_jwks_data;
	rq.on_done = daemon_jwks_done;
	rq.arg = d;
	d->jwks_status = 0;
	buf_reset(&d->jwks_body);
	if ((d->jwks_req = http_client_request(d->jwks_hc, &rq, &err)) ==
	    NULL) {
		log_error("auth.jwks_url %s: %s", url, err);
		return;
	}
}

/* Re-reads JWT key files that changed (auth.key_refresh_interval). */
static void
daemon_keys(struct loop *l, void *arg)
{
	struct daemon *d = arg;
	const char *err;
	int rc = auth_reload_keys(d->auth, &err);

	if (rc == 1)
		log_info(
		    "auth keys reloaded: %zu keys", auth_key_count(d->auth));
	else if (rc == -1)
		log_error("auth key file changed but cannot be used (%s); "
			  "keeping the previous keys",
		    err);
	d->keys = loop_timer_add(l,
	    (uint64_t)config_int(&d->cfg, CFG_AUTH_KEY_REFRESH_INTERVAL),
	    daemon_keys, d);
}

static void
daemon_apply_log(const struct config *cfg)
{
	log_setup(
	    (enum log_level)log_level_parse(config_str(cfg, CFG_OBS_LOG_LEVEL)),
	    strcmp(config_str(cfg, CFG_OBS_LOG_FORMAT), "json") == 0
		? LOG_JSON
		: LOG_TEXT);
}

/* The admin API changed d->cfg: apply the store limits and log level. */
static void
daemon_api_config_changed(void *arg)
{
	struct daemon *d = arg;
	struct store_config sc;

	daemon_store_config(&d->cfg, store_get_config(d->store)->dir, &sc);
	store_reconfigure(d->store, &sc);
	daemon_apply_log(&d->cfg);
}

static void
daemon_maint(struct loop *l, void *arg)
{
	struct daemon *d = arg;
	int more = store_maintain(d->store, DAEMON_MAINT_BUDGET);

	d->maint = loop_timer_add(l,
	    more ? DAEMON_MAINT_BUSY_MS : DAEMON_MAINT_IDLE_MS, daemon_maint,
	    d);
}

static void
daemon_sync(struct loop *l, void *arg)
{
	struct daemon *d = arg;

	index_sync(store_index(d->store));
	d->sync = loop_timer_add(l, DAEMON_SYNC_MS, daemon_sync, d);
}

static unsigned
daemon_conns(const struct daemon *d)
{
	unsigned n = 0;
	int i;

	for (i = 0; i < d->nservers; i++)
		n += http_server_conns(d->servers[i]);
	if (d->grpc != NULL)
		n += grpc_server_conns(d->grpc);
	if (d->fabrik_grpc != NULL)
		n += grpc_server_conns(d->fabrik_grpc);
	return n;
}

static void
daemon_drain_poll(struct loop *l, void *arg)
{
	struct daemon *d = arg;

	d->drain_poll = NULL;
	if (daemon_conns(d) == 0 || loop_now(l) >= d->stop_deadline) {
		if (daemon_conns(d) > 0)
			log_warn("graceful shutdown timeout: closing %u "
				 "connections",
			    daemon_conns(d));
		loop_stop(l);
		return;
	}
	d->drain_poll = loop_timer_add(l, 20, daemon_drain_poll, d);
}

static void
daemon_on_stop(struct loop *l, int sig, void *arg)
{
	struct daemon *d = arg;
	int i;

	if (d->stopping) {
		log_info("second signal: exiting now");
		loop_stop(l);
		return;
	}
	d->stopping = 1;
	log_info("shutting down (signal %d): finishing %u connections", sig,
	    daemon_conns(d));
	for (i = 0; i < d->nservers; i++)
		http_server_drain(d->servers[i]);
	if (d->grpc != NULL)
		grpc_server_drain(d->grpc);
	if (d->fabrik_grpc != NULL)
		grpc_server_drain(d->fabrik_grpc);
	d->stop_deadline = loop_now(l) +
	    (uint64_t)config_int(&d->cfg, CFG_RT_GRACEFUL_SHUTDOWN_TIMEOUT);
	daemon_drain_poll(l, d);
}

/* Fills the three API listeners' settings from d->cfg (start and reload). */
static void
daemon_api_setup(struct daemon *d)
{
	struct api_env *envs[3];
	int i;

	envs[0] = &d->api_health;
	envs[1] = &d->api_metrics;
	envs[2] = &d->api_both;
	for (i = 0; i < 3; i++) {
		envs[i]->store = d->store;
		envs[i]->chain = d->chain;
		envs[i]->version = FABRIK_VERSION;
		envs[i]->mode = d->server_mode ? "server" : "daemon";
		envs[i]->metrics_enabled =
		    (int)config_int(&d->cfg, CFG_OBS_METRICS_ENABLED);
		envs[i]->auth = &d->auth;
		envs[i]->api_auth_required =
		    (int)config_int(&d->cfg, CFG_OBS_API_AUTH_REQUIRED);
		envs[i]->query_enabled =
		    (int)config_int(&d->cfg, CFG_OBS_CACHE_QUERY_API_ENABLED);
		envs[i]->admin_enabled =
		    (int)config_int(&d->cfg, CFG_OBS_ADMIN_API_ENABLED);
		envs[i]->cfg = &d->cfg;
		envs[i]->config_changed = daemon_api_config_changed;
		envs[i]->config_arg = d;
	}
	d->api_health.serve_health = d->api_both.serve_health = 1;
	d->api_metrics.serve_metrics = d->api_both.serve_metrics = 1;
}

/* SIGHUP: re-read the configuration and apply what can change live. */
static void
daemon_on_reload(struct loop *l, int sig, void *arg)
{
	struct daemon *d = arg;
	struct config ncfg;
	struct store_config sc;
	struct http_limits lim;
	struct auth *na;
	const char *err;
	int nrest, i;

	if (cli_load_config(d->cfg_argc, d->cfg_argv, d->server_mode, &ncfg,
		&nrest) == -1) {
		log_error("reload failed: configuration kept");
		config_release(&ncfg);
		return;
	}
	if (strcmp(cli_cache_dir(&ncfg), store_get_config(d->store)->dir) != 0)
		log_warn("cache.dir changes need a restart; kept %s",
		    store_get_config(d->store)->dir);
	daemon_store_config(&ncfg, store_get_config(d->store)->dir, &sc);
	store_reconfigure(d->store, &sc);
	daemon_limits(&ncfg, &lim);
	for (i = 0; i < d->nservers; i++)
		http_server_set_limits(d->servers[i], &lim);
	if ((na = daemon_auth_new(&ncfg, &err)) == NULL)
		log_error(
		    "auth keys not reloaded (%s); keeping the old ones", err);
	else {
		if (auth_copy_remote_jwks(na, d->auth) == -1)
			log_warn("auth: the keys from auth.jwks_url no longer "
				 "load; refetching");
		auth_free(d->auth);
		d->auth = na;
		d->tools.auth = na;
		if (d->jwks_timer == NULL && d->jwks_req == NULL)
			d->jwks_timer =
			    loop_timer_add(d->loop, 0, daemon_jwks_fetch, d);
	}
	d->tools.max_object_size = sc.max_object_size;
	daemon_apply_log(&ncfg);
	daemon_enable_routes(&ncfg);
	config_release(&d->cfg);
	d->cfg = ncfg;
	daemon_api_setup(d);
	log_info("configuration reloaded (listen addresses and cache.dir "
		 "need a restart)");
}

static int
daemon_listen(struct daemon *d, const char *what, const char *addr,
    http_handler *h, void *arg, char *url, size_t urllen)
{
	struct http_limits lim;
	const char *err;
	int fd, port;
	char host[64];
	const char *colon;

	fd = sock_listen(addr, 1024, &port, &err);
	if (fd == -1) {
		log_error("cannot listen for %s on %s: %s", what, addr, err);
		return -1;
	}
	daemon_limits(&d->cfg, &lim);
	d->servers[d->nservers] =
	    http_server_new(d->loop, fd, what, &lim, h, arg);
	if (d->servers[d->nservers] == NULL) {
		close(fd);
		return -1;
	}
	http_server_on_done(d->servers[d->nservers], daemon_request_done);
	d->nservers++;
	colon = strrchr(addr, ':');
	if (addr[0] == ':' || colon == NULL ||
	    strncmp(addr, "0.0.0.0", 7) == 0 || strncmp(addr, "[::]", 4) == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else
		snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	log_info("listening %s on %s:%d", what, host, port);
	if (url != NULL)
		snprintf(url, urllen, "http://%s:%d", host, port);
	return 0;
}

/* The S3-compatible API on its own listener, and the WebDAV name
 * journal (doc/s3.md, doc/sccache.md). */
static int
daemon_s3_start(struct daemon *d)
{
	struct s3_config s3c;
	const char *bind = config_str(&d->cfg, CFG_S3_BIND), *err;

	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "sccache") &&
	    webdav_open(store_get_config(d->store)->dir, &err) == -1) {
		log_error("webdav: %s", err);
		return -1;
	}
	if (*bind == '\0')
		return 0;
	memset(&s3c, 0, sizeof(s3c));
	s3c.dir = store_get_config(d->store)->dir;
	s3c.region = config_str(&d->cfg, CFG_S3_REGION);
	s3c.keys = config_get(&d->cfg, CFG_S3_ACCESS_KEYS)->list;
	s3c.nkeys = config_get(&d->cfg, CFG_S3_ACCESS_KEYS)->nlist;
	s3c.auth_required = (int)config_int(&d->cfg, CFG_AUTH_REQUIRED);
	if ((d->s3 = s3_new(&d->tools, &s3c, &err)) == NULL) {
		log_error("s3: %s", err);
		return -1;
	}
	return daemon_listen(d, "s3", bind, s3_handle, d->s3, NULL, 0);
}

/*
 * One gRPC listener carries several services, but a grpc_server takes one
 * method table and one callback argument: the mux is a table of every
 * service's methods whose callbacks find the method's own service (by
 * the path the server matched) and call it with that service's argument.
 */
#define DAEMON_GRPC_MAX_METHODS 32

struct daemon_grpc_mux {
	struct grpc_method methods[DAEMON_GRPC_MAX_METHODS];
	const struct grpc_method *orig[DAEMON_GRPC_MAX_METHODS];
	void *arg[DAEMON_GRPC_MAX_METHODS];
	size_t n;
};

static size_t
daemon_mux_find(const struct daemon_grpc_mux *mx, struct grpc_call *call)
{
	const char *path = grpc_call_path(call);
	size_t i;

	for (i = 0; i < mx->n; i++)
		if (mx->methods[i].path == path ||
		    strcmp(mx->methods[i].path, path) == 0)
			return i;
	abort(); /* the server only dispatches paths of the table */
}

static void
daemon_mux_message(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct daemon_grpc_mux *mx = arg;
	size_t i = daemon_mux_find(mx, call);

	if (mx->orig[i]->on_message != NULL)
		mx->orig[i]->on_message(call, m, len, mx->arg[i]);
}

static void
daemon_mux_end(struct grpc_call *call, void *arg)
{
	struct daemon_grpc_mux *mx = arg;
	size_t i = daemon_mux_find(mx, call);

	if (mx->orig[i]->on_end != NULL)
		mx->orig[i]->on_end(call, mx->arg[i]);
	else
		grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
daemon_mux_cancel(struct grpc_call *call, void *arg)
{
	struct daemon_grpc_mux *mx = arg;
	size_t i = daemon_mux_find(mx, call);

	if (mx->orig[i]->on_cancel != NULL)
		mx->orig[i]->on_cancel(call, mx->arg[i]);
}

static int
daemon_mux_add(struct daemon_grpc_mux *mx, const struct grpc_method *m,
    size_t n, void *arg)
{
	size_t i;

	if (mx->n + n > DAEMON_GRPC_MAX_METHODS)
		return -1;
	for (i = 0; i < n; i++, mx->n++) {
		mx->orig[mx->n] = &m[i];
		mx->arg[mx->n] = arg;
		mx->methods[mx->n].path = m[i].path;
		mx->methods[mx->n].on_message = daemon_mux_message;
		mx->methods[mx->n].on_end = daemon_mux_end;
		mx->methods[mx->n].on_cancel = daemon_mux_cancel;
	}
	return 0;
}

/* The host part of a listen address as clients should dial it. */
static void
daemon_dial_host(const char *bind, char *host, size_t len)
{
	const char *colon = strrchr(bind, ':');

	if (bind[0] == ':' || colon == NULL ||
	    strncmp(bind, "0.0.0.0", 7) == 0 || strncmp(bind, "[::]", 4) == 0)
		snprintf(host, len, "127.0.0.1");
	else
		snprintf(host, len, "%.*s", (int)(colon - bind), bind);
}

/* The Fabrik protocol service, created once for both listeners. */
static int
daemon_fabrik_svc(struct daemon *d)
{
	if (d->fabrik == NULL &&
	    (d->fabrik = fabrik_svc_new(&d->tools)) == NULL)
		return -1;
	return 0;
}

/* The daemon's gRPC listener (daemon.grpc_bind): Bazel's remote cache
 * (REAPI v2, doc/bazel-grpc.md) when bazel is enabled, and the Fabrik
 * protocol (so local tools reach a running daemon); open when the
 * address is set and bazel or fabrik.enabled is on. */
static int
daemon_grpc_start(struct daemon *d)
{
	const char *bind = config_str(&d->cfg, CFG_DAEMON_GRPC_BIND), *err;
	int bazel = config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "bazel");
	char host[64];
	int fd, port;

	if (*bind == '\0' ||
	    (!bazel && !config_int(&d->cfg, CFG_FABRIK_ENABLED)))
		return 0;
	if ((d->grpc_mux = calloc(1, sizeof(*d->grpc_mux))) == NULL ||
	    daemon_fabrik_svc(d) == -1)
		return -1;
	if (bazel &&
	    ((d->reapi = reapi_new(&d->tools)) == NULL ||
		daemon_mux_add(d->grpc_mux, reapi_methods, reapi_nmethods,
		    d->reapi) == -1))
		return -1;
	if (daemon_mux_add(d->grpc_mux, fabrik_svc_methods, fabrik_svc_nmethods,
		d->fabrik) == -1)
		return -1;
	if ((fd = sock_listen(bind, 1024, &port, &err)) == -1) {
		log_error("cannot listen for grpc on %s: %s", bind, err);
		return -1;
	}
	d->grpc = grpc_server_new(d->loop, fd, "grpc", d->grpc_mux->methods,
	    d->grpc_mux->n, d->grpc_mux, NULL);
	if (d->grpc == NULL) {
		close(fd);
		return -1;
	}
	daemon_dial_host(bind, host, sizeof(host));
	log_info("listening grpc on %s:%d", host, port);
	snprintf(d->grpc_url, sizeof(d->grpc_url), "grpc://%s:%d", host, port);
	return 0;
}

/* The Fabrik protocol for other layers on [fabrik] bind, with TLS when
 * fabrik.tls_cert and fabrik.tls_key are set (doc/protocol-fabrik.md). */
static int
daemon_fabrik_start(struct daemon *d)
{
	const char *bind = config_str(&d->cfg, CFG_FABRIK_BIND), *err;
	const char *cert = config_str(&d->cfg, CFG_FABRIK_TLS_CERT);
	const char *key = config_str(&d->cfg, CFG_FABRIK_TLS_KEY);
	char host[64], msg[512];
	int fd, port;

	if (!config_int(&d->cfg, CFG_FABRIK_ENABLED))
		return 0;
	if (*bind == '\0') {
		log_error("fabrik.enabled needs fabrik.bind");
		return -1;
	}
	if ((*cert == '\0') != (*key == '\0')) {
		log_error("fabrik.tls_cert and fabrik.tls_key go together");
		return -1;
	}
	if (daemon_fabrik_svc(d) == -1)
		return -1;
	if ((fd = sock_listen(bind, 1024, &port, &err)) == -1) {
		log_error("cannot listen for fabrik on %s: %s", bind, err);
		return -1;
	}
	d->fabrik_grpc = grpc_server_new(d->loop, fd, "fabrik",
	    fabrik_svc_methods, fabrik_svc_nmethods, d->fabrik, NULL);
	if (d->fabrik_grpc == NULL) {
		close(fd);
		return -1;
	}
	if (*cert != '\0' &&
	    grpc_server_set_tls(d->fabrik_grpc, cert, key, msg, sizeof(msg)) ==
		-1) {
		log_error("fabrik TLS: %s", msg);
		return -1;
	}
	daemon_dial_host(bind, host, sizeof(host));
	log_info("listening fabrik on %s:%d", host, port);
	log_info("fabrik protocol %s://%s:%d", *cert != '\0' ? "grpcs" : "grpc",
	    host, port);
	return 0;
}

static void
daemon_print_env(struct daemon *d)
{
	const char *envfile = config_str(&d->cfg, CFG_DAEMON_ENV_FILE);
	FILE *f = NULL;
	char line[512];

	if (*envfile != '\0' && (f = fopen(envfile, "w")) == NULL)
		log_warn("cannot write %s: %s", envfile, strerror(errno));
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "gradle")) {
		snprintf(line, sizeof(line), "GRADLE_BUILD_CACHE_URL=%s%s",
		    d->http_url, GRADLE_PREFIX);
		log_info("env %s", line);
		if (f != NULL)
			fprintf(f, "%s\n", line);
	}
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "nx")) {
		snprintf(line, sizeof(line),
		    "NX_SELF_HOSTED_REMOTE_CACHE_SERVER=%s", d->http_url);
		log_info("env %s", line);
		if (f != NULL)
			fprintf(f, "%s\n", line);
		log_info(
		    "nx also needs NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN "
		    "when auth is required");
	}
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "turbo")) {
		snprintf(line, sizeof(line), "TURBO_API=%s", d->http_url);
		log_info("env %s", line);
		if (f != NULL)
			fprintf(f, "%s\n", line);
		log_info("turbo also needs TURBO_TOKEN (any value when auth is "
			 "off) and TURBO_TEAM");
	}
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "ccache")) {
		snprintf(line, sizeof(line), "CCACHE_REMOTE_STORAGE=%s%s",
		    d->http_url, CCACHE_PREFIX);
		log_info("env %s", line);
		if (f != NULL)
			fprintf(f, "%s\n", line);
	}
	/* A store URL for nix copy --to and substituters: logged only. */
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "nix"))
		log_info("nix substituter %s/nix", d->http_url);
	/* A flag, not an environment variable: logged only. */
	if (config_list_has(&d->cfg, CFG_BUILD_TOOLS_ENABLED, "bazel"))
		log_info("bazel flag --remote_cache=%s/bazel", d->http_url);
	if (d->grpc != NULL)
		log_info("bazel flag --remote_cache=%s", d->grpc_url);
	snprintf(line, sizeof(line), "FABRIK_HTTP_URL=%s", d->http_url);
	log_info("env %s", line);
	if (f != NULL) {
		fprintf(f, "%s\n", line);
		fclose(f);
	}
}

/* Creates the [[upstream]] layers of the chain and resumes the outbox. */
static int
daemon_chain_setup(struct daemon *d)
{
	if (d->cfg.nupstreams == 0)
		return 0;
	if (cli_chain_setup(&d->cfg, d->loop, d->chain, &d->resolver, 1) == -1)
		return -1;
	(void)chain_start(d->chain);
	return 0;
}

/*
 * <cache dir>/daemon.addr names the gRPC listener (Fabrik protocol) of
 * the daemon holding the store, so `fabrik run` can cache through it.
 */
static void
daemon_addr_path(const struct daemon *d, char *out, size_t cap)
{
	snprintf(out, cap, "%s/daemon.addr", store_get_config(d->store)->dir);
}

static void
daemon_addr_write(struct daemon *d)
{
	char path[4096], tmp[4200];
	FILE *f;

	if (d->grpc == NULL || d->grpc_url[0] == '\0')
		return;
	daemon_addr_path(d, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL ||
	    fprintf(f, "%s\n", d->grpc_url) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) == -1)
		log_warn("cannot write %s: %s (fabrik run will not find this "
			 "daemon)",
		    path, strerror(errno));
}

static void
daemon_addr_remove(struct daemon *d)
{
	char path[4096];

	if (d->store == NULL || d->grpc == NULL)
		return;
	daemon_addr_path(d, path, sizeof(path));
	(void)unlink(path);
}

static int
daemon_run(int argc, char **argv, int server_mode)
{
	struct daemon d;
	struct store_config sc;
	const char *err, *hb, *mb;
	uint64_t t0 = clock_mono_us();
	int nrest, rc = 1, i;

	memset(&d, 0, sizeof(d));
	d.server_mode = server_mode;
	d.cfg_argc = argc;
	d.cfg_argv = malloc(sizeof(char *) * ((size_t)argc + 1));
	if (d.cfg_argv == NULL)
		return 1;
	for (i = 0; i < argc; i++)
		d.cfg_argv[i] = argv[i];
	d.cfg_argv[argc] = NULL;
	if (cli_load_config(argc, argv, server_mode, &d.cfg, &nrest) == -1) {
		free(d.cfg_argv);
		return 2;
	}
	if (nrest > 1) {
		fprintf(stderr,
		    "fabrik %s: unexpected argument '%s' (see "
		    "fabrik %s --help)\n",
		    server_mode ? "server" : "daemon", argv[1],
		    server_mode ? "server" : "daemon");
		config_release(&d.cfg);
		free(d.cfg_argv);
		return 2;
	}
	daemon_apply_log(&d.cfg);
	stats_init();
	signal(SIGPIPE, SIG_IGN);
	daemon_store_config(&d.cfg, cli_cache_dir(&d.cfg), &sc);
	if ((d.store = store_open(&sc, &err)) == NULL) {
		log_error("cannot open the cache in %s: %s", sc.dir, err);
		goto out;
	}
	log_info("cache %s: %llu objects, %llu bytes", sc.dir,
	    (unsigned long long)index_count(store_index(d.store)),
	    (unsigned long long)index_total(store_index(d.store)));
	if ((d.loop = loop_new()) == NULL ||
	    (d.chain = chain_new(d.store)) == NULL)
		goto out;
	if ((d.auth = daemon_auth_new(&d.cfg, &err)) == NULL) {
		log_error("auth: %s", err);
		goto out;
	}
	if (daemon_chain_setup(&d) == -1)
		goto out;
	daemon_enable_routes(&d.cfg);
	d.tools.chain = d.chain;
	d.tools.auth = d.auth;
	d.tools.max_object_size = sc.max_object_size;
	if (loop_signal(d.loop, SIGINT, daemon_on_stop, &d) == -1 ||
	    loop_signal(d.loop, SIGTERM, daemon_on_stop, &d) == -1 ||
	    loop_signal(d.loop, SIGHUP, daemon_on_reload, &d) == -1)
		goto out;
	if (!server_mode &&
	    daemon_listen(&d, "http", config_str(&d.cfg, CFG_DAEMON_BIND),
		daemon_tools_handler, &d.tools, d.http_url,
		sizeof(d.http_url)) == -1)
		goto out;
	if (daemon_fabrik_start(&d) == -1)
		goto out;
	hb = config_str(&d.cfg, CFG_OBS_HEALTH_BIND);
	mb = config_str(&d.cfg, CFG_OBS_METRICS_BIND);
	daemon_api_setup(&d);
	/* One listener when both name the same fixed address. */
	if (*hb != '\0' && strcmp(hb, mb) == 0 &&
	    strcmp(hb + strlen(hb) - 2, ":0") != 0) {
		if (daemon_listen(&d, "health", hb, api_handle, &d.api_both,
			NULL, 0) == -1)
			goto out;
		log_info("listening metrics on the health listener");
	} else {
		if (*hb != '\0' &&
		    daemon_listen(&d, "health", hb, api_handle, &d.api_health,
			NULL, 0) == -1)
			goto out;
		if (*mb != '\0' &&
		    daemon_listen(&d, "metrics", mb, api_handle, &d.api_metrics,
			NULL, 0) == -1)
			goto out;
	}
	if (daemon_s3_start(&d) == -1)
		goto out;
	if (nix_setup(config_str(&d.cfg, CFG_NIX_SECRET_KEY_FILE), &err) ==
	    -1) {
		log_error("nix.secret_key_file: %s", err);
		goto out;
	}
	if (!server_mode && daemon_grpc_start(&d) == -1)
		goto out;
	daemon_addr_write(&d);
	if (!server_mode)
		daemon_print_env(&d);
	d.maint = loop_timer_add(d.loop, 0, daemon_maint, &d);
	d.sync = loop_timer_add(d.loop, DAEMON_SYNC_MS, daemon_sync, &d);
	d.keys = loop_timer_add(d.loop,
	    (uint64_t)config_int(&d.cfg, CFG_AUTH_KEY_REFRESH_INTERVAL),
	    daemon_keys, &d);
	if (*config_str(&d.cfg, CFG_AUTH_JWKS_URL) != '\0')
		d.jwks_timer = loop_timer_add(d.loop, 0, daemon_jwks_fetch, &d);
	log_info("ready in %.1f ms (fabrik %s %s, pid %ld)",
	    (double)(clock_mono_us() - t0) / 1000.0,
	    server_mode ? "server" : "daemon", FABRIK_VERSION, (long)getpid());
	if (loop_run(d.loop) == -1) {
		log_error("event loop failed: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	log_info("stopped");
out:
	daemon_addr_remove(&d);
	for (i = 0; i < d.nservers; i++)
		http_server_free(d.servers[i]);
	if (d.grpc != NULL)
		grpc_server_free(d.grpc);
	if (d.fabrik_grpc != NULL)
		grpc_server_free(d.fabrik_grpc);
	reapi_free(d.reapi);
	fabrik_svc_free(d.fabrik);
	free(d.grpc_mux);
	if (d.loop != NULL) {
		loop_timer_cancel(d.loop, d.maint);
		loop_timer_cancel(d.loop, d.sync);
		loop_timer_cancel(d.loop, d.keys);
		loop_timer_cancel(d.loop, d.drain_poll);
	}
	if (d.jwks_req != NULL)
		http_client_cancel(d.jwks_req);
	if (d.jwks_timer != NULL && d.loop != NULL)
		loop_timer_cancel(d.loop, d.jwks_timer);
	if (d.jwks_hc != NULL)
		http_client_free(d.jwks_hc);
	buf_release(&d.jwks_body);
	chain_free(d.chain);
	if (d.resolver != NULL)
		resolver_free(d.resolver);
	store_close(d.store);
	s3_free(d.s3);
	webdav_close();
	nix_close();
	auth_free(d.auth);
	loop_free(d.loop);
	config_release(&d.cfg);
	free(d.cfg_argv);
	return rc;
}

int
cli_daemon(int argc, char **argv)
{
	return daemon_run(argc, argv, 0);
}

int
cli_server(int argc, char **argv)
{
	return daemon_run(argc, argv, 1);
}
