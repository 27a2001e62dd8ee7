/*
 * Fuzz target for tools/reapi's ByteStream resource names and digests.
 * The input is parsed as a Read name and as a Write name; an accepted
 * name must have its instance as a prefix of the input, a size within
 * int64, size 0 only for the empty blob, and must rebuild into a
 * canonical name that parses to the same fields.  The input is also
 * checked as a Digest (first 8 bytes: size_bytes, the rest: hash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/hex.h"
#include "http/grpc_frame.h"
#include "pb/reapi.h"
#include "tools/reapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fz_empty[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void
fz_name(struct span s, int write)
{
	struct reapi_rname rn, rn2;
	struct buf b;
	char hex[SHA256_LEN * 2 + 1];
	const char *err;
	int code;

	err = reapi_rname_parse(s, write, &rn, &code);
	if (err != NULL) {
		if (code != GRPC_STATUS_INVALID_ARGUMENT &&
		    code != GRPC_STATUS_UNIMPLEMENTED)
			abort();
		return;
	}
	if (rn.instance.p != s.p || rn.instance.len >= s.len ||
	    rn.size > (uint64_t)INT64_MAX)
		abort();
	hex_encode(hex, rn.digest, SHA256_LEN);
	if (rn.size == 0 && strcmp(hex, fz_empty) != 0)
		abort();
	/* The canonical spelling parses to the same fields. */
	buf_init(&b);
	if ((rn.instance.len > 0 &&
		(buf_append(&b, rn.instance.p, rn.instance.len) == -1 ||
		    buf_putc(&b, '/') == -1)) ||
	    buf_printf(&b, "%sblobs/%s/%llu", write ? "uploads/u/" : "", hex,
		(unsigned long long)rn.size) == -1)
		abort();
	if (reapi_rname_parse(span_make(b.data, b.len), write, &rn2, &code) !=
		NULL ||
	    rn2.instance.len != rn.instance.len ||
	    memcmp(rn2.instance.p, rn.instance.p, rn.instance.len) != 0 ||
	    memcmp(rn2.digest, rn.digest, SHA256_LEN) != 0 ||
	    rn2.size != rn.size)
		abort();
	/* A Read name with its instance is also a valid Write target. */
	if (!write) {
		buf_reset(&b);
		if ((rn.instance.len > 0 &&
			(buf_append(&b, rn.instance.p, rn.instance.len) == -1 ||
			    buf_putc(&b, '/') == -1)) ||
		    buf_printf(&b, "uploads/0-1/blobs/%s/%llu/meta", hex,
			(unsigned long long)rn.size) == -1 ||
		    reapi_rname_parse(
			span_make(b.data, b.len), 1, &rn2, &code) != NULL ||
		    rn2.size != rn.size)
			abort();
	}
	buf_release(&b);
}

static void
fz_digest(const uint8_t *data, size_t size)
{
	struct reapi_digest d;
	unsigned char out[SHA256_LEN];
	char hex[SHA256_LEN * 2 + 1];
	uint64_t u = 0;
	size_t i;

	if (size < 8)
		return;
	for (i = 0; i < 8; i++)
		u = u << 8 | data[i];
	memset(&d, 0, sizeof(d));
	d.size_bytes = (int64_t)u;
	d.hash = span_make(data + 8, size - 8);
	if (reapi_digest_check(&d, out) != NULL)
		return;
	hex_encode(hex, out, SHA256_LEN);
	if (d.size_bytes < 0 || d.hash.len != SHA256_LEN * 2 ||
	    memcmp(hex, d.hash.p, SHA256_LEN * 2) != 0 ||
	    (d.size_bytes == 0 && strcmp(hex, fz_empty) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span s;

	if (size == 0)
		data = (const uint8_t *)"";
	s = span_make(data, size);
	fz_name(s, 0);
	fz_name(s, 1);
	fz_digest(data, size);
	if (reapi_digest_check(NULL, (unsigned char[SHA256_LEN]){ 0 }) == NULL)
		abort();
	return 0;
}
