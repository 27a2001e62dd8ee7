// child_process: spawnSync with status/stdout/stderr, execSync returning
// stdout and throwing on failure.
import { spawnSync, execSync } from "child_process";

const r = spawnSync("sh", ["-c", "echo out; echo err >&2; exit 3"]);
console.log(r.status, JSON.stringify(r.stdout.toString()), JSON.stringify(r.stderr.toString()));
const r2 = spawnSync("printf", ["%s|", "a b", "c"], { encoding: "utf8" });
console.log(r2.status, r2.stdout, typeof r2.stdout);
console.log(JSON.stringify(execSync("echo hello; echo world").toString()));
console.log(execSync("printf abc", { encoding: "utf8" }));
try {
	execSync("exit 7", { stdio: "pipe" });
	console.log("not thrown");
} catch (e) {
	console.log("thrown", e.status, e instanceof Error);
}
const env = spawnSync("sh", ["-c", "printf %s \"$FOO\""], { env: { ...process.env, FOO: "bar" }, encoding: "utf8" });
console.log(env.stdout);
const cwd = spawnSync("pwd", [], { cwd: "/", encoding: "utf8" });
console.log(cwd.stdout.trim());
const input = spawnSync("cat", [], { input: "piped in", encoding: "utf8" });
console.log(input.stdout);
