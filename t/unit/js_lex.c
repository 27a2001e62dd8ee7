/*
 * Unit tests for recipe/js_lex: token streams, literal values, the regex
 * heuristic, line terminators and error positions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_lex.h"
#include "tap.h"

int main(void);

/* Token stream as text: "name:a ( num:1 str:"x" regex:/a/g ..." or
 * "ERR line:col: message". */
static void
dump(const char *src, size_t len, struct buf *out)
{
	struct js_lex lx;
	struct js_tok t;
	struct buf v;
	int first = 1;

	buf_init(&v);
	buf_reset(out);
	if (js_lex_init(&lx, src, len) == -1) {
		(void)!buf_printf(
		    out, "ERR %u:%u: %s", lx.err_line, lx.err_col, lx.err);
		return;
	}
	for (;;) {
		if (js_lex_next(&lx, &t) == -1) {
			buf_reset(out);
			(void)!buf_printf(out, "ERR %u:%u: %s", lx.err_line,
			    lx.err_col, lx.err);
			break;
		}
		if (t.kind == JS_TOK_EOF)
			break;
		if (!first)
			(void)!buf_putc(out, ' ');
		first = 0;
		if (t.nl_before)
			(void)!buf_append_str(out, "\\n ");
		switch (t.kind) {
		case JS_TOK_NAME:
			(void)!buf_printf(out, "%s:%.*s",
			    t.kw != JS_KW_NONE && js_lex_kw_reserved(t.kw)
				? "kw"
				: "name",
			    (int)(t.end - t.off), src + t.off);
			break;
		case JS_TOK_NUM:
			(void)!buf_printf(out, "num:%.17g", t.num);
			break;
		case JS_TOK_STR:
		case JS_TOK_TEMPLATE:
		case JS_TOK_TEMPLATE_HEAD:
		case JS_TOK_TEMPLATE_MIDDLE:
		case JS_TOK_TEMPLATE_TAIL:
			buf_reset(&v);
			(void)!js_lex_value(&lx, &t, &v);
			(void)!buf_printf(out, "%s:\"%s\"",
			    js_lex_kind_name(t.kind), buf_cstr(&v));
			break;
		case JS_TOK_REGEX:
			(void)!buf_printf(out, "regex:%.*s",
			    (int)(t.end - t.off), src + t.off);
			break;
		default:
			(void)!buf_append_str(out, js_lex_kind_name(t.kind));
			break;
		}
	}
	buf_release(&v);
}

