/*
 * Unit tests for tools/nix: nix32 against the protocol's examples, the
 * shared narinfo / fingerprint / ed25519 vectors (t/data/nix-signing),
 * narinfo validation edges, NAR names, and signing round trips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/sha.h"
#include "tap.h"
#include "tools/nix.h"

int main(void);

static char *
slurp(const char *name, size_t *lenp)
{
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(
	    path, sizeof(path), "%s/data/nix-signing/%s", tap_tdir(), name);
	if ((f = fopen(path, "rb")) == NULL) {
		diag("cannot open %s", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if ((p = malloc((size_t)n + 1)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	p[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return p;
}

/* The value of "label: " in keys.txt (a static copy). */
static const char *
key_line(const char *keys, const char *label)
{
	static char out[2][256];
	static int which;
	const char *p = strstr(keys, label), *e;
	char *o = out[which++ % 2];

	if (p == NULL)
		return "";
	p += strlen(label);
	e = strchr(p, '\n');
	snprintf(o, 256, "%.*s", (int)(e != NULL ? e - p : (long)strlen(p)), p);
	return o;
}

static void
test_nix32(void)
{
	unsigned char h[32], back[32];
	char s[64];

	sha256("", 0, h);
	nix_base32_encode(h, 32, s);
	is_str(s, "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73",
	    "nix32 of sha256('')");
	sha256("hello", 5, h);
	nix_base32_encode(h, 32, s);
	is_str(s, "094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic",
	    "nix32 of sha256('hello')");
	is_int(nix_base32_len(32), 52, "52 characters for SHA-256");
	is_int(nix_base32_len(20), 32, "32 characters for a store hash");
	ok(nix_base32_decode(s, 52, back, 32) == 0 && memcmp(back, h, 32) == 0,
	    "nix32 decodes back");
	s[0] = 'z'; /* sets bits past 256 */
	ok(nix_base32_decode(s, 52, back, 32) == -1,
	    "nix32 with bits past the length is refused");
	s[0] = 'e'; /* not in the alphabet */
	ok(nix_base32_decode(s, 52, back, 32) == -1,
	    "nix32 with 'e' is refused");
	ok(nix_base32_decode(s + 1, 51, back, 32) == -1,
	    "nix32 of the wrong length is refused");
}

static void
test_vectors(void)
{
	struct nix_narinfo ni;
	struct buf fp, sig, pub;
	struct nix_key *k;
	const char *err = NULL;
	char *narinfo, *fpr, *sigtxt, *keys, *nar;
	size_t nlen, flen, slen, klen, narlen;
	unsigned char h[32];
	char h32[64];

	narinfo = slurp("0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss.narinfo", &nlen);
	fpr = slurp("fingerprint.txt", &flen);
	sigtxt = slurp("signature.txt", &slen);
	keys = slurp("keys.txt", &klen);
	nar = slurp("hello.nar", &narlen);
	while (slen > 0 && sigtxt[slen - 1] == '\n')
		sigtxt[--slen] = '\0';

	ok(nix_narinfo_parse((unsigned char *)narinfo, nlen, &ni, &err) == 0,
	    "vector narinfo parses (%s)", err != NULL ? err : "ok");
	ok(span_eq_str(ni.store_path,
	       "/nix/store/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-hello-2.12.1"),
	    "StorePath");
	ok(span_eq_str(ni.store_dir, "/nix/store"), "store dir");
	ok(span_eq_str(ni.hash_part, "0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss"),
	    "hash part");
	ok(span_eq_str(ni.url,
	       "nar/1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1.nar"),
	    "URL");
	ok(span_eq_str(ni.compression, "none"), "Compression");
	is_int(ni.nar_size, 136, "NarSize");
	is_int(ni.file_size, 136, "FileSize");
	is_int(ni.nsigs, 1, "one Sig line");
	sha256(nar, narlen, h);
	ok(memcmp(h, ni.nar_sha256, 32) == 0,
	    "NarHash is the SHA-256 of hello.nar");
	nix_base32_encode(h, 32, h32);
	is_str(h32, "1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1",
	    "hello.nar's nix32 hash");

	buf_init(&fp);
	ok(nix_fingerprint(&ni, &fp) == 0, "fingerprint built");
	is_mem(fp.data, fp.len, fpr, flen, "fingerprint matches the vector");

	ok(nix_sig_verify(key_line(keys, "public: "), sigtxt, fpr, flen) == 0,
	    "vector signature verifies with the vector public key");
	fpr[2] ^= 1;
	ok(nix_sig_verify(key_line(keys, "public: "), sigtxt, fpr, flen) == -1,
	    "a changed fingerprint does not verify");
	fpr[2] ^= 1;
	ok(nix_sig_verify(
	       "other-1:B0mE8w5KMt+5RV/ldDEKPguBMPvN+EcxQkIdtL6WOgk=", sigtxt,
	       fpr, flen) == -1,
	    "a key of another name does not verify");

	k = nix_key_parse(key_line(keys, "secret: "),
	    strlen(key_line(keys, "secret: ")), &err);
	ok(k != NULL, "vector secret key parses");
	if (k == NULL)
		goto out;
	is_str(nix_key_name(k), "fabrik-test-1", "key name");
	buf_init(&pub);
	ok(nix_key_public(k, &pub) == 0, "public key exported");
	is_str(buf_cstr(&pub), key_line(keys, "public: "),
	    "public key is the vector's");
	buf_release(&pub);
	buf_init(&sig);
	ok(nix_key_sign(k, fp.data, fp.len, &sig) == 0, "signed");
	is_str(buf_cstr(&sig), sigtxt,
	    "ed25519 is deterministic: the vector signature is reproduced");
	buf_release(&sig);
	nix_key_free(k);
out:
	buf_release(&fp);
	free(narinfo);
	free(fpr);
	free(sigtxt);
	free(keys);
	free(nar);
}

