/*
 * Portable recipes (js_recipe.h, doc/recipes-js.md): loading a recipe and
 * its local modules into the interpreter, the native modules and globals
 * a recipe sees (Node's documented behaviour is the reference for fs,
 * fs/promises, path, child_process, buffer and process), running targets,
 * and cached targets archived like script recipes.
 *
 * Untrusted input: the recipe is code the user chose to run, so it may do
 * anything the user may; what is checked is what comes from elsewhere.
 * Cached archives may come from other machines and are restored through
 * script_restore() (every entry checked, only declared outputs written).
 * Sizes read from files and child processes are bounded
 * (JS_RECIPE_MAX_SOURCE, JS_RECIPE_MAX_READ, JS_RECIPE_MAX_CAPTURE).
 */
#define _XOPEN_SOURCE 700 /* realpath() */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/sha.h"
#include "base/utf8.h"
#include "base/units.h"
#include "recipe/glob.h"
#include "recipe/js_interp.h"
#include "recipe/js_recipe.h"
#include "recipe/script.h"
#include "recipe/tar.h"
#include "store/store.h"

extern char **environ;

/* Native modules, in the order of jsr_builders. */
enum jsr_mod {
	JSR_MOD_RUNTIME,
	JSR_MOD_CACHE,
	JSR_MOD_CONFIG,
	JSR_MOD_FS,
	JSR_MOD_FSP,
	JSR_MOD_PATH,
	JSR_MOD_CHILD,
	JSR_MOD_BUFFER,
	JSR_MOD_PROCESS,
	JSR_MOD_INTERNAL,
	JSR_MOD_COUNT
};

/* Import specifiers of the native modules ("node:" is stripped first). */
static const struct {
	const char *name;
	enum jsr_mod id;
} jsr_mod_names[] = {
	{ "fabrik:runtime", JSR_MOD_RUNTIME },
	{ "fabrik:cache", JSR_MOD_CACHE },
	{ "fabrik:config", JSR_MOD_CONFIG },
	{ "fs", JSR_MOD_FS },
	{ "fs/promises", JSR_MOD_FSP },
	{ "path", JSR_MOD_PATH },
	{ "path/posix", JSR_MOD_PATH },
	{ "child_process", JSR_MOD_CHILD },
	{ "buffer", JSR_MOD_BUFFER },
	{ "process", JSR_MOD_PROCESS },
	{ "fabrik:internal", JSR_MOD_INTERNAL },
};

/* A local module read from disk. */
struct jsr_src {
	char *label; /* the name modules and messages use */
	char *abs; /* absolute path */
	char *text;
	size_t len;
	char hex[SHA256_HEX_LEN + 1];
};

struct jsr;

/* Options of one `$` tag: $.throws, $({ ... }). */
struct jsr_shell {
	struct jsr *r;
	int throws, quiet;
	char *cwd; /* NULL: the current directory */
	struct js_ref *env; /* NULL: process.env */
	struct jsr_shell *next;
};

/* One run. */
struct jsr {
	const struct js_recipe_opts *o;
	struct js_vm *vm;
	char dir[PATH_MAX]; /* the recipe's directory (the cwd) */
	struct jsr_src *srcs; /* [0] is the recipe */
	size_t nsrcs;
	struct js_ref *mods[JSR_MOD_COUNT];
	struct js_ref *wrap; /* prelude: Uint8Array -> Buffer */
	struct js_ref *env; /* process.env */
	struct js_ref *process;
	struct jsr_shell *shells;
	char **args; /* after the recipe: target and arguments */
	size_t nargs;
	int capturing, capped;
	struct buf cap_out, cap_err;
};

/* The metadata of a cached target. */
struct jsr_meta {
	char **inputs;
	size_t ninputs;
	char **outputs;
	size_t noutputs;
	char **envs;
	size_t nenvs;
	char *key;
	uint64_t ttl_ms;
};

/* ---- small helpers ---------------------------------------------------- */

/* Appends a message; running out of memory loses the message, not the
 * error. */
static void errf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
errf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	(void)r;
}

static int
strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;

	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
js_recipe_is_recipe(const char *path)
{
	return ends_with(path, ".recipe.js") ||
	    ends_with(path, ".recipe.mjs") || ends_with(path, ".recipe.ts") ||
	    ends_with(path, ".recipe.mts");
}

static int
is_ts(const char *path)
{
	return ends_with(path, ".ts") || ends_with(path, ".mts");
}

/* ---- output and capture ----------------------------------------------- */

/* Writes to our stdout or stderr, and to the capture of a cached target
 * while one runs. */
static void
jsr_emit(struct jsr *r, int is_err, const void *p, size_t n)
{
	struct buf *b = is_err ? &r->cap_err : &r->cap_out;

	fwrite(p, 1, n, is_err ? stderr : stdout);
	if (!r->capturing)
		return;
	if (b->len + n > JS_RECIPE_MAX_CAPTURE || buf_append(b, p, n) == -1)
		r->capped = 1;
}

static void
jsr_console(void *opaque, int is_err, const char *s, size_t len)
{
	jsr_emit(opaque, is_err, s, len);
}

/* ---- values ----------------------------------------------------------- */

static int
jsr_set_str(struct js_vm *vm, struct js_value o, const char *k, const char *s)
{
	struct js_value v = js_string_cstr(vm, s);

	return js_is_exception(v) ? -1 : js_set(vm, o, k, v);
}

static int
jsr_set_strn(
    struct js_vm *vm, struct js_value o, const char *k, const void *s, size_t n)
{
	struct js_value v = js_string(vm, s, n);

	return js_is_exception(v) ? -1 : js_set(vm, o, k, v);
}

static int
jsr_set_fn(struct js_vm *vm, struct js_value o, const char *k, int nargs,
    js_native_fn *fn, void *opaque)
{
	struct js_value v = js_function_new(vm, k, nargs, fn, opaque);

	return js_is_exception(v) ? -1 : js_set(vm, o, k, v);
}

static struct js_value
jsr_arg(int argc, const struct js_value *argv, int i)
{
	return i < argc ? argv[i] : js_undefined();
}

/* A plain option: obj[name] when obj is an object, else undefined. */
static struct js_value
jsr_opt(struct js_vm *vm, struct js_value obj, const char *name)
{
	if (js_type_of(obj) != JS_TYPE_OBJECT)
		return js_undefined();
	return js_get(vm, obj, name);
}

static const char *
jsr_type_name(struct js_value v)
{
	switch (js_type_of(v)) {
	case JS_TYPE_UNDEFINED:
		return "undefined";
	case JS_TYPE_NULL:
		return "null";
	case JS_TYPE_BOOLEAN:
		return "type boolean";
	case JS_TYPE_NUMBER:
		return "type number";
	case JS_TYPE_STRING:
		return "type string";
	default:
		return js_is_function(v) ? "function" : "an object";
	}
}

/* Throws err with a Node-style code property. */
static struct js_value jsr_throw_code(struct js_vm *vm, enum js_error_kind kind,
    const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static struct js_value
jsr_throw_code(struct js_vm *vm, enum js_error_kind kind, const char *code,
    const char *fmt, ...)
{
	char msg[1024];
	struct js_value e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = js_error_new(vm, kind, msg);
	if (js_is_exception(e))
		return e;
	if (code != NULL && jsr_set_str(vm, e, "code", code) == -1)
		return js_exception();
	return js_throw(vm, e);
}

static struct js_value
jsr_bad_arg(
    struct js_vm *vm, const char *name, const char *want, struct js_value got)
{
	return jsr_throw_code(vm, JS_TYPE_ERROR, "ERR_INVALID_ARG_TYPE",
	    "The \"%s\" argument must be %s. Received %s", name, want,
	    jsr_type_name(got));
}

static const struct {
	int err;
	const char *code, *desc;
} jsr_errnos[] = {
	{ ENOENT, "ENOENT", "no such file or directory" },
	{ EEXIST, "EEXIST", "file already exists" },
	{ EISDIR, "EISDIR", "illegal operation on a directory" },
	{ ENOTDIR, "ENOTDIR", "not a directory" },
	{ EACCES, "EACCES", "permission denied" },
	{ EPERM, "EPERM", "operation not permitted" },
	{ ENOTEMPTY, "ENOTEMPTY", "directory not empty" },
	{ ELOOP, "ELOOP", "too many symbolic links encountered" },
	{ ENAMETOOLONG, "ENAMETOOLONG", "name too long" },
	{ EROFS, "EROFS", "read-only file system" },
	{ ENOSPC, "ENOSPC", "no space left on device" },
	{ EBUSY, "EBUSY", "resource busy or locked" },
	{ EINVAL, "EINVAL", "invalid argument" },
	{ EMFILE, "EMFILE", "too many open files" },
	{ EXDEV, "EXDEV", "cross-device link not permitted" },
	{ EFBIG, "EFBIG", "file too large" },
	{ ENOMEM, "ENOMEM", "not enough memory" },
	{ EIO, "EIO", "i/o error" },
};

/* Throws a Node system error: "ENOENT: no such file or directory, open
 * 'x'" with code, errno (negative), syscall and path. */
static struct js_value
jsr_throw_errno(
    struct js_vm *vm, int err, const char *syscall, const char *path)
{
	char msg[PATH_MAX + 200], other[32];
	const char *code = NULL, *desc = NULL;
	struct js_value e;
	size_t i;

	for (i = 0; i < sizeof(jsr_errnos) / sizeof(jsr_errnos[0]); i++)
		if (jsr_errnos[i].err == err) {
			code = jsr_errnos[i].code;
			desc = jsr_errnos[i].desc;
			break;
		}
	if (code == NULL) {
		snprintf(other, sizeof(other), "E%d", err);
		code = other;
		desc = strerror(err);
	}
	if (path != NULL)
		snprintf(msg, sizeof(msg), "%s: %s, %s '%s'", code, desc,
		    syscall, path);
	else
		snprintf(msg, sizeof(msg), "%s: %s, %s", code, desc, syscall);
	e = js_error_new(vm, JS_ERROR, msg);
	if (js_is_exception(e))
		return e;
	if (js_set(vm, e, "errno", js_number(-(double)err)) == -1 ||
	    jsr_set_str(vm, e, "code", code) == -1 ||
	    jsr_set_str(vm, e, "syscall", syscall) == -1 ||
	    (path != NULL && jsr_set_str(vm, e, "path", path) == -1))
		return js_exception();
	return js_throw(vm, e);
}

/* Copies a string value into b (NUL-terminated); -1 when v is not a
 * string (nothing thrown). */
static int
jsr_cstr(struct js_value v, struct buf *b)
{
	const char *s;
	size_t n;

	if ((s = js_string_utf8(v, &n)) == NULL)
		return -1;
	buf_reset(b);
	if (buf_append(b, s, n) == -1 || buf_putc(b, '\0') == -1)
		return -1;
	b->len--;
	return 0;
}

/* argv[i] as a path: a string without NUL bytes, copied into b.  Throws
 * and returns -1 otherwise. */
static int
jsr_path_arg(struct js_vm *vm, int argc, const struct js_value *argv, int i,
    const char *name, struct buf *b)
{
	struct js_value v = jsr_arg(argc, argv, i);

	if (js_type_of(v) != JS_TYPE_STRING) {
		jsr_bad_arg(vm, name, "of type string", v);
		return -1;
	}
	if (jsr_cstr(v, b) == -1) {
		js_throw_error(vm, JS_RANGE_ERROR, "out of memory");
		return -1;
	}
	if (strlen((char *)b->data) != b->len) {
		jsr_throw_code(vm, JS_TYPE_ERROR, "ERR_INVALID_ARG_VALUE",
		    "The argument '%s' must be a string without null bytes",
		    name);
		return -1;
	}
	return 0;
}

/* ToString of v into b (may run JavaScript).  -1 with an exception. */
static int
jsr_to_cstr(struct js_vm *vm, struct js_value v, struct buf *b)
{
	struct js_value s = js_to_string(vm, v);

	if (js_is_exception(s))
		return -1;
	if (jsr_cstr(s, b) == -1) {
		js_throw_error(vm, JS_RANGE_ERROR, "out of memory");
		return -1;
	}
	return 0;
}

static struct js_value
jsr_oom(struct js_vm *vm)
{
	return js_throw_error(vm, JS_RANGE_ERROR, "out of memory");
}

/* A Buffer (Uint8Array with Buffer.prototype) holding a copy of bytes.
 * Runs JavaScript (the prelude's wrap), so the caller keeps other values
 * it holds in refs. */
static struct js_value
jsr_buffer(struct jsr *r, const void *p, size_t n)
{
	struct js_value u8 = js_uint8array_new(r->vm, p, n);

	if (js_is_exception(u8) || r->wrap == NULL)
		return u8;
	return js_call(r->vm, js_ref_get(r->wrap), js_undefined(), 1, &u8);
}

/* ---- text encodings (Buffer, fs) --------------------------------------- */

enum jsr_enc {
	JSR_ENC_UTF8,
	JSR_ENC_HEX,
	JSR_ENC_BASE64,
	JSR_ENC_BASE64URL,
	JSR_ENC_LATIN1,
	JSR_ENC_ASCII,
	JSR_ENC_BUFFER /* no encoding: bytes */
};

static const struct {
	const char *name;
	enum jsr_enc enc;
} jsr_encodings[] = {
	{ "utf8", JSR_ENC_UTF8 },
	{ "utf-8", JSR_ENC_UTF8 },
	{ "hex", JSR_ENC_HEX },
	{ "base64", JSR_ENC_BASE64 },
	{ "base64url", JSR_ENC_BASE64URL },
	{ "latin1", JSR_ENC_LATIN1 },
	{ "binary", JSR_ENC_LATIN1 },
	{ "ascii", JSR_ENC_ASCII },
	{ "buffer", JSR_ENC_BUFFER },
};

/* Parses an encoding argument: undefined/null give dflt, a string names
 * one (case-insensitive), an object's encoding property does too.
 * Returns 0, or -1 with a TypeError thrown. */
static int
jsr_encoding(
    struct js_vm *vm, struct js_value v, enum jsr_enc dflt, enum jsr_enc *out)
{
	char name[32];
	const char *s;
	size_t n, i;

	*out = dflt;
	if (js_type_of(v) == JS_TYPE_OBJECT && !js_is_function(v)) {
		v = js_get(vm, v, "encoding");
		if (js_is_exception(v))
			return -1;
	}
	if (js_type_of(v) == JS_TYPE_UNDEFINED || js_type_of(v) == JS_TYPE_NULL)
		return 0;
	if ((s = js_string_utf8(v, &n)) == NULL || n >= sizeof(name))
		goto bad;
	for (i = 0; i <= n; i++)
		name[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	for (i = 0; i < sizeof(jsr_encodings) / sizeof(jsr_encodings[0]); i++)
		if (strcmp(name, jsr_encodings[i].name) == 0) {
			*out = jsr_encodings[i].enc;
			return 0;
		}
bad:
	if (js_type_of(v) == JS_TYPE_STRING)
		jsr_throw_code(vm, JS_TYPE_ERROR, "ERR_UNKNOWN_ENCODING",
		    "Unknown encoding: %s", s);
	else
		jsr_bad_arg(vm, "encoding", "of type string", v);
	return -1;
}

/* Decodes one WTF-8 sequence at s[i] (i < n) into *cp; returns its length
 * (1 with *cp = -1 for a byte that starts no valid sequence). */
static size_t
wtf8_next(const unsigned char *s, size_t n, size_t i, long *cp)
{
	unsigned c = s[i], need, k;
	long v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = -1;
		return 1;
	}
	for (k = 1; k <= need; k++) {
		if (i + k >= n || (s[i + k] & 0xc0) != 0x80) {
			*cp = -1;
			return k;
		}
		v = (v << 6) | (s[i + k] & 0x3f);
		/* Overlong and out-of-range prefixes end the sequence where
		 * the WHATWG decoder would. */
		if (k == 1 &&
		    ((need == 2 && c == 0xe0 && s[i + 1] < 0xa0) ||
			(need == 3 && c == 0xf0 && s[i + 1] < 0x90) ||
			(need == 3 && c == 0xf4 && s[i + 1] > 0x8f))) {
			*cp = -1;
			return 1;
		}
	}
	*cp = v < min ? -1 : v;
	return need + 1;
}

static int
put_utf8(struct buf *b, long cp)
{
	return utf8_append(b, (uint32_t)cp);
}

/*
 * To UTF-8 with every invalid part replaced by U+FFFD.  Decoding bytes
 * (wtf8 == 0) follows the WHATWG decoder that TextDecoder and
 * Buffer#toString use: one U+FFFD per maximal invalid subpart, encoded
 * surrogates are invalid from their second byte on.  Encoding a string
 * (wtf8 != 0, the interpreter's WTF-8) turns each lone surrogate into one
 * U+FFFD, as Buffer.from(string) does.
 */
static int
utf8_lossy(const unsigned char *s, size_t n, int wtf8, struct buf *out)
{
	size_t i = 0, k;
	long cp;

	while (i < n) {
		if (s[i] < 0x80) {
			for (k = i; k < n && s[k] < 0x80; k++)
				;
			if (buf_append(out, s + i, k - i) == -1)
				return -1;
			i = k;
			continue;
		}
		if (!wtf8 && s[i] == 0xed && i + 1 < n && s[i + 1] >= 0xa0) {
			k = 1;
			cp = -1;
		} else {
			k = wtf8_next(s, n, i, &cp);
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = -1;
		if (put_utf8(out, cp < 0 ? 0xfffd : cp) == -1)
			return -1;
		i += k;
	}
	return 0;
}

/* A string's code units, for latin1 and ascii (each unit's low byte). */
static int
wtf8_units_low(const unsigned char *s, size_t n, struct buf *out)
{
	size_t i = 0;
	long cp;
	unsigned char u;

	while (i < n) {
		i += wtf8_next(s, n, i, &cp);
		if (cp < 0)
			cp = 0xfffd;
		if (cp >= 0x10000) {
			u = (unsigned char)((0xd800 + ((cp - 0x10000) >> 10)) &
			    0xff);
			if (buf_putc(out, u) == -1)
				return -1;
			cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
		}
		if (buf_putc(out, (int)(cp & 0xff)) == -1)
			return -1;
	}
	return 0;
}

static int
b64_value(int c, int *v)
{
	if (c >= 'A' && c <= 'Z')
		*v = c - 'A';
	else if (c >= 'a' && c <= 'z')
		*v = c - 'a' + 26;
	else if (c >= '0' && c <= '9')
		*v = c - '0' + 52;
	else if (c == '+' || c == '-')
		*v = 62;
	else if (c == '/' || c == '_')
		*v = 63;
	else
		return -1;
	return 0;
}

/* Node's lenient base64 decoder: both alphabets, other characters
 * skipped, decoding stops at '='. */
static int
b64_lenient(const unsigned char *s, size_t n, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < n && s[i] != '='; i++) {
		if (b64_value(s[i], &v) == -1)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_putc(out, (int)((acc >> bits) & 0xff)) == -1)
				return -1;
		}
	}
	return 0;
}

static int
b64_write(const unsigned char *p, size_t n, int url, struct buf *out)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char urlabc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *a = url ? urlabc : std;
	char q[4];
	unsigned v;
	size_t i, k;

	for (i = 0; i < n; i += 3) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = a[(v >> 18) & 63];
		q[1] = a[(v >> 12) & 63];
		q[2] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? a[v & 63] : '=';
		k = 4;
		if (url)
			while (k > 0 && q[k - 1] == '=')
				k--;
		if (buf_append(out, q, k) == -1)
			return -1;
	}
	return 0;
}