static const struct {
	const char *src;
	const char *want;
} cases[] = {
	/* names and keywords */
	{ "a $b _c d1 if let of async",
	    "name:a name:$b name:_c name:d1 "
	    "kw:if kw:let name:of name:async" },
	{ "caf\xc3\xa9 \xce\xbb", "name:caf\xc3\xa9 name:\xce\xbb" },
	/* punctuators, longest match */
	{ "a>>>=b>>=c>>d>=e",
	    "name:a >>>= name:b >>= name:c >> name:d >= "
	    "name:e" },
	{ "a?.b ?? c ?\?= d ?.5:1",
	    "name:a ?. name:b ?? name:c ?\?= name:d ? "
	    "num:0.5 : num:1" },
	{ "x **= 2 ** 3 => ... === !==",
	    "name:x **= num:2 ** num:3 => ... "
	    "=== !==" },
	{ "&&= ||= && || & | ^ ~ ! %= %", "&&= ||= && || & | ^ ~ ! %= %" },
	/* numbers */
	{ "0x1F 0X1f 0o17 0O17 0b101 0B1",
	    "num:31 num:31 num:15 num:15 "
	    "num:5 num:1" },
	{ "1e3 1E-3 1.5 .5 5. 0 0.0",
	    "num:1000 num:0.001 num:1.5 num:0.5 "
	    "num:5 num:0 num:0" },
	{ "1_000_000 0x_1", "ERR 1:13: invalid numeric separator" },
	{ "1_000_000 0xF_F 1e1_0", "num:1000000 num:255 num:10000000000" },
	{ "1__0", "ERR 1:2: invalid numeric separator" },
	{ "1_", "ERR 1:2: invalid numeric separator" },
	{ "1._5", "ERR 1:3: invalid numeric separator" },
	{ "0_1", "ERR 1:2: invalid numeric separator" },
	{ "0x", "ERR 1:3: missing digits" },
	{ "1e", "ERR 1:3: missing exponent digits" },
	{ "1e+", "ERR 1:4: missing exponent digits" },
	{ "017", "ERR 1:1: not supported: legacy octal literal" },
	{ "08", "ERR 1:1: not supported: legacy octal literal" },
	{ "10n", "ERR 1:1: not supported: BigInt" },
	{ "3in x",
	    "ERR 1:2: identifier starts immediately after numeric "
	    "literal" },
	{ "0b102",
	    "ERR 1:5: identifier starts immediately after numeric "
	    "literal" },
	{ "1.e2 1..toString", "num:100 num:1 . name:toString" },
	/* strings */
	{ "'a\"b' \"c'd\"", "string:\"a\"b\" string:\"c'd\"" },
	{ "'\\x41\\u0042\\u{43}\\u{1F600}'", "string:\"ABC\xf0\x9f\x98\x80\"" },
	{ "'\\uD83D\\uDE00'", "string:\"\xf0\x9f\x98\x80\"" },
	{ "'a\\\nb' 'c\\\r\nd'", "string:\"ab\" string:\"cd\"" },
	{ "'\\q\\'\\\\'", "string:\"q'\\\"" },
	{ "'\xe2\x80\xa8'", "string:\"\xe2\x80\xa8\"" },
	{ "'abc", "ERR 1:5: unterminated string literal" },
	{ "'ab\ncd'", "ERR 1:4: unterminated string literal" },
	{ "'\\x4'", "ERR 1:2: invalid \\x escape" },
	{ "'\\u12'", "ERR 1:2: invalid \\u escape" },
	{ "'\\u{110000}'", "ERR 1:2: invalid \\u{} escape" },
	{ "'\\u{}'", "ERR 1:2: invalid \\u{} escape" },
	{ "'\\u{41'", "ERR 1:2: invalid \\u{} escape" },
	{ "'\\01'", "ERR 1:2: not supported: octal escape" },
	{ "'\\8'", "ERR 1:2: not supported: octal escape" },
	/* templates */
	{ "`a${b}c${d}e`",
	    "template-head:\"a\" name:b template-middle:\"c\" "
	    "name:d template-tail:\"e\"" },
	{ "`x${ {a:1} }y`",
	    "template-head:\"x\" { name:a : num:1 } "
	    "template-tail:\"y\"" },
	{ "`a${`b${c}`}`",
	    "template-head:\"a\" template-head:\"b\" name:c "
	    "template-tail:\"\" template-tail:\"\"" },
	{ "`l1\r\nl2`", "template:\"l1\nl2\"" },
	{ "`abc", "ERR 1:5: unterminated template literal" },
	{ "`${a", "ERR 1:5: unterminated template literal" },
	/* comments, line terminators, ASI flag */
	{ "a // c\nb /* x */ c /* \n */ d",
	    "name:a \\n name:b name:c \\n "
	    "name:d" },
	{ "a\xe2\x80\xa8"
	  "b\r\nc\rd",
	    "name:a \\n name:b \\n name:c \\n "
	    "name:d" },
	{ "a\xc2\xa0"
	  "b\xef\xbb\xbf"
	  "c",
	    "name:a name:b name:c" },
	{ "/* never ends", "ERR 1:1: unterminated comment" },
	{ "\xef\xbb\xbf#!/usr/bin/env fabrik\nx", "\\n name:x" },
	/* regular expressions vs division, guessed from the previous token */
	{ "a / b / c", "name:a / name:b / name:c" },
	{ "x = /ab+c/gi", "name:x = regex:/ab+c/gi" },
	{ "(a) / 2", "( name:a ) / num:2" },
	{ "[/re/]", "[ regex:/re/ ]" },
	{ "f(/=/)", "name:f ( regex:/=/ )" },
	{ "a /= 2", "name:a /= num:2" },
	{ "a++ / 2", "name:a ++ / num:2" },
	{ "return /re/", "kw:return regex:/re/" },
	{ "typeof /re/", "kw:typeof regex:/re/" },
	{ "this / 2", "kw:this / num:2" },
	{ "/[/]/.source", "regex:/[/]/ . name:source" },
	{ "/\\//", "regex:/\\//" },
	{ "} / 2", "} / num:2" },
	/* a guess that cannot be a regex falls back to '/' (the parser
	 * reports the error when it needed an operand) */
	{ "x = /a/gg", "name:x = / name:a / name:gg" },
	{ "x = /a/q", "name:x = / name:a / name:q" },
	{ "x = /abc\n/", "name:x = / name:abc \\n /" },
	/* unsupported and invalid characters */
	{ "a\\u0061", "ERR 1:2: not supported: escape in identifier" },
	{ "#x", "ERR 1:1: not supported: private name" },
	{ "@dec", "ERR 1:1: unexpected character" },
	{ "a\n  \xff", "ERR 2:3: invalid UTF-8" },
	{ "'\xc0\x80'", "ERR 1:2: invalid UTF-8" },
	{ "'\xed\xa0\x80'", "ERR 1:2: invalid UTF-8" },
};

