class A extends B { static s = 1; #x; get y() {} constructor() { super(); } }
export default class {}
import x, { a as b } from "m"; export * from "n";
