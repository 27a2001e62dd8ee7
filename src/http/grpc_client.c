/*
 * gRPC client calls on HTTP/2 streams (grpc/grpc doc/PROTOCOL-HTTP2.md,
 * doc/http-grpc-status-mapping.md).  Untrusted input: the response
 * headers, DATA and trailers a server sends; messages are bounded by
 * max_message before anything is kept (http/grpc_frame's reader), the
 * status code and message are parsed with bounds, and a call ends in
 * exactly one on_done whatever the server does.  How a status is chosen
 * is one table-like function, call_status().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/grpc_client.h"
#include "http/h2_frame.h"

struct grpc_client {
	struct loop *loop;
	struct h2_client *h2;
	size_t max_message;
	struct grpc_client_call *calls; /* live calls */
	int freed;
	int defers;
};

struct grpc_client_call {
	struct grpc_client *cl;
	struct h2_client_stream *st; /* the current attempt */
	char *target;
	char *method;
	struct hpack_list md; /* caller metadata */
	struct buf first; /* framed first message, kept for a retry */
	int client_streaming;
	int retried;
	int done; /* on_done ran, or cancelled: no more callbacks */
	int released; /* unlinked, free deferred */
	uint64_t deadline_at; /* absolute loop ms; 0: none */
	struct grpc_frame_reader rd;
	int http_status;
	int grpc_response; /* 200 with an application/grpc content-type */
	/* A failure found here, reported at on_close. */
	int fail_code;
	const char *fail_msg;
	grpc_client_message_cb *on_message;
	grpc_client_writable_cb *on_writable;
	grpc_client_done_cb *on_done;
	void *arg;
	struct grpc_client_call *prev, *next;
};

static const struct h2_client_callbacks call_h2_callbacks;

static void
client_free_deferred(struct loop *l, void *arg)
{
	struct grpc_client *cl = arg;

	if (cl->defers > 0) {
		if (loop_defer(l, client_free_deferred, cl) == 0)
			return;
	}
	free(cl);
}

static void
call_free_deferred(struct loop *l, void *arg)
{
	struct grpc_client_call *call = arg;

	call->cl->defers--;
	free(call->target);
	free(call->method);
	hpack_list_release(&call->md);
	buf_release(&call->first);
	grpc_frame_reader_release(&call->rd);
	free(call);
}

/* Unlinks the call and frees it after this dispatch pass. */
static void
call_release(struct grpc_client_call *call)
{
	struct grpc_client *cl = call->cl;

	call->done = 1;
	call->st = NULL;
	if (call->released)
		return;
	call->released = 1;
	if (call->prev != NULL)
		call->prev->next = call->next;
	else
		cl->calls = call->next;
	if (call->next != NULL)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
	if (loop_defer(cl->loop, call_free_deferred, call) == -1)
		log_error("grpc client: cannot defer a free; leaking a call");
	else
		cl->defers++;
}

static int
field_push(
    struct hpack_list *l, const char *name, const char *value, unsigned flags)
{
	struct hpack_field f;

	f.name = span_str(name);
	f.value = span_str(value);
	f.flags = flags;
	return hpack_list_add(l, &f);
}

/* Starts one attempt of the call on a new HTTP/2 stream; NULL err on
 * success, else a static message. */
static const char *
call_attempt(struct grpc_client_call *call)
{
	struct h2_client_request r;
	struct hpack_list h;
	char to[GRPC_TIMEOUT_MAX_LEN + 1];
	uint64_t now = loop_now(call->cl->loop), left = 0;
	const char *err = NULL;
	size_t i;
	int rc;

	if (call->deadline_at != 0) {
		if (now >= call->deadline_at)
			return "deadline exceeded";
		left = call->deadline_at - now;
	}
	hpack_list_init(&h);
	rc = field_push(&h, "content-type", "application/grpc", 0);
	if (rc == 0)
		rc = field_push(&h, "te", "trailers", 0);
	if (rc == 0 && left > 0) {
		grpc_frame_format_timeout(to, left);
		rc = field_push(&h, "grpc-timeout", to, HPACK_NO_INDEX);
	}
	if (rc == 0)
		rc = field_push(&h, "user-agent", "fabrik-grpc", 0);
	for (i = 0; rc == 0 && i < call->md.count; i++)
		rc = hpack_list_add(&h, &call->md.fields[i]);
	if (rc == -1) {
		hpack_list_release(&h);
		return "out of memory";
	}
	memset(&r, 0, sizeof(r));
	r.origin = call->target;
	r.method = "POST";
	r.path = call->method;
	r.headers = h.fields;
	r.nheaders = h.count;
	r.body = call->first.data;
	r.body_len = call->first.len;
	r.end_stream = !call->client_streaming;
	r.deadline_ms = left;
	r.cb = &call_h2_callbacks;
	r.arg = call;
	grpc_frame_reader_release(&call->rd);
	grpc_frame_reader_init(&call->rd, call->cl->max_message);
	call->http_status = 0;
	call->grpc_response = 0;
	call->fail_code = 0;
	call->fail_msg = NULL;
	call->st = h2_client_stream_start(call->cl->h2, &r, &err);
	hpack_list_release(&h);
	return call->st == NULL ? err : NULL;
}

