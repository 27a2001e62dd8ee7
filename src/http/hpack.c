/*
 * HPACK (RFC 7541): integer and string primitives (§5), Huffman code
 * (Appendix B), static table (Appendix A), dynamic table (§2.3, §4) and
 * the field representations (§6).
 *
 * Security: the header block given to hpack_decode comes from the peer
 * and is untrusted.  The decoder never reads past len, rejects integers
 * above 2^32-1 or with more than 5 continuation octets, bounds every
 * string by HPACK_MAX_STRING, the dynamic table by the size we advertised
 * and the decoded list by max_header_list and max_fields, checking each
 * before copying or allocating, so a small block referencing a large
 * table entry many times (HPACK bomb) fails after at most max_header_list
 * bytes of output.  Memory held: the table (<= its max plus 32-byte
 * overhead per entry) and one scratch string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/hpack.h"

/* RFC 7541 Appendix B: code (right-aligned) and length in bits. */
static const struct {
	uint32_t code;
	uint8_t bits;
} hpack_huff_code[257] = {
	{ 0x1ff8, 13 },
	{ 0x7fffd8, 23 },
	{ 0xfffffe2, 28 },
	{ 0xfffffe3, 28 },
	{ 0xfffffe4, 28 },
	{ 0xfffffe5, 28 },
	{ 0xfffffe6, 28 },
	{ 0xfffffe7, 28 },
	{ 0xfffffe8, 28 },
	{ 0xffffea, 24 },
	{ 0x3ffffffc, 30 },
	{ 0xfffffe9, 28 },
	{ 0xfffffea, 28 },
	{ 0x3ffffffd, 30 },
	{ 0xfffffeb, 28 },
	{ 0xfffffec, 28 },
	{ 0xfffffed, 28 },
	{ 0xfffffee, 28 },
	{ 0xfffffef, 28 },
	{ 0xffffff0, 28 },
	{ 0xffffff1, 28 },
	{ 0xffffff2, 28 },
	{ 0x3ffffffe, 30 },
	{ 0xffffff3, 28 },
	{ 0xffffff4, 28 },
	{ 0xffffff5, 28 },
	{ 0xffffff6, 28 },
	{ 0xffffff7, 28 },
	{ 0xffffff8, 28 },
	{ 0xffffff9, 28 },
	{ 0xffffffa, 28 },
	{ 0xffffffb, 28 },
	{ 0x14, 6 },
	{ 0x3f8, 10 },
	{ 0x3f9, 10 },
	{ 0xffa, 12 },
	{ 0x1ff9, 13 },
	{ 0x15, 6 },
	{ 0xf8, 8 },
	{ 0x7fa, 11 },
	{ 0x3fa, 10 },
	{ 0x3fb, 10 },
	{ 0xf9, 8 },
	{ 0x7fb, 11 },
	{ 0xfa, 8 },
	{ 0x16, 6 },
	{ 0x17, 6 },
	{ 0x18, 6 },
	{ 0x0, 5 },
	{ 0x1, 5 },
	{ 0x2, 5 },
	{ 0x19, 6 },
	{ 0x1a, 6 },
	{ 0x1b, 6 },
	{ 0x1c, 6 },
	{ 0x1d, 6 },
	{ 0x1e, 6 },
	{ 0x1f, 6 },
	{ 0x5c, 7 },
	{ 0xfb, 8 },
	{ 0x7ffc, 15 },
	{ 0x20, 6 },
	{ 0xffb, 12 },
	{ 0x3fc, 10 },
	{ 0x1ffa, 13 },
	{ 0x21, 6 },
	{ 0x5d, 7 },
	{ 0x5e, 7 },
	{ 0x5f, 7 },
	{ 0x60, 7 },
	{ 0x61, 7 },
	{ 0x62, 7 },
	{ 0x63, 7 },
	{ 0x64, 7 },
	{ 0x65, 7 },
	{ 0x66, 7 },
	{ 0x67, 7 },
	{ 0x68, 7 },
	{ 0x69, 7 },
	{ 0x6a, 7 },
	{ 0x6b, 7 },
	{ 0x6c, 7 },
	{ 0x6d, 7 },
	{ 0x6e, 7 },
	{ 0x6f, 7 },
	{ 0x70, 7 },
	{ 0x71, 7 },
	{ 0x72, 7 },
	{ 0xfc, 8 },
	{ 0x73, 7 },
	{ 0xfd, 8 },
	{ 0x1ffb, 13 },
	{ 0x7fff0, 19 },
	{ 0x1ffc, 13 },
	{ 0x3ffc, 14 },
	{ 0x22, 6 },
	{ 0x7ffd, 15 },
	{ 0x3, 5 },
	{ 0x23, 6 },
	{ 0x4, 5 },
	{ 0x24, 6 },
	{ 0x5, 5 },
	{ 0x25, 6 },
	{ 0x26, 6 },
	{ 0x27, 6 },
	{ 0x6, 5 },
	{ 0x74, 7 },
	{ 0x75, 7 },
	{ 0x28, 6 },
	{ 0x29, 6 },
	{ 0x2a, 6 },
	{ 0x7, 5 },
	{ 0x2b, 6 },
	{ 0x76, 7 },
	{ 0x2c, 6 },
	{ 0x8, 5 },
	{ 0x9, 5 },
	{ 0x2d, 6 },
	{ 0x77, 7 },
	{ 0x78, 7 },
	{ 0x79, 7 },
	{ 0x7a, 7 },
	{ 0x7b, 7 },
	{ 0x7ffe, 15 },
	{ 0x7fc, 11 },
	{ 0x3ffd, 14 },
	{ 0x1ffd, 13 },
	{ 0xffffffc, 28 },
	{ 0xfffe6, 20 },
	{ 0x3fffd2, 22 },
	{ 0xfffe7, 20 },
	{ 0xfffe8, 20 },
	{ 0x3fffd3, 22 },
	{ 0x3fffd4, 22 },
	{ 0x3fffd5, 22 },
	{ 0x7fffd9, 23 },
	{ 0x3fffd6, 22 },
	{ 0x7fffda, 23 },
	{ 0x7fffdb, 23 },
	{ 0x7fffdc, 23 },
	{ 0x7fffdd, 23 },
	{ 0x7fffde, 23 },
	{ 0xffffeb, 24 },
	{ 0x7fffdf, 23 },
	{ 0xffffec, 24 },
	{ 0xffffed, 24 },
	{ 0x3fffd7, 22 },
	{ 0x7fffe0, 23 },
	{ 0xffffee, 24 },
	{ 0x7fffe1, 23 },
	{ 0x7fffe2, 23 },
	{ 0x7fffe3, 23 },
	{ 0x7fffe4, 23 },
	{ 0x1fffdc, 21 },
	{ 0x3fffd8, 22 },
	{ 0x7fffe5, 23 },
	{ 0x3fffd9, 22 },
	{ 0x7fffe6, 23 },
	{ 0x7fffe7, 23 },
	{ 0xffffef, 24 },
	{ 0x3fffda, 22 },
	{ 0x1fffdd, 21 },
	{ 0xfffe9, 20 },
	{ 0x3fffdb, 22 },
	{ 0x3fffdc, 22 },
	{ 0x7fffe8, 23 },
	{ 0x7fffe9, 23 },
	{ 0x1fffde, 21 },
	{ 0x7fffea, 23 },
	{ 0x3fffdd, 22 },
	{ 0x3fffde, 22 },
	{ 0xfffff0, 24 },
	{ 0x1fffdf, 21 },
	{ 0x3fffdf, 22 },
	{ 0x7fffeb, 23 },
	{ 0x7fffec, 23 },
	{ 0x1fffe0, 21 },
	{ 0x1fffe1, 21 },
	{ 0x3fffe0, 22 },
	{ 0x1fffe2, 21 },
	{ 0x7fffed, 23 },
	{ 0x3fffe1, 22 },
	{ 0x7fffee, 23 },
	{ 0x7fffef, 23 },
	{ 0xfffea, 20 },
	{ 0x3fffe2, 22 },
	{ 0x3fffe3, 22 },
	{ 0x3fffe4, 22 },
	{ 0x7ffff0, 23 },
	{ 0x3fffe5, 22 },
	{ 0x3fffe6, 22 },
	{ 0x7ffff1, 23 },
	{ 0x3ffffe0, 26 },
	{ 0x3ffffe1, 26 },
	{ 0xfffeb, 20 },
	{ 0x7fff1, 19 },
	{ 0x3fffe7, 22 },
	{ 0x7ffff2, 23 },
	{ 0x3fffe8, 22 },
	{ 0x1ffffec, 25 },
	{ 0x3ffffe2, 26 },
	{ 0x3ffffe3, 26 },
	{ 0x3ffffe4, 26 },
	{ 0x7ffffde, 27 },
	{ 0x7ffffdf, 27 },
	{ 0x3ffffe5, 26 },
	{ 0xfffff1, 24 },
	{ 0x1ffffed, 25 },
	{ 0x7fff2, 19 },
	{ 0x1fffe3, 21 },
	{ 0x3ffffe6, 26 },
	{ 0x7ffffe0, 27 },
	{ 0x7ffffe1, 27 },
	{ 0x3ffffe7, 26 },
	{ 0x7ffffe2, 27 },
	{ 0xfffff2, 24 },
	{ 0x1fffe4, 21 },
	{ 0x1fffe5, 21 },
	{ 0x3ffffe8, 26 },
	{ 0x3ffffe9, 26 },
	{ 0xffffffd, 28 },
	{ 0x7ffffe3, 27 },
	{ 0x7ffffe4, 27 },
	{ 0x7ffffe5, 27 },
	{ 0xfffec, 20 },
	{ 0xfffff3, 24 },
	{ 0xfffed, 20 },
	{ 0x1fffe6, 21 },
	{ 0x3fffe9, 22 },
	{ 0x1fffe7, 21 },
	{ 0x1fffe8, 21 },
	{ 0x7ffff3, 23 },
	{ 0x3fffea, 22 },
	{ 0x3fffeb, 22 },
	{ 0x1ffffee, 25 },
	{ 0x1ffffef, 25 },
	{ 0xfffff4, 24 },
	{ 0xfffff5, 24 },
	{ 0x3ffffea, 26 },
	{ 0x7ffff4, 23 },
	{ 0x3ffffeb, 26 },
	{ 0x7ffffe6, 27 },
	{ 0x3ffffec, 26 },
	{ 0x3ffffed, 26 },
	{ 0x7ffffe7, 27 },
	{ 0x7ffffe8, 27 },
	{ 0x7ffffe9, 27 },
	{ 0x7ffffea, 27 },
	{ 0x7ffffeb, 27 },
	{ 0xffffffe, 28 },
	{ 0x7ffffec, 27 },
	{ 0x7ffffed, 27 },
	{ 0x7ffffee, 27 },
	{ 0x7ffffef, 27 },
	{ 0x7fffff0, 27 },
	{ 0x3ffffee, 26 },
	{ 0x3fffffff, 30 },
};

