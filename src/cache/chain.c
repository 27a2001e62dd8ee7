/*
 * The layer chain over the local store and the upstreams: fetch with
 * single flight, uploads from an on-disk outbox, circuit breakers.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/hex.h"
#include "base/log.h"
#include "base/sha.h"
#include "cache/chain.h"
#include "cache/stats.h"
#include "net/loop.h"

#define CHAIN_MAX_UP 16

struct upitem {
	unsigned char key[STORE_KEY_LEN];
	struct upitem *next;
};

struct upload;

struct cup {
	struct chain *c;
	int idx;
	struct upstream up;
	struct chain_up_opts o;
	char *name;
	char outbox[PATH_MAX - 128]; /* directory of pending uploads */
	enum chain_circuit circuit;
	unsigned fails;
	uint64_t open_until;
	int probing; /* the half-open probe is out */
	struct loop_timer *wake;
	struct upitem *qhead, *qtail;
	struct upload *uploads; /* in flight */
	struct chain_up_stats st;
};

struct chain_wait {
	struct chain *c;
	struct fetch *f; /* fetch waits */
	int upload; /* an upload wait */
	int all; /* waits for every upstream, not only write_through */
	unsigned char key[STORE_KEY_LEN];
	unsigned pending; /* uploads still to end */
	struct loop_timer *timer;
	chain_wait_cb *cb;
	void *arg;
	struct chain_wait *next;
};

struct fetch {
	struct chain *c;
	unsigned char key[STORE_KEY_LEN];
	int ns;
	int cur; /* upstream asked now */
	struct upstream_op *op;
	struct store_writer *w;
	struct upstream_info info;
	uint64_t got;
	unsigned missed; /* bit i: upstream i answered "not there" */
	const char *local_err; /* the local store refused the object */
	const char *bad; /* the upstream sent something unacceptable */
	struct loop_timer *timer;
	struct chain_wait *waiters;
	struct fetch *next;
};

struct upload {
	struct cup *u;
	unsigned char key[STORE_KEY_LEN];
	struct store_obj o;
	struct upstream_op *op;
	struct loop_timer *timer;
	struct upload *next;
};

struct chain {
	struct store *store;
	struct loop *loop;
	struct cup up[CHAIN_MAX_UP];
	size_t nup;
	struct fetch *fetches;
	struct chain_wait *upwaits; /* write-through waits */
};

static void pump(struct cup *);

struct chain *
chain_new(struct store *s)
{
	struct chain *c = calloc(1, sizeof(*c));

	if (c != NULL)
		c->store = s;
	return c;
}

static void
upload_free(struct upload *up)
{
	store_obj_release(&up->o);
	free(up);
}

void
chain_free(struct chain *c)
{
	struct fetch *f;
	struct chain_wait *w;
	struct upload *up;
	struct upitem *it;
	size_t i;

	if (c == NULL)
		return;
	store_set_pin(c->store, NULL, NULL);
	while ((f = c->fetches) != NULL) {
		c->fetches = f->next;
		if (f->op != NULL)
			c->up[f->cur].up.ops->cancel(
			    c->up[f->cur].up.impl, f->op);
		if (f->w != NULL)
			store_put_abort(c->store, f->w);
		if (f->timer != NULL)
			loop_timer_cancel(c->loop, f->timer);
		while ((w = f->waiters) != NULL) {
			f->waiters = w->next;
			free(w);
		}
		free(f);
	}
	while ((w = c->upwaits) != NULL) {
		c->upwaits = w->next;
		if (w->timer != NULL)
			loop_timer_cancel(c->loop, w->timer);
		free(w);
	}
	for (i = 0; i < c->nup; i++) {
		struct cup *u = &c->up[i];

		while ((up = u->uploads) != NULL) {
			u->uploads = up->next;
			u->up.ops->cancel(u->up.impl, up->op);
			if (up->timer != NULL)
				loop_timer_cancel(c->loop, up->timer);
			upload_free(up);
		}
		while ((it = u->qhead) != NULL) {
			u->qhead = it->next;
			free(it);
		}
		if (u->wake != NULL)
			loop_timer_cancel(c->loop, u->wake);
		upstream_free(&u->up);
		free(u->name);
	}
	free(c);
}

