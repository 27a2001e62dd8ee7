/*
 * fabrik run [options] SCRIPT [--] [ARGS]: runs a script recipe through
 * the local cache (recipe/script.h, doc/recipes-script.md).  Also
 * reachable from a shebang: `#!/usr/bin/env -S fabrik run bash` makes
 * the kernel run `fabrik run bash SCRIPT ARGS`.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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

int
cli_run(int argc, char **argv)
{
	struct config cfg;
	struct script_opts o;
	struct store_config sc;
	struct store *s = NULL;
	struct rcache rc_local;
	const char *err, *script = NULL;
	char **args;
	int nrest, i, rc;
	size_t nargs;

	memset(&o, 0, sizeof(o));
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
	if (!o.dry_run && !o.no_cache) {
		memset(&sc, 0, sizeof(sc));
		sc.dir = cli_cache_dir(&cfg);
		sc.max_size = (uint64_t)config_int(&cfg, CFG_CACHE_MAX_SIZE);
		sc.max_object_size =
		    (uint64_t)config_int(&cfg, CFG_CACHE_MAX_OBJECT_SIZE);
		sc.verify = STORE_VERIFY_CHANGED;
		if ((s = store_open(&sc, &err)) == NULL) {
			if (strstr(err, "in use") != NULL)
				fprintf(stderr,
				    "[fabrik] warning: the cache in %s is "
				    "held by a running fabrik daemon; running "
				    "without the cache (sharing it through "
				    "the daemon is not implemented yet)\n",
				    sc.dir);
			else
				fprintf(stderr,
				    "[fabrik] warning: cannot open the cache "
				    "in %s (%s); running without it\n",
				    sc.dir, err);
		}
	}
	if (s != NULL) {
		rcache_store_init(&rc_local, s);
		o.cache = &rc_local;
	}
	rc = script_run(&o, script, args, nargs);
	if (s != NULL)
		store_close(s);
	config_release(&cfg);
	return rc;
}
