/*
 * Unit tests for src/pb/pb.c: varints at every boundary, ZigZag, tags,
 * skipping, the table-driven decoder/encoder over a test descriptor that
 * covers every field kind, and every limit.  Byte strings marked "doc"
 * are the protoc-verified examples of protobuf-wire.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb/pb.h"
#include "tap.h"

int main(void);

struct t_sub {
	struct span s; /* 1 */
	struct t_sub *k; /* 11: nesting */
};

struct t_all {
	int32_t a; /* 1 int32 */
	int32_t b; /* 2 sint32 */
	int64_t c; /* 3 int64 */
	uint32_t d; /* 4 uint32 */
	struct span e; /* 5 string */
	uint64_t f; /* 6 uint64 */
	uint32_t g; /* 7 fixed32 */
	double h; /* 8 double */
	int32_t *i; /* 9 repeated int32, packed */
	size_t n_i;
	bool j; /* 10 bool */
	struct t_sub *k; /* 11 message */
	struct span l; /* 12 bytes */
	int64_t m; /* 13 sint64 */
	float n; /* 14 float */
	int64_t o; /* 15 sfixed64 */
	int32_t p; /* 16 sfixed32 */
	uint64_t q; /* 17 fixed64 */
	int32_t r; /* 18 enum */
	uint32_t *u; /* 19 repeated fixed32, packed */
	size_t n_u;
	struct span *v; /* 20 repeated string */
	size_t n_v;
	struct t_sub *w; /* 21 repeated message */
	size_t n_w;
	int64_t *x; /* 22 repeated sint64, not packed */
	size_t n_x;
	uint64_t big; /* 536870911 uint64 */
};

extern const struct pb_msgdesc t_sub_desc, t_all_desc;

static const struct pb_field t_sub_fields[] = {
	PB_FIELD(1, PB_STRING, struct t_sub, s, NULL),
	PB_FIELD(11, PB_MESSAGE, struct t_sub, k, &t_sub_desc),
};
const struct pb_msgdesc t_sub_desc = { "t.Sub", sizeof(struct t_sub),
	t_sub_fields, 2 };

static const struct pb_field t_all_fields[] = {
	PB_FIELD(1, PB_INT32, struct t_all, a, NULL),
	PB_FIELD(2, PB_SINT32, struct t_all, b, NULL),
	PB_FIELD(3, PB_INT64, struct t_all, c, NULL),
	PB_FIELD(4, PB_UINT32, struct t_all, d, NULL),
	PB_FIELD(5, PB_STRING, struct t_all, e, NULL),
	PB_FIELD(6, PB_UINT64, struct t_all, f, NULL),
	PB_FIELD(7, PB_FIXED32, struct t_all, g, NULL),
	PB_FIELD(8, PB_DOUBLE, struct t_all, h, NULL),
	PB_REP(9, PB_INT32, PB_PACKED, struct t_all, i, n_i, NULL),
	PB_FIELD(10, PB_BOOL, struct t_all, j, NULL),
	PB_FIELD(11, PB_MESSAGE, struct t_all, k, &t_sub_desc),
	PB_FIELD(12, PB_BYTES, struct t_all, l, NULL),
	PB_FIELD(13, PB_SINT64, struct t_all, m, NULL),
	PB_FIELD(14, PB_FLOAT, struct t_all, n, NULL),
	PB_FIELD(15, PB_SFIXED64, struct t_all, o, NULL),
	PB_FIELD(16, PB_SFIXED32, struct t_all, p, NULL),
	PB_FIELD(17, PB_FIXED64, struct t_all, q, NULL),
	PB_FIELD(18, PB_ENUM, struct t_all, r, NULL),
	PB_REP(19, PB_FIXED32, PB_PACKED, struct t_all, u, n_u, NULL),
	PB_REP(20, PB_STRING, 0, struct t_all, v, n_v, NULL),
	PB_REP(21, PB_MESSAGE, 0, struct t_all, w, n_w, &t_sub_desc),
	PB_REP(22, PB_SINT64, 0, struct t_all, x, n_x, NULL),
	PB_FIELD(536870911, PB_UINT64, struct t_all, big, NULL),
};
const struct pb_msgdesc t_all_desc = { "t.All", sizeof(struct t_all),
	t_all_fields, sizeof(t_all_fields) / sizeof(t_all_fields[0]) };

/* Decodes s[0..len) as t.All into *m with a fresh arena; returns the code. */
static int
dec(const char *s, size_t len, struct t_all *m, struct pb_arena *a,
    const char **err)
{
	pb_arena_init(a);
	*err = "";
	return pb_decode(&t_all_desc, (const unsigned char *)s, len, m, a, err);
}

/* Re-encodes *m and compares with want. */
static void
reenc(const struct t_all *m, const char *want, size_t wlen, const char *name)
{
	struct buf b;

	buf_init(&b);
	is_int(pb_encode(&t_all_desc, m, &b), 0, name);
	is_mem(b.data, b.len, want, wlen, name);
	buf_release(&b);
}

#define L(s) (s), (sizeof(s) - 1)

