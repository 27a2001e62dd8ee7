/*
 * JSON writer and strict reader, RFC 8259 (grammar §2-§7, UTF-8 §8.1,
 * string escapes and surrogate pairs §7) and RFC 3629 (UTF-8 validity).
 *
 * Security: json_parse() input is untrusted (HTTP bodies, JWKS documents,
 * JWT segments).  The parser reads only inside [text, text + len), never
 * needs a NUL terminator, and checks every size before allocating: input
 * length (JSON_MAX_INPUT), nesting (JSON_MAX_DEPTH, which also bounds the
 * recursion), string length (JSON_MAX_STRING), members per container
 * (JSON_MAX_MEMBERS), values per document (JSON_MAX_VALUES) and number
 * length (JSON_MAX_NUMBER).  Duplicate keys are resolved in O(n log n).
 * The writer always produces valid UTF-8 JSON whatever bytes it is given.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

struct json_member {
	char *key;
	size_t keylen;
	struct json_value *value;
};

struct json_value {
	enum json_type type;
	size_t len; /* string bytes, or elements / members */
	union {
		int b;
		struct {
			double d;
			long long i;
			int has_int;
		} num;
		char *s;
		struct json_value **items;
		struct json_member *members;
	} u;
};

/*
 * UTF-8 (RFC 3629 §4): returns the length (1-4) of the well-formed
 * sequence at p, or 0 with *bad = the length of the maximal ill-formed
 * subpart (at least 1), so that one U+FFFD replaces it (Unicode §3.9).
 */
static size_t
json_utf8_len(const unsigned char *p, size_t n, size_t *bad)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c == 0xe0) {
		need = 2;
		lo = 0xa0;
	} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
		need = 2;
	else if (c == 0xed) {
		need = 2;
		hi = 0x9f;
	} else if (c == 0xf0) {
		need = 3;
		lo = 0x90;
	} else if (c >= 0xf1 && c <= 0xf3)
		need = 3;
	else if (c == 0xf4) {
		need = 3;
		hi = 0x8f;
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static int
json_utf8_put(struct buf *b, unsigned long cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | cp >> 6);
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | cp >> 12);
		u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | cp >> 18);
		u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* Writer */

