// The process global: env, cwd, argv shape, platform, exitCode.
console.log(typeof process, typeof process.env, process.env.HOME === undefined ? "no HOME" : "HOME set");
console.log(process.env.FABRIK_JS_UNSET_VARIABLE, "PATH" in process.env);
console.log(process.cwd().startsWith("/"), Array.isArray(process.argv), process.argv.length >= 2);
console.log(typeof process.platform, process.platform === "linux" || process.platform === "darwin" || process.platform.length > 0);
process.env.FABRIK_JS_SET_HERE = "42";
console.log(process.env.FABRIK_JS_SET_HERE, typeof process.exit);
