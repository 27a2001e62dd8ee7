/*
 * JavaScript recipe syntax tree: an arena that owns every node and string
 * of one tree, and the S-expression printer that the parser tests compare
 * against (format in doc/recipes-js-language.md).
 *
 * Security: node count is capped at JS_MAX_NODES and every arena request
 * is checked for overflow; the printer escapes all control and quote bytes
 * so its output is one line of text whatever the strings hold.
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_ast.h"

#define JS_AST_CHUNK 65536
#define JS_AST_ALIGN 16

struct js_ast_chunk {
	struct js_ast_chunk *next;
	size_t used, cap;
	/* storage follows, aligned */
};

#define CHUNK_HDR \
	((sizeof(struct js_ast_chunk) + JS_AST_ALIGN - 1) & \
	    ~(size_t)(JS_AST_ALIGN - 1))

static const char *const js_ast_kind_names[JS_AST__COUNT] = {
	[JS_AST_NUM] = "NUM",
	[JS_AST_STR] = "STR",
	[JS_AST_TEMPLATE] = "TEMPLATE",
	[JS_AST_TAGGED] = "TAGGED",
	[JS_AST_REGEX] = "REGEX",
	[JS_AST_IDENT] = "IDENT",
	[JS_AST_THIS] = "THIS",
	[JS_AST_SUPER] = "SUPER",
	[JS_AST_NULL] = "NULL",
	[JS_AST_TRUE] = "TRUE",
	[JS_AST_FALSE] = "FALSE",
	[JS_AST_ARRAY] = "ARRAY",
	[JS_AST_HOLE] = "HOLE",
	[JS_AST_OBJECT] = "OBJECT",
	[JS_AST_PROP] = "PROP",
	[JS_AST_SPREAD] = "SPREAD",
	[JS_AST_FUNC] = "FUNC",
	[JS_AST_CLASS] = "CLASS",
	[JS_AST_METHOD] = "METHOD",
	[JS_AST_FIELD] = "FIELD",
	[JS_AST_UNARY] = "UNARY",
	[JS_AST_UPDATE] = "UPDATE",
	[JS_AST_BINARY] = "BINARY",
	[JS_AST_LOGICAL] = "LOGICAL",
	[JS_AST_ASSIGN] = "ASSIGN",
	[JS_AST_COND] = "COND",
	[JS_AST_CALL] = "CALL",
	[JS_AST_NEW] = "NEW",
	[JS_AST_MEMBER] = "MEMBER",
	[JS_AST_CHAIN] = "CHAIN",
	[JS_AST_SEQ] = "SEQ",
	[JS_AST_AWAIT] = "AWAIT",
	[JS_AST_ARRAY_PAT] = "ARRAY_PAT",
	[JS_AST_OBJECT_PAT] = "OBJECT_PAT",
	[JS_AST_ASSIGN_PAT] = "ASSIGN_PAT",
	[JS_AST_REST] = "REST",
	[JS_AST_PROGRAM] = "PROGRAM",
	[JS_AST_VAR] = "VAR",
	[JS_AST_DECLARATOR] = "DECLARATOR",
	[JS_AST_EXPR] = "EXPR",
	[JS_AST_BLOCK] = "BLOCK",
	[JS_AST_EMPTY] = "EMPTY",
	[JS_AST_IF] = "IF",
	[JS_AST_FOR] = "FOR",
	[JS_AST_FOR_IN] = "FOR_IN",
	[JS_AST_FOR_OF] = "FOR_OF",
	[JS_AST_WHILE] = "WHILE",
	[JS_AST_DO_WHILE] = "DO_WHILE",
	[JS_AST_BREAK] = "BREAK",
	[JS_AST_CONTINUE] = "CONTINUE",
	[JS_AST_RETURN] = "RETURN",
	[JS_AST_THROW] = "THROW",
	[JS_AST_TRY] = "TRY",
	[JS_AST_SWITCH] = "SWITCH",
	[JS_AST_CASE] = "CASE",
	[JS_AST_LABELED] = "LABELED",
	[JS_AST_IMPORT] = "IMPORT",
	[JS_AST_IMPORT_SPEC] = "IMPORT_SPEC",
	[JS_AST_EXPORT] = "EXPORT",
	[JS_AST_EXPORT_DEFAULT] = "EXPORT_DEFAULT",
	[JS_AST_EXPORT_NAMES] = "EXPORT_NAMES",
	[JS_AST_EXPORT_SPEC] = "EXPORT_SPEC",
	[JS_AST_EXPORT_ALL] = "EXPORT_ALL",
};

