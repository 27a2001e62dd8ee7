/*
 * Request authentication: extracts a token from an Authorization header
 * (Bearer, or the password of Basic in either base64 alphabet, since
 * Gradle and ccache can only send Basic) and checks it against the static
 * tokens of the configuration and, when keys are configured, as an RS256
 * JWT (auth/jwt).  Verified JWTs are cached by the SHA-256 of the token
 * until they expire, so a repeated token costs a hash and a lookup.
 * Permissions are a bitmask.
 */
#ifndef FABRIK_AUTH_H
#define FABRIK_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define AUTH_READ 0x1
#define AUTH_WRITE 0x2
#define AUTH_ADMIN 0x4

#ifndef AUTH_MAX_HEADER
#define AUTH_MAX_HEADER 8192
#endif
/* Verified-token cache slots (direct-mapped by token hash). */
#ifndef AUTH_CACHE_SLOTS
#define AUTH_CACHE_SLOTS 4096
#endif

enum auth_result {
	AUTH_OK, /* *perms set */
	AUTH_ANON, /* no credentials and none required: *perms = all */
	AUTH_MISSING, /* no credentials but required */
	AUTH_INVALID, /* credentials present but wrong */
};

struct auth_config {
	int required;
	char *const *tokens; /* "TOKEN" (read+write) or "TOKEN:read,..." */
	size_t ntokens;
	const char *public_key_file; /* "" or NULL: none */
	const char *jwks_file; /* "" or NULL: none */
	const char *jwks_url; /* "" or NULL: none (the caller fetches it) */
	int64_t leeway; /* seconds */
	const char *issuer; /* "" or NULL: any */
	const char *audience; /* "" or NULL: any */
};

/* Who a request authenticated as (for logs and metrics). */
struct auth_info {
	const char *reason; /* failure label for metrics, or "ok" */
	char sub[256]; /* JWT_CLAIM_MAX */
	char project_id[256];
	char instance_id[256];
};

struct auth;

/* Loads the key files; NULL with *err when one cannot be read or holds
 * no usable key.  cfg strings are copied. */
struct auth *auth_new(const struct auth_config *, const char **err);
void auth_free(struct auth *);
int auth_required(const struct auth *);
/* Re-reads key files whose size, mtime or inode changed.  A file that
 * fails to load keeps the previous keys (*err says why).  Returns 1 when
 * keys were reloaded, 0 when nothing changed, -1 on failure. */
int auth_reload_keys(struct auth *, const char **err);
size_t auth_key_count(const struct auth *);
/* Installs the JWK Set fetched from auth.jwks_url (the caller fetches it
 * with the HTTP client; doc is copied).  Keys from the files stay.  A
 * document without a usable key keeps the previous keys.  Returns 1 when
 * the keys changed, 0 when the document is the same, -1 with *err. */
int auth_set_remote_jwks(
    struct auth *, const char *doc, size_t len, const char **err);
/* After a reload: carries the fetched JWK Set over to the new auth. */
int auth_copy_remote_jwks(struct auth *to, const struct auth *from);

/* Checks an Authorization header value (a span with p == NULL when the
 * header is absent) at time now (unix seconds). */
enum auth_result auth_check_at(struct auth *, struct span header, int64_t now,
    int *perms, struct auth_info *info);
/* The same at the current time, without details. */
enum auth_result auth_check(struct auth *, struct span header, int *perms);

/* Extracts the token from "Bearer X" or "Basic base64(user:pass)" (the
 * password, or the user when the password is empty) into out.  Returns 0,
 * or -1 when the header is malformed or too long. */
int auth_extract_token(struct span header, struct buf *out) FAB_WUR;

#endif
