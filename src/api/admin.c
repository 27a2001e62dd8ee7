/*
 * Admin API.  Untrusted input: request bodies (at most ADMIN_MAX_BODY
 * bytes, parsed by the strict reader of base/json; every member is
 * checked against the endpoint's fields, and numbers and sizes are
 * range-checked before use).  Nothing changes unless the whole body is
 * valid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/admin.h"
#include "base/log.h"
#include "base/units.h"

/* A body that passed the JSON reader: the endpoint's work. */
typedef void admin_body_fn(
    struct http_req *, const struct api_env *, const struct json_value *);

struct admin_body {
	const struct api_env *env;
	admin_body_fn *fn;
	struct buf data;
};

/* Answers 400 for the first member of obj that is not in names (a
 * NULL-terminated list).  Returns 0 when all are known. */
static int
admin_check_fields(
    struct http_req *r, const struct json_value *obj, const char *const *names)
{
	size_t i, j, n = json_object_len(obj), len;
	const char *key;
	char name[128];

	for (i = 0; i < n; i++) {
		key = json_object_key(obj, i, &len);
		snprintf(name, sizeof(name), "%.*s", (int)len, key);
		for (j = 0; names[j] != NULL; j++)
			if (strlen(names[j]) == len &&
			    memcmp(names[j], key, len) == 0)
				break;
		if (names[j] == NULL) {
			api_reply_error(r, 400, "unknown field", name);
			return -1;
		}
	}
	return 0;
}

/* A size: a non-negative integer (bytes) or a string with a unit. */
static int
admin_size(const struct json_value *v, uint64_t *out)
{
	const char *s, *err;
	long long n;
	size_t len;

	if (json_type(v) == JSON_NUMBER) {
		if (json_int64(v, &n) == -1 || n < 0)
			return -1;
		*out = (uint64_t)n;
		return 0;
	}
	if ((s = json_string(v, &len)) == NULL || len != strlen(s) ||
	    len == 0 || units_parse_size(s, out, &err) == -1 ||
	    *out > INT64_MAX)
		return -1;
	return 0;
}

static int
admin_policy(const struct json_value *v, enum store_policy *out)
{
	const char *s = json_string(v, NULL);

	if (s == NULL)
		return -1;
	if (strcmp(s, "lfu") == 0)
		*out = STORE_LFU;
	else if (strcmp(s, "lru") == 0)
		*out = STORE_LRU;
	else if (strcmp(s, "ttl") == 0)
		*out = STORE_TTL;
	else
		return -1;
	return 0;
}

/* POST /api/v1/admin/evict {"target_size_bytes": N, "strategy": "lfu"} */
static void
admin_evict(struct http_req *r, const struct api_env *env,
    const struct json_value *body)
{
	static const char *const fields[] = { "target_size_bytes", "strategy",
		NULL };
	const struct json_value *v;
	struct index *ix = store_index(env->store);
	enum store_policy pol = store_get_config(env->store)->policy;
	uint64_t target, freed, before;
	struct json_writer w;
	struct buf out;

	if (admin_check_fields(r, body, fields) == -1)
		return;
	if ((v = json_object_get(body, "target_size_bytes")) == NULL) {
		api_reply_error(r, 400, "missing field", "target_size_bytes");
		return;
	}
	if (admin_size(v, &target) == -1) {
		api_reply_error(r, 400,
		    "target_size_bytes must be a non-negative integer (bytes) "
		    "or a size string such as \"5GB\"",
		    "target_size_bytes");
		return;
	}
	if ((v = json_object_get(body, "strategy")) != NULL &&
	    admin_policy(v, &pol) == -1) {
		api_reply_error(r, 400,
		    "strategy must be \"lfu\", \"lru\" or \"ttl\"", "strategy");
		return;
	}
	before = index_count(ix);
	freed = store_evict_to(env->store, target, pol);
	log_info("admin: evicted %llu bytes (%llu objects) to reach %llu",
	    (unsigned long long)freed,
	    (unsigned long long)(before - index_count(ix)),
	    (unsigned long long)target);
	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "evicted_bytes");
	json_uint(&w, freed);
	json_key(&w, "objects");
	json_uint(&w, before - index_count(ix));
	json_key(&w, "total_size_bytes");
	json_uint(&w, index_total(ix));
	json_obj_end(&w);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
}

