/*
 * The Fabrik protocol upstream: grpc://host:port and grpcs://host:port
 * layers of the chain, spoken with http/grpc_client to another Fabrik's
 * FabrikCache service (doc/protocol-fabrik.md).  get is Get (server
 * streaming), put is Put (client streaming with backpressure), del is
 * Delete; a Bearer token goes in the `authorization` metadata.
 */
#ifndef FABRIK_FABRIKUP_H
#define FABRIK_FABRIKUP_H

#include "upstream/upstream.h"

/* Data bytes per PutRequest message (at most FABRIK_PB_MAX_CHUNK). */
#ifndef FABRIKUP_CHUNK
#define FABRIKUP_CHUNK (256 * 1024)
#endif
/* Longest token accepted from the configuration. */
#ifndef FABRIKUP_MAX_TOKEN
#define FABRIKUP_MAX_TOKEN 8192
#endif

/*
 * Creates the upstream for cfg->url (grpc:// or grpcs://, host and port,
 * nothing after them but an optional "/"), with cfg->token as a Bearer
 * token, cfg->tls_ca_file for grpcs, cfg->timeout_ms as the connect and
 * stall timeout.  Names resolve through res when not NULL.  Returns 0, or
 * -1 with a message in err.
 */
int fabrikup_new(struct upstream *, struct loop *, struct resolver *,
    const struct upstream_config *, char *err, size_t errlen) FAB_WUR;

/*
 * Checks a grpc:// or grpcs:// upstream URL: a scheme, a non-empty host
 * (an IPv6 literal in brackets), an optional ":port" of 1..65535, then
 * nothing or "/".  Pure.  Returns NULL, or a static message.
 */
const char *fabrikup_check_url(const char *url);

#endif
