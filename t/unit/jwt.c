/*
 * Unit tests for auth/jwt: the shared RS256 vectors (t/data/jwt), then
 * tokens minted here with the published TEST-ONLY private key and with
 * RSA keys generated at run time (never written anywhere).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "auth/jwt.h"
#include "base/b64.h"
#include "base/buf.h"
#include "base/sha.h"
#include "tap.h"

int main(void);

/* Verification time of the shared vectors: 2026-01-01T00:30:00Z. */
#define NOW 1767227400LL
#define KID1 "fabrik-test-rs256-1"
#define ISS "https://fabrik.example"
#define AUD "fabrik-cache"
#define HDR1 "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" KID1 "\"}"

static const struct jwt_policy vector_policy = { 60, ISS, AUD, 0 };

static EVP_PKEY *test_key1; /* TEST KEY: t/data/jwt/private-key.pem */
static EVP_PKEY *test_key2; /* TEST KEY: generated at run time */
static char *jwks1, *pem1;
static size_t jwks1_len, pem1_len;

static void
must(int cond)
{
	if (!cond) {
		diag("test setup failed");
		ERR_print_errors_fp(stderr);
		exit(1);
	}
}

static char *
slurp(const char *name, size_t *lenp)
{
	char path[1024];
	struct buf b;
	FILE *f;
	size_t n;
	char tmp[4096];

	snprintf(path, sizeof(path), "%s/data/jwt/%s", tap_tdir(), name);
	must((f = fopen(path, "rb")) != NULL);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		must(buf_append(&b, tmp, n) == 0);
	fclose(f);
	return buf_detach(&b, lenp);
}

static void
put(struct buf *b, const void *p, size_t n)
{
	must(buf_append(b, p, n) == 0);
}

static void
put_b64(struct buf *b, const void *p, size_t n)
{
	must(b64_encode(b, p, n, B64_URL) == 0);
}

static char *
pubkey_pem(EVP_PKEY *k, size_t *lenp)
{
	BIO *bio;
	char *data, *copy;
	long n;

	must((bio = BIO_new(BIO_s_mem())) != NULL);
	must(PEM_write_bio_PUBKEY(bio, k) == 1);
	n = BIO_get_mem_data(bio, &data);
	must((copy = malloc((size_t)n + 1)) != NULL);
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	BIO_free(bio);
	*lenp = (size_t)n;
	return copy;
}

/* header.payload signed with RS256 by key (no key: empty signature). */
static char *
mint(EVP_PKEY *key, const char *header, const char *payload)
{
	struct buf t;
	EVP_MD_CTX *md;
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);

	buf_init(&t);
	put_b64(&t, header, strlen(header));
	put(&t, ".", 1);
	put_b64(&t, payload, strlen(payload));
	if (key != NULL) {
		must((md = EVP_MD_CTX_new()) != NULL);
		must(EVP_DigestSignInit_ex(
			 md, NULL, "SHA256", NULL, NULL, key, NULL) == 1);
		must(EVP_DigestSign(md, sig, &siglen, t.data, t.len) == 1);
		EVP_MD_CTX_free(md);
	} else
		siglen = 0;
	put(&t, ".", 1);
	put_b64(&t, sig, siglen);
	return buf_detach(&t, NULL);
}

static char *
claims(const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	must(buf_vprintf(&b, fmt, ap) == 0);
	va_end(ap);
	return buf_detach(&b, NULL);
}

static char *
std_claims(void)
{
	return claims("{\"iss\":\"" ISS
		      "\",\"sub\":\"ci-runner-7\",\"aud\":\"" AUD
		      "\",\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld}",
	    NOW - 1800, NOW - 1800, NOW + 1800);
}

static int
check(const struct jwt_keyset *ks, const char *tok, size_t len,
    const struct jwt_policy *pol, enum jwt_reason want, const char *name,
    struct jwt_claims *cl)
{
	struct jwt_claims local;
	const char *err = NULL;
	int rc;

	if (cl == NULL)
		cl = &local;
	rc = jwt_verify(ks, tok, len, NOW, pol, cl, &err);
	if (want == JWT_OK) {
		if (!ok(rc == 0 && cl->reason == JWT_OK && err == NULL,
			"%s: accepted", name))
			diag("refused: %s (%s)", err ? err : "?",
			    jwt_reason_name(cl->reason));
		return rc;
	}
	if (!ok(rc == -1 && cl->reason == want && err != NULL,
		"%s: refused as %s", name, jwt_reason_name(want)))
		diag("got rc %d reason %s (%s)", rc,
		    jwt_reason_name(cl->reason), err ? err : "no message");
	return rc;
}

/* Mints with key 1 / header HDR1 and checks against ks. */
static void
check_claims(const struct jwt_keyset *ks, const char *payload,
    const struct jwt_policy *pol, enum jwt_reason want, const char *name,
    struct jwt_claims *cl)
{
	char *tok = mint(test_key1, HDR1, payload);

	check(ks, tok, strlen(tok), pol, want, name, cl);
	free(tok);
}

static void
check_header(const struct jwt_keyset *ks, const char *header,
    enum jwt_reason want, const char *name)
{
	char *p = std_claims(), *tok = mint(test_key1, header, p);

	check(ks, tok, strlen(tok), &vector_policy, want, name, NULL);
	free(tok);
	free(p);
}

static struct jwt_keyset *
keyset_jwks(const char *json, size_t len)
{
	struct jwt_keyset *ks;
	const char *err;

	must((ks = jwt_keyset_new()) != NULL);
	must(jwt_keyset_add_jwks(ks, json, len, &err) >= 1);
	return ks;
}

static enum jwt_reason
vector_reason(const char *name)
{
	static const struct {
		const char *name;
		enum jwt_reason r;
	} map[] = {
		{ "valid", JWT_OK },
		{ "expired", JWT_R_EXPIRED },
		{ "unknown-kid", JWT_R_UNKNOWN_KID },
		{ "tampered-payload", JWT_R_SIGNATURE },
		{ "alg-none", JWT_R_ALG },
		{ "hs256-with-public-key-as-secret", JWT_R_ALG },
		{ "bad-signature", JWT_R_SIGNATURE },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0)
			return map[i].r;
	return JWT_R_COUNT;
}

