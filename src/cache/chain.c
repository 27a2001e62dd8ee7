/*
 * The layer chain over the local store.
 */
#include <stdlib.h>

#include "cache/chain.h"
#include "cache/stats.h"

struct chain {
	struct store *store;
};

struct chain *
chain_new(struct store *s)
{
	struct chain *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->store = s;
	return c;
}

void
chain_free(struct chain *c)
{
	free(c);
}

struct store *
chain_store(struct chain *c)
{
	return c->store;
}

int
chain_get(
    struct chain *c, const unsigned char *key, int ns, struct store_obj *o)
{
	int rc = store_get(c->store, key, o);

	if (rc == STORE_OK)
		stats_hit(ns, o->size);
	else
		stats_miss(ns);
	return rc;
}

int
chain_has(struct chain *c, const unsigned char *key, int ns, uint64_t *size)
{
	int found = store_has(c->store, key, size, NULL);

	if (found)
		stats_hit(ns, 0);
	else
		stats_miss(ns);
	return found;
}

int
chain_del(struct chain *c, const unsigned char *key)
{
	return store_del(c->store, key);
}

int
chain_put_begin(struct chain *c, const unsigned char *key, int ns, int64_t size,
    const void *meta, size_t meta_len, struct store_writer **w)
{
	int rc = store_put_begin(c->store, key, ns, size, meta, meta_len, w);

	if (rc != STORE_OK)
		stats_put(ns, 0, 0);
	return rc;
}

int
chain_put_commit(struct chain *c, struct store_writer *w, int ns, uint64_t size,
    const unsigned char *expect_sha)
{
	int rc = store_put_commit(c->store, w, expect_sha);

	stats_put(ns, size, rc == STORE_OK);
	return rc;
}

void
chain_put_abort(struct chain *c, struct store_writer *w, int ns)
{
	store_put_abort(c->store, w);
	stats_put(ns, 0, 0);
}
