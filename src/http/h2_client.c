/*
 * HTTP/2 client connections (RFC 9113 §3 starting HTTP/2, §5.1 stream
 * states, §5.2 and §6.9 flow control, §6 frames, §6.8 GOAWAY, §8.1
 * requests).  Untrusted input: every octet a server sends.  Frames are
 * bounded by our SETTINGS_MAX_FRAME_SIZE (16384) before they are
 * buffered, header blocks by the h2_frame block limits and the HPACK
 * header-list limit, received DATA by our windows, and output the server
 * makes us queue (PING and SETTINGS answers) by pausing reads while much
 * is unsent.  The connection lifecycle is enum hcc_state and the stream
 * lifecycle enum hcs_state, each with one enter function; connections
 * and streams are freed from deferred callbacks, never inside their own.
 * The frame handling core works on c->in and c->out only, so the fuzz
 * target drives it without a socket (h2_client_adopt with fd -1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/log.h"
#include "http/h2_client.h"
#include "http/h2_conn.h"
#include "http/h2_frame.h"
#include "net/ftls.h"
#include "net/nconn.h"

#define HCC_READ_CHUNK (64 * 1024)
#define HCC_READS_PER_PASS 8 /* fairness: then yield to the loop */
/* DATA is framed into the connection buffer only below this. */
#define HCC_OUT_LOW (64 * 1024)
/* Reading pauses while this much output is unsent (PING floods from a
 * server that does not read). */
#define HCC_OUT_HIGH (1024 * 1024)

enum hcc_state {
	HCC_RESOLVING, /* waiting for the resolver */
	HCC_CONNECTING, /* TCP connect in progress */
	HCC_TLS, /* TLS handshake */
	HCC_SETTINGS, /* preface sent; waiting for the server's SETTINGS */
	HCC_OPEN, /* streams may start */
	HCC_DRAINING, /* GOAWAY or ids used up: open streams finish */
	HCC_DEAD, /* closed; freed after the dispatch pass */
};

static const char *const hcc_state_names[] = { "resolving", "connecting", "tls",
	"settings", "open", "draining", "dead" };

enum hcs_state {
	HCS_QUEUED, /* waiting for a connection or a stream slot */
	HCS_OPEN,
	HCS_HALF_LOCAL, /* we sent END_STREAM */
	HCS_CLOSED,
};

static const char *const hcs_state_names[] = { "queued", "open",
	"half-closed (local)", "closed" };

struct hcc_pool;

struct h2_client_stream {
	struct h2_client *cl;
	struct hcc_pool *pool;
	struct h2_client_conn *c; /* while started and not closed */
	enum hcs_state state;
	uint32_t id;
	unsigned conn_id;
	struct hpack_list req; /* request header list, pseudo first */
	struct buf outq; /* request DATA not yet framed */
	size_t outq_off;
	int end_queued; /* END_STREAM after outq */
	int want_writable;
	int got_response; /* final header block seen */
	int cancelled; /* no more callbacks */
	int64_t send_window;
	int64_t recv_window;
	uint32_t recv_unacked;
	uint64_t deadline_at; /* absolute loop ms; 0: none */
	uint64_t last_activity;
	struct loop_timer *timer;
	struct hpack_list trailers;
	struct h2_client_callbacks cb;
	void *arg;
	char errbuf[128];
	struct h2_client_stream *qnext; /* pool queue */
	struct h2_client_stream *prev, *next; /* connection list */
};

struct h2_client_conn {
	struct h2_client *cl;
	struct hcc_pool *pool;
	unsigned id;
	enum hcc_state state;
	struct nconn nc; /* socket, TLS, addresses */
	int detached; /* no socket: output discarded */
	struct loop_timer *timer;
	uint64_t started_ms, idle_since;
	struct buf in;
	size_t in_off;
	struct buf out;
	size_t out_off;
	struct buf hblock; /* scratch for encoding a header block */
	struct h2_frame_block block;
	struct hpack_decoder dec;
	struct hpack_encoder enc;
	struct hpack_list scratch; /* the block being decoded */
	struct h2_settings remote; /* the server's settings */
	int64_t send_window; /* the server's connection window */
	int64_t recv_window;
	uint32_t recv_unacked;
	uint32_t next_id; /* next stream id to use */
	int goaway; /* GOAWAY received */
	uint32_t goaway_last;
	struct h2_client_stream *streams;
	unsigned nstreams;
	int flush_queued;
	int read_queued;
	int in_io;
	struct h2_client_conn *prev, *next; /* client list */
};

struct hcc_pool {
	struct h2_client *cl;
	char *host; /* without brackets: SNI, resolution */
	char *authority; /* :authority as given */
	int port;
	int tls;
	struct h2_client_conn *cur; /* the connection new streams use */
	struct h2_client_stream *qhead, *qtail;
	int dispatch_queued;
	struct hcc_pool *next;
};

struct h2_client {
	struct loop *loop;
	struct h2_client_opts opts;
	struct ftls_ctx *tls_ctx;
	http_client_resolver *resolver;
	void *resolver_arg;
	struct hcc_pool *pools;
	struct h2_client_conn *conns;
	unsigned next_id;
	int freed;
	int defers; /* deferred callbacks that still use the client */
	struct h2_client_stats st;
};

static void conn_close(struct h2_client_conn *, const char *);
static void conn_flush(struct h2_client_conn *);
static void conn_update(struct h2_client_conn *);
static void conn_error(struct h2_client_conn *, uint32_t, const char *);
static void conn_start_queued(struct h2_client_conn *);
static void conn_connect_next(void *);
static void conn_io(struct loop *, int, int, void *);
static void pool_kick(struct hcc_pool *);
static void stream_arm(struct h2_client_stream *);

/* ---- small helpers ---- */

static void
conn_enter_state(struct h2_client_conn *c, enum hcc_state st)
{
	if (c->state == st)
		return;
	log_trace("h2 client: conn %u %s: %s -> %s", c->id, c->pool->authority,
	    hcc_state_names[c->state], hcc_state_names[st]);
	c->state = st;
}

static size_t
conn_unsent(const struct h2_client_conn *c)
{
	return c->out.len - c->out_off;
}

static int
cl_defer(struct h2_client *cl, loop_defer_cb *cb, void *arg)
{
	if (loop_defer(cl->loop, cb, arg) == -1)
		return -1;
	cl->defers++;
	return 0;
}

static void
conn_flush_deferred(struct loop *l, void *arg)
{
	struct h2_client_conn *c = arg;

	c->flush_queued = 0;
	c->cl->defers--;
	if (c->state == HCC_DEAD)
		return;
	conn_flush(c);
	conn_update(c);
}

/* Output was queued or state changed: conn_io flushes and updates on
 * its way out; elsewhere it happens after this dispatch pass. */
static void
conn_want_flush(struct h2_client_conn *c)
{
	if (c->in_io || c->flush_queued || c->state == HCC_DEAD)
		return;
	if (cl_defer(c->cl, conn_flush_deferred, c) == 0)
		c->flush_queued = 1;
}

