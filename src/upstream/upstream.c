/*
 * Picks an upstream implementation from the URL scheme.
 */
#include <stdio.h>
#include <string.h>

#include "upstream/fabrikup.h"
#include "upstream/s3up.h"
#include "upstream/upstream.h"

int
upstream_new(struct upstream *up, struct loop *l, struct resolver *res,
    const struct upstream_config *cfg, char *err, size_t errlen)
{
	if (strncmp(cfg->url, "s3://", 5) == 0)
		return s3up_new(up, l, res, cfg, err, errlen);
	if (strncmp(cfg->url, "grpc://", 7) == 0 ||
	    strncmp(cfg->url, "grpcs://", 8) == 0)
		return fabrikup_new(up, l, res, cfg, err, errlen);
	snprintf(err, errlen, "%s: unknown upstream scheme", cfg->url);
	return -1;
}

void
upstream_free(struct upstream *up)
{
	if (up->ops != NULL)
		up->ops->free(up->impl);
	up->ops = NULL;
	up->impl = NULL;
}
