/*
 * The JavaScript recipe interpreter: a stack VM over js_compile's bytecode
 * with heap-saved frames for async functions (ECMA-262 §27.7), promises
 * and the job queue (§27.2, §9.5), property access (§10.1), operators
 * (§13), ES modules (§16.2) and the embedding API of js_interp.h.
 *
 * Untrusted input: the module source.  Guarantees: every instruction is
 * charged against the instruction budget, nested calls are bounded
 * (depth_max frames, JS_MAX_C_DEPTH native re-entries), the value stack is
 * bounded (JS_STACK_MAX), every allocation is charged against the memory
 * cap; exhausting the budget or the memory stops the VM with an error
 * JavaScript cannot catch.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_compile.h"
#include "recipe/js_interp.h"
#include "recipe/js_parse.h"
#include "recipe/js_value.h"

/* Re-entries of the run loop from native code (C stack bound). */
#ifndef JS_MAX_C_DEPTH
#define JS_MAX_C_DEPTH 200
#endif
/* Stack trace lines kept in an error. */
#define JS_TRACE_MAX 10
/* Nested module loads (import chains). */
#define JS_MAX_LOAD_DEPTH 64

static struct js_value run(struct js_vm *, int resume_exc);
static struct js_value call_value(struct js_vm *, struct js_value f,
    struct js_value this_val, int argc, const struct js_value *argv,
    int construct);
static void vm_fatal_error(struct js_vm *);

/* ---- small helpers ---- */

struct js_value
js_undefined(void)
{
	return JS_UNDEF;
}

struct js_value
js_null(void)
{
	return JS_NULLV;
}

struct js_value
js_bool(int b)
{
	return js_mkbool(b);
}

struct js_value
js_number(double d)
{
	return js_mknum(d);
}

struct js_value
js_exception(void)
{
	return JS_EXC;
}

int
js_is_exception(struct js_value v)
{
	return v.tag == JS_TAG_EXC;
}

int
js_callable(struct js_value v)
{
	return JS_ISOBJ(v) &&
	    (JS_OBJ(v)->cls == JS_CL_FUNC || JS_OBJ(v)->cls == JS_CL_NATIVE ||
		JS_OBJ(v)->cls == JS_CL_BOUND);
}

int
js_push(struct js_vm *vm, struct js_value v)
{
	if (vm->sp >= vm->stack_end) {
		(void)js_throw_error(
		    vm, JS_RANGE_ERROR, "Maximum call stack size exceeded");
		return -1;
	}
	*vm->sp++ = v;
	return 0;
}

static struct js_str *
atom(struct js_vm *vm, enum js_atom_id id)
{
	return vm->atoms[id];
}

static struct js_str *
intern(struct js_vm *vm, const char *s)
{
	return js_str_intern(vm, s, strlen(s));
}

/* ---- errors ---- */

static struct js_frame *
top_frame(struct js_vm *vm)
{
	return vm->nframes > 0 ? &vm->frames[vm->nframes - 1] : NULL;
}

static uint32_t
frame_pc(const struct js_frame *f)
{
	if (f->ipc == NULL || f->p == NULL)
		return 0;
	return (uint32_t)(f->ipc - f->p->code);
}

static const char *
frame_file(const struct js_frame *f)
{
	if (f->p != NULL && f->p->module != NULL &&
	    f->p->module->filename != NULL)
		return f->p->module->filename;
	return "<anonymous>";
}

struct js_str *
js_trace(struct js_vm *vm)
{
	struct buf b;
	struct js_str *s;
	unsigned i, n = 0, line, col;
	const struct js_frame *f;
	int r = 0;

	buf_init(&b);
	for (i = vm->nframes; i > 0 && n < JS_TRACE_MAX; i--, n++) {
		f = &vm->frames[i - 1];
		js_compile_pos(f->p, frame_pc(f), &line, &col);
		if (f->p->name != NULL && f->p->name->len > 0 &&
		    !f->p->module_body)
			r |= buf_printf(&b, "\n    at %s (%s:%u:%u)",
			    f->p->name->data, frame_file(f), line, col);
		else
			r |= buf_printf(
			    &b, "\n    at %s:%u:%u", frame_file(f), line, col);
	}
	if (r != 0) {
		buf_release(&b);
		vm->fatal = 1;
		return NULL;
	}
	s = js_str_new(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return s;
}

static struct js_str *
current_loc(struct js_vm *vm)
{
	struct js_frame *f = top_frame(vm);
	unsigned line, col;
	char b[64];
	struct buf out;
	struct js_str *s;

	if (f == NULL)
		return NULL;
	js_compile_pos(f->p, frame_pc(f), &line, &col);
	buf_init(&out);
	snprintf(b, sizeof(b), ":%u:%u", line, col);
	if (buf_append_str(&out, frame_file(f)) == -1 ||
	    buf_append_str(&out, b) == -1) {
		buf_release(&out);
		return NULL;
	}
	s = js_str_new(vm, (const char *)out.data, out.len);
	buf_release(&out);
	return s;
}

/* Turns o (just created) into an error object with message msg. */
static int
init_error(struct js_vm *vm, struct js_obj *o, struct js_str *msg)
{
	o->cls = JS_CL_ERROR;
	memset(&o->u, 0, sizeof(o->u));
	if (msg != NULL &&
	    js_obj_define(vm, o, atom(vm, JS_A_message), js_mkstr(msg),
		JS_P_HIDDEN) == -1)
		return -1;
	o->u.err.loc = current_loc(vm);
	o->u.err.trace = js_trace(vm);
	return vm->fatal ? -1 : 0;
}

struct js_value
js_make_error(struct js_vm *vm, int kind, struct js_str *msg)
{
	struct js_obj *o;

	if (kind < 0 || kind > 4)
		kind = 0;
	if ((o = js_obj_new(vm, JS_CL_OBJECT, vm->error_protos[kind])) == NULL)
		return JS_EXC;
	if (init_error(vm, o, msg) == -1)
		return JS_EXC;
	return js_mkobj(o);
}

struct js_value
js_error_new(struct js_vm *vm, enum js_error_kind kind, const char *msg)
{
	struct js_str *s = js_str_new(vm, msg, strlen(msg));

	if (s == NULL)
		return JS_EXC;
	return js_make_error(vm, (int)kind, s);
}

struct js_value
js_throw(struct js_vm *vm, struct js_value exc)
{
	vm->exc = exc;
	vm->has_exc = 1;
	return JS_EXC;
}

struct js_value
js_throw_error(struct js_vm *vm, enum js_error_kind kind, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	struct js_value e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (vm->fatal)
		return JS_EXC;
	e = js_error_new(vm, kind, msg);
	if (e.tag == JS_TAG_EXC)
		return JS_EXC;
	return js_throw(vm, e);
}

struct js_value
js_syntax_error_at(struct js_vm *vm, const char *file, unsigned line,
    unsigned col, const char *msg)
{
	struct js_value e;
	struct js_obj *o;
	char loc[64];
	struct buf b;

	e = js_error_new(vm, JS_SYNTAX_ERROR, msg);
	if (e.tag == JS_TAG_EXC)
		return JS_EXC;
	o = JS_OBJ(e);
	buf_init(&b);
	if (line != 0)
		snprintf(loc, sizeof(loc), ":%u:%u", line, col);
	else
		loc[0] = '\0';
	if (buf_append_str(&b, file != NULL ? file : "<input>") == 0 &&
	    buf_append_str(&b, loc) == 0)
		o->u.err.loc = js_str_new(vm, (const char *)b.data, b.len);
	buf_release(&b);
	o->u.err.trace = atom(vm, JS_A_empty);
	return js_throw(vm, e);
}

struct js_value
js_exception_take(struct js_vm *vm)
{
	struct js_value e = vm->has_exc ? vm->exc : JS_UNDEF;

	vm->exc = JS_UNDEF;
	vm->has_exc = 0;
	return e;
}

static void
vm_fatal_error(struct js_vm *vm)
{
	/* The budget message is set where it is detected; anything else
	 * fatal is memory. */
	if (!vm->has_exc || vm->exc.tag != JS_TAG_STR) {
		vm->exc = js_mkstr(atom(vm, JS_A_oom));
		vm->has_exc = 1;
	}
}

/* ---- conversions that may call JavaScript ---- */

const char *
js_typeof_str(struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_UNDEF:
		return "undefined";
	case JS_TAG_NULL:
		return "object";
	case JS_TAG_BOOL:
		return "boolean";
	case JS_TAG_NUM:
		return "number";
	case JS_TAG_STR:
		return "string";
	case JS_TAG_SYM:
		return "symbol";
	default:
		return js_callable(v) ? "function" : "object";
	}
}

struct js_value
js_to_primitive(struct js_vm *vm, struct js_value v, int hint_string)
{
	struct js_str *order[2];
	struct js_value f, r;
	int i;

	if (!JS_ISOBJ(v))
		return v;
	order[0] = atom(vm, hint_string ? JS_A_toString : JS_A_valueOf);
	order[1] = atom(vm, hint_string ? JS_A_valueOf : JS_A_toString);
	for (i = 0; i < 2; i++) {
		f = js_get_key(vm, v, order[i]);
		if (f.tag == JS_TAG_EXC)
			return JS_EXC;
		if (!js_callable(f))
			continue;
		r = call_value(vm, f, v, 0, NULL, 0);
		if (r.tag == JS_TAG_EXC || !JS_ISOBJ(r))
			return r;
	}
	return js_throw_error(
	    vm, JS_TYPE_ERROR, "Cannot convert object to primitive value");
}

struct js_str *
js_tostr(struct js_vm *vm, struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_STR:
		return JS_STR(v);
	case JS_TAG_NUM:
		return js_num_to_str(vm, v.u.num);
	case JS_TAG_BOOL:
		return atom(vm, v.u.b ? JS_A_true : JS_A_false);
	case JS_TAG_UNDEF:
		return atom(vm, JS_A_undefined);
	case JS_TAG_NULL:
		return atom(vm, JS_A_null);
	case JS_TAG_SYM:
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "Cannot convert a Symbol value to a string");
		return NULL;
	case JS_TAG_OBJ:
		v = js_to_primitive(vm, v, 1);
		if (v.tag == JS_TAG_EXC)
			return NULL;
		return js_tostr(vm, v);
	default:
		return NULL;
	}
}

int
js_tonum(struct js_vm *vm, struct js_value v, double *out)
{
	switch (v.tag) {
	case JS_TAG_NUM:
		*out = v.u.num;
		return 0;
	case JS_TAG_STR:
		*out = js_str_to_number(JS_STR(v));
		return 0;
	case JS_TAG_BOOL:
		*out = v.u.b;
		return 0;
	case JS_TAG_UNDEF:
		*out = NAN;
		return 0;
	case JS_TAG_NULL:
		*out = 0;
		return 0;
	case JS_TAG_SYM:
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "Cannot convert a Symbol value to a number");
		return -1;
	case JS_TAG_OBJ:
		v = js_to_primitive(vm, v, 0);
		if (v.tag == JS_TAG_EXC)
			return -1;
		return js_tonum(vm, v, out);
	default:
		return -1;
	}
}

struct js_str *
js_to_key(struct js_vm *vm, struct js_value v)
{
	struct js_str *s;

	if (v.tag == JS_TAG_SYM)
		return JS_STR(v);
	if (v.tag == JS_TAG_STR)
		return js_str_intern_str(vm, JS_STR(v));
	if ((s = js_tostr(vm, v)) == NULL)
		return NULL;
	return js_str_intern_str(vm, s);
}

/* ---- property access ---- */

struct js_prop *
js_own_prop(struct js_obj *o, struct js_str *key)
{
	return js_obj_find(o, key);
}

static int
fn_constructible(const struct js_obj *o)
{
	if (o->cls == JS_CL_FUNC)
		return !o->u.fn.p->arrow && !o->u.fn.p->async &&
		    (!o->u.fn.p->method || o->u.fn.p->ctor);
	if (o->cls == JS_CL_NATIVE)
		return o->u.nat.ctor;
	if (o->cls == JS_CL_BOUND)
		return js_callable(o->u.bound.target) &&
		    fn_constructible(JS_OBJ(o->u.bound.target));
	return 0;
}

struct js_str *
js_fn_name(struct js_vm *vm, struct js_obj *o)
{
	struct js_prop *p;

	if ((p = js_obj_find(o, atom(vm, JS_A_name))) != NULL &&
	    p->v.tag == JS_TAG_STR)
		return JS_STR(p->v);
	if (o->cls == JS_CL_FUNC && o->u.fn.p->name != NULL)
		return o->u.fn.p->name;
	return atom(vm, JS_A_empty);
}

/* Virtual own properties of functions, arrays, strings, typed arrays. */
static int
virtual_get(struct js_vm *vm, struct js_obj *o, struct js_str *key,
    struct js_value *out)
{
	int64_t i;
	struct js_obj *proto;

	switch (o->cls) {
	case JS_CL_ARRAY:
		if (key == atom(vm, JS_A_length)) {
			*out = js_mknum(o->u.arr.len);
			return 1;
		}
		if ((i = js_str_index(key)) >= 0) {
			*out = i < o->u.arr.len ? o->u.arr.items[i] : JS_UNDEF;
			return i < o->u.arr.len;
		}
		return 0;
	case JS_CL_U8:
		if (key == atom(vm, JS_A_length)) {
			*out = js_mknum(o->u.u8.len);
			return 1;
		}
		if ((i = js_str_index(key)) >= 0) {
			*out = i < o->u.u8.len
			    ? js_mknum(o->u.u8.bytes->u.bytes
					   .data[o->u.u8.off + (uint32_t)i])
			    : JS_UNDEF;
			return 1;
		}
		return 0;
	case JS_CL_FUNC:
		if (key == atom(vm, JS_A_name)) {
			*out = js_mkstr(js_fn_name(vm, o));
			return 1;
		}
		if (key == atom(vm, JS_A_length)) {
			*out = js_mknum(o->u.fn.p->nparams);
			return 1;
		}
		if (key == atom(vm, JS_A_prototype) && fn_constructible(o)) {
			/* Created on first use. */
			if ((proto = js_obj_new(
				 vm, JS_CL_OBJECT, vm->object_proto)) == NULL ||
			    js_obj_define(vm, proto, atom(vm, JS_A_constructor),
				js_mkobj(o), JS_P_HIDDEN) == -1 ||
			    js_obj_define(
				vm, o, key, js_mkobj(proto), JS_P_WRITE) == -1)
				return -1;
			*out = js_mkobj(proto);
			return 1;
		}
		return 0;
	case JS_CL_BOUND:
		if (key == atom(vm, JS_A_name)) {
			*out = js_mkstr(atom(vm, JS_A_empty));
			return 1;
		}
		return 0;
	case JS_CL_ERROR:
		return 0;
	default:
		return 0;
	}
}

static struct js_value
call_getter(struct js_vm *vm, struct js_prop *p, struct js_value recv)
{
	struct js_obj *acc = JS_OBJ(p->v);

	if (!js_callable(acc->u.acc.get))
		return JS_UNDEF;
	return call_value(vm, acc->u.acc.get, recv, 0, NULL, 0);
}

static struct js_value
error_stack(struct js_vm *vm, struct js_obj *o, struct js_value recv)
{
	struct js_value name, msg;
	struct js_str *ns, *ms, *s;
	struct buf b;

	struct js_value *mark = vm->sp;

	name = js_get_key(vm, recv, atom(vm, JS_A_name));
	if (name.tag == JS_TAG_EXC || js_push(vm, name) == -1)
		return JS_EXC;
	msg = js_get_key(vm, recv, atom(vm, JS_A_message));
	if (msg.tag == JS_TAG_EXC || js_push(vm, msg) == -1) {
		vm->sp = mark;
		return JS_EXC;
	}
	vm->sp = mark;
	ns =
	    name.tag == JS_TAG_UNDEF ? intern(vm, "Error") : js_tostr(vm, name);
	if (ns == NULL)
		return JS_EXC;
	ms = msg.tag == JS_TAG_UNDEF ? atom(vm, JS_A_empty) : js_tostr(vm, msg);
	if (ms == NULL)
		return JS_EXC;
	buf_init(&b);
	if (buf_append(&b, ns->data, ns->len) == -1 ||
	    (ms->len > 0 && ns->len > 0 && buf_append_str(&b, ": ") == -1) ||
	    buf_append(&b, ms->data, ms->len) == -1 ||
	    (o->u.err.trace != NULL &&
		buf_append(&b, o->u.err.trace->data, o->u.err.trace->len) ==
		    -1)) {
		buf_release(&b);
		return js_value_oom(vm);
	}
	s = js_str_new(vm, (const char *)b.data, b.len);
	buf_release(&b);
	return s != NULL ? js_mkstr(s) : JS_EXC;
}

static struct js_obj *
proto_of_prim(struct js_vm *vm, struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_STR:
		return vm->string_proto;
	case JS_TAG_NUM:
		return vm->number_proto;
	case JS_TAG_BOOL:
		return vm->boolean_proto;
	case JS_TAG_SYM:
		return vm->symbol_proto;
	default:
		return NULL;
	}
}