/* Canonical decoding: per code length, the first code, how many codes
 * have that length and where their symbols start in hpack_huff_sym. */
static const struct {
	uint32_t first;
	uint16_t count;
	uint16_t offset;
} hpack_huff_by_len[31] = {
	{ 0, 0, 0 },
	{ 0, 0, 0 },
	{ 0, 0, 0 },
	{ 0, 0, 0 },
	{ 0, 0, 0 },
	{ 0x0, 10, 0 },
	{ 0x14, 26, 10 },
	{ 0x5c, 32, 36 },
	{ 0xf8, 6, 68 },
	{ 0x0, 0, 74 },
	{ 0x3f8, 5, 74 },
	{ 0x7fa, 3, 79 },
	{ 0xffa, 2, 82 },
	{ 0x1ff8, 6, 84 },
	{ 0x3ffc, 2, 90 },
	{ 0x7ffc, 3, 92 },
	{ 0x0, 0, 95 },
	{ 0x0, 0, 95 },
	{ 0x0, 0, 95 },
	{ 0x7fff0, 3, 95 },
	{ 0xfffe6, 8, 98 },
	{ 0x1fffdc, 13, 106 },
	{ 0x3fffd2, 26, 119 },
	{ 0x7fffd8, 29, 145 },
	{ 0xffffea, 12, 174 },
	{ 0x1ffffec, 4, 186 },
	{ 0x3ffffe0, 15, 190 },
	{ 0x7ffffde, 19, 205 },
	{ 0xfffffe2, 29, 224 },
	{ 0x0, 0, 253 },
	{ 0x3ffffffc, 4, 253 },
};

