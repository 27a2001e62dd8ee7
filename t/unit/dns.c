/*
 * Unit tests for p2p/dns: the mDNS vectors of t/data/mdns/ (every field,
 * byte-identical re-encoding, every truncation rejected); hand-built
 * packets for compression pointers (self, forward, loops, the hop limit),
 * label and name limits, reserved label types, header count bombs and
 * bad RDATA; every RR type through encode -> decode -> encode; presentation
 * names; encoder limits, section order and the mDNS class bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "p2p/dns.h"
#include "tap.h"

int main(void);

static size_t
load(const char *name, uint8_t *out, size_t cap)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/data/mdns/%s", tap_tdir(), name);
	if ((f = fopen(path, "rb")) == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	n = fread(out, 1, cap, f);
	fclose(f);
	return n;
}

static const char *
name_str(const struct dns_name *n)
{
	static char text[4][DNS_NAME_TEXT_MAX];
	static int which;

	which = (which + 1) % 4;
	dns_name_to_text(n, text[which], sizeof(text[which]));
	return text[which];
}

static struct dns_name
mkname(const char *text)
{
	struct dns_name n;
	const char *err = "";

	if (dns_name_from_text(&n, text, &err) == -1) {
		printf("Bail out! bad test name %s: %s\n", text, err);
		exit(1);
	}
	return n;
}

static void
test_vectors(void)
{
	uint8_t q[64], resp[256];
	size_t qlen = load("query-ptr-fabrik.bin", q, sizeof(q));
	size_t rlen = load("response-fabrik.bin", resp, sizeof(resp));
	struct dns_msg m;
	struct buf b;
	struct span rest, s;
	const char *err = NULL;
	size_t cut, bad = 0;
	int r;

	is_int(qlen, 36, "query vector is 36 bytes");
	is_int(rlen, 148, "response vector is 148 bytes");

	r = dns_decode(q, qlen, &m, &err);
	is_int(r, 36, "query decodes, consuming everything");
	is_int(m.id, 0, "query id 0");
	is_int(m.flags, 0, "query flags 0");
	is_int(m.nqd, 1, "one question");
	is_str(name_str(&m.qd[0].name), "_fabrik._tcp.local", "qname");
	is_int(m.qd[0].type, DNS_TYPE_PTR, "qtype PTR");
	is_int(m.qd[0].qclass, DNS_CLASS_IN, "qclass IN");
	is_int(m.qd[0].unicast_response, 0, "QU bit clear");
	buf_init(&b);
	ok(dns_encode(&m, &b, 0, DNS_ENC_COMPRESS, &err) == 0,
	    "query re-encodes");
	is_mem(b.data, b.len, q, qlen, "query re-encodes byte for byte");
	dns_msg_release(&m);

	r = dns_decode(resp, rlen, &m, &err);
	is_int(r, 148, "response decodes, consuming everything");
	is_int(m.flags, DNS_FLAG_QR | DNS_FLAG_AA, "flags 0x8400");
	ok(m.nqd == 0 && m.nan == 1 && m.nns == 0 && m.nar == 3,
	    "counts 0/1/0/3");
	is_int(m.rr[0].type, DNS_TYPE_PTR, "answer is PTR");
	is_str(name_str(&m.rr[0].name), "_fabrik._tcp.local", "PTR owner");
	is_str(name_str(&m.rr[0].rd.target),
	    "build-server-1._fabrik._tcp.local", "PTR target via pointer");
	ok(m.rr[0].ttl == 4500 && m.rr[0].cache_flush == 0 &&
		m.rr[0].rclass == DNS_CLASS_IN,
	    "PTR: TTL 4500, shared, IN");
	is_int(m.rr[1].type, DNS_TYPE_SRV, "SRV");
	is_int(m.rr[1].section, DNS_SECTION_ADDITIONAL, "SRV in additional");
	is_str(name_str(&m.rr[1].name), "build-server-1._fabrik._tcp.local",
	    "SRV owner (pointer to 42)");
	ok(m.rr[1].rd.srv.priority == 0 && m.rr[1].rd.srv.weight == 0 &&
		m.rr[1].rd.srv.port == 8080,
	    "SRV 0 0 8080");
	is_str(name_str(&m.rr[1].rd.srv.target), "fabrik1.local",
	    "SRV target (pointer to 25)");
	ok(m.rr[1].cache_flush == 1 && m.rr[1].rclass == DNS_CLASS_IN &&
		m.rr[1].ttl == 120,
	    "SRV: cache-flush masked off the class, TTL 120");
	is_int(m.rr[2].type, DNS_TYPE_TXT, "TXT");
	rest = m.rr[2].rdata;
	ok(dns_txt_next(&rest, &s) == 1 && span_eq_str(s, "txtvers=1"),
	    "TXT string 1");
	ok(dns_txt_next(&rest, &s) == 1 && span_eq_str(s, "proto=grpc,http"),
	    "TXT string 2");
	ok(dns_txt_next(&rest, &s) == 1 && span_eq_str(s, "path=/"),
	    "TXT string 3");
	is_int(dns_txt_next(&rest, &s), 0, "TXT ends");
	is_int(m.rr[3].type, DNS_TYPE_A, "A");
	is_str(name_str(&m.rr[3].name), "fabrik1.local",
	    "A owner (pointer into SRV RDATA)");
	is_mem(m.rr[3].rd.a, 4, "\xc0\x00\x02\x0a", 4, "A 192.0.2.10");
	ok(m.rr[3].cache_flush == 1 && m.rr[3].ttl == 120, "A flags");
	buf_reset(&b);
	ok(dns_encode(
	       &m, &b, 0, DNS_ENC_COMPRESS | DNS_ENC_COMPRESS_SRV, &err) == 0,
	    "response re-encodes");
	is_mem(b.data, b.len, resp, rlen,
	    "response re-encodes byte for byte (same compression)");
	buf_reset(&b);
	ok(dns_encode(&m, &b, 0, DNS_ENC_COMPRESS, &err) == 0 &&
		b.len == rlen + 5,
	    "without SRV compression the target is spelled out (+5 bytes)");
	dns_msg_release(&m);

	for (cut = 0; cut < rlen; cut++)
		if (dns_decode(resp, cut, &m, &err) != FAB_ERROR) {
			bad++;
			dns_msg_release(&m);
		}
	is_int(bad, 0, "every truncation of the response is rejected");
	for (bad = 0, cut = 0; cut < qlen; cut++)
		if (dns_decode(q, cut, &m, &err) != FAB_ERROR) {
			bad++;
			dns_msg_release(&m);
		}
	is_int(bad, 0, "every truncation of the query is rejected");
	buf_release(&b);
}

/* A header with qd questions and an answers followed by body. */
static size_t
packet(uint8_t *out, unsigned qd, unsigned an, const void *body, size_t n)
{
	memset(out, 0, 12);
	out[5] = (uint8_t)qd;
	out[7] = (uint8_t)an;
	memcpy(out + 12, body, n);
	return 12 + n;
}