struct js_value
js_get_key(struct js_vm *vm, struct js_value v, struct js_str *key)
{
	struct js_obj *o;
	struct js_prop *p;
	struct js_value out;
	int64_t i;
	int r;

	if (v.tag == JS_TAG_OBJ)
		o = JS_OBJ(v);
	else if (v.tag == JS_TAG_STR) {
		struct js_str *s = JS_STR(v);

		if (key == atom(vm, JS_A_length))
			return js_mknum(s->u16len);
		if ((i = js_str_index(key)) >= 0) {
			struct js_str *c;

			if (i >= s->u16len)
				return JS_UNDEF;
			c = js_str_sub(vm, s, (uint32_t)i, (uint32_t)i + 1);
			return c != NULL ? js_mkstr(c) : JS_EXC;
		}
		o = vm->string_proto;
	} else if (JS_ISNULLISH(v)) {
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "Cannot read properties of %s (reading '%s')",
		    v.tag == JS_TAG_NULL ? "null" : "undefined", key->data);
	} else
		o = proto_of_prim(vm, v);
	for (; o != NULL; o = o->proto) {
		if ((p = js_obj_find(o, key)) != NULL) {
			if (p->flags & JS_P_ACCESSOR)
				return call_getter(vm, p, v);
			return p->v;
		}
		if (o->cls != JS_CL_OBJECT) {
			if ((r = virtual_get(vm, o, key, &out)) == -1)
				return JS_EXC;
			if (r == 1)
				return out;
			if (o->cls == JS_CL_ERROR &&
			    key == atom(vm, JS_A_stack))
				return error_stack(vm, o, v);
		}
	}
	return JS_UNDEF;
}

struct js_value
js_get_val(struct js_vm *vm, struct js_value v, struct js_value key)
{
	struct js_str *k;
	double d;
	uint32_t i;

	if (key.tag == JS_TAG_NUM && v.tag == JS_TAG_OBJ) {
		d = key.u.num;
		if (d >= 0 && d < 4294967295.0 && d == (double)(uint32_t)d) {
			struct js_obj *o = JS_OBJ(v);

			i = (uint32_t)d;
			if (o->cls == JS_CL_ARRAY) {
				if (i < o->u.arr.len)
					return o->u.arr.items[i];
			} else if (o->cls == JS_CL_U8) {
				if (i < o->u.u8.len)
					return js_mknum(
					    o->u.u8.bytes->u.bytes
						.data[o->u.u8.off + i]);
				return JS_UNDEF;
			}
		}
	}
	if (JS_ISNULLISH(v)) {
		k = js_to_key(vm, key);
		if (k == NULL)
			return JS_EXC;
		return js_get_key(vm, v, k);
	}
	if ((k = js_to_key(vm, key)) == NULL)
		return JS_EXC;
	return js_get_key(vm, v, k);
}

static int
type_error_int(struct js_vm *vm, const char *fmt, const char *a, const char *b)
{
	(void)js_throw_error(vm, JS_TYPE_ERROR, fmt, a, b);
	return -1;
}

static int
set_u8(struct js_vm *vm, struct js_obj *o, uint32_t i, struct js_value val)
{
	double d;

	if (js_tonum(vm, val, &d) == -1)
		return -1;
	if (i < o->u.u8.len)
		o->u.u8.bytes->u.bytes.data[o->u.u8.off + i] =
		    (unsigned char)js_to_uint32(d);
	return 0;
}

static int
set_array_len(struct js_vm *vm, struct js_obj *o, struct js_value val)
{
	double d;

	if (js_tonum(vm, val, &d) == -1)
		return -1;
	if (d < 0 || d != floor(d) || d > 4294967295.0) {
		(void)js_throw_error(
		    vm, JS_RANGE_ERROR, "Invalid array length");
		return -1;
	}
	if (d > JS_MAX_ARRAY) {
		(void)js_throw_error(
		    vm, JS_RANGE_ERROR, "array length exceeds the limit");
		return -1;
	}
	if (o->frozen)
		return type_error_int(vm,
		    "Cannot assign to read only property '%s' of object%s",
		    "length", "");
	return js_arr_setlen(vm, o, (uint32_t)d) == -1 ? -1 : 0;
}

static int
array_set_index(
    struct js_vm *vm, struct js_obj *o, uint32_t i, struct js_value val)
{
	if (o->frozen)
		return type_error_int(vm,
		    "Cannot assign to read only property '%s' of object%s",
		    "index", "");
	if (i < o->u.arr.len) {
		o->u.arr.items[i] = val;
		return 0;
	}
	if (i >= JS_MAX_ARRAY || i > o->u.arr.len + 1024u * 1024) {
		(void)js_throw_error(vm, JS_RANGE_ERROR,
		    "not supported: sparse array (index %u)", i);
		return -1;
	}
	if (js_arr_setlen(vm, o, i + 1) == -1)
		return -1;
	o->u.arr.items[i] = val;
	return 0;
}

int
js_set_key(struct js_vm *vm, struct js_value v, struct js_str *key,
    struct js_value val)
{
	struct js_obj *o, *q;
	struct js_prop *p;
	struct js_value args[1];
	int64_t i;

	if (v.tag != JS_TAG_OBJ) {
		if (JS_ISNULLISH(v))
			return type_error_int(vm,
			    "Cannot set properties of %s (setting '%s')",
			    v.tag == JS_TAG_NULL ? "null" : "undefined",
			    key->data);
		return type_error_int(vm, "Cannot create property '%s' on %s",
		    key->data, js_typeof_str(v));
	}
	o = JS_OBJ(v);
	if (o->cls == JS_CL_ARRAY) {
		if (key == atom(vm, JS_A_length))
			return set_array_len(vm, o, val);
		if ((i = js_str_index(key)) >= 0)
			return array_set_index(vm, o, (uint32_t)i, val);
	} else if (o->cls == JS_CL_U8) {
		if ((i = js_str_index(key)) >= 0)
			return set_u8(vm, o, (uint32_t)i, val);
		if (key == atom(vm, JS_A_length))
			return 0;
	}
	for (q = o; q != NULL; q = q->proto) {
		if ((p = js_obj_find(q, key)) == NULL)
			continue;
		if (p->flags & JS_P_ACCESSOR) {
			struct js_obj *acc = JS_OBJ(p->v);

			if (!js_callable(acc->u.acc.set))
				return type_error_int(vm,
				    "Cannot set property %s of %s which has "
				    "only a getter",
				    key->data, "#<Object>");
			args[0] = val;
			return call_value(vm, acc->u.acc.set, v, 1, args, 0)
				    .tag == JS_TAG_EXC
			    ? -1
			    : 0;
		}
		if (!(p->flags & JS_P_WRITE) || (q == o && o->frozen))
			return type_error_int(vm,
			    "Cannot assign to read only property '%s' of "
			    "object%s",
			    key->data, "");
		if (q == o) {
			p->v = val;
			return 0;
		}
		break;
	}
	if (!o->extensible || o->frozen)
		return type_error_int(vm,
		    "Cannot add property %s, object is not extensible%s",
		    key->data, "");
	return js_obj_define(vm, o, key, val, JS_P_DEFAULT);
}

int
js_set_val(struct js_vm *vm, struct js_value v, struct js_value key,
    struct js_value val)
{
	struct js_str *k;
	double d;

	if (key.tag == JS_TAG_NUM && v.tag == JS_TAG_OBJ) {
		d = key.u.num;
		if (d >= 0 && d < 4294967295.0 && d == (double)(uint32_t)d) {
			struct js_obj *o = JS_OBJ(v);

			if (o->cls == JS_CL_ARRAY)
				return array_set_index(vm, o, (uint32_t)d, val);
			if (o->cls == JS_CL_U8)
				return set_u8(vm, o, (uint32_t)d, val);
		}
	}
	if ((k = js_to_key(vm, key)) == NULL)
		return -1;
	return js_set_key(vm, v, k, val);
}

