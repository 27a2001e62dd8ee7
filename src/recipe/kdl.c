/*
 * KDL parser and canonical printer: KDL 2.0.0 (kdl-org/kdl
 * draft-marchan-kdl2 §3 grammar, §3.10-3.15 strings, §3.16 numbers) and
 * KDL 1.0.0 (SPEC_v1.md).  Recursive descent over decoded code points.
 *
 * Security: the text is untrusted.  It is bounded by KDL_MAX_INPUT and
 * decoded as strict UTF-8 before parsing (no overlongs, no surrogates);
 * KDL 2.0 code points that the spec disallows are rejected up front.
 * Recursion happens only for children blocks and is bounded by
 * KDL_MAX_DEPTH; block comments nest with a counter, not recursion.  The
 * number of nodes, entries, the length of each string and of each number
 * literal are bounded (KDL_MAX_*), so memory stays a small multiple of the
 * input.  All indexing is checked against the code-point count; nothing is
 * read past the input.  Every allocation goes to one arena per document,
 * released in one call on success or failure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "recipe/kdl.h"

#define KDL_EOF 0xFFFFFFFFu
#define KDL_BLOCK 65536

struct kdl_value {
	enum kdl_type type;
	int boolean;
	int integral; /* written without fraction or exponent */
	int has_i64; /* i64 holds the value */
	int dbl_ok; /* dbl holds the value (no overflow) */
	int64_t i64;
	double dbl;
	struct span annotation;
	struct span text;
	struct span source;
};

struct kdl_prop {
	struct span key;
	struct kdl_value value;
};

struct kdl_node {
	struct span name;
	struct span annotation;
	struct kdl_value *args;
	size_t nargs, argcap;
	struct kdl_prop *props;
	size_t nprops, propcap;
	struct kdl_node **kids;
	size_t nkids, kidcap;
};

struct kdl_block {
	struct kdl_block *next;
	size_t used, size;
	max_align_t data[];
};

struct kdl_document {
	struct kdl_block *blocks;
	struct kdl_node root;
	int version;
};

/* Scratch code points with the source index of each, for string building. */
struct kdl_cpvec {
	uint32_t *c;
	size_t *pos;
	size_t len, cap;
};

struct kdl_parser {
	const uint32_t *cp;
	size_t n, i;
	int v1;
	struct kdl_document *doc;
	const char *msg;
	size_t err_at;
	size_t nodes, entries;
	struct kdl_cpvec tv;
	struct buf sb;
};

enum kdl_tok {
	TOK_QUOTED,
	TOK_RAW,
	TOK_BARE,
	TOK_NUMBER,
	TOK_KEYWORD,
	TOK_BADNUM,
	TOK_OTHER
};

static const struct kdl_value kdl_empty_value;

/* ---- arena ---- */

static void *
arena_alloc(struct kdl_document *d, size_t n)
{
	struct kdl_block *b;
	size_t al = _Alignof(max_align_t), sz;
	void *ptr;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + al - 1) & ~(al - 1);
	if (n == 0)
		n = al;
	b = d->blocks;
	if (b == NULL || b->size - b->used < n) {
		sz = n > KDL_BLOCK / 4 ? n : KDL_BLOCK;
		if ((b = malloc(sizeof(*b) + sz)) == NULL)
			return NULL;
		b->used = 0;
		b->size = sz;
		if (sz == n && d->blocks != NULL) {
			/* A large one-off: keep filling the current block. */
			b->next = d->blocks->next;
			d->blocks->next = b;
		} else {
			b->next = d->blocks;
			d->blocks = b;
		}
	}
	ptr = (char *)b->data + b->used;
	b->used += n;
	return ptr;
}