static void
test_keys(void)
{
	const char *err = NULL;
	struct nix_key *k;
	/* The vector key with its public half altered (last byte). */
	const char *bad = "fabrik-test-1:vnH+Xxz3DIzpOkdItKCGSY5EPhuveo2S1Nh3W"
			  "lmER0cHSYTzDkoy37lFX+V0MQo+C4Ew+834RzFCQh20vpY6CA==";

	k = nix_key_parse(bad, strlen(bad), &err);
	ok(k == NULL && err != NULL,
	    "a secret key whose public half does "
	    "not match is refused");
	ok(nix_key_parse("nocolon", 7, &err) == NULL, "no name: refused");
	ok(nix_key_parse(":AAAA", 5, &err) == NULL, "empty name: refused");
	ok(nix_key_parse("a:AAAA", 6, &err) == NULL, "short key: refused");
	ok(nix_key_load("/nonexistent/sk", &err) == NULL && err != NULL,
	    "missing key file: refused with a message");
}

/* Parses text; returns the error message or "ok". */
static const char *
parse(const char *text)
{
	struct nix_narinfo ni;
	const char *err = NULL;

	if (nix_narinfo_parse(
		(const unsigned char *)text, strlen(text), &ni, &err) == 0)
		return "ok";
	return err;
}

#define SP "StorePath: /nix/store/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-x\n"
#define URL \
	"URL: nar/1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1.nar\n"
#define NH \
	"NarHash: " \
	"sha256:1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1\n"
#define NS "NarSize: 136\n"

static void
test_narinfo_edges(void)
{
	struct nix_narinfo a, b, c;
	const char *err;
	const char *hex = SP URL "NarHash: sha256:"
				 "61da19402de2f415321deb3ddca66e00f698951584c03"
				 "2f110fb04256aaacfd9\n" NS;
	const char *sri = SP URL
	    "NarHash: sha256-YdoZQC3i9BUyHes93KZuAPaYlRWEwDLxEPsEJWqqz9k=\n" NS;
	const char *badsri = SP URL
	    "NarHash: sha256-YdoZQC3i9BUyHes93KZuAPaYl WEwDLxEPsEJWqqz9k=\n" NS;
	char big[NIX_MAX_NARINFO + 64];

	is_str(parse(SP URL NH NS), "ok", "minimal narinfo");
	is_str(parse(SP URL NH NS "References: \n"), "ok", "empty References");
	is_str(parse(SP URL NH NS "System: x86_64-linux\nFoo: bar\n"), "ok",
	    "unknown keys ignored");
	ok(strcmp(parse(SP URL NH NS "References: ../etc\n"), "ok") != 0,
	    "References with a non-path refused");
	ok(strcmp(parse(SP URL NH NS "References: 0c2kbqk6h3sm0f6v6f5w0zq1c9n5"
				     "k4ss-x \n"),
	       "ok") != 0,
	    "References with a trailing space refused");
	ok(strcmp(parse(SP URL NH NS "Sig: x:y"), "ok") != 0,
	    "last line without newline refused");
	ok(strcmp(parse(SP URL NH), "ok") != 0, "missing NarSize refused");
	ok(strcmp(parse(SP URL NH "NarSize: 0\n"), "ok") != 0,
	    "NarSize 0 refused");
	ok(strcmp(parse(SP URL NH "NarSize: 99999999999999999999999\n"),
	       "ok") != 0,
	    "NarSize overflow refused");
	ok(strcmp(parse(URL NH NS), "ok") != 0, "missing StorePath refused");
	ok(strcmp(parse(SP SP URL NH NS), "ok") != 0,
	    "duplicate field refused");
	ok(strcmp(parse("StorePath: /nix/store/e-x\n" URL NH NS), "ok") != 0,
	    "bad store path refused");
	ok(strcmp(parse("StorePath: nix/store/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4"
			"ss-x\n" URL NH NS),
	       "ok") != 0,
	    "relative store path refused");
	ok(strcmp(parse(SP URL "NarHash: md5:abc\n" NS), "ok") != 0,
	    "NarHash of another algorithm refused");
	ok(strcmp(parse(SP URL NH NS "Deriver: a\tb\n"), "ok") != 0,
	    "control byte refused");
	ok(strcmp(parse(SP URL NH NS "NoSpace:x\n"), "ok") != 0,
	    "line without \": \" refused");
	ok(strcmp(parse(""), "ok") != 0, "empty body refused");

	/* The same hash in nix32, hex and SRI gives the same fingerprint
	 * (Nix always signs the nix32 form). */
	ok(nix_narinfo_parse((const unsigned char *)(SP URL NH NS),
	       strlen(SP URL NH NS), &a, &err) == 0 &&
		nix_narinfo_parse(
		    (const unsigned char *)hex, strlen(hex), &b, &err) == 0,
	    "nix32 and hex NarHash parse");
	ok(memcmp(a.nar_sha256, b.nar_sha256, 32) == 0,
	    "hex and nix32 NarHash decode alike");
	ok(nix_narinfo_parse(
	       (const unsigned char *)sri, strlen(sri), &c, &err) == 0 &&
		memcmp(a.nar_sha256, c.nar_sha256, 32) == 0,
	    "SRI NarHash decodes alike");
	ok(nix_narinfo_parse(
	       (const unsigned char *)badsri, strlen(badsri), &c, &err) == -1,
	    "SRI with a space refused");

	memset(big, 'x', sizeof(big));
	memcpy(big, SP, strlen(SP));
	big[sizeof(big) - 1] = '\n';
	ok(nix_narinfo_parse((unsigned char *)big, sizeof(big), &a, &err) == -1,
	    "narinfo over NIX_MAX_NARINFO refused");
}

