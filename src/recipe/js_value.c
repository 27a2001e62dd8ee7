/*
 * Heap of the JavaScript recipe interpreter: accounted allocation, a
 * mark-and-sweep collector, strings (WTF-8 bytes with UTF-16 semantics),
 * the intern table, property tables, arrays, Map/Set storage, and the
 * ECMA-262 §7.1 conversions that never run JavaScript.
 *
 * Security: every allocation is charged against the VM's memory cap
 * before it is made; string and array lengths are bounded by JS_MAX_STRING
 * and JS_MAX_ARRAY; the collector marks with an explicit stack, so deep
 * object graphs cannot overflow the C stack.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "recipe/js_value.h"

#define JS_GC_MIN ((size_t)4 * 1024 * 1024)

int
js_value_charge(struct js_vm *vm, size_t n)
{
	if (vm->fatal)
		return -1;
	if (n > vm->mem_max || vm->mem_used > vm->mem_max - n) {
		vm->fatal = 1;
		return -1;
	}
	vm->mem_used += n;
	return 0;
}

void
js_value_uncharge(struct js_vm *vm, size_t n)
{
	vm->mem_used = n > vm->mem_used ? 0 : vm->mem_used - n;
}

void *
js_value_malloc(struct js_vm *vm, size_t n)
{
	void *p;

	if (n == 0)
		n = 1;
	if (js_value_charge(vm, n) == -1)
		return NULL;
	if ((p = malloc(n)) == NULL) {
		js_value_uncharge(vm, n);
		vm->fatal = 1;
	}
	return p;
}

void *
js_value_realloc(struct js_vm *vm, void *p, size_t oldn, size_t n)
{
	void *q;

	if (n > oldn && js_value_charge(vm, n - oldn) == -1)
		return NULL;
	if ((q = realloc(p, n == 0 ? 1 : n)) == NULL) {
		if (n > oldn)
			js_value_uncharge(vm, n - oldn);
		vm->fatal = 1;
		return NULL;
	}
	if (n < oldn)
		js_value_uncharge(vm, oldn - n);
	return q;
}

void
js_value_free(struct js_vm *vm, void *p, size_t n)
{
	if (p == NULL)
		return;
	js_value_uncharge(vm, n == 0 ? 1 : n);
	free(p);
}

void *
js_value_alloc(struct js_vm *vm, size_t n, enum js_gc_kind kind)
{
	struct js_gc *g;

	if ((g = js_value_malloc(vm, n)) == NULL)
		return NULL;
	memset(g, 0, n);
	g->kind = kind;
	g->size = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	g->next = vm->heap;
	vm->heap = g;
	return g;
}

struct js_value
js_value_oom(struct js_vm *vm)
{
	vm->fatal = 1;
	return JS_EXC;
}

/* ---- collector ---- */

struct js_mark {
	struct js_gc **v;
	size_t n, cap;
	int failed;
};

static void
mark_gc(struct js_mark *m, void *p)
{
	struct js_gc *g = p, **nv;

	if (g == NULL || g->mark)
		return;
	g->mark = 1;
	if (g->kind == JS_GC_STR)
		return;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 1024;
		if ((nv = realloc(m->v, nc * sizeof(*nv))) == NULL) {
			m->failed = 1;
			return;
		}
		m->v = nv;
		m->cap = nc;
	}
	m->v[m->n++] = g;
}

static void
mark_val(struct js_mark *m, struct js_value v)
{
	if (v.tag == JS_TAG_STR || v.tag == JS_TAG_SYM || v.tag == JS_TAG_OBJ ||
	    v.tag == JS_TAG_BUILDER)
		mark_gc(m, v.u.ptr);
}

static void
mark_frame(struct js_mark *m, const struct js_frame *f)
{
	unsigned i;

	mark_gc(m, f->fn);
	mark_gc(m, f->env);
	mark_val(m, f->this_val);
	mark_val(m, f->promise);
	for (i = 0; i < f->nhandlers; i++)
		mark_gc(m, f->handlers[i].env);
}

