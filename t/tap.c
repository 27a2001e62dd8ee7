/*
 * Tiny TAP producer for the C unit tests; see tap.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_count;
static int tap_failed;

static void
tap_vline(int cond, const char *fmt, va_list ap)
{
	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
}

int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vline(cond, fmt, ap);
	va_end(ap);
	if (!cond)
		printf("#   Failed at %s:%d\n", file, line);
	return cond;
}

int
tap_is_int(
    long long got, long long want, const char *file, int line, const char *name)
{
	int cond = got == want;

	tap_ok(cond, file, line, "%s", name);
	if (!cond)
		printf("#        got: %lld\n#   expected: %lld\n", got, want);
	return cond;
}

int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name)
{
	int cond;

	if (got == NULL || want == NULL)
		cond = got == want;
	else
		cond = strcmp(got, want) == 0;
	tap_ok(cond, file, line, "%s", name);
	if (!cond)
		printf("#        got: '%s'\n#   expected: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return cond;
}

static void
tap_hexdump(const char *label, const void *p, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	printf("#   %s (%zu bytes):", label, len);
	for (i = 0; i < len && i < 64; i++)
		printf(" %02x", b[i]);
	printf("%s\n", len > 64 ? " ..." : "");
}

int
tap_is_mem(const void *got, size_t got_len, const void *want, size_t want_len,
    const char *file, int line, const char *name)
{
	int cond;

	cond = got_len == want_len &&
	    (got_len == 0 || memcmp(got, want, got_len) == 0);
	tap_ok(cond, file, line, "%s", name);
	if (!cond) {
		tap_hexdump("got", got, got_len);
		tap_hexdump("expected", want, want_len);
	}
	return cond;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void
tap_skip(const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
}

int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed)
		printf("# failed %d of %d tests\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

const char *
tap_tdir(void)
{
	static char path[4096];
	const char *top = getenv("FABRIK_TOP");

	if (top == NULL || *top == '\0')
		return "t";
	snprintf(path, sizeof(path), "%s/t", top);
	return path;
}