static const char *const js_ast_op_names[JS_OP__COUNT] = {
	[JS_OP_NONE] = "?",
	[JS_OP_ADD] = "+",
	[JS_OP_SUB] = "-",
	[JS_OP_MUL] = "*",
	[JS_OP_DIV] = "/",
	[JS_OP_MOD] = "%",
	[JS_OP_EXP] = "**",
	[JS_OP_SHL] = "<<",
	[JS_OP_SAR] = ">>",
	[JS_OP_SHR] = ">>>",
	[JS_OP_BAND] = "&",
	[JS_OP_BOR] = "|",
	[JS_OP_BXOR] = "^",
	[JS_OP_EQ] = "==",
	[JS_OP_NE] = "!=",
	[JS_OP_SEQ] = "===",
	[JS_OP_SNE] = "!==",
	[JS_OP_LT] = "<",
	[JS_OP_GT] = ">",
	[JS_OP_LE] = "<=",
	[JS_OP_GE] = ">=",
	[JS_OP_IN] = "in",
	[JS_OP_INSTANCEOF] = "instanceof",
	[JS_OP_AND] = "&&",
	[JS_OP_OR] = "||",
	[JS_OP_NULLISH] = "??",
	[JS_OP_NEG] = "-",
	[JS_OP_PLUS] = "+",
	[JS_OP_NOT] = "!",
	[JS_OP_BNOT] = "~",
	[JS_OP_TYPEOF] = "typeof",
	[JS_OP_VOID] = "void",
	[JS_OP_DELETE] = "delete",
	[JS_OP_INC] = "++",
	[JS_OP_DEC] = "--",
	[JS_OP_ASSIGN] = "=",
};

struct js_ast *
js_ast_new(void)
{
	return calloc(1, sizeof(struct js_ast));
}

void
js_ast_free(struct js_ast *t)
{
	struct js_ast_chunk *c, *n;

	if (t == NULL)
		return;
	for (c = t->chunks; c != NULL; c = n) {
		n = c->next;
		free(c);
	}
	free(t);
}

void *
js_ast_alloc(struct js_ast *t, size_t n)
{
	struct js_ast_chunk *c = t->chunks;
	size_t cap;
	unsigned char *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + JS_AST_ALIGN - 1) & ~(size_t)(JS_AST_ALIGN - 1);
	if (c == NULL || c->cap - c->used < n) {
		cap = n > JS_AST_CHUNK ? n : JS_AST_CHUNK;
		if ((c = malloc(CHUNK_HDR + cap)) == NULL)
			return NULL;
		c->used = 0;
		c->cap = cap;
		if (t->chunks != NULL && n > JS_AST_CHUNK / 4) {
			/* Keep filling the current chunk after a big one. */
			c->next = t->chunks->next;
			t->chunks->next = c;
		} else {
			c->next = t->chunks;
			t->chunks = c;
		}
	}
	p = (unsigned char *)c + CHUNK_HDR + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

struct js_ast_node *
js_ast_node_new(
    struct js_ast *t, enum js_ast_kind kind, unsigned line, unsigned col)
{
	struct js_ast_node *n;

	if (t->nnodes >= JS_MAX_NODES)
		return NULL;
	if ((n = js_ast_alloc(t, sizeof(*n))) == NULL)
		return NULL;
	t->nnodes++;
	n->kind = kind;
	n->line = line;
	n->col = col;
	return n;
}

