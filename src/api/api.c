/*
 * Health, metrics and stats endpoints.
 */
#include <string.h>

#include "api/admin.h"
#include "api/api.h"
#include "api/query.h"
#include "base/clock.h"
#include "base/json.h"
#include "cache/chain.h"
#include "cache/stats.h"

static void
api_health(struct http_req *r, const struct api_env *env)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "status");
	json_cstr(&w, "healthy");
	json_key(&w, "uptime_seconds");
	json_int(&w, clock_wall() - stats.started);
	json_key(&w, "version");
	json_cstr(&w, env->version);
	json_key(&w, "mode");
	json_cstr(&w, env->mode);
	json_obj_end(&w);
	if (json_writer_finish(&w) == -1 || buf_putc(&out, '\n') == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, 200, "application/json", out.data, out.len);
	buf_release(&out);
}

static uint64_t
api_sum(int field)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < STORE_NS_COUNT; i++)
		n += field == 0 ? stats.tool[i].hits : stats.tool[i].misses;
	return n;
}

int
api_metrics_render(struct store *s, const struct chain *ch, struct buf *o)
{
	struct chain_up_stats us;
	size_t u;
	struct store_stats st;
	const struct store_config *cfg = store_get_config(s);
	uint64_t hits = api_sum(0), misses = api_sum(1), cum;
	int i, b, rc = 0;

	store_get_stats(s, &st);
#define M(...) \
	do { \
		if (rc == 0) \
			rc = buf_printf(o, __VA_ARGS__); \
	} while (0)
	M("# HELP fabrik_cache_hits_total Cache hits.\n"
	  "# TYPE fabrik_cache_hits_total counter\n"
	  "fabrik_cache_hits_total %llu\n",
	    (unsigned long long)hits);
	M("# HELP fabrik_cache_misses_total Cache misses.\n"
	  "# TYPE fabrik_cache_misses_total counter\n"
	  "fabrik_cache_misses_total %llu\n",
	    (unsigned long long)misses);
	M("# HELP fabrik_cache_hit_ratio Hits over lookups since start.\n"
	  "# TYPE fabrik_cache_hit_ratio gauge\n"
	  "fabrik_cache_hit_ratio %.6f\n",
	    hits + misses ? (double)hits / (double)(hits + misses) : 0.0);
	M("# HELP fabrik_cache_size_bytes Bytes held by the local store.\n"
	  "# TYPE fabrik_cache_size_bytes gauge\n"
	  "fabrik_cache_size_bytes %llu\n",
	    (unsigned long long)st.bytes);
	M("# HELP fabrik_cache_max_size_bytes Configured store limit.\n"
	  "# TYPE fabrik_cache_max_size_bytes gauge\n"
	  "fabrik_cache_max_size_bytes %llu\n",
	    (unsigned long long)cfg->max_size);
	M("# HELP fabrik_cache_objects Objects in the local store.\n"
	  "# TYPE fabrik_cache_objects gauge\n"
	  "fabrik_cache_objects %llu\n",
	    (unsigned long long)st.objects);
	M("# HELP fabrik_cache_evictions_total Objects evicted for space.\n"
	  "# TYPE fabrik_cache_evictions_total counter\n"
	  "fabrik_cache_evictions_total %llu\n",
	    (unsigned long long)st.evictions);
	M("# HELP fabrik_cache_evicted_bytes_total Bytes evicted.\n"
	  "# TYPE fabrik_cache_evicted_bytes_total counter\n"
	  "fabrik_cache_evicted_bytes_total %llu\n",
	    (unsigned long long)st.evicted_bytes);
	M("# HELP fabrik_cache_expired_total Objects expired by TTL.\n"
	  "# TYPE fabrik_cache_expired_total counter\n"
	  "fabrik_cache_expired_total %llu\n",
	    (unsigned long long)st.expired);
	M("# HELP fabrik_store_integrity_drops_total Objects dropped because "
	  "their content did not match its SHA-256.\n"
	  "# TYPE fabrik_store_integrity_drops_total counter\n"
	  "fabrik_store_integrity_drops_total %llu\n",
	    (unsigned long long)st.integrity_drops);
	M("# HELP fabrik_store_write_errors_total Failed object writes.\n"
	  "# TYPE fabrik_store_write_errors_total counter\n"
	  "fabrik_store_write_errors_total %llu\n",
	    (unsigned long long)st.write_errors);
	M("# HELP fabrik_tool_requests_total Lookups per build tool.\n"
	  "# TYPE fabrik_tool_requests_total counter\n");
	for (i = 1; i < STORE_NS_COUNT; i++) {
		if (stats.tool[i].hits + stats.tool[i].misses +
			stats.tool[i].puts + stats.tool[i].put_errors ==
		    0)
			continue;
		M("fabrik_tool_requests_total{tool=\"%s\",result=\"hit\"} "
		  "%llu\n",
		    store_ns_name(i), (unsigned long long)stats.tool[i].hits);
		M("fabrik_tool_requests_total{tool=\"%s\",result=\"miss\"} "
		  "%llu\n",
		    store_ns_name(i), (unsigned long long)stats.tool[i].misses);
		M("fabrik_tool_requests_total{tool=\"%s\",result=\"put\"} "
		  "%llu\n",
		    store_ns_name(i), (unsigned long long)stats.tool[i].puts);
		M("fabrik_tool_requests_total{tool=\"%s\",result=\"put_error\"}"
		  " %llu\n",
		    store_ns_name(i),
		    (unsigned long long)stats.tool[i].put_errors);
	}
	M("# HELP fabrik_bandwidth_bytes_total Object bytes by direction.\n"
	  "# TYPE fabrik_bandwidth_bytes_total counter\n");
	for (i = 1; i < STORE_NS_COUNT; i++) {
		if (stats.tool[i].bytes_in + stats.tool[i].bytes_out == 0)
			continue;
		M("fabrik_bandwidth_bytes_total{tool=\"%s\",direction="
		  "\"upload\"} "
		  "%llu\n",
		    store_ns_name(i),
		    (unsigned long long)stats.tool[i].bytes_in);
		M("fabrik_bandwidth_bytes_total{tool=\"%s\",direction="
		  "\"download\"}"
		  " %llu\n",
		    store_ns_name(i),
		    (unsigned long long)stats.tool[i].bytes_out);
	}
	M("# HELP fabrik_request_duration_seconds Request latency.\n"
	  "# TYPE fabrik_request_duration_seconds histogram\n");
	for (i = 0; i < STORE_NS_COUNT; i++) {
		const struct stats_hist *h = &stats.duration[i];
		if (h->count == 0)
			continue;
		cum = 0;
		for (b = 0; b < STATS_BUCKETS; b++) {
			cum += h->buckets[b];
			M("fabrik_request_duration_seconds_bucket{tool=\"%s\","
			  "le=\"%g\"} %llu\n",
			    store_ns_name(i), stats_bucket_bounds[b],
			    (unsigned long long)cum);
		}
		M("fabrik_request_duration_seconds_bucket{tool=\"%s\","
		  "le=\"+Inf\"} %llu\n",
		    store_ns_name(i), (unsigned long long)h->count);
		M("fabrik_request_duration_seconds_sum{tool=\"%s\"} %.6f\n",
		    store_ns_name(i), h->sum);
		M("fabrik_request_duration_seconds_count{tool=\"%s\"} %llu\n",
		    store_ns_name(i), (unsigned long long)h->count);
	}
	M("# HELP fabrik_auth_failures_total Rejected credentials.\n"
	  "# TYPE fabrik_auth_failures_total counter\n");
	for (i = 0; i < (int)stats.nauth_reasons; i++)
		M("fabrik_auth_failures_total{reason=\"%s\"} %llu\n",
		    stats.auth_reason[i],
		    (unsigned long long)stats.auth_failures[i]);
	if (ch != NULL && chain_nupstreams(ch) > 0) {
		M("# HELP fabrik_upstream_requests_total Requests to each "
		  "upstream by operation and result.\n"
		  "# TYPE fabrik_upstream_requests_total counter\n");
		for (u = 0; chain_up_stats(ch, u, &us) == 0; u++) {
#define UP_REQ(op, res, v) \
	M("fabrik_upstream_requests_total{upstream=\"%s\",op=\"%s\"," \
	  "result=\"%s\"} %llu\n", \
	    us.name, op, res, (unsigned long long)(v))
			UP_REQ("get", "hit", us.get_hit);
			UP_REQ("get", "miss", us.get_miss);
			UP_REQ("get", "error", us.get_error);
			UP_REQ("put", "ok", us.put_ok);
			UP_REQ("put", "error", us.put_error);
			UP_REQ("delete", "ok", us.del_ok);
			UP_REQ("delete", "error", us.del_error);
			UP_REQ("any", "skipped", us.skipped);
#undef UP_REQ
		}
		M("# HELP fabrik_upstream_bytes_total Bytes moved to and from "
		  "each upstream.\n"
		  "# TYPE fabrik_upstream_bytes_total counter\n");
		for (u = 0; chain_up_stats(ch, u, &us) == 0; u++) {
			M("fabrik_upstream_bytes_total{upstream=\"%s\","
			  "direction=\"download\"} %llu\n",
			    us.name, (unsigned long long)us.bytes_in);
			M("fabrik_upstream_bytes_total{upstream=\"%s\","
			  "direction=\"upload\"} %llu\n",
			    us.name, (unsigned long long)us.bytes_out);
		}
		M("# HELP fabrik_upstream_circuit_open 1 while the circuit of "
		  "an upstream is open (0.5 half-open).\n"
		  "# TYPE fabrik_upstream_circuit_open gauge\n");
		for (u = 0; chain_up_stats(ch, u, &us) == 0; u++)
			M("fabrik_upstream_circuit_open{upstream=\"%s\"} %s\n",
			    us.name,
			    us.circuit == CHAIN_OPEN		? "1"
				: us.circuit == CHAIN_HALF_OPEN ? "0.5"
								: "0");
		M("# HELP fabrik_upstream_pending_uploads Uploads waiting in "
		  "the outbox or in flight.\n"
		  "# TYPE fabrik_upstream_pending_uploads gauge\n");
		for (u = 0; chain_up_stats(ch, u, &us) == 0; u++)
			M("fabrik_upstream_pending_uploads{upstream=\"%s\"} "
			  "%llu\n",
			    us.name,
			    (unsigned long long)(us.queued + us.inflight));
	}
	M("# HELP fabrik_uptime_seconds Seconds since start.\n"
	  "# TYPE fabrik_uptime_seconds gauge\n"
	  "fabrik_uptime_seconds %lld\n",
	    (long long)(clock_wall() - stats.started));
#undef M
	return rc;
}