static void
mark_obj(struct js_mark *m, struct js_obj *o)
{
	uint32_t i;

	mark_gc(m, o->proto);
	for (i = 0; i < o->nprops; i++) {
		mark_gc(m, o->props[i].key);
		mark_val(m, o->props[i].v);
	}
	switch (o->cls) {
	case JS_CL_ARRAY:
		for (i = 0; i < o->u.arr.len; i++)
			mark_val(m, o->u.arr.items[i]);
		break;
	case JS_CL_FUNC:
		mark_gc(m, o->u.fn.env);
		mark_gc(m, o->u.fn.home);
		mark_gc(m, o->u.fn.fields);
		break;
	case JS_CL_NATIVE:
		mark_val(m, o->u.nat.data[0]);
		mark_val(m, o->u.nat.data[1]);
		break;
	case JS_CL_BOUND:
		mark_val(m, o->u.bound.target);
		mark_val(m, o->u.bound.this_val);
		for (i = 0; i < (uint32_t)o->u.bound.argc; i++)
			mark_val(m, o->u.bound.args[i]);
		break;
	case JS_CL_ERROR:
		mark_gc(m, o->u.err.loc);
		mark_gc(m, o->u.err.trace);
		break;
	case JS_CL_PROMISE:
		mark_val(m, o->u.promise.value);
		for (i = 0; i < o->u.promise.nr; i++) {
			mark_val(m, o->u.promise.r[i].on_ok);
			mark_val(m, o->u.promise.r[i].on_err);
			mark_val(m, o->u.promise.r[i].derived);
			mark_val(m, o->u.promise.r[i].susp);
		}
		break;
	case JS_CL_MAP:
	case JS_CL_SET:
		for (i = 0; i < o->u.map.n; i++) {
			if (o->u.map.ents[i].deleted)
				continue;
			mark_val(m, o->u.map.ents[i].key);
			mark_val(m, o->u.map.ents[i].val);
		}
		break;
	case JS_CL_U8:
		mark_gc(m, o->u.u8.bytes);
		break;
	case JS_CL_ITER:
		mark_val(m, o->u.iter.target);
		break;
	case JS_CL_ACCESSOR:
		mark_val(m, o->u.acc.get);
		mark_val(m, o->u.acc.set);
		break;
	default:
		break;
	}
}

static void
mark_children(struct js_mark *m, struct js_gc *g)
{
	struct js_env *e;
	struct js_susp *s;
	uint32_t i;

	switch (g->kind) {
	case JS_GC_OBJ:
		mark_obj(m, (struct js_obj *)g);
		break;
	case JS_GC_ENV:
		e = (struct js_env *)g;
		mark_gc(m, e->parent);
		for (i = 0; i < e->n; i++)
			mark_val(m, e->slots[i]);
		break;
	case JS_GC_SUSP:
		s = (struct js_susp *)g;
		mark_frame(m, &s->fr);
		for (i = 0; i < s->nvals; i++)
			mark_val(m, s->vals[i]);
		break;
	default:
		break;
	}
}

static void
mark_job(struct js_mark *m, const struct js_job *j)
{
	mark_val(m, j->r.on_ok);
	mark_val(m, j->r.on_err);
	mark_val(m, j->r.derived);
	mark_val(m, j->r.susp);
	mark_val(m, j->arg);
	mark_val(m, j->thenable);
	mark_val(m, j->then);
	mark_val(m, j->promise);
}

static void
mark_roots(struct js_vm *vm, struct js_mark *m)
{
	struct js_value *v;
	struct js_ref *r;
	struct js_proto *p;
	struct js_module *mod;
	size_t i;
	uint32_t k;
	unsigned f;

	for (v = vm->stack; v < vm->sp; v++)
		mark_val(m, *v);
	for (f = 0; f < vm->nframes; f++)
		mark_frame(m, &vm->frames[f]);
	for (r = vm->refs.next; r != &vm->refs; r = r->next)
		mark_val(m, r->v);
	for (p = vm->protos; p != NULL; p = p->all_next) {
		for (k = 0; k < p->nconsts; k++)
			mark_val(m, p->consts[k]);
		mark_gc(m, p->name);
	}
	for (mod = vm->modules; mod != NULL; mod = mod->next) {
		mark_gc(m, mod->env);
		mark_val(m, mod->native);
		mark_val(m, mod->ns);
		for (k = 0; k < mod->nexports; k++) {
			mark_gc(m, mod->exports[k].name);
			mark_gc(m, mod->exports[k].dep_name);
			mark_val(m, mod->exports[k].val);
		}
		for (k = 0; k < mod->ncells; k++) {
			mark_gc(m, mod->cells[k].env);
			mark_gc(m, mod->cells[k].name);
			mark_val(m, mod->cells[k].val);
		}
	}
	for (i = vm->jhead; i != vm->jtail; i = (i + 1) % vm->jcap)
		mark_job(m, &vm->jobs[i]);
	mark_val(m, vm->exc);
	mark_gc(m, vm->global);
	mark_gc(m, vm->cur_native);
	mark_gc(m, vm->counts);
	mark_gc(m, vm->rejected);
	mark_val(m, vm->unhandled);
	mark_val(m, vm->sym_iterator);
	mark_val(m, vm->sym_async_iterator);
	for (k = 0; k < JS_A__COUNT; k++)
		mark_gc(m, vm->atoms[k]);
	/* Prototypes are reachable from the global object, but an
	 * embedder may have deleted the globals. */
	mark_gc(m, vm->object_proto);
	mark_gc(m, vm->function_proto);
	mark_gc(m, vm->array_proto);
	mark_gc(m, vm->string_proto);
	mark_gc(m, vm->number_proto);
	mark_gc(m, vm->boolean_proto);
	mark_gc(m, vm->symbol_proto);
	mark_gc(m, vm->error_proto);
	mark_gc(m, vm->promise_proto);
	mark_gc(m, vm->map_proto);
	mark_gc(m, vm->set_proto);
	mark_gc(m, vm->u8_proto);
	mark_gc(m, vm->iter_proto);
	mark_gc(m, vm->array_iter_proto);
	mark_gc(m, vm->generic_proto);
	mark_gc(m, vm->promise_ctor);
	for (k = 0; k < 5; k++) {
		mark_gc(m, vm->error_protos[k]);
		mark_gc(m, vm->error_ctors[k]);
	}
}

