/*
 * Unit tests for http/grpc_client (and http/h2_client under it) against
 * the real http/grpc_server in one process on one loop: unary, server
 * and client streaming, 5 MiB each way, many concurrent calls on one
 * connection, status and message in trailers and Trailers-Only,
 * deadlines, cancel, connection refused, the resolver hook, GOAWAY and
 * reconnection, and TLS with ALPN h2 (a CA and a server certificate made
 * with the openssl command at run time): verification success and
 * failure, ALPN mismatch on both sides.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "http/grpc_client.h"
#include "http/grpc_server.h"
#include "net/ftls.h"
#include "net/loop.h"
#include "net/sock.h"
#include "tap.h"

int main(void);

#define BIG (5 * 1024 * 1024)

static struct loop *l;
static struct grpc_server *srv_a, *srv_b, *srv_cur;
static int port;
static int server_cancels;
static char origin[64];

/* ---- the test service ---- */

struct scall {
	struct buf req;
	int nmsgs;
	uint64_t total;
	long n, i; /* Stream: messages to send, sent */
	struct loop_timer *timer;
	struct grpc_call *call;
};

static struct scall *
scall_get(struct grpc_call *call)
{
	struct scall *s = grpc_call_data(call);

	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			abort();
		buf_init(&s->req);
		s->call = call;
		grpc_call_set_data(call, s);
	}
	return s;
}

static void
scall_free(struct grpc_call *call)
{
	struct scall *s = grpc_call_data(call);

	if (s == NULL)
		return;
	if (s->timer != NULL)
		loop_timer_cancel(l, s->timer);
	buf_release(&s->req);
	free(s);
	grpc_call_set_data(call, NULL);
}

static void
svc_msg(struct grpc_call *call, const unsigned char *m, size_t n, void *arg)
{
	struct scall *s = scall_get(call);

	s->nmsgs++;
	s->total += n;
	if (buf_append(&s->req, m, n) == -1)
		abort();
}

static void
svc_cancel(struct grpc_call *call, void *arg)
{
	server_cancels++;
	scall_free(call);
}

