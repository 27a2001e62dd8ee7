/*
 * Unit tests for store/store: round trips (inline and streamed), metadata,
 * totals, digest checks, aborted and oversized writers, eviction under
 * LFU/LRU/TTL, expiry, integrity (altered, truncated and replaced object
 * files, verify=changed and verify=always), index rebuild, fsck and the
 * directory lock.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/sha.h"
#include "store/store.h"
#include "tap.h"

int main(void);

#define HDR 104 /* fixed object header (doc/format-object.md) */
#define BIG (STORE_INLINE_MAX + 40000)

static char top[512];
static int ndirs;

static void
payload(unsigned char *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (unsigned char)(x >> 16);
	}
}

static void
key_of(unsigned i, unsigned char *key)
{
	char name[32];

	snprintf(name, sizeof(name), "key-%u", i);
	store_key_for(STORE_NS_GRADLE, name, strlen(name), key);
}

static void
cfg_init(struct store_config *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->max_size = 1024ULL * 1024 * 1024;
	c->max_object_size = 64ULL * 1024 * 1024;
	c->policy = STORE_LFU;
	c->verify = STORE_VERIFY_CHANGED;
	c->lfu_halflife = 3600;
}

static void
new_dir(char *out, size_t len)
{
	snprintf(out, len, "%s/s%d", top, ndirs++);
}

static struct store *
open_cfg(const struct store_config *c)
{
	const char *err = NULL;
	struct store *s = store_open(c, &err);

	if (s == NULL)
		diag("store_open %s: %s", c->dir, err);
	return s;
}

static void
obj_path(const char *dir, const unsigned char *key, char *out, size_t len)
{
	char hex[SHA256_HEX_LEN + 1];

	hex_encode(hex, key, STORE_KEY_LEN);
	snprintf(out, len, "%s/objects/%.2s/%s", dir, hex, hex);
}

/* The path of key i's object file. */
static void
key_path(const char *dir, unsigned i, char *out, size_t len)
{
	unsigned char key[STORE_KEY_LEN];

	key_of(i, key);
	obj_path(dir, key, out, len);
}

static int
put(struct store *s, unsigned i, size_t n)
{
	unsigned char key[STORE_KEY_LEN], *p = malloc(n + 1);
	int rc;

	key_of(i, key);
	payload(p, n, i);
	rc = store_put_buf(s, key, STORE_NS_GRADLE, p, n, NULL, 0, NULL);
	free(p);
	return rc;
}

/* Reads key i whole.  Returns STORE_OK with *out (malloc'd, *len), a
 * store_get result, or -10 when streaming ended in store_obj_finish()
 * returning -1. */
static int
get(struct store *s, unsigned i, unsigned char **out, size_t *len,
    int *streamed)
{
	unsigned char key[STORE_KEY_LEN];
	struct store_obj o;
	uint64_t pos = 0;
	int64_t n;
	int rc;

	*out = NULL;
	*len = 0;
	key_of(i, key);
	if ((rc = store_get(s, key, &o)) != STORE_OK)
		return rc;
	*out = malloc(o.size + 1);
	*len = (size_t)o.size;
	if (streamed != NULL)
		*streamed = o.data == NULL;
	/* Odd chunk sizes, in order, as the HTTP server reads. */
	while (pos < o.size) {
		n = store_obj_read(&o, *out + pos, 7777, pos);
		if (n <= 0) {
			rc = -11;
			break;
		}
		pos += (uint64_t)n;
	}
	if (store_obj_finish(s, &o) == -1)
		rc = -10;
	store_obj_release(&o);
	return rc;
}

/* 1 when key i reads back as exactly its payload of n bytes. */
static int
get_ok(struct store *s, unsigned i, size_t n)
{
	unsigned char *got, *want = malloc(n + 1);
	size_t len;
	int rc, good;

	payload(want, n, i);
	rc = get(s, i, &got, &len, NULL);
	good = rc == STORE_OK && len == n && memcmp(got, want, n) == 0;
	if (!good)
		diag("key %u: rc %d, %zu bytes (want %zu)", i, rc, len, n);
	free(got);
	free(want);
	return good;
}

static void sleep_ms(long);