static void
intern_remove(struct js_vm *vm, struct js_str *s)
{
	struct js_str **pp;

	pp = &vm->itab[s->hash & (vm->icap - 1)];
	for (; *pp != NULL; pp = &(*pp)->inext) {
		if (*pp == s) {
			*pp = s->inext;
			vm->icount--;
			return;
		}
	}
}

static void
free_cell(struct js_vm *vm, struct js_gc *g)
{
	struct js_obj *o;

	if (g->kind == JS_GC_STR) {
		if (((struct js_str *)g)->interned)
			intern_remove(vm, (struct js_str *)g);
	} else if (g->kind == JS_GC_OBJ) {
		o = (struct js_obj *)g;
		js_value_free(vm, o->props, o->pcap * sizeof(*o->props));
		js_value_free(vm, o->index, o->icap * sizeof(*o->index));
		switch (o->cls) {
		case JS_CL_ARRAY:
			js_value_free(vm, o->u.arr.items,
			    o->u.arr.cap * sizeof(struct js_value));
			break;
		case JS_CL_BOUND:
			js_value_free(vm, o->u.bound.args,
			    (size_t)o->u.bound.argc * sizeof(struct js_value));
			break;
		case JS_CL_PROMISE:
			js_value_free(vm, o->u.promise.r,
			    o->u.promise.rcap * sizeof(struct js_reaction));
			break;
		case JS_CL_MAP:
		case JS_CL_SET:
			js_value_free(vm, o->u.map.ents,
			    o->u.map.cap * sizeof(struct js_mapent));
			js_value_free(vm, o->u.map.index,
			    o->u.map.icap * sizeof(uint32_t));
			break;
		case JS_CL_BYTES:
			js_value_free(vm, o->u.bytes.data, o->u.bytes.len);
			break;
		case JS_CL_BUILDER:
			js_value_free(vm, o->u.sb.data, o->u.sb.cap);
			break;
		default:
			break;
		}
	}
	js_value_uncharge(vm, g->size);
	free(g);
}

void
js_value_gc(struct js_vm *vm)
{
	struct js_mark m;
	struct js_gc **pp, *g;

	if (vm->in_gc)
		return;
	vm->in_gc = 1;
	memset(&m, 0, sizeof(m));
	mark_roots(vm, &m);
	while (m.n > 0)
		mark_children(&m, m.v[--m.n]);
	free(m.v);
	if (m.failed) {
		/* Could not mark everything: keep every cell. */
		for (g = vm->heap; g != NULL; g = g->next)
			g->mark = 0;
		vm->in_gc = 0;
		return;
	}
	pp = &vm->heap;
	while ((g = *pp) != NULL) {
		if (g->mark) {
			g->mark = 0;
			pp = &g->next;
		} else {
			*pp = g->next;
			free_cell(vm, g);
		}
	}
	vm->gc_next = vm->mem_used * 2;
	if (vm->gc_next < JS_GC_MIN)
		vm->gc_next = JS_GC_MIN;
	if (vm->gc_next > vm->mem_max - vm->mem_max / 8)
		vm->gc_next = vm->mem_max - vm->mem_max / 8;
	vm->in_gc = 0;
}

void
js_value_gc_maybe(struct js_vm *vm)
{
#ifdef JS_GC_STRESS
	/* Test builds: collect at every safe point. */
	js_value_gc(vm);
	return;
#endif
	if (vm->mem_used >= vm->gc_next)
		js_value_gc(vm);
}

void
js_value_free_all(struct js_vm *vm)
{
	struct js_gc *g, *n;

	for (g = vm->heap; g != NULL; g = n) {
		n = g->next;
		if (g->kind == JS_GC_STR)
			((struct js_str *)g)->interned = 0;
		free_cell(vm, g);
	}
	vm->heap = NULL;
}

/* ---- strings ---- */

static uint32_t
str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
wtf8_u16len(const char *s, size_t n, int *ascii)
{
	uint32_t u = 0;
	size_t i;
	unsigned char c;

	*ascii = 1;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c < 0x80) {
			u++;
			continue;
		}
		*ascii = 0;
		if ((c & 0xc0) == 0x80)
			continue;
		u += c >= 0xf0 ? 2 : 1;
	}
	return u;
}

struct js_str *
js_str_new(struct js_vm *vm, const char *s, size_t n)
{
	struct js_str *str;
	int ascii;

	if (n > JS_MAX_STRING) {
		vm->fatal = 1;
		return NULL;
	}
	str = js_value_alloc(vm, sizeof(*str) + n + 1, JS_GC_STR);
	if (str == NULL)
		return NULL;
	if (n > 0)
		memcpy(str->data, s, n);
	str->data[n] = '\0';
	str->len = (uint32_t)n;
	str->u16len = wtf8_u16len(s, n, &ascii);
	str->ascii = (uint8_t)ascii;
	str->hash = str_hash(s, n);
	return str;
}

