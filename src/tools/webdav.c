/*
 * WebDAV endpoint.  Untrusted input: paths, Depth, bodies (PUT bodies are
 * streamed into the store by tool_put; PROPFIND and MKCOL bodies are read
 * and ignored).  See doc/sccache.md.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "store/store.h"
#include "tools/s3.h"
#include "tools/tool.h"
#include "tools/webdav.h"
#include "upstream/sigv4.h"

#define WEBDAV_DIR_ETAG "dir"

static struct s3_keys webdav_keys;
static int webdav_opened;

int
webdav_open(const char *cache_dir, const char **err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/webdav", cache_dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST) {
		*err = "cannot create the webdav directory in the cache";
		return -1;
	}
	snprintf(path, sizeof(path), "%s/webdav/keys", cache_dir);
	if (s3_keys_open(&webdav_keys, path, 0) == -1 &&
	    (errno != ENOENT || s3_keys_open(&webdav_keys, path, 1) == -1)) {
		*err = "cannot open the webdav name journal";
		return -1;
	}
	webdav_opened = 1;
	return 0;
}

void
webdav_close(void)
{
	if (webdav_opened)
		s3_keys_close(&webdav_keys);
	webdav_opened = 0;
}

/* The decoded path below the prefix into out (NUL-terminated).  -1 when
 * malformed. */
static int
webdav_name(struct http_req *r, struct buf *out)
{
	struct span p = http_req_path(r);
	size_t i, pl = strlen(WEBDAV_PREFIX);
	int hi, lo;

	buf_reset(out);
	for (i = pl; i < p.len; i++) {
		if (p.p[i] == '%' && i + 2 < p.len &&
		    (hi = hex_digit(p.p[i + 1])) >= 0 &&
		    (lo = hex_digit(p.p[i + 2])) >= 0) {
			if (hi == 0 && lo == 0)
				return -1;
			if (buf_putc(out, hi * 16 + lo) == -1)
				return -1;
			i += 2;
		} else if (buf_putc(out, p.p[i]) == -1)
			return -1;
	}
	if (out->len > WEBDAV_PATH_MAX || buf_reserve(out, 1) == -1)
		return -1;
	out->data[out->len] = '\0';
	return 0;
}

static void
webdav_key(const char *name, size_t len, unsigned char key[STORE_KEY_LEN])
{
	store_key_for(STORE_NS_SCCACHE, name, len, key);
}

static int
webdav_alive(const struct tools_env *env, const struct s3_key *e)
{
	unsigned char key[STORE_KEY_LEN];

	webdav_key(e->name, e->len, key);
	return store_has(chain_store(env->chain), key, NULL, NULL);
}

/* A file entry whose object exists, or NULL (a dead entry is dropped). */
static struct s3_key *
webdav_file(const struct tools_env *env, const char *name, size_t len)
{
	size_t i;
	int found;

	if (len == 0 || name[len - 1] == '/')
		return NULL;
	i = s3_keys_find(&webdav_keys, name, len, &found);
	if (!found)
		return NULL;
	if (!webdav_alive(env, webdav_keys.v[i])) {
		if (s3_keys_del(&webdav_keys, name, len) == -1)
			log_warn("webdav: cannot update the name journal");
		return NULL;
	}
	return webdav_keys.v[i];
}

/* Is dir (ending in '/', or "" for the root) a collection? */
static int
webdav_is_dir(const char *dir, size_t len)
{
	size_t i;
	int found;

	if (len == 0)
		return 1;
	i = s3_keys_find(&webdav_keys, dir, len, &found);
	return i < webdav_keys.n && webdav_keys.v[i]->len >= len &&
	    memcmp(webdav_keys.v[i]->name, dir, len) == 0;
}

/* ---- PROPFIND ---- */

static int
webdav_href(struct buf *x, const char *name, size_t len)
{
	if (buf_append_str(x, "<D:href>") == -1 ||
	    sigv4_uri_encode(x, WEBDAV_PREFIX, strlen(WEBDAV_PREFIX), 1) ==
		-1 ||
	    sigv4_uri_encode(x, name, len, 1) == -1 ||
	    buf_append_str(x, "</D:href>") == -1)
		return -1;
	return 0;
}

