/*
 * Script recipes (see script.h and doc/recipes-script.md): annotation
 * parsing, cache keys, running scripts and archiving/restoring outputs.
 *
 * Untrusted input: the script's annotations (bounded by
 * SCRIPT_MAX_ANNOTATIONS and the KDL parser's limits; every unknown or
 * malformed one is an error with file:line:column) and cached archives,
 * which may come from other machines: script_restore() checks every
 * entry before writing anything and only writes below declared outputs.
 */
#define _XOPEN_SOURCE 700 /* realpath() */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/sha.h"
#include "base/units.h"
#include "recipe/glob.h"
#include "recipe/kdl.h"
#include "recipe/script.h"
#include "recipe/tar.h"

#define SCRIPT_PREFIX "#FABRIK"
#define SCRIPT_OUT "out/"

/* ---- annotations ------------------------------------------------------ */

/* Appends an error message; running out of memory loses the message, not
 * the error. */
static void errf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
errf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	(void)r;
}

struct annot {
	const char *file;
	size_t line;
	const char *text; /* the line, from '#' */
	size_t tlen;
	struct buf *err;
};

static int
annot_col(const struct annot *a, const char *needle)
{
	size_t i, n = strlen(needle);

	for (i = sizeof(SCRIPT_PREFIX); n > 0 && i + n <= a->tlen; i++)
		if (memcmp(a->text + i, needle, n) == 0)
			return (int)i + 1;
	for (i = sizeof(SCRIPT_PREFIX);
	     i < a->tlen && (a->text[i] == ' ' || a->text[i] == '\t'); i++)
		;
	return (int)i + 1;
}

