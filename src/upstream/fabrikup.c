/*
 * The Fabrik protocol upstream over http/grpc_client
 * (upstream/fabrikup.h, doc/protocol-fabrik.md).
 *
 * Untrusted input: the other layer's responses.  Every GetResponse is
 * decoded by pb_decode and checked by fabrik_pb_check_get_response
 * (digest length, namespace, metadata and chunk sizes); content beyond
 * the announced size, an unknown namespace or a stream that ends short
 * fails the get, and the chain's store verifies the SHA-256 before
 * anything is visible, so a bad answer is a miss, never a wrong hit.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/grpc_client.h"
#include "pb/fabrik_pb.h"
#include "store/store.h"
#include "upstream/fabrikup.h"
#include "upstream/s3client.h"

_Static_assert(FABRIKUP_CHUNK <= FABRIK_PB_MAX_CHUNK, "chunk too large");

#define FABRIKUP_SVC "/fabrik.v1.FabrikCache/"

struct fabrikup {
	struct grpc_client *gc;
	char *target;
	char *bearer; /* "Bearer <token>", or NULL */
	struct grpc_client_metadata md[1];
	size_t nmd;
	struct upstream_op *ops; /* live operations */
};

enum fabrikup_kind { FABRIKUP_GET, FABRIKUP_PUT, FABRIKUP_DEL };

struct upstream_op {
	struct fabrikup *u;
	enum fabrikup_kind kind;
	struct grpc_client_call *call;
	const struct upstream_get_cb *gcb;
	upstream_done_cb *done;
	void *arg;
	/* get */
	int have_head;
	uint64_t size, got;
	const char *bad; /* why the answer was refused */
	/* put */
	struct upstream_src src;
	uint64_t pos;
	int present; /* the other layer already had it */
	int closed; /* the request side is closed */
	struct upstream_op *prev, *next;
};