static int
decode_err(const uint8_t *p, size_t len, const char **err)
{
	struct dns_msg m;
	int r;

	*err = "";
	r = dns_decode(p, len, &m, err);
	if (r >= 0)
		dns_msg_release(&m);
	return r;
}

static void
test_compression(void)
{
	uint8_t p[1024];
	size_t n, i, pos;
	const char *err = "";
	struct dns_msg m;
	unsigned hops;

	n = packet(p, 1, 0, "\xc0\x0c\x00\x01\x00\x01", 6);
	ok(decode_err(p, n, &err) == FAB_ERROR && strstr(err, "loop"),
	    "self pointer rejected (%s)", err);
	n = packet(p, 1, 0, "\xc0\x0e\x00\x00\x00\x01\x00\x01", 8);
	ok(decode_err(p, n, &err) == FAB_ERROR, "forward pointer rejected");
	/* 12: "x" then a pointer back to 12: a two-step loop. */
	n = packet(p, 1, 0, "\x01x\xc0\x0c\x00\x01\x00\x01", 8);
	ok(decode_err(p, n, &err) == FAB_ERROR && strstr(err, "loop"),
	    "pointer back into the same name rejected");
	/* q1 "a" at 12; then an answer whose name is labels + pointer to a
	 * label sequence that is itself followed (after the jump) by a
	 * pointer forward of its segment: rejected. */
	n = packet(p, 1, 1,
	    "\x01"
	    "a\x00\x00\x01\x00\x01" /* q: a. A IN (12..18) */
	    "\x01"
	    "b\xc0\x0c" /* 19: b + ptr 12 */
	    "\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04\x01\x02\x03\x04",
	    25);
	ok(decode_err(p, n, &err) == 37, "good backward pointer accepted");
	if (dns_decode(p, n, &m, &err) >= 0) {
		is_str(name_str(&m.rr[0].name), "b.a", "pointer decodes b.a");
		dns_msg_release(&m);
	}
	/* Hop limit: an unknown record whose RDATA holds a chain of k
	 * pointers, each to the one before, the first to the root at 12;
	 * a second record's name points at the last one. */
	for (hops = DNS_MAX_POINTER_HOPS; hops <= DNS_MAX_POINTER_HOPS + 1;
	     hops++) {
		size_t k = hops - 1, base;

		memset(p, 0, 12);
		p[5] = 1; /* qd */
		p[7] = 2; /* an */
		pos = 12;
		p[pos++] = 0; /* root question */
		memcpy(p + pos, "\x00\x01\x00\x01", 4);
		pos += 4;
		p[pos++] = 0; /* record 1: root, type 99 */
		memcpy(p + pos, "\x00\x63\x00\x01\x00\x00\x00\x00", 8);
		pos += 8;
		p[pos++] = (uint8_t)((2 * k) >> 8);
		p[pos++] = (uint8_t)(2 * k);
		base = pos;
		for (i = 0; i < k; i++) {
			size_t to = i == 0 ? 12 : base + 2 * (i - 1);

			p[pos++] = (uint8_t)(0xc0 | to >> 8);
			p[pos++] = (uint8_t)to;
		}
		p[pos++] = (uint8_t)(0xc0 | (base + 2 * (k - 1)) >> 8);
		p[pos++] = (uint8_t)(base + 2 * (k - 1));
		memcpy(p + pos, "\x00\x01\x00\x01\x00\x00\x00\x01\x00\x04", 10);
		pos += 10;
		memcpy(p + pos, "\x7f\x00\x00\x01", 4);
		pos += 4;
		if (hops == DNS_MAX_POINTER_HOPS)
			ok(decode_err(p, pos, &err) == (int)pos,
			    "a chain of exactly %u pointers is accepted", hops);
		else
			ok(decode_err(p, pos, &err) == FAB_ERROR &&
				strstr(err, "too many"),
			    "a chain of %u pointers is rejected (%s)", hops,
			    err);
	}
	/* Pointers are only 14-bit offsets; 0x80/0x40 label types are
	 * reserved (and a 64..191 length byte is one of them). */
	n = packet(p, 1, 0, "\x40xxxx\x00\x00\x01\x00\x01", 10);
	ok(decode_err(p, n, &err) == FAB_ERROR && strstr(err, "reserved"),
	    "label length 64 (01 type bits) rejected");
	n = packet(p, 1, 0, "\x80\x00\x00\x01\x00\x01", 6);
	ok(decode_err(p, n, &err) == FAB_ERROR, "10 label type rejected");
}

