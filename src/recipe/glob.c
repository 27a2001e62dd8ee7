/*
 * Path globs (see glob.h).  Untrusted input: the pattern comes from a
 * script annotation; it is length-limited, its braces expand to at most
 * GLOB_MAX_BRACES alternatives and it is validated (balanced classes, no
 * trailing escape) before matching.  The walker never follows symbolic
 * links and stops at GLOB_MAX_MATCHES paths and GLOB_MAX_DEPTH levels.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/glob.h"

struct glob_pats {
	char **v;
	size_t n;
};

void
glob_list_init(struct glob_list *l)
{
	memset(l, 0, sizeof(*l));
}

void
glob_list_release(struct glob_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof(*l));
}

static int
glob_list_add(struct glob_list *l, const char *p, size_t len)
{
	char **nv;
	char *s;

	if (l->n >= GLOB_MAX_MATCHES)
		return -1;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = realloc(l->paths, l->cap * sizeof(*nv))) == NULL)
			return -1;
		l->paths = nv;
	}
	if ((s = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s, p, len);
	s[len] = '\0';
	l->paths[l->n++] = s;
	return 0;
}

int
glob_has_magic(const char *p)
{
	return strpbrk(p, "*?[{\\") != NULL;
}

/* Skips a [...] class starting at p ('['); returns the pointer past ']'
 * or NULL when it is not closed. */
static const char *
glob_class_end(const char *p)
{
	p++;
	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0'; p++) {
		if (*p == ']')
			return p + 1;
		if (*p == '/')
			return NULL;
	}
	return NULL;
}

static int
glob_validate(const char *p, const char **err)
{
	for (; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0') {
				*err = "trailing backslash in glob";
				return -1;
			}
			p++;
		} else if (*p == '[') {
			if ((p = glob_class_end(p)) == NULL) {
				*err = "unterminated [ in glob";
				return -1;
			}
			p--;
		}
	}
	return 0;
}

static void
glob_pats_free(struct glob_pats *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

/* Expands the first top-level {a,b} of pat recursively into ps. */
static int
glob_expand(const char *pat, struct glob_pats *ps, const char **err)
{
	const char *p, *open = NULL, *close = NULL, *alt;
	const char *cuts[GLOB_MAX_BRACES];
	size_t ncut = 0, i, plen, slen, alen;
	int depth = 0;
	char *s, **nv;

	for (p = pat; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
		} else if (*p == '[' && glob_class_end(p) != NULL) {
			p = glob_class_end(p) - 1;
		} else if (*p == '{') {
			if (depth++ == 0)
				open = p;
		} else if (*p == ',' && depth == 1) {
			if (ncut >= GLOB_MAX_BRACES - 1) {
				*err = "glob expands to too many alternatives";
				return -1;
			}
			cuts[ncut++] = p;
		} else if (*p == '}' && depth > 0) {
			if (--depth == 0) {
				close = p;
				break;
			}
		}
	}
	if (depth != 0) {
		*err = "unbalanced { in glob";
		return -1;
	}
	if (open == NULL) {
		if (ps->n >= GLOB_MAX_BRACES) {
			*err = "glob expands to too many alternatives";
			return -1;
		}
		if ((nv = realloc(ps->v, (ps->n + 1) * sizeof(*nv))) == NULL ||
		    (ps->v = nv, (s = strdup(pat)) == NULL)) {
			*err = "out of memory";
			return -1;
		}
		ps->v[ps->n++] = s;
		return 0;
	}
	plen = (size_t)(open - pat);
	slen = strlen(close + 1);
	alt = open + 1;
	for (i = 0; i <= ncut; i++) {
		const char *end = i < ncut ? cuts[i] : close;

		alen = (size_t)(end - alt);
		if ((s = malloc(plen + alen + slen + 1)) == NULL) {
			*err = "out of memory";
			return -1;
		}
		memcpy(s, pat, plen);
		memcpy(s + plen, alt, alen);
		memcpy(s + plen + alen, close + 1, slen + 1);
		if (glob_expand(s, ps, err) == -1) {
			free(s);
			return -1;
		}
		free(s);
		alt = end + 1;
	}
	return 0;
}

