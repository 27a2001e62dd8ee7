/*
 * Cache counters for metrics and the stats API: hits, misses and bytes per
 * build tool (namespace), request durations in a fixed-bucket histogram,
 * auth failures by reason.  One process-wide instance (one thread).
 */
#ifndef FABRIK_STATS_H
#define FABRIK_STATS_H

#include <stdint.h>

#include "store/store.h"

#define STATS_BUCKETS 16
extern const double stats_bucket_bounds[STATS_BUCKETS]; /* seconds */

/* Distinct auth failure labels counted (missing, bad_token, expired,
 * signature, ..., forbidden); further labels count as "other". */
#define STATS_AUTH_REASONS 32

struct stats_tool {
	uint64_t hits, misses, puts, put_errors;
	uint64_t bytes_out, bytes_in;
};

struct stats_hist {
	uint64_t buckets[STATS_BUCKETS]; /* non-cumulative counts */
	uint64_t inf; /* above the last bound */
	uint64_t count;
	double sum;
};

struct stats {
	struct stats_tool tool[STORE_NS_COUNT];
	struct stats_hist duration[STORE_NS_COUNT];
	const char *auth_reason[STATS_AUTH_REASONS]; /* static strings */
	uint64_t auth_failures[STATS_AUTH_REASONS];
	unsigned nauth_reasons;
	uint64_t requests;
	int64_t started; /* unix seconds */
};

extern struct stats stats;

void stats_init(void);
void stats_hit(int ns, uint64_t bytes);
void stats_miss(int ns);
void stats_put(int ns, uint64_t bytes, int ok);
/* Counts a refused credential; reason must be a static string. */
void stats_auth_failure(const char *reason);
/* Records one request's duration in microseconds. */
void stats_observe(int ns, uint64_t us);
/* Quantile q (0..1) in seconds estimated from the merged histogram. */
double stats_quantile(double q);

#endif
