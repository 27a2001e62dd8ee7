/*
 * HTTP/1.1 server connections (RFC 9112).  Untrusted input: everything a
 * client sends.  Request heads are bounded by H1_MAX_HEAD, bodies by
 * max_body (413, before the body when the length is declared), and every
 * phase has a timeout, so a slow or hostile client holds a slot for a
 * bounded time.  The connection lifecycle is the enum conn_state; a
 * connection is freed from a deferred callback, never inside its own.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include "base/clock.h"
#include "base/log.h"
#include "http/h1.h"
#include "http/server.h"
#include "net/sock.h"

#define CONN_READ_CHUNK 16384
/* Lingering close: discard at most this much, for at most this long. */
#define CONN_LINGER_BYTES (4 * 1024 * 1024)
#define CONN_LINGER_MS 2000
#define CONN_OUT_CHUNK (128 * 1024)
/* Smallest run of a body (but its end) handed to a handler at once. */
#define CONN_BODY_BATCH (64 * 1024)

enum conn_state {
	CONN_HEAD, /* reading a request head (or idle between requests) */
	CONN_HANDLER, /* the handler owns the request (may read its body) */
	CONN_WRITE, /* sending the response */
	CONN_LINGER, /* response sent, discarding an unread body, then close */
	CONN_DEAD, /* closed; freed after the dispatch pass */
};

enum body_state {
	BODY_NONE, /* the request has no body */
	BODY_PENDING, /* a body the handler has not asked for yet */
	BODY_READING,
	BODY_DONE,
	BODY_STOPPED, /* the handler stopped reading it */
	BODY_FAILED, /* malformed or too large */
};

struct conn;

struct http_req {
	struct conn *c;
	struct h1_request h;
	struct span path, query;
	int is_head;
	enum body_state body;
	uint64_t body_left; /* Content-Length bodies */
	uint64_t body_seen;
	int chunked;
	struct h1_chunked ch;
	http_body_cb *data_cb;
	http_body_end_cb *end_cb;
	void *body_arg;
	http_abort_cb *abort_cb;
	void *abort_arg;
	void *data;
	struct buf extra;
	int replied;
	int status;
	struct http_source src;
	int has_src;
	uint64_t src_len, src_pos;
	int src_wait;
	int tag;
	int pass; /* times the handler was re-run (http_req_set_pass) */
	uint64_t start_us;
	int body_error; /* status for a failed body: 400 or 413 */
	int has_sf; /* body goes out by sendfile from sf_fd */
	int sf_fd;
	uint64_t sf_off;
};

struct conn {
	struct http_server *srv;
	int fd;
	enum conn_state state;
	struct buf in;
	size_t head_len; /* bytes of the current head in `in` */
	size_t in_off; /* next unconsumed byte (after the head) */
	/* Body bytes read after the head: kept apart from `in` so the head,
	 * which the handler's spans point into, never moves. */
	struct buf bbuf;
	size_t boff;
	struct buf out;
	size_t out_off;
	struct h1_parser parser;
	struct http_req req;
	struct loop_timer *timer;
	int timer_off; /* timer disarmed (conn_arm(c, 0)) */
	int keep_alive;
	int linger; /* close only after draining what the client sends */
	size_t linger_left;
	int events;
	int parse_queued;
	char peer[64];
	struct conn *prev, *next;
};

struct http_server {
	struct loop *loop;
	int lfd;
	int accepting;
	int draining;
	char *name;
	struct http_limits lim;
	http_handler *handler;
	void *arg;
	http_done_cb *done_cb;
	struct conn *conns;
	unsigned nconns;
};

static void conn_io(struct loop *, int, int, void *);
static void conn_close(struct conn *);
static void conn_flush(struct conn *);
static void conn_parse(struct conn *);
static void conn_feed_body(struct conn *);
static void conn_update_io(struct conn *);
static void conn_linger(struct conn *);
static int conn_sendfile_pending(const struct conn *);

static const struct {
	int code;
	const char *reason;
} http_reasons[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 206, "Partial Content" },
	{ 207, "Multi-Status" },
	{ 301, "Moved Permanently" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 412, "Precondition Failed" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" },
	{ 417, "Expectation Failed" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
	{ 507, "Insufficient Storage" },
};

const char *
http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
		if (http_reasons[i].code == status)
			return http_reasons[i].reason;
	return "Unknown";
}

