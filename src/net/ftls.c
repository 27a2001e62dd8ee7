/*
 * Non-blocking TLS with OpenSSL: contexts, connections and the mapping of
 * SSL_get_error() onto want-read / want-write / error.  Untrusted input:
 * everything the peer sends, handled by OpenSSL; this file only checks
 * the lengths of the ALPN names it is given and copies the negotiated one
 * into a bounded buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/ftls.h"
#include "net/loop.h"

struct ftls_ctx {
	SSL_CTX *ctx;
	int server;
	unsigned char alpn[FTLS_MAX_ALPN * 256]; /* wire format */
	unsigned alpn_len;
	int alpn_required; /* server: no overlap is fatal */
};

struct ftls {
	SSL *ssl;
	int failed;
	int shut;
	int handshaken;
	char alpn[256];
	char err[256];
};

static void
ftls_ctx_err(char *err, size_t errlen, const char *what)
{
	unsigned long e, last = 0;
	const char *reason;
	int saved = errno;

	while ((e = ERR_get_error()) != 0)
		last = e;
	reason = last != 0 ? ERR_reason_error_string(last) : NULL;
	/* A file that cannot be opened reports "system lib": say why. */
	if ((reason == NULL || strcmp(reason, "system lib") == 0) && saved != 0)
		reason = strerror(saved);
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s%s%s", what,
		    reason != NULL ? ": " : "", reason != NULL ? reason : "");
}

static struct ftls_ctx *
ftls_ctx_alloc(int server, char *err, size_t errlen)
{
	struct ftls_ctx *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->server = server;
	ERR_clear_error();
	c->ctx =
	    SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (c->ctx == NULL) {
		ftls_ctx_err(err, errlen, "cannot create a TLS context");
		free(c);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	/* Writes may be partial and retried from a moved buffer. */
	SSL_CTX_set_mode(c->ctx,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION);
	return c;
}

struct ftls_ctx *
ftls_ctx_client_new(const char *ca_file, int verify, char *err, size_t errlen)
{
	struct ftls_ctx *c;
	char what[512];

	errno = 0;
	if ((c = ftls_ctx_alloc(0, err, errlen)) == NULL)
		return NULL;
	if (ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(c->ctx, ca_file, NULL) != 1) {
			snprintf(what, sizeof(what), "cannot load CA file %s",
			    ca_file);
			ftls_ctx_err(err, errlen, what);
			goto fail;
		}
	} else if (verify && SSL_CTX_set_default_verify_paths(c->ctx) != 1) {
		ftls_ctx_err(err, errlen, "cannot load the system CA store");
		goto fail;
	}
	SSL_CTX_set_verify(
	    c->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	return c;
fail:
	ftls_ctx_free(c);
	return NULL;
}

struct ftls_ctx *
ftls_ctx_server_new(
    const char *cert_file, const char *key_file, char *err, size_t errlen)
{
	struct ftls_ctx *c;
	char what[512];

	errno = 0;
	if ((c = ftls_ctx_alloc(1, err, errlen)) == NULL)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(c->ctx, cert_file) != 1) {
		snprintf(what, sizeof(what), "cannot load certificate %s",
		    cert_file);
		ftls_ctx_err(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(c->ctx, key_file, SSL_FILETYPE_PEM) !=
	    1) {
		snprintf(what, sizeof(what), "cannot load key %s", key_file);
		ftls_ctx_err(err, errlen, what);
		goto fail;
	}
	if (SSL_CTX_check_private_key(c->ctx) != 1) {
		snprintf(what, sizeof(what), "key %s does not match %s",
		    key_file, cert_file);
		ftls_ctx_err(err, errlen, what);
		goto fail;
	}
	return c;
fail:
	ftls_ctx_free(c);
	return NULL;
}

/* Server side of RFC 7301 §3.2: our first preference the client offers. */
static int
ftls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned inlen, void *arg)
{
	struct ftls_ctx *c = arg;
	unsigned char *sel = NULL;
	unsigned char sellen = 0;

	if (SSL_select_next_proto(&sel, &sellen, c->alpn, c->alpn_len, in,
		inlen) != OPENSSL_NPN_NEGOTIATED)
		return c->alpn_required ? SSL_TLSEXT_ERR_ALERT_FATAL
					: SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	*outlen = sellen;
	return SSL_TLSEXT_ERR_OK;
}

int
ftls_ctx_set_alpn(struct ftls_ctx *c, const char *const *protos, size_t n)
{
	size_t i, len;
	unsigned off = 0;

	if (n > FTLS_MAX_ALPN)
		return -1;
	for (i = 0; i < n; i++) {
		len = strlen(protos[i]);
		if (len == 0 || len > 255)
			return -1;
		c->alpn[off++] = (unsigned char)len;
		memcpy(c->alpn + off, protos[i], len);
		off += (unsigned)len;
	}
	c->alpn_len = off;
	if (c->server) {
		SSL_CTX_set_alpn_select_cb(c->ctx, ftls_alpn_select, c);
		return 0;
	}
	/* SSL_CTX_set_alpn_protos returns 0 on success. */
	return SSL_CTX_set_alpn_protos(c->ctx, c->alpn, off) == 0 ? 0 : -1;
}

void
ftls_ctx_set_alpn_required(struct ftls_ctx *c, int required)
{
	c->alpn_required = required != 0;
}

