// try/finally semantics
function f1() { try { return "try" } finally { console.log("finally runs") } }
console.log(f1());
function f2() { try { throw 1 } catch (e) { return "catch " + e } finally { console.log("f2 fin") } }
console.log(f2());
function f3() { try { return 1 } finally { return 2 } }
console.log(f3());
function f4() { for (let i = 0; i < 3; i++) { try { if (i == 1) continue; if (i == 2) break; console.log("body", i) } finally { console.log("fin", i) } } return "done" }
console.log(f4());
function f5() { try { try { throw new Error("inner") } finally { console.log("inner fin") } } catch (e) { console.log("outer catch", e.message) } }
f5();
let count = 0; while (true) { try { count++; if (count > 3) break } finally { console.log("c", count) } }
const e = new RangeError("r"); console.log(e instanceof Error, e instanceof RangeError, e.name, String(e), Object.prototype.toString.call(e));
class MyErr extends Error { constructor(m) { super(m); this.name = "MyErr"; this.code = 42 } }
try { throw new MyErr("custom") } catch (err) { console.log(err instanceof MyErr, err instanceof Error, err.name, err.message, err.code, `${err}`) }
try { undefinedVar } catch (err) { console.log(err.name, err.message) }
try { const c = 1; c = 2 } catch (err) { console.log(err.name, err.message) }
try { (void 0)() } catch (err) { console.log(err.name) }
try { let o = {}; o.f() } catch (err) { console.log(err.message) }
try { tdz; let tdz = 1 } catch (err) { console.log(err.name, err.message) }
try { JSON.parse("{bad") } catch (err) { console.log(err.name) }
try { new Array(-1) } catch (err) { console.log(err.name, err.message) }
try { "x".repeat(-1) } catch (err) { console.log(err.name) }
try { null.foo } catch (err) { console.log(err.message) }
try { undefined.foo = 1 } catch (err) { console.log(err.message) }
try { throw "str" } catch (err) { console.log(typeof err, err) }
try { try { throw 1 } finally { console.log("only finally") } } catch (x) { console.log("got", x) }
