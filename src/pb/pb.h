/*
 * Protocol Buffers binary wire format: a low-level reader/writer and a
 * table-driven message codec (proto3 semantics) over const descriptors.
 * Specification: protobuf.dev "Encoding"; see doc/format-protobuf.md.
 */
#ifndef FABRIK_PB_H
#define FABRIK_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Deepest nesting of embedded messages pb_decode/pb_encode accept
 * (the top-level message is depth 0). */
#ifndef PB_MAX_DEPTH
#define PB_MAX_DEPTH 32
#endif
/* Largest serialized message pb_decode accepts and pb_encode produces:
 * gRPC's 4 MiB default receive size plus room for framing overhead. */
#ifndef PB_MAX_MESSAGE
#define PB_MAX_MESSAGE (4 * 1024 * 1024 + 64 * 1024)
#endif
/* Most elements one repeated field may collect in one decode. */
#ifndef PB_MAX_REPEATED
#define PB_MAX_REPEATED (1024 * 1024)
#endif
/* Most bytes one arena may hand out (bounds decode amplification). */
#ifndef PB_MAX_ARENA
#define PB_MAX_ARENA (64 * 1024 * 1024)
#endif

/* Highest valid field number (2^29 - 1). */
#define PB_MAX_FIELD 536870911u
/* Longest varint: 64 bits in 7-bit groups. */
#define PB_VARINT_MAX 10

/* Wire types (the low three bits of a tag). */
#define PB_WT_VARINT 0
#define PB_WT_I64 1
#define PB_WT_LEN 2
#define PB_WT_SGROUP 3
#define PB_WT_EGROUP 4
#define PB_WT_I32 5

/* Results of pb_decode/pb_encode besides 0 (success).  PB_EMALFORMED is
 * FAB_ERROR.  Map them once per protocol (gRPC: INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED, INTERNAL). */
#define PB_EMALFORMED FAB_ERROR /* bytes are not a valid message */
#define PB_ELIMIT (-3) /* a PB_MAX_* limit was exceeded */
#define PB_ENOMEM (-4) /* allocation failed */

/* ---- Low-level reader ------------------------------------------------ */

/*
 * Reads one varint from p[0..len).  Accepts padded (non-minimal) forms.
 * Returns the bytes consumed (1..10), FAB_INCOMPLETE when the input ends
 * inside the varint, FAB_ERROR when it is longer than 10 bytes or the 10th
 * byte carries bits above 2^64.
 */
int pb_read_varint(const unsigned char *p, size_t len, uint64_t *v) FAB_WUR;

/*
 * Reads one tag.  Returns the bytes consumed, FAB_INCOMPLETE, or FAB_ERROR
 * for field number 0, a number above PB_MAX_FIELD, or wire type 6 or 7.
 * Group wire types (3, 4) are returned; the caller decides.
 */
int pb_read_tag(
    const unsigned char *p, size_t len, uint32_t *field, int *wiretype) FAB_WUR;

/*
 * Skips the payload of one field of the given wire type starting at p
 * (just after its tag).  Groups are not supported: wire types 3 and 4 are
 * FAB_ERROR, as is a length above 2^31 - 1.  On success stores the payload
 * size in *used and returns 0; FAB_INCOMPLETE when the payload runs past
 * len.
 */
int pb_skip(
    const unsigned char *p, size_t len, int wiretype, size_t *used) FAB_WUR;

/* Little-endian fixed-width loads (p must hold 4 or 8 bytes). */
uint32_t pb_load32(const unsigned char *p);
uint64_t pb_load64(const unsigned char *p);

/* ZigZag mapping for sint32/sint64. */
uint32_t pb_zigzag32(int32_t);
uint64_t pb_zigzag64(int64_t);
int32_t pb_unzigzag32(uint32_t);
int64_t pb_unzigzag64(uint64_t);

/* Bytes of the minimal varint encoding of v (1..10). */
size_t pb_varint_size(uint64_t v);

/* ---- Low-level writer (append to a struct buf) ----------------------- */

/* Each returns 0, or -1 when the buffer cannot grow (ENOMEM) or a length
 * is out of range; on -1 the buffer may hold a partial record. */
