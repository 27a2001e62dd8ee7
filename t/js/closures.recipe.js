// Closures: counters, per-iteration let bindings, shared var bindings,
// function hoisting and an immediately invoked function.
function makeCounter(start = 0) {
	let n = start;
	return {
		inc: () => ++n,
		dec: () => --n,
		get: () => n,
	};
}
const a = makeCounter();
const b = makeCounter(10);
a.inc();
a.inc();
b.dec();
console.log(a.get(), b.get());

const lets = [];
for (let i = 0; i < 3; i++) lets.push(() => i);
console.log(lets.map((f) => f()).join(","));

const vars = [];
for (var j = 0; j < 3; j++) vars.push(() => j);
console.log(vars.map((f) => f()).join(","));

console.log(hoisted(4));
function hoisted(x) {
	return x * x;
}

const once = (fn) => {
	let done = false, value;
	return (...args) => {
		if (!done) {
			done = true;
			value = fn(...args);
		}
		return value;
	};
};
const init = once((x) => {
	console.log("init ran with", x);
	return x + 1;
});
console.log(init(1), init(2), init(3));

const adders = [1, 2, 3].map((k) => (x) => x + k);
console.log(adders.map((f) => f(10)).join(" "));

const result = (function (x) {
	const secret = x * 2;
	return function () {
		return secret + 1;
	};
})(20)();
console.log(result);

function memo(fn) {
	const cache = new Map();
	return (n) => {
		if (!cache.has(n)) cache.set(n, fn(n));
		return cache.get(n);
	};
}
let calls = 0;
const fib = memo((n) => {
	calls++;
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
});
console.log(fib(50), calls);
