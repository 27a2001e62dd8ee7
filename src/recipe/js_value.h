/*
 * Internal object model of the JavaScript recipe interpreter: tagged
 * values, heap cells (strings, objects, environments, suspended frames),
 * property tables, the mark-and-sweep collector, ECMA-262 §7.1 type
 * conversions and Number-to-String (§6.1.6.1.20).  Shared by js_compile,
 * js_interp and js_builtins; embedders use js_interp.h only.
 */
#ifndef FABRIK_JS_VALUE_H
#define FABRIK_JS_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "recipe/js_interp.h"

/* Longest string in bytes. */
#ifndef JS_MAX_STRING
#define JS_MAX_STRING ((size_t)256 * 1024 * 1024)
#endif
/* Longest array. */
#ifndef JS_MAX_ARRAY
#define JS_MAX_ARRAY (64u * 1024 * 1024)
#endif
/* Nested try blocks in one function. */
#ifndef JS_MAX_TRY
#define JS_MAX_TRY 16
#endif

enum js_tag {
	JS_TAG_UNDEF,
	JS_TAG_NULL,
	JS_TAG_BOOL,
	JS_TAG_NUM,
	JS_TAG_STR,
	JS_TAG_SYM, /* u.ptr: struct js_str (description), unique */
	JS_TAG_OBJ,
	JS_TAG_EXC, /* exception marker, never stored */
	JS_TAG_EMPTY, /* uninitialised binding (TDZ) */
	JS_TAG_BUILDER /* u.ptr: JS_CL_BUILDER; only ever in a variable slot
			  (s += x), read back as a string */
};

enum js_gc_kind { JS_GC_STR, JS_GC_OBJ, JS_GC_ENV, JS_GC_SUSP };

struct js_gc {
	struct js_gc *next;
	uint8_t kind;
	uint8_t mark;
	uint32_t size; /* accounted bytes (capped) */
};

struct js_str {
	struct js_gc gc;
	uint32_t len; /* bytes */
	uint32_t u16len; /* UTF-16 code units */
	uint32_t hash;
	uint8_t ascii;
	uint8_t interned;
	struct js_str *inext; /* intern table chain */
	char data[]; /* NUL-terminated WTF-8 */
};

enum js_class {
	JS_CL_OBJECT,
	JS_CL_ARRAY,
	JS_CL_FUNC, /* bytecode closure */
	JS_CL_NATIVE,
	JS_CL_BOUND,
	JS_CL_ERROR,
	JS_CL_PROMISE,
	JS_CL_MAP,
	JS_CL_SET,
	JS_CL_U8,
	JS_CL_ITER,
	JS_CL_ACCESSOR, /* getter/setter pair stored in a property */
	JS_CL_BYTES, /* backing store of Uint8Arrays */
	JS_CL_BUILDER /* growing string of a variable (JS_TAG_BUILDER) */
};

/* Property flags. */
#define JS_P_ENUM 0x1
#define JS_P_WRITE 0x2
#define JS_P_CONF 0x4
#define JS_P_ACCESSOR 0x8
#define JS_P_DEFAULT (JS_P_ENUM | JS_P_WRITE | JS_P_CONF)
#define JS_P_HIDDEN (JS_P_WRITE | JS_P_CONF)

struct js_prop {
	struct js_str *key; /* interned string or symbol */
	struct js_value v;
	uint32_t flags;
};

struct js_proto;
struct js_env;

enum js_iter_kind {
	JS_IT_ARRAY_VALUES,
	JS_IT_ARRAY_KEYS,
	JS_IT_ARRAY_ENTRIES,
	JS_IT_STRING,
	JS_IT_MAP_KEYS,
	JS_IT_MAP_VALUES,
	JS_IT_MAP_ENTRIES,
	JS_IT_SET_VALUES,
	JS_IT_SET_ENTRIES,
	JS_IT_KEYS /* for-in snapshot: target is an array of keys */
};

struct js_mapent {
	struct js_value key, val;
	int deleted;
};

struct js_reaction {
	struct js_value on_ok, on_err; /* functions or undefined */
	struct js_value derived; /* promise or undefined */
	struct js_value susp; /* suspended async frame or undefined */
};

