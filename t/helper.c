/*
 * t/helper: a small raw-socket client for scenario tests.
 *
 *   helper raw PORT [DELAY_MS [CHUNK]]
 *	Sends stdin to 127.0.0.1:PORT in CHUNK-byte pieces (default: all at
 *	once) with DELAY_MS between them, then prints everything the server
 *	sends until it closes or 3 s pass in silence.
 *   helper hold PORT SECONDS
 *	Connects, sends nothing, and prints how many seconds passed before
 *	the server closed the connection (or "open" after SECONDS).
 *   helper grpc-echo [WRITE_TIMEOUT_MS [IDLE_TIMEOUT_MS]]
 *	Serves the test service fabrik.test.Echo over cleartext HTTP/2 on
 *	127.0.0.1:0 (http/grpc_server), printing "[fabrik] listening grpc
 *	on 127.0.0.1:PORT" and "[fabrik] ready", and "[fabrik] cancel PATH"
 *	whenever a call is cancelled.  Methods (raw bytes, no protobuf):
 *	  Unary         echoes the last request message
 *	  ServerStream  request = 4-octet big-endian count N + payload:
 *	                N responses of payload, with backpressure
 *	  ClientStream  one response: all request messages concatenated
 *	  Fail          request "CODE[ MESSAGE]": ends with that status
 *	  Metadata      request = a header name: responds with its value,
 *	                UNAUTHENTICATED when absent
 *	  Sleep         never answers (deadline and cancel tests)
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "http/grpc_frame.h"
#include "http/grpc_server.h"
#include "net/loop.h"
#include "net/sock.h"

int main(int, char **);

static int
helper_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
helper_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Prints what the server sends until EOF or silence. */
static void
helper_drain(int fd, int silence_ms)
{
	struct pollfd pfd;
	char buf[65536];
	ssize_t n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, silence_ms) <= 0)
			return;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

static int
helper_raw(int port, long delay, size_t chunk)
{
	static char data[1 << 24];
	size_t len = 0, off, n;
	ssize_t w;
	int fd;

	len = fread(data, 1, sizeof(data), stdin);
	if ((fd = helper_connect(port)) == -1) {
		perror("connect");
		return 1;
	}
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		w = write(fd, data + off, n);
		if (w <= 0)
			break;
		n = (size_t)w;
		if (delay > 0 && off + n < len)
			helper_sleep_ms(delay);
	}
	helper_drain(fd, 3000);
	close(fd);
	return 0;
}

static int
helper_hold(int port, int seconds)
{
	struct pollfd pfd;
	char c;
	time_t t0 = time(NULL);
	int fd;

	if ((fd = helper_connect(port)) == -1) {
		perror("connect");
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, seconds * 1000) > 0 && read(fd, &c, 1) <= 0)
		printf("closed %ld\n", (long)(time(NULL) - t0));
	else
		printf("open\n");
	close(fd);
	return 0;
}

/* ---- grpc-echo ---- */

struct echo_call {
	struct buf acc; /* request messages (last or concatenated) */
	uint32_t left; /* ServerStream responses still to send */
	int concat;
};

static struct echo_call *
echo_state(struct grpc_call *call)
{
	struct echo_call *e = grpc_call_data(call);

	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			abort();
		buf_init(&e->acc);
		grpc_call_set_data(call, e);
	}
	return e;
}

static void
echo_release(struct grpc_call *call)
{
	struct echo_call *e = grpc_call_data(call);

	if (e == NULL)
		return;
	buf_release(&e->acc);
	free(e);
	grpc_call_set_data(call, NULL);
}

static void
echo_finish(struct grpc_call *call, int status, const char *msg)
{
	echo_release(call);
	grpc_call_finish(call, status, msg);
}

static void
echo_msg(struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct echo_call *e = echo_state(call);

	if (!e->concat)
		buf_reset(&e->acc);
	if (buf_append(&e->acc, m, len) == -1)
		abort();
}

static void
echo_concat_msg(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	echo_state(call)->concat = 1;
	echo_msg(call, m, len, arg);
}

static void
echo_cancel(struct grpc_call *call, void *arg)
{
	printf("[fabrik] cancel %s\n", grpc_call_path(call));
	fflush(stdout);
	echo_release(call);
}

static void
echo_unary_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);

	if (grpc_call_send(call, e->acc.data, e->acc.len) == -1)
		abort();
	echo_finish(call, GRPC_STATUS_OK, NULL);
}

