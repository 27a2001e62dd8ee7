// A small event emitter: listeners in a Map of arrays, once, off, error
// propagation.
class Emitter {
	constructor() {
		this.listeners = new Map();
	}
	on(name, fn) {
		if (!this.listeners.has(name)) this.listeners.set(name, []);
		this.listeners.get(name).push(fn);
		return this;
	}
	once(name, fn) {
		const wrapper = (...args) => {
			this.off(name, wrapper);
			fn(...args);
		};
		return this.on(name, wrapper);
	}
	off(name, fn) {
		const l = this.listeners.get(name) ?? [];
		const i = l.indexOf(fn);
		if (i !== -1) l.splice(i, 1);
		return this;
	}
	emit(name, ...args) {
		const l = [...(this.listeners.get(name) ?? [])];
		for (const fn of l) fn(...args);
		return l.length;
	}
}
const e = new Emitter();
const log = [];
const onData = (d) => log.push("data:" + d);
e.on("data", onData).once("data", (d) => log.push("once:" + d)).on("end", () => log.push("end"));
console.log(e.emit("data", 1), e.emit("data", 2), e.emit("nothing"));
e.off("data", onData);
console.log(e.emit("data", 3), e.emit("end"));
console.log(log.join(" "));
e.on("fail", () => {
	throw new Error("listener failed");
});
try {
	e.emit("fail");
} catch (err) {
	console.log("propagated:", err.message);
}
