/*
 * Unit tests for http/h1: request and response heads (every rule and limit,
 * fed whole, byte by byte and split at every point), pipelining, and the
 * chunked decoder (edge cases plus a randomised round trip).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/h1.h"
#include "tap.h"

int main(void);

/* Result of one parse, comparable across feeding strategies. */
struct outcome {
	int r;
	int status;
	const char *err;
	struct h1_request req;
	const unsigned char *base; /* buffer the spans point into */
};

static void
parse_whole(const unsigned char *s, size_t len, struct outcome *o)
{
	struct h1_parser p;

	memset(o, 0, sizeof(*o));
	h1_parser_init(&p);
	o->base = s;
	o->r = h1_parse_request(&p, s, len, &o->req, &o->status, &o->err);
}

/*
 * Feeds s[0..len) in the prefixes cuts[0] < cuts[1] < ... < len, each time
 * from a freshly allocated copy (the old copy is freed, so a span kept from
 * an earlier call would be caught by ASan).  Returns the copy holding the
 * final spans; the caller frees it.
 */
static unsigned char *
parse_cuts(const unsigned char *s, size_t len, const size_t *cuts, size_t ncuts,
    struct outcome *o)
{
	struct h1_parser p;
	unsigned char *cur = NULL, *next;
	size_t k, n;

	memset(o, 0, sizeof(*o));
	h1_parser_init(&p);
	o->r = FAB_INCOMPLETE;
	for (k = 0; k <= ncuts; k++) {
		n = k < ncuts ? cuts[k] : len;
		next = malloc(n + 1);
		if (next == NULL)
			abort();
		memcpy(next, s, n);
		free(cur);
		cur = next;
		o->r =
		    h1_parse_request(&p, cur, n, &o->req, &o->status, &o->err);
		if (o->r != FAB_INCOMPLETE)
			break;
	}
	o->base = cur;
	return cur;
}

static unsigned char *
parse_bytewise(const unsigned char *s, size_t len, struct outcome *o)
{
	size_t *cuts, i;
	unsigned char *r;

	if ((cuts = malloc((len + 1) * sizeof(*cuts))) == NULL)
		abort();
	for (i = 0; i < len; i++)
		cuts[i] = i + 1;
	r = parse_cuts(s, len, cuts, len > 0 ? len - 1 : 0, o);
	free(cuts);
	return r;
}

static int
span_same(struct span a, const unsigned char *ba, struct span b,
    const unsigned char *bb)
{
	return a.len == b.len && (a.len == 0 || a.p - ba == b.p - bb);
}

/* Non-zero when two outcomes agree in every observable field. */
static int
outcome_same(const struct outcome *a, const struct outcome *b)
{
	size_t i;

	if (a->r != b->r)
		return 0;
	if (a->r == FAB_ERROR)
		return a->status == b->status && a->err == b->err;
	if (a->r < 0)
		return 1;
	if (!span_same(a->req.method, a->base, b->req.method, b->base) ||
	    !span_same(a->req.target, a->base, b->req.target, b->base) ||
	    a->req.minor != b->req.minor ||
	    a->req.nheaders != b->req.nheaders ||
	    a->req.content_length != b->req.content_length ||
	    a->req.chunked != b->req.chunked ||
	    a->req.keep_alive != b->req.keep_alive ||
	    a->req.expect_continue != b->req.expect_continue ||
	    a->req.upgrade != b->req.upgrade)
		return 0;
	for (i = 0; i < a->req.nheaders; i++)
		if (!span_same(a->req.headers[i].name, a->base,
			b->req.headers[i].name, b->base) ||
		    !span_same(a->req.headers[i].value, a->base,
			b->req.headers[i].value, b->base))
			return 0;
	return 1;
}

/*
 * Parses s whole and byte by byte; both must agree.  Returns the whole
 * outcome in *o (spans into s).  want: 0 = complete head, else the status.
 */
static void
check_req(
    const char *s, size_t len, int want, const char *name, struct outcome *o)
{
	struct outcome b;
	unsigned char *copy;

	parse_whole((const unsigned char *)s, len, o);
	copy = parse_bytewise((const unsigned char *)s, len, &b);
	if (want == FAB_INCOMPLETE)
		ok(o->r == FAB_INCOMPLETE, "%s: incomplete (got %d)", name,
		    o->r);
	else if (want == 0)
		ok(o->r > 0, "%s: accepted (got %d %d %s)", name, o->r,
		    o->status, o->r == FAB_ERROR ? o->err : "");
	else
		ok(o->r == FAB_ERROR && o->status == want,
		    "%s: status %d (got r=%d status=%d %s)", name, want, o->r,
		    o->status, o->r == FAB_ERROR ? o->err : "");
	ok(outcome_same(o, &b), "%s: byte by byte agrees", name);
	free(copy);
}

#define REQ(s, want, name, o) check_req((s), sizeof(s) - 1, (want), (name), (o))

