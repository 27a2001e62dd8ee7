// A function-based recipe: fabrik calls the exported build() and test()
// functions by name ("fabrik run build", "fabrik run test").
import { $, glob } from "fabrik:runtime";
import * as fs from "fs";
import path from "path";

const SRC = "src";
const OUT = "build";

/* Compiles one translation unit; returns the object file path. */
async function compile(src, { optimize = true, defines = [] } = {}) {
	const obj = path.join(OUT, path.basename(src, ".c") + ".o");
	const flags = [optimize ? "-O2" : "-O0", ...defines.map((d) => `-D${d}`)];
	await $`cc -c ${flags} -o ${obj} ${src}`;
	return obj;
}

export async function build() {
	await fs.promises.mkdir(OUT, { recursive: true });
	const sources = await glob(`${SRC}/**/*.c`);
	const objects = [];
	for (const src of sources) {
		if (src.endsWith("_test.c")) continue;
		objects.push(await compile(src));
	}
	const app = path.join(OUT, "app");
	await $`cc -o ${app} ${objects}`;
	return { outputs: [app], count: objects.length };
}

export async function test() {
	const { outputs } = await build();
	let failed = 0;
	for (const t of await glob("tests/*_test.c")) {
		const bin = await compile(t, { optimize: false, defines: ["TEST"] });
		try {
			await $`${bin}`;
		} catch (e) {
			console.error(`FAIL ${t}: ${e?.message ?? e}`);
			failed++;
		}
	}
	if (failed > 0)
		throw new Error(`${failed} test(s) failed`);
	return outputs;
}
