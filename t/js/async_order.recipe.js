// Microtask ordering: synchronous code first, then promise reactions in
// FIFO order, await taking its turns, async functions returning promises.
const log = [];
log.push("start");
Promise.resolve().then(() => log.push("then 1"));
Promise.resolve().then(() => log.push("then 2")).then(() => log.push("then 2b"));
async function f(name) {
	log.push(`${name} sync part`);
	await null;
	log.push(`${name} after await 1`);
	await null;
	log.push(`${name} after await 2`);
	return name;
}
const p = f("A");
f("B");
log.push("end of sync");
console.log(p instanceof Promise);
new Promise((resolve) => {
	log.push("executor runs now");
	resolve("resolved");
}).then((v) => log.push(v));
const r = await p;
log.push("awaited " + r);
await Promise.resolve();
await Promise.resolve();
await Promise.resolve();
console.log(log.join("\n"));

const log2 = [];
async function thrower() {
	log2.push("thrower");
	throw new Error("async boom");
}
thrower().catch((e) => log2.push("caught " + e.message));
Promise.reject(new Error("rejected")).then(
	() => log2.push("not here"),
	(e) => log2.push("onRejected " + e.message)
);
Promise.resolve(1).then((v) => v + 1).then((v) => { log2.push("chain " + v); });
Promise.resolve(Promise.resolve("nested")).then((v) => log2.push(v));
const thenable = { then(res) { res("thenable"); } };
Promise.resolve(thenable).then((v) => log2.push(v));
await null;
await null;
await null;
await null;
console.log(log2.join(" | "));

async function returnsPromise() {
	return Promise.resolve("inner");
}
console.log(await returnsPromise());
const arrow = async (x) => x * 2;
console.log(await arrow(21));
console.log(await 5, await "plain");
