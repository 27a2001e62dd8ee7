/*
 * Builtin objects of the JavaScript recipe interpreter (ECMA-262 §19-§28
 * subset, plus the WHATWG TextEncoder/TextDecoder and Date.now): Object,
 * Function, Array, String, Number, Boolean, Symbol, Math, errors, Promise,
 * Map, Set, Uint8Array.  Methods are installed from const tables.
 *
 * Security: every length a script controls (repeat, padStart, Array(n),
 * new Uint8Array(n), join results) is checked against JS_MAX_STRING or
 * JS_MAX_ARRAY before allocation; methods that call back into JavaScript
 * keep their temporaries on the VM stack so the collector sees them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "recipe/js_builtins.h"
#include "recipe/js_inspect.h"
#include "recipe/js_json.h"

#define ARG(i) ((i) < argc ? argv[(i)] : JS_UNDEF)
#define NATIVE(name) \
	static struct js_value name(struct js_vm *vm, \
	    struct js_value this_val, int argc, const struct js_value *argv, \
	    void *opaque)

struct method {
	const char *name;
	int nargs;
	js_native_fn *fn;
	int magic;
};

static struct js_str *
intern(struct js_vm *vm, const char *s)
{
	return js_str_intern(vm, s, strlen(s));
}

int
js_builtins_method(struct js_vm *vm, struct js_obj *obj, const char *name,
    int nargs, js_native_fn *fn, int magic)
{
	struct js_obj *f;
	struct js_str *k;

	if ((f = js_native_new(vm, name, nargs, fn, magic)) == NULL ||
	    (k = intern(vm, name)) == NULL)
		return -1;
	return js_obj_define(vm, obj, k, js_mkobj(f), JS_P_HIDDEN);
}

static int
install(struct js_vm *vm, struct js_obj *obj, const struct method *m)
{
	for (; m->name != NULL; m++)
		if (js_builtins_method(
			vm, obj, m->name, m->nargs, m->fn, m->magic) == -1)
			return -1;
	return 0;
}

static int
define_value(struct js_vm *vm, struct js_obj *obj, const char *name,
    struct js_value v, uint32_t flags)
{
	struct js_str *k = intern(vm, name);

	if (k == NULL)
		return -1;
	return js_obj_define(vm, obj, k, v, flags);
}

static struct js_value
mkstr(struct js_vm *vm, const char *s, size_t n)
{
	struct js_str *str = js_str_new(vm, s, n);

	return str != NULL ? js_mkstr(str) : JS_EXC;
}

static struct js_value
type_error(struct js_vm *vm, const char *msg)
{
	return js_throw_error(vm, JS_TYPE_ERROR, "%s", msg);
}

static int
arg_num(struct js_vm *vm, struct js_value v, double *d)
{
	return js_tonum(vm, v, d);
}

/* Relative index (slice, at, splice): negative counts from len. */
static double
rel_index(double d, double len, double dflt, int present)
{
	if (!present)
		return dflt;
	d = js_to_integer(d);
	if (d < 0) {
		d += len;
		return d < 0 ? 0 : d;
	}
	return d > len ? len : d;
}

static struct js_value
call(struct js_vm *vm, struct js_value f, struct js_value th, int argc,
    const struct js_value *argv)
{
	return js_call(vm, f, th, argc, argv);
}

/* ---- Object ---- */

static struct js_obj *
to_object_or_throw(struct js_vm *vm, struct js_value v)
{
	if (JS_ISOBJ(v))
		return JS_OBJ(v);
	(void)js_throw_error(
	    vm, JS_TYPE_ERROR, "Cannot convert undefined or null to object");
	return NULL;
}

NATIVE(object_keys)
{
	struct js_obj *o, *a;
	struct js_value v = ARG(0);

	if (v.tag == JS_TAG_STR) {
		uint32_t i;
		if ((a = js_arr_new(vm, 0)) == NULL)
			return JS_EXC;
		for (i = 0; i < JS_STR(v)->u16len; i++) {
			struct js_str *s = js_num_to_str(vm, i);
			if (s == NULL || js_arr_push(vm, a, js_mkstr(s)) == -1)
				return JS_EXC;
		}
		return js_mkobj(a);
	}
	if (!JS_ISOBJ(v)) {
		if (JS_ISNULLISH(v))
			return to_object_or_throw(vm, v), JS_EXC;
		a = js_arr_new(vm, 0);
		return a != NULL ? js_mkobj(a) : JS_EXC;
	}
	o = JS_OBJ(v);
	if ((a = js_own_keys(vm, o, 0)) == NULL)
		return JS_EXC;
	return js_mkobj(a);
}

/* magic 0 values, 1 entries */
NATIVE(object_values)
{
	struct js_value kv, v, src = ARG(0);
	struct js_obj *keys, *res, *pair;
	uint32_t i;

	kv = object_keys(vm, this_val, argc, argv, opaque);
	if (kv.tag == JS_TAG_EXC || js_push(vm, kv) == -1)
		return JS_EXC;
	keys = JS_OBJ(kv);
	if ((res = js_arr_new(vm, keys->u.arr.len)) == NULL ||
	    js_push(vm, js_mkobj(res)) == -1)
		return JS_EXC;
	for (i = 0; i < keys->u.arr.len; i++) {
		struct js_str *k =
		    js_str_intern_str(vm, JS_STR(keys->u.arr.items[i]));
		if (k == NULL)
			return JS_EXC;
		v = js_get_key(vm, src, k);
		if (v.tag == JS_TAG_EXC)
			return JS_EXC;
		if (vm->cur_native->u.nat.magic == 1) {
			if ((pair = js_arr_new(vm, 2)) == NULL ||
			    js_arr_push(vm, pair, js_mkstr(k)) == -1 ||
			    js_arr_push(vm, pair, v) == -1)
				return JS_EXC;
			v = js_mkobj(pair);
		}
		if (js_arr_push(vm, res, v) == -1)
			return JS_EXC;
	}
	return js_mkobj(res);
}

NATIVE(object_assign)
{
	struct js_obj *dst, *keys;
	struct js_value v;
	int i;
	uint32_t j;

	if ((dst = to_object_or_throw(vm, ARG(0))) == NULL)
		return JS_EXC;
	for (i = 1; i < argc; i++) {
		if (!JS_ISOBJ(argv[i]))
			continue;
		if ((keys = js_own_keys(vm, JS_OBJ(argv[i]), 1)) == NULL ||
		    js_push(vm, js_mkobj(keys)) == -1)
			return JS_EXC;
		for (j = 0; j < keys->u.arr.len; j++) {
			struct js_str *k = js_to_key(vm, keys->u.arr.items[j]);
			if (k == NULL)
				return JS_EXC;
			v = js_get_key(vm, argv[i], k);
			if (v.tag == JS_TAG_EXC ||
			    js_set_key(vm, js_mkobj(dst), k, v) == -1)
				return JS_EXC;
		}
	}
	return js_mkobj(dst);
}

NATIVE(object_freeze)
{
	struct js_value v = ARG(0);

	if (JS_ISOBJ(v)) {
		JS_OBJ(v)->frozen = 1;
		JS_OBJ(v)->extensible = 0;
	}
	return v;
}

NATIVE(object_is)
{
	struct js_value a = ARG(0), b = ARG(1);

	if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM) {
		if (a.u.num != a.u.num)
			return js_mkbool(b.u.num != b.u.num);
		if (a.u.num == 0 && b.u.num == 0)
			return js_mkbool(signbit(a.u.num) == signbit(b.u.num));
	}
	return js_mkbool(js_strict_eq(a, b));
}

NATIVE(object_is_frozen)
{
	struct js_value v = ARG(0);

	return js_mkbool(!JS_ISOBJ(v) || JS_OBJ(v)->frozen);
}

NATIVE(object_from_entries)
{
	struct js_obj *o;
	struct js_value it, e, k, v;
	int r;

	if ((o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    js_push(vm, js_mkobj(o)) == -1)
		return JS_EXC;
	it = js_iter_open(vm, ARG(0));
	if (it.tag == JS_TAG_EXC || js_push(vm, it) == -1)
		return JS_EXC;
	while ((r = js_iter_step(vm, it, &e)) == 1) {
		struct js_str *ks;

		if (js_push(vm, e) == -1)
			return JS_EXC;
		k = js_get_val(vm, e, js_mknum(0));
		if (k.tag == JS_TAG_EXC || js_push(vm, k) == -1)
			return JS_EXC;
		v = js_get_val(vm, e, js_mknum(1));
		if (v.tag == JS_TAG_EXC || (ks = js_to_key(vm, k)) == NULL ||
		    js_obj_define(vm, o, ks, v, JS_P_DEFAULT) == -1)
			return JS_EXC;
		vm->sp -= 2;
	}
	return r == -1 ? JS_EXC : js_mkobj(o);
}

NATIVE(object_create)
{
	struct js_value p = ARG(0);
	struct js_obj *o;

	if (!JS_ISOBJ(p) && p.tag != JS_TAG_NULL)
		return type_error(
		    vm, "Object prototype may only be an Object or null");
	if (argc > 1 && ARG(1).tag != JS_TAG_UNDEF)
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "not supported: Object.create with properties");
	o = js_obj_new(vm, JS_CL_OBJECT, JS_ISOBJ(p) ? JS_OBJ(p) : NULL);
	return o != NULL ? js_mkobj(o) : JS_EXC;
}

static struct js_obj *
proto_of(struct js_vm *vm, struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_OBJ:
		return JS_OBJ(v)->proto;
	case JS_TAG_STR:
		return vm->string_proto;
	case JS_TAG_NUM:
		return vm->number_proto;
	case JS_TAG_BOOL:
		return vm->boolean_proto;
	default:
		return NULL;
	}
}

NATIVE(object_get_prototype_of)
{
	struct js_obj *p;

	if (JS_ISNULLISH(ARG(0)))
		return to_object_or_throw(vm, ARG(0)), JS_EXC;
	p = proto_of(vm, ARG(0));
	return p != NULL ? js_mkobj(p) : JS_NULLV;
}

NATIVE(object_set_prototype_of)
{
	struct js_value o = ARG(0), p = ARG(1);

	if (!JS_ISOBJ(o))
		return o;
	if (JS_ISOBJ(p)) {
		struct js_obj *q;
		for (q = JS_OBJ(p); q != NULL; q = q->proto)
			if (q == JS_OBJ(o))
				return type_error(vm, "Cyclic __proto__ value");
		JS_OBJ(o)->proto = JS_OBJ(p);
	} else if (p.tag == JS_TAG_NULL)
		JS_OBJ(o)->proto = NULL;
	return o;
}

static int
get_flag(struct js_vm *vm, struct js_value desc, const char *name, int *present)
{
	struct js_value v;
	struct js_str *k = intern(vm, name);
	int r;

	if (k == NULL)
		return -1;
	if ((r = js_has_key(vm, desc, k)) <= 0) {
		*present = 0;
		return r;
	}
	*present = 1;
	v = js_get_key(vm, desc, k);
	if (v.tag == JS_TAG_EXC)
		return -1;
	return js_to_bool(v);
}

NATIVE(object_define_property)
{
	struct js_value o = ARG(0), desc = ARG(2), v, g, s;
	struct js_str *k;
	struct js_prop *p;
	uint32_t flags = 0;
	int e, w, c, pe, pw, pc;

	if (!JS_ISOBJ(o))
		return type_error(
		    vm, "Object.defineProperty called on non-object");
	if (!JS_ISOBJ(desc))
		return type_error(vm, "Property description must be an object");
	if ((k = js_to_key(vm, ARG(1))) == NULL ||
	    js_push(vm, js_mkstr(k)) == -1)
		return JS_EXC;
	if ((e = get_flag(vm, desc, "enumerable", &pe)) == -1 ||
	    (w = get_flag(vm, desc, "writable", &pw)) == -1 ||
	    (c = get_flag(vm, desc, "configurable", &pc)) == -1)
		return JS_EXC;
	p = js_obj_find(JS_OBJ(o), k);
	if (p != NULL && !(p->flags & JS_P_CONF))
		return js_throw_error(
		    vm, JS_TYPE_ERROR, "Cannot redefine property: %s", k->data);
	if (p != NULL) {
		flags = p->flags & ~JS_P_ACCESSOR;
		if (pe)
			flags = e ? flags | JS_P_ENUM : flags & ~JS_P_ENUM;
		if (pw)
			flags = w ? flags | JS_P_WRITE : flags & ~JS_P_WRITE;
		if (pc)
			flags = c ? flags | JS_P_CONF : flags & ~JS_P_CONF;
	} else
		flags = (e ? JS_P_ENUM : 0) | (w ? JS_P_WRITE : 0) |
		    (c ? JS_P_CONF : 0);
	g = js_get_key(vm, desc, vm->atoms[JS_A_get]);
	if (g.tag == JS_TAG_EXC || js_push(vm, g) == -1)
		return JS_EXC;
	s = js_get_key(vm, desc, vm->atoms[JS_A_set]);
	if (s.tag == JS_TAG_EXC)
		return JS_EXC;
	if (js_callable(g) || js_callable(s)) {
		struct js_obj *acc = js_obj_new(vm, JS_CL_ACCESSOR, NULL);
		if (acc == NULL)
			return JS_EXC;
		acc->u.acc.get = js_callable(g) ? g : JS_UNDEF;
		acc->u.acc.set = js_callable(s) ? s : JS_UNDEF;
		if (js_obj_define(vm, JS_OBJ(o), k, js_mkobj(acc),
			(flags & ~JS_P_WRITE) | JS_P_ACCESSOR) == -1)
			return JS_EXC;
		return o;
	}
	v = js_get_key(vm, desc, vm->atoms[JS_A_value]);
	if (v.tag == JS_TAG_EXC)
		return JS_EXC;
	if (p != NULL && !(p->flags & JS_P_ACCESSOR) &&
	    !js_has_key(vm, desc, vm->atoms[JS_A_value]))
		v = p->v;
	if (JS_OBJ(o)->cls == JS_CL_ARRAY && js_str_index(k) >= 0) {
		if (js_set_key(vm, o, k, v) == -1)
			return JS_EXC;
		return o;
	}
	if (js_obj_define(vm, JS_OBJ(o), k, v, flags) == -1)
		return JS_EXC;
	return o;
}

NATIVE(object_get_own_property_names)
{
	struct js_obj *o, *a;
	uint32_t i;

	if ((o = to_object_or_throw(vm, ARG(0))) == NULL)
		return JS_EXC;
	if ((a = js_own_keys(vm, o, 0)) == NULL)
		return JS_EXC;
	for (i = 0; i < o->nprops; i++)
		if (!(o->props[i].flags & JS_P_ENUM) &&
		    o->props[i].key->interned &&
		    js_arr_push(vm, a, js_mkstr(o->props[i].key)) == -1)
			return JS_EXC;
	if (o->cls == JS_CL_ARRAY &&
	    js_arr_push(vm, a, js_mkstr(vm->atoms[JS_A_length])) == -1)
		return JS_EXC;
	return js_mkobj(a);
}

static int
has_own(struct js_vm *vm, struct js_value o, struct js_str *k)
{
	struct js_obj *obj;
	int64_t i;

	if (!JS_ISOBJ(o))
		return o.tag == JS_TAG_STR &&
		    (k == vm->atoms[JS_A_length] ||
			((i = js_str_index(k)) >= 0 && i < JS_STR(o)->u16len));
	obj = JS_OBJ(o);
	if (js_obj_find(obj, k) != NULL)
		return 1;
	if (obj->cls == JS_CL_ARRAY)
		return k == vm->atoms[JS_A_length] ||
		    ((i = js_str_index(k)) >= 0 && i < obj->u.arr.len);
	if (obj->cls == JS_CL_U8)
		return (i = js_str_index(k)) >= 0 && i < obj->u.u8.len;
	return 0;
}

NATIVE(object_has_own)
{
	struct js_str *k;

	if (JS_ISNULLISH(ARG(0)))
		return to_object_or_throw(vm, ARG(0)), JS_EXC;
	if ((k = js_to_key(vm, ARG(1))) == NULL)
		return JS_EXC;
	return js_mkbool(has_own(vm, ARG(0), k));
}

NATIVE(objproto_has_own)
{
	struct js_str *k;

	if ((k = js_to_key(vm, ARG(0))) == NULL)
		return JS_EXC;
	return js_mkbool(has_own(vm, this_val, k));
}

NATIVE(objproto_is_prototype_of)
{
	struct js_obj *o;

	if (!JS_ISOBJ(ARG(0)) || !JS_ISOBJ(this_val))
		return js_mkbool(0);
	for (o = JS_OBJ(ARG(0))->proto; o != NULL; o = o->proto)
		if (o == JS_OBJ(this_val))
			return js_mkbool(1);
	return js_mkbool(0);
}

NATIVE(objproto_to_string)
{
	const char *t = "Object";

	if (this_val.tag == JS_TAG_UNDEF)
		t = "Undefined";
	else if (this_val.tag == JS_TAG_NULL)
		t = "Null";
	else if (this_val.tag == JS_TAG_NUM)
		t = "Number";
	else if (this_val.tag == JS_TAG_STR)
		t = "String";
	else if (this_val.tag == JS_TAG_BOOL)
		t = "Boolean";
	else if (JS_ISCLS(this_val, JS_CL_ARRAY))
		t = "Array";
	else if (js_callable(this_val))
		t = "Function";
	else if (JS_ISCLS(this_val, JS_CL_ERROR))
		t = "Error";
	else if (JS_ISCLS(this_val, JS_CL_PROMISE))
		t = "Promise";
	else if (JS_ISCLS(this_val, JS_CL_MAP))
		t = "Map";
	else if (JS_ISCLS(this_val, JS_CL_SET))
		t = "Set";
	else if (JS_ISCLS(this_val, JS_CL_U8))
		t = "Uint8Array";
	{
		char b[64];
		int n = snprintf(b, sizeof(b), "[object %s]", t);
		return mkstr(vm, b, (size_t)n);
	}
}

NATIVE(objproto_value_of)
{
	return this_val;
}

NATIVE(object_ctor)
{
	struct js_value v = ARG(0);
	struct js_obj *o;

	if (JS_ISOBJ(v))
		return v;
	if (!JS_ISNULLISH(v))
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "not supported: wrapper objects (Object(primitive))");
	o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto);
	return o != NULL ? js_mkobj(o) : JS_EXC;
}

