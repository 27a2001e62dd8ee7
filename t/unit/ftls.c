/*
 * Unit tests for net/ftls: a TLS server and a TLS client in one process
 * over a socketpair, driven by the poll loop.  Certificates (a CA, a leaf
 * it signed for localhost and 127.0.0.1, a self-signed leaf) are made at
 * run time in a temporary directory.  Covers the handshake, ALPN both
 * ways, verification success with the CA file and failure without it,
 * self-signed and hostname-mismatch errors, IP SANs, 256 KiB of data
 * through WANT_READ/WANT_WRITE, clean close and bad files.
 */
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/ftls.h"
#include "net/loop.h"
#include "net/sock.h"
#include "tap.h"

int main(void);

#define BIG (256 * 1024)

static char dir[256];

/* ---- certificates ---- */

static EVP_PKEY *
make_key(void)
{
	return EVP_EC_gen("P-256");
}

static void
add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext != NULL) {
		X509_add_ext(cert, ext, -1);
		X509_EXTENSION_free(ext);
	}
}

/* Signs a certificate for key with issuer (self-signed when NULL). */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, int ca, const char *san, X509 *issuer,
    EVP_PKEY *issuer_key, long serial)
{
	X509 *c = X509_new();
	X509_NAME *name;

	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
	X509_gmtime_adj(X509_getm_notBefore(c), -3600);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	X509_set_pubkey(c, key);
	name = X509_get_subject_name(c);
	X509_NAME_add_entry_by_txt(
	    name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(
	    c, issuer != NULL ? X509_get_subject_name(issuer) : name);
	add_ext(c, issuer != NULL ? issuer : c, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "CA:FALSE");
	if (ca)
		add_ext(c, c, NID_key_usage, "critical,keyCertSign,cRLSign");
	if (san != NULL)
		add_ext(
		    c, issuer != NULL ? issuer : c, NID_subject_alt_name, san);
	X509_sign(c, issuer_key != NULL ? issuer_key : key, EVP_sha256());
	return c;
}

static void
write_pem(const char *file, X509 *cert, EVP_PKEY *key)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (f == NULL)
		return;
	if (cert != NULL)
		PEM_write_X509(f, cert);
	if (key != NULL)
		PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

static const char *
path(const char *file)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, file);
	return buf[i];
}

static int
make_certs(void)
{
	EVP_PKEY *cak, *k, *sk;
	X509 *ca, *leaf, *self;

	snprintf(dir, sizeof(dir), "%s/ftls.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	if ((cak = make_key()) == NULL || (k = make_key()) == NULL ||
	    (sk = make_key()) == NULL)
		return -1;
	ca = make_cert(cak, "Fabrik Test CA", 1, NULL, NULL, NULL, 1);
	leaf = make_cert(
	    k, "localhost", 0, "DNS:localhost,IP:127.0.0.1", ca, cak, 2);
	self = make_cert(sk, "localhost", 0, "DNS:localhost", NULL, NULL, 3);
	write_pem("ca.pem", ca, NULL);
	write_pem("leaf.pem", leaf, NULL);
	write_pem("leaf.key", NULL, k);
	write_pem("self.pem", self, NULL);
	write_pem("self.key", NULL, sk);
	X509_free(ca);
	X509_free(leaf);
	X509_free(self);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	EVP_PKEY_free(sk);
	return 0;
}

