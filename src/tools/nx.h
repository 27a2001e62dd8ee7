/*
 * Nx self-hosted remote cache ("Nx custom remote cache specification"
 * 1.0.0): GET/PUT /v1/cache/{hash}.  See doc/nx.md and
 * ../shared/protocols/nx-self-hosted-cache.md.
 */
#ifndef FABRIK_NX_H
#define FABRIK_NX_H

#include "http/server.h"

#define NX_PREFIX "/v1/cache/"
/* Nx hashes are decimal digits today; [0-9A-Za-z] up to this accepted. */
#ifndef NX_MAX_HASH
#define NX_MAX_HASH 128
#endif

/* Route handler; arg is the struct tools_env. */
void nx_handle(struct http_req *, void *arg);

#endif
