// ES modules: named, default and namespace imports, renaming, re-exports,
// live bindings, single evaluation and evaluation order.
import shout, { join, SEP as separator, Greeter } from "./lib/strings.js";
import * as strings from "./lib/strings.js";
import { count, increment, loadedTimes } from "./lib/counter.js";
import { joinAll, loud, fromReexport, increment as inc2 } from "./lib/reexport.js";
import { events } from "./lib/order-log.js";
import { b } from "./lib/order-b.js";
import "./lib/order-a.js";

console.log(shout("hey"), join("a", "b"), separator);
console.log(new Greeter("fabrik").greet());
console.log(strings.SEP, strings.join("x", "y"), strings.default("ns"), typeof strings.Greeter);
console.log(Object.keys(strings).sort().join(","));
console.log(count, increment(), count, inc2(), count);
console.log(loadedTimes(), joinAll("p", "q"), loud("re"), fromReexport);
console.log(b, events.join(" / "));
try {
	strings.SEP = "changed";
	console.log("assigned");
} catch (e) {
	console.log("namespace is read-only:", e instanceof TypeError);
}