static int
intern_grow(struct js_vm *vm)
{
	struct js_str **nt, *s, *nx;
	uint32_t nc = vm->icap ? vm->icap * 2 : 1024, i;

	if ((nt = calloc(nc, sizeof(*nt))) == NULL)
		return -1;
	for (i = 0; i < vm->icap; i++) {
		for (s = vm->itab[i]; s != NULL; s = nx) {
			nx = s->inext;
			s->inext = nt[s->hash & (nc - 1)];
			nt[s->hash & (nc - 1)] = s;
		}
	}
	free(vm->itab);
	vm->itab = nt;
	vm->icap = nc;
	return 0;
}

struct js_str *
js_str_intern(struct js_vm *vm, const char *s, size_t n)
{
	uint32_t h = str_hash(s, n);
	struct js_str *p;

	if (vm->icap > 0) {
		for (p = vm->itab[h & (vm->icap - 1)]; p != NULL;
		     p = p->inext) {
			if (p->hash == h && p->len == n &&
			    memcmp(p->data, s, n) == 0)
				return p;
		}
	}
	if (vm->icount >= vm->icap / 2 && intern_grow(vm) == -1) {
		vm->fatal = 1;
		return NULL;
	}
	if ((p = js_str_new(vm, s, n)) == NULL)
		return NULL;
	p->interned = 1;
	p->inext = vm->itab[h & (vm->icap - 1)];
	vm->itab[h & (vm->icap - 1)] = p;
	vm->icount++;
	return p;
}

struct js_str *
js_str_intern_str(struct js_vm *vm, struct js_str *s)
{
	struct js_str *p;

	if (s->interned)
		return s;
	if (vm->icap > 0) {
		for (p = vm->itab[s->hash & (vm->icap - 1)]; p != NULL;
		     p = p->inext) {
			if (p->hash == s->hash && p->len == s->len &&
			    memcmp(p->data, s->data, s->len) == 0)
				return p;
		}
	}
	if (vm->icount >= vm->icap / 2 && intern_grow(vm) == -1) {
		vm->fatal = 1;
		return NULL;
	}
	s->interned = 1;
	s->inext = vm->itab[s->hash & (vm->icap - 1)];
	vm->itab[s->hash & (vm->icap - 1)] = s;
	vm->icount++;
	return s;
}

struct js_str *
js_str_concat(struct js_vm *vm, struct js_str *a, struct js_str *b)
{
	struct js_str *s;
	size_t n;

	if (a->len == 0)
		return b;
	if (b->len == 0)
		return a;
	n = (size_t)a->len + b->len;
	if (n > JS_MAX_STRING) {
		vm->fatal = 1;
		return NULL;
	}
	s = js_value_alloc(vm, sizeof(*s) + n + 1, JS_GC_STR);
	if (s == NULL)
		return NULL;
	memcpy(s->data, a->data, a->len);
	memcpy(s->data + a->len, b->data, b->len);
	s->data[n] = '\0';
	s->len = (uint32_t)n;
	s->u16len = a->u16len + b->u16len;
	s->ascii = a->ascii && b->ascii;
	/* A 3-byte lead surrogate followed by a trail would have to be
	 * joined into one 4-byte sequence; rare enough to rebuild. */
	if (!s->ascii) {
		int ascii;
		s->u16len = wtf8_u16len(s->data, n, &ascii);
	}
	s->hash = str_hash(s->data, n);
	return s;
}

int
js_str_eq(const struct js_str *a, const struct js_str *b)
{
	if (a == b)
		return 1;
	if (a->interned && b->interned)
		return 0;
	return a->len == b->len && a->hash == b->hash &&
	    memcmp(a->data, b->data, a->len) == 0;
}

/* Decodes one WTF-8 sequence at s[*i]; advances *i. */
static uint32_t
wtf8_next(const char *s, size_t n, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	uint32_t c = p[0];
	size_t left = n - *i;

	if (c < 0x80 || left < 2) {
		*i += 1;
		return c;
	}
	if (c < 0xe0) {
		*i += 2;
		return ((c & 0x1f) << 6) | (p[1] & 0x3f);
	}
	if (c < 0xf0 || left < 4) {
		if (left < 3) {
			*i += left;
			return 0xfffd;
		}
		*i += 3;
		return ((c & 0x0f) << 12) | ((uint32_t)(p[1] & 0x3f) << 6) |
		    (p[2] & 0x3f);
	}
	*i += 4;
	return ((c & 0x07) << 18) | ((uint32_t)(p[1] & 0x3f) << 12) |
	    ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
}

/* Orders by UTF-16 code units (ECMA-262 §7.2.13). */
int
js_str_cmp(const struct js_str *a, const struct js_str *b)
{
	size_t i = 0, j = 0;
	uint32_t x, y;

	if (a->ascii && b->ascii) {
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->data, b->data, n);
		if (c != 0)
			return c < 0 ? -1 : 1;
		return a->len < b->len ? -1 : a->len > b->len;
	}
	while (i < a->len && j < b->len) {
		x = wtf8_next(a->data, a->len, &i);
		y = wtf8_next(b->data, b->len, &j);
		if (x >= 0x10000)
			x = 0xd800 + ((x - 0x10000) >> 10);
		if (y >= 0x10000)
			y = 0xd800 + ((y - 0x10000) >> 10);
		if (x != y)
			return x < y ? -1 : 1;
	}
	if (i < a->len)
		return 1;
	if (j < b->len)
		return -1;
	return 0;
}

