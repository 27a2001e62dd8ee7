/*
 * Unit tests for net/resolver against tiny DNS servers in this process:
 * UDP (and TCP) sockets on 127.0.0.1 on the same loop, answering with
 * messages built by p2p/dns.  Covers numeric literals, a hosts file,
 * A/AAAA, the cache, NXDOMAIN, CNAME chains (in one answer and split),
 * answers with a wrong ID or question (ignored), TC -> TCP, SERVFAIL and
 * timeouts moving on to the second server, search domains, cancel, and
 * resolver_free with lookups pending.  A watchdog turns hangs into
 * failures.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/loop.h"
#include "net/resolver.h"
#include "net/sock.h"
#include "p2p/dns.h"
#include "tap.h"

int main(void);

enum server_mode {
	MODE_ANSWER,
	MODE_SILENT,
	MODE_SPOOF_FIRST, /* wrong ID, then wrong question, then the answer */
	MODE_TRUNCATE, /* UDP answers carry TC; TCP answers in full */
	MODE_SERVFAIL
};

struct server {
	struct loop *loop;
	enum server_mode mode;
	int udp, tcp, port;
	unsigned udp_queries, tcp_queries;
};

static struct loop *loop;
static char dir[64];

static void
watchdog(int sig)
{
	static const char msg[] = "not ok - hung (watchdog)\nBail out!\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static void
add_a(struct dns_encoder *e, const struct dns_name *n, uint16_t type,
    const char *addr, uint32_t ttl)
{
	struct dns_rr rr;
	const char *err;

	memset(&rr, 0, sizeof(rr));
	rr.name = *n;
	rr.type = type;
	rr.rclass = DNS_CLASS_IN;
	rr.ttl = ttl;
	if (type == DNS_TYPE_A)
		inet_pton(AF_INET, addr, rr.rd.a);
	else if (type == DNS_TYPE_AAAA)
		inet_pton(AF_INET6, addr, rr.rd.aaaa);
	else
		(void)!dns_name_from_text(&rr.rd.target, addr, &err);
	(void)!dns_encoder_add_record(e, &rr, &err);
}

/* The zone: www.fabrik.test A/AAAA, alias -> www2 -> www3 (A in the same
 * answer), split -> www.fabrik.test (CNAME only), zero-ttl; everything
 * else NXDOMAIN. */
static void
build_answer(const struct dns_msg *q, uint16_t id, int tc, struct buf *out)
{
	struct dns_encoder e;
	struct dns_name n = q->qd[0].name, t;
	const char *err;
	char text[DNS_NAME_TEXT_MAX];
	uint16_t type = q->qd[0].type;
	uint16_t flags = DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA;
	int known = 1;

	dns_name_to_text(&n, text, sizeof(text));
	if (strcasecmp(text, "www.fabrik.test") != 0 &&
	    strcasecmp(text, "alias.fabrik.test") != 0 &&
	    strcasecmp(text, "split.fabrik.test") != 0 &&
	    strcasecmp(text, "zero.fabrik.test") != 0 &&
	    strcasecmp(text, "v4only.fabrik.test") != 0) {
		known = 0;
		flags |= DNS_RCODE_NXDOMAIN;
	}
	if (tc)
		flags |= DNS_FLAG_TC;
	if (dns_encoder_begin(&e, out, id, flags, 0, DNS_ENC_COMPRESS) == -1 ||
	    dns_encoder_add_question(&e, &q->qd[0], &err) == -1)
		return;
	if (!known || tc)
		return;
	if (strcasecmp(text, "alias.fabrik.test") == 0) {
		add_a(&e, &n, DNS_TYPE_CNAME, "www2.fabrik.test", 60);
		(void)!dns_name_from_text(&t, "www2.fabrik.test", &err);
		add_a(&e, &t, DNS_TYPE_CNAME, "www3.fabrik.test", 60);
		(void)!dns_name_from_text(&n, "WWW3.fabrik.test", &err);
	} else if (strcasecmp(text, "split.fabrik.test") == 0) {
		add_a(&e, &n, DNS_TYPE_CNAME, "www.fabrik.test", 60);
		return;
	}
	if (type == DNS_TYPE_A) {
		add_a(&e, &n, DNS_TYPE_A, "192.0.2.1",
		    strcasecmp(text, "zero.fabrik.test") == 0 ? 0 : 300);
		add_a(&e, &n, DNS_TYPE_A, "192.0.2.2", 300);
	} else if (type == DNS_TYPE_AAAA &&
	    strcasecmp(text, "v4only.fabrik.test") != 0)
		add_a(&e, &n, DNS_TYPE_AAAA, "2001:db8::1", 300);
}

static void
server_udp(struct loop *l, int fd, int events, void *arg)
{
	struct server *s = arg;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t pkt[2048];
	struct dns_msg q;
	struct dns_question wrong;
	struct dns_encoder e;
	struct buf out;
	const char *err;
	ssize_t n;

	n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0 || dns_decode(pkt, (size_t)n, &q, &err) < 0)
		return;
	s->udp_queries++;
	buf_init(&out);
	if (q.nqd != 1 || s->mode == MODE_SILENT)
		goto done;
	if (s->mode == MODE_SPOOF_FIRST) {
		build_answer(&q, (uint16_t)(q.id + 1), 0, &out);
		(void)!sendto(
		    fd, out.data, out.len, 0, (struct sockaddr *)&from, fl);
		buf_reset(&out);
		wrong = q.qd[0];
		(void)!dns_name_from_text(&wrong.name, "evil.test", &err);
		if (dns_encoder_begin(&e, &out, q.id, 0x8180, 0, 0) == 0 &&
		    dns_encoder_add_question(&e, &wrong, &err) == 0)
			(void)!sendto(fd, out.data, out.len, 0,
			    (struct sockaddr *)&from, fl);
		buf_reset(&out);
		(void)!sendto(
		    fd, "garbage", 7, 0, (struct sockaddr *)&from, fl);
	}
	if (s->mode == MODE_SERVFAIL) {
		if (dns_encoder_begin(&e, &out, q.id,
			DNS_FLAG_QR | DNS_RCODE_SERVFAIL, 0, 0) == 0 &&
		    dns_encoder_add_question(&e, &q.qd[0], &err) == 0)
			(void)!sendto(fd, out.data, out.len, 0,
			    (struct sockaddr *)&from, fl);
		goto done;
	}
	build_answer(&q, q.id, s->mode == MODE_TRUNCATE, &out);
	(void)!sendto(fd, out.data, out.len, 0, (struct sockaddr *)&from, fl);
done:
	buf_release(&out);
	dns_msg_release(&q);
}

