// Evaluation order: a module runs once, after its own imports.
import { note } from "./order-log.js";
note("a evaluated");
export const a = "A";