static void
test_vectors(void)
{
	struct jwt_keyset *ks, *kpem, *kpemkid;
	struct jwt_claims cl;
	char *text, *line, *next, *name, *expect, *tok;
	size_t len;
	int count = 0, rejects = 0;
	enum jwt_reason want;

	ks = keyset_jwks(jwks1, jwks1_len);
	is_int(jwt_keyset_count(ks), 1, "vector JWKS has one key");
	must((kpem = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_pem(kpem, pem1, pem1_len, NULL), 1,
	    "vector public-key.pem");
	must((kpemkid = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_pem(kpemkid, pem1, pem1_len, KID1), 1,
	    "vector public-key.pem with kid");

	text = slurp("tokens.txt", &len);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		name = line;
		must((expect = strchr(name, '\t')) != NULL);
		*expect++ = '\0';
		must((tok = strchr(expect, '\t')) != NULL);
		*tok++ = '\0';
		want = vector_reason(name);
		ok(want != JWT_R_COUNT, "vector %s is known", name);
		ok((want == JWT_OK) == (strcmp(expect, "accept") == 0),
		    "vector %s: file says %s", name, expect);
		check(ks, tok, strlen(tok), &vector_policy, want, name, &cl);
		if (want == JWT_OK) {
			is_str(cl.sub, "ci-runner-7", "valid: sub");
			is_str(cl.iss, ISS, "valid: iss");
			is_str(cl.kid, KID1, "valid: kid");
			is_int(cl.exp, 1767229200, "valid: exp");
			ok(cl.has_exp, "valid: has_exp");
			is_int(cl.perms, JWT_PERM_READ | JWT_PERM_WRITE,
			    "valid: scope gives read and write");
			is_str(cl.project_id, "", "valid: no project_id");
			/* the same token under other keysets / policies */
			check(kpemkid, tok, strlen(tok), &vector_policy, JWT_OK,
			    "valid with PEM key of the same kid", NULL);
			check(kpem, tok, strlen(tok), &vector_policy, JWT_OK,
			    "valid with kid-less PEM key", NULL);
			check(ks, tok, strlen(tok), NULL, JWT_OK,
			    "valid under the NULL (strict) policy", NULL);
		} else {
			rejects++;
			ok(cl.sub[0] == '\0' && cl.perms == 0,
			    "%s: no claims leak out", name);
		}
		if (strcmp(name, "unknown-kid") == 0) {
			check(kpemkid, tok, strlen(tok), &vector_policy,
			    JWT_R_UNKNOWN_KID, "unknown-kid vs PEM with kid",
			    NULL);
			/* documented: a kid-less key is tried for any kid */
			check(kpem, tok, strlen(tok), &vector_policy, JWT_OK,
			    "unknown-kid vs kid-less PEM key", NULL);
		}
		count++;
	}
	is_int(count, 7, "seven vectors");
	is_int(rejects, 6, "six rejected");
	free(text);
	jwt_keyset_free(ks);
	jwt_keyset_free(kpem);
	jwt_keyset_free(kpemkid);
}

static void
test_times(void)
{
	static const struct jwt_policy strict0 = { 0, NULL, NULL, 0 };
	static const struct jwt_policy noexp = { 60, ISS, AUD, 1 };
	struct jwt_keyset *ks = keyset_jwks(jwks1, jwks1_len);
	struct jwt_claims cl;
	char *p;

#define TIMES(iat, nbf, exp) \
	claims("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\",\"iat\":%lld," \
	       "\"nbf\":%lld,\"exp\":%lld}", \
	    (long long)(iat), (long long)(nbf), (long long)(exp))
#define CASE(payload, pol, want, name) \
	do { \
		p = (payload); \
		check_claims(ks, p, (pol), (want), (name), &cl); \
		free(p); \
	} while (0)

	CASE(TIMES(NOW - 10, NOW - 10, NOW + 10), &vector_policy, JWT_OK,
	    "fresh token");
	CASE(TIMES(NOW - 100, NOW - 100, NOW - 61), &vector_policy,
	    JWT_R_EXPIRED, "exp 61 s ago, leeway 60");
	CASE(TIMES(NOW - 100, NOW - 100, NOW - 60), &vector_policy, JWT_OK,
	    "exp 60 s ago, leeway 60 (edge)");
	CASE(TIMES(NOW, NOW, NOW), &strict0, JWT_OK, "exp == now, no leeway");
	CASE(TIMES(NOW - 2, NOW - 2, NOW - 1), &strict0, JWT_R_EXPIRED,
	    "exp 1 s ago, no leeway");
	CASE(TIMES(NOW, NOW + 61, NOW + 100), &vector_policy,
	    JWT_R_NOT_YET_VALID, "nbf 61 s ahead");
	CASE(TIMES(NOW, NOW + 60, NOW + 100), &vector_policy, JWT_OK,
	    "nbf 60 s ahead (edge)");
	CASE(TIMES(NOW, NOW + 1, NOW + 100), &strict0, JWT_R_NOT_YET_VALID,
	    "nbf 1 s ahead, no leeway");
	CASE(TIMES(NOW + 61, NOW, NOW + 100), &vector_policy, JWT_R_IAT_FUTURE,
	    "iat 61 s ahead");
	CASE(TIMES(NOW + 60, NOW, NOW + 100), &vector_policy, JWT_OK,
	    "iat 60 s ahead (edge)");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}"),
	    &vector_policy, JWT_R_NO_EXP, "no exp");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}"), &noexp,
	    JWT_OK, "no exp, exp optional");
	ok(!cl.has_exp && cl.exp == 0, "no exp reported");
	CASE(claims("{\"exp\":\"%lld\"}", NOW + 10), &strict0, JWT_R_CLAIM,
	    "exp as a string");
	CASE(claims("{\"exp\":%lld,\"nbf\":null}", NOW + 10), &strict0,
	    JWT_R_CLAIM, "nbf null");
	CASE(claims("{\"exp\":%lld,\"iat\":true}", NOW + 10), &strict0,
	    JWT_R_CLAIM, "iat true");
	CASE(claims("{\"exp\":%lld.75}", NOW), &strict0, JWT_OK,
	    "fractional exp");
	is_int(cl.exp, NOW, "fractional exp rounded down");
	CASE(claims("{\"exp\":1e400}"), &strict0, JWT_R_BAD_PAYLOAD,
	    "exp 1e400 overflows JSON numbers");
	CASE(claims("{\"exp\":1e300}"), &strict0, JWT_OK, "exp 1e300");
	ok(cl.exp > 0, "huge exp saturates");
	CASE(claims("{\"exp\":-1e300}"), &strict0, JWT_R_EXPIRED, "exp -1e300");
	jwt_keyset_free(ks);
