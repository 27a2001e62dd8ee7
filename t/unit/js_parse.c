/*
 * Unit tests for recipe/js_parse and recipe/js_ast: source -> S-expression
 * for every construct of the recipe subset, automatic semicolon insertion,
 * regex-vs-division, TypeScript erasure (a .ts source must give the same
 * tree as its JavaScript equivalent), errors with exact positions, limits,
 * and the example recipes under t/data/js/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_parse.h"
#include "tap.h"

int main(void);

struct pcase {
	int flags;
	const char *src;
	const char *want; /* S-expression, or "ERR file:line:col: message" */
};

/* Parses and renders as the tests compare: the tree or "ERR <msg>". */
static void
render(const char *src, size_t len, int flags, struct buf *out)
{
	struct js_parse_error err;
	struct js_ast *t;

	buf_reset(out);
	t = js_parse(src, len, "t.js", flags, &err);
	if (t == NULL) {
		(void)!buf_printf(out, "ERR %s", err.msg);
		return;
	}
	if (js_ast_print(out, t->root) == -1)
		(void)!buf_append_str(out, "<print failed>");
	js_ast_free(t);
}

/* Constructs of the JavaScript subset (issue 8), in JavaScript mode. */
static const struct pcase js_cases[] = {
	{ 0, "var a; let b = 1, c; const d = 2;",
	    "(program (var (a)) (let (b 1) (c)) (const (d 2)))" },
	{ 0, "function f(a, b = 1, ...c) { return a + b; }",
	    "(program (function f (a (default b 1) (... c)) (block (return (+ "
	    "a b)))))" },
	{ 0, "const g = function named() {};",
	    "(program (const (g (function named () (block)))))" },
	{ 0, "(function () { \"use strict\"; })();",
	    "(program (expr (call (function () (block (expr \"use "
	    "strict\"))))))" },
	{ 0, "x = y => z => x + y + z;",
	    "(program (expr (= x (arrow (y) (arrow (z) (+ (+ x y) z))))))" },
	{ 0, "const {a = 1, b: {c}, ...rest} = obj;",
	    "(program (const ((object-pattern (prop a (default a 1)) (prop b "
	    "(object-pattern (prop c c))) (... rest)) obj)))" },
	{ 0, "const [x, , y = 2, [z], ...w] = arr;",
	    "(program (const ((array-pattern x hole (default y 2) "
	    "(array-pattern z) (... w)) arr)))" },
	{ 0, "[a, b] = [b, a];",
	    "(program (expr (= (array-pattern a b) (array b a))))" },
	{ 0, "({a, b: c.d, e = 5} = o);",
	    "(program (expr (= (object-pattern (prop a a) (prop b (. c d)) "
	    "(prop e (default e 5))) o)))" },
	{ 0, "tag`a${1}b`;",
	    "(program (expr (tagged tag (template \"a\" 1 \"b\"))))" },
	{ 0, "String.raw`\\n${x}`;",
	    "(program (expr (tagged (. String raw) (template (raw \"\\n\" "
	    "\"\\\\n\") x \"\"))))" },
	{ 0, "if (a) b; else if (c) d; else { e; }",
	    "(program (if a (expr b) (if c (expr d) (block (expr e)))))" },
	{ 0, "for (let i = 0; i < n; i++) {}",
	    "(program (for (let (i 0)) (< i n) (post++ i) (block)))" },
	{ 0, "for (;;) break;", "(program (for nil nil nil (break)))" },
	{ 0, "for (const x of xs) continue;",
	    "(program (for-of (const (x)) xs (continue)))" },
	{ 0, "for (const k in o) ;",
	    "(program (for-in (const (k)) o (empty)))" },
	{ 0, "for (x.y of z) ;", "(program (for-of (. x y) z (empty)))" },
	{ 0, "for ([a, b] of pairs) ;",
	    "(program (for-of (array-pattern a b) pairs (empty)))" },
	{ 0, "while (x) x--;", "(program (while x (expr (post-- x))))" },
	{ 0, "do x++; while (x < 10)",
	    "(program (do (expr (post++ x)) (< x 10)))" },
	{ 0,
	    "outer: for (;;) { inner: for (;;) { break outer; continue inner; "
	    "} }",
	    "(program (label outer (for nil nil nil (block (label inner (for "
	    "nil nil nil (block (break outer) (continue inner))))))))" },
	{ 0, "switch (x) { case 1: a(); break; case 2: default: b(); }",
	    "(program (switch x (case 1 (expr (call a)) (break)) (case 2) "
	    "(default (expr (call b)))))" },
	{ 0, "try { a(); } catch (e) { b(); } finally { c(); }",
	    "(program (try (block (expr (call a))) (catch e (block (expr (call "
	    "b)))) (finally (block (expr (call c))))))" },
	{ 0, "try { a(); } catch { b(); }",
	    "(program (try (block (expr (call a))) (catch (block (expr (call "
	    "b))))))" },
	{ 0, "try {} finally {}", "(program (try (block) (finally (block))))" },
	{ 0, "throw new Error(\"x\");", "(program (throw (new Error \"x\")))" },
	{ 0, "new Foo;", "(program (expr (new Foo)))" },
	{ 0, "new Foo.Bar(1, 2).baz();",
	    "(program (expr (call (. (new (. Foo Bar) 1 2) baz))))" },
	{ 0, "new (getClass())();", "(program (expr (new (call getClass))))" },
	{ 0, "typeof x === \"string\";",
	    "(program (expr (=== (typeof x) \"string\")))" },
	{ 0, "x instanceof Y;", "(program (expr (instanceof x Y)))" },
	{ 0, "\"a\" in o;", "(program (expr (in \"a\" o)))" },
	{ 0, "delete o.p;", "(program (expr (delete (. o p))))" },
	{ 0, "void 0;", "(program (expr (void 0)))" },
	{ 0,
	    "a?"
	    ".b; a?"
	    ".[x]; f?"
	    ".(); a?"
	    ".b.c(); (a?"
	    ".b).c;",
	    "(program (expr (chain (?"
	    ". a b))) (expr (chain (?"
	    ".[] a x))) (expr (chain (call?"
	    ". f))) (expr (chain (call (. (?"
	    ". a b) c)))) (expr (. (chain (?"
	    ". a b)) c)))" },
	{ 0,
	    "a ?"
	    "?"
	    " b; a ?"
	    "?"
	    "= b; a ||= b; a &&= b;",
	    "(program (expr (?"
	    "?"
	    " a b)) (expr (?"
	    "?"
	    "= a b)) (expr (||= a b)) (expr (&&= a b)))" },
	{ 0, "2 ** 3 ** 2; (-2) ** 2;",
	    "(program (expr (** 2 (** 3 2))) (expr (** (- 2) 2)))" },
	{ 0, "a, b, c;", "(program (expr (, a b c)))" },
	{ 0,
	    "a ?"
	    " b : c ?"
	    " d : e;",
	    "(program (expr (?"
	    " a b (?"
	    " c d e))))" },
	{ 0,
	    "x = {a, b: 1, [k]: v, m() {}, async n() {}, get p() { return 1; "
	    "}, set p(v) {}, ...s, \"s\": 1, 5: 2};",
	    "(program (expr (= x (object (prop a a) (prop b 1) (prop [k] v) "
	    "(method m (function () (block))) (method n (function async () "
	    "(block))) (get p (function () (block (return 1)))) (set p "
	    "(function (v) (block))) (... s) (prop \"s\" 1) (prop 5 2)))))" },
	{ 0, "[1, , 3, ...rest, ];",
	    "(program (expr (array 1 hole 3 (... rest))))" },
	{ 0, "[, ];", "(program (expr (array hole)))" },
	{ 0, "\"\\x41\\u0042\\u{43}\\u{1F600}\\n\\t\\0\\'\";",
	    "(program (expr \"ABC\xf0"
	    "\x9f"
	    "\x98"
	    "\x80"
	    "\\n\\t\\x00'\"))" },
	{ 0, "0x1F + 0o17 + 0b101 + 1e3 + 1_000_000 + .5 + 5. + 1.5e-3 + 0.1;",
	    "(program (expr (+ (+ (+ (+ (+ (+ (+ (+ 31 15) 5) 1000) 1000000) "
	    "0.5) 5) 0.0015) 0.1)))" },
	{ 0, "true; false; null; undefined; this;",
	    "(program (expr true) (expr false) (expr null) (expr undefined) "
	    "(expr this))" },
	{ 0, "async function af() { await x; for (const a of await b) {} }",
	    "(program (function async af () (block (expr (await x)) (for-of "
	    "(const (a)) (await b) (block)))))" },
	{ 0, "const ar = async x => await x;",
	    "(program (const (ar (arrow async (x) (await x)))))" },
	{ 0, "const ar2 = async () => {};",
	    "(program (const (ar2 (arrow async () (block)))))" },
	{ 0,
	    "class A extends B { constructor(x) { super(x); this.x = x; } "
	    "static s() {} m() { return super.m(); } get g() {} set g(v) {} "
	    "static f = 1; x; }",
	    "(program (class A (extends B) (method constructor (function (x) "
	    "(block (expr (call super x)) (expr (= (. this x) x))))) (method "
	    "static s (function () (block))) (method m (function () (block "
	    "(return (call (. super m)))))) (get g (function () (block))) (set "
	    "g (function (v) (block))) (field static f 1) (field x)))" },
	{ 0, "class C {}", "(program (class C))" },
	{ 0, "const D = class {};", "(program (const (D (class))))" },
	{ 0, "import { a, b as c } from \"x\";",
	    "(program (import \"x\" (a a) (b c)))" },
	{ 0, "import x from \"x\";", "(program (import \"x\" (default x)))" },
	{ 0, "import * as ns from \"x\";", "(program (import \"x\" (* ns)))" },
	{ 0, "import d, { e } from \"y\";",
	    "(program (import \"y\" (default d) (e e)))" },
	{ 0, "import \"side\";", "(program (import \"side\"))" },
	{ 0, "export function ef() {}",
	    "(program (export (function ef () (block))))" },
	{ 0, "export const ec = 1;", "(program (export (const (ec 1))))" },
	{ 0, "export default 42;", "(program (export-default 42))" },
	{ 0, "export { a, b as c };", "(program (export-names (a a) (b c)))" },
	{ 0, "export { default as z } from \"m\";",
	    "(program (export-names \"m\" (default z)))" },
	{ 0, "export * from \"m\";", "(program (export-all \"m\"))" },
	{ 0, "export class EC {}", "(program (export (class EC)))" },
	{ 0, "export default function () {}",
	    "(program (export-default (function () (block))))" },
	{ 0, "export default class {}", "(program (export-default (class)))" },
	{ 0, "export default async function named() {}",
	    "(program (export-default (function async named () (block))))" },
	{ 0,
	    "a = b ?"
	    " c : d;",
	    "(program (expr (= a (?"
	    " b c d))))" },
	{ 0, "x = a || b && c | d ^ e & f == g < h << i + j * k;",
	    "(program (expr (= x (|| a (&& b (| c (^ d (& e (== f (< g (<< h "
	    "(+ i (* j k)))))))))))))" },
	{ 0,
	    "x += 1; x -= 1; x *= 1; x /= 2; x %= 1; x **= 2; x <<= 1; x >>= "
	    "1; x >>>= 1; x &= 1; x |= 1; x ^= 1;",
	    "(program (expr (+= x 1)) (expr (-= x 1)) (expr (*= x 1)) (expr "
	    "(/= x 2)) (expr (%= x 1)) (expr (**= x 2)) (expr (<<= x 1)) (expr "
	    "(>>= x 1)) (expr (>>>= x 1)) (expr (&= x 1)) (expr (|= x 1)) "
	    "(expr (^= x 1)))" },
	{ 0, "-x; +x; !x; ~x; ++x; --x; x++; x--;",
	    "(program (expr (- x)) (expr (+ x)) (expr (! x)) (expr (~ x)) "
	    "(expr (pre++ x)) (expr (pre-- x)) (expr (post++ x)) (expr (post-- "
	    "x)))" },
	{ 0, "a !== b; a != b; a == b; a <= b; a >= b; a > b; a >>> b; a >> b;",
	    "(program (expr (!== a b)) (expr (!= a b)) (expr (== a b)) (expr "
	    "(<= a b)) (expr (>= a b)) (expr (> a b)) (expr (>>> a b)) (expr "
	    "(>> a b)))" },
	{ 0, "`line1\nline2`;",
	    "(program (expr (template \"line1\\nline2\")))" },
	{ 0, "`a\\u0041${x}\\n`;",
	    "(program (expr (template (raw \"aA\" \"a\\\\u0041\") x (raw "
	    "\"\\n\" \"\\\\n\"))))" },
	{ 0, "f(a, ...b, c,);", "(program (expr (call f a (... b) c)))" },
	{ 0,
	    "x = a ?"
	    " b : c;",
	    "(program (expr (= x (?"
	    " a b c))))" },
	{ 0, "a = b = c;", "(program (expr (= a (= b c))))" },
	{ 0,
	    "a || b || c; a && b && c; a ?"
	    "?"
	    " b ?"
	    "?"
	    " c;",
	    "(program (expr (|| (|| a b) c)) (expr (&& (&& a b) c)) (expr (?"
	    "?"
	    " (?"
	    "?"
	    " a b) c)))" },
	{ 0,
	    "(a ?"
	    "?"
	    " b) || c; a ?"
	    "?"
	    " (b && c);",
	    "(program (expr (|| (?"
	    "?"
	    " a b) c)) (expr (?"
	    "?"
	    " a (&& b c))))" },
	{ 0, "x = a + b - c; x = a * b / c % d;",
	    "(program (expr (= x (- (+ a b) c))) (expr (= x (% (/ (* a b) c) "
	    "d))))" },
	{ 0, "x = (a + b) * c;", "(program (expr (= x (* (+ a b) c))))" },
	{ 0,
	    "!a.b; -a ** 2 === 1 ?"
	    " 0 : 1;",
	    "ERR t.js:1:10: unparenthesized unary expression before '**'" },
	{ 0, "typeof typeof x; void typeof delete a[b];",
	    "(program (expr (typeof (typeof x))) (expr (void (typeof (delete "
	    "([] a b))))))" },
	{ 0, "a.b.c.d; a[0][1]; a.if.class.new;",
	    "(program (expr (. (. (. a b) c) d)) (expr ([] ([] a 0) 1)) (expr "
	    "(. (. (. a if) class) new)))" },
	{ 0, "f()()(); new new X()();",
	    "(program (expr (call (call (call f)))) (expr (new (new X))))" },
	{ 0,
	    "a?"
	    ".b?"
	    ".c; a?"
	    ".b[c]?"
	    ".(d);",
	    "(program (expr (chain (?"
	    ". (?"
	    ". a b) c))) (expr (chain (call?"
	    ". ([] (?"
	    ". a b) c) d))))" },
	{ 0, "x = function* () {};",
	    "ERR t.js:1:13: not supported: generator" },
	{ 0, "async () => await 1;",
	    "(program (expr (arrow async () (await 1))))" },
	{ 0, "x = async function () { await y; };",
	    "(program (expr (= x (function async () (block (expr (await "
	    "y)))))))" },
	{ 0, "const f = (a, [b, c] = [1, 2], {d, e: [f]} = {}) => a;",
	    "(program (const (f (arrow (a (default (array-pattern b c) (array "
	    "1 2)) (default (object-pattern (prop d d) (prop e (array-pattern "
	    "f))) (object))) a))))" },
	{ 0, "const f = ({a, ...r}) => r;",
	    "(program (const (f (arrow ((object-pattern (prop a a) (... r))) "
	    "r))))" },
	{ 0, "const f = ([a, ...r]) => r;",
	    "(program (const (f (arrow ((array-pattern a (... r))) r))))" },
	{ 0, "const f = () => ({});",
	    "(program (const (f (arrow () (object)))))" },
	{ 0, "const f = a => b => c;",
	    "(program (const (f (arrow (a) (arrow (b) c)))))" },
	{ 0,
	    "const o = { async: 1, get: 2, set: 3, static: 4, of: 5, new: 6 };",
	    "(program (const (o (object (prop async 1) (prop get 2) (prop set "
	    "3) (prop static 4) (prop of 5) (prop new 6)))))" },
	{ 0, "const o = { async, get, set };",
	    "(program (const (o (object (prop async async) (prop get get) "
	    "(prop set set)))))" },
	{ 0, "const o = { 'quoted key': 1, 1.5: 2, [a + b]: 3 };",
	    "(program (const (o (object (prop \"quoted key\" 1) (prop 1.5 2) "
	    "(prop [(+ a b)] 3)))))" },
	{ 0, "const o = { async *gen() {} };",
	    "ERR t.js:1:19: not supported: generator" },
	{ 0, "label: { break label; }",
	    "(program (label label (block (break label))))" },
	{ 0, "a: b: while (1) continue a;",
	    "(program (label a (label b (while 1 (continue a)))))" },
	{ 0, "for (var i = 0, j = 10; i < j; i++, j--) ;",
	    "(program (for (var (i 0) (j 10)) (< i j) (, (post++ i) (post-- "
	    "j)) (empty)))" },
	{ 0, "for (let [k, v] of Object.entries(o)) {}",
	    "(program (for-of (let ((array-pattern k v))) (call (. Object "
	    "entries) o) (block)))" },
	{ 0, "for (const { a, b } of list) {}",
	    "(program (for-of (const ((object-pattern (prop a a) (prop b b)))) "
	    "list (block)))" },
	{ 0, "for (x in y) ;", "(program (for-in x y (empty)))" },
	{ 0, "for (let i in (a in b)) ;",
	    "(program (for-in (let (i)) (in a b) (empty)))" },
	{ 0, "for (const x of [1, 2, 3]) { if (x) continue; else break; }",
	    "(program (for-of (const (x)) (array 1 2 3) (block (if x "
	    "(continue) (break)))))" },
	{ 0, "if (a) { } else { }", "(program (if a (block) (block)))" },
	{ 0, "switch (a) {}", "(program (switch a))" },
	{ 0, "switch (a) { default: }", "(program (switch a (default)))" },
	{ 0, "try { } catch ({ message }) { }",
	    "(program (try (block) (catch (object-pattern (prop message "
	    "message)) (block))))" },
	{ 0, "try { } catch ([a, b]) { }",
	    "(program (try (block) (catch (array-pattern a b) (block))))" },
	{ 0,
	    "class A { static async m() {} async n() {} 'str'() {} [k]() {} "
	    "42() {} }",
	    "(program (class A (method static m (function async () (block))) "
	    "(method n (function async () (block))) (method \"str\" (function "
	    "() (block))) (method [k] (function () (block))) (method 42 "
	    "(function () (block)))))" },
	{ 0, "class A { static x; static y = 2; z = this.y; }",
	    "(program (class A (field static x) (field static y 2) (field z (. "
	    "this y))))" },
	{ 0, "class A extends mixin(B, C) {}",
	    "(program (class A (extends (call mixin B C))))" },
	{ 0, "class A { get() {} set() {} static() {} async() {} }",
	    "(program (class A (method get (function () (block))) (method set "
	    "(function () (block))) (method static (function () (block))) "
	    "(method async (function () (block)))))" },
	{ 0, "class A { static get x() {} static set x(v) {} }",
	    "(program (class A (get static x (function () (block))) (set "
	    "static x (function (v) (block)))))" },
	{ 0, "class A { constructor() { super.x = 1; } }",
	    "(program (class A (method constructor (function () (block (expr "
	    "(= (. super x) 1)))))))" },
	{ 0, "new.target;", "ERR t.js:1:4: not supported: new.target" },
	{ 0, "import.meta;", "ERR t.js:1:1: not supported: import.meta" },
	{ 0, "import('x');", "ERR t.js:1:1: not supported: dynamic import" },
	{ 0, "export * as ns from 'm';",
	    "ERR t.js:1:10: not supported: export * as" },
	{ 0, "x = a\n++b", "(program (expr (= x a)) (expr (pre++ b)))" },
	{ 0, "x = [a, [b, [c]]];",
	    "(program (expr (= x (array a (array b (array c))))))" },
	{ 0, "x = {a: {b: {c: 1}}};",
	    "(program (expr (= x (object (prop a (object (prop b (object (prop "
	    "c 1)))))))))" },
	{ 0, "x = 'it''s';", "ERR t.js:1:9: expected ';' before ''s''" },
	{ 0, "0 .toString(); 1..toString(); 1.5.toFixed();",
	    "(program (expr (call (. 0 toString))) (expr (call (. 1 "
	    "toString))) (expr (call (. 1.5 toFixed))))" },
	{ 0, "x = 1e21; y = 1.5e300; z = 0.000001; w = 123456789012;",
	    "(program (expr (= x 1e+21)) (expr (= y 1.5e+300)) (expr (= z "
	    "1e-06)) (expr (= w 123456789012)))" },
	{ 0, "x = 0xFFFFFFFFFFFFF;",
	    "(program (expr (= x 4503599627370495)))" },
	{ 0, "a = b\n`t`",
	    "(program (expr (= a (tagged b (template \"t\")))))" },
	{ 0, "a = -(-x); b = +(+x); c = - -x;",
	    "(program (expr (= a (- (- x)))) (expr (= b (+ (+ x)))) (expr (= c "
	    "(- (- x)))))" },
	{ 0, "a = !(b instanceof C);",
	    "(program (expr (= a (! (instanceof b C)))))" },
	{ 0,
	    "x = a ?"
	    " (b, c) : d;",
	    "(program (expr (= x (?"
	    " a (, b c) d))))" },
	{ 0, "x = (a, b);", "(program (expr (= x (, a b))))" },
	{ 0, "(a) = 1; (a.b) = 2;",
	    "(program (expr (= a 1)) (expr (= (. a b) 2)))" },
	{ 0, "[a.b, c[d]] = e;",
	    "(program (expr (= (array-pattern (. a b) ([] c d)) e)))" },
	{ 0, "({a: [b]} = c);",
	    "(program (expr (= (object-pattern (prop a (array-pattern b))) "
	    "c)))" },
	{ 0, "[...a.b] = c;",
	    "(program (expr (= (array-pattern (... (. a b))) c)))" },
	{ 0, "x = `${`${a}`}`;",
	    "(program (expr (= x (template \"\" (template \"\" a \"\") "
	    "\"\"))))" },
	{ 0, "x = tag`a${b}c${d}e`;",
	    "(program (expr (= x (tagged tag (template \"a\" b \"c\" d "
	    "\"e\")))))" },
	{ 0, "x = a.b`t`;",
	    "(program (expr (= x (tagged (. a b) (template \"t\")))))" },
	{ 0, "await x;", "(program (expr (await x)))" },
	{ 0, "await import_x;", "(program (expr (await import_x)))" },
	{ 0, "for (const x of await y) {}",
	    "(program (for-of (const (x)) (await y) (block)))" },
	{ 0, "x ||= await y;", "(program (expr (||= x (await y))))" },
	{ 0,
	    "x = y ?"
	    "?"
	    " await z;",
	    "(program (expr (= x (?"
	    "?"
	    " y (await z)))))" },
	{ 0, "while (true) { if (x) break; }",
	    "(program (while true (block (if x (break)))))" },
	{ 0, "do ; while (0)", "(program (do (empty) 0))" },
	{ 0, "{ let a = 1; { const b = 2; } }",
	    "(program (block (let (a 1)) (block (const (b 2)))))" },
	{ 0, ";;;", "(program (empty) (empty) (empty))" },
	{ 0, "if (a) ; else ;", "(program (if a (empty) (empty)))" },
	{ 0, "x = void 0 === undefined;",
	    "(program (expr (= x (=== (void 0) undefined))))" },
	{ 0, "x = !a && !b;", "(program (expr (= x (&& (! a) (! b)))))" },
	{ 0, "x = a < b == c > d;",
	    "(program (expr (= x (== (< a b) (> c d)))))" },
	{ 0, "x = a == b != c === d !== e;",
	    "(program (expr (= x (!== (=== (!= (== a b) c) d) e))))" },
	{ 0, "x = a << b >> c >>> d;",
	    "(program (expr (= x (>>> (>> (<< a b) c) d))))" },
	{ 0, "x = a & b | c ^ d;",
	    "(program (expr (= x (| (& a b) (^ c d)))))" },
	{ 0, "x = ~a & ~b;", "(program (expr (= x (& (~ a) (~ b)))))" },
	{ 0, "x = a in b instanceof c;",
	    "(program (expr (= x (instanceof (in a b) c))))" },
	{ 0, "x = a ** -b;", "(program (expr (= x (** a (- b)))))" },
	{ 0, "x = (-a) ** b;", "(program (expr (= x (** (- a) b))))" },
	{ 0, "x = a++ + ++b;",
	    "(program (expr (= x (+ (post++ a) (pre++ b)))))" },
	{ 0, "x = a-- - --b;",
	    "(program (expr (= x (- (post-- a) (pre-- b)))))" },
	{ 0, "x = a + + b;", "(program (expr (= x (+ a (+ b)))))" },
	{ 0, "x = a - - b;", "(program (expr (= x (- a (- b)))))" },
	{ 0, "x = \"\\u{1F600}\".length;",
	    "(program (expr (= x (. \"\xf0"
	    "\x9f"
	    "\x98"
	    "\x80"
	    "\" length))))" },
	{ 0, "x = '\\\\';", "(program (expr (= x \"\\\\\")))" },
	{ 0, "x = '\\r\\v\\f\\b';",
	    "(program (expr (= x \"\\x0d\\x0b\\x0c\\x08\")))" },
	{ 0,
	    "x = '\\u00e9' + '\xc3"
	    "\xa9"
	    "';",
	    "(program (expr (= x (+ \"\xc3"
	    "\xa9"
	    "\" \"\xc3"
	    "\xa9"
	    "\"))))" },
	{ 0, "x = /a\\/b[/]c/gimsuyd;",
	    "(program (expr (= x (regex \"a\\\\/b[/]c\" \"gimsuyd\"))))" },
	{ 0, "x = /=/;", "(program (expr (= x (regex \"=\" \"\"))))" },
	{ 0, "x = a /= b;", "(program (expr (= x (/= a b))))" },
	{ 0, "x = a / b / c;", "(program (expr (= x (/ (/ a b) c))))" },
	{ 0, "x = (a) / b;", "(program (expr (= x (/ a b))))" },
	{ 0, "x = [a] / b;", "(program (expr (= x (/ (array a) b))))" },
	{ 0, "x = a[0] / b;", "(program (expr (= x (/ ([] a 0) b))))" },
	{ 0, "x = 'a' / b;", "(program (expr (= x (/ \"a\" b))))" },
	{ 0, "x = 1 / 2;", "(program (expr (= x (/ 1 2))))" },
	{ 0, "x = a++ / 2;", "(program (expr (= x (/ (post++ a) 2))))" },
	{ 0, "x = this / 2;", "(program (expr (= x (/ this 2))))" },
	{ 0, "x = f() / 2;", "(program (expr (= x (/ (call f) 2))))" },
	{ 0, "x = `t` / 2;", "(program (expr (= x (/ (template \"t\") 2))))" },
	{ 0, "x = typeof /re/;",
	    "(program (expr (= x (typeof (regex \"re\" \"\")))))" },
	{ 0, "x = [/a/, /b/];",
	    "(program (expr (= x (array (regex \"a\" \"\") (regex \"b\" "
	    "\"\")))))" },
	{ 0, "x = {a: /re/};",
	    "(program (expr (= x (object (prop a (regex \"re\" \"\"))))))" },
	{ 0, "x = f(/re/, /re2/);",
	    "(program (expr (= x (call f (regex \"re\" \"\") (regex \"re2\" "
	    "\"\")))))" },
	{ 0, "x = !/re/.test(s);",
	    "(program (expr (= x (! (call (. (regex \"re\" \"\") test) "
	    "s)))))" },
	{ 0, "x = a && /re/.test(s);",
	    "(program (expr (= x (&& a (call (. (regex \"re\" \"\") test) "
	    "s)))))" },
	{ 0,
	    "x = a ?"
	    " /b/ : /c/;",
	    "(program (expr (= x (?"
	    " a (regex \"b\" \"\") (regex \"c\" \"\")))))" },
	{ 0, "return_ = /x/;",
	    "(program (expr (= return_ (regex \"x\" \"\"))))" },
	{ 0, "if (/re/.test(s)) {}",
	    "(program (if (call (. (regex \"re\" \"\") test) s) (block)))" },
	{ 0, "while (x) /re/.exec(s);",
	    "(program (while x (expr (call (. (regex \"re\" \"\") exec) "
	    "s))))" },
	{ 0, "for (;;) /re/;",
	    "(program (for nil nil nil (expr (regex \"re\" \"\"))))" },
	{ 0, "x = () => /re/;",
	    "(program (expr (= x (arrow () (regex \"re\" \"\")))))" },
	{ 0, "x = (a) => a / 2;",
	    "(program (expr (= x (arrow (a) (/ a 2)))))" },
	{ 0, "x = a.b / c.d;", "(program (expr (= x (/ (. a b) (. c d)))))" },
};