static void
remove_certs(void)
{
	static const char *const files[] = { "ca.pem", "leaf.pem", "leaf.key",
		"self.pem", "self.key" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(path(files[i]));
	rmdir(dir);
}

/* ---- one client/server exchange on the loop ---- */

struct end {
	struct loop *l;
	struct ftls *t;
	int fd;
	int client;
	int handshaken;
	int failed;
	char err[256];
	size_t sent, received; /* payload bytes */
	size_t to_send;
	int got_eof;
	struct end *peer;
};

static unsigned char payload[BIG];

static void
end_update(struct end *e, int want)
{
	loop_io_set(e->l, e->fd, want != 0 ? want : LOOP_READ);
}

static void
end_check_done(struct end *e)
{
	struct end *c = e->client ? e : e->peer;
	struct end *s = e->client ? e->peer : e;

	if (c->failed || (s->failed && !c->handshaken))
		loop_stop(e->l);
	else if (s->got_eof && c->handshaken)
		loop_stop(e->l);
}

static void
end_io(struct loop *l, int fd, int events, void *arg)
{
	struct end *e = arg;
	unsigned char buf[16384];
	ssize_t n;
	int rc, want = 0;

	if (e->failed || e->got_eof)
		return;
	if (!e->handshaken) {
		rc = ftls_handshake(e->t);
		if (rc == FTLS_ERROR) {
			e->failed = 1;
			snprintf(
			    e->err, sizeof(e->err), "%s", ftls_error(e->t));
			loop_io_set(l, fd, 0);
			end_check_done(e);
			return;
		}
		if (rc != 0) {
			end_update(e, ftls_want_events(rc));
			return;
		}
		e->handshaken = 1;
	}
	while (e->sent < e->to_send) {
		n = ftls_write(e->t, payload + e->sent, e->to_send - e->sent);
		if (n == FTLS_ERROR) {
			e->failed = 1;
			snprintf(
			    e->err, sizeof(e->err), "%s", ftls_error(e->t));
			end_check_done(e);
			return;
		}
		if (n < 0) {
			want = ftls_want_events((int)n);
			break;
		}
		e->sent += (size_t)n;
	}
	if (e->client && e->sent == e->to_send && want == 0) {
		ftls_shutdown(e->t);
		e->to_send = 0;
		e->sent = 0;
	}
	for (;;) {
		n = ftls_read(e->t, buf, sizeof(buf));
		if (n == 0) {
			e->got_eof = 1;
			loop_io_set(l, fd, 0);
			end_check_done(e);
			return;
		}
		if (n == FTLS_ERROR) {
			e->failed = 1;
			snprintf(
			    e->err, sizeof(e->err), "%s", ftls_error(e->t));
			end_check_done(e);
			return;
		}
		if (n < 0) {
			want |= ftls_want_events((int)n);
			break;
		}
		if (memcmp(buf, payload + e->received, (size_t)n) != 0)
			e->failed = 1;
		e->received += (size_t)n;
	}
	end_update(e, want);
}

struct run {
	const char *server_cert, *server_key;
	const char *const *server_alpn;
	size_t nserver_alpn;
	const char *ca_file;
	int verify;
	const char *host;
	const char *const *client_alpn;
	size_t nclient_alpn;
	size_t bytes;
	/* results */
	int client_ok, server_ok;
	char client_err[256];
	char client_alpn_got[32], server_alpn_got[32];
	size_t server_received;
	int server_eof;
};

static void
watchdog(struct loop *l, void *arg)
{
	int *fired = arg;

	*fired = 1;
	loop_stop(l);
}

static int
run_pair(struct run *r)
{
	struct loop *l = loop_new();
	struct ftls_ctx *sctx = NULL, *cctx = NULL;
	struct end s, c;
	struct loop_timer *wd;
	char err[256];
	int sv[2], fired = 0;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    sock_set_nonblock(sv[0]) == -1 || sock_set_nonblock(sv[1]) == -1)
		return -1;
	sctx = ftls_ctx_server_new(
	    r->server_cert, r->server_key, err, sizeof(err));
	if (sctx == NULL) {
		diag("server ctx: %s", err);
		return -1;
	}
	cctx = ftls_ctx_client_new(r->ca_file, r->verify, err, sizeof(err));
	if (cctx == NULL) {
		diag("client ctx: %s", err);
		return -1;
	}
	if (r->nserver_alpn > 0 &&
	    ftls_ctx_set_alpn(sctx, r->server_alpn, r->nserver_alpn) == -1)
		return -1;
	if (r->nclient_alpn > 0 &&
	    ftls_ctx_set_alpn(cctx, r->client_alpn, r->nclient_alpn) == -1)
		return -1;
	s.l = c.l = l;
	s.fd = sv[0];
	c.fd = sv[1];
	c.client = 1;
	s.peer = &c;
	c.peer = &s;
	c.to_send = r->bytes;
	s.t = ftls_server_new(sctx, s.fd);
	c.t = ftls_client_new(cctx, c.fd, r->host);
	if (s.t == NULL || c.t == NULL)
		return -1;
	if (loop_io_add(l, s.fd, LOOP_READ, end_io, &s) == -1 ||
	    loop_io_add(l, c.fd, LOOP_WRITE, end_io, &c) == -1)
		return -1;
	wd = loop_timer_add(l, 10000, watchdog, &fired);
	if (loop_run(l) == -1)
		return -1;
	if (!fired)
		loop_timer_cancel(l, wd);
	r->client_ok = c.handshaken && !c.failed;
	r->server_ok = s.handshaken && !s.failed;
	snprintf(r->client_err, sizeof(r->client_err), "%s", c.err);
	snprintf(r->client_alpn_got, sizeof(r->client_alpn_got), "%s",
	    ftls_alpn(c.t) != NULL ? ftls_alpn(c.t) : "-");
	snprintf(r->server_alpn_got, sizeof(r->server_alpn_got), "%s",
	    ftls_alpn(s.t) != NULL ? ftls_alpn(s.t) : "-");
	r->server_received = s.received;
	r->server_eof = s.got_eof;
	ftls_free(s.t);
	ftls_free(c.t);
	ftls_ctx_free(sctx);
	ftls_ctx_free(cctx);
	loop_io_del(l, sv[0]);
	loop_io_del(l, sv[1]);
	close(sv[0]);
	close(sv[1]);
	loop_free(l);
	if (fired)
		diag("watchdog fired");
	return fired ? -1 : 0;
}

