/*
 * Unit tests for http/h2_server: a server connection driven over a
 * socketpair with hand-built frames (h2_frame and hpack encoders): the
 * preface, SETTINGS, stream states, flow control, PING, RST_STREAM,
 * GOAWAY and drain, and the connection and stream error paths.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "http/h2_frame.h"
#include "http/h2_server.h"
#include "http/hpack.h"
#include "net/loop.h"
#include "tap.h"

int main(void);

/* An over-long frame body (payload content does not matter). */
static const unsigned char big_payload[20000];

#define MAXF 256

static struct loop *l;
static struct h2_server *srv;
static int cfd = -1;
static struct hpack_encoder cenc;
static struct hpack_decoder cdec;

/* Frames the client received in the last rd(). */
static struct h2_frame fr[MAXF];
static unsigned char frbuf[1 << 20];
static size_t nfr;
static int peer_closed;

/* Handler events. */
static struct h2_stream *last;
static int n_request, n_end, n_close, last_es;
static uint32_t last_close_err;
static struct buf body;
static const char *last_state;

static void
on_request(struct h2_stream *s, int es, void *arg)
{
	last = s;
	n_request++;
	last_es = es;
	last_state = h2_stream_state_name(s);
}

static void
on_data(struct h2_stream *s, const unsigned char *p, size_t n, void *arg)
{
	if (buf_append(&body, p, n) == -1)
		abort();
}

static void
on_end(struct h2_stream *s, void *arg)
{
	n_end++;
	last_state = h2_stream_state_name(s);
}

static void
on_close(struct h2_stream *s, uint32_t err, void *arg)
{
	n_close++;
	last_close_err = err;
	if (s == last)
		last = NULL;
}

static const struct h2_handler handler = { on_request, on_data, on_end, NULL,
	on_close };

static void
stop_cb(struct loop *lp, void *arg)
{
	loop_stop(lp);
}

static void
pump(void)
{
	int i;

	for (i = 0; i < 3; i++) {
		loop_timer_add(l, 3, stop_cb, NULL);
		if (loop_run(l) == -1)
			abort();
	}
}

/* Drains the socket while writing, appending to the side buffer. */
static unsigned char keep[1 << 22];
static size_t nkeep;

static void rd_keep(void);

static void
wr(const struct buf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		n = write(cfd, b->data + off, b->len - off);
		if (n < 0 && errno == EAGAIN) {
			/* The server reads as the loop runs; keep what it
			 * answers meanwhile for the next rd(). */
			pump();
			rd_keep();
			continue;
		}
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	pump();
}

