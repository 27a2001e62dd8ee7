/*
 * HTTP/2 frames (RFC 9113 §4.1 layout, §6 per-type rules, §6.5 SETTINGS,
 * §7 error codes): a parser that validates one frame at a time and
 * encoders that append frames to a buffer.
 *
 * Security: every byte given to h2_frame_parse comes from the peer.  The
 * parser reads nothing beyond len, rejects a frame longer than the
 * SETTINGS_MAX_FRAME_SIZE we advertised from its 9-octet header alone
 * (before the payload is buffered, so the caller never needs more than
 * 9 + max_frame_size octets), checks every fixed length, padding length
 * and stream-id rule before using a field, and allocates nothing.
 * Results are views into the caller's buffer.
 */
#include <stdint.h>
#include <string.h>

#include "http/h2_frame.h"

enum h2_stream_rule {
	H2_SID_ANY,
	H2_SID_ZERO, /* connection-level frames */
	H2_SID_NONZERO, /* stream-level frames */
};

typedef int h2_frame_check_fn(struct h2_frame *, uint32_t *, const char **);

struct h2_frame_kind {
	const char *name;
	enum h2_stream_rule sid;
	h2_frame_check_fn *check;
};

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int
fail(uint32_t *h2_error, const char **err, uint32_t code, const char *msg)
{
	*h2_error = code;
	*err = msg;
	return FAB_ERROR;
}

/* Strips the Pad Length octet and the padding; reserve is how many
 * octets after the Pad Length belong to fixed fields (priority,
 * promised id), which the padding may not eat (RFC 9113 §6.1, §6.2). */
static int
strip_padding(
    struct h2_frame *f, size_t reserve, uint32_t *h2_error, const char **err)
{
	size_t rest;

	if ((f->flags & H2_FLAG_PADDED) == 0) {
		if (f->payload.len < reserve)
			return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
			    "frame too short");
		return 0;
	}
	if (f->payload.len < 1 + reserve)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "frame too short for its padding");
	f->pad_length = f->payload.p[0];
	rest = f->payload.len - 1 - reserve;
	if (f->pad_length > rest)
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "padding longer than the payload");
	f->payload.p++;
	f->payload.len -= 1 + f->pad_length;
	return 0;
}

static void
read_priority(struct h2_frame *f, const unsigned char *p)
{
	uint32_t v = get32(p);

	f->has_priority = 1;
	f->exclusive = (v >> 31) != 0;
	f->dependency = v & H2_MAX_STREAM_ID;
	f->weight = p[4];
}

static int
check_data(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	return strip_padding(f, 0, h2_error, err);
}

static int
check_headers(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	size_t reserve = (f->flags & H2_FLAG_PRIORITY) ? 5 : 0;

	if (strip_padding(f, reserve, h2_error, err) < 0)
		return FAB_ERROR;
	if (reserve > 0) {
		read_priority(f, f->payload.p);
		f->payload.p += 5;
		f->payload.len -= 5;
		/* RFC 9113 §5.3.1 allows a stream error, but the header block
		 * must still reach HPACK; fail the connection instead. */
		if (f->dependency == f->stream_id)
			return fail(h2_error, err, H2_PROTOCOL_ERROR,
			    "stream depends on itself");
	}
	return 0;
}

static int
check_priority(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (f->payload.len != 5) {
		f->stream_error = 1;
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "PRIORITY length is not 5");
	}
	read_priority(f, f->payload.p);
	if (f->dependency == f->stream_id) {
		f->stream_error = 1;
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "stream depends on itself");
	}
	return 0;
}

static int
check_rst_stream(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (f->payload.len != 4)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "RST_STREAM length is not 4");
	f->error_code = get32(f->payload.p);
	return 0;
}