/* Number edge cases of the printer and the lexer's strtod path. */
static const struct pcase num_cases[] = {
	{ 0, "x = 1e999;", "(program (expr (= x Infinity)))" },
	{ 0, "x = 1.7976931348623157e308;",
	    "(program (expr (= x 1.7976931348623157e+308)))" },
	{ 0, "x = 5e-324;", "(program (expr (= x 5e-324)))" },
	{ 0, "x = 0.1 + 0.2;", "(program (expr (= x (+ 0.1 0.2))))" },
	{ 0, "x = 9007199254740993;",
	    "(program (expr (= x 9007199254740992)))" },
	{ 0, "x = 0b1111_1111 + 0o7_7 + 0xa_b;",
	    "(program (expr (= x (+ (+ 255 63) 171))))" },
	{ 0, "x = 1_0.0_1e1_0;", "(program (expr (= x 100100000000)))" },
};

/* Automatic semicolon insertion (§12.10) and its restricted productions. */
static const struct pcase asi_cases[] = {
	{ 0, "a\nb", "(program (expr a) (expr b))" },
	{ 0, "function f(){ return\nx }",
	    "(program (function f () (block (return) (expr x))))" },
	{ 0, "x\n++y", "(program (expr x) (expr (pre++ y)))" },
	{ 0, "i\n++\nj", "(program (expr i) (expr (pre++ j)))" },
	{ 0, "L: for(;;) { break\nL }",
	    "(program (label L (for nil nil nil (block (break) (expr L)))))" },
	{ 0, "L: for(;;) { continue\nL }",
	    "(program (label L (for nil nil nil (block (continue) "
	    "(expr L)))))" },
	{ 0, "a = b\n(c)", "(program (expr (= a (call b c))))" },
	{ 0, "a\n[b]", "(program (expr ([] a b)))" },
	{ 0, "a = b\n`t`",
	    "(program (expr (= a (tagged b (template \"t\")))))" },
	{ 0, "let x = 1\nlet y = 2", "(program (let (x 1)) (let (y 2)))" },
	{ 0, "do {} while (x) y", "(program (do (block) x) (expr y))" },
	{ 0, "do ; while (0)", "(program (do (empty) 0))" },
	{ 0, "x => {}\n(y)", "(program (expr (arrow (x) (block))) (expr y))" },
	{ 0, "if (a) x\nelse y", "(program (if a (expr x) (expr y)))" },
	{ 0, "{ 1\n2 } 3", "(program (block (expr 1) (expr 2)) (expr 3))" },
	{ 0, "var a = 1, b\nvar c", "(program (var (a 1) (b)) (var (c)))" },
	{ 0, "let\nx = 1", "(program (let (x 1)))" },
	{ 0, "x\n=\n1", "(program (expr (= x 1)))" },
	{ 0, "async\nfunction f(){}",
	    "(program (expr async) (function f () (block)))" },
	{ 0, "async\nx => x", "(program (expr async) (expr (arrow (x) x)))" },
	{ 0, "a = async\n(x)", "(program (expr (= a (call async x))))" },
	{ 0, "a\n(b)\n++\nc", "(program (expr (call a b)) (expr (pre++ c)))" },
	{ 0, "x = a\n++b", "(program (expr (= x a)) (expr (pre++ b)))" },
	{ 0, "a\n?.5:1", "(program (expr (? a 0.5 1)))" },
	{ 0, "a /* \n */ b", "(program (expr a) (expr b))" },
	{ 0, "a /* */ b", "ERR t.js:1:9: expected ';' before 'b'" },
	{ 0,
	    "a\xe2\x80\xa8"
	    "b",
	    "(program (expr a) (expr b))" },
	{ 0, "x = 1 x", "ERR t.js:1:7: expected ';' before 'x'" },
	{ 0, "throw\nx", "ERR t.js:2:1: line break after 'throw'" },
	{ 0, "(a)\n=> 1", "ERR t.js:2:1: line terminator before '=>'" },
	{ 0, "async (a)\n=> 1", "ERR t.js:2:1: line terminator before '=>'" },
	{ 0, "for (;;\n) {}", "(program (for nil nil nil (block)))" },
	{ 0, "for (a\nb;;) {}", "ERR t.js:2:1: expected ';' but found 'b'" },
	{ 0, "function f() { return }",
	    "(program (function f () (block (return))))" },
	{ 0, "class A { x = 1\ny\nm() {} }",
	    "(program (class A (field x 1) (field y) (method m (function () "
	    "(block)))))" },
};

