/*
 * HTTP/2 client connections on the event loop (RFC 9113): cleartext with
 * prior knowledge (§3.3) and TLS with ALPN "h2" (§3.2, RFC 7301), one
 * connection per origin shared by many streams, flow control in both
 * directions (§5.2, §6.9), SETTINGS, PING, RST_STREAM, GOAWAY (§6.8) and
 * the server's SETTINGS_MAX_CONCURRENT_STREAMS (extra streams queue).
 * Frames and HPACK come from http/h2_frame and http/hpack; gRPC sits on
 * top (http/grpc_client.h).  See doc/http2-client.md.
 */
#ifndef FABRIK_HTTP_H2_CLIENT_H
#define FABRIK_HTTP_H2_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/client.h"
#include "http/hpack.h"
#include "net/loop.h"

/* A stream's queued request octets above which h2_client_stream_write
 * asks the caller to wait for on_writable; on_writable fires when the
 * queue falls below H2_CLIENT_LOW_WATER again. */
#ifndef H2_CLIENT_HIGH_WATER
#define H2_CLIENT_HIGH_WATER (1024 * 1024)
#endif
#ifndef H2_CLIENT_LOW_WATER
#define H2_CLIENT_LOW_WATER (256 * 1024)
#endif
/* Longest origin string ("grpcs://host:port") accepted. */
#ifndef H2_CLIENT_MAX_ORIGIN
#define H2_CLIENT_MAX_ORIGIN 1024
#endif

struct h2_client;
struct h2_client_stream;
struct h2_client_conn;

/* Limits and timeouts; 0 in any field means the default in brackets. */
struct h2_client_opts {
	/* Name resolution + TCP + TLS + the server's first SETTINGS [10 s]. */
	uint64_t connect_timeout_ms;
	/* A started stream that neither sends nor receives a frame for this
	 * long fails (dead server or network) [30 s]. */
	uint64_t request_timeout_ms;
	/* A connection with no stream is closed after this [60 s]. */
	uint64_t idle_timeout_ms;
	uint32_t initial_window; /* our stream receive window [1 MiB] */
	uint32_t connection_window; /* our connection window [16 MiB] */
	uint32_t max_header_list; /* response header list [65536] */
	const char *tls_ca_file; /* NULL: the system CA store */
	int tls_no_verify; /* 1: accept any certificate (insecure) */
};

/*
 * How a stream ended, given to on_close (valid during the call).
 *   err: NULL when the server ended the stream normally (END_STREAM);
 *     else why it failed, a static string or one that lives as long as
 *     the callback ("connection refused", "certificate verify failed:
 *     ...", "server did not select h2 with ALPN", "stream reset by the
 *     server", "deadline exceeded", ...).
 *   h2_error: the RFC 9113 code of a RST_STREAM or GOAWAY from the
 *     server, else 0.
 *   refused: 1 when the server certainly did not process the stream
 *     (RST_STREAM REFUSED_STREAM, or an id above a GOAWAY's last stream
 *     id): it is safe to retry.
 *   timeout: 1 for the stream's deadline or the request timeout.
 *   local: 1 when the client itself ended the stream (timeouts,
 *     connection failures, protocol errors of the server, a callback's
 *     -1); 0 when the server said so (END_STREAM, RST_STREAM, GOAWAY).
 *   trailers: the trailer block, or NULL.
 */
struct h2_client_result {
	const char *err;
	uint32_t h2_error;
	int refused;
	int timeout;
	int local;
	const struct hpack_list *trailers;
};

/*
 * Stream callbacks, all optional; arg is the request's.  None runs
 * inside h2_client_stream_start.  Every stream gets exactly one
 * on_close, its last callback, unless it was cancelled or the client
 * freed; after on_close returns the handle is invalid.
 *   on_response: the final (non-1xx) response header block; status is
 *     its :status, end_stream 1 when the response ends there (the list
 *     then also serves as the trailers).  Lives during the call.
 *   on_data: response body octets; they count as consumed (and are
 *     credited back with WINDOW_UPDATE) when it returns.
 *   on_writable: the queued request body fell below H2_CLIENT_LOW_WATER
 *     after h2_client_stream_write returned 1.
 * on_response and on_data return 0, or -1 to reset the stream (CANCEL);
 * on_close then follows with err "aborted by the caller".
 */
struct h2_client_callbacks {
	int (*on_response)(struct h2_client_stream *, int status,
	    const struct hpack_list *headers, int end_stream, void *arg);
	int (*on_data)(struct h2_client_stream *, const unsigned char *, size_t,
	    void *arg);
	void (*on_writable)(struct h2_client_stream *, void *arg);
	void (*on_close)(struct h2_client_stream *,
	    const struct h2_client_result *, void *arg);
};

