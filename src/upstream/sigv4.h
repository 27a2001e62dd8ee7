/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256): canonical requests, signing,
 * presigned URLs, server-side verification of header and query
 * authentication, and the aws-chunked streaming body encoding (signed
 * chunks, signed and unsigned trailers).  Pure: no I/O, no clock reads.
 * See doc/format-sigv4.md.
 */
#ifndef FABRIK_SIGV4_H
#define FABRIK_SIGV4_H

#include <stddef.h>

#include "base/buf.h"
#include "base/sha.h"

/* Longest Authorization header value the verifier parses. */
#ifndef SIGV4_MAX_AUTHORIZATION
#define SIGV4_MAX_AUTHORIZATION 4096
#endif
/* Most names in a SignedHeaders list. */
#ifndef SIGV4_MAX_SIGNED_HEADERS
#define SIGV4_MAX_SIGNED_HEADERS 64
#endif
/* Most parameters in a query string being canonicalised. */
#ifndef SIGV4_MAX_QUERY_PARAMS
#define SIGV4_MAX_QUERY_PARAMS 256
#endif
/* Field limits of a credential scope. */
#ifndef SIGV4_MAX_ACCESS_KEY
#define SIGV4_MAX_ACCESS_KEY 128
#endif
#ifndef SIGV4_MAX_SECRET
#define SIGV4_MAX_SECRET 128
#endif
#ifndef SIGV4_MAX_REGION
#define SIGV4_MAX_REGION 64
#endif
#ifndef SIGV4_MAX_SERVICE
#define SIGV4_MAX_SERVICE 32
#endif
/* "YYYYMMDD/" region "/" service "/aws4_request" */
#define SIGV4_MAX_SCOPE (9 + SIGV4_MAX_REGION + 1 + SIGV4_MAX_SERVICE + 13)
/* Presigned URL lifetime limit (seconds, 7 days). */
#ifndef SIGV4_MAX_EXPIRES
#define SIGV4_MAX_EXPIRES 604800
#endif
/* Allowed distance between the request time and the server's clock. */
#ifndef SIGV4_MAX_SKEW
#define SIGV4_MAX_SKEW 900
#endif
/* aws-chunked: longest chunk header line including CRLF. */
#ifndef SIGV4_CHUNK_HEADER_MAX
#define SIGV4_CHUNK_HEADER_MAX 256
#endif
/* aws-chunked: largest single chunk. */
#ifndef SIGV4_CHUNK_SIZE_MAX
#define SIGV4_CHUNK_SIZE_MAX (256ULL * 1024 * 1024)
#endif
/* aws-chunked: bytes of trailer section (all lines, CRLFs included). */
#ifndef SIGV4_TRAILER_MAX
#define SIGV4_TRAILER_MAX 1024
#endif
/* aws-chunked: most trailer lines. */
#ifndef SIGV4_MAX_TRAILERS
#define SIGV4_MAX_TRAILERS 8
#endif

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SIGV4_STREAMING_PAYLOAD "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#define SIGV4_STREAMING_PAYLOAD_TRAILER \
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
#define SIGV4_STREAMING_UNSIGNED_TRAILER "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Canonicalisation mode of the request path. */
#define SIGV4_MODE_S3 0 /* decode once, encode once, never normalise */
#define SIGV4_MODE_GENERIC 1 /* remove dot segments and //, encode raw */

/* What x-amz-content-sha256 (or the payload hash) announces. */
#define SIGV4_PAYLOAD_INVALID (-1)
#define SIGV4_PAYLOAD_HASH 0 /* 64 hex digits */
#define SIGV4_PAYLOAD_UNSIGNED 1 /* UNSIGNED-PAYLOAD */
#define SIGV4_PAYLOAD_STREAMING 2 /* STREAMING-AWS4-HMAC-SHA256-PAYLOAD */
#define SIGV4_PAYLOAD_STREAMING_TRAILER 3 /* ...-PAYLOAD-TRAILER */
#define SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER 4