static int
span_is(struct span s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static void
test_basic(void)
{
	struct outcome o;
	const struct h1_header *h;
	static const char r1[] = "GET /a/b?c=d HTTP/1.1\r\n"
				 "Host: example.com\r\n"
				 "X-Empty:\r\n"
				 "X-Pad: \t  padded value \t \r\n"
				 "Accept: */*\r\n"
				 "\r\n";

	REQ(r1, 0, "simple GET", &o);
	is_int(o.r, sizeof(r1) - 1, "head length");
	ok(span_is(o.req.method, "GET"), "method");
	ok(span_is(o.req.target, "/a/b?c=d"), "target");
	is_int(o.req.minor, 1, "minor version");
	is_int(o.req.nheaders, 4, "four fields");
	ok(span_is(o.req.headers[0].name, "Host") &&
		span_is(o.req.headers[0].value, "example.com"),
	    "first field");
	ok(span_is(o.req.headers[1].value, ""), "empty value");
	ok(span_is(o.req.headers[2].value, "padded value"),
	    "value trimmed of OWS on both sides, inner space kept");
	is_int(o.req.content_length, -1, "no Content-Length");
	is_int(o.req.chunked, 0, "not chunked");
	is_int(o.req.keep_alive, 1, "1.1 keeps alive by default");
	is_int(o.req.expect_continue, 0, "no expectation");
	is_int(o.req.upgrade, 0, "no upgrade");
	h = h1_header_get(&o.req, "ACCEPT");
	ok(h != NULL && span_is(h->value, "*/*"),
	    "h1_header_get is case-insensitive");
	ok(h1_header_get(&o.req, "accept-encoding") == NULL,
	    "h1_header_get: absent field");
	ok(h1_header_get(&o.req, "accep") == NULL,
	    "h1_header_get: prefix is not a match");

	REQ("POST /u HTTP/1.0\r\nContent-Length: 12\r\n\r\n", 0,
	    "HTTP/1.0 without Host", &o);
	is_int(o.req.minor, 0, "minor 0");
	is_int(o.req.content_length, 12, "Content-Length");
	is_int(o.req.keep_alive, 0, "1.0 closes by default");

	REQ("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 0, "asterisk-form", &o);
	REQ("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", 0,
	    "authority-form", &o);
	REQ("GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n", 0, "absolute-form",
	    &o);
	REQ("M-S.E~A!RCH# / HTTP/1.1\r\nHost: h\r\n\r\n", 0,
	    "method with token punctuation", &o);
	ok(span_is(o.req.method, "M-S.E~A!RCH#"), "odd method kept");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n", 0,
	    "obs-text in a field value", &o);
}

static void
test_request_line(void)
{
	struct outcome o;

	REQ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "method not a token", &o);
	REQ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "two SP after method",
	    &o);
	REQ("GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400, "two SP after target",
	    &o);
	REQ(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "leading SP", &o);
	REQ("\tGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "leading HTAB", &o);
	REQ("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "HTAB as separator", &o);
	REQ("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 400, "HTAB in target", &o);
	REQ("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "CTL in target", &o);
	REQ("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400, "DEL in target", &o);
	REQ("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400,
	    "non-ASCII in target", &o);
	REQ("GET /\r\nHost: h\r\n\r\n", 400, "no version (HTTP/0.9)", &o);
	REQ("GET\r\n\r\n", 400, "method only", &o);
	REQ("GET / HTTP/1.0\r\n\r\n", 0, "HTTP/1.0", &o);
	REQ("GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505, "HTTP/1.2", &o);
	REQ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "HTTP/2.0", &o);
	REQ("GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505, "HTTP/0.9", &o);
	REQ("GET / http/1.1\r\nHost: h\r\n\r\n", 400, "lowercase version", &o);
	REQ("GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400, "two-digit minor", &o);
	REQ("GET / HTTP/11.1\r\nHost: h\r\n\r\n", 400, "two-digit major", &o);
	REQ("GET / HTTP/1\r\nHost: h\r\n\r\n", 400, "no minor", &o);
	REQ("GET / HTTP/1,1\r\nHost: h\r\n\r\n", 400, "comma in version", &o);
	REQ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400, "SP after version", &o);
	REQ("GET / HTTP/2\r\nHost: h\r\n\r\n", 400, "HTTP/2 without minor", &o);
	REQ("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400,
	    "TLS ClientHello", &o);
	REQ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505,
	    "h2 prior-knowledge preface", &o);
}

static void
test_fields(void)
{
	struct outcome o;

	REQ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, "SP before colon", &o);
	REQ("GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400, "HTAB before colon",
	    &o);
	REQ("GET / HTTP/1.1\r\nHo st: h\r\n\r\n", 400, "SP in name", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400, "empty name", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX@y: v\r\n\r\n", 400, "@ in name",
	    &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX\xc3\xa9: v\r\n\r\n", 400,
	    "non-ASCII name", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400,
	    "line without colon", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n", 400,
	    "CTL in value", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fz\r\n\r\n", 400,
	    "DEL in value", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\tb c\r\n\r\n", 0,
	    "HTAB and SP inside a value", &o);
	ok(span_is(o.req.headers[1].value, "a\tb c"), "inner OWS kept");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX:no-space\r\n\r\n", 0,
	    "no OWS after colon", &o);
	ok(span_is(o.req.headers[1].value, "no-space"), "value without OWS");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX:   \r\n\r\n", 0, "value only OWS",
	    &o);
	ok(o.req.headers[1].value.len == 0, "OWS-only value is empty");
}

static void
test_line_endings(void)
{
	struct outcome o;
	static const char lf[] = "GET / HTTP/1.1\nHost: h\nX: y\n\n";
	static const char mixed[] = "GET / HTTP/1.1\r\nHost: h\nX: y \r\n\n";

	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400,
	    "obs-fold with SP", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400,
	    "obs-fold with HTAB", &o);
	is_str(o.err, "line starts with whitespace (obs-fold)",
	    "obs-fold message");
	REQ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400,
	    "whitespace line after the request line", &o);
	REQ("GET / HTTP/1.1\rHost: h\r\n\r\n", 400,
	    "bare CR after request line", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400,
	    "bare CR inside a value", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\r\n\r\n", 400, "CR CR LF", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\n\rX", 400, "bare CR at the end", &o);
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX\r: a\r\n\r\n", 400,
	    "CR inside a name", &o);
	REQ("\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "leading bare CR", &o);

	REQ(lf, 0, "bare LF line ends accepted", &o);
	is_int(o.r, sizeof(lf) - 1, "bare LF head length");
	ok(span_is(o.req.headers[1].value, "y"), "bare LF value");
	REQ(mixed, 0, "mixed CRLF and LF", &o);
	is_int(o.r, sizeof(mixed) - 1, "mixed head length");
	ok(span_is(o.req.headers[1].value, "y"), "value before CRLF trimmed");
}