int pb_write_varint(struct buf *, uint64_t) FAB_WUR;
int pb_write_tag(struct buf *, uint32_t field, int wiretype) FAB_WUR;
int pb_write_fixed32(struct buf *, uint32_t) FAB_WUR;
int pb_write_fixed64(struct buf *, uint64_t) FAB_WUR;
/* Tag (wire type 2), length, then the bytes. */
int pb_write_bytes(struct buf *, uint32_t field, const void *, size_t) FAB_WUR;

/*
 * Length-delimited record whose length is not known yet: begin writes the
 * tag and reserves room for the length, storing the position in *mark;
 * write the payload to the same buf; end backpatches the minimal length
 * (moving the payload down if the reservation was too large).  Nest freely.
 * end returns -1 if the payload exceeds 2^31 - 1 bytes.
 */
int pb_write_submsg_begin(struct buf *, uint32_t field, size_t *mark) FAB_WUR;
int pb_write_submsg_end(struct buf *, size_t mark) FAB_WUR;

/* ---- Arena ----------------------------------------------------------- */

/*
 * Per-message allocation: submessages and repeated-field arrays produced by
 * pb_decode live here and are freed together by pb_arena_release.  An
 * arena hands out at most PB_MAX_ARENA bytes.
 */
struct pb_arena_chunk;
struct pb_arena {
	struct pb_arena_chunk *head;
	size_t total; /* bytes handed out */
};

void pb_arena_init(struct pb_arena *);
/* Returns zeroed memory aligned for any object, or NULL (ENOMEM, or over
 * PB_MAX_ARENA).  Lives until pb_arena_release. */
void *pb_arena_alloc(struct pb_arena *, size_t) FAB_WUR;
/* Frees everything; the arena is empty and reusable. */
void pb_arena_release(struct pb_arena *);

/* ---- Table-driven messages ------------------------------------------- */

/*
 * Field kinds and the C type stored at pb_field.offset:
 *   PB_INT32, PB_SINT32, PB_SFIXED32, PB_ENUM  int32_t
 *   PB_UINT32, PB_FIXED32                      uint32_t
 *   PB_INT64, PB_SINT64, PB_SFIXED64           int64_t
 *   PB_UINT64, PB_FIXED64                      uint64_t
 *   PB_BOOL                                    bool
 *   PB_FLOAT / PB_DOUBLE                       float / double
 *   PB_STRING, PB_BYTES                        struct span
 *   PB_MESSAGE                                 pointer to the sub struct
 *                                              (NULL = absent)
 * A repeated field stores a pointer to an array of that type (for
 * PB_MESSAGE an array of structs, not of pointers) at offset and a size_t
 * element count at count_offset.
 */
enum pb_kind {
	PB_INT32,
	PB_INT64,
	PB_UINT32,
	PB_UINT64,
	PB_SINT32,
	PB_SINT64,
	PB_BOOL,
	PB_ENUM,
	PB_FIXED32,
	PB_FIXED64,
	PB_SFIXED32,
	PB_SFIXED64,
	PB_FLOAT,
	PB_DOUBLE,
	PB_STRING,
	PB_BYTES,
	PB_MESSAGE
};

#define PB_REPEATED 0x1u
/* Encode a repeated scalar as one packed record (the proto3 default);
 * decoding accepts packed and unpacked forms either way. */
#define PB_PACKED 0x2u

struct pb_msgdesc;

struct pb_field {
	uint32_t number;
	enum pb_kind kind;
	unsigned flags; /* PB_REPEATED, PB_PACKED */
	size_t offset;
	size_t count_offset; /* repeated fields only */
	const struct pb_msgdesc *sub; /* PB_MESSAGE only */
	const char *name;
};

/* Fields must be sorted by ascending number without duplicates
 * (pb_msgdesc_check verifies this); encoding follows that order. */
struct pb_msgdesc {
	const char *name; /* full proto name, e.g. "google.rpc.Status" */
	size_t size; /* sizeof the C struct */
	const struct pb_field *fields;
	size_t nfields;
};

/* Descriptor helpers for the tables. */
#define PB_FIELD(num, knd, type, member, subdesc) \
	{ \
		(num), (knd), 0, offsetof(type, member), 0, (subdesc), #member \
	}