/*
 * Error codes (all negative, below FAB_INCOMPLETE/FAB_ERROR so they are
 * never confused with them).  sigv4_error_code() gives the S3 error code
 * and sigv4_error_status() the HTTP status for each.
 */
#define SIGV4_ERR_SIGNATURE (-10) /* SignatureDoesNotMatch 403 */
#define SIGV4_ERR_ACCESS_KEY (-11) /* InvalidAccessKeyId 403 */
#define SIGV4_ERR_MALFORMED (-12) /* AuthorizationHeaderMalformed 400 */
#define SIGV4_ERR_SKEWED (-13) /* RequestTimeTooSkewed 403 */
#define SIGV4_ERR_EXPIRED (-14) /* AccessDenied 403 (expired URL) */
#define SIGV4_ERR_CONTENT_SHA256 (-15) /* XAmzContentSHA256Mismatch 400 */
#define SIGV4_ERR_QUERY_MALFORMED (-16) /* AuthorizationQueryParametersError */
#define SIGV4_ERR_ACCESS_DENIED (-17) /* AccessDenied 403 (unsigned x-amz-*) */
#define SIGV4_ERR_INVALID_REQUEST (-18) /* InvalidRequest 400 */
#define SIGV4_ERR_INVALID_ARGUMENT (-19) /* InvalidArgument 400 */
#define SIGV4_ERR_BAD_DIGEST (-20) /* BadDigest 400 (trailer checksum) */
#define SIGV4_ERR_INCOMPLETE_BODY (-21) /* IncompleteBody 400 */
#define SIGV4_ERR_CHUNK_FORMAT (-22) /* InvalidRequest 400 (aws-chunked) */
#define SIGV4_ERR_NOMEM (-23) /* InternalError 500 */

/* One request header as received or to be sent; values may hold
 * obs-fold line breaks.  Names compare case-insensitively. */
struct sigv4_header {
	struct span name;
	struct span value;
};

/*
 * A request to sign or verify.  All spans are borrowed for the duration of
 * a call.  path is the request target's path exactly as sent (percent-
 * encoded, before any decoding) and query the part after '?' (without
 * it).  HTTP/2 callers pass :authority as a "host" header.  payload_hash
 * is the payload line of the canonical request (64 lowercase hex digits
 * or one of the literals above); when empty, the x-amz-content-sha256
 * header is used.
 */
struct sigv4_request {
	struct span method;
	struct span path;
	struct span query;
	const struct sigv4_header *headers;
	size_t nheaders;
	struct span payload_hash;
	int mode; /* SIGV4_MODE_* */
};

/*
 * Client-side signing parameters (borrowed).  amz_date is
 * "YYYYMMDDTHHMMSSZ"; the signer never reads a clock.  A session token is
 * only used by sigv4_presign(): for header signing the caller adds the
 * x-amz-security-token header to the request itself (as SDKs do).
 */
struct sigv4_params {
	struct span access_key;
	struct span secret;
	struct span session_token;
	struct span region;
	struct span service;
	const char *amz_date;
};

/* Intermediate and final values of one signature computation.  The
 * canonical request and string to sign are kept for SignatureDoesNotMatch
 * error documents and debugging. */
struct sigv4_result {
	struct buf canonical_request;
	struct buf string_to_sign;
	struct buf authorization; /* full Authorization header value */
	char signature[65];
	unsigned char signing_key[32];
};

void sigv4_result_init(struct sigv4_result *);
void sigv4_result_release(struct sigv4_result *);

/* Appends the RFC 3986 encoding of p[0..n) used by SigV4: every byte
 * outside A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase); '/' is kept when
 * keep_slash is non-zero.  Returns 0 or -1 (ENOMEM). */
int sigv4_uri_encode(
    struct buf *out, const void *p, size_t n, int keep_slash) FAB_WUR;

/* Classifies a payload hash value; returns a SIGV4_PAYLOAD_* constant. */
int sigv4_payload_kind(struct span);

/* Appends the sorted, ';'-joined, lowercase names of every header of the
 * request (duplicates once).  Returns 0 or -1 (too many names, ENOMEM). */
