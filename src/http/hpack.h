/*
 * HPACK header compression for HTTP/2 (RFC 7541): prefixed integers,
 * string literals with the Huffman code, the static and dynamic tables,
 * and a per-direction encoder and decoder.  Pure: no I/O.
 */
#ifndef FABRIK_HPACK_H
#define FABRIK_HPACK_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Largest decoded header list: sum of name + value + 32 per field
 * (RFC 9113 SETTINGS_MAX_HEADER_LIST_SIZE accounting).  Decoding stops as
 * soon as a field would cross it (HPACK bomb defence). */
#ifndef HPACK_MAX_HEADER_LIST
#define HPACK_MAX_HEADER_LIST 65536
#endif
/* Largest number of fields in one decoded header block. */
#ifndef HPACK_MAX_FIELDS
#define HPACK_MAX_FIELDS 512
#endif
/* Largest single name or value, after Huffman decoding. */
#ifndef HPACK_MAX_STRING
#define HPACK_MAX_STRING 65536
#endif
/* Largest dynamic table we will ever configure (decoder: the most we
 * accept advertising; encoder: the most memory we spend even if the peer
 * allows more). */
#ifndef HPACK_MAX_TABLE_SIZE
#define HPACK_MAX_TABLE_SIZE 65536
#endif
/* The most dynamic table our encoder uses, whatever the peer allows. */
#ifndef HPACK_ENCODER_TABLE_SIZE
#define HPACK_ENCODER_TABLE_SIZE 4096
#endif
/* The protocol default of SETTINGS_HEADER_TABLE_SIZE. */
#define HPACK_DEFAULT_TABLE_SIZE 4096
/* Size of the static table (RFC 7541 Appendix A). */
#define HPACK_STATIC_COUNT 61
/* Per-entry overhead in table and header-list sizes (RFC 7541 §4.1). */
#define HPACK_ENTRY_OVERHEAD 32

/* Field flags. */
#define HPACK_NEVER_INDEXED \
	0x1 /* decode: sent as never indexed; encode:
				 * send as never indexed (secrets) */
#define HPACK_NO_INDEX 0x2 /* encode: literal without indexing */
#define HPACK_NO_HUFFMAN 0x4 /* encode: never Huffman-code strings */

/* One header field.  In decoder callbacks the spans point into the input
 * block, the dynamic table or the decoder's scratch space and are valid
 * only during the callback. */
struct hpack_field {
	struct span name;
	struct span value;
	unsigned flags;
};

struct hpack_entry;

/* The dynamic table (RFC 7541 §2.3.2), a FIFO of copied entries. */
struct hpack_table {
	struct hpack_entry **ring; /* ring of entries, cap slots */
	size_t cap;
	size_t head; /* slot of the newest entry */
	size_t count; /* entries in the table */
	size_t size; /* sum of entry sizes */
	size_t max; /* current maximum size */
};

struct hpack_decoder {
	struct hpack_table table;
	uint32_t settings_max; /* SETTINGS_HEADER_TABLE_SIZE in force */
	uint32_t required_max; /* first size update must be <= this */
	int need_update; /* next block must start with a size update */
	size_t max_header_list;
	size_t max_fields;
	struct buf scratch; /* Huffman-decoded strings */
};

struct hpack_encoder {
	struct hpack_table table;
	uint32_t min_pending; /* smallest size since the last block */
	int pending; /* a size update is owed */
};

/*
 * Decoder.  table_size is the SETTINGS_HEADER_TABLE_SIZE we advertise
 * (HPACK_DEFAULT_TABLE_SIZE unless we sent another value); it is capped to
 * HPACK_MAX_TABLE_SIZE.  Limits start at HPACK_MAX_HEADER_LIST and
 * HPACK_MAX_FIELDS.  hpack_decoder_release frees everything; the struct
 * can be initialised again afterwards.
 */
void hpack_decoder_init(struct hpack_decoder *, uint32_t table_size);
void hpack_decoder_release(struct hpack_decoder *);
/* Lowers (or raises, up to the macros) the header-list and field-count
 * limits; 0 keeps a value unchanged. */
void hpack_decoder_set_limits(
    struct hpack_decoder *, size_t max_header_list, size_t max_fields);
/*
 * Our advertised SETTINGS_HEADER_TABLE_SIZE changed and the peer has
 * ACKed it (call it when the SETTINGS ACK arrives, not when sending).
 * When the value is below the size the peer's encoder was allowed so
 * far, the table is shrunk at once and the next block must begin with a
 * size update no larger than the smallest value set since the last
 * block (RFC 7541 §4.2); otherwise the block is a COMPRESSION_ERROR.
 */
void hpack_decoder_set_max_table(struct hpack_decoder *, uint32_t max);

/* Called once per decoded field, in order.  Return 0 to go on.  Any other
 * value stops decoding, after which the table is out of step with the
 * peer: use it only for fatal conditions and record stream-level
 * problems (bad names, pseudo-header order) to act on after the block. */
typedef int hpack_field_cb(void *arg, const struct hpack_field *);

