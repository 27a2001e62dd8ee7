/*
 * Unit tests for recipe/script: annotation parsing (every annotation, and
 * errors with file:line:col), and restoring cached archives: a good one,
 * then crafted ones (`..`, absolute names, escaping links, entries that
 * are not declared outputs), directly and through a store entry that
 * script_run() must refuse, drop, and replace by running the script.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp() */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recipe/script.h"
#include "recipe/tar.h"
#include "store/store.h"
#include "tap.h"

int main(void);

struct bad {
	const char *text;
	const char *msg; /* expected start of the error */
};

static const struct bad bads[] = {
	{ "#FABRIK nope\n", "f.sh:1:9: unknown annotation 'nope'" },
	{ "echo\n#FABRIK\n", "f.sh:2:8: empty annotation" },
	{ "#FABRIK input\n", "f.sh:1:" },
	{ "#FABRIK input 1\n", "f.sh:1:14: 'input': argument 1 must be" },
	{ "#FABRIK input \"a\" hash=md5\n", "f.sh:1:19: hash must be" },
	{ "#FABRIK input \"a\" mode=x\n",
	    "f.sh:1:19: 'input' has no property" },
	{ "#FABRIK input \"[a\"\n", "f.sh:1:15: bad input pattern" },
	{ "#FABRIK output \"/abs\"\n", "f.sh:1:16: an output must be" },
	{ "#FABRIK output \"a/../../b\"\n", "f.sh:1:16: an output must be" },
	{ "#FABRIK env \"A=B\"\n", "f.sh:1:13: bad variable name" },
	{ "#FABRIK depends \"x\" use-outputs=\"yes\"\n",
	    "f.sh:1:21: use-outputs must be" },
	{ "#FABRIK cache\n", "f.sh:1:9: cache needs" },
	{ "#FABRIK cache enable\n", "f.sh:1:14: cache takes" },
	{ "#FABRIK cache ttl=\"forever\"\n", "f.sh:1:15: ttl: " },
	{ "#FABRIK cache ttl=5\n", "f.sh:1:15: property 'ttl' must be" },
	{ "#FABRIK exec timeout=\"0s\"\n", "f.sh:1:14: timeout must be" },
	{ "#FABRIK exec run\n", "f.sh:1:13: exec takes" },
	{ "#FABRIK runtime-version 1\n", "f.sh:1:24: 'runtime-version' takes" },
	{ "#FABRIK input \"a\" { x }\n", "f.sh:1:9: annotations take no" },
	{ "#FABRIK input \"a\"; output \"b\"\n", "f.sh:1:9: one annotation" },
	{ "#FABRIK output \"x\n", "f.sh:1:" },
	{ "#FABRIK runtime \"node\"\n#FABRIK exec shell\n",
	    "f.sh: 'exec shell'" },
};

static int
parse(const char *text, struct script *s, struct buf *err)
{
	script_init(s);
	buf_reset(err);
	return script_parse(
	    s, "f.sh", (const unsigned char *)text, strlen(text), err);
}

static void
add(struct buf *b, const char *name, enum tar_type t, const char *data,
    const char *link)
{
	struct tar_entry e;
	const char *err;

	memset(&e, 0, sizeof(e));
	snprintf(e.name, sizeof(e.name), "%s", name);
	if (link != NULL)
		snprintf(e.link, sizeof(e.link), "%s", link);
	e.type = t;
	e.mode = t == TAR_DIR ? 0755 : 0644;
	e.data = (const unsigned char *)data;
	e.size = data ? strlen(data) : 0;
	if (tar_write_entry(b, &e, &err) == -1)
		diag("%s", err);
}

