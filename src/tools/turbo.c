/*
 * Turborepo remote cache adapter (Remote Cache API 8.0.0).  Artifacts are
 * kept per team: key = SHA-256("turbo\0" + team + "\0" + hash), the team
 * being the teamId query parameter, else slug, else "".  The request
 * headers x-artifact-duration and x-artifact-tag are kept in the object's
 * metadata and returned byte for byte, so signed artifacts verify.
 * Untrusted input: path, query and headers (bounded and checked before
 * use), artifact bodies (streamed by tool_put under the size limit) and
 * JSON bodies (bounded by TURBO_MAX_QUERY_BODY, parsed by base/json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/json.h"
#include "cache/stats.h"
#include "store/store.h"
#include "tools/tool.h"
#include "tools/turbo.h"

#define TURBO_ARTIFACTS "/v8/artifacts/"
#define TURBO_CTYPE "application/octet-stream"
#define TURBO_JSON "application/json"
/* What a preflight answer allows: everything turbo sends, so that it
 * keeps the Authorization header for the real request. */
#define TURBO_ALLOW_HEADERS \
	"Authorization, Content-Type, User-Agent, x-artifact-duration, " \
	"x-artifact-tag, x-artifact-client-ci, " \
	"x-artifact-client-interactive, " \
	"x-artifact-dirty-hash"
#define TURBO_META_VERSION 1

/*
 * Object metadata (at most 5 + TURBO_MAX_DURATION + TURBO_MAX_TAG bytes):
 *
 *   +---------+---------+-------------+---------+--------+
 *   | version | dlen    | duration    | tlen    | tag    |
 *   | 1 byte  | u16 BE  | dlen bytes  | u16 BE  | tlen   |
 *   +---------+---------+-------------+---------+--------+
 *
 * Both values are header text exactly as the client sent it; a length of
 * 0 means the header was absent.
 */
#define TURBO_META_LEN (5 + TURBO_MAX_DURATION + TURBO_MAX_TAG)
_Static_assert(TURBO_META_LEN <= STORE_META_MAX, "turbo metadata too big");

struct turbo_meta {
	char duration[TURBO_MAX_DURATION + 1];
	char tag[TURBO_MAX_TAG + 1];
};

struct turbo_ctx {
	const struct tools_env *env;
	struct span hash; /* artifact routes only; points into the path */
	char team[TURBO_MAX_TEAM + 1];
	size_t team_len;
	int perms;
};

typedef void turbo_fn(struct http_req *, struct turbo_ctx *);

static turbo_fn turbo_query, turbo_status, turbo_events, turbo_get, turbo_put;

/* Exact paths first; the artifact routes take "/v8/artifacts/{hash}". */
static const struct turbo_route {
	const char *method;
	const char *path;
	int artifact;
	turbo_fn *fn;
} turbo_routes[] = {
	{ "POST", "/v8/artifacts", 0, turbo_query },
	{ "GET", "/v8/artifacts/status", 0, turbo_status },
	{ "POST", "/v8/artifacts/events", 0, turbo_events },
	{ "GET", TURBO_ARTIFACTS, 1, turbo_get },
	{ "HEAD", TURBO_ARTIFACTS, 1, turbo_get },
	{ "PUT", TURBO_ARTIFACTS, 1, turbo_put },
};
#define TURBO_NROUTES (sizeof(turbo_routes) / sizeof(turbo_routes[0]))

/* Replies with the error document turbo parses:
 * {"error":{"code":"...","message":"..."}}. */
static void
turbo_error(struct http_req *r, int status, const char *code, const char *msg)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b);
	json_writer_init(&w, &b);
	json_obj_begin(&w);
	json_key(&w, "error");
	json_obj_begin(&w);
	json_key(&w, "code");
	json_cstr(&w, code);
	json_key(&w, "message");
	json_cstr(&w, msg);
	json_obj_end(&w);
	json_obj_end(&w);
	if (json_writer_finish(&w) == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, status, TURBO_JSON, b.data, b.len);
	buf_release(&b);
}

/* A token without the permission: counted like tool_forbidden(), but
 * answered with turbo's JSON error. */
static void
turbo_forbidden(struct http_req *r, const char *msg)
{
	stats_auth_failure("forbidden");
	turbo_error(r, 403, "forbidden", msg);
}

