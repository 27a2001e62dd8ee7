/*
 * Unit tests for recipe/kdl: the whole official KDL 2.0 test suite
 * (t/data/kdl/, see its README.md), the accessors, error positions, every
 * limit, the KDL 1.0 mode and version detection.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "recipe/kdl.h"
#include "tap.h"

int main(void);

static int
read_file(const char *path, struct buf *b)
{
	FILE *f;
	char tmp[8192];
	size_t n;
	int rc = 0;

	buf_reset(b);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_append(b, tmp, n) == -1)
			rc = -1;
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parses text and returns its canonical form (caller frees), or NULL with
 * *err filled. */
static char *
canon(const char *text, size_t len, int flags, struct kdl_error *err)
{
	struct kdl_document *d;
	struct buf out;

	if ((d = kdl_parse(text, len, flags, err)) == NULL)
		return NULL;
	buf_init(&out);
	if (kdl_serialize(d, &out) == -1) {
		buf_release(&out);
		kdl_free(d);
		return NULL;
	}
	kdl_free(d);
	return buf_detach(&out, NULL);
}

/* One suite case; returns 1 when it behaves as the suite requires. */
static int
run_case(const char *dir, const char *name, struct buf *in, struct buf *want,
    char *why, size_t whylen)
{
	char path[4096];
	struct kdl_error err;
	char *got, *again;
	size_t nl = strlen(name);
	int must_fail = nl > 9 && strcmp(name + nl - 9, "_fail.kdl") == 0;
	int good;

	snprintf(path, sizeof(path), "%s/input/%s", dir, name);
	if (read_file(path, in) == -1) {
		snprintf(why, whylen, "cannot read %s", path);
		return 0;
	}
	got = canon((const char *)in->data, in->len, KDL_V2, &err);
	if (must_fail) {
		good = got == NULL && err.line >= 1 && err.col >= 1 &&
		    err.msg != NULL;
		if (!good)
			snprintf(why, whylen, "accepted:\n%s", got ? got : "");
		free(got);
		return good;
	}
	if (got == NULL) {
		snprintf(why, whylen, "rejected at %zu:%zu: %s", err.line,
		    err.col, err.msg ? err.msg : "?");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/expected_kdl/%s", dir, name);
	if (read_file(path, want) == -1) {
		snprintf(why, whylen, "cannot read %s", path);
		free(got);
		return 0;
	}
	good =
	    strlen(got) == want->len && memcmp(got, want->data, want->len) == 0;
	if (!good)
		snprintf(
		    why, whylen, "got:\n%s\nwant:\n%s", got, buf_cstr(want));
	/* The canonical form must be a fixed point. */
	if (good) {
		again = canon(got, strlen(got), KDL_V2, &err);
		good = again != NULL && strcmp(again, got) == 0;
		if (!good)
			snprintf(why, whylen,
			    "canonical form does not "
			    "re-parse to itself");
		free(again);
	}
	free(got);
	return good;
}

static void
test_suite(void)
{
	char dir[2048], indir[4096], why[8192];
	char **names = NULL, **nn;
	struct buf in, want;
	struct dirent *de;
	DIR *d;
	size_t n = 0, k, passed = 0, nfail = 0;
	int good;

	snprintf(dir, sizeof(dir), "%s/data/kdl", tap_tdir());
	snprintf(indir, sizeof(indir), "%s/input", dir);
	if ((d = opendir(indir)) == NULL) {
		ok(0, "open %s", indir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) < 5 ||
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".kdl") != 0)
			continue;
		if ((nn = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			break;
		names = nn;
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	is_int(n, 336, "suite has 336 inputs");
	buf_init(&in);
	buf_init(&want);
	for (k = 0; k < n; k++) {
		why[0] = '\0';
		good = run_case(dir, names[k], &in, &want, why, sizeof(why));
		if (good)
			passed++;
		else
			nfail++;
		ok(good, "suite %s", names[k]);
		if (!good)
			diag("%s", why);
	}
	diag("kdl suite: %zu/%zu passed", passed, n);
	ok(nfail == 0, "every suite case passes (%zu unexpected failures)",
	    nfail);
	buf_release(&in);
	buf_release(&want);
	for (k = 0; k < n; k++)
		free(names[k]);
	free(names);
}

static int
span_is(struct span s, const char *want)
{
	return s.p != NULL && s.len == strlen(want) &&
	    memcmp(s.p, want, s.len) == 0;
}

/* The annotation lines of issue 7's script recipes. */
static void
test_recipe_lines(void)
{
	const char *text = "input \"src/**/*.ts\" hash=content\n"
			   "cache ttl=\"7d\"\n"
			   "exec timeout=\"5m\" retries=3 /- debug=#true\n";
	struct kdl_document *d;
	const struct kdl_node *n;
	const struct kdl_value *v;
	struct kdl_error err;
	struct span key;
	int64_t i;

	d = kdl_parse(text, strlen(text), KDL_V2, &err);
	ok(d != NULL, "recipe lines parse");
	if (d == NULL)
		return;
	is_int(kdl_document_version(d), 2, "version 2 by default");
	is_int(kdl_document_count(d), 3, "three nodes");
	n = kdl_document_node(d, 0);
	ok(span_is(kdl_node_name(n), "input"), "node name");
	ok(kdl_node_annotation(n).p == NULL, "no annotation");
	is_int(kdl_node_nargs(n), 1, "one argument");
	v = kdl_node_arg(n, 0);
	is_int(kdl_value_type(v), KDL_STRING, "argument is a string");
	ok(span_is(kdl_value_text(v), "src/**/*.ts"), "argument text");
	v = kdl_node_prop(n, "hash");
	ok(v != NULL && span_is(kdl_value_text(v), "content"),
	    "bare identifier property value");
	ok(kdl_node_prop(n, "nope") == NULL, "missing property");
	ok(kdl_node_arg(n, 1) == NULL, "argument index out of range");
	n = kdl_document_node(d, 1);
	ok(span_is(kdl_value_text(kdl_node_prop(n, "ttl")), "7d"), "ttl");
	n = kdl_document_node(d, 2);
	is_int(kdl_node_nprops(n), 2, "slashdashed property dropped");
	v = kdl_node_prop_at(n, 1, &key);
	ok(v != NULL && span_is(key, "retries"), "property order kept");
	ok(kdl_value_int64(v, &i) == 0 && i == 3, "integer property");
	ok(kdl_node_prop_at(n, 2, &key) == NULL, "property out of range");
	is_int(kdl_node_nchildren(n), 0, "no children");
	ok(kdl_document_node(d, 3) == NULL, "node index out of range");
	kdl_free(d);
	kdl_free(NULL);
}

static void
test_model(void)
{
	const char *text = "(t)n 1 b=2 a=3 b=4 \"x\" {\n"
			   "  c #null #false (u)#true\n"
			   "  /- d\n"
			   "  e {}\n"
			   "}\n";
	struct kdl_document *d;
	const struct kdl_node *n, *c;
	const struct kdl_value *v;
	struct kdl_error err;
	struct span key;
	struct buf out;
	int64_t i;

	d = kdl_parse(text, strlen(text), KDL_V2, &err);
	ok(d != NULL, "model document parses");
	if (d == NULL)
		return;
	n = kdl_document_node(d, 0);
	ok(span_is(kdl_node_annotation(n), "t"), "node annotation");
	is_int(kdl_node_nargs(n), 2, "arguments around properties");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 1)), "x"),
	    "argument order kept");
	is_int(kdl_node_nprops(n), 2, "duplicate property collapsed");
	v = kdl_node_prop_at(n, 0, &key);
	ok(span_is(key, "b") && kdl_value_int64(v, &i) == 0 && i == 4,
	    "rightmost value wins at first position");
	v = kdl_node_prop_at(n, 1, &key);
	ok(span_is(key, "a") && kdl_value_int64(v, &i) == 0 && i == 3,
	    "second key");
	is_int(kdl_node_nchildren(n), 2, "slashdashed child dropped");
	c = kdl_node_child(n, 0);
	is_int(kdl_value_type(kdl_node_arg(c, 0)), KDL_NULL, "null");
	is_int(kdl_value_type(kdl_node_arg(c, 1)), KDL_BOOL, "bool");
	is_int(kdl_value_bool(kdl_node_arg(c, 1)), 0, "false");
	is_int(kdl_value_bool(kdl_node_arg(c, 2)), 1, "true");
	ok(span_is(kdl_value_annotation(kdl_node_arg(c, 2)), "u"),
	    "value annotation");
	ok(kdl_value_annotation(kdl_node_arg(c, 1)).p == NULL,
	    "no value annotation");
	is_int(kdl_value_text(kdl_node_arg(c, 0)).len, 0, "null has no text");
	is_int(kdl_node_nchildren(kdl_node_child(n, 1)), 0,
	    "empty block has no children");
	ok(kdl_node_child(n, 2) == NULL, "child out of range");
	buf_init(&out);
	ok(kdl_serialize(d, &out) == 0, "serialize");
	is_str(buf_cstr(&out),
	    "(t)n 1 x a=3 b=4 {\n    c #null #false (u)#true\n    e\n}\n",
	    "canonical form sorts properties");
	buf_release(&out);
	kdl_free(d);
}

