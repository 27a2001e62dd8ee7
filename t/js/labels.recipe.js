// Labelled break and continue across nested loops, and a labelled block.
const hits = [];
outer: for (let i = 0; i < 4; i++) {
	for (let j = 0; j < 4; j++) {
		if (j === 2) continue outer;
		if (i === 3) break outer;
		hits.push(`${i}${j}`);
	}
}
console.log(hits.join(" "));

let found = null;
search: for (const row of [[1, 2], [3, 4], [5, 6]]) {
	for (const v of row) {
		if (v * v > 10) {
			found = v;
			break search;
		}
	}
}
console.log(found);

block: {
	console.log("in block");
	if (found === 4) break block;
	console.log("not printed");
}
console.log("after block");

let n = 0;
loop: while (true) {
	n++;
	switch (n) {
	case 1:
		continue loop;
	case 3:
		break loop;
	}
	console.log("n", n);
}
console.log("end", n);

let k = 0;
a: do {
	k++;
	b: for (;;) {
		if (k < 3) continue a;
		break a;
	}
} while (k < 10);
console.log(k);
