/*
 * Fuzz target for http/h1: parses the input as a request head whole and
 * byte by byte (the results must agree), then runs the chunked decoder over
 * the rest whole and byte by byte (same data, same consumption), and
 * parses the input as a response head.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h1.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct h1_request req_whole, req_bytes;
static struct h1_response resp;
static unsigned char data_whole[65536], data_bytes[65536];

static int
same_span(struct span a, struct span b, const uint8_t *base)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p) &&
	    (a.len == 0 || a.p >= base);
}

static void
check_requests_agree(const uint8_t *in)
{
	size_t i;

	if (!same_span(req_whole.method, req_bytes.method, in) ||
	    !same_span(req_whole.target, req_bytes.target, in) ||
	    req_whole.minor != req_bytes.minor ||
	    req_whole.nheaders != req_bytes.nheaders ||
	    req_whole.content_length != req_bytes.content_length ||
	    req_whole.chunked != req_bytes.chunked ||
	    req_whole.keep_alive != req_bytes.keep_alive ||
	    req_whole.expect_continue != req_bytes.expect_continue ||
	    req_whole.upgrade != req_bytes.upgrade)
		abort();
	for (i = 0; i < req_whole.nheaders; i++)
		if (!same_span(req_whole.headers[i].name,
			req_bytes.headers[i].name, in) ||
		    !same_span(req_whole.headers[i].value,
			req_bytes.headers[i].value, in))
			abort();
}

/* Decodes in[0..len) feeding at most step bytes per call (0: all).
 * Returns the bytes consumed or FAB_ERROR; data goes to out. */
static long
dechunk(const uint8_t *in, size_t len, size_t step, unsigned char *out,
    size_t *outlen)
{
	struct h1_chunked c;
	const char *err = NULL;
	size_t pos = 0, n, off, dlen;
	int r;

	h1_chunked_init(&c);
	*outlen = 0;
	while (pos < len && !h1_chunked_done(&c)) {
		n = step == 0 || len - pos < step ? len - pos : step;
		r = h1_chunked_decode(&c, in + pos, n, &off, &dlen, &err);
		if (r == FAB_ERROR) {
			if (err == NULL)
				abort();
			return FAB_ERROR;
		}
		/* Until done, each call consumes something and the data lies
		 * inside what it consumed. */
		if (r <= 0 || (size_t)r > n || off + dlen > (size_t)r)
			abort();
		if (*outlen + dlen <= sizeof(data_whole))
			memcpy(out + *outlen, in + pos + off, dlen);
		*outlen += dlen;
		pos += (size_t)r;
	}
	return (long)pos;
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	struct h1_parser p;
	const char *err = NULL, *err2 = NULL;
	int status = 0, status2 = 0, r, rb = FAB_INCOMPLETE;
	size_t i, rest, la, lb;
	long ca, cb;

	h1_parser_init(&p);
	r = h1_parse_request(&p, in, len, &req_whole, &status, &err);
	h1_parser_init(&p);
	for (i = 0; i <= len && rb == FAB_INCOMPLETE; i++)
		rb = h1_parse_request(&p, in, i, &req_bytes, &status2, &err2);
	if (r != rb)
		abort();
	if (r == FAB_ERROR &&
	    (status != status2 || err != err2 || err == NULL || status < 400))
		abort();
	if (r > 0) {
		if ((size_t)r > len)
			abort();
		check_requests_agree(in);
	}

	rest = r > 0 ? (size_t)r : 0;
	ca = dechunk(in + rest, len - rest, 0, data_whole, &la);
	cb = dechunk(in + rest, len - rest, 1, data_bytes, &lb);
	if (ca != cb || (ca >= 0 && la != lb))
		abort();
	if (ca >= 0 && la <= sizeof(data_whole) &&
	    memcmp(data_whole, data_bytes, la) != 0)
		abort();

	h1_parser_init(&p);
	r = h1_parse_response(&p, in, len, &resp, &err);
	if (r > 0 &&
	    ((size_t)r > len || resp.status < 100 || resp.status > 599))
		abort();
	return 0;
}