static const uint16_t hpack_huff_sym[257] = {
	48,
	49,
	50,
	97,
	99,
	101,
	105,
	111,
	115,
	116,
	32,
	37,
	45,
	46,
	47,
	51,
	52,
	53,
	54,
	55,
	56,
	57,
	61,
	65,
	95,
	98,
	100,
	102,
	103,
	104,
	108,
	109,
	110,
	112,
	114,
	117,
	58,
	66,
	67,
	68,
	69,
	70,
	71,
	72,
	73,
	74,
	75,
	76,
	77,
	78,
	79,
	80,
	81,
	82,
	83,
	84,
	85,
	86,
	87,
	89,
	106,
	107,
	113,
	118,
	119,
	120,
	121,
	122,
	38,
	42,
	44,
	59,
	88,
	90,
	33,
	34,
	40,
	41,
	63,
	39,
	43,
	124,
	35,
	62,
	0,
	36,
	64,
	91,
	93,
	126,
	94,
	125,
	60,
	96,
	123,
	92,
	195,
	208,
	128,
	130,
	131,
	162,
	184,
	194,
	224,
	226,
	153,
	161,
	167,
	172,
	176,
	177,
	179,
	209,
	216,
	217,
	227,
	229,
	230,
	129,
	132,
	133,
	134,
	136,
	146,
	154,
	156,
	160,
	163,
	164,
	169,
	170,
	173,
	178,
	181,
	185,
	186,
	187,
	189,
	190,
	196,
	198,
	228,
	232,
	233,
	1,
	135,
	137,
	138,
	139,
	140,
	141,
	143,
	147,
	149,
	150,
	151,
	152,
	155,
	157,
	158,
	165,
	166,
	168,
	174,
	175,
	180,
	182,
	183,
	188,
	191,
	197,
	231,
	239,
	9,
	142,
	144,
	145,
	148,
	159,
	171,
	206,
	215,
	225,
	236,
	237,
	199,
	207,
	234,
	235,
	192,
	193,
	200,
	201,
	202,
	205,
	210,
	213,
	218,
	219,
	238,
	240,
	242,
	243,
	255,
	203,
	204,
	211,
	212,
	214,
	221,
	222,
	223,
	241,
	244,
	245,
	246,
	247,
	248,
	250,
	251,
	252,
	253,
	254,
	2,
	3,
	4,
	5,
	6,
	7,
	8,
	11,
	12,
	14,
	15,
	16,
	17,
	18,
	19,
	20,
	21,
	23,
	24,
	25,
	26,
	27,
	28,
	29,
	30,
	31,
	127,
	220,
	249,
	10,
	13,
	22,
	256,
};

