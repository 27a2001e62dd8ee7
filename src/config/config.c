/*
 * Configuration loading and validation.  Untrusted input: the config file
 * (a user's typo must produce "file:line:col: message", never a crash or a
 * silent default), environment variables and flags.  Every key is in one
 * const table (config.h); unknown keys are errors with a suggestion.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/toml.h"
#include "base/units.h"
#include "config/config.h"

#ifndef FABRIK_SYSCONFDIR
#define FABRIK_SYSCONFDIR "/usr/local/etc"
#endif
#define CONFIG_MAX_FILE (1024 * 1024)

#define CONFIG_ROW(id, s, k, t, d, st, doc) { s, k, t, d, st, doc },
const struct config_key config_keys[CFG_COUNT] = { CONFIG_KEYS(CONFIG_ROW) };
const struct config_key config_up_keys[CFG_UP_COUNT] = { CONFIG_UPSTREAM_KEYS(
    CONFIG_ROW) };
#undef CONFIG_ROW

static const struct {
	const char *section, *key, *values;
} config_enums[] = {
	{ "cache", "eviction_policy", "lfu|lru|ttl" },
	{ "cache", "verify", "changed|always" },
	{ "observability", "log_level", "trace|debug|info|warn|error" },
	{ "observability", "log_format", "text|json" },
	{ "p2p", "consent_mode", "notify-once|notify-always|always-allow" },
};

static const char *const config_sections[] = { "cache", "upstream", "auth",
	"build_tools", "fabrik", "observability", "runtime", "daemon", "p2p",
	"s3", "nix" };

static const char *const config_tools[] = { "gradle", "bazel", "nx", "turbo",
	"ccache", "nix", "s3", "sccache", "oci" };

static const char *const config_secret_keys[] = { "tokens", "secret_key",
	"session_token", "secret", "token", "access_keys" };

static void config_err(struct buf *err, const char *where, int line, int col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
config_err(
    struct buf *err, const char *where, int line, int col, const char *fmt, ...)
{
	va_list ap;
	int rc;

	if (line > 0)
		rc = buf_printf(err, "%s:%d:%d: ", where, line, col);
	else
		rc = buf_printf(err, "%s: ", where);
	va_start(ap, fmt);
	if (rc == 0)
		rc = buf_vprintf(err, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = buf_putc(err, '\n');
	(void)rc;
}

static const char *
config_enum_values(const struct config_key *k)
{
	size_t i;

	for (i = 0; i < sizeof(config_enums) / sizeof(config_enums[0]); i++)
		if (strcmp(config_enums[i].section, k->section) == 0 &&
		    strcmp(config_enums[i].key, k->key) == 0)
			return config_enums[i].values;
	return "";
}

static int
config_enum_ok(const char *values, const char *v)
{
	size_t n = strlen(v);
	const char *p = values, *bar;

	if (n == 0 || strchr(v, '|') != NULL)
		return 0;
	while (p != NULL && *p != '\0') {
		bar = strchr(p, '|');
		if ((bar == NULL ? strlen(p) : (size_t)(bar - p)) == n &&
		    strncmp(p, v, n) == 0)
			return 1;
		p = bar == NULL ? NULL : bar + 1;
	}
	return 0;
}

static void
config_value_clear(struct config_value *v)
{
	size_t i;

	free(v->s);
	for (i = 0; i < v->nlist; i++)
		free(v->list[i]);
	free(v->list);
	memset(v, 0, sizeof(*v));
}

static int
config_list_add(struct config_value *v, const char *s, size_t len)
{
	char **n;

	if (v->nlist >= CONFIG_MAX_LIST)
		return -1;
	if ((n = realloc(v->list, (v->nlist + 2) * sizeof(*n))) == NULL)
		return -1;
	v->list = n;
	if ((v->list[v->nlist] = strndup(s, len)) == NULL)
		return -1;
	v->nlist++;
	v->list[v->nlist] = NULL;
	return 0;
}

static int
config_bool_text(const char *s, int64_t *out)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0)
		*out = 1;
	else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Is s[0..n) one of the auth.tokens permission words? */
static int
config_perm_word(const char *s, size_t n)
{
	return (n == 4 && strncmp(s, "read", 4) == 0) ||
	    (n == 5 && strncmp(s, "write", 5) == 0) ||
	    (n == 5 && strncmp(s, "admin", 5) == 0);
}

/* Sets a value from text (defaults, environment, flags).  Lists are
 * comma-separated.  Returns 0 or -1 with *msg. */
