/*
 * Unit tests for http/hpack: RFC 7541 Appendix C (decoder and encoder),
 * the static and Huffman tables, random round trips, malformed blocks and
 * the limits (HPACK bomb, field count, string length, table size).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/hex.h"
#include "http/hpack.h"
#include "tap.h"

int main(void);

/* Reads t/data/hpack/<name> into a NUL-terminated malloc'd string. */
static char *
slurp(const char *name)
{
	char path[1024];
	struct buf b;
	FILE *f;
	size_t n;
	char tmp[4096];

	snprintf(path, sizeof(path), "%s/data/hpack/%s", tap_tdir(), name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_append(&b, tmp, n) == -1)
			break;
	fclose(f);
	return buf_detach(&b, &n);
}

/* Appends the hex digits of s (spaces ignored) as bytes; -1 if odd. */
static int
hex_to_buf(struct buf *out, const char *s)
{
	char pair[2];
	unsigned char byte;
	int have = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n')
			continue;
		pair[have++] = *s;
		if (have == 2) {
			if (hex_decode(&byte, pair, 1) == -1 ||
			    buf_putc(out, byte) == -1)
				return -1;
			have = 0;
		}
	}
	return have == 0 ? 0 : -1;
}

static struct buf *
unhex(struct buf *b, const char *s)
{
	buf_reset(b);
	if (hex_to_buf(b, s) == -1)
		diag("bad hex in test: %s", s);
	return b;
}

/* ------------------------------------------------------------------ */
/* Appendix C */

struct vcase {
	char title[128];
	char seq[32];
	unsigned table_size;
	struct buf block;
	struct hpack_list want;
	char dyn[16][160]; /* "[62] (s = 57) name: value" */
	int ndyn;
	long dyn_size;
	int int_bits;
	unsigned long int_value;
};

static void
vcase_reset(struct vcase *c)
{
	c->title[0] = '\0';
	c->seq[0] = '\0';
	c->table_size = 4096;
	buf_reset(&c->block);
	hpack_list_reset(&c->want);
	c->ndyn = 0;
	c->dyn_size = -1;
	c->int_bits = 0;
	c->int_value = 0;
}

static void
check_int_case(struct vcase *c)
{
	struct buf out;
	uint32_t v = 0;

	buf_init(&out);
	is_int(hpack_int_decode(c->block.data, c->block.len, c->int_bits, &v),
	    c->block.len, "int decode length");
	is_int(v, c->int_value, c->title);
	ok(hpack_int_encode(&out, (uint32_t)c->int_value, c->int_bits, 0) == 0,
	    "int encode");
	is_mem(out.data, out.len, c->block.data, c->block.len, c->title);
	buf_release(&out);
}

struct seqstate {
	char name[32];
	struct hpack_decoder dec;
	struct hpack_encoder enc;
	int live;
};

