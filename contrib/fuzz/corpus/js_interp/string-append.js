let s = "";
for (let i = 0; i < 2000; i++) { s += "x" + i; if (i % 500 === 0) console.log(s.length); }
const fs = []; let t = "start";
for (let i = 0; i < 3; i++) { t += "-" + "y".repeat(300) + i; fs.push(() => t.length); }
console.log(fs.map(f => f()), t.slice(-5));
function g(p) { p += "!".repeat(300); p += 5; p += null; return p.length; }
console.log(g("abc"));
let u = "q".repeat(300); u += { toString() { return "OBJ"; } }; console.log(u.slice(-3));
let w = "z".repeat(300); w += (w = "reset", "after"); console.log(w.length, w.slice(-5));
var v = 1; v += "2"; v += 3; console.log(v);
let n = 5; n += 10; console.log(n);
export let ex = "a".repeat(300); ex += "b"; console.log(ex.length);