static int
count_files(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
tmp_files(const char *dir)
{
	char p[600];

	snprintf(p, sizeof(p), "%s/tmp", dir);
	return count_files(p);
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Bytes in the regular files under dir/objects/ and dir/tmp/. */
static uint64_t
disk_bytes(const char *dir)
{
	char p[600], f[900];
	struct dirent *de, *e2;
	struct stat st;
	uint64_t n = 0;
	DIR *d, *d2;

	snprintf(p, sizeof(p), "%s/tmp", dir);
	if ((d = opendir(p)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
			if (de->d_name[0] != '.' && stat(f, &st) == 0)
				n += (uint64_t)st.st_size;
		}
		closedir(d);
	}
	snprintf(p, sizeof(p), "%s/objects", dir);
	if ((d = opendir(p)) == NULL)
		return n;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
		if ((d2 = opendir(f)) == NULL)
			continue;
		while ((e2 = readdir(d2)) != NULL) {
			char g[1200];
			snprintf(g, sizeof(g), "%s/%s", f, e2->d_name);
			if (e2->d_name[0] != '.' && stat(g, &st) == 0)
				n += (uint64_t)st.st_size;
		}
		closedir(d2);
	}
	closedir(d);
	return n;
}

/* Inode of the only file in dir/tmp/, or 0. */
static ino_t
tmp_ino(const char *dir)
{
	char p[600], f[900];
	struct dirent *de;
	struct stat st;
	ino_t ino = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/tmp", dir);
	if ((d = opendir(p)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		snprintf(f, sizeof(f), "%s/%s", p, de->d_name);
		if (de->d_name[0] != '.' && stat(f, &st) == 0)
			ino = st.st_ino;
	}
	closedir(d);
	return ino;
}

static ino_t
obj_ino(const char *dir, unsigned i, off_t *size)
{
	char path[700];
	struct stat st;

	key_path(dir, i, path, sizeof(path));
	if (stat(path, &st) == -1)
		return 0;
	if (size != NULL)
		*size = st.st_size;
	return st.st_ino;
}

static struct store_stats
stats(struct store *s)
{
	struct store_stats st;

	store_get_stats(s, &st);
	return st;
}

static void
test_round_trips(void)
{
	static const size_t sizes[] = { 0, 1, 1000, 8000, STORE_INLINE_MAX,
		STORE_INLINE_MAX + 1, BIG, 1024 * 1024 + 3 };
	struct store_config c;
	char dir[600], path[700];
	unsigned char key[STORE_KEY_LEN], sha[SHA256_LEN], *got, *buf;
	struct store_writer *w;
	struct store_obj o;
	struct store *s;
	uint64_t total = 0, size;
	size_t i, len;
	int rc, streamed, ns, bad = 0;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (put(s, (unsigned)i, sizes[i]) != STORE_OK)
			bad++;
		total += HDR + sizes[i];
	}
	is_int(bad, 0, "put 8 objects from 0 B to 1 MiB");
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		streamed = -1;
		rc = get(s, (unsigned)i, &got, &len, &streamed);
		free(got);
		if (rc != STORE_OK || !get_ok(s, (unsigned)i, sizes[i]) ||
		    streamed != (sizes[i] > STORE_INLINE_MAX))
			bad++;
	}
	is_int(bad, 0,
	    "every object reads back byte-exact (inline <= "
	    "STORE_INLINE_MAX, streamed above)");
	is_int(stats(s).bytes, total, "byte total = headers + contents");
	is_int(stats(s).objects, 8, "object count");
	key_of(6, key);
	ok(store_has(s, key, &size, &ns) && size == HDR + BIG &&
		ns == STORE_NS_GRADLE,
	    "store_has gives size and namespace");
	obj_path(dir, key, path, sizeof(path));
	ok(exists(path), "object file at objects/ab/<hex>");

	/* Overwrite with a different size. */
	ok(put(s, 6, 500) == STORE_OK, "overwrite a key");
	total = total - BIG + 500;
	is_int(stats(s).bytes, total, "overwrite adjusts the byte total");
	is_int(stats(s).objects, 8, "overwrite keeps the count");
	ok(get_ok(s, 6, 500), "overwritten key reads the new content");

	/* Metadata round trip, streamed writer of unknown length. */
	key_of(100, key);
	buf = malloc(BIG);
	payload(buf, BIG, 100);
	rc = store_put_begin(
	    s, key, STORE_NS_BAZEL_CAS, -1, "meta\0data", 9, &w);
	ok(rc == STORE_OK, "begin a writer of unknown length with metadata");
	if (rc == STORE_OK) {
		for (i = 0; i < BIG; i += 10000)
			if (store_put_write(w, buf + i,
				BIG - i < 10000 ? BIG - i : 10000) != STORE_OK)
				bad++;
		sha256(buf, BIG, sha);
		rc = store_put_commit(s, w, sha);
	}
	is_int(rc, STORE_OK, "streamed put with the right digest commits");
	ok(store_get(s, key, &o) == STORE_OK && o.meta_len == 9 &&
		memcmp(o.meta, "meta\0data", 9) == 0 &&
		o.ns == STORE_NS_BAZEL_CAS && o.size == BIG,
	    "metadata, namespace and size round trip");
	store_obj_release(&o);
	is_int(tmp_files(dir), 0, "no temp files after commits");
	free(buf);
	store_close(s);
}