/* '/' after an operand divides; elsewhere it starts a regex (§12). */
static const struct pcase regex_cases[] = {
	{ 0, "a\n/re/g", "(program (expr (/ (/ a re) g)))" },
	{ 0, "x = {} / 2", "(program (expr (= x (/ (object) 2))))" },
	{ 0, "x = {} / 2 / 3", "(program (expr (= x (/ (/ (object) 2) 3))))" },
	{ 0, "if (x) /re/.test(y)",
	    "(program (if x (expr (call (. (regex \"re\" \"\") test) y))))" },
	{ 0, "{}\n/foo/g.test(x)",
	    "(program (block) (expr (call (. (regex \"foo\" \"g\") test) "
	    "x)))" },
	{ 0, "`${a / b}${/re/}`",
	    "(program (expr (template \"\" (/ a b) \"\" (regex \"re\" \"\") "
	    "\"\")))" },
	{ 0, "a ? /x/ : /y/",
	    "(program (expr (? a (regex \"x\" \"\") (regex \"y\" \"\"))))" },
	{ 0, "x = y / z /\ng", "(program (expr (= x (/ (/ y z) g))))" },
	{ 0, "\"use strict\"\n/x/g",
	    "(program (expr (/ (/ \"use strict\" x) g)))" },
	{ 0, "function f() {} /re/.test(s)",
	    "(program (function f () (block)) (expr (call (. (regex \"re\" "
	    "\"\") test) s)))" },
	{ 0, "x = function () {} / 2",
	    "(program (expr (= x (/ (function () (block)) 2))))" },
	{ 0, "x = a\n/=b/ 2", "(program (expr (= x (/= a (/ b 2)))))" },
	{ 0, "x = /[/]/", "(program (expr (= x (regex \"[/]\" \"\"))))" },
	{ 0, "x = (a) / (b) / c", "(program (expr (= x (/ (/ a b) c))))" },
	{ 0, "x = a.return / 2", "(program (expr (= x (/ (. a return) 2))))" },
	{ 0, "x = /a/gg;", "ERR t.js:1:9: invalid regular expression flags" },
	{ 0, "x = /abc\n/;", "ERR t.js:1:5: unterminated regular expression" },
	{ 0, "x = (/abc\n/);",
	    "ERR t.js:1:6: unterminated regular expression" },
};

