/*
 * Unit tests for http/h2_client at the frame level: a client connection
 * adopted over a socketpair, the test playing the server with
 * hand-built frames (h2_frame and hpack).  Covers the preface and
 * SETTINGS, waiting for the server's SETTINGS, request headers, send
 * flow control and max concurrent streams, PING, receive windows and
 * WINDOW_UPDATE, trailers with CONTINUATION, RST_STREAM REFUSED_STREAM,
 * GOAWAY (refused streams, drain, close), deadlines, cancel,
 * backpressure with on_writable, connection errors, the connect and
 * idle timeouts, and the detached (fuzz) mode.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "http/h2_client.h"
#include "http/h2_frame.h"
#include "http/hpack.h"
#include "net/loop.h"
#include "net/sock.h"
#include "tap.h"

int main(void);

#define MAXF 512

static struct loop *l;
static int sfd = -1; /* the server's end */
static struct hpack_encoder senc;
static struct hpack_decoder sdec;
static struct h2_frame fr[MAXF];
static size_t nfr;
static unsigned char frbuf[1 << 23];
static size_t have;
static int preface_seen, peer_closed;
static uint64_t data_bytes; /* DATA octets read by rd() since reset */

struct sres {
	int status;
	int es;
	int closed;
	int writable;
	char err[160];
	uint32_t h2_error;
	int refused, timeout, local;
	char trailer[64];
	struct buf body;
};

static int
cb_response(struct h2_client_stream *s, int status, const struct hpack_list *h,
    int es, void *arg)
{
	struct sres *r = arg;

	r->status = status;
	r->es = es;
	return 0;
}

static int
cb_data(struct h2_client_stream *s, const unsigned char *p, size_t n, void *arg)
{
	struct sres *r = arg;

	return buf_append(&r->body, p, n);
}

static void
cb_writable(struct h2_client_stream *s, void *arg)
{
	struct sres *r = arg;

	r->writable++;
}

static void
cb_close(
    struct h2_client_stream *s, const struct h2_client_result *res, void *arg)
{
	struct sres *r = arg;
	const struct hpack_field *f;

	r->closed++;
	snprintf(
	    r->err, sizeof(r->err), "%s", res->err != NULL ? res->err : "");
	r->h2_error = res->h2_error;
	r->refused = res->refused;
	r->timeout = res->timeout;
	r->local = res->local;
	if (res->trailers != NULL &&
	    (f = hpack_list_get(res->trailers, "x-trailer")) != NULL)
		snprintf(r->trailer, sizeof(r->trailer), "%.*s",
		    (int)f->value.len, (const char *)f->value.p);
}

static const struct h2_client_callbacks cbs = { cb_response, cb_data,
	cb_writable, cb_close };

static void
stop_cb(struct loop *lp, void *arg)
{
	loop_stop(lp);
}

static void
pump_ms(uint64_t ms)
{
	(void)loop_timer_add(l, ms, stop_cb, NULL);
	if (loop_run(l) == -1)
		abort();
}

static void
pump(void)
{
	int i;

	for (i = 0; i < 3; i++)
		pump_ms(2);
}