enum js_pstate { JS_PENDING, JS_FULFILLED, JS_REJECTED };

struct js_obj {
	struct js_gc gc;
	uint8_t cls;
	uint8_t frozen;
	uint8_t extensible;
	uint8_t is_class; /* class constructor (not callable without new) */
	struct js_obj *proto;
	struct js_prop *props;
	uint32_t nprops, pcap;
	uint32_t *index; /* open addressing over props when nprops > 8 */
	uint32_t icap;
	union {
		struct {
			struct js_value *items;
			uint32_t len, cap;
		} arr;
		struct {
			struct js_proto *p;
			struct js_env *env;
			struct js_obj *home; /* methods: object for super */
			struct js_obj *fields; /* class: field initialiser */
			int derived; /* class with extends */
		} fn;
		struct {
			js_native_fn *fn;
			void *opaque;
			int magic;
			int ctor; /* may be called with new */
			struct js_value data[2];
		} nat;
		struct {
			struct js_value target, this_val;
			struct js_value *args;
			int argc;
		} bound;
		struct {
			struct js_str *loc; /* "file:line:col" or NULL */
			struct js_str *trace; /* "\n    at ..." lines */
		} err;
		struct {
			int state, handled;
			struct js_value value;
			struct js_reaction *r;
			uint32_t nr, rcap;
		} promise;
		struct {
			struct js_mapent *ents;
			uint32_t n, cap, live;
			uint32_t *index;
			uint32_t icap;
		} map;
		struct {
			struct js_obj *bytes; /* JS_CL_BYTES */
			uint32_t off, len;
		} u8;
		struct {
			unsigned char *data;
			uint32_t len;
		} bytes;
		struct {
			char *data;
			uint32_t len, cap;
		} sb;
		struct {
			struct js_value target;
			uint32_t pos;
			int kind;
			int done;
		} iter;
		struct {
			struct js_value get, set;
		} acc;
	} u;
};

struct js_env {
	struct js_gc gc;
	struct js_env *parent;
	uint32_t n;
	struct js_value slots[];
};

/* A module body or function compiled to bytecode (js_compile.c).  Owned
 * by the VM until js_vm_free; its constants are GC roots. */
struct js_proto {
	struct js_proto *all_next;
	uint32_t *code;
	uint32_t ncode;
	struct js_value *consts;
	uint32_t nconsts;
	struct js_proto **protos;
	uint32_t nprotos;
	uint32_t *lines; /* pairs (pc, line << 12 | col) ... */
	uint32_t nlines;
	uint32_t nregs, maxstack, nparams;
	uint32_t env_slots; /* function scope env, 0 when none */
	int arrow, async, method, ctor, derived, is_class, module_body;
	struct js_str *name;
	struct js_module *module;
};

/* Handlers of try blocks. */
struct js_handler {
	uint32_t pc; /* catch entry */
	uint32_t sp; /* operand depth relative to the frame base */
	struct js_env *env;
};

/* A call in progress. */
struct js_frame {
	struct js_obj *fn; /* closure, or NULL for a module body */
	struct js_proto *p;
	const uint32_t *pc; /* where to resume */
	const uint32_t *ipc; /* instruction running (positions) */
	struct js_value *args; /* first argument on the stack */
	int argc;
	struct js_value *base; /* registers, then operands */
	struct js_value *sp;
	struct js_env *env;
	struct js_value this_val;
	struct js_value promise; /* async: the result promise */
	int construct; /* called with new: return this unless object */
	int stop; /* the run loop returns when this frame returns */
	int resumed; /* async frame resumed from a job */
	unsigned nhandlers;
	struct js_handler handlers[JS_MAX_TRY];
};

/* A suspended async frame (JS_GC_SUSP). */
struct js_susp {
	struct js_gc gc;
	struct js_frame fr;
	uint32_t nvals; /* stack segment: func, this, args, regs, ops */
	uint32_t args_off, base_off, sp_off;
	struct js_value vals[];
};

struct js_export {
	struct js_str *name;
	int kind; /* JS_EXP_LOCAL: slot in env; JS_EXP_INDIRECT: name in
		     module dep; JS_EXP_VALUE: native value */
	uint32_t slot;
	struct js_module *dep;
	struct js_str *dep_name;
	struct js_value val;
};
#define JS_EXP_LOCAL 0
#define JS_EXP_INDIRECT 1
#define JS_EXP_VALUE 2

