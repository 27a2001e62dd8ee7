/*
 * JavaScript lexer for recipes: ECMA-262 §12 (white space, line
 * terminators, comments, names, punctuators, numeric, string, template and
 * regular expression literals) for strict module code.
 *
 * Security: the source text is untrusted.  It is checked to be valid UTF-8
 * and at most JS_MAX_SOURCE bytes before anything else; every read is
 * bounds-checked against len (the text need not be NUL-terminated); the
 * lexer allocates nothing itself and stops after JS_MAX_TOKENS tokens, so
 * total work is linear in that budget.  Template nesting is bounded by
 * JS_LEX_MAX_TEMPLATE_DEPTH and numeric literals by JS_LEX_MAX_NUMBER.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "recipe/js_lex.h"

/* Longest numeric literal (characters) converted with strtod. */
#ifndef JS_LEX_MAX_NUMBER
#define JS_LEX_MAX_NUMBER 400
#endif

static const struct {
	const char *name;
	enum js_kw kw;
} js_lex_kwtab[] = {
	/* sorted by name for bsearch */
	{ "abstract", JS_KW_ABSTRACT },
	{ "as", JS_KW_AS },
	{ "asserts", JS_KW_ASSERTS },
	{ "async", JS_KW_ASYNC },
	{ "await", JS_KW_AWAIT },
	{ "break", JS_KW_BREAK },
	{ "case", JS_KW_CASE },
	{ "catch", JS_KW_CATCH },
	{ "class", JS_KW_CLASS },
	{ "const", JS_KW_CONST },
	{ "continue", JS_KW_CONTINUE },
	{ "debugger", JS_KW_DEBUGGER },
	{ "declare", JS_KW_DECLARE },
	{ "default", JS_KW_DEFAULT },
	{ "delete", JS_KW_DELETE },
	{ "do", JS_KW_DO },
	{ "else", JS_KW_ELSE },
	{ "enum", JS_KW_ENUM },
	{ "export", JS_KW_EXPORT },
	{ "extends", JS_KW_EXTENDS },
	{ "false", JS_KW_FALSE },
	{ "finally", JS_KW_FINALLY },
	{ "for", JS_KW_FOR },
	{ "from", JS_KW_FROM },
	{ "function", JS_KW_FUNCTION },
	{ "get", JS_KW_GET },
	{ "global", JS_KW_GLOBAL },
	{ "if", JS_KW_IF },
	{ "implements", JS_KW_IMPLEMENTS },
	{ "import", JS_KW_IMPORT },
	{ "in", JS_KW_IN },
	{ "infer", JS_KW_INFER },
	{ "instanceof", JS_KW_INSTANCEOF },
	{ "interface", JS_KW_INTERFACE },
	{ "is", JS_KW_IS },
	{ "keyof", JS_KW_KEYOF },
	{ "let", JS_KW_LET },
	{ "meta", JS_KW_META },
	{ "module", JS_KW_MODULE },
	{ "namespace", JS_KW_NAMESPACE },
	{ "new", JS_KW_NEW },
	{ "null", JS_KW_NULL },
	{ "of", JS_KW_OF },
	{ "override", JS_KW_OVERRIDE },
	{ "package", JS_KW_PACKAGE },
	{ "private", JS_KW_PRIVATE },
	{ "protected", JS_KW_PROTECTED },
	{ "public", JS_KW_PUBLIC },
	{ "readonly", JS_KW_READONLY },
	{ "return", JS_KW_RETURN },
	{ "satisfies", JS_KW_SATISFIES },
	{ "set", JS_KW_SET },
	{ "static", JS_KW_STATIC },
	{ "super", JS_KW_SUPER },
	{ "switch", JS_KW_SWITCH },
	{ "target", JS_KW_TARGET },
	{ "this", JS_KW_THIS },
	{ "throw", JS_KW_THROW },
	{ "true", JS_KW_TRUE },
	{ "try", JS_KW_TRY },
	{ "type", JS_KW_TYPE },
	{ "typeof", JS_KW_TYPEOF },
	{ "unique", JS_KW_UNIQUE },
	{ "var", JS_KW_VAR },
	{ "void", JS_KW_VOID },
	{ "while", JS_KW_WHILE },
	{ "with", JS_KW_WITH },
	{ "yield", JS_KW_YIELD },
};