static int
webdav_resp_dir(struct buf *x, const char *name, size_t len, int64_t mtime)
{
	char date[40];

	clock_format_http(mtime, date, sizeof(date));
	if (buf_append_str(x, "<D:response>") == -1 ||
	    webdav_href(x, name, len) == -1 ||
	    buf_printf(x,
		"<D:propstat><D:prop><D:resourcetype><D:collection/>"
		"</D:resourcetype><D:getlastmodified>%s</D:getlastmodified>"
		"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
		"</D:response>\n",
		date) == -1)
		return -1;
	return 0;
}

static int
webdav_resp_file(struct buf *x, const struct s3_key *e)
{
	char date[40];

	clock_format_http(e->mtime, date, sizeof(date));
	if (buf_append_str(x, "<D:response>") == -1 ||
	    webdav_href(x, e->name, e->len) == -1 ||
	    buf_printf(x,
		"<D:propstat><D:prop><D:resourcetype/>"
		"<D:getcontentlength>%llu</D:getcontentlength>"
		"<D:getlastmodified>%s</D:getlastmodified>"
		"<D:getcontenttype>application/octet-stream"
		"</D:getcontenttype></D:prop>"
		"<D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
		"</D:response>\n",
		(unsigned long long)e->size, date) == -1)
		return -1;
	return 0;
}

static void
webdav_propfind(struct http_req *r, const struct tools_env *env)
{
	struct buf name, x, dir;
	struct s3_key *e;
	struct span depth = http_req_header(r, "depth");
	const char *rest, *slash;
	size_t i, lastlen = 0;
	const char *last = NULL;
	int found, d1 = !(depth.p != NULL && span_eq_str(depth, "0"));

	buf_init(&name);
	buf_init(&x);
	buf_init(&dir);
	if (webdav_name(r, &name) == -1) {
		http_reply_text(r, 400, "malformed path");
		goto out;
	}
	if (buf_append_str(&x,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<D:multistatus xmlns:D=\"DAV:\">\n") == -1)
		goto nomem;
	if ((e = webdav_file(env, (const char *)name.data, name.len)) != NULL) {
		if (webdav_resp_file(&x, e) == -1)
			goto nomem;
		goto done;
	}
	/* A collection: "name/" */
	if (buf_append(&dir, name.data, name.len) == -1 ||
	    (name.len > 0 && name.data[name.len - 1] != '/' &&
		buf_putc(&dir, '/') == -1) ||
	    buf_reserve(&dir, 1) == -1)
		goto nomem;
	if (!webdav_is_dir((const char *)dir.data, dir.len)) {
		http_reply_text(r, 404, "not found");
		goto out;
	}
	if (webdav_resp_dir(
		&x, (const char *)dir.data, dir.len, webdav_keys.created) == -1)
		goto nomem;
	if (!d1)
		goto done;
	for (i = s3_keys_find(
		 &webdav_keys, (const char *)dir.data, dir.len, &found);
	     i < webdav_keys.n; i++) {
		e = webdav_keys.v[i];
		if (e->len < dir.len || memcmp(e->name, dir.data, dir.len) != 0)
			break;
		rest = e->name + dir.len;
		if (*rest == '\0')
			continue;
		slash = memchr(rest, '/', e->len - dir.len);
		if (slash != NULL) {
			size_t cl = (size_t)(slash + 1 - e->name);

			if (last != NULL && lastlen == cl &&
			    memcmp(last, e->name, cl) == 0)
				continue;
			last = e->name;
			lastlen = cl;
			if (webdav_resp_dir(&x, e->name, cl, e->mtime) == -1)
				goto nomem;
			continue;
		}
		if (!webdav_alive(env, e))
			continue; /* evicted; dropped on the next lookup */
		if (webdav_resp_file(&x, e) == -1)
			goto nomem;
	}
done:
	if (buf_append_str(&x, "</D:multistatus>\n") == -1)
		goto nomem;
	http_reply(r, 207, "application/xml; charset=utf-8", x.data, x.len);
	goto out;
nomem:
	http_reply_text(r, 500, "out of memory");
out:
	buf_release(&name);
	buf_release(&x);
	buf_release(&dir);
}

