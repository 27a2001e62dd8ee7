/*
 * Bytecode compiler of the JavaScript recipe interpreter (ECMA-262 §9 and
 * §15: scopes, hoisting, TDZ).  Pass 1 walks the tree once to declare
 * every binding in its scope and resolve every name, marking bindings
 * that a nested function captures; captured bindings live in heap
 * environments, the rest in frame registers.  Pass 2 emits code.
 *
 * Input is a tree from js_parse (bounded depth, so the recursive walks are
 * bounded); code size is capped at JS_MAX_CODE words per function and try
 * nesting at JS_MAX_TRY.  Constructs the VM does not implement are refused
 * here with "not supported: X", never compiled to something else.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_compile.h"

const unsigned char js_bc_nargs[JS_BC__COUNT] = {
	[JS_BC_CONST] = 1,
	[JS_BC_INT] = 1,
	[JS_BC_PICK] = 1,
	[JS_BC_GET_LOC] = 1,
	[JS_BC_GET_LOC_CHK] = 2,
	[JS_BC_SET_LOC] = 1,
	[JS_BC_SET_LOC_CHK] = 2,
	[JS_BC_INIT_LOC] = 1,
	[JS_BC_GET_ENV] = 2,
	[JS_BC_GET_ENV_CHK] = 3,
	[JS_BC_SET_ENV] = 2,
	[JS_BC_SET_ENV_CHK] = 3,
	[JS_BC_INIT_ENV] = 2,
	[JS_BC_GET_IMPORT] = 1,
	[JS_BC_THROW_CONST] = 1,
	[JS_BC_GET_GLOBAL] = 1,
	[JS_BC_SET_GLOBAL] = 1,
	[JS_BC_TYPEOF_GLOBAL] = 1,
	[JS_BC_GET_PROP] = 1,
	[JS_BC_SET_PROP] = 1,
	[JS_BC_DEL_PROP] = 1,
	[JS_BC_BIN] = 1,
	[JS_BC_UN] = 1,
	[JS_BC_JMP] = 1,
	[JS_BC_JF] = 1,
	[JS_BC_JT] = 1,
	[JS_BC_JF_KEEP] = 1,
	[JS_BC_JT_KEEP] = 1,
	[JS_BC_JNN_KEEP] = 1,
	[JS_BC_JNU_KEEP] = 1,
	[JS_BC_JNULLISH] = 2,
	[JS_BC_CALL] = 2,
	[JS_BC_CALL_SPREAD] = 1,
	[JS_BC_NEW] = 2,
	[JS_BC_NEW_SPREAD] = 1,
	[JS_BC_SUPER_CALL] = 1,
	[JS_BC_TRY] = 1,
	[JS_BC_CLOSURE] = 1,
	[JS_BC_DEFINE] = 1,
	[JS_BC_DEFINE_HIDDEN] = 1,
	[JS_BC_DEFINE_ACC] = 2,
	[JS_BC_CLASS] = 1,
	[JS_BC_METHOD] = 2,
	[JS_BC_ENV] = 1,
	[JS_BC_ENV_COPY] = 1,
	[JS_BC_ITER_NEXT] = 1,
	[JS_BC_ARG] = 1,
	[JS_BC_REST] = 1,
	[JS_BC_REQ_OBJ] = 1,
	[JS_BC_OBJ_REST] = 1,
	[JS_BC_NOT_SUPPORTED] = 1,
	[JS_BC_ITER_CLOSE] = 1,
	[JS_BC_APPEND_BEGIN] = 3,
	[JS_BC_APPEND_END] = 2,
};

/* Binding kinds. */
enum {
	BK_VAR,
	BK_LET,
	BK_CONST,
	BK_FUNC,
	BK_PARAM,
	BK_CLASS,
	BK_IMPORT,
	BK_THIS,
	BK_HOME,
	BK_FNAME
};
enum { LOC_REG, LOC_ENV, LOC_IMPORT };

struct cfninfo {
	struct cfninfo *parent;
	uint32_t nregs;
	int arrow;
};

struct cbind {
	struct cbind *next;
	const char *name;
	int kind;
	int captured;
	int loc;
	uint32_t idx;
	struct cscope *scope;
	struct js_ast_node *decl; /* BK_FUNC: the FUNC node */
};

struct cscope {
	struct cscope *parent;
	struct cscope *all_next;
	struct cfninfo *fn;
	int is_func;
	int module;
	int has_env;
	uint32_t nenv;
	struct cbind *binds;
};

/* Extra scopes of a class: its name (expressions) and the synthetic
 * functions that initialise instance and static fields. */
struct cclass {
	struct cscope *name_scope;
	struct cscope *ifields, *sfields;
};

struct patch {
	struct patch *next;
	uint32_t pos;
};

enum { CTL_LOOP, CTL_SWITCH, CTL_LABEL, CTL_TRY, CTL_FINALLY, CTL_ENV };

struct ctl {
	struct ctl *prev;
	int kind;
	const char *labels[8];
	int nlabels;
	struct patch *brk, *cont;
	int nstack;
	int forof; /* the stack value is a for-of iterator to close */
	struct js_ast_node *fin;
	struct cscope *scope;
	int fin_reg;
};

struct comp {
	struct js_vm *vm;
	struct js_ast *t;
	struct js_module *mod;
	const char *filename;
	js_compile_lookup_fn *lookup;
	void *lopaque;
	struct cscope *all;
	struct cscope *scope;
	struct cfninfo *fn;
	int failed;
	char err[400];
	unsigned eline, ecol;
};

struct cgen {
	struct comp *c;
	struct cgen *parent;
	struct js_proto *p;
	struct cfninfo *fi;
	uint32_t *code;
	uint32_t ncode, ccap;
	struct js_value *consts;
	uint32_t ncon, kcap;
	struct js_proto **protos;
	uint32_t nprot, pcap;
	uint32_t *lines;
	uint32_t nlines, lcap;
	unsigned line, col, last_line, last_col;
	int depth, maxdepth;
	struct cscope *scope;
	struct ctl *ctl;
	const char *name_hint;
	struct patch *chain;
};

