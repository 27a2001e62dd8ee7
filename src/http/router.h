/*
 * Request routing by a const table of path prefixes (longest wins).
 */
#ifndef FABRIK_ROUTER_H
#define FABRIK_ROUTER_H

#include <stddef.h>

#include "http/server.h"

struct route {
	const char *prefix; /* "/cache/"; an exact path when exact = 1 */
	int exact;
	http_handler *fn;
};

/* Dispatches to the best route, or answers 404 "no such endpoint". */
void router_dispatch(
    struct http_req *, const struct route *, size_t n, void *arg);

#endif
