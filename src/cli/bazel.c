/*
 * fabrik bazel [config flags] -- <bazel arguments>
 *
 * Runs Bazel against a Fabrik REAPI endpoint: the running daemon that
 * holds the cache directory when there is one (its <cache dir>/daemon.addr
 * answers), else `fabrik daemon` started as a child on random loopback
 * ports (waiting for its readiness line); runs bazel
 * with --remote_cache=grpc://127.0.0.1:PORT (and the authorization header
 * when FABRIK_TOKEN is set) inserted after the bazel command word, forwards
 * SIGINT/SIGTERM/SIGHUP to bazel, and when bazel exits stops the daemon and
 * exits with bazel's status.  A supervisor process: it waits in poll() on
 * the daemon's log pipe and reaps children as they exit.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"

#define BAZEL_READY_TIMEOUT_MS 15000
#define BAZEL_MAX_ARGS 4096

static volatile sig_atomic_t bazel_signal;

static void
bazel_on_signal(int sig)
{
	bazel_signal = sig;
}

static void
bazel_usage(FILE *f)
{
	fprintf(f,
	    "usage: fabrik bazel [--config PATH] [--config-<section>-"
	    "<key> VALUE ...] -- <bazel args>\n"
	    "  Runs bazel with --remote_cache pointing at a Fabrik "
	    "REAPI endpoint started for the build.\n"
	    "  FABRIK_BAZEL   the bazel binary (default: bazel on "
	    "PATH)\n"
	    "  FABRIK_TOKEN   sent as the authorization header when "
	    "set\n");
}

/*
 * The address ("127.0.0.1:PORT") of the daemon that holds the cache
 * directory named by the config flags argv[1..dash), if its daemon.addr
 * exists and the port accepts a connection.  0, or -1 when there is none.
 */
static int
bazel_running_daemon(int dash, char **argv, char *addr, size_t addrlen)
{
	struct config cfg;
	struct sockaddr_in sin;
	char *cargv[BAZEL_MAX_ARGS], path[4096], url[256], host[64];
	int i, n = 0, nrest, fd, port, ok = -1;
	FILE *f;
	size_t len;

	cargv[n++] = argv[0];
	for (i = 1; i < dash && n < BAZEL_MAX_ARGS - 1; i++)
		cargv[n++] = argv[i];
	cargv[n] = NULL;
	if (cli_load_config(n, cargv, 0, &cfg, &nrest) == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/daemon.addr", cli_cache_dir(&cfg));
	config_release(&cfg);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	len = fread(url, 1, sizeof(url) - 1, f);
	fclose(f);
	url[len] = '\0';
	if (sscanf(url, "grpc://%63[0-9.]:%d", host, &port) != 2 || port <= 0 ||
	    port > 65535)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
		snprintf(addr, addrlen, "%s:%d", host, port);
		ok = 0;
	}
	close(fd);
	return ok;
}

/* Reads the daemon's log lines until "ready"; finds the grpc address. */
static int
bazel_wait_ready(int fd, struct buf *log, char *addr, size_t addrlen)
{
	struct pollfd pfd;
	uint64_t deadline = clock_mono_ms() + BAZEL_READY_TIMEOUT_MS, now;
	const char *p, *nl, *line;
	size_t off = 0;
	ssize_t n;

	addr[0] = '\0';
	for (;;) {
		now = clock_mono_ms();
		if (now >= deadline)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		if (buf_reserve(log, 4096) == -1)
			return -1;
		n = read(fd, log->data + log->len, 4096);
		if (n <= 0)
			return -1;
		log->len += (size_t)n;
		log->data[log->len] = '\0';
		while ((nl = memchr(log->data + off, '\n', log->len - off)) !=
		    NULL) {
			line = (const char *)log->data + off;
			off = (size_t)(nl - (const char *)log->data) + 1;
			if ((p = strstr(line, "listening grpc on ")) != NULL &&
			    p < nl) {
				p += strlen("listening grpc on ");
				snprintf(
				    addr, addrlen, "%.*s", (int)(nl - p), p);
			}
			if (strncmp(line, "[fabrik] ready", 14) == 0)
				return addr[0] != '\0' ? 0 : -1;
		}
	}
}