/* Reads what the client sent and parses it into fr[]. */
static void
rd(void)
{
	static size_t keep;
	uint32_t code;
	const char *err;
	size_t off = 0, i;
	ssize_t n;
	int r;

	nfr = 0;
	if (keep > 0) {
		memmove(frbuf, frbuf + sizeof(frbuf) / 2, keep);
		have = keep;
		keep = 0;
	}
	for (;;) {
		if (have >= sizeof(frbuf) / 2)
			break;
		n = read(sfd, frbuf + have, sizeof(frbuf) / 2 - have);
		if (n == 0)
			peer_closed = 1;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	if (!preface_seen && have >= H2_CLIENT_PREFACE_LEN) {
		preface_seen = memcmp(frbuf, H2_CLIENT_PREFACE,
				   H2_CLIENT_PREFACE_LEN) == 0;
		off = H2_CLIENT_PREFACE_LEN;
	}
	while (nfr < MAXF) {
		r = h2_frame_parse(frbuf + off, have - off,
		    H2_DEFAULT_MAX_FRAME_SIZE, &fr[nfr], &code, &err);
		if (r < 0)
			break;
		off += (size_t)r;
		nfr++;
	}
	for (i = 0; i < nfr; i++)
		if (fr[i].type == H2_FRAME_DATA)
			data_bytes += fr[i].payload.len;
	/* Frames point into frbuf: the rest waits in the upper half. */
	keep = have - off;
	if (keep > 0)
		memcpy(frbuf + sizeof(frbuf) / 2, frbuf + off, keep);
	have = 0;
}

static void
wr(const struct buf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		n = write(sfd, b->data + off, b->len - off);
		if (n < 0 && errno == EAGAIN) {
			pump();
			continue;
		}
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	pump();
}

static const struct h2_frame *
find(uint8_t type, uint32_t sid)
{
	size_t i;

	for (i = 0; i < nfr; i++)
		if (fr[i].type == type && fr[i].stream_id == sid)
			return &fr[i];
	return NULL;
}

static const struct h2_frame *
find_setting_frame(void)
{
	size_t i;

	for (i = 0; i < nfr; i++)
		if (fr[i].type == H2_FRAME_SETTINGS &&
		    !(fr[i].flags & H2_FLAG_ACK))
			return &fr[i];
	return NULL;
}

/* Sends a frame built by the caller into b, then pumps. */
static void
send_settings(uint32_t max_streams, uint32_t window)
{
	struct h2_setting s[2];
	struct buf b;
	size_t n = 0;

	buf_init(&b);
	if (max_streams > 0) {
		s[n].id = H2_SETTINGS_MAX_CONCURRENT_STREAMS;
		s[n++].value = max_streams;
	}
	if (window > 0) {
		s[n].id = H2_SETTINGS_INITIAL_WINDOW_SIZE;
		s[n++].value = window;
	}
	if (h2_frame_write_settings(&b, s, n) == -1)
		abort();
	wr(&b);
	buf_release(&b);
}

static void
send_simple(int (*fn)(struct buf *, uint32_t, uint32_t), uint32_t a, uint32_t c)
{
	struct buf b;

	buf_init(&b);
	if (fn(&b, a, c) == -1)
		abort();
	wr(&b);
	buf_release(&b);
}

static void
block_add(struct buf *blk, const char *name, const char *value)
{
	if (hpack_encode_field(
		&senc, blk, span_str(name), span_str(value), 0) == -1)
		abort();
}

/* Response headers :status 200 (+ a field) on sid. */
static void
send_response(uint32_t sid, int end_stream)
{
	struct buf blk, b;

	buf_init(&blk);
	buf_init(&b);
	block_add(&blk, ":status", "200");
	block_add(&blk, "content-type", "application/octet-stream");
	if (h2_frame_write_headers(
		&b, sid, blk.data, blk.len, end_stream, 16384) == -1)
		abort();
	wr(&b);
	buf_release(&blk);
	buf_release(&b);
}

static void
send_data(uint32_t sid, size_t n, int es)
{
	static unsigned char chunk[16384];
	struct buf b;
	size_t k;

	buf_init(&b);
	while (n > 0) {
		k = n > sizeof(chunk) ? sizeof(chunk) : n;
		n -= k;
		if (h2_frame_write_data(&b, sid, chunk, k, es && n == 0) == -1)
			abort();
	}
	wr(&b);
	buf_release(&b);
}

static void
send_goaway(uint32_t last, uint32_t code)
{
	struct buf b;

	buf_init(&b);
	if (h2_frame_write_goaway(&b, last, code, "bye", 3) == -1)
		abort();
	wr(&b);
	buf_release(&b);
}

static struct h2_client_stream *
start(struct h2_client *cl, const char *origin, const char *method,
    const char *path, const void *body, size_t len, int es, uint64_t deadline,
    struct sres *r)
{
	struct h2_client_request q;
	struct h2_client_stream *s;
	const char *err;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	memset(&q, 0, sizeof(q));
	q.origin = origin;
	q.method = method;
	q.path = path;
	q.body = body;
	q.body_len = len;
	q.end_stream = es;
	q.deadline_ms = deadline;
	q.cb = &cbs;
	q.arg = r;
	if ((s = h2_client_stream_start(cl, &q, &err)) == NULL)
		diag("start: %s", err);
	return s;
}

static int
new_pair(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    sock_set_nonblock(sv[0]) == -1 || sock_set_nonblock(sv[1]) == -1)
		abort();
	if (sfd != -1)
		close(sfd);
	sfd = sv[1];
	preface_seen = 0;
	peer_closed = 0;
	have = 0;
	hpack_encoder_release(&senc);
	hpack_decoder_release(&sdec);
	hpack_encoder_init(&senc, HPACK_DEFAULT_TABLE_SIZE);
	hpack_decoder_init(&sdec, HPACK_DEFAULT_TABLE_SIZE);
	return sv[0];
}

