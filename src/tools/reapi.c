/*
 * REAPI v2 cache services and ByteStream over gRPC (tools/reapi.h).
 *
 * Every request is decoded with pb_decode into the pb/reapi structs
 * (malformed protobuf: INVALID_ARGUMENT).  Untrusted input: messages,
 * digests (64 lowercase hex digits, a size that must match the stored
 * blob), instance names and ByteStream resource names (parsed strictly;
 * none ever names a file), and upload data (hashed by the store writer:
 * a blob is stored only when its bytes match its digest).
 *
 * Action results are stored as the client's bytes under bazel_ac_key(),
 * shared with the HTTP adapter, and served only when every blob they
 * reference is in the CAS; otherwise the answer is NOT_FOUND (a miss).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "cache/stats.h"
#include "http/grpc_frame.h"
#include "pb/reapi.h"
#include "tools/bazel_http.h"
#include "tools/reapi.h"

#define V2 "/build.bazel.remote.execution.v2."

/* SHA-256 of zero bytes: always present, never stored. */
static const unsigned char reapi_empty[SHA256_LEN] = { 0xe3, 0xb0, 0xc4, 0x42,
	0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
	0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b,
	0x78, 0x52, 0xb8, 0x55 };

/* Keywords that may not be an instance name segment. */
static const char *const reapi_reserved[] = { "blobs", "uploads", "actions",
	"actionResults", "operations", "capabilities", "compressed-blobs" };

/* Digest function names that appear in resource names (unsupported). */
static const char *const reapi_other_functions[] = { "sha256tree", "blake3",
	"gitsha1", "sha1", "md5", "sha384", "sha512", "murmur3", "vso" };

/* An upload that may be resumed (ByteStream.Write, QueryWriteStatus). */
struct reapi_upload {
	struct reapi_upload *next;
	char *name; /* the resource name */
	unsigned char digest[SHA256_LEN];
	uint64_t size;
	uint64_t committed; /* bytes written so far */
	struct store_writer *w;
	int attached; /* a Write call is feeding it */
	uint64_t touched; /* clock_mono_ms of the last activity */
};

struct reapi {
	const struct tools_env *env;
	struct reapi_upload *uploads;
	size_t nuploads;
};

struct reapi_node {
	unsigned char digest[SHA256_LEN];
	uint64_t size;
};

/* GetTree's breadth-first walk. */
struct reapi_walk {
	struct reapi_node *q;
	size_t n, cap, head;
	uint32_t *set; /* open addressing: index + 1 into q, 0 empty */
	size_t setcap;
	uint64_t skip; /* directories before the page token */
	uint64_t index; /* position of q[head] in the walk */
	int32_t page_size;
};

/* Per-call state. */
struct reapi_call {
	struct reapi *r;
	struct buf req; /* the request message (unary, server streaming) */
	unsigned nmsg;
	int perms; /* -1 until authenticated */
	/* Read */
	struct store_obj o;
	int has_obj;
	uint64_t pos, end;
	int full; /* the read covers the whole blob (verify at the end) */
	/* GetTree */
	struct reapi_walk *walk;
	/* Write */
	struct reapi_upload *up;
	int write_state; /* 0 none yet, 1 receiving, 2 finish_write seen */
	int64_t write_result;
	/* Upstream fetches before the handler runs again (rc_prefetch). */
	struct rc_wait *waits;
	size_t nwaits, npending;
	int pass; /* times the handler ran again after fetching */
	void (*again)(struct grpc_call *, void *);
};

struct rc_wait {
	struct reapi_call *rc;
	struct grpc_call *call;
	struct chain_wait *w;
};

/* ---- small helpers ---- */

static struct reapi_call *
rc_get(struct grpc_call *call, void *arg)
{
	struct reapi_call *rc = grpc_call_data(call);

	if (rc == NULL) {
		if ((rc = calloc(1, sizeof(*rc))) == NULL)
			return NULL;
		rc->r = arg;
		rc->perms = -1;
		rc->o.fd = -1;
		buf_init(&rc->req);
		grpc_call_set_data(call, rc);
	}
	return rc;
}

static void
walk_free(struct reapi_walk *w)
{
	if (w == NULL)
		return;
	free(w->q);
	free(w->set);
	free(w);
}

static void
rc_release(struct grpc_call *call)
{
	struct reapi_call *rc = grpc_call_data(call);

	if (rc == NULL)
		return;
	grpc_call_set_data(call, NULL);
	grpc_call_on_writable(call, NULL, NULL);
	if (rc->waits != NULL) {
		size_t i;

		for (i = 0; i < rc->nwaits; i++)
			chain_wait_cancel(rc->waits[i].w);
		free(rc->waits);
	}
	if (rc->has_obj)
		store_obj_release(&rc->o);
	if (rc->up != NULL) {
		/* Kept for a later Write to resume (or for the sweep). */
		rc->up->attached = 0;
		rc->up->touched = clock_mono_ms();
	}
	walk_free(rc->walk);
	buf_release(&rc->req);
	free(rc);
}

static void
rc_finish(struct grpc_call *call, int status, const char *msg)
{
	if (status != GRPC_STATUS_OK)
		log_debug("grpc %s: status %d: %s", grpc_call_path(call),
		    status, msg != NULL ? msg : "");
	rc_release(call);
	grpc_call_finish(call, status, msg);
}

/* Sends one encoded message and ends the call with OK. */
static void
rc_reply_raw(struct grpc_call *call, const void *msg, size_t len)
{
	if (grpc_call_send(call, msg, len) == -1) {
		rc_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
		return;
	}
	rc_finish(call, GRPC_STATUS_OK, NULL);
}

static void
rc_reply(struct grpc_call *call, const struct pb_msgdesc *desc, const void *m)
{
	struct buf out;

	buf_init(&out);
	if (pb_encode(desc, m, &out) != 0) {
		buf_release(&out);
		rc_finish(call, GRPC_STATUS_INTERNAL, "cannot encode response");
		return;
	}
	rc_reply_raw(call, out.data, out.len);
	buf_release(&out);
}

static void
rc_cancel(struct grpc_call *call, void *arg)
{
	rc_release(call);
}