/* Punctuators, longest first within each leading character. */
static const struct {
	const char *text;
	enum js_tok_kind kind;
} js_lex_punct[] = {
	{ ">>>=", JS_TOK_SHR_ASSIGN },
	{ "...", JS_TOK_ELLIPSIS },
	{ "===", JS_TOK_SEQ },
	{ "!==", JS_TOK_SNE },
	{ "**=", JS_TOK_EXP_ASSIGN },
	{ "<<=", JS_TOK_SHL_ASSIGN },
	{ ">>=", JS_TOK_SAR_ASSIGN },
	{ ">>>", JS_TOK_SHR },
	{ "&&=", JS_TOK_LAND_ASSIGN },
	{ "||=", JS_TOK_LOR_ASSIGN },
	{ "?\?=", JS_TOK_NULLISH_ASSIGN },
	{ "=>", JS_TOK_ARROW },
	{ "==", JS_TOK_EQ },
	{ "!=", JS_TOK_NE },
	{ "<=", JS_TOK_LE },
	{ ">=", JS_TOK_GE },
	{ "**", JS_TOK_EXP },
	{ "++", JS_TOK_INC },
	{ "--", JS_TOK_DEC },
	{ "<<", JS_TOK_SHL },
	{ ">>", JS_TOK_SAR },
	{ "&&", JS_TOK_AND },
	{ "||", JS_TOK_OR },
	{ "??", JS_TOK_NULLISH },
	{ "?.", JS_TOK_OPTCHAIN },
	{ "+=", JS_TOK_ADD_ASSIGN },
	{ "-=", JS_TOK_SUB_ASSIGN },
	{ "*=", JS_TOK_MUL_ASSIGN },
	{ "/=", JS_TOK_DIV_ASSIGN },
	{ "%=", JS_TOK_MOD_ASSIGN },
	{ "&=", JS_TOK_AND_ASSIGN },
	{ "|=", JS_TOK_OR_ASSIGN },
	{ "^=", JS_TOK_XOR_ASSIGN },
	{ "{", JS_TOK_LBRACE },
	{ "}", JS_TOK_RBRACE },
	{ "(", JS_TOK_LPAREN },
	{ ")", JS_TOK_RPAREN },
	{ "[", JS_TOK_LBRACKET },
	{ "]", JS_TOK_RBRACKET },
	{ ".", JS_TOK_DOT },
	{ ";", JS_TOK_SEMI },
	{ ",", JS_TOK_COMMA },
	{ "<", JS_TOK_LT },
	{ ">", JS_TOK_GT },
	{ "+", JS_TOK_PLUS },
	{ "-", JS_TOK_MINUS },
	{ "*", JS_TOK_STAR },
	{ "/", JS_TOK_SLASH },
	{ "%", JS_TOK_PERCENT },
	{ "&", JS_TOK_AMP },
	{ "|", JS_TOK_PIPE },
	{ "^", JS_TOK_CARET },
	{ "!", JS_TOK_BANG },
	{ "~", JS_TOK_TILDE },
	{ "?", JS_TOK_QUESTION },
	{ ":", JS_TOK_COLON },
	{ "=", JS_TOK_ASSIGN },
};

static const char *const js_lex_names[JS_TOK__COUNT] = {
	[JS_TOK_EOF] = "end of input",
	[JS_TOK_NAME] = "name",
	[JS_TOK_NUM] = "number",
	[JS_TOK_STR] = "string",
	[JS_TOK_TEMPLATE] = "template",
	[JS_TOK_TEMPLATE_HEAD] = "template-head",
	[JS_TOK_TEMPLATE_MIDDLE] = "template-middle",
	[JS_TOK_TEMPLATE_TAIL] = "template-tail",
	[JS_TOK_REGEX] = "regex",
};

static int
lex_fail(struct js_lex *lx, size_t pos, const char *msg)
{
	lx->err = msg;
	lx->err_line = lx->line;
	lx->err_col = (unsigned)(pos - lx->line_start + 1);
	return -1;
}