/* Errors: exact file:line:col and message. */
static const struct pcase err_cases[] = {
	{ 0, "let x = ;", "ERR t.js:1:9: unexpected ';'" },
	{ 0, "a +", "ERR t.js:1:4: unexpected end of input" },
	{ 0, "\"abc", "ERR t.js:1:5: unterminated string literal" },
	{ 0, "if (x) {", "ERR t.js:1:9: expected '}'" },
	{ 0, "break;", "ERR t.js:1:1: break outside a loop or switch" },
	{ 0, "function f() { continue; }",
	    "ERR t.js:1:16: continue outside a loop" },
	{ 0, "for (;;) { continue L; }", "ERR t.js:1:21: undefined label 'L'" },
	{ 0, "L: { for (;;) continue L; }",
	    "ERR t.js:1:24: continue target is not a loop" },
	{ 0, "x = 1 = 2;", "ERR t.js:1:5: invalid assignment target" },
	{ 0,
	    "a ?"
	    "?"
	    " b || c;",
	    "ERR t.js:1:1: cannot mix '?"
	    "?"
	    "' with '&&' or '||' without parentheses" },
	{ 0,
	    "a && b ?"
	    "?"
	    " c;",
	    "ERR t.js:1:1: cannot mix '?"
	    "?"
	    "' with '&&' or '||' without parentheses" },
	{ 0,
	    "a ?"
	    "?"
	    " b && c;",
	    "ERR t.js:1:1: cannot mix '?"
	    "?"
	    "' with '&&' or '||' without parentheses" },
	{ 0, "-2 ** 2;",
	    "ERR t.js:1:4: unparenthesized unary expression before '**'" },
	{ 0, "await x ** 2;",
	    "ERR t.js:1:9: unparenthesized unary expression before '**'" },
	{ 0, "with (a) {}", "ERR t.js:1:1: not supported: with" },
	{ 0, "function* g() {}", "ERR t.js:1:9: not supported: generator" },
	{ 0, "0777;", "ERR t.js:1:1: not supported: legacy octal literal" },
	{ 0, "class A { #x = 1 }",
	    "ERR t.js:1:11: not supported: private name" },
	{ 0, "1n;", "ERR t.js:1:1: not supported: BigInt" },
	{ 0, "enum E {}", "ERR t.js:1:1: not supported: enum" },
	{ 0, "({a = 1});",
	    "ERR t.js:1:5: invalid shorthand property initializer" },
	{ 0, "({a = 1}).a;",
	    "ERR t.js:1:5: invalid shorthand property initializer" },
	{ 0, "const x;", "ERR t.js:1:7: missing initializer in declaration" },
	{ 0, "let [a];", "ERR t.js:1:5: missing initializer in declaration" },
	{ 0, "function f() { await x; }",
	    "ERR t.js:1:16: await is only valid in async functions" },
	{ 0, "const f = () => await x;",
	    "ERR t.js:1:17: await is only valid in async functions" },
	{ 0, "delete x;", "ERR t.js:1:1: delete of an unqualified identifier" },
	{ 0, "\"\\07\";", "ERR t.js:1:2: not supported: octal escape" },
	{ 0, "'\\8';", "ERR t.js:1:2: not supported: octal escape" },
	{ 0, "for await (x of y) {}",
	    "ERR t.js:1:5: not supported: for await" },
	{ 0, "yield x;", "ERR t.js:1:1: not supported: yield" },
	{ 0,
	    "a?"
	    ".b = 1;",
	    "ERR t.js:1:1: invalid assignment target" },
	{ 0,
	    "new a?"
	    ".b();",
	    "ERR t.js:1:6: optional chain in new expression" },
	{ 0,
	    "a?"
	    ".b`x`;",
	    "ERR t.js:1:5: tagged template in optional chain" },
	{ 0, "switch (x) { default: default: }",
	    "ERR t.js:1:23: more than one default clause" },
	{ 0, "try {}", "ERR t.js:1:7: expected 'catch' or 'finally'" },
	{ 0, "L: L: ;", "ERR t.js:1:4: duplicate label 'L'" },
	{ 0, "debugger;", "ERR t.js:1:1: not supported: debugger" },
	{ 0, "var eval = 1;",
	    "ERR t.js:1:5: cannot bind 'eval' in strict mode" },
	{ 0, "arguments = 1;",
	    "ERR t.js:1:1: cannot bind 'arguments' in strict mode" },
	{ 0, "@decorator", "ERR t.js:1:1: unexpected character" },
	{ 0, "let a = 1;\nlet b = @;", "ERR t.js:2:9: unexpected character" },
	{ 0, "x = `abc", "ERR t.js:1:9: unterminated template literal" },
	{ 0, "x = `${a`;", "ERR t.js:1:11: unterminated template literal" },
	{ 0, "x = `${a}", "ERR t.js:1:10: unterminated template literal" },
	{ 0, "x = {a b};", "ERR t.js:1:8: expected ',' but found 'b'" },
	{ 0, "f(a b);", "ERR t.js:1:5: expected ',' but found 'b'" },
	{ 0, "[a b];", "ERR t.js:1:4: expected ',' but found 'b'" },
	{ 0,
	    "x = a ?"
	    " b;",
	    "ERR t.js:1:10: expected ':' but found ';'" },
	{ 0, "class { }", "ERR t.js:1:7: expected class name" },
	{ 0, "function () {}", "ERR t.js:1:10: expected function name" },
	{ 0, "import x from;",
	    "ERR t.js:1:14: expected module specifier string" },
	{ 0, "import { a b } from \"x\";",
	    "ERR t.js:1:12: expected ',' but found 'b'" },
	{ 0, "export { a b };", "ERR t.js:1:12: expected ',' but found 'b'" },
	{ 0, "if (x) import y from \"y\";",
	    "ERR t.js:1:8: import declarations may only appear at top level" },
	{ 0, "function f() { export const x = 1; }",
	    "ERR t.js:1:16: export declarations may only appear at top level" },
	{ 0, "x = ();", "ERR t.js:1:6: unexpected ')'" },
	{ 0, "x = (1) = 2;", "ERR t.js:1:6: invalid assignment target" },
	{ 0, "x = [a] += 1;", "ERR t.js:1:5: invalid assignment target" },
	{ 0, "([a]) = 1;", "ERR t.js:1:2: invalid assignment target" },
	{ 0, "++a.b.c();", "ERR t.js:1:3: invalid update target" },
	{ 0, "f() = 1;", "ERR t.js:1:1: invalid assignment target" },
	{ 0, "a++ = 1;", "ERR t.js:1:1: invalid assignment target" },
	{ 0, "for (let x = 1 of y) {}",
	    "ERR t.js:1:6: invalid left-hand side in for-of" },
	{ 0, "for (let x, y of z) {}",
	    "ERR t.js:1:6: invalid left-hand side in for-of" },
	{ 0, "for ([a] = 1 in y) {}",
	    "ERR t.js:1:6: invalid assignment target" },
	{ 0, "let let = 1;",
	    "ERR t.js:1:5: expected identifier but found 'let'" },
	{ 0, "x = { if };", "ERR t.js:1:7: unexpected keyword 'if'" },
	{ 0, "x = { class: 1, if };",
	    "ERR t.js:1:17: unexpected keyword 'if'" },
	{ 0, "import { if } from \"x\";",
	    "ERR t.js:1:10: unexpected keyword 'if'" },
	{ 0, "let x = 1, ;",
	    "ERR t.js:1:12: expected identifier but found ';'" },
	{ 0, "x = a.;", "ERR t.js:1:7: expected identifier but found ';'" },
	{ 0,
	    "x = a?"
	    ".;",
	    "ERR t.js:1:8: expected identifier but found ';'" },
	{ 0, "x = new;", "ERR t.js:1:8: unexpected ';'" },
	{ 0, "(x)\n => 1", "ERR t.js:2:2: line terminator before '=>'" },
	{ 0, "x\n=> 1", "ERR t.js:2:1: line terminator before '=>'" },
	{ 0, "throw\n1;", "ERR t.js:2:1: line break after 'throw'" },
	{ 0, "return;", "ERR t.js:1:1: return outside a function" },
	{ 0, "class A { get constructor() {} }",
	    "ERR t.js:1:11: constructor cannot be async or an accessor" },
	{ 0, "class A { async constructor() {} }",
	    "ERR t.js:1:11: constructor cannot be async or an accessor" },
	{ 0, "class A { static {} }",
	    "ERR t.js:1:11: not supported: static block" },
	{ 0, "x = {get a b() {}};", "ERR t.js:1:12: expected '('" },
	{ 0, "x = [...];", "ERR t.js:1:9: unexpected ']'" },
	{ 0, "x = {...};", "ERR t.js:1:9: unexpected '}'" },
	{ 0, "const {a, ...b, c} = d;",
	    "ERR t.js:1:15: rest element must be last" },
	{ 0, "const [...a, b] = c;",
	    "ERR t.js:1:12: rest element must be last" },
	{ 0, "function f(...a, b) {}",
	    "ERR t.js:1:16: rest parameter must be last" },
	{ 0, "function f(...a,) {}",
	    "ERR t.js:1:16: rest parameter must be last" },
	{ 0, "if (a) else b;", "ERR t.js:1:8: unexpected 'else'" },
	{ 0, "do x while (y);", "ERR t.js:1:6: expected ';' before 'while'" },
	{ 0, "x = 'unterminated",
	    "ERR t.js:1:18: unterminated string literal" },
	{ 0, "x = 1 x", "ERR t.js:1:7: expected ';' before 'x'" },
	{ 0, "x = /a/gg;", "ERR t.js:1:9: invalid regular expression flags" },
	{ 0, "x = /abc\n/;", "ERR t.js:1:5: unterminated regular expression" },
	{ 0, "x = 08;", "ERR t.js:1:5: not supported: legacy octal literal" },
	{ 0, "x = 1_;", "ERR t.js:1:6: invalid numeric separator" },
	{ 0, "new.target;", "ERR t.js:1:4: not supported: new.target" },
	{ 0, "import.meta;", "ERR t.js:1:1: not supported: import.meta" },
	{ 0, "import('x');", "ERR t.js:1:1: not supported: dynamic import" },
	{ 0, "export * as ns from 'm';",
	    "ERR t.js:1:10: not supported: export * as" },
	{ 0, "x = function* () {};",
	    "ERR t.js:1:13: not supported: generator" },
	{ 0, "x = { *g() {} };", "ERR t.js:1:7: not supported: generator" },
	{ 0, "super();", "(program (expr (call super)))" },
	{ 0, "x = super;", "ERR t.js:1:5: unexpected 'super'" },
	{ 0, "let x = 1 let y = 2",
	    "ERR t.js:1:11: expected ';' before 'let'" },
	{ 0, "a\n/re/ = 1", "ERR t.js:2:6: unexpected '='" },
	{ 0, "x = { a: 1, get: }", "ERR t.js:1:18: unexpected '}'" },
	{ 0, "import x, y from 'z';", "ERR t.js:1:11: unexpected 'y'" },
	{ 0, "import * from 'z';", "ERR t.js:1:10: expected 'as'" },
	{ 0, "export default", "ERR t.js:1:15: unexpected end of input" },
	{ 0, "export let;", "ERR t.js:1:8: unexpected 'let'" },
	{ 0, "export x;", "ERR t.js:1:8: unexpected 'x'" },
	{ 0, "import x from 'y' with { type: 'json' };",
	    "ERR t.js:1:19: not supported: import attributes" },
	{ 0, "import { 'a' as b } from 'y';",
	    "ERR t.js:1:10: not supported: string import name" },
	{ 0, "const x = 1, y;",
	    "ERR t.js:1:14: missing initializer in declaration" },
	{ 0, "try {} catch (e) {} catch (f) {}",
	    "ERR t.js:1:21: unexpected 'catch'" },
	{ 0,
	    "x = a\n?"
	    ".b`t`",
	    "ERR t.js:2:4: tagged template in optional chain" },
	{ 0, "let x: number = 1;", "ERR t.js:1:6: expected ';' before ':'" },
	{ 0,
	    "function f(a?"
	    ") {}",
	    "ERR t.js:1:13: expected ',' but found '?"
	    "'" },
	{ 0, "x = a as T;", "ERR t.js:1:7: expected ';' before 'as'" },
	{ 0, "interface I {}", "ERR t.js:1:1: unexpected 'interface'" },
	{ 0, "x = \"\\u{D800}\";",
	    "(program (expr (= x \"\xed"
	    "\xa0"
	    "\x80"
	    "\")))" },
	{ 0, "x = '\\x';", "ERR t.js:1:6: invalid \\x escape" },
	{ 0,
	    "\xff"
	    "",
	    "ERR t.js:1:1: invalid UTF-8" },
	{ 0, "x = 1;\n\n  \\u0061 = 2;",
	    "ERR t.js:3:3: not supported: escape in identifier" },
	{ 0,
	    "a ?"
	    " b : c = d ?"
	    " e",
	    "ERR t.js:1:18: expected ':' but found end of input" },
	{ 0, "x = [,,] = 1;",
	    "(program (expr (= x (= (array-pattern hole hole) 1))))" },
	{ 0, "({a: 1} = b);", "ERR t.js:1:6: invalid assignment target" },
	{ 0, "({a() {}} = b);", "ERR t.js:1:3: invalid destructuring target" },
	{ 0, "[...a, b] = c;", "ERR t.js:1:2: rest element must be last" },
	{ 0, "({...a, b} = c);", "ERR t.js:1:3: rest element must be last" },
	{ 0, "({...[a]} = c);", "ERR t.js:1:6: invalid rest element" },
	{ 0, "for (x of y, z) ;", "ERR t.js:1:12: expected ')' but found ','" },
	{ 0, "class A extends B, C {}",
	    "ERR t.js:1:18: expected '{' but found ','" },
	{ JS_PARSE_TS, "let v = <any>x;",
	    "ERR t.js:1:9: not supported: angle-bracket type assertion" },
	{ JS_PARSE_TS, "enum E { A }", "ERR t.js:1:1: not supported: enum" },
	{ JS_PARSE_TS, "const enum F { A }",
	    "ERR t.js:1:1: not supported: enum" },
	{ JS_PARSE_TS, "export enum G { A }",
	    "ERR t.js:1:8: not supported: enum" },
	{ JS_PARSE_TS, "namespace N { }",
	    "ERR t.js:1:1: not supported: namespace" },
	{ JS_PARSE_TS, "module M { }",
	    "ERR t.js:1:1: not supported: namespace" },
	{ JS_PARSE_TS, "import x = require('x');",
	    "ERR t.js:1:10: not supported: import = require" },
	{ JS_PARSE_TS, "export = x;", "ERR t.js:1:8: not supported: export =" },
	{ JS_PARSE_TS, "function f(private x) {}",
	    "ERR t.js:1:12: parameter property outside a constructor" },
	{ JS_PARSE_TS, "let x: = 1;", "ERR t.js:1:8: invalid type" },
	{ JS_PARSE_TS, "let x: number[ = 1;", "ERR t.js:1:8: invalid type" },
	{ JS_PARSE_TS, "type T = ;", "ERR t.js:1:10: invalid type" },
	{ JS_PARSE_TS, "interface I extends {}",
	    "ERR t.js:1:23: expected '{'" },
	{ JS_PARSE_TS, "let x: (a: number = 1;", "ERR t.js:1:8: invalid type" },
	{ JS_PARSE_TS, "class C { constructor(private [a]) {} }",
	    "ERR t.js:1:31: parameter property must be a name" },
	{ JS_PARSE_TS, "export as namespace X;",
	    "ERR t.js:1:8: not supported: export as namespace" },
	{ JS_PARSE_TS, "type T = A extends B;", "ERR t.js:1:10: invalid type" },
	{ JS_PARSE_TS, "x = (y: number) => ;",
	    "ERR t.js:1:20: unexpected ';'" },
};

