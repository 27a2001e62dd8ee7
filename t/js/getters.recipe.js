// Accessors in object literals and classes; computed keys; methods.
const temp = {
	_c: 25,
	get f() {
		return this._c * 9 / 5 + 32;
	},
	set f(v) {
		this._c = (v - 32) * 5 / 9;
	},
	get label() {
		return `${this._c}C`;
	},
};
console.log(temp.f, temp.label);
temp.f = 212;
console.log(temp._c, temp.label);
console.log(Object.keys(temp).join(","));
console.log(JSON.stringify(temp));

const log = [];
const tracked = {
	get value() {
		log.push("get");
		return 1;
	},
};
const sum = tracked.value + tracked.value;
console.log(sum, log.join(","));

const prefix = "item";
const computed = {
	[prefix + "1"]: "one",
	[`${prefix}2`]() {
		return "two";
	},
	get [prefix + "3"]() {
		return "three";
	},
};
console.log(computed.item1, computed.item2(), computed.item3);

class Range {
	constructor(lo, hi) {
		this.lo = lo;
		this.hi = hi;
	}
	get size() {
		return this.hi - this.lo;
	}
	static get empty() {
		return new Range(0, 0);
	}
}
console.log(new Range(3, 10).size, Range.empty.size);

const onlyGetter = { get x() { return 1; } };
console.log(onlyGetter.x);
const shorthand = { method() { return "m"; }, async am() { return "am"; }, arrow: () => "arrow" };
console.log(shorthand.method(), shorthand.arrow(), typeof shorthand.am);
