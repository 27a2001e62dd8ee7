/*
 * Unit tests for base/json: writer, escaping, strict reader (cases written
 * by hand in the style of JSONTestSuite: y_ must parse, n_ must fail),
 * number exactness, duplicate keys and every limit.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "tap.h"

int main(void);

struct jcase {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
};

static const struct jcase yes_cases[] = {
	{ "y_array_empty", "[]", 0 },
	{ "y_array_nested_ws", " [ [ ] , { } , 1 ] \r\n\t", 0 },
	{ "y_object_empty", "{}", 0 },
	{ "y_object_simple", "{\"a\":1,\"b\":[true,false,null]}", 0 },
	{ "y_object_empty_key", "{\"\":0}", 0 },
	{ "y_structure_lonely_int", "42", 0 },
	{ "y_structure_lonely_string", "\"x\"", 0 },
	{ "y_structure_lonely_null", "null", 0 },
	{ "y_structure_ws_around", " \n\t\rtrue \n", 0 },
	{ "y_number_neg_zero", "-0", 0 },
	{ "y_number_frac_exp", "-12.5e+3", 0 },
	{ "y_number_capital_E", "1E2", 0 },
	{ "y_number_exp_minus", "1e-2", 0 },
	{ "y_number_zero_frac", "0.000", 0 },
	{ "y_number_underflow", "1e-400", 0 },
	{ "y_string_escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0 },
	{ "y_string_u_escape", "\"\\u0041\\u00e9\\u20AC\"", 0 },
	{ "y_string_surrogate_pair", "\"\\ud83d\\ude00\"", 0 },
	{ "y_string_utf8_raw", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0 },
	{ "y_string_del_raw", "\"\x7f\"", 0 },
	{ "y_string_nul_escape", "\"a\\u0000b\"", 0 },
	{ "y_string_noncharacter", "\"\xef\xbf\xbf\"", 0 },
	{ "y_string_max_codepoint", "\"\xf4\x8f\xbf\xbf\"", 0 },
};

static const struct jcase no_cases[] = {
	{ "n_empty", "", 0 },
	{ "n_ws_only", "  \n", 0 },
	{ "n_array_trailing_comma", "[1,]", 0 },
	{ "n_array_leading_comma", "[,1]", 0 },
	{ "n_array_double_comma", "[1,,2]", 0 },
	{ "n_array_unclosed", "[1", 0 },
	{ "n_array_missing_comma", "[1 2]", 0 },
	{ "n_object_trailing_comma", "{\"a\":1,}", 0 },
	{ "n_object_unquoted_key", "{a:1}", 0 },
	{ "n_object_single_quote", "{'a':1}", 0 },
	{ "n_object_missing_colon", "{\"a\" 1}", 0 },
	{ "n_object_missing_value", "{\"a\":}", 0 },
	{ "n_object_non_string_key", "{1:1}", 0 },
	{ "n_object_unclosed", "{\"a\":1", 0 },
	{ "n_comment_line", "[1] // x", 0 },
	{ "n_comment_block", "[1/* x */]", 0 },
	{ "n_number_leading_zero", "01", 0 },
	{ "n_number_neg_leading_zero", "[-012]", 0 },
	{ "n_number_plus", "+1", 0 },
	{ "n_number_dot_start", ".5", 0 },
	{ "n_number_dot_end", "1.", 0 },
	{ "n_number_exp_empty", "1e", 0 },
	{ "n_number_exp_sign_only", "1e+", 0 },
	{ "n_number_minus_only", "-", 0 },
	{ "n_number_NaN", "NaN", 0 },
	{ "n_number_Infinity", "[Infinity]", 0 },
	{ "n_number_neg_Infinity", "-Infinity", 0 },
	{ "n_number_hex", "0x10", 0 },
	{ "n_number_overflow", "1e400", 0 },
	{ "n_number_neg_overflow", "[-1e400]", 0 },
	{ "n_literal_True", "True", 0 },
	{ "n_literal_truncated", "tru", 0 },
	{ "n_literal_nul", "nul", 0 },
	{ "n_string_single_quote", "'a'", 0 },
	{ "n_string_unterminated", "\"abc", 0 },
	{ "n_string_backslash_end", "\"abc\\", 0 },
	{ "n_string_bad_escape", "\"\\x41\"", 0 },
	{ "n_string_escape_nul", "\"\\\0\"", 4 },
	{ "n_string_raw_newline", "\"a\nb\"", 0 },
	{ "n_string_raw_tab", "\"a\tb\"", 0 },
	{ "n_string_raw_nul", "\"a\0b\"", 5 },
	{ "n_string_u_short", "\"\\u12\"", 0 },
	{ "n_string_u_nonhex", "\"\\u12G4\"", 0 },
	{ "n_string_lone_high", "\"\\ud800\"", 0 },
	{ "n_string_lone_high_then_char", "\"\\ud800x\"", 0 },
	{ "n_string_high_high", "\"\\ud800\\ud800\"", 0 },
	{ "n_string_lone_low", "\"\\udc00\"", 0 },
	{ "n_string_invalid_utf8", "\"\xff\"", 0 },
	{ "n_string_lone_continuation", "\"\x80\"", 0 },
	{ "n_string_truncated_utf8", "\"\xe2\x82\"", 0 },
	{ "n_string_overlong", "\"\xc0\xaf\"", 0 },
	{ "n_string_overlong_3", "\"\xe0\x80\xaf\"", 0 },
	{ "n_string_utf8_surrogate", "\"\xed\xa0\x80\"", 0 },
	{ "n_string_above_10ffff", "\"\xf4\x90\x80\x80\"", 0 },
	{ "n_structure_bom", "\xef\xbb\xbf{}", 0 },
	{ "n_structure_two_values", "1 2", 0 },
	{ "n_structure_trailing_garbage", "{}x", 0 },
	{ "n_structure_trailing_nul", "[]\0", 3 },
	{ "n_structure_close_only", "]", 0 },
	{ "n_structure_formfeed_ws", "\f[]", 0 },
	{ "n_structure_vtab_ws", "[\v]", 0 },
};

