/*
 * Stub resolver (RFC 1035 §7, RFC 1123 §6.1.3): resolv.conf(5) and
 * hosts(5) parsing, A/AAAA queries over UDP with a random ID (OpenSSL's
 * CSPRNG) and a fresh socket (random source port) per try, TCP after a
 * truncated answer (RFC 7766), per-server timeouts, rotation, search
 * domains with ndots, CNAME chains, and a bounded TTL cache.
 *
 * Untrusted input: every answer.  An answer counts only if it comes from
 * the server the query went to (connected socket, source checked again),
 * carries the query's ID and echoes its question; everything else is
 * dropped and the query keeps waiting.  Messages are decoded by p2p/dns.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/loop.h"
#include "net/resolver.h"
#include "net/sock.h"
#include "p2p/dns.h"

#define RESOLVER_DEFAULT_TIMEOUT_MS 5000
#define RESOLVER_DEFAULT_ATTEMPTS 2
#define RESOLVER_RECV_MAX 65536

struct ns {
	struct sockaddr_storage ss;
	socklen_t sslen;
};

struct file_stamp {
	int valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct hosts_entry {
	struct dns_name name;
	struct resolver_addr addr;
};

struct cache_entry {
	struct dns_name name;
	uint16_t type;
	uint64_t expires; /* loop ms */
	size_t n;
	struct resolver_addr addrs[RESOLVER_MAX_ADDRS];
};

enum query_state {
	QUERY_IDLE,
	QUERY_UDP,
	QUERY_TCP_WRITE,
	QUERY_TCP_READ,
	QUERY_DONE
};

enum query_result {
	RESULT_PENDING,
	RESULT_OK,
	RESULT_NODATA,
	RESULT_NXDOMAIN,
	RESULT_FAIL
};

struct query {
	struct resolver_lookup *lk;
	enum query_state state;
	enum query_result result;
	const char *err;
	uint16_t type;
	uint16_t id;
	struct dns_name orig; /* the name asked for: the cache key */
	struct dns_name qname; /* after CNAME restarts */
	unsigned cname_hops;
	unsigned ns_index;
	unsigned tries;
	int fd;
	struct loop_timer *timer;
	struct buf pkt; /* the query message */
	struct buf tcp; /* TCP: the framed query, then the framed answer */
	size_t tcp_done;
	uint32_t ttl; /* smallest TTL of the records used */
	size_t naddrs;
	struct resolver_addr addrs[RESOLVER_MAX_ADDRS];
};

struct resolver_lookup {
	struct resolver *r;
	struct resolver_lookup *prev, *next;
	resolver_cb *cb;
	void *arg;
	int family;
	struct dns_name cand[1 + RESOLVER_MAX_SEARCH];
	unsigned ncand, icand;
	struct query q[2];
	unsigned nq;
	struct loop_timer *done_timer;
	int saw_nodata; /* some candidate exists but has no addresses */
	const char *err;
	size_t naddrs;
	struct resolver_addr addrs[2 * RESOLVER_MAX_ADDRS];
};

struct resolver {
	struct loop *loop;
	char *resolv_path, *hosts_path;
	unsigned opt_timeout_ms, opt_attempts;
	/* From resolv.conf. */
	struct file_stamp conf_stamp;
	struct ns ns[RESOLVER_MAX_NAMESERVERS];
	unsigned nns;
	struct dns_name search[RESOLVER_MAX_SEARCH];
	unsigned nsearch;
	unsigned ndots, timeout_ms, attempts;
	int rotate;
	unsigned rotate_next;
	/* From hosts. */
	struct file_stamp hosts_stamp;
	struct hosts_entry *hosts;
	size_t nhosts;
	/* Cache. */
	struct cache_entry *cache;
	size_t ncache, cache_max;
	struct resolver_lookup *lookups;
	struct resolver_stats stats;
	uint8_t rbuf[RESOLVER_RECV_MAX];
};

static void query_send(struct query *);
static void lookup_check(struct resolver_lookup *);

static size_t
get_len16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/* --- files --- */