static const struct method object_methods[] = {
	{ "keys", 1, object_keys, 0 },
	{ "values", 1, object_values, 0 },
	{ "entries", 1, object_values, 1 },
	{ "assign", 2, object_assign, 0 },
	{ "freeze", 1, object_freeze, 0 },
	{ "isFrozen", 1, object_is_frozen, 0 },
	{ "is", 2, object_is, 0 },
	{ "fromEntries", 1, object_from_entries, 0 },
	{ "create", 2, object_create, 0 },
	{ "getPrototypeOf", 1, object_get_prototype_of, 0 },
	{ "setPrototypeOf", 2, object_set_prototype_of, 0 },
	{ "defineProperty", 3, object_define_property, 0 },
	{ "getOwnPropertyNames", 1, object_get_own_property_names, 0 },
	{ "hasOwn", 2, object_has_own, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct method objproto_methods[] = {
	{ "hasOwnProperty", 1, objproto_has_own, 0 },
	{ "isPrototypeOf", 1, objproto_is_prototype_of, 0 },
	{ "toString", 0, objproto_to_string, 0 },
	{ "valueOf", 0, objproto_value_of, 0 },
	{ NULL, 0, NULL, 0 },
};

/* ---- Function ---- */

NATIVE(fn_call)
{
	return call(vm, this_val, ARG(0), argc > 1 ? argc - 1 : 0, argv + 1);
}

NATIVE(fn_apply)
{
	struct js_value a = ARG(1);
	struct js_obj *arr;

	if (JS_ISNULLISH(a))
		return call(vm, this_val, ARG(0), 0, NULL);
	if (!JS_ISCLS(a, JS_CL_ARRAY))
		return type_error(
		    vm, "not supported: apply with a non-array argument list");
	arr = JS_OBJ(a);
	return call(
	    vm, this_val, ARG(0), (int)arr->u.arr.len, arr->u.arr.items);
}

NATIVE(fn_bind)
{
	struct js_obj *b;
	int i, n = argc > 1 ? argc - 1 : 0;

	if (!js_callable(this_val))
		return type_error(vm, "Bind must be called on a function");
	if ((b = js_obj_new(vm, JS_CL_BOUND, vm->function_proto)) == NULL)
		return JS_EXC;
	b->u.bound.target = this_val;
	b->u.bound.this_val = ARG(0);
	if (n > 0) {
		b->u.bound.args =
		    js_value_malloc(vm, (size_t)n * sizeof(struct js_value));
		if (b->u.bound.args == NULL)
			return JS_EXC;
		for (i = 0; i < n; i++)
			b->u.bound.args[i] = argv[i + 1];
		b->u.bound.argc = n;
	}
	return js_mkobj(b);
}

NATIVE(fn_to_string)
{
	struct js_str *n;
	char b[300];
	int len;

	if (!js_callable(this_val))
		return type_error(vm,
		    "Function.prototype.toString requires "
		    "that 'this' be a Function");
	n = js_fn_name(vm, JS_OBJ(this_val));
	len = snprintf(
	    b, sizeof(b), "function %.200s() { [native code] }", n->data);
	return mkstr(vm, b, (size_t)len);
}

static const struct method fnproto_methods[] = {
	{ "call", 1, fn_call, 0 },
	{ "apply", 2, fn_apply, 0 },
	{ "bind", 1, fn_bind, 0 },
	{ "toString", 0, fn_to_string, 0 },
	{ NULL, 0, NULL, 0 },
};

/* ---- errors ---- */

NATIVE(error_ctor)
{
	int kind = vm->cur_native->u.nat.magic;
	struct js_value msg = ARG(0), opts = ARG(1), e, cause;
	struct js_str *ms = NULL;

	if (msg.tag != JS_TAG_UNDEF &&
	    ((ms = js_tostr(vm, msg)) == NULL ||
		js_push(vm, js_mkstr(ms)) == -1))
		return JS_EXC;
	if (vm->ctor_call && JS_ISOBJ(this_val) &&
	    JS_OBJ(this_val)->cls == JS_CL_OBJECT) {
		/* super(...) from a class extending an error. */
		struct js_obj *o = JS_OBJ(this_val);

		o->cls = JS_CL_ERROR;
		memset(&o->u, 0, sizeof(o->u));
		if (ms != NULL &&
		    js_obj_define(vm, o, vm->atoms[JS_A_message], js_mkstr(ms),
			JS_P_HIDDEN) == -1)
			return JS_EXC;
		o->u.err.trace = js_trace(vm);
		{
			struct js_value loc = js_make_error(vm, 0, NULL);
			if (loc.tag == JS_TAG_EXC)
				return JS_EXC;
			o->u.err.loc = JS_OBJ(loc)->u.err.loc;
		}
		e = this_val;
	} else {
		e = js_make_error(vm, kind, ms);
		if (e.tag == JS_TAG_EXC)
			return JS_EXC;
	}
	if (js_push(vm, e) == -1)
		return JS_EXC;
	if (JS_ISOBJ(opts) &&
	    js_has_key(vm, opts, vm->atoms[JS_A_cause]) == 1) {
		cause = js_get_key(vm, opts, vm->atoms[JS_A_cause]);
		if (cause.tag == JS_TAG_EXC ||
		    js_obj_define(vm, JS_OBJ(e), vm->atoms[JS_A_cause], cause,
			JS_P_HIDDEN) == -1)
			return JS_EXC;
	}
	return e;
}

NATIVE(error_to_string)
{
	struct js_value n, m;
	struct js_str *ns, *ms;
	struct buf b;
	struct js_value r;

	if (!JS_ISOBJ(this_val))
		return type_error(vm,
		    "Error.prototype.toString called on "
		    "non-object");
	n = js_get_key(vm, this_val, vm->atoms[JS_A_name]);
	if (n.tag == JS_TAG_EXC)
		return JS_EXC;
	m = js_get_key(vm, this_val, vm->atoms[JS_A_message]);
	if (m.tag == JS_TAG_EXC)
		return JS_EXC;
	ns = n.tag == JS_TAG_UNDEF ? intern(vm, "Error") : js_tostr(vm, n);
	ms = m.tag == JS_TAG_UNDEF ? vm->atoms[JS_A_empty] : js_tostr(vm, m);
	if (ns == NULL || ms == NULL)
		return JS_EXC;
	if (ms->len == 0)
		return js_mkstr(ns);
	if (ns->len == 0)
		return js_mkstr(ms);
	buf_init(&b);
	if (buf_append(&b, ns->data, ns->len) == -1 ||
	    buf_append_str(&b, ": ") == -1 ||
	    buf_append(&b, ms->data, ms->len) == -1) {
		buf_release(&b);
		return js_value_oom(vm);
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

/* ---- Symbol ---- */

NATIVE(symbol_ctor)
{
	struct js_str *d, *s;

	if (vm->ctor_call)
		return type_error(vm, "Symbol is not a constructor");
	if (ARG(0).tag == JS_TAG_UNDEF)
		d = vm->atoms[JS_A_empty];
	else if ((d = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	/* A symbol is a string cell that is never interned: its pointer is
	 * unique. */
	if ((s = js_str_new(vm, d->data, d->len)) == NULL)
		return JS_EXC;
	return (struct js_value){ .tag = JS_TAG_SYM, .u.ptr = s };
}

NATIVE(symbol_to_string)
{
	struct buf b;
	struct js_value r;

	if (this_val.tag != JS_TAG_SYM)
		return type_error(vm, "not a symbol");
	buf_init(&b);
	if (buf_printf(&b, "Symbol(%s)", JS_STR(this_val)->data) == -1) {
		buf_release(&b);
		return js_value_oom(vm);
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

NATIVE(symbol_description)
{
	if (this_val.tag != JS_TAG_SYM)
		return type_error(vm, "not a symbol");
	return js_mkstr(JS_STR(this_val));
}

/* ---- iterators ---- */

/* values()/keys()/entries() of arrays, strings, maps, sets: magic is
 * 1000 + the iterator kind (js_iter_open recognises these). */
NATIVE(make_iter)
{
	int kind = vm->cur_native->u.nat.magic - 1000;
	struct js_obj *it;

	switch (kind) {
	case JS_IT_ARRAY_VALUES:
	case JS_IT_ARRAY_KEYS:
	case JS_IT_ARRAY_ENTRIES:
		if (!JS_ISCLS(this_val, JS_CL_ARRAY) &&
		    !JS_ISCLS(this_val, JS_CL_U8))
			return type_error(vm, "not an array");
		break;
	case JS_IT_STRING:
		if (this_val.tag != JS_TAG_STR)
			return type_error(vm, "not a string");
		break;
	case JS_IT_MAP_KEYS:
	case JS_IT_MAP_VALUES:
	case JS_IT_MAP_ENTRIES:
		if (!JS_ISCLS(this_val, JS_CL_MAP))
			return type_error(vm, "not a Map");
		break;
	default:
		if (!JS_ISCLS(this_val, JS_CL_SET))
			return type_error(vm, "not a Set");
		break;
	}
	if ((it = js_iter_new(vm, this_val, kind)) == NULL)
		return JS_EXC;
	return js_mkobj(it);
}

NATIVE(iter_next)
{
	struct js_value v;
	struct js_obj *r;
	int k;

	if (!JS_ISCLS(this_val, JS_CL_ITER))
		return type_error(vm,
		    "next method called on incompatible "
		    "receiver");
	if ((k = js_iter_step(vm, this_val, &v)) == -1)
		return JS_EXC;
	if ((r = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    js_obj_define(vm, r, vm->atoms[JS_A_value], k ? v : JS_UNDEF,
		JS_P_DEFAULT) == -1 ||
	    js_obj_define(
		vm, r, vm->atoms[JS_A_done], js_mkbool(!k), JS_P_DEFAULT) == -1)
		return JS_EXC;
	return js_mkobj(r);
}

NATIVE(iter_self)
{
	return this_val;
}

/* ---- Array ---- */

static struct js_obj *
this_array(struct js_vm *vm, struct js_value v)
{
	if (JS_ISCLS(v, JS_CL_ARRAY))
		return JS_OBJ(v);
	(void)js_throw_error(
	    vm, JS_TYPE_ERROR, "not supported: array method on a non-array");
	return NULL;
}

static int
check_frozen(struct js_vm *vm, struct js_obj *a)
{
	if (!a->frozen)
		return 0;
	(void)js_throw_error(vm, JS_TYPE_ERROR,
	    "Cannot add property %u, object is not extensible", a->u.arr.len);
	return -1;
}

NATIVE(array_is_array)
{
	return js_mkbool(JS_ISCLS(ARG(0), JS_CL_ARRAY));
}

NATIVE(array_ctor)
{
	struct js_obj *a;
	int i;
	double d;

	if (argc == 1 && argv[0].tag == JS_TAG_NUM) {
		d = argv[0].u.num;
		if (d < 0 || d != floor(d) || d > 4294967295.0)
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "Invalid array length");
		if (d > JS_MAX_ARRAY)
			return js_throw_error(vm, JS_RANGE_ERROR,
			    "array length exceeds the limit");
		if ((a = js_arr_new(vm, 0)) == NULL ||
		    js_arr_setlen(vm, a, (uint32_t)d) == -1)
			return JS_EXC;
		return js_mkobj(a);
	}
	if ((a = js_arr_new(vm, (uint32_t)argc)) == NULL)
		return JS_EXC;
	for (i = 0; i < argc; i++)
		if (js_arr_push(vm, a, argv[i]) == -1)
			return JS_EXC;
	return js_mkobj(a);
}

NATIVE(array_of)
{
	struct js_obj *a;
	int i;

	if ((a = js_arr_new(vm, (uint32_t)argc)) == NULL)
		return JS_EXC;
	for (i = 0; i < argc; i++)
		if (js_arr_push(vm, a, argv[i]) == -1)
			return JS_EXC;
	return js_mkobj(a);
}

NATIVE(array_from)
{
	struct js_value src = ARG(0), fn = ARG(1), it, v, args[2];
	struct js_obj *a;
	uint32_t i = 0;
	int r;

	if (fn.tag != JS_TAG_UNDEF && !js_callable(fn))
		return type_error(vm,
		    "Array.from: when provided, the second "
		    "argument must be a function");
	if (JS_ISNULLISH(src))
		return type_error(vm,
		    "Array.from requires an array-like or "
		    "iterable object");
	if ((a = js_arr_new(vm, 0)) == NULL || js_push(vm, js_mkobj(a)) == -1)
		return JS_EXC;
	if (src.tag == JS_TAG_STR ||
	    (JS_ISOBJ(src) &&
		js_has_key(vm, src, JS_STR(vm->sym_iterator)) == 1)) {
		it = js_iter_open(vm, src);
		if (it.tag == JS_TAG_EXC || js_push(vm, it) == -1)
			return JS_EXC;
		while ((r = js_iter_step(vm, it, &v)) == 1) {
			if (js_callable(fn)) {
				args[0] = v;
				args[1] = js_mknum(i);
				v = call(vm, fn, ARG(2), 2, args);
				if (v.tag == JS_TAG_EXC)
					return JS_EXC;
			}
			if (js_arr_push(vm, a, v) == -1)
				return JS_EXC;
			i++;
		}
		return r == -1 ? JS_EXC : js_mkobj(a);
	}
	if (JS_ISOBJ(src)) {
		double len;
		v = js_get_key(vm, src, vm->atoms[JS_A_length]);
		if (v.tag == JS_TAG_EXC || js_tonum(vm, v, &len) == -1)
			return JS_EXC;
		len = js_to_integer(len);
		if (len < 0 || len != len)
			len = 0;
		if (len > JS_MAX_ARRAY)
			return js_throw_error(vm, JS_RANGE_ERROR,
			    "array length exceeds the limit");
		for (i = 0; i < (uint32_t)len; i++) {
			v = js_get_val(vm, src, js_mknum(i));
			if (v.tag == JS_TAG_EXC)
				return JS_EXC;
			if (js_callable(fn)) {
				args[0] = v;
				args[1] = js_mknum(i);
				v = call(vm, fn, ARG(2), 2, args);
				if (v.tag == JS_TAG_EXC)
					return JS_EXC;
			}
			if (js_arr_push(vm, a, v) == -1)
				return JS_EXC;
		}
	}
	return js_mkobj(a);
}

NATIVE(array_push)
{
	struct js_obj *a = this_array(vm, this_val);
	int i;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	for (i = 0; i < argc; i++)
		if (js_arr_push(vm, a, argv[i]) == -1)
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "Invalid array length");
	return js_mknum(a->u.arr.len);
}

NATIVE(array_pop)
{
	struct js_obj *a = this_array(vm, this_val);

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	if (a->u.arr.len == 0)
		return JS_UNDEF;
	return a->u.arr.items[--a->u.arr.len];
}

NATIVE(array_shift)
{
	struct js_obj *a = this_array(vm, this_val);
	struct js_value v;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	if (a->u.arr.len == 0)
		return JS_UNDEF;
	v = a->u.arr.items[0];
	memmove(
	    a->u.arr.items, a->u.arr.items + 1, (a->u.arr.len - 1) * sizeof(v));
	a->u.arr.len--;
	return v;
}

NATIVE(array_unshift)
{
	struct js_obj *a = this_array(vm, this_val);
	uint32_t n;
	int i;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	n = a->u.arr.len;
	if (argc == 0)
		return js_mknum(n);
	if (js_arr_setlen(vm, a, n + (uint32_t)argc) == -1)
		return JS_EXC;
	memmove(
	    a->u.arr.items + argc, a->u.arr.items, n * sizeof(struct js_value));
	for (i = 0; i < argc; i++)
		a->u.arr.items[i] = argv[i];
	return js_mknum(a->u.arr.len);
}

NATIVE(array_slice)
{
	struct js_obj *a = this_array(vm, this_val), *r;
	double s = 0, e = 0, len;
	uint32_t i;

	if (a == NULL)
		return JS_EXC;
	len = a->u.arr.len;
	if ((argc > 0 && arg_num(vm, argv[0], &s) == -1) ||
	    (argc > 1 && ARG(1).tag != JS_TAG_UNDEF &&
		arg_num(vm, argv[1], &e) == -1))
		return JS_EXC;
	s = rel_index(s, len, 0, argc > 0);
	e = rel_index(e, len, len, argc > 1 && ARG(1).tag != JS_TAG_UNDEF);
	if ((r = js_arr_new(vm, e > s ? (uint32_t)(e - s) : 0)) == NULL)
		return JS_EXC;
	for (i = (uint32_t)s; i < (uint32_t)e && i < a->u.arr.len; i++)
		if (js_arr_push(vm, r, a->u.arr.items[i]) == -1)
			return JS_EXC;
	return js_mkobj(r);
}

NATIVE(array_splice)
{
	struct js_obj *a = this_array(vm, this_val), *r;
	double s = 0, dc, len;
	uint32_t start, del, ins, i, n;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	len = a->u.arr.len;
	if (argc > 0 && arg_num(vm, argv[0], &s) == -1)
		return JS_EXC;
	s = rel_index(s, len, 0, argc > 0);
	if (argc == 0)
		dc = 0;
	else if (argc == 1)
		dc = len - s;
	else {
		if (arg_num(vm, argv[1], &dc) == -1)
			return JS_EXC;
		dc = js_to_integer(dc);
		if (dc < 0)
			dc = 0;
		if (dc > len - s)
			dc = len - s;
	}
	start = (uint32_t)s;
	del = (uint32_t)dc;
	ins = argc > 2 ? (uint32_t)argc - 2 : 0;
	if ((r = js_arr_new(vm, del)) == NULL)
		return JS_EXC;
	for (i = 0; i < del; i++)
		if (js_arr_push(vm, r, a->u.arr.items[start + i]) == -1)
			return JS_EXC;
	n = a->u.arr.len;
	if (ins > del) {
		if (js_arr_setlen(vm, a, n + ins - del) == -1)
			return JS_EXC;
	}
	memmove(a->u.arr.items + start + ins, a->u.arr.items + start + del,
	    (n - start - del) * sizeof(struct js_value));
	for (i = 0; i < ins; i++)
		a->u.arr.items[start + i] = argv[2 + i];
	a->u.arr.len = n - del + ins;
	return js_mkobj(r);
}

NATIVE(array_concat)
{
	struct js_obj *a = this_array(vm, this_val), *r;
	uint32_t i;
	int k;

	if (a == NULL)
		return JS_EXC;
	if ((r = js_arr_new(vm, a->u.arr.len)) == NULL)
		return JS_EXC;
	for (i = 0; i < a->u.arr.len; i++)
		if (js_arr_push(vm, r, a->u.arr.items[i]) == -1)
			return JS_EXC;
	for (k = 0; k < argc; k++) {
		if (JS_ISCLS(argv[k], JS_CL_ARRAY)) {
			struct js_obj *b = JS_OBJ(argv[k]);
			for (i = 0; i < b->u.arr.len; i++)
				if (js_arr_push(vm, r, b->u.arr.items[i]) == -1)
					return JS_EXC;
		} else if (js_arr_push(vm, r, argv[k]) == -1)
			return JS_EXC;
	}
	return js_mkobj(r);
}

static struct js_value
join_array(struct js_vm *vm, struct js_obj *a, struct js_str *sep, int depth)
{
	struct buf b;
	uint32_t i;
	struct js_str *s;
	struct js_value v, r;

	if (depth > 64)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Maximum call stack size exceeded");
	buf_init(&b);
	for (i = 0; i < a->u.arr.len; i++) {
		if (i > 0 && buf_append(&b, sep->data, sep->len) == -1)
			goto oom;
		v = a->u.arr.items[i];
		if (JS_ISNULLISH(v))
			continue;
		if (JS_ISCLS(v, JS_CL_ARRAY)) {
			if (JS_OBJ(v) == a)
				continue;
			r = join_array(
			    vm, JS_OBJ(v), intern(vm, ","), depth + 1);
			if (r.tag == JS_TAG_EXC) {
				buf_release(&b);
				return JS_EXC;
			}
			s = JS_STR(r);
		} else if ((s = js_tostr(vm, v)) == NULL) {
			buf_release(&b);
			return JS_EXC;
		}
		if (buf_append(&b, s->data, s->len) == -1)
			goto oom;
		if (b.len > JS_MAX_STRING) {
			buf_release(&b);
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "Invalid string length");
		}
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

NATIVE(array_join)
{
	struct js_obj *a = this_array(vm, this_val);
	struct js_str *sep;

	if (a == NULL)
		return JS_EXC;
	if (ARG(0).tag == JS_TAG_UNDEF)
		sep = intern(vm, ",");
	else if ((sep = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	if (sep == NULL || js_push(vm, js_mkstr(sep)) == -1)
		return JS_EXC;
	return join_array(vm, a, sep, 0);
}

NATIVE(array_to_string)
{
	if (!JS_ISCLS(this_val, JS_CL_ARRAY))
		return objproto_to_string(vm, this_val, argc, argv, opaque);
	return join_array(vm, JS_OBJ(this_val), intern(vm, ","), 0);
}

NATIVE(array_reverse)
{
	struct js_obj *a = this_array(vm, this_val);
	uint32_t i, n;
	struct js_value t;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	n = a->u.arr.len;
	for (i = 0; i < n / 2; i++) {
		t = a->u.arr.items[i];
		a->u.arr.items[i] = a->u.arr.items[n - 1 - i];
		a->u.arr.items[n - 1 - i] = t;
	}
	return this_val;
}

/* magic: 0 indexOf, 1 lastIndexOf, 2 includes */
NATIVE(array_index_of)
{
	struct js_obj *a = this_array(vm, this_val);
	int magic = vm->cur_native->u.nat.magic;
	double from = 0, len;
	int64_t i;

	if (a == NULL)
		return JS_EXC;
	len = a->u.arr.len;
	if (argc > 1 && arg_num(vm, argv[1], &from) == -1)
		return JS_EXC;
	if (magic == 1) {
		from = argc > 1 ? js_to_integer(from) : len - 1;
		if (from < 0)
			from += len;
		for (i = (int64_t)(from >= len ? len - 1 : from); i >= 0; i--)
			if (js_strict_eq(a->u.arr.items[i], ARG(0)))
				return js_mknum((double)i);
		return js_mknum(-1);
	}
	from = rel_index(from, len, 0, argc > 1);
	for (i = (int64_t)from; i < a->u.arr.len; i++) {
		if (magic == 2 ? js_same_value_zero(a->u.arr.items[i], ARG(0))
			       : js_strict_eq(a->u.arr.items[i], ARG(0)))
			return magic == 2 ? js_mkbool(1) : js_mknum((double)i);
	}
	return magic == 2 ? js_mkbool(0) : js_mknum(-1);
}

enum {
	IT_FOREACH,
	IT_MAP,
	IT_FILTER,
	IT_FIND,
	IT_FINDINDEX,
	IT_SOME,
	IT_EVERY,
	IT_FINDLAST,
	IT_FINDLASTINDEX
};

NATIVE(array_iterate)
{
	struct js_obj *a = this_array(vm, this_val), *r = NULL;
	int magic = vm->cur_native->u.nat.magic;
	struct js_value fn = ARG(0), args[3], v, res;
	uint32_t len, i, k;
	int back = magic == IT_FINDLAST || magic == IT_FINDLASTINDEX;

	if (a == NULL)
		return JS_EXC;
	if (!js_callable(fn)) {
		struct js_str *s = js_tostr(vm, fn);
		return js_throw_error(vm, JS_TYPE_ERROR, "%s is not a function",
		    s != NULL ? s->data : "callback");
	}
	len = a->u.arr.len;
	if (magic == IT_MAP || magic == IT_FILTER) {
		if ((r = js_arr_new(vm, magic == IT_MAP ? len : 0)) == NULL ||
		    js_push(vm, js_mkobj(r)) == -1)
			return JS_EXC;
	}
	for (k = 0; k < len; k++) {
		i = back ? len - 1 - k : k;
		if (i >= a->u.arr.len) {
			if (magic == IT_MAP &&
			    js_arr_push(vm, r, JS_UNDEF) == -1)
				return JS_EXC;
			continue;
		}
		v = a->u.arr.items[i];
		args[0] = v;
		args[1] = js_mknum(i);
		args[2] = this_val;
		res = call(vm, fn, ARG(1), 3, args);
		if (res.tag == JS_TAG_EXC)
			return JS_EXC;
		switch (magic) {
		case IT_MAP:
			if (js_arr_push(vm, r, res) == -1)
				return JS_EXC;
			break;
		case IT_FILTER:
			if (js_to_bool(res) && js_arr_push(vm, r, v) == -1)
				return JS_EXC;
			break;
		case IT_FIND:
		case IT_FINDLAST:
			if (js_to_bool(res))
				return v;
			break;
		case IT_FINDINDEX:
		case IT_FINDLASTINDEX:
			if (js_to_bool(res))
				return js_mknum(i);
			break;
		case IT_SOME:
			if (js_to_bool(res))
				return js_mkbool(1);
			break;
		case IT_EVERY:
			if (!js_to_bool(res))
				return js_mkbool(0);
			break;
		default:
			break;
		}
	}
	switch (magic) {
	case IT_MAP:
	case IT_FILTER:
		return js_mkobj(r);
	case IT_FINDINDEX:
	case IT_FINDLASTINDEX:
		return js_mknum(-1);
	case IT_SOME:
		return js_mkbool(0);
	case IT_EVERY:
		return js_mkbool(1);
	default:
		return JS_UNDEF;
	}
}

/* magic 0 reduce, 1 reduceRight */
NATIVE(array_reduce)
{
	struct js_obj *a = this_array(vm, this_val);
	struct js_value fn = ARG(0), acc, args[4];
	uint32_t len, k = 0, i;
	int right = vm->cur_native->u.nat.magic;

	if (a == NULL)
		return JS_EXC;
	if (!js_callable(fn))
		return type_error(vm, "reduce callback is not a function");
	len = a->u.arr.len;
	if (argc > 1)
		acc = argv[1];
	else {
		if (len == 0)
			return type_error(
			    vm, "Reduce of empty array with no initial value");
		acc = a->u.arr.items[right ? len - 1 : 0];
		k = 1;
	}
	for (; k < len; k++) {
		i = right ? len - 1 - k : k;
		if (i >= a->u.arr.len)
			continue;
		args[0] = acc;
		args[1] = a->u.arr.items[i];
		args[2] = js_mknum(i);
		args[3] = this_val;
		acc = call(vm, fn, JS_UNDEF, 4, args);
		if (acc.tag == JS_TAG_EXC)
			return JS_EXC;
		/* keep the accumulator alive across the next call */
		if (js_push(vm, acc) == -1)
			return JS_EXC;
	}
	return acc;
}

struct sort_ctx {
	struct js_vm *vm;
	struct js_value cmp;
	struct js_str **keys; /* default order: string forms */
	int failed;
};

/* Returns < 0 when a sorts before b. */
static int
sort_cmp(struct sort_ctx *c, struct js_value a, struct js_value b,
    struct js_str *ka, struct js_str *kb)
{
	struct js_value args[2], r;
	double d;

	if (a.tag == JS_TAG_UNDEF)
		return b.tag == JS_TAG_UNDEF ? 0 : 1;
	if (b.tag == JS_TAG_UNDEF)
		return -1;
	if (c->cmp.tag == JS_TAG_UNDEF)
		return js_str_cmp(ka, kb);
	args[0] = a;
	args[1] = b;
	r = js_call(c->vm, c->cmp, JS_UNDEF, 2, args);
	if (r.tag == JS_TAG_EXC || js_tonum(c->vm, r, &d) == -1) {
		c->failed = 1;
		return 0;
	}
	return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/* Stable merge sort of idx[0..n) by the values they index. */
static void
merge_sort(struct sort_ctx *c, const struct js_value *vals, uint32_t *idx,
    uint32_t *tmp, uint32_t n)
{
	uint32_t w, i, l, m, r, a, b, k;

	for (w = 1; w < n && !c->failed; w *= 2) {
		for (i = 0; i < n && !c->failed; i += 2 * w) {
			l = i;
			m = i + w < n ? i + w : n;
			r = i + 2 * w < n ? i + 2 * w : n;
			a = l;
			b = m;
			k = l;
			while (a < m && b < r && !c->failed) {
				if (sort_cmp(c, vals[idx[b]], vals[idx[a]],
					c->keys ? c->keys[idx[b]] : NULL,
					c->keys ? c->keys[idx[a]] : NULL) < 0)
					tmp[k++] = idx[b++];
				else
					tmp[k++] = idx[a++];
			}
			while (a < m)
				tmp[k++] = idx[a++];
			while (b < r)
				tmp[k++] = idx[b++];
		}
		memcpy(idx, tmp, n * sizeof(*idx));
	}
}

NATIVE(array_sort)
{
	struct js_obj *a = this_array(vm, this_val), *keep, *skeys = NULL;
	struct sort_ctx c;
	uint32_t n, i, *idx = NULL, *tmp = NULL;
	struct js_value *vals;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	if (ARG(0).tag != JS_TAG_UNDEF && !js_callable(ARG(0)))
		return type_error(vm,
		    "The comparison function must be either "
		    "a function or undefined");
	n = a->u.arr.len;
	if (n < 2)
		return this_val;
	/* A copy on the stack keeps the values alive whatever the
	 * comparator does to the array. */
	if ((keep = js_arr_new(vm, n)) == NULL ||
	    js_push(vm, js_mkobj(keep)) == -1)
		return JS_EXC;
	for (i = 0; i < n; i++)
		keep->u.arr.items[i] = a->u.arr.items[i];
	keep->u.arr.len = n;
	vals = keep->u.arr.items;
	memset(&c, 0, sizeof(c));
	c.vm = vm;
	c.cmp = ARG(0);
	if (c.cmp.tag == JS_TAG_UNDEF) {
		if ((skeys = js_arr_new(vm, n)) == NULL ||
		    js_push(vm, js_mkobj(skeys)) == -1)
			return JS_EXC;
		if ((c.keys = calloc(n, sizeof(*c.keys))) == NULL)
			return js_value_oom(vm);
		for (i = 0; i < n; i++) {
			struct js_str *s = vals[i].tag == JS_TAG_UNDEF
			    ? vm->atoms[JS_A_undefined]
			    : js_tostr(vm, vals[i]);
			if (s == NULL ||
			    js_arr_push(vm, skeys, js_mkstr(s)) == -1) {
				free(c.keys);
				return JS_EXC;
			}
			c.keys[i] = s;
		}
	}
	idx = malloc(n * sizeof(*idx));
	tmp = malloc(n * sizeof(*tmp));
	if (idx == NULL || tmp == NULL) {
		free(idx);
		free(tmp);
		free(c.keys);
		return js_value_oom(vm);
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	merge_sort(&c, vals, idx, tmp, n);
	if (!c.failed) {
		if (a->u.arr.len < n && js_arr_setlen(vm, a, n) == -1)
			c.failed = 1;
		for (i = 0; i < n && !c.failed; i++)
			a->u.arr.items[i] = vals[idx[i]];
	}
	free(idx);
	free(tmp);
	free(c.keys);
	return c.failed ? JS_EXC : this_val;
}

static int
flatten(struct js_vm *vm, struct js_obj *dst, struct js_obj *src, double depth)
{
	uint32_t i;
	struct js_value v;

	if (depth > 1000)
		depth = 1000;
	for (i = 0; i < src->u.arr.len; i++) {
		v = src->u.arr.items[i];
		if (depth >= 1 && JS_ISCLS(v, JS_CL_ARRAY)) {
			if (flatten(vm, dst, JS_OBJ(v), depth - 1) == -1)
				return -1;
		} else if (js_arr_push(vm, dst, v) == -1)
			return -1;
	}
	return 0;
}

NATIVE(array_flat)
{
	struct js_obj *a = this_array(vm, this_val), *r;
	double d = 1;

	if (a == NULL)
		return JS_EXC;
	if (ARG(0).tag != JS_TAG_UNDEF && arg_num(vm, ARG(0), &d) == -1)
		return JS_EXC;
	d = js_to_integer(d);
	if ((r = js_arr_new(vm, 0)) == NULL || flatten(vm, r, a, d) == -1)
		return JS_EXC;
	return js_mkobj(r);
}

NATIVE(array_flat_map)
{
	struct js_value m;
	struct js_obj *r;

	/* array_iterate reads its mode from the running native */
	vm->cur_native->u.nat.magic = IT_MAP;
	m = array_iterate(vm, this_val, argc, argv, opaque);
	vm->cur_native->u.nat.magic = 0;
	if (m.tag == JS_TAG_EXC || js_push(vm, m) == -1)
		return JS_EXC;
	if ((r = js_arr_new(vm, 0)) == NULL ||
	    flatten(vm, r, JS_OBJ(m), 1) == -1)
		return JS_EXC;
	return js_mkobj(r);
}

NATIVE(array_fill)
{
	struct js_obj *a = this_array(vm, this_val);
	double s = 0, e = 0, len;
	uint32_t i;

	if (a == NULL || check_frozen(vm, a) == -1)
		return JS_EXC;
	len = a->u.arr.len;
	if ((argc > 1 && arg_num(vm, argv[1], &s) == -1) ||
	    (argc > 2 && ARG(2).tag != JS_TAG_UNDEF &&
		arg_num(vm, argv[2], &e) == -1))
		return JS_EXC;
	s = rel_index(s, len, 0, argc > 1);
	e = rel_index(e, len, len, argc > 2 && ARG(2).tag != JS_TAG_UNDEF);
	for (i = (uint32_t)s; i < (uint32_t)e && i < a->u.arr.len; i++)
		a->u.arr.items[i] = ARG(0);
	return this_val;
}

NATIVE(array_at)
{
	struct js_obj *a = this_array(vm, this_val);
	double d = 0;

	if (a == NULL || arg_num(vm, ARG(0), &d) == -1)
		return JS_EXC;
	d = js_to_integer(d);
	if (d < 0)
		d += a->u.arr.len;
	if (d < 0 || d >= a->u.arr.len)
		return JS_UNDEF;
	return a->u.arr.items[(uint32_t)d];
}

/* ES2023 copying methods: toSorted (magic 0), toReversed (1),
 * with (2). */
NATIVE(array_copying)
{
	struct js_obj *a = this_array(vm, this_val), *r;
	struct js_value rv;
	int magic = vm->cur_native->u.nat.magic;
	double d = 0;
	uint32_t i;

	if (a == NULL)
		return JS_EXC;
	if (magic == 0 && ARG(0).tag != JS_TAG_UNDEF && !js_callable(ARG(0)))
		return type_error(vm,
		    "The comparison function must be either "
		    "a function or undefined");
	if ((r = js_arr_new(vm, a->u.arr.len)) == NULL)
		return JS_EXC;
	for (i = 0; i < a->u.arr.len; i++)
		r->u.arr.items[i] = a->u.arr.items[i];
	r->u.arr.len = a->u.arr.len;
	rv = js_mkobj(r);
	if (js_push(vm, rv) == -1)
		return JS_EXC;
	if (magic == 0)
		return array_sort(vm, rv, argc, argv, opaque);
	if (magic == 1)
		return array_reverse(vm, rv, 0, NULL, opaque);
	if (arg_num(vm, ARG(0), &d) == -1)
		return JS_EXC;
	d = js_to_integer(d);
	if (d < 0)
		d += r->u.arr.len;
	if (d < 0 || d >= r->u.arr.len)
		return js_throw_error(vm, JS_RANGE_ERROR, "Invalid index : %g",
		    js_to_integer(ARG(0).tag == JS_TAG_NUM ? ARG(0).u.num : 0));
	r->u.arr.items[(uint32_t)d] = ARG(1);
	return rv;
}

static const struct method array_methods[] = {
	{ "push", 1, array_push, 0 },
	{ "pop", 0, array_pop, 0 },
	{ "shift", 0, array_shift, 0 },
	{ "unshift", 1, array_unshift, 0 },
	{ "slice", 2, array_slice, 0 },
	{ "splice", 2, array_splice, 0 },
	{ "concat", 1, array_concat, 0 },
	{ "join", 1, array_join, 0 },
	{ "toString", 0, array_to_string, 0 },
	{ "reverse", 0, array_reverse, 0 },
	{ "indexOf", 1, array_index_of, 0 },
	{ "lastIndexOf", 1, array_index_of, 1 },
	{ "includes", 1, array_index_of, 2 },
	{ "forEach", 1, array_iterate, IT_FOREACH },
	{ "map", 1, array_iterate, IT_MAP },
	{ "filter", 1, array_iterate, IT_FILTER },
	{ "find", 1, array_iterate, IT_FIND },
	{ "findIndex", 1, array_iterate, IT_FINDINDEX },
	{ "findLast", 1, array_iterate, IT_FINDLAST },
	{ "findLastIndex", 1, array_iterate, IT_FINDLASTINDEX },
	{ "some", 1, array_iterate, IT_SOME },
	{ "every", 1, array_iterate, IT_EVERY },
	{ "reduce", 1, array_reduce, 0 },
	{ "reduceRight", 1, array_reduce, 1 },
	{ "sort", 1, array_sort, 0 },
	{ "flat", 0, array_flat, 0 },
	{ "flatMap", 1, array_flat_map, 0 },
	{ "fill", 1, array_fill, 0 },
	{ "at", 1, array_at, 0 },
	{ "toSorted", 1, array_copying, 0 },
	{ "toReversed", 0, array_copying, 1 },
	{ "with", 2, array_copying, 2 },
	{ "keys", 0, make_iter, 1000 + JS_IT_ARRAY_KEYS },
	{ "values", 0, make_iter, 1000 + JS_IT_ARRAY_VALUES },
	{ "entries", 0, make_iter, 1000 + JS_IT_ARRAY_ENTRIES },
	{ NULL, 0, NULL, 0 },
};

/* ---- String ---- */

static struct js_str *
this_str(struct js_vm *vm, struct js_value v)
{
	if (v.tag == JS_TAG_STR)
		return JS_STR(v);
	if (JS_ISNULLISH(v)) {
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "String.prototype method called on null or undefined");
		return NULL;
	}
	return js_tostr(vm, v);
}

/* Byte offset of UTF-16 index i in s (i <= u16len). */
static size_t
byte_off(const struct js_str *s, uint32_t i)
{
	size_t b = 0;
	uint32_t k = 0;
	unsigned char c;

	if (s->ascii)
		return i;
	while (b < s->len && k < i) {
		c = (unsigned char)s->data[b];
		if (c < 0x80)
			b += 1, k += 1;
		else if (c < 0xe0)
			b += 2, k += 1;
		else if (c < 0xf0)
			b += 3, k += 1;
		else
			b += 4, k += 2;
	}
	return b > s->len ? s->len : b;
}

/* UTF-16 index of byte offset b. */
static uint32_t
u16_index(const struct js_str *s, size_t b)
{
	size_t i = 0;
	uint32_t k = 0;
	unsigned char c;

	if (s->ascii)
		return (uint32_t)b;
	while (i < b && i < s->len) {
		c = (unsigned char)s->data[i];
		if (c < 0x80)
			i += 1, k += 1;
		else if (c < 0xe0)
			i += 2, k += 1;
		else if (c < 0xf0)
			i += 3, k += 1;
		else
			i += 4, k += 2;
	}
	return k;
}

static int64_t
str_find(const struct js_str *h, const struct js_str *n, size_t from)
{
	size_t i;

	if (n->len == 0)
		return from <= h->len ? (int64_t)from : -1;
	if (n->len > h->len)
		return -1;
	for (i = from; i + n->len <= h->len; i++)
		if (memcmp(h->data + i, n->data, n->len) == 0)
			return (int64_t)i;
	return -1;
}

NATIVE(string_index_of)
{
	struct js_str *s = this_str(vm, this_val), *n;
	double from = 0;
	int64_t r;
	int magic = vm->cur_native->u.nat.magic;

	if (s == NULL || js_push(vm, js_mkstr(s)) == -1 ||
	    (n = js_tostr(vm, ARG(0))) == NULL ||
	    js_push(vm, js_mkstr(n)) == -1)
		return JS_EXC;
	if (argc > 1 && arg_num(vm, argv[1], &from) == -1)
		return JS_EXC;
	from = js_to_integer(from);
	if (magic == 1) {
		/* lastIndexOf */
		size_t i, start;
		double fr = argc > 1 && from == from ? from : s->u16len;

		if (fr < 0)
			fr = 0;
		if (fr > s->u16len)
			fr = s->u16len;
		start = byte_off(s, (uint32_t)fr);
		if (n->len > s->len)
			return js_mknum(-1);
		if (start > s->len - n->len)
			start = s->len - n->len;
		for (i = start + 1; i-- > 0;)
			if (memcmp(s->data + i, n->data, n->len) == 0)
				return js_mknum(u16_index(s, i));
		return js_mknum(-1);
	}
	if (from < 0)
		from = 0;
	if (from > s->u16len)
		from = s->u16len;
	r = str_find(s, n, byte_off(s, (uint32_t)from));
	if (magic == 2)
		return js_mkbool(r >= 0);
	return js_mknum(r < 0 ? -1 : (double)u16_index(s, (size_t)r));
}

/* magic 0 startsWith, 1 endsWith */
NATIVE(string_starts_with)
{
	struct js_str *s = this_str(vm, this_val), *n;
	double pos;
	size_t b;

	if (s == NULL || js_push(vm, js_mkstr(s)) == -1 ||
	    (n = js_tostr(vm, ARG(0))) == NULL ||
	    js_push(vm, js_mkstr(n)) == -1)
		return JS_EXC;
	if (vm->cur_native->u.nat.magic == 0) {
		pos = 0;
		if (argc > 1 && arg_num(vm, argv[1], &pos) == -1)
			return JS_EXC;
		pos = rel_index(
		    js_to_integer(pos) < 0 ? 0 : pos, s->u16len, 0, 1);
		b = byte_off(s, (uint32_t)pos);
		return js_mkbool(b + n->len <= s->len &&
		    memcmp(s->data + b, n->data, n->len) == 0);
	}
	pos = s->u16len;
	if (argc > 1 && ARG(1).tag != JS_TAG_UNDEF &&
	    arg_num(vm, argv[1], &pos) == -1)
		return JS_EXC;
	pos = js_to_integer(pos);
	if (pos < 0)
		pos = 0;
	if (pos > s->u16len)
		pos = s->u16len;
	b = byte_off(s, (uint32_t)pos);
	return js_mkbool(
	    n->len <= b && memcmp(s->data + b - n->len, n->data, n->len) == 0);
}

NATIVE(string_slice)
{
	struct js_str *s = this_str(vm, this_val), *r;
	double a = 0, b = 0;
	int magic = vm->cur_native->u.nat.magic; /* 0 slice, 1 substring,
						    2 substr */

	if (s == NULL)
		return JS_EXC;
	if ((argc > 0 && arg_num(vm, argv[0], &a) == -1) ||
	    (argc > 1 && ARG(1).tag != JS_TAG_UNDEF &&
		arg_num(vm, argv[1], &b) == -1))
		return JS_EXC;
	if (magic == 0) {
		a = rel_index(a, s->u16len, 0, argc > 0);
		b = rel_index(b, s->u16len, s->u16len,
		    argc > 1 && ARG(1).tag != JS_TAG_UNDEF);
	} else if (magic == 1) {
		a = js_to_integer(a);
		b = argc > 1 && ARG(1).tag != JS_TAG_UNDEF ? js_to_integer(b)
							   : s->u16len;
		a = a < 0 ? 0 : a > s->u16len ? s->u16len : a;
		b = b < 0 ? 0 : b > s->u16len ? s->u16len : b;
		if (a > b) {
			double t = a;
			a = b;
			b = t;
		}
	} else {
		a = rel_index(a, s->u16len, 0, argc > 0);
		b = argc > 1 && ARG(1).tag != JS_TAG_UNDEF ? js_to_integer(b)
							   : s->u16len;
		if (b < 0)
			b = 0;
		b = a + b > s->u16len ? s->u16len : a + b;
	}
	if (b <= a)
		return js_mkstr(vm->atoms[JS_A_empty]);
	r = js_str_sub(vm, s, (uint32_t)a, (uint32_t)b);
	return r != NULL ? js_mkstr(r) : JS_EXC;
}

NATIVE(string_char_at)
{
	struct js_str *s = this_str(vm, this_val), *r;
	double d = 0;
	int magic = vm->cur_native->u.nat.magic; /* 0 charAt, 1 charCodeAt,
						    2 at, 3 codePointAt */

	if (s == NULL || (argc > 0 && arg_num(vm, argv[0], &d) == -1))
		return JS_EXC;
	d = js_to_integer(d);
	if (magic == 2 && d < 0)
		d += s->u16len;
	if (d < 0 || d >= s->u16len) {
		if (magic == 0)
			return js_mkstr(vm->atoms[JS_A_empty]);
		return magic == 1 ? js_mknum(NAN) : JS_UNDEF;
	}
	if (magic == 1)
		return js_mknum(js_str_unit(s, (uint32_t)d));
	if (magic == 3) {
		unsigned c = js_str_unit(s, (uint32_t)d);
		if (c >= 0xd800 && c < 0xdc00 && d + 1 < s->u16len) {
			unsigned e = js_str_unit(s, (uint32_t)d + 1);
			if (e >= 0xdc00 && e < 0xe000)
				return js_mknum(0x10000 + ((c - 0xd800) << 10) +
				    (e - 0xdc00));
		}
		return js_mknum(c);
	}
	r = js_str_sub(vm, s, (uint32_t)d, (uint32_t)d + 1);
	return r != NULL ? js_mkstr(r) : JS_EXC;
}

static int
is_space_cp(uint32_t c)
{
	return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000 || c == 0xfeff;
}

/* magic bit 1: trim start, bit 2: trim end */
NATIVE(string_trim)
{
	struct js_str *s = this_str(vm, this_val);
	int magic = vm->cur_native->u.nat.magic;
	uint32_t a = 0, b;

	if (s == NULL)
		return JS_EXC;
	b = s->u16len;
	if (magic & 1)
		while (a < b && is_space_cp(js_str_unit(s, a)))
			a++;
	if (magic & 2)
		while (b > a && is_space_cp(js_str_unit(s, b - 1)))
			b--;
	{
		struct js_str *r = js_str_sub(vm, s, a, b);
		return r != NULL ? js_mkstr(r) : JS_EXC;
	}
}

/* Simple case mapping for ASCII, Latin-1, Latin Extended-A, Greek and
 * Cyrillic (one code point to one, plus ß to SS); other scripts keep
 * their case. */
static uint32_t
map_case(uint32_t c, int upper)
{
	if (upper) {
		if (c >= 'a' && c <= 'z')
			return c - 32;
		if ((c >= 0xe0 && c <= 0xfe && c != 0xf7))
			return c - 32;
		if (c == 0xff)
			return 0x178;
		if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 &&
		    c != 0x138 && c != 0x149 && c != 0x17f) {
			int odd_lower = (c >= 0x139 && c <= 0x148) ||
			    (c >= 0x179 && c <= 0x17e);
			if (odd_lower ? (c & 1) == 0 : (c & 1) == 1)
				return c - 1;
			return c;
		}
		if (c >= 0x3b1 && c <= 0x3c9 && c != 0x3c2)
			return c - 32;
		if (c == 0x3c2)
			return 0x3a3;
		if (c == 0x3ac)
			return 0x386;
		if (c >= 0x3ad && c <= 0x3af)
			return c - 37;
		if (c == 0x3cc)
			return 0x38c;
		if (c == 0x3cd || c == 0x3ce)
			return c - 63;
		if (c >= 0x430 && c <= 0x44f)
			return c - 32;
		if (c >= 0x450 && c <= 0x45f)
			return c - 80;
		return c;
	}
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 32;
	if (c == 0x178)
		return 0xff;
	if (c >= 0x100 && c <= 0x17f && c != 0x130 && c != 0x131 &&
	    c != 0x138 && c != 0x149 && c != 0x17f) {
		int odd_lower =
		    (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e);
		if (odd_lower ? (c & 1) == 1 : (c & 1) == 0)
			return c + 1;
		return c;
	}
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		return c + 32;
	if (c == 0x386)
		return 0x3ac;
	if (c >= 0x388 && c <= 0x38a)
		return c + 37;
	if (c == 0x38c)
		return 0x3cc;
	if (c == 0x38e || c == 0x38f)
		return c + 63;
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

NATIVE(string_case)
{
	struct js_str *s = this_str(vm, this_val);
	struct js_value r;
	struct buf b;
	size_t i = 0;
	int upper = vm->cur_native->u.nat.magic == 0;
	unsigned char c;
	uint32_t cp;

	if (s == NULL)
		return JS_EXC;
	buf_init(&b);
	while (i < s->len) {
		c = (unsigned char)s->data[i];
		if (c < 0x80) {
			cp = c;
			i++;
		} else if (c < 0xe0 && i + 1 < s->len) {
			cp = ((uint32_t)(c & 0x1f) << 6) |
			    ((unsigned char)s->data[i + 1] & 0x3f);
			i += 2;
		} else {
			/* three- and four-byte sequences keep their case */
			size_t n = c >= 0xf0 ? 4 : 3;
			if (i + n > s->len)
				n = s->len - i;
			if (buf_append(&b, s->data + i, n) == -1)
				goto oom;
			i += n;
			continue;
		}
		if (upper && cp == 0xdf) {
			if (buf_append_str(&b, "SS") == -1)
				goto oom;
			continue;
		}
		if (utf8_append(&b, map_case(cp, upper)) == -1)
			goto oom;
	}
	r = mkstr(vm, b.data != NULL ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return r;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

NATIVE(string_repeat)
{
	struct js_str *s = this_str(vm, this_val);
	double n = 0;
	struct buf b;
	struct js_value r;
	uint32_t i;

	if (s == NULL || arg_num(vm, ARG(0), &n) == -1)
		return JS_EXC;
	n = js_to_integer(n);
	if (n < 0 || isinf(n))
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Invalid count value: %g", n);
	if (s->len == 0 || n == 0)
		return js_mkstr(vm->atoms[JS_A_empty]);
	if (n * s->len > JS_MAX_STRING)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Invalid string length");
	buf_init(&b);
	if (buf_reserve(&b, (size_t)n * s->len) == -1)
		return js_value_oom(vm);
	for (i = 0; i < (uint32_t)n; i++)
		if (buf_append(&b, s->data, s->len) == -1) {
			buf_release(&b);
			return js_value_oom(vm);
		}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

/* magic 0 padStart, 1 padEnd */
NATIVE(string_pad)
{
	struct js_str *s = this_str(vm, this_val), *fill, *pad, *r;
	double n = 0;
	uint32_t need, i;
	struct buf b;
	uint16_t *u;

	if (s == NULL || arg_num(vm, ARG(0), &n) == -1)
		return JS_EXC;
	n = js_to_integer(n);
	if (n <= s->u16len)
		return js_mkstr(s);
	if (n > JS_MAX_STRING)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Invalid string length");
	if (ARG(1).tag == JS_TAG_UNDEF)
		fill = intern(vm, " ");
	else if ((fill = js_tostr(vm, ARG(1))) == NULL)
		return JS_EXC;
	if (fill->u16len == 0)
		return js_mkstr(s);
	need = (uint32_t)n - s->u16len;
	if ((u = js_str_u16(vm, fill)) == NULL)
		return JS_EXC;
	{
		uint16_t *pu = malloc(need * sizeof(*pu));
		if (pu == NULL) {
			free(u);
			return js_value_oom(vm);
		}
		for (i = 0; i < need; i++)
			pu[i] = u[i % fill->u16len];
		pad = js_str_from_u16(vm, pu, need);
		free(pu);
	}
	free(u);
	if (pad == NULL)
		return JS_EXC;
	buf_init(&b);
	if (vm->cur_native->u.nat.magic == 0) {
		if (buf_append(&b, pad->data, pad->len) == -1 ||
		    buf_append(&b, s->data, s->len) == -1)
			goto oom;
	} else if (buf_append(&b, s->data, s->len) == -1 ||
	    buf_append(&b, pad->data, pad->len) == -1)
		goto oom;
	r = js_str_new(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r != NULL ? js_mkstr(r) : JS_EXC;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

NATIVE(string_split)
{
	struct js_str *s = this_str(vm, this_val), *sep, *part;
	struct js_obj *a;
	double lim = 4294967295.0;
	size_t i, start;
	int64_t at;
	uint32_t k;

	if (s == NULL)
		return JS_EXC;
	if (argc > 1 && ARG(1).tag != JS_TAG_UNDEF &&
	    arg_num(vm, argv[1], &lim) == -1)
		return JS_EXC;
	if ((a = js_arr_new(vm, 0)) == NULL)
		return JS_EXC;
	if (ARG(0).tag == JS_TAG_UNDEF) {
		if (lim >= 1 && js_arr_push(vm, a, js_mkstr(s)) == -1)
			return JS_EXC;
		return js_mkobj(a);
	}
	if ((sep = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	if (sep->len == 0) {
		for (k = 0; k < s->u16len && a->u.arr.len < lim; k++) {
			if ((part = js_str_sub(vm, s, k, k + 1)) == NULL ||
			    js_arr_push(vm, a, js_mkstr(part)) == -1)
				return JS_EXC;
		}
		return js_mkobj(a);
	}
	start = 0;
	while (a->u.arr.len < lim) {
		at = str_find(s, sep, start);
		i = at < 0 ? s->len : (size_t)at;
		if ((part = js_str_new(vm, s->data + start, i - start)) ==
			NULL ||
		    js_arr_push(vm, a, js_mkstr(part)) == -1)
			return JS_EXC;
		if (at < 0)
			break;
		start = i + sep->len;
	}
	return js_mkobj(a);
}

static int
append_replacement(struct js_vm *vm, struct buf *b, struct js_str *rep,
    struct js_str *s, size_t at, struct js_str *match)
{
	size_t i;

	for (i = 0; i < rep->len; i++) {
		char c = rep->data[i];

		if (c == '$' && i + 1 < rep->len) {
			char d = rep->data[i + 1];
			if (d == '$') {
				if (buf_putc(b, '$') == -1)
					return -1;
				i++;
				continue;
			}
			if (d == '&') {
				if (buf_append(b, match->data, match->len) ==
				    -1)
					return -1;
				i++;
				continue;
			}
			if (d == '`') {
				if (buf_append(b, s->data, at) == -1)
					return -1;
				i++;
				continue;
			}
			if (d == '\'') {
				if (buf_append(b, s->data + at + match->len,
					s->len - at - match->len) == -1)
					return -1;
				i++;
				continue;
			}
		}
		if (buf_putc(b, c) == -1)
			return -1;
	}
	(void)vm;
	return 0;
}

/* magic 0 replace, 1 replaceAll */
NATIVE(string_replace)
{
	struct js_str *s = this_str(vm, this_val), *pat, *rep = NULL, *part;
	struct js_value fn = ARG(1), args[3], r;
	struct buf b;
	size_t start = 0;
	int64_t at;
	int all = vm->cur_native->u.nat.magic;

	if (s == NULL || js_push(vm, js_mkstr(s)) == -1 ||
	    (pat = js_tostr(vm, ARG(0))) == NULL ||
	    js_push(vm, js_mkstr(pat)) == -1)
		return JS_EXC;
	if (!js_callable(fn) && (rep = js_tostr(vm, fn)) == NULL)
		return JS_EXC;
	buf_init(&b);
	for (;;) {
		at = str_find(s, pat, start);
		if (at < 0)
			break;
		if (buf_append(&b, s->data + start, (size_t)at - start) == -1)
			goto oom;
		if (rep != NULL) {
			if (append_replacement(
				vm, &b, rep, s, (size_t)at, pat) == -1)
				goto oom;
		} else {
			args[0] = js_mkstr(pat);
			args[1] = js_mknum(u16_index(s, (size_t)at));
			args[2] = js_mkstr(s);
			r = js_call(vm, fn, JS_UNDEF, 3, args);
			if (r.tag == JS_TAG_EXC ||
			    (part = js_tostr(vm, r)) == NULL) {
				buf_release(&b);
				return JS_EXC;
			}
			if (buf_append(&b, part->data, part->len) == -1)
				goto oom;
		}
		start = (size_t)at + pat->len;
		if (pat->len == 0) {
			if (start >= s->len) {
				start = s->len;
				if (!all)
					break;
				break;
			}
			/* copy one character and move on */
			{
				size_t n = 1;
				unsigned char c = (unsigned char)s->data[start];
				if (c >= 0xf0)
					n = 4;
				else if (c >= 0xe0)
					n = 3;
				else if (c >= 0xc0)
					n = 2;
				if (buf_append(&b, s->data + start, n) == -1)
					goto oom;
				start += n;
			}
		}
		if (!all)
			break;
		if (b.len > JS_MAX_STRING) {
			buf_release(&b);
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "Invalid string length");
		}
	}
	if (buf_append(&b, s->data + start, s->len - start) == -1)
		goto oom;
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

NATIVE(string_concat)
{
	struct js_str *s = this_str(vm, this_val), *t;
	int i;

	if (s == NULL)
		return JS_EXC;
	for (i = 0; i < argc; i++) {
		if (js_push(vm, js_mkstr(s)) == -1 ||
		    (t = js_tostr(vm, argv[i])) == NULL ||
		    (s = js_str_concat(vm, s, t)) == NULL)
			return JS_EXC;
	}
	return js_mkstr(s);
}

NATIVE(string_to_string)
{
	if (this_val.tag != JS_TAG_STR)
		return type_error(vm,
		    "String.prototype.toString requires "
		    "that 'this' be a String");
	return this_val;
}

NATIVE(string_locale_compare)
{
	struct js_str *s = this_str(vm, this_val), *t;

	if (s == NULL || (t = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	return js_mknum(js_str_cmp(s, t));
}

NATIVE(string_normalize)
{
	struct js_str *s = this_str(vm, this_val);

	return s != NULL ? js_mkstr(s) : JS_EXC;
}

NATIVE(string_regex_only)
{
	return js_throw_error(vm, JS_SYNTAX_ERROR, "not supported: RegExp");
}

NATIVE(string_ctor)
{
	struct js_str *s;

	if (vm->ctor_call)
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "not supported: wrapper objects (new String)");
	if (argc == 0)
		return js_mkstr(vm->atoms[JS_A_empty]);
	if (argv[0].tag == JS_TAG_SYM) {
		struct js_value r =
		    symbol_to_string(vm, argv[0], 0, NULL, opaque);
		return r;
	}
	s = js_tostr(vm, argv[0]);
	return s != NULL ? js_mkstr(s) : JS_EXC;
}

NATIVE(string_from_char_code)
{
	uint16_t *u;
	int i;
	double d;
	struct js_str *s;

	if ((u = malloc(((size_t)argc + 1) * sizeof(*u))) == NULL)
		return js_value_oom(vm);
	for (i = 0; i < argc; i++) {
		if (js_tonum(vm, argv[i], &d) == -1) {
			free(u);
			return JS_EXC;
		}
		u[i] = (uint16_t)js_to_uint32(d);
	}
	s = js_str_from_u16(vm, u, (size_t)argc);
	free(u);
	return s != NULL ? js_mkstr(s) : JS_EXC;
}

NATIVE(string_from_code_point)
{
	struct buf b;
	struct js_value r;
	int i;
	double d;

	buf_init(&b);
	for (i = 0; i < argc; i++) {
		if (js_tonum(vm, argv[i], &d) == -1) {
			buf_release(&b);
			return JS_EXC;
		}
		if (d < 0 || d > 0x10ffff || d != floor(d)) {
			buf_release(&b);
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "Invalid code point %g", d);
		}
		if (utf8_append(&b, (uint32_t)d) == -1) {
			buf_release(&b);
			return js_value_oom(vm);
		}
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

NATIVE(string_raw)
{
	struct js_value strs = ARG(0), raw, v;
	struct buf b;
	struct js_str *s;
	double n;
	uint32_t i;

	raw = js_get_key(vm, strs, vm->atoms[JS_A_raw]);
	if (raw.tag == JS_TAG_EXC)
		return JS_EXC;
	v = js_get_key(vm, raw, vm->atoms[JS_A_length]);
	if (v.tag == JS_TAG_EXC || js_tonum(vm, v, &n) == -1)
		return JS_EXC;
	buf_init(&b);
	for (i = 0; i < (uint32_t)js_to_integer(n); i++) {
		v = js_get_val(vm, raw, js_mknum(i));
		if (v.tag == JS_TAG_EXC || (s = js_tostr(vm, v)) == NULL)
			goto fail;
		if (buf_append(&b, s->data, s->len) == -1)
			goto oom;
		if ((int)i + 1 < argc && i + 1 < (uint32_t)js_to_integer(n)) {
			if ((s = js_tostr(vm, argv[i + 1])) == NULL)
				goto fail;
			if (buf_append(&b, s->data, s->len) == -1)
				goto oom;
		}
	}
	v = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return v;
oom:
	buf_release(&b);
	return js_value_oom(vm);
fail:
	buf_release(&b);
	return JS_EXC;
}

static const struct method string_methods[] = {
	{ "indexOf", 1, string_index_of, 0 },
	{ "lastIndexOf", 1, string_index_of, 1 },
	{ "includes", 1, string_index_of, 2 },
	{ "startsWith", 1, string_starts_with, 0 },
	{ "endsWith", 1, string_starts_with, 1 },
	{ "slice", 2, string_slice, 0 },
	{ "substring", 2, string_slice, 1 },
	{ "substr", 2, string_slice, 2 },
	{ "charAt", 1, string_char_at, 0 },
	{ "charCodeAt", 1, string_char_at, 1 },
	{ "at", 1, string_char_at, 2 },
	{ "codePointAt", 1, string_char_at, 3 },
	{ "trim", 0, string_trim, 3 },
	{ "trimStart", 0, string_trim, 1 },
	{ "trimEnd", 0, string_trim, 2 },
	{ "toUpperCase", 0, string_case, 0 },
	{ "toLowerCase", 0, string_case, 1 },
	{ "repeat", 1, string_repeat, 0 },
	{ "padStart", 2, string_pad, 0 },
	{ "padEnd", 2, string_pad, 1 },
	{ "split", 2, string_split, 0 },
	{ "replace", 2, string_replace, 0 },
	{ "replaceAll", 2, string_replace, 1 },
	{ "concat", 1, string_concat, 0 },
	{ "toString", 0, string_to_string, 0 },
	{ "valueOf", 0, string_to_string, 0 },
	{ "localeCompare", 1, string_locale_compare, 0 },
	{ "normalize", 0, string_normalize, 0 },
	{ "match", 1, string_regex_only, 0 },
	{ "matchAll", 1, string_regex_only, 0 },
	{ "search", 1, string_regex_only, 0 },
	{ NULL, 0, NULL, 0 },
};

/* ---- Number, Boolean, globals ---- */

NATIVE(number_ctor)
{
	double d = 0;

	if (vm->ctor_call)
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "not supported: wrapper objects (new Number)");
	if (argc > 0 && js_tonum(vm, argv[0], &d) == -1)
		return JS_EXC;
	return js_mknum(d);
}

NATIVE(boolean_ctor)
{
	if (vm->ctor_call)
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "not supported: wrapper objects (new Boolean)");
	return js_mkbool(js_to_bool(ARG(0)));
}

/* magic 0 isInteger, 1 isFinite, 2 isNaN, 3 isSafeInteger */
NATIVE(number_is)
{
	struct js_value v = ARG(0);
	double d;

	if (v.tag != JS_TAG_NUM)
		return js_mkbool(0);
	d = v.u.num;
	switch (vm->cur_native->u.nat.magic) {
	case 0:
		return js_mkbool(isfinite(d) && d == floor(d));
	case 1:
		return js_mkbool(isfinite(d));
	case 2:
		return js_mkbool(d != d);
	default:
		return js_mkbool(isfinite(d) && d == floor(d) &&
		    fabs(d) <= 9007199254740991.0);
	}
}

/* magic 0 isNaN, 1 isFinite (coercing globals) */
NATIVE(global_is)
{
	double d;

	if (js_tonum(vm, ARG(0), &d) == -1)
		return JS_EXC;
	return js_mkbool(
	    vm->cur_native->u.nat.magic == 0 ? d != d : isfinite(d));
}

/* Skips StrWhiteSpaceChar (ECMA-262 §7.1.4.1) in NUL-terminated UTF-8. */
static const char *
skip_js_space(const char *p)
{
	const unsigned char *u;
	uint32_t c;
	int n;

	for (;;) {
		u = (const unsigned char *)p;
		if (u[0] < 0x80) {
			c = u[0];
			n = 1;
		} else if (u[0] >= 0xc0 && u[0] < 0xe0 && u[1] != 0) {
			c = ((uint32_t)(u[0] & 0x1f) << 6) | (u[1] & 0x3f);
			n = 2;
		} else if (u[0] >= 0xe0 && u[0] < 0xf0 && u[1] != 0 &&
		    u[2] != 0) {
			c = ((uint32_t)(u[0] & 0x0f) << 12) |
			    ((uint32_t)(u[1] & 0x3f) << 6) | (u[2] & 0x3f);
			n = 3;
		} else
			return p;
		if (c == 0 || !is_space_cp(c))
			return p;
		p += n;
	}
}

NATIVE(global_parse_float)
{
	struct js_str *s = js_tostr(vm, ARG(0));
	const char *p, *q;
	char tmp[512];
	size_t n;

	if (s == NULL)
		return JS_EXC;
	p = skip_js_space(s->data);
	q = p;
	if (*q == '+' || *q == '-')
		q++;
	if (strncmp(q, "Infinity", 8) == 0)
		return js_mknum(*p == '-' ? -INFINITY : INFINITY);
	/* longest prefix that is a StrDecimalLiteral */
	{
		const char *e = q;
		int digits = 0;

		while (*e >= '0' && *e <= '9')
			e++, digits++;
		if (*e == '.') {
			e++;
			while (*e >= '0' && *e <= '9')
				e++, digits++;
		}
		if (digits == 0)
			return js_mknum(NAN);
		if (*e == 'e' || *e == 'E') {
			const char *x = e + 1;
			if (*x == '+' || *x == '-')
				x++;
			if (*x >= '0' && *x <= '9') {
				while (*x >= '0' && *x <= '9')
					x++;
				e = x;
			}
		}
		n = (size_t)(e - p);
	}
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return js_mknum(strtod(tmp, NULL));
}

NATIVE(global_parse_int)
{
	struct js_str *s = js_tostr(vm, ARG(0));
	const char *p;
	double radix = 0, v = 0;
	int neg = 0, r, any = 0, d;

	if (s == NULL || (argc > 1 && js_tonum(vm, argv[1], &radix) == -1))
		return JS_EXC;
	p = skip_js_space(s->data);
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	r = (int)js_to_int32(radix);
	if (r == 0) {
		r = 10;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			r = 16;
			p += 2;
		}
	} else if (r < 2 || r > 36)
		return js_mknum(NAN);
	else if (r == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'z')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'Z')
			d = *p - 'A' + 10;
		else
			break;
		if (d >= r)
			break;
		v = v * r + d;
		any = 1;
	}
	if (!any)
		return js_mknum(NAN);
	return js_mknum(neg ? -v : v);
}

/* Number::toString(radix) for radix != 10: V8's DoubleToRadixCString
 * (digits up to the input's precision, round half to even). */
static int
radix_string(double value, int radix, char *buf, size_t cap)
{
	static const char chars[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char b[2200];
	int ic = 1100, fc = 1100, neg = value < 0, digit;
	double integer, fraction, delta, rem;
	int e;

	if (neg)
		value = -value;
	integer = floor(value);
	fraction = value - integer;
	delta = 0.5 * (nextafter(value, INFINITY) - value);
	if (delta < nextafter(0.0, 1.0))
		delta = nextafter(0.0, 1.0);
	if (fraction >= delta) {
		b[fc++] = '.';
		do {
			fraction *= radix;
			delta *= radix;
			digit = (int)fraction;
			b[fc++] = chars[digit];
			fraction -= digit;
			if (fraction > 0.5 ||
			    (fraction == 0.5 && (digit & 1))) {
				if (fraction + delta > 1) {
					for (;;) {
						char c;
						fc--;
						if (fc == 1100) {
							integer += 1;
							break;
						}
						c = b[fc];
						digit = c > '9' ? c - 'a' + 10
								: c - '0';
						if (digit + 1 < radix) {
							b[fc++] =
							    chars[digit + 1];
							break;
						}
					}
					break;
				}
			}
		} while (fraction >= delta && fc < 2190);
	}
	/* integer digits the double cannot represent are zeros */
	for (;;) {
		(void)frexp(integer / radix, &e);
		if (e - 53 <= 0 || ic <= 10)
			break;
		integer /= radix;
		b[--ic] = '0';
	}
	do {
		rem = fmod(integer, radix);
		b[--ic] = chars[(int)rem];
		integer = (integer - rem) / radix;
	} while (integer > 0 && ic > 1);
	if (neg)
		b[--ic] = '-';
	if ((size_t)(fc - ic) >= cap)
		return -1;
	memcpy(buf, b + ic, (size_t)(fc - ic));
	return fc - ic;
}

NATIVE(number_to_string)
{
	double d, radix = 10;
	char b[2200];
	int n;

	if (this_val.tag != JS_TAG_NUM)
		return type_error(vm,
		    "Number.prototype.toString requires that "
		    "'this' be a Number");
	d = this_val.u.num;
	if (argc > 0 && ARG(0).tag != JS_TAG_UNDEF &&
	    js_tonum(vm, argv[0], &radix) == -1)
		return JS_EXC;
	radix = js_to_integer(radix);
	if (radix < 2 || radix > 36)
		return js_throw_error(vm, JS_RANGE_ERROR,
		    "toString() radix must be between 2 and 36");
	if (radix == 10 || d != d || isinf(d) || d == 0) {
		struct js_str *s = js_num_to_str(vm, d);
		return s != NULL ? js_mkstr(s) : JS_EXC;
	}
	if ((n = radix_string(d, (int)radix, b, sizeof(b))) < 0)
		return js_throw_error(vm, JS_RANGE_ERROR, "toString");
	return mkstr(vm, b, (size_t)n);
}

NATIVE(number_to_fixed)
{
	double d, digits = 0;
	char b[400];
	int n;

	if (this_val.tag != JS_TAG_NUM)
		return type_error(vm,
		    "Number.prototype.toFixed requires that "
		    "'this' be a Number");
	d = this_val.u.num;
	if (argc > 0 && js_tonum(vm, argv[0], &digits) == -1)
		return JS_EXC;
	digits = js_to_integer(digits);
	if (digits < 0 || digits > 100)
		return js_throw_error(vm, JS_RANGE_ERROR,
		    "toFixed() digits argument must be between 0 and 100");
	if (d != d || fabs(d) >= 1e21) {
		struct js_str *s = js_num_to_str(vm, d);
		return s != NULL ? js_mkstr(s) : JS_EXC;
	}
	/* Exact decimal digits, then round half up (ECMA-262 §21.1.3.3
	 * picks the larger n on a tie; printf rounds half to even). */
	{
		char ex[600];
		int f = (int)digits, len, dot, i, last, neg = d < 0;
		char *p;

		len = snprintf(ex, sizeof(ex), "%.*f", f + 60, fabs(d));
		if (len <= 0 || len >= (int)sizeof(ex))
			return js_throw_error(vm, JS_RANGE_ERROR, "toFixed");
		p = strchr(ex, '.');
		dot = (int)(p - ex);
		last = f > 0 ? dot + f : dot - 1;
		if (ex[last + 1 + (f == 0 ? 1 : 0)] >= '5' && f >= 0) {
			int round_at = f > 0 ? last : dot - 1;
			int carry = 1;

			for (i = round_at; i >= 0 && carry; i--) {
				if (ex[i] == '.')
					continue;
				if (ex[i] == '9')
					ex[i] = '0';
				else {
					ex[i]++;
					carry = 0;
				}
			}
			n = 0;
			if (neg)
				b[n++] = '-';
			if (carry)
				b[n++] = '1';
			memcpy(b + n, ex, (size_t)(f > 0 ? dot + 1 + f : dot));
			n += f > 0 ? dot + 1 + f : dot;
		} else {
			n = 0;
			if (neg)
				b[n++] = '-';
			memcpy(b + n, ex, (size_t)(f > 0 ? dot + 1 + f : dot));
			n += f > 0 ? dot + 1 + f : dot;
		}
		b[n] = '\0';
	}
	return mkstr(vm, b, (size_t)n);
}

/* The first p significant decimal digits of |x| (x finite, nonzero),
 * rounded half up, and the decimal exponent of the first one. */
static void
sig_digits(double x, int p, char *digits, int *e10)
{
	char b[200], *q;
	int i, k = 0;

	snprintf(b, sizeof(b), "%.*e", p + 29, fabs(x));
	for (q = b; *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[k++] = *q;
	*e10 = atoi(q + 1);
	if (digits[p] >= '5') {
		for (i = p - 1; i >= 0; i--) {
			if (digits[i] == '9')
				digits[i] = '0';
			else {
				digits[i]++;
				break;
			}
		}
		if (i < 0) {
			memmove(digits + 1, digits, (size_t)p);
			digits[0] = '1';
			(*e10)++;
		}
	}
	digits[p] = '\0';
}

/* Shortest round-trip digits of |x| and their exponent. */
static int
shortest_digits(double x, char *digits, int *e10)
{
	char b[64], *q;
	int prec, k = 0;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(b, sizeof(b), "%.*e", prec - 1, fabs(x));
		if (strtod(b, NULL) == fabs(x))
			break;
	}
	for (q = b; *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[k++] = *q;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	*e10 = atoi(q + 1);
	return k;
}

static int
exp_format(char *out, int neg, const char *digits, int n, int e)
{
	int len = 0;

	if (neg)
		out[len++] = '-';
	out[len++] = digits[0];
	if (n > 1) {
		out[len++] = '.';
		memcpy(out + len, digits + 1, (size_t)n - 1);
		len += n - 1;
	}
	len += sprintf(out + len, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	return len;
}

/* magic 0 toPrecision, 1 toExponential */
NATIVE(number_to_precision)
{
	double d, p = 0;
	char digits[200], out[300];
	int n, e, len = 0, i, magic = vm->cur_native->u.nat.magic;

	if (this_val.tag != JS_TAG_NUM)
		return type_error(vm,
		    "Number.prototype method requires that "
		    "'this' be a Number");
	d = this_val.u.num;
	if (ARG(0).tag == JS_TAG_UNDEF && magic == 0) {
		struct js_str *str = js_num_to_str(vm, d);
		return str != NULL ? js_mkstr(str) : JS_EXC;
	}
	if (ARG(0).tag != JS_TAG_UNDEF && js_tonum(vm, ARG(0), &p) == -1)
		return JS_EXC;
	p = js_to_integer(p);
	if (d != d || isinf(d)) {
		struct js_str *str = js_num_to_str(vm, d);
		return str != NULL ? js_mkstr(str) : JS_EXC;
	}
	if (magic == 0 ? (p < 1 || p > 100) : (p < 0 || p > 100))
		return js_throw_error(vm, JS_RANGE_ERROR,
		    "%s() argument must be between %d and 100",
		    magic == 0 ? "toPrecision" : "toExponential", magic == 0);
	if (magic == 1) {
		if (d == 0) {
			memset(digits, '0', (size_t)p + 1);
			n = (int)p + 1;
			e = 0;
		} else if (ARG(0).tag == JS_TAG_UNDEF)
			n = shortest_digits(d, digits, &e);
		else {
			n = (int)p + 1;
			sig_digits(d, n, digits, &e);
		}
		len = exp_format(out, d < 0, digits, n, e);
		return mkstr(vm, out, (size_t)len);
	}
	n = (int)p;
	if (d == 0) {
		memset(digits, '0', (size_t)n);
		e = 0;
	} else
		sig_digits(d, n, digits, &e);
	if (e < -6 || e >= n) {
		len = exp_format(out, d < 0, digits, n, e);
		return mkstr(vm, out, (size_t)len);
	}
	if (d < 0)
		out[len++] = '-';
	if (e >= 0) {
		memcpy(out + len, digits, (size_t)e + 1);
		len += e + 1;
		if (n > e + 1) {
			out[len++] = '.';
			memcpy(out + len, digits + e + 1, (size_t)(n - e - 1));
			len += n - e - 1;
		}
	} else {
		out[len++] = '0';
		out[len++] = '.';
		for (i = 0; i < -e - 1; i++)
			out[len++] = '0';
		memcpy(out + len, digits, (size_t)n);
		len += n;
	}
	return mkstr(vm, out, (size_t)len);
}

NATIVE(number_value_of)
{
	if (this_val.tag != JS_TAG_NUM)
		return type_error(vm,
		    "Number.prototype.valueOf requires that "
		    "'this' be a Number");
	return this_val;
}

NATIVE(boolean_to_string)
{
	if (this_val.tag != JS_TAG_BOOL)
		return type_error(vm,
		    "Boolean.prototype.toString requires "
		    "that 'this' be a Boolean");
	return js_mkstr(vm->atoms[this_val.u.b ? JS_A_true : JS_A_false]);
}

NATIVE(date_now)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return js_mknum(
	    floor((double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6));
}

NATIVE(date_ctor)
{
	return js_throw_error(
	    vm, JS_TYPE_ERROR, "not supported: Date objects (only Date.now())");
}

NATIVE(function_ctor)
{
	return js_throw_error(vm, JS_SYNTAX_ERROR,
	    "not supported: Function constructor (code from strings)");
}

NATIVE(queue_microtask)
{
	struct js_obj *p;

	if (!js_callable(ARG(0)))
		return type_error(vm,
		    "The \"callback\" argument must be of type "
		    "function");
	if ((p = js_promise_new(vm)) == NULL)
		return JS_EXC;
	js_promise_settle(vm, p, 0, JS_UNDEF);
	if (js_promise_then(vm, p, ARG(0), JS_UNDEF, NULL) == -1)
		return JS_EXC;
	return JS_UNDEF;
}

/* ---- Math ---- */

static uint64_t
rng_next(struct js_vm *vm)
{
	static uint64_t state;

	(void)vm;
	if (state == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		state = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		    0x9e3779b97f4a7c15ull;
	}
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

enum {
	M_ABS,
	M_FLOOR,
	M_CEIL,
	M_ROUND,
	M_TRUNC,
	M_SIGN,
	M_SQRT,
	M_CBRT,
	M_EXP,
	M_EXPM1,
	M_LOG,
	M_LOG2,
	M_LOG10,
	M_LOG1P,
	M_SIN,
	M_COS,
	M_TAN,
	M_ASIN,
	M_ACOS,
	M_ATAN,
	M_SINH,
	M_COSH,
	M_TANH,
	M_ASINH,
	M_ACOSH,
	M_ATANH,
	M_FROUND,
	M_CLZ32
};

NATIVE(math_unary)
{
	double d;

	if (js_tonum(vm, ARG(0), &d) == -1)
		return JS_EXC;
	switch (vm->cur_native->u.nat.magic) {
	case M_ABS:
		return js_mknum(fabs(d));
	case M_FLOOR:
		return js_mknum(floor(d));
	case M_CEIL:
		return js_mknum(ceil(d));
	case M_ROUND: {
		double r;

		if (d != d || isinf(d) || d == 0)
			return js_mknum(d);
		if (d < 0 && d >= -0.5)
			return js_mknum(-0.0);
		/* floor(d + 0.5) would round in the addition */
		r = floor(d);
		if (d - r >= 0.5)
			r += 1;
		return js_mknum(r);
	}
	case M_TRUNC:
		return js_mknum(trunc(d));
	case M_SIGN:
		return js_mknum(d > 0 ? 1 : d < 0 ? -1 : d);
	case M_SQRT:
		return js_mknum(sqrt(d));
	case M_CBRT: {
		/* libm's cbrt may be off by one ulp on exact cubes */
		double r = cbrt(d), ri = round(r);
		return js_mknum(ri * ri * ri == d ? ri : r);
	}
	case M_EXP:
		return js_mknum(exp(d));
	case M_EXPM1:
		return js_mknum(expm1(d));
	case M_LOG:
		return js_mknum(log(d));
	case M_LOG2:
		return js_mknum(log2(d));
	case M_LOG10:
		return js_mknum(log10(d));
	case M_LOG1P:
		return js_mknum(log1p(d));
	case M_SIN:
		return js_mknum(sin(d));
	case M_COS:
		return js_mknum(cos(d));
	case M_TAN:
		return js_mknum(tan(d));
	case M_ASIN:
		return js_mknum(asin(d));
	case M_ACOS:
		return js_mknum(acos(d));
	case M_ATAN:
		return js_mknum(atan(d));
	case M_SINH:
		return js_mknum(sinh(d));
	case M_COSH:
		return js_mknum(cosh(d));
	case M_TANH:
		return js_mknum(tanh(d));
	case M_ASINH:
		return js_mknum(asinh(d));
	case M_ACOSH:
		return js_mknum(acosh(d));
	case M_ATANH:
		return js_mknum(atanh(d));
	case M_FROUND:
		return js_mknum((double)(float)d);
	case M_CLZ32: {
		uint32_t u = js_to_uint32(d);
		int n = 0;
		if (u == 0)
			return js_mknum(32);
		while (!(u & 0x80000000u)) {
			u <<= 1;
			n++;
		}
		return js_mknum(n);
	}
	default:
		return js_mknum(NAN);
	}
}

/* magic 0 min, 1 max, 2 hypot */
NATIVE(math_minmax)
{
	int magic = vm->cur_native->u.nat.magic, i, nan = 0;
	double r = magic == 0 ? INFINITY : magic == 1 ? -INFINITY : 0, d;

	for (i = 0; i < argc; i++) {
		if (js_tonum(vm, argv[i], &d) == -1)
			return JS_EXC;
		if (d != d)
			nan = 1;
		if (magic == 0) {
			if (d < r || (d == 0 && r == 0 && signbit(d)))
				r = d;
		} else if (magic == 1) {
			if (d > r || (d == 0 && r == 0 && !signbit(d)))
				r = d;
		} else
			r = hypot(r, d);
	}
	return js_mknum(nan ? NAN : r);
}

NATIVE(math_pow)
{
	double a, b;

	if (js_tonum(vm, ARG(0), &a) == -1 || js_tonum(vm, ARG(1), &b) == -1)
		return JS_EXC;
	if (b != b || ((a == 1 || a == -1) && isinf(b)))
		return js_mknum(NAN);
	return js_mknum(pow(a, b));
}

NATIVE(math_atan2)
{
	double a, b;

	if (js_tonum(vm, ARG(0), &a) == -1 || js_tonum(vm, ARG(1), &b) == -1)
		return JS_EXC;
	return js_mknum(atan2(a, b));
}

NATIVE(math_imul)
{
	double a, b;

	if (js_tonum(vm, ARG(0), &a) == -1 || js_tonum(vm, ARG(1), &b) == -1)
		return JS_EXC;
	return js_mknum((int32_t)(js_to_uint32(a) * js_to_uint32(b)));
}

NATIVE(math_random)
{
	return js_mknum((double)(rng_next(vm) >> 11) / 9007199254740992.0);
}

static const struct method math_methods[] = {
	{ "abs", 1, math_unary, M_ABS },
	{ "floor", 1, math_unary, M_FLOOR },
	{ "ceil", 1, math_unary, M_CEIL },
	{ "round", 1, math_unary, M_ROUND },
	{ "trunc", 1, math_unary, M_TRUNC },
	{ "sign", 1, math_unary, M_SIGN },
	{ "sqrt", 1, math_unary, M_SQRT },
	{ "cbrt", 1, math_unary, M_CBRT },
	{ "exp", 1, math_unary, M_EXP },
	{ "expm1", 1, math_unary, M_EXPM1 },
	{ "log", 1, math_unary, M_LOG },
	{ "log2", 1, math_unary, M_LOG2 },
	{ "log10", 1, math_unary, M_LOG10 },
	{ "log1p", 1, math_unary, M_LOG1P },
	{ "sin", 1, math_unary, M_SIN },
	{ "cos", 1, math_unary, M_COS },
	{ "tan", 1, math_unary, M_TAN },
	{ "asin", 1, math_unary, M_ASIN },
	{ "acos", 1, math_unary, M_ACOS },
	{ "atan", 1, math_unary, M_ATAN },
	{ "sinh", 1, math_unary, M_SINH },
	{ "cosh", 1, math_unary, M_COSH },
	{ "tanh", 1, math_unary, M_TANH },
	{ "asinh", 1, math_unary, M_ASINH },
	{ "acosh", 1, math_unary, M_ACOSH },
	{ "atanh", 1, math_unary, M_ATANH },
	{ "fround", 1, math_unary, M_FROUND },
	{ "clz32", 1, math_unary, M_CLZ32 },
	{ "min", 2, math_minmax, 0 },
	{ "max", 2, math_minmax, 1 },
	{ "hypot", 2, math_minmax, 2 },
	{ "pow", 2, math_pow, 0 },
	{ "atan2", 2, math_atan2, 0 },
	{ "imul", 2, math_imul, 0 },
	{ "random", 0, math_random, 0 },
	{ NULL, 0, NULL, 0 },
};

/* ---- Promise ---- */

NATIVE(promise_ctor)
{
	struct js_obj *p;
	struct js_value res, rej, args[2], r;

	if (!vm->ctor_call)
		return type_error(vm,
		    "Promise constructor cannot be invoked "
		    "without 'new'");
	if (!js_callable(ARG(0)))
		return type_error(vm, "Promise resolver is not a function");
	if ((p = js_promise_new(vm)) == NULL || js_push(vm, js_mkobj(p)) == -1)
		return JS_EXC;
	res = js_resolving_functions(vm, p, &rej);
	if (res.tag == JS_TAG_EXC || js_push(vm, res) == -1 ||
	    js_push(vm, rej) == -1)
		return JS_EXC;
	args[0] = res;
	args[1] = rej;
	r = js_call(vm, ARG(0), JS_UNDEF, 2, args);
	if (r.tag == JS_TAG_EXC) {
		if (vm->fatal)
			return JS_EXC;
		args[0] = js_exception_take(vm);
		r = js_call(vm, rej, JS_UNDEF, 1, args);
		if (r.tag == JS_TAG_EXC)
			return JS_EXC;
	}
	return js_mkobj(p);
}

static struct js_obj *
this_promise(struct js_vm *vm, struct js_value v)
{
	if (JS_ISCLS(v, JS_CL_PROMISE))
		return JS_OBJ(v);
	(void)js_throw_error(vm, JS_TYPE_ERROR,
	    "Method Promise.prototype.then called on incompatible receiver");
	return NULL;
}

NATIVE(promise_then)
{
	struct js_obj *p = this_promise(vm, this_val), *d;

	if (p == NULL || (d = js_promise_new(vm)) == NULL)
		return JS_EXC;
	if (js_promise_then(vm, p, ARG(0), ARG(1), d) == -1)
		return JS_EXC;
	return js_mkobj(d);
}

NATIVE(promise_catch)
{
	struct js_obj *p = this_promise(vm, this_val), *d;

	if (p == NULL || (d = js_promise_new(vm)) == NULL)
		return JS_EXC;
	if (js_promise_then(vm, p, JS_UNDEF, ARG(0), d) == -1)
		return JS_EXC;
	return js_mkobj(d);
}

/* finally: data[0] the callback, magic 0 fulfil path, 1 reject path;
 * the thunk returns or throws data[0]. */
NATIVE(finally_thunk)
{
	struct js_value v = vm->cur_native->u.nat.data[0];

	if (vm->cur_native->u.nat.magic == 1)
		return js_throw(vm, v);
	return v;
}

NATIVE(finally_step)
{
	struct js_obj *self = vm->cur_native, *thunk, *p;
	struct js_value r, pr;

	r = js_call(vm, self->u.nat.data[0], JS_UNDEF, 0, NULL);
	if (r.tag == JS_TAG_EXC)
		return JS_EXC;
	pr = js_promise_coerce(vm, r);
	if (pr.tag == JS_TAG_EXC || js_push(vm, pr) == -1)
		return JS_EXC;
	if ((thunk = js_native_new(
		 vm, "", 0, finally_thunk, self->u.nat.magic)) == NULL)
		return JS_EXC;
	thunk->u.nat.data[0] = ARG(0);
	if (js_push(vm, js_mkobj(thunk)) == -1 ||
	    (p = js_promise_new(vm)) == NULL)
		return JS_EXC;
	if (js_promise_then(vm, JS_OBJ(pr), js_mkobj(thunk), JS_UNDEF, p) == -1)
		return JS_EXC;
	return js_mkobj(p);
}

NATIVE(promise_finally)
{
	struct js_obj *p = this_promise(vm, this_val), *d, *ok, *err;

	if (p == NULL)
		return JS_EXC;
	if (!js_callable(ARG(0))) {
		if ((d = js_promise_new(vm)) == NULL ||
		    js_promise_then(vm, p, ARG(0), ARG(0), d) == -1)
			return JS_EXC;
		return js_mkobj(d);
	}
	if ((ok = js_native_new(vm, "", 1, finally_step, 0)) == NULL ||
	    js_push(vm, js_mkobj(ok)) == -1 ||
	    (err = js_native_new(vm, "", 1, finally_step, 1)) == NULL ||
	    js_push(vm, js_mkobj(err)) == -1 ||
	    (d = js_promise_new(vm)) == NULL)
		return JS_EXC;
	ok->u.nat.data[0] = ARG(0);
	err->u.nat.data[0] = ARG(0);
	if (js_promise_then(vm, p, js_mkobj(ok), js_mkobj(err), d) == -1)
		return JS_EXC;
	return js_mkobj(d);
}

NATIVE(promise_resolve_static)
{
	return js_promise_coerce(vm, ARG(0));
}

NATIVE(promise_reject_static)
{
	struct js_obj *p = js_promise_new(vm);

	if (p == NULL)
		return JS_EXC;
	js_promise_settle(vm, p, 1, ARG(0));
	return js_mkobj(p);
}

/* Promise.all / allSettled element callbacks.  data[0]: state array
 * [values, remaining, result promise]; data[1]: index, cleared when
 * called.  magic: 0 all-fulfil, 1 settled-fulfil, 2 settled-reject. */
NATIVE(promise_all_element)
{
	struct js_obj *self = vm->cur_native, *st, *vals, *rec;
	struct js_value idx = self->u.nat.data[1], v = ARG(0);
	double rem;
	int magic = self->u.nat.magic;

	if (idx.tag != JS_TAG_NUM)
		return JS_UNDEF;
	self->u.nat.data[1] = JS_UNDEF;
	st = JS_OBJ(self->u.nat.data[0]);
	vals = JS_OBJ(st->u.arr.items[0]);
	if (magic > 0) {
		if ((rec = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) ==
			NULL ||
		    js_obj_define(vm, rec, js_str_intern(vm, "status", 6),
			js_mkstr(js_str_intern(vm,
			    magic == 1 ? "fulfilled" : "rejected",
			    magic == 1 ? 9 : 8)),
			JS_P_DEFAULT) == -1 ||
		    js_obj_define(vm, rec,
			magic == 1 ? vm->atoms[JS_A_value]
				   : js_str_intern(vm, "reason", 6),
			v, JS_P_DEFAULT) == -1)
			return JS_EXC;
		v = js_mkobj(rec);
	}
	vals->u.arr.items[(uint32_t)idx.u.num] = v;
	rem = st->u.arr.items[1].u.num - 1;
	st->u.arr.items[1] = js_mknum(rem);
	if (rem == 0)
		js_promise_resolve(
		    vm, JS_OBJ(st->u.arr.items[2]), js_mkobj(vals));
	return JS_UNDEF;
}

NATIVE(promise_reject_fn)
{
	struct js_value p = vm->cur_native->u.nat.data[0];

	if (JS_ISOBJ(p))
		js_promise_settle(vm, JS_OBJ(p), 1, ARG(0));
	return JS_UNDEF;
}

NATIVE(promise_resolve_fn)
{
	struct js_value p = vm->cur_native->u.nat.data[0];

	if (JS_ISOBJ(p))
		js_promise_resolve(vm, JS_OBJ(p), ARG(0));
	return JS_UNDEF;
}

/* magic 0 all, 1 allSettled, 2 race */
NATIVE(promise_combine)
{
	int magic = vm->cur_native->u.nat.magic;
	struct js_obj *res, *vals, *st, *rej, *el, *el2;
	struct js_value it, v, pr;
	uint32_t i = 0;
	int r;

	if ((res = js_promise_new(vm)) == NULL ||
	    js_push(vm, js_mkobj(res)) == -1 ||
	    (vals = js_arr_new(vm, 0)) == NULL ||
	    (st = js_arr_new(vm, 3)) == NULL ||
	    js_push(vm, js_mkobj(st)) == -1 ||
	    js_arr_push(vm, st, js_mkobj(vals)) == -1 ||
	    js_arr_push(vm, st, js_mknum(1)) == -1 ||
	    js_arr_push(vm, st, js_mkobj(res)) == -1)
		return JS_EXC;
	if ((rej = js_native_new(vm, "", 1, promise_reject_fn, 0)) == NULL ||
	    js_push(vm, js_mkobj(rej)) == -1)
		return JS_EXC;
	rej->u.nat.data[0] = js_mkobj(res);
	it = js_iter_open(vm, ARG(0));
	if (it.tag == JS_TAG_EXC || js_push(vm, it) == -1)
		goto reject;
	while ((r = js_iter_step(vm, it, &v)) == 1) {
		pr = js_promise_coerce(vm, v);
		if (pr.tag == JS_TAG_EXC || js_push(vm, pr) == -1)
			goto reject;
		if (magic == 2) {
			el = js_native_new(vm, "", 1, promise_resolve_fn, 0);
			if (el == NULL)
				return JS_EXC;
			el->u.nat.data[0] = js_mkobj(res);
			if (js_promise_then(vm, JS_OBJ(pr), js_mkobj(el),
				js_mkobj(rej), NULL) == -1)
				return JS_EXC;
			vm->sp--;
			continue;
		}
		if (js_arr_push(vm, vals, JS_UNDEF) == -1)
			return JS_EXC;
		st->u.arr.items[1] = js_mknum(st->u.arr.items[1].u.num + 1);
		if ((el = js_native_new(vm, "", 1, promise_all_element,
			 magic == 1 ? 1 : 0)) == NULL)
			return JS_EXC;
		el->u.nat.data[0] = js_mkobj(st);
		el->u.nat.data[1] = js_mknum(i);
		el2 = rej;
		if (magic == 1) {
			if (js_push(vm, js_mkobj(el)) == -1 ||
			    (el2 = js_native_new(
				 vm, "", 1, promise_all_element, 2)) == NULL)
				return JS_EXC;
			el2->u.nat.data[0] = js_mkobj(st);
			el2->u.nat.data[1] = js_mknum(i);
			/* both callbacks share one "already called" flag
			 * in real engines; settle once is enough here as
			 * a promise settles once. */
		}
		if (js_promise_then(vm, JS_OBJ(pr), js_mkobj(el), js_mkobj(el2),
			NULL) == -1)
			return JS_EXC;
		i++;
	}
	if (r == -1)
		goto reject;
	if (magic != 2) {
		double rem = st->u.arr.items[1].u.num - 1;
		st->u.arr.items[1] = js_mknum(rem);
		if (rem == 0)
			js_promise_resolve(vm, res, js_mkobj(vals));
	}
	return js_mkobj(res);
reject:
	if (vm->fatal)
		return JS_EXC;
	js_promise_settle(vm, res, 1, js_exception_take(vm));
	return js_mkobj(res);
}

static const struct method promise_methods[] = {
	{ "then", 2, promise_then, 0 },
	{ "catch", 1, promise_catch, 0 },
	{ "finally", 1, promise_finally, 0 },
	{ NULL, 0, NULL, 0 },
};

static const struct method promise_statics[] = {
	{ "resolve", 1, promise_resolve_static, 0 },
	{ "reject", 1, promise_reject_static, 0 },
	{ "all", 1, promise_combine, 0 },
	{ "allSettled", 1, promise_combine, 1 },
	{ "race", 1, promise_combine, 2 },
	{ NULL, 0, NULL, 0 },
};

/* ---- Map and Set ---- */

NATIVE(map_ctor)
{
	int is_set = vm->cur_native->u.nat.magic;
	struct js_obj *m;
	struct js_value it, e, k, v;
	int r;

	if (!vm->ctor_call)
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "Constructor %s requires 'new'", is_set ? "Set" : "Map");
	if (JS_ISOBJ(this_val) && JS_OBJ(this_val)->cls == JS_CL_OBJECT) {
		/* super() from a subclass */
		m = JS_OBJ(this_val);
		m->cls = (uint8_t)(is_set ? JS_CL_SET : JS_CL_MAP);
		memset(&m->u, 0, sizeof(m->u));
	} else if ((m = js_obj_new(vm, is_set ? JS_CL_SET : JS_CL_MAP,
			is_set ? vm->set_proto : vm->map_proto)) == NULL)
		return JS_EXC;
	if (js_push(vm, js_mkobj(m)) == -1)
		return JS_EXC;
	if (JS_ISNULLISH(ARG(0)))
		return js_mkobj(m);
	it = js_iter_open(vm, ARG(0));
	if (it.tag == JS_TAG_EXC || js_push(vm, it) == -1)
		return JS_EXC;
	while ((r = js_iter_step(vm, it, &e)) == 1) {
		if (is_set) {
			if (js_map_set(vm, m, e, JS_UNDEF) == -1)
				return JS_EXC;
			continue;
		}
		if (!JS_ISOBJ(e))
			return type_error(vm,
			    "Iterator value is not an entry "
			    "object");
		if (js_push(vm, e) == -1)
			return JS_EXC;
		k = js_get_val(vm, e, js_mknum(0));
		if (k.tag == JS_TAG_EXC || js_push(vm, k) == -1)
			return JS_EXC;
		v = js_get_val(vm, e, js_mknum(1));
		if (v.tag == JS_TAG_EXC || js_map_set(vm, m, k, v) == -1)
			return JS_EXC;
		vm->sp -= 2;
	}
	return r == -1 ? JS_EXC : js_mkobj(m);
}

static struct js_obj *
this_map(struct js_vm *vm, struct js_value v, int is_set)
{
	if (JS_ISCLS(v, is_set ? JS_CL_SET : JS_CL_MAP))
		return JS_OBJ(v);
	(void)js_throw_error(vm, JS_TYPE_ERROR,
	    "Method %s called on incompatible receiver",
	    is_set ? "Set.prototype" : "Map.prototype");
	return NULL;
}

/* magic: 0 get, 1 set, 2 has, 3 delete, 4 clear, 5 size, 6 forEach;
 * +10 for Set (add for set) */
NATIVE(map_op)
{
	int magic = vm->cur_native->u.nat.magic % 10;
	int is_set = vm->cur_native->u.nat.magic >= 10;
	struct js_obj *m = this_map(vm, this_val, is_set);
	uint32_t at, i;
	struct js_value args[3], r;

	if (m == NULL)
		return JS_EXC;
	switch (magic) {
	case 0:
		return js_map_find(m, ARG(0), &at) ? m->u.map.ents[at].val
						   : JS_UNDEF;
	case 1:
		if (js_map_set(vm, m, ARG(0), is_set ? JS_UNDEF : ARG(1)) == -1)
			return JS_EXC;
		return this_val;
	case 2:
		return js_mkbool(js_map_find(m, ARG(0), &at));
	case 3:
		return js_mkbool(js_map_delete(m, ARG(0)));
	case 4:
		js_map_clear(m);
		return JS_UNDEF;
	case 5:
		return js_mknum(m->u.map.live);
	case 6:
		if (!js_callable(ARG(0)))
			return type_error(vm, "callback is not a function");
		for (i = 0; i < m->u.map.n; i++) {
			if (m->u.map.ents[i].deleted)
				continue;
			args[0] = is_set ? m->u.map.ents[i].key
					 : m->u.map.ents[i].val;
			args[1] = m->u.map.ents[i].key;
			args[2] = this_val;
			r = js_call(vm, ARG(0), ARG(1), 3, args);
			if (r.tag == JS_TAG_EXC)
				return JS_EXC;
		}
		return JS_UNDEF;
	default:
		return JS_UNDEF;
	}
}

static const struct method map_methods[] = {
	{ "get", 1, map_op, 0 },
	{ "set", 2, map_op, 1 },
	{ "has", 1, map_op, 2 },
	{ "delete", 1, map_op, 3 },
	{ "clear", 0, map_op, 4 },
	{ "forEach", 1, map_op, 6 },
	{ "keys", 0, make_iter, 1000 + JS_IT_MAP_KEYS },
	{ "values", 0, make_iter, 1000 + JS_IT_MAP_VALUES },
	{ "entries", 0, make_iter, 1000 + JS_IT_MAP_ENTRIES },
	{ NULL, 0, NULL, 0 },
};

static const struct method set_methods[] = {
	{ "add", 1, map_op, 11 },
	{ "has", 1, map_op, 12 },
	{ "delete", 1, map_op, 13 },
	{ "clear", 0, map_op, 14 },
	{ "forEach", 1, map_op, 16 },
	{ "values", 0, make_iter, 1000 + JS_IT_SET_VALUES },
	{ "keys", 0, make_iter, 1000 + JS_IT_SET_VALUES },
	{ "entries", 0, make_iter, 1000 + JS_IT_SET_ENTRIES },
	{ NULL, 0, NULL, 0 },
};

/* ---- Uint8Array, TextEncoder, TextDecoder ---- */

static struct js_obj *
this_u8(struct js_vm *vm, struct js_value v)
{
	if (JS_ISCLS(v, JS_CL_U8))
		return JS_OBJ(v);
	(void)js_throw_error(vm, JS_TYPE_ERROR, "this is not a typed array.");
	return NULL;
}

static unsigned char *
u8_data(struct js_obj *u)
{
	return u->u.u8.bytes->u.bytes.data + u->u.u8.off;
}

NATIVE(u8_ctor)
{
	struct js_value a = ARG(0), r;
	struct js_obj *src, *u;
	double d;
	uint32_t i;

	if (!vm->ctor_call)
		return type_error(vm, "Constructor Uint8Array requires 'new'");
	if (a.tag == JS_TAG_UNDEF || a.tag == JS_TAG_NUM) {
		d = a.tag == JS_TAG_NUM ? a.u.num : 0;
		if (d < 0 || d != floor(d) || d > JS_MAX_STRING)
			return js_throw_error(vm, JS_RANGE_ERROR,
			    "Invalid typed array length: %g", d);
		return js_uint8array_new(vm, NULL, (size_t)d);
	}
	if (JS_ISCLS(a, JS_CL_U8)) {
		src = JS_OBJ(a);
		return js_uint8array_new(vm, u8_data(src), src->u.u8.len);
	}
	if (JS_ISCLS(a, JS_CL_ARRAY)) {
		src = JS_OBJ(a);
		r = js_uint8array_new(vm, NULL, src->u.arr.len);
		if (r.tag == JS_TAG_EXC || js_push(vm, r) == -1)
			return JS_EXC;
		u = JS_OBJ(r);
		for (i = 0; i < src->u.arr.len && i < u->u.u8.len; i++) {
			if (js_tonum(vm, src->u.arr.items[i], &d) == -1)
				return JS_EXC;
			u8_data(u)[i] = (unsigned char)js_to_uint32(d);
		}
		return r;
	}
	if (JS_ISOBJ(a)) {
		struct js_value args[1];
		struct js_value arr;

		args[0] = a;
		arr = array_from(vm, JS_UNDEF, 1, args, opaque);
		if (arr.tag == JS_TAG_EXC || js_push(vm, arr) == -1)
			return JS_EXC;
		args[0] = arr;
		return u8_ctor(vm, this_val, 1, args, opaque);
	}
	return type_error(vm, "not supported: this Uint8Array argument");
}

NATIVE(u8_slice)
{
	struct js_obj *u = this_u8(vm, this_val), *r;
	double s = 0, e = 0, len;
	int sub = vm->cur_native->u.nat.magic;

	if (u == NULL)
		return JS_EXC;
	len = u->u.u8.len;
	if ((argc > 0 && arg_num(vm, argv[0], &s) == -1) ||
	    (argc > 1 && ARG(1).tag != JS_TAG_UNDEF &&
		arg_num(vm, argv[1], &e) == -1))
		return JS_EXC;
	s = rel_index(s, len, 0, argc > 0);
	e = rel_index(e, len, len, argc > 1 && ARG(1).tag != JS_TAG_UNDEF);
	if (e < s)
		e = s;
	if (!sub)
		return js_uint8array_new(
		    vm, u8_data(u) + (uint32_t)s, (size_t)(e - s));
	if ((r = js_obj_new(vm, JS_CL_U8, vm->u8_proto)) == NULL)
		return JS_EXC;
	r->u.u8.bytes = u->u.u8.bytes;
	r->u.u8.off = u->u.u8.off + (uint32_t)s;
	r->u.u8.len = (uint32_t)(e - s);
	return js_mkobj(r);
}

NATIVE(u8_set)
{
	struct js_obj *u = this_u8(vm, this_val), *src;
	double off = 0, d;
	uint32_t i, n;

	if (u == NULL || (argc > 1 && arg_num(vm, argv[1], &off) == -1))
		return JS_EXC;
	off = js_to_integer(off);
	if (JS_ISCLS(ARG(0), JS_CL_U8)) {
		src = JS_OBJ(ARG(0));
		n = src->u.u8.len;
		if (off < 0 || off + n > u->u.u8.len)
			return js_throw_error(
			    vm, JS_RANGE_ERROR, "offset is out of bounds");
		memmove(u8_data(u) + (uint32_t)off, u8_data(src), n);
		return JS_UNDEF;
	}
	if (!JS_ISCLS(ARG(0), JS_CL_ARRAY))
		return type_error(vm, "not supported: set from this source");
	src = JS_OBJ(ARG(0));
	n = src->u.arr.len;
	if (off < 0 || off + n > u->u.u8.len)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "offset is out of bounds");
	for (i = 0; i < n; i++) {
		if (js_tonum(vm, src->u.arr.items[i], &d) == -1)
			return JS_EXC;
		u8_data(u)[(uint32_t)off + i] = (unsigned char)js_to_uint32(d);
	}
	return JS_UNDEF;
}

NATIVE(u8_fill)
{
	struct js_obj *u = this_u8(vm, this_val);
	double v = 0, s = 0, e = 0, len;
	uint32_t i;

	if (u == NULL || js_tonum(vm, ARG(0), &v) == -1)
		return JS_EXC;
	len = u->u.u8.len;
	if ((argc > 1 && arg_num(vm, argv[1], &s) == -1) ||
	    (argc > 2 && arg_num(vm, argv[2], &e) == -1))
		return JS_EXC;
	s = rel_index(s, len, 0, argc > 1);
	e = rel_index(e, len, len, argc > 2);
	for (i = (uint32_t)s; i < (uint32_t)e; i++)
		u8_data(u)[i] = (unsigned char)js_to_uint32(v);
	return this_val;
}

/* magic 0 indexOf, 2 includes */
NATIVE(u8_index_of)
{
	struct js_obj *u = this_u8(vm, this_val);
	double v;
	uint32_t i;
	int magic = vm->cur_native->u.nat.magic;

	if (u == NULL)
		return JS_EXC;
	if (ARG(0).tag != JS_TAG_NUM)
		return magic == 2 ? js_mkbool(0) : js_mknum(-1);
	v = ARG(0).u.num;
	for (i = 0; i < u->u.u8.len; i++)
		if (u8_data(u)[i] == v)
			return magic == 2 ? js_mkbool(1) : js_mknum(i);
	return magic == 2 ? js_mkbool(0) : js_mknum(-1);
}

NATIVE(u8_join)
{
	struct js_obj *u = this_u8(vm, this_val);
	struct js_str *sep;
	struct buf b;
	uint32_t i;
	struct js_value r;

	if (u == NULL)
		return JS_EXC;
	if (ARG(0).tag == JS_TAG_UNDEF)
		sep = js_str_intern(vm, ",", 1);
	else if ((sep = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	buf_init(&b);
	for (i = 0; i < u->u.u8.len; i++) {
		if ((i > 0 && buf_append(&b, sep->data, sep->len) == -1) ||
		    buf_printf(&b, "%u", u8_data(u)[i]) == -1) {
			buf_release(&b);
			return js_value_oom(vm);
		}
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
}

NATIVE(u8_byte_length)
{
	struct js_obj *u = this_u8(vm, this_val);

	return u != NULL ? js_mknum(u->u.u8.len) : JS_EXC;
}

NATIVE(u8_foreach)
{
	struct js_obj *u = this_u8(vm, this_val), *r = NULL;
	struct js_value args[3], res;
	uint32_t i;
	int map = vm->cur_native->u.nat.magic;

	if (u == NULL)
		return JS_EXC;
	if (!js_callable(ARG(0)))
		return type_error(vm, "callback is not a function");
	if (map) {
		struct js_value nv = js_uint8array_new(vm, NULL, u->u.u8.len);
		if (nv.tag == JS_TAG_EXC || js_push(vm, nv) == -1)
			return JS_EXC;
		r = JS_OBJ(nv);
	}
	for (i = 0; i < u->u.u8.len; i++) {
		double d;

		args[0] = js_mknum(u8_data(u)[i]);
		args[1] = js_mknum(i);
		args[2] = this_val;
		res = js_call(vm, ARG(0), ARG(1), 3, args);
		if (res.tag == JS_TAG_EXC)
			return JS_EXC;
		if (map) {
			if (js_tonum(vm, res, &d) == -1)
				return JS_EXC;
			if (i < r->u.u8.len)
				u8_data(r)[i] = (unsigned char)js_to_uint32(d);
		}
	}
	return map ? js_mkobj(r) : JS_UNDEF;
}

/* Typed-array methods that behave as the Array ones on a copy of the
 * bytes; magic 1 converts an array result back to a Uint8Array. */
NATIVE(u8_delegate)
{
	struct js_obj *u = this_u8(vm, this_val), *a, *self = vm->cur_native;
	struct js_value f, r, args[1];
	uint32_t i;

	if (u == NULL)
		return JS_EXC;
	if ((a = js_arr_new(vm, u->u.u8.len)) == NULL ||
	    js_push(vm, js_mkobj(a)) == -1)
		return JS_EXC;
	for (i = 0; i < u->u.u8.len; i++)
		a->u.arr.items[i] = js_mknum(u8_data(u)[i]);
	a->u.arr.len = u->u.u8.len;
	f = js_get_key(
	    vm, js_mkobj(vm->array_proto), JS_STR(self->u.nat.data[0]));
	if (f.tag == JS_TAG_EXC)
		return JS_EXC;
	r = js_call(vm, f, js_mkobj(a), argc, argv);
	if (r.tag == JS_TAG_EXC || self->u.nat.magic == 0)
		return r;
	if (js_push(vm, r) == -1)
		return JS_EXC;
	args[0] = r;
	{
		int saved = vm->ctor_call;
		vm->ctor_call = 1;
		r = u8_ctor(vm, JS_UNDEF, 1, args, opaque);
		vm->ctor_call = saved;
	}
	return r;
}

NATIVE(u8_reverse)
{
	struct js_obj *u = this_u8(vm, this_val);
	uint32_t i, n;
	unsigned char t, *d;

	if (u == NULL)
		return JS_EXC;
	d = u8_data(u);
	n = u->u.u8.len;
	for (i = 0; i < n / 2; i++) {
		t = d[i];
		d[i] = d[n - 1 - i];
		d[n - 1 - i] = t;
	}
	return this_val;
}

/* Uint8Array.from (magic 0) and Uint8Array.of (magic 1) */
NATIVE(u8_from)
{
	struct js_value a, args[1];
	int saved;

	if (vm->cur_native->u.nat.magic == 1)
		a = array_of(vm, JS_UNDEF, argc, argv, opaque);
	else
		a = array_from(vm, JS_UNDEF, argc, argv, opaque);
	if (a.tag == JS_TAG_EXC || js_push(vm, a) == -1)
		return JS_EXC;
	args[0] = a;
	saved = vm->ctor_call;
	vm->ctor_call = 1;
	a = u8_ctor(vm, JS_UNDEF, 1, args, opaque);
	vm->ctor_call = saved;
	return a;
}

static int
u8_delegates(struct js_vm *vm)
{
	static const struct {
		const char *name;
		int to_u8;
	} d[] = {
		{ "filter", 1 },
		{ "reduce", 0 },
		{ "reduceRight", 0 },
		{ "some", 0 },
		{ "every", 0 },
		{ "find", 0 },
		{ "findIndex", 0 },
		{ "findLast", 0 },
		{ "findLastIndex", 0 },
		{ "lastIndexOf", 0 },
		{ "at", 0 },
		{ "toString", 0 },
		{ "sort", 1 },
	};
	size_t i;
	struct js_obj *f;
	struct js_str *k;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		if ((f = js_native_new(
			 vm, d[i].name, 1, u8_delegate, d[i].to_u8)) == NULL ||
		    (k = intern(vm, d[i].name)) == NULL)
			return -1;
		f->u.nat.data[0] = js_mkstr(k);
		if (js_obj_define(
			vm, vm->u8_proto, k, js_mkobj(f), JS_P_HIDDEN) == -1)
			return -1;
	}
	return 0;
}

static const struct method u8_methods[] = {
	{ "reverse", 0, u8_reverse, 0 },
	{ "slice", 2, u8_slice, 0 },
	{ "subarray", 2, u8_slice, 1 },
	{ "set", 1, u8_set, 0 },
	{ "fill", 1, u8_fill, 0 },
	{ "indexOf", 1, u8_index_of, 0 },
	{ "includes", 1, u8_index_of, 2 },
	{ "join", 1, u8_join, 0 },
	{ "forEach", 1, u8_foreach, 0 },
	{ "map", 1, u8_foreach, 1 },
	{ "keys", 0, make_iter, 1000 + JS_IT_ARRAY_KEYS },
	{ "values", 0, make_iter, 1000 + JS_IT_ARRAY_VALUES },
	{ "entries", 0, make_iter, 1000 + JS_IT_ARRAY_ENTRIES },
	{ NULL, 0, NULL, 0 },
};

NATIVE(text_encoder_ctor)
{
	struct js_obj *o;

	if ((o = js_obj_new(vm, JS_CL_OBJECT,
		 JS_OBJ(vm->cur_native->u.nat.data[0]))) == NULL)
		return JS_EXC;
	return js_mkobj(o);
}

NATIVE(text_encode)
{
	struct js_str *s;
	struct buf b;
	size_t i = 0;
	struct js_value r;

	if (ARG(0).tag == JS_TAG_UNDEF)
		return js_uint8array_new(vm, NULL, 0);
	if ((s = js_tostr(vm, ARG(0))) == NULL)
		return JS_EXC;
	if (s->ascii)
		return js_uint8array_new(
		    vm, (const unsigned char *)s->data, s->len);
	/* WTF-8 to UTF-8: lone surrogates (3-byte ED A0..BF xx) become
	 * U+FFFD as the encoding standard requires. */
	buf_init(&b);
	while (i < s->len) {
		unsigned char c = (unsigned char)s->data[i];
		if (c == 0xed && i + 2 < s->len &&
		    ((unsigned char)s->data[i + 1] & 0xe0) == 0xa0) {
			if (buf_append(&b, "\xef\xbf\xbd", 3) == -1)
				goto oom;
			i += 3;
			continue;
		}
		if (buf_putc(&b, c) == -1)
			goto oom;
		i++;
	}
	r = js_uint8array_new(vm, b.data, b.len);
	buf_release(&b);
	return r;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

NATIVE(text_decode)
{
	struct js_obj *u;
	const unsigned char *p;
	size_t n, i = 0, k;
	struct buf b;
	struct js_value r;
	uint32_t c, min;
	int need;

	if (ARG(0).tag == JS_TAG_UNDEF)
		return js_mkstr(vm->atoms[JS_A_empty]);
	if (!JS_ISCLS(ARG(0), JS_CL_U8))
		return type_error(vm,
		    "The \"input\" argument must be an "
		    "instance of Uint8Array");
	u = JS_OBJ(ARG(0));
	p = u8_data(u);
	n = u->u.u8.len;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	buf_init(&b);
	while (i < n) {
		c = p[i];
		if (c < 0x80) {
			if (buf_putc(&b, (int)c) == -1)
				goto oom;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			min = 0x80;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			min = 0x800;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			min = 0x10000;
			c &= 0x07;
		} else
			goto bad;
		for (k = 1; k <= (size_t)need; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				break;
			c = (c << 6) | (p[i + k] & 0x3f);
			/* reject overlong/surrogate/out of range early */
			if (k == 1 && need >= 2) {
				uint32_t lead = p[i];
				unsigned char c1 = p[i + 1];
				if ((lead == 0xe0 && c1 < 0xa0) ||
				    (lead == 0xed && c1 > 0x9f) ||
				    (lead == 0xf0 && c1 < 0x90) ||
				    (lead == 0xf4 && c1 > 0x8f))
					break;
			}
		}
		if (k <= (size_t)need || c < min) {
			/* maximal subpart replaced by one U+FFFD */
			if (buf_append(&b, "\xef\xbf\xbd", 3) == -1)
				goto oom;
			i += k > 1 ? k : 1;
			continue;
		}
		if (buf_append(&b, p + i, (size_t)need + 1) == -1)
			goto oom;
		i += (size_t)need + 1;
		continue;
	bad:
		if (buf_append(&b, "\xef\xbf\xbd", 3) == -1)
			goto oom;
		i++;
	}
	r = mkstr(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return r;
oom:
	buf_release(&b);
	return js_value_oom(vm);
}

/* ---- setup ---- */

static struct js_obj *
make_ctor(struct js_vm *vm, const char *name, int nargs, js_native_fn *fn,
    int magic, struct js_obj *proto)
{
	struct js_obj *c;

	if ((c = js_native_new(vm, name, nargs, fn, magic)) == NULL)
		return NULL;
	c->u.nat.ctor = 1;
	if (proto != NULL &&
	    (js_obj_define(
		 vm, c, vm->atoms[JS_A_prototype], js_mkobj(proto), 0) == -1 ||
		js_obj_define(vm, proto, vm->atoms[JS_A_constructor],
		    js_mkobj(c), JS_P_HIDDEN) == -1))
		return NULL;
	if (define_value(vm, vm->global, name, js_mkobj(c), JS_P_HIDDEN) == -1)
		return NULL;
	return c;
}

static int
define_getter(struct js_vm *vm, struct js_obj *o, const char *name,
    js_native_fn *fn, int magic)
{
	struct js_obj *f, *acc;
	struct js_str *k = intern(vm, name);

	if (k == NULL || (f = js_native_new(vm, name, 0, fn, magic)) == NULL ||
	    (acc = js_obj_new(vm, JS_CL_ACCESSOR, NULL)) == NULL)
		return -1;
	acc->u.acc.get = js_mkobj(f);
	acc->u.acc.set = JS_UNDEF;
	return js_obj_define(
	    vm, o, k, js_mkobj(acc), JS_P_CONF | JS_P_ACCESSOR);
}

static int
define_sym_iter(struct js_vm *vm, struct js_obj *o, js_native_fn *fn, int magic)
{
	struct js_obj *f = js_native_new(vm, "[Symbol.iterator]", 0, fn, magic);

	if (f == NULL)
		return -1;
	return js_obj_define(
	    vm, o, JS_STR(vm->sym_iterator), js_mkobj(f), JS_P_HIDDEN);
}

int
js_builtins_init(struct js_vm *vm)
{
	struct js_obj *o, *c;
	struct js_str *s;
	int i;
	static const struct {
		const char *name;
		double v;
	} numconsts[] = {
		{ "MAX_SAFE_INTEGER", 9007199254740991.0 },
		{ "MIN_SAFE_INTEGER", -9007199254740991.0 },
		{ "EPSILON", 2.220446049250313e-16 },
		{ "MAX_VALUE", 1.7976931348623157e308 },
		{ "MIN_VALUE", 5e-324 },
		{ "POSITIVE_INFINITY", INFINITY },
		{ "NEGATIVE_INFINITY", -INFINITY },
		{ "NaN", NAN },
	};
	static const struct {
		const char *name;
		double v;
	} mathconsts[] = {
		{ "PI", 3.141592653589793 },
		{ "E", 2.718281828459045 },
		{ "LN2", 0.6931471805599453 },
		{ "LN10", 2.302585092994046 },
		{ "LOG2E", 1.4426950408889634 },
		{ "LOG10E", 0.4342944819032518 },
		{ "SQRT2", 1.4142135623730951 },
		{ "SQRT1_2", 0.7071067811865476 },
	};

	if ((vm->object_proto = js_obj_new(vm, JS_CL_OBJECT, NULL)) == NULL ||
	    (vm->function_proto =
		    js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    (vm->global = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) ==
		NULL)
		return -1;
	/* Symbol.iterator: a unique (non-interned) string cell. */
	if ((s = js_str_new(vm, "Symbol.iterator", 15)) == NULL)
		return -1;
	vm->sym_iterator = (struct js_value){ .tag = JS_TAG_SYM, .u.ptr = s };
	if ((s = js_str_new(vm, "Symbol.asyncIterator", 20)) == NULL)
		return -1;
	vm->sym_async_iterator =
	    (struct js_value){ .tag = JS_TAG_SYM, .u.ptr = s };
#define PROTO(field) \
	if ((vm->field = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == \
	    NULL) \
		return -1;
	PROTO(array_proto)
	PROTO(string_proto)
	PROTO(number_proto)
	PROTO(boolean_proto)
	PROTO(symbol_proto)
	PROTO(error_proto)
	PROTO(promise_proto)
	PROTO(map_proto)
	PROTO(set_proto)
	PROTO(u8_proto)
	PROTO(iter_proto)
#undef PROTO
	if ((vm->array_iter_proto =
		    js_obj_new(vm, JS_CL_OBJECT, vm->iter_proto)) == NULL)
		return -1;
	if (define_value(vm, vm->global, "globalThis", js_mkobj(vm->global),
		JS_P_HIDDEN) == -1 ||
	    define_value(vm, vm->global, "undefined", JS_UNDEF, 0) == -1 ||
	    define_value(vm, vm->global, "NaN", js_mknum(NAN), 0) == -1 ||
	    define_value(vm, vm->global, "Infinity", js_mknum(INFINITY), 0) ==
		-1)
		return -1;
	/* Object and Function */
	if ((c = make_ctor(
		 vm, "Object", 1, object_ctor, 0, vm->object_proto)) == NULL ||
	    install(vm, c, object_methods) == -1 ||
	    install(vm, vm->object_proto, objproto_methods) == -1)
		return -1;
	if (make_ctor(vm, "Function", 1, function_ctor, 0,
		vm->function_proto) == NULL ||
	    install(vm, vm->function_proto, fnproto_methods) == -1)
		return -1;
	/* Array */
	if ((c = make_ctor(vm, "Array", 1, array_ctor, 0, vm->array_proto)) ==
		NULL ||
	    js_builtins_method(vm, c, "isArray", 1, array_is_array, 0) == -1 ||
	    js_builtins_method(vm, c, "from", 1, array_from, 0) == -1 ||
	    js_builtins_method(vm, c, "of", 0, array_of, 0) == -1 ||
	    install(vm, vm->array_proto, array_methods) == -1 ||
	    define_sym_iter(vm, vm->array_proto, make_iter,
		1000 + JS_IT_ARRAY_VALUES) == -1)
		return -1;
	/* flatMap = map + flat(1) */
	/* String */
	if ((c = make_ctor(
		 vm, "String", 1, string_ctor, 0, vm->string_proto)) == NULL ||
	    js_builtins_method(
		vm, c, "fromCharCode", 1, string_from_char_code, 0) == -1 ||
	    js_builtins_method(
		vm, c, "fromCodePoint", 1, string_from_code_point, 0) == -1 ||
	    js_builtins_method(vm, c, "raw", 1, string_raw, 0) == -1 ||
	    install(vm, vm->string_proto, string_methods) == -1 ||
	    define_sym_iter(
		vm, vm->string_proto, make_iter, 1000 + JS_IT_STRING) == -1)
		return -1;
	/* Number, Boolean */
	if ((c = make_ctor(
		 vm, "Number", 1, number_ctor, 0, vm->number_proto)) == NULL)
		return -1;
	for (i = 0; i < (int)(sizeof(numconsts) / sizeof(numconsts[0])); i++)
		if (define_value(vm, c, numconsts[i].name,
			js_mknum(numconsts[i].v), 0) == -1)
			return -1;
	if (js_builtins_method(vm, c, "isInteger", 1, number_is, 0) == -1 ||
	    js_builtins_method(vm, c, "isFinite", 1, number_is, 1) == -1 ||
	    js_builtins_method(vm, c, "isNaN", 1, number_is, 2) == -1 ||
	    js_builtins_method(vm, c, "isSafeInteger", 1, number_is, 3) == -1 ||
	    js_builtins_method(vm, c, "parseFloat", 1, global_parse_float, 0) ==
		-1 ||
	    js_builtins_method(vm, c, "parseInt", 2, global_parse_int, 0) ==
		-1 ||
	    js_builtins_method(vm, vm->number_proto, "toString", 1,
		number_to_string, 0) == -1 ||
	    js_builtins_method(
		vm, vm->number_proto, "toFixed", 1, number_to_fixed, 0) == -1 ||
	    js_builtins_method(
		vm, vm->number_proto, "valueOf", 0, number_value_of, 0) == -1 ||
	    js_builtins_method(vm, vm->number_proto, "toPrecision", 1,
		number_to_precision, 0) == -1 ||
	    js_builtins_method(vm, vm->number_proto, "toExponential", 1,
		number_to_precision, 1) == -1 ||
	    js_builtins_method(
		vm, vm->global, "parseFloat", 1, global_parse_float, 0) == -1 ||
	    js_builtins_method(
		vm, vm->global, "parseInt", 2, global_parse_int, 0) == -1 ||
	    js_builtins_method(vm, vm->global, "isNaN", 1, global_is, 0) ==
		-1 ||
	    js_builtins_method(vm, vm->global, "isFinite", 1, global_is, 1) ==
		-1 ||
	    js_builtins_method(
		vm, vm->global, "queueMicrotask", 1, queue_microtask, 0) == -1)
		return -1;
	if (make_ctor(vm, "Boolean", 1, boolean_ctor, 0, vm->boolean_proto) ==
		NULL ||
	    js_builtins_method(vm, vm->boolean_proto, "toString", 0,
		boolean_to_string, 0) == -1 ||
	    js_builtins_method(
		vm, vm->boolean_proto, "valueOf", 0, iter_self, 0) == -1)
		return -1;
	/* Symbol */
	if ((c = make_ctor(
		 vm, "Symbol", 0, symbol_ctor, 0, vm->symbol_proto)) == NULL ||
	    define_value(vm, c, "iterator", vm->sym_iterator, 0) == -1 ||
	    define_value(vm, c, "asyncIterator", vm->sym_async_iterator, 0) ==
		-1 ||
	    js_builtins_method(vm, vm->symbol_proto, "toString", 0,
		symbol_to_string, 0) == -1 ||
	    define_getter(vm, vm->symbol_proto, "description",
		symbol_description, 0) == -1)
		return -1;
	c->u.nat.ctor = 0;
	/* Math */
	if ((o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
	    define_value(vm, vm->global, "Math", js_mkobj(o), JS_P_HIDDEN) ==
		-1 ||
	    install(vm, o, math_methods) == -1)
		return -1;
	for (i = 0; i < (int)(sizeof(mathconsts) / sizeof(mathconsts[0])); i++)
		if (define_value(vm, o, mathconsts[i].name,
			js_mknum(mathconsts[i].v), 0) == -1)
			return -1;
	/* Errors */
	vm->error_protos[0] = vm->error_proto;
	for (i = 0; i < 5; i++) {
		static const char *const names[5] = { "Error", "TypeError",
			"RangeError", "SyntaxError", "ReferenceError" };

		if (i > 0 &&
		    (vm->error_protos[i] = js_obj_new(
			 vm, JS_CL_OBJECT, vm->error_proto)) == NULL)
			return -1;
		if ((c = make_ctor(vm, names[i], 1, error_ctor, i,
			 vm->error_protos[i])) == NULL)
			return -1;
		if (i > 0)
			c->proto = vm->error_ctors[0];
		vm->error_ctors[i] = c;
		if ((s = intern(vm, names[i])) == NULL ||
		    js_obj_define(vm, vm->error_protos[i], vm->atoms[JS_A_name],
			js_mkstr(s), JS_P_HIDDEN) == -1 ||
		    js_obj_define(vm, vm->error_protos[i],
			vm->atoms[JS_A_message],
			js_mkstr(vm->atoms[JS_A_empty]), JS_P_HIDDEN) == -1)
			return -1;
	}
	if (js_builtins_method(
		vm, vm->error_proto, "toString", 0, error_to_string, 0) == -1)
		return -1;
	/* Iterators */
	if (define_sym_iter(vm, vm->iter_proto, iter_self, 0) == -1 ||
	    js_builtins_method(
		vm, vm->array_iter_proto, "next", 0, iter_next, 0) == -1)
		return -1;
	/* Promise */
	if ((c = make_ctor(vm, "Promise", 1, promise_ctor, 0,
		 vm->promise_proto)) == NULL ||
	    install(vm, c, promise_statics) == -1 ||
	    install(vm, vm->promise_proto, promise_methods) == -1)
		return -1;
	vm->promise_ctor = c;
	/* Map, Set */
	if (make_ctor(vm, "Map", 0, map_ctor, 0, vm->map_proto) == NULL ||
	    install(vm, vm->map_proto, map_methods) == -1 ||
	    define_getter(vm, vm->map_proto, "size", map_op, 5) == -1 ||
	    define_sym_iter(
		vm, vm->map_proto, make_iter, 1000 + JS_IT_MAP_ENTRIES) == -1 ||
	    make_ctor(vm, "Set", 0, map_ctor, 1, vm->set_proto) == NULL ||
	    install(vm, vm->set_proto, set_methods) == -1 ||
	    define_getter(vm, vm->set_proto, "size", map_op, 15) == -1 ||
	    define_sym_iter(
		vm, vm->set_proto, make_iter, 1000 + JS_IT_SET_VALUES) == -1)
		return -1;
	/* Uint8Array */
	if ((c = make_ctor(vm, "Uint8Array", 3, u8_ctor, 0, vm->u8_proto)) ==
		NULL ||
	    install(vm, vm->u8_proto, u8_methods) == -1 ||
	    u8_delegates(vm) == -1 ||
	    js_builtins_method(vm, c, "from", 1, u8_from, 0) == -1 ||
	    js_builtins_method(vm, c, "of", 0, u8_from, 1) == -1 ||
	    define_getter(vm, vm->u8_proto, "byteLength", u8_byte_length, 0) ==
		-1 ||
	    define_sym_iter(
		vm, vm->u8_proto, make_iter, 1000 + JS_IT_ARRAY_VALUES) == -1)
		return -1;
	/* TextEncoder, TextDecoder */
	for (i = 0; i < 2; i++) {
		struct js_obj *proto =
		    js_obj_new(vm, JS_CL_OBJECT, vm->object_proto);
		if (proto == NULL ||
		    (c = make_ctor(vm, i == 0 ? "TextEncoder" : "TextDecoder",
			 0, text_encoder_ctor, 0, proto)) == NULL)
			return -1;
		c->u.nat.data[0] = js_mkobj(proto);
		if (js_builtins_method(vm, proto, i == 0 ? "encode" : "decode",
			1, i == 0 ? text_encode : text_decode, 0) == -1 ||
		    define_value(vm, proto, "encoding",
			js_mkstr(intern(vm, "utf-8")), 0) == -1)
			return -1;
	}
	/* Date.now */
	if ((c = make_ctor(vm, "Date", 0, date_ctor, 0, NULL)) == NULL ||
	    js_builtins_method(vm, c, "now", 0, date_now, 0) == -1)
		return -1;
	if (js_inspect_init(vm) == -1 || js_json_init(vm) == -1)
		return -1;
	return 0;
}

int
js_builtins_inspect(
    struct js_vm *vm, struct js_value v, struct buf *out, int top)
{
	return js_inspect_value(vm, v, out, top);
}