static pid_t
bazel_spawn(char **argv, int log_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (log_fd != -1) {
			dup2(log_fd, STDERR_FILENO);
			close(log_fd);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "[fabrik] cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	return pid;
}

int
cli_bazel(int argc, char **argv)
{
	char *dargv[BAZEL_MAX_ARGS], *bargv[BAZEL_MAX_ARGS];
	char self[4096], addr[256], cache_flag[300], header[8300];
	const char *bazel = getenv("FABRIK_BAZEL"),
		   *token = getenv("FABRIK_TOKEN");
	struct sigaction sa;
	struct buf log;
	struct pollfd pfd;
	int i, dash = -1, nd = 0, nb = 0, pipefd[2], status = 0, cmd = -1;
	int log_open = 1;
	pid_t daemon, child, w;
	char chunk[4096];
	ssize_t n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dash = i;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			bazel_usage(stdout);
			return 0;
		}
	}
	if (dash == -1 || dash + 1 >= argc || argc + 16 > BAZEL_MAX_ARGS) {
		bazel_usage(stderr);
		return 2;
	}
	if (bazel_running_daemon(dash, argv, addr, sizeof(addr)) == 0) {
		fprintf(stderr, "[fabrik] using the running daemon\n");
		daemon = -1;
		pipefd[0] = -1;
		log_open = 0;
		goto run;
	}
	/* The daemon: this binary, the caller's config flags, and ports
	 * chosen by the kernel on loopback. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = '\0';
	else
		snprintf(self, sizeof(self), "%s", "fabrik"); /* from PATH */
	dargv[nd++] = self;
	dargv[nd++] = "daemon";
	for (i = 1; i < dash; i++)
		dargv[nd++] = argv[i];
	dargv[nd++] = "--config-daemon-bind";
	dargv[nd++] = "127.0.0.1:0";
	dargv[nd++] = "--config-daemon-grpc-bind";
	dargv[nd++] = "127.0.0.1:0";
	dargv[nd++] = "--config-observability-health-bind";
	dargv[nd++] = "";
	dargv[nd++] = "--config-observability-metrics-bind";
	dargv[nd++] = "";
	dargv[nd++] = "--config-observability-log-format";
	dargv[nd++] = "text";
	dargv[nd] = NULL;
	if (pipe(pipefd) == -1)
		return 1;
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	daemon = bazel_spawn(dargv, pipefd[1]);
	close(pipefd[1]);
	if (daemon == -1) {
		close(pipefd[0]);
		return 1;
	}
	buf_init(&log);
	if (bazel_wait_ready(pipefd[0], &log, addr, sizeof(addr)) == -1) {
		fprintf(stderr,
		    "[fabrik] the REAPI endpoint did not start:\n%s",
		    buf_cstr(&log));
		kill(daemon, SIGTERM);
		waitpid(daemon, NULL, 0);
		buf_release(&log);
		close(pipefd[0]);
		return 1;
	}
	buf_release(&log);
run:
	snprintf(
	    cache_flag, sizeof(cache_flag), "--remote_cache=grpc://%s", addr);
	/* bazel [startup options] <command> --remote_cache=... [args] */
	bargv[nb++] =
	    (char *)(bazel != NULL && *bazel != '\0' ? bazel : "bazel");
	for (i = dash + 1; i < argc; i++) {
		bargv[nb++] = argv[i];
		if (cmd == -1 && argv[i][0] != '-') {
			cmd = i;
			bargv[nb++] = cache_flag;
			if (token != NULL && *token != '\0') {
				snprintf(header, sizeof(header),
				    "--remote_header=authorization=Bearer %s",
				    token);
				bargv[nb++] = header;
			}
		}
	}
	bargv[nb] = NULL;
	fprintf(stderr, "[fabrik] bazel remote cache at grpc://%s\n", addr);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bazel_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	child = bazel_spawn(bargv, -1);
	if (child == -1) {
		if (daemon != -1) {
			kill(daemon, SIGTERM);
			waitpid(daemon, NULL, 0);
		}
		return 1;
	}
	/* Relay the daemon's log, forward signals, until bazel exits. */
	for (;;) {
		if (bazel_signal != 0) {
			kill(child, bazel_signal);
			bazel_signal = 0;
		}
		w = waitpid(child, &status, WNOHANG);
		if (w == child)
			break;
		pfd.fd = log_open ? pipefd[0] : -1;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) > 0) {
			n = read(pipefd[0], chunk, sizeof(chunk));
			if (n > 0)
				(void)!write(STDERR_FILENO, chunk, (size_t)n);
			else
				log_open = 0;
		}
	}
	if (daemon != -1) {
		kill(daemon, SIGTERM);
		while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
			(void)!write(STDERR_FILENO, chunk, (size_t)n);
		close(pipefd[0]);
		waitpid(daemon, NULL, 0);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
