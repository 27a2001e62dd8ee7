/*
 * Unit tests for http/h2_conn: data framing limits, window arithmetic,
 * credits and WINDOW_UPDATE, SETTINGS receipt and ACK, header blocks
 * split into CONTINUATION frames, buffer compaction.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/h2_conn.h"
#include "tap.h"

int main(void);

/* Parses the frame at off in b into *f; returns the octets it takes. */
static size_t
frame_at(const struct buf *b, size_t off, struct h2_frame *f)
{
	uint32_t code = 0;
	const char *err = NULL;
	int rc;

	rc = h2_frame_parse(
	    b->data + off, b->len - off, H2_MAX_MAX_FRAME_SIZE, f, &code, &err);
	if (rc <= 0)
		abort();
	return (size_t)rc;
}

static void
test_connection_header(void)
{
	ok(h2_conn_is_connection_header(span_str("connection")), "connection");
	ok(h2_conn_is_connection_header(span_str("transfer-encoding")),
	    "transfer-encoding");
	ok(h2_conn_is_connection_header(span_str("upgrade")), "upgrade");
	ok(!h2_conn_is_connection_header(span_str("te")), "te is not");
	ok(!h2_conn_is_connection_header(span_str("content-type")),
	    "content-type is not");
}

static void
test_data_len(void)
{
	is_int(h2_conn_data_len(100, 1000, 1000, 16384), 100, "all of it");
	is_int(h2_conn_data_len(100, 40, 1000, 16384), 40, "stream window");
	is_int(h2_conn_data_len(100, 1000, 30, 16384), 30, "conn window");
	is_int(h2_conn_data_len(100000, 1 << 20, 1 << 20, 16384), 16384,
	    "max frame size");
	is_int(h2_conn_data_len(100, 0, 1000, 16384), 0, "no stream window");
	is_int(h2_conn_data_len(100, 1000, -5, 16384), 0, "negative window");
	is_int(h2_conn_data_len(0, 1000, 1000, 16384), 0, "nothing queued");
}

static void
test_window_add(void)
{
	int64_t w = 65535;

	is_int(h2_conn_window_add(&w, 100), 0, "add");
	is_int(w, 65635, "added");
	is_int(h2_conn_window_add(&w, -70000), 0, "may go negative");
	is_int(w, -4365, "negative");
	w = H2_MAX_WINDOW;
	is_int(h2_conn_window_add(&w, 0), 0, "2^31-1 is legal");
	is_int(h2_conn_window_add(&w, 1), -1, "2^31 overflows");
	is_int(w, (int64_t)H2_MAX_WINDOW + 1, "updated anyway");
}

static void
test_credit(void)
{
	struct buf out;
	struct h2_frame f;
	int64_t rw = 100;
	uint32_t un = 0;

	buf_init(&out);
	is_int(h2_conn_credit(&out, 3, &rw, &un, 40, 50), 0, "below");
	is_int(out.len, 0, "no WINDOW_UPDATE yet");
	is_int(un, 40, "unacked");
	is_int(rw, 100, "window unchanged");
	is_int(h2_conn_credit(&out, 3, &rw, &un, 10, 50), 0, "reaches");
	is_int(un, 0, "unacked cleared");
	is_int(rw, 150, "window given back");
	is_int(frame_at(&out, 0, &f), out.len, "one frame");
	is_int(f.type, H2_FRAME_WINDOW_UPDATE, "WINDOW_UPDATE");
	is_int(f.stream_id, 3, "on the stream");
	is_int(f.window_increment, 50, "increment");
	buf_release(&out);
}

static void
test_settings(void)
{
	static const struct h2_setting set[] = {
		{ H2_SETTINGS_INITIAL_WINDOW_SIZE, 1000 },
		{ H2_SETTINGS_HEADER_TABLE_SIZE, 0 },
	};
	/* MAX_FRAME_SIZE 100: below the legal minimum. */
	static const unsigned char bad[] = { 0, 5, 0, 0, 0, 100 };
	struct h2_settings remote, old;
	struct hpack_encoder enc;
	struct buf in, out;
	struct h2_frame f;
	uint32_t code = 0;
	const char *err = NULL;
	int64_t delta = 0;

	buf_init(&in);
	buf_init(&out);
	h2_settings_init(&remote);
	hpack_encoder_init(&enc, 4096);
	if (h2_frame_write_settings(&in, set, 2) == -1)
		abort();
	(void)frame_at(&in, 0, &f);
	is_int(h2_conn_settings_recv(&remote, &old, &f, &delta, &code, &err), 0,
	    "SETTINGS applied");
	is_int(delta, 1000 - H2_DEFAULT_WINDOW, "window delta");
	is_int(old.initial_window_size, H2_DEFAULT_WINDOW, "old kept");
	is_int(remote.initial_window_size, 1000, "new applied");
	is_int(h2_conn_settings_ack(&out, &enc, &old, &remote), 0, "ack");
	is_int(frame_at(&out, 0, &f), out.len, "one frame");
	is_int(f.type, H2_FRAME_SETTINGS, "SETTINGS");
	is_int(f.flags, H2_FLAG_ACK, "ACK");
	is_int(f.length, 0, "empty");
	/* The table size change shows as an update in the next block. */
	buf_reset(&out);
	is_int(hpack_encode_begin(&enc, &out), 0, "begin block");
	is_int(out.len, 1, "size update owed");
	is_int(out.data[0], 0x20, "update to 0");

	/* h2_frame_parse rejects it too; build the frame by hand. */
	memset(&f, 0, sizeof(f));
	f.type = H2_FRAME_SETTINGS;
	f.length = sizeof(bad);
	f.payload = span_make(bad, sizeof(bad));
	delta = 7;
	is_int(h2_conn_settings_recv(&remote, &old, &f, &delta, &code, &err),
	    FAB_ERROR, "bad SETTINGS");
	is_int(code, H2_PROTOCOL_ERROR, "PROTOCOL_ERROR");
	ok(err != NULL, "message");
	is_int(remote.initial_window_size, 1000, "remote unchanged");
	is_int(delta, 7, "delta untouched");
	hpack_encoder_release(&enc);
	buf_release(&in);
	buf_release(&out);
}