static void
test_nul(void)
{
	struct outcome o;
	static const char base[] =
	    "GET /x HTTP/1.1\r\nHost: h\r\nX-A: bc\r\n\r\n";
	char s[sizeof(base)];
	size_t i, bad = 0;
	int r;

	/* A NUL in place of any byte, or inserted anywhere, is refused. */
	for (i = 0; i < sizeof(base) - 1; i++) {
		memcpy(s, base, sizeof(base));
		s[i] = '\0';
		parse_whole((const unsigned char *)s, sizeof(base) - 1, &o);
		r = o.r;
		if (r != FAB_ERROR || o.status != 400) {
			diag("NUL at %zu: r=%d status=%d", i, r, o.status);
			bad++;
		}
	}
	is_int(bad, 0, "NUL at every position -> 400");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n", 400, "NUL in value",
	    &o);
	REQ("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "NUL in target", &o);
	REQ("\0GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "NUL first", &o);
}

static void
test_content_length(void)
{
	struct outcome o;

	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", 0,
	    "CL 0", &o);
	is_int(o.req.content_length, 0, "CL 0 value");
	REQ("POST / HTTP/1.1\r\nHost: h\r\ncontent-length:  42 \r\n\r\n", 0,
	    "CL with OWS, lowercase name", &o);
	is_int(o.req.content_length, 42, "CL 42");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n", 0,
	    "CL leading zeros", &o);
	is_int(o.req.content_length, 7, "CL 007 is 7");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", 0,
	    "CL list of identical values", &o);
	is_int(o.req.content_length, 5, "CL 5, 5");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n",
	    0, "two identical CL fields", &o);
	is_int(o.req.content_length, 5, "two CL fields value");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n", 400,
	    "CL list of different values", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n",
	    400, "two different CL fields", &o);
	is_str(o.err, "conflicting Content-Length values", "conflict message");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400,
	    "CL with plus sign", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400,
	    "negative CL", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400,
	    "hex CL", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n", 400,
	    "CL with inner space", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400,
	    "empty CL", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,,5\r\n\r\n", 400,
	    "CL list with empty element", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5,\r\n\r\n", 400,
	    "CL list with trailing comma", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 4611686018427387904\r\n\r\n",
	    0, "CL 2^62 (the cap)", &o);
	is_int(o.req.content_length, 4611686018427387904LL, "CL 2^62 value");
	REQ("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 4611686018427387905\r\n\r\n",
	    400, "CL 2^62+1", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 18446744073709551616\r\n\r\n",
	    400, "CL 2^64 (would wrap)", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\n"
	    "Content-Length: 99999999999999999999999999999\r\n\r\n",
	    400, "CL far too large", &o);
}

static void
test_transfer_encoding(void)
{
	struct outcome o;

	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
	    0, "TE chunked", &o);
	is_int(o.req.chunked, 1, "chunked flag");
	is_int(o.req.content_length, -1, "no length with chunked");
	REQ("POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: ChUnKeD\r\n\r\n",
	    0, "TE chunked any case", &o);
	is_int(o.req.chunked, 1, "chunked flag (any case)");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\n\r\n",
	    400, "TE with CL (smuggling)", &o);
	is_str(o.err, "Transfer-Encoding with Content-Length", "TE+CL message");
	REQ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n",
	    400, "CL then TE", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
	    400, "TE gzip only (final not chunked)", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n"
	    "\r\n",
	    400, "TE chunked, gzip", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n"
	    "\r\n",
	    501, "TE gzip, chunked", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n",
	    501, "TE gzip and chunked in two fields", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n",
	    400, "TE chunked then gzip in two fields", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n",
	    400, "TE identity", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked"
	    "\r\n\r\n",
	    400, "chunked twice", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 400,
	    "empty TE", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,\r\n\r\n", 400,
	    "TE only commas", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chu@nked\r\n\r\n",
	    400, "TE not a token", &o);
	REQ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked "
	    ",\r\n\r\n",
	    0, "TE with empty list element", &o);
	REQ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
	    "TE in HTTP/1.0", &o);
}

static void
test_connection(void)
{
	struct outcome o;

	REQ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", 0,
	    "1.1 close", &o);
	is_int(o.req.keep_alive, 0, "close turns keep-alive off");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, "
	    "CLOSE\r\n\r\n",
	    0, "1.1 keep-alive, close", &o);
	is_int(o.req.keep_alive, 0, "close wins in a list");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n", 0,
	    "1.1 closed", &o);
	is_int(o.req.keep_alive, 1, "'closed' is not 'close'");
	REQ("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n"
	    "Connection: close\r\n\r\n",
	    0, "close in a second Connection field", &o);
	is_int(o.req.keep_alive, 0, "second field counts");
	REQ("GET / HTTP/1.0\r\n\r\n", 0, "1.0 default", &o);
	is_int(o.req.keep_alive, 0, "1.0 closes");
	REQ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0,
	    "1.0 keep-alive", &o);
	is_int(o.req.keep_alive, 1, "1.0 keep-alive persists");
	REQ("GET / HTTP/1.0\r\nConnection: foo,KEEP-ALIVE\r\n\r\n", 0,
	    "1.0 keep-alive in a list", &o);
	is_int(o.req.keep_alive, 1, "1.0 keep-alive in a list persists");
	REQ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", 0,
	    "1.0 keep-alive and close", &o);
	is_int(o.req.keep_alive, 0, "1.0 close wins");

	REQ("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
	    "Content-Length: 3\r\n\r\n",
	    0, "Expect", &o);
	is_int(o.req.expect_continue, 1, "100-continue");
	REQ("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n", 0,
	    "Expect any case", &o);
	is_int(o.req.expect_continue, 1, "100-Continue");
	REQ("PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", 0,
	    "Expect in 1.0", &o);
	is_int(o.req.expect_continue, 0, "1.0 expectation ignored");
	REQ("PUT / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", 0,
	    "other Expect", &o);
	is_int(o.req.expect_continue, 0, "other expectation is not continue");

	REQ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, "
	    "HTTP2-Settings\r\n"
	    "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
	    0, "h2c upgrade", &o);
	is_int(o.req.upgrade, 1, "upgrade flag");
	is_int(o.req.keep_alive, 1, "upgrade keeps the connection");
}