static void
api_stats(struct http_req *r, const struct api_env *env)
{
	struct json_writer w;
	struct store_stats st;
	struct buf out;
	uint64_t hits = api_sum(0), misses = api_sum(1);
	int i;

	store_get_stats(env->store, &st);
	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "cache");
	json_obj_begin(&w);
	json_key(&w, "total_objects");
	json_uint(&w, st.objects);
	json_key(&w, "total_size_bytes");
	json_uint(&w, st.bytes);
	json_key(&w, "max_size_bytes");
	json_uint(&w, store_get_config(env->store)->max_size);
	json_key(&w, "evictions");
	json_uint(&w, st.evictions);
	json_key(&w, "integrity_drops");
	json_uint(&w, st.integrity_drops);
	json_key(&w, "eviction_rate_per_hour");
	json_double(&w, query_eviction_rate(&st));
	json_obj_end(&w);
	json_key(&w, "build_systems");
	query_write_build_systems(&w, env->store);
	json_key(&w, "performance");
	json_obj_begin(&w);
	json_key(&w, "cache_hits");
	json_uint(&w, hits);
	json_key(&w, "cache_misses");
	json_uint(&w, misses);
	json_key(&w, "hit_ratio");
	json_double(
	    &w, hits + misses ? (double)hits / (double)(hits + misses) : 0.0);
	json_key(&w, "latency_seconds");
	json_obj_begin(&w);
	json_key(&w, "p50");
	json_double(&w, stats_quantile(0.50));
	json_key(&w, "p95");
	json_double(&w, stats_quantile(0.95));
	json_key(&w, "p99");
	json_double(&w, stats_quantile(0.99));
	json_obj_end(&w);
	json_obj_end(&w);
	json_key(&w, "tools");
	json_obj_begin(&w);
	for (i = 1; i < STORE_NS_COUNT; i++) {
		if (stats.tool[i].hits + stats.tool[i].misses +
			stats.tool[i].puts ==
		    0)
			continue;
		json_key(&w, store_ns_name(i));
		json_obj_begin(&w);
		json_key(&w, "hits");
		json_uint(&w, stats.tool[i].hits);
		json_key(&w, "misses");
		json_uint(&w, stats.tool[i].misses);
		json_key(&w, "puts");
		json_uint(&w, stats.tool[i].puts);
		json_key(&w, "bytes_in");
		json_uint(&w, stats.tool[i].bytes_in);
		json_key(&w, "bytes_out");
		json_uint(&w, stats.tool[i].bytes_out);
		json_obj_end(&w);
	}
	json_obj_end(&w);
	if (env->chain != NULL && chain_nupstreams(env->chain) > 0) {
		struct chain_up_stats us;
		const char *cs;
		size_t u;

		json_key(&w, "upstreams");
		json_arr_begin(&w);
		for (u = 0; chain_up_stats(env->chain, u, &us) == 0; u++) {
			json_obj_begin(&w);
			json_key(&w, "url");
			json_str(&w, us.name, strlen(us.name));
			json_key(&w, "circuit");
			cs = us.circuit == CHAIN_OPEN	    ? "open"
			    : us.circuit == CHAIN_HALF_OPEN ? "half-open"
							    : "closed";
			json_str(&w, cs, strlen(cs));
			json_key(&w, "get_hits");
			json_uint(&w, us.get_hit);
			json_key(&w, "get_misses");
			json_uint(&w, us.get_miss);
			json_key(&w, "get_errors");
			json_uint(&w, us.get_error);
			json_key(&w, "puts");
			json_uint(&w, us.put_ok);
			json_key(&w, "put_errors");
			json_uint(&w, us.put_error);
			json_key(&w, "pending_uploads");
			json_uint(&w, us.queued + us.inflight);
			json_key(&w, "bytes_downloaded");
			json_uint(&w, us.bytes_in);
			json_key(&w, "bytes_uploaded");
			json_uint(&w, us.bytes_out);
			json_obj_end(&w);
		}
		json_arr_end(&w);
	}
	json_key(&w, "uptime_seconds");
	json_int(&w, clock_wall() - stats.started);
	json_obj_end(&w);
	if (json_writer_finish(&w) == -1 || buf_putc(&out, '\n') == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, 200, "application/json", out.data, out.len);
	buf_release(&out);
}

