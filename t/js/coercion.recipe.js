// Conversions: string concatenation, unary plus, String/Number/Boolean,
// truthiness, objects and arrays to primitives.
console.log(1 + "2", "3" - 1, "3" * "4", "10" / "4", "7" % "4", 1 + 2 + "3", "1" + 2 + 3);
console.log(true + 1, null + 1, undefined + 1, [] + 1, {} + 1, [2] * [3], "5" - - "2");
console.log(String(null), String(undefined), String(true), String(123), String([1, [2, 3]]), String({}));
console.log(Boolean(""), Boolean("0"), Boolean(0), Boolean(-0), Boolean(NaN), Boolean([]), Boolean({}), Boolean(null));
console.log(!!"false", !"", !!{} === true);
const valued = { valueOf() { return 42; }, toString() { return "str"; } };
console.log(valued + 1, `${valued}`, valued * 2, String(valued), valued > 41);
const onlyString = { toString() { return "7"; } };
console.log(onlyString * 2, onlyString + 1);
console.log([1, 2] + "", [null] + "", [undefined, null] + "", [[]] + "");
console.log(typeof (1 + ""), typeof +"3", typeof !1, typeof `${1}`);
console.log("b" + "a" + +"a" + "a", 0.1 + 0.2 === 0.3, +(0.1 + 0.2).toFixed(2) === 0.3);
console.log(1 - "x", "4" ** "2", -"3", ~"5", "8" >> 1, "2" << "3");
let s = "5";
s++;
console.log(s, typeof s);
let t = "5";
t += 1;
console.log(t, typeof t);
console.log(parseInt(null), Number([]), Number(["7"]), Number([1, 2]), Number({}), Number(false));