/* RFC 7541 Appendix A; index i is hpack_static[i - 1]. */
static const struct {
	const char *name;
	const char *value;
} hpack_static[HPACK_STATIC_COUNT] = {
	{ ":authority", "" },
	{ ":method", "GET" },
	{ ":method", "POST" },
	{ ":path", "/" },
	{ ":path", "/index.html" },
	{ ":scheme", "http" },
	{ ":scheme", "https" },
	{ ":status", "200" },
	{ ":status", "204" },
	{ ":status", "206" },
	{ ":status", "304" },
	{ ":status", "400" },
	{ ":status", "404" },
	{ ":status", "500" },
	{ "accept-charset", "" },
	{ "accept-encoding", "gzip, deflate" },
	{ "accept-language", "" },
	{ "accept-ranges", "" },
	{ "accept", "" },
	{ "access-control-allow-origin", "" },
	{ "age", "" },
	{ "allow", "" },
	{ "authorization", "" },
	{ "cache-control", "" },
	{ "content-disposition", "" },
	{ "content-encoding", "" },
	{ "content-language", "" },
	{ "content-length", "" },
	{ "content-location", "" },
	{ "content-range", "" },
	{ "content-type", "" },
	{ "cookie", "" },
	{ "date", "" },
	{ "etag", "" },
	{ "expect", "" },
	{ "expires", "" },
	{ "from", "" },
	{ "host", "" },
	{ "if-match", "" },
	{ "if-modified-since", "" },
	{ "if-none-match", "" },
	{ "if-range", "" },
	{ "if-unmodified-since", "" },
	{ "last-modified", "" },
	{ "link", "" },
	{ "location", "" },
	{ "max-forwards", "" },
	{ "proxy-authenticate", "" },
	{ "proxy-authorization", "" },
	{ "range", "" },
	{ "referer", "" },
	{ "refresh", "" },
	{ "retry-after", "" },
	{ "server", "" },
	{ "set-cookie", "" },
	{ "strict-transport-security", "" },
	{ "transfer-encoding", "" },
	{ "user-agent", "" },
	{ "vary", "" },
	{ "via", "" },
	{ "www-authenticate", "" },
};

struct hpack_entry {
	size_t name_len;
	size_t value_len;
	unsigned char data[]; /* name then value */
};

static const char hpack_err_string_long[] = "string too long";
static const char hpack_err_list_large[] = "header list too large";

/* ------------------------------------------------------------------ */
/* Primitives */

int
hpack_int_decode(const unsigned char *p, size_t len, int n, uint32_t *value)
{
	uint32_t prefix_max;
	uint64_t v;
	size_t i;
	int shift;

	if (len == 0 || n < 1 || n > 8)
		return FAB_ERROR;
	prefix_max = (1u << n) - 1;
	v = p[0] & prefix_max;
	if (v < prefix_max) {
		*value = (uint32_t)v;
		return 1;
	}
	/* At most 5 continuation octets carry 35 bits, enough for 2^32-1. */
	for (i = 1, shift = 0; i < len && i <= 5; i++, shift += 7) {
		v += (uint64_t)(p[i] & 0x7f) << shift;
		if (v > UINT32_MAX)
			return FAB_ERROR;
		if ((p[i] & 0x80) == 0) {
			*value = (uint32_t)v;
			return (int)(i + 1);
		}
	}
	return FAB_ERROR;
}

int
hpack_int_encode(struct buf *out, uint32_t value, int n, unsigned first_bits)
{
	unsigned char tmp[6];
	uint32_t prefix_max;
	size_t k = 0;

	prefix_max = (1u << n) - 1;
	if (value < prefix_max) {
		tmp[k++] = (unsigned char)(first_bits | value);
	} else {
		tmp[k++] = (unsigned char)(first_bits | prefix_max);
		value -= prefix_max;
		while (value >= 128) {
			tmp[k++] = (unsigned char)((value & 0x7f) | 0x80);
			value >>= 7;
		}
		tmp[k++] = (unsigned char)value;
	}
	return buf_append(out, tmp, k);
}

size_t
hpack_huff_len(const unsigned char *s, size_t len)
{
	uint64_t bits = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bits += hpack_huff_code[s[i]].bits;
	return (size_t)((bits + 7) / 8);
}

int
hpack_huff_encode(struct buf *out, const unsigned char *s, size_t len)
{
	uint64_t acc = 0;
	unsigned char *w;
	size_t i, need;
	int n = 0;

	need = hpack_huff_len(s, len);
	if (buf_reserve(out, need) == -1)
		return -1;
	w = out->data + out->len;
	for (i = 0; i < len; i++) {
		acc = (acc << hpack_huff_code[s[i]].bits) |
		    hpack_huff_code[s[i]].code;
		n += hpack_huff_code[s[i]].bits;
		while (n >= 8) {
			n -= 8;
			*w++ = (unsigned char)(acc >> n);
		}
		acc &= ((uint64_t)1 << n) - 1;
	}
	/* Pad with the most significant bits of EOS, i.e. ones. */
	if (n > 0)
		*w++ = (unsigned char)((acc << (8 - n)) | (0xffu >> n));
	out->len += need;
	out->data[out->len] = '\0';
	return 0;
}