/* POST /api/v1/admin/clear {"confirm": true} */
static void
admin_clear(struct http_req *r, const struct api_env *env,
    const struct json_value *body)
{
	static const char *const fields[] = { "confirm", NULL };
	struct index *ix = store_index(env->store);
	uint64_t bytes = index_total(ix), n;
	struct json_writer w;
	struct buf out;
	int confirm;

	if (admin_check_fields(r, body, fields) == -1)
		return;
	if (json_bool_value(json_object_get(body, "confirm"), &confirm) == -1 ||
	    !confirm) {
		api_reply_error(r, 400,
		    "clearing the cache needs {\"confirm\": true}", "confirm");
		return;
	}
	n = store_clear(env->store);
	log_info("admin: cache cleared (%llu objects, %llu bytes)",
	    (unsigned long long)n, (unsigned long long)bytes);
	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "cleared_objects");
	json_uint(&w, n);
	json_key(&w, "freed_bytes");
	json_uint(&w, bytes - index_total(ix));
	json_key(&w, "total_size_bytes");
	json_uint(&w, index_total(ix));
	json_obj_end(&w);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
}

/* Keys whose values are never shown. */
static int
admin_secret(const char *key)
{
	static const char *const secrets[] = { "tokens", "secret", "secret_key",
		"session_token", "token", "access_key" };
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strcmp(key, secrets[i]) == 0)
			return 1;
	return 0;
}

static void
admin_write_value(struct json_writer *w, const struct config_key *k,
    const struct config_value *v)
{
	const char *colon;
	char masked[64];
	size_t i;

	json_key(w, k->key);
	switch (k->type) {
	case CT_BOOL:
		json_bool(w, v->i != 0);
		break;
	case CT_INT:
	case CT_SIZE:
	case CT_DURATION:
		json_int(w, (long long)v->i);
		break;
	case CT_LIST:
		json_arr_begin(w);
		for (i = 0; i < v->nlist; i++) {
			if (!admin_secret(k->key)) {
				json_cstr(w, v->list[i]);
				continue;
			}
			/* Keep a token's permissions, hide the token. */
			colon = strrchr(v->list[i], ':');
			snprintf(masked, sizeof(masked), "********%s",
			    colon != NULL ? colon : "");
			json_cstr(w, masked);
		}
		json_arr_end(w);
		break;
	default:
		json_cstr(w,
		    admin_secret(k->key) && v->s != NULL && *v->s != '\0'
			? "********"
			: v->s != NULL ? v->s
				       : "");
		break;
	}
}

/* The effective configuration, one object per section. */
static void
admin_write_config(struct json_writer *w, const struct api_env *env)
{
	const struct config *c = env->cfg;
	const char *section = NULL;
	struct config_value dir;
	size_t i, j;

	json_obj_begin(w);
	json_key(w, "file");
	json_cstr(w, c->file);
	for (i = 0; i < CFG_COUNT; i++) {
		if (section == NULL ||
		    strcmp(section, config_keys[i].section) != 0) {
			if (section != NULL)
				json_obj_end(w);
			section = config_keys[i].section;
			json_key(w, section);
			json_obj_begin(w);
		}
		if (i == CFG_CACHE_DIR) {
			/* The directory in use, not the "" default. */
			dir = c->v[i];
			dir.s = (char *)store_get_config(env->store)->dir;
			admin_write_value(w, &config_keys[i], &dir);
		} else
			admin_write_value(w, &config_keys[i], &c->v[i]);
	}
	if (section != NULL)
		json_obj_end(w);
	json_key(w, "upstream");
	json_arr_begin(w);
	for (j = 0; j < c->nupstreams; j++) {
		json_obj_begin(w);
		for (i = 0; i < CFG_UP_COUNT; i++)
			admin_write_value(w, &config_up_keys[i], &c->up[j][i]);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void
admin_config_get(struct http_req *r, const struct api_env *env)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out);
	json_writer_init(&w, &out);
	admin_write_config(&w, env);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
}

/* What POST /api/v1/admin/config may change, by the names it accepts
 * besides "section.key". */
static const struct admin_alias {
	const char *name;
	enum config_id id;
} admin_aliases[] = {
	{ "max_cache_size", CFG_CACHE_MAX_SIZE },
	{ "eviction_policy", CFG_CACHE_EVICTION_POLICY },
	{ "log_level", CFG_OBS_LOG_LEVEL },
};

static int
admin_is_hot(int id)
{
	size_t i;

	for (i = 0; i < sizeof(admin_aliases) / sizeof(admin_aliases[0]); i++)
		if ((int)admin_aliases[i].id == id)
			return 1;
	return 0;
}

/* Resolves a body member name to a configuration key: an alias,
 * "section.key", "upstream.key" or a key name that only one section has.
 * Writes "section.key" to full.  Returns the id, CFG_COUNT for an
 * upstream key, or -1 when no key has that name. */
