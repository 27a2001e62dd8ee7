/*
 * Unit tests for http/h2_frame: round trips of every frame type, each
 * RFC 9113 validation rule, truncated input and oversized frames.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/h2_frame.h"
#include "tap.h"

int main(void);

static struct h2_frame fr;
static uint32_t code;
static const char *err;

/* Parses exactly one frame occupying all of b. */
static int
parse1(const struct buf *b, uint32_t max)
{
	int r;

	code = 0xffff;
	err = NULL;
	r = h2_frame_parse(b->data, b->len, max, &fr, &code, &err);
	return r;
}

static void
raw(struct buf *b, uint8_t type, uint8_t flags, uint32_t sid,
    const char *payload, size_t len)
{
	buf_reset(b);
	if (h2_frame_write_raw(b, type, flags, sid, payload, len) == -1)
		abort();
}

/* Expects a connection (stream_error 0) or stream error with code. */
static void
expect_err(struct buf *b, uint32_t want, int stream, const char *name)
{
	int r = parse1(b, H2_DEFAULT_MAX_FRAME_SIZE);

	ok(r == FAB_ERROR && code == want && fr.stream_error == stream &&
		err != NULL,
	    "%s -> %s %s error (%s)", name, h2_frame_error_name(want),
	    stream ? "stream" : "connection", err != NULL ? err : "none");
}

static void
test_preface(void)
{
	static const unsigned char want[] = { 0x50, 0x52, 0x49, 0x20, 0x2a,
		0x20, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x32, 0x2e, 0x30, 0x0d,
		0x0a, 0x0d, 0x0a, 0x53, 0x4d, 0x0d, 0x0a, 0x0d, 0x0a };

	is_int(
	    strlen(H2_CLIENT_PREFACE), H2_CLIENT_PREFACE_LEN, "preface length");
	is_mem(H2_CLIENT_PREFACE, H2_CLIENT_PREFACE_LEN, want, sizeof(want),
	    "preface octets");
}