int
hpack_huff_decode(struct buf *out, const unsigned char *p, size_t len,
    size_t max, const char **err)
{
	uint32_t code = 0, rel;
	size_t i, produced = 0, cap;
	unsigned char *w;
	int bit, nbits = 0;
	unsigned sym;

	/* Each symbol takes at least 5 bits, which bounds the output. */
	cap = len / 5 * 8 + 8;
	if (cap > max)
		cap = max;
	if (buf_reserve(out, cap) == -1) {
		*err = "out of memory";
		return FAB_ERROR;
	}
	w = out->data + out->len;
	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			code = (code << 1) | ((p[i] >> bit) & 1);
			nbits++;
			if (nbits < 5)
				continue;
			if (nbits > 30) {
				*err = "invalid Huffman code";
				return FAB_ERROR;
			}
			rel = code - hpack_huff_by_len[nbits].first;
			if (code < hpack_huff_by_len[nbits].first ||
			    rel >= hpack_huff_by_len[nbits].count)
				continue;
			sym = hpack_huff_sym[hpack_huff_by_len[nbits].offset +
			    rel];
			if (sym == 256) {
				*err = "EOS in Huffman string";
				return FAB_ERROR;
			}
			if (produced == cap) {
				*err = hpack_err_string_long;
				return FAB_ERROR;
			}
			w[produced++] = (unsigned char)sym;
			code = 0;
			nbits = 0;
		}
	}
	if (nbits > 7) {
		*err = "Huffman padding longer than 7 bits";
		return FAB_ERROR;
	}
	if (code != (1u << nbits) - 1) {
		*err = "Huffman padding not all ones";
		return FAB_ERROR;
	}
	out->len += produced;
	out->data[out->len] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dynamic table */

static void
table_init(struct hpack_table *t, size_t max)
{
	t->ring = NULL;
	t->cap = 0;
	t->head = 0;
	t->count = 0;
	t->size = 0;
	t->max = max;
}

/* i = 0 is the newest entry. */
static struct hpack_entry *
table_at(const struct hpack_table *t, size_t i)
{
	return t->ring[(t->head + t->cap - i) % t->cap];
}

static size_t
entry_size(const struct hpack_entry *e)
{
	return e->name_len + e->value_len + HPACK_ENTRY_OVERHEAD;
}

static void
table_evict(struct hpack_table *t, size_t target)
{
	struct hpack_entry *e;

	while (t->count > 0 && t->size > target) {
		e = table_at(t, t->count - 1);
		t->size -= entry_size(e);
		t->count--;
		free(e);
	}
}

static void
table_release(struct hpack_table *t)
{
	table_evict(t, 0);
	free(t->ring);
	table_init(t, t->max);
}

static int
table_insert(struct hpack_table *t, const unsigned char *name, size_t nlen,
    const unsigned char *value, size_t vlen)
{
	struct hpack_entry *e, **nring;
	size_t esize, ncap, i;

	esize = nlen + vlen + HPACK_ENTRY_OVERHEAD;
	if (esize > t->max) {
		/* RFC 7541 §4.4: empties the table, not an error. */
		table_evict(t, 0);
		return 0;
	}
	/* Copy first: name may live in an entry about to be evicted. */
	if ((e = malloc(sizeof(*e) + nlen + vlen)) == NULL)
		return -1;
	e->name_len = nlen;
	e->value_len = vlen;
	if (nlen > 0)
		memcpy(e->data, name, nlen);
	if (vlen > 0)
		memcpy(e->data + nlen, value, vlen);
	table_evict(t, t->max - esize);
	if (t->count == t->cap) {
		ncap = t->cap == 0 ? 16 : t->cap * 2;
		if ((nring = malloc(ncap * sizeof(*nring))) == NULL) {
			free(e);
			return -1;
		}
		for (i = 0; i < t->count; i++)
			nring[t->count - 1 - i] = table_at(t, i);
		free(t->ring);
		t->ring = nring;
		t->cap = ncap;
		t->head = t->count == 0 ? ncap - 1 : t->count - 1;
	}
	t->head = (t->head + 1) % t->cap;
	t->ring[t->head] = e;
	t->count++;
	t->size += esize;
	return 0;
}

static void
table_set_max(struct hpack_table *t, size_t max)
{
	t->max = max;
	table_evict(t, max);
}

int
hpack_table_get(const struct hpack_table *t, size_t index, struct span *name,
    struct span *value)
{
	struct hpack_entry *e;

	if (index <= HPACK_STATIC_COUNT ||
	    index - HPACK_STATIC_COUNT > t->count)
		return -1;
	e = table_at(t, index - HPACK_STATIC_COUNT - 1);
	*name = span_make(e->data, e->name_len);
	*value = span_make(e->data + e->name_len, e->value_len);
	return 0;
}

/* Any index 1..61+count. */
static int
lookup(const struct hpack_table *t, uint32_t index, struct span *name,
    struct span *value)
{
	if (index == 0)
		return -1;
	if (index <= HPACK_STATIC_COUNT) {
		*name = span_str(hpack_static[index - 1].name);
		*value = span_str(hpack_static[index - 1].value);
		return 0;
	}
	return hpack_table_get(t, index, name, value);
}

/* ------------------------------------------------------------------ */
/* Decoder */