void
api_reply_json(
    struct http_req *r, int status, struct json_writer *w, struct buf *out)
{
	if (json_writer_finish(w) == -1 || buf_putc(out, '\n') == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, status, "application/json", out->data, out->len);
}

void
api_reply_error(
    struct http_req *r, int status, const char *msg, const char *field)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "error");
	json_cstr(&w, msg);
	if (field != NULL) {
		json_key(&w, "field");
		json_cstr(&w, field);
	}
	json_obj_end(&w);
	api_reply_json(r, status, &w, &out);
	buf_release(&out);
}

static void
api_metrics(struct http_req *r, const struct api_env *env)
{
	struct buf out;

	buf_init(&out);
	if (api_metrics_render(env->store, env->chain, &out) == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8",
		    out.data, out.len);
	buf_release(&out);
}

/* Which listener serves a route, and which switch turns it on. */
#define API_ON_HEALTH 1
#define API_ON_METRICS 2
enum api_feature {
	API_ALWAYS,
	API_METRICS, /* observability.metrics_enabled */
	API_QUERY, /* observability.cache_query_api_enabled */
	API_ADMIN, /* observability.admin_api_enabled */
};

struct api_route {
	const char *path;
	int prefix; /* path is a prefix (ends in '/') */
	int listener;
	enum api_feature feature;
	int perm; /* needed when api_auth_required; 0 = public */
	int post; /* POST allowed besides GET and HEAD */
	void (*fn)(struct http_req *, const struct api_env *);
};