char *
js_ast_strdup(struct js_ast *t, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX || (p = js_ast_alloc(t, n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

const char *
js_ast_kind_name(enum js_ast_kind k)
{
	if ((unsigned)k >= JS_AST__COUNT || js_ast_kind_names[k] == NULL)
		return "?";
	return js_ast_kind_names[k];
}

const char *
js_ast_op_name(enum js_ast_op op)
{
	if ((unsigned)op >= JS_OP__COUNT || js_ast_op_names[op] == NULL)
		return "?";
	return js_ast_op_names[op];
}

static int
print_quoted(struct buf *out, const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	if (buf_putc(out, '"') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			if (buf_putc(out, '\\') == -1 || buf_putc(out, c) == -1)
				return -1;
		} else if (c == '\n') {
			if (buf_append_str(out, "\\n") == -1)
				return -1;
		} else if (c == '\t') {
			if (buf_append_str(out, "\\t") == -1)
				return -1;
		} else if (c < 0x20 || c == 0x7f) {
			if (buf_printf(out, "\\x%02x", c) == -1)
				return -1;
		} else if (buf_putc(out, c) == -1)
			return -1;
	}
	return buf_putc(out, '"');
}

static int
print_num(struct buf *out, double v)
{
	char tmp[64];
	int prec;

	/* no libm: comparisons only */
	if (v != v)
		return buf_append_str(out, "NaN");
	if (v > DBL_MAX || v < -DBL_MAX)
		return buf_append_str(out, v > 0 ? "Infinity" : "-Infinity");
	if (v > -1e18 && v < 1e18 && v == (double)(long long)v) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
		return buf_append_str(out, tmp);
	}
	/* Shortest %g form that reads back as the same double. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	return buf_append_str(out, tmp);
}

static int print_node(struct buf *, const struct js_ast_node *);

static int
print_list(struct buf *out, const struct js_ast_node *n)
{
	for (; n != NULL; n = n->next)
		if (buf_putc(out, ' ') == -1 || print_node(out, n) == -1)
			return -1;
	return 0;
}

/* " " node, skipped when node is NULL. */
static int
print_opt(struct buf *out, const struct js_ast_node *n)
{
	if (n == NULL)
		return 0;
	if (buf_putc(out, ' ') == -1)
		return -1;
	return print_node(out, n);
}

static int
print_key(struct buf *out, const struct js_ast_node *n)
{
	if (buf_putc(out, ' ') == -1)
		return -1;
	if (n->flags & JS_AST_F_COMPUTED) {
		if (buf_putc(out, '[') == -1 || print_node(out, n->a) == -1 ||
		    buf_putc(out, ']') == -1)
			return -1;
		return 0;
	}
	return print_node(out, n->a);
}

static int
print_func(struct buf *out, const struct js_ast_node *n)
{
	if (buf_append_str(out,
		(n->flags & JS_AST_F_ARROW) ? "(arrow" : "(function") == -1)
		return -1;
	if ((n->flags & JS_AST_F_ASYNC) && buf_append_str(out, " async") == -1)
		return -1;
	if (n->str != NULL && buf_printf(out, " %s", n->str) == -1)
		return -1;
	if (buf_append_str(out, " (") == -1)
		return -1;
	if (n->list != NULL) {
		if (print_node(out, n->list) == -1 ||
		    print_list(out, n->list->next) == -1)
			return -1;
	}
	if (buf_append_str(out, ") ") == -1 || print_node(out, n->a) == -1)
		return -1;
	return buf_putc(out, ')');
}

static int
print_node(struct buf *out, const struct js_ast_node *n)
{
	const char *name = NULL;
	int r = 0;

	if (n == NULL)
		return buf_append_str(out, "nil");
	switch (n->kind) {
	case JS_AST_NUM:
		return print_num(out, n->num);
	case JS_AST_STR:
		if (n->raw != NULL &&
		    (n->raw_len != n->len || memcmp(n->raw, n->str, n->len))) {
			if (buf_append_str(out, "(raw ") == -1 ||
			    print_quoted(out, n->str, n->len) == -1 ||
			    buf_putc(out, ' ') == -1 ||
			    print_quoted(out, n->raw, n->raw_len) == -1)
				return -1;
			return buf_putc(out, ')');
		}
		return print_quoted(out, n->str, n->len);
	case JS_AST_IDENT:
		return buf_append(out, n->str, n->len);
	case JS_AST_THIS:
		return buf_append_str(out, "this");
	case JS_AST_SUPER:
		return buf_append_str(out, "super");
	case JS_AST_NULL:
		return buf_append_str(out, "null");
	case JS_AST_TRUE:
		return buf_append_str(out, "true");
	case JS_AST_FALSE:
		return buf_append_str(out, "false");
	case JS_AST_HOLE:
		return buf_append_str(out, "hole");
	case JS_AST_EMPTY:
		return buf_append_str(out, "(empty)");
	case JS_AST_REGEX:
		if (buf_append_str(out, "(regex ") == -1 ||
		    print_quoted(out, n->str, n->len) == -1 ||
		    buf_putc(out, ' ') == -1 ||
		    print_quoted(out, n->raw, n->raw_len) == -1)
			return -1;
		return buf_putc(out, ')');
	case JS_AST_FUNC:
		return print_func(out, n);
	default:
		break;
	}
	if (buf_putc(out, '(') == -1)
		return -1;
	switch (n->kind) {
	case JS_AST_TEMPLATE:
		r = buf_append_str(out, "template") == -1 ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_TAGGED:
		r = buf_append_str(out, "tagged") == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_ARRAY:
	case JS_AST_OBJECT:
	case JS_AST_ARRAY_PAT:
	case JS_AST_OBJECT_PAT:
	case JS_AST_PROGRAM:
	case JS_AST_BLOCK:
	case JS_AST_SEQ:
		name = n->kind == JS_AST_ARRAY	   ? "array"
		    : n->kind == JS_AST_OBJECT	   ? "object"
		    : n->kind == JS_AST_ARRAY_PAT  ? "array-pattern"
		    : n->kind == JS_AST_OBJECT_PAT ? "object-pattern"
		    : n->kind == JS_AST_PROGRAM	   ? "program"
		    : n->kind == JS_AST_BLOCK	   ? "block"
						   : ",";
		r = buf_append_str(out, name) == -1 ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_PROP:
		name = (n->flags & JS_AST_F_GET)   ? "get"
		    : (n->flags & JS_AST_F_SET)	   ? "set"
		    : (n->flags & JS_AST_F_METHOD) ? "method"
						   : "prop";
		r = buf_append_str(out, name) == -1 ||
		    print_key(out, n) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_METHOD:
	case JS_AST_FIELD:
		name = n->kind == JS_AST_FIELD	? "field"
		    : (n->flags & JS_AST_F_GET) ? "get"
		    : (n->flags & JS_AST_F_SET) ? "set"
						: "method";
		r = buf_append_str(out, name) == -1 ||
		    ((n->flags & JS_AST_F_STATIC) &&
			buf_append_str(out, " static") == -1) ||
		    print_key(out, n) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_SPREAD:
	case JS_AST_REST:
		r = buf_append_str(out, "...") == -1 ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_CLASS:
		r = buf_append_str(out, "class") == -1 ||
		    (n->str != NULL && buf_printf(out, " %s", n->str) == -1);
		if (r == 0 && n->a != NULL)
			r = buf_append_str(out, " (extends ") == -1 ||
			    print_node(out, n->a) == -1 ||
			    buf_putc(out, ')') == -1;
		if (r == 0)
			r = print_list(out, n->list) == -1;
		break;
	case JS_AST_UNARY:
	case JS_AST_BINARY:
	case JS_AST_LOGICAL:
		r = buf_append_str(out, js_ast_op_name(n->op)) == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_UPDATE:
		r = buf_printf(out, "%s%s",
			(n->flags & JS_AST_F_PREFIX) ? "pre" : "post",
			js_ast_op_name(n->op)) == -1 ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_ASSIGN:
		r = buf_printf(out, "%s", n->op == JS_OP_ASSIGN ? "=" : "") ==
			-1 ||
		    (n->op != JS_OP_ASSIGN &&
			buf_printf(out, "%s=", js_ast_op_name(n->op)) == -1) ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_ASSIGN_PAT:
		r = buf_append_str(out, "default") == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_COND:
		r = buf_append_str(out, "?") == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1 ||
		    print_opt(out, n->c) == -1;
		break;
	case JS_AST_CALL:
	case JS_AST_NEW:
		name = n->kind == JS_AST_NEW	     ? "new"
		    : (n->flags & JS_AST_F_OPTIONAL) ? "call?."
						     : "call";
		r = buf_append_str(out, name) == -1 ||
		    print_opt(out, n->a) == -1 ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_MEMBER:
		name = (n->flags & JS_AST_F_COMPUTED)
		    ? ((n->flags & JS_AST_F_OPTIONAL) ? "?.[]" : "[]")
		    : ((n->flags & JS_AST_F_OPTIONAL) ? "?." : ".");
		r = buf_append_str(out, name) == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_CHAIN:
	case JS_AST_AWAIT:
	case JS_AST_EXPR:
	case JS_AST_THROW:
	case JS_AST_EXPORT:
	case JS_AST_EXPORT_DEFAULT:
		name = n->kind == JS_AST_CHAIN ? "chain"
		    : n->kind == JS_AST_AWAIT  ? "await"
		    : n->kind == JS_AST_EXPR   ? "expr"
		    : n->kind == JS_AST_THROW  ? "throw"
		    : n->kind == JS_AST_EXPORT ? "export"
					       : "export-default";
		r = buf_append_str(out, name) == -1 ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_VAR:
		name = (n->flags & JS_AST_F_CONST) ? "const"
		    : (n->flags & JS_AST_F_LET)	   ? "let"
						   : "var";
		r = buf_append_str(out, name) == -1 ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_DECLARATOR:
		r = print_node(out, n->a) == -1 || print_opt(out, n->b) == -1;
		break;
	case JS_AST_IF:
		r = buf_append_str(out, "if") == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1 ||
		    print_opt(out, n->c) == -1;
		break;
	case JS_AST_FOR:
		r = buf_append_str(out, "for ") == -1 ||
		    print_node(out, n->a) == -1 || buf_putc(out, ' ') == -1 ||
		    print_node(out, n->b) == -1 || buf_putc(out, ' ') == -1 ||
		    print_node(out, n->c) == -1 || print_opt(out, n->d) == -1;
		break;
	case JS_AST_FOR_IN:
	case JS_AST_FOR_OF:
	case JS_AST_WHILE:
	case JS_AST_DO_WHILE:
		name = n->kind == JS_AST_FOR_IN ? "for-in"
		    : n->kind == JS_AST_FOR_OF	? "for-of"
		    : n->kind == JS_AST_WHILE	? "while"
						: "do";
		r = buf_append_str(out, name) == -1 ||
		    print_opt(out, n->a) == -1 || print_opt(out, n->b) == -1 ||
		    print_opt(out, n->c) == -1;
		break;
	case JS_AST_BREAK:
	case JS_AST_CONTINUE:
	case JS_AST_LABELED:
		name = n->kind == JS_AST_BREAK	 ? "break"
		    : n->kind == JS_AST_CONTINUE ? "continue"
						 : "label";
		r = buf_append_str(out, name) == -1 ||
		    (n->str != NULL && buf_printf(out, " %s", n->str) == -1) ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_RETURN:
		r = buf_append_str(out, "return") == -1 ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_TRY:
		r = buf_append_str(out, "try") == -1 ||
		    print_opt(out, n->a) == -1;
		if (r == 0 && n->c != NULL)
			r = buf_append_str(out, " (catch") == -1 ||
			    print_opt(out, n->b) == -1 ||
			    print_opt(out, n->c) == -1 ||
			    buf_putc(out, ')') == -1;
		if (r == 0 && n->d != NULL)
			r = buf_append_str(out, " (finally") == -1 ||
			    print_opt(out, n->d) == -1 ||
			    buf_putc(out, ')') == -1;
		break;
	case JS_AST_SWITCH:
		r = buf_append_str(out, "switch") == -1 ||
		    print_opt(out, n->a) == -1 ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_CASE:
		r = (n->a == NULL ? buf_append_str(out, "default") == -1
				  : buf_append_str(out, "case") == -1 ||
				print_opt(out, n->a) == -1) ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_IMPORT:
	case JS_AST_EXPORT_NAMES:
	case JS_AST_EXPORT_ALL:
		name = n->kind == JS_AST_IMPORT	   ? "import"
		    : n->kind == JS_AST_EXPORT_ALL ? "export-all"
						   : "export-names";
		r = buf_append_str(out, name) == -1 ||
		    (n->str != NULL &&
			(buf_putc(out, ' ') == -1 ||
			    print_quoted(out, n->str, n->len) == -1)) ||
		    print_list(out, n->list) == -1;
		break;
	case JS_AST_IMPORT_SPEC:
		r = buf_append_str(out, n->str == NULL ? "*" : n->str) == -1 ||
		    print_opt(out, n->a) == -1;
		break;
	case JS_AST_EXPORT_SPEC:
		r = print_node(out, n->a) == -1 ||
		    buf_printf(out, " %s", n->str) == -1;
		break;
	default:
		r = buf_append_str(out, js_ast_kind_name(n->kind)) == -1;
		break;
	}
	if (r != 0)
		return -1;
	return buf_putc(out, ')');
}

int
js_ast_print(struct buf *out, const struct js_ast_node *node)
{
	return print_node(out, node);
}
