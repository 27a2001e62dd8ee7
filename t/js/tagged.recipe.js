// Tagged templates: the strings array, raw strings, substitution values
// and tags returning non-strings.
function tag(strings, ...values) {
	return JSON.stringify({ strings: [...strings], values });
}
const who = "world";
console.log(tag`hello ${who}!`);
console.log(tag``);
console.log(tag`${1}${2}`);
console.log(tag`a${"b"}c${[1, 2]}d`);

function raw(strings) {
	return strings.raw.join("|");
}
console.log(raw`one\ttwo${0}three\n`);

function count(strings, ...values) {
	return strings.length - values.length;
}
console.log(count`x${1}y${2}z`, count`plain`);

function sh(strings, ...values) {
	let out = strings[0];
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		const s = Array.isArray(v) ? v.map((x) => `'${x}'`).join(" ") : `'${v}'`;
		out += s + strings[i + 1];
	}
	return out;
}
const flags = ["-O2", "-g"];
console.log(sh`cc ${flags} -o ${"out file"} main.c`);

const obj = {
	prefix: ">> ",
	fmt(strings, ...v) {
		return this.prefix + strings.join(v.join(""));
	},
};
console.log(obj.fmt`a${1}b`);

function returnsObject() {
	return { ok: true };
}
console.log(returnsObject`ignored`.ok);