struct js_cell {
	struct js_env *env; /* NULL: val holds the value */
	uint32_t slot;
	struct js_value val;
	struct js_module *dep; /* filled by the compiler, linked later */
	struct js_str *name; /* imported name; NULL for "* as ns" */
	const char *spec; /* as written; valid until linked */
	unsigned line, col;
};

struct js_module {
	struct js_module *next;
	char *filename;
	char *specifier; /* native modules: cache key */
	int state; /* 0 loading, 1 evaluated, 2 failed */
	struct js_proto *body;
	struct js_env *env;
	struct js_export *exports;
	uint32_t nexports, ecap;
	struct js_module **stars;
	uint32_t nstars;
	struct js_cell *cells;
	uint32_t ncells;
	struct js_value native; /* native modules */
	struct js_value ns; /* namespace object, undefined until made */
};

struct js_ref {
	struct js_ref *prev, *next;
	struct js_value v;
};

struct js_job {
	int kind; /* JS_JOB_REACTION, JS_JOB_THENABLE */
	struct js_reaction r;
	int rejected;
	struct js_value arg;
	struct js_value thenable, then, promise;
};
#define JS_JOB_REACTION 0
#define JS_JOB_THENABLE 1

/* Well-known interned strings. */
enum js_atom_id {
	JS_A_length,
	JS_A_prototype,
	JS_A_constructor,
	JS_A_name,
	JS_A_message,
	JS_A_stack,
	JS_A_then,
	JS_A_next,
	JS_A_done,
	JS_A_value,
	JS_A_raw,
	JS_A_default,
	JS_A_toString,
	JS_A_valueOf,
	JS_A_toJSON,
	JS_A_get,
	JS_A_set,
	JS_A_cause,
	JS_A_empty,
	JS_A_undefined,
	JS_A_null,
	JS_A_true,
	JS_A_false,
	JS_A_object,
	JS_A_function,
	JS_A_number,
	JS_A_string,
	JS_A_boolean,
	JS_A_symbol,
	JS_A_NaN,
	JS_A_Infinity,
	JS_A_budget, /* fatal messages: allocated before they are needed */
	JS_A_oom,
	JS_A__COUNT
};

struct js_vm {
	/* heap */
	struct js_gc *heap;
	size_t mem_used, mem_max, gc_next;
	int fatal; /* budget or memory exhausted: unwinds everything */
	int in_gc;
	struct js_str **itab; /* intern table */
	uint32_t icap, icount;
	/* limits */
	uint64_t budget, steps;
	unsigned depth, depth_max;
	/* stack */
	struct js_value *stack, *sp, *stack_end;
	struct js_frame *frames;
	unsigned nframes;
	/* exception */
	struct js_value exc;
	int has_exc;
	/* jobs */
	struct js_job *jobs;
	size_t jhead, jtail, jcap; /* ring buffer */
	/* roots */
	struct js_ref refs; /* list head */
	struct js_proto *protos;
	struct js_module *modules;
	struct js_obj *global;
	struct js_obj *cur_native; /* the native function running */
	int ctor_call; /* cur_native was called with new (or super()) */
	/* prototypes and constructors */
	struct js_obj *object_proto, *function_proto, *array_proto,
	    *string_proto, *number_proto, *boolean_proto, *symbol_proto,
	    *error_proto, *promise_proto, *map_proto, *set_proto, *u8_proto,
	    *iter_proto, *array_iter_proto, *generic_proto;
	struct js_obj *error_protos[5];
	struct js_obj *error_ctors[5];
	struct js_obj *promise_ctor;
	struct js_value sym_iterator, sym_async_iterator;
	struct js_str *atoms[JS_A__COUNT];
	/* embedder */
	js_console_fn *console;
	void *console_opaque;
	js_resolve_fn *resolve;
	void *resolve_opaque;
	unsigned load_depth;
	/* promises rejected without a handler, checked when the job queue
	 * drains (Node's unhandledRejection) */
	struct js_obj *rejected;
	struct js_value unhandled;
	int has_unhandled;
	/* console.group indentation, console.count etc. */
	unsigned group;
	struct js_obj *counts;
};

