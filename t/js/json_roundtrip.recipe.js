// JSON.stringify and JSON.parse: types, escapes, skipped values, nesting,
// round trips.
const v = {
	s: "quote\" backslash\\ nl\n tab\t ctrl\u0001 uni é 😀",
	n: 1.5,
	neg: -0,
	big: 1e21,
	small: 1e-7,
	t: true,
	f: false,
	z: null,
	arr: [1, "two", null, undefined, () => 1, NaN, Infinity],
	nested: { deep: { deeper: [[]] } },
	skipU: undefined,
	skipF() {},
};
const text = JSON.stringify(v);
console.log(text);
const back = JSON.parse(text);
console.log(JSON.stringify(back) === text, back.s === v.s, back.arr.length);
console.log(JSON.stringify("a\u2028b\u2029c"), JSON.stringify("\u007f\u0000"));
console.log(JSON.stringify([undefined]), JSON.stringify(undefined), JSON.stringify(() => 1));
console.log(JSON.stringify(null), JSON.stringify("x"), JSON.stringify(42), JSON.stringify(true));
console.log(JSON.stringify({ date: { toJSON() { return "custom"; } } }));
console.log(JSON.stringify(new Map([["a", 1]])), JSON.stringify(new Set([1])));
console.log(JSON.stringify({ 2: "b", 1: "a", x: "x" }));

const parsed = JSON.parse('{"a":[1,2,{"b":null}],"c":"\\u00e9\\n","d":-1.25e2,"e":true}');
console.log(parsed.a[2].b, parsed.c.length, parsed.d, parsed.e, Object.keys(parsed).join(""));
console.log(JSON.parse(" [1 , 2 ] ").length, JSON.parse('"\\ud83d\\ude00"').length);
console.log(JSON.parse("1e3"), JSON.parse("-0") === 0, JSON.parse("null"));
console.log(JSON.stringify(JSON.parse('{"__proto__": 1, "k": 2}')));
for (const bad of ["", "{", "[1,]", "{'a':1}", "01", "tru", '"\\x"', "1 2", "NaN"]) {
	try {
		JSON.parse(bad);
		console.log("parsed", bad);
	} catch (e) {
		console.log("rejects", JSON.stringify(bad), e.name);
	}
}
const dupe = JSON.parse('{"k":1,"k":2}');
console.log(dupe.k);
console.log(JSON.stringify({ a: [{ b: { c: [1, { d: 2 }] } }] }));
