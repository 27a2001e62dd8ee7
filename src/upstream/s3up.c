/*
 * The S3 upstream over upstream/s3client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/client.h"
#include "upstream/envelope.h"
#include "upstream/s3client.h"
#include "upstream/s3up.h"

struct s3up {
	struct http_client *hc;
	struct s3client *c;
};

struct upstream_op {
	struct s3up *u;
	struct s3client_op *op;
	const struct upstream_get_cb *gcb;
	upstream_done_cb *done;
	void *arg;
	unsigned char key[UPSTREAM_KEY_LEN];
	/* get */
	struct envelope_reader rd;
	uint64_t got;
	const char *bad; /* why the body was refused */
	/* put */
	unsigned char head[ENVELOPE_HEAD_LEN + ENVELOPE_META_MAX];
	size_t head_len;
	struct upstream_src src;
	uint64_t size;
};

/* UPSTREAM_OK, _MISS (404, NoSuchKey) or _FAIL with a message in msg. */
static int
s3up_result(const struct s3client_result *r, char *msg, size_t cap)
{
	if (r->ok)
		return UPSTREAM_OK;
	if (r->status == 404 ||
	    (r->code != NULL && strcmp(r->code, "NoSuchKey") == 0))
		return UPSTREAM_MISS;
	snprintf(msg, cap, "%s%s%s", r->code ? r->code : "error",
	    r->message && *r->message ? ": " : "",
	    r->message ? r->message : "");
	return UPSTREAM_FAIL;
}

static int
get_data(void *arg, const void *data, size_t len)
{
	struct upstream_op *op = arg;
	const unsigned char *p = data;
	struct upstream_info info;
	long used;

	if (!envelope_ready(&op->rd)) {
		if ((used = envelope_feed(&op->rd, p, len)) < 0) {
			op->bad = op->rd.err;
			return -1;
		}
		p += used;
		len -= (size_t)used;
		if (!envelope_ready(&op->rd))
			return 0;
		if (memcmp(op->rd.e.key, op->key, UPSTREAM_KEY_LEN) != 0) {
			op->bad = "the object names another key";
			return -1;
		}
		memset(&info, 0, sizeof(info));
		info.ns = op->rd.e.ns;
		info.size = op->rd.e.size;
		memcpy(info.sha, op->rd.e.sha, sizeof(info.sha));
		info.meta = op->rd.meta;
		info.meta_len = op->rd.e.meta_len;
		if (op->gcb->head(op->arg, &info) == -1) {
			op->bad = "refused by the caller";
			return -1;
		}
	}
	if (len == 0)
		return 0;
	if (op->got + len > op->rd.e.size) {
		op->bad = "the object is longer than its envelope says";
		return -1;
	}
	op->got += len;
	if (op->gcb->data(op->arg, p, len) == -1) {
		op->bad = "refused by the caller";
		return -1;
	}
	return 0;
}

static void
get_done(void *arg, const struct s3client_result *r)
{
	struct upstream_op *op = arg;
	const struct upstream_get_cb *cb = op->gcb;
	void *cbarg = op->arg;
	char msg[256];
	int rc = UPSTREAM_OK;

	msg[0] = '\0';
	if (op->bad != NULL) {
		rc = UPSTREAM_FAIL;
		snprintf(msg, sizeof(msg), "%s", op->bad);
	} else if (!r->ok) {
		rc = s3up_result(r, msg, sizeof(msg));
	} else if (!envelope_ready(&op->rd) || op->got != op->rd.e.size) {
		rc = UPSTREAM_FAIL;
		snprintf(msg, sizeof(msg), "truncated object");
	}
	free(op);
	cb->done(cbarg, rc, msg[0] ? msg : NULL);
}