/* The Date header value, refreshed once a second. */
static const char *
http_date(void)
{
	static char date[40];
	static int64_t last;
	int64_t now = clock_wall();

	if (now != last) {
		clock_format_http(now, date, sizeof(date));
		last = now;
	}
	return date;
}

/* Answers a request the parser (or the clock) refused, then closes. */
static void
conn_error_reply(struct conn *c, int status, const char *msg)
{
	struct http_req *r = &c->req;

	c->keep_alive = 0;
	r->c = c;
	r->replied = 0;
	r->is_head = 0;
	r->has_src = 0;
	r->body = BODY_NONE;
	r->h.minor = 1;
	r->start_us = 0;
	buf_reset(&r->extra);
	c->state = CONN_HANDLER;
	http_reply_text(r, status, msg);
}

static void
conn_timeout(struct loop *l, void *arg)
{
	struct conn *c = arg;

	c->timer = NULL;
	if (c->timer_off)
		return;
	if (c->state == CONN_HEAD && c->in.len > 0 && c->srv->accepting) {
		/* Slow head: answer 408 and close (RFC 9110 §15.5.9). */
		log_debug(
		    "%s: %s: request head timeout", c->srv->name, c->peer);
		conn_error_reply(c, 408, "request head timeout");
		return;
	}
	log_debug("%s: %s: %s timeout", c->srv->name, c->peer,
	    c->state == CONN_HEAD ? "idle" : "transfer");
	conn_close(c);
}

/* Arms the phase timeout, or with ms == 0 disarms it.  A disarmed timer
 * stays queued and is ignored if it fires: the next phase re-arms it
 * (usually to a later time, which the loop does without heap work)
 * instead of freeing one timer and allocating another per request. */
static void
conn_arm(struct conn *c, uint64_t ms)
{
	struct loop *l = c->srv->loop;

	if (ms == 0) {
		c->timer_off = 1;
		return;
	}
	c->timer_off = 0;
	if (c->timer != NULL)
		loop_timer_reset(l, c->timer, ms);
	else
		c->timer = loop_timer_add(l, ms, conn_timeout, c);
}

static void
conn_disarm(struct conn *c)
{
	if (c->timer != NULL)
		loop_timer_cancel(c->srv->loop, c->timer);
	c->timer = NULL;
}

static void
conn_free_deferred(struct loop *l, void *arg)
{
	struct conn *c = arg;

	buf_release(&c->in);
	buf_release(&c->bbuf);
	buf_release(&c->out);
	buf_release(&c->req.extra);
	free(c);
}

static void
req_release_source(struct http_req *r, int ok)
{
	if (!r->has_src)
		return;
	r->has_src = 0;
	if (r->src.finish != NULL)
		r->src.finish(r->src.arg, ok);
	if (r->src.release != NULL)
		r->src.release(r->src.arg);
}