/* TypeScript sources and the JavaScript they must parse like. */
static const struct {
	const char *ts;
	const char *js;
} ts_cases[] = {
	{ "let x: number = 1;", "let x = 1;" },
	{ "let y: Array<Map<string, number[]>> = [];", "let y = [];" },
	{ "function f(a: string, b?"
	  ": number, ...c: any[]): void { return; }",
	    "function f(a, b, ...c) { return; }" },
	{ "function g<T extends object = {}>(x: T): T { return x; }",
	    "function g(x) { return x; }" },
	{ "const h = <T,>(x: T): T => x;", "const h = (x) => x;" },
	{ "const k = (x: number, y = 2): { a: number } => ({ a: x });",
	    "const k = (x, y = 2) => ({ a: x });" },
	{ "interface I { a: number; b(): void; }\nlet i = 1;", "let i = 1;" },
	{ "interface J<T> extends I, K<T> { [key: string]: any }", "" },
	{ "type U = string | number | { a: [number, string] } | ((x: number) "
	  "=> void);",
	    "" },
	{ "type C<T> = T extends string ?"
	  " 's' : T extends number ?"
	  " 'n' : never;",
	    "" },
	{ "type M = { [K in keyof T]?"
	  ": T[K] };",
	    "" },
	{ "type M2<T> = { readonly [K in keyof T]-?"
	  ": T[K] extends Function ?"
	  " K : never }[keyof T];",
	    "" },
	{ "type TL = `prefix-${string}`;", "" },
	{ "type Fn = new (...args: any[]) => object;", "" },
	{ "type G = <T>(x: T) => T;", "" },
	{ "type Tup = [a: string, b?"
	  ": number, ...rest: boolean[]];",
	    "" },
	{ "type Neg = -1 | 0 | 1;", "" },
	{ "type I2 = typeof import_x;", "" },
	{ "type A1 = unique symbol;", "" },
	{ "type K = keyof typeof obj;", "" },
	{ "type Inf<T> = T extends Promise<infer U> ?"
	  " U : T;",
	    "" },
	{ "let z = y as unknown as string[];", "let z = y;" },
	{ "let s = x satisfies number;", "let s = x;" },
	{ "let c = [1, 2] as const;", "let c = [1, 2];" },
	{ "let n = x!.y!;", "let n = x.y;" },
	{ "let m = a!;", "let m = a;" },
	{ "let d!: number;", "let d;" },
	{ "f<string>('a');", "f('a');" },
	{ "f<Array<number>>('a');", "f('a');" },
	{ "f<{ a: number }, [string]>(x);", "f(x);" },
	{ "new Map<string, number>();", "new Map();" },
	{ "x = a < b && c > d;", "x = a < b && c > d;" },
	{ "x = a < b;\ny = c > d;", "x = a < b;\ny = c > d;" },
	{ "for (let i = 0; i < n; i++) {}", "for (let i = 0; i < n; i++) {}" },
	{ "if (a < b) { c > d; }", "if (a < b) { c > d; }" },
	{ "class P implements I, J<number> { private a: number = 1; public "
	  "readonly b?"
	  ": string; static c: number; m(): void {} }",
	    "class P { a = 1; b; static c; m() {} }" },
	{ "class Q extends R<T> { constructor(private x: number, public y = 2) "
	  "{ super(); } }",
	    "class Q extends R { constructor(x, y = 2) { super(); this.x = x; "
	    "this.y = y; } }" },
	{ "class Q2 { constructor(readonly x: string) { } }",
	    "class Q2 { constructor(x) { this.x = x; } }" },
	{ "class G<T> { m<U>(x: U): T { return x as any; } }",
	    "class G { m(x) { return x; } }" },
	{ "class O { m(a: string): void; m(a: any) {} }",
	    "class O { m(a) {} }" },
	{ "class D { declare x: number; y!: string; z?"
	  ": number = 1; }",
	    "class D { y; z = 1; }" },
	{ "class Idx { [key: string]: any; a = 1; }", "class Idx { a = 1; }" },
	{ "abstract class AC { abstract m(): void; n() {} }",
	    "class AC { n() {} }" },
	{ "export abstract class AC {}", "export class AC {}" },
	{ "declare const dc: number;\nlet q = 1;", "let q = 1;" },
	{ "declare function df(x: number): void;", "" },
	{ "declare module 'm' { export const x: number; }", "" },
	{ "declare global { interface Window { a: number } }", "" },
	{ "declare class DC { m(): void; }", "" },
	{ "declare let dl: string, dm: number;", "" },
	{ "import type { T } from 't';", "" },
	{ "import type D from 't';", "" },
	{ "import { type A, b } from 'c';", "import { b } from 'c';" },
	{ "export type { T };", "" },
	{ "export type Q = number;", "" },
	{ "export interface R {}", "" },
	{ "export { type A, b };", "export { b };" },
	{ "export declare const x: number;", "" },
	{ "export default interface DI {}", "" },
	{ "function over(a: string): void;\nfunction over(a: any) {}",
	    "function over(a) {}" },
	{ "export function eo(a: string): void;\nexport function eo(a: any) {}",
	    "export function eo(a) {}" },
	{ "let fn: (a: number) => void = (a) => {};", "let fn = (a) => {};" },
	{ "let obj: { a: number, b?"
	  ": string } = { a: 1 };",
	    "let obj = { a: 1 };" },
	{ "let t: typeof x = x;", "let t = x;" },
	{ "let u: keyof typeof obj;", "let u;" },
	{ "let fn2 = function (this: Window, a: number) {};",
	    "let fn2 = function (a) {};" },
	{ "for (const x of y as number[]) {}", "for (const x of y) {}" },
	{ "try {} catch (e: unknown) {}", "try {} catch (e) {}" },
	{ "let gen: Promise<Array<number>>= p;", "let gen = p;" },
	{ "let un: string | undefined = undefined;", "let un = undefined;" },
	{ "const af = async <T,>(x: T): Promise<T> => x;",
	    "const af = async (x) => x;" },
	{ "const af2 = async (x: number): Promise<void> => {};",
	    "const af2 = async (x) => {};" },
	{ "async function am(): Promise<void> { await x; }",
	    "async function am() { await x; }" },
	{ "function guard(x: unknown): x is string { return true; }",
	    "function guard(x) { return true; }" },
	{ "function asrt(x: unknown): asserts x is string {}",
	    "function asrt(x) {}" },
	{ "const o2 = { m<T>(x: T): T { return x; } };",
	    "const o2 = { m(x) { return x; } };" },
	{ "let cb = (x?"
	  ": number) => x;",
	    "let cb = (x) => x;" },
	{ "let tern = a ?"
	  " (b as number) : c;",
	    "let tern = a ?"
	    " b : c;" },
	{ "x = <T>(y: T) => y;", "x = (y) => y;" },
	{ "let type = 1; type = 2;", "let type = 1; type = 2;" },
	{ "let declare = 1;", "let declare = 1;" },
	{ "let x2: A.B.C<D> = 1;", "let x2 = 1;" },
	{ "let obj3: Record<string, (a: number) => Promise<void>> = {};",
	    "let obj3 = {};" },
	{ "let lit: 'a' | \"b\" | 1 | true | null = null;", "let lit = null;" },
	{ "const { a, b }: { a: number; b: string } = o;",
	    "const { a, b } = o;" },
	{ "const [p, q]: [number, string] = t;", "const [p, q] = t;" },
	{ "function opt({ a }: { a?"
	  ": number } = {}) {}",
	    "function opt({ a } = {}) {}" },
};

