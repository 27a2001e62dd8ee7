/*
 * S3 client on the poll loop: GetObject (streamed, Range), HeadObject,
 * PutObject (signed payload hash, UNSIGNED-PAYLOAD over https or signed
 * aws-chunked over http), multipart upload with abort on failure,
 * DeleteObject and ListObjectsV2, signed with SigV4 (upstream/sigv4) and
 * sent through http/client, with retries, backoff and full jitter.
 * See doc/s3-client.md; the wire rules are the Amazon S3 API reference.
 */
#ifndef FABRIK_S3CLIENT_H
#define FABRIK_S3CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/client.h"

/* Response documents collected (errors, lists, multipart answers). */
#ifndef S3CLIENT_MAX_XML
#define S3CLIENT_MAX_XML (4 * 1024 * 1024)
#endif
/* Entries kept from one ListObjectsV2 page (S3 sends at most 1000). */
#ifndef S3CLIENT_MAX_LIST
#define S3CLIENT_MAX_LIST 1000
#endif
/* Bytes of ~/.aws/credentials read. */
#ifndef S3CLIENT_MAX_CREDENTIALS_FILE
#define S3CLIENT_MAX_CREDENTIALS_FILE (256 * 1024)
#endif
/* Object keys (S3's limit is 1024 bytes, prefix included). */
#ifndef S3CLIENT_MAX_KEY
#define S3CLIENT_MAX_KEY 1024
#endif
/* Parts of one multipart upload (S3's limit). */
#define S3CLIENT_MAX_PARTS 10000
/* Smallest part but the last (S3's limit). */
#define S3CLIENT_MIN_PART (5ULL * 1024 * 1024)

struct loop;
struct resolver;
struct s3client;
struct s3client_op;

/*
 * Credentials and location.  Strings are owned (malloc'd) after
 * s3client_creds_resolve(); s3client_creds_release() frees them.
 */
struct s3client_creds {
	char *access_key;
	char *secret;
	char *session_token; /* NULL: none */
	char *region; /* never NULL after resolve ("us-east-1") */
	const char *source; /* "explicit", "environment", "file", NULL */
};

/*
 * Fills out by precedence: the explicit values (access key and secret as
 * a pair, with the explicit session token), then env (a NULL-terminated
 * "NAME=value" array: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), then the shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE from env, else home/.aws/credentials; the
 * profile AWS_PROFILE from env, else "default": aws_access_key_id,
 * aws_secret_access_key, aws_session_token).  A session token only comes
 * with the pair of the same source.  Region: explicit, AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's "region" in the credentials file,
 * "us-east-1".  explicit_creds and home may be NULL.  No credentials at
 * all is not an error (anonymous requests; access_key stays NULL).
 * Returns 0, or -1 with a message in err (ENOMEM, an unreadable or
 * oversized credentials file that exists).
 */
int s3client_creds_resolve(struct s3client_creds *out,
    const struct s3client_creds *explicit_creds, char *const *env,
    const char *home, char *err, size_t errlen) FAB_WUR;
void s3client_creds_release(struct s3client_creds *);

/* Zero means "the default" for every number. */
struct s3client_config {
	const char *url; /* "s3://bucket" or "s3://bucket/key/prefix/" */
	/* "http://host:port" or "https://host"; NULL: AWS
	 * (https://s3.REGION.amazonaws.com, virtual-hosted). */
	const char *endpoint;
	int path_style; /* 1: path-style even without an endpoint */
	struct s3client_creds creds; /* borrowed; copied by s3client_new */
	unsigned max_attempts; /* per request, first try included; 4 */
	uint64_t backoff_base_ms; /* first retry delay cap; 100 */
	uint64_t backoff_max_ms; /* delay cap; 20000 */
	uint64_t part_size; /* multipart part size; 8 MiB (>= 5 MiB) */
	uint64_t multipart_threshold; /* larger bodies go multipart; 16 MiB */
	unsigned parts_in_flight; /* concurrent UploadPart; 4 */
	uint64_t chunk_size; /* aws-chunked chunk size; 64 KiB */
	int unsigned_payload; /* 1: UNSIGNED-PAYLOAD even over http */
};

/* One ListObjectsV2 entry; strings live until the callback returns. */
struct s3client_entry {
	const char *key; /* without the upstream's key prefix */
	long long size;
	const char *etag; /* with its quotes, as S3 sends it */
	const char *last_modified;
};

/*
 * Outcome of an operation, valid during the completion callback only.
 * ok is 1 on success.  On failure code is the S3 error code
 * ("NoSuchKey", "SignatureDoesNotMatch") when the server sent one, else
 * "HTTP <status>" or the transport error ("connect timeout", "request
 * timeout", "connection refused"), and message the S3 message (may be
 * empty).  status is the last HTTP status (0: none).
 */
struct s3client_result {
	int ok;
	int status;
	const char *code;
	const char *message;
	unsigned attempts; /* HTTP attempts of the operation (all parts) */
	long long size; /* GET/HEAD: object size; PUT: bytes sent; -1 */
	const char *etag; /* GET/HEAD/PUT: ETag with quotes, or NULL */
	/* ListObjectsV2 */
	const struct s3client_entry *entries;
	size_t nentries;
	int truncated;
	const char *next_token; /* continuation token or NULL */
	/* Multipart PUT */
	unsigned parts; /* 0 for a single PUT */
	const char *upload_id; /* the multipart upload (also on failure) */
	int aborted; /* the failed upload was aborted (AbortMultipartUpload
			OK) */
};

