/*
 * Fuzz target for auth/jwt.  The first byte picks what the rest is:
 *   0  a token, verified against the vector JWKS (signatures will fail, so
 *      this covers splitting, base64url, header parsing and key choice);
 *   1  "header JSON\npayload JSON", signed here with the published TEST
 *      key so that claim checks run on arbitrary JSON;
 *   2  a JWK Set document;  3  a PEM text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "auth/jwt.h"
#include "base/b64.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* TEST KEY ONLY: the throw-away key of t/data/jwt/private-key.pem. */
static const char fuzz_jwt_test_private_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDFjIvp3O8WNEk5\n"
    "gYDvhO2jWdYMc5zDPr5sUh/AZPfw1QM12sJW1AK80RWPDgGnpX8pAcx1uLaJBJ7g\n"
    "EXRjjXtyd2a6btiG17FqqK+hvNAKJ0JQcSZbdJk151kCH9jHFJ4h21+naBIdAw+c\n"
    "yCV0eHN1oWz7IWS25siqX7lItY6Iiw2M+H6DkVySV/HEJoHMg3KRtQJKLtMJIYUf\n"
    "QJ0aHYrOPJL+v25hk6pzNlDf7ZrLcgqvCL429kJglBdYvMahHIB/1O1JpJ4rkfK+\n"
    "uCCDVrfXP7+nL+BHwz6W8CS0FXYEDNDPOc3Qn/TSW6/r75NPw2T56agomVZf6wWf\n"
    "if/6B8CpAgMBAAECggEAA/qIQISchG9h+yhueER5Lxqf1ZPdgs7THHuMm/4cl+sz\n"
    "sO8P42+f132EMuOhaRGLov/gMOMbEAg5tUG8vPA28y+lmsMhQBlSKi0CuTNEOF7L\n"
    "4TK03E+CnMPk9nE9lzLahXbgMWRb8F16VW9wK61CXAqNLJiiqTldg2rr9c4sSaKE\n"
    "MmHG0piQyMnX8UOwrSe5RFqpqM6mLSDhQQdGj4txp7ORZYVwdoNPxvbhfAwFkCnO\n"
    "KOlDu8uQkjmnciIGgwqAtVJ/Ox7o7HfEa3xZSx2EOODHOc0X6reB6ZbAvy6r9oJn\n"
    "i3BZSfxn8gLNsVUIFZ59uc/DAw3FL/7hCj8hEf4ANQKBgQD7ZoKu5g10451T4mls\n"
    "IJcXd4+u2VUWciQeXlZSLWTWey7ZfEw8qL/Glbo3XTkpgs6ih2pn3xhlUmihSICf\n"
    "U01K6NzXtzRLEC9YIG+gUXVnRozZyA/hBhgqbM+mXOTvaYSr7pCTXK5H98f6c312\n"
    "dyPlmGtOR0Z6sDaDD7rA36AV/QKBgQDJKc+ekfsL/vfDgO5X/AtvgB0EBgEQRkuJ\n"
    "x5Wp+sxaC0fTlCnqeF3ILGy9J7U+1iruuzr5QEKEmwxQn6KtaJquT2CU4OGNK7Ro\n"
    "oG3hGMi7BEL3u2iGabfB7TGsh6Dsx/E09Rx9BsrRQIPUefhTxRmexk1leOQAFN7M\n"
    "+4RR2Cw/HQKBgF4mpgqaXa/JDsK7qH+2NN+1BzqUaild1ekJq4pbNcidmY4Z3vNY\n"
    "v3m/2V2irCW/t2NnE5KTGq/XjRfZ71G8ANZtH0gqdIsoJJL8ktGXsEBdS6LEKi47\n"
    "+hDpb1r+rz56ZhV94udNbnfFdD93wST8uZTi4E0QpHSOSdwLqAVTusCBAoGBAMc3\n"
    "oASS34NeyvITkncSBiUzRAkDBTSf2RkmzgIbfRtDhqtzVRt+fqnJzRp645TKNpRc\n"
    "WagUSovWnRiPL2T6bg1oUOa/2r+a47yl/ItqpwgGzWdXcsmCktf71jDd1LIJxMfE\n"
    "YqUy/9LBSI05CYO0c435Jxbx5SJriMaJ493F7vPFAoGALwZRFfA0M3iRwmkpblCa\n"
    "33+r2jGmkRZi6Y+Nz2TUzwsYK4YJcQ08j5HmLuj0VCjjDzsXzm6hTi5O8D52/3WM\n"
    "i779HeSgm8R+djxB8ErIRbKnxFeSrGSi2f2GJBXRSvX//1GISpxQUt5k/L+oKEey\n"
    "nJgWBH6f28JWiOayuOAC50g=\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_jwt_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":"
    "\"fabri"
    "k-test-rs256-1\",\"n\":\"xYyL6dzvFjRJOYGA74Tto1nWDHOcwz6-bFIfwGT"
    "38NUDNdrCVtQCvNEVjw4Bp6V_KQHMdbi2iQSe4BF0Y417cndmum7Yhtexaqi"
    "vobzQCidCUHEmW3SZNedZAh_YxxSeIdtfp2gSHQMPnMgldHhzdaFs-yFktub"
    "Iql-5SLWOiIsNjPh-g5FcklfxxCaBzINykbUCSi7TCSGFH0CdGh2KzjyS_r9"
    "uYZOqczZQ3-2ay3IKrwi-NvZCYJQXWLzGoRyAf9TtSaSeK5Hyvrggg1a31z-"
    "_py_gR8M-lvAktBV2BAzQzznN0J_00luv6--TT8Nk-emoKJlWX-sFn4n_-gf"
    "AqQ\",\"e\":\"AQAB\"}]}";

