/*
 * Unit tests for base/toml: every example of the TOML v1.0.0 specification
 * (valid ones by value, INVALID ones by error position), a table-driven
 * suite of accepted and rejected documents, positions, accessors and every
 * limit.  There are no shared TOML vectors: the documents are written from
 * the specification, and the expected values of those without date-times
 * were checked against Python's tomllib (which also accepts integers beyond
 * 64 bits and keys containing U+0000, both rejected here).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/toml.h"
#include "tap.h"

int main(void);

struct valid_case {
	const char *name;
	const char *doc;
	size_t len;
	const char *want; /* compact dump, see dump_value() */
};

struct invalid_case {
	const char *name;
	const char *doc;
	size_t len;
	int line, col;
	const char *msg;
};

/*
 * Dump format: tables {k:v,...} in document order (keys quoted when not bare),
 * arrays [v,...], arrays of tables *[{...},...], strings "..." with \" \\ \n
 * \t \r and \xNN escapes, integers in decimal, floats in the shortest %g form
 * that reads back exactly (".0" added to integral values; inf, -inf, nan,
 * -nan), booleans, date-times as kind:text with kind odt, ldt, ld or lt.
 */
static int
dump_str(struct buf *b, const char *s, size_t n)
{
	size_t i;
	unsigned char c;
	int rc = buf_putc(b, '"');

	for (i = 0; i < n && rc == 0; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			rc = buf_printf(b, "\\%c", c);
		else if (c == '\n')
			rc = buf_append_str(b, "\\n");
		else if (c == '\t')
			rc = buf_append_str(b, "\\t");
		else if (c == '\r')
			rc = buf_append_str(b, "\\r");
		else if (c < 0x20 || c == 0x7f)
			rc = buf_printf(b, "\\x%02x", c);
		else
			rc = buf_putc(b, c);
	}
	return rc == 0 ? buf_putc(b, '"') : rc;
}

static int
dump_key(struct buf *b, const char *s)
{
	size_t i, n = strlen(s);
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-'))
			return dump_str(b, s, n);
	}
	return n > 0 ? buf_append_str(b, s) : dump_str(b, s, n);
}