static void
test_numbers(void)
{
	const char *text =
	    "n 9223372036854775807 -9223372036854775808 "
	    "9223372036854775808 0x7fffffffffffffff -0b1_0 "
	    "0o777 1_000.5e-3 1.23E+1000 1.23E-1000 #inf #-inf "
	    "#nan 007 1e400 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF\n";
	struct kdl_document *d;
	const struct kdl_node *n;
	struct kdl_error err;
	int64_t i;
	double x;

	d = kdl_parse(text, strlen(text), KDL_V2, &err);
	ok(d != NULL, "numbers parse");
	if (d == NULL)
		return;
	n = kdl_document_node(d, 0);
	ok(kdl_value_int64(kdl_node_arg(n, 0), &i) == 0 && i == INT64_MAX,
	    "INT64_MAX");
	ok(kdl_value_int64(kdl_node_arg(n, 1), &i) == 0 && i == INT64_MIN,
	    "INT64_MIN");
	ok(kdl_value_int64(kdl_node_arg(n, 2), &i) == -1,
	    "INT64_MAX + 1 is not an int64");
	ok(kdl_value_double(kdl_node_arg(n, 2), &x) == 0 &&
		x == 9223372036854775808.0,
	    "but is a double");
	ok(kdl_value_int64(kdl_node_arg(n, 3), &i) == 0 && i == INT64_MAX,
	    "hex INT64_MAX");
	ok(kdl_value_int64(kdl_node_arg(n, 4), &i) == 0 && i == -2,
	    "negative binary");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 4)), "-2"),
	    "binary canonical text");
	ok(span_is(kdl_value_source(kdl_node_arg(n, 4)), "-0b1_0"),
	    "source text kept");
	ok(kdl_value_int64(kdl_node_arg(n, 5), &i) == 0 && i == 511, "octal");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 6)), "1000.5E-3"),
	    "decimal canonical text");
	ok(kdl_value_int64(kdl_node_arg(n, 6), &i) == -1,
	    "fraction is not an int64");
	ok(kdl_value_double(kdl_node_arg(n, 6), &x) == 0 && x == 1.0005,
	    "decimal double");
	ok(kdl_value_double(kdl_node_arg(n, 7), &x) == -1,
	    "overflow reported only when asked");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 7)), "1.23E+1000"),
	    "overflowing text kept");
	ok(kdl_value_double(kdl_node_arg(n, 8), &x) == 0 && x == 0.0,
	    "underflow is zero");
	ok(kdl_value_double(kdl_node_arg(n, 9), &x) == 0 && x > 1e308, "#inf");
	ok(kdl_value_double(kdl_node_arg(n, 10), &x) == 0 && x < -1e308,
	    "#-inf");
	ok(kdl_value_double(kdl_node_arg(n, 11), &x) == 0 && x != x, "#nan");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 11)), "#nan"), "#nan text");
	ok(kdl_value_int64(kdl_node_arg(n, 11), &i) == -1,
	    "#nan is not an int64");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 12)), "7"),
	    "leading zeros dropped");
	ok(kdl_value_double(kdl_node_arg(n, 13), &x) == -1, "1e400 overflows");
	ok(span_is(kdl_value_text(kdl_node_arg(n, 14)),
	       "340282366920938463463374607431768211455"),
	    "128-bit hex in decimal");
	ok(kdl_value_double(kdl_node_arg(n, 0), &x) == 0, "int as double");
	ok(kdl_value_int64(kdl_node_arg(kdl_document_node(d, 0), 0), &i) == 0,
	    "accessor stable");
	kdl_free(d);
	d = kdl_parse("n \"1\"", 5, KDL_V2, &err);
	ok(d != NULL &&
		kdl_value_int64(kdl_node_arg(kdl_document_node(d, 0), 0), &i) ==
		    -1,
	    "a string is not an int64");
	ok(d != NULL &&
		kdl_value_double(
		    kdl_node_arg(kdl_document_node(d, 0), 0), &x) == -1,
	    "a string is not a double");
	kdl_free(d);
}