static void
run_table(const char *what, const struct pcase *c, size_t n)
{
	struct buf out;
	size_t i;
	char name[64];

	buf_init(&out);
	for (i = 0; i < n; i++) {
		render(c[i].src, strlen(c[i].src), c[i].flags, &out);
		snprintf(name, sizeof(name), "%s %zu", what, i);
		if (!is_str(buf_cstr(&out), c[i].want, name))
			diag("source: %s", c[i].src);
	}
	buf_release(&out);
}

static void
test_ts(void)
{
	struct buf a, b;
	size_t i;
	char name[64];

	buf_init(&a);
	buf_init(&b);
	for (i = 0; i < sizeof(ts_cases) / sizeof(ts_cases[0]); i++) {
		render(ts_cases[i].ts, strlen(ts_cases[i].ts), JS_PARSE_TS, &a);
		render(ts_cases[i].js, strlen(ts_cases[i].js), 0, &b);
		snprintf(name, sizeof(name), "ts erasure %zu", i);
		ok(strncmp(buf_cstr(&a), "ERR", 3) != 0, "%s parses", name);
		if (!is_str(buf_cstr(&a), buf_cstr(&b), name))
			diag("source: %s", ts_cases[i].ts);
	}
	/* the same TS source is rejected in JavaScript mode */
	render("let x: number = 1;", 18, 0, &a);
	is_str(buf_cstr(&a), "ERR t.js:1:6: expected ';' before ':'",
	    "annotations need JS_PARSE_TS");
	buf_release(&a);
	buf_release(&b);
}