static void
test_writers(void)
{
	struct store_config c;
	char dir[600], path[700];
	unsigned char key[STORE_KEY_LEN], sha[SHA256_LEN], buf[4000];
	struct store_writer *w, *w2, *w3;
	struct store *s;
	uint64_t bytes;
	int rc, i;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	c.max_object_size = 100000;
	c.max_size = 300000;
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	payload(buf, sizeof(buf), 1);
	key_of(1, key);
	obj_path(dir, key, path, sizeof(path));

	memset(sha, 0x5a, sizeof(sha));
	rc = store_put_buf(
	    s, key, STORE_NS_BAZEL_CAS, buf, sizeof(buf), NULL, 0, sha);
	is_int(rc, STORE_EDIGEST, "wrong expected digest: STORE_EDIGEST");
	ok(!store_has(s, key, NULL, NULL) && !exists(path) &&
		stats(s).bytes == 0 && tmp_files(dir) == 0,
	    "a digest mismatch stores nothing and leaves no temp file");
	sha256(buf, sizeof(buf), sha);
	rc = store_put_buf(
	    s, key, STORE_NS_BAZEL_CAS, buf, sizeof(buf), NULL, 0, sha);
	ok(rc == STORE_OK && store_has(s, key, NULL, NULL),
	    "the right digest commits");
	bytes = stats(s).bytes;

	key_of(2, key);
	obj_path(dir, key, path, sizeof(path));
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 3000, NULL, 0, &w);
	ok(rc == STORE_OK && store_put_write(w, buf, 1000) == STORE_OK &&
		tmp_files(dir) == 0,
	    "an open writer of a small object collects it in memory: no "
	    "temp file yet");
	if (rc == STORE_OK)
		store_put_abort(s, w);
	ok(!store_has(s, key, NULL, NULL) && !exists(path) &&
		tmp_files(dir) == 0 && stats(s).bytes == bytes,
	    "an aborted writer leaves nothing, not even its temp file");
	/* The aborted reservation is released: a put of nearly max_size
	 * after an abort of the same size evicts nothing but what is
	 * needed. */
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 90000, NULL, 0, &w);
	if (rc == STORE_OK)
		store_put_abort(s, w);
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 90000, NULL, 0, &w);
	if (rc == STORE_OK)
		store_put_abort(s, w);
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 90000, NULL, 0, &w);
	if (rc == STORE_OK)
		store_put_abort(s, w);
	is_int(stats(s).evictions, 0, "aborted reservations are released");

	rc = store_put_begin(s, key, STORE_NS_GRADLE, 10, NULL, 0, &w);
	ok(rc == STORE_OK && store_put_write(w, buf, 6) == STORE_OK,
	    "declared 10 bytes, wrote 6");
	if (rc == STORE_OK) {
		is_int(store_put_write(w, buf, 5), STORE_ETOOBIG,
		    "writing past the declared size: STORE_ETOOBIG");
		ok(store_put_commit(s, w, NULL) != STORE_OK,
		    "and the commit fails");
	}
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 10, NULL, 0, &w);
	if (rc == STORE_OK) {
		if (store_put_write(w, buf, 9) != STORE_OK)
			diag("write 9 failed");
		ok(store_put_commit(s, w, NULL) != STORE_OK,
		    "a commit short of the declared size fails");
	}
	ok(!store_has(s, key, NULL, NULL) && !exists(path) &&
		tmp_files(dir) == 0 && stats(s).bytes == bytes,
	    "failed writers leave nothing");

	rc = store_put_begin(s, key, STORE_NS_GRADLE, 100001, NULL, 0, &w);
	is_int(rc, STORE_ETOOBIG, "declared size over max_object_size");
	rc = store_put_begin(s, key, STORE_NS_GRADLE, -1, NULL, 0, &w);
	ok(rc == STORE_OK, "writer of unknown length");
	if (rc == STORE_OK) {
		for (i = 0; i < 25; i++)
			if ((rc = store_put_write(w, buf, 4000)) != STORE_OK)
				break;
		is_int(rc, STORE_OK, "100000 bytes of unknown length accepted");
		is_int(store_put_write(w, buf, 1), STORE_ETOOBIG,
		    "byte 100001 of unknown length: STORE_ETOOBIG at once");
		is_int(store_put_commit(s, w, NULL), STORE_ETOOBIG,
		    "its commit reports STORE_ETOOBIG");
	}
	ok(!store_has(s, key, NULL, NULL) && tmp_files(dir) == 0,
	    "nothing left of the oversized upload");
	rc = store_put_begin(
	    s, key, STORE_NS_GRADLE, 0, NULL, STORE_META_MAX + 1, &w);
	is_int(rc, STORE_ETOOBIG, "metadata over STORE_META_MAX");

	/* The hard limit counts open writers. */
	c.max_size = 200000;
	store_reconfigure(s, &c);
	rc = store_put_begin(s, key, STORE_NS_GRADLE, 95000, NULL, 0, &w);
	key_of(3, key);
	if (rc == STORE_OK)
		rc = store_put_begin(
		    s, key, STORE_NS_GRADLE, 95000, NULL, 0, &w2);
	ok(rc == STORE_OK, "two writers of 95000 fit in 200000");
	if (rc == STORE_OK) {
		key_of(4, key);
		is_int(store_put_begin(
			   s, key, STORE_NS_GRADLE, 95000, NULL, 0, &w3),
		    STORE_ENOSPC,
		    "a third does not (the first object is evicted, still "
		    "no room): STORE_ENOSPC");
		store_put_abort(s, w);
		store_put_abort(s, w2);
	}
	c.max_size = 150000;
	store_reconfigure(s, &c);
	store_close(s);
	if ((s = open_cfg(&c)) == NULL)
		return;
	key_of(5, key);
	rc = store_put_begin(s, key, STORE_NS_GRADLE, -1, NULL, 0, &w);
	key_of(6, key);
	if (rc == STORE_OK)
		rc = store_put_begin(s, key, STORE_NS_GRADLE, -1, NULL, 0, &w2);
	if (rc == STORE_OK) {
		int r1 = 0, r2 = 0;

		for (i = 0; i < 25 && r1 == 0 && r2 == 0; i++) {
			r1 = store_put_write(w, buf, 4000);
			r2 = store_put_write(w2, buf, 4000);
		}
		ok(r1 == STORE_ENOSPC || r2 == STORE_ENOSPC,
		    "two uploads of unknown length cannot pass max_size "
		    "together (%d %d after %d rounds)",
		    r1, r2, i);
		store_put_abort(s, w);
		store_put_abort(s, w2);
	} else {
		ok(0, "two writers of unknown length");
	}
	ok(stats(s).bytes <= c.max_size && tmp_files(dir) == 0,
	    "total within max_size, no temp files");

	/* Unknown length under a small max_size (max_object_size is
	 * larger than the whole store): small uploads still fit. */
	c.max_object_size = 64ULL * 1024 * 1024;
	store_reconfigure(s, &c);
	key_of(8, key);
	rc = store_put_begin(s, key, STORE_NS_GRADLE, -1, NULL, 0, &w);
	for (i = 0; rc == STORE_OK && i < 30; i++)
		rc = store_put_write(w, buf, 4000);
	if (rc == STORE_OK)
		rc = store_put_commit(s, w, NULL);
	else if (w != NULL)
		store_put_abort(s, w);
	is_int(rc, STORE_OK,
	    "120000 bytes of unknown length into a 150000-byte store");
	ok(stats(s).bytes <= c.max_size, "and the total stays within it");

	c.min_free = (uint64_t)1 << 62;
	store_reconfigure(s, &c);
	key_of(7, key);
	is_int(store_put_buf(s, key, STORE_NS_GRADLE, buf, 100, NULL, 0, NULL),
	    STORE_ENOSPC, "below min_free: STORE_ENOSPC");
	store_close(s);
}

/* Replaced and evicted files of small objects become spares that later
 * uploads write over; a file someone reads never does. */
