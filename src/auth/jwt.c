/*
 * RS256 JWT verification: compact JWS (RFC 7515 §7.1, §5.2), RS256
 * (RFC 7518 §3.3 over RFC 8017 §8.2), claims (RFC 7519 §4.1, §7.2), RSA
 * keys from PEM or JWK Sets (RFC 7517 §5, RFC 7518 §6.3.1).
 *
 * Security: tokens, JWKS documents and PEM texts are untrusted.  Sizes are
 * checked before any decoding (JWT_MAX_TOKEN, JWT_MAX_JWKS, JWT_MAX_PEM,
 * JWT_MAX_KID, JWT_CLAIM_MAX) and JSON goes through base/json's limits.
 * The algorithm is never taken from the token: only RS256 is attempted,
 * with keys that were checked to be RSA of JWT_MIN_RSA_BITS to
 * JWT_MAX_RSA_BITS bits; alg "none", HS*, crit and b64=false are refused;
 * jku/x5u/jwk/x5c are ignored.  The payload is decoded and parsed only
 * after the signature verified over the segments exactly as received.
 * Base64url must be unpadded and canonical; duplicate JSON members are
 * refused in header and payload.  No clock reads, no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/jwt.h"
#include "base/b64.h"
#include "base/json.h"

struct jwt_key {
	EVP_PKEY *pkey;
	char *kid; /* NULL: no kid */
	size_t kidlen;
};

struct jwt_keyset {
	struct jwt_key keys[JWT_MAX_KEYS];
	size_t n;
};

static const char *const jwt_reason_names[JWT_R_COUNT] = {
	[JWT_OK] = "ok",
	[JWT_R_TOO_LONG] = "too_long",
	[JWT_R_MALFORMED] = "malformed",
	[JWT_R_BAD_HEADER] = "bad_header",
	[JWT_R_ALG] = "alg",
	[JWT_R_CRIT] = "crit",
	[JWT_R_TYP] = "typ",
	[JWT_R_UNKNOWN_KID] = "unknown_kid",
	[JWT_R_SIGNATURE] = "signature",
	[JWT_R_BAD_PAYLOAD] = "bad_payload",
	[JWT_R_CLAIM] = "claim",
	[JWT_R_NO_EXP] = "no_exp",
	[JWT_R_EXPIRED] = "expired",
	[JWT_R_NOT_YET_VALID] = "not_yet_valid",
	[JWT_R_IAT_FUTURE] = "iat_future",
	[JWT_R_ISSUER] = "issuer",
	[JWT_R_AUDIENCE] = "audience",
	[JWT_R_INTERNAL] = "internal",
};

/* Permission words, in "permissions" array elements or "scope" words. */
static const struct {
	const char *word;
	unsigned bit;
} jwt_perm_words[] = {
	{ "cache:read", JWT_PERM_READ },
	{ "cache:write", JWT_PERM_WRITE },
	{ "admin", JWT_PERM_ADMIN },
};

const char *
jwt_reason_name(enum jwt_reason r)
{
	if ((int)r < 0 || r >= JWT_R_COUNT)
		return "unknown";
	return jwt_reason_names[r];
}

/* Keys */

struct jwt_keyset *
jwt_keyset_new(void)
{
	return calloc(1, sizeof(struct jwt_keyset));
}

static void
jwt_key_release(struct jwt_key *k)
{
	EVP_PKEY_free(k->pkey);
	free(k->kid);
	memset(k, 0, sizeof(*k));
}

void
jwt_keyset_free(struct jwt_keyset *ks)
{
	size_t i;

	if (ks == NULL)
		return;
	for (i = 0; i < ks->n; i++)
		jwt_key_release(&ks->keys[i]);
	free(ks);
}

size_t
jwt_keyset_count(const struct jwt_keyset *ks)
{
	return ks == NULL ? 0 : ks->n;
}