/* Length of the UTF-8 sequence at s[0..n) known to be valid, or 0. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Bytes of the line terminator at pos (LF, CR, CRLF, U+2028, U+2029). */
static size_t
lt_len(const char *src, size_t len, size_t pos)
{
	const unsigned char *s = (const unsigned char *)src + pos;
	size_t n = len - pos;

	if (n == 0)
		return 0;
	if (s[0] == '\n')
		return 1;
	if (s[0] == '\r')
		return (n > 1 && s[1] == '\n') ? 2 : 1;
	if (n >= 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	return 0;
}

/* Bytes of the non-terminator white space at pos (§12.2), or 0. */
static size_t
ws_len(const char *src, size_t len, size_t pos)
{
	const unsigned char *s = (const unsigned char *)src + pos;
	uint32_t cp;
	size_t n;

	if (pos >= len)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\v' || s[0] == '\f')
		return 1;
	if (s[0] < 0x80)
		return 0;
	if ((n = utf8_decode(s, len - pos, &cp)) == 0)
		return 0;
	if (cp == 0xa0 || cp == 0xfeff || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000)
		return n;
	return 0;
}

static int
is_id_start(const char *src, size_t len, size_t pos)
{
	unsigned char c;

	if (pos >= len)
		return 0;
	c = (unsigned char)src[pos];
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '$' ||
	    c == '_')
		return 1;
	/* Any other non-ASCII character counts as a letter. */
	return c >= 0x80 && ws_len(src, len, pos) == 0 &&
	    lt_len(src, len, pos) == 0;
}

static int
is_id_part(const char *src, size_t len, size_t pos)
{
	return is_id_start(src, len, pos) ||
	    (pos < len && src[pos] >= '0' && src[pos] <= '9');
}

static size_t
id_char_len(const char *src, size_t len, size_t pos)
{
	uint32_t cp;
	size_t n;

	if ((unsigned char)src[pos] < 0x80)
		return 1;
	n = utf8_decode((const unsigned char *)src + pos, len - pos, &cp);
	return n == 0 ? 1 : n;
}

int
js_lex_init(struct js_lex *lx, const char *src, size_t len)
{
	size_t pos, n;
	uint32_t cp;

	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	lx->prev = JS_TOK_EOF;
	if (len > JS_MAX_SOURCE)
		return lex_fail(lx, 0, "source too large");
	for (pos = 0; pos < len; pos += n) {
		if ((unsigned char)src[pos] < 0x80) {
			n = 1;
			if (src[pos] == '\n') {
				lx->line++;
				lx->line_start = pos + 1;
			}
			continue;
		}
		n = utf8_decode(
		    (const unsigned char *)src + pos, len - pos, &cp);
		if (n == 0)
			return lex_fail(lx, pos, "invalid UTF-8");
	}
	lx->line = 1;
	lx->line_start = 0;
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
		lx->pos = 3;
	if (len - lx->pos >= 2 && src[lx->pos] == '#' &&
	    src[lx->pos + 1] == '!')
		while (lx->pos < len && lt_len(src, len, lx->pos) == 0)
			lx->pos++;
	return 0;
}

static void
newline(struct js_lex *lx, size_t after)
{
	lx->line++;
	lx->line_start = after;
}

/* Skips white space and comments; sets *nl when a line terminator was
 * crossed. */