/* ---- bodies we ignore (PROPFIND, MKCOL) ---- */

static int
webdav_discard(struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	(void)r;
	(void)p;
	(void)n;
	(void)arg;
	return 0;
}

static void webdav_after_body(struct http_req *, int, void *);

static void
webdav_mkcol(struct http_req *r, const struct tools_env *env)
{
	struct buf name;

	buf_init(&name);
	if (webdav_name(r, &name) == -1 || name.len == 0) {
		http_reply_text(r, name.len == 0 ? 405 : 400,
		    name.len == 0 ? "the root exists" : "malformed path");
		goto out;
	}
	while (name.len > 0 && name.data[name.len - 1] == '/')
		name.len--;
	if (name.len == 0 ||
	    webdav_file(env, (const char *)name.data, name.len) != NULL) {
		http_reply_text(r, 405, "a file has this name");
		goto out;
	}
	if (buf_putc(&name, '/') == -1) {
		http_reply_text(r, 500, "out of memory");
		goto out;
	}
	if (webdav_is_dir((const char *)name.data, name.len)) {
		http_reply_text(r, 405, "collection exists");
		goto out;
	}
	if (s3_keys_put(&webdav_keys, (const char *)name.data, name.len, 0,
		clock_wall(), WEBDAV_DIR_ETAG) == -1) {
		http_reply_text(r, 500, "cannot record the collection");
		goto out;
	}
	http_reply(r, 201, NULL, NULL, 0);
out:
	buf_release(&name);
}

static void
webdav_after_body(struct http_req *r, int ok, void *arg)
{
	const struct tools_env *env = arg;

	if (!ok) {
		http_reply_text(r, http_req_body_error(r), "bad body");
		return;
	}
	if (http_req_is(r, "PROPFIND"))
		webdav_propfind(r, env);
	else
		webdav_mkcol(r, env);
}

/* ---- PUT ---- */

static void
webdav_put_done(struct http_req *r, int rc, void *arg)
{
	const struct tools_env *env = arg;
	struct buf name;
	struct store_obj o;
	unsigned char key[STORE_KEY_LEN];
	uint64_t size;
	int existed, found;

	if (rc != STORE_OK) {
		http_reply_text(r, tool_put_status(rc), store_strerror(rc));
		return;
	}
	buf_init(&name);
	if (webdav_name(r, &name) == -1) {
		http_reply_text(r, 500, "path");
		buf_release(&name);
		return;
	}
	s3_keys_find(&webdav_keys, (const char *)name.data, name.len, &found);
	existed = found;
	if (http_req_content_length(r) >= 0)
		size = (uint64_t)http_req_content_length(r);
	else {
		webdav_key((const char *)name.data, name.len, key);
		size = 0;
		if (store_get(chain_store(env->chain), key, &o) == STORE_OK) {
			size = o.size;
			store_obj_release(&o);
		}
	}
	if (s3_keys_put(&webdav_keys, (const char *)name.data, name.len, size,
		clock_wall(), "") == -1)
		log_warn("webdav: cannot record %s", (const char *)name.data);
	buf_release(&name);
	http_reply(r, existed ? 204 : 201, NULL, NULL, 0);
}

/* ---- DELETE ---- */

