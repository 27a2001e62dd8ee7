// A realistic text job: word frequencies, ties broken alphabetically, a
// padded report.
const text = `The build cache stores outputs. The cache key hashes inputs;
when inputs change, the key changes and the build runs again. Builds that
hit the cache restore outputs instead of running.`;
const cleaned = [...text.toLowerCase()].map((c) => ("abcdefghijklmnopqrstuvwxyz".includes(c) ? c : " ")).join("");
const words = cleaned.split(" ").filter((w) => w.length > 0);
const freq = new Map();
for (const w of words) freq.set(w, (freq.get(w) || 0) + 1);
const top = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
console.log(`${words.length} words, ${freq.size} distinct`);
for (const [w, n] of top.slice(0, 8)) console.log(`${w.padEnd(10, ".")}${String(n).padStart(3)} ${"#".repeat(n)}`);
const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
console.log("longest:", longest, longest.length);
const byLength = {};
for (const w of new Set(words)) (byLength[w.length] ??= []).push(w);
for (const [len, ws] of Object.entries(byLength)) console.log(len, ws.sort().join(" "));