/*
 * Decodes one complete header block (HEADERS or PUSH_PROMISE fragment
 * concatenated with every CONTINUATION fragment), updating the dynamic
 * table and calling cb for each field.  Returns 0, or FAB_ERROR with *err
 * set to a static message: every error is a connection error of type
 * COMPRESSION_ERROR (RFC 9113 §4.3), including "header list too large"
 * (more than max_header_list: the decoder stops there without decoding
 * or allocating the rest) and a callback's refusal.
 */
int hpack_decode(struct hpack_decoder *, const unsigned char *block, size_t len,
    hpack_field_cb *cb, void *arg, const char **err) FAB_WUR;

/* A decoded header list that owns its bytes. */
struct hpack_list {
	struct hpack_field *fields; /* count entries, spans into store */
	size_t count;
	size_t cap;
	size_t *offsets; /* private: name and value offsets in store */
	struct buf store; /* name NUL value NUL, per field */
};

void hpack_list_init(struct hpack_list *);
void hpack_list_release(struct hpack_list *);
/* Empties the list, keeping its storage. */
void hpack_list_reset(struct hpack_list *);
/* Appends a copy of a field; names and values are also NUL-terminated.
 * The list's spans stay valid until the next append, reset or release.
 * -1 on ENOMEM. */
int hpack_list_add(struct hpack_list *, const struct hpack_field *) FAB_WUR;
/* First field named name (NUL-terminated), or NULL. */
const struct hpack_field *hpack_list_get(
    const struct hpack_list *, const char *name);

/* hpack_decode that resets and fills list; same results.  On error the
 * list holds the fields decoded before the error. */
int hpack_decode_list(struct hpack_decoder *, const unsigned char *block,
    size_t len, struct hpack_list *list, const char **err) FAB_WUR;

/*
 * Encoder.  table_size is the peer's SETTINGS_HEADER_TABLE_SIZE (4096
 * until its SETTINGS arrive); the encoder uses min(table_size,
 * HPACK_ENCODER_TABLE_SIZE) bytes of dynamic table, announcing a smaller
 * size with an update at the start of its first block.
 */
void hpack_encoder_init(struct hpack_encoder *, uint32_t table_size);
void hpack_encoder_release(struct hpack_encoder *);
/*
 * The peer's SETTINGS_HEADER_TABLE_SIZE is now max.  When the table size
 * the encoder uses changes, a dynamic table size update (the smallest
 * size reached first if it went down and up again) is emitted before the
 * next field encoded, i.e. at the start of the next block: call this only
 * between blocks.  Evicts at once.
 */
void hpack_encoder_set_max(struct hpack_encoder *, uint32_t max);
/* Starts a block: appends the size update(s) owed since
 * hpack_encoder_set_max, if any (hpack_encode_field and
 * hpack_encode_list do it themselves; call it for a block that may have
 * no fields).  0 or -1 on ENOMEM. */
int hpack_encode_begin(struct hpack_encoder *, struct buf *out) FAB_WUR;
/*
 * Appends one field to out.  Policy: exact match in the static or dynamic
 * table -> indexed; otherwise a literal with incremental indexing (name by
 * index when known), or without indexing when flags has HPACK_NO_INDEX or
 * the entry could not fit, or never indexed with HPACK_NEVER_INDEXED
 * (used for secrets; also disables the indexed match).  Strings are
 * Huffman-coded unless that is longer (ties go to Huffman, as in RFC 7541
 * C.6) or flags has HPACK_NO_HUFFMAN.  Names
 * should be lowercase (HTTP/2 requirement); they are sent as given.
 * Returns 0, or -1 on ENOMEM or a string longer than HPACK_MAX_STRING.
 */
int hpack_encode_field(struct hpack_encoder *, struct buf *out,
    struct span name, struct span value, unsigned flags) FAB_WUR;
/* Encodes a whole block of n fields (n may be 0); 0 or -1. */
int hpack_encode_list(struct hpack_encoder *, struct buf *out,
    const struct hpack_field *fields, size_t n) FAB_WUR;

/* Dynamic-table inspection (tests, debugging).  index is the HPACK index
 * (62 = newest); returns -1 when out of range. */
int hpack_table_get(const struct hpack_table *, size_t index, struct span *name,
    struct span *value);

/*
 * Primitives (RFC 7541 §5.1, §5.2, Appendix B), exported for tests.
 * hpack_int_decode reads an integer with an n-bit prefix (1..8) at p,
 * ignoring the bits above the prefix; returns bytes consumed, or
 * FAB_ERROR for truncation, more than 5 continuation octets or a value
 * above UINT32_MAX.  hpack_int_encode appends one, OR-ing first_bits into
 * the first octet.
 */
int hpack_int_decode(
    const unsigned char *p, size_t len, int n, uint32_t *value) FAB_WUR;
int hpack_int_encode(
    struct buf *out, uint32_t value, int n, unsigned first_bits) FAB_WUR;
/* Encoded length of s in octets. */
size_t hpack_huff_len(const unsigned char *s, size_t len);
int hpack_huff_encode(
    struct buf *out, const unsigned char *s, size_t len) FAB_WUR;
/* Appends the decoded bytes to out; FAB_ERROR with *err for EOS in the
 * data, padding longer than 7 bits or not all ones, or output above max. */
int hpack_huff_decode(struct buf *out, const unsigned char *p, size_t len,
    size_t max, const char **err) FAB_WUR;

#endif
