/*
 * Asynchronous HTTP/1.1 client on the poll loop (RFC 9112, RFC 9110):
 * http:// and https:// URLs, per-host connection pools with keep-alive
 * reuse, streamed request and response bodies, a timeout on every phase,
 * TLS through net/ftls.  Name resolution goes through a replaceable hook.
 * See doc/http-client.md.
 */
#ifndef FABRIK_HTTP_CLIENT_H
#define FABRIK_HTTP_CLIENT_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/h1.h"
#include "net/loop.h"
#include "net/nconn.h"

/* URL bytes accepted by http_client_request(). */
#ifndef HTTP_CLIENT_MAX_URL
#define HTTP_CLIENT_MAX_URL (8192)
#endif
/* Addresses tried per host (the resolver may return more). */
#ifndef HTTP_CLIENT_MAX_ADDRS
#define HTTP_CLIENT_MAX_ADDRS (8)
#endif

struct http_client;
struct http_client_req;

struct http_client_opts {
	unsigned max_per_host; /* open connections per host; 0: 8 */
	uint64_t connect_timeout_ms; /* resolve + TCP + TLS; 0: 10 s */
	/* From the last request byte sent to the complete response head;
	 * 0: 30 s. */
	uint64_t request_timeout_ms;
	/* Longest stall while sending or receiving a body; 0: 30 s. */
	uint64_t body_timeout_ms;
	/* An unused pooled connection is closed after this; 0: 30 s. */
	uint64_t idle_timeout_ms;
	const char *tls_ca_file; /* NULL: the system CA store */
	int tls_no_verify; /* 1: accept any certificate (insecure) */
};

/* One resolved address; the client sets the port. */
struct http_client_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Resolution result: n addresses (n > 0), or n == 0 and err a static
 * message.  The resolver calls it exactly once per query, synchronously
 * or later from the loop; addrs is copied before it returns.
 */
typedef void http_client_resolved_cb(void *done_arg,
    const struct http_client_addr *addrs, size_t n, const char *err);
/* A resolver: starts resolving host (a name, never an IP literal). */
typedef void http_client_resolver(
    void *arg, const char *host, http_client_resolved_cb *done, void *done_arg);

/* A request header; both strings are copied, neither may hold CR or LF. */
struct http_client_header {
	const char *name;
	const char *value;
};

/* What the head callback sees; valid during the callback only. */
struct http_client_response {
	int status;
	const struct h1_response *h; /* fields point into the client buffer */
	/* Body length, or -1 when chunked or delimited by the close. */
	long long content_length;
	unsigned conn_id; /* serial of the connection, 1 for the first */
	int reused; /* the connection carried an earlier request */
};

/*
 * Streaming request body: read copies up to n bytes at offset pos into
 * out and returns the count (0 at the end, only with length == -1),
 * HTTP_CLIENT_SOURCE_AGAIN to wait for http_client_resume(), or -1 to
 * fail the request.  length >= 0 sends Content-Length, -1 chunked.
 * release (may be NULL) runs exactly once when the request ends.
 */
#define HTTP_CLIENT_SOURCE_AGAIN (-2)
struct http_client_source {
	int64_t (*read)(void *arg, void *out, size_t n, uint64_t pos);
	void (*release)(void *arg);
	void *arg;
	long long length;
};

/*
 * Callbacks.  For each request: on_head at most once (final response
 * head; 1xx are skipped), then on_data zero or more times with body bytes
 * (de-chunked; valid during the call), then on_done exactly once with
 * ok = 1 and err = NULL when the whole body arrived, or ok = 0 and a
 * static message.  on_head or on_data returning -1 ends the request (on_done
 * follows with "aborted by the caller").  No callback runs inside
 * http_client_request().  After on_done returns the handle is invalid.
 * Callbacks may start or cancel any request.
 */
typedef int http_client_head_cb(
    struct http_client_req *, const struct http_client_response *, void *arg);
typedef int http_client_data_cb(
    struct http_client_req *, const void *data, size_t len, void *arg);
typedef void http_client_done_cb(
    struct http_client_req *, int ok, const char *err, void *arg);

