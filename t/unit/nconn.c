/*
 * Unit tests for net/nconn without a peer of their own: IP literals, the
 * read/write conventions over a socketpair (bytes, NCONN_AGAIN, 0 at the
 * end, NCONN_ERROR with a message and errno), TCP connects to a loopback
 * listener made here, to a bound port that does not listen (refused) and
 * through a list of addresses, resolution handles, and the TLS client
 * side: SNI and ALPN in the ClientHello, a handshake failure whose
 * message outlives the session, and bad context arguments.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/ftls.h"
#include "net/loop.h"
#include "net/nconn.h"
#include "net/sock.h"
#include "tap.h"

int main(void);

static int steps; /* nconn_step_cb calls */

static void
io_cb(struct loop *l, int fd, int events, void *arg)
{
	(void)l;
	(void)fd;
	(void)events;
	(void)arg;
}

static void
step(void *arg)
{
	(void)arg;
	steps++;
}

/* Waits (bounded) until fd has events; 1 when it has. */
static int
wait_for(int fd, short events)
{
	struct pollfd p;

	p.fd = fd;
	p.events = events;
	p.revents = 0;
	return poll(&p, 1, 5000) == 1;
}

/* A non-blocking socketpair; sv[0] for nconn, sv[1] the peer. */
static int
pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	if (sock_set_nonblock(sv[0]) == -1 || sock_set_nonblock(sv[1]) == -1)
		return -1;
	return 0;
}

static void
test_parse_ip(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	socklen_t len = 0;
	char s[64];

	is_int(nconn_parse_ip("192.0.2.7", &ss, &len), 0, "IPv4 literal");
	is_int(ss.ss_family, AF_INET, "IPv4 family");
	is_int(len, sizeof(struct sockaddr_in), "IPv4 length");
	inet_ntop(AF_INET, &sin->sin_addr, s, sizeof(s));
	is_str(s, "192.0.2.7", "IPv4 address");
	is_int(sin->sin_port, 0, "IPv4 port left 0");
	is_int(nconn_parse_ip("2001:db8::1", &ss, &len), 0, "IPv6 literal");
	is_int(ss.ss_family, AF_INET6, "IPv6 family");
	is_int(len, sizeof(struct sockaddr_in6), "IPv6 length");
	is_int(nconn_parse_ip("localhost", &ss, &len), -1, "a name is not");
	is_int(nconn_parse_ip("[::1]", &ss, &len), -1, "no brackets");
	is_int(nconn_parse_ip("", &ss, &len), -1, "empty");
}

