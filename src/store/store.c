/*
 * The flat-file content-addressed store.  Untrusted input: object files on
 * disk (they may be truncated, altered or foreign) and object sizes given
 * by clients.  Guarantees: an object is visible only after its header and
 * content are complete (temp file + rename); a read returns content whose
 * SHA-256 equals the one recorded at write time or is a miss; the total
 * on disk stays under max_size (writes that cannot fit are refused).
 *
 * Object file (doc/format-object.md), little-endian:
 *   0 magic "FABOBJ01" | 8 u32 header length | 12 u16 version | 14 u8 ns
 *   15 u8 flags | 16 u64 content size | 24 u64 created | 32 key[32]
 *   64 sha256[32] | 96 u32 meta length | 100 u32 crc32(0..100 + meta)
 *   104 meta ... | content
 *
 * File churn: an upload that replaces an object swaps the two files in
 * one step (rename with exchange where the system has it, else a plain
 * rename over the old one), and replaced or evicted files of small
 * objects are kept in tmp/ as spares that later uploads write over,
 * instead of making a new inode for each upload.  Only "clean" files are
 * kept: written by this process, never read through their descriptor
 * (sendfile(2) puts page-cache pages into socket buffers by reference, so
 * the bytes of a file that was sent may still be on their way after the
 * response; writing over them would change what the client receives),
 * and not open for reading now.
 */
#ifdef __linux__
#define _GNU_SOURCE /* syscall() for renameat2 */
#include <sys/syscall.h>
#endif
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "store/store.h"

#define STORE_MAGIC "FABOBJ01"
#define STORE_HDR_FIXED 104
#define STORE_PATH_MAX 4096
/* Writes stop at max_size; maintenance evicts down to this share. */
#define STORE_LOW_WATER_PCT 90
#define STORE_SAMPLES 16
/* An unknown-length upload reserves space in steps of this size. */
#define STORE_RESERVE_STEP (1024 * 1024)
/* A file's ctime is trusted as proof of "unchanged since verified" only
 * when it was at least this old at verification time: file systems stamp
 * ctime from a coarse clock (a jiffy, or a whole second on some), so an
 * edit made in the same tick as the verification could keep the ctime
 * (the "racy git" problem). */
#ifndef STORE_RACY_NS
#define STORE_RACY_NS 1000000000ULL
#endif
/* Spare files: how many are kept, and the largest file kept. */
#ifndef STORE_SPARES
#define STORE_SPARES 32
#endif
#define STORE_SPARE_MAX (STORE_WBUF_MAX + STORE_HDR_FIXED + STORE_META_MAX)
/* Writes into a spare cover whole pages, so no old block is read back. */
#define STORE_PAGE 4096
#define STORE_PAGE_UP(n) (((n) + STORE_PAGE - 1) & ~(size_t)(STORE_PAGE - 1))

static const char *const store_ns_names[STORE_NS_COUNT] = {
	[STORE_NS_NONE] = "none",
	[STORE_NS_GRADLE] = "gradle",
	[STORE_NS_BAZEL_AC] = "bazel-ac",
	[STORE_NS_BAZEL_CAS] = "bazel-cas",
	[STORE_NS_NX] = "nx",
	[STORE_NS_TURBO] = "turbo",
	[STORE_NS_CCACHE] = "ccache",
	[STORE_NS_NIX] = "nix",
	[STORE_NS_S3] = "s3",
	[STORE_NS_OCI] = "oci",
	[STORE_NS_SCRIPT] = "script",
	[STORE_NS_RECIPE] = "recipe",
	[STORE_NS_FABRIK] = "fabrik",
	[STORE_NS_SCCACHE] = "sccache",
};

struct store {
	/* Objects eviction must keep (pending uploads): pin(arg, key). */
	int (*pin)(void *arg, const unsigned char *key);
	void *pin_arg;
	struct store_config cfg;
	char *dir;
	int lockfd;
	struct index *ix;
	struct store_stats st;
	uint64_t inflight; /* bytes reserved by open writers */
	uint64_t tmpseq;
	uint64_t rng;
	uint64_t ttl_cursor;
	dev_t lock_dev; /* identity of the lock file */
	ino_t lock_ino;
	struct store *next_open; /* stores this process holds open */
	uint64_t vfs_free; /* free bytes at the last statvfs */
	uint64_t vfs_at; /* when (monotonic ms); 0 = never */
	uint64_t vfs_spent; /* promised to writers since */
	int objfd; /* objects/, for openat/renameat relative to it */
	int tmpfd; /* tmp/ */
	long pid; /* for temp file names (getpid() is a system call) */
	int no_exchange; /* renameat2(RENAME_EXCHANGE) is not supported */
	/* Files in tmp/ that uploads may write over (see the top). */
	struct store_spare {
		char name[32];
		uint64_t size;
	} spare[STORE_SPARES];
	size_t nspare;
	uint64_t spare_bytes;
	uint64_t spareseq;
	/* Objects open for reading (store_get() until store_obj_release()),
	 * by the first 8 bytes of their key: open addressing, tag 0 free.
	 * The file of an object in this set is never written over. */
	struct store_reader {
		uint64_t tag;
		uint32_t n;
	} * readers;
	size_t rcap, rused;
	/* Records got INDEX_F_CLEAN from this process (see the top); the
	 * flag is cleared from all of them at close. */
	int marked_clean;
};

/* How a dropped object's file goes: unlinked, or kept as a spare. */
#define STORE_DROP_UNLINK 0
#define STORE_DROP_RETIRE 1

/* POSIX record locks belong to the process: a second lock by the same
 * process succeeds, and closing any descriptor of the file drops them
 * all.  So this process also remembers which lock files it holds. */
static struct store *store_open_list;

struct store_writer {
	struct store *s;
	int fd;
	char tmp[64]; /* name in tmp/ */
	unsigned char key[STORE_KEY_LEN];
	int ns;
	uint64_t written;
	uint64_t reserved;
	int64_t expected;
	uint32_t hdrlen;
	unsigned char *meta;
	size_t meta_len;
	struct sha256 hash;
	int failed;
	/* Small objects are collected here behind room for their header
	 * and written with it in one call at commit (the file is only
	 * opened then); NULL once the content goes to the file as it
	 * arrives.  Allocated to whole pages past wcap. */
	unsigned char *wbuf;
	size_t wlen, wcap;
};

/* ---- readers and spare files ---- */

static uint64_t
store_tag(const unsigned char *key)
{
	uint64_t t;

	memcpy(&t, key, sizeof(t));
	return t != 0 ? t : 1;
}

/* Counts a reader of the key with this tag.  Returns 0 or -1 (out of
 * memory). */
static int
store_reader_add(struct store *s, uint64_t tag)
{
	struct store_reader *nr;
	size_t i, j, ncap;

	if ((s->rused + 1) * 2 > s->rcap) {
		ncap = s->rcap != 0 ? s->rcap * 2 : 64;
		if ((nr = calloc(ncap, sizeof(*nr))) == NULL)
			return -1;
		for (i = 0; i < s->rcap; i++) {
			if (s->readers[i].tag == 0)
				continue;
			j = (size_t)s->readers[i].tag & (ncap - 1);
			while (nr[j].tag != 0)
				j = (j + 1) & (ncap - 1);
			nr[j] = s->readers[i];
		}
		free(s->readers);
		s->readers = nr;
		s->rcap = ncap;
	}
	i = (size_t)tag & (s->rcap - 1);
	while (s->readers[i].tag != 0 && s->readers[i].tag != tag)
		i = (i + 1) & (s->rcap - 1);
	if (s->readers[i].tag == 0) {
		s->readers[i].tag = tag;
		s->rused++;
	}
	s->readers[i].n++;
	return 0;
}

