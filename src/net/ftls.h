/*
 * Non-blocking TLS over a connected socket with OpenSSL (RFC 8446 / 5246):
 * client and server contexts, SNI (RFC 6066 §3), certificate and hostname
 * verification (RFC 6125), ALPN (RFC 7301).  Every call returns at once;
 * FTLS_WANT_READ / FTLS_WANT_WRITE tell the loop which event to wait for.
 * The prefix is ftls_ because OpenSSL exports tls_* and ssl_* symbols.
 * OpenSSL writes with write(2): the process must ignore SIGPIPE.
 */
#ifndef FABRIK_FTLS_H
#define FABRIK_FTLS_H

#include <sys/types.h>

#include <stddef.h>

#include "base/buf.h"

/* Results of ftls_handshake/read/write besides bytes (> 0) and 0. */
#define FTLS_WANT_READ (-1) /* wait until the fd is readable, call again */
#define FTLS_WANT_WRITE (-2) /* wait until the fd is writable, call again */
#define FTLS_ERROR (-3) /* fatal; ftls_error() says why */

/* ALPN protocols offered or accepted; each name 1..255 bytes. */
#ifndef FTLS_MAX_ALPN
#define FTLS_MAX_ALPN (8)
#endif

struct ftls_ctx;
struct ftls;

/*
 * A client context.  Peers are verified against ca_file when it is not
 * NULL (PEM, one or more CA certificates; the system store is then not
 * used), else against the system CA store.  verify == 0 turns
 * verification off (tests, explicitly insecure upstreams).  Returns NULL
 * with a message in err[0..errlen) on failure.
 */
struct ftls_ctx *ftls_ctx_client_new(
    const char *ca_file, int verify, char *err, size_t errlen) FAB_WUR;
/*
 * A server context with a PEM certificate chain and its private key.
 * Returns NULL with a message in err on failure.
 */
struct ftls_ctx *ftls_ctx_server_new(const char *cert_file,
    const char *key_file, char *err, size_t errlen) FAB_WUR;
/*
 * ALPN protocols in order of preference, e.g. {"h2", "http/1.1"}: a
 * client offers them, a server picks the first of its list the client
 * offers (no overlap: no protocol, the handshake proceeds).  The strings
 * are copied.  Returns 0, or -1 if a name is empty, too long or there are
 * more than FTLS_MAX_ALPN.
 */
int ftls_ctx_set_alpn(
    struct ftls_ctx *, const char *const *protos, size_t n) FAB_WUR;
/*
 * Server contexts: with required set, a client whose ALPN list shares no
 * protocol with ours fails the handshake with a no_application_protocol
 * alert (RFC 7301 §3.2) instead of proceeding without a protocol.  A
 * client that offers no ALPN at all still completes the handshake (check
 * ftls_alpn() then).  No effect on client contexts.
 */
void ftls_ctx_set_alpn_required(struct ftls_ctx *, int required);
void ftls_ctx_free(struct ftls_ctx *);

/*
 * A client connection over the connected non-blocking socket fd (not
 * owned: ftls_free does not close it).  host is sent as SNI (unless it is
 * an IP literal) and the certificate must match it (DNS name or IP
 * address) when the context verifies.  Returns NULL on ENOMEM.
 */
struct ftls *ftls_client_new(struct ftls_ctx *, int fd, const char *host);
/* A server connection over an accepted non-blocking socket. */
struct ftls *ftls_server_new(struct ftls_ctx *, int fd);
/* Frees the connection (no close_notify; see ftls_shutdown). */
void ftls_free(struct ftls *);

/* Drives the handshake: 0 when complete, FTLS_WANT_READ/WRITE, or
 * FTLS_ERROR (e.g. "certificate verify failed: self-signed certificate"). */
int ftls_handshake(struct ftls *) FAB_WUR;
/*
 * Reads up to n plaintext bytes: > 0 bytes read, 0 when the peer closed
 * the TLS session cleanly (close_notify), FTLS_WANT_READ/WRITE, or
 * FTLS_ERROR (a TCP close without close_notify is an error:
 * "unexpected EOF", since the data may have been truncated).
 */
ssize_t ftls_read(struct ftls *, void *, size_t n) FAB_WUR;
/*
 * Writes up to n bytes: > 0 bytes taken, FTLS_WANT_READ/WRITE (call again
 * with the same bytes once the event fires), or FTLS_ERROR.
 */
ssize_t ftls_write(struct ftls *, const void *, size_t n) FAB_WUR;
/* Sends close_notify once, best effort (never blocks, never fails). */
void ftls_shutdown(struct ftls *);
/*
 * Plaintext bytes already decrypted inside OpenSSL.  poll() cannot see
 * them: after a read pass that stopped early, call ftls_read again (from
 * a deferred callback or the before-poll hook) while this is > 0.
 */
size_t ftls_pending(const struct ftls *);
/* The negotiated ALPN protocol ("h2", "http/1.1") or NULL. */
const char *ftls_alpn(const struct ftls *);
/* The message of the last FTLS_ERROR (static storage of the connection). */
const char *ftls_error(const struct ftls *);
/* LOOP_READ or LOOP_WRITE for a FTLS_WANT_* result, else 0. */
int ftls_want_events(int rc);

#endif