static int
glob_class(const char **pp, int c)
{
	const char *p = *pp + 1;
	int neg = 0, hit = 0;
	unsigned char lo, hi;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	do {
		lo = (unsigned char)*p++;
		if (p[0] == '-' && p[1] != ']' && p[1] != '\0') {
			hi = (unsigned char)p[1];
			p += 2;
		} else {
			hi = lo;
		}
		if ((unsigned char)c >= lo && (unsigned char)c <= hi)
			hit = 1;
	} while (*p != ']');
	*pp = p + 1;
	return hit != neg;
}

/* Matches a validated, brace-free pattern; start is the pattern's
 * beginning (for the "** is a whole segment" test). */
static int
glob_match1(const char *start, const char *p, const char *s)
{
	for (;;) {
		if (p[0] == '*' && p[1] == '*' &&
		    (p == start || p[-1] == '/') &&
		    (p[2] == '/' || p[2] == '\0')) {
			if (p[2] == '\0')
				return 1;
			for (;;) {
				if (glob_match1(start, p + 3, s))
					return 1;
				if ((s = strchr(s, '/')) == NULL)
					return 0;
				s++;
			}
		}
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			while (*p == '*')
				p++;
			for (;;) {
				if (glob_match1(start, p, s))
					return 1;
				if (*s == '\0' || *s == '/')
					return 0;
				s++;
			}
		case '?':
			if (*s == '\0' || *s == '/')
				return 0;
			p++;
			s++;
			break;
		case '[':
			if (*s == '\0' || *s == '/' || !glob_class(&p, *s))
				return 0;
			s++;
			break;
		case '\\':
			p++;
			/* FALLTHROUGH */
		default:
			if (*p != *s)
				return 0;
			p++;
			s++;
		}
	}
}

static int
glob_prepare(const char *pat, struct glob_pats *ps, const char **err)
{
	size_t i;

	ps->v = NULL;
	ps->n = 0;
	if (strlen(pat) > GLOB_MAX_PATTERN) {
		*err = "glob pattern too long";
		return -1;
	}
	if (glob_expand(pat, ps, err) == -1)
		goto fail;
	for (i = 0; i < ps->n; i++)
		if (glob_validate(ps->v[i], err) == -1)
			goto fail;
	return 0;
fail:
	glob_pats_free(ps);
	return -1;
}

int
glob_match(const char *pat, const char *path, const char **err)
{
	struct glob_pats ps;
	size_t i;
	int rc = 0;

	if (glob_prepare(pat, &ps, err) == -1)
		return -1;
	for (i = 0; i < ps.n && rc == 0; i++)
		rc = glob_match1(ps.v[i], ps.v[i], path);
	glob_pats_free(&ps);
	return rc;
}

struct glob_walk_ctx {
	const char *root; /* "" for absolute patterns */
	const char *pat;
	struct glob_list *out;
	struct buf path; /* relative path being visited */
	const char **err;
};

static int
glob_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
glob_full(struct glob_walk_ctx *c, struct buf *full)
{
	buf_reset(full);
	if (*c->root != '\0' &&
	    (buf_append_str(full, c->root) == -1 || buf_putc(full, '/') == -1))
		return -1;
	return buf_append(full, c->path.data, c->path.len);
}