/* text must fail at line:col. */
static void
fails_at(const char *text, int flags, size_t line, size_t col, const char *name)
{
	struct kdl_document *d;
	struct kdl_error err;

	d = kdl_parse(text, strlen(text), flags, &err);
	ok(d == NULL && err.line == line && err.col == col && err.msg != NULL,
	    "%s: fails at %zu:%zu (got %zu:%zu %s)", name, line, col, err.line,
	    err.col, err.msg ? err.msg : "accepted");
	kdl_free(d);
}

/* text must parse and print as want. */
static void
prints(const char *text, int flags, const char *want, const char *name)
{
	struct kdl_error err;
	char *got;

	got = canon(text, strlen(text), flags, &err);
	if (got == NULL)
		diag("%s: %zu:%zu %s", name, err.line, err.col,
		    err.msg ? err.msg : "");
	is_str(got ? got : "(rejected)", want, name);
	free(got);
}

static void
test_errors(void)
{
	struct kdl_document *d;

	fails_at("a\nb \"x", KDL_V2, 2, 3, "unterminated string");
	fails_at("\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9 (", KDL_V2, 1, 8,
	    "columns count characters, not bytes");
	fails_at("a\r\nb\r\n}", KDL_V2, 3, 1, "CRLF is one line");
	fails_at("a \xff", KDL_V2, 1, 3, "invalid UTF-8");
	fails_at("a \xc0\x80", KDL_V2, 1, 3, "overlong UTF-8");
	fails_at("a \xed\xa0\x80", KDL_V2, 1, 3, "UTF-8 surrogate");
	fails_at("a {\n b {\n", KDL_V2, 3, 1, "unterminated children");
	fails_at("a /* x /* y */", KDL_V2, 1, 3, "unterminated nested comment");
	fails_at("a \"\\q\"", KDL_V2, 1, 4, "bad escape position");
	fails_at("a b\\c", KDL_V2, 1, 4, "backslash in identifier");
	fails_at("a x=", KDL_V2, 1, 5, "property without value");
	fails_at("a ;;", KDL_V2, 1, 4, "empty node");
	fails_at("a \"\"\"\n  x\n y\n  \"\"\"", KDL_V2, 3, 1,
	    "dedent mismatch points at the line");
	fails_at("a 0x", KDL_V2, 1, 3, "hex without digits");
	fails_at("a 1 }", KDL_V2, 1, 5, "stray close brace");
	fails_at("/-", KDL_V2, 1, 3, "slashdash at end");
	d = kdl_parse("a", 1, KDL_V2, NULL);
	ok(d != NULL, "err may be NULL on success");
	kdl_free(d);
	d = kdl_parse("a \"", 3, KDL_V2, NULL);
	ok(d == NULL, "err may be NULL on failure");
	prints("a /* x /* y */ z */ b", KDL_V2, "a b\n", "nested comment");
	prints("\xef\xbb\xbfn 1", KDL_V2, "n 1\n", "leading BOM");
	prints("a \"\\u{0}\\u{7f}\\u{2028}\\u{feff}\xc3\xa9\"", KDL_V2,
	    "a \"\\u{0}\\u{7f}\\u{2028}\\u{feff}\xc3\xa9\"\n",
	    "unprintable characters escaped");
	prints("\"a b\" \"true\" \"#x\" \"-1\" \"\" \".5\" \"+.5\" - r _1",
	    KDL_V2,
	    "\"a b\" \"true\" \"#x\" \"-1\" \"\" \".5\" \"+.5\" - r _1\n",
	    "quoting of names and values");
	prints("a 0_ 00_ 1e010 0x0", KDL_V2, "a 0 0 1E+10 0\n",
	    "number normalisation");
	prints("a{b;c}", KDL_V2, "a {\n    b\n    c\n}\n", "final-node");
}