static void
check_block_case(struct vcase *c, struct seqstate *s)
{
	struct hpack_list got;
	struct span n, v;
	struct buf enc;
	const char *err = NULL;
	char line[200];
	size_t i;
	int r, huff, good;

	if (!s->live || strcmp(s->name, c->seq) != 0) {
		if (s->live) {
			hpack_decoder_release(&s->dec);
			hpack_encoder_release(&s->enc);
		}
		hpack_decoder_init(&s->dec, c->table_size);
		hpack_encoder_init(&s->enc, c->table_size);
		snprintf(s->name, sizeof(s->name), "%s", c->seq);
		s->live = 1;
	}
	hpack_list_init(&got);
	r = hpack_decode_list(&s->dec, c->block.data, c->block.len, &got, &err);
	is_int(r, 0, c->title);
	if (r != 0)
		diag("error: %s", err);
	is_int(got.count, c->want.count, "field count");
	good = got.count == c->want.count;
	for (i = 0; good && i < got.count; i++)
		good = span_eq(got.fields[i].name, c->want.fields[i].name) &&
		    span_eq(got.fields[i].value, c->want.fields[i].value) &&
		    got.fields[i].flags == c->want.fields[i].flags;
	ok(good, "%s: header list and sensitive flags", c->title);
	is_int(s->dec.table.count, c->ndyn, "dynamic table entries");
	if (c->dyn_size >= 0)
		is_int(s->dec.table.size, c->dyn_size, "dynamic table size");
	good = 1;
	for (i = 0; i < (size_t)c->ndyn; i++) {
		if (hpack_table_get(&s->dec.table, 62 + i, &n, &v) == -1) {
			good = 0;
			break;
		}
		snprintf(line, sizeof(line), "[%zu] (s = %zu) %.*s: %.*s",
		    62 + i, n.len + v.len + 32, (int)n.len, (const char *)n.p,
		    (int)v.len, (const char *)v.p);
		if (strcmp(line, c->dyn[i]) != 0) {
			diag("got %s, want %s", line, c->dyn[i]);
			good = 0;
		}
	}
	ok(good, "%s: dynamic table contents", c->title);
	ok(hpack_table_get(&s->dec.table, 62 + c->ndyn, &n, &v) == -1,
	    "no entry past the table");

	/* The encoder policy reproduces every example byte for byte. */
	huff = strcmp(c->seq, "c4") == 0 || strcmp(c->seq, "c6") == 0;
	buf_init(&enc);
	good = 1;
	for (i = 0; i < c->want.count && good; i++) {
		unsigned fl = c->want.fields[i].flags;

		if (!huff)
			fl |= HPACK_NO_HUFFMAN;
		if (strstr(c->title, "without Indexing") != NULL)
			fl |= HPACK_NO_INDEX;
		good = hpack_encode_field(&s->enc, &enc, c->want.fields[i].name,
			   c->want.fields[i].value, fl) == 0;
	}
	ok(good, "encode %s", c->title);
	is_mem(enc.data, enc.len, c->block.data, c->block.len,
	    "encoder reproduces the block");
	is_int(
	    s->enc.table.size, s->dec.table.size, "encoder table size matches");
	buf_release(&enc);
	hpack_list_release(&got);
}

static void
test_appendix_c(void)
{
	struct seqstate s;
	struct vcase c;
	struct hpack_field f;
	struct buf hexacc, tmp, out;
	char *text, *line, *next, *colon;
	const char *err;
	int in_hex = 0, ncases = 0, nhuff = 0;

	memset(&s, 0, sizeof(s));
	buf_init(&c.block);
	buf_init(&hexacc);
	buf_init(&tmp);
	buf_init(&out);
	hpack_list_init(&c.want);
	vcase_reset(&c);
	if ((text = slurp("rfc7541-appendix-c.txt")) == NULL) {
		ok(0, "read rfc7541-appendix-c.txt");
		return;
	}
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (in_hex && (line[0] == ' ' || line[0] == '\t')) {
			buf_append_str(&hexacc, line) == 0 ? (void)0 : abort();
			continue;
		}
		if (in_hex) {
			in_hex = 0;
			if (hex_to_buf(&c.block, buf_cstr(&hexacc)) == -1)
				ok(0, "hex of %s", c.title);
		}
		if (line[0] == '\0' || line[0] == '#') {
			if (c.title[0] == '\0')
				continue;
			if (c.int_bits > 0)
				check_int_case(&c);
			else
				check_block_case(&c, &s);
			ncases++;
			vcase_reset(&c);
			continue;
		}
		if (strncmp(line, "case: ", 6) == 0) {
			snprintf(c.title, sizeof(c.title), "%s", line + 6);
		} else if (strncmp(line, "table-size: ", 12) == 0) {
			c.table_size = (unsigned)atoi(line + 12);
		} else if (strncmp(line, "sequence: ", 10) == 0) {
			snprintf(c.seq, sizeof(c.seq), "%s", line + 10);
		} else if (strncmp(line, "hex: ", 5) == 0 ||
		    strncmp(line, "int-hex: ", 9) == 0) {
			buf_reset(&hexacc);
			if (buf_append_str(&hexacc, strchr(line, ' ') + 1) ==
			    -1)
				abort();
			in_hex = 1;
		} else if (strncmp(line, "int-prefix-bits: ", 17) == 0) {
			c.int_bits = atoi(line + 17);
		} else if (strncmp(line, "int-value: ", 11) == 0) {
			c.int_value = strtoul(line + 11, NULL, 10);
		} else if (strncmp(line, "header: ", 8) == 0) {
			/* Names may start with ':', so split at ": ". */
			colon = strstr(line + 9, ": ");
			f.name =
			    span_make(line + 8, (size_t)(colon - line - 8));
			f.value = span_str(colon + 2);
			f.flags = 0;
			if (hpack_list_add(&c.want, &f) == -1)
				abort();
		} else if (strncmp(line, "sensitive: ", 11) == 0) {
			size_t i;

			for (i = 0; i < c.want.count; i++)
				if (span_eq_str(
					c.want.fields[i].name, line + 11))
					c.want.fields[i].flags |=
					    HPACK_NEVER_INDEXED;
		} else if (strncmp(line, "dyn: ", 5) == 0 && c.ndyn < 16) {
			snprintf(
			    c.dyn[c.ndyn++], sizeof(c.dyn[0]), "%s", line + 5);
		} else if (strncmp(line, "dyn-size: ", 10) == 0) {
			c.dyn_size = atol(line + 10);
		} else if (strncmp(line, "huff: ", 6) == 0) {
			char *arrow = strstr(line, " => ");

			*arrow = '\0';
			unhex(&tmp, arrow + 4);
			buf_reset(&out);
			ok(hpack_huff_encode(&out, (unsigned char *)line + 6,
			       strlen(line + 6)) == 0,
			    "huffman encode");
			is_mem(out.data, out.len, tmp.data, tmp.len, line + 6);
			is_int(hpack_huff_len(
				   (unsigned char *)line + 6, strlen(line + 6)),
			    tmp.len, "huffman length");
			buf_reset(&out);
			is_int(hpack_huff_decode(
				   &out, tmp.data, tmp.len, 1000, &err),
			    0, "huffman decode");
			is_str(
			    buf_cstr(&out), line + 6, "huffman decode value");
			nhuff++;
		}
	}
	if (c.title[0] != '\0') {
		check_block_case(&c, &s);
		ncases++;
	}
	is_int(ncases, 3 + 4 + 3 * 4, "every Appendix C case was run");
	is_int(nhuff, 12, "every Huffman string was run");
	if (s.live) {
		hpack_decoder_release(&s.dec);
		hpack_encoder_release(&s.enc);
	}
	free(text);
	buf_release(&c.block);
	buf_release(&hexacc);
	buf_release(&tmp);
	buf_release(&out);
	hpack_list_release(&c.want);
}

