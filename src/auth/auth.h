/*
 * Request authentication: extracts a token from an Authorization header
 * (Bearer, or the password of Basic in either base64 alphabet, since
 * Gradle and ccache can only send Basic) and checks it against the static
 * tokens of the configuration.  JWT RS256 verification plugs in here
 * (auth/jwt).  Permissions are a bitmask.
 */
#ifndef FABRIK_AUTH_H
#define FABRIK_AUTH_H

#include <stddef.h>

#include "base/buf.h"

#define AUTH_READ 0x1
#define AUTH_WRITE 0x2
#define AUTH_ADMIN 0x4

#ifndef AUTH_MAX_HEADER
#define AUTH_MAX_HEADER 8192
#endif

enum auth_result {
	AUTH_OK, /* *perms set */
	AUTH_ANON, /* no credentials and none required: *perms = all */
	AUTH_MISSING, /* no credentials but required */
	AUTH_INVALID, /* credentials present but wrong */
};

struct auth;

/* tokens: "TOKEN" (read+write) or "TOKEN:read,write,admin". */
struct auth *auth_new(int required, char *const *tokens, size_t ntokens);
void auth_free(struct auth *);
int auth_required(const struct auth *);

/* Checks an Authorization header value (a span with p == NULL when the
 * header is absent). */
enum auth_result auth_check(
    const struct auth *, struct span header, int *perms);

/* Extracts the token from "Bearer X" or "Basic base64(user:pass)" (the
 * password, or the user when the password is empty) into out.  Returns 0,
 * or -1 when the header is malformed or too long. */
int auth_extract_token(struct span header, struct buf *out) FAB_WUR;

#endif