static void
test_limits(void)
{
	struct kdl_document *d;
	struct kdl_error err;
	struct buf b;
	size_t k;

	buf_init(&b);
	/* KDL_MAX_DEPTH nested blocks are fine, one more is not. */
	for (k = 0; k < KDL_MAX_DEPTH; k++)
		if (buf_append_str(&b, "a{") == -1)
			break;
	for (k = 0; k < KDL_MAX_DEPTH; k++)
		if (buf_putc(&b, '}') == -1)
			break;
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d != NULL, "depth %d accepted", KDL_MAX_DEPTH);
	kdl_free(d);
	buf_reset(&b);
	for (k = 0; k <= KDL_MAX_DEPTH; k++)
		if (buf_append_str(&b, "a{") == -1)
			break;
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "deep") != NULL,
	    "depth %d rejected (%s)", KDL_MAX_DEPTH + 1,
	    err.msg ? err.msg : "accepted");
	kdl_free(d);

	/* KDL_MAX_INPUT */
	buf_reset(&b);
	while (b.len < KDL_MAX_INPUT + 1)
		if (buf_append_str(&b, "// padding padding padding\n") == -1)
			break;
	d = kdl_parse((char *)b.data, KDL_MAX_INPUT, KDL_V2, &err);
	ok(d != NULL, "input of KDL_MAX_INPUT bytes accepted");
	kdl_free(d);
	d = kdl_parse((char *)b.data, KDL_MAX_INPUT + 1, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "large") != NULL,
	    "input of KDL_MAX_INPUT + 1 bytes rejected");
	kdl_free(d);

	/* KDL_MAX_STRING, counted after escapes, for any string form. */
	buf_reset(&b);
	if (buf_append_str(&b, "a \"") == 0)
		for (k = 0; k < KDL_MAX_STRING; k++)
			if (buf_putc(&b, 'x') == -1)
				break;
	if (buf_putc(&b, '"') == -1)
		diag("oom");
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d != NULL &&
		kdl_value_text(kdl_node_arg(kdl_document_node(d, 0), 0)).len ==
		    KDL_MAX_STRING,
	    "string of KDL_MAX_STRING bytes accepted");
	kdl_free(d);
	b.data[b.len - 1] = 'x';
	if (buf_append_str(&b, "\\n\"") == -1)
		diag("oom");
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "long") != NULL,
	    "string over KDL_MAX_STRING rejected");
	kdl_free(d);
	b.data[2] = 'x';
	b.data[b.len - 3] = ' ';
	b.len -= 2;
	b.data[b.len] = '\0';
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "long") != NULL,
	    "identifier over KDL_MAX_STRING rejected");
	kdl_free(d);

	/* KDL_MAX_NODES, slashdashed nodes included. */
	buf_reset(&b);
	for (k = 0; k < KDL_MAX_NODES; k++)
		if (buf_append_str(&b, "a;") == -1)
			break;
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d != NULL && kdl_document_count(d) == KDL_MAX_NODES,
	    "KDL_MAX_NODES nodes accepted");
	kdl_free(d);
	if (buf_append_str(&b, "/-a") == -1)
		diag("oom");
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "nodes") != NULL,
	    "KDL_MAX_NODES + 1 nodes rejected");
	kdl_free(d);

	/* KDL_MAX_ENTRIES */
	buf_reset(&b);
	if (buf_putc(&b, 'a') == -1)
		diag("oom");
	for (k = 0; k < KDL_MAX_ENTRIES; k++)
		if (buf_append_str(&b, " 1") == -1)
			break;
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d != NULL &&
		kdl_node_nargs(kdl_document_node(d, 0)) == KDL_MAX_ENTRIES,
	    "KDL_MAX_ENTRIES entries accepted");
	kdl_free(d);
	if (buf_append_str(&b, " /-x=1") == -1)
		diag("oom");
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "many") != NULL,
	    "KDL_MAX_ENTRIES + 1 entries rejected");
	kdl_free(d);

	/* KDL_MAX_NUMBER */
	buf_reset(&b);
	if (buf_append_str(&b, "a 0x") == -1)
		diag("oom");
	for (k = 2; k < KDL_MAX_NUMBER; k++)
		if (buf_putc(&b, 'f') == -1)
			break;
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d != NULL, "number of KDL_MAX_NUMBER characters accepted");
	kdl_free(d);
	if (buf_putc(&b, 'f') == -1)
		diag("oom");
	d = kdl_parse((char *)b.data, b.len, KDL_V2, &err);
	ok(d == NULL && err.msg != NULL && strstr(err.msg, "long") != NULL,
	    "number over KDL_MAX_NUMBER rejected");
	kdl_free(d);
	buf_release(&b);
}