struct tcp_conn {
	struct server *s;
	int fd;
	struct buf in;
};

static void
server_conn(struct loop *l, int fd, int events, void *arg)
{
	struct tcp_conn *c = arg;
	struct dns_msg q;
	struct buf out;
	const char *err;
	uint8_t hdr[2];
	ssize_t n;
	size_t need;

	if (buf_reserve(&c->in, 4096) == -1)
		return;
	n = read(fd, c->in.data + c->in.len, 4096);
	if (n <= 0) {
		loop_io_del(l, fd);
		close(fd);
		buf_release(&c->in);
		free(c);
		return;
	}
	c->in.len += (size_t)n;
	if (c->in.len < 2)
		return;
	need = 2 + ((size_t)c->in.data[0] << 8 | c->in.data[1]);
	if (c->in.len < need)
		return;
	if (dns_decode(c->in.data + 2, need - 2, &q, &err) < 0)
		return;
	c->s->tcp_queries++;
	buf_init(&out);
	build_answer(&q, q.id, 0, &out);
	hdr[0] = (uint8_t)(out.len >> 8);
	hdr[1] = (uint8_t)out.len;
	/* Two writes: the client must reassemble. */
	(void)!write(fd, hdr, 2);
	(void)!write(fd, out.data, out.len);
	buf_release(&out);
	dns_msg_release(&q);
	buf_consume(&c->in, need);
}

static void
server_accept(struct loop *l, int fd, int events, void *arg)
{
	struct server *s = arg;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct tcp_conn *c;
	int cfd = sock_accept(fd, &ss, &sl);

	if (cfd == -1)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(cfd);
		return;
	}
	c->s = s;
	c->fd = cfd;
	buf_init(&c->in);
	if (loop_io_add(l, cfd, LOOP_READ, server_conn, c) == -1) {
		close(cfd);
		free(c);
	}
}

static void
server_start(struct server *s, enum server_mode mode)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	const char *err;
	char addr[32];

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->udp = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->udp == -1 || bind(s->udp, (struct sockaddr *)&sin, sl) == -1 ||
	    getsockname(s->udp, (struct sockaddr *)&sin, &sl) == -1 ||
	    sock_set_nonblock(s->udp) == -1 ||
	    loop_io_add(loop, s->udp, LOOP_READ, server_udp, s) == -1) {
		printf("Bail out! udp server: %s\n", strerror(errno));
		exit(1);
	}
	s->port = ntohs(sin.sin_port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", s->port);
	s->tcp = sock_listen(addr, 8, NULL, &err);
	if (s->tcp == -1 ||
	    loop_io_add(loop, s->tcp, LOOP_READ, server_accept, s) == -1) {
		printf("Bail out! tcp server on %s: %s\n", addr, err);
		exit(1);
	}
}

