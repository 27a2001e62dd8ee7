/*
 * JSON.parse (RFC 8259 grammar, ECMA-262 §25.5.1 with reviver) and
 * JSON.stringify (§25.5.2: toJSON, replacer function or array, indent
 * gap, cycle detection) for the JavaScript recipe interpreter.
 *
 * Untrusted input: the text given to JSON.parse.  Nesting is bounded by
 * JS_JSON_MAX_DEPTH on both sides; every string is length-checked by the
 * heap; errors are SyntaxErrors naming the byte position.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "recipe/js_json.h"

#define ARG(i) ((i) < argc ? argv[(i)] : JS_UNDEF)

struct jparse {
	struct js_vm *vm;
	const char *s;
	size_t len, pos;
	unsigned depth;
};

static struct js_value
jerr(struct jparse *p)
{
	char tok[8];
	char ctx[48];

	if (p->vm->fatal || p->vm->has_exc)
		return JS_EXC;
	if (p->pos >= p->len)
		return js_throw_error(
		    p->vm, JS_SYNTAX_ERROR, "Unexpected end of JSON input");
	if ((unsigned char)p->s[p->pos] < 0x80)
		snprintf(tok, sizeof(tok), "%c", p->s[p->pos]);
	else
		snprintf(tok, sizeof(tok), "?");
	if (p->len <= 40) {
		snprintf(ctx, sizeof(ctx), "%.*s", (int)p->len, p->s);
		return js_throw_error(p->vm, JS_SYNTAX_ERROR,
		    "Unexpected token '%s', \"%s\" is not valid JSON", tok,
		    ctx);
	}
	return js_throw_error(p->vm, JS_SYNTAX_ERROR,
	    "Unexpected token '%s' in JSON at position %zu", tok, p->pos);
}

static void
skip_ws(struct jparse *p)
{
	while (p->pos < p->len &&
	    (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static struct js_str *
parse_string(struct jparse *p)
{
	struct buf b;
	struct js_str *s;
	unsigned u, u2;
	unsigned char c;

	p->pos++; /* " */
	buf_init(&b);
	for (;;) {
		if (p->pos >= p->len)
			goto bad;
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			if (buf_putc(&b, c) == -1)
				goto oom;
			p->pos++;
			continue;
		}
		if (p->pos + 1 >= p->len)
			goto bad;
		p->pos++;
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"':
		case '\\':
		case '/':
			if (buf_putc(&b, c) == -1)
				goto oom;
			break;
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			if (buf_putc(&b,
				c == 'b'       ? '\b'
				    : c == 'f' ? '\f'
				    : c == 'n' ? '\n'
				    : c == 'r' ? '\r'
					       : '\t') == -1)
				goto oom;
			break;
		case 'u':
			if (p->pos + 4 > p->len ||
			    hex4(p->s + p->pos, &u) == -1)
				goto bad;
			p->pos += 4;
			if (u >= 0xd800 && u < 0xdc00 && p->pos + 6 <= p->len &&
			    p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u' &&
			    hex4(p->s + p->pos + 2, &u2) == 0 && u2 >= 0xdc00 &&
			    u2 < 0xe000) {
				p->pos += 6;
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (u2 - 0xdc00);
			}
			if (utf8_append(&b, u) == -1)
				goto oom;
			break;
		default:
			p->pos--;
			goto bad;
		}
	}
	s = js_str_new(p->vm, (const char *)b.data, b.len);
	buf_release(&b);
	return s;
bad:
	buf_release(&b);
	(void)jerr(p);
	return NULL;
oom:
	buf_release(&b);
	p->vm->fatal = 1;
	return NULL;
}

static struct js_value parse_value(struct jparse *);

static struct js_value
parse_number(struct jparse *p)
{
	size_t start = p->pos;
	char tmp[400];

	if (p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len)
		return jerr(p);
	if (p->s[p->pos] == '0')
		p->pos++;
	else if (p->s[p->pos] >= '1' && p->s[p->pos] <= '9')
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		    p->s[p->pos] <= '9')
			p->pos++;
	else
		return jerr(p);
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' ||
		    p->s[p->pos] > '9')
			return jerr(p);
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		    p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < p->len &&
		    (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' ||
		    p->s[p->pos] > '9')
			return jerr(p);
		while (p->pos < p->len && p->s[p->pos] >= '0' &&
		    p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos - start >= sizeof(tmp)) {
		p->pos = start;
		return jerr(p);
	}
	memcpy(tmp, p->s + start, p->pos - start);
	tmp[p->pos - start] = '\0';
	return js_mknum(strtod(tmp, NULL));
}

