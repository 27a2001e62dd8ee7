/*
 * Interpreter for the JavaScript recipe language: a bytecode compiler over
 * the js_parse tree, a stack VM with heap frames (so async functions can
 * suspend at await), a mark-and-sweep garbage collector, ES modules, and
 * the embedding API used by the recipe runner (js_recipe.c).
 */
/* API STABLE */
#ifndef FABRIK_JS_INTERP_H
#define FABRIK_JS_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Defaults for struct js_limits fields left at 0. */
#ifndef JS_DEFAULT_MEM_MAX
#define JS_DEFAULT_MEM_MAX ((size_t)512 * 1024 * 1024)
#endif
#ifndef JS_DEFAULT_BUDGET
#define JS_DEFAULT_BUDGET ((uint64_t)20000000000ull)
#endif
#ifndef JS_DEFAULT_DEPTH
#define JS_DEFAULT_DEPTH 2000u
#endif
/* Values on the VM stack (registers, operands, call arguments). */
#ifndef JS_STACK_MAX
#define JS_STACK_MAX (256u * 1024)
#endif

struct js_vm;
struct js_module;
struct js_ref;

/* The type of a value, as the embedder sees it. */
enum js_type {
	JS_TYPE_UNDEFINED,
	JS_TYPE_NULL,
	JS_TYPE_BOOLEAN,
	JS_TYPE_NUMBER,
	JS_TYPE_STRING,
	JS_TYPE_OBJECT, /* includes arrays, functions, Uint8Array, ... */
	JS_TYPE_EXCEPTION /* not a value: an exception is pending */
};

/*
 * A value.  Passed by value; the fields are private (use the functions
 * below).  A value that refers to a string or object stays valid while it
 * is reachable from JavaScript, held by a js_ref, or on the VM stack.  The
 * collector only runs while JavaScript code runs (js_call, js_module_load,
 * js_run_jobs, js_await and natives calling back into them); values a
 * native or the embedder holds in C variables across such a call must be
 * kept alive with js_ref_new or stored in a reachable object.  A native's
 * own arguments and this are always kept alive for the call.
 */
struct js_value {
	unsigned tag;
	union {
		double num;
		int b;
		void *ptr;
	} u;
};

struct js_limits {
	size_t mem_max; /* bytes of JS heap; 0 = JS_DEFAULT_MEM_MAX */
	uint64_t budget; /* instructions; 0 = JS_DEFAULT_BUDGET */
	unsigned depth_max; /* nested calls; 0 = JS_DEFAULT_DEPTH */
};

/* Error constructors natives can throw. */
enum js_error_kind {
	JS_ERROR,
	JS_TYPE_ERROR,
	JS_RANGE_ERROR,
	JS_SYNTAX_ERROR,
	JS_REFERENCE_ERROR
};

/*
 * A native function.  this_val and argv[0..argc) are borrowed for the
 * call.  Returns the result, or js_exception() after js_throw* to throw.
 */
typedef struct js_value js_native_fn(struct js_vm *, struct js_value this_val,
    int argc, const struct js_value *argv, void *opaque);

/* console output: is_err is 0 for console.log/info, 1 for console.error/
 * warn.  s[0..len) is one formatted line including its trailing '\n'. */
typedef void js_console_fn(void *opaque, int is_err, const char *s, size_t len);

/* What the module hook resolved a specifier to. */
struct js_resolved {
	/* Set exactly one: source (with filename) or native. */
	const char *source; /* module text, borrowed until the hook's caller
			       returns (the VM copies what it keeps) */
	size_t len;
	const char *filename; /* resolved name: modules are cached by it and
				 error messages name it; borrowed likewise */
	int ts; /* nonzero: parse as TypeScript */
	int is_native; /* nonzero: use native instead of source */
	struct js_value native; /* an object whose own properties are the
				   module's exports ("default" included) */
};

