/*
 * The layer chain: has/get/put/del on a key over the local store and, in
 * array order, the configured upstreams (issue #5 adds them; today the
 * chain is the local store).  Every tool adapter ends in these calls; the
 * chain knows nothing of build tools and counts hits and misses per
 * namespace.
 */
#ifndef FABRIK_CHAIN_H
#define FABRIK_CHAIN_H

#include "store/store.h"

struct chain;

struct chain *chain_new(struct store *);
void chain_free(struct chain *);
struct store *chain_store(struct chain *);

/* As store_get(), counting a hit or a miss for ns. */
int chain_get(struct chain *, const unsigned char *key, int ns,
    struct store_obj *) FAB_WUR;
int chain_has(struct chain *, const unsigned char *key, int ns, uint64_t *size);
int chain_del(struct chain *, const unsigned char *key);
int chain_put_begin(struct chain *, const unsigned char *key, int ns,
    int64_t size, const void *meta, size_t meta_len,
    struct store_writer **) FAB_WUR;
/* Commits the write locally; counts the put. */
int chain_put_commit(struct chain *, struct store_writer *, int ns,
    uint64_t size, const unsigned char *expect_sha) FAB_WUR;
void chain_put_abort(struct chain *, struct store_writer *, int ns);

#endif
