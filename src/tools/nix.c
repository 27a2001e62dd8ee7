/*
 * Nix binary cache adapter, and the pure narinfo / nix32 / signature code
 * it needs (../shared/protocols/nix-binary-cache.md §1-§4).
 *
 * Untrusted input: request paths (checked against strict alphabets before
 * they are hashed into store keys; they never name a file), narinfo and
 * nix-cache-info bodies (buffered up to NIX_MAX_NARINFO bytes, then
 * parsed: the parser reads only inside (p, n), rejects control bytes and
 * overlong fields, and never allocates more than the input's size), and
 * NAR bodies (streamed to the store under its size limits; a NAR whose
 * name is a 52-character nix32 SHA-256, as Nix names them, must hash to
 * it or it is refused and never stored).  Narinfos are stored exactly as
 * given; managed signing appends a Sig: line when serving.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/b64.h"
#include "base/hex.h"
#include "base/log.h"
#include "store/store.h"
#include "tools/nix.h"
#include "tools/tool.h"

#define NIX_NARINFO_CTYPE "text/x-nix-narinfo"
#define NIX_INFO_CTYPE "text/x-nix-cache-info"
#define NIX_NAR_CTYPE "application/x-nix-nar"
#define NIX_DEFAULT_INFO \
	"StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n"
#define NIX_MAX_KEY_NAME 128
#define NIX_MAX_KEY_FILE 4096
#define NIX_MAX_SUFFIX 8

static const char nix_alphabet[] = "0123456789abcdfghijklmnpqrsvwxyz";

/* --- nix32 (§1.3) ------------------------------------------------------ */

size_t
nix_base32_len(size_t len)
{
	return len == 0 ? 0 : (len * 8 - 1) / 5 + 1;
}

void
nix_base32_encode(const unsigned char *in, size_t len, char *out)
{
	size_t n = nix_base32_len(len), i, b, j, k;
	unsigned c;

	for (i = 0; i < n; i++) {
		/* Character i counted from the end takes bit offset i*5. */
		b = i * 5;
		j = b / 8;
		k = b % 8;
		c = (unsigned)in[j] >> k;
		if (j + 1 < len)
			c |= (unsigned)in[j + 1] << (8 - k);
		out[n - 1 - i] = nix_alphabet[c & 31];
	}
	out[n] = '\0';
}

static int
nix_digit(int c)
{
	const char *p;

	if (c == '\0' || (p = strchr(nix_alphabet, c)) == NULL)
		return -1;
	return (int)(p - nix_alphabet);
}

int
nix_base32_decode(const char *in, size_t n, unsigned char *out, size_t len)
{
	size_t i, b, j, k;
	int d;

	if (len == 0 || n != nix_base32_len(len))
		return -1;
	memset(out, 0, len);
	for (i = 0; i < n; i++) {
		if ((d = nix_digit((unsigned char)in[n - 1 - i])) < 0)
			return -1;
		b = i * 5;
		j = b / 8;
		k = b % 8;
		out[j] |= (unsigned char)((unsigned)d << k);
		if (j + 1 < len)
			out[j + 1] |= (unsigned char)((unsigned)d >> (8 - k));
		else if (((unsigned)d >> (8 - k)) != 0)
			return -1;
	}
	return 0;
}

static int
nix_is_nix32(struct span s)
{
	size_t i;

	for (i = 0; i < s.len; i++)
		if (nix_digit(s.p[i]) < 0)
			return 0;
	return 1;
}

/* --- narinfo (§1.2) ---------------------------------------------------- */

int
nix_store_basename_valid(struct span s)
{
	size_t i;
	int c;

	if (s.len < NIX_HASH_PART_LEN + 2 ||
	    s.len > NIX_HASH_PART_LEN + 1 + NIX_MAX_NAME)
		return 0;
	if (!nix_is_nix32(span_make(s.p, NIX_HASH_PART_LEN)) ||
	    s.p[NIX_HASH_PART_LEN] != '-' || s.p[NIX_HASH_PART_LEN + 1] == '.')
		return 0;
	for (i = NIX_HASH_PART_LEN + 1; i < s.len; i++) {
		c = s.p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || strchr("+-._?=", c) != NULL))
			return 0;
	}
	return 1;
}

static int
nix_is_lower_alnum(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
			(p[i] >= 'a' && p[i] <= 'z')))
			return 0;
	return 1;
}