static struct upstream_op *
s3up_get(void *impl, const unsigned char *key, const struct upstream_get_cb *cb,
    void *arg, const char **err)
{
	struct s3up *u = impl;
	struct upstream_op *op;
	char name[ENVELOPE_OBJKEY_LEN];

	if ((op = calloc(1, sizeof(*op))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->u = u;
	op->gcb = cb;
	op->arg = arg;
	memcpy(op->key, key, UPSTREAM_KEY_LEN);
	envelope_reader_init(&op->rd);
	envelope_object_key(key, name);
	if ((op->op = s3client_get(
		 u->c, name, -1, -1, get_data, get_done, op, err)) == NULL) {
		free(op);
		return NULL;
	}
	return op;
}

static int64_t
put_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct upstream_op *op = arg;
	unsigned char *o = out;
	size_t take = 0;
	int64_t got;

	if (pos < op->head_len) {
		take = op->head_len - (size_t)pos;
		if (take > n)
			take = n;
		memcpy(o, op->head + pos, take);
		if (take == n)
			return (int64_t)take;
		pos += take;
	}
	pos -= op->head_len;
	if (pos >= op->size)
		return (int64_t)take;
	if (n - take > op->size - pos)
		n = take + (size_t)(op->size - pos);
	got = op->src.read(op->src.arg, o + take, n - take, pos);
	if (got < 0)
		return -1;
	return (int64_t)take + got;
}

static void
op_done(void *arg, const struct s3client_result *r)
{
	struct upstream_op *op = arg;
	upstream_done_cb *done = op->done;
	void *cbarg = op->arg;
	char msg[256];
	int rc;

	msg[0] = '\0';
	rc = s3up_result(r, msg, sizeof(msg));
	free(op);
	done(cbarg, rc, msg[0] ? msg : NULL);
}

static struct upstream_op *
s3up_put(void *impl, const unsigned char *key, const struct upstream_info *in,
    const struct upstream_src *src, upstream_done_cb *done, void *arg,
    const char **err)
{
	struct s3up *u = impl;
	struct upstream_op *op;
	struct envelope e;
	struct s3client_source s;
	char name[ENVELOPE_OBJKEY_LEN];

	if (in->meta_len > ENVELOPE_META_MAX) {
		*err = "metadata too large";
		return NULL;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->u = u;
	op->done = done;
	op->arg = arg;
	memcpy(op->key, key, UPSTREAM_KEY_LEN);
	memset(&e, 0, sizeof(e));
	e.ns = in->ns;
	e.size = in->size;
	memcpy(e.sha, in->sha, sizeof(e.sha));
	memcpy(e.key, key, sizeof(e.key));
	e.meta_len = in->meta_len;
	envelope_encode(&e, op->head);
	if (in->meta_len > 0)
		memcpy(op->head + ENVELOPE_HEAD_LEN, in->meta, in->meta_len);
	op->head_len = ENVELOPE_HEAD_LEN + in->meta_len;
	op->src = *src;
	op->size = in->size;
	s.read = put_read;
	s.arg = op;
	s.length = op->head_len + in->size;
	envelope_object_key(key, name);
	if ((op->op = s3client_put(u->c, name, NULL, 0, &s,
		 "application/octet-stream", op_done, op, err)) == NULL) {
		free(op);
		return NULL;
	}
	return op;
}

static struct upstream_op *
s3up_del(void *impl, const unsigned char *key, upstream_done_cb *done,
    void *arg, const char **err)
{
	struct s3up *u = impl;
	struct upstream_op *op;
	char name[ENVELOPE_OBJKEY_LEN];

	if ((op = calloc(1, sizeof(*op))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	op->u = u;
	op->done = done;
	op->arg = arg;
	envelope_object_key(key, name);
	if ((op->op = s3client_delete(u->c, name, op_done, op, err)) == NULL) {
		free(op);
		return NULL;
	}
	return op;
}

static void
s3up_cancel(void *impl, struct upstream_op *op)
{
	(void)impl;
	s3client_cancel(op->op);
	free(op);
}

static void
s3up_free(void *impl)
{
	struct s3up *u = impl;

	s3client_free(u->c);
	http_client_free(u->hc);
	free(u);
}

static const struct upstream_ops s3up_ops = { s3up_get, s3up_put, s3up_del,
	s3up_cancel, s3up_free };

int
s3up_new(struct upstream *up, struct loop *l, struct resolver *res,
    const struct upstream_config *cfg, char *err, size_t errlen)
{
	struct s3up *u;
	struct http_client_opts o;
	struct s3client_config sc;
	struct s3client_creds ex, cr;
	int rc = -1;

	memset(&cr, 0, sizeof(cr));
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(&ex, 0, sizeof(ex));
	ex.access_key = (char *)cfg->access_key;
	ex.secret = (char *)cfg->secret_key;
	ex.session_token = (char *)cfg->session_token;
	ex.region = (char *)cfg->region;
	if (s3client_creds_resolve(
		&cr, &ex, cfg->env, cfg->home, err, errlen) == -1)
		goto out;
	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = cfg->timeout_ms;
	o.request_timeout_ms = cfg->timeout_ms;
	o.body_timeout_ms = cfg->timeout_ms;
	o.tls_ca_file = cfg->tls_ca_file;
	if ((u->hc = http_client_new(l, &o, err, errlen)) == NULL)
		goto out;
	if (res != NULL)
		http_client_set_resolver(u->hc, s3client_resolve, res);
	memset(&sc, 0, sizeof(sc));
	sc.url = cfg->url;
	sc.endpoint = cfg->endpoint;
	sc.path_style = cfg->path_style;
	sc.creds = cr;
	if ((u->c = s3client_new(l, u->hc, &sc, err, errlen)) == NULL)
		goto out;
	up->ops = &s3up_ops;
	up->impl = u;
	rc = 0;
out:
	s3client_creds_release(&cr);
	if (rc == -1) {
		if (u->hc != NULL)
			http_client_free(u->hc);
		free(u);
	}
	return rc;
}
