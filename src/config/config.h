/*
 * Configuration: the schema of every fabrik.toml key (one const table),
 * defaults, file discovery, and the precedence flags > environment > file
 * > defaults.  Keys are addressed by id (CFG_<SECTION>_<KEY>).
 */
#ifndef FABRIK_CONFIG_H
#define FABRIK_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"

/* X(id, section, key, type, default, status, doc)
 * status: 0 = in effect; N > 0 = parsed and validated now, the feature
 * behind it is not implemented yet (fabrik config show says so). */
#define CONFIG_KEYS(X) \
	X(CACHE_DIR, "cache", "dir", CT_PATH, "", 0, \
	    "cache directory (default $XDG_CACHE_HOME/fabrik)") \
	X(CACHE_MAX_SIZE, "cache", "max_size", CT_SIZE, "10GB", 0, \
	    "most bytes the local store may hold") \
	X(CACHE_MAX_OBJECT_SIZE, "cache", "max_object_size", CT_SIZE, "5GB", \
	    0, "largest single object; bigger uploads get 413") \
	X(CACHE_EVICTION_POLICY, "cache", "eviction_policy", CT_ENUM, "lfu", \
	    0, "lfu|lru|ttl: which object goes first when full") \
	X(CACHE_DEFAULT_TTL, "cache", "default_ttl", CT_DURATION, "7d", 0, \
	    "objects not read for this long expire (0 = never)") \
	X(CACHE_LFU_HALFLIFE, "cache", "lfu_halflife", CT_DURATION, "1d", 0, \
	    "LFU aging: hit counts halve after this long without a hit") \
	X(CACHE_MIN_FREE_SPACE, "cache", "min_free_space", CT_SIZE, "512MB", \
	    0, "refuse writes (507) when the disk has less free space") \
	X(CACHE_VERIFY, "cache", "verify", CT_ENUM, "changed", 0, \
	    "changed|always: when reads re-hash object content") \
	X(CACHE_FSYNC, "cache", "fsync", CT_BOOL, "false", 0, \
	    "fsync each object before it becomes visible") \
	X(AUTH_REQUIRED, "auth", "required", CT_BOOL, "false", 0, \
	    "reject requests without a valid token") \
	X(AUTH_TOKENS, "auth", "tokens", CT_LIST, "", 0, \
	    "static tokens: \"TOKEN\" or \"TOKEN:read,write,admin\"") \
	X(AUTH_PUBLIC_KEY_FILE, "auth", "public_key_file", CT_PATH, "", 0, \
	    "PEM file with RS256 public keys") \
	X(AUTH_JWKS_FILE, "auth", "jwks_file", CT_PATH, "", 0, \
	    "JWK Set file with RS256 public keys") \
	X(AUTH_JWKS_URL, "auth", "jwks_url", CT_STRING, "", 0, \
	    "JWK Set URL, fetched at start and every key_refresh_interval") \
	X(AUTH_KEY_REFRESH_INTERVAL, "auth", "key_refresh_interval", \
	    CT_DURATION, "5m", 0, "how often key files are re-read") \
	X(AUTH_LEEWAY, "auth", "leeway", CT_DURATION, "60s", 0, \
	    "clock skew allowed for exp/nbf/iat") \
	X(AUTH_ISSUER, "auth", "issuer", CT_STRING, "", 0, \
	    "required iss claim (empty = any)") \
	X(AUTH_AUDIENCE, "auth", "audience", CT_STRING, "", 0, \
	    "required aud claim (empty = any)") \
	X(BUILD_TOOLS_ENABLED, "build_tools", "enabled", CT_LIST, \
	    "gradle,bazel,nx,turbo,ccache,nix,s3,sccache", 0, \
	    "build-tool adapters the daemon serves") \
	X(FABRIK_ENABLED, "fabrik", "enabled", CT_BOOL, "false", 0, \
	    "serve the Fabrik protocol (on for fabrik server)") \
	X(FABRIK_BIND, "fabrik", "bind", CT_STRING, "0.0.0.0:7070", 0, \
	    "Fabrik protocol (gRPC) listen address") \
	X(FABRIK_TLS_CERT, "fabrik", "tls_cert", CT_PATH, "", 0, \
	    "TLS certificate for grpcs") \
	X(FABRIK_TLS_KEY, "fabrik", "tls_key", CT_PATH, "", 0, \
	    "TLS private key for grpcs") \
	X(OBS_LOG_LEVEL, "observability", "log_level", CT_ENUM, "info", 0, \
	    "trace|debug|info|warn|error") \
	X(OBS_LOG_FORMAT, "observability", "log_format", CT_ENUM, "text", 0, \
	    "text|json") \
	X(OBS_HEALTH_BIND, "observability", "health_bind", CT_STRING, ":8888", \
	    0, "health endpoint listen address (empty = off)") \
	X(OBS_METRICS_BIND, "observability", "metrics_bind", CT_STRING, \
	    ":9091", 0, "metrics and API listen address (empty = off)") \
	X(OBS_METRICS_ENABLED, "observability", "metrics_enabled", CT_BOOL, \
	    "true", 0, "serve GET /metrics") \
	X(OBS_CACHE_QUERY_API_ENABLED, "observability", \
	    "cache_query_api_enabled", CT_BOOL, "true", 0, \
	    "serve the cache query API") \
	X(OBS_ADMIN_API_ENABLED, "observability", "admin_api_enabled", \
	    CT_BOOL, "false", 0, "serve the admin API") \
	X(OBS_API_AUTH_REQUIRED, "observability", "api_auth_required", \
	    CT_BOOL, "false", 0, "metrics and APIs need a token") \
	X(RT_GRACEFUL_SHUTDOWN_TIMEOUT, "runtime", \
	    "graceful_shutdown_timeout", CT_DURATION, "30s", 0, \
	    "how long shutdown waits for in-flight requests") \
	X(RT_MAX_CONCURRENT_REQUESTS, "runtime", "max_concurrent_requests", \
	    CT_INT, "10000", 0, "connections served at once, per listener") \
	X(RT_WORKER_THREADS, "runtime", "worker_threads", CT_INT, "0", 0, \
	    "accepted for compatibility: fabrik runs one thread (0 or 1)") \
	X(RT_HEADER_TIMEOUT, "runtime", "header_timeout", CT_DURATION, "10s", \
	    0, "a request head must arrive within this time") \
	X(RT_IDLE_TIMEOUT, "runtime", "idle_timeout", CT_DURATION, "60s", 0, \
	    "keep-alive connections idle this long are closed") \
	X(RT_BODY_TIMEOUT, "runtime", "body_timeout", CT_DURATION, "30s", 0, \
	    "a body transfer with no progress this long is aborted") \
	X(DAEMON_BIND, "daemon", "bind", CT_STRING, "127.0.0.1:0", 0, \
	    "build-tool HTTP listen address (port 0 = any free port)") \
	X(DAEMON_GRPC_BIND, "daemon", "grpc_bind", CT_STRING, "127.0.0.1:0", \
	    0, "Bazel REAPI gRPC listen address (empty = off)") \
	X(DAEMON_ENV_FILE, "daemon", "env_file", CT_PATH, "", 0, \
	    "write the build environment (KEY=value lines) here on start") \
	X(S3_BIND, "s3", "bind", CT_STRING, "", 0, \
	    "S3-compatible API listen address (empty = off)") \
	X(S3_REGION, "s3", "region", CT_STRING, "us-east-1", 0, \
	    "region the S3 API reports (signatures accept any)") \
	X(S3_ACCESS_KEYS, "s3", "access_keys", CT_LIST, "", 0, \
	    "\"ACCESS_KEY:SECRET\" or \"ACCESS_KEY:SECRET:read\"") \
	X(NIX_SECRET_KEY_FILE, "nix", "secret_key_file", CT_PATH, "", 0, \
	    "Nix secret key (name:base64) that signs every narinfo served") \
	X(P2P_ENABLED, "p2p", "enabled", CT_BOOL, "false", 9, \
	    "share caches with LAN peers") \
	X(P2P_SECRET, "p2p", "secret", CT_STRING, "", 9, \
	    "shared secret for peer HMAC (at least 16 characters)") \
	X(P2P_CONSENT_MODE, "p2p", "consent_mode", CT_ENUM, "notify-once", 9, \
	    "notify-once|notify-always|always-allow") \
	X(P2P_BIND_PORT, "p2p", "bind_port", CT_INT, "7071", 9, \
	    "peer protocol port") \
	X(P2P_ADVERTISE, "p2p", "advertise", CT_BOOL, "true", 9, \
	    "advertise this machine over mDNS") \
	X(P2P_DISCOVERY, "p2p", "discovery", CT_BOOL, "true", 9, \
	    "discover peers over mDNS") \
	X(P2P_MAX_PEERS, "p2p", "max_peers", CT_INT, "10", 9, \
	    "most peers to use")

