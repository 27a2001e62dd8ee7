// async ordering
async function a() { console.log("a1"); await b(); console.log("a2"); }
async function b() { console.log("b1"); }
console.log("s1");
a().then(() => console.log("a done"));
Promise.resolve().then(() => console.log("p1")).then(() => console.log("p2"));
new Promise((res) => { console.log("exec"); res(1) }).then(v => console.log("res", v));
queueMicrotask(() => console.log("micro"));
console.log("s2");
const r = await Promise.all([1, Promise.resolve(2), new Promise(r => r(3))]);
console.log(r);
try { await Promise.reject(new Error("nope")) } catch (e) { console.log("caught", e.message) }
const rs = await Promise.allSettled([Promise.reject(1), 2]);
console.log(rs);
const x = await Promise.race([new Promise(()=>{}), Promise.resolve("fast")]);
console.log(x);
async function thrower() { throw new TypeError("bad") }
thrower().catch(e => console.log(e.name, e.message)).finally(() => console.log("fin"));
const p = Promise.resolve(5).finally(() => 9); console.log(await p);
async function rets() { return Promise.resolve(7) }
rets().then(v => console.log("rets", v));
Promise.resolve(1).then(v => { console.log("t1"); return v }).then(v => console.log("t2"));
console.log("end");