int
nix_nar_name_valid(struct span s)
{
	const unsigned char *dot;
	size_t stem, rest;

	if (s.len == 0 || s.len > NIX_MAX_NAR_NAME)
		return 0;
	if ((dot = memchr(s.p, '.', s.len)) == NULL)
		return 0;
	stem = (size_t)(dot - s.p);
	rest = s.len - stem;
	if (stem == 0 || !nix_is_lower_alnum(s.p, stem) || rest < 4 ||
	    memcmp(dot, ".nar", 4) != 0)
		return 0;
	if (rest == 4)
		return 1;
	/* One compression suffix: ".xz", ".zst", ".bz2", ".br", ".lz4"... */
	return dot[4] == '.' && rest - 5 >= 1 && rest - 5 <= NIX_MAX_SUFFIX &&
	    nix_is_lower_alnum(dot + 5, rest - 5);
}

static int
nix_parse_u64(struct span v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v.len == 0 || v.len > 20)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		if (x > (UINT64_MAX - (uint64_t)(v.p[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = x;
	return 0;
}

/* "sha256:<nix32>", "sha256:<hex>" or SRI "sha256-<base64>" into 32
 * bytes. */
static int
nix_parse_sha256(struct span v, unsigned char out[32])
{
	struct buf b;
	int rc = -1;

	if (v.len == 7 + NIX_SHA256_NIX32_LEN && memcmp(v.p, "sha256:", 7) == 0)
		return nix_base32_decode(
		    (const char *)v.p + 7, v.len - 7, out, 32);
	if (v.len == 7 + 64 && memcmp(v.p, "sha256:", 7) == 0)
		return hex_decode(out, (const char *)v.p + 7, 32) == -1 ? -1
									: 0;
	if (v.len == 7 + 44 && memcmp(v.p, "sha256-", 7) == 0) {
		buf_init(&b);
		if (b64_decode(&b, (const char *)v.p + 7, 44, B64_STD) == 0 &&
		    b.len == 32) {
			memcpy(out, b.data, 32);
			rc = 0;
		}
		buf_release(&b);
	}
	return rc;
}

static int
nix_references_valid(struct span v)
{
	size_t i = 0, start;

	while (i < v.len) {
		start = i;
		while (i < v.len && v.p[i] != ' ')
			i++;
		if (!nix_store_basename_valid(
			span_make(v.p + start, i - start)))
			return 0;
		if (i < v.len && ++i == v.len)
			return 0; /* trailing space */
	}
	return 1;
}

/* The fields the parser knows; single-valued ones may appear once. */
enum nix_field {
	NF_STORE_PATH,
	NF_URL,
	NF_COMPRESSION,
	NF_FILE_HASH,
	NF_FILE_SIZE,
	NF_NAR_HASH,
	NF_NAR_SIZE,
	NF_REFERENCES,
	NF_DERIVER,
	NF_COUNT
};

static const char *const nix_field_names[NF_COUNT] = { "StorePath", "URL",
	"Compression", "FileHash", "FileSize", "NarHash", "NarSize",
	"References", "Deriver" };

static int
nix_narinfo_field(
    struct nix_narinfo *ni, enum nix_field f, struct span v, const char **err)
{
	const unsigned char *slash;
	size_t i;

	switch (f) {
	case NF_STORE_PATH:
		slash = NULL;
		for (i = v.len; i > 0; i--)
			if (v.p[i - 1] == '/') {
				slash = v.p + i - 1;
				break;
			}
		if (v.len > NIX_MAX_STORE_PATH || v.len == 0 || v.p[0] != '/' ||
		    slash == NULL || slash == v.p ||
		    !nix_store_basename_valid(span_make(
			slash + 1, v.len - (size_t)(slash + 1 - v.p)))) {
			*err = "StorePath is not a store path";
			return -1;
		}
		ni->store_path = v;
		ni->store_dir = span_make(v.p, (size_t)(slash - v.p));
		ni->hash_part = span_make(slash + 1, NIX_HASH_PART_LEN);
		return 0;
	case NF_URL:
		if (v.len == 0) {
			*err = "empty URL";
			return -1;
		}
		ni->url = v;
		return 0;
	case NF_COMPRESSION:
		ni->compression = v;
		return 0;
	case NF_FILE_HASH:
		ni->file_hash = v;
		return 0;
	case NF_FILE_SIZE:
		if (nix_parse_u64(v, &ni->file_size) == -1) {
			*err = "FileSize is not a number";
			return -1;
		}
		return 0;
	case NF_NAR_HASH:
		if (nix_parse_sha256(v, ni->nar_sha256) == -1) {
			*err = "NarHash is not a sha256 hash";
			return -1;
		}
		ni->nar_hash = v;
		return 0;
	case NF_NAR_SIZE:
		if (nix_parse_u64(v, &ni->nar_size) == -1 ||
		    ni->nar_size == 0) {
			*err = "NarSize is not a positive number";
			return -1;
		}
		return 0;
	case NF_REFERENCES:
		if (!nix_references_valid(v)) {
			*err = "References holds something not a store path";
			return -1;
		}
		ni->references = v;
		return 0;
	case NF_DERIVER:
		ni->deriver = v;
		return 0;
	default:
		*err = "internal error";
		return -1;
	}
}

/* Reads the "Key: value\n" line at *line (before end): 1 with key and
 * value, 0 at the end, -1 with *err when malformed. */
static int
nix_next_line(const unsigned char **line, const unsigned char *end,
    struct span *key, struct span *val, const char **err)
{
	const unsigned char *l = *line, *nl, *colon;
	size_t i;

	if (l >= end)
		return 0;
	if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL) {
		*err = "last line does not end in a newline";
		return -1;
	}
	for (i = 0; l + i < nl; i++)
		if (l[i] < 0x20 || l[i] == 0x7f) {
			*err = "control byte in a Key: value line";
			return -1;
		}
	colon = memchr(l, ':', (size_t)(nl - l));
	if (colon == NULL || colon == l || colon + 1 >= nl || colon[1] != ' ') {
		*err = "line is not \"Key: value\"";
		return -1;
	}
	*key = span_make(l, (size_t)(colon - l));
	*val = span_make(colon + 2, (size_t)(nl - colon - 2));
	*line = nl + 1;
	return 1;
}

int
nix_info_parse(const unsigned char *p, size_t n, const char **err)
{
	const unsigned char *line = p;
	struct span key, val;
	int rc, dir = 0;

	if (n > NIX_MAX_NARINFO) {
		*err = "nix-cache-info too large";
		return -1;
	}
	while ((rc = nix_next_line(&line, p + n, &key, &val, err)) == 1)
		if (span_eq_str(key, "StoreDir")) {
			if (val.len == 0 || val.p[0] != '/') {
				*err = "StoreDir is not an absolute path";
				return -1;
			}
			dir = 1;
		}
	if (rc == 0 && !dir) {
		*err = "nix-cache-info lacks StoreDir";
		return -1;
	}
	return rc;
}

int
nix_narinfo_parse(
    const unsigned char *p, size_t n, struct nix_narinfo *ni, const char **err)
{
	const unsigned char *line;
	struct span key, val;
	unsigned seen = 0;
	int f, rc;

	memset(ni, 0, sizeof(*ni));
	if (n > NIX_MAX_NARINFO) {
		*err = "narinfo too large";
		return -1;
	}
	line = p;
	while ((rc = nix_next_line(&line, p + n, &key, &val, err)) == 1) {
		if (span_eq_str(key, "Sig")) {
			ni->nsigs++;
			continue;
		}
		for (f = 0; f < NF_COUNT; f++)
			if (span_eq_str(key, nix_field_names[f]))
				break;
		if (f == NF_COUNT)
			continue; /* unknown keys are ignored (§1.2) */
		if (seen & (1u << f)) {
			*err = "a narinfo field appears twice";
			return -1;
		}
		seen |= 1u << f;
		if (nix_narinfo_field(ni, (enum nix_field)f, val, err) == -1)
			return -1;
	}
	if (rc == -1)
		return -1;
	if (ni->store_path.p == NULL || ni->url.p == NULL ||
	    ni->nar_hash.p == NULL || ni->nar_size == 0) {
		*err = "narinfo lacks StorePath, URL, NarHash or NarSize";
		return -1;
	}
	return 0;
}

static int
nix_span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
nix_fingerprint(const struct nix_narinfo *ni, struct buf *out)
{
	struct span *refs = NULL, v = ni->references;
	char h[NIX_SHA256_NIX32_LEN + 1];
	size_t nrefs = 0, i, start;
	int rc = -1;

	for (i = 0; i < v.len; i++)
		if (v.p[i] == ' ')
			nrefs++;
	if (v.len > 0)
		nrefs++;
	if (nrefs > 0 && (refs = calloc(nrefs, sizeof(*refs))) == NULL)
		return -1;
	nrefs = 0;
	for (i = 0; i < v.len;) {
		start = i;
		while (i < v.len && v.p[i] != ' ')
			i++;
		refs[nrefs++] = span_make(v.p + start, i - start);
		i++;
	}
	/* Full paths share the store dir: sorting basenames sorts them. */
	if (nrefs > 1)
		qsort(refs, nrefs, sizeof(*refs), nix_span_cmp);
	nix_base32_encode(ni->nar_sha256, 32, h);
	if (buf_printf(out, "1;%.*s;sha256:%s;%llu;", (int)ni->store_path.len,
		(const char *)ni->store_path.p, h,
		(unsigned long long)ni->nar_size) == -1)
		goto fail;
	for (i = 0; i < nrefs; i++)
		if (buf_printf(out, "%s%.*s/%.*s", i > 0 ? "," : "",
			(int)ni->store_dir.len, (const char *)ni->store_dir.p,
			(int)refs[i].len, (const char *)refs[i].p) == -1)
			goto fail;
	rc = 0;
fail:
	free(refs);
	return rc;
}

/* --- ed25519 keys and signatures (§2) ---------------------------------- */

struct nix_key {
	char name[NIX_MAX_KEY_NAME + 1];
	EVP_PKEY *pkey;
	unsigned char pub[32];
};

/* Splits "name:base64" and decodes the base64 into out (want bytes). */
static int
nix_split_key(const char *text, size_t len, char *name, size_t namecap,
    unsigned char *out, size_t want)
{
	const char *colon = memchr(text, ':', len);
	struct buf b;
	size_t nlen, i;
	int rc = -1;

	if (colon == NULL)
		return -1;
	nlen = (size_t)(colon - text);
	if (nlen == 0 || nlen >= namecap)
		return -1;
	for (i = 0; i < nlen; i++)
		if ((unsigned char)text[i] <= 0x20 ||
		    (unsigned char)text[i] >= 0x7f)
			return -1;
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	buf_init(&b);
	if (b64_decode(&b, colon + 1, len - nlen - 1, B64_STD) == 0 &&
	    b.len == want) {
		memcpy(out, b.data, want);
		rc = 0;
	}
	buf_release(&b);
	return rc;
}

struct nix_key *
nix_key_parse(const char *text, size_t len, const char **err)
{
	struct nix_key *k = NULL;
	unsigned char raw[64];
	size_t publen = 32;

	while (len > 0 && strchr(" \t\r\n", text[len - 1]) != NULL)
		len--;
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	if (nix_split_key(text, len, k->name, sizeof(k->name), raw, 64) == -1) {
		*err = "not a Nix secret key (name:base64 of 64 bytes)";
		goto fail;
	}
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32);
	if (k->pkey == NULL ||
	    EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &publen) != 1 ||
	    publen != 32) {
		*err = "OpenSSL cannot load the ed25519 key";
		goto fail;
	}
	if (memcmp(k->pub, raw + 32, 32) != 0) {
		*err = "the secret key's public half does not match its seed";
		goto fail;
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	return k;
fail:
	OPENSSL_cleanse(raw, sizeof(raw));
	nix_key_free(k);
	return NULL;
}

struct nix_key *
nix_key_load(const char *path, const char **err)
{
	static char msg[256];
	struct nix_key *k;
	char text[NIX_MAX_KEY_FILE + 1];
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		*err = msg;
		return NULL;
	}
	while (len < sizeof(text) &&
	    (n = read(fd, text + len, sizeof(text) - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > NIX_MAX_KEY_FILE) {
		*err = "secret key file too large";
		return NULL;
	}
	k = nix_key_parse(text, len, err);
	OPENSSL_cleanse(text, sizeof(text));
	return k;
}

void
nix_key_free(struct nix_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *
nix_key_name(const struct nix_key *k)
{
	return k->name;
}

int
nix_key_public(const struct nix_key *k, struct buf *out)
{
	if (buf_printf(out, "%s:", k->name) == -1)
		return -1;
	return b64_encode(out, k->pub, 32, B64_STD);
}

int
nix_key_sign(
    const struct nix_key *k, const void *msg, size_t len, struct buf *out)
{
	EVP_MD_CTX *ctx;
	unsigned char sig[64];
	size_t siglen = sizeof(sig);
	int rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* Ed25519 signs the raw message: no digest (RFC 8032 PureEdDSA). */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 || siglen != 64)
		goto fail;
	if (buf_printf(out, "%s:", k->name) == -1 ||
	    b64_encode(out, sig, siglen, B64_STD) == -1)
		goto fail;
	rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
nix_sig_verify(const char *pub, const char *sig, const void *msg, size_t len)
{
	char pname[NIX_MAX_KEY_NAME + 1], sname[NIX_MAX_KEY_NAME + 1];
	unsigned char pk[32], sg[64];
	EVP_PKEY *pkey = NULL;
	EVP_MD_CTX *ctx = NULL;
	int rc = -1;

	if (nix_split_key(pub, strlen(pub), pname, sizeof(pname), pk, 32) ==
		-1 ||
	    nix_split_key(sig, strlen(sig), sname, sizeof(sname), sg, 64) ==
		-1 ||
	    strcmp(pname, sname) != 0)
		return -1;
	if ((pkey = EVP_PKEY_new_raw_public_key(
		 EVP_PKEY_ED25519, NULL, pk, 32)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL)
		goto fail;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, sg, 64, msg, len) == 1)
		rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

/* --- the adapter ------------------------------------------------------- */

/* The managed signing key (nix.secret_key_file), or NULL. */
static struct nix_key *nix_signer;

int
nix_setup(const char *path, const char **err)
{
	struct nix_key *k = NULL;

	if (path != NULL && *path != '\0' &&
	    (k = nix_key_load(path, err)) == NULL)
		return -1;
	nix_key_free(nix_signer);
	nix_signer = k;
	if (k != NULL)
		log_info("nix: signing narinfos as %s", k->name);
	return 0;
}

void
nix_close(void)
{
	nix_key_free(nix_signer);
	nix_signer = NULL;
}

/* What a path after the prefix names. */
enum nix_kind {
	NIX_CACHE_INFO,
	NIX_NARINFO,
	NIX_NAR,
	NIX_OTHER,
};

static enum nix_kind
nix_classify(struct span p)
{
	static const char narinfo[] = ".narinfo";
	const size_t nlen = sizeof(narinfo) - 1;

	if (span_eq_str(p, "nix-cache-info"))
		return NIX_CACHE_INFO;
	if (p.len == NIX_HASH_PART_LEN + nlen &&
	    memcmp(p.p + NIX_HASH_PART_LEN, narinfo, nlen) == 0 &&
	    nix_is_nix32(span_make(p.p, NIX_HASH_PART_LEN)))
		return NIX_NARINFO;
	if (p.len > 4 && memcmp(p.p, "nar/", 4) == 0 &&
	    nix_nar_name_valid(span_make(p.p + 4, p.len - 4)))
		return NIX_NAR;
	return NIX_OTHER;
}

/* A small body (narinfo or nix-cache-info) being buffered. */
struct nix_body {
	const struct tools_env *env;
	enum nix_kind kind;
	unsigned char key[STORE_KEY_LEN];
	char hash_part[NIX_HASH_PART_LEN];
	struct buf b;
};

static void
nix_body_free(struct nix_body *nb)
{
	buf_release(&nb->b);
	free(nb);
}

static int
nix_body_data(struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct nix_body *nb = arg;

	if (n > NIX_MAX_NARINFO - nb->b.len) {
		http_req_on_abort(r, NULL, NULL);
		http_reply_text(r, 413, "narinfo larger than 64 KiB");
		nix_body_free(nb);
		return -1;
	}
	if (buf_append(&nb->b, p, n) == -1) {
		http_req_on_abort(r, NULL, NULL);
		http_reply_text(r, 500, "out of memory");
		nix_body_free(nb);
		return -1;
	}
	return 0;
}

static void
nix_body_abort(struct http_req *r, void *arg)
{
	nix_body_free(arg);
}

/* Stores a buffered body through the chain (counted as a put). */
static int
nix_store_buf(
    const struct tools_env *env, const unsigned char *key, const struct buf *b)
{
	struct store_writer *w;
	int rc;

	rc = chain_put_begin(
	    env->chain, key, STORE_NS_NIX, (int64_t)b->len, NULL, 0, &w);
	if (rc != STORE_OK)
		return rc;
	if ((rc = store_put_write(w, b->data, b->len)) != STORE_OK) {
		chain_put_abort(env->chain, w, STORE_NS_NIX);
		return rc;
	}
	return chain_put_commit(env->chain, w, STORE_NS_NIX, b->len, NULL);
}

/* Checks an uploaded narinfo: it parses, it is the narinfo of the path
 * its name says, and its NAR is already here (Nix uploads the NAR first;
 * the narinfo is the commit point, §1.2).  Returns 0 or an HTTP status
 * with *msg. */
static int
nix_narinfo_check(const struct nix_body *nb, const char **msg)
{
	struct nix_narinfo ni;
	unsigned char nkey[STORE_KEY_LEN];

	if (nix_narinfo_parse(nb->b.data, nb->b.len, &ni, msg) == -1)
		return 400;
	if (memcmp(ni.hash_part.p, nb->hash_part, NIX_HASH_PART_LEN) != 0) {
		*msg = "StorePath does not match the narinfo name";
		return 400;
	}
	if (ni.url.len <= 4 || memcmp(ni.url.p, "nar/", 4) != 0 ||
	    !nix_nar_name_valid(span_make(ni.url.p + 4, ni.url.len - 4))) {
		*msg = "URL must name a NAR file under nar/";
		return 400;
	}
	store_key_for(STORE_NS_NIX, ni.url.p, ni.url.len, nkey);
	if (!store_has(chain_store(nb->env->chain), nkey, NULL, NULL)) {
		*msg = "the NAR named by URL was not uploaded";
		return 400;
	}
	return 0;
}

static void
nix_body_end(struct http_req *r, int ok, void *arg)
{
	struct nix_body *nb = arg;
	const char *msg = NULL;
	int status, rc;

	http_req_on_abort(r, NULL, NULL);
	if (!ok) {
		http_reply_text(r, http_req_body_error(r),
		    http_req_body_error(r) == 413
			? "request body too large"
			: "incomplete or malformed body");
		nix_body_free(nb);
		return;
	}
	if (nb->kind == NIX_NARINFO)
		status = nix_narinfo_check(nb, &msg);
	else
		status =
		    nix_info_parse(nb->b.data, nb->b.len, &msg) == -1 ? 400 : 0;
	if (status != 0) {
		http_reply_text(r, status, msg);
		nix_body_free(nb);
		return;
	}
	if ((rc = nix_store_buf(nb->env, nb->key, &nb->b)) == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
	nix_body_free(nb);
}

static void
nix_put_small(struct http_req *r, const struct tools_env *env,
    enum nix_kind kind, struct span path, const unsigned char *key)
{
	struct nix_body *nb;
	long long len = http_req_content_length(r);

	if (len > NIX_MAX_NARINFO) {
		http_reply_text(r, 413, "narinfo larger than 64 KiB");
		return;
	}
	if ((nb = calloc(1, sizeof(*nb))) == NULL) {
		http_reply_text(r, 500, "out of memory");
		return;
	}
	nb->env = env;
	nb->kind = kind;
	memcpy(nb->key, key, STORE_KEY_LEN);
	if (kind == NIX_NARINFO)
		memcpy(nb->hash_part, path.p, NIX_HASH_PART_LEN);
	buf_init(&nb->b);
	http_req_on_abort(r, nix_body_abort, nb);
	http_req_read_body(r, nix_body_data, nix_body_end, nb);
}

/* Non-zero when text already has a "Sig: <name>:" line. */
static int
nix_has_sig_by(const unsigned char *p, size_t n, const char *name)
{
	size_t nlen = strlen(name), i = 0;

	while (i < n) {
		if (n - i > 5 + nlen && memcmp(p + i, "Sig: ", 5) == 0 &&
		    memcmp(p + i + 5, name, nlen) == 0 &&
		    p[i + 5 + nlen] == ':')
			return 1;
		while (i < n && p[i] != '\n')
			i++;
		i++;
	}
	return 0;
}

/* Serves a stored narinfo, with Fabrik's own signature when configured. */
static void
nix_reply_narinfo(
    struct http_req *r, const struct tools_env *env, struct store_obj *o)
{
	struct nix_narinfo ni;
	struct buf out, fp;
	const char *err;

	if (nix_signer == NULL || o->data == NULL ||
	    nix_has_sig_by(o->data, o->size, nix_signer->name) ||
	    nix_narinfo_parse(o->data, o->size, &ni, &err) == -1) {
		tool_reply_obj(r, env->chain, o, 200, NIX_NARINFO_CTYPE);
		return;
	}
	buf_init(&out);
	buf_init(&fp);
	if (nix_fingerprint(&ni, &fp) == -1 ||
	    buf_append(&out, o->data, o->size) == -1 ||
	    buf_append_str(&out, "Sig: ") == -1 ||
	    nix_key_sign(nix_signer, fp.data, fp.len, &out) == -1 ||
	    buf_putc(&out, '\n') == -1) {
		log_warn("nix: cannot sign %.*s; served unsigned",
		    (int)ni.store_path.len, (const char *)ni.store_path.p);
		tool_reply_obj(r, env->chain, o, 200, NIX_NARINFO_CTYPE);
	} else {
		http_reply(r, 200, NIX_NARINFO_CTYPE, out.data, out.len);
		store_obj_release(o);
	}
	buf_release(&out);
	buf_release(&fp);
}

static void
nix_put_done(struct http_req *r, int rc, void *arg)
{
	if (rc == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else if (rc == STORE_EDIGEST)
		http_reply_text(r, 400,
		    "NAR content does not match the SHA-256 in its name");
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
}

static void
nix_get(struct http_req *r, const struct tools_env *env, enum nix_kind kind,
    const unsigned char *key)
{
	struct store_obj o;
	int rc;

	if (kind == NIX_CACHE_INFO) {
		/* Not a cache lookup: not counted as a hit or a miss. */
		if (store_get(chain_store(env->chain), key, &o) == STORE_OK)
			tool_reply_obj(r, env->chain, &o, 200, NIX_INFO_CTYPE);
		else
			http_reply(r, 200, NIX_INFO_CTYPE, NIX_DEFAULT_INFO,
			    strlen(NIX_DEFAULT_INFO));
		return;
	}
	if ((rc = tool_get(r, env, key, STORE_NS_NIX, &o, nix_handle,
		 (void *)env)) == TOOL_SUSPENDED)
		return;
	if (rc != STORE_OK) {
		http_reply_text(r, 404, "not in this cache");
		return;
	}
	if (kind == NIX_NARINFO)
		nix_reply_narinfo(r, env, &o);
	else
		tool_reply_obj(r, env->chain, &o, 200, NIX_NAR_CTYPE);
}

static void
nix_put_nar(struct http_req *r, const struct tools_env *env, struct span name,
    const unsigned char *key)
{
	unsigned char sha[32];
	const unsigned char *dot = memchr(name.p, '.', name.len);
	int has_sha;

	/* Nix names NARs after the nix32 SHA-256 of the uploaded (compressed)
	 * file: verify it like a CAS. */
	has_sha = dot - name.p == NIX_SHA256_NIX32_LEN &&
	    nix_base32_decode(
		(const char *)name.p, NIX_SHA256_NIX32_LEN, sha, 32) == 0;
	tool_put(r, env, key, STORE_NS_NIX, NULL, 0, has_sha ? sha : NULL,
	    nix_put_done, NULL);
}

void
nix_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct span path = http_req_path(r), p;
	unsigned char key[STORE_KEY_LEN];
	enum nix_kind kind;
	int perms;

	http_req_set_tag(r, STORE_NS_NIX);
	p = span_make(
	    path.p + strlen(NIX_PREFIX), path.len - strlen(NIX_PREFIX));
	if ((perms = tool_auth(r, env, "Basic")) < 0)
		return;
	kind = nix_classify(p);
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (!(perms & AUTH_READ)) {
			/* Nix reads 403 as "not in this cache". */
			tool_forbidden(r, 403, "token may not read");
			return;
		}
		if (kind == NIX_OTHER) {
			http_reply_text(r, 404, "not in this cache");
			return;
		}
		store_key_for(STORE_NS_NIX, p.p, p.len, key);
		nix_get(r, env, kind, key);
		return;
	}
	if (http_req_is(r, "PUT")) {
		if (!(perms & AUTH_WRITE)) {
			tool_forbidden(r, 403, "token may not write");
			return;
		}
		if (kind == NIX_OTHER) {
			http_reply_text(r, 400,
			    "not a nix-cache-info, narinfo or nar/ path");
			return;
		}
		store_key_for(STORE_NS_NIX, p.p, p.len, key);
		if (kind == NIX_NAR)
			nix_put_nar(r, env, span_make(p.p + 4, p.len - 4), key);
		else
			nix_put_small(r, env, kind, p, key);
		return;
	}
	http_reply_header(r, "Allow", "GET, HEAD, PUT");
	http_reply_text(r, 405, "method not allowed");
}
