/*
 * Base64 (RFC 4648 §4) and base64url (RFC 4648 §5).
 */
#ifndef FABRIK_B64_H
#define FABRIK_B64_H

#include <stddef.h>

#include "base/buf.h"

#define B64_STD 0x1 /* '+' '/' with '=' padding */
#define B64_URL 0x2 /* '-' '_' without padding */
#define B64_ANY 0x3 /* decode: accept either alphabet, padding optional */

/* Encoded length (without NUL) of n bytes. */
size_t b64_encoded_len(size_t n, int alphabet);
/* Appends the encoding of in to out. */
int b64_encode(struct buf *out, const void *in, size_t n, int alphabet) FAB_WUR;
/* Appends the decoding of in to out.  Accepts the given alphabet(s);
 * padding is optional; whitespace and stray characters are errors.
 * Returns 0, or -1 on malformed input or ENOMEM. */
int b64_decode(struct buf *out, const char *in, size_t n, int alphabet) FAB_WUR;

#endif