/* A gzip'd archive: exit 0, stdout "cached", then one extra entry. */
static void
archive(struct buf *gz, const char *name, enum tar_type t, const char *link)
{
	struct buf b;

	buf_init(&b);
	buf_reset(gz);
	add(&b, "meta/exit", TAR_FILE, "0", NULL);
	add(&b, "meta/stdout", TAR_FILE, "cached\n", NULL);
	add(&b, "meta/stderr", TAR_FILE, "", NULL);
	if (name != NULL)
		add(&b, name, t, t == TAR_FILE ? "payload" : NULL, link);
	if (tar_write_end(&b) == -1 || tar_gzip(b.data, b.len, gz) == -1)
		diag("archive");
	buf_release(&b);
}

static int
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

int
main(void)
{
	struct script s;
	struct buf err, gz, out, eout;
	struct store_config sc;
	struct store *st;
	struct rcache rc;
	struct script_opts o;
	char dir[] = "/tmp/fabrik-script.XXXXXX", w[1100], p[1200];
	char cmd[1200], hex[SHA256_HEX_LEN + 1], hex2[SHA256_HEX_LEN + 1];
	unsigned char key[STORE_KEY_LEN];
	const char *why = NULL, *serr;
	size_t i;
	int code;
	FILE *f;

	buf_init(&err);
	buf_init(&gz);
	buf_init(&out);
	buf_init(&eout);

	ok(parse("#!/bin/sh\n"
		 "#FABRIK input \"src/**/*.c\" hash=mtime\n"
		 "#FABRIK input \"b\"\n"
		 "#FABRIK output \"build/out\"\n"
		 "#FABRIK env \"CC\" \"CFLAGS\"\n"
		 "#FABRIK depends \"gen.sh\" use-outputs=#true\n"
		 "#FABRIK depends \"other.sh\"\n"
		 "#FABRIK cache ttl=\"7d\" key=\"v3\"\n"
		 "#FABRIK runtime \"node\"\n"
		 "#FABRIK runtime-arg \"--no-warnings\"\n"
		 "#FABRIK runtime-version\n"
		 "#FABRIK exec cwd=\"sub\" timeout=\"5m\"\n"
		 "#FABRIKATED is not an annotation\n"
		 "  #FABRIK nor is an indented line\n",
	       &s, &err) == 0,
	    "every annotation parses");
	if (err.len)
		diag("%s", buf_cstr(&err));
	ok(s.ninputs == 2 && strcmp(s.inputs[0].pattern, "src/**/*.c") == 0 &&
		s.inputs[0].hash == SCRIPT_HASH_MTIME &&
		s.inputs[1].hash == SCRIPT_HASH_CONTENT,
	    "inputs");
	ok(s.noutputs == 1 && strcmp(s.outputs[0], "build/out") == 0,
	    "outputs");
	ok(s.nenvs == 2 && strcmp(s.envs[1], "CFLAGS") == 0, "env");
	ok(s.ndeps == 2 && s.deps[0].use_outputs && !s.deps[1].use_outputs,
	    "depends");
	is_int(s.ttl_ms, 7 * 86400 * 1000ULL, "ttl");
	is_str(s.custom_key, "v3", "custom key");
	is_str(s.runtime, "node", "runtime");
	ok(s.nruntime_args == 1 && s.runtime_version, "runtime-arg/version");
	is_str(s.cwd, "sub", "cwd");
	is_int(s.timeout_ms, 300000, "timeout");
	script_release(&s);
	ok(parse("#FABRIK cache disable\n#FABRIK exec shell\n", &s, &err) ==
		    0 &&
		s.cache_disabled && s.shell,
	    "cache disable, exec shell");
	script_release(&s);

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		ok(parse(bads[i].text, &s, &err) == -1, "refused: case %zu", i);
		if (!ok(strncmp(buf_cstr(&err), bads[i].msg,
			    strlen(bads[i].msg)) == 0,
			"message: %s", bads[i].msg))
			diag("got: %s", buf_cstr(&err));
		script_release(&s);
	}

	/* Restoring archives. */
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(w, sizeof(w), "%s/w", dir);
	ok(mkdir(w, 0755) == 0, "mkdir");
	snprintf(p, sizeof(p), "%s/s.sh", w);
	f = fopen(p, "w");
	if (f != NULL) {
		fputs("#FABRIK output \"out\"\nmkdir -p out\necho fresh\n"
		      "echo ran >out/ran\n",
		    f);
		fclose(f);
	}
	ok(script_load(&s, p, &err) == 0, "load");

	/* Archive names are "out/" + the output path. */
	archive(&gz, "out/out/good", TAR_FILE, NULL);
	ok(script_restore(&s, w, gz.data, gz.len, &code, &out, &eout, &why) ==
		0,
	    "a good archive restores");
	if (why != NULL && code != 0)
		diag("%s", why);
	snprintf(p, sizeof(p), "%s/out/good", w);
	ok(exists(p) && code == 0 && strcmp(buf_cstr(&out), "cached\n") == 0,
	    "restored output, exit code and stdout");

	{
		static const struct {
			const char *name;
			enum tar_type t;
			const char *link;
			const char *check; /* relative to dir */
		} evil[] = {
			{ "out/out/../../escape", TAR_FILE, NULL, "escape" },
			{ "out/../w-escape", TAR_FILE, NULL, "w-escape" },
			{ "/tmp/fabrik-script-abs", TAR_FILE, NULL, NULL },
			{ "out/out/x", TAR_SYMLINK, "../../..", "w/out/x" },
			{ "out/out/y", TAR_SYMLINK, "/etc", "w/out/y" },
			{ "out/other/file", TAR_FILE, NULL, "w/other" },
			{ "out/outer", TAR_FILE, NULL, "w/outer" },
			{ "stray", TAR_FILE, NULL, "w/stray" },
		};

		for (i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
			archive(&gz, evil[i].name, evil[i].t, evil[i].link);
			why = NULL;
			ok(script_restore(&s, w, gz.data, gz.len, &code, &out,
			       &eout, &why) == -1 &&
				why != NULL,
			    "refused: %s", evil[i].name);
			if (evil[i].check != NULL) {
				snprintf(
				    p, sizeof(p), "%s/%s", dir, evil[i].check);
				ok(!exists(p), "not written: %s",
				    evil[i].check);
			} else {
				ok(!exists(evil[i].name), "not written: %s",
				    evil[i].name);
			}
		}
	}
	snprintf(p, sizeof(p), "%s/out/good", w);
	ok(exists(p), "a refused archive leaves the old outputs alone");

	/* The same through the store: run refuses the entry, drops it and
	 * runs the script instead. */
	memset(&sc, 0, sizeof(sc));
	snprintf(p, sizeof(p), "%s/cache", dir);
	sc.dir = p;
	sc.max_size = 1 << 30;
	sc.max_object_size = 1 << 28;
	ok((st = store_open(&sc, &serr)) != NULL, "store_open");
	snprintf(p, sizeof(p), "%s/s.sh", w);
	buf_reset(&err);
	ok(script_key(p, NULL, 0, hex, NULL, &err) == 0, "script_key");
	ok(script_key(p, NULL, 0, hex2, NULL, &err) == 0 &&
		strcmp(hex, hex2) == 0,
	    "keys are stable");
	script_store_key(hex, key);
	archive(&gz, "out/out/../../escape-store", TAR_FILE, NULL);
	ok(store_put_buf(st, key, STORE_NS_SCRIPT, gz.data, gz.len,
	       "created_ms=1\n", 13, NULL) == STORE_OK,
	    "malicious entry planted");
	memset(&o, 0, sizeof(o));
	rcache_store_init(&rc, st);
	o.cache = &rc;
	fflush(NULL);
	is_int(script_run(&o, p, NULL, 0), 0, "run falls back to the script");
	snprintf(p, sizeof(p), "%s/escape-store", dir);
	ok(!exists(p), "nothing written outside");
	snprintf(p, sizeof(p), "%s/out/ran", w);
	ok(exists(p), "the script ran");
	store_close(st);

	script_release(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ok(system(cmd) == 0, "cleanup");
	buf_release(&err);
	buf_release(&gz);
	buf_release(&out);
	buf_release(&eout);
	return done_testing();
}
