/*
 * Compiler from the js_parse tree to the interpreter's bytecode: a scope
 * pass resolves every name to a register, an environment slot (when a
 * closure captures it), an import cell or a global, then code generation
 * emits 32-bit words (opcode, operands) per function.
 */
#ifndef FABRIK_JS_COMPILE_H
#define FABRIK_JS_COMPILE_H

#include "recipe/js_ast.h"
#include "recipe/js_value.h"

/* Words of code in one function (finally blocks are copied per exit). */
#ifndef JS_MAX_CODE
#define JS_MAX_CODE (4u * 1024 * 1024)
#endif

/*
 * Opcodes.  Operands follow as 32-bit words; "k" indexes the function's
 * constants, "r" a register, "d s" an environment depth and slot, "t" an
 * absolute code offset.  Stack effects in comments.
 */
enum js_bc {
	JS_BC_UNDEF, /* -> undefined */
	JS_BC_NULL,
	JS_BC_TRUE,
	JS_BC_FALSE,
	JS_BC_EMPTY, /* -> TDZ marker */
	JS_BC_CONST, /* k -> value */
	JS_BC_INT, /* i -> number */
	JS_BC_POP,
	JS_BC_DUP,
	JS_BC_DUP2, /* a b -> a b a b */
	JS_BC_SWAP,
	JS_BC_ROT3, /* a b c -> c a b */
	JS_BC_ROT4, /* a b c d -> d a b c */
	JS_BC_PICK, /* n: pushes a copy of the value n below the top */
	JS_BC_GET_LOC, /* r */
	JS_BC_GET_LOC_CHK, /* r k(name) */
	JS_BC_SET_LOC, /* r: stores the top, keeps it */
	JS_BC_SET_LOC_CHK, /* r k */
	JS_BC_INIT_LOC, /* r: pops */
	JS_BC_GET_ENV, /* d s */
	JS_BC_GET_ENV_CHK, /* d s k */
	JS_BC_SET_ENV, /* d s */
	JS_BC_SET_ENV_CHK, /* d s k */
	JS_BC_INIT_ENV, /* d s: pops */
	JS_BC_GET_IMPORT, /* i */
	JS_BC_THROW_CONST, /* k: TypeError assignment to constant */
	JS_BC_GET_GLOBAL, /* k */
	JS_BC_SET_GLOBAL, /* k */
	JS_BC_TYPEOF_GLOBAL, /* k */
	JS_BC_GET_PROP, /* k: obj -> v */
	JS_BC_SET_PROP, /* k: obj v -> v */
	JS_BC_GET_ELEM, /* obj key -> v */
	JS_BC_SET_ELEM, /* obj key v -> v */
	JS_BC_DEL_PROP, /* k: obj -> bool */
	JS_BC_DEL_ELEM, /* obj key -> bool */
	JS_BC_GET_SUPER, /* this home key -> v */
	JS_BC_ADD,
	JS_BC_SUB,
	JS_BC_MUL,
	JS_BC_LT,
	JS_BC_LE,
	JS_BC_GT,
	JS_BC_GE,
	JS_BC_SEQ,
	JS_BC_SNE,
	JS_BC_BIN, /* op(js_ast_op): a b -> r */
	JS_BC_UN, /* op: a -> r */
	JS_BC_INC,
	JS_BC_DEC,
	JS_BC_TONUM,
	JS_BC_TOSTR,
	JS_BC_JMP, /* t */
	JS_BC_JF, /* t: pops */
	JS_BC_JT, /* t: pops */
	JS_BC_JF_KEEP, /* t: jumps keeping a falsy value, else pops */
	JS_BC_JT_KEEP,
	JS_BC_JNN_KEEP, /* t: jumps keeping a non-nullish value, else pops */
	JS_BC_JNU_KEEP, /* t: jumps keeping a value !== undefined, else pops */
	JS_BC_JNULLISH, /* n t: if the top is nullish pops n, pushes
			   undefined, jumps */
	JS_BC_CALL, /* n: func this args... -> r */
	JS_BC_CALL_SPREAD, /* func this array -> r */
	JS_BC_NEW, /* n: ctor undefined args... -> obj */
	JS_BC_NEW_SPREAD, /* ctor undefined array -> obj */
	JS_BC_SUPER_CALL, /* n: args... -> this */
	JS_BC_SUPER_CALL_SPREAD, /* array -> this */
	JS_BC_SUPER_FWD, /* -> this: super(...arguments) */
	JS_BC_RET, /* v */
	JS_BC_RET_UNDEF,
	JS_BC_THROW,
	JS_BC_TRY, /* t: catch entry */
	JS_BC_TRY_END,
	JS_BC_CLOSURE, /* k(proto index) -> fn */
	JS_BC_OBJECT,
	JS_BC_ARRAY,
	JS_BC_APUSH, /* arr v -> arr */
	JS_BC_ASPREAD, /* arr iterable -> arr */
	JS_BC_DEFINE, /* k: obj v -> obj */
	JS_BC_DEFINE_HIDDEN, /* k: obj v -> obj (not enumerable) */
	JS_BC_DEFINE_ELEM, /* obj key v -> obj */
	JS_BC_DEFINE_ACC, /* kind(1 get, 2 set) enumerable: obj key fn ->
			      obj */
	JS_BC_OSPREAD, /* obj src -> obj */
	JS_BC_SET_PROTO, /* obj v -> obj ({__proto__: v}) */
	JS_BC_SET_HOME, /* obj fn -> obj fn */
	JS_BC_CLASS, /* derived: parent ctor -> ctor proto */
	JS_BC_METHOD, /* kind(0 method,1 get,2 set) static: ctor proto key
			 fn -> ctor proto */
	JS_BC_SET_FIELDS, /* ctor proto fn -> ctor proto */
	JS_BC_ENV, /* n: pushes a new environment */
	JS_BC_ENV_POP,
	JS_BC_ENV_COPY, /* per-iteration copy of the innermost one */
	JS_BC_ITER, /* v -> iter */
	JS_BC_ITER_NEXT, /* t: iter -> iter v, or jumps with iter */
	JS_BC_ITER_STEP, /* iter -> iter v (undefined when done) */
	JS_BC_ITER_REST, /* iter -> iter array */
	JS_BC_FORIN, /* obj -> iter */
	JS_BC_ARG, /* i -> argument i */
	JS_BC_REST, /* i -> array of arguments from i */
	JS_BC_THIS,
	JS_BC_HOME,
	JS_BC_FUNC, /* -> the running function */
	JS_BC_AWAIT,
	JS_BC_REQ_OBJ, /* k(name or undefined): throws if the top is
			  nullish */
	JS_BC_OBJ_REST, /* k(array of excluded keys): src -> copy */
	JS_BC_NOT_SUPPORTED, /* k: throws SyntaxError */
	JS_BC_ITER_CLOSE, /* keep: calls iter.return() of a user iterator
			     (leaving a for-of early); pops it unless keep */
	JS_BC_APPEND_BEGIN, /* w s k: pushes the variable's raw value and
			       length (statement x += e; w = depth << 1 |
			       in_env) */
	JS_BC_APPEND_END, /* w s: marker length rhs -> (nothing): appends
			     in place when x was not reassigned meanwhile */
	JS_BC__COUNT
};

struct js_module;

/*
 * Compiles a parsed module for vm: returns the body (an async function
 * proto whose module env has *nenv slots) with every proto registered in
 * vm->protos, or NULL with an exception pending (SyntaxError "file:line:
 * col: ..." for names redeclared, unsupported constructs and limits).
 * Fills mod's exports (JS_EXP_LOCAL slots and JS_EXP_INDIRECT names) and
 * cell count; import cells are linked by the caller, which passes the
 * modules each import specifier resolved to through lookup.
 */
typedef struct js_module *js_compile_lookup_fn(void *opaque, const char *spec);
struct js_proto *js_compile_module(struct js_vm *, struct js_ast *,
    struct js_module *mod, js_compile_lookup_fn *lookup, void *opaque,
    uint32_t *nenv);

/* Position of the instruction at pc in p: line and col, 0 if unknown. */
void js_compile_pos(
    const struct js_proto *, uint32_t pc, unsigned *line, unsigned *col);

/* Operand count of each opcode (for the disassembler and tests). */
extern const unsigned char js_bc_nargs[JS_BC__COUNT];

#endif
