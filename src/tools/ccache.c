/*
 * ccache remote storage adapter (ccache's HttpStorage backend).  ccache
 * treats any non-2xx GET as a silent miss and any non-2xx PUT as a logged
 * backend error, so a miss is a bare 404 and a refused write a 403.
 * Untrusted input: the key path (checked against a strict alphabet before
 * it is hashed; it never names a file) and the request body (streamed to
 * the store under its size limits).  Keys: SHA-256("ccache\0" + the path
 * after the prefix), so each layout keeps its own entries.
 */
#include <string.h>

#include "store/store.h"
#include "tools/ccache.h"
#include "tools/tool.h"

#define CCACHE_CTYPE "application/octet-stream"

int
ccache_path_valid(struct span p)
{
	size_t i, seglen = 0, segs = 1;
	int c;

	if (p.len == 0 || p.len > CCACHE_MAX_PATH)
		return 0;
	for (i = 0; i < p.len; i++) {
		c = p.p[i];
		if (c == '/') {
			if (seglen == 0 || ++segs > CCACHE_MAX_SEGMENTS)
				return 0;
			seglen = 0;
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
			if (++seglen > CCACHE_MAX_SEGMENT)
				return 0;
		} else
			return 0;
	}
	return seglen > 0;
}

static void
ccache_put_done(struct http_req *r, int rc, void *arg)
{
	if (rc == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
}

void
ccache_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct span path = http_req_path(r), kpath;
	unsigned char skey[STORE_KEY_LEN];
	struct store_obj o;
	int perms, rc;

	http_req_set_tag(r, STORE_NS_CCACHE);
	kpath = span_make(
	    path.p + strlen(CCACHE_PREFIX), path.len - strlen(CCACHE_PREFIX));
	if ((perms = tool_auth(r, env, "Bearer")) < 0)
		return;
	if (!ccache_path_valid(kpath)) {
		http_reply_text(r, 400, "malformed ccache key path");
		return;
	}
	store_key_for(STORE_NS_CCACHE, kpath.p, kpath.len, skey);
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (!(perms & AUTH_READ)) {
			http_reply_text(r, 403, "token may not read");
			return;
		}
		if ((rc = tool_get(r, env, skey, STORE_NS_CCACHE, &o,
			 ccache_handle, arg)) == TOOL_SUSPENDED)
			return;
		if (rc != STORE_OK) {
			http_reply(r, 404, NULL, NULL, 0);
			return;
		}
		tool_reply_obj(r, env->chain, &o, 200, CCACHE_CTYPE);
		return;
	}
	if (http_req_is(r, "PUT") || http_req_is(r, "DELETE")) {
		if (!(perms & AUTH_WRITE)) {
			http_reply_text(r, 403, "token may not write");
			return;
		}
		if (http_req_is(r, "DELETE")) {
			if (chain_del(env->chain, skey) == STORE_OK)
				http_reply(r, 200, NULL, NULL, 0);
			else
				http_reply(r, 404, NULL, NULL, 0);
			return;
		}
		tool_put(r, env, skey, STORE_NS_CCACHE, NULL, 0, NULL,
		    ccache_put_done, NULL);
		return;
	}
	http_reply_header(r, "Allow", "GET, HEAD, PUT, DELETE");
	http_reply_text(r, 405, "method not allowed");
}