/* Unary and server-streaming requests: exactly one message. */
static void
rc_collect(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct reapi_call *rc = rc_get(call, arg);

	if (rc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	if (rc->nmsg++ > 0)
		return; /* refused at on_end */
	if (buf_append(&rc->req, m, len) == -1)
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
}

/*
 * Authenticates the call (metadata "authorization", as for HTTP) and
 * checks the permission need.  Returns 0, or -1 after finishing the call
 * with UNAUTHENTICATED or PERMISSION_DENIED.
 */
static int
rc_auth(struct grpc_call *call, struct reapi_call *rc, int need)
{
	const char *msg;
	int st = tool_grpc_auth(rc->r->env->auth, call, &rc->perms, need, &msg);

	if (st != GRPC_STATUS_OK) {
		rc_finish(call, st, msg);
		return -1;
	}
	return 0;
}

static void
rc_pb_error(struct grpc_call *call, int rc, const char *err)
{
	char msg[160];

	snprintf(
	    msg, sizeof(msg), "malformed request: %s", err != NULL ? err : "?");
	rc_finish(call,
	    rc == PB_ENOMEM ? GRPC_STATUS_RESOURCE_EXHAUSTED
			    : GRPC_STATUS_INVALID_ARGUMENT,
	    msg);
}

/*
 * The start of every unary/server-streaming handler: the call state, one
 * request message, authentication, and the decoded request in *out (with
 * the arena).  Returns the state, or NULL after finishing the call.
 */
static struct reapi_call *
rc_begin(struct grpc_call *call, void *arg, int need,
    const struct pb_msgdesc *desc, void *out, struct pb_arena *arena)
{
	struct reapi_call *rc = rc_get(call, arg);
	const char *err = NULL;
	int prc;

	if (rc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return NULL;
	}
	if (rc_auth(call, rc, need) == -1)
		return NULL;
	if (rc->nmsg != 1) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    rc->nmsg == 0 ? "no request message"
				  : "more than one request message");
		return NULL;
	}
	if ((prc = pb_decode(
		 desc, rc->req.data, rc->req.len, out, arena, &err)) != 0) {
		rc_pb_error(call, prc, err);
		return NULL;
	}
	return rc;
}

static void
rc_fetched(void *arg, int res)
{
	struct rc_wait *w = arg;
	struct reapi_call *rc = w->rc;
	struct grpc_call *call = w->call;

	(void)res;
	w->w = NULL;
	if (--rc->npending > 0)
		return;
	free(rc->waits);
	rc->waits = NULL;
	rc->nwaits = 0;
	rc->pass++;
	rc->again(call, rc->r);
}

/*
 * After local misses: asks the chain's upstreams for the n keys (each
 * fetched into the local store), then runs again(call, arg) anew with
 * rc->pass one higher.  Returns 1 when the call is suspended (return at
 * once), 0 when there is nothing to ask (the misses are final).
 */
static int
rc_prefetch(struct grpc_call *call, struct reapi_call *rc,
    const unsigned char (*keys)[STORE_KEY_LEN], size_t n, int ns,
    void (*again)(struct grpc_call *, void *))
{
	struct chain *ch = rc->r->env->chain;
	size_t i;

	if (n == 0 || chain_nupstreams(ch) == 0 || !chain_fetchable(ch) ||
	    (rc->waits = calloc(n, sizeof(*rc->waits))) == NULL)
		return 0;
	rc->again = again;
	rc->nwaits = n;
	for (i = 0; i < n; i++) {
		rc->waits[i].rc = rc;
		rc->waits[i].call = call;
		rc->waits[i].w =
		    chain_fetch(ch, keys[i], ns, rc_fetched, &rc->waits[i]);
		if (rc->waits[i].w != NULL)
			rc->npending++;
	}
	if (rc->npending == 0) {
		free(rc->waits);
		rc->waits = NULL;
		rc->nwaits = 0;
		return 0;
	}
	return 1;
}

static int
span_is_str(struct span s, const char *str)
{
	return span_eq_str(s, str);
}

/* NULL when s is a valid instance name ("" is the default instance). */
static const char *
instance_check(struct span s)
{
	size_t i, j, start = 0, dots = 0;
	int c;

	if (s.len == 0)
		return NULL;
	if (s.len > BAZEL_HTTP_MAX_INSTANCE)
		return "instance name too long";
	for (i = 0; i <= s.len; i++) {
		c = i < s.len ? s.p[i] : '/';
		if (c == '/') {
			if (i == start || dots == i - start)
				return "malformed instance name";
			for (j = 0; j <
			     sizeof(reapi_reserved) / sizeof(reapi_reserved[0]);
			     j++)
				if (span_is_str(
					span_make(s.p + start, i - start),
					reapi_reserved[j]))
					return "instance name uses a reserved "
					       "word";
			start = i + 1;
			dots = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-' ||
			c == '.'))
			return "malformed instance name";
		if (c == '.')
			dots++;
	}
	return NULL;
}

static const char *
function_check(int32_t df)
{
	if (df == REAPI_DIGEST_UNKNOWN || df == REAPI_DIGEST_SHA256)
		return NULL;
	return "unsupported digest function (SHA256 only)";
}

const char *
reapi_digest_check(const struct reapi_digest *d, unsigned char out[SHA256_LEN])
{
	if (d == NULL)
		return "missing digest";
	if (!tool_is_hex(d->hash, SHA256_HEX_LEN, SHA256_HEX_LEN) ||
	    hex_decode(out, (const char *)d->hash.p, SHA256_LEN) == -1)
		return "malformed digest hash (want 64 lowercase hex digits)";
	if (d->size_bytes < 0)
		return "negative digest size";
	if (d->size_bytes == 0 && memcmp(out, reapi_empty, SHA256_LEN) != 0)
		return "size 0 with a hash other than the empty blob's";
	return NULL;
}

static int
is_empty_blob(const unsigned char digest[SHA256_LEN], uint64_t size)
{
	return size == 0 && memcmp(digest, reapi_empty, SHA256_LEN) == 0;
}

/*
 * Is the blob in the CAS with exactly this size?  Counts nothing.
 * store_has() reports the object's bytes on disk: the header
 * (REAPI_OBJ_HEADER + meta_len, doc/format-object.md) plus the content;
 * CAS blobs are stored without meta.
 */
#define REAPI_OBJ_HEADER 104
static int
cas_has(struct reapi *r, const unsigned char digest[SHA256_LEN], uint64_t size)
{
	uint64_t have = 0;

	if (is_empty_blob(digest, size))
		return 1;
	return store_has(chain_store(r->env->chain), digest, &have, NULL) &&
	    have == size + REAPI_OBJ_HEADER;
}

/* Reads the whole content of an opened object into out and releases o.
 * Returns 0, or -1 (I/O error or failed verification). */
static int
obj_slurp(struct reapi *r, struct store_obj *o, struct buf *out)
{
	unsigned char tmp[16384];
	uint64_t pos = 0;
	int64_t n;
	int rc = 0;

	if (o->data != NULL) {
		rc = buf_append(out, o->data, o->size);
		store_obj_release(o);
		return rc;
	}
	if (buf_reserve(out, o->size) == -1) {
		store_obj_release(o);
		return -1;
	}
	while (pos < o->size) {
		n = store_obj_read(o, tmp, sizeof(tmp), pos);
		if (n <= 0 || buf_append(out, tmp, (size_t)n) == -1) {
			store_obj_release(o);
			return -1;
		}
		pos += (uint64_t)n;
	}
	rc = store_obj_finish(chain_store(r->env->chain), o);
	store_obj_release(o);
	return rc;
}

/*
 * Reads a CAS blob into out, counting a hit or a miss.  Returns STORE_OK,
 * STORE_MISS (absent, other size, corrupt) or STORE_EIO.
 */
static int
cas_read(struct reapi *r, const unsigned char digest[SHA256_LEN], uint64_t size,
    struct buf *out)
{
	struct store_obj o;

