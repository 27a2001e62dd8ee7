/*
 * fabrik run [options] SCRIPT [--] [ARGS]: runs a script recipe
 * (recipe/script.h, doc/recipes-script.md) or a portable recipe
 * (recipe/js_recipe.h) through the cache: the local store and the
 * configured upstreams, or the running daemon that holds the store.  Also
 * reachable from a shebang: `#!/usr/bin/env -S fabrik run bash` makes
 * the kernel run `fabrik run bash SCRIPT ARGS`.
 */
#include <sys/stat.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache/chain.h"
#include "cli/cli.h"
#include "net/loop.h"
#include "net/resolver.h"
#include "upstream/upstream.h"
#include "recipe/js_recipe.h"
#include "recipe/script.h"
#include "store/store.h"

static void
run_usage(FILE *f)
{
	fprintf(f,
	    "usage: fabrik run [--dry-run] [--no-cache] [--clean] "
	    "[--verbose]\n"
	    "                  [--cache-failures] [config flags] "
	    "[RUNTIME] SCRIPT [--] [ARGS ...]\n");
}

static int
is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* What `fabrik run` caches through. */
struct run_cache {
	struct store *store;
	struct loop *loop;
	struct chain *chain;
	struct resolver *resolver;
	struct rcache local;
	struct rcache *rc; /* chain or daemon backend */
};

static struct run_cache *run_cache_active;

static void
run_cache_close(struct run_cache *rs)
{
	rcache_free(rs->rc);
	rs->rc = NULL;
	chain_free(rs->chain);
	rs->chain = NULL;
	if (rs->resolver != NULL)
		resolver_free(rs->resolver);
	rs->resolver = NULL;
	if (rs->store != NULL)
		store_close(rs->store);
	rs->store = NULL;
	if (rs->loop != NULL)
		loop_free(rs->loop);
	rs->loop = NULL;
	run_cache_active = NULL;
}

/* A recipe may end the process with exit() (process.exit): close the
 * store cleanly so the next open does not rebuild the index. */
static void
run_cache_atexit(void)
{
	if (run_cache_active != NULL)
		run_cache_close(run_cache_active);
}

/*
 * The daemon holding the cache directory: its address file
 * (<cache dir>/daemon.addr, "grpc://127.0.0.1:PORT") names its gRPC
 * listener, which serves the Fabrik protocol; the token comes from
 * FABRIK_TOKEN.
 */
