/*
 * Static-token authentication.  Untrusted input: the Authorization header
 * (bounded by AUTH_MAX_HEADER, base64 decoded strictly).  Tokens are
 * compared in constant time over their SHA-256 so neither length nor
 * content leaks through timing.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "base/b64.h"
#include "base/sha.h"

struct auth_token {
	unsigned char hash[SHA256_LEN];
	int perms;
};

struct auth {
	int required;
	struct auth_token *tokens;
	size_t ntokens;
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

struct auth *
auth_new(int required, char *const *tokens, size_t ntokens)
{
	struct auth *a;
	const char *colon;
	size_t i, len;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->required = required;
	if (ntokens > 0 &&
	    (a->tokens = calloc(ntokens, sizeof(*a->tokens))) == NULL) {
		free(a);
		return NULL;
	}
	for (i = 0; i < ntokens; i++) {
		colon = strrchr(tokens[i], ':');
		len = colon != NULL ? (size_t)(colon - tokens[i])
				    : strlen(tokens[i]);
		sha256(tokens[i], len, a->tokens[i].hash);
		a->tokens[i].perms = colon != NULL ? auth_parse_perms(colon + 1)
						   : AUTH_READ | AUTH_WRITE;
	}
	a->ntokens = ntokens;
	return a;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	free(a->tokens);
	free(a);
}

int
auth_required(const struct auth *a)
{
	return a->required;
}

int
auth_extract_token(struct span h, struct buf *out)
{
	struct buf dec;
	const unsigned char *colon;
	size_t i;

	if (h.len > AUTH_MAX_HEADER)
		return -1;
	if (h.len > 7 && span_case_eq_str(span_make(h.p, 7), "bearer ")) {
		for (i = 7; i < h.len && h.p[i] == ' '; i++)
			;
		if (i == h.len)
			return -1;
		return buf_append(out, h.p + i, h.len - i);
	}
	if (h.len > 6 && span_case_eq_str(span_make(h.p, 6), "basic ")) {
		for (i = 6; i < h.len && h.p[i] == ' '; i++)
			;
		buf_init(&dec);
		if (b64_decode(&dec, (const char *)h.p + i, h.len - i,
			B64_ANY) == -1 ||
		    (colon = memchr(dec.data, ':', dec.len)) == NULL) {
			buf_release(&dec);
			return -1;
		}
		if ((size_t)(colon - dec.data) + 1 < dec.len) {
			if (buf_append(out, colon + 1,
				dec.len - (size_t)(colon - dec.data) - 1) ==
			    -1) {
				buf_release(&dec);
				return -1;
			}
		} else if (buf_append(out, dec.data,
			       (size_t)(colon - dec.data)) == -1) {
			buf_release(&dec);
			return -1;
		}
		buf_release(&dec);
		return out->len > 0 ? 0 : -1;
	}
	return -1;
}

enum auth_result
auth_check(const struct auth *a, struct span header, int *perms)
{
	unsigned char h[SHA256_LEN];
	struct buf tok;
	size_t i;
	int found = -1;

	*perms = 0;
	if (header.p == NULL) {
		if (a->required)
			return AUTH_MISSING;
		*perms = AUTH_READ | AUTH_WRITE;
		return AUTH_ANON;
	}
	buf_init(&tok);
	if (auth_extract_token(header, &tok) == -1) {
		buf_release(&tok);
		return a->required ? AUTH_INVALID : AUTH_ANON;
	}
	sha256(tok.data, tok.len, h);
	buf_release(&tok);
	for (i = 0; i < a->ntokens; i++)
		if (sha_ct_equal(h, a->tokens[i].hash, SHA256_LEN))
			found = (int)i;
	if (found >= 0) {
		*perms = a->tokens[found].perms;
		return AUTH_OK;
	}
	if (!a->required) {
		/* Auth off: credentials a client sends anyway are ignored. */
		*perms = AUTH_READ | AUTH_WRITE;
		return AUTH_ANON;
	}
	return AUTH_INVALID;
}
