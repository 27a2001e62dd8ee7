/*
 * HTTP/1.1 client connections (RFC 9112) with per-host pools.  Untrusted
 * input: everything a server sends.  Response heads are bounded by
 * H1_MAX_HEAD (h1_parse_response), bodies are streamed to the caller and
 * never buffered whole, and every phase has a timer (connect, request,
 * body stall, idle).  The connection lifecycle is enum hc_state with one
 * hc_enter_state(); connections and requests are freed from deferred
 * callbacks, never inside their own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "http/client.h"
#include "net/ftls.h"
#include "net/nconn.h"

#define HC_READ_CHUNK 16384
#define HC_OUT_CHUNK (64 * 1024)
#define HC_READS_PER_PASS 8 /* fairness: then yield to the loop */

enum hc_state {
	HC_RESOLVING, /* waiting for the resolver */
	HC_CONNECTING, /* TCP connect in progress */
	HC_HANDSHAKE, /* TLS handshake */
	HC_IDLE, /* pooled, no request */
	HC_SEND, /* sending a request; a response may start meanwhile */
	HC_HEAD, /* request sent, reading the response head */
	HC_BODY, /* reading the response body */
	HC_DEAD, /* closed; freed after the dispatch pass */
};

static const char *const hc_state_names[] = { "resolving", "connecting",
	"handshake", "idle", "send", "head", "body", "dead" };

enum hc_req_state {
	HC_R_QUEUED, /* waiting for a connection */
	HC_R_ACTIVE, /* bound to a connection */
	HC_R_DONE, /* finished or cancelled; freed after the pass */
};

struct hc_pool;
struct hc_conn;

struct http_client_req {
	struct http_client *cl;
	struct hc_pool *pool;
	enum hc_req_state state;
	struct hc_conn *conn;
	struct http_client_req *qnext; /* pool queue */
	struct buf wire; /* request head, then a buffered body */
	size_t wire_off;
	struct http_client_source src;
	int has_src;
	int src_chunked;
	uint64_t src_pos;
	int src_wait;
	int src_eof;
	int is_head;
	int retried;
	int got_response; /* some response byte arrived */
	int send_done;
	http_client_head_cb *on_head;
	http_client_data_cb *on_data;
	http_client_done_cb *on_done;
	void *arg;
};

struct hc_conn {
	struct hc_pool *pool;
	unsigned id;
	enum hc_state state;
	struct nconn nc; /* socket, TLS, addresses */
	struct loop_timer *timer;
	int timer_phase; /* what the timer measures, for the message */
	struct buf in;
	struct buf out; /* source body bytes being sent */
	size_t out_off;
	struct h1_parser parser;
	struct h1_response resp;
	struct h1_chunked ch;
	enum h1_body body_kind;
	uint64_t body_left;
	int keep_alive;
	unsigned nrequests;
	struct http_client_req *req;
	int read_queued;
	const char *err; /* why it failed */
	const char *send_err; /* why sending stopped early (EPIPE, RST) */
	char errbuf[256]; /* send_err: a later strerror() reuses its buffer */
	struct hc_conn *prev, *next;
};

struct hc_pool {
	struct http_client *cl;
	char *host;
	int port;
	int tls;
	struct hc_conn *conns;
	unsigned nconns;
	struct http_client_req *qhead, *qtail;
	int dispatch_queued;
	struct hc_pool *next;
};

struct http_client {
	struct loop *loop;
	struct http_client_opts opts;
	struct ftls_ctx *tls_ctx;
	http_client_resolver *resolver;
	void *resolver_arg;
	struct hc_pool *pools;
	unsigned next_id;
	int freed;
	int defers; /* deferred callbacks that still use the client */
	struct http_client_stats st;
};

enum { HC_T_CONNECT = 1, HC_T_SEND, HC_T_REQUEST, HC_T_BODY, HC_T_IDLE };

static void hc_io(struct loop *, int, int, void *);
static void hc_close(struct hc_conn *);
static void hc_drive(struct hc_conn *);
static void hc_connect_next(void *);
static void pool_kick(struct hc_pool *);

/* ---- small helpers ---- */

static void
hc_enter_state(struct hc_conn *c, enum hc_state st)
{
	log_trace("http client: conn %u %s:%d: %s -> %s", c->id, c->pool->host,
	    c->pool->port, hc_state_names[c->state], hc_state_names[st]);
	c->state = st;
}

static void
hc_timeout(struct loop *l, void *arg)
{
	struct hc_conn *c = arg;
	static const char *const msgs[] = { "timeout", "connect timeout",
		"send timeout", "request timeout", "body timeout",
		"idle timeout" };

	c->timer = NULL;
	c->err = msgs[c->timer_phase];
	log_debug("http client: conn %u %s:%d: %s", c->id, c->pool->host,
	    c->pool->port, c->err);
	hc_close(c);
}

static void
hc_arm(struct hc_conn *c, int phase)
{
	struct http_client_opts *o = &c->pool->cl->opts;
	struct loop *l = c->pool->cl->loop;
	uint64_t ms = 0;

	switch (phase) {
	case HC_T_CONNECT:
		ms = o->connect_timeout_ms;
		break;
	case HC_T_SEND:
	case HC_T_BODY:
		ms = o->body_timeout_ms;
		break;
	case HC_T_REQUEST:
		ms = o->request_timeout_ms;
		break;
	case HC_T_IDLE:
		ms = o->idle_timeout_ms;
		break;
	}
	c->timer_phase = phase;
	if (ms == 0) {
		if (c->timer != NULL)
			loop_timer_cancel(l, c->timer);
		c->timer = NULL;
	} else if (c->timer != NULL)
		loop_timer_reset(l, c->timer, ms);
	else
		c->timer = loop_timer_add(l, ms, hc_timeout, c);
}

