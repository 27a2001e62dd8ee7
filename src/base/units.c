/*
 * Size and duration parsing for configuration values.  Input is the
 * configuration text (trusted but possibly mistyped): every malformed or
 * overflowing value is an error with a message, never a silent default.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/units.h"

#define UNITS_MAX_WHOLE ((UINT64_MAX - 999) / 1000)

struct units_suffix {
	const char *name;
	uint64_t mult;
};

static const struct units_suffix units_sizes[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", 1000ULL },
	{ "kb", 1000ULL },
	{ "m", 1000000ULL },
	{ "mb", 1000000ULL },
	{ "g", 1000000000ULL },
	{ "gb", 1000000000ULL },
	{ "t", 1000000000000ULL },
	{ "tb", 1000000000000ULL },
	{ "kib", 1ULL << 10 },
	{ "mib", 1ULL << 20 },
	{ "gib", 1ULL << 30 },
	{ "tib", 1ULL << 40 },
};

static const struct units_suffix units_durations[] = {
	{ "ms", 1 },
	{ "s", 1000ULL },
	{ "m", 60000ULL },
	{ "h", 3600000ULL },
	{ "d", 86400000ULL },
	{ "w", 604800000ULL },
};

/* Reads digits with an optional fraction; stores the value scaled by
 * 1000 (milli-units) so "1.5" becomes 1500, and returns the end of the
 * number.  Returns NULL with *overflow = 0 when there are no digits, or
 * with *overflow = 1 when the number does not fit. */
static const char *
units_number(const char *s, uint64_t *milli, int *overflow)
{
	uint64_t v = 0, frac = 0, scale = 1000;
	int digits = 0;

	*overflow = 0;
	while (isdigit((unsigned char)*s)) {
		/* v * 1000 + 999 must fit. */
		if (v > (UNITS_MAX_WHOLE - (uint64_t)(*s - '0')) / 10) {
			*overflow = 1;
			return NULL;
		}
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
		digits++;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
			s++;
			digits++;
		}
	}
	if (digits == 0)
		return NULL;
	*milli = v * 1000 + frac;
	return s;
}

static int
units_mul(uint64_t milli, uint64_t mult, uint64_t *out)
{
	uint64_t whole = milli / 1000, frac = milli % 1000, part;

	if (mult != 0 && whole > UINT64_MAX / mult)
		return -1;
	/* frac < 1000 and every multiplier is below 2^44: no overflow. */
	part = frac * mult / 1000;
	if (whole * mult > UINT64_MAX - part)
		return -1;
	*out = whole * mult + part;
	return 0;
}

int
units_parse_size(const char *s, uint64_t *out, const char **err)
{
	const char *p;
	uint64_t milli;
	size_t i;
	char unit[8];
	size_t n = 0;
	int overflow;

	while (*s == ' ')
		s++;
	if ((p = units_number(s, &milli, &overflow)) == NULL) {
		*err = overflow ? "size too large"
				: "expected a size like \"10GB\" or \"512MiB\"";
		return -1;
	}
	while (*p == ' ')
		p++;
	while (*p != '\0' && *p != ' ' && n < sizeof(unit) - 1)
		unit[n++] = (char)tolower((unsigned char)*p++);
	unit[n] = '\0';
	while (*p == ' ')
		p++;
	if (*p != '\0') {
		*err = "unknown size unit (use B, KB, MB, GB, TB, KiB, MiB, "
		       "GiB, TiB)";
		return -1;
	}
	for (i = 0; i < sizeof(units_sizes) / sizeof(units_sizes[0]); i++) {
		if (strcmp(unit, units_sizes[i].name) == 0) {
			if (units_mul(milli, units_sizes[i].mult, out) == -1) {
				*err = "size too large";
				return -1;
			}
			return 0;
		}
	}
	*err = "unknown size unit (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)";
	return -1;
}

int
units_parse_duration(const char *s, uint64_t *ms, const char **err)
{
	const char *p = s;
	uint64_t total = 0, milli, part;
	size_t i, best, blen;
	int parts = 0, overflow;

	while (*p == ' ')
		p++;
	while (*p != '\0') {
		if ((p = units_number(p, &milli, &overflow)) == NULL) {
			if (overflow)
				goto overflow;
			*err = "expected a duration like \"30s\", \"5m\" or "
			       "\"7d\"";
			return -1;
		}
		while (*p == ' ')
			p++;
		best = (size_t)-1;
		blen = 0;
		for (i = 0;
		     i < sizeof(units_durations) / sizeof(units_durations[0]);
		     i++) {
			size_t l = strlen(units_durations[i].name);
			/* "5sec" is not 5s followed by junk. */
			if (strncasecmp(p, units_durations[i].name, l) == 0 &&
			    !isalpha((unsigned char)p[l]) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (best == (size_t)-1) {
			if (*p == '\0' && parts == 0) {
				/* A bare number is seconds. */
				if (units_mul(milli, 1000, &part) == -1)
					goto overflow;
				*ms = part;
				return 0;
			}
			*err = "unknown duration unit (use ms, s, m, h, d, w)";
			return -1;
		}
		if (units_mul(milli, units_durations[best].mult, &part) == -1 ||
		    total > UINT64_MAX - part)
			goto overflow;
		total += part;
		p += blen;
		parts++;
		while (*p == ' ')
			p++;
	}
	if (parts == 0) {
		*err = "empty duration";
		return -1;
	}
	*ms = total;
	return 0;
overflow:
	*err = "duration too large";
	return -1;
}

void
units_format_size(uint64_t v, char *out, unsigned outlen)
{
	static const char *names[] = { "B", "KB", "MB", "GB", "TB", "PB" };
	double d = (double)v;
	int i = 0;

	while (d >= 1000.0 && i < 5) {
		d /= 1000.0;
		i++;
	}
	if (i == 0)
		snprintf(out, outlen, "%llu B", (unsigned long long)v);
	else
		snprintf(out, outlen, "%.1f %s", d, names[i]);
}