static void
test_round_trips(void)
{
	static const struct h2_setting set[] = { { 0x2, 0 }, { 0x3, 100 },
		{ 0x4, 1048576 }, { 0x6, 8192 }, { 0x5, 16384 } };
	struct h2_settings s;
	struct buf b, block, got;
	unsigned char opaque[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint16_t id;
	uint32_t v;
	size_t i, off;
	int r, nframes, good;

	buf_init(&b);
	buf_init(&block);
	buf_init(&got);

	ok(h2_frame_write_settings(&b, set, 5) == 0, "write SETTINGS");
	ok(parse1(&b, 16384) == 9 + 30 && fr.type == H2_FRAME_SETTINGS &&
		fr.stream_id == 0 && fr.flags == 0,
	    "SETTINGS parses");
	ok(h2_frame_setting(&fr, 2, &id, &v) == 0 && id == 4 && v == 1048576,
	    "SETTINGS pair 2");
	ok(h2_frame_setting(&fr, 5, &id, &v) == -1, "no pair 5");
	h2_settings_init(&s);
	ok(h2_settings_apply(&s, fr.payload.p, fr.payload.len, &code, &err) ==
		    0 &&
		s.enable_push == 0 && s.max_concurrent_streams == 100 &&
		s.initial_window_size == 1048576 &&
		s.max_header_list_size == 8192 && s.header_table_size == 4096 &&
		s.max_frame_size == 16384,
	    "SETTINGS applied");
	buf_reset(&b);
	ok(h2_frame_write_settings(&b, NULL, 0) == 0 && parse1(&b, 16384) == 9,
	    "empty SETTINGS");
	buf_reset(&b);
	ok(h2_frame_write_settings_ack(&b) == 0 && parse1(&b, 16384) == 9 &&
		fr.flags == H2_FLAG_ACK,
	    "SETTINGS ACK");

	buf_reset(&b);
	ok(h2_frame_write_headers(
	       &b, 1, (const unsigned char *)"\x82\x86", 2, 1, 16384) == 0,
	    "write HEADERS");
	ok(parse1(&b, 16384) == 11 && fr.type == H2_FRAME_HEADERS &&
		fr.stream_id == 1 &&
		fr.flags == (H2_FLAG_END_STREAM | H2_FLAG_END_HEADERS) &&
		fr.payload.len == 2 && !fr.has_priority,
	    "HEADERS parses with END_STREAM|END_HEADERS");

	/* A 40000-octet block: HEADERS + 2 CONTINUATION. */
	for (i = 0; i < 40000; i++)
		if (buf_putc(&block, (int)(i * 7)) == -1)
			abort();
	buf_reset(&b);
	ok(h2_frame_write_headers(&b, 3, block.data, block.len, 1, 16384) == 0,
	    "write big HEADERS");
	good = 1;
	for (off = 0, nframes = 0; off < b.len; nframes++) {
		r = h2_frame_parse(
		    b.data + off, b.len - off, 16384, &fr, &code, &err);
		if (r < 0) {
			good = 0;
			break;
		}
		if (nframes == 0)
			good &= fr.type == H2_FRAME_HEADERS &&
			    fr.flags == H2_FLAG_END_STREAM &&
			    fr.length == 16384;
		else
			good &= fr.type == H2_FRAME_CONTINUATION &&
			    fr.stream_id == 3 &&
			    (fr.flags == H2_FLAG_END_HEADERS) ==
				(off + (size_t)r == b.len);
		if (buf_append(&got, fr.payload.p, fr.payload.len) == -1)
			abort();
		off += (size_t)r;
	}
	ok(good && nframes == 3, "split into HEADERS + 2 CONTINUATION (%d)",
	    nframes);
	is_mem(got.data, got.len, block.data, block.len, "block reassembled");
	buf_reset(&b);
	ok(h2_frame_write_headers(&b, 3, block.data, 16384, 0, 16384) == 0 &&
		b.len == 9 + 16384 && parse1(&b, 16384) > 0 &&
		fr.flags == H2_FLAG_END_HEADERS,
	    "a block of exactly the max frame size needs no CONTINUATION");
	buf_reset(&b);
	ok(h2_frame_write_headers(&b, 3, block.data, 40000, 0, 65536) == 0 &&
		b.len == 9 + 40000,
	    "larger peer max frame size, one frame");

	buf_reset(&b);
	buf_reset(&got);
	ok(h2_frame_write_push_promise(&b, 1, 2, block.data, 20000, 16384) == 0,
	    "write PUSH_PROMISE");
	r = parse1(&b, 16384);
	ok(r == 9 + 16384 && fr.type == H2_FRAME_PUSH_PROMISE &&
		fr.promised_stream_id == 2 && fr.payload.len == 16380 &&
		fr.flags == 0 && memcmp(fr.payload.p, block.data, 16380) == 0,
	    "PUSH_PROMISE parses, promised id and fragment");
	ok(h2_frame_parse(b.data + r, b.len - (size_t)r, 16384, &fr, &code,
	       &err) == 9 + 20000 - 16380 &&
		fr.type == H2_FRAME_CONTINUATION &&
		fr.flags == H2_FLAG_END_HEADERS,
	    "PUSH_PROMISE continuation");

	buf_reset(&b);
	ok(h2_frame_write_data(&b, 5, "hello", 5, 0) == 0 &&
		parse1(&b, 16384) == 14 && fr.type == H2_FRAME_DATA &&
		fr.stream_id == 5 && fr.flags == 0 &&
		span_eq_str(fr.payload, "hello"),
	    "DATA");
	buf_reset(&b);
	ok(h2_frame_write_data(&b, 5, NULL, 0, 1) == 0 &&
		parse1(&b, 16384) == 9 && fr.flags == H2_FLAG_END_STREAM &&
		fr.payload.len == 0,
	    "empty DATA with END_STREAM");

	buf_reset(&b);
	ok(h2_frame_write_window_update(&b, 0, 983041) == 0 &&
		parse1(&b, 16384) == 13 && fr.type == H2_FRAME_WINDOW_UPDATE &&
		fr.stream_id == 0 && fr.window_increment == 983041,
	    "connection WINDOW_UPDATE");
	buf_reset(&b);
	ok(h2_frame_write_window_update(&b, 7, H2_MAX_WINDOW) == 0 &&
		parse1(&b, 16384) == 13 && fr.stream_id == 7 &&
		fr.window_increment == H2_MAX_WINDOW,
	    "stream WINDOW_UPDATE of 2^31-1");

	buf_reset(&b);
	ok(h2_frame_write_ping(&b, opaque, 0) == 0 && parse1(&b, 16384) == 17 &&
		fr.type == H2_FRAME_PING && fr.flags == 0 &&
		fr.payload.len == 8 && memcmp(fr.payload.p, opaque, 8) == 0,
	    "PING");
	buf_reset(&b);
	ok(h2_frame_write_ping(&b, opaque, 1) == 0 && parse1(&b, 16384) == 17 &&
		fr.flags == H2_FLAG_ACK,
	    "PING ACK");

	buf_reset(&b);
	ok(h2_frame_write_goaway(
	       &b, 41, H2_ENHANCE_YOUR_CALM, "too_many_pings", 14) == 0 &&
		parse1(&b, 16384) == 9 + 8 + 14 && fr.type == H2_FRAME_GOAWAY &&
		fr.last_stream_id == 41 &&
		fr.error_code == H2_ENHANCE_YOUR_CALM &&
		span_eq_str(fr.payload, "too_many_pings"),
	    "GOAWAY with debug data");

	buf_reset(&b);
	ok(h2_frame_write_rst_stream(&b, 9, H2_CANCEL) == 0 &&
		parse1(&b, 16384) == 13 && fr.type == H2_FRAME_RST_STREAM &&
		fr.stream_id == 9 && fr.error_code == H2_CANCEL,
	    "RST_STREAM");

	buf_reset(&b);
	ok(h2_frame_write_priority(&b, 11, 9, 1, 200) == 0 &&
		parse1(&b, 16384) == 14 && fr.type == H2_FRAME_PRIORITY &&
		fr.has_priority && fr.exclusive && fr.dependency == 9 &&
		fr.weight == 200,
	    "PRIORITY");

	raw(&b, 0xfa, 0xff, 0, "xyz", 3);
	ok(parse1(&b, 16384) == 12 && fr.type == 0xfa && fr.flags == 0xff &&
		span_eq_str(fr.payload, "xyz"),
	    "unknown frame type returned for the caller to ignore");
	is_str(h2_frame_type_name(0xfa), "UNKNOWN", "unknown type name");
	is_str(h2_frame_type_name(H2_FRAME_WINDOW_UPDATE), "WINDOW_UPDATE",
	    "type name");
	is_str(h2_frame_error_name(H2_COMPRESSION_ERROR), "COMPRESSION_ERROR",
	    "error name");
	is_str(h2_frame_error_name(0xe), "UNKNOWN", "unknown error name");

	/* Encoders refuse what the protocol forbids. */
	buf_reset(&b);
	ok(h2_frame_write_window_update(&b, 1, 0) == -1 &&
		h2_frame_write_window_update(&b, 1, 0x80000000u) == -1 &&
		h2_frame_write_data(&b, 0, "x", 1, 0) == -1 &&
		h2_frame_write_rst_stream(&b, 0, 0) == -1 &&
		h2_frame_write_headers(&b, 0, block.data, 1, 0, 16384) == -1 &&
		h2_frame_write_priority(&b, 0, 1, 0, 0) == -1 &&
		h2_frame_write_goaway(&b, 0x80000000u, 0, NULL, 0) == -1 &&
		h2_frame_write_push_promise(&b, 1, 0, block.data, 1, 16384) ==
		    -1 &&
		h2_frame_write_header(&b, 16777216, 0, 0, 1) == -1 &&
		h2_frame_write_header(&b, 1, 0, 0, 0x80000000u) == -1,
	    "encoders reject forbidden arguments");
	is_int(b.len, 0, "and write nothing");

	buf_release(&b);
	buf_release(&block);
	buf_release(&got);
}

static void
test_validation(void)
{
	struct buf b;
	char pl[64];

	buf_init(&b);
	memset(pl, 0, sizeof(pl));

	/* Stream-id rules. */
	raw(&b, H2_FRAME_DATA, 0, 0, "x", 1);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "DATA on stream 0");
	raw(&b, H2_FRAME_HEADERS, 4, 0, "\x82", 1);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "HEADERS on stream 0");
	raw(&b, H2_FRAME_PRIORITY, 0, 0, pl, 5);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "PRIORITY on stream 0");
	raw(&b, H2_FRAME_RST_STREAM, 0, 0, pl, 4);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "RST_STREAM on stream 0");
	raw(&b, H2_FRAME_SETTINGS, 0, 1, NULL, 0);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "SETTINGS on stream 1");
	raw(&b, H2_FRAME_PUSH_PROMISE, 4, 0, "\0\0\0\2", 4);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "PUSH_PROMISE on stream 0");
	raw(&b, H2_FRAME_PING, 0, 1, pl, 8);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "PING on stream 1");
	raw(&b, H2_FRAME_GOAWAY, 0, 3, pl, 8);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "GOAWAY on stream 3");
	raw(&b, H2_FRAME_CONTINUATION, 4, 0, "\x82", 1);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "CONTINUATION on stream 0");
	raw(&b, H2_FRAME_DATA, 0, 1, "x", 1);
	b.data[5] |= 0x80;
	ok(parse1(&b, 16384) == 10 && fr.stream_id == 1,
	    "reserved stream-id bit ignored");

	/* DATA padding. */
	raw(&b, H2_FRAME_DATA, H2_FLAG_PADDED, 1,
	    "\x03"
	    "abc\0\0\0",
	    7);
	ok(parse1(&b, 16384) == 16 && span_eq_str(fr.payload, "abc") &&
		fr.pad_length == 3 && fr.length == 7,
	    "padded DATA: padding removed, length counts it");
	raw(&b, H2_FRAME_DATA, H2_FLAG_PADDED, 1,
	    "\x06"
	    "abc\0\0\0",
	    7);
	ok(parse1(&b, 16384) == 16 && fr.payload.len == 0,
	    "padding filling the rest of the payload");
	raw(&b, H2_FRAME_DATA, H2_FLAG_PADDED, 1,
	    "\x07"
	    "abc\0\0\0",
	    7);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "DATA pad length = payload");
	raw(&b, H2_FRAME_DATA, H2_FLAG_PADDED, 1, NULL, 0);
	expect_err(
	    &b, H2_FRAME_SIZE_ERROR, 0, "padded DATA without Pad Length");

	/* HEADERS padding and priority. */
	raw(&b, H2_FRAME_HEADERS,
	    H2_FLAG_PADDED | H2_FLAG_PRIORITY | H2_FLAG_END_HEADERS, 3,
	    "\x02\x80\0\0\x01\x0f\x82\x84\0\0", 10);
	ok(parse1(&b, 16384) == 19 && fr.has_priority && fr.exclusive &&
		fr.dependency == 1 && fr.weight == 15 && fr.payload.len == 2 &&
		fr.payload.p[0] == 0x82 && fr.pad_length == 2,
	    "HEADERS with PADDED and PRIORITY");
	raw(&b, H2_FRAME_HEADERS, H2_FLAG_PRIORITY, 3, "\0\0\0\x01", 4);
	expect_err(
	    &b, H2_FRAME_SIZE_ERROR, 0, "HEADERS PRIORITY shorter than 5");
	raw(&b, H2_FRAME_HEADERS, H2_FLAG_PADDED | H2_FLAG_PRIORITY, 3,
	    "\x02\0\0\0\x01\x0f\x82", 7);
	expect_err(&b, H2_PROTOCOL_ERROR, 0,
	    "HEADERS padding eating the priority fields");
	raw(&b, H2_FRAME_HEADERS, H2_FLAG_PRIORITY, 3, "\0\0\0\x03\x0f", 5);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "HEADERS depending on itself");

	/* PRIORITY. */
	raw(&b, H2_FRAME_PRIORITY, 0, 3, pl, 4);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 1, "PRIORITY of 4 octets");
	ok(fr.stream_id == 3 && fr.length == 4,
	    "stream error leaves id and length to skip");
	raw(&b, H2_FRAME_PRIORITY, 0, 3, "\0\0\0\x03\x10", 5);
	expect_err(&b, H2_PROTOCOL_ERROR, 1, "PRIORITY depending on itself");

	/* RST_STREAM. */
	raw(&b, H2_FRAME_RST_STREAM, 0, 3, pl, 3);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "RST_STREAM of 3 octets");
	raw(&b, H2_FRAME_RST_STREAM, 0, 3, pl, 5);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "RST_STREAM of 5 octets");

	/* SETTINGS. */
	raw(&b, H2_FRAME_SETTINGS, H2_FLAG_ACK, 0, "\0\x01\0\0\0\0", 6);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "SETTINGS ACK with payload");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, pl, 5);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "SETTINGS of 5 octets");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x02\0\0\0\x02", 6);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "ENABLE_PUSH 2");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x02\0\0\0\x01", 6);
	ok(parse1(&b, 16384) == 15, "ENABLE_PUSH 1");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x04\x80\0\0\0", 6);
	expect_err(&b, H2_FLOW_CONTROL_ERROR, 0, "INITIAL_WINDOW_SIZE 2^31");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x04\x7f\xff\xff\xff", 6);
	ok(parse1(&b, 16384) == 15, "INITIAL_WINDOW_SIZE 2^31-1");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x05\0\0\x3f\xff", 6);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "MAX_FRAME_SIZE 16383");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x05\x01\0\0\0", 6);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "MAX_FRAME_SIZE 2^24");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x05\0\0\x40\0\0\x05\0\xff\xff\xff",
	    12);
	ok(parse1(&b, 16384) == 21, "MAX_FRAME_SIZE 16384 and 2^24-1");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\0\x08\0\0\0\x02", 6);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "ENABLE_CONNECT_PROTOCOL 2");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, "\x12\x34\xff\xff\xff\xff", 6);
	ok(parse1(&b, 16384) == 15, "unknown setting ignored");

	/* PUSH_PROMISE. */
	raw(&b, H2_FRAME_PUSH_PROMISE, 4, 1, "\0\0\0", 3);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "PUSH_PROMISE of 3 octets");
	raw(&b, H2_FRAME_PUSH_PROMISE, 4, 1, "\x80\0\0\0\x82", 5);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "PUSH_PROMISE of stream 0");
	raw(&b, H2_FRAME_PUSH_PROMISE, 4 | H2_FLAG_PADDED, 1,
	    "\x01\0\0\0\x02\x82\0", 7);
	ok(parse1(&b, 16384) == 16 && fr.promised_stream_id == 2 &&
		fr.payload.len == 1 && fr.payload.p[0] == 0x82,
	    "padded PUSH_PROMISE");
	raw(&b, H2_FRAME_PUSH_PROMISE, 4 | H2_FLAG_PADDED, 1,
	    "\x02\0\0\0\x02\x82", 6);
	expect_err(&b, H2_PROTOCOL_ERROR, 0, "PUSH_PROMISE padding too long");

	/* PING. */
	raw(&b, H2_FRAME_PING, 0, 0, pl, 7);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "PING of 7 octets");
	raw(&b, H2_FRAME_PING, 0, 0, pl, 9);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "PING of 9 octets");

	/* GOAWAY. */
	raw(&b, H2_FRAME_GOAWAY, 0, 0, pl, 7);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "GOAWAY of 7 octets");
	raw(&b, H2_FRAME_GOAWAY, 0, 0, "\xff\xff\xff\xff\0\0\0\x0b", 8);
	ok(parse1(&b, 16384) == 17 && fr.last_stream_id == H2_MAX_STREAM_ID &&
		fr.error_code == 0xb && fr.payload.len == 0,
	    "GOAWAY reserved bit masked");

	/* WINDOW_UPDATE. */
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 1, pl, 3);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "WINDOW_UPDATE of 3 octets");
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 1, pl, 5);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "WINDOW_UPDATE of 5 octets");
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 3, pl, 4);
	expect_err(&b, H2_PROTOCOL_ERROR, 1, "WINDOW_UPDATE 0 on a stream");
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 0, pl, 4);
	expect_err(
	    &b, H2_PROTOCOL_ERROR, 0, "WINDOW_UPDATE 0 on the connection");
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 0, "\x80\0\0\0", 4);
	expect_err(
	    &b, H2_PROTOCOL_ERROR, 0, "WINDOW_UPDATE of only the reserved bit");
	raw(&b, H2_FRAME_WINDOW_UPDATE, 0, 0, "\x80\0\0\x01", 4);
	ok(parse1(&b, 16384) == 13 && fr.window_increment == 1,
	    "WINDOW_UPDATE reserved bit masked");

	buf_release(&b);
}

