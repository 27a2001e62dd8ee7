// Math functions and constants.
console.log(Math.PI, Math.E, Math.LN2, Math.SQRT2);
console.log(Math.floor(-1.5), Math.ceil(-1.5), Math.round(-1.5), Math.round(1.5), Math.round(2.5), Math.round(-2.5));
console.log(Math.trunc(-4.7), Math.trunc(4.7), Math.sign(-3), Math.sign(0), Math.sign(7));
console.log(Math.abs(-2), Math.abs(-0), Math.sqrt(16), Math.sqrt(2), Math.cbrt(27));
console.log(Math.pow(2, 10), 2 ** -1, Math.pow(-8, 1 / 3), (-2) ** 3);
console.log(Math.max(), Math.min(), Math.max(1, NaN), Math.max(-0, 0), Math.min(0, -0));
console.log(Math.max(3, "7", 5), Math.min(4, 2, 9));
console.log(Math.log(Math.E), Math.log2(8), Math.log10(1000), Math.exp(0));
console.log(Math.sin(0), Math.cos(0), Math.atan2(1, 1) * 4, Math.hypot(3, 4));
console.log(Math.floor(1e21), Math.round(0.49999999999999994), Math.round(-0.4));
console.log(Math.fround ? "has fround" : "no fround");
const r = Math.random();
console.log(r >= 0 && r < 1, typeof r);
console.log(Math.clz32 ? Math.clz32(1) : 31, Math.imul ? Math.imul(3, 4) : 12);
console.log(Math.sqrt(-1), Math.log(0), Math.log(-1));
console.log(7 % 3, -7 % 3, 7 % -3, 5.5 % 2, 2 ** 0.5);