/* Records a failure found here; the stream is then reset. */
static int
call_fail(struct grpc_client_call *call, int code, const char *msg)
{
	if (call->fail_code == 0) {
		call->fail_code = code;
		call->fail_msg = msg;
	}
	return -1;
}

static int
content_type_grpc(const struct hpack_list *l)
{
	static const char base[] = "application/grpc";
	const struct hpack_field *f = hpack_list_get(l, "content-type");
	size_t n = sizeof(base) - 1;

	if (f == NULL || f->value.len < n ||
	    !span_case_eq_str(span_make(f->value.p, n), base))
		return 0;
	return f->value.len == n || f->value.p[n] == '+' ||
	    f->value.p[n] == ';';
}

/* ---- h2 stream callbacks ---- */

static int
call_on_response(struct h2_client_stream *st, int status,
    const struct hpack_list *headers, int end_stream, void *arg)
{
	struct grpc_client_call *call = arg;

	call->http_status = status;
	if (status == 200 && !content_type_grpc(headers) &&
	    hpack_list_get(headers, "grpc-status") == NULL)
		/* Not a gRPC server (a proxy's page, say). */
		return call_fail(call, GRPC_STATUS_UNKNOWN,
		    "response content-type is not application/grpc");
	call->grpc_response = status == 200;
	return 0;
}

static int
call_on_data(
    struct h2_client_stream *st, const unsigned char *p, size_t len, void *arg)
{
	struct grpc_client_call *call = arg;
	struct grpc_frame_message m;
	const char *err = NULL;
	int got, rc;

	if (!call->grpc_response)
		return 0; /* an HTTP error body: the status says enough */
	while (len > 0) {
		rc = grpc_frame_read(&call->rd, p, len, &m, &got, &err);
		if (rc < 0)
			return call_fail(call,
			    strcmp(err, "message larger than max") == 0
				? GRPC_STATUS_RESOURCE_EXHAUSTED
				: GRPC_STATUS_INTERNAL,
			    err);
		p += rc;
		len -= (size_t)rc;
		if (!got)
			continue;
		if (m.compressed)
			return call_fail(call, GRPC_STATUS_INTERNAL,
			    "compressed message, none was asked for");
		if (call->on_message != NULL &&
		    call->on_message(call, m.data.p, m.data.len, call->arg) ==
			-1)
			return call_fail(call, GRPC_STATUS_CANCELLED,
			    "aborted by the caller");
		if (call->done)
			return -1; /* cancelled inside the callback */
	}
	return 0;
}

static void
call_on_writable(struct h2_client_stream *st, void *arg)
{
	struct grpc_client_call *call = arg;

	if (!call->done && call->on_writable != NULL)
		call->on_writable(call, call->arg);
}

/*
 * The status of an ended stream (doc/http-grpc-status-mapping.md):
 * a failure noticed here; else, for a normal end, grpc-status from the
 * trailers (or Trailers-Only headers), the HTTP status when there is no
 * grpc-status, UNKNOWN when a 200 lacks it; for a reset, the RFC 9113
 * code; for anything local, UNAVAILABLE (DEADLINE_EXCEEDED for the
 * deadline).
 */
static void
call_status(struct grpc_client_call *call, const struct h2_client_result *res,
    struct grpc_client_status *out, struct buf *msgbuf)
{
	const struct hpack_field *f;
	int code;

