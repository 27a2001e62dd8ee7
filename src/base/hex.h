/*
 * Lowercase hexadecimal encoding and decoding.
 */
#ifndef FABRIK_HEX_H
#define FABRIK_HEX_H

#include <stddef.h>

#include "base/buf.h"

/* Writes 2*n lowercase hex digits and a NUL to out (2*n+1 bytes). */
void hex_encode(char *out, const void *in, size_t n);
/* Decodes exactly 2*n hex digits (either case) into n bytes; -1 if any
 * character is not a hex digit. */
int hex_decode(void *out, const char *in, size_t n) FAB_WUR;
/* Non-zero when s[0..len) is all lowercase hex digits. */
int hex_is_lower(const char *s, size_t len);
/* Value of one hex digit, or -1. */
int hex_digit(int c);

#endif