/* Direct checks of node fields that the S-expression does not show. */
static void
test_nodes(void)
{
	const char *src = "let s = 'a\\0b';\nx\n  + y;\nexport default "
			  "function () {}\ntag`\\u0041${1}`";
	struct js_parse_error err;
	struct js_ast *t;
	const struct js_ast_node *n;

	t = js_parse(src, strlen(src), NULL, 0, &err);
	ok(t != NULL, "parse");
	if (t == NULL)
		return;
	n = t->root->list;
	ok(n->kind == JS_AST_VAR && (n->flags & JS_AST_F_LET), "let");
	n = n->list->b;
	ok(n->kind == JS_AST_STR && n->len == 3 &&
		memcmp(n->str, "a\0b", 3) == 0,
	    "string with NUL keeps its length");
	n = t->root->list->next->a;
	ok(n->kind == JS_AST_BINARY && n->op == JS_OP_ADD && n->line == 2 &&
		n->col == 1,
	    "binary at its left operand 2:1");
	ok(n->b->line == 3 && n->b->col == 5, "y at 3:5");
	n = t->root->list->next->next;
	ok(n->kind == JS_AST_EXPORT_DEFAULT && n->a->kind == JS_AST_FUNC &&
		(n->a->flags & JS_AST_F_DECL) && n->a->str == NULL,
	    "export default function: anonymous declaration");
	n = t->root->list->next->next->next->a;
	ok(n->kind == JS_AST_TAGGED && n->b->list->raw_len == 6 &&
		memcmp(n->b->list->raw, "\\u0041", 6) == 0 &&
		strcmp(n->b->list->str, "A") == 0,
	    "template chunk: cooked and raw");
	is_str(js_ast_kind_name(JS_AST_FOR_OF), "FOR_OF", "kind name");
	is_str(js_ast_op_name(JS_OP_INSTANCEOF), "instanceof", "op name");
	is_str(js_ast_kind_name((enum js_ast_kind)999), "?", "bad kind name");
	js_ast_free(t);

	t = js_parse("x", 1, NULL, 0, &err);
	ok(t != NULL && t->root->kind == JS_AST_PROGRAM, "NULL filename ok");
	js_ast_free(t);
	ok(js_parse("x = ", 4, NULL, 0, &err) == NULL &&
		strcmp(err.msg, "<input>:1:5: unexpected end of input") == 0 &&
		err.line == 1 && err.col == 5,
	    "NULL filename in messages; line and col fields");
	ok(js_parse("x = ", 4, "f", 0, NULL) == NULL, "err may be NULL");
	t = js_parse("", 0, "f", 0, &err);
	ok(t != NULL && t->root->list == NULL, "empty source");
	js_ast_free(t);
	js_ast_free(NULL);
}

/* open^n inner close^n */
static char *
nest5(const char *pre, const char *open, const char *inner, const char *close,
    const char *post, size_t n, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	(void)!buf_append_str(&b, pre);
	for (i = 0; i < n; i++)
		(void)!buf_append_str(&b, open);
	(void)!buf_append_str(&b, inner);
	for (i = 0; i < n; i++)
		(void)!buf_append_str(&b, close);
	(void)!buf_append_str(&b, post);
	return buf_detach(&b, len);
}