/* ------------------------------------------------------------------ */
/* Tables */

static void
test_static_table(void)
{
	struct hpack_decoder d;
	struct hpack_list l;
	char *text, *line, *next, *t1, *t2;
	unsigned char b;
	const char *err;
	int n = 0, good = 1;

	if ((text = slurp("static-table.txt")) == NULL) {
		ok(0, "read static-table.txt");
		return;
	}
	hpack_decoder_init(&d, 4096);
	hpack_list_init(&l);
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		t1 = strchr(line, '\t');
		t2 = strchr(t1 + 1, '\t');
		*t1 = *t2 = '\0';
		b = (unsigned char)(0x80 | atoi(line));
		if (hpack_decode_list(&d, &b, 1, &l, &err) != 0 ||
		    l.count != 1 || !span_eq_str(l.fields[0].name, t1 + 1) ||
		    !span_eq_str(l.fields[0].value, t2 + 1)) {
			diag("static entry %s differs", line);
			good = 0;
		}
		n++;
	}
	is_int(n, HPACK_STATIC_COUNT, "static table file has 61 entries");
	ok(good, "static table matches Appendix A");
	b = 0x80 | 62;
	ok(hpack_decode_list(&d, &b, 1, &l, &err) == FAB_ERROR,
	    "index 62 with an empty dynamic table is rejected");
	hpack_list_release(&l);
	hpack_decoder_release(&d);
	free(text);
}

