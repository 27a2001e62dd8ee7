/*
 * HTTP/1.1 message codec (RFC 9112 message syntax, RFC 9110 semantics):
 * an incremental request/response head parser and a chunked body decoder.
 * Pure: bytes in, values out; no I/O.  See doc/format-http1.md.
 */
#ifndef FABRIK_H1_H
#define FABRIK_H1_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Total head bytes (leading empty lines, start line, field lines and the
 * final empty line); one more byte -> 431 for requests. */
#ifndef H1_MAX_HEAD
#define H1_MAX_HEAD (16384)
#endif
/* Field lines in one head; one more -> 431. */
#ifndef H1_MAX_HEADERS
#define H1_MAX_HEADERS (100)
#endif
/* request-target bytes; one more -> 414. */
#ifndef H1_MAX_TARGET
#define H1_MAX_TARGET (8192)
#endif
/* Method bytes; one more -> 501 (RFC 9112 §3: longer than any we know). */
#ifndef H1_MAX_METHOD
#define H1_MAX_METHOD (32)
#endif
/* Empty lines skipped before a start line (RFC 9112 §2.2); one more -> 400. */
#ifndef H1_MAX_EMPTY_LINES
#define H1_MAX_EMPTY_LINES (8)
#endif
/* chunk-size line bytes including extensions, excluding CRLF. */
#ifndef H1_MAX_CHUNK_LINE
#define H1_MAX_CHUNK_LINE (4096)
#endif
/* Largest Content-Length and chunk size accepted (2^62). */
#ifndef H1_MAX_BODY
#define H1_MAX_BODY (1LL << 62)
#endif

/* One field line; both spans point into the caller's buffer.  value has
 * leading and trailing OWS (SP, HTAB) removed and may be empty. */
struct h1_header {
	struct span name;
	struct span value;
};

struct h1_request {
	struct span method;
	struct span target; /* as sent; no SP, CTL or non-ASCII byte */
	int minor; /* HTTP/1.<minor>: 0 or 1 */
	struct h1_header headers[H1_MAX_HEADERS];
	size_t nheaders;
	/* Derived from the fields: */
	long long content_length; /* -1 when absent (or chunked) */
	int chunked; /* Transfer-Encoding: chunked */
	int keep_alive; /* 1.1: unless "close"; 1.0: only "keep-alive" */
	int expect_continue; /* Expect: 100-continue (1.1 only, §10.1.1) */
	int upgrade; /* an Upgrade field is present */
};

struct h1_response {
	int minor; /* 0 or 1 */
	int status; /* 100..599 */
	struct span reason; /* may be empty */
	struct h1_header headers[H1_MAX_HEADERS];
	size_t nheaders;
	long long content_length; /* -1 when absent or overridden by TE */
	int chunked; /* Transfer-Encoding: chunked */
	int keep_alive; /* same rule as requests; 0 after TE+CL */
};

/* Where a field line lies in the buffer (offsets, so the caller's buffer
 * may move between calls). */
struct h1_field_pos {
	uint32_t name_off, name_len, value_off, value_len;
};

enum h1_state {
	H1_S_LINE_START, /* before the start line; empty lines are skipped */
	H1_S_LEADING_CR,
	H1_S_METHOD,
	H1_S_TARGET_START,
	H1_S_TARGET,
	H1_S_REQ_VERSION,
	H1_S_RESP_VERSION,
	H1_S_STATUS,
	H1_S_REASON,
	H1_S_START_CR, /* CR that ends the start line */
	H1_S_FIELD_START,
	H1_S_NAME,
	H1_S_VALUE_OWS,
	H1_S_VALUE,
	H1_S_FIELD_CR,
	H1_S_END_CR, /* CR of the final empty line */
	H1_S_DONE,
	H1_S_ERROR
};

/* Incremental head parser.  Embed it and call h1_parser_init() before
 * every head; the fields are private. */
struct h1_parser {
	enum h1_state state;
	int kind; /* 0 not yet known, 1 request, 2 response */
	size_t pos; /* next byte to scan */
	size_t tok; /* start of the token being scanned */
	size_t vend; /* end of the value without trailing OWS */
	unsigned empty_lines;
	int vpos, major, minor, code;
	size_t method_off, method_len, target_off, target_len;
	size_t reason_off, reason_len;
	size_t nfields;
	struct h1_field_pos fields[H1_MAX_HEADERS];
	size_t head_len; /* when DONE */
	int err_status; /* when ERROR */
	const char *err_msg; /* when ERROR */
	size_t err_offset; /* byte offset of the offending byte */
};

