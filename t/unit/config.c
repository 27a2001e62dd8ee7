/*
 * Unit tests for config/config and the loading order of cli/cli: defaults
 * of both modes, every value type from TOML with the exact "file:line:col:
 * section.key: message" of each mistake, unknown keys and sections with
 * suggestions, [[upstream]] arrays, environment variables, flags, the
 * standard fallbacks, precedence for every pair of sources, cross-key
 * validation, show/template/discovery, and truncated input.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "config/config.h"
#include "tap.h"

int main(int, char **);

static struct buf err;

/* Loads text as "f.toml" over a fresh daemon-mode config. */
static int
load(struct config *c, const char *text)
{
	config_init(c, 0);
	buf_reset(&err);
	return config_load_text(c, "f.toml", text, strlen(text), &err);
}

/* Expects text to fail with exactly the message want (one line). */
static void
load_fails(const char *text, const char *want, const char *name)
{
	struct config c;
	char line[512];
	int rc = load(&c, text);

	snprintf(line, sizeof(line), "%s\n", want);
	ok(rc == -1, "%s: refused", name);
	is_str(buf_cstr(&err), line, name);
	config_release(&c);
}

/* Expects text to load and then fail validation with exactly want. */
static void
validate_fails(const char *text, const char *want, const char *name)
{
	struct config c;
	char line[512];
	int rc = load(&c, text);

	if (!ok(rc == 0, "%s: loads", name))
		diag("%s", buf_cstr(&err));
	buf_reset(&err);
	snprintf(line, sizeof(line), "%s\n", want);
	ok(config_validate(&c, &err) == -1, "%s: fails validation", name);
	is_str(buf_cstr(&err), line, name);
	config_release(&c);
}

static void
validates(const char *text, const char *name)
{
	struct config c;
	int rc = load(&c, text);

	buf_reset(&err);
	if (rc == 0)
		rc = config_validate(&c, &err);
	if (!ok(rc == 0, "%s", name))
		diag("%s", buf_cstr(&err));
	config_release(&c);
}

static void
test_defaults(void)
{
	struct config c;
	size_t i;
	int all_default = 1;

	config_init(&c, 0);
	for (i = 0; i < CFG_COUNT; i++)
		if (c.v[i].origin != CO_DEFAULT)
			all_default = 0;
	ok(all_default, "every key starts with origin default");
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 10000000000LL,
	    "cache.max_size defaults to 10GB");
	is_int(config_int(&c, CFG_CACHE_MAX_OBJECT_SIZE), 5000000000LL,
	    "cache.max_object_size defaults to 5GB");
	is_int(config_int(&c, CFG_CACHE_MIN_FREE_SPACE), 512000000,
	    "cache.min_free_space defaults to 512MB");
	is_int(config_int(&c, CFG_CACHE_DEFAULT_TTL), 7LL * 86400 * 1000,
	    "cache.default_ttl defaults to 7d (in ms)");
	is_int(config_int(&c, CFG_CACHE_LFU_HALFLIFE), 86400 * 1000,
	    "cache.lfu_halflife defaults to 1d");
	is_str(config_str(&c, CFG_CACHE_EVICTION_POLICY), "lfu",
	    "eviction_policy defaults to lfu");
	is_str(config_str(&c, CFG_CACHE_VERIFY), "changed",
	    "verify defaults to changed");
	is_int(config_int(&c, CFG_CACHE_FSYNC), 0, "fsync defaults to false");
	is_str(config_str(&c, CFG_CACHE_DIR), "", "cache.dir defaults empty");
	is_int(config_int(&c, CFG_AUTH_REQUIRED), 0, "auth off by default");
	is_int(config_get(&c, CFG_AUTH_TOKENS)->nlist, 0, "no tokens");
	is_int(config_get(&c, CFG_BUILD_TOOLS_ENABLED)->nlist, 8,
	    "eight build tools enabled by default");
	ok(config_list_has(&c, CFG_BUILD_TOOLS_ENABLED, "gradle") &&
		config_list_has(&c, CFG_BUILD_TOOLS_ENABLED, "sccache") &&
		!config_list_has(&c, CFG_BUILD_TOOLS_ENABLED, "oci"),
	    "gradle..sccache, not oci");
	is_int(config_int(&c, CFG_FABRIK_ENABLED), 0,
	    "daemon: Fabrik protocol off");
	is_str(config_str(&c, CFG_FABRIK_BIND), "0.0.0.0:7070",
	    "fabrik.bind default");
	is_str(config_str(&c, CFG_OBS_HEALTH_BIND), "127.0.0.1:8888",
	    "daemon: health on loopback");
	is_str(config_str(&c, CFG_OBS_METRICS_BIND), "127.0.0.1:9091",
	    "daemon: metrics on loopback");
	is_str(config_str(&c, CFG_OBS_LOG_FORMAT), "text", "daemon: text log");
	is_str(config_str(&c, CFG_OBS_LOG_LEVEL), "info", "log level info");
	is_int(config_int(&c, CFG_OBS_METRICS_ENABLED), 1, "metrics on");
	is_int(config_int(&c, CFG_RT_GRACEFUL_SHUTDOWN_TIMEOUT), 30000,
	    "graceful_shutdown_timeout 30s");
	is_int(config_int(&c, CFG_RT_MAX_CONCURRENT_REQUESTS), 10000,
	    "max_concurrent_requests 10000");
	is_int(config_int(&c, CFG_RT_WORKER_THREADS), 0, "worker_threads 0");
	is_int(config_int(&c, CFG_RT_HEADER_TIMEOUT), 10000, "header 10s");
	is_int(config_int(&c, CFG_RT_IDLE_TIMEOUT), 60000, "idle 60s");
	is_int(config_int(&c, CFG_RT_BODY_TIMEOUT), 30000, "body 30s");
	is_str(config_str(&c, CFG_DAEMON_BIND), "127.0.0.1:0",
	    "daemon.bind: loopback, any port");
	is_int(config_int(&c, CFG_P2P_ENABLED), 0, "p2p off");
	is_int(config_int(&c, CFG_P2P_BIND_PORT), 7071, "p2p port 7071");
	is_str(config_str(&c, CFG_P2P_CONSENT_MODE), "notify-once",
	    "p2p consent notify-once");
	is_int(c.nupstreams, 0, "no upstreams");
	ok(c.file == NULL, "no file");
	buf_reset(&err);
	ok(config_validate(&c, &err) == 0, "the defaults validate");
	config_release(&c);

	config_init(&c, 1);
	is_int(c.server_mode, 1, "server mode recorded");
	is_int(config_int(&c, CFG_FABRIK_ENABLED), 1,
	    "server: Fabrik protocol on");
	is_str(config_str(&c, CFG_OBS_HEALTH_BIND), ":8888",
	    "server: health on every address");
	is_str(config_str(&c, CFG_OBS_METRICS_BIND), ":9091",
	    "server: metrics on every address");
	is_str(config_str(&c, CFG_OBS_LOG_FORMAT), "json", "server: json log");
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 10000000000LL,
	    "server: same cache defaults");
	buf_reset(&err);
	ok(config_validate(&c, &err) == 0, "the server defaults validate");
	config_release(&c);
}