int sigv4_signed_headers_all(
    struct buf *out, const struct sigv4_request *) FAB_WUR;

/*
 * Appends the canonical request for signed_headers (a ';'-separated list
 * of lowercase names, used in the given order).  A signed header missing
 * from the request contributes an empty value.  Returns 0, or a
 * SIGV4_ERR_* code (MALFORMED for an unusable list or path, INVALID_
 * REQUEST when no payload hash is known, NOMEM).
 */
int sigv4_canonical_request(struct buf *out, const struct sigv4_request *,
    struct span signed_headers) FAB_WUR;

/* Appends "YYYYMMDD/region/service/aws4_request" (date from amz_date). */
int sigv4_scope(struct buf *out, const char *amz_date, struct span region,
    struct span service) FAB_WUR;

/* Appends "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n" hex(SHA256(creq)). */
int sigv4_string_to_sign(struct buf *out, const char *amz_date,
    struct span scope, struct span canonical_request) FAB_WUR;

/*
 * Derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" secret, date), region),
 * service), "aws4_request") into out.  date is the 8-digit YYYYMMDD.  The
 * key only depends on its arguments, so callers may cache it per access
 * key and day.  Returns 0, or -1 when the secret exceeds SIGV4_MAX_SECRET.
 */
int sigv4_signing_key(struct span secret, struct span date, struct span region,
    struct span service, unsigned char out[32]) FAB_WUR;

/* hex(HMAC-SHA256(key, string_to_sign)) into out (65 bytes, NUL). */
void sigv4_signature(
    const unsigned char key[32], struct span string_to_sign, char out[65]);

/*
 * Signs req: fills res with the canonical request, string to sign,
 * signature, signing key and the Authorization header value.
 * signed_headers is NULL to sign every header of the request, or a
 * ';'-separated lowercase list.  Returns 0 or a SIGV4_ERR_* code.
 */
int sigv4_sign(struct sigv4_result *res, const struct sigv4_request *req,
    const struct sigv4_params *, const char *signed_headers) FAB_WUR;

/*
 * Presigned URL: appends to out the complete query string to send
 * (req->query's parameters plus X-Amz-Algorithm, -Credential, -Date,
 * -Expires, -SignedHeaders, -Security-Token when a session token is set,
 * in canonical order, then X-Amz-Signature).  signed_headers NULL means
 * "host".  The payload hash is req->payload_hash, or UNSIGNED-PAYLOAD when
 * empty.  expires must be 1..SIGV4_MAX_EXPIRES.  res (may be NULL)
 * receives the intermediate values.  Returns 0 or a SIGV4_ERR_* code.
 */
int sigv4_presign(struct buf *out, struct sigv4_result *res,
    const struct sigv4_request *req, const struct sigv4_params *, long expires,
    const char *signed_headers) FAB_WUR;

/*
 * Server side.  The lookup callback maps an access key (and the session
 * token, empty when none was sent) to its secret: it stores a span that
 * stays valid until sigv4_verify() returns into *secret and returns 0, or
 * returns -1 for an unknown key.
 */
typedef int sigv4_lookup_fn(void *arg, struct span access_key,
    struct span session_token, struct span *secret);

struct sigv4_verify_params {
	sigv4_lookup_fn *lookup;
	void *lookup_arg;
	long long now; /* server time, seconds since the Unix epoch */
	struct span region; /* required scope region; empty accepts any */
	struct span service; /* required scope service; empty accepts any */
};

/* A parsed Authorization header; spans point into the parsed value. */
struct sigv4_authz {
	struct span access_key;
	struct span date; /* YYYYMMDD */
	struct span region;
	struct span service;
	struct span signed_headers;
	struct span signature;
};

/*
 * Parses "AWS4-HMAC-SHA256 Credential=AK/D/region/service/aws4_request,
 * SignedHeaders=a;b, Signature=hex" with any spaces around commas and the
 * three fields in any order.  Returns 0 or SIGV4_ERR_MALFORMED with *errp
 * set to a static message.
 */
int sigv4_parse_authorization(
    struct span value, struct sigv4_authz *, const char **errp) FAB_WUR;

