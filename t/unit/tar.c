/*
 * Unit tests for recipe/tar: ustar round trips through gzip (files,
 * directories, links, long names, binary content), header checks
 * (checksum, truncation, entry types, sizes) and the refusals that keep
 * extraction inside its directory (absolute names, `..`, links pointing
 * out, writing through a link).
 */
#define _XOPEN_SOURCE 700 /* mkdtemp() */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe/tar.h"
#include "tap.h"

int main(void);

static void
entry(struct buf *b, const char *name, enum tar_type t, const char *data,
    const char *link, unsigned mode)
{
	struct tar_entry e;
	const char *err = NULL;

	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", name);
	if (link != NULL)
		snprintf(e.link, sizeof(e.link), "%s", link);
	e.type = t;
	e.mode = mode;
	e.mtime = 1700000000;
	e.data = (const unsigned char *)data;
	e.size = data ? strlen(data) : 0;
	if (tar_write_entry(b, &e, &err) == -1)
		diag("write %s: %s", name, err);
}

/* Extracts a one-entry archive; returns the error or "ok". */
static const char *
extract1(const char *dir, const char *name, enum tar_type t, const char *link)
{
	struct buf b;
	const char *err = "ok";

	buf_init(&b);
	entry(&b, name, t, t == TAR_FILE ? "evil" : NULL, link, 0644);
	if (tar_write_end(&b) == -1 ||
	    tar_extract(b.data, b.len, dir, &err) == 0)
		err = "ok";
	buf_release(&b);
	return err;
}