static void
conn_close(struct conn *c)
{
	struct http_server *s = c->srv;
	struct http_req *r = &c->req;

	if (c->state == CONN_DEAD)
		return;
	c->state = CONN_DEAD;
	if (!r->replied && r->c != NULL) {
		if (r->body == BODY_READING && r->end_cb != NULL) {
			r->body = BODY_FAILED;
			r->end_cb(r, 0, r->body_arg);
		}
		if (r->abort_cb != NULL)
			r->abort_cb(r, r->abort_arg);
	}
	req_release_source(r, 0);
	conn_disarm(c);
	loop_io_del(s->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	if (s->accepting && s->lfd != -1 && s->nconns < s->lim.max_conns)
		loop_io_set(s->loop, s->lfd, LOOP_READ);
	if (loop_defer(s->loop, conn_free_deferred, c) == -1)
		log_error("cannot defer a free; leaking one connection");
}

static void
conn_update_io(struct conn *c)
{
	int ev = 0;

	if (c->state == CONN_DEAD)
		return;
	if (c->state == CONN_HEAD || c->state == CONN_LINGER ||
	    (c->state == CONN_HANDLER && c->req.body == BODY_READING))
		ev |= LOOP_READ;
	if (c->out.len > c->out_off || conn_sendfile_pending(c))
		ev |= LOOP_WRITE;
	if (ev != c->events) {
		loop_io_set(c->srv->loop, c->fd, ev);
		c->events = ev;
	}
}

static void
srv_accept(struct loop *l, int lfd, int events, void *arg)
{
	struct http_server *s = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	struct conn *c;
	int fd, i;

	for (i = 0; i < 64; i++) {
		if (s->nconns >= s->lim.max_conns) {
			/* Full: stop accepting until a connection closes. */
			loop_io_set(l, lfd, 0);
			return;
		}
		fd = sock_accept(lfd, &ss, &len);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn(
				    "%s: accept: %s", s->name, strerror(errno));
			return;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			return;
		}
		c->srv = s;
		c->fd = fd;
		c->state = CONN_HEAD;
		c->events = LOOP_READ;
		buf_init(&c->in);
		buf_init(&c->bbuf);
		buf_init(&c->out);
		buf_init(&c->req.extra);
		h1_parser_init(&c->parser);
		sock_addr_str(&ss, c->peer, sizeof(c->peer));
		if (loop_io_add(l, fd, LOOP_READ, conn_io, c) == -1) {
			close(fd);
			free(c);
			return;
		}
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
		conn_arm(c, s->lim.idle_timeout_ms);
	}
}

struct http_server *
http_server_new(struct loop *l, int lfd, const char *name,
    const struct http_limits *lim, http_handler *h, void *arg)
{
	struct http_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->name = strdup(name)) == NULL) {
		free(s);
		return NULL;
	}
	s->loop = l;
	s->lfd = lfd;
	s->lim = *lim;
	if (s->lim.max_conns == 0)
		s->lim.max_conns = 1024;
	s->handler = h;
	s->arg = arg;
	s->accepting = 1;
	if (loop_io_add(l, lfd, LOOP_READ, srv_accept, s) == -1) {
		free(s->name);
		free(s);
		return NULL;
	}
	return s;
}

void
http_server_set_limits(struct http_server *s, const struct http_limits *lim)
{
	s->lim = *lim;
	if (s->lim.max_conns == 0)
		s->lim.max_conns = 1024;
}

void
http_server_drain(struct http_server *s)
{
	struct conn *c, *next;

	s->accepting = 0;
	s->draining = 1;
	if (s->lfd != -1) {
		loop_io_del(s->loop, s->lfd);
		close(s->lfd);
		s->lfd = -1;
	}
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		c->keep_alive = 0;
		if (c->state == CONN_HEAD && c->in.len == 0)
			conn_close(c);
	}
}

unsigned
http_server_conns(const struct http_server *s)
{
	return s->nconns;
}

void
http_server_free(struct http_server *s)
{
	if (s == NULL)
		return;
	http_server_drain(s);
	while (s->conns != NULL)
		conn_close(s->conns);
	free(s->name);
	free(s);
}

/* ---- reading ---- */