static void
test_huffman_table(void)
{
	struct buf out, dec, want;
	unsigned char sym, all[256];
	unsigned long code;
	char *text, *line, *next, *p;
	const char *err;
	int bits, s, n = 0, good = 1, i;

	if ((text = slurp("huffman-table.txt")) == NULL) {
		ok(0, "read huffman-table.txt");
		return;
	}
	buf_init(&out);
	buf_init(&dec);
	buf_init(&want);
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		s = (int)strtol(line, &p, 10);
		code = strtoul(p + 1, &p, 16);
		bits = (int)strtol(p + 1, NULL, 10);
		n++;
		if (s == 256) {
			ok(code == 0x3fffffff && bits == 30, "EOS entry");
			continue;
		}
		/* Expected: the code then ones up to the octet boundary. */
		buf_reset(&want);
		{
			unsigned long long v = code;
			int total = bits, pad = (8 - bits % 8) % 8, k;

			v = (v << pad) | ((1ull << pad) - 1);
			total += pad;
			for (k = total - 8; k >= 0; k -= 8)
				if (buf_putc(&want, (int)((v >> k) & 0xff)) ==
				    -1)
					abort();
		}
		sym = (unsigned char)s;
		buf_reset(&out);
		buf_reset(&dec);
		if (hpack_huff_encode(&out, &sym, 1) != 0 ||
		    out.len != want.len ||
		    memcmp(out.data, want.data, want.len) != 0 ||
		    hpack_huff_decode(&dec, out.data, out.len, 10, &err) != 0 ||
		    dec.len != 1 || dec.data[0] != sym) {
			diag("symbol %d differs", s);
			good = 0;
		}
	}
	is_int(n, 257, "huffman table file has 257 symbols");
	ok(good, "every symbol encodes to its Appendix B code and back");
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	buf_reset(&out);
	buf_reset(&dec);
	ok(hpack_huff_encode(&out, all, 256) == 0 &&
		hpack_huff_decode(&dec, out.data, out.len, 256, &err) == 0 &&
		dec.len == 256 && memcmp(dec.data, all, 256) == 0,
	    "all 256 octets in one string round trip");
	buf_reset(&dec);
	ok(hpack_huff_decode(&dec, out.data, out.len, 255, &err) == FAB_ERROR,
	    "decoded length above max is rejected");
	buf_release(&out);
	buf_release(&dec);
	buf_release(&want);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Malformed input */

static int
expect_fail(const char *hex, const char *why, const char *want)
{
	struct hpack_decoder d;
	struct hpack_list l;
	struct buf b;
	const char *err = NULL;
	int r;

	buf_init(&b);
	hpack_decoder_init(&d, 4096);
	hpack_list_init(&l);
	unhex(&b, hex);
	r = hpack_decode_list(&d, b.data, b.len, &l, &err);
	ok(r == FAB_ERROR && err != NULL && strcmp(err, want) == 0,
	    "rejected: %s (%s)", why, err != NULL ? err : "no error");
	hpack_list_release(&l);
	hpack_decoder_release(&d);
	buf_release(&b);
	return r;
}

static void
test_malformed(void)
{
	struct buf b, out;
	uint32_t v;
	const char *err;

	buf_init(&b);
	buf_init(&out);
	/* Integers. */
	ok(hpack_int_decode(unhex(&b, "1f")->data, 1, 5, &v) == FAB_ERROR,
	    "integer truncated after the prefix");
	ok(hpack_int_decode(unhex(&b, "1fff")->data, 2, 5, &v) == FAB_ERROR,
	    "integer truncated in a continuation");
	ok(hpack_int_decode(unhex(&b, "1fe1ffffff0f")->data, 6, 5, &v) ==
		FAB_ERROR,
	    "integer above 2^32-1");
	ok(hpack_int_decode(unhex(&b, "1fe0ffffff0f")->data, 6, 5, &v) == 6 &&
		v == UINT32_MAX,
	    "2^32-1 in five continuation octets");
	ok(hpack_int_decode(unhex(&b, "1f808080808000")->data, 7, 5, &v) ==
		FAB_ERROR,
	    "six continuation octets");
	ok(hpack_int_encode(&out, UINT32_MAX, 5, 0) == 0 &&
		hpack_int_decode(out.data, out.len, 5, &v) == (int)out.len &&
		v == UINT32_MAX,
	    "2^32-1 round trips");
	expect_fail("ffffffffff0f", "indexed integer overflow", "bad index");
	expect_fail("80", "index 0", "index 0");
	expect_fail(
	    "be", "index 62 beyond the table", "field index out of range");
	expect_fail("ff80ffffff07", "huge index", "field index out of range");
	expect_fail("7e0161", "literal name index beyond the table",
	    "field index out of range");
	expect_fail(
	    "400a637573746f6d2d6b6579", "value missing", "truncated field");
	expect_fail("400a6375", "truncated name", "truncated string");
	expect_fail(
	    "4185f1e3c2e5", "truncated Huffman string", "truncated string");
	expect_fail("4084ffffffff0161", "EOS in a Huffman name",
	    "EOS in Huffman string");
	expect_fail("0481ff", "Huffman padding of 8 bits",
	    "Huffman padding longer than 7 bits");
	/* 'a' = 00011 then padding 000: not all ones. */
	expect_fail("048118", "Huffman padding not all ones",
	    "Huffman padding not all ones");
	/* '0' (00000) + 11 padding + a full octet of ones: 11 padding bits. */
	expect_fail("048207ff", "Huffman padding longer than 7 bits",
	    "Huffman padding longer than 7 bits");
	expect_fail("3fe21f", "size update above 4096",
	    "table size update above the limit");
	expect_fail("823f11", "size update after a field",
	    "table size update not at block start");
	expect_fail("3f", "truncated size update", "bad table size update");
	expect_fail("41", "literal without its value", "truncated field");
	expect_fail("00", "literal with a missing name", "truncated field");
	expect_fail("007f", "string length truncated", "bad string length");
	expect_fail("0000", "literal name present but value missing",
	    "truncated field");
	buf_reset(&out);
	ok(hpack_huff_decode(&out, unhex(&b, "ffffffff")->data, 4, 100, &err) ==
		FAB_ERROR,
	    "32 one bits contain EOS");
	buf_release(&b);
	buf_release(&out);
}

