/*
 * Tar archives for script recipe outputs: POSIX ustar (IEEE 1003.1-2008,
 * pax "ustar Interchange Format") regular files, directories and symbolic
 * links, compressed as gzip (RFC 1952) through zlib.  The entry reader
 * (tar_next) and the path checks are pure; tar_add_path() and
 * tar_extract*() are the file-system glue.  Layout: doc/recipes-script.md.
 */
#ifndef FABRIK_TAR_H
#define FABRIK_TAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Longest entry name (ustar prefix + '/' + name) and link target. */
#define TAR_NAME_MAX 255
#define TAR_LINK_MAX 100
/* Most entries one archive may hold. */
#ifndef TAR_MAX_ENTRIES
#define TAR_MAX_ENTRIES 100000
#endif
/* Largest single entry. */
#ifndef TAR_MAX_ENTRY_SIZE
#define TAR_MAX_ENTRY_SIZE ((uint64_t)1 << 32)
#endif
/* Largest uncompressed archive tar_gunzip() produces. */
#ifndef TAR_MAX_TOTAL
#define TAR_MAX_TOTAL ((size_t)2 << 30)
#endif

enum tar_type { TAR_FILE, TAR_DIR, TAR_SYMLINK };

struct tar_entry {
	char name[TAR_NAME_MAX + 1];
	char link[TAR_LINK_MAX + 1];
	enum tar_type type;
	unsigned mode; /* permission bits (07777) */
	int64_t mtime;
	uint64_t size;
	const unsigned char *data; /* TAR_FILE content; borrowed */
};

/* Appends one header (and e->size bytes of e->data, padded) to out.
 * Returns 0, or -1 with *err (name or target too long, out of memory). */
int tar_write_entry(
    struct buf *out, const struct tar_entry *e, const char **err) FAB_WUR;
/* Appends the two zero blocks that end an archive. */
int tar_write_end(struct buf *out) FAB_WUR;

/*
 * Reads the entry at off in the len bytes of data.  Returns the bytes the
 * entry occupies (> 0) with e filled (e->data points into data), 0 at the
 * end of the archive (a zero block or the end of data), or FAB_ERROR with
 * *err (bad checksum, bad number, truncated, unsupported type, unsafe
 * name or link target: see tar_check_path and tar_check_link).
 */
int64_t tar_next(const unsigned char *data, size_t len, size_t off,
    struct tar_entry *e, const char **err) FAB_WUR;

/* 0 when name is a safe relative path: not empty, not absolute, no `..`
 * component; else -1 with *err. */
int tar_check_path(const char *name, const char **err) FAB_WUR;
/* 0 when a symbolic link called name pointing at target stays inside
 * the archive's root (relative target, `..` never climbing above it). */
int tar_check_link(
    const char *name, const char *target, const char **err) FAB_WUR;

/* gzip compression of len bytes into out. */
int tar_gzip(const void *data, size_t len, struct buf *out) FAB_WUR;
/* gunzip into out, refusing more than max bytes of output. */
int tar_gunzip(const void *data, size_t len, struct buf *out, size_t max,
    const char **err) FAB_WUR;

/*
 * Glue.  tar_add_path appends root/rel (a file, a symbolic link or a
 * directory with everything below it, in byte order, never following
 * links) to out under the name prefix + rel; *count is the running
 * entry count checked against TAR_MAX_ENTRIES.
 */
int tar_add_path(struct buf *out, const char *root, const char *rel,
    const char *prefix, size_t *count, const char **err) FAB_WUR;
/*
 * Creates entry e below dir as e->name: missing parent directories are
 * made, an existing file or link at the name is replaced, and nothing is
 * ever written through a symbolic link.  Directory modes and times are
 * not applied here (a read-only directory would refuse its children):
 * call tar_extract_finish() with the same entry after all of them.
 */
int tar_extract_entry(
    const char *dir, const struct tar_entry *e, const char **err) FAB_WUR;
int tar_extract_finish(
    const char *dir, const struct tar_entry *e, const char **err) FAB_WUR;
/* Extracts a whole uncompressed archive below dir (checks every entry
 * before writing anything). */
int tar_extract(const unsigned char *data, size_t len, const char *dir,
    const char **err) FAB_WUR;

#endif
