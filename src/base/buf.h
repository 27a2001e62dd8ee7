/*
 * Growable byte buffers (owned) and spans (borrowed views), plus the
 * project-wide return conventions shared by every module.
 */
#ifndef FABRIK_BUF_H
#define FABRIK_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Fallible functions: the caller must look at the result. */
#define FAB_WUR __attribute__((warn_unused_result))

/* Parser results besides "bytes consumed" (>= 0). */
#define FAB_INCOMPLETE (-1) /* need more input */
#define FAB_ERROR (-2) /* malformed; see the parser's error message */

/* An owned, growable byte array.  data is always NUL-terminated past len
 * when cap > 0, so text can be used as a C string. */
struct buf {
	unsigned char *data;
	size_t len;
	size_t cap;
};

/* A borrowed view; lives as long as the bytes it points into. */
struct span {
	const unsigned char *p;
	size_t len;
};

void buf_init(struct buf *);
/* Frees the storage; the buf is empty and reusable afterwards. */
void buf_release(struct buf *);
/* Ensures room for extra more bytes; -1 on overflow or ENOMEM. */
int buf_reserve(struct buf *, size_t extra) FAB_WUR;
int buf_append(struct buf *, const void *, size_t) FAB_WUR;
int buf_append_str(struct buf *, const char *) FAB_WUR;
int buf_putc(struct buf *, int) FAB_WUR;
int buf_printf(struct buf *, const char *, ...) FAB_WUR
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *, const char *, va_list) FAB_WUR;
/* Drops the first n bytes (n <= len). */
void buf_consume(struct buf *, size_t n);
/* Empties without freeing. */
void buf_reset(struct buf *);
/* Returns the contents as a C string (never NULL; "" when empty). */
const char *buf_cstr(const struct buf *);
/* Moves the storage out: the caller owns the returned NUL-terminated
 * pointer (never NULL on success) and the buf is empty. */
char *buf_detach(struct buf *, size_t *lenp);

struct span span_make(const void *, size_t);
struct span span_str(const char *);
int span_eq(struct span, struct span);
int span_eq_str(struct span, const char *);
/* ASCII case-insensitive compare with a C string. */
int span_case_eq_str(struct span, const char *);
/* Returns a malloc'd NUL-terminated copy or NULL. */
char *span_dup(struct span);

#endif