/* Reads a small text file; returns NULL if it is missing or too big. */
static char *
read_small_file(const char *path, struct file_stamp *st)
{
	struct stat sb;
	char *data = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(st, 0, sizeof(*st));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || sb.st_size > RESOLVER_MAX_FILE)
		goto fail;
	if ((data = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (len < (size_t)sb.st_size &&
	    (n = read(fd, data + len, (size_t)sb.st_size - len)) > 0)
		len += (size_t)n;
	data[len] = '\0';
	st->valid = 1;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = sb.st_size;
	st->mtime = sb.st_mtim;
	close(fd);
	return data;
fail:
	free(data);
	close(fd);
	return NULL;
}

static int
file_changed(const char *path, const struct file_stamp *old)
{
	struct stat sb;

	if (stat(path, &sb) == -1)
		return old->valid;
	return !old->valid || sb.st_dev != old->dev || sb.st_ino != old->ino ||
	    sb.st_size != old->size || sb.st_mtim.tv_sec != old->mtime.tv_sec ||
	    sb.st_mtim.tv_nsec != old->mtime.tv_nsec;
}

/* Parses a numeric address (with an optional %scope for IPv6). */
static int
parse_numeric(const char *s, int port, struct ns *out)
{
	struct addrinfo hints, *res = NULL;
	char portstr[8];

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (getaddrinfo(s, portstr, &hints, &res) != 0 || res == NULL)
		return -1;
	if (res->ai_addrlen > sizeof(out->ss)) {
		freeaddrinfo(res);
		return -1;
	}
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* "1.2.3.4", "::1", "fe80::1%eth0", or "[addr]:port". */
static int
parse_nameserver(const char *s, struct ns *out)
{
	char tmp[128];
	const char *close_br;
	long port;
	char *end;

	if (s[0] != '[')
		return parse_numeric(s, 53, out);
	if ((close_br = strchr(s, ']')) == NULL ||
	    (size_t)(close_br - s - 1) >= sizeof(tmp))
		return -1;
	memcpy(tmp, s + 1, (size_t)(close_br - s - 1));
	tmp[close_br - s - 1] = '\0';
	port = 53;
	if (close_br[1] == ':') {
		errno = 0;
		port = strtol(close_br + 2, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535)
			return -1;
	} else if (close_br[1] != '\0')
		return -1;
	return parse_numeric(tmp, (int)port, out);
}

static unsigned
option_value(const char *opt, const char *name, unsigned max, unsigned dflt)
{
	size_t n = strlen(name);
	unsigned long v;
	char *end;

	if (strncmp(opt, name, n) != 0 || opt[n] != ':')
		return dflt;
	v = strtoul(opt + n + 1, &end, 10);
	if (*end != '\0' || end == opt + n + 1)
		return dflt;
	return v > max ? max : (unsigned)v;
}

static void
load_conf(struct resolver *r)
{
	char *data, *line, *save = NULL, *tok, *save2;
	struct ns lo;
	unsigned secs = 0;
	const char *sep = " \t\r";
	const char *err;

	r->nns = 0;
	r->nsearch = 0;
	r->ndots = 1;
	r->timeout_ms = RESOLVER_DEFAULT_TIMEOUT_MS;
	r->attempts = RESOLVER_DEFAULT_ATTEMPTS;
	r->rotate = 0;
	data = read_small_file(r->resolv_path, &r->conf_stamp);
	for (line = data != NULL ? strtok_r(data, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "#;")] = '\0';
		if ((tok = strtok_r(line, sep, &save2)) == NULL)
			continue;
		if (strcmp(tok, "nameserver") == 0) {
			tok = strtok_r(NULL, sep, &save2);
			if (tok != NULL && r->nns < RESOLVER_MAX_NAMESERVERS &&
			    parse_nameserver(tok, &r->ns[r->nns]) == 0)
				r->nns++;
		} else if (strcmp(tok, "search") == 0 ||
		    strcmp(tok, "domain") == 0) {
			/* The last search or domain line wins. */
			r->nsearch = 0;
			while ((tok = strtok_r(NULL, sep, &save2)) != NULL &&
			    r->nsearch < RESOLVER_MAX_SEARCH)
				if (dns_name_from_text(&r->search[r->nsearch],
					tok, &err) == 0 &&
				    r->search[r->nsearch].len > 1)
					r->nsearch++;
		} else if (strcmp(tok, "options") == 0) {
			while ((tok = strtok_r(NULL, sep, &save2)) != NULL) {
				r->ndots =
				    option_value(tok, "ndots", 15, r->ndots);
				secs = option_value(tok, "timeout", 30, secs);
				r->attempts = option_value(
				    tok, "attempts", 5, r->attempts);
				if (strcmp(tok, "rotate") == 0)
					r->rotate = 1;
			}
		}
	}
	free(data);
	if (secs > 0)
		r->timeout_ms = secs * 1000;
	if (r->opt_timeout_ms > 0)
		r->timeout_ms = r->opt_timeout_ms;
	if (r->opt_attempts > 0)
		r->attempts = r->opt_attempts;
	if (r->attempts == 0)
		r->attempts = 1;
	if (r->nns == 0 && parse_numeric("127.0.0.1", 53, &lo) == 0)
		r->ns[r->nns++] = lo;
}

static int
parse_literal(const char *s, struct resolver_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

static void
load_hosts(struct resolver *r)
{
	char *data, *line, *save = NULL, *tok, *save2;
	struct hosts_entry *he;
	struct resolver_addr a;
	const char *sep = " \t\r";
	const char *err;
	size_t cap = 0;

	free(r->hosts);
	r->hosts = NULL;
	r->nhosts = 0;
	data = read_small_file(r->hosts_path, &r->hosts_stamp);
	for (line = data != NULL ? strtok_r(data, "\n", &save) : NULL;
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "#")] = '\0';
		if ((tok = strtok_r(line, sep, &save2)) == NULL)
			continue;
		/* Scoped addresses (fe80::1%lo) are not usable here. */
		if (parse_literal(tok, &a) == -1)
			continue;
		while ((tok = strtok_r(NULL, sep, &save2)) != NULL) {
			if (r->nhosts == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				he = realloc(r->hosts, cap * sizeof(*he));
				if (he == NULL)
					goto done;
				r->hosts = he;
			}
			he = &r->hosts[r->nhosts];
			if (dns_name_from_text(&he->name, tok, &err) == -1)
				continue;
			he->addr = a;
			r->nhosts++;
		}
	}
done:
	free(data);
}