static void
test_cases(void)
{
	struct buf out;
	size_t i;
	char name[32];

	buf_init(&out);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dump(cases[i].src, strlen(cases[i].src), &out);
		snprintf(name, sizeof(name), "lex case %zu", i);
		is_str(buf_cstr(&out), cases[i].want, name);
	}
	buf_release(&out);
}

static void
test_positions(void)
{
	struct js_lex lx;
	struct js_tok t;
	const char *src = "a\n  bc\t/* x\n y */ d";

	ok(js_lex_init(&lx, src, strlen(src)) == 0, "init");
	ok(js_lex_next(&lx, &t) == 0 && t.line == 1 && t.col == 1, "a at 1:1");
	ok(js_lex_next(&lx, &t) == 0 && t.line == 2 && t.col == 3 &&
		t.nl_before,
	    "bc at 2:3 after newline");
	ok(js_lex_next(&lx, &t) == 0 && t.line == 3 && t.col == 7 &&
		t.nl_before,
	    "d at 3:7, comment counts as line break");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_EOF, "eof");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_EOF, "eof again");
}

static void
test_rescan(void)
{
	struct js_lex lx;
	struct js_tok t;
	const char *src = "} /a/g";

	ok(js_lex_init(&lx, src, strlen(src)) == 0, "init");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_RBRACE, "brace");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_REGEX,
	    "guessed regex after }");
	ok(js_lex_rescan(&lx, &t, 0) == 0 && t.kind == JS_TOK_SLASH &&
		t.end == t.off + 1,
	    "rescan as division");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_NAME, "then a name");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_SLASH, "slash");
	ok(js_lex_rescan(&lx, &t, 1) == -1 &&
		strcmp(lx.err, "unterminated regular expression") == 0,
	    "rescan '/g' as regex fails");

	src = "a>>=b";
	ok(js_lex_init(&lx, src, strlen(src)) == 0, "init");
	ok(js_lex_next(&lx, &t) == 0 && js_lex_next(&lx, &t) == 0 &&
		t.kind == JS_TOK_SAR_ASSIGN,
	    ">>=");
	js_lex_split_gt(&lx, &t);
	ok(t.kind == JS_TOK_GT && t.end == t.off + 1, "split to >");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_GE, "rest is >=");
}

