// Strings are UTF-16: lengths, indexing, surrogate pairs, iteration by
// code point, and UTF-8 in and out of the console.
const e = "é";
const smile = "😀";
console.log(e.length, smile.length, "naïve café".length);
console.log(smile.charCodeAt(0), smile.charCodeAt(1), smile.codePointAt(0));
console.log([...smile].length, [..."a😀b"].length, "a😀b".split("").length);
for (const ch of "x😀y") console.log(ch, ch.length);
console.log("a😀b".slice(1, 3) === smile, "a😀b".indexOf("b"), "a😀b".at(-1));
console.log("日本語".length, "日本語"[1], "日本語".split("").reverse().join(""));
console.log(String.fromCharCode(0xd83d, 0xde00) === smile);
console.log("\u{1F680}".length, "\u{1F680}" === "🚀");
console.log("ÉCOLE".toLowerCase(), "façade".toUpperCase(), "ΣΑΣ".toLowerCase().length);
console.log(JSON.stringify("😀é"), JSON.stringify("\ud83d"));
console.log("abc".padStart(5, "😀").length);
const counts = {};
for (const ch of "héllo wörld") counts[ch] = (counts[ch] || 0) + 1;
console.log(Object.entries(counts).map(([k, v]) => k + v).join(""));
