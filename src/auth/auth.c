/*
 * Authentication glue: static tokens and RS256 JWTs.  Untrusted input: the
 * Authorization header (bounded by AUTH_MAX_HEADER, base64 decoded
 * strictly, JWT parsing bounded by the jwt module) and the key files
 * (parsed by the jwt module; a bad file never replaces good keys).
 * Static tokens are compared in constant time over their SHA-256.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/jwt.h"
#include "base/b64.h"
#include "base/clock.h"
#include "base/sha.h"

#define AUTH_MAX_KEYFILE (256 * 1024)

struct auth_token {
	unsigned char hash[SHA256_LEN];
	int perms;
};

struct auth_cached {
	unsigned char hash[SHA256_LEN];
	int64_t exp; /* 0 = empty slot */
	int perms;
};

struct auth_file {
	char *path;
	int jwks;
	struct stat st; /* what was loaded */
};

struct auth {
	int required;
	struct auth_token *tokens;
	size_t ntokens;
	struct auth_file files[2];
	size_t nfiles;
	struct jwt_keyset *keys;
	char *remote; /* the JWK Set fetched from auth.jwks_url, or NULL */
	size_t remote_len;
	int remote_on; /* auth.jwks_url is set */
	struct jwt_policy policy;
	char *issuer, *audience;
	struct auth_cached *cache;
};

static int
auth_parse_perms(const char *p)
{
	int perms = 0;
	size_t n;

	while (*p != '\0') {
		n = strcspn(p, ",");
		if (n == 4 && strncmp(p, "read", 4) == 0)
			perms |= AUTH_READ;
		else if (n == 5 && strncmp(p, "write", 5) == 0)
			perms |= AUTH_WRITE;
		else if (n == 5 && strncmp(p, "admin", 5) == 0)
			perms |= AUTH_ADMIN | AUTH_READ | AUTH_WRITE;
		p += n;
		if (*p == ',')
			p++;
	}
	return perms;
}

static int
auth_read_file(const char *path, struct buf *out, struct stat *st)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fstat(fileno(f), st) == -1 || st->st_size > AUTH_MAX_KEYFILE ||
	    buf_reserve(out, (size_t)st->st_size + 1) == -1) {
		fclose(f);
		return -1;
	}
	n = fread(out->data, 1, (size_t)st->st_size, f);
	fclose(f);
	out->len = n;
	out->data[n] = '\0';
	return 0;
}

/* Builds a key set from every configured file. */
static struct jwt_keyset *
auth_load_keys(struct auth *a, const char **err)
{
	struct jwt_keyset *ks = jwt_keyset_new();
	struct buf text;
	size_t i;
	int n;

	if (ks == NULL) {
		*err = "out of memory";
		return NULL;
	}
	buf_init(&text);
	for (i = 0; i < a->nfiles; i++) {
		buf_reset(&text);
		if (auth_read_file(a->files[i].path, &text, &a->files[i].st) ==
		    -1) {
			*err = "cannot read a key file (or it is over 256 KiB)";
			goto fail;
		}
		if (a->files[i].jwks)
			n = jwt_keyset_add_jwks(
			    ks, (const char *)text.data, text.len, err);
		else
			n = jwt_keyset_add_pem(
			    ks, (const char *)text.data, text.len, NULL);
		if (n <= 0) {
			if (n == 0 || !a->files[i].jwks)
				*err = a->files[i].jwks
				    ? "the JWKS file holds no usable RS256 key"
				    : "the PEM file holds no usable RSA public "
				      "key";
			goto fail;
		}
	}
	if (a->remote != NULL &&
	    jwt_keyset_add_jwks(ks, a->remote, a->remote_len, err) <= 0) {
		*err =
		    "the JWK Set from auth.jwks_url holds no usable RS256 key";
		goto fail;
	}
	buf_release(&text);
	return ks;
fail:
	buf_release(&text);
	jwt_keyset_free(ks);
	return NULL;
}

static int
auth_add_file(struct auth *a, const char *path, int jwks)
{
	if (path == NULL || *path == '\0')
		return 0;
	if ((a->files[a->nfiles].path = strdup(path)) == NULL)
		return -1;
	a->files[a->nfiles].jwks = jwks;
	a->nfiles++;
	return 0;
}