/* Validates every pair; shared by the parser and h2_settings_apply. */
static int
settings_validate(
    const unsigned char *p, size_t len, uint32_t *h2_error, const char **err)
{
	uint32_t v;
	size_t i;

	if (len % 6 != 0)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "SETTINGS length is not a multiple of 6");
	for (i = 0; i < len; i += 6) {
		v = get32(p + i + 2);
		switch ((uint16_t)(p[i] << 8 | p[i + 1])) {
		case H2_SETTINGS_ENABLE_PUSH:
			if (v > 1)
				return fail(h2_error, err, H2_PROTOCOL_ERROR,
				    "ENABLE_PUSH is not 0 or 1");
			break;
		case H2_SETTINGS_INITIAL_WINDOW_SIZE:
			if (v > H2_MAX_WINDOW)
				return fail(h2_error, err,
				    H2_FLOW_CONTROL_ERROR,
				    "INITIAL_WINDOW_SIZE above 2^31-1");
			break;
		case H2_SETTINGS_MAX_FRAME_SIZE:
			if (v < H2_DEFAULT_MAX_FRAME_SIZE ||
			    v > H2_MAX_MAX_FRAME_SIZE)
				return fail(h2_error, err, H2_PROTOCOL_ERROR,
				    "MAX_FRAME_SIZE out of range");
			break;
		case H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
		case H2_SETTINGS_NO_RFC7540_PRIORITIES:
			if (v > 1)
				return fail(h2_error, err, H2_PROTOCOL_ERROR,
				    "boolean setting is not 0 or 1");
			break;
		default:
			break;
		}
	}
	return 0;
}

static int
check_settings(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if ((f->flags & H2_FLAG_ACK) && f->payload.len != 0)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "SETTINGS ACK with a payload");
	return settings_validate(f->payload.p, f->payload.len, h2_error, err);
}

static int
check_push_promise(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (strip_padding(f, 4, h2_error, err) < 0)
		return FAB_ERROR;
	f->promised_stream_id = get32(f->payload.p) & H2_MAX_STREAM_ID;
	f->payload.p += 4;
	f->payload.len -= 4;
	if (f->promised_stream_id == 0)
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "PUSH_PROMISE promises stream 0");
	return 0;
}

static int
check_ping(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (f->payload.len != 8)
		return fail(
		    h2_error, err, H2_FRAME_SIZE_ERROR, "PING length is not 8");
	return 0;
}

static int
check_goaway(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (f->payload.len < 8)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "GOAWAY shorter than 8");
	f->last_stream_id = get32(f->payload.p) & H2_MAX_STREAM_ID;
	f->error_code = get32(f->payload.p + 4);
	f->payload.p += 8;
	f->payload.len -= 8;
	return 0;
}

static int
check_window_update(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	if (f->payload.len != 4)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "WINDOW_UPDATE length is not 4");
	f->window_increment = get32(f->payload.p) & H2_MAX_WINDOW;
	if (f->window_increment == 0) {
		f->stream_error = f->stream_id != 0;
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "WINDOW_UPDATE increment is 0");
	}
	return 0;
}

static int
check_continuation(struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	return 0;
}

static const struct h2_frame_kind h2_frame_kinds[] = {
	[H2_FRAME_DATA] = { "DATA", H2_SID_NONZERO, check_data },
	[H2_FRAME_HEADERS] = { "HEADERS", H2_SID_NONZERO, check_headers },
	[H2_FRAME_PRIORITY] = { "PRIORITY", H2_SID_NONZERO, check_priority },
	[H2_FRAME_RST_STREAM] = { "RST_STREAM", H2_SID_NONZERO,
	    check_rst_stream },
	[H2_FRAME_SETTINGS] = { "SETTINGS", H2_SID_ZERO, check_settings },
	[H2_FRAME_PUSH_PROMISE] = { "PUSH_PROMISE", H2_SID_NONZERO,
	    check_push_promise },
	[H2_FRAME_PING] = { "PING", H2_SID_ZERO, check_ping },
	[H2_FRAME_GOAWAY] = { "GOAWAY", H2_SID_ZERO, check_goaway },
	[H2_FRAME_WINDOW_UPDATE] = { "WINDOW_UPDATE", H2_SID_ANY,
	    check_window_update },
	[H2_FRAME_CONTINUATION] = { "CONTINUATION", H2_SID_NONZERO,
	    check_continuation },
};

#define H2_FRAME_KINDS (sizeof(h2_frame_kinds) / sizeof(h2_frame_kinds[0]))

int
h2_frame_parse(const unsigned char *p, size_t len, uint32_t max_frame_size,
    struct h2_frame *f, uint32_t *h2_error, const char **err)
{
	const struct h2_frame_kind *k;