static void
test_varints(void)
{
	unsigned char tmp[16];
	struct buf b;
	uint64_t v, got;
	size_t k, want, cut;
	int n, bad;

	buf_init(&b);
	/* Every boundary 2^k - 1 and 2^k, plus UINT64_MAX. */
	bad = 0;
	for (k = 0; k <= 64; k++) {
		int side;

		for (side = 0; side < 2; side++) {
			if (k == 64 && side == 1)
				continue;
			v = k == 64 ? UINT64_MAX
				    : (side == 0 ? ((uint64_t)1 << k) - 1
						 : (uint64_t)1 << k);
			want = 1;
			while (want < 10 && (v >> (7 * want)) != 0)
				want++;
			buf_reset(&b);
			if (pb_write_varint(&b, v) != 0 || b.len != want ||
			    pb_varint_size(v) != want)
				bad++;
			n = pb_read_varint(b.data, b.len, &got);
			if (n != (int)want || got != v)
				bad++;
			for (cut = 0; cut < b.len; cut++)
				if (pb_read_varint(b.data, cut, &got) !=
				    FAB_INCOMPLETE)
					bad++;
		}
	}
	is_int(bad, 0, "varint boundaries: size, round trip, truncations");

	buf_reset(&b);
	ok(pb_write_varint(&b, 300) == 0, "write 300");
	is_mem(b.data, b.len, "\xac\x02", 2, "300 = ac 02 (doc)");
	buf_reset(&b);
	ok(pb_write_varint(&b, 0) == 0, "write 0");
	is_mem(b.data, b.len, "\x00", 1, "0 = 00");
	buf_reset(&b);
	ok(pb_write_varint(&b, UINT64_MAX) == 0, "write max");
	is_mem(b.data, b.len, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10,
	    "UINT64_MAX = 9 x ff, 01");

	is_int(pb_read_varint((const unsigned char *)"\x96\x01", 2, &got), 2,
	    "150 consumes 2");
	is_int(got, 150, "150 value");
	is_int(pb_read_varint((const unsigned char *)"\x80\x00", 2, &got), 2,
	    "padded 80 00 accepted");
	is_int(got, 0, "padded zero");
	memset(tmp, 0x80, sizeof(tmp));
	tmp[9] = 0x00;
	is_int(pb_read_varint(tmp, 10, &got), 10, "10-byte padded zero");
	is_int(got, 0, "10-byte padded zero value");
	tmp[9] = 0x80;
	tmp[10] = 0x00;
	is_int(pb_read_varint(tmp, 11, &got), FAB_ERROR, "11-byte varint");
	tmp[9] = 0x02;
	is_int(
	    pb_read_varint(tmp, 10, &got), FAB_ERROR, "10th byte 02 overflows");
	tmp[9] = 0x7f;
	is_int(
	    pb_read_varint(tmp, 10, &got), FAB_ERROR, "10th byte 7f overflows");
	tmp[9] = 0x81;
	is_int(pb_read_varint(tmp, 16, &got), FAB_ERROR, "10th byte continues");
	tmp[9] = 0x01;
	is_int(pb_read_varint(tmp, 10, &got), 10, "10th byte 01 ok");
	ok(got == (uint64_t)1 << 63, "bit 63 only");
	is_int(pb_read_varint(tmp, 0, &got), FAB_INCOMPLETE, "empty input");
	is_int(pb_read_varint((const unsigned char *)"\x08\x96", 2, &got) +
		pb_read_varint((const unsigned char *)"\x96", 1, &got),
	    1 + FAB_INCOMPLETE, "truncated 96 (doc 08 96)");
	buf_release(&b);
}

static void
test_zigzag(void)
{
	static const struct {
		int32_t n;
		uint32_t z;
	} t32[] = { { 0, 0 }, { -1, 1 }, { 1, 2 }, { -2, 3 },
		{ INT32_MAX, 4294967294u }, { INT32_MIN, 4294967295u } };
	size_t i;
	int bad = 0;

	for (i = 0; i < sizeof(t32) / sizeof(t32[0]); i++)
		if (pb_zigzag32(t32[i].n) != t32[i].z ||
		    pb_unzigzag32(t32[i].z) != t32[i].n)
			bad++;
	is_int(bad, 0, "zigzag32 table (doc)");
	ok(pb_zigzag64(INT64_MIN) == UINT64_MAX, "zigzag64 min");
	ok(pb_zigzag64(INT64_MAX) == UINT64_MAX - 1, "zigzag64 max");
	ok(pb_unzigzag64(UINT64_MAX) == INT64_MIN, "unzigzag64 min");
	ok(pb_unzigzag64(3) == -2, "unzigzag64 3");
}

