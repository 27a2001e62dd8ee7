/*
 * Unit tests for base/units: sizes (decimal and binary units, fractions,
 * case, spaces, bad units, overflow) and durations (units, sequences,
 * bare seconds, bad units, overflow), and size formatting.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/units.h"
#include "tap.h"

int main(void);

struct ucase {
	const char *text;
	uint64_t want;
};

struct ubad {
	const char *text;
	const char *msg; /* the start of the expected message */
};

static const struct ucase sizes[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "4096", 4096 },
	{ "100GB", 100000000000ULL },
	{ "100gb", 100000000000ULL },
	{ "100Gb", 100000000000ULL },
	{ "100G", 100000000000ULL },
	{ "512KiB", 524288 },
	{ "512kib", 524288 },
	{ "512KIB", 524288 },
	{ "1.5MB", 1500000 },
	{ "1.5MiB", 1572864 },
	{ "0.5KB", 500 },
	{ ".5KB", 500 },
	{ "10B", 10 },
	{ "10b", 10 },
	{ "1KB", 1000 },
	{ "1K", 1000 },
	{ "1MB", 1000000 },
	{ "1M", 1000000 },
	{ "3TB", 3000000000000ULL },
	{ "2TiB", 2199023255552ULL },
	{ "1GiB", 1073741824 },
	{ "10 GB", 10000000000ULL },
	{ "  10GB  ", 10000000000ULL },
	{ " 7 ", 7 },
	{ "0GB", 0 },
	{ "1.2345KB", 1234 }, /* three fractional digits are kept */
	/* Largest plain number the parser accepts. */
	{ "18446744073709550", 18446744073709550ULL },
	{ "16000000TB", 16000000000000000000ULL },
};

static const struct ubad bad_sizes[] = {
	{ "", "expected a size" },
	{ "   ", "expected a size" },
	{ "GB", "expected a size" },
	{ "-1GB", "expected a size" },
	{ "+1GB", "expected a size" },
	{ ".", "expected a size" },
	{ "10XB", "unknown size unit" },
	{ "10PB", "unknown size unit" },
	{ "10 G B", "unknown size unit" },
	{ "10GBs", "unknown size unit" },
	{ "10GB 5", "unknown size unit" },
	{ "10kibibytes", "unknown size unit" },
	{ "1e3", "unknown size unit" },
	{ "0x10", "unknown size unit" },
	{ "10GB,", "unknown size unit" },
	{ "20000000TB", "size too large" },
	{ "99999999999999999999", "size too large" },
	{ "18446744073709551", "size too large" },
	{ "184467440737095520", "size too large" },
	{ "17179869184TiB", "size too large" },
};

static const struct ucase durations[] = {
	{ "0", 0 },
	{ "30", 30000 },
	{ " 30 ", 30000 },
	{ "30s", 30000 },
	{ "30S", 30000 },
	{ "5m", 300000 },
	{ "5M", 300000 },
	{ "250ms", 250 },
	{ "250MS", 250 },
	{ "1h", 3600000 },
	{ "7d", 604800000 },
	{ "2w", 1209600000 },
	{ "1h30m", 5400000 },
	{ "1h 30m", 5400000 },
	{ "30 s", 30000 },
	{ "1d2h3m4s5ms", 93784005 },
	{ "1.5h", 5400000 },
	{ "0.5s", 500 },
	{ "1.5", 1500 },
	{ "1m1m", 120000 },
	{ "0s", 0 },
	{ "1ms", 1 },
	{ "18446744073709550", 18446744073709550000ULL },
	{ "10000000000000000s", 10000000000000000000ULL },
};

static const struct ubad bad_durations[] = {
	{ "", "empty duration" },
	{ "  ", "empty duration" },
	{ "s", "expected a duration" },
	{ "ms", "expected a duration" },
	{ "-5s", "expected a duration" },
	{ "5x", "unknown duration unit" },
	{ "5y", "unknown duration unit" },
	{ "5 years", "unknown duration unit" },
	{ "1h30", "unknown duration unit" },
	{ "5sec", "unknown duration unit" },
	{ "5mm", "unknown duration unit" },
	{ "5 m s", "expected a duration" },
	{ "1h,30m", "expected a duration" },
	{ "99999999999999999999s", "duration too large" },
	{ "18446744073709551w", "duration too large" },
	{ "300000000000000d", "duration too large" },
	{ "10000000000000000s10000000000000000s", "duration too large" },
	{ "18446744073709551", "duration too large" },
};

static void
test_sizes(void)
{
	const char *err;
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		err = NULL;
		v = 12345;
		rc = units_parse_size(sizes[i].text, &v, &err);
		if (!ok(rc == 0, "size \"%s\" parses", sizes[i].text))
			diag("error: %s", err ? err : "(none)");
		is_int(v, sizes[i].want, sizes[i].text);
	}
	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		err = NULL;
		v = 12345;
		rc = units_parse_size(bad_sizes[i].text, &v, &err);
		ok(rc == -1 && err != NULL &&
			strncmp(err, bad_sizes[i].msg,
			    strlen(bad_sizes[i].msg)) == 0,
		    "size \"%s\" is refused: %s", bad_sizes[i].text,
		    err ? err : "(no message)");
		is_int(v, 12345, "and the output is untouched");
	}
}

static void
test_durations(void)
{
	const char *err;
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		err = NULL;
		v = 12345;
		rc = units_parse_duration(durations[i].text, &v, &err);
		if (!ok(rc == 0, "duration \"%s\" parses", durations[i].text))
			diag("error: %s", err ? err : "(none)");
		is_int(v, durations[i].want, durations[i].text);
	}
	for (i = 0; i < sizeof(bad_durations) / sizeof(bad_durations[0]); i++) {
		err = NULL;
		v = 12345;
		rc = units_parse_duration(bad_durations[i].text, &v, &err);
		ok(rc == -1 && err != NULL &&
			strncmp(err, bad_durations[i].msg,
			    strlen(bad_durations[i].msg)) == 0,
		    "duration \"%s\" is refused: %s", bad_durations[i].text,
		    err ? err : "(no message)");
		is_int(v, 12345, "and the output is untouched");
	}
}

static void
test_format(void)
{
	char out[32];

	units_format_size(0, out, sizeof(out));
	is_str(out, "0 B", "format 0");
	units_format_size(999, out, sizeof(out));
	is_str(out, "999 B", "format 999");
	units_format_size(1500, out, sizeof(out));
	is_str(out, "1.5 KB", "format 1500");
	units_format_size(10000000000ULL, out, sizeof(out));
	is_str(out, "10.0 GB", "format 10GB");
	units_format_size(UINT64_MAX, out, sizeof(out));
	is_str(out, "18446.7 PB", "format the largest value");
	units_format_size(1500, out, 4);
	is_str(out, "1.5", "format truncates to the buffer");
}

int
main(void)
{
	test_sizes();
	test_durations();
	test_format();
	return done_testing();
}
