/*
 * console.log and friends for the JavaScript recipe interpreter, with
 * values formatted the way Node's util.inspect formats them by default
 * (lib/internal/util/inspect.js: depth 2, breakLength 80, compact 3,
 * grouping of arrays longer than six items, circular references as
 * <ref *N> / [Circular *N]) and printf-style %s %d %i %f %j %o %O %c.
 *
 * Output nesting is bounded by the inspect depth (2) and by
 * JS_INSPECT_MAX_SEEN objects on the path; arrays print at most 100
 * items, as Node does.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_inspect.h"

#define ARG(i) ((i) < argc ? argv[(i)] : JS_UNDEF)
#define BREAK_LENGTH 80
#define INSPECT_DEPTH 2
#define COMPACT 3
#define MAX_ARRAY 100
#define JS_INSPECT_MAX_SEEN 64

struct ictx {
	struct js_vm *vm;
	struct js_obj *seen[JS_INSPECT_MAX_SEEN];
	int nseen;
	struct js_obj *circ[JS_INSPECT_MAX_SEEN];
	int ncirc;
	int indent;
	int cur_depth;
	int failed;
};

/* A list of formatted entries. */
struct entries {
	char **s;
	size_t *len;
	size_t n, cap;
};

static void
entries_free(struct entries *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->s[i]);
	free(e->s);
	free(e->len);
	memset(e, 0, sizeof(*e));
}

/* Takes ownership of b's storage. */
static int
entries_add(struct entries *e, struct buf *b)
{
	char **ns;
	size_t *nl, n;

	if (e->n == e->cap) {
		n = e->cap ? e->cap * 2 : 8;
		if ((ns = realloc(e->s, n * sizeof(*ns))) == NULL)
			return -1;
		e->s = ns;
		if ((nl = realloc(e->len, n * sizeof(*nl))) == NULL)
			return -1;
		e->len = nl;
		e->cap = n;
	}
	if (b->data == NULL && buf_putc(b, 0) == 0)
		b->len = 0;
	e->len[e->n] = b->len;
	e->s[e->n++] = buf_detach(b, NULL);
	return 0;
}

/* Display width: code points. */
static size_t
width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static int fmt_value(
    struct ictx *, struct js_value, int rt, struct buf *, int top);

