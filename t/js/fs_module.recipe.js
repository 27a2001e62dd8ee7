// The fs module (synchronous API) in a scratch directory below the
// current directory: write, read with and without encoding, exists,
// mkdir recursive, readdir (sorted), stat, rm recursive/force, errors.
import fs from "fs";
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync, statSync, rmSync } from "fs";

const d = "fs-scratch";
rmSync(d, { recursive: true, force: true });
console.log(existsSync(d));
mkdirSync(`${d}/a/b/c`, { recursive: true });
console.log(existsSync(`${d}/a/b/c`), statSync(`${d}/a`).isDirectory(), statSync(`${d}/a`).isFile());
writeFileSync(`${d}/a/one.txt`, "first line\nsecond é\n");
writeFileSync(`${d}/a/two.bin`, new Uint8Array([0, 1, 2, 255]));
fs.writeFileSync(`${d}/z.txt`, "z");
const text = readFileSync(`${d}/a/one.txt`, "utf8");
console.log(JSON.stringify(text), text.length);
console.log(readFileSync(`${d}/a/one.txt`, { encoding: "utf8" }) === text);
const raw = readFileSync(`${d}/a/two.bin`);
console.log(raw.length, raw[3], raw instanceof Uint8Array, raw.toString("hex"));
const st = statSync(`${d}/a/one.txt`);
console.log(st.isFile(), st.isDirectory(), st.size, typeof st.mtimeMs, st.mtimeMs > 0);
console.log(readdirSync(d).join(","), readdirSync(`${d}/a`).sort().join(","));
try {
	readFileSync(`${d}/missing.txt`);
} catch (e) {
	console.log(e.code, e instanceof Error);
}
try {
	mkdirSync(`${d}/a`);
} catch (e) {
	console.log(e.code);
}
mkdirSync(`${d}/a`, { recursive: true });
try {
	rmSync(`${d}/a`);
} catch (e) {
	console.log("rm dir without recursive:", e.code);
}
rmSync(`${d}/nothing-here`, { force: true });
rmSync(`${d}/a/one.txt`);
console.log(existsSync(`${d}/a/one.txt`), readdirSync(`${d}/a`).join(","));
writeFileSync(`${d}/z.txt`, "overwritten");
console.log(readFileSync(`${d}/z.txt`, "utf8"));
fs.appendFileSync ? fs.appendFileSync(`${d}/z.txt`, "+more") : writeFileSync(`${d}/z.txt`, "overwritten+more");
console.log(readFileSync(`${d}/z.txt`).toString());
rmSync(d, { recursive: true });
console.log(existsSync(d));