static struct jwt_keyset *fuzz_jwt_ks;
static EVP_PKEY *fuzz_jwt_priv;

static void
fuzz_jwt_init(void)
{
	const char *err;
	BIO *bio;

	if (fuzz_jwt_ks != NULL)
		return;
	if ((fuzz_jwt_ks = jwt_keyset_new()) == NULL ||
	    jwt_keyset_add_jwks(
		fuzz_jwt_ks, fuzz_jwt_jwks, strlen(fuzz_jwt_jwks), &err) != 1)
		abort();
	bio = BIO_new_mem_buf(fuzz_jwt_test_private_pem, -1);
	if (bio == NULL ||
	    (fuzz_jwt_priv = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) ==
		NULL)
		abort();
	BIO_free(bio);
}

static void
fuzz_jwt_check(const char *tok, size_t len)
{
	static const struct jwt_policy pols[2] = {
		{ 60, "https://fabrik.example", "fabrik-cache", 0 },
		{ 0, NULL, NULL, 1 },
	};
	struct jwt_claims cl;
	const char *err;
	int i, rc;

	for (i = 0; i < 2; i++) {
		rc = jwt_verify(
		    fuzz_jwt_ks, tok, len, 1767227400LL, &pols[i], &cl, &err);
		if (rc == 0 && (cl.reason != JWT_OK || err != NULL))
			abort();
		if (rc != 0 &&
		    (rc != -1 || cl.reason == JWT_OK || err == NULL ||
			cl.sub[0] != '\0'))
			abort();
		if (strlen(cl.sub) >= sizeof(cl.sub) ||
		    strlen(cl.iss) >= sizeof(cl.iss) ||
		    strlen(cl.kid) >= sizeof(cl.kid) ||
		    (cl.perms &
			~(JWT_PERM_READ | JWT_PERM_WRITE | JWT_PERM_ADMIN)) !=
			0)
			abort();
		if (strcmp(jwt_reason_name(cl.reason), "unknown") == 0)
			abort();
	}
}

static void
fuzz_jwt_signed(const char *in, size_t len)
{
	const char *nl = memchr(in, '\n', len);
	unsigned char sig[512];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *md;
	struct buf t;

	if (nl == NULL || len > JWT_MAX_TOKEN)
		return;
	buf_init(&t);
	if (b64_encode(&t, in, (size_t)(nl - in), B64_URL) == -1 ||
	    buf_putc(&t, '.') == -1 ||
	    b64_encode(&t, nl + 1, len - (size_t)(nl + 1 - in), B64_URL) == -1)
		abort();
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(
		md, NULL, "SHA256", NULL, NULL, fuzz_jwt_priv, NULL) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, t.data, t.len) != 1)
		abort();
	EVP_MD_CTX_free(md);
	if (buf_putc(&t, '.') == -1 ||
	    b64_encode(&t, sig, siglen, B64_URL) == -1)
		abort();
	fuzz_jwt_check((char *)t.data, t.len);
	buf_release(&t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jwt_keyset *ks;
	const char *in = (const char *)data + 1, *err;
	size_t len = size - 1;
	int rc;

	if (size == 0)
		return 0;
	fuzz_jwt_init();
	switch (data[0] % 4) {
	case 0:
		fuzz_jwt_check(in, len);
		break;
	case 1:
		fuzz_jwt_signed(in, len);
		break;
	case 2:
	case 3:
		if ((ks = jwt_keyset_new()) == NULL)
			abort();
		err = NULL;
		if (data[0] % 4 == 2) {
			rc = jwt_keyset_add_jwks(ks, in, len, &err);
			if (rc == -1 && err == NULL)
				abort();
		} else
			rc = jwt_keyset_add_pem(ks, in, len, NULL);
		if ((rc == -1 && jwt_keyset_count(ks) != 0) ||
		    (rc >= 0 && jwt_keyset_count(ks) != (size_t)rc))
			abort();
		jwt_keyset_free(ks);
		break;
	}
	return 0;
}
