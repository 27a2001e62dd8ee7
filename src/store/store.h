/*
 * The local store: a flat-file content-addressed store.  Objects are files
 * objects/ab/<64 hex of the key> holding a small header (with the SHA-256
 * of the content) and the content; an mmap'd index (store/index.h) keeps
 * sizes, namespaces and access statistics for lookups and eviction.
 * Layouts: doc/format-object.md, doc/format-index.md.
 *
 * The invariant: a read either returns bytes whose SHA-256 matches the
 * one recorded when they were written, or is a miss.
 */
#ifndef FABRIK_STORE_H
#define FABRIK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/sha.h"
#include "store/index.h"

#define STORE_KEY_LEN 32
/* Objects up to this size are read whole and verified before serving. */
#ifndef STORE_INLINE_MAX
#define STORE_INLINE_MAX (256 * 1024)
#endif
/* Uploads of at most this many bytes (header included) are collected in
 * memory and written with their header in one call at commit. */
#ifndef STORE_WBUF_MAX
#define STORE_WBUF_MAX (128 * 1024)
#endif
#ifndef STORE_META_MAX
#define STORE_META_MAX 4096
#endif

/* Results (negative: errors). */
#define STORE_OK 0
#define STORE_MISS 1
#define STORE_EIO (-1)
#define STORE_ETOOBIG (-2) /* over max_object_size or the size limit */
#define STORE_ENOSPC (-3) /* disk full or min_free reached */
#define STORE_EDIGEST (-4) /* content does not match the expected digest */

/* Namespaces: which build system owns an entry (a const table in
 * store.c maps ids to names). */
enum store_ns {
	STORE_NS_NONE = 0,
	STORE_NS_GRADLE,
	STORE_NS_BAZEL_AC,
	STORE_NS_BAZEL_CAS,
	STORE_NS_NX,
	STORE_NS_TURBO,
	STORE_NS_CCACHE,
	STORE_NS_NIX,
	STORE_NS_S3,
	STORE_NS_OCI,
	STORE_NS_SCRIPT,
	STORE_NS_RECIPE,
	STORE_NS_FABRIK,
	STORE_NS_SCCACHE,
	STORE_NS_COUNT
};

enum store_policy {
	STORE_LFU,
	STORE_LRU,
	STORE_TTL,
};

enum store_verify {
	STORE_VERIFY_CHANGED, /* hash when the file changed since verified */
	STORE_VERIFY_ALWAYS, /* hash on every read */
};

struct store_config {
	const char *dir;
	uint64_t max_size; /* bytes on disk the store may hold */
	uint64_t max_object_size; /* largest single object */
	uint64_t min_free; /* refuse writes below this free space */
	uint64_t ttl; /* seconds without a hit before expiry; 0 off */
	uint64_t lfu_halflife; /* seconds after which LFU counts halve */
	enum store_policy policy;
	enum store_verify verify;
	int fsync; /* fsync objects before they are visible */
};

struct store_stats {
	uint64_t objects;
	uint64_t bytes;
	uint64_t evictions;
	uint64_t evicted_bytes;
	uint64_t expired;
	uint64_t integrity_drops;
	uint64_t rebuilds;
	uint64_t rebuild_objects;
	uint64_t write_errors;
};

/* An object opened for reading. */
struct store_obj {
	int fd;
	uint64_t off; /* content offset in the file */
	uint64_t size; /* content length */
	int ns;
	int64_t created;
	unsigned char sha[SHA256_LEN];
	unsigned char *meta; /* owned; meta_len bytes */
	size_t meta_len;
	unsigned char *data; /* the whole content when inline (in dbuf) */
	unsigned char *dbuf; /* owned; holds data */
	int verified; /* content already known to match sha */
	struct sha256 hash; /* running hash while streaming unverified */
	uint64_t hashed;
	unsigned char key[STORE_KEY_LEN];
	/* The store that counts this object as being read (its file is
	 * then never written over), or NULL. */
	struct store *reader;
	uint64_t rtag;
};

struct store_writer;
struct store;

const char *store_ns_name(int ns);
/* Returns the id for a name, or -1. */
int store_ns_parse(const char *);
const char *store_strerror(int code);

