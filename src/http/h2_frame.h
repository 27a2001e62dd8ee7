/*
 * HTTP/2 frame codec (RFC 9113 §4, §6): parses and validates one frame at
 * a time from a byte stream and appends encoded frames to a buffer.  Pure:
 * the connection state machine (streams, flow control, header-block
 * sequencing) lives above it.
 */
#ifndef FABRIK_H2_FRAME_H
#define FABRIK_H2_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* The client connection preface (RFC 9113 §3.4), 24 octets. */
#define H2_CLIENT_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_CLIENT_PREFACE_LEN 24

#define H2_FRAME_HEADER_LEN 9
/* SETTINGS_MAX_FRAME_SIZE: default (and minimum) and largest legal. */
#define H2_DEFAULT_MAX_FRAME_SIZE 16384
#define H2_MAX_MAX_FRAME_SIZE 16777215
/* Flow-control windows (RFC 9113 §6.9). */
#define H2_DEFAULT_WINDOW 65535
#define H2_MAX_WINDOW 0x7fffffffu
#define H2_MAX_STREAM_ID 0x7fffffffu

/* Frame types (RFC 9113 §6). */
#define H2_FRAME_DATA 0x0
#define H2_FRAME_HEADERS 0x1
#define H2_FRAME_PRIORITY 0x2
#define H2_FRAME_RST_STREAM 0x3
#define H2_FRAME_SETTINGS 0x4
#define H2_FRAME_PUSH_PROMISE 0x5
#define H2_FRAME_PING 0x6
#define H2_FRAME_GOAWAY 0x7
#define H2_FRAME_WINDOW_UPDATE 0x8
#define H2_FRAME_CONTINUATION 0x9

/* Flags. */
#define H2_FLAG_END_STREAM 0x1
#define H2_FLAG_ACK 0x1
#define H2_FLAG_END_HEADERS 0x4
#define H2_FLAG_PADDED 0x8
#define H2_FLAG_PRIORITY 0x20

/* Error codes (RFC 9113 §7). */
#define H2_NO_ERROR 0x0
#define H2_PROTOCOL_ERROR 0x1
#define H2_INTERNAL_ERROR 0x2
#define H2_FLOW_CONTROL_ERROR 0x3
#define H2_SETTINGS_TIMEOUT 0x4
#define H2_STREAM_CLOSED 0x5
#define H2_FRAME_SIZE_ERROR 0x6
#define H2_REFUSED_STREAM 0x7
#define H2_CANCEL 0x8
#define H2_COMPRESSION_ERROR 0x9
#define H2_CONNECT_ERROR 0xa
#define H2_ENHANCE_YOUR_CALM 0xb
#define H2_INADEQUATE_SECURITY 0xc
#define H2_HTTP_1_1_REQUIRED 0xd

/* SETTINGS identifiers (RFC 9113 §6.5.2, RFC 8441, RFC 9218). */
#define H2_SETTINGS_HEADER_TABLE_SIZE 0x1
#define H2_SETTINGS_ENABLE_PUSH 0x2
#define H2_SETTINGS_MAX_CONCURRENT_STREAMS 0x3
#define H2_SETTINGS_INITIAL_WINDOW_SIZE 0x4
#define H2_SETTINGS_MAX_FRAME_SIZE 0x5
#define H2_SETTINGS_MAX_HEADER_LIST_SIZE 0x6
#define H2_SETTINGS_ENABLE_CONNECT_PROTOCOL 0x8
#define H2_SETTINGS_NO_RFC7540_PRIORITIES 0x9

/*
 * One parsed frame.  payload is a view into the input buffer given to
 * h2_frame_parse and lives as long as those bytes:
 *   DATA, HEADERS, PUSH_PROMISE, CONTINUATION: the data or header block
 *     fragment, padding and priority fields removed;
 *   SETTINGS: the raw identifier/value pairs (see h2_settings_apply);
 *   PING: the 8 opaque octets;  GOAWAY: the debug data;
 *   others: the whole payload.
 * length is the payload length on the wire (what DATA flow control
 * counts, padding included).
 */