static void
test_fingerprint_sorted(void)
{
	struct nix_narinfo ni;
	struct buf fp;
	const char *err;
	const char *t =
	    SP URL NH NS "References: 9y4v5r2z1j1r3xkdk2fl6vqhn4w8m9zx-b "
			 "0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-x\n";

	buf_init(&fp);
	ok(nix_narinfo_parse((const unsigned char *)t, strlen(t), &ni, &err) ==
		    0 &&
		nix_fingerprint(&ni, &fp) == 0,
	    "unsorted References parse");
	is_str(buf_cstr(&fp),
	    "1;/nix/store/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-x;sha256:"
	    "1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1;136;"
	    "/nix/store/0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-x,"
	    "/nix/store/9y4v5r2z1j1r3xkdk2fl6vqhn4w8m9zx-b",
	    "fingerprint sorts references and prefixes the store dir");
	buf_release(&fp);
}

static void
test_names(void)
{
	static const struct {
		const char *s;
		int valid;
	} nars[] = {
		{ "1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1.nar",
		    1 },
		{ "1nfgm9m2a17v23qk5h442narixh0dskdqggb3lr1bx725m01knk1.nar.xz",
		    1 },
		{ "abc.nar.zst", 1 },
		{ "abc.nar.bz2", 1 },
		{ "abc.nar", 1 },
		{ "abc", 0 },
		{ ".nar", 0 },
		{ "abc.tar", 0 },
		{ "abc.nar.", 0 },
		{ "abc.nar.xz.gz", 0 },
		{ "../x.nar", 0 },
		{ "ABC.nar", 0 },
		{ "abc.nar.toolongsuffix", 0 },
		{ "a/b.nar", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(nars) / sizeof(nars[0]); i++)
		is_int(nix_nar_name_valid(span_str(nars[i].s)), nars[i].valid,
		    nars[i].s);
	ok(nix_store_basename_valid(
	       span_str("0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-hello-2.12.1")),
	    "store basename");
	ok(!nix_store_basename_valid(
	       span_str("0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-.hidden")),
	    "name starting with '.' refused");
	ok(!nix_store_basename_valid(
	       span_str("0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4ss-a/b")),
	    "name with '/' refused");
	ok(!nix_store_basename_valid(
	       span_str("0c2kbqk6h3sm0f6v6f5w0zq1c9n5k4st-x")),
	    "hash with 't' refused");
	ok(nix_info_parse((const unsigned char *)"StoreDir: /nix/store\n"
						 "WantMassQuery: 1\n",
	       38, &(const char *){ NULL }) == 0,
	    "nix-cache-info parses");
	ok(nix_info_parse((const unsigned char *)"WantMassQuery: 1\n", 17,
	       &(const char *){ NULL }) == -1,
	    "nix-cache-info without StoreDir refused");
}

int
main(void)
{
	test_nix32();
	test_vectors();
	test_keys();
	test_narinfo_edges();
	test_fingerprint_sorted();
	test_names();
	return done_testing();
}