int
js_has_key(struct js_vm *vm, struct js_value v, struct js_str *key)
{
	struct js_obj *o;
	struct js_value out;
	int r;

	if (!JS_ISOBJ(v))
		return 0;
	for (o = JS_OBJ(v); o != NULL; o = o->proto) {
		if (js_obj_find(o, key) != NULL)
			return 1;
		if (o->cls != JS_CL_OBJECT) {
			r = virtual_get(vm, o, key, &out);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

static int
delete_key(struct js_vm *vm, struct js_value v, struct js_str *key)
{
	struct js_obj *o;
	struct js_prop *p;
	int64_t i;

	if (!JS_ISOBJ(v)) {
		if (JS_ISNULLISH(v))
			return type_error_int(vm,
			    "Cannot convert undefined or null to object%s%s",
			    "", "");
		return 1;
	}
	o = JS_OBJ(v);
	if (o->cls == JS_CL_ARRAY && (i = js_str_index(key)) >= 0) {
		if (o->frozen)
			return type_error_int(vm,
			    "Cannot delete property '%s' of %s", key->data,
			    "[object Array]");
		if (i + 1 == o->u.arr.len) {
			o->u.arr.len--;
			return 1;
		}
		if (i < o->u.arr.len) {
			(void)js_throw_error(vm, JS_TYPE_ERROR,
			    "not supported: delete of an array element "
			    "(sparse array)");
			return -1;
		}
		return 1;
	}
	if ((p = js_obj_find(o, key)) == NULL)
		return 1;
	if (o->frozen || !(p->flags & JS_P_CONF))
		return type_error_int(vm, "Cannot delete property '%s' of %s",
		    key->data, "#<Object>");
	return js_obj_delete(vm, o, key) == -1 ? -1 : 1;
}

/* Own enumerable keys in ECMA-262 §10.1.11 order: integer keys
 * ascending, then strings in insertion order (symbols when asked). */
struct js_obj *
js_own_keys(struct js_vm *vm, struct js_obj *o, int symbols)
{
	struct js_obj *a;
	uint32_t i, j, nint = 0;
	struct js_str *s;
	int64_t *ints = NULL;

	if ((a = js_arr_new(vm, 0)) == NULL)
		return NULL;
	if (o->cls == JS_CL_ARRAY || o->cls == JS_CL_U8) {
		uint32_t n = o->cls == JS_CL_ARRAY ? o->u.arr.len : o->u.u8.len;

		for (i = 0; i < n; i++) {
			if ((s = js_num_to_str(vm, i)) == NULL ||
			    js_arr_push(vm, a, js_mkstr(s)) == -1)
				return NULL;
		}
	}
	for (i = 0; i < o->nprops; i++)
		if ((o->props[i].flags & JS_P_ENUM) &&
		    o->props[i].key->interned &&
		    js_str_index(o->props[i].key) >= 0)
			nint++;
	if (nint > 0) {
		if ((ints = malloc(nint * sizeof(*ints))) == NULL) {
			vm->fatal = 1;
			return NULL;
		}
		for (i = 0, j = 0; i < o->nprops; i++) {
			int64_t k = o->props[i].key->interned
			    ? js_str_index(o->props[i].key)
			    : -1;
			if ((o->props[i].flags & JS_P_ENUM) && k >= 0)
				ints[j++] = k;
		}
		/* insertion sort: few integer keys in practice */
		for (i = 1; i < nint; i++) {
			int64_t x = ints[i];
			for (j = i; j > 0 && ints[j - 1] > x; j--)
				ints[j] = ints[j - 1];
			ints[j] = x;
		}
		for (i = 0; i < nint; i++) {
			if ((s = js_num_to_str(vm, (double)ints[i])) == NULL ||
			    js_arr_push(vm, a, js_mkstr(s)) == -1) {
				free(ints);
				return NULL;
			}
		}
		free(ints);
	}
	for (i = 0; i < o->nprops; i++) {
		struct js_prop *p = &o->props[i];

		if (!(p->flags & JS_P_ENUM))
			continue;
		if (!p->key->interned) {
			if (symbols &&
			    js_arr_push(vm, a,
				(struct js_value){
				    .tag = JS_TAG_SYM, .u.ptr = p->key }) == -1)
				return NULL;
			continue;
		}
		if (js_str_index(p->key) >= 0)
			continue;
		if (js_arr_push(vm, a, js_mkstr(p->key)) == -1)
			return NULL;
	}
	return a;
}

/* ---- operators ---- */

int
js_loose_eq(struct js_vm *vm, struct js_value a, struct js_value b)
{
	double x, y;

	for (;;) {
		if (a.tag == b.tag)
			return js_strict_eq(a, b);
		if (JS_ISNULLISH(a) && JS_ISNULLISH(b))
			return 1;
		if (JS_ISNULLISH(a) || JS_ISNULLISH(b))
			return 0;
		if ((a.tag == JS_TAG_NUM && b.tag == JS_TAG_STR) ||
		    (a.tag == JS_TAG_STR && b.tag == JS_TAG_NUM) ||
		    a.tag == JS_TAG_BOOL || b.tag == JS_TAG_BOOL) {
			if (a.tag == JS_TAG_OBJ || b.tag == JS_TAG_OBJ) {
				if (a.tag == JS_TAG_BOOL)
					a = js_mknum(a.u.b);
				else
					b = js_mknum(b.u.b);
				continue;
			}
			if (a.tag == JS_TAG_SYM || b.tag == JS_TAG_SYM)
				return 0;
			if (js_tonum(vm, a, &x) == -1 ||
			    js_tonum(vm, b, &y) == -1)
				return -1;
			return x == y;
		}
		if (a.tag == JS_TAG_OBJ && b.tag != JS_TAG_OBJ) {
			if ((a = js_to_primitive(vm, a, 0)).tag == JS_TAG_EXC)
				return -1;
			continue;
		}
		if (b.tag == JS_TAG_OBJ && a.tag != JS_TAG_OBJ) {
			if ((b = js_to_primitive(vm, b, 0)).tag == JS_TAG_EXC)
				return -1;
			continue;
		}
		return 0;
	}
}

static struct js_value
op_add(struct js_vm *vm, struct js_value a, struct js_value b)
{
	struct js_str *x, *y, *s;
	double p, q;

	struct js_value *mark = vm->sp;

	/* a's primitive stays on the stack while b's conversion runs
	 * JavaScript (the collector may run there). */
	if (a.tag == JS_TAG_OBJ &&
	    (a = js_to_primitive(vm, a, 0)).tag == JS_TAG_EXC)
		return JS_EXC;
	if (js_push(vm, a) == -1)
		return JS_EXC;
	if (b.tag == JS_TAG_OBJ &&
	    (b = js_to_primitive(vm, b, 0)).tag == JS_TAG_EXC) {
		vm->sp = mark;
		return JS_EXC;
	}
	vm->sp = mark;
	if (a.tag == JS_TAG_STR || b.tag == JS_TAG_STR) {
		if ((x = js_tostr(vm, a)) == NULL ||
		    (y = js_tostr(vm, b)) == NULL)
			return JS_EXC;
		if ((s = js_str_concat(vm, x, y)) == NULL)
			return js_value_oom(vm);
		return js_mkstr(s);
	}
	if (js_tonum(vm, a, &p) == -1 || js_tonum(vm, b, &q) == -1)
		return JS_EXC;
	return js_mknum(p + q);
}

/* a < b: 1, 0, or 2 for undefined (NaN); -1 thrown. */
static int
op_less(struct js_vm *vm, struct js_value a, struct js_value b, int left_first)
{
	double x, y;

	struct js_value *mark = vm->sp;

	if (left_first) {
		if ((a = js_to_primitive(vm, a, 0)).tag == JS_TAG_EXC ||
		    js_push(vm, a) == -1 ||
		    (b = js_to_primitive(vm, b, 0)).tag == JS_TAG_EXC) {
			vm->sp = mark;
			return -1;
		}
	} else {
		if ((b = js_to_primitive(vm, b, 0)).tag == JS_TAG_EXC ||
		    js_push(vm, b) == -1 ||
		    (a = js_to_primitive(vm, a, 0)).tag == JS_TAG_EXC) {
			vm->sp = mark;
			return -1;
		}
	}
	vm->sp = mark;
	if (a.tag == JS_TAG_STR && b.tag == JS_TAG_STR)
		return js_str_cmp(JS_STR(a), JS_STR(b)) < 0;
	if (js_tonum(vm, a, &x) == -1 || js_tonum(vm, b, &y) == -1)
		return -1;
	if (x != x || y != y)
		return 2;
	return x < y;
}

static int
instance_of(struct js_vm *vm, struct js_value v, struct js_value f)
{
	struct js_value proto;
	struct js_obj *o;

	if (!js_callable(f)) {
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "Right-hand side of 'instanceof' is not callable");
		return -1;
	}
	while (JS_OBJ(f)->cls == JS_CL_BOUND)
		f = JS_OBJ(f)->u.bound.target;
	if (!JS_ISOBJ(v))
		return 0;
	proto = js_get_key(vm, f, atom(vm, JS_A_prototype));
	if (proto.tag == JS_TAG_EXC)
		return -1;
	if (!JS_ISOBJ(proto)) {
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "Function has non-object prototype in instanceof check");
		return -1;
	}
	for (o = JS_OBJ(v)->proto; o != NULL; o = o->proto)
		if (o == JS_OBJ(proto))
			return 1;
	return 0;
}

static struct js_value
op_binary(struct js_vm *vm, int op, struct js_value a, struct js_value b)
{
	double x, y;
	int r;
	struct js_str *k;

	switch (op) {
	case JS_OP_ADD:
		return op_add(vm, a, b);
	case JS_OP_EQ:
	case JS_OP_NE:
		if ((r = js_loose_eq(vm, a, b)) == -1)
			return JS_EXC;
		return js_mkbool(op == JS_OP_EQ ? r : !r);
	case JS_OP_SEQ:
		return js_mkbool(js_strict_eq(a, b));
	case JS_OP_SNE:
		return js_mkbool(!js_strict_eq(a, b));
	case JS_OP_LT:
		if ((r = op_less(vm, a, b, 1)) == -1)
			return JS_EXC;
		return js_mkbool(r == 1);
	case JS_OP_GT:
		if ((r = op_less(vm, b, a, 0)) == -1)
			return JS_EXC;
		return js_mkbool(r == 1);
	case JS_OP_LE:
		if ((r = op_less(vm, b, a, 0)) == -1)
			return JS_EXC;
		return js_mkbool(r == 0);
	case JS_OP_GE:
		if ((r = op_less(vm, a, b, 1)) == -1)
			return JS_EXC;
		return js_mkbool(r == 0);
	case JS_OP_INSTANCEOF:
		if ((r = instance_of(vm, a, b)) == -1)
			return JS_EXC;
		return js_mkbool(r);
	case JS_OP_IN:
		if (!JS_ISOBJ(b)) {
			struct js_str *ks = js_tostr(vm, a);
			return js_throw_error(vm, JS_TYPE_ERROR,
			    "Cannot use 'in' operator to search for '%s' in "
			    "%s",
			    ks != NULL ? ks->data : "?", js_typeof_str(b));
		}
		if ((k = js_to_key(vm, a)) == NULL)
			return JS_EXC;
		if ((r = js_has_key(vm, b, k)) == -1)
			return JS_EXC;
		return js_mkbool(r);
	default:
		break;
	}
	if (js_tonum(vm, a, &x) == -1 || js_tonum(vm, b, &y) == -1)
		return JS_EXC;
	switch (op) {
	case JS_OP_SUB:
		return js_mknum(x - y);
	case JS_OP_MUL:
		return js_mknum(x * y);
	case JS_OP_DIV:
		return js_mknum(x / y);
	case JS_OP_MOD:
		if (y == 0 || x != x || y != y || isinf(x))
			return js_mknum(NAN);
		if (isinf(y))
			return js_mknum(x);
		return js_mknum(fmod(x, y));
	case JS_OP_EXP:
		if (y != y || ((x == 1 || x == -1) && isinf(y)))
			return js_mknum(NAN);
		return js_mknum(pow(x, y));
	case JS_OP_SHL:
		return js_mknum((int32_t)((uint32_t)js_to_int32(x)
		    << (js_to_uint32(y) & 31)));
	case JS_OP_SAR:
		return js_mknum(js_to_int32(x) >> (js_to_uint32(y) & 31));
	case JS_OP_SHR:
		return js_mknum(js_to_uint32(x) >> (js_to_uint32(y) & 31));
	case JS_OP_BAND:
		return js_mknum(js_to_int32(x) & js_to_int32(y));
	case JS_OP_BOR:
		return js_mknum(js_to_int32(x) | js_to_int32(y));
	case JS_OP_BXOR:
		return js_mknum(js_to_int32(x) ^ js_to_int32(y));
	default:
		return js_throw_error(vm, JS_SYNTAX_ERROR, "bad operator");
	}
}

static struct js_value
op_unary(struct js_vm *vm, int op, struct js_value a)
{
	double x;

	switch (op) {
	case JS_OP_NOT:
		return js_mkbool(!js_to_bool(a));
	case JS_OP_TYPEOF: {
		struct js_str *s = intern(vm, js_typeof_str(a));
		return s != NULL ? js_mkstr(s) : JS_EXC;
	}
	case JS_OP_VOID:
		return JS_UNDEF;
	default:
		break;
	}
	if (js_tonum(vm, a, &x) == -1)
		return JS_EXC;
	switch (op) {
	case JS_OP_NEG:
		return js_mknum(-x);
	case JS_OP_PLUS:
		return js_mknum(x);
	case JS_OP_BNOT:
		return js_mknum(~js_to_int32(x));
	default:
		return js_throw_error(vm, JS_SYNTAX_ERROR, "bad operator");
	}
}

/* ---- objects built by the VM ---- */

struct js_obj *
js_native_new(
    struct js_vm *vm, const char *name, int nargs, js_native_fn *fn, int magic)
{
	struct js_obj *o;
	struct js_str *s;

	if ((o = js_obj_new(vm, JS_CL_NATIVE, vm->function_proto)) == NULL)
		return NULL;
	o->u.nat.fn = fn;
	o->u.nat.magic = magic;
	o->u.nat.data[0] = JS_UNDEF;
	o->u.nat.data[1] = JS_UNDEF;
	if ((s = intern(vm, name)) == NULL ||
	    js_obj_define(vm, o, atom(vm, JS_A_name), js_mkstr(s), JS_P_CONF) ==
		-1 ||
	    js_obj_define(
		vm, o, atom(vm, JS_A_length), js_mknum(nargs), JS_P_CONF) == -1)
		return NULL;
	return o;
}

static struct js_obj *
make_closure(struct js_vm *vm, struct js_proto *p, struct js_env *env)
{
	struct js_obj *o;

	if ((o = js_obj_new(vm, JS_CL_FUNC, vm->function_proto)) == NULL)
		return NULL;
	o->u.fn.p = p;
	o->u.fn.env = env;
	o->is_class = (uint8_t)p->is_class;
	o->u.fn.derived = p->derived;
	return o;
}

static struct js_env *
env_new(struct js_vm *vm, struct js_env *parent, uint32_t n)
{
	struct js_env *e;

	e = js_value_alloc(
	    vm, sizeof(*e) + n * sizeof(struct js_value), JS_GC_ENV);
	if (e == NULL)
		return NULL;
	e->parent = parent;
	e->n = n;
	return e;
}

/* ---- iteration ---- */

struct js_obj *
js_iter_new(struct js_vm *vm, struct js_value target, int kind)
{
	struct js_obj *it;

	if ((it = js_obj_new(vm, JS_CL_ITER, vm->array_iter_proto)) == NULL)
		return NULL;
	it->u.iter.target = target;
	it->u.iter.kind = kind;
	return it;
}

struct js_value
js_iter_open(struct js_vm *vm, struct js_value v)
{
	struct js_obj *o, *it;
	struct js_value f, r;
	int kind = -1;

	if (v.tag == JS_TAG_STR)
		kind = JS_IT_STRING;
	else if (JS_ISOBJ(v)) {
		o = JS_OBJ(v);
		if (o->cls == JS_CL_ITER)
			return v;
		f = js_get_key(vm, v, JS_STR(vm->sym_iterator));
		if (f.tag == JS_TAG_EXC)
			return JS_EXC;
		if (JS_ISOBJ(f) && JS_OBJ(f)->cls == JS_CL_NATIVE &&
		    JS_OBJ(f)->u.nat.magic >= 1000 &&
		    JS_OBJ(f)->u.nat.magic < 1100) {
			/* A builtin values()/entries(): iterate directly. */
			kind = JS_OBJ(f)->u.nat.magic - 1000;
		} else if (js_callable(f)) {
			r = call_value(vm, f, v, 0, NULL, 0);
			if (r.tag == JS_TAG_EXC)
				return JS_EXC;
			if (!JS_ISOBJ(r))
				return js_throw_error(vm, JS_TYPE_ERROR,
				    "Result of the Symbol.iterator method is "
				    "not an object");
			return r;
		}
	}
	if (kind < 0) {
		struct js_str *s = JS_ISOBJ(v) ? NULL : js_tostr(vm, v);
		return js_throw_error(vm, JS_TYPE_ERROR, "%s is not iterable",
		    s != NULL ? s->data : "object");
	}
	if ((it = js_iter_new(vm, v, kind)) == NULL)
		return JS_EXC;
	return js_mkobj(it);
}

/* Builtin iterator step: 1 with *out, 0 done. */
static int
iter_builtin(struct js_vm *vm, struct js_obj *it, struct js_value *out)
{
	struct js_value t = it->u.iter.target;
	struct js_obj *o, *pair;
	uint32_t n, pos = it->u.iter.pos;
	struct js_str *s;

	if (it->u.iter.done)
		return 0;
	switch (it->u.iter.kind) {
	case JS_IT_ARRAY_VALUES:
	case JS_IT_ARRAY_KEYS:
	case JS_IT_ARRAY_ENTRIES:
	case JS_IT_KEYS:
		o = JS_OBJ(t);
		n = o->cls == JS_CL_U8 ? o->u.u8.len : o->u.arr.len;
		if (o->cls != JS_CL_U8 && o->cls != JS_CL_ARRAY)
			n = 0;
		if (pos >= n)
			break;
		it->u.iter.pos++;
		if (it->u.iter.kind == JS_IT_ARRAY_KEYS) {
			*out = js_mknum(pos);
			return 1;
		}
		*out = o->cls == JS_CL_U8
		    ? js_mknum(o->u.u8.bytes->u.bytes.data[o->u.u8.off + pos])
		    : o->u.arr.items[pos];
		if (it->u.iter.kind == JS_IT_ARRAY_ENTRIES) {
			struct js_value v = *out;
			if ((pair = js_arr_new(vm, 2)) == NULL ||
			    js_arr_push(vm, pair, js_mknum(pos)) == -1 ||
			    js_arr_push(vm, pair, v) == -1)
				return -1;
			*out = js_mkobj(pair);
		}
		return 1;
	case JS_IT_STRING: {
		struct js_str *str = JS_STR(t);
		unsigned c;
		uint32_t len = 1;

		if (pos >= str->u16len)
			break;
		c = js_str_unit(str, pos);
		if (c >= 0xd800 && c < 0xdc00 && pos + 1 < str->u16len) {
			unsigned d = js_str_unit(str, pos + 1);
			if (d >= 0xdc00 && d < 0xe000)
				len = 2;
		}
		if ((s = js_str_sub(vm, str, pos, pos + len)) == NULL)
			return -1;
		it->u.iter.pos += len;
		*out = js_mkstr(s);
		return 1;
	}
	case JS_IT_MAP_KEYS:
	case JS_IT_MAP_VALUES:
	case JS_IT_MAP_ENTRIES:
	case JS_IT_SET_VALUES:
	case JS_IT_SET_ENTRIES:
		o = JS_OBJ(t);
		while (pos < o->u.map.n && o->u.map.ents[pos].deleted)
			pos++;
		if (pos >= o->u.map.n) {
			it->u.iter.pos = pos;
			break;
		}
		it->u.iter.pos = pos + 1;
		if (it->u.iter.kind == JS_IT_MAP_KEYS ||
		    it->u.iter.kind == JS_IT_SET_VALUES) {
			*out = o->u.map.ents[pos].key;
			return 1;
		}
		if (it->u.iter.kind == JS_IT_MAP_VALUES) {
			*out = o->u.map.ents[pos].val;
			return 1;
		}
		if ((pair = js_arr_new(vm, 2)) == NULL ||
		    js_arr_push(vm, pair, o->u.map.ents[pos].key) == -1 ||
		    js_arr_push(vm, pair,
			it->u.iter.kind == JS_IT_SET_ENTRIES
			    ? o->u.map.ents[pos].key
			    : o->u.map.ents[pos].val) == -1)
			return -1;
		*out = js_mkobj(pair);
		return 1;
	default:
		break;
	}
	it->u.iter.done = 1;
	it->u.iter.target = JS_UNDEF;
	return 0;
}

int
js_iter_step(struct js_vm *vm, struct js_value iter, struct js_value *out)
{
	struct js_value next, r, d;
	int done;

	if (JS_ISCLS(iter, JS_CL_ITER))
		return iter_builtin(vm, JS_OBJ(iter), out);
	next = js_get_key(vm, iter, atom(vm, JS_A_next));
	if (next.tag == JS_TAG_EXC)
		return -1;
	if (!js_callable(next)) {
		(void)js_throw_error(
		    vm, JS_TYPE_ERROR, "iterator.next is not a function");
		return -1;
	}
	r = call_value(vm, next, iter, 0, NULL, 0);
	if (r.tag == JS_TAG_EXC)
		return -1;
	if (!JS_ISOBJ(r)) {
		(void)js_throw_error(
		    vm, JS_TYPE_ERROR, "Iterator result is not an object");
		return -1;
	}
	d = js_get_key(vm, r, atom(vm, JS_A_done));
	if (d.tag == JS_TAG_EXC)
		return -1;
	done = js_to_bool(d);
	if (done)
		return 0;
	*out = js_get_key(vm, r, atom(vm, JS_A_value));
	return out->tag == JS_TAG_EXC ? -1 : 1;
}

static struct js_value
forin_open(struct js_vm *vm, struct js_value v)
{
	struct js_obj *keys, *o, *more, *it;
	uint32_t i, j;

	if ((keys = js_arr_new(vm, 0)) == NULL)
		return JS_EXC;
	if (JS_ISOBJ(v) || v.tag == JS_TAG_STR) {
		if (v.tag == JS_TAG_STR) {
			for (i = 0; i < JS_STR(v)->u16len; i++) {
				struct js_str *s = js_num_to_str(vm, i);
				if (s == NULL ||
				    js_arr_push(vm, keys, js_mkstr(s)) == -1)
					return JS_EXC;
			}
		}
		for (o = JS_ISOBJ(v) ? JS_OBJ(v) : NULL; o != NULL;
		     o = o->proto) {
			if ((more = js_own_keys(vm, o, 0)) == NULL)
				return JS_EXC;
			for (i = 0; i < more->u.arr.len; i++) {
				struct js_value k = more->u.arr.items[i];
				int dup = 0;
				for (j = 0;
				     j < keys->u.arr.len && o != JS_OBJ(v); j++)
					if (js_strict_eq(
						keys->u.arr.items[j], k))
						dup = 1;
				if (!dup && js_arr_push(vm, keys, k) == -1)
					return JS_EXC;
			}
		}
	}
	if ((it = js_iter_new(vm, js_mkobj(keys), JS_IT_KEYS)) == NULL)
		return JS_EXC;
	return js_mkobj(it);
}

/* ---- promises and jobs ---- */

static int
enqueue(struct js_vm *vm, const struct js_job *j)
{
	struct js_job *nj;
	size_t n, i, k;

	if ((vm->jtail + 1) % (vm->jcap ? vm->jcap : 1) == vm->jhead ||
	    vm->jcap == 0) {
		n = vm->jcap ? vm->jcap * 2 : 64;
		if ((nj = calloc(n, sizeof(*nj))) == NULL) {
			vm->fatal = 1;
			return -1;
		}
		for (i = vm->jhead, k = 0; vm->jcap > 0 && i != vm->jtail;
		     i = (i + 1) % vm->jcap)
			nj[k++] = vm->jobs[i];
		free(vm->jobs);
		vm->jobs = nj;
		vm->jhead = 0;
		vm->jtail = k;
		vm->jcap = n;
	}
	vm->jobs[vm->jtail] = *j;
	vm->jtail = (vm->jtail + 1) % vm->jcap;
	return 0;
}

struct js_obj *
js_promise_new(struct js_vm *vm)
{
	struct js_obj *p;

	if ((p = js_obj_new(vm, JS_CL_PROMISE, vm->promise_proto)) == NULL)
		return NULL;
	p->u.promise.value = JS_UNDEF;
	return p;
}

static void
reaction_job(struct js_vm *vm, const struct js_reaction *r, int rejected,
    struct js_value arg)
{
	struct js_job j;

	memset(&j, 0, sizeof(j));
	j.kind = JS_JOB_REACTION;
	j.r = *r;
	j.rejected = rejected;
	j.arg = arg;
	j.thenable = j.then = j.promise = JS_UNDEF;
	(void)enqueue(vm, &j);
}

void
js_promise_settle(
    struct js_vm *vm, struct js_obj *p, int rejected, struct js_value v)
{
	uint32_t i;

	if (p->u.promise.state != JS_PENDING)
		return;
	if (rejected && !p->u.promise.handled) {
		if (vm->rejected == NULL)
			vm->rejected = js_arr_new(vm, 0);
		if (vm->rejected != NULL &&
		    js_arr_push(vm, vm->rejected, js_mkobj(p)) == -1)
			return;
	}
	p->u.promise.state = rejected ? JS_REJECTED : JS_FULFILLED;
	p->u.promise.value = v;
	for (i = 0; i < p->u.promise.nr; i++)
		reaction_job(vm, &p->u.promise.r[i], rejected, v);
	p->u.promise.nr = 0;
}

void
js_promise_resolve(struct js_vm *vm, struct js_obj *p, struct js_value v)
{
	struct js_value then;
	struct js_job j;

	if (JS_ISOBJ(v) && JS_OBJ(v) == p) {
		struct js_value e = js_error_new(vm, JS_TYPE_ERROR,
		    "Chaining cycle detected for promise #<Promise>");
		if (e.tag != JS_TAG_EXC)
			js_promise_settle(vm, p, 1, e);
		return;
	}
	if (!JS_ISOBJ(v)) {
		js_promise_settle(vm, p, 0, v);
		return;
	}
	then = js_get_key(vm, v, atom(vm, JS_A_then));
	if (then.tag == JS_TAG_EXC) {
		if (vm->fatal)
			return;
		js_promise_settle(vm, p, 1, js_exception_take(vm));
		return;
	}
	if (!js_callable(then)) {
		js_promise_settle(vm, p, 0, v);
		return;
	}
	memset(&j, 0, sizeof(j));
	j.kind = JS_JOB_THENABLE;
	j.r.on_ok = j.r.on_err = j.r.derived = j.r.susp = JS_UNDEF;
	j.arg = JS_UNDEF;
	j.thenable = v;
	j.then = then;
	j.promise = js_mkobj(p);
	(void)enqueue(vm, &j);
}

int
js_promise_then(struct js_vm *vm, struct js_obj *p, struct js_value on_ok,
    struct js_value on_err, struct js_obj *derived)
{
	struct js_reaction r, *nr;
	uint32_t nc;

	r.on_ok = js_callable(on_ok) ? on_ok : JS_UNDEF;
	r.on_err = js_callable(on_err) ? on_err : JS_UNDEF;
	r.derived = derived != NULL ? js_mkobj(derived) : JS_UNDEF;
	r.susp = JS_UNDEF;
	p->u.promise.handled = 1;
	if (p->u.promise.state != JS_PENDING) {
		reaction_job(vm, &r, p->u.promise.state == JS_REJECTED,
		    p->u.promise.value);
		return 0;
	}
	if (p->u.promise.nr == p->u.promise.rcap) {
		nc = p->u.promise.rcap ? p->u.promise.rcap * 2 : 2;
		nr = js_value_realloc(vm, p->u.promise.r,
		    p->u.promise.rcap * sizeof(*nr), nc * sizeof(*nr));
		if (nr == NULL)
			return -1;
		p->u.promise.r = nr;
		p->u.promise.rcap = nc;
	}
	p->u.promise.r[p->u.promise.nr++] = r;
	return 0;
}

static int
promise_await(struct js_vm *vm, struct js_obj *p, struct js_value susp)
{
	struct js_reaction r, *nr;
	uint32_t nc;

	r.on_ok = r.on_err = r.derived = JS_UNDEF;
	r.susp = susp;
	p->u.promise.handled = 1;
	if (p->u.promise.state != JS_PENDING) {
		reaction_job(vm, &r, p->u.promise.state == JS_REJECTED,
		    p->u.promise.value);
		return vm->fatal ? -1 : 0;
	}
	if (p->u.promise.nr == p->u.promise.rcap) {
		nc = p->u.promise.rcap ? p->u.promise.rcap * 2 : 2;
		nr = js_value_realloc(vm, p->u.promise.r,
		    p->u.promise.rcap * sizeof(*nr), nc * sizeof(*nr));
		if (nr == NULL)
			return -1;
		p->u.promise.r = nr;
		p->u.promise.rcap = nc;
	}
	p->u.promise.r[p->u.promise.nr++] = r;
	return 0;
}

/* PromiseResolve(%Promise%, v). */
struct js_value
js_promise_coerce(struct js_vm *vm, struct js_value v)
{
	struct js_obj *p;

	if (JS_ISCLS(v, JS_CL_PROMISE) && JS_OBJ(v)->proto == vm->promise_proto)
		return v;
	if ((p = js_promise_new(vm)) == NULL)
		return JS_EXC;
	js_promise_resolve(vm, p, v);
	if (vm->fatal)
		return JS_EXC;
	return js_mkobj(p);
}

static struct js_value
resolving_fn(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_obj *self = vm->cur_native, *other;
	struct js_value pv = self->u.nat.data[0];
	struct js_value v = argc > 0 ? argv[0] : JS_UNDEF;

	if (!JS_ISOBJ(pv))
		return JS_UNDEF;
	self->u.nat.data[0] = JS_UNDEF;
	if (JS_ISOBJ(self->u.nat.data[1])) {
		other = JS_OBJ(self->u.nat.data[1]);
		other->u.nat.data[0] = JS_UNDEF;
	}
	if (self->u.nat.magic == 0)
		js_promise_resolve(vm, JS_OBJ(pv), v);
	else
		js_promise_settle(vm, JS_OBJ(pv), 1, v);
	return vm->fatal ? JS_EXC : JS_UNDEF;
}

struct js_value
js_resolving_functions(
    struct js_vm *vm, struct js_obj *p, struct js_value *reject)
{
	struct js_obj *res, *rej;

	if ((res = js_native_new(vm, "", 1, resolving_fn, 0)) == NULL ||
	    (rej = js_native_new(vm, "", 1, resolving_fn, 1)) == NULL)
		return JS_EXC;
	res->u.nat.data[0] = js_mkobj(p);
	rej->u.nat.data[0] = js_mkobj(p);
	res->u.nat.data[1] = js_mkobj(rej);
	rej->u.nat.data[1] = js_mkobj(res);
	*reject = js_mkobj(rej);
	return js_mkobj(res);
}

static void resume(
    struct js_vm *, struct js_value susp, int rejected, struct js_value v);

static void
run_job(struct js_vm *vm, struct js_job *j)
{
	struct js_value h, r, res, rej, args[2];
	struct js_obj *d;
	size_t mark = (size_t)(vm->sp - vm->stack);

	/* Keep the job's values alive on the stack while it runs. */
	if (js_push(vm, j->arg) == -1 || js_push(vm, j->r.derived) == -1 ||
	    js_push(vm, j->r.on_ok) == -1 || js_push(vm, j->r.on_err) == -1 ||
	    js_push(vm, j->r.susp) == -1 || js_push(vm, j->thenable) == -1 ||
	    js_push(vm, j->then) == -1 || js_push(vm, j->promise) == -1) {
		vm->sp = vm->stack + mark;
		return;
	}
	if (j->kind == JS_JOB_THENABLE) {
		d = JS_OBJ(j->promise);
		res = js_resolving_functions(vm, d, &rej);
		if (res.tag != JS_TAG_EXC && js_push(vm, res) == 0 &&
		    js_push(vm, rej) == 0) {
			args[0] = res;
			args[1] = rej;
			r = call_value(vm, j->then, j->thenable, 2, args, 0);
			if (r.tag == JS_TAG_EXC && !vm->fatal) {
				struct js_value e = js_exception_take(vm);
				if (JS_ISOBJ(JS_OBJ(rej)->u.nat.data[0])) {
					JS_OBJ(rej)->u.nat.data[0] = JS_UNDEF;
					JS_OBJ(res)->u.nat.data[0] = JS_UNDEF;
					js_promise_settle(vm, d, 1, e);
				}
			}
		}
		vm->sp = vm->stack + mark;
		return;
	}
	if (JS_ISOBJ(j->r.susp)) {
		resume(vm, j->r.susp, j->rejected, j->arg);
		vm->sp = vm->stack + mark;
		return;
	}
	h = j->rejected ? j->r.on_err : j->r.on_ok;
	d = JS_ISOBJ(j->r.derived) ? JS_OBJ(j->r.derived) : NULL;
	if (!js_callable(h)) {
		if (d != NULL)
			js_promise_settle(vm, d, j->rejected, j->arg);
		vm->sp = vm->stack + mark;
		return;
	}
	r = call_value(vm, h, JS_UNDEF, 1, &j->arg, 0);
	if (r.tag == JS_TAG_EXC) {
		if (!vm->fatal) {
			struct js_value e = js_exception_take(vm);
			if (d != NULL)
				js_promise_settle(vm, d, 1, e);
		}
	} else if (d != NULL)
		js_promise_resolve(vm, d, r);
	vm->sp = vm->stack + mark;
}

int
js_run_jobs(struct js_vm *vm)
{
	struct js_job j;

	while (vm->jhead != vm->jtail) {
		if (vm->fatal)
			break;
		j = vm->jobs[vm->jhead];
		/* Stays in the ring (a root) until run; replaced by a
		 * copy on our C stack that run_job roots. */
		vm->jhead = (vm->jhead + 1) % vm->jcap;
		run_job(vm, &j);
	}
	if (vm->fatal) {
		vm_fatal_error(vm);
		return -1;
	}
	/* The queue is empty: a rejected promise nobody handled by now is
	 * an unhandled rejection. */
	if (vm->rejected != NULL) {
		uint32_t i;

		for (i = 0; i < vm->rejected->u.arr.len; i++) {
			struct js_obj *p = JS_OBJ(vm->rejected->u.arr.items[i]);

			if (!p->u.promise.handled && !vm->has_unhandled) {
				vm->unhandled = p->u.promise.value;
				vm->has_unhandled = 1;
			}
		}
		vm->rejected->u.arr.len = 0;
	}
	return 0;
}

int
js_unhandled_rejection(struct js_vm *vm, struct js_value *reason)
{
	if (!vm->has_unhandled)
		return 0;
	*reason = vm->unhandled;
	vm->unhandled = JS_UNDEF;
	vm->has_unhandled = 0;
	return 1;
}

/* ---- frames and the run loop ---- */

static int
depth_error(struct js_vm *vm)
{
	(void)js_throw_error(
	    vm, JS_RANGE_ERROR, "Maximum call stack size exceeded");
	return -1;
}

/*
 * Pushes a frame for closure fn whose func, this and argc arguments are
 * the top argc + 2 stack values.  Returns 0 or -1 (thrown).
 */
static int
push_frame(struct js_vm *vm, struct js_obj *fn, int argc, int construct,
    struct js_value this_val, int stop)
{
	struct js_proto *p = fn->u.fn.p;
	struct js_frame *f;
	struct js_value *args = vm->sp - argc;
	uint32_t i;

	if (vm->nframes >= vm->depth_max)
		return depth_error(vm);
	if (vm->stack_end - vm->sp < (ptrdiff_t)(p->nregs + p->maxstack + 8))
		return depth_error(vm);
	js_value_gc_maybe(vm);
	f = &vm->frames[vm->nframes++];
	f->fn = fn;
	f->p = p;
	f->pc = p->code;
	f->ipc = p->code;
	f->args = args;
	f->argc = argc;
	f->base = vm->sp;
	for (i = 0; i < p->nregs; i++)
		f->base[i] = JS_UNDEF;
	vm->sp = f->base + p->nregs;
	f->sp = vm->sp;
	f->env = fn->u.fn.env;
	f->this_val = this_val;
	f->promise = JS_UNDEF;
	f->construct = construct;
	f->stop = stop;
	f->resumed = 0;
	f->nhandlers = 0;
	if (p->async) {
		struct js_obj *pr = js_promise_new(vm);
		if (pr == NULL) {
			vm->nframes--;
			vm->sp = args - 2;
			return -1;
		}
		f->promise = js_mkobj(pr);
	}
	return 0;
}

/* Runs func with this and args pushed; bytecode through a nested run. */
static struct js_value
call_value(struct js_vm *vm, struct js_value fv, struct js_value this_val,
    int argc, const struct js_value *argv, int construct)
{
	struct js_value *save = vm->sp, r;
	struct js_obj *o, *saved_native;
	int i;

	if (!js_callable(fv))
		return js_throw_error(vm, JS_TYPE_ERROR, "%s is not a function",
		    js_typeof_str(fv));
	if (vm->stack_end - vm->sp < argc + 2)
		return depth_error(vm), JS_EXC;
	*vm->sp++ = fv;
	*vm->sp++ = this_val;
	for (i = 0; i < argc; i++)
		*vm->sp++ = argv[i];
	o = JS_OBJ(fv);
	while (o->cls == JS_CL_BOUND) {
		int bn = o->u.bound.argc;
		struct js_value *a = save + 2;

		if (vm->stack_end - vm->sp < bn) {
			vm->sp = save;
			return depth_error(vm), JS_EXC;
		}
		memmove(a + bn, a, (size_t)argc * sizeof(*a));
		for (i = 0; i < bn; i++)
			a[i] = o->u.bound.args[i];
		argc += bn;
		vm->sp += bn;
		save[1] = construct ? this_val : o->u.bound.this_val;
		save[0] = o->u.bound.target;
		this_val = save[1];
		o = JS_OBJ(save[0]);
	}
	if (o->cls == JS_CL_NATIVE) {
		if (vm->depth >= JS_MAX_C_DEPTH) {
			vm->sp = save;
			return depth_error(vm), JS_EXC;
		}
		int saved_ctor = vm->ctor_call;

		vm->depth++;
		saved_native = vm->cur_native;
		vm->cur_native = o;
		vm->ctor_call = construct;
		r = o->u.nat.fn(vm, this_val, argc, save + 2, o->u.nat.opaque);
		vm->ctor_call = saved_ctor;
		vm->cur_native = saved_native;
		vm->depth--;
		vm->sp = save;
		return r;
	}
	if (o->is_class && !construct) {
		vm->sp = save;
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "Class constructor %s cannot be invoked without 'new'",
		    js_fn_name(vm, o)->data);
	}
	if (vm->depth >= JS_MAX_C_DEPTH) {
		vm->sp = save;
		return depth_error(vm), JS_EXC;
	}
	if (push_frame(vm, o, argc, construct, this_val, 1) == -1) {
		vm->sp = save;
		return JS_EXC;
	}
	vm->depth++;
	r = run(vm, 0);
	vm->depth--;
	vm->sp = save;
	return r;
}