static struct sres r1, r2, r3, r4, r5, r6;

static void
test_main(void)
{
	struct h2_client_opts o;
	struct h2_client *cl;
	struct h2_client_conn *c;
	struct hpack_list hl;
	const struct h2_frame *f;
	const struct hpack_field *hf;
	static unsigned char body[1000];
	const char *err;
	char e[256];
	uint16_t id;
	uint32_t v;
	size_t i;
	int push_off = 0;
	struct buf blk, b;

	memset(&o, 0, sizeof(o));
	o.initial_window = 65535;
	o.connection_window = 131072;
	if ((cl = h2_client_new(l, &o, e, sizeof(e))) == NULL)
		abort();
	c = h2_client_adopt(cl, "grpc://test:1", new_pair());
	ok(c != NULL, "adopted a connection");
	pump();
	rd();
	ok(preface_seen, "client preface sent");
	f = find_setting_frame();
	ok(f != NULL, "SETTINGS sent");
	for (i = 0; f != NULL && h2_frame_setting(f, i, &id, &v) == 0; i++)
		if (id == H2_SETTINGS_ENABLE_PUSH && v == 0)
			push_off = 1;
	ok(push_off, "SETTINGS_ENABLE_PUSH 0");
	f = find(H2_FRAME_WINDOW_UPDATE, 0);
	ok(f != NULL && f->window_increment == 131072 - 65535,
	    "connection window raised to 128 KiB");

	(void)start(
	    cl, "grpc://test:1", "POST", "/a", body, sizeof(body), 1, 0, &r1);
	(void)start(cl, "grpc://test:1/", "GET", "/b", NULL, 0, 1, 0, &r2);
	pump();
	rd();
	is_int(nfr, 0, "no HEADERS before the server's SETTINGS");

	send_settings(1, 100);
	rd();
	ok(find(H2_FRAME_SETTINGS, 0) != NULL &&
		(find(H2_FRAME_SETTINGS, 0)->flags & H2_FLAG_ACK),
	    "SETTINGS ACKed");
	f = find(H2_FRAME_HEADERS, 1);
	ok(f != NULL, "HEADERS on stream 1");
	hpack_list_init(&hl);
	if (f != NULL &&
	    hpack_decode_list(&sdec, f->payload.p, f->payload.len, &hl, &err) ==
		0) {
		hf = hpack_list_get(&hl, ":method");
		ok(hf != NULL && span_eq_str(hf->value, "POST"), ":method");
		hf = hpack_list_get(&hl, ":scheme");
		ok(hf != NULL && span_eq_str(hf->value, "http"), ":scheme");
		hf = hpack_list_get(&hl, ":authority");
		ok(hf != NULL && span_eq_str(hf->value, "test:1"),
		    ":authority");
		hf = hpack_list_get(&hl, ":path");
		ok(hf != NULL && span_eq_str(hf->value, "/a"), ":path");
		ok(span_eq_str(hl.fields[0].name, ":method"),
		    "pseudo-headers first");
	} else
		ok(0, "request block decodes");
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 100 &&
		!(f->flags & H2_FLAG_END_STREAM),
	    "DATA limited to the server's 100-octet stream window");
	ok(find(H2_FRAME_HEADERS, 3) == NULL,
	    "second stream waits: MAX_CONCURRENT_STREAMS 1");

	send_simple(h2_frame_write_window_update, 1, 5000);
	rd();
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 900 &&
		(f->flags & H2_FLAG_END_STREAM),
	    "the rest after WINDOW_UPDATE, with END_STREAM");

	{
		struct buf pb;
		buf_init(&pb);
		if (h2_frame_write_ping(
			&pb, (const unsigned char *)"12345678", 0) == -1)
			abort();
		wr(&pb);
		buf_release(&pb);
	}
	rd();
	f = find(H2_FRAME_PING, 0);
	ok(f != NULL && (f->flags & H2_FLAG_ACK) &&
		memcmp(f->payload.p, "12345678", 8) == 0,
	    "PING answered with the same octets");

	send_response(1, 0);
	is_int(r1.status, 200, "response status");
	send_data(1, 40000, 0);
	is_int(r1.body.len, 40000, "response body");
	rd();
	f = find(H2_FRAME_WINDOW_UPDATE, 1);
	ok(f != NULL && f->window_increment >= 32767,
	    "stream WINDOW_UPDATE after half the window was consumed");
	ok(find(H2_FRAME_WINDOW_UPDATE, 0) == NULL,
	    "no connection WINDOW_UPDATE below half of 128 KiB");
	send_data(1, 40000, 0);
	rd();
	f = find(H2_FRAME_WINDOW_UPDATE, 0);
	ok(f != NULL && f->window_increment >= 65536,
	    "connection WINDOW_UPDATE after half its window");

	/* Trailers split over HEADERS + CONTINUATION. */
	buf_init(&blk);
	buf_init(&b);
	block_add(&blk, "x-trailer", "yes");
	block_add(&blk, "x-pad", "0123456789");
	if (h2_frame_write_header(
		&b, 4, H2_FRAME_HEADERS, H2_FLAG_END_STREAM, 1) == -1 ||
	    buf_append(&b, blk.data, 4) == -1 ||
	    h2_frame_write_header(&b, blk.len - 4, H2_FRAME_CONTINUATION,
		H2_FLAG_END_HEADERS, 1) == -1 ||
	    buf_append(&b, blk.data + 4, blk.len - 4) == -1)
		abort();
	wr(&b);
	buf_release(&blk);
	buf_release(&b);
	is_int(r1.closed, 1, "stream 1 closed by trailers");
	is_str(r1.err, "", "stream 1 ended normally");
	is_str(r1.trailer, "yes", "trailers reassembled from CONTINUATION");
	rd();
	f = find(H2_FRAME_HEADERS, 3);
	ok(f != NULL && (f->flags & H2_FLAG_END_STREAM),
	    "the queued stream starts when the slot frees");

	send_simple(h2_frame_write_rst_stream, 3, H2_REFUSED_STREAM);
	is_int(r2.closed, 1, "RST_STREAM closes stream 3");
	ok(r2.refused && r2.h2_error == H2_REFUSED_STREAM && !r2.local,
	    "REFUSED_STREAM reported as refused");
	ok(strstr(r2.err, "REFUSED_STREAM") != NULL, "reset message '%s'",
	    r2.err);

	send_settings(10, 0);
	(void)start(cl, "grpc://test:1", "GET", "/c", NULL, 0, 1, 0, &r3);
	(void)start(cl, "grpc://test:1", "GET", "/d", NULL, 0, 1, 0, &r4);
	(void)start(cl, "grpc://test:1", "GET", "/e", NULL, 0, 1, 0, &r5);
	pump();
	rd();
	ok(find(H2_FRAME_HEADERS, 5) && find(H2_FRAME_HEADERS, 7) &&
		find(H2_FRAME_HEADERS, 9),
	    "three streams at once after MAX_CONCURRENT_STREAMS 10");
	send_goaway(5, H2_NO_ERROR);
	ok(r4.closed == 1 && r4.refused && r5.closed == 1 && r5.refused,
	    "GOAWAY last 5: streams 7 and 9 refused");
	is_str(r5.err, "refused by the server (GOAWAY)", "refused message");
	is_int(r3.closed, 0, "stream 5 (below the last id) goes on");
	send_response(5, 1);
	is_int(r3.closed, 1, "stream 5 finished after GOAWAY");
	is_str(r3.err, "", "stream 5 ended normally");
	rd();
	ok(peer_closed, "drained connection closed by the client");

	/* The origin's connection is gone: a new one is dialled, and the
	 * default resolver does not know "test". */
	(void)start(cl, "grpc://test:1", "GET", "/f", NULL, 0, 1, 0, &r6);
	is_int(r6.closed, 0, "no callback inside h2_client_stream_start");
	pump();
	is_int(r6.closed, 1, "a new connection for the next stream");
	ok(strstr(r6.err, "host not found") != NULL && r6.local,
	    "resolution failure reported: '%s'", r6.err);
	buf_release(&r1.body);
	buf_release(&r2.body);
	buf_release(&r3.body);
	buf_release(&r4.body);
	buf_release(&r5.body);
	buf_release(&r6.body);
	hpack_list_release(&hl);
	h2_client_free(cl);
	pump();
}

