// switch: fall-through, default in the middle, strict comparison, blocks,
// strings and expressions as cases.
function kind(x) {
	switch (x) {
	case 1:
	case 2:
		return "small";
	case "1":
		return "string one";
	default:
		return "other";
	case 3:
		return "three";
	}
}
console.log([1, 2, "1", 3, 4, null].map(kind).join(","));

function fall(n) {
	const out = [];
	switch (n) {
	case 0:
		out.push("zero");
	case 1:
		out.push("one");
		break;
	case 2: {
		const local = "two";
		out.push(local);
	}
	default:
		out.push("default");
	}
	return out.join("+");
}
console.log(fall(0), fall(1), fall(2), fall(9));

function mid(n) {
	let s = "";
	switch (n) {
	case 1:
		s += "a";
	default:
		s += "d";
	case 2:
		s += "b";
	}
	return s;
}
console.log(mid(1), mid(2), mid(5));

const v = 10;
switch (true) {
case v < 5:
	console.log("lt5");
	break;
case v < 20:
	console.log("lt20");
	break;
default:
	console.log("big");
}

switch (NaN) {
case NaN:
	console.log("NaN matched");
	break;
default:
	console.log("NaN never matches");
}

let evaluated = [];
function c(x) {
	evaluated.push(x);
	return x;
}
switch (2) {
case c(1):
case c(2):
case c(3):
	console.log("hit", evaluated.join(""));
}