/* Encodes string s[0..n) (WTF-8) to bytes. */
static int
jsr_encode(const char *str, size_t n, enum jsr_enc enc, struct buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i;
	int hi, lo;

	switch (enc) {
	case JSR_ENC_HEX:
		/* Node stops at the first pair that is not hex. */
		for (i = 0; i + 1 < n; i += 2) {
			if ((hi = hex_digit(s[i])) < 0 ||
			    (lo = hex_digit(s[i + 1])) < 0)
				break;
			if (buf_putc(out, hi << 4 | lo) == -1)
				return -1;
		}
		return 0;
	case JSR_ENC_BASE64:
	case JSR_ENC_BASE64URL:
		return b64_lenient(s, n, out);
	case JSR_ENC_LATIN1:
	case JSR_ENC_ASCII:
		return wtf8_units_low(s, n, out);
	default:
		return utf8_lossy(s, n, 1, out);
	}
}

/* Decodes bytes to a string's UTF-8 in out. */
static int
jsr_decode(const unsigned char *p, size_t n, enum jsr_enc enc, struct buf *out)
{
	char h[3]; /* hex_encode writes a NUL */
	size_t i;

	switch (enc) {
	case JSR_ENC_HEX:
		for (i = 0; i < n; i++) {
			hex_encode(h, p + i, 1);
			if (buf_append(out, h, 2) == -1)
				return -1;
		}
		return 0;
	case JSR_ENC_BASE64:
	case JSR_ENC_BASE64URL:
		return b64_write(p, n, enc == JSR_ENC_BASE64URL, out);
	case JSR_ENC_LATIN1:
	case JSR_ENC_ASCII:
		for (i = 0; i < n; i++)
			if (put_utf8(out,
				enc == JSR_ENC_ASCII ? p[i] & 0x7f : p[i]) ==
			    -1)
				return -1;
		return 0;
	default:
		return utf8_lossy(p, n, 0, out);
	}
}

/* bytes as a string value in enc, or a Buffer for JSR_ENC_BUFFER. */
static struct js_value
jsr_bytes_value(
    struct jsr *r, const unsigned char *p, size_t n, enum jsr_enc enc)
{
	struct buf b;
	struct js_value v;

	if (enc == JSR_ENC_BUFFER)
		return jsr_buffer(r, p, n);
	buf_init(&b);
	if (jsr_decode(p, n, enc, &b) == -1) {
		buf_release(&b);
		return jsr_oom(r->vm);
	}
	v = js_string(r->vm, b.len ? (const char *)b.data : "", b.len);
	buf_release(&b);
	return v;
}

/* Data for writeFile, put, input: a string (in enc) or a Uint8Array.
 * Other types throw. */
static int
jsr_data_arg(struct js_vm *vm, struct js_value v, enum jsr_enc enc,
    const char *name, struct buf *out)
{
	const unsigned char *p;
	const char *s;
	size_t n;

	if ((p = js_uint8array_bytes(v, &n)) != NULL) {
		if (buf_append(out, p, n) == -1)
			goto oom;
		return 0;
	}
	if ((s = js_string_utf8(v, &n)) == NULL) {
		jsr_bad_arg(vm, name,
		    "of type string or an instance of Buffer or Uint8Array", v);
		return -1;
	}
	if (jsr_encode(s, n, enc == JSR_ENC_BUFFER ? JSR_ENC_UTF8 : enc, out) ==
	    -1)
		goto oom;
	return 0;
oom:
	jsr_oom(vm);
	return -1;
}

/* ---- path (Node's posix algorithms) ----------------------------------- */

static long
last_slash(const unsigned char *p, size_t n)
{
	while (n > 0)
		if (p[--n] == '/')
			return (long)n;
	return -1;
}

/* Node's normalizeString(): resolves '.' and '..' segments of p[0..n). */
static int
path_norm_string(const char *p, size_t n, int above_root, struct buf *res)
{
	size_t i;
	long last_seg = 0, last_slash_i = -1, dots = 0, k;
	char c = 0;

	buf_reset(res);
	for (i = 0; i <= n; i++) {
		if (i < n)
			c = p[i];
		else if (c == '/')
			break;
		else
			c = '/';
		if (c == '/') {
			if (last_slash_i == (long)i - 1 || dots == 1) {
				/* nothing */
			} else if (dots == 2) {
				if (res->len < 2 || last_seg != 2 ||
				    res->data[res->len - 1] != '.' ||
				    res->data[res->len - 2] != '.') {
					if (res->len > 2) {
						k = last_slash(
						    res->data, res->len);
						if (k == -1) {
							res->len = 0;
							last_seg = 0;
						} else {
							res->len = (size_t)k;
							last_seg =
							    (long)res->len - 1 -
							    last_slash(
								res->data,
								res->len);
						}
						last_slash_i = (long)i;
						dots = 0;
						continue;
					} else if (res->len != 0) {
						res->len = 0;
						last_seg = 0;
						last_slash_i = (long)i;
						dots = 0;
						continue;
					}
				}
				if (above_root) {
					if (buf_append_str(res,
						res->len > 0 ? "/.." : "..") ==
					    -1)
						return -1;
					last_seg = 2;
				}
			} else {
				if (res->len > 0 && buf_putc(res, '/') == -1)
					return -1;
				if (buf_append(res, p + last_slash_i + 1,
					i - (size_t)(last_slash_i + 1)) == -1)
					return -1;
				last_seg = (long)i - last_slash_i - 1;
			}
			last_slash_i = (long)i;
			dots = 0;
		} else if (c == '.' && dots != -1) {
			dots++;
		} else {
			dots = -1;
		}
	}
	return buf_putc(res, '\0') == -1 ? -1 : (res->len--, 0);
}

/* path.normalize */
static int
path_normalize(const char *p, struct buf *out)
{
	size_t n = strlen(p);
	int abs = n > 0 && p[0] == '/', trail = n > 0 && p[n - 1] == '/';
	struct buf t;
	int rc = -1;

	buf_init(&t);
	buf_reset(out);
	if (n == 0) {
		rc = buf_append_str(out, ".");
		goto out;
	}
	if (path_norm_string(p, n, !abs, &t) == -1)
		goto out;
	if (t.len == 0) {
		rc = buf_append_str(out, abs ? "/" : trail ? "./" : ".");
		goto out;
	}
	if ((abs && buf_putc(out, '/') == -1) ||
	    buf_append(out, t.data, t.len) == -1 ||
	    (trail && buf_putc(out, '/') == -1))
		goto out;
	rc = 0;
out:
	buf_release(&t);
	if (rc == 0 && (buf_putc(out, '\0') == -1 || (out->len--, 0)))
		rc = -1;
	return rc;
}

/* path.resolve over n segments (after the current directory). */
static int
path_resolve(const char *const *segs, size_t n, struct buf *out)
{
	struct buf acc, t;
	char cwd[PATH_MAX];
	const char *p;
	size_t i = n;
	int abs = 0, rc = -1;

	buf_init(&acc);
	buf_init(&t);
	while (!abs) {
		if (i > 0) {
			p = segs[--i];
		} else {
			if (getcwd(cwd, sizeof(cwd)) == NULL)
				snprintf(cwd, sizeof(cwd), "/");
			p = cwd;
			abs = 1;
		}
		if (*p == '\0')
			continue;
		buf_reset(&t);
		if (buf_append_str(&t, p) == -1 || buf_putc(&t, '/') == -1 ||
		    buf_append(&t, acc.data, acc.len) == -1)
			goto out;
		buf_reset(&acc);
		if (buf_append(&acc, t.data, t.len) == -1)
			goto out;
		abs = p[0] == '/';
	}
	if (path_norm_string((const char *)acc.data, acc.len, 0, &t) == -1)
		goto out;
	buf_reset(out);
	if (buf_putc(out, '/') == -1 || buf_append(out, t.data, t.len) == -1 ||
	    buf_putc(out, '\0') == -1)
		goto out;
	out->len--;
	rc = 0;
out:
	buf_release(&acc);
	buf_release(&t);
	return rc;
}

/* path.relative */
static int
path_relative(const char *from0, const char *to0, struct buf *out)
{
	struct buf fb, tb;
	const char *from, *to;
	size_t from_len, to_len, len, i;
	long last_sep = -1;
	int rc = -1;

	buf_init(&fb);
	buf_init(&tb);
	buf_reset(out);
	if (path_resolve(&from0, 1, &fb) == -1 ||
	    path_resolve(&to0, 1, &tb) == -1)
		goto out;
	from = (const char *)fb.data;
	to = (const char *)tb.data;
	if (strcmp(from, to) == 0)
		goto empty;
	from_len = fb.len - 1;
	to_len = tb.len - 1;
	len = from_len < to_len ? from_len : to_len;
	for (i = 0; i < len; i++) {
		if (from[1 + i] != to[1 + i])
			break;
		if (from[1 + i] == '/')
			last_sep = (long)i;
	}
	if (i == len) {
		if (to_len > len) {
			if (to[1 + i] == '/') {
				rc = buf_append_str(out, to + 1 + i + 1);
				goto done;
			}
			if (i == 0) {
				rc = buf_append_str(out, to + 1 + i);
				goto done;
			}
		} else if (from_len > len) {
			if (from[1 + i] == '/')
				last_sep = (long)i;
			else if (i == 0)
				last_sep = 0;
		}
	}
	for (i = 1 + (size_t)(last_sep + 1); i <= fb.len; i++)
		if (i == fb.len || from[i] == '/')
			if (buf_append_str(out, out->len == 0 ? ".." : "/..") ==
			    -1)
				goto out;
	rc = buf_append_str(out, to + 1 + last_sep);
	goto done;
empty:
	rc = 0;
done:
	if (rc == 0 && (buf_putc(out, '\0') == -1 || (out->len--, 0)))
		rc = -1;
out:
	buf_release(&fb);
	buf_release(&tb);
	return rc;
}

/* path.dirname; the result is p[0..*len) or "." / "/" / "//". */
static const char *
path_dirname(const char *p, size_t *len)
{
	size_t n = strlen(p), i;
	long end = -1;
	int root = n > 0 && p[0] == '/', matched = 1;

	if (n == 0) {
		*len = 1;
		return ".";
	}
	for (i = n - 1; i >= 1; i--) {
		if (p[i] == '/') {
			if (!matched) {
				end = (long)i;
				break;
			}
		} else {
			matched = 0;
		}
	}
	if (end == -1) {
		*len = 1;
		return root ? "/" : ".";
	}
	if (root && end == 1) {
		*len = 2;
		return "//";
	}
	*len = (size_t)end;
	return p;
}

/* path.basename (suffix may be NULL); result p[*start..*end). */
static void
path_basename(const char *p, const char *suffix, size_t *start, size_t *end)
{
	size_t n = strlen(p), sl = suffix ? strlen(suffix) : 0;
	long i, s = 0, e = -1, ext, first = -1;
	int matched = 1;

	if (sl > 0 && sl <= n) {
		if (strcmp(suffix, p) == 0) {
			*start = *end = 0;
			return;
		}
		ext = (long)sl - 1;
		for (i = (long)n - 1; i >= 0; i--) {
			if (p[i] == '/') {
				if (!matched) {
					s = i + 1;
					break;
				}
			} else {
				if (first == -1) {
					matched = 0;
					first = i + 1;
				}
				if (ext >= 0) {
					if (p[i] == suffix[ext]) {
						if (--ext == -1)
							e = i;
					} else {
						ext = -1;
						e = first;
					}
				}
			}
		}
		if (s == e)
			e = first;
		else if (e == -1)
			e = (long)n;
		*start = (size_t)s;
		*end = (size_t)(e < s ? s : e);
		return;
	}
	for (i = (long)n - 1; i >= 0; i--) {
		if (p[i] == '/') {
			if (!matched) {
				s = i + 1;
				break;
			}
		} else if (e == -1) {
			matched = 0;
			e = i + 1;
		}
	}
	if (e == -1)
		e = s = 0;
	*start = (size_t)s;
	*end = (size_t)e;
}

/* The parts of path.parse: root, dir, base, ext, name as [start, end)
 * ranges of p (root and dir may also be "/"). */
struct path_parts {
	size_t root_len;
	size_t dir_end; /* dir is p[0..dir_end), or "/" when dir_root */
	int dir_root;
	size_t base_s, base_e, ext_s, ext_e, name_s, name_e;
};

static void
path_parse(const char *p, struct path_parts *pp)
{
	long n = (long)strlen(p), i, start_dot = -1, start_part = 0, end = -1;
	long start;
	int abs = n > 0 && p[0] == '/', matched = 1, pre = 0;

	memset(pp, 0, sizeof(*pp));
	if (n == 0)
		return;
	pp->root_len = abs ? 1 : 0;
	for (i = n - 1; i >= (abs ? 1 : 0); i--) {
		if (p[i] == '/') {
			if (!matched) {
				start_part = i + 1;
				break;
			}
			continue;
		}
		if (end == -1) {
			matched = 0;
			end = i + 1;
		}
		if (p[i] == '.') {
			if (start_dot == -1)
				start_dot = i;
			else if (pre != 1)
				pre = 1;
		} else if (start_dot != -1) {
			pre = -1;
		}
	}
	if (end != -1) {
		start = start_part == 0 && abs ? 1 : start_part;
		pp->base_s = pp->name_s = (size_t)start;
		pp->base_e = (size_t)end;
		if (start_dot == -1 || pre == 0 ||
		    (pre == 1 && start_dot == end - 1 &&
			start_dot == start_part + 1)) {
			pp->name_e = (size_t)end;
			pp->ext_s = pp->ext_e = (size_t)end;
		} else {
			pp->name_e = (size_t)start_dot;
			pp->ext_s = (size_t)start_dot;
			pp->ext_e = (size_t)end;
		}
	}
	if (start_part > 0)
		pp->dir_end = (size_t)(start_part - 1);
	else if (abs)
		pp->dir_root = 1;
}

/* Joins dir and rel (rel may be absolute) and normalizes. */
static int
path_join2(const char *dir, const char *rel, struct buf *out)
{
	struct buf t;
	int rc;

	buf_init(&t);
	if (rel[0] == '/')
		rc = buf_append_str(&t, rel);
	else
		rc = buf_printf(&t, "%s/%s", dir, rel);
	if (rc == 0)
		rc = path_normalize(buf_cstr(&t), out);
	buf_release(&t);
	return rc;
}

/* ---- the path module --------------------------------------------------- */

static struct js_value
jsr_str_buf(struct js_vm *vm, const struct buf *b)
{
	return js_string(vm, b->len ? (const char *)b->data : "", b->len);
}

/* Every argument as a path string (for join and resolve). */
static int
jsr_path_args(
    struct js_vm *vm, int argc, const struct js_value *argv, char ***out)
{
	char **v;
	struct buf b;
	int i;

	*out = NULL;
	if ((v = calloc((size_t)argc + 1, sizeof(*v))) == NULL) {
		jsr_oom(vm);
		return -1;
	}
	buf_init(&b);
	for (i = 0; i < argc; i++) {
		if (jsr_path_arg(vm, argc, argv, i, "path", &b) == -1)
			goto fail;
		if ((v[i] = strdup(buf_cstr(&b))) == NULL) {
			jsr_oom(vm);
			goto fail;
		}
	}
	buf_release(&b);
	*out = v;
	return 0;
fail:
	buf_release(&b);
	script_strv_free(v, (size_t)argc);
	return -1;
}

static struct js_value
jsr_path_join(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf j, out;
	struct js_value v = js_exception();
	char **segs;
	int i, any = 0;

	if (jsr_path_args(vm, argc, argv, &segs) == -1)
		return js_exception();
	buf_init(&j);
	buf_init(&out);
	for (i = 0; i < argc; i++) {
		if (*segs[i] == '\0')
			continue;
		if ((any && buf_putc(&j, '/') == -1) ||
		    buf_append_str(&j, segs[i]) == -1)
			goto oom;
		any = 1;
	}
	if (path_normalize(any ? buf_cstr(&j) : "", &out) == -1)
		goto oom;
	v = jsr_str_buf(vm, &out);
	goto out;
oom:
	v = jsr_oom(vm);
out:
	script_strv_free(segs, (size_t)argc);
	buf_release(&j);
	buf_release(&out);
	return v;
}

static struct js_value
jsr_path_resolve(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf out;
	struct js_value v;
	char **segs;

	if (jsr_path_args(vm, argc, argv, &segs) == -1)
		return js_exception();
	buf_init(&out);
	if (path_resolve((const char *const *)segs, (size_t)argc, &out) == -1)
		v = jsr_oom(vm);
	else
		v = jsr_str_buf(vm, &out);
	script_strv_free(segs, (size_t)argc);
	buf_release(&out);
	return v;
}

static struct js_value
jsr_path_normalize(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p, out;
	struct js_value v = js_exception();

	buf_init(&p);
	buf_init(&out);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0)
		v = path_normalize(buf_cstr(&p), &out) == -1
		    ? jsr_oom(vm)
		    : jsr_str_buf(vm, &out);
	buf_release(&p);
	buf_release(&out);
	return v;
}

static struct js_value
jsr_path_relative(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf f, t, out;
	struct js_value v = js_exception();

	buf_init(&f);
	buf_init(&t);
	buf_init(&out);
	if (jsr_path_arg(vm, argc, argv, 0, "from", &f) == 0 &&
	    jsr_path_arg(vm, argc, argv, 1, "to", &t) == 0)
		v = path_relative(buf_cstr(&f), buf_cstr(&t), &out) == -1
		    ? jsr_oom(vm)
		    : jsr_str_buf(vm, &out);
	buf_release(&f);
	buf_release(&t);
	buf_release(&out);
	return v;
}

static struct js_value
jsr_path_dirname(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct js_value v = js_exception();
	const char *d;
	size_t n;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0) {
		d = path_dirname(buf_cstr(&p), &n);
		v = js_string(vm, d, n);
	}
	buf_release(&p);
	return v;
}

static struct js_value
jsr_path_basename(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p, s;
	struct js_value v = js_exception();
	size_t a, b;

	buf_init(&p);
	buf_init(&s);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	if (argc > 1 && js_type_of(argv[1]) != JS_TYPE_UNDEFINED &&
	    jsr_path_arg(vm, argc, argv, 1, "suffix", &s) == -1)
		goto out;
	path_basename(buf_cstr(&p), s.len > 0 ? buf_cstr(&s) : NULL, &a, &b);
	v = js_string(vm, buf_cstr(&p) + a, b - a);
out:
	buf_release(&p);
	buf_release(&s);
	return v;
}

static struct js_value
jsr_path_extname(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct js_value v = js_exception();
	struct path_parts pp;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0) {
		path_parse(buf_cstr(&p), &pp);
		v = js_string(vm, buf_cstr(&p) + pp.ext_s, pp.ext_e - pp.ext_s);
	}
	buf_release(&p);
	return v;
}

static struct js_value
jsr_path_is_absolute(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct js_value v = js_exception();

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0)
		v = js_bool(p.len > 0 && p.data[0] == '/');
	buf_release(&p);
	return v;
}

static struct js_value
jsr_path_parse(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct path_parts pp;
	struct js_value o = js_exception();
	const char *s;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	s = buf_cstr(&p);
	path_parse(s, &pp);
	o = js_object_new(vm);
	if (js_is_exception(o) ||
	    jsr_set_strn(vm, o, "root", "/", pp.root_len) == -1 ||
	    jsr_set_strn(vm, o, "dir", pp.dir_root ? "/" : s,
		pp.dir_root ? 1 : pp.dir_end) == -1 ||
	    jsr_set_strn(vm, o, "base", s + pp.base_s, pp.base_e - pp.base_s) ==
		-1 ||
	    jsr_set_strn(vm, o, "ext", s + pp.ext_s, pp.ext_e - pp.ext_s) ==
		-1 ||
	    jsr_set_strn(vm, o, "name", s + pp.name_s, pp.name_e - pp.name_s) ==
		-1)
		o = js_exception();
out:
	buf_release(&p);
	return o;
}