/* Outcome of a successful verification, also used to seed aws-chunked. */
struct sigv4_auth {
	int presigned; /* authenticated by query parameters */
	int payload; /* SIGV4_PAYLOAD_* announced by the request */
	char payload_hash[65]; /* when payload == SIGV4_PAYLOAD_HASH */
	char access_key[SIGV4_MAX_ACCESS_KEY + 1];
	char amz_date[17];
	char scope[SIGV4_MAX_SCOPE + 1];
	char region[SIGV4_MAX_REGION + 1];
	char signature[65]; /* seed signature for aws-chunked */
	unsigned char signing_key[32];
	long long time; /* request time, Unix seconds */
	const char *message; /* static detail of the last error */
	struct sigv4_result res; /* what the server computed */
};

void sigv4_auth_init(struct sigv4_auth *);
void sigv4_auth_release(struct sigv4_auth *);

/*
 * Verifies req by its Authorization header, or by X-Amz-* query parameters
 * (presigned URL).  Returns 0 when authenticated, 1 when the request
 * carries no authentication at all (anonymous), or a SIGV4_ERR_* code;
 * auth->message says why.  On success and on SIGV4_ERR_SIGNATURE,
 * auth->res holds the canonical request and string to sign the server
 * computed.  The body is not looked at: check it with
 * sigv4_payload_verify() or decode it with sigv4_chunked_*.
 */
int sigv4_verify(struct sigv4_auth *auth, const struct sigv4_request *req,
    const struct sigv4_verify_params *) FAB_WUR;

/* After the body was read: digest is its SHA-256.  Returns 0, or
 * SIGV4_ERR_CONTENT_SHA256 when auth announced a different hash. */
int sigv4_payload_verify(
    const struct sigv4_auth *, const unsigned char digest[32]) FAB_WUR;

/* Parses "YYYYMMDDTHHMMSSZ" into Unix seconds; -1 if malformed. */
int sigv4_parse_amz_date(const char *s, size_t n, long long *t) FAB_WUR;

/* S3 error code ("SignatureDoesNotMatch", ...) and HTTP status of a
 * SIGV4_ERR_* value ("InternalError"/500 for unknown values). */
const char *sigv4_error_code(int err);
int sigv4_error_status(int err);

/*
 * aws-chunked body decoder (Content-Encoding: aws-chunked).  Incremental:
 * any split of the input works, down to one byte per call.  Data runs are
 * handed out before the signature of their chunk has been checked (the
 * check happens at the chunk's closing CRLF): the caller must keep what it
 * stores provisional until SIGV4_CHUNKED_DONE and discard it on an error.
 */
#define SIGV4_CHUNKED_MORE 0 /* all input consumed, feed more */
#define SIGV4_CHUNKED_DATA 1 /* *data is a run of decoded body bytes */
#define SIGV4_CHUNKED_DONE 2 /* body and trailers complete and verified */

struct sigv4_chunked {
	int payload; /* SIGV4_PAYLOAD_STREAMING* */
	int state;
	int err; /* sticky error code */
	unsigned char key[32];
	char amz_date[17];
	char scope[SIGV4_MAX_SCOPE + 1];
	char prev_sig[65];
	char chunk_sig[65];
	long long expect_len; /* x-amz-decoded-content-length, or -1 */
	unsigned long long decoded_len; /* body bytes so far */
	unsigned long long left; /* of the current chunk */
	int last; /* current chunk is the final one */
	struct sha256 hash; /* running SHA-256 of the chunk */
	unsigned long crc32; /* zlib CRC-32 of the decoded body */
	size_t hlen;
	char hdr[SIGV4_CHUNK_HEADER_MAX];
	size_t tlen, tline;
	int ntrailers;
	char trailer[SIGV4_TRAILER_MAX];
	/* Results, valid after SIGV4_CHUNKED_DONE. */
	char checksum_name[32]; /* e.g. "x-amz-checksum-crc32", "" if none */
	char checksum_value[96]; /* base64 as sent */
	int checksum_verified; /* 1 when computed and compared (CRC-32) */
	const char *message; /* static detail of the last error */
};

