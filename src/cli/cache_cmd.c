/*
 * fabrik cache verify [--content]: checks that the local store's index
 * and objects/ agree (run it while no daemon holds the cache directory).
 * fabrik cache stats: objects and bytes in the local store.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

static int
cache_open(const struct config *cfg, struct store **out)
{
	struct store_config sc;
	const char *err;

	memset(&sc, 0, sizeof(sc));
	sc.dir = cli_cache_dir(cfg);
	sc.max_size = (uint64_t)config_int(cfg, CFG_CACHE_MAX_SIZE);
	sc.max_object_size =
	    (uint64_t)config_int(cfg, CFG_CACHE_MAX_OBJECT_SIZE);
	sc.verify = STORE_VERIFY_ALWAYS;
	if ((*out = store_open(&sc, &err)) == NULL) {
		fprintf(stderr, "[fabrik] cannot open the cache in %s: %s\n",
		    sc.dir, err);
		return -1;
	}
	return 0;
}

int
cli_cache(int argc, char **argv)
{
	struct config cfg;
	struct store *s;
	struct store_fsck f;
	struct store_stats st;
	const char *sub = argc > 1 ? argv[1] : "";
	int nrest, i, content = 0, rc;

	if (strcmp(sub, "verify") != 0 && strcmp(sub, "stats") != 0) {
		fprintf(stderr,
		    "usage: fabrik cache verify [--content] "
		    "[config flags]\n"
		    "       fabrik cache stats [config flags]\n");
		return strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 ? 0
									    : 2;
	}
	if (cli_load_config(argc - 1, argv + 1, 0, &cfg, &nrest) == -1)
		return 2;
	for (i = 1; i < nrest; i++) {
		if (strcmp(argv[i + 1], "--content") == 0) {
			content = 1;
		} else {
			fprintf(stderr,
			    "fabrik cache: unknown argument "
			    "'%s'\n",
			    argv[i + 1]);
			config_release(&cfg);
			return 2;
		}
	}
	if (cache_open(&cfg, &s) == -1) {
		config_release(&cfg);
		return 1;
	}
	if (strcmp(sub, "stats") == 0) {
		store_get_stats(s, &st);
		printf("objects %llu\nbytes %llu\n",
		    (unsigned long long)st.objects,
		    (unsigned long long)st.bytes);
		store_close(s);
		config_release(&cfg);
		return 0;
	}
	rc = store_fsck(s, &f, content);
	printf("files %llu\nrecords %llu\norphans %llu\nmissing %llu\n"
	       "corrupt %llu\n",
	    (unsigned long long)f.files, (unsigned long long)f.records,
	    (unsigned long long)f.orphans, (unsigned long long)f.missing,
	    (unsigned long long)f.corrupt);
	store_close(s);
	config_release(&cfg);
	return rc == 0 ? 0 : 1;
}
