/*
 * What every build-tool adapter shares: the environment (chain, auth,
 * limits), authentication with per-tool answers, serving a stored object,
 * and streaming a request body into the chain.
 */
#ifndef FABRIK_TOOL_H
#define FABRIK_TOOL_H

#include "auth/auth.h"
#include "cache/chain.h"
#include "http/server.h"

struct tools_env {
	struct chain *chain;
	struct auth *auth;
	uint64_t max_object_size;
};

/* Authenticates the request.  Returns the permission bits, or -1 after
 * answering 401 (with WWW-Authenticate realm) itself. */
int tool_auth(struct http_req *, const struct tools_env *, const char *scheme);

/*
 * The same for a gRPC call (metadata "authorization"): *perms is -1 until
 * the call authenticated (then kept, so streaming calls check once).
 * Returns GRPC_STATUS_OK, or UNAUTHENTICATED / PERMISSION_DENIED with
 * *msg; the failure is counted.  The caller finishes the call.
 */
struct grpc_call;
int tool_grpc_auth(
    struct auth *, struct grpc_call *, int *perms, int need, const char **msg);

/* Answers a request whose token lacks a permission with status (each
 * protocol has its own "read-only" answer) and counts it. */
void tool_forbidden(struct http_req *, int status, const char *msg);

/*
 * Looks key up for a GET or HEAD.  Returns STORE_OK with o filled (a hit,
 * counted), STORE_MISS (a final miss, counted: answer it), or
 * TOOL_SUSPENDED: the local store missed and the upstreams are being
 * asked; return at once — when the fetch ends, again(req, arg) runs the
 * handler anew (http_req_pass() > 0) and this call then answers from the
 * local store.
 */
#define TOOL_SUSPENDED 2
int tool_get(struct http_req *, const struct tools_env *,
    const unsigned char *key, int ns, struct store_obj *o, http_handler *again,
    void *arg) FAB_WUR;

/* Answers with the object's content (moves o into the response; o is
 * released either way).  status is usually 200. */
void tool_reply_obj(struct http_req *, struct chain *, struct store_obj *o,
    int status, const char *content_type);

/* Streams the request body into the chain under key.  When the body is
 * complete (or fails), done(req, rc, arg) runs with a STORE_* code; it
 * must answer the request.  If the client goes away, nothing is stored
 * and done is not called. */
typedef void tool_put_done(struct http_req *, int rc, void *arg);
void tool_put(struct http_req *, const struct tools_env *,
    const unsigned char *key, int ns, const void *meta, size_t meta_len,
    const unsigned char *expect_sha, tool_put_done *done, void *arg);

/* Maps a STORE_* error of a PUT to an HTTP status (413, 507, 400, 500). */
int tool_put_status(int rc);

/* Non-zero when s is 1..max lowercase hex digits. */
int tool_is_hex(struct span s, size_t min, size_t max);

#endif
