/*
 * UTF-8 encoding (RFC 3629) of one code point, shared by the parsers that
 * decode escapes (TOML, KDL, JavaScript, S3 XML).
 */
#ifndef FABRIK_UTF8_H
#define FABRIK_UTF8_H

#include <stdint.h>

#include "base/buf.h"

/* Appends cp (at most 0x10FFFF) as 1 to 4 bytes.  Surrogates are encoded
 * like any other value (WTF-8); callers that must refuse them check
 * first.  Returns 0, or -1 for cp > 0x10FFFF or ENOMEM. */
int utf8_append(struct buf *, uint32_t cp) FAB_WUR;

#endif
