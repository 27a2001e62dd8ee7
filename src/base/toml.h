/*
 * TOML v1.0.0 reader (https://toml.io/en/v1.0.0): parses a whole document
 * held in memory into a tree of values that remember the line and column
 * where each table, key and value was written.  Used for fabrik.toml.
 * See doc/format-toml.md for what is accepted.
 */
#ifndef FABRIK_TOML_H
#define FABRIK_TOML_H

#include <stddef.h>

#include "base/buf.h"

/* Deepest container nesting: the root table is depth 0 and every table,
 * array of tables, array or inline table is one deeper than its parent.
 * It also caps the number of parts of one dotted key. */
#ifndef TOML_MAX_DEPTH
#define TOML_MAX_DEPTH 64
#endif
/* Largest document, in bytes. */
#ifndef TOML_MAX_INPUT
#define TOML_MAX_INPUT (16 * 1024 * 1024)
#endif
/* Longest string value or key, in bytes after escapes are decoded. */
#ifndef TOML_MAX_STRING
#define TOML_MAX_STRING (1024 * 1024)
#endif
/* Most keys in one table (standard, implicit or inline). */
#ifndef TOML_MAX_KEYS
#define TOML_MAX_KEYS 100000
#endif

enum toml_type {
	TOML_STRING,
	TOML_INTEGER,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_DATETIME,
	TOML_ARRAY,
	TOML_TABLE
};

/* The four date and time types of TOML v1.0.0. */
enum toml_datetime_kind {
	TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00Z */
	TOML_LOCAL_DATETIME, /* 1979-05-27T07:32:00 */
	TOML_LOCAL_DATE, /* 1979-05-27 */
	TOML_LOCAL_TIME /* 07:32:00 */
};

/* A date-time split into fields.  Fields a kind does not have are 0. */
struct toml_datetime {
	enum toml_datetime_kind kind;
	int year, month, day; /* 0000-9999, 1-12, 1-31 */
	int hour, minute, second; /* 0-23, 0-59, 0-60 (leap second) */
	long nanosecond; /* fraction, truncated to 9 digits */
	int offset_minutes; /* east of UTC; Z is 0 */
};

/* A node of the parsed tree: opaque, owned by the root returned by
 * toml_parse() and valid until toml_free() of that root. */
struct toml_value;

/* Where and why a parse failed.  line and col are 1-based; col counts
 * Unicode characters (a tab counts one) from the start of the line. */
struct toml_error {
	int line, col;
	char msg[160];
};

/*
 * Parses text[0..len) as one TOML document (it need not be NUL-terminated;
 * a UTF-8 byte order mark at the start is skipped).  Returns the root table,
 * which the caller frees with toml_free(), or NULL with *err filled: the
 * position of the offending character (or of the key or header that clashes)
 * and a message, e.g. "duplicate key 'x' (first defined at 3:1)".  On success
 * *err is zeroed.  err must not be NULL.  The tree does not point into text.
 */
struct toml_value *toml_parse(
    const char *text, size_t len, struct toml_error *err) FAB_WUR;
/* Frees a tree returned by toml_parse(); NULL is ignored.  Only roots may be
 * freed. */
void toml_free(struct toml_value *);

/* The type of a value (which must not be NULL, nor must it for toml_line()
 * and toml_col()). */
enum toml_type toml_type(const struct toml_value *);
/* A name for a type, for messages: "string", "integer", ..., "table". */
const char *toml_type_name(enum toml_type);
/*
 * Where the value was written (1-based; col in characters).  For a scalar,
 * array or inline table: its first character.  For a table defined by a
 * [header] or an element of an array of tables: the '[' of its header.  For
 * a table only created implicitly (a parent in a header or dotted key): the
 * key part that first named it.  The root table is at 1:1.
 */
int toml_line(const struct toml_value *);
int toml_col(const struct toml_value *);

/*
 * Tables.  Keys are kept in the order they were first written.  An index at
 * or past toml_table_len(), or a value that is not a table, gives NULL or 0
 * (toml_table_len() of a non-table is 0).  Key strings are NUL-terminated
 * (keys containing U+0000 are rejected by the parser) and live as long as
 * the tree.
 * toml_table_key_line/col give where the key was first written (the key part
 * itself, e.g. the "b" of "a.b = 1" or of "[a.b]").
 */
size_t toml_table_len(const struct toml_value *);
const char *toml_table_key(const struct toml_value *, size_t i);
const struct toml_value *toml_table_value(const struct toml_value *, size_t i);
int toml_table_key_line(const struct toml_value *, size_t i);
int toml_table_key_col(const struct toml_value *, size_t i);
/* Looks key up in table t (exact, case-sensitive).  Returns NULL when the
 * key is absent, or when t is NULL or not a table. */
const struct toml_value *toml_table_get(
    const struct toml_value *, const char *key);

/* Arrays, static ([1, 2]) or arrays of tables ([[x]]): elements in order.
 * toml_array_len() is 0 and toml_array_at() NULL for a non-array or an index
 * out of range.  toml_array_is_tables() is 1 for an array of tables. */
size_t toml_array_len(const struct toml_value *);
const struct toml_value *toml_array_at(const struct toml_value *, size_t i);
int toml_array_is_tables(const struct toml_value *);

/*
 * Scalars.  Calling an accessor on a value of another type returns a zero
 * value (NULL, 0, 0.0).  toml_string() returns the decoded UTF-8 string,
 * NUL-terminated, and stores its length in *len when len is not NULL (the
 * string may contain U+0000 written as \u0000, so use the length).
 * Multi-line strings have CRLF normalised to LF.
 */
const char *toml_string(const struct toml_value *, size_t *len);
long long toml_integer(const struct toml_value *);
double toml_float(const struct toml_value *);
int toml_bool(const struct toml_value *);
/* The RFC 3339 text of a date-time exactly as written (validated). */
const char *toml_datetime_text(const struct toml_value *);
/* Splits a date-time into fields; 0 on success, -1 if not a date-time. */
int toml_datetime(const struct toml_value *, struct toml_datetime *) FAB_WUR;

#endif