static int
skip_space(struct js_lex *lx, int *nl)
{
	const char *s = lx->src;
	size_t n, start;

	while (lx->pos < lx->len) {
		if ((n = ws_len(s, lx->len, lx->pos)) > 0) {
			lx->pos += n;
		} else if ((n = lt_len(s, lx->len, lx->pos)) > 0) {
			lx->pos += n;
			newline(lx, lx->pos);
			*nl = 1;
		} else if (s[lx->pos] == '/' && lx->pos + 1 < lx->len &&
		    s[lx->pos + 1] == '/') {
			while (lx->pos < lx->len &&
			    lt_len(s, lx->len, lx->pos) == 0)
				lx->pos++;
		} else if (s[lx->pos] == '/' && lx->pos + 1 < lx->len &&
		    s[lx->pos + 1] == '*') {
			start = lx->pos;
			lx->pos += 2;
			for (;;) {
				if (lx->pos >= lx->len) {
					lx->pos = start;
					return lex_fail(
					    lx, start, "unterminated comment");
				}
				if (s[lx->pos] == '*' &&
				    lx->pos + 1 < lx->len &&
				    s[lx->pos + 1] == '/') {
					lx->pos += 2;
					break;
				}
				if ((n = lt_len(s, lx->len, lx->pos)) > 0) {
					lx->pos += n;
					newline(lx, lx->pos);
					*nl = 1;
				} else
					lx->pos++;
			}
		} else
			break;
	}
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Emits a code point, pairing \uD8xx\uDCxx escapes into one character. */
static int
emit_cp(struct buf *out, uint32_t c, uint32_t *hi)
{
	if (out == NULL)
		return 0;
	if (*hi != 0) {
		if (c >= 0xdc00 && c <= 0xdfff) {
			c = 0x10000 + ((*hi - 0xd800) << 10) + (c - 0xdc00);
			*hi = 0;
			return utf8_append(out, c);
		}
		if (utf8_append(out, *hi) == -1)
			return -1;
		*hi = 0;
	}
	if (c >= 0xd800 && c <= 0xdbff) {
		*hi = c;
		return 0;
	}
	return utf8_append(out, c);
}

/*
 * Walks the body of a string literal (term is the quote) or template chunk
 * (term is '`') starting at pos.  When out is NULL it validates and tracks
 * lines in lx; otherwise it decodes into out.  Sets *endp to the index of
 * the terminator ('`', quote, or '$' of "${").  Returns 0, -1 on a syntax
 * error (lx->err set, only when validating) or -2 on ENOMEM.
 */
static int
walk_chars(struct js_lex *lx, const struct js_lex *clx, size_t pos, int term,
    struct buf *out, size_t *endp)
{
	const char *s = clx->src;
	size_t len = clx->len, n, esc;
	uint32_t c, hi = 0;
	int d, i;

	for (;;) {
		if (pos >= len) {
			if (lx != NULL)
				return lex_fail(lx, pos,
				    term == '`'
					? "unterminated template literal"
					: "unterminated string literal");
			return -1;
		}
		if (s[pos] == term ||
		    (term == '`' && s[pos] == '$' && pos + 1 < len &&
			s[pos + 1] == '{'))
			break;
		if ((n = lt_len(s, len, pos)) > 0) {
			if (term != '`' && n < 3) {
				if (lx != NULL)
					return lex_fail(lx, pos,
					    "unterminated string literal");
				return -1;
			}
			if (lx != NULL)
				newline(lx, pos + n);
			/* Template CR and CRLF read as LF (§12.9.6). */
			c = n == 3 ? (s[pos + 2] == '\xa8' ? 0x2028 : 0x2029)
				   : '\n';
			if (emit_cp(out, c, &hi) == -1)
				return -2;
			pos += n;
			continue;
		}
		if (s[pos] != '\\') {
			n = utf8_decode(
			    (const unsigned char *)s + pos, len - pos, &c);
			if (n == 0)
				n = 1, c = (unsigned char)s[pos];
			if (emit_cp(out, c, &hi) == -1)
				return -2;
			pos += n;
			continue;
		}
		/* Escape sequence (§12.9.4). */
		esc = pos++;
		if (pos >= len)
			continue; /* reported as unterminated above */
		if ((n = lt_len(s, len, pos)) > 0) {
			if (lx != NULL)
				newline(lx, pos + n);
			pos += n;
			continue;
		}
		switch (s[pos]) {
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'v':
			c = '\v';
			break;
		case '0':
			if (pos + 1 < len && s[pos + 1] >= '0' &&
			    s[pos + 1] <= '9') {
				if (lx != NULL)
					return lex_fail(lx, esc,
					    "not supported: octal escape");
				return -1;
			}
			c = 0;
			break;
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7':
		case '8':
		case '9':
			if (lx != NULL)
				return lex_fail(
				    lx, esc, "not supported: octal escape");
			return -1;
		case 'x':
			if (pos + 2 >= len || hexval(s[pos + 1]) < 0 ||
			    hexval(s[pos + 2]) < 0) {
				if (lx != NULL)
					return lex_fail(
					    lx, esc, "invalid \\x escape");
				return -1;
			}
			c = (uint32_t)(hexval(s[pos + 1]) * 16 +
			    hexval(s[pos + 2]));
			pos += 2;
			break;
		case 'u':
			c = 0;
			if (pos + 1 < len && s[pos + 1] == '{') {
				i = 0;
				for (pos += 2;
				     pos < len && (d = hexval(s[pos])) >= 0;
				     pos++, i++) {
					c = c * 16 + (uint32_t)d;
					if (c > 0x10ffff)
						break;
				}
				if (i == 0 || c > 0x10ffff || pos >= len ||
				    s[pos] != '}') {
					if (lx != NULL)
						return lex_fail(lx, esc,
						    "invalid \\u{} escape");
					return -1;
				}
				break;
			}
			for (i = 1; i <= 4; i++) {
				if (pos + (size_t)i >= len ||
				    (d = hexval(s[pos + (size_t)i])) < 0) {
					if (lx != NULL)
						return lex_fail(lx, esc,
						    "invalid \\u escape");
					return -1;
				}
				c = c * 16 + (uint32_t)d;
			}
			pos += 4;
			break;
		default:
			n = utf8_decode(
			    (const unsigned char *)s + pos, len - pos, &c);
			if (n == 0)
				n = 1, c = (unsigned char)s[pos];
			pos += n - 1;
			break;
		}
		pos++;
		if (emit_cp(out, c, &hi) == -1)
			return -2;
	}
	if (hi != 0 && out != NULL && utf8_append(out, hi) == -1)
		return -2;
	*endp = pos;
	return 0;
}

static int
digit_ok(int c, int radix)
{
	int v = hexval(c);

	return v >= 0 && v < radix;
}

/* Digits of one radix with '_' separators between digits (§12.9.3). */
static int
scan_digits(struct js_lex *lx, int radix, size_t *count)
{
	const char *s = lx->src;

	*count = 0;
	while (lx->pos < lx->len) {
		if (digit_ok(s[lx->pos], radix)) {
			lx->pos++;
			(*count)++;
		} else if (s[lx->pos] == '_') {
			if (*count == 0 || lx->pos + 1 >= lx->len ||
			    !digit_ok(s[lx->pos + 1], radix) ||
			    !digit_ok(s[lx->pos - 1], radix))
				return lex_fail(
				    lx, lx->pos, "invalid numeric separator");
			lx->pos++;
		} else
			break;
	}
	return 0;
}

static int
scan_number(struct js_lex *lx, struct js_tok *tok)
{
	const char *s = lx->src;
	char tmp[JS_LEX_MAX_NUMBER + 1];
	size_t start = lx->pos, n, i, k;
	int radix = 10, c;
	double v;

	if (s[start] == '0' && start + 1 < lx->len) {
		c = s[start + 1] | 0x20;
		if (c == 'x')
			radix = 16;
		else if (c == 'o')
			radix = 8;
		else if (c == 'b')
			radix = 2;
		else if (s[start + 1] >= '0' && s[start + 1] <= '9')
			return lex_fail(
			    lx, start, "not supported: legacy octal literal");
		else if (s[start + 1] == '_')
			return lex_fail(
			    lx, start + 1, "invalid numeric separator");
	}
	if (radix != 10) {
		lx->pos += 2;
		if (scan_digits(lx, radix, &n) == -1)
			return -1;
		if (n == 0)
			return lex_fail(lx, lx->pos, "missing digits");
		v = 0;
		for (i = start + 2; i < lx->pos; i++)
			if (s[i] != '_')
				v = v * radix + hexval(s[i]);
	} else {
		if (s[lx->pos] != '.' && scan_digits(lx, 10, &n) == -1)
			return -1;
		if (lx->pos < lx->len && s[lx->pos] == '.') {
			lx->pos++;
			if (lx->pos < lx->len && s[lx->pos] == '_')
				return lex_fail(
				    lx, lx->pos, "invalid numeric separator");
			if (scan_digits(lx, 10, &n) == -1)
				return -1;
		}
		if (lx->pos < lx->len && (s[lx->pos] | 0x20) == 'e') {
			lx->pos++;
			if (lx->pos < lx->len &&
			    (s[lx->pos] == '+' || s[lx->pos] == '-'))
				lx->pos++;
			if (lx->pos < lx->len && s[lx->pos] == '_')
				return lex_fail(
				    lx, lx->pos, "invalid numeric separator");
			if (scan_digits(lx, 10, &n) == -1)
				return -1;
			if (n == 0)
				return lex_fail(
				    lx, lx->pos, "missing exponent digits");
		}
		if (lx->pos - start > JS_LEX_MAX_NUMBER)
			return lex_fail(lx, start, "numeric literal too long");
		for (i = start, k = 0; i < lx->pos; i++)
			if (s[i] != '_')
				tmp[k++] = s[i];
		tmp[k] = '\0';
		v = strtod(tmp, NULL);
	}
	if (lx->pos < lx->len && s[lx->pos] == 'n')
		return lex_fail(lx, start, "not supported: BigInt");
	if (is_id_part(s, lx->len, lx->pos))
		return lex_fail(lx, lx->pos,
		    "identifier starts immediately after numeric literal");
	tok->kind = JS_TOK_NUM;
	tok->num = v;
	return 0;
}

static int
kw_cmp(const char *p, size_t n, const char *name)
{
	size_t m = strlen(name);
	int r = strncmp(p, name, n < m ? n : m);

	if (r != 0)
		return r;
	return n < m ? -1 : n > m;
}

static enum js_kw
kw_lookup(const char *p, size_t n)
{
	size_t lo = 0, hi = sizeof(js_lex_kwtab) / sizeof(js_lex_kwtab[0]);
	size_t mid;
	int r;

	if (n < 2 || n > 10)
		return JS_KW_NONE;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		r = kw_cmp(p, n, js_lex_kwtab[mid].name);
		if (r == 0)
			return js_lex_kwtab[mid].kw;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return JS_KW_NONE;
}

static int
scan_regex(struct js_lex *lx, struct js_tok *tok)
{
	const char *s = lx->src;
	int in_class = 0;
	const char *allowed = "dgimsuyv";
	unsigned seen = 0;
	const char *f;

	lx->pos = tok->off + 1;
	for (;;) {
		if (lx->pos >= lx->len || lt_len(s, lx->len, lx->pos) > 0)
			return lex_fail(
			    lx, tok->off, "unterminated regular expression");
		if (s[lx->pos] == '\\') {
			lx->pos++;
			if (lx->pos >= lx->len ||
			    lt_len(s, lx->len, lx->pos) > 0)
				return lex_fail(lx, tok->off,
				    "unterminated regular expression");
			lx->pos += id_char_len(s, lx->len, lx->pos);
			continue;
		}
		if (s[lx->pos] == '[')
			in_class = 1;
		else if (s[lx->pos] == ']')
			in_class = 0;
		else if (s[lx->pos] == '/' && !in_class)
			break;
		lx->pos += id_char_len(s, lx->len, lx->pos);
	}
	lx->pos++;
	tok->re_flags = lx->pos;
	while (is_id_part(s, lx->len, lx->pos)) {
		if ((f = strchr(allowed, s[lx->pos])) == NULL ||
		    s[lx->pos] == '\0' || (seen & (1u << (f - allowed))))
			return lex_fail(
			    lx, lx->pos, "invalid regular expression flags");
		seen |= 1u << (f - allowed);
		lx->pos++;
	}
	tok->kind = JS_TOK_REGEX;
	tok->end = lx->pos;
	return 0;
}

/* ECMA-262 leaves '/' to the syntactic grammar; this guess is right unless
 * a ')' closes an if/while/for head, which the parser corrects. */
static int
regex_allowed(const struct js_lex *lx)
{
	switch (lx->prev) {
	case JS_TOK_NAME:
		return lx->prev_kw != JS_KW_NONE &&
		    lx->prev_kw < JS_KW__RESERVED &&
		    lx->prev_kw != JS_KW_THIS && lx->prev_kw != JS_KW_SUPER &&
		    lx->prev_kw != JS_KW_NULL && lx->prev_kw != JS_KW_TRUE &&
		    lx->prev_kw != JS_KW_FALSE;
	case JS_TOK_NUM:
	case JS_TOK_STR:
	case JS_TOK_TEMPLATE:
	case JS_TOK_TEMPLATE_TAIL:
	case JS_TOK_REGEX:
	case JS_TOK_RPAREN:
	case JS_TOK_RBRACKET:
	case JS_TOK_INC:
	case JS_TOK_DEC:
		return 0;
	default:
		return 1;
	}
}

/* The guess "regex here" is only a guess: when no regular expression can
 * be read, the '/' is read as a punctuator and the parser reports the
 * error if it really wanted an operand. */
static int
scan_regex_soft(struct js_lex *lx, struct js_tok *tok)
{
	size_t pos = lx->pos;

	if (scan_regex(lx, tok) == 0)
		return 0;
	lx->pos = pos;
	lx->err = NULL;
	return -1;
}

/* Scans template characters from lx->pos (just after ` or }). */
static int
scan_template(struct js_lex *lx, struct js_tok *tok, int head)
{
	size_t end;

	if (walk_chars(lx, lx, lx->pos, '`', NULL, &end) == -1)
		return -1;
	if (lx->src[end] == '`') {
		lx->pos = end + 1;
		tok->kind = head ? JS_TOK_TEMPLATE : JS_TOK_TEMPLATE_TAIL;
		if (!head)
			lx->tdepth--;
	} else {
		lx->pos = end + 2;
		tok->kind =
		    head ? JS_TOK_TEMPLATE_HEAD : JS_TOK_TEMPLATE_MIDDLE;
		if (head) {
			if (lx->tdepth >= JS_LEX_MAX_TEMPLATE_DEPTH)
				return lex_fail(lx, tok->off,
				    "template literals nested too deeply");
			lx->tbraces[lx->tdepth++] = 0;
		}
	}
	return 0;
}

int
js_lex_next(struct js_lex *lx, struct js_tok *tok)
{
	const char *s = lx->src;
	size_t i, n, plen;
	int nl = 0;
	unsigned char c;

	if (lx->err != NULL)
		return -1;
	if (skip_space(lx, &nl) == -1)
		return -1;
	memset(tok, 0, sizeof(*tok));
	tok->off = lx->pos;
	tok->line = lx->line;
	tok->col = (unsigned)(lx->pos - lx->line_start + 1);
	tok->nl_before = nl;
	if (++lx->ntok > JS_MAX_TOKENS)
		return lex_fail(lx, lx->pos, "too many tokens");
	if (lx->pos >= lx->len) {
		if (lx->tdepth > 0)
			return lex_fail(
			    lx, lx->pos, "unterminated template literal");
		tok->kind = JS_TOK_EOF;
		tok->end = lx->pos;
		lx->prev = JS_TOK_EOF;
		return 0;
	}
	c = (unsigned char)s[lx->pos];
	if (is_id_start(s, lx->len, lx->pos)) {
		while (is_id_part(s, lx->len, lx->pos))
			lx->pos += id_char_len(s, lx->len, lx->pos);
		tok->kind = JS_TOK_NAME;
		tok->kw = kw_lookup(s + tok->off, lx->pos - tok->off);
	} else if (c == '\\') {
		return lex_fail(
		    lx, lx->pos, "not supported: escape in identifier");
	} else if (c == '#') {
		return lex_fail(lx, lx->pos, "not supported: private name");
	} else if ((c >= '0' && c <= '9') ||
	    (c == '.' && lx->pos + 1 < lx->len && s[lx->pos + 1] >= '0' &&
		s[lx->pos + 1] <= '9')) {
		if (scan_number(lx, tok) == -1)
			return -1;
	} else if (c == '"' || c == '\'') {
		if (walk_chars(lx, lx, lx->pos + 1, c, NULL, &n) == -1)
			return -1;
		lx->pos = n + 1;
		tok->kind = JS_TOK_STR;
	} else if (c == '`') {
		lx->pos++;
		if (scan_template(lx, tok, 1) == -1)
			return -1;
	} else if (c == '}' && lx->tdepth > 0 &&
	    lx->tbraces[lx->tdepth - 1] == 0) {
		lx->pos++;
		if (scan_template(lx, tok, 0) == -1)
			return -1;
	} else if (c == '/' && regex_allowed(lx) &&
	    scan_regex_soft(lx, tok) == 0) {
		/* a regular expression */
	} else {
		tok->kind = JS_TOK_EOF;
		for (i = 0; i < sizeof(js_lex_punct) / sizeof(js_lex_punct[0]);
		     i++) {
			plen = strlen(js_lex_punct[i].text);
			if (plen <= lx->len - lx->pos &&
			    memcmp(s + lx->pos, js_lex_punct[i].text, plen) ==
				0) {
				tok->kind = js_lex_punct[i].kind;
				break;
			}
		}
		if (tok->kind == JS_TOK_EOF)
			return lex_fail(lx, lx->pos, "unexpected character");
		/* "?." followed by a digit is "?" then a number (§12.8). */
		if (tok->kind == JS_TOK_OPTCHAIN && lx->pos + 2 < lx->len &&
		    s[lx->pos + 2] >= '0' && s[lx->pos + 2] <= '9') {
			tok->kind = JS_TOK_QUESTION;
			plen = 1;
		}
		lx->pos += plen;
		if (lx->tdepth > 0) {
			if (tok->kind == JS_TOK_LBRACE)
				lx->tbraces[lx->tdepth - 1]++;
			else if (tok->kind == JS_TOK_RBRACE)
				lx->tbraces[lx->tdepth - 1]--;
		}
	}
	tok->end = lx->pos;
	lx->prev = tok->kind;
	lx->prev_kw = tok->kw;
	return 0;
}

int
js_lex_rescan(struct js_lex *lx, struct js_tok *tok, int regex)
{
	if (lx->err != NULL)
		return -1;
	if (regex) {
		if (tok->kind == JS_TOK_REGEX)
			return 0;
		if (scan_regex(lx, tok) == -1)
			return -1;
	} else {
		if (tok->kind != JS_TOK_REGEX)
			return 0;
		if (tok->off + 1 < lx->len && lx->src[tok->off + 1] == '=') {
			tok->kind = JS_TOK_DIV_ASSIGN;
			lx->pos = tok->off + 2;
		} else {
			tok->kind = JS_TOK_SLASH;
			lx->pos = tok->off + 1;
		}
		tok->end = lx->pos;
	}
	lx->prev = tok->kind;
	lx->prev_kw = JS_KW_NONE;
	return 0;
}

void
js_lex_split_gt(struct js_lex *lx, struct js_tok *tok)
{
	tok->kind = JS_TOK_GT;
	tok->end = tok->off + 1;
	lx->pos = tok->end;
	lx->prev = JS_TOK_GT;
}

/* Start and end of the characters of a string or template token. */
static void
body_range(const struct js_tok *tok, size_t *b, size_t *e)
{
	*b = tok->off + 1;
	switch (tok->kind) {
	case JS_TOK_TEMPLATE_HEAD:
	case JS_TOK_TEMPLATE_MIDDLE:
		*e = tok->end - 2;
		break;
	default:
		*e = tok->end - 1;
		break;
	}
}

int
js_lex_value(const struct js_lex *lx, const struct js_tok *tok, struct buf *out)
{
	size_t b, e, end;

	if (tok->kind == JS_TOK_NAME)
		return buf_append(out, lx->src + tok->off, tok->end - tok->off);
	if (tok->kind != JS_TOK_STR &&
	    (tok->kind < JS_TOK_TEMPLATE || tok->kind > JS_TOK_TEMPLATE_TAIL))
		return 0;
	body_range(tok, &b, &e);
	/* The walk stops at the token's own terminator. */
	if (walk_chars(NULL, lx, b,
		tok->kind == JS_TOK_STR ? lx->src[tok->off] : '`', out,
		&end) == -2)
		return -1;
	return buf_append(out, "", 0);
}

int
js_lex_raw(const struct js_lex *lx, const struct js_tok *tok, struct buf *out)
{
	size_t b, e, i;
	const char *s = lx->src;

	body_range(tok, &b, &e);
	if (buf_reserve(out, e - b) == -1)
		return -1;
	for (i = b; i < e; i++) {
		if (s[i] == '\r') {
			if (i + 1 < e && s[i + 1] == '\n')
				i++;
			if (buf_putc(out, '\n') == -1)
				return -1;
		} else if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}

const char *
js_lex_kind_name(enum js_tok_kind k)
{
	size_t i;

	if ((unsigned)k >= JS_TOK__COUNT)
		return "?";
	if (js_lex_names[k] != NULL)
		return js_lex_names[k];
	for (i = 0; i < sizeof(js_lex_punct) / sizeof(js_lex_punct[0]); i++)
		if (js_lex_punct[i].kind == k)
			return js_lex_punct[i].text;
	return "?";
}

int
js_lex_kw_reserved(enum js_kw kw)
{
	return kw != JS_KW_NONE && kw < JS_KW__RESERVED;
}