/* Called exactly once per operation that was not cancelled, always from
 * the loop (never inside the call that started it).  The op handle is
 * invalid afterwards. */
typedef void s3client_done_cb(void *arg, const struct s3client_result *);
/* GetObject body bytes in order; return -1 to abort the operation (the
 * completion then reports "aborted by the caller"). */
typedef int s3client_data_cb(void *arg, const void *data, size_t len);

/*
 * Request body from a source: read copies up to n bytes at pos into out
 * and returns the count (short only at the end), or -1.  Reads are
 * synchronous (a local file: pread); any pos may be asked, several times
 * (retries, parallel parts).  The source must outlive the operation.
 */
struct s3client_source {
	int64_t (*read)(void *arg, void *out, size_t n, uint64_t pos);
	void *arg;
	uint64_t length;
};

/* Counters since s3client_new. */
struct s3client_stats {
	uint64_t requests; /* HTTP requests started */
	uint64_t retries;
	uint64_t failures; /* operations that ended with ok == 0 */
};

/*
 * A client for one upstream (bucket + key prefix) sending through hc
 * (borrowed; it must outlive the client, its resolver and timeouts are
 * the caller's).  Returns NULL with a message in err.
 */
struct s3client *s3client_new(struct loop *, struct http_client *hc,
    const struct s3client_config *, char *err, size_t errlen) FAB_WUR;
/* Cancels every operation without callbacks and frees the client.  Safe
 * inside a callback. */
void s3client_free(struct s3client *);

/*
 * Operations.  key is relative to the upstream's key prefix.  Each
 * returns a handle, or NULL with *err a static message (bad key, ENOMEM)
 * and no callback.
 *
 * GetObject: range_start/range_end inclusive (range_start -1: the whole
 * object; range_end -1: to the end).  Body bytes go to data in order; a
 * retry after a partial body resumes where it stopped (If-Match on the
 * ETag), so data never sees a byte twice.
 */
struct s3client_op *s3client_get(struct s3client *, const char *key,
    long long range_start, long long range_end, s3client_data_cb *data,
    s3client_done_cb *done, void *arg, const char **err) FAB_WUR;
struct s3client_op *s3client_head(struct s3client *, const char *key,
    s3client_done_cb *done, void *arg, const char **err) FAB_WUR;
/* PutObject from a buffer (borrowed until done; the payload is signed by
 * its SHA-256) or from src (borrowed); bodies above the multipart
 * threshold become a multipart upload. */
struct s3client_op *s3client_put(struct s3client *, const char *key,
    const void *body, size_t len, const struct s3client_source *src,
    const char *content_type, s3client_done_cb *done, void *arg,
    const char **err) FAB_WUR;
struct s3client_op *s3client_delete(struct s3client *, const char *key,
    s3client_done_cb *done, void *arg, const char **err) FAB_WUR;
/* One ListObjectsV2 page of keys under the upstream prefix + prefix;
 * token is the previous page's next_token or NULL; max_keys 0: 1000. */
struct s3client_op *s3client_list(struct s3client *, const char *prefix,
    const char *token, unsigned max_keys, s3client_done_cb *done, void *arg,
    const char **err) FAB_WUR;
/* CreateBucket (PUT on the bucket); BucketAlreadyOwnedByYou is a failure
 * the caller may accept. */
struct s3client_op *s3client_create_bucket(struct s3client *,
    s3client_done_cb *done, void *arg, const char **err) FAB_WUR;
/* Ends an operation without callback; a multipart upload in progress is
 * aborted in the background. */
void s3client_cancel(struct s3client_op *);

void s3client_get_stats(const struct s3client *, struct s3client_stats *);

/* The bucket and the key prefix parsed from the config URL. */
const char *s3client_bucket(const struct s3client *);
const char *s3client_prefix(const struct s3client *);

/*
 * The URL and Host header value for key (relative to the prefix; NULL for
 * the bucket itself) and an already encoded query (NULL: none), as they
 * are sent.  Appends to url and host.  Returns 0 or -1 (ENOMEM, key too
 * long).
 */
int s3client_url(const struct s3client *, const char *key, const char *query,
    struct buf *url, struct buf *host) FAB_WUR;

/*
 * Minimal XML extraction for S3 documents (no DTDs, no attributes
 * needed): finds the first <name>...</name> at or after *pos in doc and
 * sets *val to its raw content and *pos past the closing tag.  Returns 1,
 * or 0 when absent.
 */
int s3client_xml_find(
    struct span doc, size_t *pos, const char *name, struct span *val);
/* Appends raw with the five XML entities and &#N; / &#xN; decoded.
 * Returns 0 or -1 (ENOMEM, or a malformed reference). */
int s3client_xml_text(struct buf *out, struct span raw) FAB_WUR;

/*
 * Delay before retry number n (1 for the first retry): full jitter,
 * r mod min(max_ms, base_ms * 2^(n-1)) + 1 ms with r random, but at least
 * retry_after_s seconds when the server sent Retry-After (>= 0).
 */
uint64_t s3client_backoff_ms(uint64_t base_ms, uint64_t max_ms, unsigned n,
    long retry_after_s, uint64_t r);

/*
 * Adapter from net/resolver to http_client_set_resolver():
 * http_client_set_resolver(hc, s3client_resolve, resolver).  The resolver
 * must outlive the http client.
 */
void s3client_resolve(void *resolver, const char *host,
    http_client_resolved_cb *done, void *done_arg);

#endif