static size_t
store_reader_slot(const struct store *s, uint64_t tag)
{
	size_t i;

	if (s->rcap == 0)
		return SIZE_MAX;
	for (i = (size_t)tag & (s->rcap - 1); s->readers[i].tag != 0;
	     i = (i + 1) & (s->rcap - 1))
		if (s->readers[i].tag == tag)
			return i;
	return SIZE_MAX;
}

static void
store_reader_del(struct store *s, uint64_t tag)
{
	size_t i, j, h;

	if ((i = store_reader_slot(s, tag)) == SIZE_MAX)
		return;
	if (--s->readers[i].n > 0)
		return;
	/* Backward shift: move up what would no longer be found. */
	s->readers[i].tag = 0;
	s->rused--;
	for (j = (i + 1) & (s->rcap - 1); s->readers[j].tag != 0;
	     j = (j + 1) & (s->rcap - 1)) {
		h = (size_t)s->readers[j].tag & (s->rcap - 1);
		if (((j - h) & (s->rcap - 1)) >= ((j - i) & (s->rcap - 1))) {
			s->readers[i] = s->readers[j];
			s->readers[j].tag = 0;
			s->readers[j].n = 0;
			i = j;
		}
	}
}

static int
store_reading(const struct store *s, const unsigned char *key)
{
	return store_reader_slot(s, store_tag(key)) != SIZE_MAX;
}

/* Bytes the store holds or has promised: objects, open writers, spares. */
static uint64_t
store_used(const struct store *s)
{
	return index_total(s->ix) + s->inflight + s->spare_bytes;
}

/* Drops spare files until the total is at most target (all if 0). */
static void
store_spares_trim(struct store *s, uint64_t target)
{
	struct store_spare *sp;

	while (s->nspare > 0 && (target == 0 || store_used(s) > target)) {
		sp = &s->spare[--s->nspare];
		(void)unlinkat(s->tmpfd, sp->name, 0);
		s->spare_bytes -= sp->size;
	}
}

/* The file dir/name of key's object (size bytes) is no longer an
 * object: keep it as a spare when it is clean (its record had
 * INDEX_F_CLEAN), nobody reads it, it is small, there is room in the
 * pool and under max_size; unlink it otherwise. */
static void
store_retire(struct store *s, int dirfd, const char *name, uint64_t size,
    const unsigned char *key, int clean)
{
	struct store_spare *sp;

	if (clean && s->nspare < STORE_SPARES && size <= STORE_SPARE_MAX &&
	    !store_reading(s, key) && store_used(s) + size <= s->cfg.max_size) {
		sp = &s->spare[s->nspare];
		if (dirfd == s->tmpfd)
			snprintf(sp->name, sizeof(sp->name), "%s", name);
		else
			snprintf(sp->name, sizeof(sp->name), "spare-%llu",
			    (unsigned long long)++s->spareseq);
		if (dirfd == s->tmpfd ||
		    renameat(dirfd, name, s->tmpfd, sp->name) == 0) {
			sp->size = size;
			s->spare_bytes += size;
			s->nspare++;
			return;
		}
	}
	(void)unlinkat(dirfd, name, 0);
}

/* Swaps two names in one step.  Returns 0 or -1 (errno set; ENOSYS or
 * EINVAL when the system or file system cannot). */
static int
store_exchange(int fd1, const char *a, int fd2, const char *b)
{
#if defined(__linux__) && defined(SYS_renameat2)
	return (int)syscall(SYS_renameat2, fd1, a, fd2, b, 2 /* EXCHANGE */);
#else
	(void)fd1;
	(void)a;
	(void)fd2;
	(void)b;
	errno = ENOSYS;
	return -1;
#endif
}

const char *
store_ns_name(int ns)
{
	if (ns < 0 || ns >= STORE_NS_COUNT)
		return "none";
	return store_ns_names[ns];
}

int
store_ns_parse(const char *s)
{
	int i;

	for (i = 0; i < STORE_NS_COUNT; i++)
		if (strcmp(s, store_ns_names[i]) == 0)
			return i;
	return -1;
}

const char *
store_strerror(int code)
{
	switch (code) {
	case STORE_OK:
		return "ok";
	case STORE_MISS:
		return "not found";
	case STORE_ETOOBIG:
		return "object too large";
	case STORE_ENOSPC:
		return "cache storage full";
	case STORE_EDIGEST:
		return "content does not match its digest";
	default:
		return "storage I/O error";
	}
}

void
store_key_for(
    int ns, const void *toolkey, size_t len, unsigned char key[STORE_KEY_LEN])
{
	struct sha256 s;
	const char *name = store_ns_name(ns);

	if (sha256_init(&s) == -1) {
		memset(key, 0, STORE_KEY_LEN);
		return;
	}
	sha256_update(&s, name, strlen(name) + 1);
	sha256_update(&s, toolkey, len);
	sha256_final(&s, key);
}

static void
store_obj_path(const struct store *s, const unsigned char *key, char *out)
{
	char hex[SHA256_HEX_LEN + 1];

	hex_encode(hex, key, STORE_KEY_LEN);
	snprintf(out, STORE_PATH_MAX, "%s/objects/%.2s/%s", s->dir, hex, hex);
}

/* "ab/<64 hex>": the object's name relative to objects/ (s->objfd). */
#define STORE_REL_LEN (3 + SHA256_HEX_LEN + 1)
static void
store_obj_rel(const unsigned char *key, char out[STORE_REL_LEN])
{
	hex_encode(out + 3, key, STORE_KEY_LEN);
	out[0] = out[3];
	out[1] = out[4];
	out[2] = '/';
}

static uint64_t
store_rand(struct store *s)
{
	/* xorshift64*: sampling for eviction, not security. */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

static int
store_mkdirs(const char *dir)
{
	char p[STORE_PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(p))
		return -1;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		p[i] = i == n ? '\0' : '/';
	}
	return 0;
}

static uint32_t
store_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
store_le64(const unsigned char *p)
{
	return (uint64_t)store_le32(p) | (uint64_t)store_le32(p + 4) << 32;
}

static void
store_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static void
store_put64(unsigned char *p, uint64_t v)
{
	store_put32(p, (uint32_t)v);
	store_put32(p + 4, (uint32_t)(v >> 32));
}

/* Builds the header for a finished object into out (STORE_HDR_FIXED +
 * meta_len bytes). */
static void
store_hdr_build(unsigned char *out, const unsigned char *key, int ns,
    uint64_t size, int64_t created, const unsigned char *sha,
    const unsigned char *meta, size_t meta_len)
{
	uLong crc;

	memset(out, 0, STORE_HDR_FIXED);
	memcpy(out, STORE_MAGIC, 8);
	store_put32(out + 8, (uint32_t)(STORE_HDR_FIXED + meta_len));
	out[12] = 1; /* version */
	out[14] = (unsigned char)ns;
	store_put64(out + 16, size);
	store_put64(out + 24, (uint64_t)created);
	memcpy(out + 32, key, STORE_KEY_LEN);
	memcpy(out + 64, sha, SHA256_LEN);
	store_put32(out + 96, (uint32_t)meta_len);
	if (meta_len > 0)
		memcpy(out + STORE_HDR_FIXED, meta, meta_len);
	crc = crc32(0L, out, 100);
	if (meta_len > 0)
		crc = crc32(crc, meta, (uInt)meta_len);
	store_put32(out + 100, (uint32_t)crc);
}

