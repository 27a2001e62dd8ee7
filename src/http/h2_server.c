/*
 * HTTP/2 server connections (RFC 9113 §3.4 preface, §5.1 stream states,
 * §5.2 and §6.9 flow control, §6 frames, §6.8 GOAWAY).  Untrusted input:
 * every octet a client sends.  Frames are bounded by our
 * SETTINGS_MAX_FRAME_SIZE (16384) before they are buffered, header blocks
 * by the h2_frame block limits and the HPACK header-list limit, streams
 * by SETTINGS_MAX_CONCURRENT_STREAMS, received DATA by our windows, and
 * cheap frames that cost us work (RST_STREAM of live streams, PING,
 * SETTINGS) by token buckets.  Output that the client never reads pauses
 * reading and, with no progress for write_timeout_ms, closes the
 * connection, so a zero-window or non-reading client holds memory and a
 * slot for a bounded time.  Connections and streams are freed from
 * deferred callbacks, never inside their own.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "http/h2_conn.h"
#include "http/h2_frame.h"
#include "http/h2_server.h"
#include "net/ftls.h"
#include "net/sock.h"

#define H2_READ_CHUNK (4 * (H2_FRAME_HEADER_LEN + H2_DEFAULT_MAX_FRAME_SIZE))
/* DATA is moved into the connection buffer only below this; control
 * frames always go in at once, so they wait behind at most this much. */
#define H2_OUT_LOW (64 * 1024)
/* Reading pauses while this much output is unsent (PING/SETTINGS floods
 * from a client that does not read). */
#define H2_OUT_HIGH (1024 * 1024)
/* After a fatal GOAWAY: time to deliver it and let the client close. */
#define H2_LINGER_MS 2000

enum h2_stream_state {
	H2S_IDLE,
	H2S_OPEN,
	H2S_HALF_CLOSED_REMOTE, /* client sent END_STREAM */
	H2S_HALF_CLOSED_LOCAL, /* we sent END_STREAM */
	H2S_CLOSED,
};

static const char *const h2_stream_state_names[] = {
	"idle",
	"open",
	"half-closed (remote)",
	"half-closed (local)",
	"closed",
};

enum h2_conn_state {
	H2C_TLS, /* TLS handshake (TLS listeners only) */
	H2C_PREFACE, /* waiting for the 24-octet client preface */
	H2C_SETTINGS, /* the client's first frame must be SETTINGS */
	H2C_OPEN,
	H2C_DRAINING, /* GOAWAY sent or received: finish open streams */
	H2C_CLOSING, /* flushing the last frames (a GOAWAY) */
	H2C_LINGER, /* write side shut; discarding input until EOF */
	H2C_DEAD,
};

static const char *const h2_conn_state_names[] = {
	"tls",
	"preface",
	"settings",
	"open",
	"draining",
	"closing",
	"linger",
	"dead",
};

struct h2_conn;

struct h2_stream {
	struct h2_conn *c;
	struct loop *loop;
	uint32_t id;
	enum h2_stream_state state;
	struct hpack_list headers;
	int64_t send_window; /* the client's window for this stream */
	int64_t recv_window; /* ours */
	uint32_t recv_unacked; /* consumed octets not yet credited */
	struct buf outq; /* response DATA not yet framed */
	size_t outq_off;
	int responded; /* response header block sent */
	int end_queued; /* END_STREAM after outq */
	struct hpack_list trailers;
	int has_trailers;
	int want_writable;
	void *data;
	struct h2_stream *prev, *next;
};

/* Token bucket: tokens in tenths, refilled burst/10 per second. */
struct h2_bucket {
	int64_t tokens;
	uint64_t last_ms;
};

struct h2_conn {
	struct h2_server *srv;
	int fd;
	enum h2_conn_state state;
	struct buf in;
	size_t in_off;
	struct buf out;
	size_t out_off;
	struct buf hblock; /* scratch for encoding a header block */
	struct h2_frame_block block;
	struct hpack_decoder dec;
	struct hpack_encoder enc;
	struct hpack_list scratch; /* the block being decoded */
	int malformed; /* the decoded block broke §8.2/§8.3 rules */
	int trailer_block; /* decoding a trailer block */
	int seen_regular;
	unsigned seen_pseudo;
	struct h2_settings remote; /* the client's settings */
	int64_t send_window; /* the client's connection window */
	int64_t recv_window;
	uint32_t recv_unacked;
	uint32_t last_stream_id; /* highest client stream seen */
	uint32_t goaway_id; /* streams above it are refused */
	int goaway_sent;
	struct h2_stream *streams;
	unsigned nstreams;
	struct loop_timer *timer;
	uint64_t started_ms, last_io_ms, last_progress_ms, linger_ms;
	int pending; /* output queued (socket or windows) last check */
	struct h2_bucket resets, pings, settings;
	int events;
	int flush_queued;
	int in_io;
	struct ftls *tls; /* NULL: cleartext */
	int tls_read_wants_write;
	int tls_hs_events; /* what the handshake waits for */
	int read_queued; /* a deferred read for OpenSSL's buffer */
	char peer[64];
	struct h2_conn *prev, *next;
};

struct h2_server {
	struct loop *loop;
	int lfd;
	int accepting;
	int draining;
	char *name;
	struct h2_limits lim;
	struct h2_handler h;
	void *arg;
	struct h2_conn *conns;
	unsigned nconns;
	struct ftls_ctx *tls_ctx; /* accepted connections speak TLS */
};

static void conn_close(struct h2_conn *, uint32_t);
static void conn_flush(struct h2_conn *);
static void conn_update(struct h2_conn *);
static void conn_error(struct h2_conn *, uint32_t, const char *);
static void stream_enter_state(
    struct h2_stream *, enum h2_stream_state, uint32_t);
static void stream_local_end(struct h2_stream *);

/* ---- small helpers ---- */

static void
conn_enter_state(struct h2_conn *c, enum h2_conn_state st)
{
	if (c->state == st)
		return;
	log_debug("%s: %s: connection %s -> %s", c->srv->name, c->peer,
	    h2_conn_state_names[c->state], h2_conn_state_names[st]);
	c->state = st;
}

static void
bucket_init(struct h2_bucket *b, unsigned burst, uint64_t now)
{
	b->tokens = (int64_t)burst * 10;
	b->last_ms = now;
}

/* Spends one event; 0 while within budget, -1 when overdrawn. */
static int
bucket_take(struct h2_bucket *b, unsigned burst, uint64_t now)
{
	int64_t cap = (int64_t)burst * 10;

	/* burst/10 events per second == burst tenths per second. */
	b->tokens += (int64_t)((now - b->last_ms) * burst / 1000);
	if (b->tokens > cap)
		b->tokens = cap;
	b->last_ms = now;
	b->tokens -= 10;
	return b->tokens < 0 ? -1 : 0;
}

