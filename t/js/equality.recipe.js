// == and === with coercions, NaN, null/undefined, objects by identity.
const pairs = [[1, "1"], [0, ""], [0, "0"], ["", "0"], [null, undefined], [null, 0], [undefined, 0],
	[NaN, NaN], [true, 1], [false, "0"], [true, "true"], [[1], 1], [[1, 2], "1,2"], [{}, "[object Object]"],
	[-0, 0], [Infinity, "Infinity"], [" \n1\t", 1], [null, false], ["abc", "abc"]];
for (const [a, b] of pairs)
	console.log(JSON.stringify([String(a), typeof a, String(b), typeof b]), a == b, a === b, a != b, a !== b);
const o = {};
console.log(o == o, o === {}, [] == [], [] == ![], "1" == 1.0);
console.log(null == null, undefined === undefined, typeof null === "object");
console.log(1 < 2 < 3, 3 > 2 > 1, "2" > "12", 2 > "12", null >= 0, undefined >= 0, NaN <= NaN);
console.log("a" < "b", "a" < "B", "abc" < "abcd", [2] > 1, null + 1, undefined + 1);
