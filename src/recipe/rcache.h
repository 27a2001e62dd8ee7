/*
 * What recipes (script recipes and portable JS recipes) need from a cache:
 * get, put and del of whole objects by store key.  A backend is the local
 * store opened by `fabrik run` (rcache_store_init), or the cache chain of
 * a running daemon or the configured upstreams (cli/run.c).  Objects are
 * small archives read and written whole.
 */
#ifndef FABRIK_RCACHE_H
#define FABRIK_RCACHE_H

#include <stddef.h>

#include "base/buf.h"
#include "store/store.h"

struct rcache_ops {
	/* 1: hit (content appended to data, metadata to meta); 0: miss;
	 * -1: error (the caller treats it as a miss). */
	int (*get)(void *arg, const unsigned char key[STORE_KEY_LEN],
	    struct buf *data, struct buf *meta);
	/* 0, or -1 with a static message in *why. */
	int (*put)(void *arg, const unsigned char key[STORE_KEY_LEN], int ns,
	    const void *data, size_t len, const void *meta, size_t meta_len,
	    const char **why);
	/* 0 (also when absent), -1 on error. */
	int (*del)(void *arg, const unsigned char key[STORE_KEY_LEN]);
};

struct rcache {
	const struct rcache_ops *ops;
	void *arg; /* owned by the _new backends */
	const char *where; /* "local store", "daemon at ...": for messages */
};

/* A backend over an open local store (borrowed). */
void rcache_store_init(struct rcache *, struct store *);

struct chain;
struct loop;
struct upstream;
/*
 * A backend over the cache chain (local store and upstreams), driving
 * loop l while it waits: a local miss is fetched from the upstreams; a
 * put commits locally, then waits for its uploads (at most twice the
 * upstreams' timeout; what is left stays in the outbox for the next
 * daemon or run).  NULL when out of memory.
 */
struct rcache *rcache_chain_new(struct chain *, struct loop *l);
/*
 * A backend over one upstream (a running daemon's Fabrik protocol),
 * taken over.  Reads are verified against the digest the upstream
 * sends.  NULL when out of memory (up is then freed).
 */
struct rcache *rcache_upstream_new(
    struct upstream *up, struct loop *l, const char *where);
/* Frees a backend made by one of the _new functions. */
void rcache_free(struct rcache *);

static inline int
rcache_get(const struct rcache *rc, const unsigned char *key, struct buf *data,
    struct buf *meta)
{
	return rc->ops->get(rc->arg, key, data, meta);
}

static inline int
rcache_put(const struct rcache *rc, const unsigned char *key, int ns,
    const void *data, size_t len, const void *meta, size_t meta_len,
    const char **why)
{
	return rc->ops->put(rc->arg, key, ns, data, len, meta, meta_len, why);
}

static inline int
rcache_del(const struct rcache *rc, const unsigned char *key)
{
	return rc->ops->del(rc->arg, key);
}

#endif