void
hpack_decoder_init(struct hpack_decoder *d, uint32_t table_size)
{
	if (table_size > HPACK_MAX_TABLE_SIZE)
		table_size = HPACK_MAX_TABLE_SIZE;
	table_init(&d->table, table_size);
	d->settings_max = table_size;
	d->required_max = table_size;
	d->need_update = 0;
	d->max_header_list = HPACK_MAX_HEADER_LIST;
	d->max_fields = HPACK_MAX_FIELDS;
	buf_init(&d->scratch);
}

void
hpack_decoder_release(struct hpack_decoder *d)
{
	table_release(&d->table);
	buf_release(&d->scratch);
}

void
hpack_decoder_set_limits(
    struct hpack_decoder *d, size_t max_header_list, size_t max_fields)
{
	if (max_header_list > 0)
		d->max_header_list = max_header_list > HPACK_MAX_HEADER_LIST
		    ? HPACK_MAX_HEADER_LIST
		    : max_header_list;
	if (max_fields > 0)
		d->max_fields = max_fields > HPACK_MAX_FIELDS ? HPACK_MAX_FIELDS
							      : max_fields;
}

void
hpack_decoder_set_max_table(struct hpack_decoder *d, uint32_t max)
{
	if (max > HPACK_MAX_TABLE_SIZE)
		max = HPACK_MAX_TABLE_SIZE;
	d->settings_max = max;
	if (max < d->table.max) {
		if (!d->need_update || max < d->required_max)
			d->required_max = max;
		d->need_update = 1;
		table_set_max(&d->table, max);
	}
}

/* Decodes a string literal at p[*pos]; raw strings stay in the input,
 * Huffman ones are appended to the scratch buffer (*off says where).
 * budget bounds the decoded length for the header-list limit. */
static int
read_string(struct hpack_decoder *d, const unsigned char *p, size_t len,
    size_t *pos, size_t budget, struct span *s, size_t *off, const char **err)
{
	uint32_t slen;
	size_t lim, before;
	int n, huff;

	huff = (p[*pos] & 0x80) != 0;
	if ((n = hpack_int_decode(p + *pos, len - *pos, 7, &slen)) < 0) {
		*err = "bad string length";
		return FAB_ERROR;
	}
	*pos += (size_t)n;
	if (slen > len - *pos) {
		*err = "truncated string";
		return FAB_ERROR;
	}
	lim = budget < HPACK_MAX_STRING ? budget : HPACK_MAX_STRING;
	if (!huff) {
		if (slen > lim) {
			*err = slen > HPACK_MAX_STRING ? hpack_err_string_long
						       : hpack_err_list_large;
			return FAB_ERROR;
		}
		*s = span_make(p + *pos, slen);
		*off = SIZE_MAX;
	} else {
		before = d->scratch.len;
		if (hpack_huff_decode(&d->scratch, p + *pos, slen, lim, err) <
		    0) {
			if (*err == hpack_err_string_long &&
			    lim < HPACK_MAX_STRING)
				*err = hpack_err_list_large;
			return FAB_ERROR;
		}
		*off = before;
		s->len = d->scratch.len - before;
		s->p = NULL;
	}
	*pos += slen;
	return 0;
}

static int
emit(struct hpack_decoder *d, struct hpack_field *f, size_t *total,
    size_t *nfields, hpack_field_cb *cb, void *arg, const char **err)
{
	size_t cost;

	cost = f->name.len + f->value.len + HPACK_ENTRY_OVERHEAD;
	if (cost > d->max_header_list - *total) {
		*err = hpack_err_list_large;
		return FAB_ERROR;
	}
	if (*nfields >= d->max_fields) {
		*err = "too many header fields";
		return FAB_ERROR;
	}
	*total += cost;
	(*nfields)++;
	if (cb(arg, f) != 0) {
		*err = "header field rejected";
		return FAB_ERROR;
	}
	return 0;
}

static int
decode_literal(struct hpack_decoder *d, const unsigned char *p, size_t len,
    size_t *pos, size_t total, struct hpack_field *f, int nbits,
    const char **err)
{
	struct span ignored;
	size_t noff = SIZE_MAX, voff = SIZE_MAX, budget;
	uint32_t index;
	int n;

	if ((n = hpack_int_decode(p + *pos, len - *pos, nbits, &index)) < 0) {
		*err = "bad index";
		return FAB_ERROR;
	}
	*pos += (size_t)n;
	if (*pos >= len) {
		*err = "truncated field";
		return FAB_ERROR;
	}
	budget = d->max_header_list - total;
	if (budget < HPACK_ENTRY_OVERHEAD) {
		*err = hpack_err_list_large;
		return FAB_ERROR;
	}
	budget -= HPACK_ENTRY_OVERHEAD;
	buf_reset(&d->scratch);
	if (index == 0) {
		if (read_string(d, p, len, pos, budget, &f->name, &noff, err) <
		    0)
			return FAB_ERROR;
	} else if (lookup(&d->table, index, &f->name, &ignored) == -1) {
		*err = "field index out of range";
		return FAB_ERROR;
	}
	if (f->name.len > budget) {
		*err = hpack_err_list_large;
		return FAB_ERROR;
	}
	budget -= f->name.len;
	if (*pos >= len) {
		*err = "truncated field";
		return FAB_ERROR;
	}
	if (read_string(d, p, len, pos, budget, &f->value, &voff, err) < 0)
		return FAB_ERROR;
	/* Scratch may have moved while the value was decoded. */
	if (noff != SIZE_MAX)
		f->name.p = d->scratch.data + noff;
	if (voff != SIZE_MAX)
		f->value.p = d->scratch.data + voff;
	return 0;
}

