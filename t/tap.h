/*
 * Tiny TAP producer for Fabrik's C unit tests (git-style): each check prints
 * "ok N - name" or "not ok N - name" with file:line and both values on
 * failure.  done_testing() prints the plan and returns the exit status.
 */
#ifndef FABRIK_TAP_H
#define FABRIK_TAP_H

#include <stddef.h>

int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tap_is_int(long long got, long long want, const char *file, int line,
    const char *name);
int tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *name);
int tap_is_mem(const void *got, size_t got_len, const void *want,
    size_t want_len, const char *file, int line, const char *name);
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *why);
int tap_done(void);

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, name) \
	tap_is_int( \
	    (long long)(got), (long long)(want), __FILE__, __LINE__, (name))
#define is_str(got, want, name) \
	tap_is_str((got), (want), __FILE__, __LINE__, (name))
#define is_mem(got, glen, want, wlen, name) \
	tap_is_mem((got), (glen), (want), (wlen), __FILE__, __LINE__, (name))
#define diag tap_diag
#define skip tap_skip
#define done_testing tap_done

/* Directory holding t/ (FABRIK_TOP/t, or "t" when unset). */
const char *tap_tdir(void);

#endif