static void
test_types(void)
{
	struct config c;
	const struct config_value *v;
	int rc;

	rc = load(&c,
	    "[cache]\n"
	    "dir = \"/var/cache/x\"\n"
	    "max_size = \"100GB\"\n"
	    "max_object_size = 2000000\n"
	    "eviction_policy = \"lru\"\n"
	    "default_ttl = \"1h30m\"\n"
	    "lfu_halflife = 90\n"
	    "fsync = true\n"
	    "[runtime]\n"
	    "max_concurrent_requests = 5\n"
	    "[fabrik]\n"
	    "bind = \"10.0.0.1:7070\"\n"
	    "[build_tools]\n"
	    "enabled = [\"gradle\", \"nx\"]\n"
	    "[auth]\n"
	    "tokens = []\n");
	if (!ok(rc == 0, "a file with every type loads"))
		diag("%s", buf_cstr(&err));
	is_str(config_str(&c, CFG_CACHE_DIR), "/var/cache/x", "path");
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 100000000000LL,
	    "size from a string");
	is_int(config_int(&c, CFG_CACHE_MAX_OBJECT_SIZE), 2000000,
	    "size from an integer is bytes");
	is_str(config_str(&c, CFG_CACHE_EVICTION_POLICY), "lru", "enum");
	is_int(config_int(&c, CFG_CACHE_DEFAULT_TTL), 5400000,
	    "duration from a string");
	is_int(config_int(&c, CFG_CACHE_LFU_HALFLIFE), 90000,
	    "duration from an integer is seconds");
	is_int(config_int(&c, CFG_CACHE_FSYNC), 1, "bool");
	is_int(config_int(&c, CFG_RT_MAX_CONCURRENT_REQUESTS), 5, "int");
	is_str(config_str(&c, CFG_FABRIK_BIND), "10.0.0.1:7070", "string");
	v = config_get(&c, CFG_BUILD_TOOLS_ENABLED);
	ok(v->nlist == 2 && strcmp(v->list[0], "gradle") == 0 &&
		strcmp(v->list[1], "nx") == 0 && v->list[2] == NULL,
	    "list, NULL-terminated");
	is_int(config_get(&c, CFG_AUTH_TOKENS)->nlist, 0, "empty list");
	is_int(
	    config_get(&c, CFG_CACHE_MAX_SIZE)->origin, CO_FILE, "origin file");
	is_int(config_get(&c, CFG_CACHE_VERIFY)->origin, CO_DEFAULT,
	    "keys not in the file keep origin default");
	is_int(config_get(&c, CFG_CACHE_MAX_SIZE)->line, 3, "line recorded");
	is_int(config_get(&c, CFG_CACHE_MAX_SIZE)->col, 12, "column recorded");
	is_str(c.file, "f.toml", "file name recorded");
	config_release(&c);

	/* Wrong types: every config type, with the value's position. */
	load_fails("[cache]\nfsync = \"yes\"\n",
	    "f.toml:2:9: cache.fsync: expected a boolean, found string",
	    "string for a bool");
	load_fails("[cache]\n  fsync = 1\n",
	    "f.toml:2:11: cache.fsync: expected a boolean, found integer",
	    "integer for a bool");
	load_fails("[runtime]\nmax_concurrent_requests = \"5\"\n",
	    "f.toml:2:27: runtime.max_concurrent_requests: expected an "
	    "integer, found string",
	    "string for an int");
	load_fails("[runtime]\nmax_concurrent_requests = 5.5\n",
	    "f.toml:2:27: runtime.max_concurrent_requests: expected an "
	    "integer, found float",
	    "float for an int");
	load_fails("[runtime]\nmax_concurrent_requests = -1\n",
	    "f.toml:2:27: runtime.max_concurrent_requests: value out of "
	    "range (0..2147483647)",
	    "negative int");
	load_fails("[p2p]\nmax_peers = 3000000000\n",
	    "f.toml:2:13: p2p.max_peers: value out of range (0..2147483647)",
	    "int too large");
	load_fails("[cache]\nmax_size = true\n",
	    "f.toml:2:12: cache.max_size: expected a size such as \"10GB\", "
	    "found boolean",
	    "bool for a size");
	load_fails("[cache]\nmax_size = -5\n",
	    "f.toml:2:12: cache.max_size: expected a size such as \"10GB\", "
	    "found integer",
	    "negative size");
	load_fails("[cache]\nmax_size = \"10XB\"\n",
	    "f.toml:2:12: cache.max_size: unknown size unit (use B, KB, MB, "
	    "GB, TB, KiB, MiB, GiB, TiB)",
	    "bad size unit");
	load_fails("[cache]\nmax_size = \"10000000TB\"\n",
	    "f.toml:2:12: cache.max_size: size too large",
	    "size beyond 2^63 (was an uninitialised message)");
	load_fails("[cache]\ndefault_ttl = [1]\n",
	    "f.toml:2:15: cache.default_ttl: expected a duration such as "
	    "\"30s\", found array",
	    "array for a duration");
	load_fails("[cache]\ndefault_ttl = \"7days\"\n",
	    "f.toml:2:15: cache.default_ttl: unknown duration unit (use ms, "
	    "s, m, h, d, w)",
	    "bad duration unit");
	load_fails("[cache]\ndefault_ttl = \"99999999999999999d\"\n",
	    "f.toml:2:15: cache.default_ttl: duration too large",
	    "duration overflow");
	load_fails("[cache]\neviction_policy = \"LFU\"\n",
	    "f.toml:2:19: cache.eviction_policy: \"LFU\" is not one of "
	    "lfu|lru|ttl",
	    "enum is case-sensitive");
	load_fails("[cache]\neviction_policy = 1\n",
	    "f.toml:2:19: cache.eviction_policy: expected a string, found "
	    "integer",
	    "integer for an enum");
	load_fails("[cache]\ndir = 7\n",
	    "f.toml:2:7: cache.dir: expected a string, found integer",
	    "integer for a path");
	load_fails("[fabrik]\nbind = {host = \"x\"}\n",
	    "f.toml:2:8: fabrik.bind: expected a string, found table",
	    "table for a string");
	load_fails("[fabrik]\nbind = \"a\\u0000b\"\n",
	    "f.toml:2:8: fabrik.bind: NUL byte in string", "NUL in a string");
	load_fails("[build_tools]\nenabled = \"gradle\"\n",
	    "f.toml:2:11: build_tools.enabled: expected an array of strings, "
	    "found string",
	    "string for a list");
	load_fails("[build_tools]\nenabled = [\"gradle\", 1]\n",
	    "f.toml:2:22: build_tools.enabled: list items must be strings",
	    "a list item of the wrong type");
	load_fails("[observability]\nlog_level = \"verbose\"\n",
	    "f.toml:2:13: observability.log_level: \"verbose\" is not one of "
	    "trace|debug|info|warn|error",
	    "bad log level");
	load_fails("[[upstream]]\nurl = \"s3://b/\"\ntimeout = \"soon\"\n",
	    "f.toml:3:11: upstream.timeout: expected a duration like "
	    "\"30s\", \"5m\" or \"7d\"",
	    "bad duration in an upstream");
	load_fails("[cache]\nmax_size = \"1GB\"\nfsync = 1\nverify = 2\n",
	    "f.toml:3:9: cache.fsync: expected a boolean, found integer\n"
	    "f.toml:4:10: cache.verify: expected a string, found integer",
	    "every error is reported, not just the first");
}

static void
test_unknown(void)
{
	load_fails("[cache]\nmax_sise = \"1GB\"\n",
	    "f.toml:2:1: unknown key 'max_sise' in [cache] (did you mean "
	    "'max_size'?)",
	    "unknown key with a suggestion");
	load_fails("[cache]\n\n    evictionpolicy = \"lru\"\n",
	    "f.toml:3:5: unknown key 'evictionpolicy' in [cache] (did you "
	    "mean 'eviction_policy'?)",
	    "suggestion for a missing underscore, indented key");
	load_fails("[cache]\nzzzzzz = 1\n",
	    "f.toml:2:1: unknown key 'zzzzzz' in [cache]",
	    "unknown key without a suggestion");
	load_fails("[cache]\nlog_level = \"info\"\n",
	    "f.toml:2:1: unknown key 'log_level' in [cache] (it belongs in "
	    "[observability])",
	    "a key in the wrong section");
	load_fails("[cahce]\nmax_size = 1\n",
	    "f.toml:1:2: unknown section [cahce] (did you mean [cache]?)",
	    "unknown section with a suggestion");
	load_fails("[build_systems]\nenabled = []\n",
	    "f.toml:1:2: unknown section [build_systems] (did you mean "
	    "[build_tools]?)",
	    "the old name build_systems suggests build_tools");
	load_fails("[storage]\n", "f.toml:1:2: unknown section [storage]",
	    "unknown section without a suggestion");
	load_fails("max_size = \"1GB\"\n",
	    "f.toml:1:1: unknown top-level key 'max_size': keys belong in a "
	    "section (it belongs in [cache])",
	    "a key outside any section");
	load_fails("cache = 1\n",
	    "f.toml:1:1: 'cache' must be a table ([cache])",
	    "a section name used as a key");
	load_fails("[cache.extra]\nx = 1\n",
	    "f.toml:1:8: unknown key 'extra' in [cache]",
	    "a sub-table is an unknown key");
	load_fails("[[upstream]]\nurll = \"s3://b/\"\n",
	    "f.toml:2:1: unknown key 'urll' in [upstream] (did you mean "
	    "'url'?)",
	    "unknown upstream key with a suggestion");
	load_fails("[cache\nmax_size = 1\n",
	    "f.toml:1:7: expected ']' to close the header, found end of line",
	    "TOML syntax error: position of the offending character");
	load_fails("[cache]\nmax_size = \"1GB\"\nmax_size = \"2GB\"\n",
	    "f.toml:3:1: duplicate key 'max_size' (first defined at 2:1)",
	    "duplicate key");
}

