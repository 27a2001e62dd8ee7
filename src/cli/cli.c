/*
 * Shared command-line handling.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

int
cli_load_config(
    int argc, char **argv, int server_mode, struct config *cfg, int *nrest)
{
	struct buf err;
	const char *path = getenv("FABRIK_CONFIG"), *name, *val, *eq;
	char *found = NULL, key[128];
	int i, n = 1, rc = -1;
	size_t klen;

	buf_init(&err);
	config_init(cfg, server_mode);
	/* First pass: --config PATH (it decides which file to load). */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				if (buf_printf(&err,
					"--config: missing value (a file "
					"path)\n") == -1)
					goto out;
				goto out;
			}
			path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			path = argv[i] + 9;
		}
	}
	if (path == NULL || *path == '\0')
		path = found = config_discover();
	if (path != NULL && config_load_file(cfg, path, &err) == -1)
		goto out;
	if (config_load_env(cfg, environ, &err) == -1)
		goto out;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(argv[i], "--config=", 9) == 0)
			continue;
		if (strncmp(argv[i], "--config-", 9) != 0 ||
		    strcmp(argv[i], "--config-help") == 0) {
			if (strcmp(argv[i], "--") == 0) {
				/* Everything after -- belongs to the
				 * command. */
				while (i < argc)
					argv[n++] = argv[i++];
				break;
			}
			argv[n++] = argv[i];
			continue;
		}
		name = argv[i] + 9;
		if ((eq = strchr(name, '=')) != NULL) {
			klen = (size_t)(eq - name);
			if (klen >= sizeof(key))
				klen = sizeof(key) - 1;
			memcpy(key, name, klen);
			key[klen] = '\0';
			name = key;
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			if (buf_printf(&err, "%s: missing value\n", argv[i]) ==
			    -1)
				goto out;
			goto out;
		}
		if (config_set_flag(cfg, name, val, &err) == -1)
			goto out;
	}
	if (config_load_fallbacks(cfg, environ, &err) == -1 ||
	    config_validate(cfg, &err) == -1)
		goto out;
	*nrest = n;
	rc = 0;
out:
	if (rc == -1) {
		fprintf(stderr, "%s", buf_cstr(&err));
		/* The caller gets nothing to release on failure. */
		config_release(cfg);
	}
	buf_release(&err);
	free(found);
	return rc;
}

void
cli_print_config_flags(FILE *f)
{
	fprintf(f,
	    "\nConfiguration (flag, then environment variable; "
	    "flags win over the environment,\nwhich wins over the "
	    "file):\n"
	    "  --config PATH                                  "
	    "FABRIK_CONFIG\n");
	config_print_flags(f);
}

const char *
cli_cache_dir(const struct config *cfg)
{
	static char dir[PATH_MAX];
	const char *d = config_str(cfg, CFG_CACHE_DIR), *xdg, *home;

	if (*d != '\0')
		return d;
	xdg = getenv("XDG_CACHE_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		snprintf(dir, sizeof(dir), "%s/fabrik", xdg);
	else if (home != NULL && *home != '\0')
		snprintf(dir, sizeof(dir), "%s/.cache/fabrik", home);
	else
		snprintf(dir, sizeof(dir), ".fabrik/cache");
	return dir;
}