static void
test_limits(void)
{
	uint8_t p[2048];
	size_t pos, i, total;
	const char *err = "";
	struct dns_name nm;
	char text[600];
	unsigned sizes[2] = { 255, 256 };
	unsigned s;

	for (s = 0; s < 2; s++) {
		/* Labels of 63 plus one filler, then root: sizes[s] bytes. */
		memset(p, 0, 12);
		p[5] = 1;
		pos = 12;
		total = 1;
		while (total < sizes[s]) {
			size_t l = sizes[s] - total - 1;

			if (l > 63)
				l = 63;
			p[pos++] = (uint8_t)l;
			for (i = 0; i < l; i++)
				p[pos++] = 'a';
			total += 1 + l;
		}
		p[pos++] = 0;
		memcpy(p + pos, "\x00\x01\x00\x01", 4);
		pos += 4;
		if (sizes[s] == 255)
			ok(decode_err(p, pos, &err) == (int)pos,
			    "a 255-byte name is accepted");
		else
			ok(decode_err(p, pos, &err) == FAB_ERROR &&
				strstr(err, "255"),
			    "a 256-byte name is rejected (%s)", err);
	}
	memset(text, 'a', 63);
	text[63] = '\0';
	ok(dns_name_from_text(&nm, text, &err) == 0 && nm.len == 65,
	    "63-byte label from text");
	memset(text, 'a', 64);
	text[64] = '\0';
	ok(dns_name_from_text(&nm, text, &err) == -1 && strstr(err, "63"),
	    "64-byte label from text rejected");
	/* 4 x 63 labels = 257 wire bytes. */
	for (i = 0; i < 4; i++) {
		memset(text + 64 * i, 'b', 63);
		text[64 * i + 63] = '.';
	}
	text[64 * 4 - 1] = '\0';
	ok(dns_name_from_text(&nm, text, &err) == -1 && strstr(err, "255"),
	    "257-byte name from text rejected");
	ok(dns_name_from_text(&nm, "a..b", &err) == -1, "empty label");
	ok(dns_name_from_text(&nm, ".a", &err) == -1, "leading dot");
	ok(dns_name_from_text(&nm, "a\\", &err) == -1, "trailing backslash");
	ok(dns_name_from_text(&nm, "a\\25", &err) == -1, "short \\DDD");
	ok(dns_name_from_text(&nm, "a\\256", &err) == -1, "\\DDD > 255");

	/* Header counts that cannot fit are refused before allocating. */
	memset(p, 0, 12);
	p[4] = p[5] = p[6] = p[7] = 0xff;
	ok(decode_err(p, 12, &err) == FAB_ERROR && strstr(err, "counts"),
	    "65535 questions in 12 bytes refused (%s)", err);
	memset(p, 0, sizeof(p));
	p[10] = 0x04; /* 1024 additional, each a minimal 11-byte record */
	p[11] = 0x01;
	ok(decode_err(p, 12 + 1025 * 11 > sizeof(p) ? sizeof(p) : 0, &err) ==
		FAB_ERROR,
	    "more than DNS_MAX_RECORDS refused");
	ok(decode_err(p, 11, &err) == FAB_ERROR, "short header");
}