static void
test_read_write(struct loop *l)
{
	struct nconn nc;
	char buf[64 * 1024];
	ssize_t n;
	size_t total;
	int sv[2], i;

	if (pair(sv) == -1) {
		ok(0, "socketpair");
		return;
	}
	nconn_init(&nc, l, io_cb, NULL);
	is_int(nc.fd, -1, "no socket after init");
	is_int(nconn_adopt(&nc, sv[0], LOOP_READ), 0, "adopt");
	is_int(nc.fd, sv[0], "adopted fd");
	is_int(nc.events, LOOP_READ, "adopted events");
	is_int(nconn_pending(&nc), 0, "nothing pending in cleartext");

	is_int(nconn_read(&nc, buf, sizeof(buf)), NCONN_AGAIN,
	    "read with nothing there");
	is_int(nconn_write(&nc, "hello", 5), 5, "write takes 5 bytes");
	n = read(sv[1], buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "hello", 5, "peer got them");
	is_int(write(sv[1], "abc", 3), 3, "peer writes");
	n = nconn_read(&nc, buf, sizeof(buf));
	is_mem(buf, n > 0 ? (size_t)n : 0, "abc", 3, "read returns them");
	shutdown(sv[1], SHUT_WR);
	is_int(nconn_read(&nc, buf, sizeof(buf)), 0, "read 0 at the end");

	/* Fill the socket buffer: the write must stop with NCONN_AGAIN. */
	memset(buf, 'x', sizeof(buf));
	total = 0;
	n = 0;
	for (i = 0; i < 4096; i++) {
		n = nconn_write(&nc, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	is_int(n, NCONN_AGAIN, "a full buffer makes write wait");
	ok(total > 0, "bytes were taken before (%zu)", total);
	ok(nc.err == NULL, "no error from waiting");

	/* The peer leaves: writes fail with EPIPE. */
	close(sv[1]);
	errno = 0;
	is_int(nconn_write(&nc, "z", 1), NCONN_ERROR, "write fails");
	is_int(errno, EPIPE, "errno still EPIPE");
	is_str(nc.err, strerror(EPIPE), "error message");

	nconn_close(&nc);
	is_int(nc.fd, -1, "closed");
	is_int(nc.events, 0, "no events after close");
	nconn_close(&nc);
	is_int(nc.fd, -1, "closing again is harmless");
}

/* A TCP socket bound to 127.0.0.1 on a free port; listens if asked. */
static int
bound_socket(int listen_too, int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sock_set_nonblock(fd) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    (listen_too && listen(fd, 4) == -1) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

static void
add_literal(struct nconn *nc, const char *ip)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (nconn_parse_ip(ip, &ss, &len) == 0)
		nconn_add_addr(nc, &ss, len);
}

/*
 * Connects nc to the next address and waits for the outcome: 1 up, -1
 * failed (synchronously or through SO_ERROR), 0 stuck.
 */
static int
connect_one(struct nconn *nc, int port)
{
	if (nconn_connect_next(nc, port) == -1)
		return -1;
	if (nc->events != LOOP_WRITE || nc->err != NULL)
		return 0;
	/* Writable means the connect finished, either way. */
	return wait_for(nc->fd, POLLOUT) ? nconn_connected(nc) : 0;
}

static void
test_connect(struct loop *l)
{
	struct nconn nc;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct linger lin = { 1, 0 };
	char buf[16];
	int lfd, dead, port, dead_port, afd, rc;

	nconn_init(&nc, l, io_cb, NULL);
	is_int(nconn_connect_next(&nc, 80), -1, "no address: fails");
	is_str(nc.err, "no address to connect to", "no address message");
	nconn_close(&nc);

	if ((lfd = bound_socket(1, &port)) == -1 ||
	    (dead = bound_socket(0, &dead_port)) == -1) {
		ok(0, "loopback sockets");
		return;
	}

	/* Success: the port is set on the address and the peer accepts. */
	nconn_init(&nc, l, io_cb, NULL);
	add_literal(&nc, "127.0.0.1");
	is_int(nc.naddrs, 1, "one address");
	is_int(connect_one(&nc, port), 1, "connect to a listener");
	is_int(getpeername(nc.fd, (struct sockaddr *)&sin, &len), 0,
	    "getpeername");
	is_int(ntohs(sin.sin_port), port, "the port was set");
	afd = wait_for(lfd, POLLIN) ? accept(lfd, NULL, NULL) : -1;
	ok(afd != -1, "the listener accepted");
	is_int(nconn_write(&nc, "ping", 4), 4, "write on the connection");
	/* A reset (close with a zero linger) is a read error. */
	if (afd != -1) {
		(void)setsockopt(afd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		close(afd);
	}
	ok(wait_for(nc.fd, POLLIN), "the reset arrives");
	is_int(nconn_read(&nc, buf, sizeof(buf)), NCONN_ERROR,
	    "read fails after a reset");
	is_str(nc.err, strerror(ECONNRESET), "reset message");
	nconn_close(&nc);

	/* Refused: bound, not listening (the port stays ours). */
	nconn_init(&nc, l, io_cb, NULL);
	add_literal(&nc, "127.0.0.1");
	is_int(connect_one(&nc, dead_port), -1, "a closed port fails");
	is_str(nc.err, strerror(ECONNREFUSED), "connection refused");
	is_int(nconn_connect_next(&nc, dead_port), -1, "no address left");
	is_str(nc.err, strerror(ECONNREFUSED), "the last error is kept");
	is_int(nc.fd, -1, "the failed socket was closed");
	nconn_close(&nc);

	/* Addresses in turn: 127.0.0.2 refuses the port, 127.0.0.1 takes
	 * it (the listener is bound to 127.0.0.1 only). */
	nconn_init(&nc, l, io_cb, NULL);
	add_literal(&nc, "127.0.0.2");
	add_literal(&nc, "127.0.0.1");
	/* A refusal shows in connect() itself or later in SO_ERROR. */
	if ((rc = connect_one(&nc, port)) == -1)
		rc = connect_one(&nc, port);
	is_int(rc, 1, "the second address connects");
	is_int(nc.addr_next, 2, "after trying both in turn");
	ok(nc.err == NULL, "no error once connected");
	afd = wait_for(lfd, POLLIN) ? accept(lfd, NULL, NULL) : -1;
	ok(afd != -1, "accepted the second try");
	if (afd != -1)
		close(afd);
	nconn_close(&nc);

	close(lfd);
	close(dead);
}

static void
test_addrs_and_resolve(struct loop *l)
{
	struct nconn nc;
	struct nconn_resolve *res;
	int i;

	nconn_init(&nc, l, io_cb, NULL);
	for (i = 0; i < NCONN_MAX_ADDRS + 3; i++)
		add_literal(&nc, "127.0.0.1");
	is_int(nc.naddrs, NCONN_MAX_ADDRS, "addresses capped");
	nconn_close(&nc);

	/* A literal: no handle, one address, done ran inside. */
	nconn_init(&nc, l, io_cb, NULL);
	steps = 0;
	res = nconn_resolve_start(&nc, "::1", step);
	ok(res == NULL, "no handle for a literal");
	is_int(steps, 1, "done ran at once");
	is_int(nc.naddrs, 1, "the literal is the address");
	is_int(nc.addrs[0].ss.ss_family, AF_INET6, "an IPv6 address");
	nconn_close(&nc);

	/* A name: a handle the resolver ends. */
	nconn_init(&nc, l, io_cb, NULL);
	steps = 0;
	res = nconn_resolve_start(&nc, "example.test", step);
	ok(res != NULL, "a handle for a name");
	is_int(steps, 0, "done waits for the resolver");
	ok(res != NULL && nconn_resolve_conn(res) == &nc, "handle -> conn");
	if (res != NULL)
		nconn_resolve_end(res, "host not found");
	is_int(steps, 1, "done ran at the end");
	is_str(nc.err, "host not found", "the resolver's error");
	is_int(nconn_connect_next(&nc, 80), -1, "nothing to connect to");
	is_str(nc.err, "host not found", "connect reports the resolution");
	nconn_close(&nc);

	/* Closed meanwhile: the handle outlives it, done does not run. */
	nconn_init(&nc, l, io_cb, NULL);
	steps = 0;
	res = nconn_resolve_start(&nc, "example.test", step);
	nconn_close(&nc);
	ok(res != NULL && nconn_resolve_conn(res) == NULL,
	    "a closed connection detaches the handle");
	if (res != NULL)
		nconn_resolve_end(res, NULL);
	is_int(steps, 0, "no done after close");
}

/* Whether the n bytes at p hold the string s. */
static int
has(const unsigned char *p, size_t n, const char *s)
{
	size_t i, sl = strlen(s);

	for (i = 0; i + sl <= n; i++)
		if (memcmp(p + i, s, sl) == 0)
			return 1;
	return 0;
}

static void
test_tls(struct loop *l)
{
	static const char junk[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	struct ftls_ctx *ctx;
	struct nconn nc;
	unsigned char hello[4096];
	char err[256], msg[256];
	ssize_t n;
	int sv[2];

	err[0] = '\0';
	ctx = nconn_tls_ctx_new(NULL, 1, "", err, sizeof(err));
	ok(ctx == NULL, "an empty ALPN name is refused");
	is_str(err, "cannot set ALPN", "its message");
	err[0] = '\0';
	ctx =
	    nconn_tls_ctx_new("/nonexistent/ca.pem", 1, NULL, err, sizeof(err));
	ok(ctx == NULL && err[0] != '\0', "a missing CA file: %s", err);
	ctx = nconn_tls_ctx_new(NULL, 0, "h2", err, sizeof(err));
	if (ctx == NULL) {
		ok(0, "client context: %s", err);
		return;
	}
	if (pair(sv) == -1) {
		ok(0, "socketpair");
		ftls_ctx_free(ctx);
		return;
	}
	nconn_init(&nc, l, io_cb, NULL);
	is_int(nconn_adopt(&nc, sv[0], LOOP_WRITE), 0, "adopt");
	is_int(nconn_setup_events(&nc), LOOP_WRITE, "connecting: LOOP_WRITE");
	is_int(nconn_tls_start(&nc, ctx, "sni.example.test"), 0, "TLS start");
	is_int(nc.events, 0, "interest left to the handshake");
	is_int(nconn_setup_events(&nc), LOOP_READ, "before the first step");
	is_int(nconn_handshake(&nc, "h2"), 0, "the handshake waits");
	is_int(nc.events, LOOP_READ, "for the server's answer");
	is_int(nconn_setup_events(&nc), LOOP_READ, "setup events follow");
	n = read(sv[1], hello, sizeof(hello));
	ok(n > 5 && hello[0] == 0x16, "a TLS handshake record (%zd)", n);
	ok(n > 0 && has(hello, (size_t)n, "sni.example.test"),
	    "the ClientHello names the host (SNI)");
	ok(n > 0 && has(hello, (size_t)n, "\002h2"),
	    "the ClientHello offers h2 (ALPN)");
	is_int(nconn_read(&nc, hello, sizeof(hello)), NCONN_AGAIN,
	    "a TLS read waits too");

	/* A server that is not one: the handshake fails with a message. */
	is_int(write(sv[1], junk, sizeof(junk) - 1),
	    (long long)sizeof(junk) - 1, "peer answers in plain text");
	is_int(nconn_handshake(&nc, "h2"), -1, "the handshake fails");
	ok(nc.err != NULL && nc.err[0] != '\0', "with a message: %s",
	    nc.err != NULL ? nc.err : "(null)");
	snprintf(msg, sizeof(msg), "%s", nc.err != NULL ? nc.err : "");
	nconn_close(&nc);
	ok(nc.tls == NULL && nc.fd == -1, "session and socket gone");
	is_str(nc.err, msg, "the message outlives the session");
	close(sv[1]);
	ftls_ctx_free(ctx);
}

int
main(void)
{
	struct loop *l;

	signal(SIGPIPE, SIG_IGN);
	if ((l = loop_new()) == NULL) {
		ok(0, "loop_new");
		return done_testing();
	}
	test_parse_ip();
	test_read_write(l);
	test_connect(l);
	test_addrs_and_resolve(l);
	test_tls(l);
	loop_free(l);
	return done_testing();
}
