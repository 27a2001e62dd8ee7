/*
 * The Fabrik protocol server: service fabrik.v1.FabrikCache
 * (proto/fabrik.proto, doc/protocol-fabrik.md) on an http/grpc_server,
 * answering from the layer chain.  `fabrik server` serves it on
 * [fabrik] bind; the daemon also serves it on its gRPC listener next to
 * REAPI.
 */
#ifndef FABRIK_FABRIK_SVC_H
#define FABRIK_FABRIK_SVC_H

#include <stddef.h>

#include "http/grpc_server.h"
#include "tools/tool.h"

/* Data bytes per GetResponse message (at most FABRIK_PB_MAX_CHUNK). */
#ifndef FABRIK_SVC_CHUNK
#define FABRIK_SVC_CHUNK (256 * 1024)
#endif

struct fabrik_svc;

/* The method table to pass to grpc_server_new with the struct
 * fabrik_svc as its argument. */
extern const struct grpc_method fabrik_svc_methods[];
extern const size_t fabrik_svc_nmethods;

/* env is borrowed (its auth pointer may change on reload). */
struct fabrik_svc *fabrik_svc_new(const struct tools_env *env);
/* The gRPC server must be freed first (it cancels the calls). */
void fabrik_svc_free(struct fabrik_svc *);

#endif
