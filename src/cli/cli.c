/*
 * Shared command-line handling.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "cache/chain.h"
#include "cli/cli.h"
#include "net/resolver.h"
#include "upstream/upstream.h"

extern char **environ;

int
cli_load_config(
    int argc, char **argv, int server_mode, struct config *cfg, int *nrest)
{
	struct buf err;
	const char *path = getenv("FABRIK_CONFIG"), *name, *val, *eq;
	char *found = NULL, key[128];
	int i, n = 1, rc = -1;
	size_t klen;

	buf_init(&err);
	config_init(cfg, server_mode);
	/* First pass: --config PATH (it decides which file to load). */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				if (buf_printf(&err,
					"--config: missing value (a file "
					"path)\n") == -1)
					goto out;
				goto out;
			}
			path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		}
	}
	if (path == NULL || *path == '\0')
		path = found = config_discover();
	if (path != NULL && config_load_file(cfg, path, &err) == -1)
		goto out;
	if (config_load_env(cfg, environ, &err) == -1)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			continue;
		if (strncmp(argv[i], "--config-", 9) != 0 ||
		    strcmp(argv[i], "--config-help") == 0) {
			if (strcmp(argv[i], "--") == 0) {
				/* Everything after -- belongs to the
				 * command. */
				while (i < argc)
					argv[n++] = argv[i++];
				break;
			}
			argv[n++] = argv[i];
			continue;
		}
		name = argv[i] + 9;
		if ((eq = strchr(name, '=')) != NULL) {
			klen = (size_t)(eq - name);
			if (klen >= sizeof(key))
				klen = sizeof(key) - 1;
			memcpy(key, name, klen);
			key[klen] = '\0';
			name = key;
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			if (buf_printf(&err, "%s: missing value\n", argv[i]) ==
			    -1)
				goto out;
			goto out;
		}
		if (config_set_flag(cfg, name, val, &err) == -1)
			goto out;
	}
	if (config_load_fallbacks(cfg, environ, &err) == -1 ||
	    config_validate(cfg, &err) == -1)
		goto out;
	*nrest = n;
	rc = 0;
out:
	if (rc == -1) {
		fprintf(stderr, "%s", buf_cstr(&err));
		/* The caller gets nothing to release on failure. */
		config_release(cfg);
	}
	buf_release(&err);
	free(found);
	return rc;
}

void
cli_print_config_flags(FILE *f)
{
	fprintf(f,
	    "\nConfiguration (flag, then environment variable; "
	    "flags win over the environment,\nwhich wins over the "
	    "file):\n"
	    "  --config PATH                                  "
	    "FABRIK_CONFIG\n");
	config_print_flags(f);
}

const char *
cli_cache_dir(const struct config *cfg)
{
	static char dir[PATH_MAX];
	const char *d = config_str(cfg, CFG_CACHE_DIR), *xdg, *home;

	if (*d != '\0')
		return d;
	xdg = getenv("XDG_CACHE_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		snprintf(dir, sizeof(dir), "%s/fabrik", xdg);
	else if (home != NULL && *home != '\0')
		snprintf(dir, sizeof(dir), "%s/.cache/fabrik", home);
	else
		snprintf(dir, sizeof(dir), ".fabrik/cache");
	return dir;
}

extern char **environ;

/* "" means "not set" to the upstream implementations. */
static const char *
cli_opt(const char *s)
{
	return *s == '\0' ? NULL : s;
}

int
cli_chain_setup(const struct config *cfg, struct loop *l, struct chain *c,
    struct resolver **res, int verbose)
{
	struct upstream_config uc;
	struct chain_up_opts o;
	struct upstream up;
	char err[512];
	size_t i;

	if (cfg->nupstreams == 0)
		return 0;
	if (*res == NULL && (*res = resolver_new(l, NULL)) == NULL) {
		log_error("upstreams: cannot start the DNS resolver");
		return -1;
	}
	for (i = 0; i < cfg->nupstreams; i++) {
		memset(&uc, 0, sizeof(uc));
		uc.url = config_up_str(cfg, i, CFG_UP_URL);
		uc.timeout_ms = (uint64_t)config_up_int(cfg, i, CFG_UP_TIMEOUT);
		uc.region = cli_opt(config_up_str(cfg, i, CFG_UP_REGION));
		uc.endpoint = cli_opt(config_up_str(cfg, i, CFG_UP_ENDPOINT));
		uc.access_key =
		    cli_opt(config_up_str(cfg, i, CFG_UP_ACCESS_KEY));
		uc.secret_key =
		    cli_opt(config_up_str(cfg, i, CFG_UP_SECRET_KEY));
		uc.session_token =
		    cli_opt(config_up_str(cfg, i, CFG_UP_SESSION_TOKEN));
		uc.tls_ca_file =
		    cli_opt(config_up_str(cfg, i, CFG_UP_TLS_CA_FILE));
		uc.token = cli_opt(config_up_str(cfg, i, CFG_UP_TOKEN));
		uc.path_style = (int)config_up_int(cfg, i, CFG_UP_PATH_STYLE);
		uc.env = environ;
		uc.home = getenv("HOME");
		if (upstream_new(&up, l, *res, &uc, err, sizeof(err)) == -1) {
			log_error("upstream[%zu] %s: %s", i, uc.url, err);
			return -1;
		}
		memset(&o, 0, sizeof(o));
		o.name = uc.url;
		o.timeout_ms = uc.timeout_ms;
		o.read_only = (int)config_up_int(cfg, i, CFG_UP_READ_ONLY);
		o.write_through =
		    (int)config_up_int(cfg, i, CFG_UP_WRITE_THROUGH);
		o.permanent = (int)config_up_int(cfg, i, CFG_UP_PERMANENT);
		o.workers = (unsigned)config_up_int(cfg, i, CFG_UP_WORKERS);
		o.circuit_failures =
		    (unsigned)config_up_int(cfg, i, CFG_UP_CIRCUIT_FAILURES);
		o.circuit_open_ms =
		    (uint64_t)config_up_int(cfg, i, CFG_UP_CIRCUIT_OPEN);
		if (chain_add_upstream(c, l, &up, &o, err, sizeof(err)) == -1) {
			upstream_free(&up);
			log_error("upstream[%zu] %s: %s", i, uc.url, err);
			return -1;
		}
		if (verbose)
			log_info("upstream %zu: %s%s%s", i + 1, uc.url,
			    o.read_only ? " (read-only)" : "",
			    o.write_through ? " (write-through)" : "");
	}
	return 0;
}