static void
test_upstreams(void)
{
	struct config c;
	char text[4096];
	size_t i, n;
	int rc;

	rc = load(&c,
	    "[[upstream]]\n"
	    "url = \"grpc://l2.example:7070\"\n"
	    "timeout = \"10s\"\n"
	    "read_only = true\n"
	    "\n"
	    "[[upstream]]\n"
	    "url = \"s3://bucket/prefix/\"\n"
	    "region = \"eu-west-1\"\n"
	    "workers = 20\n"
	    "permanent = true\n");
	if (!ok(rc == 0, "two [[upstream]] entries load"))
		diag("%s", buf_cstr(&err));
	is_int(c.nupstreams, 2, "two upstreams");
	is_str(config_up_str(&c, 0, CFG_UP_URL), "grpc://l2.example:7070",
	    "first url");
	is_int(config_up_int(&c, 0, CFG_UP_TIMEOUT), 10000, "first timeout");
	is_int(config_up_int(&c, 0, CFG_UP_READ_ONLY), 1, "first read_only");
	is_int(
	    config_up_int(&c, 0, CFG_UP_WORKERS), 10, "first workers: default");
	is_str(config_up_str(&c, 1, CFG_UP_URL), "s3://bucket/prefix/",
	    "second url");
	is_int(config_up_int(&c, 1, CFG_UP_TIMEOUT), 30000,
	    "second timeout: default");
	is_int(config_up_int(&c, 1, CFG_UP_WORKERS), 20, "second workers");
	is_int(config_up_int(&c, 1, CFG_UP_PERMANENT), 1, "second permanent");
	is_str(config_up_str(&c, 1, CFG_UP_REGION), "eu-west-1", "region");
	is_str(
	    config_up_str(&c, 5, CFG_UP_URL), "", "a missing index is empty");
	is_int(config_up_int(&c, 5, CFG_UP_WORKERS), 0, "and zero");
	buf_reset(&err);
	ok(config_validate(&c, &err) == 0, "they validate");
	config_release(&c);

	rc = load(&c,
	    "upstream = [{ url = \"s3://b/\" }, { url = \"grpc://h:1\" "
	    "}]\n");
	ok(rc == 0 && c.nupstreams == 2, "an inline array of tables works too");
	config_release(&c);

	load_fails("[upstream]\nurl = \"s3://b/\"\n",
	    "f.toml:1:1: upstream must be an array of tables ([[upstream]])",
	    "[upstream] as a plain table");
	load_fails("upstream = [1]\n",
	    "f.toml:1:13: upstream entries must be tables",
	    "upstream array of integers");

	n = 0;
	for (i = 0; i <= CONFIG_MAX_UPSTREAMS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "[[upstream]]\nurl = \"grpc://h%zu:1\"\n", i);
	snprintf(text + n, sizeof(text) - n, "%s", "");
	load_fails(text, "f.toml:33:1: too many upstreams (at most 16)",
	    "more than CONFIG_MAX_UPSTREAMS upstreams");
}

static void
test_env(void)
{
	struct config c;
	const struct config_value *v;
	char *env1[] = { "HOME=/x", "FABRIK_CONFIG=/nonexistent",
		"FABRIK_CONFIG_CACHE_MAX_SIZE=1GB",
		"FABRIK_CONFIG_CACHE_FSYNC=yes",
		"FABRIK_CONFIG_RUNTIME_MAX_CONCURRENT_REQUESTS=7",
		"FABRIK_CONFIG_CACHE_EVICTION_POLICY=ttl",
		"FABRIK_CONFIG_CACHE_DEFAULT_TTL=2h",
		"FABRIK_CONFIG_BUILD_TOOLS_ENABLED=gradle, bazel",
		"FABRIK_CONFIG_AUTH_TOKENS=t1:read,write,t2,t3:admin",
		"FABRIK_CONFIG_OBSERVABILITY_HEALTH_BIND=127.0.0.1:1234",
		"FABRIK_CONFIG_UPSTREAM_1_URL=s3://b/",
		"FABRIK_CONFIG_UPSTREAM_1_READ_ONLY=true",
		"FABRIK_CONFIG_UPSTREAM_0_URL=grpc://h:1", "OTHER=1", NULL };
	char *env_unknown[] = { "FABRIK_CONFIG_CACHE_MAX_SIZ=1GB",
		"FABRIK_CONFIG_UPSTREAM_0_NOPE=1", "FABRIK_CONFIG_=1", NULL };
	char *env_bad[] = { "FABRIK_CONFIG_CACHE_MAX_SIZE=lots",
		"FABRIK_CONFIG_P2P_CONSENT_MODE=maybe",
		"FABRIK_CONFIG_UPSTREAM_0_WORKERS=many",
		"FABRIK_CONFIG_UPSTREAM_99_URL=s3://b/", NULL };

	config_init(&c, 0);
	buf_reset(&err);
	if (!ok(config_load_env(&c, env1, &err) == 0,
		"FABRIK_CONFIG_* variables apply"))
		diag("%s", buf_cstr(&err));
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 1000000000, "size");
	is_int(config_get(&c, CFG_CACHE_MAX_SIZE)->origin, CO_ENV,
	    "origin environment");
	is_int(config_int(&c, CFG_CACHE_FSYNC), 1, "bool (yes)");
	is_int(config_int(&c, CFG_RT_MAX_CONCURRENT_REQUESTS), 7, "int");
	is_str(config_str(&c, CFG_CACHE_EVICTION_POLICY), "ttl", "enum");
	is_int(config_int(&c, CFG_CACHE_DEFAULT_TTL), 7200000, "duration");
	v = config_get(&c, CFG_BUILD_TOOLS_ENABLED);
	ok(v->nlist == 2 && strcmp(v->list[0], "gradle") == 0 &&
		strcmp(v->list[1], "bazel") == 0,
	    "comma-separated list, spaces trimmed");
	v = config_get(&c, CFG_AUTH_TOKENS);
	ok(v->nlist == 3 && strcmp(v->list[0], "t1:read,write") == 0 &&
		strcmp(v->list[1], "t2") == 0 &&
		strcmp(v->list[2], "t3:admin") == 0,
	    "tokens with permissions survive comma splitting (got %zu)",
	    v->nlist);
	is_str(config_str(&c, CFG_OBS_HEALTH_BIND), "127.0.0.1:1234", "string");
	is_int(c.nupstreams, 2, "FABRIK_CONFIG_UPSTREAM_1_* creates two");
	is_str(config_up_str(&c, 0, CFG_UP_URL), "grpc://h:1", "upstream 0");
	is_str(config_up_str(&c, 1, CFG_UP_URL), "s3://b/", "upstream 1");
	is_int(config_up_int(&c, 1, CFG_UP_READ_ONLY), 1, "upstream 1 bool");
	is_int(config_up_int(&c, 1, CFG_UP_WORKERS), 10,
	    "upstream 1 keeps its defaults");
	config_release(&c);

	config_init(&c, 0);
	buf_reset(&err);
	ok(config_load_env(&c, env_unknown, &err) == -1,
	    "unknown FABRIK_CONFIG_* variables are errors");
	is_str(buf_cstr(&err),
	    "environment: unknown configuration variable "
	    "FABRIK_CONFIG_CACHE_MAX_SIZ\n"
	    "environment: unknown configuration variable "
	    "FABRIK_CONFIG_UPSTREAM_0_NOPE\n"
	    "environment: unknown configuration variable FABRIK_CONFIG_\n",
	    "each is named");
	config_release(&c);

	config_init(&c, 0);
	buf_reset(&err);
	ok(config_load_env(&c, env_bad, &err) == -1, "bad values are errors");
	is_str(buf_cstr(&err),
	    "FABRIK_CONFIG_CACHE_MAX_SIZE: cache.max_size: expected a size "
	    "like \"10GB\" or \"512MiB\"\n"
	    "FABRIK_CONFIG_P2P_CONSENT_MODE: p2p.consent_mode: \"maybe\" is "
	    "not one of notify-once|notify-always|always-allow\n"
	    "FABRIK_CONFIG_UPSTREAM_0_WORKERS: upstream[0].workers: expected "
	    "a non-negative integer\n"
	    "FABRIK_CONFIG_UPSTREAM_99_URL: too many upstreams (at most 16)\n",
	    "messages name the variable and the key");
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 10000000000LL,
	    "a refused value leaves the old one");
	config_release(&c);

	config_init(&c, 0);
	buf_reset(&err);
	{
		char *env_secret[] = { "FABRIK_CONFIG_UPSTREAM_0_WORKERS="
				       "hunter2-secret",
			NULL };
		ok(config_load_env(&c, env_secret, &err) == -1 &&
			strstr(buf_cstr(&err), "hunter2") == NULL,
		    "a refused value is not echoed into the log");
	}
	config_release(&c);
}