static int
dump_float(struct buf *b, double d)
{
	char tmp[64];
	int p;

	if (isnan(d))
		return buf_append_str(b, signbit(d) ? "-nan" : "nan");
	if (isinf(d))
		return buf_append_str(b, d < 0 ? "-inf" : "inf");
	for (p = 15; p <= 17; p++) {
		snprintf(tmp, sizeof(tmp), "%.*g", p, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (strpbrk(tmp, ".en") == NULL)
		strcat(tmp, ".0");
	return buf_append_str(b, tmp);
}

static int
dump_value(struct buf *b, const struct toml_value *v)
{
	static const char *const kinds[] = { "odt", "ldt", "ld", "lt" };
	struct toml_datetime dt;
	const char *s;
	size_t i, n;
	int rc = 0;

	switch (toml_type(v)) {
	case TOML_STRING:
		s = toml_string(v, &n);
		return dump_str(b, s, n);
	case TOML_INTEGER:
		return buf_printf(b, "%lld", toml_integer(v));
	case TOML_FLOAT:
		return dump_float(b, toml_float(v));
	case TOML_BOOL:
		return buf_append_str(b, toml_bool(v) ? "true" : "false");
	case TOML_DATETIME:
		if (toml_datetime(v, &dt) != 0)
			return -1;
		return buf_printf(
		    b, "%s:%s", kinds[dt.kind], toml_datetime_text(v));
	case TOML_ARRAY:
		if (toml_array_is_tables(v))
			rc = buf_putc(b, '*');
		rc = rc == 0 ? buf_putc(b, '[') : rc;
		for (i = 0; i < toml_array_len(v) && rc == 0; i++) {
			if (i > 0)
				rc = buf_putc(b, ',');
			if (rc == 0)
				rc = dump_value(b, toml_array_at(v, i));
		}
		return rc == 0 ? buf_putc(b, ']') : rc;
	case TOML_TABLE:
		rc = buf_putc(b, '{');
		for (i = 0; i < toml_table_len(v) && rc == 0; i++) {
			if (i > 0)
				rc = buf_putc(b, ',');
			if (rc == 0)
				rc = dump_key(b, toml_table_key(v, i));
			if (rc == 0)
				rc = buf_putc(b, ':');
			if (rc == 0)
				rc = dump_value(b, toml_table_value(v, i));
		}
		return rc == 0 ? buf_putc(b, '}') : rc;
	}
	return -1;
}

/* Parses a NUL-terminated document; NULL on failure after a diagnostic. */
static struct toml_value *
parse_str(const char *doc, struct toml_error *err)
{
	struct toml_value *root;

	root = toml_parse(doc, strlen(doc), err);
	if (root == NULL)
		diag("parse failed: %d:%d: %s", err->line, err->col, err->msg);
	return root;
}

static const struct valid_case valid_cases[] = {
	{ "spec comment",
	    "# This is a full-line comment\n"
	    "key = \"value\"  # This is a comment at the end of a line\n"
	    "another = \"# This is not a comment\"\n",
	    122, "{key:\"value\",another:\"# This is not a comment\"}" },
	{ "spec keyval", "key = \"value\"\n", 14, "{key:\"value\"}" },
	{ "spec bare keys",
	    "key = \"value\"\n"
	    "bare_key = \"value\"\n"
	    "bare-key = \"value\"\n"
	    "1234 = \"value\"\n",
	    67,
	    "{key:\"value\",bare_key:\"value\",bare-key:\"value\",1234:"
	    "\"value\"}" },
	{ "spec quoted keys",
	    "\"127.0.0.1\" = \"value\"\n"
	    "\"character encoding\" = \"value\"\n"
	    "\"\312\216\307\235\312\236\" = \"value\"\n"
	    "'key2' = \"value\"\n"
	    "'quoted \"value\"' = \"value\"\n",
	    116,
	    "{\"127.0.0.1\":\"value\",\"character "
	    "encoding\":\"value\",\"\312\216\307\235\312\236\":\"value\",key2:"
	    "\"value\",\"quoted \\\"value\\\"\":\"value\"}" },
	{ "spec empty basic key",
	    "\"\" = \"blank\"     # VALID but discouraged\n", 41,
	    "{\"\":\"blank\"}" },
	{ "spec empty literal key",
	    "'' = 'blank'     # VALID but discouraged\n", 41,
	    "{\"\":\"blank\"}" },
	{ "spec dotted keys",
	    "name = \"Orange\"\n"
	    "physical.color = \"orange\"\n"
	    "physical.shape = \"round\"\n"
	    "site.\"google.com\" = true\n",
	    92,
	    "{name:\"Orange\",physical:{color:\"orange\",shape:\"round\"},site:"
	    "{\"google.com\":true}}" },
	{ "spec dotted whitespace",
	    "fruit.name = \"banana\"     # this is best practice\n"
	    "fruit. color = \"yellow\"    # same as fruit.color\n"
	    "fruit . flavor = \"banana\"   # same as fruit.flavor\n",
	    150,
	    "{fruit:{name:\"banana\",color:\"yellow\",flavor:\"banana\"}}" },
	{ "spec dotted extend",
	    "# This makes the key \"fruit\" into a table.\n"
	    "fruit.apple.smooth = true\n"
	    "\n"
	    "# So then you can add to the table \"fruit\" like so:\n"
	    "fruit.orange = 2\n",
	    139, "{fruit:{apple:{smooth:true},orange:2}}" },
	{ "spec dotted out of order",
	    "# VALID BUT DISCOURAGED\n"
	    "\n"
	    "apple.type = \"fruit\"\n"
	    "orange.type = \"fruit\"\n"
	    "\n"
	    "apple.skin = \"thin\"\n"
	    "orange.skin = \"thick\"\n"
	    "\n"
	    "apple.color = \"red\"\n"
	    "orange.color = \"orange\"\n",
	    156,
	    "{apple:{type:\"fruit\",skin:\"thin\",color:\"red\"},orange:{type:"
	    "\"fruit\",skin:\"thick\",color:\"orange\"}}" },
	{ "spec dotted recommended",
	    "# RECOMMENDED\n"
	    "\n"
	    "apple.type = \"fruit\"\n"
	    "apple.skin = \"thin\"\n"
	    "apple.color = \"red\"\n"
	    "\n"
	    "orange.type = \"fruit\"\n"
	    "orange.skin = \"thick\"\n"
	    "orange.color = \"orange\"\n",
	    145,
	    "{apple:{type:\"fruit\",skin:\"thin\",color:\"red\"},orange:{type:"
	    "\"fruit\",skin:\"thick\",color:\"orange\"}}" },
	{ "spec float-like key", "3.14159 = \"pi\"\n", 15,
	    "{3:{14159:\"pi\"}}" },
	{ "spec basic string",
	    "str = \"I'm a string. \\\"You can quote me\\\". "
	    "Name\\tJos\\u00E9\\nLocation\\tSF.\"\n",
	    75,
	    "{str:\"I'm a string. \\\"You can quote me\\\". "
	    "Name\\tJos\303\251\\nLocation\\tSF.\"}" },
	{ "spec ml basic",
	    "str1 = \"\"\"\n"
	    "Roses are red\n"
	    "Violets are blue\"\"\"\n",
	    45, "{str1:\"Roses are red\\nViolets are blue\"}" },
	{ "spec ml equivalents",
	    "# On a Unix system, the above multi-line string will most likely "
	    "be the same as:\n"
	    "str2 = \"Roses are red\\nViolets are blue\"\n"
	    "\n"
	    "# On a Windows system, it will most likely be equivalent to:\n"
	    "str3 = \"Roses are red\\r\\nViolets are blue\"\n",
	    227,
	    "{str2:\"Roses are red\\nViolets are blue\",str3:\"Roses are "
	    "red\\r\\nViolets are blue\"}" },
	{ "spec line-ending backslash",
	    "# The following strings are byte-for-byte equivalent:\n"
	    "str1 = \"The quick brown fox jumps over the lazy dog.\"\n"
	    "\n"
	    "str2 = \"\"\"\n"
	    "The quick brown \\\n"
	    "\n"
	    "\n"
	    "  fox jumps over \\\n"
	    "    the lazy dog.\"\"\"\n"
	    "\n"
	    "str3 = \"\"\"\\\n"
	    "       The quick brown \\\n"
	    "       fox jumps over \\\n"
	    "       the lazy dog.\\\n"
	    "       \"\"\"\n",
	    275,
	    "{str1:\"The quick brown fox jumps over the lazy dog.\",str2:\"The "
	    "quick brown fox jumps over the lazy dog.\",str3:\"The quick brown "
	    "fox jumps over the lazy dog.\"}" },
	{ "spec ml quotes",
	    "str4 = \"\"\"Here are two quotation marks: \"\". Simple "
	    "enough.\"\"\"\n"
	    "# str5 = \"\"\"Here are three quotation marks: \"\"\".\"\"\"  # "
	    "INVALID\n"
	    "str5 = \"\"\"Here are three quotation marks: \"\"\\\".\"\"\"\n"
	    "str6 = \"\"\"Here are fifteen quotation marks: "
	    "\"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\".\"\"\"\n"
	    "\n"
	    "# \"This,\" she said, \"is just a pointless statement.\"\n"
	    "str7 = \"\"\"\"This,\" she said, \"is just a pointless "
	    "statement.\"\"\"\"\n",
	    363,
	    "{str4:\"Here are two quotation marks: \\\"\\\". Simple "
	    "enough.\",str5:\"Here are three quotation marks: "
	    "\\\"\\\"\\\".\",str6:\"Here are fifteen quotation marks: "
	    "\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\".\","
	    "str7:\"\\\"This,\\\" she said, \\\"is just a pointless "
	    "statement.\\\"\"}" },
	{ "spec literal strings",
	    "# What you see is what you get.\n"
	    "winpath  = 'C:\\Users\\nodejs\\templates'\n"
	    "winpath2 = '\\\\ServerX\\admin$\\system32\\'\n"
	    "quoted   = 'Tom \"Dubs\" Preston-Werner'\n"
	    "regex    = '<\\i\\c*\\s*>'\n",
	    174,
	    "{winpath:\"C:\\\\Users\\\\nodejs\\\\templates\",winpath2:"
	    "\"\\\\\\\\ServerX\\\\admin$\\\\system32\\\\\",quoted:\"Tom "
	    "\\\"Dubs\\\" Preston-Werner\",regex:\"<\\\\i\\\\c*\\\\s*>\"}" },
	{ "spec ml literal",
	    "regex2 = '''I [dw]on't need \\d{2} apples'''\n"
	    "lines  = '''\n"
	    "The first newline is\n"
	    "trimmed in raw strings.\n"
	    "   All other whitespace\n"
	    "   is preserved.\n"
	    "'''\n",
	    147,
	    "{regex2:\"I [dw]on't need \\\\d{2} apples\",lines:\"The first "
	    "newline is\\ntrimmed in raw strings.\\n   All other whitespace\\n "
	    "  is preserved.\\n\"}" },
	{ "spec ml literal quotes",
	    "quot15 = '''Here are fifteen quotation marks: "
	    "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\n"
	    "\n"
	    "# apos15 = '''Here are fifteen apostrophes: ''''''''''''''''''  # "
	    "INVALID\n"
	    "apos15 = \"Here are fifteen apostrophes: '''''''''''''''\"\n"
	    "\n"
	    "# 'That,' she said, 'is still pointless.'\n"
	    "str = ''''That,' she said, 'is still pointless.''''\n",
	    292,
	    "{quot15:\"Here are fifteen quotation marks: "
	    "\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\\\"\","
	    "apos15:\"Here are fifteen apostrophes: "
	    "'''''''''''''''\",str:\"'That,' she said, 'is still "
	    "pointless.'\"}" },
	{ "spec integers",
	    "int1 = +99\n"
	    "int2 = 42\n"
	    "int3 = 0\n"
	    "int4 = -17\n",
	    41, "{int1:99,int2:42,int3:0,int4:-17}" },
	{ "spec integer underscores",
	    "int5 = 1_000\n"
	    "int6 = 5_349_221\n"
	    "int7 = 53_49_221  # Indian number system grouping\n"
	    "int8 = 1_2_3_4_5  # VALID but discouraged\n",
	    122, "{int5:1000,int6:5349221,int7:5349221,int8:12345}" },
	{ "spec hex oct bin",
	    "# hexadecimal with prefix `0x`\n"
	    "hex1 = 0xDEADBEEF\n"
	    "hex2 = 0xdeadbeef\n"
	    "hex3 = 0xdead_beef\n"
	    "\n"
	    "# octal with prefix `0o`\n"
	    "oct1 = 0o01234567\n"
	    "oct2 = 0o755 # useful for Unix file permissions\n"
	    "\n"
	    "# binary with prefix `0b`\n"
	    "bin1 = 0b11010110\n",
	    223,
	    "{hex1:3735928559,hex2:3735928559,hex3:3735928559,oct1:342391,oct2:"
	    "493,bin1:214}" },
	{ "spec floats",
	    "# fractional\n"
	    "flt1 = +1.0\n"
	    "flt2 = 3.1415\n"
	    "flt3 = -0.01\n"
	    "\n"
	    "# exponent\n"
	    "flt4 = 5e+22\n"
	    "flt5 = 1e06\n"
	    "flt6 = -2E-2\n"
	    "\n"
	    "# both\n"
	    "flt7 = 6.626e-34\n",
	    127,
	    "{flt1:1.0,flt2:3.1415,flt3:-0.01,flt4:5e+22,flt5:1000000.0,flt6:-"
	    "0.02,flt7:6.626e-34}" },
	{ "spec float underscores", "flt8 = 224_617.445_991_228\n", 27,
	    "{flt8:224617.445991228}" },
	{ "spec special floats",
	    "# infinity\n"
	    "sf1 = inf  # positive infinity\n"
	    "sf2 = +inf # positive infinity\n"
	    "sf3 = -inf # negative infinity\n"
	    "\n"
	    "# not a number\n"
	    "sf4 = nan  # actual sNaN/qNaN encoding is "
	    "implementation-specific\n"
	    "sf5 = +nan # same as `nan`\n"
	    "sf6 = -nan # valid, actual encoding is implementation-specific\n",
	    276, "{sf1:inf,sf2:inf,sf3:-inf,sf4:nan,sf5:nan,sf6:-nan}" },
	{ "spec booleans",
	    "bool1 = true\n"
	    "bool2 = false\n",
	    27, "{bool1:true,bool2:false}" },
	{ "spec offset date-time",
	    "odt1 = 1979-05-27T07:32:00Z\n"
	    "odt2 = 1979-05-27T00:32:00-07:00\n"
	    "odt3 = 1979-05-27T00:32:00.999999-07:00\n",
	    101,
	    "{odt1:odt:1979-05-27T07:32:00Z,odt2:odt:1979-05-27T00:32:00-07:00,"
	    "odt3:odt:1979-05-27T00:32:00.999999-07:00}" },
	{ "spec space delimiter", "odt4 = 1979-05-27 07:32:00Z\n", 28,
	    "{odt4:odt:1979-05-27 07:32:00Z}" },
	{ "spec local date-time",
	    "ldt1 = 1979-05-27T07:32:00\n"
	    "ldt2 = 1979-05-27T00:32:00.999999\n",
	    61,
	    "{ldt1:ldt:1979-05-27T07:32:00,ldt2:ldt:1979-05-27T00:32:00."
	    "999999}" },
	{ "spec local date", "ld1 = 1979-05-27\n", 17, "{ld1:ld:1979-05-27}" },
	{ "spec local time",
	    "lt1 = 07:32:00\n"
	    "lt2 = 00:32:00.999999\n",
	    37, "{lt1:lt:07:32:00,lt2:lt:00:32:00.999999}" },
	{ "spec arrays",
	    "integers = [ 1, 2, 3 ]\n"
	    "colors = [ \"red\", \"yellow\", \"green\" ]\n"
	    "nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]\n"
	    "nested_mixed_array = [ [ 1, 2 ], [\"a\", \"b\", \"c\"] ]\n"
	    "string_array = [ \"all\", 'strings', \"\"\"are the same\"\"\", "
	    "'''type''' ]\n"
	    "\n"
	    "# Mixed-type arrays are allowed\n"
	    "numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\n"
	    "contributors = [\n"
	    "  \"Foo Bar <foo@example.com>\",\n"
	    "  { name = \"Baz Qux\", email = \"bazqux@example.com\", url = "
	    "\"https://example.com/bazqux\" }\n"
	    "]\n",
	    437,
	    "{integers:[1,2,3],colors:[\"red\",\"yellow\",\"green\"],nested_"
	    "arrays_of_ints:[[1,2],[3,4,5]],nested_mixed_array:[[1,2],[\"a\","
	    "\"b\",\"c\"]],string_array:[\"all\",\"strings\",\"are the "
	    "same\",\"type\"],numbers:[0.1,0.2,0.5,1,2,5],contributors:[\"Foo "
	    "Bar <foo@example.com>\",{name:\"Baz "
	    "Qux\",email:\"bazqux@example.com\",url:\"https://example.com/"
	    "bazqux\"}]}" },
	{ "spec multi-line arrays",
	    "integers2 = [\n"
	    "  1, 2, 3\n"
	    "]\n"
	    "\n"
	    "integers3 = [\n"
	    "  1,\n"
	    "  2, # this is ok\n"
	    "]\n",
	    66, "{integers2:[1,2,3],integers3:[1,2]}" },
	{ "spec table", "[table]\n", 8, "{table:{}}" },
	{ "spec two tables",
	    "[table-1]\n"
	    "key1 = \"some string\"\n"
	    "key2 = 123\n"
	    "\n"
	    "[table-2]\n"
	    "key1 = \"another string\"\n"
	    "key2 = 456\n",
	    88,
	    "{table-1:{key1:\"some string\",key2:123},table-2:{key1:\"another "
	    "string\",key2:456}}" },
	{ "spec quoted header",
	    "[dog.\"tater.man\"]\n"
	    "type.name = \"pug\"\n",
	    36, "{dog:{\"tater.man\":{type:{name:\"pug\"}}}}" },
	{ "spec header whitespace",
	    "[a.b.c]            # this is best practice\n"
	    "[ d.e.f ]          # same as [d.e.f]\n"
	    "[ g .  h  . i ]    # same as [g.h.i]\n"
	    "[ j . \"\312\236\" . 'l' ]  # same as [j.\"\312\236\".'l']\n",
	    160,
	    "{a:{b:{c:{}}},d:{e:{f:{}}},g:{h:{i:{}}},j:{\"\312\236\":{l:{}}}"
	    "}" },
	{ "spec super-table after",
	    "# [x] you\n"
	    "# [x.y] don't\n"
	    "# [x.y.z] need these\n"
	    "[x.y.z.w] # for this to work\n"
	    "\n"
	    "[x] # defining a super-table afterward is ok\n",
	    120, "{x:{y:{z:{w:{}}}}}" },
	{ "spec tables out of order",
	    "# VALID BUT DISCOURAGED\n"
	    "[fruit.apple]\n"
	    "[animal]\n"
	    "[fruit.orange]\n",
	    62, "{fruit:{apple:{},orange:{}},animal:{}}" },
	{ "spec tables recommended",
	    "# RECOMMENDED\n"
	    "[fruit.apple]\n"
	    "[fruit.orange]\n"
	    "[animal]\n",
	    52, "{fruit:{apple:{},orange:{}},animal:{}}" },
	{ "spec root table",
	    "# Top-level table begins.\n"
	    "name = \"Fido\"\n"
	    "breed = \"pug\"\n"
	    "\n"
	    "# Top-level table ends.\n"
	    "[owner]\n"
	    "name = \"Regina Dogman\"\n"
	    "member_since = 1999-08-04\n",
	    136,
	    "{name:\"Fido\",breed:\"pug\",owner:{name:\"Regina "
	    "Dogman\",member_since:ld:1999-08-04}}" },
	{ "spec dotted defines tables",
	    "fruit.apple.color = \"red\"\n"
	    "# Defines a table named fruit\n"
	    "# Defines a table named fruit.apple\n"
	    "\n"
	    "fruit.apple.taste.sweet = true\n"
	    "# Defines a table named fruit.apple.taste\n"
	    "# fruit and fruit.apple were already created\n",
	    211, "{fruit:{apple:{color:\"red\",taste:{sweet:true}}}}" },
	{ "spec sub-table of dotted",
	    "[fruit]\n"
	    "apple.color = \"red\"\n"
	    "apple.taste.sweet = true\n"
	    "\n"
	    "# [fruit.apple]  # INVALID\n"
	    "# [fruit.apple.taste]  # INVALID\n"
	    "\n"
	    "[fruit.apple.texture]  # you can add sub-tables\n"
	    "smooth = true\n",
	    177,
	    "{fruit:{apple:{color:\"red\",taste:{sweet:true},texture:{smooth:"
	    "true}}}}" },
	{ "spec inline tables",
	    "name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
	    "point = { x = 1, y = 2 }\n"
	    "animal = { type.name = \"pug\" }\n",
	    106,
	    "{name:{first:\"Tom\",last:\"Preston-Werner\"},point:{x:1,y:2},"
	    "animal:{type:{name:\"pug\"}}}" },
	{ "spec inline equivalent",
	    "[name]\n"
	    "first = \"Tom\"\n"
	    "last = \"Preston-Werner\"\n"
	    "\n"
	    "[point]\n"
	    "x = 1\n"
	    "y = 2\n"
	    "\n"
	    "[animal]\n"
	    "type.name = \"pug\"\n",
	    94,
	    "{name:{first:\"Tom\",last:\"Preston-Werner\"},point:{x:1,y:2},"
	    "animal:{type:{name:\"pug\"}}}" },
	{ "spec inline self-contained",
	    "[product]\n"
	    "type = { name = \"Nail\" }\n"
	    "# type.edible = false  # INVALID\n",
	    68, "{product:{type:{name:\"Nail\"}}}" },
	{ "spec inline after dotted",
	    "[product]\n"
	    "type.name = \"Nail\"\n"
	    "# type = { edible = false }  # INVALID\n",
	    68, "{product:{type:{name:\"Nail\"}}}" },
	{ "spec array of tables",
	    "[[products]]\n"
	    "name = \"Hammer\"\n"
	    "sku = 738594937\n"
	    "\n"
	    "[[products]]  # empty table within the array\n"
	    "\n"
	    "[[products]]\n"
	    "name = \"Nail\"\n"
	    "sku = 284758393\n"
	    "\n"
	    "color = \"gray\"\n",
	    151,
	    "{products:*[{name:\"Hammer\",sku:738594937},{},{name:\"Nail\",sku:"
	    "284758393,color:\"gray\"}]}" },
	{ "spec nested arrays of tables",
	    "[[fruits]]\n"
	    "name = \"apple\"\n"
	    "\n"
	    "[fruits.physical]  # subtable\n"
	    "color = \"red\"\n"
	    "shape = \"round\"\n"
	    "\n"
	    "[[fruits.varieties]]  # nested array of tables\n"
	    "name = \"red delicious\"\n"
	    "\n"
	    "[[fruits.varieties]]\n"
	    "name = \"granny smith\"\n"
	    "\n"
	    "\n"
	    "[[fruits]]\n"
	    "name = \"banana\"\n"
	    "\n"
	    "[[fruits.varieties]]\n"
	    "name = \"plantain\"\n",
	    271,
	    "{fruits:*[{name:\"apple\",physical:{color:\"red\",shape:\"round\"}"
	    ",varieties:*[{name:\"red delicious\"},{name:\"granny "
	    "smith\"}]},{name:\"banana\",varieties:*[{name:\"plantain\"}]}]}" },
	{ "spec inline tables in array",
	    "points = [ { x = 1, y = 2, z = 3 },\n"
	    "           { x = 7, y = 8, z = 9 },\n"
	    "           { x = 2, y = 4, z = 8 } ]\n",
	    109, "{points:[{x:1,y:2,z:3},{x:7,y:8,z:9},{x:2,y:4,z:8}]}" },
	{ "fabrik.toml example",
	    "[cache]\n"
	    "dir = \".fabrik/cache\"\n"
	    "max_size = \"5GB\"\n"
	    "[[upstream]]\n"
	    "url = \"s3://bucket/prefix/\"\n"
	    "timeout = \"30s\"\n"
	    "read_only = false\n"
	    "[auth]\n"
	    "tokens = [\"a\", \"b\"]\n"
	    "[observability]\n"
	    "log_level = \"info\"\n",
	    184,
	    "{cache:{dir:\".fabrik/"
	    "cache\",max_size:\"5GB\"},upstream:*[{url:\"s3://bucket/prefix/"
	    "\",timeout:\"30s\",read_only:false}],auth:{tokens:[\"a\",\"b\"]},"
	    "observability:{log_level:\"info\"}}" },
	{ "empty document", "", 0, "{}" },
	{ "only comments and blanks",
	    "# a\n"
	    "\n"
	    "   \t\n"
	    "# b",
	    13, "{}" },
	{ "no trailing newline", "a = 1", 5, "{a:1}" },
	{ "crlf line endings",
	    "a = 1\r\n"
	    "[t]\r\n"
	    "b = \"x\" # c\r\n",
	    25, "{a:1,t:{b:\"x\"}}" },
	{ "bom skipped", "\357\273\277a = 1\n", 9, "{a:1}" },
	{ "indented keys and headers",
	    "  [t]\n"
	    "\ta = 1\n"
	    "    b = 2\n",
	    23, "{t:{a:1,b:2}}" },
	{ "whitespace around equals",
	    "a=1\n"
	    "b\t=\t2\n"
	    "c   =   3\n",
	    20, "{a:1,b:2,c:3}" },
	{ "comment after header",
	    "[t] # x\n"
	    "[[u]] # y\n",
	    18, "{t:{},u:*[{}]}" },
	{ "comment with non-ascii and tab",
	    "# \303\251 \342\230\203\t\360\237\230\200\n"
	    "a = 1\n",
	    20, "{a:1}" },
	{ "bare key with digits and dashes", "-_-1a = 1\n", 10, "{-_-1a:1}" },
	{ "bare key true is a string",
	    "true = 1\n"
	    "false = 2\n"
	    "inf = 3\n"
	    "nan = 4\n",
	    35, "{true:1,false:2,inf:3,nan:4}" },
	{ "quoted key with dot", "\"a.b\" = 1\n", 10, "{\"a.b\":1}" },
	{ "quoted key escapes", "\"\\u00e9\\t\" = 1\n", 15,
	    "{\"\303\251\\t\":1}" },
	{ "literal key with backslash", "'a\\b' = 1\n", 10, "{\"a\\\\b\":1}" },
	{ "dotted quoted mixed", "a.\"b.c\".'d' = 1\n", 16,
	    "{a:{\"b.c\":{d:1}}}" },
	{ "key equivalence across quoting",
	    "a.b = 1\n"
	    "\"a\".c = 2\n",
	    18, "{a:{b:1,c:2}}" },
	{ "dotted key then header subtable",
	    "a.b.c = 1\n"
	    "[a.b.d]\n"
	    "e = 2\n",
	    24, "{a:{b:{c:1,d:{e:2}}}}" },
	{ "header implicit then dotted",
	    "[a.b.c]\n"
	    "[a]\n"
	    "b.d = 1\n",
	    20, "{a:{b:{c:{},d:1}}}" },
	{ "header redefine implicit",
	    "[a.b]\n"
	    "x = 1\n"
	    "[a]\n"
	    "y = 2\n",
	    22, "{a:{b:{x:1},y:2}}" },
	{ "aot sub-table of last element",
	    "[[a]]\n"
	    "[a.b]\n"
	    "x = 1\n"
	    "[[a]]\n"
	    "[a.b]\n"
	    "x = 2\n",
	    36, "{a:*[{b:{x:1}},{b:{x:2}}]}" },
	{ "aot nested under implicit",
	    "[a.b]\n"
	    "[[a.c]]\n"
	    "[[a.c]]\n",
	    22, "{a:{b:{},c:*[{},{}]}}" },
	{ "aot implicit parents",
	    "[[a.b.c]]\n"
	    "x = 1\n",
	    16, "{a:{b:{c:*[{x:1}]}}}" },
	{ "table inside aot element",
	    "[[a]]\n"
	    "b.c = 1\n"
	    "[a.d]\n",
	    20, "{a:*[{b:{c:1},d:{}}]}" },
	{ "many sections",
	    "[a]\n"
	    "[b]\n"
	    "[c]\n"
	    "[a.x]\n"
	    "[b.y]\n",
	    24, "{a:{x:{}},b:{y:{}},c:{}}" },
	{ "empty inline table", "a = {}\n", 7, "{a:{}}" },
	{ "nested inline tables", "a = { b = { c = { d = 1 } } }\n", 30,
	    "{a:{b:{c:{d:1}}}}" },
	{ "inline dotted same table", "a = { b.c = 1, b.d = 2 }\n", 25,
	    "{a:{b:{c:1,d:2}}}" },
	{ "inline containing array over lines",
	    "a = { b = [\n"
	    "1,\n"
	    "2\n"
	    "] }\n",
	    21, "{a:{b:[1,2]}}" },
	{ "inline containing ml string",
	    "a = { b = \"\"\"x\n"
	    "y\"\"\" }\n",
	    22, "{a:{b:\"x\\ny\"}}" },
	{ "inline table whitespace",
	    "a = {b=1,c=2}\n"
	    "d = {  e = 1  ,  f = 2  }\n",
	    40, "{a:{b:1,c:2},d:{e:1,f:2}}" },
	{ "all escapes", "s = \"\\b\\t\\n\\f\\r\\\"\\\\\"\n", 21,
	    "{s:\"\\x08\\t\\n\\x0c\\r\\\"\\\\\"}" },
	{ "unicode escapes",
	    "s = \"\\u0041\\u00e9\\u20AC\\U0001F600\\U0010FFFF\\uFFFF\"\n", 51,
	    "{s:"
	    "\"A\303\251\342\202\254\360\237\230\200\364\217\277\277\357\277"
	    "\277\"}" },
	{ "escaped NUL in value", "s = \"a\\u0000b\"\n", 15,
	    "{s:\"a\\x00b\"}" },
	{ "tab in strings",
	    "s = \"a\tb\"\n"
	    "t = 'a\tb'\n",
	    20, "{s:\"a\\tb\",t:\"a\\tb\"}" },
	{ "empty strings",
	    "a = \"\"\n"
	    "b = ''\n"
	    "c = \"\"\"\"\"\"\n"
	    "d = ''''''\n",
	    36, "{a:\"\",b:\"\",c:\"\",d:\"\"}" },
	{ "ml basic first newline trimmed crlf",
	    "s = \"\"\"\r\n"
	    "x\"\"\"\n",
	    14, "{s:\"x\"}" },
	{ "ml basic crlf normalised",
	    "s = \"\"\"a\r\n"
	    "b\"\"\"\n",
	    15, "{s:\"a\\nb\"}" },
	{ "ml literal crlf normalised",
	    "s = '''a\r\n"
	    "b'''\n",
	    15, "{s:\"a\\nb\"}" },
	{ "ml basic escaped newline with trailing spaces",
	    "s = \"\"\"a \\   \n"
	    "   b\"\"\"\n",
	    22, "{s:\"a b\"}" },
	{ "ml basic escape at end",
	    "s = \"\"\"a\\\n"
	    "\"\"\"\n",
	    14, "{s:\"a\"}" },
	{ "ml basic one and two quotes at end",
	    "a = \"\"\"x\"\"\"\"\n"
	    "b = \"\"\"x\"\"\"\"\"\n",
	    27, "{a:\"x\\\"\",b:\"x\\\"\\\"\"}" },
	{ "ml literal quotes at end",
	    "a = '''x''''\n"
	    "b = '''x'''''\n",
	    27, "{a:\"x'\",b:\"x''\"}" },
	{ "ml literal backslash kept",
	    "s = '''a\\\n"
	    "b'''\n",
	    15, "{s:\"a\\\\\\nb\"}" },
	{ "ml basic with hash", "s = \"\"\"# not a comment\"\"\"\n", 26,
	    "{s:\"# not a comment\"}" },
	{ "string with non-ascii",
	    "s = \"\346\227\245\346\234\254\350\252\236 \342\230\203 "
	    "\360\237\230\200\"\n",
	    25,
	    "{s:\"\346\227\245\346\234\254\350\252\236 \342\230\203 "
	    "\360\237\230\200\"}" },
	{ "literal with double quotes", "s = 'a\"b'\n", 10, "{s:\"a\\\"b\"}" },
	{ "basic with single quote", "s = \"it's\"\n", 11, "{s:\"it's\"}" },
	{ "integer extremes",
	    "a = 9223372036854775807\n"
	    "b = -9223372036854775808\n",
	    49, "{a:9223372036854775807,b:-9223372036854775808}" },
	{ "integer zeros",
	    "a = 0\n"
	    "b = +0\n"
	    "c = -0\n",
	    20, "{a:0,b:0,c:0}" },
	{ "hex oct bin extremes",
	    "a = 0x7FFFFFFFFFFFFFFF\n"
	    "b = 0o777777777777777777777\n"
	    "c = "
	    "0b111111111111111111111111111111111111111111111111111111111111111"
	    "\n"
	    "d = 0x0\n"
	    "e = 0o0\n"
	    "f = 0b0\n",
	    145,
	    "{a:9223372036854775807,b:9223372036854775807,c:"
	    "9223372036854775807,d:0,e:0,f:0}" },
	{ "hex leading zeros",
	    "a = 0x00ff\n"
	    "b = 0b0001\n"
	    "c = 0o0007\n",
	    33, "{a:255,b:1,c:7}" },
	{ "float forms",
	    "a = 0.0\n"
	    "b = -0.0\n"
	    "c = +0.0\n"
	    "d = 1e0\n"
	    "e = 1E+2\n"
	    "f = 1e-2\n"
	    "g = 0e0\n"
	    "h = 3.0e1_0\n",
	    72,
	    "{a:0.0,b:-0.0,c:0.0,d:1.0,e:100.0,f:0.01,g:0.0,h:30000000000.0}" },
	{ "float exponent leading zeros",
	    "a = 1e007\n"
	    "b = 1.5E-0_0_2\n",
	    25, "{a:10000000.0,b:0.015}" },
	{ "float precision",
	    "a = 0.1\n"
	    "b = 1.7976931348623157e308\n"
	    "c = 5e-324\n"
	    "d = 2.2250738585072014e-308\n",
	    74,
	    "{a:0.1,b:1.7976931348623157e+308,c:4.94065645841247e-324,d:2."
	    "2250738585072014e-308}" },
	{ "float overflow is inf",
	    "a = 1e400\n"
	    "b = -1e400\n",
	    21, "{a:inf,b:-inf}" },
	{ "float underflow is zero", "a = 1e-400\n", 11, "{a:0.0}" },
	{ "float long mantissa",
	    "a = 3.14159265358979323846264338327950288419716939937510\n", 57,
	    "{a:3.141592653589793}" },
	{ "arrays nested and mixed",
	    "a = [[], [[]], [1, \"a\", 2.0, true, [], {}]]\n", 44,
	    "{a:[[],[[]],[1,\"a\",2.0,true,[],{}]]}" },
	{ "array trailing comma and comments",
	    "a = [ # c\n"
	    "  1 , # c\n"
	    "  # c\n"
	    "  2 , # c\n"
	    "] # c\n",
	    42, "{a:[1,2]}" },
	{ "array of inline tables", "a = [{b = 1}, {b = 2}]\n", 23,
	    "{a:[{b:1},{b:2}]}" },
	{ "array empty with newlines",
	    "a = [\n"
	    "\n"
	    "]\n",
	    9, "{a:[]}" },
	{ "array crlf inside",
	    "a = [\r\n"
	    "1,\r\n"
	    "2\r\n"
	    "]\r\n",
	    17, "{a:[1,2]}" },
	{ "datetime lowercase t and z", "a = 1979-05-27t07:32:00z\n", 25,
	    "{a:odt:1979-05-27t07:32:00z}" },
	{ "datetime leap day",
	    "a = 2000-02-29\n"
	    "b = 2024-02-29T00:00:00\n",
	    39, "{a:ld:2000-02-29,b:ldt:2024-02-29T00:00:00}" },
	{ "datetime extremes",
	    "a = 0000-01-01T00:00:00Z\n"
	    "b = 9999-12-31T23:59:59.999999999+23:59\n",
	    65,
	    "{a:odt:0000-01-01T00:00:00Z,b:odt:9999-12-31T23:59:59.999999999+"
	    "23:59}" },
	{ "datetime leap second", "a = 1990-12-31T23:59:60Z\n", 25,
	    "{a:odt:1990-12-31T23:59:60Z}" },
	{ "datetime long fraction", "a = 07:32:00.1234567891234\n", 27,
	    "{a:lt:07:32:00.1234567891234}" },
	{ "datetime in arrays",
	    "a = [1979-05-27, 07:32:00, 1979-05-27 07:32:00]\n", 48,
	    "{a:[ld:1979-05-27,lt:07:32:00,ldt:1979-05-27 07:32:00]}" },
	{ "datetime in inline table", "a = {d = 1979-05-27T07:32:00-08:00}\n",
	    36, "{a:{d:odt:1979-05-27T07:32:00-08:00}}" },
	{ "datetime then comment",
	    "a = 1979-05-27 # c\n"
	    "b = 1979-05-27 07:32:00 # c\n",
	    47, "{a:ld:1979-05-27,b:ldt:1979-05-27 07:32:00}" },
	{ "datetime negative zero offset", "a = 1979-05-27T07:32:00-00:00\n",
	    30, "{a:odt:1979-05-27T07:32:00-00:00}" },
};

static const struct invalid_case invalid_cases[] = {
	{ "spec unspecified value", "key = # INVALID\n", 16, 1, 7,
	    "expected a value, found '#'" },
	{ "spec two pairs on a line",
	    "first = \"Tom\" last = \"Preston-Werner\" # INVALID\n", 48, 1, 15,
	    "expected end of line, found 'l'" },
	{ "spec empty bare key", "= \"no key name\"  # INVALID\n", 27, 1, 1,
	    "expected a key, found '='" },
	{ "spec duplicate key",
	    "# DO NOT DO THIS\n"
	    "name = \"Tom\"\n"
	    "name = \"Pradyun\"\n",
	    47, 3, 1, "duplicate key 'name' (first defined at 2:1)" },
	{ "spec bare and quoted key equal",
	    "# THIS WILL NOT WORK\n"
	    "spelling = \"favorite\"\n"
	    "\"spelling\" = \"favourite\"\n",
	    68, 3, 1, "duplicate key 'spelling' (first defined at 2:1)" },
	{ "spec integer into table",
	    "# THE FOLLOWING IS INVALID\n"
	    "\n"
	    "# This defines the value of fruit.apple to be an integer.\n"
	    "fruit.apple = 1\n"
	    "\n"
	    "# But then this treats fruit.apple like it's a table.\n"
	    "# You can't turn an integer into a table.\n"
	    "fruit.apple.smooth = true\n",
	    225, 8, 7,
	    "cannot add keys to 'fruit.apple': it is an integer (defined at "
	    "4:7)" },
	{ "spec three quotes in ml basic",
	    "str5 = \"\"\"Here are three quotation marks: \"\"\".\"\"\"  # "
	    "INVALID\n",
	    61, 1, 46, "expected end of line, found '.'" },
	{ "spec fifteen apostrophes",
	    "apos15 = '''Here are fifteen apostrophes: ''''''''''''''''''  # "
	    "INVALID\n",
	    72, 1, 43,
	    "more than two apostrophes directly before the closing delimiter" },
	{ "spec invalid float .7", "invalid_float_1 = .7\n", 21, 1, 19,
	    "invalid value (strings must be quoted)" },
	{ "spec invalid float 7.", "invalid_float_2 = 7.\n", 21, 1, 21,
	    "expected a digit after the decimal point" },
	{ "spec invalid float 3.e+20", "invalid_float_3 = 3.e+20\n", 25, 1, 21,
	    "expected a digit after the decimal point" },
	{ "spec table defined twice",
	    "# DO NOT DO THIS\n"
	    "\n"
	    "[fruit]\n"
	    "apple = \"red\"\n"
	    "\n"
	    "[fruit]\n"
	    "orange = \"orange\"\n",
	    67, 6, 2, "duplicate table 'fruit' (first defined at 3:1)" },
	{ "spec table over key",
	    "# DO NOT DO THIS EITHER\n"
	    "\n"
	    "[fruit]\n"
	    "apple = \"red\"\n"
	    "\n"
	    "[fruit.apple]\n"
	    "texture = \"smooth\"\n",
	    81, 6, 8,
	    "cannot define table 'fruit.apple': it is already a string "
	    "(defined at 4:1)" },
	{ "spec header redefines dotted table",
	    "[fruit]\n"
	    "apple.color = \"red\"\n"
	    "apple.taste.sweet = true\n"
	    "\n"
	    "[fruit.apple]  # INVALID\n",
	    79, 5, 8,
	    "cannot define table 'fruit.apple': dotted keys already defined it "
	    "(first named at 2:1)" },
	{ "spec header redefines nested dotted table",
	    "[fruit]\n"
	    "apple.color = \"red\"\n"
	    "apple.taste.sweet = true\n"
	    "\n"
	    "[fruit.apple.taste]  # INVALID\n",
	    85, 5, 14,
	    "cannot define table 'fruit.apple.taste': dotted keys already "
	    "defined it (first named at 3:7)" },
	{ "spec dotted key extends inline table",
	    "[product]\n"
	    "type = { name = \"Nail\" }\n"
	    "type.edible = false  # INVALID\n",
	    66, 3, 1,
	    "cannot add keys to 'type': it is an inline table (defined at "
	    "2:1)" },
	{ "spec inline table over dotted table",
	    "[product]\n"
	    "type.name = \"Nail\"\n"
	    "type = { edible = false }  # INVALID\n",
	    66, 3, 1, "duplicate key 'type' (first defined at 2:1)" },
	{ "spec table before array of tables",
	    "# INVALID TOML DOC\n"
	    "[fruit.physical]  # subtable, but to which parent element should "
	    "it belong?\n"
	    "color = \"red\"\n"
	    "shape = \"round\"\n"
	    "\n"
	    "[[fruit]]  # parser must throw an error upon discovering that "
	    "\"fruit\" is\n"
	    "           # an array rather than a table\n"
	    "name = \"apple\"\n",
	    256, 6, 3,
	    "cannot append to 'fruit': it is a table (defined at 2:2), not an "
	    "array of tables" },
	{ "spec append to static array",
	    "# INVALID TOML DOC\n"
	    "fruits = []\n"
	    "\n"
	    "[[fruits]] # Not allowed\n",
	    57, 4, 3,
	    "cannot append to 'fruits': it is an array (defined at 2:1), not "
	    "an array of tables" },
	{ "spec table over array of tables",
	    "# INVALID TOML DOC\n"
	    "[[fruits]]\n"
	    "name = \"apple\"\n"
	    "\n"
	    "[[fruits.varieties]]\n"
	    "name = \"red delicious\"\n"
	    "\n"
	    "# INVALID: This table conflicts with the previous array of "
	    "tables\n"
	    "[fruits.varieties]\n"
	    "name = \"granny smith\"\n",
	    198, 9, 9,
	    "cannot define table 'fruits.varieties': it is already an array of "
	    "tables (defined at 5:10)" },
	{ "spec array of tables over table",
	    "# INVALID TOML DOC\n"
	    "[[fruits]]\n"
	    "name = \"apple\"\n"
	    "\n"
	    "[fruits.physical]\n"
	    "color = \"red\"\n"
	    "shape = \"round\"\n"
	    "\n"
	    "# INVALID: This array of tables conflicts with the previous "
	    "table\n"
	    "[[fruits.physical]]\n"
	    "color = \"green\"\n",
	    197, 10, 10,
	    "cannot append to 'fruits.physical': it is a table (defined at "
	    "5:9), not an array of tables" },
	{ "bare CR", "a = 1\rb = 2\n", 12, 1, 6,
	    "expected end of line, found a carriage return without line feed" },
	{ "bare CR in comment", "a = 1 # x\ry\n", 12, 1, 10,
	    "control character U+000D is not allowed in a comment" },
	{ "control char in comment", "# a\001b\n", 6, 1, 4,
	    "control character U+0001 is not allowed in a comment" },
	{ "DEL in comment", "# a\177\n", 5, 1, 4,
	    "control character U+007F is not allowed in a comment" },
	{ "NUL outside string",
	    "a = 1\n"
	    "\000\n",
	    8, 2, 1, "expected a key, found control character U+0000" },
	{ "invalid utf-8 byte", "a = \"\377\"\n", 8, 1, 6, "invalid UTF-8" },
	{ "overlong utf-8", "# \300\257\n", 5, 1, 3, "invalid UTF-8" },
	{ "utf-8 surrogate",
	    "a = 1\n"
	    "b = \"\355\240\200\"\n",
	    16, 2, 6, "invalid UTF-8" },
	{ "utf-8 above max", "# \364\220\200\200\n", 7, 1, 3, "invalid UTF-8" },
	{ "truncated utf-8", "a = \"\342\230\"", 8, 1, 6, "invalid UTF-8" },
	{ "BOM not at start",
	    "a = 1\n"
	    "\357\273\277b = 2\n",
	    15, 2, 1, "expected a key, found a non-ASCII character" },
	{ "missing equals", "a 1\n", 4, 1, 3,
	    "expected '=' after key, found '1'" },
	{ "missing value at eof", "a =", 3, 1, 4,
	    "expected a value, found end of input" },
	{ "value then garbage", "a = 1 2\n", 8, 1, 7,
	    "expected end of line, found '2'" },
	{ "unquoted string value", "a = hello\n", 10, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "key with space", "a b = 1\n", 8, 1, 3,
	    "expected '=' after key, found 'b'" },
	{ "key ending with dot", "a. = 1\n", 7, 1, 4,
	    "expected a key, found '='" },
	{ "key starting with dot", ".a = 1\n", 7, 1, 1,
	    "expected a key, found '.'" },
	{ "double dot key", "a..b = 1\n", 9, 1, 3,
	    "expected a key, found '.'" },
	{ "non-ascii bare key", "\303\251 = 1\n", 7, 1, 1,
	    "expected a key, found a non-ASCII character" },
	{ "key contains NUL", "\"a\\u0000\" = 1\n", 14, 1, 1,
	    "key contains U+0000" },
	{ "multi-line key", "\"\"\"a\"\"\" = 1\n", 12, 1, 1,
	    "a multi-line string cannot be a key" },
	{ "key and equals on different lines",
	    "a\n"
	    "= 1\n",
	    6, 1, 2, "expected '=' after key, found end of line" },
	{ "value on next line",
	    "a =\n"
	    "1\n",
	    6, 1, 4, "expected a value, found end of line" },
	{ "duplicate key after dotted",
	    "a.b = 1\n"
	    "a.b = 2\n",
	    16, 2, 3, "duplicate key 'a.b' (first defined at 1:3)" },
	{ "duplicate quoted and literal",
	    "\"a\" = 1\n"
	    "'a' = 2\n",
	    16, 2, 1, "duplicate key 'a' (first defined at 1:1)" },
	{ "duplicate key in table section",
	    "[t]\n"
	    "a = 1\n"
	    "b = 2\n"
	    "a = 3\n",
	    22, 4, 1, "duplicate key 'a' (first defined at 2:1)" },
	{ "dotted over string",
	    "a = \"x\"\n"
	    "a.b = 1\n",
	    16, 2, 1,
	    "cannot add keys to 'a': it is a string (defined at 1:1)" },
	{ "dotted over array",
	    "a = [1]\n"
	    "a.b = 1\n",
	    16, 2, 1,
	    "cannot add keys to 'a': it is an array (defined at 1:1)" },
	{ "dotted over header table",
	    "[a.b]\n"
	    "[a]\n"
	    "b.c = 1\n",
	    18, 3, 1,
	    "cannot add keys to table 'b' with dotted keys: it was defined by "
	    "a header at 1:1" },
	{ "dotted over aot",
	    "[[a.b]]\n"
	    "[a]\n"
	    "b.c = 1\n",
	    20, 3, 1,
	    "cannot add keys to 'b': it is an array of tables (defined at "
	    "1:5)" },
	{ "header after dotted in root",
	    "a.b = 1\n"
	    "[a]\n",
	    12, 2, 2,
	    "cannot define table 'a': dotted keys already defined it (first "
	    "named at 1:1)" },
	{ "header over implicit extended by dotted",
	    "[a.b.c]\n"
	    "[a]\n"
	    "b.d = 1\n"
	    "[a.b]\n",
	    26, 4, 4,
	    "cannot define table 'a.b': dotted keys already defined it (first "
	    "named at 1:4)" },
	{ "header over key value",
	    "a = 1\n"
	    "[a]\n",
	    10, 2, 2,
	    "cannot define table 'a': it is already an integer (defined at "
	    "1:1)" },
	{ "header over inline table",
	    "a = {}\n"
	    "[a]\n",
	    11, 2, 2,
	    "cannot define table 'a': it is already an inline table (defined "
	    "at 1:1)" },
	{ "header into inline table",
	    "a = {}\n"
	    "[a.b]\n",
	    13, 2, 2,
	    "cannot add a table to 'a': it is an inline table (defined at "
	    "1:1)" },
	{ "header into static array",
	    "a = [{}]\n"
	    "[a.b]\n",
	    15, 2, 2,
	    "cannot add a table to 'a': it is an array (defined at 1:1)" },
	{ "header through scalar",
	    "a = 1\n"
	    "[a.b]\n",
	    12, 2, 2,
	    "cannot add a table to 'a': it is an integer (defined at 1:1)" },
	{ "aot over inline array",
	    "a = [{}]\n"
	    "[[a]]\n",
	    15, 2, 3,
	    "cannot append to 'a': it is an array (defined at 1:1), not an "
	    "array of tables" },
	{ "aot over table",
	    "[a]\n"
	    "[[a]]\n",
	    10, 2, 3,
	    "cannot append to 'a': it is a table (defined at 1:2), not an "
	    "array of tables" },
	{ "aot over implicit table",
	    "[a.b]\n"
	    "[[a]]\n",
	    12, 2, 3,
	    "cannot append to 'a': it is a table (defined at 1:2), not an "
	    "array of tables" },
	{ "aot over scalar",
	    "a = 1\n"
	    "[[a]]\n",
	    12, 2, 3,
	    "cannot append to 'a': it is an integer (defined at 1:1), not an "
	    "array of tables" },
	{ "table over aot",
	    "[[a]]\n"
	    "[a]\n",
	    10, 2, 2,
	    "cannot define table 'a': it is already an array of tables "
	    "(defined at 1:3)" },
	{ "root table header", "[]\n", 3, 1, 2, "expected a key, found ']'" },
	{ "header unclosed", "[a\n", 3, 1, 3,
	    "expected ']' to close the header, found end of line" },
	{ "header trailing garbage", "[a] b\n", 6, 1, 5,
	    "expected end of line, found 'b'" },
	{ "aot header spaced brackets", "[[a] ]\n", 7, 1, 4,
	    "expected ']]' to close the header, found ']'" },
	{ "aot header one close", "[[a]\n", 5, 1, 4,
	    "expected ']]' to close the header, found ']'" },
	{ "header with value", "[a] = 1\n", 8, 1, 5,
	    "expected end of line, found '='" },
	{ "header dotted trailing dot", "[a.]\n", 5, 1, 4,
	    "expected a key, found ']'" },
	{ "inline table extended by header",
	    "[a]\n"
	    "b = {c = 1}\n"
	    "[a.b.d]\n",
	    24, 3, 4,
	    "cannot add a table to 'a.b': it is an inline table (defined at "
	    "2:1)" },
	{ "inline table duplicate key", "a = {b = 1, b = 2}\n", 19, 1, 13,
	    "duplicate key 'b' (first defined at 1:6)" },
	{ "inline table dotted over value", "a = {b = 1, b.c = 2}\n", 21, 1, 13,
	    "cannot add keys to 'b': it is an integer (defined at 1:6)" },
	{ "inline table inline over dotted", "a = {b.c = 1, b = {}}\n", 22, 1,
	    15, "duplicate key 'b' (first defined at 1:6)" },
	{ "inline nested frozen", "a = {b = {c = 1}, b.d = 2}\n", 27, 1, 19,
	    "cannot add keys to 'b': it is an inline table (defined at 1:6)" },
	{ "inline trailing comma", "a = {b = 1,}\n", 13, 1, 12,
	    "trailing comma not allowed in an inline table" },
	{ "inline newline",
	    "a = {b = 1,\n"
	    "c = 2}\n",
	    19, 1, 12,
	    "newlines and comments are not allowed in an inline table" },
	{ "inline newline before close",
	    "a = {b = 1\n"
	    "}\n",
	    13, 1, 11,
	    "newlines and comments are not allowed in an inline table" },
	{ "inline comment",
	    "a = {b = 1 # c\n"
	    "}\n",
	    17, 1, 12,
	    "newlines and comments are not allowed in an inline table" },
	{ "inline missing comma", "a = {b = 1 c = 2}\n", 18, 1, 12,
	    "expected ',' or '}' in the inline table opened at 1:5, found "
	    "'c'" },
	{ "inline leading comma", "a = {, b = 1}\n", 14, 1, 6,
	    "expected a key, found ','" },
	{ "inline unterminated", "a = {b = 1", 10, 1, 11,
	    "expected ',' or '}' in the inline table opened at 1:5, found end "
	    "of input" },
	{ "inline double comma", "a = {b = 1,, c = 2}\n", 20, 1, 12,
	    "expected a key, found ','" },
	{ "unterminated basic", "a = \"abc\n", 9, 1, 5, "unterminated string" },
	{ "unterminated basic eof", "a = \"abc", 8, 1, 5,
	    "unterminated string" },
	{ "unterminated literal", "a = 'abc\n", 9, 1, 5,
	    "unterminated string" },
	{ "unterminated ml basic",
	    "a = \"\"\"abc\n"
	    "\n",
	    12, 1, 5, "unterminated multi-line string" },
	{ "unterminated ml literal", "a = '''abc\n", 11, 1, 5,
	    "unterminated multi-line string" },
	{ "invalid escape", "a = \"\\q\"\n", 9, 1, 6,
	    "invalid escape sequence '\\q'" },
	{ "escape x not allowed", "a = \"\\x41\"\n", 11, 1, 6,
	    "invalid escape sequence '\\x'" },
	{ "escape e not allowed in 1.0", "a = \"\\e\"\n", 9, 1, 6,
	    "invalid escape sequence '\\e'" },
	{ "short u escape", "a = \"\\u12\"\n", 11, 1, 6,
	    "\\u escape needs 4 hex digits" },
	{ "bad hex in U escape", "a = \"\\U0001F60G\"\n", 17, 1, 6,
	    "\\U escape needs 8 hex digits" },
	{ "surrogate escape", "a = \"\\uD800\"\n", 13, 1, 6,
	    "escape \\uD800 is not a Unicode scalar value" },
	{ "escape above max", "a = \"\\U00110000\"\n", 17, 1, 6,
	    "escape \\U00110000 is not a Unicode scalar value" },
	{ "control char in basic", "a = \"a\001\"\n", 9, 1, 7,
	    "control character U+0001 must be escaped in a string" },
	{ "DEL in literal", "a = 'a\177'\n", 9, 1, 7,
	    "control character U+007F must be escaped in a string" },
	{ "newline in literal",
	    "a = 'a\n"
	    "b'\n",
	    10, 1, 5, "unterminated string" },
	{ "control char in ml basic", "a = \"\"\"a\013b\"\"\"\n", 14, 1, 9,
	    "control character U+000B must be escaped in a string" },
	{ "bare CR in ml basic", "a = \"\"\"a\rb\"\"\"\n", 14, 1, 9,
	    "carriage return without line feed" },
	{ "bare CR in ml literal", "a = '''a\rb'''\n", 14, 1, 9,
	    "carriage return without line feed" },
	{ "backslash space not at line end", "a = \"\"\"a\\ b\"\"\"\n", 15, 1,
	    9, "a line-ending backslash must be followed only by whitespace" },
	{ "escape in single-line space", "a = \"a\\ \"\n", 10, 1, 7,
	    "invalid escape sequence '\\ '" },
	{ "six quotes after content", "a = \"\"\"x\"\"\"\"\"\"\n", 15, 1, 9,
	    "more than two quotation marks directly before the closing "
	    "delimiter" },
	{ "string then garbage", "a = \"x\" y\n", 10, 1, 9,
	    "expected end of line, found 'y'" },
	{ "literal then garbage", "a = 'x''\n", 9, 1, 8,
	    "expected end of line, found '''" },
	{ "leading zero", "a = 01\n", 7, 1, 5,
	    "leading zeros are not allowed" },
	{ "leading zero negative", "a = -01\n", 8, 1, 6,
	    "leading zeros are not allowed" },
	{ "leading zeros with underscore", "a = 0_1\n", 8, 1, 5,
	    "leading zeros are not allowed" },
	{ "double underscore", "a = 1__0\n", 9, 1, 6,
	    "'_' must be between digits" },
	{ "leading underscore after sign", "a = +_1\n", 8, 1, 6,
	    "invalid number" },
	{ "trailing underscore", "a = 1_\n", 7, 1, 6,
	    "'_' must be between digits" },
	{ "underscore before dot", "a = 1_.5\n", 9, 1, 6,
	    "'_' must be between digits" },
	{ "underscore after dot", "a = 1._5\n", 9, 1, 7,
	    "expected a digit after the decimal point" },
	{ "underscore before exponent", "a = 1_e5\n", 9, 1, 6,
	    "'_' must be between digits" },
	{ "integer overflow", "a = 9223372036854775808\n", 24, 1, 5,
	    "integer does not fit in 64 bits" },
	{ "integer underflow", "a = -9223372036854775809\n", 25, 1, 5,
	    "integer does not fit in 64 bits" },
	{ "hex overflow", "a = 0x8000000000000000\n", 23, 1, 5,
	    "integer does not fit in 64 bits" },
	{ "binary overflow",
	    "a = "
	    "0b1000000000000000000000000000000000000000000000000000000000000000"
	    "\n",
	    71, 1, 5, "integer does not fit in 64 bits" },
	{ "hex with sign", "a = +0x1\n", 9, 1, 5,
	    "a sign is not allowed on hexadecimal, octal or binary integers" },
	{ "negative octal", "a = -0o7\n", 9, 1, 5,
	    "a sign is not allowed on hexadecimal, octal or binary integers" },
	{ "hex uppercase prefix", "a = 0X1\n", 8, 1, 6,
	    "invalid character in number" },
	{ "hex no digits", "a = 0x\n", 7, 1, 7, "expected hexadecimal digits" },
	{ "hex underscore after prefix", "a = 0x_1\n", 9, 1, 7,
	    "'_' must be between digits" },
	{ "octal bad digit", "a = 0o8\n", 8, 1, 7, "expected octal digits" },
	{ "binary bad digit", "a = 0b102\n", 10, 1, 9, "invalid binary digit" },
	{ "hex bad digit", "a = 0xfg\n", 9, 1, 8, "invalid hexadecimal digit" },
	{ "double sign", "a = +-1\n", 8, 1, 6, "invalid number" },
	{ "bare sign", "a = +\n", 6, 1, 6, "invalid number" },
	{ "integer with letters", "a = 12abc\n", 10, 1, 7,
	    "invalid character in number" },
	{ "float no int part negative", "a = -.5\n", 8, 1, 6,
	    "invalid number" },
	{ "float exponent no digits", "a = 1e\n", 7, 1, 7,
	    "expected digits in the exponent" },
	{ "float exponent sign only", "a = 1e+\n", 8, 1, 8,
	    "expected digits in the exponent" },
	{ "float double dot", "a = 1.2.3\n", 10, 1, 8,
	    "invalid character in float" },
	{ "float leading zero", "a = 00.5\n", 9, 1, 5,
	    "leading zeros are not allowed" },
	{ "float dot then exponent", "a = 1.e5\n", 9, 1, 7,
	    "expected a digit after the decimal point" },
	{ "float uppercase inf", "a = Inf\n", 8, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "float uppercase nan", "a = NaN\n", 8, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "float infinity word", "a = infinity\n", 13, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "float double sign inf", "a = ++inf\n", 10, 1, 6, "invalid number" },
	{ "float exponent dot", "a = 1e2.5\n", 10, 1, 8,
	    "invalid character in float" },
	{ "boolean uppercase", "a = True\n", 9, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "boolean prefix", "a = truex\n", 10, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "boolean truncated", "a = fals\n", 9, 1, 5,
	    "invalid value (strings must be quoted)" },
	{ "month 13", "a = 1979-13-01\n", 15, 1, 10, "month out of range" },
	{ "month 00", "a = 1979-00-01\n", 15, 1, 10, "month out of range" },
	{ "day 32", "a = 1979-01-32\n", 15, 1, 13,
	    "day out of range for the month" },
	{ "day 00", "a = 1979-01-00\n", 15, 1, 13,
	    "day out of range for the month" },
	{ "feb 29 non-leap", "a = 2023-02-29\n", 15, 1, 13,
	    "day out of range for the month" },
	{ "feb 29 1900", "a = 1900-02-29\n", 15, 1, 13,
	    "day out of range for the month" },
	{ "april 31", "a = 1979-04-31\n", 15, 1, 13,
	    "day out of range for the month" },
	{ "hour 24", "a = 24:00:00\n", 13, 1, 5, "hour out of range" },
	{ "minute 60", "a = 00:60:00\n", 13, 1, 8, "minute out of range" },
	{ "second 61", "a = 00:00:61\n", 13, 1, 11, "second out of range" },
	{ "time without seconds", "a = 07:32\n", 10, 1, 10,
	    "invalid time, expected HH:MM:SS" },
	{ "one-digit hour", "a = 7:32:00\n", 12, 1, 6,
	    "invalid character in number" },
	{ "fraction without digits", "a = 07:32:00.\n", 14, 1, 14,
	    "expected digits after '.' in time" },
	{ "offset hour 24", "a = 1979-05-27T07:32:00+24:00\n", 30, 1, 24,
	    "offset out of range" },
	{ "offset without colon", "a = 1979-05-27T07:32:00+0700\n", 29, 1, 24,
	    "invalid offset, expected Z or +HH:MM" },
	{ "offset on local time", "a = 07:32:00Z\n", 14, 1, 13,
	    "unexpected character in date-time" },
	{ "offset on date", "a = 1979-05-27Z\n", 16, 1, 15,
	    "unexpected character after date" },
	{ "short year", "a = 979-05-27\n", 14, 1, 8,
	    "invalid character in number" },
	{ "bad date separator", "a = 1979/05/27\n", 15, 1, 9,
	    "expected end of line, found '/'" },
	{ "date-time bad delimiter", "a = 1979-05-27X07:32:00\n", 24, 1, 15,
	    "unexpected character after date" },
	{ "date-time trailing garbage", "a = 1979-05-27T07:32:00Zx\n", 26, 1,
	    25, "unexpected character in date-time" },
	{ "date then space then garbage", "a = 1979-05-27 x\n", 17, 1, 16,
	    "expected end of line, found 'x'" },
	{ "date-time two spaces", "a = 1979-05-27  07:32:00\n", 25, 1, 17,
	    "expected end of line, found '0'" },
	{ "array unclosed", "a = [1, 2\n", 10, 2, 1,
	    "expected ',' or ']' in the array opened at 1:5, found end of "
	    "input" },
	{ "array missing comma", "a = [1 2]\n", 10, 1, 8,
	    "expected ',' or ']' in the array opened at 1:5, found '2'" },
	{ "array leading comma", "a = [,1]\n", 9, 1, 6,
	    "expected a value, found ','" },
	{ "array double comma", "a = [1,,2]\n", 11, 1, 8,
	    "expected a value, found ','" },
	{ "array only comma", "a = [,]\n", 8, 1, 6,
	    "expected a value, found ','" },
	{ "array bad element", "a = [1, x]\n", 11, 1, 9,
	    "invalid value (strings must be quoted)" },
	{ "array control char in comment",
	    "a = [ # \001\n"
	    "]\n",
	    12, 1, 9, "control character U+0001 is not allowed in a comment" },
};

static void
test_cases(void)
{
	struct toml_value *root;
	struct toml_error err;
	struct buf b;
	char pos[32];
	size_t i;

	for (i = 0; i < sizeof(valid_cases) / sizeof(valid_cases[0]); i++) {
		buf_init(&b);
		root = toml_parse(valid_cases[i].doc, valid_cases[i].len, &err);
		if (root == NULL) {
			ok(0, "valid: %s (%d:%d: %s)", valid_cases[i].name,
			    err.line, err.col, err.msg);
			continue;
		}
		if (dump_value(&b, root) != 0)
			buf_reset(&b);
		is_str(buf_cstr(&b), valid_cases[i].want, valid_cases[i].name);
		buf_release(&b);
		toml_free(root);
	}
	for (i = 0; i < sizeof(invalid_cases) / sizeof(invalid_cases[0]); i++) {
		root = toml_parse(
		    invalid_cases[i].doc, invalid_cases[i].len, &err);
		if (root != NULL) {
			ok(0, "invalid: %s is rejected", invalid_cases[i].name);
			toml_free(root);
			continue;
		}
		snprintf(pos, sizeof(pos), "%d:%d", err.line, err.col);
		buf_init(&b);
		if (buf_printf(&b, "%d:%d", invalid_cases[i].line,
			invalid_cases[i].col) != 0)
			buf_reset(&b);
		is_str(pos, buf_cstr(&b), invalid_cases[i].name);
		is_str(err.msg, invalid_cases[i].msg, invalid_cases[i].name);
		buf_release(&b);
	}
}

static void
test_positions(void)
{
	static const char doc[] =
	    "# fabrik\n"
	    "[cache]\n"
	    "dir = \".fabrik/cache\"\n"
	    "  \"\xc3\xa9t\xc3\xa9\" = 1 # key after UTF-8\n"
	    "[[upstream]]\n"
	    "url = \"s3://b/\"\n"
	    "x.y.z = [\n"
	    "  1, { a = 2 }]\n"
	    "[[upstream]]\n"
	    "\tt = 1979-05-27\r\n"
	    "[a.b]\n"
	    "[a]\n";
	const struct toml_value *root, *cache, *up, *e0, *e1, *x, *arr, *a;
	struct toml_value *r;
	struct toml_error err;

	r = parse_str(doc, &err);
	ok(r != NULL, "position document parses");
	if (r == NULL)
		return;
	root = r;
	is_int(toml_line(root), 1, "root line");
	is_int(toml_col(root), 1, "root col");
	cache = toml_table_get(root, "cache");
	ok(cache != NULL && toml_type(cache) == TOML_TABLE, "cache table");
	is_int(toml_line(cache), 2, "header table at its '[' line");
	is_int(toml_col(cache), 1, "header table at its '[' col");
	is_int(toml_table_key_line(root, 0), 2, "key cache line");
	is_int(toml_table_key_col(root, 0), 2, "key cache col");
	is_int(toml_table_key_line(cache, 0), 3, "key dir line");
	is_int(toml_table_key_col(cache, 0), 1, "key dir col");
	is_int(toml_line(toml_table_value(cache, 0)), 3, "value line");
	is_int(toml_col(toml_table_value(cache, 0)), 7, "value col");
	is_str(toml_table_key(cache, 1), "\xc3\xa9t\xc3\xa9", "quoted key");
	is_int(toml_table_key_col(cache, 1), 3, "indented quoted key col");
	is_int(toml_col(toml_table_value(cache, 1)), 11,
	    "columns count characters, not bytes");
	up = toml_table_get(root, "upstream");
	ok(toml_array_is_tables(up), "upstream is an array of tables");
	is_int(toml_array_len(up), 2, "two upstream elements");
	is_int(toml_line(up), 5, "array of tables at first header");
	e0 = toml_array_at(up, 0);
	e1 = toml_array_at(up, 1);
	is_int(toml_line(e0), 5, "element 0 at its header");
	is_int(toml_line(e1), 9, "element 1 at its header");
	x = toml_table_get(e0, "x");
	is_int(toml_line(x), 7, "implicit dotted table line");
	is_int(toml_col(x), 1, "implicit dotted table col");
	is_int(toml_table_key_col(toml_table_get(x, "y"), 0), 5,
	    "dotted key part col");
	arr = toml_table_get(toml_table_get(x, "y"), "z");
	is_int(toml_line(arr), 7, "array line");
	is_int(toml_col(arr), 9, "array col");
	is_int(toml_line(toml_array_at(arr, 1)), 8, "inline table line");
	is_int(toml_col(toml_array_at(arr, 1)), 6, "inline table col");
	is_int(toml_col(toml_table_value(toml_array_at(arr, 1), 0)), 12,
	    "value inside inline table col");
	is_int(toml_table_key_line(e1, 0), 10, "key after tab line");
	is_int(toml_table_key_col(e1, 0), 2, "a tab counts one column");
	a = toml_table_get(root, "a");
	is_int(toml_line(a), 12, "implicit table moves to its header");
	is_int(toml_table_key_line(root, 2), 11, "key a first written");
	is_int(toml_line(toml_table_get(a, "b")), 11, "a.b header line");
	toml_free(r);

	r = toml_parse("a = 1\nb = [\n  1,\n  x]\n", 20, &err);
	ok(r == NULL, "error inside a multi-line array");
	is_int(err.line, 4, "error line after newlines in array");
	is_int(err.col, 3, "error col after newlines in array");
	r = toml_parse("s = \"\"\"\nab\n\xe2\x98\x83\\q\"\"\"\n", 20, &err);
	ok(r == NULL, "bad escape on a later line of a string");
	is_int(err.line, 3, "error line inside multi-line string");
	is_int(err.col, 2, "error col inside multi-line string");
}

static void
test_accessors(void)
{
	struct toml_value *r;
	const struct toml_value *s, *i, *f, *b, *d, *a, *t;
	struct toml_error err;
	struct toml_datetime dt;
	size_t n = 99;
	char big[64];

	r = parse_str("s = \"a\\u0000b\"\ni = -42\nf = -0.0\nb = true\n"
		      "d = 07:32:00\na = [1]\nt = {}\n",
	    &err);
	ok(r != NULL, "accessor document parses");
	if (r == NULL)
		return;
	ok(err.line == 0 && err.col == 0 && err.msg[0] == '\0',
	    "error zeroed on success");
	s = toml_table_get(r, "s");
	i = toml_table_get(r, "i");
	f = toml_table_get(r, "f");
	b = toml_table_get(r, "b");
	d = toml_table_get(r, "d");
	a = toml_table_get(r, "a");
	t = toml_table_get(r, "t");
	ok(toml_string(s, &n) != NULL, "string value");
	is_mem(toml_string(s, NULL), n, "a\0b", 3, "string with U+0000");
	is_int(toml_string(s, NULL)[3], 0, "string is NUL-terminated");
	is_int(toml_integer(i), -42, "integer");
	ok(toml_float(f) == 0.0 && signbit(toml_float(f)), "-0.0 keeps sign");
	is_int(toml_bool(b), 1, "bool");
	is_str(toml_datetime_text(d), "07:32:00", "datetime text");
	ok(toml_string(i, &n) == NULL && n == 0, "string of integer");
	is_int(toml_integer(s), 0, "integer of string");
	ok(toml_float(i) == 0.0, "float of integer");
	is_int(toml_bool(i), 0, "bool of integer");
	ok(toml_datetime_text(s) == NULL, "datetime text of string");
	ok(toml_datetime(s, &dt) == -1, "datetime of string");
	is_int(toml_array_len(t), 0, "array len of table");
	ok(toml_array_at(a, 1) == NULL, "array index out of range");
	ok(toml_array_at(t, 0) == NULL, "array at of table");
	ok(!toml_array_is_tables(a), "static array is not of tables");
	is_int(toml_table_len(a), 0, "table len of array");
	ok(toml_table_key(r, 7) == NULL, "key index out of range");
	ok(toml_table_value(a, 0) == NULL, "table value of array");
	is_int(toml_table_key_line(r, 7), 0, "key line out of range");
	ok(toml_table_get(r, "missing") == NULL, "missing key");
	ok(toml_table_get(a, "s") == NULL, "get on array");
	ok(toml_table_get(r, NULL) == NULL, "get NULL key");
	ok(toml_table_get(NULL, "s") == NULL, "get on NULL");
	is_str(toml_type_name(TOML_STRING), "string", "type name string");
	is_str(toml_type_name(TOML_DATETIME), "date-time", "type name dt");
	is_str(toml_type_name(TOML_TABLE), "table", "type name table");
	toml_free(r);
	toml_free(NULL);

	r = toml_parse(NULL, 0, &err);
	ok(r != NULL && toml_table_len(r) == 0, "NULL, 0 is an empty doc");
	toml_free(r);
	memcpy(big, "a = 1zzzz", 10);
	r = toml_parse(big, 5, &err);
	ok(r != NULL && toml_integer(toml_table_get(r, "a")) == 1,
	    "input need not be NUL-terminated");
	toml_free(r);

	r = parse_str("n = nan\nm = -nan\np = +inf\n", &err);
	ok(r != NULL, "special floats parse");
	if (r != NULL) {
		ok(isnan(toml_float(toml_table_get(r, "n"))) &&
			!signbit(toml_float(toml_table_get(r, "n"))),
		    "nan");
		ok(isnan(toml_float(toml_table_get(r, "m"))) &&
			signbit(toml_float(toml_table_get(r, "m"))),
		    "-nan has its sign bit set");
		ok(isinf(toml_float(toml_table_get(r, "p"))), "+inf");
	}
	toml_free(r);
}

static void
test_datetime(void)
{
	struct toml_value *r;
	struct toml_error err;
	struct toml_datetime dt;

	r = parse_str("a = 1979-05-27T00:32:00.9999999999-07:30\n"
		      "b = 1979-05-27 07:32:00\n"
		      "c = 2000-02-29\n"
		      "d = 23:59:60.5\n"
		      "e = 1979-05-27T07:32:00Z\n",
	    &err);
	ok(r != NULL, "date-time document parses");
	if (r == NULL)
		return;
	ok(toml_datetime(toml_table_get(r, "a"), &dt) == 0, "a splits");
	is_int(dt.kind, TOML_OFFSET_DATETIME, "a kind");
	ok(dt.year == 1979 && dt.month == 5 && dt.day == 27, "a date");
	ok(dt.hour == 0 && dt.minute == 32 && dt.second == 0, "a time");
	is_int(dt.nanosecond, 999999999, "fraction truncated, not rounded");
	is_int(dt.offset_minutes, -450, "negative offset in minutes");
	ok(toml_datetime(toml_table_get(r, "b"), &dt) == 0, "b splits");
	is_int(dt.kind, TOML_LOCAL_DATETIME, "b kind");
	ok(dt.hour == 7 && dt.nanosecond == 0 && dt.offset_minutes == 0,
	    "b fields");
	ok(toml_datetime(toml_table_get(r, "c"), &dt) == 0, "c splits");
	is_int(dt.kind, TOML_LOCAL_DATE, "c kind");
	ok(dt.year == 2000 && dt.month == 2 && dt.day == 29 && dt.hour == 0,
	    "c fields");
	ok(toml_datetime(toml_table_get(r, "d"), &dt) == 0, "d splits");
	is_int(dt.kind, TOML_LOCAL_TIME, "d kind");
	ok(dt.year == 0 && dt.second == 60 && dt.nanosecond == 500000000,
	    "d fields (leap second)");
	ok(toml_datetime(toml_table_get(r, "e"), &dt) == 0, "e splits");
	ok(dt.kind == TOML_OFFSET_DATETIME && dt.offset_minutes == 0,
	    "Z is offset 0");
	toml_free(r);
}

static void
test_table_index(void)
{
	struct toml_value *r;
	struct toml_error err;
	struct buf b;
	char key[32];
	int i, bad = 0;

	buf_init(&b);
	for (i = 0; i < 5000; i++)
		if (buf_printf(&b, "k%d = %d\n", i, i) != 0)
			bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r != NULL && bad == 0, "5000 keys parse");
	is_int(toml_table_len(r), 5000, "5000 keys kept");
	for (i = 0; i < 5000 && r != NULL; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (toml_integer(toml_table_get(r, key)) != i ||
		    strcmp(toml_table_key(r, i), key) != 0)
			bad++;
	}
	is_int(bad, 0, "every key found by name and in order");
	ok(toml_table_get(r, "k5000") == NULL, "absent key in big table");
	toml_free(r);
	if (buf_append_str(&b, "k4999 = 1\n") != 0)
		bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r == NULL, "duplicate found through the index");
	is_int(err.line, 5001, "duplicate line in big table");
	is_str(err.msg, "duplicate key 'k4999' (first defined at 5000:1)",
	    "duplicate message in big table");
	buf_release(&b);
}

