// JSON.stringify indentation: numbers, strings, clamping, empty
// containers, nested arrays and objects; replacer arrays and functions.
const v = { name: "pkg", version: "1.0.0", list: [1, [2, 3], {}], empty: [], obj: { a: { b: {} } } };
console.log(JSON.stringify(v, null, 2));
console.log(JSON.stringify(v, null, "\t"));
console.log(JSON.stringify([1, 2], null, 0));
console.log(JSON.stringify([1, 2], null, 20).split("\n")[1].length);
console.log(JSON.stringify({ a: 1 }, null, "-->"));
console.log(JSON.stringify({ a: 1 }, null, "abcdefghijklmnop"));
console.log(JSON.stringify([], null, 2), JSON.stringify({}, null, 2));
console.log(JSON.stringify([[]], null, 2));
console.log(JSON.stringify({ a: [undefined, null] }, null, 1));
console.log(JSON.stringify({ keep: 1, drop: 2, also: 3 }, ["keep", "also"]));
console.log(JSON.stringify({ a: 1, b: "x", c: [1, 2] }, (k, val) => (typeof val === "number" ? val * 10 : val)));
console.log(JSON.stringify({ a: 1, b: 2 }, (k, val) => (k === "b" ? undefined : val), 2));
console.log(JSON.stringify("str", null, 2), JSON.stringify(5, null, 2));
console.log(JSON.parse(JSON.stringify(v, null, 4)).list[1][1]);
