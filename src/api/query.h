/*
 * The cache query API (issue #3, doc/api-query.md): lists, looks up,
 * ranks and searches the objects of the local store by walking the mmap'd
 * index (never the objects/ directory).  Sorted pages keep a bounded heap
 * of offset + limit entries while walking: O(n log k) time, O(k) memory.
 */
#ifndef FABRIK_QUERY_H
#define FABRIK_QUERY_H

#include "api/api.h"

/* Page sizes: the default, the largest accepted, and /top's default. */
#ifndef QUERY_DEFAULT_LIMIT
#define QUERY_DEFAULT_LIMIT 100
#endif
#ifndef QUERY_MAX_LIMIT
#define QUERY_MAX_LIMIT 1000
#endif
#ifndef QUERY_TOP_DEFAULT
#define QUERY_TOP_DEFAULT 10
#endif
/* Longest query string, and longest decoded parameter name or value. */
#ifndef QUERY_MAX_QUERY
#define QUERY_MAX_QUERY 4096
#endif
#ifndef QUERY_MAX_VALUE
#define QUERY_MAX_VALUE 256
#endif

/* Serves GET /api/v1/artifacts, /api/v1/artifacts/{hash},
 * /api/v1/artifacts/top and /api/v1/artifacts/search (auth and method
 * were checked by api_handle). */
void query_handle(struct http_req *, const struct api_env *);

/* Writes an object {"<build system>": {"objects": n, "bytes": b}, ...}
 * with every build system that holds objects, as the next value of w. */
void query_write_build_systems(struct json_writer *, struct store *);

/* Evictions since start per hour of uptime. */
double query_eviction_rate(const struct store_stats *);

#endif