struct store *
chain_store(struct chain *c)
{
	return c->store;
}

size_t
chain_nupstreams(const struct chain *c)
{
	return c->nup;
}

static int
ns_is_cas(int ns)
{
	return ns == STORE_NS_BAZEL_CAS || ns == STORE_NS_OCI;
}

/* ---- circuit breaker ---- */

/* May a request go to u now?  Sends the half-open probe. */
static int
cup_usable(struct cup *u)
{
	if (u->circuit == CHAIN_CLOSED)
		return 1;
	if (u->circuit == CHAIN_OPEN && loop_now(u->c->loop) >= u->open_until) {
		u->circuit = CHAIN_HALF_OPEN;
		u->probing = 0;
	}
	if (u->circuit == CHAIN_HALF_OPEN && !u->probing) {
		u->probing = 1;
		log_info("upstream %s: circuit half-open, probing", u->name);
		return 1;
	}
	u->st.skipped++;
	return 0;
}

static int
cup_could(const struct cup *u, uint64_t now)
{
	return u->circuit == CHAIN_CLOSED ||
	    (u->circuit == CHAIN_OPEN && now >= u->open_until) ||
	    (u->circuit == CHAIN_HALF_OPEN && !u->probing);
}

int
chain_fetchable(const struct chain *c)
{
	size_t i;

	for (i = 0; i < c->nup; i++)
		if (cup_could(&c->up[i], loop_now(c->loop)))
			return 1;
	return 0;
}

static void
wake_cb(struct loop *l, void *arg)
{
	struct cup *u = arg;

	(void)l;
	u->wake = NULL;
	pump(u);
}

/* Records the outcome of one request to u. */
static void
cup_result(struct cup *u, int rc, const char *what, const char *err)
{
	if (rc != UPSTREAM_FAIL) {
		if (u->circuit != CHAIN_CLOSED)
			log_info("upstream %s: circuit closed", u->name);
		u->circuit = CHAIN_CLOSED;
		u->fails = 0;
		u->probing = 0;
		return;
	}
	u->fails++;
	log_warn("upstream %s: %s failed: %s", u->name, what,
	    err != NULL ? err : "error");
	if (u->circuit == CHAIN_HALF_OPEN ||
	    (u->circuit == CHAIN_CLOSED && u->fails >= u->o.circuit_failures)) {
		u->circuit = CHAIN_OPEN;
		u->probing = 0;
		u->open_until = loop_now(u->c->loop) + u->o.circuit_open_ms;
		log_warn("upstream %s: circuit open for %llu ms "
			 "after %u failures",
		    u->name, (unsigned long long)u->o.circuit_open_ms,
		    u->fails);
		if (u->wake != NULL)
			loop_timer_reset(
			    u->c->loop, u->wake, u->o.circuit_open_ms + 1);
		else
			u->wake = loop_timer_add(
			    u->c->loop, u->o.circuit_open_ms + 1, wake_cb, u);
	}
}

/* ---- fetch ---- */

static void fetch_next(struct fetch *);