static int
config_set_text(const struct config_key *k, struct config_value *v,
    const char *text, enum config_origin origin, const char **msg)
{
	struct config_value nv;
	uint64_t u;
	const char *p, *comma, *e = NULL;
	char *end, *joined;
	long long ll;
	size_t plen;

	memset(&nv, 0, sizeof(nv));
	nv.origin = origin;
	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
		break;
	case CT_ENUM:
		if (!config_enum_ok(config_enum_values(k), text)) {
			*msg = config_enum_values(k);
			return -2;
		}
		break;
	case CT_BOOL:
		if (config_bool_text(text, &nv.i) == -1) {
			*msg = "expected true or false";
			return -1;
		}
		break;
	case CT_INT:
		errno = 0;
		ll = strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0' || errno != 0 || ll < 0 ||
		    ll > INT_MAX) {
			*msg = "expected a non-negative integer";
			return -1;
		}
		nv.i = ll;
		break;
	case CT_SIZE:
		if (units_parse_size(text, &u, &e) == -1) {
			*msg = e;
			return -1;
		}
		if (u > INT64_MAX) {
			*msg = "size too large";
			return -1;
		}
		nv.i = (int64_t)u;
		break;
	case CT_DURATION:
		if (units_parse_duration(text, &u, &e) == -1) {
			*msg = e;
			return -1;
		}
		if (u > INT64_MAX) {
			*msg = "duration too large";
			return -1;
		}
		nv.i = (int64_t)u;
		break;
	case CT_LIST:
		for (p = text; *p != '\0'; p = *comma ? comma + 1 : comma) {
			comma = strchr(p, ',');
			if (comma == NULL)
				comma = p + strlen(p);
			while (p < comma && *p == ' ')
				p++;
			plen = (size_t)(comma - p);
			while (plen > 0 && p[plen - 1] == ' ')
				plen--;
			if (plen == 0)
				continue;
			/* "TOKEN:read,write" in a comma-separated list: a
			 * permission word continues the item before it. */
			if (nv.nlist > 0 &&
			    strchr(nv.list[nv.nlist - 1], ':') != NULL &&
			    config_perm_word(p, plen)) {
				joined = realloc(nv.list[nv.nlist - 1],
				    strlen(nv.list[nv.nlist - 1]) + plen + 2);
				if (joined == NULL)
					goto nomem;
				nv.list[nv.nlist - 1] = joined;
				strcat(joined, ",");
				strncat(joined, p, plen);
				continue;
			}
			if (config_list_add(&nv, p, plen) == -1) {
				config_value_clear(&nv);
				*msg = "list too long";
				return -1;
			}
		}
		config_value_clear(v);
		*v = nv;
		return 0;
	}
	if ((nv.s = strdup(text)) == NULL)
		goto nomem;
	config_value_clear(v);
	*v = nv;
	return 0;
nomem:
	config_value_clear(&nv);
	*msg = "out of memory";
	return -1;
}

void
config_init(struct config *c, int server_mode)
{
	const char *msg;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->server_mode = server_mode;
	for (i = 0; i < CFG_COUNT; i++)
		if (config_set_text(&config_keys[i], &c->v[i],
			config_keys[i].def, CO_DEFAULT, &msg) != 0)
			abort(); /* the defaults table is wrong */
	if (!server_mode) {
		/* A daemon on a laptop or CI job keeps its ports local. */
		config_set_text(&config_keys[CFG_OBS_HEALTH_BIND],
		    &c->v[CFG_OBS_HEALTH_BIND], "127.0.0.1:8888", CO_DEFAULT,
		    &msg);
		config_set_text(&config_keys[CFG_OBS_METRICS_BIND],
		    &c->v[CFG_OBS_METRICS_BIND], "127.0.0.1:9091", CO_DEFAULT,
		    &msg);
	} else {
		config_set_text(&config_keys[CFG_FABRIK_ENABLED],
		    &c->v[CFG_FABRIK_ENABLED], "true", CO_DEFAULT, &msg);
		config_set_text(&config_keys[CFG_OBS_LOG_FORMAT],
		    &c->v[CFG_OBS_LOG_FORMAT], "json", CO_DEFAULT, &msg);
	}
}

static void
config_up_init(struct config *c, size_t n)
{
	const char *msg;
	size_t i;

	for (i = 0; i < CFG_UP_COUNT; i++)
		if (c->up[n][i].s == NULL && c->up[n][i].list == NULL &&
		    config_set_text(&config_up_keys[i], &c->up[n][i],
			config_up_keys[i].def, CO_DEFAULT, &msg) != 0)
			abort();
}

void
config_release(struct config *c)
{
	size_t i, j;

	for (i = 0; i < CFG_COUNT; i++)
		config_value_clear(&c->v[i]);
	for (j = 0; j < CONFIG_MAX_UPSTREAMS; j++)
		for (i = 0; i < CFG_UP_COUNT; i++)
			config_value_clear(&c->up[j][i]);
	free(c->file);
	c->file = NULL;
}

/* Edit distance for "did you mean" suggestions. */
static size_t
config_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			tmp = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < tmp)
				tmp = row[j] + 1;
			if (row[j - 1] + 1 < tmp)
				tmp = row[j - 1] + 1;
			row[j] = tmp;
			prev = cur;
		}
	}
	return row[lb];
}

static const char *
config_suggest_key(const char *section, const char *key)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;
	int up = strcmp(section, "upstream") == 0;
	const struct config_key *tab = up ? config_up_keys : config_keys;
	size_t n = up ? CFG_UP_COUNT : CFG_COUNT;

	for (i = 0; i < n; i++) {
		if (strcmp(tab[i].section, section) != 0)
			continue;
		d = config_distance(key, tab[i].key);
		if (d < bestd) {
			bestd = d;
			best = tab[i].key;
		}
	}
	return best;
}

static const char *
config_find_section(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_sections) / sizeof(config_sections[0]);
	     i++)
		if (strcmp(name, config_sections[i]) == 0)
			return config_sections[i];
	return NULL;
}

static const char *
config_suggest_section(const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < sizeof(config_sections) / sizeof(config_sections[0]);
	     i++) {
		d = config_distance(name, config_sections[i]);
		if (d < bestd) {
			bestd = d;
			best = config_sections[i];
		}
	}
	if (best == NULL && strcmp(name, "build_systems") == 0)
		best = "build_tools";
	return best;
}

static int
config_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < CFG_COUNT; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