/*
 * Resolves specifier (as written in an import) seen in the module named
 * referrer.  Fills *out and returns 0, or returns -1: the import fails with
 * the pending exception if the hook threw one (js_throw_error), else with
 * "cannot find module 'x'".  The hook may allocate (e.g. build the native
 * object) but must not run JavaScript.  Called once per distinct resolved
 * module is not guaranteed: modules are cached by filename (source) or by
 * specifier (native), so the hook may be asked again for the same name.
 */
typedef int js_resolve_fn(struct js_vm *, void *opaque, const char *specifier,
    const char *referrer, struct js_resolved *out);

/* Creates a VM with the global object and every builtin.  limits may be
 * NULL (defaults).  Returns NULL on ENOMEM.  Free with js_vm_free. */
struct js_vm *js_vm_new(const struct js_limits *limits);
/* Frees the VM, every value, module and ref; NULL is allowed. */
void js_vm_free(struct js_vm *);
/* Routes console.* output (default: fputs to stdout/stderr). */
void js_vm_set_console(struct js_vm *, js_console_fn *fn, void *opaque);
/* Sets the import hook (default: every import fails). */
void js_vm_set_resolver(struct js_vm *, js_resolve_fn *fn, void *opaque);
/* Instructions executed so far (for tests and benchmarks). */
uint64_t js_vm_steps(const struct js_vm *);
/* The global object (globalThis). */
struct js_value js_global(struct js_vm *);

/* Flags for js_module_load. */
#define JS_MODULE_TS 0x1 /* TypeScript source */

/*
 * Parses src[0..len) as a module named filename, loads its imports
 * (through the hook, depth-first; an import cycle is an error), evaluates
 * each module body once, and runs the job queue until the body (which may
 * use top-level await) has settled.  On success returns 0 and *out (may be
 * NULL) is the module, owned by the VM.  On failure returns -1 with an
 * exception pending (syntax errors are SyntaxError objects whose message
 * is "file:line:col: ..."); read it with js_exception_take.
 */
int js_module_load(struct js_vm *, const char *src, size_t len,
    const char *filename, int flags, struct js_module **out) FAB_WUR;
/* The module's namespace object: an object whose own enumerable
 * properties are the export names (in source order) and their current
 * values. */
struct js_value js_module_namespace(struct js_vm *, struct js_module *);

/* Constants. */
struct js_value js_undefined(void);
struct js_value js_null(void);
struct js_value js_bool(int);
struct js_value js_number(double);
/* The marker natives return after js_throw*; also what fallible calls
 * below return when they throw. */
struct js_value js_exception(void);

/* Builders.  Each returns js_exception() with a RangeError pending when the
 * memory cap is reached. */
struct js_value js_string(struct js_vm *, const char *utf8, size_t len);
struct js_value js_string_cstr(struct js_vm *, const char *utf8);
struct js_value js_object_new(struct js_vm *);
struct js_value js_array_new(struct js_vm *);
struct js_value js_uint8array_new(
    struct js_vm *, const unsigned char *bytes, size_t len);
/* name is copied; nargs is the function's length property. */
struct js_value js_function_new(struct js_vm *, const char *name, int nargs,
    js_native_fn *fn, void *opaque);
/* A new error object (not thrown) with message and stack. */
struct js_value js_error_new(
    struct js_vm *, enum js_error_kind, const char *msg);
/* An already settled promise. */
struct js_value js_promise_resolved(struct js_vm *, struct js_value);
struct js_value js_promise_rejected(struct js_vm *, struct js_value);