/* KDL 1.0 mode: the differences listed in shared/protocols/kdl.md §5. */
static void
test_v1(void)
{
	struct kdl_document *d;
	struct kdl_error err;

	prints("n true false null", KDL_V1, "n #true #false #null\n",
	    "v1 bare keywords");
	fails_at("n true", KDL_V2, 1, 3, "v2 rejects bare true");
	fails_at("n #true", KDL_V1, 1, 3, "v1 has no #true");
	fails_at("n #inf", KDL_V1, 1, 3, "v1 has no #inf");
	prints("n r\"a\\b\" r#\"x\"y\"# r##\"#\"#\"##", KDL_V1,
	    "n \"a\\\\b\" \"x\\\"y\" \"#\\\"#\"\n", "v1 raw strings");
	fails_at("n r\"a\"", KDL_V2, 1, 4, "v2 has no r\"\" raw strings");
	prints("n \"a\\/b\"", KDL_V1, "n \"a/b\"\n", "v1 \\/ escape");
	fails_at("n \"a\\/b\"", KDL_V2, 1, 5, "v2 rejects \\/");
	fails_at("n \"a\\sb\"", KDL_V1, 1, 5, "v1 has no \\s");
	fails_at("n \"a\\\n  b\"", KDL_V1, 1, 5, "v1 has no whitespace escape");
	prints("n \"a\nb\"", KDL_V1, "n \"a\\nb\"\n",
	    "v1 quoted strings may hold newlines");
	prints("n \"a\x01\"", KDL_V1, "n \"a\\u{1}\"\n",
	    "v1 allows control characters");
	prints("foo#bar x#=1", KDL_V1, "\"foo#bar\" \"x#\"=1\n",
	    "v1 identifiers may contain #");
	fails_at("foo#bar", KDL_V2, 1, 4, "v2 identifiers may not contain #");
	fails_at("a,b", KDL_V1, 1, 2, "v1 identifiers may not contain ,");
	fails_at("a<b", KDL_V1, 1, 2, "v1 identifiers may not contain <");
	prints("a,b <x>", KDL_V2, "a,b <x>\n", "v2 identifiers may");
	fails_at("n foo", KDL_V1, 1, 3, "v1 has no bare values");
	prints("n \"foo\" x=\"y\"", KDL_V1, "n foo x=y\n", "v1 quoted values");
	fails_at("n x = 1", KDL_V1, 1, 3, "v1 has no space around =");
	fails_at("n ( t )1", KDL_V1, 1, 4, "v1 has no space in a type");
	fails_at("n (t) 1", KDL_V1, 1, 6, "v1 has no space after a type");
	prints("n x = ( t ) 1", KDL_V2, "n x=(t)1\n", "v2 allows those spaces");
	prints("a\x0b"
	       "1",
	    KDL_V1, "a 1\n", "v1 VT is whitespace");
	prints("a\x0b"
	       "b",
	    KDL_V2, "a\nb\n", "v2 VT is a newline");
	prints("a \xef\xbb\xbf"
	       "1",
	    KDL_V1, "a 1\n", "v1 BOM is whitespace");
	fails_at("a \xef\xbb\xbf"
		 "1",
	    KDL_V2, 1, 3, "v2 BOM only first");
	fails_at("a 1 \\", KDL_V1, 1, 5, "v1 continuation needs a newline");
	prints("a 1 \\", KDL_V2, "a 1\n", "v2 continuation at EOF");
	fails_at("a{b}", KDL_V1, 1, 4, "v1 needs a terminator before }");
	prints("a {b;}", KDL_V1, "a {\n    b\n}\n", "v1 terminated child");
	fails_at("a /-{x;} {y;}", KDL_V1, 1, 10, "v1 has one children block");
	prints("a /-1 2 /-{x;}", KDL_V1, "a 2\n", "v1 slashdash");
	prints("//\na", KDL_V1, "a\n", "v1 empty line comment (lenient)");
	fails_at("a \"\"\"\nx\n\"\"\"", KDL_V1, 1, 5,
	    "v1 has no multi-line strings");
	d = kdl_parse("a 1", 3, KDL_V1, &err);
	ok(d != NULL && kdl_document_version(d) == 1, "version 1 reported");
	kdl_free(d);
}