/* A string property of o (or "" when absent) into b. */
static int
jsr_str_prop(struct js_vm *vm, struct js_value o, const char *k, struct buf *b)
{
	struct js_value v = js_get(vm, o, k);

	buf_reset(b);
	if (js_is_exception(v))
		return -1;
	if (js_type_of(v) == JS_TYPE_UNDEFINED || js_type_of(v) == JS_TYPE_NULL)
		return buf_putc(b, '\0') == -1 ? -1 : (b->len--, 0);
	return jsr_to_cstr(vm, v, b);
}

static struct js_value
jsr_path_format(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value o = jsr_arg(argc, argv, 0), v = js_exception();
	struct buf dir, root, base, name, ext, out;

	if (js_type_of(o) != JS_TYPE_OBJECT)
		return jsr_bad_arg(vm, "pathObject", "of type object", o);
	buf_init(&dir);
	buf_init(&root);
	buf_init(&base);
	buf_init(&name);
	buf_init(&ext);
	buf_init(&out);
	if (jsr_str_prop(vm, o, "dir", &dir) == -1 ||
	    jsr_str_prop(vm, o, "root", &root) == -1 ||
	    jsr_str_prop(vm, o, "base", &base) == -1 ||
	    jsr_str_prop(vm, o, "name", &name) == -1 ||
	    jsr_str_prop(vm, o, "ext", &ext) == -1)
		goto out;
	if (dir.len == 0 && buf_append(&dir, root.data, root.len) == -1)
		goto oom;
	if (base.len == 0) {
		if (buf_append(&base, name.data, name.len) == -1 ||
		    (ext.len > 0 && ext.data[0] != '.' &&
			buf_putc(&base, '.') == -1) ||
		    buf_append(&base, ext.data, ext.len) == -1)
			goto oom;
	}
	if (dir.len > 0 &&
	    (buf_append(&out, dir.data, dir.len) == -1 ||
		((dir.len != root.len ||
		     memcmp(dir.data, root.data, dir.len) != 0) &&
		    buf_putc(&out, '/') == -1)))
		goto oom;
	if (buf_append(&out, base.data, base.len) == -1)
		goto oom;
	v = jsr_str_buf(vm, &out);
	goto out;
oom:
	v = jsr_oom(vm);
out:
	buf_release(&dir);
	buf_release(&root);
	buf_release(&base);
	buf_release(&name);
	buf_release(&ext);
	buf_release(&out);
	return v;
}

/* ---- the fs module ----------------------------------------------------- */

static struct js_value
jsr_fs_read_file(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct buf p, data;
	struct js_value v = js_exception();
	enum jsr_enc enc;

	buf_init(&p);
	buf_init(&data);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1 ||
	    jsr_encoding(vm, jsr_arg(argc, argv, 1), JSR_ENC_BUFFER, &enc) ==
		-1)
		goto out;
	if (script_read_file(buf_cstr(&p), JS_RECIPE_MAX_READ, &data) == -1) {
		v = jsr_throw_errno(vm, errno,
		    errno == EISDIR ? "read" : "open",
		    errno == EISDIR ? NULL : buf_cstr(&p));
		goto out;
	}
	v = jsr_bytes_value(r, data.data, data.len, enc);
out:
	buf_release(&p);
	buf_release(&data);
	return v;
}

static int
write_fd_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static struct js_value
jsr_write_common(
    struct js_vm *vm, int argc, const struct js_value *argv, int append)
{
	struct buf p, data;
	struct js_value opts = jsr_arg(argc, argv, 2), flag;
	enum jsr_enc enc;
	const char *f;
	int fd = -1, e;
	struct js_value v = js_exception();

	buf_init(&p);
	buf_init(&data);
	if (jsr_path_arg(vm, argc, argv, 0, "file", &p) == -1 ||
	    jsr_encoding(vm, opts, JSR_ENC_UTF8, &enc) == -1 ||
	    jsr_data_arg(vm, jsr_arg(argc, argv, 1), enc, "data", &data) == -1)
		goto out;
	flag = jsr_opt(vm, opts, "flag");
	if (js_is_exception(flag))
		goto out;
	if ((f = js_string_utf8(flag, NULL)) != NULL && f[0] == 'a')
		append = 1;
	fd = open(buf_cstr(&p),
	    O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
	    0666);
	if (fd == -1) {
		v = jsr_throw_errno(vm, errno, "open", buf_cstr(&p));
		goto out;
	}
	if (write_fd_all(fd, data.data, data.len) == -1) {
		e = errno;
		v = jsr_throw_errno(vm, e, "write", NULL);
		goto out;
	}
	v = js_undefined();
out:
	if (fd != -1)
		close(fd);
	buf_release(&p);
	buf_release(&data);
	return v;
}

static struct js_value
jsr_fs_write_file(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_write_common(vm, argc, argv, 0);
}

static struct js_value
jsr_fs_append_file(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_write_common(vm, argc, argv, 1);
}

static struct js_value
jsr_fs_exists(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct stat st;
	int ok = 0;

	buf_init(&p);
	if (jsr_cstr(jsr_arg(argc, argv, 0), &p) == 0 &&
	    strlen(buf_cstr(&p)) == p.len)
		ok = stat(buf_cstr(&p), &st) == 0;
	buf_release(&p);
	return js_bool(ok);
}

static struct js_value
jsr_fs_mkdir(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct js_value opts = jsr_arg(argc, argv, 1), rec, mv,
			v = js_exception();
	struct stat st;
	mode_t mode = 0777;
	size_t i, first = 0;
	char *s;
	int recursive = 0, created = 0;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	if (js_type_of(opts) == JS_TYPE_NUMBER)
		mode = (mode_t)js_get_number(opts);
	rec = jsr_opt(vm, opts, "recursive");
	mv = jsr_opt(vm, opts, "mode");
	if (js_is_exception(rec) || js_is_exception(mv))
		goto out;
	recursive = js_truthy(rec);
	if (js_type_of(mv) == JS_TYPE_NUMBER)
		mode = (mode_t)js_get_number(mv);
	s = (char *)p.data;
	if (!recursive) {
		if (mkdir(s, mode) == -1) {
			v = jsr_throw_errno(vm, errno, "mkdir", s);
			goto out;
		}
		v = js_undefined();
		goto out;
	}
	/* Each prefix in turn; the result is the first one created. */
	for (i = 1; i <= p.len; i++) {
		if (i < p.len && s[i] != '/')
			continue;
		s[i] = '\0';
		if (mkdir(s, mode) == 0) {
			if (!created)
				first = i;
			created = 1;
		} else if (errno != EEXIST ||
		    (stat(s, &st) == 0 && !S_ISDIR(st.st_mode) &&
			(errno = ENOTDIR))) {
			v = jsr_throw_errno(vm, errno, "mkdir", s);
			goto out;
		}
		if (i < p.len)
			s[i] = '/';
	}
	v = created ? js_string(vm, s, first) : js_undefined();
out:
	buf_release(&p);
	return v;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct js_value jsr_stat_object(
    struct jsr *r, const struct stat *st, int dirent, const char *name);

static struct js_value
jsr_fs_readdir(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct buf p;
	struct js_value wft, arr, v = js_exception(), e;
	struct js_ref *ref = NULL;
	struct stat st;
	char **names = NULL, child[PATH_MAX];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = NULL;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	wft = jsr_opt(vm, jsr_arg(argc, argv, 1), "withFileTypes");
	if (js_is_exception(wft))
		goto out;
	if ((d = opendir(buf_cstr(&p))) == NULL) {
		v = jsr_throw_errno(vm, errno, "scandir", buf_cstr(&p));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (strv_push(&names, &n, de->d_name) == -1) {
			v = jsr_oom(vm);
			goto out;
		}
	}
	/* libuv's scandir sorts names bytewise; Node returns that order. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	arr = js_array_new(vm);
	if (js_is_exception(arr) || (ref = js_ref_new(vm, arr)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (js_truthy(wft)) {
			snprintf(child, sizeof(child), "%s/%s", buf_cstr(&p),
			    names[i]);
			if (lstat(child, &st) == -1)
				memset(&st, 0, sizeof(st));
			e = jsr_stat_object(r, &st, 1, names[i]);
		} else {
			e = js_string_cstr(vm, names[i]);
		}
		if (js_is_exception(e) ||
		    js_array_push(vm, js_ref_get(ref), e) == -1)
			goto out;
	}
	v = js_ref_get(ref);
out:
	if (ref != NULL)
		js_ref_free(vm, ref);
	if (d != NULL)
		closedir(d);
	script_strv_free(names, n);
	buf_release(&p);
	return v;
}

/* isFile() and friends read this.mode (stat objects and Dirents). */
static struct js_value
jsr_stat_is(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value m = jsr_opt(vm, this_val, "mode");
	mode_t mode, want = (mode_t)(uintptr_t)opaque;

	if (js_is_exception(m))
		return m;
	mode = (mode_t)js_get_number(m);
	return js_bool((mode & S_IFMT) == want);
}

static const struct {
	const char *name;
	mode_t fmt;
} jsr_stat_methods[] = {
	{ "isFile", S_IFREG },
	{ "isDirectory", S_IFDIR },
	{ "isSymbolicLink", S_IFLNK },
	{ "isFIFO", S_IFIFO },
	{ "isSocket", S_IFSOCK },
	{ "isBlockDevice", S_IFBLK },
	{ "isCharacterDevice", S_IFCHR },
};

static double
ts_ms(struct timespec ts)
{
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* A Stats object (or a Dirent when dirent is set: name and mode only). */
static struct js_value
jsr_stat_object(
    struct jsr *r, const struct stat *st, int dirent, const char *name)
{
	struct js_vm *vm = r->vm;
	struct js_value o = js_object_new(vm);
	size_t i;
	static const char *const nums[] = { "dev", "ino", "mode", "nlink",
		"uid", "gid", "rdev", "size", "blksize", "blocks", "atimeMs",
		"mtimeMs", "ctimeMs", "birthtimeMs" };
	double vals[14];

	if (js_is_exception(o))
		return o;
	if (dirent) {
		if (jsr_set_str(vm, o, "name", name) == -1 ||
		    js_set(vm, o, "mode", js_number((double)st->st_mode)) == -1)
			return js_exception();
	} else {
		vals[0] = (double)st->st_dev;
		vals[1] = (double)st->st_ino;
		vals[2] = (double)st->st_mode;
		vals[3] = (double)st->st_nlink;
		vals[4] = (double)st->st_uid;
		vals[5] = (double)st->st_gid;
		vals[6] = (double)st->st_rdev;
		vals[7] = (double)st->st_size;
		vals[8] = (double)st->st_blksize;
		vals[9] = (double)st->st_blocks;
		vals[10] = ts_ms(st->st_atim);
		vals[11] = ts_ms(st->st_mtim);
		vals[12] = ts_ms(st->st_ctim);
		vals[13] = ts_ms(st->st_ctim);
		for (i = 0; i < 14; i++)
			if (js_set(vm, o, nums[i], js_number(vals[i])) == -1)
				return js_exception();
	}
	for (i = 0; i < sizeof(jsr_stat_methods) / sizeof(jsr_stat_methods[0]);
	     i++)
		if (jsr_set_fn(vm, o, jsr_stat_methods[i].name, 0, jsr_stat_is,
			(void *)(uintptr_t)jsr_stat_methods[i].fmt) == -1)
			return js_exception();
	return o;
}

static struct js_value
jsr_stat_common(struct js_vm *vm, int argc, const struct js_value *argv,
    void *opaque, int link)
{
	struct buf p;
	struct stat st;
	struct js_value v = js_exception(), t;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	if ((link ? lstat(buf_cstr(&p), &st) : stat(buf_cstr(&p), &st)) == -1) {
		t = jsr_opt(vm, jsr_arg(argc, argv, 1), "throwIfNoEntry");
		if (errno == ENOENT && js_type_of(t) == JS_TYPE_BOOLEAN &&
		    !js_truthy(t))
			v = js_undefined();
		else
			v = jsr_throw_errno(
			    vm, errno, link ? "lstat" : "stat", buf_cstr(&p));
		goto out;
	}
	v = jsr_stat_object(opaque, &st, 0, NULL);
out:
	buf_release(&p);
	return v;
}

static struct js_value
jsr_fs_stat(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_stat_common(vm, argc, argv, opaque, 0);
}

static struct js_value
jsr_fs_lstat(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_stat_common(vm, argc, argv, opaque, 1);
}

static struct js_value
jsr_fs_rm(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;
	struct js_value opts = jsr_arg(argc, argv, 1), rec, force,
			v = js_exception();
	struct stat st;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == -1)
		goto out;
	rec = jsr_opt(vm, opts, "recursive");
	force = jsr_opt(vm, opts, "force");
	if (js_is_exception(rec) || js_is_exception(force))
		goto out;
	if (lstat(buf_cstr(&p), &st) == -1) {
		if (errno == ENOENT && js_truthy(force))
			v = js_undefined();
		else
			v = jsr_throw_errno(vm, errno, "rm", buf_cstr(&p));
		goto out;
	}
	if (S_ISDIR(st.st_mode) && !js_truthy(rec)) {
		v = jsr_throw_code(vm, JS_ERROR, "ERR_FS_EISDIR",
		    "Path is a directory: rm returned EISDIR (is a "
		    "directory) %s",
		    buf_cstr(&p));
		goto out;
	}
	if (script_rm_tree(buf_cstr(&p)) == -1) {
		v = jsr_throw_errno(vm, errno, "rm", buf_cstr(&p));
		goto out;
	}
	v = js_undefined();
out:
	buf_release(&p);
	return v;
}

/* unlinkSync, rmdirSync: one path, one system call. */
static struct js_value
jsr_unlink_common(
    struct js_vm *vm, int argc, const struct js_value *argv, int dir)
{
	struct buf p;
	struct js_value v = js_exception();

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0) {
		if ((dir ? rmdir(buf_cstr(&p)) : unlink(buf_cstr(&p))) == -1)
			v = jsr_throw_errno(
			    vm, errno, dir ? "rmdir" : "unlink", buf_cstr(&p));
		else
			v = js_undefined();
	}
	buf_release(&p);
	return v;
}

static struct js_value
jsr_fs_unlink(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_unlink_common(vm, argc, argv, 0);
}

static struct js_value
jsr_fs_rmdir(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_unlink_common(vm, argc, argv, 1);
}

static struct js_value
jsr_fs_rename(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf a, b;
	struct js_value v = js_exception();

	buf_init(&a);
	buf_init(&b);
	if (jsr_path_arg(vm, argc, argv, 0, "oldPath", &a) == 0 &&
	    jsr_path_arg(vm, argc, argv, 1, "newPath", &b) == 0) {
		if (rename(buf_cstr(&a), buf_cstr(&b)) == -1)
			v = jsr_throw_errno(vm, errno, "rename", buf_cstr(&a));
		else
			v = js_undefined();
	}
	buf_release(&a);
	buf_release(&b);
	return v;
}

static struct js_value
jsr_fs_copy_file(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf a, b, data;
	struct stat st;
	struct js_value v = js_exception();
	int fd = -1;

	buf_init(&a);
	buf_init(&b);
	buf_init(&data);
	if (jsr_path_arg(vm, argc, argv, 0, "src", &a) == -1 ||
	    jsr_path_arg(vm, argc, argv, 1, "dest", &b) == -1)
		goto out;
	if (script_read_file(buf_cstr(&a), JS_RECIPE_MAX_READ, &data) == -1 ||
	    stat(buf_cstr(&a), &st) == -1) {
		v = jsr_throw_errno(vm, errno, "copyfile", buf_cstr(&a));
		goto out;
	}
	if ((fd = open(buf_cstr(&b), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		 st.st_mode & 07777)) == -1 ||
	    write_fd_all(fd, data.data, data.len) == -1) {
		v = jsr_throw_errno(vm, errno, "copyfile", buf_cstr(&b));
		goto out;
	}
	v = js_undefined();
out:
	if (fd != -1)
		close(fd);
	buf_release(&a);
	buf_release(&b);
	buf_release(&data);
	return v;
}

/* fs/promises: the synchronous function, its result or exception as a
 * settled promise. */
static struct js_value
jsr_promisify(struct js_vm *vm, struct js_value v)
{
	if (js_is_exception(v))
		return js_promise_rejected(vm, js_exception_take(vm));
	return js_promise_resolved(vm, v);
}

#define JSR_PROMISE(name, sync) \
	static struct js_value name(struct js_vm *vm, \
	    struct js_value this_val, int argc, const struct js_value *argv, \
	    void *opaque) \
	{ \
		return jsr_promisify( \
		    vm, sync(vm, this_val, argc, argv, opaque)); \
	}

JSR_PROMISE(jsr_fsp_read_file, jsr_fs_read_file)
JSR_PROMISE(jsr_fsp_write_file, jsr_fs_write_file)
JSR_PROMISE(jsr_fsp_append_file, jsr_fs_append_file)
JSR_PROMISE(jsr_fsp_mkdir, jsr_fs_mkdir)
JSR_PROMISE(jsr_fsp_readdir, jsr_fs_readdir)
JSR_PROMISE(jsr_fsp_stat, jsr_fs_stat)
JSR_PROMISE(jsr_fsp_lstat, jsr_fs_lstat)
JSR_PROMISE(jsr_fsp_rm, jsr_fs_rm)
JSR_PROMISE(jsr_fsp_unlink, jsr_fs_unlink)
JSR_PROMISE(jsr_fsp_rmdir, jsr_fs_rmdir)
JSR_PROMISE(jsr_fsp_rename, jsr_fs_rename)
JSR_PROMISE(jsr_fsp_copy_file, jsr_fs_copy_file)

/* ---- child processes --------------------------------------------------- */

/* Where a child's stdout or stderr goes. */
enum jsr_io {
	JSR_IO_INHERIT, /* our own descriptor */
	JSR_IO_PIPE, /* collected into a buffer */
	JSR_IO_PASS, /* to our stdout/stderr through jsr_emit (captured
			while a cached target runs) */
	JSR_IO_NULL /* /dev/null */
};

struct jsr_child {
	char **argv;
	const char *cwd; /* NULL: ours */
	char **envp; /* NULL: ours */
	int stdin_pipe; /* feed input (maybe empty) instead of inheriting */
	const unsigned char *input;
	size_t input_len;
	enum jsr_io out_mode, err_mode;
	struct buf out, err;
	int status; /* exit status, 128+N for signal N */
	int signo;
	int exec_errno; /* the command did not start */
	int capped; /* a collected output was over JS_RECIPE_MAX_READ */
	pid_t pid;
};

static void
jsr_child_init(struct jsr_child *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->out);
	buf_init(&c->err);
}

static void
jsr_child_release(struct jsr_child *c)
{
	buf_release(&c->out);
	buf_release(&c->err);
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl != -1)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* Runs c->argv to completion.  Returns 0 (also when the command could not
 * start: c->exec_errno), or -1 with errno when no process could be made. */