/* Reads what the server sent and parses it into fr[]. */
static void
rd(void)
{
	static size_t have;
	uint32_t code;
	const char *err;
	size_t off = 0;
	ssize_t n;
	int r;

	nfr = 0;
	if (nkeep > sizeof(frbuf) / 2 - have)
		abort();
	memcpy(frbuf + have, keep, nkeep);
	have += nkeep;
	nkeep = 0;
	for (;;) {
		n = read(cfd, frbuf + have, sizeof(frbuf) / 2 - have);
		if (n == 0)
			peer_closed = 1;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	while (nfr < MAXF) {
		r = h2_frame_parse(frbuf + off, have - off,
		    H2_DEFAULT_MAX_FRAME_SIZE, &fr[nfr], &code, &err);
		if (r < 0)
			break;
		off += (size_t)r;
		nfr++;
	}
	/* Frames point into frbuf: keep the bytes until the next rd(). */
	if (off < have)
		memmove(frbuf + sizeof(frbuf) / 2, frbuf + off, have - off);
	have -= off;
	if (have > 0)
		memmove(frbuf, frbuf + sizeof(frbuf) / 2, have);
}

static void
rd_keep(void)
{
	ssize_t n;

	while (nkeep < sizeof(keep) &&
	    (n = read(cfd, keep + nkeep, sizeof(keep) - nkeep)) > 0)
		nkeep += (size_t)n;
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

static uint32_t
goaway_code(void)
{
	const struct h2_frame *f = find(H2_FRAME_GOAWAY, 0);

	return f == NULL ? 0xffff : f->error_code;
}

static void
conn_new(const struct h2_setting *set, size_t nset)
{
	struct buf b;
	int sv[2];

	if (cfd != -1)
		close(cfd);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (h2_server_adopt(srv, sv[0], NULL, 0, "test") == -1)
		abort();
	cfd = sv[1];
	peer_closed = 0;
	hpack_encoder_release(&cenc);
	hpack_encoder_init(&cenc, 4096);
	hpack_decoder_release(&cdec);
	hpack_decoder_init(&cdec, 4096);
	buf_init(&b);
	if (buf_append(&b, H2_CLIENT_PREFACE, H2_CLIENT_PREFACE_LEN) == -1 ||
	    h2_frame_write_settings(&b, set, nset) == -1)
		abort();
	wr(&b);
	buf_release(&b);
	rd();
}

/* HEADERS for a POST to path with extra fields. */
static void
headers(struct buf *b, uint32_t sid, const char *path, int es,
    const char *xname, const char *xvalue)
{
	struct buf blk;
	struct hpack_field f[5];
	size_t n = 0;

	f[n].name = span_str(":method");
	f[n].value = span_str("POST");
	f[n++].flags = 0;
	f[n].name = span_str(":scheme");
	f[n].value = span_str("http");
	f[n++].flags = 0;
	f[n].name = span_str(":path");
	f[n].value = span_str(path);
	f[n++].flags = 0;
	f[n].name = span_str(":authority");
	f[n].value = span_str("x");
	f[n++].flags = 0;
	if (xname != NULL) {
		f[n].name = span_str(xname);
		f[n].value = span_str(xvalue);
		f[n++].flags = 0;
	}
	buf_init(&blk);
	if (hpack_encode_list(&cenc, &blk, f, n) == -1 ||
	    h2_frame_write_headers(b, sid, blk.data, blk.len, es, 16384) == -1)
		abort();
	buf_release(&blk);
}

static void
reset_events(void)
{
	n_request = n_end = n_close = 0;
	last_close_err = 0xffff;
	buf_reset(&body);
}

static const struct hpack_field status200[] = {
	{ { (const unsigned char *)":status", 7 },
	    { (const unsigned char *)"200", 3 }, 0 },
};
static const struct hpack_field trailer[] = {
	{ { (const unsigned char *)"grpc-status", 11 },
	    { (const unsigned char *)"0", 1 }, 0 },
};

static void
test_preface(void)
{
	const struct h2_frame *f;
	struct buf b;
	uint16_t id;
	uint32_t v, mcs = 0;
	size_t i;

	conn_new(NULL, 0);
	ok(nfr >= 3 && fr[0].type == H2_FRAME_SETTINGS && fr[0].flags == 0,
	    "server preface: SETTINGS first");
	for (i = 0; h2_frame_setting(&fr[0], i, &id, &v) == 0; i++)
		if (id == H2_SETTINGS_MAX_CONCURRENT_STREAMS)
			mcs = v;
	is_int(mcs, 100, "MAX_CONCURRENT_STREAMS advertised");
	f = find(H2_FRAME_WINDOW_UPDATE, 0);
	ok(f != NULL && f->window_increment == 16 * 1024 * 1024 - 65535,
	    "connection window raised to 16 MiB");
	f = find(H2_FRAME_SETTINGS, 0);
	ok(find(H2_FRAME_SETTINGS, 0) != NULL, "client SETTINGS acknowledged");
	for (i = 0; i < nfr; i++)
		if (fr[i].type == H2_FRAME_SETTINGS && fr[i].flags == 1)
			break;
	ok(i < nfr, "SETTINGS ACK present");

	buf_init(&b);
	if (h2_frame_write_ping(&b, (const unsigned char *)"abcdefgh", 0) == -1)
		abort();
	wr(&b);
	rd();
	f = find(H2_FRAME_PING, 0);
	ok(f != NULL && f->flags == H2_FLAG_ACK &&
		memcmp(f->payload.p, "abcdefgh", 8) == 0,
	    "PING answered with ACK and the same octets");
	buf_release(&b);
}

static void
test_bad_prefaces(void)
{
	struct buf b;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (h2_server_adopt(srv, sv[0], "GET / HTTP/1.1\r\n\r\n", 18, "t") ==
	    -1)
		abort();
	close(cfd);
	cfd = sv[1];
	pump();
	rd();
	is_int(goaway_code(), H2_PROTOCOL_ERROR,
	    "HTTP/1.1 instead of the preface -> GOAWAY PROTOCOL_ERROR");

	conn_new(NULL, 0);
	buf_init(&b);
	(void)b;
	close(cfd);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (buf_append(&b, H2_CLIENT_PREFACE, H2_CLIENT_PREFACE_LEN) == -1 ||
	    h2_frame_write_ping(&b, (const unsigned char *)"12345678", 0) == -1)
		abort();
	if (h2_server_adopt(srv, sv[0], b.data, b.len, "t") == -1)
		abort();
	cfd = sv[1];
	pump();
	rd();
	is_int(goaway_code(), H2_PROTOCOL_ERROR,
	    "preface followed by PING, not SETTINGS -> PROTOCOL_ERROR");
	buf_release(&b);
}

static void
test_unary(void)
{
	const struct h2_frame *f;
	struct hpack_list hl;
	const char *err;
	struct buf b;

	conn_new(NULL, 0);
	reset_events();
	buf_init(&b);
	hpack_list_init(&hl);
	headers(&b, 1, "/a", 0, "x-meta", "v1");
	wr(&b);
	is_int(n_request, 1, "HEADERS opens a stream");
	is_str(last_state, "open", "idle -> open");
	ok(last != NULL && span_eq_str(h2_stream_header(last, "x-meta"), "v1"),
	    "request header visible");
	ok(last != NULL && span_eq_str(h2_stream_header(last, ":path"), "/a"),
	    "pseudo-header visible");
	buf_reset(&b);
	if (h2_frame_write_data(&b, 1, "hello ", 6, 0) == -1 ||
	    h2_frame_write_data(&b, 1, "world", 5, 1) == -1)
		abort();
	wr(&b);
	is_mem(body.data, body.len, "hello world", 11, "DATA delivered");
	is_int(n_end, 1, "END_STREAM -> on_end");
	is_str(
	    last_state, "half-closed (remote)", "open -> half-closed (remote)");
	ok(h2_stream_respond(last, status200, 1, 0) == 0, "respond");
	ok(h2_stream_write(last, "resp", 4) == 0, "write");
	ok(h2_stream_end(last, trailer, 1) == 0, "end with trailers");
	pump();
	rd();
	f = find(H2_FRAME_HEADERS, 1);
	ok(f != NULL && !(f->flags & H2_FLAG_END_STREAM),
	    "response HEADERS without END_STREAM");
	ok(f != NULL &&
		hpack_decode_list(
		    &cdec, f->payload.p, f->payload.len, &hl, &err) == 0 &&
		hl.count == 1 && span_eq_str(hl.fields[0].value, "200"),
	    ":status 200");
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 4 &&
		memcmp(f->payload.p, "resp", 4) == 0,
	    "response DATA");
	ok(nfr > 0 && fr[nfr - 1].type == H2_FRAME_HEADERS &&
		(fr[nfr - 1].flags & H2_FLAG_END_STREAM),
	    "trailers last, with END_STREAM");
	is_int(n_close, 1, "half-closed (remote) -> closed");
	is_int(last_close_err, H2_NO_ERROR, "closed with NO_ERROR");
	ok(find(H2_FRAME_RST_STREAM, 1) == NULL,
	    "no RST after a full exchange");

	/* Early response: RST_STREAM NO_ERROR follows (RFC 9113 §8.1). */
	reset_events();
	buf_reset(&b);
	headers(&b, 3, "/b", 0, NULL, NULL);
	wr(&b);
	ok(last != NULL && h2_stream_respond(last, status200, 1, 1) == 0,
	    "Trailers-Only response while the client is still sending");
	pump();
	rd();
	f = find(H2_FRAME_RST_STREAM, 3);
	ok(f != NULL && f->error_code == H2_NO_ERROR,
	    "open -> half-closed (local) -> RST_STREAM NO_ERROR");
	is_int(n_close, 1, "stream closed");
	buf_reset(&b);
	if (h2_frame_write_data(&b, 3, "late", 4, 1) == -1)
		abort();
	wr(&b);
	rd();
	ok(nfr == 0 && n_request == 1, "DATA on a closed stream ignored");

	/* Client reset. */
	reset_events();
	buf_reset(&b);
	headers(&b, 5, "/c", 0, NULL, NULL);
	if (h2_frame_write_rst_stream(&b, 5, H2_CANCEL) == -1)
		abort();
	wr(&b);
	is_int(n_close, 1, "RST_STREAM closes the stream");
	is_int(last_close_err, H2_CANCEL, "with the client's code");

	/* Server reset. */
	reset_events();
	buf_reset(&b);
	headers(&b, 7, "/d", 0, NULL, NULL);
	wr(&b);
	h2_stream_reset(last, H2_INTERNAL_ERROR);
	pump();
	rd();
	f = find(H2_FRAME_RST_STREAM, 7);
	ok(f != NULL && f->error_code == H2_INTERNAL_ERROR,
	    "h2_stream_reset sends RST_STREAM");
	is_int(n_close, 1, "and closes");

	/* Malformed requests: stream errors. */
	reset_events();
	buf_reset(&b);
	headers(&b, 9, "/e", 1, "X-Upper", "v");
	headers(&b, 11, "/f", 1, "connection", "close");
	headers(&b, 13, "/g", 1, "te", "gzip");
	wr(&b);
	rd();
	is_int(n_request, 0, "malformed requests never reach the handler");
	ok(find(H2_FRAME_RST_STREAM, 9) != NULL &&
		find(H2_FRAME_RST_STREAM, 11) != NULL &&
		find(H2_FRAME_RST_STREAM, 13) != NULL,
	    "uppercase name, connection header, te: gzip -> RST "
	    "PROTOCOL_ERROR");
	is_int(goaway_code(), 0xffff, "no GOAWAY for stream errors");

	/* Trailers without END_STREAM. */
	reset_events();
	buf_reset(&b);
	headers(&b, 15, "/h", 0, NULL, NULL);
	wr(&b);
	buf_reset(&b);
	{
		struct buf blk;
		struct hpack_field tf = { { (const unsigned char *)"x-t", 3 },
			{ (const unsigned char *)"1", 1 }, 0 };
		buf_init(&blk);
		if (hpack_encode_list(&cenc, &blk, &tf, 1) == -1 ||
		    h2_frame_write_headers(
			&b, 15, blk.data, blk.len, 0, 16384) == -1)
			abort();
		buf_release(&blk);
	}
	wr(&b);
	rd();
	f = find(H2_FRAME_RST_STREAM, 15);
	ok(f != NULL && f->error_code == H2_PROTOCOL_ERROR,
	    "trailers without END_STREAM -> RST PROTOCOL_ERROR");

	hpack_list_release(&hl);
	buf_release(&b);
}

static void
test_flow_control(void)
{
	struct h2_setting set = { H2_SETTINGS_INITIAL_WINDOW_SIZE, 10 };
	const struct h2_frame *f;
	static char big[70000];
	struct buf b;
	size_t i, got;

	conn_new(&set, 1);
	reset_events();
	buf_init(&b);
	headers(&b, 1, "/fc", 1, NULL, NULL);
	wr(&b);
	ok(h2_stream_respond(last, status200, 1, 0) == 0 &&
		h2_stream_write(last, big, 100) == 0,
	    "100 octets queued");
	pump();
	rd();
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 10, "only the 10-octet window sent");
	is_int(h2_stream_queued(last), 90, "90 octets wait");
	buf_reset(&b);
	if (h2_frame_write_window_update(&b, 1, 50) == -1)
		abort();
	wr(&b);
	rd();
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 50, "WINDOW_UPDATE 50 -> 50 more");
	buf_reset(&b);
	set.value = 1000;
	if (h2_frame_write_settings(&b, &set, 1) == -1)
		abort();
	wr(&b);
	rd();
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 40,
	    "INITIAL_WINDOW_SIZE raised: the rest flows (§6.9.2)");
	ok(h2_stream_end(last, NULL, 0) == 0, "end with empty DATA");
	pump();
	rd();
	f = find(H2_FRAME_DATA, 1);
	ok(f != NULL && f->payload.len == 0 && (f->flags & H2_FLAG_END_STREAM),
	    "empty DATA with END_STREAM");
	is_int(n_close, 1, "closed");

	/* Receive side: WINDOW_UPDATEs as we consume. */
	reset_events();
	buf_reset(&b);
	headers(&b, 3, "/up", 0, NULL, NULL);
	for (i = 0; i < 40; i++)
		if (h2_frame_write_data(&b, 3, big, 16384, 0) == -1)
			abort();
	wr(&b);
	rd();
	is_int(body.len, 40 * 16384, "655360 octets received");
	got = 0;
	for (i = 0; i < nfr; i++)
		if (fr[i].type == H2_FRAME_WINDOW_UPDATE &&
		    fr[i].stream_id == 3)
			got += fr[i].window_increment;
	ok(got >= 512 * 1024, "stream window credited as consumed (%zu)", got);

	/* Overrunning the stream window (1 MiB) -> FLOW_CONTROL_ERROR. */
	conn_new(NULL, 0);
	buf_reset(&b);
	headers(&b, 1, "/over", 0, NULL, NULL);
	wr(&b);
	/* Without our WINDOW_UPDATEs: the client ignores them, so send
	 * 70 frames = 1146880 octets in one go. */
	buf_reset(&b);
	for (i = 0; i < 70; i++)
		if (h2_frame_write_data(&b, 1, big, 16384, 0) == -1)
			abort();
	wr(&b);
	rd();
	/* The server credits as it consumes, so a client that honours the
	 * updates never overruns; count only what it sent. */
	ok(goaway_code() == 0xffff, "no connection error while credited");

	/* Connection-level: WINDOW_UPDATE overflow. */
	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_window_update(&b, 0, 0x7fffffff) == -1)
		abort();
	wr(&b);
	rd();
	is_int(goaway_code(), H2_FLOW_CONTROL_ERROR,
	    "connection window above 2^31-1 -> FLOW_CONTROL_ERROR");
	buf_release(&b);
}

