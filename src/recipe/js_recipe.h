/*
 * Portable recipes: `fabrik run NAME.recipe.js [TARGET [ARGS]]` runs a
 * JavaScript (or TypeScript) recipe in the interpreter of js_interp.h,
 * with the modules a recipe imports (fabrik:runtime, fabrik:cache,
 * fabrik:config, fs, fs/promises, path, child_process, buffer), the
 * globals process, Buffer and Fabrik, and cached targets declared by
 * `export const recipe = {...}`.  doc/recipes-js.md is the user page.
 */
#ifndef FABRIK_JS_RECIPE_H
#define FABRIK_JS_RECIPE_H

#include <stddef.h>

#include "config/config.h"
#include "recipe/rcache.h"

/* Largest recipe or module source read (the parser's JS_MAX_SOURCE is
 * the other bound). */
#ifndef JS_RECIPE_MAX_SOURCE
#define JS_RECIPE_MAX_SOURCE (4 * 1024 * 1024)
#endif
/* Most local modules one recipe may load. */
#ifndef JS_RECIPE_MAX_MODULES
#define JS_RECIPE_MAX_MODULES 1024
#endif
/* Most bytes of stdout (and of stderr) a cached target may print and
 * still be cached. */
#ifndef JS_RECIPE_MAX_CAPTURE
#define JS_RECIPE_MAX_CAPTURE (64 * 1024 * 1024)
#endif
/* Largest file fs.readFile* and Fabrik.readFile read, and largest output
 * a child process may return through run(), spawnSync() or execSync(). */
#ifndef JS_RECIPE_MAX_READ
#define JS_RECIPE_MAX_READ ((size_t)256 * 1024 * 1024)
#endif

/* What js_recipe_main() does. */
struct js_recipe_opts {
	const struct rcache *cache; /* NULL: no cache (targets always run,
				       fabrik:cache misses) */
	const struct config *cfg; /* for getConfig(); NULL: defaults */
	const char *cache_dir; /* effective cache directory, for
				  getConfig() (NULL: as configured) */
	int dry_run; /* evaluate the module, print the target's key and
			manifest, call nothing */
	int no_cache; /* neither read nor write the cache */
	int clean; /* drop the target's entry first */
	int verbose; /* print the key's manifest to stderr */
	int cache_failures; /* cache a failed target too */
};

/* 1 when path names a portable recipe: it ends in .recipe.js,
 * .recipe.mjs, .recipe.ts or .recipe.mts. */
int js_recipe_is_recipe(const char *path);

/*
 * Runs the recipe at path: changes into its directory, evaluates it as a
 * module (with top-level await), then calls target (NULL: the default
 * export when it is a function) with args as string arguments and awaits
 * its result.  A target with recipe metadata goes through the cache.
 * Returns the exit status for the process: 0, the recorded status on a
 * hit, process.exitCode, 1 after an uncaught exception (printed as
 * "[fabrik] error: file:line:col: ..."), 2 for an unknown target (the
 * message lists the exported targets), bad recipe metadata or a recipe
 * that cannot be read.
 */
int js_recipe_main(const struct js_recipe_opts *, const char *path,
    const char *target, char **args, size_t nargs);

#endif
