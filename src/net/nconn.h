/*
 * A non-blocking client connection: the socket, an optional TLS session
 * (net/ftls, SNI RFC 6066 §3, ALPN RFC 7301) and the setup steps the HTTP
 * clients share: addresses from an IP literal or a resolver, a TCP connect
 * to each address in turn, the TLS handshake, and reads and writes that
 * fold EINTR, EAGAIN and TLS retries into one convention.  The owner keeps
 * its state machine, its timers and the poll callback.
 */
#ifndef FABRIK_NCONN_H
#define FABRIK_NCONN_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

#include "base/buf.h"
#include "net/loop.h"

/* Addresses kept per connection (more from a resolver are ignored). */
#ifndef NCONN_MAX_ADDRS
#define NCONN_MAX_ADDRS (8)
#endif

/* Results of nconn_read and nconn_write besides bytes (> 0) and 0. */
#define NCONN_AGAIN (-1) /* nothing now: wait for the next poll event */
#define NCONN_ERROR (-2) /* fatal; nc->err says why */

struct ftls;
struct ftls_ctx;
struct nconn_resolve;

struct nconn_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Embedded in its owner; callers read the fields and change them only
 * through the functions below.
 */
struct nconn {
	struct loop *loop;
	loop_io_cb *io_cb; /* the owner's poll callback */
	void *arg; /* the owner, for io_cb and step callbacks */
	int fd; /* -1 when there is none */
	struct ftls *tls; /* NULL: cleartext, or TLS not started yet */
	int events; /* poll interest set on fd */
	int tls_read_wants_write; /* the last TLS read waits for LOOP_WRITE */
	struct nconn_addr addrs[NCONN_MAX_ADDRS];
	size_t naddrs, addr_next;
	struct nconn_resolve *res; /* a resolution in flight */
	const char *err; /* why the last step failed; lives as long as nc */
	char errbuf[256]; /* a TLS message outlives the ftls object */
};

/* The owner goes on after a setup step; arg is nc->arg. */
typedef void nconn_step_cb(void *arg);

/* Sets up nc with no socket; io_cb(loop, fd, events, arg) will watch it. */
void nconn_init(struct nconn *, struct loop *, loop_io_cb *io_cb, void *arg);
/*
 * Frees the TLS session, stops watching and closes the socket, and
 * detaches a resolution in flight (its done callback will not run).
 * nc->err stays readable.  Safe to call again.
 */
void nconn_close(struct nconn *);

/* Parses an IPv4 or IPv6 literal into ss (port 0).  Returns 0 or -1. */
int nconn_parse_ip(const char *, struct sockaddr_storage *, socklen_t *);
/* Adds an address to try (its port is set when it is tried); addresses
 * beyond NCONN_MAX_ADDRS are ignored. */
void nconn_add_addr(struct nconn *, const struct sockaddr_storage *, socklen_t);

/*
 * Begins finding the addresses of host.  An IP literal becomes the one
 * address at once and done runs inside this call (returns NULL); so it
 * does with nc->err "out of memory" when no handle can be had.  Otherwise
 * returns a handle for the owner's resolver, which adds the addresses
 * and ends it with nconn_resolve_end.
 */
struct nconn_resolve *nconn_resolve_start(
    struct nconn *, const char *host, nconn_step_cb *done);
/* The connection a resolution is for; NULL once it was closed. */
struct nconn *nconn_resolve_conn(const struct nconn_resolve *);
/*
 * Ends a resolution and frees the handle.  Unless the connection was
 * closed meanwhile, err (NULL when addresses were added) becomes nc->err
 * and done runs: nconn_connect_next then fails with it if need be.
 */
void nconn_resolve_end(struct nconn_resolve *, const char *err);

/*
 * Closes the socket of an earlier try and starts a TCP connect to the
 * next address with port (TCP_NODELAY, close-on-exec), watched for
 * LOOP_WRITE.  Returns 0 while a connect is in progress (then
 * nconn_connected when fd is writable), or -1 when no address is left:
 * nc->err says why the last one failed ("no address to connect to" when
 * there was none).
 */
int nconn_connect_next(struct nconn *, int port) FAB_WUR;
/* Takes over the connected socket fd (owned from now on, also when this
 * fails) watched for events.  Returns 0, or -1 on ENOMEM. */
int nconn_adopt(struct nconn *, int fd, int events) FAB_WUR;
/*
 * After fd became writable during a connect: 1 when the connection is
 * up, 0 while it is still in progress, -1 when this address failed
 * (nc->err says why; nconn_connect_next tries the next one).
 */
int nconn_connected(struct nconn *) FAB_WUR;
/* Starts a TLS client session on the connected socket with host as SNI
 * and the name to verify.  Returns 0, or -1 on ENOMEM. */
int nconn_tls_start(
    struct nconn *, struct ftls_ctx *, const char *host) FAB_WUR;
/*
 * Drives the TLS handshake: 1 when it is complete, 0 while it goes on
 * (the poll interest is set to what TLS waits for), -1 when it failed
 * (nc->err).  With alpn not NULL the server must have selected that
 * protocol, else it fails with "server did not select <alpn> with ALPN".
 */
int nconn_handshake(struct nconn *, const char *alpn) FAB_WUR;
/* The poll interest while connecting (LOOP_WRITE) or in the handshake
 * (what TLS waits for, LOOP_READ before the first step). */
int nconn_setup_events(const struct nconn *);
/* Sets the poll interest of fd to events (a no-op when unchanged). */
void nconn_set_events(struct nconn *, int events);

/*
 * Reads up to n bytes: > 0 bytes read, 0 at the end of the stream (TCP
 * FIN, or TLS close_notify), NCONN_AGAIN, or NCONN_ERROR with nc->err.
 * Over TLS nc->tls_read_wants_write tells whether the read waits for the
 * socket to be writable.
 */
ssize_t nconn_read(struct nconn *, void *, size_t n) FAB_WUR;
/*
 * Writes up to n bytes (never raising SIGPIPE): > 0 bytes taken,
 * NCONN_AGAIN, or NCONN_ERROR with nc->err; over TCP errno still holds
 * the error then (EPIPE, ECONNRESET, ...).
 */
ssize_t nconn_write(struct nconn *, const void *, size_t n) FAB_WUR;
/* Decrypted bytes that TLS holds and poll() cannot see; 0 in cleartext. */
size_t nconn_pending(const struct nconn *);

/*
 * A TLS client context: verify peers against ca_file (PEM; NULL: the
 * system store) unless verify is 0, and offer alpn when it is not NULL.
 * Returns NULL with a message in err[0..errlen).
 */
struct ftls_ctx *nconn_tls_ctx_new(const char *ca_file, int verify,
    const char *alpn, char *err, size_t errlen) FAB_WUR;

#endif
