/*
 * Fuzz target for http/h2_frame: parses a stream of frames (octet 0
 * picks the advertised max frame size); every valid frame is re-encoded
 * with the matching writer and parsed again, and the fields must agree;
 * SETTINGS payloads go through h2_settings_apply and header blocks
 * through the CONTINUATION reassembler.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/h2_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
reencode(const struct h2_frame *f)
{
	struct h2_frame g;
	struct buf b;
	uint32_t code;
	const char *err;
	int r = 0;

	buf_init(&b);
	switch (f->type) {
	case H2_FRAME_DATA:
		r = h2_frame_write_data(&b, f->stream_id, f->payload.p,
		    f->payload.len, f->flags & H2_FLAG_END_STREAM);
		break;
	case H2_FRAME_HEADERS:
		r = h2_frame_write_headers(&b, f->stream_id, f->payload.p,
		    f->payload.len, f->flags & H2_FLAG_END_STREAM,
		    H2_MAX_MAX_FRAME_SIZE);
		break;
	case H2_FRAME_PUSH_PROMISE:
		r = h2_frame_write_push_promise(&b, f->stream_id,
		    f->promised_stream_id, f->payload.p, f->payload.len,
		    H2_MAX_MAX_FRAME_SIZE);
		break;
	case H2_FRAME_PRIORITY:
		r = h2_frame_write_priority(
		    &b, f->stream_id, f->dependency, f->exclusive, f->weight);
		break;
	case H2_FRAME_RST_STREAM:
		r = h2_frame_write_rst_stream(&b, f->stream_id, f->error_code);
		break;
	case H2_FRAME_PING:
		r = h2_frame_write_ping(
		    &b, f->payload.p, f->flags & H2_FLAG_ACK);
		break;
	case H2_FRAME_GOAWAY:
		r = h2_frame_write_goaway(&b, f->last_stream_id, f->error_code,
		    f->payload.p, f->payload.len);
		break;
	case H2_FRAME_WINDOW_UPDATE:
		r = h2_frame_write_window_update(
		    &b, f->stream_id, f->window_increment);
		break;
	default:
		r = h2_frame_write_raw(&b, f->type, f->flags, f->stream_id,
		    f->payload.p, f->payload.len);
		break;
	}
	if (r != 0) {
		/* Only a GOAWAY debug payload above 16 KiB may be refused. */
		if (f->type != H2_FRAME_GOAWAY)
			abort();
		buf_release(&b);
		return;
	}
	if (h2_frame_parse(b.data, b.len, H2_MAX_MAX_FRAME_SIZE, &g, &code,
		&err) != (int)b.len)
		abort();
	if (g.type != f->type || g.stream_id != f->stream_id ||
	    (f->type != H2_FRAME_WINDOW_UPDATE &&
		!span_eq(g.payload, f->payload)) ||
	    g.window_increment != f->window_increment ||
	    g.error_code != f->error_code ||
	    g.last_stream_id != f->last_stream_id ||
	    (f->type == H2_FRAME_PRIORITY &&
		(g.dependency != f->dependency || g.weight != f->weight ||
		    g.exclusive != f->exclusive)) ||
	    g.promised_stream_id != f->promised_stream_id)
		abort();
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h2_frame_block blk;
	struct h2_settings s;
	struct h2_frame f;
	uint32_t code, max, v;
	uint16_t id;
	const char *err;
	size_t pos = 1, i;
	int r;

	if (size < 1)
		return 0;
	max = data[0] & 1 ? H2_MAX_MAX_FRAME_SIZE : H2_DEFAULT_MAX_FRAME_SIZE;
	h2_settings_init(&s);
	h2_frame_block_init(&blk);
	while (pos < size) {
		r = h2_frame_parse(
		    data + pos, size - pos, max, &f, &code, &err);
		if (r == FAB_INCOMPLETE)
			break;
		if (r == FAB_ERROR) {
			if (err == NULL || !f.stream_error)
				break;
			/* Stream errors leave the frame skippable. */
			if (f.length > size - pos - H2_FRAME_HEADER_LEN)
				abort();
			pos += H2_FRAME_HEADER_LEN + f.length;
			continue;
		}
		if ((size_t)r > size - pos)
			abort();
		if (f.type == H2_FRAME_SETTINGS) {
			if (h2_settings_apply(&s, f.payload.p, f.payload.len,
				&code, &err) != 0)
				abort();
			for (i = 0; h2_frame_setting(&f, i, &id, &v) == 0; i++)
				;
		}
		reencode(&f);
		pos += (size_t)r;
		if ((h2_frame_block_open(&blk) || f.type == H2_FRAME_HEADERS ||
			f.type == H2_FRAME_PUSH_PROMISE ||
			f.type == H2_FRAME_CONTINUATION) &&
		    h2_frame_block_add(&blk, &f, &code, &err) < 0)
			break;
		if (blk.data.len > H2_FRAME_MAX_HEADER_BLOCK)
			abort();
	}
	h2_frame_block_release(&blk);
	return 0;
}