static void
echo_end(struct grpc_call *call, void *arg)
{
	struct scall *s = scall_get(call);

	if (grpc_call_send(call, s->req.data, s->req.len) == -1)
		abort();
	scall_free(call);
	grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
stream_more(struct grpc_call *call, void *arg)
{
	struct scall *s = grpc_call_data(call);
	char m[32];
	int rc;

	while (s->i < s->n) {
		snprintf(m, sizeof(m), "msg-%ld", s->i++);
		rc = grpc_call_send(call, m, strlen(m));
		if (rc == -1)
			abort();
		if (rc == 1) {
			grpc_call_on_writable(call, stream_more, NULL);
			return;
		}
	}
	scall_free(call);
	grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
stream_end(struct grpc_call *call, void *arg)
{
	struct scall *s = scall_get(call);

	if (buf_putc(&s->req, 0) == -1)
		abort();
	s->n = strtol((const char *)s->req.data, NULL, 10);
	stream_more(call, NULL);
}

static void
sum_end(struct grpc_call *call, void *arg)
{
	struct scall *s = scall_get(call);
	char m[64];

	snprintf(
	    m, sizeof(m), "%d:%llu", s->nmsgs, (unsigned long long)s->total);
	if (grpc_call_send(call, m, strlen(m)) == -1)
		abort();
	scall_free(call);
	grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
fail_end(struct grpc_call *call, void *arg)
{
	struct scall *s = scall_get(call);
	int after = s->req.len == 5 && memcmp(s->req.data, "after", 5) == 0;

	scall_free(call);
	if (after) {
		if (grpc_call_send(call, "partial", 7) == -1)
			abort();
		grpc_call_finish(call, GRPC_STATUS_FAILED_PRECONDITION,
		    "bad thing: 100% sure \xc3\xbc");
	} else
		grpc_call_finish(call, GRPC_STATUS_NOT_FOUND, "no such thing");
}

static void
meta_end(struct grpc_call *call, void *arg)
{
	struct span a = grpc_call_metadata(call, "authorization");
	struct span t = grpc_call_metadata(call, "grpc-timeout");
	char m[256];

	snprintf(m, sizeof(m), "auth=%.*s;timeout=%s", (int)a.len,
	    a.p != NULL ? (const char *)a.p : "", t.p != NULL ? "yes" : "no");
	scall_free(call);
	if (grpc_call_send(call, m, strlen(m)) == -1)
		abort();
	grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
hang_end(struct grpc_call *call, void *arg)
{
	(void)scall_get(call);
}

static void
slow_fire(struct loop *lp, void *arg)
{
	struct scall *s = arg;
	struct grpc_call *call = s->call;

	s->timer = NULL;
	scall_free(call);
	if (grpc_call_send(call, "slow", 4) == -1)
		abort();
	grpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void
slow_end(struct grpc_call *call, void *arg)
{
	struct scall *s = scall_get(call);

	s->timer = loop_timer_add(l, 150, slow_fire, s);
}

static const struct grpc_method methods[] = {
	{ "/test.Svc/Echo", svc_msg, echo_end, svc_cancel },
	{ "/test.Svc/Stream", svc_msg, stream_end, svc_cancel },
	{ "/test.Svc/Sum", svc_msg, sum_end, svc_cancel },
	{ "/test.Svc/Fail", svc_msg, fail_end, svc_cancel },
	{ "/test.Svc/Meta", svc_msg, meta_end, svc_cancel },
	{ "/test.Svc/Hang", svc_msg, hang_end, svc_cancel },
	{ "/test.Svc/Slow", svc_msg, slow_end, svc_cancel },
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* Accepts for whichever server is current (GOAWAY test). */
static void
on_accept(struct loop *lp, int lfd, int events, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	while ((fd = sock_accept(lfd, &ss, &len)) != -1)
		if (grpc_server_adopt(srv_cur, fd, NULL, 0, "test") == -1)
			abort();
}

/* ---- the client side ---- */

struct res {
	int done;
	int code;
	char msg[256];
	int http_status;
	int local;
	int refused;
	int nmsgs;
	struct buf data; /* all messages, concatenated */
	char last[64];
	int order_ok;
	int abort_after; /* on_message returns -1 after this many */
};

static int ndone, want_done, timed_out;
static struct loop_timer *guard;

static void
guard_fire(struct loop *lp, void *arg)
{
	guard = NULL;
	timed_out = 1;
	loop_stop(lp);
}

/* Runs the loop until want more calls are done (or 15 s passed). */
static void
run_until(int want)
{
	want_done = ndone + want;
	timed_out = 0;
	if (ndone >= want_done)
		return;
	guard = loop_timer_add(l, 15000, guard_fire, NULL);
	if (loop_run(l) == -1)
		abort();
	if (guard != NULL)
		loop_timer_cancel(l, guard);
	guard = NULL;
	if (timed_out)
		diag("timed out waiting for %d calls", want);
}

static void
stop_fire(struct loop *lp, void *arg)
{
	loop_stop(lp);
}

/* Runs the loop for ms milliseconds. */
static void
pump(uint64_t ms)
{
	(void)loop_timer_add(l, ms, stop_fire, NULL);
	if (loop_run(l) == -1)
		abort();
}

static int
on_msg(
    struct grpc_client_call *call, const unsigned char *m, size_t n, void *arg)
{
	struct res *r = arg;
	char want[64];

	snprintf(want, sizeof(want), "msg-%d", r->nmsgs);
	if (n != strlen(want) || memcmp(m, want, n) != 0)
		r->order_ok = 0;
	r->nmsgs++;
	if (buf_append(&r->data, m, n) == -1)
		abort();
	snprintf(r->last, sizeof(r->last), "%.*s", (int)(n < 63 ? n : 63),
	    (const char *)m);
	if (r->abort_after > 0 && r->nmsgs >= r->abort_after)
		return -1;
	return 0;
}

static void
on_done(struct grpc_client_call *call, const struct grpc_client_status *s,
    void *arg)
{
	struct res *r = arg;

	r->done++;
	r->code = s->code;
	snprintf(r->msg, sizeof(r->msg), "%s", s->message);
	r->http_status = s->http_status;
	r->local = s->local;
	r->refused = s->refused;
	ndone++;
	if (ndone >= want_done)
		loop_stop(l);
}

static void
res_init(struct res *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->data);
	r->order_ok = 1;
}

static struct grpc_client_call *
start(struct grpc_client *cl, const char *target, const char *method,
    const void *msg, size_t len, uint64_t timeout_ms, struct res *r)
{
	struct grpc_client_request q;
	struct grpc_client_call *call;
	const char *err;

	memset(&q, 0, sizeof(q));
	q.target = target;
	q.method = method;
	q.message = msg;
	q.message_len = len;
	q.timeout_ms = timeout_ms;
	q.on_message = on_msg;
	q.on_done = on_done;
	q.arg = r;
	call = grpc_client_call_start(cl, &q, &err);
	if (call == NULL)
		diag("start: %s", err);
	return call;
}

static struct grpc_client *
client_new(size_t max_message, const char *ca)
{
	struct grpc_client_opts o;
	struct grpc_client *cl;
	char err[256];

	memset(&o, 0, sizeof(o));
	o.max_message = max_message;
	o.h2.tls_ca_file = ca;
	o.h2.connect_timeout_ms = 5000;
	if ((cl = grpc_client_new(l, &o, err, sizeof(err))) == NULL) {
		diag("grpc_client_new: %s", err);
		abort();
	}
	return cl;
}

/* ---- tests ---- */

static void
test_unary(struct grpc_client *cl)
{
	struct res r, m;
	struct grpc_client_request q;
	struct grpc_client_metadata md[2] = {
		{ "authorization", "Bearer abc.def" }, { "x-fabrik-test", "1" }
	};
	const char *err;
	struct h2_client_stats st;

	res_init(&r);
	ok(start(cl, origin, "/test.Svc/Echo", "hello", 5, 0, &r) != NULL,
	    "unary: started");
	is_int(r.done, 0, "unary: nothing happens inside start");
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "unary: OK");
	is_int(r.nmsgs, 1, "unary: one response message");
	is_mem(r.data.data, r.data.len, "hello", 5, "unary: echoed");
	is_int(r.http_status, 200, "unary: HTTP 200");
	buf_release(&r.data);

	res_init(&m);
	memset(&q, 0, sizeof(q));
	q.target = origin;
	q.method = "/test.Svc/Meta";
	q.metadata = md;
	q.nmetadata = 2;
	q.timeout_ms = 5000;
	q.on_message = on_msg;
	q.on_done = on_done;
	q.arg = &m;
	ok(grpc_client_call_start(cl, &q, &err) != NULL, "metadata: started");
	run_until(1);
	is_int(m.code, GRPC_STATUS_OK, "metadata: OK");
	is_str(m.last, "auth=Bearer abc.def;timeout=yes",
	    "metadata: authorization and grpc-timeout reached the server");
	buf_release(&m.data);

	md[0].name = "Bad Name";
	ok(grpc_client_call_start(cl, &q, &err) == NULL && err != NULL,
	    "metadata: a bad name is refused at start");
	md[0].name = "content-type";
	ok(grpc_client_call_start(cl, &q, &err) == NULL,
	    "metadata: a reserved name is refused at start");
	q.method = "NoSlash";
	md[0].name = "authorization";
	ok(grpc_client_call_start(cl, &q, &err) == NULL,
	    "a method without /pkg.Svc/ is refused");
	q.method = "/test.Svc/Echo";
	q.target = "ftp://x:1";
	ok(grpc_client_call_start(cl, &q, &err) == NULL,
	    "a target that is not grpc:// or grpcs:// is refused");

	h2_client_get_stats(grpc_client_h2(cl), &st);
	is_int(st.connections, 1, "unary: both calls on one connection");
}

#define NCONC 200

static void
test_concurrent(struct grpc_client *cl)
{
	static struct res r[NCONC];
	char m[32];
	int i, bad = 0;
	struct h2_client_stats st;

	for (i = 0; i < NCONC; i++) {
		res_init(&r[i]);
		snprintf(m, sizeof(m), "call %d", i);
		if (start(cl, origin, "/test.Svc/Echo", m, strlen(m), 0,
			&r[i]) == NULL)
			bad++;
	}
	run_until(NCONC);
	for (i = 0; i < NCONC; i++) {
		snprintf(m, sizeof(m), "call %d", i);
		if (r[i].done != 1 || r[i].code != 0 ||
		    r[i].data.len != strlen(m) ||
		    memcmp(r[i].data.data, m, strlen(m)) != 0)
			bad++;
		buf_release(&r[i].data);
	}
	is_int(bad, 0,
	    "200 concurrent calls (server limit 16 streams) all echoed");
	h2_client_get_stats(grpc_client_h2(cl), &st);
	is_int(st.connections, 1, "concurrent calls shared one connection");
	is_int(st.open, 1, "one connection open");
}

static void
test_big(struct grpc_client *cl)
{
	static unsigned char big[BIG];
	struct res r;
	size_t i;

	for (i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 13));
	res_init(&r);
	ok(start(cl, origin, "/test.Svc/Echo", big, BIG, 0, &r) != NULL,
	    "5 MiB: started");
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "5 MiB: OK");
	is_int(r.data.len, BIG, "5 MiB: length back");
	ok(r.data.len == BIG && memcmp(r.data.data, big, BIG) == 0,
	    "5 MiB each way through both flow-control windows, bytes equal");
	buf_release(&r.data);
}

static void
test_server_streaming(struct grpc_client *cl)
{
	struct res r;

	res_init(&r);
	ok(start(cl, origin, "/test.Svc/Stream", "3000", 4, 0, &r) != NULL,
	    "server streaming: started");
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "server streaming: OK");
	is_int(r.nmsgs, 3000, "server streaming: 3000 messages");
	ok(r.order_ok, "server streaming: in order");
	is_str(r.last, "msg-2999", "server streaming: the last one");
	buf_release(&r.data);
}

/* Client streaming: 2000 messages of 4 KiB through on_writable. */
struct sender {
	struct grpc_client_call *call;
	int sent, total, waits;
	size_t size;
};

static void
sender_go(struct grpc_client_call *call, void *arg)
{
	struct sender *s = arg;
	static unsigned char chunk[4096];
	int rc;

	while (s->sent < s->total) {
		rc = grpc_client_call_send(s->call, chunk, s->size);
		if (rc == -1)
			abort();
		s->sent++;
		if (rc == 1) {
			s->waits++;
			return;
		}
	}
	if (grpc_client_call_close_send(s->call) == -1)
		abort();
}

/* The request arg serves as both sender and result. */
struct both {
	struct sender s;
	struct res r;
};

static int
both_msg(
    struct grpc_client_call *call, const unsigned char *m, size_t n, void *arg)
{
	struct both *b = arg;

	return on_msg(call, m, n, &b->r);
}

static void
both_writable(struct grpc_client_call *call, void *arg)
{
	struct both *b = arg;

	sender_go(call, &b->s);
}

static void
both_done(struct grpc_client_call *call, const struct grpc_client_status *s,
    void *arg)
{
	struct both *b = arg;

	on_done(call, s, &b->r);
}

static void
test_client_streaming2(struct grpc_client *cl)
{
	struct grpc_client_request q;
	static struct both b;
	const char *err;

	memset(&b, 0, sizeof(b));
	res_init(&b.r);
	b.s.total = 2000;
	b.s.size = 4096;
	memset(&q, 0, sizeof(q));
	q.target = origin;
	q.method = "/test.Svc/Sum";
	q.client_streaming = 1;
	q.on_message = both_msg;
	q.on_writable = both_writable;
	q.on_done = both_done;
	q.arg = &b;
	b.s.call = grpc_client_call_start(cl, &q, &err);
	ok(b.s.call != NULL, "client streaming: started");
	if (b.s.call == NULL)
		return;
	sender_go(b.s.call, &b.s);
	ok(b.s.waits > 0,
	    "client streaming: send asked to wait (backpressure)");
	run_until(1);
	is_int(b.r.code, GRPC_STATUS_OK, "client streaming: OK");
	is_str(b.r.last, "2000:8192000",
	    "client streaming: the server got 2000 messages, 8192000 octets");
	buf_release(&b.r.data);
}

static void
test_errors(struct grpc_client *cl)
{
	struct res r;

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Fail", "after", 5, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_FAILED_PRECONDITION,
	    "error status after a message");
	is_str(r.msg, "bad thing: 100% sure \xc3\xbc",
	    "grpc-message percent-decoded");
	is_int(r.nmsgs, 1, "the message before the error arrived");
	is_int(r.local, 0, "the status came from the server");
	buf_release(&r.data);

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Fail", "", 0, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_NOT_FOUND, "Trailers-Only status");
	is_str(r.msg, "no such thing", "Trailers-Only message");
	is_int(r.nmsgs, 0, "Trailers-Only: no message");
	is_int(r.http_status, 200, "Trailers-Only: HTTP 200");
	buf_release(&r.data);

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Nope", "", 0, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_UNIMPLEMENTED, "unknown method");
	buf_release(&r.data);
}