static struct js_value
parse_value(struct jparse *p)
{
	struct js_vm *vm = p->vm;
	struct js_obj *o;
	struct js_str *k, *s;
	struct js_value v;
	char c;

	skip_ws(p);
	if (p->pos >= p->len)
		return jerr(p);
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		if (++p->depth > JS_JSON_MAX_DEPTH) {
			return js_throw_error(vm, JS_RANGE_ERROR,
			    "JSON nested deeper than %d", JS_JSON_MAX_DEPTH);
		}
		p->pos++;
		o = c == '{' ? js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)
			     : js_arr_new(vm, 0);
		if (o == NULL || js_push(vm, js_mkobj(o)) == -1)
			return JS_EXC;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == (c == '{' ? '}' : ']')) {
			p->pos++;
			p->depth--;
			vm->sp--;
			return js_mkobj(o);
		}
		for (;;) {
			skip_ws(p);
			if (c == '{') {
				if (p->pos >= p->len || p->s[p->pos] != '"')
					return jerr(p);
				if ((s = parse_string(p)) == NULL ||
				    (k = js_str_intern_str(vm, s)) == NULL)
					return JS_EXC;
				skip_ws(p);
				if (p->pos >= p->len || p->s[p->pos] != ':')
					return jerr(p);
				p->pos++;
				v = parse_value(p);
				if (v.tag == JS_TAG_EXC)
					return JS_EXC;
				if (js_obj_define(vm, o, k, v, JS_P_DEFAULT) ==
				    -1)
					return JS_EXC;
			} else {
				v = parse_value(p);
				if (v.tag == JS_TAG_EXC ||
				    js_arr_push(vm, o, v) == -1)
					return JS_EXC;
			}
			skip_ws(p);
			if (p->pos >= p->len)
				return jerr(p);
			if (p->s[p->pos] == ',') {
				p->pos++;
				continue;
			}
			if (p->s[p->pos] == (c == '{' ? '}' : ']')) {
				p->pos++;
				break;
			}
			return jerr(p);
		}
		p->depth--;
		vm->sp--;
		return js_mkobj(o);
	}
	if (c == '"') {
		if ((s = parse_string(p)) == NULL)
			return JS_EXC;
		return js_mkstr(s);
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p);
	if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) {
		p->pos += 4;
		return js_mkbool(1);
	}
	if (p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0) {
		p->pos += 5;
		return js_mkbool(0);
	}
	if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0) {
		p->pos += 4;
		return JS_NULLV;
	}
	return jerr(p);
}

static struct js_value
revive(struct js_vm *vm, struct js_value holder, struct js_str *key,
    struct js_value reviver, unsigned depth)
{
	struct js_value v, args[2], nv;
	struct js_obj *keys;
	uint32_t i;

	if (depth > JS_JSON_MAX_DEPTH)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Maximum call stack size exceeded");
	v = js_get_key(vm, holder, key);
	if (v.tag == JS_TAG_EXC || js_push(vm, v) == -1)
		return JS_EXC;
	if (JS_ISOBJ(v)) {
		if ((keys = js_own_keys(vm, JS_OBJ(v), 0)) == NULL ||
		    js_push(vm, js_mkobj(keys)) == -1)
			return JS_EXC;
		for (i = 0; i < keys->u.arr.len; i++) {
			struct js_str *k =
			    js_str_intern_str(vm, JS_STR(keys->u.arr.items[i]));
			if (k == NULL)
				return JS_EXC;
			nv = revive(vm, v, k, reviver, depth + 1);
			if (nv.tag == JS_TAG_EXC)
				return JS_EXC;
			if (nv.tag == JS_TAG_UNDEF &&
			    JS_OBJ(v)->cls != JS_CL_ARRAY)
				(void)js_obj_delete(vm, JS_OBJ(v), k);
			else if (js_set_key(vm, v, k, nv) == -1)
				return JS_EXC;
		}
	}
	args[0] = js_mkstr(key);
	args[1] = v;
	return js_call(vm, reviver, holder, 2, args);
}