static void
server_stop(struct server *s)
{
	loop_io_del(loop, s->udp);
	close(s->udp);
	loop_io_del(loop, s->tcp);
	close(s->tcp);
}

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) == EOF) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

struct result {
	int calls;
	char err[128];
	char addrs[512];
	size_t n;
};

static void
on_result(void *arg, const struct resolver_addr *a, size_t n, const char *err)
{
	struct result *res = arg;
	char one[64];
	size_t i;

	res->calls++;
	res->n = n;
	snprintf(res->err, sizeof(res->err), "%s", err != NULL ? err : "");
	res->addrs[0] = '\0';
	for (i = 0; i < n; i++) {
		resolver_addr_str(&a[i], one, sizeof(one));
		if (i > 0)
			strncat(res->addrs, " ",
			    sizeof(res->addrs) - strlen(res->addrs) - 1);
		strncat(res->addrs, one,
		    sizeof(res->addrs) - strlen(res->addrs) - 1);
	}
	loop_stop(loop);
}

static void
stop_timer(struct loop *l, void *arg)
{
	*(struct loop_timer **)arg = NULL;
	loop_stop(l);
}

/* Runs the loop until a callback stops it or ms pass. */
static void
run_for(uint64_t ms)
{
	struct loop_timer *t = loop_timer_add(loop, ms, stop_timer, &t);

	if (loop_run(loop) == -1)
		printf("Bail out! loop_run failed\n");
	if (t != NULL)
		loop_timer_cancel(loop, t);
}

static struct resolver *
new_resolver(unsigned timeout_ms, unsigned attempts)
{
	struct resolver_opts o;
	char conf[128], hosts[128];
	struct resolver *r;

	snprintf(conf, sizeof(conf), "%s/resolv.conf", dir);
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	memset(&o, 0, sizeof(o));
	o.resolv_conf = conf;
	o.hosts = hosts;
	o.timeout_ms = timeout_ms;
	o.attempts = attempts;
	if ((r = resolver_new(loop, &o)) == NULL) {
		printf("Bail out! resolver_new\n");
		exit(1);
	}
	return r;
}

static void
lookup(struct resolver *r, const char *host, int family, struct result *res)
{
	memset(res, 0, sizeof(*res));
	if (resolver_lookup(r, host, family, on_result, res) == NULL) {
		snprintf(res->err, sizeof(res->err), "lookup returned NULL");
		return;
	}
	ok(res->calls == 0, "%s: callback not called inside lookup", host);
	run_for(3000);
}

static void
conf_servers(const char *extra, const struct server *a, const struct server *b)
{
	char text[512], second[64] = "";

	if (b != NULL)
		snprintf(second, sizeof(second), "nameserver [127.0.0.1]:%d\n",
		    b->port);
	snprintf(text, sizeof(text),
	    "# test\n%s\nnameserver [127.0.0.1]:%d\n%s"
	    "options timeout:9 attempts:1\n",
	    extra, a->port, second);
	write_file("resolv.conf", text);
}

static void
test_local(void)
{
	struct resolver *r;
	struct resolver_stats st;
	struct result res;
	struct server s;

	server_start(&s, MODE_ANSWER);
	conf_servers("", &s, NULL);
	write_file("hosts",
	    "127.0.0.1\tlocalhost\n"
	    "# comment\n"
	    "10.1.2.3 myhost.example myhost # trailing comment\n"
	    "fe80::1%lo ignored\n"
	    "::1 localhost myhost\n"
	    "not-an-address foo\n");
	r = new_resolver(500, 0);

	lookup(r, "MyHost", AF_UNSPEC, &res);
	ok(res.calls == 1 && strcmp(res.addrs, "10.1.2.3 ::1") == 0,
	    "hosts: alias, case-insensitive, IPv4 first (%s)", res.addrs);
	lookup(r, "myhost", AF_INET6, &res);
	is_str(res.addrs, "::1", "hosts: AF_INET6 only");
	lookup(r, "myhost.example.", AF_INET, &res);
	is_str(res.addrs, "10.1.2.3", "hosts: trailing dot");
	lookup(r, "192.0.2.7", AF_UNSPEC, &res);
	ok(res.calls == 1 && strcmp(res.addrs, "192.0.2.7") == 0,
	    "IPv4 literal answered at once");
	lookup(r, "2001:db8::5", AF_INET6, &res);
	is_str(res.addrs, "2001:db8::5", "IPv6 literal");
	lookup(r, "2001:db8::5", AF_INET, &res);
	ok(res.calls == 1 && res.n == 0 && res.err[0] != '\0',
	    "IPv6 literal for AF_INET fails (%s)", res.err);
	lookup(r, "bad..name", AF_UNSPEC, &res);
	ok(res.calls == 1 && strstr(res.err, "invalid") != NULL,
	    "invalid name reported through the callback (%s)", res.err);
	resolver_stats(r, &st);
	ok(st.queries == 0 && s.udp_queries == 0,
	    "no DNS query for literals and hosts entries");

	/* The hosts file is read again when it changes. */
	write_file("hosts", "10.9.9.9 myhost   \n");
	lookup(r, "myhost", AF_UNSPEC, &res);
	is_str(res.addrs, "10.9.9.9", "hosts reloaded after a change");
	resolver_free(r);
	server_stop(&s);
	write_file("hosts", "");
}