/* ------------------------------------------------------------------ */
/* Limits */

static int
count_cb(void *arg, const struct hpack_field *f)
{
	(*(size_t *)arg)++;
	return 0;
}

static void
test_bomb(void)
{
	struct hpack_decoder d;
	struct buf b;
	const char *err = NULL;
	size_t nfields = 0, i;
	int r;

	/* One 4000-octet value inserted, then referenced 20000 times: 20000
	 * octets of input that would expand to 80 MB. */
	buf_init(&b);
	hpack_decoder_init(&d, 4096);
	if (buf_append(&b, "\x40\x01x\x7f\xa1\x1e", 6) == -1)
		abort();
	/* 0x7f 0xa1 0x1e: raw length 127 + 0x21 + (0x1e << 7) = 4000. */
	for (i = 0; i < 4000; i++)
		if (buf_putc(&b, 'A') == -1)
			abort();
	for (i = 0; i < 20000; i++)
		if (buf_putc(&b, 0xbe) == -1)
			abort();
	r = hpack_decode(&d, b.data, b.len, count_cb, &nfields, &err);
	is_int(r, FAB_ERROR, "HPACK bomb rejected");
	is_str(err, "header list too large", "bomb error message");
	ok(nfields < 65536 / 4000 + 1,
	    "decoding stopped at the limit (%zu fields delivered)", nfields);
	hpack_decoder_release(&d);

	/* The same through the list API, with a smaller limit. */
	hpack_decoder_init(&d, 4096);
	hpack_decoder_set_limits(&d, 10000, 0);
	{
		struct hpack_list l;

		hpack_list_init(&l);
		r = hpack_decode_list(&d, b.data, b.len, &l, &err);
		is_int(r, FAB_ERROR, "bomb rejected with list API");
		is_int(l.count, 2, "two 4 KB fields fit in 10000, not three");
		ok(l.store.cap < 16384, "list storage stayed small (%zu)",
		    l.store.cap);
		hpack_list_release(&l);
	}
	hpack_decoder_release(&d);
	buf_release(&b);
}