static int
jsr_spawn(struct jsr *r, struct jsr_child *c)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int ep[2] = { -1, -1 }, status = 0, e, i, devnull;
	enum jsr_io modes[2];
	struct pollfd pfd[3];
	struct buf *bufs[2];
	unsigned char chunk[65536];
	size_t in_off = 0;
	ssize_t n;
	pid_t w;

	modes[0] = c->out_mode;
	modes[1] = c->err_mode;
	bufs[0] = &c->out;
	bufs[1] = &c->err;
	for (i = 0; i < 2; i++)
		if (modes[i] == JSR_IO_PASS && !r->capturing)
			modes[i] = JSR_IO_INHERIT;
	if ((c->stdin_pipe && pipe(in) == -1) ||
	    (modes[0] != JSR_IO_INHERIT && modes[0] != JSR_IO_NULL &&
		pipe(out) == -1) ||
	    (modes[1] != JSR_IO_INHERIT && modes[1] != JSR_IO_NULL &&
		pipe(err) == -1) ||
	    pipe(ep) == -1)
		goto fail;
	(void)fcntl(ep[1], F_SETFD, FD_CLOEXEC);
	fflush(NULL);
	if ((c->pid = fork()) == -1)
		goto fail;
	if (c->pid == 0) {
		devnull = open("/dev/null", O_RDWR);
		if (in[0] != -1)
			dup2(in[0], 0);
		if (out[1] != -1)
			dup2(out[1], 1);
		else if (modes[0] == JSR_IO_NULL && devnull != -1)
			dup2(devnull, 1);
		if (err[1] != -1)
			dup2(err[1], 2);
		else if (modes[1] == JSR_IO_NULL && devnull != -1)
			dup2(devnull, 2);
		close_pair(in);
		close_pair(out);
		close_pair(err);
		close(ep[0]);
		signal(SIGPIPE, SIG_DFL);
		if (c->cwd != NULL && chdir(c->cwd) == -1) {
			e = errno;
			script_write_all(ep[1], &e, sizeof(e));
			_exit(127);
		}
		if (c->envp != NULL)
			environ = c->envp;
		execvp(c->argv[0], c->argv);
		e = errno;
		script_write_all(ep[1], &e, sizeof(e));
		_exit(127);
	}
	close(ep[1]);
	ep[1] = -1;
	if (in[0] != -1) {
		close(in[0]);
		in[0] = -1;
		set_nonblock(in[1]);
	}
	if (out[1] != -1) {
		close(out[1]);
		out[1] = -1;
	}
	if (err[1] != -1) {
		close(err[1]);
		err[1] = -1;
	}
	for (;;) {
		pfd[0].fd = out[0];
		pfd[1].fd = err[0];
		pfd[2].fd = in[1];
		pfd[0].events = pfd[1].events = POLLIN;
		pfd[2].events = POLLOUT;
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		if (in[1] != -1 && in_off >= c->input_len) {
			close(in[1]);
			in[1] = pfd[2].fd = -1;
		}
		if (pfd[0].fd == -1 && pfd[1].fd == -1 && pfd[2].fd == -1)
			break;
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents != 0) {
			n = write(
			    in[1], c->input + in_off, c->input_len - in_off);
			if (n > 0)
				in_off += (size_t)n;
			else if (n == -1 && errno != EAGAIN && errno != EINTR)
				in_off = c->input_len; /* EPIPE: give up */
		}
		for (i = 0; i < 2; i++) {
			int *fdp = i == 0 ? &out[0] : &err[0];

			if (*fdp == -1 || pfd[i].revents == 0)
				continue;
			n = read(*fdp, chunk, sizeof(chunk));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(*fdp);
				*fdp = -1;
				continue;
			}
			if (modes[i] == JSR_IO_PASS)
				jsr_emit(r, i, chunk, (size_t)n);
			else if (bufs[i]->len + (size_t)n >
				JS_RECIPE_MAX_READ ||
			    buf_append(bufs[i], chunk, (size_t)n) == -1)
				c->capped = 1;
		}
	}
	close_pair(in);
	close_pair(out);
	close_pair(err);
	c->exec_errno = 0;
	while ((n = read(ep[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e))
		c->exec_errno = e;
	close(ep[0]);
	while ((w = waitpid(c->pid, &status, 0)) == -1 && errno == EINTR)
		;
	c->signo = 0;
	if (w == -1)
		c->status = 1;
	else if (WIFEXITED(status))
		c->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) {
		c->signo = WTERMSIG(status);
		c->status = 128 + c->signo;
	} else
		c->status = 1;
	if (r->capturing)
		fflush(NULL);
	return 0;
fail:
	e = errno;
	close_pair(in);
	close_pair(out);
	close_pair(err);
	close_pair(ep);
	errno = e;
	return -1;
}

/* "KEY=value" strings of an env object (process.env when env is
 * undefined).  Runs JavaScript for values that are not strings. */
static int
jsr_envp(struct jsr *r, struct js_value env, char ***out, size_t *nout)
{
	struct js_vm *vm = r->vm;
	struct js_ref *eref = NULL, *kref = NULL;
	struct js_value keys, k, v;
	struct buf kb, vb, line;
	size_t i, n;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	buf_init(&kb);
	buf_init(&vb);
	buf_init(&line);
	if (js_type_of(env) != JS_TYPE_OBJECT)
		env = js_ref_get(r->env);
	if ((eref = js_ref_new(vm, env)) == NULL)
		goto oom;
	keys = js_object_keys(vm, env);
	if (js_is_exception(keys))
		goto out;
	if ((kref = js_ref_new(vm, keys)) == NULL)
		goto oom;
	n = js_array_length(keys);
	for (i = 0; i < n; i++) {
		k = js_get_index(vm, js_ref_get(kref), i);
		if (js_is_exception(k) || jsr_cstr(k, &kb) == -1)
			goto out;
		v = js_get(vm, js_ref_get(eref), buf_cstr(&kb));
		if (js_is_exception(v))
			goto out;
		if (js_type_of(v) == JS_TYPE_UNDEFINED)
			continue;
		if (jsr_to_cstr(vm, v, &vb) == -1)
			goto out;
		if (strchr(buf_cstr(&kb), '=') != NULL ||
		    strlen(buf_cstr(&kb)) != kb.len ||
		    strlen(buf_cstr(&vb)) != vb.len)
			continue;
		buf_reset(&line);
		if (buf_printf(&line, "%s=%s", buf_cstr(&kb), buf_cstr(&vb)) ==
			-1 ||
		    strv_push(out, nout, buf_cstr(&line)) == -1)
			goto oom;
	}
	if (strv_push(out, nout, "") == -1)
		goto oom;
	/* NULL-terminate in place of the empty sentinel. */
	free((*out)[*nout - 1]);
	(*out)[--*nout] = NULL;
	rc = 0;
	goto out;
oom:
	jsr_oom(vm);
out:
	if (rc == -1) {
		script_strv_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	if (eref != NULL)
		js_ref_free(vm, eref);
	if (kref != NULL)
		js_ref_free(vm, kref);
	buf_release(&kb);
	buf_release(&vb);
	buf_release(&line);
	return rc;
}

/* The argv of a child: cmd then the strings of args (an array). */
static int
jsr_argv(struct js_vm *vm, const char *cmd, struct js_value args, char ***out,
    size_t *nout)
{
	struct js_ref *ref = NULL;
	struct buf b;
	struct js_value v;
	size_t i, n;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	buf_init(&b);
	if (strv_push(out, nout, cmd) == -1)
		goto oom;
	if (js_is_array(args)) {
		if ((ref = js_ref_new(vm, args)) == NULL)
			goto oom;
		n = js_array_length(args);
		for (i = 0; i < n; i++) {
			v = js_get_index(vm, js_ref_get(ref), i);
			if (js_is_exception(v) || jsr_to_cstr(vm, v, &b) == -1)
				goto out;
			if (strv_push(out, nout, buf_cstr(&b)) == -1)
				goto oom;
		}
	}
	if (strv_push(out, nout, "") == -1)
		goto oom;
	free((*out)[*nout - 1]);
	(*out)[--*nout] = NULL;
	rc = 0;
	goto out;
oom:
	jsr_oom(vm);
out:
	if (rc == -1) {
		script_strv_free(*out, *nout);
		*out = NULL;
		*nout = 0;
	}
	if (ref != NULL)
		js_ref_free(vm, ref);
	buf_release(&b);
	return rc;
}

/* Options shared by spawnSync, execSync and run(): cwd, env, input. */
struct jsr_cp_opts {
	struct buf cwd;
	int has_cwd;
	char **envp;
	size_t nenv;
	struct buf input;
	int has_input;
	enum jsr_enc enc;
};

static void
jsr_cp_opts_release(struct jsr_cp_opts *o)
{
	buf_release(&o->cwd);
	buf_release(&o->input);
	script_strv_free(o->envp, o->nenv);
}

static int
jsr_cp_opts(struct jsr *r, struct js_value opts, enum jsr_enc dflt,
    struct jsr_cp_opts *o)
{
	struct js_vm *vm = r->vm;
	struct js_ref *ref = NULL;
	struct js_value v;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	buf_init(&o->cwd);
	buf_init(&o->input);
	o->enc = dflt;
	if ((ref = js_ref_new(vm, opts)) == NULL) {
		jsr_oom(vm);
		return -1;
	}
	v = jsr_opt(vm, js_ref_get(ref), "cwd");
	if (js_is_exception(v))
		goto out;
	if (js_type_of(v) == JS_TYPE_STRING) {
		if (jsr_cstr(v, &o->cwd) == -1)
			goto oom;
		o->has_cwd = 1;
	}
	v = jsr_opt(vm, js_ref_get(ref), "input");
	if (js_is_exception(v))
		goto out;
	if (js_type_of(v) != JS_TYPE_UNDEFINED) {
		if (jsr_data_arg(
			vm, v, JSR_ENC_UTF8, "options.input", &o->input) == -1)
			goto out;
		o->has_input = 1;
	}
	if (jsr_encoding(vm, js_ref_get(ref), dflt, &o->enc) == -1)
		goto out;
	v = jsr_opt(vm, js_ref_get(ref), "env");
	if (js_is_exception(v) || jsr_envp(r, v, &o->envp, &o->nenv) == -1)
		goto out;
	rc = 0;
	goto out;
oom:
	jsr_oom(vm);
out:
	js_ref_free(vm, ref);
	return rc;
}

/* stdio option: 'pipe' (default), 'inherit', 'ignore', or an array whose
 * elements 1 and 2 say it for stdout and stderr. */
static int
jsr_stdio(
    struct js_vm *vm, struct js_value opts, enum jsr_io *out, enum jsr_io *err)
{
	struct js_value s = jsr_opt(vm, opts, "stdio"), e;
	const char *t;
	int i;

	if (js_is_exception(s))
		return -1;
	for (i = 1; i <= 2; i++) {
		e = s;
		if (js_is_array(s)) {
			e = js_get_index(vm, s, (size_t)i);
			if (js_is_exception(e))
				return -1;
		}
		if ((t = js_string_utf8(e, NULL)) == NULL)
			continue;
		if (strcmp(t, "inherit") == 0)
			*(i == 1 ? out : err) = JSR_IO_PASS;
		else if (strcmp(t, "ignore") == 0)
			*(i == 1 ? out : err) = JSR_IO_NULL;
		else if (strcmp(t, "pipe") == 0)
			*(i == 1 ? out : err) = JSR_IO_PIPE;
	}
	return 0;
}

/* The result object of spawnSync. */
static struct js_value
jsr_spawn_result(struct jsr *r, struct jsr_child *c, const char *cmd,
    enum jsr_enc enc, int ok_out, int ok_err)
{
	struct js_vm *vm = r->vm;
	struct js_ref *ref;
	struct js_value o = js_object_new(vm), v, out;
	struct buf msg;

	if (js_is_exception(o) || (ref = js_ref_new(vm, o)) == NULL)
		return js_exception();
	buf_init(&msg);
	if (js_set(vm, o, "pid", js_number((double)c->pid)) == -1)
		goto fail;
	if (c->exec_errno != 0) {
		if (buf_printf(&msg, "spawnSync %s", cmd) == -1)
			goto fail;
		(void)jsr_throw_errno(vm, c->exec_errno, buf_cstr(&msg), NULL);
		v = js_exception_take(vm);
		if (jsr_set_str(vm, v, "path", cmd) == -1 ||
		    js_set(vm, js_ref_get(ref), "error", v) == -1 ||
		    js_set(vm, js_ref_get(ref), "status", js_null()) == -1)
			goto fail;
	} else if (js_set(vm, o, "status",
		       c->signo ? js_null() : js_number(c->status)) == -1) {
		goto fail;
	}
	if (c->signo) {
		if (jsr_set_str(vm, js_ref_get(ref), "signal",
			c->signo == SIGKILL	  ? "SIGKILL"
			    : c->signo == SIGTERM ? "SIGTERM"
			    : c->signo == SIGINT  ? "SIGINT"
			    : c->signo == SIGSEGV ? "SIGSEGV"
			    : c->signo == SIGABRT ? "SIGABRT"
						  : "SIGNAL") == -1)
			goto fail;
	} else if (js_set(vm, js_ref_get(ref), "signal", js_null()) == -1) {
		goto fail;
	}
	v = ok_out ? jsr_bytes_value(r, c->out.data, c->out.len, enc)
		   : js_null();
	if (js_is_exception(v) ||
	    js_set(vm, js_ref_get(ref), "stdout", v) == -1)
		goto fail;
	v = ok_err ? jsr_bytes_value(r, c->err.data, c->err.len, enc)
		   : js_null();
	if (js_is_exception(v) ||
	    js_set(vm, js_ref_get(ref), "stderr", v) == -1)
		goto fail;
	out = js_array_new(vm);
	if (js_is_exception(out) || js_array_push(vm, out, js_null()) == -1 ||
	    js_array_push(vm, out, js_get(vm, js_ref_get(ref), "stdout")) ==
		-1 ||
	    js_array_push(vm, out, js_get(vm, js_ref_get(ref), "stderr")) ==
		-1 ||
	    js_set(vm, js_ref_get(ref), "output", out) == -1)
		goto fail;
	o = js_ref_get(ref);
	js_ref_free(vm, ref);
	buf_release(&msg);
	return o;
fail:
	js_ref_free(vm, ref);
	buf_release(&msg);
	return js_exception();
}

static struct js_value
jsr_cp_spawn_sync(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct jsr_child c;
	struct jsr_cp_opts o;
	struct js_value args = jsr_arg(argc, argv, 1),
			opts = jsr_arg(argc, argv, 2);
	struct js_value shell, v = js_exception();
	struct buf cmd, line;
	char **cargv = NULL, *sh[4];
	size_t ncargv = 0, i;

	buf_init(&cmd);
	buf_init(&line);
	jsr_child_init(&c);
	memset(&o, 0, sizeof(o));
	buf_init(&o.cwd);
	buf_init(&o.input);
	if (!js_is_array(args) && js_type_of(args) == JS_TYPE_OBJECT) {
		opts = args;
		args = js_undefined();
	}
	if (jsr_path_arg(vm, argc, argv, 0, "command", &cmd) == -1 ||
	    jsr_cp_opts(r, opts, JSR_ENC_BUFFER, &o) == -1 ||
	    jsr_argv(vm, buf_cstr(&cmd), args, &cargv, &ncargv) == -1)
		goto out;
	shell = jsr_opt(vm, opts, "shell");
	if (js_is_exception(shell))
		goto out;
	c.argv = cargv;
	if (js_truthy(shell)) {
		for (i = 0; i < ncargv; i++)
			if ((i > 0 && buf_putc(&line, ' ') == -1) ||
			    buf_append_str(&line, cargv[i]) == -1) {
				v = jsr_oom(vm);
				goto out;
			}
		sh[0] = "/bin/sh";
		sh[1] = "-c";
		sh[2] = (char *)buf_cstr(&line);
		sh[3] = NULL;
		c.argv = sh;
	}
	c.cwd = o.has_cwd ? buf_cstr(&o.cwd) : NULL;
	c.envp = o.envp;
	c.stdin_pipe = 1;
	c.input = o.input.data;
	c.input_len = o.input.len;
	c.out_mode = c.err_mode = JSR_IO_PIPE;
	if (jsr_stdio(vm, opts, &c.out_mode, &c.err_mode) == -1)
		goto out;
	if (jsr_spawn(r, &c) == -1) {
		v = jsr_throw_errno(vm, errno, "spawnSync", buf_cstr(&cmd));
		goto out;
	}
	v = jsr_spawn_result(r, &c, buf_cstr(&cmd), o.enc,
	    c.out_mode == JSR_IO_PIPE, c.err_mode == JSR_IO_PIPE);
out:
	script_strv_free(cargv, ncargv);
	jsr_cp_opts_release(&o);
	jsr_child_release(&c);
	buf_release(&cmd);
	buf_release(&line);
	return v;
}

/* execSync(command[, options]): /bin/sh -c command; stdout returned,
 * stderr to ours unless stdio says otherwise; throws on failure. */
static struct js_value
jsr_cp_exec_sync(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct jsr_child c;
	struct jsr_cp_opts o;
	struct js_value opts = jsr_arg(argc, argv, 1), v = js_exception(), e;
	struct js_ref *eref = NULL;
	struct buf cmd, msg;
	char *sh[4];
	int explicit_stdio;

	buf_init(&cmd);
	buf_init(&msg);
	jsr_child_init(&c);
	memset(&o, 0, sizeof(o));
	buf_init(&o.cwd);
	buf_init(&o.input);
	if (jsr_path_arg(vm, argc, argv, 0, "command", &cmd) == -1 ||
	    jsr_cp_opts(r, opts, JSR_ENC_BUFFER, &o) == -1)
		goto out;
	sh[0] = "/bin/sh";
	sh[1] = "-c";
	sh[2] = (char *)buf_cstr(&cmd);
	sh[3] = NULL;
	c.argv = sh;
	c.cwd = o.has_cwd ? buf_cstr(&o.cwd) : NULL;
	c.envp = o.envp;
	c.stdin_pipe = 1;
	c.input = o.input.data;
	c.input_len = o.input.len;
	c.out_mode = JSR_IO_PIPE;
	c.err_mode = JSR_IO_PIPE;
	e = jsr_opt(vm, opts, "stdio");
	if (js_is_exception(e))
		goto out;
	explicit_stdio = js_type_of(e) != JS_TYPE_UNDEFINED;
	if (jsr_stdio(vm, opts, &c.out_mode, &c.err_mode) == -1)
		goto out;
	/* Node: "stderr by default will be output to the parent process'
	 * stderr unless stdio is specified". */
	if (!explicit_stdio)
		c.err_mode = JSR_IO_PASS;
	if (jsr_spawn(r, &c) == -1) {
		v = jsr_throw_errno(vm, errno, "spawnSync /bin/sh", NULL);
		goto out;
	}
	if (c.status == 0 && c.exec_errno == 0) {
		v = c.out_mode == JSR_IO_PIPE
		    ? jsr_bytes_value(r, c.out.data, c.out.len, o.enc)
		    : js_null();
		goto out;
	}
	if (buf_printf(&msg, "Command failed: %s\n", buf_cstr(&cmd)) == -1 ||
	    utf8_lossy(c.err.data, c.err.len, 0, &msg) == -1 ||
	    buf_putc(&msg, '\0') == -1) {
		v = jsr_oom(vm);
		goto out;
	}
	e = js_error_new(vm, JS_ERROR, (const char *)msg.data);
	if (js_is_exception(e) || (eref = js_ref_new(vm, e)) == NULL)
		goto out;
	v = jsr_spawn_result(r, &c, "/bin/sh", o.enc, c.out_mode == JSR_IO_PIPE,
	    c.err_mode == JSR_IO_PIPE);
	if (js_is_exception(v))
		goto out;
	e = js_ref_get(eref);
	if (js_set(vm, e, "status", js_get(vm, v, "status")) == -1 ||
	    js_set(vm, e, "signal", js_get(vm, v, "signal")) == -1 ||
	    js_set(vm, e, "stdout", js_get(vm, v, "stdout")) == -1 ||
	    js_set(vm, e, "stderr", js_get(vm, v, "stderr")) == -1 ||
	    js_set(vm, e, "output", js_get(vm, v, "output")) == -1 ||
	    js_set(vm, e, "pid", js_get(vm, v, "pid")) == -1) {
		v = js_exception();
		goto out;
	}
	v = js_throw(vm, e);
out:
	if (eref != NULL)
		js_ref_free(vm, eref);
	jsr_cp_opts_release(&o);
	jsr_child_release(&c);
	buf_release(&cmd);
	buf_release(&msg);
	return v;
}

/* ---- fabrik:runtime ---------------------------------------------------- */

/* Appends s to cmd, quoted for /bin/sh when it needs quoting. */
static int
sh_quote(struct buf *cmd, const char *s, size_t n)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
				   "QRSTUVWXYZ0123456789_@%+=:,./-";
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(safe, s[i]) == NULL)
			break;
	if (n > 0 && i == n)
		return buf_append(cmd, s, n);
	if (buf_putc(cmd, '\'') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '\'') {
			if (buf_append_str(cmd, "'\\''") == -1)
				return -1;
		} else if (buf_putc(cmd, s[i]) == -1) {
			return -1;
		}
	}
	return buf_putc(cmd, '\'');
}