static void
test_values(void)
{
	struct js_lex lx;
	struct js_tok t;
	struct buf v;
	const char *src = "`a\\n${x}\\u0041\r\n`";

	buf_init(&v);
	ok(js_lex_init(&lx, src, strlen(src)) == 0, "init");
	ok(js_lex_next(&lx, &t) == 0 && t.kind == JS_TOK_TEMPLATE_HEAD, "head");
	ok(js_lex_raw(&lx, &t, &v) == 0, "raw");
	is_str(buf_cstr(&v), "a\\n", "raw keeps escapes");
	buf_reset(&v);
	ok(js_lex_next(&lx, &t) == 0 && js_lex_next(&lx, &t) == 0 &&
		t.kind == JS_TOK_TEMPLATE_TAIL,
	    "tail");
	ok(js_lex_value(&lx, &t, &v) == 0, "cooked");
	is_str(buf_cstr(&v), "A\n", "cooked decodes, CRLF -> LF");
	buf_reset(&v);
	ok(js_lex_raw(&lx, &t, &v) == 0, "raw");
	is_str(buf_cstr(&v), "\\u0041\n", "raw normalises CRLF");
	buf_reset(&v);

	src = "'\\0x\\uD800z'";
	ok(js_lex_init(&lx, src, strlen(src)) == 0 && js_lex_next(&lx, &t) == 0,
	    "lone surrogate string");
	ok(js_lex_value(&lx, &t, &v) == 0, "value");
	is_mem(v.data, v.len, "\0x\xed\xa0\x80z", 6, "NUL and WTF-8 surrogate");
	buf_release(&v);
}

static void
test_limits(void)
{
	struct js_lex lx;
	struct js_tok t;
	char *big;
	size_t i, n;
	int r = 0;
	struct buf s;

	big = malloc(JS_MAX_SOURCE + 1);
	ok(big != NULL, "alloc");
	if (big == NULL)
		return;
	memset(big, ' ', JS_MAX_SOURCE + 1);
	ok(js_lex_init(&lx, big, JS_MAX_SOURCE + 1) == -1 &&
		strcmp(lx.err, "source too large") == 0,
	    "JS_MAX_SOURCE + 1 is refused");
	ok(js_lex_init(&lx, big, JS_MAX_SOURCE) == 0, "JS_MAX_SOURCE is fine");
	/* one token per byte: EOF is token JS_MAX_SOURCE + 1 */
	memset(big, ';', JS_MAX_SOURCE);
	ok(js_lex_init(&lx, big, JS_MAX_SOURCE) == 0, "init");
	for (i = 0; i <= JS_MAX_SOURCE; i++)
		if ((r = js_lex_next(&lx, &t)) == -1)
			break;
	ok(r == -1 && i == JS_MAX_TOKENS &&
		strcmp(lx.err, "too many tokens") == 0,
	    "JS_MAX_TOKENS");
	free(big);

	buf_init(&s);
	for (i = 0; i < JS_LEX_MAX_TEMPLATE_DEPTH + 1; i++)
		(void)!buf_append_str(&s, "`${");
	n = 0;
	ok(js_lex_init(&lx, (const char *)s.data, s.len) == 0, "init");
	while (js_lex_next(&lx, &t) == 0 && t.kind != JS_TOK_EOF)
		n++;
	is_int(n, JS_LEX_MAX_TEMPLATE_DEPTH, "template depth tokens");
	is_str(lx.err, "template literals nested too deeply",
	    "JS_LEX_MAX_TEMPLATE_DEPTH");
	buf_release(&s);

	buf_init(&s);
	(void)!buf_append_str(&s, "1");
	for (i = 0; i < 400; i++)
		(void)!buf_putc(&s, '0');
	ok(js_lex_init(&lx, (const char *)s.data, s.len) == 0 &&
		js_lex_next(&lx, &t) == -1 &&
		strcmp(lx.err, "numeric literal too long") == 0,
	    "JS_LEX_MAX_NUMBER");
	buf_release(&s);
}

int
main(void)
{
	test_cases();
	test_positions();
	test_rescan();
	test_values();
	test_limits();
	return done_testing();
}
