/*
 * HTTP/2 server connections on the event loop (RFC 9113): the preface,
 * SETTINGS, header blocks, flow control in both directions, PING,
 * RST_STREAM, GOAWAY with graceful drain, stream states (§5.1) and the
 * defences against floods.  Cleartext prior knowledge, or TLS with ALPN
 * h2 (h2_server_set_tls).  Frames
 * and HPACK come from the pure codecs http/h2_frame and http/hpack; the
 * application (gRPC, see http/grpc_server.h) sits on struct h2_handler.
 */
#ifndef FABRIK_HTTP_H2_SERVER_H
#define FABRIK_HTTP_H2_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/hpack.h"
#include "net/loop.h"

/* A stream's queued response bytes above which h2_stream_write asks the
 * caller to wait for on_writable; on_writable fires when the queue falls
 * below H2_SERVER_LOW_WATER again. */
#ifndef H2_SERVER_HIGH_WATER
#define H2_SERVER_HIGH_WATER (1024 * 1024)
#endif
#ifndef H2_SERVER_LOW_WATER
#define H2_SERVER_LOW_WATER (256 * 1024)
#endif

/*
 * Limits and timeouts of one server; 0 in any field means the default in
 * brackets.  The three budgets are token buckets: a connection may spend
 * `burst` events at once and regains burst/10 per second; a connection
 * that overdraws one gets GOAWAY ENHANCE_YOUR_CALM.
 */
struct h2_limits {
	uint32_t max_concurrent_streams; /* SETTINGS value [100] */
	uint32_t initial_window; /* our stream receive window [1 MiB] */
	uint32_t connection_window; /* our connection receive window [16 MiB] */
	uint32_t max_header_list; /* decoded request header list [32768] */
	uint64_t handshake_timeout_ms; /* client preface + SETTINGS [10 s] */
	uint64_t idle_timeout_ms; /* nothing read or written [300 s] */
	uint64_t write_timeout_ms; /* output pending, no progress [30 s] */
	unsigned max_conns; /* connections at once [1024] */
	unsigned reset_burst; /* RST_STREAMs of client streams [200] */
	unsigned ping_burst; /* PINGs without ACK [100] */
	unsigned settings_burst; /* SETTINGS without ACK [50] */
};

struct h2_server;
struct h2_stream;

/*
 * What the application sees of a stream.  arg is the server's arg.
 * Every stream that reached on_request gets exactly one on_close, its
 * last callback; after it returns the stream is freed (deferred) and
 * must not be used.  Callbacks may call any h2_stream_* function on
 * their own stream, including h2_stream_reset.
 *   on_request: the request header block is complete (h2_stream_header
 *     reads it); end_stream is 1 when no body follows.
 *   on_data: request body octets (padding removed); consumed at once.
 *   on_end: the client half-closed the stream (END_STREAM, possibly on a
 *     trailer block, which is not delivered).
 *   on_writable: the queued response fell below H2_SERVER_LOW_WATER
 *     after h2_stream_write returned 1.
 *   on_close: the stream is closed; h2_error is H2_NO_ERROR when both
 *     sides ended normally, else the reset or connection error code.
 */
struct h2_handler {
	void (*on_request)(struct h2_stream *, int end_stream, void *arg);
	void (*on_data)(
	    struct h2_stream *, const unsigned char *, size_t, void *arg);
	void (*on_end)(struct h2_stream *, void *arg);
	void (*on_writable)(struct h2_stream *, void *arg);
	void (*on_close)(struct h2_stream *, uint32_t h2_error, void *arg);
};

/*
 * A server.  listen_fd (owned; -1 for none, then connections come only
 * from h2_server_adopt) is accepted from; name labels log lines; lim may
 * be NULL for the defaults; handler is copied.  NULL on ENOMEM.
 */
struct h2_server *h2_server_new(struct loop *, int listen_fd, const char *name,
    const struct h2_limits *, const struct h2_handler *, void *arg);