static void
webdav_delete(struct http_req *r, const struct tools_env *env)
{
	struct buf name;
	unsigned char key[STORE_KEY_LEN];
	size_t i;
	int found, n = 0;

	buf_init(&name);
	if (webdav_name(r, &name) == -1) {
		http_reply_text(r, 400, "malformed path");
		goto out;
	}
	if (webdav_file(env, (const char *)name.data, name.len) != NULL) {
		webdav_key((const char *)name.data, name.len, key);
		chain_del(env->chain, key);
		if (s3_keys_del(
			&webdav_keys, (const char *)name.data, name.len) == -1)
			log_warn("webdav: cannot update the name journal");
		http_reply(r, 204, NULL, NULL, 0);
		goto out;
	}
	if (name.len > 0 && name.data[name.len - 1] != '/' &&
	    buf_putc(&name, '/') == -1) {
		http_reply_text(r, 500, "out of memory");
		goto out;
	}
	/* A collection: everything below it. */
	i = s3_keys_find(
	    &webdav_keys, (const char *)name.data, name.len, &found);
	while (i < webdav_keys.n && webdav_keys.v[i]->len >= name.len &&
	    memcmp(webdav_keys.v[i]->name, name.data, name.len) == 0) {
		if (webdav_keys.v[i]->len > 0 &&
		    webdav_keys.v[i]->name[webdav_keys.v[i]->len - 1] != '/') {
			webdav_key(
			    webdav_keys.v[i]->name, webdav_keys.v[i]->len, key);
			chain_del(env->chain, key);
		}
		if (s3_keys_del(&webdav_keys, webdav_keys.v[i]->name,
			webdav_keys.v[i]->len) == -1) {
			http_reply_text(r, 500, "cannot update the journal");
			goto out;
		}
		n++;
	}
	if (n == 0)
		http_reply_text(r, 404, "not found");
	else
		http_reply(r, 204, NULL, NULL, 0);
out:
	buf_release(&name);
}

void
webdav_handle(struct http_req *r, void *arg)
{
	const struct tools_env *env = arg;
	struct buf name;
	struct store_obj o;
	struct s3_key *e;
	unsigned char key[STORE_KEY_LEN];
	char date[40];
	int perms, write;

	http_req_set_tag(r, STORE_NS_SCCACHE);
	if ((perms = tool_auth(r, env, "Basic")) < 0)
		return;
	if (!webdav_opened) {
		http_reply_text(r, 503, "webdav is not available");
		return;
	}
	if (http_req_is(r, "OPTIONS")) {
		http_reply_header(r, "DAV", "1");
		http_reply_header(r, "Allow",
		    "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, PROPFIND");
		http_reply(r, 200, NULL, NULL, 0);
		return;
	}
	write = http_req_is(r, "PUT") || http_req_is(r, "DELETE") ||
	    http_req_is(r, "MKCOL");
	if (!(perms & (write ? AUTH_WRITE : AUTH_READ))) {
		tool_forbidden(r, 403,
		    write ? "token may not write" : "token may not read");
		return;
	}
	if (http_req_is(r, "PROPFIND") || http_req_is(r, "MKCOL")) {
		http_req_read_body(
		    r, webdav_discard, webdav_after_body, (void *)env);
		return;
	}
	if (http_req_is(r, "DELETE")) {
		webdav_delete(r, env);
		return;
	}
	buf_init(&name);
	if (webdav_name(r, &name) == -1) {
		http_reply_text(r, 400, "malformed path");
		goto out;
	}
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		webdav_key((const char *)name.data, name.len, key);
		if ((e = webdav_file(env, (const char *)name.data, name.len)) ==
			NULL ||
		    chain_get(env->chain, key, STORE_NS_SCCACHE, &o) !=
			STORE_OK) {
			http_reply_text(r, 404, "not found");
			goto out;
		}
		clock_format_http(e->mtime, date, sizeof(date));
		http_reply_header(r, "Last-Modified", date);
		tool_reply_obj(
		    r, env->chain, &o, 200, "application/octet-stream");
		goto out;
	}
	if (http_req_is(r, "PUT")) {
		if (name.len == 0 || name.data[name.len - 1] == '/') {
			http_reply_text(r, 405, "cannot PUT a collection");
			goto out;
		}
		webdav_key((const char *)name.data, name.len, key);
		tool_put(r, env, key, STORE_NS_SCCACHE, NULL, 0, NULL,
		    webdav_put_done, (void *)env);
		goto out;
	}
	http_reply_header(
	    r, "Allow", "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, PROPFIND");
	http_reply_text(r, 405, "method not allowed");
out:
	buf_release(&name);
}
