// Destructuring of objects and arrays: defaults, nesting, renaming, rest,
// holes, swaps, parameters and loop heads.
const { a, b: bee, c = 3, d: { e = 5, f } = {} } = { a: 1, b: 2, d: { f: 6 } };
console.log(a, bee, c, e, f);

const [x, , y = 9, ...rest] = [1, 2, undefined, 4, 5, 6];
console.log(x, y, rest.join("+"));

let p = 1, q = 2;
[p, q] = [q, p];
console.log(p, q);

const { name, ...others } = { name: "n", one: 1, two: 2 };
console.log(name, JSON.stringify(others));

function area({ w = 1, h = 1 } = {}) {
	return w * h;
}
console.log(area(), area({ w: 3 }), area({ w: 2, h: 5 }));

function first([head, ...tail]) {
	return `${head}|${tail.length}`;
}
console.log(first("abc"), first([7]));

for (const [k, v] of Object.entries({ one: 1, two: 2 })) console.log(k, v);
for (const { id, tags: [t0 = "none"] = [] } of [{ id: 1, tags: ["x"] }, { id: 2 }])
	console.log(id, t0);

const key = "dyn";
const { [key]: dynamic, [`${key}2`]: dynamic2 = "default" } = { dyn: "D" };
console.log(dynamic, dynamic2);

let m, n;
({ m, n = m * 2 } = { m: 21 });
console.log(m, n);

const [[deep1], [, deep2]] = [[1], [2, 3]];
console.log(deep1, deep2);

const { length } = "hello";
console.log(length);

const obj = {};
[obj.first, obj.second] = ["1st", "2nd"];
console.log(obj.first, obj.second);

const [u = "dflt"] = [null];
console.log(u);
