/*
 * Cache counters and the request-duration histogram.
 */
#include <string.h>

#include "base/clock.h"
#include "cache/stats.h"

const double stats_bucket_bounds[STATS_BUCKETS] = { 0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10 };

struct stats stats;

void
stats_init(void)
{
	memset(&stats, 0, sizeof(stats));
	stats.started = clock_wall();
}

static int
stats_ns(int ns)
{
	return ns >= 0 && ns < STORE_NS_COUNT ? ns : 0;
}

void
stats_hit(int ns, uint64_t bytes)
{
	stats.tool[stats_ns(ns)].hits++;
	stats.tool[stats_ns(ns)].bytes_out += bytes;
}

void
stats_miss(int ns)
{
	stats.tool[stats_ns(ns)].misses++;
}

void
stats_put(int ns, uint64_t bytes, int ok)
{
	if (ok) {
		stats.tool[stats_ns(ns)].puts++;
		stats.tool[stats_ns(ns)].bytes_in += bytes;
	} else {
		stats.tool[stats_ns(ns)].put_errors++;
	}
}

void
stats_auth_failure(const char *reason)
{
	unsigned i;

	for (i = 0; i < stats.nauth_reasons; i++)
		if (strcmp(stats.auth_reason[i], reason) == 0)
			break;
	if (i == stats.nauth_reasons) {
		if (i == STATS_AUTH_REASONS - 1)
			reason = "other";
		if (i == STATS_AUTH_REASONS)
			i--;
		else
			stats.auth_reason[stats.nauth_reasons++] = reason;
	}
	stats.auth_failures[i]++;
}

void
stats_observe(int ns, uint64_t us)
{
	struct stats_hist *h = &stats.duration[stats_ns(ns)];
	double s = (double)us / 1e6;
	int i;

	stats.requests++;
	h->count++;
	h->sum += s;
	for (i = 0; i < STATS_BUCKETS; i++) {
		if (s <= stats_bucket_bounds[i]) {
			h->buckets[i]++;
			return;
		}
	}
	h->inf++;
}

double
stats_quantile(double q)
{
	uint64_t merged[STATS_BUCKETS + 1], total = 0, seen = 0, rank;
	double lo, hi;
	int i, ns;

	memset(merged, 0, sizeof(merged));
	for (ns = 0; ns < STORE_NS_COUNT; ns++) {
		for (i = 0; i < STATS_BUCKETS; i++)
			merged[i] += stats.duration[ns].buckets[i];
		merged[STATS_BUCKETS] += stats.duration[ns].inf;
	}
	for (i = 0; i <= STATS_BUCKETS; i++)
		total += merged[i];
	if (total == 0)
		return 0;
	rank = (uint64_t)(q * (double)total + 0.5);
	if (rank == 0)
		rank = 1;
	for (i = 0; i <= STATS_BUCKETS; i++) {
		if (seen + merged[i] >= rank) {
			if (i == STATS_BUCKETS)
				return stats_bucket_bounds[STATS_BUCKETS - 1];
			lo = i == 0 ? 0 : stats_bucket_bounds[i - 1];
			hi = stats_bucket_bounds[i];
			/* Linear interpolation inside the bucket. */
			return lo +
			    (hi - lo) * (double)(rank - seen) /
			    (double)merged[i];
		}
		seen += merged[i];
	}
	return stats_bucket_bounds[STATS_BUCKETS - 1];
}
