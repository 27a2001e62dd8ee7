/*
 * Fuzz target for http/h2_client: the input is what a server sends.  A
 * detached client connection (no socket; h2_client_adopt with fd -1)
 * carries three streams: a request with a body, an open client stream
 * and one with a deadline; octet 0 picks how the rest is split into
 * reads (1..256 octets at a time) and whether callbacks cancel or start
 * streams.  The client must never crash, leak or loop, whatever frames,
 * header blocks, windows, resets or GOAWAYs arrive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/h2_client.h"
#include "net/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct loop *l;
static struct h2_client *cl;
static int mode, restarts;

static void start(const char *, int, uint64_t);

static int
on_response(struct h2_client_stream *s, int status, const struct hpack_list *h,
    int es, void *arg)
{
	return (mode & 1) && status == 404 ? -1 : 0;
}

static int
on_data(struct h2_client_stream *s, const unsigned char *p, size_t n, void *arg)
{
	if ((mode & 2) && n > 0 && p[0] == 'C') {
		h2_client_stream_cancel(s);
		return 0;
	}
	if ((mode & 4) && n > 0 && p[0] == 'W' &&
	    h2_client_stream_write(s, p, n) == -1)
		return -1;
	return n > 0 && p[0] == 'A' ? -1 : 0;
}

static void
on_writable(struct h2_client_stream *s, void *arg)
{
	if (h2_client_stream_end(s) == -1)
		h2_client_stream_cancel(s);
}

static void
on_close(
    struct h2_client_stream *s, const struct h2_client_result *r, void *arg)
{
	if ((mode & 8) && restarts < 4) {
		restarts++;
		start("/again", 1, 0);
	}
}

static const struct h2_client_callbacks cbs = { on_response, on_data,
	on_writable, on_close };

static void
start(const char *path, int end, uint64_t deadline)
{
	static const unsigned char body[300] = { 1 };
	struct h2_client_request r;
	const char *err;

	memset(&r, 0, sizeof(r));
	r.origin = "grpc://fuzz.test:1";
	r.method = "POST";
	r.path = path;
	r.body = body;
	r.body_len = sizeof(body);
	r.end_stream = end;
	r.deadline_ms = deadline;
	r.cb = &cbs;
	if (h2_client_stream_start(cl, &r, &err) == NULL)
		return; /* the client is being freed */
}

static void
stop(struct loop *lp, void *arg)
{
	loop_stop(lp);
}

/* One loop pass: deferred callbacks and frees run. */
static void
pass(void)
{
	(void)loop_timer_add(l, 0, stop, NULL);
	if (loop_run(l) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h2_client_opts o;
	struct h2_client_conn *c;
	char err[256];
	size_t step, off, n;

	if (size < 1)
		return 0;
	if (l == NULL && (l = loop_new()) == NULL)
		abort();
	memset(&o, 0, sizeof(o));
	o.tls_no_verify = 1; /* no CA store to load */
	o.initial_window = 65535;
	o.connection_window = 65535;
	if ((cl = h2_client_new(l, &o, err, sizeof(err))) == NULL)
		abort();
	mode = data[0] >> 4;
	step = (size_t)(data[0] & 0x0f) * 16 + 1;
	restarts = 0;
	data++;
	size--;
	c = h2_client_adopt(cl, "grpc://fuzz.test:1", -1);
	start("/a", 1, 0);
	start("/b", 0, 0);
	start("/c", 1, 1);
	for (off = 0; c != NULL && off < size; off += n) {
		n = size - off < step ? size - off : step;
		if (h2_client_conn_feed(c, data + off, n) == -1)
			break;
	}
	h2_client_free(cl);
	pass();
	pass();
	return 0;
}
