/*
 * t/helper: a small raw-socket client for scenario tests.
 *
 *   helper raw PORT [DELAY_MS [CHUNK]]
 *	Sends stdin to 127.0.0.1:PORT in CHUNK-byte pieces (default: all at
 *	once) with DELAY_MS between them, then prints everything the server
 *	sends until it closes or 3 s pass in silence.
 *   helper hold PORT SECONDS
 *	Connects, sends nothing, and prints how many seconds passed before
 *	the server closed the connection (or "open" after SECONDS).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int, char **);

static int
helper_connect(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
helper_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Prints what the server sends until EOF or silence. */
static void
helper_drain(int fd, int silence_ms)
{
	struct pollfd pfd;
	char buf[65536];
	ssize_t n;

	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, silence_ms) <= 0)
			return;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		fwrite(buf, 1, (size_t)n, stdout);
	}
}

static int
helper_raw(int port, long delay, size_t chunk)
{
	static char data[1 << 24];
	size_t len = 0, off, n;
	ssize_t w;
	int fd;

	len = fread(data, 1, sizeof(data), stdin);
	if ((fd = helper_connect(port)) == -1) {
		perror("connect");
		return 1;
	}
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		w = write(fd, data + off, n);
		if (w <= 0)
			break;
		n = (size_t)w;
		if (delay > 0 && off + n < len)
			helper_sleep_ms(delay);
	}
	helper_drain(fd, 3000);
	close(fd);
	return 0;
}

static int
helper_hold(int port, int seconds)
{
	struct pollfd pfd;
	char c;
	time_t t0 = time(NULL);
	int fd;

	if ((fd = helper_connect(port)) == -1) {
		perror("connect");
		return 1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, seconds * 1000) > 0 && read(fd, &c, 1) <= 0)
		printf("closed %ld\n", (long)(time(NULL) - t0));
	else
		printf("open\n");
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && strcmp(argv[1], "raw") == 0)
		return helper_raw(atoi(argv[2]), argc > 3 ? atol(argv[3]) : 0,
		    argc > 4 ? (size_t)atol(argv[4]) : 0);
	if (argc >= 4 && strcmp(argv[1], "hold") == 0)
		return helper_hold(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr,
	    "usage: helper raw PORT [DELAY_MS [CHUNK]] | "
	    "hold PORT SECONDS\n");
	return 2;
}