static int annot_fail(const struct annot *a, const char *at, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
annot_fail(const struct annot *a, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (buf_printf(a->err, "%s:%zu:%d: ", a->file, a->line,
		annot_col(a, at != NULL ? at : "")) == -1)
		return -1;
	va_start(ap, fmt);
	if (buf_vprintf(a->err, fmt, ap) == -1) {
		va_end(ap);
		return -1;
	}
	va_end(ap);
	if (buf_putc(a->err, '\n') == -1)
		return -1;
	return -1;
}

static int
str_push(char ***v, size_t *n, const char *s)
{
	char **nv;

	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/* The i-th argument as a string, or NULL after an error. */
static const char *
annot_str_arg(const struct annot *a, const struct kdl_node *n, size_t i)
{
	const struct kdl_value *v = kdl_node_arg(n, i);
	struct span name = kdl_node_name(n);

	if (v == NULL) {
		annot_fail(a, NULL, "'%.*s' needs a string argument",
		    (int)name.len, name.p);
		return NULL;
	}
	if (kdl_value_type(v) != KDL_STRING ||
	    memchr(kdl_value_text(v).p, '\0', kdl_value_text(v).len) != NULL) {
		annot_fail(a, " ", "'%.*s': argument %zu must be a string",
		    (int)name.len, name.p, i + 1);
		return NULL;
	}
	return (const char *)kdl_value_text(v).p;
}

static int
annot_nargs(
    const struct annot *a, const struct kdl_node *n, size_t lo, size_t hi)
{
	struct span name = kdl_node_name(n);
	size_t k = kdl_node_nargs(n);

	if (k < lo || k > hi) {
		if (lo == hi)
			return annot_fail(a, " ",
			    "'%.*s' takes %zu argument%s, not %zu",
			    (int)name.len, name.p, lo, lo == 1 ? "" : "s", k);
		return annot_fail(a, " ",
		    "'%.*s' takes at least %zu argument%s", (int)name.len,
		    name.p, lo, lo == 1 ? "" : "s");
	}
	return 0;
}

/* Checks the properties against allowed (NULL-terminated). */
static int
annot_props(
    const struct annot *a, const struct kdl_node *n, const char *const *allowed)
{
	struct span key, name = kdl_node_name(n);
	char needle[128];
	size_t i, j;

	for (i = 0; i < kdl_node_nprops(n); i++) {
		(void)kdl_node_prop_at(n, i, &key);
		for (j = 0; allowed[j] != NULL; j++)
			if (span_eq_str(key, allowed[j]))
				break;
		if (allowed[j] == NULL) {
			snprintf(needle, sizeof(needle),
			    "%.*s=", (int)(key.len > 100 ? 100 : key.len),
			    key.p);
			return annot_fail(a, needle,
			    "'%.*s' has no property '%.*s'", (int)name.len,
			    name.p, (int)key.len, key.p);
		}
	}
	return 0;
}

static const char *
annot_str_prop(const struct annot *a, const struct kdl_node *n, const char *key)
{
	const struct kdl_value *v = kdl_node_prop(n, key);
	char needle[64];

	if (v == NULL)
		return NULL;
	snprintf(needle, sizeof(needle), "%s=", key);
	if (kdl_value_type(v) != KDL_STRING) {
		annot_fail(a, needle, "property '%s' must be a string", key);
		return NULL;
	}
	return (const char *)kdl_value_text(v).p;
}

static int
annot_relpath(const struct annot *a, const char *p, const char *what)
{
	const char *why;

	if (tar_check_path(p, &why) == -1)
		return annot_fail(a, "\"",
		    "%s must be a relative path inside the script's "
		    "directory (%s)",
		    what, why);
	return 0;
}

static int
annot_input(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { "hash", NULL };
	struct script_input *nv;
	const char *pat, *h, *why;
	enum script_hash mode = SCRIPT_HASH_CONTENT;
	int rc;

	if (annot_nargs(a, n, 1, 1) == -1 || annot_props(a, n, props) == -1 ||
	    (pat = annot_str_arg(a, n, 0)) == NULL)
		return -1;
	if (kdl_node_prop(n, "hash") != NULL) {
		if ((h = annot_str_prop(a, n, "hash")) == NULL)
			return -1;
		if (strcmp(h, "content") == 0)
			mode = SCRIPT_HASH_CONTENT;
		else if (strcmp(h, "mtime") == 0)
			mode = SCRIPT_HASH_MTIME;
		else if (strcmp(h, "size") == 0)
			mode = SCRIPT_HASH_SIZE;
		else
			return annot_fail(a, "hash=",
			    "hash must be content, mtime or size, not '%s'", h);
	}
	if (*pat == '\0')
		return annot_fail(a, "\"", "empty input pattern");
	if ((rc = glob_match(pat, "", &why)) == -1)
		return annot_fail(a, "\"", "bad input pattern: %s", why);
	if ((nv = realloc(s->inputs, (s->ninputs + 1) * sizeof(*nv))) == NULL)
		return -1;
	s->inputs = nv;
	if ((nv[s->ninputs].pattern = strdup(pat)) == NULL)
		return -1;
	nv[s->ninputs++].hash = mode;
	return 0;
}

static int
annot_output(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { NULL };
	const char *p;

	if (annot_nargs(a, n, 1, 1) == -1 || annot_props(a, n, props) == -1 ||
	    (p = annot_str_arg(a, n, 0)) == NULL ||
	    annot_relpath(a, p, "an output") == -1)
		return -1;
	return str_push(&s->outputs, &s->noutputs, p);
}

static int
annot_env(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { NULL };
	const char *p;
	size_t i;

	if (annot_nargs(a, n, 1, SIZE_MAX) == -1 ||
	    annot_props(a, n, props) == -1)
		return -1;
	for (i = 0; i < kdl_node_nargs(n); i++) {
		if ((p = annot_str_arg(a, n, i)) == NULL)
			return -1;
		if (*p == '\0' || strchr(p, '=') != NULL)
			return annot_fail(a, "\"", "bad variable name '%s'", p);
		if (str_push(&s->envs, &s->nenvs, p) == -1)
			return -1;
	}
	return 0;
}

static int
annot_depends(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { "use-outputs", NULL };
	const struct kdl_value *v;
	struct script_dep *nv;
	const char *p;

	if (annot_nargs(a, n, 1, 1) == -1 || annot_props(a, n, props) == -1 ||
	    (p = annot_str_arg(a, n, 0)) == NULL)
		return -1;
	if (*p == '\0')
		return annot_fail(a, "\"", "empty dependency path");
	v = kdl_node_prop(n, "use-outputs");
	if (v != NULL && kdl_value_type(v) != KDL_BOOL)
		return annot_fail(
		    a, "use-outputs=", "use-outputs must be #true or #false");
	if ((nv = realloc(s->deps, (s->ndeps + 1) * sizeof(*nv))) == NULL)
		return -1;
	s->deps = nv;
	if ((nv[s->ndeps].path = strdup(p)) == NULL)
		return -1;
	nv[s->ndeps++].use_outputs = v != NULL && kdl_value_bool(v);
	return 0;
}

static int
annot_duration(const struct annot *a, const struct kdl_node *n, const char *key,
    uint64_t *ms)
{
	const char *v, *why;
	char needle[64];

	if (kdl_node_prop(n, key) == NULL)
		return 0;
	if ((v = annot_str_prop(a, n, key)) == NULL)
		return -1;
	snprintf(needle, sizeof(needle), "%s=", key);
	if (units_parse_duration(v, ms, &why) == -1)
		return annot_fail(a, needle, "%s: %s", key, why);
	if (*ms == 0)
		return annot_fail(a, needle, "%s must be positive", key);
	return 0;
}

static int
annot_cache(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { "ttl", "key", NULL };
	const char *p;

	if (annot_nargs(a, n, 0, 1) == -1 || annot_props(a, n, props) == -1)
		return -1;
	if (kdl_node_nargs(n) == 1) {
		if ((p = annot_str_arg(a, n, 0)) == NULL)
			return -1;
		if (strcmp(p, "disable") != 0)
			return annot_fail(a, " ",
			    "cache takes 'disable', ttl= or key=, not '%s'", p);
		s->cache_disabled = 1;
	} else if (kdl_node_nprops(n) == 0) {
		return annot_fail(a, NULL, "cache needs disable, ttl= or key=");
	}
	if (annot_duration(a, n, "ttl", &s->ttl_ms) == -1)
		return -1;
	if (kdl_node_prop(n, "key") != NULL) {
		if ((p = annot_str_prop(a, n, "key")) == NULL)
			return -1;
		free(s->custom_key);
		if ((s->custom_key = strdup(p)) == NULL)
			return -1;
	}
	return 0;
}

static int
annot_runtime(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { NULL };
	const char *p;

	if (annot_nargs(a, n, 1, 1) == -1 || annot_props(a, n, props) == -1 ||
	    (p = annot_str_arg(a, n, 0)) == NULL)
		return -1;
	if (*p == '\0')
		return annot_fail(a, "\"", "empty runtime");
	free(s->runtime);
	return (s->runtime = strdup(p)) == NULL ? -1 : 0;
}

static int
annot_runtime_arg(
    struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { NULL };
	const char *p;
	size_t i;

	if (annot_nargs(a, n, 1, SIZE_MAX) == -1 ||
	    annot_props(a, n, props) == -1)
		return -1;
	for (i = 0; i < kdl_node_nargs(n); i++)
		if ((p = annot_str_arg(a, n, i)) == NULL ||
		    str_push(&s->runtime_args, &s->nruntime_args, p) == -1)
			return -1;
	return 0;
}

static int
annot_runtime_version(
    struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { NULL };

	if (annot_nargs(a, n, 0, 0) == -1 || annot_props(a, n, props) == -1)
		return -1;
	s->runtime_version = 1;
	return 0;
}

static int
annot_exec(struct script *s, const struct kdl_node *n, const struct annot *a)
{
	static const char *const props[] = { "cwd", "timeout", NULL };
	const char *p;

	if (annot_nargs(a, n, 0, 1) == -1 || annot_props(a, n, props) == -1)
		return -1;
	if (kdl_node_nargs(n) == 1) {
		if ((p = annot_str_arg(a, n, 0)) == NULL)
			return -1;
		if (strcmp(p, "shell") != 0)
			return annot_fail(a, " ",
			    "exec takes 'shell', cwd= or timeout=, not '%s'",
			    p);
		s->shell = 1;
	} else if (kdl_node_nprops(n) == 0) {
		return annot_fail(
		    a, NULL, "exec needs shell, cwd= or timeout=");
	}
	if (annot_duration(a, n, "timeout", &s->timeout_ms) == -1)
		return -1;
	if (kdl_node_prop(n, "cwd") != NULL) {
		if ((p = annot_str_prop(a, n, "cwd")) == NULL)
			return -1;
		if (strcmp(p, ".") != 0 && annot_relpath(a, p, "cwd") == -1)
			return -1;
		free(s->cwd);
		if ((s->cwd = strdup(p)) == NULL)
			return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(
	    struct script *, const struct kdl_node *, const struct annot *);
} annot_table[] = {
	{ "input", annot_input },
	{ "output", annot_output },
	{ "env", annot_env },
	{ "depends", annot_depends },
	{ "cache", annot_cache },
	{ "runtime", annot_runtime },
	{ "runtime-arg", annot_runtime_arg },
	{ "runtime-version", annot_runtime_version },
	{ "exec", annot_exec },
};

static int
annot_one(struct script *s, struct annot *a)
{
	struct kdl_document *doc;
	struct kdl_error ke;
	const struct kdl_node *n;
	const char *body = a->text + sizeof(SCRIPT_PREFIX);
	size_t blen = a->tlen - sizeof(SCRIPT_PREFIX), i;
	struct span name;
	int rc = -1;

	if (a->tlen < sizeof(SCRIPT_PREFIX))
		return annot_fail(a, NULL, "empty annotation");
	if ((doc = kdl_parse(body, blen, KDL_V2, &ke)) == NULL) {
		/* One line: the column is the prefix plus KDL's. */
		errf(a->err, "%s:%zu:%zu: %s\n", a->file, a->line,
		    sizeof(SCRIPT_PREFIX) + ke.col, ke.msg);
		return -1;
	}
	if (kdl_document_count(doc) != 1) {
		annot_fail(a, NULL, "%s",
		    kdl_document_count(doc) == 0
			? "empty annotation"
			: "one annotation per #FABRIK line");
		goto out;
	}
	n = kdl_document_node(doc, 0);
	name = kdl_node_name(n);
	if (kdl_node_annotation(n).p != NULL || kdl_node_nchildren(n) > 0) {
		annot_fail(
		    a, NULL, "annotations take no type annotation or children");
		goto out;
	}
	for (i = 0; i < sizeof(annot_table) / sizeof(annot_table[0]); i++)
		if (span_eq_str(name, annot_table[i].name))
			break;
	if (i == sizeof(annot_table) / sizeof(annot_table[0])) {
		annot_fail(a, NULL, "unknown annotation '%.*s'", (int)name.len,
		    name.p);
		goto out;
	}
	rc = annot_table[i].fn(s, n, a);
	if (rc == -1 && a->err->len == 0)
		errf(a->err, "%s:%zu: out of memory\n", a->file, a->line);
out:
	kdl_free(doc);
	return rc;
}

void
script_init(struct script *s)
{
	memset(s, 0, sizeof(*s));
}

void
script_release(struct script *s)
{
	size_t i;

	free(s->path);
	free(s->dir);
	free(s->abs);
	free(s->text);
	for (i = 0; i < s->ninputs; i++)
		free(s->inputs[i].pattern);
	free(s->inputs);
	script_strv_free(s->outputs, s->noutputs);
	script_strv_free(s->envs, s->nenvs);
	for (i = 0; i < s->ndeps; i++)
		free(s->deps[i].path);
	free(s->deps);
	script_strv_free(s->runtime_args, s->nruntime_args);
	free(s->runtime);
	free(s->custom_key);
	free(s->cwd);
	script_init(s);
}

int
script_parse(struct script *s, const char *file, const unsigned char *text,
    size_t len, struct buf *err)
{
	struct annot a;
	const unsigned char *p = text, *end = text + len, *nl;
	size_t line = 0, count = 0, plen = sizeof(SCRIPT_PREFIX) - 1;

	while (p < end) {
		line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) >= plen &&
		    memcmp(p, SCRIPT_PREFIX, plen) == 0 &&
		    ((size_t)(nl - p) == plen || p[plen] == ' ' ||
			p[plen] == '\t' || p[plen] == '\r')) {
			if (++count > SCRIPT_MAX_ANNOTATIONS) {
				errf(err,
				    "%s:%zu:1: more than %d annotations\n",
				    file, line, SCRIPT_MAX_ANNOTATIONS);
				return -1;
			}
			a.file = file;
			a.line = line;
			a.text = (const char *)p;
			a.tlen = (size_t)(nl - p);
			if (a.tlen > 0 && p[a.tlen - 1] == '\r')
				a.tlen--;
			a.err = err;
			if (a.tlen == plen ||
			    (a.tlen == plen + 1 &&
				(p[plen] == ' ' || p[plen] == '\t'))) {
				errf(err, "%s:%zu:%zu: empty annotation\n",
				    file, line, plen + 1);
				return -1;
			}
			if (annot_one(s, &a) == -1)
				return -1;
		}
		p = nl + 1;
	}
	if (s->shell && s->runtime != NULL) {
		errf(err,
		    "%s: 'exec shell' and 'runtime' "
		    "exclude each other\n",
		    file);
		return -1;
	}
	return 0;
}

/* ---- helpers shared with portable recipes (recipe/js_recipe) ---- */

void
script_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

uint64_t
script_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
script_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

int
script_read_fd(int fd, size_t max, struct buf *b)
{
	unsigned char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (b->len + (size_t)n > max) {
			errno = EFBIG;
			return -1;
		}
		if (buf_append(b, chunk, (size_t)n) == -1) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

/* Reads a regular file whole; -1 with errno (EISDIR for a directory). */
int
script_read_file(const char *path, size_t max, struct buf *b)
{
	struct stat st;
	int fd, rc, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || S_ISDIR(st.st_mode)) {
		e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		errno = e;
		return -1;
	}
	rc = script_read_fd(fd, max, b);
	e = errno;
	close(fd);
	errno = e;
	return rc;
}

int
script_hash_file(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256 h;
	unsigned char chunk[65536], d[SHA256_LEN];
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (sha256_init(&h) == -1) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			e = errno;
			sha256_release(&h);
			close(fd);
			errno = e;
			return -1;
		}
		sha256_update(&h, chunk, (size_t)n);
	}
	close(fd);
	sha256_final(&h, d);
	hex_encode(hex, d, SHA256_LEN);
	return 0;
}

