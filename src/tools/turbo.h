/*
 * Turborepo remote cache (Remote Cache API v8): /v8/artifacts/{hash}
 * GET/HEAD/PUT, POST /v8/artifacts (metadata query), GET
 * /v8/artifacts/status, POST /v8/artifacts/events, OPTIONS preflight.
 * See doc/turborepo.md and ../shared/protocols/turborepo-remote-cache.md.
 */
#ifndef FABRIK_TURBO_H
#define FABRIK_TURBO_H

#include "http/server.h"

/* Everything under it goes to turbo_handle (unknown paths get 404). */
#define TURBO_PREFIX "/v8/"
/* Task hashes are 16 hex digits today; [0-9A-Za-z_-] up to this length. */
#ifndef TURBO_MAX_HASH
#define TURBO_MAX_HASH 128
#endif
/* Longest decoded teamId or slug. */
#ifndef TURBO_MAX_TEAM
#define TURBO_MAX_TEAM 256
#endif
/* Longest x-artifact-duration and x-artifact-tag values kept. */
#ifndef TURBO_MAX_DURATION
#define TURBO_MAX_DURATION 32
#endif
#ifndef TURBO_MAX_TAG
#define TURBO_MAX_TAG 1024
#endif
/* Largest JSON body of POST /v8/artifacts, and most hashes in it. */
#ifndef TURBO_MAX_QUERY_BODY
#define TURBO_MAX_QUERY_BODY (1024 * 1024)
#endif
#ifndef TURBO_MAX_QUERY_HASHES
#define TURBO_MAX_QUERY_HASHES 1024
#endif

/* Route handler; arg is the struct tools_env. */
void turbo_handle(struct http_req *, void *arg);

#endif