int
hpack_decode(struct hpack_decoder *d, const unsigned char *p, size_t len,
    hpack_field_cb *cb, void *arg, const char **err)
{
	struct hpack_field f;
	size_t pos = 0, total = 0, nfields = 0;
	uint32_t v;
	int n, at_start = 1, index_it;
	unsigned char b;

	while (pos < len) {
		b = p[pos];
		f.flags = 0;
		if ((b & 0xe0) == 0x20) {
			/* Dynamic table size update (§6.3, §4.2). */
			if (!at_start) {
				*err = "table size update not at block start";
				return FAB_ERROR;
			}
			n = hpack_int_decode(p + pos, len - pos, 5, &v);
			if (n < 0) {
				*err = "bad table size update";
				return FAB_ERROR;
			}
			pos += (size_t)n;
			if (v > d->settings_max ||
			    (d->need_update && v > d->required_max)) {
				*err = "table size update above the limit";
				return FAB_ERROR;
			}
			d->need_update = 0;
			table_set_max(&d->table, v);
			continue;
		}
		if (d->need_update) {
			*err = "missing table size update";
			return FAB_ERROR;
		}
		at_start = 0;
		if (b & 0x80) {
			/* Indexed field (§6.1). */
			n = hpack_int_decode(p + pos, len - pos, 7, &v);
			if (n < 0) {
				*err = "bad index";
				return FAB_ERROR;
			}
			pos += (size_t)n;
			if (lookup(&d->table, v, &f.name, &f.value) == -1) {
				*err = v == 0 ? "index 0"
					      : "field index out of range";
				return FAB_ERROR;
			}
			if (emit(d, &f, &total, &nfields, cb, arg, err) < 0)
				return FAB_ERROR;
			continue;
		}
		index_it = (b & 0xc0) == 0x40;
		if ((b & 0xf0) == 0x10)
			f.flags = HPACK_NEVER_INDEXED;
		if (decode_literal(
			d, p, len, &pos, total, &f, index_it ? 6 : 4, err) < 0)
			return FAB_ERROR;
		if (emit(d, &f, &total, &nfields, cb, arg, err) < 0)
			return FAB_ERROR;
		if (index_it &&
		    table_insert(&d->table, f.name.p, f.name.len, f.value.p,
			f.value.len) == -1) {
			*err = "out of memory";
			return FAB_ERROR;
		}
	}
	if (d->need_update) {
		*err = "missing table size update";
		return FAB_ERROR;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Header lists */

void
hpack_list_init(struct hpack_list *l)
{
	l->fields = NULL;
	l->count = 0;
	l->cap = 0;
	l->offsets = NULL;
	buf_init(&l->store);
}

void
hpack_list_release(struct hpack_list *l)
{
	free(l->fields);
	free(l->offsets);
	buf_release(&l->store);
	hpack_list_init(l);
}

void
hpack_list_reset(struct hpack_list *l)
{
	l->count = 0;
	buf_reset(&l->store);
}

int
hpack_list_add(struct hpack_list *l, const struct hpack_field *f)
{
	struct hpack_field *nf;
	size_t *no, ncap, i, noff, voff;
	const unsigned char *base;

	if (l->count == l->cap) {
		ncap = l->cap == 0 ? 16 : l->cap * 2;
		if ((nf = realloc(l->fields, ncap * sizeof(*nf))) == NULL)
			return -1;
		l->fields = nf;
		if ((no = realloc(l->offsets, 2 * ncap * sizeof(*no))) == NULL)
			return -1;
		l->offsets = no;
		l->cap = ncap;
	}
	base = l->store.data;
	noff = l->store.len;
	if (buf_append(&l->store, f->name.p, f->name.len) == -1 ||
	    buf_putc(&l->store, 0) == -1)
		return -1;
	voff = l->store.len;
	if (buf_append(&l->store, f->value.p, f->value.len) == -1 ||
	    buf_putc(&l->store, 0) == -1)
		return -1;
	l->offsets[2 * l->count] = noff;
	l->offsets[2 * l->count + 1] = voff;
	l->fields[l->count] = *f;
	l->count++;
	/* Re-point every span when the store moved (offsets, not the old
	 * pointer, so nothing reads freed memory). */
	for (i = base == l->store.data ? l->count - 1 : 0; i < l->count; i++) {
		l->fields[i].name.p = l->store.data + l->offsets[2 * i];
		l->fields[i].value.p = l->store.data + l->offsets[2 * i + 1];
	}
	return 0;
}

const struct hpack_field *
hpack_list_get(const struct hpack_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (span_eq_str(l->fields[i].name, name))
			return &l->fields[i];
	return NULL;
}

static int
list_cb(void *arg, const struct hpack_field *f)
{
	return hpack_list_add(arg, f);
}

int
hpack_decode_list(struct hpack_decoder *d, const unsigned char *p, size_t len,
    struct hpack_list *l, const char **err)
{
	hpack_list_reset(l);
	return hpack_decode(d, p, len, list_cb, l, err);
}

/* ------------------------------------------------------------------ */
/* Encoder */

void
hpack_encoder_init(struct hpack_encoder *e, uint32_t table_size)
{
	/* The peer's decoder assumes a table of table_size until told
	 * otherwise: using less must be announced in the first block. */
	e->pending = table_size > HPACK_ENCODER_TABLE_SIZE;
	if (table_size > HPACK_ENCODER_TABLE_SIZE)
		table_size = HPACK_ENCODER_TABLE_SIZE;
	table_init(&e->table, table_size);
	e->min_pending = table_size;
}

void
hpack_encoder_release(struct hpack_encoder *e)
{
	table_release(&e->table);
}

void
hpack_encoder_set_max(struct hpack_encoder *e, uint32_t max)
{
	if (max > HPACK_ENCODER_TABLE_SIZE)
		max = HPACK_ENCODER_TABLE_SIZE;
	if (max == e->table.max && !e->pending)
		return;
	if (!e->pending || max < e->min_pending)
		e->min_pending = max;
	e->pending = 1;
	table_set_max(&e->table, max);
}

static int
encode_string(struct buf *out, struct span s, unsigned flags)
{
	size_t hlen;

	if (s.len > HPACK_MAX_STRING)
		return -1;
	if ((flags & HPACK_NO_HUFFMAN) == 0 &&
	    (hlen = hpack_huff_len(s.p, s.len)) <= s.len) {
		if (hpack_int_encode(out, (uint32_t)hlen, 7, 0x80) == -1)
			return -1;
		return hpack_huff_encode(out, s.p, s.len);
	}
	if (hpack_int_encode(out, (uint32_t)s.len, 7, 0) == -1)
		return -1;
	return buf_append(out, s.p, s.len);
}

/* Finds the best index: *exact = 1 for a name+value match.  Static
 * entries are preferred, as their indices are smaller. */
static uint32_t
encoder_find(const struct hpack_encoder *e, struct span name, struct span value,
    int *exact)
{
	struct hpack_entry *ent;
	uint32_t name_idx = 0;
	size_t i;

	*exact = 0;
	for (i = 0; i < HPACK_STATIC_COUNT; i++) {
		if (!span_eq_str(name, hpack_static[i].name))
			continue;
		if (span_eq_str(value, hpack_static[i].value)) {
			*exact = 1;
			return (uint32_t)(i + 1);
		}
		if (name_idx == 0)
			name_idx = (uint32_t)(i + 1);
	}
	for (i = 0; i < e->table.count; i++) {
		ent = table_at(&e->table, i);
		if (ent->name_len != name.len ||
		    (name.len > 0 && memcmp(ent->data, name.p, name.len) != 0))
			continue;
		if (ent->value_len == value.len &&
		    (value.len == 0 ||
			memcmp(ent->data + ent->name_len, value.p, value.len) ==
			    0)) {
			*exact = 1;
			return (uint32_t)(i + HPACK_STATIC_COUNT + 1);
		}
		if (name_idx == 0)
			name_idx = (uint32_t)(i + HPACK_STATIC_COUNT + 1);
	}
	return name_idx;
}

int
hpack_encode_begin(struct hpack_encoder *e, struct buf *out)
{
	if (!e->pending)
		return 0;
	if (e->min_pending < e->table.max &&
	    hpack_int_encode(out, e->min_pending, 5, 0x20) == -1)
		return -1;
	if (hpack_int_encode(out, (uint32_t)e->table.max, 5, 0x20) == -1)
		return -1;
	e->pending = 0;
	return 0;
}

int
hpack_encode_field(struct hpack_encoder *e, struct buf *out, struct span name,
    struct span value, unsigned flags)
{
	uint32_t idx;
	unsigned first;
	int exact, nbits, index_it = 0;

	if (name.len > HPACK_MAX_STRING || value.len > HPACK_MAX_STRING)
		return -1;
	if (hpack_encode_begin(e, out) == -1)
		return -1;
	idx = encoder_find(e, name, value, &exact);
	if (exact && (flags & HPACK_NEVER_INDEXED) == 0)
		return hpack_int_encode(out, idx, 7, 0x80);
	if (flags & HPACK_NEVER_INDEXED) {
		first = 0x10;
		nbits = 4;
	} else if ((flags & HPACK_NO_INDEX) != 0 ||
	    name.len + value.len + HPACK_ENTRY_OVERHEAD > e->table.max) {
		first = 0x00;
		nbits = 4;
	} else {
		first = 0x40;
		nbits = 6;
		index_it = 1;
	}
	if (hpack_int_encode(out, idx, nbits, first) == -1)
		return -1;
	if (idx == 0 && encode_string(out, name, flags) == -1)
		return -1;
	if (encode_string(out, value, flags) == -1)
		return -1;
	if (index_it)
		return table_insert(
		    &e->table, name.p, name.len, value.p, value.len);
	return 0;
}

int
hpack_encode_list(struct hpack_encoder *e, struct buf *out,
    const struct hpack_field *fields, size_t n)
{
	size_t i;

	if (hpack_encode_begin(e, out) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (hpack_encode_field(e, out, fields[i].name, fields[i].value,
			fields[i].flags) == -1)
			return -1;
	return 0;
}
