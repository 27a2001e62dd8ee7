// Re-exports from a sibling module.
export { join as joinAll, SEP } from "./strings.js";
export * from "./counter.js";
import shout from "./strings.js";
export { shout as loud };
export const fromReexport = "re";
