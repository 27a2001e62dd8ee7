/*
 * fabrik cache verify [--content]: checks that the local store's index
 * and objects/ agree (run it while no daemon holds the cache directory).
 * fabrik cache stats: objects and bytes in the local store.
 * fabrik cache status SCRIPT | clean [SCRIPT] | list: script recipe
 * entries (recipe/script.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "recipe/script.h"
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

/* The script entries' store keys (collected before any deletion, which
 * may move index records). */
static int
cache_script_keys(struct store *s, unsigned char **keys, size_t *n)
{
	struct index *ix = store_index(s);
	struct index_rec *r;
	uint64_t i, cap = index_capacity(ix);
	unsigned char *v = NULL, *nv;

	*n = 0;
	for (i = 0; i < cap; i++) {
		r = index_slot(ix, i);
		if (r == NULL || !r->used || r->ns != STORE_NS_SCRIPT)
			continue;
		if ((nv = realloc(v, (*n + 1) * STORE_KEY_LEN)) == NULL) {
			free(v);
			return -1;
		}
		v = nv;
		memcpy(v + *n * STORE_KEY_LEN, r->key, STORE_KEY_LEN);
		(*n)++;
	}
	*keys = v;
	return 0;
}

static const char *
cache_meta(
    const struct store_obj *o, const char *name, char *out, size_t outlen)
{
	char tmp[STORE_META_MAX + 2], *p, *nl;
	size_t n = strlen(name);

	if (o->meta == NULL || o->meta_len > STORE_META_MAX)
		return "?";
	tmp[0] = '\n';
	memcpy(tmp + 1, o->meta, o->meta_len);
	tmp[o->meta_len + 1] = '\0';
	for (p = tmp; (p = strchr(p, '\n')) != NULL; p++) {
		if (strncmp(p + 1, name, n) == 0 && p[1 + n] == '=') {
			if ((nl = strchr(p + 2 + n, '\n')) != NULL)
				*nl = '\0';
			snprintf(out, outlen, "%s", p + 2 + n);
			return out;
		}
	}
	return "?";
}

static int
cache_scripts(struct store *s, const char *sub, int argc, char **argv)
{
	char hex[SHA256_HEX_LEN + 1], kbuf[80], sbuf[4096];
	unsigned char key[STORE_KEY_LEN], *keys = NULL;
	struct store_obj o;
	struct buf err;
	uint64_t size;
	size_t n, i, gone = 0;
	int ns;

	buf_init(&err);
	if (argc > 0 &&
	    (strcmp(sub, "status") == 0 || strcmp(sub, "clean") == 0)) {
		if (script_key(argv[0], argv + 1, (size_t)(argc - 1), hex, NULL,
			&err) == -1) {
			fprintf(
			    stderr, "fabrik cache %s: %s", sub, buf_cstr(&err));
			buf_release(&err);
			return 2;
		}
		buf_release(&err);
		script_store_key(hex, key);
		if (strcmp(sub, "clean") == 0) {
			ns = store_del(s, key);
			printf("script-%.12s %s\n", hex,
			    ns == STORE_OK ? "removed" : "not cached");
			return 0;
		}
		if (store_has(s, key, &size, &ns) == 1) {
			printf("script-%.12s cached (%llu bytes)\n", hex,
			    (unsigned long long)size);
			return 0;
		}
		printf("script-%.12s not cached\n", hex);
		return 1;
	}
	if (strcmp(sub, "status") == 0) {
		fprintf(stderr, "usage: fabrik cache status SCRIPT [ARGS]\n");
		return 2;
	}
	if (cache_script_keys(s, &keys, &n) == -1) {
		fprintf(stderr, "fabrik cache: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(sub, "clean") == 0) {
			if (store_del(s, keys + i * STORE_KEY_LEN) == STORE_OK)
				gone++;
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.fd = -1;
		if (store_get(s, keys + i * STORE_KEY_LEN, &o) != STORE_OK)
			continue;
		printf("script-%.12s %10llu bytes  %s\n",
		    cache_meta(&o, "key", kbuf, sizeof(kbuf)),
		    (unsigned long long)o.size,
		    cache_meta(&o, "script", sbuf, sizeof(sbuf)));
		store_obj_release(&o);
	}
	if (strcmp(sub, "clean") == 0)
		printf("removed %zu script entries\n", gone);
	free(keys);
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

	int scripts = strcmp(sub, "status") == 0 || strcmp(sub, "clean") == 0 ||
	    strcmp(sub, "list") == 0;

	if (strcmp(sub, "verify") != 0 && strcmp(sub, "stats") != 0 &&
	    !scripts) {
		fprintf(stderr,
		    "usage: fabrik cache verify [--content] "
		    "[config flags]\n"
		    "       fabrik cache stats [config flags]\n"
		    "       fabrik cache status SCRIPT [ARGS]\n"
		    "       fabrik cache clean [SCRIPT [ARGS]]\n"
		    "       fabrik cache list\n");
		return strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0 ? 0
									    : 2;
	}
	if (cli_load_config(argc - 1, argv + 1, 0, &cfg, &nrest) == -1)
		return 2;
	if (scripts) {
		if (cache_open(&cfg, &s) == -1) {
			config_release(&cfg);
			return 1;
		}
		/* argv[1] is the subcommand; the rest starts at argv[2]. */
		i = nrest - 1;
		if (i > 0 && strcmp(argv[2], "--") == 0)
			rc = cache_scripts(s, sub, i - 1, argv + 3);
		else
			rc = cache_scripts(s, sub, i, argv + 2);
		store_close(s);
		config_release(&cfg);
		return rc;
	}
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