/* Opens (creating if needed) the store under cfg->dir, taking an exclusive
 * lock on it (a second open fails, from this process or another).  Rebuilds the index from objects/ when it was not closed
 * cleanly.  NULL with *err on failure.  cfg is copied. */
struct store *store_open(const struct store_config *cfg, const char **err);
/* Flushes and marks the index clean. */
void store_close(struct store *);
/* Updates the limits and policy (hot reload). */
void store_reconfigure(struct store *, const struct store_config *);

/* Looks up key.  STORE_OK: o is filled; small objects are read and
 * verified into o->data; large ones are left for streaming with
 * store_obj_read().  STORE_MISS when absent, expired or corrupt (a
 * corrupt object is dropped and counted).  Counts a hit for LFU/LRU. */
int store_get(
    struct store *, const unsigned char *key, struct store_obj *o) FAB_WUR;
/* Reads up to n bytes of content at pos (pos + n <= size) for streaming.
 * Content of an unverified object is hashed as it is read in order; the
 * caller must read all of it and call store_obj_finish(). */
int64_t store_obj_read(
    struct store_obj *, void *out, size_t n, uint64_t pos) FAB_WUR;
/* After streaming the whole content: 0 when it matched (the object is
 * marked verified), -1 when it did not (the object is dropped; the caller
 * must abort the response so no client accepts it). */
int store_obj_finish(struct store *, struct store_obj *) FAB_WUR;
void store_obj_release(struct store_obj *);

/* Existence without reading (HEAD, FindMissingBlobs); *size is the
 * object's bytes on disk (header and metadata included), not its content
 * length. */
int store_has(
    struct store *, const unsigned char *key, uint64_t *size, int *ns);
int store_del(struct store *, const unsigned char *key);

/* Writing: begin (expected_size -1 when unknown), write any number of
 * times, then commit or abort.  Commit with expect_sha checks the content
 * digest (content-addressed namespaces) and fails with STORE_EDIGEST.
 * Nothing is visible to readers before commit; a crash leaves only a
 * temporary file that the next start sweeps. */
int store_put_begin(struct store *, const unsigned char *key, int ns,
    int64_t expected_size, const void *meta, size_t meta_len,
    struct store_writer **out) FAB_WUR;
int store_put_write(struct store_writer *, const void *, size_t) FAB_WUR;
int store_put_commit(struct store *, struct store_writer *,
    const unsigned char *expect_sha) FAB_WUR;
void store_put_abort(struct store *, struct store_writer *);
/* Eviction skips objects for which pin(arg, key) returns non-zero (the
 * chain pins uploads still pending to a permanent upstream); with every
 * candidate pinned, writes that need room fail with STORE_ENOSPC. */
void store_set_pin(
    struct store *, int (*pin)(void *arg, const unsigned char *key), void *arg);
/* The key a writer stores under. */
void store_writer_key(const struct store_writer *, unsigned char *out);
/* Convenience: begin + write + commit of a buffer. */
int store_put_buf(struct store *, const unsigned char *key, int ns,
    const void *data, size_t len, const void *meta, size_t meta_len,
    const unsigned char *expect_sha) FAB_WUR;

/* Incremental eviction: does at most budget evictions/expiry checks and
 * returns 1 when more work remains, 0 when within limits. */
int store_maintain(struct store *, unsigned budget);
/* Evicts until the total is at most target bytes (admin API). */
uint64_t store_evict_to(struct store *, uint64_t target, enum store_policy);
/* Removes every object. */
uint64_t store_clear(struct store *);

void store_get_stats(const struct store *, struct store_stats *);
const struct store_config *store_get_config(const struct store *);
struct index *store_index(struct store *);

/* Offline check (no daemon running): walks objects/ and the index and
 * reports files without records (orphans), records without a file of
 * the recorded size (missing) and, with verify_content, objects whose
 * header or content does not verify (corrupt: every byte is hashed).
 * It only reports; it changes nothing.  Returns 0 when consistent. */
struct store_fsck {
	uint64_t files, records, orphans, missing, corrupt;
};
int store_fsck(struct store *, struct store_fsck *, int verify_content);

/* Key helpers: key = SHA-256(ns name || 0x00 || tool key). */
void store_key_for(
    int ns, const void *toolkey, size_t len, unsigned char key[STORE_KEY_LEN]);

#endif