#undef TIMES
#undef CASE
}

static void
test_claims(void)
{
	static const struct jwt_policy any = { 0, NULL, NULL, 1 };
	struct jwt_keyset *ks = keyset_jwks(jwks1, jwks1_len);
	struct jwt_claims cl;
	char longsub[JWT_CLAIM_MAX + 1];
	char *p;

#define CASE(payload, pol, want, name) \
	do { \
		p = (payload); \
		check_claims(ks, p, (pol), (want), (name), &cl); \
		free(p); \
	} while (0)
#define EXP "\"exp\":1767229200"

	CASE(claims("{\"iss\":\"https://evil.example\",\"aud\":\"" AUD "\"," EXP
		    "}"),
	    &vector_policy, JWT_R_ISSUER, "wrong iss");
	CASE(claims("{\"iss\":\"" ISS "/\",\"aud\":\"" AUD "\"," EXP "}"),
	    &vector_policy, JWT_R_ISSUER, "iss with trailing slash");
	CASE(claims("{\"aud\":\"" AUD "\"," EXP "}"), &vector_policy,
	    JWT_R_ISSUER, "missing iss");
	CASE(claims("{\"iss\":7,\"aud\":\"" AUD "\"," EXP "}"), &vector_policy,
	    JWT_R_CLAIM, "iss not a string");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":\"other\"," EXP "}"),
	    &vector_policy, JWT_R_AUDIENCE, "wrong aud");
	CASE(claims("{\"iss\":\"" ISS "\"," EXP "}"), &vector_policy,
	    JWT_R_AUDIENCE, "missing aud");
	CASE(
	    claims("{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"" AUD "\"]," EXP "}"),
	    &vector_policy, JWT_OK, "aud array containing ours");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":[\"x\",\"y\"]," EXP "}"),
	    &vector_policy, JWT_R_AUDIENCE, "aud array without ours");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":[]," EXP "}"), &vector_policy,
	    JWT_R_AUDIENCE, "empty aud array");
	CASE(claims("{\"iss\":\"" ISS "\",\"aud\":[\"" AUD "\",3]," EXP "}"),
	    &vector_policy, JWT_R_CLAIM, "aud array with a number");
	CASE(claims("{\"aud\":{\"a\":1}}"), &any, JWT_R_CLAIM,
	    "aud object, any audience");
	CASE(claims("{\"aud\":\"whatever\",\"iss\":\"anyone\"}"), &any, JWT_OK,
	    "any iss/aud when policy has none");
	is_str(cl.iss, "anyone", "iss copied");

	CASE(claims("{\"permissions\":[\"cache:read\",\"admin\",\"bogus\"]}"),
	    &any, JWT_OK, "permissions array");
	is_int(cl.perms, JWT_PERM_READ | JWT_PERM_ADMIN,
	    "permissions: read + admin, unknown ignored");
	CASE(claims("{\"scope\":\"  cache:write  openid cache:read \"}"), &any,
	    JWT_OK, "scope string");
	is_int(cl.perms, JWT_PERM_READ | JWT_PERM_WRITE,
	    "scope: read + write, unknown ignored");
	CASE(claims("{\"scope\":\"admin\",\"permissions\":[\"cache:read\"]}"),
	    &any, JWT_OK, "scope and permissions");
	is_int(cl.perms, JWT_PERM_READ | JWT_PERM_ADMIN, "union of both");
	CASE(claims("{\"scope\":\"cache:readcache:write Admin\"}"), &any,
	    JWT_OK, "words must match exactly");
	is_int(cl.perms, 0, "no permission from near misses");
	CASE(claims("{\"sub\":\"x\"}"), &any, JWT_OK, "no permission claims");
	is_int(cl.perms, 0, "no permissions");
	CASE(claims("{\"permissions\":\"cache:read\"}"), &any, JWT_R_CLAIM,
	    "permissions as a string");
	CASE(claims("{\"permissions\":[\"cache:read\",1]}"), &any, JWT_R_CLAIM,
	    "permissions with a number");
	CASE(claims("{\"scope\":[\"cache:read\"]}"), &any, JWT_R_CLAIM,
	    "scope as an array");

	CASE(claims("{\"sub\":\"s\",\"project_id\":\"proj-1\","
		    "\"instance_id\":\"inst-9\"}"),
	    &any, JWT_OK, "project and instance");
	is_str(cl.project_id, "proj-1", "project_id copied");
	is_str(cl.instance_id, "inst-9", "instance_id copied");
	is_str(cl.sub, "s", "sub copied");
	CASE(claims("{\"project_id\":12}"), &any, JWT_R_CLAIM,
	    "numeric project_id");
	CASE(claims("{\"sub\":\"a\\u0000b\"}"), &any, JWT_R_CLAIM,
	    "sub with NUL");
	memset(longsub, 'x', sizeof(longsub));
	longsub[JWT_CLAIM_MAX - 1] = '\0';
	CASE(claims("{\"sub\":\"%s\"}", longsub), &any, JWT_OK,
	    "sub of JWT_CLAIM_MAX - 1 bytes");
	is_int(strlen(cl.sub), JWT_CLAIM_MAX - 1, "long sub copied whole");
	longsub[JWT_CLAIM_MAX - 1] = 'x';
	longsub[JWT_CLAIM_MAX] = '\0';
	CASE(claims("{\"sub\":\"%s\"}", longsub), &any, JWT_R_CLAIM,
	    "sub of JWT_CLAIM_MAX bytes");
	CASE(claims("{\"instance_id\":\"%s\"}", longsub), &any, JWT_R_CLAIM,
	    "instance_id of JWT_CLAIM_MAX bytes");

	CASE(claims("[1,2]"), &any, JWT_R_BAD_PAYLOAD, "payload is an array");
	CASE(claims("{\"sub\":\"x\""), &any, JWT_R_BAD_PAYLOAD,
	    "payload is broken JSON");
	CASE(claims("{\"sub\":\"x\",\"sub\":\"admin\"}"), &any,
	    JWT_R_BAD_PAYLOAD, "duplicate claim");
	CASE(claims("{\"sub\":\"\xff\"}"), &any, JWT_R_BAD_PAYLOAD,
	    "payload with invalid UTF-8");
	jwt_keyset_free(ks);
