/*
 * The FabrikCache gRPC service over the layer chain (tools/fabrik_svc.h,
 * doc/protocol-fabrik.md).
 *
 * Untrusted input: every request message (decoded by pb_decode, then
 * checked by fabrik_pb_check_request: key and digest lengths, key count,
 * namespace, metadata and chunk sizes), namespace names (looked up in the
 * store's table, never used as paths), object sizes (checked against
 * max_object_size before a writer exists) and Put data (hashed by the
 * store writer: an object is committed only when exactly `size` bytes
 * arrived and they match `sha256`).  Credentials come from the
 * `authorization` metadata, checked by auth/ as for HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "cache/stats.h"
#include "http/grpc_frame.h"
#include "pb/fabrik_pb.h"
#include "tools/fabrik_svc.h"

_Static_assert(FABRIK_SVC_CHUNK <= FABRIK_PB_MAX_CHUNK, "chunk too large");
_Static_assert(FABRIK_PB_MAX_META <= STORE_META_MAX, "meta too large");

struct fabrik_svc {
	const struct tools_env *env;
};

/* A Put stream, message by message. */
enum fsv_put_state {
	FSV_PUT_FIRST, /* waiting for the header message */
	FSV_PUT_DATA, /* writing into the store */
	FSV_PUT_WAIT, /* committed; waiting for write-through uploads */
};

/* Per-call state. */
struct fsv_call {
	struct fabrik_svc *svc;
	struct buf req; /* the request message (unary, server streaming) */
	unsigned nmsg;
	int perms; /* -1 until authenticated */
	unsigned char key[FABRIK_PB_KEY_LEN];
	int ns;
	struct chain_wait *wait; /* a Get's fetch, or a Put's uploads */
	/* Get */
	uint64_t offset;
	struct store_obj o;
	int has_obj;
	uint64_t pos;
	/* Put */
	enum fsv_put_state put;
	struct store_writer *w;
	uint64_t size, got;
	unsigned char sha[FABRIK_PB_KEY_LEN];
};

/* ---- call state, replies, errors ---- */

static struct fsv_call *
fsv_get(struct grpc_call *call, void *arg)
{
	struct fsv_call *fc = grpc_call_data(call);

	if (fc == NULL) {
		if ((fc = calloc(1, sizeof(*fc))) == NULL)
			return NULL;
		fc->svc = arg;
		fc->perms = -1;
		fc->o.fd = -1;
		buf_init(&fc->req);
		grpc_call_set_data(call, fc);
	}
	return fc;
}

static void
fsv_release(struct grpc_call *call)
{
	struct fsv_call *fc = grpc_call_data(call);

	if (fc == NULL)
		return;
	grpc_call_set_data(call, NULL);
	grpc_call_on_writable(call, NULL, NULL);
	chain_wait_cancel(fc->wait);
	if (fc->w != NULL)
		chain_put_abort(fc->svc->env->chain, fc->w, fc->ns);
	if (fc->has_obj)
		store_obj_release(&fc->o);
	buf_release(&fc->req);
	free(fc);
}

static void
fsv_finish(struct grpc_call *call, int status, const char *msg)
{
	if (status != GRPC_STATUS_OK)
		log_debug("fabrik %s %s: %s: %s", grpc_call_peer(call),
		    grpc_call_path(call), grpc_frame_status_name(status),
		    msg != NULL ? msg : "");
	fsv_release(call);
	grpc_call_finish(call, status, msg);
}

/* Encodes m, sends it and ends the call with OK. */
static void
fsv_reply(struct grpc_call *call, const struct pb_msgdesc *desc, const void *m)
{
	struct buf out;

	buf_init(&out);
	if (pb_encode(desc, m, &out) != 0)
		fsv_finish(
		    call, GRPC_STATUS_INTERNAL, "cannot encode response");
	else if (grpc_call_send(call, out.data, out.len) == -1)
		fsv_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
	else
		fsv_finish(call, GRPC_STATUS_OK, NULL);
	buf_release(&out);
}