static int
config_find_up(const char *key)
{
	size_t i;

	for (i = 0; i < CFG_UP_COUNT; i++)
		if (strcmp(config_up_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* The section that has this exact key, for keys written in the wrong
 * section; NULL when none or when several have it. */
static const char *
config_other_section(const char *key)
{
	const char *found = NULL;
	size_t i;

	for (i = 0; i < CFG_COUNT; i++) {
		if (strcmp(config_keys[i].key, key) != 0)
			continue;
		if (found != NULL && strcmp(found, config_keys[i].section) != 0)
			return NULL;
		found = config_keys[i].section;
	}
	if (found == NULL && config_find_up(key) >= 0)
		found = "[upstream]";
	return found;
}

/* Sets a value from a TOML value, with type checks. */
static int
config_set_toml(const struct config_key *k, struct config_value *v,
    const struct toml_value *t, const char *file, struct buf *err)
{
	enum toml_type tt = toml_type(t);
	const char *msg = NULL, *s;
	char num[32];
	size_t i, n, len;
	struct config_value nv;
	int rc;

	switch (k->type) {
	case CT_BOOL:
		if (tt != TOML_BOOL)
			goto type;
		config_value_clear(v);
		v->i = toml_bool(t);
		v->origin = CO_FILE;
		return 0;
	case CT_INT:
		if (tt != TOML_INTEGER)
			goto type;
		if (toml_integer(t) < 0 || toml_integer(t) > INT_MAX) {
			config_err(err, file, toml_line(t), toml_col(t),
			    "%s.%s: value out of range (0..%d)", k->section,
			    k->key, INT_MAX);
			return -1;
		}
		config_value_clear(v);
		v->i = toml_integer(t);
		v->origin = CO_FILE;
		return 0;
	case CT_SIZE:
	case CT_DURATION:
		if (tt == TOML_INTEGER) {
			if (toml_integer(t) < 0)
				goto type;
			/* A bare number: bytes, or seconds. */
			snprintf(num, sizeof(num), "%lld", toml_integer(t));
			s = num;
			break;
		}
		if (tt != TOML_STRING)
			goto type;
		s = toml_string(t, &len);
		break;
	case CT_LIST:
		if (tt != TOML_ARRAY)
			goto type;
		memset(&nv, 0, sizeof(nv));
		nv.origin = CO_FILE;
		n = toml_array_len(t);
		for (i = 0; i < n; i++) {
			const struct toml_value *e = toml_array_at(t, i);
			if (toml_type(e) != TOML_STRING) {
				config_err(err, file, toml_line(e), toml_col(e),
				    "%s.%s: list items must be strings",
				    k->section, k->key);
				config_value_clear(&nv);
				return -1;
			}
			s = toml_string(e, &len);
			if (config_list_add(&nv, s, len) == -1) {
				config_err(err, file, toml_line(e), toml_col(e),
				    "%s.%s: list too long", k->section, k->key);
				config_value_clear(&nv);
				return -1;
			}
		}
		config_value_clear(v);
		*v = nv;
		return 0;
	default:
		if (tt != TOML_STRING)
			goto type;
		s = toml_string(t, &len);
		if (strlen(s) != len) {
			config_err(err, file, toml_line(t), toml_col(t),
			    "%s.%s: NUL byte in string", k->section, k->key);
			return -1;
		}
		break;
	}
	rc = config_set_text(k, v, s, CO_FILE, &msg);
	if (rc == -2) {
		config_err(err, file, toml_line(t), toml_col(t),
		    "%s.%s: \"%s\" is not one of %s", k->section, k->key, s,
		    msg);
		return -1;
	}
	if (rc != 0) {
		config_err(err, file, toml_line(t), toml_col(t), "%s.%s: %s",
		    k->section, k->key, msg);
		return -1;
	}
	return 0;
type:
	config_err(err, file, toml_line(t), toml_col(t),
	    "%s.%s: expected %s, found %s", k->section, k->key,
	    k->type == CT_BOOL		 ? "a boolean"
		: k->type == CT_INT	 ? "an integer"
		: k->type == CT_SIZE	 ? "a size such as \"10GB\""
		: k->type == CT_DURATION ? "a duration such as \"30s\""
		: k->type == CT_LIST	 ? "an array of strings"
					 : "a string",
	    toml_type_name(tt));
	return -1;
}

static int
config_load_section(struct config *c, const char *file, const char *name,
    const struct toml_value *tab, int up_index, struct buf *err)
{
	size_t i, n = toml_table_len(tab);
	const char *key, *sugg, *other;
	const struct toml_value *val;
	struct config_value *v;
	int id, bad = 0;

	for (i = 0; i < n; i++) {
		key = toml_table_key(tab, i);
		val = toml_table_value(tab, i);
		id = up_index >= 0 ? config_find_up(key)
				   : config_find(name, key);
		if (id < 0) {
			sugg = config_suggest_key(name, key);
			other = sugg == NULL ? config_other_section(key) : NULL;
			config_err(err, file, toml_table_key_line(tab, i),
			    toml_table_key_col(tab, i),
			    "unknown key '%s' in [%s]%s%s%s%s%s%s", key, name,
			    sugg ? " (did you mean '" : "", sugg ? sugg : "",
			    sugg ? "'?)" : "", other ? " (it belongs in [" : "",
			    other ? other : "", other ? "])" : "");
			bad = 1;
			continue;
		}
		v = up_index >= 0 ? &c->up[up_index][id] : &c->v[id];
		if (config_set_toml(
			up_index >= 0 ? &config_up_keys[id] : &config_keys[id],
			v, val, file, err) == -1) {
			bad = 1;
			continue;
		}
		v->line = toml_line(val);
		v->col = toml_col(val);
	}
	return bad ? -1 : 0;
}

int
config_load_text(struct config *c, const char *file, const char *text,
    size_t len, struct buf *err)
{
	struct toml_error te;
	struct toml_value *root;
	const struct toml_value *val, *e;
	const char *name, *sugg, *other;
	size_t i, j, n;
	int bad = 0;

	root = toml_parse(text, len, &te);
	if (root == NULL) {
		config_err(err, file, te.line, te.col, "%s", te.msg);
		return -1;
	}
	n = toml_table_len(root);
	for (i = 0; i < n; i++) {
		name = toml_table_key(root, i);
		val = toml_table_value(root, i);
		if (strcmp(name, "upstream") == 0) {
			if (toml_type(val) != TOML_ARRAY) {
				config_err(err, file, toml_line(val),
				    toml_col(val),
				    "upstream must be an array of tables "
				    "([[upstream]])");
				bad = 1;
				continue;
			}
			for (j = 0; j < toml_array_len(val); j++) {
				e = toml_array_at(val, j);
				if (toml_type(e) != TOML_TABLE) {
					config_err(err, file, toml_line(e),
					    toml_col(e),
					    "upstream entries must be tables");
					bad = 1;
					continue;
				}
				if (c->nupstreams >= CONFIG_MAX_UPSTREAMS) {
					config_err(err, file, toml_line(e),
					    toml_col(e),
					    "too many upstreams (at most %d)",
					    CONFIG_MAX_UPSTREAMS);
					bad = 1;
					break;
				}
				config_up_init(c, c->nupstreams);
				if (config_load_section(c, file, "upstream", e,
					(int)c->nupstreams, err) == -1)
					bad = 1;
				c->nupstreams++;
			}
			continue;
		}
		if (toml_type(val) != TOML_TABLE &&
		    config_find_section(name) == NULL) {
			other = config_other_section(name);
			config_err(err, file, toml_table_key_line(root, i),
			    toml_table_key_col(root, i),
			    "unknown top-level key '%s': keys belong in a "
			    "section%s%s%s",
			    name, other ? " (it belongs in [" : "",
			    other ? other : "", other ? "])" : "");
			bad = 1;
			continue;
		}
		if (config_find_section(name) == NULL) {
			sugg = config_suggest_section(name);
			config_err(err, file, toml_table_key_line(root, i),
			    toml_table_key_col(root, i),
			    "unknown section [%s]%s%s%s", name,
			    sugg ? " (did you mean [" : "", sugg ? sugg : "",
			    sugg ? "]?)" : "");
			bad = 1;
			continue;
		}
		if (toml_type(val) != TOML_TABLE) {
			config_err(err, file, toml_table_key_line(root, i),
			    toml_table_key_col(root, i),
			    "'%s' must be a table ([%s])", name, name);
			bad = 1;
			continue;
		}
		if (config_load_section(c, file, name, val, -1, err) == -1)
			bad = 1;
	}
	toml_free(root);
	if (bad)
		return -1;
	free(c->file);
	if ((c->file = strdup(file)) == NULL) {
		config_err(err, file, 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

int
config_load_file(struct config *c, const char *path, struct buf *err)
{
	struct buf text;
	FILE *f;
	size_t n;
	int rc;

	if ((f = fopen(path, "rb")) == NULL) {
		config_err(err, path, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf_init(&text);
	for (;;) {
		if (buf_reserve(&text, 65536) == -1) {
			fclose(f);
			buf_release(&text);
			config_err(err, path, 0, 0, "out of memory");
			return -1;
		}
		n = fread(text.data + text.len, 1, 65536, f);
		text.len += n;
		if (n == 0 && ferror(f)) {
			config_err(err, path, 0, 0, "cannot read: %s",
			    strerror(errno));
			fclose(f);
			buf_release(&text);
			return -1;
		}
		if (n == 0)
			break;
		if (text.len > CONFIG_MAX_FILE) {
			fclose(f);
			buf_release(&text);
			config_err(err, path, 0, 0, "file too large");
			return -1;
		}
	}
	fclose(f);
	rc = config_load_text(c, path, (const char *)text.data, text.len, err);
	buf_release(&text);
	return rc;
}

static void
config_upper(char *dst, size_t cap, const char *section, const char *key)
{
	size_t i = 0;
	const char *p;

	for (p = section; *p != '\0' && i + 1 < cap; p++)
		dst[i++] = (char)toupper((unsigned char)*p);
	if (i + 1 < cap)
		dst[i++] = '_';
	for (p = key; *p != '\0' && i + 1 < cap; p++)
		dst[i++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	dst[i] = '\0';
}

/* The label of a key in messages: "section.key" or "upstream[N].key". */
static void
config_label(char *dst, size_t cap, const struct config_key *k, int up)
{
	if (up >= 0)
		snprintf(dst, cap, "upstream[%d].%s", up, k->key);
	else
		snprintf(dst, cap, "%s.%s", k->section, k->key);
}

/* The environment variable or flag that sets a key. */
static void
config_var_name(char *dst, size_t cap, const struct config_key *k, int up)
{
	char name[128];

	if (up >= 0) {
		config_upper(name, sizeof(name), "", k->key);
		snprintf(dst, cap, "FABRIK_CONFIG_UPSTREAM_%d%s", up, name);
	} else {
		config_upper(name, sizeof(name), k->section, k->key);
		snprintf(dst, cap, "FABRIK_CONFIG_%s", name);
	}
}

static void
config_flag_name(char *dst, size_t cap, const struct config_key *k, int up)
{
	size_t i;

	if (up >= 0)
		snprintf(dst, cap, "--config-upstream-%d-%s", up, k->key);
	else
		snprintf(dst, cap, "--config-%s-%s", k->section, k->key);
	for (i = 0; dst[i] != '\0'; i++)
		if (dst[i] == '_')
			dst[i] = '-';
}

static int
config_apply_text(const struct config_key *k, struct config_value *v, int up,
    const char *text, enum config_origin origin, const char *where,
    struct buf *err)
{
	const char *msg = NULL;
	char label[128];
	int rc = config_set_text(k, v, text, origin, &msg);

	config_label(label, sizeof(label), k, up);
	if (rc == -2)
		config_err(err, where, 0, 0, "%s: \"%s\" is not one of %s",
		    label, text, msg);
	else if (rc != 0)
		config_err(err, where, 0, 0, "%s: %s", label, msg);
	return rc == 0 ? 0 : -1;
}

int
config_load_env(struct config *c, char **env, struct buf *err)
{
	static const char prefix[] = "FABRIK_CONFIG_";
	char name[128], upname[128], var[160];
	const char *eq, *rest, *val;
	size_t i, n, idx;
	int bad = 0, found;
	char *end;

	for (; env != NULL && *env != NULL; env++) {
		if (strncmp(*env, prefix, sizeof(prefix) - 1) != 0)
			continue;
		eq = strchr(*env, '=');
		if (eq == NULL)
			continue;
		rest = *env + sizeof(prefix) - 1;
		n = (size_t)(eq - rest);
		if (n >= sizeof(name)) {
			config_err(err, "environment", 0, 0,
			    "unknown configuration variable %.40s...", *env);
			bad = 1;
			continue;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		snprintf(var, sizeof(var), "%s%s", prefix, name);
		val = eq + 1;
		found = 0;
		if (strncmp(name, "UPSTREAM_", 9) == 0 &&
		    isdigit((unsigned char)name[9])) {
			idx = strtoul(name + 9, &end, 10);
			for (i = 0; *end == '_' && i < CFG_UP_COUNT; i++) {
				config_upper(upname, sizeof(upname), "",
				    config_up_keys[i].key);
				if (strcmp(end, upname) != 0)
					continue;
				found = 1;
				if (idx >= CONFIG_MAX_UPSTREAMS) {
					config_err(err, var, 0, 0,
					    "too many upstreams (at most %d)",
					    CONFIG_MAX_UPSTREAMS);
					bad = 1;
					break;
				}
				while (c->nupstreams <= idx)
					config_up_init(c, c->nupstreams++);
				if (config_apply_text(&config_up_keys[i],
					&c->up[idx][i], (int)idx, val, CO_ENV,
					var, err) == -1)
					bad = 1;
			}
		} else {
			for (i = 0; i < CFG_COUNT; i++) {
				config_upper(upname, sizeof(upname),
				    config_keys[i].section, config_keys[i].key);
				if (strcmp(name, upname) != 0)
					continue;
				found = 1;
				if (config_apply_text(&config_keys[i], &c->v[i],
					-1, val, CO_ENV, var, err) == -1)
					bad = 1;
			}
		}
		if (!found) {
			config_err(err, "environment", 0, 0,
			    "unknown configuration variable %s", var);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* Looks NAME up in a "NAME=value" array; NULL when absent or empty. */
static const char *
config_env_get(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return (*env)[n + 1] != '\0' ? *env + n + 1 : NULL;
	return NULL;
}

int
config_load_fallbacks(struct config *c, char **env, struct buf *err)
{
	static const struct {
		enum config_up_id id;
		const char *scheme;
		const char *var;
	} fb[] = {
		{ CFG_UP_ACCESS_KEY, "s3://", "AWS_ACCESS_KEY_ID" },
		{ CFG_UP_SECRET_KEY, "s3://", "AWS_SECRET_ACCESS_KEY" },
		{ CFG_UP_SESSION_TOKEN, "s3://", "AWS_SESSION_TOKEN" },
		{ CFG_UP_REGION, "s3://", "AWS_REGION" },
		{ CFG_UP_REGION, "s3://", "AWS_DEFAULT_REGION" },
		{ CFG_UP_ENDPOINT, "s3://", "AWS_ENDPOINT_URL" },
		{ CFG_UP_TOKEN, "grpc://", "FABRIK_TOKEN" },
		{ CFG_UP_TOKEN, "grpcs://", "FABRIK_TOKEN" },
	};
	const char *url, *ev;
	size_t idx, i;
	int bad = 0;

	for (idx = 0; idx < c->nupstreams; idx++) {
		url = config_up_str(c, idx, CFG_UP_URL);
		for (i = 0; i < sizeof(fb) / sizeof(fb[0]); i++) {
			if (strncmp(url, fb[i].scheme, strlen(fb[i].scheme)) !=
				0 ||
			    *config_up_str(c, idx, fb[i].id) != '\0' ||
			    (ev = config_env_get(env, fb[i].var)) == NULL)
				continue;
			if (config_apply_text(&config_up_keys[fb[i].id],
				&c->up[idx][fb[i].id], (int)idx, ev, CO_ENV,
				fb[i].var, err) == -1)
				bad = 1;
		}
	}
	return bad ? -1 : 0;
}

/* Does a flag name equal "key", with '-' standing for '_'? */
static int
config_flag_eq(const char *flag, const char *key)
{
	for (; *flag != '\0' && *key != '\0'; flag++, key++)
		if (*flag != *key && !(*flag == '-' && *key == '_'))
			return 0;
	return *flag == '\0' && *key == '\0';
}

static int
config_flag_prefix(const char *flag, const char *section, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (flag[i] != section[i] &&
		    !(flag[i] == '-' && section[i] == '_'))
			return 0;
	return 1;
}

int
config_set_flag(
    struct config *c, const char *name, const char *value, struct buf *err)
{
	char flag[160];
	size_t i, idx, slen;
	char *end;

	snprintf(flag, sizeof(flag), "--config-%s", name);
	if (strncmp(name, "upstream-", 9) == 0 &&
	    isdigit((unsigned char)name[9])) {
		idx = strtoul(name + 9, &end, 10);
		for (i = 0; (*end == '-' || *end == '_') && i < CFG_UP_COUNT;
		     i++) {
			if (!config_flag_eq(end + 1, config_up_keys[i].key))
				continue;
			if (idx >= CONFIG_MAX_UPSTREAMS) {
				config_err(err, flag, 0, 0,
				    "too many upstreams (at most %d)",
				    CONFIG_MAX_UPSTREAMS);
				return -1;
			}
			while (c->nupstreams <= idx)
				config_up_init(c, c->nupstreams++);
			return config_apply_text(&config_up_keys[i],
			    &c->up[idx][i], (int)idx, value, CO_FLAG, flag,
			    err);
		}
	}
	for (i = 0; i < CFG_COUNT; i++) {
		slen = strlen(config_keys[i].section);
		if (strlen(name) <= slen ||
		    (name[slen] != '-' && name[slen] != '_') ||
		    !config_flag_prefix(name, config_keys[i].section, slen) ||
		    !config_flag_eq(name + slen + 1, config_keys[i].key))
			continue;
		return config_apply_text(
		    &config_keys[i], &c->v[i], -1, value, CO_FLAG, flag, err);
	}
	config_err(err, flag, 0, 0, "unknown configuration flag");
	return -1;
}

/* Appends "where: label: message" for a value that fails validation;
 * where says which source set the value. */
static void config_verr(struct buf *, const struct config *,
    const struct config_key *, const struct config_value *, int up,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
config_verr(struct buf *err, const struct config *c, const struct config_key *k,
    const struct config_value *v, int up, const char *fmt, ...)
{
	char where[192], label[128];
	va_list ap;
	int rc;

	switch (v->origin) {
	case CO_FILE:
		snprintf(where, sizeof(where), "%s:%d:%d",
		    c->file != NULL ? c->file : "file", v->line, v->col);
		break;
	case CO_ENV:
		config_var_name(where, sizeof(where), k, up);
		break;
	case CO_FLAG:
		config_flag_name(where, sizeof(where), k, up);
		break;
	default:
		snprintf(where, sizeof(where), "configuration");
		break;
	}
	config_label(label, sizeof(label), k, up);
	rc = buf_printf(err, "%s: %s: ", where, label);
	va_start(ap, fmt);
	if (rc == 0)
		rc = buf_vprintf(err, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = buf_putc(err, '\n');
	(void)rc;
}

#define CONFIG_VERR(c, err, id, ...) \
	config_verr( \
	    (err), (c), &config_keys[(id)], &(c)->v[(id)], -1, __VA_ARGS__)
#define CONFIG_UP_VERR(c, err, n, id, ...) \
	config_verr((err), (c), &config_up_keys[(id)], &(c)->up[(n)][(id)], \
	    (int)(n), __VA_ARGS__)

/* Checks "TOKEN" or "TOKEN:perm,perm" with perm read, write or admin. */
static const char *
config_token_error(const char *tok)
{
	const char *colon = strrchr(tok, ':'), *p;
	size_t n;

	if (tok[0] == '\0' || colon == tok)
		return "empty token";
	if (colon == NULL)
		return NULL;
	p = colon + 1;
	if (*p == '\0')
		return "no permissions after ':' (use read, write or admin)";
	for (;;) {
		n = strcspn(p, ",");
		if (!config_perm_word(p, n))
			return "permissions after ':' must be read, write or "
			       "admin, separated by commas";
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* Checks "ACCESS_KEY:SECRET" or "ACCESS_KEY:SECRET:perm,perm". */
static const char *
config_s3_key_error(const char *k)
{
	const char *c1 = strchr(k, ':'), *c2;

	if (c1 == NULL || c1 == k || c1[1] == '\0')
		return "must be ACCESS_KEY:SECRET or ACCESS_KEY:SECRET:read";
	if (c1 - k > 128)
		return "access key longer than 128 characters";
	if ((c2 = strrchr(k, ':')) != c1 && config_token_error(c1 + 1) != NULL)
		return "permissions after the secret must be read, write or "
		       "admin, separated by commas";
	if ((c2 != c1 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) == 0)
		return "empty secret";
	if ((c2 != c1 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)) > 128)
		return "secret longer than 128 characters";
	return NULL;
}

static int
config_known_tool(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(config_tools) / sizeof(config_tools[0]); i++)
		if (strcmp(name, config_tools[i]) == 0)
			return 1;
	return 0;
}

int
config_validate(const struct config *c, struct buf *err)
{
	const struct config_value *tools = &c->v[CFG_BUILD_TOOLS_ENABLED];
	const struct config_value *tokens = &c->v[CFG_AUTH_TOKENS];
	const char *url, *msg;
	size_t i;
	int bad = 0;

	if (config_int(c, CFG_RT_WORKER_THREADS) > 1) {
		CONFIG_VERR(c, err, CFG_RT_WORKER_THREADS,
		    "fabrik runs one event-loop thread; use 0 or 1");
		bad = 1;
	}
	if (config_int(c, CFG_RT_MAX_CONCURRENT_REQUESTS) < 1) {
		CONFIG_VERR(c, err, CFG_RT_MAX_CONCURRENT_REQUESTS,
		    "must be at least 1");
		bad = 1;
	}
	if (config_int(c, CFG_CACHE_MAX_SIZE) < 1024 * 1024) {
		CONFIG_VERR(
		    c, err, CFG_CACHE_MAX_SIZE, "must be at least 1MiB");
		bad = 1;
	}
	if (config_int(c, CFG_CACHE_MAX_OBJECT_SIZE) < 1) {
		CONFIG_VERR(
		    c, err, CFG_CACHE_MAX_OBJECT_SIZE, "must be positive");
		bad = 1;
	}
	for (i = 0; i < tools->nlist; i++) {
		if (config_known_tool(tools->list[i]))
			continue;
		CONFIG_VERR(c, err, CFG_BUILD_TOOLS_ENABLED,
		    "unknown tool '%s' (known: gradle, bazel, nx, turbo, "
		    "ccache, nix, s3, sccache, oci)",
		    tools->list[i]);
		bad = 1;
	}
	for (i = 0; i < c->v[CFG_S3_ACCESS_KEYS].nlist; i++) {
		if ((msg = config_s3_key_error(
			 c->v[CFG_S3_ACCESS_KEYS].list[i])) == NULL)
			continue;
		CONFIG_VERR(
		    c, err, CFG_S3_ACCESS_KEYS, "key %zu: %s", i + 1, msg);
		bad = 1;
	}
	for (i = 0; i < tokens->nlist; i++) {
		if ((msg = config_token_error(tokens->list[i])) == NULL)
			continue;
		CONFIG_VERR(
		    c, err, CFG_AUTH_TOKENS, "token %zu: %s", i + 1, msg);
		bad = 1;
	}
	if (config_int(c, CFG_AUTH_REQUIRED) && tokens->nlist == 0 &&
	    *config_str(c, CFG_AUTH_PUBLIC_KEY_FILE) == '\0' &&
	    *config_str(c, CFG_AUTH_JWKS_FILE) == '\0' &&
	    *config_str(c, CFG_AUTH_JWKS_URL) == '\0') {
		CONFIG_VERR(c, err, CFG_AUTH_REQUIRED,
		    "true, but no tokens or keys are configured");
		bad = 1;
	}
	for (i = 0; i < c->nupstreams; i++) {
		url = config_up_str(c, i, CFG_UP_URL);
		if (*url == '\0') {
			CONFIG_UP_VERR(c, err, i, CFG_UP_URL, "is required");
			bad = 1;
		} else if (strncmp(url, "s3://", 5) != 0 &&
		    strncmp(url, "grpc://", 7) != 0 &&
		    strncmp(url, "grpcs://", 8) != 0) {
			CONFIG_UP_VERR(c, err, i, CFG_UP_URL,
			    "must start with s3://, grpc:// or grpcs://");
			bad = 1;
		} else if (url[strcspn(url, ":") + 3] == '\0' ||
		    url[strcspn(url, ":") + 3] == '/') {
			CONFIG_UP_VERR(c, err, i, CFG_UP_URL,
			    "has no host or bucket after the scheme");
			bad = 1;
		}
		if (config_up_int(c, i, CFG_UP_WORKERS) < 1) {
			CONFIG_UP_VERR(
			    c, err, i, CFG_UP_WORKERS, "must be at least 1");
			bad = 1;
		}
		if (config_up_int(c, i, CFG_UP_CIRCUIT_FAILURES) < 1) {
			CONFIG_UP_VERR(c, err, i, CFG_UP_CIRCUIT_FAILURES,
			    "must be at least 1");
			bad = 1;
		}
	}
	if (config_int(c, CFG_P2P_ENABLED) &&
	    strlen(config_str(c, CFG_P2P_SECRET)) < 16) {
		CONFIG_VERR(c, err, CFG_P2P_SECRET,
		    "must be at least 16 characters when p2p is enabled");
		bad = 1;
	}
	return bad ? -1 : 0;
}

const struct config_value *
config_get(const struct config *c, enum config_id id)
{
	return &c->v[id];
}

const char *
config_str(const struct config *c, enum config_id id)
{
	return c->v[id].s != NULL ? c->v[id].s : "";
}

int64_t
config_int(const struct config *c, enum config_id id)
{
	return c->v[id].i;
}

const char *
config_up_str(const struct config *c, size_t n, enum config_up_id id)
{
	if (n >= c->nupstreams || c->up[n][id].s == NULL)
		return "";
	return c->up[n][id].s;
}

int64_t
config_up_int(const struct config *c, size_t n, enum config_up_id id)
{
	if (n >= c->nupstreams)
		return 0;
	return c->up[n][id].i;
}

int
config_list_has(const struct config *c, enum config_id id, const char *name)
{
	size_t i;

	for (i = 0; i < c->v[id].nlist; i++)
		if (strcmp(c->v[id].list[i], name) == 0)
			return 1;
	return 0;
}

char *
config_discover(void)
{
	char cwd[PATH_MAX], path[PATH_MAX + 32], *slash;
	const char *xdg, *home;
	struct stat st;

	if (getcwd(cwd, sizeof(cwd)) != NULL) {
		for (;;) {
			snprintf(path, sizeof(path), "%s/fabrik.toml",
			    strcmp(cwd, "/") == 0 ? "" : cwd);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				return strdup(path);
			slash = strrchr(cwd, '/');
			if (slash == NULL || strcmp(cwd, "/") == 0)
				break;
			if (slash == cwd)
				slash[1] = '\0';
			else
				*slash = '\0';
		}
	}
	xdg = getenv("XDG_CONFIG_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		snprintf(path, sizeof(path), "%s/fabrik/config.toml", xdg);
	else if (home != NULL)
		snprintf(
		    path, sizeof(path), "%s/.config/fabrik/config.toml", home);
	else
		path[0] = '\0';
	if (path[0] != '\0' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return strdup(path);
	snprintf(
	    path, sizeof(path), "%s/fabrik/config.toml", FABRIK_SYSCONFDIR);
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return strdup(path);
	return NULL;
}

static int
config_is_secret(const char *key)
{
	size_t i;

	for (i = 0;
	     i < sizeof(config_secret_keys) / sizeof(config_secret_keys[0]);
	     i++)
		if (strcmp(key, config_secret_keys[i]) == 0)
			return 1;
	return 0;
}

/* Writes s as a TOML basic string. */
static void
config_show_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
config_show_value(
    FILE *f, const struct config_key *k, const struct config_value *v)
{
	static const char *origins[] = { "default", "file", "environment",
		"flag" };
	size_t i;
	int secret = config_is_secret(k->key);

	fprintf(f, "%s = ", k->key);
	switch (k->type) {
	case CT_BOOL:
		fprintf(f, "%s", v->i ? "true" : "false");
		break;
	case CT_INT:
		fprintf(f, "%lld", (long long)v->i);
		break;
	case CT_LIST:
		fprintf(f, "[");
		for (i = 0; i < v->nlist; i++) {
			fputs(i ? ", " : "", f);
			config_show_str(f, secret ? "********" : v->list[i]);
		}
		fprintf(f, "]");
		break;
	default:
		config_show_str(f,
		    secret && v->s && *v->s ? "********"
			: v->s		    ? v->s
					    : "");
		break;
	}
	fprintf(f, "  # %s", origins[v->origin]);
	if (k->issue > 0)
		fprintf(f,
		    "; parsed and validated, not in effect yet "
		    "(not implemented yet)");
	fprintf(f, "\n");
}

void
config_show(const struct config *c, FILE *f)
{
	const char *section = "";
	size_t i, j;

	fprintf(f, "# effective configuration (%s)\n",
	    c->file != NULL ? c->file : "no file");
	for (i = 0; i < CFG_COUNT; i++) {
		if (strcmp(section, config_keys[i].section) != 0) {
			section = config_keys[i].section;
			fprintf(f, "\n[%s]\n", section);
		}
		config_show_value(f, &config_keys[i], &c->v[i]);
	}
	for (j = 0; j < c->nupstreams; j++) {
		fprintf(f, "\n[[upstream]]\n");
		for (i = 0; i < CFG_UP_COUNT; i++)
			config_show_value(f, &config_up_keys[i], &c->up[j][i]);
	}
}

void
config_print_flags(FILE *f)
{
	char env[128];
	size_t i, j;
	char flag[128];

	for (i = 0; i < CFG_COUNT; i++) {
		config_upper(env, sizeof(env), config_keys[i].section,
		    config_keys[i].key);
		snprintf(flag, sizeof(flag), "%s-%s", config_keys[i].section,
		    config_keys[i].key);
		for (j = 0; flag[j]; j++)
			if (flag[j] == '_')
				flag[j] = '-';
		fprintf(f, "  --config-%-36s FABRIK_CONFIG_%s\n", flag, env);
	}
	for (i = 0; i < CFG_UP_COUNT; i++) {
		config_upper(env, sizeof(env), "", config_up_keys[i].key);
		snprintf(
		    flag, sizeof(flag), "upstream-N-%s", config_up_keys[i].key);
		for (j = 0; flag[j]; j++)
			if (flag[j] == '_')
				flag[j] = '-';
		fprintf(f, "  --config-%-36s FABRIK_CONFIG_UPSTREAM_N%s\n",
		    flag, env);
	}
}

int
config_template(const char *name, FILE *f)
{
	if (strcmp(name, "layer1") == 0 || strcmp(name, "daemon") == 0) {
		fputs("# fabrik.toml -- layer 1: a daemon next to the build.\n"
		      "# Reference: fabrik(1), CONFIGURATION.\n\n"
		      "[cache]\n"
		      "# dir = \"~/.cache/fabrik\"   # default: "
		      "$XDG_CACHE_HOME/fabrik\n"
		      "max_size = \"10GB\"\n"
		      "eviction_policy = \"lfu\"\n"
		      "default_ttl = \"7d\"\n\n"
		      "[daemon]\n"
		      "bind = \"127.0.0.1:0\"\n\n"
		      "[build_tools]\n"
		      "enabled = [\"gradle\", \"bazel\", \"nx\", \"turbo\", "
		      "\"ccache\", \"nix\"]\n\n"
		      "# A shared regional server (layer 2):\n"
		      "# [[upstream]]\n"
		      "# url = \"grpc://cache.example.com:7070\"\n"
		      "# timeout = \"10s\"\n\n"
		      "[observability]\n"
		      "log_level = \"info\"\n",
		    f);
		return 0;
	}
	if (strcmp(name, "server") == 0 || strcmp(name, "layer2") == 0) {
		fputs("# fabrik.toml -- layer 2: a shared regional server.\n"
		      "# Reference: fabrik(1), CONFIGURATION.\n\n"
		      "[cache]\n"
		      "dir = \"/var/cache/fabrik\"\n"
		      "max_size = \"500GB\"\n"
		      "eviction_policy = \"lfu\"\n\n"
		      "[fabrik]\n"
		      "enabled = true\n"
		      "bind = \"0.0.0.0:7070\"\n\n"
		      "# Layer 3: the permanent shared store.\n"
		      "# [[upstream]]\n"
		      "# url = \"s3://my-build-cache/team/\"\n"
		      "# region = \"us-east-1\"\n"
		      "# permanent = true\n"
		      "# workers = 20\n\n"
		      "[auth]\n"
		      "required = true\n"
		      "# public_key_file = \"/etc/fabrik/jwt.pem\"\n"
		      "tokens = [\"change-me:read,write\"]\n\n"
		      "[observability]\n"
		      "log_format = \"json\"\n"
		      "health_bind = \"0.0.0.0:8888\"\n"
		      "metrics_bind = \"0.0.0.0:9091\"\n\n"
		      "[runtime]\n"
		      "graceful_shutdown_timeout = \"30s\"\n"
		      "max_concurrent_requests = 10000\n",
		    f);
		return 0;
	}
	return -1;
}