static int
turbo_valid_hash(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > TURBO_MAX_HASH)
		return 0;
	for (i = 0; i < s.len; i++) {
		if (!((s.p[i] >= '0' && s.p[i] <= '9') ||
			(s.p[i] >= 'a' && s.p[i] <= 'z') ||
			(s.p[i] >= 'A' && s.p[i] <= 'Z') || s.p[i] == '_' ||
			s.p[i] == '-'))
			return 0;
	}
	return 1;
}

/* Header text that may be stored and sent back: visible ASCII and
 * spaces, no more than max bytes. */
static int
turbo_valid_header(struct span v, size_t max)
{
	size_t i;

	if (v.len > max)
		return 0;
	for (i = 0; i < v.len; i++)
		if (v.p[i] < 0x20 || v.p[i] > 0x7e)
			return 0;
	return 1;
}

/* Percent-decodes a query value into out (NUL-terminated, at most max
 * bytes); control characters are refused.  Returns the length or -1. */
static long
turbo_query_value(struct span v, char *out, size_t max)
{
	size_t i, n = 0;
	int c, hi, lo;

	for (i = 0; i < v.len; i++) {
		c = v.p[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= v.len)
				return -1;
			hi = hex_digit(v.p[i + 1]);
			lo = hex_digit(v.p[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || n >= max)
			return -1;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return (long)n;
}

/* Picks the team from the query: a non-empty teamId, else slug, else "".
 * Returns 0, or -1 for a malformed or over-long value. */
static int
turbo_team(struct span q, struct turbo_ctx *c)
{
	char slug[TURBO_MAX_TEAM + 1];
	const unsigned char *p = q.p, *end = q.p + q.len, *amp, *eq;
	struct span name, val;
	long n, slug_len = -1, id_len = -1;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		name = span_make(p, (size_t)(eq - p));
		val = eq < amp ? span_make(eq + 1, (size_t)(amp - eq - 1))
			       : span_make(eq, 0);
		if (span_eq_str(name, "teamId")) {
			n = turbo_query_value(val, c->team, TURBO_MAX_TEAM);
			if (n < 0)
				return -1;
			id_len = n;
		} else if (span_eq_str(name, "slug")) {
			n = turbo_query_value(val, slug, TURBO_MAX_TEAM);
			if (n < 0)
				return -1;
			slug_len = n;
		}
		p = amp + 1;
	}
	if (id_len > 0) {
		c->team_len = (size_t)id_len;
	} else if (slug_len >= 0) {
		memcpy(c->team, slug, (size_t)slug_len + 1);
		c->team_len = (size_t)slug_len;
	} else {
		c->team[0] = '\0';
		c->team_len = 0;
	}
	return 0;
}

/* key = SHA-256("turbo\0" + team + "\0" + hash); hash holds no NUL. */
static void
turbo_key(const struct turbo_ctx *c, struct span hash,
    unsigned char key[STORE_KEY_LEN])
{
	unsigned char tk[TURBO_MAX_TEAM + 1 + TURBO_MAX_HASH];

	memcpy(tk, c->team, c->team_len);
	tk[c->team_len] = '\0';
	memcpy(tk + c->team_len + 1, hash.p, hash.len);
	store_key_for(STORE_NS_TURBO, tk, c->team_len + 1 + hash.len, key);
}

static size_t
turbo_meta_encode(struct span dur, struct span tag, unsigned char *out)
{
	size_t n = 0;

	out[n++] = TURBO_META_VERSION;
	out[n++] = (unsigned char)(dur.len >> 8);
	out[n++] = (unsigned char)dur.len;
	if (dur.len > 0)
		memcpy(out + n, dur.p, dur.len);
	n += dur.len;
	out[n++] = (unsigned char)(tag.len >> 8);
	out[n++] = (unsigned char)tag.len;
	if (tag.len > 0)
		memcpy(out + n, tag.p, tag.len);
	return n + tag.len;
}

/* Fills m from stored metadata; anything malformed reads as absent. */
static void
turbo_meta_decode(const unsigned char *p, size_t len, struct turbo_meta *m)
{
	size_t dlen, tlen;

	m->duration[0] = m->tag[0] = '\0';
	if (p == NULL || len < 5 || p[0] != TURBO_META_VERSION)
		return;
	dlen = (size_t)p[1] << 8 | p[2];
	if (dlen > TURBO_MAX_DURATION || 3 + dlen + 2 > len ||
	    !turbo_valid_header(span_make(p + 3, dlen), TURBO_MAX_DURATION))
		return;
	tlen = (size_t)p[3 + dlen] << 8 | p[4 + dlen];
	if (tlen > TURBO_MAX_TAG || 5 + dlen + tlen != len ||
	    !turbo_valid_header(span_make(p + 5 + dlen, tlen), TURBO_MAX_TAG))
		return;
	memcpy(m->duration, p + 3, dlen);
	m->duration[dlen] = '\0';
	memcpy(m->tag, p + 5 + dlen, tlen);
	m->tag[tlen] = '\0';
}

/* The duration as a number for the metadata query (0 when not one). */
static unsigned long long
turbo_duration_ms(const char *s)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return 0;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	return v;
}

