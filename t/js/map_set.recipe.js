// Map and Set: insertion order, keys of any type, SameValueZero, size,
// deletion during iteration, forEach, spreading and conversion.
const m = new Map();
const objKey = { id: 1 };
m.set("a", 1).set(2, "two").set(objKey, "object").set(NaN, "nan").set(-0, "zero");
console.log(m.size, m.get("a"), m.get(2), m.get("2"), m.get(objKey), m.get({ id: 1 }), m.get(NaN), m.get(0));
console.log(m.has("a"), m.has("b"), m.delete("a"), m.delete("a"), m.size);
m.set(2, "TWO");
console.log([...m.keys()].map(String).join(","), [...m.values()].join(","));
const order = [];
m.forEach((v, k, map) => order.push(`${String(k)}=${v}@${map.size}`));
console.log(order.join(" "));
const fromEntries = new Map(Object.entries({ x: 1, y: 2 }));
console.log(JSON.stringify([...fromEntries]), JSON.stringify(Object.fromEntries(fromEntries)));
m.clear();
console.log(m.size, m.get(2));

const s = new Set([1, 2, 2, "2", NaN, NaN, 0, -0]);
console.log(s.size, s.has(2), s.has("2"), s.has(NaN), s.has(-0), [...s].map(String).join(","));
s.add(3).add(1);
console.log(s.size, s.delete(1), s.delete(1), [...s].map(String).join(","));
const seen = [];
s.forEach((v, v2, set) => seen.push(v === v2 || Number.isNaN(v)));
console.log(seen.every(Boolean), seen.length);
const a = new Set([1, 2, 3]), b = new Set([2, 3, 4]);
console.log([...a].filter((x) => b.has(x)).join(","), [...new Set([...a, ...b])].join(","));
const grow = new Set([1]);
let visits = 0;
for (const v of grow) {
	visits++;
	if (v < 5) grow.add(v + 1);
}
console.log(visits, grow.size);
const del = new Map([[1, "a"], [2, "b"], [3, "c"]]);
const it = [];
for (const [k] of del) {
	it.push(k);
	if (k === 1) del.delete(2);
}
console.log(it.join(","));
console.log(new Set("hello").size, new Map([[1, 1]]).entries().next().value.join(":"));
const counts = new Map();
for (const w of "a b a c b a".split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
console.log([...counts].sort((x, y) => y[1] - x[1]).map(([w, c]) => w + c).join(" "));
