/*
 * Shared adapter plumbing.  Untrusted input: request bodies (streamed to a
 * store writer that enforces the size limits) and credentials.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "cache/stats.h"
#include "http/grpc_frame.h"
#include "http/grpc_server.h"
#include "tools/tool.h"

int
tool_auth(struct http_req *r, const struct tools_env *env, const char *scheme)
{
	struct auth_info info;
	char hdr[128];
	int perms;

	switch (auth_check_at(env->auth, http_req_header(r, "authorization"),
	    clock_wall(), &perms, &info)) {
	case AUTH_OK:
		/* Who did what: the token's subject and project, for
		 * operators reading debug logs (not metric labels: subjects
		 * are unbounded). */
		if (info.sub[0] != '\0' || info.project_id[0] != '\0')
			log_debug("%s %.*s %.*s: sub=%s project_id=%s "
				  "instance_id=%s perms=%d",
			    http_req_peer(r), (int)http_req_method(r).len,
			    (const char *)http_req_method(r).p,
			    (int)http_req_path(r).len,
			    (const char *)http_req_path(r).p, info.sub,
			    info.project_id, info.instance_id, perms);
		return perms;
	case AUTH_ANON:
		return perms;
	default:
		log_debug("%s: credentials refused: %s", http_req_peer(r),
		    info.reason);
		stats_auth_failure(info.reason);
		snprintf(hdr, sizeof(hdr), "%s realm=\"fabrik\"", scheme);
		http_reply_header(r, "WWW-Authenticate", hdr);
		http_reply_text(r, 401,
		    strcmp(info.reason, "missing") == 0
			? "authentication required"
			: "invalid credentials");
		return -1;
	}
}

int
tool_grpc_auth(struct auth *a, struct grpc_call *call, int *perms, int need,
    const char **msg)
{
	struct auth_info info;
	int p;

	if (*perms < 0) {
		switch (
		    auth_check_at(a, grpc_call_metadata(call, "authorization"),
			clock_wall(), &p, &info)) {
		case AUTH_OK:
			if (info.sub[0] != '\0')
				log_debug("grpc %s %s: sub=%s project_id=%s "
					  "perms=%d",
				    grpc_call_peer(call), grpc_call_path(call),
				    info.sub, info.project_id, p);
			*perms = p;
			break;
		case AUTH_ANON:
			*perms = p;
			break;
		default:
			stats_auth_failure(info.reason);
			*msg = strcmp(info.reason, "missing") == 0
			    ? "authentication required"
			    : "invalid credentials";
			return GRPC_STATUS_UNAUTHENTICATED;
		}
	}
	if ((*perms & need) != need) {
		stats_auth_failure("forbidden");
		*msg = need & AUTH_WRITE ? "token may not write"
					 : "token may not read";
		return GRPC_STATUS_PERMISSION_DENIED;
	}
	return GRPC_STATUS_OK;
}

void
tool_forbidden(struct http_req *r, int status, const char *msg)
{
	stats_auth_failure("forbidden");
	http_reply_text(r, status, msg);
}

struct tool_src {
	struct store_obj o;
	struct chain *chain;
};

static int64_t
tool_src_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct tool_src *s = arg;

	return store_obj_read(&s->o, out, n, pos);
}

static int
tool_src_finish(void *arg, int ok)
{
	struct tool_src *s = arg;

	if (!ok)
		return 0;
	return store_obj_finish(chain_store(s->chain), &s->o);
}

static void
tool_src_release(void *arg)
{
	struct tool_src *s = arg;

	store_obj_release(&s->o);
	free(s);
}

void
tool_reply_obj(struct http_req *r, struct chain *chain, struct store_obj *o,
    int status, const char *ctype)
{
	struct http_source src;
	struct tool_src *s;

	if (o->data != NULL) {
		http_reply(r, status, ctype, o->data, o->size);
		store_obj_release(o);
		return;
	}
	if ((s = malloc(sizeof(*s))) == NULL) {
		store_obj_release(o);
		http_reply_text(r, 500, "out of memory");
		return;
	}
	s->o = *o;
	s->chain = chain;
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	src.read = tool_src_read;
	src.finish = tool_src_finish;
	src.release = tool_src_release;
	src.arg = s;
	if (s->o.verified)
		http_reply_file(
		    r, status, ctype, s->o.size, s->o.fd, s->o.off, &src);
	else
		http_reply_stream(r, status, ctype, s->o.size, &src);
}

struct tool_fetch {
	struct chain_wait *w;
	http_handler *again;
	void *arg;
	struct http_req *r;
};

static void
tool_fetch_abort(struct http_req *r, void *arg)
{
	struct tool_fetch *tf = arg;

	(void)r;
	chain_wait_cancel(tf->w);
	free(tf);
}

static void
tool_fetch_done(void *arg, int rc)
{
	struct tool_fetch *tf = arg;
	struct http_req *r = tf->r;
	http_handler *again = tf->again;
	void *harg = tf->arg;

	(void)rc;
	free(tf);
	http_req_on_abort(r, NULL, NULL);
	http_req_set_pass(r, http_req_pass(r) + 1);
	again(r, harg);
}