static void
turbo_get(struct http_req *r, struct turbo_ctx *c)
{
	unsigned char key[STORE_KEY_LEN];
	struct turbo_meta m;
	struct store_obj o;
	int rc;

	if (!(c->perms & AUTH_READ)) {
		turbo_forbidden(r, "token may not read");
		return;
	}
	turbo_key(c, c->hash, key);
	if ((rc = tool_get(r, c->env, key, STORE_NS_TURBO, &o, turbo_handle,
		 (void *)c->env)) == TOOL_SUSPENDED)
		return;
	if (rc != STORE_OK) {
		turbo_error(r, 404, "not_found", "artifact not found");
		return;
	}
	turbo_meta_decode(o.meta, o.meta_len, &m);
	if (m.duration[0] != '\0')
		http_reply_header(r, "x-artifact-duration", m.duration);
	if (m.tag[0] != '\0')
		http_reply_header(r, "x-artifact-tag", m.tag);
	tool_reply_obj(r, c->env->chain, &o, 200, TURBO_CTYPE);
}

static void
turbo_put_done(struct http_req *r, int rc, void *arg)
{
	struct span path = http_req_path(r);
	struct json_writer w;
	struct buf b;

	(void)arg;
	if (rc != STORE_OK) {
		turbo_error(
		    r, tool_put_status(rc), "store_failed", store_strerror(rc));
		return;
	}
	buf_init(&b);
	json_writer_init(&w, &b);
	json_obj_begin(&w);
	json_key(&w, "urls");
	json_arr_begin(&w);
	json_str(&w, (const char *)path.p, path.len);
	json_arr_end(&w);
	json_obj_end(&w);
	if (json_writer_finish(&w) == -1)
		http_reply_text(r, 500, "out of memory");
	else
		http_reply(r, 202, TURBO_JSON, b.data, b.len);
	buf_release(&b);
}

static void
turbo_put(struct http_req *r, struct turbo_ctx *c)
{
	unsigned char key[STORE_KEY_LEN], meta[TURBO_META_LEN];
	struct span dur = http_req_header(r, "x-artifact-duration");
	struct span tag = http_req_header(r, "x-artifact-tag");
	size_t mlen;

	if (!(c->perms & AUTH_WRITE)) {
		turbo_forbidden(r, "token may not write");
		return;
	}
	if (dur.p == NULL)
		dur.len = 0;
	if (tag.p == NULL)
		tag.len = 0;
	if (!turbo_valid_header(dur, TURBO_MAX_DURATION) ||
	    !turbo_valid_header(tag, TURBO_MAX_TAG)) {
		turbo_error(r, 400, "bad_request",
		    "x-artifact-duration or x-artifact-tag too long or not "
		    "printable");
		return;
	}
	mlen = turbo_meta_encode(dur, tag, meta);
	turbo_key(c, c->hash, key);
	/* Overwriting an existing hash is normal: the last writer wins. */
	tool_put(r, c->env, key, STORE_NS_TURBO, meta, mlen, NULL,
	    turbo_put_done, NULL);
}

static void
turbo_status(struct http_req *r, struct turbo_ctx *c)
{
	static const char body[] = "{\"status\":\"enabled\"}";

	(void)c;
	http_reply(r, 200, TURBO_JSON, body, sizeof(body) - 1);
}

