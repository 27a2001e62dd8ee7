/*
 * Logging.  Human lines: "[fabrik] message" (warnings and errors say so).
 * JSON lines: {"ts":"...","level":"info","msg":"..."}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/log.h"

static const char *const log_names[] = { "trace", "debug", "info", "warn",
	"error" };

static enum log_level log_level_cur = LOG_INFO;
static enum log_format log_format_cur = LOG_TEXT;

void
log_setup(enum log_level level, enum log_format format)
{
	log_level_cur = level;
	log_format_cur = format;
}

enum log_level
log_get_level(void)
{
	return log_level_cur;
}

void
log_set_level(enum log_level level)
{
	log_level_cur = level;
}

int
log_level_parse(const char *s)
{
	int i;

	for (i = 0; i <= LOG_ERROR; i++)
		if (strcmp(s, log_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return LOG_WARN;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	return log_names[level];
}

int
log_enabled(enum log_level level)
{
	return level >= log_level_cur;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048], ts[32];
	struct buf line;
	va_list ap;

	if (level < log_level_cur)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_format_cur == LOG_TEXT) {
		fprintf(stderr, "[fabrik] %s%s\n",
		    level == LOG_ERROR	    ? "error: "
			: level == LOG_WARN ? "warning: "
					    : "",
		    msg);
		return;
	}
	buf_init(&line);
	clock_format_rfc3339(clock_wall(), ts, sizeof(ts));
	if (buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
		log_names[level]) == 0 &&
	    json_escape_append(&line, msg, strlen(msg)) == 0 &&
	    buf_append_str(&line, "\"}\n") == 0)
		fputs(buf_cstr(&line), stderr);
	buf_release(&line);
}