static void cerr(struct comp *, const struct js_ast_node *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
cerr(struct comp *c, const struct js_ast_node *n, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	c->eline = n != NULL ? n->line : 0;
	c->ecol = n != NULL ? n->col : 0;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static void *
calloc_arena(struct comp *c, size_t n)
{
	void *p = js_ast_alloc(c->t, n);

	if (p == NULL)
		cerr(c, NULL, "out of memory");
	return p;
}

/* ---- pass 1: scopes ---- */

static struct cscope *
scope_new(
    struct comp *c, struct cscope *parent, struct cfninfo *fn, int is_func)
{
	struct cscope *s = calloc_arena(c, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->parent = parent;
	s->fn = fn;
	s->is_func = is_func;
	s->all_next = c->all;
	c->all = s;
	return s;
}

static struct cbind *
scope_find(struct cscope *s, const char *name)
{
	struct cbind *b;

	for (b = s->binds; b != NULL; b = b->next)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

static int
var_like(int k)
{
	return k == BK_VAR || k == BK_PARAM || k == BK_FUNC;
}

static struct cbind *
declare(struct comp *c, struct cscope *s, const char *name, int kind,
    struct js_ast_node *node)
{
	struct cbind *b, **pp;

	if (s == NULL || c->failed)
		return NULL;
	if ((b = scope_find(s, name)) != NULL) {
		if (var_like(b->kind) && var_like(kind) &&
		    (s->is_func || (b->kind == BK_FUNC && kind == BK_FUNC))) {
			if (kind == BK_FUNC) {
				b->kind = BK_FUNC;
				b->decl = node;
			}
			return b;
		}
		cerr(
		    c, node, "Identifier '%s' has already been declared", name);
		return NULL;
	}
	if ((b = calloc_arena(c, sizeof(*b))) == NULL)
		return NULL;
	b->name = name;
	b->kind = kind;
	b->scope = s;
	b->decl = node;
	for (pp = &s->binds; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = b;
	return b;
}

static void
declare_pattern(
    struct comp *c, struct cscope *s, struct js_ast_node *p, int kind)
{
	struct js_ast_node *e;

	if (p == NULL || c->failed)
		return;
	switch (p->kind) {
	case JS_AST_IDENT:
		if (strcmp(p->str, "arguments") == 0) {
			cerr(c, p, "not supported: arguments");
			return;
		}
		(void)declare(c, s, p->str, kind, p);
		break;
	case JS_AST_ARRAY_PAT:
		for (e = p->list; e != NULL; e = e->next)
			declare_pattern(c, s, e, kind);
		break;
	case JS_AST_OBJECT_PAT:
		for (e = p->list; e != NULL; e = e->next)
			declare_pattern(
			    c, s, e->kind == JS_AST_PROP ? e->b : e, kind);
		break;
	case JS_AST_ASSIGN_PAT:
	case JS_AST_REST:
		declare_pattern(c, s, p->a, kind);
		break;
	default:
		break;
	}
}

/* var declarations anywhere in a function body (not in nested ones). */
static void
hoist_vars(struct comp *c, struct cscope *s, struct js_ast_node *n)
{
	struct js_ast_node *e;

	if (n == NULL || c->failed)
		return;
	switch (n->kind) {
	case JS_AST_VAR:
		if (n->flags & (JS_AST_F_LET | JS_AST_F_CONST))
			return;
		for (e = n->list; e != NULL; e = e->next)
			declare_pattern(c, s, e->a, BK_VAR);
		break;
	case JS_AST_FOR:
	case JS_AST_FOR_IN:
	case JS_AST_FOR_OF:
		hoist_vars(c, s, n->a);
		hoist_vars(c, s, n->kind == JS_AST_FOR ? n->d : n->c);
		break;
	case JS_AST_IF:
		hoist_vars(c, s, n->b);
		hoist_vars(c, s, n->c);
		break;
	case JS_AST_WHILE:
		hoist_vars(c, s, n->b);
		break;
	case JS_AST_DO_WHILE:
	case JS_AST_LABELED:
	case JS_AST_EXPORT:
		hoist_vars(c, s, n->a);
		break;
	case JS_AST_BLOCK:
	case JS_AST_PROGRAM:
	case JS_AST_CASE:
		for (e = n->list; e != NULL; e = e->next)
			hoist_vars(c, s, e);
		break;
	case JS_AST_TRY:
		hoist_vars(c, s, n->a);
		hoist_vars(c, s, n->c);
		hoist_vars(c, s, n->d);
		break;
	case JS_AST_SWITCH:
		for (e = n->list; e != NULL; e = e->next)
			hoist_vars(c, s, e);
		break;
	default:
		break;
	}
}

static void
hoist_one(struct comp *c, struct cscope *s, struct js_ast_node *st, int top)
{
	struct js_ast_node *e;

	switch (st->kind) {
	case JS_AST_VAR:
		if (!(st->flags & (JS_AST_F_LET | JS_AST_F_CONST)))
			break;
		for (e = st->list; e != NULL; e = e->next)
			declare_pattern(c, s, e->a,
			    (st->flags & JS_AST_F_CONST) ? BK_CONST : BK_LET);
		break;
	case JS_AST_CLASS:
		if (st->str != NULL)
			(void)declare(c, s, st->str, BK_CLASS, st);
		break;
	case JS_AST_FUNC:
		if (st->str != NULL && (st->flags & JS_AST_F_DECL))
			(void)declare(c, s, st->str, BK_FUNC, st);
		break;
	case JS_AST_EXPORT:
		hoist_one(c, s, st->a, top);
		break;
	case JS_AST_EXPORT_DEFAULT:
		if ((st->a->kind == JS_AST_FUNC ||
			st->a->kind == JS_AST_CLASS) &&
		    (st->a->flags & JS_AST_F_DECL) && st->a->str != NULL)
			hoist_one(c, s, st->a, top);
		else
			(void)declare(c, s, "*default*", BK_CONST, st);
		break;
	case JS_AST_IMPORT:
		for (e = st->list; e != NULL; e = e->next) {
			struct cbind *b;
			struct js_cell *cell;

			if (strcmp(e->a->str, "arguments") == 0) {
				cerr(c, e, "not supported: arguments");
				return;
			}
			b = declare(c, s, e->a->str, BK_IMPORT, e->a);
			if (b == NULL)
				return;
			cell = &c->mod->cells[c->mod->ncells];
			b->idx = c->mod->ncells++;
			cell->line = e->line;
			cell->col = e->col;
			cell->dep = c->lookup(c->lopaque, st->str);
			cell->spec = st->str;
			if (e->str != NULL &&
			    (cell->name = js_str_intern(
				 c->vm, e->str, strlen(e->str))) == NULL)
				cerr(c, e, "out of memory");
		}
		break;
	default:
		break;
	}
}

static void
hoist_lexical(
    struct comp *c, struct cscope *s, struct js_ast_node *list, int top)
{
	for (; list != NULL && !c->failed; list = list->next)
		hoist_one(c, s, list, top);
}

static struct cbind *
scope_lookup(struct comp *c, const char *name)
{
	struct cscope *s;
	struct cbind *b;

	for (s = c->scope; s != NULL; s = s->parent) {
		if ((b = scope_find(s, name)) != NULL) {
			if (s->fn != c->fn)
				b->captured = 1;
			return b;
		}
	}
	return NULL;
}

/* this and super resolve to hidden bindings of the nearest non-arrow
 * function (arrows see them lexically). */
static struct cbind *
pseudo(struct comp *c, const char *name, int kind, struct js_ast_node *n)
{
	struct cscope *s;
	struct cbind *b;

	for (s = c->scope; s != NULL; s = s->parent) {
		if (s->is_func && !s->fn->arrow)
			break;
	}
	if (s == NULL)
		return NULL;
	if ((b = scope_find(s, name)) == NULL &&
	    (b = declare(c, s, name, kind, n)) == NULL)
		return NULL;
	if (s->fn != c->fn)
		b->captured = 1;
	return b;
}

static void resolve(struct comp *, struct js_ast_node *);

static void
resolve_list(struct comp *c, struct js_ast_node *n)
{
	for (; n != NULL && !c->failed; n = n->next)
		resolve(c, n);
}

static void
resolve_func(struct comp *c, struct js_ast_node *n)
{
	struct cfninfo *fi, *saved_fn = c->fn;
	struct cscope *s, *saved = c->scope;
	struct js_ast_node *e;

	if ((fi = calloc_arena(c, sizeof(*fi))) == NULL)
		return;
	fi->parent = c->fn;
	fi->arrow = (n->flags & JS_AST_F_ARROW) != 0;
	if ((s = scope_new(c, c->scope, fi, 1)) == NULL)
		return;
	n->ext = s;
	for (e = n->list; e != NULL; e = e->next)
		declare_pattern(c, s, e, BK_PARAM);
	if (!(n->flags & JS_AST_F_EXPR_BODY)) {
		hoist_vars(c, s, n->a);
		hoist_lexical(c, s, n->a->list, 1);
	}
	if (n->str != NULL && !(n->flags & JS_AST_F_DECL) && !fi->arrow &&
	    scope_find(s, n->str) == NULL)
		(void)declare(c, s, n->str, BK_FNAME, n);
	c->fn = fi;
	c->scope = s;
	resolve_list(c, n->list);
	if (n->flags & JS_AST_F_EXPR_BODY)
		resolve(c, n->a);
	else
		resolve_list(c, n->a->list);
	c->fn = saved_fn;
	c->scope = saved;
}

/* A synthetic method (class field initialisers): a function scope whose
 * body is the given expressions. */
static struct cscope *
resolve_fields(struct comp *c, struct js_ast_node *cls, int is_static)
{
	struct cfninfo *fi, *saved_fn = c->fn;
	struct cscope *s, *saved = c->scope;
	struct js_ast_node *m;
	int any = 0;

	for (m = cls->list; m != NULL; m = m->next)
		if (m->kind == JS_AST_FIELD &&
		    !!(m->flags & JS_AST_F_STATIC) == is_static)
			any = 1;
	if (!any)
		return NULL;
	if ((fi = calloc_arena(c, sizeof(*fi))) == NULL)
		return NULL;
	fi->parent = c->fn;
	if ((s = scope_new(c, c->scope, fi, 1)) == NULL)
		return NULL;
	c->fn = fi;
	c->scope = s;
	for (m = cls->list; m != NULL && !c->failed; m = m->next) {
		if (m->kind != JS_AST_FIELD ||
		    !!(m->flags & JS_AST_F_STATIC) != is_static)
			continue;
		if (m->flags & JS_AST_F_COMPUTED) {
			cerr(c, m, "not supported: computed field name");
			break;
		}
		if (m->b != NULL)
			resolve(c, m->b);
	}
	c->fn = saved_fn;
	c->scope = saved;
	return s;
}

static void
resolve_class(struct comp *c, struct js_ast_node *n)
{
	struct cclass *cc;
	struct cscope *saved = c->scope;
	struct js_ast_node *m;

	if ((cc = calloc_arena(c, sizeof(*cc))) == NULL)
		return;
	n->ext = cc;
	if (n->a != NULL)
		resolve(c, n->a);
	if (n->str != NULL) {
		/* The class body sees its own name as an inner binding,
		 * initialised before static fields run (§15.7.14). */
		if ((cc->name_scope = scope_new(c, c->scope, c->fn, 0)) == NULL)
			return;
		(void)declare(c, cc->name_scope, n->str, BK_CONST, n);
		c->scope = cc->name_scope;
	}
	for (m = n->list; m != NULL && !c->failed; m = m->next) {
		if (m->kind == JS_AST_METHOD) {
			if (m->flags & JS_AST_F_COMPUTED)
				resolve(c, m->a);
			resolve_func(c, m->b);
		} else if (m->flags & JS_AST_F_COMPUTED)
			resolve(c, m->a);
	}
	cc->ifields = resolve_fields(c, n, 0);
	cc->sfields = resolve_fields(c, n, 1);
	c->scope = saved;
}

static void
resolve_block(struct comp *c, struct js_ast_node *n, struct js_ast_node *list)
{
	struct cscope *s, *saved = c->scope;

	if ((s = scope_new(c, c->scope, c->fn, 0)) == NULL)
		return;
	n->ext = s;
	hoist_lexical(c, s, list, 0);
	c->scope = s;
	resolve_list(c, list);
	c->scope = saved;
}

static int
lexical_decl(const struct js_ast_node *n)
{
	return n != NULL && n->kind == JS_AST_VAR &&
	    (n->flags & (JS_AST_F_LET | JS_AST_F_CONST)) != 0;
}

static void
resolve(struct comp *c, struct js_ast_node *n)
{
	struct cscope *s, *saved = c->scope;
	struct js_ast_node *e;

	if (n == NULL || c->failed)
		return;
	switch (n->kind) {
	case JS_AST_IDENT:
		if (strcmp(n->str, "arguments") == 0) {
			cerr(c, n, "not supported: arguments");
			return;
		}
		n->ext = scope_lookup(c, n->str);
		break;
	case JS_AST_THIS:
		n->ext = pseudo(c, "*this*", BK_THIS, n);
		break;
	case JS_AST_SUPER:
		n->ext = pseudo(c, "*home*", BK_HOME, n);
		(void)pseudo(c, "*this*", BK_THIS, n);
		break;
	case JS_AST_REGEX:
		cerr(c, n, "not supported: RegExp");
		break;
	case JS_AST_MEMBER:
		resolve(c, n->a);
		if (n->flags & JS_AST_F_COMPUTED)
			resolve(c, n->b);
		break;
	case JS_AST_PROP:
		if (n->flags & JS_AST_F_COMPUTED)
			resolve(c, n->a);
		resolve(c, n->b);
		break;
	case JS_AST_FUNC:
		resolve_func(c, n);
		break;
	case JS_AST_CLASS:
		resolve_class(c, n);
		break;
	case JS_AST_CALL:
		if (n->a->kind == JS_AST_SUPER) {
			(void)pseudo(c, "*this*", BK_THIS, n);
			if (c->scope != NULL) {
				for (s = c->scope; s != NULL && !s->is_func;
				     s = s->parent)
					;
				if (s != NULL && s->fn->arrow) {
					cerr(c, n,
					    "not supported: super() in an "
					    "arrow function");
					return;
				}
			}
		} else
			resolve(c, n->a);
		resolve_list(c, n->list);
		break;
	case JS_AST_BLOCK:
		resolve_block(c, n, n->list);
		break;
	case JS_AST_SWITCH:
		resolve(c, n->a);
		if ((s = scope_new(c, c->scope, c->fn, 0)) == NULL)
			return;
		n->ext = s;
		for (e = n->list; e != NULL; e = e->next)
			hoist_lexical(c, s, e->list, 0);
		c->scope = s;
		for (e = n->list; e != NULL; e = e->next) {
			resolve(c, e->a);
			resolve_list(c, e->list);
		}
		c->scope = saved;
		break;
	case JS_AST_FOR:
		if (lexical_decl(n->a)) {
			if ((s = scope_new(c, c->scope, c->fn, 0)) == NULL)
				return;
			n->ext = s;
			hoist_one(c, s, n->a, 0);
			c->scope = s;
		}
		resolve(c, n->a);
		resolve(c, n->b);
		resolve(c, n->c);
		resolve(c, n->d);
		c->scope = saved;
		break;
	case JS_AST_FOR_IN:
	case JS_AST_FOR_OF:
		resolve(c, n->b);
		if (lexical_decl(n->a)) {
			if ((s = scope_new(c, c->scope, c->fn, 0)) == NULL)
				return;
			n->ext = s;
			hoist_one(c, s, n->a, 0);
			c->scope = s;
		}
		resolve(c, n->a);
		resolve(c, n->c);
		c->scope = saved;
		break;
	case JS_AST_TRY:
		resolve(c, n->a);
		if (n->c != NULL) {
			if ((s = scope_new(c, c->scope, c->fn, 0)) == NULL)
				return;
			n->ext = s;
			declare_pattern(c, s, n->b, BK_LET);
			c->scope = s;
			resolve(c, n->b);
			resolve(c, n->c);
			c->scope = saved;
		}
		resolve(c, n->d);
		break;
	case JS_AST_IMPORT:
	case JS_AST_EXPORT_ALL:
	case JS_AST_BREAK:
	case JS_AST_CONTINUE:
		break;
	case JS_AST_EXPORT_NAMES:
		if (n->str == NULL)
			for (e = n->list; e != NULL; e = e->next)
				resolve(c, e->a);
		break;
	case JS_AST_LABELED:
		resolve(c, n->a);
		break;
	default:
		resolve(c, n->a);
		resolve(c, n->b);
		resolve(c, n->c);
		resolve(c, n->d);
		resolve_list(c, n->list);
		break;
	}
}

static void
assign_slots(struct comp *c)
{
	struct cscope *s;
	struct cbind *b;

	for (s = c->all; s != NULL; s = s->all_next) {
		for (b = s->binds; b != NULL; b = b->next) {
			if (b->kind == BK_IMPORT)
				b->loc = LOC_IMPORT;
			else if (b->captured || s->module) {
				b->loc = LOC_ENV;
				b->idx = s->nenv++;
				s->has_env = 1;
			} else {
				b->loc = LOC_REG;
				b->idx = s->fn->nregs++;
			}
		}
		if (s->module)
			s->has_env = 1;
	}
}

/* ---- pass 2: code ---- */

static int
grow(struct comp *c, void **p, uint32_t *cap, uint32_t need, size_t elem)
{
	uint32_t nc;
	void *q;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	if ((q = realloc(*p, (size_t)nc * elem)) == NULL) {
		cerr(c, NULL, "out of memory");
		return -1;
	}
	*p = q;
	*cap = nc;
	return 0;
}

static void
add_line(struct cgen *g)
{
	if (g->line == g->last_line && g->col == g->last_col)
		return;
	if (grow(g->c, (void **)&g->lines, &g->lcap, g->nlines + 2,
		sizeof(uint32_t)) == -1)
		return;
	g->lines[g->nlines++] = g->ncode;
	g->lines[g->nlines++] =
	    (g->line << 12) | (g->col > 4095 ? 4095 : g->col);
	g->last_line = g->line;
	g->last_col = g->col;
}

static void
set_pos(struct cgen *g, const struct js_ast_node *n)
{
	if (n != NULL && n->line != 0) {
		g->line = n->line > 0xfffff ? 0xfffff : n->line;
		g->col = n->col;
	}
}

static void
adjust(struct cgen *g, int delta)
{
	g->depth += delta;
	if (g->depth > g->maxdepth)
		g->maxdepth = g->depth;
}

static uint32_t
emitn(struct cgen *g, int op, int nargs, uint32_t a, uint32_t b, uint32_t cc,
    int delta)
{
	uint32_t at;

	if (g->c->failed)
		return 0;
	if (g->ncode + 4 > JS_MAX_CODE) {
		cerr(g->c, NULL, "function too large");
		return 0;
	}
	if (grow(g->c, (void **)&g->code, &g->ccap, g->ncode + 4,
		sizeof(uint32_t)) == -1)
		return 0;
	add_line(g);
	at = g->ncode;
	g->code[g->ncode++] = (uint32_t)op;
	if (nargs > 0)
		g->code[g->ncode++] = a;
	if (nargs > 1)
		g->code[g->ncode++] = b;
	if (nargs > 2)
		g->code[g->ncode++] = cc;
	adjust(g, delta);
	return at;
}

#define emit0(g, op, d) emitn((g), (op), 0, 0, 0, 0, (d))
#define emit1(g, op, a, d) emitn((g), (op), 1, (a), 0, 0, (d))
#define emit2(g, op, a, b, d) emitn((g), (op), 2, (a), (b), 0, (d))
#define emit3(g, op, a, b, c, d) emitn((g), (op), 3, (a), (b), (c), (d))

static uint32_t
here(struct cgen *g)
{
	return g->ncode;
}

/* Patches the jump at instruction at (operand = last word) to target. */
static void
patch_at(struct cgen *g, uint32_t at, uint32_t target)
{
	if (g->c->failed)
		return;
	g->code[at + js_bc_nargs[g->code[at]]] = target;
}

static void
patch_list(struct cgen *g, struct patch *p, uint32_t target)
{
	for (; p != NULL; p = p->next)
		patch_at(g, p->pos, target);
}

static void
add_patch(struct cgen *g, struct patch **list, uint32_t pos)
{
	struct patch *p = calloc_arena(g->c, sizeof(*p));

	if (p == NULL)
		return;
	p->pos = pos;
	p->next = *list;
	*list = p;
}

static uint32_t
add_const(struct cgen *g, struct js_value v)
{
	uint32_t i;

	if (g->ncon < 256) {
		for (i = 0; i < g->ncon; i++)
			if (g->consts[i].tag == v.tag &&
			    (v.tag == JS_TAG_NUM
				    ? memcmp(&g->consts[i].u.num, &v.u.num,
					  sizeof(double)) == 0
				    : g->consts[i].u.ptr == v.u.ptr))
				return i;
	}
	if (grow(g->c, (void **)&g->consts, &g->kcap, g->ncon + 1,
		sizeof(*g->consts)) == -1)
		return 0;
	g->consts[g->ncon] = v;
	return g->ncon++;
}

static uint32_t
const_str(struct cgen *g, const char *s, size_t n)
{
	struct js_str *str = js_str_intern(g->c->vm, s, n);

	if (str == NULL) {
		cerr(g->c, NULL, "out of memory");
		return 0;
	}
	return add_const(g, js_mkstr(str));
}

static uint32_t
const_cstr(struct cgen *g, const char *s)
{
	return const_str(g, s, strlen(s));
}

static uint32_t
alloc_reg(struct cgen *g)
{
	return g->fi->nregs++;
}

static void compile_expr(struct cgen *, struct js_ast_node *);
static void compile_stmt(struct cgen *, struct js_ast_node *);
static void compile_pattern(struct cgen *, struct js_ast_node *, int init);
static uint32_t compile_func(
    struct cgen *, struct js_ast_node *, const char *name, int kind);

/* Environment hops from the current scope to b's scope. */
static uint32_t
env_depth(struct cgen *g, const struct cbind *b)
{
	struct cscope *s;
	uint32_t d = 0;

	for (s = g->scope; s != NULL && s != b->scope; s = s->parent)
		if (s->has_env)
			d++;
	return d;
}

static int
tdz_kind(int k)
{
	return k == BK_LET || k == BK_CONST || k == BK_CLASS;
}

static void
load_bind(struct cgen *g, struct cbind *b, const char *name)
{
	uint32_t k;

	if (b == NULL) {
		if (strcmp(name, "undefined") == 0)
			emit0(g, JS_BC_UNDEF, 1);
		else
			emit1(g, JS_BC_GET_GLOBAL, const_cstr(g, name), 1);
		return;
	}
	if (b->loc == LOC_IMPORT) {
		emit1(g, JS_BC_GET_IMPORT, b->idx, 1);
		return;
	}
	if (tdz_kind(b->kind)) {
		k = const_cstr(g, name);
		if (b->loc == LOC_REG)
			emit2(g, JS_BC_GET_LOC_CHK, b->idx, k, 1);
		else
			emit3(g, JS_BC_GET_ENV_CHK, env_depth(g, b), b->idx, k,
			    1);
		return;
	}
	if (b->loc == LOC_REG)
		emit1(g, JS_BC_GET_LOC, b->idx, 1);
	else
		emit2(g, JS_BC_GET_ENV, env_depth(g, b), b->idx, 1);
}

/* Stores the top of the stack.  init: a declaration (pops, no checks);
 * else an assignment that keeps the value when keep. */
static void
store_bind(
    struct cgen *g, struct cbind *b, const char *name, int init, int keep)
{
	uint32_t k;

	if (init && b != NULL && b->loc != LOC_IMPORT) {
		if (b->loc == LOC_REG)
			emit1(g, JS_BC_INIT_LOC, b->idx, -1);
		else
			emit2(g, JS_BC_INIT_ENV, env_depth(g, b), b->idx, -1);
		return;
	}
	if (b == NULL) {
		emit1(g, JS_BC_SET_GLOBAL, const_cstr(g, name), 0);
	} else if (b->loc == LOC_IMPORT || b->kind == BK_CONST ||
	    b->kind == BK_FNAME) {
		emit1(g, JS_BC_THROW_CONST, const_cstr(g, name), 0);
	} else if (tdz_kind(b->kind)) {
		k = const_cstr(g, name);
		if (b->loc == LOC_REG)
			emit2(g, JS_BC_SET_LOC_CHK, b->idx, k, 0);
		else
			emit3(g, JS_BC_SET_ENV_CHK, env_depth(g, b), b->idx, k,
			    0);
	} else if (b->loc == LOC_REG)
		emit1(g, JS_BC_SET_LOC, b->idx, 0);
	else
		emit2(g, JS_BC_SET_ENV, env_depth(g, b), b->idx, 0);
	if (!keep)
		emit0(g, JS_BC_POP, -1);
}

static void
push_ctl(struct cgen *g, struct ctl *x, int kind)
{
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->prev = g->ctl;
	x->scope = g->scope;
	g->ctl = x;
}

static int
count_try(struct cgen *g)
{
	struct ctl *x;
	int n = 0;

	for (x = g->ctl; x != NULL; x = x->prev)
		if (x->kind == CTL_TRY || x->kind == CTL_FINALLY)
			n++;
	return n;
}

/* Enters a block scope: environment, TDZ markers, hoisted functions. */
static void
enter_scope(struct cgen *g, struct cscope *s, struct ctl *x)
{
	struct cbind *b;

	if (s == NULL)
		return;
	g->scope = s;
	if (s->has_env) {
		emit1(g, JS_BC_ENV, s->nenv, 0);
		push_ctl(g, x, CTL_ENV);
	}
	for (b = s->binds; b != NULL; b = b->next) {
		if (tdz_kind(b->kind)) {
			emit0(g, JS_BC_EMPTY, 1);
			store_bind(g, b, b->name, 1, 0);
		}
	}
	for (b = s->binds; b != NULL; b = b->next) {
		if (b->kind == BK_FUNC && b->decl != NULL) {
			set_pos(g, b->decl);
			emit1(g, JS_BC_CLOSURE,
			    compile_func(g, b->decl, b->name, 0), 1);
			store_bind(g, b, b->name, 1, 0);
		}
	}
}

static void
leave_scope(struct cgen *g, struct cscope *s, struct cscope *outer)
{
	if (s == NULL)
		return;
	if (s->has_env) {
		emit0(g, JS_BC_ENV_POP, 0);
		g->ctl = g->ctl->prev;
	}
	g->scope = outer;
}

/* Emits what leaving every control entry above target needs. */
static void
unwind_to(struct cgen *g, struct ctl *target)
{
	struct ctl *x, *saved_ctl;
	struct cscope *saved_scope;
	int i;

	for (x = g->ctl; x != target && x != NULL; x = x->prev) {
		switch (x->kind) {
		case CTL_ENV:
			emit0(g, JS_BC_ENV_POP, 0);
			break;
		case CTL_TRY:
			emit0(g, JS_BC_TRY_END, 0);
			break;
		case CTL_FINALLY:
			emit0(g, JS_BC_TRY_END, 0);
			saved_ctl = g->ctl;
			saved_scope = g->scope;
			g->ctl = x->prev;
			g->scope = x->scope;
			compile_stmt(g, x->fin);
			g->ctl = saved_ctl;
			g->scope = saved_scope;
			break;
		case CTL_LOOP:
		case CTL_SWITCH:
			if (x->forof) {
				emit1(g, JS_BC_ITER_CLOSE, 0, -1);
				break;
			}
			for (i = 0; i < x->nstack; i++)
				emit0(g, JS_BC_POP, -1);
			break;
		default:
			break;
		}
	}
}

static int
has_label(const struct ctl *x, const char *l)
{
	int i;

	for (i = 0; i < x->nlabels; i++)
		if (strcmp(x->labels[i], l) == 0)
			return 1;
	return 0;
}

static void
compile_jump(struct cgen *g, struct js_ast_node *n, int is_break)
{
	struct ctl *x;
	int depth = g->depth;
	uint32_t at;

	for (x = g->ctl; x != NULL; x = x->prev) {
		if (n->str != NULL) {
			if (has_label(x, n->str) &&
			    (is_break || x->kind == CTL_LOOP))
				break;
		} else if (x->kind == CTL_LOOP ||
		    (is_break && x->kind == CTL_SWITCH))
			break;
	}
	if (x == NULL) {
		cerr(g->c, n, "not supported: jump target");
		return;
	}
	unwind_to(g, x);
	if (is_break && x->forof)
		emit1(g, JS_BC_ITER_CLOSE, 1, 0);
	at = emit1(g, JS_BC_JMP, 0, 0);
	add_patch(g, is_break ? &x->brk : &x->cont, at);
	g->depth = depth;
}

static int
has_finally(struct cgen *g)
{
	struct ctl *x;

	for (x = g->ctl; x != NULL; x = x->prev)
		if (x->kind == CTL_FINALLY || x->forof)
			return 1;
	return 0;
}

static void
compile_return_value(struct cgen *g)
{
	uint32_t r;
	int depth;

	if (!has_finally(g)) {
		emit0(g, JS_BC_RET, -1);
		return;
	}
	r = alloc_reg(g);
	emit1(g, JS_BC_INIT_LOC, r, -1);
	depth = g->depth;
	unwind_to(g, NULL);
	g->depth = depth;
	emit1(g, JS_BC_GET_LOC, r, 1);
	emit0(g, JS_BC_RET, -1);
}

/* ---- expressions ---- */

static void
compile_number(struct cgen *g, double d)
{
	if (d == floor(d) && d >= -2147483648.0 && d <= 2147483647.0 &&
	    !(d == 0 && signbit(d)))
		emit1(g, JS_BC_INT, (uint32_t)(int32_t)d, 1);
	else
		emit1(g, JS_BC_CONST, add_const(g, js_mknum(d)), 1);
}

/* Pushes a property key (for computed access) or returns the constant
 * index of a static one (>= 0). */
static int64_t
prop_key(struct cgen *g, struct js_ast_node *k, int computed)
{
	char b[40];
	int n;

	if (computed) {
		compile_expr(g, k);
		return -1;
	}
	if (k->kind == JS_AST_NUM) {
		n = js_num_to_buf(k->num, b);
		return const_str(g, b, (size_t)n);
	}
	if (k->kind == JS_AST_STR)
		return const_str(g, k->str, k->len);
	return const_cstr(g, k->str);
}

static const char *
key_name(struct js_ast_node *k, int computed)
{
	if (computed)
		return NULL;
	if (k->kind == JS_AST_IDENT || k->kind == JS_AST_STR)
		return k->str;
	return NULL;
}

static void
compile_args(struct cgen *g, struct js_ast_node *list, int *spread, uint32_t *n)
{
	struct js_ast_node *e;

	*spread = 0;
	*n = 0;
	for (e = list; e != NULL; e = e->next)
		if (e->kind == JS_AST_SPREAD)
			*spread = 1;
	if (*spread) {
		emit0(g, JS_BC_ARRAY, 1);
		for (e = list; e != NULL; e = e->next) {
			if (e->kind == JS_AST_SPREAD) {
				compile_expr(g, e->a);
				emit0(g, JS_BC_ASPREAD, -1);
			} else {
				compile_expr(g, e);
				emit0(g, JS_BC_APUSH, -1);
			}
		}
		return;
	}
	for (e = list; e != NULL; e = e->next) {
		compile_expr(g, e);
		(*n)++;
	}
}

static void
optional_check(struct cgen *g, uint32_t popn)
{
	uint32_t at = emit2(g, JS_BC_JNULLISH, popn, 0, 0);

	add_patch(g, &g->chain, at);
}

static void
load_this(struct cgen *g, struct js_ast_node *n)
{
	struct cbind *b = n->ext;
	struct cscope *s;

	if (n->kind == JS_AST_SUPER) {
		/* ext is the home binding; this lives beside it */
		for (s = g->scope; s != NULL; s = s->parent)
			if (s->is_func && !s->fn->arrow)
				break;
		b = s != NULL ? scope_find(s, "*this*") : NULL;
	}

	if (b == NULL)
		emit0(g, JS_BC_UNDEF, 1);
	else
		load_bind(g, b, "this");
}

/* Pushes func and this for a call to callee. */
static void
compile_callee(struct cgen *g, struct js_ast_node *callee)
{
	int64_t k;

	if (callee->kind == JS_AST_MEMBER && callee->a->kind == JS_AST_SUPER) {
		load_this(g, callee->a);
		load_bind(g, callee->a->ext, "super");
		k = prop_key(g, callee->b, callee->flags & JS_AST_F_COMPUTED);
		if (k >= 0)
			emit1(g, JS_BC_CONST, (uint32_t)k, 1);
		emit0(g, JS_BC_GET_SUPER, -2);
		load_this(g, callee->a);
		return;
	}
	if (callee->kind == JS_AST_MEMBER) {
		compile_expr(g, callee->a);
		if (callee->flags & JS_AST_F_OPTIONAL)
			optional_check(g, 1);
		emit0(g, JS_BC_DUP, 1);
		set_pos(g, callee->b);
		if (callee->flags & JS_AST_F_COMPUTED) {
			compile_expr(g, callee->b);
			emit0(g, JS_BC_GET_ELEM, -1);
		} else
			emit1(g, JS_BC_GET_PROP, const_cstr(g, callee->b->str),
			    0);
		emit0(g, JS_BC_SWAP, 0);
		return;
	}
	compile_expr(g, callee);
	emit0(g, JS_BC_UNDEF, 1);
}

/* Source-like text of a callee for "x is not a function". */
static void
describe(struct buf *b, const struct js_ast_node *n, int depth)
{
	int r = 0;

	if (depth > 8) {
		r = buf_append_str(b, "...");
	} else if (n->kind == JS_AST_IDENT) {
		r = buf_append_str(b, n->str);
	} else if (n->kind == JS_AST_THIS) {
		r = buf_append_str(b, "this");
	} else if (n->kind == JS_AST_SUPER) {
		r = buf_append_str(b, "super");
	} else if (n->kind == JS_AST_CHAIN) {
		describe(b, n->a, depth + 1);
	} else if (n->kind == JS_AST_MEMBER) {
		describe(b, n->a, depth + 1);
		if (n->flags & JS_AST_F_COMPUTED)
			r = buf_append_str(b, "[...]");
		else
			r = buf_printf(b, "%s%s",
			    (n->flags & JS_AST_F_OPTIONAL) ? "?." : ".",
			    n->b->str);
	} else if (n->kind == JS_AST_CALL) {
		describe(b, n->a, depth + 1);
		r = buf_append_str(b, "(...)");
	} else
		r = buf_append_str(b, "expression");
	(void)r;
}

static uint32_t
callee_desc(struct cgen *g, const struct js_ast_node *n)
{
	struct buf b;
	uint32_t k;

	buf_init(&b);
	describe(&b, n, 0);
	k = const_str(g, buf_cstr(&b), b.len);
	buf_release(&b);
	return k;
}

static void
compile_call(struct cgen *g, struct js_ast_node *n)
{
	int spread;
	uint32_t argc;

	if (n->a->kind == JS_AST_SUPER) {
		compile_args(g, n->list, &spread, &argc);
		set_pos(g, n);
		if (spread)
			emit0(g, JS_BC_SUPER_CALL_SPREAD, 0);
		else
			emit1(g, JS_BC_SUPER_CALL, argc, 1 - (int)argc);
		return;
	}
	compile_callee(g, n->a);
	if (n->flags & JS_AST_F_OPTIONAL) {
		/* f?.(): the check is on the function, below this. */
		emit0(g, JS_BC_SWAP, 0);
		optional_check(g, 2);
		emit0(g, JS_BC_SWAP, 0);
	}
	compile_args(g, n->list, &spread, &argc);
	set_pos(g, n->a->kind == JS_AST_MEMBER ? n->a->b : n);
	if (spread)
		emit1(g, JS_BC_CALL_SPREAD, callee_desc(g, n->a), -2);
	else
		emit2(
		    g, JS_BC_CALL, argc, callee_desc(g, n->a), -1 - (int)argc);
}

static void
compile_member(struct cgen *g, struct js_ast_node *n)
{
	int64_t k;

	if (n->a->kind == JS_AST_SUPER) {
		load_this(g, n->a);
		load_bind(g, n->a->ext, "super");
		k = prop_key(g, n->b, n->flags & JS_AST_F_COMPUTED);
		if (k >= 0)
			emit1(g, JS_BC_CONST, (uint32_t)k, 1);
		set_pos(g, n);
		emit0(g, JS_BC_GET_SUPER, -2);
		return;
	}
	compile_expr(g, n->a);
	if (n->flags & JS_AST_F_OPTIONAL)
		optional_check(g, 1);
	/* errors point at the property, as V8's do */
	if (n->flags & JS_AST_F_COMPUTED) {
		compile_expr(g, n->b);
		set_pos(g, n->b);
		emit0(g, JS_BC_GET_ELEM, -1);
	} else {
		set_pos(g, n->b);
		emit1(g, JS_BC_GET_PROP, const_cstr(g, n->b->str), 0);
	}
}

static void
compile_template(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *e;
	int first = 1, i = 0;

	for (e = n->list; e != NULL; e = e->next, i++) {
		if (i % 2 == 0) {
			if (e->len == 0 && !(first && e->next == NULL))
				continue;
			emit1(g, JS_BC_CONST, const_str(g, e->str, e->len), 1);
		} else {
			compile_expr(g, e);
			emit0(g, JS_BC_TOSTR, 0);
		}
		if (!first)
			emit0(g, JS_BC_ADD, -1);
		first = 0;
	}
}

static void
compile_tagged(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *e, *tpl = n->b;
	uint32_t argc = 1;
	int i;

	compile_callee(g, n->a);
	emit0(g, JS_BC_ARRAY, 1);
	for (e = tpl->list, i = 0; e != NULL; e = e->next, i++) {
		if (i % 2 == 0) {
			emit1(g, JS_BC_CONST, const_str(g, e->str, e->len), 1);
			emit0(g, JS_BC_APUSH, -1);
		}
	}
	emit0(g, JS_BC_ARRAY, 1);
	for (e = tpl->list, i = 0; e != NULL; e = e->next, i++) {
		if (i % 2 == 0) {
			if (e->raw != NULL)
				emit1(g, JS_BC_CONST,
				    const_str(g, e->raw, e->raw_len), 1);
			else
				emit1(g, JS_BC_CONST,
				    const_str(g, e->str, e->len), 1);
			emit0(g, JS_BC_APUSH, -1);
		}
	}
	emit1(g, JS_BC_DEFINE_HIDDEN, const_cstr(g, "raw"), -1);
	for (e = tpl->list, i = 0; e != NULL; e = e->next, i++) {
		if (i % 2 == 1) {
			compile_expr(g, e);
			argc++;
		}
	}
	set_pos(g, n);
	emit2(g, JS_BC_CALL, argc, callee_desc(g, n->a), -1 - (int)argc);
}

static void
compile_object(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *p;
	int64_t k;
	int computed;

	emit0(g, JS_BC_OBJECT, 1);
	for (p = n->list; p != NULL; p = p->next) {
		set_pos(g, p);
		if (p->kind == JS_AST_SPREAD) {
			compile_expr(g, p->a);
			emit0(g, JS_BC_OSPREAD, -1);
			continue;
		}
		computed = (p->flags & JS_AST_F_COMPUTED) != 0;
		if (p->flags & (JS_AST_F_GET | JS_AST_F_SET)) {
			k = prop_key(g, p->a, computed);
			if (k >= 0)
				emit1(g, JS_BC_CONST, (uint32_t)k, 1);
			emit1(g, JS_BC_CLOSURE,
			    compile_func(g, p->b, key_name(p->a, computed), 1),
			    1);
			emit2(g, JS_BC_DEFINE_ACC,
			    (p->flags & JS_AST_F_GET) ? 1 : 2, 1, -2);
			continue;
		}
		if (!computed && !(p->flags & JS_AST_F_SHORTHAND) &&
		    !(p->flags & JS_AST_F_METHOD) &&
		    (p->a->kind == JS_AST_IDENT || p->a->kind == JS_AST_STR) &&
		    strcmp(p->a->str, "__proto__") == 0) {
			compile_expr(g, p->b);
			emit0(g, JS_BC_SET_PROTO, -1);
			continue;
		}
		k = prop_key(g, p->a, computed);
		if (p->flags & JS_AST_F_METHOD) {
			emit1(g, JS_BC_CLOSURE,
			    compile_func(g, p->b, key_name(p->a, computed), 1),
			    1);
			emit0(g, JS_BC_SET_HOME, 0);
		} else {
			g->name_hint = key_name(p->a, computed);
			compile_expr(g, p->b);
			g->name_hint = NULL;
		}
		if (k >= 0)
			emit1(g, JS_BC_DEFINE, (uint32_t)k, -1);
		else
			emit0(g, JS_BC_DEFINE_ELEM, -2);
	}
}

static void
compile_array(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *e;

	emit0(g, JS_BC_ARRAY, 1);
	for (e = n->list; e != NULL; e = e->next) {
		if (e->kind == JS_AST_HOLE) {
			cerr(g->c, e, "not supported: array hole");
			return;
		}
		if (e->kind == JS_AST_SPREAD) {
			compile_expr(g, e->a);
			emit0(g, JS_BC_ASPREAD, -1);
		} else {
			compile_expr(g, e);
			emit0(g, JS_BC_APUSH, -1);
		}
	}
}

/* Synthesised proto: a default constructor. */
static uint32_t
default_ctor(struct cgen *g, const char *name, int derived)
{
	struct js_proto *p;
	uint32_t *code;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (code = calloc(4, sizeof(*code))) == NULL) {
		free(p);
		cerr(g->c, NULL, "out of memory");
		return 0;
	}
	if (derived) {
		code[0] = JS_BC_SUPER_FWD;
		code[1] = JS_BC_POP;
		code[2] = JS_BC_RET_UNDEF;
		p->ncode = 3;
	} else {
		code[0] = JS_BC_RET_UNDEF;
		p->ncode = 1;
	}
	p->code = code;
	p->maxstack = 2;
	p->ctor = 1;
	p->is_class = 1;
	p->method = 1;
	p->derived = derived;
	p->module = g->c->mod;
	p->name = js_str_intern(g->c->vm, name, strlen(name));
	p->all_next = g->c->vm->protos;
	g->c->vm->protos = p;
	if (grow(g->c, (void **)&g->protos, &g->pcap, g->nprot + 1,
		sizeof(*g->protos)) == -1)
		return 0;
	g->protos[g->nprot] = p;
	return g->nprot++;
}

static uint32_t compile_body(struct cgen *parent, struct js_ast_node *fn,
    struct cscope *s, const char *name, int kind, struct js_ast_node *cls,
    int is_static);

static void
compile_class(struct cgen *g, struct js_ast_node *n, const char *name)
{
	struct cclass *cc = n->ext;
	struct js_ast_node *m, *ctor = NULL;
	struct cscope *outer = g->scope;
	struct ctl envctl;
	int64_t k;
	const char *cname = n->str != NULL ? n->str : (name ? name : "");

	enter_scope(g, cc->name_scope, &envctl);
	for (m = n->list; m != NULL; m = m->next)
		if (m->kind == JS_AST_METHOD && (m->flags & JS_AST_F_CTOR))
			ctor = m;
	if (n->a != NULL)
		compile_expr(g, n->a);
	else
		emit0(g, JS_BC_UNDEF, 1);
	if (ctor != NULL)
		emit1(g, JS_BC_CLOSURE,
		    compile_func(g, ctor->b, cname, n->a != NULL ? 3 : 2), 1);
	else
		emit1(
		    g, JS_BC_CLOSURE, default_ctor(g, cname, n->a != NULL), 1);
	set_pos(g, n);
	emit1(g, JS_BC_CLASS, n->a != NULL, 0);
	if (cc->name_scope != NULL) {
		emit1(g, JS_BC_PICK, 1, 1);
		store_bind(g, cc->name_scope->binds, n->str, 1, 0);
	}
	for (m = n->list; m != NULL; m = m->next) {
		if (m->kind != JS_AST_METHOD || m == ctor)
			continue;
		set_pos(g, m);
		k = prop_key(g, m->a, m->flags & JS_AST_F_COMPUTED);
		if (k >= 0)
			emit1(g, JS_BC_CONST, (uint32_t)k, 1);
		emit1(g, JS_BC_CLOSURE,
		    compile_func(g, m->b,
			key_name(m->a, m->flags & JS_AST_F_COMPUTED), 1),
		    1);
		emit2(g, JS_BC_METHOD,
		    (m->flags & JS_AST_F_GET)	    ? 1
			: (m->flags & JS_AST_F_SET) ? 2
						    : 0,
		    (m->flags & JS_AST_F_STATIC) != 0, -2);
	}
	if (cc->ifields != NULL) {
		emit1(g, JS_BC_CLOSURE,
		    compile_body(g, NULL, cc->ifields, "<fields>", 1, n, 0), 1);
		emit0(g, JS_BC_SET_FIELDS, -1);
	}
	if (cc->sfields != NULL) {
		emit1(g, JS_BC_CLOSURE,
		    compile_body(g, NULL, cc->sfields, "<static>", 1, n, 1), 1);
		emit1(g, JS_BC_PICK, 2, 1);
		emit2(g, JS_BC_CALL, 0, const_cstr(g, "<static>"), -1);
		emit0(g, JS_BC_POP, -1);
	}
	emit0(g, JS_BC_POP, -1);
	leave_scope(g, cc->name_scope, outer);
}

static void
compile_update(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *t = n->a;
	int prefix = (n->flags & JS_AST_F_PREFIX) != 0;
	int op = n->op == JS_OP_INC ? JS_BC_INC : JS_BC_DEC;

	if (t->kind == JS_AST_IDENT) {
		load_bind(g, t->ext, t->str);
		if (prefix)
			emit0(g, op, 0);
		else {
			emit0(g, JS_BC_TONUM, 0);
			emit0(g, JS_BC_DUP, 1);
			emit0(g, op, 0);
		}
		store_bind(g, t->ext, t->str, 0, 1);
		if (!prefix)
			emit0(g, JS_BC_POP, -1);
		return;
	}
	if (t->kind != JS_AST_MEMBER || t->a->kind == JS_AST_SUPER) {
		cerr(g->c, t, "not supported: update of this target");
		return;
	}
	compile_expr(g, t->a);
	if (t->flags & JS_AST_F_COMPUTED) {
		compile_expr(g, t->b);
		emit0(g, JS_BC_DUP2, 2);
		emit0(g, JS_BC_GET_ELEM, -1);
		if (prefix) {
			emit0(g, op, 0);
			emit0(g, JS_BC_SET_ELEM, -2);
		} else {
			emit0(g, JS_BC_TONUM, 0);
			emit0(g, JS_BC_DUP, 1);
			emit0(g, JS_BC_ROT4, 0);
			emit0(g, op, 0);
			emit0(g, JS_BC_SET_ELEM, -2);
			emit0(g, JS_BC_POP, -1);
		}
		return;
	}
	emit0(g, JS_BC_DUP, 1);
	emit1(g, JS_BC_GET_PROP, const_cstr(g, t->b->str), 0);
	if (prefix) {
		emit0(g, op, 0);
		emit1(g, JS_BC_SET_PROP, const_cstr(g, t->b->str), -1);
	} else {
		emit0(g, JS_BC_TONUM, 0);
		emit0(g, JS_BC_DUP, 1);
		emit0(g, JS_BC_ROT3, 0);
		emit0(g, op, 0);
		emit1(g, JS_BC_SET_PROP, const_cstr(g, t->b->str), -1);
		emit0(g, JS_BC_POP, -1);
	}
}

static int
bin_opcode(int op)
{
	switch (op) {
	case JS_OP_ADD:
		return JS_BC_ADD;
	case JS_OP_SUB:
		return JS_BC_SUB;
	case JS_OP_MUL:
		return JS_BC_MUL;
	case JS_OP_LT:
		return JS_BC_LT;
	case JS_OP_LE:
		return JS_BC_LE;
	case JS_OP_GT:
		return JS_BC_GT;
	case JS_OP_GE:
		return JS_BC_GE;
	case JS_OP_SEQ:
		return JS_BC_SEQ;
	case JS_OP_SNE:
		return JS_BC_SNE;
	default:
		return -1;
	}
}

static void
emit_binop(struct cgen *g, int op)
{
	int o = bin_opcode(op);

	if (o >= 0)
		emit0(g, o, -1);
	else
		emit1(g, JS_BC_BIN, (uint32_t)op, -1);
}

static int
logical_jump(int op)
{
	return op == JS_OP_AND ? JS_BC_JF_KEEP
	    : op == JS_OP_OR   ? JS_BC_JT_KEEP
			       : JS_BC_JNN_KEEP;
}

static void
compile_assign(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *t = n->a;
	int logical =
	    n->op == JS_OP_AND || n->op == JS_OP_OR || n->op == JS_OP_NULLISH;
	uint32_t at, at2, kk = 0;
	int computed;

	if (n->op == JS_OP_ASSIGN) {
		if (t->kind == JS_AST_IDENT) {
			g->name_hint = t->str;
			compile_expr(g, n->b);
			g->name_hint = NULL;
			set_pos(g, n);
			store_bind(g, t->ext, t->str, 0, 1);
			return;
		}
		if (t->kind == JS_AST_MEMBER && t->a->kind != JS_AST_SUPER) {
			compile_expr(g, t->a);
			if (t->flags & JS_AST_F_COMPUTED) {
				compile_expr(g, t->b);
				compile_expr(g, n->b);
				set_pos(g, n);
				emit0(g, JS_BC_SET_ELEM, -2);
			} else {
				compile_expr(g, n->b);
				set_pos(g, n);
				emit1(g, JS_BC_SET_PROP,
				    const_cstr(g, t->b->str), -1);
			}
			return;
		}
		if (t->kind == JS_AST_ARRAY_PAT ||
		    t->kind == JS_AST_OBJECT_PAT) {
			compile_expr(g, n->b);
			emit0(g, JS_BC_DUP, 1);
			compile_pattern(g, t, 0);
			return;
		}
		cerr(g->c, t, "not supported: assignment to this target");
		return;
	}
	if (t->kind == JS_AST_IDENT) {
		load_bind(g, t->ext, t->str);
		if (logical) {
			at = emit1(g, logical_jump(n->op), 0, -1);
			g->name_hint = t->str;
			compile_expr(g, n->b);
			g->name_hint = NULL;
			store_bind(g, t->ext, t->str, 0, 1);
			patch_at(g, at, here(g));
			return;
		}
		compile_expr(g, n->b);
		set_pos(g, n);
		emit_binop(g, n->op);
		store_bind(g, t->ext, t->str, 0, 1);
		return;
	}
	if (t->kind != JS_AST_MEMBER || t->a->kind == JS_AST_SUPER) {
		cerr(g->c, t, "not supported: assignment to this target");
		return;
	}
	computed = (t->flags & JS_AST_F_COMPUTED) != 0;
	compile_expr(g, t->a);
	if (computed) {
		compile_expr(g, t->b);
		emit0(g, JS_BC_DUP2, 2);
		emit0(g, JS_BC_GET_ELEM, -1);
	} else {
		kk = const_cstr(g, t->b->str);
		emit0(g, JS_BC_DUP, 1);
		emit1(g, JS_BC_GET_PROP, kk, 0);
	}
	if (logical) {
		/* obj [key] old: keep old when it decides */
		at = emit1(g, logical_jump(n->op), 0, -1);
		compile_expr(g, n->b);
		if (computed)
			emit0(g, JS_BC_SET_ELEM, -2);
		else
			emit1(g, JS_BC_SET_PROP, kk, -1);
		at2 = emit1(g, JS_BC_JMP, 0, 0);
		patch_at(g, at, here(g));
		g->depth += computed ? 2 : 1;
		emit0(g, JS_BC_SWAP, 0);
		emit0(g, JS_BC_POP, -1);
		if (computed) {
			emit0(g, JS_BC_SWAP, 0);
			emit0(g, JS_BC_POP, -1);
		}
		patch_at(g, at2, here(g));
		return;
	}
	compile_expr(g, n->b);
	set_pos(g, n);
	emit_binop(g, n->op);
	if (computed)
		emit0(g, JS_BC_SET_ELEM, -2);
	else
		emit1(g, JS_BC_SET_PROP, kk, -1);
}

static void
compile_unary(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *a = n->a;

	if (n->op == JS_OP_DELETE) {
		while (a->kind == JS_AST_CHAIN)
			a = a->a;
		if (a->kind != JS_AST_MEMBER || a->a->kind == JS_AST_SUPER ||
		    (a->flags & JS_AST_F_OPTIONAL)) {
			if (a->kind == JS_AST_MEMBER) {
				cerr(g->c, n,
				    "not supported: delete of this "
				    "target");
				return;
			}
			compile_expr(g, a);
			emit0(g, JS_BC_POP, -1);
			emit0(g, JS_BC_TRUE, 1);
			return;
		}
		compile_expr(g, a->a);
		set_pos(g, n);
		if (a->flags & JS_AST_F_COMPUTED) {
			compile_expr(g, a->b);
			emit0(g, JS_BC_DEL_ELEM, -1);
		} else
			emit1(g, JS_BC_DEL_PROP, const_cstr(g, a->b->str), 0);
		return;
	}
	if (n->op == JS_OP_TYPEOF && a->kind == JS_AST_IDENT &&
	    a->ext == NULL) {
		emit1(g, JS_BC_TYPEOF_GLOBAL, const_cstr(g, a->str), 1);
		return;
	}
	compile_expr(g, a);
	set_pos(g, n);
	emit1(g, JS_BC_UN, (uint32_t)n->op, 0);
}

static void
compile_expr(struct cgen *g, struct js_ast_node *n)
{
	uint32_t at, at2;
	struct patch *saved_chain;
	struct js_ast_node *e;
	const char *hint;

	if (g->c->failed)
		return;
	set_pos(g, n);
	hint = g->name_hint;
	g->name_hint = NULL;
	switch (n->kind) {
	case JS_AST_NUM:
		compile_number(g, n->num);
		break;
	case JS_AST_STR:
		emit1(g, JS_BC_CONST, const_str(g, n->str, n->len), 1);
		break;
	case JS_AST_TEMPLATE:
		compile_template(g, n);
		break;
	case JS_AST_TAGGED:
		compile_tagged(g, n);
		break;
	case JS_AST_IDENT:
		load_bind(g, n->ext, n->str);
		break;
	case JS_AST_THIS:
		load_this(g, n);
		break;
	case JS_AST_NULL:
		emit0(g, JS_BC_NULL, 1);
		break;
	case JS_AST_TRUE:
		emit0(g, JS_BC_TRUE, 1);
		break;
	case JS_AST_FALSE:
		emit0(g, JS_BC_FALSE, 1);
		break;
	case JS_AST_ARRAY:
		compile_array(g, n);
		break;
	case JS_AST_OBJECT:
		compile_object(g, n);
		break;
	case JS_AST_FUNC:
		emit1(g, JS_BC_CLOSURE, compile_func(g, n, hint, 0), 1);
		break;
	case JS_AST_CLASS:
		compile_class(g, n, hint);
		break;
	case JS_AST_UNARY:
		compile_unary(g, n);
		break;
	case JS_AST_UPDATE:
		compile_update(g, n);
		break;
	case JS_AST_BINARY:
		compile_expr(g, n->a);
		compile_expr(g, n->b);
		set_pos(g, n);
		emit_binop(g, n->op);
		break;
	case JS_AST_LOGICAL:
		compile_expr(g, n->a);
		at = emit1(g, logical_jump(n->op), 0, -1);
		compile_expr(g, n->b);
		patch_at(g, at, here(g));
		break;
	case JS_AST_ASSIGN:
		compile_assign(g, n);
		break;
	case JS_AST_COND:
		compile_expr(g, n->a);
		at = emit1(g, JS_BC_JF, 0, -1);
		compile_expr(g, n->b);
		at2 = emit1(g, JS_BC_JMP, 0, 0);
		patch_at(g, at, here(g));
		g->depth--;
		compile_expr(g, n->c);
		patch_at(g, at2, here(g));
		break;
	case JS_AST_CALL:
		compile_call(g, n);
		break;
	case JS_AST_NEW: {
		int spread;
		uint32_t argc;

		compile_expr(g, n->a);
		emit0(g, JS_BC_UNDEF, 1);
		compile_args(g, n->list, &spread, &argc);
		set_pos(g, n);
		if (spread)
			emit1(g, JS_BC_NEW_SPREAD, callee_desc(g, n->a), -2);
		else
			emit2(g, JS_BC_NEW, argc, callee_desc(g, n->a),
			    -1 - (int)argc);
		break;
	}
	case JS_AST_MEMBER:
		compile_member(g, n);
		break;
	case JS_AST_CHAIN:
		saved_chain = g->chain;
		g->chain = NULL;
		compile_expr(g, n->a);
		patch_list(g, g->chain, here(g));
		g->chain = saved_chain;
		break;
	case JS_AST_SEQ:
		for (e = n->list; e != NULL; e = e->next) {
			compile_expr(g, e);
			if (e->next != NULL)
				emit0(g, JS_BC_POP, -1);
		}
		break;
	case JS_AST_AWAIT:
		compile_expr(g, n->a);
		set_pos(g, n);
		emit0(g, JS_BC_AWAIT, 0);
		break;
	case JS_AST_SUPER:
		cerr(g->c, n, "not supported: super here");
		break;
	default:
		cerr(g->c, n, "not supported: %s expression",
		    js_ast_kind_name(n->kind));
		break;
	}
}

/* ---- patterns ---- */

static void
compile_pattern(struct cgen *g, struct js_ast_node *p, int init)
{
	struct js_ast_node *e, *t;
	uint32_t at;
	int64_t k;
	struct js_obj *ex = NULL;

	if (g->c->failed)
		return;
	set_pos(g, p);
	switch (p->kind) {
	case JS_AST_IDENT:
		store_bind(g, p->ext, p->str, init, 0);
		break;
	case JS_AST_MEMBER:
		if (p->a->kind == JS_AST_SUPER) {
			cerr(g->c, p, "not supported: assignment to super");
			return;
		}
		compile_expr(g, p->a);
		emit0(g, JS_BC_SWAP, 0);
		if (p->flags & JS_AST_F_COMPUTED) {
			compile_expr(g, p->b);
			emit0(g, JS_BC_SWAP, 0);
			emit0(g, JS_BC_SET_ELEM, -2);
		} else
			emit1(g, JS_BC_SET_PROP, const_cstr(g, p->b->str), -1);
		emit0(g, JS_BC_POP, -1);
		break;
	case JS_AST_ASSIGN_PAT:
		at = emit1(g, JS_BC_JNU_KEEP, 0, -1);
		if (p->a->kind == JS_AST_IDENT)
			g->name_hint = p->a->str;
		compile_expr(g, p->b);
		g->name_hint = NULL;
		patch_at(g, at, here(g));
		compile_pattern(g, p->a, init);
		break;
	case JS_AST_ARRAY_PAT:
		emit0(g, JS_BC_ITER, 0);
		for (e = p->list; e != NULL; e = e->next) {
			if (e->kind == JS_AST_HOLE) {
				emit0(g, JS_BC_ITER_STEP, 1);
				emit0(g, JS_BC_POP, -1);
			} else if (e->kind == JS_AST_REST) {
				emit0(g, JS_BC_ITER_REST, 1);
				compile_pattern(g, e->a, init);
			} else {
				emit0(g, JS_BC_ITER_STEP, 1);
				compile_pattern(g, e, init);
			}
		}
		emit0(g, JS_BC_POP, -1);
		break;
	case JS_AST_OBJECT_PAT:
		t = p->list;
		emit1(g, JS_BC_REQ_OBJ,
		    t != NULL && t->kind == JS_AST_PROP &&
			    !(t->flags & JS_AST_F_COMPUTED) &&
			    key_name(t->a, 0) != NULL
			? const_cstr(g, key_name(t->a, 0))
			: const_cstr(g, ""),
		    0);
		for (e = p->list; e != NULL; e = e->next) {
			if (e->kind == JS_AST_REST) {
				if ((ex = js_arr_new(g->c->vm, 0)) == NULL) {
					cerr(g->c, e, "out of memory");
					return;
				}
				k = add_const(g, js_mkobj(ex));
				for (t = p->list; t != e; t = t->next) {
					struct js_str *ks;
					int64_t kc;

					if (t->flags & JS_AST_F_COMPUTED) {
						cerr(g->c, t,
						    "not supported: rest after "
						    "a computed key");
						return;
					}
					kc = prop_key(g, t->a, 0);
					ks = JS_STR(g->consts[kc]);
					if (js_arr_push(g->c->vm, ex,
						js_mkstr(ks)) == -1) {
						cerr(g->c, e, "out of memory");
						return;
					}
				}
				emit0(g, JS_BC_DUP, 1);
				emit1(g, JS_BC_OBJ_REST, (uint32_t)k, 0);
				compile_pattern(g, e->a, init);
				continue;
			}
			emit0(g, JS_BC_DUP, 1);
			k = prop_key(g, e->a, e->flags & JS_AST_F_COMPUTED);
			set_pos(g, e);
			if (k >= 0)
				emit1(g, JS_BC_GET_PROP, (uint32_t)k, 0);
			else
				emit0(g, JS_BC_GET_ELEM, -1);
			compile_pattern(g, e->b, init);
		}
		emit0(g, JS_BC_POP, -1);
		break;
	default:
		cerr(g->c, p, "not supported: %s as a target",
		    js_ast_kind_name(p->kind));
		break;
	}
}

/* ---- statements ---- */

/* An expression whose value is dropped; i++ then needs no old value. */
static void
compile_discard(struct cgen *g, struct js_ast_node *e)
{
	unsigned saved = e->flags;
	struct cbind *b;
	uint32_t w;

	/* x += e as a statement on a let/var/parameter: the VM may grow
	 * the string in place (building text in a loop stays linear). */
	if (e->kind == JS_AST_ASSIGN && e->op == JS_OP_ADD &&
	    e->a->kind == JS_AST_IDENT && (b = e->a->ext) != NULL &&
	    b->loc != LOC_IMPORT &&
	    (b->kind == BK_LET || b->kind == BK_VAR || b->kind == BK_PARAM)) {
		w = b->loc == LOC_ENV ? (env_depth(g, b) << 1) | 1 : 0;
		set_pos(g, e);
		emit3(g, JS_BC_APPEND_BEGIN, w, b->idx,
		    const_cstr(g, e->a->str), 2);
		compile_expr(g, e->b);
		set_pos(g, e);
		emit2(g, JS_BC_APPEND_END, w, b->idx, -3);
		return;
	}
	if (e->kind == JS_AST_UPDATE)
		e->flags |= JS_AST_F_PREFIX;
	compile_expr(g, e);
	e->flags = saved;
	emit0(g, JS_BC_POP, -1);
}

static void
compile_var(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *d;

	for (d = n->list; d != NULL; d = d->next) {
		set_pos(g, d);
		if (d->b != NULL) {
			if (d->a->kind == JS_AST_IDENT)
				g->name_hint = d->a->str;
			compile_expr(g, d->b);
			g->name_hint = NULL;
			compile_pattern(g, d->a, 1);
		} else if (n->flags & (JS_AST_F_LET | JS_AST_F_CONST)) {
			emit0(g, JS_BC_UNDEF, 1);
			compile_pattern(g, d->a, 1);
		}
	}
}

static void
loop_labels(struct ctl *x, const char **labels, int nlabels)
{
	int i;

	for (i = 0; i < nlabels && i < 8; i++)
		x->labels[i] = labels[i];
	x->nlabels = nlabels < 8 ? nlabels : 8;
}

static void
compile_loop(
    struct cgen *g, struct js_ast_node *n, const char **labels, int nlabels)
{
	struct ctl loop, envctl, itenv;
	struct cscope *outer = g->scope, *s = n->ext;
	uint32_t top, at, cont;

	switch (n->kind) {
	case JS_AST_WHILE:
		push_ctl(g, &loop, CTL_LOOP);
		loop_labels(&loop, labels, nlabels);
		top = here(g);
		compile_expr(g, n->a);
		at = emit1(g, JS_BC_JF, 0, -1);
		compile_stmt(g, n->b);
		emit1(g, JS_BC_JMP, top, 0);
		g->ctl = loop.prev;
		patch_at(g, at, here(g));
		patch_list(g, loop.brk, here(g));
		patch_list(g, loop.cont, top);
		break;
	case JS_AST_DO_WHILE:
		push_ctl(g, &loop, CTL_LOOP);
		loop_labels(&loop, labels, nlabels);
		top = here(g);
		compile_stmt(g, n->a);
		cont = here(g);
		compile_expr(g, n->b);
		emit1(g, JS_BC_JT, top, -1);
		g->ctl = loop.prev;
		patch_list(g, loop.brk, here(g));
		patch_list(g, loop.cont, cont);
		break;
	case JS_AST_FOR:
		enter_scope(g, s, &envctl);
		if (n->a != NULL) {
			if (n->a->kind == JS_AST_VAR)
				compile_var(g, n->a);
			else {
				compile_expr(g, n->a);
				emit0(g, JS_BC_POP, -1);
			}
		}
		push_ctl(g, &loop, CTL_LOOP);
		loop_labels(&loop, labels, nlabels);
		top = here(g);
		at = UINT32_MAX;
		if (n->b != NULL) {
			compile_expr(g, n->b);
			at = emit1(g, JS_BC_JF, 0, -1);
		}
		compile_stmt(g, n->d);
		cont = here(g);
		if (s != NULL && s->has_env)
			emit1(g, JS_BC_ENV_COPY, s->nenv, 0);
		if (n->c != NULL)
			compile_discard(g, n->c);
		emit1(g, JS_BC_JMP, top, 0);
		g->ctl = loop.prev;
		if (at != UINT32_MAX)
			patch_at(g, at, here(g));
		patch_list(g, loop.brk, here(g));
		patch_list(g, loop.cont, cont);
		leave_scope(g, s, outer);
		break;
	case JS_AST_FOR_IN:
	case JS_AST_FOR_OF:
		compile_expr(g, n->b);
		set_pos(g, n);
		emit0(
		    g, n->kind == JS_AST_FOR_IN ? JS_BC_FORIN : JS_BC_ITER, 0);
		push_ctl(g, &loop, CTL_LOOP);
		loop.nstack = 1;
		loop.forof = n->kind == JS_AST_FOR_OF;
		loop_labels(&loop, labels, nlabels);
		top = here(g);
		at = emit1(g, JS_BC_ITER_NEXT, 0, 1);
		enter_scope(g, s, &itenv);
		if (n->a->kind == JS_AST_VAR)
			compile_pattern(g, n->a->list->a, 1);
		else
			compile_pattern(g, n->a, 0);
		compile_stmt(g, n->c);
		leave_scope(g, s, outer);
		emit1(g, JS_BC_JMP, top, 0);
		g->ctl = loop.prev;
		patch_at(g, at, here(g));
		patch_list(g, loop.brk, here(g));
		patch_list(g, loop.cont, top);
		emit0(g, JS_BC_POP, -1);
		break;
	default:
		break;
	}
}

static int
is_loop(const struct js_ast_node *n)
{
	return n->kind == JS_AST_FOR || n->kind == JS_AST_FOR_IN ||
	    n->kind == JS_AST_FOR_OF || n->kind == JS_AST_WHILE ||
	    n->kind == JS_AST_DO_WHILE;
}

static void
compile_labeled(struct cgen *g, struct js_ast_node *n)
{
	const char *labels[8];
	int nl = 0;
	struct ctl x;

	while (n->kind == JS_AST_LABELED) {
		if (nl < 8)
			labels[nl++] = n->str;
		n = n->a;
	}
	if (is_loop(n)) {
		compile_loop(g, n, labels, nl);
		return;
	}
	push_ctl(g, &x, CTL_LABEL);
	loop_labels(&x, labels, nl);
	compile_stmt(g, n);
	g->ctl = x.prev;
	patch_list(g, x.brk, here(g));
}

static void
compile_try(struct cgen *g, struct js_ast_node *n)
{
	struct ctl fin, tc, envctl;
	struct cscope *outer = g->scope;
	uint32_t at_fin = 0, at_catch, at_after, at_end, r;
	int depth = g->depth;

	if (count_try(g) + 2 > JS_MAX_TRY) {
		cerr(g->c, n, "not supported: try nested deeper than %d",
		    JS_MAX_TRY);
		return;
	}
	if (n->d != NULL) {
		push_ctl(g, &fin, CTL_FINALLY);
		fin.fin = n->d;
		at_fin = emit1(g, JS_BC_TRY, 0, 0);
	}
	if (n->c != NULL) {
		push_ctl(g, &tc, CTL_TRY);
		at_catch = emit1(g, JS_BC_TRY, 0, 0);
		compile_stmt(g, n->a);
		emit0(g, JS_BC_TRY_END, 0);
		g->ctl = tc.prev;
		at_after = emit1(g, JS_BC_JMP, 0, 0);
		patch_at(g, at_catch, here(g));
		g->depth = depth + 1;
		adjust(g, 0);
		enter_scope(g, n->ext, &envctl);
		if (n->b != NULL)
			compile_pattern(g, n->b, 1);
		else
			emit0(g, JS_BC_POP, -1);
		compile_stmt(g, n->c);
		leave_scope(g, n->ext, outer);
		patch_at(g, at_after, here(g));
	} else
		compile_stmt(g, n->a);
	if (n->d != NULL) {
		emit0(g, JS_BC_TRY_END, 0);
		g->ctl = fin.prev;
		compile_stmt(g, n->d);
		at_end = emit1(g, JS_BC_JMP, 0, 0);
		patch_at(g, at_fin, here(g));
		g->depth = depth + 1;
		adjust(g, 0);
		r = alloc_reg(g);
		emit1(g, JS_BC_INIT_LOC, r, -1);
		compile_stmt(g, n->d);
		emit1(g, JS_BC_GET_LOC, r, 1);
		emit0(g, JS_BC_THROW, -1);
		patch_at(g, at_end, here(g));
	}
	g->depth = depth;
}

static void
compile_switch(struct cgen *g, struct js_ast_node *n)
{
	struct ctl sw, envctl;
	struct cscope *outer = g->scope;
	struct js_ast_node *cs;
	uint32_t *jumps = NULL, ncase = 0, i, at_default = UINT32_MAX;
	struct js_ast_node *dflt = NULL;

	compile_expr(g, n->a);
	enter_scope(g, n->ext, &envctl);
	push_ctl(g, &sw, CTL_SWITCH);
	sw.nstack = 1;
	for (cs = n->list; cs != NULL; cs = cs->next)
		ncase++;
	if ((jumps = calloc_arena(g->c, (ncase + 1) * sizeof(*jumps))) == NULL)
		return;
	for (cs = n->list, i = 0; cs != NULL; cs = cs->next, i++) {
		if (cs->a == NULL) {
			dflt = cs;
			continue;
		}
		emit0(g, JS_BC_DUP, 1);
		compile_expr(g, cs->a);
		set_pos(g, cs);
		emit0(g, JS_BC_SEQ, -1);
		jumps[i] = emit1(g, JS_BC_JT, 0, -1);
	}
	at_default = emit1(g, JS_BC_JMP, 0, 0);
	for (cs = n->list, i = 0; cs != NULL; cs = cs->next, i++) {
		if (cs == dflt)
			patch_at(g, at_default, here(g));
		else
			patch_at(g, jumps[i], here(g));
		for (struct js_ast_node *s = cs->list; s != NULL; s = s->next)
			compile_stmt(g, s);
	}
	if (dflt == NULL)
		patch_at(g, at_default, here(g));
	g->ctl = sw.prev;
	patch_list(g, sw.brk, here(g));
	leave_scope(g, n->ext, outer);
	emit0(g, JS_BC_POP, -1);
}

static struct js_export *
add_export(struct cgen *g, const char *name, const struct js_ast_node *at)
{
	struct js_module *m = g->c->mod;
	struct js_export *e;
	uint32_t i;
	struct js_str *s;

	if ((s = js_str_intern(g->c->vm, name, strlen(name))) == NULL) {
		cerr(g->c, at, "out of memory");
		return NULL;
	}
	for (i = 0; i < m->nexports; i++) {
		if (m->exports[i].name == s) {
			cerr(g->c, at, "Duplicate export of '%s'", name);
			return NULL;
		}
	}
	if (grow(g->c, (void **)&m->exports, &m->ecap, m->nexports + 1,
		sizeof(*e)) == -1)
		return NULL;
	e = &m->exports[m->nexports++];
	memset(e, 0, sizeof(*e));
	e->name = s;
	e->val = JS_UNDEF;
	return e;
}

static void
export_binding(struct cgen *g, const char *name, struct cbind *b,
    const struct js_ast_node *at)
{
	struct js_export *e;
	struct js_cell *cell;

	if (b == NULL) {
		cerr(g->c, at, "Export '%s' is not defined in module", name);
		return;
	}
	if ((e = add_export(g, name, at)) == NULL)
		return;
	if (b->loc == LOC_IMPORT) {
		cell = &g->c->mod->cells[b->idx];
		if (cell->name == NULL) {
			cerr(g->c, at,
			    "not supported: re-export of a "
			    "namespace import");
			return;
		}
		e->kind = JS_EXP_INDIRECT;
		e->dep = cell->dep;
		e->dep_name = cell->name;
		return;
	}
	e->kind = JS_EXP_LOCAL;
	e->slot = b->idx;
}

static void
export_pattern(struct cgen *g, struct js_ast_node *p)
{
	struct js_ast_node *e;

	switch (p->kind) {
	case JS_AST_IDENT:
		export_binding(g, p->str, p->ext, p);
		break;
	case JS_AST_ARRAY_PAT:
		for (e = p->list; e != NULL; e = e->next)
			if (e->kind != JS_AST_HOLE)
				export_pattern(g, e);
		break;
	case JS_AST_OBJECT_PAT:
		for (e = p->list; e != NULL; e = e->next)
			export_pattern(g, e->kind == JS_AST_PROP ? e->b : e);
		break;
	case JS_AST_ASSIGN_PAT:
	case JS_AST_REST:
		export_pattern(g, p->a);
		break;
	default:
		break;
	}
}

static void
compile_export(struct cgen *g, struct js_ast_node *n)
{
	struct js_ast_node *d = n->a, *e;
	struct js_module *dep;
	struct js_export *x;

	switch (n->kind) {
	case JS_AST_EXPORT:
		compile_stmt(g, d);
		if (d->kind == JS_AST_VAR) {
			for (e = d->list; e != NULL; e = e->next)
				export_pattern(g, e->a);
		} else if (d->str != NULL)
			export_binding(
			    g, d->str, scope_find(g->scope, d->str), d);
		break;
	case JS_AST_EXPORT_DEFAULT:
		if ((d->kind == JS_AST_FUNC || d->kind == JS_AST_CLASS) &&
		    (d->flags & JS_AST_F_DECL) && d->str != NULL) {
			compile_stmt(g, d);
			export_binding(
			    g, "default", scope_find(g->scope, d->str), d);
			break;
		}
		g->name_hint = "default";
		compile_expr(g, d);
		g->name_hint = NULL;
		store_bind(
		    g, scope_find(g->scope, "*default*"), "*default*", 1, 0);
		export_binding(
		    g, "default", scope_find(g->scope, "*default*"), n);
		break;
	case JS_AST_EXPORT_NAMES:
		for (e = n->list; e != NULL; e = e->next) {
			if (n->str == NULL) {
				export_binding(g, e->str, e->a->ext, e);
				continue;
			}
			dep = g->c->lookup(g->c->lopaque, n->str);
			if ((x = add_export(g, e->str, e)) == NULL)
				return;
			x->kind = JS_EXP_INDIRECT;
			x->dep = dep;
			x->dep_name = js_str_intern(
			    g->c->vm, e->a->str, strlen(e->a->str));
			if (x->dep_name == NULL)
				cerr(g->c, e, "out of memory");
		}
		break;
	case JS_AST_EXPORT_ALL: {
		struct js_module *m = g->c->mod, **ns;

		dep = g->c->lookup(g->c->lopaque, n->str);
		ns = realloc(m->stars, (m->nstars + 1) * sizeof(*ns));
		if (ns == NULL) {
			cerr(g->c, n, "out of memory");
			return;
		}
		m->stars = ns;
		m->stars[m->nstars++] = dep;
		break;
	}
	default:
		break;
	}
}

static void
compile_stmt(struct cgen *g, struct js_ast_node *n)
{
	struct ctl envctl;
	struct cscope *outer = g->scope;
	uint32_t at, at2;

	if (g->c->failed || n == NULL)
		return;
	set_pos(g, n);
	switch (n->kind) {
	case JS_AST_VAR:
		compile_var(g, n);
		break;
	case JS_AST_EXPR:
		compile_discard(g, n->a);
		break;
	case JS_AST_BLOCK:
		enter_scope(g, n->ext, &envctl);
		for (struct js_ast_node *s = n->list; s != NULL; s = s->next)
			compile_stmt(g, s);
		leave_scope(g, n->ext, outer);
		break;
	case JS_AST_EMPTY:
	case JS_AST_IMPORT:
		break;
	case JS_AST_FUNC:
		if (!(n->flags & JS_AST_F_DECL)) {
			compile_expr(g, n);
			emit0(g, JS_BC_POP, -1);
		}
		break;
	case JS_AST_CLASS:
		compile_class(g, n, NULL);
		store_bind(g, scope_find(g->scope, n->str), n->str, 1, 0);
		break;
	case JS_AST_IF:
		compile_expr(g, n->a);
		at = emit1(g, JS_BC_JF, 0, -1);
		compile_stmt(g, n->b);
		if (n->c != NULL) {
			at2 = emit1(g, JS_BC_JMP, 0, 0);
			patch_at(g, at, here(g));
			compile_stmt(g, n->c);
			patch_at(g, at2, here(g));
		} else
			patch_at(g, at, here(g));
		break;
	case JS_AST_FOR:
	case JS_AST_FOR_IN:
	case JS_AST_FOR_OF:
	case JS_AST_WHILE:
	case JS_AST_DO_WHILE:
		compile_loop(g, n, NULL, 0);
		break;
	case JS_AST_LABELED:
		compile_labeled(g, n);
		break;
	case JS_AST_BREAK:
		compile_jump(g, n, 1);
		break;
	case JS_AST_CONTINUE:
		compile_jump(g, n, 0);
		break;
	case JS_AST_RETURN:
		if (n->a != NULL)
			compile_expr(g, n->a);
		else
			emit0(g, JS_BC_UNDEF, 1);
		set_pos(g, n);
		compile_return_value(g);
		break;
	case JS_AST_THROW:
		compile_expr(g, n->a);
		set_pos(g, n);
		emit0(g, JS_BC_THROW, -1);
		break;
	case JS_AST_TRY:
		compile_try(g, n);
		break;
	case JS_AST_SWITCH:
		compile_switch(g, n);
		break;
	case JS_AST_EXPORT:
	case JS_AST_EXPORT_DEFAULT:
	case JS_AST_EXPORT_NAMES:
	case JS_AST_EXPORT_ALL:
		compile_export(g, n);
		break;
	default:
		cerr(g->c, n, "not supported: %s statement",
		    js_ast_kind_name(n->kind));
		break;
	}
}

/* ---- functions ---- */

static struct js_proto *
finish(struct cgen *g, const char *name)
{
	struct js_proto *p;
	struct js_vm *vm = g->c->vm;

	if (g->c->failed)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		cerr(g->c, NULL, "out of memory");
		return NULL;
	}
	p->code = g->code;
	p->ncode = g->ncode;
	p->consts = g->consts;
	p->nconsts = g->ncon;
	p->protos = g->protos;
	p->nprotos = g->nprot;
	p->lines = g->lines;
	p->nlines = g->nlines;
	p->nregs = g->fi->nregs;
	p->maxstack = (uint32_t)g->maxdepth + 2;
	p->module = g->c->mod;
	g->code = NULL;
	g->consts = NULL;
	g->protos = NULL;
	g->lines = NULL;
	p->name = js_str_intern(vm, name ? name : "", name ? strlen(name) : 0);
	p->all_next = vm->protos;
	vm->protos = p;
	return p;
}

static void
cgen_release(struct cgen *g)
{
	free(g->code);
	free(g->consts);
	free(g->protos);
	free(g->lines);
}

/* Function prologue: environment, hidden bindings, TDZ, parameters,
 * hoisted functions. */
static void
prologue(struct cgen *g, struct cscope *s, struct js_ast_node *fn)
{
	struct cbind *b;
	struct js_ast_node *e;
	uint32_t i = 0;

	if (s->has_env && !s->module)
		emit1(g, JS_BC_ENV, s->nenv, 0);
	for (b = s->binds; b != NULL; b = b->next) {
		if (b->kind == BK_THIS)
			emit0(g, JS_BC_THIS, 1);
		else if (b->kind == BK_HOME)
			emit0(g, JS_BC_HOME, 1);
		else if (b->kind == BK_FNAME)
			emit0(g, JS_BC_FUNC, 1);
		else if (tdz_kind(b->kind))
			emit0(g, JS_BC_EMPTY, 1);
		else
			continue;
		store_bind(g, b, b->name, 1, 0);
	}
	for (e = fn != NULL ? fn->list : NULL; e != NULL; e = e->next, i++) {
		set_pos(g, e);
		if (e->kind == JS_AST_REST) {
			emit1(g, JS_BC_REST, i, 1);
			compile_pattern(g, e->a, 1);
		} else {
			emit1(g, JS_BC_ARG, i, 1);
			compile_pattern(g, e, 1);
		}
	}
	for (b = s->binds; b != NULL; b = b->next) {
		if (b->kind == BK_FUNC && b->decl != NULL) {
			set_pos(g, b->decl);
			emit1(g, JS_BC_CLOSURE,
			    compile_func(g, b->decl, b->name, 0), 1);
			store_bind(g, b, b->name, 1, 0);
		}
	}
}

static uint32_t
add_proto(struct cgen *g, struct js_proto *p)
{
	if (p == NULL)
		return 0;
	if (grow(g->c, (void **)&g->protos, &g->pcap, g->nprot + 1,
		sizeof(*g->protos)) == -1)
		return 0;
	g->protos[g->nprot] = p;
	return g->nprot++;
}

/* Compiles a function (fn) or the field initialiser of class cls into a
 * proto of parent.  kind: 0 function, 1 method, 2 base constructor, 3
 * derived constructor. */
static uint32_t
compile_body(struct cgen *parent, struct js_ast_node *fn, struct cscope *s,
    const char *name, int kind, struct js_ast_node *cls, int is_static)
{
	struct cgen g;
	struct js_proto *p;
	struct js_ast_node *e, *m;
	uint32_t nparams = 0;

	if (parent->c->failed)
		return 0;
	memset(&g, 0, sizeof(g));
	g.c = parent->c;
	g.parent = parent;
	g.fi = s->fn;
	g.scope = s;
	g.line = parent->line;
	g.col = parent->col;
	if (fn != NULL)
		set_pos(&g, fn);
	prologue(&g, s, fn);
	if (cls != NULL) {
		for (m = cls->list; m != NULL; m = m->next) {
			if (m->kind != JS_AST_FIELD ||
			    !!(m->flags & JS_AST_F_STATIC) != is_static)
				continue;
			set_pos(&g, m);
			emit0(&g, JS_BC_THIS, 1);
			if (m->b != NULL) {
				g.name_hint = key_name(m->a, 0);
				compile_expr(&g, m->b);
				g.name_hint = NULL;
			} else
				emit0(&g, JS_BC_UNDEF, 1);
			emit1(&g, JS_BC_DEFINE, (uint32_t)prop_key(&g, m->a, 0),
			    -1);
			emit0(&g, JS_BC_POP, -1);
		}
		emit0(&g, JS_BC_RET_UNDEF, 0);
	} else if (fn->flags & JS_AST_F_EXPR_BODY) {
		compile_expr(&g, fn->a);
		emit0(&g, JS_BC_RET, -1);
	} else {
		for (e = fn->a->list; e != NULL; e = e->next)
			compile_stmt(&g, e);
		emit0(&g, JS_BC_RET_UNDEF, 0);
	}
	if ((p = finish(&g, name)) == NULL) {
		cgen_release(&g);
		return 0;
	}
	if (fn != NULL) {
		for (e = fn->list; e != NULL; e = e->next) {
			if (e->kind == JS_AST_REST ||
			    e->kind == JS_AST_ASSIGN_PAT)
				break;
			nparams++;
		}
		p->arrow = (fn->flags & JS_AST_F_ARROW) != 0;
		p->async = (fn->flags & JS_AST_F_ASYNC) != 0;
	}
	p->nparams = nparams;
	p->method = kind != 0;
	p->ctor = kind >= 2;
	p->is_class = kind >= 2;
	p->derived = kind == 3;
	return add_proto(parent, p);
}

static uint32_t
compile_func(struct cgen *g, struct js_ast_node *n, const char *name, int kind)
{
	if (n->str != NULL)
		name = n->str;
	return compile_body(g, n, n->ext, name ? name : "", kind, NULL, 0);
}

void
js_compile_pos(
    const struct js_proto *p, uint32_t pc, unsigned *line, unsigned *col)
{
	uint32_t lo = 0, hi, mid, best = UINT32_MAX;

	*line = 0;
	*col = 0;
	if (p == NULL || p->nlines == 0)
		return;
	hi = p->nlines / 2;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (p->lines[mid * 2] <= pc) {
			best = mid;
			lo = mid + 1;
		} else
			hi = mid;
	}
	if (best == UINT32_MAX)
		best = 0;
	*line = p->lines[best * 2 + 1] >> 12;
	*col = p->lines[best * 2 + 1] & 4095;
}

static int
count_imports(struct js_ast_node *prog)
{
	struct js_ast_node *s, *e;
	int n = 0;

	for (s = prog->list; s != NULL; s = s->next)
		if (s->kind == JS_AST_IMPORT)
			for (e = s->list; e != NULL; e = e->next)
				n++;
	return n;
}

struct js_proto *
js_compile_module(struct js_vm *vm, struct js_ast *t, struct js_module *mod,
    js_compile_lookup_fn *lookup, void *opaque, uint32_t *nenv)
{
	struct comp c;
	struct cgen g;
	struct cfninfo *fi;
	struct cscope *s;
	struct js_proto *p = NULL;
	struct js_ast_node *e;
	int ni;

	memset(&c, 0, sizeof(c));
	c.vm = vm;
	c.t = t;
	c.mod = mod;
	c.filename = mod->filename;
	c.lookup = lookup;
	c.lopaque = opaque;
	memset(&g, 0, sizeof(g));
	ni = count_imports(t->root);
	if (ni > 0 &&
	    (mod->cells = calloc((size_t)ni, sizeof(*mod->cells))) == NULL)
		goto fail_oom;
	for (int i = 0; i < ni; i++)
		mod->cells[i].val = JS_UNDEF;
	if ((fi = calloc_arena(&c, sizeof(*fi))) == NULL ||
	    (s = scope_new(&c, NULL, fi, 1)) == NULL)
		goto fail;
	s->module = 1;
	hoist_vars(&c, s, t->root);
	hoist_lexical(&c, s, t->root->list, 1);
	c.fn = fi;
	c.scope = s;
	resolve_list(&c, t->root->list);
	if (c.failed)
		goto fail;
	assign_slots(&c);
	g.c = &c;
	g.fi = fi;
	g.scope = s;
	prologue(&g, s, NULL);
	for (e = t->root->list; e != NULL; e = e->next)
		compile_stmt(&g, e);
	emit0(&g, JS_BC_RET_UNDEF, 0);
	if ((p = finish(&g, "")) == NULL)
		goto fail;
	p->async = 1;
	p->module_body = 1;
	*nenv = s->nenv;
	return p;
fail_oom:
	cerr(&c, NULL, "out of memory");
fail:
	cgen_release(&g);
	if (!vm->fatal)
		(void)js_syntax_error_at(
		    vm, mod->filename, c.eline, c.ecol, c.err);
	return NULL;
}