static void
reload_if_changed(struct resolver *r)
{
	if (file_changed(r->resolv_path, &r->conf_stamp))
		load_conf(r);
	if (file_changed(r->hosts_path, &r->hosts_stamp))
		load_hosts(r);
}

/* --- cache --- */

static struct cache_entry *
cache_find(struct resolver *r, const struct dns_name *name, uint16_t type)
{
	uint64_t now = loop_now(r->loop);
	size_t i;

	for (i = 0; i < r->ncache; i++) {
		struct cache_entry *c = &r->cache[i];

		if (c->expires <= now) {
			r->cache[i--] = r->cache[--r->ncache];
			continue;
		}
		if (c->type == type && dns_name_eq(&c->name, name))
			return c;
	}
	return NULL;
}

static void
cache_put(struct resolver *r, const struct query *q)
{
	struct cache_entry *c;
	uint64_t now = loop_now(r->loop);
	uint32_t ttl = q->ttl > RESOLVER_MAX_TTL ? RESOLVER_MAX_TTL : q->ttl;
	size_t i, victim = 0;

	if (ttl == 0 || q->naddrs == 0 || r->cache_max == 0)
		return;
	if (r->cache == NULL &&
	    (r->cache = calloc(r->cache_max, sizeof(*r->cache))) == NULL)
		return;
	if ((c = cache_find(r, &q->orig, q->type)) == NULL) {
		if (r->ncache < r->cache_max)
			c = &r->cache[r->ncache++];
		else {
			/* Evict the entry closest to expiry. */
			for (i = 1; i < r->ncache; i++)
				if (r->cache[i].expires <
				    r->cache[victim].expires)
					victim = i;
			c = &r->cache[victim];
		}
	}
	c->name = q->orig;
	c->type = q->type;
	c->expires = now + (uint64_t)ttl * 1000;
	c->n = q->naddrs;
	memcpy(c->addrs, q->addrs, q->naddrs * sizeof(q->addrs[0]));
}

/* --- queries --- */