	if (is_empty_blob(digest, size))
		return STORE_OK;
	if (chain_get(r->env->chain, digest, STORE_NS_BAZEL_CAS, &o) !=
	    STORE_OK)
		return STORE_MISS;
	if (o.size != size || memcmp(o.sha, digest, SHA256_LEN) != 0) {
		store_obj_release(&o);
		return STORE_MISS;
	}
	if (obj_slurp(r, &o, out) == -1) {
		buf_reset(out);
		return STORE_MISS;
	}
	return STORE_OK;
}

static int
store_status(int rc)
{
	switch (rc) {
	case STORE_OK:
		return GRPC_STATUS_OK;
	case STORE_ETOOBIG:
		return GRPC_STATUS_INVALID_ARGUMENT;
	case STORE_ENOSPC:
		return GRPC_STATUS_RESOURCE_EXHAUSTED;
	case STORE_EDIGEST:
		return GRPC_STATUS_INVALID_ARGUMENT;
	default:
		return GRPC_STATUS_INTERNAL;
	}
}

/* Stores buf[0..len) under key (verified against expect_sha if set). */
static int
put_buf(struct reapi *r, const unsigned char *key, int ns, const void *p,
    size_t len, const unsigned char *expect_sha)
{
	struct store_writer *w;
	int rc;

	rc = chain_put_begin(r->env->chain, key, ns, (int64_t)len, NULL, 0, &w);
	if (rc != STORE_OK)
		return rc;
	if ((rc = store_put_write(w, p, len)) != STORE_OK) {
		chain_put_abort(r->env->chain, w, ns);
		return rc;
	}
	return chain_put_commit(r->env->chain, w, ns, len, expect_sha);
}

/* ---- Capabilities ---- */

static void
caps_end(struct grpc_call *call, void *arg)
{
	struct reapi_get_capabilities_request req;
	struct reapi_call *rc;
	struct pb_arena arena;
	const char *err;
	int32_t funcs[1] = { REAPI_DIGEST_SHA256 };
	struct reapi_action_cache_update_capabilities acu;
	struct reapi_priority_range prio = { 0, 0 };
	struct reapi_priority_capabilities pc = { &prio, 1 };
	struct reapi_cache_capabilities cc;
	struct reapi_semver lo = { 2, 0, 0, { NULL, 0 } };
	struct reapi_semver hi = { 2, 3, 0, { NULL, 0 } };
	struct reapi_server_capabilities sc;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, 0, &reapi_get_capabilities_request_desc,
		 &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	acu.update_enabled = (rc->perms & AUTH_WRITE) != 0;
	cc.digest_functions = funcs;
	cc.n_digest_functions = 1;
	cc.action_cache_update_capabilities = &acu;
	cc.cache_priority_capabilities = &pc;
	cc.max_batch_total_size_bytes = REAPI_MAX_BATCH;
	cc.symlink_absolute_path_strategy = REAPI_SYMLINK_ALLOWED;
	cc.max_cas_blob_size_bytes = (int64_t)rc->r->env->max_object_size;
	sc.cache_capabilities = &cc;
	sc.low_api_version = &lo;
	sc.high_api_version = &hi;
	rc_reply(call, &reapi_server_capabilities_desc, &sc);
out:
	pb_arena_release(&arena);
}

/* ---- ActionCache ---- */

/* Every blob an ActionResult references is in the CAS. */
static int
result_complete(struct reapi *r, const struct reapi_action_result *ar)
{
	unsigned char d[SHA256_LEN];
	size_t i;

#define NEED(dg) \
	do { \
		if (reapi_digest_check((dg), d) != NULL || \
		    !cas_has(r, d, (uint64_t)(dg)->size_bytes)) \
			return 0; \
	} while (0)
	for (i = 0; i < ar->n_output_files; i++)
		NEED(ar->output_files[i].digest);
	for (i = 0; i < ar->n_output_directories; i++)
		NEED(ar->output_directories[i].tree_digest);
	if (ar->stdout_digest != NULL)
		NEED(ar->stdout_digest);
	if (ar->stderr_digest != NULL)
		NEED(ar->stderr_digest);
#undef NEED
	return 1;
}

static void ac_get_end(struct grpc_call *, void *);

/* Fetches the outputs of an ActionResult that the local CAS lacks.
 * Returns 1 when the call is suspended. */
static int
result_prefetch(struct grpc_call *call, struct reapi_call *rc,
    const struct reapi_action_result *ar)
{
	unsigned char(*keys)[STORE_KEY_LEN];
	size_t i, n = 0, max;
	int suspended;

	max = ar->n_output_files + ar->n_output_directories + 2;
	if ((keys = calloc(max, sizeof(*keys))) == NULL)
		return 0;
#define WANT(dg) \
	do { \
		if (reapi_digest_check((dg), keys[n]) == NULL && \
		    !cas_has(rc->r, keys[n], (uint64_t)(dg)->size_bytes)) \
			n++; \
	} while (0)
	for (i = 0; i < ar->n_output_files; i++)
		WANT(ar->output_files[i].digest);
	for (i = 0; i < ar->n_output_directories; i++)
		WANT(ar->output_directories[i].tree_digest);
	if (ar->stdout_digest != NULL)
		WANT(ar->stdout_digest);
	if (ar->stderr_digest != NULL)
		WANT(ar->stderr_digest);
#undef WANT
	suspended = rc_prefetch(call, rc, (const unsigned char(*)[32])keys, n,
	    STORE_NS_BAZEL_CAS, ac_get_end);
	free(keys);
	return suspended;
}