static int
admin_resolve(const char *name, char *full, size_t fullsz)
{
	const char *dot = strchr(name, '.');
	int i, found = -1;
	size_t slen;

	for (i = 0; i < (int)(sizeof(admin_aliases) / sizeof(admin_aliases[0]));
	     i++)
		if (strcmp(name, admin_aliases[i].name) == 0) {
			found = (int)admin_aliases[i].id;
			goto out;
		}
	if (dot != NULL) {
		slen = (size_t)(dot - name);
		for (i = 0; i < CFG_COUNT; i++)
			if (strlen(config_keys[i].section) == slen &&
			    memcmp(name, config_keys[i].section, slen) == 0 &&
			    strcmp(dot + 1, config_keys[i].key) == 0) {
				found = i;
				goto out;
			}
		for (i = 0; i < CFG_UP_COUNT; i++)
			if (slen == 8 && memcmp(name, "upstream", 8) == 0 &&
			    strcmp(dot + 1, config_up_keys[i].key) == 0) {
				snprintf(full, fullsz, "%s", name);
				return CFG_COUNT;
			}
		return -1;
	}
	for (i = 0; i < CFG_COUNT; i++)
		if (strcmp(name, config_keys[i].key) == 0) {
			if (found != -1)
				return -1; /* ambiguous */
			found = i;
		}
	if (found == -1)
		return -1;
out:
	snprintf(full, fullsz, "%s.%s", config_keys[found].section,
	    config_keys[found].key);
	return found;
}

#define ADMIN_MAX_CHANGES 3

/* POST /api/v1/admin/config {"max_cache_size": "20GB", ...} */
static void
admin_config_post(struct http_req *r, const struct api_env *env,
    const struct json_value *body)
{
	struct {
		int id;
		char full[160];
		char text[32];
	} ch[ADMIN_MAX_CHANGES];
	const struct json_value *v;
	const char *key, *s;
	enum store_policy pol;
	char name[128], msg[256], flag[160], full[160], *dot;
	size_t i, j, n = json_object_len(body), nch = 0, len;
	struct json_writer w;
	struct buf out, err;
	uint64_t size;
	int id;

	if (n == 0) {
		api_reply_error(r, 400,
		    "nothing to change: give max_cache_size, eviction_policy "
		    "or log_level",
		    "body");
		return;
	}
	for (i = 0; i < n; i++) {
		key = json_object_key(body, i, &len);
		v = json_object_value(body, i);
		snprintf(name, sizeof(name), "%.*s", (int)len, key);
		if (len != strlen(key) || len >= sizeof(name)) {
			api_reply_error(r, 400, "unknown field", name);
			return;
		}
		id = admin_resolve(name, full, sizeof(full));
		if (id == -1) {
			api_reply_error(r, 400, "unknown field", name);
			return;
		}
		if (!admin_is_hot(id)) {
			snprintf(msg, sizeof(msg),
			    "%s needs a restart; the admin API changes only "
			    "max_cache_size, eviction_policy and log_level",
			    full);
			api_reply_error(r, 400, msg, name);
			return;
		}
		for (j = 0; j < nch; j++)
			if (ch[j].id == id) {
				api_reply_error(r, 400,
				    "field given twice (under two names)",
				    name);
				return;
			}
		snprintf(ch[nch].full, sizeof(ch[nch].full), "%s", full);
		switch (id) {
		case CFG_CACHE_MAX_SIZE:
			if (admin_size(v, &size) == -1 || size == 0) {
				api_reply_error(r, 400,
				    "must be a positive size: bytes as an "
				    "integer or a string such as \"20GB\"",
				    name);
				return;
			}
			snprintf(ch[nch].text, sizeof(ch[nch].text), "%llu",
			    (unsigned long long)size);
			break;
		case CFG_CACHE_EVICTION_POLICY:
			if (admin_policy(v, &pol) == -1) {
				api_reply_error(r, 400,
				    "must be \"lfu\", \"lru\" or \"ttl\"",
				    name);
				return;
			}
			snprintf(ch[nch].text, sizeof(ch[nch].text), "%s",
			    json_string(v, NULL));
			break;
		default:
			if ((s = json_string(v, NULL)) == NULL ||
			    log_level_parse(s) == -1) {
				api_reply_error(r, 400,
				    "must be \"trace\", \"debug\", \"info\", "
				    "\"warn\" or \"error\"",
				    name);
				return;
			}
			snprintf(ch[nch].text, sizeof(ch[nch].text), "%s", s);
			break;
		}
		ch[nch++].id = id;
	}
	/* Everything is valid: apply it all, then let the daemon act. */
	buf_init(&err);
	for (i = 0; i < nch; i++) {
		snprintf(flag, sizeof(flag), "%s", ch[i].full);
		if ((dot = strchr(flag, '.')) != NULL)
			*dot = '-';
		if (config_set_flag(env->cfg, flag, ch[i].text, &err) == -1) {
			/* Validated above; reaching this is a bug. */
			log_error("admin: cannot set %s: %s", ch[i].full,
			    buf_cstr(&err));
			buf_release(&err);
			api_reply_error(
			    r, 500, "configuration not applied", ch[i].full);
			return;
		}
		log_info("admin: %s = %s", ch[i].full, ch[i].text);
	}
	buf_release(&err);
	if (env->config_changed != NULL)
		env->config_changed(env->config_arg);
	buf_init(&out);
	json_writer_init(&w, &out);
	json_obj_begin(&w);
	json_key(&w, "updated");
	json_arr_begin(&w);
	for (i = 0; i < nch; i++)
		json_cstr(&w, ch[i].full);
	json_arr_end(&w);
	json_key(&w, "config");
	admin_write_config(&w, env);
	json_obj_end(&w);
	api_reply_json(r, 200, &w, &out);
	buf_release(&out);
}

