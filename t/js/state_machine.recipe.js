// A lexer written as a state machine over characters, with a token table.
function tokenize(src) {
	const tokens = [];
	let i = 0;
	const isDigit = (c) => c >= "0" && c <= "9";
	const isAlpha = (c) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
	while (i < src.length) {
		const c = src[i];
		if (c === " " || c === "\n" || c === "\t") {
			i++;
		} else if (isDigit(c)) {
			let j = i;
			while (j < src.length && (isDigit(src[j]) || src[j] === ".")) j++;
			tokens.push({ t: "num", v: Number(src.slice(i, j)) });
			i = j;
		} else if (isAlpha(c)) {
			let j = i;
			while (j < src.length && (isAlpha(src[j]) || isDigit(src[j]))) j++;
			tokens.push({ t: "id", v: src.slice(i, j) });
			i = j;
		} else if (c === '"') {
			let j = i + 1, s = "";
			while (j < src.length && src[j] !== '"') {
				if (src[j] === "\\") j++;
				s += src[j++];
			}
			tokens.push({ t: "str", v: s });
			i = j + 1;
		} else {
			tokens.push({ t: "op", v: c });
			i++;
		}
	}
	return tokens;
}
const toks = tokenize('let x = 42 + y1 * 3.5; print("a \\"q\\" b")');
console.log(toks.map((t) => `${t.t}(${t.v})`).join(" "));
function evaluate(expr, vars) {
	const ts = tokenize(expr);
	let pos = 0;
	const peek = () => ts[pos];
	const take = () => ts[pos++];
	function primary() {
		const t = take();
		if (t.t === "num") return t.v;
		if (t.t === "id") return vars[t.v];
		if (t.v === "(") {
			const v = sum();
			take();
			return v;
		}
		if (t.v === "-") return -primary();
		throw new Error("unexpected " + t.v);
	}
	function product() {
		let v = primary();
		while (peek() && (peek().v === "*" || peek().v === "/")) v = take().v === "*" ? v * primary() : v / primary();
		return v;
	}
	function sum() {
		let v = product();
		while (peek() && (peek().v === "+" || peek().v === "-")) v = take().v === "+" ? v + product() : v - product();
		return v;
	}
	return sum();
}
console.log(evaluate("1 + 2 * 3", {}), evaluate("(1 + 2) * 3", {}), evaluate("x * x - -y / 4", { x: 3, y: 2 }));
try {
	evaluate("1 + )", {});
} catch (e) {
	console.log(e.message);
}
