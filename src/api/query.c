/*
 * Cache query API over the store index.  Untrusted input: the request
 * path and query string (at most QUERY_MAX_QUERY bytes; every decoded name
 * and value at most QUERY_MAX_VALUE bytes; numbers range-checked).  The
 * only allocation a client controls is the page heap, bounded by
 * min(offset + limit, objects - offset + limit) entries.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "base/clock.h"
#include "base/hex.h"
#include "base/units.h"
#include "cache/stats.h"

enum query_sort {
	QUERY_SORT_INDEX, /* table order: stable while nothing changes */
	QUERY_SORT_SIZE_DESC,
	QUERY_SORT_SIZE_ASC,
	QUERY_SORT_LAST_ACCESSED, /* most recent first */
	QUERY_SORT_ACCESS_COUNT, /* most hits first */
};

static const char *const query_sort_names[] = {
	[QUERY_SORT_INDEX] = "index",
	[QUERY_SORT_SIZE_DESC] = "size_desc",
	[QUERY_SORT_SIZE_ASC] = "size_asc",
	[QUERY_SORT_LAST_ACCESSED] = "last_accessed",
	[QUERY_SORT_ACCESS_COUNT] = "access_count",
};

struct query_req {
	unsigned char prefix[2 * INDEX_KEY_LEN]; /* hash prefix, nibbles */
	size_t nprefix;
	uint64_t min_size, max_size;
	int ns; /* build system, -1 = any */
	int filtered;
	enum query_sort sort;
	uint64_t limit, offset;
};

/* Endpoints, for the parameter table. */
#define QUERY_LIST 1
#define QUERY_TOP 2
#define QUERY_SEARCH 4

struct query_param {
	const char *name;
	int endpoints;
	int (*parse)(struct query_req *, const char *, const char **msg);
};

static int
query_parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	unsigned long long n;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
query_p_limit(struct query_req *q, const char *v, const char **msg)
{
	*msg = "limit must be an integer from 0 to 1000";
	return query_parse_uint(v, QUERY_MAX_LIMIT, &q->limit);
}

static int
query_p_offset(struct query_req *q, const char *v, const char **msg)
{
	*msg = "offset must be a non-negative integer";
	return query_parse_uint(v, UINT32_MAX, &q->offset);
}

static int
query_p_sort(struct query_req *q, const char *v, const char **msg)
{
	size_t i;

	for (i = 0; i < sizeof(query_sort_names) / sizeof(query_sort_names[0]);
	     i++)
		if (strcmp(v, query_sort_names[i]) == 0) {
			q->sort = (enum query_sort)i;
			return 0;
		}
	*msg = "sort must be size_desc, size_asc, last_accessed, "
	       "access_count or index";
	return -1;
}

static int
query_p_query(struct query_req *q, const char *v, const char **msg)
{
	size_t i, n = strlen(v);
	int d;

	*msg = "query must be a prefix of a hash: up to 64 hex digits";
	if (n > sizeof(q->prefix))
		return -1;
	for (i = 0; i < n; i++) {
		if ((d = hex_digit((unsigned char)v[i])) == -1)
			return -1;
		q->prefix[i] = (unsigned char)d;
	}
	q->nprefix = n;
	q->filtered = 1;
	return 0;
}

static int
query_p_size(const char *v, uint64_t *out, const char **msg)
{
	const char *err;

	*msg = "a size such as 1048576, 512KiB or 1MB";
	if (*v == '\0' || units_parse_size(v, out, &err) == -1)
		return -1;
	return 0;
}

static int
query_p_min_size(struct query_req *q, const char *v, const char **msg)
{
	q->filtered = 1;
	if (query_p_size(v, &q->min_size, msg) == -1) {
		*msg = "min_size must be a size such as 1048576, 512KiB or 1MB";
		return -1;
	}
	return 0;
}

static int
query_p_max_size(struct query_req *q, const char *v, const char **msg)
{
	q->filtered = 1;
	if (query_p_size(v, &q->max_size, msg) == -1) {
		*msg = "max_size must be a size such as 1048576, 512KiB or 1MB";
		return -1;
	}
	return 0;
}