static void
admin_body_free(struct admin_body *b)
{
	buf_release(&b->data);
	free(b);
}

static int
admin_body_data(struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct admin_body *b = arg;

	if (n > ADMIN_MAX_BODY - b->data.len) {
		http_req_on_abort(r, NULL, NULL);
		admin_body_free(b);
		api_reply_error(r, 413, "request body too large", "body");
		return -1;
	}
	if (buf_append(&b->data, p, n) == -1) {
		http_req_on_abort(r, NULL, NULL);
		admin_body_free(b);
		api_reply_error(r, 500, "out of memory", NULL);
		return -1;
	}
	return 0;
}

static void
admin_body_end(struct http_req *r, int ok, void *arg)
{
	struct admin_body *b = arg;
	struct json_value *root;
	struct json_error jerr;
	char msg[160];

	http_req_on_abort(r, NULL, NULL);
	if (!ok) {
		admin_body_free(b);
		api_reply_error(r, http_req_body_error(r),
		    http_req_body_error(r) == 413
			? "request body too large"
			: "incomplete or malformed body",
		    "body");
		return;
	}
	root = json_parse((const char *)b->data.data, b->data.len, &jerr);
	if (root == NULL) {
		snprintf(msg, sizeof(msg),
		    "invalid JSON: %s at line %zu, column %zu", jerr.msg,
		    jerr.line, jerr.col);
		api_reply_error(r, 400, msg, "body");
	} else if (json_type(root) != JSON_OBJECT)
		api_reply_error(
		    r, 400, "the body must be a JSON object", "body");
	else if (jerr.duplicate_keys)
		/* The reader keeps only the last of repeated members. */
		api_reply_error(r, 400, "a field is given twice", "body");
	else
		b->fn(r, b->env, root);
	json_free(root);
	admin_body_free(b);
}

static void
admin_body_abort(struct http_req *r, void *arg)
{
	admin_body_free(arg);
}

/* Reads the JSON body, then runs fn. */
static void
admin_read(struct http_req *r, const struct api_env *env, admin_body_fn *fn)
{
	long long len = http_req_content_length(r);
	struct admin_body *b;

	if (len > ADMIN_MAX_BODY) {
		api_reply_error(r, 413, "request body too large", "body");
		return;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL) {
		api_reply_error(r, 500, "out of memory", NULL);
		return;
	}
	b->env = env;
	b->fn = fn;
	buf_init(&b->data);
	http_req_on_abort(r, admin_body_abort, b);
	http_req_read_body(r, admin_body_data, admin_body_end, b);
}

/* The endpoints and the methods they take. */
static const struct admin_route {
	const char *path;
	admin_body_fn *post;
	void (*get)(struct http_req *, const struct api_env *);
} admin_routes[] = {
	{ "/api/v1/admin/evict", admin_evict, NULL },
	{ "/api/v1/admin/clear", admin_clear, NULL },
	{ "/api/v1/admin/config", admin_config_post, admin_config_get },
};

void
admin_handle(struct http_req *r, const struct api_env *env)
{
	struct span path = http_req_path(r);
	const struct admin_route *rt;
	size_t i;

	for (i = 0; i < sizeof(admin_routes) / sizeof(admin_routes[0]); i++)
		if (span_eq_str(path, admin_routes[i].path))
			break;
	if (i == sizeof(admin_routes) / sizeof(admin_routes[0])) {
		api_reply_error(r, 404, "no such endpoint", NULL);
		return;
	}
	rt = &admin_routes[i];
	if (http_req_is(r, "POST") && rt->post != NULL)
		admin_read(r, env, rt->post);
	else if ((http_req_is(r, "GET") || http_req_is(r, "HEAD")) &&
	    rt->get != NULL)
		rt->get(r, env);
	else {
		http_reply_header(
		    r, "Allow", rt->get != NULL ? "GET, HEAD, POST" : "POST");
		api_reply_error(r, 405, "method not allowed", NULL);
	}
}