static void
base_run(struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->server_cert = path("leaf.pem");
	r->server_key = path("leaf.key");
	r->ca_file = path("ca.pem");
	r->verify = 1;
	r->host = "localhost";
}

int
main(void)
{
	static const char *const both[] = { "h2", "http/1.1" };
	static const char *const h11[] = { "http/1.1" };
	static const char *const none_common[] = { "spdy/3" };
	static const char *const too_many[] = { "a", "b", "c", "d", "e", "f",
		"g", "h", "i" };
	static const char *const empty[] = { "" };
	struct run r;
	struct ftls_ctx *ctx;
	char err[256];
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 7 + (i >> 9));
	if (make_certs() == -1) {
		ok(0, "make test certificates in a temporary directory");
		return done_testing();
	}

	/* 1: verified with the CA file, ALPN h2 (both offer it), data. */
	base_run(&r);
	r.server_alpn = both;
	r.nserver_alpn = 2;
	r.client_alpn = both;
	r.nclient_alpn = 2;
	r.bytes = BIG;
	ok(run_pair(&r) == 0, "handshake with the CA file completes");
	ok(r.client_ok, "client verified the server (%s)", r.client_err);
	ok(r.server_ok, "server side completed");
	is_str(r.client_alpn_got, "h2", "client sees ALPN h2");
	is_str(r.server_alpn_got, "h2", "server sees ALPN h2");
	is_int(r.server_received, BIG, "256 KiB arrive intact");
	ok(r.server_eof, "close_notify reads as a clean EOF (0)");

	/* 2: the client offers only http/1.1. */
	base_run(&r);
	r.server_alpn = both;
	r.nserver_alpn = 2;
	r.client_alpn = h11;
	r.nclient_alpn = 1;
	ok(run_pair(&r) == 0 && r.client_ok, "handshake offering http/1.1");
	is_str(r.client_alpn_got, "http/1.1", "ALPN http/1.1 negotiated");

	/* 3: no protocol in common: no ALPN, the handshake still works. */
	base_run(&r);
	r.server_alpn = both;
	r.nserver_alpn = 2;
	r.client_alpn = none_common;
	r.nclient_alpn = 1;
	ok(run_pair(&r) == 0 && r.client_ok, "handshake without common ALPN");
	is_str(r.client_alpn_got, "-", "no ALPN protocol selected");

	/* 4: a self-signed server certificate fails verification. */
	base_run(&r);
	r.server_cert = path("self.pem");
	r.server_key = path("self.key");
	ok(run_pair(&r) == 0, "self-signed run ends");
	ok(!r.client_ok, "self-signed certificate refused");
	is_str(r.client_err,
	    "certificate verify failed: self-signed certificate",
	    "clear self-signed error");

	/* 5: ... and is accepted with verification off. */
	base_run(&r);
	r.server_cert = path("self.pem");
	r.server_key = path("self.key");
	r.verify = 0;
	r.ca_file = NULL;
	r.bytes = 1000;
	ok(run_pair(&r) == 0 && r.client_ok && r.server_received == 1000,
	    "verify off accepts a self-signed certificate");

	/* 6: the system store does not know our CA. */
	base_run(&r);
	r.ca_file = NULL;
	ok(run_pair(&r) == 0 && !r.client_ok,
	    "unknown CA refused with the system store");
	is_str(r.client_err,
	    "certificate verify failed: unable to get local issuer certificate",
	    "clear unknown-issuer error");

	/* 7: hostname mismatch. */
	base_run(&r);
	r.host = "cache.example.com";
	ok(run_pair(&r) == 0 && !r.client_ok, "wrong host name refused");
	is_str(r.client_err, "certificate verify failed: hostname mismatch",
	    "clear hostname-mismatch error");

	/* 8: IP literal checked against the IP SAN (and no SNI sent). */
	base_run(&r);
	r.host = "127.0.0.1";
	ok(run_pair(&r) == 0 && r.client_ok, "IP SAN 127.0.0.1 verifies");
	base_run(&r);
	r.host = "127.0.0.2";
	ok(run_pair(&r) == 0 && !r.client_ok, "other IP refused");
	is_str(r.client_err, "certificate verify failed: IP address mismatch",
	    "clear IP-mismatch error");

	/* 9: files and ALPN lists that are wrong. */
	ctx = ftls_ctx_server_new(
	    path("missing.pem"), path("leaf.key"), err, sizeof(err));
	ok(ctx == NULL && strstr(err, "missing.pem") != NULL &&
		strstr(err, "No such file") != NULL,
	    "missing certificate named in the error (%s)", err);
	ctx = ftls_ctx_server_new(
	    path("leaf.pem"), path("self.key"), err, sizeof(err));
	ok(ctx == NULL && strstr(err, "mismatch") != NULL,
	    "key/certificate mismatch detected (%s)", err);
	ctx = ftls_ctx_client_new(path("missing.pem"), 1, err, sizeof(err));
	ok(ctx == NULL && strstr(err, "cannot load CA file") != NULL,
	    "missing CA file refused (%s)", err);
	ctx = ftls_ctx_client_new(NULL, 1, err, sizeof(err));
	ok(ctx != NULL, "client context with the system store");
	if (ctx != NULL) {
		is_int(ftls_ctx_set_alpn(ctx, too_many, 9), -1,
		    "more than FTLS_MAX_ALPN refused");
		is_int(ftls_ctx_set_alpn(ctx, empty, 1), -1,
		    "empty ALPN name refused");
		is_int(ftls_ctx_set_alpn(ctx, both, 2), 0, "ALPN list set");
		ftls_ctx_free(ctx);
	}
	is_int(ftls_want_events(FTLS_WANT_READ), LOOP_READ, "want read");
	is_int(ftls_want_events(FTLS_WANT_WRITE), LOOP_WRITE, "want write");
	remove_certs();
	return done_testing();
}
