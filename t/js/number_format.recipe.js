// toFixed, toPrecision and toString(radix) as Node prints them.
const xs = [0, 1, -1.5, 1.005, 1.45, 1.55, 2.5, 123.456, 0.000001, 1e21, -0, 0.5, 1234.5678];
for (const x of xs)
	console.log(x, x.toFixed(0), x.toFixed(2), x.toFixed(5));
console.log((1.23e-10).toFixed(2), (1e20).toFixed(2), (99.995).toFixed(2));
console.log((255).toString(16), (255).toString(8), (-10).toString(2), (36).toString(36));
console.log((0.1).toString(3).slice(0, 12), (1e21).toString(36).length > 0);
console.log(Number("12.50").toFixed(1), (12.5).toFixed(), (1.5).toFixed(1));