static void
fsv_cancel(struct grpc_call *call, void *arg)
{
	fsv_release(call);
}

/* Maps a STORE_* error to a gRPC status (one table for the protocol). */
static int
fsv_store_status(int rc)
{
	switch (rc) {
	case STORE_OK:
		return GRPC_STATUS_OK;
	case STORE_MISS:
		return GRPC_STATUS_NOT_FOUND;
	case STORE_ETOOBIG:
	case STORE_ENOSPC:
		return GRPC_STATUS_RESOURCE_EXHAUSTED;
	case STORE_EDIGEST:
		return GRPC_STATUS_INVALID_ARGUMENT;
	default:
		return GRPC_STATUS_INTERNAL;
	}
}

/*
 * Authenticates the call from its "authorization" metadata and checks
 * the permission need.  Returns 0, or -1 after finishing the call with
 * UNAUTHENTICATED or PERMISSION_DENIED.
 */
static int
fsv_auth(struct grpc_call *call, struct fsv_call *fc, int need)
{
	const char *msg;
	int st =
	    tool_grpc_auth(fc->svc->env->auth, call, &fc->perms, need, &msg);

	if (st != GRPC_STATUS_OK) {
		fsv_finish(call, st, msg);
		return -1;
	}
	return 0;
}

/*
 * Decodes m as desc and applies the protocol checks.  Returns 0, or -1
 * after finishing the call (INVALID_ARGUMENT; RESOURCE_EXHAUSTED when
 * memory ran out).
 */
static int
fsv_decode(struct grpc_call *call, const struct pb_msgdesc *desc,
    const unsigned char *m, size_t len, void *out, struct pb_arena *arena,
    bool first)
{
	const char *err = NULL;
	char msg[160];
	int rc;

	if ((rc = pb_decode(desc, m, len, out, arena, &err)) != 0) {
		snprintf(msg, sizeof(msg), "malformed %s: %s", desc->name,
		    err != NULL ? err : "?");
		fsv_finish(call,
		    rc == PB_ENOMEM ? GRPC_STATUS_RESOURCE_EXHAUSTED
				    : GRPC_STATUS_INVALID_ARGUMENT,
		    msg);
		return -1;
	}
	if (fabrik_pb_check_request(desc, out, first, &err) == -1) {
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		return -1;
	}
	return 0;
}

/*
 * The namespace id of a name: empty means "none" when allow_empty.
 * Returns the id, or -1 after finishing the call with INVALID_ARGUMENT.
 */
static int
fsv_ns(struct grpc_call *call, struct span name, int allow_empty)
{
	char s[FABRIK_PB_MAX_NAMESPACE + 1], msg[FABRIK_PB_MAX_NAMESPACE + 32];
	int ns;

	if (name.len == 0) {
		if (allow_empty)
			return STORE_NS_NONE;
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "namespace required in the first PutRequest");
		return -1;
	}
	memcpy(s, name.p, name.len);
	s[name.len] = '\0';
	if (memchr(s, '\0', name.len) != NULL || (ns = store_ns_parse(s)) < 0) {
		snprintf(msg, sizeof(msg), "unknown namespace \"%s\"", s);
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT, msg);
		return -1;
	}
	return ns;
}

static int
fsv_ns_is_cas(int ns)
{
	return ns == STORE_NS_BAZEL_CAS || ns == STORE_NS_OCI;
}

