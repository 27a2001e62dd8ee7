// try/catch/finally: ordering, rethrow, finally overriding, catch without
// a binding, finally around break/continue/return.
const log = [];
function f() {
	try {
		log.push("try");
		throw new Error("boom");
	} catch (e) {
		log.push("catch " + e.message);
		return "from catch";
	} finally {
		log.push("finally");
	}
}
console.log(f(), log.join(", "));

function override() {
	try {
		return 1;
	} finally {
		return 2;
	}
}
console.log(override());

function swallow() {
	try {
		throw new Error("lost");
	} finally {
		return "finally wins";
	}
}
console.log(swallow());

try {
	try {
		throw new TypeError("inner");
	} catch (e) {
		console.log("caught", e.name, e.message);
		throw new RangeError("rethrown");
	} finally {
		console.log("inner finally");
	}
} catch (e) {
	console.log("outer", e.name, e.message, e instanceof RangeError);
}

try {
	JSON.parse("{bad");
} catch {
	console.log("no binding");
}

const order = [];
for (let i = 0; i < 3; i++) {
	try {
		if (i === 0) continue;
		if (i === 2) break;
		order.push("body" + i);
	} finally {
		order.push("fin" + i);
	}
}
console.log(order.join(" "));

try {
	throw { code: 42, msg: "plain object" };
} catch ({ code, msg }) {
	console.log(code, msg);
}

try {
	throw "a string";
} catch (e) {
	console.log(typeof e, e);
}

function counter() {
	let n = 0;
	try {
		n++;
		return n;
	} finally {
		n += 10;
		console.log("finally sees", n);
	}
}
console.log(counter());

let x = 0;
try {
	x = 1;
} finally {
	x += 1;
}
console.log(x);
