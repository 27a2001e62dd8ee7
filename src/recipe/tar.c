/*
 * ustar archives with gzip compression (see tar.h; IEEE 1003.1-2008
 * "pax" ustar interchange format, RFC 1952 through zlib).
 *
 * Untrusted input: an archive read back from a cache (local or shared by
 * other machines).  tar_next() checks each header's checksum and numbers,
 * refuses entry types other than files, directories and symbolic links,
 * refuses names that are absolute or contain `..`, and link targets that
 * climb out of the archive root; sizes are checked against the data left
 * and TAR_MAX_ENTRY_SIZE before any use.  Extraction never writes through
 * a symbolic link and never follows one, so an archive cannot place bytes
 * outside the directory it is extracted into.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "recipe/tar.h"

#define TAR_BLOCK 512

static void
tar_octal(unsigned char *f, size_t w, uint64_t v)
{
	size_t i;

	/* w - 1 digits and a NUL. */
	f[w - 1] = '\0';
	for (i = w - 1; i > 0; i--) {
		f[i - 1] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
}

static int
tar_parse_octal(const unsigned char *f, size_t w, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	int digits = 0;

	while (i < w && f[i] == ' ')
		i++;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = (v << 3) | (uint64_t)(f[i] - '0');
		digits++;
	}
	for (; i < w; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	if (digits == 0)
		return -1;
	*out = v;
	return 0;
}

int
tar_check_path(const char *name, const char **err)
{
	const char *seg = name, *end;
	size_t n;

	if (*name == '\0') {
		*err = "empty entry name";
		return -1;
	}
	if (*name == '/') {
		*err = "absolute entry name";
		return -1;
	}
	for (;;) {
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (n == 0 || (n == 1 && seg[0] == '.')) {
			*err = "entry name has an empty or '.' component";
			return -1;
		}
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			*err = "entry name contains '..'";
			return -1;
		}
		if (end == NULL)
			return 0;
		seg = end + 1;
	}
}

int
tar_check_link(const char *name, const char *target, const char **err)
{
	const char *p, *end;
	long depth = 0;
	size_t n;

	if (*target == '\0') {
		*err = "empty symbolic link target";
		return -1;
	}
	if (*target == '/') {
		*err = "symbolic link points to an absolute path";
		return -1;
	}
	for (p = name; (p = strchr(p, '/')) != NULL; p++)
		depth++;
	for (p = target;; p = end + 1) {
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0) {
				*err = "symbolic link points outside the "
				       "working directory";
				return -1;
			}
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		if (end == NULL)
			return 0;
	}
}

