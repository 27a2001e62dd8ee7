/*
 * gRPC over HTTP/2 message layer (grpc/grpc doc/PROTOCOL-HTTP2.md):
 * Length-Prefixed-Message framing and its incremental reassembly from
 * DATA payloads, grpc-timeout parsing, grpc-message percent-encoding and
 * the status-code table.  Pure: no I/O.
 *
 *   +-----------+-------------------------------+--------------------+
 *   | flag (1)  | length (4, big-endian)        | message (length)   |
 *   +-----------+-------------------------------+--------------------+
 *   flag 0 = uncompressed, 1 = compressed with the call's grpc-encoding
 */
#ifndef FABRIK_GRPC_FRAME_H
#define FABRIK_GRPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Largest message accepted by default: gRPC's usual 4 MiB receive limit
 * plus room for the protobuf envelope around a 4 MiB payload (a
 * BatchUpdateBlobs or ByteStream chunk of 4 MiB). */
#ifndef GRPC_MAX_MESSAGE
#define GRPC_MAX_MESSAGE (4 * 1024 * 1024 + 16 * 1024)
#endif
#define GRPC_FRAME_PREFIX_LEN 5
/* Longest grpc-timeout value: 8 digits and a unit. */
#define GRPC_TIMEOUT_MAX_LEN 9

/* gRPC status codes (grpc/grpc doc/statuscodes.md). */
enum grpc_status {
	GRPC_STATUS_OK = 0,
	GRPC_STATUS_CANCELLED = 1,
	GRPC_STATUS_UNKNOWN = 2,
	GRPC_STATUS_INVALID_ARGUMENT = 3,
	GRPC_STATUS_DEADLINE_EXCEEDED = 4,
	GRPC_STATUS_NOT_FOUND = 5,
	GRPC_STATUS_ALREADY_EXISTS = 6,
	GRPC_STATUS_PERMISSION_DENIED = 7,
	GRPC_STATUS_RESOURCE_EXHAUSTED = 8,
	GRPC_STATUS_FAILED_PRECONDITION = 9,
	GRPC_STATUS_ABORTED = 10,
	GRPC_STATUS_OUT_OF_RANGE = 11,
	GRPC_STATUS_UNIMPLEMENTED = 12,
	GRPC_STATUS_INTERNAL = 13,
	GRPC_STATUS_UNAVAILABLE = 14,
	GRPC_STATUS_DATA_LOSS = 15,
	GRPC_STATUS_UNAUTHENTICATED = 16,
};

/* The table of codes and names, indexed by code (0..16). */
struct grpc_frame_status_info {
	enum grpc_status code;
	const char *name; /* "NOT_FOUND" */
};
extern const struct grpc_frame_status_info grpc_frame_statuses[17];

/* "NOT_FOUND", or "UNKNOWN" for codes outside 0..16. */
const char *grpc_frame_status_name(int code);
/* Parses a grpc-status value (1-3 ASCII digits, 0..999); -1 if malformed.
 * Codes above 16 are returned as they are (callers map them to UNKNOWN). */
int grpc_frame_parse_status(const char *s, size_t len, int *code) FAB_WUR;
/* The status a client synthesises for an HTTP response without
 * grpc-status (grpc/grpc doc/http-grpc-status-mapping.md). */
enum grpc_status grpc_frame_status_from_http(int http_status);
/* The status for a stream reset with an RFC 9113 error code. */
enum grpc_status grpc_frame_status_from_h2(uint32_t h2_error);

/*
 * Incremental reassembler: feed it DATA payloads in order; it yields each
 * complete message.  The message buffer grows only as bytes arrive (a
 * prefix announcing 4 MiB allocates nothing by itself) and never beyond
 * the announced length, itself at most max_message.
 */
struct grpc_frame_reader {
	size_t max_message;
	unsigned char prefix[GRPC_FRAME_PREFIX_LEN];
	size_t prefix_have;
	uint32_t msg_len;
	unsigned char *data; /* msg_have octets of the message so far */
	size_t msg_have;
	size_t cap; /* never above msg_len */
	int ready; /* a complete message is in data */
};

/* One reassembled message; data lives in the reader until the next
 * grpc_frame_read, grpc_frame_reader_release or init. */
struct grpc_frame_message {
	int compressed;
	struct span data;
};

/* max_message 0 means GRPC_MAX_MESSAGE. */
void grpc_frame_reader_init(struct grpc_frame_reader *, size_t max_message);
void grpc_frame_reader_release(struct grpc_frame_reader *);
/*
 * Consumes octets from p until one message is complete or p is used up.
 * Returns the octets consumed (0..len) and sets *got to 1 with *m filled
 * when a message completed (call again with the rest of p: several
 * messages may share one DATA frame), else *got = 0.  Returns FAB_ERROR
 * with *err for a compressed flag other than 0 or 1 ("invalid compressed
 * flag", gRPC INTERNAL) or a length above max_message ("message larger
 * than max", gRPC RESOURCE_EXHAUSTED); the reader is then unusable.
 */
int grpc_frame_read(struct grpc_frame_reader *, const unsigned char *p,
    size_t len, struct grpc_frame_message *m, int *got,
    const char **err) FAB_WUR;
/* 1 when no partial message is pending (check at END_STREAM: a partial
 * message there is gRPC INTERNAL). */
int grpc_frame_reader_idle(const struct grpc_frame_reader *);

/* Appends a prefix for a message of len octets (caller appends the
 * message), or prefix + message.  -1 on ENOMEM or len > UINT32_MAX. */
int grpc_frame_write_prefix(
    struct buf *out, int compressed, size_t len) FAB_WUR;
int grpc_frame_write(
    struct buf *out, int compressed, const void *msg, size_t len) FAB_WUR;

/*
 * grpc-timeout: 1-8 ASCII digits then H, M, S, m, u or n.  Sets *ms to
 * the timeout in milliseconds, rounded up (so "500u" is 1 ms, never an
 * instant deadline); 0 only for a zero timeout.  Returns 0 or -1.
 */
int grpc_frame_parse_timeout(const char *s, size_t len, uint64_t *ms) FAB_WUR;
/* Formats ms as a grpc-timeout value in out (>= GRPC_TIMEOUT_MAX_LEN + 1
 * octets), using the finest unit that fits in 8 digits. */
void grpc_frame_format_timeout(char *out, uint64_t ms);

/*
 * grpc-message (PROTOCOL-HTTP2.md "Status-Message"): octets 0x20-0x7e
 * except '%' are sent as they are, every other octet of the UTF-8 text
 * as %XX with uppercase hex.  Decoding never fails: a '%' not followed
 * by two hex digits is kept literally, as the spec asks.  Both append to
 * out; -1 only on ENOMEM.
 */
int grpc_frame_encode_message(
    struct buf *out, const void *msg, size_t len) FAB_WUR;
int grpc_frame_decode_message(
    struct buf *out, const char *s, size_t len) FAB_WUR;

#endif
