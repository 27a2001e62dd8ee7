/*
 * Unit tests for base/buf, base/hex, base/b64 and base/sha.
 */
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/buf.h"
#include "base/hex.h"
#include "base/sha.h"
#include "tap.h"

int main(void);

static void
test_buf(void)
{
	struct buf b;
	char *p;
	size_t n;
	int i;

	buf_init(&b);
	is_str(buf_cstr(&b), "", "empty buf reads as empty string");
	ok(buf_append_str(&b, "hello") == 0, "append");
	ok(buf_printf(&b, " %d %s", 42, "x") == 0, "printf");
	is_str(buf_cstr(&b), "hello 42 x", "contents");
	buf_consume(&b, 6);
	is_str(buf_cstr(&b), "42 x", "consume");
	for (i = 0; i < 10000; i++)
		if (buf_putc(&b, 'a') == -1)
			break;
	is_int(b.len, 10004, "grows");
	p = buf_detach(&b, &n);
	is_int(n, 10004, "detach length");
	ok(b.data == NULL && b.len == 0, "detached buf is empty");
	free(p);
	ok(span_case_eq_str(span_str("Content-Length"), "content-length"),
	    "span case-insensitive compare");
	ok(!span_eq_str(span_str("abc"), "abcd"), "span lengths differ");
}

static void
test_hex(void)
{
	unsigned char in[3] = { 0x00, 0xab, 0xff }, out[3];
	char h[7];

	hex_encode(h, in, 3);
	is_str(h, "00abff", "hex encode");
	ok(hex_decode(out, "00ABff", 3) == 0 && memcmp(in, out, 3) == 0,
	    "hex decode either case");
	ok(hex_decode(out, "0g", 1) == -1, "hex decode rejects non-hex");
	ok(hex_is_lower("abc123", 6) && !hex_is_lower("ABC", 3),
	    "hex_is_lower");
}

static void
test_b64(void)
{
	/* RFC 4648 §10 test vectors. */
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba",
		"foobar" };
	static const char *std[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	static const char *url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg",
		"Zm9vYmE", "Zm9vYmFy" };
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < 7; i++) {
		buf_reset(&b);
		ok(b64_encode(&b, plain[i], strlen(plain[i]), B64_STD) == 0 &&
			strcmp(buf_cstr(&b), std[i]) == 0,
		    "b64 std encode '%s'", plain[i]);
		buf_reset(&b);
		ok(b64_encode(&b, plain[i], strlen(plain[i]), B64_URL) == 0 &&
			strcmp(buf_cstr(&b), url[i]) == 0,
		    "b64 url encode '%s'", plain[i]);
		buf_reset(&b);
		ok(b64_decode(&b, std[i], strlen(std[i]), B64_ANY) == 0 &&
			strcmp(buf_cstr(&b), plain[i]) == 0,
		    "b64 decode '%s'", std[i]);
		buf_reset(&b);
		ok(b64_decode(&b, url[i], strlen(url[i]), B64_URL) == 0 &&
			strcmp(buf_cstr(&b), plain[i]) == 0,
		    "b64url decode '%s'", url[i]);
	}
	buf_reset(&b);
	ok(b64_decode(&b, "-_8=", 4, B64_STD) == -1,
	    "std alphabet refuses url characters");
	buf_reset(&b);
	ok(b64_decode(&b, "-_8", 3, B64_ANY) == 0 && b.len == 2 &&
		b.data[0] == 0xfb && b.data[1] == 0xff,
	    "any alphabet accepts url characters");
	buf_reset(&b);
	ok(b64_decode(&b, "Zm9v YmFy", 9, B64_ANY) == -1, "whitespace refused");
	buf_reset(&b);
	ok(b64_decode(&b, "Zh==", 4, B64_STD) == -1,
	    "non-zero trailing bits refused");
	buf_reset(&b);
	ok(b64_decode(&b, "Z", 1, B64_ANY) == -1, "lone char refused");
	buf_release(&b);
}

static void
test_sha(void)
{
	char h[SHA256_HEX_LEN + 1];
	unsigned char d[SHA256_LEN], d2[SHA256_LEN];
	struct sha256 s;

	sha256_hex("", 0, h);
	is_str(h,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of empty");
	sha256_hex("abc", 3, h);
	is_str(h,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 of abc");
	ok(sha256_init(&s) == 0, "sha256 init");
	sha256_update(&s, "a", 1);
	sha256_update(&s, "bc", 2);
	sha256_final(&s, d);
	sha256("abc", 3, d2);
	ok(memcmp(d, d2, SHA256_LEN) == 0, "incremental equals one-shot");
	/* RFC 4231 test case 2. */
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	hex_encode(h, d, SHA256_LEN);
	is_str(h,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "hmac-sha256 RFC 4231 case 2");
	ok(sha_ct_equal(d, d, SHA256_LEN) && !sha_ct_equal(d, d2, SHA256_LEN),
	    "constant-time compare");
}

int
main(void)
{
	test_buf();
	test_hex();
	test_b64();
	test_sha();
	return done_testing();
}