/* Returns arr, or a copy with doubled capacity when it is full. */
static void *
arena_grow(
    struct kdl_document *d, void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / 2 / elem)
		return NULL;
	if ((np = arena_alloc(d, ncap * elem)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(np, arr, n * elem);
	*cap = ncap;
	return np;
}

static int
arena_span(struct kdl_document *d, const void *p, size_t len, struct span *out)
{
	char *s;

	if ((s = arena_alloc(d, len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(s, p, len);
	s[len] = '\0';
	out->p = (const unsigned char *)s;
	out->len = len;
	return 0;
}

/* ---- code points ---- */

static int
is_space(int v1, uint32_t c)
{
	if (c == 0x09 || c == 0x20 || c == 0xA0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
	    c == 0x3000)
		return 1;
	/* KDL 1.0 counts VT as whitespace and a BOM anywhere as whitespace. */
	return v1 && (c == 0x0B || c == 0xFEFF);
}

static int
is_newline(int v1, uint32_t c)
{
	return c == 0x0A || c == 0x0D || c == 0x85 || c == 0x0C ||
	    c == 0x2028 || c == 0x2029 || (!v1 && c == 0x0B);
}

/* KDL 2.0 §3.21: code points that may not appear literally anywhere. */
static int
is_disallowed(uint32_t c)
{
	return c <= 0x08 || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
	    (c >= 0xD800 && c <= 0xDFFF) || c == 0x200E || c == 0x200F ||
	    (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0xFEFF;
}

static int
is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int
is_idchar(int v1, uint32_t c)
{
	if (c == KDL_EOF || is_space(v1, c) || is_newline(v1, c))
		return 0;
	if (v1)
		return c >= 0x80 || c == 0 ||
		    strchr("\\/(){}<>;[]=,\"", (int)c) == NULL;
	if (is_disallowed(c))
		return 0;
	return c >= 0x80 || strchr("\\/(){};[]\"#=", (int)c) == NULL;
}

/* Decodes one strict UTF-8 sequence; returns its length or 0. */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *out)
{
	uint32_t c;
	size_t n, k;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len < n)
		return 0;
	for (k = 1; k < n; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*out = c;
	return n;
}

/* ---- parser basics ---- */

static uint32_t
peek(const struct kdl_parser *p, size_t off)
{
	return p->i + off < p->n ? p->cp[p->i + off] : KDL_EOF;
}

static int
fail(struct kdl_parser *p, size_t at, const char *msg)
{
	if (p->msg == NULL) {
		p->msg = msg;
		p->err_at = at;
	}
	return -1;
}

static int
oom(struct kdl_parser *p)
{
	return fail(p, p->i, "out of memory");
}

/* Length of the newline at index k (CRLF is one newline), or 0. */
static size_t
newline_at(const struct kdl_parser *p, size_t k)
{
	if (k >= p->n || !is_newline(p->v1, p->cp[k]))
		return 0;
	if (p->cp[k] == 0x0D && k + 1 < p->n && p->cp[k + 1] == 0x0A)
		return 2;
	return 1;
}

static int
at_line_comment(const struct kdl_parser *p)
{
	return peek(p, 0) == '/' && peek(p, 1) == '/';
}

static void
skip_line_comment(struct kdl_parser *p)
{
	size_t nl;

	p->i += 2;
	while (p->i < p->n) {
		if ((nl = newline_at(p, p->i)) > 0) {
			p->i += nl;
			return;
		}
		p->i++;
	}
}

static int
skip_block_comment(struct kdl_parser *p)
{
	size_t start = p->i, depth = 0;
	uint32_t c;

	for (;;) {
		c = peek(p, 0);
		if (c == KDL_EOF)
			return fail(p, start, "unterminated /* comment");
		if (c == '/' && peek(p, 1) == '*') {
			depth++;
			p->i += 2;
		} else if (c == '*' && peek(p, 1) == '/') {
			p->i += 2;
			if (--depth == 0)
				return 0;
		} else
			p->i++;
	}
}

/* ws := unicode-space | multi-line-comment */
static int
skip_ws(struct kdl_parser *p)
{
	for (;;) {
		if (is_space(p->v1, peek(p, 0)))
			p->i++;
		else if (peek(p, 0) == '/' && peek(p, 1) == '*') {
			if (skip_block_comment(p) == -1)
				return -1;
		} else
			return 0;
	}
}

/* node-space := ws* escline ws* | ws+ ;
 * escline := '\' ws* (single-line-comment | newline | eof) */
static int
skip_node_space(struct kdl_parser *p)
{
	size_t start, nl;

	for (;;) {
		if (skip_ws(p) == -1)
			return -1;
		if (peek(p, 0) != '\\')
			return 0;
		start = p->i++;
		if (skip_ws(p) == -1)
			return -1;
		if (at_line_comment(p))
			skip_line_comment(p);
		else if ((nl = newline_at(p, p->i)) > 0)
			p->i += nl;
		else if (p->i >= p->n) {
			if (p->v1)
				return fail(p, start,
				    "line continuation at end of input");
		} else
			return fail(p, start,
			    "'\\' outside a string must end the line");
	}
}

/* line-space := node-space | newline | single-line-comment */
static int
skip_line_space(struct kdl_parser *p)
{
	size_t nl;

	for (;;) {
		if (skip_node_space(p) == -1)
			return -1;
		if ((nl = newline_at(p, p->i)) > 0)
			p->i += nl;
		else if (at_line_comment(p))
			skip_line_comment(p);
		else
			return 0;
	}
}

static int
at_terminator(const struct kdl_parser *p)
{
	uint32_t c = peek(p, 0);

	return c == KDL_EOF || c == ';' || c == '}' || is_newline(p->v1, c) ||
	    at_line_comment(p);
}

static size_t
idrun_end(const struct kdl_parser *p, size_t k)
{
	while (k < p->n && is_idchar(p->v1, p->cp[k]))
		k++;
	return k;
}

static int
run_is(const struct kdl_parser *p, size_t s, size_t e, const char *w)
{
	size_t k;

	for (k = s; k < e; k++, w++)
		if (*w == '\0' || p->cp[k] != (unsigned char)*w)
			return 0;
	return *w == '\0';
}

static int
run_is_keyword(const struct kdl_parser *p, size_t s, size_t e)
{
	if (run_is(p, s, e, "true") || run_is(p, s, e, "false") ||
	    run_is(p, s, e, "null"))
		return 1;
	return !p->v1 &&
	    (run_is(p, s, e, "inf") || run_is(p, s, e, "-inf") ||
		run_is(p, s, e, "nan"));
}

static enum kdl_tok
classify(const struct kdl_parser *p)
{
	uint32_t c = peek(p, 0), c1 = peek(p, 1), c2 = peek(p, 2);
	size_t k;

	if (c == '"')
		return TOK_QUOTED;
	if (!p->v1 && c == '#')
		return c1 == '"' || c1 == '#' ? TOK_RAW : TOK_KEYWORD;
	if (p->v1 && c == 'r') {
		for (k = p->i + 1; k < p->n && p->cp[k] == '#'; k++)
			;
		if (k < p->n && p->cp[k] == '"')
			return TOK_RAW;
	}
	if (is_digit(c) || ((c == '+' || c == '-') && is_digit(c1)))
		return TOK_NUMBER;
	if (!p->v1 &&
	    ((c == '.' && is_digit(c1)) ||
		((c == '+' || c == '-') && c1 == '.' && is_digit(c2))))
		return TOK_BADNUM;
	if (!is_idchar(p->v1, c))
		return TOK_OTHER;
	if (p->v1 && run_is_keyword(p, p->i, idrun_end(p, p->i)))
		return TOK_KEYWORD;
	return TOK_BARE;
}

/* ---- strings ---- */

static int
tv_push(struct kdl_parser *p, uint32_t c, size_t pos)
{
	struct kdl_cpvec *v = &p->tv;
	size_t ncap;
	uint32_t *nc;
	size_t *np;

	if (v->len == v->cap) {
		ncap = v->cap ? v->cap * 2 : 256;
		if ((nc = realloc(v->c, ncap * sizeof(*nc))) == NULL)
			return oom(p);
		v->c = nc;
		if ((np = realloc(v->pos, ncap * sizeof(*np))) == NULL)
			return oom(p);
		v->pos = np;
		v->cap = ncap;
	}
	v->c[v->len] = c;
	v->pos[v->len] = pos;
	v->len++;
	return 0;
}

static int
hexval(uint32_t c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* Resolves \u{H...} at t[*k] == 'u'; leaves *k on the closing brace. */
static int
unicode_escape(struct kdl_parser *p, size_t *k, uint32_t *out)
{
	const uint32_t *t = p->tv.c;
	size_t j = *k + 1, nd = 0, at = p->tv.pos[*k - 1];
	uint32_t v = 0;
	int h;

	if (j >= p->tv.len || t[j] != '{')
		return fail(p, at, "\\u must be followed by {hex digits}");
	for (j++; j < p->tv.len && (h = hexval(t[j])) >= 0; j++) {
		if (++nd > 6)
			return fail(p, at, "\\u{} takes at most 6 hex digits");
		v = v * 16 + (uint32_t)h;
	}
	if (nd == 0 || j >= p->tv.len || t[j] != '}')
		return fail(p, at, "malformed \\u{} escape");
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return fail(p, at, "\\u{} is not a Unicode scalar value");
	*out = v;
	*k = j;
	return 0;
}

/* Turns p->tv into a UTF-8 string in the arena, resolving escapes when
 * asked (single-character escapes kept as '\' pairs by the scanners). */
static int
tv_finish(struct kdl_parser *p, int escapes, struct span *out)
{
	const uint32_t *t = p->tv.c;
	size_t k;
	uint32_t c;

	buf_reset(&p->sb);
	for (k = 0; k < p->tv.len; k++) {
		c = t[k];
		if (escapes && c == '\\' && k + 1 < p->tv.len) {
			switch (t[++k]) {
			case 'n':
				c = 0x0A;
				break;
			case 'r':
				c = 0x0D;
				break;
			case 't':
				c = 0x09;
				break;
			case '\\':
				c = '\\';
				break;
			case '"':
				c = '"';
				break;
			case 'b':
				c = 0x08;
				break;
			case 'f':
				c = 0x0C;
				break;
			case 's':
				if (p->v1)
					return fail(p, p->tv.pos[k - 1],
					    "\\s is not an escape in KDL 1.0");
				c = ' ';
				break;
			case '/':
				if (!p->v1)
					return fail(p, p->tv.pos[k - 1],
					    "\\/ is not an escape in KDL 2.0");
				c = '/';
				break;
			case 'u':
				if (unicode_escape(p, &k, &c) == -1)
					return -1;
				break;
			default:
				return fail(p, p->tv.pos[k - 1],
				    "invalid escape in string");
			}
		}
		if (utf8_append(&p->sb, c) == -1)
			return oom(p);
		if (p->sb.len > KDL_MAX_STRING)
			return fail(p, p->tv.pos[k], "string too long");
	}
	if (arena_span(p->doc, p->sb.data, p->sb.len, out) == -1)
		return oom(p);
	return 0;
}

/* Multi-line strings (§3.13): the last line (only whitespace) is the
 * indentation every other non-blank line must start with; it is removed,
 * whitespace-only lines become empty.  Works in place on p->tv, whose
 * first newline is already dropped. */
static int
dedent(struct kdl_parser *p)
{
	uint32_t *t = p->tv.c;
	size_t *pos = p->tv.pos;
	size_t len = p->tv.len, last, pfx, plen, clen, ls, le, w, k;
	int blank;

	for (last = len; last > 0 && t[last - 1] != '\n'; last--)
		;
	pfx = last;
	plen = len - pfx;
	for (k = pfx; k < len; k++)
		if (!is_space(0, t[k]))
			return fail(p, pos[k],
			    "closing \"\"\" must be on its own line");
	if (last == 0) {
		p->tv.len = 0;
		return 0;
	}
	clen = last - 1;
	w = 0;
	ls = 0;
	for (;;) {
		for (le = ls; le < clen && t[le] != '\n'; le++)
			;
		blank = 1;
		for (k = ls; k < le && blank; k++)
			blank = is_space(0, t[k]);
		if (!blank) {
			if (le - ls < plen ||
			    memcmp(t + ls, t + pfx, plen * sizeof(*t)) != 0)
				return fail(p, pos[ls],
				    "multi-line string line does not start "
				    "with the closing line's indentation");
			for (k = ls + plen; k < le; k++) {
				t[w] = t[k];
				pos[w++] = pos[k];
			}
		}
		if (le >= clen)
			break;
		t[w] = '\n';
		pos[w++] = pos[le];
		ls = le + 1;
	}
	p->tv.len = w;
	return 0;
}

/* Does the closing delimiter (quotes '"' then hashes '#') start at k? */
static int
closes_at(const struct kdl_parser *p, size_t k, size_t quotes, size_t hashes)
{
	size_t j;

	if (k + quotes + hashes > p->n)
		return 0;
	for (j = 0; j < quotes; j++)
		if (p->cp[k + j] != '"')
			return 0;
	for (j = 0; j < hashes; j++)
		if (p->cp[k + quotes + j] != '#')
			return 0;
	return 1;
}

/*
 * Quoted and raw strings of both versions.  hashes is the number of '#'
 * (raw strings only; raw says whether the string is raw); p->i is on the
 * opening quote.
 */
static int
parse_quoted_body(struct kdl_parser *p, int raw, size_t hashes, size_t start,
    struct span *out)
{
	size_t nl, quotes = 1;
	uint32_t c;
	int multi = 0;

	p->tv.len = 0;
	if (!p->v1 && peek(p, 1) == '"' && peek(p, 2) == '"') {
		multi = 1;
		quotes = 3;
		p->i += 3;
		if ((nl = newline_at(p, p->i)) == 0)
			return fail(
			    p, p->i, "\"\"\" must be followed by a newline");
		p->i += nl;
	} else
		p->i++;
	for (;;) {
		if (p->i >= p->n)
			return fail(p, start, "unterminated string");
		if (closes_at(p, p->i, quotes, hashes)) {
			p->i += quotes + hashes;
			break;
		}
		c = p->cp[p->i];
		if (!raw && c == '\\') {
			if (!p->v1 &&
			    (is_space(0, peek(p, 1)) ||
				is_newline(0, peek(p, 1)))) {
				/* Whitespace escape: drop it all. */
				p->i++;
				while (is_space(0, peek(p, 0)) ||
				    is_newline(0, peek(p, 0)))
					p->i++;
				continue;
			}
			if (p->i + 1 >= p->n)
				return fail(p, start, "unterminated string");
			if (tv_push(p, c, p->i) == -1 ||
			    tv_push(p, p->cp[p->i + 1], p->i + 1) == -1)
				return -1;
			p->i += 2;
			continue;
		}
		if (!p->v1 && (nl = newline_at(p, p->i)) > 0) {
			if (!multi)
				return fail(
				    p, p->i, "newline in a single-line string");
			if (tv_push(p, '\n', p->i) == -1)
				return -1;
			p->i += nl;
			continue;
		}
		if (tv_push(p, c, p->i) == -1)
			return -1;
		p->i++;
	}
	if (multi && dedent(p) == -1)
		return -1;
	return tv_finish(p, !raw, out);
}

static int
parse_raw(struct kdl_parser *p, struct span *out)
{
	size_t start = p->i, hashes = 0;

	if (p->v1)
		p->i++; /* the 'r' */
	while (peek(p, 0) == '#') {
		hashes++;
		p->i++;
	}
	if (peek(p, 0) != '"')
		return fail(p, start, "raw string needs '\"' after its '#'s");
	return parse_quoted_body(p, 1, hashes, start, out);
}

static int
parse_bare(struct kdl_parser *p, struct span *out)
{
	size_t s = p->i, e = idrun_end(p, p->i);

	if (run_is_keyword(p, s, e) && p->v1)
		return fail(p, s, "true, false and null cannot be identifiers");
	if (run_is_keyword(p, s, e))
		return fail(p, s, "keywords need '#' (or quotes for a string)");
	p->tv.len = 0;
	for (; p->i < e; p->i++)
		if (tv_push(p, p->cp[p->i], p->i) == -1)
			return -1;
	return tv_finish(p, 0, out);
}

/* Any string form; *bare tells whether it was an identifier. */
static int
parse_string(
    struct kdl_parser *p, struct span *out, int *bare, const char *what)
{
	*bare = 0;
	switch (classify(p)) {
	case TOK_QUOTED:
		return parse_quoted_body(p, 0, 0, p->i, out);
	case TOK_RAW:
		return parse_raw(p, out);
	case TOK_BARE:
		*bare = 1;
		return parse_bare(p, out);
	case TOK_NUMBER:
	case TOK_BADNUM:
		return fail(p, p->i, "identifiers cannot start like a number");
	default:
		return fail(p, p->i, what);
	}
}

/* ---- numbers ---- */

static int
radix_digit(uint32_t c, unsigned radix)
{
	int v = hexval(c);

	return v >= 0 && (unsigned)v < radix ? v : -1;
}

/* Converts radix digits in [s, e) (underscores allowed) to decimal text in
 * p->sb, after a '-' when negative. */
static int
radix_to_decimal(
    struct kdl_parser *p, size_t s, size_t e, unsigned radix, int neg)
{
	uint32_t *limb = NULL; /* base 1e9, least significant first */
	size_t nlimb = 1, maxl, k, j, chunkn = 0;
	uint64_t mul, chunk = 0, carry;
	unsigned per = radix == 16 ? 7 : radix == 8 ? 9 : 28, cnt;
	char tmp[16];
	int d, rc = -1;

	maxl = (e - s) * 4 / 29 + 2;
	if ((limb = calloc(maxl, sizeof(*limb))) == NULL)
		return oom(p);
	for (k = s; k <= e; k++) {
		if (k < e) {
			if (p->cp[k] == '_')
				continue;
			d = radix_digit(p->cp[k], radix);
			chunk = chunk * radix + (unsigned)d;
			if (++chunkn < per)
				continue;
		}
		if (chunkn == 0)
			continue;
		for (mul = 1, cnt = 0; cnt < chunkn; cnt++)
			mul *= radix;
		carry = chunk;
		for (j = 0; j < nlimb; j++) {
			carry += (uint64_t)limb[j] * mul;
			limb[j] = (uint32_t)(carry % 1000000000u);
			carry /= 1000000000u;
		}
		while (carry > 0 && nlimb < maxl) {
			limb[nlimb++] = (uint32_t)(carry % 1000000000u);
			carry /= 1000000000u;
		}
		chunk = 0;
		chunkn = 0;
	}
	while (nlimb > 1 && limb[nlimb - 1] == 0)
		nlimb--;
	if (neg && buf_putc(&p->sb, '-') == -1)
		goto fail;
	if (buf_printf(&p->sb, "%u", (unsigned)limb[nlimb - 1]) == -1)
		goto fail;
	for (j = nlimb - 1; j-- > 0;) {
		snprintf(tmp, sizeof(tmp), "%09u", (unsigned)limb[j]);
		if (buf_append(&p->sb, tmp, 9) == -1)
			goto fail;
	}
	rc = 0;
fail:
	free(limb);
	return rc == 0 ? 0 : oom(p);
}

/* Appends digits of [s, e) without '_'; with strip, leading zeros go
 * (keeping one digit). */
static int
put_digits(struct kdl_parser *p, size_t s, size_t e, int strip)
{
	size_t k, from = p->sb.len, z;

	for (k = s; k < e; k++)
		if (p->cp[k] != '_' && buf_putc(&p->sb, (int)p->cp[k]) == -1)
			return oom(p);
	if (!strip)
		return 0;
	for (z = from; z + 1 < p->sb.len && p->sb.data[z] == '0'; z++)
		;
	if (z > from) {
		memmove(p->sb.data + from, p->sb.data + z, p->sb.len - z);
		p->sb.len -= z - from;
		p->sb.data[p->sb.len] = '\0';
	}
	return 0;
}

/* digit (digit | '_')* starting at k; returns the end or k on failure. */
static size_t
scan_integer(const struct kdl_parser *p, size_t k, size_t e)
{
	if (k >= e || !is_digit(p->cp[k]))
		return k;
	for (k++; k < e && (is_digit(p->cp[k]) || p->cp[k] == '_'); k++)
		;
	return k;
}

static void
number_machine(struct kdl_value *v)
{
	const char *t = (const char *)v->text.p;
	const char *d = t + (t[0] == '-');
	uint64_t u = 0, lim;
	int neg = t[0] == '-';

	if (v->integral) {
		lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
		v->has_i64 = 1;
		for (; *d != '\0'; d++) {
			if (u > (lim - (uint64_t)(*d - '0')) / 10) {
				v->has_i64 = 0;
				break;
			}
			u = u * 10 + (uint64_t)(*d - '0');
		}
		if (v->has_i64 && !neg)
			v->i64 = (int64_t)u;
		else if (v->has_i64 && u == (uint64_t)INT64_MAX + 1)
			v->i64 = INT64_MIN;
		else if (v->has_i64)
			v->i64 = -(int64_t)u;
	}
	errno = 0;
	v->dbl = strtod(t, NULL);
	v->dbl_ok = !(errno == ERANGE && isinf(v->dbl));
}

static int
parse_number(struct kdl_parser *p, struct kdl_value *v)
{
	size_t s = p->i, e = idrun_end(p, p->i), k = s, m;
	unsigned radix = 0;
	int neg = 0;

	if (e - s > KDL_MAX_NUMBER)
		return fail(p, s, "number literal too long");
	buf_reset(&p->sb);
	if (p->cp[k] == '+' || p->cp[k] == '-')
		neg = p->cp[k++] == '-';
	if (p->cp[k] == '0' && k + 1 < e) {
		switch (p->cp[k + 1]) {
		case 'x':
			radix = 16;
			break;
		case 'o':
			radix = 8;
			break;
		case 'b':
			radix = 2;
			break;
		}
	}
	v->type = KDL_NUMBER;
	v->integral = 1;
	if (radix != 0) {
		k += 2;
		if (k >= e || radix_digit(p->cp[k], radix) < 0)
			return fail(p, s, "invalid number");
		for (m = k; m < e; m++)
			if (p->cp[m] != '_' && radix_digit(p->cp[m], radix) < 0)
				return fail(p, s, "invalid number");
		if (radix_to_decimal(p, k, e, radix, neg) == -1)
			return -1;
	} else {
		if (neg && buf_putc(&p->sb, '-') == -1)
			return oom(p);
		m = scan_integer(p, k, e);
		if (m == k || put_digits(p, k, m, 1) == -1)
			return fail(p, s, "invalid number");
		k = m;
		if (k < e && p->cp[k] == '.') {
			v->integral = 0;
			m = scan_integer(p, k + 1, e);
			if (m == k + 1 || buf_putc(&p->sb, '.') == -1 ||
			    put_digits(p, k + 1, m, 0) == -1)
				return fail(p, s, "invalid number");
			k = m;
		}
		if (k < e && (p->cp[k] == 'e' || p->cp[k] == 'E')) {
			v->integral = 0;
			k++;
			if (buf_putc(&p->sb, 'E') == -1 ||
			    buf_putc(&p->sb,
				k < e && p->cp[k] == '-' ? '-' : '+') == -1)
				return oom(p);
			if (k < e && (p->cp[k] == '+' || p->cp[k] == '-'))
				k++;
			m = scan_integer(p, k, e);
			if (m == k || put_digits(p, k, m, 1) == -1)
				return fail(p, s, "invalid number");
			k = m;
		}
		if (k != e)
			return fail(p, s, "invalid number");
	}
	if (arena_span(p->doc, p->sb.data, p->sb.len, &v->text) == -1)
		return oom(p);
	buf_reset(&p->sb);
	for (k = s; k < e; k++)
		if (buf_putc(&p->sb, (int)p->cp[k]) == -1)
			return oom(p);
	if (arena_span(p->doc, p->sb.data, p->sb.len, &v->source) == -1)
		return oom(p);
	number_machine(v);
	p->i = e;
	return 0;
}

static int
parse_keyword(struct kdl_parser *p, struct kdl_value *v)
{
	size_t s = p->i, e;
	const char *txt = NULL;

	if (!p->v1)
		p->i++; /* '#' */
	e = idrun_end(p, p->i);
	if (run_is(p, p->i, e, "true") || run_is(p, p->i, e, "false")) {
		v->type = KDL_BOOL;
		v->boolean = p->cp[p->i] == 't';
	} else if (run_is(p, p->i, e, "null"))
		v->type = KDL_NULL;
	else if (p->v1)
		return fail(p, s, "unknown keyword");
	else if (run_is(p, p->i, e, "inf")) {
		txt = "#inf";
		v->dbl = INFINITY;
	} else if (run_is(p, p->i, e, "-inf")) {
		txt = "#-inf";
		v->dbl = -INFINITY;
	} else if (run_is(p, p->i, e, "nan")) {
		txt = "#nan";
		v->dbl = NAN;
	} else
		return fail(p, s, "unknown keyword after '#'");
	if (txt != NULL) {
		v->type = KDL_NUMBER;
		v->dbl_ok = 1;
		if (arena_span(p->doc, txt, strlen(txt), &v->text) == -1 ||
		    arena_span(p->doc, txt, strlen(txt), &v->source) == -1)
			return oom(p);
	}
	p->i = e;
	return 0;
}

/* ---- grammar ---- */

/* type := '(' node-space* string node-space* ')'  (no spaces in KDL 1.0) */
static int
parse_type(struct kdl_parser *p, struct span *out)
{
	int bare;

	p->i++;
	if (!p->v1 && skip_node_space(p) == -1)
		return -1;
	if (parse_string(p, out, &bare, "type annotation must be a string") ==
	    -1)
		return -1;
	if (!p->v1 && skip_node_space(p) == -1)
		return -1;
	if (peek(p, 0) != ')')
		return fail(p, p->i, "expected ')' after the type annotation");
	p->i++;
	return 0;
}

/* value := type? node-space* (string | number | keyword) */
static int
parse_value(struct kdl_parser *p, struct kdl_value *v)
{
	int bare;

	*v = kdl_empty_value;
	if (peek(p, 0) == '(') {
		if (parse_type(p, &v->annotation) == -1)
			return -1;
		if (!p->v1 && skip_node_space(p) == -1)
			return -1;
	}
	switch (classify(p)) {
	case TOK_QUOTED:
	case TOK_RAW:
		v->type = KDL_STRING;
		return parse_string(p, &v->text, &bare, "");
	case TOK_BARE:
		if (p->v1)
			return fail(p, p->i,
			    "bare identifiers are not values in KDL 1.0");
		v->type = KDL_STRING;
		return parse_bare(p, &v->text);
	case TOK_NUMBER:
		return parse_number(p, v);
	case TOK_KEYWORD:
		return parse_keyword(p, v);
	case TOK_BADNUM:
		return fail(p, p->i, "a number needs a digit before '.'");
	default:
		return fail(p, p->i, "expected a value");
	}
}

static int
count_entry(struct kdl_parser *p)
{
	if (++p->entries > KDL_MAX_ENTRIES)
		return fail(p, p->i, "too many arguments and properties");
	return 0;
}

/* node-prop-or-arg; node is NULL when slashdashed. */
static int
parse_entry(struct kdl_parser *p, struct kdl_node *node)
{
	struct kdl_value v;
	struct span key;
	size_t start = p->i, save;
	enum kdl_tok tok = classify(p);
	int bare;

	if (count_entry(p) == -1)
		return -1;
	if (tok == TOK_QUOTED || tok == TOK_RAW || tok == TOK_BARE) {
		if (parse_string(p, &key, &bare, "") == -1)
			return -1;
		save = p->i;
		if (!p->v1 && skip_node_space(p) == -1)
			return -1;
		if (peek(p, 0) == '=') {
			p->i++;
			if (!p->v1 && skip_node_space(p) == -1)
				return -1;
			if (parse_value(p, &v) == -1)
				return -1;
			if (node == NULL)
				return 0;
			node->props = arena_grow(p->doc, node->props,
			    &node->propcap, node->nprops, sizeof(*node->props));
			if (node->props == NULL)
				return oom(p);
			node->props[node->nprops].key = key;
			node->props[node->nprops++].value = v;
			return 0;
		}
		p->i = save;
		if (bare && p->v1)
			return fail(p, start,
			    "bare identifiers are not values in KDL 1.0");
		v = kdl_empty_value;
		v.type = KDL_STRING;
		v.text = key;
	} else if (parse_value(p, &v) == -1)
		return -1;
	if (node == NULL)
		return 0;
	node->args = arena_grow(p->doc, node->args, &node->argcap, node->nargs,
	    sizeof(*node->args));
	if (node->args == NULL)
		return oom(p);
	node->args[node->nargs++] = v;
	return 0;
}

struct kdl_keyidx {
	struct span key;
	size_t idx;
};

static int
span_cmp(struct span a, struct span b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	if (c != 0)
		return c;
	return a.len < b.len ? -1 : a.len > b.len;
}

static int
keyidx_cmp(const void *a, const void *b)
{
	const struct kdl_keyidx *x = a, *y = b;
	int c = span_cmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Duplicate keys: the rightmost value wins, at the first key's place. */
static int
dedup_props(struct kdl_parser *p, struct kdl_node *node)
{
	struct kdl_keyidx *ki;
	unsigned char *dead;
	size_t k, g, w;

	if (node->nprops < 2)
		return 0;
	ki = malloc(node->nprops * sizeof(*ki));
	dead = calloc(node->nprops, 1);
	if (ki == NULL || dead == NULL) {
		free(ki);
		free(dead);
		return oom(p);
	}
	for (k = 0; k < node->nprops; k++) {
		ki[k].key = node->props[k].key;
		ki[k].idx = k;
	}
	qsort(ki, node->nprops, sizeof(*ki), keyidx_cmp);
	for (k = 0; k < node->nprops; k = g) {
		for (g = k + 1;
		     g < node->nprops && span_cmp(ki[g].key, ki[k].key) == 0;
		     g++)
			dead[ki[g].idx] = 1;
		if (g - 1 > k)
			node->props[ki[k].idx].value =
			    node->props[ki[g - 1].idx].value;
	}
	for (k = w = 0; k < node->nprops; k++)
		if (!dead[k])
			node->props[w++] = node->props[k];
	node->nprops = w;
	free(ki);
	free(dead);
	return 0;
}

static int parse_nodes(struct kdl_parser *, struct kdl_node *, size_t, int);

/* node-children := '{' nodes final-node? '}'; parent NULL discards. */
static int
parse_children(struct kdl_parser *p, struct kdl_node *parent, size_t depth)
{
	size_t start = p->i;

	if (depth + 1 > KDL_MAX_DEPTH)
		return fail(p, start, "children nested too deeply");
	p->i++;
	if (parse_nodes(p, parent, depth + 1, 1) == -1)
		return -1;
	if (peek(p, 0) != '}')
		return fail(p, start, "unterminated children block");
	p->i++;
	return 0;
}

/* base-node plus its terminator; *out is NULL for a discarded node. */
static int
parse_node(struct kdl_parser *p, struct kdl_node **out, int keep, size_t depth)
{
	struct kdl_node *node;
	size_t before, nl;
	int bare, spaced, in_children = 0, real_children = 0;
	uint32_t c;

	*out = NULL;
	if (++p->nodes > KDL_MAX_NODES)
		return fail(p, p->i, "too many nodes");
	if ((node = arena_alloc(p->doc, sizeof(*node))) == NULL)
		return oom(p);
	memset(node, 0, sizeof(*node));
	if (peek(p, 0) == '(') {
		if (parse_type(p, &node->annotation) == -1)
			return -1;
		if (!p->v1 && skip_node_space(p) == -1)
			return -1;
	}
	if (parse_string(p, &node->name, &bare, "expected a node name") == -1)
		return -1;
	for (;;) {
		before = p->i;
		if (skip_node_space(p) == -1)
			return -1;
		spaced = p->i > before;
		c = peek(p, 0);
		if (at_terminator(p))
			break;
		if (c == '/' && peek(p, 1) == '-') {
			if (p->v1 && !spaced)
				return fail(p, p->i,
				    "slashdash needs whitespace before it");
			p->i += 2;
			if ((p->v1 ? skip_node_space(p) : skip_line_space(p)) ==
			    -1)
				return -1;
			if (peek(p, 0) == '{') {
				if (p->v1 && in_children)
					return fail(
					    p, p->i, "only one children block");
				if (parse_children(p, NULL, depth) == -1)
					return -1;
				in_children = 1;
				continue;
			}
			if (in_children)
				return fail(p, p->i,
				    "arguments and properties must come "
				    "before children blocks");
			if (at_terminator(p))
				return fail(p, p->i,
				    "slashdash must be followed by an "
				    "argument, property or children block");
			if (parse_entry(p, NULL) == -1)
				return -1;
			continue;
		}
		if (c == '{') {
			if (real_children || (p->v1 && in_children))
				return fail(p, p->i,
				    "a node has at most one children block");
			if (parse_children(p, keep ? node : NULL, depth) == -1)
				return -1;
			real_children = in_children = 1;
			continue;
		}
		if (in_children)
			return fail(p, p->i,
			    "expected ';' or a newline after the children "
			    "block");
		if (!spaced)
			return fail(
			    p, p->i, "entries must be separated by whitespace");
		if (parse_entry(p, keep ? node : NULL) == -1)
			return -1;
	}
	if (peek(p, 0) == ';')
		p->i++;
	else if ((nl = newline_at(p, p->i)) > 0)
		p->i += nl;
	else if (at_line_comment(p))
		skip_line_comment(p);
	else if (peek(p, 0) == '}' && p->v1)
		return fail(
		    p, p->i, "KDL 1.0 needs ';' or a newline before '}'");
	if (dedup_props(p, node) == -1)
		return -1;
	if (keep)
		*out = node;
	return 0;
}

/* nodes := (line-space* node)* line-space*; parent NULL discards. */
static int
parse_nodes(struct kdl_parser *p, struct kdl_node *parent, size_t depth,
    int in_children)
{
	struct kdl_node *node;
	int keep;

	for (;;) {
		if (skip_line_space(p) == -1)
			return -1;
		if (p->i >= p->n) {
			if (in_children)
				return fail(
				    p, p->i, "unterminated children block");
			return 0;
		}
		if (peek(p, 0) == '}') {
			if (in_children)
				return 0;
			return fail(p, p->i, "unexpected '}'");
		}
		keep = parent != NULL;
		if (peek(p, 0) == '/' && peek(p, 1) == '-') {
			p->i += 2;
			if ((p->v1 ? skip_node_space(p) : skip_line_space(p)) ==
			    -1)
				return -1;
			if (p->i >= p->n || peek(p, 0) == '}')
				return fail(p, p->i,
				    "slashdash must be followed by a node");
			keep = 0;
		}
		if (parse_node(p, &node, keep, depth) == -1)
			return -1;
		if (node == NULL)
			continue;
		parent->kids = arena_grow(p->doc, parent->kids, &parent->kidcap,
		    parent->nkids, sizeof(*parent->kids));
		if (parent->kids == NULL)
			return oom(p);
		parent->kids[parent->nkids++] = node;
	}
}

/* `/- kdl-version N` on the first line: returns N, or 0 without marker. */
static int
detect_version(const uint32_t *cp, size_t n, size_t k)
{
	const char *w = "kdl-version";

	while (k < n && is_space(0, cp[k]))
		k++;
	if (k + 2 > n || cp[k] != '/' || cp[k + 1] != '-')
		return 0;
	for (k += 2; k < n && is_space(0, cp[k]); k++)
		;
	for (; *w != '\0'; w++, k++)
		if (k >= n || cp[k] != (unsigned char)*w)
			return 0;
	if (k >= n || !is_space(0, cp[k]))
		return 0;
	while (k < n && is_space(0, cp[k]))
		k++;
	if (k >= n || (cp[k] != '1' && cp[k] != '2'))
		return 0;
	if (k + 1 < n && !is_space(0, cp[k + 1]) && cp[k + 1] != ';' &&
	    !is_newline(0, cp[k + 1]) && cp[k + 1] != '/')
		return 0;
	return (int)(cp[k] - '0');
}

static void
locate(const struct kdl_parser *p, size_t at, struct kdl_error *err)
{
	size_t k, line = 1, col = 1;

	for (k = 0; k < at && k < p->n; k++) {
		if (p->cp[k] == 0x0D && k + 1 < p->n && p->cp[k + 1] == 0x0A)
			continue;
		if (is_newline(p->v1, p->cp[k])) {
			line++;
			col = 1;
		} else
			col++;
	}
	err->line = line;
	err->col = col;
}

struct kdl_document *
kdl_parse(const char *text, size_t len, int flags, struct kdl_error *err)
{
	struct kdl_parser p;
	struct kdl_document *doc = NULL;
	struct kdl_error dummy;
	uint32_t *cp = NULL;
	const unsigned char *s = (const unsigned char *)text;
	size_t k, n = 0, used;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	buf_init(&p.sb);
	p.v1 = (flags & KDL_DETECT) == 0 && (flags & KDL_V1) != 0;
	if (len > KDL_MAX_INPUT) {
		err->line = err->col = 1;
		err->msg = "document too large";
		return NULL;
	}
	if ((cp = malloc((len ? len : 1) * sizeof(*cp))) == NULL ||
	    (doc = calloc(1, sizeof(*doc))) == NULL) {
		err->line = err->col = 1;
		err->msg = "out of memory";
		free(cp);
		return NULL;
	}
	p.cp = cp;
	p.doc = doc;
	for (k = 0; k < len; k += used) {
		if ((used = utf8_decode(s + k, len - k, &cp[n])) == 0) {
			p.n = n;
			fail(&p, n, "invalid UTF-8");
			goto fail;
		}
		n++;
	}
	p.n = n;
	if (flags & KDL_DETECT)
		p.v1 = detect_version(cp, n, n > 0 && cp[0] == 0xFEFF) == 1;
	doc->version = p.v1 ? 1 : 2;
	if (!p.v1)
		for (k = 0; k < n; k++)
			if (is_disallowed(cp[k]) &&
			    !(k == 0 && cp[k] == 0xFEFF)) {
				fail(&p, k,
				    cp[k] == 0xFEFF
					? "BOM allowed only at the start"
					: "disallowed code point");
				goto fail;
			}
	if (n > 0 && cp[0] == 0xFEFF)
		p.i = 1;
	if (parse_nodes(&p, &doc->root, 0, 0) == -1)
		goto fail;
	free(cp);
	free(p.tv.c);
	free(p.tv.pos);
	buf_release(&p.sb);
	return doc;
fail:
	locate(&p, p.err_at, err);
	err->msg = p.msg;
	free(cp);
	free(p.tv.c);
	free(p.tv.pos);
	buf_release(&p.sb);
	kdl_free(doc);
	return NULL;
}

void
kdl_free(struct kdl_document *doc)
{
	struct kdl_block *b, *next;

	if (doc == NULL)
		return;
	for (b = doc->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(doc);
}

/* ---- accessors ---- */

int
kdl_document_version(const struct kdl_document *d)
{
	return d->version;
}

size_t
kdl_document_count(const struct kdl_document *d)
{
	return d->root.nkids;
}

const struct kdl_node *
kdl_document_node(const struct kdl_document *d, size_t i)
{
	return i < d->root.nkids ? d->root.kids[i] : NULL;
}

struct span
kdl_node_name(const struct kdl_node *n)
{
	return n->name;
}

struct span
kdl_node_annotation(const struct kdl_node *n)
{
	return n->annotation;
}

size_t
kdl_node_nargs(const struct kdl_node *n)
{
	return n->nargs;
}

const struct kdl_value *
kdl_node_arg(const struct kdl_node *n, size_t i)
{
	return i < n->nargs ? &n->args[i] : NULL;
}

size_t
kdl_node_nprops(const struct kdl_node *n)
{
	return n->nprops;
}

const struct kdl_value *
kdl_node_prop_at(const struct kdl_node *n, size_t i, struct span *key)
{
	if (i >= n->nprops)
		return NULL;
	if (key != NULL)
		*key = n->props[i].key;
	return &n->props[i].value;
}

const struct kdl_value *
kdl_node_prop(const struct kdl_node *n, const char *key)
{
	size_t i;

	for (i = 0; i < n->nprops; i++)
		if (span_eq_str(n->props[i].key, key))
			return &n->props[i].value;
	return NULL;
}

size_t
kdl_node_nchildren(const struct kdl_node *n)
{
	return n->nkids;
}

const struct kdl_node *
kdl_node_child(const struct kdl_node *n, size_t i)
{
	return i < n->nkids ? n->kids[i] : NULL;
}

enum kdl_type
kdl_value_type(const struct kdl_value *v)
{
	return v->type;
}

struct span
kdl_value_annotation(const struct kdl_value *v)
{
	return v->annotation;
}

struct span
kdl_value_text(const struct kdl_value *v)
{
	if (v->type != KDL_STRING && v->type != KDL_NUMBER)
		return span_make("", 0);
	return v->text;
}

struct span
kdl_value_source(const struct kdl_value *v)
{
	if (v->type != KDL_NUMBER)
		return span_make("", 0);
	return v->source;
}

int
kdl_value_bool(const struct kdl_value *v)
{
	return v->type == KDL_BOOL && v->boolean;
}

int
kdl_value_int64(const struct kdl_value *v, int64_t *out)
{
	if (v->type != KDL_NUMBER || !v->has_i64)
		return -1;
	*out = v->i64;
	return 0;
}

int
kdl_value_double(const struct kdl_value *v, double *out)
{
	if (v->type != KDL_NUMBER || !v->dbl_ok)
		return -1;
	*out = v->dbl;
	return 0;
}

/* ---- canonical printer ---- */

/* Would s parse back as a KDL 2.0 identifier string? */
static int
ident_ok(struct span s)
{
	static const char *const kw[] = { "true", "false", "null", "inf",
		"-inf", "nan" };
	uint32_t c, c0 = 0, c1 = 0, c2 = 0;
	size_t k, used, n = 0;

	if (s.len == 0)
		return 0;
	for (k = 0; k < s.len; k += used, n++) {
		if ((used = utf8_decode(s.p + k, s.len - k, &c)) == 0)
			return 0;
		if (!is_idchar(0, c) || (n == 0 && is_digit(c)))
			return 0;
		if (n == 0)
			c0 = c;
		else if (n == 1)
			c1 = c;
		else if (n == 2)
			c2 = c;
	}
	/* Number-like starts and bare keywords need quotes. */
	if ((c0 == '+' || c0 == '-' || c0 == '.') && is_digit(c1))
		return 0;
	if ((c0 == '+' || c0 == '-') && c1 == '.' && is_digit(c2))
		return 0;
	for (k = 0; k < sizeof(kw) / sizeof(kw[0]); k++)
		if (s.len == strlen(kw[k]) && memcmp(s.p, kw[k], s.len) == 0)
			return 0;
	return 1;
}

static int
put_string(struct buf *out, struct span s)
{
	size_t k, used;
	uint32_t c;

	if (ident_ok(s))
		return buf_append(out, s.p, s.len);
	if (buf_putc(out, '"') == -1)
		return -1;
	for (k = 0; k < s.len; k += used) {
		used = utf8_decode(s.p + k, s.len - k, &c);
		if (used == 0)
			return -1;
		switch (c) {
		case '"':
			if (buf_append_str(out, "\\\"") == -1)
				return -1;
			continue;
		case '\\':
			if (buf_append_str(out, "\\\\") == -1)
				return -1;
			continue;
		case 0x0A:
			if (buf_append_str(out, "\\n") == -1)
				return -1;
			continue;
		case 0x0D:
			if (buf_append_str(out, "\\r") == -1)
				return -1;
			continue;
		case 0x09:
			if (buf_append_str(out, "\\t") == -1)
				return -1;
			continue;
		case 0x08:
			if (buf_append_str(out, "\\b") == -1)
				return -1;
			continue;
		case 0x0C:
			if (buf_append_str(out, "\\f") == -1)
				return -1;
			continue;
		default:
			break;
		}
		if (is_disallowed(c) || is_newline(0, c) || c < 0x20) {
			if (buf_printf(out, "\\u{%x}", (unsigned)c) == -1)
				return -1;
		} else if (buf_append(out, s.p + k, used) == -1)
			return -1;
	}
	return buf_putc(out, '"');
}

static int
put_value(struct buf *out, const struct kdl_value *v)
{
	if (v->annotation.p != NULL &&
	    (buf_putc(out, '(') == -1 || put_string(out, v->annotation) == -1 ||
		buf_putc(out, ')') == -1))
		return -1;
	switch (v->type) {
	case KDL_STRING:
		return put_string(out, v->text);
	case KDL_NUMBER:
		return buf_append(out, v->text.p, v->text.len);
	case KDL_BOOL:
		return buf_append_str(out, v->boolean ? "#true" : "#false");
	default:
		return buf_append_str(out, "#null");
	}
}

static int
prop_cmp(const void *a, const void *b)
{
	const struct kdl_prop *const *x = a, *const *y = b;

	return span_cmp((*x)->key, (*y)->key);
}

static int
put_node(struct buf *out, const struct kdl_node *n, size_t depth)
{
	const struct kdl_prop **sorted = NULL;
	size_t k;
	int rc = -1;

	for (k = 0; k < depth; k++)
		if (buf_append(out, "    ", 4) == -1)
			return -1;
	if (n->annotation.p != NULL &&
	    (buf_putc(out, '(') == -1 || put_string(out, n->annotation) == -1 ||
		buf_putc(out, ')') == -1))
		return -1;
	if (put_string(out, n->name) == -1)
		return -1;
	for (k = 0; k < n->nargs; k++)
		if (buf_putc(out, ' ') == -1 ||
		    put_value(out, &n->args[k]) == -1)
			return -1;
	if (n->nprops > 0) {
		if ((sorted = malloc(n->nprops * sizeof(*sorted))) == NULL)
			return -1;
		for (k = 0; k < n->nprops; k++)
			sorted[k] = &n->props[k];
		qsort(sorted, n->nprops, sizeof(*sorted), prop_cmp);
		for (k = 0; k < n->nprops; k++)
			if (buf_putc(out, ' ') == -1 ||
			    put_string(out, sorted[k]->key) == -1 ||
			    buf_putc(out, '=') == -1 ||
			    put_value(out, &sorted[k]->value) == -1)
				goto fail;
	}
	if (n->nkids > 0) {
		if (buf_append_str(out, " {\n") == -1)
			goto fail;
		for (k = 0; k < n->nkids; k++)
			if (put_node(out, n->kids[k], depth + 1) == -1)
				goto fail;
		for (k = 0; k < depth; k++)
			if (buf_append(out, "    ", 4) == -1)
				goto fail;
		if (buf_putc(out, '}') == -1)
			goto fail;
	}
	rc = buf_putc(out, '\n');
fail:
	free(sorted);
	return rc;
}

int
kdl_serialize(const struct kdl_document *d, struct buf *out)
{
	size_t k;

	if (d->root.nkids == 0)
		return buf_putc(out, '\n');
	for (k = 0; k < d->root.nkids; k++)
		if (put_node(out, d->root.kids[k], 0) == -1)
			return -1;
	return 0;
}