/* RSA, size within limits, odd exponent 3 .. 2^64-1 (RFC 8017 §3.1). */
static int
jwt_key_usable(EVP_PKEY *pkey)
{
	BIGNUM *e = NULL;
	int bits, ok;

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
		return 0;
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < JWT_MIN_RSA_BITS || bits > JWT_MAX_RSA_BITS)
		return 0;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
		ERR_clear_error();
		return 0;
	}
	ok = BN_is_odd(e) && BN_num_bits(e) >= 2 && BN_num_bits(e) <= 64;
	BN_free(e);
	return ok;
}

static int
jwt_key_set(struct jwt_key *k, EVP_PKEY *pkey, const char *kid, size_t kidlen)
{
	k->pkey = pkey;
	k->kid = NULL;
	k->kidlen = 0;
	if (kid == NULL)
		return 0;
	if ((k->kid = malloc(kidlen + 1)) == NULL)
		return -1;
	memcpy(k->kid, kid, kidlen);
	k->kid[kidlen] = '\0';
	k->kidlen = kidlen;
	return 0;
}

static EVP_PKEY *
jwt_pem_block_key(const char *name, const unsigned char *der, long len)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;

	if (strcmp(name, PEM_STRING_PUBLIC) == 0)
		pkey = d2i_PUBKEY(NULL, &p, len);
	else if (strcmp(name, PEM_STRING_RSA_PUBLIC) == 0)
		pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
	else if (strcmp(name, PEM_STRING_X509) == 0) {
		if ((x = d2i_X509(NULL, &p, len)) != NULL)
			pkey = X509_get_pubkey(x);
		X509_free(x);
	}
	if (pkey != NULL && p != der + len) {
		/* trailing bytes after the DER structure */
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return pkey;
}

int
jwt_keyset_add_pem(
    struct jwt_keyset *ks, const char *pem, size_t len, const char *kid)
{
	EVP_PKEY *found[JWT_MAX_KEYS];
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long derlen;
	size_t nfound = 0, i, kidlen = 0;
	unsigned long e;

	if (ks == NULL || pem == NULL || len > JWT_MAX_PEM)
		return -1;
	if (kid != NULL && (kidlen = strlen(kid)) > JWT_MAX_KID)
		return -1;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL)
		goto fail;
	for (;;) {
		if (PEM_read_bio(bio, &name, &header, &der, &derlen) != 1) {
			e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
				break; /* end of text */
			goto fail;
		}
		if (strcmp(name, PEM_STRING_PUBLIC) == 0 ||
		    strcmp(name, PEM_STRING_RSA_PUBLIC) == 0 ||
		    strcmp(name, PEM_STRING_X509) == 0) {
			if (ks->n + nfound >= JWT_MAX_KEYS)
				goto fail;
			found[nfound] = jwt_pem_block_key(name, der, derlen);
			if (found[nfound] == NULL)
				goto fail;
			nfound++;
			if (!jwt_key_usable(found[nfound - 1]))
				goto fail;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
	}
	ERR_clear_error();
	BIO_free(bio);
	bio = NULL;
	if (nfound == 0)
		goto fail;
	for (i = 0; i < nfound; i++) {
		if (jwt_key_set(&ks->keys[ks->n + i], found[i], kid, kidlen) ==
		    -1) {
			while (i-- > 0)
				free(ks->keys[ks->n + i].kid);
			goto fail;
		}
	}
	ks->n += nfound;
	return (int)nfound;
fail:
	ERR_clear_error();
	for (i = 0; i < nfound; i++)
		EVP_PKEY_free(found[i]);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	BIO_free(bio);
	return -1;
}