struct h2_frame {
	uint32_t length;
	uint8_t type;
	uint8_t flags;
	uint32_t stream_id; /* reserved bit masked off */
	struct span payload;
	uint8_t pad_length; /* PADDED frames; 0 otherwise */
	/* HEADERS with PRIORITY, and PRIORITY */
	int has_priority;
	int exclusive;
	uint32_t dependency;
	uint8_t weight; /* as sent: 0..255 means weight 1..256 */
	uint32_t error_code; /* RST_STREAM, GOAWAY */
	uint32_t last_stream_id; /* GOAWAY */
	uint32_t window_increment; /* WINDOW_UPDATE */
	uint32_t promised_stream_id; /* PUSH_PROMISE */
	/* On FAB_ERROR: 1 for a stream error (send RST_STREAM on stream_id
	 * and skip H2_FRAME_HEADER_LEN + length octets), 0 for a connection
	 * error (send GOAWAY and close). */
	int stream_error;
};

/*
 * Parses the frame at the start of p.  max_frame_size is the
 * SETTINGS_MAX_FRAME_SIZE we advertised (and the peer has ACKed).
 * Returns the octets consumed (H2_FRAME_HEADER_LEN + length) with *f
 * filled; FAB_INCOMPLETE until the whole frame is buffered (the header
 * alone is enough to reject an oversized frame); or FAB_ERROR with
 * *h2_error set to the RFC 9113 error code, f->stream_error saying
 * whether it is a stream or connection error, *err a static message, and
 * the header fields of *f filled.  Frames of unknown type are returned
 * (to be ignored by the caller, except inside a header block); unknown
 * flags are left in f->flags.  Rules that need connection state (stream
 * states, CONTINUATION sequencing, push disabled) are the caller's.
 */
int h2_frame_parse(const unsigned char *p, size_t len, uint32_t max_frame_size,
    struct h2_frame *f, uint32_t *h2_error, const char **err) FAB_WUR;

/*
 * Header-block reassembly (RFC 9113 §4.3, §6.10): HEADERS or PUSH_PROMISE
 * followed by CONTINUATION frames on the same stream until END_HEADERS,
 * with nothing interleaved.  Bounds the reassembled size and the number
 * of frames (CONTINUATION flood defence).
 */
#ifndef H2_FRAME_MAX_HEADER_BLOCK
#define H2_FRAME_MAX_HEADER_BLOCK 65536
#endif
#ifndef H2_FRAME_MAX_CONTINUATIONS
#define H2_FRAME_MAX_CONTINUATIONS 128
#endif

struct h2_frame_block {
	struct buf data; /* the fragments so far, then the whole block */
	uint32_t stream_id; /* stream of the open or completed block */
	uint8_t type; /* H2_FRAME_HEADERS or H2_FRAME_PUSH_PROMISE */
	uint8_t flags; /* flags of the first frame (END_STREAM) */
	uint32_t promised_stream_id;
	size_t frames; /* CONTINUATION frames so far */
	int open; /* waiting for CONTINUATION */
	int complete; /* data holds a complete block */
};

void h2_frame_block_init(struct h2_frame_block *);
void h2_frame_block_release(struct h2_frame_block *);
/* 1 while a block is open: the next frame must be a CONTINUATION on
 * stream_id (pass every frame to h2_frame_block_add then). */
int h2_frame_block_open(const struct h2_frame_block *);
/*
 * Feeds a parsed frame.  Pass every HEADERS, PUSH_PROMISE and
 * CONTINUATION frame, and every frame at all while a block is open.
 * Returns 1 when the block is complete (data/stream_id/type/flags
 * describe it until the next call), 0 when more CONTINUATION frames are
 * needed, or FAB_ERROR with a connection error: PROTOCOL_ERROR for a
 * frame interleaved in an open block or a CONTINUATION without one,
 * ENHANCE_YOUR_CALM for a block above H2_FRAME_MAX_HEADER_BLOCK octets
 * or H2_FRAME_MAX_CONTINUATIONS frames, INTERNAL_ERROR on ENOMEM.
 */
int h2_frame_block_add(struct h2_frame_block *, const struct h2_frame *,
    uint32_t *h2_error, const char **err) FAB_WUR;