int
tar_write_entry(struct buf *out, const struct tar_entry *e, const char **err)
{
	unsigned char h[TAR_BLOCK];
	size_t nlen = strlen(e->name), cut, pad;
	unsigned sum = 0;
	int i;

	memset(h, 0, sizeof(h));
	if (nlen > TAR_NAME_MAX) {
		*err = "path too long for a tar entry";
		return -1;
	}
	if (nlen <= 100) {
		memcpy(h, e->name, nlen);
	} else {
		/* Split at a '/' so that prefix <= 155 and name <= 100. */
		for (cut = nlen - 1; cut > 0; cut--)
			if (e->name[cut] == '/' && cut <= 155 &&
			    nlen - cut - 1 <= 100 && nlen - cut - 1 > 0)
				break;
		if (cut == 0) {
			*err = "path too long for a tar entry";
			return -1;
		}
		memcpy(h + 345, e->name, cut);
		memcpy(h, e->name + cut + 1, nlen - cut - 1);
	}
	if (strlen(e->link) > TAR_LINK_MAX - 1 && e->type == TAR_SYMLINK) {
		*err = "symbolic link target too long for a tar entry";
		return -1;
	}
	tar_octal(h + 100, 8, e->mode & 07777);
	tar_octal(h + 108, 8, 0);
	tar_octal(h + 116, 8, 0);
	tar_octal(h + 124, 12, e->type == TAR_FILE ? e->size : 0);
	tar_octal(h + 136, 12, e->mtime > 0 ? (uint64_t)e->mtime : 0);
	h[156] = e->type == TAR_FILE ? '0' : e->type == TAR_DIR ? '5' : '2';
	if (e->type == TAR_SYMLINK)
		memcpy(h + 157, e->link, strlen(e->link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	tar_octal(h + 148, 7, sum);
	h[155] = ' ';
	if (buf_append(out, h, sizeof(h)) == -1)
		goto oom;
	if (e->type == TAR_FILE && e->size > 0) {
		if (buf_append(out, e->data, (size_t)e->size) == -1)
			goto oom;
		pad = (TAR_BLOCK - (size_t)(e->size % TAR_BLOCK)) % TAR_BLOCK;
		memset(h, 0, sizeof(h));
		if (pad > 0 && buf_append(out, h, pad) == -1)
			goto oom;
	}
	return 0;
oom:
	*err = "out of memory";
	return -1;
}

int
tar_write_end(struct buf *out)
{
	unsigned char z[2 * TAR_BLOCK];

	memset(z, 0, sizeof(z));
	return buf_append(out, z, sizeof(z));
}

static void
tar_field(char *dst, const unsigned char *f, size_t w)
{
	size_t n = 0;

	while (n < w && f[n] != '\0')
		n++;
	memcpy(dst, f, n);
	dst[n] = '\0';
}

int64_t
tar_next(const unsigned char *data, size_t len, size_t off, struct tar_entry *e,
    const char **err)
{
	const unsigned char *h;
	uint64_t sum, mode, size, mtime, want = 0, padded;
	char prefix[156], name[101];
	size_t i, nlen;

	memset(e, 0, sizeof(*e));
	if (off >= len)
		return 0;
	if (len - off < TAR_BLOCK) {
		*err = "truncated tar header";
		return FAB_ERROR;
	}
	h = data + off;
	for (i = 0; i < TAR_BLOCK && h[i] == 0; i++)
		;
	if (i == TAR_BLOCK)
		return 0;
	for (i = 0; i < TAR_BLOCK; i++)
		want += (i >= 148 && i < 156) ? ' ' : h[i];
	if (tar_parse_octal(h + 148, 8, &sum) == -1 || sum != want) {
		*err = "bad tar header checksum";
		return FAB_ERROR;
	}
	if (tar_parse_octal(h + 100, 8, &mode) == -1 ||
	    tar_parse_octal(h + 124, 12, &size) == -1 ||
	    tar_parse_octal(h + 136, 12, &mtime) == -1) {
		*err = "bad number in tar header";
		return FAB_ERROR;
	}
	switch (h[156]) {
	case '0':
	case '\0':
		e->type = TAR_FILE;
		break;
	case '5':
		e->type = TAR_DIR;
		break;
	case '2':
		e->type = TAR_SYMLINK;
		break;
	default:
		*err = "unsupported tar entry type";
		return FAB_ERROR;
	}
	if (e->type != TAR_FILE && size != 0) {
		*err = "tar directory or link entry with content";
		return FAB_ERROR;
	}
	if (size > TAR_MAX_ENTRY_SIZE) {
		*err = "tar entry too large";
		return FAB_ERROR;
	}
	padded = (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
	if (padded > len - off - TAR_BLOCK) {
		*err = "truncated tar entry";
		return FAB_ERROR;
	}
	tar_field(name, h, 100);
	prefix[0] = '\0';
	if (memcmp(h + 257, "ustar", 5) == 0)
		tar_field(prefix, h + 345, 155);
	if (prefix[0] != '\0')
		snprintf(e->name, sizeof(e->name), "%s/%s", prefix, name);
	else
		snprintf(e->name, sizeof(e->name), "%s", name);
	nlen = strlen(e->name);
	if (e->type == TAR_DIR && nlen > 1 && e->name[nlen - 1] == '/')
		e->name[nlen - 1] = '\0';
	tar_field(e->link, h + 157, 100);
	if (tar_check_path(e->name, err) == -1)
		return FAB_ERROR;
	if (e->type == TAR_SYMLINK &&
	    tar_check_link(e->name, e->link, err) == -1)
		return FAB_ERROR;
	e->mode = (unsigned)(mode & 07777);
	e->mtime = (int64_t)(mtime > INT64_MAX ? INT64_MAX : mtime);
	e->size = size;
	e->data = h + TAR_BLOCK;
	return (int64_t)(TAR_BLOCK + padded);
}

int
tar_gzip(const void *data, size_t len, struct buf *out)
{
	z_stream z;
	unsigned char chunk[65536];
	const unsigned char *p = data;
	int rc, flush;
	size_t left = len, take;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	do {
		take = left > (1u << 30) ? (1u << 30) : left;
		z.next_in = (unsigned char *)(uintptr_t)p;
		z.avail_in = (uInt)take;
		p += take;
		left -= take;
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		do {
			z.next_out = chunk;
			z.avail_out = sizeof(chunk);
			rc = deflate(&z, flush);
			if (rc == Z_STREAM_ERROR ||
			    buf_append(out, chunk,
				sizeof(chunk) - z.avail_out) == -1) {
				deflateEnd(&z);
				return -1;
			}
		} while (z.avail_out == 0);
	} while (flush != Z_FINISH);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

int
tar_gunzip(
    const void *data, size_t len, struct buf *out, size_t max, const char **err)
{
	z_stream z;
	unsigned char chunk[65536];
	size_t got;
	int rc;

	memset(&z, 0, sizeof(z));
	if (len > UINT_MAX) {
		*err = "compressed archive too large";
		return -1;
	}
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		*err = "out of memory";
		return -1;
	}
	z.next_in = (unsigned char *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			*err = "corrupt gzip data";
			goto fail;
		}
		got = sizeof(chunk) - z.avail_out;
		if (out->len + got > max) {
			*err = "archive too large";
			goto fail;
		}
		if (buf_append(out, chunk, got) == -1) {
			*err = "out of memory";
			goto fail;
		}
		if (rc == Z_OK && got == 0 && z.avail_in == 0) {
			*err = "truncated gzip data";
			goto fail;
		}
	} while (rc != Z_STREAM_END);
	if (z.avail_in != 0) {
		*err = "trailing data after gzip stream";
		goto fail;
	}
	inflateEnd(&z);
	return 0;
fail:
	inflateEnd(&z);
	return -1;
}

static int
tar_read_file(const char *path, struct buf *b)
{
	unsigned char chunk[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if ((uint64_t)b->len + (uint64_t)n > TAR_MAX_ENTRY_SIZE ||
		    buf_append(b, chunk, (size_t)n) == -1) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

static int
tar_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tar_add_path(struct buf *out, const char *root, const char *rel,
    const char *prefix, size_t *count, const char **err)
{
	struct tar_entry e;
	struct stat st;
	struct buf full, content;
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL, **nv, *child = NULL;
	size_t n = 0, i;
	ssize_t ln;
	int rc = -1;

	buf_init(&full);
	buf_init(&content);
	memset(&e, 0, sizeof(e));
	if (buf_printf(&full, "%s/%s", root, rel) == -1)
		goto oom;
	if (lstat(buf_cstr(&full), &st) == -1) {
		*err = "output not found";
		goto out;
	}
	if (++*count > TAR_MAX_ENTRIES) {
		*err = "too many files in the outputs";
		goto out;
	}
	if (snprintf(e.name, sizeof(e.name), "%s%s", prefix, rel) >=
	    (int)sizeof(e.name)) {
		*err = "path too long for a tar entry";
		goto out;
	}
	e.mode = (unsigned)(st.st_mode & 07777);
	e.mtime = (int64_t)st.st_mtime;
	if (S_ISREG(st.st_mode)) {
		e.type = TAR_FILE;
		if (tar_read_file(buf_cstr(&full), &content) == -1) {
			*err = "cannot read an output file";
			goto out;
		}
		e.data = content.data;
		e.size = content.len;
		rc = tar_write_entry(out, &e, err);
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		e.type = TAR_SYMLINK;
		ln = readlink(buf_cstr(&full), e.link, sizeof(e.link) - 1);
		if (ln == -1 || (size_t)ln >= sizeof(e.link) - 1) {
			*err = "cannot read a symbolic link (or target too "
			       "long)";
			goto out;
		}
		e.link[ln] = '\0';
		if (tar_check_link(rel, e.link, err) == -1)
			goto out;
		rc = tar_write_entry(out, &e, err);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		*err = "outputs may only hold files, directories and links";
		goto out;
	}
	e.type = TAR_DIR;
	if (tar_write_entry(out, &e, err) == -1)
		goto out;
	if ((d = opendir(buf_cstr(&full))) == NULL) {
		*err = "cannot read an output directory";
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((nv = realloc(names, (n + 1) * sizeof(*nv))) == NULL)
			goto oom;
		names = nv;
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(char *), tar_strcmp);
	for (i = 0; i < n; i++) {
		free(child);
		if ((child = malloc(strlen(rel) + strlen(names[i]) + 2)) ==
		    NULL)
			goto oom;
		sprintf(child, "%s/%s", rel, names[i]);
		if (tar_add_path(out, root, child, prefix, count, err) == -1)
			goto out;
	}
	rc = 0;
	goto out;
oom:
	*err = "out of memory";
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(child);
	buf_release(&full);
	buf_release(&content);
	return rc;
}

/* Makes the parents of name below dir, refusing symbolic links and
 * non-directories on the way. */
static int
tar_parents(const char *dir, const char *name, const char **err)
{
	char path[PATH_MAX];
	const char *p;
	struct stat st;
	int n;

	for (p = name; (p = strchr(p, '/')) != NULL; p++) {
		n = snprintf(
		    path, sizeof(path), "%s/%.*s", dir, (int)(p - name), name);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			*err = "path too long";
			return -1;
		}
		if (lstat(path, &st) == 0) {
			if (S_ISLNK(st.st_mode)) {
				*err = "refusing to write through a symbolic "
				       "link";
				return -1;
			}
			if (!S_ISDIR(st.st_mode)) {
				*err = "a parent of an entry is not a "
				       "directory";
				return -1;
			}
			continue;
		}
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*err = "cannot create a directory";
			return -1;
		}
	}
	return 0;
}

static int
tar_write_all(int fd, const unsigned char *p, uint64_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n > (1u << 30) ? (1u << 30) : (size_t)n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (uint64_t)w;
	}
	return 0;
}

int
tar_extract_entry(const char *dir, const struct tar_entry *e, const char **err)
{
	char path[PATH_MAX];
	struct stat st;
	struct timespec ts[2];
	int fd, n;

	if (tar_check_path(e->name, err) == -1 ||
	    (e->type == TAR_SYMLINK &&
		tar_check_link(e->name, e->link, err) == -1))
		return -1;
	if (tar_parents(dir, e->name, err) == -1)
		return -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		*err = "path too long";
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			if (e->type == TAR_DIR)
				return 0;
			*err = "an entry would replace a directory";
			return -1;
		}
		if (unlink(path) == -1) {
			*err = "cannot replace an existing file";
			return -1;
		}
	}
	switch (e->type) {
	case TAR_DIR:
		if (mkdir(path, 0700) == -1) {
			*err = "cannot create a directory";
			return -1;
		}
		return 0;
	case TAR_SYMLINK:
		if (symlink(e->link, path) == -1) {
			*err = "cannot create a symbolic link";
			return -1;
		}
		return 0;
	case TAR_FILE:
		break;
	}
	fd = open(
	    path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		*err = "cannot create a file";
		return -1;
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (tar_write_all(fd, e->data, e->size) == -1 ||
	    fchmod(fd, (mode_t)(e->mode & 0777)) == -1 ||
	    futimens(fd, ts) == -1) {
		close(fd);
		*err = "cannot write a file";
		return -1;
	}
	if (close(fd) == -1) {
		*err = "cannot write a file";
		return -1;
	}
	return 0;
}

int
tar_extract_finish(const char *dir, const struct tar_entry *e, const char **err)
{
	char path[PATH_MAX];
	struct stat st;
	struct timespec ts[2];
	int n;

	if (e->type != TAR_DIR)
		return 0;
	n = snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &st) == -1 ||
	    !S_ISDIR(st.st_mode)) {
		*err = "extracted directory vanished";
		return -1;
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)e->mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	if (chmod(path, (mode_t)(e->mode & 0777)) == -1 ||
	    utimensat(AT_FDCWD, path, ts, 0) == -1) {
		*err = "cannot set a directory's mode";
		return -1;
	}
	return 0;
}

int
tar_extract(
    const unsigned char *data, size_t len, const char *dir, const char **err)
{
	struct tar_entry e;
	size_t off, n = 0;
	int64_t r;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		for (off = 0; (r = tar_next(data, len, off, &e, err)) > 0;
		     off += (size_t)r) {
			if (pass == 0 && ++n > TAR_MAX_ENTRIES) {
				*err = "too many tar entries";
				return -1;
			}
			if (pass == 1 && tar_extract_entry(dir, &e, err) == -1)
				return -1;
			if (pass == 2 && tar_extract_finish(dir, &e, err) == -1)
				return -1;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}