static void
query_close(struct query *q)
{
	struct loop *l = q->lk->r->loop;

	if (q->fd != -1) {
		loop_io_del(l, q->fd);
		close(q->fd);
		q->fd = -1;
	}
	if (q->timer != NULL) {
		loop_timer_cancel(l, q->timer);
		q->timer = NULL;
	}
}

static void
query_finish(struct query *q, enum query_result res, const char *err)
{
	query_close(q);
	q->state = QUERY_DONE;
	q->result = res;
	q->err = err;
	lookup_check(q->lk);
}

/* The server failed (timeout, error rcode, broken TCP): try the next
 * one, or give up after attempts rounds over all servers. */
static void
query_retry(struct query *q, const char *err)
{
	struct resolver *r = q->lk->r;

	query_close(q);
	if (++q->tries >= r->attempts * r->nns) {
		query_finish(q, RESULT_FAIL, err);
		return;
	}
	q->ns_index++;
	q->state = QUERY_UDP;
	query_send(q);
}

static void
query_timeout(struct loop *l, void *arg)
{
	struct query *q = arg;

	q->timer = NULL;
	q->lk->r->stats.timeouts++;
	query_retry(q, "timed out waiting for the nameserver");
}

static void
query_send_failed(struct loop *l, void *arg)
{
	struct query *q = arg;

	q->timer = NULL;
	query_retry(q, q->err);
}

static const struct ns *
query_server(const struct query *q)
{
	const struct resolver *r = q->lk->r;

	return &r->ns[q->ns_index % r->nns];
}

static int
same_addr(const struct sockaddr_storage *a, const struct ns *ns)
{
	const struct sockaddr_storage *b = &ns->ss;

	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

/* Follows the CNAME chain from qname through the answers and collects
 * the records of q->type at its end.  Returns the final name. */
static void
collect_answers(struct query *q, const struct dns_msg *m,
    struct dns_name *final, int *had_cname)
{
	struct dns_name cur = q->qname;
	size_t i;
	unsigned hops;
	int moved;

	*had_cname = 0;
	for (hops = 0; hops < RESOLVER_MAX_CNAME; hops++) {
		moved = 0;
		for (i = 0; i < m->nan; i++) {
			const struct dns_rr *rr = &m->rr[i];

			if (rr->type == DNS_TYPE_CNAME &&
			    rr->rclass == DNS_CLASS_IN &&
			    dns_name_eq(&rr->name, &cur)) {
				cur = rr->rd.target;
				if (rr->ttl < q->ttl)
					q->ttl = rr->ttl;
				moved = *had_cname = 1;
				break;
			}
		}
		if (!moved)
			break;
	}
	q->naddrs = 0;
	for (i = 0; i < m->nan; i++) {
		const struct dns_rr *rr = &m->rr[i];
		struct resolver_addr *a;

		if (rr->type != q->type || rr->rclass != DNS_CLASS_IN ||
		    !dns_name_eq(&rr->name, &cur) ||
		    q->naddrs == RESOLVER_MAX_ADDRS)
			continue;
		a = &q->addrs[q->naddrs++];
		memset(a, 0, sizeof(*a));
		if (rr->type == DNS_TYPE_A) {
			a->family = AF_INET;
			memcpy(a->addr, rr->rd.a, 4);
		} else {
			a->family = AF_INET6;
			memcpy(a->addr, rr->rd.aaaa, 16);
		}
		if (rr->ttl < q->ttl)
			q->ttl = rr->ttl;
	}
	*final = cur;
}

/* Handles one answer; returns 0 if it was used, -1 if it does not belong
 * to this query (or is malformed) and was ignored. */
static int
query_answer(struct query *q, const uint8_t *data, size_t len, int tcp)
{
	struct resolver *r = q->lk->r;
	struct dns_msg m;
	struct dns_name final;
	const char *err;
	int had_cname, rcode;

	if (dns_decode(data, len, &m, &err) < 0)
		return -1;
	if (m.id != q->id || (m.flags & DNS_FLAG_QR) == 0 ||
	    DNS_OPCODE(m.flags) != 0 || m.nqd != 1 || m.qd[0].type != q->type ||
	    m.qd[0].qclass != DNS_CLASS_IN ||
	    !dns_name_eq(&m.qd[0].name, &q->qname)) {
		dns_msg_release(&m);
		return -1;
	}
	rcode = DNS_RCODE(m.flags);
	if ((m.flags & DNS_FLAG_TC) != 0 && !tcp) {
		dns_msg_release(&m);
		query_close(q);
		q->state = QUERY_TCP_WRITE;
		r->stats.tcp++;
		query_send(q);
		return 0;
	}
	if (rcode == DNS_RCODE_NXDOMAIN) {
		dns_msg_release(&m);
		query_finish(q, RESULT_NXDOMAIN, "no such host (NXDOMAIN)");
		return 0;
	}
	if (rcode != DNS_RCODE_NOERROR) {
		dns_msg_release(&m);
		query_retry(q,
		    rcode == DNS_RCODE_SERVFAIL ? "nameserver failure "
						  "(SERVFAIL)"
			: rcode == DNS_RCODE_REFUSED
			? "nameserver refused the query"
			: "nameserver error");
		return 0;
	}
	q->ttl = UINT32_MAX;
	collect_answers(q, &m, &final, &had_cname);
	dns_msg_release(&m);
	if (q->naddrs > 0) {
		cache_put(r, q);
		query_finish(q, RESULT_OK, NULL);
	} else if (had_cname && ++q->cname_hops <= RESOLVER_MAX_CNAME) {
		/* The chain leaves the answer: ask for its end. */
		query_close(q);
		q->qname = final;
		q->state = QUERY_UDP;
		query_send(q);
	} else
		query_finish(q, RESULT_NODATA, "no address for host");
	return 0;
}

static void
udp_readable(struct loop *l, int fd, int events, void *arg)
{
	struct query *q = arg;
	struct resolver *r = q->lk->r;
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int i;

	for (i = 0; i < 16 && q->fd == fd; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, r->rbuf, sizeof(r->rbuf), 0,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP port unreachable and the like. */
			query_retry(q, "nameserver unreachable");
			return;
		}
		if (!same_addr(&from, query_server(q)) ||
		    query_answer(q, r->rbuf, (size_t)n, 0) == -1)
			r->stats.ignored++;
	}
}