	memset(out, 0, sizeof(*out));
	out->http_status = call->http_status;
	out->trailers = res->trailers;
	out->refused = res->refused;
	out->message = "";
	if (call->fail_code != 0) {
		out->code = call->fail_code;
		out->message = call->fail_msg;
		out->local = 1;
		return;
	}
	if (res->err != NULL) {
		out->local = res->local;
		out->message = res->err;
		if (res->timeout && strcmp(res->err, "deadline exceeded") == 0)
			out->code = GRPC_STATUS_DEADLINE_EXCEEDED;
		else if (res->refused)
			out->code = GRPC_STATUS_UNAVAILABLE;
		else if (!res->local && res->h2_error != 0)
			out->code = grpc_frame_status_from_h2(res->h2_error);
		else if (!res->local)
			out->code = GRPC_STATUS_INTERNAL;
		else
			out->code = GRPC_STATUS_UNAVAILABLE;
		return;
	}
	f = res->trailers != NULL ? hpack_list_get(res->trailers, "grpc-status")
				  : NULL;
	if (f == NULL) {
		out->local = 1;
		if (call->http_status != 200) {
			out->code =
			    grpc_frame_status_from_http(call->http_status);
			out->message = "HTTP status without grpc-status";
		} else {
			out->code = GRPC_STATUS_UNKNOWN;
			out->message = "missing grpc-status";
		}
		return;
	}
	if (grpc_frame_parse_status(
		(const char *)f->value.p, f->value.len, &code) == -1) {
		out->local = 1;
		out->code = GRPC_STATUS_UNKNOWN;
		out->message = "malformed grpc-status";
		return;
	}
	out->code =
	    code > GRPC_STATUS_UNAUTHENTICATED ? GRPC_STATUS_UNKNOWN : code;
	if (out->code == GRPC_STATUS_OK && !grpc_frame_reader_idle(&call->rd)) {
		out->local = 1;
		out->code = GRPC_STATUS_INTERNAL;
		out->message = "stream ended inside a message";
		return;
	}
	f = hpack_list_get(res->trailers, "grpc-message");
	if (f != NULL &&
	    grpc_frame_decode_message(
		msgbuf, (const char *)f->value.p, f->value.len) == 0 &&
	    buf_putc(msgbuf, 0) == 0)
		out->message = (const char *)msgbuf->data;
}

static void
call_on_close(
    struct h2_client_stream *st, const struct h2_client_result *res, void *arg)
{
	struct grpc_client_call *call = arg;
	struct grpc_client_status s;
	struct buf msg;
	const char *err;

	call->st = NULL;
	if (call->done)
		return;
	if (res->refused && call->fail_code == 0 && !call->client_streaming &&
	    !call->retried) {
		/* Never processed: try once more (transparent retry). */
		call->retried = 1;
		log_debug("grpc client: %s %s refused (%s), retrying",
		    call->target, call->method, res->err);
		if ((err = call_attempt(call)) == NULL)
			return;
		memset(&s, 0, sizeof(s));
		s.code = strcmp(err, "deadline exceeded") == 0
		    ? GRPC_STATUS_DEADLINE_EXCEEDED
		    : GRPC_STATUS_UNAVAILABLE;
		s.message = err;
		s.local = 1;
		s.refused = 1;
		call->done = 1;
		if (call->on_done != NULL)
			call->on_done(call, &s, call->arg);
		call_release(call);
		return;
	}
	buf_init(&msg);
	call_status(call, res, &s, &msg);
	if (s.code != GRPC_STATUS_OK)
		log_debug("grpc client: %s %s: %s: %s", call->target,
		    call->method, grpc_frame_status_name(s.code), s.message);
	call->done = 1;
	if (call->on_done != NULL)
		call->on_done(call, &s, call->arg);
	buf_release(&msg);
	call_release(call);
}

static const struct h2_client_callbacks call_h2_callbacks = {
	.on_response = call_on_response,
	.on_data = call_on_data,
	.on_writable = call_on_writable,
	.on_close = call_on_close,
};

/* ---- public API ---- */

struct grpc_client *
grpc_client_new(struct loop *l, const struct grpc_client_opts *opts, char *err,
    size_t errlen)
{
	struct grpc_client *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cl->loop = l;
	cl->max_message = opts != NULL && opts->max_message > 0
	    ? opts->max_message
	    : GRPC_MAX_MESSAGE;
	cl->h2 = h2_client_new(l, opts != NULL ? &opts->h2 : NULL, err, errlen);
	if (cl->h2 == NULL) {
		free(cl);
		return NULL;
	}
	return cl;
}

void
grpc_client_free(struct grpc_client *cl)
{
	struct grpc_client_call *call;

	if (cl == NULL || cl->freed)
		return;
	cl->freed = 1;
	while ((call = cl->calls) != NULL) {
		call->done = 1;
		if (call->st != NULL)
			h2_client_stream_cancel(call->st);
		call_release(call);
	}
	h2_client_free(cl->h2);
	if (loop_defer(cl->loop, client_free_deferred, cl) == -1)
		log_error("grpc client: cannot defer a free; leaking it");
}

void
grpc_client_set_resolver(
    struct grpc_client *cl, http_client_resolver *fn, void *arg)
{
	h2_client_set_resolver(cl->h2, fn, arg);
}

struct h2_client *
grpc_client_h2(struct grpc_client *cl)
{
	return cl->h2;
}

