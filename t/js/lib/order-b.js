import { note } from "./order-log.js";
import { a } from "./order-a.js";
note("b evaluated after " + a);
export const b = "B";