struct http_client_request {
	const char *method; /* "GET", "PUT", ... */
	const char *url; /* http://host[:port]/path?query, https://... */
	const struct http_client_header *headers;
	size_t nheaders;
	/* Body from a buffer (copied) ... */
	const void *body;
	size_t body_len;
	/* ... or from a source (copied; body must be NULL then). */
	const struct http_client_source *source;
	http_client_head_cb *on_head;
	http_client_data_cb *on_data;
	http_client_done_cb *on_done;
	void *arg;
};

/* Counters since http_client_new(). */
struct http_client_stats {
	uint64_t connections; /* connections opened (TCP connect started) */
	uint64_t reused; /* requests sent on an already used connection */
	uint64_t requests; /* requests finished, either way */
	uint64_t failures; /* requests that ended with ok == 0 */
	unsigned open; /* connections open now (busy, idle, connecting) */
};

/*
 * A client on loop l.  opts may be NULL for the defaults.  Returns NULL
 * with a message in err[0..errlen) (a bad CA file, ENOMEM).
 */
struct http_client *http_client_new(struct loop *,
    const struct http_client_opts *, char *err, size_t errlen) FAB_WUR;
/*
 * Cancels every request without callbacks (sources are released), closes
 * every connection and frees the client after the current dispatch pass.
 * May be called from a callback.
 */
void http_client_free(struct http_client *);

/*
 * Replaces name resolution (the default reads numeric hosts and
 * /etc/hosts only).  The resolver must call done for every query it
 * accepted, even after the client is freed (done is then harmless).
 */
void http_client_set_resolver(
    struct http_client *, http_client_resolver *, void *arg);

/*
 * Starts a request; the description is copied.  Returns the handle, or
 * NULL with *err set (a static message: bad URL, bad header, ENOMEM).
 */
struct http_client_req *http_client_request(struct http_client *,
    const struct http_client_request *, const char **err) FAB_WUR;
/*
 * Ends a request at once without any further callback (the source is
 * released); a connection carrying it is closed.  The handle is invalid
 * afterwards.  Not to be called after on_done.
 */
void http_client_cancel(struct http_client_req *);
/* Continues a source that returned HTTP_CLIENT_SOURCE_AGAIN. */
void http_client_resume(struct http_client_req *);

void http_client_get_stats(
    const struct http_client *, struct http_client_stats *);

/*
 * The default resolver, usable by others: IPv4/IPv6 literals and names
 * from /etc/hosts (path; NULL for "/etc/hosts").  Fills up to max
 * addresses; returns the count, 0 when the name is unknown.
 */
size_t http_client_hosts_lookup(const char *path, const char *host,
    struct http_client_addr *out, size_t max);
/* The resolver used when none is set: http_client_hosts_lookup() on
 * /etc/hosts; arg is unused. */
void http_client_default_resolver(
    void *arg, const char *host, http_client_resolved_cb *done, void *done_arg);

/*
 * Finds the addresses of host for the connection nc (net/nconn.h), as the
 * HTTP/1.1 and HTTP/2 clients do: an IP literal is taken as it is, any
 * other name goes to the resolver fn with arg.  Then done(nc->arg) runs,
 * inside this call for a literal or a synchronous resolver, never after
 * nconn_close(nc); there nconn_connect_next connects to the addresses,
 * or fails with the resolver's error in nc->err.
 */
void http_client_resolve(struct nconn *nc, http_client_resolver *fn, void *arg,
    const char *host, nconn_step_cb *done);

/* What http_client_split_authority found wrong, for callers to word. */
enum http_client_authority_error {
	HTTP_CLIENT_AUTHORITY_OK = 0,
	HTTP_CLIENT_AUTHORITY_IPV6, /* '[' without ']' */
	HTTP_CLIENT_AUTHORITY_SYNTAX, /* text after ']' that is no port */
	HTTP_CLIENT_AUTHORITY_HOST, /* empty, too long or bad byte */
	HTTP_CLIENT_AUTHORITY_PORT, /* not 1..65535 */
};

/*
 * Splits the authority [auth, end) of a URL (RFC 3986 §3.2, without user
 * info) into host, copied without IPv6 brackets and NUL-terminated into
 * host[hostlen], and port, set only when one is given.  The host must be
 * non-empty, shorter than hostlen and printable ASCII without '@'.
 * Returns HTTP_CLIENT_AUTHORITY_OK or what is wrong.
 */
enum http_client_authority_error http_client_split_authority(const char *auth,
    const char *end, char *host, size_t hostlen, int *port) FAB_WUR;

#endif
