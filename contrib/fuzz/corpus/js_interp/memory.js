function f(n) { return f(n + 1); }
let s = "x";
for (;;) { try { f(0) } catch (e) { s += s; } }