int
json_escape_append(struct buf *out, const char *s, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, l, bad;
	char esc[7];
	unsigned char c;

	if (buf_reserve(out, len) == -1)
		return -1;
	while (i < len) {
		for (run = i; run < len; run++) {
			c = p[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
		}
		if (run > i && buf_append(out, p + i, run - i) == -1)
			return -1;
		if ((i = run) == len)
			break;
		c = p[i];
		if (c >= 0x80) {
			if ((l = json_utf8_len(p + i, len - i, &bad)) > 0) {
				if (buf_append(out, p + i, l) == -1)
					return -1;
				i += l;
			} else {
				if (buf_append(out, "\xef\xbf\xbd", 3) == -1)
					return -1;
				i += bad;
			}
			continue;
		}
		esc[0] = '\\';
		l = 2;
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			l = 6;
			break;
		}
		if (buf_append(out, esc, l) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* A quoted string: '"' escaped-bytes '"'. */
static int
json_quote_append(struct buf *out, const char *s, size_t len)
{
	if (buf_putc(out, '"') == -1 || json_escape_append(out, s, len) == -1)
		return -1;
	return buf_putc(out, '"');
}

void
json_writer_init(struct json_writer *w, struct buf *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

int
json_writer_finish(const struct json_writer *w)
{
	return w->err || w->depth != 0 || !w->done ? -1 : 0;
}

static int
json_w_fail(struct json_writer *w)
{
	w->err = 1;
	return -1;
}

/* Separator and state checks before a value (scalar or container). */
static int
json_w_value(struct json_writer *w)
{
	if (w->err)
		return -1;
	if (w->depth == 0) {
		if (w->done)
			return json_w_fail(w);
		return 0;
	}
	if (w->kind[w->depth] == 'o') {
		if (!w->after_key)
			return json_w_fail(w);
		w->after_key = 0;
		return 0;
	}
	if (w->nonempty[w->depth] && buf_putc(w->out, ',') == -1)
		return json_w_fail(w);
	w->nonempty[w->depth] = 1;
	return 0;
}

static int
json_w_raw(struct json_writer *w, const char *s, size_t n)
{
	if (buf_append(w->out, s, n) == -1)
		return json_w_fail(w);
	if (w->depth == 0)
		w->done = 1;
	return 0;
}

static int
json_w_begin(struct json_writer *w, unsigned char kind)
{
	char c = kind == 'o' ? '{' : '[';

	if (json_w_value(w) == -1)
		return -1;
	if (w->depth >= JSON_MAX_DEPTH)
		return json_w_fail(w);
	if (buf_putc(w->out, c) == -1)
		return json_w_fail(w);
	w->depth++;
	w->kind[w->depth] = kind;
	w->nonempty[w->depth] = 0;
	return 0;
}

static int
json_w_end(struct json_writer *w, unsigned char kind)
{
	char c = kind == 'o' ? '}' : ']';

	if (w->err)
		return -1;
	if (w->depth == 0 || w->kind[w->depth] != kind || w->after_key)
		return json_w_fail(w);
	w->depth--;
	return json_w_raw(w, &c, 1);
}

int
json_obj_begin(struct json_writer *w)
{
	return json_w_begin(w, 'o');
}

int
json_obj_end(struct json_writer *w)
{
	return json_w_end(w, 'o');
}

int
json_arr_begin(struct json_writer *w)
{
	return json_w_begin(w, 'a');
}

int
json_arr_end(struct json_writer *w)
{
	return json_w_end(w, 'a');
}

int
json_keyn(struct json_writer *w, const char *name, size_t len)
{
	if (w->err)
		return -1;
	if (w->depth == 0 || w->kind[w->depth] != 'o' || w->after_key)
		return json_w_fail(w);
	if (w->nonempty[w->depth] && buf_putc(w->out, ',') == -1)
		return json_w_fail(w);
	w->nonempty[w->depth] = 1;
	if (json_quote_append(w->out, name, len) == -1 ||
	    buf_putc(w->out, ':') == -1)
		return json_w_fail(w);
	w->after_key = 1;
	return 0;
}

int
json_key(struct json_writer *w, const char *name)
{
	return json_keyn(w, name, strlen(name));
}

int
json_str(struct json_writer *w, const char *s, size_t len)
{
	if (json_w_value(w) == -1)
		return -1;
	if (json_quote_append(w->out, s, len) == -1)
		return json_w_fail(w);
	if (w->depth == 0)
		w->done = 1;
	return 0;
}

int
json_cstr(struct json_writer *w, const char *s)
{
	if (s == NULL)
		return json_null(w);
	return json_str(w, s, strlen(s));
}

int
json_int(struct json_writer *w, long long v)
{
	char tmp[32];
	int n;

	if (json_w_value(w) == -1)
		return -1;
	n = snprintf(tmp, sizeof(tmp), "%lld", v);
	return json_w_raw(w, tmp, (size_t)n);
}

int
json_uint(struct json_writer *w, unsigned long long v)
{
	char tmp[32];
	int n;

	if (json_w_value(w) == -1)
		return -1;
	n = snprintf(tmp, sizeof(tmp), "%llu", v);
	return json_w_raw(w, tmp, (size_t)n);
}

int
json_double(struct json_writer *w, double v)
{
	char tmp[40];
	int n, prec;

	if (!isfinite(v))
		return json_null(w);
	if (json_w_value(w) == -1)
		return -1;
	/* The shortest of %.15g..%.17g that reads back exactly. */
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	/* %g output is valid JSON except for a locale's decimal comma. */
	for (prec = 0; prec < n; prec++)
		if (tmp[prec] == ',')
			tmp[prec] = '.';
	return json_w_raw(w, tmp, (size_t)n);
}

int
json_bool(struct json_writer *w, int v)
{
	if (json_w_value(w) == -1)
		return -1;
	return v ? json_w_raw(w, "true", 4) : json_w_raw(w, "false", 5);
}

int
json_null(struct json_writer *w)
{
	if (json_w_value(w) == -1)
		return -1;
	return json_w_raw(w, "null", 4);
}

int
json_write_value(struct json_writer *w, const struct json_value *v)
{
	size_t i;

	switch (json_type(v)) {
	case JSON_NULL:
		return json_null(w);
	case JSON_BOOL:
		return json_bool(w, v->u.b);
	case JSON_NUMBER:
		if (v->u.num.has_int &&
		    !(v->u.num.i == 0 && signbit(v->u.num.d)))
			return json_int(w, v->u.num.i);
		return json_double(w, v->u.num.d);
	case JSON_STRING:
		return json_str(w, v->u.s, v->len);
	case JSON_ARRAY:
		if (json_arr_begin(w) == -1)
			return -1;
		for (i = 0; i < v->len; i++)
			if (json_write_value(w, v->u.items[i]) == -1)
				return -1;
		return json_arr_end(w);
	case JSON_OBJECT:
		if (json_obj_begin(w) == -1)
			return -1;
		for (i = 0; i < v->len; i++)
			if (json_keyn(w, v->u.members[i].key,
				v->u.members[i].keylen) == -1 ||
			    json_write_value(w, v->u.members[i].value) == -1)
				return -1;
		return json_obj_end(w);
	default:
		return json_w_fail(w);
	}
}

/* Reader */

struct json_parser {
	const unsigned char *p;
	size_t n;
	size_t pos;
	size_t values;
	const char *msg;
	size_t errpos;
	int dup;
	struct buf sb; /* string decoding scratch */
};

static void *
json_p_error(struct json_parser *ps, const char *msg)
{
	if (ps->msg == NULL) {
		ps->msg = msg;
		ps->errpos = ps->pos;
	}
	return NULL;
}

static void
json_p_ws(struct json_parser *ps)
{
	unsigned char c;

	while (ps->pos < ps->n) {
		c = ps->p[ps->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

static struct json_value *
json_p_node(struct json_parser *ps, enum json_type t)
{
	struct json_value *v;

	if (++ps->values > JSON_MAX_VALUES)
		return json_p_error(ps, "too many values");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return json_p_error(ps, "out of memory");
	v->type = t;
	return v;
}

static int
json_p_hex4(const unsigned char *p, unsigned long *out)
{
	unsigned long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		v = v << 4 | (unsigned long)d;
	}
	*out = v;
	return 0;
}

/* \uXXXX (and its low surrogate) at ps->pos, which points at the 'u'. */
static int
json_p_unicode(struct json_parser *ps)
{
	const unsigned char *p = ps->p;
	unsigned long cp, lo;

	if (ps->n - ps->pos < 5 || json_p_hex4(p + ps->pos + 1, &cp) == -1) {
		json_p_error(ps, "invalid \\u escape");
		return -1;
	}
	ps->pos += 5;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		ps->pos -= 6;
		json_p_error(ps, "lone low surrogate in \\u escape");
		return -1;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->n - ps->pos < 6 || p[ps->pos] != '\\' ||
		    p[ps->pos + 1] != 'u' ||
		    json_p_hex4(p + ps->pos + 2, &lo) == -1 || lo < 0xdc00 ||
		    lo > 0xdfff) {
			ps->pos -= 6;
			json_p_error(ps, "lone high surrogate in \\u escape");
			return -1;
		}
		ps->pos += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (json_utf8_put(&ps->sb, cp) == -1) {
		json_p_error(ps, "out of memory");
		return -1;
	}
	return 0;
}

/* Decodes the string at ps->pos (the opening quote) into ps->sb. */
static int
json_p_string_raw(struct json_parser *ps)
{
	const unsigned char *p = ps->p;
	size_t run, l, bad;
	unsigned char c;
	const char *simple;

	buf_reset(&ps->sb);
	ps->pos++;
	for (;;) {
		if (ps->sb.len > JSON_MAX_STRING) {
			json_p_error(ps, "string too long");
			return -1;
		}
		if (ps->pos >= ps->n) {
			json_p_error(ps, "unterminated string");
			return -1;
		}
		for (run = ps->pos; run < ps->n; run++) {
			c = p[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
		}
		if (run > ps->pos) {
			if (run - ps->pos > JSON_MAX_STRING) {
				json_p_error(ps, "string too long");
				return -1;
			}
			if (buf_append(&ps->sb, p + ps->pos, run - ps->pos) ==
			    -1) {
				json_p_error(ps, "out of memory");
				return -1;
			}
			ps->pos = run;
			continue;
		}
		c = p[ps->pos];
		if (c == '"') {
			ps->pos++;
			return 0;
		}
		if (c < 0x20) {
			json_p_error(ps, "control character in string");
			return -1;
		}
		if (c >= 0x80) {
			if ((l = json_utf8_len(
				 p + ps->pos, ps->n - ps->pos, &bad)) == 0) {
				json_p_error(ps, "invalid UTF-8 in string");
				return -1;
			}
			if (buf_append(&ps->sb, p + ps->pos, l) == -1) {
				json_p_error(ps, "out of memory");
				return -1;
			}
			ps->pos += l;
			continue;
		}
		/* backslash */
		if (ps->pos + 1 >= ps->n) {
			ps->pos++;
			json_p_error(ps, "unterminated string");
			return -1;
		}
		c = p[ps->pos + 1];
		simple = strchr("\"\\/bfnrt", c);
		if (c != '\0' && simple != NULL) {
			ps->pos += 2;
			if (buf_putc(&ps->sb,
				"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]) ==
			    -1) {
				json_p_error(ps, "out of memory");
				return -1;
			}
			continue;
		}
		if (c != 'u') {
			json_p_error(ps, "invalid escape in string");
			return -1;
		}
		ps->pos++;
		if (json_p_unicode(ps) == -1)
			return -1;
	}
}

static char *
json_p_string_dup(struct json_parser *ps, size_t *lenp)
{
	char *s;

	if (json_p_string_raw(ps) == -1)
		return NULL;
	if ((s = malloc(ps->sb.len + 1)) == NULL)
		return json_p_error(ps, "out of memory");
	if (ps->sb.len > 0)
		memcpy(s, ps->sb.data, ps->sb.len);
	s[ps->sb.len] = '\0';
	*lenp = ps->sb.len;
	return s;
}

/*
 * Decides from the decimal text whether the number is an integer that
 * fits a long long: value = digits * 10^exp10 exactly.
 */
static int
json_p_exact(const char *digs, size_t nd, long exp10, int neg, long long *out)
{
	unsigned long long v = 0, lim;
	size_t first, last, i;
	long k;

	for (first = 0; first < nd && digs[first] == '0'; first++)
		continue;
	if (first == nd) {
		*out = 0;
		return 0;
	}
	for (last = nd; digs[last - 1] == '0'; last--)
		exp10++;
	if (exp10 < 0 || exp10 > 19 || last - first > 19)
		return -1;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (i = first; i < last; i++) {
		if (v > (lim - (unsigned long long)(digs[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(digs[i] - '0');
	}
	for (k = 0; k < exp10; k++) {
		if (v > lim / 10)
			return -1;
		v *= 10;
	}
	if (!neg)
		*out = (long long)v;
	else if (v == (unsigned long long)LLONG_MAX + 1)
		*out = LLONG_MIN;
	else
		*out = -(long long)v;
	return 0;
}

static int
json_p_isdigit(struct json_parser *ps)
{
	return ps->pos < ps->n && ps->p[ps->pos] >= '0' &&
	    ps->p[ps->pos] <= '9';
}

static struct json_value *
json_p_number(struct json_parser *ps)
{
	struct json_value *v;
	char text[JSON_MAX_NUMBER + 1], digs[JSON_MAX_NUMBER];
	size_t start = ps->pos, nd = 0, fracd = 0;
	long e = 0;
	int neg = 0, eneg = 0;
	double d;

	if (ps->p[ps->pos] == '-') {
		neg = 1;
		ps->pos++;
	}
	if (!json_p_isdigit(ps))
		return json_p_error(ps, "invalid number");
	if (ps->p[ps->pos] == '0') {
		digs[nd++] = '0';
		ps->pos++;
		if (json_p_isdigit(ps))
			return json_p_error(ps, "leading zero in number");
	}
	while (json_p_isdigit(ps)) {
		if (nd < sizeof(digs))
			digs[nd++] = (char)ps->p[ps->pos];
		ps->pos++;
	}
	if (ps->pos < ps->n && ps->p[ps->pos] == '.') {
		ps->pos++;
		if (!json_p_isdigit(ps))
			return json_p_error(ps, "digit expected after '.'");
		while (json_p_isdigit(ps)) {
			if (nd < sizeof(digs)) {
				digs[nd++] = (char)ps->p[ps->pos];
				fracd++;
			}
			ps->pos++;
		}
	}
	if (ps->pos < ps->n &&
	    (ps->p[ps->pos] == 'e' || ps->p[ps->pos] == 'E')) {
		ps->pos++;
		if (ps->pos < ps->n &&
		    (ps->p[ps->pos] == '+' || ps->p[ps->pos] == '-'))
			eneg = ps->p[ps->pos++] == '-';
		if (!json_p_isdigit(ps))
			return json_p_error(ps, "digit expected in exponent");
		while (json_p_isdigit(ps)) {
			if (e < 1000000)
				e = e * 10 + (ps->p[ps->pos] - '0');
			ps->pos++;
		}
	}
	if (ps->pos - start > JSON_MAX_NUMBER) {
		ps->pos = start;
		return json_p_error(ps, "number too long");
	}
	memcpy(text, ps->p + start, ps->pos - start);
	text[ps->pos - start] = '\0';
	d = strtod(text, NULL);
	if (!isfinite(d)) {
		ps->pos = start;
		return json_p_error(ps, "number out of range");
	}
	if ((v = json_p_node(ps, JSON_NUMBER)) == NULL)
		return NULL;
	v->u.num.d = d;
	v->u.num.has_int = json_p_exact(digs, nd, (eneg ? -e : e) - (long)fracd,
			       neg, &v->u.num.i) == 0;
	return v;
}

static struct json_value *json_p_value(struct json_parser *, int depth);

static void
json_free_members(struct json_member *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(m[i].key);
		json_free(m[i].value);
	}
	free(m);
}

void
json_free(struct json_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	switch (v->type) {
	case JSON_STRING:
		free(v->u.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->len; i++)
			json_free(v->u.items[i]);
		free(v->u.items);
		break;
	case JSON_OBJECT:
		json_free_members(v->u.members, v->len);
		break;
	default:
		break;
	}
	free(v);
}

struct json_keyref {
	const char *key;
	size_t len;
	size_t pos;
};

static int
json_keyref_cmp(const void *a, const void *b)
{
	const struct json_keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if ((c = memcmp(x->key, y->key, n)) != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Keeps the last value of each repeated key, in the slot of the first
 * occurrence; sorting (key, position) pairs keeps this O(n log n).
 */
static int
json_p_dedup(struct json_parser *ps, struct json_value *obj)
{
	struct json_member *m = obj->u.members;
	struct json_keyref *r;
	struct json_value *tmp;
	size_t i, j, k, n = obj->len;

	if (n < 2)
		return 0;
	if ((r = calloc(n, sizeof(*r))) == NULL) {
		json_p_error(ps, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		r[i].key = m[i].key;
		r[i].len = m[i].keylen;
		r[i].pos = i;
	}
	qsort(r, n, sizeof(*r), json_keyref_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && r[j].len == r[i].len &&
		     memcmp(r[j].key, r[i].key, r[i].len) == 0;
		     j++)
			continue;
		if (j - i < 2)
			continue;
		ps->dup = 1;
		tmp = m[r[i].pos].value;
		m[r[i].pos].value = m[r[j - 1].pos].value;
		m[r[j - 1].pos].value = tmp;
		for (k = i + 1; k < j; k++) {
			free(m[r[k].pos].key);
			json_free(m[r[k].pos].value);
			m[r[k].pos].key = NULL;
			m[r[k].pos].value = NULL;
		}
	}
	free(r);
	for (i = j = 0; i < n; i++)
		if (m[i].key != NULL)
			m[j++] = m[i];
	obj->len = j;
	return 0;
}

/* Grows an array of elements of size sz so that one more fits. */
static int
json_p_grow(
    struct json_parser *ps, void **arr, size_t len, size_t *cap, size_t sz)
{
	size_t ncap;
	void *p;

	if (len >= JSON_MAX_MEMBERS) {
		json_p_error(ps, "too many members in object or array");
		return -1;
	}
	if (len < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 4;
	if (ncap > JSON_MAX_MEMBERS)
		ncap = JSON_MAX_MEMBERS;
	if ((p = realloc(*arr, ncap * sz)) == NULL) {
		json_p_error(ps, "out of memory");
		return -1;
	}
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct json_value *
json_p_object(struct json_parser *ps, int depth)
{
	struct json_value *v, *val;
	void *arr = NULL;
	size_t cap = 0, keylen;
	char *key;

	if ((v = json_p_node(ps, JSON_OBJECT)) == NULL)
		return NULL;
	ps->pos++;
	json_p_ws(ps);
	if (ps->pos < ps->n && ps->p[ps->pos] == '}') {
		ps->pos++;
		return v;
	}
	for (;;) {
		json_p_ws(ps);
		if (ps->pos >= ps->n || ps->p[ps->pos] != '"') {
			json_p_error(ps, "expected string key");
			goto fail;
		}
		if ((key = json_p_string_dup(ps, &keylen)) == NULL)
			goto fail;
		json_p_ws(ps);
		if (ps->pos >= ps->n || ps->p[ps->pos] != ':') {
			free(key);
			json_p_error(ps, "expected ':' after key");
			goto fail;
		}
		ps->pos++;
		if ((val = json_p_value(ps, depth + 1)) == NULL) {
			free(key);
			goto fail;
		}
		arr = v->u.members;
		if (json_p_grow(ps, &arr, v->len, &cap,
			sizeof(struct json_member)) == -1) {
			free(key);
			json_free(val);
			goto fail;
		}
		v->u.members = arr;
		v->u.members[v->len].key = key;
		v->u.members[v->len].keylen = keylen;
		v->u.members[v->len].value = val;
		v->len++;
		json_p_ws(ps);
		if (ps->pos < ps->n && ps->p[ps->pos] == ',') {
			ps->pos++;
			continue;
		}
		if (ps->pos < ps->n && ps->p[ps->pos] == '}') {
			ps->pos++;
			break;
		}
		json_p_error(ps, "expected ',' or '}' in object");
		goto fail;
	}
	if (json_p_dedup(ps, v) == -1)
		goto fail;
	return v;
fail:
	json_free(v);
	return NULL;
}

static struct json_value *
json_p_array(struct json_parser *ps, int depth)
{
	struct json_value *v, *val;
	void *arr;
	size_t cap = 0;

	if ((v = json_p_node(ps, JSON_ARRAY)) == NULL)
		return NULL;
	ps->pos++;
	json_p_ws(ps);
	if (ps->pos < ps->n && ps->p[ps->pos] == ']') {
		ps->pos++;
		return v;
	}
	for (;;) {
		if ((val = json_p_value(ps, depth + 1)) == NULL)
			goto fail;
		arr = v->u.items;
		if (json_p_grow(ps, &arr, v->len, &cap, sizeof(val)) == -1) {
			json_free(val);
			goto fail;
		}
		v->u.items = arr;
		v->u.items[v->len++] = val;
		json_p_ws(ps);
		if (ps->pos < ps->n && ps->p[ps->pos] == ',') {
			ps->pos++;
			continue;
		}
		if (ps->pos < ps->n && ps->p[ps->pos] == ']') {
			ps->pos++;
			return v;
		}
		json_p_error(ps, "expected ',' or ']' in array");
		goto fail;
	}
fail:
	json_free(v);
	return NULL;
}

static struct json_value *
json_p_literal(
    struct json_parser *ps, const char *word, enum json_type t, int b)
{
	struct json_value *v;
	size_t n = strlen(word);

	if (ps->n - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
		return json_p_error(ps, "invalid literal");
	if ((v = json_p_node(ps, t)) == NULL)
		return NULL;
	v->u.b = b;
	ps->pos += n;
	return v;
}

static struct json_value *
json_p_value(struct json_parser *ps, int depth)
{
	struct json_value *v;
	size_t len;
	char *s;

	json_p_ws(ps);
	if (ps->pos >= ps->n)
		return json_p_error(ps, "unexpected end of input");
	switch (ps->p[ps->pos]) {
	case '{':
	case '[':
		if (depth >= JSON_MAX_DEPTH)
			return json_p_error(ps, "nesting too deep");
		if (ps->p[ps->pos] == '{')
			return json_p_object(ps, depth);
		return json_p_array(ps, depth);
	case '"':
		if ((s = json_p_string_dup(ps, &len)) == NULL)
			return NULL;
		if ((v = json_p_node(ps, JSON_STRING)) == NULL) {
			free(s);
			return NULL;
		}
		v->u.s = s;
		v->len = len;
		return v;
	case 't':
		return json_p_literal(ps, "true", JSON_BOOL, 1);
	case 'f':
		return json_p_literal(ps, "false", JSON_BOOL, 0);
	case 'n':
		return json_p_literal(ps, "null", JSON_NULL, 0);
	default:
		if (ps->p[ps->pos] == '-' ||
		    (ps->p[ps->pos] >= '0' && ps->p[ps->pos] <= '9'))
			return json_p_number(ps);
		return json_p_error(ps, "unexpected character");
	}
}

struct json_value *
json_parse(const char *text, size_t len, struct json_error *err)
{
	struct json_parser ps;
	struct json_value *root = NULL;
	size_t i;

	memset(&ps, 0, sizeof(ps));
	ps.p = (const unsigned char *)text;
	ps.n = len;
	buf_init(&ps.sb);
	if (len > JSON_MAX_INPUT)
		json_p_error(&ps, "input too large");
	else if ((root = json_p_value(&ps, 0)) != NULL) {
		json_p_ws(&ps);
		if (ps.pos != ps.n) {
			json_p_error(&ps, "trailing characters after value");
			json_free(root);
			root = NULL;
		}
	}
	buf_release(&ps.sb);
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		err->duplicate_keys = ps.dup;
		if (root == NULL) {
			err->msg = ps.msg != NULL ? ps.msg : "parse error";
			err->offset = ps.errpos;
			err->line = 1;
			err->col = 1;
			for (i = 0; i < ps.errpos && i < len; i++) {
				if (text[i] == '\n') {
					err->line++;
					err->col = 1;
				} else
					err->col++;
			}
		}
	}
	return root;
}

/* Accessors */

enum json_type
json_type(const struct json_value *v)
{
	return v == NULL ? JSON_NONE : v->type;
}

const struct json_value *
json_object_getn(const struct json_value *v, const char *key, size_t keylen)
{
	size_t i;

	if (json_type(v) != JSON_OBJECT)
		return NULL;
	for (i = 0; i < v->len; i++)
		if (v->u.members[i].keylen == keylen &&
		    memcmp(v->u.members[i].key, key, keylen) == 0)
			return v->u.members[i].value;
	return NULL;
}

const struct json_value *
json_object_get(const struct json_value *v, const char *key)
{
	return json_object_getn(v, key, strlen(key));
}

size_t
json_object_len(const struct json_value *v)
{
	return json_type(v) == JSON_OBJECT ? v->len : 0;
}

const char *
json_object_key(const struct json_value *v, size_t i, size_t *lenp)
{
	if (json_type(v) != JSON_OBJECT || i >= v->len)
		return NULL;
	if (lenp != NULL)
		*lenp = v->u.members[i].keylen;
	return v->u.members[i].key;
}

const struct json_value *
json_object_value(const struct json_value *v, size_t i)
{
	if (json_type(v) != JSON_OBJECT || i >= v->len)
		return NULL;
	return v->u.members[i].value;
}

size_t
json_array_len(const struct json_value *v)
{
	return json_type(v) == JSON_ARRAY ? v->len : 0;
}

const struct json_value *
json_array_at(const struct json_value *v, size_t i)
{
	if (json_type(v) != JSON_ARRAY || i >= v->len)
		return NULL;
	return v->u.items[i];
}

const char *
json_string(const struct json_value *v, size_t *lenp)
{
	if (json_type(v) != JSON_STRING)
		return NULL;
	if (lenp != NULL)
		*lenp = v->len;
	return v->u.s;
}

int
json_number(const struct json_value *v, double *out)
{
	if (json_type(v) != JSON_NUMBER)
		return -1;
	*out = v->u.num.d;
	return 0;
}

int
json_int64(const struct json_value *v, long long *out)
{
	if (json_type(v) != JSON_NUMBER || !v->u.num.has_int)
		return -1;
	*out = v->u.num.i;
	return 0;
}

int
json_bool_value(const struct json_value *v, int *out)
{
	if (json_type(v) != JSON_BOOL)
		return -1;
	*out = v->u.b;
	return 0;
}
