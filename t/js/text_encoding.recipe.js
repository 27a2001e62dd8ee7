// TextEncoder and TextDecoder (UTF-8): bytes of ASCII, 2-, 3- and 4-byte
// characters, round trips, invalid input replaced by U+FFFD.
const enc = new TextEncoder();
const dec = new TextDecoder();
const hex = (u8) => Array.from(u8, (x) => x.toString(16).padStart(2, "0")).join(" ");
console.log(hex(enc.encode("A")), hex(enc.encode("é")), hex(enc.encode("€")), hex(enc.encode("😀")));
const text = "héllo wörld — 日本 🚀";
const bytes = enc.encode(text);
console.log(bytes.length, bytes instanceof Uint8Array, text.length);
console.log(dec.decode(bytes) === text, dec.decode(bytes));
console.log(dec.decode(new Uint8Array([0x66, 0x61, 0x62])), JSON.stringify(dec.decode(new Uint8Array([]))));
console.log(JSON.stringify(dec.decode(new Uint8Array([0x61, 0xff, 0x62]))));
console.log(JSON.stringify(dec.decode(new Uint8Array([0xe2, 0x82]))));
console.log(enc.encode("").length, enc.encoding, dec.encoding);
console.log(hex(enc.encode("\ud83d")), hex(enc.encode("\u0000")));
console.log(dec.decode(enc.encode("round trip ✓")));
console.log(dec.decode(bytes.subarray(0, 2)), dec.decode(bytes.subarray(1, 3)));
