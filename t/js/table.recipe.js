// Formatting a report table: column widths, alignment, number formatting.
const rows = [
	{ target: "compile", ms: 1532.4, hits: 12, misses: 3 },
	{ target: "link", ms: 88, hits: 1, misses: 14 },
	{ target: "test:unit", ms: 20011.75, hits: 40, misses: 0 },
	{ target: "docs", ms: 3.14159, hits: 0, misses: 0 },
];
const cols = ["target", "ms", "hits", "misses", "ratio"];
const cell = (r, c) => {
	if (c === "ms") return (r.ms / 1000).toFixed(2) + "s";
	if (c === "ratio") {
		const t = r.hits + r.misses;
		return t === 0 ? "-" : ((100 * r.hits) / t).toFixed(1) + "%";
	}
	return String(r[c]);
};
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
const line = (vals) => "| " + vals.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(" | ") + " |";
console.log(line(cols));
console.log("|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|");
for (const r of rows) console.log(line(cols.map((c) => cell(r, c))));
const total = rows.reduce((a, r) => ({ ms: a.ms + r.ms, hits: a.hits + r.hits, misses: a.misses + r.misses }), { ms: 0, hits: 0, misses: 0 });
console.log(line(cols.map((c) => (c === "target" ? "total" : cell(total, c)))));
console.log((1234567.891).toFixed(1), Math.round(1234.5678 * 100) / 100);
const kb = (n) => (n < 1024 ? n + " B" : n < 1048576 ? (n / 1024).toFixed(1) + " KiB" : (n / 1048576).toFixed(1) + " MiB");
console.log([0, 1023, 1024, 1536, 1048576, 5e6].map(kb).join(", "));