static void
ac_get_end(struct grpc_call *call, void *arg)
{
	struct reapi_get_action_result_request req;
	struct reapi_action_result ar;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN], key[STORE_KEY_LEN];
	struct store_obj o;
	struct buf data;
	const char *err;

	pb_arena_init(&arena);
	buf_init(&data);
	if ((rc = rc_begin(call, arg, AUTH_READ,
		 &reapi_get_action_result_request_desc, &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL ||
	    (err = reapi_digest_check(req.action_digest, digest)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	bazel_ac_key(req.instance_name, digest, key);
	/* Counted here, not by the chain: an incomplete entry is a miss. */
	if (store_get(chain_store(rc->r->env->chain), key, &o) != STORE_OK ||
	    obj_slurp(rc->r, &o, &data) == -1) {
		if (rc->pass == 0 &&
		    rc_prefetch(call, rc, (const unsigned char(*)[32])key, 1,
			STORE_NS_BAZEL_AC, ac_get_end))
			goto out;
		stats_miss(STORE_NS_BAZEL_AC);
		rc_finish(call, GRPC_STATUS_NOT_FOUND, "action not cached");
		goto out;
	}
	if (pb_decode(&reapi_action_result_desc, data.data, data.len, &ar,
		&arena, NULL) != 0) {
		stats_miss(STORE_NS_BAZEL_AC);
		rc_finish(
		    call, GRPC_STATUS_NOT_FOUND, "action result unreadable");
		goto out;
	}
	if (!result_complete(rc->r, &ar) && rc->pass < 2 &&
	    result_prefetch(call, rc, &ar))
		goto out;
	if (!result_complete(rc->r, &ar)) {
		stats_miss(STORE_NS_BAZEL_AC);
		rc_finish(call, GRPC_STATUS_NOT_FOUND,
		    "action result incomplete: outputs missing from the CAS");
		goto out;
	}
	stats_hit(STORE_NS_BAZEL_AC, data.len);
	rc_reply_raw(call, data.data, data.len);
out:
	buf_release(&data);
	pb_arena_release(&arena);
}

/* The bytes of the last length-delimited field number in a message
 * (which pb_decode already accepted).  0, or -1 when it is absent or
 * occurs more than once (the decoded occurrences merge). */
static int
raw_field(const unsigned char *p, size_t len, uint32_t want, struct span *out)
{
	uint32_t field;
	uint64_t v;
	size_t used;
	int wt, n, seen = 0;

	while (len > 0) {
		if ((n = pb_read_tag(p, len, &field, &wt)) < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (field == want && wt == PB_WT_LEN) {
			if ((n = pb_read_varint(p, len, &v)) < 0 ||
			    v > len - (size_t)n)
				return -1;
			*out = span_make(p + n, (size_t)v);
			seen++;
		}
		if (pb_skip(p, len, wt, &used) != 0)
			return -1;
		p += used;
		len -= used;
	}
	return seen == 1 ? 0 : -1;
}

static void
ac_update_end(struct grpc_call *call, void *arg)
{
	struct reapi_update_action_result_request req;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN], key[STORE_KEY_LEN];
	struct span raw;
	struct buf enc;
	const char *err;
	int src;

	pb_arena_init(&arena);
	buf_init(&enc);
	if ((rc = rc_begin(call, arg, AUTH_WRITE,
		 &reapi_update_action_result_request_desc, &req, &arena)) ==
	    NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL ||
	    (err = reapi_digest_check(req.action_digest, digest)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	if (req.action_result == NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "missing action_result");
		goto out;
	}
	/* The client's own bytes; a re-encode only when the field was split
	 * over several records. */
	if (raw_field(rc->req.data, rc->req.len, 3, &raw) == -1) {
		if (pb_encode(&reapi_action_result_desc, req.action_result,
			&enc) != 0) {
			rc_finish(call, GRPC_STATUS_INTERNAL,
			    "cannot encode the action result");
			goto out;
		}
		raw = span_make(enc.data, enc.len);
	}
	bazel_ac_key(req.instance_name, digest, key);
	if ((src = put_buf(rc->r, key, STORE_NS_BAZEL_AC, raw.p, raw.len,
		 NULL)) != STORE_OK) {
		rc_finish(call, store_status(src), store_strerror(src));
		goto out;
	}
	rc_reply_raw(call, raw.p, raw.len);
out:
	buf_release(&enc);
	pb_arena_release(&arena);
}

/* ---- ContentAddressableStorage ---- */

static void
cas_find_end(struct grpc_call *call, void *arg)
{
	struct reapi_find_missing_blobs_request req;
	struct reapi_find_missing_blobs_response resp;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN];
	const char *err;
	size_t i;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, AUTH_READ,
		 &reapi_find_missing_blobs_request_desc, &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	if (req.n_blob_digests > REAPI_MAX_FIND) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "too many digests in one request (at most 10000)");
		goto out;
	}
	memset(&resp, 0, sizeof(resp));
	resp.missing_blob_digests = pb_arena_alloc(
	    &arena, sizeof(struct reapi_digest) * (req.n_blob_digests + 1));
	if (resp.missing_blob_digests == NULL) {
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	for (i = 0; i < req.n_blob_digests; i++) {
		if ((err = reapi_digest_check(&req.blob_digests[i], digest)) !=
		    NULL) {
			rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
			goto out;
		}
		if (!cas_has(rc->r, digest,
			(uint64_t)req.blob_digests[i].size_bytes))
			resp.missing_blob_digests
			    [resp.n_missing_blob_digests++] =
			    req.blob_digests[i];
	}
	rc_reply(call, &reapi_find_missing_blobs_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

static void
entry_status(struct reapi_status *st, int code, const char *msg)
{
	st->code = code;
	st->message = msg != NULL ? span_str(msg) : span_make(NULL, 0);
}

static void
cas_update_end(struct grpc_call *call, void *arg)
{
	struct reapi_batch_update_blobs_request req;
	struct reapi_batch_update_blobs_response resp;
	struct reapi_batch_update_blobs_entry *e;
	struct reapi_batch_update_blobs_result *res;
	static struct reapi_digest nodigest;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN], got[SHA256_LEN];
	uint64_t total = 0;
	const char *err;
	size_t i;
	int src;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, AUTH_WRITE,
		 &reapi_batch_update_blobs_request_desc, &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	for (i = 0; i < req.n_requests; i++)
		total += req.requests[i].data.len;
	if (total > REAPI_MAX_BATCH) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "batch larger than max_batch_total_size_bytes");
		goto out;
	}
	memset(&resp, 0, sizeof(resp));
	resp.responses = pb_arena_alloc(
	    &arena, sizeof(*resp.responses) * (req.n_requests + 1));
	if (resp.responses == NULL) {
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	resp.n_responses = req.n_requests;
	for (i = 0; i < req.n_requests; i++) {
		e = &req.requests[i];
		res = &resp.responses[i];
		res->digest = e->digest != NULL ? e->digest : &nodigest;
		if ((res->status = pb_arena_alloc(
			 &arena, sizeof(*res->status))) == NULL) {
			rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "out of memory");
			goto out;
		}
		if ((err = reapi_digest_check(e->digest, digest)) != NULL) {
			entry_status(
			    res->status, GRPC_STATUS_INVALID_ARGUMENT, err);
			continue;
		}
		if (e->compressor != REAPI_COMPRESSOR_IDENTITY) {
			entry_status(res->status, GRPC_STATUS_INVALID_ARGUMENT,
			    "unsupported compressor");
			continue;
		}
		if ((uint64_t)e->digest->size_bytes != e->data.len) {
			entry_status(res->status, GRPC_STATUS_INVALID_ARGUMENT,
			    "data size does not match the digest");
			continue;
		}
		sha256(e->data.p, e->data.len, got);
		if (memcmp(got, digest, SHA256_LEN) != 0) {
			stats_put(STORE_NS_BAZEL_CAS, 0, 0);
			entry_status(res->status, GRPC_STATUS_INVALID_ARGUMENT,
			    "data does not match the digest");
			continue;
		}
		if (cas_has(rc->r, digest, e->data.len))
			continue; /* OK: already stored */
		src = put_buf(rc->r, digest, STORE_NS_BAZEL_CAS, e->data.p,
		    e->data.len, digest);
		if (src != STORE_OK)
			entry_status(res->status, store_status(src),
			    store_strerror(src));
	}
	rc_reply(call, &reapi_batch_update_blobs_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

static void cas_read_end(struct grpc_call *, void *);

/* Fetches the blobs of a BatchReadBlobs request that the local CAS lacks.
 * Returns 1 when the call is suspended. */
static int
batch_prefetch(struct grpc_call *call, struct reapi_call *rc,
    const struct reapi_batch_read_blobs_request *req)
{
	unsigned char(*keys)[STORE_KEY_LEN];
	size_t i, n = 0;
	int suspended;

	if (req->n_digests == 0 ||
	    (keys = calloc(req->n_digests, sizeof(*keys))) == NULL)
		return 0;
	for (i = 0; i < req->n_digests; i++)
		if (reapi_digest_check(&req->digests[i], keys[n]) == NULL &&
		    !cas_has(
			rc->r, keys[n], (uint64_t)req->digests[i].size_bytes))
			n++;
	suspended = rc_prefetch(call, rc, (const unsigned char(*)[32])keys, n,
	    STORE_NS_BAZEL_CAS, cas_read_end);
	free(keys);
	return suspended;
}

static void
cas_read_end(struct grpc_call *call, void *arg)
{
	struct reapi_batch_read_blobs_request req;
	struct reapi_batch_read_blobs_response resp;
	struct reapi_batch_read_blobs_result *res;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN];
	struct buf data;
	uint64_t total = 0;
	const char *err;
	size_t i;
	void *copy;

	pb_arena_init(&arena);
	buf_init(&data);
	if ((rc = rc_begin(call, arg, AUTH_READ,
		 &reapi_batch_read_blobs_request_desc, &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	for (i = 0; i < req.n_digests; i++)
		if (req.digests[i].size_bytes > 0)
			total += (uint64_t)req.digests[i].size_bytes;
	if (total > REAPI_MAX_BATCH) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "batch larger than max_batch_total_size_bytes");
		goto out;
	}
	memset(&resp, 0, sizeof(resp));
	resp.responses = pb_arena_alloc(
	    &arena, sizeof(*resp.responses) * (req.n_digests + 1));
	if (resp.responses == NULL) {
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	resp.n_responses = req.n_digests;
	if (rc->pass == 0 && batch_prefetch(call, rc, &req))
		goto out;
	for (i = 0; i < req.n_digests; i++) {
		res = &resp.responses[i];
		res->digest = &req.digests[i];
		if ((res->status = pb_arena_alloc(
			 &arena, sizeof(*res->status))) == NULL) {
			rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "out of memory");
			goto out;
		}
		if ((err = reapi_digest_check(&req.digests[i], digest)) !=
		    NULL) {
			entry_status(
			    res->status, GRPC_STATUS_INVALID_ARGUMENT, err);
			continue;
		}
		buf_reset(&data);
		if (cas_read(rc->r, digest, (uint64_t)req.digests[i].size_bytes,
			&data) != STORE_OK) {
			entry_status(res->status, GRPC_STATUS_NOT_FOUND,
			    "blob not found");
			continue;
		}
		if (data.len > 0) {
			if ((copy = pb_arena_alloc(&arena, data.len)) == NULL) {
				rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
				    "out of memory");
				goto out;
			}
			memcpy(copy, data.data, data.len);
			res->data = span_make(copy, data.len);
		}
	}
	rc_reply(call, &reapi_batch_read_blobs_response_desc, &resp);
out:
	buf_release(&data);
	pb_arena_release(&arena);
}

/* ---- GetTree ---- */

static size_t
node_hash(const unsigned char *d)
{
	size_t h = 0;

	memcpy(&h, d, sizeof(h));
	return h;
}

/* Adds a directory to the walk unless seen.  0, or -1 out of memory or
 * over REAPI_MAX_TREE (the walk stops growing). */
static int
walk_push(struct reapi_walk *w, const unsigned char *d, uint64_t size)
{
	size_t i, j, ncap;
	uint32_t *ns;
	void *nq;

	if (w->setcap == 0 || (w->n + 1) * 2 > w->setcap) {
		ncap = w->setcap == 0 ? 64 : w->setcap * 2;
		if ((ns = calloc(ncap, sizeof(*ns))) == NULL)
			return -1;
		for (i = 0; i < w->n; i++) {
			j = node_hash(w->q[i].digest) & (ncap - 1);
			while (ns[j] != 0)
				j = (j + 1) & (ncap - 1);
			ns[j] = (uint32_t)i + 1;
		}
		free(w->set);
		w->set = ns;
		w->setcap = ncap;
	}
	j = node_hash(d) & (w->setcap - 1);
	while (w->set[j] != 0) {
		if (memcmp(w->q[w->set[j] - 1].digest, d, SHA256_LEN) == 0 &&
		    w->q[w->set[j] - 1].size == size)
			return 0;
		j = (j + 1) & (w->setcap - 1);
	}
	if (w->n >= REAPI_MAX_TREE)
		return -1;
	if (w->n == w->cap) {
		ncap = w->cap == 0 ? 64 : w->cap * 2;
		if ((nq = realloc(w->q, ncap * sizeof(*w->q))) == NULL)
			return -1;
		w->q = nq;
		w->cap = ncap;
	}
	memcpy(w->q[w->n].digest, d, SHA256_LEN);
	w->q[w->n].size = size;
	w->set[j] = (uint32_t)++w->n;
	return 0;
}

/* Expands one Directory's children into the walk. */
static void
walk_expand(struct reapi_walk *w, const struct buf *data)
{
	struct reapi_directory dir;
	struct pb_arena arena;
	unsigned char d[SHA256_LEN];
	size_t i;

	pb_arena_init(&arena);
	if (pb_decode(&reapi_directory_desc, data->data, data->len, &dir,
		&arena, NULL) == 0)
		for (i = 0; i < dir.n_directories; i++)
			if (reapi_digest_check(dir.directories[i].digest, d) ==
			    NULL)
				(void)walk_push(w, d,
				    (uint64_t)dir.directories[i]
					.digest->size_bytes);
	pb_arena_release(&arena);
}

#define REAPI_TREE_PAGE_BYTES (2 * 1024 * 1024)
#define REAPI_TREE_PAGE_DIRS 10000

static void
tree_pump(struct grpc_call *call, void *arg)
{
	struct reapi_call *rc = grpc_call_data(call);
	struct reapi_walk *w = rc->walk;
	struct buf page, data;
	size_t ndirs, limit;
	char tok[32];
	int src;

	buf_init(&page);
	buf_init(&data);
	limit = w->page_size > 0 && w->page_size < REAPI_TREE_PAGE_DIRS
	    ? (size_t)w->page_size
	    : REAPI_TREE_PAGE_DIRS;
	for (;;) {
		buf_reset(&page);
		ndirs = 0;
		while (w->head < w->n && ndirs < limit &&
		    page.len < REAPI_TREE_PAGE_BYTES) {
			buf_reset(&data);
			src = cas_read(rc->r, w->q[w->head].digest,
			    w->q[w->head].size, &data);
			w->head++;
			if (src != STORE_OK)
				continue; /* missing subtree: omitted */
			walk_expand(w, &data);
			if (w->index++ < w->skip)
				continue;
			if (pb_write_bytes(&page, 1, data.data, data.len) == -1)
				goto oom;
			ndirs++;
		}
		if (w->head < w->n) {
			snprintf(tok, sizeof(tok), "%llu",
			    (unsigned long long)w->index);
			if (pb_write_bytes(&page, 2, tok, strlen(tok)) == -1)
				goto oom;
		}
		if (ndirs == 0 && w->head < w->n)
			continue; /* still skipping to the page token */
		src = grpc_call_send(call, page.data, page.len);
		if (src == -1) {
			rc_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
			goto out;
		}
		if (w->head >= w->n || w->page_size > 0) {
			rc_finish(call, GRPC_STATUS_OK, NULL);
			goto out;
		}
		if (src == 1) {
			grpc_call_on_writable(call, tree_pump, NULL);
			goto out;
		}
	}
oom:
	rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
out:
	buf_release(&page);
	buf_release(&data);
}

static void
cas_tree_end(struct grpc_call *call, void *arg)
{
	struct reapi_get_tree_request req;
	struct reapi_call *rc;
	struct pb_arena arena;
	unsigned char digest[SHA256_LEN];
	unsigned long long skip = 0;
	const char *err;
	size_t i;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, AUTH_READ, &reapi_get_tree_request_desc,
		 &req, &arena)) == NULL)
		goto out;
	if ((err = instance_check(req.instance_name)) != NULL ||
	    (err = function_check(req.digest_function)) != NULL ||
	    (err = reapi_digest_check(req.root_digest, digest)) != NULL) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT, err);
		goto out;
	}
	if (req.page_size < 0) {
		rc_finish(
		    call, GRPC_STATUS_INVALID_ARGUMENT, "negative page_size");
		goto out;
	}
	for (i = 0; i < req.page_token.len; i++) {
		if (i >= 12 || req.page_token.p[i] < '0' ||
		    req.page_token.p[i] > '9') {
			rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
			    "malformed page_token");
			goto out;
		}
		skip = skip * 10 + (unsigned)(req.page_token.p[i] - '0');
	}
	if (!cas_has(rc->r, digest, (uint64_t)req.root_digest->size_bytes)) {
		stats_miss(STORE_NS_BAZEL_CAS);
		rc_finish(
		    call, GRPC_STATUS_NOT_FOUND, "root directory not found");
		goto out;
	}
	if ((rc->walk = calloc(1, sizeof(*rc->walk))) == NULL ||
	    walk_push(rc->walk, digest,
		(uint64_t)req.root_digest->size_bytes) == -1) {
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	rc->walk->skip = skip;
	rc->walk->page_size = req.page_size;
	tree_pump(call, NULL);
out:
	pb_arena_release(&arena);
}