/* Keys of each [[upstream]] entry. */
#define CONFIG_UPSTREAM_KEYS(X) \
	X(UP_URL, "upstream", "url", CT_STRING, "", 0, \
	    "s3://bucket/prefix/, grpc://host:port or grpcs://host:port") \
	X(UP_TIMEOUT, "upstream", "timeout", CT_DURATION, "30s", 0, \
	    "longest stall of one upstream request") \
	X(UP_READ_ONLY, "upstream", "read_only", CT_BOOL, "false", 0, \
	    "never write to this upstream") \
	X(UP_PERMANENT, "upstream", "permanent", CT_BOOL, "false", 0, \
	    "this layer never evicts") \
	X(UP_WRITE_THROUGH, "upstream", "write_through", CT_BOOL, "false", 0, \
	    "upload before answering the client") \
	X(UP_WORKERS, "upstream", "workers", CT_INT, "10", 0, \
	    "uploads in flight at once") \
	X(UP_REGION, "upstream", "region", CT_STRING, "", 0, \
	    "S3 region (else AWS_REGION, then AWS_DEFAULT_REGION)") \
	X(UP_ENDPOINT, "upstream", "endpoint", CT_STRING, "", 0, \
	    "S3-compatible endpoint URL (else AWS_ENDPOINT_URL)") \
	X(UP_ACCESS_KEY, "upstream", "access_key", CT_STRING, "", 0, \
	    "S3 access key id (else AWS_ACCESS_KEY_ID)") \
	X(UP_SECRET_KEY, "upstream", "secret_key", CT_STRING, "", 0, \
	    "S3 secret key (else AWS_SECRET_ACCESS_KEY)") \
	X(UP_SESSION_TOKEN, "upstream", "session_token", CT_STRING, "", 0, \
	    "S3 session token (else AWS_SESSION_TOKEN)") \
	X(UP_PATH_STYLE, "upstream", "path_style", CT_BOOL, "false", 0, \
	    "S3 path-style addressing") \
	X(UP_TLS_CA_FILE, "upstream", "tls_ca_file", CT_PATH, "", 0, \
	    "CA bundle instead of the system store") \
	X(UP_CIRCUIT_FAILURES, "upstream", "circuit_failures", CT_INT, "5", 0, \
	    "consecutive failures that open the circuit (skip the upstream)") \
	X(UP_CIRCUIT_OPEN, "upstream", "circuit_open", CT_DURATION, "10s", 0, \
	    "how long an open circuit skips the upstream before a probe") \
	X(UP_TOKEN, "upstream", "token", CT_STRING, "", 0, \
	    "bearer token for a grpc(s) upstream (else FABRIK_TOKEN)")

