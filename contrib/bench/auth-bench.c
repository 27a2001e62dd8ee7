/*
 * auth-bench: the cost of authenticating one request.  Mints RS256 tokens
 * with the test key of t/data/jwt (test-only key), then times
 * auth_check_at() for (a) a token seen before (verified-token cache hit),
 * (b) first verifications (distinct tokens, RSA verify each time), and
 * (c) a static token.  Build: make contrib/bench/auth-bench
 * Run:   contrib/bench/auth-bench [t/data/jwt]
 */
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "base/b64.h"
#include "base/clock.h"

int main(int, char **);

static EVP_PKEY *
bench_load_key(const char *path)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k;

	if (f == NULL)
		return NULL;
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	return k;
}

static int
bench_mint(EVP_PKEY *key, long long exp, int n, struct buf *out)
{
	char payload[256];
	unsigned char sig[1024];
	size_t siglen = sizeof(sig);
	EVP_MD_CTX *ctx;
	const char *hdr = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
	int rc = -1;

	snprintf(payload, sizeof(payload),
	    "{\"sub\":\"bench-%d\",\"exp\":%lld,\"permissions\":"
	    "[\"cache:read\",\"cache:write\"]}",
	    n, exp);
	buf_reset(out);
	if (b64_encode(out, hdr, strlen(hdr), B64_URL) == -1 ||
	    buf_putc(out, '.') == -1 ||
	    b64_encode(out, payload, strlen(payload), B64_URL) == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, out->data, out->len) == 1 &&
	    buf_putc(out, '.') == 0 &&
	    b64_encode(out, sig, siglen, B64_URL) == 0)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "t/data/jwt";
	char path[1024], hdr[4096];
	struct auth_config ac;
	struct auth *a;
	struct buf tok;
	EVP_PKEY *key;
	const char *err;
	char *tokens[] = { "static-bench-token" };
	int64_t now = clock_wall();
	uint64_t t0, t1;
	int i, perms, n = 200000, first = 500;

	snprintf(path, sizeof(path), "%s/private-key.pem", dir);
	if ((key = bench_load_key(path)) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/public-key.pem", dir);
	memset(&ac, 0, sizeof(ac));
	ac.required = 1;
	ac.tokens = tokens;
	ac.ntokens = 1;
	ac.public_key_file = path;
	ac.leeway = 60;
	if ((a = auth_new(&ac, &err)) == NULL) {
		fprintf(stderr, "auth_new: %s\n", err);
		return 1;
	}
	buf_init(&tok);
	if (bench_mint(key, now + 3600, 0, &tok) == -1)
		return 1;
	snprintf(hdr, sizeof(hdr), "Bearer %s", buf_cstr(&tok));
	if (auth_check_at(a, span_str(hdr), now, &perms, NULL) != AUTH_OK) {
		fprintf(stderr, "the minted token does not verify\n");
		return 1;
	}
	t0 = clock_mono_us();
	for (i = 0; i < n; i++)
		if (auth_check_at(a, span_str(hdr), now, &perms, NULL) !=
		    AUTH_OK)
			return 1;
	t1 = clock_mono_us();
	printf("cached JWT:        %8.3f us per request (%d requests)\n",
	    (double)(t1 - t0) / n, n);
	{
		struct buf *many = calloc((size_t)first, sizeof(*many));
		char (*hdrs)[4096] = malloc((size_t)first * 4096);
		if (many == NULL || hdrs == NULL)
			return 1;
		for (i = 0; i < first; i++) {
			buf_init(&many[i]);
			if (bench_mint(key, now + 3600, i + 1, &many[i]) == -1)
				return 1;
			snprintf(hdrs[i], 4096, "Bearer %s",
			    buf_cstr(&many[i]));
		}
		t0 = clock_mono_us();
		for (i = 0; i < first; i++)
			if (auth_check_at(a, span_str(hdrs[i]), now, &perms,
				NULL) != AUTH_OK)
				return 1;
		t1 = clock_mono_us();
		printf("first verification: %8.3f us per request (%d tokens)\n",
		    (double)(t1 - t0) / first, first);
		for (i = 0; i < first; i++)
			buf_release(&many[i]);
		free(many);
		free(hdrs);
	}
	t0 = clock_mono_us();
	for (i = 0; i < n; i++)
		if (auth_check_at(a, span_str("Bearer static-bench-token"), now,
			&perms, NULL) != AUTH_OK)
			return 1;
	t1 = clock_mono_us();
	printf("static token:      %8.3f us per request (%d requests)\n",
	    (double)(t1 - t0) / n, n);
	buf_release(&tok);
	auth_free(a);
	EVP_PKEY_free(key);
	return 0;
}
