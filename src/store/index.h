/*
 * The store index: one mmap'd file holding a fixed header and an
 * open-addressing (linear probing) table of fixed-size records, one per
 * object.  It is a cache of what objects/ holds and can always be rebuilt
 * from it.  Layout: doc/format-index.md.
 */
#ifndef FABRIK_INDEX_H
#define FABRIK_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define INDEX_KEY_LEN 32
#ifndef INDEX_MIN_CAPACITY
#define INDEX_MIN_CAPACITY 4096
#endif
/* Grow when count exceeds capacity * 7 / 10. */
#define INDEX_LOAD_NUM 7
#define INDEX_LOAD_DEN 10

/* One record, 72 bytes, little-endian host layout (the file is local to
 * the machine; a foreign layout fails the header check and is rebuilt). */
struct index_rec {
	unsigned char key[INDEX_KEY_LEN];
	uint64_t size; /* bytes on disk: header + content */
	uint64_t vctime; /* ctime (ns) when content was last verified */
	uint64_t vino; /* inode when content was last verified */
	uint32_t created; /* unix seconds */
	uint32_t atime; /* unix seconds of the last hit */
	uint32_t count; /* hits (LFU), saturating */
	uint8_t ns; /* namespace id (store.h) */
	uint8_t used; /* 1 = occupied slot */
	uint16_t flags; /* INDEX_F_* */
};
/* The object's file was written by the process that has the index open
 * and never handed out by descriptor since (store.c); cleared at close. */
#define INDEX_F_CLEAN 0x0001

struct index;

/* Opens path.  *state is set to INDEX_OPEN_CLEAN when the file was closed
 * cleanly and verifies, or INDEX_OPEN_NEW when it was missing, damaged or
 * not closed cleanly (it is then empty and the caller must rebuild).
 * The file is marked dirty on disk until index_close(). */
#define INDEX_OPEN_CLEAN 0
#define INDEX_OPEN_NEW 1
struct index *index_open(const char *path, int *state, const char **err);
/* Syncs, marks clean and unmaps. */
void index_close(struct index *);
/* Flushes dirty pages to disk (msync) without marking clean. */
void index_sync(struct index *);

struct index_rec *index_find(struct index *, const unsigned char *key);
/* Returns the record for key, inserting an empty one (used=1, other fields
 * zero except key) if absent; NULL on ENOMEM/IO error while growing.
 * *created says whether it was inserted.  Growing remaps the table, so
 * record pointers from earlier calls become invalid. */
struct index_rec *index_insert(
    struct index *, const unsigned char *key, int *created);
/* Removes key (backward-shift deletion keeps probes short). */
void index_remove(struct index *, const unsigned char *key);

uint64_t index_count(const struct index *);
uint64_t index_total(const struct index *);
/* Adjusts the byte total kept in the header. */
void index_add_total(struct index *, int64_t delta);
uint64_t index_capacity(const struct index *);
/* Slot i (0 <= i < capacity); check ->used. */
struct index_rec *index_slot(struct index *, uint64_t i);

#endif