static void
hc_update_io(struct hc_conn *c)
{
	struct http_client_req *r = c->req;
	int ev = 0;

	switch (c->state) {
	case HC_CONNECTING:
	case HC_HANDSHAKE:
		ev = nconn_setup_events(&c->nc);
		break;
	case HC_IDLE:
	case HC_HEAD:
	case HC_BODY:
		ev = LOOP_READ;
		if (c->nc.tls_read_wants_write)
			ev |= LOOP_WRITE;
		break;
	case HC_SEND:
		ev = LOOP_READ;
		if (r != NULL && !r->src_wait)
			ev |= LOOP_WRITE;
		break;
	default:
		return;
	}
	nconn_set_events(&c->nc, ev);
}

static void
req_free_deferred(struct loop *l, void *arg)
{
	struct http_client_req *r = arg;

	buf_release(&r->wire);
	r->cl->defers--;
	free(r);
}

/* Ends a request: releases the source, defers the free; with notify the
 * caller hears of it through on_done. */
static void
req_end(struct http_client_req *r, int notify, int ok, const char *err)
{
	struct http_client *cl = r->cl;

	if (r->state == HC_R_DONE)
		return;
	r->state = HC_R_DONE;
	r->conn = NULL;
	cl->st.requests++;
	if (!ok)
		cl->st.failures++;
	if (r->has_src) {
		r->has_src = 0;
		if (r->src.release != NULL)
			r->src.release(r->src.arg);
	}
	if (loop_defer(cl->loop, req_free_deferred, r) == -1)
		log_error(
		    "http client: cannot defer a free; leaking a request");
	else
		cl->defers++;
	if (notify && r->on_done != NULL)
		r->on_done(r, ok, ok ? NULL : err, r->arg);
}

static void
pool_unqueue(struct hc_pool *p, struct http_client_req *r)
{
	struct http_client_req **pp;

	for (pp = &p->qhead; *pp != NULL; pp = &(*pp)->qnext)
		if (*pp == r) {
			*pp = r->qnext;
			break;
		}
	p->qtail = NULL;
	for (r = p->qhead; r != NULL; r = r->qnext)
		p->qtail = r;
}

/* ---- connection teardown ---- */

static void
hc_free_deferred(struct loop *l, void *arg)
{
	struct hc_conn *c = arg;
	struct http_client *cl = c->pool->cl;

	if (c->read_queued) {
		/* A deferred read still points here: free after it. */
		if (loop_defer(l, hc_free_deferred, c) == 0)
			return;
	}
	buf_release(&c->in);
	buf_release(&c->out);
	cl->defers--;
	free(c);
}

/* Closes the connection; a request on it fails with c->err, or is queued
 * again once when a reused connection died before any response byte. */
static void
hc_close(struct hc_conn *c)
{
	struct hc_pool *p = c->pool;
	struct http_client *cl = p->cl;
	struct http_client_req *r = c->req;
	const char *err = c->err != NULL ? c->err : "connection closed";

	if (c->state == HC_DEAD)
		return;
	hc_enter_state(c, HC_DEAD);
	if (c->timer != NULL) {
		loop_timer_cancel(cl->loop, c->timer);
		c->timer = NULL;
	}
	nconn_close(&c->nc);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	p->nconns--;
	cl->st.open--;
	if (loop_defer(cl->loop, hc_free_deferred, c) == -1)
		log_error("http client: cannot defer a free; leaking a conn");
	else
		cl->defers++;
	c->req = NULL;
	if (r != NULL && r->state == HC_R_ACTIVE) {
		r->conn = NULL;
		if (!r->got_response && c->nrequests > 1 && !r->retried &&
		    r->src_pos == 0 && !cl->freed) {
			/* A kept-alive connection the server had closed:
			 * RFC 9112 §9.3.1 allows one automatic retry. */
			log_debug("http client: retrying on a new connection "
				  "(%s)",
			    err);
			r->retried = 1;
			r->wire_off = 0;
			r->send_done = 0;
			r->state = HC_R_QUEUED;
			r->qnext = p->qhead;
			p->qhead = r;
			if (p->qtail == NULL)
				p->qtail = r;
		} else
			req_end(r, 1, 0, err);
	}
	if (!cl->freed)
		pool_kick(p);
}

static void
hc_fail(struct hc_conn *c, const char *err)
{
	if (c->err == NULL)
		c->err = err;
	hc_close(c);
}

/* ---- connection setup ---- */

/* Starts the TCP connect to the next address after a failed one or a
 * resolution (as an nconn_step_cb), or fails. */
static void
hc_connect_next(void *arg)
{
	struct hc_conn *c = arg;

	if (c->state == HC_CONNECTING)
		log_debug("http client: conn %u %s:%d: connect: %s", c->id,
		    c->pool->host, c->pool->port, c->nc.err);
	if (nconn_connect_next(&c->nc, c->pool->port) == -1)
		hc_fail(c, c->nc.err);
	else
		hc_enter_state(c, HC_CONNECTING);
}

