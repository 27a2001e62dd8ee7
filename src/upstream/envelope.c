/*
 * The upstream object envelope (doc/format-upstream.md).
 */
#include <string.h>

#include "base/hex.h"
#include "upstream/envelope.h"

static const unsigned char magic[4] = { 'F', 'B', 'K', 'U' };
#define VERSION 1
/* Namespace ids are below this (store_ns). */
#define NS_LIMIT 64

static void
put_be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

void
envelope_encode(const struct envelope *e, unsigned char *out)
{
	memcpy(out, magic, 4);
	out[4] = VERSION;
	out[5] = (unsigned char)e->ns;
	put_be(out + 6, e->meta_len, 2);
	put_be(out + 8, e->size, 8);
	memcpy(out + 16, e->sha, ENVELOPE_SHA_LEN);
	memcpy(out + 48, e->key, ENVELOPE_KEY_LEN);
}

void
envelope_reader_init(struct envelope_reader *r)
{
	memset(&r->e, 0, sizeof(r->e));
	r->have = 0;
	r->state = 0;
	r->err = NULL;
}

int
envelope_ready(const struct envelope_reader *r)
{
	return r->state == 2;
}

static int
parse_head(struct envelope_reader *r)
{
	const unsigned char *h = r->head;

	if (memcmp(h, magic, 4) != 0) {
		r->err = "not a Fabrik object (bad magic)";
		return -1;
	}
	if (h[4] != VERSION) {
		r->err = "unknown object envelope version";
		return -1;
	}
	if (h[5] >= NS_LIMIT) {
		r->err = "bad namespace in object envelope";
		return -1;
	}
	r->e.ns = h[5];
	r->e.meta_len = (size_t)get_be(h + 6, 2);
	if (r->e.meta_len > ENVELOPE_META_MAX) {
		r->err = "object metadata too large";
		return -1;
	}
	r->e.size = get_be(h + 8, 8);
	if (r->e.size > (uint64_t)1 << 62) {
		r->err = "bad object size in envelope";
		return -1;
	}
	memcpy(r->e.sha, h + 16, ENVELOPE_SHA_LEN);
	memcpy(r->e.key, h + 48, ENVELOPE_KEY_LEN);
	return 0;
}

long
envelope_feed(struct envelope_reader *r, const unsigned char *p, size_t n)
{
	size_t used = 0, take;

	if (r->state == 0) {
		take = ENVELOPE_HEAD_LEN - r->have;
		if (take > n)
			take = n;
		memcpy(r->head + r->have, p, take);
		r->have += take;
		used += take;
		if (r->have < ENVELOPE_HEAD_LEN)
			return (long)used;
		if (parse_head(r) == -1)
			return -1;
		r->have = 0;
		r->state = 1;
	}
	if (r->state == 1) {
		take = r->e.meta_len - r->have;
		if (take > n - used)
			take = n - used;
		memcpy(r->meta + r->have, p + used, take);
		r->have += take;
		used += take;
		if (r->have == r->e.meta_len)
			r->state = 2;
	}
	return (long)used;
}

void
envelope_object_key(const unsigned char *key, char *out)
{
	char hex[65];

	hex_encode(hex, key, ENVELOPE_KEY_LEN);
	memcpy(out, "objects/", 8);
	out[8] = hex[0];
	out[9] = hex[1];
	out[10] = '/';
	memcpy(out + 11, hex, 64);
	out[75] = '\0';
}
