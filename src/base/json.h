/*
 * JSON (RFC 8259): a streaming writer that appends to a struct buf, and a
 * strict reader that builds a small read-only tree.  Used by the health,
 * metrics and query APIs, JSON logs, JWKS documents and JWT headers/claims.
 */
#ifndef FABRIK_JSON_H
#define FABRIK_JSON_H

#include <stddef.h>

#include "base/buf.h"

/* Deepest nesting of arrays/objects (reader and writer). */
#ifndef JSON_MAX_DEPTH
#define JSON_MAX_DEPTH 64
#endif
/* Largest document json_parse() accepts, in bytes. */
#ifndef JSON_MAX_INPUT
#define JSON_MAX_INPUT (16u * 1024 * 1024)
#endif
/* Longest decoded string or object key, in bytes. */
#ifndef JSON_MAX_STRING
#define JSON_MAX_STRING (1u * 1024 * 1024)
#endif
/* Most members of one object or elements of one array. */
#ifndef JSON_MAX_MEMBERS
#define JSON_MAX_MEMBERS 65536
#endif
/* Most values (of any type) in one document: bounds the tree's memory. */
#ifndef JSON_MAX_VALUES
#define JSON_MAX_VALUES (1024 * 1024)
#endif
/* Longest number literal, in characters. */
#ifndef JSON_MAX_NUMBER
#define JSON_MAX_NUMBER 512
#endif

/*
 * Writer.  Embed a struct json_writer, json_writer_init() it over a buf and
 * call the emitters in document order; commas, colons and escaping are
 * handled here.  Every emitter returns 0, or -1 on ENOMEM or misuse (a
 * value in an object without a key, a key outside an object, unbalanced
 * end, nesting deeper than JSON_MAX_DEPTH, a second top-level value).
 * Errors are sticky: after the first one every call returns -1 and writes
 * nothing more, so callers may ignore individual results and check
 * json_writer_finish() once.
 */
struct json_writer {
	struct buf *out;
	int depth;
	int err;
	int after_key; /* a key was written; the next call is its value */
	int done; /* the top-level value is complete */
	/* per level: 'o' object or 'a' array, and whether it has a member */
	unsigned char kind[JSON_MAX_DEPTH + 1];
	unsigned char nonempty[JSON_MAX_DEPTH + 1];
};

/* out must outlive the writer; bytes are appended after out->len. */
void json_writer_init(struct json_writer *, struct buf *out);
/* 0 if no error happened and exactly one complete value was written,
 * else -1.  The buffer holds the document (no trailing newline). */
int json_writer_finish(const struct json_writer *) FAB_WUR;

int json_obj_begin(struct json_writer *);
int json_obj_end(struct json_writer *);
int json_arr_begin(struct json_writer *);
int json_arr_end(struct json_writer *);
/* Member name inside an object (a NUL-terminated C string, or len bytes). */
int json_key(struct json_writer *, const char *name);
int json_keyn(struct json_writer *, const char *name, size_t len);
/* String values: bytes are escaped; invalid UTF-8 becomes U+FFFD. */
int json_str(struct json_writer *, const char *s, size_t len);
int json_cstr(struct json_writer *, const char *s); /* NULL writes null */
int json_int(struct json_writer *, long long);
int json_uint(struct json_writer *, unsigned long long);
/* Shortest form that reads back to the same double; NaN and infinities
 * (not representable in JSON) are written as null. */
int json_double(struct json_writer *, double);
int json_bool(struct json_writer *, int);
int json_null(struct json_writer *);

/* Appends the escaped form of s to out, without surrounding quotes (for
 * callers that build JSON text by hand, e.g. log lines): '"', '\\' and
 * control characters escaped, invalid UTF-8 replaced by U+FFFD (one per
 * maximal invalid subsequence).  Returns 0 or -1 on ENOMEM. */
int json_escape_append(struct buf *out, const char *s, size_t len) FAB_WUR;

/*
 * Reader.  json_parse() checks the whole input against RFC 8259 strictly:
 * UTF-8 only (no BOM), no comments, no trailing commas, no leading zeros,
 * no NaN/Infinity, no lone surrogates in \u escapes, no control characters
 * in strings, nothing but whitespace after the value.  Any JSON value may
 * be the root.  Numbers whose magnitude overflows a double are rejected.
 * Duplicate object keys are accepted: the last value wins (in the position
 * of the first occurrence) and json_error.duplicate_keys is set so that
 * callers with security needs (JWT headers) can refuse the document.
 */
enum json_type {
	JSON_NONE = 0, /* "no value": what the accessors report for NULL */
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
};

struct json_value;

struct json_error {
	const char *msg; /* static message, NULL on success */
	size_t offset; /* byte offset of the error */
	size_t line; /* 1-based */
	size_t col; /* 1-based, counted in bytes */
	int duplicate_keys; /* set (on success too) if any object repeated
			       a key */
};

/* Parses len bytes (need not be NUL-terminated).  Returns the root, owned
 * by the caller and released with json_free(), or NULL with *err filled
 * in (err may be NULL). */
struct json_value *json_parse(
    const char *text, size_t len, struct json_error *err) FAB_WUR;
/* Frees a whole tree; NULL is fine.  Only call it on a root. */
void json_free(struct json_value *);

/*
 * Accessors.  Every accessor accepts NULL (reported as JSON_NONE / absent)
 * so lookups chain: json_string(json_object_get(root, "kid"), &n).
 * Returned pointers live as long as the tree.
 */
enum json_type json_type(const struct json_value *);
/* Member value by name (exact byte compare), or NULL if v is not an object
 * or has no such member. */
const struct json_value *json_object_get(
    const struct json_value *, const char *key);
const struct json_value *json_object_getn(
    const struct json_value *, const char *key, size_t keylen);
/* Members in document order; 0 / NULL for non-objects or i out of range. */
size_t json_object_len(const struct json_value *);
const char *json_object_key(const struct json_value *, size_t i, size_t *lenp);
const struct json_value *json_object_value(const struct json_value *, size_t i);
size_t json_array_len(const struct json_value *);
const struct json_value *json_array_at(const struct json_value *, size_t i);
/* The decoded UTF-8 bytes (NUL-terminated; may contain NUL when the text
 * had \u0000, so use *lenp), or NULL if v is not a string.  lenp may be
 * NULL. */
const char *json_string(const struct json_value *, size_t *lenp);
/* 0 and *out = the number (nearest double), or -1 if not a number. */
int json_number(const struct json_value *, double *out) FAB_WUR;
/* 0 and *out if the number is exactly an integer in long long range
 * (judged from its decimal text, so 1.0, 10e2 and -0 qualify but 1.5,
 * 1e-400 and 9223372036854775808 do not), else -1. */
int json_int64(const struct json_value *, long long *out) FAB_WUR;
/* 0 and *out = 0 or 1, or -1 if not a boolean. */
int json_bool_value(const struct json_value *, int *out) FAB_WUR;

/* Writes a parsed (sub)tree through a writer: integers exactly, other
 * numbers as doubles.  Returns 0 or -1 (see the writer). */
int json_write_value(struct json_writer *, const struct json_value *);

#endif
