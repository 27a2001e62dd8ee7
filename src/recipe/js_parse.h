/*
 * Parser for the JavaScript recipe language (a strict-mode ES module
 * subset, ECMA-262 §13-§16) with TypeScript type erasure for .recipe.ts
 * files.  Produces the tree described in js_ast.h; the accepted subset is
 * documented in doc/recipes-js-language.md.
 */
#ifndef FABRIK_JS_PARSE_H
#define FABRIK_JS_PARSE_H

#include <stddef.h>

#include "recipe/js_ast.h"
#include "recipe/js_lex.h"

/* Nesting of statements, expressions, patterns and types.  The parser
 * recurses at most a small constant number of C frames per level. */
#ifndef JS_MAX_NESTING
#define JS_MAX_NESTING 256
#endif

/* Flags for js_parse. */
#define JS_PARSE_TS 0x1 /* TypeScript source: erase types */

struct js_parse_error {
	unsigned line, col; /* 1-based; col counts bytes; 0 when unknown */
	char msg[512]; /* "file:line:col: message" */
};

/*
 * Parses src[0..len) (need not be NUL-terminated; only read during the
 * call) as a module.  filename (may be NULL) is used in error messages.
 * Returns a tree the caller frees with js_ast_free; it holds no pointer
 * into src.  On error returns NULL and fills *err (when err is not NULL):
 * a syntax error, "not supported: X" for constructs outside the subset,
 * or a limit (JS_MAX_SOURCE, JS_MAX_TOKENS, JS_MAX_NESTING, JS_MAX_NODES,
 * JS_MAX_AST_DEPTH) being exceeded.
 */
struct js_ast *js_parse(const char *src, size_t len, const char *filename,
    int flags, struct js_parse_error *err) FAB_WUR;

#endif