static void
test_tags(void)
{
	uint32_t f;
	size_t used;
	int wt;
	struct buf b;

	is_int(pb_read_tag(
		   (const unsigned char *)"\xf8\xff\xff\xff\x0f", 5, &f, &wt),
	    5, "tag of field 2^29-1");
	ok(f == PB_MAX_FIELD && wt == 0, "field 536870911 wt 0");
	is_int(pb_read_tag(
		   (const unsigned char *)"\x80\x80\x80\x80\x10", 5, &f, &wt),
	    FAB_ERROR, "field 2^29 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x80\x80\x80\x80\x80\x01", 6,
		   &f, &wt),
	    FAB_ERROR, "tag above 2^32 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x00", 1, &f, &wt),
	    FAB_ERROR, "field 0 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x07", 1, &f, &wt),
	    FAB_ERROR, "field 0 wt 7 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x0e", 1, &f, &wt),
	    FAB_ERROR, "wire type 6 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x0f", 1, &f, &wt),
	    FAB_ERROR, "wire type 7 rejected");
	is_int(pb_read_tag((const unsigned char *)"\x0b", 1, &f, &wt), 1,
	    "group start tag is returned");
	is_int(wt, PB_WT_SGROUP, "as wire type 3");
	is_int(pb_read_tag((const unsigned char *)"\x88", 1, &f, &wt),
	    FAB_INCOMPLETE, "truncated tag");

	is_int(
	    pb_skip((const unsigned char *)"\x96\x01", 2, PB_WT_VARINT, &used),
	    0, "skip varint");
	is_int(used, 2, "skip varint length");
	is_int(pb_skip((const unsigned char *)"12345678", 8, PB_WT_I64, &used),
	    0, "skip i64");
	is_int(pb_skip((const unsigned char *)"1234567", 7, PB_WT_I64, &used),
	    FAB_INCOMPLETE, "skip short i64");
	is_int(pb_skip((const unsigned char *)"123", 3, PB_WT_I32, &used),
	    FAB_INCOMPLETE, "skip short i32");
	is_int(pb_skip((const unsigned char *)"\x03xyz", 4, PB_WT_LEN, &used),
	    0, "skip len");
	is_int(used, 4, "skip len size");
	is_int(pb_skip((const unsigned char *)"\x04xyz", 4, PB_WT_LEN, &used),
	    FAB_INCOMPLETE, "skip len past end");
	is_int(pb_skip((const unsigned char *)"\x80\x80\x80\x80\x08", 5,
		   PB_WT_LEN, &used),
	    FAB_ERROR, "skip len 2^31 rejected");
	is_int(pb_skip((const unsigned char *)"", 0, PB_WT_SGROUP, &used),
	    FAB_ERROR, "groups not skipped");

	buf_init(&b);
	ok(pb_write_tag(&b, 0, 0) == -1, "write field 0 refused");
	ok(pb_write_tag(&b, PB_MAX_FIELD + 1, 0) == -1,
	    "write field 2^29 refused");
	ok(pb_write_tag(&b, 1, 6) == -1, "write wire type 6 refused");
	ok(pb_write_tag(&b, PB_MAX_FIELD, 0) == 0, "write field 2^29-1");
	is_mem(b.data, b.len, "\xf8\xff\xff\xff\x0f", 5, "tag bytes (doc)");
	buf_release(&b);
}

static void
test_writer(void)
{
	struct buf b, want;
	size_t m1, m2, sizes[] = { 0, 1, 127, 128, 16383, 16384, 70000 };
	unsigned char *payload;
	size_t i;
	int bad = 0;

	buf_init(&b);
	buf_init(&want);
	payload = calloc(1, 70000);
	ok(payload != NULL, "alloc");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(payload, 'a' + (int)i, sizes[i]);
		buf_reset(&b);
		buf_reset(&want);
		if (pb_write_submsg_begin(&b, 3, &m1) != 0 ||
		    buf_append(&b, payload, sizes[i]) != 0 ||
		    pb_write_submsg_end(&b, m1) != 0 ||
		    pb_write_bytes(&want, 3, payload, sizes[i]) != 0)
			bad++;
		if (b.len != want.len || memcmp(b.data, want.data, b.len) != 0)
			bad++;
	}
	is_int(bad, 0, "backpatched lengths match pb_write_bytes");
	buf_reset(&b);
	ok(pb_write_submsg_begin(&b, 11, &m1) == 0 &&
		pb_write_submsg_begin(&b, 11, &m2) == 0 &&
		pb_write_bytes(&b, 1, "hi", 2) == 0 &&
		pb_write_submsg_end(&b, m2) == 0 &&
		pb_write_submsg_end(&b, m1) == 0,
	    "nested submessages");
	is_mem(b.data, b.len, "\x5a\x06\x5a\x04\x0a\x02hi", 8, "nested bytes");
	ok(pb_write_submsg_end(&b, b.len + 1) == -1, "bad mark refused");
	buf_reset(&b);
	ok(pb_write_fixed32(&b, 0x3f800000) == 0 &&
		pb_write_fixed64(&b, 0x0102030405060708ull) == 0,
	    "fixed writes");
	is_mem(b.data, b.len,
	    "\x00\x00\x80\x3f\x08\x07\x06\x05\x04\x03\x02\x01", 12,
	    "fixed little-endian");
	ok(pb_load32(b.data) == 0x3f800000 &&
		pb_load64(b.data + 4) == 0x0102030405060708ull,
	    "fixed loads");
	free(payload);
	buf_release(&b);
	buf_release(&want);
}

