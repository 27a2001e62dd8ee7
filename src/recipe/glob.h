/*
 * Path globs for script recipe inputs: `**` (any number of whole path
 * segments), `*` and `?` (within one segment), `[...]` classes with ranges
 * and `!`/`^` negation, `{a,b}` alternatives and `\` escapes.  The matcher
 * is pure; glob_walk() walks a directory tree in a stable (byte-sorted)
 * order without following symbolic links.
 */
#ifndef FABRIK_GLOB_H
#define FABRIK_GLOB_H

#include <stddef.h>

#include "base/buf.h"

/* Longest pattern accepted. */
#ifndef GLOB_MAX_PATTERN
#define GLOB_MAX_PATTERN 1024
#endif
/* Most alternatives one pattern may expand to through {a,b}. */
#ifndef GLOB_MAX_BRACES
#define GLOB_MAX_BRACES 256
#endif
/* Most paths one glob_walk() may return. */
#ifndef GLOB_MAX_MATCHES
#define GLOB_MAX_MATCHES 100000
#endif
/* Deepest directory nesting glob_walk() descends into. */
#ifndef GLOB_MAX_DEPTH
#define GLOB_MAX_DEPTH 64
#endif

/* A sorted list of matched paths (owned strings). */
struct glob_list {
	char **paths;
	size_t n;
	size_t cap;
};

/*
 * Returns 1 when path (segments separated by '/') matches pat, 0 when it
 * does not, -1 when pat is malformed (unbalanced braces or brackets, too
 * long, too many alternatives) with *err set to a static message.
 */
int glob_match(const char *pat, const char *path, const char **err) FAB_WUR;
/* Returns 1 when pat contains glob metacharacters, else 0. */
int glob_has_magic(const char *pat);

/*
 * Appends to out every regular file or symbolic link under root whose
 * path relative to root matches pat, in byte order.  Directories are
 * walked without following symbolic links, starting from the pattern's
 * literal leading segments; a pattern without metacharacters names one
 * path (listed when it exists and is not a directory; a directory stands
 * for everything below it).  Symbolic links in the literal leading
 * segments are followed, as a shell would.  Returns 0, or -1
 * with *err set (malformed pattern, over GLOB_MAX_MATCHES, out of memory).
 */
int glob_walk(const char *root, const char *pat, struct glob_list *out,
    const char **err) FAB_WUR;
void glob_list_init(struct glob_list *);
void glob_list_release(struct glob_list *);

#endif
