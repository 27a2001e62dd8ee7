// fs/promises and fs.promises: the same operations, awaited.
import { readFile, writeFile, mkdir, readdir, stat, rm } from "fs/promises";
import * as fs from "fs";

const d = "fsp-scratch";
await rm(d, { recursive: true, force: true });
await mkdir(`${d}/x/y`, { recursive: true });
await writeFile(`${d}/x/data.json`, JSON.stringify({ n: 1, list: [1, 2] }));
const text = await readFile(`${d}/x/data.json`, "utf8");
console.log(text, JSON.parse(text).list.length);
const bytes = await readFile(`${d}/x/data.json`);
console.log(bytes.length, typeof bytes, bytes[0]);
console.log((await readdir(`${d}/x`)).join(","), (await stat(`${d}/x`)).isDirectory());
await fs.promises.writeFile(`${d}/via-ns.txt`, "ns");
console.log(await fs.promises.readFile(`${d}/via-ns.txt`, "utf8"));
try {
	await readFile(`${d}/nope`);
} catch (e) {
	console.log("rejected", e.code);
}
const p = mkdir(`${d}/later`);
console.log(p instanceof Promise);
await p;
console.log((await readdir(d)).sort().join(","));
await rm(d, { recursive: true });
console.log(fs.existsSync(d));
