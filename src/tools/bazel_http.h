/*
 * Bazel's HTTP/1.1 remote cache protocol (HttpCacheClient):
 * GET/HEAD/PUT {prefix}[{instance}/]ac/{sha256} and .../cas/{sha256}.
 * See doc/bazel.md and ../shared/protocols/bazel-reapi.md §5.
 */
#ifndef FABRIK_BAZEL_HTTP_H
#define FABRIK_BAZEL_HTTP_H

#include "base/buf.h"
#include "base/sha.h"
#include "http/server.h"
#include "store/store.h"

#define BAZEL_HTTP_PREFIX "/bazel/"
/* Longest instance name accepted in front of ac/ or cas/. */
#ifndef BAZEL_HTTP_MAX_INSTANCE
#define BAZEL_HTTP_MAX_INSTANCE 256
#endif

enum bazel_http_kind {
	BAZEL_HTTP_AC,
	BAZEL_HTTP_CAS,
};

/* A parsed request path; the instance span points into the path. */
struct bazel_http_path {
	enum bazel_http_kind kind;
	struct span instance; /* len 0 for the default instance */
	unsigned char digest[SHA256_LEN];
};

/* Parses the path after the prefix: "[instance/]ac|cas/<64 lowercase
 * hex>".  An instance is 1..BAZEL_HTTP_MAX_INSTANCE bytes of
 * [A-Za-z0-9_.-/] whose '/'-separated segments are non-empty and not "."
 * or "..".  Returns 0, or -1 with *err set to a static message. */
int bazel_http_parse(
    struct span rest, struct bazel_http_path *out, const char **err);

/* The store key of an action-cache entry: SHA-256("bazel-ac\0" + hex)
 * for the default instance, SHA-256("bazel-ac\0" + instance + "/" + hex)
 * otherwise (hex = the 64 lowercase digits of the action digest).  Shared
 * with the REAPI adapter so both protocols see the same entries.  CAS
 * keys are the content digest itself. */
void bazel_ac_key(struct span instance, const unsigned char digest[SHA256_LEN],
    unsigned char key[STORE_KEY_LEN]);

/* Route handler; arg is the struct tools_env. */
void bazel_http_handle(struct http_req *, void *arg);

#endif
