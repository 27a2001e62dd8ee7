/*
 * SHA-256 and HMAC-SHA256 through OpenSSL's EVP interface (FIPS 180-4,
 * RFC 2104).
 */
#ifndef FABRIK_SHA_H
#define FABRIK_SHA_H

#include <stddef.h>

#include "base/buf.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

int sha256_init(struct sha256 *) FAB_WUR;
void sha256_update(struct sha256 *, const void *, size_t);
/* Writes the digest and releases the context. */
void sha256_final(struct sha256 *, unsigned char out[SHA256_LEN]);
/* Releases a context without finishing it (safe on a released one). */
void sha256_release(struct sha256 *);

/* One-shot helpers. */
void sha256(const void *, size_t, unsigned char out[SHA256_LEN]);
void sha256_hex(const void *, size_t, char out[SHA256_HEX_LEN + 1]);
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[SHA256_LEN]);

/* Constant-time comparison; returns 1 when equal. */
int sha_ct_equal(const void *, const void *, size_t);

#endif