static int
query_p_build_system(struct query_req *q, const char *v, const char **msg)
{
	*msg = "unknown build_system (gradle, bazel-ac, bazel-cas, nx, turbo, "
	       "ccache, nix, s3, oci, script, recipe, fabrik, sccache, none)";
	q->filtered = 1;
	return (q->ns = store_ns_parse(v)) == -1 ? -1 : 0;
}

static const struct query_param query_params[] = {
	{ "limit", QUERY_LIST | QUERY_TOP | QUERY_SEARCH, query_p_limit },
	{ "offset", QUERY_LIST | QUERY_SEARCH, query_p_offset },
	{ "sort", QUERY_LIST | QUERY_SEARCH, query_p_sort },
	{ "query", QUERY_SEARCH, query_p_query },
	{ "min_size", QUERY_SEARCH, query_p_min_size },
	{ "max_size", QUERY_SEARCH, query_p_max_size },
	{ "build_system", QUERY_SEARCH, query_p_build_system },
};

/* Percent-decodes s[0..n) ('+' is a space) into out (QUERY_MAX_VALUE + 1
 * bytes).  -1 on a bad escape, an embedded NUL or overflow. */
static int
query_decode(const unsigned char *s, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (o == QUERY_MAX_VALUE)
			return -1;
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			hi = hex_digit(s[i + 1]);
			lo = hex_digit(s[i + 2]);
			if (hi == -1 || lo == -1 || (hi == 0 && lo == 0))
				return -1;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i] == '+' ? ' ' : (char)s[i];
	}
	out[o] = '\0';
	return 0;
}

/* Parses the query string for an endpoint.  0, or -1 after answering
 * 400 naming the parameter. */
static int
query_parse(struct http_req *r, int endpoint, struct query_req *q)
{
	struct span qs = http_req_query(r);
	const unsigned char *p = qs.p, *end = qs.p + qs.len, *amp, *eq;
	char name[QUERY_MAX_VALUE + 1], value[QUERY_MAX_VALUE + 1];
	const char *msg;
	size_t i;

	if (qs.len > QUERY_MAX_QUERY) {
		api_reply_error(r, 400, "query string too long", NULL);
		return -1;
	}
	while (p != NULL && p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (query_decode(p, (size_t)(eq - p), name) == -1) {
			api_reply_error(r, 400, "malformed query string", NULL);
			return -1;
		}
		if (query_decode(eq < amp ? eq + 1 : eq,
			(size_t)(amp - (eq < amp ? eq + 1 : eq)),
			value) == -1) {
			api_reply_error(r, 400,
			    "malformed or over-long parameter value", name);
			return -1;
		}
		for (i = 0; i < sizeof(query_params) / sizeof(query_params[0]);
		     i++)
			if ((query_params[i].endpoints & endpoint) != 0 &&
			    strcmp(name, query_params[i].name) == 0)
				break;
		if (i == sizeof(query_params) / sizeof(query_params[0])) {
			api_reply_error(r, 400,
			    "unknown parameter for this endpoint", name);
			return -1;
		}
		if (query_params[i].parse(q, value, &msg) == -1) {
			api_reply_error(r, 400, msg, name);
			return -1;
		}
		p = amp < end ? amp + 1 : end;
	}
	if (q->min_size > q->max_size) {
		api_reply_error(
		    r, 400, "min_size is larger than max_size", "min_size");
		return -1;
	}
	return 0;
}

static int
query_match(const struct query_req *q, const struct index_rec *rec)
{
	size_t i;
	unsigned nib;

	if (!q->filtered)
		return 1;
	if (rec->size < q->min_size || rec->size > q->max_size)
		return 0;
	if (q->ns != -1 && rec->ns != q->ns)
		return 0;
	for (i = 0; i < q->nprefix; i++) {
		nib = i % 2 == 0 ? rec->key[i / 2] >> 4 : rec->key[i / 2] & 0xf;
		if (nib != q->prefix[i])
			return 0;
	}
	return 1;
}

static uint32_t
query_last_access(const struct index_rec *rec)
{
	return rec->atime > rec->created ? rec->atime : rec->created;
}

