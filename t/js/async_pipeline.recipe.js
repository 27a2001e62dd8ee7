// An async task runner: a concurrency limit built on promises, results in
// input order, failures collected.
function tick(n) {
	let p = Promise.resolve();
	for (let i = 0; i < n; i++) p = p.then(() => {});
	return p;
}
async function runAll(tasks, limit) {
	const results = new Array(tasks.length);
	const started = [];
	let next = 0, active = 0, maxActive = 0;
	async function worker(id) {
		while (next < tasks.length) {
			const i = next++;
			active++;
			maxActive = Math.max(maxActive, active);
			started.push(`${id}:${tasks[i].name}`);
			try {
				results[i] = { ok: true, value: await tasks[i].run() };
			} catch (e) {
				results[i] = { ok: false, error: e.message };
			}
			active--;
		}
	}
	await Promise.all(Array.from({ length: limit }, (_, id) => worker(id)));
	return { results, started, maxActive };
}
const tasks = [3, 1, 4, 1, 5, 9, 2, 6].map((n, i) => ({
	name: `t${i}`,
	run: async () => {
		await tick(n);
		if (n === 9) throw new Error(`task t${i} failed`);
		return n * 10;
	},
}));
const { results, started, maxActive } = await runAll(tasks, 3);
console.log(started.join(" "));
console.log(maxActive);
for (const [i, r] of results.entries()) console.log(i, r.ok ? `ok ${r.value}` : `error ${r.error}`);
const retry = async (fn, n) => {
	for (let i = 1; ; i++) {
		try {
			return await fn(i);
		} catch (e) {
			if (i >= n) throw e;
			console.log("retrying after", e.message);
		}
	}
};
console.log(await retry(async (i) => {
	if (i < 3) throw new Error(`attempt ${i}`);
	return `succeeded on ${i}`;
}, 5));
