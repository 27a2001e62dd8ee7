// Promise.all, allSettled, race, any; rejections; finally.
const delayed = (v) => new Promise((resolve) => Promise.resolve().then(() => resolve(v)));
const all = await Promise.all([1, delayed(2), Promise.resolve(3), "four"]);
console.log(all.join(","), Array.isArray(all));
console.log((await Promise.all([])).length);
try {
	await Promise.all([delayed(1), Promise.reject(new Error("second failed")), delayed(3)]);
} catch (e) {
	console.log("all rejected:", e.message);
}
const settled = await Promise.allSettled([Promise.resolve("ok"), Promise.reject(new Error("no"))]);
console.log(settled.map((s) => s.status + ":" + (s.value ?? s.reason.message)).join(" "));
console.log(await Promise.race([delayed("slow"), "fast"]));
const log = [];
await Promise.resolve("v").finally(() => log.push("finally ran")).then((v) => log.push("value " + v));
await Promise.reject(new Error("r")).finally(() => log.push("finally on reject")).catch((e) => log.push("caught " + e.message));
console.log(log.join("; "));

async function step(name, n) {
	for (let i = 0; i < n; i++) await null;
	return name;
}
const order = [];
await Promise.all([step("a", 3), step("b", 1), step("c", 2)].map((p) => p.then((v) => order.push(v))));
console.log(order.join(""));

const results = await Promise.all([1, 2, 3].map(async (x) => {
	await null;
	return x * x;
}));
console.log(results.join(" "));

let unhandled = Promise.reject(new Error("handled later"));
unhandled.catch(() => {});
await null;
console.log("done");
