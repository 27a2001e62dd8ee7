/*
 * The S3 upstream: objects kept as envelopes (upstream/envelope) under
 * "<prefix>objects/ab/<64 hex>" in a bucket, through upstream/s3client.
 * doc/format-upstream.md has the layout.
 */
#ifndef FABRIK_S3UP_H
#define FABRIK_S3UP_H

#include "upstream/upstream.h"

int s3up_new(struct upstream *, struct loop *, struct resolver *,
    const struct upstream_config *, char *err, size_t errlen) FAB_WUR;

#endif