static void
test_limits(void)
{
	struct hpack_decoder d;
	struct hpack_encoder e;
	struct hpack_list l;
	struct buf b, big;
	const char *err = NULL;
	size_t i;
	int r;

	buf_init(&b);
	buf_init(&big);
	hpack_list_init(&l);

	/* Field count. */
	hpack_decoder_init(&d, 4096);
	for (i = 0; i < HPACK_MAX_FIELDS; i++)
		if (buf_putc(&b, 0x82) == -1)
			abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0,
	    "HPACK_MAX_FIELDS fields accepted");
	if (buf_putc(&b, 0x82) == -1)
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), FAB_ERROR,
	    "one more field rejected");
	is_str(err, "too many header fields", "field count message");
	hpack_decoder_set_limits(&d, 0, 3);
	buf_reset(&b);
	if (buf_append(&b, "\x82\x82\x82\x82", 4) == -1)
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), FAB_ERROR,
	    "lowered field limit applies");
	hpack_decoder_release(&d);

	/* Header list size with literal strings: raw and Huffman. */
	hpack_decoder_init(&d, 4096);
	hpack_decoder_set_limits(&d, 100, 0);
	hpack_encoder_init(&e, 4096);
	buf_reset(&b);
	if (buf_append(&big,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		98) == -1)
		abort();
	ok(hpack_encode_field(&e, &b, span_str("x"), span_make(big.data, 67),
	       HPACK_NO_HUFFMAN) == 0,
	    "encode a 100-octet field");
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0,
	    "field of exactly the header-list limit accepted");
	buf_reset(&b);
	ok(hpack_encode_field(&e, &b, span_str("x"), span_make(big.data, 68),
	       HPACK_NO_HUFFMAN | HPACK_NO_INDEX) == 0,
	    "encode a 101-octet field");
	r = hpack_decode_list(&d, b.data, b.len, &l, &err);
	is_int(r, FAB_ERROR, "raw field one octet over the limit rejected");
	is_str(err, "header list too large", "raw over limit message");
	buf_reset(&b);
	ok(hpack_encode_field(&e, &b, span_str("y"), span_make(big.data, 68),
	       HPACK_NO_INDEX) == 0 &&
		b.len < 60,
	    "encode a 101-octet field with Huffman");
	r = hpack_decode_list(&d, b.data, b.len, &l, &err);
	is_int(r, FAB_ERROR, "Huffman field over the limit rejected");
	is_str(err, "header list too large", "Huffman over limit message");
	hpack_encoder_release(&e);
	hpack_decoder_release(&d);

	/* String length limit (default header-list limit is larger). */
	hpack_decoder_init(&d, 4096);
	buf_reset(&b);
	if (buf_append(&b, "\x00\x01x", 3) == -1 ||
	    hpack_int_encode(&b, HPACK_MAX_STRING + 1, 7, 0) == -1)
		abort();
	for (i = 0; i <= HPACK_MAX_STRING; i++)
		if (buf_putc(&b, 'v') == -1)
			abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), FAB_ERROR,
	    "string longer than HPACK_MAX_STRING rejected");
	is_str(err, "string too long", "string limit message");
	hpack_decoder_release(&d);

	/* Entries larger than the table empty it without error. */
	hpack_decoder_init(&d, 64);
	buf_reset(&b);
	if (buf_append(&b,
		"\x40\x01"
		"a\x01"
		"b",
		5) == -1 ||
	    buf_append(&b,
		"\x40\x01"
		"c\x20",
		4) == -1)
		abort();
	for (i = 0; i < 32; i++)
		if (buf_putc(&b, 'd') == -1)
			abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0,
	    "oversized entry accepted");
	is_int(d.table.count, 0, "oversized entry emptied the table");
	hpack_decoder_release(&d);

	/* Table size bounded by what we advertised. */
	hpack_decoder_init(&d, 256);
	buf_reset(&b);
	if (hpack_int_encode(&b, 257, 5, 0x20) == -1)
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), FAB_ERROR,
	    "size update above our SETTINGS value rejected");
	buf_reset(&b);
	if (hpack_int_encode(&b, 256, 5, 0x20) == -1 || buf_putc(&b, 0x82))
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0,
	    "size update equal to our SETTINGS value accepted");
	hpack_decoder_release(&d);
	hpack_decoder_init(&d, 1u << 30);
	is_int(d.settings_max, HPACK_MAX_TABLE_SIZE,
	    "advertised size capped at HPACK_MAX_TABLE_SIZE");
	hpack_decoder_release(&d);

	hpack_list_release(&l);
	buf_release(&b);
	buf_release(&big);
}

/* RFC 7541 §4.2: after our SETTINGS_HEADER_TABLE_SIZE shrinks, the next
 * block must open with a size update. */