void
ftls_ctx_free(struct ftls_ctx *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

static struct ftls *
ftls_alloc(struct ftls_ctx *c, int fd)
{
	struct ftls *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->ssl = SSL_new(c->ctx)) == NULL || SSL_set_fd(t->ssl, fd) != 1) {
		ERR_clear_error();
		SSL_free(t->ssl);
		free(t);
		return NULL;
	}
	return t;
}

static int
ftls_is_ip(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

struct ftls *
ftls_client_new(struct ftls_ctx *c, int fd, const char *host)
{
	struct ftls *t;
	X509_VERIFY_PARAM *param;

	if ((t = ftls_alloc(c, fd)) == NULL)
		return NULL;
	SSL_set_connect_state(t->ssl);
	if (host != NULL && *host != '\0') {
		param = SSL_get0_param(t->ssl);
		X509_VERIFY_PARAM_set_hostflags(
		    param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (ftls_is_ip(host)) {
			/* RFC 6066 §3: no IP literals in SNI. */
			if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
				goto fail;
		} else if (SSL_set_tlsext_host_name(t->ssl, host) != 1 ||
		    X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
			goto fail;
	}
	return t;
fail:
	ERR_clear_error();
	ftls_free(t);
	return NULL;
}

struct ftls *
ftls_server_new(struct ftls_ctx *c, int fd)
{
	struct ftls *t;

	if ((t = ftls_alloc(c, fd)) == NULL)
		return NULL;
	SSL_set_accept_state(t->ssl);
	return t;
}

void
ftls_free(struct ftls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t);
}

/* Maps a failed SSL call onto a result, filling t->err on errors. */
static int
ftls_result(struct ftls *t, int rc, int saved_errno)
{
	unsigned long e, last = 0;
	const char *reason;
	long vr;

	switch (SSL_get_error(t->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return FTLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return FTLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		while ((e = ERR_get_error()) != 0)
			last = e;
		if (last == 0) {
			snprintf(t->err, sizeof(t->err), "%s",
			    saved_errno != 0 ? strerror(saved_errno)
					     : "unexpected EOF");
			break;
		}
		/* FALLTHROUGH */
	default:
		while ((e = ERR_get_error()) != 0)
			last = e;
		vr = SSL_get_verify_result(t->ssl);
		if (!t->handshaken && vr != X509_V_OK) {
			snprintf(t->err, sizeof(t->err),
			    "certificate verify failed: %s",
			    X509_verify_cert_error_string(vr));
			break;
		}
		reason = last != 0 ? ERR_reason_error_string(last) : NULL;
		snprintf(t->err, sizeof(t->err), "TLS error: %s",
		    reason != NULL ? reason : "unknown");
		break;
	}
	t->failed = 1;
	return FTLS_ERROR;
}

int
ftls_handshake(struct ftls *t)
{
	const unsigned char *p;
	unsigned len;
	int rc;

	if (t->failed)
		return FTLS_ERROR;
	if (t->handshaken)
		return 0;
	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(t->ssl);
	if (rc != 1) {
		rc = ftls_result(t, rc, errno);
		if (rc == 0) {
			snprintf(t->err, sizeof(t->err),
			    "connection closed during the TLS handshake");
			t->failed = 1;
			return FTLS_ERROR;
		}
		return rc;
	}
	t->handshaken = 1;
	SSL_get0_alpn_selected(t->ssl, &p, &len);
	if (p != NULL && len > 0 && len < sizeof(t->alpn)) {
		memcpy(t->alpn, p, len);
		t->alpn[len] = '\0';
	}
	return 0;
}

ssize_t
ftls_read(struct ftls *t, void *out, size_t n)
{
	size_t got = 0;
	int rc;

	if (t->failed)
		return FTLS_ERROR;
	ERR_clear_error();
	errno = 0;
	rc = SSL_read_ex(t->ssl, out, n, &got);
	if (rc == 1)
		return (ssize_t)got;
	return ftls_result(t, rc, errno);
}

ssize_t
ftls_write(struct ftls *t, const void *in, size_t n)
{
	size_t put = 0;
	int rc;

	if (t->failed)
		return FTLS_ERROR;
	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	rc = SSL_write_ex(t->ssl, in, n, &put);
	if (rc == 1)
		return (ssize_t)put;
	rc = ftls_result(t, rc, errno);
	if (rc == 0) {
		snprintf(t->err, sizeof(t->err), "peer closed the TLS session");
		t->failed = 1;
		return FTLS_ERROR;
	}
	return rc;
}

void
ftls_shutdown(struct ftls *t)
{
	if (t->failed || t->shut || !t->handshaken)
		return;
	t->shut = 1;
	ERR_clear_error();
	(void)SSL_shutdown(t->ssl);
	ERR_clear_error();
}

size_t
ftls_pending(const struct ftls *t)
{
	int n = SSL_pending(t->ssl);

	return n > 0 ? (size_t)n : 0;
}

const char *
ftls_alpn(const struct ftls *t)
{
	return t->alpn[0] != '\0' ? t->alpn : NULL;
}

const char *
ftls_error(const struct ftls *t)
{
	return t->err[0] != '\0' ? t->err : "no TLS error";
}

int
ftls_want_events(int rc)
{
	if (rc == FTLS_WANT_READ)
		return LOOP_READ;
	if (rc == FTLS_WANT_WRITE)
		return LOOP_WRITE;
	return 0;
}