static void
test_flags(void)
{
	struct config c;
	static const char *const spellings[] = { "observability-health-bind",
		"observability-health_bind", "observability_health_bind",
		"observability_health-bind" };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		config_init(&c, 0);
		buf_reset(&err);
		rc = config_set_flag(&c, spellings[i], "127.0.0.1:5", &err);
		ok(rc == 0 &&
			strcmp(config_str(&c, CFG_OBS_HEALTH_BIND),
			    "127.0.0.1:5") == 0 &&
			config_get(&c, CFG_OBS_HEALTH_BIND)->origin == CO_FLAG,
		    "--config-%s sets observability.health_bind", spellings[i]);
		config_release(&c);
	}
	config_init(&c, 0);
	buf_reset(&err);
	ok(config_set_flag(&c, "build-tools-enabled", "gradle,nx", &err) == 0 &&
		config_get(&c, CFG_BUILD_TOOLS_ENABLED)->nlist == 2,
	    "--config-build-tools-enabled (section with '_' as '-')");
	ok(config_set_flag(&c, "build_tools-enabled", "gradle", &err) == 0 &&
		config_get(&c, CFG_BUILD_TOOLS_ENABLED)->nlist == 1,
	    "--config-build_tools-enabled");
	ok(config_set_flag(&c, "cache-max-size", "2GB", &err) == 0 &&
		config_int(&c, CFG_CACHE_MAX_SIZE) == 2000000000,
	    "--config-cache-max-size");
	ok(config_set_flag(&c, "upstream-0-url", "s3://b/", &err) == 0 &&
		c.nupstreams == 1,
	    "--config-upstream-0-url creates upstream 0");
	ok(config_set_flag(&c, "upstream-0-read-only", "true", &err) == 0 &&
		config_up_int(&c, 0, CFG_UP_READ_ONLY) == 1,
	    "--config-upstream-0-read-only");
	ok(config_set_flag(&c, "upstream-0-read_only", "false", &err) == 0 &&
		config_up_int(&c, 0, CFG_UP_READ_ONLY) == 0,
	    "--config-upstream-0-read_only");
	is_int(c.up[0][CFG_UP_READ_ONLY].origin, CO_FLAG, "origin flag");
	is_str(buf_cstr(&err), "", "no messages so far");
	ok(config_set_flag(&c, "cache-max-sizes", "1GB", &err) == -1,
	    "an unknown flag fails");
	ok(config_set_flag(&c, "upstream-16-url", "s3://b/", &err) == -1,
	    "an upstream index beyond the limit fails");
	ok(config_set_flag(&c, "cache-fsync", "maybe", &err) == -1,
	    "a bad bool fails");
	ok(config_set_flag(&c, "cache", "x", &err) == -1,
	    "a bare section fails");
	is_str(buf_cstr(&err),
	    "--config-cache-max-sizes: unknown configuration flag\n"
	    "--config-upstream-16-url: too many upstreams (at most 16)\n"
	    "--config-cache-fsync: cache.fsync: expected true or false\n"
	    "--config-cache: unknown configuration flag\n",
	    "flag messages");
	config_release(&c);
}

static void
test_fallbacks(void)
{
	struct config c;
	char *env[] = { "AWS_ACCESS_KEY_ID=AKIA1", "AWS_SECRET_ACCESS_KEY=sk1",
		"AWS_SESSION_TOKEN=st1", "AWS_DEFAULT_REGION=us-west-2",
		"AWS_REGION=eu-central-1", "AWS_ENDPOINT_URL=http://minio:9000",
		"FABRIK_TOKEN=ft1", NULL };
	char *env2[] = { "AWS_DEFAULT_REGION=us-west-2",
		"AWS_ACCESS_KEY_ID=", NULL };
	int rc;

	rc = load(&c,
	    "[[upstream]]\nurl = \"s3://b/\"\n"
	    "[[upstream]]\nurl = \"grpc://h:1\"\n"
	    "[[upstream]]\nurl = \"s3://c/\"\naccess_key = \"mine\"\n"
	    "[[upstream]]\nurl = \"grpcs://h:2\"\ntoken = \"own\"\n");
	ok(rc == 0, "four upstreams load");
	buf_reset(&err);
	ok(config_load_fallbacks(&c, env, &err) == 0, "fallbacks apply");
	is_str(config_up_str(&c, 0, CFG_UP_ACCESS_KEY), "AKIA1",
	    "s3: AWS_ACCESS_KEY_ID");
	is_str(config_up_str(&c, 0, CFG_UP_SECRET_KEY), "sk1",
	    "s3: AWS_SECRET_ACCESS_KEY");
	is_str(config_up_str(&c, 0, CFG_UP_SESSION_TOKEN), "st1",
	    "s3: AWS_SESSION_TOKEN");
	is_str(config_up_str(&c, 0, CFG_UP_REGION), "eu-central-1",
	    "s3: AWS_REGION wins over AWS_DEFAULT_REGION");
	is_str(config_up_str(&c, 0, CFG_UP_ENDPOINT), "http://minio:9000",
	    "s3: AWS_ENDPOINT_URL");
	is_int(c.up[0][CFG_UP_ACCESS_KEY].origin, CO_ENV,
	    "fallbacks count as environment");
	is_str(config_up_str(&c, 0, CFG_UP_TOKEN), "",
	    "s3: FABRIK_TOKEN not used");
	is_str(config_up_str(&c, 1, CFG_UP_ACCESS_KEY), "",
	    "grpc: no AWS_ACCESS_KEY_ID");
	is_str(config_up_str(&c, 1, CFG_UP_REGION), "", "grpc: no AWS_REGION");
	is_str(config_up_str(&c, 1, CFG_UP_TOKEN), "ft1", "grpc: FABRIK_TOKEN");
	is_str(config_up_str(&c, 2, CFG_UP_ACCESS_KEY), "mine",
	    "an explicit access_key is kept");
	is_int(c.up[2][CFG_UP_ACCESS_KEY].origin, CO_FILE, "with origin file");
	is_str(config_up_str(&c, 2, CFG_UP_SECRET_KEY), "sk1",
	    "while the missing secret falls back");
	is_str(config_up_str(&c, 3, CFG_UP_TOKEN), "own",
	    "an explicit token is kept");
	config_release(&c);

	rc = load(&c, "[[upstream]]\nurl = \"s3://b/\"\n");
	buf_reset(&err);
	ok(rc == 0 && config_load_fallbacks(&c, env2, &err) == 0,
	    "fallbacks with AWS_DEFAULT_REGION only");
	is_str(config_up_str(&c, 0, CFG_UP_REGION), "us-west-2",
	    "AWS_DEFAULT_REGION");
	is_str(config_up_str(&c, 0, CFG_UP_ACCESS_KEY), "",
	    "an empty variable is ignored");
	config_release(&c);

	config_init(&c, 0);
	ok(config_load_fallbacks(&c, env, &err) == 0 && c.nupstreams == 0,
	    "no upstreams: fallbacks create none");
	config_release(&c);
}

