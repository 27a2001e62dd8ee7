/*
 * Protocol Buffers wire codec (protobuf.dev "Encoding": varints, ZigZag,
 * fixed-width, length-delimited and packed records) and the table-driven
 * proto3 message decoder/encoder over struct pb_msgdesc tables.
 *
 * Security: every byte given to pb_decode, pb_read_* and pb_skip is
 * untrusted (it comes from gRPC peers).  The decoder never reads outside
 * [p, p + len), checks every length against the remaining input before
 * using it, limits input size (PB_MAX_MESSAGE), nesting (PB_MAX_DEPTH,
 * enforced before recursing), elements per repeated field
 * (PB_MAX_REPEATED) and total memory (PB_MAX_ARENA, checked before each
 * allocation), and allocates only from the caller's arena.  It does not
 * recurse on unknown fields (groups are rejected).  The encoder trusts its
 * input structs but still bounds depth, so a pointer cycle fails cleanly.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb/pb.h"

/* Room reserved for a submessage length: 5 varint bytes hold 2^35 - 1. */
#define PB_LEN_RESERVE 5
#define PB_LEN_MAX 0x7fffffffu
#define PB_ARENA_CHUNK 4096

/* ---- Low-level reader ------------------------------------------------ */

int
pb_read_varint(const unsigned char *p, size_t len, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < PB_VARINT_MAX; i++) {
		if (i == len)
			return FAB_INCOMPLETE;
		/* The 10th byte holds bit 63 only; anything more overflows. */
		if (i == PB_VARINT_MAX - 1 && p[i] > 1)
			return FAB_ERROR;
		r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if ((p[i] & 0x80) == 0) {
			*v = r;
			return (int)i + 1;
		}
	}
	return FAB_ERROR;
}

int
pb_read_tag(const unsigned char *p, size_t len, uint32_t *field, int *wiretype)
{
	uint64_t v;
	int n;

	if ((n = pb_read_varint(p, len, &v)) < 0)
		return n;
	if ((v >> 3) == 0 || (v >> 3) > PB_MAX_FIELD || (v & 7) > PB_WT_I32)
		return FAB_ERROR;
	*field = (uint32_t)(v >> 3);
	*wiretype = (int)(v & 7);
	return n;
}

int
pb_skip(const unsigned char *p, size_t len, int wiretype, size_t *used)
{
	uint64_t v;
	int n;

	switch (wiretype) {
	case PB_WT_VARINT:
		if ((n = pb_read_varint(p, len, &v)) < 0)
			return n;
		*used = (size_t)n;
		return 0;
	case PB_WT_I64:
		if (len < 8)
			return FAB_INCOMPLETE;
		*used = 8;
		return 0;
	case PB_WT_I32:
		if (len < 4)
			return FAB_INCOMPLETE;
		*used = 4;
		return 0;
	case PB_WT_LEN:
		if ((n = pb_read_varint(p, len, &v)) < 0)
			return n;
		if (v > PB_LEN_MAX)
			return FAB_ERROR;
		if (v > len - (size_t)n)
			return FAB_INCOMPLETE;
		*used = (size_t)n + (size_t)v;
		return 0;
	default:
		return FAB_ERROR;
	}
}

uint32_t
pb_load32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

uint64_t
pb_load64(const unsigned char *p)
{
	return (uint64_t)pb_load32(p) | (uint64_t)pb_load32(p + 4) << 32;
}

uint32_t
pb_zigzag32(int32_t n)
{
	uint32_t u = (uint32_t)n;

	return (u << 1) ^ (n < 0 ? UINT32_MAX : 0);
}

uint64_t
pb_zigzag64(int64_t n)
{
	uint64_t u = (uint64_t)n;

	return (u << 1) ^ (n < 0 ? UINT64_MAX : 0);
}

/* Two's complement reinterpretation without implementation-defined
 * conversions. */
static int32_t
to_int32(uint32_t u)
{
	if (u <= INT32_MAX)
		return (int32_t)u;
	return -(int32_t)(~u) - 1;
}

static int64_t
to_int64(uint64_t u)
{
	if (u <= INT64_MAX)
		return (int64_t)u;
	return -(int64_t)(~u) - 1;
}

int32_t
pb_unzigzag32(uint32_t u)
{
	return to_int32((u >> 1) ^ (0u - (u & 1)));
}

int64_t
pb_unzigzag64(uint64_t u)
{
	return to_int64((u >> 1) ^ (0u - (u & 1)));
}