static int
is_ident(const struct js_str *s)
{
	uint32_t i;

	if (s->len == 0)
		return 0;
	for (i = 0; i < s->len; i++) {
		char c = s->data[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			c == '_' || c == '$' ||
			(i > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static int
str_escape(struct buf *b, const char *s, size_t n)
{
	size_t i;
	char q = '\'';
	int r = 0;
	unsigned char c;

	if (memchr(s, '\'', n) != NULL) {
		if (memchr(s, '"', n) == NULL)
			q = '"';
		else if (memchr(s, '`', n) == NULL)
			q = '`';
	}
	r |= buf_putc(b, q);
	for (i = 0; i < n && r == 0; i++) {
		c = (unsigned char)s[i];
		if (c == (unsigned char)q || c == '\\') {
			r |= buf_putc(b, '\\');
			r |= buf_putc(b, c);
		} else if (c == '\n')
			r |= buf_append_str(b, "\\n");
		else if (c == '\t')
			r |= buf_append_str(b, "\\t");
		else if (c == '\r')
			r |= buf_append_str(b, "\\r");
		else if (c == '\b')
			r |= buf_append_str(b, "\\b");
		else if (c == '\f')
			r |= buf_append_str(b, "\\f");
		else if (c < 0x20 || c == 0x7f)
			r |= buf_printf(b, "\\x%02X", c);
		else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			r |= buf_printf(b, "\\x%02X", (unsigned char)s[i + 1]);
			i++;
		} else
			r |= buf_putc(b, c);
	}
	r |= buf_putc(b, q);
	return r != 0 ? -1 : 0;
}

static int
fmt_string(struct ictx *c, const struct js_str *s, struct buf *b)
{
	size_t i, start;
	int r = 0, k;

	if (s->u16len > 16 && (int)s->u16len > BREAK_LENGTH - c->indent - 4 &&
	    memchr(s->data, '\n', s->len) != NULL) {
		start = 0;
		for (i = 0; i <= s->len && r == 0; i++) {
			if (i < s->len && s->data[i] != '\n')
				continue;
			if (i == s->len && start == s->len)
				break;
			if (start > 0) {
				r |= buf_append_str(b, " +\n");
				for (k = 0; k < c->indent + 2; k++)
					r |= buf_putc(b, ' ');
			}
			r |= str_escape(b, s->data + start,
			    (i < s->len ? i + 1 : i) - start);
			start = i + 1;
		}
		return r != 0 ? -1 : 0;
	}
	return str_escape(b, s->data, s->len);
}

static int
fmt_number(struct buf *b, double d)
{
	char t[40];

	if (d == 0 && signbit(d))
		return buf_append_str(b, "-0");
	js_num_to_buf(d, t);
	return buf_append_str(b, t);
}

static int
fmt_key(struct ictx *c, struct js_str *k, struct buf *b)
{
	if (!k->interned)
		return buf_printf(b, "[Symbol(%s)]", k->data);
	if (is_ident(k))
		return buf_append(b, k->data, k->len);
	return str_escape(b, k->data, k->len);
}

static struct js_str *
ctor_name(struct ictx *c, struct js_obj *o)
{
	struct js_obj *p;
	struct js_prop *pr;

	for (p = o->proto; p != NULL; p = p->proto) {
		pr = js_obj_find(p, c->vm->atoms[JS_A_constructor]);
		if (pr != NULL && !(pr->flags & JS_P_ACCESSOR) &&
		    js_callable(pr->v))
			return js_fn_name(c->vm, JS_OBJ(pr->v));
	}
	return NULL;
}

static int
fmt_function(struct ictx *c, struct js_obj *o, struct buf *b)
{
	struct js_str *n = js_fn_name(c->vm, o);

	if (o->cls == JS_CL_FUNC && o->is_class) {
		struct js_obj *parent = o->proto;
		if (buf_printf(
			b, "[class %s", n->len ? n->data : "(anonymous)") == -1)
			return -1;
		if (o->u.fn.derived && parent != NULL &&
		    js_callable(js_mkobj(parent)))
			if (buf_printf(b, " extends %s",
				js_fn_name(c->vm, parent)->data) == -1)
				return -1;
		return buf_putc(b, ']');
	}
	if (o->cls == JS_CL_BOUND) {
		struct js_value t = o->u.bound.target;
		return buf_printf(b, "[Function: bound %s]",
		    js_callable(t) ? js_fn_name(c->vm, JS_OBJ(t))->data : "");
	}
	if (n->len == 0)
		return buf_printf(b, "[%s (anonymous)]",
		    o->cls == JS_CL_FUNC && o->u.fn.p->async ? "AsyncFunction"
							     : "Function");
	return buf_printf(b, "[%s: %s]",
	    o->cls == JS_CL_FUNC && o->u.fn.p->async ? "AsyncFunction"
						     : "Function",
	    n->data);
}

/* Property value "key: value" (or the bare value for array items). */
static int
fmt_property(
    struct ictx *c, struct js_obj *o, struct js_prop *p, int rt, struct buf *b)
{
	struct js_obj *acc;

	if (fmt_key(c, p->key, b) == -1 || buf_append_str(b, ": ") == -1)
		return -1;
	if (p->flags & JS_P_ACCESSOR) {
		acc = JS_OBJ(p->v);
		if (js_callable(acc->u.acc.get))
			return buf_append_str(b,
			    js_callable(acc->u.acc.set) ? "[Getter/Setter]"
							: "[Getter]");
		return buf_append_str(
		    b, js_callable(acc->u.acc.set) ? "[Setter]" : "undefined");
	}
	c->indent += 2;
	if (fmt_value(c, p->v, rt, b, 0) == -1)
		return -1;
	c->indent -= 2;
	return 0;
}

static int
add_props(
    struct ictx *c, struct js_obj *o, int rt, struct entries *e, int skip_index)
{
	uint32_t i;
	struct buf b;
	struct js_obj *keys;

	/* string keys in JS order, then symbols */
	if ((keys = js_own_keys(c->vm, o, 1)) == NULL)
		return -1;
	if (js_push(c->vm, js_mkobj(keys)) == -1)
		return -1;
	for (i = 0; i < keys->u.arr.len; i++) {
		struct js_value kv = keys->u.arr.items[i];
		struct js_str *k = kv.tag == JS_TAG_SYM
		    ? JS_STR(kv)
		    : js_str_intern_str(c->vm, JS_STR(kv));
		struct js_prop *p;

		if (k == NULL)
			return -1;
		if (skip_index && k->interned && js_str_index(k) >= 0)
			continue;
		if ((p = js_obj_find(o, k)) == NULL)
			continue;
		buf_init(&b);
		if (fmt_property(c, o, p, rt, &b) == -1 ||
		    entries_add(e, &b) == -1) {
			buf_release(&b);
			return -1;
		}
	}
	c->vm->sp--;
	return 0;
}

static int
has_visible_props(struct js_obj *o, int skip_index)
{
	uint32_t i;

	for (i = 0; i < o->nprops; i++)
		if ((o->props[i].flags & JS_P_ENUM) &&
		    !(skip_index && o->props[i].key->interned &&
			js_str_index(o->props[i].key) >= 0))
			return 1;
	return 0;
}

/* Node's groupArrayElements. */
static int
group_array(struct ictx *c, struct entries *e, struct js_obj *arr, int has_more)
{
	size_t out_len = e->n - (has_more ? 1 : 0), i, j, k;
	size_t total = 0, maxlen = 0, *dlen, columns, max;
	double actual, bias, biased, cols;
	size_t *mline;
	int pad_start = 1;
	struct entries g;
	struct buf row;

	if ((dlen = calloc(e->n + 1, sizeof(*dlen))) == NULL)
		return -1;
	for (i = 0; i < out_len; i++) {
		dlen[i] = width(e->s[i], e->len[i]);
		total += dlen[i] + 2;
		if (dlen[i] > maxlen)
			maxlen = dlen[i];
	}
	actual = (double)maxlen + 2;
	if (!(actual * 3 + c->indent < BREAK_LENGTH &&
		((double)total / actual > 5 || maxlen <= 6))) {
		free(dlen);
		return 0;
	}
	bias = sqrt(actual - (double)total / (double)e->n);
	biased = actual - 3 - bias;
	if (biased < 1)
		biased = 1;
	cols = round(sqrt(2.5 * biased * (double)e->n) / biased);
	if (floor((BREAK_LENGTH - c->indent) / actual) < cols)
		cols = floor((BREAK_LENGTH - c->indent) / actual);
	if (cols > COMPACT * 4)
		cols = COMPACT * 4;
	if (cols > 15)
		cols = 15;
	if (cols <= 1) {
		free(dlen);
		return 0;
	}
	columns = (size_t)cols;
	if ((mline = calloc(columns, sizeof(*mline))) == NULL) {
		free(dlen);
		return -1;
	}
	for (i = 0; i < columns; i++) {
		size_t w = 0;
		for (j = i; j < e->n; j += columns)
			if (j < out_len && dlen[j] > w)
				w = dlen[j];
		mline[i] = w + 2;
	}
	for (i = 0; i < e->n; i++) {
		struct js_value v = JS_UNDEF;
		if (arr->cls == JS_CL_U8)
			v = i < arr->u.u8.len ? js_mknum(0) : JS_UNDEF;
		else if (i < arr->u.arr.len)
			v = arr->u.arr.items[i];
		if (v.tag != JS_TAG_NUM) {
			pad_start = 0;
			break;
		}
	}
	memset(&g, 0, sizeof(g));
	for (i = 0; i < out_len; i += columns) {
		max = i + columns < out_len ? i + columns : out_len;
		buf_init(&row);
		for (j = i; j + 1 < max; j++) {
			size_t padding = mline[j - i];
			size_t len = dlen[j] + 2;
			if (pad_start)
				for (k = len; k < padding; k++)
					if (buf_putc(&row, ' ') == -1)
						goto oom;
			if (buf_append(&row, e->s[j], e->len[j]) == -1 ||
			    buf_append_str(&row, ", ") == -1)
				goto oom;
			if (!pad_start)
				for (k = len; k < padding; k++)
					if (buf_putc(&row, ' ') == -1)
						goto oom;
		}
		if (pad_start) {
			size_t padding = mline[j - i] - 2;
			for (k = dlen[j]; k < padding; k++)
				if (buf_putc(&row, ' ') == -1)
					goto oom;
		}
		if (buf_append(&row, e->s[j], e->len[j]) == -1 ||
		    entries_add(&g, &row) == -1)
			goto oom;
	}
	if (has_more) {
		buf_init(&row);
		if (buf_append(&row, e->s[e->n - 1], e->len[e->n - 1]) == -1 ||
		    entries_add(&g, &row) == -1)
			goto oom;
	}
	free(dlen);
	free(mline);
	entries_free(e);
	*e = g;
	return 0;
oom:
	buf_release(&row);
	entries_free(&g);
	free(dlen);
	free(mline);
	return -1;
}

static int
below_break(struct ictx *c, struct entries *e, size_t start, const char *base)
{
	size_t total = e->n + start, i;

	if (total + e->n > BREAK_LENGTH)
		return 0;
	for (i = 0; i < e->n; i++) {
		total += width(e->s[i], e->len[i]);
		if (total > BREAK_LENGTH)
			return 0;
	}
	return base[0] == '\0' || strchr(base, '\n') == NULL;
}

static int
reduce(struct ictx *c, struct entries *e, const char *base, const char *open,
    const char *close, int array_type, int rt, struct js_obj *value,
    int has_more, struct buf *out)
{
	size_t entries = e->n, i;
	int k, r = 0;

	if (array_type && entries > 6 &&
	    group_array(c, e, value, has_more) == -1)
		return -1;
	if (c->cur_depth - rt < COMPACT && entries == e->n) {
		size_t start =
		    e->n + (size_t)c->indent + strlen(open) + strlen(base) + 10;
		if (below_break(c, e, start, base)) {
			int nl = 0;
			for (i = 0; i < e->n; i++)
				if (memchr(e->s[i], '\n', e->len[i]) != NULL)
					nl = 1;
			if (!nl) {
				if (base[0] != '\0')
					r |= buf_printf(out, "%s ", base);
				r |= buf_printf(out, "%s ", open);
				for (i = 0; i < e->n; i++) {
					if (i > 0)
						r |= buf_append_str(out, ", ");
					r |=
					    buf_append(out, e->s[i], e->len[i]);
				}
				r |= buf_printf(out, " %s", close);
				return r != 0 ? -1 : 0;
			}
		}
	}
	if (base[0] != '\0')
		r |= buf_printf(out, "%s ", base);
	r |= buf_append_str(out, open);
	for (i = 0; i < e->n; i++) {
		r |= buf_putc(out, '\n');
		for (k = 0; k < c->indent + 2; k++)
			r |= buf_putc(out, ' ');
		r |= buf_append(out, e->s[i], e->len[i]);
		if (i + 1 < e->n)
			r |= buf_putc(out, ',');
	}
	r |= buf_putc(out, '\n');
	for (k = 0; k < c->indent; k++)
		r |= buf_putc(out, ' ');
	r |= buf_append_str(out, close);
	return r != 0 ? -1 : 0;
}

static int
circ_index(struct ictx *c, struct js_obj *o, int add)
{
	int i;

	for (i = 0; i < c->ncirc; i++)
		if (c->circ[i] == o)
			return i + 1;
	if (!add || c->ncirc >= JS_INSPECT_MAX_SEEN)
		return 0;
	c->circ[c->ncirc++] = o;
	return c->ncirc;
}

static int
fmt_error_base(struct ictx *c, struct js_obj *o, struct buf *b)
{
	struct js_value st;
	struct js_str *s;
	size_t i;
	int k;

	st = js_get_key(c->vm, js_mkobj(o), c->vm->atoms[JS_A_stack]);
	if (st.tag == JS_TAG_EXC) {
		(void)js_exception_take(c->vm);
		st = JS_UNDEF;
	}
	if (st.tag != JS_TAG_STR) {
		st = js_mkstr(c->vm->atoms[JS_A_empty]);
	}
	s = JS_STR(st);
	if (strstr(s->data, "\n    at ") == NULL) {
		if (buf_putc(b, '[') == -1 ||
		    buf_append(b, s->data, s->len) == -1 ||
		    buf_putc(b, ']') == -1)
			return -1;
		return 0;
	}
	for (i = 0; i < s->len; i++) {
		if (buf_putc(b, s->data[i]) == -1)
			return -1;
		if (s->data[i] == '\n')
			for (k = 0; k < c->indent; k++)
				if (buf_putc(b, ' ') == -1)
					return -1;
	}
	return 0;
}

static int
fmt_raw(struct ictx *c, struct js_obj *o, int rt, struct buf *out)
{
	struct entries e;
	struct buf base, open, b;
	struct js_str *name;
	const char *close = "}";
	int array_type = 0, has_more = 0, r = -1, ref, skip_index = 0;
	uint32_t i, n = 0;

	memset(&e, 0, sizeof(e));
	buf_init(&base);
	buf_init(&open);
	buf_init(&b);
	if (buf_putc(&base, 0) == -1)
		goto done;
	base.len = 0;
	/* base, braces and emptiness */
	switch (o->cls) {
	case JS_CL_ARRAY:
	case JS_CL_U8:
		array_type = 1;
		skip_index = 1;
		close = "]";
		n = o->cls == JS_CL_ARRAY ? o->u.arr.len : o->u.u8.len;
		if (o->cls == JS_CL_U8) {
			if (buf_printf(&open, "Uint8Array(%u) [", n) == -1)
				goto done;
		} else if (buf_append_str(&open, "[") == -1)
			goto done;
		if (n == 0 && !has_visible_props(o, 1)) {
			r = buf_printf(out, "%s]", open.data);
			goto done;
		}
		break;
	case JS_CL_FUNC:
	case JS_CL_NATIVE:
	case JS_CL_BOUND:
		if (fmt_function(c, o, &base) == -1)
			goto done;
		if (!has_visible_props(o, 0)) {
			r = buf_append(out, base.data, base.len);
			goto done;
		}
		if (buf_append_str(&open, "{") == -1)
			goto done;
		break;
	case JS_CL_ERROR:
		if (fmt_error_base(c, o, &base) == -1)
			goto done;
		if (!has_visible_props(o, 0)) {
			r = buf_append(out, base.data, base.len);
			goto done;
		}
		if (buf_append_str(&open, "{") == -1)
			goto done;
		break;
	case JS_CL_MAP:
	case JS_CL_SET:
		if (buf_printf(&open, "%s(%u) {",
			o->cls == JS_CL_MAP ? "Map" : "Set",
			o->u.map.live) == -1)
			goto done;
		if (o->u.map.live == 0 && !has_visible_props(o, 0)) {
			r = buf_printf(out, "%s}", open.data);
			goto done;
		}
		break;
	case JS_CL_PROMISE:
		if (buf_append_str(&open, "Promise {") == -1)
			goto done;
		break;
	case JS_CL_ITER:
		if (buf_printf(&open, "Object [%s Iterator] {",
			o->u.iter.kind == JS_IT_STRING ? "String"
			    : o->u.iter.kind >= JS_IT_MAP_KEYS &&
				o->u.iter.kind <= JS_IT_MAP_ENTRIES
			    ? "Map"
			    : o->u.iter.kind >= JS_IT_SET_VALUES &&
				o->u.iter.kind <= JS_IT_SET_ENTRIES
			    ? "Set"
			    : "Array") == -1)
			goto done;
		if (!has_visible_props(o, 0)) {
			r = buf_printf(out, "%s}", open.data);
			goto done;
		}
		break;
	default:
		name = ctor_name(c, o);
		if (o->proto == NULL) {
			if (buf_append_str(
				&open, "[Object: null prototype] {") == -1)
				goto done;
		} else if (name == NULL || strcmp(name->data, "Object") == 0 ||
		    name->len == 0) {
			if (buf_append_str(&open, "{") == -1)
				goto done;
		} else if (buf_printf(&open, "%s {", name->data) == -1)
			goto done;
		if (!has_visible_props(o, 0)) {
			r = buf_printf(out, "%s}", open.data);
			goto done;
		}
		break;
	}
	if (rt > INSPECT_DEPTH) {
		if (array_type && o->cls == JS_CL_ARRAY)
			r = buf_append_str(out, "[Array]");
		else if (o->cls == JS_CL_ERROR || js_callable(js_mkobj(o)))
			r = buf_append(out, base.data, base.len);
		else {
			name = ctor_name(c, o);
			if (o->cls == JS_CL_MAP)
				r = buf_append_str(out, "[Map]");
			else if (o->cls == JS_CL_SET)
				r = buf_append_str(out, "[Set]");
			else if (o->cls == JS_CL_U8)
				r = buf_append_str(out, "[Uint8Array]");
			else if (o->proto == NULL)
				r = buf_append_str(
				    out, "[Object: null prototype]");
			else
				r = buf_printf(out, "[%s]",
				    name != NULL && name->len ? name->data
							      : "Object");
		}
		goto done;
	}
	rt++;
	if (c->nseen >= JS_INSPECT_MAX_SEEN) {
		r = buf_append_str(out, "[Object]");
		goto done;
	}
	c->seen[c->nseen++] = o;
	c->cur_depth = rt;
	c->indent += 2;
	switch (o->cls) {
	case JS_CL_ARRAY:
	case JS_CL_U8:
		for (i = 0; i < n && i < MAX_ARRAY; i++) {
			buf_init(&b);
			if (o->cls == JS_CL_U8) {
				if (buf_printf(&b, "%u",
					o->u.u8.bytes->u.bytes
					    .data[o->u.u8.off + i]) == -1)
					goto fail;
			} else if (fmt_value(c, o->u.arr.items[i], rt, &b, 0) ==
			    -1)
				goto fail;
			if (entries_add(&e, &b) == -1)
				goto fail;
		}
		if (n > MAX_ARRAY) {
			buf_init(&b);
			if (buf_printf(&b, "... %u more item%s", n - MAX_ARRAY,
				n - MAX_ARRAY > 1 ? "s" : "") == -1 ||
			    entries_add(&e, &b) == -1)
				goto fail;
			has_more = 1;
		}
		break;
	case JS_CL_MAP:
	case JS_CL_SET:
		for (i = 0; i < o->u.map.n; i++) {
			if (o->u.map.ents[i].deleted)
				continue;
			buf_init(&b);
			if (fmt_value(c, o->u.map.ents[i].key, rt, &b, 0) == -1)
				goto fail;
			if (o->cls == JS_CL_MAP &&
			    (buf_append_str(&b, " => ") == -1 ||
				fmt_value(c, o->u.map.ents[i].val, rt, &b, 0) ==
				    -1))
				goto fail;
			if (entries_add(&e, &b) == -1)
				goto fail;
		}
		break;
	case JS_CL_PROMISE:
		buf_init(&b);
		if (o->u.promise.state == JS_PENDING) {
			if (buf_append_str(&b, "<pending>") == -1)
				goto fail;
		} else {
			if (o->u.promise.state == JS_REJECTED &&
			    buf_append_str(&b, "<rejected> ") == -1)
				goto fail;
			if (fmt_value(c, o->u.promise.value, rt, &b, 0) == -1)
				goto fail;
		}
		if (entries_add(&e, &b) == -1)
			goto fail;
		break;
	default:
		break;
	}
	c->indent -= 2;
	if (add_props(c, o, rt, &e, skip_index) == -1) {
		c->indent += 2;
		goto fail;
	}
	c->nseen--;
	ref = circ_index(c, o, 0);
	if (ref > 0) {
		struct buf nb;

		buf_init(&nb);
		if (base.len > 0) {
			if (buf_printf(&nb, "<ref *%d> %s", ref, base.data) ==
			    -1)
				goto done;
			buf_release(&base);
			base = nb;
		} else {
			if (buf_printf(&nb, "<ref *%d> %s", ref, open.data) ==
			    -1)
				goto done;
			buf_release(&open);
			open = nb;
		}
	}
	r = reduce(c, &e, base.len ? (const char *)base.data : "",
	    (const char *)open.data, close, array_type, rt, o, has_more, out);
	goto done;
fail:
	c->indent -= 2;
	c->nseen--;
	buf_release(&b);
	r = -1;
done:
	entries_free(&e);
	buf_release(&base);
	buf_release(&open);
	return r;
}

/* Node's fields: properties are formatted with indent + 2; fmt_raw's
 * items (array elements, map entries) likewise.  add_props adds its own
 * 2 in fmt_property. */
static int
fmt_value(struct ictx *c, struct js_value v, int rt, struct buf *b, int top)
{
	int i;

	switch (v.tag) {
	case JS_TAG_UNDEF:
	case JS_TAG_EMPTY:
		return buf_append_str(b, "undefined");
	case JS_TAG_NULL:
		return buf_append_str(b, "null");
	case JS_TAG_BOOL:
		return buf_append_str(b, v.u.b ? "true" : "false");
	case JS_TAG_NUM:
		return fmt_number(b, v.u.num);
	case JS_TAG_STR:
		if (top)
			return buf_append(b, JS_STR(v)->data, JS_STR(v)->len);
		return fmt_string(c, JS_STR(v), b);
	case JS_TAG_SYM:
		return buf_printf(b, "Symbol(%s)", JS_STR(v)->data);
	case JS_TAG_OBJ:
		for (i = 0; i < c->nseen; i++)
			if (c->seen[i] == JS_OBJ(v))
				return buf_printf(b, "[Circular *%d]",
				    circ_index(c, JS_OBJ(v), 1));
		return fmt_raw(c, JS_OBJ(v), rt, b);
	default:
		return buf_append_str(b, "undefined");
	}
}

int
js_inspect_value(struct js_vm *vm, struct js_value v, struct buf *out, int top)
{
	struct ictx *c;
	int r;
	size_t mark = (size_t)(vm->sp - vm->stack);

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->vm = vm;
	r = fmt_value(c, v, 0, out, top);
	free(c);
	vm->sp = vm->stack + mark;
	if (vm->has_exc && !vm->fatal)
		(void)js_exception_take(vm);
	return r;
}

/* ---- console ---- */

static int
format_args(
    struct js_vm *vm, int argc, const struct js_value *argv, struct buf *b)
{
	int i = 0, a;
	struct js_str *f;
	size_t k;
	double d;

	if (argc > 0 && argv[0].tag == JS_TAG_STR &&
	    memchr(JS_STR(argv[0])->data, '%', JS_STR(argv[0])->len) != NULL) {
		f = JS_STR(argv[0]);
		a = 1;
		for (k = 0; k < f->len; k++) {
			char ch = f->data[k];

			if (ch != '%' || k + 1 >= f->len) {
				if (buf_putc(b, ch) == -1)
					return -1;
				continue;
			}
			ch = f->data[k + 1];
			if (ch == '%') {
				if (buf_putc(b, '%') == -1)
					return -1;
				k++;
				continue;
			}
			if (strchr("sdifjoOc", ch) == NULL || a >= argc) {
				if (buf_putc(b, '%') == -1)
					return -1;
				continue;
			}
			k++;
			switch (ch) {
			case 's':
				if (argv[a].tag == JS_TAG_STR) {
					if (buf_append(b, JS_STR(argv[a])->data,
						JS_STR(argv[a])->len) == -1)
						return -1;
				} else if (js_inspect_value(
					       vm, argv[a], b, 0) == -1)
					return -1;
				break;
			case 'd':
			case 'i':
			case 'f':
				if (JS_ISOBJ(argv[a]))
					d = NAN;
				else if (js_tonum(vm, argv[a], &d) == -1) {
					(void)js_exception_take(vm);
					d = NAN;
				}
				if (ch == 'i')
					d = trunc(d);
				if (fmt_number(b, d) == -1)
					return -1;
				break;
			case 'j': {
				struct js_value j =
				    js_get(vm, js_global(vm), "JSON");
				struct js_value s = JS_UNDEF;
				if (j.tag != JS_TAG_EXC)
					s = js_get(vm, j, "stringify");
				if (js_callable(s))
					s = js_call(vm, s, j, 1, &argv[a]);
				if (s.tag == JS_TAG_STR) {
					if (buf_append(b, JS_STR(s)->data,
						JS_STR(s)->len) == -1)
						return -1;
				} else {
					if (s.tag == JS_TAG_EXC)
						(void)js_exception_take(vm);
					if (buf_append_str(b, "undefined") ==
					    -1)
						return -1;
				}
				break;
			}
			case 'c':
				break;
			default:
				if (js_inspect_value(vm, argv[a], b, 0) == -1)
					return -1;
				break;
			}
			a++;
		}
		i = a;
		if (i < argc && buf_putc(b, ' ') == -1)
			return -1;
	}
	for (; i < argc; i++) {
		if (js_inspect_value(vm, argv[i], b, 1) == -1)
			return -1;
		if (i + 1 < argc && buf_putc(b, ' ') == -1)
			return -1;
	}
	return 0;
}

/* magic: 0 log/info/debug (stdout), 1 error/warn/trace (stderr) */
static struct js_value
console_log(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf b, line;
	size_t i;
	unsigned k;

	buf_init(&b);
	buf_init(&line);
	if (format_args(vm, argc, argv, &b) == -1)
		goto oom;
	if (vm->fatal)
		goto fail;
	/* console.group indentation applies to every line */
	for (k = 0; k < vm->group * 2; k++)
		if (buf_putc(&line, ' ') == -1)
			goto oom;
	for (i = 0; i < b.len; i++) {
		if (buf_putc(&line, b.data[i]) == -1)
			goto oom;
		if (b.data[i] == '\n')
			for (k = 0; k < vm->group * 2; k++)
				if (buf_putc(&line, ' ') == -1)
					goto oom;
	}
	if (buf_putc(&line, '\n') == -1)
		goto oom;
	vm->console(vm->console_opaque, vm->cur_native->u.nat.magic,
	    (const char *)line.data, line.len);
	buf_release(&b);
	buf_release(&line);
	return JS_UNDEF;
oom:
	vm->fatal = 1;
fail:
	buf_release(&b);
	buf_release(&line);
	return JS_EXC;
}

static struct js_value
console_group(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value r = JS_UNDEF;

	if (vm->cur_native->u.nat.magic == 1) {
		if (vm->group > 0)
			vm->group--;
		return JS_UNDEF;
	}
	if (argc > 0) {
		struct js_obj *saved = vm->cur_native;
		int m = saved->u.nat.magic;

		saved->u.nat.magic = 0;
		r = console_log(vm, this_val, argc, argv, opaque);
		saved->u.nat.magic = m;
	}
	if (vm->group < 32)
		vm->group++;
	return r;
}

static struct js_value
console_assert(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf b;

	if (argc > 0 && js_to_bool(argv[0]))
		return JS_UNDEF;
	buf_init(&b);
	if (buf_append_str(&b, "Assertion failed") == -1 ||
	    (argc > 1 &&
		(buf_append_str(&b, ": ") == -1 ||
		    format_args(vm, argc - 1, argv + 1, &b) == -1)) ||
	    buf_putc(&b, '\n') == -1) {
		buf_release(&b);
		vm->fatal = 1;
		return JS_EXC;
	}
	vm->console(vm->console_opaque, 1, (const char *)b.data, b.len);
	buf_release(&b);
	return JS_UNDEF;
}

int
js_inspect_init(struct js_vm *vm)
{
	static const struct {
		const char *name;
		js_native_fn *fn;
		int magic;
	} m[] = {
		{ "log", console_log, 0 },
		{ "info", console_log, 0 },
		{ "debug", console_log, 0 },
		{ "dir", console_log, 0 },
		{ "error", console_log, 1 },
		{ "warn", console_log, 1 },
		{ "trace", console_log, 1 },
		{ "group", console_group, 0 },
		{ "groupEnd", console_group, 1 },
		{ "assert", console_assert, 0 },
	};
	struct js_obj *con, *f;
	struct js_str *k;
	size_t i;

	if ((con = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    (k = js_str_intern(vm, "console", 7)) == NULL ||
	    js_obj_define(vm, vm->global, k, js_mkobj(con), JS_P_HIDDEN) == -1)
		return -1;
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if ((f = js_native_new(
			 vm, m[i].name, 0, m[i].fn, m[i].magic)) == NULL ||
		    (k = js_str_intern(vm, m[i].name, strlen(m[i].name))) ==
			NULL ||
		    js_obj_define(vm, con, k, js_mkobj(f), JS_P_DEFAULT) == -1)
			return -1;
	}
	return 0;
}