static void
test_detect(void)
{
	struct kdl_document *d;
	struct kdl_error err;
	const char *v1doc = "/- kdl-version 1\nn true r\"x\"\n";
	const char *v1bom = "\xef\xbb\xbf/- kdl-version 1\nn null\n";
	const char *v2doc = "/- kdl-version 2\nn #true\n";

	d = kdl_parse(v1doc, strlen(v1doc), KDL_DETECT, &err);
	ok(d != NULL && kdl_document_version(d) == 1,
	    "marker 1 selects KDL 1.0");
	kdl_free(d);
	d = kdl_parse(v1bom, strlen(v1bom), KDL_DETECT, &err);
	ok(d != NULL && kdl_document_version(d) == 1, "marker after a BOM");
	kdl_free(d);
	prints(v1doc, KDL_DETECT, "n #true x\n", "marker 1 document");
	d = kdl_parse(v2doc, strlen(v2doc), KDL_DETECT, &err);
	ok(d != NULL && kdl_document_version(d) == 2,
	    "marker 2 selects KDL 2.0");
	kdl_free(d);
	d = kdl_parse("n #true", 7, KDL_DETECT, &err);
	ok(d != NULL && kdl_document_version(d) == 2, "no marker: KDL 2.0");
	kdl_free(d);
	fails_at("n true", KDL_DETECT, 1, 3,
	    "no marker: no silent KDL 1.0 fallback");
	fails_at(v1doc, KDL_V2, 2, 3, "explicit KDL_V2 ignores the marker");
	fails_at("/- kdl-version 12\nn true", KDL_DETECT, 2, 3,
	    "marker must be exactly 1 or 2");
	d = kdl_parse(v1doc, strlen(v1doc), KDL_DETECT | KDL_V1, &err);
	ok(d != NULL && kdl_document_version(d) == 1, "KDL_DETECT wins");
	kdl_free(d);
}

int
main(void)
{
	test_suite();
	test_recipe_lines();
	test_model();
	test_numbers();
	test_errors();
	test_limits();
	test_v1();
	test_detect();
	return done_testing();
}
