/*
 * The mmap'd store index.  Untrusted input: the index file itself, which
 * may be truncated, damaged or from another build; every header field is
 * checked (magic, version, record size, capacity a power of two matching
 * the file size, a CRC32 over the header) before the table is used, and
 * any doubt makes the caller rebuild from objects/.
 *
 *  0        8        12       16               24               32
 *  +--------+--------+--------+----------------+----------------+
 *  | magic  | version| recsize| capacity       | count          |
 *  +--------+--------+--------+----------------+----------------+
 *  | total bytes     | clean  | crc32  |  ... zero to 4096 ...   |
 *  +-----------------+--------+--------+-------------------------+
 *  | record 0 (72 bytes) | record 1 | ...  capacity records      |
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "store/index.h"

#define INDEX_MAGIC "FABIDX01"
#define INDEX_VERSION 1
#define INDEX_HDR_SIZE 4096

struct index_hdr {
	char magic[8];
	uint32_t version;
	uint32_t recsize;
	uint64_t capacity;
	uint64_t count;
	uint64_t total;
	uint32_t clean;
	uint32_t crc;
};

struct index {
	char *path;
	int fd;
	unsigned char *map;
	size_t maplen;
	struct index_hdr *hdr;
	struct index_rec *recs;
	uint64_t mask;
};

static uint32_t
index_hdr_crc(const struct index_hdr *h)
{
	return (uint32_t)crc32(
	    0L, (const Bytef *)h, (uInt)offsetof(struct index_hdr, crc));
}

static size_t
index_file_size(uint64_t cap)
{
	return INDEX_HDR_SIZE + (size_t)cap * sizeof(struct index_rec);
}

static int
index_map(struct index *ix, size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, ix->fd, 0);
	if (p == MAP_FAILED)
		return -1;
	ix->map = p;
	ix->maplen = len;
	ix->hdr = (struct index_hdr *)ix->map;
	ix->recs = (struct index_rec *)(ix->map + INDEX_HDR_SIZE);
	return 0;
}

/* Creates a fresh, empty table of cap slots in fd. */
static int
index_format(int fd, uint64_t cap)
{
	struct index_hdr h;
	unsigned char page[INDEX_HDR_SIZE];

	static const unsigned char zero[65536];
	size_t left, n;
	off_t off;

	if (ftruncate(fd, 0) == -1)
		return -1;
	/* Write every byte rather than ftruncate() a sparse file: pages of a
	 * sparse mapping are allocated when first touched, and on a full
	 * file system that is a SIGBUS instead of an error. */
	off = INDEX_HDR_SIZE;
	for (left = index_file_size(cap) - INDEX_HDR_SIZE; left > 0;
	     left -= n) {
		n = left < sizeof(zero) ? left : sizeof(zero);
		if (pwrite(fd, zero, n, off) != (ssize_t)n)
			return -1;
		off += (off_t)n;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, INDEX_MAGIC, 8);
	h.version = INDEX_VERSION;
	h.recsize = sizeof(struct index_rec);
	h.capacity = cap;
	h.crc = index_hdr_crc(&h);
	memset(page, 0, sizeof(page));
	memcpy(page, &h, sizeof(h));
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page))
		return -1;
	return 0;
}

static int
index_hdr_ok(const struct index_hdr *h, off_t filesize)
{
	if (memcmp(h->magic, INDEX_MAGIC, 8) != 0 ||
	    h->version != INDEX_VERSION ||
	    h->recsize != sizeof(struct index_rec) || h->clean != 1 ||
	    h->crc != index_hdr_crc(h))
		return 0;
	if (h->capacity < INDEX_MIN_CAPACITY ||
	    (h->capacity & (h->capacity - 1)) != 0 ||
	    h->capacity > ((uint64_t)1 << 40) ||
	    (off_t)index_file_size(h->capacity) != filesize ||
	    h->count > h->capacity)
		return 0;
	return 1;
}

static void
index_mark(struct index *ix, uint32_t clean)
{
	ix->hdr->clean = clean;
	ix->hdr->crc = index_hdr_crc(ix->hdr);
	msync(ix->map, INDEX_HDR_SIZE, MS_SYNC);
}

