/*
 * TOML v1.0.0 reader (https://toml.io/en/v1.0.0 and its ABNF): parses a
 * document held in memory into a tree of tables, arrays and scalars, each
 * carrying the line and column where it was written.
 *
 * Security: the whole input is untrusted.  The parser reads only
 * text[0..len) and rejects documents over TOML_MAX_INPUT before reading them.
 * It validates UTF-8 over the whole input first (overlong forms, surrogates
 * and code points above U+10FFFF are errors).  Every string and key is checked
 * against TOML_MAX_STRING while it is decoded, every table against
 * TOML_MAX_KEYS before a key is added, and every container against
 * TOML_MAX_DEPTH before it is created, so the parser's recursion, toml_free()
 * and a caller's recursive walk are bounded.  Keys are found through a
 * per-table hash index, so building a table costs O(keys) in the expected
 * case.  Memory is O(len): the tree takes at most about 50 bytes per input
 * byte (a document of "1," elements).  On any error the partial tree is
 * freed and nothing leaks; an allocation failure is reported as an error.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/toml.h"
#include "base/utf8.h"

#if TOML_MAX_KEYS > 0x3fffffff
#error "TOML_MAX_KEYS must fit the 32-bit hash index"
#endif

#define TOML_F_DEFINED 0x01 /* table: defined by [header] or is a [[x]] */
#define TOML_F_FROZEN 0x02 /* inline table: no additions after '}' */
#define TOML_F_AOT 0x04 /* array: array of tables */

#define TOML_NONE ((size_t)-1)
#define TOML_INDEX_MIN 8 /* tables this large get a hash index */

struct toml_kv {
	char *key;
	size_t keylen;
	int line, col;
	struct toml_value *val;
};

struct toml_value {
	enum toml_type type;
	int line, col;
	int depth;
	unsigned flags;
	/* Table: the section (header block or inline table) whose dotted keys
	 * created or extended it, 0 if none.  Such a table is defined for good
	 * once that section ends. */
	unsigned dotted;
	union {
		struct {
			char *p;
			size_t len;
		} str; /* TOML_STRING and TOML_DATETIME */
		long long i;
		double f;
		int b;
		struct {
			struct toml_value **v;
			size_t len, cap;
		} arr;
		struct {
			struct toml_kv *kv;
			size_t len, cap;
			uint32_t *slot; /* kv index + 1; 0 is empty */
			size_t nslot;
		} tab;
	} u;
};

struct toml_keypart {
	char *s;
	size_t len;
	int line, col;
	int moved; /* s now belongs to a table (still readable) */
};

struct toml_key {
	struct toml_keypart *part;
	size_t n, cap;
};

struct toml_parser {
	const char *p, *end;
	int line;
	const char *line_start;
	const char *col_at; /* column cache: col_at is at column col_n */
	int col_n;
	unsigned sections; /* last section number handed out */
	int failed;
	struct toml_error *err;
};

static void toml_node_free(struct toml_value *);
static int toml_is_bare(unsigned char);
static struct toml_value *toml_value_parse(struct toml_parser *, int);

/* ---- positions and errors ---- */

static int
toml_col_of(struct toml_parser *P, const char *at)
{
	const char *q;
	int col;

	if (P->col_at != NULL && P->col_at >= P->line_start &&
	    P->col_at <= at) {
		q = P->col_at;
		col = P->col_n;
	} else {
		q = P->line_start;
		col = 1;
	}
	for (; q < at; q++)
		if (((unsigned char)*q & 0xC0) != 0x80)
			col++;
	P->col_at = at;
	P->col_n = col;
	return col;
}

static void
toml_vfail_at(
    struct toml_parser *P, int line, int col, const char *fmt, va_list ap)
{
	if (P->failed)
		return;
	P->failed = 1;
	P->err->line = line;
	P->err->col = col;
	vsnprintf(P->err->msg, sizeof(P->err->msg), fmt, ap);
}

static void __attribute__((format(printf, 4, 5)))
toml_fail_at(struct toml_parser *P, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	toml_vfail_at(P, line, col, fmt, ap);
	va_end(ap);
}

/* Fails at a character of the current line. */
static void __attribute__((format(printf, 3, 4)))
toml_fail(struct toml_parser *P, const char *at, const char *fmt, ...)
{
	va_list ap;
	int col;

	col = toml_col_of(P, at);
	va_start(ap, fmt);
	toml_vfail_at(P, P->line, col, fmt, ap);
	va_end(ap);
}

static void
toml_oom(struct toml_parser *P)
{
	toml_fail(P, P->p < P->end ? P->p : P->end, "out of memory");
}

/* Renders key parts [0, upto] for a message (a.b."c d"), cut with "..."
 * when longer than outlen allows.  outlen must be at least 8. */
static const char *
toml_path(char *out, size_t outlen, const struct toml_key *k, size_t upto)
{
	size_t o = 0, i, j, room = outlen - 4;
	int bare;
	unsigned char c;

	for (i = 0; i <= upto && i < k->n; i++) {
		bare = k->part[i].len > 0;
		for (j = 0; j < k->part[i].len; j++)
			if (!toml_is_bare((unsigned char)k->part[i].s[j]))
				bare = 0;
		if (i > 0) {
			if (o >= room)
				goto cut;
			out[o++] = '.';
		}
		for (j = bare ? 0 : -1; j != k->part[i].len + !bare; j++) {
			if (j == (size_t)-1 || j == k->part[i].len)
				c = '"';
			else
				c = (unsigned char)k->part[i].s[j];
			if (o >= room)
				goto cut;
			out[o++] = (c < 0x20 || c == 0x7f ||
				       (c == '"' && j < k->part[i].len))
			    ? '?'
			    : (char)c;
		}
	}
	out[o] = '\0';
	return out;
cut:
	/* Do not leave half a UTF-8 sequence before the ellipsis. */
	while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
		o--;
	if (o > 0 && (unsigned char)out[o - 1] >= 0xC0)
		o--;
	memcpy(out + o, "...", 4);
	return out;
}

/* ---- tree nodes ---- */

static struct toml_value *
toml_node(struct toml_parser *P, enum toml_type type, int line, int col)
{
	struct toml_value *v;

	if ((v = calloc(1, sizeof(*v))) == NULL) {
		toml_oom(P);
		return NULL;
	}
	v->type = type;
	v->line = line;
	v->col = col;
	return v;
}

static void
toml_node_free(struct toml_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case TOML_STRING:
	case TOML_DATETIME:
		free(v->u.str.p);
		break;
	case TOML_ARRAY:
		for (i = 0; i < v->u.arr.len; i++)
			toml_node_free(v->u.arr.v[i]);
		free(v->u.arr.v);
		break;
	case TOML_TABLE:
		for (i = 0; i < v->u.tab.len; i++) {
			free(v->u.tab.kv[i].key);
			toml_node_free(v->u.tab.kv[i].val);
		}
		free(v->u.tab.kv);
		free(v->u.tab.slot);
		break;
	default:
		break;
	}
	free(v);
}