static char *
nest(const char *pre, const char *open, const char *inner, const char *close,
    size_t n, size_t *len)
{
	return nest5(pre, open, inner, close, "", n, len);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void
test_nesting(void)
{
	static const struct {
		int flags;
		const char *pre, *open, *inner, *close, *post;
	} shapes[] = {
		{ 0, "x = ", "(", "1", ")", "" },
		{ 0, "x = ", "[", "1", "]", "" },
		{ 0, "x = ", "{a: ", "1", "}", "" },
		{ 0, "", "{", "", "}", "" },
		{ 0, "", "if (1) ", ";", "", "" },
		{ 0, "x = ", "!", "1", "", "" },
		{ 0, "x = ", "- ", "1", "", "" },
		{ 0, "x = ", "a = ", "1", "", "" },
		{ 0, "x = ", "a ? b : ", "1", "", "" },
		{ 0, "x = ", "y => ", "1", "", "" },
		{ 0, "x = ", "a ** ", "1", "", "" },
		{ 0, "x = ", "new ", "X", "", "" },
		{ 0, "x = ", "f(", "1", ")", "" },
		{ 0, "", "function f() {", "", "}", "" },
		{ 0, "", "for (;;) ", ";", "", "" },
		{ 0, "", "do ", ";", " while (0);", "" },
		{ 0, "x = (", "[", "a", "]", ") => 1" },
		{ 0, "x = ", "(a = ", "1", ") => 1", "" },
		{ JS_PARSE_TS, "let x: ", "A<", "B", ">", "" },
		{ JS_PARSE_TS, "let x: ", "(", "B", ")", "" },
		{ JS_PARSE_TS, "let x: ", "A extends B ? ", "D", " : E", "" },
		{ JS_PARSE_TS, "type T = ", "{ a: ", "B", " }", "" },
		{ JS_PARSE_TS, "f", "<A", "", ">", "" },
	};
	struct buf out;
	char *src, name[80];
	size_t i, len;

	buf_init(&out);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		src = nest5(shapes[i].pre, shapes[i].open, shapes[i].inner,
		    shapes[i].close, shapes[i].post, 100, &len);
		render(src, len, shapes[i].flags, &out);
		snprintf(name, sizeof(name), "depth 100 of '%s' parses",
		    shapes[i].open);
		if (i == sizeof(shapes) / sizeof(shapes[0]) - 1)
			ok(strncmp(buf_cstr(&out), "ERR", 3) == 0 ||
				strncmp(buf_cstr(&out), "(program", 8) == 0,
			    "%s (or fails cleanly)", name);
		else if (!ok(strncmp(buf_cstr(&out), "(program", 8) == 0, "%s",
			     name))
			diag("got %.200s", buf_cstr(&out));
		free(src);
		src = nest5(shapes[i].pre, shapes[i].open, shapes[i].inner,
		    shapes[i].close, shapes[i].post, 100000, &len);
		render(src, len, shapes[i].flags, &out);
		snprintf(name, sizeof(name), "depth 100000 of '%s' is refused",
		    shapes[i].open);
		/* f<A<A<... is also a valid chain of '<': lookahead for type
		 * arguments at each operand runs into the token budget */
		if (!ok(ends_with(buf_cstr(&out), ": nesting too deep") ||
			    (shapes[i].flags &&
				ends_with(buf_cstr(&out), ": too many tokens")),
			"%s", name))
			diag("got %.200s", buf_cstr(&out));
		free(src);
	}

	/* exactly at the limit: JS_MAX_NESTING unary operators nest one
	 * level each inside the statement and expression levels */
	src = nest("", "!", "1", "", JS_MAX_NESTING - 8, &len);
	render(src, len, 0, &out);
	ok(strncmp(buf_cstr(&out), "(program", 8) == 0,
	    "JS_MAX_NESTING - 8 unary operators parse");
	free(src);
	src = nest("", "!", "1", "", JS_MAX_NESTING, &len);
	render(src, len, 0, &out);
	ok(ends_with(buf_cstr(&out), ": nesting too deep"),
	    "JS_MAX_NESTING unary operators are refused");
	free(src);

	/* flat chains built by loops are bounded by JS_MAX_AST_DEPTH */
	src = nest("x = a", ".b", "", "", JS_MAX_AST_DEPTH + 10, &len);
	render(src, len, 0, &out);
	ok(ends_with(buf_cstr(&out), ": nesting too deep"),
	    "member chain deeper than JS_MAX_AST_DEPTH");
	free(src);
	src = nest("x = a", " + a", "", "", JS_MAX_AST_DEPTH + 10, &len);
	render(src, len, 0, &out);
	ok(ends_with(buf_cstr(&out), ": nesting too deep"),
	    "operator chain deeper than JS_MAX_AST_DEPTH");
	free(src);
	src = nest("x = a", ".b", "", "", JS_MAX_AST_DEPTH - 10, &len);
	render(src, len, 0, &out);
	ok(strncmp(buf_cstr(&out), "(program", 8) == 0,
	    "member chain below JS_MAX_AST_DEPTH");
	free(src);
	buf_release(&out);
}

static void
test_limits(void)
{
	struct buf out, s;
	char *src;
	size_t i, len;

	buf_init(&out);
	buf_init(&s);
	/* JS_MAX_NODES: an array literal with one node per element */
	(void)!buf_append_str(&s, "x = [");
	for (i = 0; i < JS_MAX_NODES; i++)
		(void)!buf_append_str(&s, "0,");
	(void)!buf_append_str(&s, "];");
	render((const char *)s.data, s.len, 0, &out);
	ok(ends_with(buf_cstr(&out), ": too many syntax nodes"),
	    "JS_MAX_NODES");

	/* JS_MAX_TOKENS also budgets lookahead: each '(' scans ahead for
	 * '=>', so nested parentheses cost quadratic work */
	buf_reset(&s);
	for (i = 0; i < 400; i++) {
		src = nest("", "(", "a", ")", 200, &len);
		(void)!buf_append(&s, src, len);
		(void)!buf_append_str(&s, ";\n");
		free(src);
	}
	render((const char *)s.data, s.len, 0, &out);
	ok(ends_with(buf_cstr(&out), ": too many tokens"),
	    "JS_MAX_TOKENS bounds backtracking");
	buf_reset(&s);
	for (i = 0; i < 10; i++) {
		src = nest("", "(", "a", ")", 200, &len);
		(void)!buf_append(&s, src, len);
		(void)!buf_append_str(&s, ";\n");
		free(src);
	}
	render((const char *)s.data, s.len, 0, &out);
	ok(strncmp(buf_cstr(&out), "(program", 8) == 0,
	    "the same shape, smaller, parses");

	/* JS_MAX_SOURCE */
	buf_reset(&s);
	if (buf_reserve(&s, JS_MAX_SOURCE + 1) == 0) {
		memset(s.data, ' ', JS_MAX_SOURCE + 1);
		s.len = JS_MAX_SOURCE + 1;
	}
	render((const char *)s.data, s.len, 0, &out);
	is_str(buf_cstr(&out), "ERR t.js:1:1: source too large",
	    "JS_MAX_SOURCE + 1 bytes");
	render((const char *)s.data, JS_MAX_SOURCE, 0, &out);
	is_str(buf_cstr(&out), "(program)", "JS_MAX_SOURCE bytes");
	buf_release(&s);
	buf_release(&out);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	struct buf b;
	char tmp[4096];
	size_t n;

	buf_init(&b);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		(void)!buf_append(&b, tmp, n);
	fclose(f);
	(void)!buf_append(&b, "", 0);
	return buf_detach(&b, len);
}

static void
test_recipes(void)
{
	static const struct {
		const char *file;
		int flags;
		const char *expect[4];
	} recipes[] = {
		{ "simple.recipe.js", 0,
		    { "(import \"fabrik:runtime\" ($ $))",
			"(expr (await (tagged $ (template \"cc -O2 -o hello "
			"hello.c\"))))",
			NULL } },
		{ "build-test.recipe.js", 0,
		    { "(import \"fabrik:runtime\" ($ $) (glob glob))",
			"(import \"fs\" (* fs))",
			"(export (function async build ()",
			"(export (function async test ()" } },
		{ "typed.recipe.ts", JS_PARSE_TS,
		    { "(import \"fabrik:runtime\" ($ $) (glob glob))",
			"(export (function async build ((default profile "
			"\"release\"))",
			NULL } },
	};
	char path[1024], *src;
	size_t i, j, len;
	struct buf out;

	buf_init(&out);
	for (i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++) {
		snprintf(path, sizeof(path), "%s/data/js/%s", tap_tdir(),
		    recipes[i].file);
		src = slurp(path, &len);
		ok(src != NULL, "read %s", path);
		if (src == NULL)
			continue;
		render(src, len, recipes[i].flags, &out);
		if (!ok(strncmp(buf_cstr(&out), "(program", 8) == 0,
			"%s parses", recipes[i].file))
			diag("%s", buf_cstr(&out));
		for (j = 0; j < 4 && recipes[i].expect[j] != NULL; j++)
			ok(strstr(buf_cstr(&out), recipes[i].expect[j]) != NULL,
			    "%s has %s", recipes[i].file, recipes[i].expect[j]);
		free(src);
	}
	buf_release(&out);
}

int
main(void)
{
	run_table("js", js_cases, sizeof(js_cases) / sizeof(js_cases[0]));
	run_table("num", num_cases, sizeof(num_cases) / sizeof(num_cases[0]));
	run_table("asi", asi_cases, sizeof(asi_cases) / sizeof(asi_cases[0]));
	run_table(
	    "regex", regex_cases, sizeof(regex_cases) / sizeof(regex_cases[0]));
	run_table("error", err_cases, sizeof(err_cases) / sizeof(err_cases[0]));
	test_ts();
	test_nodes();
	test_nesting();
	test_limits();
	test_recipes();
	return done_testing();
}
