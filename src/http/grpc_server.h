/*
 * gRPC server calls over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): routes
 * "/package.Service/Method" through a caller's const table, reassembles
 * Length-Prefixed-Messages (http/grpc_frame), enforces grpc-timeout as a
 * per-call deadline, and sends response headers, messages and trailers
 * (or Trailers-Only responses for errors).  Built on http/h2_server.
 *
 * A call's life, seen by a service:
 *
 *   on_message*  (one per request message, in order)
 *   on_end       (the client half-closed; unary and client streaming
 *                 reply here, server streaming may have started earlier)
 *   ...          grpc_call_send() any number of times, then exactly one
 *                grpc_call_finish(); after it the call must not be used.
 *   on_cancel    instead of the above whenever the call dies first (client
 *                RST_STREAM, deadline, connection loss, a protocol error
 *                in the request such as a bad message prefix): release
 *                the call's state; the call must not be used after
 *                on_cancel returns (and grpc_call_finish is not called).
 *
 * Callbacks run on the loop; each may call grpc_call_send/finish on its
 * own call.  A service that answers later (after an upstream fetch) keeps
 * the call pointer until it finishes or on_cancel arrives.
 */
#ifndef FABRIK_HTTP_GRPC_SERVER_H
#define FABRIK_HTTP_GRPC_SERVER_H

#include <stddef.h>

#include "base/buf.h"
#include "http/h2_server.h"
#include "net/loop.h"

struct grpc_call;
struct grpc_server;

/* One request message; msg lives until the callback returns. */
typedef void grpc_msg_fn(
    struct grpc_call *, const unsigned char *msg, size_t len, void *arg);
/* The client half-closed: no more messages. */
typedef void grpc_end_fn(struct grpc_call *, void *arg);
/* The call is gone (RST, deadline, connection loss): release state. */
typedef void grpc_cancel_fn(struct grpc_call *, void *arg);
typedef void grpc_writable_fn(struct grpc_call *, void *arg);

/* A method: path is "/package.Service/Method"; any callback may be NULL
 * (a NULL on_end finishes the call with OK). */
struct grpc_method {
	const char *path;
	grpc_msg_fn *on_message;
	grpc_end_fn *on_end;
	grpc_cancel_fn *on_cancel;
};

/*
 * A server on listen_fd (owned; -1 for none, see grpc_server_adopt).
 * methods[0..n) is borrowed and must outlive the server; arg is passed to
 * every method callback; lim may be NULL for the h2 defaults.  Logs with
 * name.  NULL on failure.
 */
struct grpc_server *grpc_server_new(struct loop *, int listen_fd,
    const char *name, const struct grpc_method *methods, size_t n, void *arg,
    const struct h2_limits *lim);
/* Serves an accepted non-blocking fd whose first octets pre[0..n) were
 * already read (HTTP/1.1 and h2 on one port); see h2_server_adopt. */
int grpc_server_adopt(struct grpc_server *, int fd, const void *pre, size_t n,
    const char *peer) FAB_WUR;
/* TLS with ALPN h2 on the listening socket (grpcs://); see
 * h2_server_set_tls.  0, or -1 with a message in err[0..errlen). */
int grpc_server_set_tls(struct grpc_server *, const char *cert_file,
    const char *key_file, char *err, size_t errlen) FAB_WUR;
/* Largest request message (0: GRPC_MAX_MESSAGE); larger ones end the
 * call with RESOURCE_EXHAUSTED. */
void grpc_server_set_max_message(struct grpc_server *, size_t);
/* Stops accepting; GOAWAY to every connection; calls in progress finish. */
void grpc_server_drain(struct grpc_server *);
unsigned grpc_server_conns(const struct grpc_server *);
/* Closes everything (on_cancel for calls in progress) and frees. */
void grpc_server_free(struct grpc_server *);

/*
 * Queues one response message (copied; the response headers go first on
 * the first call).  Leaves as the client's flow-control windows allow.
 * Returns 0; 1 when the call's queue is above H2_SERVER_HIGH_WATER (the
 * message was queued: wait for grpc_call_on_writable before sending
 * more); -1 when the call is finished, gone or out of memory.
 */
int grpc_call_send(struct grpc_call *, const void *msg, size_t len) FAB_WUR;
/*
 * Ends the call with a status (enum grpc_status) and a message (UTF-8,
 * percent-encoded on the wire; NULL or "" for none): trailers after any
 * messages, or a Trailers-Only response if nothing was sent.  The call
 * must not be used afterwards.
 */
void grpc_call_finish(struct grpc_call *, int grpc_status, const char *message);
/* Request metadata: the first header named name (lowercase), e.g.
 * "authorization"; "-bin" values are returned base64 as sent.  A span
 * with p == NULL when absent.  Valid until finish/on_cancel. */
struct span grpc_call_metadata(const struct grpc_call *, const char *name);
/* The method being called ("/package.Service/Method"). */
const char *grpc_call_path(const struct grpc_call *);
const char *grpc_call_peer(const struct grpc_call *);
struct loop *grpc_call_loop(const struct grpc_call *);
void grpc_call_set_data(struct grpc_call *, void *);
void *grpc_call_data(const struct grpc_call *);
/* Calls cb once, the next time the call's queued response falls below
 * H2_SERVER_LOW_WATER after grpc_call_send returned 1 (backpressure for
 * server streaming).  cb NULL cancels. */
void grpc_call_on_writable(struct grpc_call *, grpc_writable_fn *cb, void *);

#endif