static void
test_doc_examples(void)
{
	struct t_all m;
	struct pb_arena a;
	const char *err;

	is_int(dec(L("\x08\x96\x01"), &m, &a, &err), 0, "a: 150");
	is_int(m.a, 150, "a = 150");
	reenc(&m, L("\x08\x96\x01"), "a: 150 re-encodes");
	pb_arena_release(&a);

	is_int(dec(L("\x08\x96\x01\x08\x01"), &m, &a, &err), 0, "last wins");
	is_int(m.a, 1, "a = 1");
	pb_arena_release(&a);

	is_int(dec(L("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"), &m, &a,
		   &err),
	    0, "int32 -1 (10 bytes)");
	is_int(m.a, -1, "a = -1");
	reenc(&m, L("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
	    "int32 -1 re-encodes as 10 bytes");
	pb_arena_release(&a);

	is_int(dec(L("\x08\xff\xff\xff\xff\x0f"), &m, &a, &err), 0,
	    "int32 from 5-byte varint");
	is_int(m.a, -1, "truncated to 32 bits");
	pb_arena_release(&a);

	is_int(dec(L("\x10\x01\x68\x03"), &m, &a, &err), 0, "sint32/sint64");
	is_int(m.b, -1, "b = -1");
	is_int(m.m, -2, "m = -2");
	reenc(&m, L("\x10\x01\x68\x03"), "sint re-encode");
	pb_arena_release(&a);

	is_int(dec(L("\x79\xff\xff\xff\xff\xff\xff\xff\xff"), &m, &a, &err), 0,
	    "sfixed64 -1");
	is_int(m.o, -1, "o = -1");
	pb_arena_release(&a);

	is_int(dec(L("\x75\x00\x00\x80\x3f"), &m, &a, &err), 0, "float 1.0");
	ok(m.n == 1.0f, "n = 1.0");
	reenc(&m, L("\x75\x00\x00\x80\x3f"), "float re-encode");
	pb_arena_release(&a);

	is_int(
	    dec(L("\x3d\x01\x00\x00\x00\x41\x00\x00\x00\x00\x00\x00\xf8\x3f"),
		&m, &a, &err),
	    0, "fixed32 + double");
	is_int(m.g, 1, "g = 1");
	ok(m.h == 1.5, "h = 1.5");
	reenc(&m, L("\x3d\x01\x00\x00\x00\x41\x00\x00\x00\x00\x00\x00\xf8\x3f"),
	    "fixed re-encode");
	pb_arena_release(&a);

	is_int(dec(L("\x2a\x07testing"), &m, &a, &err), 0, "string");
	ok(span_eq_str(m.e, "testing"), "e = testing");
	pb_arena_release(&a);

	is_int(dec(L("\x5a\x04\x0a\x02hi"), &m, &a, &err), 0, "submessage");
	ok(m.k != NULL && span_eq_str(m.k->s, "hi"), "k.s = hi");
	reenc(&m, L("\x5a\x04\x0a\x02hi"), "submessage re-encode");
	pb_arena_release(&a);

	is_int(dec(L("\x5a\x02\x0a\x00\x5a\x04\x0a\x02hi"), &m, &a, &err), 0,
	    "submessage merge");
	ok(m.k != NULL && span_eq_str(m.k->s, "hi"), "merged k.s = hi");
	pb_arena_release(&a);

	is_int(dec(L("\x4a\x06\x03\x8e\x02\x9e\xa7\x05"), &m, &a, &err), 0,
	    "packed int32");
	ok(m.n_i == 3 && m.i[0] == 3 && m.i[1] == 270 && m.i[2] == 86942,
	    "i = [3, 270, 86942]");
	reenc(&m, L("\x4a\x06\x03\x8e\x02\x9e\xa7\x05"), "packed re-encode");
	pb_arena_release(&a);

	is_int(dec(L("\x48\x01\x4a\x02\x02\x03\x48\x04"), &m, &a, &err), 0,
	    "packed and unpacked mixed");
	ok(m.n_i == 4 && m.i[0] == 1 && m.i[1] == 2 && m.i[2] == 3 &&
		m.i[3] == 4,
	    "i = [1, 2, 3, 4]");
	reenc(&m, L("\x4a\x04\x01\x02\x03\x04"), "mixed re-encodes packed");
	pb_arena_release(&a);

	is_int(dec(L("\xa0\x06\x05\x08\x07"), &m, &a, &err), 0,
	    "unknown varint field 100");
	is_int(m.a, 7, "a = 7");
	reenc(&m, L("\x08\x07"), "unknown field dropped");
	pb_arena_release(&a);
}

static void
test_repeated(void)
{
	struct t_all m;
	struct pb_arena a;
	const char *err;

	/* field 19 fixed32: unpacked 9d 01, packed 9a 01 */
	is_int(dec(L("\x9d\x01\x01\x00\x00\x00"
		     "\x9a\x01\x08\x02\x00\x00\x00\x03\x00\x00\x00"
		     "\x9d\x01\x04\x00\x00\x00"),
		   &m, &a, &err),
	    0, "fixed32 packed and unpacked");
	ok(m.n_u == 4 && m.u[0] == 1 && m.u[1] == 2 && m.u[2] == 3 &&
		m.u[3] == 4,
	    "u = [1, 2, 3, 4]");
	reenc(&m,
	    L("\x9a\x01\x10\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00"
	      "\x00\x04\x00\x00\x00"),
	    "fixed32 re-encodes packed");
	pb_arena_release(&a);

	/* field 22 sint64, not packed in the descriptor: accepts packed. */
	is_int(dec(L("\xb2\x01\x02\x01\x02\xb0\x01\x03"), &m, &a, &err), 0,
	    "unpacked-only field accepts packed");
	ok(m.n_x == 3 && m.x[0] == -1 && m.x[1] == 1 && m.x[2] == -2,
	    "x = [-1, 1, -2]");
	reenc(&m, L("\xb0\x01\x01\xb0\x01\x02\xb0\x01\x03"),
	    "x re-encodes unpacked");
	pb_arena_release(&a);

	is_int(dec(L("\x4a\x00"), &m, &a, &err), 0, "empty packed record");
	is_int(m.n_i, 0, "no elements");
	pb_arena_release(&a);

	is_int(dec(L("\xa2\x01\x00\xa2\x01\x01x\xaa\x01\x00\xaa\x01\x04\x0a"
		     "\x02hi"),
		   &m, &a, &err),
	    0, "repeated strings and messages");
	ok(m.n_v == 2 && m.v[0].len == 0 && span_eq_str(m.v[1], "x"),
	    "v = [\"\", \"x\"]");
	ok(m.n_w == 2 && m.w[0].s.len == 0 && span_eq_str(m.w[1].s, "hi"),
	    "w = [{}, {s: hi}]");
	reenc(&m,
	    L("\xa2\x01\x00\xa2\x01\x01x\xaa\x01\x00\xaa\x01\x04\x0a"
	      "\x02hi"),
	    "empty repeated elements are kept");
	pb_arena_release(&a);

	is_int(dec(L("\x4a\x01\x96"), &m, &a, &err), PB_EMALFORMED,
	    "truncated varint inside packed");
	is_int(dec(L("\x9a\x01\x03\x01\x00\x00"), &m, &a, &err), PB_EMALFORMED,
	    "packed fixed32 of 3 bytes");
	pb_arena_release(&a);
	is_int(dec(L("\xa0\x01\x01"), &m, &a, &err), PB_EMALFORMED,
	    "repeated string as varint");
	pb_arena_release(&a);
}

static void
test_errors(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *name;
	} bad[] = {
		{ "\x08\x96", 2, "truncated varint (doc)" },
		{ "\x08\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 12,
		    "11-byte varint" },
		{ "\x2a\x08testing", 9, "length past end" },
		{ "\x2a\xff\xff\xff\xff\x0f", 6, "length above 2^31-1" },
		{ "\x2a", 1, "missing length" },
		{ "\x00\x00", 2, "field 0" },
		{ "\x0e", 1, "wire type 6" },
		{ "\x0f", 1, "wire type 7" },
		{ "\xa3\x06\xa4\x06\x08\x07", 6, "group (unknown field)" },
		{ "\x0b\x0c", 2, "group on a known field" },
		{ "\xa4\x06", 2, "end group without start" },
		{ "\x0d\x00\x00\x00\x00", 5, "int32 field as fixed32" },
		{ "\x0a\x00", 2, "int32 field as LEN" },
		{ "\x28\x01", 2, "string field as varint" },
		{ "\x58\x01", 2, "message field as varint" },
		{ "\x39\x01\x00\x00\x00\x00\x00\x00\x00", 9,
		    "fixed32 field as fixed64" },
		{ "\x3d\x01\x00\x00", 4, "truncated fixed32" },
		{ "\x41\x01", 2, "truncated double" },
		{ "\xa1\x06\x01\x02", 4, "truncated unknown i64" },
		{ "\xa5\x06\x01", 3, "truncated unknown i32" },
		{ "\xa2\x06\x05xy", 5, "truncated unknown len" },
		{ "\xa0\x06", 2, "truncated unknown varint" },
		{ "\x5a\x03\x0a\x05hi", 6, "inner length past its message" },
		{ "\x5a\x02\x00\x00", 4, "field 0 inside submessage" },
		{ "\x08", 1, "tag without value" },
		{ "\x88", 1, "truncated tag" },
	};
	struct t_all m;
	struct pb_arena a;
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = dec(bad[i].in, bad[i].len, &m, &a, &err);
		is_int(rc, PB_EMALFORMED, bad[i].name);
		ok(err != NULL && *err != '\0', "%s: message \"%s\"",
		    bad[i].name, err != NULL ? err : "(null)");
		pb_arena_release(&a);
	}

	/* Unknown fields of every skippable wire type. */
	is_int(dec(L("\xa0\x06\x96\x01"
		     "\xa1\x06\x01\x02\x03\x04\x05\x06\x07\x08"
		     "\xa2\x06\x03xyz"
		     "\xa5\x06\x01\x02\x03\x04"
		     "\x08\x07"
		     "\xf0\xff\xff\xff\x0f\x01"),
		   &m, &a, &err),
	    0, "unknown varint, i64, len, i32 skipped");
	is_int(m.a, 7, "known field after unknowns");
	reenc(&m, L("\x08\x07"), "unknowns dropped on encode");
	pb_arena_release(&a);

	is_int(dec(L("\xf8\xff\xff\xff\x0f\x2a"), &m, &a, &err), 0,
	    "field 2^29-1 decodes");
	ok(m.big == 42, "big = 42");
	reenc(&m, L("\xf8\xff\xff\xff\x0f\x2a"), "field 2^29-1 re-encodes");
	pb_arena_release(&a);

	is_int(dec(L("\x50\x02\x90\x01\xff\xff\xff\xff\x1f"), &m, &a, &err), 0,
	    "bool 2, enum out of range");
	ok(m.j == true, "bool non-zero is true");
	is_int(m.r, -1, "enum keeps low 32 bits (0xffffffff)");
	pb_arena_release(&a);

	is_int(dec(L("\x90\x01\x63"), &m, &a, &err), 0, "unknown enum value");
	is_int(m.r, 99, "open enum keeps 99");
	pb_arena_release(&a);

	is_int(dec(L(""), &m, &a, &err), 0, "empty message");
	reenc(&m, L(""), "empty re-encodes to nothing");
	pb_arena_release(&a);
}