/* Deadline, cancel, backpressure and a connection error. */
static void
test_second(void)
{
	static unsigned char big[2 * 1024 * 1024];
	struct h2_client *cl;
	struct h2_client_stream *s;
	struct sres a, b2, w;
	const struct h2_frame *f;
	char e[256];
	int rc, rounds;

	if ((cl = h2_client_new(l, NULL, e, sizeof(e))) == NULL)
		abort();
	ok(h2_client_adopt(cl, "grpc://test2:1", new_pair()) != NULL,
	    "second connection");
	pump();
	send_settings(0, 0);
	rd();

	(void)start(cl, "grpc://test2:1", "GET", "/slow", NULL, 0, 1, 50, &a);
	pump_ms(100);
	pump();
	is_int(a.closed, 1, "deadline: stream closed");
	ok(a.timeout && a.local, "deadline: reported as a local timeout");
	is_str(a.err, "deadline exceeded", "deadline: message");
	rd();
	f = find(H2_FRAME_RST_STREAM, 1);
	ok(f != NULL && f->error_code == H2_CANCEL,
	    "deadline: RST_STREAM CANCEL sent");

	s = start(cl, "grpc://test2:1", "GET", "/cancel", NULL, 0, 1, 0, &b2);
	pump();
	rd();
	ok(find(H2_FRAME_HEADERS, 3) != NULL, "cancel: stream 3 started");
	h2_client_stream_cancel(s);
	pump();
	rd();
	f = find(H2_FRAME_RST_STREAM, 3);
	ok(f != NULL && f->error_code == H2_CANCEL,
	    "cancel: RST_STREAM CANCEL");
	is_int(b2.closed, 0, "cancel: no callback");

	s = start(cl, "grpc://test2:1", "POST", "/up", NULL, 0, 0, 0, &w);
	rc = h2_client_stream_write(s, big, sizeof(big));
	is_int(rc, 1, "write above the high-water mark asks to wait");
	pump();
	data_bytes = 0;
	rd();
	is_int(data_bytes, 65535, "only the server's 64 KiB windows are sent");
	is_int(w.writable, 0, "not writable while the window is shut");
	send_simple(h2_frame_write_window_update, 0, 4 * 1024 * 1024);
	send_simple(h2_frame_write_window_update, 5, 4 * 1024 * 1024);
	for (rounds = 0; rounds < 200 && data_bytes < sizeof(big); rounds++) {
		pump();
		rd();
	}
	is_int(data_bytes, sizeof(big), "everything sent once windows open");
	ok(w.writable >= 1, "on_writable after the queue drained");
	ok(h2_client_stream_end(s) == 0, "end the request");
	pump();
	rd();
	f = find(H2_FRAME_DATA, 5);
	ok(f != NULL && f->payload.len == 0 && (f->flags & H2_FLAG_END_STREAM),
	    "END_STREAM on an empty DATA frame");

	/* DATA on an even (server-initiated, never opened) stream. */
	send_data(2, 10, 0);
	rd();
	f = find(H2_FRAME_GOAWAY, 0);
	ok(f != NULL && f->error_code == H2_PROTOCOL_ERROR,
	    "protocol error: GOAWAY PROTOCOL_ERROR");
	is_int(w.closed, 1, "protocol error: open stream closed");
	ok(strncmp(w.err, "HTTP/2 protocol error", 21) == 0,
	    "protocol error: '%s'", w.err);
	buf_release(&a.body);
	buf_release(&b2.body);
	buf_release(&w.body);
	h2_client_free(cl);
	pump();
}

