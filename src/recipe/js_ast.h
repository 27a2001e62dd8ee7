/*
 * Syntax tree of the JavaScript recipe language: node kinds, the node
 * struct, arena allocation and an S-expression printer (used by tests and
 * for debugging).  The tree is produced by js_parse and walked by the
 * interpreter; TypeScript syntax never appears in it (it is erased).
 */
#ifndef FABRIK_JS_AST_H
#define FABRIK_JS_AST_H

#include <stddef.h>

#include "base/buf.h"

/* Nodes in one tree. */
#ifndef JS_MAX_NODES
#define JS_MAX_NODES (1u << 19)
#endif
/* Depth of the finished tree (the parser checks it, so that recursive
 * walkers such as js_ast_print and the interpreter are bounded). */
#ifndef JS_MAX_AST_DEPTH
#define JS_MAX_AST_DEPTH 1024
#endif

/*
 * Node kinds.  The comment says which fields a kind uses; fields not named
 * are zero/NULL.  "list" is the first child of a sibling chain linked
 * through next.  Patterns (binding and assignment targets) are IDENT,
 * MEMBER (assignment only), ARRAY_PAT, OBJECT_PAT, ASSIGN_PAT and REST.
 */
enum js_ast_kind {
	/* Literals and names. */
	JS_AST_NUM, /* num */
	JS_AST_STR, /* str/len: decoded UTF-8 (may hold NUL bytes);
			    as a template chunk also raw/raw_len */
	JS_AST_TEMPLATE, /* list: STR, expr, STR, ..., STR (chunks and
			    substitutions alternate, odd count) */
	JS_AST_TAGGED, /* a: tag expression, b: TEMPLATE */
	JS_AST_REGEX, /* str: pattern text, raw: flags (both as written) */
	JS_AST_IDENT, /* str: name */
	JS_AST_THIS,
	JS_AST_SUPER, /* only as callee of CALL or object of MEMBER */
	JS_AST_NULL,
	JS_AST_TRUE,
	JS_AST_FALSE,
	/* Compound literals. */
	JS_AST_ARRAY, /* list: elements (expr, SPREAD or HOLE) */
	JS_AST_HOLE, /* elision in ARRAY or ARRAY_PAT */
	JS_AST_OBJECT, /* list: PROP or SPREAD */
	JS_AST_PROP, /* a: key, b: value.  Key is IDENT for a plain name,
			  STR or NUM literal, or any expression with
			  F_COMPUTED.  Flags: F_SHORTHAND ({a}), F_METHOD,
			  F_GET, F_SET (b is then a FUNC).  In OBJECT_PAT,
			  b is the target pattern. */
	JS_AST_SPREAD, /* a: operand (array element, argument, property) */
	JS_AST_FUNC, /* str: name or NULL, list: parameter patterns,
			  a: body, a BLOCK, or an expression when
			  F_EXPR_BODY.  Flags: F_ARROW, F_ASYNC, F_DECL
			  (function declaration statement) */
	JS_AST_CLASS, /* str: name or NULL, a: superclass or NULL,
			  list: METHOD and FIELD.  F_DECL for statements */
	JS_AST_METHOD, /* class method: a: key (as PROP), b: FUNC.  Flags:
			  F_STATIC, F_COMPUTED, F_GET, F_SET, F_CTOR */
	JS_AST_FIELD, /* class field: a: key, b: initialiser or NULL.
			  Flags: F_STATIC, F_COMPUTED */
	/* Operators. */
	JS_AST_UNARY, /* op (NEG PLUS NOT BNOT TYPEOF VOID DELETE), a */
	JS_AST_UPDATE, /* op (INC DEC), a: target; F_PREFIX for ++x */
	JS_AST_BINARY, /* op, a, b (arithmetic, bitwise, comparison, IN,
			   INSTANCEOF) */
	JS_AST_LOGICAL, /* op (AND OR NULLISH), a, b */
	JS_AST_ASSIGN, /* op: ASSIGN for '=', else the operator of a
			   compound assignment (ADD for +=, AND for &&=, ...);
			   a: target (a pattern for '='), b: value */
	JS_AST_COND, /* a ? b : c */
	JS_AST_CALL, /* a: callee, list: arguments (expr or SPREAD);
			   F_OPTIONAL for a?.() */
	JS_AST_NEW, /* a: constructor, list: arguments */
	JS_AST_MEMBER, /* a: object, b: IDENT property name, or any
			   expression with F_COMPUTED; F_OPTIONAL for ?. */
	JS_AST_CHAIN, /* a: a MEMBER/CALL chain holding at least one
			   F_OPTIONAL link; a nullish value at such a link
			   makes the whole CHAIN undefined */
	JS_AST_SEQ, /* list: comma-separated expressions (two or more) */
	JS_AST_AWAIT, /* a */
	/* Patterns. */
	JS_AST_ARRAY_PAT, /* list: patterns, ASSIGN_PAT, HOLE, REST last */
	JS_AST_OBJECT_PAT, /* list: PROP (b: pattern), REST last */
	JS_AST_ASSIGN_PAT, /* a: target pattern, b: default value */
	JS_AST_REST, /* a: target pattern (...x) */
	/* Statements. */
	JS_AST_PROGRAM, /* list: statements (a module body) */
	JS_AST_VAR, /* list: DECLARATOR; F_LET, F_CONST, else var */
	JS_AST_DECLARATOR, /* a: pattern, b: initialiser or NULL */
	JS_AST_EXPR, /* a: expression statement */
	JS_AST_BLOCK, /* list: statements */
	JS_AST_EMPTY, /* ; */
	JS_AST_IF, /* a: test, b: then, c: else or NULL */
	JS_AST_FOR, /* a: init (VAR, expression or NULL), b: test or
			      NULL, c: update or NULL, d: body */
	JS_AST_FOR_IN, /* a: VAR with one DECLARATOR (no initialiser) or
			      a pattern, b: object, c: body */
	JS_AST_FOR_OF, /* as FOR_IN; b: iterable */
	JS_AST_WHILE, /* a: test, b: body */
	JS_AST_DO_WHILE, /* a: body, b: test */
	JS_AST_BREAK, /* str: label or NULL */
	JS_AST_CONTINUE, /* str: label or NULL */
	JS_AST_RETURN, /* a: value or NULL */
	JS_AST_THROW, /* a */
	JS_AST_TRY, /* a: BLOCK, b: catch parameter pattern or NULL,
			      c: catch BLOCK or NULL, d: finally BLOCK or
			      NULL (c or d is set) */
	JS_AST_SWITCH, /* a: discriminant, list: CASE */
	JS_AST_CASE, /* a: test or NULL for default, list: statements */
	JS_AST_LABELED, /* str: label, a: statement */
	/* Modules (ECMA-262 §16.2). */
	JS_AST_IMPORT, /* str: module specifier, list: IMPORT_SPEC (none
			       for import "x") */
	JS_AST_IMPORT_SPEC, /* str: imported name, "default" for a default
			       import, NULL for "* as ns"; a: local IDENT */
	JS_AST_EXPORT, /* a: declaration (VAR, FUNC or CLASS) */
	JS_AST_EXPORT_DEFAULT, /* a: expression, or FUNC/CLASS with F_DECL
				  for the declaration forms (the name may
				  then be NULL) */
	JS_AST_EXPORT_NAMES, /* str: module specifier or NULL, list:
				  EXPORT_SPEC */
	JS_AST_EXPORT_SPEC, /* a: local IDENT (or name in the other
				  module), str: exported name */
	JS_AST_EXPORT_ALL, /* str: module specifier (export * from) */
	JS_AST__COUNT
};