/* Value constructors. */
static inline struct js_value
js_mkobj(struct js_obj *o)
{
	struct js_value v;

	v.tag = JS_TAG_OBJ;
	v.u.ptr = o;
	return v;
}
static inline struct js_value
js_mkstr(struct js_str *s)
{
	struct js_value v;

	v.tag = JS_TAG_STR;
	v.u.ptr = s;
	return v;
}
static inline struct js_value
js_mknum(double d)
{
	struct js_value v;

	v.tag = JS_TAG_NUM;
	v.u.num = d;
	return v;
}
static inline struct js_value
js_mkbool(int b)
{
	struct js_value v;

	v.tag = JS_TAG_BOOL;
	v.u.ptr = NULL;
	v.u.b = b != 0;
	return v;
}
static inline struct js_value
js_mktag(unsigned tag)
{
	struct js_value v;

	v.tag = tag;
	v.u.ptr = NULL;
	return v;
}
#define JS_UNDEF js_mktag(JS_TAG_UNDEF)
#define JS_NULLV js_mktag(JS_TAG_NULL)
#define JS_EXC js_mktag(JS_TAG_EXC)
#define JS_ISOBJ(v) ((v).tag == JS_TAG_OBJ)
#define JS_OBJ(v) ((struct js_obj *)(v).u.ptr)
#define JS_STR(v) ((struct js_str *)(v).u.ptr)
#define JS_ISNULLISH(v) ((v).tag == JS_TAG_UNDEF || (v).tag == JS_TAG_NULL)
#define JS_ISCLS(v, c) (JS_ISOBJ(v) && JS_OBJ(v)->cls == (c))

/* Heap (js_value.c). */
void *js_value_alloc(struct js_vm *, size_t n, enum js_gc_kind);
int js_value_charge(struct js_vm *, size_t n) FAB_WUR;
void js_value_uncharge(struct js_vm *, size_t n);
void *js_value_malloc(struct js_vm *, size_t n);
void *js_value_realloc(struct js_vm *, void *p, size_t oldn, size_t n);
void js_value_free(struct js_vm *, void *p, size_t n);
/* Collects garbage when enough was allocated (call at safe points). */
void js_value_gc_maybe(struct js_vm *);
void js_value_gc(struct js_vm *);
void js_value_free_all(struct js_vm *);
struct js_value js_value_oom(struct js_vm *);

/* Strings. */
struct js_str *js_str_new(struct js_vm *, const char *s, size_t n);
struct js_str *js_str_intern(struct js_vm *, const char *s, size_t n);
struct js_str *js_str_intern_str(struct js_vm *, struct js_str *);
struct js_str *js_str_concat(struct js_vm *, struct js_str *, struct js_str *);
int js_str_eq(const struct js_str *, const struct js_str *);
int js_str_cmp(const struct js_str *, const struct js_str *);
/* UTF-16 view: js_str_u16 fills a malloc'd array of u16len units. */
uint16_t *js_str_u16(struct js_vm *, const struct js_str *);
struct js_str *js_str_from_u16(struct js_vm *, const uint16_t *u, size_t n);
/* Substring by UTF-16 indices [from, to). */
struct js_str *js_str_sub(
    struct js_vm *, struct js_str *, uint32_t from, uint32_t to);
/* UTF-16 unit at index i (i < u16len). */
unsigned js_str_unit(const struct js_str *, uint32_t i);
/* Canonical array index ("0".."4294967294") or -1. */
int64_t js_str_index(const struct js_str *);

/* Objects. */
struct js_obj *js_obj_new(struct js_vm *, int cls, struct js_obj *proto);
struct js_prop *js_obj_find(struct js_obj *, const struct js_str *key);
int js_obj_define(struct js_vm *, struct js_obj *, struct js_str *key,
    struct js_value v, uint32_t flags) FAB_WUR;
int js_obj_delete(struct js_vm *, struct js_obj *, struct js_str *key);
int js_arr_push(struct js_vm *, struct js_obj *, struct js_value) FAB_WUR;
int js_arr_setlen(struct js_vm *, struct js_obj *, uint32_t) FAB_WUR;
struct js_obj *js_arr_new(struct js_vm *, uint32_t cap);
int js_map_find(struct js_obj *, struct js_value key, uint32_t *at);
int js_map_set(struct js_vm *, struct js_obj *, struct js_value key,
    struct js_value val) FAB_WUR;