static void
test_messages(void)
{
	struct toml_value *r;
	struct toml_error err;
	struct buf b;
	int i, bad = 0;

	r = toml_parse(
	    "\"a\\\"b\\u0001\" = 1\n\"a\\\"b\\u0001\" = 2\n", 32, &err);
	ok(r == NULL, "duplicate quoted key");
	is_str(err.msg, "duplicate key '\"a?b?\"' (first defined at 1:1)",
	    "quotes and controls in key names are masked");
	buf_init(&b);
	for (i = 0; i < 2 && bad == 0; i++) {
		if (buf_append_str(&b, "[\"") != 0)
			bad++;
		for (int j = 0; j < 100; j++)
			if (buf_append_str(&b, "\xe2\x98\x83") != 0)
				bad++;
		if (buf_append_str(&b, "\"]\n") != 0)
			bad++;
	}
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r == NULL && bad == 0, "duplicate long table name");
	ok(strstr(err.msg, "...' (first defined at 1:1)") != NULL,
	    "long names are cut with an ellipsis");
	ok(strncmp(err.msg, "duplicate table '\"\xe2\x98\x83", 21) == 0,
	    "cut name starts with the key");
	ok(strstr(err.msg, "\xe2\x98\x83...") != NULL,
	    "no broken UTF-8 before the ellipsis");
	buf_release(&b);
}

