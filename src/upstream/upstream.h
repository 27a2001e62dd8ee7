/*
 * One upstream layer as the chain sees it: get an object (its envelope
 * first, then its content in order), put an object from a content
 * source, delete.  Implementations: S3 (upstream/s3up) and the Fabrik
 * protocol over gRPC (upstream/fabrik).  upstream_new() picks one from
 * the URL scheme.  Every callback runs from the loop, never inside the
 * call that started the operation, exactly once per operation that was
 * not cancelled.
 */
#ifndef FABRIK_UPSTREAM_H
#define FABRIK_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct loop;

#define UPSTREAM_KEY_LEN 32

/* Results. */
#define UPSTREAM_OK 0
#define UPSTREAM_MISS 1 /* the upstream answered: not there */
#define UPSTREAM_FAIL (-1) /* transport, timeout, 5xx, garbage */

/* What an object is: from the envelope (get) or the store (put). */
struct upstream_info {
	int ns;
	uint64_t size;
	unsigned char sha[32];
	const unsigned char *meta;
	size_t meta_len;
};

/* A get: head() once before any content with what the object claims to
 * be, data() with the content in order (return -1 from either to fail
 * the get), done() exactly once.  err is a static or short-lived
 * message for logs (valid during the call). */
struct upstream_get_cb {
	int (*head)(void *arg, const struct upstream_info *);
	int (*data)(void *arg, const void *p, size_t n);
	void (*done)(void *arg, int rc, const char *err);
};

typedef void upstream_done_cb(void *arg, int rc, const char *err);

/* Content of an object being put: read() fills up to n bytes at pos
 * (any pos, any number of times), returning the count or -1. */
struct upstream_src {
	int64_t (*read)(void *arg, void *out, size_t n, uint64_t pos);
	void *arg;
};

struct upstream_op;

struct upstream_ops {
	struct upstream_op *(*get)(void *impl, const unsigned char *key,
	    const struct upstream_get_cb *, void *arg, const char **err);
	struct upstream_op *(*put)(void *impl, const unsigned char *key,
	    const struct upstream_info *, const struct upstream_src *,
	    upstream_done_cb *, void *arg, const char **err);
	struct upstream_op *(*del)(void *impl, const unsigned char *key,
	    upstream_done_cb *, void *arg, const char **err);
	/* Ends an operation without its callback. */
	void (*cancel)(void *impl, struct upstream_op *);
	void (*free)(void *impl);
};

struct upstream {
	const struct upstream_ops *ops;
	void *impl;
};

/* Settings of one [[upstream]] entry that the implementations use. */
struct upstream_config {
	const char *url; /* s3://bucket/prefix/, grpc://h:p, grpcs://h:p */
	uint64_t timeout_ms;
	const char *region, *endpoint, *access_key, *secret_key;
	const char *session_token, *tls_ca_file, *token;
	int path_style;
	char *const *env; /* for credentials (NULL-terminated) */
	const char *home; /* for ~/.aws/credentials (may be NULL) */
};

/*
 * Creates the upstream for cfg->url on loop l, resolving names through
 * res (struct resolver *, borrowed; it must outlive the upstream).
 * Returns 0, or -1 with a message in err.
 */
struct resolver;
int upstream_new(struct upstream *, struct loop *l, struct resolver *res,
    const struct upstream_config *cfg, char *err, size_t errlen) FAB_WUR;
void upstream_free(struct upstream *);

#endif
