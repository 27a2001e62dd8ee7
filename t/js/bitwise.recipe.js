// Bitwise operators on 32-bit integers (ToInt32/ToUint32).
console.log(5 & 3, 5 | 3, 5 ^ 3, ~5, ~-1, ~~3.7, ~~-3.7);
console.log(1 << 4, 1 << 31, 1 << 32, 1 << 33, -16 >> 2, -16 >>> 28, -1 >>> 0, 16 >>> 2);
console.log(2 ** 32 | 0, (2 ** 32 + 3) | 0, 2 ** 31 | 0, (2 ** 31 - 1) | 0, 4294967295 & 0xff);
console.log(NaN | 0, Infinity | 0, -Infinity >>> 0, "12" | 0, 1.9e10 | 0, -1.9e10 | 0);
console.log(0xdeadbeef | 0, 0xdeadbeef >>> 0, (0xdeadbeef >>> 16).toString(16), (0xff << 24) >>> 0);
let x = 0b1010;
x |= 0b0101;
x &= 0b1100;
x ^= 1;
x <<= 2;
x >>= 1;
x >>>= 1;
console.log(x);
function popcount(n) {
	let c = 0;
	for (n >>>= 0; n; n >>>= 1) c += n & 1;
	return c;
}
console.log(popcount(255), popcount(-1), popcount(0x80000000));
const hash = (s) => {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul ? Math.imul(h, 0x01000193) : (h * 0x01000193) | 0;
	}
	return (h >>> 0).toString(16);
};
console.log(hash("fabrik"), hash(""));