static struct js_value
json_parse(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jparse p;
	struct js_str *s;
	struct js_value v;
	struct js_obj *root;

	if ((s = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	memset(&p, 0, sizeof(p));
	p.vm = vm;
	p.s = s->data;
	p.len = s->len;
	v = parse_value(&p);
	if (v.tag == JS_TAG_EXC)
		return JS_EXC;
	skip_ws(&p);
	if (p.pos < p.len)
		return js_throw_error(vm, JS_SYNTAX_ERROR,
		    "Unexpected non-whitespace character after JSON at "
		    "position %zu",
		    p.pos);
	if (!js_callable(ARG(1)))
		return v;
	if (js_push(vm, v) == -1 ||
	    (root = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    js_push(vm, js_mkobj(root)) == -1 ||
	    js_obj_define(vm, root, vm->atoms[JS_A_empty], v, JS_P_DEFAULT) ==
		-1)
		return JS_EXC;
	return revive(vm, js_mkobj(root), vm->atoms[JS_A_empty], ARG(1), 0);
}

/* ---- stringify ---- */

struct jout {
	struct js_vm *vm;
	struct buf out;
	struct js_value replacer; /* function or undefined */
	struct js_obj *allow; /* replacer array: keys to keep */
	char gap[11];
	size_t gaplen;
	struct js_obj *stack[JS_JSON_MAX_DEPTH];
	struct js_str *keys[JS_JSON_MAX_DEPTH];
	unsigned depth;
};

static const char *
json_ctor_name(struct js_vm *vm, struct js_obj *o)
{
	struct js_obj *p;
	struct js_prop *pr;

	for (p = o->proto; p != NULL; p = p->proto) {
		pr = js_obj_find(p, vm->atoms[JS_A_constructor]);
		if (pr != NULL && !(pr->flags & JS_P_ACCESSOR) &&
		    js_callable(pr->v))
			return js_fn_name(vm, JS_OBJ(pr->v))->data;
	}
	return "Object";
}

/* V8's message: the path from the repeated object back to itself. */
static void
circular_error(struct jout *j, unsigned from, struct js_str *key)
{
	struct buf b;
	unsigned i;
	int r = 0;

	buf_init(&b);
	r |= buf_printf(&b,
	    "Converting circular structure to JSON\n    --> starting at "
	    "object with constructor '%s'",
	    json_ctor_name(j->vm, j->stack[from]));
	for (i = from + 1; i < j->depth; i++)
		r |= buf_printf(&b,
		    "\n    |     property '%s' -> object with constructor "
		    "'%s'",
		    j->keys[i]->data, json_ctor_name(j->vm, j->stack[i]));
	r |= buf_printf(
	    &b, "\n    --- property '%s' closes the circle", key->data);
	if (r == 0)
		(void)js_throw_error(j->vm, JS_TYPE_ERROR, "%s", buf_cstr(&b));
	else
		j->vm->fatal = 1;
	buf_release(&b);
}

static int
quote(struct buf *b, const struct js_str *s)
{
	size_t i;
	unsigned char c;
	int r = buf_putc(b, '"');

	for (i = 0; i < s->len && r == 0; i++) {
		c = (unsigned char)s->data[i];
		switch (c) {
		case '"':
			r = buf_append_str(b, "\\\"");
			break;
		case '\\':
			r = buf_append_str(b, "\\\\");
			break;
		case '\b':
			r = buf_append_str(b, "\\b");
			break;
		case '\f':
			r = buf_append_str(b, "\\f");
			break;
		case '\n':
			r = buf_append_str(b, "\\n");
			break;
		case '\r':
			r = buf_append_str(b, "\\r");
			break;
		case '\t':
			r = buf_append_str(b, "\\t");
			break;
		default:
			if (c < 0x20)
				r = buf_printf(b, "\\u%04x", c);
			else if (c == 0xed && i + 2 < s->len &&
			    ((unsigned char)s->data[i + 1] & 0xe0) == 0xa0) {
				/* lone surrogate (WTF-8): escape it */
				unsigned u = 0xd000 |
				    (((unsigned char)s->data[i + 1] & 0x3f)
					<< 6) |
				    ((unsigned char)s->data[i + 2] & 0x3f);
				r = buf_printf(b, "\\u%04x", u);
				i += 2;
			} else
				r = buf_putc(b, c);
		}
	}
	return r != 0 ? -1 : buf_putc(b, '"');
}

static int
newline(struct jout *j)
{
	unsigned i;

	if (j->gaplen == 0)
		return 0;
	if (buf_putc(&j->out, '\n') == -1)
		return -1;
	for (i = 0; i < j->depth; i++)
		if (buf_append(&j->out, j->gap, j->gaplen) == -1)
			return -1;
	return 0;
}

/* 1 written, 0 skipped (undefined, function, symbol), -1 error. */
static int ser(struct jout *, struct js_value holder, struct js_str *key,
    struct js_value v);

static int
ser_object(struct jout *j, struct js_obj *o)
{
	struct js_vm *vm = j->vm;
	struct js_obj *keys;
	uint32_t i;
	int any = 0, r;
	size_t mark;

	if (o->cls == JS_CL_ARRAY) {
		if (buf_putc(&j->out, '[') == -1)
			return -1;
		j->depth++;
		for (i = 0; i < o->u.arr.len; i++) {
			struct js_str *k = js_num_to_str(vm, i);
			if (k == NULL)
				return -1;
			if ((i > 0 && buf_putc(&j->out, ',') == -1) ||
			    newline(j) == -1)
				return -1;
			if ((k = js_str_intern_str(vm, k)) == NULL)
				return -1;
			r = ser(j, js_mkobj(o), k,
			    i < o->u.arr.len ? o->u.arr.items[i] : JS_UNDEF);
			if (r == -1)
				return -1;
			if (r == 0 && buf_append_str(&j->out, "null") == -1)
				return -1;
		}
		j->depth--;
		if (o->u.arr.len > 0 && newline(j) == -1)
			return -1;
		return buf_putc(&j->out, ']');
	}
	if (j->allow != NULL)
		keys = j->allow;
	else if ((keys = js_own_keys(vm, o, 0)) == NULL)
		return -1;
	if (js_push(vm, js_mkobj(keys)) == -1)
		return -1;
	if (buf_putc(&j->out, '{') == -1)
		return -1;
	j->depth++;
	for (i = 0; i < keys->u.arr.len; i++) {
		struct js_str *k =
		    js_str_intern_str(vm, JS_STR(keys->u.arr.items[i]));
		struct js_value v;

		if (k == NULL)
			return -1;
		if (j->allow != NULL && js_has_key(vm, js_mkobj(o), k) != 1)
			continue;
		v = js_get_key(vm, js_mkobj(o), k);
		if (v.tag == JS_TAG_EXC)
			return -1;
		mark = j->out.len;
		if ((any && buf_putc(&j->out, ',') == -1) || newline(j) == -1 ||
		    quote(&j->out, k) == -1 || buf_putc(&j->out, ':') == -1 ||
		    (j->gaplen > 0 && buf_putc(&j->out, ' ') == -1))
			return -1;
		r = ser(j, js_mkobj(o), k, v);
		if (r == -1)
			return -1;
		if (r == 0) {
			j->out.len = mark;
			continue;
		}
		any = 1;
	}
	j->depth--;
	if (any && newline(j) == -1)
		return -1;
	return buf_putc(&j->out, '}');
}

static int
ser(struct jout *j, struct js_value holder, struct js_str *key,
    struct js_value v)
{
	struct js_vm *vm = j->vm;
	struct js_value f, args[2];
	struct js_str *s;
	unsigned i;
	int r;

	if (JS_ISOBJ(v)) {
		f = js_get_key(vm, v, vm->atoms[JS_A_toJSON]);
		if (f.tag == JS_TAG_EXC)
			return -1;
		if (js_callable(f)) {
			args[0] = js_mkstr(key);
			v = js_call(vm, f, v, 1, args);
			if (v.tag == JS_TAG_EXC)
				return -1;
		}
	}
	if (js_callable(j->replacer)) {
		args[0] = js_mkstr(key);
		args[1] = v;
		v = js_call(vm, j->replacer, holder, 2, args);
		if (v.tag == JS_TAG_EXC)
			return -1;
	}
	switch (v.tag) {
	case JS_TAG_NULL:
		return buf_append_str(&j->out, "null") == -1 ? -1 : 1;
	case JS_TAG_BOOL:
		return buf_append_str(&j->out, v.u.b ? "true" : "false") == -1
		    ? -1
		    : 1;
	case JS_TAG_NUM:
		if (!isfinite(v.u.num))
			return buf_append_str(&j->out, "null") == -1 ? -1 : 1;
		if ((s = js_num_to_str(vm, v.u.num)) == NULL)
			return -1;
		return buf_append(&j->out, s->data, s->len) == -1 ? -1 : 1;
	case JS_TAG_STR:
		return quote(&j->out, JS_STR(v)) == -1 ? -1 : 1;
	case JS_TAG_OBJ:
		if (js_callable(v))
			return 0;
		for (i = 0; i < j->depth && i < JS_JSON_MAX_DEPTH; i++)
			if (j->stack[i] == JS_OBJ(v)) {
				circular_error(j, i, key);
				return -1;
			}
		if (j->depth >= JS_JSON_MAX_DEPTH) {
			(void)js_throw_error(vm, JS_RANGE_ERROR,
			    "Maximum call stack size exceeded");
			return -1;
		}
		if (js_push(vm, v) == -1)
			return -1;
		j->stack[j->depth] = JS_OBJ(v);
		j->keys[j->depth] = key;
		r = ser_object(j, JS_OBJ(v));
		return r == -1 ? -1 : 1;
	default:
		return 0;
	}
}

static struct js_value
json_stringify(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jout *j;
	struct js_value r, ind = ARG(2), rep = ARG(1);
	struct js_obj *holder;
	int w;
	size_t mark = (size_t)(vm->sp - vm->stack);

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return js_value_oom(vm);
	j->vm = vm;
	j->replacer = JS_UNDEF;
	buf_init(&j->out);
	if (js_callable(rep))
		j->replacer = rep;
	else if (JS_ISCLS(rep, JS_CL_ARRAY)) {
		uint32_t i;
		struct js_obj *ra = JS_OBJ(rep);

		if ((j->allow = js_arr_new(vm, 0)) == NULL ||
		    js_push(vm, js_mkobj(j->allow)) == -1)
			goto fail;
		for (i = 0; i < ra->u.arr.len; i++) {
			struct js_value e = ra->u.arr.items[i];
			struct js_str *k;

			if (e.tag != JS_TAG_STR && e.tag != JS_TAG_NUM)
				continue;
			if ((k = js_to_key(vm, e)) == NULL ||
			    js_arr_push(vm, j->allow, js_mkstr(k)) == -1)
				goto fail;
		}
	}
	if (ind.tag == JS_TAG_NUM) {
		double d = js_to_integer(ind.u.num);
		w = d > 10 ? 10 : d < 1 ? 0 : (int)d;
		memset(j->gap, ' ', (size_t)w);
		j->gaplen = (size_t)w;
	} else if (ind.tag == JS_TAG_STR) {
		j->gaplen = JS_STR(ind)->len > 10 ? 10 : JS_STR(ind)->len;
		memcpy(j->gap, JS_STR(ind)->data, j->gaplen);
	}
	if ((holder = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    js_push(vm, js_mkobj(holder)) == -1 ||
	    js_obj_define(
		vm, holder, vm->atoms[JS_A_empty], ARG(0), JS_P_DEFAULT) == -1)
		goto fail;
	w = ser(j, js_mkobj(holder), vm->atoms[JS_A_empty], ARG(0));
	if (w == -1)
		goto fail;
	if (w == 0)
		r = JS_UNDEF;
	else {
		struct js_str *s =
		    js_str_new(vm, (const char *)j->out.data, j->out.len);
		r = s != NULL ? js_mkstr(s) : JS_EXC;
	}
	buf_release(&j->out);
	free(j);
	vm->sp = vm->stack + mark;
	return r;
fail:
	buf_release(&j->out);
	free(j);
	vm->sp = vm->stack + mark;
	if (!vm->has_exc && !vm->fatal)
		vm->fatal = 1;
	return JS_EXC;
}

int
js_json_init(struct js_vm *vm)
{
	struct js_obj *o, *f;
	struct js_str *k;

	if ((o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    (k = js_str_intern(vm, "JSON", 4)) == NULL ||
	    js_obj_define(vm, vm->global, k, js_mkobj(o), JS_P_HIDDEN) == -1)
		return -1;
	if ((f = js_native_new(vm, "parse", 2, json_parse, 0)) == NULL ||
	    (k = js_str_intern(vm, "parse", 5)) == NULL ||
	    js_obj_define(vm, o, k, js_mkobj(f), JS_P_HIDDEN) == -1)
		return -1;
	if ((f = js_native_new(vm, "stringify", 3, json_stringify, 0)) ==
		NULL ||
	    (k = js_str_intern(vm, "stringify", 9)) == NULL ||
	    js_obj_define(vm, o, k, js_mkobj(f), JS_P_HIDDEN) == -1)
		return -1;
	return 0;
}
