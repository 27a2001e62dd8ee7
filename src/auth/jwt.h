/*
 * JWT bearer tokens: compact JWS (RFC 7515 §7.1) signed with RS256
 * (RFC 7518 §3.3, RSASSA-PKCS1-v1_5 with SHA-256), claims per RFC 7519,
 * keys from PEM or a JWK Set (RFC 7517, RSA members RFC 7518 §6.3).
 * Pure: the caller passes the current time and the key bytes.
 */
#ifndef FABRIK_JWT_H
#define FABRIK_JWT_H

#include <stddef.h>

#include "base/buf.h"

/* Longest compact token accepted, in bytes. */
#ifndef JWT_MAX_TOKEN
#define JWT_MAX_TOKEN 8192
#endif
/* Most keys in one keyset. */
#ifndef JWT_MAX_KEYS
#define JWT_MAX_KEYS 32
#endif
/* Longest key id, in bytes (in a JWK or in a token header). */
#ifndef JWT_MAX_KID
#define JWT_MAX_KID 128
#endif
/* Accepted RSA modulus sizes, in bits. */
#ifndef JWT_MIN_RSA_BITS
#define JWT_MIN_RSA_BITS 2048
#endif
#ifndef JWT_MAX_RSA_BITS
#define JWT_MAX_RSA_BITS 8192
#endif
/* Largest JWKS document and PEM text accepted, in bytes. */
#ifndef JWT_MAX_JWKS
#define JWT_MAX_JWKS (256 * 1024)
#endif
#ifndef JWT_MAX_PEM
#define JWT_MAX_PEM (256 * 1024)
#endif
/* Size of the string claim fields in struct jwt_claims, NUL included. */
#ifndef JWT_CLAIM_MAX
#define JWT_CLAIM_MAX 256
#endif

/* Permission bits, from the "permissions" array or "scope" string. */
#define JWT_PERM_READ 0x1u /* "cache:read" */
#define JWT_PERM_WRITE 0x2u /* "cache:write" */
#define JWT_PERM_ADMIN 0x4u /* "admin" */

/* Why a token was refused; jwt_reason_name() gives a metrics label. */
enum jwt_reason {
	JWT_OK = 0,
	JWT_R_TOO_LONG, /* longer than JWT_MAX_TOKEN */
	JWT_R_MALFORMED, /* not three base64url parts */
	JWT_R_BAD_HEADER, /* header not a JSON object, bad member */
	JWT_R_ALG, /* alg missing or not RS256 */
	JWT_R_CRIT, /* crit present */
	JWT_R_TYP, /* typ neither JWT nor at+jwt */
	JWT_R_UNKNOWN_KID, /* no key for the token's kid */
	JWT_R_SIGNATURE, /* missing, wrong size or does not verify */
	JWT_R_BAD_PAYLOAD, /* payload not a JSON object */
	JWT_R_CLAIM, /* a claim has the wrong type or is too long */
	JWT_R_NO_EXP, /* exp absent but required */
	JWT_R_EXPIRED, /* now > exp + leeway */
	JWT_R_NOT_YET_VALID, /* now + leeway < nbf */
	JWT_R_IAT_FUTURE, /* iat > now + leeway */
	JWT_R_ISSUER, /* iss missing or not the required one */
	JWT_R_AUDIENCE, /* aud missing or without the required one */
	JWT_R_INTERNAL, /* out of memory or OpenSSL failure */
	JWT_R_COUNT
};

/*
 * What jwt_verify() requires besides a good signature.  A zeroed policy is
 * the strict default: no leeway, any issuer, any audience, exp required.
 * The strings are borrowed for the duration of the call.
 */
struct jwt_policy {
	long long leeway; /* seconds of clock skew tolerated (>= 0) */
	const char *issuer; /* iss must equal this exactly; NULL: any */
	const char *audience; /* aud (string or array) must contain this;
				 NULL: any */
	int exp_optional; /* 1: accept tokens without exp */
};

/* What a verified token says.  Strings are NUL-terminated copies; a
 * claim that is absent is "". */
struct jwt_claims {
	char sub[JWT_CLAIM_MAX];
	char iss[JWT_CLAIM_MAX];
	char project_id[JWT_CLAIM_MAX];
	char instance_id[JWT_CLAIM_MAX];
	char kid[JWT_MAX_KID + 1]; /* the header's kid, "" if none */
	long long exp; /* seconds (rounded down); 0 if absent */
	int has_exp;
	unsigned perms; /* JWT_PERM_* bits */
	enum jwt_reason reason; /* JWT_OK, or why the token was refused */
};

/*
 * A set of RSA public keys, each with an optional key id.  Keys are
 * checked when added: RSA (not RSA-PSS-only), JWT_MIN_RSA_BITS to
 * JWT_MAX_RSA_BITS bits, odd public exponent from 3 to 2^64-1.
 */
struct jwt_keyset;

/* Returns an empty keyset, or NULL on ENOMEM.  Free with jwt_keyset_free. */
struct jwt_keyset *jwt_keyset_new(void);
void jwt_keyset_free(struct jwt_keyset *); /* NULL is fine */
size_t jwt_keyset_count(const struct jwt_keyset *);

/*
 * Adds every public key of a PEM text (len bytes, no NUL needed):
 * "PUBLIC KEY" (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS#1) and
 * "CERTIFICATE" blocks; other blocks (private keys included) are ignored.
 * All keys get kid (copied; NULL = no kid, see jwt_verify for how keys
 * without a kid are chosen).  All or nothing: returns the number of keys
 * added (>= 1), or -1 if the text holds no key, a key is unusable, or the
 * set would exceed JWT_MAX_KEYS.
 */
int jwt_keyset_add_pem(
    struct jwt_keyset *, const char *pem, size_t len, const char *kid) FAB_WUR;

/*
 * Adds the usable keys of a JWK Set document {"keys":[...]}.  Keys whose
 * kty is not "RSA", whose use is present and not "sig", whose alg is
 * present and not "RS256", or whose key_ops lacks "verify" are skipped.
 * All or nothing: returns the number of keys added (0 if every key was
 * skipped), or -1 with *err set (a static string) if the document is not
 * a JWK Set, an RSA key is malformed (n or e missing or not base64url
 * without padding) or unusable, a key carries private members (d, p, q,
 * dp, dq, qi, oth), or the set would exceed JWT_MAX_KEYS.
 */
int jwt_keyset_add_jwks(struct jwt_keyset *, const char *json, size_t len,
    const char **err) FAB_WUR;

/*
 * Verifies a compact JWS token of len bytes against the keyset at time now
 * (seconds since the epoch).  policy may be NULL (the strict default).
 *
 * Key choice: a token with a kid is tried against the keys with exactly
 * that kid, or, if there are none, against the keys without a kid; if no
 * key is left that is "unknown kid".  A token without a kid is tried
 * against the keys without a kid, or, if there are none and the set holds
 * exactly one key, against that key.  The signature must verify with one
 * of the candidates.
 *
 * Returns 0 with *out filled in, or -1 with out->reason and *err (a static
 * string naming the reason) set; out's other fields are then zero.  out
 * and err must not be NULL.
 */
int jwt_verify(const struct jwt_keyset *, const char *token, size_t len,
    long long now, const struct jwt_policy *policy, struct jwt_claims *out,
    const char **err) FAB_WUR;

/* A short lower-case label for a reason ("expired", "unknown_kid", ...),
 * for metrics; "unknown" for values out of range. */
const char *jwt_reason_name(enum jwt_reason);

#endif