/* Top-level record boundaries of a well-formed message. */
static size_t
boundaries(const unsigned char *p, size_t len, size_t *out, size_t max)
{
	size_t off = 0, n = 0, used;
	uint32_t f;
	int wt, t;

	out[n++] = 0;
	while (off < len && n < max) {
		if ((t = pb_read_tag(p + off, len - off, &f, &wt)) < 0)
			return 0;
		off += (size_t)t;
		if (pb_skip(p + off, len - off, wt, &used) != 0)
			return 0;
		off += used;
		out[n++] = off;
	}
	return n;
}

static void
fill_all(struct t_all *m, struct t_sub *sub, struct t_sub *ws, int32_t *is,
    uint32_t *us, struct span *vs, int64_t *xs)
{
	memset(m, 0, sizeof(*m));
	memset(sub, 0, sizeof(*sub) * 2);
	memset(ws, 0, sizeof(*ws) * 2);
	m->a = -5;
	m->b = -300;
	m->c = INT64_MIN;
	m->d = UINT32_MAX;
	m->e = span_str("text");
	m->f = UINT64_MAX;
	m->g = 0xdeadbeef;
	m->h = -2.25;
	is[0] = 0;
	is[1] = -1;
	is[2] = INT32_MAX;
	m->i = is;
	m->n_i = 3;
	m->j = true;
	sub[0].s = span_str("outer");
	sub[0].k = &sub[1];
	sub[1].s = span_str("inner");
	m->k = &sub[0];
	m->l = span_make("\x00\x01\x02", 3);
	m->m = INT64_MAX;
	m->n = -0.5f;
	m->o = INT64_MIN;
	m->p = INT32_MIN;
	m->q = 0x0102030405060708ull;
	m->r = 7;
	us[0] = 1;
	us[1] = UINT32_MAX;
	m->u = us;
	m->n_u = 2;
	vs[0] = span_str("");
	vs[1] = span_str("two");
	m->v = vs;
	m->n_v = 2;
	ws[1].s = span_str("w1");
	m->w = ws;
	m->n_w = 2;
	xs[0] = INT64_MIN;
	xs[1] = 5;
	m->x = xs;
	m->n_x = 2;
	m->big = 1;
}

