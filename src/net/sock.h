/*
 * Sockets: parse "host:port" bind addresses, non-blocking listeners on
 * IPv4 and IPv6, accept, and small fd helpers.
 */
#ifndef FABRIK_SOCK_H
#define FABRIK_SOCK_H

#include <sys/socket.h>

#include "base/buf.h"

/* Opens a non-blocking listening socket for "host:port", "[v6]:port",
 * ":port" (all interfaces, dual-stack where possible) or "port".  Port 0
 * picks a free port.  Returns the fd, or -1 with *err set; *port_out is
 * the port actually bound. */
int sock_listen(
    const char *addr, int backlog, int *port_out, const char **err) FAB_WUR;
/* Accepts one connection as a non-blocking, close-on-exec fd; -1 with
 * errno EAGAIN when none is pending. */
int sock_accept(int lfd, struct sockaddr_storage *, socklen_t *) FAB_WUR;
int sock_set_nonblock(int fd) FAB_WUR;
int sock_set_cloexec(int fd) FAB_WUR;
/* Asks the kernel to acknowledge received data at once (Linux
 * TCP_QUICKACK; a no-op elsewhere).  Used when a request body is expected:
 * clients that write the head and the body separately without
 * TCP_NODELAY otherwise wait out a delayed ACK (~40 ms) per upload. */
void sock_quickack(int fd);
/* Formats a peer address as "ip:port" into out. */
void sock_addr_str(const struct sockaddr_storage *, char *out, unsigned outlen);

#endif