/* Unary and server-streaming requests: collects exactly one message. */
static void
fsv_collect(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct fsv_call *fc = fsv_get(call, arg);

	if (fc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	if (fc->nmsg++ > 0)
		return; /* refused at on_end */
	if (buf_append(&fc->req, m, len) == -1)
		fsv_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
}

/*
 * The start of every unary/server-streaming handler: state, one request
 * message, authentication, the decoded and checked request in *out.
 * Returns the state, or NULL after finishing the call.
 */
static struct fsv_call *
fsv_begin(struct grpc_call *call, void *arg, int need,
    const struct pb_msgdesc *desc, void *out, struct pb_arena *arena)
{
	struct fsv_call *fc = fsv_get(call, arg);

	if (fc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	if (fsv_auth(call, fc, need) == -1)
		return NULL;
	if (fc->nmsg != 1) {
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    fc->nmsg == 0 ? "no request message"
				  : "more than one request message");
		return NULL;
	}
	if (fsv_decode(
		call, desc, fc->req.data, fc->req.len, out, arena, true) == -1)
		return NULL;
	return fc;
}

/* ---- Exists ---- */

static void
fsv_exists_end(struct grpc_call *call, void *arg)
{
	struct fabrik_pb_exists_request req;
	struct fabrik_pb_exists_response resp;
	struct fsv_call *fc;
	struct pb_arena arena;
	size_t i;

	pb_arena_init(&arena);
	if ((fc = fsv_begin(call, arg, AUTH_READ,
		 &fabrik_pb_exists_request_desc, &req, &arena)) == NULL)
		goto out;
	if (fsv_ns(call, req.ns, 1) == -1)
		goto out;
	memset(&resp, 0, sizeof(resp));
	/* The present keys are a subset of the request's, in its order:
	 * they are compacted into the decoded array. */
	resp.keys = req.keys;
	for (i = 0; i < req.n_keys; i++)
		if (store_has(chain_store(fc->svc->env->chain), req.keys[i].p,
			NULL, NULL))
			resp.keys[resp.n_keys++] = req.keys[i];
	fsv_reply(call, &fabrik_pb_exists_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

/* ---- Get ---- */

/* Streams the object from fc->pos while the call's queue has room. */
static void
fsv_get_pump(struct grpc_call *call, void *arg)
{
	struct fsv_call *fc = grpc_call_data(call);
	unsigned char *chunk;
	struct buf msg;
	int64_t n;
	size_t want;
	int src = 0;

	if ((chunk = malloc(FABRIK_SVC_CHUNK)) == NULL) {
		fsv_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	buf_init(&msg);
	while (fc->pos < fc->o.size && src == 0) {
		want = fc->o.size - fc->pos > FABRIK_SVC_CHUNK
		    ? FABRIK_SVC_CHUNK
		    : (size_t)(fc->o.size - fc->pos);
		if ((n = store_obj_read(&fc->o, chunk, want, fc->pos)) <= 0) {
			fsv_finish(call, GRPC_STATUS_INTERNAL, "read error");
			goto out;
		}
		fc->pos += (uint64_t)n;
		buf_reset(&msg);
		if (pb_write_bytes(&msg, 3, chunk, (size_t)n) == -1) {
			fsv_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "out of memory");
			goto out;
		}
		if ((src = grpc_call_send(call, msg.data, msg.len)) == -1) {
			fsv_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
			goto out;
		}
	}
	if (fc->pos < fc->o.size) {
		grpc_call_on_writable(call, fsv_get_pump, NULL);
		goto out;
	}
	/* A whole read of an object not verified yet was hashed on the
	 * way: a mismatch must not end as a success. */
	if (fc->offset == 0 &&
	    store_obj_finish(chain_store(fc->svc->env->chain), &fc->o) == -1) {
		fsv_finish(call, GRPC_STATUS_DATA_LOSS,
		    "stored object failed its integrity check");
		goto out;
	}
	fsv_finish(call, GRPC_STATUS_OK, NULL);
out:
	buf_release(&msg);
	free(chunk);
}

/* Sends the first GetResponse (size, sha256, meta, namespace) and then
 * the content from the requested offset. */
static void
fsv_get_serve(struct grpc_call *call, struct fsv_call *fc)
{
	struct fabrik_pb_get_response first;
	struct buf msg;
	int src;

	/* Counted under the object's own namespace: a requester (another
	 * layer) may not know it. */
	stats_hit(fc->o.ns, fc->o.size);
	if (fc->offset > fc->o.size) {
		fsv_finish(call, GRPC_STATUS_OUT_OF_RANGE,
		    "offset past the end of the object");
		return;
	}
	memset(&first, 0, sizeof(first));
	first.size = fc->o.size;
	first.sha256 = span_make(fc->o.sha, sizeof(fc->o.sha));
	first.meta = span_make(fc->o.meta, fc->o.meta_len);
	first.ns = span_str(store_ns_name(fc->o.ns));
	fc->pos = fc->offset;
	buf_init(&msg);
	if (pb_encode(&fabrik_pb_get_response_desc, &first, &msg) != 0) {
		buf_release(&msg);
		fsv_finish(
		    call, GRPC_STATUS_INTERNAL, "cannot encode response");
		return;
	}
	src = grpc_call_send(call, msg.data, msg.len);
	buf_release(&msg);
	if (src == -1) {
		fsv_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
		return;
	}
	if (src == 1)
		grpc_call_on_writable(call, fsv_get_pump, NULL);
	else
		fsv_get_pump(call, NULL);
}

/* The chain's fetch ended: the object is in the local store, or not. */
static void
fsv_get_fetched(void *arg, int rc)
{
	struct grpc_call *call = arg;
	struct fsv_call *fc = grpc_call_data(call);

	(void)rc;
	fc->wait = NULL;
	if (store_get(chain_store(fc->svc->env->chain), fc->key, &fc->o) !=
	    STORE_OK) {
		stats_miss(fc->ns);
		fsv_finish(call, GRPC_STATUS_NOT_FOUND, "not found");
		return;
	}
	fc->has_obj = 1;
	fsv_get_serve(call, fc);
}

static void
fsv_get_end(struct grpc_call *call, void *arg)
{
	struct fabrik_pb_get_request req;
	struct fsv_call *fc;
	struct pb_arena arena;
	struct chain *chain;
	int ns;

	pb_arena_init(&arena);
	if ((fc = fsv_begin(call, arg, AUTH_READ, &fabrik_pb_get_request_desc,
		 &req, &arena)) == NULL)
		goto out;
	/* fsv_ns frees fc when it fails. */
	if ((ns = fsv_ns(call, req.ns, 1)) == -1)
		goto out;
	fc->ns = ns;
	chain = fc->svc->env->chain;
	memcpy(fc->key, req.key.p, sizeof(fc->key));
	fc->offset = req.offset;
	if (store_get(chain_store(chain), fc->key, &fc->o) == STORE_OK) {
		fc->has_obj = 1;
		fsv_get_serve(call, fc);
		goto out;
	}
	/* A local miss: the layers below, one fetch per key (single
	 * flight); the object is stored here before it is served. */
	if (chain_nupstreams(chain) > 0 &&
	    (fc->wait = chain_fetch(
		 chain, fc->key, fc->ns, fsv_get_fetched, call)) != NULL)
		goto out;
	stats_miss(fc->ns);
	fsv_finish(call, GRPC_STATUS_NOT_FOUND, "not found");
out:
	pb_arena_release(&arena);
}

/* ---- Put ---- */

static void
fsv_put_reply(struct grpc_call *call, uint64_t size, bool present)
{
	struct fabrik_pb_put_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.committed_size = size;
	resp.already_present = present;
	fsv_reply(call, &fabrik_pb_put_response_desc, &resp);
}

/* The first PutRequest: header checks, then a store writer.  Returns 0
 * to go on, -1 after finishing the call. */
static int
fsv_put_start(struct grpc_call *call, struct fsv_call *fc,
    struct fabrik_pb_put_request *req)
{
	const struct tools_env *env = fc->svc->env;
	char msg[128];
	int rc, ns;

	/* fsv_ns frees fc when it fails. */
	if ((ns = fsv_ns(call, req->ns, 0)) == -1)
		return -1;
	fc->ns = ns;
	if (fsv_ns_is_cas(fc->ns) && !span_eq(req->key, req->sha256)) {
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "content-addressed namespace: key must equal sha256");
		return -1;
	}
	if (req->size > env->max_object_size) {
		snprintf(msg, sizeof(msg),
		    "object of %llu bytes is over max_object_size (%llu)",
		    (unsigned long long)req->size,
		    (unsigned long long)env->max_object_size);
		stats_put(fc->ns, 0, 0);
		fsv_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, msg);
		return -1;
	}
	memcpy(fc->key, req->key.p, sizeof(fc->key));
	memcpy(fc->sha, req->sha256.p, sizeof(fc->sha));
	fc->size = req->size;
	if (store_has(chain_store(env->chain), fc->key, NULL, NULL)) {
		/* Nothing to store: answer now; the client stops sending and
		 * what is still in flight is dropped with the stream. */
		fsv_put_reply(call, fc->size, true);
		return -1;
	}
	rc = chain_put_begin(env->chain, fc->key, fc->ns, (int64_t)fc->size,
	    req->meta.len > 0 ? req->meta.p : NULL, req->meta.len, &fc->w);
	if (rc != STORE_OK) {
		fc->w = NULL;
		fsv_finish(call, fsv_store_status(rc), store_strerror(rc));
		return -1;
	}
	fc->put = FSV_PUT_DATA;
	return 0;
}

static void
fsv_put_msg(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct fabrik_pb_put_request req;
	struct fsv_call *fc = fsv_get(call, arg);
	struct pb_arena arena;
	int rc;

	if (fc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	pb_arena_init(&arena);
	if (fc->put == FSV_PUT_WAIT)
		goto out; /* a message after the commit cannot happen */
	if (fc->put == FSV_PUT_FIRST && fsv_auth(call, fc, AUTH_WRITE) == -1)
		goto out;
	if (fsv_decode(call, &fabrik_pb_put_request_desc, m, len, &req, &arena,
		fc->put == FSV_PUT_FIRST) == -1)
		goto out;
	if (fc->put == FSV_PUT_FIRST && fsv_put_start(call, fc, &req) == -1)
		goto out;
	if (req.data.len > fc->size - fc->got) {
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "more data than the size in the first PutRequest");
		goto out;
	}
	if (req.data.len > 0) {
		if ((rc = store_put_write(fc->w, req.data.p, req.data.len)) !=
		    STORE_OK) {
			fsv_finish(
			    call, fsv_store_status(rc), store_strerror(rc));
			goto out;
		}
		fc->got += req.data.len;
	}
out:
	pb_arena_release(&arena);
}

/* Write-through uploads ended (or timed out): answer. */
static void
fsv_put_uploaded(void *arg, int rc)
{
	struct grpc_call *call = arg;
	struct fsv_call *fc = grpc_call_data(call);

	(void)rc;
	fc->wait = NULL;
	fsv_put_reply(call, fc->size, false);
}

static void
fsv_put_end(struct grpc_call *call, void *arg)
{
	struct fsv_call *fc = fsv_get(call, arg);
	struct chain *chain;
	char msg[128];
	int rc;

	if (fc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	if (fc->put == FSV_PUT_FIRST) {
		if (fsv_auth(call, fc, AUTH_WRITE) == 0)
			fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
			    "no PutRequest");
		return;
	}
	chain = fc->svc->env->chain;
	if (fc->got != fc->size) {
		snprintf(msg, sizeof(msg),
		    "size mismatch: %llu of %llu bytes received",
		    (unsigned long long)fc->got, (unsigned long long)fc->size);
		fsv_finish(call, GRPC_STATUS_INVALID_ARGUMENT, msg);
		return;
	}
	rc = chain_put_commit(chain, fc->w, fc->ns, fc->size, fc->sha);
	fc->w = NULL;
	if (rc != STORE_OK) {
		fsv_finish(call, fsv_store_status(rc),
		    rc == STORE_EDIGEST ? "data does not match sha256"
					: store_strerror(rc));
		return;
	}
	fc->put = FSV_PUT_WAIT;
	if ((fc->wait = chain_wait_uploads(
		 chain, fc->key, 0, fsv_put_uploaded, call)) != NULL)
		return;
	fsv_put_reply(call, fc->size, false);
}

/* ---- Delete ---- */

static void
fsv_delete_end(struct grpc_call *call, void *arg)
{
	struct fabrik_pb_delete_request req;
	struct fabrik_pb_delete_response resp;
	struct fsv_call *fc;
	struct pb_arena arena;

	pb_arena_init(&arena);
	if ((fc = fsv_begin(call, arg, AUTH_WRITE,
		 &fabrik_pb_delete_request_desc, &req, &arena)) == NULL)
		goto out;
	if (fsv_ns(call, req.ns, 1) == -1)
		goto out;
	memset(&resp, 0, sizeof(resp));
	resp.deleted = chain_del(fc->svc->env->chain, req.key.p) == STORE_OK;
	fsv_reply(call, &fabrik_pb_delete_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

/* ---- GetStats ---- */

static void
fsv_stats_end(struct grpc_call *call, void *arg)
{
	struct fabrik_pb_get_stats_request req;
	struct fabrik_pb_get_stats_response resp;
	struct fabrik_pb_namespace_stats per[STORE_NS_COUNT];
	struct fsv_call *fc;
	struct pb_arena arena;
	const struct index_rec *rec;
	struct index *ix;
	uint64_t i, cap;
	int ns, only;

	pb_arena_init(&arena);
	if ((fc = fsv_begin(call, arg, AUTH_READ,
		 &fabrik_pb_get_stats_request_desc, &req, &arena)) == NULL)
		goto out;
	only = -1;
	if (req.ns.len > 0 && (only = fsv_ns(call, req.ns, 0)) == -1)
		goto out;
	memset(per, 0, sizeof(per));
	ix = store_index(chain_store(fc->svc->env->chain));
	cap = index_capacity(ix);
	for (i = 0; i < cap; i++) {
		rec = index_slot(ix, i);
		if (!rec->used || rec->ns >= STORE_NS_COUNT)
			continue;
		per[rec->ns].objects++;
		per[rec->ns].bytes += rec->size;
	}
	memset(&resp, 0, sizeof(resp));
	resp.namespaces = per;
	for (ns = 0; ns < STORE_NS_COUNT; ns++) {
		struct fabrik_pb_namespace_stats e = per[ns];

		if (only >= 0 && ns != only)
			continue;
		e.ns = span_str(store_ns_name(ns));
		e.hits = stats.tool[ns].hits;
		e.misses = stats.tool[ns].misses;
		resp.objects += e.objects;
		resp.bytes += e.bytes;
		resp.hits += e.hits;
		resp.misses += e.misses;
		if (e.objects == 0 && e.hits == 0 && e.misses == 0)
			continue;
		per[resp.n_namespaces++] = e;
	}
	fsv_reply(call, &fabrik_pb_get_stats_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

/* ---- table and lifetime ---- */

#define SVC "/fabrik.v1.FabrikCache/"

const struct grpc_method fabrik_svc_methods[] = {
	{ SVC "Exists", fsv_collect, fsv_exists_end, fsv_cancel },
	{ SVC "Get", fsv_collect, fsv_get_end, fsv_cancel },
	{ SVC "Put", fsv_put_msg, fsv_put_end, fsv_cancel },
	{ SVC "Delete", fsv_collect, fsv_delete_end, fsv_cancel },
	{ SVC "GetStats", fsv_collect, fsv_stats_end, fsv_cancel },
};
const size_t fabrik_svc_nmethods =
    sizeof(fabrik_svc_methods) / sizeof(fabrik_svc_methods[0]);

struct fabrik_svc *
fabrik_svc_new(const struct tools_env *env)
{
	struct fabrik_svc *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->env = env;
	return s;
}

void
fabrik_svc_free(struct fabrik_svc *s)
{
	free(s);
}