static uint32_t
toml_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static size_t
toml_find(const struct toml_value *t, const char *k, size_t n)
{
	size_t i, h, mask;
	const struct toml_kv *kv;

	if (t->u.tab.slot == NULL) {
		for (i = 0; i < t->u.tab.len; i++) {
			kv = &t->u.tab.kv[i];
			if (kv->keylen == n && memcmp(kv->key, k, n) == 0)
				return i;
		}
		return TOML_NONE;
	}
	mask = t->u.tab.nslot - 1;
	for (h = toml_hash(k, n) & mask; t->u.tab.slot[h] != 0;
	     h = (h + 1) & mask) {
		kv = &t->u.tab.kv[t->u.tab.slot[h] - 1];
		if (kv->keylen == n && memcmp(kv->key, k, n) == 0)
			return t->u.tab.slot[h] - 1;
	}
	return TOML_NONE;
}

/* Makes room for one more key in the index (rebuilding it twice as large
 * when it is half full) and records key i. */
static int
toml_index_add(struct toml_value *t, size_t i)
{
	uint32_t *slot;
	size_t nslot, j, h, mask;
	struct toml_kv *kv;

	if (t->u.tab.len < TOML_INDEX_MIN)
		return 0;
	if (t->u.tab.slot == NULL || t->u.tab.len * 2 > t->u.tab.nslot) {
		nslot =
		    t->u.tab.nslot ? t->u.tab.nslot * 2 : 4 * TOML_INDEX_MIN;
		if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
			return -1;
		free(t->u.tab.slot);
		t->u.tab.slot = slot;
		t->u.tab.nslot = nslot;
		mask = nslot - 1;
		for (j = 0; j < t->u.tab.len; j++) {
			kv = &t->u.tab.kv[j];
			h = toml_hash(kv->key, kv->keylen) & mask;
			while (slot[h] != 0)
				h = (h + 1) & mask;
			slot[h] = (uint32_t)(j + 1);
		}
		return 0;
	}
	mask = t->u.tab.nslot - 1;
	kv = &t->u.tab.kv[i];
	h = toml_hash(kv->key, kv->keylen) & mask;
	while (t->u.tab.slot[h] != 0)
		h = (h + 1) & mask;
	t->u.tab.slot[h] = (uint32_t)(i + 1);
	return 0;
}

/* Adds key kp = v to table t, taking kp->s on success (kp->moved).  The
 * caller has checked that the key is new. */
static int
toml_put(struct toml_parser *P, struct toml_value *t, struct toml_keypart *kp,
    struct toml_value *v)
{
	struct toml_kv *kv;
	size_t ncap;

	if (t->u.tab.len >= TOML_MAX_KEYS) {
		toml_fail_at(P, kp->line, kp->col,
		    "table has more than %d keys", TOML_MAX_KEYS);
		return -1;
	}
	if (t->u.tab.len == t->u.tab.cap) {
		ncap = t->u.tab.cap ? t->u.tab.cap * 2 : 4;
		if ((kv = realloc(t->u.tab.kv, ncap * sizeof(*kv))) == NULL) {
			toml_oom(P);
			return -1;
		}
		t->u.tab.kv = kv;
		t->u.tab.cap = ncap;
	}
	kv = &t->u.tab.kv[t->u.tab.len];
	kv->key = kp->s;
	kv->keylen = kp->len;
	kv->line = kp->line;
	kv->col = kp->col;
	kv->val = v;
	t->u.tab.len++;
	if (toml_index_add(t, t->u.tab.len - 1) == -1) {
		t->u.tab.len--;
		toml_oom(P);
		return -1;
	}
	kp->moved = 1;
	return 0;
}

static int
toml_push(struct toml_parser *P, struct toml_value *a, struct toml_value *v)
{
	struct toml_value **nv;
	size_t ncap;

	if (a->u.arr.len == a->u.arr.cap) {
		ncap = a->u.arr.cap ? a->u.arr.cap * 2 : 4;
		if ((nv = realloc(a->u.arr.v, ncap * sizeof(*nv))) == NULL) {
			toml_oom(P);
			return -1;
		}
		a->u.arr.v = nv;
		a->u.arr.cap = ncap;
	}
	a->u.arr.v[a->u.arr.len++] = v;
	return 0;
}

/* Creates a container of type at the given depth, or fails if too deep. */
static struct toml_value *
toml_container(
    struct toml_parser *P, enum toml_type type, int depth, int line, int col)
{
	struct toml_value *v;

	if (depth > TOML_MAX_DEPTH) {
		toml_fail_at(P, line, col, "nesting deeper than %d levels",
		    TOML_MAX_DEPTH);
		return NULL;
	}
	if ((v = toml_node(P, type, line, col)) != NULL)
		v->depth = depth;
	return v;
}

/* Creates an empty table named by kp inside t, positioned at kp. */
static struct toml_value *
toml_subtable(
    struct toml_parser *P, struct toml_value *t, struct toml_keypart *kp)
{
	struct toml_value *c;

	c = toml_container(P, TOML_TABLE, t->depth + 1, kp->line, kp->col);
	if (c == NULL)
		return NULL;
	if (toml_put(P, t, kp, c) == -1) {
		toml_node_free(c);
		return NULL;
	}
	return c;
}

/* ---- lexical helpers ---- */

static void
toml_skip_ws(struct toml_parser *P)
{
	while (P->p < P->end && (*P->p == ' ' || *P->p == '\t'))
		P->p++;
}

/* Consumes LF or CRLF at P->p; 0 if there was one, -1 if not. */
static int
toml_newline(struct toml_parser *P)
{
	if (P->p < P->end && *P->p == '\n')
		P->p++;
	else if (P->end - P->p >= 2 && P->p[0] == '\r' && P->p[1] == '\n')
		P->p += 2;
	else
		return -1;
	P->line++;
	P->line_start = P->p;
	P->col_at = NULL;
	return 0;
}

static int
toml_is_ctrl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Skips a comment from '#' to (not including) the end of the line. */
static int
toml_comment(struct toml_parser *P)
{
	const char *q;

	for (q = P->p + 1; q < P->end && *q != '\n'; q++) {
		if (*q == '\r' && q + 1 < P->end && q[1] == '\n')
			break;
		if (toml_is_ctrl((unsigned char)*q)) {
			toml_fail(P, q,
			    "control character U+%04X is not allowed in a "
			    "comment",
			    (unsigned char)*q);
			return -1;
		}
	}
	P->p = q;
	return 0;
}

/* Skips whitespace, newlines and comments (inside arrays). */
static int
toml_skip_blank(struct toml_parser *P)
{
	for (;;) {
		toml_skip_ws(P);
		if (P->p >= P->end)
			return 0;
		if (*P->p == '#') {
			if (toml_comment(P) == -1)
				return -1;
			continue;
		}
		if (toml_newline(P) == -1)
			return 0;
	}
}