void h1_parser_init(struct h1_parser *);

/*
 * Parses a request head.  Pass the whole head received so far, buf[0..len),
 * each time more bytes arrive, with the same parser and req; the bytes
 * already passed must be unchanged (the buffer may move).  Scanning resumes
 * where it stopped, so total work is linear in the head size.
 *
 * Returns the length of the complete head (> 0; the next message starts at
 * buf + result) with *req filled, its spans pointing into this call's buf;
 * FAB_INCOMPLETE when more bytes are needed; or FAB_ERROR with *status set
 * to the status to answer (400, 414, 431, 501, 505) and *err to a static
 * message.  After an error the connection must be closed once the error
 * response is sent.  Further calls after a result repeat it; call
 * h1_parser_init() for the next head.  h1_parser_error_offset() tells where.
 */
int h1_parse_request(struct h1_parser *, const unsigned char *buf, size_t len,
    struct h1_request *req, int *status, const char **err) FAB_WUR;

/*
 * Same contract for a response head (status line, fields).  On FAB_ERROR
 * *err is set; the connection cannot be reused.  Interim (1xx) responses
 * are returned like any other; skipping them is the caller's job.
 */
int h1_parse_response(struct h1_parser *, const unsigned char *buf, size_t len,
    struct h1_response *resp, const char **err) FAB_WUR;

/* Byte offset in buf of the byte that caused the last FAB_ERROR. */
size_t h1_parser_error_offset(const struct h1_parser *);

/* First field named name (ASCII case-insensitive) or NULL; the pointer
 * lives as long as the message struct. */
const struct h1_header *h1_header_find(
    const struct h1_header *, size_t n, const char *name);
const struct h1_header *h1_header_get(
    const struct h1_request *, const char *name);
const struct h1_header *h1_response_header_get(
    const struct h1_response *, const char *name);

/* How a response body is delimited (RFC 9112 §6.3). */
enum h1_body {
	H1_BODY_NONE, /* HEAD request, 1xx, 204, 304 */
	H1_BODY_LENGTH, /* content_length bytes (may be 0) */
	H1_BODY_CHUNKED, /* h1_chunked_decode() */
	H1_BODY_CLOSE /* until the server closes; keep_alive is moot */
};

/* 0 for responses that never have content: to HEAD, 1xx, 204, 304. */
int h1_response_has_body(const struct h1_response *, int request_was_head);
enum h1_body h1_response_body(const struct h1_response *, int request_was_head);

enum h1_chunked_state {
	H1_C_SIZE_START, /* first hex digit of a chunk-size */
	H1_C_SIZE,
	H1_C_EXT_WS, /* BWS after the size: ';' must follow */
	H1_C_EXT,
	H1_C_SIZE_LF,
	H1_C_DATA,
	H1_C_DATA_CR,
	H1_C_DATA_LF,
	H1_C_TRAILER_START,
	H1_C_TRAILER_NAME,
	H1_C_TRAILER_VALUE,
	H1_C_TRAILER_LF,
	H1_C_END_LF,
	H1_C_DONE,
	H1_C_ERROR
};

/* Chunked transfer coding decoder (RFC 9112 §7.1); fields are private. */
struct h1_chunked {
	enum h1_chunked_state state;
	uint64_t remaining; /* size being read, then data bytes left */
	size_t line_len; /* bytes of the current chunk-size line */
	size_t trailer_len; /* bytes of the trailer section so far */
	const char *err_msg;
};

void h1_chunked_init(struct h1_chunked *);

/*
 * Consumes chunked framing from in[0..len) and stops after the next run of
 * chunk data, which it reports as in[*data_off .. *data_off + *data_len)
 * (*data_len may be 0 when only framing was consumed).  Returns the number
 * of bytes consumed (framing plus the data run; the caller drops them and
 * calls again with the rest), or FAB_ERROR with *err set: bad hex, size over
 * H1_MAX_BODY, size line over H1_MAX_CHUNK_LINE, missing CRLF after data,
 * bad trailer line or trailers over H1_MAX_HEAD.  Line ends must be CRLF.
 * Partial lines are remembered, so input may arrive one byte at a time.
 * Once the last chunk and the trailer section (parsed, then discarded) are
 * consumed, h1_chunked_done() is 1 and nothing more is consumed: the bytes
 * after belong to the next message.
 */
int h1_chunked_decode(struct h1_chunked *, const unsigned char *in, size_t len,
    size_t *data_off, size_t *data_len, const char **err) FAB_WUR;
int h1_chunked_done(const struct h1_chunked *);

#endif