/* ---- ByteStream ---- */

/* Parses a size segment: decimal, no sign, no leading zeros. */
static int
parse_size(struct span s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (s.len == 0 || s.len > 19 || (s.len > 1 && s.p[0] == '0'))
		return -1;
	for (i = 0; i < s.len; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

const char *
reapi_rname_parse(struct span s, int write, struct reapi_rname *out, int *code)
{
	struct span seg[REAPI_RNAME_MAX_SEGS];
	size_t n = 0, i, k, start = 0;
	const char *err;

	*code = GRPC_STATUS_INVALID_ARGUMENT;
	memset(out, 0, sizeof(*out));
	if (s.len == 0)
		return "missing resource_name";
	for (i = 0; i <= s.len; i++)
		if (i == s.len || s.p[i] == '/') {
			if (n == REAPI_RNAME_MAX_SEGS)
				return "malformed resource_name";
			seg[n++] = span_make(s.p + start, i - start);
			start = i + 1;
		}
	for (k = 0; k < n; k++)
		if (span_is_str(seg[k], write ? "uploads" : "blobs") ||
		    span_is_str(seg[k], "compressed-blobs"))
			break;
	if (k == n)
		return write ? "resource_name lacks uploads/{uuid}/blobs/"
			     : "resource_name lacks blobs/";
	if (span_is_str(seg[k], "compressed-blobs")) {
		*code = GRPC_STATUS_UNIMPLEMENTED;
		return "compressed blobs are not supported";
	}
	out->instance =
	    span_make(s.p, k > 0 ? (size_t)(seg[k].p - s.p) - 1 : 0);
	if ((err = instance_check(out->instance)) != NULL)
		return err;
	k++;
	if (write) {
		if (k + 1 >= n || seg[k].len == 0)
			return "resource_name lacks an upload id";
		k++;
		if (span_is_str(seg[k], "compressed-blobs")) {
			*code = GRPC_STATUS_UNIMPLEMENTED;
			return "compressed blobs are not supported";
		}
		if (!span_is_str(seg[k], "blobs"))
			return "resource_name lacks blobs/ after the upload id";
		k++;
	}
	if (k < n && !tool_is_hex(seg[k], SHA256_HEX_LEN, SHA256_HEX_LEN))
		for (i = 0; i < sizeof(reapi_other_functions) /
			 sizeof(reapi_other_functions[0]);
		     i++)
			if (span_is_str(seg[k], reapi_other_functions[i]))
				return "unsupported digest function (SHA256 "
				       "only)";
	if (k + 1 >= n ||
	    !tool_is_hex(seg[k], SHA256_HEX_LEN, SHA256_HEX_LEN) ||
	    hex_decode(out->digest, (const char *)seg[k].p, SHA256_LEN) == -1)
		return "malformed digest hash in resource_name";
	if (parse_size(seg[k + 1], &out->size) == -1)
		return "malformed size in resource_name";
	if (!write && k + 2 != n)
		return "trailing segments in resource_name";
	if (out->size == 0 && memcmp(out->digest, reapi_empty, SHA256_LEN) != 0)
		return "size 0 with a hash other than the empty blob's";
	return NULL;
}

static void
read_pump(struct grpc_call *call, void *arg)
{
	struct reapi_call *rc = grpc_call_data(call);
	unsigned char *chunk;
	struct buf msg;
	int64_t n;
	size_t want;
	int src = 0;

	if ((chunk = malloc(REAPI_READ_CHUNK)) == NULL) {
		rc_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	buf_init(&msg);
	while (rc->pos < rc->end && src == 0) {
		want = rc->end - rc->pos > REAPI_READ_CHUNK
		    ? REAPI_READ_CHUNK
		    : (size_t)(rc->end - rc->pos);
		n = store_obj_read(&rc->o, chunk, want, rc->pos);
		if (n <= 0) {
			rc_finish(call, GRPC_STATUS_INTERNAL, "read error");
			goto out;
		}
		rc->pos += (uint64_t)n;
		buf_reset(&msg);
		if (pb_write_bytes(&msg, 10, chunk, (size_t)n) == -1) {
			rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "out of memory");
			goto out;
		}
		if ((src = grpc_call_send(call, msg.data, msg.len)) == -1) {
			rc_finish(call, GRPC_STATUS_INTERNAL, "cannot send");
			goto out;
		}
	}
	if (rc->pos < rc->end) {
		grpc_call_on_writable(call, read_pump, NULL);
		goto out;
	}
	if (rc->full &&
	    store_obj_finish(chain_store(rc->r->env->chain), &rc->o) == -1) {
		rc_finish(call, GRPC_STATUS_DATA_LOSS,
		    "stored blob failed its integrity check");
		goto out;
	}
	rc_finish(call, GRPC_STATUS_OK, NULL);
out:
	buf_release(&msg);
	free(chunk);
}

static void
bs_read_end(struct grpc_call *call, void *arg)
{
	struct reapi_bytestream_read_request req;
	struct reapi_rname rn;
	struct reapi_call *rc;
	struct pb_arena arena;
	const char *err;
	int code;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, AUTH_READ,
		 &reapi_bytestream_read_request_desc, &req, &arena)) == NULL)
		goto out;
	if ((err = reapi_rname_parse(req.resource_name, 0, &rn, &code)) !=
	    NULL) {
		rc_finish(call, code, err);
		goto out;
	}
	if (req.read_offset < 0 || req.read_limit < 0) {
		rc_finish(call, GRPC_STATUS_OUT_OF_RANGE,
		    "negative read_offset or read_limit");
		goto out;
	}
	if (is_empty_blob(rn.digest, rn.size)) {
		if (req.read_offset > 0)
			rc_finish(call, GRPC_STATUS_OUT_OF_RANGE,
			    "read_offset past the end of the blob");
		else
			rc_finish(call, GRPC_STATUS_OK, NULL);
		goto out;
	}
	if (store_get(chain_store(rc->r->env->chain), rn.digest, &rc->o) !=
	    STORE_OK) {
		if (rc->pass == 0 &&
		    rc_prefetch(call, rc, (const unsigned char(*)[32])rn.digest,
			1, STORE_NS_BAZEL_CAS, bs_read_end))
			goto out;
		stats_miss(STORE_NS_BAZEL_CAS);
		rc_finish(call, GRPC_STATUS_NOT_FOUND, "blob not found");
		goto out;
	}
	stats_hit(STORE_NS_BAZEL_CAS, rc->o.size);
	rc->has_obj = 1;
	if (rc->o.size != rn.size ||
	    memcmp(rc->o.sha, rn.digest, SHA256_LEN) != 0) {
		rc_finish(call, GRPC_STATUS_NOT_FOUND, "blob not found");
		goto out;
	}
	if ((uint64_t)req.read_offset > rn.size) {
		rc_finish(call, GRPC_STATUS_OUT_OF_RANGE,
		    "read_offset past the end of the blob");
		goto out;
	}
	rc->pos = (uint64_t)req.read_offset;
	rc->end = rn.size;
	if (req.read_limit > 0 && (uint64_t)req.read_limit < rn.size - rc->pos)
		rc->end = rc->pos + (uint64_t)req.read_limit;
	rc->full = rc->pos == 0 && rc->end == rn.size;
	read_pump(call, NULL);