static int
exists(const char *dir, const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

int
main(void)
{
	struct buf b, gz, back;
	struct tar_entry e;
	char dir[] = "/tmp/fabrik-tar.XXXXXX", inner[1100], p[1200], cmd[1200];
	char longname[300], tl[120];
	const char *err;
	size_t off, n;
	int64_t r;
	struct stat st;
	FILE *f;

	buf_init(&b);
	buf_init(&gz);
	buf_init(&back);
	memset(longname, 0, sizeof(longname));
	snprintf(longname, sizeof(longname), "d/%0120d/%0100d", 1,
	    2); /* 224 chars: needs the prefix */
	entry(&b, "d", TAR_DIR, NULL, NULL, 0750);
	entry(&b, "d/file", TAR_FILE, "hello\n", NULL, 0640);
	entry(&b, "d/empty", TAR_FILE, "", NULL, 0600);
	entry(&b, "d/link", TAR_SYMLINK, NULL, "file", 0777);
	entry(&b, "d/up", TAR_SYMLINK, NULL, "../d/file", 0777);
	entry(&b, longname, TAR_FILE, "long", NULL, 0644);
	ok(tar_write_end(&b) == 0, "end blocks");
	ok(b.len % 512 == 0, "archive is whole blocks");
	ok(tar_gzip(b.data, b.len, &gz) == 0, "gzip");
	ok(gz.len > 2 && gz.data[0] == 0x1f && gz.data[1] == 0x8b,
	    "gzip magic");
	ok(tar_gunzip(gz.data, gz.len, &back, TAR_MAX_TOTAL, &err) == 0,
	    "gunzip");
	is_mem(back.data, back.len, b.data, b.len, "gzip round trip");
	buf_reset(&back);
	ok(tar_gunzip(gz.data, gz.len, &back, 100, &err) == -1,
	    "gunzip refuses output over its limit");
	buf_reset(&back);
	ok(tar_gunzip(gz.data, gz.len - 4, &back, TAR_MAX_TOTAL, &err) == -1,
	    "gunzip refuses a truncated stream");

	n = 0;
	for (off = 0; (r = tar_next(b.data, b.len, off, &e, &err)) > 0;
	     off += (size_t)r) {
		n++;
		if (n == 1)
			ok(e.type == TAR_DIR && strcmp(e.name, "d") == 0 &&
				e.mode == 0750,
			    "dir entry");
		if (n == 2)
			is_mem(e.data, (size_t)e.size, "hello\n", 6,
			    "file content");
		if (n == 4)
			ok(e.type == TAR_SYMLINK && strcmp(e.link, "file") == 0,
			    "link entry");
		if (n == 6) {
			is_str(e.name, longname, "long name via prefix");
			ok(e.mtime == 1700000000, "mtime");
		}
	}
	is_int(r, 0, "clean end");
	is_int(n, 6, "six entries");

	/* Header damage. */
	memcpy(tl, b.data + 512, 1);
	b.data[512]++;
	ok(tar_next(b.data, b.len, 512, &e, &err) == FAB_ERROR &&
		strstr(err, "checksum") != NULL,
	    "bad checksum refused");
	b.data[512] = (unsigned char)tl[0];
	ok(tar_next(b.data, 1024 + 3, 512, &e, &err) == FAB_ERROR,
	    "truncated content refused");
	ok(tar_next(b.data, 700, 512, &e, &err) == FAB_ERROR,
	    "truncated header refused");

	/* Path checks. */
	ok(tar_check_path("a/b", &err) == 0, "a/b is safe");
	ok(tar_check_path("/etc/passwd", &err) == -1, "absolute refused");
	ok(tar_check_path("..", &err) == -1, ".. refused");
	ok(tar_check_path("a/../../b", &err) == -1, "a/../../b refused");
	ok(tar_check_path("a/..", &err) == -1, "a/.. refused");
	ok(tar_check_path("a//b", &err) == -1, "empty component refused");
	ok(tar_check_path("", &err) == -1, "empty name refused");
	ok(tar_check_path("..a/b..", &err) == 0, "dots inside names are fine");
	ok(tar_check_link("a/l", "b", &err) == 0, "sibling link");
	ok(tar_check_link("a/l", "../b", &err) == 0, "link to the root");
	ok(tar_check_link("a/l", "../../b", &err) == -1, "link above the root");
	ok(tar_check_link("l", "x/../../b", &err) == -1,
	    "link climbing after descending");
	ok(tar_check_link("l", "/etc", &err) == -1, "absolute link");
	ok(tar_check_link("a/b/l", "./../..", &err) == 0, "link to . is fine");

	/* Extraction. */
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(inner, sizeof(inner), "%s/in", dir);
	ok(mkdir(inner, 0755) == 0, "mkdir");
	ok(tar_extract(b.data, b.len, inner, &err) == 0, "extract");
	snprintf(p, sizeof(p), "%s/d/file", inner);
	ok((f = fopen(p, "r")) != NULL && fgets(tl, sizeof(tl), f) != NULL &&
		strcmp(tl, "hello\n") == 0,
	    "extracted content");
	if (f != NULL)
		fclose(f);
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0640 &&
		st.st_mtime == 1700000000,
	    "file mode and mtime");
	snprintf(p, sizeof(p), "%s/d", inner);
	ok(stat(p, &st) == 0 && (st.st_mode & 0777) == 0750,
	    "directory mode applied after its children");
	snprintf(p, sizeof(p), "%s/d/link", inner);
	n = (size_t)readlink(p, tl, sizeof(tl));
	is_mem(tl, n, "file", 4, "link extracted");
	ok(tar_extract(b.data, b.len, inner, &err) == 0,
	    "extracting again replaces files and links");
	snprintf(p, sizeof(p), "%s/d", inner);
	ok(chmod(p, 0755) == 0, "chmod");

	is_str(extract1(inner, "../escape", TAR_FILE, NULL),
	    "entry name contains '..'", "../ entry refused");
	ok(!exists(dir, "escape"), "nothing written outside");
	is_str(extract1(inner, "/tmp/fabrik-tar-abs", TAR_FILE, NULL),
	    "absolute entry name", "absolute entry refused");
	ok(access("/tmp/fabrik-tar-abs", F_OK) == -1,
	    "nothing written at the absolute path");
	is_str(extract1(inner, "out", TAR_SYMLINK, "/etc"),
	    "symbolic link points to an absolute path",
	    "absolute link refused");
	is_str(extract1(inner, "x/out", TAR_SYMLINK, "../../x"),
	    "symbolic link points outside the working directory",
	    "escaping link refused");
	ok(!exists(inner, "out") && !exists(inner, "x"),
	    "refused entries leave nothing");
	/* A link inside, then a file through it: refused. */
	snprintf(p, sizeof(p), "%s/d/sub", inner);
	ok(mkdir(p, 0755) == 0, "mkdir sub");
	is_str(extract1(inner, "d/hop", TAR_SYMLINK, "sub"), "ok",
	    "inside link accepted");
	is_str(extract1(inner, "d/hop/f", TAR_FILE, NULL),
	    "refusing to write through a symbolic link",
	    "writing through a link refused");
	ok(!exists(inner, "d/sub/f"), "nothing written through the link");
	/* A pre-existing link planted outside: replaced, not followed. */
	snprintf(p, sizeof(p), "%s/victim", dir);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs("keep", f);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/plant", inner);
	ok(symlink("../victim", p) == 0, "planted link");
	is_str(extract1(inner, "plant", TAR_FILE, NULL), "ok",
	    "a file replaces a planted link");
	snprintf(p, sizeof(p), "%s/victim", dir);
	ok(stat(p, &st) == 0 && st.st_size == 4, "the link target is intact");

	/* Unsupported types and sizes. */
	buf_reset(&b);
	entry(&b, "h", TAR_FILE, "x", NULL, 0644);
	b.data[156] = '1'; /* hard link */
	memset(b.data + 148, ' ', 8);
	{
		unsigned sum = 0, i;

		for (i = 0; i < 512; i++)
			sum += b.data[i];
		snprintf((char *)b.data + 148, 8, "%06o", sum);
	}
	ok(tar_next(b.data, b.len, 0, &e, &err) == FAB_ERROR &&
		strstr(err, "type") != NULL,
	    "hard links refused");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	buf_release(&b);
	buf_release(&gz);
	buf_release(&back);
	return done_testing();
}