static struct json_value *
parse_str(const char *s, struct json_error *err)
{
	return json_parse(s, strlen(s), err);
}

static void
test_suite_cases(void)
{
	struct json_value *v;
	struct json_error err;
	size_t i, len;

	for (i = 0; i < sizeof(yes_cases) / sizeof(yes_cases[0]); i++) {
		len = yes_cases[i].len ? yes_cases[i].len
				       : strlen(yes_cases[i].text);
		v = json_parse(yes_cases[i].text, len, &err);
		ok(v != NULL, "%s parses", yes_cases[i].name);
		if (v == NULL)
			diag(
			    "error: %s at %zu:%zu", err.msg, err.line, err.col);
		json_free(v);
	}
	for (i = 0; i < sizeof(no_cases) / sizeof(no_cases[0]); i++) {
		len = no_cases[i].len ? no_cases[i].len
				      : strlen(no_cases[i].text);
		v = json_parse(no_cases[i].text, len, &err);
		ok(v == NULL && err.msg != NULL, "%s is rejected",
		    no_cases[i].name);
		json_free(v);
	}
}

static void
test_errors(void)
{
	struct json_error err;

	ok(parse_str("{\n  \"a\": [1,\n  2,]\n}", &err) == NULL,
	    "trailing comma");
	is_int(err.line, 3, "error line");
	is_int(err.col, 5, "error column");
	is_str(err.msg, "unexpected character", "error message");
	ok(parse_str("[1]\n// c", &err) == NULL, "comment");
	is_str(err.msg, "trailing characters after value", "comment message");
	is_int(err.line, 2, "comment line");
	is_int(err.col, 1, "comment column");
	ok(parse_str("012", &err) == NULL, "leading zero");
	is_str(err.msg, "leading zero in number", "leading zero message");
	ok(parse_str("[NaN]", &err) == NULL, "NaN");
	is_int(err.col, 2, "NaN column");
	ok(parse_str("\"ab\\ud800\"", &err) == NULL, "lone surrogate");
	is_str(err.msg, "lone high surrogate in \\u escape",
	    "lone surrogate message");
	is_int(err.col, 4, "lone surrogate column points at the escape");
	ok(parse_str("\"\\udfff\"", &err) == NULL, "lone low surrogate");
	is_str(err.msg, "lone low surrogate in \\u escape", "low message");
	ok(parse_str("1e999", &err) == NULL, "overflowing number");
	is_str(err.msg, "number out of range", "overflow message");
	ok(parse_str("{\"a\":1,}", &err) == NULL, "trailing comma obj");
	is_str(err.msg, "expected string key", "trailing comma message");
	ok(json_parse(NULL, 0, &err) == NULL, "NULL input, zero length");
	is_str(err.msg, "unexpected end of input", "empty message");
	ok(json_parse("[", 1, NULL) == NULL, "NULL err pointer is fine");
}

