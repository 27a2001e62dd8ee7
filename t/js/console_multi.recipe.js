// console.log and console.error: several arguments, no arguments, strings
// with newlines; console.error goes to stderr (not compared).
console.log();
console.log("a", "b", 3, true, null);
console.log("multi\nline", "arg");
console.log("");
console.log(" leading and trailing ");
console.error("this goes to stderr");
console.log("after error");
console.log("tab\tseparated", "unicode ✓ é 😀");