/* Preface, connect and idle timeouts; detached mode. */
static void
test_third(void)
{
	struct h2_client_opts o;
	struct h2_client *cl;
	struct h2_client_conn *c;
	struct sres a, b2;
	const struct h2_frame *f;
	struct buf pb;
	char e[256];
	static const unsigned char settings[] = { 0, 0, 0, 4, 0, 0, 0, 0, 0 };

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 40;
	o.idle_timeout_ms = 40;
	if ((cl = h2_client_new(l, &o, e, sizeof(e))) == NULL)
		abort();

	ok(h2_client_adopt(cl, "grpc://t3:1", new_pair()) != NULL, "third");
	(void)start(cl, "grpc://t3:1", "GET", "/", NULL, 0, 1, 0, &a);
	buf_init(&pb);
	if (h2_frame_write_ping(&pb, (const unsigned char *)"abcdefgh", 0) ==
	    -1)
		abort();
	wr(&pb);
	buf_release(&pb);
	rd();
	f = find(H2_FRAME_GOAWAY, 0);
	ok(f != NULL && f->error_code == H2_PROTOCOL_ERROR,
	    "a server preface that is not SETTINGS: GOAWAY");
	is_int(a.closed, 1, "the queued stream fails");
	ok(strstr(a.err, "not SETTINGS") != NULL, "preface error '%s'", a.err);

	ok(h2_client_adopt(cl, "grpc://t4:1", new_pair()) != NULL, "fourth");
	(void)start(cl, "grpc://t4:1", "GET", "/", NULL, 0, 1, 0, &b2);
	pump_ms(80);
	pump();
	is_int(b2.closed, 1, "no SETTINGS from the server: stream fails");
	is_str(b2.err, "connect timeout", "connect timeout");

	ok(h2_client_adopt(cl, "grpc://t5:1", new_pair()) != NULL, "fifth");
	send_settings(0, 0);
	rd();
	pump_ms(80);
	pump();
	rd();
	f = find(H2_FRAME_GOAWAY, 0);
	ok(f != NULL && f->error_code == H2_NO_ERROR,
	    "idle connection: GOAWAY NO_ERROR");
	ok(peer_closed, "idle connection closed");

	c = h2_client_adopt(cl, "grpc://fuzz:1", -1);
	ok(c != NULL, "detached connection");
	ok(h2_client_conn_feed(c, settings, sizeof(settings)) == 0,
	    "detached: SETTINGS fed");
	ok(h2_client_conn_feed(c, "\xff\xff\xff\0\0\0\0\0\0", 9) == -1,
	    "detached: an oversized frame closes it");
	buf_release(&a.body);
	buf_release(&b2.body);
	h2_client_free(cl);
	pump();
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (getenv("H2_CLIENT_TRACE") != NULL)
		log_setup(LOG_TRACE, LOG_TEXT);
	if ((l = loop_new()) == NULL)
		abort();
	hpack_encoder_init(&senc, HPACK_DEFAULT_TABLE_SIZE);
	hpack_decoder_init(&sdec, HPACK_DEFAULT_TABLE_SIZE);
	test_main();
	test_second();
	test_third();
	if (sfd != -1)
		close(sfd);
	hpack_encoder_release(&senc);
	hpack_decoder_release(&sdec);
	loop_free(l);
	return done_testing();
}