static void
hc_connected(struct hc_conn *c)
{
	struct hc_pool *p = c->pool;
	int rc = nconn_connected(&c->nc);

	if (rc == 0)
		return;
	if (rc == -1)
		hc_connect_next(c);
	else if (!p->tls)
		hc_enter_state(c, HC_IDLE);
	else if (nconn_tls_start(&c->nc, p->cl->tls_ctx, p->host) == -1)
		hc_fail(c, "out of memory");
	else
		hc_enter_state(c, HC_HANDSHAKE);
}

static void
hc_handshake(struct hc_conn *c)
{
	int rc = nconn_handshake(&c->nc, NULL);

	if (rc == -1) {
		log_debug("http client: conn %u %s:%d: %s", c->id,
		    c->pool->host, c->pool->port, c->nc.err);
		c->err = c->nc.err;
		hc_close(c);
	} else if (rc == 1)
		hc_enter_state(c, HC_IDLE);
}

/* Binds r to idle connection c and starts sending. */
static void
hc_start_request(struct hc_conn *c, struct http_client_req *r)
{
	struct http_client *cl = c->pool->cl;

	r->state = HC_R_ACTIVE;
	r->conn = c;
	c->req = r;
	c->nrequests++;
	if (c->nrequests > 1)
		cl->st.reused++;
	buf_reset(&c->out);
	c->out_off = 0;
	h1_parser_init(&c->parser);
	c->keep_alive = 1;
	c->send_err = NULL;
	hc_enter_state(c, HC_SEND);
	hc_arm(c, HC_T_SEND);
	hc_update_io(c);
	hc_drive(c);
}

static struct hc_conn *
hc_new(struct hc_pool *p, struct http_client_req *r)
{
	struct http_client *cl = p->cl;
	struct hc_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->pool = p;
	c->id = ++cl->next_id;
	nconn_init(&c->nc, cl->loop, hc_io, c);
	c->state = HC_RESOLVING;
	buf_init(&c->in);
	buf_init(&c->out);
	c->req = r;
	r->state = HC_R_ACTIVE;
	r->conn = c;
	c->next = p->conns;
	if (p->conns != NULL)
		p->conns->prev = c;
	p->conns = c;
	p->nconns++;
	cl->st.open++;
	cl->st.connections++;
	hc_arm(c, HC_T_CONNECT);
	log_trace("http client: conn %u to %s:%d", c->id, p->host, p->port);
	http_client_resolve(
	    &c->nc, cl->resolver, cl->resolver_arg, p->host, hc_connect_next);
	return c;
}

/* ---- sending ---- */

/* Moves source bytes into c->out (chunk-framed when the length is
 * unknown).  Returns 0, or -1 when the source failed. */
static int
hc_fill(struct hc_conn *c)
{
	struct http_client_req *r = c->req;
	size_t want, hdr;
	int64_t n;
	char line[24];

	while (r->has_src && !r->src_eof && !r->src_wait &&
	    c->out.len - c->out_off < HC_OUT_CHUNK) {
		want = HC_OUT_CHUNK;
		if (!r->src_chunked) {
			if (r->src_pos >= (uint64_t)r->src.length) {
				r->src_eof = 1;
				break;
			}
			if (want > (uint64_t)r->src.length - r->src_pos)
				want = (size_t)((uint64_t)r->src.length -
				    r->src_pos);
		}
		hdr = r->src_chunked ? 12 : 0; /* room for "%x\r\n" */
		if (buf_reserve(&c->out, hdr + want + 2) == -1)
			return -1;
		n = r->src.read(r->src.arg, c->out.data + c->out.len + hdr,
		    want, r->src_pos);
		if (n == HTTP_CLIENT_SOURCE_AGAIN) {
			r->src_wait = 1;
			hc_arm(c, 0);
			break;
		}
		if (n < 0 || (size_t)n > want || (n == 0 && !r->src_chunked)) {
			c->err = "the request body source failed";
			return -1;
		}
		if (n == 0) {
			if (buf_append_str(&c->out, "0\r\n\r\n") == -1)
				return -1;
			r->src_eof = 1;
			break;
		}
		r->src_pos += (uint64_t)n;
		if (!r->src_chunked) {
			c->out.len += (size_t)n;
			continue;
		}
		/* Frame in place: size line before the data, CRLF after. */
		snprintf(line, sizeof(line), "%llx\r\n", (unsigned long long)n);
		memmove(c->out.data + c->out.len + strlen(line),
		    c->out.data + c->out.len + hdr, (size_t)n);
		memcpy(c->out.data + c->out.len, line, strlen(line));
		c->out.len += strlen(line) + (size_t)n;
		c->out.data[c->out.len++] = '\r';
		c->out.data[c->out.len++] = '\n';
	}
	return 0;
}

/*
 * Writing the request failed with errno e.  A server may answer early
 * (413, 403) and close without reading the rest of the body: the write
 * then fails with EPIPE or ECONNRESET while the answer already waits in
 * the receive buffer, and RFC 9112 §9.3 lets the client take it.  So stop
 * sending and read; if no response byte comes, the request fails with the
 * write error.  Over TLS a failed write ends the session (OpenSSL allows
 * no further I/O), so it fails at once.  Returns 0 when the response is
 * still to be read, -1 when c was closed.
 */