/* Throwing: sets the pending exception and returns js_exception(). */
struct js_value js_throw(struct js_vm *, struct js_value exc);
struct js_value js_throw_error(struct js_vm *, enum js_error_kind,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Takes (and clears) the pending exception; undefined when none. */
struct js_value js_exception_take(struct js_vm *);
/* Nonzero when v is the exception marker. */
int js_is_exception(struct js_value);
/*
 * Appends a report of a thrown value to out: for an error object
 * "file:line:col: Name: message" followed by "\n    at ..." stack lines;
 * for other values "Uncaught " and the value as console.log prints it.
 * Returns 0 or -1 on ENOMEM.
 */
int js_exception_format(
    struct js_vm *, struct js_value exc, struct buf *out) FAB_WUR;

/* Inspection (never throw). */
enum js_type js_type_of(struct js_value);
int js_is_array(struct js_value);
int js_is_function(struct js_value);
int js_is_uint8array(struct js_value);
int js_is_error(struct js_value);
int js_is_promise(struct js_value);
int js_truthy(struct js_value);
double js_get_number(struct js_value); /* NaN unless a number */
/* UTF-8 bytes of a string value (NUL-terminated; *len may be NULL), or
 * NULL when v is not a string.  Valid as long as the value is. */
const char *js_string_utf8(struct js_value, size_t *len);
/* Bytes of a Uint8Array (NULL when not one); valid as long as the value. */
unsigned char *js_uint8array_bytes(struct js_value, size_t *len);
/* Array length, or 0 when v is not an array. */
size_t js_array_length(struct js_value);

/* Conversions that may run JavaScript (toString, getters) and throw. */
/* ToString: a string value or js_exception(). */
struct js_value js_to_string(struct js_vm *, struct js_value);
/* Appends what console.log would print for v. Returns 0 or -1 (ENOMEM). */
int js_inspect(struct js_vm *, struct js_value, struct buf *out) FAB_WUR;

/* Properties.  Getters return js_exception() on throw; setters return 0 or
 * -1 with an exception pending.  Reading a property of undefined/null
 * throws a TypeError. */
struct js_value js_get(struct js_vm *, struct js_value obj, const char *name);
int js_set(struct js_vm *, struct js_value obj, const char *name,
    struct js_value v) FAB_WUR;
struct js_value js_get_index(struct js_vm *, struct js_value obj, size_t i);
int js_set_index(
    struct js_vm *, struct js_value obj, size_t i, struct js_value v) FAB_WUR;
int js_array_push(
    struct js_vm *, struct js_value arr, struct js_value v) FAB_WUR;
/* An array of the own enumerable string keys of obj, in JavaScript order
 * (Object.keys), or js_exception(). */
struct js_value js_object_keys(struct js_vm *, struct js_value obj);

/* Calls func (a function value) synchronously.  Returns its result (for
 * an async function: a promise) or js_exception(). */
struct js_value js_call(struct js_vm *, struct js_value func,
    struct js_value this_val, int argc, const struct js_value *argv);
/* Runs queued jobs (promise reactions, async continuations) until the
 * queue is empty.  Returns 0, or -1 with an exception pending when a fatal
 * limit (instruction budget, memory) stopped it. */
int js_run_jobs(struct js_vm *) FAB_WUR;
/*
 * When v is a promise, runs jobs until it settles; otherwise takes v as it
 * is.  Returns 0 with *result the fulfilled value, or -1 with the rejection
 * reason pending as exception (also for a promise that never settles:
 * "promise never settled", and for fatal limits).
 */
int js_await(
    struct js_vm *, struct js_value v, struct js_value *result) FAB_WUR;

/*
 * After the job queue drained (js_run_jobs, js_await, js_module_load): if
 * a promise was rejected and had no handler when the queue became empty
 * (what makes Node exit with "unhandled rejection"), returns 1 with the
 * first such reason in *reason and forgets it; else 0.  Added after the
 * API was declared stable; nothing else changed.
 */
int js_unhandled_rejection(struct js_vm *, struct js_value *reason) FAB_WUR;

/* Handles: keep a value alive until js_ref_free (or js_vm_free).  Returns
 * NULL on ENOMEM. */
struct js_ref *js_ref_new(struct js_vm *, struct js_value);
struct js_value js_ref_get(const struct js_ref *);
void js_ref_free(struct js_vm *, struct js_ref *);

#endif
