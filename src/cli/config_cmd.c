/*
 * fabrik config validate | show | generate --template layer1|server
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void
config_cmd_usage(FILE *f)
{
	fprintf(f,
	    "usage: fabrik config validate [--config PATH]\n"
	    "       fabrik config show [--config PATH] [config flags]\n"
	    "       fabrik config generate --template layer1|server\n");
}

int
cli_config(int argc, char **argv)
{
	struct config cfg;
	const char *sub = argc > 1 ? argv[1] : "";
	int nrest, i;

	if (strcmp(sub, "generate") == 0) {
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--template") == 0 &&
			    i + 1 < argc) {
				if (config_template(argv[i + 1], stdout) == 0)
					return 0;
				fprintf(stderr,
				    "fabrik config generate: "
				    "unknown template '%s' (layer1 "
				    "or server)\n",
				    argv[i + 1]);
				return 2;
			}
		}
		if (config_template("layer1", stdout) == -1)
			return 2;
		return 0;
	}
	if (strcmp(sub, "validate") == 0 || strcmp(sub, "show") == 0) {
		if (cli_load_config(argc - 1, argv + 1, 0, &cfg, &nrest) == -1)
			return 2;
		if (nrest > 1) {
			fprintf(stderr,
			    "fabrik config %s: unexpected "
			    "argument '%s'\n",
			    sub, argv[2]);
			config_release(&cfg);
			return 2;
		}
		if (strcmp(sub, "show") == 0)
			config_show(&cfg, stdout);
		else
			printf("%s: ok\n",
			    cfg.file != NULL ? cfg.file : "defaults");
		config_release(&cfg);
		return 0;
	}
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		config_cmd_usage(stdout);
		cli_print_config_flags(stdout);
		return 0;
	}
	config_cmd_usage(stderr);
	return 2;
}
