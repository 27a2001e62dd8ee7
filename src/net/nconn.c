/*
 * Non-blocking client connections shared by the HTTP/1.1 and HTTP/2
 * clients: address list, TCP connect to each address in turn (POSIX
 * connect(2) with EINPROGRESS and SO_ERROR), TLS session start and
 * handshake with SNI and ALPN (net/ftls), and raw reads and writes.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/ftls.h"
#include "net/nconn.h"
#include "net/sock.h"

struct nconn_resolve {
	struct nconn *nc; /* NULL once the connection is closed */
	nconn_step_cb *done;
};

void
nconn_init(struct nconn *nc, struct loop *l, loop_io_cb *io_cb, void *arg)
{
	memset(nc, 0, sizeof(*nc));
	nc->loop = l;
	nc->io_cb = io_cb;
	nc->arg = arg;
	nc->fd = -1;
}

static void
nconn_drop_fd(struct nconn *nc)
{
	if (nc->fd == -1)
		return;
	loop_io_del(nc->loop, nc->fd);
	close(nc->fd);
	nc->fd = -1;
	nc->events = 0;
}

void
nconn_close(struct nconn *nc)
{
	if (nc->res != NULL) {
		nc->res->nc = NULL;
		nc->res = NULL;
	}
	if (nc->tls != NULL) {
		ftls_free(nc->tls);
		nc->tls = NULL;
	}
	nconn_drop_fd(nc);
}

/* ---- addresses ---- */

int
nconn_parse_ip(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

void
nconn_add_addr(
    struct nconn *nc, const struct sockaddr_storage *ss, socklen_t len)
{
	if (nc->naddrs == NCONN_MAX_ADDRS)
		return;
	nc->addrs[nc->naddrs].ss = *ss;
	nc->addrs[nc->naddrs].len = len;
	nc->naddrs++;
}

struct nconn_resolve *
nconn_resolve_start(struct nconn *nc, const char *host, nconn_step_cb *done)
{
	struct nconn_addr a;
	struct nconn_resolve *res;

	if (nconn_parse_ip(host, &a.ss, &a.len) == 0) {
		/* An IP literal needs no resolver. */
		nconn_add_addr(nc, &a.ss, a.len);
		done(nc->arg);
		return NULL;
	}
	if ((res = calloc(1, sizeof(*res))) == NULL) {
		nc->err = "out of memory";
		done(nc->arg);
		return NULL;
	}
	res->nc = nc;
	res->done = done;
	nc->res = res;
	return res;
}

struct nconn *
nconn_resolve_conn(const struct nconn_resolve *res)
{
	return res->nc;
}

void
nconn_resolve_end(struct nconn_resolve *res, const char *err)
{
	struct nconn *nc = res->nc;
	nconn_step_cb *done = res->done;

	free(res);
	if (nc == NULL)
		return;
	nc->res = NULL;
	nc->err = err;
	done(nc->arg);
}

/* ---- connect ---- */

static void
nconn_set_port(struct nconn_addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port =
		    htons((unsigned short)port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port =
		    htons((unsigned short)port);
}

int
nconn_connect_next(struct nconn *nc, int port)
{
	struct nconn_addr *a;
	int fd, one = 1;

	nconn_drop_fd(nc);
	while (nc->addr_next < nc->naddrs) {
		a = &nc->addrs[nc->addr_next++];
		nconn_set_port(a, port);
		if ((fd = socket(a->ss.ss_family, SOCK_STREAM, 0)) == -1) {
			nc->err = strerror(errno);
			continue;
		}
		if (sock_set_nonblock(fd) == -1 || sock_set_cloexec(fd) == -1) {
			nc->err = strerror(errno);
			close(fd);
			continue;
		}
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&a->ss, a->len) == -1 &&
		    errno != EINPROGRESS && errno != EINTR) {
			nc->err = strerror(errno);
			close(fd);
			continue;
		}
		if (loop_io_add(nc->loop, fd, LOOP_WRITE, nc->io_cb, nc->arg) ==
		    -1) {
			nc->err = "out of memory";
			close(fd);
			continue;
		}
		nc->fd = fd;
		nc->events = LOOP_WRITE;
		nc->err = NULL;
		return 0;
	}
	if (nc->err == NULL)
		nc->err = "no address to connect to";
	return -1;
}

