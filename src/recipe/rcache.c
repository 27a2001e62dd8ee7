/*
 * The local-store backend of the recipe cache interface.
 */
#include "recipe/rcache.h"

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