static void
test_bad_rdata(void)
{
	uint8_t p[256];
	size_t n;
	const char *err = "";

	/* owner root, type, class IN, ttl, rdlength, rdata */
	n = packet(p, 0, 1,
	    "\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x05"
	    "\x01\x02\x03\x04\x05",
	    16);
	ok(decode_err(p, n, &err) == FAB_ERROR && strstr(err, "RDATA"),
	    "A with 5 bytes rejected");
	n = packet(p, 0, 1,
	    "\x00\x00\x1c\x00\x01\x00\x00\x00\x01\x00\x04"
	    "\x01\x02\x03\x04",
	    15);
	ok(decode_err(p, n, &err) == FAB_ERROR, "AAAA with 4 bytes rejected");
	n = packet(p, 0, 1,
	    "\x00\x00\x10\x00\x01\x00\x00\x00\x01\x00\x03"
	    "\x05"
	    "ab",
	    14);
	ok(decode_err(p, n, &err) == FAB_ERROR, "TXT string past RDATA");
	n = packet(p, 0, 1, "\x00\x00\x10\x00\x01\x00\x00\x00\x01\x00\x00", 11);
	ok(decode_err(p, n, &err) == FAB_ERROR, "empty TXT RDATA rejected");
	n = packet(p, 0, 1,
	    "\x00\x00\x05\x00\x01\x00\x00\x00\x01\x00\x03"
	    "\x00\x00\x00",
	    14);
	ok(decode_err(p, n, &err) == FAB_ERROR,
	    "CNAME with bytes after the name rejected");
	n = packet(p, 0, 1,
	    "\x00\x00\x05\x00\x01\x00\x00\x00\x01\x00\x03"
	    "\x01"
	    "a\x00",
	    14);
	ok(decode_err(p, n, &err) == (int)n, "CNAME a. accepted");
	/* The target must end inside RDATA even if the message goes on. */
	n = packet(p, 0, 1,
	    "\x00\x00\x05\x00\x01\x00\x00\x00\x01\x00\x02"
	    "\x01"
	    "a\x00",
	    14);
	ok(decode_err(p, n, &err) == FAB_ERROR,
	    "CNAME target running past RDLENGTH rejected");
	n = packet(p, 0, 1,
	    "\x00\x00\x21\x00\x01\x00\x00\x00\x01\x00\x06"
	    "\x00\x00\x00\x00\x00\x50",
	    17);
	ok(decode_err(p, n, &err) == FAB_ERROR, "SRV without a target");
	n = packet(p, 0, 1,
	    "\x00\x00\x01\x00\x01\x00\x00\x00\x01\x00\x09"
	    "\x01\x02\x03\x04",
	    15);
	ok(decode_err(p, n, &err) == FAB_ERROR && strstr(err, "truncated"),
	    "RDLENGTH past the end");
}

