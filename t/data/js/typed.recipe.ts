// A TypeScript recipe (.recipe.ts): types are checked by the author's
// editor and erased by fabrik's parser before the recipe runs.
import { $, glob } from "fabrik:runtime";
import type { Stats } from "fs";
import * as path from "path";

interface Target {
	name: string;
	sources: string[];
	flags?: readonly string[];
	after?: (out: string) => Promise<void>;
}

type Profile = "debug" | "release";
type Outputs = Record<Profile, string[]>;

declare const FABRIK_VERSION: string;

const targets: Target[] = [
	{ name: "server", sources: ["src/server.c", "src/net.c"] },
	{ name: "client", sources: ["src/client.c"], flags: ["-DCLIENT"] },
];

class Toolchain {
	constructor(private readonly cc: string = "cc", public verbose = false) {}

	cflags(profile: Profile, extra: readonly string[] = []): string[] {
		const base = profile === "release" ? ["-O2", "-DNDEBUG"] : ["-O0", "-g"];
		return [...base, ...extra];
	}

	async link<T extends Target>(t: T, profile: Profile): Promise<string> {
		const out: string = path.join("build", profile, t.name);
		await $`${this.cc} ${this.cflags(profile, t.flags ?? [])} -o ${out} ${t.sources}`;
		await t.after?.(out);
		return out;
	}
}

function isStale(s: Stats | undefined): s is undefined {
	return s === undefined;
}

export async function build(profile: Profile = "release"): Promise<string[]> {
	const tc = new Toolchain(process.env.CC!, true);
	const outputs: string[] = [];
	for (const t of targets) {
		outputs.push(await tc.link<Target>(t, profile));
	}
	const headers = (await glob("include/**/*.h")) as string[];
	console.log(`built ${outputs.length} targets, ${headers.length} headers`);
	return outputs satisfies string[];
}