#undef CASE
#undef EXP
}

static void
test_headers(void)
{
	struct jwt_keyset *ks = keyset_jwks(jwks1, jwks1_len);
	char *p = std_claims(), *tok;
	char kid[JWT_MAX_KID + 40];
	unsigned char mac[SHA256_LEN];
	struct buf t;

	check_header(ks, "{\"typ\":\"JWT\",\"kid\":\"" KID1 "\"}", JWT_R_ALG,
	    "missing alg");
	check_header(
	    ks, "{\"alg\":\"RS512\",\"kid\":\"" KID1 "\"}", JWT_R_ALG, "RS512");
	check_header(
	    ks, "{\"alg\":\"ES256\",\"kid\":\"" KID1 "\"}", JWT_R_ALG, "ES256");
	check_header(
	    ks, "{\"alg\":\"PS256\",\"kid\":\"" KID1 "\"}", JWT_R_ALG, "PS256");
	check_header(ks, "{\"alg\":\"rs256\",\"kid\":\"" KID1 "\"}", JWT_R_ALG,
	    "alg is case-sensitive");
	check_header(ks, "{\"alg\":[\"RS256\"],\"kid\":\"" KID1 "\"}",
	    JWT_R_ALG, "alg as an array");
	check_header(ks, "{\"alg\":\"none\",\"kid\":\"" KID1 "\"}", JWT_R_ALG,
	    "alg none with an RSA signature");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"crit\":[\"exp\"]}",
	    JWT_R_CRIT, "crit present");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"b64\":false}",
	    JWT_R_BAD_HEADER, "b64 false");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"b64\":true}", JWT_OK,
	    "b64 true");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"typ\":\"jwt\"}", JWT_OK,
	    "typ jwt (any case)");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"typ\":\"AT+JWT\"}",
	    JWT_OK, "typ at+jwt");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1
	    "\",\"typ\":\"application/at+jwt\"}",
	    JWT_OK, "typ application/at+jwt");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"typ\":\"JOSE\"}",
	    JWT_R_TYP, "typ JOSE");
	check_header(ks, "{\"alg\":\"RS256\",\"kid\":\"" KID1 "\",\"typ\":1}",
	    JWT_R_TYP, "typ number");
	check_header(ks, "{\"alg\":\"RS256\",\"kid\":5}", JWT_R_BAD_HEADER,
	    "kid number");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"alg\":\"RS256\",\"kid\":\"" KID1 "\"}",
	    JWT_R_BAD_HEADER, "duplicate header member");
	check_header(ks, "[\"RS256\"]", JWT_R_BAD_HEADER, "header is an array");
	check_header(ks, "{\"alg\":\"RS256\"", JWT_R_BAD_HEADER,
	    "header is broken JSON");
	check_header(ks,
	    "{\"alg\":\"RS256\",\"kid\":\"" KID1
	    "\",\"jku\":\"https://evil/\",\"x5u\":\"https://evil/\"}",
	    JWT_OK, "jku and x5u ignored");
	check_header(ks, "{\"alg\":\"RS256\",\"kid\":\"nope\"}",
	    JWT_R_UNKNOWN_KID, "wrong kid");
	check_header(ks, "{\"alg\":\"RS256\",\"kid\":\"../../etc/passwd\"}",
	    JWT_R_UNKNOWN_KID, "kid path traversal is just unknown");
	memset(kid, 0, sizeof(kid));
	memcpy(kid, "{\"alg\":\"RS256\",\"kid\":\"", 22);
	memset(kid + 22, 'k', JWT_MAX_KID + 1);
	memcpy(kid + 22 + JWT_MAX_KID + 1, "\"}", 2);
	check_header(ks, kid, JWT_R_UNKNOWN_KID, "kid over JWT_MAX_KID");

	/* alg none, empty signature, minted here */
	tok = mint(NULL, "{\"alg\":\"none\"}", p);
	check(
	    ks, tok, strlen(tok), &vector_policy, JWT_R_ALG, "alg none", NULL);
	free(tok);
	tok = mint(NULL, HDR1, p);
	check(ks, tok, strlen(tok), &vector_policy, JWT_R_SIGNATURE,
	    "RS256 with empty signature", NULL);
	free(tok);

	/* HS256 keyed with the public key PEM (key confusion) */
	buf_init(&t);
	put_b64(&t, "{\"alg\":\"HS256\",\"kid\":\"" KID1 "\"}",
	    strlen("{\"alg\":\"HS256\",\"kid\":\"" KID1 "\"}"));
	put(&t, ".", 1);
	put_b64(&t, p, strlen(p));
	hmac_sha256(pem1, pem1_len, t.data, t.len, mac);
	put(&t, ".", 1);
	put_b64(&t, mac, sizeof(mac));
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_ALG,
	    "HS256 with the public key as secret", NULL);
	buf_release(&t);
	free(p);
	jwt_keyset_free(ks);
}

