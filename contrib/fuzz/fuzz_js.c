/*
 * Fuzz target for recipe/js_lex, js_parse and js_ast: the input is lexed
 * to the end, then parsed as JavaScript and as TypeScript; every tree is
 * printed (which walks all of it).  The first byte, when it is '\x01',
 * selects TypeScript only so the fuzzer can focus on type skipping.
 */
#include <stdint.h>
#include <stdlib.h>

#include "recipe/js_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
parse_one(const char *src, size_t len, int flags)
{
	struct js_parse_error err;
	struct js_ast *t;
	struct buf out;

	t = js_parse(src, len, "fuzz", flags, &err);
	if (t == NULL)
		return;
	buf_init(&out);
	if (js_ast_print(&out, t->root) == -1)
		abort();
	buf_release(&out);
	js_ast_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct js_lex lx;
	struct js_tok tok;
	struct buf v;

	if (size > 0 && data[0] == 1) {
		parse_one(src + 1, size - 1, JS_PARSE_TS);
		return 0;
	}
	buf_init(&v);
	if (js_lex_init(&lx, src, size) == 0) {
		while (js_lex_next(&lx, &tok) == 0 && tok.kind != JS_TOK_EOF) {
			buf_reset(&v);
			if (js_lex_value(&lx, &tok, &v) == -1)
				abort();
			if (tok.kind >= JS_TOK_TEMPLATE &&
			    tok.kind <= JS_TOK_TEMPLATE_TAIL &&
			    js_lex_raw(&lx, &tok, &v) == -1)
				abort();
		}
	}
	buf_release(&v);
	parse_one(src, size, 0);
	parse_one(src, size, JS_PARSE_TS);
	return 0;
}