static void
test_values(void)
{
	struct json_value *v;
	const struct json_value *x;
	struct json_error err;
	const char *s, *k;
	size_t n;
	int b;
	double d;
	long long i;

	v = parse_str("{\"s\":\"a\\u00e9\\ud83d\\ude00\\u0000z\",\"n\":-1.5,"
		      "\"t\":true,\"f\":false,\"z\":null,\"a\":[1,\"2\",[]],"
		      "\"o\":{\"k\":\"v\"}}",
	    &err);
	ok(v != NULL, "document parses");
	is_int(json_type(v), JSON_OBJECT, "root is object");
	is_int(json_object_len(v), 7, "seven members");
	ok(!err.duplicate_keys, "no duplicate flag");
	s = json_string(json_object_get(v, "s"), &n);
	is_mem(s, n, "a\xc3\xa9\xf0\x9f\x98\x80\0z", 9,
	    "escapes decoded to UTF-8 with embedded NUL");
	ok(json_number(json_object_get(v, "n"), &d) == 0 && d == -1.5,
	    "number");
	ok(json_int64(json_object_get(v, "n"), &i) == -1,
	    "-1.5 is not an integer");
	ok(json_bool_value(json_object_get(v, "t"), &b) == 0 && b == 1, "true");
	ok(json_bool_value(json_object_get(v, "f"), &b) == 0 && b == 0,
	    "false");
	ok(json_bool_value(json_object_get(v, "z"), &b) == -1,
	    "null is not a bool");
	is_int(json_type(json_object_get(v, "z")), JSON_NULL, "null type");
	x = json_object_get(v, "a");
	is_int(json_array_len(x), 3, "array length");
	ok(json_int64(json_array_at(x, 0), &i) == 0 && i == 1, "array[0]");
	is_str(json_string(json_array_at(x, 1), NULL), "2", "array[1]");
	is_int(json_type(json_array_at(x, 2)), JSON_ARRAY, "array[2]");
	ok(json_array_at(x, 3) == NULL, "array index out of range");
	is_str(json_string(json_object_get(json_object_get(v, "o"), "k"), NULL),
	    "v", "nested object");
	k = json_object_key(v, 6, &n);
	is_mem(k, n, "o", 1, "key by index");
	ok(json_object_value(v, 6) == json_object_get(v, "o"),
	    "value by index");
	ok(json_object_key(v, 7, &n) == NULL, "key index out of range");
	ok(json_object_get(v, "missing") == NULL, "missing member");
	ok(json_object_get(x, "a") == NULL, "get on array");
	ok(json_string(NULL, &n) == NULL && json_type(NULL) == JSON_NONE &&
		json_array_len(NULL) == 0 && json_object_len(NULL) == 0,
	    "accessors accept NULL");
	ok(json_number(json_object_get(v, "s"), &d) == -1,
	    "string is not a number");
	ok(json_int64(NULL, &i) == -1, "json_int64(NULL)");
	json_free(v);
	json_free(NULL);
}

