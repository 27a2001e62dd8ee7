/*
 * gRPC server calls on HTTP/2 streams (grpc/grpc doc/PROTOCOL-HTTP2.md,
 * doc/http-grpc-status-mapping.md).  Untrusted input: request headers
 * (path, content-type, grpc-timeout, grpc-encoding, metadata) and DATA
 * payloads; messages are bounded by the reader's max_message before
 * anything is kept, and a deadline bounds every call that asks for one.
 * Requests that are not gRPC, name no method, or arrive compressed end in
 * Trailers-Only responses from one error table; the service never sees
 * them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "http/grpc_frame.h"
#include "http/grpc_server.h"
#include "http/h2_frame.h"

struct grpc_server {
	struct h2_server *h2;
	struct loop *loop;
	const struct grpc_method *methods;
	size_t nmethods;
	void *arg;
	size_t max_message;
	char *name;
};

struct grpc_call {
	struct grpc_server *srv;
	struct h2_stream *st; /* NULL once the stream closed */
	const struct grpc_method *m; /* NULL: rejected before the service */
	struct grpc_frame_reader rd;
	struct loop_timer *deadline;
	int headers_sent;
	int finished; /* status sent (or the call was cancelled) */
	int user_owns; /* the service may still use the call */
	void *data;
	grpc_writable_fn *writable_cb;
	void *writable_arg;
};

/* Request problems found before the service runs: one table (rule 4). */
enum grpc_reject {
	GRPC_REJECT_METHOD, /* :method not POST */
	GRPC_REJECT_CONTENT_TYPE, /* not application/grpc[+...|;...] */
	GRPC_REJECT_UNKNOWN, /* no such method */
	GRPC_REJECT_ENCODING, /* grpc-encoding we cannot decode */
	GRPC_REJECT_TIMEOUT, /* malformed grpc-timeout */
};

static const struct {
	int http_status;
	int grpc_status;
	const char *message;
} grpc_rejects[] = {
	[GRPC_REJECT_METHOD] = { 405, GRPC_STATUS_INTERNAL,
	    "gRPC requires POST" },
	[GRPC_REJECT_CONTENT_TYPE] = { 415, GRPC_STATUS_INTERNAL,
	    "invalid gRPC request content-type" },
	[GRPC_REJECT_UNKNOWN] = { 200, GRPC_STATUS_UNIMPLEMENTED,
	    "unknown method" },
	[GRPC_REJECT_ENCODING] = { 200, GRPC_STATUS_UNIMPLEMENTED,
	    "unsupported grpc-encoding" },
	[GRPC_REJECT_TIMEOUT] = { 200, GRPC_STATUS_INTERNAL,
	    "malformed grpc-timeout" },
};

static void
call_free_deferred(struct loop *l, void *arg)
{
	struct grpc_call *call = arg;

	grpc_frame_reader_release(&call->rd);
	free(call);
}

static void
call_stop_timer(struct grpc_call *call)
{
	if (call->deadline != NULL)
		loop_timer_cancel(call->srv->loop, call->deadline);
	call->deadline = NULL;
}

/* Sends the status: trailers, or Trailers-Only with http_status. */
static void
call_send_status(
    struct grpc_call *call, int http_status, int status, const char *msg)
{
	struct hpack_field f[4];
	char code[16], st[8];
	struct buf enc;
	size_t n = 0;

	call->finished = 1;
	call_stop_timer(call);
	if (call->st == NULL)
		return;
	buf_init(&enc);
	if (msg != NULL && *msg != '\0' &&
	    grpc_frame_encode_message(&enc, msg, strlen(msg)) == -1)
		buf_reset(&enc);
	snprintf(code, sizeof(code), "%d", status);
	if (!call->headers_sent) {
		snprintf(st, sizeof(st), "%d", http_status);
		f[n].name = span_str(":status");
		f[n].value = span_str(st);
		f[n++].flags = 0;
		f[n].name = span_str("content-type");
		f[n].value = span_str("application/grpc");
		f[n++].flags = 0;
	}
	f[n].name = span_str("grpc-status");
	f[n].value = span_str(code);
	f[n++].flags = 0;
	if (enc.len > 0) {
		f[n].name = span_str("grpc-message");
		f[n].value = span_make(enc.data, enc.len);
		f[n++].flags = HPACK_NO_INDEX;
	}
	if (!call->headers_sent) {
		call->headers_sent = 1;
		if (h2_stream_respond(call->st, f, n, 1) == -1 &&
		    call->st != NULL)
			h2_stream_reset(call->st, H2_INTERNAL_ERROR);
	} else if (h2_stream_end(call->st, f, n) == -1 && call->st != NULL) {
		h2_stream_reset(call->st, H2_INTERNAL_ERROR);
	}
	buf_release(&enc);
}

/* The server ends a call the service owns: on_cancel, then the status. */
static void
call_abort(struct grpc_call *call, int status, const char *msg)
{
	if (call->finished)
		return;
	call->finished = 1;
	if (call->user_owns) {
		call->user_owns = 0;
		if (call->m->on_cancel != NULL)
			call->m->on_cancel(call, call->srv->arg);
	}
	call_send_status(call, 200, status, msg);
}