static void
tcp_event(struct loop *l, int fd, int events, void *arg)
{
	struct query *q = arg;
	struct resolver *r = q->lk->r;
	size_t need;
	ssize_t n;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (q->state == QUERY_TCP_WRITE) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1 ||
		    soerr != 0) {
			query_retry(q, "cannot connect to the nameserver");
			return;
		}
		n = write(
		    fd, q->tcp.data + q->tcp_done, q->tcp.len - q->tcp_done);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				query_retry(q, "nameserver closed TCP");
			return;
		}
		q->tcp_done += (size_t)n;
		if (q->tcp_done < q->tcp.len)
			return;
		buf_reset(&q->tcp);
		q->state = QUERY_TCP_READ;
		loop_io_set(l, fd, LOOP_READ);
		return;
	}
	if (buf_reserve(&q->tcp, 4096) == -1) {
		query_finish(q, RESULT_FAIL, "out of memory");
		return;
	}
	need = q->tcp.len < 2 ? 2 : 2 + (size_t)get_len16(q->tcp.data);
	n = read(fd, q->tcp.data + q->tcp.len, need - q->tcp.len);
	if (n <= 0) {
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		query_retry(q, "nameserver closed TCP");
		return;
	}
	q->tcp.len += (size_t)n;
	if (q->tcp.len < 2)
		return;
	need = 2 + (size_t)get_len16(q->tcp.data);
	if (buf_reserve(&q->tcp, need - q->tcp.len) == -1) {
		query_finish(q, RESULT_FAIL, "out of memory");
		return;
	}
	if (q->tcp.len < need)
		return;
	if (query_answer(q, q->tcp.data + 2, need - 2, 1) == -1) {
		r->stats.ignored++;
		query_retry(q, "bad answer over TCP");
	}
}