static int
hc_send_failed(struct hc_conn *c, int e)
{
	struct http_client_req *r = c->req;

	c->err = c->nc.err;
	if (c->nc.tls != NULL || (e != EPIPE && e != ECONNRESET)) {
		hc_close(c);
		return -1;
	}
	log_debug("http client: conn %u %s:%d: sending stopped (%s); "
		  "reading the response",
	    c->id, c->pool->host, c->pool->port, c->err);
	/* Copied: a later strerror() may reuse its buffer. */
	snprintf(c->errbuf, sizeof(c->errbuf), "%s", c->err);
	c->send_err = c->errbuf;
	c->err = NULL;
	r->send_done = 1;
	c->keep_alive = 0;
	hc_enter_state(c, HC_HEAD);
	hc_arm(c, HC_T_REQUEST);
	return 0;
}

/* Writes what can be written.  Returns 0, or -1 when c was closed. */
static int
hc_flush(struct hc_conn *c)
{
	struct http_client_req *r = c->req;
	int progressed = 0;
	ssize_t n;

	while (c->state == HC_SEND && r != NULL && !r->send_done) {
		if (r->wire_off < r->wire.len) {
			n = nconn_write(&c->nc, r->wire.data + r->wire_off,
			    r->wire.len - r->wire_off);
			if (n == -1)
				break;
			if (n < 0) {
				if (hc_send_failed(c, errno) == -1)
					return -1;
				break;
			}
			r->wire_off += (size_t)n;
			progressed = 1;
			continue;
		}
		if (hc_fill(c) == -1) {
			hc_fail(c, "the request body source failed");
			return -1;
		}
		if (c->out_off < c->out.len) {
			n = nconn_write(&c->nc, c->out.data + c->out_off,
			    c->out.len - c->out_off);
			if (n == -1)
				break;
			if (n < 0) {
				if (hc_send_failed(c, errno) == -1)
					return -1;
				break;
			}
			c->out_off += (size_t)n;
			if (c->out_off == c->out.len) {
				buf_reset(&c->out);
				c->out_off = 0;
			}
			progressed = 1;
			continue;
		}
		if (r->has_src && !r->src_eof)
			break; /* the source waits */
		r->send_done = 1;
		hc_enter_state(c, HC_HEAD);
		hc_arm(c, HC_T_REQUEST);
	}
	if (progressed && c->state == HC_SEND)
		hc_arm(c, HC_T_SEND);
	hc_update_io(c);
	return 0;
}

/* ---- receiving ---- */

/* The response is complete: the connection goes back to the pool or
 * closes; then the caller hears of it. */
static void
hc_response_done(struct hc_conn *c, int ok, const char *err)
{
	struct http_client_req *r = c->req;
	struct hc_pool *p = c->pool;

	c->req = NULL;
	if (r != NULL)
		r->conn = NULL;
	if (ok && c->keep_alive && r != NULL && r->send_done &&
	    c->in.len == 0 && !p->cl->freed) {
		hc_enter_state(c, HC_IDLE);
		hc_arm(c, HC_T_IDLE);
		hc_update_io(c);
		pool_kick(p);
	} else {
		c->err = ok ? "done" : err;
		hc_close(c);
	}
	if (r != NULL)
		req_end(r, 1, ok, err);
}

/* Delivers body bytes from c->in.  Returns 0, or -1 when c is no longer
 * reading a body (done, failed, closed). */
static int
hc_feed_body(struct hc_conn *c)
{
	struct http_client_req *r = c->req;
	size_t off = 0, n, doff, dlen;
	const char *err;
	int rc;

	while (c->state == HC_BODY) {
		if (c->body_kind == H1_BODY_NONE ||
		    (c->body_kind == H1_BODY_LENGTH && c->body_left == 0)) {
			buf_consume(&c->in, off);
			hc_response_done(c, 1, NULL);
			return -1;
		}
		if (c->body_kind == H1_BODY_CHUNKED &&
		    h1_chunked_done(&c->ch)) {
			buf_consume(&c->in, off);
			hc_response_done(c, 1, NULL);
			return -1;
		}
		if (off == c->in.len)
			break;
		if (c->body_kind == H1_BODY_CHUNKED) {
			rc = h1_chunked_decode(&c->ch, c->in.data + off,
			    c->in.len - off, &doff, &dlen, &err);
			if (rc < 0) {
				c->keep_alive = 0;
				hc_response_done(c, 0, err);
				return -1;
			}
			doff += off;
			off += (size_t)rc;
		} else {
			n = c->in.len - off;
			if (c->body_kind == H1_BODY_LENGTH && n > c->body_left)
				n = (size_t)c->body_left;
			doff = off;
			dlen = n;
			off += n;
			if (c->body_kind == H1_BODY_LENGTH)
				c->body_left -= n;
		}
		if (dlen > 0 && r->on_data != NULL &&
		    r->on_data(r, c->in.data + doff, dlen, r->arg) == -1) {
			if (c->state != HC_DEAD && c->req == r) {
				c->keep_alive = 0;
				hc_response_done(c, 0, "aborted by the caller");
			}
			return -1;
		}
		if (c->state != HC_BODY || c->req != r)
			return -1;
	}
	buf_consume(&c->in, off);
	return 0;
}