static void
test_spares(void)
{
	struct store_config c;
	struct store_obj o;
	struct store *s;
	unsigned char key[STORE_KEY_LEN], *p, *old, *back;
	char dir[600];
	ino_t ino;
	off_t size = 0;
	unsigned i;
	int rc, fit;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	p = malloc(100000);
	old = malloc(100000);
	back = malloc(100000);
	/* An overwrite with other bytes keeps the old file as a spare. */
	ok(put(s, 1, 100000) == STORE_OK, "put 100000 bytes");
	ino = obj_ino(dir, 1, NULL);
	key_of(1, key);
	payload(p, 100000, 1001);
	rc = store_put_buf(s, key, STORE_NS_GRADLE, p, 100000, NULL, 0, NULL);
	ok(rc == STORE_OK && tmp_files(dir) == 1 && tmp_ino(dir) == ino,
	    "an overwrite with other bytes swaps the files; the old one is "
	    "kept in tmp/ as a spare");
	{
		unsigned char *got;
		size_t len;
		rc = get(s, 1, &got, &len, NULL);
		ok(rc == STORE_OK && len == 100000 &&
			memcmp(got, p, 100000) == 0,
		    "the key reads back as the new bytes");
		free(got);
	}
	/* A new key is written over the spare, cut to its own size. */
	ok(put(s, 2, 10) == STORE_OK && tmp_files(dir) == 0 &&
		obj_ino(dir, 2, &size) == ino && size < 4096,
	    "the next upload reuses the spare's inode and cuts it to size "
	    "(%lld bytes)",
	    (long long)size);
	ok(get_ok(s, 2, 10),
	    "the small object in the reused file reads "
	    "back byte-exact");

	/* A file being read is never reused: overwrite and delete keys
	 * while their old files are open. */
	ok(put(s, 3, 50000) == STORE_OK, "put key 3");
	key_of(3, key);
	rc = store_get(s, key, &o);
	ino = obj_ino(dir, 3, NULL);
	payload(p, 50000, 3003);
	ok(rc == STORE_OK &&
		store_put_buf(s, key, STORE_NS_GRADLE, p, 50000, NULL, 0,
		    NULL) == STORE_OK &&
		tmp_files(dir) == 0,
	    "an object replaced while open for reading is not kept as a "
	    "spare");
	for (i = 10; i < 20; i++)
		(void)put(s, i, 40000 + i);
	fit = 1;
	for (i = 10; i < 20; i++)
		if (obj_ino(dir, i, NULL) == ino)
			fit = 0;
	payload(old, 50000, 3);
	ok(fit && rc == STORE_OK &&
		pread(o.fd, back, 50000, (off_t)o.off) == 50000 &&
		memcmp(back, old, 50000) == 0,
	    "the reader's file keeps its bytes through later uploads");
	store_obj_release(&o);

	key_of(10, key);
	rc = store_get(s, key, &o);
	ok(rc == STORE_OK && store_del(s, key) == STORE_OK &&
		tmp_files(dir) == 0,
	    "a deleted object that is being read is unlinked, not kept");
	store_obj_release(&o);
	key_of(11, key);
	ino = obj_ino(dir, 11, NULL);
	ok(store_del(s, key) == STORE_OK && tmp_files(dir) == 1 &&
		tmp_ino(dir) == ino,
	    "a deleted object nobody reads becomes a spare");

	/* The same bytes again: nothing is written, the file stays. */
	ino = obj_ino(dir, 12, NULL);
	ok(put(s, 12, 40012) == STORE_OK && obj_ino(dir, 12, NULL) == ino &&
		tmp_files(dir) == 1,
	    "an upload of the same bytes keeps the committed file and makes "
	    "no temp file");

	/* The pool is bounded. */
	for (i = 100; i < 150; i++)
		(void)put(s, i, 1000);
	fit = 1;
	for (i = 100; i < 150; i++) {
		key_of(i, key);
		payload(p, 2000, i + 7);
		if (store_put_buf(s, key, STORE_NS_GRADLE, p, 2000, NULL, 0,
			NULL) != STORE_OK)
			fit = 0;
	}
	ok(fit, "50 overwrites with other bytes commit");
	ok(tmp_files(dir) <= 32, "at most 32 spares are kept (%d)",
	    tmp_files(dir));
	fit = 1;
	for (i = 100; i < 150; i++) {
		unsigned char *got;
		size_t len;
		payload(p, 2000, i + 7);
		if (get(s, i, &got, &len, NULL) != STORE_OK || len != 2000 ||
		    memcmp(got, p, 2000) != 0)
			fit = 0;
		free(got);
	}
	ok(fit, "50 overwrites through spares all read back byte-exact");

	/* A file whose content went out through its descriptor (as
	 * sendfile does: by reference to its pages) is never written over,
	 * even after the reader is done. */
	ok(put(s, 20, 30000) == STORE_OK, "put key 20");
	sleep_ms(1100); /* old enough for a verification to be recorded */
	ok(get_ok(s, 20, 30000), "a first read verifies key 20");
	key_of(20, key);
	rc = store_get(s, key, &o);
	ok(rc == STORE_OK && o.data == NULL && o.verified,
	    "a verified object is handed out by descriptor");
	store_obj_release(&o);
	fit = tmp_files(dir);
	payload(p, 30000, 2020);
	ok(store_put_buf(s, key, STORE_NS_GRADLE, p, 30000, NULL, 0, NULL) ==
		    STORE_OK &&
		tmp_files(dir) == fit,
	    "a file once read through its descriptor is not kept as a spare "
	    "when replaced");

	/* A restart sweeps the spares; objects stay. */
	store_close(s);
	s = open_cfg(&c);
	ok(s != NULL && tmp_files(dir) == 0 && get_ok(s, 2, 10) &&
		get_ok(s, 12, 40012),
	    "reopening sweeps the spares and keeps every object");
	/* Files written before this open are never reused: a previous
	 * process may have sent them. */
	key_of(12, key);
	payload(p, 40012, 1212);
	ok(s != NULL &&
		store_put_buf(s, key, STORE_NS_GRADLE, p, 40012, NULL, 0,
		    NULL) == STORE_OK &&
		tmp_files(dir) == 0,
	    "a file from before the open is not kept as a spare");
	ok(s != NULL &&
		store_put_buf(s, key, STORE_NS_GRADLE, p + 1, 40011, NULL, 0,
		    NULL) == STORE_OK &&
		tmp_files(dir) == 1,
	    "the file this open wrote is");
	store_close(s);

	/* Spares count under max_size: overwrites and new keys in a small
	 * store never hold more on disk than max_size. */
	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	c.max_size = 600000;
	c.max_object_size = 200000;
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		goto out;
	}
	fit = 1;
	for (i = 0; i < 200; i++) {
		key_of(i % 12, key);
		payload(p, 60000 + i, i);
		if (store_put_buf(s, key, STORE_NS_GRADLE, p, 60000 + i, NULL,
			0, NULL) != STORE_OK)
			fit = 0;
		(void)store_maintain(s, 8);
		if (disk_bytes(dir) > c.max_size)
			fit = 0;
	}
	ok(fit,
	    "objects and spares stay under max_size through 200 "
	    "uploads (%llu bytes on disk at the end)",
	    (unsigned long long)disk_bytes(dir));
	store_close(s);