static void
test_structure(void)
{
	struct jwt_keyset *ks = keyset_jwks(jwks1, jwks1_len);
	char *p = std_claims(), *tok, *dot, *pad;
	struct buf t, sig;
	size_t len, i, n;
	int spaces, found;

	tok = mint(test_key1, HDR1, p);
	len = strlen(tok);
	check(ks, tok, len, &vector_policy, JWT_OK, "minted token", NULL);

	/* tampered payload: same signature over another payload */
	buf_init(&t);
	dot = strchr(tok, '.');
	put(&t, tok, (size_t)(dot - tok) + 1);
	put_b64(&t, "{\"sub\":\"admin\"}", 15);
	put(&t, strrchr(tok, '.'), strlen(strrchr(tok, '.')));
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_SIGNATURE,
	    "tampered payload", NULL);
	/* tampered signature: one bit flipped */
	buf_reset(&t);
	buf_init(&sig);
	dot = strrchr(tok, '.');
	must(b64_decode(&sig, dot + 1, strlen(dot + 1), B64_URL) == 0);
	is_int(sig.len, 256, "2048-bit signature is 256 bytes");
	sig.data[100] ^= 0x10;
	put(&t, tok, (size_t)(dot - tok) + 1);
	put_b64(&t, sig.data, sig.len);
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_SIGNATURE,
	    "bit-flipped signature", NULL);
	/* short signature: 255 bytes */
	buf_reset(&t);
	put(&t, tok, (size_t)(dot - tok) + 1);
	put_b64(&t, sig.data, sig.len - 1);
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_SIGNATURE,
	    "signature one byte short", NULL);
	/* long signature: a zero byte prepended (same integer value) */
	buf_reset(&t);
	sig.data[100] ^= 0x10;
	put(&t, tok, (size_t)(dot - tok) + 1);
	{
		struct buf s2;

		buf_init(&s2);
		put(&s2, "", 1);
		put(&s2, sig.data, sig.len);
		put_b64(&t, s2.data, s2.len);
		buf_release(&s2);
	}
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_SIGNATURE,
	    "signature with a leading zero byte", NULL);
	buf_release(&sig);

	/* malformed structure */
#define BAD(str, name) \
	check(ks, (str), strlen(str), &vector_policy, JWT_R_MALFORMED, (name), \
	    NULL)
	BAD("", "empty token");
	BAD("abc", "no dots");
	BAD("abc.def", "two parts");
	BAD("..", "empty parts");
	BAD("!!!.@@@.###", "garbage characters");
	BAD("eyJhbGciOiJSUzI1NiJ9.e30.a.b", "four parts");
	BAD("a.b.c.d.e", "five parts (JWE)");
	BAD("e.e30.AAAA", "header of one character (length mod 4 == 1)");
	BAD("eyJhbGciOiJSUzI1NiJ9.e30.AAAAA", "signature length mod 4 == 1");
	BAD("eyJ.e30.AAAA", "header truncated mid-quantum");
	BAD("e31.e30.AAAA", "non-canonical trailing bits");
	buf_reset(&t);
	put(&t, tok, len);
	put(&t, ".", 1);
	BAD((char *)buf_cstr(&t), "valid token plus a dot");
	buf_reset(&t);
	put(&t, tok, len);
	put(&t, "=", 1);
	BAD((char *)buf_cstr(&t), "signature with padding");
	buf_reset(&t);
	dot = strchr(tok, '.');
	put(&t, tok, (size_t)(dot - tok));
	put(&t, "==", 2);
	put(&t, dot, strlen(dot));
	BAD((char *)buf_cstr(&t), "header with padding");
	buf_reset(&t);
	put(&t, " ", 1);
	put(&t, tok, len);
	BAD((char *)buf_cstr(&t), "leading space");
	buf_reset(&t);
	put(&t, tok, len);
	t.data[len - 5] = '+';
	BAD((char *)buf_cstr(&t), "standard base64 '+'");
	buf_reset(&t);
	put(&t, tok, len);
	put(&t, "\n", 1);
	BAD((char *)buf_cstr(&t), "trailing newline");
	buf_reset(&t);
	put(&t, tok, len);
	t.data[10] = '\0';
	check(ks, (char *)t.data, t.len, &vector_policy, JWT_R_MALFORMED,
	    "embedded NUL", NULL);
#undef BAD
	free(tok);

	/* JWT_MAX_TOKEN exactly (valid) and one byte more */
	found = 0;
	for (spaces = 0; spaces < 3 && !found; spaces++) {
		struct buf hb;

		buf_init(&hb);
		put(&hb, "{\"alg\":\"RS256\",", 15);
		for (i = 0; i < (size_t)spaces; i++)
			put(&hb, " ", 1);
		put(&hb, "\"kid\":\"" KID1 "\"}",
		    strlen("\"kid\":\"" KID1 "\"}"));
		free(p);
		p = claims("{\"exp\":%lld,\"pad\":\"\"}", NOW + 10);
		for (n = 0; n < JWT_MAX_TOKEN && !found; n++)
			if (b64_encoded_len(hb.len, B64_URL) + 1 +
				b64_encoded_len(strlen(p) + n, B64_URL) + 1 +
				b64_encoded_len(256, B64_URL) ==
			    JWT_MAX_TOKEN)
				found = 1;
		if (found) {
			n--;
			must((pad = malloc(n + 1)) != NULL);
			memset(pad, 'p', n);
			pad[n] = '\0';
			free(p);
			p = claims(
			    "{\"exp\":%lld,\"pad\":\"%s\"}", NOW + 10, pad);
			free(pad);
			tok = mint(test_key1, buf_cstr(&hb), p);
			is_int(strlen(tok), JWT_MAX_TOKEN,
			    "token of JWT_MAX_TOKEN bytes built");
			check(ks, tok, strlen(tok), NULL, JWT_OK,
			    "token of JWT_MAX_TOKEN bytes", NULL);
			free(tok);
		}
		buf_release(&hb);
	}
	ok(found, "built a token of exactly JWT_MAX_TOKEN bytes");
	buf_reset(&t);
	for (i = 0; i < JWT_MAX_TOKEN + 1; i++)
		put(&t, "A", 1);
	t.data[100] = '.';
	t.data[200] = '.';
	check(ks, (char *)t.data, t.len, NULL, JWT_R_TOO_LONG,
	    "token of JWT_MAX_TOKEN + 1 bytes", NULL);
	buf_reset(&t);
	for (i = 0; i < 1000000; i++)
		put(&t, "A", 1);
	check(ks, (char *)t.data, t.len, NULL, JWT_R_TOO_LONG, "megabyte token",
	    NULL);
	buf_release(&t);
	free(p);
	jwt_keyset_free(ks);
}