static void
call_reject(struct grpc_call *call, enum grpc_reject why)
{
	call_send_status(call, grpc_rejects[why].http_status,
	    grpc_rejects[why].grpc_status, grpc_rejects[why].message);
}

static void
call_deadline(struct loop *l, void *arg)
{
	struct grpc_call *call = arg;

	call->deadline = NULL;
	log_debug(
	    "%s: %s: deadline exceeded", call->srv->name, grpc_call_path(call));
	call_abort(call, GRPC_STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
	/* Whatever the client still sends is of no use now. */
	if (call->st != NULL && !call->headers_sent)
		h2_stream_reset(call->st, H2_CANCEL);
}

static int
content_type_ok(struct span ct)
{
	static const char base[] = "application/grpc";
	size_t n = sizeof(base) - 1;

	if (ct.p == NULL || ct.len < n ||
	    !span_case_eq_str(span_make(ct.p, n), base))
		return 0;
	return ct.len == n || ct.p[n] == '+' || ct.p[n] == ';';
}

static const struct grpc_method *
server_lookup(const struct grpc_server *s, struct span path)
{
	size_t i;

	for (i = 0; i < s->nmethods; i++)
		if (span_eq_str(path, s->methods[i].path))
			return &s->methods[i];
	return NULL;
}

/* ---- h2 stream callbacks ---- */

static void
grpc_on_request(struct h2_stream *st, int end_stream, void *arg)
{
	struct grpc_server *s = arg;
	struct grpc_call *call;
	struct span enc, to;
	uint64_t ms;

	if ((call = calloc(1, sizeof(*call))) == NULL) {
		h2_stream_reset(st, H2_REFUSED_STREAM);
		return;
	}
	call->srv = s;
	call->st = st;
	grpc_frame_reader_init(&call->rd, s->max_message);
	h2_stream_set_data(st, call);
	if (!span_eq_str(h2_stream_header(st, ":method"), "POST")) {
		call_reject(call, GRPC_REJECT_METHOD);
		return;
	}
	if (!content_type_ok(h2_stream_header(st, "content-type"))) {
		call_reject(call, GRPC_REJECT_CONTENT_TYPE);
		return;
	}
	if ((call->m = server_lookup(s, h2_stream_header(st, ":path"))) ==
	    NULL) {
		call_reject(call, GRPC_REJECT_UNKNOWN);
		return;
	}
	enc = h2_stream_header(st, "grpc-encoding");
	if (enc.p != NULL && !span_eq_str(enc, "identity")) {
		call_reject(call, GRPC_REJECT_ENCODING);
		return;
	}
	to = h2_stream_header(st, "grpc-timeout");
	if (to.p != NULL) {
		if (grpc_frame_parse_timeout((const char *)to.p, to.len, &ms) ==
		    -1) {
			call_reject(call, GRPC_REJECT_TIMEOUT);
			return;
		}
		call->deadline =
		    loop_timer_add(s->loop, ms, call_deadline, call);
	}
	call->user_owns = 1;
	if (end_stream) {
		/* No request message at all: the service decides. */
		if (call->m->on_end != NULL)
			call->m->on_end(call, s->arg);
		else
			grpc_call_finish(call, GRPC_STATUS_OK, NULL);
	}
}

static void
grpc_on_data(
    struct h2_stream *st, const unsigned char *p, size_t len, void *arg)
{
	struct grpc_call *call = h2_stream_data(st);
	struct grpc_frame_message m;
	const char *err = NULL;
	int got, rc;

	while (len > 0 && !call->finished && call->m != NULL) {
		rc = grpc_frame_read(&call->rd, p, len, &m, &got, &err);
		if (rc < 0) {
			call_abort(call,
			    strcmp(err, "message larger than max") == 0
				? GRPC_STATUS_RESOURCE_EXHAUSTED
				: GRPC_STATUS_INTERNAL,
			    err);
			return;
		}
		p += rc;
		len -= (size_t)rc;
		if (!got)
			continue;
		if (m.compressed) {
			/* grpc-encoding is absent or identity here. */
			call_abort(call, GRPC_STATUS_INTERNAL,
			    "compressed message without grpc-encoding");
			return;
		}
		if (call->m->on_message != NULL)
			call->m->on_message(
			    call, m.data.p, m.data.len, call->srv->arg);
	}
}

static void
grpc_on_end(struct h2_stream *st, void *arg)
{
	struct grpc_call *call = h2_stream_data(st);

	if (call->finished || call->m == NULL)
		return;
	if (!grpc_frame_reader_idle(&call->rd)) {
		call_abort(call, GRPC_STATUS_INTERNAL,
		    "stream ended inside a message");
		return;
	}
	if (call->m->on_end != NULL)
		call->m->on_end(call, call->srv->arg);
	else
		grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
grpc_on_writable(struct h2_stream *st, void *arg)
{
	struct grpc_call *call = h2_stream_data(st);
	grpc_writable_fn *cb = call->writable_cb;

	if (cb == NULL || call->finished)
		return;
	call->writable_cb = NULL;
	cb(call, call->writable_arg);
}

static void
grpc_on_close(struct h2_stream *st, uint32_t h2_error, void *arg)
{
	struct grpc_call *call = h2_stream_data(st);

	if (call == NULL)
		return;
	call->st = NULL;
	call_stop_timer(call);
	if (call->user_owns) {
		call->user_owns = 0;
		call->finished = 1;
		if (call->m->on_cancel != NULL)
			call->m->on_cancel(call, call->srv->arg);
	}
	if (loop_defer(call->srv->loop, call_free_deferred, call) == -1)
		log_error("cannot defer a free; leaking one call");
}

static const struct h2_handler grpc_h2_handler = {
	.on_request = grpc_on_request,
	.on_data = grpc_on_data,
	.on_end = grpc_on_end,
	.on_writable = grpc_on_writable,
	.on_close = grpc_on_close,
};

/* ---- server ---- */

struct grpc_server *
grpc_server_new(struct loop *l, int lfd, const char *name,
    const struct grpc_method *methods, size_t n, void *arg,
    const struct h2_limits *lim)
{
	struct grpc_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->name = strdup(name)) == NULL) {
		free(s);
		return NULL;
	}
	s->loop = l;
	s->methods = methods;
	s->nmethods = n;
	s->arg = arg;
	s->max_message = GRPC_MAX_MESSAGE;
	if ((s->h2 = h2_server_new(l, lfd, name, lim, &grpc_h2_handler, s)) ==
	    NULL) {
		free(s->name);
		free(s);
		return NULL;
	}
	return s;
}

