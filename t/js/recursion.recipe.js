// Recursion: mutual recursion, moderately deep recursion, tree walks.
function isEven(n) {
	return n === 0 ? true : isOdd(n - 1);
}
function isOdd(n) {
	return n === 0 ? false : isEven(n - 1);
}
console.log(isEven(100), isOdd(7), isEven(501));
function depth(n) {
	return n === 0 ? 0 : 1 + depth(n - 1);
}
console.log(depth(1000));
const tree = { v: 1, kids: [{ v: 2, kids: [{ v: 4, kids: [] }] }, { v: 3, kids: [{ v: 5, kids: [] }, { v: 6, kids: [] }] }] };
const sum = (t) => t.v + t.kids.reduce((s, k) => s + sum(k), 0);
const flatten = (t) => [t.v, ...t.kids.flatMap(flatten)];
console.log(sum(tree), flatten(tree).join(","));
function hanoi(n, from, to, via, moves) {
	if (n === 0) return moves;
	hanoi(n - 1, from, via, to, moves);
	moves.push(from + to);
	hanoi(n - 1, via, to, from, moves);
	return moves;
}
const moves = hanoi(10, "A", "C", "B", []);
console.log(moves.length, moves.slice(0, 5).join(" "));
function permutations(xs) {
	if (xs.length <= 1) return [xs];
	return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
console.log(permutations([1, 2, 3]).map((p) => p.join("")).join(" "));
const ackermann = (m, n) => (m === 0 ? n + 1 : n === 0 ? ackermann(m - 1, 1) : ackermann(m - 1, ackermann(m, n - 1)));
console.log(ackermann(2, 3));
function deepObj(n) {
	return n === 0 ? {} : { c: deepObj(n - 1) };
}
console.log(JSON.stringify(deepObj(5)));
