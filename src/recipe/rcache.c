/*
 * The local-store backend of the recipe cache interface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha.h"
#include "cache/chain.h"
#include "net/loop.h"
#include "recipe/rcache.h"
#include "upstream/upstream.h"

static int
st_get(void *arg, const unsigned char *key, struct buf *data, struct buf *meta)
{
	struct store *st = arg;
	struct store_obj o;
	unsigned char chunk[65536];
	uint64_t pos = 0;
	int64_t n;
	int rc;

	if ((rc = store_get(st, key, &o)) == STORE_MISS)
		return 0;
	if (rc != STORE_OK)
		return -1;
	rc = 1;
	if (o.meta_len > 0 && buf_append(meta, o.meta, o.meta_len) == -1)
		rc = -1;
	else if (o.data != NULL) {
		if (buf_append(data, o.data, (size_t)o.size) == -1)
			rc = -1;
	} else {
		while (rc == 1 && pos < o.size) {
			n = store_obj_read(&o, chunk,
			    o.size - pos > sizeof(chunk)
				? sizeof(chunk)
				: (size_t)(o.size - pos),
			    pos);
			if (n <= 0 || buf_append(data, chunk, (size_t)n) == -1)
				rc = -1;
			else
				pos += (uint64_t)n;
		}
		if (rc == 1 && store_obj_finish(st, &o) == -1)
			rc = 0; /* corrupt: dropped, a miss */
	}
	store_obj_release(&o);
	return rc;
}

static int
st_put(void *arg, const unsigned char *key, int ns, const void *data,
    size_t len, const void *meta, size_t meta_len, const char **why)
{
	int rc = store_put_buf(arg, key, ns, data, len, meta, meta_len, NULL);

	if (rc != STORE_OK) {
		*why = store_strerror(rc);
		return -1;
	}
	return 0;
}

static int
st_del(void *arg, const unsigned char *key)
{
	return store_del(arg, key) < 0 ? -1 : 0;
}

static const struct rcache_ops st_ops = { st_get, st_put, st_del };

void
rcache_store_init(struct rcache *rc, struct store *st)
{
	rc->ops = &st_ops;
	rc->arg = st;
	rc->where = "local store";
}

/* ---- the chain backend ---- */

struct rc_chain {
	struct chain *c;
	struct loop *l;
	int done, rc;
};

/* Runs the loop until a callback set x->done. */
static void
rc_chain_wait(struct rc_chain *x)
{
	while (!x->done)
		if (loop_run(x->l) == -1)
			break;
}

static void
rc_chain_cb(void *arg, int rc)
{
	struct rc_chain *x = arg;

	x->done = 1;
	x->rc = rc;
	loop_stop(x->l);
}

static int
ch_get(void *arg, const unsigned char *key, struct buf *data, struct buf *meta)
{
	struct rc_chain *x = arg;
	int rc = st_get(chain_store(x->c), key, data, meta);

	if (rc != 0)
		return rc;
	x->done = 0;
	if (chain_fetch(x->c, key, STORE_NS_NONE, rc_chain_cb, x) == NULL)
		return 0;
	rc_chain_wait(x);
	if (x->rc != STORE_OK)
		return 0;
	return st_get(chain_store(x->c), key, data, meta);
}

static int
ch_put(void *arg, const unsigned char *key, int ns, const void *data,
    size_t len, const void *meta, size_t meta_len, const char **why)
{
	struct rc_chain *x = arg;
	struct store_writer *w;
	int rc;

	if ((rc = chain_put_begin(x->c, key, ns, (int64_t)len, meta, meta_len,
		 &w)) != STORE_OK) {
		*why = store_strerror(rc);
		return -1;
	}
	if ((rc = store_put_write(w, data, len)) != STORE_OK) {
		chain_put_abort(x->c, w, ns);
		*why = store_strerror(rc);
		return -1;
	}
	if ((rc = chain_put_commit(x->c, w, ns, len, NULL)) != STORE_OK) {
		*why = store_strerror(rc);
		return -1;
	}
	x->done = 0;
	if (chain_wait_uploads(x->c, key, 1, rc_chain_cb, x) != NULL)
		rc_chain_wait(x);
	return 0;
}

static int
ch_del(void *arg, const unsigned char *key)
{
	struct rc_chain *x = arg;

	return chain_del(x->c, key) < 0 ? -1 : 0;
}

static const struct rcache_ops ch_ops = { ch_get, ch_put, ch_del };

/* ---- the upstream backend ---- */

struct rc_up {
	struct upstream up;
	struct loop *l;
	int done, rc;
	struct upstream_info info;
	unsigned char meta[STORE_META_MAX];
	struct buf *data, *metabuf;
	struct sha256 h;
	int hashing;
	const unsigned char *src;
	size_t src_len;
	uint64_t got; /* content bytes received by up_data */
	char err[256]; /* why the last operation failed */
	const char *where;
};

static void
rc_up_wait(struct rc_up *x)
{
	while (!x->done)
		if (loop_run(x->l) == -1)
			break;
}