/* Precedence through cli_load_config, the code path of every command. */
static char tmpdir[] = "/tmp/fabrik-config-test.XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* Runs cli_load_config with a file (NULL: none), an environment value
 * (NULL: unset) and a flag value (NULL: none) for observability.log_level
 * and upstream 0's timeout; returns the log level seen. */
static const char *
precedence(const char *file_val, const char *env_val, const char *flag_val,
    enum config_origin *origin, int64_t *up_timeout, enum config_origin *uo)
{
	static char level[32];
	struct config c;
	char path[PATH_MAX], text[256];
	char *argv[8];
	int argc = 0, nrest, rc;

	snprintf(path, sizeof(path), "%s/prec.toml", tmpdir);
	argv[argc++] = "daemon";
	if (file_val != NULL) {
		snprintf(text, sizeof(text),
		    "[observability]\nlog_level = \"%s\"\n[[upstream]]\n"
		    "url = \"grpc://h:1\"\ntimeout = \"%s\"\n",
		    file_val, strcmp(file_val, "warn") == 0 ? "1s" : "9s");
		write_file(path, text);
		argv[argc++] = "--config";
		argv[argc++] = path;
	} else {
		argv[argc++] = "--config";
		argv[argc++] = "/dev/null";
	}
	if (env_val != NULL) {
		setenv("FABRIK_CONFIG_OBSERVABILITY_LOG_LEVEL", env_val, 1);
		setenv("FABRIK_CONFIG_UPSTREAM_0_URL", "grpc://h:1", 1);
		setenv("FABRIK_CONFIG_UPSTREAM_0_TIMEOUT", "2s", 1);
	} else {
		unsetenv("FABRIK_CONFIG_OBSERVABILITY_LOG_LEVEL");
		unsetenv("FABRIK_CONFIG_UPSTREAM_0_URL");
		unsetenv("FABRIK_CONFIG_UPSTREAM_0_TIMEOUT");
	}
	if (flag_val != NULL) {
		argv[argc++] = "--config-observability-log-level";
		argv[argc++] = (char *)flag_val;
		argv[argc++] = "--config-upstream-0-timeout=3s";
		argv[argc++] = "--config-upstream-0-url=grpc://h:1";
	}
	argv[argc] = NULL;
	rc = cli_load_config(argc, argv, 0, &c, &nrest);
	if (rc == -1) {
		snprintf(level, sizeof(level), "(failed)");
		return level;
	}
	snprintf(level, sizeof(level), "%s", config_str(&c, CFG_OBS_LOG_LEVEL));
	*origin = config_get(&c, CFG_OBS_LOG_LEVEL)->origin;
	*up_timeout =
	    c.nupstreams > 0 ? config_up_int(&c, 0, CFG_UP_TIMEOUT) : -1;
	*uo = c.nupstreams > 0 ? c.up[0][CFG_UP_TIMEOUT].origin : CO_DEFAULT;
	config_release(&c);
	unsetenv("FABRIK_CONFIG_OBSERVABILITY_LOG_LEVEL");
	unsetenv("FABRIK_CONFIG_UPSTREAM_0_URL");
	unsetenv("FABRIK_CONFIG_UPSTREAM_0_TIMEOUT");
	return level;
}

static void
test_precedence(void)
{
	static const struct {
		const char *file, *env, *flag, *want;
		enum config_origin origin;
		int64_t timeout;
		const char *name;
	} cases[] = {
		{ NULL, NULL, NULL, "info", CO_DEFAULT, -1, "default alone" },
		{ "warn", NULL, NULL, "warn", CO_FILE, 1000, "file > default" },
		{ NULL, "error", NULL, "error", CO_ENV, 2000,
		    "environment > default" },
		{ NULL, NULL, "debug", "debug", CO_FLAG, 3000,
		    "flag > default" },
		{ "warn", "error", NULL, "error", CO_ENV, 2000,
		    "environment > file" },
		{ "warn", NULL, "debug", "debug", CO_FLAG, 3000,
		    "flag > file" },
		{ NULL, "error", "debug", "debug", CO_FLAG, 3000,
		    "flag > environment" },
		{ "warn", "error", "debug", "debug", CO_FLAG, 3000,
		    "flag > environment > file" },
	};
	enum config_origin origin, uo;
	int64_t timeout;
	size_t i;
	char name[128];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		origin = uo = CO_DEFAULT;
		timeout = -1;
		snprintf(name, sizeof(name), "%s: log_level", cases[i].name);
		is_str(precedence(cases[i].file, cases[i].env, cases[i].flag,
			   &origin, &timeout, &uo),
		    cases[i].want, name);
		snprintf(name, sizeof(name), "%s: origin", cases[i].name);
		is_int(origin, cases[i].origin, name);
		snprintf(name, sizeof(name), "%s: upstream[0].timeout",
		    cases[i].name);
		is_int(timeout, cases[i].timeout, name);
		if (cases[i].timeout != -1) {
			snprintf(name, sizeof(name),
			    "%s: upstream[0].timeout origin", cases[i].name);
			is_int(uo, cases[i].origin, name);
		}
	}
}

static void
test_cli_config_path(void)
{
	struct config c;
	char a[PATH_MAX], b[PATH_MAX];
	char *argv[4];
	int nrest, rc, saved, quiet;

	snprintf(a, sizeof(a), "%s/a.toml", tmpdir);
	snprintf(b, sizeof(b), "%s/b.toml", tmpdir);
	write_file(a, "[cache]\nmax_size = \"2GB\"\n");
	write_file(b, "[cache]\nmax_size = \"3GB\"\n");
	setenv("FABRIK_CONFIG", a, 1);
	argv[0] = "config";
	argv[1] = NULL;
	ok(cli_load_config(1, argv, 0, &c, &nrest) == 0 &&
		config_int(&c, CFG_CACHE_MAX_SIZE) == 2000000000 &&
		strcmp(c.file, a) == 0,
	    "FABRIK_CONFIG names the file");
	config_release(&c);
	argv[1] = "--config";
	argv[2] = b;
	argv[3] = NULL;
	ok(cli_load_config(3, argv, 0, &c, &nrest) == 0 &&
		config_int(&c, CFG_CACHE_MAX_SIZE) == 3000000000 &&
		strcmp(c.file, b) == 0,
	    "--config PATH wins over FABRIK_CONFIG");
	is_int(nrest, 1, "and is consumed");
	config_release(&c);
	argv[1] = "--config";
	argv[2] = NULL;
	fflush(stderr);
	saved = dup(2);
	quiet = open("/dev/null", O_WRONLY);
	if (quiet != -1)
		dup2(quiet, 2);
	rc = cli_load_config(2, argv, 0, &c, &nrest);
	if (saved != -1) {
		dup2(saved, 2);
		close(saved);
	}
	if (quiet != -1)
		close(quiet);
	ok(rc == -1, "--config without a path is an error");
	config_release(&c);
	unsetenv("FABRIK_CONFIG");
}