enum config_type {
	CT_STRING,
	CT_PATH,
	CT_BOOL,
	CT_INT,
	CT_SIZE,
	CT_DURATION,
	CT_ENUM,
	CT_LIST,
};

#define CONFIG_ID(id, s, k, t, d, st, doc) CFG_##id,
enum config_id { CONFIG_KEYS(CONFIG_ID) CFG_COUNT };
enum config_up_id { CONFIG_UPSTREAM_KEYS(CONFIG_ID) CFG_UP_COUNT };
#undef CONFIG_ID

#ifndef CONFIG_MAX_UPSTREAMS
#define CONFIG_MAX_UPSTREAMS 16
#endif
#ifndef CONFIG_MAX_LIST
#define CONFIG_MAX_LIST 256
#endif

enum config_origin {
	CO_DEFAULT,
	CO_FILE,
	CO_ENV,
	CO_FLAG,
};

struct config_value {
	char *s; /* strings, paths, enums; NULL = unset */
	int64_t i; /* ints, bools, sizes (bytes), durations (ms) */
	char **list; /* CT_LIST, NULL-terminated */
	size_t nlist;
	enum config_origin origin;
	int line, col; /* where the file set it (origin CO_FILE) */
};

struct config {
	struct config_value v[CFG_COUNT];
	struct config_value up[CONFIG_MAX_UPSTREAMS][CFG_UP_COUNT];
	size_t nupstreams;
	char *file; /* the file loaded, or NULL */
	int server_mode; /* fabrik server: other defaults */
};