int
script_rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char child[PATH_MAX];
	int rc = 0, e;

	if (lstat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	if ((d = opendir(path)) == NULL) {
		(void)chmod(path, 0700);
		if ((d = opendir(path)) == NULL)
			return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path,
			de->d_name) >= sizeof(child)) {
			rc = -1;
			errno = ENAMETOOLONG;
			continue;
		}
		if (script_rm_tree(child) == -1)
			rc = -1;
	}
	e = errno;
	closedir(d);
	if (rmdir(path) == -1)
		return -1;
	errno = e;
	return rc;
}

int
script_load(struct script *s, const char *path, struct buf *err)
{
	struct buf b;
	char abs[PATH_MAX], *slash;
	size_t len;

	buf_init(&b);
	script_init(s);
	if (realpath(path, abs) == NULL ||
	    script_read_file(abs, SCRIPT_MAX_SIZE, &b) == -1) {
		errf(err, "%s: cannot read the script: %s\n", path,
		    errno == 0 ? "too large" : strerror(errno));
		buf_release(&b);
		return -1;
	}
	if ((s->path = strdup(path)) == NULL || (s->abs = strdup(abs)) == NULL)
		goto oom;
	slash = strrchr(abs, '/');
	*slash = '\0';
	if ((s->dir = strdup(slash == abs ? "/" : abs)) == NULL)
		goto oom;
	s->text = (unsigned char *)buf_detach(&b, &len);
	s->len = len;
	if (script_parse(s, path, s->text, s->len, err) == -1) {
		script_release(s);
		return -1;
	}
	return 0;
oom:
	buf_release(&b);
	script_release(s);
	errf(err, "out of memory\n");
	return -1;
}