struct js_value
js_call(struct js_vm *vm, struct js_value func, struct js_value this_val,
    int argc, const struct js_value *argv)
{
	struct js_value r;

	if (vm->fatal) {
		vm_fatal_error(vm);
		return JS_EXC;
	}
	r = call_value(vm, func, this_val, argc, argv, 0);
	if (vm->fatal)
		vm_fatal_error(vm);
	return r;
}

static struct js_value
run_fields(struct js_vm *vm, struct js_obj *cls, struct js_value this_val)
{
	if (cls->cls != JS_CL_FUNC || cls->u.fn.fields == NULL)
		return JS_UNDEF;
	return call_value(vm, js_mkobj(cls->u.fn.fields), this_val, 0, NULL, 0);
}

/* Creates the object a constructor call on f starts with. */
static struct js_value
construct_this(struct js_vm *vm, struct js_obj *f)
{
	struct js_value proto;
	struct js_obj *o;

	proto = js_get_key(vm, js_mkobj(f), atom(vm, JS_A_prototype));
	if (proto.tag == JS_TAG_EXC)
		return JS_EXC;
	o = js_obj_new(vm, JS_CL_OBJECT,
	    JS_ISOBJ(proto) ? JS_OBJ(proto) : vm->object_proto);
	return o != NULL ? js_mkobj(o) : JS_EXC;
}

struct js_value
js_construct(
    struct js_vm *vm, struct js_value fv, int argc, const struct js_value *argv)
{
	struct js_obj *f;
	struct js_value th, r;

	if (!js_callable(fv) || !fn_constructible(JS_OBJ(fv)))
		return js_throw_error(
		    vm, JS_TYPE_ERROR, "value is not a constructor");
	f = JS_OBJ(fv);
	while (f->cls == JS_CL_BOUND)
		f = JS_OBJ(f->u.bound.target);
	if (f->cls == JS_CL_NATIVE) {
		return call_value(
		    vm, js_mkobj(f), js_mktag(JS_TAG_EMPTY), argc, argv, 1);
	}
	th = construct_this(vm, f);
	if (th.tag == JS_TAG_EXC || js_push(vm, th) == -1)
		return JS_EXC;
	if (!f->u.fn.derived && f->u.fn.fields != NULL &&
	    run_fields(vm, f, th).tag == JS_TAG_EXC) {
		vm->sp--;
		return JS_EXC;
	}
	r = call_value(vm, js_mkobj(f), th, argc, argv, 1);
	vm->sp--;
	return r;
}

/* super(...args): runs the parent constructor on this. */
static struct js_value
super_call(
    struct js_vm *vm, struct js_frame *f, int argc, const struct js_value *argv)
{
	struct js_obj *cls = f->fn, *parent;
	struct js_value r;

	if (cls == NULL || !cls->u.fn.derived)
		return js_throw_error(
		    vm, JS_SYNTAX_ERROR, "'super' keyword unexpected here");
	parent = cls->proto;
	if (parent == NULL || !fn_constructible(parent))
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "Super constructor is not a constructor");
	if (parent->cls == JS_CL_NATIVE) {
		r = call_value(
		    vm, js_mkobj(parent), f->this_val, argc, argv, 1);
	} else {
		if (!parent->u.fn.derived && parent->u.fn.fields != NULL &&
		    run_fields(vm, parent, f->this_val).tag == JS_TAG_EXC)
			return JS_EXC;
		r = call_value(
		    vm, js_mkobj(parent), f->this_val, argc, argv, 1);
	}
	if (r.tag == JS_TAG_EXC)
		return JS_EXC;
	if (run_fields(vm, cls, f->this_val).tag == JS_TAG_EXC)
		return JS_EXC;
	return f->this_val;
}

/* Saves the top frame (an async function at await) to the heap. */
static struct js_value
suspend(struct js_vm *vm, struct js_frame *f)
{
	struct js_susp *s;
	struct js_value *from = f->args - 2;
	uint32_t n = (uint32_t)(vm->sp - from);

	s = js_value_alloc(
	    vm, sizeof(*s) + n * sizeof(struct js_value), JS_GC_SUSP);
	if (s == NULL)
		return JS_EXC;
	s->fr = *f;
	s->nvals = n;
	s->args_off = 2;
	s->base_off = (uint32_t)(f->base - from);
	memcpy(s->vals, from, n * sizeof(struct js_value));
	return (struct js_value){ .tag = JS_TAG_OBJ, .u.ptr = s };
}

static void
resume(struct js_vm *vm, struct js_value sv, int rejected, struct js_value v)
{
	struct js_susp *s = sv.u.ptr;
	struct js_frame *f;
	struct js_value *at = vm->sp;
	ptrdiff_t delta;

	if (vm->nframes >= vm->depth_max ||
	    vm->stack_end - vm->sp <
		(ptrdiff_t)(s->nvals + 8 + s->fr.p->maxstack)) {
		(void)depth_error(vm);
		return;
	}
	memcpy(at, s->vals, s->nvals * sizeof(struct js_value));
	f = &vm->frames[vm->nframes++];
	*f = s->fr;
	delta = (at + s->args_off) - f->args;
	f->args += delta;
	f->base += delta;
	f->sp += delta;
	vm->sp = at + s->nvals;
	f->stop = 1;
	f->resumed = 1;
	if (rejected) {
		(void)js_throw(vm, v);
	} else
		*vm->sp++ = v;
	vm->depth++;
	(void)run(vm, rejected);
	vm->depth--;
	vm->sp = at;
}

/* A variable holding a string builder is read as a string: the builder
 * becomes an ordinary string again (JS_TAG_BUILDER never escapes). */
static int
slot_flatten(struct js_vm *vm, struct js_value *slot)
{
	struct js_obj *b = slot->u.ptr;
	struct js_str *s;

	if ((s = js_str_new(vm, b->u.sb.data, b->u.sb.len)) == NULL)
		return -1;
	*slot = js_mkstr(s);
	return 0;
}

#define APPEND_MIN 256

/* slot = old + rhs with old the value the slot had (marker) when the
 * statement began; grows a builder when nothing changed the slot. */