	if (len < H2_FRAME_HEADER_LEN)
		return FAB_INCOMPLETE;
	memset(f, 0, sizeof(*f));
	f->length = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
	f->type = p[3];
	f->flags = p[4];
	f->stream_id = get32(p + 5) & H2_MAX_STREAM_ID;
	if (f->length > max_frame_size)
		return fail(h2_error, err, H2_FRAME_SIZE_ERROR,
		    "frame larger than SETTINGS_MAX_FRAME_SIZE");
	if (len - H2_FRAME_HEADER_LEN < f->length)
		return FAB_INCOMPLETE;
	f->payload = span_make(p + H2_FRAME_HEADER_LEN, f->length);
	if (f->type >= H2_FRAME_KINDS)
		return (int)(H2_FRAME_HEADER_LEN + f->length);
	k = &h2_frame_kinds[f->type];
	if (k->sid == H2_SID_ZERO && f->stream_id != 0)
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "connection frame on a stream");
	if (k->sid == H2_SID_NONZERO && f->stream_id == 0)
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "stream frame on stream 0");
	if (k->check(f, h2_error, err) < 0)
		return FAB_ERROR;
	return (int)(H2_FRAME_HEADER_LEN + f->length);
}

const char *
h2_frame_type_name(uint8_t type)
{
	if (type >= H2_FRAME_KINDS)
		return "UNKNOWN";
	return h2_frame_kinds[type].name;
}