int js_map_delete(struct js_obj *, struct js_value key);
void js_map_clear(struct js_obj *);

/* Conversions (may throw: JS_EXC). */
int js_to_bool(struct js_value);
double js_str_to_number(const struct js_str *);
int js_num_to_buf(double, char out[40]);
struct js_str *js_num_to_str(struct js_vm *, double);
int js_same_value_zero(struct js_value, struct js_value);
int js_strict_eq(struct js_value, struct js_value);
int32_t js_to_int32(double);
uint32_t js_to_uint32(double);
double js_to_integer(double);

/*
 * Implemented in js_interp.c for js_compile and js_builtins.  Functions
 * returning struct js_value return JS_EXC when they throw; those returning
 * int return -1; those returning pointers return NULL.
 */
struct js_value js_syntax_error_at(struct js_vm *, const char *file,
    unsigned line, unsigned col, const char *msg);
struct js_value js_make_error(struct js_vm *, int kind, struct js_str *msg);
struct js_value js_get_key(struct js_vm *, struct js_value, struct js_str *key);
struct js_value js_get_val(
    struct js_vm *, struct js_value, struct js_value key);
int js_set_key(struct js_vm *, struct js_value, struct js_str *key,
    struct js_value) FAB_WUR;
int js_set_val(struct js_vm *, struct js_value, struct js_value key,
    struct js_value) FAB_WUR;
/* 1 own or inherited, 0 not, -1 thrown. */
int js_has_key(struct js_vm *, struct js_value obj, struct js_str *key);
struct js_prop *js_own_prop(struct js_obj *, struct js_str *key);
struct js_str *js_to_key(struct js_vm *, struct js_value);
struct js_str *js_tostr(struct js_vm *, struct js_value);
int js_tonum(struct js_vm *, struct js_value, double *) FAB_WUR;
struct js_value js_to_primitive(struct js_vm *, struct js_value, int hint);
int js_loose_eq(struct js_vm *, struct js_value, struct js_value);
int js_callable(struct js_value);
struct js_value js_construct(
    struct js_vm *, struct js_value f, int argc, const struct js_value *argv);
struct js_obj *js_native_new(
    struct js_vm *, const char *name, int nargs, js_native_fn *fn, int magic);
struct js_str *js_fn_name(struct js_vm *, struct js_obj *);
const char *js_typeof_str(struct js_value);
/* Own enumerable string keys in JS order, as an array; NULL on error. */
struct js_obj *js_own_keys(struct js_vm *, struct js_obj *, int symbols);
/* Iteration protocol (ECMA-262 §7.4) with fast paths for builtins. */
struct js_value js_iter_open(struct js_vm *, struct js_value);
/* 1 value, 0 done, -1 thrown. */
int js_iter_step(struct js_vm *, struct js_value iter, struct js_value *out);
struct js_obj *js_iter_new(struct js_vm *, struct js_value target, int kind);
/* Promises (ECMA-262 §27.2). */
struct js_obj *js_promise_new(struct js_vm *);
void js_promise_resolve(struct js_vm *, struct js_obj *, struct js_value);
void js_promise_settle(
    struct js_vm *, struct js_obj *, int rejected, struct js_value);
struct js_value js_promise_coerce(struct js_vm *, struct js_value);
int js_promise_then(struct js_vm *, struct js_obj *p, struct js_value on_ok,
    struct js_value on_err, struct js_obj *derived) FAB_WUR;
struct js_value js_resolving_functions(
    struct js_vm *, struct js_obj *p, struct js_value *reject);
/* Stack trace text of the current call stack ("    at f (file:l:c)"). */
struct js_str *js_trace(struct js_vm *);
/* Values on the VM stack: root temporaries in natives. */
int js_push(struct js_vm *, struct js_value) FAB_WUR;
/* Builtins (js_builtins.c). */
int js_builtins_init(struct js_vm *) FAB_WUR;
int js_builtins_inspect(
    struct js_vm *, struct js_value, struct buf *, int top) FAB_WUR;

#endif
