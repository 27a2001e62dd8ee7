/*
 * Gradle HTTP build cache adapter.  Gradle switches its remote cache off
 * for the whole build on any status it does not expect, so this path only
 * answers 200/404/413/2xx for ordinary trouble: a miss is 404, a body too
 * large is 413 (Gradle logs it and goes on), and a token that may only
 * read gets 413 on PUT too (the write is refused before the body is sent;
 * reads keep working).  Keys: SHA-256("gradle\0" + key).
 */
#include <string.h>

#include "store/store.h"
#include "tools/gradle.h"
#include "tools/tool.h"

#define GRADLE_CTYPE "application/vnd.gradle.build-cache-artifact.v1"

static void
gradle_put_done(struct http_req *r, int rc, void *arg)
{
	if (rc == STORE_OK)
		http_reply(r, 200, NULL, NULL, 0);
	else
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
}

void
gradle_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct span path = http_req_path(r), key;
	unsigned char skey[STORE_KEY_LEN];
	struct store_obj o;
	int perms, rc;

	http_req_set_tag(r, STORE_NS_GRADLE);
	key = span_make(
	    path.p + strlen(GRADLE_PREFIX), path.len - strlen(GRADLE_PREFIX));
	if ((perms = tool_auth(r, env, "Basic")) < 0)
		return;
	if (!tool_is_hex(key, 1, GRADLE_MAX_KEY)) {
		http_reply_text(r, 400, "malformed cache key");
		return;
	}
	store_key_for(STORE_NS_GRADLE, key.p, key.len, skey);
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (!(perms & AUTH_READ)) {
			tool_forbidden(r, 404, "token may not read");
			return;
		}
		if ((rc = tool_get(r, env, skey, STORE_NS_GRADLE, &o,
			 gradle_handle, arg)) == TOOL_SUSPENDED)
			return;
		if (rc != STORE_OK) {
			http_reply(r, 404, NULL, NULL, 0);
			return;
		}
		tool_reply_obj(r, env->chain, &o, 200, GRADLE_CTYPE);
		return;
	}
	if (http_req_is(r, "PUT")) {
		if (!(perms & AUTH_WRITE)) {
			tool_forbidden(r, 413, "token may not write");
			return;
		}
		tool_put(r, env, skey, STORE_NS_GRADLE, NULL, 0, NULL,
		    gradle_put_done, NULL);
		return;
	}
	http_reply_header(r, "Allow", "GET, HEAD, PUT");
	http_reply_text(r, 405, "method not allowed");
}
