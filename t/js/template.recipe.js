// Template literals: substitutions, nesting, conversions, multi-line text,
// escapes.
const name = "fabrik";
const n = 3;
console.log(`hello ${name}, ${n} + ${n} = ${n + n}`);
console.log(`nested ${`inner ${name.toUpperCase()}`} end`);
console.log(`values: ${null} ${undefined} ${true} ${[1, 2, [3, 4]]} ${{}}`);
console.log(`num ${0.1 + 0.2} ${-0} ${1e21} ${2 ** 53}`);
const multi = `line one
	line two
line three`;
console.log(multi);
console.log(multi.split("\n").length);
console.log(`tab\there \u0041 \x42 \u{1F600} \` \${not}`);
console.log(`${"a"}${"b"}${"c"}`);
console.log(`${n > 2 ? "big" : "small"} ${[1, 2, 3].map((x) => `<${x}>`).join("")}`);
const obj = { toString() { return "custom"; } };
console.log(`${obj}`);
console.log(``.length, `$`, `$ {x}`, `{}`);
