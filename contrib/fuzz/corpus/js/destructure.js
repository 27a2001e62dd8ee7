const {a = 1, b: [c, , ...d], ...e} = f;
[a, b] = [b, a];
({x, y = 2} = o);
for (const [k, v] of m) {}