#define PB_REP(num, knd, flg, type, member, count, subdesc) \
	{ \
		(num), (knd), PB_REPEATED | (flg), offsetof(type, member), \
		    offsetof(type, count), (subdesc), #member \
	}
/* Shorthands for tables of C structs named like their messages:
 * PB_ONE(1, PB_BYTES, msg, member, NULL) for struct msg; PB_MANY counts
 * its elements in n_<member>; PB_MSGDESC defines <type>_desc from
 * <type>_fields. */
#define PB_ONE(num, knd, type, member, subdesc) \
	PB_FIELD(num, knd, struct type, member, subdesc)
#define PB_MANY(num, knd, flg, type, member, subdesc) \
	PB_REP(num, knd, flg, struct type, member, n_##member, subdesc)
#define PB_MSGDESC(type, pname) \
	const struct pb_msgdesc type##_desc = { pname, sizeof(struct type), \
		type##_fields, \
		sizeof(type##_fields) / sizeof(type##_fields[0]) }

/* Returns 0 when the table is well formed (sorted, unique, valid numbers,
 * sub set exactly for messages), else -1 with *err set. */
int pb_msgdesc_check(const struct pb_msgdesc *, const char **err) FAB_WUR;

/*
 * Decodes the complete message in p[0..len) into *out (a struct of
 * desc->size bytes, zeroed first).  Strings and bytes become spans that
 * point into p: they are valid only while p is.  Submessages and repeated
 * arrays are allocated from arena and live until pb_arena_release (the
 * caller releases the arena on success and on failure).
 *
 * proto3 rules: fields in any order; the last value of a singular scalar
 * wins; occurrences of a singular message merge; repeated scalars accept
 * packed and unpacked records, mixed; unknown fields of wire types 0, 1,
 * 2, 5 are skipped and dropped; unknown enum values are kept.  Rejected
 * (PB_EMALFORMED): truncation, overlong varints, field number 0 or above
 * 2^29 - 1, wire types 3, 4, 6, 7 (groups are not supported), a known
 * field with the wrong wire type.  PB_ELIMIT: len > PB_MAX_MESSAGE, nesting
 * deeper than PB_MAX_DEPTH, more than PB_MAX_REPEATED elements, arena over
 * PB_MAX_ARENA.  PB_ENOMEM on allocation failure.  String fields are not
 * checked for valid UTF-8.
 *
 * Returns 0 or a negative PB_E* code with *err (if err is not NULL) set
 * to a static message.  On failure *out holds a partial result.
 */
int pb_decode(const struct pb_msgdesc *desc, const unsigned char *p, size_t len,
    void *out, struct pb_arena *arena, const char **err) FAB_WUR;

/*
 * Appends the canonical encoding of *in to out: fields in number order,
 * proto3 defaults (0, false, empty string/bytes, +0.0) omitted, repeated
 * scalars packed when the field says PB_PACKED, message fields written
 * whenever their pointer is not NULL (an empty message as a zero-length
 * record).  Returns 0, PB_ELIMIT (nesting deeper than PB_MAX_DEPTH,
 * output over PB_MAX_MESSAGE) or PB_ENOMEM; on failure out is restored to
 * its previous length.
 */
int pb_encode(
    const struct pb_msgdesc *desc, const void *in, struct buf *out) FAB_WUR;

/* ---- gRPC method tables ---------------------------------------------- */

#define PB_RPC_CLIENT_STREAM 0x1u /* the client sends a message stream */
#define PB_RPC_SERVER_STREAM 0x2u /* the server answers with a stream */

/* One gRPC method: its :path and message types, for const dispatch
 * tables (reapi_rpcs, fabrik_pb_rpcs). */
struct pb_rpc {
	const char *path; /* "/package.Service/Method" */
	const struct pb_msgdesc *request;
	const struct pb_msgdesc *response;
	unsigned flags; /* PB_RPC_* */
};

/* Returns the entry of table[0..n) whose path equals path[0..len), or
 * NULL. */
const struct pb_rpc *pb_rpc_find(
    const struct pb_rpc *table, size_t n, const char *path, size_t len);

#endif