static const struct api_route api_routes[] = {
	{ "/health", 0, API_ON_HEALTH, API_ALWAYS, 0, 0, api_health },
	{ "/metrics", 0, API_ON_METRICS, API_METRICS, AUTH_READ, 0,
	    api_metrics },
	{ "/api/v1/stats", 0, API_ON_METRICS, API_ALWAYS, AUTH_READ, 0,
	    api_stats },
	{ "/api/v1/artifacts", 0, API_ON_METRICS, API_QUERY, AUTH_READ, 0,
	    query_handle },
	{ "/api/v1/artifacts/", 1, API_ON_METRICS, API_QUERY, AUTH_READ, 0,
	    query_handle },
	{ "/api/v1/admin/", 1, API_ON_METRICS, API_ADMIN, AUTH_ADMIN, 1,
	    admin_handle },
};

static int
api_route_on(const struct api_route *rt, const struct api_env *env)
{
	if ((rt->listener == API_ON_HEALTH && !env->serve_health) ||
	    (rt->listener == API_ON_METRICS && !env->serve_metrics))
		return 0;
	switch (rt->feature) {
	case API_METRICS:
		return env->metrics_enabled;
	case API_QUERY:
		return env->query_enabled;
	case API_ADMIN:
		return env->admin_enabled;
	default:
		return 1;
	}
}