static int
append_end(struct js_vm *vm, struct js_value *slot, struct js_value marker,
    double mlen, struct js_value rhs)
{
	struct js_obj *b;
	struct js_str *rs, *as;
	struct js_value a, r;
	size_t need, nc;
	char *nd;

	if (marker.tag == JS_TAG_NUM && rhs.tag == JS_TAG_NUM) {
		/* numbers: x = old x + rhs */
		*slot = js_mknum(marker.u.num + rhs.u.num);
		return 0;
	}
	if (rhs.tag == JS_TAG_OBJ || rhs.tag == JS_TAG_SYM ||
	    (marker.tag != JS_TAG_STR && marker.tag != JS_TAG_BUILDER))
		rs = NULL;
	else if ((rs = js_tostr(vm, rhs)) == NULL)
		return -1;
	if (marker.tag == JS_TAG_BUILDER) {
		b = marker.u.ptr;
		if (rs != NULL && slot->tag == JS_TAG_BUILDER &&
		    slot->u.ptr == b && b->u.sb.len == (uint32_t)mlen)
			goto append;
		if ((as = js_str_new(vm, b->u.sb.data, (size_t)mlen)) == NULL)
			return -1;
		a = js_mkstr(as);
	} else
		a = marker;
	if (rs != NULL && a.tag == JS_TAG_STR && js_strict_eq(*slot, a) &&
	    (size_t)JS_STR(a)->len + rs->len >= APPEND_MIN) {
		/* start a builder with the string so far */
		as = JS_STR(a);
		nc = ((size_t)as->len + rs->len) * 2 + 16;
		if (nc > JS_MAX_STRING + 1)
			nc = JS_MAX_STRING + 1;
		if ((b = js_obj_new(vm, JS_CL_BUILDER, NULL)) == NULL)
			return -1;
		if ((b->u.sb.data = js_value_malloc(vm, nc)) == NULL)
			return -1;
		b->u.sb.cap = (uint32_t)nc;
		memcpy(b->u.sb.data, as->data, as->len);
		b->u.sb.len = as->len;
		*slot = (struct js_value){ .tag = JS_TAG_BUILDER, .u.ptr = b };
		goto append;
	}
	if (js_push(vm, a) == -1)
		return -1;
	r = op_add(vm, a, rhs);
	vm->sp--;
	if (r.tag == JS_TAG_EXC)
		return -1;
	*slot = r;
	return 0;
append:
	need = (size_t)b->u.sb.len + rs->len;
	if (need > JS_MAX_STRING) {
		vm->fatal = 1;
		return -1;
	}
	if (need > b->u.sb.cap) {
		nc = need * 2 > JS_MAX_STRING ? JS_MAX_STRING : need * 2;
		if ((nd = js_value_realloc(
			 vm, b->u.sb.data, b->u.sb.cap, nc)) == NULL)
			return -1;
		b->u.sb.data = nd;
		b->u.sb.cap = (uint32_t)nc;
	}
	memcpy(b->u.sb.data + b->u.sb.len, rs->data, rs->len);
	b->u.sb.len = (uint32_t)need;
	return 0;
}

#define NEXT() (*pc++)
#define TOP (sp[-1])
#define POPV() (*--sp)
#define PUSH(v) (*sp++ = (v))
#define THROW_IF_EXC(x) \
	do { \
		if ((x).tag == JS_TAG_EXC) \
			goto exception; \
	} while (0)

static struct js_env *
env_at(struct js_env *e, uint32_t d)
{
	while (d-- > 0 && e != NULL)
		e = e->parent;
	return e;
}

static struct js_value
tdz_error(struct js_vm *vm, struct js_value name)
{
	return js_throw_error(vm, JS_REFERENCE_ERROR,
	    "Cannot access '%s' before initialization",
	    name.tag == JS_TAG_STR ? JS_STR(name)->data : "?");
}

/* Value of an import cell. */
static struct js_value
cell_get(struct js_vm *vm, struct js_cell *c)
{
	struct js_value v;

	if (c->env == NULL)
		return c->val;
	if (c->env->slots[c->slot].tag == JS_TAG_BUILDER &&
	    slot_flatten(vm, &c->env->slots[c->slot]) == -1)
		return JS_EXC;
	v = c->env->slots[c->slot];
	if (v.tag == JS_TAG_EMPTY)
		return js_throw_error(vm, JS_REFERENCE_ERROR,
		    "Cannot access '%s' before initialization",
		    c->name != NULL ? c->name->data : "*");
	return v;
}

static int
spread_into(struct js_vm *vm, struct js_obj *arr, struct js_value src)
{
	struct js_value it, v;
	uint32_t i;
	int r;

	if (JS_ISCLS(src, JS_CL_ARRAY)) {
		struct js_obj *a = JS_OBJ(src);

		for (i = 0; i < a->u.arr.len; i++)
			if (js_arr_push(vm, arr, a->u.arr.items[i]) == -1)
				return -1;
		return 0;
	}
	it = js_iter_open(vm, src);
	if (it.tag == JS_TAG_EXC || js_push(vm, it) == -1)
		return -1;
	while ((r = js_iter_step(vm, it, &v)) == 1)
		if (js_arr_push(vm, arr, v) == -1) {
			r = -1;
			break;
		}
	vm->sp--;
	return r;
}

static int
copy_props(struct js_vm *vm, struct js_obj *dst, struct js_value src,
    struct js_obj *exclude)
{
	struct js_obj *keys;
	struct js_value k, v;
	uint32_t i, j;
	int skip;

	if (JS_ISNULLISH(src) || !JS_ISOBJ(src)) {
		if (src.tag == JS_TAG_STR) {
			for (i = 0; i < JS_STR(src)->u16len; i++) {
				struct js_str *ks = js_num_to_str(vm, i);
				struct js_str *c =
				    js_str_sub(vm, JS_STR(src), i, i + 1);
				if (ks == NULL || c == NULL ||
				    (ks = js_str_intern_str(vm, ks)) == NULL ||
				    js_obj_define(vm, dst, ks, js_mkstr(c),
					JS_P_DEFAULT) == -1)
					return -1;
			}
		}
		return 0;
	}
	if ((keys = js_own_keys(vm, JS_OBJ(src), 1)) == NULL)
		return -1;
	if (js_push(vm, js_mkobj(keys)) == -1)
		return -1;
	for (i = 0; i < keys->u.arr.len; i++) {
		struct js_str *ks;

		k = keys->u.arr.items[i];
		ks = k.tag == JS_TAG_SYM ? JS_STR(k)
					 : js_str_intern_str(vm, JS_STR(k));
		if (ks == NULL)
			goto fail;
		skip = 0;
		for (j = 0; exclude != NULL && j < exclude->u.arr.len; j++)
			if (JS_STR(exclude->u.arr.items[j]) == ks)
				skip = 1;
		if (skip)
			continue;
		v = js_get_key(vm, src, ks);
		if (v.tag == JS_TAG_EXC)
			goto fail;
		if (js_obj_define(vm, dst, ks, v, JS_P_DEFAULT) == -1)
			goto fail;
	}
	vm->sp--;
	return 0;
fail:
	vm->sp--;
	return -1;
}

static int
define_accessor(struct js_vm *vm, struct js_obj *o, struct js_str *key,
    struct js_value fn, int kind, uint32_t flags)
{
	struct js_prop *p = js_obj_find(o, key);
	struct js_obj *acc;

	if (p != NULL && (p->flags & JS_P_ACCESSOR))
		acc = JS_OBJ(p->v);
	else {
		if ((acc = js_obj_new(vm, JS_CL_ACCESSOR, NULL)) == NULL)
			return -1;
		acc->u.acc.get = JS_UNDEF;
		acc->u.acc.set = JS_UNDEF;
		if (js_obj_define(
			vm, o, key, js_mkobj(acc), flags | JS_P_ACCESSOR) == -1)
			return -1;
	}
	if (kind == 1)
		acc->u.acc.get = fn;
	else
		acc->u.acc.set = fn;
	return 0;
}

static struct js_value
make_class(
    struct js_vm *vm, struct js_value parent, struct js_obj *ctor, int derived)
{
	struct js_obj *proto, *pproto = vm->object_proto;
	struct js_value pp;

	if (derived) {
		if (parent.tag == JS_TAG_NULL) {
			pproto = NULL;
		} else {
			if (!js_callable(parent) ||
			    !fn_constructible(JS_OBJ(parent)))
				return js_throw_error(vm, JS_TYPE_ERROR,
				    "Class extends value %s is not a "
				    "constructor or null",
				    js_typeof_str(parent));
			pp = js_get_key(vm, parent, atom(vm, JS_A_prototype));
			if (pp.tag == JS_TAG_EXC)
				return JS_EXC;
			if (!JS_ISOBJ(pp) && pp.tag != JS_TAG_NULL)
				return js_throw_error(vm, JS_TYPE_ERROR,
				    "Class extends value does not have "
				    "valid prototype property");
			pproto = JS_ISOBJ(pp) ? JS_OBJ(pp) : NULL;
			ctor->proto = JS_OBJ(parent);
		}
	}
	if ((proto = js_obj_new(vm, JS_CL_OBJECT, pproto)) == NULL ||
	    js_obj_define(vm, proto, atom(vm, JS_A_constructor), js_mkobj(ctor),
		JS_P_HIDDEN) == -1 ||
	    js_obj_define(
		vm, ctor, atom(vm, JS_A_prototype), js_mkobj(proto), 0) == -1)
		return JS_EXC;
	ctor->u.fn.home = proto;
	return js_mkobj(proto);
}

/* Finishes the top frame with value r (after RET or a rejection); returns
 * 1 when the run loop must return r, 0 to continue in the caller. */
static int
frame_return(struct js_vm *vm, struct js_value *r)
{
	struct js_frame *f = &vm->frames[vm->nframes - 1];
	int stop = f->stop;

	if (f->construct && !JS_ISOBJ(*r))
		*r = f->this_val;
	if (f->p->async && JS_ISOBJ(f->promise)) {
		js_promise_resolve(vm, JS_OBJ(f->promise), *r);
		*r = f->resumed ? JS_UNDEF : f->promise;
	}
	vm->sp = f->args - 2;
	vm->nframes--;
	if (stop)
		return 1;
	*vm->sp++ = *r;
	return 0;
}

static struct js_value
not_callable(struct js_vm *vm, struct js_value desc, const char *what)
{
	return js_throw_error(vm, JS_TYPE_ERROR, "%s is not a %s",
	    desc.tag == JS_TAG_STR ? JS_STR(desc)->data : "value", what);
}

/* Calls the function under argc arguments at the stack top from the run
 * loop.  Returns 1 when a bytecode frame was pushed, 0 when the result is
 * on the stack, -1 thrown. */
static int
do_call(struct js_vm *vm, int argc, struct js_value desc, int construct)
{
	struct js_value *fp = vm->sp - argc - 2, r, th;
	struct js_obj *o, *saved;
	int i;

	if (!js_callable(fp[0])) {
		(void)not_callable(
		    vm, desc, construct ? "constructor" : "function");
		return -1;
	}
	o = JS_OBJ(fp[0]);
	if (construct && !fn_constructible(o)) {
		(void)not_callable(vm, desc, "constructor");
		return -1;
	}
	while (o->cls == JS_CL_BOUND) {
		int bn = o->u.bound.argc;

		if (vm->stack_end - vm->sp < bn + 8)
			return depth_error(vm);
		memmove(fp + 2 + bn, fp + 2, (size_t)argc * sizeof(*fp));
		for (i = 0; i < bn; i++)
			fp[2 + i] = o->u.bound.args[i];
		argc += bn;
		vm->sp += bn;
		if (!construct)
			fp[1] = o->u.bound.this_val;
		fp[0] = o->u.bound.target;
		o = JS_OBJ(fp[0]);
	}
	if (o->cls == JS_CL_NATIVE) {
		if (vm->depth >= JS_MAX_C_DEPTH)
			return depth_error(vm);
		int saved_ctor = vm->ctor_call;

		vm->depth++;
		saved = vm->cur_native;
		vm->cur_native = o;
		vm->ctor_call = construct;
		r = o->u.nat.fn(vm, construct ? js_mktag(JS_TAG_EMPTY) : fp[1],
		    argc, fp + 2, o->u.nat.opaque);
		vm->ctor_call = saved_ctor;
		vm->cur_native = saved;
		vm->depth--;
		if (r.tag == JS_TAG_EXC)
			return -1;
		vm->sp = fp;
		*vm->sp++ = r;
		return 0;
	}
	if (construct) {
		th = construct_this(vm, o);
		if (th.tag == JS_TAG_EXC)
			return -1;
		fp[1] = th;
		if (!o->u.fn.derived && o->u.fn.fields != NULL &&
		    run_fields(vm, o, th).tag == JS_TAG_EXC)
			return -1;
	} else if (o->is_class) {
		(void)js_throw_error(vm, JS_TYPE_ERROR,
		    "Class constructor %s cannot be invoked without 'new'",
		    js_fn_name(vm, o)->data);
		return -1;
	}
	if (push_frame(vm, o, argc, construct, fp[1], 0) == -1)
		return -1;
	return 1;
}

/* Moves an array's elements onto the stack as call arguments. */
static int
spread_args(struct js_vm *vm, int *argc)
{
	struct js_obj *a = JS_OBJ(vm->sp[-1]);
	uint32_t i, n = a->u.arr.len;

	vm->sp--;
	if ((size_t)(vm->stack_end - vm->sp) < (size_t)n + 16)
		return depth_error(vm);
	for (i = 0; i < n; i++)
		*vm->sp++ = a->u.arr.items[i];
	*argc = (int)n;
	return 0;
}

