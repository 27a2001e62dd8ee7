// Manifest-like data: building package.json-style objects, sorting keys,
// stable stringify, checksums with a simple hash.
const pkg = { version: "1.0.0", name: "demo", dependencies: { zlib: "^1", abc: "~2" }, scripts: { test: "t", build: "b" } };
const sortKeys = (v) => (Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])])) : v);
console.log(JSON.stringify(sortKeys(pkg), null, 2));
const djb2 = (s) => {
	let h = 5381;
	for (const c of s) h = ((h << 5) + h + c.codePointAt(0)) >>> 0;
	return h.toString(16).padStart(8, "0");
};
console.log(djb2(JSON.stringify(sortKeys(pkg))), djb2(""), djb2("é😀"));
const lock = Object.entries(pkg.dependencies).map(([n, r]) => ({ n, r, resolved: r.replace("^", "").replace("~", "") + ".0.0" }));
console.log(lock.map((l) => `${l.n}@${l.resolved}`).sort().join(", "));