int
tool_get(struct http_req *r, const struct tools_env *env,
    const unsigned char *key, int ns, struct store_obj *o, http_handler *again,
    void *arg)
{
	struct tool_fetch *tf;
	int rc = store_get(chain_store(env->chain), key, o);

	if (rc == STORE_OK) {
		stats_hit(ns, o->size);
		return rc;
	}
	if (http_req_pass(r) == 0 && chain_nupstreams(env->chain) > 0 &&
	    (tf = calloc(1, sizeof(*tf))) != NULL) {
		tf->again = again;
		tf->arg = arg;
		tf->r = r;
		if ((tf->w = chain_fetch(
			 env->chain, key, ns, tool_fetch_done, tf)) != NULL) {
			http_req_on_abort(r, tool_fetch_abort, tf);
			return TOOL_SUSPENDED;
		}
		free(tf);
	}
	stats_miss(ns);
	return STORE_MISS;
}

struct tool_put_state {
	const struct tools_env *env;
	struct store_writer *w;
	unsigned char key[STORE_KEY_LEN];
	unsigned char sha[SHA256_LEN];
	int has_sha;
	int ns;
	int rc;
	uint64_t size;
	tool_put_done *done;
	void *arg;
	struct http_req *r;
	struct chain_wait *wait; /* write-through uploads */
};

static int
tool_put_data(struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct tool_put_state *st = arg;

	st->size += n;
	st->rc = store_put_write(st->w, p, n);
	if (st->rc != STORE_OK) {
		/* Stop reading; answer now (the connection then closes). */
		chain_put_abort(st->env->chain, st->w, st->ns);
		st->w = NULL;
		http_req_on_abort(r, NULL, NULL);
		st->done(r, st->rc, st->arg);
		free(st);
		return -1;
	}
	return 0;
}

static void tool_put_abort(struct http_req *, void *);

static void
tool_put_uploaded(void *arg, int rc)
{
	struct tool_put_state *st = arg;

	(void)rc;
	http_req_on_abort(st->r, NULL, NULL);
	st->done(st->r, STORE_OK, st->arg);
	free(st);
}

static void
tool_put_end(struct http_req *r, int ok, void *arg)
{
	struct tool_put_state *st = arg;
	int rc;

	http_req_on_abort(r, NULL, NULL);
	if (!ok) {
		chain_put_abort(st->env->chain, st->w, st->ns);
		free(st);
		/* Malformed or over-long body: the connection is closing, but
		 * it may still take an answer. */
		http_reply_text(r, http_req_body_error(r),
		    http_req_body_error(r) == 413
			? "request body too large"
			: "incomplete or malformed body");
		return;
	}
	rc = chain_put_commit(st->env->chain, st->w, st->ns, st->size,
	    st->has_sha ? st->sha : NULL);
	st->w = NULL;
	if (rc == STORE_OK &&
	    (st->wait = chain_wait_uploads(
		 st->env->chain, st->key, 0, tool_put_uploaded, st)) != NULL) {
		/* write_through: answer once the uploads ended. */
		st->r = r;
		http_req_on_abort(r, tool_put_abort, st);
		return;
	}
	st->done(r, rc, st->arg);
	free(st);
}

static void
tool_put_abort(struct http_req *r, void *arg)
{
	struct tool_put_state *st = arg;

	if (st->w != NULL)
		chain_put_abort(st->env->chain, st->w, st->ns);
	chain_wait_cancel(st->wait);
	free(st);
}

void
tool_put(struct http_req *r, const struct tools_env *env,
    const unsigned char *key, int ns, const void *meta, size_t meta_len,
    const unsigned char *expect_sha, tool_put_done *done, void *arg)
{
	struct tool_put_state *st;
	long long len = http_req_content_length(r);
	int rc;

	if (len >= 0 && (uint64_t)len > env->max_object_size) {
		done(r, STORE_ETOOBIG, arg);
		return;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		done(r, STORE_EIO, arg);
		return;
	}
	st->env = env;
	memcpy(st->key, key, STORE_KEY_LEN);
	if (expect_sha != NULL) {
		memcpy(st->sha, expect_sha, SHA256_LEN);
		st->has_sha = 1;
	}
	st->ns = ns;
	st->done = done;
	st->arg = arg;
	rc = chain_put_begin(env->chain, key, ns, len, meta, meta_len, &st->w);
	if (rc != STORE_OK) {
		free(st);
		done(r, rc, arg);
		return;
	}
	http_req_on_abort(r, tool_put_abort, st);
	http_req_read_body(r, tool_put_data, tool_put_end, st);
}

int
tool_put_status(int rc)
{
	switch (rc) {
	case STORE_OK:
		return 200;
	case STORE_ETOOBIG:
		return 413;
	case STORE_ENOSPC:
		return 507;
	case STORE_EDIGEST:
		return 400;
	default:
		return 500;
	}
}

int
tool_is_hex(struct span s, size_t min, size_t max)
{
	return s.len >= min && s.len <= max &&
	    hex_is_lower((const char *)s.p, s.len);
}
