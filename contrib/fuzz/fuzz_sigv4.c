/*
 * Fuzz target for upstream/sigv4: the Authorization header parser and
 * header verification, presigned query verification and query
 * canonicalisation, the aws-chunked decoder in all three variants (input
 * split at a fuzzer-chosen step), and an encode -> decode round trip of the
 * input as a signed-trailer body.  The first byte selects the mode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "upstream/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fz_seed[] =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
static const char fz_scope[] = "20130524/us-east-1/s3/aws4_request";
static const char fz_date[] = "20130524T000000Z";

static int
fz_lookup(void *arg, struct span ak, struct span token, struct span *secret)
{
	(void)arg;
	(void)token;
	if (ak.len == 0)
		return -1;
	*secret = span_str("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
	return 0;
}

static void
fz_verify(const uint8_t *p, size_t n, int query)
{
	struct sigv4_header h[4];
	struct sigv4_request r;
	struct sigv4_verify_params vp;
	struct sigv4_auth auth;
	struct sigv4_authz a;
	const char *err;
	struct buf out;

	memset(&r, 0, sizeof(r));
	h[0].name = span_str("Host");
	h[0].value = span_str("examplebucket.s3.amazonaws.com");
	h[1].name = span_str("x-amz-date");
	h[1].value = span_str(fz_date);
	h[2].name = span_str("x-amz-content-sha256");
	h[2].value = span_str(SIGV4_UNSIGNED_PAYLOAD);
	h[3].name = span_str("Authorization");
	h[3].value = span_make(p, n);
	r.method = span_str("GET");
	r.path = span_str("/a//b/../c");
	r.headers = h;
	r.nheaders = query ? 3 : 4;
	r.query = query ? span_make(p, n) : span_str("");
	r.mode = n > 0 && (p[0] & 1) ? SIGV4_MODE_GENERIC : SIGV4_MODE_S3;
	memset(&vp, 0, sizeof(vp));
	vp.lookup = fz_lookup;
	vp.now = 1369353600; /* 20130524T000000Z */
	if (!query &&
	    sigv4_parse_authorization(span_make(p, n), &a, &err) == 0 &&
	    (a.signature.len != 64 || a.date.len != 8))
		abort();
	sigv4_auth_init(&auth);
	if (sigv4_verify(&auth, &r, &vp) == 0 &&
	    sigv4_payload_kind(span_str(SIGV4_UNSIGNED_PAYLOAD)) < 0)
		abort();
	sigv4_auth_release(&auth);
	if (query) {
		buf_init(&out);
		r.path = span_make(p, n);
		if (sigv4_canonical_request(&out, &r, span_str("host")) == 0 &&
		    out.len == 0)
			abort();
		buf_release(&out);
	}
}

static void
fz_chunked(const uint8_t *p, size_t n, int payload, size_t step)
{
	struct sigv4_chunked d;
	struct span data;
	unsigned char key[32];
	size_t off = 0, k, used;
	int rc;

	memset(key, 7, sizeof(key));
	if (sigv4_chunked_init(
		&d, payload, key, fz_date, fz_scope, fz_seed, -1) != 0)
		abort();
	while (off < n) {
		k = n - off < step ? n - off : step;
		rc = sigv4_chunked_feed(&d, p + off, k, &used, &data);
		if (used > k || (rc == SIGV4_CHUNKED_DATA && data.len > used))
			abort();
		off += used;
		if (rc < 0 || rc == SIGV4_CHUNKED_DONE)
			break;
	}
	rc = sigv4_chunked_end(&d);
	if (rc > 0)
		abort();
	sigv4_chunked_release(&d);
}

static void
fz_roundtrip(const uint8_t *p, size_t n)
{
	struct sigv4_chunk_signer s;
	struct sigv4_chunked d;
	struct sigv4_header t;
	struct buf body, out, crc;
	struct span data;
	unsigned char key[32];
	size_t off = 0, used, cut = n > 0 ? (size_t)p[0] % 7 + 1 : 1;
	int rc = SIGV4_CHUNKED_MORE;

	memset(key, 9, sizeof(key));
	buf_init(&body);
	buf_init(&out);
	buf_init(&crc);
	if (sigv4_chunk_signer_init(&s, SIGV4_PAYLOAD_STREAMING_TRAILER, key,
		fz_date, fz_scope, fz_seed) != 0 ||
	    sigv4_crc32_b64(&crc, 0) != 0)
		abort();
	/* The CRC is only checked for x-amz-checksum-crc32; use another. */
	t.name = span_str("x-amz-checksum-sha256");
	t.value = span_make(crc.data, crc.len);
	while (off < n) {
		used = n - off < cut ? n - off : cut;
		if (sigv4_chunk_signer_chunk(&s, p + off, used, &body) != 0)
			abort();
		off += used;
	}
	if (sigv4_chunk_signer_chunk(&s, NULL, 0, &body) != 0 ||
	    sigv4_chunk_signer_finish(&s, &t, 1, &body) != 0)
		abort();
	if (sigv4_chunked_init(&d, SIGV4_PAYLOAD_STREAMING_TRAILER, key,
		fz_date, fz_scope, fz_seed, (long long)n) != 0)
		abort();
	off = 0;
	while (off < body.len) {
		rc = sigv4_chunked_feed(
		    &d, body.data + off, body.len - off, &used, &data);
		off += used;
		if (rc == SIGV4_CHUNKED_DATA &&
		    buf_append(&out, data.p, data.len) != 0)
			abort();
		if (rc < 0 || rc == SIGV4_CHUNKED_DONE)
			break;
	}
	if (rc != SIGV4_CHUNKED_DONE || off != body.len || out.len != n ||
	    (n > 0 && memcmp(out.data, p, n) != 0) ||
	    sigv4_chunked_encoded_length(SIGV4_PAYLOAD_STREAMING_TRAILER, n,
		cut,
		body.len -
		    (size_t)sigv4_chunked_encoded_length(
			SIGV4_PAYLOAD_STREAMING_TRAILER, n, cut, 0)) !=
		body.len)
		abort();
	sigv4_chunked_release(&d);
	buf_release(&body);
	buf_release(&out);
	buf_release(&crc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t step;

	if (size < 2)
		return 0;
	step = (size_t)data[1] % 16 + 1;
	switch (data[0] % 6) {
	case 0:
		fz_verify(data + 2, size - 2, 0);
		break;
	case 1:
		fz_verify(data + 2, size - 2, 1);
		break;
	case 2:
		fz_chunked(data + 2, size - 2,
		    SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER, step);
		break;
	case 3:
		fz_chunked(data + 2, size - 2, SIGV4_PAYLOAD_STREAMING, step);
		break;
	case 4:
		fz_chunked(
		    data + 2, size - 2, SIGV4_PAYLOAD_STREAMING_TRAILER, step);
		break;
	default:
		if (size <= 4096)
			fz_roundtrip(data + 2, size - 2);
		break;
	}
	return 0;
}