/* Checks the token when observability.api_auth_required: 0 to go on, -1
 * after answering 401 (no or bad token) or 403 (token lacks perm).  A
 * request without a valid token is refused even when auth.required is
 * off (auth_check then reports it as anonymous). */
static int
api_auth(struct http_req *r, const struct api_env *env, int perm)
{
	struct span h = http_req_header(r, "authorization");
	struct auth_info info;
	enum auth_result res;
	const char *reason;
	int perms = 0;

	if (perm == 0 || !env->api_auth_required)
		return 0;
	res = env->auth != NULL && *env->auth != NULL
	    ? auth_check_at(*env->auth, h, clock_wall(), &perms, &info)
	    : AUTH_MISSING;
	if (res != AUTH_OK) {
		reason = h.p == NULL ? "missing"
		    : res == AUTH_INVALID && env->auth != NULL &&
			*env->auth != NULL
		    ? info.reason
		    : "bad_token";
		stats_auth_failure(reason);
		http_reply_header(
		    r, "WWW-Authenticate", "Bearer realm=\"fabrik\"");
		api_reply_error(r, 401,
		    h.p == NULL ? "authentication required"
				: "invalid credentials",
		    NULL);
		return -1;
	}
	if ((perms & perm) != perm) {
		stats_auth_failure("forbidden");
		api_reply_error(r, 403,
		    perm == AUTH_ADMIN ? "this token lacks the admin permission"
				       : "this token lacks the read permission",
		    NULL);
		return -1;
	}
	return 0;
}

void
api_handle(struct http_req *r, void *arg)
{
	const struct api_env *env = arg;
	struct span path = http_req_path(r);
	const struct api_route *rt;
	size_t i, n;

	for (i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		rt = &api_routes[i];
		n = strlen(rt->path);
		if (rt->prefix
			? path.len > n && memcmp(path.p, rt->path, n) == 0
			: span_eq_str(path, rt->path))
			break;
	}
	if (i == sizeof(api_routes) / sizeof(api_routes[0]) ||
	    !api_route_on(rt, env)) {
		http_reply_text(r, 404, "no such endpoint");
		return;
	}
	if (api_auth(r, env, rt->perm) == -1)
		return;
	if (!http_req_is(r, "GET") && !http_req_is(r, "HEAD") &&
	    !(rt->post && http_req_is(r, "POST"))) {
		http_reply_header(
		    r, "Allow", rt->post ? "GET, HEAD, POST" : "GET, HEAD");
		http_reply_text(r, 405, "method not allowed");
		return;
	}
	rt->fn(r, env);
}