enum js_ast_op {
	JS_OP_NONE,
	/* binary */
	JS_OP_ADD,
	JS_OP_SUB,
	JS_OP_MUL,
	JS_OP_DIV,
	JS_OP_MOD,
	JS_OP_EXP,
	JS_OP_SHL,
	JS_OP_SAR,
	JS_OP_SHR,
	JS_OP_BAND,
	JS_OP_BOR,
	JS_OP_BXOR,
	JS_OP_EQ,
	JS_OP_NE,
	JS_OP_SEQ,
	JS_OP_SNE,
	JS_OP_LT,
	JS_OP_GT,
	JS_OP_LE,
	JS_OP_GE,
	JS_OP_IN,
	JS_OP_INSTANCEOF,
	/* logical */
	JS_OP_AND,
	JS_OP_OR,
	JS_OP_NULLISH,
	/* unary */
	JS_OP_NEG,
	JS_OP_PLUS,
	JS_OP_NOT,
	JS_OP_BNOT,
	JS_OP_TYPEOF,
	JS_OP_VOID,
	JS_OP_DELETE,
	/* update */
	JS_OP_INC,
	JS_OP_DEC,
	/* plain assignment */
	JS_OP_ASSIGN,
	JS_OP__COUNT
};

/* Node flags. */
#define JS_AST_F_ARROW 0x0001u
#define JS_AST_F_ASYNC 0x0002u
#define JS_AST_F_EXPR_BODY 0x0004u
#define JS_AST_F_DECL 0x0008u
#define JS_AST_F_COMPUTED 0x0010u
#define JS_AST_F_SHORTHAND 0x0020u
#define JS_AST_F_METHOD 0x0040u
#define JS_AST_F_GET 0x0080u
#define JS_AST_F_SET 0x0100u
#define JS_AST_F_STATIC 0x0200u
#define JS_AST_F_CTOR 0x0400u
#define JS_AST_F_PREFIX 0x0800u
#define JS_AST_F_OPTIONAL 0x1000u
#define JS_AST_F_LET 0x2000u
#define JS_AST_F_CONST 0x4000u
/* Parser-internal: a {a = 1} shorthand that must become a pattern. */
#define JS_AST_F_COVER_INIT 0x8000u
/* The expression was written in parentheses (informative). */
#define JS_AST_F_PAREN 0x10000u

