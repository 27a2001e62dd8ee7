/*
 * The admin API (issue #3, doc/api-query.md), off unless
 * observability.admin_api_enabled: evict to a size, clear the store, show
 * the effective configuration (secrets masked) and hot-change the store
 * size, the eviction policy and the log level.  Bodies are JSON objects;
 * bad JSON, unknown fields and wrong types get 400 naming the field.
 */
#ifndef FABRIK_ADMIN_H
#define FABRIK_ADMIN_H

#include "api/api.h"

/* Largest request body accepted (413 above). */
#ifndef ADMIN_MAX_BODY
#define ADMIN_MAX_BODY 65536
#endif

/* Serves /api/v1/admin/evict, /clear and /config (auth was checked by
 * api_handle; methods are checked here). */
void admin_handle(struct http_req *, const struct api_env *);

#endif
