// A root-level recipe: the module body runs top to bottom when the
// recipe is executed.  Top-level await is allowed (recipes are modules).
import { $ } from "fabrik:runtime";

const cc = process.env.CC ?? "cc";

await $`cc -O2 -o hello hello.c`;
await $`${cc} --version`;
