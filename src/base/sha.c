/*
 * SHA-256 and HMAC-SHA256 through OpenSSL EVP.
 */
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/hex.h"
#include "base/sha.h"

/* The SHA-256 implementation, looked up once: with OpenSSL 3 every
 * EVP_sha256() use otherwise searches the providers again. */
static const EVP_MD *
sha_md(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *md;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (md != NULL)
		return md;
#endif
	return EVP_sha256();
}

int
sha256_init(struct sha256 *s)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	s->ctx = NULL;
	if (c == NULL)
		return -1;
	if (EVP_DigestInit_ex(c, sha_md(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return -1;
	}
	s->ctx = c;
	return 0;
}

void
sha256_update(struct sha256 *s, const void *p, size_t n)
{
	if (s->ctx != NULL && n > 0)
		EVP_DigestUpdate(s->ctx, p, n);
}

void
sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	if (s->ctx != NULL)
		EVP_DigestFinal_ex(s->ctx, out, &n);
	sha256_release(s);
}

void
sha256_release(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void
sha256(const void *p, size_t n, unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;

	EVP_Digest(p, n, out, &len, sha_md(), NULL);
}

void
sha256_hex(const void *p, size_t n, char out[SHA256_HEX_LEN + 1])
{
	unsigned char d[SHA256_LEN];

	sha256(p, n, d);
	hex_encode(out, d, SHA256_LEN);
}

void
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;

	HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &len);
}

int
sha_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
