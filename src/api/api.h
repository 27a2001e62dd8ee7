/*
 * Operations APIs: GET /health (public) on observability.health_bind, and
 * GET /metrics (Prometheus text) and GET /api/v1/stats (JSON) on
 * observability.metrics_bind.  The query and admin APIs arrive with
 * issue #3.
 */
#ifndef FABRIK_API_H
#define FABRIK_API_H

#include "http/server.h"
#include "store/store.h"

struct api_env {
	struct store *store;
	const char *version;
	const char *mode; /* "daemon" or "server" */
	int metrics_enabled;
	int serve_health; /* this listener serves /health */
	int serve_metrics; /* this listener serves /metrics and /api */
};

/* The handler for a health and/or metrics listener; arg is api_env. */
void api_handle(struct http_req *, void *arg);

/* Renders the Prometheus exposition into out. */
int api_metrics_render(struct store *, struct buf *out) FAB_WUR;

#endif
