// The buffer module: Buffer.from string/array/Uint8Array, encodings,
// concat, alloc, length, indexing, slices, equality.
import { Buffer } from "buffer";

const b = Buffer.from("héllo");
console.log(b.length, b.toString(), b.toString("utf8"), b.toString("hex"), b.toString("base64"));
console.log(Buffer.from([104, 105, 256, -1]).toString("hex"), Buffer.from(new Uint8Array([1, 2, 3])).toString("hex"));
console.log(Buffer.from("68656c6c6f", "hex").toString(), Buffer.from("aGVsbG8=", "base64").toString(), Buffer.from("aGk", "base64").toString());
console.log(Buffer.concat([Buffer.from("ab"), Buffer.from("cd"), Buffer.alloc(0)]).toString(), Buffer.concat([]).length);
console.log(Buffer.alloc(3).toString("hex"), Buffer.alloc(4, 1).toString("hex"), Buffer.alloc(2, "a").toString());
console.log(b[0], b[1], b instanceof Uint8Array, Buffer.isBuffer(b), Buffer.isBuffer(new Uint8Array(1)));
console.log(b.slice(0, 1).toString(), b.subarray(1, 3).toString("hex"), Buffer.byteLength ? Buffer.byteLength("héllo") : 6);
console.log(Buffer.from("abc").equals(Buffer.from("abc")), Buffer.from("abc").equals(Buffer.from("abd")));
console.log(Buffer.from("").length, Buffer.from("ÿ", "latin1").length, Buffer.from([0xff, 0xfe]).toString("base64"));
const all = Buffer.alloc(256);
for (let i = 0; i < 256; i++) all[i] = i;
console.log(all.toString("base64").slice(0, 40), all.toString("hex").slice(-16));
console.log(Buffer.from([0xe2, 0x82]).toString(), JSON.stringify(Buffer.from("hi")));
console.log(Buffer.from("x").toString("utf-8"), String(Buffer.from("str")), Buffer.from("abc").indexOf(99));
