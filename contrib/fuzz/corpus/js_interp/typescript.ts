interface A { x: number }
function f<T>(a: T): T { return a }
class C { constructor(private v: number) {} get(): number { return this.v } }
console.log(f<number>(1), new C(2).get() as number);
