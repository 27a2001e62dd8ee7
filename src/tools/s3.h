/*
 * S3-compatible API (path-style buckets) on its own listener: buckets,
 * objects with Range, ListObjects v1/v2, multipart uploads, batch delete;
 * SigV4 header and presigned authentication with aws-chunked bodies
 * (upstream/sigv4).  Objects live in the local store under
 * SHA-256("s3\0" bucket "\0" key); the names of a bucket's keys are kept
 * in a sorted in-memory list backed by an append-only journal file per
 * bucket (struct s3_keys), which the WebDAV endpoint shares.  See
 * doc/s3.md.
 */
#ifndef FABRIK_S3_H
#define FABRIK_S3_H

#include <stddef.h>
#include <stdint.h>

#include "http/server.h"
#include "tools/tool.h"

/* Longest object key (bytes), as S3. */
#define S3_KEY_MAX 1024
/* Bucket names: 3..63 of [a-z0-9.-], as S3. */
#define S3_BUCKET_MAX 63
/* Largest user metadata (x-amz-meta-* names and values), as S3. */
#define S3_USER_META_MAX 2048
/* Largest XML request body (CompleteMultipartUpload, Delete). */
#ifndef S3_XML_MAX
#define S3_XML_MAX (1024 * 1024)
#endif
/* Most keys in one listing answer and in one batch delete. */
#define S3_LIST_MAX 1000
/* Multipart rules, as S3. */
#define S3_PART_MIN (5ULL * 1024 * 1024)
#define S3_PARTS_MAX 10000

struct s3;

struct s3_config {
	const char *dir; /* the cache directory; s3/ is created in it */
	const char *region;
	char *const *keys; /* "AK:SECRET" or "AK:SECRET:perms" */
	size_t nkeys;
	int auth_required; /* auth.required: no anonymous access */
};

/* Opens the bucket journals under cfg->dir/s3.  NULL with *err. */
struct s3 *s3_new(
    const struct tools_env *, const struct s3_config *, const char **err);
void s3_free(struct s3 *);
/* Handler for the s3 listener; arg is the struct s3. */
void s3_handle(struct http_req *, void *arg);

/*
 * A sorted list of key names with size, mtime and ETag, persisted as an
 * append-only journal of put/delete records (replayed on open, a torn
 * last record ignored, compacted when mostly dead).  The store may evict
 * an object without telling the list: readers check the store and call
 * s3_keys_del() for names whose object is gone.
 */
struct s3_key {
	uint64_t size;
	int64_t mtime;
	char etag[48]; /* without quotes */
	size_t len;
	char name[]; /* len bytes, NUL-terminated */
};

struct s3_keys {
	char *path;
	int fd;
	int64_t created;
	struct s3_key **v;
	size_t n, cap;
	size_t records; /* in the journal */
};

/* Opens (create = 1: creates) the journal at path.  Returns 0, or -1
 * with errno (ENOENT when it does not exist and create is 0). */
int s3_keys_open(struct s3_keys *, const char *path, int create) FAB_WUR;
void s3_keys_close(struct s3_keys *);
/* Adds or replaces a name.  Returns 0 or -1 (I/O, ENOMEM). */
int s3_keys_put(struct s3_keys *, const char *name, size_t len, uint64_t size,
    int64_t mtime, const char *etag) FAB_WUR;
/* Removes a name (no-op when absent). */
int s3_keys_del(struct s3_keys *, const char *name, size_t len) FAB_WUR;
/* Index of the first name >= name (bytewise); *found when equal. */
size_t s3_keys_find(
    const struct s3_keys *, const char *name, size_t len, int *found);

/* Minimal XML scanning for request bodies: finds the next element named
 * tag in *in (advancing *in past it) and sets *text to its content.
 * Returns 1 when found, 0 when not.  Attributes are allowed; CDATA,
 * comments inside the element and nested same-name elements are not
 * (S3 bodies have none). */
int s3_xml_next(struct span *in, const char *tag, struct span *text);
/* Appends text with the five predefined entities and &#N; / &#xN;
 * references decoded.  Returns 0, or -1 for a malformed reference. */
int s3_xml_unescape(struct buf *out, struct span text) FAB_WUR;
/* Appends s[0..n) escaped for XML character data and attributes. */
int s3_xml_escape(struct buf *out, const char *s, size_t n) FAB_WUR;

#endif
