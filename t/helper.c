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
 *   helper grpc-echo [WRITE_TIMEOUT_MS [IDLE_TIMEOUT_MS]]
 *	Serves the test service fabrik.test.Echo over cleartext HTTP/2 on
 *	127.0.0.1:0 (http/grpc_server), printing "[fabrik] listening grpc
 *	on 127.0.0.1:PORT" and "[fabrik] ready", and "[fabrik] cancel PATH"
 *	whenever a call is cancelled.  Methods (raw bytes, no protobuf):
 *	  Unary         echoes the last request message
 *	  ServerStream  request = 4-octet big-endian count N + payload:
 *	                N responses of payload, with backpressure
 *	  ClientStream  one response: all request messages concatenated
 *	  Fail          request "CODE[ MESSAGE]": ends with that status
 *	  Metadata      request = a header name: responds with its value,
 *	                UNAUTHENTICATED when absent
 *	  Sleep         never answers (deadline and cancel tests)
 *   helper fetch [OPTIONS] URL...
 *	Runs http/client on a loop: one request per URL, in order (all at
 *	once with --parallel), printing "STATUS BYTES SHA256" or "error:
 *	MESSAGE" per URL, then "connections N reused N".  Exits 1 if any
 *	request failed.  Options: --ca FILE, --insecure, -X METHOD,
 *	--data FILE (body from memory), --stream FILE (body from a source;
 *	chunked with --chunked), -H "Name: value", --timeout MS (connect,
 *	request and body), --idle MS, --max-per-host N, --parallel,
 *	--cancel-after-head (cancel each request in its head callback).
 *	--resolve HOST:ADDR installs a resolver that maps HOST to ADDR.
 *   helper s3 [OPTIONS] put|mput KEY FILE | get KEY [OUT|-] | head KEY |
 *	      delete KEY | list [PREFIX] | mb
 *	Runs upstream/s3client: prints "ok CMD size N etag E attempts N parts
 *	N", "ok get bytes N sha256 HEX ...", list lines "KEY SIZE" then
 *	"pages N keys N", or "error: CODE (MESSAGE) status N attempts N
 *	[upload ID aborted|not-aborted]" (exit 1).  Options: --endpoint URL,
 *	--url s3://bucket/prefix/, --ak, --secret, --region (else the AWS_*
 *	environment, then ~/.aws/credentials), --attempts N, --backoff MS,
 *	--timeout MS, --part-size BYTES, --inflight N, --max-keys N,
 *	--range A-[B], --content-type T, --buffer (body from memory),
 *	--unsigned (UNSIGNED-PAYLOAD).  mput forces a multipart upload.
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

#include "base/buf.h"
#include "base/log.h"
#include "http/grpc_frame.h"
#include "http/grpc_server.h"
#include "net/loop.h"
#include "net/sock.h"

/* helper fetch */
#include <sys/stat.h>

#include <fcntl.h>

#include "base/hex.h"
#include "base/sha.h"
#include "http/client.h"
#include "base/log.h"
#include "net/loop.h"

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

/* ---- grpc-echo ---- */

struct echo_call {
	struct buf acc; /* request messages (last or concatenated) */
	uint32_t left; /* ServerStream responses still to send */
	int concat;
};

static struct echo_call *
echo_state(struct grpc_call *call)
{
	struct echo_call *e = grpc_call_data(call);

	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			abort();
		buf_init(&e->acc);
		grpc_call_set_data(call, e);
	}
	return e;
}

static void
echo_release(struct grpc_call *call)
{
	struct echo_call *e = grpc_call_data(call);

	if (e == NULL)
		return;
	buf_release(&e->acc);
	free(e);
	grpc_call_set_data(call, NULL);
}

static void
echo_finish(struct grpc_call *call, int status, const char *msg)
{
	echo_release(call);
	grpc_call_finish(call, status, msg);
}