uint16_t *
js_str_u16(struct js_vm *vm, const struct js_str *s)
{
	uint16_t *u;
	size_t i = 0, k = 0;
	uint32_t c;

	if ((u = malloc(((size_t)s->u16len + 1) * sizeof(*u))) == NULL) {
		vm->fatal = 1;
		return NULL;
	}
	while (i < s->len && k < s->u16len) {
		c = wtf8_next(s->data, s->len, &i);
		if (c >= 0x10000) {
			c -= 0x10000;
			u[k++] = (uint16_t)(0xd800 + (c >> 10));
			if (k < s->u16len)
				u[k++] = (uint16_t)(0xdc00 + (c & 0x3ff));
		} else
			u[k++] = (uint16_t)c;
	}
	while (k < s->u16len)
		u[k++] = 0xfffd;
	return u;
}

struct js_str *
js_str_from_u16(struct js_vm *vm, const uint16_t *u, size_t n)
{
	struct buf b;
	struct js_str *s;
	size_t i;
	uint32_t c;
	int r = 0;

	buf_init(&b);
	for (i = 0; i < n && r == 0; i++) {
		c = u[i];
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n &&
		    u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) +
			    (u[i + 1] - 0xdc00);
			i++;
		}
		r = utf8_append(&b, c);
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

struct js_str *
js_str_sub(struct js_vm *vm, struct js_str *s, uint32_t from, uint32_t to)
{
	uint16_t *u;
	struct js_str *r;

	if (to > s->u16len)
		to = s->u16len;
	if (from >= to)
		return vm->atoms[JS_A_empty];
	if (from == 0 && to == s->u16len)
		return s;
	if (s->ascii)
		return js_str_new(vm, s->data + from, to - from);
	if ((u = js_str_u16(vm, s)) == NULL)
		return NULL;
	r = js_str_from_u16(vm, u + from, to - from);
	free(u);
	return r;
}

unsigned
js_str_unit(const struct js_str *s, uint32_t idx)
{
	size_t i = 0;
	uint32_t k = 0, c;

	if (s->ascii)
		return (unsigned char)s->data[idx];
	while (i < s->len) {
		c = wtf8_next(s->data, s->len, &i);
		if (c >= 0x10000) {
			c -= 0x10000;
			if (k == idx)
				return 0xd800 + (c >> 10);
			if (k + 1 == idx)
				return 0xdc00 + (c & 0x3ff);
			k += 2;
		} else {
			if (k == idx)
				return c;
			k++;
		}
	}
	return 0xfffd;
}

int64_t
js_str_index(const struct js_str *s)
{
	int64_t v = 0;
	uint32_t i;

	if (s->len == 0 || s->len > 10)
		return -1;
	if (s->data[0] == '0')
		return s->len == 1 ? 0 : -1;
	for (i = 0; i < s->len; i++) {
		if (s->data[i] < '0' || s->data[i] > '9')
			return -1;
		v = v * 10 + (s->data[i] - '0');
	}
	return v < 4294967295LL ? v : -1;
}

/* ---- objects ---- */

struct js_obj *
js_obj_new(struct js_vm *vm, int cls, struct js_obj *proto)
{
	struct js_obj *o;

	if ((o = js_value_alloc(vm, sizeof(*o), JS_GC_OBJ)) == NULL)
		return NULL;
	o->cls = (uint8_t)cls;
	o->proto = proto;
	o->extensible = 1;
	return o;
}

static uint32_t
key_hash(const struct js_str *k)
{
	return k->hash ^ (uint32_t)((uintptr_t)k >> 4);
}

static int
reindex(struct js_vm *vm, struct js_obj *o)
{
	uint32_t nc, i, h;

	nc = 16;
	while (nc < o->nprops * 2)
		nc *= 2;
	if (nc != o->icap) {
		js_value_free(vm, o->index, o->icap * sizeof(*o->index));
		o->index = NULL;
		o->icap = 0;
		if ((o->index = js_value_malloc(vm, nc * sizeof(*o->index))) ==
		    NULL)
			return -1;
		o->icap = nc;
	}
	memset(o->index, 0xff, nc * sizeof(*o->index));
	for (i = 0; i < o->nprops; i++) {
		h = key_hash(o->props[i].key) & (nc - 1);
		while (o->index[h] != UINT32_MAX)
			h = (h + 1) & (nc - 1);
		o->index[h] = i;
	}
	return 0;
}

struct js_prop *
js_obj_find(struct js_obj *o, const struct js_str *key)
{
	uint32_t i, h;

	if (o->index != NULL) {
		h = key_hash(key) & (o->icap - 1);
		while ((i = o->index[h]) != UINT32_MAX) {
			if (o->props[i].key == key)
				return &o->props[i];
			h = (h + 1) & (o->icap - 1);
		}
		return NULL;
	}
	for (i = 0; i < o->nprops; i++)
		if (o->props[i].key == key)
			return &o->props[i];
	return NULL;
}

