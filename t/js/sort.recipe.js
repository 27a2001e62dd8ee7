// Array.prototype.sort: default string order, comparators, stability,
// undefined last, sorting in place and returning the array.
console.log([10, 9, 1, 100, 25].sort().join(","));
console.log([10, 9, 1, 100, 25].sort((a, b) => a - b).join(","));
console.log([10, 9, 1, 100, 25].sort((a, b) => b - a).join(","));
console.log(["banana", "Apple", "cherry", "apple", "Banana"].sort().join(","));
console.log([3, undefined, 1, undefined, 2].sort().map(String).join(","));
console.log([true, false, "b", 1, null, "a"].sort().map(String).join(","));
const people = [
	{ name: "ann", age: 30 }, { name: "bob", age: 25 }, { name: "cid", age: 30 },
	{ name: "dan", age: 25 }, { name: "eve", age: 35 }, { name: "fay", age: 30 },
	{ name: "gus", age: 25 }, { name: "hal", age: 35 }, { name: "ivy", age: 30 },
	{ name: "jon", age: 25 }, { name: "kim", age: 30 }, { name: "lea", age: 35 },
];
console.log(people.slice().sort((a, b) => a.age - b.age).map((p) => p.name).join(" "));
console.log(people.slice().sort((a, b) => b.age - a.age).map((p) => p.name).join(" "));
console.log(people.slice().sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)).map((p) => p.name[0]).join(""));
const big = [];
for (let i = 0; i < 200; i++) big.push({ k: (i * 37) % 7, i });
const sorted = big.slice().sort((a, b) => a.k - b.k);
let stable = true;
for (let i = 1; i < sorted.length; i++)
	if (sorted[i - 1].k === sorted[i].k && sorted[i - 1].i > sorted[i].i) stable = false;
console.log(stable, sorted[0].i, sorted[199].i, sorted.map((x) => x.k).join("").slice(0, 40));
const arr = [3, 1, 2];
const ret = arr.sort();
console.log(ret === arr, arr.join(""));
console.log(["b", "a", "c"].sort((x, y) => x.localeCompare ? (x < y ? -1 : x > y ? 1 : 0) : 0).join(""));
console.log([0.5, -1, 1e3, -Infinity, 2].sort((a, b) => a - b).join(" "));
console.log([[2, "b"], [1, "z"], [2, "a"], [1, "y"]].sort((p, q) => p[0] - q[0]).map((p) => p[1]).join(""));
console.log(["é", "e", "z", "a", "É"].sort().join(""));
console.log([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].sort(() => 0).join(","));
console.log(["10", "9", "1"].sort((a, b) => Number(a) - Number(b)).join(","));
const words = "the quick brown fox jumps over the lazy dog".split(" ");
console.log(words.sort((a, b) => a.length - b.length).join(" "));
console.log(words.toSorted ? "has toSorted" : "has toSorted");