/* One interpolated value: arrays give their elements, each quoted,
 * separated by spaces. */
static int
sh_value(struct js_vm *vm, struct js_value v, struct buf *cmd)
{
	struct js_ref *ref;
	struct js_value e;
	struct buf s;
	size_t i, n;
	int rc = -1;

	buf_init(&s);
	if (!js_is_array(v)) {
		if (jsr_to_cstr(vm, v, &s) == 0)
			rc = sh_quote(cmd, (const char *)s.data, s.len) == -1
			    ? (jsr_oom(vm), -1)
			    : 0;
		buf_release(&s);
		return rc;
	}
	if ((ref = js_ref_new(vm, v)) == NULL) {
		jsr_oom(vm);
		return -1;
	}
	n = js_array_length(v);
	for (i = 0; i < n; i++) {
		e = js_get_index(vm, js_ref_get(ref), i);
		if (js_is_exception(e) || jsr_to_cstr(vm, e, &s) == -1)
			goto out;
		if ((i > 0 && buf_putc(cmd, ' ') == -1) ||
		    sh_quote(cmd, (const char *)s.data, s.len) == -1) {
			jsr_oom(vm);
			goto out;
		}
	}
	rc = 0;
out:
	js_ref_free(vm, ref);
	buf_release(&s);
	return rc;
}

/* The command of a tagged template call: strings[0] v0 strings[1] ... */
static int
sh_command(
    struct js_vm *vm, int argc, const struct js_value *argv, struct buf *cmd)
{
	struct js_value strs = argv[0], s;
	struct js_ref *ref;
	struct buf b;
	size_t i, n = js_array_length(strs);
	int rc = -1;

	buf_init(&b);
	if ((ref = js_ref_new(vm, strs)) == NULL) {
		jsr_oom(vm);
		return -1;
	}
	for (i = 0; i < n; i++) {
		s = js_get_index(vm, js_ref_get(ref), i);
		if (js_is_exception(s) || jsr_to_cstr(vm, s, &b) == -1)
			goto out;
		if (buf_append(cmd, b.data, b.len) == -1) {
			jsr_oom(vm);
			goto out;
		}
		if (i + 1 < n && (int)i + 1 < argc &&
		    sh_value(vm, argv[i + 1], cmd) == -1)
			goto out;
	}
	if (buf_putc(cmd, '\0') == -1) {
		jsr_oom(vm);
		goto out;
	}
	cmd->len--;
	rc = 0;
out:
	js_ref_free(vm, ref);
	buf_release(&b);
	return rc;
}

static struct js_value jsr_shell_tag(
    struct js_vm *, struct js_value, int, const struct js_value *, void *);

/* A new `$` with options sh (owned by the run from now on). */
static struct js_value
jsr_shell_new(struct jsr *r, struct jsr_shell *sh)
{
	struct js_value f, t;
	struct jsr_shell *th;

	sh->r = r;
	sh->next = r->shells;
	r->shells = sh;
	f = js_function_new(r->vm, "$", 1, jsr_shell_tag, sh);
	if (js_is_exception(f) || sh->throws)
		return f;
	/* $.throws: the same options, throwing on a non-zero status. */
	if ((th = calloc(1, sizeof(*th))) == NULL)
		return jsr_oom(r->vm);
	th->throws = 1;
	th->quiet = sh->quiet;
	if (sh->cwd != NULL && (th->cwd = strdup(sh->cwd)) == NULL) {
		free(th);
		return jsr_oom(r->vm);
	}
	if (sh->env != NULL &&
	    (th->env = js_ref_new(r->vm, js_ref_get(sh->env))) == NULL) {
		free(th->cwd);
		free(th);
		return jsr_oom(r->vm);
	}
	th->r = r;
	th->next = r->shells;
	r->shells = th;
	t = js_function_new(r->vm, "$", 1, jsr_shell_tag, th);
	if (js_is_exception(t) || js_set(r->vm, f, "throws", t) == -1)
		return js_exception();
	return f;
}

/* $`cmd ${x}` runs /bin/sh -c with the command; $({ options }) returns a
 * new $ with options throws, quiet, cwd and env. */
static struct js_value
jsr_shell_tag(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr_shell *sh = opaque, *nsh;
	struct jsr *r = sh->r;
	struct js_value a0 = jsr_arg(argc, argv, 0), raw, v, err;
	struct jsr_child c;
	struct buf cmd, line;
	char **envp = NULL, *argv_sh[4];
	size_t nenv = 0;
	int code;

	if (js_type_of(a0) == JS_TYPE_OBJECT && !js_is_array(a0)) {
		if ((nsh = calloc(1, sizeof(*nsh))) == NULL)
			return jsr_oom(vm);
		nsh->throws = sh->throws;
		nsh->quiet = sh->quiet;
		v = js_get(vm, a0, "throws");
		if (!js_is_exception(v) && js_type_of(v) != JS_TYPE_UNDEFINED)
			nsh->throws = js_truthy(v);
		v = js_is_exception(v) ? v : js_get(vm, a0, "quiet");
		if (!js_is_exception(v) && js_type_of(v) != JS_TYPE_UNDEFINED)
			nsh->quiet = js_truthy(v);
		v = js_is_exception(v) ? v : js_get(vm, a0, "cwd");
		buf_init(&cmd);
		if (!js_is_exception(v) && js_type_of(v) == JS_TYPE_STRING &&
		    (jsr_cstr(v, &cmd) == -1 ||
			(nsh->cwd = strdup(buf_cstr(&cmd))) == NULL))
			v = jsr_oom(vm);
		buf_release(&cmd);
		v = js_is_exception(v) ? v : js_get(vm, a0, "env");
		if (!js_is_exception(v) && js_type_of(v) == JS_TYPE_OBJECT &&
		    (nsh->env = js_ref_new(vm, v)) == NULL)
			v = jsr_oom(vm);
		if (js_is_exception(v)) {
			if (nsh->env != NULL)
				js_ref_free(vm, nsh->env);
			free(nsh->cwd);
			free(nsh);
			return js_exception();
		}
		return jsr_shell_new(r, nsh);
	}
	raw = js_is_array(a0) ? js_get(vm, a0, "raw") : js_undefined();
	if (js_is_exception(raw))
		return raw;
	if (!js_is_array(raw))
		return js_throw_error(vm, JS_TYPE_ERROR,
		    "$ is a tagged template ($`command`) or takes an options "
		    "object");
	buf_init(&cmd);
	buf_init(&line);
	jsr_child_init(&c);
	v = js_exception();
	if (sh_command(vm, argc, argv, &cmd) == -1 ||
	    jsr_envp(r, sh->env ? js_ref_get(sh->env) : js_undefined(), &envp,
		&nenv) == -1)
		goto out;
	if (r->o->verbose) {
		if (buf_printf(&line, "$ %s\n", buf_cstr(&cmd)) == -1)
			goto out;
		fflush(stdout);
		jsr_emit(r, 1, line.data, line.len);
	}
	argv_sh[0] = "/bin/sh";
	argv_sh[1] = "-c";
	argv_sh[2] = (char *)buf_cstr(&cmd);
	argv_sh[3] = NULL;
	c.argv = argv_sh;
	c.cwd = sh->cwd;
	c.envp = envp;
	c.out_mode = c.err_mode = sh->quiet ? JSR_IO_NULL : JSR_IO_PASS;
	if (jsr_spawn(r, &c) == -1) {
		v = jsr_throw_errno(vm, errno, "spawn /bin/sh", NULL);
		goto out;
	}
	code = c.exec_errno != 0 ? 127 : c.status;
	if (code == 0 || !sh->throws) {
		v = js_number(code);
		goto out;
	}
	buf_reset(&line);
	if (buf_printf(&line, "command failed with exit code %d: %s", code,
		buf_cstr(&cmd)) == -1) {
		v = jsr_oom(vm);
		goto out;
	}
	err = js_error_new(vm, JS_ERROR, buf_cstr(&line));
	if (js_is_exception(err) ||
	    js_set(vm, err, "exitCode", js_number(code)) == -1 ||
	    jsr_set_str(vm, err, "command", buf_cstr(&cmd)) == -1)
		goto out;
	v = js_throw(vm, err);
out:
	script_strv_free(envp, nenv);
	jsr_child_release(&c);
	buf_release(&cmd);
	buf_release(&line);
	return v;
}

/* { exitCode, stdout, stderr } with strings, for run() and Fabrik.exec. */
static struct js_value
jsr_exec_result(struct jsr *r, struct jsr_child *c)
{
	struct js_vm *vm = r->vm;
	struct js_value o = js_object_new(vm);
	struct buf b;
	int rc = -1;

	if (js_is_exception(o))
		return o;
	buf_init(&b);
	if (js_set(vm, o, "exitCode",
		js_number(c->exec_errno ? 127 : c->status)) == -1 ||
	    utf8_lossy(c->out.data, c->out.len, 0, &b) == -1 ||
	    jsr_set_strn(vm, o, "stdout", b.len ? (char *)b.data : "", b.len) ==
		-1)
		goto out;
	buf_reset(&b);
	if (c->exec_errno != 0 &&
	    buf_printf(&b, "%s: %s\n", c->argv[0], strerror(c->exec_errno)) ==
		-1)
		goto out;
	if (utf8_lossy(c->err.data, c->err.len, 0, &b) == -1 ||
	    jsr_set_strn(vm, o, "stderr", b.len ? (char *)b.data : "", b.len) ==
		-1)
		goto out;
	rc = 0;
out:
	buf_release(&b);
	return rc == 0 ? o : js_exception();
}

/* run(cmd, args[, { cwd, env, input }]): no shell. */
static struct js_value
jsr_rt_run(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct jsr_child c;
	struct jsr_cp_opts o;
	struct js_value v = js_exception();
	struct buf cmd;
	char **cargv = NULL;
	size_t ncargv = 0;

	buf_init(&cmd);
	jsr_child_init(&c);
	memset(&o, 0, sizeof(o));
	buf_init(&o.cwd);
	buf_init(&o.input);
	if (jsr_path_arg(vm, argc, argv, 0, "cmd", &cmd) == -1 ||
	    jsr_cp_opts(r, jsr_arg(argc, argv, 2), JSR_ENC_UTF8, &o) == -1 ||
	    jsr_argv(vm, buf_cstr(&cmd), jsr_arg(argc, argv, 1), &cargv,
		&ncargv) == -1)
		goto out;
	c.argv = cargv;
	c.cwd = o.has_cwd ? buf_cstr(&o.cwd) : NULL;
	c.envp = o.envp;
	c.stdin_pipe = 1;
	c.input = o.input.data;
	c.input_len = o.input.len;
	c.out_mode = c.err_mode = JSR_IO_PIPE;
	if (jsr_spawn(r, &c) == -1) {
		v = jsr_throw_errno(vm, errno, "spawn", buf_cstr(&cmd));
		goto out;
	}
	if (c.capped) {
		v = js_throw_error(vm, JS_RANGE_ERROR,
		    "%s: output larger than %zu bytes", buf_cstr(&cmd),
		    (size_t)JS_RECIPE_MAX_READ);
		goto out;
	}
	v = jsr_exec_result(r, &c);
out:
	script_strv_free(cargv, ncargv);
	jsr_cp_opts_release(&o);
	jsr_child_release(&c);
	buf_release(&cmd);
	return v;
}

/* Fabrik.exec(command[, options]): /bin/sh -c, output collected. */
static struct js_value
jsr_fabrik_exec(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	struct jsr_child c;
	struct jsr_cp_opts o;
	struct js_value v = js_exception();
	struct buf cmd;
	char *sh[4];

	buf_init(&cmd);
	jsr_child_init(&c);
	memset(&o, 0, sizeof(o));
	buf_init(&o.cwd);
	buf_init(&o.input);
	if (jsr_path_arg(vm, argc, argv, 0, "command", &cmd) == -1 ||
	    jsr_cp_opts(r, jsr_arg(argc, argv, 1), JSR_ENC_UTF8, &o) == -1)
		goto out;
	sh[0] = "/bin/sh";
	sh[1] = "-c";
	sh[2] = (char *)buf_cstr(&cmd);
	sh[3] = NULL;
	c.argv = sh;
	c.cwd = o.has_cwd ? buf_cstr(&o.cwd) : NULL;
	c.envp = o.envp;
	c.stdin_pipe = 1;
	c.input = o.input.data;
	c.input_len = o.input.len;
	c.out_mode = c.err_mode = JSR_IO_PIPE;
	if (jsr_spawn(r, &c) == -1) {
		v = jsr_throw_errno(vm, errno, "spawn /bin/sh", NULL);
		goto out;
	}
	v = jsr_exec_result(r, &c);
out:
	jsr_cp_opts_release(&o);
	jsr_child_release(&c);
	buf_release(&cmd);
	return v;
}

/* glob(pattern): matching files below the current directory (or below
 * / for an absolute pattern), sorted. */
static struct js_value
jsr_rt_glob(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct glob_list gl;
	struct buf p;
	struct js_value arr = js_exception(), s;
	struct js_ref *ref = NULL;
	const char *pat, *why;
	char path[PATH_MAX];
	size_t i;
	int abs;

	buf_init(&p);
	glob_list_init(&gl);
	if (jsr_path_arg(vm, argc, argv, 0, "pattern", &p) == -1)
		goto out;
	pat = buf_cstr(&p);
	abs = pat[0] == '/';
	while (*pat == '/')
		pat++;
	while (strncmp(pat, "./", 2) == 0)
		for (pat += 2; *pat == '/'; pat++)
			;
	if (*pat == '\0') {
		arr = js_array_new(vm);
		goto out;
	}
	if (glob_walk(abs ? "/" : ".", pat, &gl, &why) == -1) {
		arr = js_throw_error(
		    vm, JS_ERROR, "glob \"%s\": %s", buf_cstr(&p), why);
		goto out;
	}
	arr = js_array_new(vm);
	if (js_is_exception(arr) || (ref = js_ref_new(vm, arr)) == NULL) {
		arr = js_exception();
		goto out;
	}
	for (i = 0; i < gl.n; i++) {
		snprintf(
		    path, sizeof(path), "%s%s", abs ? "/" : "", gl.paths[i]);
		s = js_string_cstr(vm, path);
		if (js_is_exception(s) ||
		    js_array_push(vm, js_ref_get(ref), s) == -1) {
			arr = js_exception();
			goto out;
		}
	}
	arr = js_ref_get(ref);
out:
	if (ref != NULL)
		js_ref_free(vm, ref);
	glob_list_release(&gl);
	buf_release(&p);
	return arr;
}

static struct js_value
jsr_rt_hash_file(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	char hex[SHA256_HEX_LEN + 1];
	struct buf p;
	struct js_value v = js_exception();

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "path", &p) == 0) {
		if (script_hash_file(buf_cstr(&p), hex) == -1)
			v = jsr_throw_errno(vm, errno, "open", buf_cstr(&p));
		else
			v = js_string(vm, hex, SHA256_HEX_LEN);
	}
	buf_release(&p);
	return v;
}

/* ---- fabrik:cache ------------------------------------------------------ */

static int
jsr_cache_on(const struct jsr *r)
{
	return r->o->cache != NULL && !r->o->no_cache;
}

/* The store key of a user hash (argv[0], a non-empty string). */
static int
jsr_user_key(struct js_vm *vm, int argc, const struct js_value *argv,
    unsigned char key[STORE_KEY_LEN], struct buf *h)
{
	struct js_value v = jsr_arg(argc, argv, 0);

	if (js_type_of(v) != JS_TYPE_STRING || jsr_cstr(v, h) == -1 ||
	    h->len == 0) {
		jsr_bad_arg(vm, "hash", "a non-empty string", v);
		return -1;
	}
	store_key_for(STORE_NS_RECIPE, h->data, h->len, key);
	return 0;
}

static struct js_value
jsr_cache_get(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	unsigned char key[STORE_KEY_LEN];
	struct buf h, data, meta;
	struct js_value v = js_exception();

	buf_init(&h);
	buf_init(&data);
	buf_init(&meta);
	if (jsr_user_key(vm, argc, argv, key, &h) == -1)
		goto out;
	if (jsr_cache_on(r) && rcache_get(r->o->cache, key, &data, &meta) == 1)
		v = jsr_buffer(r, data.data, data.len);
	else
		v = js_null();
out:
	buf_release(&h);
	buf_release(&data);
	buf_release(&meta);
	return v;
}

static struct js_value
jsr_cache_has(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	unsigned char key[STORE_KEY_LEN];
	struct buf h, data, meta;
	struct js_value v = js_exception();

	buf_init(&h);
	buf_init(&data);
	buf_init(&meta);
	if (jsr_user_key(vm, argc, argv, key, &h) == 0)
		v = js_bool(jsr_cache_on(r) &&
		    rcache_get(r->o->cache, key, &data, &meta) == 1);
	buf_release(&h);
	buf_release(&data);
	buf_release(&meta);
	return v;
}

static struct js_value
jsr_cache_put(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	unsigned char key[STORE_KEY_LEN];
	struct buf h, data, meta;
	struct js_value v = js_exception();
	const char *why;
	size_t i;

	buf_init(&h);
	buf_init(&data);
	buf_init(&meta);
	if (jsr_user_key(vm, argc, argv, key, &h) == -1 ||
	    jsr_data_arg(
		vm, jsr_arg(argc, argv, 1), JSR_ENC_UTF8, "bytes", &data) == -1)
		goto out;
	if (!jsr_cache_on(r)) {
		v = js_bool(0);
		goto out;
	}
	/* The metadata is line-based: the user's hash is shown without
	 * control characters, cut to fit. */
	for (i = 0; i < h.len; i++)
		if (h.data[i] < 0x20 || h.data[i] == 0x7f)
			h.data[i] = '?';
	if (buf_printf(&meta, "created_ms=%llu\nkey=%.200s\nrecipe=%.*s\n",
		(unsigned long long)script_wall_ms(), buf_cstr(&h),
		(int)(STORE_META_MAX - 300), r->srcs[0].abs) == -1) {
		v = jsr_oom(vm);
		goto out;
	}
	if (rcache_put(r->o->cache, key, STORE_NS_RECIPE,
		data.len ? data.data : (const unsigned char *)"", data.len,
		meta.data, meta.len, &why) == -1) {
		v = js_throw_error(vm, JS_ERROR, "fabrik:cache put: %s", why);
		goto out;
	}
	v = js_bool(1);
out:
	buf_release(&h);
	buf_release(&data);
	buf_release(&meta);
	return v;
}