static void
echo_stream_more(struct grpc_call *call, void *arg)
{
	struct echo_call *e = grpc_call_data(call);
	int rc = 0;

	while (e->left > 0 && rc == 0) {
		e->left--;
		rc = grpc_call_send(call, e->acc.data + 4, e->acc.len - 4);
		if (rc == -1) {
			echo_finish(call, GRPC_STATUS_INTERNAL, "send failed");
			return;
		}
	}
	if (e->left == 0) {
		echo_finish(call, GRPC_STATUS_OK, NULL);
		return;
	}
	grpc_call_on_writable(call, echo_stream_more, NULL);
}

static void
echo_stream_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	const unsigned char *p = e->acc.data;

	if (e->acc.len < 4) {
		echo_finish(
		    call, GRPC_STATUS_INVALID_ARGUMENT, "need a 4-octet count");
		return;
	}
	e->left = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	echo_stream_more(call, NULL);
}

static void
echo_fail_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	const char *s = buf_cstr(&e->acc);
	const char *sp = strchr(s, ' ');
	char *msg = strdup(sp != NULL ? sp + 1 : "");
	int code = atoi(s);

	if (msg == NULL)
		abort();
	echo_release(call);
	grpc_call_finish(call, code, msg);
	free(msg);
}

static void
echo_metadata_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	struct span v = grpc_call_metadata(call, buf_cstr(&e->acc));

	if (v.p == NULL) {
		echo_finish(
		    call, GRPC_STATUS_UNAUTHENTICATED, "no such header");
		return;
	}
	if (grpc_call_send(call, v.p, v.len) == -1)
		abort();
	echo_finish(call, GRPC_STATUS_OK, NULL);
}

static void
echo_sleep_end(struct grpc_call *call, void *arg)
{
	echo_state(call);
}

static const struct grpc_method echo_methods[] = {
	{ "/fabrik.test.Echo/Unary", echo_msg, echo_unary_end, echo_cancel },
	{ "/fabrik.test.Echo/ServerStream", echo_msg, echo_stream_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/ClientStream", echo_concat_msg, echo_unary_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/Fail", echo_msg, echo_fail_end, echo_cancel },
	{ "/fabrik.test.Echo/Metadata", echo_msg, echo_metadata_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/Sleep", echo_msg, echo_sleep_end, echo_cancel },
};

static int
helper_grpc_echo(uint64_t write_ms, uint64_t idle_ms)
{
	struct h2_limits lim;
	struct grpc_server *s;
	struct loop *l;
	const char *err = NULL;
	int fd, port = 0;

	log_setup(
	    getenv("HELPER_DEBUG") != NULL ? LOG_DEBUG : LOG_INFO, LOG_TEXT);
	memset(&lim, 0, sizeof(lim));
	lim.write_timeout_ms = write_ms;
	lim.idle_timeout_ms = idle_ms;
	if ((l = loop_new()) == NULL)
		return 1;
	if ((fd = sock_listen("127.0.0.1:0", 128, &port, &err)) == -1) {
		fprintf(stderr, "listen: %s\n", err);
		return 1;
	}
	s = grpc_server_new(l, fd, "grpc-echo", echo_methods,
	    sizeof(echo_methods) / sizeof(echo_methods[0]), NULL, &lim);
	if (s == NULL)
		return 1;
	printf(
	    "[fabrik] listening grpc on 127.0.0.1:%d\n[fabrik] ready\n", port);
	fflush(stdout);
	if (loop_run(l) == -1)
		return 1;
	grpc_server_free(s);
	loop_free(l);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && strcmp(argv[1], "raw") == 0)
		return helper_raw(atoi(argv[2]), argc > 3 ? atol(argv[3]) : 0,
		    argc > 4 ? (size_t)atol(argv[4]) : 0);
	if (argc >= 4 && strcmp(argv[1], "hold") == 0)
		return helper_hold(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 2 && strcmp(argv[1], "grpc-echo") == 0)
		return helper_grpc_echo(argc > 2 ? (uint64_t)atol(argv[2]) : 0,
		    argc > 3 ? (uint64_t)atol(argv[3]) : 0);
	fprintf(stderr,
	    "usage: helper raw PORT [DELAY_MS [CHUNK]] | "
	    "hold PORT SECONDS | grpc-echo [WRITE_MS [IDLE_MS]]\n");
	return 2;
}