out:
	free(p);
	free(old);
	free(back);
}

static const char *const pol_names[] = { "LFU", "LRU", "TTL" };

static void
test_eviction(enum store_policy pol)
{
	struct store_config c;
	char dir[600];
	unsigned char key[STORE_KEY_LEN];
	struct index_rec *r;
	struct store *s;
	int64_t now = clock_wall();
	unsigned i, over = 0, bad = 0, kept = 0;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	c.policy = pol;
	c.max_size = 200 * 1024;
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (i = 0; i < 20; i++) {
		if (put(s, i, 5000) != STORE_OK)
			bad++;
		/* Ages: object i was created and read 1000 - 10 i seconds
		 * ago; objects 0-4 were read often. */
		key_of(i, key);
		r = index_find(store_index(s), key);
		r->created = (uint32_t)(now - 2000 + (int64_t)i * 10);
		r->atime = (uint32_t)(now - 1000 + (int64_t)i * 10);
		r->count = i < 5 ? 50 : 1;
	}
	for (i = 100; i < 300; i++) {
		if (put(s, i, 5000 + i * 13) != STORE_OK)
			bad++;
		if (stats(s).bytes > c.max_size)
			over++;
	}
	is_int(bad, 0, "220 puts of ~5-9 KiB into 200 KiB succeed");
	is_int(over, 0, "total never above max_size");
	ok(stats(s).evictions > 150, "%s evicted %llu objects", pol_names[pol],
	    (unsigned long long)stats(s).evictions);
	for (i = 200; i < 300; i++)
		if (store_has(s, (key_of(i, key), key), NULL, NULL))
			kept++;
	ok(kept > 0, "recent objects are kept");
	if (pol == STORE_LFU) {
		for (i = 0, kept = 0; i < 5; i++)
			kept += get_ok(s, i, 5000);
		is_int(kept, 5, "LFU keeps the 5 hot objects over 200 cold");
	} else {
		for (i = 0, kept = 0; i < 20; i++)
			kept += store_has(s, (key_of(i, key), key), NULL, NULL);
		is_int(kept, 0, "the 20 oldest objects went first");
	}
	/* Maintenance evicts down to the low-water mark. */
	for (i = 0; i < 100 && store_maintain(s, 4) == 1; i++)
		;
	ok(store_maintain(s, 4) == 0 && stats(s).bytes <= c.max_size / 100 * 90,
	    "store_maintain reaches the low-water mark (%llu bytes)",
	    (unsigned long long)stats(s).bytes);
	store_evict_to(s, 50000, pol);
	ok(stats(s).bytes <= 50000, "store_evict_to reaches its target");
	is_int(
	    store_clear(s) > 0 && stats(s).bytes == 0 && stats(s).objects == 0,
	    1, "store_clear empties the store");
	store_close(s);
}

static void
test_ttl(void)
{
	struct store_config c;
	char dir[600], path[700];
	unsigned char key[STORE_KEY_LEN], *got;
	struct index_rec *r;
	struct store *s;
	int64_t now = clock_wall();
	size_t len;
	unsigned i;
	int bad = 0;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	c.ttl = 100;
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (i = 0; i < 10; i++) {
		if (put(s, i, 300) != STORE_OK)
			bad++;
		if (i < 5) {
			key_of(i, key);
			r = index_find(store_index(s), key);
			r->created = (uint32_t)(now - 1000);
			r->atime = (uint32_t)(now - 101);
		}
	}
	key_of(0, key);
	obj_path(dir, key, path, sizeof(path));
	is_int(get(s, 0, &got, &len, NULL), STORE_MISS,
	    "a record unused for more than ttl reads as a miss");
	free(got);
	ok(!exists(path) && stats(s).expired == 1, "and is removed, counted");
	key_of(1, key);
	ok(!store_has(s, key, NULL, NULL), "store_has expires too");
	for (i = 0; i < 10 && store_maintain(s, 1024) != 0; i++)
		;
	is_int(stats(s).expired, 5, "maintenance sweeps the other expired");
	is_int(stats(s).objects, 5, "five fresh objects remain");
	for (i = 5; i < 10; i++)
		bad += !get_ok(s, i, 300);
	is_int(bad, 0, "fresh objects still read");
	store_close(s);
}