static void
echo_msg(struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	struct echo_call *e = echo_state(call);

	if (!e->concat)
		buf_reset(&e->acc);
	if (buf_append(&e->acc, m, len) == -1)
		abort();
}

static void
echo_concat_msg(
    struct grpc_call *call, const unsigned char *m, size_t len, void *arg)
{
	echo_state(call)->concat = 1;
	echo_msg(call, m, len, arg);
}

static void
echo_cancel(struct grpc_call *call, void *arg)
{
	printf("[fabrik] cancel %s\n", grpc_call_path(call));
	fflush(stdout);
	echo_release(call);
}

static void
echo_unary_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);

	if (grpc_call_send(call, e->acc.data, e->acc.len) == -1)
		abort();
	echo_finish(call, GRPC_STATUS_OK, NULL);
}

static void
echo_stream_more(struct grpc_call *call, void *arg)
{
	struct echo_call *e = grpc_call_data(call);
	int rc = 0;

	while (e->left > 0 && rc == 0) {
		e->left--;
		rc = grpc_call_send(call, e->acc.data + 4, e->acc.len - 4);
		if (rc == -1) {
			echo_finish(call, GRPC_STATUS_INTERNAL, "send failed");
			return;
		}
	}
	if (e->left == 0) {
		echo_finish(call, GRPC_STATUS_OK, NULL);
		return;
	}
	grpc_call_on_writable(call, echo_stream_more, NULL);
}

static void
echo_stream_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	const unsigned char *p = e->acc.data;

	if (e->acc.len < 4) {
		echo_finish(
		    call, GRPC_STATUS_INVALID_ARGUMENT, "need a 4-octet count");
		return;
	}
	e->left = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	echo_stream_more(call, NULL);
}

static void
echo_fail_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	const char *s = buf_cstr(&e->acc);
	const char *sp = strchr(s, ' ');
	char *msg = strdup(sp != NULL ? sp + 1 : "");
	int code = atoi(s);

	if (msg == NULL)
		abort();
	echo_release(call);
	grpc_call_finish(call, code, msg);
	free(msg);
}

static void
echo_metadata_end(struct grpc_call *call, void *arg)
{
	struct echo_call *e = echo_state(call);
	struct span v = grpc_call_metadata(call, buf_cstr(&e->acc));

	if (v.p == NULL) {
		echo_finish(
		    call, GRPC_STATUS_UNAUTHENTICATED, "no such header");
		return;
	}
	if (grpc_call_send(call, v.p, v.len) == -1)
		abort();
	echo_finish(call, GRPC_STATUS_OK, NULL);
}

static void
echo_sleep_end(struct grpc_call *call, void *arg)
{
	echo_state(call);
}

static const struct grpc_method echo_methods[] = {
	{ "/fabrik.test.Echo/Unary", echo_msg, echo_unary_end, echo_cancel },
	{ "/fabrik.test.Echo/ServerStream", echo_msg, echo_stream_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/ClientStream", echo_concat_msg, echo_unary_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/Fail", echo_msg, echo_fail_end, echo_cancel },
	{ "/fabrik.test.Echo/Metadata", echo_msg, echo_metadata_end,
	    echo_cancel },
	{ "/fabrik.test.Echo/Sleep", echo_msg, echo_sleep_end, echo_cancel },
};

static int
helper_grpc_echo(uint64_t write_ms, uint64_t idle_ms)
{
	struct h2_limits lim;
	struct grpc_server *s;
	struct loop *l;
	const char *err = NULL;
	int fd, port = 0;

	log_setup(
	    getenv("HELPER_DEBUG") != NULL ? LOG_DEBUG : LOG_INFO, LOG_TEXT);
	memset(&lim, 0, sizeof(lim));
	lim.write_timeout_ms = write_ms;
	lim.idle_timeout_ms = idle_ms;
	if ((l = loop_new()) == NULL)
		return 1;
	if ((fd = sock_listen("127.0.0.1:0", 128, &port, &err)) == -1) {
		fprintf(stderr, "listen: %s\n", err);
		return 1;
	}
	s = grpc_server_new(l, fd, "grpc-echo", echo_methods,
	    sizeof(echo_methods) / sizeof(echo_methods[0]), NULL, &lim);
	if (s == NULL)
		return 1;
	printf(
	    "[fabrik] listening grpc on 127.0.0.1:%d\n[fabrik] ready\n", port);
	fflush(stdout);
	if (loop_run(l) == -1)
		return 1;
	grpc_server_free(s);
	loop_free(l);
	return 0;
}

