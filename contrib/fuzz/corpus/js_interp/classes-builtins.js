class Animal {
  static count = 0;
  legs = 4;
  name;
  constructor(name) { this.name = name; Animal.count++; }
  speak() { return `${this.name} makes a sound`; }
  get description() { return `${this.name} with ${this.legs} legs`; }
  set nick(v) { this._nick = v.toUpperCase(); }
  static create(n) { return new this(n); }
  toString() { return `Animal(${this.name})`; }
}
class Dog extends Animal {
  legs = 4;
  sound = "woof";
  constructor(name) { super(name); this.kind = "dog"; }
  speak() { return super.speak() + " and " + this.sound; }
  get description() { return "Dog: " + super.description; }
}
const d = new Dog("Rex"); d.nick = "rexy";
console.log(d.speak(), d.description, d._nick, Animal.count, String(d), d instanceof Animal, Dog.create("Fido").name, Animal.count);
console.log(d, Object.keys(d), typeof Dog, Dog.name, Object.getPrototypeOf(Dog) === Animal);
const Anon = class { m() { return 1 } }; console.log(Anon.name, new Anon().m());
class Counter { constructor() { this.c = 0 } inc = () => { this.c++; return this } }
const ctr = new Counter(); const inc = ctr.inc; inc(); inc(); console.log(ctr.c);
function make() { let n = 0; return { inc() { return ++n }, get value() { return n } } }
const m = make(); m.inc(); m.inc(); console.log(m.value);
const adders = []; for (var i = 0; i < 3; i++) adders.push(x => x + i); console.log(adders.map(f => f(10)));
const adders2 = []; for (let i = 0; i < 3; i++) { adders2.push(x => x + i) } console.log(adders2.map(f => f(10)));
function Old(x) { this.x = x } Old.prototype.get = function () { return this.x }; console.log(new Old(3).get(), new Old(4) instanceof Old);
const bound = function (a, b) { return this.v + a + b }.bind({v: 1}, 2); console.log(bound(3), bound.call({v: 100}, 3));
console.log(Math.max.apply(null, [1, 9, 3]), [].slice.call([1, 2, 3], 1).length);
outer: for (let i = 0; i < 3; i++) { inner: for (let j = 0; j < 3; j++) { if (j === 1) continue outer; if (i === 2) break outer; console.log("ij", i, j) } }
blk: { console.log("in block"); break blk; console.log("never") }
let w = 0; do { w++ } while (w < 5); console.log(w);
const tag = (s, ...v) => s.raw.join("|") + "#" + s.join("|") + "#" + v.join(","); console.log(tag`a${1}b\n${2}c`);
const sym = Symbol("desc"); const so = { [sym]: 1, regular: 2 }; console.log(so[sym], Object.keys(so), sym.toString(), sym.description);
const iterable = { from: 1, to: 3, [Symbol.iterator]() { let c = this.from, t = this.to; return { next: () => c <= t ? { value: c++, done: false } : { value: undefined, done: true } } } };
console.log([...iterable], Array.from(iterable)); for (const v of iterable) console.log("it", v);
const mp = new Map(); mp.set("a", 1).set(NaN, "nan").set(0, "zero"); console.log(mp.get(NaN), mp.get(-0), mp.size, [...mp.keys()], mp.has("a"), mp.delete("a"), mp.size);
const st = new Set([1, 2, 2, 3]); st.add(4); st.delete(1); console.log(st, st.size, [...st].map(x => x * 2), st.has(2));
mp.forEach((v, k) => console.log("fe", k, v));
const u = new Uint8Array([1, 2, 300, -1]); console.log(u, u.length, u[2], u.subarray(1, 3), u.slice(-1), new TextDecoder().decode(new TextEncoder().encode("héllo €")), new TextEncoder().encode("é"));
const sub = u.subarray(0, 2); sub[0] = 99; console.log(u[0]);
console.log(JSON.stringify({a: [1, {b: undefined, c: () => 1, d: null}], e: "x\ny\"", f: NaN, g: new Map(), h: [undefined]}), JSON.stringify("str"), JSON.stringify(undefined), JSON.stringify({toJSON() { return 5 }}));
console.log(JSON.parse('{"a":[1,2,{"b":"c\\u00e9"}],"d":true,"e":null,"f":-1.5e3}'), JSON.parse("[]"), JSON.parse(' "x" '), JSON.parse('{"a":1,"b":2}', (k, v) => typeof v === "number" ? v * 10 : v));
console.log(JSON.stringify({a: 1, b: [1, 2], c: {}}, null, "--"), JSON.stringify([1, 2], null, 4), JSON.stringify({a: 1, b: 2, c: 3}, ["a", "c"]), JSON.stringify({a: 5, b: "x"}, (k, v) => typeof v === "number" ? v + 1 : v));
try { const c = {}; c.c = c; JSON.stringify(c) } catch (e) { console.log(e.name, e.message) }
