/*
 * Clocks (POSIX clock_gettime).
 */
#include <stdio.h>
#include <time.h>

#include "base/clock.h"

uint64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
clock_mono_ms(void)
{
	return clock_mono_us() / 1000u;
}

int64_t
clock_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

void
clock_format_rfc3339(int64_t secs, char *out, unsigned outlen)
{
	time_t t = (time_t)secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
clock_format_http(int64_t secs, char *out, unsigned outlen)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
		"Sat" };
	static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)secs;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}