/* ---- fetch: the HTTP client on a loop ---- */

struct fetch {
	struct loop *l;
	struct http_client *cl;
	struct http_client_request d;
	char **urls;
	int nurls, next, running, failed, parallel, cancel_after_head;
	int stream_fd;
	long long stream_len;
};

struct fetch_one {
	struct fetch *f;
	int status;
	uint64_t bytes;
	struct sha256 sha;
};

static char fetch_rname[256], fetch_raddr[64];

/* --resolve: the resolver hook with one fixed mapping. */
static void
fetch_resolve(
    void *arg, const char *host, http_client_resolved_cb *done, void *done_arg)
{
	struct http_client_addr a;

	if (strcmp(host, fetch_rname) == 0 &&
	    http_client_hosts_lookup(NULL, fetch_raddr, &a, 1) == 1)
		done(done_arg, &a, 1, NULL);
	else
		done(done_arg, NULL, 0, "not in the --resolve map");
}

static int64_t
fetch_src_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct fetch *f = arg;

	return pread(f->stream_fd, out, n, (off_t)pos);
}

static void fetch_start(struct fetch *);

static int
fetch_head(struct http_client_req *r, const struct http_client_response *resp,
    void *arg)
{
	struct fetch_one *o = arg;

	struct fetch *f = o->f;

	o->status = resp->status;
	if (!f->cancel_after_head)
		return 0;
	printf("%d cancelled\n", resp->status);
	sha256_release(&o->sha);
	free(o);
	http_client_cancel(r);
	f->running--;
	if (f->next < f->nurls)
		fetch_start(f);
	else if (f->running == 0)
		loop_stop(f->l);
	return 0;
}

static int
fetch_data(struct http_client_req *r, const void *p, size_t n, void *arg)
{
	struct fetch_one *o = arg;

	o->bytes += n;
	sha256_update(&o->sha, p, n);
	return 0;
}

static void
fetch_done(struct http_client_req *r, int ok, const char *err, void *arg)
{
	struct fetch_one *o = arg;
	struct fetch *f = o->f;
	unsigned char md[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];

	sha256_final(&o->sha, md);
	if (ok) {
		hex_encode(hex, md, sizeof(md));
		printf("%d %llu %s\n", o->status, (unsigned long long)o->bytes,
		    hex);
	} else {
		printf("error: %s\n", err);
		f->failed = 1;
	}
	fflush(stdout);
	free(o);
	f->running--;
	if (f->next < f->nurls)
		fetch_start(f);
	else if (f->running == 0)
		loop_stop(f->l);
}

static void
fetch_start(struct fetch *f)
{
	struct fetch_one *o;
	const char *err;

	do {
		if ((o = calloc(1, sizeof(*o))) == NULL ||
		    sha256_init(&o->sha) == -1)
			abort();
		o->f = f;
		f->d.url = f->urls[f->next++];
		f->d.arg = o;
		f->running++;
		if (http_client_request(f->cl, &f->d, &err) == NULL) {
			printf("error: %s\n", err);
			f->failed = 1;
			f->running--;
			sha256_release(&o->sha);
			free(o);
		}
	} while (f->parallel && f->next < f->nurls);
	if (f->running == 0 && f->next == f->nurls)
		loop_stop(f->l);
}

static void
fetch_stop(struct loop *l, void *arg)
{
	loop_stop(l);
}

