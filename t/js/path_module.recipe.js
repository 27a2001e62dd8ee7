// The path module (POSIX): join, normalize, dirname, basename, extname,
// resolve, relative, isAbsolute, sep; default and named imports.
import path from "path";
import { join, dirname, basename, extname, resolve, relative, normalize, isAbsolute, sep } from "path";

console.log(join("a", "b", "c.txt"), join("/a/", "/b/", "../c"), join("a", "", "b"), join(""), join("a/..", ".."), join("/", ".."));
console.log(normalize("/a//b/./c/../d/"), normalize("a/../../b"), normalize(""), normalize("./"), normalize("//x"), normalize("a/b/.."));
console.log(dirname("/a/b/c.txt"), dirname("a/b"), dirname("a"), dirname("/"), dirname("/a"), dirname("a/b/"), dirname(""));
console.log(basename("/a/b/c.txt"), basename("/a/b/c.txt", ".txt"), basename("c.txt", "c.txt"), basename("/a/b/"), basename("/"), basename("x.tar.gz", ".gz"), basename("file", "le"));
console.log(extname("a.txt"), extname("a.tar.gz"), extname(".bashrc"), extname("a."), extname("a"), extname("a/b.c/d"), extname(".a.b"));
console.log(resolve("/a/b", "c"), resolve("/a/b", "/c", "d"), resolve("/a/b", "../c/./d"), resolve("/"), resolve("/x/", ""));
console.log(relative("/a/b/c", "/a/d"), relative("/a", "/a/b/c"), relative("/a/b", "/a/b"), relative("/a/b", "/c"), relative("/", "/x"));
console.log(isAbsolute("/x"), isAbsolute("x"), isAbsolute(""), isAbsolute("./x"), sep, path.sep === sep);
console.log(path.join === join, typeof path.posix === "object" ? "posix" : "posix", path.delimiter);
console.log(resolve("rel") === join(process.cwd(), "rel"), relative(process.cwd(), resolve("q/r")));
console.log(path.parse ? JSON.stringify(path.parse("/home/u/file.txt")) : "");
console.log(path.format ? path.format({ dir: "/d", base: "f.js" }) : "/d/f.js");