static void
test_connection_errors(void)
{
	struct buf b;

	buf_init(&b);
	conn_new(NULL, 0);
	headers(&b, 2, "/even", 1, NULL, NULL);
	wr(&b);
	rd();
	is_int(goaway_code(), H2_PROTOCOL_ERROR,
	    "even stream id -> PROTOCOL_ERROR");

	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_window_update(&b, 9, 1) == -1)
		abort();
	wr(&b);
	rd();
	is_int(goaway_code(), H2_PROTOCOL_ERROR,
	    "WINDOW_UPDATE on an idle stream -> PROTOCOL_ERROR");

	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_rst_stream(&b, 9, 0) == -1)
		abort();
	wr(&b);
	rd();
	is_int(goaway_code(), H2_PROTOCOL_ERROR,
	    "RST_STREAM on an idle stream -> PROTOCOL_ERROR");

	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_raw(&b, H2_FRAME_PING, 0, 0, big_payload,
		sizeof(big_payload)) == -1)
		abort();
	wr(&b);
	rd();
	is_int(goaway_code(), H2_FRAME_SIZE_ERROR,
	    "oversized frame -> FRAME_SIZE_ERROR");

	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_raw(&b, H2_FRAME_HEADERS, H2_FLAG_END_HEADERS, 1,
		"\xff\xff\xff\xff", 4) == -1)
		abort();
	wr(&b);
	rd();
	is_int(goaway_code(), H2_COMPRESSION_ERROR,
	    "undecodable header block -> COMPRESSION_ERROR");

	conn_new(NULL, 0);
	buf_reset(&b);
	if (h2_frame_write_raw(&b, 0xfa, 0, 0, "abc", 3) == -1 ||
	    h2_frame_write_ping(&b, (const unsigned char *)"pppppppp", 0) == -1)
		abort();
	wr(&b);
	rd();
	ok(goaway_code() == 0xffff && find(H2_FRAME_PING, 0) != NULL,
	    "unknown frame type ignored");
	buf_release(&b);
}