static void
test_size_updates(void)
{
	struct hpack_decoder d;
	struct hpack_encoder e;
	struct hpack_list l;
	struct buf b;
	const char *err = NULL;

	buf_init(&b);
	hpack_list_init(&l);
	hpack_decoder_init(&d, 4096);
	unhex(&b, "400a637573746f6d2d6b65790d637573746f6d2d686561646572");
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0, "insert");
	hpack_decoder_set_max_table(&d, 0);
	is_int(d.table.count, 0, "shrinking to 0 evicts at once");
	is_int(hpack_decode_list(&d, unhex(&b, "82")->data, 1, &l, &err),
	    FAB_ERROR, "block without the required size update rejected");
	is_str(err, "missing table size update", "message");
	is_int(hpack_decode_list(&d, unhex(&b, "2182")->data, 2, &l, &err),
	    FAB_ERROR, "size update above the new limit rejected");
	is_int(hpack_decode_list(&d, unhex(&b, "2082")->data, 2, &l, &err), 0,
	    "size update to 0 accepted");
	is_int(hpack_decode_list(&d, unhex(&b, "82")->data, 1, &l, &err), 0,
	    "later blocks need no update");

	/* Shrink then grow between blocks: smallest first, then the final. */
	hpack_decoder_set_max_table(&d, 4096);
	is_int(hpack_decode_list(&d, unhex(&b, "3fe11f82")->data, 4, &l, &err),
	    0, "growing needs no update but allows one");
	hpack_decoder_set_max_table(&d, 100);
	hpack_decoder_set_max_table(&d, 4096);
	unhex(&b, "3f45");
	if (hpack_int_encode(&b, 4096, 5, 0x20) == -1 || buf_putc(&b, 0x82))
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0,
	    "updates 100 then 4096 accepted");
	is_int(d.table.max, 4096, "table max is the final value");
	hpack_decoder_set_max_table(&d, 100);
	hpack_decoder_set_max_table(&d, 4096);
	buf_reset(&b);
	if (hpack_int_encode(&b, 4096, 5, 0x20) == -1 || buf_putc(&b, 0x82))
		abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), FAB_ERROR,
	    "only the final value after a dip is rejected");
	hpack_decoder_release(&d);

	/* Encoder side. */
	hpack_encoder_init(&e, 4096);
	buf_reset(&b);
	hpack_encoder_set_max(&e, 8192);
	ok(hpack_encode_field(
	       &e, &b, span_str(":method"), span_str("GET"), 0) == 0,
	    "encode");
	is_mem(b.data, b.len, "\x82", 1,
	    "peer raising above our cap changes nothing");
	hpack_encoder_set_max(&e, 0);
	hpack_encoder_set_max(&e, 4096);
	buf_reset(&b);
	ok(hpack_encode_field(
	       &e, &b, span_str(":method"), span_str("GET"), 0) == 0,
	    "encode");
	is_mem(b.data, b.len, "\x20\x3f\xe1\x1f\x82", 5,
	    "dip to 0 then 4096 emits both updates");
	buf_reset(&b);
	hpack_encoder_set_max(&e, 256);
	ok(hpack_encode_field(
	       &e, &b, span_str(":method"), span_str("GET"), 0) == 0,
	    "encode");
	is_mem(b.data, b.len, "\x3f\xe1\x01\x82", 4, "shrink emits one update");
	buf_reset(&b);
	ok(hpack_encode_field(
	       &e, &b, span_str(":method"), span_str("GET"), 0) == 0,
	    "encode");
	is_mem(b.data, b.len, "\x82", 1, "only once");
	hpack_encoder_release(&e);
	hpack_encoder_init(&e, 8192);
	buf_reset(&b);
	ok(hpack_encode_field(
	       &e, &b, span_str(":method"), span_str("GET"), 0) == 0,
	    "encode");
	is_mem(b.data, b.len, "\x3f\xe1\x1f\x82", 4,
	    "peer allowing more than our cap: first block announces 4096");
	hpack_encoder_set_max(&e, 0);
	buf_reset(&b);
	ok(hpack_encode_list(&e, &b, NULL, 0) == 0, "encode an empty block");
	is_mem(b.data, b.len, "\x20", 1,
	    "an empty block still carries the owed update");
	hpack_encoder_release(&e);
	hpack_list_release(&l);
	buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* Random round trips through one encoder/decoder pair. */

static unsigned long rng_state = 12345;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rng_state >> 33) % n);
}