struct index *
index_open(const char *path, int *state, const char **err)
{
	struct index *ix = NULL;
	struct index_hdr h;
	struct stat st;
	ssize_t n;

	if ((ix = calloc(1, sizeof(*ix))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	ix->fd = -1;
	if ((ix->path = strdup(path)) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	ix->fd = open(path, O_RDWR | O_CREAT, 0644);
	if (ix->fd == -1) {
		*err = "cannot open index file";
		goto fail;
	}
	fcntl(ix->fd, F_SETFD, FD_CLOEXEC);
	*state = INDEX_OPEN_NEW;
	if (fstat(ix->fd, &st) == 0 && st.st_size >= INDEX_HDR_SIZE) {
		n = pread(ix->fd, &h, sizeof(h), 0);
		if (n == (ssize_t)sizeof(h) && index_hdr_ok(&h, st.st_size))
			*state = INDEX_OPEN_CLEAN;
	}
	if (*state == INDEX_OPEN_NEW &&
	    index_format(ix->fd, INDEX_MIN_CAPACITY) == -1) {
		*err = errno == ENOSPC ? "no space for index file"
				       : "cannot write index file";
		goto fail;
	}
	if (fstat(ix->fd, &st) == -1 ||
	    index_map(ix, (size_t)st.st_size) == -1) {
		*err = "cannot mmap index file";
		goto fail;
	}
	ix->mask = ix->hdr->capacity - 1;
	/* Dirty on disk from now on: a crash makes the next start rebuild. */
	index_mark(ix, 0);
	return ix;
fail:
	if (ix->fd != -1)
		close(ix->fd);
	free(ix->path);
	free(ix);
	return NULL;
}

void
index_sync(struct index *ix)
{
	msync(ix->map, ix->maplen, MS_ASYNC);
}

void
index_close(struct index *ix)
{
	if (ix == NULL)
		return;
	msync(ix->map, ix->maplen, MS_SYNC);
	index_mark(ix, 1);
	munmap(ix->map, ix->maplen);
	close(ix->fd);
	free(ix->path);
	free(ix);
}

static uint64_t
index_hash(const unsigned char *key)
{
	uint64_t h;

	/* Keys are SHA-256 outputs: any 8 bytes are uniformly distributed. */
	memcpy(&h, key, sizeof(h));
	return h;
}

struct index_rec *
index_find(struct index *ix, const unsigned char *key)
{
	uint64_t i = index_hash(key) & ix->mask, n;
	struct index_rec *r;

	/* Bounded by the capacity: a table damaged behind a valid header
	 * may have no empty slot at all. */
	for (n = 0; n <= ix->mask; n++) {
		r = &ix->recs[i];
		if (!r->used)
			return NULL;
		if (memcmp(r->key, key, INDEX_KEY_LEN) == 0)
			return r;
		i = (i + 1) & ix->mask;
	}
	return NULL;
}

/* Doubles the table: builds path.new, rehashes, renames over path. */
static int
index_grow(struct index *ix)
{
	struct index nx;
	uint64_t i, j, ncap = ix->hdr->capacity * 2;
	char *tmp = NULL;
	size_t plen = strlen(ix->path) + 5;
	int rc = -1;

	memset(&nx, 0, sizeof(nx));
	nx.fd = -1;
	if ((tmp = malloc(plen)) == NULL)
		return -1;
	snprintf(tmp, plen, "%s.new", ix->path);
	nx.fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (nx.fd == -1 || index_format(nx.fd, ncap) == -1 ||
	    index_map(&nx, index_file_size(ncap)) == -1)
		goto out;
	nx.mask = ncap - 1;
	for (i = 0; i < ix->hdr->capacity; i++) {
		if (!ix->recs[i].used)
			continue;
		j = index_hash(ix->recs[i].key) & nx.mask;
		while (nx.recs[j].used)
			j = (j + 1) & nx.mask;
		nx.recs[j] = ix->recs[i];
	}
	nx.hdr->count = ix->hdr->count;
	nx.hdr->total = ix->hdr->total;
	nx.hdr->clean = 0;
	nx.hdr->crc = index_hdr_crc(nx.hdr);
	if (msync(nx.map, nx.maplen, MS_SYNC) == -1 ||
	    rename(tmp, ix->path) == -1)
		goto out;
	munmap(ix->map, ix->maplen);
	close(ix->fd);
	ix->fd = nx.fd;
	ix->map = nx.map;
	ix->maplen = nx.maplen;
	ix->hdr = nx.hdr;
	ix->recs = nx.recs;
	ix->mask = nx.mask;
	nx.fd = -1;
	nx.map = NULL;
	rc = 0;
out:
	if (nx.map != NULL)
		munmap(nx.map, nx.maplen);
	if (nx.fd != -1) {
		close(nx.fd);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

struct index_rec *
index_insert(struct index *ix, const unsigned char *key, int *created)
{
	uint64_t i, n;
	struct index_rec *r;

	*created = 0;
	if ((r = index_find(ix, key)) != NULL)
		return r;
	if ((ix->hdr->count + 1) * INDEX_LOAD_DEN >
		ix->hdr->capacity * INDEX_LOAD_NUM &&
	    index_grow(ix) == -1)
		return NULL;
	i = index_hash(key) & ix->mask;
	for (n = 0; ix->recs[i].used; n++) {
		if (n == ix->mask)
			return NULL; /* damaged table: no free slot */
		i = (i + 1) & ix->mask;
	}
	r = &ix->recs[i];
	memset(r, 0, sizeof(*r));
	memcpy(r->key, key, INDEX_KEY_LEN);
	r->used = 1;
	ix->hdr->count++;
	*created = 1;
	return r;
}

void
index_remove(struct index *ix, const unsigned char *key)
{
	struct index_rec *r = index_find(ix, key);
	uint64_t i, j, n, home;

	if (r == NULL)
		return;
	i = (uint64_t)(r - ix->recs);
	memset(r, 0, sizeof(*r));
	if (ix->hdr->count > 0)
		ix->hdr->count--;
	/* Backward-shift: move later members of the probe run into the
	 * hole when their home slot does not lie in (hole, current]. */
	j = i;
	for (n = 0; n < ix->mask; n++) {
		j = (j + 1) & ix->mask;
		if (!ix->recs[j].used)
			break;
		home = index_hash(ix->recs[j].key) & ix->mask;
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			ix->recs[i] = ix->recs[j];
			memset(&ix->recs[j], 0, sizeof(ix->recs[j]));
			i = j;
		}
	}
}

uint64_t
index_count(const struct index *ix)
{
	return ix->hdr->count;
}

uint64_t
index_total(const struct index *ix)
{
	return ix->hdr->total;
}

void
index_add_total(struct index *ix, int64_t delta)
{
	if (delta < 0 && (uint64_t)-delta > ix->hdr->total)
		ix->hdr->total = 0;
	else
		ix->hdr->total += (uint64_t)delta;
}

uint64_t
index_capacity(const struct index *ix)
{
	return ix->hdr->capacity;
}

struct index_rec *
index_slot(struct index *ix, uint64_t i)
{
	return &ix->recs[i];
}
