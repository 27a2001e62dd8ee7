// Loops: for, for...of, for...in (key order), while, do...while, break and
// continue.
let s = "";
for (let i = 0; i < 5; i++) {
	if (i === 1) continue;
	if (i === 4) break;
	s += i;
}
console.log(s);

const out = [];
for (const ch of "abc") out.push(ch.toUpperCase());
for (const n of [1, 2, 3]) out.push(n * 10);
console.log(out.join(" "));

const o = { b: 1, a: 2, 10: "ten", 2: "two", z: 3, "-1": "neg", "01": "lead" };
const keys = [];
for (const k in o) keys.push(k);
console.log(keys.join(","));

const arrKeys = [];
for (const k in ["x", "y", "z"]) arrKeys.push(typeof k + k);
console.log(arrKeys.join(","));

let w = 0, steps = 0;
while (w < 100) {
	w = w * 2 + 1;
	steps++;
}
console.log(w, steps);

let d = 10;
do {
	d++;
} while (d < 5);
console.log(d);

let count = 0;
for (;;) {
	if (++count >= 7) break;
}
console.log(count);

const m = new Map([["k1", 1], ["k2", 2]]);
for (const [k, v] of m) console.log(k, v);
for (const k of m.keys()) console.log("key", k);
for (const v of m.values()) console.log("value", v);
for (const [i, v] of ["p", "q"].entries()) console.log(i, v);

let total = 0;
for (let i = 0, j = 10; i < j; i += 2, j -= 1) total += i * j;
console.log(total);

const seen = [];
const list = [1, 2, 3];
for (const x of list) {
	if (x === 1) list.push(4);
	seen.push(x);
}
console.log(seen.join(""));

let x = 0;
for (var v = 0; v < 3; v++) x += v;
console.log(v, x);
