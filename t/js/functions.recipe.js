// Functions: declarations, expressions, arrows, defaults evaluated at call
// time, rest, recursion, higher-order functions, name, length, return
// values.
function add(a, b = a * 2) {
	return a + b;
}
console.log(add(1), add(1, 1), add(1, undefined), add(1, null));
let calls = 0;
function dflt(x = ++calls) {
	return x;
}
console.log(dflt(), dflt(), dflt(10), calls);
const fact = function self(n) {
	return n <= 1 ? 1 : n * self(n - 1);
};
console.log(fact(10), fact(20), fact(25));
const compose = (...fns) => (x) => fns.reduceRight((acc, f) => f(acc), x);
const inc = (x) => x + 1, dbl = (x) => x * 2;
console.log(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(7));
console.log(add.name, fact.name, inc.name, (() => {}).name === "", add.length, dflt.length, ((a, b, ...c) => 0).length);
function noReturn() {}
console.log(noReturn(), (() => {})(), (() => ({}))().constructor === Object);
const curry = (f) => (a) => (b) => f(a, b);
console.log(curry(Math.max)(3)(9));
function outer() {
	return inner();
	function inner() {
		return "inner hoisted";
	}
}
console.log(outer());
const pipeline = [(s) => s.trim(), (s) => s.split(" "), (a) => a.length];
console.log(pipeline.reduce((v, f) => f(v), "  one two three "));
function varHoist() {
	const before = typeof later;
	var later = 1;
	return before + " " + later;
}
console.log(varHoist());
const obj = { method() { return typeof this; }, arrow: () => typeof this };
console.log(obj.method(), obj.arrow());
console.log(((a, { b, c } = { b: 2, c: 3 }, [d] = [4]) => a + b + c + d)(1));
console.log(typeof function () {}, typeof (() => 1), typeof class {});