/* Parses the head in c->in.  Returns 0, or -1 when c changed state. */
static int
hc_parse_head(struct hc_conn *c)
{
	struct http_client_req *r = c->req;
	struct http_client_response info;
	const char *err = NULL;
	int rc;

	for (;;) {
		rc = h1_parse_response(
		    &c->parser, c->in.data, c->in.len, &c->resp, &err);
		if (rc == FAB_INCOMPLETE)
			return 0;
		if (rc < 0) {
			c->keep_alive = 0;
			hc_response_done(c, 0, err);
			return -1;
		}
		if (c->resp.status >= 100 && c->resp.status < 200) {
			if (c->resp.status == 101) {
				c->keep_alive = 0;
				hc_response_done(
				    c, 0, "unexpected 101 Switching Protocols");
				return -1;
			}
			/* Interim response (RFC 9110 §15.2): skip it. */
			buf_consume(&c->in, (size_t)rc);
			h1_parser_init(&c->parser);
			continue;
		}
		break;
	}
	if (c->state == HC_SEND) {
		/* An early response: stop sending (RFC 9112 §9.3). */
		r->send_done = 1;
		c->keep_alive = 0;
	}
	hc_enter_state(c, HC_BODY);
	c->keep_alive = c->keep_alive && c->resp.keep_alive;
	c->body_kind = h1_response_body(&c->resp, r->is_head);
	c->body_left = 0;
	if (c->body_kind == H1_BODY_LENGTH)
		c->body_left = (uint64_t)c->resp.content_length;
	else if (c->body_kind == H1_BODY_CHUNKED)
		h1_chunked_init(&c->ch);
	else if (c->body_kind == H1_BODY_CLOSE)
		c->keep_alive = 0;
	hc_arm(c, HC_T_BODY);
	memset(&info, 0, sizeof(info));
	info.status = c->resp.status;
	info.h = &c->resp;
	info.content_length = c->body_kind == H1_BODY_LENGTH
	    ? c->resp.content_length
	    : c->body_kind == H1_BODY_NONE ? 0
					   : -1;
	info.conn_id = c->id;
	info.reused = c->nrequests > 1;
	if (r->on_head != NULL && r->on_head(r, &info, r->arg) == -1) {
		if (c->state != HC_DEAD && c->req == r) {
			c->keep_alive = 0;
			hc_response_done(c, 0, "aborted by the caller");
		}
		return -1;
	}
	if (c->state != HC_BODY || c->req != r)
		return -1;
	buf_consume(&c->in, (size_t)rc);
	hc_update_io(c);
	return hc_feed_body(c);
}

static void hc_read_deferred(struct loop *, void *);

/* Reads what is there and hands it on.  Returns 0, or -1 if c closed. */
static int
hc_readable(struct hc_conn *c)
{
	struct http_client_req *r;
	ssize_t n;
	int i;

	for (i = 0; i < HC_READS_PER_PASS; i++) {
		if (c->state != HC_IDLE && c->state != HC_SEND &&
		    c->state != HC_HEAD && c->state != HC_BODY)
			return 0;
		r = c->req;
		if (c->state == HC_BODY && c->in.len >= HC_READ_CHUNK * 4)
			return 0;
		if (c->state != HC_BODY &&
		    c->in.len > H1_MAX_HEAD + HC_READ_CHUNK) {
			hc_fail(c, "response head too large");
			return -1;
		}
		if (buf_reserve(&c->in, HC_READ_CHUNK) == -1) {
			hc_fail(c, "out of memory");
			return -1;
		}
		n = nconn_read(&c->nc, c->in.data + c->in.len, HC_READ_CHUNK);
		if (c->nc.tls_read_wants_write)
			hc_update_io(c);
		if (n == -1)
			return 0;
		if (n == -2 || n == 0) {
			if (c->state == HC_BODY &&
			    c->body_kind == H1_BODY_CLOSE && n == 0) {
				hc_response_done(c, 1, NULL);
				return -1;
			}
			if (c->state == HC_BODY && n == 0)
				c->err = "connection closed in the body";
			else if (n == 0)
				c->err = c->state == HC_IDLE
				    ? "closed by the server"
				    : "connection closed before the response";
			else
				c->err = c->nc.err;
			if (c->send_err != NULL && r != NULL &&
			    !r->got_response)
				c->err = c->send_err;
			hc_close(c);
			return -1;
		}
		c->in.len += (size_t)n;
		c->in.data[c->in.len] = '\0';
		if (c->state == HC_IDLE) {
			hc_fail(c, "unsolicited data on an idle connection");
			return -1;
		}
		r->got_response = 1;
		if (c->state == HC_BODY) {
			hc_arm(c, HC_T_BODY);
			if (hc_feed_body(c) == -1)
				return -1;
		} else if (hc_parse_head(c) == -1)
			return -1;
	}
	/* Budget used up: poll() may not see what OpenSSL holds. */
	if (nconn_pending(&c->nc) > 0 && !c->read_queued) {
		if (loop_defer(c->pool->cl->loop, hc_read_deferred, c) == 0)
			c->read_queued = 1;
	}
	return 0;
}

static void
hc_read_deferred(struct loop *l, void *arg)
{
	struct hc_conn *c = arg;

	c->read_queued = 0;
	if (c->state != HC_DEAD)
		hc_drive(c);
}

/* Makes whatever progress the state allows. */
static void
hc_drive(struct hc_conn *c)
{
	if (c->state == HC_SEND && hc_flush(c) == -1)
		return;
	if (c->state == HC_DEAD)
		return;
	(void)hc_readable(c);
}

static void
hc_io(struct loop *l, int fd, int events, void *arg)
{
	struct hc_conn *c = arg;

	switch (c->state) {
	case HC_CONNECTING:
		hc_connected(c);
		if (c->state != HC_HANDSHAKE && c->state != HC_IDLE)
			return;
		if (c->state == HC_IDLE)
			break;
		/* FALLTHROUGH */
	case HC_HANDSHAKE:
		hc_handshake(c);
		if (c->state != HC_IDLE)
			return;
		break;
	default:
		hc_drive(c);
		return;
	}
	/* Connected: the request that opened the connection goes out. */
	if (c->req != NULL)
		hc_start_request(c, c->req);
	else {
		hc_arm(c, HC_T_IDLE);
		hc_update_io(c);
		pool_kick(c->pool);
	}
}