/* Describes the character at P->p for "expected X, found Y" messages. */
static const char *
toml_found(struct toml_parser *P, char *out, size_t outlen)
{
	unsigned char c;

	if (P->p >= P->end)
		return "end of input";
	c = (unsigned char)*P->p;
	if (c == '\n' || (c == '\r' && P->p + 1 < P->end && P->p[1] == '\n'))
		return "end of line";
	if (c == '\r')
		return "a carriage return without line feed";
	if (c < 0x20 || c == 0x7f)
		snprintf(out, outlen, "control character U+%04X", c);
	else if (c >= 0x80)
		snprintf(out, outlen, "a non-ASCII character");
	else
		snprintf(out, outlen, "'%c'", c);
	return out;
}

static int
toml_is_bare(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
toml_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- UTF-8 ---- */

/* Returns the first byte that does not start a valid UTF-8 sequence, or
 * NULL when all of [p, end) is valid. */
static const unsigned char *
toml_utf8_bad(const unsigned char *p, const unsigned char *end)
{
	unsigned char c, lo, hi;
	size_t need, i;

	while (p < end) {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* overlong */
			else if (c == 0xED)
				hi = 0x9F; /* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90; /* overlong */
			else if (c == 0xF4)
				hi = 0x8F; /* above U+10FFFF */
		} else {
			return p;
		}
		if ((size_t)(end - p) <= need || p[1] < lo || p[1] > hi)
			return p;
		for (i = 2; i <= need; i++)
			if ((p[i] & 0xC0) != 0x80)
				return p;
		p += need + 1;
	}
	return NULL;
}

/* ---- strings ---- */

/* Appends n bytes of decoded string, enforcing TOML_MAX_STRING. */
static int
toml_str_add(struct toml_parser *P, struct buf *b, const char *s, size_t n)
{
	if (n > TOML_MAX_STRING || b->len > TOML_MAX_STRING - n) {
		toml_fail(
		    P, P->p, "string longer than %d bytes", TOML_MAX_STRING);
		return -1;
	}
	if (buf_append(b, s, n) == -1) {
		toml_oom(P);
		return -1;
	}
	return 0;
}

/* Decodes the escape at P->p (a backslash) and advances past it. */
static int
toml_escape(struct toml_parser *P, struct buf *b, int multiline)
{
	const char *bs = P->p, *q;
	unsigned long cp = 0;
	int ndig, i, h;
	char c, ch;

	if (P->p + 1 >= P->end) {
		toml_fail(P, bs, "unterminated string");
		return -1;
	}
	c = P->p[1];
	switch (c) {
	case 'b':
		ch = '\b';
		break;
	case 't':
		ch = '\t';
		break;
	case 'n':
		ch = '\n';
		break;
	case 'f':
		ch = '\f';
		break;
	case 'r':
		ch = '\r';
		break;
	case '"':
		ch = '"';
		break;
	case '\\':
		ch = '\\';
		break;
	case 'u':
	case 'U':
		ndig = c == 'u' ? 4 : 8;
		if (P->end - P->p < 2 + ndig) {
			toml_fail(
			    P, bs, "\\%c escape needs %d hex digits", c, ndig);
			return -1;
		}
		for (i = 0; i < ndig; i++) {
			if ((h = toml_hexval((unsigned char)P->p[2 + i])) < 0) {
				toml_fail(P, bs,
				    "\\%c escape needs %d hex digits", c, ndig);
				return -1;
			}
			cp = cp * 16 + (unsigned long)h;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
			toml_fail(P, bs,
			    "escape \\%c%.*s is not a Unicode scalar value", c,
			    ndig, P->p + 2);
			return -1;
		}
		if (b->len > TOML_MAX_STRING - 4) {
			toml_fail(P, bs, "string longer than %d bytes",
			    TOML_MAX_STRING);
			return -1;
		}
		if (utf8_append(b, cp) == -1) {
			toml_oom(P);
			return -1;
		}
		P->p += 2 + ndig;
		return 0;
	default:
		if (multiline &&
		    (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			/* Line-ending backslash: only whitespace may follow
			 * it on its line; it eats all whitespace and newlines
			 * up to the next other character. */
			for (q = P->p + 1;
			     q < P->end && (*q == ' ' || *q == '\t'); q++)
				;
			P->p = q;
			if (toml_newline(P) == -1) {
				toml_fail(P, bs,
				    "a line-ending backslash must be followed "
				    "only by whitespace");
				return -1;
			}
			for (;;) {
				toml_skip_ws(P);
				if (toml_newline(P) == -1)
					break;
			}
			return 0;
		}
		if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f)
			toml_fail(P, bs, "invalid escape sequence '\\%c'", c);
		else
			toml_fail(P, bs, "invalid escape sequence");
		return -1;
	}
	P->p += 2;
	return toml_str_add(P, b, &ch, 1);
}

/*
 * Parses a string of any of the four kinds at P->p into b (which must be
 * empty).  Advances past the closing delimiter.
 */
static int
toml_string_parse(struct toml_parser *P, struct buf *b)
{
	const char *q, *open = P->p;
	char quote = *P->p;
	int multiline, oline, ocol;
	size_t n;
	unsigned char c;

	oline = P->line;
	ocol = toml_col_of(P, open);
	multiline = P->end - P->p >= 3 && P->p[1] == quote && P->p[2] == quote;
	if (!multiline) {
		P->p++;
		for (;;) {
			for (q = P->p; q < P->end; q++) {
				c = (unsigned char)*q;
				if (c == (unsigned char)quote ||
				    (c == '\\' && quote == '"') ||
				    toml_is_ctrl(c))
					break;
			}
			if (q > P->p &&
			    toml_str_add(P, b, P->p, q - P->p) == -1)
				return -1;
			P->p = q;
			if (q >= P->end || *q == '\n' || *q == '\r') {
				toml_fail_at(
				    P, oline, ocol, "unterminated string");
				return -1;
			}
			if (*q == quote) {
				P->p++;
				return 0;
			}
			if (*q == '\\') {
				if (toml_escape(P, b, 0) == -1)
					return -1;
				continue;
			}
			toml_fail(P, q,
			    "control character U+%04X must be escaped in a "
			    "string",
			    (unsigned char)*q);
			return -1;
		}
	}

	P->p += 3;
	/* A newline right after the opening delimiter is trimmed. */
	(void)toml_newline(P);
	for (;;) {
		for (q = P->p; q < P->end; q++) {
			c = (unsigned char)*q;
			if (c == (unsigned char)quote ||
			    (c == '\\' && quote == '"') || toml_is_ctrl(c))
				break;
		}
		if (q > P->p && toml_str_add(P, b, P->p, q - P->p) == -1)
			return -1;
		P->p = q;
		if (q >= P->end) {
			toml_fail_at(
			    P, oline, ocol, "unterminated multi-line string");
			return -1;
		}
		c = (unsigned char)*q;
		if (c == (unsigned char)quote) {
			for (n = 0; q + n < P->end && q[n] == quote; n++)
				;
			if (n < 3) {
				if (toml_str_add(P, b, q, n) == -1)
					return -1;
				P->p += n;
				continue;
			}
			if (n > 5) {
				toml_fail(P, q,
				    "more than two %s directly before the "
				    "closing delimiter",
				    quote == '"' ? "quotation marks"
						 : "apostrophes");
				return -1;
			}
			if (toml_str_add(P, b, q, n - 3) == -1)
				return -1;
			P->p += n;
			return 0;
		}
		if (c == '\\') {
			if (toml_escape(P, b, 1) == -1)
				return -1;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (toml_newline(P) == -1) {
				toml_fail(
				    P, q, "carriage return without line feed");
				return -1;
			}
			if (toml_str_add(P, b, "\n", 1) == -1)
				return -1;
			continue;
		}
		toml_fail(P, q,
		    "control character U+%04X must be escaped in a string", c);
		return -1;
	}
}

