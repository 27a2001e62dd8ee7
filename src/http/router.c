/*
 * Prefix router.
 */
#include <string.h>

#include "http/router.h"

void
router_dispatch(
    struct http_req *r, const struct route *routes, size_t n, void *arg)
{
	struct span path = http_req_path(r);
	const struct route *best = NULL;
	size_t i, plen, bestlen = 0;

	for (i = 0; i < n; i++) {
		plen = strlen(routes[i].prefix);
		if (routes[i].exact) {
			if (span_eq_str(path, routes[i].prefix) &&
			    plen >= bestlen) {
				best = &routes[i];
				bestlen = plen;
			}
		} else if (path.len >= plen &&
		    memcmp(path.p, routes[i].prefix, plen) == 0 &&
		    plen >= bestlen) {
			best = &routes[i];
			bestlen = plen;
		}
	}
	if (best == NULL) {
		http_reply_text(r, 404, "no such endpoint");
		return;
	}
	best->fn(r, arg);
}