static size_t
conn_unsent(const struct h2_conn *c)
{
	return c->out.len - c->out_off;
}

static void
conn_want_flush_deferred(struct loop *l, void *arg)
{
	struct h2_conn *c = arg;

	c->flush_queued = 0;
	if (c->state == H2C_DEAD)
		return;
	conn_flush(c);
	if (c->state != H2C_DEAD)
		conn_update(c);
}

/* Flushes after this dispatch pass. */
static void
conn_defer_flush(struct h2_conn *c)
{
	if (c->flush_queued || c->state == H2C_DEAD)
		return;
	if (loop_defer(c->srv->loop, conn_want_flush_deferred, c) == 0)
		c->flush_queued = 1;
}

/* Output was queued: conn_io flushes on its way out; elsewhere flush
 * after this dispatch pass. */
static void
conn_want_flush(struct h2_conn *c)
{
	if (!c->in_io)
		conn_defer_flush(c);
}

static struct h2_stream *
conn_find(struct h2_conn *c, uint32_t id)
{
	struct h2_stream *s;

	for (s = c->streams; s != NULL; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

/* ---- streams ---- */

static void
stream_free_deferred(struct loop *l, void *arg)
{
	struct h2_stream *s = arg;

	hpack_list_release(&s->headers);
	hpack_list_release(&s->trailers);
	buf_release(&s->outq);
	free(s);
}

/*
 * The one place a stream changes state (RFC 9113 §5.1).  Entering
 * H2S_CLOSED unlinks the stream, calls on_close once with h2_error and
 * defers the free.
 */
static void
stream_enter_state(
    struct h2_stream *s, enum h2_stream_state st, uint32_t h2_error)
{
	struct h2_conn *c = s->c;
	struct h2_server *srv = c->srv;

	if (s->state == st || s->state == H2S_CLOSED)
		return;
	log_debug("%s: %s: stream %u %s -> %s", srv->name, c->peer, s->id,
	    h2_stream_state_names[s->state], h2_stream_state_names[st]);
	s->state = st;
	if (st != H2S_CLOSED)
		return;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		c->streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	c->nstreams--;
	buf_release(&s->outq);
	s->outq_off = 0;
	if (srv->h.on_close != NULL)
		srv->h.on_close(s, h2_error, srv->arg);
	if (loop_defer(srv->loop, stream_free_deferred, s) == -1)
		log_error("cannot defer a free; leaking one stream");
	if (c->state == H2C_DRAINING && c->nstreams == 0)
		conn_enter_state(c, H2C_CLOSING);
}

/* Sends RST_STREAM and closes the stream. */
static void
stream_reset(struct h2_stream *s, uint32_t code)
{
	if (s->state == H2S_CLOSED)
		return;
	if (h2_frame_write_rst_stream(&s->c->out, s->id, code) == -1) {
		conn_close(s->c, H2_INTERNAL_ERROR);
		return;
	}
	stream_enter_state(s, H2S_CLOSED, code);
}

/* The client ended its side (END_STREAM). */
static void
stream_remote_end(struct h2_stream *s)
{
	struct h2_server *srv = s->c->srv;

	if (s->state == H2S_OPEN) {
		stream_enter_state(s, H2S_HALF_CLOSED_REMOTE, 0);
		if (srv->h.on_end != NULL)
			srv->h.on_end(s, srv->arg);
	} else if (s->state == H2S_HALF_CLOSED_LOCAL) {
		stream_enter_state(s, H2S_CLOSED, H2_NO_ERROR);
	}
}

/* Our END_STREAM has been framed. */
static void
stream_local_end(struct h2_stream *s)
{
	if (s->state == H2S_HALF_CLOSED_REMOTE) {
		stream_enter_state(s, H2S_CLOSED, H2_NO_ERROR);
		return;
	}
	stream_enter_state(s, H2S_HALF_CLOSED_LOCAL, 0);
	/* The response is complete; the rest of the request is not
	 * needed (RFC 9113 §8.1). */
	stream_reset(s, H2_NO_ERROR);
}

static int
stream_can_send(const struct h2_stream *s)
{
	return s->state == H2S_OPEN || s->state == H2S_HALF_CLOSED_REMOTE;
}

static int
conn_write_block(struct h2_conn *c, uint32_t id, const struct hpack_field *f,
    size_t n, int end_stream)
{
	return h2_conn_write_block(&c->out, &c->hblock, &c->enc, id, f, n,
	    end_stream, c->remote.max_frame_size);
}

/* ---- sending: move queued DATA into the connection buffer ---- */

/* Frames what the windows allow; 1 if the stream still has output. */
static int
stream_fill(struct h2_stream *s, int *progress)
{
	struct h2_conn *c = s->c;
	size_t have = s->outq.len - s->outq_off, n;
	int es;

	if (have > 0) {
		n = h2_conn_data_len(have, s->send_window, c->send_window,
		    c->remote.max_frame_size);
		if (n == 0)
			return 1;
		es = n == have && s->end_queued && !s->has_trailers;
		if (h2_frame_write_data(&c->out, s->id,
			s->outq.data + s->outq_off, n, es) == -1)
			return -1;
		s->outq_off += n;
		s->send_window -= (int64_t)n;
		c->send_window -= (int64_t)n;
		*progress = 1;
		h2_conn_compact(&s->outq, &s->outq_off, 256 * 1024);
		if (es) {
			s->end_queued = 0;
			stream_local_end(s);
			return 0;
		}
		if (n < have)
			return 1;
	}
	if (!s->end_queued)
		return 0;
	s->end_queued = 0;
	*progress = 1;
	if (s->has_trailers) {
		s->has_trailers = 0;
		if (conn_write_block(c, s->id, s->trailers.fields,
			s->trailers.count, 1) == -1)
			return -1;
	} else if (h2_frame_write_data(&c->out, s->id, "", 0, 1) == -1) {
		return -1;
	}
	stream_local_end(s);
	return 0;
}

/* Returns -1 on ENOMEM (the connection is then closed). */
static int
conn_fill(struct h2_conn *c)
{
	struct h2_stream *s, *next;
	int progress, blocked, rc;

	do {
		progress = 0;
		blocked = 0;
		for (s = c->streams; s != NULL; s = next) {
			next = s->next;
			if (conn_unsent(c) >= H2_OUT_LOW) {
				blocked = 1;
				break;
			}
			if (!stream_can_send(s))
				continue;
			if ((rc = stream_fill(s, &progress)) == -1)
				return -1;
			blocked |= rc;
			if (c->state == H2C_DEAD)
				return 0;
		}
	} while (progress && conn_unsent(c) < H2_OUT_LOW);
	if (blocked || conn_unsent(c) > 0) {
		if (!c->pending)
			c->last_progress_ms = loop_now(c->srv->loop);
		c->pending = 1;
	} else {
		c->pending = 0;
	}
	return 0;
}

/* Tells writers whose queue drained that they may go on. */
static void
conn_notify_writable(struct h2_conn *c)
{
	struct h2_stream *s;
	struct h2_server *srv = c->srv;

again:
	for (s = c->streams; s != NULL; s = s->next) {
		if (s->want_writable &&
		    s->outq.len - s->outq_off < H2_SERVER_LOW_WATER) {
			s->want_writable = 0;
			if (srv->h.on_writable != NULL)
				srv->h.on_writable(s, srv->arg);
			if (c->state == H2C_DEAD)
				return;
			/* What it queued goes out on the next pass. */
			conn_defer_flush(c);
			goto again;
		}
	}
}

/* > 0 octets, 0 EOF, -1 nothing now, -2 error. */
static ssize_t
conn_read(struct h2_conn *c, void *p, size_t n)
{
	ssize_t rc;

	if (c->tls != NULL) {
		rc = ftls_read(c->tls, p, n);
		c->tls_read_wants_write = rc == FTLS_WANT_WRITE;
		if (rc >= 0)
			return rc;
		if (rc == FTLS_ERROR) {
			log_debug("%s: %s: %s", c->srv->name, c->peer,
			    ftls_error(c->tls));
			return -2;
		}
		return -1;
	}
	rc = read(c->fd, p, n);
	if (rc >= 0)
		return rc;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return -1;
	return -2;
}

static ssize_t
conn_write(struct h2_conn *c, const void *p, size_t n)
{
	ssize_t rc;

	if (c->tls != NULL) {
		rc = ftls_write(c->tls, p, n);
		if (rc >= 0)
			return rc;
		return rc == FTLS_ERROR ? -2 : -1;
	}
	rc = write(c->fd, p, n);
	if (rc >= 0)
		return rc;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return -1;
	return -2;
}

static void
conn_flush(struct h2_conn *c)
{
	struct loop *l = c->srv->loop;
	ssize_t n;
	int rounds;

	if (c->state == H2C_TLS)
		return;
	for (rounds = 0; rounds < 64 && c->state != H2C_DEAD; rounds++) {
		if (c->state != H2C_LINGER && conn_fill(c) == -1) {
			conn_close(c, H2_INTERNAL_ERROR);
			return;
		}
		if (c->state == H2C_DEAD)
			return;
		if (conn_unsent(c) == 0)
			break;
		n = conn_write(c, c->out.data + c->out_off, conn_unsent(c));
		if (n == -1)
			break;
		if (n < 0) {
			conn_close(c, H2_CONNECT_ERROR);
			return;
		}
		c->out_off += (size_t)n;
		c->last_io_ms = c->last_progress_ms = loop_now(l);
		h2_conn_compact(&c->out, &c->out_off, H2_OUT_LOW);
	}
	if (c->state == H2C_DEAD)
		return;
	if (c->state != H2C_LINGER && conn_fill(c) == -1) {
		conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	conn_notify_writable(c);
	if (c->state == H2C_CLOSING && conn_unsent(c) == 0) {
		/* Everything said: half-close and wait for the client's EOF
		 * so that unread input does not turn into a TCP reset that
		 * destroys the GOAWAY (lingering close). */
		if (c->tls != NULL)
			ftls_shutdown(c->tls);
		shutdown(c->fd, SHUT_WR);
		c->linger_ms = loop_now(l);
		conn_enter_state(c, H2C_LINGER);
	}
}

/* ---- timers and poll events ---- */

static void
conn_timeout(struct loop *l, void *arg)
{
	struct h2_conn *c = arg;
	const struct h2_limits *lim = &c->srv->lim;
	uint64_t now = loop_now(l);

	c->timer = NULL;
	if (c->state == H2C_LINGER) {
		if (now - c->linger_ms >= H2_LINGER_MS) {
			conn_close(c, H2_NO_ERROR);
			return;
		}
	} else if (c->state == H2C_CLOSING) {
		if (now - c->last_progress_ms >= lim->write_timeout_ms) {
			conn_close(c, H2_NO_ERROR);
			return;
		}
	} else if (c->state <= H2C_SETTINGS &&
	    now - c->started_ms >= lim->handshake_timeout_ms) {
		log_debug("%s: %s: handshake timeout", c->srv->name, c->peer);
		conn_close(c, H2_SETTINGS_TIMEOUT);
		return;
	} else if (c->pending &&
	    now - c->last_progress_ms >= lim->write_timeout_ms) {
		log_info("%s: %s: write stalled for %llu ms, closing",
		    c->srv->name, c->peer,
		    (unsigned long long)(now - c->last_progress_ms));
		conn_close(c, H2_CANCEL);
		return;
	} else if (now - c->last_io_ms >= lim->idle_timeout_ms) {
		log_debug("%s: %s: idle timeout", c->srv->name, c->peer);
		conn_error(c, H2_NO_ERROR, "idle timeout");
		if (c->state != H2C_DEAD)
			conn_update(c);
		return;
	}
	conn_update(c);
}

/* Re-arms the one timer at the earliest deadline of the current phase. */
static void
conn_arm(struct h2_conn *c)
{
	const struct h2_limits *lim = &c->srv->lim;
	struct loop *l = c->srv->loop;
	uint64_t now = loop_now(l), when;

	switch (c->state) {
	case H2C_DEAD:
		return;
	case H2C_LINGER:
		when = c->linger_ms + H2_LINGER_MS;
		break;
	case H2C_CLOSING:
		when = c->last_progress_ms + lim->write_timeout_ms;
		break;
	default:
		when = c->last_io_ms + lim->idle_timeout_ms;
		if (c->state <= H2C_SETTINGS &&
		    c->started_ms + lim->handshake_timeout_ms < when)
			when = c->started_ms + lim->handshake_timeout_ms;
		if (c->pending &&
		    c->last_progress_ms + lim->write_timeout_ms < when)
			when = c->last_progress_ms + lim->write_timeout_ms;
		break;
	}
	when = when > now ? when - now : 0;
	if (c->timer != NULL)
		loop_timer_reset(l, c->timer, when);
	else
		c->timer = loop_timer_add(l, when, conn_timeout, c);
}

static void conn_io(struct loop *, int, int, void *);

static void
conn_read_deferred(struct loop *l, void *arg)
{
	struct h2_conn *c = arg;

	c->read_queued = 0;
	if (c->state != H2C_DEAD)
		conn_io(l, c->fd, LOOP_READ, c);
}

/* Sets the poll events and the timer after any activity. */
static void
conn_update(struct h2_conn *c)
{
	int ev = 0;

	if (c->state == H2C_DEAD)
		return;
	if (c->state == H2C_TLS) {
		ev = c->tls_hs_events != 0 ? c->tls_hs_events : LOOP_READ;
		if (ev != c->events) {
			loop_io_set(c->srv->loop, c->fd, ev);
			c->events = ev;
		}
		conn_arm(c);
		return;
	}
	if (c->state == H2C_CLOSING && conn_unsent(c) == 0) {
		conn_flush(c);
		if (c->state == H2C_DEAD)
			return;
	}
	if (c->state == H2C_LINGER ||
	    (c->state < H2C_CLOSING && conn_unsent(c) < H2_OUT_HIGH))
		ev |= LOOP_READ;
	if (conn_unsent(c) > 0 && c->state != H2C_LINGER)
		ev |= LOOP_WRITE;
	if (c->tls != NULL && c->state < H2C_CLOSING && (ev & LOOP_READ)) {
		if (c->tls_read_wants_write)
			ev |= LOOP_WRITE;
		/* poll() cannot see what OpenSSL already decrypted. */
		if (ftls_pending(c->tls) > 0 && !c->read_queued &&
		    loop_defer(c->srv->loop, conn_read_deferred, c) == 0)
			c->read_queued = 1;
	}
	if (ev != c->events) {
		loop_io_set(c->srv->loop, c->fd, ev);
		c->events = ev;
	}
	conn_arm(c);
}

/* ---- closing ---- */

static void
conn_free_deferred(struct loop *l, void *arg)
{
	struct h2_conn *c = arg;

	if (c->read_queued || c->flush_queued) {
		/* A deferred call still points here: free after it. */
		if (loop_defer(l, conn_free_deferred, c) == 0)
			return;
	}
	buf_release(&c->in);
	buf_release(&c->out);
	buf_release(&c->hblock);
	h2_frame_block_release(&c->block);
	hpack_decoder_release(&c->dec);
	hpack_encoder_release(&c->enc);
	hpack_list_release(&c->scratch);
	free(c);
}

/* Closes the socket now; open streams get on_close(h2_error). */
static void
conn_close(struct h2_conn *c, uint32_t h2_error)
{
	struct h2_server *s = c->srv;

	if (c->state == H2C_DEAD)
		return;
	while (c->streams != NULL)
		stream_enter_state(c->streams, H2S_CLOSED,
		    h2_error == H2_NO_ERROR ? H2_CANCEL : h2_error);
	conn_enter_state(c, H2C_DEAD);
	if (c->timer != NULL)
		loop_timer_cancel(s->loop, c->timer);
	c->timer = NULL;
	if (c->tls != NULL) {
		ftls_free(c->tls);
		c->tls = NULL;
	}
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

/*
 * Sends GOAWAY.  H2_NO_ERROR starts a graceful drain (open streams
 * finish); any other code is a connection error: every stream is closed
 * at once and the connection closes once the GOAWAY is written.
 */
static void
conn_error(struct h2_conn *c, uint32_t code, const char *msg)
{
	if (c->state >= H2C_CLOSING)
		return;
	if (code != H2_NO_ERROR)
		log_debug("%s: %s: connection error %s: %s", c->srv->name,
		    c->peer, h2_frame_error_name(code), msg);
	if (!c->goaway_sent || code != H2_NO_ERROR) {
		c->goaway_sent = 1;
		c->goaway_id = c->last_stream_id;
		if (h2_frame_write_goaway(&c->out, c->goaway_id, code, msg,
			msg != NULL ? strlen(msg) : 0) == -1) {
			conn_close(c, H2_INTERNAL_ERROR);
			return;
		}
	}
	if (code != H2_NO_ERROR) {
		while (c->streams != NULL)
			stream_enter_state(c->streams, H2S_CLOSED, code);
		c->last_progress_ms = loop_now(c->srv->loop);
		conn_enter_state(c, H2C_CLOSING);
	} else if (c->nstreams == 0) {
		c->last_progress_ms = loop_now(c->srv->loop);
		conn_enter_state(c, H2C_CLOSING);
	} else {
		conn_enter_state(c, H2C_DRAINING);
	}
	conn_want_flush(c);
}

/* ---- header blocks ---- */

/*
 * Collects one field and records (without stopping the decoder, which
 * would desynchronise the dynamic table) the RFC 9113 §8.2-§8.3 rules
 * it breaks: uppercase names, unknown, repeated or late pseudo-headers,
 * connection-specific fields, TE other than "trailers", pseudo-headers in
 * trailers.
 */
static int
conn_field_cb(void *arg, const struct hpack_field *f)
{
	static const char *const pseudo[] = { ":method", ":scheme",
		":authority", ":path" };
	struct h2_conn *c = arg;
	size_t i;

	for (i = 0; i < f->name.len; i++)
		if (f->name.p[i] >= 'A' && f->name.p[i] <= 'Z')
			c->malformed = 1;
	if (f->name.len > 0 && f->name.p[0] == ':') {
		for (i = 0; i < 4; i++)
			if (span_eq_str(f->name, pseudo[i]))
				break;
		if (i == 4 || c->seen_regular || c->trailer_block ||
		    (c->seen_pseudo & (1u << i)))
			c->malformed = 1;
		else
			c->seen_pseudo |= 1u << i;
	} else {
		c->seen_regular = 1;
		if (f->name.len == 0 || h2_conn_is_connection_header(f->name) ||
		    (span_eq_str(f->name, "te") &&
			!span_eq_str(f->value, "trailers")))
			c->malformed = 1;
	}
	return hpack_list_add(&c->scratch, f) == -1 ? -1 : 0;
}

/* Decodes the complete block into c->scratch; -1 after a connection
 * error. */
static int
conn_decode_block(struct h2_conn *c, int trailers)
{
	const char *err = NULL;

	hpack_list_reset(&c->scratch);
	c->malformed = 0;
	c->trailer_block = trailers;
	c->seen_regular = 0;
	c->seen_pseudo = 0;
	if (hpack_decode(&c->dec, c->block.data.data, c->block.data.len,
		conn_field_cb, c, &err) < 0) {
		conn_error(c, H2_COMPRESSION_ERROR, err);
		return -1;
	}
	/* :method, :scheme and :path are mandatory (§8.3.1). */
	if (!trailers && (c->seen_pseudo & 0xb) != 0xb)
		c->malformed = 1;
	if (!trailers) {
		const struct hpack_field *p =
		    hpack_list_get(&c->scratch, ":path");
		if (p != NULL && p->value.len == 0)
			c->malformed = 1;
	}
	return 0;
}

static void
conn_new_stream(struct h2_conn *c, uint32_t id, int end_stream)
{
	struct h2_server *srv = c->srv;
	struct hpack_list tmp;
	struct h2_stream *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		if (h2_frame_write_rst_stream(&c->out, id, H2_REFUSED_STREAM) ==
		    -1)
			conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	s->c = c;
	s->loop = srv->loop;
	s->id = id;
	s->state = H2S_IDLE;
	s->send_window = c->remote.initial_window_size;
	s->recv_window = srv->lim.initial_window;
	hpack_list_init(&s->headers);
	hpack_list_init(&s->trailers);
	buf_init(&s->outq);
	/* The stream takes the decoded list; scratch gets its empty one. */
	tmp = s->headers;
	s->headers = c->scratch;
	c->scratch = tmp;
	s->next = c->streams;
	if (c->streams != NULL)
		c->streams->prev = s;
	c->streams = s;
	c->nstreams++;
	stream_enter_state(
	    s, end_stream ? H2S_HALF_CLOSED_REMOTE : H2S_OPEN, 0);
	if (srv->h.on_request != NULL)
		srv->h.on_request(s, end_stream, srv->arg);
	else
		stream_reset(s, H2_REFUSED_STREAM);
}

/* A complete HEADERS block (+ CONTINUATION) on stream id. */
static void
conn_on_header_block(struct h2_conn *c)
{
	uint32_t id = c->block.stream_id;
	int es = (c->block.flags & H2_FLAG_END_STREAM) != 0;
	struct h2_stream *s = conn_find(c, id);

	if (c->block.type == H2_FRAME_PUSH_PROMISE) {
		conn_error(c, H2_PROTOCOL_ERROR, "PUSH_PROMISE from a client");
		return;
	}
	/* Always decode: the dynamic table must stay in step (§4.3). */
	if (conn_decode_block(c, s != NULL) == -1)
		return;
	if (s != NULL) {
		/* Trailers: must end the stream (§8.1). */
		if (s->state != H2S_OPEN)
			stream_reset(s, H2_STREAM_CLOSED);
		else if (!es || c->malformed)
			stream_reset(s, H2_PROTOCOL_ERROR);
		else
			stream_remote_end(s);
		return;
	}
	if (id <= c->last_stream_id)
		return; /* a stream we closed: frames in flight */
	if ((id & 1) == 0) {
		conn_error(c, H2_PROTOCOL_ERROR, "even stream id from client");
		return;
	}
	c->last_stream_id = id;
	if (c->goaway_sent && id > c->goaway_id) {
		if (h2_frame_write_rst_stream(&c->out, id, H2_REFUSED_STREAM) ==
		    -1)
			conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	if (c->nstreams >= c->srv->lim.max_concurrent_streams) {
		if (h2_frame_write_rst_stream(&c->out, id, H2_REFUSED_STREAM) ==
		    -1)
			conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	if (c->malformed) {
		if (h2_frame_write_rst_stream(&c->out, id, H2_PROTOCOL_ERROR) ==
		    -1)
			conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	conn_new_stream(c, id, es);
}

/* ---- frame handlers (indexed by type) ---- */

/* Credits consumed connection-level octets back to the client. */
static void
conn_consumed(struct h2_conn *c, uint32_t n)
{
	if (h2_conn_credit(&c->out, 0, &c->recv_window, &c->recv_unacked, n,
		c->srv->lim.connection_window / 2) == -1)
		conn_close(c, H2_INTERNAL_ERROR);
}

static void
frame_data(struct h2_conn *c, const struct h2_frame *f)
{
	struct h2_server *srv = c->srv;
	struct h2_stream *s = conn_find(c, f->stream_id);

	c->recv_window -= f->length;
	if (c->recv_window < 0) {
		conn_error(c, H2_FLOW_CONTROL_ERROR, "connection window");
		return;
	}
	if (s == NULL) {
		if (f->stream_id > c->last_stream_id) {
			conn_error(c, H2_PROTOCOL_ERROR, "DATA on idle stream");
			return;
		}
		conn_consumed(c, f->length); /* closed: in flight, ignore */
		return;
	}
	if (s->state != H2S_OPEN) {
		conn_consumed(c, f->length);
		stream_reset(s, H2_STREAM_CLOSED);
		return;
	}
	s->recv_window -= f->length;
	if (s->recv_window < 0) {
		conn_consumed(c, f->length);
		stream_reset(s, H2_FLOW_CONTROL_ERROR);
		return;
	}
	if (f->payload.len > 0 && srv->h.on_data != NULL)
		srv->h.on_data(s, f->payload.p, f->payload.len, srv->arg);
	if (c->state == H2C_DEAD)
		return;
	conn_consumed(c, f->length);
	if (s->state == H2S_CLOSED)
		return;
	if (f->flags & H2_FLAG_END_STREAM) {
		stream_remote_end(s);
		return;
	}
	if (s->state != H2S_OPEN)
		return;
	if (h2_conn_credit(&c->out, s->id, &s->recv_window, &s->recv_unacked,
		f->length, srv->lim.initial_window / 2) == -1)
		conn_close(c, H2_INTERNAL_ERROR);
}

static void
frame_headers(struct h2_conn *c, const struct h2_frame *f)
{
	/* Reassembly happens before dispatch (conn_frame). */
}

static void
frame_priority(struct h2_conn *c, const struct h2_frame *f)
{
	/* Deprecated scheme (§5.3.2): parsed by h2_frame, ignored. */
}

static void
frame_rst_stream(struct h2_conn *c, const struct h2_frame *f)
{
	struct h2_stream *s = conn_find(c, f->stream_id);

	if (s == NULL) {
		if (f->stream_id > c->last_stream_id)
			conn_error(
			    c, H2_PROTOCOL_ERROR, "RST_STREAM on idle stream");
		return;
	}
	/* Rapid reset (CVE-2023-44487): opening streams and cancelling
	 * them at once costs the client nothing and us a handler call. */
	if (bucket_take(&c->resets, c->srv->lim.reset_burst,
		loop_now(c->srv->loop)) == -1) {
		log_info("%s: %s: too many stream resets (rapid reset)",
		    c->srv->name, c->peer);
		conn_error(c, H2_ENHANCE_YOUR_CALM, "too many resets");
		return;
	}
	stream_enter_state(s, H2S_CLOSED, f->error_code);
}

static void
frame_settings(struct h2_conn *c, const struct h2_frame *f)
{
	struct h2_settings old;
	struct h2_stream *s;
	uint32_t code = 0;
	const char *err = NULL;
	int64_t delta;

	if (f->flags & H2_FLAG_ACK)
		return;
	if (c->state != H2C_SETTINGS &&
	    bucket_take(&c->settings, c->srv->lim.settings_burst,
		loop_now(c->srv->loop)) == -1) {
		log_info("%s: %s: SETTINGS flood", c->srv->name, c->peer);
		conn_error(c, H2_ENHANCE_YOUR_CALM, "too many SETTINGS");
		return;
	}
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
		conn_close(c, H2_INTERNAL_ERROR);
		return;
	}
	if (c->state == H2C_SETTINGS)
		conn_enter_state(c, c->goaway_sent ? H2C_DRAINING : H2C_OPEN);
}

static void
frame_push_promise(struct h2_conn *c, const struct h2_frame *f)
{
	conn_error(c, H2_PROTOCOL_ERROR, "PUSH_PROMISE from a client");
}

static void
frame_ping(struct h2_conn *c, const struct h2_frame *f)
{
	if (f->flags & H2_FLAG_ACK)
		return;
	if (bucket_take(&c->pings, c->srv->lim.ping_burst,
		loop_now(c->srv->loop)) == -1) {
		log_info("%s: %s: PING flood", c->srv->name, c->peer);
		conn_error(c, H2_ENHANCE_YOUR_CALM, "too many PINGs");
		return;
	}
	if (h2_frame_write_ping(&c->out, f->payload.p, 1) == -1)
		conn_close(c, H2_INTERNAL_ERROR);
}

static void
frame_goaway(struct h2_conn *c, const struct h2_frame *f)
{
	/* The client will open no more streams; finish the open ones. */
	log_debug("%s: %s: GOAWAY %s from client", c->srv->name, c->peer,
	    h2_frame_error_name(f->error_code));
	if (c->nstreams == 0) {
		c->last_progress_ms = loop_now(c->srv->loop);
		conn_enter_state(c, H2C_CLOSING);
	} else if (c->state < H2C_DRAINING) {
		conn_enter_state(c, H2C_DRAINING);
	}
}

static void
frame_window_update(struct h2_conn *c, const struct h2_frame *f)
{
	struct h2_stream *s;

	if (f->stream_id == 0) {
		if (h2_conn_window_add(&c->send_window, f->window_increment) ==
		    -1)
			conn_error(c, H2_FLOW_CONTROL_ERROR,
			    "connection window above 2^31-1");
		return;
	}
	if ((s = conn_find(c, f->stream_id)) == NULL) {
		if (f->stream_id > c->last_stream_id)
			conn_error(c, H2_PROTOCOL_ERROR,
			    "WINDOW_UPDATE on idle stream");
		return;
	}
	if (h2_conn_window_add(&s->send_window, f->window_increment) == -1)
		stream_reset(s, H2_FLOW_CONTROL_ERROR);
}

static void
frame_continuation(struct h2_conn *c, const struct h2_frame *f)
{
	/* Reassembly happens before dispatch (conn_frame). */
}

typedef void h2_frame_handler(struct h2_conn *, const struct h2_frame *);

static h2_frame_handler *const frame_handlers[] = {
	[H2_FRAME_DATA] = frame_data,
	[H2_FRAME_HEADERS] = frame_headers,
	[H2_FRAME_PRIORITY] = frame_priority,
	[H2_FRAME_RST_STREAM] = frame_rst_stream,
	[H2_FRAME_SETTINGS] = frame_settings,
	[H2_FRAME_PUSH_PROMISE] = frame_push_promise,
	[H2_FRAME_PING] = frame_ping,
	[H2_FRAME_GOAWAY] = frame_goaway,
	[H2_FRAME_WINDOW_UPDATE] = frame_window_update,
	[H2_FRAME_CONTINUATION] = frame_continuation,
};

/* One parsed frame. */
static void
conn_frame(struct h2_conn *c, const struct h2_frame *f)
{
	uint32_t code = 0;
	const char *err = NULL;
	int rc;

	if (c->state == H2C_SETTINGS &&
	    (f->type != H2_FRAME_SETTINGS || (f->flags & H2_FLAG_ACK))) {
		conn_error(
		    c, H2_PROTOCOL_ERROR, "preface not followed by SETTINGS");
		return;
	}
	if (h2_conn_is_block_frame(&c->block, f)) {
		rc = h2_frame_block_add(&c->block, f, &code, &err);
		if (rc < 0) {
			if (code == H2_ENHANCE_YOUR_CALM)
				log_info(
				    "%s: %s: %s", c->srv->name, c->peer, err);
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
conn_process(struct h2_conn *c)
{
	struct h2_frame f;
	struct h2_stream *s;
	uint32_t code;
	const char *err;
	size_t avail;
	int rc;

	while (c->state < H2C_CLOSING) {
		avail = c->in.len - c->in_off;
		if (c->state == H2C_PREFACE) {
			size_t n = avail < H2_CLIENT_PREFACE_LEN
			    ? avail
			    : H2_CLIENT_PREFACE_LEN;
			if (memcmp(c->in.data + c->in_off, H2_CLIENT_PREFACE,
				n) != 0) {
				conn_error(c, H2_PROTOCOL_ERROR, "bad preface");
				break;
			}
			if (n < H2_CLIENT_PREFACE_LEN)
				break;
			c->in_off += H2_CLIENT_PREFACE_LEN;
			conn_enter_state(c, H2C_SETTINGS);
			continue;
		}
		code = 0;
		err = NULL;
		rc = h2_frame_parse(c->in.data + c->in_off, avail,
		    H2_DEFAULT_MAX_FRAME_SIZE, &f, &code, &err);
		if (rc == FAB_INCOMPLETE)
			break;
		if (rc < 0) {
			if (!f.stream_error || h2_frame_block_open(&c->block) ||
			    c->state == H2C_SETTINGS) {
				conn_error(c, code, err);
				break;
			}
			/* A stream error: reset it, skip the frame. */
			if ((s = conn_find(c, f.stream_id)) != NULL)
				stream_reset(s, code);
			else if (h2_frame_write_rst_stream(
				     &c->out, f.stream_id, code) == -1) {
				conn_close(c, H2_INTERNAL_ERROR);
				return;
			}
			c->in_off += H2_FRAME_HEADER_LEN + f.length;
			continue;
		}
		c->in_off += (size_t)rc;
		conn_frame(c, &f);
	}
	if (c->state == H2C_DEAD)
		return;
	h2_conn_compact(&c->in, &c->in_off, 1);
}

static void
conn_readable(struct h2_conn *c)
{
	ssize_t n;
	int i;

	if (c->state == H2C_LINGER) {
		char sink[4096];
		n = read(c->fd, sink, sizeof(sink));
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			errno != EINTR))
			conn_close(c, H2_NO_ERROR);
		return;
	}
	/* With TLS, OpenSSL may hold more records than one read takes:
	 * a few reads per event, the rest from conn_update's deferred
	 * read. */
	for (i = 0; i < (c->tls != NULL ? 4 : 1); i++) {
		if (c->state >= H2C_CLOSING || conn_unsent(c) >= H2_OUT_HIGH)
			return;
		if (buf_reserve(&c->in, H2_READ_CHUNK) == -1) {
			conn_close(c, H2_INTERNAL_ERROR);
			return;
		}
		n = conn_read(c, c->in.data + c->in.len, H2_READ_CHUNK);
		if (n == 0 || n == -2) {
			conn_close(c, H2_CANCEL);
			return;
		}
		if (n < 0)
			return;
		c->in.len += (size_t)n;
		c->last_io_ms = loop_now(c->srv->loop);
		conn_process(c);
		if (c->tls == NULL || ftls_pending(c->tls) == 0)
			return;
	}
}

/* Drives the TLS handshake; once done, h2 must have been selected. */
static void
conn_handshake(struct h2_conn *c)
{
	const char *alpn;
	int rc = ftls_handshake(c->tls);

	if (rc == FTLS_ERROR) {
		log_debug("%s: %s: TLS handshake: %s", c->srv->name, c->peer,
		    ftls_error(c->tls));
		conn_close(c, H2_CONNECT_ERROR);
		return;
	}
	if (rc != 0) {
		c->tls_hs_events = ftls_want_events(rc);
		return;
	}
	alpn = ftls_alpn(c->tls);
	if (alpn == NULL || strcmp(alpn, "h2") != 0) {
		/* RFC 9113 §3.2: h2 over TLS is negotiated with ALPN. */
		log_info("%s: %s: TLS client did not select h2 with ALPN, "
			 "closing",
		    c->srv->name, c->peer);
		conn_close(c, H2_CONNECT_ERROR);
		return;
	}
	c->started_ms = c->last_io_ms = loop_now(c->srv->loop);
	conn_enter_state(c, H2C_PREFACE);
	/* The client preface may already sit in OpenSSL's buffer. */
	conn_readable(c);
}

static void
conn_io(struct loop *l, int fd, int events, void *arg)
{
	struct h2_conn *c = arg;

	c->in_io = 1;
	if (c->state == H2C_TLS)
		conn_handshake(c);
	else if ((events & LOOP_READ) ||
	    (c->tls_read_wants_write && (events & LOOP_WRITE)))
		conn_readable(c);
	if (c->state != H2C_DEAD)
		conn_flush(c);
	c->in_io = 0;
	if (c->state != H2C_DEAD)
		conn_update(c);
}

/* ---- accepting ---- */

static int
conn_start(struct h2_server *srv, int fd, const void *pre, size_t n,
    const char *peer, int tls)
{
	const struct h2_limits *lim = &srv->lim;
	struct h2_setting ours[3];
	struct h2_conn *c;
	uint64_t now = loop_now(srv->loop);

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return -1;
	}
	c->srv = srv;
	c->fd = fd;
	c->state = tls ? H2C_TLS : H2C_PREFACE;
	buf_init(&c->in);
	buf_init(&c->out);
	buf_init(&c->hblock);
	h2_frame_block_init(&c->block);
	hpack_decoder_init(&c->dec, HPACK_DEFAULT_TABLE_SIZE);
	hpack_decoder_set_limits(&c->dec, lim->max_header_list, 0);
	hpack_encoder_init(&c->enc, HPACK_DEFAULT_TABLE_SIZE);
	hpack_list_init(&c->scratch);
	h2_settings_init(&c->remote);
	c->send_window = H2_DEFAULT_WINDOW;
	c->recv_window = lim->connection_window;
	c->started_ms = c->last_io_ms = c->last_progress_ms = now;
	bucket_init(&c->resets, lim->reset_burst, now);
	bucket_init(&c->pings, lim->ping_burst, now);
	bucket_init(&c->settings, lim->settings_burst, now);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	/* Our preface goes out at once (grpc-java waits for it). */
	ours[0].id = H2_SETTINGS_MAX_CONCURRENT_STREAMS;
	ours[0].value = lim->max_concurrent_streams;
	ours[1].id = H2_SETTINGS_INITIAL_WINDOW_SIZE;
	ours[1].value = lim->initial_window;
	ours[2].id = H2_SETTINGS_MAX_HEADER_LIST_SIZE;
	ours[2].value = lim->max_header_list;
	if (h2_frame_write_settings(&c->out, ours, 3) == -1 ||
	    (lim->connection_window > H2_DEFAULT_WINDOW &&
		h2_frame_write_window_update(&c->out, 0,
		    lim->connection_window - H2_DEFAULT_WINDOW) == -1) ||
	    (n > 0 && buf_append(&c->in, pre, n) == -1) ||
	    (tls && (c->tls = ftls_server_new(srv->tls_ctx, fd)) == NULL) ||
	    loop_io_add(srv->loop, fd, LOOP_READ | LOOP_WRITE, conn_io, c) ==
		-1) {
		ftls_free(c->tls);
		close(fd);
		conn_free_deferred(srv->loop, c);
		return -1;
	}
	c->events = LOOP_READ | LOOP_WRITE;
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	if (srv->draining)
		conn_error(c, H2_NO_ERROR, "draining");
	if (n > 0) {
		c->in_io = 1;
		conn_process(c);
		c->in_io = 0;
		if (c->state == H2C_DEAD)
			return 0;
	}
	conn_want_flush(c);
	conn_arm(c);
	return 0;
}

static void
srv_accept(struct loop *l, int lfd, int events, void *arg)
{
	struct h2_server *s = arg;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char peer[64];
	int fd, i;

	for (i = 0; i < 64; i++) {
		if (s->nconns >= s->lim.max_conns) {
			loop_io_set(l, lfd, 0);
			return;
		}
		len = sizeof(ss);
		fd = sock_accept(lfd, &ss, &len);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_warn(
				    "%s: accept: %s", s->name, strerror(errno));
			return;
		}
		sock_addr_str(&ss, peer, sizeof(peer));
		(void)conn_start(s, fd, NULL, 0, peer, s->tls_ctx != NULL);
	}
}

static void
limits_resolve(struct h2_limits *l)
{
	if (l->max_concurrent_streams == 0)
		l->max_concurrent_streams = 100;
	if (l->initial_window == 0)
		l->initial_window = 1024 * 1024;
	if (l->initial_window < H2_DEFAULT_WINDOW)
		l->initial_window = H2_DEFAULT_WINDOW;
	if (l->initial_window > H2_MAX_WINDOW)
		l->initial_window = H2_MAX_WINDOW;
	if (l->connection_window == 0)
		l->connection_window = 16 * 1024 * 1024;
	if (l->connection_window < H2_DEFAULT_WINDOW)
		l->connection_window = H2_DEFAULT_WINDOW;
	if (l->connection_window > H2_MAX_WINDOW)
		l->connection_window = H2_MAX_WINDOW;
	if (l->max_header_list == 0)
		l->max_header_list = 32768;
	if (l->max_header_list > HPACK_MAX_HEADER_LIST)
		l->max_header_list = HPACK_MAX_HEADER_LIST;
	if (l->handshake_timeout_ms == 0)
		l->handshake_timeout_ms = 10000;
	if (l->idle_timeout_ms == 0)
		l->idle_timeout_ms = 300000;
	if (l->write_timeout_ms == 0)
		l->write_timeout_ms = 30000;
	if (l->max_conns == 0)
		l->max_conns = 1024;
	if (l->reset_burst == 0)
		l->reset_burst = 200;
	if (l->ping_burst == 0)
		l->ping_burst = 100;
	if (l->settings_burst == 0)
		l->settings_burst = 50;
}

struct h2_server *
h2_server_new(struct loop *l, int lfd, const char *name,
    const struct h2_limits *lim, const struct h2_handler *h, void *arg)
{
	struct h2_server *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->name = strdup(name)) == NULL) {
		free(s);
		return NULL;
	}
	s->loop = l;
	s->lfd = lfd;
	if (lim != NULL)
		s->lim = *lim;
	limits_resolve(&s->lim);
	s->h = *h;
	s->arg = arg;
	s->accepting = 1;
	if (lfd != -1 && loop_io_add(l, lfd, LOOP_READ, srv_accept, s) == -1) {
		free(s->name);
		free(s);
		return NULL;
	}
	return s;
}

int
h2_server_adopt(
    struct h2_server *s, int fd, const void *pre, size_t n, const char *peer)
{
	return conn_start(s, fd, pre, n, peer != NULL ? peer : "-", 0);
}

int
h2_server_set_tls(struct h2_server *s, const char *cert_file,
    const char *key_file, char *err, size_t errlen)
{
	static const char *const alpn[] = { "h2" };
	struct ftls_ctx *ctx;

	if ((ctx = ftls_ctx_server_new(cert_file, key_file, err, errlen)) ==
	    NULL)
		return -1;
	if (ftls_ctx_set_alpn(ctx, alpn, 1) == -1) {
		snprintf(err, errlen, "cannot set ALPN h2");
		ftls_ctx_free(ctx);
		return -1;
	}
	ftls_ctx_set_alpn_required(ctx, 1);
	ftls_ctx_free(s->tls_ctx);
	s->tls_ctx = ctx;
	return 0;
}

void
h2_server_drain(struct h2_server *s)
{
	struct h2_conn *c, *next;

	s->accepting = 0;
	s->draining = 1;
	if (s->lfd != -1) {
		loop_io_del(s->loop, s->lfd);
		close(s->lfd);
		s->lfd = -1;
	}
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		conn_error(c, H2_NO_ERROR, "draining");
		if (c->state != H2C_DEAD)
			conn_update(c);
	}
}

unsigned
h2_server_conns(const struct h2_server *s)
{
	return s->nconns;
}

const struct h2_limits *
h2_server_limits(const struct h2_server *s)
{
	return &s->lim;
}

void
h2_server_free(struct h2_server *s)
{
	if (s == NULL)
		return;
	s->draining = 1;
	s->accepting = 0;
	if (s->lfd != -1) {
		loop_io_del(s->loop, s->lfd);
		close(s->lfd);
		s->lfd = -1;
	}
	while (s->conns != NULL)
		conn_close(s->conns, H2_CANCEL);
	ftls_ctx_free(s->tls_ctx);
	free(s->name);
	free(s);
}

/* ---- stream API ---- */

uint32_t
h2_stream_id(const struct h2_stream *s)
{
	return s->id;
}

struct loop *
h2_stream_loop(const struct h2_stream *s)
{
	return s->loop;
}

const char *
h2_stream_peer(const struct h2_stream *s)
{
	return s->state == H2S_CLOSED ? "-" : s->c->peer;
}

struct span
h2_stream_header(const struct h2_stream *s, const char *name)
{
	const struct hpack_field *f = hpack_list_get(&s->headers, name);

	if (f == NULL)
		return span_make(NULL, 0);
	return f->value;
}

const struct hpack_list *
h2_stream_headers(const struct h2_stream *s)
{
	return &s->headers;
}

void
h2_stream_set_data(struct h2_stream *s, void *p)
{
	s->data = p;
}

void *
h2_stream_data(const struct h2_stream *s)
{
	return s->data;
}

const char *
h2_stream_state_name(const struct h2_stream *s)
{
	return h2_stream_state_names[s->state];
}

int
h2_stream_respond(
    struct h2_stream *s, const struct hpack_field *f, size_t n, int end_stream)
{
	struct h2_conn *c = s->c;

	if (!stream_can_send(s) || s->responded || s->end_queued)
		return -1;
	s->responded = 1;
	if (conn_write_block(c, s->id, f, n, end_stream) == -1) {
		conn_close(c, H2_INTERNAL_ERROR);
		return -1;
	}
	conn_want_flush(c);
	if (end_stream)
		stream_local_end(s);
	return 0;
}

int
h2_stream_write(struct h2_stream *s, const void *p, size_t len)
{
	if (!stream_can_send(s) || !s->responded || s->end_queued)
		return -1;
	if (buf_append(&s->outq, p, len) == -1)
		return -1;
	conn_want_flush(s->c);
	if (s->outq.len - s->outq_off > H2_SERVER_HIGH_WATER) {
		s->want_writable = 1;
		return 1;
	}
	return 0;
}

int
h2_stream_end(struct h2_stream *s, const struct hpack_field *f, size_t n)
{
	size_t i;

	if (!stream_can_send(s) || !s->responded || s->end_queued)
		return -1;
	hpack_list_reset(&s->trailers);
	for (i = 0; i < n; i++)
		if (hpack_list_add(&s->trailers, &f[i]) == -1)
			return -1;
	s->has_trailers = n > 0;
	s->end_queued = 1;
	s->want_writable = 0;
	conn_want_flush(s->c);
	return 0;
}

void
h2_stream_reset(struct h2_stream *s, uint32_t code)
{
	if (s->state == H2S_CLOSED)
		return;
	conn_want_flush(s->c);
	stream_reset(s, code);
}

size_t
h2_stream_queued(const struct h2_stream *s)
{
	return s->outq.len - s->outq_off;
}
