/*
 * gRPC client calls over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md,
 * doc/http-grpc-status-mapping.md, doc/statuscodes.md): request headers
 * with grpc-timeout and metadata, Length-Prefixed-Messages out (with
 * backpressure) and in (bounded, one callback per message), and the final
 * status from trailers, a Trailers-Only response, the HTTP status, a
 * stream reset or a local failure.  Built on http/h2_client; see
 * doc/http2-client.md.
 *
 * A call's life, seen by the caller:
 *
 *   grpc_client_call_start()    returns a handle; nothing runs inside it
 *   grpc_client_call_send()*    client streaming: more request messages,
 *                               waiting for on_writable when it returns 1
 *   grpc_client_call_close_send()  client streaming: no more messages
 *   on_message*                 one per response message, in order
 *   on_done                     exactly once, last; the handle is invalid
 *                               after it returns
 *
 * grpc_client_call_cancel() instead ends a call at once (RST_STREAM
 * CANCEL) with no further callback.
 */
#ifndef FABRIK_HTTP_GRPC_CLIENT_H
#define FABRIK_HTTP_GRPC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/client.h"
#include "http/grpc_frame.h"
#include "http/h2_client.h"
#include "net/loop.h"

struct grpc_client;
struct grpc_client_call;

struct grpc_client_opts {
	struct h2_client_opts h2; /* connection options and timeouts */
	size_t max_message; /* largest response message; 0: GRPC_MAX_MESSAGE */
};

/* One metadata entry: lowercase name, value (both copied).  Names ending
 * in "-bin" take a base64 value.  "authorization" is sent never-indexed
 * (RFC 7541 §7.1.3).  Reserved names (content-type, te, grpc-timeout,
 * user-agent, grpc-*) are refused. */
struct grpc_client_metadata {
	const char *name;
	const char *value;
};

/*
 * The outcome of a call, given to on_done (valid during the call).
 *   code: enum grpc_status.
 *   message: the server's grpc-message, percent-decoded, or the local
 *     reason ("connection refused", "deadline exceeded", ...); "" when
 *     none, never NULL.
 *   http_status: the response :status, 0 when no response arrived.
 *   local: 1 when the client made the status up (connection failures,
 *     timeouts, resets, malformed responses); 0 when the server sent it.
 *   refused: 1 when the server certainly did not process the call (it
 *     is safe to try again; already retried once when possible).
 *   trailers: the trailer block (or the Trailers-Only block), or NULL.
 */
struct grpc_client_status {
	int code;
	const char *message;
	int http_status;
	int local;
	int refused;
	const struct hpack_list *trailers;
};

/* One response message; msg lives during the call.  Return 0, or -1 to
 * end the call (on_done follows with CANCELLED "aborted by the
 * caller"). */
typedef int grpc_client_message_cb(
    struct grpc_client_call *, const unsigned char *msg, size_t len, void *arg);
/* The call can take more request messages after send returned 1. */
typedef void grpc_client_writable_cb(struct grpc_client_call *, void *arg);
typedef void grpc_client_done_cb(
    struct grpc_client_call *, const struct grpc_client_status *, void *arg);

struct grpc_client_request {
	/* "grpc://host:port" (cleartext, prior knowledge) or
	 * "grpcs://host:port" (TLS, ALPN h2). */
	const char *target;
	const char *method; /* "/package.Service/Method" */
	const struct grpc_client_metadata *metadata;
	size_t nmetadata;
	/* Deadline from now, sent as grpc-timeout and enforced here; 0:
	 * none. */
	uint64_t timeout_ms;
	/*
	 * The first request message (copied).  Without client_streaming it
	 * is the whole request (unary and server streaming; NULL/0 sends
	 * one empty message) and the request side closes at once.  With
	 * client_streaming it is sent first when not NULL, and more follow
	 * through grpc_client_call_send until grpc_client_call_close_send.
	 */
	const void *message;
	size_t message_len;
	int client_streaming;
	grpc_client_message_cb *on_message;
	grpc_client_writable_cb *on_writable; /* may be NULL */
	grpc_client_done_cb *on_done;
	void *arg;
};

/*
 * A client on loop l with its own HTTP/2 connections (one per target,
 * shared by its calls).  opts may be NULL for the defaults.  NULL with a
 * message in err[0..errlen) on failure (bad CA file, ENOMEM).
 */
struct grpc_client *grpc_client_new(struct loop *,
    const struct grpc_client_opts *, char *err, size_t errlen) FAB_WUR;
/* Ends every call without callbacks, closes connections, frees after
 * the current dispatch pass.  May be called from a callback. */
void grpc_client_free(struct grpc_client *);
/* Name resolution hook, as h2_client_set_resolver. */
void grpc_client_set_resolver(
    struct grpc_client *, http_client_resolver *, void *arg);
/* The HTTP/2 client underneath (statistics). */
struct h2_client *grpc_client_h2(struct grpc_client *);

/*
 * Starts a call.  Returns the handle, or NULL with *err a static message
 * (bad target, method or metadata, message larger than 4 GiB, ENOMEM).
 * Everything else, including every failure to reach the server, ends in
 * on_done, never inside this call.  A call refused by the server
 * (GOAWAY, REFUSED_STREAM) is retried once on a fresh stream when it is
 * not client streaming.
 */
struct grpc_client_call *grpc_client_call_start(struct grpc_client *,
    const struct grpc_client_request *, const char **err) FAB_WUR;
/*
 * Client streaming: queues one more request message (copied; framed with
 * the 5-byte prefix).  Returns 0; 1 when the call's queue is above
 * H2_CLIENT_HIGH_WATER (the message was queued; wait for on_writable
 * before sending more); -1 when the request side is closed, the call is
 * ending or out of memory.
 */
int grpc_client_call_send(
    struct grpc_client_call *, const void *msg, size_t len) FAB_WUR;
/* Client streaming: no more request messages (half-close).  0 or -1. */
int grpc_client_call_close_send(struct grpc_client_call *) FAB_WUR;
/* Cancels the call (RST_STREAM CANCEL); no callback follows and the
 * handle is invalid afterwards.  Not to be called after on_done. */
void grpc_client_call_cancel(struct grpc_client_call *);

#endif
