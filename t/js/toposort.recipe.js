// A build graph: topological order with DFS, cycle detection, levels for
// parallel scheduling.
const graph = {
	app: ["lib", "assets"],
	lib: ["codegen", "util"],
	assets: ["util"],
	codegen: [],
	util: [],
	test: ["app", "fixtures"],
	fixtures: [],
};
function topo(g) {
	const state = new Map();
	const order = [];
	function visit(n, path) {
		if (state.get(n) === "done") return;
		if (state.get(n) === "active") throw new Error(`cycle: ${[...path, n].join(" -> ")}`);
		state.set(n, "active");
		for (const d of g[n] ?? []) visit(d, [...path, n]);
		state.set(n, "done");
		order.push(n);
	}
	for (const n of Object.keys(g).sort()) visit(n, []);
	return order;
}
console.log(topo(graph).join(" "));
const levels = {};
function level(n) {
	if (n in levels) return levels[n];
	const deps = graph[n];
	return (levels[n] = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(level)));
}
Object.keys(graph).forEach(level);
const byLevel = [];
for (const [n, l] of Object.entries(levels)) (byLevel[l] ??= []).push(n);
byLevel.forEach((ns, i) => console.log(`level ${i}: ${ns.sort().join(", ")}`));
try {
	topo({ a: ["b"], b: ["c"], c: ["a"] });
} catch (e) {
	console.log(e.message);
}
const reverse = {};
for (const [n, deps] of Object.entries(graph))
	for (const d of deps) (reverse[d] ??= new Set()).add(n);
const affected = (n, acc = new Set()) => {
	for (const r of reverse[n] ?? []) if (!acc.has(r)) affected(r, acc.add(r));
	return acc;
};
console.log("util change rebuilds:", [...affected("util")].sort().join(" "));