static void
test_numbers(void)
{
	static const struct {
		const char *text;
		int exact;
		long long want;
	} cases[] = {
		{ "0", 1, 0 },
		{ "-0", 1, 0 },
		{ "9223372036854775807", 1, LLONG_MAX },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775808", 1, LLONG_MIN },
		{ "-9223372036854775809", 0, 0 },
		{ "1.0", 1, 1 },
		{ "10e2", 1, 1000 },
		{ "1E+2", 1, 100 },
		{ "100e-2", 1, 1 },
		{ "12e-1", 0, 0 },
		{ "1.5", 0, 0 },
		{ "123.4560e3", 1, 123456 },
		{ "0.0e5", 1, 0 },
		{ "1e-400", 0, 0 },
		{ "1e19", 0, 0 },
		{ "1e18", 1, 1000000000000000000LL },
		{ "-92233720368547758.08e2", 1, LLONG_MIN },
		{ "1.0000000000000000001", 0, 0 },
		{ "1767229200", 1, 1767229200 },
		{ "0e99999999999", 1, 0 },
	};
	struct json_value *v;
	long long i;
	size_t k;
	int rc;
	double d;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		v = parse_str(cases[k].text, NULL);
		ok(v != NULL, "number %s parses", cases[k].text);
		rc = json_int64(v, &i);
		if (cases[k].exact)
			ok(rc == 0 && i == cases[k].want, "%s is exactly %lld",
			    cases[k].text, cases[k].want);
		else
			ok(rc == -1, "%s is not an exact int64", cases[k].text);
		json_free(v);
	}
	v = parse_str("9223372036854775808", NULL);
	ok(json_number(v, &d) == 0 && d == 9223372036854775808.0,
	    "big integer still has its double");
	json_free(v);
	v = parse_str("-0", NULL);
	ok(json_number(v, &d) == 0 && d == 0 && signbit(d), "-0 keeps sign");
	json_free(v);
}

static void
test_duplicates(void)
{
	struct json_value *v;
	struct json_error err;
	long long i;
	size_t n;
	const char *k;

	v = parse_str("{\"a\":1,\"b\":2,\"a\":3,\"c\":4,\"a\":5}", &err);
	ok(v != NULL, "duplicates accepted");
	ok(err.duplicate_keys, "duplicate flag set");
	is_int(json_object_len(v), 3, "duplicates collapsed");
	ok(json_int64(json_object_get(v, "a"), &i) == 0 && i == 5,
	    "last value wins");
	k = json_object_key(v, 0, &n);
	is_mem(k, n, "a", 1, "in the first occurrence's slot");
	ok(json_int64(json_object_value(v, 1), &i) == 0 && i == 2,
	    "order of others kept");
	json_free(v);
	v = parse_str("{\"a\":{\"x\":1,\"x\":2},\"b\":1}", &err);
	ok(v != NULL && err.duplicate_keys, "nested duplicate flagged");
	json_free(v);
	v = parse_str("{\"a\":1,\"a\\u0000\":2,\"A\":3}", &err);
	ok(v != NULL && !err.duplicate_keys && json_object_len(v) == 3,
	    "keys differing by NUL or case are distinct");
	ok(json_int64(json_object_getn(v, "a\0", 2), &i) == 0 && i == 2,
	    "json_object_getn finds key with NUL");
	json_free(v);
}

static char *
repeat(const char *head, const char *unit, size_t count, const char *tail,
    size_t *lenp)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s, *p;

	s = malloc(hl + ul * count + tl + 1);
	if (s == NULL)
		abort();
	p = s;
	memcpy(p, head, hl);
	p += hl;
	for (i = 0; i < count; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl);
	p += tl;
	*p = '\0';
	*lenp = (size_t)(p - s);
	return s;
}