/* A JWK Set with one RSA key built from raw n and e. */
static char *
jwks_ne(const unsigned char *n, size_t nlen, const unsigned char *e,
    size_t elen, const char *extra)
{
	struct buf b;

	buf_init(&b);
	must(buf_append_str(&b, "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"") == 0);
	put_b64(&b, n, nlen);
	must(buf_append_str(&b, "\",\"e\":\"") == 0);
	put_b64(&b, e, elen);
	must(buf_printf(&b, "\"%s}]}", extra) == 0);
	return buf_detach(&b, NULL);
}

static int
add_jwks(struct jwt_keyset *ks, const char *json, const char **err)
{
	return jwt_keyset_add_jwks(ks, json, strlen(json), err);
}

static void
test_jwks(void)
{
	struct jwt_keyset *ks;
	const char *err;
	unsigned char n[JWT_MAX_RSA_BITS / 8 + 2], e65537[3] = { 1, 0, 1 };
	unsigned char ebig[9];
	char *doc, *nstr;
	struct buf b;
	size_t i, nlen;

	/* the vector key's n, to build variants */
	{
		const char *s = strstr(jwks1, "\"n\": \"") + 6;

		nlen = (size_t)(strchr(s, '"') - s);
		must((nstr = malloc(nlen + 1)) != NULL);
		memcpy(nstr, s, nlen);
		nstr[nlen] = '\0';
	}
#define DOC(...) (doc = claims(__VA_ARGS__))
	must((ks = jwt_keyset_new()) != NULL);
	is_int(
	    add_jwks(ks,
		DOC("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\","
		    "\"y\":\"AA\"},{\"kty\":\"oct\",\"k\":\"AA\"},"
		    "{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"%s\",\"e\":"
		    "\"AQAB\"},"
		    "{\"kty\":\"RSA\",\"alg\":\"RS512\",\"n\":\"%s\",\"e\":"
		    "\"AQAB\"},"
		    "{\"kty\":\"RSA\",\"key_ops\":[\"encrypt\"],\"n\":\"%s\","
		    "\"e\":\"AQAB\"},"
		    "{\"kty\":\"RSA\",\"kid\":\"ok\",\"key_ops\":[\"verify\"],"
		    "\"n\":\"%s\",\"e\":\"AQAB\"}]}",
		    nstr, nstr, nstr, nstr),
		&err),
	    1, "EC, oct, use enc, alg RS512, key_ops encrypt skipped");
	free(doc);
	is_int(add_jwks(ks, "{\"keys\":[{\"kty\":\"EC\"}]}", &err), 0,
	    "only skipped keys: 0 added");
	is_int(jwt_keyset_count(ks), 1, "count");
	jwt_keyset_free(ks);

	must((ks = jwt_keyset_new()) != NULL);
#define FAILS(json, name) \
	do { \
		err = NULL; \
		ok(add_jwks(ks, (json), &err) == -1 && err != NULL, "%s", \
		    (name)); \
	} while (0)
	FAILS(
	    DOC("{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}"), "missing n");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\"}]}", nstr),
	    "missing e");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"ab+c%s\",\"e\":\"AQAB\"}"
		  "]}",
		  nstr),
	    "n with '+' (not base64url)");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s=\",\"e\":\"AQAB\"}]}",
		  nstr),
	    "n with padding");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB=\"}]}",
		  nstr),
	    "e with padding");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":65537}]}",
		  nstr),
	    "e as a number");
	free(doc);
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\","
		  "\"d\":\"AQAB\"}]}",
		  nstr),
	    "private member d");
	free(doc);
	FAILS("{\"keys\":[{\"n\":\"AQAB\"}]}", "missing kty");
	FAILS("{\"keys\":[1]}", "key is not an object");
	FAILS("{\"keys\":{}}", "keys not an array");
	FAILS("{\"kty\":\"RSA\"}", "not a JWK Set");
	FAILS("{\"keys\":[]", "not JSON");
	FAILS("{\"keys\":[],\"keys\":[]}", "duplicate members");
	FAILS(DOC("{\"keys\":[{\"kty\":\"RSA\",\"kid\":7,\"n\":\"%s\","
		  "\"e\":\"AQAB\"}]}",
		  nstr),
	    "kid not a string");
	free(doc);
	is_int(jwt_keyset_count(ks), 0, "nothing added by failures");
	ok(jwt_keyset_add_jwks(ks, "{}", JWT_MAX_JWKS + 1, &err) == -1,
	    "JWKS over JWT_MAX_JWKS");

	/* key sizes and exponents, built from raw n/e */
	memset(n, 0xff, sizeof(n));
	doc = jwks_ne(n, 2048 / 8, e65537, 3, "");
	is_int(add_jwks(ks, doc, &err), 1, "2048-bit n accepted");
	free(doc);
	n[0] = 0x7f;
	FAILS((doc = jwks_ne(n, 2048 / 8, e65537, 3, "")), "2047-bit n");
	free(doc);
	n[0] = 0xff;
	doc = jwks_ne(n, JWT_MAX_RSA_BITS / 8, e65537, 3, "");
	is_int(add_jwks(ks, doc, &err), 1, "JWT_MAX_RSA_BITS n accepted");
	free(doc);
	n[0] = 0x01;
	FAILS((doc = jwks_ne(n, JWT_MAX_RSA_BITS / 8 + 1, e65537, 3, "")),
	    "JWT_MAX_RSA_BITS + 1 n");
	free(doc);
	n[0] = 0x00;
	n[1] = 0xff;
	doc = jwks_ne(n, 2048 / 8 + 1, e65537, 3, "");
	is_int(add_jwks(ks, doc, &err), 1, "one leading zero in n tolerated");
	free(doc);
	n[1] = 0x00;
	FAILS((doc = jwks_ne(n, 2048 / 8 + 1, e65537, 3, "")),
	    "two leading zeros in n");
	free(doc);
	memset(n, 0xff, sizeof(n));
	FAILS(
	    (doc = jwks_ne(n, 2048 / 8, (const unsigned char *)"\x01", 1, "")),
	    "e = 1");
	free(doc);
	FAILS((doc = jwks_ne(
		   n, 2048 / 8, (const unsigned char *)"\x01\x00", 2, "")),
	    "even e");
	free(doc);
	doc = jwks_ne(n, 2048 / 8, (const unsigned char *)"\x03", 1, "");
	is_int(add_jwks(ks, doc, &err), 1, "e = 3 accepted");
	free(doc);
	memset(ebig, 0xff, sizeof(ebig));
	FAILS((doc = jwks_ne(n, 2048 / 8, ebig, 9, "")), "72-bit e");
	free(doc);
	is_int(jwt_keyset_count(ks), 4, "four keys after size tests");
	jwt_keyset_free(ks);

	/* JWT_MAX_KID */
	must((ks = jwt_keyset_new()) != NULL);
	{
		char kid[JWT_MAX_KID + 2], extra[JWT_MAX_KID + 20];

		memset(kid, 'k', sizeof(kid));
		kid[JWT_MAX_KID] = '\0';
		snprintf(extra, sizeof(extra), ",\"kid\":\"%s\"", kid);
		doc = jwks_ne(n, 256, e65537, 3, extra);
		is_int(add_jwks(ks, doc, &err), 1, "kid of JWT_MAX_KID bytes");
		free(doc);
		kid[JWT_MAX_KID] = 'k';
		kid[JWT_MAX_KID + 1] = '\0';
		snprintf(extra, sizeof(extra), ",\"kid\":\"%s\"", kid);
		FAILS((doc = jwks_ne(n, 256, e65537, 3, extra)),
		    "kid of JWT_MAX_KID + 1 bytes");
		free(doc);
	}
	jwt_keyset_free(ks);

	/* JWT_MAX_KEYS, all or nothing */
	buf_init(&b);
	must(buf_append_str(&b, "{\"keys\":[") == 0);
	for (i = 0; i < JWT_MAX_KEYS; i++)
		must(buf_printf(&b,
			 "%s{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}",
			 i ? "," : "", nstr) == 0);
	must(buf_append_str(&b, "]}") == 0);
	must((ks = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_jwks(ks, (char *)b.data, b.len, &err),
	    JWT_MAX_KEYS, "JWT_MAX_KEYS keys");
	FAILS(jwks1, "one key more than JWT_MAX_KEYS");
	is_int(jwt_keyset_count(ks), JWT_MAX_KEYS, "count unchanged");
	jwt_keyset_free(ks);
	must((ks = jwt_keyset_new()) != NULL);
	b.len -= 2;
	must(buf_printf(&b, ",{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\"}]}",
		 nstr) == 0);
	FAILS((char *)b.data, "JWKS of JWT_MAX_KEYS + 1 keys");
	is_int(jwt_keyset_count(ks), 0, "nothing added");
	ok(jwt_keyset_add_pem(ks, pem1, pem1_len, NULL) == 1,
	    "keyset still usable");
	jwt_keyset_free(ks);
	buf_release(&b);
	free(nstr);
#undef FAILS
#undef DOC
}