const char *
h2_frame_error_name(uint32_t code)
{
	static const char *const names[] = { "NO_ERROR", "PROTOCOL_ERROR",
		"INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
		"STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL",
		"COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
		"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED" };

	if (code >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[code];
}

/* ------------------------------------------------------------------ */
/* Header blocks */

void
h2_frame_block_init(struct h2_frame_block *b)
{
	buf_init(&b->data);
	b->stream_id = 0;
	b->type = 0;
	b->flags = 0;
	b->promised_stream_id = 0;
	b->frames = 0;
	b->open = 0;
	b->complete = 0;
}

void
h2_frame_block_release(struct h2_frame_block *b)
{
	buf_release(&b->data);
	h2_frame_block_init(b);
}

int
h2_frame_block_open(const struct h2_frame_block *b)
{
	return b->open;
}

int
h2_frame_block_add(struct h2_frame_block *b, const struct h2_frame *f,
    uint32_t *h2_error, const char **err)
{
	if (b->complete) {
		b->complete = 0;
		buf_reset(&b->data);
	}
	if (b->open) {
		if (f->type != H2_FRAME_CONTINUATION ||
		    f->stream_id != b->stream_id)
			return fail(h2_error, err, H2_PROTOCOL_ERROR,
			    "frame interleaved in a header block");
		if (++b->frames > H2_FRAME_MAX_CONTINUATIONS)
			return fail(h2_error, err, H2_ENHANCE_YOUR_CALM,
			    "too many CONTINUATION frames");
	} else if (f->type == H2_FRAME_CONTINUATION) {
		return fail(h2_error, err, H2_PROTOCOL_ERROR,
		    "CONTINUATION without HEADERS");
	} else if (f->type == H2_FRAME_HEADERS ||
	    f->type == H2_FRAME_PUSH_PROMISE) {
		b->stream_id = f->stream_id;
		b->type = f->type;
		b->flags = f->flags;
		b->promised_stream_id = f->promised_stream_id;
		b->frames = 0;
		b->open = 1;
	} else {
		return 0;
	}
	if (f->payload.len > H2_FRAME_MAX_HEADER_BLOCK - b->data.len)
		return fail(h2_error, err, H2_ENHANCE_YOUR_CALM,
		    "header block too large");
	if (buf_append(&b->data, f->payload.p, f->payload.len) == -1)
		return fail(h2_error, err, H2_INTERNAL_ERROR, "out of memory");
	if (f->flags & H2_FLAG_END_HEADERS) {
		b->open = 0;
		b->complete = 1;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* SETTINGS */

void
h2_settings_init(struct h2_settings *s)
{
	s->header_table_size = 4096;
	s->enable_push = 1;
	s->max_concurrent_streams = UINT32_MAX;
	s->initial_window_size = H2_DEFAULT_WINDOW;
	s->max_frame_size = H2_DEFAULT_MAX_FRAME_SIZE;
	s->max_header_list_size = UINT32_MAX;
	s->enable_connect_protocol = 0;
	s->no_rfc7540_priorities = 0;
}

int
h2_settings_apply(struct h2_settings *s, const unsigned char *p, size_t len,
    uint32_t *h2_error, const char **err)
{
	uint32_t v;
	size_t i;

	if (settings_validate(p, len, h2_error, err) < 0)
		return FAB_ERROR;
	for (i = 0; i < len; i += 6) {
		v = get32(p + i + 2);
		switch ((uint16_t)(p[i] << 8 | p[i + 1])) {
		case H2_SETTINGS_HEADER_TABLE_SIZE:
			s->header_table_size = v;
			break;
		case H2_SETTINGS_ENABLE_PUSH:
			s->enable_push = v;
			break;
		case H2_SETTINGS_MAX_CONCURRENT_STREAMS:
			s->max_concurrent_streams = v;
			break;
		case H2_SETTINGS_INITIAL_WINDOW_SIZE:
			s->initial_window_size = v;
			break;
		case H2_SETTINGS_MAX_FRAME_SIZE:
			s->max_frame_size = v;
			break;
		case H2_SETTINGS_MAX_HEADER_LIST_SIZE:
			s->max_header_list_size = v;
			break;
		case H2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
			s->enable_connect_protocol = v;
			break;
		case H2_SETTINGS_NO_RFC7540_PRIORITIES:
			s->no_rfc7540_priorities = v;
			break;
		default:
			break;
		}
	}
	return 0;
}

int
h2_frame_setting(
    const struct h2_frame *f, size_t i, uint16_t *id, uint32_t *value)
{
	const unsigned char *p;

	if (f->type != H2_FRAME_SETTINGS || i >= f->payload.len / 6)
		return -1;
	p = f->payload.p + 6 * i;
	*id = (uint16_t)(p[0] << 8 | p[1]);
	*value = get32(p + 2);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Encoders */

int
h2_frame_write_header(struct buf *out, size_t length, uint8_t type,
    uint8_t flags, uint32_t stream_id)
{
	unsigned char h[H2_FRAME_HEADER_LEN];

	if (length > H2_MAX_MAX_FRAME_SIZE || stream_id > H2_MAX_STREAM_ID)
		return -1;
	h[0] = (unsigned char)(length >> 16);
	h[1] = (unsigned char)(length >> 8);
	h[2] = (unsigned char)length;
	h[3] = type;
	h[4] = flags;
	put32(h + 5, stream_id);
	return buf_append(out, h, sizeof(h));
}

int
h2_frame_write_raw(struct buf *out, uint8_t type, uint8_t flags,
    uint32_t stream_id, const void *payload, size_t len)
{
	if (h2_frame_write_header(out, len, type, flags, stream_id) == -1)
		return -1;
	return buf_append(out, payload, len);
}

int
h2_frame_write_settings(struct buf *out, const struct h2_setting *s, size_t n)
{
	unsigned char pair[6];
	size_t i;

	if (n > H2_DEFAULT_MAX_FRAME_SIZE / 6 ||
	    h2_frame_write_header(out, 6 * n, H2_FRAME_SETTINGS, 0, 0) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		pair[0] = (unsigned char)(s[i].id >> 8);
		pair[1] = (unsigned char)s[i].id;
		put32(pair + 2, s[i].value);
		if (buf_append(out, pair, sizeof(pair)) == -1)
			return -1;
	}
	return 0;
}

int
h2_frame_write_settings_ack(struct buf *out)
{
	return h2_frame_write_header(out, 0, H2_FRAME_SETTINGS, H2_FLAG_ACK, 0);
}

/* A header block as a first frame (prefix_len octets of fixed fields,
 * then as much of the block as fits) plus CONTINUATION frames. */
static int
write_block(struct buf *out, uint8_t type, uint8_t flags, uint32_t stream_id,
    const unsigned char *prefix, size_t prefix_len, const unsigned char *block,
    size_t len, uint32_t max)
{
	size_t chunk;

	if (stream_id == 0 || stream_id > H2_MAX_STREAM_ID)
		return -1;
	if (max < H2_DEFAULT_MAX_FRAME_SIZE)
		max = H2_DEFAULT_MAX_FRAME_SIZE;
	if (max > H2_MAX_MAX_FRAME_SIZE)
		max = H2_MAX_MAX_FRAME_SIZE;
	chunk = len < max - prefix_len ? len : max - prefix_len;
	if (chunk == len)
		flags |= H2_FLAG_END_HEADERS;
	if (h2_frame_write_header(
		out, prefix_len + chunk, type, flags, stream_id) == -1 ||
	    buf_append(out, prefix, prefix_len) == -1 ||
	    buf_append(out, block, chunk) == -1)
		return -1;
	block += chunk;
	len -= chunk;
	while (len > 0) {
		chunk = len < max ? len : max;
		if (h2_frame_write_raw(out, H2_FRAME_CONTINUATION,
			chunk == len ? H2_FLAG_END_HEADERS : 0, stream_id,
			block, chunk) == -1)
			return -1;
		block += chunk;
		len -= chunk;
	}
	return 0;
}

int
h2_frame_write_headers(struct buf *out, uint32_t stream_id,
    const unsigned char *block, size_t len, int end_stream,
    uint32_t peer_max_frame_size)
{
	return write_block(out, H2_FRAME_HEADERS,
	    end_stream ? H2_FLAG_END_STREAM : 0, stream_id, NULL, 0, block, len,
	    peer_max_frame_size);
}

int
h2_frame_write_push_promise(struct buf *out, uint32_t stream_id,
    uint32_t promised_id, const unsigned char *block, size_t len,
    uint32_t peer_max_frame_size)
{
	unsigned char id[4];

	if (promised_id == 0 || promised_id > H2_MAX_STREAM_ID)
		return -1;
	put32(id, promised_id);
	return write_block(out, H2_FRAME_PUSH_PROMISE, 0, stream_id, id, 4,
	    block, len, peer_max_frame_size);
}

int
h2_frame_write_data(struct buf *out, uint32_t stream_id, const void *data,
    size_t len, int end_stream)
{
	if (stream_id == 0)
		return -1;
	return h2_frame_write_raw(out, H2_FRAME_DATA,
	    end_stream ? H2_FLAG_END_STREAM : 0, stream_id, data, len);
}

int
h2_frame_write_window_update(
    struct buf *out, uint32_t stream_id, uint32_t increment)
{
	unsigned char v[4];

	if (increment == 0 || increment > H2_MAX_WINDOW)
		return -1;
	put32(v, increment);
	return h2_frame_write_raw(
	    out, H2_FRAME_WINDOW_UPDATE, 0, stream_id, v, 4);
}

int
h2_frame_write_ping(struct buf *out, const unsigned char opaque[8], int ack)
{
	return h2_frame_write_raw(
	    out, H2_FRAME_PING, ack ? H2_FLAG_ACK : 0, 0, opaque, 8);
}

int
h2_frame_write_goaway(struct buf *out, uint32_t last_stream_id,
    uint32_t error_code, const void *debug, size_t debug_len)
{
	unsigned char v[8];

	if (last_stream_id > H2_MAX_STREAM_ID ||
	    debug_len > H2_DEFAULT_MAX_FRAME_SIZE - 8)
		return -1;
	put32(v, last_stream_id);
	put32(v + 4, error_code);
	if (h2_frame_write_header(out, 8 + debug_len, H2_FRAME_GOAWAY, 0, 0) ==
		-1 ||
	    buf_append(out, v, 8) == -1)
		return -1;
	return buf_append(out, debug, debug_len);
}

int
h2_frame_write_rst_stream(
    struct buf *out, uint32_t stream_id, uint32_t error_code)
{
	unsigned char v[4];

	if (stream_id == 0)
		return -1;
	put32(v, error_code);
	return h2_frame_write_raw(out, H2_FRAME_RST_STREAM, 0, stream_id, v, 4);
}

int
h2_frame_write_priority(struct buf *out, uint32_t stream_id,
    uint32_t dependency, int exclusive, uint8_t weight)
{
	unsigned char v[5];

	if (stream_id == 0 || dependency > H2_MAX_STREAM_ID)
		return -1;
	put32(v, dependency | (exclusive ? 0x80000000u : 0));
	v[4] = weight;
	return h2_frame_write_raw(out, H2_FRAME_PRIORITY, 0, stream_id, v, 5);
}