/* ---- cache keys ------------------------------------------------------- */

void
script_store_key(const char *hexkey, unsigned char out[STORE_KEY_LEN])
{
	store_key_for(STORE_NS_SCRIPT, hexkey, SHA256_HEX_LEN, out);
}

/* Hashes a file, link or tree (for use-outputs): names, types, modes and
 * contents, in byte order; times are left out. */
static int
hash_tree(struct sha256 *h, const char *root, const char *rel)
{
	struct stat st;
	struct glob_list names;
	char path[PATH_MAX], link[PATH_MAX], hex[SHA256_HEX_LEN + 1];
	char child[PATH_MAX];
	const char *why;
	ssize_t n;
	size_t i;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lstat(path, &st) == -1) {
		sha256_update(h, "missing ", 8);
		sha256_update(h, rel, strlen(rel) + 1);
		return 0;
	}
	snprintf(link, sizeof(link), "%s %o ", rel, (unsigned)st.st_mode);
	sha256_update(h, link, strlen(link) + 1);
	if (S_ISREG(st.st_mode)) {
		if (script_hash_file(path, hex) == -1)
			return -1;
		sha256_update(h, hex, SHA256_HEX_LEN);
	} else if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
			return -1;
		sha256_update(h, link, (size_t)n);
	} else if (S_ISDIR(st.st_mode)) {
		glob_list_init(&names);
		if (glob_walk(path, "**", &names, &why) == -1)
			return -1;
		/* glob_walk lists files and links; their paths hash the
		 * tree's shape well enough alongside the contents. */
		for (i = 0; i < names.n && rc == 0; i++) {
			snprintf(
			    child, sizeof(child), "%s/%s", rel, names.paths[i]);
			rc = hash_tree(h, root, child);
		}
		glob_list_release(&names);
	}
	return rc;
}

static int
input_line(
    struct buf *m, const char *dir, const char *rel, enum script_hash mode)
{
	char path[PATH_MAX], hex[SHA256_HEX_LEN + 1], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (*rel == '/')
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (lstat(path, &st) == -1)
		return buf_printf(m, "file %s missing\n", rel);
	switch (mode) {
	case SCRIPT_HASH_SIZE:
		return buf_printf(
		    m, "file %s size %lld\n", rel, (long long)st.st_size);
	case SCRIPT_HASH_MTIME:
		return buf_printf(m, "file %s mtime %lld.%09ld size %lld\n",
		    rel, (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
		    (long long)st.st_size);
	case SCRIPT_HASH_CONTENT:
		break;
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, link, sizeof(link) - 1)) == -1)
			return -1;
		link[n] = '\0';
		return buf_printf(m, "file %s link %s\n", rel, link);
	}
	if (script_hash_file(path, hex) == -1)
		return -1;
	return buf_printf(m, "file %s sha256 %s\n", rel, hex);
}

/* The interpreter command for s: runtime, `exec shell`, the shebang (a
 * `fabrik run X` shebang means X), else /bin/sh.  Owned strings. */
