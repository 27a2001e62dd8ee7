// Version strings: parse, compare, sort, range checks.
function parse(v) {
	const s = v.startsWith("v") ? v.slice(1) : v;
	const dash = s.indexOf("-");
	const core = dash === -1 ? s : s.slice(0, dash);
	const pre = dash === -1 ? "" : s.slice(dash + 1);
	const [major, minor = 0, patch = 0] = core.split(".").map(Number);
	return { major, minor, patch, pre };
}
function cmp(a, b) {
	const x = parse(a), y = parse(b);
	for (const k of ["major", "minor", "patch"]) if (x[k] !== y[k]) return x[k] < y[k] ? -1 : 1;
	if (x.pre === y.pre) return 0;
	if (x.pre === "") return 1;
	if (y.pre === "") return -1;
	return x.pre < y.pre ? -1 : 1;
}
const versions = ["1.10.0", "1.2.0", "v1.2.10", "1.2.9", "2.0.0-beta", "2.0.0", "2.0.0-alpha", "0.9", "1"];
console.log(versions.slice().sort(cmp).join(" "));
console.log(versions.slice().sort().join(" "));
const satisfies = (v, min, max) => cmp(v, min) >= 0 && cmp(v, max) < 0;
console.log(versions.filter((v) => satisfies(v, "1.2.0", "2.0.0")).join(" "));
const bump = (v, part) => {
	const p = parse(v);
	if (part === "major") return `${p.major + 1}.0.0`;
	if (part === "minor") return `${p.major}.${p.minor + 1}.0`;
	return `${p.major}.${p.minor}.${p.patch + 1}`;
};
console.log(["major", "minor", "patch"].map((k) => bump("1.9.9", k)).join(" "));
console.log(JSON.stringify(parse("v3.4.5-rc.1")));