/*
 * The page heap.  Entries are ordered by (primary, key): primary is
 * chosen per sort so that smaller comes first, and the key makes the
 * order total, so consecutive pages neither repeat nor skip an object.
 * The heap keeps the k entries that come first ("rev": last); its root is
 * the one that comes last (first) among them.
 */
struct query_ent {
	uint64_t primary;
	uint64_t key8; /* the key's first 8 bytes, big-endian */
	uint64_t slot;
};

struct query_heap {
	struct index *ix;
	struct query_ent *e;
	size_t n, k;
	int rev;
};

static void
query_ent_make(enum query_sort sort, uint64_t slot, const struct index_rec *rec,
    struct query_ent *e)
{
	size_t i;

	switch (sort) {
	case QUERY_SORT_SIZE_DESC:
		e->primary = UINT64_MAX - rec->size;
		break;
	case QUERY_SORT_SIZE_ASC:
		e->primary = rec->size;
		break;
	case QUERY_SORT_LAST_ACCESSED:
		e->primary = UINT64_MAX - query_last_access(rec);
		break;
	case QUERY_SORT_ACCESS_COUNT:
		e->primary = UINT64_MAX - rec->count;
		break;
	default:
		e->primary = slot;
		break;
	}
	e->key8 = 0;
	for (i = 0; i < 8; i++)
		e->key8 = e->key8 << 8 | rec->key[i];
	e->slot = slot;
}

/* Does a come before b in the heap's order? */
static int
query_before(const struct query_heap *h, const struct query_ent *a,
    const struct query_ent *b)
{
	const struct query_ent *x = h->rev ? b : a, *y = h->rev ? a : b;

	if (x->primary != y->primary)
		return x->primary < y->primary;
	if (x->key8 != y->key8)
		return x->key8 < y->key8;
	return memcmp(index_slot(h->ix, x->slot)->key,
		   index_slot(h->ix, y->slot)->key, INDEX_KEY_LEN) < 0;
}

static void
query_swap(struct query_ent *a, struct query_ent *b)
{
	struct query_ent t = *a;

	*a = *b;
	*b = t;
}

/* Restores the heap below i within the first n entries: a parent never
 * comes before its children. */
static void
query_sift_down(struct query_heap *h, size_t i, size_t n)
{
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && query_before(h, &h->e[c], &h->e[c + 1]))
			c++;
		if (!query_before(h, &h->e[i], &h->e[c]))
			return;
		query_swap(&h->e[i], &h->e[c]);
		i = c;
	}
}

static void
query_offer(struct query_heap *h, const struct query_ent *e)
{
	size_t i, parent;

	if (h->n < h->k) {
		i = h->n++;
		h->e[i] = *e;
		while (i > 0) {
			parent = (i - 1) / 2;
			if (!query_before(h, &h->e[parent], &h->e[i]))
				break;
			query_swap(&h->e[parent], &h->e[i]);
			i = parent;
		}
		return;
	}
	if (h->k > 0 && query_before(h, e, &h->e[0])) {
		h->e[0] = *e;
		query_sift_down(h, 0, h->n);
	}
}

/* Heapsort: afterwards e[0..n) runs in the heap's order. */
static void
query_heap_sort(struct query_heap *h)
{
	size_t end;

	for (end = h->n; end > 1; end--) {
		query_swap(&h->e[0], &h->e[end - 1]);
		query_sift_down(h, 0, end - 1);
	}
}

static void
query_write_item(struct json_writer *w, const struct index_rec *rec)
{
	char hex[2 * INDEX_KEY_LEN + 1], ts[32];

	hex_encode(hex, rec->key, INDEX_KEY_LEN);
	json_obj_begin(w);
	json_key(w, "hash");
	json_cstr(w, hex);
	json_key(w, "size_bytes");
	json_uint(w, rec->size);
	json_key(w, "build_system");
	json_cstr(w, store_ns_name(rec->ns));
	json_key(w, "created_at");
	clock_format_rfc3339(rec->created, ts, sizeof(ts));
	json_cstr(w, ts);
	json_key(w, "last_accessed");
	clock_format_rfc3339(query_last_access(rec), ts, sizeof(ts));
	json_cstr(w, ts);
	json_key(w, "access_count");
	json_uint(w, rec->count);
	json_obj_end(w);
}