static int
script_interp(
    const struct script *s, const char *cli_runtime, char ***argv, size_t *argc)
{
	const unsigned char *p = s->text, *end, *w;
	char word[PATH_MAX];
	char **v = NULL;
	size_t n = 0, i, skip = 0;

	*argv = NULL;
	*argc = 0;
	if (s->runtime != NULL || cli_runtime != NULL) {
		if (str_push(&v, &n, s->runtime ? s->runtime : cli_runtime) ==
		    -1)
			goto fail;
		for (i = 0; i < s->nruntime_args; i++)
			if (str_push(&v, &n, s->runtime_args[i]) == -1)
				goto fail;
		goto done;
	}
	if (!s->shell && s->len > 2 && p[0] == '#' && p[1] == '!') {
		end = memchr(p, '\n', s->len);
		if (end == NULL)
			end = p + s->len;
		for (p += 2; p < end;) {
			while (
			    p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			for (w = p;
			     p < end && *p != ' ' && *p != '\t' && *p != '\r';
			     p++)
				;
			if (p == w)
				break;
			snprintf(word, sizeof(word), "%.*s", (int)(p - w), w);
			if (str_push(&v, &n, word) == -1)
				goto fail;
		}
		/* /usr/bin/env [-S] X ... runs X ... */
		if (n > 0 && strlen(v[0]) >= 4 &&
		    strcmp(v[0] + strlen(v[0]) - 4, "/env") == 0) {
			skip = 1;
			if (n > 1 && strcmp(v[1], "-S") == 0)
				skip = 2;
		}
		if (n >= skip + 2 &&
		    (strcmp(v[skip], "fabrik") == 0 ||
			(strlen(v[skip]) > 7 &&
			    strcmp(v[skip] + strlen(v[skip]) - 7, "/fabrik") ==
				0)) &&
		    strcmp(v[skip + 1], "run") == 0)
			skip += 2;
		for (i = 0; i < skip; i++)
			free(v[i]);
		memmove(v, v + skip, (n - skip) * sizeof(*v));
		n -= skip;
		if (n > 0)
			goto done;
	}
	if (str_push(&v, &n, "/bin/sh") == -1)
		goto fail;
done:
	*argv = v;
	*argc = n;
	return 0;
fail:
	script_strv_free(v, n);
	return -1;
}

/* Runs argv and returns its first line of output (stdout then stderr). */
static int
runtime_version(char **argv, struct buf *out)
{
	int fds[2], status;
	pid_t pid;
	char chunk[4096];
	ssize_t n;
	char *nl;

	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		if (out->len < 4096 && buf_append(out, chunk, (size_t)n) == -1)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	if ((nl = memchr(out->data, '\n', out->len)) != NULL)
		out->len = (size_t)(nl - (char *)out->data);
	if (out->cap > 0)
		out->data[out->len] = '\0';
	return 0;
}

/* ---- the driver ------------------------------------------------------- */

enum script_mode { MODE_RUN, MODE_DRY, MODE_KEY };

struct script_ctx {
	const struct script_opts *o;
	enum script_mode mode;
	char *stack[SCRIPT_MAX_DEPTH]; /* absolute paths being visited */
	char *shown[SCRIPT_MAX_DEPTH]; /* the same, as written */
	size_t depth;
	struct buf *err;
	struct buf *manifest; /* MODE_KEY: the top script's */
	const char *nocache_warned;
};

static int
script_manifest(struct script_ctx *c, const struct script *s, char **args,
    size_t nargs, char (*depkeys)[SHA256_HEX_LEN + 1], struct buf *m)
{
	char hex[SHA256_HEX_LEN + 1], path[PATH_MAX];
	unsigned char d[SHA256_LEN];
	struct glob_list files;
	struct sha256 h;
	struct buf ver;
	char **iv = NULL;
	size_t in = 0, i, j;
	const char *why = NULL, *val;
	int rc = -1;

	glob_list_init(&files);
	buf_init(&ver);
	sha256_hex(s->text, s->len, hex);
	if (buf_printf(m, "fabrik-script 1\nscript %s\n", hex) == -1)
		goto oom;
	for (i = 0; i < nargs; i++)
		if (buf_printf(m, "arg %s\n", args[i]) == -1)
			goto oom;
	if (script_interp(s, c->o->runtime, &iv, &in) == -1)
		goto oom;
	for (i = 0; i < in; i++)
		if (buf_printf(m, "runtime %s\n", iv[i]) == -1)
			goto oom;
	if (s->runtime_version) {
		char *vargv[3] = { iv[0], "--version", NULL };

		if (runtime_version(vargv, &ver) == -1) {
			errf(c->err,
			    "%s: cannot run '%s --version' for "
			    "runtime-version\n",
			    s->path, iv[0]);
			goto out;
		}
		if (buf_printf(m, "runtime-version %s\n", buf_cstr(&ver)) == -1)
			goto oom;
	}
	if (buf_printf(m, "exec cwd=%s shell=%d\n", s->cwd ? s->cwd : ".",
		s->shell) == -1)
		goto oom;
	for (i = 0; i < s->noutputs; i++)
		if (buf_printf(m, "output %s\n", s->outputs[i]) == -1)
			goto oom;
	for (i = 0; i < s->ninputs; i++) {
		static const char *const modes[] = { "content", "mtime",
			"size" };

		if (buf_printf(m, "input %s hash=%s\n", s->inputs[i].pattern,
			modes[s->inputs[i].hash]) == -1)
			goto oom;
		glob_list_release(&files);
		if (glob_walk(s->dir, s->inputs[i].pattern, &files, &why) ==
		    -1) {
			errf(c->err, "%s: input \"%s\": %s\n", s->path,
			    s->inputs[i].pattern, why);
			goto out;
		}
		for (j = 0; j < files.n; j++)
			if (input_line(m, s->dir, files.paths[j],
				s->inputs[i].hash) == -1) {
				errf(c->err, "%s: cannot read input %s\n",
				    s->path, files.paths[j]);
				goto out;
			}
	}
	for (i = 0; i < s->nenvs; i++) {
		val = getenv(s->envs[i]);
		if ((val != NULL ? buf_printf(m, "env %s=%s\n", s->envs[i], val)
				 : buf_printf(
				       m, "env %s unset\n", s->envs[i])) == -1)
			goto oom;
	}
	if (s->custom_key != NULL &&
	    buf_printf(m, "key %s\n", s->custom_key) == -1)
		goto oom;
	for (i = 0; i < s->ndeps; i++) {
		if (buf_printf(m, "depends %s script-%s\n", s->deps[i].path,
			depkeys[i]) == -1)
			goto oom;
		if (s->deps[i].use_outputs) {
			struct script ds;
			struct buf e2;

			/* The dependency's declared outputs as they are on
			 * disk now (just produced or restored). */
			buf_init(&e2);
			snprintf(path, sizeof(path), "%s/%s", s->dir,
			    s->deps[i].path);
			if (script_load(&ds, path, &e2) == -1) {
				errf(c->err, "%s", buf_cstr(&e2));
				buf_release(&e2);
				goto out;
			}
			buf_release(&e2);
			if (sha256_init(&h) == -1) {
				script_release(&ds);
				goto oom;
			}
			for (j = 0; j < ds.noutputs; j++)
				if (hash_tree(&h, ds.dir, ds.outputs[j]) == -1)
					break;
			sha256_final(&h, d);
			hex_encode(hex, d, SHA256_LEN);
			j = j < ds.noutputs;
			script_release(&ds);
			if (j) {
				errf(c->err,
				    "%s: cannot read the outputs of %s\n",
				    s->path, s->deps[i].path);
				goto out;
			}
			if (buf_printf(m, "outputs-of %s %s\n", s->deps[i].path,
				hex) == -1)
				goto oom;
		}
	}
	rc = 0;
	goto out;
oom:
	errf(c->err, "out of memory\n");
out:
	script_strv_free(iv, in);
	glob_list_release(&files);
	buf_release(&ver);
	return rc;
}

static volatile sig_atomic_t script_signalled;

static void
script_on_signal(int sig)
{
	script_signalled = sig;
}

/*
 * Runs argv in a new process group in cwd, passing stdout/stderr through
 * and capturing them.  Returns the exit status (128+N for signal N, 124
 * on timeout, 127 when it could not start); *capped is set when a
 * capture overflowed; *timed_out when the timeout fired.
 */
static int
script_spawn(char **argv, const char *cwd, uint64_t timeout_ms, struct buf *out,
    struct buf *err, int *capped, int *timed_out)
{
	struct pollfd pfd[2];
	struct sigaction sa, old_int, old_term;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, i, open_fds;
	uint64_t deadline = 0, now, killed_at = 0;
	unsigned char chunk[65536];
	struct buf *caps[2] = { out, err };
	pid_t pid, w;
	ssize_t n;
	int wait_ms;

	*capped = *timed_out = 0;
	if (pipe(po) == -1 || pipe(pe) == -1) {
		perror("[fabrik] pipe");
		return 127;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		perror("[fabrik] fork");
		return 127;
	}
	if (pid == 0) {
		setpgid(0, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		if (chdir(cwd) == -1) {
			fprintf(stderr, "[fabrik] cannot enter %s: %s\n", cwd,
			    strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "[fabrik] cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(po[1]);
	close(pe[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = script_on_signal;
	sigemptyset(&sa.sa_mask);
	script_signalled = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (timeout_ms > 0)
		deadline = clock_mono_ms() + timeout_ms;
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		open_fds = (pfd[0].fd != -1) + (pfd[1].fd != -1);
		now = clock_mono_ms();
		if (killed_at == 0 &&
		    ((deadline > 0 && now >= deadline) || script_signalled)) {
			if (!script_signalled)
				*timed_out = 1;
			kill(-pid, SIGTERM);
			killed_at = now;
		}
		if (killed_at > 0 && now >= killed_at + 2000) {
			kill(-pid, SIGKILL);
			killed_at = UINT64_MAX - 4000;
		}
		if (open_fds == 0) {
			w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			poll(NULL, 0, 10);
			continue;
		}
		wait_ms = 100;
		if (poll(pfd, 2, wait_ms) == -1 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				continue;
			}
			script_write_all(i + 1, chunk, (size_t)n);
			if (caps[i]->len + (size_t)n > SCRIPT_MAX_CAPTURE ||
			    buf_append(caps[i], chunk, (size_t)n) == -1)
				*capped = 1;
		}
		/* A timed-out group may keep the pipes open; after the
		 * SIGKILL stop reading. */
		if (killed_at == UINT64_MAX - 4000) {
			for (i = 0; i < 2; i++)
				if (pfd[i].fd != -1) {
					close(pfd[i].fd);
					pfd[i].fd = -1;
				}
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	if (killed_at > 0)
		kill(-pid, SIGKILL);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (*timed_out)
		return 124;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

/* 1 when rel is one of the outputs or below one. */
static int
under_outputs(const struct script *s, const char *rel)
{
	size_t i, n;

	for (i = 0; i < s->noutputs; i++) {
		n = strlen(s->outputs[i]);
		if (strncmp(rel, s->outputs[i], n) == 0 &&
		    (rel[n] == '\0' || rel[n] == '/'))
			return 1;
	}
	return 0;
}

static int
parse_exit(const struct tar_entry *e, int *code)
{
	char tmp[16];
	char *end;
	long v;

	if (e->size == 0 || e->size >= sizeof(tmp))
		return -1;
	memcpy(tmp, e->data, (size_t)e->size);
	tmp[e->size] = '\0';
	v = strtol(tmp, &end, 10);
	if (*end != '\0' || v < 0 || v > 255)
		return -1;
	*code = (int)v;
	return 0;
}

int
script_restore(const struct script *s, const char *dir, const unsigned char *gz,
    size_t len, int *exit_code, struct buf *out, struct buf *err_out,
    const char **why)
{
	struct buf tar;
	struct tar_entry e;
	size_t off, n = 0, i;
	char path[PATH_MAX];
	int64_t r;
	int pass, have_exit = 0, rc = -1;

	buf_init(&tar);
	if (tar_gunzip(gz, len, &tar, TAR_MAX_TOTAL, why) == -1)
		goto out;
	/* Pass 0 checks everything, 1 writes, 2 sets directory modes. */
	for (pass = 0; pass < 3; pass++) {
		if (pass == 1) {
			for (i = 0; i < s->noutputs; i++) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    s->outputs[i]);
				if (script_rm_tree(path) == -1 &&
				    errno != ENOENT) {
					*why = "cannot remove an old output";
					goto out;
				}
			}
		}
		for (off = 0;
		     (r = tar_next(tar.data, tar.len, off, &e, why)) > 0;
		     off += (size_t)r) {
			if (pass == 0 && ++n > TAR_MAX_ENTRIES) {
				*why = "too many archive entries";
				goto out;
			}
			if (strncmp(e.name, "meta/", 5) == 0) {
				if (pass != 0 || e.type != TAR_FILE)
					continue;
				if (strcmp(e.name, "meta/exit") == 0) {
					if (parse_exit(&e, exit_code) == -1) {
						*why = "bad exit code entry";
						goto out;
					}
					have_exit = 1;
				} else if (strcmp(e.name, "meta/stdout") == 0) {
					if (buf_append(out, e.data,
						(size_t)e.size) == -1)
						goto oom;
				} else if (strcmp(e.name, "meta/stderr") == 0) {
					if (buf_append(err_out, e.data,
						(size_t)e.size) == -1)
						goto oom;
				}
				continue;
			}
			if (strncmp(e.name, SCRIPT_OUT, 4) != 0) {
				*why = "archive entry outside out/ and meta/";
				goto out;
			}
			memmove(e.name, e.name + 4, strlen(e.name + 4) + 1);
			if (pass == 0) {
				if (tar_check_path(e.name, why) == -1 ||
				    (e.type == TAR_SYMLINK &&
					tar_check_link(e.name, e.link, why) ==
					    -1))
					goto out;
				if (!under_outputs(s, e.name)) {
					*why = "archive entry is not a "
					       "declared output";
					goto out;
				}
			} else if (pass == 1) {
				if (tar_extract_entry(dir, &e, why) == -1)
					goto out;
			} else if (tar_extract_finish(dir, &e, why) == -1) {
				goto out;
			}
		}
		if (r < 0)
			goto out;
		if (pass == 0 && !have_exit) {
			*why = "archive has no exit code";
			goto out;
		}
	}
	rc = 0;
	goto out;
oom:
	*why = "out of memory";
out:
	buf_release(&tar);
	return rc;
}

int
script_archive(const char *dir, char *const *outputs, size_t noutputs, int code,
    const struct buf *out, const struct buf *err, struct buf *gz,
    const char **why)
{
	struct buf tar;
	struct tar_entry e;
	char num[16];
	size_t count = 0, i;
	int rc = -1;

	buf_init(&tar);
	memset(&e, 0, sizeof(e));
	e.type = TAR_FILE;
	e.mode = 0644;
	snprintf(num, sizeof(num), "%d", code);
	snprintf(e.name, sizeof(e.name), "meta/exit");
	e.data = (const unsigned char *)num;
	e.size = strlen(num);
	if (tar_write_entry(&tar, &e, why) == -1)
		goto out;
	snprintf(e.name, sizeof(e.name), "meta/stdout");
	e.data = out->data;
	e.size = out->len;
	if (tar_write_entry(&tar, &e, why) == -1)
		goto out;
	snprintf(e.name, sizeof(e.name), "meta/stderr");
	e.data = err->data;
	e.size = err->len;
	if (tar_write_entry(&tar, &e, why) == -1)
		goto out;
	for (i = 0; i < noutputs; i++)
		if (tar_add_path(
			&tar, dir, outputs[i], SCRIPT_OUT, &count, why) == -1)
			goto out;
	if (tar_write_end(&tar) == -1 ||
	    tar_gzip(tar.data, tar.len, gz) == -1) {
		*why = "out of memory";
		goto out;
	}
	rc = 0;
out:
	buf_release(&tar);
	return rc;
}

uint64_t
script_meta_created_ms(const struct buf *m)
{
	const char *p;
	char tmp[STORE_META_MAX + 1];

	if (m->len == 0 || m->len > STORE_META_MAX)
		return 0;
	memcpy(tmp, m->data, m->len);
	tmp[m->len] = '\0';
	if ((p = strstr(tmp, "created_ms=")) == NULL)
		return 0;
	return strtoull(p + 11, NULL, 10);
}

void
script_result_line(
    const char *kind, const char *hex, const char *what, uint64_t t0, int code)
{
	uint64_t ms = clock_mono_ms() - t0;

	fflush(stdout);
	fprintf(stderr,
	    "[fabrik] Cache key: %s-%.12s | %s | %llu.%02llus "
	    "(exit: %d)\n",
	    kind, hex, what, (unsigned long long)(ms / 1000),
	    (unsigned long long)(ms % 1000 / 10), code);
}

static int script_visit(struct script_ctx *, const char *path,
    const char *shown, char **args, size_t nargs, char hex[SHA256_HEX_LEN + 1],
    int *code);

static int
script_cycle(struct script_ctx *c, const char *abs, const char *shown)
{
	size_t i, j;

	for (i = 0; i < c->depth; i++) {
		if (strcmp(c->stack[i], abs) != 0)
			continue;
		errf(c->err, "dependency cycle: ");
		for (j = i; j < c->depth; j++)
			errf(c->err, "%s -> ", c->shown[j]);
		errf(c->err, "%s\n", shown);
		return -1;
	}
	if (c->depth >= SCRIPT_MAX_DEPTH) {
		errf(c->err, "dependencies nested deeper than %d\n",
		    SCRIPT_MAX_DEPTH);
		return -1;
	}
	return 0;
}

/* The body of script_visit once s is loaded and the key known. */
static int
script_execute(struct script_ctx *c, const struct script *s, char **args,
    size_t nargs, const char *hex, int *code)
{
	const struct script_opts *o = c->o;
	unsigned char skey[STORE_KEY_LEN];
	struct buf out, err, gz, b;
	char **iv = NULL, **argv = NULL, cwd[PATH_MAX], meta[PATH_MAX + 160];
	size_t in = 0, i;
	uint64_t t0 = clock_mono_ms(), created;
	int use_cache, rc = -1, capped, timed_out, got;
	const char *why;

	buf_init(&out);
	buf_init(&err);
	buf_init(&gz);
	buf_init(&b);
	script_store_key(hex, skey);
	use_cache = o->cache != NULL && !o->no_cache && !s->cache_disabled;
	if (o->cache != NULL && o->clean)
		(void)rcache_del(o->cache, skey);
	if (use_cache && (got = rcache_get(o->cache, skey, &gz, &b)) == 1) {
		created = script_meta_created_ms(&b);
		if (s->ttl_ms > 0 &&
		    (created == 0 ||
			(uint64_t)script_wall_ms() - created >= s->ttl_ms)) {
			if (o->verbose)
				fprintf(stderr,
				    "[fabrik] %s: cached entry "
				    "expired (ttl)\n",
				    s->path);
			(void)rcache_del(o->cache, skey);
		} else if (script_restore(s, s->dir, gz.data, gz.len, code,
			       &out, &err, &why) == -1) {
			fprintf(stderr,
			    "[fabrik] %s: refusing the cached archive: %s; "
			    "dropping it and running the script\n",
			    s->path, why);
			(void)rcache_del(o->cache, skey);
			buf_reset(&out);
			buf_reset(&err);
		} else {
			fflush(NULL);
			script_write_all(1, out.data, out.len);
			script_write_all(2, err.data, err.len);
			script_result_line(
			    "script", hex, "HIT \342\234\223", t0, *code);
			rc = 0;
			goto out;
		}
		buf_reset(&gz);
		buf_reset(&b);
	}
	if (script_interp(s, o->runtime, &iv, &in) == -1 ||
	    (argv = calloc(in + nargs + 2, sizeof(*argv))) == NULL) {
		errf(c->err, "out of memory\n");
		goto out;
	}
	for (i = 0; i < in; i++)
		argv[i] = iv[i];
	argv[in] = s->abs;
	for (i = 0; i < nargs; i++)
		argv[in + 1 + i] = args[i];
	snprintf(cwd, sizeof(cwd), "%s/%s", s->dir, s->cwd ? s->cwd : ".");
	*code = script_spawn(
	    argv, cwd, s->timeout_ms, &out, &err, &capped, &timed_out);
	if (timed_out)
		fprintf(stderr,
		    "[fabrik] %s: timed out after %llu ms; process group "
		    "killed\n",
		    s->path, (unsigned long long)s->timeout_ms);
	script_result_line(
	    "script", hex, use_cache ? "MISS" : "MISS (cache off)", t0, *code);
	rc = 0;
	if (!use_cache)
		goto out;
	if (timed_out || (*code != 0 && !o->cache_failures)) {
		fprintf(stderr, "[fabrik] not cached: %s\n",
		    timed_out ? "the script timed out"
			      : "the script failed (--cache-failures caches "
				"failures)");
		goto out;
	}
	if (capped) {
		fprintf(stderr,
		    "[fabrik] not cached: output larger than "
		    "the capture limit\n");
		goto out;
	}
	buf_reset(&gz);
	if (script_archive(s->dir, s->outputs, s->noutputs, *code, &out, &err,
		&gz, &why) == -1) {
		fprintf(stderr, "[fabrik] not cached: %s\n", why);
		goto out;
	}
	snprintf(meta, sizeof(meta), "created_ms=%llu\nkey=%s\nscript=%s\n",
	    (unsigned long long)script_wall_ms(), hex, s->abs);
	if (rcache_put(o->cache, skey, STORE_NS_SCRIPT, gz.data, gz.len, meta,
		strlen(meta), &why) == -1)
		fprintf(stderr, "[fabrik] not cached: %s\n", why);
	else if (o->verbose)
		fprintf(stderr, "[fabrik] stored %zu bytes\n", gz.len);
out:
	script_strv_free(iv, in);
	free(argv);
	buf_release(&out);
	buf_release(&err);
	buf_release(&gz);
	buf_release(&b);
	return rc;
}

static int
script_visit(struct script_ctx *c, const char *path, const char *shown,
    char **args, size_t nargs, char hex[SHA256_HEX_LEN + 1], int *code)
{
	struct script s;
	struct buf m;
	char(*depkeys)[SHA256_HEX_LEN + 1] = NULL;
	char dpath[PATH_MAX], dshown[PATH_MAX];
	size_t i;
	int rc = -1, dcode;

	buf_init(&m);
	*code = 0;
	if (script_load(&s, path, c->err) == -1)
		return -1;
	if (script_cycle(c, s.abs, shown) == -1) {
		script_release(&s);
		return -1;
	}
	c->stack[c->depth] = s.abs;
	c->shown[c->depth] = (char *)shown;
	c->depth++;
	if (s.ndeps > 0 &&
	    (depkeys = calloc(s.ndeps, sizeof(*depkeys))) == NULL) {
		errf(c->err, "out of memory\n");
		goto out;
	}
	for (i = 0; i < s.ndeps; i++) {
		if (s.deps[i].path[0] == '/')
			snprintf(dpath, sizeof(dpath), "%s", s.deps[i].path);
		else
			snprintf(dpath, sizeof(dpath), "%s/%s", s.dir,
			    s.deps[i].path);
		snprintf(dshown, sizeof(dshown), "%s", s.deps[i].path);
		if (script_visit(
			c, dpath, dshown, NULL, 0, depkeys[i], &dcode) == -1)
			goto out;
		if (dcode != 0) {
			errf(c->err, "%s: dependency %s exited with %d\n",
			    s.path, s.deps[i].path, dcode);
			*code = dcode;
			goto out;
		}
	}
	if (script_manifest(c, &s, args, nargs, depkeys, &m) == -1)
		goto out;
	sha256_hex(m.data, m.len, hex);
	if (c->mode == MODE_KEY) {
		if (c->depth == 1 && c->manifest != NULL &&
		    buf_append(c->manifest, m.data, m.len) == -1)
			goto out;
		rc = 0;
		goto out;
	}
	if (c->mode == MODE_DRY) {
		printf("%s: script-%s\n", s.path, hex);
		fwrite(m.data, 1, m.len, stdout);
		rc = 0;
		goto out;
	}
	if (c->o->verbose) {
		fprintf(
		    stderr, "[fabrik] %s: key script-%s from:\n", s.path, hex);
		fwrite(m.data, 1, m.len, stderr);
	}
	rc = script_execute(c, &s, args, nargs, hex, code);
out:
	c->depth--;
	free(depkeys);
	buf_release(&m);
	script_release(&s);
	return rc;
}

int
script_run(
    const struct script_opts *o, const char *path, char **args, size_t nargs)
{
	struct script_ctx c;
	struct buf err;
	char hex[SHA256_HEX_LEN + 1];
	int code = 0, rc;

	buf_init(&err);
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.mode = o->dry_run ? MODE_DRY : MODE_RUN;
	c.err = &err;
	rc = script_visit(&c, path, path, args, nargs, hex, &code);
	if (rc == -1) {
		fprintf(stderr, "fabrik run: %s", buf_cstr(&err));
		buf_release(&err);
		return code != 0 ? code : 2;
	}
	buf_release(&err);
	return code;
}

int
script_key(const char *path, char **args, size_t nargs,
    char key[SHA256_HEX_LEN + 1], struct buf *manifest, struct buf *err)
{
	struct script_ctx c;
	struct script_opts o;
	int code;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.o = &o;
	c.mode = MODE_KEY;
	c.err = err;
	c.manifest = manifest;
	return script_visit(&c, path, path, args, nargs, key, &code);
}