size_t
pb_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* ---- Low-level writer ------------------------------------------------ */

static size_t
put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

int
pb_write_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[PB_VARINT_MAX];

	return buf_append(b, tmp, put_varint(tmp, v));
}

int
pb_write_tag(struct buf *b, uint32_t field, int wiretype)
{
	if (field == 0 || field > PB_MAX_FIELD || wiretype < 0 ||
	    wiretype > PB_WT_I32)
		return -1;
	return pb_write_varint(b, (uint64_t)field << 3 | (unsigned)wiretype);
}

int
pb_write_fixed32(struct buf *b, uint32_t v)
{
	unsigned char tmp[4];
	int i;

	for (i = 0; i < 4; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	return buf_append(b, tmp, sizeof(tmp));
}

int
pb_write_fixed64(struct buf *b, uint64_t v)
{
	unsigned char tmp[8];
	int i;

	for (i = 0; i < 8; i++)
		tmp[i] = (unsigned char)(v >> (8 * i));
	return buf_append(b, tmp, sizeof(tmp));
}

int
pb_write_bytes(struct buf *b, uint32_t field, const void *p, size_t len)
{
	if (len > PB_LEN_MAX)
		return -1;
	if (pb_write_tag(b, field, PB_WT_LEN) == -1 ||
	    pb_write_varint(b, len) == -1 || buf_append(b, p, len) == -1)
		return -1;
	return 0;
}

int
pb_write_submsg_begin(struct buf *b, uint32_t field, size_t *mark)
{
	static const unsigned char zero[PB_LEN_RESERVE];

	if (pb_write_tag(b, field, PB_WT_LEN) == -1)
		return -1;
	*mark = b->len;
	return buf_append(b, zero, sizeof(zero));
}

int
pb_write_submsg_end(struct buf *b, size_t mark)
{
	size_t len, n;

	if (mark > b->len || b->len - mark < PB_LEN_RESERVE)
		return -1;
	len = b->len - mark - PB_LEN_RESERVE;
	if (len > PB_LEN_MAX)
		return -1;
	n = put_varint(b->data + mark, len);
	if (n < PB_LEN_RESERVE) {
		memmove(
		    b->data + mark + n, b->data + mark + PB_LEN_RESERVE, len);
		b->len -= PB_LEN_RESERVE - n;
		b->data[b->len] = '\0';
	}
	return 0;
}

/* ---- Arena ----------------------------------------------------------- */

struct pb_arena_chunk {
	struct pb_arena_chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

void
pb_arena_init(struct pb_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void *
pb_arena_alloc(struct pb_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct pb_arena_chunk *c;
	size_t csize;
	unsigned char *p;

	if (n == 0)
		n = 1;
	if (n > PB_MAX_ARENA || a->total > PB_MAX_ARENA - n)
		return NULL;
	n = (n + align - 1) / align * align;
	c = a->head;
	if (c == NULL || c->size - c->used < n) {
		csize = n > PB_ARENA_CHUNK / 4 ? n : PB_ARENA_CHUNK;
		if ((c = malloc(sizeof(*c) + csize)) == NULL)
			return NULL;
		c->size = csize;
		c->used = 0;
		/* A large block goes behind the head so the head's free room
		 * stays usable for small allocations. */
		if (csize > PB_ARENA_CHUNK && a->head != NULL) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (unsigned char *)c->data + c->used;
	c->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

void
pb_arena_release(struct pb_arena *a)
{
	struct pb_arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pb_arena_init(a);
}

/* ---- Per-kind table -------------------------------------------------- */

/* A scalar's wire value is the varint value or the fixed-width bits. */
typedef uint64_t pb_load_fn(const void *);
typedef void pb_store_fn(void *, uint64_t);

static uint64_t
load_i32(const void *p)
{
	/* int32 and enum are sign-extended to 64 bits on the wire. */
	return (uint64_t)(int64_t) * (const int32_t *)p;
}
static uint64_t
load_i64(const void *p)
{
	return (uint64_t) * (const int64_t *)p;
}
static uint64_t
load_u32(const void *p)
{
	return *(const uint32_t *)p;
}
static uint64_t
load_u64(const void *p)
{
	return *(const uint64_t *)p;
}
static uint64_t
load_s32(const void *p)
{
	return pb_zigzag32(*(const int32_t *)p);
}
static uint64_t
load_s64(const void *p)
{
	return pb_zigzag64(*(const int64_t *)p);
}
static uint64_t
load_bool(const void *p)
{
	return *(const bool *)p ? 1 : 0;
}
static uint64_t
load_sf32(const void *p)
{
	return (uint32_t) * (const int32_t *)p;
}
static uint64_t
load_float(const void *p)
{
	uint32_t u;

	memcpy(&u, p, sizeof(u));
	return u;
}
static uint64_t
load_double(const void *p)
{
	uint64_t u;

	memcpy(&u, p, sizeof(u));
	return u;
}

static void
store_i32(void *p, uint64_t v)
{
	/* A 64-bit varint decoded into int32 keeps its low 32 bits. */
	*(int32_t *)p = to_int32((uint32_t)v);
}
static void
store_i64(void *p, uint64_t v)
{
	*(int64_t *)p = to_int64(v);
}
static void
store_u32(void *p, uint64_t v)
{
	*(uint32_t *)p = (uint32_t)v;
}
static void
store_u64(void *p, uint64_t v)
{
	*(uint64_t *)p = v;
}
static void
store_s32(void *p, uint64_t v)
{
	*(int32_t *)p = pb_unzigzag32((uint32_t)v);
}
static void
store_s64(void *p, uint64_t v)
{
	*(int64_t *)p = pb_unzigzag64(v);
}
static void
store_bool(void *p, uint64_t v)
{
	*(bool *)p = v != 0;
}
static void
store_float(void *p, uint64_t v)
{
	uint32_t u = (uint32_t)v;

	memcpy(p, &u, sizeof(u));
}
static void
store_double(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

struct pb_kindinfo {
	int wiretype;
	size_t size; /* C storage; messages use sub->size */
	pb_load_fn *load;
	pb_store_fn *store;
};

static const struct pb_kindinfo pb_kinds[] = {
	[PB_INT32] = { PB_WT_VARINT, sizeof(int32_t), load_i32, store_i32 },
	[PB_INT64] = { PB_WT_VARINT, sizeof(int64_t), load_i64, store_i64 },
	[PB_UINT32] = { PB_WT_VARINT, sizeof(uint32_t), load_u32, store_u32 },
	[PB_UINT64] = { PB_WT_VARINT, sizeof(uint64_t), load_u64, store_u64 },
	[PB_SINT32] = { PB_WT_VARINT, sizeof(int32_t), load_s32, store_s32 },
	[PB_SINT64] = { PB_WT_VARINT, sizeof(int64_t), load_s64, store_s64 },
	[PB_BOOL] = { PB_WT_VARINT, sizeof(bool), load_bool, store_bool },
	[PB_ENUM] = { PB_WT_VARINT, sizeof(int32_t), load_i32, store_i32 },
	[PB_FIXED32] = { PB_WT_I32, sizeof(uint32_t), load_u32, store_u32 },
	[PB_FIXED64] = { PB_WT_I64, sizeof(uint64_t), load_u64, store_u64 },
	[PB_SFIXED32] = { PB_WT_I32, sizeof(int32_t), load_sf32, store_i32 },
	[PB_SFIXED64] = { PB_WT_I64, sizeof(int64_t), load_i64, store_i64 },
	[PB_FLOAT] = { PB_WT_I32, sizeof(float), load_float, store_float },
	[PB_DOUBLE] = { PB_WT_I64, sizeof(double), load_double, store_double },
	[PB_STRING] = { PB_WT_LEN, sizeof(struct span), NULL, NULL },
	[PB_BYTES] = { PB_WT_LEN, sizeof(struct span), NULL, NULL },
	[PB_MESSAGE] = { PB_WT_LEN, sizeof(void *), NULL, NULL },
};

#define PB_NKINDS (sizeof(pb_kinds) / sizeof(pb_kinds[0]))

int
pb_msgdesc_check(const struct pb_msgdesc *d, const char **err)
{
	const struct pb_field *f;
	size_t i;

	for (i = 0; i < d->nfields; i++) {
		f = &d->fields[i];
		if (f->number == 0 || f->number > PB_MAX_FIELD) {
			*err = "field number out of range";
			return -1;
		}
		if (i > 0 && f->number <= d->fields[i - 1].number) {
			*err = "fields not sorted by number";
			return -1;
		}
		if ((unsigned)f->kind >= PB_NKINDS) {
			*err = "bad field kind";
			return -1;
		}
		if ((f->kind == PB_MESSAGE) != (f->sub != NULL)) {
			*err = "sub descriptor mismatch";
			return -1;
		}
		if ((f->flags & PB_PACKED) != 0 &&
		    ((f->flags & PB_REPEATED) == 0 ||
			pb_kinds[f->kind].wiretype == PB_WT_LEN)) {
			*err = "packed on a non-scalar or singular field";
			return -1;
		}
	}
	return 0;
}

/* ---- Decoder --------------------------------------------------------- */

struct pb_dec {
	struct pb_arena *arena;
	const char *err;
};

static int
dec_fail(struct pb_dec *d, int code, const char *msg)
{
	d->err = msg;
	return code;
}

static void *
dec_alloc(struct pb_dec *d, size_t n, int *rc)
{
	void *p;

	if (n > PB_MAX_ARENA || d->arena->total > PB_MAX_ARENA - n) {
		*rc = dec_fail(d, PB_ELIMIT, "decoded message too large");
		return NULL;
	}
	if ((p = pb_arena_alloc(d->arena, n)) == NULL)
		*rc = dec_fail(d, PB_ENOMEM, "out of memory");
	return p;
}

static const struct pb_field *
find_field(const struct pb_msgdesc *desc, uint32_t number)
{
	size_t lo = 0, hi = desc->nfields, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (desc->fields[mid].number == number)
			return &desc->fields[mid];
		if (desc->fields[mid].number < number)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static size_t
elem_size(const struct pb_field *f)
{
	return f->kind == PB_MESSAGE ? f->sub->size : pb_kinds[f->kind].size;
}

/*
 * Appends a zeroed element to a repeated field and returns it.  Arrays
 * grow by doubling; the capacity is implied by the count (0, then 4, then
 * each power of two), so only pointer and count live in the struct.
 */
static void *
rep_append(struct pb_dec *d, const struct pb_field *f, void *msg, int *rc)
{
	void **arr = (void **)((char *)msg + f->offset);
	size_t *count = (size_t *)((char *)msg + f->count_offset);
	size_t n = *count, es = elem_size(f), ncap;
	void *na;

	if (n >= PB_MAX_REPEATED) {
		*rc = dec_fail(d, PB_ELIMIT, "too many repeated elements");
		return NULL;
	}
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		ncap = n == 0 ? 4 : n * 2;
		if (ncap > SIZE_MAX / es) {
			*rc =
			    dec_fail(d, PB_ELIMIT, "repeated field too large");
			return NULL;
		}
		if ((na = dec_alloc(d, ncap * es, rc)) == NULL)
			return NULL;
		if (n > 0)
			memcpy(na, *arr, n * es);
		*arr = na;
	}
	*count = n + 1;
	return (char *)*arr + n * es;
}

static int dec_message(struct pb_dec *, const struct pb_msgdesc *,
    const unsigned char *, size_t, void *, int);

/* Reads one scalar element of kind k; returns bytes used or an error. */
static int
dec_scalar(struct pb_dec *d, enum pb_kind k, const unsigned char *p, size_t len,
    uint64_t *v)
{
	int n;

	switch (pb_kinds[k].wiretype) {
	case PB_WT_VARINT:
		n = pb_read_varint(p, len, v);
		if (n == FAB_INCOMPLETE)
			return dec_fail(d, PB_EMALFORMED, "truncated varint");
		if (n < 0)
			return dec_fail(d, PB_EMALFORMED, "overlong varint");
		return n;
	case PB_WT_I32:
		if (len < 4)
			return dec_fail(d, PB_EMALFORMED, "truncated fixed32");
		*v = pb_load32(p);
		return 4;
	default:
		if (len < 8)
			return dec_fail(d, PB_EMALFORMED, "truncated fixed64");
		*v = pb_load64(p);
		return 8;
	}
}

static int
dec_packed(struct pb_dec *d, const struct pb_field *f, const unsigned char *p,
    size_t len, void *msg)
{
	uint64_t v;
	size_t off = 0;
	void *dst;
	int n, rc = 0;

	while (off < len) {
		if ((n = dec_scalar(d, f->kind, p + off, len - off, &v)) < 0)
			return n;
		off += (size_t)n;
		if ((dst = rep_append(d, f, msg, &rc)) == NULL)
			return rc;
		pb_kinds[f->kind].store(dst, v);
	}
	return 0;
}

/* Decodes the LEN payload p[0..len) of known field f into msg. */
static int
dec_len_field(struct pb_dec *d, const struct pb_field *f,
    const unsigned char *p, size_t len, void *msg, int depth)
{
	void *dst, **subp;
	struct span *s;
	int rc = 0;

	if (f->kind == PB_MESSAGE) {
		if (f->flags & PB_REPEATED) {
			if ((dst = rep_append(d, f, msg, &rc)) == NULL)
				return rc;
		} else {
			/* Repeated occurrences of a singular message merge. */
			subp = (void **)((char *)msg + f->offset);
			if (*subp == NULL &&
			    (*subp = dec_alloc(d, f->sub->size, &rc)) == NULL)
				return rc;
			dst = *subp;
		}
		return dec_message(d, f->sub, p, len, dst, depth + 1);
	}
	if (f->kind == PB_STRING || f->kind == PB_BYTES) {
		if (f->flags & PB_REPEATED) {
			if ((s = rep_append(d, f, msg, &rc)) == NULL)
				return rc;
		} else
			s = (struct span *)((char *)msg + f->offset);
		*s = span_make(p, len);
		return 0;
	}
	return dec_packed(d, f, p, len, msg);
}

static int
dec_message(struct pb_dec *d, const struct pb_msgdesc *desc,
    const unsigned char *p, size_t len, void *msg, int depth)
{
	const struct pb_field *f;
	uint64_t v;
	uint32_t number;
	size_t off = 0, used;
	void *dst;
	int n, wt, ewt, rc = 0;

	if (depth > PB_MAX_DEPTH)
		return dec_fail(d, PB_ELIMIT, "messages nested too deeply");
	while (off < len) {
		n = pb_read_tag(p + off, len - off, &number, &wt);
		if (n == FAB_INCOMPLETE)
			return dec_fail(d, PB_EMALFORMED, "truncated tag");
		if (n < 0)
			return dec_fail(d, PB_EMALFORMED, "invalid tag");
		off += (size_t)n;
		if (wt == PB_WT_SGROUP || wt == PB_WT_EGROUP)
			return dec_fail(
			    d, PB_EMALFORMED, "groups are not supported");
		if ((f = find_field(desc, number)) == NULL) {
			rc = pb_skip(p + off, len - off, wt, &used);
			if (rc == FAB_INCOMPLETE)
				return dec_fail(d, PB_EMALFORMED,
				    "truncated unknown field");
			if (rc < 0)
				return dec_fail(d, PB_EMALFORMED,
				    "malformed unknown field");
			off += used;
			continue;
		}
		ewt = pb_kinds[f->kind].wiretype;
		if (wt == PB_WT_LEN) {
			if (ewt != PB_WT_LEN && (f->flags & PB_REPEATED) == 0)
				return dec_fail(
				    d, PB_EMALFORMED, "wrong wire type");
			n = pb_read_varint(p + off, len - off, &v);
			if (n == FAB_INCOMPLETE)
				return dec_fail(
				    d, PB_EMALFORMED, "truncated length");
			if (n < 0 || v > PB_LEN_MAX)
				return dec_fail(d, PB_EMALFORMED, "bad length");
			off += (size_t)n;
			if (v > len - off)
				return dec_fail(d, PB_EMALFORMED,
				    "length past end of message");
			rc =
			    dec_len_field(d, f, p + off, (size_t)v, msg, depth);
			if (rc < 0)
				return rc;
			off += (size_t)v;
			continue;
		}
		if (wt != ewt)
			return dec_fail(d, PB_EMALFORMED, "wrong wire type");
		if ((n = dec_scalar(d, f->kind, p + off, len - off, &v)) < 0)
			return n;
		off += (size_t)n;
		if (f->flags & PB_REPEATED) {
			if ((dst = rep_append(d, f, msg, &rc)) == NULL)
				return rc;
		} else
			dst = (char *)msg + f->offset;
		pb_kinds[f->kind].store(dst, v);
	}
	return 0;
}

int
pb_decode(const struct pb_msgdesc *desc, const unsigned char *p, size_t len,
    void *out, struct pb_arena *arena, const char **err)
{
	struct pb_dec d;
	int rc;

	d.arena = arena;
	d.err = NULL;
	memset(out, 0, desc->size);
	if (len > PB_MAX_MESSAGE)
		rc = dec_fail(&d, PB_ELIMIT, "message too large");
	else
		rc = dec_message(&d, desc, p, len, out, 0);
	if (rc < 0 && err != NULL)
		*err = d.err;
	return rc < 0 ? rc : 0;
}

/* ---- Encoder --------------------------------------------------------- */

static int enc_message(
    const struct pb_msgdesc *, const void *, struct buf *, int);

static int
enc_value(struct buf *out, enum pb_kind k, uint64_t v)
{
	switch (pb_kinds[k].wiretype) {
	case PB_WT_VARINT:
		return pb_write_varint(out, v);
	case PB_WT_I32:
		return pb_write_fixed32(out, (uint32_t)v);
	default:
		return pb_write_fixed64(out, v);
	}
}

/* Writes one element of a LEN-typed field (string, bytes, message). */
static int
enc_len_elem(
    const struct pb_field *f, const void *elem, struct buf *out, int depth)
{
	const struct span *s;
	size_t mark;
	int rc;

	if (f->kind == PB_MESSAGE) {
		if (pb_write_submsg_begin(out, f->number, &mark) == -1)
			return PB_ENOMEM;
		if ((rc = enc_message(f->sub, elem, out, depth + 1)) < 0)
			return rc;
		return pb_write_submsg_end(out, mark) == -1 ? PB_ELIMIT : 0;
	}
	s = elem;
	if (s->len > PB_MAX_MESSAGE)
		return PB_ELIMIT;
	return pb_write_bytes(out, f->number, s->p, s->len) == -1 ? PB_ENOMEM
								  : 0;
}

static int
enc_repeated(
    const struct pb_field *f, const void *in, struct buf *out, int depth)
{
	const char *arr = *(const char *const *)((const char *)in + f->offset);
	size_t n = *(const size_t *)((const char *)in + f->count_offset);
	size_t es = elem_size(f), i, mark;
	int rc;

	if (n == 0)
		return 0;
	if (pb_kinds[f->kind].wiretype == PB_WT_LEN) {
		for (i = 0; i < n; i++)
			if ((rc = enc_len_elem(f, arr + i * es, out, depth)) <
			    0)
				return rc;
		return 0;
	}
	if (f->flags & PB_PACKED) {
		if (pb_write_submsg_begin(out, f->number, &mark) == -1)
			return PB_ENOMEM;
		for (i = 0; i < n; i++)
			if (enc_value(out, f->kind,
				pb_kinds[f->kind].load(arr + i * es)) == -1)
				return PB_ENOMEM;
		return pb_write_submsg_end(out, mark) == -1 ? PB_ELIMIT : 0;
	}
	for (i = 0; i < n; i++)
		if (pb_write_tag(out, f->number, pb_kinds[f->kind].wiretype) ==
			-1 ||
		    enc_value(out, f->kind,
			pb_kinds[f->kind].load(arr + i * es)) == -1)
			return PB_ENOMEM;
	return 0;
}

static int
enc_message(
    const struct pb_msgdesc *desc, const void *in, struct buf *out, int depth)
{
	const struct pb_field *f;
	const void *src;
	uint64_t v;
	size_t i;
	int rc;

	if (depth > PB_MAX_DEPTH)
		return PB_ELIMIT;
	for (i = 0; i < desc->nfields; i++) {
		f = &desc->fields[i];
		src = (const char *)in + f->offset;
		if (f->flags & PB_REPEATED) {
			if ((rc = enc_repeated(f, in, out, depth)) < 0)
				return rc;
			continue;
		}
		if (f->kind == PB_MESSAGE) {
			src = *(const void *const *)src;
			if (src == NULL)
				continue;
		} else if (f->kind == PB_STRING || f->kind == PB_BYTES) {
			if (((const struct span *)src)->len == 0)
				continue;
		} else {
			/* proto3 implicit presence: defaults are not written
			 * (for floats only +0.0 has all bits zero). */
			if ((v = pb_kinds[f->kind].load(src)) == 0)
				continue;
			if (pb_write_tag(out, f->number,
				pb_kinds[f->kind].wiretype) == -1 ||
			    enc_value(out, f->kind, v) == -1)
				return PB_ENOMEM;
			continue;
		}
		if ((rc = enc_len_elem(f, src, out, depth)) < 0)
			return rc;
	}
	return 0;
}

int
pb_encode(const struct pb_msgdesc *desc, const void *in, struct buf *out)
{
	size_t start = out->len;
	int rc;

	rc = enc_message(desc, in, out, 0);
	if (rc == 0 && out->len - start > PB_MAX_MESSAGE)
		rc = PB_ELIMIT;
	if (rc < 0) {
		out->len = start;
		if (out->cap > 0)
			out->data[start] = '\0';
	}
	return rc;
}

/* ---- gRPC method tables ---------------------------------------------- */

const struct pb_rpc *
pb_rpc_find(const struct pb_rpc *table, size_t n, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(table[i].path) == len &&
		    (len == 0 || memcmp(table[i].path, path, len) == 0))
			return &table[i];
	return NULL;
}
