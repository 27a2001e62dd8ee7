/*
 * fabrik: command dispatch only.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int main(int, char **);

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "daemon", cli_daemon,
	    "run layer 1 next to the build (build-tool protocols)" },
	{ "server", cli_server,
	    "run layer 2, a shared regional cache (Fabrik protocol)" },
	{ "health", cli_health, "ask a running fabrik whether it is healthy" },
	{ "config", cli_config, "validate, show or generate configuration" },
	{ "cache", cli_cache,
	    "inspect, verify and clean the local cache (script entries too)" },
	{ "run", cli_run, "run a script recipe through the cache" },
	{ "bazel", cli_bazel,
	    "run bazel with a Fabrik remote cache (-- bazel args)" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: fabrik <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
	    "\nfabrik <command> --help lists each command's flags "
	    "and environment variables.\nfabrik --version prints the "
	    "version.  See fabrik(1).\n");
}

static int
command_help(const char *name)
{
	if (strcmp(name, "daemon") == 0 || strcmp(name, "server") == 0) {
		printf("usage: fabrik %s [--config PATH] "
		       "[--config-<section>-<key> VALUE ...]\n\n"
		       "Runs %s until SIGINT or SIGTERM (graceful shutdown); "
		       "SIGHUP reloads the configuration.\n",
		    name,
		    strcmp(name, "daemon") == 0
			? "layer 1: build-tool cache protocols over a local "
			  "store"
			: "layer 2: the Fabrik protocol over a local store");
		cli_print_config_flags(stdout);
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	size_t i;
	int j;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("fabrik %s\n", FABRIK_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && command_help(argv[2]) == 0)
			return 0;
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		for (j = 2; j < argc; j++) {
			if (strcmp(argv[j], "--") == 0)
				break;
			if ((strcmp(argv[j], "--help") == 0 ||
				strcmp(argv[j], "-h") == 0) &&
			    command_help(argv[1]) == 0)
				return 0;
		}
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "fabrik: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