/* ---- keys ---- */

static void
toml_key_release(struct toml_key *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!k->part[i].moved)
			free(k->part[i].s);
	free(k->part);
	k->part = NULL;
	k->n = k->cap = 0;
}

/* Parses a (dotted) key at P->p, with whitespace around its parts. */
static int
toml_key_parse(struct toml_parser *P, struct toml_key *k)
{
	struct toml_keypart *kp;
	struct buf b;
	const char *q;
	size_t ncap;
	char found[48];

	buf_init(&b);
	for (;;) {
		toml_skip_ws(P);
		if (k->n == TOML_MAX_DEPTH) {
			toml_fail(P, P->p, "key has more than %d parts",
			    TOML_MAX_DEPTH);
			return -1;
		}
		if (k->n == k->cap) {
			ncap = k->cap ? k->cap * 2 : 4;
			kp = realloc(k->part, ncap * sizeof(*kp));
			if (kp == NULL) {
				toml_oom(P);
				return -1;
			}
			k->part = kp;
			k->cap = ncap;
		}
		kp = &k->part[k->n];
		memset(kp, 0, sizeof(*kp));
		kp->line = P->line;
		kp->col = toml_col_of(P, P->p);
		if (P->p < P->end && (*P->p == '"' || *P->p == '\'')) {
			if (P->end - P->p >= 3 && P->p[1] == P->p[0] &&
			    P->p[2] == P->p[0]) {
				toml_fail(P, P->p,
				    "a multi-line string cannot be a key");
				return -1;
			}
			if (toml_string_parse(P, &b) == -1) {
				buf_release(&b);
				return -1;
			}
			if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
				toml_fail_at(P, kp->line, kp->col,
				    "key contains U+0000");
				buf_release(&b);
				return -1;
			}
			/* buf_detach() of a never-grown buf leaves the byte
			 * unterminated; an empty append terminates it. */
			if (buf_append(&b, "", 0) == -1 ||
			    (kp->s = buf_detach(&b, &kp->len)) == NULL) {
				toml_oom(P);
				return -1;
			}
		} else {
			for (q = P->p; q < P->end && toml_is_bare(*q); q++)
				;
			if (q == P->p) {
				toml_fail(P, P->p, "expected a key, found %s",
				    toml_found(P, found, sizeof(found)));
				return -1;
			}
			if ((size_t)(q - P->p) > TOML_MAX_STRING) {
				toml_fail(P, P->p, "key longer than %d bytes",
				    TOML_MAX_STRING);
				return -1;
			}
			if ((kp->s = malloc(q - P->p + 1)) == NULL) {
				toml_oom(P);
				return -1;
			}
			kp->len = q - P->p;
			memcpy(kp->s, P->p, kp->len);
			kp->s[kp->len] = '\0';
			P->p = q;
		}
		k->n++;
		toml_skip_ws(P);
		if (P->p < P->end && *P->p == '.') {
			P->p++;
			continue;
		}
		return 0;
	}
}

/* ---- tables: the definition rules of TOML v1.0.0 "Table" and "Array of
 * Tables" ---- */

static const char *
toml_kind(const struct toml_value *v)
{
	if (v->type == TOML_ARRAY && (v->flags & TOML_F_AOT))
		return "an array of tables";
	if (v->type == TOML_TABLE && (v->flags & TOML_F_FROZEN))
		return "an inline table";
	switch (v->type) {
	case TOML_STRING:
		return "a string";
	case TOML_INTEGER:
		return "an integer";
	case TOML_FLOAT:
		return "a float";
	case TOML_BOOL:
		return "a boolean";
	case TOML_DATETIME:
		return "a date-time";
	case TOML_ARRAY:
		return "an array";
	default:
		return "a table";
	}
}

/*
 * For a key/value pair written in section sec with its first part looked up
 * in t: finds or creates the tables named by every part but the last and
 * returns the innermost.  Dotted keys may extend tables they created in this
 * same section, or tables only implicitly created by a header, but not a
 * table defined by a header, an inline table, an array, or a table that
 * dotted keys of another section defined.
 */
static struct toml_value *
toml_dotted_parent(struct toml_parser *P, struct toml_value *t,
    struct toml_key *k, unsigned sec)
{
	struct toml_keypart *kp;
	struct toml_value *c;
	struct toml_kv *kv;
	size_t i, j;
	char path[80];

	for (i = 0; i + 1 < k->n; i++) {
		kp = &k->part[i];
		if ((j = toml_find(t, kp->s, kp->len)) == TOML_NONE) {
			if ((t = toml_subtable(P, t, kp)) == NULL)
				return NULL;
			t->dotted = sec;
			continue;
		}
		kv = &t->u.tab.kv[j];
		c = kv->val;
		toml_path(path, sizeof(path), k, i);
		if (c->type != TOML_TABLE || (c->flags & TOML_F_FROZEN)) {
			toml_fail_at(P, kp->line, kp->col,
			    "cannot add keys to '%s': it is %s (defined at "
			    "%d:%d)",
			    path, toml_kind(c), kv->line, kv->col);
			return NULL;
		}
		if (c->flags & TOML_F_DEFINED) {
			toml_fail_at(P, kp->line, kp->col,
			    "cannot add keys to table '%s' with dotted keys: "
			    "it was defined by a header at %d:%d",
			    path, c->line, c->col);
			return NULL;
		}
		if (c->dotted != 0 && c->dotted != sec) {
			toml_fail_at(P, kp->line, kp->col,
			    "cannot add keys to table '%s': it was defined by "
			    "dotted keys at %d:%d",
			    path, kv->line, kv->col);
			return NULL;
		}
		c->dotted = sec;
		t = c;
	}
	return t;
}

/* Resolves a [header] (aot == 0) or [[header]] key from the root and
 * returns the table that the following key/value pairs go into. */
static struct toml_value *
toml_header_target(struct toml_parser *P, struct toml_value *root,
    struct toml_key *k, int aot, int hline, int hcol)
{
	struct toml_keypart *kp;
	struct toml_value *t = root, *c, *a = NULL;
	struct toml_kv *kv;
	size_t i, j;
	char path[80];