struct js_ast_node {
	enum js_ast_kind kind;
	enum js_ast_op op;
	unsigned flags;
	unsigned line, col; /* 1-based source position; col counts bytes */
	const char *str; /* NUL-terminated (arena); see the kind */
	size_t len;
	const char *raw;
	size_t raw_len;
	double num;
	struct js_ast_node *a, *b, *c, *d;
	struct js_ast_node *list; /* first child of the kind's list */
	struct js_ast_node *next; /* next sibling in the parent's list */
	void *ext; /* annotation of a later pass (the interpreter's scope
		      analysis); NULL from the parser */
};

struct js_ast_chunk;

/* A tree and the arena that owns every node and string in it. */
struct js_ast {
	struct js_ast_node *root; /* PROGRAM once parsed */
	size_t nnodes;
	struct js_ast_chunk *chunks; /* private */
};

/* Returns an empty tree (root NULL), or NULL on ENOMEM.  Free with
 * js_ast_free. */
struct js_ast *js_ast_new(void);
/* Frees the tree, every node and string; NULL is allowed. */
void js_ast_free(struct js_ast *);
/* Allocates n zeroed bytes aligned for any node, owned by the tree.
 * Returns NULL on ENOMEM. */
void *js_ast_alloc(struct js_ast *, size_t n);
/* Returns a new zeroed node owned by the tree, or NULL on ENOMEM or when
 * the tree already has JS_MAX_NODES nodes. */
struct js_ast_node *js_ast_node_new(
    struct js_ast *, enum js_ast_kind, unsigned line, unsigned col);
/* Copies s[0..n) into the arena with a trailing NUL; NULL on ENOMEM. */
char *js_ast_strdup(struct js_ast *, const char *s, size_t n);

/* Appends an S-expression for node (and its subtree) to out, on one line:
 * e.g. "(program (let (x (+ 1 2))))".  The format is documented in
 * doc/recipes-js-language.md.  node may be NULL ("nil").  Recursion follows
 * the tree depth (bounded by JS_MAX_AST_DEPTH for parser output).  Returns
 * 0 or -1 on ENOMEM. */
int js_ast_print(struct buf *out, const struct js_ast_node *node) FAB_WUR;

/* Static names for kinds ("MEMBER") and operators ("+", "typeof"). */
const char *js_ast_kind_name(enum js_ast_kind);
const char *js_ast_op_name(enum js_ast_op);

#endif
