/*
 * Nx self-hosted remote cache adapter.  The Nx client accepts only 200 as
 * a stored PUT (202 and 204 are errors), takes 409 and 403 on PUT as
 * "not stored" quietly, and stops the whole run on a GET answer other
 * than 200/404; its error messages are shown from text/plain bodies.
 * Records are never overwritten (409).  Keys: SHA-256("nx\0" + hash).
 * Untrusted input: the hash in the path (checked before any lookup), the
 * token and the body (streamed by tool_put under the size limit).
 */
#include <string.h>

#include "store/store.h"
#include "tools/nx.h"
#include "tools/tool.h"

#define NX_CTYPE "application/octet-stream"

static int
nx_valid_hash(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > NX_MAX_HASH)
		return 0;
	for (i = 0; i < s.len; i++) {
		if (!((s.p[i] >= '0' && s.p[i] <= '9') ||
			(s.p[i] >= 'a' && s.p[i] <= 'z') ||
			(s.p[i] >= 'A' && s.p[i] <= 'Z')))
			return 0;
	}
	return 1;
}

static void
nx_put_done(struct http_req *r, int rc, void *arg)
{
	(void)arg;
	if (rc == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
}

void
nx_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct span path = http_req_path(r), hash;
	unsigned char skey[STORE_KEY_LEN];
	struct store_obj o;
	int perms, rc;

	http_req_set_tag(r, STORE_NS_NX);
	hash =
	    span_make(path.p + strlen(NX_PREFIX), path.len - strlen(NX_PREFIX));
	if ((perms = tool_auth(r, env, "Bearer")) < 0)
		return;
	if (!nx_valid_hash(hash)) {
		http_reply_text(r, 400, "malformed hash");
		return;
	}
	store_key_for(STORE_NS_NX, hash.p, hash.len, skey);
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (!(perms & AUTH_READ)) {
			tool_forbidden(r, 403, "token may not read");
			return;
		}
		if ((rc = tool_get(r, env, skey, STORE_NS_NX, &o, nx_handle,
			 arg)) == TOOL_SUSPENDED)
			return;
		if (rc != STORE_OK) {
			http_reply_text(r, 404, "not found");
			return;
		}
		tool_reply_obj(r, env->chain, &o, 200, NX_CTYPE);
		return;
	}
	if (http_req_is(r, "PUT")) {
		if (!(perms & AUTH_WRITE)) {
			tool_forbidden(r, 403, "token may not write");
			return;
		}
		/* The local store is asked directly: an existence check
		 * before a write is neither a hit nor a miss. */
		if (store_has(chain_store(env->chain), skey, NULL, NULL)) {
			http_reply_text(
			    r, 409, "cannot override an existing record");
			return;
		}
		tool_put(r, env, skey, STORE_NS_NX, NULL, 0, NULL, nx_put_done,
		    NULL);
		return;
	}
	http_reply_header(r, "Allow", "GET, HEAD, PUT");
	http_reply_text(r, 405, "method not allowed");
}
