/*
 * fabrik health [--url URL]: asks a running fabrik for GET /health and
 * exits 0 when it answers 200 with "status":"healthy", 1 otherwise.  A
 * command-line client: blocking I/O with a timeout is fine here.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "cli/cli.h"
#include "http/h1.h"

#define HEALTH_TIMEOUT_MS 5000

static int
health_connect(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static int
health_get(const char *url, struct buf *body, int *status)
{
	char host[256], port[16], req[512];
	const char *p = url, *colon, *slash;
	struct h1_parser parser;
	struct h1_response resp;
	struct buf in;
	struct pollfd pfd;
	const char *err;
	ssize_t n;
	int fd, rc = -1, hl = 0;

	if (strncmp(p, "http://", 7) == 0)
		p += 7;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	if (colon == NULL || (size_t)(colon - p) >= sizeof(host) ||
	    (size_t)(slash - colon - 1) >= sizeof(port))
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	memcpy(port, colon + 1, (size_t)(slash - colon - 1));
	port[slash - colon - 1] = '\0';
	if (host[0] == '\0' || strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if ((fd = health_connect(host, port)) == -1)
		return -1;
	snprintf(req, sizeof(req),
	    "GET /health HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n",
	    host, port);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	buf_init(&in);
	h1_parser_init(&parser);
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, HEALTH_TIMEOUT_MS) <= 0)
			break;
		if (buf_reserve(&in, 4096) == -1)
			break;
		n = read(fd, in.data + in.len, 4096);
		if (n <= 0)
			break;
		in.len += (size_t)n;
		if (in.len > 1024 * 1024)
			break;
	}
	close(fd);
	hl = h1_parse_response(&parser, in.data, in.len, &resp, &err);
	if (hl > 0) {
		*status = resp.status;
		if (buf_append(body, in.data + hl, in.len - (size_t)hl) == 0)
			rc = 0;
	}
	buf_release(&in);
	return rc;
}

int
cli_health(int argc, char **argv)
{
	struct config cfg;
	struct buf body;
	struct json_value *v;
	struct json_error jerr;
	const struct json_value *st;
	const char *url = getenv("FABRIK_URL"), *s;
	char def[300];
	int nrest, i, status = 0, healthy = 0;

	if (cli_load_config(argc, argv, 0, &cfg, &nrest) == -1)
		return 2;
	for (i = 1; i < nrest; i++) {
		if (strcmp(argv[i], "--url") == 0 && i + 1 < nrest) {
			url = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			printf("usage: fabrik health [--url http://HOST:PORT] "
			       "[config flags]\n"
			       "  --url URL   FABRIK_URL   where to ask "
			       "(default: observability.health_bind)\n");
			config_release(&cfg);
			return 0;
		} else {
			fprintf(stderr,
			    "fabrik health: unknown argument "
			    "'%s'\n",
			    argv[i]);
			config_release(&cfg);
			return 2;
		}
	}
	if (url == NULL || *url == '\0') {
		snprintf(def, sizeof(def), "http://%s",
		    config_str(&cfg, CFG_OBS_HEALTH_BIND));
		url = def;
	}
	buf_init(&body);
	if (health_get(url, &body, &status) == -1) {
		fprintf(stderr, "[fabrik] unhealthy: no answer from %s\n", url);
		buf_release(&body);
		config_release(&cfg);
		return 1;
	}
	v = json_parse((const char *)body.data, body.len, &jerr);
	if (v != NULL && (st = json_object_get(v, "status")) != NULL &&
	    (s = json_string(st, NULL)) != NULL && strcmp(s, "healthy") == 0 &&
	    status == 200)
		healthy = 1;
	printf("%s", buf_cstr(&body));
	if (!healthy)
		fprintf(stderr, "[fabrik] unhealthy: %s answered %d\n", url,
		    status);
	json_free(v);
	buf_release(&body);
	config_release(&cfg);
	return healthy ? 0 : 1;
}
