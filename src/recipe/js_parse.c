/*
 * Recursive-descent parser for the JavaScript recipe language: ECMA-262
 * §13 (expressions, by precedence climbing), §14 (statements, with
 * automatic semicolon insertion §12.10), §15 (functions, arrows, classes)
 * and §16.2 (import/export), plus TypeScript type erasure.
 *
 * Security: the source is untrusted.  The lexer bounds its size and token
 * count (which also bounds all lookahead and backtracking); recursion
 * through statements, expressions, patterns and types is capped at
 * JS_MAX_NESTING (a fixed number of C frames per level), the tree at
 * JS_MAX_NODES nodes and JS_MAX_AST_DEPTH levels (checked without
 * recursion).  Errors unwind with longjmp; everything allocated lives in
 * the tree's arena or the parser and is freed on every path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_parse.h"

struct pstate {
	struct js_lex lx;
	struct js_tok tok;
};

struct plabel {
	const char *name;
	size_t len;
	int loop;
};

struct list {
	struct js_ast_node *head, *tail;
};

struct parser {
	struct js_lex lx;
	struct js_tok tok;
	struct js_ast *ast;
	const char *filename;
	struct js_parse_error *err;
	int ts;
	unsigned depth;
	int no_in;
	int in_func;
	int in_async;
	unsigned loops, switches;
	unsigned label_base, nlabels;
	struct plabel labels[JS_MAX_NESTING + 1];
	const char *spec_err;
	struct buf tmp;
	struct js_ast_node **covers;
	size_t ncovers, covcap;
	jmp_buf jb;
};

/* Saved per-function context. */
struct fctx {
	int no_in, in_func, in_async;
	unsigned loops, switches, label_base;
};

static struct js_ast_node *parse_stmt(struct parser *);
static struct js_ast_node *parse_assign(struct parser *);
static struct js_ast_node *parse_expr(struct parser *);
static struct js_ast_node *parse_unary(struct parser *);
static struct js_ast_node *parse_lhs(struct parser *, int no_call);
static struct js_ast_node *parse_binding(struct parser *);
static struct js_ast_node *parse_function(
    struct parser *, unsigned flags, int name_required);
static struct js_ast_node *parse_class(
    struct parser *, int decl, int name_required);
static struct js_ast_node *parse_block(struct parser *);
static int skip_type(struct parser *);