static int
helper_fetch(int argc, char **argv)
{
	struct fetch f;
	struct http_client_opts o;
	struct http_client_stats st;
	struct http_client_header hdrs[16];
	struct http_client_source src;
	struct buf body;
	struct stat sb;
	char err[256], *colon;
	FILE *fp;
	size_t n, nh = 0;
	int i, chunked = 0;

	signal(SIGPIPE, SIG_IGN);
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	memset(&src, 0, sizeof(src));
	buf_init(&body);
	f.stream_fd = -1;
	f.d.method = "GET";
	f.d.on_head = fetch_head;
	f.d.on_data = fetch_data;
	f.d.on_done = fetch_done;
	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--ca") == 0 && i + 1 < argc)
			o.tls_ca_file = argv[++i];
		else if (strcmp(argv[i], "--insecure") == 0)
			o.tls_no_verify = 1;
		else if (strcmp(argv[i], "-X") == 0 && i + 1 < argc)
			f.d.method = argv[++i];
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			o.connect_timeout_ms = strtoull(argv[++i], NULL, 10);
			o.request_timeout_ms = o.connect_timeout_ms;
			o.body_timeout_ms = o.connect_timeout_ms;
		} else if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc)
			o.idle_timeout_ms = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max-per-host") == 0 && i + 1 < argc)
			o.max_per_host = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--resolve") == 0 && i + 1 < argc &&
		    (colon = strchr(argv[i + 1], ':')) != NULL) {
			*colon = '\0';
			snprintf(
			    fetch_rname, sizeof(fetch_rname), "%s", argv[++i]);
			snprintf(
			    fetch_raddr, sizeof(fetch_raddr), "%s", colon + 1);
		} else if (strcmp(argv[i], "--parallel") == 0)
			f.parallel = 1;
		else if (strcmp(argv[i], "--cancel-after-head") == 0)
			f.cancel_after_head = 1;
		else if (strcmp(argv[i], "--chunked") == 0)
			chunked = 1;
		else if (strcmp(argv[i], "-H") == 0 && i + 1 < argc &&
		    nh < 16 && (colon = strchr(argv[i + 1], ':')) != NULL) {
			*colon = '\0';
			hdrs[nh].name = argv[++i];
			hdrs[nh].value = colon + 1 + strspn(colon + 1, " ");
			nh++;
		} else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
			if ((fp = fopen(argv[++i], "rb")) == NULL) {
				perror(argv[i]);
				return 2;
			}
			while (buf_reserve(&body, 65536) == 0 &&
			    (n = fread(body.data + body.len, 1, 65536, fp)) > 0)
				body.len += n;
			fclose(fp);
			f.d.body = body.data != NULL ? (void *)body.data : "";
			f.d.body_len = body.len;
		} else if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc) {
			if ((f.stream_fd = open(argv[++i], O_RDONLY)) == -1 ||
			    fstat(f.stream_fd, &sb) == -1) {
				perror(argv[i]);
				return 2;
			}
			f.stream_len = (long long)sb.st_size;
		} else {
			fprintf(stderr, "fetch: bad option %s\n", argv[i]);
			return 2;
		}
	}
	if (i == argc) {
		fprintf(stderr, "fetch: no URL\n");
		return 2;
	}
	if (f.stream_fd != -1) {
		src.read = fetch_src_read;
		src.arg = &f;
		src.length = chunked ? -1 : f.stream_len;
		f.d.source = &src;
	}
	f.d.headers = hdrs;
	f.d.nheaders = nh;
	f.urls = argv + i;
	f.nurls = argc - i;
	if (getenv("FABRIK_LOG_LEVEL") != NULL)
		log_setup(
		    log_level_parse(getenv("FABRIK_LOG_LEVEL")), LOG_TEXT);
	if ((f.l = loop_new()) == NULL ||
	    (f.cl = http_client_new(f.l, &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fetch: %s\n", f.l == NULL ? "no loop" : err);
		return 2;
	}
	if (fetch_rname[0] != '\0')
		http_client_set_resolver(f.cl, fetch_resolve, NULL);
	fetch_start(&f);
	if (f.running > 0 && loop_run(f.l) == -1)
		return 2;
	http_client_get_stats(f.cl, &st);
	printf("connections %llu reused %llu\n",
	    (unsigned long long)st.connections, (unsigned long long)st.reused);
	fflush(stdout);
	/* The client is freed after a dispatch pass: run one more. */
	http_client_free(f.cl);
	(void)loop_timer_add(f.l, 1, fetch_stop, NULL);
	if (loop_run(f.l) == -1)
		return 2;
	loop_free(f.l);
	buf_release(&body);
	if (f.stream_fd != -1)
		close(f.stream_fd);
	return f.failed ? 1 : 0;
}

/* ---- helper s3: upstream/s3client on a loop ---- */
#include "net/resolver.h"
#include "upstream/s3client.h"

extern char **environ;

struct s3h {
	struct loop *l;
	struct s3client *c;
	const char *cmd, *key, *out_path;
	FILE *out;
	int fd;
	long long rs, re;
	unsigned max_keys, pages, keys;
	int failed, running;
	char token[1024];
	struct sha256 sh;
	long long got;
};

static int64_t
s3h_read(void *arg, void *out, size_t n, uint64_t pos)
{
	ssize_t r = pread(*(int *)arg, out, n, (off_t)pos);

	return r < 0 ? -1 : (int64_t)r;
}

static int
s3h_data(void *arg, const void *p, size_t n)
{
	struct s3h *h = arg;

	h->got += (long long)n;
	sha256_update(&h->sh, p, n);
	if (h->out != NULL && fwrite(p, 1, n, h->out) != n)
		return -1;
	return 0;
}

static void s3h_list_next(struct s3h *);

static void
s3h_done(void *arg, const struct s3client_result *r)
{
	struct s3h *h = arg;
	unsigned char d[SHA256_LEN];
	char hx[SHA256_HEX_LEN + 1];
	size_t i;

	h->running = 0;
	if (!r->ok) {
		printf("error: %s (%s) status %d attempts %u%s%s%s\n", r->code,
		    r->message, r->status, r->attempts,
		    r->upload_id != NULL ? " upload " : "",
		    r->upload_id != NULL ? r->upload_id : "",
		    r->upload_id == NULL ? ""
			: r->aborted	 ? " aborted"
					 : " not-aborted");
		h->failed = 1;
		loop_stop(h->l);
		return;
	}
	if (strcmp(h->cmd, "list") == 0) {
		h->pages++;
		for (i = 0; i < r->nentries; i++, h->keys++)
			printf(
			    "%s %lld\n", r->entries[i].key, r->entries[i].size);
		if (r->truncated && r->next_token != NULL) {
			snprintf(
			    h->token, sizeof(h->token), "%s", r->next_token);
			s3h_list_next(h);
			return;
		}
		printf("pages %u keys %u\n", h->pages, h->keys);
	} else if (strcmp(h->cmd, "get") == 0) {
		sha256_final(&h->sh, d);
		hex_encode(hx, d, SHA256_LEN);
		printf("ok get bytes %lld sha256 %s size %lld attempts %u\n",
		    h->got, hx, r->size, r->attempts);
	} else
		printf("ok %s size %lld etag %s attempts %u parts %u\n", h->cmd,
		    r->size, r->etag != NULL ? r->etag : "-", r->attempts,
		    r->parts);
	loop_stop(h->l);
}

static void
s3h_list_next(struct s3h *h)
{
	const char *err;

	h->running = 1;
	if (s3client_list(h->c, h->key, h->token[0] != '\0' ? h->token : NULL,
		h->max_keys, s3h_done, h, &err) == NULL) {
		printf("error: %s\n", err);
		h->failed = 1;
		loop_stop(h->l);
	}
}

static int
helper_s3(int argc, char **argv)
{
	struct s3client_config cfg;
	struct s3client_creds ex, cr;
	struct http_client_opts o;
	struct http_client *hc = NULL;
	struct resolver *res = NULL;
	struct s3client_source src;
	struct s3h h;
	struct stat st;
	char err[256];
	const char *e = NULL, *ctype = NULL;
	int i, buffer = 0, mput = 0, rc = 2;
	void *mem = NULL;
	struct s3client_op *op = NULL;

	memset(&cfg, 0, sizeof(cfg));
	memset(&ex, 0, sizeof(ex));
	memset(&o, 0, sizeof(o));
	memset(&h, 0, sizeof(h));
	h.fd = -1;
	h.rs = h.re = -1;
	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--buffer") == 0) {
			buffer = 1;
			continue;
		}
		if (strcmp(a, "--unsigned") == 0) {
			cfg.unsigned_payload = 1;
			continue;
		}
		if (v == NULL)
			break;
		i++;
		if (strcmp(a, "--endpoint") == 0)
			cfg.endpoint = v;
		else if (strcmp(a, "--url") == 0)
			cfg.url = v;
		else if (strcmp(a, "--ak") == 0)
			ex.access_key = (char *)v;
		else if (strcmp(a, "--secret") == 0)
			ex.secret = (char *)v;
		else if (strcmp(a, "--region") == 0)
			ex.region = (char *)v;
		else if (strcmp(a, "--attempts") == 0)
			cfg.max_attempts = (unsigned)atoi(v);
		else if (strcmp(a, "--backoff") == 0)
			cfg.backoff_base_ms = (uint64_t)atol(v);
		else if (strcmp(a, "--timeout") == 0)
			o.connect_timeout_ms = o.request_timeout_ms =
			    o.body_timeout_ms = (uint64_t)atol(v);
		else if (strcmp(a, "--part-size") == 0)
			cfg.part_size = (uint64_t)atoll(v);
		else if (strcmp(a, "--inflight") == 0)
			cfg.parts_in_flight = (unsigned)atoi(v);
		else if (strcmp(a, "--max-keys") == 0)
			h.max_keys = (unsigned)atoi(v);
		else if (strcmp(a, "--content-type") == 0)
			ctype = v;
		else if (strcmp(a, "--range") == 0) {
			h.rs = atoll(v);
			h.re =
			    strchr(v, '-') != NULL && strchr(v, '-')[1] != '\0'
			    ? atoll(strchr(v, '-') + 1)
			    : -1;
		} else {
			fprintf(stderr, "s3: bad option %s\n", a);
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "s3: no command\n");
		return 2;
	}
	h.cmd = argv[i++];
	h.key = i < argc ? argv[i++] : NULL;
	h.out_path = i < argc ? argv[i++] : NULL;
	if (strcmp(h.cmd, "mput") == 0) {
		mput = 1;
		h.cmd = "put";
	}
	if (s3client_creds_resolve(
		&cr, &ex, environ, getenv("HOME"), err, sizeof(err)) == -1) {
		fprintf(stderr, "s3: %s\n", err);
		return 2;
	}
	cfg.creds = cr;
	if (mput)
		cfg.multipart_threshold =
		    cfg.part_size != 0 ? cfg.part_size : S3CLIENT_MIN_PART;
	log_setup(getenv("FABRIK_LOG_LEVEL") != NULL
		? log_level_parse(getenv("FABRIK_LOG_LEVEL"))
		: LOG_INFO,
	    LOG_TEXT);
	if (sha256_init(&h.sh) == -1 || (h.l = loop_new()) == NULL ||
	    (res = resolver_new(h.l, NULL)) == NULL ||
	    (hc = http_client_new(h.l, &o, err, sizeof(err))) == NULL ||
	    (http_client_set_resolver(hc, s3client_resolve, res), 0) ||
	    (h.c = s3client_new(h.l, hc, &cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "s3: %s\n", err);
		goto out;
	}
	h.running = 1;
	if (strcmp(h.cmd, "put") == 0 && h.key != NULL && h.out_path != NULL) {
		if ((h.fd = open(h.out_path, O_RDONLY)) == -1 ||
		    fstat(h.fd, &st) == -1) {
			perror(h.out_path);
			goto out;
		}
		if (buffer) {
			if ((mem = malloc((size_t)st.st_size + 1)) == NULL ||
			    s3h_read(&h.fd, mem, (size_t)st.st_size, 0) !=
				st.st_size)
				goto out;
			op = s3client_put(h.c, h.key, mem, (size_t)st.st_size,
			    NULL, ctype, s3h_done, &h, &e);
		} else {
			src.read = s3h_read;
			src.arg = &h.fd;
			src.length = (uint64_t)st.st_size;
			op = s3client_put(
			    h.c, h.key, NULL, 0, &src, ctype, s3h_done, &h, &e);
		}
	} else if (strcmp(h.cmd, "get") == 0 && h.key != NULL) {
		if (h.out_path != NULL && strcmp(h.out_path, "-") == 0)
			h.out = stdout;
		else if (h.out_path != NULL &&
		    (h.out = fopen(h.out_path, "wb")) == NULL) {
			perror(h.out_path);
			goto out;
		}
		op = s3client_get(
		    h.c, h.key, h.rs, h.re, s3h_data, s3h_done, &h, &e);
	} else if (strcmp(h.cmd, "head") == 0 && h.key != NULL)
		op = s3client_head(h.c, h.key, s3h_done, &h, &e);
	else if (strcmp(h.cmd, "delete") == 0 && h.key != NULL)
		op = s3client_delete(h.c, h.key, s3h_done, &h, &e);
	else if (strcmp(h.cmd, "mb") == 0) {
		h.key = NULL;
		op = s3client_create_bucket(h.c, s3h_done, &h, &e);
	} else if (strcmp(h.cmd, "list") == 0) {
		s3h_list_next(&h);
		op = (struct s3client_op *)&h; /* any non-NULL */
	} else {
		fprintf(stderr, "s3: bad command %s\n", h.cmd);
		goto out;
	}
	if (op == NULL) {
		printf("error: %s\n", e != NULL ? e : "failed");
		rc = 1;
		goto out;
	}
	if (h.running && loop_run(h.l) == -1)
		goto out;
	rc = h.failed ? 1 : 0;
out:
	fflush(stdout);
	if (h.out != NULL && h.out != stdout)
		fclose(h.out);
	s3client_free(h.c);
	if (hc != NULL) {
		http_client_free(hc);
		(void)loop_timer_add(h.l, 1, fetch_stop, NULL);
		if (loop_run(h.l) == -1)
			rc = 2;
	}
	resolver_free(res);
	if (h.l != NULL)
		loop_free(h.l);
	s3client_creds_release(&cr);
	sha256_release(&h.sh);
	free(mem);
	if (h.fd != -1)
		close(h.fd);
	return rc;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 3 && strcmp(argv[1], "s3") == 0)
		return helper_s3(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "fetch") == 0)
		return helper_fetch(argc - 2, argv + 2);
	if (argc >= 3 && strcmp(argv[1], "raw") == 0)
		return helper_raw(atoi(argv[2]), argc > 3 ? atol(argv[3]) : 0,
		    argc > 4 ? (size_t)atol(argv[4]) : 0);
	if (argc >= 4 && strcmp(argv[1], "hold") == 0)
		return helper_hold(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 2 && strcmp(argv[1], "grpc-echo") == 0)
		return helper_grpc_echo(argc > 2 ? (uint64_t)atol(argv[2]) : 0,
		    argc > 3 ? (uint64_t)atol(argv[3]) : 0);
	fprintf(stderr,
	    "usage: helper raw PORT [DELAY_MS [CHUNK]] | "
	    "hold PORT SECONDS | grpc-echo [WRITE_MS [IDLE_MS]]\n");
	return 2;
}