/* ---- fabrik:config ----------------------------------------------------- */

/* Keys whose values getConfig() hides (as `fabrik config show` does). */
static const char *const jsr_secret_keys[] = { "tokens", "secret_key",
	"session_token", "secret", "token", "access_keys" };

static int
jsr_is_secret(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(jsr_secret_keys) / sizeof(jsr_secret_keys[0]);
	     i++)
		if (strcmp(key, jsr_secret_keys[i]) == 0)
			return 1;
	return 0;
}

static struct js_value
jsr_config_value(struct js_vm *vm, const struct config_key *k,
    const struct config_value *v, const char *override)
{
	struct js_value a, s;
	int secret = jsr_is_secret(k->key);
	size_t i;

	switch (k->type) {
	case CT_BOOL:
		return js_bool(v->i != 0);
	case CT_INT:
	case CT_SIZE:
	case CT_DURATION:
		return js_number((double)v->i);
	case CT_LIST:
		a = js_array_new(vm);
		for (i = 0; !js_is_exception(a) && i < v->nlist; i++) {
			s = js_string_cstr(
			    vm, secret ? "********" : v->list[i]);
			if (js_is_exception(s) || js_array_push(vm, a, s) == -1)
				a = js_exception();
		}
		return a;
	default:
		if (override != NULL)
			return js_string_cstr(vm, override);
		return js_string_cstr(vm,
		    secret && v->s != NULL && *v->s != '\0' ? "********"
			: v->s != NULL			    ? v->s
							    : "");
	}
}

static struct js_value
jsr_get_config(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	const struct config *cfg = r->o->cfg;
	struct config local;
	struct js_value root, sec, v, ups = js_undefined(), up;
	const char *ov;
	size_t i, n;

	if (cfg == NULL) {
		config_init(&local, 0);
		cfg = &local;
	}
	root = js_object_new(vm);
	for (i = 0; !js_is_exception(root) && i < CFG_COUNT; i++) {
		sec = js_get(vm, root, config_keys[i].section);
		if (js_type_of(sec) == JS_TYPE_UNDEFINED) {
			sec = js_object_new(vm);
			if (js_is_exception(sec) ||
			    js_set(vm, root, config_keys[i].section, sec) ==
				-1) {
				root = js_exception();
				break;
			}
		}
		ov = NULL;
		if (i == CFG_CACHE_DIR && r->o->cache_dir != NULL &&
		    (cfg->v[i].s == NULL || *cfg->v[i].s == '\0'))
			ov = r->o->cache_dir;
		v = jsr_config_value(vm, &config_keys[i], &cfg->v[i], ov);
		if (js_is_exception(v) ||
		    js_set(vm, sec, config_keys[i].key, v) == -1)
			root = js_exception();
	}
	if (!js_is_exception(root)) {
		ups = js_array_new(vm);
		if (js_is_exception(ups) ||
		    js_set(vm, root, "upstream", ups) == -1)
			root = js_exception();
	}
	for (n = 0; !js_is_exception(root) && n < cfg->nupstreams; n++) {
		up = js_object_new(vm);
		if (js_is_exception(up) || js_array_push(vm, ups, up) == -1) {
			root = js_exception();
			break;
		}
		for (i = 0; i < CFG_UP_COUNT; i++) {
			v = jsr_config_value(
			    vm, &config_up_keys[i], &cfg->up[n][i], NULL);
			if (js_is_exception(v) ||
			    js_set(vm, up, config_up_keys[i].key, v) == -1) {
				root = js_exception();
				break;
			}
		}
	}
	if (cfg == &local)
		config_release(&local);
	return root;
}

/* ---- process, Fabrik and Buffer ---------------------------------------- */

static struct js_value
jsr_process_cwd(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	char cwd[PATH_MAX];

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return jsr_throw_errno(vm, errno, "uv_cwd", NULL);
	return js_string_cstr(vm, cwd);
}

static int
jsr_exit_code(struct jsr *r)
{
	struct js_value v;
	double d;

	if (r->process == NULL)
		return 0;
	v = js_get(r->vm, js_ref_get(r->process), "exitCode");
	if (js_is_exception(v)) {
		(void)js_exception_take(r->vm);
		return 0;
	}
	if (js_type_of(v) == JS_TYPE_STRING)
		v = js_number(strtod(js_string_utf8(v, NULL), NULL));
	d = js_get_number(v);
	return isnan(d) ? 0 : (int)((long long)d & 0xff);
}

static struct js_value
jsr_process_exit(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	int code;

	if (argc > 0 && js_type_of(argv[0]) == JS_TYPE_NUMBER)
		code = (int)((long long)js_get_number(argv[0]) & 0xff);
	else
		code = jsr_exit_code(r);
	fflush(NULL);
	exit(code);
}

/* process.stdout.write / process.stderr.write */
static struct js_value
jsr_write_stream(
    struct jsr *r, int is_err, int argc, const struct js_value *argv)
{
	struct buf b;

	buf_init(&b);
	if (jsr_data_arg(r->vm, jsr_arg(argc, argv, 0), JSR_ENC_UTF8, "chunk",
		&b) == -1) {
		buf_release(&b);
		return js_exception();
	}
	jsr_emit(r, is_err, b.data, b.len);
	buf_release(&b);
	return js_bool(1);
}

static struct js_value
jsr_stdout_write(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_write_stream(opaque, 0, argc, argv);
}

static struct js_value
jsr_stderr_write(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	return jsr_write_stream(opaque, 1, argc, argv);
}

struct jsr_fn {
	const char *name;
	int nargs;
	js_native_fn *fn;
};

static int
jsr_add_fns(struct jsr *r, struct js_value o, const struct jsr_fn *t)
{
	for (; t->name != NULL; t++)
		if (jsr_set_fn(r->vm, o, t->name, t->nargs, t->fn, r) == -1)
			return -1;
	return 0;
}

/* Buffer natives behind the prelude's class (fabrik:internal). */
static struct js_value
jsr_buf_from(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value v = jsr_arg(argc, argv, 0), e;
	struct js_ref *ref;
	enum jsr_enc enc;
	struct buf b;
	size_t i, n;
	double d;

	buf_init(&b);
	if (js_type_of(v) == JS_TYPE_STRING) {
		if (jsr_encoding(
			vm, jsr_arg(argc, argv, 1), JSR_ENC_UTF8, &enc) == -1 ||
		    jsr_data_arg(vm, v, enc, "value", &b) == -1)
			goto fail;
	} else if (js_is_uint8array(v)) {
		if (jsr_data_arg(vm, v, JSR_ENC_UTF8, "value", &b) == -1)
			goto fail;
	} else if (js_is_array(v)) {
		if ((ref = js_ref_new(vm, v)) == NULL) {
			jsr_oom(vm);
			goto fail;
		}
		n = js_array_length(v);
		for (i = 0; i < n; i++) {
			e = js_get_index(vm, js_ref_get(ref), i);
			if (js_is_exception(e)) {
				js_ref_free(vm, ref);
				goto fail;
			}
			/* ToUint8; doubles this large are multiples of
			 * 256. */
			d = js_get_number(e);
			if (buf_putc(&b,
				isnan(d) || d >= 4e18 || d <= -4e18
				    ? 0
				    : (int)((long long)d & 0xff)) == -1) {
				js_ref_free(vm, ref);
				jsr_oom(vm);
				goto fail;
			}
		}
		js_ref_free(vm, ref);
	} else {
		jsr_bad_arg(vm, "first",
		    "of type string or an instance of Buffer, Uint8Array or "
		    "Array",
		    v);
		goto fail;
	}
	v = js_uint8array_new(vm, b.data, b.len);
	buf_release(&b);
	return v;
fail:
	buf_release(&b);
	return js_exception();
}

static struct js_value
jsr_buf_alloc(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value sz = jsr_arg(argc, argv, 0),
			fill = jsr_arg(argc, argv, 1);
	struct buf pat, b;
	struct js_value v = js_exception();
	enum jsr_enc enc;
	double d = js_get_number(sz);
	size_t n, i;

	buf_init(&pat);
	buf_init(&b);
	if (js_type_of(sz) != JS_TYPE_NUMBER || isnan(d) || d < 0 ||
	    d > (double)JS_RECIPE_MAX_READ) {
		v = jsr_throw_code(vm, JS_RANGE_ERROR, "ERR_OUT_OF_RANGE",
		    "The value of \"size\" is out of range.");
		goto out;
	}
	n = (size_t)d;
	if (js_type_of(fill) == JS_TYPE_NUMBER) {
		if (buf_putc(&pat,
			(int)((long long)js_get_number(fill) & 0xff)) == -1)
			goto oom;
	} else if (js_type_of(fill) == JS_TYPE_STRING ||
	    js_is_uint8array(fill)) {
		if (jsr_encoding(
			vm, jsr_arg(argc, argv, 2), JSR_ENC_UTF8, &enc) == -1 ||
		    jsr_data_arg(vm, fill, enc, "fill", &pat) == -1)
			goto out;
	}
	if (buf_reserve(&b, n + 1) == -1)
		goto oom;
	memset(b.data, 0, n + 1);
	if (pat.len > 0)
		for (i = 0; i < n; i++)
			b.data[i] = pat.data[i % pat.len];
	b.len = n;
	v = js_uint8array_new(vm, b.data, b.len);
	goto out;
oom:
	v = jsr_oom(vm);
out:
	buf_release(&pat);
	buf_release(&b);
	return v;
}

static struct js_value
jsr_buf_concat(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value list = jsr_arg(argc, argv, 0), e,
			tot = jsr_arg(argc, argv, 1);
	struct js_ref *ref;
	struct buf b;
	const unsigned char *p;
	size_t i, n, len;
	double d;

	if (!js_is_array(list))
		return jsr_bad_arg(vm, "list", "an instance of Array", list);
	if ((ref = js_ref_new(vm, list)) == NULL)
		return jsr_oom(vm);
	buf_init(&b);
	n = js_array_length(list);
	for (i = 0; i < n; i++) {
		e = js_get_index(vm, js_ref_get(ref), i);
		if (js_is_exception(e))
			goto fail;
		if ((p = js_uint8array_bytes(e, &len)) == NULL) {
			jsr_throw_code(vm, JS_TYPE_ERROR,
			    "ERR_INVALID_ARG_TYPE",
			    "The \"list[%zu]\" argument must be an instance "
			    "of Buffer or Uint8Array. Received %s",
			    i, jsr_type_name(e));
			goto fail;
		}
		if (b.len + len > JS_RECIPE_MAX_READ ||
		    buf_append(&b, p, len) == -1) {
			jsr_oom(vm);
			goto fail;
		}
	}
	js_ref_free(vm, ref);
	if (js_type_of(tot) == JS_TYPE_NUMBER) {
		d = js_get_number(tot);
		n = d > 0 && d <= (double)JS_RECIPE_MAX_READ ? (size_t)d : 0;
		if (n < b.len)
			b.len = n;
		while (b.len < n)
			if (buf_putc(&b, 0) == -1) {
				buf_release(&b);
				return jsr_oom(vm);
			}
	}
	e = js_uint8array_new(vm, b.data, b.len);
	buf_release(&b);
	return e;
fail:
	js_ref_free(vm, ref);
	buf_release(&b);
	return js_exception();
}

/* An index argument clamped to [0, len] (undefined: dflt). */
static size_t
jsr_clamp(struct js_value v, size_t len, size_t dflt)
{
	double d;

	if (js_type_of(v) != JS_TYPE_NUMBER)
		return dflt;
	d = js_get_number(v);
	if (isnan(d) || d <= 0)
		return 0;
	return d >= (double)len ? len : (size_t)d;
}

static struct js_value
jsr_buf_to_string(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct jsr *r = opaque;
	const unsigned char *p;
	enum jsr_enc enc;
	size_t len, s, e;

	if ((p = js_uint8array_bytes(jsr_arg(argc, argv, 0), &len)) == NULL)
		return js_throw_error(vm, JS_TYPE_ERROR, "not a Buffer");
	if (jsr_encoding(vm, jsr_arg(argc, argv, 1), JSR_ENC_UTF8, &enc) == -1)
		return js_exception();
	if (enc == JSR_ENC_BUFFER)
		enc = JSR_ENC_UTF8;
	s = jsr_clamp(jsr_arg(argc, argv, 2), len, 0);
	e = jsr_clamp(jsr_arg(argc, argv, 3), len, len);
	if (e < s)
		e = s;
	return jsr_bytes_value(r, p + s, e - s, enc);
}

static struct js_value
jsr_buf_equals(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	const unsigned char *a, *b;
	size_t na, nb;

	a = js_uint8array_bytes(jsr_arg(argc, argv, 0), &na);
	b = js_uint8array_bytes(jsr_arg(argc, argv, 1), &nb);
	if (a == NULL || b == NULL)
		return jsr_bad_arg(vm, "otherBuffer",
		    "an instance of Buffer or Uint8Array",
		    jsr_arg(argc, argv, 1));
	return js_bool(na == nb && (na == 0 || memcmp(a, b, na) == 0));
}

static struct js_value
jsr_buf_byte_length(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf b;
	enum jsr_enc enc;
	size_t n;

	buf_init(&b);
	if (jsr_encoding(vm, jsr_arg(argc, argv, 1), JSR_ENC_UTF8, &enc) ==
		-1 ||
	    jsr_data_arg(vm, jsr_arg(argc, argv, 0), enc, "string", &b) == -1) {
		buf_release(&b);
		return js_exception();
	}
	n = b.len;
	buf_release(&b);
	return js_number((double)n);
}

/* Fabrik.readFile(path[, encoding]): utf8 unless told. */
static struct js_value
jsr_fabrik_read(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct js_value a[2];

	a[0] = jsr_arg(argc, argv, 0);
	a[1] = argc > 1 ? argv[1] : js_string_cstr(vm, "utf8");
	if (js_is_exception(a[1]))
		return a[1];
	return jsr_fs_read_file(vm, this_val, 2, a, opaque);
}

/* mkdir -p of the directory holding path (best effort). */
static void
mkdir_parents(char *path)
{
	char *s;

	for (s = path + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		(void)mkdir(path, 0777);
		*s = '/';
	}
}

/* Fabrik.writeFile(path, data): creates missing parent directories. */
static struct js_value
jsr_fabrik_write(struct js_vm *vm, struct js_value this_val, int argc,
    const struct js_value *argv, void *opaque)
{
	struct buf p;

	buf_init(&p);
	if (jsr_path_arg(vm, argc, argv, 0, "file", &p) == -1) {
		buf_release(&p);
		return js_exception();
	}
	mkdir_parents((char *)p.data);
	buf_release(&p);
	return jsr_write_common(vm, argc, argv, 0);
}

/* ---- native modules ---------------------------------------------------- */