/* Usage events are accepted and dropped (turbo ignores the answer); the
 * body is read so the connection stays usable. */
static int
turbo_events_data(
    struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	(void)r;
	(void)p;
	(void)n;
	(void)arg;
	return 0;
}

static void
turbo_events_end(struct http_req *r, int ok, void *arg)
{
	(void)arg;
	if (ok)
		http_reply(r, 200, TURBO_JSON, "{}", 2);
	else
		turbo_error(r, http_req_body_error(r), "bad_request",
		    "incomplete or malformed body");
}

static void
turbo_events(struct http_req *r, struct turbo_ctx *c)
{
	(void)c;
	http_req_read_body(r, turbo_events_data, turbo_events_end, NULL);
}

/* POST /v8/artifacts: {"hashes":[...]} -> {hash: {size, taskDurationMs,
 * tag?} | null | {"error": ...}}. */
struct turbo_query_state {
	struct turbo_ctx c;
	struct buf body;
};

static void
turbo_query_free(struct turbo_query_state *st)
{
	buf_release(&st->body);
	free(st);
}

static void
turbo_query_abort(struct http_req *r, void *arg)
{
	(void)r;
	turbo_query_free(arg);
}

static int
turbo_query_data(
    struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct turbo_query_state *st = arg;

	if (n > TURBO_MAX_QUERY_BODY - st->body.len) {
		http_req_on_abort(r, NULL, NULL);
		turbo_query_free(st);
		turbo_error(r, 413, "bad_request", "query body too large");
		return -1;
	}
	if (buf_append(&st->body, p, n) == -1) {
		http_req_on_abort(r, NULL, NULL);
		turbo_query_free(st);
		turbo_error(r, 500, "internal", "out of memory");
		return -1;
	}
	return 0;
}

/* Writes the value for one hash into w. */
static void
turbo_query_one(struct json_writer *w, const struct turbo_ctx *c,
    const char *hash, size_t len)
{
	unsigned char key[STORE_KEY_LEN];
	struct turbo_meta m;
	struct store_obj o;

	if (!turbo_valid_hash(span_make(hash, len))) {
		json_obj_begin(w);
		json_key(w, "error");
		json_obj_begin(w);
		json_key(w, "message");
		json_cstr(w, "invalid hash");
		json_obj_end(w);
		json_obj_end(w);
		return;
	}
	turbo_key(c, span_make(hash, len), key);
	/* A metadata query is neither a hit nor a miss of a download, so
	 * the local store is asked without counting. */
	if (store_get(chain_store(c->env->chain), key, &o) != STORE_OK) {
		json_null(w);
		return;
	}
	turbo_meta_decode(o.meta, o.meta_len, &m);
	json_obj_begin(w);
	json_key(w, "size");
	json_uint(w, o.size);
	json_key(w, "taskDurationMs");
	json_uint(w, turbo_duration_ms(m.duration));
	if (m.tag[0] != '\0') {
		json_key(w, "tag");
		json_cstr(w, m.tag);
	}
	json_obj_end(w);
	store_obj_release(&o);
}

static void
turbo_query_end(struct http_req *r, int ok, void *arg)
{
	struct turbo_query_state *st = arg;
	const struct json_value *hashes, *h;
	struct json_value *root = NULL;
	struct json_writer w;
	struct buf out;
	const char *s;
	size_t i, n, len;

	http_req_on_abort(r, NULL, NULL);
	buf_init(&out);
	if (!ok) {
		turbo_error(r, http_req_body_error(r), "bad_request",
		    "incomplete or malformed body");
		goto done;
	}
	root = json_parse((const char *)st->body.data, st->body.len, NULL);
	hashes = json_object_get(root, "hashes");
	if (json_type(hashes) != JSON_ARRAY) {
		turbo_error(
		    r, 400, "bad_request", "body must be {\"hashes\": [...]}");
		goto done;
	}
	if ((n = json_array_len(hashes)) > TURBO_MAX_QUERY_HASHES) {
		turbo_error(r, 400, "bad_request", "too many hashes");
		goto done;
	}
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	for (i = 0; i < n; i++) {
		h = json_array_at(hashes, i);
		if ((s = json_string(h, &len)) == NULL) {
			turbo_error(
			    r, 400, "bad_request", "hashes must be strings");
			goto done;
		}
		json_keyn(&w, s, len);
		turbo_query_one(&w, &st->c, s, len);
	}
	json_obj_end(&w);
	if (json_writer_finish(&w) == -1)
		turbo_error(r, 500, "internal", "out of memory");
	else
		http_reply(r, 200, TURBO_JSON, out.data, out.len);
done:
	json_free(root);
	buf_release(&out);
	turbo_query_free(st);
}