static void
test_deadline_cancel(struct grpc_client *cl)
{
	struct res r, c;
	struct grpc_client_call *call;
	int before;

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Hang", "x", 1, 200, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
	ok(strstr(r.msg, "deadline") != NULL, "deadline: message '%s'", r.msg);
	buf_release(&r.data);

	res_init(&c);
	before = server_cancels;
	call = start(cl, origin, "/test.Svc/Hang", "x", 1, 0, &c);
	pump(50);
	grpc_client_call_cancel(call);
	pump(50);
	is_int(c.done, 0, "cancel: no callback after cancel");
	is_int(server_cancels - before, 1, "cancel: the server saw RST_STREAM");

	res_init(&c);
	c.abort_after = 5;
	(void)start(cl, origin, "/test.Svc/Stream", "100000", 6, 0, &c);
	run_until(1);
	is_int(c.code, GRPC_STATUS_CANCELLED,
	    "on_message returning -1 ends the call CANCELLED");
	is_int(c.nmsgs, 5, "no message after the -1");
	buf_release(&c.data);
}

static void
test_max_message(void)
{
	struct grpc_client *small = client_new(1024, NULL);
	static unsigned char m[2000];
	struct res r;

	res_init(&r);
	(void)start(small, origin, "/test.Svc/Echo", m, sizeof(m), 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_RESOURCE_EXHAUSTED,
	    "a response above max_message: RESOURCE_EXHAUSTED");
	is_int(r.local, 1, "max_message: decided by the client");
	buf_release(&r.data);
	grpc_client_free(small);
}