	for (i = 0; i < k->n; i++) {
		kp = &k->part[i];
		toml_path(path, sizeof(path), k, i);
		if ((j = toml_find(t, kp->s, kp->len)) == TOML_NONE) {
			if (i + 1 < k->n) {
				if ((t = toml_subtable(P, t, kp)) == NULL)
					return NULL;
				continue;
			}
			if (!aot) {
				if ((c = toml_subtable(P, t, kp)) == NULL)
					return NULL;
				c->flags |= TOML_F_DEFINED;
				c->line = hline;
				c->col = hcol;
				return c;
			}
			a = toml_container(
			    P, TOML_ARRAY, t->depth + 1, hline, hcol);
			if (a == NULL)
				return NULL;
			a->flags |= TOML_F_AOT;
			if (toml_put(P, t, kp, a) == -1) {
				toml_node_free(a);
				return NULL;
			}
			break;
		}
		kv = &t->u.tab.kv[j];
		c = kv->val;
		if (i + 1 < k->n) {
			if (c->type == TOML_TABLE &&
			    !(c->flags & TOML_F_FROZEN)) {
				t = c;
				continue;
			}
			if (c->type == TOML_ARRAY && (c->flags & TOML_F_AOT)) {
				t = c->u.arr.v[c->u.arr.len - 1];
				continue;
			}
			toml_fail_at(P, kp->line, kp->col,
			    "cannot add a table to '%s': it is %s (defined at "
			    "%d:%d)",
			    path, toml_kind(c), kv->line, kv->col);
			return NULL;
		}
		if (!aot) {
			if (c->type != TOML_TABLE ||
			    (c->flags & TOML_F_FROZEN)) {
				toml_fail_at(P, kp->line, kp->col,
				    "cannot define table '%s': it is already "
				    "%s (defined at %d:%d)",
				    path, toml_kind(c), kv->line, kv->col);
				return NULL;
			}
			if (c->flags & TOML_F_DEFINED) {
				toml_fail_at(P, kp->line, kp->col,
				    "duplicate table '%s' (first defined at "
				    "%d:%d)",
				    path, c->line, c->col);
				return NULL;
			}
			if (c->dotted != 0) {
				toml_fail_at(P, kp->line, kp->col,
				    "cannot define table '%s': dotted keys "
				    "already defined it (first named at %d:%d)",
				    path, kv->line, kv->col);
				return NULL;
			}
			c->flags |= TOML_F_DEFINED;
			c->line = hline;
			c->col = hcol;
			return c;
		}
		if (c->type != TOML_ARRAY || !(c->flags & TOML_F_AOT)) {
			toml_fail_at(P, kp->line, kp->col,
			    "cannot append to '%s': it is %s (defined at "
			    "%d:%d), not an array of tables",
			    path, toml_kind(c), kv->line, kv->col);
			return NULL;
		}
		a = c;
		break;
	}
	/* A new element of the array of tables a. */
	if (a == NULL)
		return NULL;
	c = toml_container(P, TOML_TABLE, a->depth + 1, hline, hcol);
	if (c == NULL)
		return NULL;
	c->flags |= TOML_F_DEFINED;
	if (toml_push(P, a, c) == -1) {
		toml_node_free(c);
		return NULL;
	}
	return c;
}

/* Parses "key = value" at P->p into table t, for section sec. */
static int
toml_keyval(struct toml_parser *P, struct toml_value *t, unsigned sec)
{
	struct toml_key k = { NULL, 0, 0 };
	struct toml_keypart *last;
	struct toml_value *v = NULL;
	size_t j;
	char path[80], found[48];

	if (toml_key_parse(P, &k) == -1)
		goto fail;
	if (P->p >= P->end || *P->p != '=') {
		toml_fail(P, P->p, "expected '=' after key, found %s",
		    toml_found(P, found, sizeof(found)));
		goto fail;
	}
	P->p++;
	toml_skip_ws(P);
	if ((t = toml_dotted_parent(P, t, &k, sec)) == NULL)
		goto fail;
	last = &k.part[k.n - 1];
	if ((j = toml_find(t, last->s, last->len)) != TOML_NONE) {
		toml_fail_at(P, last->line, last->col,
		    "duplicate key '%s' (first defined at %d:%d)",
		    toml_path(path, sizeof(path), &k, k.n - 1),
		    t->u.tab.kv[j].line, t->u.tab.kv[j].col);
		goto fail;
	}
	if (t->u.tab.len >= TOML_MAX_KEYS) {
		toml_fail_at(P, last->line, last->col,
		    "table has more than %d keys", TOML_MAX_KEYS);
		goto fail;
	}
	if ((v = toml_value_parse(P, t->depth + 1)) == NULL)
		goto fail;
	if (toml_put(P, t, last, v) == -1)
		goto fail;
	toml_key_release(&k);
	return 0;
fail:
	toml_node_free(v);
	toml_key_release(&k);
	return -1;
}

/* ---- values ---- */

static struct toml_value *
toml_array_parse(struct toml_parser *P, int depth)
{
	struct toml_value *a, *v;
	int line = P->line, col = toml_col_of(P, P->p);
	char found[48];

	if ((a = toml_container(P, TOML_ARRAY, depth, line, col)) == NULL)
		return NULL;
	P->p++;
	for (;;) {
		if (toml_skip_blank(P) == -1)
			goto fail;
		if (P->p < P->end && *P->p == ']')
			break;
		if ((v = toml_value_parse(P, depth + 1)) == NULL)
			goto fail;
		if (toml_push(P, a, v) == -1) {
			toml_node_free(v);
			goto fail;
		}
		if (toml_skip_blank(P) == -1)
			goto fail;
		if (P->p < P->end && *P->p == ',') {
			P->p++;
			continue;
		}
		if (P->p < P->end && *P->p == ']')
			break;
		toml_fail(P, P->p,
		    "expected ',' or ']' in the array opened at %d:%d, found "
		    "%s",
		    line, col, toml_found(P, found, sizeof(found)));
		goto fail;
	}
	P->p++;
	return a;
fail:
	toml_node_free(a);
	return NULL;
}

static struct toml_value *
toml_inline_parse(struct toml_parser *P, int depth)
{
	struct toml_value *t;
	int line = P->line, col = toml_col_of(P, P->p);
	unsigned sec;
	char found[48];

	if ((t = toml_container(P, TOML_TABLE, depth, line, col)) == NULL)
		return NULL;
	sec = ++P->sections;
	P->p++;
	toml_skip_ws(P);
	if (P->p < P->end && *P->p == '}')
		goto done;
	for (;;) {
		toml_skip_ws(P);
		if (P->p < P->end &&
		    (*P->p == '\n' || *P->p == '\r' || *P->p == '#')) {
			toml_fail(P, P->p,
			    "newlines and comments are not allowed in an "
			    "inline table");
			goto fail;
		}
		if (P->p < P->end && *P->p == '}') {
			toml_fail(P, P->p,
			    "trailing comma not allowed in an inline table");
			goto fail;
		}
		if (toml_keyval(P, t, sec) == -1)
			goto fail;
		toml_skip_ws(P);
		if (P->p < P->end && *P->p == ',') {
			P->p++;
			continue;
		}
		if (P->p < P->end && *P->p == '}')
			break;
		if (P->p < P->end &&
		    (*P->p == '\n' || *P->p == '\r' || *P->p == '#'))
			toml_fail(P, P->p,
			    "newlines and comments are not allowed in an "
			    "inline table");
		else
			toml_fail(P, P->p,
			    "expected ',' or '}' in the inline table opened "
			    "at %d:%d, found %s",
			    line, col, toml_found(P, found, sizeof(found)));
		goto fail;
	}
done:
	P->p++;
	t->flags |= TOML_F_FROZEN;
	return t;
fail:
	toml_node_free(t);
	return NULL;
}