int
js_obj_define(struct js_vm *vm, struct js_obj *o, struct js_str *key,
    struct js_value v, uint32_t flags)
{
	struct js_prop *p;
	uint32_t nc;

	if ((p = js_obj_find(o, key)) != NULL) {
		p->v = v;
		p->flags = flags;
		return 0;
	}
	if (o->nprops == o->pcap) {
		nc = o->pcap ? o->pcap * 2 : 4;
		p = js_value_realloc(
		    vm, o->props, o->pcap * sizeof(*p), nc * sizeof(*p));
		if (p == NULL)
			return -1;
		o->props = p;
		o->pcap = nc;
	}
	p = &o->props[o->nprops++];
	p->key = key;
	p->v = v;
	p->flags = flags;
	if (o->index != NULL || o->nprops > 8) {
		if (o->index != NULL && o->nprops * 2 <= o->icap) {
			uint32_t h = key_hash(key) & (o->icap - 1);
			while (o->index[h] != UINT32_MAX)
				h = (h + 1) & (o->icap - 1);
			o->index[h] = o->nprops - 1;
		} else if (reindex(vm, o) == -1)
			return -1;
	}
	return 0;
}

int
js_obj_delete(struct js_vm *vm, struct js_obj *o, struct js_str *key)
{
	struct js_prop *p;
	uint32_t i;

	if ((p = js_obj_find(o, key)) == NULL)
		return 0;
	i = (uint32_t)(p - o->props);
	memmove(
	    &o->props[i], &o->props[i + 1], (o->nprops - i - 1) * sizeof(*p));
	o->nprops--;
	if (o->index != NULL && reindex(vm, o) == -1)
		return -1;
	return 1;
}

struct js_obj *
js_arr_new(struct js_vm *vm, uint32_t cap)
{
	struct js_obj *a;

	if ((a = js_obj_new(vm, JS_CL_ARRAY, vm->array_proto)) == NULL)
		return NULL;
	if (cap > 0) {
		if (cap > JS_MAX_ARRAY) {
			vm->fatal = 1;
			return NULL;
		}
		a->u.arr.items =
		    js_value_malloc(vm, cap * sizeof(struct js_value));
		if (a->u.arr.items == NULL)
			return NULL;
		a->u.arr.cap = cap;
	}
	return a;
}

static int
arr_reserve(struct js_vm *vm, struct js_obj *a, uint32_t n)
{
	struct js_value *it;
	uint32_t nc;

	if (n <= a->u.arr.cap)
		return 0;
	if (n > JS_MAX_ARRAY) {
		vm->fatal = 1;
		return -1;
	}
	nc = a->u.arr.cap ? a->u.arr.cap : 4;
	while (nc < n)
		nc = nc > JS_MAX_ARRAY / 2 ? JS_MAX_ARRAY : nc * 2;
	it = js_value_realloc(
	    vm, a->u.arr.items, a->u.arr.cap * sizeof(*it), nc * sizeof(*it));
	if (it == NULL)
		return -1;
	a->u.arr.items = it;
	a->u.arr.cap = nc;
	return 0;
}

int
js_arr_push(struct js_vm *vm, struct js_obj *a, struct js_value v)
{
	if (arr_reserve(vm, a, a->u.arr.len + 1) == -1)
		return -1;
	a->u.arr.items[a->u.arr.len++] = v;
	return 0;
}

int
js_arr_setlen(struct js_vm *vm, struct js_obj *a, uint32_t n)
{
	uint32_t i;

	if (arr_reserve(vm, a, n) == -1)
		return -1;
	for (i = a->u.arr.len; i < n; i++)
		a->u.arr.items[i] = JS_UNDEF;
	a->u.arr.len = n;
	return 0;
}

/* ---- Map and Set storage (insertion ordered, SameValueZero) ---- */

static uint32_t
val_hash(struct js_value v)
{
	uint64_t bits;
	double d;

	switch (v.tag) {
	case JS_TAG_NUM:
		d = v.u.num;
		if (d == 0)
			d = 0;
		if (d != d)
			return 0x7ff8;
		memcpy(&bits, &d, sizeof(bits));
		return (uint32_t)(bits ^ (bits >> 32)) * 2654435761u;
	case JS_TAG_STR:
		return JS_STR(v)->hash;
	case JS_TAG_BOOL:
		return (uint32_t)v.u.b + 7;
	case JS_TAG_UNDEF:
	case JS_TAG_NULL:
		return v.tag;
	default:
		return (uint32_t)((uintptr_t)v.u.ptr >> 4) * 2654435761u;
	}
}

int
js_map_find(struct js_obj *m, struct js_value key, uint32_t *at)
{
	uint32_t h, i;

	if (m->u.map.icap == 0)
		return 0;
	h = val_hash(key) & (m->u.map.icap - 1);
	while ((i = m->u.map.index[h]) != UINT32_MAX) {
		if (i != UINT32_MAX - 1 && !m->u.map.ents[i].deleted &&
		    js_same_value_zero(m->u.map.ents[i].key, key)) {
			*at = i;
			return 1;
		}
		h = (h + 1) & (m->u.map.icap - 1);
	}
	return 0;
}