static void
test_host(void)
{
	struct outcome o;

	REQ("GET / HTTP/1.1\r\n\r\n", 400, "1.1 without Host", &o);
	is_str(o.err, "HTTP/1.1 request without Host", "missing Host message");
	REQ("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "two Host",
	    &o);
	REQ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "Host with SP", &o);
	REQ("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "Host with slash", &o);
	REQ("GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "Host with at sign",
	    &o);
	REQ("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 0, "IPv6 Host", &o);
	REQ("GET / HTTP/1.1\r\nHost: cache.example-1.org:80\r\n\r\n", 0,
	    "name and port", &o);
	REQ("GET / HTTP/1.1\r\nHost:\r\n\r\n", 0, "empty Host", &o);
	REQ("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400,
	    "two Host in 1.0", &o);
}

static void
test_leading_lines(void)
{
	struct outcome o;
	static const char two[] = "\r\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
	char s[256];
	size_t n;
	int i;

	REQ(two, 0, "leading CRLF and LF skipped", &o);
	is_int(o.r, sizeof(two) - 1, "head length counts the skipped lines");
	ok(span_is(o.req.method, "GET"), "method after empty lines");

	for (i = H1_MAX_EMPTY_LINES; i <= H1_MAX_EMPTY_LINES + 1; i++) {
		n = 0;
		while (n < (size_t)i * 2) {
			s[n++] = '\r';
			s[n++] = '\n';
		}
		n += (size_t)snprintf(
		    s + n, sizeof(s) - n, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
		check_req(s, n, i == H1_MAX_EMPTY_LINES ? 0 : 400,
		    i == H1_MAX_EMPTY_LINES ? "empty lines at the limit"
					    : "empty lines one past the limit",
		    &o);
	}
}

/* Appends "X-Pad: " and pad bytes and CRLF so the buffer grows by want. */
static void
append_field(struct buf *b, size_t want)
{
	size_t vlen = want - 9; /* "X-Pad: " + CRLF */

	if (buf_append_str(b, "X-Pad: ") == -1)
		abort();
	while (vlen-- > 0)
		if (buf_putc(b, 'v') == -1)
			abort();
	if (buf_append_str(b, "\r\n") == -1)
		abort();
}

static void
test_limits(void)
{
	struct outcome o;
	struct buf b;
	size_t extra, i;
	int k;
	char name[64];

	/* Head exactly H1_MAX_HEAD bytes, then one more. */
	for (extra = 0; extra <= 1; extra++) {
		buf_init(&b);
		if (buf_append_str(&b, "GET / HTTP/1.1\r\nHost: h\r\n") == -1)
			abort();
		append_field(&b, H1_MAX_HEAD + extra - b.len - 2);
		if (buf_append_str(&b, "\r\n") == -1)
			abort();
		is_int(b.len, H1_MAX_HEAD + extra, "built head size");
		check_req((const char *)b.data, b.len, extra ? 431 : 0,
		    extra ? "head one past H1_MAX_HEAD" : "head at H1_MAX_HEAD",
		    &o);
		if (!extra)
			is_int(o.r, H1_MAX_HEAD, "head length at the limit");
		buf_release(&b);
	}

	/* A head that never ends is refused once it passes the limit. */
	buf_init(&b);
	if (buf_append_str(&b, "GET / HTTP/1.1\r\n") == -1)
		abort();
	while (b.len < H1_MAX_HEAD)
		append_field(&b, 1000);
	check_req((const char *)b.data, H1_MAX_HEAD, FAB_INCOMPLETE,
	    "unterminated head at the limit", &o);
	check_req((const char *)b.data, H1_MAX_HEAD + 1, 431,
	    "unterminated head one past the limit", &o);
	buf_release(&b);

	/* H1_MAX_HEADERS field lines, then one more. */
	for (k = 0; k <= 1; k++) {
		buf_init(&b);
		if (buf_append_str(&b, "GET / HTTP/1.1\r\nHost: h\r\n") == -1)
			abort();
		for (i = 1; i < (size_t)H1_MAX_HEADERS + (size_t)k; i++)
			if (buf_printf(&b, "X-%zu: %zu\r\n", i, i) == -1)
				abort();
		if (buf_append_str(&b, "\r\n") == -1)
			abort();
		check_req((const char *)b.data, b.len, k ? 431 : 0,
		    k ? "fields one past H1_MAX_HEADERS"
		      : "fields at H1_MAX_HEADERS",
		    &o);
		if (!k)
			is_int(
			    o.req.nheaders, H1_MAX_HEADERS, "all fields kept");
		else
			is_str(o.err, "too many header fields", "431 message");
		buf_release(&b);
	}

	/* request-target of H1_MAX_TARGET bytes, then one more. */
	for (k = 0; k <= 1; k++) {
		buf_init(&b);
		if (buf_append_str(&b, "GET /") == -1)
			abort();
		for (i = 1; i < (size_t)H1_MAX_TARGET + (size_t)k; i++)
			if (buf_putc(&b, 'a') == -1)
				abort();
		if (buf_append_str(&b, " HTTP/1.1\r\nHost: h\r\n\r\n") == -1)
			abort();
		check_req((const char *)b.data, b.len, k ? 414 : 0,
		    k ? "target one past H1_MAX_TARGET"
		      : "target at H1_MAX_TARGET",
		    &o);
		if (!k)
			is_int(
			    o.req.target.len, H1_MAX_TARGET, "target length");
		buf_release(&b);
	}
	/* 414 is detected before the line ends. */
	buf_init(&b);
	if (buf_append_str(&b, "GET /") == -1)
		abort();
	for (i = 1; i <= (size_t)H1_MAX_TARGET; i++)
		if (buf_putc(&b, 'a') == -1)
			abort();
	check_req((const char *)b.data, b.len, 414,
	    "over-long target refused before the line ends", &o);
	buf_release(&b);

	/* Method of H1_MAX_METHOD bytes, then one more. */
	for (k = 0; k <= 1; k++) {
		buf_init(&b);
		for (i = 0; i < (size_t)H1_MAX_METHOD + (size_t)k; i++)
			if (buf_putc(&b, 'M') == -1)
				abort();
		if (buf_append_str(&b, " / HTTP/1.1\r\nHost: h\r\n\r\n") == -1)
			abort();
		snprintf(name, sizeof(name), "method of %d bytes",
		    H1_MAX_METHOD + k);
		check_req((const char *)b.data, b.len, k ? 501 : 0, name, &o);
		buf_release(&b);
	}
}

static void
test_incremental(void)
{
	static const char *const reqs[] = {
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"\r\nPOST /upload?x=1 HTTP/1.1\r\nHost: cache:8080\r\n"
		"Content-Length: 5, 5\r\nConnection: keep-alive\r\n"
		"Expect: 100-continue\r\nX-Trim:  \t v \t\r\n\r\n",
		"PUT /cas/ab HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\nUpgrade: h2c\r\n"
		"X-Empty:\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		"Transfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/3.0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX: \x01\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n",
	};
	struct outcome whole, split;
	unsigned char *copy;
	size_t i, k, len, bad;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		len = strlen(reqs[i]);
		parse_whole((const unsigned char *)reqs[i], len, &whole);
		bad = 0;
		for (k = 0; k <= len; k++) {
			copy = parse_cuts(
			    (const unsigned char *)reqs[i], len, &k, 1, &split);
			if (!outcome_same(&whole, &split)) {
				diag("request %zu split at %zu differs", i, k);
				bad++;
			}
			free(copy);
		}
		ok(bad == 0, "request %zu: every split point agrees (r=%d)", i,
		    whole.r);
		copy =
		    parse_bytewise((const unsigned char *)reqs[i], len, &split);
		ok(outcome_same(&whole, &split),
		    "request %zu: byte by byte agrees", i);
		free(copy);
	}
}

static void
test_pipeline_and_contract(void)
{
	static const char two[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
				  "POST /b HTTP/1.1\r\nHost: h\r\n"
				  "Content-Length: 3\r\n\r\nabc"
				  "GET /c HTTP/1.1\r\nHost: h\r\n\r\n";
	const unsigned char *s = (const unsigned char *)two;
	struct h1_parser p;
	struct h1_request req;
	size_t off = 0, len = sizeof(two) - 1;
	int r, status = 0;
	const char *err = NULL;
	unsigned char small[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

	h1_parser_init(&p);
	r = h1_parse_request(&p, s, len, &req, &status, &err);
	is_int(r, 28, "first pipelined head length");
	ok(span_is(req.target, "/a"), "first target");
	off += (size_t)r;
	h1_parser_init(&p);
	r = h1_parse_request(&p, s + off, len - off, &req, &status, &err);
	ok(r > 0 && span_is(req.target, "/b") && req.content_length == 3,
	    "second pipelined request");
	off += (size_t)r + (size_t)req.content_length;
	h1_parser_init(&p);
	r = h1_parse_request(&p, s + off, len - off, &req, &status, &err);
	ok(r > 0 && span_is(req.target, "/c") && off + (size_t)r == len,
	    "third pipelined request ends the buffer");

	h1_parser_init(&p);
	is_int(h1_parse_request(&p, small, 10, &req, &status, &err),
	    FAB_INCOMPLETE, "prefix is incomplete");
	is_int(h1_parse_request(&p, small, 10, &req, &status, &err),
	    FAB_INCOMPLETE, "same prefix again is still incomplete");
	r = h1_parse_request(&p, small, sizeof(small) - 1, &req, &status, &err);
	is_int(r, sizeof(small) - 1, "completes");
	is_int(
	    h1_parse_request(&p, small, sizeof(small) - 1, &req, &status, &err),
	    r, "a call after completion repeats the result");
	small[4] = 0x01;
	h1_parser_init(&p);
	is_int(
	    h1_parse_request(&p, small, sizeof(small) - 1, &req, &status, &err),
	    FAB_ERROR, "CTL in target");
	is_int(h1_parser_error_offset(&p), 4, "error offset points at it");
	status = 0;
	is_int(
	    h1_parse_request(&p, small, sizeof(small) - 1, &req, &status, &err),
	    FAB_ERROR, "errors are sticky");
	is_int(status, 400, "sticky error keeps its status");
	small[4] = '/';

	h1_parser_init(&p);
	is_int(h1_parse_request(&p, small, 20, &req, &status, &err),
	    FAB_INCOMPLETE, "shrink test: first call");
	is_int(h1_parse_request(&p, small, 10, &req, &status, &err), FAB_ERROR,
	    "a buffer shorter than before is refused");
	is_int(status, 500, "that is the caller's bug: 500");
}

/* Response side. */
static int
parse_resp(const char *s, struct h1_response *resp, const char **err)
{
	struct h1_parser p;
	struct h1_response r2;
	const char *err2 = NULL;
	size_t i, len = strlen(s);
	int r, rb = FAB_INCOMPLETE;

	h1_parser_init(&p);
	r = h1_parse_response(&p, (const unsigned char *)s, len, resp, err);
	h1_parser_init(&p);
	for (i = 1; i <= len && rb == FAB_INCOMPLETE; i++)
		rb = h1_parse_response(
		    &p, (const unsigned char *)s, i, &r2, &err2);
	if (rb != r ||
	    (r > 0 &&
		(r2.status != resp->status ||
		    r2.content_length != resp->content_length ||
		    r2.chunked != resp->chunked ||
		    r2.keep_alive != resp->keep_alive ||
		    r2.nheaders != resp->nheaders)))
		return -100; /* whole and byte by byte disagree */
	return r;
}

static void
test_response(void)
{
	struct h1_response resp;
	const struct h1_header *h;
	const char *err = NULL;
	struct h1_parser p;
	struct h1_request req;
	int r, status;
	static const char ok200[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
				    "Server: x\r\n\r\nhello";

	r = parse_resp(ok200, &resp, &err);
	is_int(r, sizeof(ok200) - 1 - 5, "200 head length");
	is_int(resp.status, 200, "status");
	ok(span_is(resp.reason, "OK"), "reason");
	is_int(resp.minor, 1, "minor");
	is_int(resp.content_length, 5, "length");
	is_int(resp.keep_alive, 1, "1.1 response keeps alive");
	is_int(h1_response_body(&resp, 0), H1_BODY_LENGTH, "length body");
	is_int(h1_response_body(&resp, 1), H1_BODY_NONE, "no body after HEAD");
	ok(h1_response_has_body(&resp, 0) && !h1_response_has_body(&resp, 1),
	    "has_body");
	h = h1_response_header_get(&resp, "server");
	ok(h != NULL && span_is(h->value, "x"), "response field lookup");

	r = parse_resp("HTTP/1.1 404 Not Found Here\r\n\r\n", &resp, &err);
	ok(r > 0 && span_is(resp.reason, "Not Found Here"),
	    "reason with spaces");
	is_int(h1_response_body(&resp, 0), H1_BODY_CLOSE,
	    "no length, no chunked: until close");
	r = parse_resp("HTTP/1.1 204 No Content\r\n\r\n", &resp, &err);
	ok(r > 0 && h1_response_body(&resp, 0) == H1_BODY_NONE, "204 no body");
	r = parse_resp("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
	    &resp, &err);
	ok(r > 0 && h1_response_body(&resp, 0) == H1_BODY_NONE, "304 no body");
	r = parse_resp("HTTP/1.1 100 Continue\r\n\r\n", &resp, &err);
	ok(r > 0 && resp.status == 100 && !h1_response_has_body(&resp, 0),
	    "100 Continue has no body");
	r = parse_resp("HTTP/1.1 200\r\n\r\n", &resp, &err);
	ok(r > 0 && resp.reason.len == 0, "no SP and no reason accepted");
	r = parse_resp("HTTP/1.1 200 \r\n\r\n", &resp, &err);
	ok(r > 0 && resp.reason.len == 0, "empty reason");
	r = parse_resp("HTTP/1.1 200 caf\xc3\xa9\tok\r\n\r\n", &resp, &err);
	ok(r > 0, "obs-text and HTAB in reason");
	r = parse_resp("HTTP/1.1 200 O\x01K\r\n\r\n", &resp, &err);
	ok(r == FAB_ERROR, "CTL in reason");
	r = parse_resp(
	    "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n", &resp, &err);
	ok(r > 0 && resp.chunked &&
		h1_response_body(&resp, 0) == H1_BODY_CHUNKED,
	    "chunked response (bare LF)");
	r = parse_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
		       "Content-Length: 10\r\n\r\n",
	    &resp, &err);
	ok(r > 0 && resp.chunked && resp.content_length == -1 &&
		!resp.keep_alive,
	    "TE overrides CL in a response, connection not reused");
	r = parse_resp(
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", &resp, &err);
	ok(r == FAB_ERROR, "response TE gzip refused");
	r = parse_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked"
		       "\r\n\r\n",
	    &resp, &err);
	ok(r == FAB_ERROR, "response TE gzip, chunked refused");
	r = parse_resp("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	    &resp, &err);
	ok(r == FAB_ERROR, "TE in a 1.0 response refused");
	r = parse_resp("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
		       "Content-Length: 2\r\n\r\n",
	    &resp, &err);
	ok(r == FAB_ERROR, "conflicting CL in a response");
	r = parse_resp("HTTP/1.0 200 OK\r\n\r\n", &resp, &err);
	ok(r > 0 && resp.minor == 0 && !resp.keep_alive, "1.0 response closes");
	r = parse_resp(
	    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", &resp, &err);
	ok(r > 0 && resp.keep_alive, "1.0 keep-alive response");
	r = parse_resp(
	    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", &resp, &err);
	ok(r > 0 && !resp.keep_alive, "1.1 close response");
	ok(parse_resp("HTTP/1.1 20 OK\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "two-digit status");
	ok(parse_resp("HTTP/1.1 2000 OK\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "four-digit status");
	ok(parse_resp("HTTP/1.1 099 X\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "status below 100");
	ok(parse_resp("HTTP/1.1 600 X\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "status above 599");
	ok(parse_resp("HTTP/1.1 599 X\r\n\r\n", &resp, &err) > 0, "status 599");
	ok(parse_resp("HTTP/2 200 OK\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "HTTP/2 status line");
	ok(parse_resp("HTTP/1.1  200 OK\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "two SP after version");
	ok(parse_resp("HTTP/1.2 200 OK\r\n\r\n", &resp, &err) == FAB_ERROR,
	    "HTTP/1.2 response");
	ok(parse_resp("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", &resp, &err) ==
		FAB_ERROR,
	    "obs-fold in a response");
	ok(parse_resp("\r\nHTTP/1.1 200 OK\r\n\r\n", &resp, &err) > 0,
	    "leading empty line before a status line");

	h1_parser_init(&p);
	r = h1_parse_request(
	    &p, (const unsigned char *)"GET", 3, &req, &status, &err);
	is_int(r, FAB_INCOMPLETE, "mode: request started");
	r = h1_parse_response(
	    &p, (const unsigned char *)"GET /", 5, &resp, &err);
	is_int(r, FAB_ERROR, "mode: response on a request parser refused");
}

/* Chunked decoding: feeds in with pieces of at most step bytes (0 = all at
 * once), collecting data.  Returns total consumed, or FAB_ERROR. */
static long
dechunk(struct h1_chunked *c, const unsigned char *in, size_t len, size_t step,
    struct buf *out, const char **err)
{
	size_t pos = 0, piece, off, dlen, used;
	int r;

	while (pos < len && !h1_chunked_done(c)) {
		piece = step == 0 || len - pos < step ? len - pos : step;
		used = 0;
		while (used < piece && !h1_chunked_done(c)) {
			r = h1_chunked_decode(
			    c, in + pos + used, piece - used, &off, &dlen, err);
			if (r < 0)
				return r;
			if (dlen > 0 &&
			    buf_append(out, in + pos + used + off, dlen) == -1)
				abort();
			if (off + dlen > (size_t)r)
				return -100; /* data must lie in consumed */
			if (r == 0)
				return -101; /* no progress before done */
			used += (size_t)r;
		}
		pos += used;
		if (used < piece)
			break;
	}
	return (long)pos;
}

/* Decodes s whole and byte by byte; both must agree.  want_data NULL means
 * an error is expected. */
static void
chunk_case(const char *s, size_t len, const char *want_data, long want_used,
    const char *name)
{
	struct h1_chunked c;
	struct buf a, b;
	const char *err = NULL;
	long ra, rb;

	buf_init(&a);
	buf_init(&b);
	h1_chunked_init(&c);
	ra = dechunk(&c, (const unsigned char *)s, len, 0, &a, &err);
	h1_chunked_init(&c);
	rb = dechunk(&c, (const unsigned char *)s, len, 1, &b, &err);
	if (want_data == NULL) {
		ok(ra == FAB_ERROR && rb == FAB_ERROR, "%s: refused (%s)", name,
		    ra == FAB_ERROR ? err : "accepted");
	} else {
		ok(ra == want_used && rb == want_used,
		    "%s: consumed %ld (whole %ld, bytewise %ld)", name,
		    want_used, ra, rb);
		is_mem(a.data, a.len, want_data, strlen(want_data), name);
		is_mem(b.data, b.len, want_data, strlen(want_data), name);
	}
	buf_release(&a);
	buf_release(&b);
}

#define CHUNK(s, data, name) \
	chunk_case((s), sizeof(s) - 1, (data), (long)sizeof(s) - 1, (name))
#define CHUNK_BAD(s, name) chunk_case((s), sizeof(s) - 1, NULL, 0, (name))

static void
test_chunked(void)
{
	struct h1_chunked c;
	struct buf b;
	const char *err = NULL;
	size_t off, dlen, i;
	int r, k;
	static const char big[] = "4000000000000000\r\nab";

	CHUNK("5\r\nhello\r\n0\r\n\r\n", "hello", "one chunk");
	CHUNK("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world",
	    "two chunks");
	CHUNK("0\r\n\r\n", "", "empty body");
	CHUNK("a\r\n0123456789\r\nA\r\nABCDEFGHIJ\r\n0\r\n\r\n",
	    "0123456789ABCDEFGHIJ", "lower and upper hex");
	CHUNK("1f\r\n0123456789abcdef0123456789abcde\r\n0\r\n\r\n",
	    "0123456789abcdef0123456789abcde", "two-digit hex");
	CHUNK("0000000000000000000000005\r\nhello\r\n0\r\n\r\n", "hello",
	    "leading zeros");
	CHUNK("5;name=value\r\nhello\r\n0;last\r\n\r\n", "hello", "extensions");
	CHUNK("5 ; a=\"b c\" ;d\t;e=f\r\nhello\r\n0\r\n\r\n", "hello",
	    "extensions with BWS and quoted string");
	CHUNK("5\r\nhello\r\n0\r\nX-Sum: abc\r\nTrailer-Two:\r\n\r\n", "hello",
	    "trailers discarded");
	CHUNK("3\r\n\r\n\n\r\n0\r\n\r\n", "\r\n\n", "CR LF inside data");
	CHUNK_BAD("5 \r\nhello\r\n0\r\n\r\n", "trailing whitespace after size");
	CHUNK_BAD(" 5\r\nhello\r\n0\r\n\r\n", "leading whitespace");
	CHUNK_BAD("\r\nhello\r\n0\r\n\r\n", "empty size");
	CHUNK_BAD("-5\r\nhello\r\n0\r\n\r\n", "negative size");
	CHUNK_BAD("0x5\r\nhello\r\n0\r\n\r\n", "0x prefix");
	CHUNK_BAD("5g\r\nhello\r\n0\r\n\r\n", "non-hex digit");
	CHUNK_BAD("5\nhello\r\n0\r\n\r\n", "bare LF after size");
	CHUNK_BAD("5\rhello\r\n0\r\n\r\n", "bare CR after size");
	CHUNK_BAD("5;a\x01\r\nhello\r\n0\r\n\r\n", "CTL in extension");
	CHUNK_BAD("5;a\nhello\r\n0\r\n\r\n", "bare LF in extension");
	CHUNK_BAD("5\r\nhelloX\r\n0\r\n\r\n", "data longer than size");
	CHUNK_BAD("5\r\nhello\n0\r\n\r\n", "bare LF after data");
	CHUNK_BAD("5\r\nhello\r0\r\n\r\n", "bare CR after data");
	CHUNK_BAD("5\r\nhell\r\n0\r\n\r\n", "data shorter than size");
	CHUNK_BAD("0\r\nX: a\n\r\n", "bare LF after a trailer");
	CHUNK_BAD("0\r\n\n", "bare LF at the end");
	CHUNK_BAD("0\r\n folded\r\n\r\n", "trailer starting with SP");
	CHUNK_BAD("0\r\nX : a\r\n\r\n", "SP before colon in trailer");
	CHUNK_BAD("0\r\nX: a\x01\r\n\r\n", "CTL in trailer value");
	CHUNK_BAD("0\r\nNoColon\r\n\r\n", "trailer without colon");
	CHUNK_BAD("FFFFFFFFFFFFFFFFFFFF\r\n", "size over 64 bits");
	CHUNK_BAD("4000000000000001\r\n", "size 2^62 + 1");
	CHUNK_BAD("\0\r\n", "NUL size");

	/* 2^62 is accepted; the data then streams. */
	h1_chunked_init(&c);
	r = h1_chunked_decode(
	    &c, (const unsigned char *)big, sizeof(big) - 1, &off, &dlen, &err);
	ok(r == (int)sizeof(big) - 1 && off == 18 && dlen == 2,
	    "size 2^62 accepted, first data returned");
	ok(c.remaining == (1ULL << 62) - 2, "remaining counts down");

	/* What follows the trailer section is not consumed. */
	h1_chunked_init(&c);
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"0\r\n\r\nGET /", 10, &off, &dlen, &err);
	ok(r == 5 && h1_chunked_done(&c) && dlen == 0,
	    "stops after the last chunk");
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"GET /", 5, &off, &dlen, &err);
	ok(r == 0 && dlen == 0, "done decoder consumes nothing");

	/* Data runs end at chunk boundaries; framing-only calls return 0
	 * data. */
	h1_chunked_init(&c);
	r = h1_chunked_decode(&c, (const unsigned char *)"3\r\nabc\r\n2\r\nde",
	    14, &off, &dlen, &err);
	ok(r == 6 && off == 3 && dlen == 3, "first run");
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"\r\n2\r\nde", 7, &off, &dlen, &err);
	ok(r == 7 && off == 5 && dlen == 2, "second run after framing");
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"\r\n", 2, &off, &dlen, &err);
	ok(r == 2 && dlen == 0 && !h1_chunked_done(&c), "framing only");

	/* Errors are sticky. */
	h1_chunked_init(&c);
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"z", 1, &off, &dlen, &err);
	err = NULL;
	r = h1_chunked_decode(
	    &c, (const unsigned char *)"5", 1, &off, &dlen, &err);
	ok(r == FAB_ERROR && err != NULL, "chunked error is sticky");

	/* Size line of H1_MAX_CHUNK_LINE bytes, then one more. */
	for (k = 0; k <= 1; k++) {
		buf_init(&b);
		if (buf_append_str(&b, "1;") == -1)
			abort();
		for (i = 2; i < (size_t)H1_MAX_CHUNK_LINE + (size_t)k; i++)
			if (buf_putc(&b, 'e') == -1)
				abort();
		if (buf_append_str(&b, "\r\nx\r\n0\r\n\r\n") == -1)
			abort();
		chunk_case((const char *)b.data, b.len, k ? NULL : "x",
		    (long)b.len,
		    k ? "chunk line one past the limit"
		      : "chunk line at the limit");
		buf_release(&b);
	}
	/* Trailer section of H1_MAX_HEAD bytes (final CRLF included), then
	 * one more. */
	for (k = 0; k <= 1; k++) {
		buf_init(&b);
		if (buf_append_str(&b, "0\r\n") == -1)
			abort();
		append_field(&b, H1_MAX_HEAD + (size_t)k - 2);
		if (buf_append_str(&b, "\r\n") == -1)
			abort();
		chunk_case((const char *)b.data, b.len, k ? NULL : "",
		    (long)b.len,
		    k ? "trailers one past H1_MAX_HEAD"
		      : "trailers at H1_MAX_HEAD");
		buf_release(&b);
	}
}

static uint32_t rng_state = 0x9e3779b9;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random data, chunked at random sizes with random hex case, extensions
 * and trailers, decoded in random pieces, must come back unchanged. */
static void
test_chunked_roundtrip(void)
{
	struct h1_chunked c;
	struct buf data, enc, out;
	const char *err = NULL;
	size_t i, pos, n, piece, off, dlen, used;
	int iter, r, bad = 0, fed_pieces = 0;
	char hex[32];

	for (iter = 0; iter < 300; iter++) {
		buf_init(&data);
		buf_init(&enc);
		buf_init(&out);
		n = rng() % 4000;
		for (i = 0; i < n; i++)
			if (buf_putc(&data, (int)(rng() & 0xff)) == -1)
				abort();
		for (pos = 0; pos < n; pos += piece) {
			piece = 1 + rng() % 700;
			if (piece > n - pos)
				piece = n - pos;
			snprintf(
			    hex, sizeof(hex), rng() & 1 ? "%zx" : "%zX", piece);
			if (buf_printf(&enc, "%s%s%s\r\n",
				rng() % 3 == 0 ? "00" : "", hex,
				rng() % 4 == 0 ? ";ext=\"v\"" : "") == -1 ||
			    buf_append(&enc, data.data + pos, piece) == -1 ||
			    buf_append_str(&enc, "\r\n") == -1)
				abort();
		}
		if (buf_append_str(&enc,
			rng() & 1 ? "0\r\n\r\n" : "0\r\nX-T: 1\r\n\r\n") == -1)
			abort();
		/* A following message must be left alone. */
		if (buf_append_str(&enc, "NEXT") == -1)
			abort();
		h1_chunked_init(&c);
		for (used = 0; used < enc.len && !h1_chunked_done(&c);) {
			piece = 1 + rng() % 64;
			if (rng() % 8 == 0)
				piece = enc.len;
			if (piece > enc.len - used)
				piece = enc.len - used;
			r = h1_chunked_decode(
			    &c, enc.data + used, piece, &off, &dlen, &err);
			fed_pieces++;
			/* Until done, every call makes progress. */
			if (r <= 0 || (size_t)r > piece ||
			    off + dlen > (size_t)r) {
				bad++;
				diag("iteration %d: r=%d %s", iter, r,
				    r < 0 ? err : "");
				break;
			}
			if (buf_append(&out, enc.data + used + off, dlen) == -1)
				abort();
			used += (size_t)r;
		}
		if (!h1_chunked_done(&c) || used != enc.len - 4 ||
		    out.len != data.len ||
		    (n > 0 && memcmp(out.data, data.data, n) != 0)) {
			if (bad == 0)
				diag("iteration %d: %zu bytes differ", iter, n);
			bad++;
		}
		buf_release(&data);
		buf_release(&enc);
		buf_release(&out);
	}
	is_int(bad, 0, "300 random chunkings decode to the original data");
	ok(fed_pieces > 1000, "random feeding exercised (%d calls)",
	    fed_pieces);
}

int
main(void)
{
	test_basic();
	test_request_line();
	test_fields();
	test_line_endings();
	test_nul();
	test_content_length();
	test_transfer_encoding();
	test_connection();
	test_host();
	test_leading_lines();
	test_limits();
	test_incremental();
	test_pipeline_and_contract();
	test_response();
	test_chunked();
	test_chunked_roundtrip();
	return done_testing();
}