static void
put_n(struct buf *b, const char *s, size_t n)
{
	if (buf_append(b, s, n) == -1)
		abort();
}

static void
put_s(struct buf *b, const char *s)
{
	put_n(b, s, strlen(s));
}

static void
put_c(struct buf *b, int c)
{
	char ch = (char)c;

	put_n(b, &ch, 1);
}

static void
test_limits(void)
{
	struct json_value *v;
	struct json_error err;
	struct buf b;
	char *s;
	size_t n, i;

	/* depth */
	buf_init(&b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		put_c(&b, '[');
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		put_c(&b, ']');
	v = json_parse((char *)b.data, b.len, &err);
	ok(v != NULL, "nesting of JSON_MAX_DEPTH parses");
	json_free(v);
	buf_reset(&b);
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		put_s(&b, "{\"a\":");
	v = json_parse((char *)b.data, b.len, &err);
	ok(v == NULL, "nesting of JSON_MAX_DEPTH + 1 fails");
	is_str(err.msg, "nesting too deep", "depth message");
	is_int(err.offset, JSON_MAX_DEPTH * 5, "depth error offset");
	buf_release(&b);

	/* string */
	s = repeat("\"", "a", JSON_MAX_STRING, "\"", &n);
	v = json_parse(s, n, &err);
	ok(v != NULL, "string of JSON_MAX_STRING bytes parses");
	json_free(v);
	free(s);
	s = repeat("\"", "a", JSON_MAX_STRING + 1, "\"", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "string of JSON_MAX_STRING + 1 bytes fails");
	is_str(err.msg, "string too long", "string message");
	free(s);
	s = repeat("{\"", "\\n", JSON_MAX_STRING + 1, "\":0}", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "escaped key over JSON_MAX_STRING fails");
	json_free(v);
	is_str(err.msg, "string too long", "key message");
	free(s);

	/* members */
	s = repeat("[0", ",0", JSON_MAX_MEMBERS - 1, "]", &n);
	v = json_parse(s, n, &err);
	ok(v != NULL && json_array_len(v) == JSON_MAX_MEMBERS,
	    "array of JSON_MAX_MEMBERS parses");
	json_free(v);
	free(s);
	s = repeat("[0", ",0", JSON_MAX_MEMBERS, "]", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "array of JSON_MAX_MEMBERS + 1 fails");
	is_str(
	    err.msg, "too many members in object or array", "members message");
	free(s);
	buf_init(&b);
	put_c(&b, '{');
	for (i = 0; i <= JSON_MAX_MEMBERS; i++) {
		char key[32];

		snprintf(key, sizeof(key), "%s\"k%zu\":0", i ? "," : "", i);
		put_s(&b, key);
	}
	put_c(&b, '}');
	v = json_parse((char *)b.data, b.len, &err);
	ok(v == NULL, "object of JSON_MAX_MEMBERS + 1 fails");
	buf_release(&b);

	/* values: 1 root + 16 arrays + their elements */
	buf_init(&b);
	put_c(&b, '[');
	for (i = 0; i < 16; i++) {
		s = repeat("[0", ",0", JSON_MAX_VALUES / 16 - 3, "]", &n);
		put_n(&b, s, n);
		put_c(&b, i == 15 ? ']' : ',');
		free(s);
	}
	v = json_parse((char *)b.data, b.len, &err);
	ok(v != NULL, "%d values parse", JSON_MAX_VALUES - 15);
	if (v == NULL)
		diag("%s", err.msg);
	json_free(v);
	buf_reset(&b);
	put_c(&b, '[');
	for (i = 0; i < 16; i++) {
		s = repeat("[0", ",0", JSON_MAX_VALUES / 16 - 1, "]", &n);
		put_n(&b, s, n);
		put_c(&b, i == 15 ? ']' : ',');
		free(s);
	}
	v = json_parse((char *)b.data, b.len, &err);
	ok(v == NULL, "JSON_MAX_VALUES + 17 values fail");
	json_free(v);
	is_str(err.msg, "too many values", "values message");
	buf_release(&b);

	/* number length */
	s = repeat("1", "0", JSON_MAX_NUMBER - 1, "", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "1e511 as digits overflows");
	is_str(err.msg, "number out of range", "long number out of range");
	free(s);
	s = repeat("0.", "0", JSON_MAX_NUMBER - 2, "", &n);
	v = json_parse(s, n, &err);
	ok(v != NULL, "number of JSON_MAX_NUMBER characters parses");
	json_free(v);
	free(s);
	s = repeat("0.", "0", JSON_MAX_NUMBER - 1, "", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "number of JSON_MAX_NUMBER + 1 characters fails");
	is_str(err.msg, "number too long", "number message");
	free(s);

	/* input size */
	s = repeat("", " ", JSON_MAX_INPUT - 1, "1", &n);
	v = json_parse(s, n, &err);
	ok(v != NULL, "input of JSON_MAX_INPUT bytes parses");
	json_free(v);
	free(s);
	s = repeat("", " ", JSON_MAX_INPUT, "1", &n);
	v = json_parse(s, n, &err);
	ok(v == NULL, "input of JSON_MAX_INPUT + 1 bytes fails");
	is_str(err.msg, "input too large", "input message");
	free(s);
}

static void
test_escape(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain", 5, "plain" },
		{ "q\"b\\s/", 6, "q\\\"b\\\\s/" },
		{ "\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t" },
		{ "\x01\x1f\x7f", 3, "\\u0001\\u001f\x7f" },
		{ "a\0b", 3, "a\\u0000b" },
		{ "\xc3\xa9\xf0\x9f\x98\x80", 6, "\xc3\xa9\xf0\x9f\x98\x80" },
		{ "a\x80z", 3, "a\xef\xbf\xbdz" },
		{ "\xff", 1, "\xef\xbf\xbd" },
		{ "\xe2\x82", 2, "\xef\xbf\xbd" },
		{ "\xe2\x82x", 3, "\xef\xbf\xbdx" },
		{ "\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80", 4,
		    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf0\x9f\x98", 3, "\xef\xbf\xbd" },
	};
	struct buf b, q;
	struct json_value *v;
	size_t i;

	buf_init(&b);
	buf_init(&q);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		ok(json_escape_append(&b, cases[i].in, cases[i].len) == 0,
		    "escape case %zu", i);
		is_str(buf_cstr(&b), cases[i].want, "escape output");
		buf_reset(&q);
		put_c(&q, '"');
		put_n(&q, (char *)b.data, b.len);
		put_c(&q, '"');
		v = json_parse((char *)q.data, q.len, NULL);
		ok(v != NULL, "escaped output %zu is valid JSON", i);
		json_free(v);
	}
	buf_release(&b);
	buf_release(&q);
}