static int
toml_isdigit(int c)
{
	return c >= '0' && c <= '9';
}

/* Reads exactly w decimal digits at s[*i]; -1 if they are not there. */
static int
toml_fixed(const char *s, size_t n, size_t *i, int w, int *out)
{
	int v = 0, k;

	for (k = 0; k < w; k++) {
		if (*i >= n || !toml_isdigit(s[*i]))
			return -1;
		v = v * 10 + (s[(*i)++] - '0');
	}
	*out = v;
	return 0;
}

/* Consumes character c at s[*i]; -1 if it is not there. */
static int
toml_char(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

/* Parses hh:mm:ss[.frac] at s[*i]. */
static const char *
toml_time_scan(const char *s, size_t n, size_t *i, struct toml_datetime *dt)
{
	size_t at = *i;
	int digits = 0;

	if (toml_fixed(s, n, i, 2, &dt->hour) == -1 ||
	    toml_char(s, n, i, ':') == -1 ||
	    toml_fixed(s, n, i, 2, &dt->minute) == -1 ||
	    toml_char(s, n, i, ':') == -1 ||
	    toml_fixed(s, n, i, 2, &dt->second) == -1)
		return "invalid time, expected HH:MM:SS";
	if (dt->hour > 23) {
		*i = at;
		return "hour out of range";
	}
	if (dt->minute > 59) {
		*i = at + 3;
		return "minute out of range";
	}
	if (dt->second > 60) {
		*i = at + 6;
		return "second out of range";
	}
	if (toml_char(s, n, i, '.') == 0) {
		while (*i < n && toml_isdigit(s[*i])) {
			if (digits < 9)
				dt->nanosecond =
				    dt->nanosecond * 10 + (s[*i] - '0');
			digits++;
			(*i)++;
		}
		if (digits == 0)
			return "expected digits after '.' in time";
		for (; digits < 9; digits++)
			dt->nanosecond *= 10;
	}
	return NULL;
}

/*
 * Validates an RFC 3339 date-time of one of TOML's four kinds in s[0..n)
 * and fills *dt.  Returns NULL, or a message with *bad set to the offset of
 * the offending character.
 */
static const char *
toml_datetime_scan(
    const char *s, size_t n, struct toml_datetime *dt, size_t *bad)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	size_t i = 0, at;
	const char *msg;
	int leap, sign, oh, om;

	memset(dt, 0, sizeof(*dt));
	if (n >= 3 && s[2] == ':') {
		dt->kind = TOML_LOCAL_TIME;
		if ((msg = toml_time_scan(s, n, &i, dt)) != NULL)
			goto fail;
		goto end;
	}
	if (toml_fixed(s, n, &i, 4, &dt->year) == -1 ||
	    toml_char(s, n, &i, '-') == -1 ||
	    toml_fixed(s, n, &i, 2, &dt->month) == -1 ||
	    toml_char(s, n, &i, '-') == -1 ||
	    toml_fixed(s, n, &i, 2, &dt->day) == -1) {
		msg = "invalid date, expected YYYY-MM-DD";
		goto fail;
	}
	if (dt->month < 1 || dt->month > 12) {
		i = 5;
		msg = "month out of range";
		goto fail;
	}
	leap =
	    (dt->year % 4 == 0 && dt->year % 100 != 0) || dt->year % 400 == 0;
	if (dt->day < 1 || dt->day > mdays[dt->month - 1] ||
	    (dt->month == 2 && dt->day == 29 && !leap)) {
		i = 8;
		msg = "day out of range for the month";
		goto fail;
	}
	dt->kind = TOML_LOCAL_DATE;
	if (i == n)
		return NULL;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') {
		msg = "unexpected character after date";
		goto fail;
	}
	i++;
	dt->kind = TOML_LOCAL_DATETIME;
	if ((msg = toml_time_scan(s, n, &i, dt)) != NULL)
		goto fail;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		dt->kind = TOML_OFFSET_DATETIME;
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		dt->kind = TOML_OFFSET_DATETIME;
		sign = s[i] == '-' ? -1 : 1;
		at = i++;
		if (toml_fixed(s, n, &i, 2, &oh) == -1 ||
		    toml_char(s, n, &i, ':') == -1 ||
		    toml_fixed(s, n, &i, 2, &om) == -1) {
			i = at;
			msg = "invalid offset, expected Z or +HH:MM";
			goto fail;
		}
		if (oh > 23 || om > 59) {
			i = at;
			msg = "offset out of range";
			goto fail;
		}
		dt->offset_minutes = sign * (oh * 60 + om);
	}
end:
	if (i != n) {
		msg = "unexpected character in date-time";
		goto fail;
	}
	return NULL;
fail:
	*bad = i < n ? i : n;
	return msg;
}

/* Scans digits of base (with single underscores between digits) at s[*i];
 * returns how many digits, or -1 with *i at a misplaced underscore. */
static long
toml_digits(const char *s, size_t n, size_t *i, int base)
{
	long count = 0;
	int h;

	while (*i < n) {
		h = toml_hexval((unsigned char)s[*i]);
		if (h >= 0 && h < base) {
			count++;
			(*i)++;
			continue;
		}
		if (s[*i] != '_')
			break;
		h = *i + 1 < n ? toml_hexval((unsigned char)s[*i + 1]) : -1;
		if (count == 0 || h < 0 || h >= base)
			return -1;
		(*i)++;
	}
	return count;
}

