// console.log of non-string values: Node's util.inspect formatting of
// numbers, nested arrays and objects, strings inside containers, empty
// containers, null/undefined and negative zero.
console.log(1, -0, 0, NaN, 1.5, true, null, undefined);
console.log([1, 2, 3]);
console.log(["a", "b"], [], {});
console.log({ a: 1, b: "two", c: [3, 4], d: { e: null } });
console.log([{ x: 1 }, { y: [true, false] }]);
console.log({ "key with space": 1, valid_id: 2, "1abc": 3, 5: 4 });
console.log("top-level string", ["it's", 'say "hi"']);
console.log([undefined, null, -0, NaN]);
console.log({ nested: { deeper: { deepest: 1 } } });
console.log({ list: [[1, 2], [3, [4]]] });