struct auth *
auth_new(const struct auth_config *cfg, const char **err)
{
	struct auth *a;
	const char *colon;
	size_t i, len;

	*err = "out of memory";
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->required = cfg->required;
	if (cfg->ntokens > 0 &&
	    (a->tokens = calloc(cfg->ntokens, sizeof(*a->tokens))) == NULL)
		goto fail;
	for (i = 0; i < cfg->ntokens; i++) {
		colon = strrchr(cfg->tokens[i], ':');
		len = colon != NULL ? (size_t)(colon - cfg->tokens[i])
				    : strlen(cfg->tokens[i]);
		sha256(cfg->tokens[i], len, a->tokens[i].hash);
		a->tokens[i].perms = colon != NULL ? auth_parse_perms(colon + 1)
						   : AUTH_READ | AUTH_WRITE;
	}
	a->ntokens = cfg->ntokens;
	if (auth_add_file(a, cfg->public_key_file, 0) == -1 ||
	    auth_add_file(a, cfg->jwks_file, 1) == -1)
		goto fail;
	if (cfg->issuer != NULL && *cfg->issuer != '\0' &&
	    (a->issuer = strdup(cfg->issuer)) == NULL)
		goto fail;
	if (cfg->audience != NULL && *cfg->audience != '\0' &&
	    (a->audience = strdup(cfg->audience)) == NULL)
		goto fail;
	a->policy.leeway = cfg->leeway;
	a->policy.issuer = a->issuer;
	a->policy.audience = a->audience;
	a->remote_on = cfg->jwks_url != NULL && *cfg->jwks_url != '\0';
	if (a->nfiles > 0 || a->remote_on) {
		if ((a->cache = calloc(AUTH_CACHE_SLOTS, sizeof(*a->cache))) ==
		    NULL)
			goto fail;
		if ((a->keys = auth_load_keys(a, err)) == NULL)
			goto fail;
	}
	return a;
fail:
	auth_free(a);
	return NULL;
}

void
auth_free(struct auth *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nfiles; i++)
		free(a->files[i].path);
	jwt_keyset_free(a->keys);
	free(a->remote);
	free(a->issuer);
	free(a->audience);
	free(a->cache);
	free(a->tokens);
	free(a);
}

int
auth_required(const struct auth *a)
{
	return a->required;
}

size_t
auth_key_count(const struct auth *a)
{
	return a->keys != NULL ? jwt_keyset_count(a->keys) : 0;
}

int
auth_reload_keys(struct auth *a, const char **err)
{
	struct jwt_keyset *ks;
	struct auth_file saved[2];
	struct stat st;
	size_t i;
	int changed = 0;

	for (i = 0; i < a->nfiles; i++) {
		if (stat(a->files[i].path, &st) == -1 ||
		    st.st_size != a->files[i].st.st_size ||
		    st.st_ino != a->files[i].st.st_ino ||
		    st.st_mtim.tv_sec != a->files[i].st.st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != a->files[i].st.st_mtim.tv_nsec)
			changed = 1;
	}
	if (!changed)
		return 0;
	memcpy(saved, a->files, sizeof(saved));
	if ((ks = auth_load_keys(a, err)) == NULL) {
		/* Keep the old keys; remember nothing of the bad file so a
		 * fixed one is picked up even with the same size. */
		memcpy(a->files, saved, sizeof(saved));
		return -1;
	}
	jwt_keyset_free(a->keys);
	a->keys = ks;
	/* Tokens verified by a removed key must be verified again. */
	memset(a->cache, 0, AUTH_CACHE_SLOTS * sizeof(*a->cache));
	return 1;
}

int
auth_set_remote_jwks(
    struct auth *a, const char *doc, size_t len, const char **err)
{
	struct jwt_keyset *ks;
	char *old = a->remote, *copy;
	size_t old_len = a->remote_len;

	if (!a->remote_on) {
		*err = "auth.jwks_url is not set";
		return -1;
	}
	if (old != NULL && old_len == len && memcmp(old, doc, len) == 0)
		return 0;
	if ((copy = malloc(len + 1)) == NULL) {
		*err = "out of memory";
		return -1;
	}
	memcpy(copy, doc, len);
	copy[len] = '\0';
	a->remote = copy;
	a->remote_len = len;
	if ((ks = auth_load_keys(a, err)) == NULL) {
		a->remote = old;
		a->remote_len = old_len;
		free(copy);
		return -1;
	}
	free(old);
	jwt_keyset_free(a->keys);
	a->keys = ks;
	memset(a->cache, 0, AUTH_CACHE_SLOTS * sizeof(*a->cache));
	return 1;
}

int
auth_copy_remote_jwks(struct auth *to, const struct auth *from)
{
	const char *err;

	if (from->remote == NULL || !to->remote_on)
		return 0;
	return auth_set_remote_jwks(to, from->remote, from->remote_len, &err) ==
		-1
	    ? -1
	    : 0;
}