/* Counts the objects that pass the filter. */
static uint64_t
query_count(struct index *ix, const struct query_req *q)
{
	uint64_t i, cap = index_capacity(ix), n = 0;
	const struct index_rec *rec;

	if (!q->filtered)
		return index_count(ix);
	for (i = 0; i < cap; i++) {
		rec = index_slot(ix, i);
		if (rec->used && query_match(q, rec))
			n++;
	}
	return n;
}

/* Table order: keeps only the page's slots, in order, and stops at the
 * end of the page when there is no filter.  Returns the total. */
static uint64_t
query_walk_index(
    struct index *ix, const struct query_req *q, struct query_heap *h)
{
	uint64_t i, cap = index_capacity(ix), rank = 0;
	const struct index_rec *rec;

	for (i = 0; i < cap; i++) {
		rec = index_slot(ix, i);
		if (!rec->used || !query_match(q, rec))
			continue;
		if (rank >= q->offset && h->n < h->k)
			h->e[h->n++].slot = i;
		rank++;
		if (!q->filtered && rank >= q->offset && h->n == h->k)
			return index_count(ix);
	}
	return rank;
}

/* Sorted: offers every match to the heap.  Returns the total. */
static uint64_t
query_walk_sorted(
    struct index *ix, const struct query_req *q, struct query_heap *h)
{
	uint64_t i, cap = index_capacity(ix), total = 0;
	const struct index_rec *rec;
	struct query_ent e;

	for (i = 0; i < cap; i++) {
		rec = index_slot(ix, i);
		if (!rec->used || !query_match(q, rec))
			continue;
		total++;
		if (h->k == 0)
			continue;
		query_ent_make(q->sort, i, rec, &e);
		query_offer(h, &e);
	}
	query_heap_sort(h);
	return total;
}

/* Answers one page: {"total", "offset", "limit", "sort", "items"}. */
static void
query_page(
    struct http_req *r, const struct api_env *env, const struct query_req *q)
{
	struct index *ix = store_index(env->store);
	uint64_t total, known, first, last;
	struct query_heap h;
	struct json_writer w;
	struct buf out;
	size_t j;

	memset(&h, 0, sizeof(h));
	h.ix = ix;
	if (q->sort == QUERY_SORT_INDEX)
		h.k = (size_t)q->limit;
	else {
		/* The total is needed first only to pick the smaller heap
		 * for deep pages; a filter then costs one more walk. */
		known = q->offset > 0 ? query_count(ix, q) : 0;
		if (q->offset > 0 && q->offset >= known)
			h.k = 0;
		else if (q->offset > 0 &&
		    known - q->offset < q->offset + q->limit) {
			/* Keep the last known - offset instead of the
			 * first offset + limit. */
			h.rev = 1;
			h.k = (size_t)(known - q->offset);
		} else
			h.k = (size_t)(q->offset + q->limit);
	}
	if (h.k > 0 && (h.e = malloc(h.k * sizeof(*h.e))) == NULL) {
		api_reply_error(r, 500, "out of memory", NULL);
		return;
	}
	if (q->sort == QUERY_SORT_INDEX) {
		total = query_walk_index(ix, q, &h);
		first = 0;
	} else {
		total = query_walk_sorted(ix, q, &h);
		first = q->offset < h.n ? q->offset : h.n;
	}

	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "total");
	json_uint(&w, total);
	json_key(&w, "offset");
	json_uint(&w, q->offset);
	json_key(&w, "limit");
	json_uint(&w, q->limit);
	json_key(&w, "sort");
	json_cstr(&w, query_sort_names[q->sort]);
	json_key(&w, "items");
	json_arr_begin(&w);
	if (!h.rev) {
		last = h.n;
		for (j = (size_t)first; j < (size_t)last; j++)
			query_write_item(&w, index_slot(ix, h.e[j].slot));
	} else {
		/* e[0] is the very last object; e[n - 1] is at offset. */
		last = h.n > q->limit ? h.n - q->limit : 0;
		for (j = h.n; j > (size_t)last; j--)
			query_write_item(&w, index_slot(ix, h.e[j - 1].slot));
	}
	json_arr_end(&w);
	json_obj_end(&w);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
	free(h.e);
}