/* Settings of one endpoint.  Unlimited values are UINT32_MAX. */
struct h2_settings {
	uint32_t header_table_size;
	uint32_t enable_push;
	uint32_t max_concurrent_streams;
	uint32_t initial_window_size;
	uint32_t max_frame_size;
	uint32_t max_header_list_size;
	uint32_t enable_connect_protocol;
	uint32_t no_rfc7540_priorities;
};

/* One identifier/value pair for h2_frame_write_settings. */
struct h2_setting {
	uint16_t id;
	uint32_t value;
};

/* Fills s with the RFC 9113 initial values. */
void h2_settings_init(struct h2_settings *);
/*
 * Validates a SETTINGS payload (length a multiple of 6; ENABLE_PUSH 0 or
 * 1 and MAX_FRAME_SIZE in 16384..16777215 else PROTOCOL_ERROR;
 * INITIAL_WINDOW_SIZE <= 2^31-1 else FLOW_CONTROL_ERROR) and, only if all
 * of it is valid, applies it in order; unknown identifiers are ignored.
 * Returns 0, or FAB_ERROR with *h2_error and *err (a connection error)
 * and s unchanged.  Keep a copy of the old values to compute the
 * INITIAL_WINDOW_SIZE delta (RFC 9113 §6.9.2).
 */
int h2_settings_apply(struct h2_settings *, const unsigned char *payload,
    size_t len, uint32_t *h2_error, const char **err) FAB_WUR;
/* Reads pair i (0-based) of a SETTINGS frame payload; -1 past the end. */
int h2_frame_setting(
    const struct h2_frame *, size_t i, uint16_t *id, uint32_t *value);

/*
 * Encoders: each appends one or more whole frames to out and returns 0,
 * or -1 on ENOMEM or an argument the protocol forbids (stream id rules,
 * zero or too large window increment, payload above 16777215 octets).
 * Nothing is ever padded.
 */
int h2_frame_write_header(struct buf *out, size_t length, uint8_t type,
    uint8_t flags, uint32_t stream_id) FAB_WUR;
/* Any frame: header plus payload (used for unknown types and tests). */
int h2_frame_write_raw(struct buf *out, uint8_t type, uint8_t flags,
    uint32_t stream_id, const void *payload, size_t len) FAB_WUR;
int h2_frame_write_settings(
    struct buf *out, const struct h2_setting *s, size_t n) FAB_WUR;
int h2_frame_write_settings_ack(struct buf *out) FAB_WUR;
/* HEADERS carrying a complete header block, split into HEADERS + as many
 * CONTINUATION frames as needed so none exceeds peer_max_frame_size; the
 * last carries END_HEADERS, the first END_STREAM if end_stream. */
int h2_frame_write_headers(struct buf *out, uint32_t stream_id,
    const unsigned char *block, size_t len, int end_stream,
    uint32_t peer_max_frame_size) FAB_WUR;
/* PUSH_PROMISE, same splitting (never sent by Fabrik; for tests). */
int h2_frame_write_push_promise(struct buf *out, uint32_t stream_id,
    uint32_t promised_id, const unsigned char *block, size_t len,
    uint32_t peer_max_frame_size) FAB_WUR;
/* One DATA frame; the caller keeps len within the peer's max frame size
 * and flow-control windows. */
int h2_frame_write_data(struct buf *out, uint32_t stream_id, const void *data,
    size_t len, int end_stream) FAB_WUR;
/* increment 1..2^31-1; stream_id 0 is the connection window. */
int h2_frame_write_window_update(
    struct buf *out, uint32_t stream_id, uint32_t increment) FAB_WUR;
int h2_frame_write_ping(
    struct buf *out, const unsigned char opaque[8], int ack) FAB_WUR;
int h2_frame_write_goaway(struct buf *out, uint32_t last_stream_id,
    uint32_t error_code, const void *debug, size_t debug_len) FAB_WUR;
int h2_frame_write_rst_stream(
    struct buf *out, uint32_t stream_id, uint32_t error_code) FAB_WUR;
int h2_frame_write_priority(struct buf *out, uint32_t stream_id,
    uint32_t dependency, int exclusive, uint8_t weight) FAB_WUR;

/* Name of a frame type or error code ("PROTOCOL_ERROR"); "UNKNOWN" for
 * others.  Static strings, for logs. */
const char *h2_frame_type_name(uint8_t type);
const char *h2_frame_error_name(uint32_t code);

#endif
