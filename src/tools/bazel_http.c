/*
 * Bazel HTTP remote cache adapter.  Bazel treats 200 as a GET hit, 404
 * (or 204) as a miss and any other status as a "Remote Cache" warning
 * that never fails the build; every 2xx is a PUT success.  It re-uploads
 * every output on every build and never sends HEAD, so a PUT of a CAS
 * blob that is already stored only hashes the body and discards it.
 * Untrusted input: the path (instance name and digest, parsed strictly;
 * neither ever names a file) and bodies (streamed; a CAS body must hash
 * to the digest in its URL or nothing is stored and the answer is 400).
 */
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "cache/stats.h"
#include "tools/bazel_http.h"
#include "tools/tool.h"

#define BAZEL_HTTP_CTYPE "application/octet-stream"

/* SHA-256 of zero bytes: always present (REAPI), never stored. */
static const char bazel_empty_sha[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static int
bazel_instance_valid(struct span s)
{
	size_t i, seg = 0, dots = 0;
	int c;

	if (s.len == 0 || s.len > BAZEL_HTTP_MAX_INSTANCE)
		return 0;
	for (i = 0; i <= s.len; i++) {
		c = i < s.len ? s.p[i] : '/';
		if (c == '/') {
			/* Empty, "." and ".." segments are refused. */
			if (seg == 0 || dots == seg)
				return 0;
			seg = dots = 0;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-' ||
			c == '.'))
			return 0;
		seg++;
		if (c == '.')
			dots++;
	}
	return 1;
}

int
bazel_http_parse(
    struct span rest, struct bazel_http_path *out, const char **err)
{
	size_t slash, kstart;
	struct span hash, kind;

	memset(out, 0, sizeof(*out));
	for (slash = rest.len; slash > 0 && rest.p[slash - 1] != '/'; slash--)
		;
	if (slash == 0) {
		*err = "expected ac/<sha256> or cas/<sha256>";
		return -1;
	}
	hash = span_make(rest.p + slash, rest.len - slash);
	for (kstart = slash - 1; kstart > 0 && rest.p[kstart - 1] != '/';
	     kstart--)
		;
	kind = span_make(rest.p + kstart, slash - 1 - kstart);
	if (span_eq_str(kind, "ac"))
		out->kind = BAZEL_HTTP_AC;
	else if (span_eq_str(kind, "cas"))
		out->kind = BAZEL_HTTP_CAS;
	else {
		*err = "expected ac/<sha256> or cas/<sha256>";
		return -1;
	}
	if (!tool_is_hex(hash, SHA256_HEX_LEN, SHA256_HEX_LEN) ||
	    hex_decode(out->digest, (const char *)hash.p, SHA256_LEN) == -1) {
		*err = "malformed digest (want 64 lowercase hex digits)";
		return -1;
	}
	if (kstart > 0) {
		out->instance = span_make(rest.p, kstart - 1);
		if (!bazel_instance_valid(out->instance)) {
			*err = "malformed instance name";
			return -1;
		}
	}
	return 0;
}

void
bazel_ac_key(struct span instance, const unsigned char digest[SHA256_LEN],
    unsigned char key[STORE_KEY_LEN])
{
	char tk[BAZEL_HTTP_MAX_INSTANCE + 1 + SHA256_HEX_LEN + 1];
	size_t n = 0;

	if (instance.len > 0 && instance.len <= BAZEL_HTTP_MAX_INSTANCE) {
		memcpy(tk, instance.p, instance.len);
		n = instance.len;
		tk[n++] = '/';
	}
	hex_encode(tk + n, digest, SHA256_LEN);
	store_key_for(STORE_NS_BAZEL_AC, tk, n + SHA256_HEX_LEN, key);
}

/* A re-upload of a CAS blob already stored: hash the body, store nothing. */
struct bazel_drain {
	struct sha256 hash;
	unsigned char want[SHA256_LEN];
	uint64_t size;
};

static int
bazel_drain_data(
    struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct bazel_drain *d = arg;

	sha256_update(&d->hash, p, n);
	d->size += n;
	return 0;
}

