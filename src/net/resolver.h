/*
 * Asynchronous stub resolver on the poll loop: host names to IPv4/IPv6
 * addresses from numeric literals, the hosts file, a TTL cache, or A/AAAA
 * queries over UDP (TCP when the answer is truncated) to the nameservers
 * of resolv.conf, with retries, server rotation and search domains.
 */
#ifndef FABRIK_RESOLVER_H
#define FABRIK_RESOLVER_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#ifndef RESOLVER_MAX_NAMESERVERS
#define RESOLVER_MAX_NAMESERVERS 3 /* as glibc's MAXNS */
#endif
#ifndef RESOLVER_MAX_SEARCH
#define RESOLVER_MAX_SEARCH 6
#endif
#ifndef RESOLVER_CACHE_MAX
#define RESOLVER_CACHE_MAX 256 /* cached (name, type) answers */
#endif
#ifndef RESOLVER_MAX_ADDRS
#define RESOLVER_MAX_ADDRS 16 /* addresses kept per name and family */
#endif
#ifndef RESOLVER_MAX_CNAME
#define RESOLVER_MAX_CNAME 8 /* CNAME links followed */
#endif
#ifndef RESOLVER_MAX_TTL
#define RESOLVER_MAX_TTL 3600 /* seconds; longer TTLs are capped */
#endif
#ifndef RESOLVER_MAX_FILE
#define RESOLVER_MAX_FILE (1024 * 1024) /* resolv.conf / hosts bytes */
#endif

struct loop;
struct resolver;
struct resolver_lookup;

/* One address: family AF_INET (4 bytes of addr used) or AF_INET6. */
struct resolver_addr {
	int family;
	uint8_t addr[16];
};

/* Called exactly once per lookup that was not cancelled, always from the
 * loop (never from inside resolver_lookup).  On success err is NULL and
 * addrs holds n >= 1 addresses (IPv4 first for AF_UNSPEC); on failure
 * err is a static message and n is 0.  addrs lives until cb returns.
 * The lookup handle is invalid once cb runs; cb may start new lookups,
 * cancel others or free the resolver. */
typedef void resolver_cb(
    void *arg, const struct resolver_addr *addrs, size_t n, const char *err);

/* Zero means "the default" for every field. */
struct resolver_opts {
	const char *resolv_conf; /* default /etc/resolv.conf */
	const char *hosts; /* default /etc/hosts */
	unsigned timeout_ms; /* per try; default: resolv.conf, else 5000 */
	unsigned attempts; /* rounds over the servers; default: conf, 2 */
	size_t cache_max; /* default RESOLVER_CACHE_MAX */
};

/*
 * Reads the configuration and hosts files (missing files mean defaults:
 * nameserver 127.0.0.1, no hosts).  Both files are read again when their
 * size or mtime changes.  Besides the usual resolv.conf syntax, a
 * nameserver may carry a port as "[address]:port" (as on OpenBSD).
 * Returns NULL on allocation failure.
 */
struct resolver *resolver_new(struct loop *, const struct resolver_opts *);
/* Cancels every pending lookup (their callbacks are not called) and frees
 * the resolver.  Safe inside a resolver callback. */
void resolver_free(struct resolver *);

/*
 * Resolves host (a name, or an IPv4/IPv6 literal) for family AF_INET,
 * AF_INET6 or AF_UNSPEC (both).  host is copied.  Returns a handle for
 * resolver_cancel, or NULL (errno ENOMEM) if nothing could be started;
 * every other failure is reported through cb.
 */
struct resolver_lookup *resolver_lookup(
    struct resolver *, const char *host, int family, resolver_cb *, void *arg);
/* Stops a pending lookup: its callback will not be called.  Must not be
 * used once the callback has run. */
void resolver_cancel(struct resolver *, struct resolver_lookup *);

/* Fills a sockaddr for addr and port.  Returns its length. */
socklen_t resolver_addr_sockaddr(
    const struct resolver_addr *, int port, struct sockaddr_storage *);
/* Formats addr ("192.0.2.1", "2001:db8::1") into out (>= 46 bytes). */
void resolver_addr_str(const struct resolver_addr *, char *out, size_t outlen);

/* Counters, for tests and metrics. */
struct resolver_stats {
	unsigned long queries; /* datagrams/TCP queries sent */
	unsigned long tcp; /* TCP fallbacks after TC */
	unsigned long cache_hits;
	unsigned long ignored; /* unmatched or malformed answers */
	unsigned long timeouts;
};
void resolver_stats(const struct resolver *, struct resolver_stats *);

#endif