static void
test_writer(void)
{
	struct json_writer w;
	struct buf b;
	struct json_value *v;
	int i;

	buf_init(&b);
	json_writer_init(&w, &b);
	json_obj_begin(&w);
	json_key(&w, "name");
	json_cstr(&w, "fab\"rik\n");
	json_key(&w, "list");
	json_arr_begin(&w);
	json_int(&w, LLONG_MIN);
	json_uint(&w, ULLONG_MAX);
	json_double(&w, 0.1);
	json_double(&w, 3.0);
	json_double(&w, 1e300);
	json_double(&w, NAN);
	json_double(&w, -INFINITY);
	json_bool(&w, 1);
	json_bool(&w, 0);
	json_null(&w);
	json_cstr(&w, NULL);
	json_arr_begin(&w);
	json_arr_end(&w);
	json_obj_begin(&w);
	json_obj_end(&w);
	json_arr_end(&w);
	json_key(&w, "bad\xff");
	json_str(&w, "x\x80", 2);
	json_obj_end(&w);
	ok(json_writer_finish(&w) == 0, "writer finished cleanly");
	is_str(buf_cstr(&b),
	    "{\"name\":\"fab\\\"rik\\n\",\"list\":[-9223372036854775808,"
	    "18446744073709551615,0.1,3,1e+300,null,null,true,false,null,"
	    "null,[],{}],\"bad\xef\xbf\xbd\":\"x\xef\xbf\xbd\"}",
	    "writer output");
	v = json_parse((char *)b.data, b.len, NULL);
	ok(v != NULL, "writer output parses");
	json_free(v);

	/* misuse */
	buf_reset(&b);
	json_writer_init(&w, &b);
	json_obj_begin(&w);
	ok(json_int(&w, 1) == -1, "value without key in object fails");
	ok(json_obj_end(&w) == -1, "errors are sticky");
	ok(json_writer_finish(&w) == -1, "finish reports the error");
	buf_reset(&b);
	json_writer_init(&w, &b);
	json_arr_begin(&w);
	ok(json_key(&w, "k") == -1, "key in array fails");
	buf_reset(&b);
	json_writer_init(&w, &b);
	json_arr_begin(&w);
	ok(json_obj_end(&w) == -1, "mismatched end fails");
	buf_reset(&b);
	json_writer_init(&w, &b);
	json_obj_begin(&w);
	json_key(&w, "k");
	ok(json_obj_end(&w) == -1, "end after key without value fails");
	buf_reset(&b);
	json_writer_init(&w, &b);
	ok(json_int(&w, 1) == 0, "top-level scalar");
	ok(json_writer_finish(&w) == 0, "scalar document complete");
	ok(json_int(&w, 2) == -1, "second top-level value fails");
	buf_reset(&b);
	json_writer_init(&w, &b);
	ok(json_arr_end(&w) == -1, "end at top level fails");
	buf_reset(&b);
	json_writer_init(&w, &b);
	json_arr_begin(&w);
	ok(json_writer_finish(&w) == -1, "unclosed document not finished");
	buf_reset(&b);
	json_writer_init(&w, &b);
	ok(json_writer_finish(&w) == -1, "empty document not finished");

	/* depth */
	buf_reset(&b);
	json_writer_init(&w, &b);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		if (json_arr_begin(&w) == -1)
			break;
	is_int(i, JSON_MAX_DEPTH, "writer nests JSON_MAX_DEPTH deep");
	ok(json_arr_begin(&w) == -1, "writer refuses JSON_MAX_DEPTH + 1");
	buf_release(&b);
}