static void
test_queries(void)
{
	struct resolver *r;
	struct resolver_stats st;
	struct result res;
	struct server s;
	unsigned before;

	server_start(&s, MODE_ANSWER);
	conf_servers("search other.test fabrik.test", &s, NULL);
	r = new_resolver(1000, 0);

	lookup(r, "www.fabrik.test", AF_INET, &res);
	ok(res.calls == 1 && strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0,
	    "A over UDP (%s%s)", res.addrs, res.err);
	is_int(s.udp_queries, 1, "one query sent");
	lookup(r, "WWW.fabrik.test", AF_INET, &res);
	resolver_stats(r, &st);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0 &&
		s.udp_queries == 1 && st.cache_hits == 1,
	    "second lookup (other case) from the cache (%s%s, %u, %lu)",
	    res.addrs, res.err, s.udp_queries, st.cache_hits);
	lookup(r, "www.fabrik.test", AF_UNSPEC, &res);
	is_str(res.addrs, "192.0.2.1 192.0.2.2 2001:db8::1",
	    "AF_UNSPEC: A (cached) then AAAA");
	is_int(s.udp_queries, 2, "only the AAAA query went out");
	lookup(r, "v4only.fabrik.test", AF_UNSPEC, &res);
	is_str(res.addrs, "192.0.2.1 192.0.2.2",
	    "no AAAA records: the A records alone");
	lookup(r, "v4only.fabrik.test", AF_INET6, &res);
	ok(res.n == 0 && strstr(res.err, "no address") != NULL,
	    "AAAA-only lookup of a v4-only name: no data (%s)", res.err);

	lookup(r, "nope.fabrik.test", AF_INET, &res);
	ok(res.calls == 1 && res.n == 0 && strstr(res.err, "NXDOMAIN"),
	    "NXDOMAIN reported (%s)", res.err);

	lookup(r, "alias.fabrik.test", AF_INET, &res);
	is_str(res.addrs, "192.0.2.1 192.0.2.2",
	    "CNAME chain inside one answer (mixed case)");
	before = s.udp_queries;
	lookup(r, "split.fabrik.test", AF_INET, &res);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0 &&
		s.udp_queries == before + 2,
	    "CNAME without its target: the target is asked for (%s%s)",
	    res.addrs, res.err);

	/* Search list: "www" has fewer dots than ndots:1, so
	 * www.other.test (NXDOMAIN) then www.fabrik.test. */
	lookup(r, "www", AF_INET, &res);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0,
	    "search domains: www -> www.fabrik.test (%s%s)", res.addrs,
	    res.err);
	lookup(r, "www.", AF_INET, &res);
	ok(res.n == 0 && strstr(res.err, "NXDOMAIN"),
	    "absolute name: no search");

	/* TTL 0 is not cached. */
	before = s.udp_queries;
	lookup(r, "zero.fabrik.test", AF_INET, &res);
	lookup(r, "zero.fabrik.test", AF_INET, &res);
	ok(res.n == 2 && s.udp_queries == before + 2,
	    "a TTL of 0 is never cached");
	resolver_free(r);
	server_stop(&s);
}

