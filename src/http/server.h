/*
 * HTTP/1.1 server connections on the event loop: reads and parses request
 * heads (http/h1), hands each request to a handler, streams request bodies
 * to the handler and response bodies from a source, with keep-alive,
 * pipelining, 100-continue, limits and per-phase timeouts.
 */
#ifndef FABRIK_HTTP_SERVER_H
#define FABRIK_HTTP_SERVER_H

#include <stdint.h>

#include "base/buf.h"
#include "net/loop.h"

struct http_server;
struct http_req;

typedef void http_handler(struct http_req *, void *arg);

struct http_limits {
	uint64_t max_body; /* larger bodies get 413 */
	uint64_t header_timeout_ms; /* whole head must arrive in this time */
	uint64_t idle_timeout_ms; /* keep-alive idle */
	uint64_t body_timeout_ms; /* no body byte for this long */
	uint64_t write_timeout_ms; /* no write progress for this long */
	unsigned max_conns; /* connections at once */
};

/* Takes ownership of listen_fd.  name labels log lines and metrics. */
struct http_server *http_server_new(struct loop *, int listen_fd,
    const char *name, const struct http_limits *, http_handler *, void *arg);
void http_server_set_limits(struct http_server *, const struct http_limits *);
/* Stops accepting; idle connections close, busy ones close after their
 * current response. */
void http_server_drain(struct http_server *);
/* Open connections. */
unsigned http_server_conns(const struct http_server *);
/* Closes everything and frees the server. */
void http_server_free(struct http_server *);

/* Request accessors; spans live until the reply is complete. */
struct span http_req_method(const struct http_req *);
struct span http_req_path(const struct http_req *); /* target w/o query */
struct span http_req_query(const struct http_req *); /* after '?', or "" */
/* The value of the first header named name, or a span with p == NULL. */
struct span http_req_header(const struct http_req *, const char *name);
/* Content-Length, or -1 (chunked or none). */
long long http_req_content_length(const struct http_req *);
int http_req_has_body(const struct http_req *);
/* After end_cb(ok = 0): 413 when the body passed max_body, else 400. */
int http_req_body_error(const struct http_req *);
int http_req_is(const struct http_req *, const char *method);
const char *http_req_peer(const struct http_req *);
struct loop *http_req_loop(const struct http_req *);
const char *http_req_server_name(const struct http_req *);
/* Called after each response was sent, with its status and duration. */
typedef void http_done_cb(struct http_req *, int status, uint64_t us);
void http_server_on_done(struct http_server *, http_done_cb *);
/* A small integer label (e.g. the build tool) read back in the done hook. */
void http_req_set_tag(struct http_req *, int);
int http_req_tag(const struct http_req *);
/* How many times a handler that suspended the request (to fetch from an
 * upstream) re-ran it; 0 on the first run. */
void http_req_set_pass(struct http_req *, int);
int http_req_pass(const struct http_req *);
/* Per-request user pointer (e.g. the tool's state). */
void http_req_set_data(struct http_req *, void *);
void *http_req_data(const struct http_req *);

/* Streams the request body: data_cb for every run of bytes (return 0 to
 * continue, -1 to stop reading; the handler must then reply), end_cb once
 * with ok = 1 after the whole body, or ok = 0 when the client went away,
 * the framing was malformed, or the body passed max_body.  Sends
 * "100 Continue" when the client asked for it.  After end_cb(ok = 0) on a
 * dead connection the request must not be used (no reply). */
typedef int http_body_cb(
    struct http_req *, const unsigned char *, size_t, void *arg);
typedef void http_body_end_cb(struct http_req *, int ok, void *arg);
void http_req_read_body(
    struct http_req *, http_body_cb *, http_body_end_cb *, void *arg);

/* Called if the connection dies while the handler still owns the request
 * (before its reply); the handler releases its state and never touches
 * the request again. */
typedef void http_abort_cb(struct http_req *, void *arg);
void http_req_on_abort(struct http_req *, http_abort_cb *, void *arg);

/* Adds a response header (before a reply call). */
void http_reply_header(struct http_req *, const char *name, const char *value);
/* Replies with a body copied from body[0..len) (omitted for HEAD). */
void http_reply(struct http_req *, int status, const char *content_type,
    const void *body, size_t len);
/* Replies with status and a text/plain message body. */
void http_reply_text(struct http_req *, int status, const char *msg);

/* A response body produced in pieces.  read() fills up to n bytes at pos
 * and returns the count, HTTP_SOURCE_AGAIN (call http_req_resume() when
 * more is available) or -1 (the connection is aborted).  finish(ok) runs
 * once after the last byte was read (ok = 1) or on abort (ok = 0); a
 * finish that returns -1 aborts the connection (the client never sees a
 * complete response).  release() frees the source. */
#define HTTP_SOURCE_AGAIN (-2)
struct http_source {
	int64_t (*read)(void *arg, void *out, size_t n, uint64_t pos);
	int (*finish)(void *arg, int ok);
	void (*release)(void *arg);
	void *arg;
};
void http_reply_stream(struct http_req *, int status, const char *content_type,
    uint64_t length, const struct http_source *);
void http_req_resume(struct http_req *);
/* As http_reply_stream(), but the body is the length bytes of fd from
 * off, sent with sendfile(2) where the system has it (src->read is then
 * not called; finish and release still are).  Only for content that is
 * already known to be good: nothing inspects the bytes on the way. */
void http_reply_file(struct http_req *, int status, const char *ctype,
    uint64_t length, int fd, uint64_t off, const struct http_source *);

/* Standard reason phrase. */
const char *http_reason(int status);

#endif
