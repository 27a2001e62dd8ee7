/*
 * Listening sockets and accept (POSIX sockets, RFC 3493 for IPv6).
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/sock.h"

/* Linux's option number; hidden by glibc in strict POSIX mode. */
#if defined(__linux__) && !defined(TCP_QUICKACK)
#define TCP_QUICKACK 12
#endif

int
sock_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

int
sock_set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

/* Splits addr into host (may be empty) and port text. */
static int
sock_split(
    const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon, *end;
	size_t n;

	if (addr[0] == '[') {
		end = strchr(addr, ']');
		if (end == NULL || end[1] != ':')
			return -1;
		n = (size_t)(end - addr - 1);
		if (n >= hostlen)
			return -1;
		memcpy(host, addr + 1, n);
		host[n] = '\0';
		colon = end + 1;
	} else if ((colon = strrchr(addr, ':')) == NULL) {
		host[0] = '\0';
		colon = addr - 1;
	} else {
		n = (size_t)(colon - addr);
		if (n >= hostlen)
			return -1;
		memcpy(host, addr, n);
		host[n] = '\0';
	}
	n = strlen(colon + 1);
	if (n == 0 || n >= portlen || strspn(colon + 1, "0123456789") != n)
		return -1;
	memcpy(port, colon + 1, n + 1);
	if (atoi(port) > 65535)
		return -1;
	return 0;
}

static int
sock_port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int
sock_listen(const char *addr, int backlog, int *port_out, const char **err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], port[8];
	int fd = -1, one = 1, zero = 0, rc;

	if (sock_split(addr, host, sizeof(host), port, sizeof(port)) == -1) {
		*err = "bad listen address (want host:port, [v6]:port or "
		       ":port)";
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if (host[0] == '\0' || strcmp(host, "*") == 0) {
		/* All interfaces: prefer a dual-stack IPv6 socket. */
		hints.ai_family = AF_INET6;
		if (getaddrinfo(NULL, port, &hints, &res) != 0)
			res = NULL;
		if (res == NULL) {
			hints.ai_family = AF_INET;
			if (getaddrinfo(NULL, port, &hints, &res) != 0)
				res = NULL;
		}
	} else {
		hints.ai_family = AF_UNSPEC;
		rc = getaddrinfo(host, port, &hints, &res);
		if (rc != 0) {
			*err = "cannot resolve listen address";
			return -1;
		}
	}
	if (res == NULL) {
		*err = "cannot resolve listen address";
		return -1;
	}
	*err = "cannot listen";
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6 && host[0] == '\0')
			setsockopt(
			    fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog) == 0 && sock_set_nonblock(fd) == 0 &&
		    sock_set_cloexec(fd) == 0)
			break;
		*err = errno == EADDRINUSE ? "address already in use"
		    : errno == EACCES	   ? "permission denied"
					   : "cannot bind";
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd != -1 && port_out != NULL)
		*port_out = sock_port_of(fd);
	return fd;
}

int
sock_accept(int lfd, struct sockaddr_storage *ss, socklen_t *len)
{
	int fd, one = 1;

	*len = sizeof(*ss);
	fd = accept(lfd, (struct sockaddr *)ss, len);
	if (fd == -1)
		return -1;
	if (sock_set_nonblock(fd) == -1 || sock_set_cloexec(fd) == -1) {
		close(fd);
		errno = EIO;
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

void
sock_quickack(int fd)
{
#ifdef TCP_QUICKACK
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)fd;
#endif
}

void
sock_addr_str(const struct sockaddr_storage *ss, char *out, unsigned outlen)
{
	char ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(out, outlen, "[%s]:%d", ip, ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(out, outlen, "%s:%d", ip, ntohs(s4->sin_port));
	} else {
		snprintf(out, outlen, "local");
	}
}