static void
test_faults(void)
{
	struct resolver *r;
	struct resolver_stats st;
	struct result res;
	struct server silent, good, spoof, tc, fail;

	server_start(&silent, MODE_SILENT);
	server_start(&good, MODE_ANSWER);
	conf_servers("", &silent, &good);
	r = new_resolver(150, 1);
	lookup(r, "www.fabrik.test", AF_INET, &res);
	resolver_stats(r, &st);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0 &&
		silent.udp_queries == 1 && good.udp_queries == 1 &&
		st.timeouts == 1,
	    "first server times out, the second answers");
	resolver_free(r);

	conf_servers("", &silent, &silent);
	r = new_resolver(100, 2);
	silent.udp_queries = 0;
	lookup(r, "www.fabrik.test", AF_INET, &res);
	ok(res.calls == 1 && res.n == 0 && strstr(res.err, "timed out") &&
		silent.udp_queries == 4,
	    "every server silent: timed out after attempts x servers "
	    "tries (%u, %s)",
	    silent.udp_queries, res.err);
	resolver_free(r);

	server_start(&spoof, MODE_SPOOF_FIRST);
	conf_servers("", &spoof, NULL);
	r = new_resolver(1000, 1);
	lookup(r, "www.fabrik.test", AF_INET, &res);
	resolver_stats(r, &st);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0 && st.ignored >= 3,
	    "answers with a wrong ID, a wrong question or garbage ignored "
	    "(%lu ignored)",
	    st.ignored);
	resolver_free(r);

	server_start(&tc, MODE_TRUNCATE);
	conf_servers("", &tc, NULL);
	r = new_resolver(1000, 1);
	lookup(r, "www.fabrik.test", AF_UNSPEC, &res);
	resolver_stats(r, &st);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2 2001:db8::1") == 0 &&
		tc.tcp_queries == 2 && st.tcp == 2,
	    "truncated UDP answers retried over TCP (%s%s)", res.addrs,
	    res.err);
	resolver_free(r);

	server_start(&fail, MODE_SERVFAIL);
	conf_servers("", &fail, &good);
	r = new_resolver(1000, 1);
	good.udp_queries = 0;
	lookup(r, "www.fabrik.test", AF_INET, &res);
	ok(strcmp(res.addrs, "192.0.2.1 192.0.2.2") == 0 &&
		fail.udp_queries == 1 && good.udp_queries == 1,
	    "SERVFAIL: the next server is asked at once");
	resolver_free(r);

	conf_servers("options rotate", &silent, &good);
	r = new_resolver(100, 1);
	silent.udp_queries = good.udp_queries = 0;
	lookup(r, "a.fabrik.test", AF_INET, &res);
	lookup(r, "b.fabrik.test", AF_INET, &res);
	ok(good.udp_queries == 2 && silent.udp_queries == 1,
	    "options rotate: the second lookup starts at the second "
	    "server (%u/%u)",
	    silent.udp_queries, good.udp_queries);
	resolver_free(r);

	server_stop(&silent);
	server_stop(&good);
	server_stop(&spoof);
	server_stop(&tc);
	server_stop(&fail);
}

static void
test_cancel(void)
{
	struct resolver *r;
	struct result res, res2, res3;
	struct resolver_lookup *lk;
	struct server silent;

	server_start(&silent, MODE_SILENT);
	conf_servers("", &silent, NULL);
	r = new_resolver(100, 1);
	memset(&res, 0, sizeof(res));
	lk = resolver_lookup(r, "www.fabrik.test", AF_UNSPEC, on_result, &res);
	ok(lk != NULL, "lookup started");
	resolver_cancel(r, lk);
	memset(&res2, 0, sizeof(res2));
	lk = resolver_lookup(r, "127.0.0.1", AF_UNSPEC, on_result, &res2);
	resolver_cancel(r, lk);
	run_for(400);
	ok(res.calls == 0 && res2.calls == 0,
	    "cancelled lookups (a query, a literal) never call back");
	memset(&res3, 0, sizeof(res3));
	if (resolver_lookup(r, "www.fabrik.test", AF_INET, on_result, &res3) ==
	    NULL)
		diag("lookup failed");
	resolver_free(r);
	run_for(300);
	ok(res3.calls == 0, "resolver_free drops pending lookups silently");
	server_stop(&silent);
}

int
main(void)
{
	char conf[128];

	signal(SIGALRM, watchdog);
	alarm(60);
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "/tmp/fabrik-resolver.XXXXXX");
	if (mkdtemp(dir) == NULL || (loop = loop_new()) == NULL) {
		printf("Bail out! setup\n");
		return 1;
	}
	write_file("hosts", "");
	test_local();
	test_queries();
	test_faults();
	test_cancel();
	loop_free(loop);
	snprintf(conf, sizeof(conf), "%s/resolv.conf", dir);
	unlink(conf);
	snprintf(conf, sizeof(conf), "%s/hosts", dir);
	unlink(conf);
	rmdir(dir);
	return done_testing();
}