static int
map_rehash(struct js_vm *vm, struct js_obj *m, uint32_t nc)
{
	uint32_t *ix, i, h;

	if ((ix = js_value_malloc(vm, nc * sizeof(*ix))) == NULL)
		return -1;
	memset(ix, 0xff, nc * sizeof(*ix));
	for (i = 0; i < m->u.map.n; i++) {
		if (m->u.map.ents[i].deleted)
			continue;
		h = val_hash(m->u.map.ents[i].key) & (nc - 1);
		while (ix[h] != UINT32_MAX)
			h = (h + 1) & (nc - 1);
		ix[h] = i;
	}
	js_value_free(vm, m->u.map.index, m->u.map.icap * sizeof(*ix));
	m->u.map.index = ix;
	m->u.map.icap = nc;
	return 0;
}

int
js_map_set(struct js_vm *vm, struct js_obj *m, struct js_value key,
    struct js_value val)
{
	struct js_mapent *e;
	uint32_t at, nc, h;

	if (key.tag == JS_TAG_NUM && key.u.num == 0)
		key.u.num = 0; /* -0 becomes +0 */
	if (js_map_find(m, key, &at)) {
		m->u.map.ents[at].val = val;
		return 0;
	}
	if (m->u.map.n == m->u.map.cap) {
		nc = m->u.map.cap ? m->u.map.cap * 2 : 8;
		if (nc > JS_MAX_ARRAY) {
			vm->fatal = 1;
			return -1;
		}
		e = js_value_realloc(vm, m->u.map.ents,
		    m->u.map.cap * sizeof(*e), nc * sizeof(*e));
		if (e == NULL)
			return -1;
		m->u.map.ents = e;
		m->u.map.cap = nc;
	}
	if ((m->u.map.n + 1) * 2 > m->u.map.icap &&
	    map_rehash(vm, m, m->u.map.icap ? m->u.map.icap * 2 : 16) == -1)
		return -1;
	e = &m->u.map.ents[m->u.map.n];
	e->key = key;
	e->val = val;
	e->deleted = 0;
	h = val_hash(key) & (m->u.map.icap - 1);
	while (m->u.map.index[h] != UINT32_MAX)
		h = (h + 1) & (m->u.map.icap - 1);
	m->u.map.index[h] = m->u.map.n++;
	m->u.map.live++;
	return 0;
}

int
js_map_delete(struct js_obj *m, struct js_value key)
{
	uint32_t at;

	if (!js_map_find(m, key, &at))
		return 0;
	/* The index slot keeps pointing at a deleted entry (a tombstone),
	 * so probing continues past it; iteration skips it. */
	m->u.map.ents[at].deleted = 1;
	m->u.map.ents[at].key = JS_UNDEF;
	m->u.map.ents[at].val = JS_UNDEF;
	m->u.map.live--;
	return 1;
}

void
js_map_clear(struct js_obj *m)
{
	uint32_t i;

	for (i = 0; i < m->u.map.n; i++) {
		m->u.map.ents[i].deleted = 1;
		m->u.map.ents[i].key = JS_UNDEF;
		m->u.map.ents[i].val = JS_UNDEF;
	}
	m->u.map.live = 0;
}

/* ---- conversions ---- */

int
js_to_bool(struct js_value v)
{
	switch (v.tag) {
	case JS_TAG_BOOL:
		return v.u.b;
	case JS_TAG_NUM:
		return !(v.u.num == 0 || v.u.num != v.u.num);
	case JS_TAG_STR:
		return JS_STR(v)->len > 0;
	case JS_TAG_OBJ:
	case JS_TAG_SYM:
		return 1;
	default:
		return 0;
	}
}

static int
is_js_space(uint32_t c)
{
	return c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32 ||
	    c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	    c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000 || c == 0xfeff;
}