static int
conn_read(struct conn *c, struct buf *b, size_t limit, size_t chunk)
{
	ssize_t n;

	if (b->len >= limit)
		return 0;
	if (buf_reserve(b, chunk) == -1) {
		conn_close(c);
		return -1;
	}
	n = read(c->fd, b->data + b->len, b->cap - b->len - 1);
	if (n > 0) {
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		return 1;
	}
	if (n == 0 ||
	    (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		conn_close(c);
		return -1;
	}
	return 0;
}

/* Body bytes received and not yet consumed: first what came with the
 * head in `in`, then what was read into `bbuf`. */
static struct span
conn_pending(const struct conn *c)
{
	if (c->in_off < c->in.len)
		return span_make(c->in.data + c->in_off, c->in.len - c->in_off);
	return span_make(c->bbuf.data + c->boff, c->bbuf.len - c->boff);
}

static size_t
conn_pending_total(const struct conn *c)
{
	return (c->in.len - c->in_off) + (c->bbuf.len - c->boff);
}

/* Consumes n bytes of conn_pending(); the bytes stay readable until the
 * next read. */
static void
conn_consume(struct conn *c, size_t n)
{
	if (c->in_off < c->in.len) {
		c->in_off += n;
		return;
	}
	c->boff += n;
	if (c->boff == c->bbuf.len)
		c->bbuf.len = c->boff = 0;
}

static void
req_setup(struct conn *c)
{
	struct http_req *r = &c->req;
	const unsigned char *q;
	struct buf extra = r->extra;

	memset((char *)r + offsetof(struct http_req, path), 0,
	    sizeof(*r) - offsetof(struct http_req, path));
	r->extra = extra;
	buf_reset(&r->extra);
	r->c = c;
	r->path = r->h.target;
	r->query = span_make("", 0);
	q = memchr(r->h.target.p, '?', r->h.target.len);
	if (q != NULL) {
		r->path.len = (size_t)(q - r->h.target.p);
		r->query = span_make(q + 1, r->h.target.len - r->path.len - 1);
	}
	r->is_head = span_eq_str(r->h.method, "HEAD");
	if (r->h.chunked) {
		r->body = BODY_PENDING;
		r->chunked = 1;
		h1_chunked_init(&r->ch);
	} else if (r->h.content_length > 0) {
		r->body = BODY_PENDING;
		r->body_left = (uint64_t)r->h.content_length;
	} else {
		r->body = BODY_NONE;
	}
	c->keep_alive = r->h.keep_alive && !c->srv->draining;
}

static void
conn_parse(struct conn *c)
{
	struct http_req *r = &c->req;
	const char *err = NULL;
	int rc, status = 400;

	rc = h1_parse_request(
	    &c->parser, c->in.data, c->in.len, &r->h, &status, &err);
	if (rc == FAB_INCOMPLETE)
		return;
	if (rc < 0) {
		log_debug(
		    "%s: %s: bad request: %s", c->srv->name, c->peer, err);
		conn_error_reply(c, status, err);
		return;
	}
	c->head_len = (size_t)rc;
	c->in_off = c->head_len;
	c->state = CONN_HANDLER;
	req_setup(c);
	r->start_us = clock_mono_us();
	conn_arm(c, 0);
	if (r->h.content_length > 0 &&
	    (uint64_t)r->h.content_length > c->srv->lim.max_body) {
		/* Before the body (and before 100-continue), RFC 9110 §15.5.14. */
		c->keep_alive = 0;
		http_reply_text(r, 413, "request body too large");
		return;
	}
	conn_update_io(c);
	c->srv->handler(r, c->srv->arg);
}

static void
conn_parse_deferred(struct loop *l, void *arg)
{
	struct conn *c = arg;

	c->parse_queued = 0;
	if (c->state == CONN_HEAD && c->in.len > 0)
		conn_parse(c);
}

static void
conn_readable(struct conn *c)
{
	struct http_req *r = &c->req;
	unsigned char sink[16384];
	ssize_t n;
	int rc;

	if (c->state == CONN_LINGER) {
		while ((n = read(c->fd, sink, sizeof(sink))) > 0) {
			if ((size_t)n >= c->linger_left) {
				conn_close(c);
				return;
			}
			c->linger_left -= (size_t)n;
		}
		if (n == 0 ||
		    (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_close(c);
		return;
	}

	if (c->state == CONN_HEAD) {
		int was_empty = c->in.len == 0;
		rc = conn_read(c, &c->in, H1_MAX_HEAD + 1, CONN_READ_CHUNK);
		if (rc <= 0)
			return;
		if (was_empty)
			conn_arm(c, c->srv->lim.header_timeout_ms);
		conn_parse(c);
		return;
	}
	if (c->state == CONN_HANDLER && r->body == BODY_READING) {
		rc = conn_read(c, &c->bbuf, CONN_OUT_CHUNK, CONN_OUT_CHUNK);
		if (rc <= 0)
			return;
		conn_arm(c, c->srv->lim.body_timeout_ms);
		conn_feed_body(c);
	}
}

static void
body_finish(struct conn *c, int ok, int error_status)
{
	struct http_req *r = &c->req;

	r->body_error = error_status;
	r->body = ok ? BODY_DONE : BODY_FAILED;
	if (!ok)
		c->keep_alive = 0;
	conn_arm(c, 0);
	conn_update_io(c);
	if (r->end_cb != NULL)
		r->end_cb(r, ok, r->body_arg);
}

static void
conn_feed_body(struct conn *c)
{
	struct http_req *r = &c->req;
	struct span p;
	size_t n, off, dlen;
	const char *err;
	int rc;

	while (c->state == CONN_HANDLER && r->body == BODY_READING) {
		p = conn_pending(c);
		if (!r->chunked) {
			if (r->body_left == 0) {
				body_finish(c, 1, 0);
				return;
			}
			if (p.len == 0)
				return;
			/* Runs read from the socket are handed on in batches
			 * of at least CONN_BODY_BATCH (or the rest of the
			 * body): a handler writing to a file then makes one
			 * write per batch, not one per read. */
			if (c->in_off >= c->in.len && p.len < r->body_left &&
			    p.len < CONN_BODY_BATCH)
				return;
			n = p.len < r->body_left ? p.len : (size_t)r->body_left;
			r->body_left -= n;
			r->body_seen += n;
			conn_consume(c, n);
			if (r->data_cb(r, p.p, n, r->body_arg) == -1) {
				if (c->state != CONN_DEAD &&
				    r->body == BODY_READING)
					r->body = BODY_STOPPED;
				return;
			}
			continue;
		}
		if (h1_chunked_done(&r->ch)) {
			body_finish(c, 1, 0);
			return;
		}
		if (p.len == 0)
			return;
		rc = h1_chunked_decode(&r->ch, p.p, p.len, &off, &dlen, &err);
		if (rc < 0) {
			log_debug("%s: %s: bad chunked body: %s", c->srv->name,
			    c->peer, err);
			body_finish(c, 0, 400);
			return;
		}
		conn_consume(c, (size_t)rc);
		if (dlen == 0)
			continue;
		r->body_seen += dlen;
		if (r->body_seen > c->srv->lim.max_body) {
			body_finish(c, 0, 413);
			return;
		}
		if (r->data_cb(r, p.p + off, dlen, r->body_arg) == -1) {
			if (c->state != CONN_DEAD && r->body == BODY_READING)
				r->body = BODY_STOPPED;
			return;
		}
	}
}

static void
conn_io(struct loop *l, int fd, int events, void *arg)
{
	struct conn *c = arg;

	if (events & LOOP_WRITE) {
		conn_flush(c);
		if (c->state == CONN_DEAD)
			return;
	}
	if (events & LOOP_READ)
		conn_readable(c);
}

/* ---- request API ---- */

struct span
http_req_method(const struct http_req *r)
{
	return r->h.method;
}

struct span
http_req_path(const struct http_req *r)
{
	return r->path;
}

struct span
http_req_query(const struct http_req *r)
{
	return r->query;
}

struct span
http_req_header(const struct http_req *r, const char *name)
{
	const struct h1_header *h = h1_header_get(&r->h, name);

	if (h == NULL)
		return span_make(NULL, 0);
	return h->value;
}

long long
http_req_content_length(const struct http_req *r)
{
	return r->h.chunked ? -1 : r->h.content_length;
}

int
http_req_body_error(const struct http_req *r)
{
	return r->body_error != 0 ? r->body_error : 400;
}

int
http_req_has_body(const struct http_req *r)
{
	return r->body != BODY_NONE;
}

int
http_req_is(const struct http_req *r, const char *method)
{
	return span_eq_str(r->h.method, method);
}

const char *
http_req_peer(const struct http_req *r)
{
	return r->c->peer;
}

struct loop *
http_req_loop(const struct http_req *r)
{
	return r->c->srv->loop;
}

const char *
http_req_server_name(const struct http_req *r)
{
	return r->c->srv->name;
}

void
http_server_on_done(struct http_server *s, http_done_cb *cb)
{
	s->done_cb = cb;
}

void
http_req_set_tag(struct http_req *r, int tag)
{
	r->tag = tag;
}

int
http_req_tag(const struct http_req *r)
{
	return r->tag;
}

void
http_req_set_pass(struct http_req *r, int pass)
{
	r->pass = pass;
}

int
http_req_pass(const struct http_req *r)
{
	return r->pass;
}

void
http_req_set_data(struct http_req *r, void *p)
{
	r->data = p;
}

void *
http_req_data(const struct http_req *r)
{
	return r->data;
}

void
http_req_on_abort(struct http_req *r, http_abort_cb *cb, void *arg)
{
	r->abort_cb = cb;
	r->abort_arg = arg;
}

void
http_req_read_body(struct http_req *r, http_body_cb *data_cb,
    http_body_end_cb *end_cb, void *arg)
{
	struct conn *c = r->c;
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	r->data_cb = data_cb;
	r->end_cb = end_cb;
	r->body_arg = arg;
	if (r->body != BODY_PENDING) {
		if (end_cb != NULL)
			end_cb(r, r->body == BODY_NONE || r->body == BODY_DONE,
			    arg);
		return;
	}
	r->body = BODY_READING;
	if (r->h.expect_continue && conn_pending_total(c) == 0) {
		if (buf_append(&c->out, cont, sizeof(cont) - 1) == -1) {
			conn_close(c);
			return;
		}
		conn_flush(c);
		if (c->state == CONN_DEAD)
			return;
	}
	if (conn_pending_total(c) == 0)
		sock_quickack(c->fd);
	conn_arm(c, c->srv->lim.body_timeout_ms);
	conn_update_io(c);
	conn_feed_body(c);
}

void
http_reply_header(struct http_req *r, const char *name, const char *value)
{
	if (buf_printf(&r->extra, "%s: %s\r\n", name, value) == -1)
		log_warn("out of memory adding a response header");
}

/* Decides whether the connection survives a reply sent before the body
 * was read; drains small leftovers. */
static void
req_settle_body(struct http_req *r)
{
	struct conn *c = r->c;

	if (r->body == BODY_PENDING || r->body == BODY_STOPPED ||
	    r->body == BODY_READING) {
		if (!r->chunked && r->body_left <= conn_pending_total(c)) {
			/* Already buffered: skip it and keep the connection. */
			while (r->body_left > 0) {
				size_t n = conn_pending(c).len;
				if (n > r->body_left)
					n = (size_t)r->body_left;
				conn_consume(c, n);
				r->body_left -= n;
			}
		} else {
			/* Unread body on the wire: close after the reply, but
			 * drain first so the client reads the answer instead of
			 * a reset (RFC 9112 §9.6). */
			c->keep_alive = 0;
			c->linger = 1;
		}
		r->body = BODY_DONE;
	}
}

/* Appends v in decimal. */
static int
reply_uint(struct buf *b, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	return buf_append(b, d + i, sizeof(d) - i);
}

static int
reply_head(struct http_req *r, int status, const char *ctype, uint64_t len)
{
	struct conn *c = r->c;
	int rc;

	r->status = status;
	/* Put together by hand: this runs once per response, and printf
	 * costs more than everything else here. */
	rc = buf_append(&c->out, "HTTP/1.1 ", 9);
	if (rc == 0)
		rc = reply_uint(&c->out, (uint64_t)status);
	if (rc == 0)
		rc = buf_append(&c->out, " ", 1);
	if (rc == 0)
		rc = buf_append_str(&c->out, http_reason(status));
	if (rc == 0)
		rc = buf_append(&c->out, "\r\nDate: ", 8);
	if (rc == 0)
		rc = buf_append_str(&c->out, http_date());
	if (rc == 0)
		rc = buf_append(&c->out, "\r\nContent-Length: ", 18);
	if (rc == 0)
		rc = reply_uint(&c->out, len);
	if (rc == 0)
		rc = buf_append(&c->out, "\r\n", 2);
	if (rc == 0 && ctype != NULL) {
		rc = buf_append(&c->out, "Content-Type: ", 14);
		if (rc == 0)
			rc = buf_append_str(&c->out, ctype);
		if (rc == 0)
			rc = buf_append(&c->out, "\r\n", 2);
	}
	if (rc == 0 && r->extra.len > 0)
		rc = buf_append(&c->out, r->extra.data, r->extra.len);
	if (rc == 0 && !c->keep_alive)
		rc = buf_append_str(&c->out, "Connection: close\r\n");
	else if (rc == 0 && r->h.minor == 0)
		rc = buf_append_str(&c->out, "Connection: keep-alive\r\n");
	if (rc == 0)
		rc = buf_append(&c->out, "\r\n", 2);
	return rc;
}

void
http_reply(struct http_req *r, int status, const char *ctype, const void *body,
    size_t len)
{
	struct conn *c = r->c;

	if (r->replied || c->state == CONN_DEAD)
		return;
	r->replied = 1;
	req_settle_body(r);
	if (reply_head(r, status, ctype, len) == -1 ||
	    (!r->is_head && len > 0 && buf_append(&c->out, body, len) == -1)) {
		conn_close(c);
		return;
	}
	c->state = CONN_WRITE;
	conn_arm(c, c->srv->lim.write_timeout_ms);
	conn_flush(c);
}

void
http_reply_text(struct http_req *r, int status, const char *msg)
{
	char body[512];
	int n;

	n = snprintf(body, sizeof(body), "%s\n", msg);
	if (n < 0 || (size_t)n >= sizeof(body))
		n = (int)sizeof(body) - 1;
	http_reply(r, status, "text/plain; charset=utf-8", body, (size_t)n);
}

void
http_reply_stream(struct http_req *r, int status, const char *ctype,
    uint64_t length, const struct http_source *src)
{
	struct conn *c = r->c;

	if (r->replied || c->state == CONN_DEAD) {
		if (src->release != NULL)
			src->release(src->arg);
		return;
	}
	r->replied = 1;
	req_settle_body(r);
	r->src = *src;
	r->has_src = 1;
	r->src_len = r->is_head ? 0 : length;
	r->src_pos = 0;
	if (reply_head(r, status, ctype, length) == -1) {
		conn_close(c);
		return;
	}
	c->state = CONN_WRITE;
	conn_arm(c, c->srv->lim.write_timeout_ms);
	conn_flush(c);
}

void
http_reply_file(struct http_req *r, int status, const char *ctype,
    uint64_t length, int fd, uint64_t off, const struct http_source *src)
{
#ifdef __linux__
	if (!r->replied && r->c->state != CONN_DEAD && fd >= 0) {
		r->has_sf = 1;
		r->sf_fd = fd;
		r->sf_off = off;
	}
#else
	(void)fd;
	(void)off;
#endif
	http_reply_stream(r, status, ctype, length, src);
}

void
http_req_resume(struct http_req *r)
{
	if (r->c->state == CONN_WRITE && r->src_wait) {
		r->src_wait = 0;
		conn_flush(r->c);
	}
}

/* ---- writing ---- */

/* Moves more body bytes from the source into the output buffer.
 * Returns 0, or -1 when the connection was aborted. */
static int
conn_fill(struct conn *c)
{
	struct http_req *r = &c->req;
	size_t want;
	int64_t n;

	while (r->has_src && !r->has_sf && r->src_pos < r->src_len &&
	    c->out.len - c->out_off < CONN_OUT_CHUNK && !r->src_wait) {
		want = CONN_OUT_CHUNK;
		if (want > r->src_len - r->src_pos)
			want = (size_t)(r->src_len - r->src_pos);
		if (buf_reserve(&c->out, want) == -1)
			return -1;
		n = r->src.read(
		    r->src.arg, c->out.data + c->out.len, want, r->src_pos);
		if (n == HTTP_SOURCE_AGAIN) {
			r->src_wait = 1;
			return 0;
		}
		if (n <= 0)
			return -1;
		c->out.len += (size_t)n;
		r->src_pos += (uint64_t)n;
	}
	if (r->has_src && r->src_pos == r->src_len) {
		/* All body bytes are buffered: the source may veto. */
		r->has_src = 0;
		if (r->src.finish != NULL &&
		    r->src.finish(r->src.arg, 1) == -1) {
			if (r->src.release != NULL)
				r->src.release(r->src.arg);
			return -1;
		}
		if (r->src.release != NULL)
			r->src.release(r->src.arg);
	}
	return 0;
}

/* Half-closes and discards what the client still sends (bounded in bytes
 * and time) before closing, so an early error answer is not lost to a
 * TCP reset. */
static void
conn_linger(struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_LINGER;
	c->linger_left = CONN_LINGER_BYTES;
	conn_arm(c, CONN_LINGER_MS);
	conn_update_io(c);
}

static void
conn_request_done(struct conn *c)
{
	struct http_server *s = c->srv;

	if (s->done_cb != NULL && c->req.start_us != 0)
		s->done_cb(
		    &c->req, c->req.status, clock_mono_us() - c->req.start_us);

	buf_consume(&c->in, c->in_off);
	/* Pipelined bytes read with the body go back in front. */
	if (c->boff < c->bbuf.len &&
	    buf_append(&c->in, c->bbuf.data + c->boff, c->bbuf.len - c->boff) ==
		-1) {
		conn_close(c);
		return;
	}
	buf_release(&c->bbuf);
	c->boff = 0;
	c->head_len = 0;
	c->in_off = 0;
	h1_parser_init(&c->parser);
	c->req.c = NULL;
	if (!c->keep_alive || s->draining) {
		if (c->linger)
			conn_linger(c);
		else
			conn_close(c);
		return;
	}
	c->state = CONN_HEAD;
	if (c->out.len == c->out_off) {
		buf_reset(&c->out);
		c->out_off = 0;
	}
	conn_arm(c,
	    c->in.len > 0 ? s->lim.header_timeout_ms : s->lim.idle_timeout_ms);
	conn_update_io(c);
	if (c->in.len > 0 && !c->parse_queued) {
		/* Pipelined request: parse it after this pass. */
		c->parse_queued = 1;
		if (loop_defer(s->loop, conn_parse_deferred, c) == -1)
			conn_close(c);
	}
}

static int
conn_sendfile_pending(const struct conn *c)
{
	const struct http_req *r = &c->req;

	return c->state == CONN_WRITE && r->has_src && r->has_sf &&
	    r->src_pos < r->src_len;
}

/* Sends file bytes straight from the page cache.  Returns bytes sent,
 * 0 when the socket is full, -1 on error (or a file that shrank). */
static ssize_t
conn_sendfile(struct conn *c)
{
#ifdef __linux__
	struct http_req *r = &c->req;
	off_t off = (off_t)(r->sf_off + r->src_pos);
	size_t want = CONN_OUT_CHUNK * 8;
	ssize_t n;

	if (want > r->src_len - r->src_pos)
		want = (size_t)(r->src_len - r->src_pos);
	for (;;) {
		n = sendfile(c->fd, r->sf_fd, &off, want);
		if (n > 0) {
			r->src_pos += (uint64_t)n;
			return n;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
#else
	(void)c;
	return -1;
#endif
}

/* Writes buffered output.  When file bytes follow by sendfile, the head
 * is corked (MSG_MORE) so head and body leave in the same segments and
 * the client wakes once per response, not twice. */
static ssize_t
conn_write(struct conn *c)
{
#ifdef MSG_MORE
	if (conn_sendfile_pending(c))
		return send(c->fd, c->out.data + c->out_off,
		    c->out.len - c->out_off, MSG_MORE);
#endif
	return write(c->fd, c->out.data + c->out_off, c->out.len - c->out_off);
}

static void
conn_flush(struct conn *c)
{
	struct http_req *r = &c->req;
	ssize_t n;
	int progressed = 0;

	for (;;) {
		if (c->state == CONN_WRITE && conn_fill(c) == -1) {
			conn_close(c);
			return;
		}
		if (c->out_off == c->out.len) {
			if (!conn_sendfile_pending(c))
				break;
			if ((n = conn_sendfile(c)) > 0) {
				progressed = 1;
				continue;
			}
			if (n == 0)
				break; /* wait until writable */
			conn_close(c);
			return;
		}
		n = conn_write(c);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			conn_close(c);
			return;
		}
		progressed = 1;
		c->out_off += (size_t)n;
		if (c->out_off == c->out.len) {
			buf_reset(&c->out);
			c->out_off = 0;
		} else if (c->out_off > CONN_OUT_CHUNK) {
			buf_consume(&c->out, c->out_off);
			c->out_off = 0;
		}
	}
	if (c->state == CONN_WRITE && c->out_off == c->out.len && !r->has_src) {
		conn_request_done(c);
		return;
	}
	if (progressed && c->state == CONN_WRITE)
		conn_arm(c, c->srv->lim.write_timeout_ms);
	conn_update_io(c);
}