/* Parts of tokens and JWK members: base64url, no padding (RFC 7515 §2). */
static int
jwt_b64url_ok(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

static int
jwt_b64url_decode(struct buf *out, const char *s, size_t n)
{
	if (!jwt_b64url_ok(s, n))
		return -1;
	return b64_decode(out, s, n, B64_URL);
}

static EVP_PKEY *
jwt_rsa_from_ne(
    const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *bn_n = NULL, *bn_e = NULL;

	if ((bn_n = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (bn_e = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL)
		goto done;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto done;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
done:
	ERR_clear_error();
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	return pkey;
}

static int
jwt_str_is(const struct json_value *v, const char *want)
{
	const char *s;
	size_t n;

	if ((s = json_string(v, &n)) == NULL)
		return 0;
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/*
 * One JWK.  Returns 1 and *out for a usable RSA key, 0 to skip it, or -1
 * with *err.
 */
static int
jwt_jwk_key(const struct json_value *jwk, EVP_PKEY **out, const char **err)
{
	static const char *const private_members[] = { "d", "p", "q", "dp",
		"dq", "qi", "oth" };
	const struct json_value *ops;
	struct buf n, e;
	const char *s;
	size_t len, i, skip;
	int found, rc = -1;

	buf_init(&n);
	buf_init(&e);
	*out = NULL;
	if (json_type(jwk) != JSON_OBJECT) {
		*err = "JWK is not an object";
		return -1;
	}
	for (i = 0; i < sizeof(private_members) / sizeof(private_members[0]);
	     i++)
		if (json_object_get(jwk, private_members[i]) != NULL) {
			*err = "JWKS contains private key material";
			return -1;
		}
	if (json_string(json_object_get(jwk, "kty"), NULL) == NULL) {
		*err = "JWK without kty";
		return -1;
	}
	if (!jwt_str_is(json_object_get(jwk, "kty"), "RSA"))
		return 0;
	if (json_object_get(jwk, "use") != NULL &&
	    !jwt_str_is(json_object_get(jwk, "use"), "sig"))
		return 0;
	if (json_object_get(jwk, "alg") != NULL &&
	    !jwt_str_is(json_object_get(jwk, "alg"), "RS256"))
		return 0;
	if ((ops = json_object_get(jwk, "key_ops")) != NULL) {
		found = 0;
		for (i = 0; i < json_array_len(ops); i++)
			if (jwt_str_is(json_array_at(ops, i), "verify"))
				found = 1;
		if (!found)
			return 0;
	}
	if ((s = json_string(json_object_get(jwk, "n"), &len)) == NULL) {
		*err = "RSA JWK without n";
		goto fail;
	}
	if (len > (JWT_MAX_RSA_BITS / 8 + 1) * 4 / 3 + 4 ||
	    jwt_b64url_decode(&n, s, len) == -1) {
		*err = "RSA JWK n is not base64url";
		goto fail;
	}
	if ((s = json_string(json_object_get(jwk, "e"), &len)) == NULL) {
		*err = "RSA JWK without e";
		goto fail;
	}
	if (len > 12 || jwt_b64url_decode(&e, s, len) == -1) {
		*err = "RSA JWK e is not base64url";
		goto fail;
	}
	/* RFC 7518 §6.3.1.1: no leading zeros; tolerate one. */
	skip = n.len > 0 && n.data[0] == 0 ? 1 : 0;
	if (n.len - skip == 0 || e.len == 0 || n.data[skip] == 0) {
		*err = "RSA JWK n or e malformed";
		goto fail;
	}
	if ((*out = jwt_rsa_from_ne(
		 n.data + skip, n.len - skip, e.data, e.len)) == NULL) {
		*err = "RSA JWK rejected by OpenSSL";
		goto fail;
	}
	if (!jwt_key_usable(*out)) {
		EVP_PKEY_free(*out);
		*out = NULL;
		*err = "RSA JWK too small, too large or bad exponent";
		goto fail;
	}
	rc = 1;
fail:
	buf_release(&n);
	buf_release(&e);
	return rc;
}

int
jwt_keyset_add_jwks(
    struct jwt_keyset *ks, const char *json, size_t len, const char **err)
{
	struct jwt_key found[JWT_MAX_KEYS];
	struct json_value *root = NULL;
	const struct json_value *keys, *jwk, *kidv;
	struct json_error jerr;
	EVP_PKEY *pkey;
	const char *kid, *dummy;
	size_t nfound = 0, i, kidlen = 0;
	int rc;

	if (err == NULL)
		err = &dummy;
	*err = NULL;
	if (ks == NULL || json == NULL || len > JWT_MAX_JWKS) {
		*err = "JWKS too large";
		return -1;
	}
	if ((root = json_parse(json, len, &jerr)) == NULL) {
		*err = "JWKS is not valid JSON";
		return -1;
	}
	if (jerr.duplicate_keys) {
		*err = "JWKS has duplicate members";
		goto fail;
	}
	keys = json_object_get(root, "keys");
	if (json_type(keys) != JSON_ARRAY) {
		*err = "JWKS has no keys array";
		goto fail;
	}
	for (i = 0; i < json_array_len(keys); i++) {
		jwk = json_array_at(keys, i);
		if ((rc = jwt_jwk_key(jwk, &pkey, err)) == -1)
			goto fail;
		if (rc == 0)
			continue;
		kid = NULL;
		if ((kidv = json_object_get(jwk, "kid")) != NULL &&
		    ((kid = json_string(kidv, &kidlen)) == NULL ||
			kidlen > JWT_MAX_KID)) {
			EVP_PKEY_free(pkey);
			*err = "JWK kid is not a string or too long";
			goto fail;
		}
		if (ks->n + nfound >= JWT_MAX_KEYS) {
			EVP_PKEY_free(pkey);
			*err = "too many keys";
			goto fail;
		}
		if (jwt_key_set(&found[nfound], pkey, kid, kidlen) == -1) {
			EVP_PKEY_free(pkey);
			*err = "out of memory";
			goto fail;
		}
		nfound++;
	}
	json_free(root);
	for (i = 0; i < nfound; i++)
		ks->keys[ks->n++] = found[i];
	return (int)nfound;
fail:
	for (i = 0; i < nfound; i++)
		jwt_key_release(&found[i]);
	json_free(root);
	return -1;
}

/* Verification */

struct jwt_ctx {
	struct jwt_claims *out;
	const char **err;
};

static int
jwt_reject(struct jwt_ctx *c, enum jwt_reason r, const char *msg)
{
	c->out->reason = r;
	*c->err = msg;
	return -1;
}

/* RSASSA-PKCS1-v1_5 with SHA-256; 1 only for a valid signature. */
static int
jwt_rs256_verify(EVP_PKEY *pkey, const char *input, size_t inlen,
    const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *md;
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (EVP_PKEY_get_size(pkey) <= 0 ||
	    siglen != (size_t)EVP_PKEY_get_size(pkey))
		return 0;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit_ex(
		md, &pctx, "SHA256", NULL, NULL, pkey, NULL) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
	    EVP_DigestVerify(
		md, sig, siglen, (const unsigned char *)input, inlen) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

static int
jwt_kid_eq(const struct jwt_key *k, const char *kid, size_t kidlen)
{
	return k->kid != NULL && k->kidlen == kidlen &&
	    memcmp(k->kid, kid, kidlen) == 0;
}

/* Fills cand[] with the keys to try (see jwt.h); returns how many. */
static size_t
jwt_candidates(const struct jwt_keyset *ks, const char *kid, size_t kidlen,
    const struct jwt_key **cand)
{
	size_t i, n = 0;

	if (kid != NULL)
		for (i = 0; i < ks->n; i++)
			if (jwt_kid_eq(&ks->keys[i], kid, kidlen))
				cand[n++] = &ks->keys[i];
	if (n > 0)
		return n;
	for (i = 0; i < ks->n; i++)
		if (ks->keys[i].kid == NULL)
			cand[n++] = &ks->keys[i];
	if (n == 0 && kid == NULL && ks->n == 1)
		cand[n++] = &ks->keys[0];
	return n;
}

static int
jwt_typ_ok(const struct json_value *typ)
{
	static const char *const allowed[] = { "JWT", "at+jwt",
		"application/jwt", "application/at+jwt" };
	const char *s;
	size_t n, i;

	if (typ == NULL)
		return 1;
	if ((s = json_string(typ, &n)) == NULL)
		return 0;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (span_case_eq_str(span_make(s, n), allowed[i]))
			return 1;
	return 0;
}

static int
jwt_header(struct jwt_ctx *c, const struct json_value *h, const char **kid,
    size_t *kidlen)
{
	const struct json_value *alg, *b64, *kidv;
	int b;

	if (json_type(h) != JSON_OBJECT)
		return jwt_reject(
		    c, JWT_R_BAD_HEADER, "header is not a JSON object");
	if ((alg = json_object_get(h, "alg")) == NULL)
		return jwt_reject(c, JWT_R_ALG, "missing alg");
	if (!jwt_str_is(alg, "RS256"))
		return jwt_reject(c, JWT_R_ALG, "alg not allowed");
	if (json_object_get(h, "crit") != NULL)
		return jwt_reject(c, JWT_R_CRIT, "crit header not supported");
	if ((b64 = json_object_get(h, "b64")) != NULL &&
	    (json_bool_value(b64, &b) == -1 || !b))
		return jwt_reject(
		    c, JWT_R_BAD_HEADER, "unencoded payload not supported");
	if (!jwt_typ_ok(json_object_get(h, "typ")))
		return jwt_reject(c, JWT_R_TYP, "typ not allowed");
	*kid = NULL;
	*kidlen = 0;
	if ((kidv = json_object_get(h, "kid")) != NULL) {
		if ((*kid = json_string(kidv, kidlen)) == NULL)
			return jwt_reject(
			    c, JWT_R_BAD_HEADER, "kid is not a string");
		if (*kidlen > JWT_MAX_KID)
			return jwt_reject(c, JWT_R_UNKNOWN_KID, "unknown kid");
	}
	return 0;
}

/* NumericDate claim: absent (0), present (1, *out), or wrong type (-1). */
static int
jwt_date(const struct json_value *payload, const char *name, double *out)
{
	const struct json_value *v;

	if ((v = json_object_get(payload, name)) == NULL)
		return 0;
	if (json_number(v, out) == -1)
		return -1;
	return 1;
}

/* Copies a string claim into a bounded field; -1 if not a string, too
 * long or containing NUL. */
static int
jwt_copy_claim(const struct json_value *payload, const char *name, char *dst,
    size_t dstsize)
{
	const struct json_value *v;
	const char *s;
	size_t n;

	dst[0] = '\0';
	if ((v = json_object_get(payload, name)) == NULL)
		return 0;
	if ((s = json_string(v, &n)) == NULL || n >= dstsize ||
	    memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(dst, s, n + 1);
	return 0;
}

static unsigned
jwt_perm_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(jwt_perm_words) / sizeof(jwt_perm_words[0]); i++)
		if (n == strlen(jwt_perm_words[i].word) &&
		    memcmp(s, jwt_perm_words[i].word, n) == 0)
			return jwt_perm_words[i].bit;
	return 0;
}

static int
jwt_perms(const struct json_value *payload, unsigned *perms)
{
	const struct json_value *v;
	const char *s;
	size_t n, i, start;

	*perms = 0;
	if ((v = json_object_get(payload, "permissions")) != NULL) {
		if (json_type(v) != JSON_ARRAY)
			return -1;
		for (i = 0; i < json_array_len(v); i++) {
			if ((s = json_string(json_array_at(v, i), &n)) == NULL)
				return -1;
			*perms |= jwt_perm_word(s, n);
		}
	}
	if ((v = json_object_get(payload, "scope")) != NULL) {
		/* RFC 8693 §4.2: space-delimited words */
		if ((s = json_string(v, &n)) == NULL)
			return -1;
		for (i = 0; i < n; i = start) {
			while (i < n && s[i] == ' ')
				i++;
			for (start = i; start < n && s[start] != ' '; start++)
				continue;
			if (start > i)
				*perms |= jwt_perm_word(s + i, start - i);
		}
	}
	return 0;
}

static int
jwt_audience(
    struct jwt_ctx *c, const struct json_value *payload, const char *want)
{
	const struct json_value *aud;
	size_t i;
	int match = 0;

	aud = json_object_get(payload, "aud");
	if (json_type(aud) == JSON_STRING)
		match = want != NULL && jwt_str_is(aud, want);
	else if (json_type(aud) == JSON_ARRAY) {
		for (i = 0; i < json_array_len(aud); i++) {
			if (json_type(json_array_at(aud, i)) != JSON_STRING)
				return jwt_reject(c, JWT_R_CLAIM,
				    "aud is not a string or array of strings");
			if (want != NULL &&
			    jwt_str_is(json_array_at(aud, i), want))
				match = 1;
		}
	} else if (aud != NULL)
		return jwt_reject(
		    c, JWT_R_CLAIM, "aud is not a string or array of strings");
	if (want != NULL && !match)
		return jwt_reject(c, JWT_R_AUDIENCE, "audience mismatch");
	return 0;
}

static int
jwt_claims(struct jwt_ctx *c, const struct json_value *payload, long long now,
    const struct jwt_policy *pol)
{
	struct jwt_claims *out = c->out;
	const struct json_value *iss;
	double exp, nbf, iat, dnow = (double)now;
	double leeway = pol->leeway > 0 ? (double)pol->leeway : 0;
	int r;

	if ((r = jwt_date(payload, "exp", &exp)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "exp is not a number");
	if (r == 0 && !pol->exp_optional)
		return jwt_reject(c, JWT_R_NO_EXP, "token has no exp");
	if (r == 1 && dnow > exp + leeway)
		return jwt_reject(c, JWT_R_EXPIRED, "token expired");
	if (r == 1) {
		out->has_exp = 1;
		if (exp >= 9.2e18)
			out->exp = 9200000000000000000LL;
		else if (exp <= -9.2e18)
			out->exp = -9200000000000000000LL;
		else {
			out->exp = (long long)exp;
			if ((double)out->exp > exp)
				out->exp--;
		}
	}
	if ((r = jwt_date(payload, "nbf", &nbf)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "nbf is not a number");
	if (r == 1 && dnow + leeway < nbf)
		return jwt_reject(
		    c, JWT_R_NOT_YET_VALID, "token not yet valid");
	if ((r = jwt_date(payload, "iat", &iat)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "iat is not a number");
	if (r == 1 && iat > dnow + leeway)
		return jwt_reject(
		    c, JWT_R_IAT_FUTURE, "token issued in the future");
	iss = json_object_get(payload, "iss");
	if (iss != NULL && json_type(iss) != JSON_STRING)
		return jwt_reject(c, JWT_R_CLAIM, "iss is not a string");
	if (pol->issuer != NULL && !jwt_str_is(iss, pol->issuer))
		return jwt_reject(c, JWT_R_ISSUER, "issuer mismatch");
	if (jwt_audience(c, payload, pol->audience) == -1)
		return -1;
	if (jwt_copy_claim(payload, "iss", out->iss, sizeof(out->iss)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "iss claim invalid");
	if (jwt_copy_claim(payload, "sub", out->sub, sizeof(out->sub)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "sub claim invalid");
	if (jwt_copy_claim(payload, "project_id", out->project_id,
		sizeof(out->project_id)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "project_id claim invalid");
	if (jwt_copy_claim(payload, "instance_id", out->instance_id,
		sizeof(out->instance_id)) == -1)
		return jwt_reject(c, JWT_R_CLAIM, "instance_id claim invalid");
	if (jwt_perms(payload, &out->perms) == -1)
		return jwt_reject(
		    c, JWT_R_CLAIM, "permissions or scope claim invalid");
	return 0;
}

int
jwt_verify(const struct jwt_keyset *ks, const char *token, size_t len,
    long long now, const struct jwt_policy *policy, struct jwt_claims *out,
    const char **err)
{
	static const struct jwt_policy strict;
	const struct jwt_key *cand[JWT_MAX_KEYS];
	struct jwt_ctx c;
	struct buf hdr, sig, pay;
	struct json_value *header = NULL, *payload = NULL;
	struct json_error jerr;
	const char *dot1, *dot2, *kid = NULL;
	size_t hlen, plen, slen, kidlen = 0, ncand, i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	c.out = out;
	c.err = err;
	buf_init(&hdr);
	buf_init(&sig);
	buf_init(&pay);
	if (policy == NULL)
		policy = &strict;
	if (ks == NULL || token == NULL)
		return jwt_reject(&c, JWT_R_INTERNAL, "no keyset or token");
	if (len > JWT_MAX_TOKEN)
		return jwt_reject(&c, JWT_R_TOO_LONG, "token too long");

	/* RFC 7515 §7.1: exactly three base64url parts. */
	if ((dot1 = memchr(token, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token))) ==
		NULL ||
	    memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
		return jwt_reject(&c, JWT_R_MALFORMED,
		    "token is not three dot-separated parts");
	hlen = (size_t)(dot1 - token);
	plen = (size_t)(dot2 - dot1 - 1);
	slen = len - (size_t)(dot2 + 1 - token);
	if (hlen == 0 || plen == 0 || !jwt_b64url_ok(token, hlen) ||
	    !jwt_b64url_ok(dot1 + 1, plen) || !jwt_b64url_ok(dot2 + 1, slen))
		return jwt_reject(&c, JWT_R_MALFORMED,
		    "token part is not unpadded base64url");

	if (b64_decode(&hdr, token, hlen, B64_URL) == -1) {
		jwt_reject(&c, JWT_R_MALFORMED, "header is not base64url");
		goto done;
	}
	if ((header = json_parse((char *)hdr.data, hdr.len, &jerr)) == NULL) {
		jwt_reject(&c, JWT_R_BAD_HEADER, "header is not valid JSON");
		goto done;
	}
	if (jerr.duplicate_keys) {
		jwt_reject(&c, JWT_R_BAD_HEADER, "duplicate header member");
		goto done;
	}
	if (jwt_header(&c, header, &kid, &kidlen) == -1)
		goto done;
	if (kid != NULL) {
		memcpy(out->kid, kid, kidlen);
		out->kid[kidlen] = '\0';
	}

	if (slen == 0) {
		jwt_reject(&c, JWT_R_SIGNATURE, "missing signature");
		goto done;
	}
	if (b64_decode(&sig, dot2 + 1, slen, B64_URL) == -1) {
		jwt_reject(&c, JWT_R_MALFORMED, "signature is not base64url");
		goto done;
	}
	if ((ncand = jwt_candidates(ks, kid, kidlen, cand)) == 0) {
		jwt_reject(&c, JWT_R_UNKNOWN_KID, "unknown kid");
		goto done;
	}
	for (i = 0; i < ncand; i++)
		if (jwt_rs256_verify(cand[i]->pkey, token,
			(size_t)(dot2 - token), sig.data, sig.len))
			break;
	if (i == ncand) {
		jwt_reject(&c, JWT_R_SIGNATURE, "bad signature");
		goto done;
	}

	/* Only now is the payload trusted enough to be parsed. */
	if (b64_decode(&pay, dot1 + 1, plen, B64_URL) == -1) {
		jwt_reject(&c, JWT_R_MALFORMED, "payload is not base64url");
		goto done;
	}
	if ((payload = json_parse((char *)pay.data, pay.len, &jerr)) == NULL ||
	    json_type(payload) != JSON_OBJECT) {
		jwt_reject(
		    &c, JWT_R_BAD_PAYLOAD, "payload is not a JSON object");
		goto done;
	}
	if (jerr.duplicate_keys) {
		jwt_reject(&c, JWT_R_BAD_PAYLOAD, "duplicate claim");
		goto done;
	}
	if (jwt_claims(&c, payload, now, policy) == -1)
		goto done;
	out->reason = JWT_OK;
	rc = 0;
done:
	if (rc == -1) {
		enum jwt_reason r = out->reason;

		memset(out, 0, sizeof(*out));
		out->reason = r;
	}
	json_free(header);
	json_free(payload);
	buf_release(&hdr);
	buf_release(&sig);
	buf_release(&pay);
	return rc;
}