/* Parses and checks a header read from the start of an object file.
 * buf holds have bytes.  Returns the header length, 0 when more bytes
 * are needed (*need set), or -1 when the header is invalid. */
static int64_t
store_hdr_parse(const unsigned char *buf, size_t have, uint64_t filesize,
    struct store_obj *o, size_t *need)
{
	uint32_t hlen, mlen;
	uLong crc;

	if (have < STORE_HDR_FIXED) {
		*need = STORE_HDR_FIXED;
		return filesize < STORE_HDR_FIXED ? -1 : 0;
	}
	if (memcmp(buf, STORE_MAGIC, 8) != 0 || buf[12] != 1)
		return -1;
	hlen = store_le32(buf + 8);
	mlen = store_le32(buf + 96);
	if (mlen > STORE_META_MAX || hlen != STORE_HDR_FIXED + mlen ||
	    hlen > filesize)
		return -1;
	if (have < hlen) {
		*need = hlen;
		return 0;
	}
	crc = crc32(0L, buf, 100);
	if (mlen > 0)
		crc = crc32(crc, buf + STORE_HDR_FIXED, mlen);
	if ((uint32_t)crc != store_le32(buf + 100))
		return -1;
	o->ns = buf[14];
	o->size = store_le64(buf + 16);
	o->created = (int64_t)store_le64(buf + 24);
	memcpy(o->key, buf + 32, STORE_KEY_LEN);
	memcpy(o->sha, buf + 64, SHA256_LEN);
	if (o->size != filesize - hlen)
		return -1;
	o->off = hlen;
	o->meta_len = mlen;
	return hlen;
}

static void
store_rec_drop(struct store *s, struct index_rec *r)
{
	unsigned char key[STORE_KEY_LEN];

	memcpy(key, r->key, STORE_KEY_LEN);
	index_add_total(s->ix, -(int64_t)r->size);
	index_remove(s->ix, key);
}

/* Removes an object file (how: STORE_DROP_*) and its record. */
static void
store_drop(struct store *s, const unsigned char *key, int how)
{
	char rel[STORE_REL_LEN];
	struct index_rec *r;

	store_obj_rel(key, rel);
	r = index_find(s->ix, key);
	if (how == STORE_DROP_RETIRE && r != NULL) {
		/* The record goes first: the spare counts under max_size. */
		uint64_t size = r->size;
		int clean = (r->flags & INDEX_F_CLEAN) != 0;
		store_rec_drop(s, r);
		store_retire(s, s->objfd, rel, size, key, clean);
		return;
	}
	unlinkat(s->objfd, rel, 0);
	if (r != NULL)
		store_rec_drop(s, r);
}

/* How much content store_read_obj() reads besides the header. */
#define STORE_READ_HEADER 0 /* none */
#define STORE_READ_INLINE 1 /* objects up to STORE_INLINE_MAX */
#define STORE_READ_FIRST 2 /* only files of at most STORE_READ_SMALL */
#define STORE_READ_SMALL 8192
/* What is read first when only the header is wanted: the fixed part and
 * the metadata of most objects; longer metadata takes a second read. */
#define STORE_PEEK 512

/* Reads the header of the object file at fd.  Fills o (meta is
 * malloc'd); the content lands in o->data as want_inline says, read
 * together with the header in one call.  Returns 0, or -1 when the file
 * is not a valid object. */
static int
store_read_obj(int fd, uint64_t filesize, int want_inline, struct store_obj *o)
{
	unsigned char peek[STORE_HDR_FIXED + STORE_META_MAX];
	unsigned char *p = peek;
	size_t need = 0, have;
	ssize_t n;
	int64_t hlen;

	if (want_inline != STORE_READ_HEADER &&
	    filesize <= STORE_HDR_FIXED + STORE_INLINE_MAX &&
	    (want_inline == STORE_READ_INLINE ||
		filesize <= STORE_READ_SMALL)) {
		/* The whole file, content and header at once. */
		if ((o->dbuf = malloc((size_t)filesize + 1)) == NULL)
			return -1;
		p = o->dbuf;
		n = pread(fd, p, (size_t)filesize, 0);
		if (n < 0 || (uint64_t)n != filesize)
			return -1;
		p[filesize] = '\0';
	} else {
		n = pread(fd, p,
		    filesize < STORE_PEEK ? (size_t)filesize : STORE_PEEK, 0);
		if (n < 0)
			return -1;
	}
	have = (size_t)n;
	hlen = store_hdr_parse(p, have, filesize, o, &need);
	if (hlen == 0 && p == peek && have == STORE_PEEK &&
	    need <= sizeof(peek)) {
		/* Long metadata: read the whole header. */
		n = pread(fd, peek, need, 0);
		if (n < 0)
			return -1;
		have = (size_t)n;
		hlen = store_hdr_parse(peek, have, filesize, o, &need);
	}
	if (hlen <= 0)
		return -1; /* invalid, or a short read of a file that claims
			    * more */
	if (o->meta_len > 0) {
		if ((o->meta = malloc(o->meta_len)) == NULL)
			return -1;
		memcpy(o->meta, p + STORE_HDR_FIXED, o->meta_len);
	}
	if (p != peek) {
		o->data = p + hlen;
	} else if (want_inline == STORE_READ_INLINE &&
	    o->size <= STORE_INLINE_MAX) {
		/* Small content behind long metadata. */
		if ((o->dbuf = malloc((size_t)o->size + 1)) == NULL)
			return -1;
		n = pread(fd, o->dbuf, (size_t)o->size, (off_t)hlen);
		if (n < 0 || (uint64_t)n != o->size)
			return -1;
		o->dbuf[o->size] = '\0';
		o->data = o->dbuf;
	}
	return 0;
}

