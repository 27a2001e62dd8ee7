/*
 * Command-line plumbing shared by the commands: the version, config-backed
 * flags (--config PATH, --config-<section>-<key> VALUE), loading the
 * configuration with its precedence, and one function per command.
 */
#ifndef FABRIK_CLI_H
#define FABRIK_CLI_H

#include <stdio.h>

#include "config/config.h"

#define FABRIK_VERSION "0.1.0"

/* Parses config flags out of argv (from index 1), loads the configuration
 * (file, environment, flags) and validates it.  Arguments that are not
 * config flags are moved to the front of argv and counted in *nrest.
 * Returns 0, or -1 after printing the errors (exit status 2); on failure
 * cfg holds nothing that needs config_release(). */
int cli_load_config(
    int argc, char **argv, int server_mode, struct config *, int *nrest);
/* Prints the config flag list with their environment variables. */
void cli_print_config_flags(FILE *);
/* The effective cache directory (config or $XDG_CACHE_HOME/fabrik) in a
 * static buffer. */
const char *cli_cache_dir(const struct config *);

struct chain;
struct loop;
struct resolver;
/* Adds the configured [[upstream]] layers, in order, to chain (creating
 * the DNS resolver into *res when it is NULL; the caller frees it after
 * the chain).  verbose: log a line per upstream.  Returns 0, or -1 after
 * logging why.  The caller then calls chain_start(). */
int cli_chain_setup(const struct config *, struct loop *, struct chain *,
    struct resolver **res, int verbose);

int cli_daemon(int argc, char **argv);
int cli_server(int argc, char **argv);
int cli_health(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_cache(int argc, char **argv);
int cli_bazel(int argc, char **argv);
int cli_run(int argc, char **argv);

#endif