/* One request; everything is copied by h2_client_stream_start. */
struct h2_client_request {
	/* "grpc://host:port" or "http://..." (cleartext, prior knowledge),
	 * "grpcs://host:port" or "https://..." (TLS, ALPN h2); default port
	 * 80 or 443; an optional trailing "/" and nothing else after. */
	const char *origin;
	const char *method; /* :method */
	const char *path; /* :path, starting with '/' */
	/* Regular header fields (lowercase names, no pseudo-headers). */
	const struct hpack_field *headers;
	size_t nheaders;
	const void *body; /* first request body octets, may be NULL */
	size_t body_len;
	/* 1: the request ends after body; 0: more follows through
	 * h2_client_stream_write and h2_client_stream_end. */
	int end_stream;
	uint64_t deadline_ms; /* the stream fails after this; 0: none */
	const struct h2_client_callbacks *cb;
	void *arg;
};

/* Counters since h2_client_new(). */
struct h2_client_stats {
	uint64_t connections; /* connections started (resolve/connect) */
	uint64_t streams; /* streams that ended, either way */
	uint64_t failures; /* streams that ended with err != NULL */
	uint64_t refused; /* of which refused by the server */
	unsigned open; /* connections open now */
};

/*
 * A client on loop l; opts may be NULL for the defaults.  Returns NULL
 * with a message in err[0..errlen) (a bad CA file, ENOMEM).
 */
struct h2_client *h2_client_new(struct loop *, const struct h2_client_opts *,
    char *err, size_t errlen) FAB_WUR;
/*
 * Ends every stream without callbacks, closes every connection and frees
 * the client after the current dispatch pass.  May be called from a
 * callback.
 */
void h2_client_free(struct h2_client *);
/*
 * Replaces name resolution (the default knows IP literals and
 * /etc/hosts only; see http_client_set_resolver for the contract).  IP
 * literals never reach the resolver.
 */
void h2_client_set_resolver(
    struct h2_client *, http_client_resolver *, void *arg);
void h2_client_get_stats(const struct h2_client *, struct h2_client_stats *);

/*
 * Starts a stream on the origin's connection (opened, or re-opened after
 * it died, as needed); it waits in a queue while the connection is being
 * set up or the server's concurrent-stream limit is reached.  Returns the
 * handle, or NULL with *err a static message (bad origin, bad field,
 * ENOMEM).  Every later failure comes through on_close.
 */
struct h2_client_stream *h2_client_stream_start(struct h2_client *,
    const struct h2_client_request *, const char **err) FAB_WUR;
/*
 * Queues request body octets (copied); they leave as DATA frames as the
 * server's windows and SETTINGS_MAX_FRAME_SIZE allow.  Returns 0; 1 when
 * the queue is now above H2_CLIENT_HIGH_WATER (the octets were queued:
 * wait for on_writable); -1 when the request was already ended, the
 * stream is closed or out of memory.
 */
int h2_client_stream_write(
    struct h2_client_stream *, const void *, size_t) FAB_WUR;
/* Ends the request (END_STREAM after the queued octets).  0 or -1. */
int h2_client_stream_end(struct h2_client_stream *) FAB_WUR;
/*
 * Resets the stream with CANCEL (or drops it from the queue); no
 * callback follows and the handle is invalid afterwards.  Not to be
 * called after on_close.
 */
void h2_client_stream_cancel(struct h2_client_stream *);
/* The stream id, 0 while queued. */
uint32_t h2_client_stream_id(const struct h2_client_stream *);
/* Request octets queued and not yet sent as DATA. */
size_t h2_client_stream_queued(const struct h2_client_stream *);
/* Serial of the stream's connection (1 for the first), 0 if none yet. */
unsigned h2_client_stream_conn_id(const struct h2_client_stream *);

/*
 * A connection for origin over an already connected socket fd (owned),
 * as if resolution, TCP and TLS were done: the preface goes out and
 * origin's streams use it from now on.  fd -1 makes a detached
 * connection with no socket at all: the server's octets come only from
 * h2_client_conn_feed and the client's output is discarded (the fuzz
 * target, tests).  Returns NULL on a bad origin or ENOMEM.  The handle
 * lives until the connection closes (h2_client_conn_feed returns -1).
 */
struct h2_client_conn *h2_client_adopt(
    struct h2_client *, const char *origin, int fd) FAB_WUR;
/*
 * Processes octets as if read from the connection's socket (callbacks
 * run inside).  Returns 0, or -1 once the connection is closed (the
 * handle is then invalid after the current dispatch pass).
 */
int h2_client_conn_feed(struct h2_client_conn *, const void *, size_t) FAB_WUR;

#endif