static void
test_refused(void)
{
	struct grpc_client *cl = client_new(0, NULL);
	struct res r;
	char target[64];
	int fd, p;
	const char *err;

	fd = sock_listen("127.0.0.1:0", 1, &p, &err);
	close(fd);
	snprintf(target, sizeof(target), "grpc://127.0.0.1:%d", p);
	res_init(&r);
	(void)start(cl, target, "/test.Svc/Echo", "x", 1, 0, &r);
	run_until(1);
	is_int(
	    r.code, GRPC_STATUS_UNAVAILABLE, "connection refused: UNAVAILABLE");
	ok(strstr(r.msg, "refused") != NULL, "connection refused: '%s'", r.msg);
	is_int(r.local, 1, "connection refused: local status");
	buf_release(&r.data);
	grpc_client_free(cl);
}

static int resolved;
static char resolved_host[64];

static void
fake_resolver(
    void *arg, const char *host, http_client_resolved_cb *done, void *done_arg)
{
	struct http_client_addr a;

	resolved++;
	snprintf(resolved_host, sizeof(resolved_host), "%s", host);
	if (strcmp(host, "cache.test") != 0) {
		done(done_arg, NULL, 0, "no such host (test resolver)");
		return;
	}
	if (http_client_hosts_lookup(NULL, "127.0.0.1", &a, 1) != 1)
		abort();
	done(done_arg, &a, 1, NULL);
}