struct config_key {
	const char *section;
	const char *key;
	enum config_type type;
	const char *def;
	int issue;
	const char *doc;
};

extern const struct config_key config_keys[CFG_COUNT];
extern const struct config_key config_up_keys[CFG_UP_COUNT];

/* Fills defaults (server_mode changes a few). */
void config_init(struct config *, int server_mode);
void config_release(struct config *);

/* Discovery: explicit path, else fabrik.toml walking up from the current
 * directory, else $XDG_CONFIG_HOME/fabrik/config.toml, else
 * SYSCONFDIR/fabrik/config.toml.  Returns a malloc'd path or NULL. */
char *config_discover(void);
/* Loads a TOML file over the current values.  On error returns -1 and
 * writes "file:line:col: section.key: message" lines to err (a file that
 * cannot be read or parsed at all gives "file: message" or
 * "file:line:col: message").  On success the file name is remembered in
 * c->file for show and for validation messages. */
int config_load_file(
    struct config *, const char *path, struct buf *err) FAB_WUR;
/* Same for text already in memory (name labels messages). */
int config_load_text(struct config *, const char *name, const char *text,
    size_t len, struct buf *err) FAB_WUR;
/* Applies FABRIK_CONFIG_<SECTION>_<KEY> and FABRIK_CONFIG_UPSTREAM_<N>_<KEY>
 * from env (a NULL-terminated "NAME=value" array such as environ).  An
 * unknown FABRIK_CONFIG_* name is an error.  Messages name the variable,
 * never its value. */
int config_load_env(struct config *, char **env, struct buf *err) FAB_WUR;
/* Applies one --config-<section>-<key> flag (name without "--config-";
 * '-' and '_' are interchangeable in section and key). */
int config_set_flag(struct config *, const char *name, const char *value,
    struct buf *err) FAB_WUR;
/* The standard fallbacks, applied last and only to values still empty:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
 * (else AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL for s3:// upstreams;
 * FABRIK_TOKEN for the token of grpc:// and grpcs:// upstreams.  env as
 * for config_load_env. */
int config_load_fallbacks(struct config *, char **env, struct buf *err) FAB_WUR;
/* Cross-key validation; appends one "where: section.key: message" line per
 * problem to err, where is file:line:col for a value from the file, the
 * variable or flag name for one from the environment or a flag, and
 * "configuration" for a default. */
int config_validate(const struct config *, struct buf *err) FAB_WUR;

const char *config_str(const struct config *, enum config_id);
int64_t config_int(const struct config *, enum config_id);
const struct config_value *config_get(const struct config *, enum config_id);
const char *config_up_str(const struct config *, size_t n, enum config_up_id);
int64_t config_up_int(const struct config *, size_t n, enum config_up_id);
/* Is name in the list key? */
int config_list_has(const struct config *, enum config_id, const char *name);

/* Writes the effective configuration as TOML with origin comments. */
void config_show(const struct config *, FILE *);
/* Writes a commented template: "layer1" or "server"; -1 if unknown. */
int config_template(const char *name, FILE *) FAB_WUR;
/* Lists every key for --help texts: "--config-s-k  FABRIK_CONFIG_S_K". */
void config_print_flags(FILE *);

#endif
