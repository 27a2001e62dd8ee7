/*
 * A small gRPC load driver on Fabrik's own client (http/grpc_client):
 * keeps CONCURRENCY calls of one method in flight over one HTTP/2
 * connection for SECONDS, then prints calls/s, latency percentiles and
 * the response bytes per second.  Every call must end with grpc-status 0
 * (others are counted as errors), so it measures what a real client
 * sees, trailers included.
 *
 *   grpc-driver grpc://127.0.0.1:PORT /pkg.Svc/Method REQUEST SECONDS
 *       CONCURRENCY
 *
 * REQUEST is the protobuf request message (unframed) in a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "http/grpc_client.h"
#include "net/loop.h"

#define MAX_SAMPLES (8u * 1024 * 1024)

struct drv {
	struct loop *l;
	struct grpc_client *c;
	struct grpc_client_request rq;
	unsigned inflight, concurrency;
	int stopping;
	uint64_t calls, errors, bytes;
	uint32_t *lat; /* microseconds */
	size_t nlat;
	const char *first_error;
	char errbuf[256];
};

struct one {
	struct drv *d;
	uint64_t t0;
};

static void start_one(struct drv *);

static int
on_message(
    struct grpc_client_call *call, const unsigned char *m, size_t n, void *arg)
{
	struct one *o = arg;

	(void)call;
	(void)m;
	o->d->bytes += n;
	return 0;
}

static void
on_done(struct grpc_client_call *call, const struct grpc_client_status *st,
    void *arg)
{
	struct one *o = arg;
	struct drv *d = o->d;
	uint64_t us = clock_mono_us() - o->t0;

	(void)call;
	free(o);
	d->inflight--;
	if (st->code == 0) {
		d->calls++;
		if (d->nlat < MAX_SAMPLES)
			d->lat[d->nlat++] =
			    us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	} else {
		d->errors++;
		if (d->first_error == NULL) {
			snprintf(d->errbuf, sizeof(d->errbuf), "status %d: %s",
			    st->code, st->message);
			d->first_error = d->errbuf;
		}
	}
	if (!d->stopping)
		start_one(d);
	else if (d->inflight == 0)
		loop_stop(d->l);
}

static void
start_one(struct drv *d)
{
	struct one *o = malloc(sizeof(*o));
	const char *err;

	if (o == NULL)
		return;
	o->d = d;
	o->t0 = clock_mono_us();
	d->rq.arg = o;
	if (grpc_client_call_start(d->c, &d->rq, &err) == NULL) {
		fprintf(stderr, "grpc-driver: %s\n", err);
		free(o);
		return;
	}
	d->inflight++;
}

static void
on_deadline(struct loop *l, void *arg)
{
	struct drv *d = arg;

	d->stopping = 1;
	if (d->inflight == 0)
		loop_stop(l);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct drv d;
	char err[256];
	unsigned char *req;
	long len;
	double secs;
	uint64_t t0, t1;
	unsigned i;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr,
		    "usage: grpc-driver TARGET METHOD REQUEST "
		    "SECONDS CONCURRENCY\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	if ((f = fopen(argv[3], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (req = malloc((size_t)len + 1)) == NULL ||
	    fread(req, 1, (size_t)len, f) != (size_t)len) {
		perror(argv[3]);
		return 1;
	}
	fclose(f);
	secs = atof(argv[4]);
	d.concurrency = (unsigned)atoi(argv[5]);
	if ((d.lat = malloc(sizeof(*d.lat) * MAX_SAMPLES)) == NULL ||
	    (d.l = loop_new()) == NULL ||
	    (d.c = grpc_client_new(d.l, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "grpc-driver: cannot start\n");
		return 1;
	}
	d.rq.target = argv[1];
	d.rq.method = argv[2];
	d.rq.message = req;
	d.rq.message_len = (size_t)len;
	d.rq.timeout_ms = 60000;
	d.rq.on_message = on_message;
	d.rq.on_done = on_done;
	t0 = clock_mono_us();
	for (i = 0; i < d.concurrency; i++)
		start_one(&d);
	(void)loop_timer_add(d.l, (uint64_t)(secs * 1000), on_deadline, &d);
	if (loop_run(d.l) == -1)
		return 1;
	t1 = clock_mono_us();
	qsort(d.lat, d.nlat, sizeof(*d.lat), cmp_u32);
	secs = (double)(t1 - t0) / 1e6;
	printf("calls %llu errors %llu  %.0f calls/s  p50 %.3f ms  p99 %.3f ms"
	       "  %.2f GB/s%s%s\n",
	    (unsigned long long)d.calls, (unsigned long long)d.errors,
	    (double)d.calls / secs, d.nlat ? d.lat[d.nlat / 2] / 1000.0 : 0.0,
	    d.nlat ? d.lat[(size_t)(d.nlat * 0.99)] / 1000.0 : 0.0,
	    (double)d.bytes / secs / 1e9,
	    d.first_error ? "  first error: " : "",
	    d.first_error ? d.first_error : "");
	grpc_client_free(d.c);
	loop_free(d.l);
	free(d.lat);
	free(req);
	return d.errors > 0 && d.calls == 0;
}
