/*
 * Clocks: monotonic milliseconds/microseconds for timers and latency,
 * wall-clock seconds for timestamps and expiry.
 */
#ifndef FABRIK_CLOCK_H
#define FABRIK_CLOCK_H

#include <stdint.h>

uint64_t clock_mono_ms(void);
uint64_t clock_mono_us(void);
/* Seconds since the epoch. */
int64_t clock_wall(void);
/* Writes an RFC 3339 UTC timestamp ("2026-11-23T01:02:03Z"); out >= 21. */
void clock_format_rfc3339(int64_t secs, char *out, unsigned outlen);
/* Writes an IMF-fixdate for HTTP Date headers; out >= 30. */
void clock_format_http(int64_t secs, char *out, unsigned outlen);

#endif