static char *
pkcs1_pem(EVP_PKEY *k, size_t *lenp)
{
	unsigned char *der = NULL;
	BIO *bio;
	char *data, *copy;
	long n;
	int dlen;

	must((dlen = i2d_PublicKey(k, &der)) > 0);
	must((bio = BIO_new(BIO_s_mem())) != NULL);
	must(PEM_write_bio(bio, "RSA PUBLIC KEY", "", der, dlen) > 0);
	OPENSSL_free(der);
	n = BIO_get_mem_data(bio, &data);
	must((copy = malloc((size_t)n + 1)) != NULL);
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	BIO_free(bio);
	*lenp = (size_t)n;
	return copy;
}

static void
test_pem_and_rotation(void)
{
	struct jwt_keyset *ks, *only1, *mixed;
	EVP_PKEY *small;
	char *pem2, *p, *tok, *both, *privpem, *pk1;
	size_t pem2_len, len, i;
	struct buf b;
	BIO *bio;
	char *data;
	long dl;

	pem2 = pubkey_pem(test_key2, &pem2_len);

	/* two keys in one PEM text */
	buf_init(&b);
	put(&b, pem1, pem1_len);
	put(&b, "\n", 1);
	put(&b, pem2, pem2_len);
	both = buf_detach(&b, &len);
	must((ks = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_pem(ks, both, len, NULL), 2,
	    "PEM with two public keys");
	jwt_keyset_free(ks);
	free(both);

	/* PKCS#1 "RSA PUBLIC KEY" */
	pk1 = pkcs1_pem(test_key2, &len);
	must((ks = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_pem(ks, pk1, len, "k2"), 1, "PKCS#1 PEM");
	p = std_claims();
	tok = mint(test_key2, "{\"alg\":\"RS256\",\"kid\":\"k2\"}", p);
	check(ks, tok, strlen(tok), &vector_policy, JWT_OK,
	    "token verified with PKCS#1 key", NULL);
	jwt_keyset_free(ks);
	free(pk1);

	/* rotation: key 1 from JWKS, key 2 from PEM with kid k2 */
	ks = keyset_jwks(jwks1, jwks1_len);
	is_int(jwt_keyset_add_pem(ks, pem2, pem2_len, "k2"), 1, "add key 2");
	is_int(jwt_keyset_count(ks), 2, "two keys");
	check(ks, tok, strlen(tok), &vector_policy, JWT_OK,
	    "key-2 token verifies with both keys present", NULL);
	only1 = keyset_jwks(jwks1, jwks1_len);
	check(only1, tok, strlen(tok), &vector_policy, JWT_R_UNKNOWN_KID,
	    "key-2 token refused with only key 1", NULL);
	free(tok);
	tok = mint(test_key2, HDR1, p);
	check(ks, tok, strlen(tok), &vector_policy, JWT_R_SIGNATURE,
	    "key-2 signature under key-1 kid", NULL);
	free(tok);
	tok = mint(test_key1, "{\"alg\":\"RS256\"}", p);
	check(only1, tok, strlen(tok), &vector_policy, JWT_OK,
	    "no kid, single keyed key: used", NULL);
	check(ks, tok, strlen(tok), &vector_policy, JWT_R_UNKNOWN_KID,
	    "no kid, two keyed keys: refused", NULL);
	free(tok);

	/* kid-less PEM key 1 next to keyed key 2 */
	must((mixed = jwt_keyset_new()) != NULL);
	is_int(jwt_keyset_add_pem(mixed, pem1, pem1_len, NULL), 1, "kid-less");
	is_int(jwt_keyset_add_pem(mixed, pem2, pem2_len, "k2"), 1, "keyed");
	tok = mint(test_key1, "{\"alg\":\"RS256\"}", p);
	check(mixed, tok, strlen(tok), &vector_policy, JWT_OK,
	    "no kid: kid-less key tried", NULL);
	free(tok);
	tok = mint(test_key2, "{\"alg\":\"RS256\"}", p);
	check(mixed, tok, strlen(tok), &vector_policy, JWT_R_SIGNATURE,
	    "no kid: keyed key not tried", NULL);
	free(tok);
	tok = mint(test_key2, "{\"alg\":\"RS256\",\"kid\":\"k2\"}", p);
	check(mixed, tok, strlen(tok), &vector_policy, JWT_OK,
	    "kid k2 picks the keyed key", NULL);
	free(tok);
	jwt_keyset_free(mixed);
	jwt_keyset_free(only1);
	jwt_keyset_free(ks);

	/* PEM failures */
	must((ks = jwt_keyset_new()) != NULL);
	must((small = EVP_RSA_gen(1024)) != NULL);
	data = pubkey_pem(small, &len);
	is_int(jwt_keyset_add_pem(ks, data, len, NULL), -1,
	    "1024-bit key refused");
	free(data);
	EVP_PKEY_free(small);
	must((small = EVP_EC_gen("P-256")) != NULL);
	data = pubkey_pem(small, &len);
	is_int(jwt_keyset_add_pem(ks, data, len, NULL), -1, "EC key refused");
	free(data);
	EVP_PKEY_free(small);
	must((bio = BIO_new(BIO_s_mem())) != NULL);
	must(PEM_write_bio_PrivateKey(
		 bio, test_key2, NULL, NULL, 0, NULL, NULL) == 1);
	dl = BIO_get_mem_data(bio, &privpem);
	is_int(jwt_keyset_add_pem(ks, privpem, (size_t)dl, NULL), -1,
	    "private key only: no public key found");
	BIO_free(bio);
	is_int(jwt_keyset_add_pem(ks, "hello", 5, NULL), -1, "not PEM");
	is_int(jwt_keyset_add_pem(ks, "", 0, NULL), -1, "empty");
	data = strdup(pem1);
	data[40] = data[40] == 'A' ? 'B' : 'A';
	is_int(
	    jwt_keyset_add_pem(ks, data, pem1_len, NULL), -1, "corrupted DER");
	free(data);
	buf_init(&b);
	put(&b, pem1, pem1_len);
	put(&b, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
	    57);
	is_int(jwt_keyset_add_pem(ks, (char *)b.data, b.len, NULL), -1,
	    "good key then bad block: all or nothing");
	buf_release(&b);
	{
		unsigned char *der = NULL;
		int dlen;

		must((dlen = i2d_PUBKEY(test_key2, &der)) > 0);
		must((bio = BIO_new(BIO_s_mem())) != NULL);
		buf_init(&b);
		put(&b, der, (size_t)dlen);
		put(&b, "", 1);
		must(PEM_write_bio(bio, "PUBLIC KEY", "", b.data, (long)b.len) >
		    0);
		dl = BIO_get_mem_data(bio, &data);
		is_int(jwt_keyset_add_pem(ks, data, (size_t)dl, NULL), -1,
		    "trailing byte after the DER key");
		BIO_free(bio);
		buf_release(&b);
		OPENSSL_free(der);
	}
	is_int(jwt_keyset_count(ks), 0, "nothing added by failures");
	ok(jwt_keyset_add_pem(ks, pem1, JWT_MAX_PEM + 1, NULL) == -1,
	    "PEM over JWT_MAX_PEM");
	{
		char kid[JWT_MAX_KID + 2];

		memset(kid, 'k', sizeof(kid));
		kid[JWT_MAX_KID + 1] = '\0';
		is_int(jwt_keyset_add_pem(ks, pem1, pem1_len, kid), -1,
		    "kid over JWT_MAX_KID");
		kid[JWT_MAX_KID] = '\0';
		is_int(jwt_keyset_add_pem(ks, pem1, pem1_len, kid), 1,
		    "kid of JWT_MAX_KID");
	}
	for (i = 1; i < JWT_MAX_KEYS; i++)
		if (jwt_keyset_add_pem(ks, pem1, pem1_len, NULL) != 1)
			break;
	is_int(jwt_keyset_count(ks), JWT_MAX_KEYS, "filled to JWT_MAX_KEYS");
	is_int(jwt_keyset_add_pem(ks, pem1, pem1_len, NULL), -1,
	    "PEM beyond JWT_MAX_KEYS");
	jwt_keyset_free(ks);
	jwt_keyset_free(NULL);
	free(p);
	free(pem2);
}

static void
test_misc(void)
{
	struct jwt_claims cl;
	const char *err;
	int i, j, distinct = 1;

	is_str(jwt_reason_name(JWT_OK), "ok", "reason ok");
	is_str(jwt_reason_name(JWT_R_EXPIRED), "expired", "reason expired");
	is_str(jwt_reason_name(JWT_R_UNKNOWN_KID), "unknown_kid",
	    "reason unknown_kid");
	is_str(jwt_reason_name(JWT_R_COUNT), "unknown", "out of range");
	is_str(jwt_reason_name((enum jwt_reason) - 1), "unknown", "negative");
	for (i = 0; i < JWT_R_COUNT; i++)
		for (j = 0; j < i; j++)
			if (jwt_reason_name((enum jwt_reason)i) == NULL ||
			    strcmp(jwt_reason_name((enum jwt_reason)i),
				jwt_reason_name((enum jwt_reason)j)) == 0)
				distinct = 0;
	ok(distinct, "every reason has its own label");
	ok(jwt_verify(NULL, "a.b.c", 5, NOW, NULL, &cl, &err) == -1 &&
		cl.reason == JWT_R_INTERNAL,
	    "NULL keyset");
	is_int(jwt_keyset_count(NULL), 0, "count of NULL");
}

int
main(void)
{
	char *priv;
	size_t len;
	BIO *bio;

	priv = slurp("private-key.pem", &len);
	must((bio = BIO_new_mem_buf(priv, (int)len)) != NULL);
	must((test_key1 = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) !=
	    NULL);
	BIO_free(bio);
	free(priv);
	must((test_key2 = EVP_RSA_gen(2048)) != NULL);
	jwks1 = slurp("jwks.json", &jwks1_len);
	pem1 = slurp("public-key.pem", &pem1_len);

	test_vectors();
	test_times();
	test_claims();
	test_headers();
	test_structure();
	test_jwks();
	test_pem_and_rotation();
	test_misc();

	EVP_PKEY_free(test_key1);
	EVP_PKEY_free(test_key2);
	free(jwks1);
	free(pem1);
	return done_testing();
}