static void
test_sizes_and_incremental(void)
{
	struct buf b, stream;
	static unsigned char big[40000];
	unsigned char opaque[8] = { 0 };
	size_t i, off, good, nframes;
	int r;

	buf_init(&b);
	buf_init(&stream);
	memset(big, 'z', sizeof(big));

	raw(&b, H2_FRAME_DATA, 0, 1, (const char *)big, 16384);
	ok(parse1(&b, 16384) == 9 + 16384, "frame of exactly max size");
	raw(&b, H2_FRAME_DATA, 0, 1, (const char *)big, 16385);
	expect_err(&b, H2_FRAME_SIZE_ERROR, 0, "DATA one octet over max");
	r = h2_frame_parse(b.data, 9, 16384, &fr, &code, &err);
	ok(r == FAB_ERROR && code == H2_FRAME_SIZE_ERROR,
	    "oversized frame rejected from its header alone");
	ok(parse1(&b, 20000) == 9 + 16385, "accepted under a larger max");
	raw(&b, H2_FRAME_SETTINGS, 0, 0, NULL, 0);
	b.data[0] = 0xff;
	b.data[1] = 0xff;
	b.data[2] = 0xff;
	r = h2_frame_parse(b.data, 9, H2_MAX_MAX_FRAME_SIZE, &fr, &code, &err);
	ok(r == FAB_INCOMPLETE && fr.length == 16777215,
	    "2^24-1 length under the largest max is incomplete, not error");

	/* A stream of several frames, parsed back to back, and every
	 * truncation of it reports FAB_INCOMPLETE at the cut frame. */
	if (buf_append(&stream, H2_CLIENT_PREFACE, 0) == -1 ||
	    h2_frame_write_settings_ack(&stream) == -1 ||
	    h2_frame_write_headers(&stream, 1, big, 30000, 0, 16384) == -1 ||
	    h2_frame_write_data(&stream, 1, big, 100, 1) == -1 ||
	    h2_frame_write_ping(&stream, opaque, 0) == -1 ||
	    h2_frame_write_window_update(&stream, 0, 5) == -1 ||
	    h2_frame_write_goaway(&stream, 1, 0, "bye", 3) == -1)
		abort();
	for (off = 0, nframes = 0; off < stream.len; nframes++) {
		r = h2_frame_parse(stream.data + off, stream.len - off, 16384,
		    &fr, &code, &err);
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	ok(off == stream.len && nframes == 7, "7 frames back to back");
	good = 1;
	for (i = 0; i < stream.len; i++) {
		size_t fstart = 0;

		/* Find the frame the cut falls into. */
		for (off = 0; off <= i;) {
			r = h2_frame_parse(stream.data + off, stream.len - off,
			    16384, &fr, &code, &err);
			fstart = off;
			off += (size_t)r;
		}
		r = h2_frame_parse(
		    stream.data + fstart, i - fstart, 16384, &fr, &code, &err);
		if (r != FAB_INCOMPLETE)
			good = 0;
	}
	ok(good, "every truncation is FAB_INCOMPLETE");
	buf_release(&b);
	buf_release(&stream);
}

static void
test_settings_apply(void)
{
	struct h2_settings s, before;
	uint32_t c = 0;
	const char *e = NULL;

	h2_settings_init(&s);
	ok(s.header_table_size == 4096 && s.enable_push == 1 &&
		s.initial_window_size == 65535 && s.max_frame_size == 16384 &&
		s.max_concurrent_streams == UINT32_MAX &&
		s.max_header_list_size == UINT32_MAX,
	    "initial values");
	ok(h2_settings_apply(&s,
	       (const unsigned char *)"\0\x01\0\0\x10\0\0\x01\0\0\0\0", 12, &c,
	       &e) == 0 &&
		s.header_table_size == 0,
	    "later pair wins (in order)");
	before = s;
	ok(h2_settings_apply(&s,
	       (const unsigned char *)"\0\x03\0\0\0\x05\0\x04\x80\0\0\0", 12,
	       &c, &e) == FAB_ERROR &&
		c == H2_FLOW_CONTROL_ERROR,
	    "invalid pair rejected");
	ok(memcmp(&s, &before, sizeof(s)) == 0,
	    "nothing applied from a rejected payload");
	ok(h2_settings_apply(
	       &s, (const unsigned char *)"\0\x03\0", 3, &c, &e) == FAB_ERROR &&
		c == H2_FRAME_SIZE_ERROR,
	    "partial pair rejected");
	ok(h2_settings_apply(&s,
	       (const unsigned char *)"\0\x08\0\0\0\x01\0\x09\0\0\0\x01", 12,
	       &c, &e) == 0 &&
		s.enable_connect_protocol == 1 && s.no_rfc7540_priorities == 1,
	    "RFC 8441 and RFC 9218 settings recorded");
}

/* Parses one frame from b at *off for the block tests. */
static const struct h2_frame *
next_frame(const struct buf *b, size_t *off)
{
	int r;

	r = h2_frame_parse(
	    b->data + *off, b->len - *off, 16384, &fr, &code, &err);
	if (r < 0)
		abort();
	*off += (size_t)r;
	return &fr;
}

static void
test_block(void)
{
	static unsigned char big[70000];
	struct h2_frame_block blk;
	struct buf b;
	size_t off = 0, i;
	int r = 0;

	buf_init(&b);
	h2_frame_block_init(&blk);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 13);
	if (h2_frame_write_headers(&b, 5, big, 40000, 1, 16384) == -1)
		abort();
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 0,
	    "HEADERS without END_HEADERS opens a block");
	ok(h2_frame_block_open(&blk), "block open");
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 0,
	    "first CONTINUATION");
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 1,
	    "last CONTINUATION completes the block");
	ok(!h2_frame_block_open(&blk) && blk.stream_id == 5 &&
		blk.type == H2_FRAME_HEADERS &&
		(blk.flags & H2_FLAG_END_STREAM),
	    "block describes the HEADERS frame");
	is_mem(blk.data.data, blk.data.len, big, 40000, "block contents");

	buf_reset(&b);
	off = 0;
	if (h2_frame_write_headers(&b, 7, big, 10, 0, 16384) == -1)
		abort();
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 1,
	    "single HEADERS frame block");
	is_int(blk.data.len, 10, "previous block dropped");

	/* Interleaving and orphans. */
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_headers(&b, 9, big, 20000, 0, 16384) == -1 ||
	    h2_frame_write_data(&b, 9, "x", 1, 0) == -1)
		abort();
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 0,
	    "open");
	off += 9 + 20000 - 16384; /* skip the CONTINUATION */
	ok(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err) ==
		    FAB_ERROR &&
		code == H2_PROTOCOL_ERROR,
	    "DATA inside a header block is a PROTOCOL_ERROR");
	h2_frame_block_release(&blk);
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_headers(&b, 9, big, 20000, 0, 16384) == -1 ||
	    h2_frame_write_raw(&b, H2_FRAME_CONTINUATION, 4, 11, "x", 1) == -1)
		abort();
	r = h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err);
	off += 9 + 20000 - 16384;
	ok(r == 0 &&
		h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err) ==
		    FAB_ERROR &&
		code == H2_PROTOCOL_ERROR,
	    "CONTINUATION on another stream is a PROTOCOL_ERROR");
	h2_frame_block_release(&blk);
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_raw(&b, H2_FRAME_CONTINUATION, 4, 1, "x", 1) == -1)
		abort();
	ok(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err) ==
		    FAB_ERROR &&
		code == H2_PROTOCOL_ERROR,
	    "CONTINUATION without HEADERS is a PROTOCOL_ERROR");
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_ping(&b, big, 0) == -1)
		abort();
	is_int(h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err), 0,
	    "other frames outside a block pass through");

	/* Limits. */
	h2_frame_block_release(&blk);
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_headers(
		&b, 1, big, H2_FRAME_MAX_HEADER_BLOCK, 0, 16384) == -1)
		abort();
	while (off < b.len && r >= 0)
		r = h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err);
	ok(r == 1 && blk.data.len == H2_FRAME_MAX_HEADER_BLOCK,
	    "block of exactly H2_FRAME_MAX_HEADER_BLOCK accepted");
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_headers(
		&b, 1, big, H2_FRAME_MAX_HEADER_BLOCK + 1, 0, 16384) == -1)
		abort();
	r = 0;
	while (off < b.len && r >= 0)
		r = h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err);
	ok(r == FAB_ERROR && code == H2_ENHANCE_YOUR_CALM,
	    "one octet more is rejected");
	h2_frame_block_release(&blk);
	buf_reset(&b);
	off = 0;
	if (h2_frame_write_raw(&b, H2_FRAME_HEADERS, 0, 1, "\x82", 1) == -1)
		abort();
	for (i = 0; i <= H2_FRAME_MAX_CONTINUATIONS; i++)
		if (h2_frame_write_raw(
			&b, H2_FRAME_CONTINUATION, 0, 1, NULL, 0) == -1)
			abort();
	r = 0;
	for (i = 0; off < b.len && r == 0; i++)
		r = h2_frame_block_add(&blk, next_frame(&b, &off), &code, &err);
	ok(r == FAB_ERROR && code == H2_ENHANCE_YOUR_CALM &&
		i == H2_FRAME_MAX_CONTINUATIONS + 2,
	    "CONTINUATION flood stopped after %d frames",
	    H2_FRAME_MAX_CONTINUATIONS);
	h2_frame_block_release(&blk);
	buf_release(&b);
}

int
main(void)
{
	test_preface();
	test_round_trips();
	test_validation();
	test_sizes_and_incremental();
	test_settings_apply();
	test_block();
	return done_testing();
}