int
grpc_server_adopt(
    struct grpc_server *s, int fd, const void *pre, size_t n, const char *peer)
{
	return h2_server_adopt(s->h2, fd, pre, n, peer);
}

int
grpc_server_set_tls(struct grpc_server *s, const char *cert_file,
    const char *key_file, char *err, size_t errlen)
{
	return h2_server_set_tls(s->h2, cert_file, key_file, err, errlen);
}

void
grpc_server_set_max_message(struct grpc_server *s, size_t n)
{
	s->max_message = n == 0 ? GRPC_MAX_MESSAGE : n;
}

void
grpc_server_drain(struct grpc_server *s)
{
	h2_server_drain(s->h2);
}

unsigned
grpc_server_conns(const struct grpc_server *s)
{
	return h2_server_conns(s->h2);
}

void
grpc_server_free(struct grpc_server *s)
{
	if (s == NULL)
		return;
	h2_server_free(s->h2);
	free(s->name);
	free(s);
}

/* ---- calls ---- */

int
grpc_call_send(struct grpc_call *call, const void *msg, size_t len)
{
	static const struct hpack_field head[] = {
		{ { (const unsigned char *)":status", 7 },
		    { (const unsigned char *)"200", 3 }, 0 },
		{ { (const unsigned char *)"content-type", 12 },
		    { (const unsigned char *)"application/grpc", 16 }, 0 },
	};
	unsigned char prefix[GRPC_FRAME_PREFIX_LEN];
	int rc;

	if (call->finished || call->st == NULL || len > UINT32_MAX)
		return -1;
	if (!call->headers_sent) {
		call->headers_sent = 1;
		if (h2_stream_respond(call->st, head, 2, 0) == -1)
			return -1;
	}
	prefix[0] = 0;
	prefix[1] = (unsigned char)(len >> 24);
	prefix[2] = (unsigned char)(len >> 16);
	prefix[3] = (unsigned char)(len >> 8);
	prefix[4] = (unsigned char)len;
	if (h2_stream_write(call->st, prefix, sizeof(prefix)) == -1)
		return -1;
	if (len == 0)
		return h2_stream_queued(call->st) > H2_SERVER_HIGH_WATER;
	rc = h2_stream_write(call->st, msg, len);
	return rc;
}

void
grpc_call_finish(struct grpc_call *call, int status, const char *msg)
{
	if (call->finished)
		return;
	call->user_owns = 0;
	call_send_status(call, 200, status, msg);
}

struct span
grpc_call_metadata(const struct grpc_call *call, const char *name)
{
	if (call->st == NULL)
		return span_make(NULL, 0);
	return h2_stream_header(call->st, name);
}

const char *
grpc_call_path(const struct grpc_call *call)
{
	return call->m != NULL ? call->m->path : "-";
}

const char *
grpc_call_peer(const struct grpc_call *call)
{
	return call->st != NULL ? h2_stream_peer(call->st) : "-";
}

struct loop *
grpc_call_loop(const struct grpc_call *call)
{
	return call->srv->loop;
}

void
grpc_call_set_data(struct grpc_call *call, void *p)
{
	call->data = p;
}

void *
grpc_call_data(const struct grpc_call *call)
{
	return call->data;
}

void
grpc_call_on_writable(struct grpc_call *call, grpc_writable_fn *cb, void *arg)
{
	call->writable_cb = cb;
	call->writable_arg = arg;
}