static void
fetch_finish(struct fetch *f, int rc)
{
	struct chain *c = f->c;
	struct fetch **pp;
	struct chain_wait *w;

	for (pp = &c->fetches; *pp != NULL; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	while ((w = f->waiters) != NULL) {
		f->waiters = w->next;
		w->cb(w->arg, rc);
		free(w);
	}
	free(f);
}

static void
fetch_stop(struct fetch *f)
{
	if (f->timer != NULL) {
		loop_timer_cancel(f->c->loop, f->timer);
		f->timer = NULL;
	}
	if (f->w != NULL) {
		store_put_abort(f->c->store, f->w);
		f->w = NULL;
	}
}

static void
fetch_timeout(struct loop *l, void *arg)
{
	struct fetch *f = arg;
	struct cup *u = &f->c->up[f->cur];

	(void)l;
	f->timer = NULL;
	u->up.ops->cancel(u->up.impl, f->op);
	f->op = NULL;
	fetch_stop(f);
	u->st.get_error++;
	cup_result(u, UPSTREAM_FAIL, "get", "timed out");
	fetch_next(f);
}

static int
fetch_head(void *arg, const struct upstream_info *in)
{
	struct fetch *f = arg;
	int rc;

	if ((ns_is_cas(f->ns) || ns_is_cas(in->ns)) &&
	    memcmp(in->sha, f->key, STORE_KEY_LEN) != 0) {
		f->bad = "content-addressed object whose digest is not its key";
		return -1;
	}
	f->info = *in;
	f->info.meta = NULL;
	rc = store_put_begin(f->c->store, f->key, in->ns, (int64_t)in->size,
	    in->meta, in->meta_len, &f->w);
	if (rc != STORE_OK) {
		f->w = NULL;
		f->local_err = store_strerror(rc);
		return -1;
	}
	return 0;
}

static int
fetch_data(void *arg, const void *p, size_t n)
{
	struct fetch *f = arg;
	int rc;

	if (f->timer != NULL)
		loop_timer_reset(
		    f->c->loop, f->timer, f->c->up[f->cur].o.timeout_ms);
	if (n > f->info.size - f->got) {
		f->bad = "more content than the object's size";
		return -1;
	}
	f->got += n;
	f->c->up[f->cur].st.bytes_in += n;
	if ((rc = store_put_write(f->w, p, n)) != STORE_OK) {
		f->local_err = store_strerror(rc);
		return -1;
	}
	return 0;
}

static void queue_upload(struct cup *, const unsigned char *key);

static void
fetch_done(void *arg, int rc, const char *err)
{
	struct fetch *f = arg;
	struct chain *c = f->c;
	struct cup *u = &c->up[f->cur];
	struct store_writer *w;
	int src;
	size_t i;

	f->op = NULL;
	if (f->timer != NULL) {
		loop_timer_cancel(c->loop, f->timer);
		f->timer = NULL;
	}
	if (f->local_err != NULL) {
		/* The upstream answered; the local store could not take it
		 * (disk full, too large): serve nothing, blame nobody. */
		log_warn("upstream %s: hit not stored locally: %s", u->name,
		    f->local_err);
		cup_result(u, UPSTREAM_OK, "get", NULL);
		fetch_stop(f);
		fetch_finish(f, STORE_MISS);
		return;
	}
	if (rc == UPSTREAM_OK && f->bad == NULL && f->w != NULL &&
	    f->got == f->info.size) {
		w = f->w;
		f->w = NULL;
		src = store_put_commit(c->store, w, f->info.sha);
		if (src == STORE_OK) {
			u->st.get_hit++;
			cup_result(u, UPSTREAM_OK, "get", NULL);
			log_debug("upstream %s: fetched %llu bytes", u->name,
			    (unsigned long long)f->got);
			/* Copy the hit into the faster layers that missed. */
			for (i = 0; i < (size_t)f->cur; i++)
				if ((f->missed & (1u << i)) &&
				    !c->up[i].o.read_only)
					queue_upload(&c->up[i], f->key);
			fetch_finish(f, STORE_OK);
			return;
		}
		if (src == STORE_EDIGEST)
			f->bad = "content does not match its digest";
		else {
			log_warn("upstream %s: hit not stored "
				 "locally: %s",
			    u->name, store_strerror(src));
			fetch_finish(f, STORE_MISS);
			return;
		}
	}
	fetch_stop(f);
	if (rc == UPSTREAM_MISS && f->bad == NULL) {
		u->st.get_miss++;
		f->missed |= 1u << f->cur;
		cup_result(u, UPSTREAM_MISS, "get", NULL);
	} else {
		u->st.get_error++;
		cup_result(u, UPSTREAM_FAIL, "get",
		    f->bad != NULL ? f->bad
				   : (err != NULL ? err : "truncated object"));
	}
	fetch_next(f);
}

static const struct upstream_get_cb fetch_cbs = { fetch_head, fetch_data,
	fetch_done };

static void
fetch_next(struct fetch *f)
{
	struct chain *c = f->c;
	struct cup *u;
	const char *err = NULL;

	while (++f->cur < (int)c->nup) {
		u = &c->up[f->cur];
		if (!cup_usable(u))
			continue;
		f->got = 0;
		f->bad = NULL;
		f->op = u->up.ops->get(u->up.impl, f->key, &fetch_cbs, f, &err);
		if (f->op == NULL) {
			u->st.get_error++;
			cup_result(u, UPSTREAM_FAIL, "get", err);
			continue;
		}
		f->timer =
		    loop_timer_add(c->loop, u->o.timeout_ms, fetch_timeout, f);
		return;
	}
	fetch_finish(f, STORE_MISS);
}

static void
fetch_start_cb(struct loop *l, void *arg)
{
	struct fetch *f = arg;

	(void)l;
	f->timer = NULL;
	fetch_next(f);
}

struct chain_wait *
chain_fetch(struct chain *c, const unsigned char *key, int ns,
    chain_wait_cb *cb, void *arg)
{
	struct fetch *f;
	struct chain_wait *w;
	size_t i;

	if (c->nup == 0)
		return NULL;
	if (!chain_fetchable(c)) {
		for (i = 0; i < c->nup; i++)
			c->up[i].st.skipped++;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->c = c;
	w->cb = cb;
	w->arg = arg;
	memcpy(w->key, key, STORE_KEY_LEN);
	for (f = c->fetches; f != NULL; f = f->next)
		if (memcmp(f->key, key, STORE_KEY_LEN) == 0)
			break;
	if (f == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL) {
			free(w);
			return NULL;
		}
		f->c = c;
		memcpy(f->key, key, STORE_KEY_LEN);
		f->ns = ns;
		f->cur = -1;
		/* Start from the loop so no callback runs inside this
		 * call; a zero timer is the loop's deferral that can be
		 * cancelled. */
		if ((f->timer = loop_timer_add(
			 c->loop, 0, fetch_start_cb, f)) == NULL) {
			free(f);
			free(w);
			return NULL;
		}
		f->next = c->fetches;
		c->fetches = f;
	} else if (ns_is_cas(ns))
		f->ns = ns;
	w->f = f;
	w->next = f->waiters;
	f->waiters = w;
	return w;
}

void
chain_wait_cancel(struct chain_wait *w)
{
	struct chain_wait **pp;

	if (w == NULL)
		return;
	pp = w->f != NULL ? &w->f->waiters : &w->c->upwaits;
	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (w->timer != NULL)
		loop_timer_cancel(w->c->loop, w->timer);
	free(w);
}

/* ---- uploads and the outbox ---- */

static void
outbox_path(const struct cup *u, const unsigned char *key, char *out)
{
	char hex[SHA256_HEX_LEN + 1];

	hex_encode(hex, key, STORE_KEY_LEN);
	snprintf(out, PATH_MAX, "%s/%s", u->outbox, hex);
}

/* Ends one write-through wait's share of an upload of key to u. */
static void
upwaits_settle(struct cup *u, const unsigned char *key)
{
	struct chain *c = u->c;
	struct chain_wait **pp = &c->upwaits, *w;

	while ((w = *pp) != NULL) {
		if (!w->all && !u->o.write_through) {
			pp = &w->next;
			continue;
		}
		if (memcmp(w->key, key, STORE_KEY_LEN) == 0 &&
		    --w->pending == 0) {
			*pp = w->next;
			if (w->timer != NULL)
				loop_timer_cancel(c->loop, w->timer);
			w->cb(w->arg, STORE_OK);
			free(w);
			continue;
		}
		pp = &w->next;
	}
}

static void
queue_item(struct cup *u, const unsigned char *key)
{
	struct upitem *it = malloc(sizeof(*it));

	if (it == NULL) {
		log_error("upstream %s: out of memory queueing an "
			  "upload (it stays in the outbox until a restart)",
		    u->name);
		return;
	}
	memcpy(it->key, key, STORE_KEY_LEN);
	it->next = NULL;
	if (u->qtail != NULL)
		u->qtail->next = it;
	else
		u->qhead = it;
	u->qtail = it;
	u->st.queued++;
}

/* Records key in u's outbox and queues it (once). */
static void
queue_upload(struct cup *u, const unsigned char *key)
{
	char path[PATH_MAX];
	int fd;

	outbox_path(u, key, path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1 && errno == EEXIST)
		return; /* already pending */
	if (fd == -1) {
		log_error("upstream %s: cannot record a pending upload "
			  "in %s: %s (uploading without the outbox)",
		    u->name, path, strerror(errno));
	} else
		close(fd);
	queue_item(u, key);
	pump(u);
}

static void
upload_end(struct upload *up, int ok)
{
	struct cup *u = up->u;
	struct upload **pp;
	char path[PATH_MAX];

	for (pp = &u->uploads; *pp != NULL; pp = &(*pp)->next)
		if (*pp == up) {
			*pp = up->next;
			break;
		}
	u->st.inflight--;
	if (up->timer != NULL)
		loop_timer_cancel(u->c->loop, up->timer);
	if (ok) {
		outbox_path(u, up->key, path);
		if (unlink(path) == -1 && errno != ENOENT)
			log_warn("upstream %s: %s: %s", u->name, path,
			    strerror(errno));
	} else
		queue_item(u, up->key); /* again, after the others */
	upwaits_settle(u, up->key);
	upload_free(up);
}

static void
upload_done(void *arg, int rc, const char *err)
{
	struct upload *up = arg;
	struct cup *u = up->u;

	up->op = NULL;
	if (rc == UPSTREAM_OK) {
		u->st.put_ok++;
		u->st.bytes_out += up->o.size;
		cup_result(u, UPSTREAM_OK, "put", NULL);
	} else {
		u->st.put_error++;
		cup_result(u, UPSTREAM_FAIL, "put", err);
	}
	upload_end(up, rc == UPSTREAM_OK);
	pump(u);
}

static void
upload_timeout(struct loop *l, void *arg)
{
	struct upload *up = arg;
	struct cup *u = up->u;

	(void)l;
	up->timer = NULL;
	u->up.ops->cancel(u->up.impl, up->op);
	up->op = NULL;
	u->st.put_error++;
	cup_result(u, UPSTREAM_FAIL, "put", "timed out");
	upload_end(up, 0);
	pump(u);
}

static int64_t
upload_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct upload *up = arg;
	ssize_t r;
	size_t got = 0;

	if (pos >= up->o.size)
		return 0;
	if (n > up->o.size - pos)
		n = (size_t)(up->o.size - pos);
	if (up->timer != NULL)
		loop_timer_reset(
		    up->u->c->loop, up->timer, up->u->o.timeout_ms);
	if (up->o.data != NULL) {
		memcpy(out, up->o.data + pos, n);
		return (int64_t)n;
	}
	while (got < n) {
		r = pread(up->o.fd, (char *)out + got, n - got,
		    (off_t)(up->o.off + pos + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return (int64_t)got;
}

/* Starts uploads from u's queue while there is room. */
static void
pump(struct cup *u)
{
	struct chain *c = u->c;
	struct upitem *it;
	struct upload *up;
	struct upstream_info in;
	struct upstream_src src;
	char path[PATH_MAX];
	const char *err = NULL;
	int rc;

	while (u->qhead != NULL && u->st.inflight < u->o.workers) {
		if (!cup_usable(u))
			return; /* the wake timer pumps again */
		it = u->qhead;
		if ((u->qhead = it->next) == NULL)
			u->qtail = NULL;
		u->st.queued--;
		if ((up = calloc(1, sizeof(*up))) == NULL) {
			queue_item(u, it->key);
			free(it);
			if (u->circuit == CHAIN_HALF_OPEN)
				u->probing = 0;
			return;
		}
		up->u = u;
		memcpy(up->key, it->key, STORE_KEY_LEN);
		free(it);
		up->o.fd = -1;
		rc = store_get(c->store, up->key, &up->o);
		if (rc != STORE_OK) {
			/* Evicted or dropped before it could be uploaded. */
			log_warn("upstream %s: object left the local "
				 "store before its upload; dropped from the "
				 "outbox",
			    u->name);
			outbox_path(u, up->key, path);
			(void)unlink(path);
			upwaits_settle(u, up->key);
			free(up);
			if (u->circuit == CHAIN_HALF_OPEN)
				u->probing = 0;
			continue;
		}
		memset(&in, 0, sizeof(in));
		in.ns = up->o.ns;
		in.size = up->o.size;
		memcpy(in.sha, up->o.sha, sizeof(in.sha));
		in.meta = up->o.meta;
		in.meta_len = up->o.meta_len;
		src.read = upload_read;
		src.arg = up;
		up->next = u->uploads;
		u->uploads = up;
		u->st.inflight++;
		up->timer = loop_timer_add(
		    c->loop, u->o.timeout_ms, upload_timeout, up);
		up->op = u->up.ops->put(
		    u->up.impl, up->key, &in, &src, upload_done, up, &err);
		if (up->op == NULL) {
			u->st.put_error++;
			cup_result(u, UPSTREAM_FAIL, "put", err);
			upload_end(up, 0);
			return;
		}
	}
}

static void
queue_all(struct chain *c, const unsigned char *key)
{
	size_t i;

	for (i = 0; i < c->nup; i++)
		if (!c->up[i].o.read_only)
			queue_upload(&c->up[i], key);
}

void
chain_uploaded_later(struct chain *c, const unsigned char *key)
{
	queue_all(c, key);
}

static void
upwait_timeout(struct loop *l, void *arg)
{
	struct chain_wait *w = arg, **pp;

	(void)l;
	w->timer = NULL;
	for (pp = &w->c->upwaits; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	w->cb(w->arg, STORE_OK);
	free(w);
}

struct chain_wait *
chain_wait_uploads(struct chain *c, const unsigned char *key, int all,
    chain_wait_cb *cb, void *arg)
{
	struct chain_wait *w;
	struct upitem *it;
	struct upload *up;
	uint64_t timeout = 0;
	unsigned pending = 0;
	size_t i;

	for (i = 0; i < c->nup; i++) {
		struct cup *u = &c->up[i];
		unsigned n = 0;

		if ((!all && !u->o.write_through) || u->o.read_only ||
		    u->circuit == CHAIN_OPEN)
			continue;
		for (up = u->uploads; up != NULL; up = up->next)
			n += memcmp(up->key, key, STORE_KEY_LEN) == 0;
		for (it = u->qhead; it != NULL; it = it->next)
			n += memcmp(it->key, key, STORE_KEY_LEN) == 0;
		if (n > 0 && u->o.timeout_ms * 2 > timeout)
			timeout = u->o.timeout_ms * 2;
		pending += n;
	}
	if (pending == 0 || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->c = c;
	w->upload = 1;
	w->all = all;
	w->pending = pending;
	memcpy(w->key, key, STORE_KEY_LEN);
	w->cb = cb;
	w->arg = arg;
	if ((w->timer = loop_timer_add(c->loop, timeout, upwait_timeout, w)) ==
	    NULL) {
		free(w);
		return NULL;
	}
	w->next = c->upwaits;
	c->upwaits = w;
	return w;
}

int
chain_add_upstream(struct chain *c, struct loop *l, struct upstream *up,
    const struct chain_up_opts *o, char *err, size_t errlen)
{
	struct cup *u;
	const char *dir = store_get_config(c->store)->dir;
	char id[SHA256_HEX_LEN + 1], path[PATH_MAX];

	if (c->nup >= CHAIN_MAX_UP) {
		snprintf(err, errlen, "too many upstreams (at most %d)",
		    CHAIN_MAX_UP);
		return -1;
	}
	u = &c->up[c->nup];
	memset(u, 0, sizeof(*u));
	if ((u->name = strdup(o->name)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sha256_hex(o->name, strlen(o->name), id);
	if (strlen(dir) + 32 >= sizeof(u->outbox)) {
		snprintf(err, errlen, "cache directory path too long");
		free(u->name);
		u->name = NULL;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/outbox", dir);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		goto fail;
	snprintf(u->outbox, sizeof(u->outbox), "%s/outbox/%.16s", dir, id);
	if (mkdir(u->outbox, 0755) == -1 && errno != EEXIST) {
		snprintf(path, sizeof(path), "%s", u->outbox);
		goto fail;
	}
	c->loop = l;
	u->c = c;
	u->idx = (int)c->nup;
	u->up = *up;
	u->o = *o;
	u->o.name = u->name;
	if (u->o.workers == 0)
		u->o.workers = 1;
	if (u->o.timeout_ms == 0)
		u->o.timeout_ms = 30000;
	if (u->o.circuit_failures == 0)
		u->o.circuit_failures = 5;
	if (u->o.circuit_open_ms == 0)
		u->o.circuit_open_ms = 10000;
	u->st.name = u->name;
	c->nup++;
	memset(up, 0, sizeof(*up));
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	free(u->name);
	u->name = NULL;
	return -1;
}

/* Store eviction hook: an object still on its way to a permanent
 * upstream exists nowhere else, so it must stay. */
static int
chain_pin(void *arg, const unsigned char *key)
{
	struct chain *c = arg;
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	for (i = 0; i < c->nup; i++) {
		struct cup *u = &c->up[i];

		if (!u->o.permanent || u->o.read_only ||
		    u->st.queued + u->st.inflight == 0)
			continue;
		outbox_path(u, key, path);
		if (stat(path, &st) == 0)
			return 1;
	}
	return 0;
}

size_t
chain_start(struct chain *c)
{
	unsigned char key[STORE_KEY_LEN];
	struct dirent *de;
	size_t i, n = 0;
	DIR *d;

	for (i = 0; i < c->nup; i++)
		if (c->up[i].o.permanent && !c->up[i].o.read_only)
			store_set_pin(c->store, chain_pin, c);
	for (i = 0; i < c->nup; i++) {
		struct cup *u = &c->up[i];

		if ((d = opendir(u->outbox)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			if (strlen(de->d_name) != SHA256_HEX_LEN ||
			    hex_decode(key, de->d_name, STORE_KEY_LEN) == -1)
				continue;
			queue_item(u, key);
			n++;
		}
		closedir(d);
		if (u->qhead != NULL)
			log_info("upstream %s: resuming %llu pending "
				 "uploads from the outbox",
			    u->name, (unsigned long long)u->st.queued);
		pump(u);
	}
	return n;
}

int
chain_up_stats(const struct chain *c, size_t i, struct chain_up_stats *out)
{
	if (i >= c->nup)
		return -1;
	*out = c->up[i].st;
	out->circuit = c->up[i].circuit;
	return 0;
}

/* ---- the synchronous calls ---- */

int
chain_get(
    struct chain *c, const unsigned char *key, int ns, struct store_obj *o)
{
	int rc = store_get(c->store, key, o);

	if (rc == STORE_OK)
		stats_hit(ns, o->size);
	else
		stats_miss(ns);
	return rc;
}

int
chain_has(struct chain *c, const unsigned char *key, int ns, uint64_t *size)
{
	int found = store_has(c->store, key, size, NULL);

	if (found)
		stats_hit(ns, 0);
	else
		stats_miss(ns);
	return found;
}

static void
del_done(void *arg, int rc, const char *err)
{
	struct cup *u = arg;

	if (rc == UPSTREAM_FAIL) {
		u->st.del_error++;
		cup_result(u, rc, "delete", err);
	} else {
		u->st.del_ok++;
		cup_result(u, rc, "delete", NULL);
	}
}

int
chain_del(struct chain *c, const unsigned char *key)
{
	const char *err = NULL;
	size_t i;

	for (i = 0; i < c->nup; i++) {
		struct cup *u = &c->up[i];

		if (u->o.read_only || !cup_usable(u))
			continue;
		if (u->up.ops->del(u->up.impl, key, del_done, u, &err) ==
		    NULL) {
			u->st.del_error++;
			cup_result(u, UPSTREAM_FAIL, "delete", err);
		}
	}
	return store_del(c->store, key);
}

int
chain_put_begin(struct chain *c, const unsigned char *key, int ns, int64_t size,
    const void *meta, size_t meta_len, struct store_writer **w)
{
	int rc = store_put_begin(c->store, key, ns, size, meta, meta_len, w);

	if (rc != STORE_OK)
		stats_put(ns, 0, 0);
	return rc;
}

int
chain_put_commit(struct chain *c, struct store_writer *w, int ns, uint64_t size,
    const unsigned char *expect_sha)
{
	unsigned char key[STORE_KEY_LEN];
	int rc;

	store_writer_key(w, key);
	rc = store_put_commit(c->store, w, expect_sha);
	stats_put(ns, size, rc == STORE_OK);
	if (rc == STORE_OK)
		queue_all(c, key);
	return rc;
}

void
chain_put_abort(struct chain *c, struct store_writer *w, int ns)
{
	store_put_abort(c->store, w);
	stats_put(ns, 0, 0);
}
