/*
 * Fuzz target for base/json: parse, write the tree back, parse again and
 * compare (decode -> encode -> decode), and check that json_escape_append()
 * of arbitrary bytes, put in quotes, always yields a valid JSON string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_json_same(const struct json_value *a, const struct json_value *b)
{
	const char *sa, *sb;
	size_t la, lb, i;
	double da, db;
	long long ia, ib;
	int ba, bb;

	if (json_type(a) != json_type(b))
		return 0;
	switch (json_type(a)) {
	case JSON_BOOL:
		return json_bool_value(a, &ba) == 0 &&
		    json_bool_value(b, &bb) == 0 && ba == bb;
	case JSON_NUMBER:
		if (json_number(a, &da) != 0 || json_number(b, &db) != 0 ||
		    da != db)
			return 0;
		if (json_int64(a, &ia) == 0 &&
		    (json_int64(b, &ib) != 0 || ia != ib))
			return 0;
		return 1;
	case JSON_STRING:
		sa = json_string(a, &la);
		sb = json_string(b, &lb);
		return la == lb && memcmp(sa, sb, la) == 0;
	case JSON_ARRAY:
		if (json_array_len(a) != json_array_len(b))
			return 0;
		for (i = 0; i < json_array_len(a); i++)
			if (!fuzz_json_same(
				json_array_at(a, i), json_array_at(b, i)))
				return 0;
		return 1;
	case JSON_OBJECT:
		if (json_object_len(a) != json_object_len(b))
			return 0;
		for (i = 0; i < json_object_len(a); i++) {
			sa = json_object_key(a, i, &la);
			sb = json_object_key(b, i, &lb);
			if (la != lb || memcmp(sa, sb, la) != 0 ||
			    !fuzz_json_same(json_object_value(a, i),
				json_object_value(b, i)))
				return 0;
		}
		return 1;
	default:
		return 1;
	}
}

static int
fuzz_json_has_fffd(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++)
		if (memcmp(s + i, "\xef\xbf\xbd", 3) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_value *v, *v2, *v3, *s;
	struct json_writer w;
	struct json_error err;
	struct buf out, out2;
	const char *str;
	size_t len;

	buf_init(&out);
	buf_init(&out2);
	v = json_parse((const char *)data, size, &err);
	if (v == NULL) {
		if (err.msg == NULL || err.line == 0 || err.col == 0 ||
		    err.offset > size)
			abort();
	} else {
		json_writer_init(&w, &out);
		if (json_write_value(&w, v) != 0 || json_writer_finish(&w) != 0)
			abort();
		if ((v2 = json_parse((char *)out.data, out.len, NULL)) == NULL)
			abort();
		if (!fuzz_json_same(v, v2))
			abort();
		/* A second round is a fixpoint (the first may turn
		 * integral doubles such as 1e+17 into integers). */
		json_writer_init(&w, &out2);
		if (json_write_value(&w, v2) != 0)
			abort();
		if ((v3 = json_parse((char *)out2.data, out2.len, NULL)) ==
			NULL ||
		    !fuzz_json_same(v2, v3))
			abort();
		buf_reset(&out);
		json_writer_init(&w, &out);
		if (json_write_value(&w, v3) != 0 || out.len != out2.len ||
		    memcmp(out.data, out2.data, out.len) != 0)
			abort();
		json_free(v3);
		json_free(v2);
		json_free(v);
	}

	buf_reset(&out);
	if (size <= JSON_MAX_STRING) {
		if (buf_putc(&out, '"') != 0 ||
		    json_escape_append(&out, (const char *)data, size) != 0 ||
		    buf_putc(&out, '"') != 0)
			abort();
		s = json_parse((char *)out.data, out.len, NULL);
		if ((str = json_string(s, &len)) == NULL)
			abort();
		/* Without a replacement character, the bytes came back. */
		if (len < size ||
		    (!fuzz_json_has_fffd(str, len) &&
			(len != size || memcmp(str, data, size) != 0)))
			abort();
		json_free(s);
	}
	buf_release(&out);
	buf_release(&out2);
	return 0;
}