double
js_str_to_number(const struct js_str *s)
{
	size_t i = 0, j, start, end;
	const char *p = s->data;
	char tmp[512], *ep;
	int neg = 0, base = 0, digits = 0, dot = 0, ex = 0;
	double v;

	/* trim */
	start = 0;
	while (start < s->len) {
		j = start;
		if (!is_js_space(wtf8_next(p, s->len, &j)))
			break;
		start = j;
	}
	end = s->len;
	while (end > start) {
		size_t k = end - 1;
		while (k > start && ((unsigned char)p[k] & 0xc0) == 0x80)
			k--;
		j = k;
		if (!is_js_space(wtf8_next(p, s->len, &j)))
			break;
		end = k;
	}
	if (start == end)
		return 0;
	i = start;
	if (end - i > 2 && p[i] == '0') {
		if (p[i + 1] == 'x' || p[i + 1] == 'X')
			base = 16;
		else if (p[i + 1] == 'o' || p[i + 1] == 'O')
			base = 8;
		else if (p[i + 1] == 'b' || p[i + 1] == 'B')
			base = 2;
	}
	if (base != 0) {
		v = 0;
		for (i += 2; i < end; i++) {
			int d;
			char c = p[i];
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'z')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'Z')
				d = c - 'A' + 10;
			else
				return NAN;
			if (d >= base)
				return NAN;
			v = v * base + d;
		}
		return v;
	}
	if (p[i] == '+' || p[i] == '-') {
		neg = p[i] == '-';
		i++;
	}
	if (end - i == 8 && memcmp(p + i, "Infinity", 8) == 0)
		return neg ? -INFINITY : INFINITY;
	/* StrDecimalLiteral: digits [. digits] [e[+-]digits] */
	for (j = i; j < end; j++) {
		char c = p[j];
		if (c >= '0' && c <= '9') {
			if (ex == 0 || ex == 1)
				digits++;
			if (ex == 1)
				ex = 2;
			if (ex == 3)
				ex = 2;
		} else if (c == '.' && !dot && ex == 0)
			dot = 1;
		else if ((c == 'e' || c == 'E') && ex == 0 && digits > 0)
			ex = 3;
		else if ((c == '+' || c == '-') && ex == 3 &&
		    (p[j - 1] == 'e' || p[j - 1] == 'E'))
			continue;
		else
			return NAN;
	}
	if (digits == 0 || ex == 3)
		return NAN;
	if (end - start >= sizeof(tmp))
		return NAN;
	memcpy(tmp, p + start, end - start);
	tmp[end - start] = '\0';
	v = strtod(tmp, &ep);
	return v;
}

/* Number::toString (ECMA-262 §6.1.6.1.20): shortest round-trip digits. */
int
js_num_to_buf(double d, char out[40])
{
	char buf[40], digits[24];
	int prec, k, n, e, i, len = 0;
	char *ep;

	if (d != d)
		return snprintf(out, 40, "NaN");
	if (d == 0)
		return snprintf(out, 40, "0");
	if (isinf(d))
		return snprintf(out, 40, d < 0 ? "-Infinity" : "Infinity");
	if (d < 0) {
		out[len++] = '-';
		d = -d;
	}
	if (d < 1e21 && d == floor(d) && d < 9007199254740992.0)
		return len + snprintf(out + len, 40 - len, "%.0f", d);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* buf: D[.DDD]e[+-]XX */
	k = 0;
	for (i = 0; buf[i] != 'e'; i++)
		if (buf[i] != '.')
			digits[k++] = buf[i];
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	e = (int)strtol(buf + i + 1, &ep, 10);
	n = e + 1;
	if (k <= n && n <= 21) {
		memcpy(out + len, digits, k);
		len += k;
		for (i = 0; i < n - k; i++)
			out[len++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(out + len, digits, n);
		len += n;
		out[len++] = '.';
		memcpy(out + len, digits + n, k - n);
		len += k - n;
	} else if (-6 < n && n <= 0) {
		out[len++] = '0';
		out[len++] = '.';
		for (i = 0; i < -n; i++)
			out[len++] = '0';
		memcpy(out + len, digits, k);
		len += k;
	} else {
		out[len++] = digits[0];
		if (k > 1) {
			out[len++] = '.';
			memcpy(out + len, digits + 1, k - 1);
			len += k - 1;
		}
		len += snprintf(out + len, 40 - len, "e%c%d",
		    n - 1 < 0 ? '-' : '+', n - 1 < 0 ? 1 - n : n - 1);
	}
	out[len] = '\0';
	return len;
}

struct js_str *
js_num_to_str(struct js_vm *vm, double d)
{
	char b[40];
	int n;

	if (d == 0)
		return js_str_intern(vm, "0", 1);
	n = js_num_to_buf(d, b);
	return js_str_new(vm, b, (size_t)n);
}

int
js_same_value_zero(struct js_value a, struct js_value b)
{
	if (a.tag == JS_TAG_NUM && b.tag == JS_TAG_NUM && a.u.num != a.u.num &&
	    b.u.num != b.u.num)
		return 1;
	return js_strict_eq(a, b);
}

int
js_strict_eq(struct js_value a, struct js_value b)
{
	if (a.tag != b.tag)
		return 0;
	switch (a.tag) {
	case JS_TAG_UNDEF:
	case JS_TAG_NULL:
		return 1;
	case JS_TAG_BOOL:
		return a.u.b == b.u.b;
	case JS_TAG_NUM:
		return a.u.num == b.u.num;
	case JS_TAG_STR:
		return js_str_eq(JS_STR(a), JS_STR(b));
	default:
		return a.u.ptr == b.u.ptr;
	}
}

double
js_to_integer(double d)
{
	if (d != d)
		return 0;
	if (isinf(d))
		return d;
	return trunc(d);
}

uint32_t
js_to_uint32(double d)
{
	if (d != d || isinf(d))
		return 0;
	d = trunc(d);
	d = fmod(d, 4294967296.0);
	if (d < 0)
		d += 4294967296.0;
	return (uint32_t)d;
}

int32_t
js_to_int32(double d)
{
	uint32_t u;

	if (d >= -2147483648.0 && d <= 2147483647.0)
		return (int32_t)d;
	u = js_to_uint32(d);
	return u >= 0x80000000u ? (int32_t)(u - 0x80000000u) - 0x7fffffff - 1
				: (int32_t)u;
}