static struct js_value
run(struct js_vm *vm, int resume_exc)
{
	struct js_frame *f = &vm->frames[vm->nframes - 1];
	const uint32_t *pc = f->pc;
	struct js_value a, b, c, r, *consts = f->p->consts;
	/* The stack top lives in a register; vm->sp is stored at every
	 * instruction (natives, the collector and nested runs use it) and
	 * reloaded after operations that move it. */
	struct js_value *sp = vm->sp;
	struct js_env *e;
	struct js_obj *o;
	uint32_t x, y, z;
	int argc, k;
	double d;

	if (resume_exc)
		goto exception;
	for (;;) {
		f->ipc = pc;
		vm->sp = sp;
		if (++vm->steps > vm->budget) {
			vm->fatal = 1;
			vm->exc = js_mkstr(atom(vm, JS_A_budget));
			vm->has_exc = 1;
			goto exception;
		}
		switch (NEXT()) {
		case JS_BC_UNDEF:
			PUSH(JS_UNDEF);
			break;
		case JS_BC_NULL:
			PUSH(JS_NULLV);
			break;
		case JS_BC_TRUE:
			PUSH(js_mkbool(1));
			break;
		case JS_BC_FALSE:
			PUSH(js_mkbool(0));
			break;
		case JS_BC_EMPTY:
			PUSH(js_mktag(JS_TAG_EMPTY));
			break;
		case JS_BC_CONST:
			PUSH(consts[NEXT()]);
			break;
		case JS_BC_INT:
			PUSH(js_mknum((double)(int32_t)NEXT()));
			break;
		case JS_BC_POP:
			sp--;
			break;
		case JS_BC_DUP:
			a = TOP;
			PUSH(a);
			break;
		case JS_BC_DUP2:
			a = sp[-2];
			b = sp[-1];
			PUSH(a);
			PUSH(b);
			break;
		case JS_BC_SWAP:
			a = sp[-1];
			sp[-1] = sp[-2];
			sp[-2] = a;
			break;
		case JS_BC_ROT3:
			a = sp[-1];
			sp[-1] = sp[-2];
			sp[-2] = sp[-3];
			sp[-3] = a;
			break;
		case JS_BC_ROT4:
			a = sp[-1];
			sp[-1] = sp[-2];
			sp[-2] = sp[-3];
			sp[-3] = sp[-4];
			sp[-4] = a;
			break;
		case JS_BC_PICK:
			x = NEXT();
			a = sp[-1 - (int)x];
			PUSH(a);
			break;
		case JS_BC_GET_LOC:
			x = NEXT();
			if (f->base[x].tag == JS_TAG_BUILDER &&
			    slot_flatten(vm, &f->base[x]) == -1)
				goto exception;
			PUSH(f->base[x]);
			break;
		case JS_BC_GET_LOC_CHK:
			x = NEXT();
			y = NEXT();
			if (f->base[x].tag == JS_TAG_BUILDER &&
			    slot_flatten(vm, &f->base[x]) == -1)
				goto exception;
			a = f->base[x];
			if (a.tag == JS_TAG_EMPTY) {
				tdz_error(vm, consts[y]);
				goto exception;
			}
			PUSH(a);
			break;
		case JS_BC_SET_LOC:
			f->base[NEXT()] = TOP;
			break;
		case JS_BC_SET_LOC_CHK:
			x = NEXT();
			y = NEXT();
			if (f->base[x].tag == JS_TAG_EMPTY) {
				tdz_error(vm, consts[y]);
				goto exception;
			}
			f->base[x] = TOP;
			break;
		case JS_BC_INIT_LOC:
			f->base[NEXT()] = POPV();
			break;
		case JS_BC_GET_ENV:
			x = NEXT();
			y = NEXT();
			e = env_at(f->env, x);
			if (e->slots[y].tag == JS_TAG_BUILDER &&
			    slot_flatten(vm, &e->slots[y]) == -1)
				goto exception;
			PUSH(e->slots[y]);
			break;
		case JS_BC_GET_ENV_CHK:
			x = NEXT();
			y = NEXT();
			z = NEXT();
			e = env_at(f->env, x);
			if (e->slots[y].tag == JS_TAG_BUILDER &&
			    slot_flatten(vm, &e->slots[y]) == -1)
				goto exception;
			a = e->slots[y];
			if (a.tag == JS_TAG_EMPTY) {
				tdz_error(vm, consts[z]);
				goto exception;
			}
			PUSH(a);
			break;
		case JS_BC_SET_ENV:
			x = NEXT();
			y = NEXT();
			env_at(f->env, x)->slots[y] = TOP;
			break;
		case JS_BC_SET_ENV_CHK:
			x = NEXT();
			y = NEXT();
			z = NEXT();
			e = env_at(f->env, x);
			if (e->slots[y].tag == JS_TAG_EMPTY) {
				tdz_error(vm, consts[z]);
				goto exception;
			}
			e->slots[y] = TOP;
			break;
		case JS_BC_INIT_ENV:
			x = NEXT();
			y = NEXT();
			env_at(f->env, x)->slots[y] = POPV();
			break;
		case JS_BC_GET_IMPORT:
			x = NEXT();
			a = cell_get(vm, &f->p->module->cells[x]);
			THROW_IF_EXC(a);
			PUSH(a);
			break;
		case JS_BC_THROW_CONST:
			x = NEXT();
			js_throw_error(vm, JS_TYPE_ERROR,
			    "Assignment to constant variable.");
			goto exception;
		case JS_BC_GET_GLOBAL: {
			struct js_prop *p;

			x = NEXT();
			p = js_obj_find(vm->global, JS_STR(consts[x]));
			if (p == NULL) {
				js_throw_error(vm, JS_REFERENCE_ERROR,
				    "%s is not defined",
				    JS_STR(consts[x])->data);
				goto exception;
			}
			if (p->flags & JS_P_ACCESSOR) {
				a = call_getter(vm, p, js_mkobj(vm->global));
				THROW_IF_EXC(a);
			} else
				a = p->v;
			PUSH(a);
			break;
		}
		case JS_BC_SET_GLOBAL:
			x = NEXT();
			if (js_obj_find(vm->global, JS_STR(consts[x])) ==
			    NULL) {
				js_throw_error(vm, JS_REFERENCE_ERROR,
				    "%s is not defined",
				    JS_STR(consts[x])->data);
				goto exception;
			}
			if (js_set_key(vm, js_mkobj(vm->global),
				JS_STR(consts[x]), TOP) == -1)
				goto exception;
			break;
		case JS_BC_TYPEOF_GLOBAL: {
			struct js_prop *p;

			x = NEXT();
			p = js_obj_find(vm->global, JS_STR(consts[x]));
			a = p == NULL ? JS_UNDEF : p->v;
			if (p != NULL && (p->flags & JS_P_ACCESSOR))
				a = JS_UNDEF;
			PUSH(js_mkstr(intern(vm, js_typeof_str(a))));
			break;
		}
		case JS_BC_GET_PROP:
			x = NEXT();
			a = TOP;
			if (a.tag == JS_TAG_OBJ) {
				/* own data property fast path */
				struct js_prop *p =
				    js_obj_find(JS_OBJ(a), JS_STR(consts[x]));
				if (p != NULL && !(p->flags & JS_P_ACCESSOR)) {
					TOP = p->v;
					break;
				}
			}
			r = js_get_key(vm, a, JS_STR(consts[x]));
			THROW_IF_EXC(r);
			TOP = r;
			break;
		case JS_BC_SET_PROP:
			x = NEXT();
			a = sp[-2];
			b = sp[-1];
			if (js_set_key(vm, a, JS_STR(consts[x]), b) == -1)
				goto exception;
			sp--;
			TOP = b;
			break;
		case JS_BC_GET_ELEM:
			a = sp[-2];
			b = sp[-1];
			r = js_get_val(vm, a, b);
			THROW_IF_EXC(r);
			sp--;
			TOP = r;
			break;
		case JS_BC_SET_ELEM:
			a = sp[-3];
			b = sp[-2];
			c = sp[-1];
			if (js_set_val(vm, a, b, c) == -1)
				goto exception;
			sp -= 2;
			TOP = c;
			break;
		case JS_BC_DEL_PROP:
			x = NEXT();
			if ((k = delete_key(vm, TOP, JS_STR(consts[x]))) == -1)
				goto exception;
			TOP = js_mkbool(k);
			break;
		case JS_BC_DEL_ELEM: {
			struct js_str *ks = js_to_key(vm, sp[-1]);

			if (ks == NULL)
				goto exception;
			if ((k = delete_key(vm, sp[-2], ks)) == -1)
				goto exception;
			sp--;
			TOP = js_mkbool(k);
			break;
		}
		case JS_BC_GET_SUPER: {
			struct js_str *ks;
			struct js_obj *home;

			a = sp[-3];
			b = sp[-2];
			if (!JS_ISOBJ(b)) {
				js_throw_error(vm, JS_SYNTAX_ERROR,
				    "'super' keyword unexpected here");
				goto exception;
			}
			if ((ks = js_to_key(vm, sp[-1])) == NULL)
				goto exception;
			home = JS_OBJ(b)->proto;
			r = JS_UNDEF;
			for (o = home; o != NULL; o = o->proto) {
				struct js_prop *p = js_obj_find(o, ks);
				if (p == NULL)
					continue;
				if (p->flags & JS_P_ACCESSOR) {
					struct js_obj *acc = JS_OBJ(p->v);
					r = js_callable(acc->u.acc.get)
					    ? call_value(vm, acc->u.acc.get, a,
						  0, NULL, 0)
					    : JS_UNDEF;
					THROW_IF_EXC(r);
				} else
					r = p->v;
				break;
			}
			sp -= 2;
			TOP = r;
			break;
		}
		case JS_BC_ADD:
			a = sp[-2];
			b = sp[-1];
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM)
				r = js_mknum(a.u.num + b.u.num);
			else {
				r = op_add(vm, a, b);
				THROW_IF_EXC(r);
			}
			sp--;
			TOP = r;
			break;
		case JS_BC_SUB:
			a = sp[-2];
			b = sp[-1];
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM)
				r = js_mknum(a.u.num - b.u.num);
			else {
				r = op_binary(vm, JS_OP_SUB, a, b);
				THROW_IF_EXC(r);
			}
			sp--;
			TOP = r;
			break;
		case JS_BC_MUL:
			a = sp[-2];
			b = sp[-1];
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM)
				r = js_mknum(a.u.num * b.u.num);
			else {
				r = op_binary(vm, JS_OP_MUL, a, b);
				THROW_IF_EXC(r);
			}
			sp--;
			TOP = r;
			break;
		case JS_BC_LT:
		case JS_BC_LE:
		case JS_BC_GT:
		case JS_BC_GE: {
			static const int ops[] = { JS_OP_LT, JS_OP_LE, JS_OP_GT,
				JS_OP_GE };
			int op = ops[pc[-1] - JS_BC_LT];

			a = sp[-2];
			b = sp[-1];
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM) {
				switch (op) {
				case JS_OP_LT:
					k = a.u.num < b.u.num;
					break;
				case JS_OP_LE:
					k = a.u.num <= b.u.num;
					break;
				case JS_OP_GT:
					k = a.u.num > b.u.num;
					break;
				default:
					k = a.u.num >= b.u.num;
					break;
				}
				r = js_mkbool(k);
			} else {
				r = op_binary(vm, op, a, b);
				THROW_IF_EXC(r);
			}
			sp--;
			TOP = r;
			break;
		}
		case JS_BC_SEQ:
			a = sp[-2];
			b = sp[-1];
			sp--;
			TOP = js_mkbool(js_strict_eq(a, b));
			break;
		case JS_BC_SNE:
			a = sp[-2];
			b = sp[-1];
			sp--;
			TOP = js_mkbool(!js_strict_eq(a, b));
			break;
		case JS_BC_BIN:
			x = NEXT();
			a = sp[-2];
			b = sp[-1];
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM &&
			    x == JS_OP_DIV) {
				sp--;
				TOP = js_mknum(a.u.num / b.u.num);
				break;
			}
			if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM &&
			    x == JS_OP_MOD && a.u.num >= 0 && b.u.num > 0 &&
			    a.u.num <= 2147483647.0 &&
			    b.u.num <= 2147483647.0 &&
			    a.u.num == (double)(int32_t)a.u.num &&
			    b.u.num == (double)(int32_t)b.u.num) {
				sp--;
				TOP = js_mknum(
				    (int32_t)a.u.num % (int32_t)b.u.num);
				break;
			}
			r = op_binary(vm, (int)x, a, b);
			THROW_IF_EXC(r);
			sp--;
			TOP = r;
			break;
		case JS_BC_UN:
			x = NEXT();
			r = op_unary(vm, (int)x, TOP);
			THROW_IF_EXC(r);
			TOP = r;
			break;
		case JS_BC_INC:
		case JS_BC_DEC:
			a = TOP;
			if (a.tag == JS_TAG_NUM)
				d = a.u.num;
			else if (js_tonum(vm, a, &d) == -1)
				goto exception;
			TOP = js_mknum(pc[-1] == JS_BC_INC ? d + 1 : d - 1);
			break;
		case JS_BC_TONUM:
			if (TOP.tag != JS_TAG_NUM) {
				if (js_tonum(vm, TOP, &d) == -1)
					goto exception;
				TOP = js_mknum(d);
			}
			break;
		case JS_BC_TOSTR:
			if (TOP.tag != JS_TAG_STR) {
				struct js_str *s = js_tostr(vm, TOP);
				if (s == NULL)
					goto exception;
				TOP = js_mkstr(s);
			}
			break;
		case JS_BC_JMP:
			x = NEXT();
			if (f->p->code + x < pc) {
				js_value_gc_maybe(vm);
				if (vm->fatal)
					goto exception;
			}
			pc = f->p->code + x;
			break;
		case JS_BC_JF:
			x = NEXT();
			a = POPV();
			if (!js_to_bool(a))
				pc = f->p->code + x;
			break;
		case JS_BC_JT:
			x = NEXT();
			a = POPV();
			if (js_to_bool(a)) {
				if (f->p->code + x < pc)
					js_value_gc_maybe(vm);
				pc = f->p->code + x;
			}
			break;
		case JS_BC_JF_KEEP:
			x = NEXT();
			if (!js_to_bool(TOP))
				pc = f->p->code + x;
			else
				sp--;
			break;
		case JS_BC_JT_KEEP:
			x = NEXT();
			if (js_to_bool(TOP))
				pc = f->p->code + x;
			else
				sp--;
			break;
		case JS_BC_JNN_KEEP:
			x = NEXT();
			if (!JS_ISNULLISH(TOP))
				pc = f->p->code + x;
			else
				sp--;
			break;
		case JS_BC_JNU_KEEP:
			x = NEXT();
			if (TOP.tag != JS_TAG_UNDEF)
				pc = f->p->code + x;
			else
				sp--;
			break;
		case JS_BC_JNULLISH:
			x = NEXT();
			y = NEXT();
			if (JS_ISNULLISH(TOP)) {
				sp -= x;
				PUSH(JS_UNDEF);
				pc = f->p->code + y;
			}
			break;
		case JS_BC_CALL:
		case JS_BC_NEW:
			argc = (int)NEXT();
			a = consts[NEXT()];
			k = do_call(vm, argc, a, pc[-3] == JS_BC_NEW);
			sp = vm->sp;
			goto after_call;
		case JS_BC_CALL_SPREAD:
		case JS_BC_NEW_SPREAD:
			a = consts[NEXT()];
			if (spread_args(vm, &argc) == -1)
				goto exception;
			k = do_call(vm, argc, a, pc[-2] == JS_BC_NEW_SPREAD);
			sp = vm->sp;
		after_call:
			if (k == -1)
				goto exception;
			if (k == 1) {
				f->pc = pc;
				f = &vm->frames[vm->nframes - 1];
				pc = f->pc;
				consts = f->p->consts;
			}
			break;
		case JS_BC_SUPER_CALL:
		case JS_BC_SUPER_CALL_SPREAD:
		case JS_BC_SUPER_FWD: {
			struct js_value *args;

			if (pc[-1] == JS_BC_SUPER_FWD) {
				argc = f->argc;
				args = f->args;
			} else if (pc[-1] == JS_BC_SUPER_CALL) {
				argc = (int)NEXT();
				args = sp - argc;
			} else {
				if (spread_args(vm, &argc) == -1)
					goto exception;
				sp = vm->sp;
				args = sp - argc;
			}
			r = super_call(vm, f, argc, args);
			THROW_IF_EXC(r);
			if (pc[-1] != JS_BC_SUPER_FWD)
				sp -= argc;
			PUSH(r);
			break;
		}
		case JS_BC_RET:
			r = POPV();
			goto do_return;
		case JS_BC_RET_UNDEF:
			r = JS_UNDEF;
		do_return:
			vm->sp = sp;
			if (frame_return(vm, &r))
				return r;
			sp = vm->sp;
			f = &vm->frames[vm->nframes - 1];
			pc = f->pc;
			consts = f->p->consts;
			break;
		case JS_BC_THROW:
			(void)js_throw(vm, POPV());
			goto exception;
		case JS_BC_TRY:
			x = NEXT();
			f->handlers[f->nhandlers].pc = x;
			f->handlers[f->nhandlers].sp = (uint32_t)(sp - f->base);
			f->handlers[f->nhandlers].env = f->env;
			f->nhandlers++;
			break;
		case JS_BC_TRY_END:
			f->nhandlers--;
			break;
		case JS_BC_CLOSURE:
			x = NEXT();
			o = make_closure(vm, f->p->protos[x], f->env);
			if (o == NULL)
				goto exception;
			PUSH(js_mkobj(o));
			break;
		case JS_BC_OBJECT:
			o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto);
			if (o == NULL)
				goto exception;
			PUSH(js_mkobj(o));
			break;
		case JS_BC_ARRAY:
			o = js_arr_new(vm, 0);
			if (o == NULL)
				goto exception;
			PUSH(js_mkobj(o));
			break;
		case JS_BC_APUSH:
			if (js_arr_push(vm, JS_OBJ(sp[-2]), TOP) == -1)
				goto exception;
			sp--;
			break;
		case JS_BC_ASPREAD:
			if (spread_into(vm, JS_OBJ(sp[-2]), TOP) == -1)
				goto exception;
			sp--;
			break;
		case JS_BC_DEFINE:
		case JS_BC_DEFINE_HIDDEN:
			x = NEXT();
			o = JS_OBJ(sp[-2]);
			if (o->cls == JS_CL_ARRAY &&
			    js_str_index(JS_STR(consts[x])) >= 0) {
				if (js_set_key(vm, sp[-2], JS_STR(consts[x]),
					TOP) == -1)
					goto exception;
			} else if (js_obj_define(vm, o, JS_STR(consts[x]), TOP,
				       pc[-2] == JS_BC_DEFINE
					   ? JS_P_DEFAULT
					   : JS_P_HIDDEN) == -1)
				goto exception;
			sp--;
			break;
		case JS_BC_DEFINE_ELEM: {
			struct js_str *ks = js_to_key(vm, sp[-2]);

			if (ks == NULL)
				goto exception;
			o = JS_OBJ(sp[-3]);
			if (js_obj_define(vm, o, ks, TOP, JS_P_DEFAULT) == -1)
				goto exception;
			sp -= 2;
			break;
		}
		case JS_BC_DEFINE_ACC: {
			struct js_str *ks = js_to_key(vm, sp[-2]);

			x = NEXT();
			y = NEXT();
			if (ks == NULL)
				goto exception;
			if (define_accessor(vm, JS_OBJ(sp[-3]), ks, TOP, (int)x,
				y ? JS_P_DEFAULT : JS_P_HIDDEN) == -1)
				goto exception;
			sp -= 2;
			break;
		}
		case JS_BC_OSPREAD:
			if (copy_props(vm, JS_OBJ(sp[-2]), TOP, NULL) == -1)
				goto exception;
			sp--;
			break;
		case JS_BC_SET_PROTO:
			if (JS_ISOBJ(TOP))
				JS_OBJ(sp[-2])->proto = JS_OBJ(TOP);
			else if (TOP.tag == JS_TAG_NULL)
				JS_OBJ(sp[-2])->proto = NULL;
			sp--;
			break;
		case JS_BC_SET_HOME:
			JS_OBJ(TOP)->u.fn.home = JS_OBJ(sp[-2]);
			break;
		case JS_BC_CLASS:
			x = NEXT();
			r = make_class(vm, sp[-2], JS_OBJ(sp[-1]), (int)x);
			THROW_IF_EXC(r);
			sp[-2] = sp[-1];
			sp[-1] = r;
			break;
		case JS_BC_METHOD: {
			struct js_str *ks = js_to_key(vm, sp[-2]);
			struct js_obj *target;

			x = NEXT();
			y = NEXT();
			if (ks == NULL)
				goto exception;
			target = JS_OBJ(sp[y ? -4 : -3]);
			o = JS_OBJ(TOP);
			o->u.fn.home = target;
			if (x == 0) {
				if (js_obj_define(
					vm, target, ks, TOP, JS_P_HIDDEN) == -1)
					goto exception;
			} else if (define_accessor(vm, target, ks, TOP, (int)x,
				       JS_P_CONF) == -1)
				goto exception;
			sp -= 2;
			break;
		}
		case JS_BC_SET_FIELDS:
			o = JS_OBJ(TOP);
			o->u.fn.home = JS_OBJ(sp[-2]);
			JS_OBJ(sp[-3])->u.fn.fields = o;
			sp--;
			break;
		case JS_BC_ENV:
			x = NEXT();
			if ((e = env_new(vm, f->env, x)) == NULL)
				goto exception;
			f->env = e;
			break;
		case JS_BC_ENV_POP:
			f->env = f->env->parent;
			break;
		case JS_BC_ENV_COPY:
			x = NEXT();
			for (y = 0; y < x; y++)
				if (f->env->slots[y].tag == JS_TAG_BUILDER &&
				    slot_flatten(vm, &f->env->slots[y]) == -1)
					goto exception;
			if ((e = env_new(vm, f->env->parent, x)) == NULL)
				goto exception;
			memcpy(e->slots, f->env->slots,
			    x * sizeof(struct js_value));
			f->env = e;
			break;
		case JS_BC_ITER_CLOSE:
			x = NEXT();
			a = TOP;
			if (JS_ISOBJ(a) && !JS_ISCLS(a, JS_CL_ITER)) {
				struct js_str *rk = intern(vm, "return");

				if (rk == NULL)
					goto exception;
				b = js_get_key(vm, a, rk);
				THROW_IF_EXC(b);
				if (js_callable(b)) {
					r = call_value(vm, b, a, 0, NULL, 0);
					THROW_IF_EXC(r);
					if (!JS_ISOBJ(r)) {
						js_throw_error(vm,
						    JS_TYPE_ERROR,
						    "Iterator result %s is not "
						    "an object",
						    js_typeof_str(r));
						goto exception;
					}
				}
			}
			if (!x)
				sp--;
			break;
		case JS_BC_APPEND_BEGIN: {
			struct js_value *slot;

			x = NEXT();
			y = NEXT();
			z = NEXT();
			slot = (x & 1) ? &env_at(f->env, x >> 1)->slots[y]
				       : &f->base[y];
			if (slot->tag == JS_TAG_EMPTY) {
				tdz_error(vm, consts[z]);
				goto exception;
			}
			PUSH(*slot);
			PUSH(js_mknum(slot->tag == JS_TAG_BUILDER
				? ((struct js_obj *)slot->u.ptr)->u.sb.len
				: 0));
			break;
		}
		case JS_BC_APPEND_END: {
			struct js_value *slot;

			x = NEXT();
			y = NEXT();
			slot = (x & 1) ? &env_at(f->env, x >> 1)->slots[y]
				       : &f->base[y];
			if (append_end(
				vm, slot, sp[-3], sp[-2].u.num, sp[-1]) == -1)
				goto exception;
			sp -= 3;
			break;
		}
		case JS_BC_ITER:
			r = js_iter_open(vm, TOP);
			THROW_IF_EXC(r);
			TOP = r;
			break;
		case JS_BC_FORIN:
			r = forin_open(vm, TOP);
			THROW_IF_EXC(r);
			TOP = r;
			break;
		case JS_BC_ITER_NEXT:
			x = NEXT();
			if ((k = js_iter_step(vm, TOP, &r)) == -1)
				goto exception;
			if (k == 0)
				pc = f->p->code + x;
			else
				PUSH(r);
			break;
		case JS_BC_ITER_STEP:
			if ((k = js_iter_step(vm, TOP, &r)) == -1)
				goto exception;
			PUSH(k == 1 ? r : JS_UNDEF);
			break;
		case JS_BC_ITER_REST:
			if ((o = js_arr_new(vm, 0)) == NULL)
				goto exception;
			PUSH(js_mkobj(o));
			vm->sp = sp;
			while ((k = js_iter_step(vm, sp[-2], &r)) == 1)
				if (js_arr_push(vm, o, r) == -1)
					goto exception;
			if (k == -1)
				goto exception;
			break;
		case JS_BC_ARG:
			x = NEXT();
			PUSH((int)x < f->argc ? f->args[x] : JS_UNDEF);
			break;
		case JS_BC_REST:
			x = NEXT();
			if ((o = js_arr_new(vm, 0)) == NULL)
				goto exception;
			for (k = (int)x; k < f->argc; k++)
				if (js_arr_push(vm, o, f->args[k]) == -1)
					goto exception;
			PUSH(js_mkobj(o));
			break;
		case JS_BC_THIS:
			PUSH(f->this_val.tag == JS_TAG_EMPTY ? JS_UNDEF
							     : f->this_val);
			break;
		case JS_BC_HOME:
			PUSH(f->fn != NULL && f->fn->u.fn.home != NULL
				? js_mkobj(f->fn->u.fn.home)
				: JS_UNDEF);
			break;
		case JS_BC_FUNC:
			PUSH(f->fn != NULL ? js_mkobj(f->fn) : JS_UNDEF);
			break;
		case JS_BC_AWAIT: {
			struct js_value pr, susp;

			a = TOP;
			pr = js_promise_coerce(vm, a);
			THROW_IF_EXC(pr);
			TOP = pr;
			f->pc = pc;
			susp = suspend(vm, f);
			THROW_IF_EXC(susp);
			/* The saved copy holds the promise; drop it from
			 * the live stack now. */
			((struct js_susp *)susp.u.ptr)->nvals--;
			sp--;
			if (promise_await(vm, JS_OBJ(pr), susp) == -1)
				goto exception;
			r = f->resumed ? JS_UNDEF : f->promise;
			k = f->stop;
			sp = f->args - 2;
			vm->nframes--;
			if (k) {
				vm->sp = sp;
				return r;
			}
			PUSH(r);
			f = &vm->frames[vm->nframes - 1];
			pc = f->pc;
			consts = f->p->consts;
			break;
		}
		case JS_BC_REQ_OBJ:
			x = NEXT();
			if (JS_ISNULLISH(TOP)) {
				js_throw_error(vm, JS_TYPE_ERROR,
				    "Cannot destructure '%s' as it is %s.",
				    JS_STR(consts[x])->data,
				    TOP.tag == JS_TAG_NULL ? "null"
							   : "undefined");
				goto exception;
			}
			break;
		case JS_BC_OBJ_REST:
			x = NEXT();
			if ((o = js_obj_new(
				 vm, JS_CL_OBJECT, vm->object_proto)) == NULL)
				goto exception;
			a = TOP;
			PUSH(js_mkobj(o));
			vm->sp = sp;
			if (copy_props(vm, o, a, JS_OBJ(consts[x])) == -1)
				goto exception;
			sp--;
			TOP = js_mkobj(o);
			break;
		case JS_BC_NOT_SUPPORTED:
			x = NEXT();
			js_throw_error(vm, JS_SYNTAX_ERROR, "not supported: %s",
			    JS_STR(consts[x])->data);
			goto exception;
		default:
			js_throw_error(vm, JS_SYNTAX_ERROR, "bad bytecode");
			goto exception;
		}
		continue;
	exception:
		if (vm->fatal && !(vm->has_exc && vm->exc.tag == JS_TAG_STR))
			vm_fatal_error(vm);
		for (;;) {
			f = &vm->frames[vm->nframes - 1];
			if (!vm->fatal && f->nhandlers > 0) {
				struct js_handler *h =
				    &f->handlers[--f->nhandlers];

				sp = f->base + h->sp;
				f->env = h->env;
				PUSH(js_exception_take(vm));
				pc = f->p->code + h->pc;
				consts = f->p->consts;
				break;
			}
			if (!vm->fatal && f->p->async && JS_ISOBJ(f->promise)) {
				r = js_exception_take(vm);
				js_promise_settle(vm, JS_OBJ(f->promise), 1, r);
				r = f->resumed ? JS_UNDEF : f->promise;
				k = f->stop;
				sp = f->args - 2;
				vm->nframes--;
				if (k) {
					vm->sp = sp;
					return r;
				}
				PUSH(r);
				f = &vm->frames[vm->nframes - 1];
				pc = f->pc;
				consts = f->p->consts;
				break;
			}
			k = f->stop;
			sp = f->args - 2;
			vm->nframes--;
			if (k) {
				vm->sp = sp;
				return JS_EXC;
			}
		}
	}
}