/* ---- pools ---- */

static void
pool_dispatch(struct loop *l, void *arg)
{
	struct hc_pool *p = arg;
	struct http_client *cl = p->cl;
	struct http_client_req *r;
	struct hc_conn *c, *idle;

	p->dispatch_queued = 0;
	cl->defers--;
	while (!cl->freed && (r = p->qhead) != NULL) {
		idle = NULL;
		for (c = p->conns; c != NULL; c = c->next)
			if (c->state == HC_IDLE && c->req == NULL) {
				idle = c;
				break;
			}
		if (idle == NULL && p->nconns >= cl->opts.max_per_host)
			break;
		p->qhead = r->qnext;
		if (p->qhead == NULL)
			p->qtail = NULL;
		r->qnext = NULL;
		if (idle != NULL)
			hc_start_request(idle, r);
		else if (hc_new(p, r) == NULL)
			req_end(r, 1, 0, "out of memory");
	}
}

static void
pool_kick(struct hc_pool *p)
{
	if (p->dispatch_queued || p->qhead == NULL || p->cl->freed)
		return;
	if (loop_defer(p->cl->loop, pool_dispatch, p) == 0) {
		p->dispatch_queued = 1;
		p->cl->defers++;
	}
}

static struct hc_pool *
pool_get(struct http_client *cl, const char *host, int port, int tls)
{
	struct hc_pool *p;

	for (p = cl->pools; p != NULL; p = p->next)
		if (p->port == port && p->tls == tls &&
		    strcasecmp(p->host, host) == 0)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if ((p->host = strdup(host)) == NULL) {
		free(p);
		return NULL;
	}
	p->cl = cl;
	p->port = port;
	p->tls = tls;
	p->next = cl->pools;
	cl->pools = p;
	return p;
}

/* ---- the default resolver ---- */

static int
hc_parse_addr(const char *s, struct http_client_addr *a)
{
	return nconn_parse_ip(s, &a->ss, &a->len);
}

size_t
http_client_hosts_lookup(const char *path, const char *host,
    struct http_client_addr *out, size_t max)
{
	FILE *f;
	char line[1024], *p, *addr, *name, *save = NULL;
	size_t n = 0;

	if (max == 0)
		return 0;
	if (hc_parse_addr(host, &out[0]) == 0)
		return 1;
	if (path == NULL)
		path = "/etc/hosts";
	if ((f = fopen(path, "r")) != NULL) {
		while (n < max && fgets(line, sizeof(line), f) != NULL) {
			if ((p = strchr(line, '#')) != NULL)
				*p = '\0';
			if ((addr = strtok_r(line, " \t\r\n", &save)) == NULL)
				continue;
			while (
			    (name = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
				if (strcasecmp(name, host) != 0)
					continue;
				if (hc_parse_addr(addr, &out[n]) == 0)
					n++;
				break;
			}
		}
		fclose(f);
	}
	if (n == 0 && strcasecmp(host, "localhost") == 0) {
		/* RFC 6761 §6.3: localhost is the loopback address. */
		(void)hc_parse_addr("127.0.0.1", &out[n++]);
		if (n < max)
			(void)hc_parse_addr("::1", &out[n++]);
	}
	return n;
}

void
http_client_default_resolver(
    void *arg, const char *host, http_client_resolved_cb *done, void *done_arg)
{
	struct http_client_addr addrs[HTTP_CLIENT_MAX_ADDRS];
	size_t n;

	n = http_client_hosts_lookup(NULL, host, addrs, HTTP_CLIENT_MAX_ADDRS);
	done(done_arg, addrs, n,
	    n == 0 ? "host not found (numeric hosts and /etc/hosts only)"
		   : NULL);
}

/* The resolver answered for an nconn_resolve handle. */
static void
hc_resolve_done(
    void *arg, const struct http_client_addr *addrs, size_t n, const char *err)
{
	struct nconn *nc = nconn_resolve_conn(arg);
	size_t i;

	for (i = 0; nc != NULL && i < n; i++)
		nconn_add_addr(nc, &addrs[i].ss, addrs[i].len);
	if (n == 0 && err == NULL)
		err = "cannot resolve the host";
	nconn_resolve_end(arg, n > 0 ? NULL : err);
}

void
http_client_resolve(struct nconn *nc, http_client_resolver *fn, void *arg,
    const char *host, nconn_step_cb *done)
{
	struct nconn_resolve *res = nconn_resolve_start(nc, host, done);

	if (res != NULL)
		fn(arg, host, hc_resolve_done, res);
}

/* ---- public API ---- */

struct http_client *
http_client_new(struct loop *l, const struct http_client_opts *opts, char *err,
    size_t errlen)
{
	struct http_client *cl;

	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cl->loop = l;
	if (opts != NULL)
		cl->opts = *opts;
	if (cl->opts.max_per_host == 0)
		cl->opts.max_per_host = 8;
	if (cl->opts.connect_timeout_ms == 0)
		cl->opts.connect_timeout_ms = 10000;
	if (cl->opts.request_timeout_ms == 0)
		cl->opts.request_timeout_ms = 30000;
	if (cl->opts.body_timeout_ms == 0)
		cl->opts.body_timeout_ms = 30000;
	if (cl->opts.idle_timeout_ms == 0)
		cl->opts.idle_timeout_ms = 30000;
	cl->opts.tls_ca_file = NULL;
	cl->tls_ctx = nconn_tls_ctx_new(opts != NULL ? opts->tls_ca_file : NULL,
	    opts == NULL || !opts->tls_no_verify, NULL, err, errlen);
	if (cl->tls_ctx == NULL) {
		free(cl);
		return NULL;
	}
	cl->resolver = http_client_default_resolver;
	return cl;
}

static void
http_client_free_deferred(struct loop *l, void *arg)
{
	struct http_client *cl = arg;
	struct hc_pool *p;

	if (cl->defers > 0) {
		/* Connections, requests or dispatches still queued. */
		if (loop_defer(l, http_client_free_deferred, cl) == 0)
			return;
	}
	while ((p = cl->pools) != NULL) {
		cl->pools = p->next;
		free(p->host);
		free(p);
	}
	ftls_ctx_free(cl->tls_ctx);
	free(cl);
}

void
http_client_free(struct http_client *cl)
{
	struct hc_pool *p;
	struct http_client_req *r;

	if (cl == NULL || cl->freed)
		return;
	cl->freed = 1;
	for (p = cl->pools; p != NULL; p = p->next) {
		while ((r = p->qhead) != NULL) {
			p->qhead = r->qnext;
			req_end(r, 0, 0, "cancelled");
		}
		p->qtail = NULL;
		while (p->conns != NULL) {
			if (p->conns->req != NULL) {
				r = p->conns->req;
				p->conns->req = NULL;
				req_end(r, 0, 0, "cancelled");
			}
			hc_close(p->conns);
		}
	}
	if (loop_defer(cl->loop, http_client_free_deferred, cl) == -1)
		log_error("http client: cannot defer a free; leaking it");
}

void
http_client_set_resolver(
    struct http_client *cl, http_client_resolver *fn, void *arg)
{
	cl->resolver = fn != NULL ? fn : http_client_default_resolver;
	cl->resolver_arg = fn != NULL ? arg : NULL;
}

static int
hc_is_token(const char *s)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || strchr(tchar, *s) != NULL))
			return 0;
	return 1;
}