/* Flips one byte of key i's object file in place (file offset). */
static int
flip_file(const char *dir, unsigned i, uint64_t off)
{
	unsigned char b;
	char path[700];
	int fd, rc = -1;

	key_path(dir, i, path, sizeof(path));
	if ((fd = open(path, O_RDWR)) == -1)
		return -1;
	if (pread(fd, &b, 1, (off_t)off) == 1) {
		b ^= 0x20;
		if (pwrite(fd, &b, 1, (off_t)off) == 1)
			rc = 0;
	}
	close(fd);
	return rc;
}

/* Flips content byte off of key i. */
static int
flip(const char *dir, unsigned i, uint64_t off)
{
	return flip_file(dir, i, HDR + off);
}

static int
shorten(const char *dir, unsigned i)
{
	char path[700];
	struct stat st;

	key_path(dir, i, path, sizeof(path));
	if (stat(path, &st) == -1)
		return -1;
	return truncate(path, st.st_size - 1);
}

/* Replaces key i's header with key j's (a valid header, wrong file). */
static int
swap_header(const char *dir, unsigned i, unsigned j)
{
	unsigned char key[STORE_KEY_LEN], hdr[HDR];
	char path[700];
	int fd, rc = -1;

	key_of(j, key);
	obj_path(dir, key, path, sizeof(path));
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	if (pread(fd, hdr, HDR, 0) != HDR) {
		close(fd);
		return -1;
	}
	close(fd);
	key_path(dir, i, path, sizeof(path));
	if ((fd = open(path, O_RDWR)) == -1)
		return -1;
	if (pwrite(fd, hdr, HDR, 0) == HDR)
		rc = 0;
	close(fd);
	return rc;
}

/* Key i must now be corrupt: the read fails as expected for its size,
 * the object is gone and exactly one integrity drop was counted. */
static void
expect_dropped(struct store *s, const char *dir, unsigned i, size_t n,
    int want_rc, const char *what)
{
	unsigned char key[STORE_KEY_LEN], *got;
	char path[700];
	uint64_t drops = stats(s).integrity_drops;
	size_t len;
	int rc;

	rc = get(s, i, &got, &len, NULL);
	free(got);
	key_path(dir, i, path, sizeof(path));
	ok(rc == want_rc && !store_has(s, key, NULL, NULL) && !exists(path) &&
		stats(s).integrity_drops == drops + 1,
	    "%s, %s object: %s, dropped, counted (rc %d)", what,
	    n > STORE_INLINE_MAX ? "streamed" : "inline",
	    want_rc == STORE_MISS ? "miss" : "finish -1", rc);
	/* A second read is a plain miss. */
	rc = get(s, i, &got, &len, NULL);
	free(got);
	is_int(rc, STORE_MISS, "  and the next read is a miss");
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

static void
test_integrity(void)
{
	static const size_t sizes[2] = { 1000, BIG };
	struct store_config c;
	char dir[600], path[700];
	unsigned char key[STORE_KEY_LEN], *got;
	struct index_rec *r;
	struct store *s;
	struct stat st;
	size_t len, n;
	unsigned base, k;
	int t, rc;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (t = 0; t < 2; t++) {
		n = sizes[t];
		base = 10 * (unsigned)t;
		for (k = 0; k < 6; k++)
			if (put(s, base + k, n) != STORE_OK)
				diag("put failed");
		/* Altered right after the write (verify=changed). */
		ok(flip(dir, base, n / 2) == 0, "flip a content byte");
		expect_dropped(s, dir, base, n,
		    n > STORE_INLINE_MAX ? -10 : STORE_MISS,
		    "byte flipped just after the write");
		ok(shorten(dir, base + 1) == 0, "truncate an object file");
		expect_dropped(s, dir, base + 1, n, STORE_MISS, "truncated");
		ok(swap_header(dir, base + 2, base + 3) == 0,
		    "replace a header by another object's");
		expect_dropped(
		    s, dir, base + 2, n, STORE_MISS, "header swapped");
		ok(flip_file(dir, base + 4, 3) == 0, "flip a header byte");
		expect_dropped(
		    s, dir, base + 4, n, STORE_MISS, "header damaged");
		ok(get_ok(s, base + 3, n) && get_ok(s, base + 5, n),
		    "untouched objects still read");
	}

	/* verify=changed: once verified with a settled ctime, an unchanged
	 * file is trusted; an edit in place changes the ctime and is
	 * caught. */
	for (t = 0; t < 2; t++)
		if (put(s, 30 + (unsigned)t, sizes[t]) != STORE_OK)
			diag("put failed");
	sleep_ms(1100);
	for (t = 0; t < 2; t++) {
		ok(get_ok(s, 30 + (unsigned)t, sizes[t]),
		    "read once more than a second after the write");
		key_of(30 + (unsigned)t, key);
		r = index_find(store_index(s), key);
		ok(r != NULL && r->vino != 0 && r->vctime != 0,
		    "the verification is recorded (inode and ctime)");
		ok(flip(dir, 30 + (unsigned)t, sizes[t] - 1) == 0,
		    "edit the verified file in place");
		expect_dropped(s, dir, 30 + (unsigned)t, sizes[t],
		    sizes[t] > STORE_INLINE_MAX ? -10 : STORE_MISS,
		    "verify=changed, ctime changed");
	}

	/* verify=always hashes on every read: forge a record saying the
	 * altered file was verified. */
	for (t = 0; t < 2; t++) {
		k = 40 + (unsigned)t;
		if (put(s, k, sizes[t]) != STORE_OK)
			diag("put failed");
		ok(flip(dir, k, 7) == 0, "flip a byte");
		key_of(k, key);
		obj_path(dir, key, path, sizeof(path));
		r = index_find(store_index(s), key);
		if (r != NULL && stat(path, &st) == 0) {
			r->vino = (uint64_t)st.st_ino;
			r->vctime =
			    (uint64_t)st.st_ctim.tv_sec * 1000000000ULL +
			    (uint64_t)st.st_ctim.tv_nsec;
		}
		c.verify = STORE_VERIFY_ALWAYS;
		store_reconfigure(s, &c);
		expect_dropped(s, dir, k, sizes[t],
		    sizes[t] > STORE_INLINE_MAX ? -10 : STORE_MISS,
		    "verify=always, forged verification record");
		c.verify = STORE_VERIFY_CHANGED;
		store_reconfigure(s, &c);
	}
	/* Control for the forgery: verify=changed trusts such a record
	 * (that is what "changed" means), so the test above is real. */
	k = 42;
	if (put(s, k, 1000) != STORE_OK || flip(dir, k, 7) != 0)
		diag("control setup failed");
	key_of(k, key);
	obj_path(dir, key, path, sizeof(path));
	r = index_find(store_index(s), key);
	if (r != NULL && stat(path, &st) == 0) {
		r->vino = (uint64_t)st.st_ino;
		r->vctime = (uint64_t)st.st_ctim.tv_sec * 1000000000ULL +
		    (uint64_t)st.st_ctim.tv_nsec;
	}
	rc = get(s, k, &got, &len, NULL);
	free(got);
	ok(rc == STORE_OK, "control: verify=changed trusts a matching record");

	/* A file deleted behind the store's back is a miss. */
	if (put(s, 50, 10) != STORE_OK)
		diag("put failed");
	key_of(50, key);
	obj_path(dir, key, path, sizeof(path));
	unlink(path);
	rc = get(s, 50, &got, &len, NULL);
	free(got);
	ok(rc == STORE_MISS && !store_has(s, key, NULL, NULL),
	    "a file deleted by hand is a miss and its record goes");
	is_int(tmp_files(dir), 0, "no temp files");
	store_close(s);
}

static int
write_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int rc;

	if (fd == -1)
		return -1;
	rc = write(fd, p, n) == (ssize_t)n ? 0 : -1;
	close(fd);
	return rc;
}