static void
test_roundtrip(void)
{
	static const char *docs[] = {
		("{\"a\":[1,-2,3.5,1e+300,true,false,null,\"\\u0000\\\"\\\\\"],"
		 "\"b\":{},\"c\":[],\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}"),
		"[9223372036854775807,-9223372036854775808,0.1,1e-300]",
		"\"\\u001f\"",
		"-0",
	};
	struct json_writer w;
	struct json_value *v;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		buf_reset(&b);
		v = parse_str(docs[i], NULL);
		ok(v != NULL, "roundtrip doc %zu parses", i);
		json_writer_init(&w, &b);
		json_write_value(&w, v);
		ok(json_writer_finish(&w) == 0, "rewritten");
		is_str(buf_cstr(&b), docs[i], "parse then write is identity");
		json_free(v);
	}
	buf_reset(&b);
	v = parse_str("[10e2, 1.0, 100e-2]", NULL);
	json_writer_init(&w, &b);
	json_write_value(&w, v);
	is_str(buf_cstr(&b), "[1000,1,1]", "integral numbers written exactly");
	json_free(v);
	json_writer_init(&w, &b);
	ok(json_write_value(&w, NULL) == -1, "write_value(NULL) fails");
	buf_release(&b);
}

int
main(void)
{
	test_suite_cases();
	test_errors();
	test_values();
	test_numbers();
	test_duplicates();
	test_escape();
	test_writer();
	test_roundtrip();
	test_limits();
	return done_testing();
}