/* Serves an already accepted, non-blocking fd (owned from now on), e.g.
 * a socket whose first octets another server read to detect the preface:
 * pre[0..n) are those octets.  0, or -1 (fd closed). */
int h2_server_adopt(struct h2_server *, int fd, const void *pre, size_t n,
    const char *peer) FAB_WUR;
/*
 * Serves TLS (RFC 9113 §3.2) on the connections accepted from the
 * listening socket from now on: the certificate chain and private key
 * are PEM files; ALPN must select "h2" (a client offering other
 * protocols only gets a no_application_protocol alert; one offering
 * none is closed after the handshake).  The handshake counts against
 * handshake_timeout_ms.  Connections given to h2_server_adopt stay
 * cleartext.  Returns 0, or -1 with a message in err[0..errlen) (file
 * missing, key does not match).
 */
int h2_server_set_tls(struct h2_server *, const char *cert_file,
    const char *key_file, char *err, size_t errlen) FAB_WUR;
/* Stops accepting and sends every connection GOAWAY NO_ERROR with the
 * last stream it will process; connections close once their open streams
 * are done.  Streams above that id are refused. */
void h2_server_drain(struct h2_server *);
unsigned h2_server_conns(const struct h2_server *);
/* Closes every connection (on_close for every open stream) and frees. */
void h2_server_free(struct h2_server *);
/* Resolved limits (the defaults filled in). */
const struct h2_limits *h2_server_limits(const struct h2_server *);

/* ---- streams ---- */

uint32_t h2_stream_id(const struct h2_stream *);
struct loop *h2_stream_loop(const struct h2_stream *);
const char *h2_stream_peer(const struct h2_stream *);
/* The first request header named name (lowercase, NUL-terminated;
 * pseudo-headers such as ":path" too), or a span with p == NULL.  The
 * bytes are NUL-terminated and live as long as the stream. */
struct span h2_stream_header(const struct h2_stream *, const char *name);
/* The whole decoded request header list (lives as long as the stream). */
const struct hpack_list *h2_stream_headers(const struct h2_stream *);
void h2_stream_set_data(struct h2_stream *, void *);
void *h2_stream_data(const struct h2_stream *);

/*
 * Sends the response header block (fields in order, ":status" first),
 * encoded and queued at once, ahead of any DATA.  end_stream 1 ends the
 * response there (a Trailers-Only gRPC response).  0, or -1 when the
 * stream can no longer send (closed, reset, already responded) or ENOMEM.
 */
int h2_stream_respond(struct h2_stream *, const struct hpack_field *, size_t n,
    int end_stream) FAB_WUR;
/*
 * Queues response body octets (copied).  They leave as DATA frames as
 * the peer's connection and stream windows allow.  Returns 0; 1 when the
 * queue is now above H2_SERVER_HIGH_WATER (the octets were queued; wait
 * for on_writable before writing more); -1 when the stream cannot send
 * or on ENOMEM.
 */
int h2_stream_write(struct h2_stream *, const void *, size_t) FAB_WUR;
/*
 * Ends the response after the queued octets: with a trailer block of n
 * fields (n > 0) or an empty DATA frame with END_STREAM (n == 0).  If the
 * client has not half-closed by the time END_STREAM leaves, the stream is
 * then reset with NO_ERROR (RFC 9113 §8.1).  0 or -1 as above.
 */
int h2_stream_end(
    struct h2_stream *, const struct hpack_field *, size_t n) FAB_WUR;
/* Resets the stream with an RFC 9113 error code (dropping queued
 * output); on_close follows at once.  No-op once closed. */
void h2_stream_reset(struct h2_stream *, uint32_t h2_error);
/* Response octets queued and not yet sent as DATA. */
size_t h2_stream_queued(const struct h2_stream *);

/* Name of a stream state, for logs and tests ("open", ...). */
const char *h2_stream_state_name(const struct h2_stream *);

#endif