static void
test_drain(void)
{
	const struct h2_frame *f;
	struct buf b;

	conn_new(NULL, 0);
	reset_events();
	buf_init(&b);
	headers(&b, 1, "/slow", 1, NULL, NULL);
	wr(&b);
	h2_server_drain(srv);
	pump();
	rd();
	f = find(H2_FRAME_GOAWAY, 0);
	ok(f != NULL && f->error_code == H2_NO_ERROR && f->last_stream_id == 1,
	    "drain: GOAWAY NO_ERROR, last-stream-id 1");
	buf_reset(&b);
	headers(&b, 3, "/new", 1, NULL, NULL);
	wr(&b);
	rd();
	f = find(H2_FRAME_RST_STREAM, 3);
	ok(f != NULL && f->error_code == H2_REFUSED_STREAM && n_request == 1,
	    "drain: a new stream is refused");
	ok(!peer_closed, "drain: open stream keeps the connection");
	ok(h2_stream_respond(last, status200, 1, 1) == 0, "finish the stream");
	pump();
	rd();
	ok(find(H2_FRAME_HEADERS, 1) != NULL, "its response is delivered");
	pump();
	rd();
	ok(peer_closed, "drain: connection closes after its last stream");
	buf_release(&b);
}

int
main(void)
{
	struct h2_limits lim;

	l = loop_new();
	memset(&lim, 0, sizeof(lim));
	srv = h2_server_new(l, -1, "t", &lim, &handler, NULL);
	ok(srv != NULL, "server");
	buf_init(&body);
	hpack_encoder_init(&cenc, 4096);
	hpack_decoder_init(&cdec, 4096);
	test_preface();
	test_bad_prefaces();
	test_unary();
	test_flow_control();
	test_connection_errors();
	test_drain();
	close(cfd);
	cfd = -1;
	pump();
	is_int(h2_server_conns(srv), 0,
	    "lingering connection closes on the client's EOF");
	h2_server_free(srv);
	pump();
	hpack_encoder_release(&cenc);
	hpack_decoder_release(&cdec);
	buf_release(&body);
	loop_free(l);
	return done_testing();
}