static void fail_at(struct parser *, unsigned, unsigned, const char *, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

static void
fail_at(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	char m[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (p->err != NULL) {
		p->err->line = line;
		p->err->col = col;
		snprintf(p->err->msg, sizeof(p->err->msg), "%s:%u:%u: %s",
		    p->filename, line, col, m);
	}
	longjmp(p->jb, 1);
}

#define fail(p, ...) fail_at((p), (p)->tok.line, (p)->tok.col, __VA_ARGS__)

static void fail_lex(struct parser *) __attribute__((noreturn));

static void
fail_lex(struct parser *p)
{
	fail_at(p, p->lx.err_line, p->lx.err_col, "%s", p->lx.err);
}

/* "'text'" of the current token for messages (truncated). */
static const char *
tok_desc(struct parser *p, char *out, size_t n)
{
	size_t len = p->tok.end - p->tok.off;

	if (p->tok.kind == JS_TOK_EOF)
		return "end of input";
	if (len > 32)
		len = 32;
	snprintf(out, n, "'%.*s'", (int)len, p->lx.src + p->tok.off);
	return out;
}

static void fail_unexpected(struct parser *) __attribute__((noreturn));

static void
fail_unexpected(struct parser *p)
{
	char d[48];

	fail(p, "unexpected %s", tok_desc(p, d, sizeof(d)));
}

static int
advance(struct parser *p)
{
	return js_lex_next(&p->lx, &p->tok);
}

static void
next(struct parser *p)
{
	if (advance(p) == -1)
		fail_lex(p);
}

static void
save(struct parser *p, struct pstate *s)
{
	s->lx = p->lx;
	s->tok = p->tok;
}

/* Rewinds; the token count keeps growing so lookahead is budgeted. */
static void
restore(struct parser *p, const struct pstate *s)
{
	size_t n = p->lx.ntok;

	p->lx = s->lx;
	p->lx.ntok = n;
	p->tok = s->tok;
}

static struct js_tok
peek(struct parser *p)
{
	struct pstate s;
	struct js_tok t;

	save(p, &s);
	if (advance(p) == -1) {
		memset(&t, 0, sizeof(t));
		t.kind = JS_TOK_EOF;
	} else
		t = p->tok;
	restore(p, &s);
	return t;
}

static int
is(const struct parser *p, enum js_tok_kind k)
{
	return p->tok.kind == k;
}

static int
iskw(const struct parser *p, enum js_kw kw)
{
	return p->tok.kind == JS_TOK_NAME && p->tok.kw == kw;
}

static int
accept(struct parser *p, enum js_tok_kind k)
{
	if (p->tok.kind != k)
		return 0;
	next(p);
	return 1;
}

static void
expect(struct parser *p, enum js_tok_kind k)
{
	char d[48];

	if (p->tok.kind != k)
		fail(p, "expected '%s' but found %s", js_lex_kind_name(k),
		    tok_desc(p, d, sizeof(d)));
	next(p);
}

static void
enter(struct parser *p)
{
	if (++p->depth > JS_MAX_NESTING)
		fail(p, "nesting too deep");
}

static void
leave(struct parser *p)
{
	p->depth--;
}

static struct js_ast_node *
mk(struct parser *p, enum js_ast_kind k, unsigned line, unsigned col)
{
	struct js_ast_node *n;

	if ((n = js_ast_node_new(p->ast, k, line, col)) == NULL)
		fail_at(p, line, col, "%s",
		    p->ast->nnodes >= JS_MAX_NODES ? "too many syntax nodes"
						   : "out of memory");
	return n;
}

static struct js_ast_node *
mkt(struct parser *p, enum js_ast_kind k)
{
	return mk(p, k, p->tok.line, p->tok.col);
}

/* A node placed where child a starts. */
static struct js_ast_node *
mk_at(struct parser *p, enum js_ast_kind k, const struct js_ast_node *at)
{
	return mk(p, k, at->line, at->col);
}

static const char *
sdup(struct parser *p, const char *s, size_t n)
{
	const char *r;

	if ((r = js_ast_strdup(p->ast, s, n)) == NULL)
		fail(p, "out of memory");
	return r;
}

static void
list_add(struct list *l, struct js_ast_node *n)
{
	if (n == NULL)
		return;
	n->next = NULL;
	if (l->tail == NULL)
		l->head = n;
	else
		l->tail->next = n;
	l->tail = n;
}

static int
tok_is_ident(const struct parser *p)
{
	return p->tok.kind == JS_TOK_NAME && !js_lex_kw_reserved(p->tok.kw);
}

/* IDENT from the current NAME token (any name when any is set). */
static struct js_ast_node *
name_node(struct parser *p, int any)
{
	struct js_ast_node *n;
	char d[48];

	if (p->tok.kind != JS_TOK_NAME || (!any && !tok_is_ident(p))) {
		if (p->tok.kind == JS_TOK_NAME && p->tok.kw == JS_KW_YIELD)
			fail(p, "not supported: yield");
		fail(p, "expected identifier but found %s",
		    tok_desc(p, d, sizeof(d)));
	}
	n = mkt(p, JS_AST_IDENT);
	n->len = p->tok.end - p->tok.off;
	n->str = sdup(p, p->lx.src + p->tok.off, n->len);
	next(p);
	return n;
}

static int
name_eq(const struct js_ast_node *n, const char *s)
{
	return n->kind == JS_AST_IDENT && strlen(s) == n->len &&
	    memcmp(n->str, s, n->len) == 0;
}

/* STR node with the decoded value of the current string token. */
static struct js_ast_node *
str_node(struct parser *p)
{
	struct js_ast_node *n = mkt(p, JS_AST_STR);

	buf_reset(&p->tmp);
	if (js_lex_value(&p->lx, &p->tok, &p->tmp) == -1 ||
	    buf_append(&p->tmp, "", 0) == -1)
		fail(p, "out of memory");
	n->len = p->tmp.len;
	n->str = sdup(p, (const char *)p->tmp.data, p->tmp.len);
	return n;
}

/* Template chunk: cooked value and raw text. */
static struct js_ast_node *
quasi_node(struct parser *p)
{
	struct js_ast_node *n = str_node(p);

	buf_reset(&p->tmp);
	if (js_lex_raw(&p->lx, &p->tok, &p->tmp) == -1 ||
	    buf_append(&p->tmp, "", 0) == -1)
		fail(p, "out of memory");
	n->raw_len = p->tmp.len;
	n->raw = sdup(p, (const char *)p->tmp.data, p->tmp.len);
	return n;
}

/* Automatic semicolon insertion (§12.10.1). */
static void
semi(struct parser *p)
{
	char d[48];

	if (accept(p, JS_TOK_SEMI))
		return;
	if (is(p, JS_TOK_RBRACE) || is(p, JS_TOK_EOF) || p->tok.nl_before)
		return;
	fail(p, "expected ';' before %s", tok_desc(p, d, sizeof(d)));
}

static void
fctx_enter(struct parser *p, struct fctx *c, int async)
{
	c->no_in = p->no_in;
	c->in_func = p->in_func;
	c->in_async = p->in_async;
	c->loops = p->loops;
	c->switches = p->switches;
	c->label_base = p->label_base;
	p->no_in = 0;
	p->in_func = 1;
	p->in_async = async;
	p->loops = 0;
	p->switches = 0;
	p->label_base = p->nlabels;
}

static void
fctx_leave(struct parser *p, const struct fctx *c)
{
	p->no_in = c->no_in;
	p->in_func = c->in_func;
	p->in_async = c->in_async;
	p->loops = c->loops;
	p->switches = c->switches;
	p->nlabels = p->label_base;
	p->label_base = c->label_base;
}

/* ---- TypeScript type skipping ------------------------------------- */

static int
is_opener(enum js_tok_kind k)
{
	return k == JS_TOK_LPAREN || k == JS_TOK_LBRACKET ||
	    k == JS_TOK_LBRACE || k == JS_TOK_LT || k == JS_TOK_TEMPLATE_HEAD;
}

static enum js_tok_kind
closer_of(enum js_tok_kind k)
{
	switch (k) {
	case JS_TOK_LPAREN:
		return JS_TOK_RPAREN;
	case JS_TOK_LBRACKET:
		return JS_TOK_RBRACKET;
	case JS_TOK_LBRACE:
		return JS_TOK_RBRACE;
	case JS_TOK_LT:
		return JS_TOK_GT;
	default:
		return JS_TOK_TEMPLATE_TAIL;
	}
}

static int
is_gt_family(enum js_tok_kind k)
{
	return k == JS_TOK_GT || k == JS_TOK_GE || k == JS_TOK_SAR ||
	    k == JS_TOK_SHR || k == JS_TOK_SAR_ASSIGN || k == JS_TOK_SHR_ASSIGN;
}

/* Tokens that end a speculative scan of type arguments in an expression:
 * they cannot occur inside a type. */
static int
ends_type_args(const struct parser *p)
{
	switch (p->tok.kind) {
	case JS_TOK_SEMI:
	case JS_TOK_AND:
	case JS_TOK_OR:
	case JS_TOK_NULLISH:
	case JS_TOK_ASSIGN:
	case JS_TOK_PLUS:
	case JS_TOK_STAR:
	case JS_TOK_SLASH:
	case JS_TOK_PERCENT:
	case JS_TOK_EQ:
	case JS_TOK_NE:
	case JS_TOK_SEQ:
	case JS_TOK_SNE:
	case JS_TOK_LE:
	case JS_TOK_INC:
	case JS_TOK_DEC:
	case JS_TOK_REGEX:
	case JS_TOK_EOF:
		return 1;
	case JS_TOK_NAME:
		return p->tok.kw == JS_KW_RETURN || p->tok.kw == JS_KW_IF ||
		    p->tok.kw == JS_KW_FOR || p->tok.kw == JS_KW_WHILE ||
		    p->tok.kw == JS_KW_CONST || p->tok.kw == JS_KW_LET ||
		    p->tok.kw == JS_KW_VAR;
	default:
		return 0;
	}
}

/*
 * Skips a bracketed group starting at the current opener, through its
 * matching closer, balancing ( [ { < and template literals; a '>>' closing
 * two '<' is split.  Returns 0 with the token after the group current, or
 * -1 (no longjmp) when the group is unbalanced or, in an expression
 * (in_expr), holds a token no type can contain.
 */
static int
skip_group(struct parser *p, int in_expr)
{
	enum js_tok_kind stack[JS_MAX_NESTING];
	unsigned n = 0;

	if (!is_opener(p->tok.kind))
		return -1;
	for (;;) {
		if (is_opener(p->tok.kind)) {
			if (n + p->depth >= JS_MAX_NESTING) {
				p->spec_err = "nesting too deep";
				return -1;
			}
			stack[n++] = closer_of(p->tok.kind);
		} else if (is_gt_family(p->tok.kind) && n > 0 &&
		    stack[n - 1] == JS_TOK_GT) {
			if (p->tok.kind != JS_TOK_GT)
				js_lex_split_gt(&p->lx, &p->tok);
			n--;
		} else if (p->tok.kind == JS_TOK_RPAREN ||
		    p->tok.kind == JS_TOK_RBRACKET ||
		    p->tok.kind == JS_TOK_RBRACE ||
		    p->tok.kind == JS_TOK_TEMPLATE_TAIL) {
			if (n == 0 || stack[n - 1] != p->tok.kind)
				return -1;
			n--;
		} else if (p->tok.kind == JS_TOK_EOF ||
		    (in_expr && ends_type_args(p)))
			return -1;
		if (advance(p) == -1)
			return -1;
		if (n == 0)
			return 0;
	}
}

/* Skips "typeof a.b.c" / entity names after the current NAME. */
static int
skip_entity(struct parser *p)
{
	if (p->tok.kind != JS_TOK_NAME)
		return -1;
	if (advance(p) == -1)
		return -1;
	while (p->tok.kind == JS_TOK_DOT) {
		if (advance(p) == -1 || p->tok.kind != JS_TOK_NAME ||
		    advance(p) == -1)
			return -1;
	}
	return 0;
}

/*
 * Skips one TypeScript type (no type grammar: operands are names, literals
 * and bracketed groups; operators are | & => extends-?: is and postfix []).
 * A '{' or '=>' after a complete operand ends the type, so a function body
 * or an arrow after a return type is not swallowed.  Returns 0 or -1
 * without longjmp.
 */
static int
skip_type(struct parser *p)
{
	unsigned pending = 0;
	int r = -1;

	if (p->depth + 1 >= JS_MAX_NESTING) {
		p->spec_err = "nesting too deep";
		return -1;
	}
	p->depth++;
	for (;;) {
		/* operand position */
		while (p->tok.kind == JS_TOK_PIPE || p->tok.kind == JS_TOK_AMP)
			if (advance(p) == -1)
				goto out;
		while (p->tok.kind == JS_TOK_NAME &&
		    (p->tok.kw == JS_KW_KEYOF || p->tok.kw == JS_KW_UNIQUE ||
			p->tok.kw == JS_KW_READONLY ||
			p->tok.kw == JS_KW_ASSERTS ||
			p->tok.kw == JS_KW_ABSTRACT || p->tok.kw == JS_KW_NEW ||
			p->tok.kw == JS_KW_INFER)) {
			enum js_kw kw = p->tok.kw;
			struct js_tok t = peek(p);

			/* "keyof" etc. used as a plain type name */
			if (t.kind != JS_TOK_NAME && t.kind != JS_TOK_LPAREN &&
			    t.kind != JS_TOK_LBRACKET &&
			    t.kind != JS_TOK_LBRACE && t.kind != JS_TOK_LT &&
			    t.kind != JS_TOK_STR)
				break;
			if (advance(p) == -1)
				goto out;
			if (kw == JS_KW_INFER) {
				break;
			}
		}
		switch (p->tok.kind) {
		case JS_TOK_LPAREN:
			if (skip_group(p, 0) == -1)
				goto out;
			if (p->tok.kind == JS_TOK_ARROW) {
				if (advance(p) == -1)
					goto out;
				continue;
			}
			break;
		case JS_TOK_LT:
			/* generic function type: <T>(x: T) => T */
			if (skip_group(p, 0) == -1)
				goto out;
			continue;
		case JS_TOK_LBRACKET:
		case JS_TOK_LBRACE:
		case JS_TOK_TEMPLATE_HEAD:
			if (skip_group(p, 0) == -1)
				goto out;
			break;
		case JS_TOK_TEMPLATE:
		case JS_TOK_STR:
		case JS_TOK_NUM:
			if (advance(p) == -1)
				goto out;
			break;
		case JS_TOK_MINUS:
			if (advance(p) == -1 || p->tok.kind != JS_TOK_NUM ||
			    advance(p) == -1)
				goto out;
			break;
		case JS_TOK_NAME:
			if (p->tok.kw == JS_KW_TYPEOF) {
				if (advance(p) == -1)
					goto out;
			}
			if (skip_entity(p) == -1)
				goto out;
			if (p->tok.kind == JS_TOK_LT && !p->tok.nl_before &&
			    skip_group(p, 0) == -1)
				goto out;
			break;
		default:
			goto out;
		}
		/* postfix: T[] and T[K] */
		while (p->tok.kind == JS_TOK_LBRACKET && !p->tok.nl_before)
			if (skip_group(p, 0) == -1)
				goto out;
		/* operator position */
		if (p->tok.kind == JS_TOK_PIPE || p->tok.kind == JS_TOK_AMP ||
		    (p->tok.kind == JS_TOK_NAME && p->tok.kw == JS_KW_IS &&
			!p->tok.nl_before)) {
			if (advance(p) == -1)
				goto out;
			continue;
		}
		if (p->tok.kind == JS_TOK_NAME && p->tok.kw == JS_KW_EXTENDS &&
		    !p->tok.nl_before) {
			if (advance(p) == -1)
				goto out;
			pending++;
			continue;
		}
		if (p->tok.kind == JS_TOK_QUESTION && pending > 0) {
			if (advance(p) == -1 || skip_type(p) == -1 ||
			    p->tok.kind != JS_TOK_COLON || advance(p) == -1)
				goto out;
			pending--;
			continue;
		}
		r = pending == 0 ? 0 : -1;
		goto out;
	}
out:
	p->depth--;
	return r;
}

/* skip_type for a type that must be there (": T", "as T"). */
static void
need_type(struct parser *p)
{
	unsigned line = p->tok.line, col = p->tok.col;

	p->spec_err = NULL;
	if (skip_type(p) == -1) {
		if (p->lx.err != NULL)
			fail_lex(p);
		if (p->spec_err != NULL)
			fail(p, "%s", p->spec_err);
		fail_at(p, line, col, "invalid type");
	}
}

static void
need_group(struct parser *p)
{
	unsigned line = p->tok.line, col = p->tok.col;

	p->spec_err = NULL;
	if (skip_group(p, 0) == -1) {
		if (p->lx.err != NULL)
			fail_lex(p);
		if (p->spec_err != NULL)
			fail(p, "%s", p->spec_err);
		fail_at(p, line, col, "unbalanced brackets in type");
	}
}

/* Optional ": T" annotation (TS). */
static void
opt_annotation(struct parser *p)
{
	if (p->ts && is(p, JS_TOK_COLON)) {
		next(p);
		need_type(p);
	}
}

/* Optional "<T, U>" type parameters (TS). */
static void
opt_type_params(struct parser *p)
{
	if (p->ts && is(p, JS_TOK_LT))
		need_group(p);
}

/* At "f<...>(": consumes type arguments of a call; 0 when '<' is an
 * operator instead (state unchanged). */
static int
try_type_args(struct parser *p)
{
	struct pstate s;

	save(p, &s);
	if (skip_group(p, 1) == 0 &&
	    (is(p, JS_TOK_LPAREN) || is(p, JS_TOK_TEMPLATE) ||
		is(p, JS_TOK_TEMPLATE_HEAD)))
		return 1;
	restore(p, &s);
	return 0;
}

/* At '(': does a matching ')' followed by '=>' (or ": T =>" in TS)
 * follow?  The state is unchanged. */
static int
is_arrow_ahead(struct parser *p)
{
	struct pstate s;
	unsigned n = 0;
	int r = 0;

	save(p, &s);
	for (;;) {
		if (is(p, JS_TOK_LPAREN) || is(p, JS_TOK_LBRACKET) ||
		    is(p, JS_TOK_LBRACE)) {
			/* deeper than the parser would go: not worth it */
			if (++n + p->depth > JS_MAX_NESTING)
				break;
		} else if (is(p, JS_TOK_RPAREN) || is(p, JS_TOK_RBRACKET) ||
		    is(p, JS_TOK_RBRACE))
			n--;
		else if (is(p, JS_TOK_EOF))
			break;
		if (advance(p) == -1)
			break;
		if (n == 0) {
			if (is(p, JS_TOK_ARROW))
				r = 1;
			else if (p->ts && is(p, JS_TOK_COLON) &&
			    advance(p) == 0 && skip_type(p) == 0 &&
			    is(p, JS_TOK_ARROW))
				r = 1;
			break;
		}
	}
	restore(p, &s);
	return r;
}

/* ---- Patterns ------------------------------------------------------- */

static void
check_binding_name(struct parser *p, const struct js_ast_node *n)
{
	if (name_eq(n, "eval") || name_eq(n, "arguments"))
		fail_at(p, n->line, n->col, "cannot bind '%s' in strict mode",
		    n->str);
}

/* Binding element: pattern with an optional "= default". */
static struct js_ast_node *
parse_binding_elem(struct parser *p)
{
	struct js_ast_node *t, *d;

	t = parse_binding(p);
	if (is(p, JS_TOK_ASSIGN)) {
		d = mk_at(p, JS_AST_ASSIGN_PAT, t);
		next(p);
		d->a = t;
		d->b = parse_assign(p);
		return d;
	}
	return t;
}

/* Property key: IDENT, STR, NUM or [computed]; sets F_COMPUTED on prop. */
static void
parse_prop_key(struct parser *p, struct js_ast_node *prop)
{
	int save_in;

	switch (p->tok.kind) {
	case JS_TOK_NAME:
		prop->a = name_node(p, 1);
		break;
	case JS_TOK_STR:
		prop->a = str_node(p);
		next(p);
		break;
	case JS_TOK_NUM:
		prop->a = mkt(p, JS_AST_NUM);
		prop->a->num = p->tok.num;
		next(p);
		break;
	case JS_TOK_LBRACKET:
		next(p);
		save_in = p->no_in;
		p->no_in = 0;
		prop->a = parse_assign(p);
		p->no_in = save_in;
		expect(p, JS_TOK_RBRACKET);
		prop->flags |= JS_AST_F_COMPUTED;
		break;
	default:
		fail_unexpected(p);
	}
}

static struct js_ast_node *
parse_binding(struct parser *p)
{
	struct js_ast_node *n, *e, *prop;
	struct list l = { NULL, NULL };

	enter(p);
	if (is(p, JS_TOK_LBRACKET)) {
		n = mkt(p, JS_AST_ARRAY_PAT);
		next(p);
		while (!is(p, JS_TOK_RBRACKET)) {
			if (is(p, JS_TOK_COMMA)) {
				list_add(&l, mkt(p, JS_AST_HOLE));
				next(p);
				continue;
			}
			if (is(p, JS_TOK_ELLIPSIS)) {
				e = mkt(p, JS_AST_REST);
				next(p);
				e->a = parse_binding(p);
				list_add(&l, e);
				if (!is(p, JS_TOK_RBRACKET))
					fail(p, "rest element must be last");
				break;
			}
			list_add(&l, parse_binding_elem(p));
			if (!is(p, JS_TOK_RBRACKET))
				expect(p, JS_TOK_COMMA);
		}
		next(p);
		n->list = l.head;
	} else if (is(p, JS_TOK_LBRACE)) {
		n = mkt(p, JS_AST_OBJECT_PAT);
		next(p);
		while (!is(p, JS_TOK_RBRACE)) {
			if (is(p, JS_TOK_ELLIPSIS)) {
				e = mkt(p, JS_AST_REST);
				next(p);
				e->a = name_node(p, 0);
				check_binding_name(p, e->a);
				list_add(&l, e);
				if (!is(p, JS_TOK_RBRACE))
					fail(p, "rest element must be last");
				break;
			}
			prop = mkt(p, JS_AST_PROP);
			if (is(p, JS_TOK_NAME) && !tok_is_ident(p) &&
			    peek(p).kind != JS_TOK_COLON)
				fail_unexpected(p);
			parse_prop_key(p, prop);
			if (accept(p, JS_TOK_COLON)) {
				prop->b = parse_binding_elem(p);
			} else {
				if (prop->a->kind != JS_AST_IDENT ||
				    (prop->flags & JS_AST_F_COMPUTED))
					fail(p, "expected ':'");
				check_binding_name(p, prop->a);
				prop->flags |= JS_AST_F_SHORTHAND;
				e = mk_at(p, JS_AST_IDENT, prop->a);
				e->str = prop->a->str;
				e->len = prop->a->len;
				prop->b = e;
				if (is(p, JS_TOK_ASSIGN)) {
					e = mk_at(
					    p, JS_AST_ASSIGN_PAT, prop->a);
					next(p);
					e->a = prop->b;
					e->b = parse_assign(p);
					prop->b = e;
				}
			}
			list_add(&l, prop);
			if (!is(p, JS_TOK_RBRACE))
				expect(p, JS_TOK_COMMA);
		}
		next(p);
		n->list = l.head;
	} else {
		n = name_node(p, 0);
		check_binding_name(p, n);
	}
	leave(p);
	return n;
}

/* Converts an expression parsed before '=' (or for-in/of) into an
 * assignment pattern in place (§13.15.5 cover grammar). */
static void
to_pattern(struct parser *p, struct js_ast_node *e, int elem)
{
	struct js_ast_node *c;

	switch (e->kind) {
	case JS_AST_IDENT:
		check_binding_name(p, e);
		return;
	case JS_AST_MEMBER:
		if (!(e->flags & JS_AST_F_OPTIONAL))
			return;
		break;
	case JS_AST_ASSIGN:
		if (!elem || e->op != JS_OP_ASSIGN ||
		    (e->flags & JS_AST_F_PAREN))
			break;
		/* a was converted when the assignment was parsed */
		e->kind = JS_AST_ASSIGN_PAT;
		e->op = JS_OP_NONE;
		return;
	case JS_AST_ARRAY:
		if (e->flags & JS_AST_F_PAREN)
			break;
		e->kind = JS_AST_ARRAY_PAT;
		for (c = e->list; c != NULL; c = c->next) {
			if (c->kind == JS_AST_HOLE)
				continue;
			if (c->kind == JS_AST_SPREAD) {
				if (c->next != NULL)
					fail_at(p, c->line, c->col,
					    "rest element must be last");
				c->kind = JS_AST_REST;
				to_pattern(p, c->a, 0);
				continue;
			}
			to_pattern(p, c, 1);
		}
		return;
	case JS_AST_OBJECT:
		if (e->flags & JS_AST_F_PAREN)
			break;
		e->kind = JS_AST_OBJECT_PAT;
		for (c = e->list; c != NULL; c = c->next) {
			if (c->kind == JS_AST_SPREAD) {
				if (c->next != NULL)
					fail_at(p, c->line, c->col,
					    "rest element must be last");
				if (c->a->kind != JS_AST_IDENT &&
				    c->a->kind != JS_AST_MEMBER)
					fail_at(p, c->a->line, c->a->col,
					    "invalid rest element");
				c->kind = JS_AST_REST;
				to_pattern(p, c->a, 0);
				continue;
			}
			if (c->flags &
			    (JS_AST_F_METHOD | JS_AST_F_GET | JS_AST_F_SET))
				fail_at(p, c->line, c->col,
				    "invalid destructuring target");
			c->flags &= ~JS_AST_F_COVER_INIT;
			to_pattern(p, c->b, 1);
		}
		return;
	default:
		break;
	}
	fail_at(p, e->line, e->col, "invalid assignment target");
}

/* ---- Functions -------------------------------------------------------- */

/* this.x = x for a TypeScript parameter property. */
static struct js_ast_node *
param_prop_stmt(struct parser *p, const struct js_ast_node *name)
{
	struct js_ast_node *s, *as, *m, *v;

	s = mk_at(p, JS_AST_EXPR, name);
	as = mk_at(p, JS_AST_ASSIGN, name);
	as->op = JS_OP_ASSIGN;
	m = mk_at(p, JS_AST_MEMBER, name);
	m->a = mk_at(p, JS_AST_THIS, name);
	m->b = mk_at(p, JS_AST_IDENT, name);
	m->b->str = name->str;
	m->b->len = name->len;
	v = mk_at(p, JS_AST_IDENT, name);
	v->str = name->str;
	v->len = name->len;
	as->a = m;
	as->b = v;
	s->a = as;
	return s;
}

static int
is_modifier_kw(enum js_kw kw)
{
	return kw == JS_KW_PUBLIC || kw == JS_KW_PRIVATE ||
	    kw == JS_KW_PROTECTED || kw == JS_KW_READONLY ||
	    kw == JS_KW_OVERRIDE;
}

/* Parameter list at '(' through ')'.  props (constructors only) collects
 * this.x = x statements for TS parameter properties. */
static struct js_ast_node *
parse_params(struct parser *p, struct list *props)
{
	struct list l = { NULL, NULL };
	struct js_ast_node *e, *t;
	struct js_tok nt;
	int modifier;

	expect(p, JS_TOK_LPAREN);
	while (!is(p, JS_TOK_RPAREN)) {
		if (p->ts && iskw(p, JS_KW_THIS) && l.head == NULL &&
		    peek(p).kind == JS_TOK_COLON) {
			next(p);
			opt_annotation(p);
			if (!is(p, JS_TOK_RPAREN))
				expect(p, JS_TOK_COMMA);
			continue;
		}
		modifier = 0;
		while (p->ts && p->tok.kind == JS_TOK_NAME &&
		    is_modifier_kw(p->tok.kw)) {
			nt = peek(p);
			if (nt.kind != JS_TOK_NAME &&
			    nt.kind != JS_TOK_LBRACE &&
			    nt.kind != JS_TOK_LBRACKET)
				break;
			if (props == NULL)
				fail(p,
				    "parameter property outside a "
				    "constructor");
			modifier = 1;
			next(p);
		}
		if (is(p, JS_TOK_ELLIPSIS)) {
			e = mkt(p, JS_AST_REST);
			next(p);
			e->a = parse_binding(p);
			opt_annotation(p);
			list_add(&l, e);
			if (!is(p, JS_TOK_RPAREN))
				fail(p, "rest parameter must be last");
			break;
		}
		t = parse_binding(p);
		if (p->ts && is(p, JS_TOK_QUESTION))
			next(p);
		opt_annotation(p);
		if (modifier) {
			if (t->kind != JS_AST_IDENT)
				fail_at(p, t->line, t->col,
				    "parameter property must be a name");
			list_add(props, param_prop_stmt(p, t));
		}
		if (is(p, JS_TOK_ASSIGN)) {
			e = mk_at(p, JS_AST_ASSIGN_PAT, t);
			next(p);
			e->a = t;
			e->b = parse_assign(p);
			t = e;
		}
		list_add(&l, t);
		if (!is(p, JS_TOK_RPAREN))
			expect(p, JS_TOK_COMMA);
	}
	next(p);
	return l.head;
}

/* Inserts TS parameter-property assignments into a constructor body,
 * after a leading super(...) call when there is one. */
static void
insert_props(struct js_ast_node *body, struct list *props)
{
	struct js_ast_node *s, *after = NULL;

	if (props->head == NULL)
		return;
	for (s = body->list; s != NULL; s = s->next)
		if (s->kind == JS_AST_EXPR && s->a->kind == JS_AST_CALL &&
		    s->a->a->kind == JS_AST_SUPER) {
			after = s;
			break;
		}
	if (after != NULL) {
		props->tail->next = after->next;
		after->next = props->head;
	} else {
		props->tail->next = body->list;
		body->list = props->head;
	}
}

/*
 * Rest of a function after the 'function' keyword (or a method name):
 * optional name, TS type parameters, parameters, TS return type, body.
 * Returns NULL for a TS overload or ambient signature without a body.
 */
static struct js_ast_node *
parse_func_rest(struct parser *p, struct js_ast_node *f, int name_ok,
    int name_required, struct list *props, int allow_sig)
{
	struct fctx c;

	if (is(p, JS_TOK_STAR))
		fail(p, "not supported: generator");
	if (name_ok && is(p, JS_TOK_NAME)) {
		struct js_ast_node *n = name_node(p, 0);

		check_binding_name(p, n);
		f->str = n->str;
		f->len = n->len;
	} else if (name_required)
		fail(p, "expected function name");
	opt_type_params(p);
	/* parameters see the function's own await rule */
	fctx_enter(p, &c, (f->flags & JS_AST_F_ASYNC) != 0);
	f->list = parse_params(p, props);
	opt_annotation(p);
	if (p->ts && allow_sig && !is(p, JS_TOK_LBRACE)) {
		fctx_leave(p, &c);
		semi(p);
		return NULL;
	}
	f->a = parse_block(p);
	fctx_leave(p, &c);
	if (props != NULL)
		insert_props(f->a, props);
	return f;
}

static struct js_ast_node *
parse_function(struct parser *p, unsigned flags, int name_required)
{
	struct js_ast_node *f = mkt(p, JS_AST_FUNC);

	f->flags = flags;
	if (flags & JS_AST_F_ASYNC)
		next(p); /* async */
	next(p); /* function */
	return parse_func_rest(
	    p, f, 1, name_required, NULL, (flags & JS_AST_F_DECL) != 0);
}

/* Arrow function at its parameters ('(' or a name); async consumed. */
static struct js_ast_node *
parse_arrow(struct parser *p, int async, unsigned line, unsigned col)
{
	struct js_ast_node *f = mk(p, JS_AST_FUNC, line, col);
	struct fctx c;
	struct js_ast_node *n;

	f->flags = JS_AST_F_ARROW | (async ? JS_AST_F_ASYNC : 0);
	fctx_enter(p, &c, async);
	opt_type_params(p);
	if (is(p, JS_TOK_NAME)) {
		n = name_node(p, 0);
		check_binding_name(p, n);
		f->list = n;
	} else {
		f->list = parse_params(p, NULL);
		opt_annotation(p);
	}
	if (!is(p, JS_TOK_ARROW))
		fail(p, "expected '=>'");
	if (p->tok.nl_before)
		fail(p, "line terminator before '=>'");
	next(p);
	if (is(p, JS_TOK_LBRACE)) {
		f->a = parse_block(p);
	} else {
		p->no_in = c.no_in;
		f->flags |= JS_AST_F_EXPR_BODY;
		f->a = parse_assign(p);
	}
	fctx_leave(p, &c);
	return f;
}

/* ---- Classes ------------------------------------------------------- */

static int
starts_key(const struct js_tok *t)
{
	return t->kind == JS_TOK_NAME || t->kind == JS_TOK_STR ||
	    t->kind == JS_TOK_NUM || t->kind == JS_TOK_LBRACKET ||
	    t->kind == JS_TOK_STAR;
}

/* TS index signature "[k: T]: U;" at '['. */
static int
is_index_signature(struct parser *p)
{
	struct pstate s;
	int r;

	save(p, &s);
	r = advance(p) == 0 && p->tok.kind == JS_TOK_NAME && advance(p) == 0 &&
	    p->tok.kind == JS_TOK_COLON;
	restore(p, &s);
	return r;
}

static struct js_ast_node *
parse_class_member(struct parser *p)
{
	struct js_ast_node *m, *f;
	struct list props = { NULL, NULL };
	unsigned line = p->tok.line, col = p->tok.col;
	unsigned flags = 0;
	int declare = 0, async = 0, abstract = 0;
	struct js_tok nt;
	struct fctx c;

	for (;;) {
		if (p->tok.kind != JS_TOK_NAME)
			break;
		nt = peek(p);
		if (!starts_key(&nt) || nt.nl_before)
			break;
		if (p->tok.kw == JS_KW_STATIC)
			flags |= JS_AST_F_STATIC;
		else if (p->ts &&
		    (is_modifier_kw(p->tok.kw) || p->tok.kw == JS_KW_ABSTRACT ||
			p->tok.kw == JS_KW_DECLARE)) {
			if (p->tok.kw == JS_KW_DECLARE)
				declare = 1;
			if (p->tok.kw == JS_KW_ABSTRACT)
				abstract = 1;
		} else
			break;
		next(p);
	}
	if ((flags & JS_AST_F_STATIC) == 0 && iskw(p, JS_KW_STATIC) &&
	    peek(p).kind == JS_TOK_LBRACE)
		fail(p, "not supported: static block");
	if (iskw(p, JS_KW_ASYNC)) {
		nt = peek(p);
		if (starts_key(&nt) && !nt.nl_before) {
			async = 1;
			next(p);
		}
	}
	if (is(p, JS_TOK_STAR))
		fail(p, "not supported: generator");
	if (!async && (iskw(p, JS_KW_GET) || iskw(p, JS_KW_SET))) {
		nt = peek(p);
		if (starts_key(&nt)) {
			flags |=
			    iskw(p, JS_KW_GET) ? JS_AST_F_GET : JS_AST_F_SET;
			next(p);
		}
	}
	if (p->ts && is(p, JS_TOK_LBRACKET) && is_index_signature(p)) {
		need_group(p);
		opt_annotation(p);
		semi(p);
		return NULL;
	}
	m = mk(p, JS_AST_METHOD, line, col);
	parse_prop_key(p, m);
	if (p->ts && (is(p, JS_TOK_QUESTION) || is(p, JS_TOK_BANG)))
		next(p);
	if (is(p, JS_TOK_LPAREN) || (p->ts && is(p, JS_TOK_LT))) {
		f = mk_at(p, JS_AST_FUNC, m->a);
		f->flags = async ? JS_AST_F_ASYNC : 0;
		if (!(flags & JS_AST_F_STATIC) &&
		    !(m->flags & JS_AST_F_COMPUTED) &&
		    name_eq(m->a, "constructor")) {
			if (async || (flags & (JS_AST_F_GET | JS_AST_F_SET)))
				fail_at(p, line, col,
				    "constructor cannot be async or an "
				    "accessor");
			flags |= JS_AST_F_CTOR;
		}
		f = parse_func_rest(
		    p, f, 0, 0, (flags & JS_AST_F_CTOR) ? &props : NULL, 1);
		if (f == NULL || declare || abstract)
			return NULL;
		m->flags |= flags;
		m->b = f;
		return m;
	}
	if (async || (flags & (JS_AST_F_GET | JS_AST_F_SET)))
		fail(p, "expected '('");
	m->kind = JS_AST_FIELD;
	m->flags |= flags;
	opt_annotation(p);
	if (accept(p, JS_TOK_ASSIGN)) {
		fctx_enter(p, &c, 0);
		m->b = parse_assign(p);
		fctx_leave(p, &c);
	}
	semi(p);
	if (declare || abstract)
		return NULL;
	return m;
}

static struct js_ast_node *
parse_class(struct parser *p, int decl, int name_required)
{
	struct js_ast_node *k = mkt(p, JS_AST_CLASS), *n;
	struct list l = { NULL, NULL };

	if (decl)
		k->flags |= JS_AST_F_DECL;
	next(p); /* class */
	if (tok_is_ident(p) && !iskw(p, JS_KW_IMPLEMENTS)) {
		n = name_node(p, 0);
		check_binding_name(p, n);
		k->str = n->str;
		k->len = n->len;
	} else if (name_required)
		fail(p, "expected class name");
	opt_type_params(p);
	if (iskw(p, JS_KW_EXTENDS)) {
		next(p);
		k->a = parse_lhs(p, 0);
		opt_type_params(p);
	}
	if (p->ts && iskw(p, JS_KW_IMPLEMENTS)) {
		next(p);
		do
			need_type(p);
		while (accept(p, JS_TOK_COMMA));
	}
	expect(p, JS_TOK_LBRACE);
	while (!is(p, JS_TOK_RBRACE)) {
		if (accept(p, JS_TOK_SEMI))
			continue;
		if (is(p, JS_TOK_EOF))
			fail(p, "expected '}'");
		list_add(&l, parse_class_member(p));
	}
	next(p);
	k->list = l.head;
	return k;
}

/* ---- Expressions ------------------------------------------------------ */

static struct js_ast_node *
parse_template(struct parser *p)
{
	struct js_ast_node *t = mkt(p, JS_AST_TEMPLATE);
	struct list l = { NULL, NULL };
	int save_in = p->no_in;

	p->no_in = 0;
	list_add(&l, quasi_node(p));
	if (is(p, JS_TOK_TEMPLATE)) {
		next(p);
	} else {
		for (;;) {
			next(p);
			list_add(&l, parse_expr(p));
			if (!is(p, JS_TOK_TEMPLATE_MIDDLE) &&
			    !is(p, JS_TOK_TEMPLATE_TAIL))
				fail(p, "expected '}' in template literal");
			list_add(&l, quasi_node(p));
			if (is(p, JS_TOK_TEMPLATE_TAIL)) {
				next(p);
				break;
			}
		}
	}
	p->no_in = save_in;
	t->list = l.head;
	return t;
}

static struct js_ast_node *
parse_array(struct parser *p)
{
	struct js_ast_node *a = mkt(p, JS_AST_ARRAY), *e;
	struct list l = { NULL, NULL };
	int save_in = p->no_in;

	p->no_in = 0;
	next(p);
	while (!is(p, JS_TOK_RBRACKET)) {
		if (is(p, JS_TOK_COMMA)) {
			list_add(&l, mkt(p, JS_AST_HOLE));
			next(p);
			continue;
		}
		if (is(p, JS_TOK_ELLIPSIS)) {
			e = mkt(p, JS_AST_SPREAD);
			next(p);
			e->a = parse_assign(p);
		} else
			e = parse_assign(p);
		list_add(&l, e);
		if (!is(p, JS_TOK_RBRACKET))
			expect(p, JS_TOK_COMMA);
	}
	next(p);
	p->no_in = save_in;
	a->list = l.head;
	return a;
}

static void
add_cover(struct parser *p, struct js_ast_node *n)
{
	struct js_ast_node **v;
	size_t cap;

	if (p->ncovers == p->covcap) {
		cap = p->covcap ? p->covcap * 2 : 16;
		if ((v = realloc(p->covers, cap * sizeof(*v))) == NULL)
			fail(p, "out of memory");
		p->covers = v;
		p->covcap = cap;
	}
	p->covers[p->ncovers++] = n;
}

static struct js_ast_node *
parse_object(struct parser *p)
{
	struct js_ast_node *o = mkt(p, JS_AST_OBJECT), *prop, *f, *v;
	struct list l = { NULL, NULL };
	struct js_tok nt;
	int save_in = p->no_in, async, key_reserved;

	p->no_in = 0;
	next(p);
	while (!is(p, JS_TOK_RBRACE)) {
		if (is(p, JS_TOK_ELLIPSIS)) {
			prop = mkt(p, JS_AST_SPREAD);
			next(p);
			prop->a = parse_assign(p);
			list_add(&l, prop);
			if (!is(p, JS_TOK_RBRACE))
				expect(p, JS_TOK_COMMA);
			continue;
		}
		prop = mkt(p, JS_AST_PROP);
		async = 0;
		if (iskw(p, JS_KW_ASYNC)) {
			nt = peek(p);
			if (starts_key(&nt) && !nt.nl_before) {
				async = 1;
				next(p);
			}
		}
		if (is(p, JS_TOK_STAR))
			fail(p, "not supported: generator");
		if (!async && (iskw(p, JS_KW_GET) || iskw(p, JS_KW_SET))) {
			nt = peek(p);
			if (starts_key(&nt)) {
				prop->flags |= iskw(p, JS_KW_GET)
				    ? JS_AST_F_GET
				    : JS_AST_F_SET;
				next(p);
			}
		}
		key_reserved =
		    p->tok.kind == JS_TOK_NAME && js_lex_kw_reserved(p->tok.kw);
		parse_prop_key(p, prop);
		if (is(p, JS_TOK_LPAREN) || (p->ts && is(p, JS_TOK_LT))) {
			f = mk_at(p, JS_AST_FUNC, prop->a);
			f->flags = async ? JS_AST_F_ASYNC : 0;
			if (!(prop->flags & (JS_AST_F_GET | JS_AST_F_SET)))
				prop->flags |= JS_AST_F_METHOD;
			prop->b = parse_func_rest(p, f, 0, 0, NULL, 0);
		} else if (async ||
		    (prop->flags & (JS_AST_F_GET | JS_AST_F_SET))) {
			fail(p, "expected '('");
		} else if (accept(p, JS_TOK_COLON)) {
			prop->b = parse_assign(p);
		} else {
			if (prop->a->kind != JS_AST_IDENT ||
			    (prop->flags & JS_AST_F_COMPUTED))
				fail(p, "expected ':'");
			if (key_reserved)
				fail_at(p, prop->a->line, prop->a->col,
				    "unexpected keyword '%s'", prop->a->str);
			v = mk_at(p, JS_AST_IDENT, prop->a);
			v->str = prop->a->str;
			v->len = prop->a->len;
			prop->flags |= JS_AST_F_SHORTHAND;
			prop->b = v;
			if (is(p, JS_TOK_ASSIGN)) {
				/* only valid once turned into a pattern */
				v = mkt(p, JS_AST_ASSIGN);
				v->op = JS_OP_ASSIGN;
				next(p);
				v->a = prop->b;
				v->b = parse_assign(p);
				prop->b = v;
				prop->flags |= JS_AST_F_COVER_INIT;
				add_cover(p, prop);
			}
		}
		list_add(&l, prop);
		if (!is(p, JS_TOK_RBRACE))
			expect(p, JS_TOK_COMMA);
	}
	next(p);
	p->no_in = save_in;
	o->list = l.head;
	return o;
}

static struct js_ast_node *
parse_args(struct parser *p, struct js_ast_node *call)
{
	struct list l = { NULL, NULL };
	struct js_ast_node *e;
	int save_in = p->no_in;

	p->no_in = 0;
	expect(p, JS_TOK_LPAREN);
	while (!is(p, JS_TOK_RPAREN)) {
		if (is(p, JS_TOK_ELLIPSIS)) {
			e = mkt(p, JS_AST_SPREAD);
			next(p);
			e->a = parse_assign(p);
		} else
			e = parse_assign(p);
		list_add(&l, e);
		if (!is(p, JS_TOK_RPAREN))
			expect(p, JS_TOK_COMMA);
	}
	next(p);
	p->no_in = save_in;
	call->list = l.head;
	return call;
}

static struct js_ast_node *
parse_primary(struct parser *p)
{
	struct js_ast_node *n;
	struct js_tok nt;
	int save_in;

	switch (p->tok.kind) {
	case JS_TOK_NUM:
		n = mkt(p, JS_AST_NUM);
		n->num = p->tok.num;
		next(p);
		return n;
	case JS_TOK_STR:
		n = str_node(p);
		next(p);
		return n;
	case JS_TOK_TEMPLATE:
	case JS_TOK_TEMPLATE_HEAD:
		return parse_template(p);
	case JS_TOK_SLASH:
	case JS_TOK_DIV_ASSIGN:
		if (js_lex_rescan(&p->lx, &p->tok, 1) == -1)
			fail_lex(p);
		/* FALLTHROUGH */
	case JS_TOK_REGEX:
		n = mkt(p, JS_AST_REGEX);
		n->len = p->tok.re_flags - 1 - (p->tok.off + 1);
		n->str = sdup(p, p->lx.src + p->tok.off + 1, n->len);
		n->raw_len = p->tok.end - p->tok.re_flags;
		n->raw = sdup(p, p->lx.src + p->tok.re_flags, n->raw_len);
		next(p);
		return n;
	case JS_TOK_LPAREN:
		save_in = p->no_in;
		p->no_in = 0;
		next(p);
		if (is(p, JS_TOK_RPAREN))
			fail_unexpected(p);
		n = parse_expr(p);
		expect(p, JS_TOK_RPAREN);
		p->no_in = save_in;
		n->flags |= JS_AST_F_PAREN;
		return n;
	case JS_TOK_LBRACKET:
		return parse_array(p);
	case JS_TOK_LBRACE:
		return parse_object(p);
	case JS_TOK_LT:
		if (p->ts)
			fail(p, "not supported: angle-bracket type assertion");
		fail_unexpected(p);
	case JS_TOK_NAME:
		break;
	default:
		fail_unexpected(p);
	}
	switch (p->tok.kw) {
	case JS_KW_THIS:
		n = mkt(p, JS_AST_THIS);
		next(p);
		return n;
	case JS_KW_NULL:
		n = mkt(p, JS_AST_NULL);
		next(p);
		return n;
	case JS_KW_TRUE:
		n = mkt(p, JS_AST_TRUE);
		next(p);
		return n;
	case JS_KW_FALSE:
		n = mkt(p, JS_AST_FALSE);
		next(p);
		return n;
	case JS_KW_SUPER:
		n = mkt(p, JS_AST_SUPER);
		next(p);
		if (!is(p, JS_TOK_LPAREN) && !is(p, JS_TOK_DOT) &&
		    !is(p, JS_TOK_LBRACKET))
			fail_at(p, n->line, n->col, "unexpected 'super'");
		return n;
	case JS_KW_FUNCTION:
		return parse_function(p, 0, 0);
	case JS_KW_CLASS:
		return parse_class(p, 0, 0);
	case JS_KW_ASYNC:
		nt = peek(p);
		if (nt.kind == JS_TOK_NAME && nt.kw == JS_KW_FUNCTION &&
		    !nt.nl_before)
			return parse_function(p, JS_AST_F_ASYNC, 0);
		return name_node(p, 0);
	case JS_KW_IMPORT:
		nt = peek(p);
		if (nt.kind == JS_TOK_DOT)
			fail(p, "not supported: import.meta");
		if (nt.kind == JS_TOK_LPAREN)
			fail(p, "not supported: dynamic import");
		fail(p, "import declarations may only appear at top level");
	case JS_KW_YIELD:
		fail(p, "not supported: yield");
	case JS_KW_AWAIT:
		fail(p, "await is only valid in async functions");
	default:
		break;
	}
	if (!tok_is_ident(p))
		fail_unexpected(p);
	return name_node(p, 0);
}

/* Member, call, tagged template and (TS) non-null suffixes; no_call stops
 * at the first call (for new callees). */
static struct js_ast_node *
parse_lhs(struct parser *p, int no_call)
{
	struct js_ast_node *e, *n;
	int chain = 0, save_in;

	if (iskw(p, JS_KW_NEW)) {
		n = mkt(p, JS_AST_NEW);
		enter(p);
		next(p);
		if (is(p, JS_TOK_DOT))
			fail(p, "not supported: new.target");
		n->a = parse_lhs(p, 1);
		if (n->a->kind == JS_AST_CHAIN)
			fail_at(p, n->a->line, n->a->col,
			    "optional chain in new expression");
		if (p->ts && is(p, JS_TOK_LT))
			try_type_args(p);
		if (is(p, JS_TOK_LPAREN))
			parse_args(p, n);
		leave(p);
		e = n;
	} else
		e = parse_primary(p);
	for (;;) {
		if (is(p, JS_TOK_DOT)) {
			next(p);
			n = mk_at(p, JS_AST_MEMBER, e);
			n->a = e;
			n->b = name_node(p, 1);
		} else if (is(p, JS_TOK_OPTCHAIN)) {
			if (no_call)
				fail(p, "optional chain in new expression");
			next(p);
			chain = 1;
			if (is(p, JS_TOK_LPAREN)) {
				n = mk_at(p, JS_AST_CALL, e);
				n->a = e;
				parse_args(p, n);
			} else if (is(p, JS_TOK_LBRACKET)) {
				next(p);
				n = mk_at(p, JS_AST_MEMBER, e);
				n->flags |= JS_AST_F_COMPUTED;
				n->a = e;
				save_in = p->no_in;
				p->no_in = 0;
				n->b = parse_expr(p);
				p->no_in = save_in;
				expect(p, JS_TOK_RBRACKET);
			} else {
				if (is(p, JS_TOK_TEMPLATE) ||
				    is(p, JS_TOK_TEMPLATE_HEAD))
					fail(p,
					    "tagged template in optional "
					    "chain");
				n = mk_at(p, JS_AST_MEMBER, e);
				n->a = e;
				n->b = name_node(p, 1);
			}
			n->flags |= JS_AST_F_OPTIONAL;
		} else if (is(p, JS_TOK_LBRACKET)) {
			next(p);
			n = mk_at(p, JS_AST_MEMBER, e);
			n->flags |= JS_AST_F_COMPUTED;
			n->a = e;
			save_in = p->no_in;
			p->no_in = 0;
			n->b = parse_expr(p);
			p->no_in = save_in;
			expect(p, JS_TOK_RBRACKET);
		} else if (is(p, JS_TOK_LPAREN) && !no_call) {
			n = mk_at(p, JS_AST_CALL, e);
			n->a = e;
			parse_args(p, n);
		} else if (is(p, JS_TOK_TEMPLATE) ||
		    is(p, JS_TOK_TEMPLATE_HEAD)) {
			if (chain)
				fail(p, "tagged template in optional chain");
			n = mk_at(p, JS_AST_TAGGED, e);
			n->a = e;
			n->b = parse_template(p);
		} else if (p->ts && is(p, JS_TOK_BANG) && !p->tok.nl_before) {
			next(p);
			continue;
		} else if (p->ts && is(p, JS_TOK_LT) && !no_call &&
		    try_type_args(p)) {
			continue;
		} else
			break;
		e = n;
	}
	if (chain) {
		n = mk_at(p, JS_AST_CHAIN, e);
		n->a = e;
		e = n;
	}
	return e;
}

static int
simple_target(const struct js_ast_node *e)
{
	return e->kind == JS_AST_IDENT ||
	    (e->kind == JS_AST_MEMBER && !(e->flags & JS_AST_F_OPTIONAL));
}

static struct js_ast_node *
parse_postfix(struct parser *p)
{
	struct js_ast_node *e = parse_lhs(p, 0), *n;

	if ((is(p, JS_TOK_INC) || is(p, JS_TOK_DEC)) && !p->tok.nl_before) {
		if (!simple_target(e))
			fail(p, "invalid update target");
		if (e->kind == JS_AST_IDENT)
			check_binding_name(p, e);
		n = mk_at(p, JS_AST_UPDATE, e);
		n->op = is(p, JS_TOK_INC) ? JS_OP_INC : JS_OP_DEC;
		n->a = e;
		next(p);
		return n;
	}
	return e;
}

static struct js_ast_node *
parse_unary(struct parser *p)
{
	struct js_ast_node *n;
	enum js_ast_op op = JS_OP_NONE;

	switch (p->tok.kind) {
	case JS_TOK_BANG:
		op = JS_OP_NOT;
		break;
	case JS_TOK_TILDE:
		op = JS_OP_BNOT;
		break;
	case JS_TOK_PLUS:
		op = JS_OP_PLUS;
		break;
	case JS_TOK_MINUS:
		op = JS_OP_NEG;
		break;
	case JS_TOK_INC:
	case JS_TOK_DEC:
		n = mkt(p, JS_AST_UPDATE);
		n->op = is(p, JS_TOK_INC) ? JS_OP_INC : JS_OP_DEC;
		n->flags |= JS_AST_F_PREFIX;
		next(p);
		enter(p);
		n->a = parse_unary(p);
		leave(p);
		if (!simple_target(n->a) ||
		    (n->a->flags & JS_AST_F_PAREN &&
			n->a->kind != JS_AST_IDENT &&
			n->a->kind != JS_AST_MEMBER))
			fail_at(
			    p, n->a->line, n->a->col, "invalid update target");
		if (n->a->kind == JS_AST_IDENT)
			check_binding_name(p, n->a);
		return n;
	case JS_TOK_NAME:
		if (p->tok.kw == JS_KW_TYPEOF)
			op = JS_OP_TYPEOF;
		else if (p->tok.kw == JS_KW_VOID)
			op = JS_OP_VOID;
		else if (p->tok.kw == JS_KW_DELETE)
			op = JS_OP_DELETE;
		else if (p->tok.kw == JS_KW_AWAIT) {
			if (p->in_func && !p->in_async)
				fail(p,
				    "await is only valid in async "
				    "functions");
			n = mkt(p, JS_AST_AWAIT);
			next(p);
			enter(p);
			n->a = parse_unary(p);
			leave(p);
			return n;
		}
		break;
	default:
		break;
	}
	if (op == JS_OP_NONE)
		return parse_postfix(p);
	n = mkt(p, JS_AST_UNARY);
	n->op = op;
	next(p);
	enter(p);
	n->a = parse_unary(p);
	leave(p);
	if (op == JS_OP_DELETE && n->a->kind == JS_AST_IDENT)
		fail_at(
		    p, n->line, n->col, "delete of an unqualified identifier");
	return n;
}

/* Binary operator of the current token: precedence (0 = none). */
static int
binop(struct parser *p, enum js_ast_op *op, int *logical)
{
	*logical = 0;
	switch (p->tok.kind) {
	case JS_TOK_NULLISH:
		*op = JS_OP_NULLISH;
		*logical = 1;
		return 1;
	case JS_TOK_OR:
		*op = JS_OP_OR;
		*logical = 1;
		return 1;
	case JS_TOK_AND:
		*op = JS_OP_AND;
		*logical = 1;
		return 2;
	case JS_TOK_PIPE:
		*op = JS_OP_BOR;
		return 3;
	case JS_TOK_CARET:
		*op = JS_OP_BXOR;
		return 4;
	case JS_TOK_AMP:
		*op = JS_OP_BAND;
		return 5;
	case JS_TOK_EQ:
		*op = JS_OP_EQ;
		return 6;
	case JS_TOK_NE:
		*op = JS_OP_NE;
		return 6;
	case JS_TOK_SEQ:
		*op = JS_OP_SEQ;
		return 6;
	case JS_TOK_SNE:
		*op = JS_OP_SNE;
		return 6;
	case JS_TOK_LT:
		*op = JS_OP_LT;
		return 7;
	case JS_TOK_GT:
		*op = JS_OP_GT;
		return 7;
	case JS_TOK_LE:
		*op = JS_OP_LE;
		return 7;
	case JS_TOK_GE:
		*op = JS_OP_GE;
		return 7;
	case JS_TOK_SHL:
		*op = JS_OP_SHL;
		return 8;
	case JS_TOK_SAR:
		*op = JS_OP_SAR;
		return 8;
	case JS_TOK_SHR:
		*op = JS_OP_SHR;
		return 8;
	case JS_TOK_PLUS:
		*op = JS_OP_ADD;
		return 9;
	case JS_TOK_MINUS:
		*op = JS_OP_SUB;
		return 9;
	case JS_TOK_STAR:
		*op = JS_OP_MUL;
		return 10;
	case JS_TOK_SLASH:
		*op = JS_OP_DIV;
		return 10;
	case JS_TOK_PERCENT:
		*op = JS_OP_MOD;
		return 10;
	case JS_TOK_EXP:
		*op = JS_OP_EXP;
		return 11;
	case JS_TOK_NAME:
		if (p->tok.kw == JS_KW_INSTANCEOF) {
			*op = JS_OP_INSTANCEOF;
			return 7;
		}
		if (p->tok.kw == JS_KW_IN && !p->no_in) {
			*op = JS_OP_IN;
			return 7;
		}
		if (p->ts && !p->tok.nl_before &&
		    (p->tok.kw == JS_KW_AS || p->tok.kw == JS_KW_SATISFIES)) {
			*op = JS_OP_NONE;
			return 7;
		}
		return 0;
	default:
		return 0;
	}
}

static int
is_logical(const struct js_ast_node *n, enum js_ast_op a, enum js_ast_op b)
{
	return n->kind == JS_AST_LOGICAL && !(n->flags & JS_AST_F_PAREN) &&
	    (n->op == a || n->op == b);
}

static struct js_ast_node *
parse_binary(struct parser *p, int minprec)
{
	struct js_ast_node *left, *n;
	enum js_ast_op op;
	int prec, logical;

	left = parse_unary(p);
	for (;;) {
		/* after an operand a '/' divides (§12: syntactic context) */
		if (is(p, JS_TOK_REGEX) &&
		    js_lex_rescan(&p->lx, &p->tok, 0) == -1)
			fail_lex(p);
		prec = binop(p, &op, &logical);
		if (prec == 0 || prec < minprec)
			break;
		if (op == JS_OP_NONE) { /* TS "as T" / "satisfies T" */
			next(p);
			if (iskw(p, JS_KW_CONST))
				next(p);
			else
				need_type(p);
			continue;
		}
		if (op == JS_OP_EXP &&
		    ((left->kind == JS_AST_UNARY ||
			 left->kind == JS_AST_AWAIT) &&
			!(left->flags & JS_AST_F_PAREN)))
			fail(p, "unparenthesized unary expression before '**'");
		n = mkt(p, logical ? JS_AST_LOGICAL : JS_AST_BINARY);
		n->line = left->line;
		n->col = left->col;
		n->op = op;
		next(p);
		n->a = left;
		enter(p);
		n->b = parse_binary(p, op == JS_OP_EXP ? prec : prec + 1);
		leave(p);
		if ((op == JS_OP_NULLISH &&
			(is_logical(n->a, JS_OP_AND, JS_OP_OR) ||
			    is_logical(n->b, JS_OP_AND, JS_OP_OR))) ||
		    ((op == JS_OP_AND || op == JS_OP_OR) &&
			(is_logical(n->a, JS_OP_NULLISH, JS_OP_NULLISH) ||
			    is_logical(n->b, JS_OP_NULLISH, JS_OP_NULLISH))))
			fail_at(p, n->line, n->col,
			    "cannot mix '?\?' with '&&' or '||' without "
			    "parentheses");
		left = n;
	}
	return left;
}

static struct js_ast_node *
parse_cond(struct parser *p)
{
	struct js_ast_node *c = parse_binary(p, 1), *n;
	int save_in;

	if (!is(p, JS_TOK_QUESTION))
		return c;
	n = mk_at(p, JS_AST_COND, c);
	next(p);
	n->a = c;
	save_in = p->no_in;
	p->no_in = 0;
	n->b = parse_assign(p);
	p->no_in = save_in;
	expect(p, JS_TOK_COLON);
	n->c = parse_assign(p);
	return n;
}

static enum js_ast_op
assign_op(enum js_tok_kind k)
{
	switch (k) {
	case JS_TOK_ASSIGN:
		return JS_OP_ASSIGN;
	case JS_TOK_ADD_ASSIGN:
		return JS_OP_ADD;
	case JS_TOK_SUB_ASSIGN:
		return JS_OP_SUB;
	case JS_TOK_MUL_ASSIGN:
		return JS_OP_MUL;
	case JS_TOK_DIV_ASSIGN:
		return JS_OP_DIV;
	case JS_TOK_MOD_ASSIGN:
		return JS_OP_MOD;
	case JS_TOK_EXP_ASSIGN:
		return JS_OP_EXP;
	case JS_TOK_SHL_ASSIGN:
		return JS_OP_SHL;
	case JS_TOK_SAR_ASSIGN:
		return JS_OP_SAR;
	case JS_TOK_SHR_ASSIGN:
		return JS_OP_SHR;
	case JS_TOK_AND_ASSIGN:
		return JS_OP_BAND;
	case JS_TOK_OR_ASSIGN:
		return JS_OP_BOR;
	case JS_TOK_XOR_ASSIGN:
		return JS_OP_BXOR;
	case JS_TOK_LAND_ASSIGN:
		return JS_OP_AND;
	case JS_TOK_LOR_ASSIGN:
		return JS_OP_OR;
	case JS_TOK_NULLISH_ASSIGN:
		return JS_OP_NULLISH;
	default:
		return JS_OP_NONE;
	}
}

/* Which arrow, if any, starts here: 0 none, 1 plain, 2 async. */
static int
arrow_kind(struct parser *p)
{
	struct pstate s;
	struct js_tok t;
	int r = 0;

	if (is(p, JS_TOK_LPAREN))
		return is_arrow_ahead(p);
	if (p->ts && is(p, JS_TOK_LT)) {
		save(p, &s);
		r = skip_group(p, 0) == 0 && is(p, JS_TOK_LPAREN) &&
		    is_arrow_ahead(p);
		restore(p, &s);
		return r;
	}
	if (!tok_is_ident(p))
		return 0;
	t = peek(p);
	if (t.kind == JS_TOK_ARROW)
		return 1;
	if (p->tok.kw != JS_KW_ASYNC || t.nl_before)
		return 0;
	save(p, &s);
	if (advance(p) == 0) {
		if (p->tok.kind == JS_TOK_NAME &&
		    !js_lex_kw_reserved(p->tok.kw))
			r = advance(p) == 0 && is(p, JS_TOK_ARROW) ? 2 : 0;
		else if (is(p, JS_TOK_LPAREN))
			r = is_arrow_ahead(p) ? 2 : 0;
		else if (p->ts && is(p, JS_TOK_LT))
			r = skip_group(p, 0) == 0 && is(p, JS_TOK_LPAREN) &&
				is_arrow_ahead(p)
			    ? 2
			    : 0;
	}
	restore(p, &s);
	return r;
}

static struct js_ast_node *
parse_assign(struct parser *p)
{
	struct js_ast_node *lhs, *n;
	enum js_ast_op op;
	unsigned line = p->tok.line, col = p->tok.col;
	int ak;

	enter(p);
	if (iskw(p, JS_KW_YIELD))
		fail(p, "not supported: yield");
	if ((ak = arrow_kind(p)) != 0) {
		if (ak == 2)
			next(p);
		n = parse_arrow(p, ak == 2, line, col);
		leave(p);
		return n;
	}
	lhs = parse_cond(p);
	op = assign_op(p->tok.kind);
	if (op == JS_OP_NONE) {
		leave(p);
		return lhs;
	}
	if (op == JS_OP_ASSIGN) {
		if ((lhs->flags & JS_AST_F_PAREN) && !simple_target(lhs))
			fail_at(p, lhs->line, lhs->col,
			    "invalid assignment target");
		to_pattern(p, lhs, 0);
	} else if (!simple_target(lhs))
		fail_at(p, lhs->line, lhs->col, "invalid assignment target");
	else if (lhs->kind == JS_AST_IDENT)
		check_binding_name(p, lhs);
	n = mk_at(p, JS_AST_ASSIGN, lhs);
	n->op = op;
	next(p);
	n->a = lhs;
	n->b = parse_assign(p);
	leave(p);
	return n;
}

static struct js_ast_node *
parse_expr(struct parser *p)
{
	struct js_ast_node *e = parse_assign(p), *s;
	struct list l = { NULL, NULL };

	if (!is(p, JS_TOK_COMMA))
		return e;
	s = mk_at(p, JS_AST_SEQ, e);
	list_add(&l, e);
	while (accept(p, JS_TOK_COMMA))
		list_add(&l, parse_assign(p));
	s->list = l.head;
	return s;
}

/* ---- Statements ------------------------------------------------------- */

static struct js_ast_node *
sub_stmt(struct parser *p)
{
	struct js_ast_node *s;
	unsigned line = p->tok.line, col = p->tok.col;

	if ((s = parse_stmt(p)) == NULL)
		s = mk(p, JS_AST_EMPTY, line, col);
	return s;
}

static struct js_ast_node *
parse_block(struct parser *p)
{
	struct js_ast_node *b = mkt(p, JS_AST_BLOCK);
	struct list l = { NULL, NULL };

	expect(p, JS_TOK_LBRACE);
	while (!is(p, JS_TOK_RBRACE)) {
		if (is(p, JS_TOK_EOF))
			fail(p, "expected '}'");
		list_add(&l, parse_stmt(p));
	}
	next(p);
	b->list = l.head;
	return b;
}

static int
decl_kind(struct parser *p, unsigned *flags)
{
	struct js_tok t;

	if (iskw(p, JS_KW_VAR)) {
		*flags = 0;
		return 1;
	}
	if (iskw(p, JS_KW_CONST)) {
		*flags = JS_AST_F_CONST;
		return 1;
	}
	if (iskw(p, JS_KW_LET)) {
		t = peek(p);
		*flags = JS_AST_F_LET;
		return t.kind == JS_TOK_NAME || t.kind == JS_TOK_LBRACKET ||
		    t.kind == JS_TOK_LBRACE;
	}
	return 0;
}

/* var/let/const declarators (keyword current); in_for allows missing
 * initialisers to be checked by the caller. */
static struct js_ast_node *
parse_var(struct parser *p, unsigned flags, int in_for, int ambient)
{
	struct js_ast_node *v = mkt(p, JS_AST_VAR), *d;
	struct list l = { NULL, NULL };

	v->flags = flags;
	next(p);
	if (p->ts && iskw(p, JS_KW_ENUM))
		fail(p, "not supported: enum");
	do {
		d = mkt(p, JS_AST_DECLARATOR);
		d->a = parse_binding(p);
		if (d->a->kind == JS_AST_IDENT && name_eq(d->a, "let") &&
		    flags != 0)
			fail_at(p, d->a->line, d->a->col,
			    "'let' is not a valid name here");
		if (p->ts && is(p, JS_TOK_BANG) && !p->tok.nl_before)
			next(p);
		opt_annotation(p);
		if (accept(p, JS_TOK_ASSIGN))
			d->b = parse_assign(p);
		else if (!in_for && !ambient &&
		    ((flags & JS_AST_F_CONST) || d->a->kind != JS_AST_IDENT))
			fail_at(p, d->line, d->col,
			    "missing initializer in declaration");
		list_add(&l, d);
	} while (accept(p, JS_TOK_COMMA));
	v->list = l.head;
	return v;
}

static struct js_ast_node *
parse_for(struct parser *p)
{
	struct js_ast_node *f = mkt(p, JS_AST_FOR), *init = NULL, *d;
	unsigned flags;
	int save_in = p->no_in;

	next(p);
	if (iskw(p, JS_KW_AWAIT))
		fail(p, "not supported: for await");
	expect(p, JS_TOK_LPAREN);
	if (!is(p, JS_TOK_SEMI)) {
		p->no_in = 1;
		if (decl_kind(p, &flags))
			init = parse_var(p, flags, 1, 0);
		else
			init = parse_expr(p);
		p->no_in = save_in;
		if (iskw(p, JS_KW_OF) || iskw(p, JS_KW_IN)) {
			f->kind =
			    iskw(p, JS_KW_OF) ? JS_AST_FOR_OF : JS_AST_FOR_IN;
			if (init->kind == JS_AST_VAR) {
				if (init->list->next != NULL ||
				    init->list->b != NULL)
					fail_at(p, init->line, init->col,
					    "invalid left-hand side in for-%s",
					    f->kind == JS_AST_FOR_OF ? "of"
								     : "in");
			} else {
				if (init->flags & JS_AST_F_PAREN &&
				    !simple_target(init))
					fail_at(p, init->line, init->col,
					    "invalid assignment target");
				to_pattern(p, init, 0);
			}
			f->a = init;
			next(p);
			f->b = f->kind == JS_AST_FOR_OF ? parse_assign(p)
							: parse_expr(p);
			expect(p, JS_TOK_RPAREN);
			p->loops++;
			f->c = sub_stmt(p);
			p->loops--;
			return f;
		}
		if (init->kind == JS_AST_VAR)
			for (d = init->list; d != NULL; d = d->next)
				if (d->b == NULL &&
				    ((init->flags & JS_AST_F_CONST) ||
					d->a->kind != JS_AST_IDENT))
					fail_at(p, d->line, d->col,
					    "missing initializer in "
					    "declaration");
	}
	f->a = init;
	expect(p, JS_TOK_SEMI);
	if (!is(p, JS_TOK_SEMI))
		f->b = parse_expr(p);
	expect(p, JS_TOK_SEMI);
	if (!is(p, JS_TOK_RPAREN))
		f->c = parse_expr(p);
	expect(p, JS_TOK_RPAREN);
	p->loops++;
	f->d = sub_stmt(p);
	p->loops--;
	return f;
}

static struct js_ast_node *
parse_jump(struct parser *p, enum js_ast_kind kind)
{
	struct js_ast_node *s = mkt(p, kind);
	unsigned i;
	size_t len;
	const char *name;

	next(p);
	if (tok_is_ident(p) && !p->tok.nl_before) {
		name = p->lx.src + p->tok.off;
		len = p->tok.end - p->tok.off;
		for (i = p->nlabels; i > p->label_base; i--)
			if (p->labels[i - 1].len == len &&
			    memcmp(p->labels[i - 1].name, name, len) == 0)
				break;
		if (i == p->label_base)
			fail(p, "undefined label '%.*s'", (int)len, name);
		if (kind == JS_AST_CONTINUE && !p->labels[i - 1].loop)
			fail(p, "continue target is not a loop");
		s->str = sdup(p, name, len);
		s->len = len;
		next(p);
	} else if (kind == JS_AST_CONTINUE && p->loops == 0)
		fail_at(p, s->line, s->col, "continue outside a loop");
	else if (kind == JS_AST_BREAK && p->loops == 0 && p->switches == 0)
		fail_at(p, s->line, s->col, "break outside a loop or switch");
	semi(p);
	return s;
}

static struct js_ast_node *
parse_try(struct parser *p)
{
	struct js_ast_node *t = mkt(p, JS_AST_TRY);

	next(p);
	t->a = parse_block(p);
	if (iskw(p, JS_KW_CATCH)) {
		next(p);
		if (accept(p, JS_TOK_LPAREN)) {
			t->b = parse_binding(p);
			opt_annotation(p);
			expect(p, JS_TOK_RPAREN);
		}
		t->c = parse_block(p);
	}
	if (iskw(p, JS_KW_FINALLY)) {
		next(p);
		t->d = parse_block(p);
	}
	if (t->c == NULL && t->d == NULL)
		fail(p, "expected 'catch' or 'finally'");
	return t;
}

static struct js_ast_node *
parse_switch(struct parser *p)
{
	struct js_ast_node *s = mkt(p, JS_AST_SWITCH), *c;
	struct list cases = { NULL, NULL }, body;
	int have_default = 0;

	next(p);
	expect(p, JS_TOK_LPAREN);
	s->a = parse_expr(p);
	expect(p, JS_TOK_RPAREN);
	expect(p, JS_TOK_LBRACE);
	p->switches++;
	while (!is(p, JS_TOK_RBRACE)) {
		c = mkt(p, JS_AST_CASE);
		if (iskw(p, JS_KW_CASE)) {
			next(p);
			c->a = parse_expr(p);
		} else if (iskw(p, JS_KW_DEFAULT)) {
			if (have_default)
				fail(p, "more than one default clause");
			have_default = 1;
			next(p);
		} else
			fail_unexpected(p);
		expect(p, JS_TOK_COLON);
		body.head = body.tail = NULL;
		while (!is(p, JS_TOK_RBRACE) && !iskw(p, JS_KW_CASE) &&
		    !iskw(p, JS_KW_DEFAULT)) {
			if (is(p, JS_TOK_EOF))
				fail(p, "expected '}'");
			list_add(&body, parse_stmt(p));
		}
		c->list = body.head;
		list_add(&cases, c);
	}
	next(p);
	p->switches--;
	s->list = cases.head;
	return s;
}

static struct js_ast_node *
parse_labeled(struct parser *p)
{
	struct js_ast_node *s = mkt(p, JS_AST_LABELED);
	unsigned i;
	struct js_tok t;

	s->len = p->tok.end - p->tok.off;
	s->str = sdup(p, p->lx.src + p->tok.off, s->len);
	for (i = p->label_base; i < p->nlabels; i++)
		if (p->labels[i].len == s->len &&
		    memcmp(p->labels[i].name, s->str, s->len) == 0)
			fail(p, "duplicate label '%s'", s->str);
	next(p); /* name */
	next(p); /* : */
	if (p->nlabels >= JS_MAX_NESTING)
		fail(p, "nesting too deep");
	t = p->tok;
	p->labels[p->nlabels].name = s->str;
	p->labels[p->nlabels].len = s->len;
	p->labels[p->nlabels].loop = t.kind == JS_TOK_NAME &&
	    (t.kw == JS_KW_FOR || t.kw == JS_KW_WHILE || t.kw == JS_KW_DO ||
		(t.kw == JS_KW_NONE && peek(p).kind == JS_TOK_COLON));
	p->nlabels++;
	if (iskw(p, JS_KW_FUNCTION))
		fail(p, "labeled function declaration");
	s->a = sub_stmt(p);
	p->nlabels--;
	return s;
}

/* TS: "interface X<T> extends A, B { ... }" (erased). */
static void
skip_interface(struct parser *p)
{
	next(p); /* interface */
	name_node(p, 0);
	opt_type_params(p);
	if (iskw(p, JS_KW_EXTENDS)) {
		next(p);
		do
			need_type(p);
		while (accept(p, JS_TOK_COMMA));
	}
	if (!is(p, JS_TOK_LBRACE))
		fail(p, "expected '{'");
	need_group(p);
}

/* TS: "type X<T> = ...;" (erased). */
static void
skip_type_alias(struct parser *p)
{
	next(p); /* type */
	name_node(p, 0);
	opt_type_params(p);
	expect(p, JS_TOK_ASSIGN);
	need_type(p);
	semi(p);
}

/* Does a TS declaration keyword (type, interface, declare, namespace,
 * abstract) start a declaration here rather than name a value? */
static int
ts_decl_ahead(struct parser *p)
{
	struct js_tok t;

	if (!p->ts || p->tok.kind != JS_TOK_NAME)
		return 0;
	switch (p->tok.kw) {
	case JS_KW_TYPE:
	case JS_KW_INTERFACE:
	case JS_KW_NAMESPACE:
	case JS_KW_MODULE:
	case JS_KW_DECLARE:
	case JS_KW_ABSTRACT:
		break;
	default:
		return 0;
	}
	t = peek(p);
	if (t.nl_before)
		return 0;
	if (p->tok.kw == JS_KW_ABSTRACT)
		return t.kind == JS_TOK_NAME && t.kw == JS_KW_CLASS;
	if (p->tok.kw == JS_KW_MODULE)
		return t.kind == JS_TOK_NAME || t.kind == JS_TOK_STR;
	return t.kind == JS_TOK_NAME;
}

/* TS declarations; NULL when erased. */
static struct js_ast_node *
parse_ts_decl(struct parser *p)
{
	unsigned flags;

	switch (p->tok.kw) {
	case JS_KW_TYPE:
		skip_type_alias(p);
		return NULL;
	case JS_KW_INTERFACE:
		skip_interface(p);
		return NULL;
	case JS_KW_ABSTRACT:
		next(p);
		return parse_class(p, 1, 1);
	case JS_KW_NAMESPACE:
	case JS_KW_MODULE:
		fail(p, "not supported: namespace");
	default:
		break;
	}
	/* declare: the declaration is parsed and dropped */
	next(p);
	if (decl_kind(p, &flags)) {
		parse_var(p, flags, 0, 1);
		semi(p);
	} else if (iskw(p, JS_KW_FUNCTION) || iskw(p, JS_KW_ASYNC)) {
		parse_function(p,
		    JS_AST_F_DECL | (iskw(p, JS_KW_ASYNC) ? JS_AST_F_ASYNC : 0),
		    1);
	} else if (iskw(p, JS_KW_CLASS)) {
		parse_class(p, 1, 1);
	} else if (iskw(p, JS_KW_ABSTRACT)) {
		next(p);
		parse_class(p, 1, 1);
	} else if (iskw(p, JS_KW_TYPE) || iskw(p, JS_KW_INTERFACE)) {
		return parse_ts_decl(p);
	} else if (iskw(p, JS_KW_ENUM) || iskw(p, JS_KW_MODULE) ||
	    iskw(p, JS_KW_NAMESPACE) || iskw(p, JS_KW_GLOBAL)) {
		/* ambient enum/module/global: skip to the body */
		next(p);
		while (!is(p, JS_TOK_LBRACE)) {
			if (is(p, JS_TOK_EOF) || is(p, JS_TOK_SEMI))
				fail(p, "expected '{'");
			next(p);
		}
		need_group(p);
	} else
		fail_unexpected(p);
	return NULL;
}

static struct js_ast_node *
parse_stmt_inner(struct parser *p)
{
	struct js_ast_node *s;
	struct js_tok t;
	unsigned flags;

	switch (p->tok.kind) {
	case JS_TOK_LBRACE:
		return parse_block(p);
	case JS_TOK_SEMI:
		s = mkt(p, JS_AST_EMPTY);
		next(p);
		return s;
	case JS_TOK_NAME:
		break;
	default:
		goto expression;
	}
	if (decl_kind(p, &flags)) {
		if (p->ts && iskw(p, JS_KW_CONST) && peek(p).kw == JS_KW_ENUM)
			fail(p, "not supported: enum");
		s = parse_var(p, flags, 0, 0);
		semi(p);
		return s;
	}
	if (ts_decl_ahead(p))
		return parse_ts_decl(p);
	switch (p->tok.kw) {
	case JS_KW_FUNCTION:
		if ((s = parse_function(p, JS_AST_F_DECL, 1)) == NULL)
			return NULL;
		return s;
	case JS_KW_ASYNC:
		t = peek(p);
		if (t.kind == JS_TOK_NAME && t.kw == JS_KW_FUNCTION &&
		    !t.nl_before)
			return parse_function(
			    p, JS_AST_F_DECL | JS_AST_F_ASYNC, 1);
		break;
	case JS_KW_CLASS:
		return parse_class(p, 1, 1);
	case JS_KW_IF:
		s = mkt(p, JS_AST_IF);
		next(p);
		expect(p, JS_TOK_LPAREN);
		s->a = parse_expr(p);
		expect(p, JS_TOK_RPAREN);
		s->b = sub_stmt(p);
		if (iskw(p, JS_KW_ELSE)) {
			next(p);
			s->c = sub_stmt(p);
		}
		return s;
	case JS_KW_FOR:
		return parse_for(p);
	case JS_KW_WHILE:
		s = mkt(p, JS_AST_WHILE);
		next(p);
		expect(p, JS_TOK_LPAREN);
		s->a = parse_expr(p);
		expect(p, JS_TOK_RPAREN);
		p->loops++;
		s->b = sub_stmt(p);
		p->loops--;
		return s;
	case JS_KW_DO:
		s = mkt(p, JS_AST_DO_WHILE);
		next(p);
		p->loops++;
		s->a = sub_stmt(p);
		p->loops--;
		if (!iskw(p, JS_KW_WHILE))
			fail(p, "expected 'while'");
		next(p);
		expect(p, JS_TOK_LPAREN);
		s->b = parse_expr(p);
		expect(p, JS_TOK_RPAREN);
		/* §12.10.1: a ';' after do-while is always optional */
		accept(p, JS_TOK_SEMI);
		return s;
	case JS_KW_BREAK:
		return parse_jump(p, JS_AST_BREAK);
	case JS_KW_CONTINUE:
		return parse_jump(p, JS_AST_CONTINUE);
	case JS_KW_RETURN:
		s = mkt(p, JS_AST_RETURN);
		if (!p->in_func)
			fail(p, "return outside a function");
		next(p);
		if (!is(p, JS_TOK_SEMI) && !is(p, JS_TOK_RBRACE) &&
		    !is(p, JS_TOK_EOF) && !p->tok.nl_before)
			s->a = parse_expr(p);
		semi(p);
		return s;
	case JS_KW_THROW:
		s = mkt(p, JS_AST_THROW);
		next(p);
		if (p->tok.nl_before)
			fail(p, "line break after 'throw'");
		s->a = parse_expr(p);
		semi(p);
		return s;
	case JS_KW_TRY:
		return parse_try(p);
	case JS_KW_SWITCH:
		return parse_switch(p);
	case JS_KW_WITH:
		fail(p, "not supported: with");
	case JS_KW_DEBUGGER:
		fail(p, "not supported: debugger");
	case JS_KW_ENUM:
		fail(p, "not supported: enum");
	case JS_KW_IMPORT:
		t = peek(p);
		if (t.kind != JS_TOK_LPAREN && t.kind != JS_TOK_DOT)
			fail(p,
			    "import declarations may only appear at top "
			    "level");
		break;
	case JS_KW_EXPORT:
		fail(p, "export declarations may only appear at top level");
	default:
		if (tok_is_ident(p) && peek(p).kind == JS_TOK_COLON)
			return parse_labeled(p);
		break;
	}
expression:
	s = mkt(p, JS_AST_EXPR);
	s->a = parse_expr(p);
	semi(p);
	return s;
}

static struct js_ast_node *
parse_stmt(struct parser *p)
{
	struct js_ast_node *s;

	enter(p);
	s = parse_stmt_inner(p);
	leave(p);
	return s;
}

/* Module specifier string after 'from'. */
static void
parse_from(struct parser *p, struct js_ast_node *n)
{
	struct js_ast_node *s;

	if (!iskw(p, JS_KW_FROM))
		fail(p, "expected 'from'");
	next(p);
	if (!is(p, JS_TOK_STR))
		fail(p, "expected module specifier string");
	s = str_node(p);
	n->str = s->str;
	n->len = s->len;
	next(p);
	if (iskw(p, JS_KW_WITH) && !p->tok.nl_before)
		fail(p, "not supported: import attributes");
}

static struct js_ast_node *
import_spec(struct parser *p, const char *imported, struct js_ast_node *local)
{
	struct js_ast_node *s = mk_at(p, JS_AST_IMPORT_SPEC, local);

	check_binding_name(p, local);
	s->str = imported;
	s->len = imported != NULL ? strlen(imported) : 0;
	s->a = local;
	return s;
}

static struct js_ast_node *
parse_import(struct parser *p)
{
	struct js_ast_node *n = mkt(p, JS_AST_IMPORT), *imp, *loc;
	struct list l = { NULL, NULL };
	struct js_tok t;
	int type_only = 0, skip, reserved;

	next(p);
	if (is(p, JS_TOK_STR)) {
		loc = str_node(p);
		n->str = loc->str;
		n->len = loc->len;
		next(p);
		semi(p);
		return n;
	}
	if (p->ts && iskw(p, JS_KW_TYPE)) {
		t = peek(p);
		if (t.kind == JS_TOK_LBRACE || t.kind == JS_TOK_STAR ||
		    (t.kind == JS_TOK_NAME && t.kw != JS_KW_FROM)) {
			type_only = 1;
			next(p);
		}
	}
	if (is(p, JS_TOK_NAME)) {
		loc = name_node(p, 0);
		if (p->ts && is(p, JS_TOK_ASSIGN))
			fail(p, "not supported: import = require");
		list_add(&l, import_spec(p, "default", loc));
		if (!accept(p, JS_TOK_COMMA))
			goto from;
	}
	if (accept(p, JS_TOK_STAR)) {
		if (!iskw(p, JS_KW_AS))
			fail(p, "expected 'as'");
		next(p);
		list_add(&l, import_spec(p, NULL, name_node(p, 0)));
	} else if (accept(p, JS_TOK_LBRACE)) {
		while (!is(p, JS_TOK_RBRACE)) {
			skip = 0;
			if (p->ts && iskw(p, JS_KW_TYPE)) {
				t = peek(p);
				if (t.kind == JS_TOK_NAME && t.kw != JS_KW_AS) {
					skip = 1;
					next(p);
				}
			}
			if (is(p, JS_TOK_STR))
				fail(p, "not supported: string import name");
			reserved = p->tok.kind == JS_TOK_NAME &&
			    js_lex_kw_reserved(p->tok.kw);
			imp = name_node(p, 1);
			if (iskw(p, JS_KW_AS)) {
				next(p);
				loc = name_node(p, 0);
			} else {
				/* an imported keyword needs "as" */
				if (reserved)
					fail_at(p, imp->line, imp->col,
					    "unexpected keyword '%s'",
					    imp->str);
				loc = mk_at(p, JS_AST_IDENT, imp);
				loc->str = imp->str;
				loc->len = imp->len;
			}
			if (!skip)
				list_add(&l, import_spec(p, imp->str, loc));
			if (!is(p, JS_TOK_RBRACE))
				expect(p, JS_TOK_COMMA);
		}
		next(p);
	} else
		fail_unexpected(p);
from:
	parse_from(p, n);
	semi(p);
	n->list = l.head;
	return type_only ? NULL : n;
}

static struct js_ast_node *
parse_export(struct parser *p)
{
	struct js_ast_node *n = mkt(p, JS_AST_EXPORT), *d, *spec;
	struct list l = { NULL, NULL };
	struct js_tok t;
	unsigned flags;
	int type_only = 0;

	next(p);
	if (iskw(p, JS_KW_DEFAULT)) {
		n->kind = JS_AST_EXPORT_DEFAULT;
		next(p);
		t = peek(p);
		if (iskw(p, JS_KW_FUNCTION)) {
			n->a = parse_function(p, JS_AST_F_DECL, 0);
		} else if (iskw(p, JS_KW_ASYNC) && t.kind == JS_TOK_NAME &&
		    t.kw == JS_KW_FUNCTION && !t.nl_before) {
			n->a = parse_function(
			    p, JS_AST_F_DECL | JS_AST_F_ASYNC, 0);
		} else if (iskw(p, JS_KW_CLASS)) {
			n->a = parse_class(p, 1, 0);
		} else if (p->ts && iskw(p, JS_KW_ABSTRACT) &&
		    t.kind == JS_TOK_NAME && t.kw == JS_KW_CLASS) {
			next(p);
			n->a = parse_class(p, 1, 0);
		} else if (p->ts && iskw(p, JS_KW_INTERFACE) &&
		    t.kind == JS_TOK_NAME) {
			skip_interface(p);
			return NULL;
		} else {
			n->a = parse_assign(p);
			semi(p);
		}
		if (n->a == NULL)
			return NULL;
		return n;
	}
	if (p->ts && is(p, JS_TOK_ASSIGN))
		fail(p, "not supported: export =");
	if (p->ts && iskw(p, JS_KW_AS))
		fail(p, "not supported: export as namespace");
	if (p->ts && iskw(p, JS_KW_TYPE) && peek(p).kind == JS_TOK_LBRACE) {
		type_only = 1;
		next(p);
	}
	if (is(p, JS_TOK_STAR)) {
		n->kind = JS_AST_EXPORT_ALL;
		next(p);
		if (iskw(p, JS_KW_AS))
			fail(p, "not supported: export * as");
		parse_from(p, n);
		semi(p);
		return n;
	}
	if (accept(p, JS_TOK_LBRACE)) {
		n->kind = JS_AST_EXPORT_NAMES;
		while (!is(p, JS_TOK_RBRACE)) {
			int skip = 0;

			if (p->ts && iskw(p, JS_KW_TYPE) &&
			    peek(p).kind == JS_TOK_NAME) {
				skip = 1;
				next(p);
			}
			if (is(p, JS_TOK_STR))
				fail(p, "not supported: string export name");
			spec = mkt(p, JS_AST_EXPORT_SPEC);
			spec->a = name_node(p, 1);
			if (iskw(p, JS_KW_AS)) {
				next(p);
				if (is(p, JS_TOK_STR))
					fail(p,
					    "not supported: string export "
					    "name");
				d = name_node(p, 1);
				spec->str = d->str;
				spec->len = d->len;
			} else {
				spec->str = spec->a->str;
				spec->len = spec->a->len;
			}
			if (!skip)
				list_add(&l, spec);
			if (!is(p, JS_TOK_RBRACE))
				expect(p, JS_TOK_COMMA);
		}
		next(p);
		if (iskw(p, JS_KW_FROM))
			parse_from(p, n);
		semi(p);
		n->list = l.head;
		return type_only ? NULL : n;
	}
	if (decl_kind(p, &flags)) {
		if (p->ts && iskw(p, JS_KW_CONST) && peek(p).kw == JS_KW_ENUM)
			fail(p, "not supported: enum");
		n->a = parse_var(p, flags, 0, 0);
		semi(p);
		return n;
	}
	if (iskw(p, JS_KW_ENUM))
		fail(p, "not supported: enum");
	if (ts_decl_ahead(p)) {
		n->a = parse_ts_decl(p);
		return n->a == NULL ? NULL : n;
	}
	t = peek(p);
	if (iskw(p, JS_KW_FUNCTION))
		n->a = parse_function(p, JS_AST_F_DECL, 1);
	else if (iskw(p, JS_KW_ASYNC) && t.kind == JS_TOK_NAME &&
	    t.kw == JS_KW_FUNCTION && !t.nl_before)
		n->a = parse_function(p, JS_AST_F_DECL | JS_AST_F_ASYNC, 1);
	else if (iskw(p, JS_KW_CLASS))
		n->a = parse_class(p, 1, 1);
	else
		fail_unexpected(p);
	return n->a == NULL ? NULL : n;
}

static struct js_ast_node *
parse_module_item(struct parser *p)
{
	struct js_tok t;

	if (iskw(p, JS_KW_IMPORT)) {
		t = peek(p);
		if (t.kind != JS_TOK_LPAREN && t.kind != JS_TOK_DOT)
			return parse_import(p);
	}
	if (iskw(p, JS_KW_EXPORT))
		return parse_export(p);
	return parse_stmt(p);
}

/* Depth of the finished tree, without recursion (bounds later walkers). */
static void
check_depth(struct parser *p)
{
	struct frame {
		const struct js_ast_node *n;
		unsigned d;
	} * stack;
	size_t top = 0;
	const struct js_ast_node *n, *c;
	const struct js_ast_node *kids[4];
	unsigned d;
	int i;

	if ((stack = malloc((p->ast->nnodes + 1) * sizeof(*stack))) == NULL)
		fail_at(p, 1, 1, "out of memory");
	stack[top].n = p->ast->root;
	stack[top++].d = 1;
	while (top > 0) {
		n = stack[--top].n;
		d = stack[top].d;
		if (d > JS_MAX_AST_DEPTH) {
			free(stack);
			fail_at(p, n->line, n->col, "nesting too deep");
		}
		kids[0] = n->a;
		kids[1] = n->b;
		kids[2] = n->c;
		kids[3] = n->d;
		for (i = 0; i < 4; i++)
			if (kids[i] != NULL && top < p->ast->nnodes + 1) {
				stack[top].n = kids[i];
				stack[top++].d = d + 1;
			}
		for (c = n->list; c != NULL; c = c->next)
			if (top < p->ast->nnodes + 1) {
				stack[top].n = c;
				stack[top++].d = d + 1;
			}
	}
	free(stack);
}

static void
parse_program(struct parser *p)
{
	struct js_ast_node *prog;
	struct list l = { NULL, NULL };
	size_t i;

	next(p);
	prog = mkt(p, JS_AST_PROGRAM);
	prog->line = prog->col = 1;
	while (!is(p, JS_TOK_EOF))
		list_add(&l, parse_module_item(p));
	prog->list = l.head;
	p->ast->root = prog;
	for (i = 0; i < p->ncovers; i++)
		if (p->covers[i]->flags & JS_AST_F_COVER_INIT)
			fail_at(p, p->covers[i]->b->line, p->covers[i]->b->col,
			    "invalid shorthand property initializer");
	check_depth(p);
}

/* The one setjmp: errors longjmp back here and the tree is dropped.  Kept
 * in its own function so no local of the caller lives across setjmp. */
static void
parse_guarded(struct parser *p, const char *src, size_t len)
{
	if (setjmp(p->jb) == 0) {
		if (js_lex_init(&p->lx, src, len) == -1)
			fail_lex(p);
		parse_program(p);
	} else {
		js_ast_free(p->ast);
		p->ast = NULL;
	}
}

struct js_ast *
js_parse(const char *src, size_t len, const char *filename, int flags,
    struct js_parse_error *err)
{
	struct parser *p;
	struct js_ast *ast;

	if (err != NULL) {
		err->line = err->col = 0;
		err->msg[0] = '\0';
	}
	if (filename == NULL)
		filename = "<input>";
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto nomem;
	if ((p->ast = js_ast_new()) == NULL) {
		free(p);
		goto nomem;
	}
	p->filename = filename;
	p->err = err;
	p->ts = (flags & JS_PARSE_TS) != 0;
	buf_init(&p->tmp);
	parse_guarded(p, src, len);
	ast = p->ast;
	buf_release(&p->tmp);
	free(p->covers);
	free(p);
	return ast;
nomem:
	if (err != NULL)
		snprintf(
		    err->msg, sizeof(err->msg), "%s: out of memory", filename);
	return NULL;
}