static struct h2_client_stream *
conn_find(struct h2_client_conn *c, uint32_t id)
{
	struct h2_client_stream *s;

	for (s = c->streams; s != NULL; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* ---- streams ---- */

static void
stream_free_deferred(struct loop *l, void *arg)
{
	struct h2_client_stream *s = arg;

	s->cl->defers--;
	hpack_list_release(&s->req);
	hpack_list_release(&s->trailers);
	buf_release(&s->outq);
	free(s);
}

static void
stream_unqueue(struct h2_client_stream *s)
{
	struct hcc_pool *p = s->pool;
	struct h2_client_stream **pp, *r;

	for (pp = &p->qhead; *pp != NULL; pp = &(*pp)->qnext)
		if (*pp == s) {
			*pp = s->qnext;
			break;
		}
	s->qnext = NULL;
	p->qtail = NULL;
	for (r = p->qhead; r != NULL; r = r->qnext)
		p->qtail = r;
}

/*
 * The one place a stream changes state (RFC 9113 §5.1 as a client sees
 * it).  Entering HCS_CLOSED unlinks the stream, reports res through
 * on_close (unless cancelled) and defers the free.
 */
static void
stream_enter_state(struct h2_client_stream *s, enum hcs_state st,
    const struct h2_client_result *res)
{
	struct h2_client *cl = s->cl;
	struct h2_client_conn *c = s->c;

	if (s->state == st || s->state == HCS_CLOSED)
		return;
	log_trace("h2 client: %s stream %u: %s -> %s", s->pool->authority,
	    s->id, hcs_state_names[s->state], hcs_state_names[st]);
	if (st != HCS_CLOSED) {
		s->state = st;
		return;
	}
	if (s->state == HCS_QUEUED)
		stream_unqueue(s);
	s->state = HCS_CLOSED;
	if (c != NULL) {
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			c->streams = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
		s->prev = s->next = NULL;
		c->nstreams--;
		if (c->nstreams == 0)
			c->idle_since = loop_now(cl->loop);
		s->c = NULL;
		conn_want_flush(c);
	}
	if (s->timer != NULL) {
		loop_timer_cancel(cl->loop, s->timer);
		s->timer = NULL;
	}
	buf_release(&s->outq);
	s->outq_off = 0;
	cl->st.streams++;
	if (res->err != NULL)
		cl->st.failures++;
	if (res->refused)
		cl->st.refused++;
	if (cl_defer(cl, stream_free_deferred, s) == -1)
		log_error("h2 client: cannot defer a free; leaking a stream");
	if (!s->cancelled && !cl->freed && s->cb.on_close != NULL) {
		s->cancelled = 1;
		s->cb.on_close(s, res, s->arg);
	}
	s->cancelled = 1;
}

/* Closes s with an error made here (local). */
static void
stream_fail(struct h2_client_stream *s, const char *err, int timeout)
{
	struct h2_client_result res;

	memset(&res, 0, sizeof(res));
	res.err = err;
	res.timeout = timeout;
	res.local = 1;
	if (s->c != NULL && s->c->goaway && s->id > s->c->goaway_last)
		res.refused = 1;
	stream_enter_state(s, HCS_CLOSED, &res);
}

/* Resets s with code (RST_STREAM) and closes it with err. */
static void
stream_reset(struct h2_client_stream *s, uint32_t code, const char *err)
{
	struct h2_client_conn *c = s->c;

	if (s->state == HCS_CLOSED)
		return;
	if (c != NULL && c->state != HCC_DEAD &&
	    h2_frame_write_rst_stream(&c->out, s->id, code) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	stream_fail(s, err, 0);
}

/* The server ended the stream (END_STREAM). */
static void
stream_remote_end(struct h2_client_stream *s)
{
	struct h2_client_conn *c = s->c;
	struct h2_client_result res;

	if (s->state == HCS_OPEN && c != NULL &&
	    h2_frame_write_rst_stream(&c->out, s->id, H2_CANCEL) == -1) {
		/* The response is complete: the rest of our request is not
		 * needed (RFC 9113 §8.1). */
		conn_close(c, "out of memory");
		return;
	}
	memset(&res, 0, sizeof(res));
	res.trailers = s->trailers.count > 0 ? &s->trailers : NULL;
	stream_enter_state(s, HCS_CLOSED, &res);
}

static void
stream_timeout(struct loop *l, void *arg)
{
	struct h2_client_stream *s = arg;
	uint64_t now = loop_now(l), rto = s->cl->opts.request_timeout_ms;
	const char *msg;

	s->timer = NULL;
	if (s->deadline_at != 0 && now >= s->deadline_at)
		msg = "deadline exceeded";
	else if (s->c != NULL && now - s->last_activity >= rto)
		msg = "request timeout";
	else {
		stream_arm(s);
		return;
	}
	if (s->c != NULL &&
	    h2_frame_write_rst_stream(&s->c->out, s->id, H2_CANCEL) == -1) {
		conn_close(s->c, "out of memory");
		return;
	}
	stream_fail(s, msg, 1);
}

/* Arms the stream timer at its earliest deadline. */
static void
stream_arm(struct h2_client_stream *s)
{
	struct loop *l = s->cl->loop;
	uint64_t now = loop_now(l), when = 0;

	if (s->state == HCS_CLOSED)
		return;
	if (s->deadline_at != 0)
		when = s->deadline_at;
	if (s->c != NULL) {
		uint64_t t = s->last_activity + s->cl->opts.request_timeout_ms;
		if (when == 0 || t < when)
			when = t;
	}
	if (when == 0)
		return;
	when = when > now ? when - now : 0;
	if (s->timer != NULL)
		loop_timer_reset(l, s->timer, when);
	else
		s->timer = loop_timer_add(l, when, stream_timeout, s);
}

static int
conn_write_block(struct h2_client_conn *c, uint32_t id,
    const struct hpack_field *f, size_t n, int end_stream)
{
	return h2_conn_write_block(&c->out, &c->hblock, &c->enc, id, f, n,
	    end_stream, c->remote.max_frame_size);
}

/* Binds a queued stream to c and sends its HEADERS. */
static void
stream_begin(struct h2_client_conn *c, struct h2_client_stream *s)
{
	int es;

	s->c = c;
	s->conn_id = c->id;
	s->id = c->next_id;
	c->next_id += 2;
	s->send_window = c->remote.initial_window_size;
	s->recv_window = c->cl->opts.initial_window;
	s->next = c->streams;
	if (c->streams != NULL)
		c->streams->prev = s;
	c->streams = s;
	c->nstreams++;
	s->last_activity = loop_now(c->cl->loop);
	stream_enter_state(s, HCS_OPEN, NULL);
	es = s->end_queued && s->outq.len == s->outq_off;
	if (conn_write_block(c, s->id, s->req.fields, s->req.count, es) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	if (es) {
		s->end_queued = 0;
		stream_enter_state(s, HCS_HALF_LOCAL, NULL);
	}
	stream_arm(s);
	conn_want_flush(c);
}

/* ---- sending: move queued DATA into the connection buffer ---- */

/* Frames what the windows allow; 1 if the stream still has output. */
static int
stream_fill(struct h2_client_stream *s, int *progress)
{
	struct h2_client_conn *c = s->c;
	size_t have = s->outq.len - s->outq_off, n;
	int es;

	if (have > 0) {
		n = h2_conn_data_len(have, s->send_window, c->send_window,
		    c->remote.max_frame_size);
		if (n == 0)
			return 1;
		es = n == have && s->end_queued;
		if (h2_frame_write_data(&c->out, s->id,
			s->outq.data + s->outq_off, n, es) == -1)
			return -1;
		s->outq_off += n;
		s->send_window -= (int64_t)n;
		c->send_window -= (int64_t)n;
		s->last_activity = loop_now(c->cl->loop);
		*progress = 1;
		h2_conn_compact(&s->outq, &s->outq_off, 256 * 1024);
		if (es) {
			s->end_queued = 0;
			stream_enter_state(s, HCS_HALF_LOCAL, NULL);
			return 0;
		}
		if (n < have)
			return 1;
	}
	if (!s->end_queued)
		return 0;
	s->end_queued = 0;
	*progress = 1;
	if (h2_frame_write_data(&c->out, s->id, "", 0, 1) == -1)
		return -1;
	stream_enter_state(s, HCS_HALF_LOCAL, NULL);
	return 0;
}

/* Returns -1 on ENOMEM. */
static int
conn_fill(struct h2_client_conn *c)
{
	struct h2_client_stream *s, *next;
	int progress;

	if (c->state != HCC_OPEN && c->state != HCC_DRAINING)
		return 0;
	do {
		progress = 0;
		for (s = c->streams; s != NULL; s = next) {
			next = s->next;
			if (conn_unsent(c) >= HCC_OUT_LOW)
				return 0;
			if (s->state != HCS_OPEN)
				continue;
			if (stream_fill(s, &progress) == -1)
				return -1;
		}
	} while (progress && conn_unsent(c) < HCC_OUT_LOW);
	return 0;
}

/* Tells writers whose queue drained that they may go on. */
static void
conn_notify_writable(struct h2_client_conn *c)
{
	struct h2_client_stream *s;

again:
	for (s = c->streams; s != NULL; s = s->next) {
		if (s->want_writable && s->state == HCS_OPEN &&
		    s->outq.len - s->outq_off < H2_CLIENT_LOW_WATER) {
			s->want_writable = 0;
			if (s->cb.on_writable != NULL && !s->cancelled)
				s->cb.on_writable(s, s->arg);
			if (c->state == HCC_DEAD)
				return;
			goto again;
		}
	}
}

/* ---- writing ---- */

static void
conn_flush(struct h2_client_conn *c)
{
	ssize_t n;
	int rounds;

	if (c->state < HCC_SETTINGS || c->state == HCC_DEAD)
		return;
	for (rounds = 0; rounds < 64; rounds++) {
		if (conn_fill(c) == -1) {
			conn_close(c, "out of memory");
			return;
		}
		if (conn_unsent(c) == 0)
			break;
		if (c->detached) {
			buf_reset(&c->out);
			c->out_off = 0;
			continue;
		}
		n = nconn_write(
		    &c->nc, c->out.data + c->out_off, conn_unsent(c));
		if (n == NCONN_AGAIN)
			break;
		if (n < 0) {
			conn_close(c, c->nc.err);
			return;
		}
		c->out_off += (size_t)n;
		h2_conn_compact(&c->out, &c->out_off, HCC_OUT_LOW);
	}
	conn_notify_writable(c);
}

/* ---- timers and poll events ---- */

static void
conn_timeout(struct loop *l, void *arg)
{
	struct h2_client_conn *c = arg;

	c->timer = NULL;
	if (c->state < HCC_OPEN) {
		log_debug("h2 client: conn %u %s: connect timeout", c->id,
		    c->pool->authority);
		conn_close(c, "connect timeout");
		return;
	}
	if (c->nstreams == 0) {
		log_trace("h2 client: conn %u %s: idle timeout", c->id,
		    c->pool->authority);
		conn_error(c, H2_NO_ERROR, "idle timeout");
		return;
	}
	conn_update(c);
}

static void
conn_arm(struct h2_client_conn *c)
{
	const struct h2_client_opts *o = &c->cl->opts;
	struct loop *l = c->cl->loop;
	uint64_t now = loop_now(l), when;

	if (c->state < HCC_OPEN)
		when = c->started_ms + o->connect_timeout_ms;
	else if (c->nstreams == 0)
		when = c->idle_since + o->idle_timeout_ms;
	else {
		if (c->timer != NULL)
			loop_timer_cancel(l, c->timer);
		c->timer = NULL;
		return;
	}
	when = when > now ? when - now : 0;
	if (c->timer != NULL)
		loop_timer_reset(l, c->timer, when);
	else
		c->timer = loop_timer_add(l, when, conn_timeout, c);
}

static void
conn_read_deferred(struct loop *l, void *arg)
{
	struct h2_client_conn *c = arg;

	c->read_queued = 0;
	c->cl->defers--;
	if (c->state == HCC_DEAD)
		return;
	conn_io(l, c->nc.fd, LOOP_READ, c);
}

/* Sets poll events and the timer after any activity; starts queued
 * streams; closes a drained connection. */
static void
conn_update(struct h2_client_conn *c)
{
	int ev = 0;

	if (c->state == HCC_DEAD)
		return;
	if (c->state == HCC_OPEN)
		conn_start_queued(c);
	if (c->state == HCC_DRAINING && c->nstreams == 0 &&
	    (conn_unsent(c) == 0 || c->detached)) {
		conn_close(c, NULL);
		return;
	}
	if (c->state == HCC_DEAD)
		return;
	conn_arm(c);
	if (c->detached || c->nc.fd == -1)
		return;
	switch (c->state) {
	case HCC_CONNECTING:
	case HCC_TLS:
		ev = nconn_setup_events(&c->nc);
		break;
	default:
		if (conn_unsent(c) < HCC_OUT_HIGH)
			ev |= LOOP_READ;
		if (conn_unsent(c) > 0 || c->nc.tls_read_wants_write)
			ev |= LOOP_WRITE;
		/* poll() cannot see what OpenSSL already decrypted. */
		if ((ev & LOOP_READ) && nconn_pending(&c->nc) > 0 &&
		    !c->read_queued &&
		    cl_defer(c->cl, conn_read_deferred, c) == 0)
			c->read_queued = 1;
		break;
	}
	nconn_set_events(&c->nc, ev);
}

/* ---- closing ---- */

static void
conn_free_deferred(struct loop *l, void *arg)
{
	struct h2_client_conn *c = arg;

	if (c->flush_queued || c->read_queued) {
		/* A deferred call still points here: free after it. */
		if (loop_defer(l, conn_free_deferred, c) == 0)
			return;
	}
	c->cl->defers--;
	buf_release(&c->in);
	buf_release(&c->out);
	buf_release(&c->hblock);
	h2_frame_block_release(&c->block);
	hpack_decoder_release(&c->dec);
	hpack_encoder_release(&c->enc);
	hpack_list_release(&c->scratch);
	free(c);
}

/* Fails the streams queued now (not those a callback queues meanwhile,
 * so a caller that retries at once cannot loop here). */
static void
pool_fail_queue(struct hcc_pool *p, const char *err)
{
	struct h2_client_stream *s;
	size_t n = 0, i;

	for (s = p->qhead; s != NULL; s = s->qnext)
		n++;
	for (i = 0; i < n && (s = p->qhead) != NULL; i++)
		stream_fail(s, err, 0);
}

/*
 * Closes the connection now.  err NULL is a clean close; otherwise every
 * open stream fails with err, and when the connection never got ready
 * the streams queued for it fail too (the origin is unreachable).
 */
static void
conn_close(struct h2_client_conn *c, const char *err)
{
	struct h2_client *cl = c->cl;
	struct hcc_pool *p = c->pool;
	struct h2_client_stream *s;
	enum hcc_state old = c->state;
	int was_cur = p->cur == c;
	char msg[256];

	if (c->state == HCC_DEAD)
		return;
	if (err == NULL)
		err = "connection closed";
	snprintf(msg, sizeof(msg), "%s", err);
	if (old < HCC_OPEN || c->nstreams > 0)
		log_debug("h2 client: conn %u %s: closed: %s", c->id,
		    p->authority, msg);
	conn_enter_state(c, HCC_DEAD);
	if (p->cur == c)
		p->cur = NULL;
	if (c->timer != NULL)
		loop_timer_cancel(cl->loop, c->timer);
	c->timer = NULL;
	nconn_close(&c->nc);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		cl->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	cl->st.open--;
	if (cl_defer(cl, conn_free_deferred, c) == -1)
		log_error("h2 client: cannot defer a free; leaking a conn");
	while ((s = c->streams) != NULL)
		stream_fail(s, msg, 0);
	if (old < HCC_OPEN && was_cur && !cl->freed)
		pool_fail_queue(p, msg);
	if (!cl->freed)
		pool_kick(p);
}

/*
 * A connection error (RFC 9113 §5.4.1): GOAWAY with code, best-effort
 * delivery, then close.  H2_NO_ERROR is a clean close of an idle
 * connection.
 */
static void
conn_error(struct h2_client_conn *c, uint32_t code, const char *msg)
{
	char err[200];

	if (c->state == HCC_DEAD)
		return;
	if (code != H2_NO_ERROR)
		log_debug("h2 client: conn %u %s: connection error %s: %s",
		    c->id, c->pool->authority, h2_frame_error_name(code), msg);
	/* The last stream id counts streams the server opened: none. */
	if (h2_frame_write_goaway(&c->out, 0, code, msg, strlen(msg)) == 0 &&
	    !c->detached && c->state >= HCC_SETTINGS) {
		/* Best effort: the connection closes either way. */
		(void)!nconn_write(
		    &c->nc, c->out.data + c->out_off, conn_unsent(c));
	}
	if (code == H2_NO_ERROR) {
		conn_close(c, msg);
		return;
	}
	snprintf(err, sizeof(err), "HTTP/2 protocol error (%s): %s",
	    h2_frame_error_name(code), msg);
	conn_close(c, err);
}

/* ---- header blocks ---- */

/*
 * Checks a decoded response block against RFC 9113 §8.3.2 and §8.1: one
 * ":status" of three digits first and no other pseudo-header (none at
 * all in trailers), lowercase names, no connection-specific fields.
 * Sets *status for a response block.  Returns 0 or -1.
 */
static int
block_check(const struct hpack_list *l, int trailers, int *status)
{
	const struct hpack_field *f;
	size_t i, j;

	*status = 0;
	for (i = 0; i < l->count; i++) {
		f = &l->fields[i];
		if (f->name.len == 0 || h2_conn_is_connection_header(f->name))
			return -1;
		for (j = 0; j < f->name.len; j++)
			if (f->name.p[j] >= 'A' && f->name.p[j] <= 'Z')
				return -1;
		if (f->name.p[0] != ':')
			continue;
		if (trailers || i != 0 || !span_eq_str(f->name, ":status") ||
		    f->value.len != 3)
			return -1;
		for (j = 0; j < 3; j++)
			if (f->value.p[j] < '0' || f->value.p[j] > '9')
				return -1;
		*status = (f->value.p[0] - '0') * 100 +
		    (f->value.p[1] - '0') * 10 + (f->value.p[2] - '0');
	}
	if (!trailers && (*status < 100))
		return -1;
	return 0;
}

/* A complete HEADERS block (+ CONTINUATION). */
static void
conn_on_header_block(struct h2_client_conn *c)
{
	uint32_t id = c->block.stream_id;
	int es = (c->block.flags & H2_FLAG_END_STREAM) != 0, status, rc;
	struct h2_client_stream *s;
	struct hpack_list tmp;
	const char *err = NULL;

	if (c->block.type == H2_FRAME_PUSH_PROMISE) {
		conn_error(c, H2_PROTOCOL_ERROR, "PUSH_PROMISE while disabled");
		return;
	}
	/* Always decode: the dynamic table must stay in step (§4.3). */
	if (hpack_decode_list(&c->dec, c->block.data.data, c->block.data.len,
		&c->scratch, &err) < 0) {
		conn_error(c, H2_COMPRESSION_ERROR, err);
		return;
	}
	if ((s = conn_find(c, id)) == NULL) {
		if ((id & 1) == 0 || id >= c->next_id)
			conn_error(c, H2_PROTOCOL_ERROR,
			    "HEADERS on a stream the client did not open");
		return; /* a stream we closed: frames in flight */
	}
	s->last_activity = loop_now(c->cl->loop);
	if (block_check(&c->scratch, s->got_response, &status) == -1) {
		stream_reset(
		    s, H2_PROTOCOL_ERROR, "malformed response headers");
		return;
	}
	if (s->got_response) {
		if (!es) {
			stream_reset(s, H2_PROTOCOL_ERROR,
			    "trailers without END_STREAM");
			return;
		}
		tmp = s->trailers;
		s->trailers = c->scratch;
		c->scratch = tmp;
		stream_remote_end(s);
		return;
	}
	if (status < 200) {
		/* Informational (§8.1): the final response follows. */
		if (es)
			stream_reset(s, H2_PROTOCOL_ERROR,
			    "interim response with END_STREAM");
		return;
	}
	s->got_response = 1;
	if (s->cb.on_response != NULL && !s->cancelled) {
		rc = s->cb.on_response(s, status, &c->scratch, es, s->arg);
		if (c->state == HCC_DEAD || s->state == HCS_CLOSED)
			return;
		if (rc == -1) {
			stream_reset(s, H2_CANCEL, "aborted by the caller");
			return;
		}
	}
	if (es) {
		/* The list serves as the trailers of a header-only answer. */
		tmp = s->trailers;
		s->trailers = c->scratch;
		c->scratch = tmp;
		stream_remote_end(s);
	}
}

/* ---- frame handlers (indexed by type) ---- */

/* Credits consumed connection-level octets back to the server. */
static int
conn_consumed(struct h2_client_conn *c, uint32_t n)
{
	if (h2_conn_credit(&c->out, 0, &c->recv_window, &c->recv_unacked, n,
		c->cl->opts.connection_window / 2) == -1) {
		conn_close(c, "out of memory");
		return -1;
	}
	return 0;
}

static void
frame_data(struct h2_client_conn *c, const struct h2_frame *f)
{
	struct h2_client_stream *s = conn_find(c, f->stream_id);
	uint32_t half = c->cl->opts.initial_window / 2;
	int rc;

	c->recv_window -= f->length;
	if (c->recv_window < 0) {
		conn_error(c, H2_FLOW_CONTROL_ERROR, "connection window");
		return;
	}
	if (s == NULL) {
		if ((f->stream_id & 1) == 0 || f->stream_id >= c->next_id) {
			conn_error(c, H2_PROTOCOL_ERROR, "DATA on idle stream");
			return;
		}
		(void)conn_consumed(c, f->length); /* closed: in flight */
		return;
	}
	s->recv_window -= f->length;
	s->last_activity = loop_now(c->cl->loop);
	if (s->recv_window < 0) {
		if (conn_consumed(c, f->length) == 0)
			stream_reset(s, H2_FLOW_CONTROL_ERROR,
			    "server exceeded the stream window");
		return;
	}
	if (!s->got_response) {
		if (conn_consumed(c, f->length) == 0)
			stream_reset(s, H2_PROTOCOL_ERROR,
			    "DATA before the response headers");
		return;
	}
	if (f->payload.len > 0 && s->cb.on_data != NULL && !s->cancelled) {
		rc = s->cb.on_data(s, f->payload.p, f->payload.len, s->arg);
		if (c->state == HCC_DEAD)
			return;
		if (rc == -1 && s->state != HCS_CLOSED) {
			if (conn_consumed(c, f->length) == 0)
				stream_reset(
				    s, H2_CANCEL, "aborted by the caller");
			return;
		}
	}
	if (conn_consumed(c, f->length) == -1 || s->state == HCS_CLOSED)
		return;
	if (f->flags & H2_FLAG_END_STREAM) {
		stream_remote_end(s);
		return;
	}
	if (h2_conn_credit(&c->out, s->id, &s->recv_window, &s->recv_unacked,
		f->length, half) == -1)
		conn_close(c, "out of memory");
}

static void
frame_ignore(struct h2_client_conn *c, const struct h2_frame *f)
{
	/* HEADERS and CONTINUATION are reassembled before dispatch;
	 * PRIORITY is deprecated (§5.3.2). */
}

static void
frame_rst_stream(struct h2_client_conn *c, const struct h2_frame *f)
{
	struct h2_client_stream *s = conn_find(c, f->stream_id);
	struct h2_client_result res;

	if (s == NULL) {
		if ((f->stream_id & 1) == 0 || f->stream_id >= c->next_id)
			conn_error(
			    c, H2_PROTOCOL_ERROR, "RST_STREAM on idle stream");
		return;
	}
	snprintf(s->errbuf, sizeof(s->errbuf),
	    "stream reset by the server (%s)",
	    h2_frame_error_name(f->error_code));
	memset(&res, 0, sizeof(res));
	res.err = s->errbuf;
	res.h2_error = f->error_code;
	res.refused = f->error_code == H2_REFUSED_STREAM;
	stream_enter_state(s, HCS_CLOSED, &res);
}

static void
frame_settings(struct h2_client_conn *c, const struct h2_frame *f)
{
	struct h2_settings old;
	struct h2_client_stream *s;
	uint32_t code = 0;
	const char *err = NULL;
	int64_t delta;

	if (f->flags & H2_FLAG_ACK)
		return;
	if (h2_conn_settings_recv(&c->remote, &old, f, &delta, &code, &err) <
	    0) {
		conn_error(c, code, err);
		return;
	}
	/* §6.9.2: a new initial window shifts every stream window. */
	for (s = c->streams; s != NULL && delta != 0; s = s->next)
		if (h2_conn_window_add(&s->send_window, delta) == -1) {
			conn_error(c, H2_FLOW_CONTROL_ERROR,
			    "stream window above 2^31-1");
			return;
		}
	if (h2_conn_settings_ack(&c->out, &c->enc, &old, &c->remote) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	if (c->state == HCC_SETTINGS) {
		conn_enter_state(c, HCC_OPEN);
		c->idle_since = loop_now(c->cl->loop);
	}
	/* A higher concurrency limit or the first SETTINGS: go on. */
	conn_start_queued(c);
}

static void
frame_push_promise(struct h2_client_conn *c, const struct h2_frame *f)
{
	/* Reassembled like HEADERS; see conn_on_header_block. */
}

static void
frame_ping(struct h2_client_conn *c, const struct h2_frame *f)
{
	if (f->flags & H2_FLAG_ACK)
		return;
	if (h2_frame_write_ping(&c->out, f->payload.p, 1) == -1)
		conn_close(c, "out of memory");
}

static void
frame_goaway(struct h2_client_conn *c, const struct h2_frame *f)
{
	struct h2_client_stream *s;
	struct h2_client_result res;
	struct hcc_pool *p = c->pool;

	log_debug("h2 client: conn %u %s: GOAWAY %s, last stream %u", c->id,
	    p->authority, h2_frame_error_name(f->error_code),
	    f->last_stream_id);
	if (!c->goaway || f->last_stream_id < c->goaway_last)
		c->goaway_last = f->last_stream_id;
	c->goaway = 1;
	if (p->cur == c)
		p->cur = NULL;
	conn_enter_state(c, HCC_DRAINING);
	/* §6.8: streams above the last id were not processed. */
	for (;;) {
		for (s = c->streams; s != NULL; s = s->next)
			if (s->id > c->goaway_last)
				break;
		if (s == NULL)
			break;
		memset(&res, 0, sizeof(res));
		res.err = "refused by the server (GOAWAY)";
		res.h2_error = f->error_code;
		res.refused = 1;
		stream_enter_state(s, HCS_CLOSED, &res);
		if (c->state == HCC_DEAD)
			return;
	}
	pool_kick(p);
}

static void
frame_window_update(struct h2_client_conn *c, const struct h2_frame *f)
{
	struct h2_client_stream *s;

	if (f->stream_id == 0) {
		if (h2_conn_window_add(&c->send_window, f->window_increment) ==
		    -1)
			conn_error(c, H2_FLOW_CONTROL_ERROR,
			    "connection window above 2^31-1");
		return;
	}
	if ((s = conn_find(c, f->stream_id)) == NULL) {
		if ((f->stream_id & 1) == 0 || f->stream_id >= c->next_id)
			conn_error(c, H2_PROTOCOL_ERROR,
			    "WINDOW_UPDATE on idle stream");
		return;
	}
	if (h2_conn_window_add(&s->send_window, f->window_increment) == -1)
		stream_reset(s, H2_FLOW_CONTROL_ERROR,
		    "server overflowed the stream window");
}

typedef void hcc_frame_handler(
    struct h2_client_conn *, const struct h2_frame *);

static hcc_frame_handler *const frame_handlers[] = {
	[H2_FRAME_DATA] = frame_data,
	[H2_FRAME_HEADERS] = frame_ignore,
	[H2_FRAME_PRIORITY] = frame_ignore,
	[H2_FRAME_RST_STREAM] = frame_rst_stream,
	[H2_FRAME_SETTINGS] = frame_settings,
	[H2_FRAME_PUSH_PROMISE] = frame_push_promise,
	[H2_FRAME_PING] = frame_ping,
	[H2_FRAME_GOAWAY] = frame_goaway,
	[H2_FRAME_WINDOW_UPDATE] = frame_window_update,
	[H2_FRAME_CONTINUATION] = frame_ignore,
};

static void
conn_frame(struct h2_client_conn *c, const struct h2_frame *f)
{
	uint32_t code = 0;
	const char *err = NULL;
	int rc;

	if (c->state == HCC_SETTINGS &&
	    (f->type != H2_FRAME_SETTINGS || (f->flags & H2_FLAG_ACK))) {
		/* §3.4: the server preface is a SETTINGS frame. */
		conn_error(c, H2_PROTOCOL_ERROR,
		    "server preface is not SETTINGS (not an HTTP/2 server?)");
		return;
	}
	if (h2_conn_is_block_frame(&c->block, f)) {
		rc = h2_frame_block_add(&c->block, f, &code, &err);
		if (rc < 0) {
			conn_error(c, code, err);
			return;
		}
		if (rc == 1)
			conn_on_header_block(c);
		return;
	}
	if (f->type < sizeof(frame_handlers) / sizeof(frame_handlers[0]))
		frame_handlers[f->type](c, f);
	/* Unknown frame types are ignored (§4.1, §5.5). */
}

/* Parses and handles every complete frame in c->in. */
static void
conn_process(struct h2_client_conn *c)
{
	struct h2_frame f;
	struct h2_client_stream *s;
	uint32_t code;
	const char *err;
	int rc;

	while (c->state == HCC_SETTINGS || c->state == HCC_OPEN ||
	    c->state == HCC_DRAINING) {
		code = 0;
		err = NULL;
		rc = h2_frame_parse(c->in.data + c->in_off,
		    c->in.len - c->in_off, H2_DEFAULT_MAX_FRAME_SIZE, &f, &code,
		    &err);
		if (rc == FAB_INCOMPLETE)
			break;
		if (rc < 0) {
			if (!f.stream_error || h2_frame_block_open(&c->block) ||
			    c->state == HCC_SETTINGS) {
				conn_error(c, code, err);
				return;
			}
			/* A stream error: reset it, skip the frame. */
			c->in_off += H2_FRAME_HEADER_LEN + f.length;
			if ((s = conn_find(c, f.stream_id)) != NULL)
				stream_reset(s, code, err);
			else if (h2_frame_write_rst_stream(
				     &c->out, f.stream_id, code) == -1) {
				conn_close(c, "out of memory");
				return;
			}
			continue;
		}
		c->in_off += (size_t)rc;
		conn_frame(c, &f);
	}
	if (c->state == HCC_DEAD)
		return;
	h2_conn_compact(&c->in, &c->in_off, 1);
}

/* Reads what is there and handles it. */
static void
conn_readable(struct h2_client_conn *c)
{
	ssize_t n;
	int i;

	for (i = 0; i < HCC_READS_PER_PASS; i++) {
		if (c->state != HCC_SETTINGS && c->state != HCC_OPEN &&
		    c->state != HCC_DRAINING)
			return;
		if (conn_unsent(c) >= HCC_OUT_HIGH)
			return;
		if (buf_reserve(&c->in, HCC_READ_CHUNK) == -1) {
			conn_close(c, "out of memory");
			return;
		}
		n = nconn_read(&c->nc, c->in.data + c->in.len, HCC_READ_CHUNK);
		if (n == NCONN_AGAIN)
			return;
		if (n == 0 || n == NCONN_ERROR) {
			conn_close(c,
			    n == 0 ? "connection closed by the server"
				   : c->nc.err);
			return;
		}
		c->in.len += (size_t)n;
		conn_process(c);
		if (c->nc.tls == NULL && (size_t)n < HCC_READ_CHUNK)
			return;
	}
}

/* ---- connection setup ---- */

/* TCP (and TLS) is up: the preface and our SETTINGS go out. */
static void
conn_ready(struct h2_client_conn *c)
{
	const struct h2_client_opts *o = &c->cl->opts;
	struct h2_setting ours[3];

	ours[0].id = H2_SETTINGS_ENABLE_PUSH;
	ours[0].value = 0;
	ours[1].id = H2_SETTINGS_INITIAL_WINDOW_SIZE;
	ours[1].value = o->initial_window;
	ours[2].id = H2_SETTINGS_MAX_HEADER_LIST_SIZE;
	ours[2].value = o->max_header_list;
	if (buf_append(&c->out, H2_CLIENT_PREFACE, H2_CLIENT_PREFACE_LEN) ==
		-1 ||
	    h2_frame_write_settings(&c->out, ours, 3) == -1 ||
	    (o->connection_window > H2_DEFAULT_WINDOW &&
		h2_frame_write_window_update(&c->out, 0,
		    o->connection_window - H2_DEFAULT_WINDOW) == -1)) {
		conn_close(c, "out of memory");
		return;
	}
	conn_enter_state(c, HCC_SETTINGS);
	conn_flush(c);
}

static void
conn_handshake(struct h2_client_conn *c)
{
	int rc = nconn_handshake(&c->nc, "h2");

	if (rc == -1)
		conn_close(c, c->nc.err);
	else if (rc == 1)
		conn_ready(c);
}

/* Starts the TCP connect to the next address after a failed one or a
 * resolution (as an nconn_step_cb), or fails. */
static void
conn_connect_next(void *arg)
{
	struct h2_client_conn *c = arg;

	if (nconn_connect_next(&c->nc, c->pool->port) == -1)
		conn_close(c, c->nc.err);
	else
		conn_enter_state(c, HCC_CONNECTING);
}

static void
conn_connected(struct h2_client_conn *c)
{
	int rc = nconn_connected(&c->nc);

	if (rc == 0)
		return;
	if (rc == -1) {
		conn_connect_next(c);
		return;
	}
	if (!c->pool->tls) {
		conn_ready(c);
		return;
	}
	if (nconn_tls_start(&c->nc, c->cl->tls_ctx, c->pool->host) == -1) {
		conn_close(c, "out of memory");
		return;
	}
	conn_enter_state(c, HCC_TLS);
	conn_handshake(c);
}

static void
conn_io(struct loop *l, int fd, int events, void *arg)
{
	struct h2_client_conn *c = arg;

	c->in_io = 1;
	switch (c->state) {
	case HCC_CONNECTING:
		conn_connected(c);
		break;
	case HCC_TLS:
		conn_handshake(c);
		break;
	case HCC_SETTINGS:
	case HCC_OPEN:
	case HCC_DRAINING:
		if (events & LOOP_READ ||
		    (c->nc.tls_read_wants_write && (events & LOOP_WRITE)))
			conn_readable(c);
		break;
	default:
		break;
	}
	if (c->state != HCC_DEAD)
		conn_flush(c);
	c->in_io = 0;
	if (c->state != HCC_DEAD)
		conn_update(c);
}

static struct h2_client_conn *
conn_alloc(struct hcc_pool *p)
{
	struct h2_client *cl = p->cl;
	struct h2_client_conn *c;
	const struct h2_client_opts *o = &cl->opts;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cl = cl;
	c->pool = p;
	c->id = ++cl->next_id;
	nconn_init(&c->nc, cl->loop, conn_io, c);
	c->state = HCC_RESOLVING;
	buf_init(&c->in);
	buf_init(&c->out);
	buf_init(&c->hblock);
	h2_frame_block_init(&c->block);
	hpack_decoder_init(&c->dec, HPACK_DEFAULT_TABLE_SIZE);
	hpack_decoder_set_limits(&c->dec, o->max_header_list, 0);
	hpack_encoder_init(&c->enc, HPACK_DEFAULT_TABLE_SIZE);
	hpack_list_init(&c->scratch);
	h2_settings_init(&c->remote);
	c->send_window = H2_DEFAULT_WINDOW;
	c->recv_window = o->connection_window;
	c->next_id = 1;
	/* The cached time may be old (a CA store was just loaded). */
	c->started_ms = c->idle_since = loop_update_time(cl->loop);
	c->next = cl->conns;
	if (cl->conns != NULL)
		cl->conns->prev = c;
	cl->conns = c;
	cl->st.open++;
	cl->st.connections++;
	return c;
}

/* Opens a connection for the pool (the pool's current one). */
static void
conn_new(struct hcc_pool *p)
{
	struct h2_client *cl = p->cl;
	struct h2_client_conn *c;

	if ((c = conn_alloc(p)) == NULL) {
		pool_fail_queue(p, "out of memory");
		return;
	}
	p->cur = c;
	log_trace("h2 client: conn %u to %s", c->id, p->authority);
	conn_arm(c);
	http_client_resolve(
	    &c->nc, cl->resolver, cl->resolver_arg, p->host, conn_connect_next);
}

/* Starts queued streams while the server's limit allows. */
static void
conn_start_queued(struct h2_client_conn *c)
{
	struct hcc_pool *p = c->pool;
	struct h2_client_stream *s;

	while (c->state == HCC_OPEN && p->cur == c && (s = p->qhead) != NULL &&
	    c->nstreams < c->remote.max_concurrent_streams) {
		if (c->next_id > H2_MAX_STREAM_ID) {
			/* Ids used up (§5.1.1): a new connection. */
			conn_enter_state(c, HCC_DRAINING);
			p->cur = NULL;
			pool_kick(p);
			return;
		}
		p->qhead = s->qnext;
		if (p->qhead == NULL)
			p->qtail = NULL;
		s->qnext = NULL;
		stream_begin(c, s);
	}
}

/* ---- pools ---- */

static void
pool_dispatch(struct loop *l, void *arg)
{
	struct hcc_pool *p = arg;
	struct h2_client *cl = p->cl;

	p->dispatch_queued = 0;
	cl->defers--;
	if (cl->freed || p->qhead == NULL)
		return;
	if (p->cur == NULL) {
		conn_new(p);
		return;
	}
	conn_start_queued(p->cur);
	if (p->cur != NULL)
		conn_want_flush(p->cur);
}

static void
pool_kick(struct hcc_pool *p)
{
	if (p->dispatch_queued || p->qhead == NULL || p->cl->freed)
		return;
	if (cl_defer(p->cl, pool_dispatch, p) == 0)
		p->dispatch_queued = 1;
}

/*
 * Splits an origin: scheme grpc/http (cleartext) or grpcs/https (TLS),
 * host name, [IPv6] or IPv4 literal, optional port, optional "/".
 */
static const char *
parse_origin(const char *origin, int *tls, char *host, size_t hostlen,
    int *port, char *authority, size_t authlen)
{
	static const struct {
		const char *prefix;
		int tls;
		int port;
	} schemes[] = { { "grpc://", 0, 80 }, { "http://", 0, 80 },
		{ "grpcs://", 1, 443 }, { "https://", 1, 443 } };
	static const char *const authority_errors[] = {
		[HTTP_CLIENT_AUTHORITY_IPV6] = "bad IPv6 address in origin",
		[HTTP_CLIENT_AUTHORITY_SYNTAX] = "bad origin authority",
		[HTTP_CLIENT_AUTHORITY_HOST] = "bad host in origin",
		[HTTP_CLIENT_AUTHORITY_PORT] = "bad port in origin",
	};
	const char *auth = NULL, *end;
	enum http_client_authority_error ae;
	size_t i, len;

	if (origin == NULL || strlen(origin) > H2_CLIENT_MAX_ORIGIN)
		return "bad origin";
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		len = strlen(schemes[i].prefix);
		if (strncasecmp(origin, schemes[i].prefix, len) == 0) {
			auth = origin + len;
			*tls = schemes[i].tls;
			*port = schemes[i].port;
			break;
		}
	}
	if (auth == NULL)
		return "origin scheme is not grpc://, grpcs://, http:// or "
		       "https://";
	end = auth + strcspn(auth, "/");
	if (*end != '\0' && strcmp(end, "/") != 0)
		return "origin has a path";
	if ((size_t)(end - auth) >= authlen)
		return "origin too long";
	ae = http_client_split_authority(auth, end, host, hostlen, port);
	if (ae != HTTP_CLIENT_AUTHORITY_OK)
		return authority_errors[ae];
	memcpy(authority, auth, (size_t)(end - auth));
	authority[end - auth] = '\0';
	return NULL;
}

static struct hcc_pool *
pool_get(struct h2_client *cl, const char *origin, const char **err)
{
	char host[256], authority[H2_CLIENT_MAX_ORIGIN + 1];
	struct hcc_pool *p;
	int tls, port;

	if ((*err = parse_origin(origin, &tls, host, sizeof(host), &port,
		 authority, sizeof(authority))) != NULL)
		return NULL;
	for (p = cl->pools; p != NULL; p = p->next)
		if (p->port == port && p->tls == tls &&
		    strcasecmp(p->host, host) == 0)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->host = strdup(host)) == NULL ||
	    (p->authority = strdup(authority)) == NULL) {
		if (p != NULL)
			free(p->host);
		free(p);
		*err = "out of memory";
		return NULL;
	}
	p->cl = cl;
	p->port = port;
	p->tls = tls;
	p->next = cl->pools;
	cl->pools = p;
	return p;
}

/* ---- public API ---- */

struct h2_client *
h2_client_new(
    struct loop *l, const struct h2_client_opts *opts, char *err, size_t errlen)
{
	struct h2_client *cl;
	struct h2_client_opts *o;

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cl->loop = l;
	o = &cl->opts;
	if (opts != NULL)
		*o = *opts;
	if (o->connect_timeout_ms == 0)
		o->connect_timeout_ms = 10000;
	if (o->request_timeout_ms == 0)
		o->request_timeout_ms = 30000;
	if (o->idle_timeout_ms == 0)
		o->idle_timeout_ms = 60000;
	if (o->initial_window == 0)
		o->initial_window = 1024 * 1024;
	if (o->initial_window < H2_DEFAULT_WINDOW)
		o->initial_window = H2_DEFAULT_WINDOW;
	if (o->initial_window > H2_MAX_WINDOW)
		o->initial_window = H2_MAX_WINDOW;
	if (o->connection_window == 0)
		o->connection_window = 16 * 1024 * 1024;
	if (o->connection_window < H2_DEFAULT_WINDOW)
		o->connection_window = H2_DEFAULT_WINDOW;
	if (o->connection_window > H2_MAX_WINDOW)
		o->connection_window = H2_MAX_WINDOW;
	if (o->max_header_list == 0 ||
	    o->max_header_list > HPACK_MAX_HEADER_LIST)
		o->max_header_list = HPACK_MAX_HEADER_LIST;
	o->tls_ca_file = NULL;
	cl->tls_ctx = nconn_tls_ctx_new(opts != NULL ? opts->tls_ca_file : NULL,
	    opts == NULL || !opts->tls_no_verify, "h2", err, errlen);
	if (cl->tls_ctx == NULL) {
		free(cl);
		return NULL;
	}
	cl->resolver = http_client_default_resolver;
	return cl;
}

static void
client_free_deferred(struct loop *l, void *arg)
{
	struct h2_client *cl = arg;
	struct hcc_pool *p;

	if (cl->defers > 0) {
		/* Connections, streams or dispatches still queued. */
		if (loop_defer(l, client_free_deferred, cl) == 0)
			return;
	}
	while ((p = cl->pools) != NULL) {
		cl->pools = p->next;
		free(p->host);
		free(p->authority);
		free(p);
	}
	ftls_ctx_free(cl->tls_ctx);
	free(cl);
}

void
h2_client_free(struct h2_client *cl)
{
	struct hcc_pool *p;
	struct h2_client_conn *c;
	struct h2_client_stream *s;

	if (cl == NULL || cl->freed)
		return;
	cl->freed = 1;
	for (p = cl->pools; p != NULL; p = p->next)
		while ((s = p->qhead) != NULL) {
			s->cancelled = 1;
			stream_fail(s, "client freed", 0);
		}
	while ((c = cl->conns) != NULL) {
		for (s = c->streams; s != NULL; s = s->next)
			s->cancelled = 1;
		conn_close(c, "client freed");
	}
	if (loop_defer(cl->loop, client_free_deferred, cl) == -1)
		log_error("h2 client: cannot defer a free; leaking it");
}

void
h2_client_set_resolver(
    struct h2_client *cl, http_client_resolver *fn, void *arg)
{
	cl->resolver = fn != NULL ? fn : http_client_default_resolver;
	cl->resolver_arg = fn != NULL ? arg : NULL;
}

void
h2_client_get_stats(const struct h2_client *cl, struct h2_client_stats *st)
{
	*st = cl->st;
}

static int
field_add(
    struct hpack_list *l, const char *name, const char *value, unsigned flags)
{
	struct hpack_field f;

	f.name = span_str(name);
	f.value = span_str(value);
	f.flags = flags;
	return hpack_list_add(l, &f);
}

static int
field_ok(const struct hpack_field *f)
{
	size_t i;

	if (f->name.p == NULL || f->name.len == 0 || f->name.p[0] == ':' ||
	    h2_conn_is_connection_header(f->name))
		return 0;
	if (f->value.len > 0 && f->value.p == NULL)
		return 0;
	for (i = 0; i < f->name.len; i++)
		if (f->name.p[i] <= 0x20 || f->name.p[i] >= 0x7f ||
		    (f->name.p[i] >= 'A' && f->name.p[i] <= 'Z'))
			return 0;
	for (i = 0; i < f->value.len; i++)
		if (f->value.p[i] == '\r' || f->value.p[i] == '\n' ||
		    f->value.p[i] == '\0')
			return 0;
	return 1;
}

struct h2_client_stream *
h2_client_stream_start(
    struct h2_client *cl, const struct h2_client_request *r, const char **err)
{
	struct h2_client_stream *s = NULL;
	struct hcc_pool *p;
	size_t i;
	int rc;

	*err = NULL;
	if (cl->freed) {
		*err = "client is shut down";
		return NULL;
	}
	if (r->method == NULL || *r->method == '\0' || r->path == NULL ||
	    r->path[0] != '/') {
		*err = "bad method or path";
		return NULL;
	}
	for (i = 0; i < r->nheaders; i++)
		if (!field_ok(&r->headers[i])) {
			*err = "bad request header field";
			return NULL;
		}
	if ((p = pool_get(cl, r->origin, err)) == NULL)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	s->cl = cl;
	s->pool = p;
	s->state = HCS_QUEUED;
	hpack_list_init(&s->req);
	hpack_list_init(&s->trailers);
	buf_init(&s->outq);
	rc = field_add(&s->req, ":method", r->method, 0);
	if (rc == 0)
		rc =
		    field_add(&s->req, ":scheme", p->tls ? "https" : "http", 0);
	if (rc == 0)
		rc = field_add(&s->req, ":authority", p->authority, 0);
	if (rc == 0)
		rc = field_add(&s->req, ":path", r->path, 0);
	for (i = 0; rc == 0 && i < r->nheaders; i++)
		rc = hpack_list_add(&s->req, &r->headers[i]);
	if (rc == 0 && r->body != NULL && r->body_len > 0)
		rc = buf_append(&s->outq, r->body, r->body_len);
	if (rc == -1) {
		hpack_list_release(&s->req);
		hpack_list_release(&s->trailers);
		buf_release(&s->outq);
		free(s);
		*err = "out of memory";
		return NULL;
	}
	s->end_queued = r->end_stream != 0;
	if (r->cb != NULL)
		s->cb = *r->cb;
	s->arg = r->arg;
	if (r->deadline_ms > 0) {
		s->deadline_at = loop_update_time(cl->loop) + r->deadline_ms;
		stream_arm(s);
	}
	if (p->qtail != NULL)
		p->qtail->qnext = s;
	else
		p->qhead = s;
	p->qtail = s;
	pool_kick(p);
	return s;
}

int
h2_client_stream_write(struct h2_client_stream *s, const void *p, size_t len)
{
	if ((s->state != HCS_QUEUED && s->state != HCS_OPEN) || s->end_queued)
		return -1;
	if (len > 0 && buf_append(&s->outq, p, len) == -1)
		return -1;
	if (s->c != NULL)
		conn_want_flush(s->c);
	if (s->outq.len - s->outq_off > H2_CLIENT_HIGH_WATER) {
		s->want_writable = 1;
		return 1;
	}
	return 0;
}

int
h2_client_stream_end(struct h2_client_stream *s)
{
	if ((s->state != HCS_QUEUED && s->state != HCS_OPEN) || s->end_queued)
		return -1;
	s->end_queued = 1;
	s->want_writable = 0;
	if (s->c != NULL)
		conn_want_flush(s->c);
	return 0;
}

void
h2_client_stream_cancel(struct h2_client_stream *s)
{
	if (s->state == HCS_CLOSED)
		return;
	s->cancelled = 1;
	if (s->c != NULL) {
		conn_want_flush(s->c);
		stream_reset(s, H2_CANCEL, "cancelled");
	} else
		stream_fail(s, "cancelled", 0);
}

uint32_t
h2_client_stream_id(const struct h2_client_stream *s)
{
	return s->id;
}

size_t
h2_client_stream_queued(const struct h2_client_stream *s)
{
	return s->outq.len - s->outq_off;
}

unsigned
h2_client_stream_conn_id(const struct h2_client_stream *s)
{
	return s->conn_id;
}

struct h2_client_conn *
h2_client_adopt(struct h2_client *cl, const char *origin, int fd)
{
	struct h2_client_conn *c;
	struct hcc_pool *p;
	const char *err;

	if (cl->freed || (p = pool_get(cl, origin, &err)) == NULL) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if ((c = conn_alloc(p)) == NULL) {
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (p->cur != NULL) {
		/* The old connection finishes its streams. */
		conn_enter_state(p->cur, HCC_DRAINING);
		conn_want_flush(p->cur);
	}
	p->cur = c;
	c->detached = fd == -1;
	if (fd != -1 && nconn_adopt(&c->nc, fd, LOOP_READ | LOOP_WRITE) == -1) {
		conn_close(c, "out of memory");
		return NULL;
	}
	conn_arm(c);
	if (p->tls && fd != -1) {
		if (nconn_tls_start(&c->nc, cl->tls_ctx, p->host) == -1) {
			conn_close(c, "out of memory");
			return NULL;
		}
		conn_enter_state(c, HCC_TLS);
		conn_want_flush(c);
		return c;
	}
	conn_ready(c);
	if (c->state == HCC_DEAD)
		return NULL;
	conn_want_flush(c);
	return c;
}

int
h2_client_conn_feed(struct h2_client_conn *c, const void *p, size_t n)
{
	if (c->state == HCC_DEAD)
		return -1;
	if (c->state < HCC_SETTINGS)
		return 0;
	if (buf_append(&c->in, p, n) == -1) {
		conn_close(c, "out of memory");
		return -1;
	}
	c->in_io = 1;
	conn_process(c);
	if (c->state != HCC_DEAD)
		conn_flush(c);
	c->in_io = 0;
	if (c->state != HCC_DEAD)
		conn_update(c);
	return c->state == HCC_DEAD ? -1 : 0;
}