static void
test_validation(void)
{
	validate_fails("[runtime]\nworker_threads = 2\n",
	    "f.toml:2:18: runtime.worker_threads: fabrik runs one event-loop "
	    "thread; use 0 or 1",
	    "worker_threads 2");
	validates(
	    "[runtime]\nworker_threads = 1\n", "worker_threads 1 is fine");
	validate_fails("[auth]\nrequired = true\n",
	    "f.toml:2:12: auth.required: true, but no tokens or keys are "
	    "configured",
	    "auth.required without tokens");
	validates("[auth]\nrequired = true\ntokens = [\"t0k3n\"]\n",
	    "auth.required with a token");
	validates("[auth]\nrequired = true\njwks_file = \"/etc/jwks.json\"\n",
	    "auth.required with a key set");
	validate_fails("[[upstream]]\nurl = \"ftp://x/\"\n",
	    "f.toml:2:7: upstream[0].url: must start with s3://, grpc:// or "
	    "grpcs://",
	    "bad upstream url scheme");
	validate_fails("[[upstream]]\nurl = \"s3://b/\"\n[[upstream]]\n"
		       "url = \"grpc://\"\n",
	    "f.toml:4:7: upstream[1].url: has no host or bucket after the "
	    "scheme",
	    "upstream url without a host");
	validate_fails("[[upstream]]\ntimeout = \"5s\"\n",
	    "configuration: upstream[0].url: is required",
	    "upstream without a url");
	validate_fails("[[upstream]]\nurl = \"s3://b/\"\nworkers = 0\n",
	    "f.toml:3:11: upstream[0].workers: must be at least 1",
	    "upstream workers 0");
	validate_fails("[p2p]\nenabled = true\nsecret = \"short\"\n",
	    "f.toml:3:10: p2p.secret: must be at least 16 characters when p2p "
	    "is enabled",
	    "p2p secret too short");
	validate_fails("[p2p]\nenabled = true\n",
	    "configuration: p2p.secret: must be at least 16 characters when "
	    "p2p is enabled",
	    "p2p without a secret");
	validates("[p2p]\nenabled = true\nsecret = \"0123456789abcdef\"\n",
	    "p2p with a 16-character secret");
	validates("[p2p]\nsecret = \"x\"\n", "a short secret with p2p off");
	validate_fails("[build_tools]\nenabled = [\"gradle\", \"maven\"]\n",
	    "f.toml:2:11: build_tools.enabled: unknown tool 'maven' (known: "
	    "gradle, bazel, nx, turbo, ccache, nix, s3, sccache, oci)",
	    "unknown build tool");
	validates("[build_tools]\nenabled = [\"oci\", \"s3\"]\n",
	    "oci and s3 are known tools");
	validate_fails("[auth]\ntokens = [\"a:read\", \"b:reed\"]\n",
	    "f.toml:2:10: auth.tokens: token 2: permissions after ':' must be "
	    "read, write or admin, separated by commas",
	    "a misspelt token permission");
	validate_fails("[auth]\ntokens = [\"b:dear\"]\n",
	    "f.toml:2:10: auth.tokens: token 1: permissions after ':' must be "
	    "read, write or admin, separated by commas",
	    "letters of the permission words are not enough");
	validate_fails("[auth]\ntokens = [\"b:\"]\n",
	    "f.toml:2:10: auth.tokens: token 1: no permissions after ':' (use "
	    "read, write or admin)",
	    "a token with an empty permission list");
	validate_fails("[auth]\ntokens = [\":read\"]\n",
	    "f.toml:2:10: auth.tokens: token 1: empty token", "an empty token");
	validate_fails("[auth]\ntokens = [\"b:read,,write\"]\n",
	    "f.toml:2:10: auth.tokens: token 1: permissions after ':' must be "
	    "read, write or admin, separated by commas",
	    "an empty permission word");
	validates("[auth]\ntokens = [\"a:read,write,admin\", \"b\", "
		  "\"c:write\"]\n",
	    "well-formed tokens");
	validate_fails("[cache]\nmax_size = \"1KB\"\n",
	    "f.toml:2:12: cache.max_size: must be at least 1MiB",
	    "max_size too small");
	validate_fails("[cache]\nmax_object_size = 0\n",
	    "f.toml:2:19: cache.max_object_size: must be positive",
	    "max_object_size 0");
	validate_fails("[runtime]\nmax_concurrent_requests = 0\n",
	    "f.toml:2:27: runtime.max_concurrent_requests: must be at least 1",
	    "max_concurrent_requests 0");
	validate_fails("[runtime]\nworker_threads = 4\n[auth]\nrequired = "
		       "true\n",
	    "f.toml:2:18: runtime.worker_threads: fabrik runs one event-loop "
	    "thread; use 0 or 1\n"
	    "f.toml:4:12: auth.required: true, but no tokens or keys are "
	    "configured",
	    "every validation problem is reported");

	/* A value from the environment or a flag is named as such. */
	{
		struct config c;
		char *env[] = { "FABRIK_CONFIG_RUNTIME_WORKER_THREADS=3",
			NULL };

		config_init(&c, 0);
		buf_reset(&err);
		ok(config_load_env(&c, env, &err) == 0 &&
			config_set_flag(
			    &c, "upstream-0-url", "ftp://x", &err) == 0,
		    "values from the environment and a flag");
		ok(config_validate(&c, &err) == -1, "fail validation");
		is_str(buf_cstr(&err),
		    "FABRIK_CONFIG_RUNTIME_WORKER_THREADS: "
		    "runtime.worker_threads: fabrik runs one event-loop "
		    "thread; use 0 or 1\n"
		    "--config-upstream-0-url: upstream[0].url: must start with "
		    "s3://, grpc:// or grpcs://\n",
		    "messages name the variable and the flag");
		config_release(&c);
	}
}

static void
test_enums(void)
{
	static const struct {
		const char *section, *key, *values;
	} enums[] = {
		{ "cache", "eviction_policy", "lfu lru ttl" },
		{ "cache", "verify", "changed always" },
		{ "observability", "log_level", "trace debug info warn error" },
		{ "observability", "log_format", "text json" },
		{ "p2p", "consent_mode",
		    "notify-once notify-always always-allow" },
	};
	struct config c;
	char text[256], vals[128], *v, *save;
	size_t i, n = 0;
	int all = 1;

	for (i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		snprintf(vals, sizeof(vals), "%s", enums[i].values);
		for (v = strtok_r(vals, " ", &save); v != NULL;
		     v = strtok_r(NULL, " ", &save)) {
			snprintf(text, sizeof(text), "[%s]\n%s = \"%s\"\n",
			    enums[i].section, enums[i].key, v);
			if (load(&c, text) != 0) {
				diag("%s.%s = %s refused: %s", enums[i].section,
				    enums[i].key, v, buf_cstr(&err));
				all = 0;
			}
			config_release(&c);
			n++;
		}
		snprintf(text, sizeof(text), "[%s]\n%s = \"\"\n",
		    enums[i].section, enums[i].key);
		ok(load(&c, text) == -1, "%s.%s: empty is refused",
		    enums[i].section, enums[i].key);
		config_release(&c);
		snprintf(text, sizeof(text), "[%s]\n%s = \"lfu|lru\"\n",
		    enums[i].section, enums[i].key);
		ok(load(&c, text) == -1,
		    "%s.%s: two values joined by | refused", enums[i].section,
		    enums[i].key);
		config_release(&c);
	}
	ok(all && n == 15, "all %zu enum values are accepted", n);
}

static char *
capture_show(const struct config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	config_show(c, f);
	fclose(f);
	return text;
}