static int
copy_file(const char *from, const char *to)
{
	unsigned char buf[65536];
	ssize_t n;
	int fd = open(from, O_RDONLY);
	int rc = -1;

	if (fd == -1)
		return -1;
	n = read(fd, buf, sizeof(buf));
	if (n > 0)
		rc = write_file(to, buf, (size_t)n);
	close(fd);
	return rc;
}

#define NREB 40

static size_t
reb_size(unsigned i)
{
	return i % 5 == 0 ? BIG + i : 100 + i * 997;
}

static int
reb_ns(unsigned i)
{
	return 1 + (int)(i % (STORE_NS_COUNT - 1));
}

/* Every rebuild object is present with its size and namespace, reads
 * back byte-exact, and the byte total agrees. */
static int
all_there(struct store *s, unsigned n)
{
	unsigned char key[STORE_KEY_LEN];
	uint64_t size, total = 0;
	unsigned i;
	int ns, bad = 0;

	for (i = 0; i < n; i++) {
		key_of(i, key);
		if (!store_has(s, key, &size, &ns) ||
		    size != HDR + reb_size(i) || ns != reb_ns(i)) {
			diag("object %u: wrong record", i);
			bad++;
		}
		total += HDR + reb_size(i);
		bad += !get_ok(s, i, reb_size(i));
	}
	if (stats(s).bytes != total || stats(s).objects != n) {
		diag("total %llu objects %llu",
		    (unsigned long long)stats(s).bytes,
		    (unsigned long long)stats(s).objects);
		bad++;
	}
	return bad == 0;
}

static int
reb_put(struct store *s, unsigned i)
{
	unsigned char key[STORE_KEY_LEN], *p;
	size_t n = reb_size(i);
	int rc;

	p = malloc(n);
	payload(p, n, i);
	key_of(i, key);
	rc = store_put_buf(s, key, reb_ns(i), p, n, NULL, 0, NULL);
	free(p);
	return rc;
}