static struct rcache *
run_cache_daemon(struct run_cache *rs, const char *dir)
{
	struct upstream_config uc;
	struct upstream up;
	static char where[320];
	char path[PATH_MAX], url[256], err[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/daemon.addr", dir);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(url, 1, sizeof(url) - 1, f);
	fclose(f);
	url[n] = '\0';
	url[strcspn(url, "\r\n")] = '\0';
	if (strncmp(url, "grpc://", 7) != 0)
		return NULL;
	memset(&uc, 0, sizeof(uc));
	uc.url = url;
	uc.timeout_ms = 30000;
	uc.token = getenv("FABRIK_TOKEN");
	if (rs->loop == NULL && (rs->loop = loop_new()) == NULL)
		return NULL;
	if (upstream_new(&up, rs->loop, NULL, &uc, err, sizeof(err)) == -1) {
		fprintf(
		    stderr, "[fabrik] warning: daemon at %s: %s\n", url, err);
		return NULL;
	}
	snprintf(where, sizeof(where), "daemon at %s", url);
	return rcache_upstream_new(&up, rs->loop, where);
}

/* Opens the local store, with the configured upstreams when there are
 * any, or reaches the running daemon that holds it.  NULL: no cache (a
 * warning was printed). */
static struct rcache *
run_cache_open(const struct config *cfg, struct run_cache *rs)
{
	struct store_config sc;
	const char *err;
	char dir[PATH_MAX];

	memset(rs, 0, sizeof(*rs));
	memset(&sc, 0, sizeof(sc));
	/* Absolute: a portable recipe changes directory. */
	if (cli_cache_dir(cfg)[0] != '/' && getcwd(dir, sizeof(dir)) != NULL) {
		size_t n = strlen(dir);

		snprintf(dir + n, sizeof(dir) - n, "/%s", cli_cache_dir(cfg));
	} else
		snprintf(dir, sizeof(dir), "%s", cli_cache_dir(cfg));
	sc.dir = dir;
	sc.max_size = (uint64_t)config_int(cfg, CFG_CACHE_MAX_SIZE);
	sc.max_object_size =
	    (uint64_t)config_int(cfg, CFG_CACHE_MAX_OBJECT_SIZE);
	sc.verify = STORE_VERIFY_CHANGED;
	if ((rs->store = store_open(&sc, &err)) == NULL) {
		if (strstr(err, "in use") != NULL) {
			if ((rs->rc = run_cache_daemon(rs, dir)) != NULL)
				return rs->rc;
			fprintf(stderr,
			    "[fabrik] warning: the cache in %s is held by a "
			    "running fabrik daemon that cannot be reached "
			    "(no %s/daemon.addr); running without the "
			    "cache\n",
			    dir, dir);
		} else
			fprintf(stderr,
			    "[fabrik] warning: cannot open the cache in %s "
			    "(%s); running without it\n",
			    dir, err);
		return NULL;
	}
	run_cache_active = rs;
	atexit(run_cache_atexit);
	rcache_store_init(&rs->local, rs->store);
	if (cfg->nupstreams == 0)
		return &rs->local;
	if ((rs->loop = loop_new()) == NULL ||
	    (rs->chain = chain_new(rs->store)) == NULL ||
	    cli_chain_setup(cfg, rs->loop, rs->chain, &rs->resolver, 0) == -1 ||
	    (rs->rc = rcache_chain_new(rs->chain, rs->loop)) == NULL) {
		fprintf(stderr,
		    "[fabrik] warning: upstreams unusable; caching in the "
		    "local store only\n");
		chain_free(rs->chain);
		rs->chain = NULL;
		return &rs->local;
	}
	(void)chain_start(rs->chain);
	return rs->rc;
}

int
cli_run(int argc, char **argv)
{
	struct config cfg;
	struct script_opts o;
	struct js_recipe_opts jo;
	struct run_cache rs;
	const char *script = NULL;
	char **args;
	int nrest, i, rc;
	size_t nargs;

	memset(&o, 0, sizeof(o));
	memset(&rs, 0, sizeof(rs));
	if (cli_load_config(argc, argv, 0, &cfg, &nrest) == -1)
		return 2;
	for (i = 1; i < nrest; i++) {
		if (strcmp(argv[i], "--dry-run") == 0)
			o.dry_run = 1;
		else if (strcmp(argv[i], "--no-cache") == 0)
			o.no_cache = 1;
		else if (strcmp(argv[i], "--clean") == 0)
			o.clean = 1;
		else if (strcmp(argv[i], "--verbose") == 0 ||
		    strcmp(argv[i], "-v") == 0)
			o.verbose = 1;
		else if (strcmp(argv[i], "--cache-failures") == 0)
			o.cache_failures = 1;
		else if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			run_usage(stdout);
			config_release(&cfg);
			return 0;
		} else if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
			fprintf(stderr, "fabrik run: unknown option '%s'\n",
			    argv[i]);
			run_usage(stderr);
			config_release(&cfg);
			return 2;
		} else
			break;
	}
	if (i < nrest && strcmp(argv[i], "--") == 0)
		i++;
	/* `fabrik run bash SCRIPT ...` (a shebang): a first word that is
	 * not a file, followed by one that is. */
	if (i + 1 < nrest && !is_file(argv[i]) && is_file(argv[i + 1]) &&
	    strchr(argv[i], '/') == NULL) {
		o.runtime = argv[i];
		i++;
	}
	if (i >= nrest) {
		run_usage(stderr);
		config_release(&cfg);
		return 2;
	}
	script = argv[i++];
	if (i < nrest && strcmp(argv[i], "--") == 0)
		i++;
	args = argv + i;
	nargs = (size_t)(nrest - i);
	signal(SIGPIPE, SIG_IGN);
	if (!o.dry_run && !o.no_cache)
		o.cache = run_cache_open(&cfg, &rs);
	if (js_recipe_is_recipe(script)) {
		/* A portable recipe: ARGS are TARGET and its arguments. */
		memset(&jo, 0, sizeof(jo));
		jo.cache = o.cache;
		jo.cfg = &cfg;
		jo.cache_dir = cli_cache_dir(&cfg);
		jo.dry_run = o.dry_run;
		jo.no_cache = o.no_cache;
		jo.clean = o.clean;
		jo.verbose = o.verbose;
		jo.cache_failures = o.cache_failures;
		rc = js_recipe_main(&jo, script, nargs > 0 ? args[0] : NULL,
		    nargs > 0 ? args + 1 : args, nargs > 0 ? nargs - 1 : 0);
	} else
		rc = script_run(&o, script, args, nargs);
	run_cache_close(&rs);
	config_release(&cfg);
	return rc;
}
