// Spread in calls, arrays and objects; rest parameters.
function sum(...nums) {
	return nums.reduce((s, n) => s + n, 0);
}
console.log(sum(), sum(1), sum(1, 2, 3), sum(...[4, 5], 6, ...[7]));

const arr = [1, 2];
const more = [0, ...arr, 3, ...[], ...arr];
console.log(more.join(","), more.length);

console.log([..."héllo"].join("/"));
console.log([...new Set([3, 1, 3, 2, 1])].join(","));
console.log([...new Map([["a", 1], ["b", 2]])].map(([k, v]) => k + v).join(" "));

const base = { a: 1, b: 2 };
const over = { ...base, b: 3, c: 4 };
console.log(JSON.stringify(over));
const order = { z: 1, ...{ a: 2, z: 3 }, y: 4 };
console.log(Object.keys(order).join(","), order.z);
console.log(JSON.stringify({ ...null, ...undefined, ..."ab", ...[9] }));

function tail(first, ...others) {
	return `${first}:${others.length}:${others.join("")}`;
}
console.log(tail(1), tail(1, 2, 3));

const copy = [...arr];
copy.push(99);
console.log(arr.length, copy.length);

console.log(Math.max(...[3, 8, 1]), Math.min(...[3, 8, 1]));

const withDefault = (a, b = a + 1, ...c) => [a, b, c.length].join(";");
console.log(withDefault(1), withDefault(1, 5, 6, 7));
