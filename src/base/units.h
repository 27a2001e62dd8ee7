/*
 * Human units used in the configuration: sizes ("100GB", "512KiB", "1.5MB")
 * and durations ("7d", "30s", "5m", "250ms", "1h30m").  Pure.
 */
#ifndef FABRIK_UNITS_H
#define FABRIK_UNITS_H

#include <stdint.h>

#include "base/buf.h"

/* Parses a size; decimal units (KB, MB, GB, TB = powers of 1000) and
 * binary units (KiB, MiB, GiB, TiB), case-insensitive, optional B, plain
 * digits = bytes.  Returns 0, or -1 with *err set. */
int units_parse_size(const char *, uint64_t *out, const char **err) FAB_WUR;
/* Parses a duration into milliseconds: a sequence of <number><unit> with
 * units ms, s, m, h, d, w; a bare number is seconds. */
int units_parse_duration(const char *, uint64_t *ms, const char **err) FAB_WUR;
/* Formats bytes as "1.5 GB" style text into out (size >= 16). */
void units_format_size(uint64_t, char *out, unsigned outlen);

#endif
