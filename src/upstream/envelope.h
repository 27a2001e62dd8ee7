/*
 * The envelope of an object kept in an S3 upstream: a fixed 80-byte head
 * (magic, version, namespace, metadata length, content size, the SHA-256
 * of the content and the key the object belongs to), the metadata, then
 * the content.  Pure codec; the layout is doc/format-upstream.md.  The
 * reader checks the key and (through the store) the digest, so an object
 * that was damaged or written under the wrong name is a miss, never a
 * wrong hit.
 */
#ifndef FABRIK_ENVELOPE_H
#define FABRIK_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define ENVELOPE_HEAD_LEN 80
#define ENVELOPE_KEY_LEN 32
#define ENVELOPE_SHA_LEN 32
/* Largest metadata accepted (the local store keeps at most 4 KiB). */
#ifndef ENVELOPE_META_MAX
#define ENVELOPE_META_MAX 4096
#endif

struct envelope {
	int ns;
	uint64_t size; /* content bytes */
	unsigned char sha[ENVELOPE_SHA_LEN];
	unsigned char key[ENVELOPE_KEY_LEN];
	size_t meta_len;
};

/* Writes the head for e into out[ENVELOPE_HEAD_LEN]. */
void envelope_encode(const struct envelope *e, unsigned char *out);

/*
 * Incremental reader: feed bytes as they arrive.  Until the head and the
 * metadata are complete, bytes are buffered; afterwards envelope_feed()
 * reports how many leading bytes of the current chunk belonged to the
 * head/metadata, and the rest is content.
 */
struct envelope_reader {
	struct envelope e;
	unsigned char head[ENVELOPE_HEAD_LEN];
	unsigned char meta[ENVELOPE_META_MAX];
	size_t have; /* head + meta bytes buffered */
	int state; /* 0 head, 1 meta, 2 content */
	const char *err;
};

void envelope_reader_init(struct envelope_reader *);
/*
 * Consumes from p[0..n): returns the number of bytes taken as head or
 * metadata (0..n); when r->state becomes 2 the envelope and r->meta are
 * complete and p[ret..n) is content.  Returns -1 with r->err on a bad
 * magic, version, namespace or metadata length.
 */
long envelope_feed(struct envelope_reader *r, const unsigned char *p, size_t n);
/* 1 when the head and the metadata are complete. */
int envelope_ready(const struct envelope_reader *r);

/* The S3 key of an object, "objects/ab/<64 hex>": 75 bytes and a NUL. */
#define ENVELOPE_OBJKEY_LEN 76
void envelope_object_key(const unsigned char *key, char *out);

#endif
