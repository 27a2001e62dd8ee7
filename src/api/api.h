/*
 * Operations APIs: GET /health (public) on observability.health_bind, and
 * GET /metrics (Prometheus text), GET /api/v1/stats (JSON), the cache
 * query API (api/query) and the admin API (api/admin) on
 * observability.metrics_bind.  Reference: doc/api-query.md.
 */
#ifndef FABRIK_API_H
#define FABRIK_API_H

#include "auth/auth.h"
#include "base/json.h"
#include "config/config.h"
#include "http/server.h"
#include "store/store.h"

struct chain;

struct api_env {
	struct store *store;
	struct chain *chain; /* upstream counters (may be NULL) */
	const char *version;
	const char *mode; /* "daemon" or "server" */
	int metrics_enabled;
	int serve_health; /* this listener serves /health */
	int serve_metrics; /* this listener serves /metrics and /api */
	/* Where the daemon keeps its current auth (replaced on reload). */
	struct auth **auth;
	int api_auth_required; /* metrics, query, admin need a token */
	int query_enabled; /* /api/v1/artifacts... */
	int admin_enabled; /* /api/v1/admin/... */
	/* The daemon's effective configuration: shown by GET
	 * /api/v1/admin/config; POST changes it and then calls
	 * config_changed(config_arg) to apply it (store limits, log level). */
	struct config *cfg;
	void (*config_changed)(void *arg);
	void *config_arg;
};

/* The handler for a health and/or metrics listener; arg is api_env. */
void api_handle(struct http_req *, void *arg);

/* Renders the Prometheus exposition into out. */
int api_metrics_render(
    struct store *, const struct chain *, struct buf *out) FAB_WUR;

/* Answers with the JSON document in w/out (a newline is appended), or
 * 500 when the writer failed.  out is not released. */
void api_reply_json(
    struct http_req *, int status, struct json_writer *w, struct buf *out);
/* Answers {"error": msg, "field": field} (field omitted when NULL). */
void api_reply_error(
    struct http_req *, int status, const char *msg, const char *field);

#endif