static int
glob_walk_dir(struct glob_walk_ctx *c, int depth)
{
	DIR *d = NULL;
	struct dirent *de;
	struct glob_list names;
	struct buf full;
	struct stat st;
	size_t base = c->path.len, i;
	int rc = -1;

	glob_list_init(&names);
	buf_init(&full);
	if (depth > GLOB_MAX_DEPTH)
		return 0;
	if (glob_full(c, &full) == -1)
		goto oom;
	if ((d = opendir(full.len ? buf_cstr(&full) : ".")) == NULL) {
		rc = 0;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (glob_list_add(&names, de->d_name, strlen(de->d_name)) == -1)
			goto oom;
	}
	if (names.n > 1)
		qsort(names.paths, names.n, sizeof(char *), glob_cmp);
	for (i = 0; i < names.n; i++) {
		c->path.len = base;
		if ((base > 0 && buf_putc(&c->path, '/') == -1) ||
		    buf_append_str(&c->path, names.paths[i]) == -1 ||
		    glob_full(c, &full) == -1)
			goto oom;
		if (lstat(buf_cstr(&full), &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (glob_walk_dir(c, depth + 1) == -1)
				goto out;
		} else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
		    glob_match1(c->pat, c->pat, buf_cstr(&c->path))) {
			if (glob_list_add(c->out, (const char *)c->path.data,
				c->path.len) == -1) {
				*c->err = c->out->n >= GLOB_MAX_MATCHES
				    ? "glob matches too many files"
				    : "out of memory";
				goto out;
			}
		}
	}
	rc = 0;
	goto out;
oom:
	*c->err = "out of memory";
out:
	c->path.len = base;
	if (c->path.cap > 0)
		c->path.data[base] = '\0';
	if (d != NULL)
		closedir(d);
	glob_list_release(&names);
	buf_release(&full);
	return rc;
}

/* Walks for one brace-free pattern. */
static int
glob_walk1(
    const char *root, const char *pat, struct glob_list *out, const char **err)
{
	struct glob_walk_ctx c;
	const char *seg, *slash, *lit_end = pat;
	struct stat st;
	struct buf full, dirpat;
	int rc = -1;

	buf_init(&full);
	buf_init(&dirpat);
	memset(&c, 0, sizeof(c));
	c.root = *pat == '/' ? "" : root;
	c.pat = pat;
	c.out = out;
	c.err = err;
	buf_init(&c.path);
	if (!glob_has_magic(pat)) {
		if ((*c.root != '\0' &&
			buf_printf(&full, "%s/", c.root) == -1) ||
		    buf_append_str(&full, pat) == -1)
			goto oom;
		if (lstat(buf_cstr(&full), &st) == -1) {
			rc = 0;
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (glob_list_add(out, pat, strlen(pat)) == -1)
				goto oom;
			rc = 0;
			goto out;
		}
		/* A directory stands for everything below it. */
		if (buf_printf(&dirpat, "%s/**", pat) == -1)
			goto oom;
		c.pat = pat = buf_cstr(&dirpat);
	}
	/* Start at the literal leading segments. */
	for (seg = pat; (slash = strchr(seg, '/')) != NULL; seg = slash + 1) {
		size_t i;
		int magic = 0;

		for (i = 0; seg + i < slash; i++)
			if (strchr("*?[{\\", seg[i]) != NULL)
				magic = 1;
		if (magic)
			break;
		lit_end = slash;
	}
	if (lit_end > pat &&
	    buf_append(&c.path, pat, (size_t)(lit_end - pat)) == -1)
		goto oom;
	if (*pat == '/' && c.path.len == 0 && buf_putc(&c.path, '/') == -1)
		goto oom;
	rc = glob_walk_dir(&c, 0);
	goto out;
oom:
	*err = "out of memory";
out:
	buf_release(&c.path);
	buf_release(&full);
	buf_release(&dirpat);
	return rc;
}

int
glob_walk(
    const char *root, const char *pat, struct glob_list *out, const char **err)
{
	struct glob_pats ps;
	size_t i, j, start = out->n;

	if (glob_prepare(pat, &ps, err) == -1)
		return -1;
	for (i = 0; i < ps.n; i++) {
		if (glob_walk1(root, ps.v[i], out, err) == -1) {
			glob_pats_free(&ps);
			return -1;
		}
	}
	glob_pats_free(&ps);
	if (out->n == start)
		return 0;
	qsort(out->paths + start, out->n - start, sizeof(char *), glob_cmp);
	/* Alternatives may overlap: drop duplicates. */
	for (i = j = start; i < out->n; i++) {
		if (j > start &&
		    strcmp(out->paths[j - 1], out->paths[i]) == 0) {
			free(out->paths[i]);
			continue;
		}
		out->paths[j++] = out->paths[i];
	}
	out->n = j;
	return 0;
}
