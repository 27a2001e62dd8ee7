// typeof for every kind of value, instanceof with classes and built-ins.
const values = [undefined, null, true, 0, -1.5, NaN, "", "s", [], {}, () => 1,
	function () {}, class {}, new Map(), new Set(), Promise.resolve(1),
	new Uint8Array(1), new Error("e"), async () => 1];
console.log(values.map((v) => typeof v).join(" "));
console.log(typeof undeclaredVariable);

class Animal {}
class Dog extends Animal {}
const d = new Dog();
console.log(d instanceof Dog, d instanceof Animal, d instanceof Object);
console.log([] instanceof Array, [] instanceof Object, {} instanceof Array);
console.log(new Map() instanceof Map, new Set() instanceof Map);
console.log(Promise.resolve() instanceof Promise);
console.log(new Uint8Array(2) instanceof Uint8Array);
console.log((() => 1) instanceof Function, Dog instanceof Function);
console.log("str" instanceof String, 5 instanceof Number);
console.log(Array.isArray([]), Array.isArray(new Uint8Array(1)), Array.isArray("a"));

function Legacy(x) {
	this.x = x;
}
Legacy.prototype.double = function () {
	return this.x * 2;
};
const l = new Legacy(21);
console.log(l instanceof Legacy, l.double(), typeof Legacy.prototype);
console.log(Object.getPrototypeOf(d) === Dog.prototype);
console.log(typeof typeof 1, typeof (typeof undefined));