const char *
fabrikup_check_url(const char *url)
{
	const char *p, *end;
	unsigned long port;
	char *e;

	if (strncmp(url, "grpc://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "grpcs://", 8) == 0)
		p = url + 8;
	else
		return "not a grpc:// or grpcs:// URL";
	if (*p == '[') {
		if ((end = strchr(p, ']')) == NULL || end == p + 1)
			return "malformed IPv6 literal";
		end++;
	} else {
		end = p + strcspn(p, ":/?#@");
		if (end == p)
			return "no host";
		if (*end == '?' || *end == '#' || *end == '@')
			return "only host and port are allowed";
	}
	if (*end == ':') {
		if (end[1] < '0' || end[1] > '9')
			return "malformed port";
		port = strtoul(end + 1, &e, 10);
		if (port == 0 || port > 65535)
			return "port out of range";
		end = e;
	}
	if (*end == '/')
		end++;
	if (*end != '\0')
		return "only host and port are allowed (no path)";
	return NULL;
}

/* ---- operations ---- */

static struct upstream_op *
op_new(struct fabrikup *u, enum fabrikup_kind kind, void *arg)
{
	struct upstream_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->u = u;
	op->kind = kind;
	op->arg = arg;
	op->next = u->ops;
	if (u->ops != NULL)
		u->ops->prev = op;
	u->ops = op;
	return op;
}

static void
op_free(struct upstream_op *op)
{
	struct fabrikup *u = op->u;

	if (op->prev != NULL)
		op->prev->next = op->next;
	else
		u->ops = op->next;
	if (op->next != NULL)
		op->next->prev = op->prev;
	free(op);
}

/* Starts a call of method with the request message m (client streaming
 * when streaming).  NULL with *err on failure. */
static struct grpc_client_call *
op_call(struct upstream_op *op, const char *method, const struct buf *m,
    int streaming, grpc_client_message_cb *on_message,
    grpc_client_writable_cb *on_writable, grpc_client_done_cb *on_done,
    const char **err)
{
	struct grpc_client_request r;

	memset(&r, 0, sizeof(r));
	r.target = op->u->target;
	r.method = method;
	r.metadata = op->u->md;
	r.nmetadata = op->u->nmd;
	r.message = m->data;
	r.message_len = m->len;
	r.client_streaming = streaming;
	r.on_message = on_message;
	r.on_writable = on_writable;
	r.on_done = on_done;
	r.arg = op;
	return grpc_client_call_start(op->u->gc, &r, err);
}

/* Starts a unary call of method whose request is req (enc_err is the
 * error if it cannot be encoded).  Returns 0, or -1 with *err and op
 * freed. */
static int
op_start(struct upstream_op *op, const struct pb_msgdesc *desc, const void *req,
    const char *method, const char *enc_err, grpc_client_message_cb *on_message,
    grpc_client_done_cb *on_done, const char **err)
{
	struct buf m;

	buf_init(&m);
	if (pb_encode(desc, req, &m) != 0)
		*err = enc_err;
	else
		op->call =
		    op_call(op, method, &m, 0, on_message, NULL, on_done, err);
	buf_release(&m);
	if (op->call != NULL)
		return 0;
	op_free(op);
	return -1;
}

/* "STATUS_NAME: message" of a failed call, into out. */
static void
status_text(const struct grpc_client_status *st, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", grpc_frame_status_name(st->code),
	    *st->message != '\0' ? ": " : "", st->message);
}

/* ---- get ---- */

static int
get_message(struct grpc_client_call *call, const unsigned char *m, size_t len,
    void *arg)
{
	struct upstream_op *op = arg;
	struct fabrik_pb_get_response r;
	struct upstream_info info;
	struct pb_arena arena;
	char ns[FABRIK_PB_MAX_NAMESPACE + 1];
	const char *err = NULL;
	int rc = -1;

	pb_arena_init(&arena);
	if (pb_decode(&fabrik_pb_get_response_desc, m, len, &r, &arena, &err) !=
	    0) {
		op->bad = "malformed GetResponse";
		goto out;
	}
	if (fabrik_pb_check_get_response(&r, !op->have_head, &err) == -1) {
		op->bad = err;
		goto out;
	}
	if (!op->have_head) {
		memset(&info, 0, sizeof(info));
		memcpy(ns, r.ns.p != NULL ? r.ns.p : (const unsigned char *)"",
		    r.ns.len);
		ns[r.ns.len] = '\0';
		if (r.ns.len == 0)
			info.ns = STORE_NS_NONE;
		else if (memchr(ns, '\0', r.ns.len) != NULL ||
		    (info.ns = store_ns_parse(ns)) < 0) {
			op->bad = "unknown namespace in GetResponse";
			goto out;
		}
		info.size = r.size;
		memcpy(info.sha, r.sha256.p, sizeof(info.sha));
		info.meta = r.meta.len > 0 ? r.meta.p : NULL;
		info.meta_len = r.meta.len;
		op->size = r.size;
		op->have_head = 1;
		if (op->gcb->head(op->arg, &info) == -1) {
			op->bad = "refused by the caller";
			goto out;
		}
	}
	if (r.data.len > op->size - op->got) {
		op->bad = "the object is longer than its size";
		goto out;
	}
	if (r.data.len > 0) {
		op->got += r.data.len;
		if (op->gcb->data(op->arg, r.data.p, r.data.len) == -1) {
			op->bad = "refused by the caller";
			goto out;
		}
	}
	rc = 0;
out:
	pb_arena_release(&arena);
	return rc;
}

static void
get_done(struct grpc_client_call *call, const struct grpc_client_status *st,
    void *arg)
{
	struct upstream_op *op = arg;
	const struct upstream_get_cb *cb = op->gcb;
	void *cbarg = op->arg;
	char msg[256];
	int rc = UPSTREAM_OK;

	msg[0] = '\0';
	if (op->bad != NULL) {
		rc = UPSTREAM_FAIL;
		snprintf(msg, sizeof(msg), "%s", op->bad);
	} else if (st->code == GRPC_STATUS_NOT_FOUND) {
		rc = UPSTREAM_MISS;
	} else if (st->code != GRPC_STATUS_OK) {
		rc = UPSTREAM_FAIL;
		status_text(st, msg, sizeof(msg));
	} else if (!op->have_head || op->got != op->size) {
		rc = UPSTREAM_FAIL;
		snprintf(msg, sizeof(msg), "truncated object");
	}
	op_free(op);
	cb->done(cbarg, rc, msg[0] != '\0' ? msg : NULL);
}

static struct upstream_op *
fabrikup_get(void *impl, const unsigned char *key,
    const struct upstream_get_cb *cb, void *arg, const char **err)
{
	struct fabrikup *u = impl;
	struct fabrik_pb_get_request req;
	struct upstream_op *op;

	if ((op = op_new(u, FABRIKUP_GET, arg)) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->gcb = cb;
	memset(&req, 0, sizeof(req));
	req.key = span_make(key, UPSTREAM_KEY_LEN);
	if (op_start(op, &fabrik_pb_get_request_desc, &req, FABRIKUP_SVC "Get",
		"cannot encode GetRequest", get_message, get_done, err) == -1)
		return NULL;
	return op;
}

/* ---- put ---- */

/*
 * Appends PutRequest{data: up to FABRIKUP_CHUNK bytes from op->pos} to
 * m, reading the content through op->src.  Returns 0, or -1 with *err.
 */
static int
put_chunk(struct upstream_op *op, struct buf *m, unsigned char *chunk,
    const char **err)
{
	size_t want;
	int64_t n;

	if (op->pos >= op->size)
		return 0;
	want = op->size - op->pos > FABRIKUP_CHUNK
	    ? FABRIKUP_CHUNK
	    : (size_t)(op->size - op->pos);
	n = op->src.read(op->src.arg, chunk, want, op->pos);
	if (n <= 0) {
		*err = "cannot read the object";
		return -1;
	}
	if (pb_write_bytes(m, 5, chunk, (size_t)n) == -1) {
		*err = "out of memory";
		return -1;
	}
	op->pos += (uint64_t)n;
	return 0;
}

/*
 * Sends data messages until the call's queue is full (then on_writable
 * continues) or the content is all out (then the request side closes).
 * Returns 0, or -1 with *err (the caller ends the operation).
 */
static int
put_pump(struct upstream_op *op, const char **err)
{
	unsigned char *chunk;
	struct buf m;
	int rc = 0, src = 0;

	if ((chunk = malloc(FABRIKUP_CHUNK)) == NULL) {
		*err = "out of memory";
		return -1;
	}
	buf_init(&m);
	while (op->pos < op->size && src == 0) {
		buf_reset(&m);
		if (put_chunk(op, &m, chunk, err) == -1) {
			rc = -1;
			goto out;
		}
		/* -1: the call is ending (the other layer answered early,
		 * e.g. already_present); on_done follows. */
		if ((src = grpc_client_call_send(op->call, m.data, m.len)) ==
		    -1)
			goto out;
	}
	if (op->pos >= op->size && !op->closed) {
		op->closed = 1;
		/* -1: the call is ending; on_done follows. */
		if (grpc_client_call_close_send(op->call) == -1)
			log_debug(
			    "upstream %s: put ended before its half-close",
			    op->u->target);
	}
out:
	buf_release(&m);
	free(chunk);
	return rc;
}

static void
put_writable(struct grpc_client_call *call, void *arg)
{
	struct upstream_op *op = arg;
	upstream_done_cb *done = op->done;
	void *cbarg = op->arg;
	const char *err = NULL;

	if (put_pump(op, &err) == 0)
		return;
	grpc_client_call_cancel(op->call);
	op_free(op);
	done(cbarg, UPSTREAM_FAIL, err);
}

static int
put_message(struct grpc_client_call *call, const unsigned char *m, size_t len,
    void *arg)
{
	struct upstream_op *op = arg;
	struct fabrik_pb_put_response r;
	struct pb_arena arena;
	int rc = 0;

	pb_arena_init(&arena);
	if (pb_decode(&fabrik_pb_put_response_desc, m, len, &r, &arena, NULL) !=
	    0) {
		op->bad = "malformed PutResponse";
		rc = -1;
	} else
		op->present = r.already_present;
	pb_arena_release(&arena);
	return rc;
}

/* Put and Delete end the same way. */
static void
op_done(struct grpc_client_call *call, const struct grpc_client_status *st,
    void *arg)
{
	struct upstream_op *op = arg;
	upstream_done_cb *done = op->done;
	void *cbarg = op->arg;
	char msg[256];
	int rc = UPSTREAM_OK;

	msg[0] = '\0';
	if (op->bad != NULL) {
		rc = UPSTREAM_FAIL;
		snprintf(msg, sizeof(msg), "%s", op->bad);
	} else if (st->code != GRPC_STATUS_OK) {
		rc = UPSTREAM_FAIL;
		status_text(st, msg, sizeof(msg));
	} else if (op->kind == FABRIKUP_PUT && op->present)
		log_debug("upstream %s: already present", op->u->target);
	op_free(op);
	done(cbarg, rc, msg[0] != '\0' ? msg : NULL);
}

static struct upstream_op *
fabrikup_put(void *impl, const unsigned char *key,
    const struct upstream_info *in, const struct upstream_src *src,
    upstream_done_cb *done, void *arg, const char **err)
{
	struct fabrikup *u = impl;
	struct fabrik_pb_put_request req;
	struct upstream_op *op;
	unsigned char *chunk = NULL;
	struct buf m;

	if (in->meta_len > FABRIK_PB_MAX_META) {
		*err = "metadata too large";
		return NULL;
	}
	if ((op = op_new(u, FABRIKUP_PUT, arg)) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->done = done;
	op->src = *src;
	op->size = in->size;
	buf_init(&m);
	memset(&req, 0, sizeof(req));
	req.key = span_make(key, UPSTREAM_KEY_LEN);
	req.ns = span_str(store_ns_name(in->ns));
	req.size = in->size;
	req.sha256 = span_make(in->sha, sizeof(in->sha));
	req.meta = span_make(in->meta, in->meta_len);
	if (pb_encode(&fabrik_pb_put_request_desc, &req, &m) != 0) {
		*err = "cannot encode PutRequest";
		goto fail;
	}
	/* The first chunk rides in the header message (fields are merged
	 * by number: a data record appended after the header is the same
	 * message). */
	if ((chunk = malloc(FABRIKUP_CHUNK)) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	if (put_chunk(op, &m, chunk, err) == -1)
		goto fail;
	free(chunk);
	chunk = NULL;
	if ((op->call = op_call(op, FABRIKUP_SVC "Put", &m, 1, put_message,
		 put_writable, op_done, err)) == NULL)
		goto fail;
	buf_release(&m);
	if (put_pump(op, err) == -1) {
		grpc_client_call_cancel(op->call);
		op_free(op);
		return NULL;
	}
	return op;
fail:
	free(chunk);
	buf_release(&m);
	op_free(op);
	return NULL;
}

/* ---- delete ---- */

static int
del_message(struct grpc_client_call *call, const unsigned char *m, size_t len,
    void *arg)
{
	return 0;
}

static struct upstream_op *
fabrikup_del(void *impl, const unsigned char *key, upstream_done_cb *done,
    void *arg, const char **err)
{
	struct fabrikup *u = impl;
	struct fabrik_pb_delete_request req;
	struct upstream_op *op;

	if ((op = op_new(u, FABRIKUP_DEL, arg)) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->done = done;
	memset(&req, 0, sizeof(req));
	req.key = span_make(key, UPSTREAM_KEY_LEN);
	if (op_start(op, &fabrik_pb_delete_request_desc, &req,
		FABRIKUP_SVC "Delete", "cannot encode DeleteRequest",
		del_message, op_done, err) == -1)
		return NULL;
	return op;
}

/* ---- lifetime ---- */

static void
fabrikup_cancel(void *impl, struct upstream_op *op)
{
	(void)impl;
	grpc_client_call_cancel(op->call);
	op_free(op);
}

static void
fabrikup_free(void *impl)
{
	struct fabrikup *u = impl;

	/* Ends every call without callbacks (deletes are not tracked by
	 * the chain, so some may still be out). */
	grpc_client_free(u->gc);
	while (u->ops != NULL)
		op_free(u->ops);
	free(u->target);
	free(u->bearer);
	free(u);
}

static const struct upstream_ops fabrikup_ops = { fabrikup_get, fabrikup_put,
	fabrikup_del, fabrikup_cancel, fabrikup_free };

int
fabrikup_new(struct upstream *up, struct loop *l, struct resolver *res,
    const struct upstream_config *cfg, char *err, size_t errlen)
{
	struct grpc_client_opts o;
	struct fabrikup *u;
	const char *why;
	size_t tlen;

	if ((why = fabrikup_check_url(cfg->url)) != NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (cfg->token != NULL &&
	    ((tlen = strlen(cfg->token)) > FABRIKUP_MAX_TOKEN ||
		strpbrk(cfg->token, "\r\n") != NULL)) {
		snprintf(err, errlen, "token too long or not one line");
		return -1;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->target = strdup(cfg->url)) == NULL)
		goto nomem;
	if (cfg->token != NULL) {
		tlen = strlen(cfg->token) + sizeof("Bearer ");
		if ((u->bearer = malloc(tlen)) == NULL)
			goto nomem;
		snprintf(u->bearer, tlen, "Bearer %s", cfg->token);
		u->md[0].name = "authorization";
		u->md[0].value = u->bearer;
		u->nmd = 1;
	}
	memset(&o, 0, sizeof(o));
	o.h2.connect_timeout_ms = cfg->timeout_ms;
	o.h2.request_timeout_ms = cfg->timeout_ms;
	o.h2.tls_ca_file = cfg->tls_ca_file;
	if ((u->gc = grpc_client_new(l, &o, err, errlen)) == NULL)
		goto fail;
	if (res != NULL)
		grpc_client_set_resolver(u->gc, s3client_resolve, res);
	up->ops = &fabrikup_ops;
	up->impl = u;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (u != NULL) {
		free(u->target);
		free(u->bearer);
		free(u);
	}
	return -1;
}