/* ---- modules ---- */

struct load_ctx {
	struct js_vm *vm;
	struct js_module *self;
	struct js_module **deps;
	char **specs;
	size_t ndeps;
};

static struct js_module *
lookup_dep(void *opaque, const char *spec)
{
	struct load_ctx *lc = opaque;
	size_t i;

	for (i = 0; i < lc->ndeps; i++)
		if (strcmp(lc->specs[i], spec) == 0)
			return lc->deps[i];
	return NULL;
}

static struct js_module *
module_new(struct js_vm *vm, const char *filename, const char *spec)
{
	struct js_module *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->filename = strdup(filename != NULL ? filename : "<input>");
	m->specifier = spec != NULL ? strdup(spec) : NULL;
	m->native = JS_UNDEF;
	m->ns = JS_UNDEF;
	if (m->filename == NULL || (spec != NULL && m->specifier == NULL)) {
		free(m->filename);
		free(m->specifier);
		free(m);
		return NULL;
	}
	m->next = vm->modules;
	vm->modules = m;
	return m;
}

static void
module_free(struct js_module *m)
{
	free(m->filename);
	free(m->specifier);
	free(m->exports);
	free(m->stars);
	free(m->cells);
	free(m);
}

/* Resolves export name of m to a cell; 0 found, -1 not. */
static int
module_export(struct js_vm *vm, struct js_module *m, struct js_str *name,
    struct js_cell *out, int depth)
{
	uint32_t i;
	struct js_value v;

	if (m == NULL || depth > 32)
		return -1;
	if (JS_ISOBJ(m->native)) {
		if (js_obj_find(JS_OBJ(m->native), name) == NULL) {
			if (name == atom(vm, JS_A_default)) {
				out->env = NULL;
				out->val = m->native;
				return 0;
			}
			return -1;
		}
		v = js_get_key(vm, m->native, name);
		if (v.tag == JS_TAG_EXC)
			return -1;
		out->env = NULL;
		out->val = v;
		return 0;
	}
	for (i = 0; i < m->nexports; i++) {
		struct js_export *e = &m->exports[i];

		if (e->name != name)
			continue;
		if (e->kind == JS_EXP_LOCAL) {
			out->env = m->env;
			out->slot = e->slot;
			return 0;
		}
		if (e->kind == JS_EXP_VALUE) {
			out->env = NULL;
			out->val = e->val;
			return 0;
		}
		return module_export(vm, e->dep, e->dep_name, out, depth + 1);
	}
	if (name == atom(vm, JS_A_default))
		return -1;
	for (i = 0; i < m->nstars; i++)
		if (module_export(vm, m->stars[i], name, out, depth + 1) == 0)
			return 0;
	return -1;
}

static int
ns_add_names(struct js_vm *vm, struct js_module *m, struct js_obj *ns,
    int depth, int top)
{
	uint32_t i;
	struct js_cell c;
	struct js_value v;
	struct js_obj *keys;

	if (m == NULL || depth > 32)
		return 0;
	if (JS_ISOBJ(m->native)) {
		if ((keys = js_own_keys(vm, JS_OBJ(m->native), 0)) == NULL)
			return -1;
		for (i = 0; i < keys->u.arr.len; i++) {
			struct js_str *k = JS_STR(keys->u.arr.items[i]);

			if ((k = js_str_intern_str(vm, k)) == NULL)
				return -1;
			if (!top && k == atom(vm, JS_A_default))
				continue;
			v = js_get_key(vm, m->native, k);
			if (v.tag == JS_TAG_EXC ||
			    js_obj_define(vm, ns, k, v, JS_P_ENUM) == -1)
				return -1;
		}
		return 0;
	}
	for (i = 0; i < m->nexports; i++) {
		struct js_str *k = m->exports[i].name;

		if (!top && k == atom(vm, JS_A_default))
			continue;
		if (js_obj_find(ns, k) != NULL)
			continue;
		memset(&c, 0, sizeof(c));
		if (module_export(vm, m, k, &c, 0) == -1)
			continue;
		if (c.env != NULL &&
		    c.env->slots[c.slot].tag == JS_TAG_BUILDER &&
		    slot_flatten(vm, &c.env->slots[c.slot]) == -1)
			return -1;
		v = c.env != NULL ? c.env->slots[c.slot] : c.val;
		if (v.tag == JS_TAG_EMPTY)
			v = JS_UNDEF;
		if (js_obj_define(vm, ns, k, v, JS_P_ENUM) == -1)
			return -1;
	}
	for (i = 0; i < m->nstars; i++)
		if (ns_add_names(vm, m->stars[i], ns, depth + 1, 0) == -1)
			return -1;
	return 0;
}

static int
prop_cmp(const void *a, const void *b)
{
	const struct js_prop *x = a, *y = b;

	return js_str_cmp(x->key, y->key);
}

struct js_value
js_module_namespace(struct js_vm *vm, struct js_module *m)
{
	struct js_obj *ns, *sorted;
	uint32_t i;

	if ((ns = js_obj_new(vm, JS_CL_OBJECT, NULL)) == NULL)
		return JS_EXC;
	if (ns_add_names(vm, m, ns, 0, 1) == -1)
		return JS_EXC;
	/* [[Exports]] are ordered by code units (ECMA-262 §10.4.6). */
	if (ns->nprops > 1)
		qsort(ns->props, ns->nprops, sizeof(*ns->props), prop_cmp);
	if ((sorted = js_obj_new(vm, JS_CL_OBJECT, NULL)) == NULL)
		return JS_EXC;
	for (i = 0; i < ns->nprops; i++)
		if (js_obj_define(vm, sorted, ns->props[i].key, ns->props[i].v,
			JS_P_ENUM) == -1)
			return JS_EXC;
	return js_mkobj(sorted);
}

static int load_source(struct js_vm *, const char *src, size_t len,
    const char *filename, int ts, struct js_module **out);

static int
resolve_import(struct js_vm *vm, const char *spec, const char *referrer,
    unsigned line, unsigned col, struct js_module **out)
{
	struct js_resolved res;
	struct js_module *m;
	char msg[600];

	memset(&res, 0, sizeof(res));
	res.native = JS_UNDEF;
	if (vm->resolve == NULL ||
	    vm->resolve(vm, vm->resolve_opaque, spec, referrer, &res) == -1) {
		if (vm->has_exc || vm->fatal)
			return -1;
		snprintf(msg, sizeof(msg), "cannot find module '%s'", spec);
		(void)js_syntax_error_at(vm, referrer, line, col, msg);
		return -1;
	}
	if (res.is_native) {
		for (m = vm->modules; m != NULL; m = m->next)
			if (m->specifier != NULL &&
			    strcmp(m->specifier, spec) == 0 &&
			    JS_ISOBJ(m->native)) {
				*out = m;
				return 0;
			}
		if (!JS_ISOBJ(res.native)) {
			(void)js_throw_error(vm, JS_TYPE_ERROR,
			    "module '%s' is not an object", spec);
			return -1;
		}
		if ((m = module_new(vm, spec, spec)) == NULL) {
			vm->fatal = 1;
			return -1;
		}
		m->native = res.native;
		m->state = 1;
		*out = m;
		return 0;
	}
	for (m = vm->modules; m != NULL; m = m->next) {
		if (m->specifier == NULL && res.filename != NULL &&
		    strcmp(m->filename, res.filename) == 0) {
			if (m->state == 0) {
				snprintf(msg, sizeof(msg),
				    "not supported: import cycle through "
				    "'%s'",
				    spec);
				(void)js_syntax_error_at(
				    vm, referrer, line, col, msg);
				return -1;
			}
			if (m->state == 2) {
				snprintf(msg, sizeof(msg),
				    "module '%s' failed to load", spec);
				(void)js_syntax_error_at(
				    vm, referrer, line, col, msg);
				return -1;
			}
			*out = m;
			return 0;
		}
	}
	if (res.source == NULL) {
		snprintf(msg, sizeof(msg), "cannot find module '%s'", spec);
		(void)js_syntax_error_at(vm, referrer, line, col, msg);
		return -1;
	}
	return load_source(vm, res.source, res.len,
	    res.filename != NULL ? res.filename : spec, res.ts, out);
}

static int
link_cells(struct js_vm *vm, struct js_module *m)
{
	uint32_t i;
	struct js_cell *c;
	char msg[600];

	for (i = 0; i < m->ncells; i++) {
		c = &m->cells[i];
		if (c->dep == NULL)
			continue;
		if (c->name == NULL) {
			struct js_value ns;

			if (!JS_ISOBJ(c->dep->ns)) {
				ns = js_module_namespace(vm, c->dep);
				if (ns.tag == JS_TAG_EXC)
					return -1;
				c->dep->ns = ns;
			}
			c->env = NULL;
			c->val = c->dep->ns;
			continue;
		}
		if (module_export(vm, c->dep, c->name, c, 0) == -1) {
			if (vm->has_exc || vm->fatal)
				return -1;
			snprintf(msg, sizeof(msg),
			    "The requested module '%s' does not provide an "
			    "export named '%s'",
			    c->spec != NULL ? c->spec : c->dep->filename,
			    c->name->data);
			(void)js_syntax_error_at(
			    vm, m->filename, c->line, c->col, msg);
			return -1;
		}
	}
	return 0;
}

/* Runs a module body and the job queue until it settles. */
static int
evaluate(struct js_vm *vm, struct js_module *m)
{
	struct js_obj *fn;
	struct js_value pr, r;

	if ((fn = make_closure(vm, m->body, m->env)) == NULL)
		return -1;
	if (js_push(vm, js_mkobj(fn)) == -1 || js_push(vm, JS_UNDEF) == -1)
		return -1;
	if (push_frame(vm, fn, 0, 0, JS_UNDEF, 1) == -1) {
		vm->sp -= 2;
		return -1;
	}
	vm->depth++;
	pr = run(vm, 0);
	vm->depth--;
	if (pr.tag == JS_TAG_EXC) {
		if (vm->fatal)
			vm_fatal_error(vm);
		return -1;
	}
	if (js_push(vm, pr) == -1)
		return -1;
	r = JS_UNDEF;
	if (js_await(vm, pr, &r) == -1) {
		vm->sp--;
		return -1;
	}
	vm->sp--;
	return 0;
}