static void
test_rebuild(void)
{
	struct store_config c;
	char dir[600], path[700], junk[5][800], hex[SHA256_HEX_LEN + 1];
	unsigned char key[STORE_KEY_LEN], other[STORE_KEY_LEN];
	struct store_fsck f;
	struct store *s;
	pid_t pid;
	unsigned i;
	int bad = 0, status;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (i = 0; i < NREB; i++)
		bad += reb_put(s, i) != STORE_OK;
	is_int(bad, 0, "40 objects in 13 namespaces");
	store_close(s);

	s = open_cfg(&c);
	ok(s != NULL && stats(s).rebuilds == 0,
	    "a cleanly closed store reopens without a rebuild");
	ok(s != NULL && all_there(s, NREB), "everything there after reopen");
	store_close(s);

	snprintf(path, sizeof(path), "%s/index", dir);
	unlink(path);
	s = open_cfg(&c);
	ok(s != NULL && stats(s).rebuilds == 1 &&
		stats(s).rebuild_objects == NREB,
	    "index deleted: rebuilt from 40 objects");
	ok(s != NULL && all_there(s, NREB),
	    "every object found with its size and namespace");
	store_close(s);

	/* Dirty: a process adds objects and dies without store_close(). */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		const char *err;
		struct store *cs = store_open(&c, &err);

		if (cs == NULL)
			_exit(2);
		for (i = NREB; i < NREB + 10; i++)
			if (reb_put(cs, i) != STORE_OK)
				_exit(3);
		_exit(0);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0,
	    "a child puts 10 objects and exits without store_close");

	/* Junk the rebuild must remove. */
	snprintf(junk[0], sizeof(junk[0]), "%s/objects/ab", dir);
	mkdir(junk[0], 0755);
	snprintf(junk[0], sizeof(junk[0]), "%s/objects/ab/notes.txt", dir);
	bad = write_file(junk[0], "junk", 4);
	memset(other, 0xab, sizeof(other));
	hex_encode(hex, other, STORE_KEY_LEN);
	snprintf(junk[1], sizeof(junk[1]), "%s/objects/ab/%s", dir, hex);
	bad |= write_file(junk[1], "not an object at all", 20);
	key_of(1, key);
	obj_path(dir, key, path, sizeof(path));
	hex_encode(hex, key, STORE_KEY_LEN);
	snprintf(junk[2], sizeof(junk[2]), "%s/objects/%s/%s", dir,
	    hex[0] == 'a' && hex[1] == 'b' ? "cd" : "ab", hex);
	if (hex[0] != 'a' || hex[1] != 'b') {
		snprintf(junk[3], sizeof(junk[3]), "%s/objects/cd", dir);
		mkdir(junk[3], 0755);
	}
	bad |= copy_file(path, junk[2]); /* a valid object, wrong directory */
	snprintf(junk[3], sizeof(junk[3]), "%s/objects/stray", dir);
	bad |= write_file(junk[3], "x", 1);
	snprintf(junk[4], sizeof(junk[4]), "%s/tmp/12345-1", dir);
	bad |= write_file(junk[4], "half an upload", 14);
	ok(bad == 0, "junk planted in objects/ and tmp/");

	s = open_cfg(&c);
	ok(s != NULL && stats(s).rebuilds == 1 &&
		stats(s).rebuild_objects == NREB + 10,
	    "an index not closed cleanly is rebuilt (%llu objects)",
	    s != NULL ? (unsigned long long)stats(s).rebuild_objects : 0ULL);
	if (s == NULL)
		return;
	ok(all_there(s, NREB + 10),
	    "the dead process's objects are all there too");
	for (i = 0, bad = 0; i < 5; i++)
		if (exists(junk[i])) {
			diag("still there: %s", junk[i]);
			bad++;
		}
	is_int(bad, 0,
	    "junk, damaged, misplaced, stray and temp files are removed");
	ok(get_ok(s, 1, reb_size(1)),
	    "the original of the misplaced copy "
	    "still reads");
	ok(store_fsck(s, &f, 1) == 0 && f.files == NREB + 10 &&
		f.records == NREB + 10,
	    "fsck after the rebuild: consistent");
	store_close(s);
}

static void
test_fsck(void)
{
	struct store_config c;
	char dir[600], path[700];
	unsigned char key[STORE_KEY_LEN];
	struct store_fsck f;
	struct store *s;
	unsigned i;
	int rc;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	for (i = 0; i < 10; i++)
		if (put(s, i, i == 9 ? BIG : 2000) != STORE_OK)
			diag("put failed");
	rc = store_fsck(s, &f, 1);
	ok(rc == 0 && f.files == 10 && f.records == 10 && f.orphans == 0 &&
		f.missing == 0 && f.corrupt == 0,
	    "fsck of a healthy store: 10 files, 10 records, nothing wrong");

	key_of(3, key);
	index_remove(store_index(s), key);
	rc = store_fsck(s, &f, 0);
	ok(rc == -1 && f.orphans == 1 && f.missing == 0 && f.corrupt == 0 &&
		f.files == 10 && f.records == 9,
	    "a file without a record is an orphan");

	key_of(4, key);
	obj_path(dir, key, path, sizeof(path));
	unlink(path);
	rc = store_fsck(s, &f, 0);
	ok(rc == -1 && f.orphans == 1 && f.missing == 1 && f.corrupt == 0,
	    "a record without a file is missing");

	ok(flip(dir, 5, 1000) == 0 && flip(dir, 9, BIG - 1) == 0,
	    "flip a byte in an inline and a streamed object");
	rc = store_fsck(s, &f, 0);
	is_int(f.corrupt, 0, "without --content corruption is not seen");
	rc = store_fsck(s, &f, 1);
	ok(rc == -1 && f.corrupt == 2 && f.orphans == 1 && f.missing == 1,
	    "with content verification both are corrupt");
	key_of(5, key);
	obj_path(dir, key, path, sizeof(path));
	ok(exists(path), "fsck only reports: the file is still there");
	ok(shorten(dir, 6) == 0, "truncate another");
	rc = store_fsck(s, &f, 0);
	is_int(f.missing, 2, "a file whose size disagrees counts as missing");
	store_close(s);
}

static void
test_lock(void)
{
	struct store_config c;
	char dir[600];
	struct store *s, *s2;
	const char *err;
	pid_t pid;
	int status;

	new_dir(dir, sizeof(dir));
	cfg_init(&c, dir);
	if ((s = open_cfg(&c)) == NULL) {
		ok(0, "open store");
		return;
	}
	s2 = store_open(&c, &err);
	ok(s2 == NULL, "a second store_open on the same directory fails");
	if (s2 != NULL)
		store_close(s2);
	else
		diag("(%s)", err);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(store_open(&c, &err) == NULL ? 0 : 1);
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		WEXITSTATUS(status) == 0,
	    "another process cannot open it either (the lock survived the "
	    "failed attempt)");
	ok(put(s, 1, 10) == STORE_OK, "the first store still works");
	store_close(s);
	s = open_cfg(&c);
	ok(s != NULL, "after store_close it opens again");
	if (s != NULL)
		store_close(s);
}

int
main(void)
{
	char cmd[700];
	int i;

	snprintf(top, sizeof(top), "%s/trash.unit-store.XXXXXX", tap_tdir());
	if (mkdtemp(top) == NULL) {
		ok(0, "mkdtemp %s", top);
		return done_testing();
	}
	test_round_trips();
	test_writers();
	test_spares();
	for (i = 0; i < 3; i++)
		test_eviction((enum store_policy)i);
	test_ttl();
	test_integrity();
	test_rebuild();
	test_fsck();
	test_lock();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("cannot remove %s", top);
	return done_testing();
}