static void
test_resolver(void)
{
	struct grpc_client *cl = client_new(0, NULL);
	struct res r;
	char target[64];

	grpc_client_set_resolver(cl, fake_resolver, NULL);
	snprintf(target, sizeof(target), "grpc://cache.test:%d", port);
	res_init(&r);
	(void)start(cl, target, "/test.Svc/Echo", "via hook", 8, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "resolver hook: call OK");
	is_int(resolved, 1, "resolver hook: asked once");
	is_str(resolved_host, "cache.test", "resolver hook: for the name");
	buf_release(&r.data);

	res_init(&r);
	(void)start(cl, "grpc://127.0.0.1:1", "/test.Svc/Echo", "x", 1, 0, &r);
	run_until(1);
	is_int(resolved, 1, "an IP literal bypasses the resolver");
	buf_release(&r.data);

	res_init(&r);
	(void)start(
	    cl, "grpc://nowhere.test:1", "/test.Svc/Echo", "x", 1, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_UNAVAILABLE, "unresolvable: UNAVAILABLE");
	is_str(r.msg, "no such host (test resolver)",
	    "unresolvable: the resolver's message");
	buf_release(&r.data);
	grpc_client_free(cl);
}

static void
test_goaway(void)
{
	struct grpc_client *cl = client_new(0, NULL);
	struct h2_client_stats st;
	struct res r, slow;

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Echo", "one", 3, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "goaway: first call OK");
	buf_release(&r.data);

	res_init(&slow);
	(void)start(cl, origin, "/test.Svc/Slow", "s", 1, 0, &slow);
	pump(50);
	/* Server A drains: GOAWAY; new connections go to server B. */
	srv_cur = srv_b;
	grpc_server_drain(srv_a);
	run_until(1);
	is_int(slow.code, GRPC_STATUS_OK,
	    "goaway: the call in progress finished during the drain");
	is_str(slow.last, "slow", "goaway: with its message");
	buf_release(&slow.data);
	pump(20);
	is_int(
	    grpc_server_conns(srv_a), 0, "goaway: drained connection closed");

	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Echo", "two", 3, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "goaway: next call OK");
	is_mem(r.data.data, r.data.len, "two", 3, "goaway: echoed");
	h2_client_get_stats(grpc_client_h2(cl), &st);
	is_int(st.connections, 2, "goaway: on a new connection");
	is_int(grpc_server_conns(srv_b), 1, "goaway: to the new server");
	buf_release(&r.data);

	/* The server closes idle connections; the client reconnects. */
	grpc_server_free(srv_b);
	srv_b =
	    grpc_server_new(l, -1, "grpc-b2", methods, NMETHODS, NULL, NULL);
	srv_cur = srv_b;
	pump(20);
	res_init(&r);
	(void)start(cl, origin, "/test.Svc/Echo", "three", 5, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "reconnect after the server closed");
	h2_client_get_stats(grpc_client_h2(cl), &st);
	is_int(st.connections, 3, "reconnect: a third connection");
	buf_release(&r.data);
	grpc_client_free(cl);
}

