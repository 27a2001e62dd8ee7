// Configuration handling: deep merge, defaults, path lookup, diff.
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function merge(a, b) {
	const out = { ...a };
	for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(a[k]) ? merge(a[k], v) : v;
	return out;
}
const defaults = { cache: { dir: "~/.cache", max: 10, policy: "lfu" }, tools: ["gradle"], verbose: false };
const user = { cache: { max: 50 }, tools: ["bazel", "nx"], extra: { on: true } };
const merged = merge(defaults, user);
console.log(JSON.stringify(merged));
const get = (o, p) => p.split(".").reduce((v, k) => v?.[k], o);
console.log(get(merged, "cache.max"), get(merged, "cache.nope.deeper"), get(merged, "tools.1"));
function diff(a, b, prefix = "") {
	const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
	const out = [];
	for (const k of keys) {
		const p = prefix + k;
		if (isObj(a[k]) && isObj(b[k])) out.push(...diff(a[k], b[k], p + "."));
		else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(`${p}: ${JSON.stringify(a[k])} -> ${JSON.stringify(b[k])}`);
	}
	return out;
}
console.log(diff(defaults, merged).join("\n"));
const flat = (o, pre = "") => Object.entries(o).flatMap(([k, v]) => (isObj(v) ? flat(v, pre + k + ".") : [[pre + k, v]]));
console.log(flat(merged).map(([k, v]) => `${k}=${v}`).join("\n"));