int
auth_extract_token(struct span h, struct buf *out)
{
	struct buf dec;
	const unsigned char *colon;
	size_t i, ulen;
	int rc = -1;

	if (h.len > AUTH_MAX_HEADER)
		return -1;
	if (h.len > 7 && span_case_eq_str(span_make(h.p, 7), "bearer ")) {
		for (i = 7; i < h.len && h.p[i] == ' '; i++)
			;
		if (i == h.len)
			return -1;
		return buf_append(out, h.p + i, h.len - i);
	}
	if (h.len <= 6 || !span_case_eq_str(span_make(h.p, 6), "basic "))
		return -1;
	for (i = 6; i < h.len && h.p[i] == ' '; i++)
		;
	buf_init(&dec);
	if (b64_decode(&dec, (const char *)h.p + i, h.len - i, B64_ANY) == -1 ||
	    (colon = memchr(dec.data, ':', dec.len)) == NULL)
		goto out;
	ulen = (size_t)(colon - dec.data);
	if (ulen + 1 < dec.len)
		rc = buf_append(out, colon + 1, dec.len - ulen - 1);
	else
		rc = buf_append(out, dec.data, ulen);
	if (rc == 0 && out->len == 0)
		rc = -1;
out:
	buf_release(&dec);
	return rc;
}

static int
auth_jwt_perms(unsigned jp)
{
	int p = 0;

	if (jp & JWT_PERM_READ)
		p |= AUTH_READ;
	if (jp & JWT_PERM_WRITE)
		p |= AUTH_WRITE;
	if (jp & JWT_PERM_ADMIN)
		p |= AUTH_ADMIN | AUTH_READ | AUTH_WRITE;
	return p;
}

static enum auth_result
auth_fail(const struct auth *a, struct auth_info *info, const char *reason,
    int *perms)
{
	if (info != NULL)
		info->reason = reason;
	if (!a->required) {
		/* Auth off: credentials a client sends anyway are ignored. */
		*perms = AUTH_READ | AUTH_WRITE;
		return AUTH_ANON;
	}
	return AUTH_INVALID;
}

enum auth_result
auth_check_at(struct auth *a, struct span header, int64_t now, int *perms,
    struct auth_info *info)
{
	unsigned char h[SHA256_LEN];
	struct auth_cached *slot;
	struct jwt_claims claims;
	struct buf tok;
	const char *err;
	size_t i;
	int found = -1, rc;

	*perms = 0;
	if (info != NULL) {
		info->reason = "ok";
		info->sub[0] = info->project_id[0] = '\0';
		info->instance_id[0] = '\0';
	}
	if (header.p == NULL) {
		if (info != NULL)
			info->reason = "missing";
		if (a->required)
			return AUTH_MISSING;
		*perms = AUTH_READ | AUTH_WRITE;
		return AUTH_ANON;
	}
	buf_init(&tok);
	if (auth_extract_token(header, &tok) == -1) {
		buf_release(&tok);
		return auth_fail(a, info, "malformed", perms);
	}
	sha256(tok.data, tok.len, h);
	for (i = 0; i < a->ntokens; i++)
		if (sha_ct_equal(h, a->tokens[i].hash, SHA256_LEN))
			found = (int)i;
	if (found >= 0) {
		buf_release(&tok);
		*perms = a->tokens[found].perms;
		return AUTH_OK;
	}
	if (a->keys == NULL) {
		buf_release(&tok);
		return auth_fail(a, info, "bad_token", perms);
	}
	/* The token hash picks one slot; a hit must match it exactly. */
	slot = &a->cache[(h[0] | (unsigned)h[1] << 8) % AUTH_CACHE_SLOTS];
	if (slot->exp > now && sha_ct_equal(slot->hash, h, SHA256_LEN)) {
		buf_release(&tok);
		*perms = slot->perms;
		return AUTH_OK;
	}
	rc = jwt_verify(a->keys, (const char *)tok.data, tok.len, now,
	    &a->policy, &claims, &err);
	buf_release(&tok);
	if (rc != 0)
		return auth_fail(
		    a, info, jwt_reason_name(claims.reason), perms);
	*perms = auth_jwt_perms(claims.perms);
	if (info != NULL) {
		snprintf(info->sub, sizeof(info->sub), "%s", claims.sub);
		snprintf(info->project_id, sizeof(info->project_id), "%s",
		    claims.project_id);
		snprintf(info->instance_id, sizeof(info->instance_id), "%s",
		    claims.instance_id);
	}
	memcpy(slot->hash, h, SHA256_LEN);
	/* Cache until expiry (leeway included), or a minute without exp. */
	slot->exp = claims.has_exp ? claims.exp + a->policy.leeway : now + 60;
	slot->perms = *perms;
	return AUTH_OK;
}

enum auth_result
auth_check(struct auth *a, struct span header, int *perms)
{
	return auth_check_at(a, header, clock_wall(), perms, NULL);
}