/*
 * Prepares d for a body announced as payload (a SIGV4_PAYLOAD_STREAMING*
 * kind).  For the signed kinds key, amz_date, scope and seed_signature
 * come from the verified header (struct sigv4_auth); for the unsigned
 * trailer kind they may be NULL.  expect_len is x-amz-decoded-content-
 * length or -1.  Returns 0 or -1 (bad arguments).
 */
int sigv4_chunked_init(struct sigv4_chunked *d, int payload,
    const unsigned char key[32], const char *amz_date, const char *scope,
    const char *seed_signature, long long expect_len) FAB_WUR;
/* Convenience: initialises from a successful sigv4_verify(). */
int sigv4_chunked_init_auth(struct sigv4_chunked *d, const struct sigv4_auth *,
    long long expect_len) FAB_WUR;
void sigv4_chunked_release(struct sigv4_chunked *d);

/*
 * Feeds in[0..len).  *consumed receives how many bytes were used; *data a
 * run of decoded bytes (a view into in) when SIGV4_CHUNKED_DATA is
 * returned.  Returns SIGV4_CHUNKED_MORE, _DATA or _DONE (then *consumed
 * ends at the body's last byte), or a SIGV4_ERR_* code (SIGNATURE for a
 * bad chunk or trailer signature, BAD_DIGEST for a checksum mismatch,
 * INCOMPLETE_BODY for a length mismatch, CHUNK_FORMAT for bad framing);
 * errors are sticky.
 */
int sigv4_chunked_feed(struct sigv4_chunked *d, const void *in, size_t len,
    size_t *consumed, struct span *data) FAB_WUR;

/*
 * The body ended (Content-Length reached).  Returns 0 when the body was
 * complete, also for an unsigned-trailer body that stops after its last
 * trailer line without the closing empty line (lenient, as some clients
 * do); otherwise SIGV4_ERR_INCOMPLETE_BODY or the sticky error.
 */
int sigv4_chunked_end(struct sigv4_chunked *d) FAB_WUR;

/*
 * aws-chunked encoder (client side).  Signed encoders chain chunk
 * signatures from the seed signature of the request header.
 */
struct sigv4_chunk_signer {
	int payload; /* SIGV4_PAYLOAD_STREAMING* */
	unsigned char key[32];
	char amz_date[17];
	char scope[SIGV4_MAX_SCOPE + 1];
	char prev_sig[65];
};

int sigv4_chunk_signer_init(struct sigv4_chunk_signer *, int payload,
    const unsigned char key[32], const char *amz_date, const char *scope,
    const char *seed_signature) FAB_WUR;
/* Appends one chunk (header line, data, CRLF); len == 0 appends the final
 * chunk's header line only.  Returns 0 or -1 (ENOMEM). */
int sigv4_chunk_signer_chunk(struct sigv4_chunk_signer *, const void *data,
    size_t len, struct buf *out) FAB_WUR;
/* After the final chunk: appends the trailer lines (ntrailers name/value
 * pairs; none for STREAMING-AWS4-HMAC-SHA256-PAYLOAD), the trailer
 * signature for the signed-trailer kind, and the closing CRLF. */
int sigv4_chunk_signer_finish(struct sigv4_chunk_signer *,
    const struct sigv4_header *trailers, size_t ntrailers,
    struct buf *out) FAB_WUR;
/* Encoded body length for decoded_len bytes cut into chunk_size chunks,
 * trailer_len being the bytes after the final chunk header line
 * (trailers, signature line and closing CRLF). */
unsigned long long sigv4_chunked_encoded_length(int payload,
    unsigned long long decoded_len, unsigned long long chunk_size,
    unsigned long long trailer_len);
/* Appends the base64 of the 4-byte big-endian CRC-32 (the value of an
 * x-amz-checksum-crc32 header or trailer).  Returns 0 or -1 (ENOMEM). */
int sigv4_crc32_b64(struct buf *out, unsigned long crc) FAB_WUR;

#endif