static void
test_show(void)
{
	struct config c;
	char *env[] = { "FABRIK_CONFIG_CACHE_MAX_OBJECT_SIZE=1MB", NULL };
	char *text;
	int rc;

	rc = load(&c,
	    "[cache]\nmax_size = \"20GB\"\n[auth]\ntokens = "
	    "[\"sekrit-token:read\"]\n[p2p]\nsecret = "
	    "\"sekrit-p2p-secret-value\"\n[[upstream]]\nurl = "
	    "\"s3://b/\"\nsecret_key = \"sekrit-key\"\n");
	buf_reset(&err);
	ok(rc == 0 && config_load_env(&c, env, &err) == 0 &&
		config_set_flag(&c, "cache-verify", "always", &err) == 0,
	    "file, environment and flag values");
	text = capture_show(&c);
	ok(text != NULL, "config_show writes");
	if (text == NULL)
		text = strdup("");
	ok(strstr(text, "# effective configuration (f.toml)") != NULL,
	    "names the file");
	ok(strstr(text, "max_size = \"20GB\"  # file\n") != NULL,
	    "a file value is marked file");
	ok(strstr(text, "max_object_size = \"1MB\"  # environment\n") != NULL,
	    "an environment value is marked environment");
	ok(strstr(text, "verify = \"always\"  # flag\n") != NULL,
	    "a flag value is marked flag");
	ok(strstr(text, "eviction_policy = \"lfu\"  # default\n") != NULL,
	    "a default is marked default");
	ok(strstr(text, "sekrit") == NULL, "no secret is shown");
	ok(strstr(text, "tokens = [\"********\"]  # file\n") != NULL,
	    "auth.tokens masked");
	ok(strstr(text, "secret = \"********\"") != NULL, "p2p.secret masked");
	ok(strstr(text, "secret_key = \"********\"") != NULL,
	    "upstream secret_key masked");
	ok(strstr(text, "session_token = \"\"") != NULL,
	    "an empty secret shows as empty");
	{
		/* The first key whose feature comes with a later issue. */
		char want[256], *line, *eol;
		size_t i;

		for (i = 0; i < CFG_COUNT && config_keys[i].issue == 0; i++)
			continue;
		/* Within its own section: keys repeat across sections. */
		snprintf(want, sizeof(want), "\n[%s]\n",
		    i < CFG_COUNT ? config_keys[i].section : "?");
		line = strstr(text, want);
		snprintf(want, sizeof(want),
		    "\n%s = ", i < CFG_COUNT ? config_keys[i].key : "?");
		line = line != NULL ? strstr(line, want) : NULL;
		eol = line != NULL ? strchr(line + 1, '\n') : NULL;
		snprintf(want, sizeof(want), "%s",
		    "  # default; parsed and validated, not in effect yet "
		    "(not implemented yet)");
		ok(eol != NULL && (size_t)(eol - line) > strlen(want) &&
			strncmp(eol - strlen(want), want, strlen(want)) == 0,
		    "a key whose feature is not there yet says so (%s)",
		    i < CFG_COUNT ? config_keys[i].key : "none");
	}
	ok(strstr(text, "[[upstream]]\nurl = \"s3://b/\"  # file\n") != NULL,
	    "upstreams are shown");
	ok(strstr(text, "\n[p2p]\n") != NULL &&
		strstr(text, "\n[runtime]\n") != NULL,
	    "sections are shown");
	free(text);
	config_release(&c);
}

/* Drops "  # ..." comments (origins differ after a round trip). */
static void
strip_comments(char *s)
{
	char *w = s, *hash;

	while (*s != '\0') {
		hash = strstr(s, "  # ");
		if (hash == NULL ||
		    (strchr(s, '\n') != NULL && hash > strchr(s, '\n'))) {
			while (*s != '\0' && *s != '\n')
				*w++ = *s++;
		} else {
			while (s < hash)
				*w++ = *s++;
			while (*s != '\0' && *s != '\n')
				s++;
		}
		if (*s == '\n')
			*w++ = *s++;
	}
	*w = '\0';
}

/* config show writes TOML that loads back to the same values. */
static void
test_show_roundtrip(void)
{
	struct config c;
	char *one, *two;
	int rc;

	rc = load(&c,
	    "[cache]\ndir = \"/tmp/a\\\"b\\\\c\\td\"\nmax_size = "
	    "1048576\n[build_tools]\nenabled = [\"gradle\", \"nx\"]\n"
	    "[[upstream]]\nurl = \"grpc://h:1\"\nread_only = true\n");
	if (!ok(rc == 0, "a file with quotes, backslashes and a tab loads"))
		diag("%s", buf_cstr(&err));
	is_str(config_str(&c, CFG_CACHE_DIR), "/tmp/a\"b\\c\td",
	    "the escapes are decoded");
	one = capture_show(&c);
	config_release(&c);
	rc = load(&c, one != NULL ? one : "");
	if (!ok(rc == 0, "config show output loads back"))
		diag("%s", buf_cstr(&err));
	is_str(config_str(&c, CFG_CACHE_DIR), "/tmp/a\"b\\c\td",
	    "the odd path survives");
	is_int(config_int(&c, CFG_CACHE_MAX_SIZE), 1048576, "the size too");
	is_int(c.nupstreams, 1, "and the upstream");
	two = capture_show(&c);
	if (one != NULL && two != NULL) {
		strip_comments(one);
		strip_comments(two);
	}
	ok(one != NULL && two != NULL &&
		strcmp(strchr(one, '\n'), strchr(two, '\n')) == 0,
	    "showing it again gives the same text");
	free(one);
	free(two);
	config_release(&c);
}

static void
test_templates(void)
{
	static const char *const names[] = { "layer1", "server" };
	struct config c;
	char *text;
	size_t len, i;
	FILE *f;
	int rc;

	for (i = 0; i < 2; i++) {
		text = NULL;
		f = open_memstream(&text, &len);
		rc = config_template(names[i], f);
		fclose(f);
		ok(rc == 0, "template %s is written", names[i]);
		config_init(&c, i == 1);
		buf_reset(&err);
		rc = config_load_text(&c, names[i], text, len, &err);
		if (rc == 0)
			rc = config_validate(&c, &err);
		if (!ok(rc == 0, "template %s loads and validates", names[i]))
			diag("%s", buf_cstr(&err));
		config_release(&c);
		free(text);
	}
	f = fopen("/dev/null", "w");
	ok(config_template("layer9", f) == -1, "an unknown template fails");
	fclose(f);
}

static void
test_print_flags(void)
{
	char *text = NULL;
	size_t len, i;
	FILE *f = open_memstream(&text, &len);
	int all = 1;
	char flag[128], *p;

	config_print_flags(f);
	fclose(f);
	for (i = 0; i < CFG_COUNT; i++) {
		snprintf(flag, sizeof(flag), "--config-%s-%s",
		    config_keys[i].section, config_keys[i].key);
		for (p = flag; *p != '\0'; p++)
			if (*p == '_')
				*p = '-';
		if (strstr(text, flag) == NULL) {
			diag("missing %s", flag);
			all = 0;
		}
	}
	ok(all, "every key's flag is listed");
	ok(strstr(text, "--config-cache-max-size") != NULL &&
		strstr(text, "FABRIK_CONFIG_CACHE_MAX_SIZE\n") != NULL,
	    "with its environment variable");
	ok(strstr(text, "--config-upstream-N-read-only") != NULL &&
		strstr(text, "FABRIK_CONFIG_UPSTREAM_N_READ_ONLY\n") != NULL,
	    "upstream keys are listed with N");
	free(text);
}

static void
test_discover(void)
{
	char cwd[PATH_MAX], dir[PATH_MAX], sub[PATH_MAX], want[PATH_MAX];
	char xdg[PATH_MAX], *got;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return;
	snprintf(dir, sizeof(dir), "%s/proj", tmpdir);
	snprintf(sub, sizeof(sub), "%s/proj/a/b", tmpdir);
	snprintf(xdg, sizeof(xdg), "%s/xdg", tmpdir);
	mkdir(dir, 0700);
	snprintf(want, sizeof(want), "%s/proj/a", tmpdir);
	mkdir(want, 0700);
	mkdir(sub, 0700);
	mkdir(xdg, 0700);
	snprintf(want, sizeof(want), "%s/xdg/fabrik", tmpdir);
	mkdir(want, 0700);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", tmpdir, 1);
	if (chdir(sub) == -1)
		return;
	got = config_discover();
	ok(got == NULL, "nothing to discover (got %s)", got ? got : "NULL");
	free(got);
	snprintf(want, sizeof(want), "%s/xdg/fabrik/config.toml", tmpdir);
	write_file(want, "");
	got = config_discover();
	is_str(got ? got : "NULL", want, "$XDG_CONFIG_HOME/fabrik/config.toml");
	free(got);
	snprintf(want, sizeof(want), "%s/proj/fabrik.toml", tmpdir);
	write_file(want, "");
	got = config_discover();
	is_str(got ? got : "NULL", want,
	    "fabrik.toml two directories up wins over XDG");
	free(got);
	snprintf(want, sizeof(want), "%s/proj/a/b/fabrik.toml", tmpdir);
	mkdir(want, 0700);
	got = config_discover();
	snprintf(want, sizeof(want), "%s/proj/fabrik.toml", tmpdir);
	is_str(got ? got : "NULL", want,
	    "a directory named fabrik.toml is "
	    "skipped");
	free(got);
	snprintf(want, sizeof(want), "%s/proj/fabrik.toml", tmpdir);
	unlink(want);
	unsetenv("XDG_CONFIG_HOME");
	snprintf(want, sizeof(want), "%s/.config", tmpdir);
	mkdir(want, 0700);
	snprintf(want, sizeof(want), "%s/.config/fabrik", tmpdir);
	mkdir(want, 0700);
	snprintf(want, sizeof(want), "%s/.config/fabrik/config.toml", tmpdir);
	write_file(want, "");
	got = config_discover();
	is_str(got ? got : "NULL", want,
	    "without XDG_CONFIG_HOME: ~/.config/fabrik/config.toml");
	free(got);
	if (chdir(cwd) == -1)
		return;
}

