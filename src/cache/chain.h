/*
 * The layer chain: has/get/put/del on a key over the local store and, in
 * array order, the configured upstreams (DESIGN.md "Layer chain").  Every
 * tool adapter ends in these calls; the chain knows nothing of build
 * tools.
 *
 * Reads are answered from the local store; on a local miss the caller
 * asks chain_fetch(), which tries each upstream in order (skipping those
 * whose circuit is open), stores a hit locally (verified against its
 * digest) and copies it into the faster upstreams that missed; concurrent
 * fetches of one key share one download (single flight).
 *
 * Writes commit locally, then every writable upstream gets the object
 * from a per-upstream queue with at most `workers` uploads in flight.
 * Pending uploads live in an on-disk outbox (one empty file per object
 * under <cache dir>/outbox/<upstream id>/) so a crash or restart resumes
 * them.  An upstream that fails `circuit_failures` times in a row is
 * skipped (circuit open) for `circuit_open`, then one probe request
 * decides whether it is back.  doc/chain.md describes all of it.
 */
#ifndef FABRIK_CHAIN_H
#define FABRIK_CHAIN_H

#include "store/store.h"
#include "upstream/upstream.h"

struct chain;
struct chain_wait;
struct loop;

struct chain *chain_new(struct store *);
void chain_free(struct chain *);
struct store *chain_store(struct chain *);

/* How one upstream takes part in the chain. */
struct chain_up_opts {
	const char *name; /* the URL, for logs and metrics (copied) */
	uint64_t timeout_ms; /* longest stall of one request */
	int read_only; /* never written */
	int write_through; /* PUTs wait for the upload to this one */
	int permanent; /* never evicts: its copy makes a local eviction safe */
	unsigned workers; /* uploads in flight at once (>= 1) */
	unsigned circuit_failures; /* consecutive failures that open it */
	uint64_t circuit_open_ms; /* how long it stays open */
};

/*
 * Appends an upstream (taken over: freed with the chain) in array order.
 * The first call sets the loop.  Then chain_start() resumes the outbox.
 * Returns 0, or -1 with a message in err.
 */
int chain_add_upstream(struct chain *, struct loop *, struct upstream *,
    const struct chain_up_opts *, char *err, size_t errlen) FAB_WUR;
/* Reads the outbox and starts the uploads found in it; returns how many
 * were queued. */
size_t chain_start(struct chain *);
size_t chain_nupstreams(const struct chain *);
/* 1 when some upstream could be asked now (a circuit that is not open). */
int chain_fetchable(const struct chain *);

/* As store_get(), counting a hit or a miss for ns. */
int chain_get(struct chain *, const unsigned char *key, int ns,
    struct store_obj *) FAB_WUR;
int chain_has(struct chain *, const unsigned char *key, int ns, uint64_t *size);
/* Deletes locally and (without waiting, best effort) in every writable
 * upstream. */
int chain_del(struct chain *, const unsigned char *key);
int chain_put_begin(struct chain *, const unsigned char *key, int ns,
    int64_t size, const void *meta, size_t meta_len,
    struct store_writer **) FAB_WUR;
/* Commits the write locally, counts the put and queues the uploads. */
int chain_put_commit(struct chain *, struct store_writer *, int ns,
    uint64_t size, const unsigned char *expect_sha) FAB_WUR;
void chain_put_abort(struct chain *, struct store_writer *, int ns);
/* Queues the uploads of an object already in the local store (a commit
 * made with store_put_* directly). */
void chain_uploaded_later(struct chain *, const unsigned char *key);

/*
 * Fetch after a local miss.  cb(arg, rc) runs later from the loop with
 * STORE_OK (the object is now in the local store: look it up again) or
 * STORE_MISS.  Returns NULL when no upstream can be asked (no callback:
 * the miss is final), else a wait handle valid until cb runs.  ns is
 * the namespace asking; for content-addressed namespaces the digest must
 * equal the key.  Nothing is counted in the hit/miss statistics.
 */
typedef void chain_wait_cb(void *arg, int rc);
struct chain_wait *chain_fetch(struct chain *, const unsigned char *key, int ns,
    chain_wait_cb *cb, void *arg);
/*
 * After a commit: waits until the uploads of key to every write_through
 * upstream (all: to every writable upstream) ended, either way, or twice
 * their timeout passed.  NULL when there is nothing to wait for (no
 * callback).
 */
struct chain_wait *chain_wait_uploads(struct chain *, const unsigned char *key,
    int all, chain_wait_cb *cb, void *arg);
/* Drops a wait without its callback (the fetch or upload goes on). */
void chain_wait_cancel(struct chain_wait *);

/* Counters of one upstream (metrics). */
enum chain_circuit { CHAIN_CLOSED, CHAIN_OPEN, CHAIN_HALF_OPEN };
struct chain_up_stats {
	const char *name;
	enum chain_circuit circuit;
	uint64_t get_hit, get_miss, get_error;
	uint64_t put_ok, put_error, del_ok, del_error;
	uint64_t bytes_in, bytes_out;
	uint64_t queued; /* uploads waiting (outbox) */
	unsigned inflight;
	uint64_t skipped; /* requests not sent because the circuit was open */
};
int chain_up_stats(const struct chain *, size_t i, struct chain_up_stats *);

#endif