static const struct jsr_fn jsr_fs_fns[] = {
	{ "readFileSync", 2, jsr_fs_read_file },
	{ "writeFileSync", 3, jsr_fs_write_file },
	{ "appendFileSync", 3, jsr_fs_append_file },
	{ "existsSync", 1, jsr_fs_exists },
	{ "mkdirSync", 2, jsr_fs_mkdir },
	{ "readdirSync", 2, jsr_fs_readdir },
	{ "statSync", 2, jsr_fs_stat },
	{ "lstatSync", 2, jsr_fs_lstat },
	{ "rmSync", 2, jsr_fs_rm },
	{ "unlinkSync", 1, jsr_fs_unlink },
	{ "rmdirSync", 1, jsr_fs_rmdir },
	{ "renameSync", 2, jsr_fs_rename },
	{ "copyFileSync", 2, jsr_fs_copy_file },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_fsp_fns[] = {
	{ "readFile", 2, jsr_fsp_read_file },
	{ "writeFile", 3, jsr_fsp_write_file },
	{ "appendFile", 3, jsr_fsp_append_file },
	{ "mkdir", 2, jsr_fsp_mkdir },
	{ "readdir", 2, jsr_fsp_readdir },
	{ "stat", 2, jsr_fsp_stat },
	{ "lstat", 2, jsr_fsp_lstat },
	{ "rm", 2, jsr_fsp_rm },
	{ "unlink", 1, jsr_fsp_unlink },
	{ "rmdir", 1, jsr_fsp_rmdir },
	{ "rename", 2, jsr_fsp_rename },
	{ "copyFile", 2, jsr_fsp_copy_file },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_path_fns[] = {
	{ "join", 0, jsr_path_join },
	{ "resolve", 0, jsr_path_resolve },
	{ "normalize", 1, jsr_path_normalize },
	{ "relative", 2, jsr_path_relative },
	{ "dirname", 1, jsr_path_dirname },
	{ "basename", 2, jsr_path_basename },
	{ "extname", 1, jsr_path_extname },
	{ "isAbsolute", 1, jsr_path_is_absolute },
	{ "parse", 1, jsr_path_parse },
	{ "format", 1, jsr_path_format },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_child_fns[] = {
	{ "spawnSync", 3, jsr_cp_spawn_sync },
	{ "execSync", 2, jsr_cp_exec_sync },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_runtime_fns[] = {
	{ "run", 3, jsr_rt_run },
	{ "glob", 1, jsr_rt_glob },
	{ "hashFile", 1, jsr_rt_hash_file },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_cache_fns[] = {
	{ "get", 1, jsr_cache_get },
	{ "put", 2, jsr_cache_put },
	{ "has", 1, jsr_cache_has },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_config_fns[] = {
	{ "getConfig", 0, jsr_get_config },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_internal_fns[] = {
	{ "from", 2, jsr_buf_from },
	{ "alloc", 3, jsr_buf_alloc },
	{ "concat", 2, jsr_buf_concat },
	{ "toString", 4, jsr_buf_to_string },
	{ "equals", 2, jsr_buf_equals },
	{ "byteLength", 2, jsr_buf_byte_length },
	{ NULL, 0, NULL },
};

static const struct jsr_fn jsr_fabrik_fns[] = {
	{ "readFile", 2, jsr_fabrik_read },
	{ "writeFile", 2, jsr_fabrik_write },
	{ "exists", 1, jsr_fs_exists },
	{ "glob", 1, jsr_rt_glob },
	{ "exec", 2, jsr_fabrik_exec },
	{ "hashFile", 1, jsr_rt_hash_file },
	{ NULL, 0, NULL },
};

static struct js_value jsr_module(struct jsr *, enum jsr_mod);

/* Module objects: functions from a table plus a few values. */
static struct js_value
jsr_build_fns(struct jsr *r, const struct jsr_fn *t)
{
	struct js_value o = js_object_new(r->vm);

	if (js_is_exception(o) || jsr_add_fns(r, o, t) == -1)
		return js_exception();
	return o;
}

static struct js_value
jsr_build_runtime(struct jsr *r)
{
	struct js_value o = jsr_build_fns(r, jsr_runtime_fns), d;
	struct jsr_shell *sh;

	if (js_is_exception(o))
		return o;
	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return jsr_oom(r->vm);
	d = jsr_shell_new(r, sh);
	if (js_is_exception(d) || js_set(r->vm, o, "$", d) == -1)
		return js_exception();
	return o;
}

static struct js_value
jsr_build_cache(struct jsr *r)
{
	return jsr_build_fns(r, jsr_cache_fns);
}

static struct js_value
jsr_build_config(struct jsr *r)
{
	return jsr_build_fns(r, jsr_config_fns);
}

static struct js_value
jsr_build_fs(struct jsr *r)
{
	struct js_value o = jsr_build_fns(r, jsr_fs_fns), p;

	if (js_is_exception(o))
		return o;
	p = jsr_module(r, JSR_MOD_FSP);
	if (js_is_exception(p) || js_set(r->vm, o, "promises", p) == -1)
		return js_exception();
	return o;
}

static struct js_value
jsr_build_fsp(struct jsr *r)
{
	return jsr_build_fns(r, jsr_fsp_fns);
}

static struct js_value
jsr_build_path(struct jsr *r)
{
	struct js_value o = jsr_build_fns(r, jsr_path_fns);

	if (js_is_exception(o) || jsr_set_str(r->vm, o, "sep", "/") == -1 ||
	    jsr_set_str(r->vm, o, "delimiter", ":") == -1 ||
	    js_set(r->vm, o, "posix", o) == -1)
		return js_exception();
	return o;
}

static struct js_value
jsr_build_child(struct jsr *r)
{
	return jsr_build_fns(r, jsr_child_fns);
}

static struct js_value
jsr_build_buffer(struct jsr *r)
{
	struct js_value o = js_object_new(r->vm), b;

	if (js_is_exception(o))
		return o;
	b = js_get(r->vm, js_global(r->vm), "Buffer");
	if (js_is_exception(b) || js_set(r->vm, o, "Buffer", b) == -1)
		return js_exception();
	return o;
}

static struct js_value
jsr_build_process(struct jsr *r)
{
	return js_ref_get(r->process);
}

static struct js_value
jsr_build_internal(struct jsr *r)
{
	return jsr_build_fns(r, jsr_internal_fns);
}

static struct js_value (*const jsr_builders[JSR_MOD_COUNT])(struct jsr *) = {
	jsr_build_runtime,
	jsr_build_cache,
	jsr_build_config,
	jsr_build_fs,
	jsr_build_fsp,
	jsr_build_path,
	jsr_build_child,
	jsr_build_buffer,
	jsr_build_process,
	jsr_build_internal,
};

/* The module object of id, built on first use.  Its "default" export is
 * the object itself (import fs from "fs"), except for the internal one. */
static struct js_value
jsr_module(struct jsr *r, enum jsr_mod id)
{
	struct js_value o;

	if (r->mods[id] != NULL)
		return js_ref_get(r->mods[id]);
	o = jsr_builders[id](r);
	if (js_is_exception(o))
		return o;
	if (id != JSR_MOD_INTERNAL && id != JSR_MOD_PROCESS &&
	    js_set(r->vm, o, "default", o) == -1)
		return js_exception();
	if ((r->mods[id] = js_ref_new(r->vm, o)) == NULL)
		return jsr_oom(r->vm);
	return o;
}

/* ---- globals ----------------------------------------------------------- */

static struct js_value
jsr_process_new(struct jsr *r)
{
	struct js_vm *vm = r->vm;
	struct js_value p = js_object_new(vm), env, argv, s;
	struct utsname u;
	char **e, cwd[PATH_MAX];
	const char *eq, *arch;
	size_t i;

	if (js_is_exception(p))
		return p;
	env = js_object_new(vm);
	if (js_is_exception(env) || js_set(vm, p, "env", env) == -1)
		return js_exception();
	for (e = environ; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL || eq == *e)
			continue;
		snprintf(cwd, sizeof(cwd), "%.*s", (int)(eq - *e), *e);
		if (jsr_set_str(vm, env, cwd, eq + 1) == -1)
			return js_exception();
	}
	argv = js_array_new(vm);
	if (js_is_exception(argv) || js_set(vm, p, "argv", argv) == -1)
		return js_exception();
	s = js_string_cstr(vm, "fabrik");
	if (js_is_exception(s) || js_array_push(vm, argv, s) == -1)
		return js_exception();
	s = js_string_cstr(vm, r->srcs[0].abs);
	if (js_is_exception(s) || js_array_push(vm, argv, s) == -1)
		return js_exception();
	for (i = 0; i < r->nargs; i++) {
		s = js_string_cstr(vm, r->args[i]);
		if (js_is_exception(s) || js_array_push(vm, argv, s) == -1)
			return js_exception();
	}
	if (uname(&u) == -1)
		snprintf(u.sysname, sizeof(u.sysname), "unknown");
	for (i = 0; u.sysname[i] != '\0'; i++)
		if (u.sysname[i] >= 'A' && u.sysname[i] <= 'Z')
			u.sysname[i] = (char)(u.sysname[i] + 32);
	arch =
	    strcmp(u.machine, "x86_64") == 0 || strcmp(u.machine, "amd64") == 0
	    ? "x64"
	    : strcmp(u.machine, "aarch64") == 0 ||
		strcmp(u.machine, "arm64") == 0
	    ? "arm64"
	    : u.machine;
	if (jsr_set_str(vm, p, "platform", u.sysname) == -1 ||
	    jsr_set_str(vm, p, "arch", arch) == -1 ||
	    js_set(vm, p, "pid", js_number((double)getpid())) == -1 ||
	    jsr_set_fn(vm, p, "cwd", 0, jsr_process_cwd, r) == -1 ||
	    jsr_set_fn(vm, p, "exit", 1, jsr_process_exit, r) == -1)
		return js_exception();
	s = js_object_new(vm);
	if (js_is_exception(s) || js_set(vm, p, "stdout", s) == -1 ||
	    jsr_set_fn(vm, s, "write", 1, jsr_stdout_write, r) == -1)
		return js_exception();
	s = js_object_new(vm);
	if (js_is_exception(s) || js_set(vm, p, "stderr", s) == -1 ||
	    jsr_set_fn(vm, s, "write", 1, jsr_stderr_write, r) == -1)
		return js_exception();
	if ((r->env = js_ref_new(vm, env)) == NULL)
		return jsr_oom(vm);
	return p;
}

static struct js_value
jsr_fabrik_new(struct jsr *r)
{
	struct js_value f = jsr_build_fns(r, jsr_fabrik_fns), c;

	if (js_is_exception(f))
		return f;
	c = jsr_build_fns(r, jsr_cache_fns);
	if (js_is_exception(c) || js_set(r->vm, f, "cache", c) == -1)
		return js_exception();
	return f;
}

/*
 * Buffer, as a subclass of Uint8Array whose work is done by the natives
 * of fabrik:internal.  Buffers made by natives (fs.readFileSync, ...) are
 * Uint8Arrays given Buffer.prototype by wrap().
 */
#define JSR_PRELUDE_NAME "fabrik:prelude"
static const char jsr_prelude[] =
    "import * as N from \"fabrik:internal\";\n"
    "const U8 = Uint8Array.prototype;\n"
    "export class Buffer extends Uint8Array {\n"
    "\tstatic from(v, enc) { return wrap(N.from(v, enc)); }\n"
    "\tstatic alloc(n, fill, enc) { return wrap(N.alloc(n, fill, enc)); }\n"
    "\tstatic allocUnsafe(n) { return wrap(N.alloc(n)); }\n"
    "\tstatic concat(list, n) { return wrap(N.concat(list, n)); }\n"
    "\tstatic isBuffer(b) { return b instanceof Buffer; }\n"
    "\tstatic byteLength(s, enc) {\n"
    "\t\treturn typeof s === \"string\" ? N.byteLength(s, enc) : "
    "s.length;\n"
    "\t}\n"
    "\ttoString(enc, start, end) { return N.toString(this, enc, start, "
    "end); }\n"
    "\tequals(o) { return N.equals(this, o); }\n"
    "\tsubarray(s, e) { return wrap(U8.subarray.call(this, s, e)); }\n"
    "\tslice(s, e) { return wrap(U8.subarray.call(this, s, e)); }\n"
    "\ttoJSON() { return { type: \"Buffer\", data: Array.from(this) }; }\n"
    "}\n"
    "export function wrap(u8) {\n"
    "\treturn Object.setPrototypeOf(u8, Buffer.prototype);\n"
    "}\n";

static int
jsr_globals(struct jsr *r)
{
	struct js_vm *vm = r->vm;
	struct js_module *pm;
	struct js_value g = js_global(vm), v, ns;

	v = jsr_process_new(r);
	if (js_is_exception(v) || (r->process = js_ref_new(vm, v)) == NULL ||
	    js_set(vm, g, "process", v) == -1)
		return -1;
	v = jsr_fabrik_new(r);
	if (js_is_exception(v) || js_set(vm, g, "Fabrik", v) == -1)
		return -1;
	if (js_module_load(vm, jsr_prelude, sizeof(jsr_prelude) - 1,
		JSR_PRELUDE_NAME, 0, &pm) == -1)
		return -1;
	ns = js_module_namespace(vm, pm);
	v = js_get(vm, ns, "wrap");
	if (js_is_exception(v) || (r->wrap = js_ref_new(vm, v)) == NULL)
		return -1;
	v = js_get(vm, ns, "Buffer");
	if (js_is_exception(v) || js_set(vm, g, "Buffer", v) == -1)
		return -1;
	return 0;
}

/* ---- module resolution ------------------------------------------------- */

static struct jsr_src *
jsr_src_by_label(struct jsr *r, const char *label)
{
	size_t i;

	for (i = 0; i < r->nsrcs; i++)
		if (strcmp(r->srcs[i].label, label) == 0)
			return &r->srcs[i];
	return NULL;
}

/* Reads path as a new source; -1 with errno. */
static int
jsr_src_add(struct jsr *r, const char *label, const char *abs)
{
	struct jsr_src *ns, *s;
	struct buf b;
	size_t len;

	if (r->nsrcs >= JS_RECIPE_MAX_MODULES) {
		errno = EMFILE;
		return -1;
	}
	buf_init(&b);
	if (script_read_file(abs, JS_RECIPE_MAX_SOURCE, &b) == -1 ||
	    buf_putc(&b, '\0') == -1) {
		buf_release(&b);
		return -1;
	}
	b.len--;
	if ((ns = realloc(r->srcs, (r->nsrcs + 1) * sizeof(*ns))) == NULL) {
		buf_release(&b);
		errno = ENOMEM;
		return -1;
	}
	r->srcs = ns;
	s = &ns[r->nsrcs];
	memset(s, 0, sizeof(*s));
	sha256_hex(b.data, b.len, s->hex);
	s->text = buf_detach(&b, &len);
	s->len = len;
	if ((s->label = strdup(label)) == NULL ||
	    (s->abs = strdup(abs)) == NULL) {
		free(s->label);
		free(s->abs);
		free(s->text);
		errno = ENOMEM;
		return -1;
	}
	r->nsrcs++;
	return 0;
}

/* Candidate file names for an import, in order. */
static const char *const jsr_probes[] = { "", ".js", ".ts", ".mjs", ".mts",
	"/index.js", "/index.ts" };

static int
jsr_resolve_file(struct jsr *r, const char *spec, const char *referrer,
    struct js_resolved *out)
{
	struct jsr_src *from = jsr_src_by_label(r, referrer), *s;
	struct buf abs, label, cand, lcand;
	char real[PATH_MAX], dir[PATH_MAX];
	const char *d;
	struct stat st;
	size_t i, dn, n;
	int rc = -1, found = 0;

	buf_init(&abs);
	buf_init(&label);
	buf_init(&cand);
	buf_init(&lcand);
	d = path_dirname(from != NULL ? from->abs : r->srcs[0].abs, &dn);
	snprintf(dir, sizeof(dir), "%.*s", (int)dn, d);
	if (path_join2(dir, spec, &abs) == -1)
		goto oom;
	d = path_dirname(from != NULL ? from->label : r->srcs[0].label, &dn);
	snprintf(dir, sizeof(dir), "%.*s", (int)dn, d);
	if (path_join2(dir, spec, &label) == -1)
		goto oom;
	for (i = 0; i <= sizeof(jsr_probes) / sizeof(jsr_probes[0]) && !found;
	     i++) {
		buf_reset(&cand);
		buf_reset(&lcand);
		if (i < sizeof(jsr_probes) / sizeof(jsr_probes[0])) {
			if (buf_printf(&cand, "%s%s", buf_cstr(&abs),
				jsr_probes[i]) == -1 ||
			    buf_printf(&lcand, "%s%s", buf_cstr(&label),
				jsr_probes[i]) == -1)
				goto oom;
		} else {
			/* TypeScript's convention: "./x.js" names x.ts. */
			if (!ends_with(buf_cstr(&abs), ".js"))
				break;
			n = abs.len - 3;
			if (buf_printf(&cand, "%.*s.ts", (int)n,
				buf_cstr(&abs)) == -1 ||
			    buf_printf(&lcand, "%.*s.ts", (int)(label.len - 3),
				buf_cstr(&label)) == -1)
				goto oom;
		}
		found = stat(buf_cstr(&cand), &st) == 0 && S_ISREG(st.st_mode);
	}
	if (!found) {
		js_throw_error(r->vm, JS_ERROR,
		    "cannot find module '%s' imported from %s", spec, referrer);
		goto out;
	}
	if (realpath(buf_cstr(&cand), real) == NULL) {
		js_throw_error(r->vm, JS_ERROR, "%s: %s", buf_cstr(&lcand),
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < r->nsrcs; i++)
		if (strcmp(r->srcs[i].abs, real) == 0)
			break;
	if (i == r->nsrcs && jsr_src_add(r, buf_cstr(&lcand), real) == -1) {
		js_throw_error(r->vm, JS_ERROR, "cannot read module %s: %s",
		    buf_cstr(&lcand),
		    errno == EFBIG ? "too large" : strerror(errno));
		goto out;
	}
	s = &r->srcs[i];
	memset(out, 0, sizeof(*out));
	out->source = s->text;
	out->len = s->len;
	out->filename = s->label;
	out->ts = is_ts(s->abs);
	rc = 0;
	goto out;
oom:
	js_throw_error(r->vm, JS_RANGE_ERROR, "out of memory");
out:
	buf_release(&abs);
	buf_release(&label);
	buf_release(&cand);
	buf_release(&lcand);
	return rc;
}

static int
jsr_resolve(struct js_vm *vm, void *opaque, const char *spec,
    const char *referrer, struct js_resolved *out)
{
	struct jsr *r = opaque;
	const char *name = spec;
	struct js_value v;
	size_t i;

	if (strncmp(name, "node:", 5) == 0)
		name += 5;
	for (i = 0; i < sizeof(jsr_mod_names) / sizeof(jsr_mod_names[0]); i++) {
		if (strcmp(name, jsr_mod_names[i].name) != 0)
			continue;
		if (jsr_mod_names[i].id == JSR_MOD_INTERNAL &&
		    strcmp(referrer, JSR_PRELUDE_NAME) != 0)
			break;
		v = jsr_module(r, jsr_mod_names[i].id);
		if (js_is_exception(v))
			return -1;
		memset(out, 0, sizeof(*out));
		out->is_native = 1;
		out->native = v;
		return 0;
	}
	if (spec[0] == '/' || strncmp(spec, "./", 2) == 0 ||
	    strncmp(spec, "../", 3) == 0)
		return jsr_resolve_file(r, spec, referrer, out);
	js_throw_error(vm, JS_ERROR,
	    "cannot find module '%s' imported from %s (recipes import "
	    "relative paths, fabrik:runtime, fabrik:cache, fabrik:config, "
	    "fs, fs/promises, path, child_process, buffer and process)",
	    spec, referrer);
	return -1;
}

/* ---- running ----------------------------------------------------------- */

/* Prints the pending exception as "[fabrik] error: ..." (through the
 * capture, so a cached failure replays it). */
static void
jsr_report(struct jsr *r)
{
	struct js_value e = js_exception_take(r->vm);
	struct buf b, line;

	buf_init(&b);
	buf_init(&line);
	if (js_exception_format(r->vm, e, &b) == -1 || b.len == 0) {
		buf_reset(&b);
		errf(&b, "uncaught exception");
	}
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.len--;
	fflush(stdout);
	if (buf_append_str(&line, "[fabrik] error: ") == 0 &&
	    buf_append(&line, b.data, b.len) == 0 && buf_putc(&line, '\n') == 0)
		jsr_emit(r, 1, line.data, line.len);
	buf_release(&b);
	buf_release(&line);
}

static void
jsr_meta_release(struct jsr_meta *m)
{
	script_strv_free(m->inputs, m->ninputs);
	script_strv_free(m->outputs, m->noutputs);
	script_strv_free(m->envs, m->nenvs);
	free(m->key);
	memset(m, 0, sizeof(*m));
}

/* A string or an array of strings into v; -1 with a message in err. */
static int
jsr_meta_strings(struct js_vm *vm, struct js_value obj, const char *field,
    char ***v, size_t *n, struct buf *err)
{
	struct js_value x = js_get(vm, obj, field), e;
	struct js_ref *ref;
	struct buf b;
	size_t i, len;
	int rc = -1;

	if (js_is_exception(x))
		return -1;
	if (js_type_of(x) == JS_TYPE_UNDEFINED)
		return 0;
	buf_init(&b);
	if (js_type_of(x) == JS_TYPE_STRING) {
		rc =
		    jsr_cstr(x, &b) == -1 || strv_push(v, n, buf_cstr(&b)) == -1
		    ? -1
		    : 0;
		buf_release(&b);
		if (rc == -1)
			errf(err, "out of memory");
		return rc;
	}
	if (!js_is_array(x)) {
		errf(err, "recipe.%s must be a string or an array of strings",
		    field);
		return -1;
	}
	if ((ref = js_ref_new(vm, x)) == NULL)
		return -1;
	len = js_array_length(x);
	for (i = 0; i < len; i++) {
		e = js_get_index(vm, js_ref_get(ref), i);
		if (js_is_exception(e))
			goto out;
		if (js_type_of(e) != JS_TYPE_STRING) {
			errf(err, "recipe.%s[%zu] must be a string", field, i);
			goto out;
		}
		if (jsr_cstr(e, &b) == -1 ||
		    strv_push(v, n, buf_cstr(&b)) == -1) {
			errf(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	js_ref_free(vm, ref);
	buf_release(&b);
	return rc;
}

static const char *const jsr_meta_fields[] = { "inputs", "outputs", "env",
	"cacheTtl", "key", NULL };

/*
 * Reads `recipe` metadata.  Returns 0 with m filled, or -1: with a
 * message in err (bad metadata), else with an exception pending.
 */
static int
jsr_meta_parse(
    struct jsr *r, struct js_value obj, struct jsr_meta *m, struct buf *err)
{
	struct js_vm *vm = r->vm;
	struct js_ref *ref;
	struct js_value keys, k, v;
	struct buf b;
	const char *why;
	size_t i, j, n;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if ((ref = js_ref_new(vm, obj)) == NULL)
		return -1;
	buf_init(&b);
	keys = js_object_keys(vm, obj);
	if (js_is_exception(keys))
		goto out;
	n = js_array_length(keys);
	for (i = 0; i < n; i++) {
		k = js_get_index(vm, keys, i);
		if (js_is_exception(k) || jsr_cstr(k, &b) == -1)
			goto out;
		for (j = 0; jsr_meta_fields[j] != NULL; j++)
			if (strcmp(buf_cstr(&b), jsr_meta_fields[j]) == 0)
				break;
		if (jsr_meta_fields[j] == NULL) {
			errf(err,
			    "recipe has no field '%s' (inputs, outputs, env, "
			    "cacheTtl, key)",
			    buf_cstr(&b));
			goto out;
		}
	}
	obj = js_ref_get(ref);
	if (jsr_meta_strings(vm, obj, "inputs", &m->inputs, &m->ninputs, err) ==
		-1 ||
	    jsr_meta_strings(vm, js_ref_get(ref), "outputs", &m->outputs,
		&m->noutputs, err) == -1 ||
	    jsr_meta_strings(
		vm, js_ref_get(ref), "env", &m->envs, &m->nenvs, err) == -1)
		goto out;
	for (i = 0; i < m->ninputs; i++)
		if (m->inputs[i][0] == '\0' ||
		    glob_match(m->inputs[i], "", &why) == -1) {
			errf(err, "recipe.inputs: bad pattern '%s'",
			    m->inputs[i]);
			goto out;
		}
	for (i = 0; i < m->noutputs; i++)
		if (tar_check_path(m->outputs[i], &why) == -1) {
			errf(err,
			    "recipe.outputs: '%s' must be a relative path "
			    "inside the recipe's directory (%s)",
			    m->outputs[i], why);
			goto out;
		}
	for (i = 0; i < m->nenvs; i++)
		if (m->envs[i][0] == '\0' || strchr(m->envs[i], '=') != NULL) {
			errf(err, "recipe.env: bad variable name '%s'",
			    m->envs[i]);
			goto out;
		}
	v = js_get(vm, js_ref_get(ref), "cacheTtl");
	if (js_is_exception(v))
		goto out;
	if (js_type_of(v) == JS_TYPE_NUMBER) {
		if (!(js_get_number(v) > 0) || js_get_number(v) > 1e15) {
			errf(err,
			    "recipe.cacheTtl must be a positive number of "
			    "milliseconds or a duration such as \"7d\"");
			goto out;
		}
		m->ttl_ms = (uint64_t)js_get_number(v);
	} else if (js_type_of(v) == JS_TYPE_STRING) {
		if (units_parse_duration(
			js_string_utf8(v, NULL), &m->ttl_ms, &why) == -1 ||
		    m->ttl_ms == 0) {
			errf(err, "recipe.cacheTtl: %s",
			    m->ttl_ms == 0 ? "must be positive" : why);
			goto out;
		}
	} else if (js_type_of(v) != JS_TYPE_UNDEFINED) {
		errf(err,
		    "recipe.cacheTtl must be a number or a "
		    "string");
		goto out;
	}
	v = js_get(vm, js_ref_get(ref), "key");
	if (js_is_exception(v))
		goto out;
	if (js_type_of(v) != JS_TYPE_UNDEFINED) {
		if (jsr_to_cstr(vm, v, &b) == -1)
			goto out;
		if ((m->key = strdup(buf_cstr(&b))) == NULL)
			goto out;
	}
	rc = 0;
out:
	js_ref_free(vm, ref);
	buf_release(&b);
	if (rc == -1)
		jsr_meta_release(m);
	return rc;
}

static int
cmp_src(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key's text (doc/recipes-js.md lists the lines). */
static int
jsr_manifest(struct jsr *r, const char *target, char **args, size_t nargs,
    const struct jsr_meta *m, struct buf *out, struct buf *err)
{
	struct js_vm *vm = r->vm;
	struct glob_list files;
	struct buf rel, val;
	struct stat st;
	struct js_value v;
	char **mods = NULL, hex[SHA256_HEX_LEN + 1], link[PATH_MAX];
	char path[PATH_MAX];
	const char *why;
	size_t nmods = 0, i, j;
	ssize_t n;
	int rc = -1;

	glob_list_init(&files);
	buf_init(&rel);
	buf_init(&val);
	if (buf_printf(
		out, "fabrik-js-recipe 1\nrecipe %s\n", r->srcs[0].hex) == -1)
		goto oom;
	for (i = 1; i < r->nsrcs; i++) {
		if (path_relative(r->dir, r->srcs[i].abs, &rel) == -1 ||
		    buf_printf(&val, "module %s %s", buf_cstr(&rel),
			r->srcs[i].hex) == -1 ||
		    strv_push(&mods, &nmods, buf_cstr(&val)) == -1)
			goto oom;
		buf_reset(&val);
	}
	if (nmods > 1)
		qsort(mods, nmods, sizeof(*mods), cmp_src);
	for (i = 0; i < nmods; i++)
		if (buf_printf(out, "%s\n", mods[i]) == -1)
			goto oom;
	if (buf_printf(out, "target %s\n", target) == -1)
		goto oom;
	for (i = 0; i < nargs; i++)
		if (buf_printf(out, "arg %s\n", args[i]) == -1)
			goto oom;
	for (i = 0; i < m->noutputs; i++)
		if (buf_printf(out, "output %s\n", m->outputs[i]) == -1)
			goto oom;
	for (i = 0; i < m->ninputs; i++) {
		if (buf_printf(out, "input %s\n", m->inputs[i]) == -1)
			goto oom;
		glob_list_release(&files);
		if (glob_walk(r->dir, m->inputs[i], &files, &why) == -1) {
			errf(err, "input \"%s\": %s", m->inputs[i], why);
			goto out;
		}
		for (j = 0; j < files.n; j++) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s",
				r->dir, files.paths[j]) >= sizeof(path)) {
				errno = ENAMETOOLONG;
				goto unreadable;
			}
			if (lstat(path, &st) == -1) {
				if (buf_printf(out, "file %s missing\n",
					files.paths[j]) == -1)
					goto oom;
			} else if (S_ISLNK(st.st_mode)) {
				if ((n = readlink(
					 path, link, sizeof(link) - 1)) == -1)
					goto unreadable;
				link[n] = '\0';
				if (buf_printf(out, "file %s link %s\n",
					files.paths[j], link) == -1)
					goto oom;
			} else {
				if (script_hash_file(path, hex) == -1)
					goto unreadable;
				if (buf_printf(out, "file %s sha256 %s\n",
					files.paths[j], hex) == -1)
					goto oom;
			}
			continue;
		unreadable:
			errf(err, "cannot read input %s: %s", files.paths[j],
			    strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < m->nenvs; i++) {
		v = js_get(vm, js_ref_get(r->env), m->envs[i]);
		if (js_is_exception(v))
			goto out;
		if (js_type_of(v) == JS_TYPE_UNDEFINED) {
			if (buf_printf(out, "env %s unset\n", m->envs[i]) == -1)
				goto oom;
			continue;
		}
		if (jsr_to_cstr(vm, v, &val) == -1)
			goto out;
		if (buf_printf(
			out, "env %s=%s\n", m->envs[i], buf_cstr(&val)) == -1)
			goto oom;
	}
	if (m->key != NULL && buf_printf(out, "key %s\n", m->key) == -1)
		goto oom;
	rc = 0;
	goto out;
oom:
	errf(err, "out of memory");
out:
	script_strv_free(mods, nmods);
	glob_list_release(&files);
	buf_release(&rel);
	buf_release(&val);
	return rc;
}

/* Calls fn(...args), awaits the result and runs the remaining jobs.
 * Returns the exit status (1 after printing an uncaught exception). */
static int
jsr_call(struct jsr *r, struct js_value fn, char **args, size_t nargs)
{
	struct js_vm *vm = r->vm;
	struct js_value *av = NULL, res;
	size_t i;
	int code;

	if (nargs > 0 && (av = calloc(nargs, sizeof(*av))) == NULL) {
		fprintf(stderr, "[fabrik] error: out of memory\n");
		return 1;
	}
	for (i = 0; i < nargs; i++) {
		av[i] = js_string_cstr(vm, args[i]);
		if (js_is_exception(av[i]))
			goto fail;
	}
	res = js_call(vm, fn, js_undefined(), (int)nargs, av);
	if (js_is_exception(res) || js_await(vm, res, &res) == -1 ||
	    js_run_jobs(vm) == -1)
		goto fail;
	free(av);
	return jsr_exit_code(r);
fail:
	free(av);
	jsr_report(r);
	code = jsr_exit_code(r);
	return code != 0 ? code : 1;
}

/* Runs a target with recipe metadata through the cache. */
static int
jsr_cached(struct jsr *r, struct js_value fn, const char *target, char **args,
    size_t nargs, const struct jsr_meta *m, const char *hex)
{
	const struct js_recipe_opts *o = r->o;
	unsigned char skey[STORE_KEY_LEN];
	struct buf gz, meta, out, err;
	struct script s;
	struct js_ref *fref;
	char mline[PATH_MAX + 160];
	uint64_t t0 = clock_mono_ms(), created;
	const char *why;
	int code = 0, use_cache = jsr_cache_on(r);

	buf_init(&gz);
	buf_init(&meta);
	buf_init(&out);
	buf_init(&err);
	store_key_for(STORE_NS_RECIPE, hex, SHA256_HEX_LEN, skey);
	if (o->cache != NULL && o->clean)
		(void)rcache_del(o->cache, skey);
	if (use_cache && rcache_get(o->cache, skey, &gz, &meta) == 1) {
		created = script_meta_created_ms(&meta);
		script_init(&s);
		s.path = r->srcs[0].label;
		s.dir = r->dir;
		s.outputs = m->outputs;
		s.noutputs = m->noutputs;
		if (m->ttl_ms > 0 &&
		    (created == 0 || script_wall_ms() - created >= m->ttl_ms)) {
			if (o->verbose)
				fprintf(stderr,
				    "[fabrik] %s %s: cached entry expired "
				    "(cacheTtl)\n",
				    r->srcs[0].label, target);
			(void)rcache_del(o->cache, skey);
		} else if (script_restore(&s, r->dir, gz.data, gz.len, &code,
			       &out, &err, &why) == -1) {
			fprintf(stderr,
			    "[fabrik] %s %s: refusing the cached archive: "
			    "%s; dropping it and running the target\n",
			    r->srcs[0].label, target, why);
			(void)rcache_del(o->cache, skey);
		} else {
			fflush(NULL);
			script_write_all(1, out.data, out.len);
			script_write_all(2, err.data, err.len);
			script_result_line(
			    "recipe", hex, "HIT \342\234\223", t0, code);
			goto done;
		}
	}
	buf_reset(&gz);
	if ((fref = js_ref_new(r->vm, fn)) == NULL) {
		code = 1;
		goto done;
	}
	r->capturing = 1;
	r->capped = 0;
	buf_reset(&r->cap_out);
	buf_reset(&r->cap_err);
	code = jsr_call(r, js_ref_get(fref), args, nargs);
	fflush(NULL);
	r->capturing = 0;
	js_ref_free(r->vm, fref);
	script_result_line(
	    "recipe", hex, use_cache ? "MISS" : "MISS (cache off)", t0, code);
	if (!use_cache)
		goto done;
	if (code != 0 && !o->cache_failures) {
		fprintf(stderr,
		    "[fabrik] not cached: the target failed "
		    "(--cache-failures caches failures)\n");
		goto done;
	}
	if (r->capped) {
		fprintf(stderr,
		    "[fabrik] not cached: output larger than the "
		    "capture limit\n");
		goto done;
	}
	if (script_archive(r->dir, m->outputs, m->noutputs, code, &r->cap_out,
		&r->cap_err, &gz, &why) == -1) {
		fprintf(stderr, "[fabrik] not cached: %s\n", why);
		goto done;
	}
	snprintf(mline, sizeof(mline),
	    "created_ms=%llu\nkey=%s\nrecipe=%s\ntarget=%.100s\n",
	    (unsigned long long)script_wall_ms(), hex, r->srcs[0].abs, target);
	if (rcache_put(o->cache, skey, STORE_NS_RECIPE, gz.data, gz.len, mline,
		strlen(mline), &why) == -1)
		fprintf(stderr, "[fabrik] not cached: %s\n", why);
	else if (o->verbose)
		fprintf(stderr, "[fabrik] stored %zu bytes\n", gz.len);
done:
	buf_release(&gz);
	buf_release(&meta);
	buf_release(&out);
	buf_release(&err);
	return code;
}

/* Prints "no target" with the exported functions; returns 2. */
static int
jsr_no_target(struct jsr *r, struct js_value ns, const char *target)
{
	struct js_value keys, k, v;
	struct buf list, name;
	size_t i, n;

	buf_init(&list);
	buf_init(&name);
	keys = js_object_keys(r->vm, ns);
	n = js_is_exception(keys) ? 0 : js_array_length(keys);
	for (i = 0; i < n; i++) {
		k = js_get_index(r->vm, keys, i);
		if (js_is_exception(k) || jsr_cstr(k, &name) == -1)
			break;
		v = js_get(r->vm, ns, buf_cstr(&name));
		if (js_is_exception(v) || !js_is_function(v))
			continue;
		if (buf_printf(&list, "%s%s", list.len ? ", " : "",
			buf_cstr(&name)) == -1)
			break;
	}
	(void)js_exception_take(r->vm);
	fflush(stdout);
	fprintf(stderr, "[fabrik] error: %s: no target '%s'; %s%s\n",
	    r->srcs[0].label, target,
	    list.len ? "targets: " : "the recipe exports no functions",
	    buf_cstr(&list));
	buf_release(&list);
	buf_release(&name);
	return 2;
}

/* After the module body: the target (or the default export), cached when
 * it has recipe metadata. */
static int
jsr_run_target(struct jsr *r, struct js_value ns, const char *target,
    char **args, size_t nargs)
{
	struct js_vm *vm = r->vm;
	struct js_ref *fref = NULL;
	struct js_value fn, mv;
	struct jsr_meta m;
	struct buf man, err;
	char hex[SHA256_HEX_LEN + 1];
	const char *name = target != NULL ? target : "default";
	int code = 0, has_meta = 0;

	memset(&m, 0, sizeof(m));
	buf_init(&man);
	buf_init(&err);
	fn = js_get(vm, ns, name);
	if (js_is_exception(fn)) {
		jsr_report(r);
		return 1;
	}
	if (!js_is_function(fn)) {
		if (target != NULL)
			return jsr_no_target(r, ns, target);
		if (js_run_jobs(vm) == -1) {
			jsr_report(r);
			return 1;
		}
		return jsr_exit_code(r);
	}
	if ((fref = js_ref_new(vm, fn)) == NULL) {
		fprintf(stderr, "[fabrik] error: out of memory\n");
		return 1;
	}
	/* The target's own recipe property, else the module's. */
	mv = js_get(vm, fn, "recipe");
	if (!js_is_exception(mv) && js_type_of(mv) == JS_TYPE_UNDEFINED)
		mv = js_get(vm, ns, "recipe");
	if (js_is_exception(mv)) {
		jsr_report(r);
		code = 1;
		goto out;
	}
	if (js_type_of(mv) == JS_TYPE_OBJECT) {
		if (jsr_meta_parse(r, mv, &m, &err) == -1 ||
		    jsr_manifest(r, name, args, nargs, &m, &man, &err) == -1) {
			if (err.len == 0) {
				jsr_report(r);
				code = 1;
				goto out;
			}
			fprintf(stderr, "[fabrik] error: %s: %s\n",
			    r->srcs[0].label, buf_cstr(&err));
			code = 2;
			goto out;
		}
		has_meta = 1;
		sha256_hex(man.data, man.len, hex);
	} else if (js_type_of(mv) != JS_TYPE_UNDEFINED &&
	    js_type_of(mv) != JS_TYPE_NULL &&
	    !(js_type_of(mv) == JS_TYPE_BOOLEAN && !js_truthy(mv))) {
		fprintf(stderr,
		    "[fabrik] error: %s: recipe must be an object (or false)\n",
		    r->srcs[0].label);
		code = 2;
		goto out;
	}
	if (r->o->dry_run) {
		fflush(stdout);
		if (has_meta) {
			printf(
			    "%s %s: recipe-%s\n", r->srcs[0].label, name, hex);
			fwrite(man.data, 1, man.len, stdout);
		} else {
			printf("%s %s: not cached (no recipe metadata)\n",
			    r->srcs[0].label, name);
		}
		goto out;
	}
	if (has_meta && r->o->verbose) {
		fprintf(stderr, "[fabrik] %s %s: key recipe-%s from:\n",
		    r->srcs[0].label, name, hex);
		fwrite(man.data, 1, man.len, stderr);
	}
	if (has_meta)
		code =
		    jsr_cached(r, js_ref_get(fref), name, args, nargs, &m, hex);
	else
		code = jsr_call(r, js_ref_get(fref), args, nargs);
out:
	js_ref_free(vm, fref);
	jsr_meta_release(&m);
	buf_release(&man);
	buf_release(&err);
	return code;
}

int
js_recipe_main(const struct js_recipe_opts *o, const char *path,
    const char *target, char **args, size_t nargs)
{
	struct jsr r;
	struct jsr_shell *sh;
	struct js_module *mod;
	struct js_ref *nsref = NULL;
	char abs[PATH_MAX], **pargs = NULL;
	const char *d;
	size_t i, dn, npargs = 0;
	int code = 1;

	memset(&r, 0, sizeof(r));
	r.o = o;
	/* A child that stops reading its input must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	buf_init(&r.cap_out);
	buf_init(&r.cap_err);
	if (realpath(path, abs) == NULL || jsr_src_add(&r, path, abs) == -1) {
		fprintf(stderr, "fabrik run: %s: cannot read the recipe: %s\n",
		    path, errno == EFBIG ? "too large" : strerror(errno));
		code = 2;
		goto out;
	}
	d = path_dirname(abs, &dn);
	snprintf(r.dir, sizeof(r.dir), "%.*s", (int)dn, d);
	if (chdir(r.dir) == -1) {
		fprintf(stderr, "fabrik run: cannot enter %s: %s\n", r.dir,
		    strerror(errno));
		code = 2;
		goto out;
	}
	/* process.argv: the target and its arguments follow the recipe. */
	if ((target != NULL && strv_push(&pargs, &npargs, target) == -1)) {
		fprintf(stderr, "fabrik run: out of memory\n");
		goto out;
	}
	for (i = 0; i < nargs; i++)
		if (strv_push(&pargs, &npargs, args[i]) == -1) {
			fprintf(stderr, "fabrik run: out of memory\n");
			goto out;
		}
	r.args = pargs;
	r.nargs = npargs;
	if ((r.vm = js_vm_new(NULL)) == NULL) {
		fprintf(stderr, "fabrik run: out of memory\n");
		goto out;
	}
	js_vm_set_console(r.vm, jsr_console, &r);
	js_vm_set_resolver(r.vm, jsr_resolve, &r);
	if (jsr_globals(&r) == -1) {
		jsr_report(&r);
		goto out;
	}
	if (js_module_load(r.vm, r.srcs[0].text, r.srcs[0].len, r.srcs[0].label,
		is_ts(abs) ? JS_MODULE_TS : 0, &mod) == -1) {
		jsr_report(&r);
		code = jsr_exit_code(&r);
		code = code != 0 ? code : 1;
		goto out;
	}
	if ((nsref = js_ref_new(r.vm, js_module_namespace(r.vm, mod))) ==
	    NULL) {
		fprintf(stderr, "fabrik run: out of memory\n");
		goto out;
	}
	code = jsr_run_target(&r, js_ref_get(nsref), target, args, nargs);
out:
	fflush(NULL);
	while ((sh = r.shells) != NULL) {
		r.shells = sh->next;
		free(sh->cwd);
		free(sh);
	}
	/* The VM frees every ref with itself. */
	js_vm_free(r.vm);
	for (i = 0; i < r.nsrcs; i++) {
		free(r.srcs[i].label);
		free(r.srcs[i].abs);
		free(r.srcs[i].text);
	}
	free(r.srcs);
	script_strv_free(pargs, npargs);
	buf_release(&r.cap_out);
	buf_release(&r.cap_err);
	return code;
}
