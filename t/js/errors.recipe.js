// Errors: constructors, names, messages, String(), instanceof across the
// built-in hierarchy, custom subclasses, cause, and errors raised by the
// engine (checked by type, not by message text).
const e = new Error("something failed");
console.log(e.name, e.message, String(e), e instanceof Error);
console.log(String(new TypeError("bad type")), String(new RangeError("out")));
console.log(String(new Error()), new Error().message === "");
console.log(new SyntaxError("s") instanceof Error, new ReferenceError("r").name);
console.log(typeof e.stack);

class BuildError extends Error {
	constructor(target, code) {
		super(`target ${target} failed with ${code}`);
		this.name = "BuildError";
		this.target = target;
		this.code = code;
	}
}
try {
	throw new BuildError("app", 2);
} catch (err) {
	console.log(err instanceof BuildError, err instanceof Error);
	console.log(err.name, err.message, err.target, err.code);
	console.log(`${err}`);
}

const withCause = new Error("outer", { cause: "inner" });
console.log(withCause.cause);

function kindOf(fn) {
	try {
		fn();
		return "no error";
	} catch (err) {
		return err.constructor.name + "/" + (err instanceof Error);
	}
}
console.log(kindOf(() => undefined.x));
console.log(kindOf(() => null.y));
console.log(kindOf(() => notDefinedAnywhere));
console.log(kindOf(() => (1)()));
console.log(kindOf(() => {
	const c = 1;
	c = 2;
}));
console.log(kindOf(() => JSON.parse("{")));
console.log(kindOf(() => new Array(-1)));
console.log(kindOf(() => (1.5).toFixed(200)));
console.log(kindOf(() => "ok"));

const plain = Error("called without new");
console.log(plain instanceof Error, plain.message);

const msgOnly = new Error(42);
console.log(typeof msgOnly.message, msgOnly.message);
