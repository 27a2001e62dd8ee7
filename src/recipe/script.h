/*
 * Script recipes: `#FABRIK` annotations (each one KDL 2.0 node, see
 * recipe/kdl.h) that declare a script's inputs, outputs, environment,
 * dependencies, runtime and cache policy; the cache key computed from
 * them; running a script on a miss and archiving its outputs, restoring
 * them on a hit.  doc/recipes-script.md describes the annotations, the key
 * and the archive layout.
 */
#ifndef FABRIK_SCRIPT_H
#define FABRIK_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "recipe/rcache.h"
#include "store/store.h"

/* Largest script file read. */
#ifndef SCRIPT_MAX_SIZE
#define SCRIPT_MAX_SIZE (16 * 1024 * 1024)
#endif
/* Most `#FABRIK` annotations in one script. */
#ifndef SCRIPT_MAX_ANNOTATIONS
#define SCRIPT_MAX_ANNOTATIONS 512
#endif
/* Deepest chain of `depends`. */
#ifndef SCRIPT_MAX_DEPTH
#define SCRIPT_MAX_DEPTH 32
#endif
/* Most bytes of stdout (and of stderr) captured for the cache; a script
 * printing more still runs, but is not cached. */
#ifndef SCRIPT_MAX_CAPTURE
#define SCRIPT_MAX_CAPTURE (64 * 1024 * 1024)
#endif

enum script_hash { SCRIPT_HASH_CONTENT, SCRIPT_HASH_MTIME, SCRIPT_HASH_SIZE };

struct script_input {
	char *pattern;
	enum script_hash hash;
};

struct script_dep {
	char *path; /* as written, relative to the script's directory */
	int use_outputs;
};

/* A parsed script.  Every pointer is owned; release with
 * script_release(). */
struct script {
	char *path; /* as given, for messages */
	char *dir; /* absolute directory holding the script */
	char *abs; /* absolute path */
	unsigned char *text;
	size_t len;
	struct script_input *inputs;
	size_t ninputs;
	char **outputs;
	size_t noutputs;
	char **envs;
	size_t nenvs;
	struct script_dep *deps;
	size_t ndeps;
	char **runtime_args;
	size_t nruntime_args;
	char *runtime;
	char *custom_key;
	char *cwd; /* relative to dir; NULL = dir */
	uint64_t ttl_ms; /* 0: no expiry */
	uint64_t timeout_ms; /* 0: none */
	int cache_disabled;
	int runtime_version;
	int shell;
};

void script_init(struct script *);
void script_release(struct script *);
/*
 * Pure: reads the annotations of len bytes of text (file names the script
 * in messages).  Returns 0, or -1 with one "file:line:col: message" line
 * appended to err.
 */
int script_parse(struct script *, const char *file, const unsigned char *text,
    size_t len, struct buf *err) FAB_WUR;
/* Reads and parses the script at path (and resolves its directory). */
int script_load(struct script *, const char *path, struct buf *err) FAB_WUR;

/* What script_run() does. */
struct script_opts {
	const struct rcache *cache; /* NULL: run without the cache */
	const char *nocache_why; /* printed once when store is NULL */
	int dry_run; /* print keys and their inputs, run nothing */
	int no_cache; /* neither read nor write the cache */
	int clean; /* drop the entry first */
	int verbose; /* print the key's inputs to stderr */
	int cache_failures; /* cache a non-zero exit too */
	const char *runtime; /* runtime given on the command line (shebang
				`fabrik run bash`); NULL when none */
};

/*
 * Runs the script at path with args (dependencies first, each cached on
 * its own).  Returns the exit status for the process: the script's (or
 * the cached one), or 1 / 2 after printing an error (2: bad annotations,
 * cycle, usage).
 */
int script_run(
    const struct script_opts *, const char *path, char **args, size_t nargs);
/*
 * Computes the cache key of the script at path with args, resolving
 * dependencies without running them.  key receives the 64 hex digits;
 * manifest (may be NULL) the text that was hashed.  0, or -1 with err.
 */
int script_key(const char *path, char **args, size_t nargs,
    char key[SHA256_HEX_LEN + 1], struct buf *manifest,
    struct buf *err) FAB_WUR;
/* Helpers shared with portable recipes (recipe/js_recipe).  Each
 * returns -1 with errno on failure. */
void script_strv_free(char **v, size_t n);
uint64_t script_wall_ms(void); /* unix milliseconds */
/* Writes all of p (retrying short writes; gives up silently on errors). */
void script_write_all(int fd, const void *p, size_t n);
/* Appends what fd holds (at most max bytes: EFBIG) to b. */
int script_read_fd(int fd, size_t max, struct buf *b) FAB_WUR;
/* Appends a regular file (EISDIR for a directory) to b. */
int script_read_file(const char *path, size_t max, struct buf *b) FAB_WUR;
int script_hash_file(const char *path, char hex[SHA256_HEX_LEN + 1]) FAB_WUR;
/* Removes a file or a directory tree (ENOENT when absent). */
int script_rm_tree(const char *path);
/* created_ms=... from an entry's metadata, or 0. */
uint64_t script_meta_created_ms(const struct buf *meta);

/* The store key of a script cache key (64 hex digits). */
void script_store_key(const char *hexkey, unsigned char out[STORE_KEY_LEN]);
/*
 * Restores a cached archive (gzip'd tar as script_run stores it) into
 * dir for script s: checks every entry first (names, link targets, only
 * declared outputs), then replaces the outputs.  Fills *exit_code, and
 * the recorded stdout/stderr into out/err_out.  0, or -1 with *why.
 */
int script_restore(const struct script *s, const char *dir,
    const unsigned char *gz, size_t len, int *exit_code, struct buf *out,
    struct buf *err_out, const char **why) FAB_WUR;
/*
 * The archive of a finished run, for script and portable recipes alike
 * (doc/recipes-script.md): meta/exit, meta/stdout, meta/stderr, then the
 * outputs (paths relative to dir) under out/, gzip'd into gz.  0, or -1
 * with *why.
 */
int script_archive(const char *dir, char *const *outputs, size_t noutputs,
    int code, const struct buf *out, const struct buf *err, struct buf *gz,
    const char **why) FAB_WUR;
/* Prints "[fabrik] Cache key: KIND-<12 hex> | WHAT | s.cc s (exit: N)"
 * on stderr, after flushing stdout. */
void script_result_line(const char *kind, const char *hex, const char *what,
    uint64_t t0_ms, int code);

#endif