int
nconn_adopt(struct nconn *nc, int fd, int events)
{
	nc->fd = fd;
	if (loop_io_add(nc->loop, fd, events, nc->io_cb, nc->arg) == -1)
		return -1;
	nc->events = events;
	return 0;
}

int
nconn_connected(struct nconn *nc)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(nc->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == EINPROGRESS)
		return 0;
	if (soerr != 0) {
		nc->err = strerror(soerr);
		return -1;
	}
	return 1;
}

/* ---- TLS ---- */

static void
nconn_tls_err(struct nconn *nc)
{
	snprintf(nc->errbuf, sizeof(nc->errbuf), "%s", ftls_error(nc->tls));
	nc->err = nc->errbuf;
}

struct ftls_ctx *
nconn_tls_ctx_new(
    const char *ca_file, int verify, const char *alpn, char *err, size_t errlen)
{
	struct ftls_ctx *ctx;

	if ((ctx = ftls_ctx_client_new(ca_file, verify, err, errlen)) == NULL)
		return NULL;
	if (alpn != NULL && ftls_ctx_set_alpn(ctx, &alpn, 1) == -1) {
		snprintf(err, errlen, "cannot set ALPN");
		ftls_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

int
nconn_tls_start(struct nconn *nc, struct ftls_ctx *ctx, const char *host)
{
	if ((nc->tls = ftls_client_new(ctx, nc->fd, host)) == NULL)
		return -1;
	/* The handshake sets the interest it needs on its first step. */
	nc->events = 0;
	return 0;
}

int
nconn_handshake(struct nconn *nc, const char *alpn)
{
	const char *got;
	int rc = ftls_handshake(nc->tls);

	if (rc == FTLS_ERROR) {
		nconn_tls_err(nc);
		return -1;
	}
	if (rc != 0) {
		nconn_set_events(nc, ftls_want_events(rc));
		return 0;
	}
	got = ftls_alpn(nc->tls);
	if (alpn != NULL && (got == NULL || strcmp(got, alpn) != 0)) {
		snprintf(nc->errbuf, sizeof(nc->errbuf),
		    "server did not select %s with ALPN (%s)", alpn,
		    got != NULL ? got : "no protocol");
		nc->err = nc->errbuf;
		return -1;
	}
	return 1;
}

int
nconn_setup_events(const struct nconn *nc)
{
	if (nc->tls == NULL)
		return LOOP_WRITE;
	return nc->events != 0 ? nc->events : LOOP_READ;
}

void
nconn_set_events(struct nconn *nc, int events)
{
	if (events == nc->events)
		return;
	loop_io_set(nc->loop, nc->fd, events);
	nc->events = events;
}

/* ---- reading and writing ---- */

/* Maps a TLS result onto the nconn convention. */
static ssize_t
nconn_tls_result(struct nconn *nc, ssize_t rc)
{
	if (rc >= 0)
		return rc;
	if (rc == FTLS_ERROR) {
		nconn_tls_err(nc);
		return NCONN_ERROR;
	}
	return NCONN_AGAIN;
}

/* Maps a failed read(2) or send(2) (errno); EINTR means "call again". */
static ssize_t
nconn_sys_error(struct nconn *nc)
{
	if (errno == EINTR)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return NCONN_AGAIN;
	nc->err = strerror(errno);
	return NCONN_ERROR;
}

ssize_t
nconn_read(struct nconn *nc, void *out, size_t n)
{
	ssize_t rc;

	if (nc->tls != NULL) {
		rc = ftls_read(nc->tls, out, n);
		nc->tls_read_wants_write = rc == FTLS_WANT_WRITE;
		return nconn_tls_result(nc, rc);
	}
	for (;;) {
		rc = read(nc->fd, out, n);
		if (rc >= 0 || (rc = nconn_sys_error(nc)) != 0)
			return rc;
	}
}

ssize_t
nconn_write(struct nconn *nc, const void *in, size_t n)
{
	ssize_t rc;

	if (nc->tls != NULL)
		return nconn_tls_result(nc, ftls_write(nc->tls, in, n));
	for (;;) {
		rc = send(nc->fd, in, n, MSG_NOSIGNAL);
		if (rc >= 0 || (rc = nconn_sys_error(nc)) != 0)
			return rc;
	}
}

size_t
nconn_pending(const struct nconn *nc)
{
	return nc->tls != NULL ? ftls_pending(nc->tls) : 0;
}
