// Classes: constructors, methods, fields, static members, inheritance,
// super calls, accessors, toString and method chaining.
class Shape {
	static count = 0;
	kind = "shape";
	constructor(name) {
		this.name = name;
		Shape.count++;
	}
	area() {
		return 0;
	}
	describe() {
		return `${this.name} (${this.kind}) area=${this.area().toFixed(2)}`;
	}
	static create(name) {
		return new Shape(name);
	}
	toString() {
		return `Shape<${this.name}>`;
	}
}

class Circle extends Shape {
	kind = "circle";
	constructor(r) {
		super("circle");
		this.r = r;
	}
	area() {
		return Math.PI * this.r * this.r;
	}
	get diameter() {
		return this.r * 2;
	}
	set diameter(d) {
		this.r = d / 2;
	}
}

class Square extends Shape {
	constructor(side) {
		super("square");
		this.side = side;
	}
	area() {
		return this.side ** 2;
	}
	describe() {
		return "[" + super.describe() + "]";
	}
}

const shapes = [new Circle(1), new Square(3), Shape.create("blob")];
for (const s of shapes) console.log(s.describe());
console.log(Shape.count, `${shapes[2]}`, String(shapes[1]));
const c = shapes[0];
console.log(c.diameter);
c.diameter = 10;
console.log(c.r, c.diameter);
console.log(c instanceof Circle, c instanceof Shape, Object.keys(c).join(","));
console.log(typeof Shape, Circle.name, c.constructor.name);

class Builder {
	constructor() {
		this.parts = [];
	}
	add(p) {
		this.parts.push(p);
		return this;
	}
	build() {
		return this.parts.join("-");
	}
}
console.log(new Builder().add("a").add("b").add("c").build());

class Temp {
	static fromF(f) {
		return new this((f - 32) * 5 / 9);
	}
	constructor(c) {
		this.c = c;
	}
}
console.log(Temp.fromF(212).c);

const Anon = class {
	hello() {
		return "anon hello";
	}
};
console.log(new Anon().hello());

class Base {
	constructor() {
		this.init();
	}
	init() {
		this.tag = "base";
	}
}
class Derived extends Base {
	init() {
		this.tag = "derived";
	}
}
console.log(new Derived().tag);

class StaticChild extends Shape {
	static create() {
		return "child:" + super.create("x").name;
	}
}
console.log(StaticChild.create());