out:
	pb_arena_release(&arena);
}

static void
up_free(struct reapi *r, struct reapi_upload *u)
{
	struct reapi_upload **pp;

	for (pp = &r->uploads; *pp != NULL; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			r->nuploads--;
			break;
		}
	if (u->w != NULL)
		chain_put_abort(r->env->chain, u->w, STORE_NS_BAZEL_CAS);
	free(u->name);
	free(u);
}

static struct reapi_upload *
up_find(struct reapi *r, struct span name)
{
	struct reapi_upload *u;

	for (u = r->uploads; u != NULL; u = u->next)
		if (span_eq_str(name, u->name))
			return u;
	return NULL;
}

/* Drops interrupted uploads idle past the TTL, and the oldest idle ones
 * while over REAPI_MAX_PARTIAL. */
static void
up_sweep(struct reapi *r)
{
	struct reapi_upload *u, *next, *old;
	uint64_t now = clock_mono_ms();

	for (u = r->uploads; u != NULL; u = next) {
		next = u->next;
		if (!u->attached && now - u->touched > REAPI_PARTIAL_TTL_MS)
			up_free(r, u);
	}
	while (r->nuploads >= REAPI_MAX_PARTIAL) {
		old = NULL;
		for (u = r->uploads; u != NULL; u = u->next)
			if (!u->attached &&
			    (old == NULL || u->touched < old->touched))
				old = u;
		if (old == NULL)
			break;
		up_free(r, old);
	}
}

