/*
 * Logging: human lines prefixed "[fabrik]" on stderr, or one JSON object
 * per line (log_format = "json") for servers.  Levels as in the config.
 */
#ifndef FABRIK_LOG_H
#define FABRIK_LOG_H

enum log_level {
	LOG_TRACE,
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

enum log_format {
	LOG_TEXT,
	LOG_JSON,
};

void log_setup(enum log_level, enum log_format);
enum log_level log_get_level(void);
void log_set_level(enum log_level);
/* Parses "trace".."error"; -1 if unknown. */
int log_level_parse(const char *);
const char *log_level_name(enum log_level);
int log_enabled(enum log_level);
void log_msg(enum log_level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_trace(...) \
	do { \
		if (log_enabled(LOG_TRACE)) \
			log_msg(LOG_TRACE, __VA_ARGS__); \
	} while (0)
#define log_debug(...) \
	do { \
		if (log_enabled(LOG_DEBUG)) \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