/* Builds prefix + n copies of rep + suffix and parses it. */
static struct toml_value *
parse_built(const char *prefix, const char *rep, size_t n, const char *suffix,
    struct toml_error *err)
{
	struct toml_value *r = NULL;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b);
	rc = buf_append_str(&b, prefix);
	for (i = 0; i < n && rc == 0; i++)
		rc = buf_append_str(&b, rep);
	if (rc == 0)
		rc = buf_append_str(&b, suffix);
	if (rc == 0)
		r = toml_parse((const char *)b.data, b.len, err);
	else
		err->msg[0] = '\0';
	buf_release(&b);
	return r;
}

static void
test_limits(void)
{
	struct toml_value *r;
	struct toml_error err;
	char *big;
	size_t n;
	struct buf b;
	int i, bad = 0;

	/* TOML_MAX_INPUT */
	big = malloc(TOML_MAX_INPUT + 1);
	ok(big != NULL, "allocate a document of TOML_MAX_INPUT + 1 bytes");
	if (big != NULL) {
		memset(big, '\n', TOML_MAX_INPUT + 1);
		memcpy(big, "a = 1", 5);
		r = toml_parse(big, TOML_MAX_INPUT, &err);
		ok(r != NULL && toml_integer(toml_table_get(r, "a")) == 1,
		    "document of exactly TOML_MAX_INPUT bytes parses");
		toml_free(r);
		r = toml_parse(big, TOML_MAX_INPUT + 1, &err);
		ok(r == NULL, "document over TOML_MAX_INPUT is rejected");
		ok(err.line == 1 && err.col == 1 &&
			strstr(err.msg, "larger than") != NULL,
		    "input limit error at 1:1");
		free(big);
	}

	/* TOML_MAX_STRING */
	r = parse_built("s = \"", "x", TOML_MAX_STRING, "\"\n", &err);
	ok(r != NULL, "basic string of TOML_MAX_STRING bytes");
	toml_string(toml_table_get(r, "s"), &n);
	is_int(n, TOML_MAX_STRING, "its length");
	toml_free(r);
	r = parse_built("s = \"", "x", TOML_MAX_STRING + 1, "\"\n", &err);
	ok(r == NULL && strstr(err.msg, "string longer than") != NULL,
	    "basic string over TOML_MAX_STRING");
	toml_free(r);
	r = parse_built("s = '", "x", TOML_MAX_STRING + 1, "'\n", &err);
	ok(r == NULL && strstr(err.msg, "string longer than") != NULL,
	    "literal string over TOML_MAX_STRING");
	toml_free(r);
	r = parse_built("s = '''", "x", TOML_MAX_STRING + 1, "'''\n", &err);
	ok(r == NULL && strstr(err.msg, "string longer than") != NULL,
	    "multi-line literal over TOML_MAX_STRING");
	toml_free(r);
	r = parse_built(
	    "s = \"", "x", TOML_MAX_STRING - 1, "\\u00e9\"\n", &err);
	ok(r == NULL && strstr(err.msg, "string longer than") != NULL,
	    "escape crossing TOML_MAX_STRING");
	toml_free(r);
	r = parse_built(
	    "s = \"\"\"", "\\\n", TOML_MAX_STRING + 1, "\"\"\"\n", &err);
	ok(r != NULL, "line-ending backslashes add nothing to the length");
	toml_free(r);
	r = parse_built("\"", "k", TOML_MAX_STRING + 1, "\" = 1\n", &err);
	ok(r == NULL && strstr(err.msg, "string longer than") != NULL,
	    "quoted key over TOML_MAX_STRING");
	toml_free(r);
	r = parse_built("", "k", TOML_MAX_STRING + 1, " = 1\n", &err);
	ok(r == NULL && strstr(err.msg, "key longer than") != NULL,
	    "bare key over TOML_MAX_STRING");
	toml_free(r);
	r = parse_built("", "k", TOML_MAX_STRING, " = 1\n", &err);
	ok(r != NULL, "bare key of TOML_MAX_STRING bytes");
	toml_free(r);

	/* TOML_MAX_KEYS */
	buf_init(&b);
	for (i = 0; i < TOML_MAX_KEYS && bad == 0; i++)
		if (buf_printf(&b, "k%d=1\n", i) != 0)
			bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r != NULL && bad == 0, "table of TOML_MAX_KEYS keys");
	is_int(toml_table_len(r), TOML_MAX_KEYS, "all keys kept");
	toml_free(r);
	if (buf_append_str(&b, "one_more = 1\n") != 0)
		bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r == NULL && bad == 0, "TOML_MAX_KEYS + 1 keys rejected");
	toml_free(r);
	is_int(err.line, TOML_MAX_KEYS + 1, "keys limit error line");
	ok(strstr(err.msg, "more than") != NULL, "keys limit message");
	if (buf_append_str(&b, "") != 0)
		bad++;
	buf_reset(&b);
	for (i = 0; i <= TOML_MAX_KEYS && bad == 0; i++)
		if (buf_printf(&b, "[t%d]\n", i) != 0)
			bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r == NULL && bad == 0 && strstr(err.msg, "more than") != NULL,
	    "TOML_MAX_KEYS + 1 tables by headers rejected");
	toml_free(r);
	buf_reset(&b);
	if (buf_append_str(&b, "t = {") != 0)
		bad++;
	for (i = 0; i <= TOML_MAX_KEYS && bad == 0; i++)
		if (buf_printf(&b, "%sk%d=1", i ? "," : "", i) != 0)
			bad++;
	if (buf_append_str(&b, "}\n") != 0)
		bad++;
	r = toml_parse((const char *)b.data, b.len, &err);
	ok(r == NULL && bad == 0 && strstr(err.msg, "more than") != NULL,
	    "inline table of TOML_MAX_KEYS + 1 keys rejected");
	toml_free(r);
	buf_release(&b);

	/* TOML_MAX_DEPTH: the root is depth 0. */
	buf_init(&b);
	for (i = 0; i < TOML_MAX_DEPTH && bad == 0; i++)
		if (buf_putc(&b, ']') != 0)
			bad++;
	r = parse_built("a = ", "[", TOML_MAX_DEPTH, buf_cstr(&b), &err);
	ok(r != NULL && bad == 0, "arrays nested TOML_MAX_DEPTH deep");
	toml_free(r);
	if (buf_putc(&b, ']') != 0)
		bad++;
	r = parse_built("a = ", "[", TOML_MAX_DEPTH + 1, buf_cstr(&b), &err);
	ok(r == NULL && bad == 0, "arrays nested TOML_MAX_DEPTH + 1 deep");
	toml_free(r);
	is_int(err.col, 5 + TOML_MAX_DEPTH, "depth error at the bracket");
	ok(strstr(err.msg, "nesting deeper than") != NULL, "depth message");
	buf_reset(&b);
	if (buf_putc(&b, '1') != 0)
		bad++;
	for (i = 0; i < TOML_MAX_DEPTH && bad == 0; i++)
		if (buf_putc(&b, '}') != 0)
			bad++;
	r = parse_built("a = ", "{b=", TOML_MAX_DEPTH, buf_cstr(&b), &err);
	ok(r != NULL && bad == 0, "inline tables nested TOML_MAX_DEPTH deep");
	toml_free(r);
	if (buf_putc(&b, '}') != 0)
		bad++;
	r = parse_built("a = ", "{b=", TOML_MAX_DEPTH + 1, buf_cstr(&b), &err);
	ok(r == NULL && bad == 0 && strstr(err.msg, "nesting deeper") != NULL,
	    "inline tables nested TOML_MAX_DEPTH + 1 deep");
	toml_free(r);
	toml_free(r);
	buf_release(&b);
	r = parse_built("", "t.", TOML_MAX_DEPTH - 1, "t = {}\n", &err);
	ok(r != NULL, "dotted key of TOML_MAX_DEPTH parts");
	toml_free(r);
	r = parse_built("", "t.", TOML_MAX_DEPTH, "t = 1\n", &err);
	ok(r == NULL && strstr(err.msg, "parts") != NULL,
	    "dotted key of TOML_MAX_DEPTH + 1 parts");
	toml_free(r);
	r = parse_built("", "t.", TOML_MAX_DEPTH - 1, "t = {a = {}}\n", &err);
	ok(r == NULL && strstr(err.msg, "nesting deeper") != NULL,
	    "inline table below the deepest dotted table");
	toml_free(r);
	r = parse_built("[", "t.", TOML_MAX_DEPTH - 1, "t]\n", &err);
	ok(r != NULL, "header of TOML_MAX_DEPTH parts");
	toml_free(r);
	r = parse_built("[[", "t.", TOML_MAX_DEPTH - 2, "t]]\n", &err);
	ok(r != NULL, "array of tables whose elements are at the deepest");
	toml_free(r);
	r = parse_built("[[", "t.", TOML_MAX_DEPTH - 1, "t]]\n", &err);
	ok(r == NULL && strstr(err.msg, "nesting deeper") != NULL,
	    "array of tables one level too deep");
	toml_free(r);
}

int
main(void)
{
	test_cases();
	test_positions();
	test_accessors();
	test_datetime();
	test_table_index();
	test_messages();
	test_limits();
	return done_testing();
}