static int
load_source(struct js_vm *vm, const char *src, size_t len, const char *filename,
    int ts, struct js_module **out)
{
	struct js_parse_error perr;
	struct js_ast *t = NULL;
	struct js_module *m = NULL;
	struct load_ctx lc;
	struct js_ast_node *s;
	uint32_t nenv = 0, i;
	size_t n = 0;
	char prefix[64];
	const char *msg;

	memset(&lc, 0, sizeof(lc));
	if (vm->load_depth >= JS_MAX_LOAD_DEPTH) {
		(void)js_throw_error(
		    vm, JS_RANGE_ERROR, "imports nested too deeply");
		return -1;
	}
	t = js_parse(src, len, filename, ts ? JS_PARSE_TS : 0, &perr);
	if (t == NULL) {
		snprintf(
		    prefix, sizeof(prefix), ":%u:%u: ", perr.line, perr.col);
		msg = strstr(perr.msg, prefix);
		msg = msg != NULL ? msg + strlen(prefix) : perr.msg;
		(void)js_syntax_error_at(
		    vm, filename, perr.line, perr.col, msg);
		return -1;
	}
	if ((m = module_new(vm, filename, NULL)) == NULL) {
		vm->fatal = 1;
		goto fail;
	}
	vm->load_depth++;
	/* Dependencies first, in source order. */
	for (s = t->root->list; s != NULL; s = s->next)
		if (s->kind == JS_AST_IMPORT ||
		    (s->kind == JS_AST_EXPORT_NAMES && s->str != NULL) ||
		    s->kind == JS_AST_EXPORT_ALL)
			n++;
	if (n > 0) {
		lc.deps = calloc(n, sizeof(*lc.deps));
		lc.specs = calloc(n, sizeof(*lc.specs));
		if (lc.deps == NULL || lc.specs == NULL) {
			vm->fatal = 1;
			goto fail_depth;
		}
	}
	for (s = t->root->list; s != NULL; s = s->next) {
		struct js_module *dep;

		if (!(s->kind == JS_AST_IMPORT ||
			(s->kind == JS_AST_EXPORT_NAMES && s->str != NULL) ||
			s->kind == JS_AST_EXPORT_ALL))
			continue;
		if (lookup_dep(&lc, s->str) != NULL)
			continue;
		if (resolve_import(
			vm, s->str, filename, s->line, s->col, &dep) == -1)
			goto fail_depth;
		lc.specs[lc.ndeps] = (char *)s->str;
		lc.deps[lc.ndeps++] = dep;
	}
	lc.vm = vm;
	lc.self = m;
	m->body = js_compile_module(vm, t, m, lookup_dep, &lc, &nenv);
	if (m->body == NULL)
		goto fail_depth;
	if ((m->env = env_new(vm, NULL, nenv)) == NULL)
		goto fail_depth;
	for (i = 0; i < nenv; i++)
		m->env->slots[i] = JS_UNDEF;
	if (link_cells(vm, m) == -1)
		goto fail_depth;
	free(lc.deps);
	free(lc.specs);
	lc.deps = NULL;
	lc.specs = NULL;
	js_ast_free(t);
	t = NULL;
	if (evaluate(vm, m) == -1)
		goto fail_depth;
	vm->load_depth--;
	m->state = 1;
	*out = m;
	return 0;
fail_depth:
	vm->load_depth--;
fail:
	if (m != NULL)
		m->state = 2;
	free(lc.deps);
	free(lc.specs);
	js_ast_free(t);
	if (vm->fatal)
		vm_fatal_error(vm);
	return -1;
}

int
js_module_load(struct js_vm *vm, const char *src, size_t len,
    const char *filename, int flags, struct js_module **out)
{
	struct js_module *m = NULL;
	size_t mark = (size_t)(vm->sp - vm->stack);
	int r;

	if (vm->fatal) {
		vm_fatal_error(vm);
		return -1;
	}
	r = load_source(vm, src, len, filename != NULL ? filename : "<input>",
	    (flags & JS_MODULE_TS) != 0, &m);
	vm->sp = vm->stack + mark;
	if (r == 0 && out != NULL)
		*out = m;
	return r;
}

int
js_await(struct js_vm *vm, struct js_value v, struct js_value *result)
{
	struct js_obj *p;
	struct js_ref *ref;

	*result = JS_UNDEF;
	if (!JS_ISCLS(v, JS_CL_PROMISE)) {
		*result = v;
		return 0;
	}
	p = JS_OBJ(v);
	if ((ref = js_ref_new(vm, v)) == NULL)
		return -1;
	p->u.promise.handled = 1;
	while (p->u.promise.state == JS_PENDING && vm->jhead != vm->jtail &&
	    !vm->fatal)
		if (js_run_jobs(vm) == -1)
			break;
	js_ref_free(vm, ref);
	if (vm->fatal) {
		vm_fatal_error(vm);
		return -1;
	}
	if (p->u.promise.state == JS_FULFILLED) {
		*result = p->u.promise.value;
		return 0;
	}
	if (p->u.promise.state == JS_REJECTED) {
		(void)js_throw(vm, p->u.promise.value);
		return -1;
	}
	(void)js_throw_error(vm, JS_ERROR, "promise never settled");
	return -1;
}

/* ---- VM lifecycle ---- */

static const char *const atom_names[JS_A__COUNT] = {
	[JS_A_length] = "length",
	[JS_A_prototype] = "prototype",
	[JS_A_constructor] = "constructor",
	[JS_A_name] = "name",
	[JS_A_message] = "message",
	[JS_A_stack] = "stack",
	[JS_A_then] = "then",
	[JS_A_next] = "next",
	[JS_A_done] = "done",
	[JS_A_value] = "value",
	[JS_A_raw] = "raw",
	[JS_A_default] = "default",
	[JS_A_toString] = "toString",
	[JS_A_valueOf] = "valueOf",
	[JS_A_toJSON] = "toJSON",
	[JS_A_get] = "get",
	[JS_A_set] = "set",
	[JS_A_cause] = "cause",
	[JS_A_empty] = "",
	[JS_A_undefined] = "undefined",
	[JS_A_null] = "null",
	[JS_A_true] = "true",
	[JS_A_false] = "false",
	[JS_A_object] = "object",
	[JS_A_function] = "function",
	[JS_A_number] = "number",
	[JS_A_string] = "string",
	[JS_A_boolean] = "boolean",
	[JS_A_symbol] = "symbol",
	[JS_A_NaN] = "NaN",
	[JS_A_Infinity] = "Infinity",
	[JS_A_budget] = "instruction budget exhausted",
	[JS_A_oom] = "out of memory",
};

static void
default_console(void *opaque, int is_err, const char *s, size_t len)
{
	fwrite(s, 1, len, is_err ? stderr : stdout);
}

struct js_vm *
js_vm_new(const struct js_limits *lim)
{
	struct js_vm *vm;
	int i;

	if ((vm = calloc(1, sizeof(*vm))) == NULL)
		return NULL;
	vm->mem_max =
	    lim != NULL && lim->mem_max ? lim->mem_max : JS_DEFAULT_MEM_MAX;
	vm->budget =
	    lim != NULL && lim->budget ? lim->budget : JS_DEFAULT_BUDGET;
	vm->depth_max =
	    lim != NULL && lim->depth_max ? lim->depth_max : JS_DEFAULT_DEPTH;
	vm->gc_next = vm->mem_max / 8 < 4u * 1024 * 1024 ? vm->mem_max / 8
							 : 4u * 1024 * 1024;
	vm->refs.next = vm->refs.prev = &vm->refs;
	vm->exc = JS_UNDEF;
	vm->unhandled = JS_UNDEF;
	vm->sym_iterator = vm->sym_async_iterator = JS_UNDEF;
	vm->console = default_console;
	vm->stack = calloc(JS_STACK_MAX, sizeof(struct js_value));
	vm->frames = calloc(vm->depth_max + 1, sizeof(struct js_frame));
	if (vm->stack == NULL || vm->frames == NULL)
		goto fail;
	vm->sp = vm->stack;
	vm->stack_end = vm->stack + JS_STACK_MAX;
	for (i = 0; i < JS_A__COUNT; i++)
		if ((vm->atoms[i] = js_str_intern(
			 vm, atom_names[i], strlen(atom_names[i]))) == NULL)
			goto fail;
	if (js_builtins_init(vm) == -1)
		goto fail;
	return vm;
fail:
	js_vm_free(vm);
	return NULL;
}

void
js_vm_free(struct js_vm *vm)
{
	struct js_proto *p, *np;
	struct js_module *m, *nm;
	struct js_ref *r, *nr;

	if (vm == NULL)
		return;
	js_value_free_all(vm);
	for (p = vm->protos; p != NULL; p = np) {
		np = p->all_next;
		free(p->code);
		free(p->consts);
		free(p->protos);
		free(p->lines);
		free(p);
	}
	for (m = vm->modules; m != NULL; m = nm) {
		nm = m->next;
		module_free(m);
	}
	if (vm->refs.next != NULL)
		for (r = vm->refs.next; r != &vm->refs; r = nr) {
			nr = r->next;
			free(r);
		}
	free(vm->itab);
	free(vm->jobs);
	free(vm->stack);
	free(vm->frames);
	free(vm);
}

void
js_vm_set_console(struct js_vm *vm, js_console_fn *fn, void *opaque)
{
	vm->console = fn != NULL ? fn : default_console;
	vm->console_opaque = opaque;
}

void
js_vm_set_resolver(struct js_vm *vm, js_resolve_fn *fn, void *opaque)
{
	vm->resolve = fn;
	vm->resolve_opaque = opaque;
}

uint64_t
js_vm_steps(const struct js_vm *vm)
{
	return vm->steps;
}

struct js_value
js_global(struct js_vm *vm)
{
	return js_mkobj(vm->global);
}

/* ---- embedding API ---- */

struct js_value
js_string(struct js_vm *vm, const char *s, size_t len)
{
	struct js_str *str = js_str_new(vm, s, len);

	if (str == NULL)
		return js_throw_error(vm, JS_RANGE_ERROR, "out of memory");
	return js_mkstr(str);
}

struct js_value
js_string_cstr(struct js_vm *vm, const char *s)
{
	return js_string(vm, s, strlen(s));
}

struct js_value
js_object_new(struct js_vm *vm)
{
	struct js_obj *o = js_obj_new(vm, JS_CL_OBJECT, vm->object_proto);

	return o != NULL ? js_mkobj(o) : JS_EXC;
}

struct js_value
js_array_new(struct js_vm *vm)
{
	struct js_obj *o = js_arr_new(vm, 0);

	return o != NULL ? js_mkobj(o) : JS_EXC;
}

struct js_value
js_uint8array_new(struct js_vm *vm, const unsigned char *bytes, size_t len)
{
	struct js_obj *b, *u;

	if (len > JS_MAX_STRING)
		return js_throw_error(
		    vm, JS_RANGE_ERROR, "Invalid typed array length: %zu", len);
	if ((b = js_obj_new(vm, JS_CL_BYTES, NULL)) == NULL ||
	    (b->u.bytes.data = js_value_malloc(vm, len)) == NULL)
		return JS_EXC;
	b->u.bytes.len = (uint32_t)len;
	if (len > 0) {
		if (bytes != NULL)
			memcpy(b->u.bytes.data, bytes, len);
		else
			memset(b->u.bytes.data, 0, len);
	}
	if ((u = js_obj_new(vm, JS_CL_U8, vm->u8_proto)) == NULL)
		return JS_EXC;
	u->u.u8.bytes = b;
	u->u.u8.len = (uint32_t)len;
	return js_mkobj(u);
}

struct js_value
js_function_new(struct js_vm *vm, const char *name, int nargs, js_native_fn *fn,
    void *opaque)
{
	struct js_obj *o = js_native_new(vm, name, nargs, fn, 0);

	if (o == NULL)
		return JS_EXC;
	o->u.nat.opaque = opaque;
	return js_mkobj(o);
}

struct js_value
js_promise_resolved(struct js_vm *vm, struct js_value v)
{
	struct js_obj *p = js_promise_new(vm);

	if (p == NULL)
		return JS_EXC;
	js_promise_resolve(vm, p, v);
	return js_mkobj(p);
}

struct js_value
js_promise_rejected(struct js_vm *vm, struct js_value v)
{
	struct js_obj *p = js_promise_new(vm);

	if (p == NULL)
		return JS_EXC;
	js_promise_settle(vm, p, 1, v);
	return js_mkobj(p);
}

enum js_type
js_type_of(struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_UNDEF:
	case JS_TAG_EMPTY:
		return JS_TYPE_UNDEFINED;
	case JS_TAG_NULL:
		return JS_TYPE_NULL;
	case JS_TAG_BOOL:
		return JS_TYPE_BOOLEAN;
	case JS_TAG_NUM:
		return JS_TYPE_NUMBER;
	case JS_TAG_STR:
		return JS_TYPE_STRING;
	case JS_TAG_EXC:
		return JS_TYPE_EXCEPTION;
	default:
		return JS_TYPE_OBJECT;
	}
}

int
js_is_array(struct js_value v)
{
	return JS_ISCLS(v, JS_CL_ARRAY);
}

int
js_is_function(struct js_value v)
{
	return js_callable(v);
}

int
js_is_uint8array(struct js_value v)
{
	return JS_ISCLS(v, JS_CL_U8);
}

int
js_is_error(struct js_value v)
{
	return JS_ISCLS(v, JS_CL_ERROR);
}

int
js_is_promise(struct js_value v)
{
	return JS_ISCLS(v, JS_CL_PROMISE);
}

int
js_truthy(struct js_value v)
{
	return js_to_bool(v);
}

double
js_get_number(struct js_value v)
{
	return v.tag == JS_TAG_NUM ? v.u.num : NAN;
}

const char *
js_string_utf8(struct js_value v, size_t *len)
{
	if (v.tag != JS_TAG_STR)
		return NULL;
	if (len != NULL)
		*len = JS_STR(v)->len;
	return JS_STR(v)->data;
}

unsigned char *
js_uint8array_bytes(struct js_value v, size_t *len)
{
	struct js_obj *o;

	if (!JS_ISCLS(v, JS_CL_U8))
		return NULL;
	o = JS_OBJ(v);
	if (len != NULL)
		*len = o->u.u8.len;
	return o->u.u8.bytes->u.bytes.data + o->u.u8.off;
}

size_t
js_array_length(struct js_value v)
{
	return JS_ISCLS(v, JS_CL_ARRAY) ? JS_OBJ(v)->u.arr.len : 0;
}

struct js_value
js_to_string(struct js_vm *vm, struct js_value v)
{
	struct js_str *s = js_tostr(vm, v);

	return s != NULL ? js_mkstr(s) : JS_EXC;
}

int
js_inspect(struct js_vm *vm, struct js_value v, struct buf *out)
{
	return js_builtins_inspect(vm, v, out, 1);
}

struct js_value
js_get(struct js_vm *vm, struct js_value obj, const char *name)
{
	struct js_str *k = intern(vm, name);

	if (k == NULL)
		return JS_EXC;
	return js_get_key(vm, obj, k);
}

int
js_set(
    struct js_vm *vm, struct js_value obj, const char *name, struct js_value v)
{
	struct js_str *k = intern(vm, name);

	if (k == NULL)
		return -1;
	return js_set_key(vm, obj, k, v);
}

struct js_value
js_get_index(struct js_vm *vm, struct js_value obj, size_t i)
{
	return js_get_val(vm, obj, js_mknum((double)i));
}

int
js_set_index(struct js_vm *vm, struct js_value obj, size_t i, struct js_value v)
{
	return js_set_val(vm, obj, js_mknum((double)i), v);
}

int
js_array_push(struct js_vm *vm, struct js_value arr, struct js_value v)
{
	if (!JS_ISCLS(arr, JS_CL_ARRAY)) {
		(void)js_throw_error(vm, JS_TYPE_ERROR, "not an array");
		return -1;
	}
	if (js_arr_push(vm, JS_OBJ(arr), v) == -1) {
		(void)js_throw_error(vm, JS_RANGE_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

struct js_value
js_object_keys(struct js_vm *vm, struct js_value obj)
{
	struct js_obj *a;

	if (!JS_ISOBJ(obj))
		return js_throw_error(vm, JS_TYPE_ERROR, "not an object");
	if ((a = js_own_keys(vm, JS_OBJ(obj), 0)) == NULL)
		return JS_EXC;
	return js_mkobj(a);
}

struct js_ref *
js_ref_new(struct js_vm *vm, struct js_value v)
{
	struct js_ref *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->v = v;
	r->next = vm->refs.next;
	r->prev = &vm->refs;
	vm->refs.next->prev = r;
	vm->refs.next = r;
	return r;
}

struct js_value
js_ref_get(const struct js_ref *r)
{
	return r->v;
}

void
js_ref_free(struct js_vm *vm, struct js_ref *r)
{
	(void)vm;
	if (r == NULL)
		return;
	r->prev->next = r->next;
	r->next->prev = r->prev;
	free(r);
}

int
js_exception_format(struct js_vm *vm, struct js_value exc, struct buf *out)
{
	struct js_obj *o;
	struct js_value st;
	struct js_str *s;
	size_t mark = (size_t)(vm->sp - vm->stack);

	if (exc.tag == JS_TAG_STR && vm->fatal)
		return buf_append(out, JS_STR(exc)->data, JS_STR(exc)->len);
	if (exc.tag == JS_TAG_EXC || exc.tag == JS_TAG_EMPTY)
		return buf_append_str(out, "exception");
	if (JS_ISCLS(exc, JS_CL_ERROR)) {
		o = JS_OBJ(exc);
		if (o->u.err.loc != NULL &&
		    (buf_append(out, o->u.err.loc->data, o->u.err.loc->len) ==
			    -1 ||
			buf_append_str(out, ": ") == -1))
			return -1;
		st = JS_UNDEF;
		if (!vm->fatal && js_push(vm, exc) == 0)
			st = js_get_key(vm, exc, atom(vm, JS_A_stack));
		vm->sp = vm->stack + mark;
		if (st.tag == JS_TAG_EXC)
			(void)js_exception_take(vm);
		if (st.tag == JS_TAG_STR) {
			s = JS_STR(st);
			return buf_append(out, s->data, s->len);
		}
	}
	if (buf_append_str(out, "Uncaught ") == -1)
		return -1;
	return js_builtins_inspect(vm, exc, out, 0);
}