static void
test_write_block(void)
{
	struct hpack_field fields[3];
	struct hpack_encoder enc;
	struct hpack_decoder dec;
	struct hpack_list list;
	struct buf out, scratch, block;
	struct h2_frame f;
	char big[30000];
	const char *err = NULL;
	size_t off = 0, n;
	int frames = 0;

	memset(big, 'x', sizeof(big));
	memset(fields, 0, sizeof(fields));
	fields[0].name = span_str(":status");
	fields[0].value = span_str("200");
	fields[1].name = span_str("x-big");
	fields[1].value = span_make(big, sizeof(big));
	fields[2].name = span_str("x-other");
	fields[2].value = span_make(big, 20000);
	buf_init(&out);
	buf_init(&scratch);
	buf_init(&block);
	hpack_encoder_init(&enc, 4096);
	hpack_decoder_init(&dec, 4096);
	hpack_list_init(&list);
	if (buf_append(&scratch, "junk", 4) == -1)
		abort();
	is_int(h2_conn_write_block(&out, &scratch, &enc, 5, fields, 3, 1,
		   H2_DEFAULT_MAX_FRAME_SIZE),
	    0, "block written");
	while (off < out.len) {
		n = frame_at(&out, off, &f);
		is_int(f.type,
		    frames == 0 ? H2_FRAME_HEADERS : H2_FRAME_CONTINUATION,
		    "frame type");
		is_int(f.stream_id, 5, "stream");
		ok(f.length <= H2_DEFAULT_MAX_FRAME_SIZE,
		    "within max frame size");
		if (frames == 0)
			ok(f.flags & H2_FLAG_END_STREAM, "END_STREAM first");
		if (buf_append(&block, f.payload.p, f.payload.len) == -1)
			abort();
		off += n;
		frames++;
		if (f.flags & H2_FLAG_END_HEADERS)
			break;
	}
	is_int(off, out.len, "END_HEADERS on the last frame");
	ok(frames > 1, "split into CONTINUATION");
	is_mem(block.data, block.len, scratch.data, scratch.len,
	    "scratch holds the block");
	is_int(hpack_decode_list(&dec, block.data, block.len, &list, &err), 0,
	    "block decodes");
	is_int(list.count, 3, "three fields");
	hpack_list_release(&list);
	hpack_decoder_release(&dec);
	hpack_encoder_release(&enc);
	buf_release(&out);
	buf_release(&scratch);
	buf_release(&block);
}

static void
test_is_block_frame(void)
{
	struct h2_frame_block block;
	struct h2_frame f;
	uint32_t code = 0;
	const char *err = NULL;

	h2_frame_block_init(&block);
	memset(&f, 0, sizeof(f));
	f.stream_id = 1;
	f.type = H2_FRAME_DATA;
	ok(!h2_conn_is_block_frame(&block, &f), "DATA outside a block");
	f.type = H2_FRAME_PING;
	ok(!h2_conn_is_block_frame(&block, &f), "PING outside a block");
	f.type = H2_FRAME_HEADERS;
	ok(h2_conn_is_block_frame(&block, &f), "HEADERS");
	f.type = H2_FRAME_PUSH_PROMISE;
	ok(h2_conn_is_block_frame(&block, &f), "PUSH_PROMISE");
	f.type = H2_FRAME_CONTINUATION;
	ok(h2_conn_is_block_frame(&block, &f), "stray CONTINUATION");
	f.type = H2_FRAME_HEADERS;
	f.payload = span_make("\x82", 1);
	f.length = 1;
	is_int(h2_frame_block_add(&block, &f, &code, &err), 0, "block opened");
	f.type = H2_FRAME_DATA;
	ok(h2_conn_is_block_frame(&block, &f), "DATA inside an open block");
	h2_frame_block_release(&block);
}

static void
test_compact(void)
{
	struct buf b;
	size_t off;

	buf_init(&b);
	if (buf_append(&b, "abcdef", 6) == -1)
		abort();
	off = 2;
	h2_conn_compact(&b, &off, 3);
	is_int(off, 2, "below min: kept");
	is_int(b.len, 6, "not moved");
	off = 3;
	h2_conn_compact(&b, &off, 3);
	is_int(off, 0, "at min: consumed");
	is_mem(b.data, b.len, "def", 3, "rest moved to the front");
	off = 3;
	h2_conn_compact(&b, &off, 1000);
	is_int(off, 0, "all used");
	is_int(b.len, 0, "emptied");
	buf_release(&b);
}

int
main(void)
{
	test_connection_header();
	test_data_len();
	test_window_add();
	test_credit();
	test_settings();
	test_write_block();
	test_is_block_frame();
	test_compact();
	return done_testing();
}
