/*
 * Unit tests for recipe/glob: the matcher against a table of patterns and
 * paths (**, *, ?, classes, braces, escapes, malformed patterns) and the
 * walker's sorted, link-free listing of a temporary tree.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp() */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe/glob.h"
#include "tap.h"

int main(void);

struct gcase {
	const char *pat;
	const char *path;
	int want; /* 1 match, 0 no match, -1 malformed */
};

static const struct gcase cases[] = {
	{ "a.c", "a.c", 1 },
	{ "a.c", "b.c", 0 },
	{ "*.c", "a.c", 1 },
	{ "*.c", "dir/a.c", 0 },
	{ "*.c", ".c", 1 },
	{ "*", "", 1 },
	{ "*", "a/b", 0 },
	{ "a*b*c", "abc", 1 },
	{ "a*b*c", "aXbYc", 1 },
	{ "a*b*c", "aXbY", 0 },
	{ "**", "a/b/c", 1 },
	{ "**", "", 1 },
	{ "**/*.c", "a.c", 1 },
	{ "**/*.c", "x/y/a.c", 1 },
	{ "**/*.c", "x/y/a.h", 0 },
	{ "src/**/*.c", "src/a.c", 1 },
	{ "src/**/*.c", "src/x/y/a.c", 1 },
	{ "src/**/*.c", "lib/a.c", 0 },
	{ "src/**", "src/a/b", 1 },
	{ "src/**", "srcx/a", 0 },
	{ "a/**/b", "a/b", 1 },
	{ "a/**/b", "a/x/y/b", 1 },
	{ "a/**/b", "a/x/y/bc", 0 },
	{ "a**b", "aXb", 1 }, /* not a whole segment: a plain star */
	{ "a**b", "aX/b", 0 },
	{ "?.c", "a.c", 1 },
	{ "?.c", "ab.c", 0 },
	{ "a?b", "a/b", 0 },
	{ "[abc].c", "b.c", 1 },
	{ "[abc].c", "d.c", 0 },
	{ "[a-c].c", "c.c", 1 },
	{ "[!a-c].c", "c.c", 0 },
	{ "[!a-c].c", "d.c", 1 },
	{ "[^a-c].c", "d.c", 1 },
	{ "[]].c", "].c", 1 },
	{ "[a-]", "-", 1 },
	{ "[/]", "/", -1 }, /* a class never holds a slash */
	{ "{a,b}.c", "a.c", 1 },
	{ "{a,b}.c", "b.c", 1 },
	{ "{a,b}.c", "c.c", 0 },
	{ "src/{x,y/z}/*.h", "src/y/z/q.h", 1 },
	{ "{a,{b,c}d}", "cd", 1 },
	{ "{a,{b,c}d}", "d", 0 },
	{ "{,x}y", "y", 1 },
	{ "*.{c,h}", "m.h", 1 },
	{ "\\*.c", "*.c", 1 },
	{ "\\*.c", "a.c", 0 },
	{ "[*].c", "*.c", 1 },
	{ "a}", "a}", 1 },
	{ "[abc", "a", -1 },
	{ "{a,b", "a", -1 },
	{ "abc\\", "abc", -1 },
};

static void
touch(const char *dir, const char *rel)
{
	char p[1024];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1)
		close(fd);
}

static void
mkd(const char *dir, const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	(void)mkdir(p, 0755);
}

static void
join(const struct glob_list *l, char *out, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strncat(out, " ", n - strlen(out) - 1);
		strncat(out, l->paths[i], n - strlen(out) - 1);
	}
}

static void
walk(const char *dir, const char *pat, const char *want)
{
	struct glob_list l;
	const char *err = NULL;
	char got[4096], name[256];

	glob_list_init(&l);
	snprintf(name, sizeof(name), "walk %s", pat);
	if (glob_walk(dir, pat, &l, &err) == -1)
		snprintf(got, sizeof(got), "error: %s", err);
	else
		join(&l, got, sizeof(got));
	is_str(got, want, name);
	glob_list_release(&l);
}

int
main(void)
{
	char dir[] = "/tmp/fabrik-glob.XXXXXX", cmd[1200], path[1024];
	const char *err;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = NULL;
		r = glob_match(cases[i].pat, cases[i].path, &err);
		if (!is_int(r, cases[i].want, cases[i].pat))
			diag("path '%s'", cases[i].path);
		if (r == -1)
			ok(err != NULL, "%s: error message", cases[i].pat);
	}
	ok(glob_has_magic("a/*.c") && !glob_has_magic("a/b.c"), "has_magic");

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	mkd(dir, "src");
	mkd(dir, "src/b");
	mkd(dir, "src/a");
	mkd(dir, "other");
	touch(dir, "src/z.c");
	touch(dir, "src/a.c");
	touch(dir, "src/a.h");
	touch(dir, "src/b/m.c");
	touch(dir, "src/a/q.c");
	touch(dir, "other/o.c");
	touch(dir, "top.c");
	snprintf(path, sizeof(path), "%s/src/link.c", dir);
	ok(symlink("a.c", path) == 0, "symlink");
	snprintf(path, sizeof(path), "%s/src/dirlink", dir);
	ok(symlink("b", path) == 0, "dir symlink");
	walk(dir, "src/*.c", "src/a.c src/link.c src/z.c");
	walk(dir, "src/**/*.c",
	    "src/a.c src/a/q.c src/b/m.c src/link.c src/z.c");
	walk(dir, "**/*.c",
	    "other/o.c src/a.c src/a/q.c src/b/m.c src/link.c src/z.c top.c");
	walk(dir, "src/{a,z}.{c,h}", "src/a.c src/a.h src/z.c");
	walk(dir, "{src,src}/a.c", "src/a.c");
	walk(dir, "top.c", "top.c");
	walk(dir, "missing.c", "");
	walk(dir, "src/b", "src/b/m.c");
	walk(dir, "src/?.c", "src/a.c src/z.c");
	walk(dir, "src/[!a]*.c", "src/link.c src/z.c");
	/* Literal leading segments may name a link; the walk below does not
	 * follow links. */
	walk(dir, "src/dirlink/*.c", "src/dirlink/m.c");
	walk(dir, "src/**/m.c", "src/b/m.c");
	walk(dir, "[bad", "error: unterminated [ in glob");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	return done_testing();
}