static int
up_head(void *arg, const struct upstream_info *in)
{
	struct rc_up *x = arg;

	if (in->meta_len > sizeof(x->meta) || sha256_init(&x->h) == -1)
		return -1;
	x->hashing = 1;
	x->got = 0;
	x->info = *in;
	memcpy(x->meta, in->meta, in->meta_len);
	x->info.meta = x->meta;
	return 0;
}

static int
up_data(void *arg, const void *p, size_t n)
{
	struct rc_up *x = arg;

	if (n > x->info.size - x->got)
		return -1; /* more than announced */
	x->got += n;
	sha256_update(&x->h, p, n);
	return buf_append(x->data, p, n) == -1 ? -1 : 0;
}

static void
up_done(void *arg, int rc, const char *err)
{
	struct rc_up *x = arg;

	snprintf(x->err, sizeof(x->err), "%s", err != NULL ? err : "failed");
	x->done = 1;
	x->rc = rc;
	loop_stop(x->l);
}

static int
up_get(void *arg, const unsigned char *key, struct buf *data, struct buf *meta)
{
	struct rc_up *x = arg;
	static const struct upstream_get_cb cb = { up_head, up_data, up_done };
	unsigned char sha[SHA256_LEN];
	const char *err = NULL;
	size_t start = data->len;

	x->data = data;
	x->done = 0;
	x->hashing = 0;
	if (x->up.ops->get(x->up.impl, key, &cb, x, &err) == NULL)
		return -1;
	rc_up_wait(x);
	if (x->hashing) {
		sha256_final(&x->h, sha);
		sha256_release(&x->h);
	}
	if (x->rc != UPSTREAM_OK || !x->hashing ||
	    data->len - start != x->info.size ||
	    memcmp(sha, x->info.sha, SHA256_LEN) != 0) {
		data->len = start;
		if (x->rc == UPSTREAM_MISS)
			return 0;
		fprintf(stderr, "[fabrik] warning: %s: %s\n", x->where,
		    x->rc == UPSTREAM_OK
			? "the object does not match its digest"
			: x->err);
		return -1;
	}
	if (x->info.meta_len > 0 &&
	    buf_append(meta, x->meta, x->info.meta_len) == -1)
		return -1;
	return 1;
}

static int64_t
up_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct rc_up *x = arg;

	if (pos >= x->src_len)
		return 0;
	if (n > x->src_len - pos)
		n = x->src_len - (size_t)pos;
	memcpy(out, x->src + pos, n);
	return (int64_t)n;
}

static int
up_put(void *arg, const unsigned char *key, int ns, const void *data,
    size_t len, const void *meta, size_t meta_len, const char **why)
{
	struct rc_up *x = arg;
	struct upstream_info in;
	struct upstream_src src;

	memset(&in, 0, sizeof(in));
	in.ns = ns;
	in.size = len;
	sha256(data, len, in.sha);
	in.meta = meta;
	in.meta_len = meta_len;
	x->src = data;
	x->src_len = len;
	src.read = up_read;
	src.arg = x;
	x->done = 0;
	if (x->up.ops->put(x->up.impl, key, &in, &src, up_done, x, why) == NULL)
		return -1;
	rc_up_wait(x);
	if (x->rc != UPSTREAM_OK) {
		*why = x->err;
		return -1;
	}
	return 0;
}

static int
up_del(void *arg, const unsigned char *key)
{
	struct rc_up *x = arg;
	const char *err;

	x->done = 0;
	if (x->up.ops->del(x->up.impl, key, up_done, x, &err) == NULL)
		return -1;
	rc_up_wait(x);
	return x->rc == UPSTREAM_FAIL ? -1 : 0;
}

static const struct rcache_ops up_ops = { up_get, up_put, up_del };

struct rcache *
rcache_chain_new(struct chain *c, struct loop *l)
{
	struct rcache *rc = calloc(1, sizeof(*rc));
	struct rc_chain *x = calloc(1, sizeof(*x));

	if (rc == NULL || x == NULL) {
		free(rc);
		free(x);
		return NULL;
	}
	x->c = c;
	x->l = l;
	rc->ops = &ch_ops;
	rc->arg = x;
	rc->where = "cache chain";
	return rc;
}

struct rcache *
rcache_upstream_new(struct upstream *up, struct loop *l, const char *where)
{
	struct rcache *rc = calloc(1, sizeof(*rc));
	struct rc_up *x = calloc(1, sizeof(*x));

	if (rc == NULL || x == NULL) {
		free(rc);
		free(x);
		upstream_free(up);
		return NULL;
	}
	x->up = *up;
	x->l = l;
	x->where = where;
	rc->ops = &up_ops;
	rc->arg = x;
	rc->where = where;
	return rc;
}

void
rcache_free(struct rcache *rc)
{
	if (rc == NULL)
		return;
	if (rc->ops == &up_ops)
		upstream_free(&((struct rc_up *)rc->arg)->up);
	if (rc->ops != &st_ops)
		free(rc->arg);
	free(rc);
}