static int
rr_equal(const struct dns_rr *a, const struct dns_rr *b)
{
	if (a->type != b->type || a->rclass != b->rclass ||
	    a->cache_flush != b->cache_flush || a->ttl != b->ttl ||
	    a->section != b->section || !dns_name_eq(&a->name, &b->name) ||
	    memcmp(a->name.wire, b->name.wire, a->name.len) != 0)
		return 0;
	switch (a->type) {
	case DNS_TYPE_A:
		return memcmp(a->rd.a, b->rd.a, 4) == 0;
	case DNS_TYPE_AAAA:
		return memcmp(a->rd.aaaa, b->rd.aaaa, 16) == 0;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		return dns_name_eq(&a->rd.target, &b->rd.target);
	case DNS_TYPE_SRV:
		return a->rd.srv.priority == b->rd.srv.priority &&
		    a->rd.srv.weight == b->rd.srv.weight &&
		    a->rd.srv.port == b->rd.srv.port &&
		    dns_name_eq(&a->rd.srv.target, &b->rd.srv.target);
	default:
		return span_eq(a->rdata, b->rdata);
	}
}

static void
test_round_trip(void)
{
	struct dns_question qd[2];
	struct dns_rr rr[9];
	struct dns_msg m, d, d2;
	struct buf b1, b2, b3;
	const char *err = NULL;
	size_t i, same;
	unsigned opts;

	memset(qd, 0, sizeof(qd));
	memset(rr, 0, sizeof(rr));
	qd[0].name = mkname("www.Example.com");
	qd[0].type = DNS_TYPE_A;
	qd[0].qclass = DNS_CLASS_IN;
	qd[1].name = mkname("_fabrik._tcp.local");
	qd[1].type = DNS_TYPE_PTR;
	qd[1].qclass = DNS_CLASS_IN;
	qd[1].unicast_response = 1;
	for (i = 0; i < 9; i++) {
		rr[i].rclass = DNS_CLASS_IN;
		rr[i].ttl = 300 + (uint32_t)i;
		rr[i].section = DNS_SECTION_ANSWER;
	}
	rr[0].name = mkname("www.Example.com");
	rr[0].type = DNS_TYPE_CNAME;
	rr[0].rd.target = mkname("web.example.com");
	rr[1].name = mkname("web.example.com");
	rr[1].type = DNS_TYPE_A;
	memcpy(rr[1].rd.a, "\xc0\x00\x02\x01", 4);
	rr[2].name = mkname("web.example.com");
	rr[2].type = DNS_TYPE_AAAA;
	memcpy(rr[2].rd.aaaa, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	rr[2].cache_flush = 1;
	rr[3].name = mkname("example.com");
	rr[3].type = DNS_TYPE_NS;
	rr[3].section = DNS_SECTION_AUTHORITY;
	rr[3].rd.target = mkname("ns1.example.com");
	rr[4].name = mkname("_fabrik._tcp.local");
	rr[4].type = DNS_TYPE_PTR;
	rr[4].section = DNS_SECTION_AUTHORITY;
	rr[4].rd.target = mkname("my\\.box 1._fabrik._tcp.local");
	rr[5].name = mkname("my\\.box 1._fabrik._tcp.local");
	rr[5].type = DNS_TYPE_SRV;
	rr[5].section = DNS_SECTION_ADDITIONAL;
	rr[5].rd.srv.priority = 1;
	rr[5].rd.srv.weight = 2;
	rr[5].rd.srv.port = 8080;
	rr[5].rd.srv.target = mkname("fabrik1.local");
	rr[6].name = rr[5].name;
	rr[6].type = DNS_TYPE_TXT;
	rr[6].section = DNS_SECTION_ADDITIONAL;
	rr[6].rdata = span_make("\x09txtvers=1\x00", 11);
	rr[7].name = mkname("x.example.com");
	rr[7].type = 99; /* unknown: raw, never compressed */
	rr[7].section = DNS_SECTION_ADDITIONAL;
	rr[7].rdata = span_make("\x03"
				"abc\xc0\x0c",
	    6);
	rr[8].name = mkname(".");
	rr[8].type = DNS_TYPE_OPT;
	rr[8].rclass = 0x8000 | 1232; /* the UDP size, top bit kept */
	rr[8].ttl = 0;
	rr[8].section = DNS_SECTION_ADDITIONAL;
	memset(&m, 0, sizeof(m));
	m.id = 0xbeef;
	m.flags = DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA;
	m.qd = qd;
	m.nqd = 2;
	m.rr = rr;
	m.nan = 3;
	m.nns = 2;
	m.nar = 4;

	for (opts = 0; opts <= (DNS_ENC_COMPRESS | DNS_ENC_COMPRESS_SRV);
	     opts++) {
		buf_init(&b1);
		buf_init(&b2);
		ok(dns_encode(&m, &b1, 0, opts, &err) == 0,
		    "opts %u: every RR type encodes", opts);
		ok(dns_decode(b1.data, b1.len, &d, &err) == (int)b1.len,
		    "opts %u: decodes (%zu bytes)", opts, b1.len);
		ok(d.id == 0xbeef && d.flags == m.flags && d.nqd == 2 &&
			d.nan == 3 && d.nns == 2 && d.nar == 4,
		    "opts %u: header", opts);
		ok(dns_name_eq(&d.qd[0].name, &qd[0].name) &&
			d.qd[0].unicast_response == 0 &&
			d.qd[1].unicast_response == 1 &&
			d.qd[1].qclass == DNS_CLASS_IN,
		    "opts %u: questions and the QU bit", opts);
		for (same = 0, i = 0; i < 9; i++)
			same += rr_equal(&d.rr[i], &rr[i]);
		is_int(same, 9, "every record survives the round trip");
		ok(dns_encode(&d, &b2, 0, opts, &err) == 0 &&
			b1.len == b2.len &&
			memcmp(b1.data, b2.data, b1.len) == 0,
		    "opts %u: decode -> encode gives the same bytes", opts);
		if (opts == 0)
			is_int(b1.len, 426, "uncompressed size");
		if (opts == DNS_ENC_COMPRESS)
			ok(b1.len < 426 - 80, "compression saves (%zu)",
			    b1.len);
		dns_msg_release(&d);
		buf_release(&b1);
		buf_release(&b2);
	}

	/* Compressed bytes are checked exactly for a small case. */
	buf_init(&b3);
	memset(&d2, 0, sizeof(d2));
	d2.nqd = 1;
	d2.qd = qd;
	d2.nan = 1;
	d2.rr = rr;
	ok(dns_encode(&d2, &b3, 0, DNS_ENC_COMPRESS, &err) == 0, "small");
	is_mem(b3.data + 12, b3.len - 12,
	    "\x03www\x07"
	    "Example\x03"
	    "com\x00\x00\x01\x00\x01"
	    "\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x0e"
	    "\x03web\x07"
	    "example\xc0\x18",
	    47,
	    "owner points at the question; the target shares only the "
	    "byte-identical suffix com (case is preserved)");
	buf_release(&b3);
}

static void
test_encoder(void)
{
	struct dns_encoder e;
	struct dns_rr rr;
	struct dns_question q;
	struct buf b;
	const char *err = NULL;
	size_t before;
	int i, added = 0;

	buf_init(&b);
	memset(&rr, 0, sizeof(rr));
	rr.name = mkname("host.local");
	rr.type = DNS_TYPE_A;
	rr.rclass = DNS_CLASS_IN;
	rr.ttl = 120;
	rr.cache_flush = 1;
	ok(dns_encoder_begin(&e, &b, 0, 0x8400, 100, DNS_ENC_COMPRESS) == 0,
	    "begin");
	for (i = 0; i < 20; i++) {
		before = b.len;
		if (dns_encoder_add_record(&e, &rr, &err) == -1)
			break;
		added++;
	}
	ok(strcmp(err, "message full") == 0 && b.len == before,
	    "a full message refuses the record and stays as it was");
	is_int(added, 4, "12 + 26 + 3 x 16 bytes fit in 100, a 4th does not");
	dns_encoder_set_flags(&e, 0x8400 | DNS_FLAG_TC);
	is_int(b.data[2], 0x86, "TC set afterwards");
	is_int(b.data[7], 4, "ANCOUNT 4");
	is_int(b.data[12 + 12 + 2], 0x80, "cache-flush bit on the wire");
	memset(&q, 0, sizeof(q));
	q.name = rr.name;
	ok(dns_encoder_add_question(&e, &q, &err) == -1,
	    "question after records refused");
	rr.section = DNS_SECTION_ADDITIONAL;
	buf_reset(&b);
	ok(dns_encoder_begin(&e, &b, 0, 0, 0, 0) == 0 &&
		dns_encoder_add_record(&e, &rr, &err) == 0,
	    "additional record");
	rr.section = DNS_SECTION_ANSWER;
	ok(dns_encoder_add_record(&e, &rr, &err) == -1 && strstr(err, "order"),
	    "answer after additional refused");
	rr.name.len = 3; /* "\x04" + 2 bytes: malformed */
	rr.section = DNS_SECTION_ADDITIONAL;
	ok(dns_encoder_add_record(&e, &rr, &err) == -1, "malformed name");
	buf_reset(&b);
	ok(dns_encode_query(
	       &b, 0x1234, DNS_FLAG_RD, &q.name, DNS_TYPE_AAAA, &err) == 0,
	    "query");
	is_mem(b.data, b.len,
	    "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	    "\x04host\x05local\x00\x00\x1c\x00\x01",
	    28, "query bytes");
	buf_release(&b);
}

static void
test_names(void)
{
	struct dns_name a, b;
	char out[DNS_NAME_TEXT_MAX], small[6];
	const char *err = "";
	size_t need;

	a = mkname("Build\\.Server\\032\\\\1._fabrik._tcp.local.");
	is_int(dns_name_labels(&a), 4, "escaped dot stays in the label");
	is_int(a.wire[0], 15, "label bytes: Build.Server \\1");
	dns_name_to_text(&a, out, sizeof(out));
	is_str(out, "Build\\.Server \\\\1._fabrik._tcp.local",
	    "presentation form (space kept, dot and backslash escaped)");
	b = mkname("build\\.server\\0321\\\\1._FABRIK._tcp.LOCAL");
	ok(!dns_name_eq(&a, &b), "different names differ");
	b = mkname("BUILD\\.SERVER \\\\1._FABRIK._tcp.LOCAL");
	ok(dns_name_eq(&a, &b), "ASCII case-insensitive equality");
	a = mkname("a\\001b");
	dns_name_to_text(&a, out, sizeof(out));
	is_str(out, "a\\001b", "control bytes as \\DDD");
	a = mkname(".");
	ok(a.len == 1 && dns_name_labels(&a) == 0, "root");
	dns_name_to_text(&a, out, sizeof(out));
	is_str(out, ".", "root text");
	ok(dns_name_from_text(&a, "", &err) == -1, "empty text rejected");
	a = mkname("abcdef.gh");
	need = dns_name_to_text(&a, small, sizeof(small));
	ok(need == 9 && strcmp(small, "abcde") == 0,
	    "to_text truncates safely and reports the length");
}

int
main(void)
{
	test_vectors();
	test_compression();
	test_limits();
	test_bad_rdata();
	test_round_trip();
	test_encoder();
	test_names();
	return done_testing();
}
