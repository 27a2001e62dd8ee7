// this: method calls, detached functions (undefined in strict mode),
// arrows capturing this, call/apply/bind.
const obj = {
	name: "obj",
	regular() {
		return this?.name;
	},
	arrowInside() {
		const arrow = () => this.name;
		return arrow();
	},
	delayed() {
		return [1, 2].map(function () {
			return this === undefined;
		});
	},
};
console.log(obj.regular(), obj.arrowInside(), obj.delayed().join(","));
const detached = obj.regular;
console.log(detached());
function who(greeting, punct) {
	return `${greeting} ${this.name}${punct}`;
}
const other = { name: "other" };
console.log(who.call(other, "hi", "!"), who.apply(other, ["yo", "?"]));
const bound = who.bind(other, "hey");
console.log(bound("."), bound.call(obj, ";"));
console.log([1, 2, 3].map(function (x) { return x * this.k; }, { k: 10 }).join(","));
class Timer {
	constructor() {
		this.ticks = 0;
		this.tick = this.tick.bind(this);
	}
	tick() {
		this.ticks++;
		return this.ticks;
	}
}
const t = new Timer();
const f = t.tick;
f();
f();
console.log(t.ticks);
console.log(typeof this);
const nested = { inner: { value: 42, get() { return this.value; } } };
console.log(nested.inner.get(), (0, nested.inner.get) === nested.inner.get);