/* ---- TLS ---- */

static char dir[256];

static const char *
path(const char *f)
{
	static char b[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", dir, f);
	return b[i];
}

static int
make_certs(void)
{
	char cmd[4096];

	snprintf(dir, sizeof(dir), "%s/grpcc.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
	    "(cd '%s' && "
	    "for ca in ca ca2; do openssl req -x509 -newkey ec "
	    "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $ca.key "
	    "-out $ca.pem -days 2 -subj /CN=Fabrik-test-$ca "
	    "-addext basicConstraints=critical,CA:TRUE "
	    "-addext keyUsage=critical,keyCertSign || exit 1; done && "
	    "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	    "-keyout srv.key -out srv.csr -subj /CN=localhost && "
	    "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
	    "basicConstraints=CA:FALSE\\n' > ext.cnf && "
	    "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -out srv.pem -days 2 -extfile ext.cnf) "
	    ">/dev/null 2>&1",
	    dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
remove_certs(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

/* A TLS server that offers only http/1.1 (ALPN mismatch). */
struct h1tls {
	struct ftls_ctx *ctx;
	struct ftls *t;
	int lfd, fd;
};

static void
h1tls_io(struct loop *lp, int fd, int events, void *arg)
{
	struct h1tls *h = arg;
	int rc = ftls_handshake(h->t);

	if (rc == FTLS_WANT_READ || rc == FTLS_WANT_WRITE)
		loop_io_set(lp, fd, ftls_want_events(rc));
	else
		loop_io_set(lp, fd, LOOP_READ);
	if (rc == 0 || rc == FTLS_ERROR) {
		/* Handshake over: wait for the client to hang up. */
		char b[256];
		if (read(fd, b, sizeof(b)) == 0) {
			loop_io_del(lp, fd);
		}
	}
}

static void
h1tls_accept(struct loop *lp, int lfd, int events, void *arg)
{
	struct h1tls *h = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	if ((fd = sock_accept(lfd, &ss, &len)) == -1 || h->fd != -1) {
		if (fd != -1)
			close(fd);
		return;
	}
	h->fd = fd;
	h->t = ftls_server_new(h->ctx, fd);
	if (h->t == NULL || loop_io_add(lp, fd, LOOP_READ, h1tls_io, h) == -1)
		abort();
}

/* Our grpc TLS server as seen by a client offering only http/1.1. */
struct h1client {
	struct ftls *t;
	int fd;
	int result;
	char err[256];
};

static void
h1client_io(struct loop *lp, int fd, int events, void *arg)
{
	struct h1client *c = arg;
	char b[64];
	int rc = ftls_handshake(c->t);

	if (rc == FTLS_WANT_READ || rc == FTLS_WANT_WRITE) {
		loop_io_set(lp, fd, ftls_want_events(rc));
		return;
	}
	if (rc == 0) {
		/* Handshake done without h2: the server must close. */
		rc = (int)ftls_read(c->t, b, sizeof(b));
		if (rc == FTLS_WANT_READ || rc == FTLS_WANT_WRITE)
			return;
	}
	c->result = rc == 0 ? 1 : 2;
	snprintf(c->err, sizeof(c->err), "%s", ftls_error(c->t));
	loop_io_del(lp, fd);
	loop_stop(lp);
}

static void
test_tls(void)
{
	struct grpc_server *ts;
	struct grpc_client *ok_cl, *bad_cl;
	struct h1tls h;
	struct h1client hc;
	struct ftls_ctx *cctx;
	static const char *const h1[] = { "http/1.1" };
	char target[64], err[256];
	struct res r;
	int tfd, tport, hport;
	const char *e;
	struct sockaddr_in sin;

	if (make_certs() == -1) {
		skip("openssl command failed: no TLS tests");
		return;
	}
	tfd = sock_listen("127.0.0.1:0", 16, &tport, &e);
	ts = grpc_server_new(l, tfd, "grpc-tls", methods, NMETHODS, NULL, NULL);
	ok(ts != NULL, "tls: server");
	ok(grpc_server_set_tls(
	       ts, path("nope.pem"), path("srv.key"), err, sizeof(err)) == -1 &&
		strstr(err, "nope.pem") != NULL,
	    "tls: a missing certificate is an error: %s", err);
	ok(grpc_server_set_tls(
	       ts, path("srv.pem"), path("srv.key"), err, sizeof(err)) == 0,
	    "tls: certificate and key loaded");

	ok_cl = client_new(0, path("ca.pem"));
	snprintf(target, sizeof(target), "grpcs://127.0.0.1:%d", tport);
	res_init(&r);
	(void)start(ok_cl, target, "/test.Svc/Echo", "secret", 6, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "tls: verified call to 127.0.0.1");
	is_mem(r.data.data, r.data.len, "secret", 6, "tls: echoed");
	buf_release(&r.data);

	snprintf(target, sizeof(target), "grpcs://localhost:%d", tport);
	res_init(&r);
	(void)start(ok_cl, target, "/test.Svc/Stream", "500", 3, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_OK, "tls: by name (SNI + hostname check)");
	is_int(r.nmsgs, 500, "tls: 500 streamed messages");
	buf_release(&r.data);

	{
		static unsigned char big[2 * 1024 * 1024 + 17];
		size_t i;
		for (i = 0; i < sizeof(big); i++)
			big[i] = (unsigned char)(i ^ (i >> 9));
		res_init(&r);
		(void)start(
		    ok_cl, target, "/test.Svc/Echo", big, sizeof(big), 0, &r);
		run_until(1);
		ok(r.code == 0 && r.data.len == sizeof(big) &&
			memcmp(r.data.data, big, sizeof(big)) == 0,
		    "tls: 2 MiB each way");
		buf_release(&r.data);
	}

	bad_cl = client_new(0, path("ca2.pem"));
	res_init(&r);
	(void)start(bad_cl, target, "/test.Svc/Echo", "x", 1, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_UNAVAILABLE, "tls: wrong CA: UNAVAILABLE");
	ok(strncmp(r.msg, "certificate verify failed", 25) == 0,
	    "tls: wrong CA: clear error '%s'", r.msg);
	buf_release(&r.data);
	grpc_client_free(bad_cl);

	/* A server that does not select h2. */
	memset(&h, 0, sizeof(h));
	h.fd = -1;
	h.ctx = ftls_ctx_server_new(
	    path("srv.pem"), path("srv.key"), err, sizeof(err));
	if (h.ctx == NULL || ftls_ctx_set_alpn(h.ctx, h1, 1) == -1)
		abort();
	h.lfd = sock_listen("127.0.0.1:0", 4, &hport, &e);
	if (loop_io_add(l, h.lfd, LOOP_READ, h1tls_accept, &h) == -1)
		abort();
	snprintf(target, sizeof(target), "grpcs://127.0.0.1:%d", hport);
	res_init(&r);
	(void)start(ok_cl, target, "/test.Svc/Echo", "x", 1, 0, &r);
	run_until(1);
	is_int(r.code, GRPC_STATUS_UNAVAILABLE, "tls: no h2 from the server");
	ok(strstr(r.msg, "ALPN") != NULL, "tls: ALPN error '%s'", r.msg);
	buf_release(&r.data);
	loop_io_del(l, h.lfd);
	close(h.lfd);
	if (h.fd != -1) {
		loop_io_del(l, h.fd);
		ftls_free(h.t);
		close(h.fd);
	}
	ftls_ctx_free(h.ctx);

	/* A client that does not offer h2 to our server. */
	memset(&hc, 0, sizeof(hc));
	cctx = ftls_ctx_client_new(path("ca.pem"), 1, err, sizeof(err));
	if (cctx == NULL || ftls_ctx_set_alpn(cctx, h1, 1) == -1)
		abort();
	hc.fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)tport);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	if (hc.fd == -1 ||
	    connect(hc.fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    sock_set_nonblock(hc.fd) == -1)
		abort();
	hc.t = ftls_client_new(cctx, hc.fd, "127.0.0.1");
	if (hc.t == NULL ||
	    loop_io_add(l, hc.fd, LOOP_WRITE, h1client_io, &hc) == -1)
		abort();
	guard = loop_timer_add(l, 5000, guard_fire, NULL);
	if (loop_run(l) == -1)
		abort();
	if (guard != NULL)
		loop_timer_cancel(l, guard);
	guard = NULL;
	is_int(hc.result, 2, "tls server: a client without h2 is refused");
	ok(strstr(hc.err, "no application protocol") != NULL,
	    "tls server: with no_application_protocol '%s'", hc.err);
	ftls_free(hc.t);
	close(hc.fd);
	ftls_ctx_free(cctx);

	grpc_client_free(ok_cl);
	pump(10);
	grpc_server_free(ts);
	remove_certs();
}

int
main(void)
{
	struct grpc_client *cl;
	struct h2_limits lim;
	int lfd;
	const char *err;

	signal(SIGPIPE, SIG_IGN);
	if ((l = loop_new()) == NULL)
		abort();
	memset(&lim, 0, sizeof(lim));
	lim.max_concurrent_streams = 16;
	srv_a = grpc_server_new(l, -1, "grpc-a", methods, NMETHODS, NULL, &lim);
	srv_b = grpc_server_new(l, -1, "grpc-b", methods, NMETHODS, NULL, NULL);
	if (srv_a == NULL || srv_b == NULL)
		abort();
	grpc_server_set_max_message(srv_a, BIG + 1024);
	srv_cur = srv_a;
	if ((lfd = sock_listen("127.0.0.1:0", 128, &port, &err)) == -1 ||
	    loop_io_add(l, lfd, LOOP_READ, on_accept, NULL) == -1)
		abort();
	snprintf(origin, sizeof(origin), "grpc://127.0.0.1:%d", port);

	cl = client_new(BIG + 1024, NULL);
	test_unary(cl);
	test_concurrent(cl);
	test_big(cl);
	test_server_streaming(cl);
	test_client_streaming2(cl);
	test_errors(cl);
	test_deadline_cancel(cl);
	grpc_client_free(cl);
	test_max_message();
	test_refused();
	test_resolver();
	test_goaway();
	test_tls();

	pump(10);
	loop_io_del(l, lfd);
	close(lfd);
	grpc_server_free(srv_a);
	grpc_server_free(srv_b);
	loop_free(l);
	return done_testing();
}