static const char *
toml_number_scan(const char *s, size_t n, struct toml_value *v, size_t *bad)
{
	size_t i = 0, st, k;
	int neg = 0, sign = 0, base, h, isfloat = 0, eneg = 0;
	unsigned long long u = 0, lim;
	long long e = 0, fdig = 0;
	long nd;
	char *tmp, *o;

	if (s[0] == '+' || s[0] == '-') {
		sign = 1;
		neg = s[0] == '-';
		i = 1;
	}
	if (n - i == 3 &&
	    (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
		v->type = TOML_FLOAT;
		v->u.f = s[i] == 'i' ? HUGE_VAL : (double)NAN;
		if (neg)
			v->u.f = -v->u.f;
		return NULL;
	}
	if (i == n || !toml_isdigit(s[i])) {
		*bad = i;
		return "invalid number";
	}
	if (s[i] == '0' && i + 1 < n &&
	    (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
		base = s[i + 1] == 'x' ? 16 : s[i + 1] == 'o' ? 8 : 2;
		if (sign) {
			*bad = 0;
			return "a sign is not allowed on hexadecimal, octal "
			       "or binary integers";
		}
		i += 2;
		st = i;
		if ((nd = toml_digits(s, n, &i, base)) < 0) {
			*bad = i;
			return "'_' must be between digits";
		}
		if (nd == 0) {
			*bad = i;
			return base == 16 ? "expected hexadecimal digits"
			    : base == 8	  ? "expected octal digits"
					  : "expected binary digits";
		}
		if (i != n) {
			*bad = i;
			return base == 16 ? "invalid hexadecimal digit"
			    : base == 8	  ? "invalid octal digit"
					  : "invalid binary digit";
		}
		for (k = st; k < n; k++) {
			if (s[k] == '_')
				continue;
			h = toml_hexval((unsigned char)s[k]);
			if (u > ((unsigned long long)LLONG_MAX - h) / base) {
				*bad = 0;
				return "integer does not fit in 64 bits";
			}
			u = u * base + h;
		}
		v->type = TOML_INTEGER;
		v->u.i = (long long)u;
		return NULL;
	}
	st = i;
	if ((nd = toml_digits(s, n, &i, 10)) < 0) {
		*bad = i;
		return "'_' must be between digits";
	}
	if (s[st] == '0' && nd > 1) {
		*bad = st;
		return "leading zeros are not allowed";
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !toml_isdigit(s[i])) {
			*bad = i;
			return "expected a digit after the decimal point";
		}
		if (toml_digits(s, n, &i, 10) < 0) {
			*bad = i;
			return "'_' must be between digits";
		}
		isfloat = 1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !toml_isdigit(s[i])) {
			*bad = i;
			return "expected digits in the exponent";
		}
		if (toml_digits(s, n, &i, 10) < 0) {
			*bad = i;
			return "'_' must be between digits";
		}
		isfloat = 1;
	}
	if (i != n) {
		*bad = i;
		return isfloat ? "invalid character in float"
			       : "invalid character in number";
	}
	if (!isfloat) {
		lim = neg ? (unsigned long long)LLONG_MAX + 1
			  : (unsigned long long)LLONG_MAX;
		for (k = st; k < n; k++) {
			if (s[k] == '_')
				continue;
			h = s[k] - '0';
			if (u > (lim - h) / 10) {
				*bad = 0;
				return "integer does not fit in 64 bits";
			}
			u = u * 10 + h;
		}
		v->type = TOML_INTEGER;
		v->u.i =
		    neg ? (u == 0 ? 0 : -(long long)(u - 1) - 1) : (long long)u;
		return NULL;
	}
	/* Rewrite as sign, digits, "e", exponent without a decimal point,
	 * so strtod() cannot depend on the locale's radix character. */
	if ((tmp = malloc(n + 32)) == NULL) {
		*bad = 0;
		return "out of memory";
	}
	o = tmp;
	if (neg)
		*o++ = '-';
	for (k = st; k < n && s[k] != 'e' && s[k] != 'E'; k++) {
		if (s[k] == '.') {
			isfloat = 2;
			continue;
		}
		if (s[k] == '_')
			continue;
		*o++ = s[k];
		if (isfloat == 2)
			fdig++;
	}
	if (k < n) {
		k++;
		if (s[k] == '+' || s[k] == '-')
			eneg = s[k++] == '-';
		for (; k < n; k++)
			if (s[k] != '_' && e < 100000000)
				e = e * 10 + (s[k] - '0');
	}
	e = (eneg ? -e : e) - fdig;
	snprintf(o, 32, "e%lld", e);
	v->type = TOML_FLOAT;
	v->u.f = strtod(tmp, NULL);
	free(tmp);
	return NULL;
}

/* Numbers, booleans, inf/nan and date-times: a run of token characters. */
static struct toml_value *
toml_scalar_parse(struct toml_parser *P)
{
	struct toml_value *v;
	struct toml_datetime dt;
	const char *s = P->p, *q, *msg;
	size_t n, bad = 0;
	int line = P->line, col = toml_col_of(P, s);
	char found[48];

	for (q = s; q < P->end &&
	     (toml_is_bare(*q) || *q == '.' || *q == ':' || *q == '+');
	     q++)
		;
	/* RFC 3339 §5.6 allows a space between date and time. */
	if (q - s == 10 && s[4] == '-' && P->end - q >= 4 && q[0] == ' ' &&
	    toml_isdigit(q[1]) && toml_isdigit(q[2]) && q[3] == ':')
		for (q++; q < P->end &&
		     (toml_is_bare(*q) || *q == '.' || *q == ':' || *q == '+');
		     q++)
			;
	n = q - s;
	if (n == 0) {
		toml_fail(P, s, "expected a value, found %s",
		    toml_found(P, found, sizeof(found)));
		return NULL;
	}
	if ((v = toml_node(P, TOML_BOOL, line, col)) == NULL)
		return NULL;
	if (n == 4 && memcmp(s, "true", 4) == 0) {
		v->u.b = 1;
	} else if (n == 5 && memcmp(s, "false", 5) == 0) {
		v->u.b = 0;
	} else if ((n >= 5 && toml_isdigit(s[0]) && toml_isdigit(s[1]) &&
		       toml_isdigit(s[2]) && toml_isdigit(s[3]) &&
		       s[4] == '-') ||
	    (n >= 3 && toml_isdigit(s[0]) && toml_isdigit(s[1]) &&
		s[2] == ':')) {
		if ((msg = toml_datetime_scan(s, n, &dt, &bad)) != NULL)
			goto fail;
		v->type = TOML_DATETIME;
		if ((v->u.str.p = malloc(n + 1)) == NULL) {
			msg = "out of memory";
			bad = 0;
			goto fail;
		}
		memcpy(v->u.str.p, s, n);
		v->u.str.p[n] = '\0';
		v->u.str.len = n;
	} else if (!toml_isdigit(s[0]) && s[0] != '+' && s[0] != '-' &&
	    !(n == 3 &&
		(memcmp(s, "inf", 3) == 0 || memcmp(s, "nan", 3) == 0))) {
		msg = "invalid value (strings must be quoted)";
		goto fail;
	} else if ((msg = toml_number_scan(s, n, v, &bad)) != NULL) {
		goto fail;
	}
	P->p = q;
	return v;
fail:
	toml_fail(P, s + bad, "%s", msg);
	free(v);
	return NULL;
}

static struct toml_value *
toml_value_parse(struct toml_parser *P, int depth)
{
	struct toml_value *v;
	struct buf b;
	int line, col;
	char found[48];

	if (P->p >= P->end || *P->p == '\n' || *P->p == '\r' || *P->p == '#') {
		toml_fail(P, P->p, "expected a value, found %s",
		    toml_found(P, found, sizeof(found)));
		return NULL;
	}
	switch (*P->p) {
	case '[':
		return toml_array_parse(P, depth);
	case '{':
		return toml_inline_parse(P, depth);
	case '"':
	case '\'':
		line = P->line;
		col = toml_col_of(P, P->p);
		buf_init(&b);
		if (toml_string_parse(P, &b) == -1) {
			buf_release(&b);
			return NULL;
		}
		if ((v = toml_node(P, TOML_STRING, line, col)) == NULL) {
			buf_release(&b);
			return NULL;
		}
		if (buf_append(&b, "", 0) == -1 ||
		    (v->u.str.p = buf_detach(&b, &v->u.str.len)) == NULL) {
			free(v);
			toml_oom(P);
			return NULL;
		}
		return v;
	default:
		return toml_scalar_parse(P);
	}
}