static void
test_random(void)
{
	static const char *names[] = { ":path", ":method", "content-type",
		"grpc-status", "te", "x-custom", "authorization", "date" };
	struct hpack_encoder e;
	struct hpack_decoder d;
	struct hpack_field fields[24];
	struct hpack_list l;
	struct buf block, pool;
	const char *err;
	size_t i, j, n, fails = 0, offs[24][2];
	int round;
	unsigned sz;

	hpack_encoder_init(&e, 4096);
	hpack_decoder_init(&d, 4096);
	hpack_list_init(&l);
	buf_init(&block);
	buf_init(&pool);
	for (round = 0; round < 2000; round++) {
		if (round % 97 == 96) {
			/* Both ends agree on a new table size. */
			sz = rnd(5) * 1024;
			hpack_decoder_set_max_table(&d, sz);
			hpack_encoder_set_max(&e, sz);
		}
		n = rnd(24) + 1;
		buf_reset(&pool);
		for (i = 0; i < n; i++) {
			size_t nl = 0, vl = rnd(3) == 0 ? rnd(300) : rnd(20);

			offs[i][0] = pool.len;
			if (rnd(2) == 0) {
				if (buf_append_str(&pool, names[rnd(8)]) == -1)
					abort();
				nl = pool.len - offs[i][0];
			} else {
				nl = rnd(12) + 1;
				for (j = 0; j < nl; j++)
					if (buf_putc(&pool, 'a' + rnd(26)))
						abort();
			}
			offs[i][1] = pool.len;
			for (j = 0; j < vl; j++)
				if (buf_putc(&pool,
					rnd(4) == 0 ? rnd(256) : 'a' + rnd(4)))
					abort();
			fields[i].flags = rnd(10) == 0 ? HPACK_NEVER_INDEXED
			    : rnd(10) == 0	       ? HPACK_NO_INDEX
			    : rnd(5) == 0	       ? HPACK_NO_HUFFMAN
						       : 0;
			(void)nl;
		}
		for (i = 0; i < n; i++) {
			size_t end = i + 1 < n ? offs[i + 1][0] : pool.len;

			fields[i].name = span_make(
			    pool.data + offs[i][0], offs[i][1] - offs[i][0]);
			fields[i].value =
			    span_make(pool.data + offs[i][1], end - offs[i][1]);
		}
		buf_reset(&block);
		if (hpack_encode_list(&e, &block, fields, n) == -1 ||
		    hpack_decode_list(&d, block.data, block.len, &l, &err) !=
			0 ||
		    l.count != n) {
			fails++;
			continue;
		}
		for (i = 0; i < n; i++)
			if (!span_eq(l.fields[i].name, fields[i].name) ||
			    !span_eq(l.fields[i].value, fields[i].value) ||
			    (l.fields[i].flags & HPACK_NEVER_INDEXED) !=
				(fields[i].flags & HPACK_NEVER_INDEXED))
				fails++;
		if (e.table.size != d.table.size ||
		    e.table.count != d.table.count)
			fails++;
	}
	is_int(fails, 0, "2000 random blocks round trip with tables in step");
	hpack_list_release(&l);
	hpack_encoder_release(&e);
	hpack_decoder_release(&d);
	buf_release(&block);
	buf_release(&pool);
}

static int
refuse_cb(void *arg, const struct hpack_field *f)
{
	return span_eq_str(f->name, ":path");
}

static void
test_misc(void)
{
	struct hpack_decoder d;
	struct hpack_list l;
	struct buf b;
	const char *err;
	size_t i;
	const struct hpack_field *f;

	buf_init(&b);
	hpack_decoder_init(&d, 4096);
	ok(hpack_decode(&d, unhex(&b, "8284")->data, 2, refuse_cb, NULL,
	       &err) == FAB_ERROR,
	    "callback refusal stops decoding");
	is_int(hpack_decode(&d, NULL, 0, refuse_cb, NULL, &err), 0,
	    "empty block decodes");
	/* List storage survives reallocation. */
	hpack_list_init(&l);
	buf_reset(&b);
	for (i = 0; i < 300; i++)
		if (buf_append(&b, "\x40\x01k\x05value", 9) == -1)
			abort();
	is_int(hpack_decode_list(&d, b.data, b.len, &l, &err), 0, "300 fields");
	f = hpack_list_get(&l, "k");
	ok(f != NULL && span_eq_str(f->value, "value") &&
		span_eq_str(l.fields[299].value, "value") &&
		l.fields[299].value.p[5] == '\0',
	    "list spans valid and NUL-terminated after growth");
	ok(hpack_list_get(&l, "missing") == NULL, "list get miss");
	hpack_list_release(&l);
	hpack_decoder_release(&d);
	buf_release(&b);
}

int
main(void)
{
	test_appendix_c();
	test_static_table();
	test_huffman_table();
	test_malformed();
	test_bomb();
	test_limits();
	test_size_updates();
	test_random();
	test_misc();
	return done_testing();
}