static int
hc_is_field_value(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

enum http_client_authority_error
http_client_split_authority(
    const char *auth, const char *end, char *host, size_t hostlen, int *port)
{
	const char *p, *colon = NULL, *h, *hend;
	size_t i, len;
	long v;

	if (*auth == '[') {
		h = auth + 1;
		if ((hend = memchr(h, ']', (size_t)(end - h))) == NULL)
			return HTTP_CLIENT_AUTHORITY_IPV6;
		p = hend + 1;
		if (p < end && *p != ':')
			return HTTP_CLIENT_AUTHORITY_SYNTAX;
		if (p < end)
			colon = p;
	} else {
		h = auth;
		colon = memchr(auth, ':', (size_t)(end - auth));
		hend = colon != NULL ? colon : end;
	}
	len = (size_t)(hend - h);
	if (len == 0 || len >= hostlen)
		return HTTP_CLIENT_AUTHORITY_HOST;
	for (i = 0; i < len; i++)
		if ((unsigned char)h[i] <= 0x20 ||
		    (unsigned char)h[i] >= 0x7f || h[i] == '@')
			return HTTP_CLIENT_AUTHORITY_HOST;
	memcpy(host, h, len);
	host[len] = '\0';
	if (colon != NULL) {
		v = 0;
		for (p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9' || v > 65535)
				return HTTP_CLIENT_AUTHORITY_PORT;
			v = v * 10 + (*p - '0');
		}
		if (p == colon + 1 || v < 1 || v > 65535)
			return HTTP_CLIENT_AUTHORITY_PORT;
		*port = (int)v;
	}
	return HTTP_CLIENT_AUTHORITY_OK;
}

/* Splits an http(s) URL.  host gets the name without brackets. */
static const char *
hc_parse_url(const char *url, int *tls, char *host, size_t hostlen, int *port,
    const char **target, size_t *target_len)
{
	static const char *const authority_errors[] = {
		[HTTP_CLIENT_AUTHORITY_IPV6] = "bad IPv6 address in URL",
		[HTTP_CLIENT_AUTHORITY_SYNTAX] = "bad URL authority",
		[HTTP_CLIENT_AUTHORITY_HOST] = "bad host in URL",
		[HTTP_CLIENT_AUTHORITY_PORT] = "bad port in URL",
	};
	const char *auth, *end;
	enum http_client_authority_error ae;
	size_t i;

	*target = NULL;
	*target_len = 0;
	if (strlen(url) > HTTP_CLIENT_MAX_URL)
		return "URL too long";
	if (strncasecmp(url, "http://", 7) == 0) {
		*tls = 0;
		*port = 80;
		auth = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		*tls = 1;
		*port = 443;
		auth = url + 8;
	} else
		return "URL scheme is not http:// or https://";
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return "user info in URLs is not supported";
	ae = http_client_split_authority(auth, end, host, hostlen, port);
	if (ae != HTTP_CLIENT_AUTHORITY_OK)
		return authority_errors[ae];
	*target = end;
	*target_len = strcspn(end, "#");
	for (i = 0; i < *target_len; i++)
		if ((unsigned char)end[i] <= 0x20 ||
		    (unsigned char)end[i] >= 0x7f)
			return "URL path holds a space, control or non-ASCII "
			       "byte";
	return NULL;
}

/* Serialises the request head (and a buffered body) into r->wire. */
static const char *
hc_build(struct http_client_req *r, const struct http_client_request *d,
    const char *host, int port, int tls, const char *target, size_t target_len)
{
	size_t i;
	int has_host = 0, rc, v6 = strchr(host, ':') != NULL;

	rc = buf_printf(&r->wire, "%s %s%.*s HTTP/1.1\r\n", d->method,
	    target_len == 0 || *target == '?' ? "/" : "", (int)target_len,
	    target);
	for (i = 0; rc == 0 && i < d->nheaders; i++) {
		const struct http_client_header *h = &d->headers[i];
		if (h->name == NULL || h->value == NULL ||
		    !hc_is_token(h->name) || !hc_is_field_value(h->value))
			return "bad request header";
		if (strcasecmp(h->name, "Content-Length") == 0 ||
		    strcasecmp(h->name, "Transfer-Encoding") == 0)
			return "Content-Length and Transfer-Encoding are "
			       "set by the client";
		if (strcasecmp(h->name, "Host") == 0)
			has_host = 1;
		rc = buf_printf(&r->wire, "%s: %s\r\n", h->name, h->value);
	}
	if (rc == 0 && !has_host) {
		if (port == (tls ? 443 : 80))
			rc = buf_printf(&r->wire, "Host: %s%s%s\r\n",
			    v6 ? "[" : "", host, v6 ? "]" : "");
		else
			rc = buf_printf(&r->wire, "Host: %s%s%s:%d\r\n",
			    v6 ? "[" : "", host, v6 ? "]" : "", port);
	}
	if (rc == 0 && r->has_src && r->src_chunked)
		rc = buf_append_str(&r->wire, "Transfer-Encoding: chunked\r\n");
	else if (rc == 0 && r->has_src)
		rc = buf_printf(
		    &r->wire, "Content-Length: %lld\r\n", r->src.length);
	else if (rc == 0 &&
	    (d->body != NULL || strcmp(d->method, "POST") == 0 ||
		strcmp(d->method, "PUT") == 0 ||
		strcmp(d->method, "PATCH") == 0))
		rc = buf_printf(&r->wire, "Content-Length: %zu\r\n",
		    d->body != NULL ? d->body_len : 0);
	if (rc == 0)
		rc = buf_append(&r->wire, "\r\n", 2);
	if (rc == 0 && d->body != NULL && d->body_len > 0)
		rc = buf_append(&r->wire, d->body, d->body_len);
	return rc == 0 ? NULL : "out of memory";
}

struct http_client_req *
http_client_request(struct http_client *cl, const struct http_client_request *d,
    const char **err)
{
	struct http_client_req *r = NULL;
	struct hc_pool *p;
	char host[256];
	const char *target, *e;
	size_t target_len;
	int tls, port;

	*err = NULL;
	if (cl->freed) {
		*err = "client is shut down";
		return NULL;
	}
	if (d->method == NULL || !hc_is_token(d->method)) {
		*err = "bad method";
		return NULL;
	}
	if (d->body != NULL && d->source != NULL) {
		*err = "a body and a source at once";
		return NULL;
	}
	if (d->source != NULL &&
	    (d->source->read == NULL || d->source->length < -1)) {
		*err = "bad body source";
		return NULL;
	}
	if ((e = hc_parse_url(d->url, &tls, host, sizeof(host), &port, &target,
		 &target_len)) != NULL) {
		*err = e;
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	r->cl = cl;
	buf_init(&r->wire);
	if (d->source != NULL) {
		r->src = *d->source;
		r->has_src = 1;
		r->src_chunked = d->source->length == -1;
	}
	r->is_head = strcmp(d->method, "HEAD") == 0;
	r->on_head = d->on_head;
	r->on_data = d->on_data;
	r->on_done = d->on_done;
	r->arg = d->arg;
	if ((e = hc_build(r, d, host, port, tls, target, target_len)) != NULL)
		goto fail;
	if ((p = pool_get(cl, host, port, tls)) == NULL) {
		e = "out of memory";
		goto fail;
	}
	r->pool = p;
	r->state = HC_R_QUEUED;
	if (p->qtail != NULL)
		p->qtail->qnext = r;
	else
		p->qhead = r;
	p->qtail = r;
	pool_kick(p);
	return r;
fail:
	/* The source stays the caller's: it was never accepted. */
	buf_release(&r->wire);
	free(r);
	*err = e;
	return NULL;
}

void
http_client_cancel(struct http_client_req *r)
{
	struct hc_conn *c = r->conn;

	if (r->state == HC_R_DONE)
		return;
	if (r->state == HC_R_QUEUED)
		pool_unqueue(r->pool, r);
	if (c != NULL) {
		c->req = NULL;
		c->err = "cancelled";
		hc_close(c);
	}
	req_end(r, 0, 0, "cancelled");
}

void
http_client_resume(struct http_client_req *r)
{
	struct hc_conn *c = r->conn;

	if (r->state != HC_R_ACTIVE || !r->src_wait)
		return;
	r->src_wait = 0;
	if (c != NULL && c->state == HC_SEND) {
		hc_arm(c, HC_T_SEND);
		hc_update_io(c);
	}
}

void
http_client_get_stats(
    const struct http_client *cl, struct http_client_stats *st)
{
	*st = cl->st;
}