static void
store_obj_init(struct store_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

void
store_obj_release(struct store_obj *o)
{
	if (o->reader != NULL)
		store_reader_del(o->reader, o->rtag);
	if (o->fd != -1)
		close(o->fd);
	free(o->meta);
	free(o->dbuf);
	sha256_release(&o->hash);
	store_obj_init(o);
}

static uint64_t
store_ctime_ns(const struct stat *st)
{
	return (uint64_t)st->st_ctim.tv_sec * 1000000000ULL +
	    (uint64_t)st->st_ctim.tv_nsec;
}

/* Records that the content of the file st describes matched its digest,
 * unless its ctime is too recent to prove a later edit would change it. */
static void
store_mark_verified(struct index_rec *r, const struct stat *st)
{
	struct timespec now;
	uint64_t now_ns, ct = store_ctime_ns(st);

	clock_gettime(CLOCK_REALTIME, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	if (now_ns >= ct && now_ns - ct >= STORE_RACY_NS) {
		r->vino = (uint64_t)st->st_ino;
		r->vctime = ct;
	} else {
		r->vino = 0;
		r->vctime = 0;
	}
}

static int
store_expired(const struct store *s, const struct index_rec *r, int64_t now)
{
	int64_t last = r->atime > r->created ? r->atime : r->created;

	return s->cfg.ttl > 0 && now - last > (int64_t)s->cfg.ttl;
}

int
store_get(struct store *s, const unsigned char *key, struct store_obj *o)
{
	char rel[STORE_REL_LEN];
	unsigned char digest[SHA256_LEN];
	struct index_rec *r;
	struct stat st;
	int64_t now = clock_wall();
	int fd;

	store_obj_init(o);
	if ((r = index_find(s->ix, key)) == NULL)
		return STORE_MISS;
	if (store_expired(s, r, now)) {
		s->st.expired++;
		store_drop(s, key, STORE_DROP_RETIRE);
		return STORE_MISS;
	}
	store_obj_rel(key, rel);
	if ((fd = openat(s->objfd, rel, O_RDONLY | O_CLOEXEC)) == -1) {
		/* The file is gone (deleted by hand?): forget it. */
		if (errno == ENOENT)
			store_rec_drop(s, r);
		return STORE_MISS;
	}
	o->fd = fd;
	if (store_reader_add(s, store_tag(key)) == -1) {
		store_obj_release(o);
		return STORE_EIO;
	}
	o->reader = s;
	o->rtag = store_tag(key);
	if (fstat(fd, &st) == -1)
		goto corrupt;
	/* Content verified since it last changed needs no second read: it
	 * is served from the file (sendfile) unless the header read
	 * brought it along. */
	o->verified = s->cfg.verify == STORE_VERIFY_CHANGED && r->vino != 0 &&
	    r->vino == (uint64_t)st.st_ino && r->vctime == store_ctime_ns(&st);
	if (store_read_obj(fd, (uint64_t)st.st_size,
		o->verified ? STORE_READ_FIRST : STORE_READ_INLINE, o) == -1 ||
	    memcmp(o->key, key, STORE_KEY_LEN) != 0)
		goto corrupt;
	if (o->data != NULL && !o->verified) {
		sha256(o->data, o->size, digest);
		if (!sha_ct_equal(digest, o->sha, SHA256_LEN))
			goto corrupt;
		o->verified = 1;
		store_mark_verified(r, &st);
	}
	if (!o->verified && sha256_init(&o->hash) == -1) {
		store_obj_release(o);
		return STORE_EIO;
	}
	/* Content that may go out by sendfile taints the file for good. */
	if (o->data == NULL)
		r->flags &= (uint16_t)~INDEX_F_CLEAN;
	if (r->count < UINT32_MAX)
		r->count++;
	r->atime = (uint32_t)now;
	return STORE_OK;
corrupt:
	log_warn("object %02x%02x%02x%02x... failed its integrity check; "
		 "dropped",
	    key[0], key[1], key[2], key[3]);
	s->st.integrity_drops++;
	store_obj_release(o);
	store_drop(s, key, STORE_DROP_UNLINK);
	return STORE_MISS;
}

int64_t
store_obj_read(struct store_obj *o, void *out, size_t n, uint64_t pos)
{
	ssize_t got;

	if (pos > o->size)
		return -1;
	if (n > o->size - pos)
		n = (size_t)(o->size - pos);
	if (o->data != NULL) {
		memcpy(out, o->data + pos, n);
		return (int64_t)n;
	}
	got = pread(o->fd, out, n, (off_t)(o->off + pos));
	if (got < 0 || (got == 0 && n > 0))
		return -1; /* the file shrank under us */
	if (!o->verified && pos == o->hashed) {
		sha256_update(&o->hash, out, (size_t)got);
		o->hashed += (uint64_t)got;
	}
	return got;
}

int
store_obj_finish(struct store *s, struct store_obj *o)
{
	unsigned char digest[SHA256_LEN];
	char path[STORE_PATH_MAX];
	struct index_rec *r;
	struct stat st, cur;

	if (o->verified)
		return 0;
	if (o->hashed != o->size) {
		sha256_release(&o->hash);
		return 0; /* partial read (range): nothing learned */
	}
	sha256_final(&o->hash, digest);
	if (!sha_ct_equal(digest, o->sha, SHA256_LEN)) {
		log_warn("object failed its integrity check while streaming; "
			 "response aborted, object dropped");
		s->st.integrity_drops++;
		/* Drop it unless a new upload replaced the file meanwhile. */
		store_obj_path(s, o->key, path);
		if (fstat(o->fd, &st) == 0 && stat(path, &cur) == 0 &&
		    st.st_ino == cur.st_ino && st.st_dev == cur.st_dev)
			store_drop(s, o->key, STORE_DROP_UNLINK);
		return -1;
	}
	o->verified = 1;
	if ((r = index_find(s->ix, o->key)) != NULL && fstat(o->fd, &st) == 0)
		store_mark_verified(r, &st);
	return 0;
}

int
store_has(struct store *s, const unsigned char *key, uint64_t *size, int *ns)
{
	struct index_rec *r = index_find(s->ix, key);

	if (r == NULL)
		return 0;
	if (store_expired(s, r, clock_wall())) {
		s->st.expired++;
		store_drop(s, key, STORE_DROP_RETIRE);
		return 0;
	}
	if (size != NULL)
		*size = r->size;
	if (ns != NULL)
		*ns = r->ns;
	return 1;
}

int
store_del(struct store *s, const unsigned char *key)
{
	if (index_find(s->ix, key) == NULL)
		return STORE_MISS;
	store_drop(s, key, STORE_DROP_RETIRE);
	return STORE_OK;
}

/* Eviction score: lower goes first. */
static uint64_t
store_score(const struct store *s, const struct index_rec *r,
    enum store_policy pol, int64_t now)
{
	int64_t age;
	uint64_t halves;

	switch (pol) {
	case STORE_LRU:
		return r->atime > r->created ? r->atime : r->created;
	case STORE_TTL:
		return r->created;
	default:
		age = now -
		    (int64_t)(r->atime > r->created ? r->atime : r->created);
		halves = age <= 0 || s->cfg.lfu_halflife == 0
		    ? 0
		    : (uint64_t)age / s->cfg.lfu_halflife;
		return halves >= 32 ? 0 : (uint64_t)(r->count + 1) >> halves;
	}
}

/* Evicts one object chosen by sampling (its file goes as how says);
 * returns its size or 0 when the store is empty. */
static uint64_t
store_evict_one(struct store *s, enum store_policy pol, int64_t now, int how)
{
	uint64_t cap = index_capacity(s->ix), i, best_score = UINT64_MAX, sc;
	struct index_rec *r, *best = NULL;
	uint64_t size, probes, found = 0;

	if (index_count(s->ix) == 0)
		return 0;
	/* Sample the used slots that follow a random position: slots are
	 * placed by key hash, so this is a random sample, and it finds
	 * STORE_SAMPLES candidates even in a sparse table (random probes
	 * would often find one or two and make eviction random). */
	i = store_rand(s) & (cap - 1);
	for (probes = 0; found < STORE_SAMPLES && probes < cap; probes++) {
		r = index_slot(s->ix, i);
		i = (i + 1) & (cap - 1);
		if (!r->used)
			continue;
		found++;
		if (s->pin != NULL && s->pin(s->pin_arg, r->key))
			continue;
		sc = store_score(s, r, pol, now);
		if (best == NULL || sc < best_score) {
			best = r;
			best_score = sc;
		}
	}
	if (best == NULL)
		return 0;
	size = best->size;
	s->st.evictions++;
	s->st.evicted_bytes += size;
	{
		unsigned char key[STORE_KEY_LEN];
		memcpy(key, best->key, STORE_KEY_LEN);
		store_drop(s, key, how);
	}
	return size;
}

int
store_maintain(struct store *s, unsigned budget)
{
	uint64_t low = s->cfg.max_size / 100 * STORE_LOW_WATER_PCT;
	uint64_t cap = index_capacity(s->ix);
	int64_t now = clock_wall();
	struct index_rec *r;
	unsigned scanned;

	/* TTL sweep: a bounded slice of the table each turn. */
	if (s->cfg.ttl > 0) {
		for (scanned = 0; scanned < budget * 8; scanned++) {
			s->ttl_cursor = (s->ttl_cursor + 1) & (cap - 1);
			r = index_slot(s->ix, s->ttl_cursor);
			if (r->used && store_expired(s, r, now)) {
				unsigned char key[STORE_KEY_LEN];
				memcpy(key, r->key, STORE_KEY_LEN);
				s->st.expired++;
				store_drop(s, key, STORE_DROP_RETIRE);
			}
		}
	}
	/* Spares do not count here (evicted files may become spares);
	 * store_make_room() drops them before it evicts. */
	while (budget-- > 0 && index_total(s->ix) + s->inflight > low)
		if (store_evict_one(s, s->cfg.policy, now, STORE_DROP_RETIRE) ==
		    0)
			break;
	return index_total(s->ix) + s->inflight > low;
}

uint64_t
store_evict_to(struct store *s, uint64_t target, enum store_policy pol)
{
	uint64_t freed = 0, n;
	int64_t now = clock_wall();

	store_spares_trim(s, 0);
	while (index_total(s->ix) > target) {
		if ((n = store_evict_one(s, pol, now, STORE_DROP_UNLINK)) == 0)
			break;
		freed += n;
	}
	return freed;
}

uint64_t
store_clear(struct store *s)
{
	uint64_t n = 0, i, cap = index_capacity(s->ix);
	struct index_rec *r;
	unsigned char key[STORE_KEY_LEN];

	for (i = 0; i < cap; i++) {
		r = index_slot(s->ix, i);
		while (r->used) {
			/* Backward shift may move another record here. */
			memcpy(key, r->key, STORE_KEY_LEN);
			store_drop(s, key, STORE_DROP_UNLINK);
			n++;
		}
	}
	store_spares_trim(s, 0);
	return n;
}

static int
store_errno_rc(int e)
{
#ifdef EDQUOT
	if (e == EDQUOT)
		return STORE_ENOSPC;
#endif
	return e == ENOSPC ? STORE_ENOSPC : STORE_EIO;
}

/* Makes room for need more bytes: evicts synchronously when the total
 * would pass max_size, and checks free disk space. */
static int
store_make_room(struct store *s, uint64_t need)
{
	struct statvfs vfs;
	int64_t now = clock_wall();
	uint64_t now_ms;

	if (need > s->cfg.max_size)
		return STORE_ETOOBIG;
	if (store_used(s) + need > s->cfg.max_size)
		store_spares_trim(s, s->cfg.max_size - need);
	while (store_used(s) + need > s->cfg.max_size)
		if (store_evict_one(s, s->cfg.policy, now, STORE_DROP_UNLINK) ==
		    0)
			return STORE_ENOSPC;
	if (s->cfg.min_free == 0)
		return STORE_OK;
	/* statvfs at most once a second while far from the limit; what was
	 * promised to writers since then is subtracted from its answer. */
	now_ms = clock_mono_ms();
	if (now_ms - s->vfs_at >= 1000 ||
	    s->vfs_free < s->vfs_spent + s->cfg.min_free + need) {
		if (statvfs(s->dir, &vfs) == 0) {
			s->vfs_free = (uint64_t)vfs.f_bavail * vfs.f_frsize;
			s->vfs_at = now_ms;
			s->vfs_spent = 0;
		}
	}
	if (s->vfs_free < s->vfs_spent + s->cfg.min_free + need)
		return STORE_ENOSPC;
	s->vfs_spent += need;
	return STORE_OK;
}

/* Writes all of p[0..n) at off.  A short write with no error is a full
 * disk.  Returns 0 or -1 (errno set). */
static int
store_pwrite_all(int fd, const void *p, size_t n, uint64_t off)
{
	const unsigned char *c = p;
	ssize_t k;

	while (n > 0) {
		k = pwrite(fd, c, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			return -1;
		}
		c += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Creates w's temp file.  Returns STORE_OK or an error. */
static int
store_writer_open(struct store *s, struct store_writer *w)
{
	snprintf(w->tmp, sizeof(w->tmp), "%ld-%llu", s->pid,
	    (unsigned long long)++s->tmpseq);
	w->fd = openat(
	    s->tmpfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd == -1) {
		w->tmp[0] = '\0';
		return store_errno_rc(errno);
	}
	return STORE_OK;
}

/* Writes the collected object (header and content, wlen bytes) to a
 * file: a spare when there is one, written in whole pages and cut to
 * size (no old block is read back), else a new temp file.  Returns 0
 * or -1 (errno set). */
static int
store_writer_flush(struct store *s, struct store_writer *w)
{
	struct store_spare *sp;
	size_t len;
	int rc;

	while (s->nspare > 0) {
		sp = &s->spare[--s->nspare];
		s->spare_bytes -= sp->size;
		w->fd = openat(s->tmpfd, sp->name, O_WRONLY | O_CLOEXEC);
		if (w->fd == -1) {
			(void)unlinkat(s->tmpfd, sp->name, 0);
			continue;
		}
		snprintf(w->tmp, sizeof(w->tmp), "%s", sp->name);
		len = STORE_PAGE_UP(w->wlen);
		memset(w->wbuf + w->wlen, 0, len - w->wlen);
		if (store_pwrite_all(w->fd, w->wbuf, len, 0) == -1)
			return -1;
		return ftruncate(w->fd, (off_t)w->wlen);
	}
	if ((rc = store_writer_open(s, w)) != STORE_OK) {
		errno = rc == STORE_ENOSPC ? ENOSPC : EIO;
		return -1;
	}
	return store_pwrite_all(w->fd, w->wbuf, w->wlen, 0);
}

int
store_put_begin(struct store *s, const unsigned char *key, int ns,
    int64_t expected, const void *meta, size_t meta_len,
    struct store_writer **out)
{
	struct store_writer *w;
	uint64_t reserve;
	int rc;

	*out = NULL;
	if (meta_len > STORE_META_MAX)
		return STORE_ETOOBIG;
	if (expected >= 0 && (uint64_t)expected > s->cfg.max_object_size)
		return STORE_ETOOBIG;
	reserve = STORE_HDR_FIXED + meta_len +
	    (expected > 0 ? (uint64_t)expected : 0);
	if ((rc = store_make_room(s, reserve)) != STORE_OK)
		return rc;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return STORE_EIO;
	w->s = s;
	w->fd = -1;
	memcpy(w->key, key, STORE_KEY_LEN);
	w->ns = ns;
	w->expected = expected;
	w->hdrlen = (uint32_t)(STORE_HDR_FIXED + meta_len);
	if (meta_len > 0) {
		if ((w->meta = malloc(meta_len)) == NULL)
			goto fail;
		memcpy(w->meta, meta, meta_len);
		w->meta_len = meta_len;
	}
	/* A declared size that fits is collected whole; an unknown one
	 * starts collecting and goes to the file when it outgrows it. */
	if (expected < 0)
		w->wcap = STORE_WBUF_MAX;
	else if ((uint64_t)expected <= STORE_WBUF_MAX - w->hdrlen)
		w->wcap = w->hdrlen + (size_t)expected;
	if (w->wcap > w->hdrlen) {
		if ((w->wbuf = malloc(STORE_PAGE_UP(w->wcap))) == NULL)
			goto fail;
		w->wlen = w->hdrlen;
	} else if ((rc = store_writer_open(s, w)) != STORE_OK)
		goto fail_rc;
	/* The header is written at commit; until then the file starts with
	 * a hole of its size and the content follows at hdrlen. */
	if (sha256_init(&w->hash) == -1)
		goto fail;
	w->reserved = reserve;
	s->inflight += reserve;
	*out = w;
	return STORE_OK;
fail:
	rc = STORE_EIO;
fail_rc:
	s->st.write_errors++;
	if (w->fd != -1) {
		close(w->fd);
		unlinkat(s->tmpfd, w->tmp, 0);
	}
	free(w->meta);
	free(w->wbuf);
	free(w);
	return rc;
}

/* Stops collecting: what was collected goes to the file, and so does
 * everything after it. */
static int
store_writer_spill(struct store_writer *w)
{
	int rc = 0;

	if (w->wbuf == NULL)
		return 0;
	if (w->fd == -1 && (rc = store_writer_open(w->s, w)) != STORE_OK) {
		errno = rc == STORE_ENOSPC ? ENOSPC : EIO;
		return -1;
	}
	if (w->wlen > w->hdrlen)
		rc = store_pwrite_all(
		    w->fd, w->wbuf + w->hdrlen, w->wlen - w->hdrlen, w->hdrlen);
	free(w->wbuf);
	w->wbuf = NULL;
	w->wlen = w->wcap = 0;
	return rc;
}

int
store_put_write(struct store_writer *w, const void *p, size_t n)
{
	struct store *s = w->s;
	uint64_t step, need;
	int rc;

	if (w->failed)
		return w->failed;
	if (w->written + n + w->hdrlen > w->reserved) {
		if (w->expected >= 0 ||
		    w->written + n > s->cfg.max_object_size) {
			/* More than announced or allowed: refuse rather
			 * than grow unchecked. */
			w->failed = STORE_ETOOBIG;
			return w->failed;
		}
		/* Unknown length: reserve the next step before writing,
		 * so concurrent uploads cannot pass max_size together. */
		need = w->written + n + w->hdrlen - w->reserved;
		step = s->cfg.max_object_size + w->hdrlen - w->reserved;
		if (step > STORE_RESERVE_STEP)
			step = STORE_RESERVE_STEP;
		if (step > s->cfg.max_size / 8)
			step = s->cfg.max_size / 8;
		if (step < need)
			step = need;
		/* A whole step may not fit a small max_size when what
		 * arrived does. */
		rc = store_make_room(s, step);
		if (rc != STORE_OK && step > need) {
			step = need;
			rc = store_make_room(s, step);
		}
		if (rc != STORE_OK) {
			w->failed = rc;
			return w->failed;
		}
		w->reserved += step;
		s->inflight += step;
	}
	if (n == 0)
		return STORE_OK;
	sha256_update(&w->hash, p, n);
	if (w->wbuf != NULL && n <= w->wcap - w->wlen) {
		memcpy(w->wbuf + w->wlen, p, n);
		w->wlen += n;
	} else if (store_writer_spill(w) == -1 ||
	    store_pwrite_all(w->fd, p, n, w->hdrlen + w->written) == -1) {
		w->failed = store_errno_rc(errno);
		s->st.write_errors++;
		return w->failed;
	}
	w->written += (uint64_t)n;
	return STORE_OK;
}

static void
store_writer_free(struct store *s, struct store_writer *w)
{
	s->inflight -= w->reserved;
	if (w->fd != -1)
		close(w->fd);
	sha256_release(&w->hash);
	free(w->meta);
	free(w->wbuf);
	free(w);
}

void
store_put_abort(struct store *s, struct store_writer *w)
{
	if (w == NULL)
		return;
	if (w->tmp[0] != '\0')
		unlinkat(s->tmpfd, w->tmp, 0);
	store_writer_free(s, w);
}

void
store_set_pin(
    struct store *s, int (*pin)(void *, const unsigned char *), void *arg)
{
	s->pin = pin;
	s->pin_arg = arg;
}

void
store_writer_key(const struct store_writer *w, unsigned char *out)
{
	memcpy(out, w->key, STORE_KEY_LEN);
}

/* Moves the finished temp file to objects/ab/<hex>.  Over an object it
 * replaces (old_size bytes), the two files swap names in one step and
 * the old one is retired (a committed object is never lost, and ext4
 * does not write the new file back inside a rename over another);
 * without the exchange, a plain rename over it.  Returns 0 or -1
 * (errno set). */
static int
store_writer_publish(struct store *s, struct store_writer *w, int replace,
    uint64_t old_size, int old_clean)
{
	char rel[STORE_REL_LEN];

	store_obj_rel(w->key, rel);
	if (replace && !s->no_exchange) {
		if (store_exchange(s->tmpfd, w->tmp, s->objfd, rel) == 0) {
			store_retire(
			    s, s->tmpfd, w->tmp, old_size, w->key, old_clean);
			w->tmp[0] = '\0';
			return 0;
		}
		if (errno == ENOSYS || errno == EINVAL || errno == ENOTSUP)
			s->no_exchange = 1;
		else if (errno != ENOENT)
			return -1;
	}
	if (renameat(s->tmpfd, w->tmp, s->objfd, rel) == 0) {
		w->tmp[0] = '\0';
		return 0;
	}
	if (errno != ENOENT)
		return -1;
	/* The objects/ab directory was removed: recreate it. */
	rel[2] = '\0';
	(void)mkdirat(s->objfd, rel, 0755);
	rel[2] = '/';
	if (renameat(s->tmpfd, w->tmp, s->objfd, rel) == -1)
		return -1;
	w->tmp[0] = '\0';
	return 0;
}

/* Does objects/rel already hold what w is about to publish: the same
 * namespace, metadata, size and content digest? */
static int
store_same_object(struct store *s, const char *rel,
    const struct store_writer *w, const unsigned char *sha)
{
	unsigned char hdr[STORE_HDR_FIXED + STORE_META_MAX];
	struct store_obj o;
	struct stat st;
	size_t need = 0;
	ssize_t n;
	int fd, same = 0;

	if ((fd = openat(s->objfd, rel, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	memset(&o, 0, sizeof(o));
	if (fstat(fd, &st) == 0 &&
	    (n = pread(fd, hdr, STORE_HDR_FIXED + w->meta_len, 0)) > 0 &&
	    store_hdr_parse(hdr, (size_t)n, (uint64_t)st.st_size, &o, &need) >
		0 &&
	    o.size == w->written && o.ns == w->ns &&
	    o.meta_len == w->meta_len &&
	    (w->meta_len == 0 ||
		memcmp(hdr + STORE_HDR_FIXED, w->meta, w->meta_len) == 0) &&
	    sha_ct_equal(o.sha, sha, SHA256_LEN))
		same = 1;
	close(fd);
	return same;
}

int
store_put_commit(
    struct store *s, struct store_writer *w, const unsigned char *expect_sha)
{
	unsigned char hdr[STORE_HDR_FIXED + STORE_META_MAX];
	unsigned char sha[SHA256_LEN];
	char rel[STORE_REL_LEN];
	struct index_rec *r;
	int64_t now = clock_wall();
	uint64_t total = w->written + w->hdrlen, extra;
	int created, rc, same;

	if (w->failed) {
		/* Already counted by store_put_write(). */
		rc = w->failed;
		store_put_abort(s, w);
		return rc;
	}
	if (w->expected >= 0 && w->written != (uint64_t)w->expected) {
		rc = STORE_EIO;
		goto fail;
	}
	sha256_final(&w->hash, sha);
	if (expect_sha != NULL && !sha_ct_equal(sha, expect_sha, SHA256_LEN)) {
		rc = STORE_EDIGEST;
		goto fail;
	}
	/* A stream of unknown length: make room for what arrived now. */
	if (total > w->reserved) {
		extra = total - w->reserved;
		if (w->written > s->cfg.max_object_size) {
			rc = STORE_ETOOBIG;
			goto fail;
		}
		if ((rc = store_make_room(s, extra)) != STORE_OK)
			goto fail;
	}
	/* The record first: if the index cannot grow, nothing is renamed
	 * and no file exists that the index does not know. */
	errno = 0;
	if ((r = index_insert(s->ix, w->key, &created)) == NULL) {
		log_error("cannot grow the index: %s",
		    errno != 0 ? strerror(errno) : "damaged table");
		rc = store_errno_rc(errno);
		goto fail;
	}
	/* Replacing an object by the same bytes (a build tool uploading a
	 * key again): the committed file stays, still verified, and a
	 * collected upload never touches the disk. */
	store_obj_rel(w->key, rel);
	same =
	    !created && r->size == total && store_same_object(s, rel, w, sha);
	if (!same && w->wbuf != NULL) {
		/* Collected content goes out with its header in one write. */
		store_hdr_build(w->wbuf, w->key, w->ns, w->written, now, sha,
		    w->meta, w->meta_len);
		rc = store_writer_flush(s, w);
	} else if (!same) {
		store_hdr_build(hdr, w->key, w->ns, w->written, now, sha,
		    w->meta, w->meta_len);
		rc = store_pwrite_all(w->fd, hdr, w->hdrlen, 0);
	} else {
		/* A streamed upload wrote its file for nothing. */
		if (w->tmp[0] != '\0')
			(void)unlinkat(s->tmpfd, w->tmp, 0);
		w->tmp[0] = '\0';
		rc = 0;
	}
	if (rc == 0 && !same && s->cfg.fsync)
		rc = fsync(w->fd);
	if (rc == 0 && !same)
		rc = store_writer_publish(s, w, !created, r->size,
		    !created && (r->flags & INDEX_F_CLEAN) != 0);
	if (rc == -1) {
		rc = store_errno_rc(errno);
		if (created)
			index_remove(s->ix, w->key);
		goto fail;
	}
	if (!created)
		index_add_total(s->ix, -(int64_t)r->size);
	r->size = total;
	r->ns = (uint8_t)w->ns;
	r->created = (uint32_t)now;
	r->atime = (uint32_t)now;
	if (created)
		r->count = 1;
	index_add_total(s->ix, (int64_t)total);
	/* Not verified yet: the file's ctime is from this very moment (the
	 * rename sets it), too recent to prove anything (STORE_RACY_NS),
	 * so the first read after STORE_RACY_NS hashes it and records it. */
	if (!same) {
		r->vino = 0;
		r->vctime = 0;
		r->flags |= INDEX_F_CLEAN;
		s->marked_clean = 1;
	}
	store_writer_free(s, w);
	return STORE_OK;
fail:
	if (rc == STORE_EIO || rc == STORE_ENOSPC)
		s->st.write_errors++;
	store_put_abort(s, w);
	return rc;
}

int
store_put_buf(struct store *s, const unsigned char *key, int ns,
    const void *data, size_t len, const void *meta, size_t meta_len,
    const unsigned char *expect_sha)
{
	struct store_writer *w;
	int rc;

	rc = store_put_begin(s, key, ns, (int64_t)len, meta, meta_len, &w);
	if (rc != STORE_OK)
		return rc;
	if ((rc = store_put_write(w, data, len)) != STORE_OK) {
		store_put_abort(s, w);
		return rc;
	}
	return store_put_commit(s, w, expect_sha);
}

/* Walks objects/ calling fn for each file named by 64 hex digits. */
static int
store_walk(struct store *s,
    void (*fn)(struct store *, const char *path, const char *name, void *),
    void *arg)
{
	char dpath[STORE_PATH_MAX], fpath[STORE_PATH_MAX + 256];
	struct dirent *de;
	DIR *d;
	int i;

	for (i = 0; i < 256; i++) {
		snprintf(dpath, sizeof(dpath), "%s/objects/%02x", s->dir, i);
		if ((d = opendir(dpath)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(
			    fpath, sizeof(fpath), "%s/%s", dpath, de->d_name);
			fn(s, fpath, de->d_name, arg);
		}
		closedir(d);
	}
	return 0;
}

static int
store_name_key(const char *name, unsigned char *key)
{
	return strlen(name) == SHA256_HEX_LEN &&
	    hex_is_lower(name, SHA256_HEX_LEN) &&
	    hex_decode(key, name, STORE_KEY_LEN) == 0;
}

static void
store_rebuild_one(
    struct store *s, const char *path, const char *name, void *arg)
{
	unsigned char key[STORE_KEY_LEN];
	struct store_obj o;
	struct index_rec *r;
	struct stat st;
	int fd, created, good = 0;

	store_obj_init(&o);
	/* The name must be a key, filed under its own first byte. */
	if (store_name_key(name, key) && strlen(path) > SHA256_HEX_LEN + 3 &&
	    memcmp(path + strlen(path) - SHA256_HEX_LEN - 3, name, 2) == 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		o.fd = fd;
		good = fstat(fd, &st) == 0 &&
		    store_read_obj(
			fd, (uint64_t)st.st_size, STORE_READ_HEADER, &o) == 0 &&
		    memcmp(o.key, key, STORE_KEY_LEN) == 0 &&
		    o.ns < STORE_NS_COUNT;
	}
	if (!good) {
		/* Not an object of ours, or a damaged one: remove it. */
		unlink(path);
		s->st.integrity_drops++;
		store_obj_release(&o);
		return;
	}
	if ((r = index_insert(s->ix, key, &created)) != NULL) {
		if (!created)
			index_add_total(s->ix, -(int64_t)r->size);
		r->size = o.off + o.size;
		r->ns = (uint8_t)o.ns;
		r->created = (uint32_t)o.created;
		r->atime = (uint32_t)o.created;
		r->count = 1;
		/* Content unverified: vino/vctime stay 0. */
		index_add_total(s->ix, (int64_t)r->size);
		s->st.rebuild_objects++;
	}
	store_obj_release(&o);
}

/* Removes plain files lying directly in objects/ (only the ab/
 * directories belong there). */
static void
store_sweep_objects_top(struct store *s)
{
	char dpath[STORE_PATH_MAX], fpath[STORE_PATH_MAX + 256];
	struct dirent *de;
	struct stat st;
	DIR *d;

	snprintf(dpath, sizeof(dpath), "%s/objects", s->dir);
	if ((d = opendir(dpath)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(fpath, sizeof(fpath), "%s/%s", dpath, de->d_name);
		if (lstat(fpath, &st) == 0 && !S_ISDIR(st.st_mode) &&
		    unlink(fpath) == 0)
			s->st.integrity_drops++;
	}
	closedir(d);
}

static void
store_sweep_tmp(struct store *s)
{
	char dpath[STORE_PATH_MAX], fpath[STORE_PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	snprintf(dpath, sizeof(dpath), "%s/tmp", s->dir);
	if ((d = opendir(dpath)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(fpath, sizeof(fpath), "%s/%s", dpath, de->d_name);
		unlink(fpath);
	}
	closedir(d);
}

static int
store_held_here(const struct stat *st)
{
	const struct store *o;

	for (o = store_open_list; o != NULL; o = o->next_open)
		if (o->lock_dev == st->st_dev && o->lock_ino == st->st_ino)
			return 1;
	return 0;
}

static int
store_lock(struct store *s)
{
	char path[STORE_PATH_MAX];
	struct flock fl;
	struct stat st;

	snprintf(path, sizeof(path), "%s/lock", s->dir);
	/* Checked before open(): closing a second descriptor of a lock
	 * file this process holds would release the lock. */
	if (stat(path, &st) == 0 && store_held_here(&st))
		return -1;
	s->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (s->lockfd == -1 || fstat(s->lockfd, &st) == -1)
		return -1;
	s->lock_dev = st.st_dev;
	s->lock_ino = st.st_ino;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(s->lockfd, F_SETLK, &fl) == -1)
		return -1;
	s->next_open = store_open_list;
	store_open_list = s;
	return 0;
}

static void
store_unlock(struct store *s)
{
	struct store **pp;

	for (pp = &store_open_list; *pp != NULL; pp = &(*pp)->next_open) {
		if (*pp == s) {
			*pp = s->next_open;
			break;
		}
	}
	if (s->lockfd != -1)
		close(s->lockfd);
	s->lockfd = -1;
}

/* A descriptor of dir/name, which must be a directory. */
static int
store_open_dir(const char *dir, const char *name)
{
	char path[STORE_PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

struct store *
store_open(const struct store_config *cfg, const char **err)
{
	struct store *s;
	char path[STORE_PATH_MAX];
	int state;
	uint64_t t0;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	s->lockfd = -1;
	s->objfd = s->tmpfd = -1;
	s->pid = (long)getpid();
	s->cfg = *cfg;
	if ((s->dir = strdup(cfg->dir)) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	s->cfg.dir = s->dir;
	s->rng = clock_mono_us() | 1;
	snprintf(path, sizeof(path), "%s/objects", s->dir);
	if (store_mkdirs(path) == -1) {
		*err = "cannot create the cache directory";
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/tmp", s->dir);
	if (store_mkdirs(path) == -1) {
		*err = "cannot create the cache directory";
		goto fail;
	}
	if (store_lock(s) == -1) {
		*err = "the cache directory is in use by another fabrik "
		       "process";
		goto fail;
	}
	store_sweep_tmp(s);
	if ((s->objfd = store_open_dir(s->dir, "objects")) == -1 ||
	    (s->tmpfd = store_open_dir(s->dir, "tmp")) == -1) {
		*err = "cannot open the cache directory";
		store_unlock(s);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/index", s->dir);
	if ((s->ix = index_open(path, &state, err)) == NULL) {
		store_unlock(s);
		goto fail;
	}
	if (state == INDEX_OPEN_NEW) {
		t0 = clock_mono_ms();
		s->st.rebuilds++;
		store_sweep_objects_top(s);
		store_walk(s, store_rebuild_one, NULL);
		if (s->st.rebuild_objects > 0 || s->st.integrity_drops > 0)
			log_info("index rebuilt from %llu objects in %llu ms "
				 "(%llu damaged files removed)",
			    (unsigned long long)s->st.rebuild_objects,
			    (unsigned long long)(clock_mono_ms() - t0),
			    (unsigned long long)s->st.integrity_drops);
	}
	return s;
fail:
	/* A lock file this process holds is never opened twice (see
	 * store_lock()), so closing this descriptor releases nothing. */
	if (s->lockfd != -1)
		close(s->lockfd);
	if (s->objfd != -1)
		close(s->objfd);
	if (s->tmpfd != -1)
		close(s->tmpfd);
	free(s->dir);
	free(s);
	return NULL;
}

/* "Written by this process" means nothing to the next one. */
static void
store_unmark_clean(struct store *s)
{
	uint64_t cap = index_capacity(s->ix), i;
	struct index_rec *r;

	for (i = 0; i < cap; i++) {
		r = index_slot(s->ix, i);
		if (r->used && (r->flags & INDEX_F_CLEAN) != 0)
			r->flags &= (uint16_t)~INDEX_F_CLEAN;
	}
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_spares_trim(s, 0);
	free(s->readers);
	if (s->marked_clean)
		store_unmark_clean(s);
	index_close(s->ix);
	store_unlock(s);
	close(s->objfd);
	close(s->tmpfd);
	free(s->dir);
	free(s);
}

void
store_reconfigure(struct store *s, const struct store_config *cfg)
{
	s->cfg.max_size = cfg->max_size;
	s->cfg.max_object_size = cfg->max_object_size;
	s->cfg.min_free = cfg->min_free;
	s->cfg.ttl = cfg->ttl;
	s->cfg.lfu_halflife = cfg->lfu_halflife;
	s->cfg.policy = cfg->policy;
	s->cfg.verify = cfg->verify;
	s->cfg.fsync = cfg->fsync;
}

void
store_get_stats(const struct store *s, struct store_stats *out)
{
	*out = s->st;
	out->objects = index_count(s->ix);
	out->bytes = index_total(s->ix);
}

const struct store_config *
store_get_config(const struct store *s)
{
	return &s->cfg;
}

struct index *
store_index(struct store *s)
{
	return s->ix;
}

struct store_fsck_ctx {
	struct store_fsck *f;
	int verify;
};

static void
store_fsck_one(struct store *s, const char *path, const char *name, void *arg)
{
	struct store_fsck_ctx *c = arg;
	unsigned char key[STORE_KEY_LEN], digest[SHA256_LEN];
	unsigned char tmp[65536];
	struct store_obj o;
	struct sha256 h;
	struct stat st;
	uint64_t pos;
	ssize_t n;
	int fd, good;

	c->f->files++;
	if (!store_name_key(name, key) || index_find(s->ix, key) == NULL) {
		c->f->orphans++;
		return;
	}
	if (!c->verify)
		return;
	/* Hash every byte; report only (reads drop corrupt objects). */
	store_obj_init(&o);
	memset(&h, 0, sizeof(h));
	good = (fd = open(path, O_RDONLY | O_CLOEXEC)) != -1 &&
	    fstat(fd, &st) == 0 &&
	    store_read_obj(fd, (uint64_t)st.st_size, STORE_READ_HEADER, &o) ==
		0 &&
	    memcmp(o.key, key, STORE_KEY_LEN) == 0 && sha256_init(&h) == 0;
	o.fd = fd;
	for (pos = 0; good && pos < o.size; pos += (uint64_t)n) {
		n = pread(fd, tmp,
		    o.size - pos < sizeof(tmp) ? (size_t)(o.size - pos)
					       : sizeof(tmp),
		    (off_t)(o.off + pos));
		if (n <= 0)
			good = 0;
		else
			sha256_update(&h, tmp, (size_t)n);
	}
	if (good) {
		sha256_final(&h, digest);
		good = sha_ct_equal(digest, o.sha, SHA256_LEN);
	}
	sha256_release(&h);
	if (!good)
		c->f->corrupt++;
	store_obj_release(&o);
}

int
store_fsck(struct store *s, struct store_fsck *f, int verify_content)
{
	struct store_fsck_ctx c;
	char path[STORE_PATH_MAX];
	uint64_t i, cap = index_capacity(s->ix);
	struct index_rec *r;
	struct stat st;

	memset(f, 0, sizeof(*f));
	c.f = f;
	c.verify = verify_content;
	store_walk(s, store_fsck_one, &c);
	for (i = 0; i < cap; i++) {
		r = index_slot(s->ix, i);
		if (!r->used)
			continue;
		f->records++;
		store_obj_path(s, r->key, path);
		if (stat(path, &st) == -1 || (uint64_t)st.st_size != r->size)
			f->missing++;
	}
	return f->orphans || f->missing || f->corrupt ? -1 : 0;
}