static void
turbo_query(struct http_req *r, struct turbo_ctx *c)
{
	struct turbo_query_state *st;

	if (!(c->perms & AUTH_READ)) {
		turbo_forbidden(r, "token may not read");
		return;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		turbo_error(r, 500, "internal", "out of memory");
		return;
	}
	st->c = *c;
	buf_init(&st->body);
	http_req_on_abort(r, turbo_query_abort, st);
	http_req_read_body(r, turbo_query_data, turbo_query_end, st);
}

/* CORS preflight: turbo --preflight sends OPTIONS before every request
 * and keeps Authorization only if the answer allows it.  No Location:
 * the real request goes to the same URL. */
static void
turbo_preflight(struct http_req *r, const char *allow)
{
	http_reply_header(r, "Access-Control-Allow-Origin", "*");
	http_reply_header(r, "Access-Control-Allow-Methods", allow);
	http_reply_header(
	    r, "Access-Control-Allow-Headers", TURBO_ALLOW_HEADERS);
	http_reply_header(r, "Access-Control-Max-Age", "600");
	http_reply_header(r, "Allow", allow);
	http_reply(r, 200, NULL, NULL, 0);
}

void
turbo_handle(struct http_req *r, void *arg)
{
	struct span path = http_req_path(r);
	const struct turbo_route *rt, *found = NULL;
	struct turbo_ctx c;
	char allow[64];
	size_t i, alen = 0;
	int artifact = 1;

	http_req_set_tag(r, STORE_NS_TURBO);
	memset(&c, 0, sizeof(c));
	c.env = arg;
	for (i = 0; i < TURBO_NROUTES; i++)
		if (!turbo_routes[i].artifact &&
		    span_eq_str(path, turbo_routes[i].path))
			artifact = 0;
	if (artifact) {
		if (path.len <= strlen(TURBO_ARTIFACTS) ||
		    memcmp(path.p, TURBO_ARTIFACTS, strlen(TURBO_ARTIFACTS)) !=
			0) {
			turbo_error(r, 404, "not_found", "no such endpoint");
			return;
		}
		c.hash = span_make(path.p + strlen(TURBO_ARTIFACTS),
		    path.len - strlen(TURBO_ARTIFACTS));
	}
	for (i = 0; i < TURBO_NROUTES && found == NULL; i++) {
		rt = &turbo_routes[i];
		if (rt->artifact == artifact &&
		    (artifact || span_eq_str(path, rt->path)) &&
		    http_req_is(r, rt->method))
			found = rt;
	}
	if (found == NULL) {
		/* The methods of this path, for Allow. */
		allow[0] = '\0';
		for (i = 0; i < TURBO_NROUTES; i++) {
			rt = &turbo_routes[i];
			if (rt->artifact != artifact ||
			    (!artifact && !span_eq_str(path, rt->path)))
				continue;
			alen += (size_t)snprintf(allow + alen,
			    sizeof(allow) - alen, "%s, ", rt->method);
		}
		snprintf(allow + alen, sizeof(allow) - alen, "OPTIONS");
		if (http_req_is(r, "OPTIONS")) {
			turbo_preflight(r, allow);
			return;
		}
		http_reply_header(r, "Allow", allow);
		turbo_error(r, 405, "method_not_allowed", "method not allowed");
		return;
	}
	if ((c.perms = tool_auth(r, c.env, "Bearer")) < 0)
		return;
	if (turbo_team(http_req_query(r), &c) == -1) {
		turbo_error(r, 400, "bad_request", "malformed teamId or slug");
		return;
	}
	if (artifact && !turbo_valid_hash(c.hash)) {
		turbo_error(r, 400, "bad_request", "malformed artifact hash");
		return;
	}
	found->fn(r, &c);
}