/* Every prefix of a file with every kind of value loads or fails with a
 * message; nothing crashes (run under the sanitizers in CI). */
static void
test_truncations(void)
{
	static const char text[] =
	    "# comment\n[cache]\ndir = \"/x\"\nmax_size = \"1.5GB\"\n"
	    "default_ttl = \"1h30m\"\nfsync = true\n[build_tools]\n"
	    "enabled = [\"gradle\", \"nx\"]\n[[upstream]]\n"
	    "url = \"s3://b/\"\nworkers = 3\n[auth]\ntokens = "
	    "[\"a:read,write\"]\n[p2p]\nconsent_mode = \"notify-once\"\n";
	struct config c;
	size_t n, fails = 0, silent = 0;
	int rc;

	for (n = 0; n <= sizeof(text) - 1; n++) {
		config_init(&c, 0);
		buf_reset(&err);
		rc = config_load_text(&c, "t.toml", text, n, &err);
		if (rc == -1) {
			fails++;
			if (strncmp(buf_cstr(&err), "t.toml:", 7) != 0)
				silent++;
		}
		config_release(&c);
	}
	ok(fails > 0, "%zu of %zu prefixes fail", fails, sizeof(text));
	is_int(silent, 0, "each failure has a t.toml:... message");
	config_init(&c, 0);
	buf_reset(&err);
	ok(config_load_text(&c, "t.toml", text, sizeof(text) - 1, &err) == 0,
	    "the whole text loads");
	config_release(&c);
}

/* The key reference of doc/configuration.md, generated from the X-macro
 * table and the real defaults of both modes; `config.t --doc-table`
 * prints it, and test_doc() checks the document holds exactly this. */
static const char *const type_names[] = { "string", "path", "bool", "integer",
	"size", "duration", "enum", "list" };

static void
doc_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void
doc_value(FILE *f, const struct config_key *k, const struct config_value *v)
{
	size_t i;

	if (k->type == CT_LIST) {
		if (v->nlist == 0) {
			fputs("(empty)", f);
			return;
		}
		fputc('`', f);
		for (i = 0; i < v->nlist; i++)
			fprintf(f, "%s%s", i ? "," : "", v->list[i]);
		fputc('`', f);
		return;
	}
	if (v->s == NULL || *v->s == '\0') {
		fputs("(empty)", f);
		return;
	}
	fputc('`', f);
	doc_escape(f, v->s);
	fputc('`', f);
}

static int
doc_same(const struct config_key *k, const struct config_value *a,
    const struct config_value *b)
{
	size_t i;

	if (k->type == CT_LIST) {
		if (a->nlist != b->nlist)
			return 0;
		for (i = 0; i < a->nlist; i++)
			if (strcmp(a->list[i], b->list[i]) != 0)
				return 0;
		return 1;
	}
	return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
}

static void
doc_row(FILE *f, const struct config_key *k, const struct config_value *d,
    const struct config_value *s, const char *name)
{
	fprintf(f, "| `%s` | %s | ", name, type_names[k->type]);
	doc_value(f, k, d);
	if (!doc_same(k, d, s)) {
		fputs(" (server: ", f);
		doc_value(f, k, s);
		fputc(')', f);
	}
	fputs(" | ", f);
	doc_escape(f, k->doc);
	if (k->issue > 0)
		fputs(" | not implemented yet |\n", f);
	else
		fputs(" | in effect |\n", f);
}

static void
doc_table(FILE *f)
{
	static const char head[] =
	    "| Key | Type | Default | Meaning | Status |\n"
	    "|-----|------|---------|---------|--------|\n";
	struct config d, s;
	const char *section = "";
	char name[128];
	size_t i;

	config_init(&d, 0);
	config_init(&s, 1);
	for (i = 0; i < CFG_COUNT; i++) {
		if (strcmp(section, config_keys[i].section) != 0) {
			section = config_keys[i].section;
			fprintf(f, "%s### [%s]\n\n%s", i ? "\n" : "", section,
			    head);
		}
		snprintf(name, sizeof(name), "%s.%s", config_keys[i].section,
		    config_keys[i].key);
		doc_row(f, &config_keys[i], &d.v[i], &s.v[i], name);
	}
	/* Upstream entries get their defaults when created. */
	if (config_set_flag(&d, "upstream-0-url", "s3://b/", &err) == -1 ||
	    config_set_flag(&s, "upstream-0-url", "s3://b/", &err) == -1)
		fprintf(stderr, "upstream defaults: %s", buf_cstr(&err));
	fprintf(f, "\n### [[upstream]]\n\n%s", head);
	for (i = 0; i < CFG_UP_COUNT; i++) {
		snprintf(name, sizeof(name), "upstream[N].%s",
		    config_up_keys[i].key);
		if (i == CFG_UP_URL) {
			struct config_value empty;

			memset(&empty, 0, sizeof(empty));
			doc_row(f, &config_up_keys[i], &empty, &empty, name);
			continue;
		}
		doc_row(f, &config_up_keys[i], &d.up[0][i], &s.up[0][i], name);
	}
	config_release(&d);
	config_release(&s);
}

static void
test_doc(void)
{
	char path[4096], *text = NULL, *want = NULL, *b, *e;
	size_t len = 0, wlen = 0;
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "%s/../doc/configuration.md", tap_tdir());
	if ((f = fopen(path, "r")) == NULL) {
		ok(0, "cannot open %s", path);
		return;
	}
	{
		FILE *m = open_memstream(&text, &len);

		while ((c = fgetc(f)) != EOF)
			fputc(c, m);
		fclose(m);
	}
	fclose(f);
	f = open_memstream(&want, &wlen);
	doc_table(f);
	fclose(f);
	b = strstr(text, "<!-- keys:begin -->\n");
	e = strstr(text, "<!-- keys:end -->");
	ok(b != NULL && e != NULL && e > b,
	    "doc/configuration.md has the "
	    "key reference markers");
	if (b != NULL && e != NULL && e > b) {
		b += strlen("<!-- keys:begin -->\n");
		*e = '\0';
		if (!ok(strcmp(b, want) == 0,
			"doc/configuration.md lists every key exactly as "
			"config.h defines it"))
			diag("regenerate the block with: make t/unit/config.t "
			     "&& t/unit/config.t --doc-table");
	}
	free(text);
	free(want);
}

static void
cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)!system(cmd);
}

int
main(int argc, char **argv)
{
	buf_init(&err);
	if (argc > 1 && strcmp(argv[1], "--doc-table") == 0) {
		doc_table(stdout);
		buf_release(&err);
		return 0;
	}
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp failed\n");
		return 1;
	}
	/* The process environment must not leak into the tests. */
	unsetenv("FABRIK_CONFIG");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("FABRIK_TOKEN");
	test_defaults();
	test_types();
	test_unknown();
	test_upstreams();
	test_env();
	test_flags();
	test_fallbacks();
	test_precedence();
	test_cli_config_path();
	test_validation();
	test_enums();
	test_show();
	test_show_roundtrip();
	test_templates();
	test_print_flags();
	test_discover();
	test_truncations();
	test_doc();
	cleanup();
	buf_release(&err);
	return done_testing();
}