static void
test_roundtrip_and_truncation(void)
{
	struct t_all m, d;
	struct t_sub sub[2], ws[2];
	int32_t is[3];
	uint32_t us[2];
	struct span vs[2];
	int64_t xs[2];
	struct pb_arena a;
	struct buf b, b2;
	size_t bnd[64], nb, cut, j;
	const char *err;
	int bad = 0, boundary, rc;

	fill_all(&m, sub, ws, is, us, vs, xs);
	buf_init(&b);
	buf_init(&b2);
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "encode every kind");
	pb_arena_init(&a);
	is_int(pb_decode(&t_all_desc, b.data, b.len, &d, &a, &err), 0,
	    "decode every kind");
	ok(d.a == -5 && d.b == -300 && d.c == INT64_MIN && d.d == UINT32_MAX &&
		span_eq_str(d.e, "text") && d.f == UINT64_MAX &&
		d.g == 0xdeadbeef && d.h == -2.25 && d.j && d.m == INT64_MAX &&
		d.n == -0.5f && d.o == INT64_MIN && d.p == INT32_MIN &&
		d.q == 0x0102030405060708ull && d.r == 7 && d.big == 1,
	    "scalars round trip");
	ok(span_eq(d.l, span_make("\x00\x01\x02", 3)), "bytes with NUL");
	ok(d.n_i == 3 && d.i[0] == 0 && d.i[1] == -1 && d.i[2] == INT32_MAX,
	    "packed int32 round trip (0 element kept)");
	ok(d.n_u == 2 && d.u[1] == UINT32_MAX, "fixed32 array");
	ok(d.n_v == 2 && d.v[0].len == 0 && span_eq_str(d.v[1], "two"),
	    "string array");
	ok(d.n_w == 2 && d.w[0].s.len == 0 && span_eq_str(d.w[1].s, "w1"),
	    "message array");
	ok(d.n_x == 2 && d.x[0] == INT64_MIN && d.x[1] == 5, "sint64 array");
	ok(d.k != NULL && span_eq_str(d.k->s, "outer") && d.k->k != NULL &&
		span_eq_str(d.k->k->s, "inner") && d.k->k->k == NULL,
	    "nested messages");
	is_int(pb_encode(&t_all_desc, &d, &b2), 0, "re-encode");
	is_mem(b2.data, b2.len, b.data, b.len, "encode(decode(x)) == x");
	pb_arena_release(&a);

	/* A cut at a record boundary is a valid shorter message; any other
	 * cut must fail as malformed. */
	nb = boundaries(b.data, b.len, bnd, 64);
	ok(nb > 20, "found %zu record boundaries", nb);
	for (cut = 0; cut < b.len; cut++) {
		boundary = 0;
		for (j = 0; j < nb; j++)
			if (bnd[j] == cut)
				boundary = 1;
		pb_arena_init(&a);
		rc = pb_decode(&t_all_desc, b.data, cut, &d, &a, &err);
		if (boundary ? rc != 0 : rc != PB_EMALFORMED) {
			diag("cut at %zu: rc %d (%s)", cut, rc, err);
			bad++;
		}
		pb_arena_release(&a);
	}
	is_int(bad, 0,
	    "truncation at every byte: malformed unless at a "
	    "record boundary");

	/* Defaults are not written; -0.0 and set empty messages are. */
	memset(&m, 0, sizeof(m));
	buf_reset(&b);
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "encode all defaults");
	is_int(b.len, 0, "all defaults encode to zero bytes");
	m.n = -0.0f;
	m.k = &sub[1];
	memset(&sub[1], 0, sizeof(sub[1]));
	buf_reset(&b);
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "encode -0.0 and empty sub");
	is_mem(b.data, b.len, "\x5a\x00\x75\x00\x00\x00\x80", 7,
	    "empty set submessage = 5a 00; -0.0 written");

	/* Encoding appends; a failure leaves earlier bytes intact. */
	buf_reset(&b);
	ok(buf_append(&b, "prefix", 6) == 0, "prefix");
	m.k = NULL;
	m.n = 0;
	m.a = 1;
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "append after prefix");
	is_mem(b.data, b.len, "prefix\x08\x01", 8, "appended");
	buf_release(&b);
	buf_release(&b2);
}