/* Sends (or re-sends after a retry) q to its current server. */
static void
query_send(struct query *q)
{
	struct resolver *r = q->lk->r;
	const struct ns *ns = query_server(q);
	int tcp = q->state == QUERY_TCP_WRITE;
	const char *err = "cannot send to the nameserver";
	uint8_t hdr[2];

	if (RAND_bytes((unsigned char *)&q->id, sizeof(q->id)) != 1) {
		query_finish(q, RESULT_FAIL, "no random numbers for the ID");
		return;
	}
	buf_reset(&q->pkt);
	if (dns_encode_query(
		&q->pkt, q->id, DNS_FLAG_RD, &q->qname, q->type, &err) == -1) {
		query_finish(q, RESULT_FAIL, err);
		return;
	}
	q->fd = socket(ns->ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (q->fd == -1 || sock_set_nonblock(q->fd) == -1 ||
	    sock_set_cloexec(q->fd) == -1)
		goto fail;
	if (connect(q->fd, (const struct sockaddr *)&ns->ss, ns->sslen) == -1 &&
	    !(tcp && errno == EINPROGRESS))
		goto fail;
	if (tcp) {
		buf_reset(&q->tcp);
		hdr[0] = (uint8_t)(q->pkt.len >> 8);
		hdr[1] = (uint8_t)q->pkt.len;
		q->tcp_done = 0;
		if (buf_append(&q->tcp, hdr, 2) == -1 ||
		    buf_append(&q->tcp, q->pkt.data, q->pkt.len) == -1 ||
		    loop_io_add(r->loop, q->fd, LOOP_WRITE, tcp_event, q) == -1)
			goto fail;
	} else {
		q->state = QUERY_UDP;
		if (send(q->fd, q->pkt.data, q->pkt.len, 0) !=
			(ssize_t)q->pkt.len ||
		    loop_io_add(r->loop, q->fd, LOOP_READ, udp_readable, q) ==
			-1)
			goto fail;
	}
	r->stats.queries++;
	q->timer = loop_timer_add(r->loop, r->timeout_ms, query_timeout, q);
	if (q->timer == NULL)
		goto fail;
	return;
fail:
	/* Count it as a failed try; the next server is tried from a
	 * timer so that a run of failures does not recurse. */
	if (q->fd != -1) {
		loop_io_del(r->loop, q->fd);
		close(q->fd);
		q->fd = -1;
	}
	q->err = err;
	if (q->timer == NULL)
		q->timer = loop_timer_add(r->loop, 0, query_send_failed, q);
	if (q->timer == NULL)
		query_finish(q, RESULT_FAIL, err);
}

/* --- lookups --- */

static void
lookup_unlink(struct resolver_lookup *lk)
{
	struct resolver *r = lk->r;
	unsigned i;

	for (i = 0; i < lk->nq; i++) {
		query_close(&lk->q[i]);
		buf_release(&lk->q[i].pkt);
		buf_release(&lk->q[i].tcp);
	}
	if (lk->done_timer != NULL) {
		loop_timer_cancel(r->loop, lk->done_timer);
		lk->done_timer = NULL;
	}
	if (lk->prev != NULL)
		lk->prev->next = lk->next;
	else
		r->lookups = lk->next;
	if (lk->next != NULL)
		lk->next->prev = lk->prev;
}

/* Tears the lookup down, then reports: the callback may do anything. */
static void
lookup_complete(struct resolver_lookup *lk)
{
	resolver_cb *cb = lk->cb;
	void *arg = lk->arg;

	lookup_unlink(lk);
	cb(arg, lk->err == NULL ? lk->addrs : NULL,
	    lk->err == NULL ? lk->naddrs : 0, lk->err);
	free(lk);
}

static void
lookup_done_timer(struct loop *l, void *arg)
{
	struct resolver_lookup *lk = arg;

	lk->done_timer = NULL;
	lookup_complete(lk);
}

/* Starts the queries for the current candidate name; answers from the
 * cache finish their query at once. */
static void
lookup_start_candidate(struct resolver_lookup *lk)
{
	struct resolver *r = lk->r;
	struct cache_entry *c;
	unsigned i;

	for (i = 0; i < lk->nq; i++) {
		struct query *q = &lk->q[i];

		q->qname = q->orig = lk->cand[lk->icand];
		q->state = QUERY_IDLE;
		q->result = RESULT_PENDING;
		q->err = NULL;
		q->tries = 0;
		q->cname_hops = 0;
		q->naddrs = 0;
		q->ns_index = r->rotate ? r->rotate_next++ : 0;
	}
	for (i = 0; i < lk->nq; i++) {
		struct query *q = &lk->q[i];

		if ((c = cache_find(r, &q->orig, q->type)) != NULL) {
			r->stats.cache_hits++;
			q->naddrs = c->n;
			memcpy(q->addrs, c->addrs, c->n * sizeof(c->addrs[0]));
			q->state = QUERY_DONE;
			q->result = RESULT_OK;
		}
	}
	for (i = 0; i < lk->nq; i++)
		if (lk->q[i].state == QUERY_IDLE) {
			lk->q[i].state = QUERY_UDP;
			query_send(&lk->q[i]);
		}
	/* All from the cache: complete (through done_timer). */
	lookup_check(lk);
}

/* Called whenever a query finishes: completes the lookup, or moves on to
 * the next search candidate, once every query of this one is done. */
static void
lookup_check(struct resolver_lookup *lk)
{
	unsigned i, fail = 0;
	const char *err = NULL;

	if (lk->done_timer != NULL)
		return;

	for (i = 0; i < lk->nq; i++) {
		const struct query *q = &lk->q[i];

		if (q->state != QUERY_DONE)
			return;
		if (q->result == RESULT_FAIL) {
			fail = 1;
			err = q->err;
		} else if (q->result == RESULT_NODATA) {
			lk->saw_nodata = 1;
			if (err == NULL)
				err = q->err;
		}
	}
	lk->naddrs = 0;
	for (i = 0; i < lk->nq; i++) {
		memcpy(lk->addrs + lk->naddrs, lk->q[i].addrs,
		    lk->q[i].naddrs * sizeof(lk->addrs[0]));
		lk->naddrs += lk->q[i].naddrs;
	}
	if (lk->naddrs > 0)
		lk->err = NULL;
	else if (!fail && lk->icand + 1 < lk->ncand) {
		lk->icand++;
		lookup_start_candidate(lk);
		return;
	} else
		lk->err = fail	     ? err
		    : lk->saw_nodata ? "no address for host"
				     : "no such host (NXDOMAIN)";
	if (lk->done_timer == NULL)
		lk->done_timer =
		    loop_timer_add(lk->r->loop, 0, lookup_done_timer, lk);
	if (lk->done_timer == NULL) {
		/* Out of memory for even a timer: report from here. */
		lookup_complete(lk);
	}
}

static int
host_in_hosts(struct resolver_lookup *lk, const struct dns_name *name)
{
	struct resolver *r = lk->r;
	size_t i;
	int pass;

	lk->naddrs = 0;
	/* IPv4 first, then IPv6, each in file order. */
	for (pass = 0; pass < 2; pass++) {
		int fam = pass == 0 ? AF_INET : AF_INET6;

		if (lk->family != AF_UNSPEC && lk->family != fam)
			continue;
		for (i = 0;
		     i < r->nhosts && lk->naddrs < 2 * RESOLVER_MAX_ADDRS; i++)
			if (r->hosts[i].addr.family == fam &&
			    dns_name_eq(&r->hosts[i].name, name))
				lk->addrs[lk->naddrs++] = r->hosts[i].addr;
	}
	return lk->naddrs > 0;
}

/* Builds the list of names to try (resolv.conf(5) "search", "ndots"). */
static int
lookup_candidates(struct resolver_lookup *lk, const char *host)
{
	struct resolver *r = lk->r;
	struct dns_name base;
	const char *err, *p;
	unsigned dots = 0, i;
	size_t hl = strlen(host);
	int absolute =
	    hl > 0 && host[hl - 1] == '.' && (hl < 2 || host[hl - 2] != '\\');

	if (dns_name_from_text(&base, host, &err) == -1 || base.len <= 1)
		return -1;
	for (p = host; *p != '\0'; p++)
		dots += *p == '.';
	lk->ncand = 0;
	if (absolute || dots >= r->ndots)
		lk->cand[lk->ncand++] = base;
	for (i = 0; !absolute && i < r->nsearch; i++) {
		struct dns_name *c = &lk->cand[lk->ncand];

		if ((size_t)base.len - 1 + r->search[i].len > DNS_MAX_NAME)
			continue;
		memcpy(c->wire, base.wire, base.len - 1);
		memcpy(c->wire + base.len - 1, r->search[i].wire,
		    r->search[i].len);
		c->len = (uint8_t)(base.len - 1 + r->search[i].len);
		lk->ncand++;
	}
	if (!absolute && dots < r->ndots)
		lk->cand[lk->ncand++] = base;
	return 0;
}

struct resolver_lookup *
resolver_lookup(struct resolver *r, const char *host, int family,
    resolver_cb *cb, void *arg)
{
	struct resolver_lookup *lk;
	struct resolver_addr lit;
	struct dns_name name;
	const char *err;
	unsigned i;

	if ((lk = calloc(1, sizeof(*lk))) == NULL)
		return NULL;
	lk->r = r;
	lk->cb = cb;
	lk->arg = arg;
	lk->family = family;
	for (i = 0; i < 2; i++)
		lk->q[i].fd = -1;
	if ((lk->next = r->lookups) != NULL)
		lk->next->prev = lk;
	r->lookups = lk;
	reload_if_changed(r);

	if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
		lk->err = "unsupported address family";
	else if (parse_literal(host, &lit) == 0) {
		if (family != AF_UNSPEC && family != lit.family)
			lk->err = "address literal of the other family";
		else {
			lk->addrs[0] = lit;
			lk->naddrs = 1;
		}
	} else if (dns_name_from_text(&name, host, &err) == -1 || name.len <= 1)
		lk->err = "invalid host name";
	else if (host_in_hosts(lk, &name))
		lk->err = NULL;
	else if (lookup_candidates(lk, host) == -1)
		lk->err = "invalid host name";
	else {
		if (family != AF_INET6)
			lk->q[lk->nq++].type = DNS_TYPE_A;
		if (family != AF_INET)
			lk->q[lk->nq++].type = DNS_TYPE_AAAA;
		for (i = 0; i < lk->nq; i++) {
			lk->q[i].lk = lk;
			buf_init(&lk->q[i].pkt);
			buf_init(&lk->q[i].tcp);
		}
		/* Completion always goes through done_timer, so the
		 * callback never runs inside this call. */
		lookup_start_candidate(lk);
		return lk;
	}
	lk->done_timer = loop_timer_add(r->loop, 0, lookup_done_timer, lk);
	if (lk->done_timer == NULL) {
		lookup_unlink(lk);
		free(lk);
		errno = ENOMEM;
		return NULL;
	}
	return lk;
}

void
resolver_cancel(struct resolver *r, struct resolver_lookup *lk)
{
	(void)r;
	lookup_unlink(lk);
	free(lk);
}

struct resolver *
resolver_new(struct loop *l, const struct resolver_opts *opts)
{
	struct resolver *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->loop = l;
	r->resolv_path = strdup(opts != NULL && opts->resolv_conf != NULL
		? opts->resolv_conf
		: "/etc/resolv.conf");
	r->hosts_path = strdup(
	    opts != NULL && opts->hosts != NULL ? opts->hosts : "/etc/hosts");
	if (r->resolv_path == NULL || r->hosts_path == NULL) {
		resolver_free(r);
		return NULL;
	}
	if (opts != NULL) {
		r->opt_timeout_ms = opts->timeout_ms;
		r->opt_attempts = opts->attempts;
	}
	r->cache_max = opts != NULL && opts->cache_max > 0 ? opts->cache_max
							   : RESOLVER_CACHE_MAX;
	load_conf(r);
	load_hosts(r);
	return r;
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	while (r->lookups != NULL)
		resolver_cancel(r, r->lookups);
	free(r->hosts);
	free(r->cache);
	free(r->resolv_path);
	free(r->hosts_path);
	free(r);
}

socklen_t
resolver_addr_sockaddr(
    const struct resolver_addr *a, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		return sizeof(*sin6);
	}
}

void
resolver_addr_str(const struct resolver_addr *a, char *out, size_t outlen)
{
	if (inet_ntop(a->family, a->addr, out, (socklen_t)outlen) == NULL &&
	    outlen > 0)
		out[0] = '\0';
}

void
resolver_stats(const struct resolver *r, struct resolver_stats *st)
{
	*st = r->stats;
}