static void
query_one(struct http_req *r, const struct api_env *env, struct span hash)
{
	unsigned char key[INDEX_KEY_LEN];
	const struct index_rec *rec;
	struct json_writer w;
	struct buf out;
	char hex[2 * INDEX_KEY_LEN + 1];

	if (hash.len != 2 * INDEX_KEY_LEN) {
		api_reply_error(r, 400, "hash must be 64 hex digits", "hash");
		return;
	}
	memcpy(hex, hash.p, hash.len);
	hex[hash.len] = '\0';
	if (hex_decode(key, hex, INDEX_KEY_LEN) == -1) {
		api_reply_error(r, 400, "hash must be 64 hex digits", "hash");
		return;
	}
	if ((rec = index_find(store_index(env->store), key)) == NULL) {
		api_reply_error(r, 404, "no such artifact", "hash");
		return;
	}
	buf_init(&out);
	json_writer_init(&w, &out);
	query_write_item(&w, rec);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
}

void
query_handle(struct http_req *r, const struct api_env *env)
{
	static const char base[] = "/api/v1/artifacts";
	struct span path = http_req_path(r), rest;
	struct query_req q;
	int endpoint;

	memset(&q, 0, sizeof(q));
	q.ns = -1;
	q.max_size = UINT64_MAX;
	q.limit = QUERY_DEFAULT_LIMIT;
	rest =
	    span_make(path.p + sizeof(base) - 1, path.len - sizeof(base) + 1);
	if (rest.len == 0)
		endpoint = QUERY_LIST;
	else if (span_eq_str(rest, "/top")) {
		endpoint = QUERY_TOP;
		q.limit = QUERY_TOP_DEFAULT;
		q.sort = QUERY_SORT_ACCESS_COUNT;
	} else if (span_eq_str(rest, "/search"))
		endpoint = QUERY_SEARCH;
	else if (memchr(rest.p + 1, '/', rest.len - 1) == NULL) {
		if (http_req_query(r).len > 0) {
			api_reply_error(
			    r, 400, "this endpoint takes no parameters", NULL);
			return;
		}
		query_one(r, env, span_make(rest.p + 1, rest.len - 1));
		return;
	} else {
		api_reply_error(r, 404, "no such endpoint", NULL);
		return;
	}
	if (query_parse(r, endpoint, &q) == -1)
		return;
	query_page(r, env, &q);
}

void
query_write_build_systems(struct json_writer *w, struct store *s)
{
	struct index *ix = store_index(s);
	uint64_t objects[STORE_NS_COUNT], bytes[STORE_NS_COUNT];
	uint64_t i, cap = index_capacity(ix);
	const struct index_rec *rec;
	int ns;

	memset(objects, 0, sizeof(objects));
	memset(bytes, 0, sizeof(bytes));
	for (i = 0; i < cap; i++) {
		rec = index_slot(ix, i);
		if (!rec->used)
			continue;
		ns = rec->ns < STORE_NS_COUNT ? rec->ns : STORE_NS_NONE;
		objects[ns]++;
		bytes[ns] += rec->size;
	}
	json_obj_begin(w);
	for (ns = 0; ns < STORE_NS_COUNT; ns++) {
		if (objects[ns] == 0)
			continue;
		json_key(w, store_ns_name(ns));
		json_obj_begin(w);
		json_key(w, "objects");
		json_uint(w, objects[ns]);
		json_key(w, "bytes");
		json_uint(w, bytes[ns]);
		json_obj_end(w);
	}
	json_obj_end(w);
}

double
query_eviction_rate(const struct store_stats *st)
{
	int64_t up = clock_wall() - stats.started;

	/* Less than a minute of uptime would turn one eviction into a
	 * huge rate: count at least a minute. */
	if (up < 60)
		up = 60;
	return (double)st->evictions * 3600.0 / (double)up;
}