/* Builds depth levels of t.Sub nesting: 5a len (5a len (...)). */
static void
nest(struct buf *b, int depth)
{
	struct buf t;
	int i;

	buf_init(&t);
	buf_reset(b);
	for (i = 0; i < depth; i++) {
		buf_reset(&t);
		if (pb_write_bytes(&t, 11, b->data, b->len) != 0)
			abort();
		buf_reset(b);
		if (buf_append(b, t.data, t.len) != 0)
			abort();
	}
	buf_release(&t);
}

static void
test_limits(void)
{
	struct t_all m;
	struct t_sub chain[PB_MAX_DEPTH + 2];
	struct pb_arena a;
	struct buf b;
	unsigned char *big;
	const char *err;
	size_t i;
	int rc;

	buf_init(&b);
	nest(&b, PB_MAX_DEPTH);
	pb_arena_init(&a);
	is_int(pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err), 0,
	    "nesting at PB_MAX_DEPTH accepted");
	pb_arena_release(&a);
	nest(&b, PB_MAX_DEPTH + 1);
	is_int(pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err), PB_ELIMIT,
	    "nesting PB_MAX_DEPTH + 1 rejected");
	is_str(err, "messages nested too deeply", "depth error message");
	pb_arena_release(&a);
	nest(&b, 1000);
	is_int(pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err), PB_ELIMIT,
	    "1000 levels rejected");
	pb_arena_release(&a);

	/* Encoder depth: a chain, then a cycle. */
	memset(chain, 0, sizeof(chain));
	for (i = 0; i + 1 < PB_MAX_DEPTH; i++)
		chain[i].k = &chain[i + 1];
	memset(&m, 0, sizeof(m));
	m.k = &chain[0];
	buf_reset(&b);
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "encode depth PB_MAX_DEPTH");
	chain[PB_MAX_DEPTH - 1].k = &chain[PB_MAX_DEPTH];
	buf_reset(&b);
	ok(buf_append(&b, "x", 1) == 0, "prefix");
	is_int(pb_encode(&t_all_desc, &m, &b), PB_ELIMIT,
	    "encode depth PB_MAX_DEPTH + 1 rejected");
	is_int(b.len, 1, "failed encode restores the buffer");
	chain[0].k = &chain[0];
	is_int(pb_encode(&t_all_desc, &m, &b), PB_ELIMIT,
	    "pointer cycle rejected");

	/* Message size. */
	big = calloc(1, PB_MAX_MESSAGE + 1);
	ok(big != NULL, "alloc big");
	is_int(pb_decode(&t_all_desc, big, PB_MAX_MESSAGE + 1, &m, &a, &err),
	    PB_ELIMIT, "PB_MAX_MESSAGE + 1 rejected");
	is_str(err, "message too large", "size error message");
	/* 12 <len> bytes... filling exactly PB_MAX_MESSAGE */
	buf_reset(&b);
	ok(pb_write_bytes(&b, 12, big, PB_MAX_MESSAGE - 5) == 0, "big bytes");
	is_int(b.len, PB_MAX_MESSAGE, "exactly PB_MAX_MESSAGE");
	rc = pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err);
	is_int(rc, 0, "PB_MAX_MESSAGE accepted");
	is_int(m.l.len, PB_MAX_MESSAGE - 5, "bytes span length");
	memset(&m, 0, sizeof(m));
	m.l = span_make(big, PB_MAX_MESSAGE - 5);
	buf_reset(&b);
	is_int(pb_encode(&t_all_desc, &m, &b), 0, "encode PB_MAX_MESSAGE");
	m.l.len++;
	buf_reset(&b);
	is_int(pb_encode(&t_all_desc, &m, &b), PB_ELIMIT,
	    "encode PB_MAX_MESSAGE + 1 rejected");
	is_int(b.len, 0, "nothing left behind");
	pb_arena_release(&a);

	/* PB_MAX_REPEATED one-byte varints, then one more. */
	buf_reset(&b);
	memset(big, 1, PB_MAX_REPEATED + 1);
	ok(pb_write_bytes(&b, 9, big, PB_MAX_REPEATED) == 0, "packed max");
	rc = pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err);
	is_int(rc, 0, "PB_MAX_REPEATED elements accepted");
	is_int(m.n_i, PB_MAX_REPEATED, "all elements kept");
	pb_arena_release(&a);
	ok(buf_append(&b, "\x48\x01", 2) == 0, "one more");
	is_int(pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err), PB_ELIMIT,
	    "PB_MAX_REPEATED + 1 rejected");
	is_str(err, "too many repeated elements", "repeated error message");
	pb_arena_release(&a);
	free(big);

	/* Arena: direct limit, then a decode into a nearly full arena. */
	pb_arena_init(&a);
	ok(pb_arena_alloc(&a, (size_t)PB_MAX_ARENA + 1) == NULL,
	    "arena refuses more than PB_MAX_ARENA");
	ok(pb_arena_alloc(&a, (size_t)PB_MAX_ARENA - 4096) != NULL,
	    "arena nearly full");
	ok(pb_arena_alloc(&a, 8192) == NULL, "arena limit reached");
	ok(pb_arena_alloc(&a, 16) != NULL, "small allocation still fits");
	buf_reset(&b);
	for (i = 0; i < 2000; i++)
		if (pb_write_bytes(&b, 21, "", 0) != 0)
			abort();
	rc = pb_decode(&t_all_desc, b.data, b.len, &m, &a, &err);
	is_int(rc, PB_ELIMIT, "decode over PB_MAX_ARENA rejected");
	is_str(err, "decoded message too large", "arena error message");
	pb_arena_release(&a);
	is_int(a.total, 0, "arena released");
	buf_release(&b);
}