static const char *
metadata_check(const struct grpc_client_metadata *m)
{
	static const char *const reserved[] = { "content-type", "te",
		"user-agent", "host" };
	size_t i, len;

	if (m->name == NULL || m->value == NULL || *m->name == '\0')
		return "bad metadata";
	len = strlen(m->name);
	for (i = 0; i < len; i++)
		if (!((m->name[i] >= 'a' && m->name[i] <= 'z') ||
			(m->name[i] >= '0' && m->name[i] <= '9') ||
			m->name[i] == '-' || m->name[i] == '_' ||
			m->name[i] == '.'))
			return "bad metadata name (lowercase token expected)";
	if (strncmp(m->name, "grpc-", 5) == 0)
		return "reserved metadata name";
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(m->name, reserved[i]) == 0)
			return "reserved metadata name";
	for (i = 0; m->value[i] != '\0'; i++)
		if ((unsigned char)m->value[i] < 0x20 ||
		    (unsigned char)m->value[i] == 0x7f)
			return "bad metadata value";
	return NULL;
}

struct grpc_client_call *
grpc_client_call_start(struct grpc_client *cl,
    const struct grpc_client_request *r, const char **err)
{
	struct grpc_client_call *call;
	size_t i;
	int rc = 0;

	*err = NULL;
	if (cl->freed) {
		*err = "client is shut down";
		return NULL;
	}
	if (r->target == NULL || r->method == NULL || r->method[0] != '/' ||
	    strchr(r->method + 1, '/') == NULL) {
		*err = "bad target or method (want /package.Service/Method)";
		return NULL;
	}
	if (r->message_len > UINT32_MAX) {
		*err = "message too large";
		return NULL;
	}
	for (i = 0; i < r->nmetadata; i++)
		if ((*err = metadata_check(&r->metadata[i])) != NULL)
			return NULL;
	if ((call = calloc(1, sizeof(*call))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	call->cl = cl;
	hpack_list_init(&call->md);
	buf_init(&call->first);
	grpc_frame_reader_init(&call->rd, cl->max_message);
	call->client_streaming = r->client_streaming != 0;
	call->on_message = r->on_message;
	call->on_writable = r->on_writable;
	call->on_done = r->on_done;
	call->arg = r->arg;
	if (r->timeout_ms > 0)
		call->deadline_at = loop_update_time(cl->loop) + r->timeout_ms;
	if ((call->target = strdup(r->target)) == NULL ||
	    (call->method = strdup(r->method)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < r->nmetadata; i++)
		rc = field_push(&call->md, r->metadata[i].name,
		    r->metadata[i].value,
		    strcmp(r->metadata[i].name, "authorization") == 0
			? HPACK_NEVER_INDEXED
			: 0);
	if (rc == 0 && (!call->client_streaming || r->message != NULL))
		rc = grpc_frame_write(&call->first, 0,
		    r->message != NULL ? r->message : "", r->message_len);
	if (rc == -1) {
		*err = "out of memory";
		goto fail;
	}
	if ((*err = call_attempt(call)) != NULL)
		goto fail;
	if (call->client_streaming) {
		/* Only a refused unary request is replayed. */
		buf_release(&call->first);
	}
	call->next = cl->calls;
	if (cl->calls != NULL)
		cl->calls->prev = call;
	cl->calls = call;
	return call;
fail:
	free(call->target);
	free(call->method);
	hpack_list_release(&call->md);
	buf_release(&call->first);
	grpc_frame_reader_release(&call->rd);
	free(call);
	return NULL;
}

int
grpc_client_call_send(
    struct grpc_client_call *call, const void *msg, size_t len)
{
	unsigned char prefix[GRPC_FRAME_PREFIX_LEN];

	if (call->done || call->st == NULL || !call->client_streaming ||
	    len > UINT32_MAX)
		return -1;
	prefix[0] = 0;
	prefix[1] = (unsigned char)(len >> 24);
	prefix[2] = (unsigned char)(len >> 16);
	prefix[3] = (unsigned char)(len >> 8);
	prefix[4] = (unsigned char)len;
	if (h2_client_stream_write(call->st, prefix, sizeof(prefix)) == -1)
		return -1;
	return h2_client_stream_write(call->st, msg, len);
}

int
grpc_client_call_close_send(struct grpc_client_call *call)
{
	if (call->done || call->st == NULL || !call->client_streaming)
		return -1;
	return h2_client_stream_end(call->st);
}

void
grpc_client_call_cancel(struct grpc_client_call *call)
{
	if (call->done)
		return;
	call->done = 1;
	if (call->st != NULL)
		h2_client_stream_cancel(call->st);
	call_release(call);
}