/* Ends a Write whose blob is stored: committed_size = size. */
static void
write_done(struct grpc_call *call, int64_t size)
{
	struct reapi_bytestream_write_response resp;

	resp.committed_size = size;
	rc_reply(call, &reapi_bytestream_write_response_desc, &resp);
}

/* The first WriteRequest: finds or starts the upload.  0, or -1 after
 * finishing the call (1: finished early because the blob exists). */
static int
write_start(struct grpc_call *call, struct reapi_call *rc,
    const struct reapi_bytestream_write_request *req)
{
	struct reapi *r = rc->r;
	struct reapi_rname rn;
	struct reapi_upload *u;
	const char *err;
	int code, src;

	if ((err = reapi_rname_parse(req->resource_name, 1, &rn, &code)) !=
	    NULL) {
		rc_finish(call, code, err);
		return -1;
	}
	if (rn.size > r->env->max_object_size) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "blob larger than max_cas_blob_size_bytes");
		return -1;
	}
	up_sweep(r);
	u = up_find(r, req->resource_name);
	if (cas_has(r, rn.digest, rn.size)) {
		/* Already stored: answer at once, the rest is not needed. */
		if (u != NULL && !u->attached)
			up_free(r, u);
		write_done(call, (int64_t)rn.size);
		return 1;
	}
	if (u != NULL && u->attached) {
		rc_finish(call, GRPC_STATUS_ABORTED,
		    "another Write is using this resource_name");
		return -1;
	}
	if (u != NULL && req->write_offset == 0) {
		up_free(r, u); /* a restart from zero */
		u = NULL;
	}
	if (u == NULL && req->write_offset != 0) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "write_offset does not match the committed size (0)");
		return -1;
	}
	if (u != NULL && (uint64_t)req->write_offset != u->committed) {
		rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
		    "write_offset does not match the committed size");
		return -1;
	}
	if (u == NULL) {
		if ((u = calloc(1, sizeof(*u))) == NULL ||
		    (u->name = span_dup(req->resource_name)) == NULL) {
			free(u);
			rc_finish(call, GRPC_STATUS_RESOURCE_EXHAUSTED,
			    "out of memory");
			return -1;
		}
		memcpy(u->digest, rn.digest, SHA256_LEN);
		u->size = rn.size;
		src = chain_put_begin(r->env->chain, rn.digest,
		    STORE_NS_BAZEL_CAS, (int64_t)rn.size, NULL, 0, &u->w);
		if (src != STORE_OK) {
			free(u->name);
			free(u);
			rc_finish(call, store_status(src), store_strerror(src));
			return -1;
		}
		u->next = r->uploads;
		r->uploads = u;
		r->nuploads++;
	}
	u->attached = 1;
	u->touched = clock_mono_ms();
	rc->up = u;
	return 0;
}