static void
test_arena(void)
{
	struct pb_arena a;
	unsigned char *p[100];
	size_t i;
	int bad = 0;

	pb_arena_init(&a);
	for (i = 0; i < 100; i++) {
		p[i] = pb_arena_alloc(&a, i * 37 + 1);
		if (p[i] == NULL ||
		    (uintptr_t)p[i] % _Alignof(max_align_t) != 0)
			bad++;
		else
			memset(p[i], (int)i, i * 37 + 1);
	}
	for (i = 0; i < 100; i++)
		if (p[i] != NULL &&
		    (p[i][0] != (unsigned char)i ||
			p[i][i * 37] != (unsigned char)i))
			bad++;
	is_int(bad, 0, "arena blocks are aligned and disjoint");
	ok(pb_arena_alloc(&a, 0) != NULL, "zero-size allocation");
	pb_arena_release(&a);
	ok(a.head == NULL && a.total == 0, "released");
	pb_arena_release(&a);
	ok(1, "double release is harmless");
}

static void
test_descriptors(void)
{
	static const struct pb_field unsorted[] = {
		PB_FIELD(2, PB_INT32, struct t_all, a, NULL),
		PB_FIELD(1, PB_INT32, struct t_all, b, NULL),
	};
	static const struct pb_field nosub[] = {
		PB_FIELD(1, PB_MESSAGE, struct t_all, k, NULL),
	};
	static const struct pb_field packedstr[] = {
		PB_REP(1, PB_STRING, PB_PACKED, struct t_all, v, n_v, NULL),
	};
	static const struct pb_field zero[] = {
		PB_FIELD(0, PB_INT32, struct t_all, a, NULL),
	};
	struct pb_msgdesc d = { "bad", sizeof(struct t_all), NULL, 0 };
	const char *err = NULL;

	is_int(pb_msgdesc_check(&t_all_desc, &err), 0, "t.All is valid");
	is_int(pb_msgdesc_check(&t_sub_desc, &err), 0, "t.Sub is valid");
	d.fields = unsorted;
	d.nfields = 2;
	is_int(pb_msgdesc_check(&d, &err), -1, "unsorted table rejected");
	d.fields = nosub;
	d.nfields = 1;
	is_int(pb_msgdesc_check(&d, &err), -1, "message without sub rejected");
	d.fields = packedstr;
	is_int(pb_msgdesc_check(&d, &err), -1, "packed string rejected");
	d.fields = zero;
	is_int(pb_msgdesc_check(&d, &err), -1, "field 0 rejected");
}

int
main(void)
{
	test_varints();
	test_zigzag();
	test_tags();
	test_writer();
	test_doc_examples();
	test_repeated();
	test_errors();
	test_roundtrip_and_truncation();
	test_limits();
	test_arena();
	test_descriptors();
	return done_testing();
}