static void
bazel_drain_end(struct http_req *r, int ok, void *arg)
{
	struct bazel_drain *d = arg;
	unsigned char got[SHA256_LEN];
	int match;

	http_req_on_abort(r, NULL, NULL);
	if (!ok) {
		sha256_release(&d->hash);
		free(d);
		http_reply_text(r, http_req_body_error(r),
		    http_req_body_error(r) == 413
			? "request body too large"
			: "incomplete or malformed body");
		return;
	}
	sha256_final(&d->hash, got);
	match = sha_ct_equal(got, d->want, SHA256_LEN);
	stats_put(STORE_NS_BAZEL_CAS, d->size, match);
	free(d);
	if (match)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, 400, store_strerror(STORE_EDIGEST));
}

static void
bazel_drain_abort(struct http_req *r, void *arg)
{
	struct bazel_drain *d = arg;

	sha256_release(&d->hash);
	free(d);
}

static void
bazel_drain(struct http_req *r, const unsigned char digest[SHA256_LEN])
{
	struct bazel_drain *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		http_reply_text(r, 500, "out of memory");
		return;
	}
	if (sha256_init(&d->hash) == -1) {
		free(d);
		http_reply_text(r, 500, "out of memory");
		return;
	}
	memcpy(d->want, digest, SHA256_LEN);
	http_req_on_abort(r, bazel_drain_abort, d);
	http_req_read_body(r, bazel_drain_data, bazel_drain_end, d);
}

static void
bazel_put_done(struct http_req *r, int rc, void *arg)
{
	if (rc == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
}

static void
bazel_get(struct http_req *r, const struct tools_env *env,
    const struct bazel_http_path *bp, const unsigned char *key, int ns)
{
	struct store_obj o;
	char hex[SHA256_HEX_LEN + 1];
	int rc;

	if (bp->kind == BAZEL_HTTP_CAS) {
		hex_encode(hex, bp->digest, SHA256_LEN);
		if (strcmp(hex, bazel_empty_sha) == 0) {
			http_reply(r, 200, BAZEL_HTTP_CTYPE, NULL, 0);
			return;
		}
	}
	if ((rc = tool_get(r, env, key, ns, &o, bazel_http_handle,
		 (void *)env)) == TOOL_SUSPENDED)
		return;
	if (rc != STORE_OK) {
		http_reply(r, 404, NULL, NULL, 0);
		return;
	}
	/* A CAS key is the content digest: anything else is never served. */
	if (bp->kind == BAZEL_HTTP_CAS &&
	    memcmp(o.sha, bp->digest, SHA256_LEN) != 0) {
		store_obj_release(&o);
		http_reply(r, 404, NULL, NULL, 0);
		return;
	}
	tool_reply_obj(r, env->chain, &o, 200, BAZEL_HTTP_CTYPE);
}

void
bazel_http_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct span path = http_req_path(r), rest;
	struct bazel_http_path bp;
	unsigned char key[STORE_KEY_LEN];
	const char *err;
	int perms, ns;

	http_req_set_tag(r, STORE_NS_BAZEL_AC);
	rest = span_make(path.p + strlen(BAZEL_HTTP_PREFIX),
	    path.len - strlen(BAZEL_HTTP_PREFIX));
	if ((perms = tool_auth(r, env, "Basic")) < 0)
		return;
	if (bazel_http_parse(rest, &bp, &err) == -1) {
		http_reply_text(r, 400, err);
		return;
	}
	if (bp.kind == BAZEL_HTTP_CAS) {
		ns = STORE_NS_BAZEL_CAS;
		http_req_set_tag(r, ns);
		memcpy(key, bp.digest, STORE_KEY_LEN);
	} else {
		ns = STORE_NS_BAZEL_AC;
		bazel_ac_key(bp.instance, bp.digest, key);
	}
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (!(perms & AUTH_READ)) {
			http_reply_text(r, 403, "token may not read");
			return;
		}
		bazel_get(r, env, &bp, key, ns);
		return;
	}
	if (http_req_is(r, "PUT")) {
		if (!(perms & AUTH_WRITE)) {
			http_reply_text(r, 403, "token may not write");
			return;
		}
		if (ns == STORE_NS_BAZEL_CAS &&
		    store_has(chain_store(env->chain), key, NULL, NULL)) {
			bazel_drain(r, bp.digest);
			return;
		}
		tool_put(r, env, key, ns, NULL, 0,
		    ns == STORE_NS_BAZEL_CAS ? bp.digest : NULL, bazel_put_done,
		    NULL);
		return;
	}
	http_reply_header(r, "Allow", "GET, HEAD, PUT");
	http_reply_text(r, 405, "method not allowed");
}
