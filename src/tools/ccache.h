/*
 * ccache remote storage over HTTP (ccache 4.4+ `remote_storage=http://`):
 * GET/HEAD/PUT/DELETE {prefix}{key path} in the subdirs, flat and bazel
 * layouts.  See doc/ccache.md and ../shared/protocols/ccache-remote-http.md.
 */
#ifndef FABRIK_CCACHE_H
#define FABRIK_CCACHE_H

#include "base/buf.h"
#include "http/server.h"

#define CCACHE_PREFIX "/ccache/"
/* Limits on the key path after the prefix: "ab/cdef..." (subdirs),
 * "abcdef..." (flat), "ac/<64 hex>" (bazel), plus room for a shard. */
#ifndef CCACHE_MAX_PATH
#define CCACHE_MAX_PATH 256
#endif
#ifndef CCACHE_MAX_SEGMENT
#define CCACHE_MAX_SEGMENT 128
#endif
#ifndef CCACHE_MAX_SEGMENTS
#define CCACHE_MAX_SEGMENTS 4
#endif

/* Non-zero when p is a key path ccache may send: 1..CCACHE_MAX_SEGMENTS
 * non-empty segments of [0-9a-z], each at most CCACHE_MAX_SEGMENT long,
 * joined by single '/', CCACHE_MAX_PATH bytes at most. */
int ccache_path_valid(struct span p);

/* Route handler; arg is the struct tools_env. */
void ccache_handle(struct http_req *, void *arg);

#endif