/* Drops the call's upload (a bad stream: nothing is kept) and fails. */
static void
write_fail(
    struct grpc_call *call, struct reapi_call *rc, int code, const char *msg)
{
	if (rc->up != NULL) {
		up_free(rc->r, rc->up);
		rc->up = NULL;
	}
	rc_finish(call, code, msg);
}

static void
bs_write_msg(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct reapi_bytestream_write_request req;
	struct reapi_call *rc = rc_get(call, arg);
	struct reapi_upload *u;
	struct pb_arena arena;
	const char *err = NULL;
	int prc;

	if (rc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	pb_arena_init(&arena);
	if (rc->write_state == 0 && rc_auth(call, rc, AUTH_WRITE) == -1)
		goto out;
	if ((prc = pb_decode(&reapi_bytestream_write_request_desc, m, len, &req,
		 &arena, &err)) != 0) {
		if (rc->up != NULL) {
			up_free(rc->r, rc->up);
			rc->up = NULL;
		}
		rc_pb_error(call, prc, err);
		goto out;
	}
	if (rc->write_state == 2) {
		write_fail(call, rc, GRPC_STATUS_INVALID_ARGUMENT,
		    "WriteRequest after finish_write");
		goto out;
	}
	if (rc->write_state == 0) {
		if ((prc = write_start(call, rc, &req)) != 0)
			goto out;
		rc->write_state = 1;
	} else if (req.resource_name.len > 0 &&
	    !span_eq_str(req.resource_name, rc->up->name)) {
		write_fail(call, rc, GRPC_STATUS_INVALID_ARGUMENT,
		    "resource_name changed within the stream");
		goto out;
	}
	u = rc->up;
	if ((uint64_t)req.write_offset != u->committed) {
		write_fail(call, rc, GRPC_STATUS_INVALID_ARGUMENT,
		    "write_offset does not match the bytes received");
		goto out;
	}
	if (req.data.len > u->size - u->committed) {
		write_fail(call, rc, GRPC_STATUS_INVALID_ARGUMENT,
		    "more data than the digest's size");
		goto out;
	}
	if (req.data.len > 0) {
		if ((prc = store_put_write(u->w, req.data.p, req.data.len)) !=
		    STORE_OK) {
			write_fail(
			    call, rc, store_status(prc), store_strerror(prc));
			goto out;
		}
		u->committed += req.data.len;
		u->touched = clock_mono_ms();
	}
	if (!req.finish_write)
		goto out;
	if (u->committed != u->size) {
		write_fail(call, rc, GRPC_STATUS_INVALID_ARGUMENT,
		    "finish_write before all of the blob's bytes");
		goto out;
	}
	prc = chain_put_commit(
	    rc->r->env->chain, u->w, STORE_NS_BAZEL_CAS, u->size, u->digest);
	u->w = NULL;
	rc->write_result = (int64_t)u->size;
	up_free(rc->r, u);
	rc->up = NULL;
	if (prc != STORE_OK) {
		rc_finish(call, store_status(prc),
		    prc == STORE_EDIGEST ? "data does not match the digest"
					 : store_strerror(prc));
		goto out;
	}
	rc->write_state = 2;
out:
	pb_arena_release(&arena);
}

static void
bs_write_end(struct grpc_call *call, void *arg)
{
	struct reapi_call *rc = rc_get(call, arg);

	if (rc == NULL) {
		grpc_call_finish(
		    call, GRPC_STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	if (rc->write_state == 0) {
		if (rc_auth(call, rc, AUTH_WRITE) == 0)
			rc_finish(call, GRPC_STATUS_INVALID_ARGUMENT,
			    "no WriteRequest");
		return;
	}
	if (rc->write_state == 2) {
		write_done(call, rc->write_result);
		return;
	}
	/* Half-closed without finish_write: the bytes so far are kept for
	 * a later Write to resume; report how many. */
	write_done(call, (int64_t)rc->up->committed);
}

static void
bs_query_end(struct grpc_call *call, void *arg)
{
	struct reapi_bytestream_query_write_status_request req;
	struct reapi_bytestream_query_write_status_response resp;
	struct reapi_rname rn;
	struct reapi_upload *u;
	struct reapi_call *rc;
	struct pb_arena arena;
	const char *err;
	int code;

	pb_arena_init(&arena);
	if ((rc = rc_begin(call, arg, AUTH_WRITE,
		 &reapi_bytestream_query_write_status_request_desc, &req,
		 &arena)) == NULL)
		goto out;
	if ((err = reapi_rname_parse(req.resource_name, 1, &rn, &code)) !=
	    NULL) {
		rc_finish(call, code, err);
		goto out;
	}
	memset(&resp, 0, sizeof(resp));
	if (cas_has(rc->r, rn.digest, rn.size)) {
		resp.committed_size = (int64_t)rn.size;
		resp.complete = 1;
	} else if ((u = up_find(rc->r, req.resource_name)) != NULL) {
		resp.committed_size = (int64_t)u->committed;
	} else {
		rc_finish(call, GRPC_STATUS_NOT_FOUND, "no such upload");
		goto out;
	}
	rc_reply(
	    call, &reapi_bytestream_query_write_status_response_desc, &resp);
out:
	pb_arena_release(&arena);
}

/* ---- table and lifetime ---- */

const struct grpc_method reapi_methods[] = {
	{ V2 "Capabilities/GetCapabilities", rc_collect, caps_end, rc_cancel },
	{ V2 "ActionCache/GetActionResult", rc_collect, ac_get_end, rc_cancel },
	{ V2 "ActionCache/UpdateActionResult", rc_collect, ac_update_end,
	    rc_cancel },
	{ V2 "ContentAddressableStorage/FindMissingBlobs", rc_collect,
	    cas_find_end, rc_cancel },
	{ V2 "ContentAddressableStorage/BatchUpdateBlobs", rc_collect,
	    cas_update_end, rc_cancel },
	{ V2 "ContentAddressableStorage/BatchReadBlobs", rc_collect,
	    cas_read_end, rc_cancel },
	{ V2 "ContentAddressableStorage/GetTree", rc_collect, cas_tree_end,
	    rc_cancel },
	{ "/google.bytestream.ByteStream/Read", rc_collect, bs_read_end,
	    rc_cancel },
	{ "/google.bytestream.ByteStream/Write", bs_write_msg, bs_write_end,
	    rc_cancel },
	{ "/google.bytestream.ByteStream/QueryWriteStatus", rc_collect,
	    bs_query_end, rc_cancel },
};
const size_t reapi_nmethods = sizeof(reapi_methods) / sizeof(reapi_methods[0]);

struct reapi *
reapi_new(const struct tools_env *env)
{
	struct reapi *r = calloc(1, sizeof(*r));

	if (r != NULL)
		r->env = env;
	return r;
}

void
reapi_free(struct reapi *r)
{
	if (r == NULL)
		return;
	while (r->uploads != NULL)
		up_free(r, r->uploads);
	free(r);
}