/* ---- document ---- */

static struct toml_value *
toml_document(struct toml_parser *P)
{
	struct toml_value *root, *cur;
	struct toml_key k = { NULL, 0, 0 };
	unsigned sec;
	int aot, hline, hcol;
	char found[48];

	if ((root = toml_node(P, TOML_TABLE, 1, 1)) == NULL)
		return NULL;
	root->flags = TOML_F_DEFINED;
	cur = root;
	sec = ++P->sections;
	for (;;) {
		toml_skip_ws(P);
		if (P->p >= P->end)
			break;
		if (*P->p == '[') {
			hline = P->line;
			hcol = toml_col_of(P, P->p);
			aot = P->end - P->p >= 2 && P->p[1] == '[';
			P->p += aot ? 2 : 1;
			if (toml_key_parse(P, &k) == -1)
				goto fail;
			if (P->p >= P->end || *P->p != ']' ||
			    (aot && (P->end - P->p < 2 || P->p[1] != ']'))) {
				toml_fail(P, P->p,
				    "expected '%s' to close the header, found "
				    "%s",
				    aot ? "]]" : "]",
				    toml_found(P, found, sizeof(found)));
				goto fail;
			}
			P->p += aot ? 2 : 1;
			cur = toml_header_target(P, root, &k, aot, hline, hcol);
			if (cur == NULL)
				goto fail;
			toml_key_release(&k);
			sec = ++P->sections;
		} else if (*P->p != '#' && *P->p != '\n' && *P->p != '\r') {
			if (toml_keyval(P, cur, sec) == -1)
				goto fail;
		}
		toml_skip_ws(P);
		if (P->p < P->end && *P->p == '#' && toml_comment(P) == -1)
			goto fail;
		if (P->p < P->end && toml_newline(P) == -1) {
			toml_fail(P, P->p, "expected end of line, found %s",
			    toml_found(P, found, sizeof(found)));
			goto fail;
		}
	}
	return root;
fail:
	toml_key_release(&k);
	toml_node_free(root);
	return NULL;
}

struct toml_value *
toml_parse(const char *text, size_t len, struct toml_error *err)
{
	struct toml_parser P;
	struct toml_value *root;
	const unsigned char *bad;
	const char *q;

	memset(err, 0, sizeof(*err));
	memset(&P, 0, sizeof(P));
	P.err = err;
	P.line = 1;
	if (text == NULL)
		text = "";
	P.p = P.line_start = text;
	P.end = text + len;
	if (len > TOML_MAX_INPUT) {
		P.end = text;
		toml_fail(
		    &P, text, "document larger than %d bytes", TOML_MAX_INPUT);
		return NULL;
	}
	bad = toml_utf8_bad(
	    (const unsigned char *)text, (const unsigned char *)P.end);
	if (bad != NULL) {
		for (q = text; q < (const char *)bad; q++) {
			if (*q == '\n') {
				P.line++;
				P.line_start = q + 1;
			}
		}
		toml_fail(&P, (const char *)bad, "invalid UTF-8");
		return NULL;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		P.p += 3;
	root = toml_document(&P);
	if (root == NULL && !P.failed)
		toml_fail(&P, P.p, "out of memory");
	if (root != NULL)
		memset(err, 0, sizeof(*err));
	return root;
}

void
toml_free(struct toml_value *v)
{
	toml_node_free(v);
}

/* ---- accessors ---- */

enum toml_type
toml_type(const struct toml_value *v)
{
	return v->type;
}

const char *
toml_type_name(enum toml_type t)
{
	static const char *const names[] = { "string", "integer", "float",
		"boolean", "date-time", "array", "table" };

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[t];
}

int
toml_line(const struct toml_value *v)
{
	return v->line;
}

int
toml_col(const struct toml_value *v)
{
	return v->col;
}

size_t
toml_table_len(const struct toml_value *t)
{
	return t != NULL && t->type == TOML_TABLE ? t->u.tab.len : 0;
}

static const struct toml_kv *
toml_kv_at(const struct toml_value *t, size_t i)
{
	if (t == NULL || t->type != TOML_TABLE || i >= t->u.tab.len)
		return NULL;
	return &t->u.tab.kv[i];
}

const char *
toml_table_key(const struct toml_value *t, size_t i)
{
	const struct toml_kv *kv = toml_kv_at(t, i);

	return kv != NULL ? kv->key : NULL;
}

const struct toml_value *
toml_table_value(const struct toml_value *t, size_t i)
{
	const struct toml_kv *kv = toml_kv_at(t, i);

	return kv != NULL ? kv->val : NULL;
}

int
toml_table_key_line(const struct toml_value *t, size_t i)
{
	const struct toml_kv *kv = toml_kv_at(t, i);

	return kv != NULL ? kv->line : 0;
}

int
toml_table_key_col(const struct toml_value *t, size_t i)
{
	const struct toml_kv *kv = toml_kv_at(t, i);

	return kv != NULL ? kv->col : 0;
}

const struct toml_value *
toml_table_get(const struct toml_value *t, const char *key)
{
	size_t i;

	if (t == NULL || t->type != TOML_TABLE || key == NULL)
		return NULL;
	if ((i = toml_find(t, key, strlen(key))) == TOML_NONE)
		return NULL;
	return t->u.tab.kv[i].val;
}

size_t
toml_array_len(const struct toml_value *a)
{
	return a != NULL && a->type == TOML_ARRAY ? a->u.arr.len : 0;
}

const struct toml_value *
toml_array_at(const struct toml_value *a, size_t i)
{
	if (a == NULL || a->type != TOML_ARRAY || i >= a->u.arr.len)
		return NULL;
	return a->u.arr.v[i];
}

int
toml_array_is_tables(const struct toml_value *a)
{
	return a != NULL && a->type == TOML_ARRAY &&
	    (a->flags & TOML_F_AOT) != 0;
}

const char *
toml_string(const struct toml_value *v, size_t *len)
{
	if (v == NULL || v->type != TOML_STRING) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = v->u.str.len;
	return v->u.str.p;
}

long long
toml_integer(const struct toml_value *v)
{
	return v != NULL && v->type == TOML_INTEGER ? v->u.i : 0;
}

double
toml_float(const struct toml_value *v)
{
	return v != NULL && v->type == TOML_FLOAT ? v->u.f : 0.0;
}

int
toml_bool(const struct toml_value *v)
{
	return v != NULL && v->type == TOML_BOOL ? v->u.b : 0;
}

const char *
toml_datetime_text(const struct toml_value *v)
{
	return v != NULL && v->type == TOML_DATETIME ? v->u.str.p : NULL;
}

int
toml_datetime(const struct toml_value *v, struct toml_datetime *dt)
{
	size_t bad;

	if (v == NULL || v->type != TOML_DATETIME)
		return -1;
	if (toml_datetime_scan(v->u.str.p, v->u.str.len, dt, &bad) != NULL)
		return -1;
	return 0;
}
