// Number formatting and parsing: the shortest round-trip decimal,
// exponent thresholds, negative zero, special values, integers.
const nums = [0, -0, 1, -1, 0.1 + 0.2, 1 / 3, 2 / 3, 1e21, 1e20, 123456789012345680000,
	1e-6, 1e-7, 1.5e-7, 5e-324, 1.7976931348623157e308, 2 ** 53, 2 ** 53 + 1, 2 ** 64,
	-1e-7, 100, 1e100, 0.000001234, 123.456, 4.35, 0.5, 1.005, 9007199254740993];
console.log(nums.map(String).join(" "));
console.log(nums.map((n) => `${n}`).join(" ") === nums.map(String).join(" "));
console.log(String(NaN), String(Infinity), String(-Infinity), 1 / 0, -1 / 0, 0 / 0);
console.log(1 / -0, -0 === 0, 1 / (0 * -1));
console.log(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, Number.EPSILON);
console.log(Number.MAX_VALUE, Number.MIN_VALUE);
console.log(Number("42"), Number(" 42 "), Number("0x1f"), Number("1e3"), Number(""), Number("abc"), Number(null), Number(undefined), Number(true), Number("-0"));
console.log(Number("0b101"), Number("0o17"), Number("1_000"), Number("Infinity"), Number("-Infinity"), Number(".5"), Number("5."));
console.log(parseInt("42px"), parseInt("  -17"), parseInt("0x10"), parseInt("ff", 16), parseInt("101", 2), parseInt(""), parseInt("3.9"), parseInt("z", 36));
console.log(parseFloat("3.14abc"), parseFloat(".5"), parseFloat("-1e3x"), parseFloat("x"), parseFloat("Infinityx"));
console.log(Number.isInteger(5), Number.isInteger(5.5), Number.isInteger("5"), Number.isSafeInteger(2 ** 53));
console.log(isNaN("abc"), Number.isNaN("abc"), isFinite("12"), Number.isFinite("12"));
console.log(0.1 * 3, 0.3 - 0.1, 1.1 + 2.2, 3 * 1.1, 100 * 1.1, 1e16 + 1);
console.log(255 .toString(16), (255).toString(2), (-255).toString(36), (0.5).toString(2), (3.75).toString(16));
console.log((1e21).toString(), (123.456).toString(10));
console.log(Number("  \n12\t"), +"", +[], +[5], +[1, 2], +{}, +"1,2");
console.log(0x10, 0o10, 0b10, 1_000_000, .5, 5., 1e3);
console.log(2 ** 31 | 0, 2 ** 32 + 5 | 0, -1 >>> 0, 1 << 31);
