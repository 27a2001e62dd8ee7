// Scoping: block scope, shadowing, temporal dead zone, const, closures
// over block bindings, var function scope.
let x = "outer";
{
	let x = "inner";
	console.log(x);
	{
		const x = "innermost";
		console.log(x);
	}
}
console.log(x);
function tdz() {
	try {
		console.log(early);
		let early = 1;
		return "no error";
	} catch (e) {
		return e instanceof ReferenceError;
	}
}
console.log(tdz());
try {
	const c = 1;
	c = 2;
} catch (e) {
	console.log("const", e instanceof TypeError);
}
const fixed = { a: 1 };
fixed.a = 2;
console.log(fixed.a);
function varScope() {
	if (true) {
		var v = "function scoped";
	}
	return v;
}
console.log(varScope());
const fns = [];
{
	let i = 0;
	while (i < 3) {
		let j = i;
		fns.push(() => j);
		i++;
	}
}
console.log(fns.map((f) => f()).join(""));
let shadow = 1;
function useShadow(shadow) {
	shadow++;
	return shadow;
}
console.log(useShadow(10), shadow);
try {
	undeclared = 5;
	console.log("sloppy assignment allowed");
} catch (e) {
	console.log("strict:", e instanceof ReferenceError);
}
const catchScope = "outer";
try {
	throw "inner";
} catch (catchScope) {
	console.log(catchScope);
}
console.log(catchScope);
for (const k of [1]) {
	const k2 = k * 2;
	console.log(k2);
}
console.log(typeof k2);
label: {
	let inLabel = "x";
	console.log(inLabel);
}
