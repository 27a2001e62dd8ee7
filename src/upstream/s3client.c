/*
 * S3 client (Amazon S3 API reference: GetObject, HeadObject, PutObject,
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
 * AbortMultipartUpload, DeleteObject, ListObjectsV2) on http/client,
 * signed with SigV4 (upstream/sigv4).  See doc/s3-client.md.
 *
 * Untrusted input: response heads and bodies from the S3 endpoint.  Error
 * and list documents are collected up to S3CLIENT_MAX_XML bytes (the rest
 * is dropped), list pages to S3CLIENT_MAX_LIST entries; the XML reader
 * only looks for element names and decodes entities, never recurses.
 * ~/.aws/credentials is read up to S3CLIENT_MAX_CREDENTIALS_FILE bytes.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/sha.h"
#include "net/loop.h"
#include "net/resolver.h"
#include "upstream/s3client.h"
#include "upstream/sigv4.h"

#define S3C_DEF_ATTEMPTS 4
#define S3C_DEF_BASE_MS 100
#define S3C_DEF_MAX_MS 20000
#define S3C_DEF_PART (8ULL * 1024 * 1024)
#define S3C_DEF_THRESHOLD (16ULL * 1024 * 1024)
#define S3C_DEF_INFLIGHT 4
#define S3C_DEF_CHUNK (64 * 1024)
/* Source bodies up to this size are read into memory and hash-signed. */
#define S3C_SMALL_BODY (256 * 1024)
/* Error documents kept (S3's are well under 1 KiB). */
#define S3C_MAX_ERROR_DOC (64 * 1024)
#define S3C_MAX_HEADERS 12

enum s3c_kind {
	S3C_GET,
	S3C_HEAD,
	S3C_PUT,
	S3C_MPUT,
	S3C_DELETE,
	S3C_LIST,
};

/* The request a call sends. */
enum s3c_req {
	S3C_R_OBJECT, /* GET/HEAD/PUT/DELETE on the key */
	S3C_R_LIST,
	S3C_R_CREATE, /* POST ?uploads */
	S3C_R_PART, /* PUT ?partNumber&uploadId */
	S3C_R_COMPLETE, /* POST ?uploadId */
	S3C_R_ABORT, /* DELETE ?uploadId */
	S3C_R_BUCKET, /* PUT on the bucket */
};

struct s3client_op;

/* aws-chunked encoder state of one attempt (a source for http/client). */
struct s3c_enc {
	struct sigv4_chunk_signer signer;
	struct buf out;
	size_t out_off;
	uint64_t enc_pos, dec_pos;
	int final;
	unsigned char *stage;
};

/* One HTTP exchange with its retries. */
struct s3c_call {
	struct s3client_op *op;
	int req; /* enum s3c_req */
	const char *method;
	char *query; /* encoded, or NULL */
	unsigned part; /* part index (S3C_R_PART) */
	/* Body: a slice of op->body or of op->src, or own bytes. */
	int has_body;
	const unsigned char *body;
	uint64_t off, len;
	struct buf own; /* small source bodies, Complete documents */
	char body_sha[SHA256_HEX_LEN + 1]; /* "" until computed */
	struct s3c_enc *enc;
	/* Per attempt. */
	struct http_client_req *hreq;
	struct loop_timer *timer;
	unsigned attempt;
	int status;
	int user_abort;
	long retry_after;
	struct buf doc; /* collected response body */
	char etag[160];
	long long size;
	uint64_t delivered, skip; /* GET resume */
};

struct s3client_op {
	struct s3client *c;
	struct s3client_op *prev, *next;
	int kind;
	const char *verb;
	char *fullkey; /* prefix + key */
	char *display; /* bucket/fullkey, for log lines */
	s3client_done_cb *done;
	s3client_data_cb *data;
	void *arg;
	int cancelled;
	struct s3c_call *call; /* the single call, or the multipart step */
	long long rstart, rend;
	/* PutObject */
	const unsigned char *body;
	struct s3client_source src;
	int has_src;
	uint64_t len;
	char *ctype;
	/* Multipart */
	char *upload_id;
	unsigned nparts, next_part, inflight, parts_done;
	uint64_t psize;
	char **etags;
	struct s3c_call **pcalls;
	int failed, aborted;
	/* ListObjectsV2 */
	char *list_prefix, *list_token;
	unsigned max_keys;
	/* Outcome */
	unsigned attempts;
	int status;
	struct buf code, message;
	char etag[160];
	long long size;
};

struct s3client {
	struct loop *l;
	struct http_client *hc;
	char *bucket, *prefix;
	char *scheme; /* "http" / "https" */
	char *authority; /* host[:port] as sent */
	int path_style, https;
	struct s3client_creds creds;
	unsigned max_attempts, parts_in_flight;
	uint64_t base_ms, max_ms, part_size, threshold, chunk;
	int unsigned_payload;
	struct s3client_op *ops;
	uint64_t rng;
	struct s3client_stats stats;
};

static void s3c_call_schedule(struct s3c_call *, uint64_t ms);
static void s3c_call_finish(struct s3c_call *, int ok);
static void s3c_mput_pump(struct s3client_op *);
static void s3c_mput_abort(struct s3client_op *);

/* ---- small helpers ---- */

static char *
s3c_strdup(const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if ((p = malloc(n)) != NULL)
		memcpy(p, s, n);
	return p;
}

static uint64_t
s3c_rand(struct s3client *c)
{
	/* xorshift64*: jitter needs spread, not secrecy. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ULL;
}

uint64_t
s3client_backoff_ms(uint64_t base_ms, uint64_t max_ms, unsigned n,
    long retry_after_s, uint64_t r)
{
	uint64_t cap = base_ms, d;
	unsigned i;

	for (i = 1; i < n && cap < max_ms; i++)
		cap *= 2;
	if (cap > max_ms)
		cap = max_ms;
	d = cap == 0 ? 0 : r % cap + 1;
	if (retry_after_s >= 0 && (uint64_t)retry_after_s * 1000 > d)
		d = (uint64_t)retry_after_s * 1000;
	return d;
}

/* ---- XML ---- */

int
s3client_xml_find(
    struct span doc, size_t *pos, const char *name, struct span *val)
{
	const char *p = (const char *)doc.p;
	size_t nl = strlen(name), i, start;

	for (i = *pos; i + nl + 2 <= doc.len; i++) {
		if (p[i] != '<' || memcmp(p + i + 1, name, nl) != 0 ||
		    (p[i + 1 + nl] != '>' && p[i + 1 + nl] != ' ' &&
			p[i + 1 + nl] != '/'))
			continue;
		while (i < doc.len && p[i] != '>')
			i++;
		if (i >= doc.len)
			return 0;
		if (p[i - 1] == '/') { /* <Name/>: empty */
			*val = span_make(p + i + 1, 0);
			*pos = i + 1;
			return 1;
		}
		start = ++i;
		for (; i + nl + 3 <= doc.len; i++) {
			if (p[i] == '<' && p[i + 1] == '/' &&
			    memcmp(p + i + 2, name, nl) == 0 &&
			    p[i + 2 + nl] == '>') {
				*val = span_make(p + start, i - start);
				*pos = i + nl + 3;
				return 1;
			}
		}
		return 0;
	}
	return 0;
}

static int
s3c_utf8(struct buf *out, unsigned long cp)
{
	unsigned char b[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_append(out, b, n);
}

int
s3client_xml_text(struct buf *out, struct span raw)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {
		{ "amp;", '&' },
		{ "lt;", '<' },
		{ "gt;", '>' },
		{ "quot;", '"' },
		{ "apos;", '\'' },
	};
	const char *p = (const char *)raw.p;
	size_t i = 0, j, k;
	unsigned long cp;
	int hex, d;

	while (i < raw.len) {
		if (p[i] != '&') {
			for (j = i; j < raw.len && p[j] != '&'; j++)
				;
			if (buf_append(out, p + i, j - i) == -1)
				return -1;
			i = j;
			continue;
		}
		i++;
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			size_t el = strlen(ents[k].name);

			if (raw.len - i >= el &&
			    memcmp(p + i, ents[k].name, el) == 0)
				break;
		}
		if (k < sizeof(ents) / sizeof(ents[0])) {
			if (buf_putc(out, ents[k].c) == -1)
				return -1;
			i += strlen(ents[k].name);
			continue;
		}
		if (i >= raw.len || p[i] != '#')
			return -1;
		i++;
		hex = i < raw.len && p[i] == 'x';
		if (hex)
			i++;
		cp = 0;
		for (j = i; j < raw.len && p[j] != ';' && j - i < 8; j++) {
			d = hex
			    ? hex_digit((unsigned char)p[j])
			    : (p[j] >= '0' && p[j] <= '9' ? p[j] - '0' : -1);
			if (d < 0)
				return -1;
			cp = cp * (hex ? 16 : 10) + (unsigned long)d;
		}
		if (j == i || j >= raw.len || p[j] != ';' ||
		    s3c_utf8(out, cp) == -1)
			return -1;
		i = j + 1;
	}
	return 0;
}

/* First <name> of doc decoded into out (reset first); 1, 0 absent, -1. */
static int
s3c_xml_get(struct span doc, const char *name, struct buf *out)
{
	struct span v;
	size_t pos = 0;

	buf_reset(out);
	if (!s3client_xml_find(doc, &pos, name, &v))
		return 0;
	return s3client_xml_text(out, v) == -1 ? -1 : 1;
}

/* ---- credentials ---- */

static const char *
s3c_env(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
			return (*env)[n + 1] != '\0' ? *env + n + 1 : NULL;
	return NULL;
}

static void
s3c_trim(char **s, char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s &&
	    ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/* Sets *val (owned) to name's value in section profile of the INI text. */
static int
s3c_ini_get(char *text, const char *profile, const char *name, char **val)
{
	char *line = text, *nl, *s, *e, *eq, *ks, *ke;
	int in = 0;

	for (; line != NULL && *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		e = nl != NULL ? nl : line + strlen(line);
		if (nl != NULL)
			nl++;
		s = line;
		s3c_trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			in = 0; /* a malformed header ends the section too */
			if (e[-1] != ']')
				continue;
			s++;
			e--;
			s3c_trim(&s, &e);
			in = (size_t)(e - s) == strlen(profile) &&
			    memcmp(s, profile, (size_t)(e - s)) == 0;
			continue;
		}
		if (!in || (eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			continue;
		ks = s;
		ke = eq;
		s3c_trim(&ks, &ke);
		if ((size_t)(ke - ks) != strlen(name) ||
		    strncasecmp(ks, name, (size_t)(ke - ks)) != 0)
			continue;
		s = eq + 1;
		s3c_trim(&s, &e);
		free(*val);
		if ((*val = malloc((size_t)(e - s) + 1)) == NULL)
			return -1;
		memcpy(*val, s, (size_t)(e - s));
		(*val)[e - s] = '\0';
	}
	return 0;
}

static int
s3c_read_small_file(const char *path, char **out, char *err, size_t errlen)
{
	struct stat st;
	char *p = NULL;
	size_t got = 0;
	ssize_t r;
	int fd;

	*out = NULL;
	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > S3CLIENT_MAX_CREDENTIALS_FILE) {
		snprintf(err, errlen,
		    "%s: not a regular file of at most %d bytes", path,
		    S3CLIENT_MAX_CREDENTIALS_FILE);
		close(fd);
		return -1;
	}
	if ((p = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (got < (size_t)st.st_size &&
	    (r = read(fd, p + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	p[got] = '\0';
	*out = p;
	return 0;
}

void
s3client_creds_release(struct s3client_creds *c)
{
	free(c->access_key);
	free(c->secret);
	free(c->session_token);
	free(c->region);
	memset(c, 0, sizeof(*c));
}

static int
s3c_set(char **dst, const char *v)
{
	free(*dst);
	*dst = NULL;
	if (v == NULL || *v == '\0')
		return 0;
	return (*dst = s3c_strdup(v)) == NULL ? -1 : 0;
}

int
s3client_creds_resolve(struct s3client_creds *out,
    const struct s3client_creds *ex, char *const *env, const char *home,
    char *err, size_t errlen)
{
	char path[4096], *text = NULL, *fak = NULL, *fsk = NULL, *ftok = NULL,
			 *freg = NULL;
	const char *file, *profile, *region = NULL;

	memset(out, 0, sizeof(*out));
	if (ex != NULL && ex->access_key != NULL && *ex->access_key != '\0' &&
	    ex->secret != NULL && *ex->secret != '\0') {
		if (s3c_set(&out->access_key, ex->access_key) == -1 ||
		    s3c_set(&out->secret, ex->secret) == -1 ||
		    s3c_set(&out->session_token, ex->session_token) == -1)
			goto nomem;
		out->source = "explicit";
	} else if (s3c_env(env, "AWS_ACCESS_KEY_ID") != NULL &&
	    s3c_env(env, "AWS_SECRET_ACCESS_KEY") != NULL) {
		if (s3c_set(&out->access_key,
			s3c_env(env, "AWS_ACCESS_KEY_ID")) == -1 ||
		    s3c_set(&out->secret,
			s3c_env(env, "AWS_SECRET_ACCESS_KEY")) == -1 ||
		    s3c_set(&out->session_token,
			s3c_env(env, "AWS_SESSION_TOKEN")) == -1)
			goto nomem;
		out->source = "environment";
	}
	/* The file: for the keys when none came yet, and for the region. */
	file = s3c_env(env, "AWS_SHARED_CREDENTIALS_FILE");
	if (file == NULL && home != NULL && *home != '\0') {
		snprintf(path, sizeof(path), "%s/.aws/credentials", home);
		file = path;
	}
	if ((profile = s3c_env(env, "AWS_PROFILE")) == NULL)
		profile = "default";
	if (file != NULL) {
		if (s3c_read_small_file(file, &text, err, errlen) == -1)
			goto fail;
		if (text != NULL &&
		    (s3c_ini_get(text, profile, "aws_access_key_id", &fak) ==
			    -1 ||
			s3c_ini_get(text, profile, "aws_secret_access_key",
			    &fsk) == -1 ||
			s3c_ini_get(
			    text, profile, "aws_session_token", &ftok) == -1 ||
			s3c_ini_get(text, profile, "region", &freg) == -1))
			goto nomem;
	}
	if (out->source == NULL && fak != NULL && *fak != '\0' && fsk != NULL &&
	    *fsk != '\0') {
		if (s3c_set(&out->access_key, fak) == -1 ||
		    s3c_set(&out->secret, fsk) == -1 ||
		    s3c_set(&out->session_token, ftok) == -1)
			goto nomem;
		out->source = "file";
	}
	if (ex != NULL && ex->region != NULL && *ex->region != '\0')
		region = ex->region;
	else if ((region = s3c_env(env, "AWS_REGION")) == NULL &&
	    (region = s3c_env(env, "AWS_DEFAULT_REGION")) == NULL &&
	    ((region = freg) == NULL || *region == '\0'))
		region = "us-east-1";
	if (s3c_set(&out->region, region) == -1)
		goto nomem;
	free(text);
	free(fak);
	free(fsk);
	free(ftok);
	free(freg);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	free(text);
	free(fak);
	free(fsk);
	free(ftok);
	free(freg);
	s3client_creds_release(out);
	return -1;
}

/* ---- client ---- */

struct s3client *
s3client_new(struct loop *l, struct http_client *hc,
    const struct s3client_config *cfg, char *err, size_t errlen)
{
	struct s3client *c = NULL;
	const char *u, *slash, *ep, *auth;
	size_t n;

	if (cfg->url == NULL || strncmp(cfg->url, "s3://", 5) != 0) {
		snprintf(
		    err, errlen, "upstream URL must be s3://bucket[/prefix]");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto nomem;
	c->l = l;
	c->hc = hc;
	u = cfg->url + 5;
	slash = strchr(u, '/');
	n = slash != NULL ? (size_t)(slash - u) : strlen(u);
	if (n < 3 || n > 63 ||
	    strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789.-") < n) {
		snprintf(err, errlen, "bad bucket name in %s", cfg->url);
		goto fail;
	}
	if ((c->bucket = malloc(n + 1)) == NULL)
		goto nomem;
	memcpy(c->bucket, u, n);
	c->bucket[n] = '\0';
	/* A prefix ends in '/' when given without one ("s3://b/t" = "t/"). */
	if (slash != NULL && slash[1] != '\0') {
		n = strlen(slash + 1);
		if (n > S3CLIENT_MAX_KEY / 2) {
			snprintf(err, errlen, "key prefix too long");
			goto fail;
		}
		if ((c->prefix = malloc(n + 2)) == NULL)
			goto nomem;
		memcpy(c->prefix, slash + 1, n + 1);
		if (c->prefix[n - 1] != '/') {
			c->prefix[n] = '/';
			c->prefix[n + 1] = '\0';
		}
	} else if ((c->prefix = s3c_strdup("")) == NULL)
		goto nomem;
	if (s3c_set(&c->creds.access_key, cfg->creds.access_key) == -1 ||
	    s3c_set(&c->creds.secret, cfg->creds.secret) == -1 ||
	    s3c_set(&c->creds.session_token, cfg->creds.session_token) == -1 ||
	    s3c_set(&c->creds.region,
		cfg->creds.region != NULL && *cfg->creds.region != '\0'
		    ? cfg->creds.region
		    : "us-east-1") == -1)
		goto nomem;
	if (cfg->endpoint != NULL && *cfg->endpoint != '\0') {
		ep = cfg->endpoint;
		if (strncmp(ep, "http://", 7) == 0)
			auth = ep + 7;
		else if (strncmp(ep, "https://", 8) == 0) {
			auth = ep + 8;
			c->https = 1;
		} else {
			snprintf(err, errlen,
			    "endpoint must be http:// or https://");
			goto fail;
		}
		n = strcspn(auth, "/?#");
		if (n == 0 || auth[n] == '?' || auth[n] == '#' ||
		    (auth[n] == '/' && auth[n + 1] != '\0')) {
			snprintf(err, errlen,
			    "endpoint must be scheme://host[:port]");
			goto fail;
		}
		if ((c->authority = malloc(n + 1)) == NULL)
			goto nomem;
		memcpy(c->authority, auth, n);
		c->authority[n] = '\0';
		c->path_style = 1;
	} else {
		struct buf a;

		buf_init(&a);
		c->https = 1;
		c->path_style = cfg->path_style;
		if ((!c->path_style &&
			buf_printf(&a, "%s.", c->bucket) == -1) ||
		    buf_printf(&a, "s3.%s.amazonaws.com", c->creds.region) ==
			-1) {
			buf_release(&a);
			goto nomem;
		}
		c->authority = buf_detach(&a, NULL);
		if (c->authority == NULL)
			goto nomem;
	}
	if ((c->scheme = s3c_strdup(c->https ? "https" : "http")) == NULL)
		goto nomem;
	c->max_attempts =
	    cfg->max_attempts != 0 ? cfg->max_attempts : S3C_DEF_ATTEMPTS;
	c->base_ms =
	    cfg->backoff_base_ms != 0 ? cfg->backoff_base_ms : S3C_DEF_BASE_MS;
	c->max_ms =
	    cfg->backoff_max_ms != 0 ? cfg->backoff_max_ms : S3C_DEF_MAX_MS;
	c->part_size = cfg->part_size != 0 ? cfg->part_size : S3C_DEF_PART;
	if (c->part_size < S3CLIENT_MIN_PART)
		c->part_size = S3CLIENT_MIN_PART;
	c->threshold = cfg->multipart_threshold != 0 ? cfg->multipart_threshold
						     : S3C_DEF_THRESHOLD;
	c->parts_in_flight =
	    cfg->parts_in_flight != 0 ? cfg->parts_in_flight : S3C_DEF_INFLIGHT;
	c->chunk = cfg->chunk_size != 0 ? cfg->chunk_size : S3C_DEF_CHUNK;
	if (c->chunk < 8192)
		c->chunk = 8192;
	c->unsigned_payload = cfg->unsigned_payload;
	c->rng = (uint64_t)clock_mono_us() ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 88172645463325252ULL;
	return c;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	if (c != NULL) {
		free(c->bucket);
		free(c->prefix);
		free(c->authority);
		free(c->scheme);
		s3client_creds_release(&c->creds);
		free(c);
	}
	return NULL;
}

const char *
s3client_bucket(const struct s3client *c)
{
	return c->bucket;
}

const char *
s3client_prefix(const struct s3client *c)
{
	return c->prefix;
}

void
s3client_get_stats(const struct s3client *c, struct s3client_stats *st)
{
	*st = c->stats;
}

/* Appends the encoded path for fullkey (NULL: the bucket). */
static int
s3c_path(const struct s3client *c, const char *fullkey, struct buf *out)
{
	if (c->path_style) {
		if (buf_putc(out, '/') == -1 ||
		    buf_append_str(out, c->bucket) == -1)
			return -1;
		if (fullkey == NULL)
			return 0;
	}
	if (buf_putc(out, '/') == -1)
		return -1;
	if (fullkey == NULL)
		return 0;
	return sigv4_uri_encode(out, fullkey, strlen(fullkey), 1);
}

static int
s3c_url(const struct s3client *c, const char *fullkey, const char *query,
    struct buf *url, struct buf *path, struct buf *host)
{
	size_t p0 = path->len;

	if (s3c_path(c, fullkey, path) == -1 ||
	    buf_printf(url, "%s://%s", c->scheme, c->authority) == -1 ||
	    buf_append(url, path->data + p0, path->len - p0) == -1 ||
	    (query != NULL && *query != '\0' &&
		buf_printf(url, "?%s", query) == -1) ||
	    buf_append_str(host, c->authority) == -1)
		return -1;
	return 0;
}

int
s3client_url(const struct s3client *c, const char *key, const char *query,
    struct buf *url, struct buf *host)
{
	struct buf path, fk;
	int rc = -1;

	buf_init(&path);
	buf_init(&fk);
	if (key != NULL &&
	    (strlen(c->prefix) + strlen(key) > S3CLIENT_MAX_KEY ||
		buf_printf(&fk, "%s%s", c->prefix, key) == -1))
		goto out;
	rc = s3c_url(
	    c, key != NULL ? buf_cstr(&fk) : NULL, query, url, &path, host);
out:
	buf_release(&path);
	buf_release(&fk);
	return rc;
}

/* ---- calls ---- */

static void
s3c_enc_free(struct s3c_enc *e)
{
	if (e == NULL)
		return;
	buf_release(&e->out);
	free(e->stage);
	free(e);
}

/* Reads len bytes of the call's body at body offset pos. */
static int
s3c_body_read(struct s3c_call *k, void *out, size_t n, uint64_t pos)
{
	struct s3client_op *op = k->op;
	size_t got = 0;
	int64_t r;

	if (k->own.len > 0 || k->body != NULL) {
		const unsigned char *b =
		    k->own.len > 0 ? k->own.data : k->body + k->off;

		memcpy(out, b + pos, n);
		return 0;
	}
	while (got < n) {
		r = op->src.read(op->src.arg, (char *)out + got, n - got,
		    k->off + pos + got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int64_t
s3c_plain_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct s3c_call *k = arg;

	if (pos >= k->len)
		return 0;
	if (n > k->len - pos)
		n = (size_t)(k->len - pos);
	return s3c_body_read(k, out, n, pos) == -1 ? -1 : (int64_t)n;
}

static int64_t
s3c_chunked_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct s3c_call *k = arg;
	struct s3c_enc *e = k->enc;
	size_t avail, m;

	if (pos != e->enc_pos)
		return -1; /* never replayed: retries are whole attempts */
	while (e->out.len - e->out_off == 0) {
		buf_reset(&e->out);
		e->out_off = 0;
		if (e->final)
			return 0;
		if (e->dec_pos < k->len) {
			m = (size_t)(k->len - e->dec_pos);
			if (m > k->op->c->chunk)
				m = (size_t)k->op->c->chunk;
			if (s3c_body_read(k, e->stage, m, e->dec_pos) == -1 ||
			    sigv4_chunk_signer_chunk(
				&e->signer, e->stage, m, &e->out) == -1)
				return -1;
			e->dec_pos += m;
		} else {
			if (sigv4_chunk_signer_chunk(
				&e->signer, NULL, 0, &e->out) == -1 ||
			    sigv4_chunk_signer_finish(
				&e->signer, NULL, 0, &e->out) == -1)
				return -1;
			e->final = 1;
		}
	}
	avail = e->out.len - e->out_off;
	if (n > avail)
		n = avail;
	memcpy(out, e->out.data + e->out_off, n);
	e->out_off += n;
	e->enc_pos += n;
	return (int64_t)n;
}

static struct s3c_call *
s3c_call_new(struct s3client_op *op, int req, const char *method)
{
	struct s3c_call *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->op = op;
	k->req = req;
	k->method = method;
	k->size = -1;
	k->retry_after = -1;
	buf_init(&k->own);
	buf_init(&k->doc);
	return k;
}

static void
s3c_call_free(struct s3c_call *k)
{
	if (k == NULL)
		return;
	if (k->hreq != NULL)
		http_client_cancel(k->hreq);
	if (k->timer != NULL)
		loop_timer_cancel(k->op->c->l, k->timer);
	s3c_enc_free(k->enc);
	buf_release(&k->own);
	buf_release(&k->doc);
	free(k->query);
	free(k);
}

static const char *
s3c_hdr(const struct http_client_response *resp, const char *name, char *out,
    size_t outlen)
{
	const struct h1_header *h = h1_response_header_get(resp->h, name);

	if (h == NULL || h->value.len >= outlen)
		return NULL;
	memcpy(out, h->value.p, h->value.len);
	out[h->value.len] = '\0';
	return out;
}

static int
s3c_on_head(struct http_client_req *r, const struct http_client_response *resp,
    void *arg)
{
	struct s3c_call *k = arg;
	struct s3client_op *op = k->op;
	char v[160], *slash;

	k->status = resp->status;
	if (s3c_hdr(resp, "retry-after", v, sizeof(v)) != NULL &&
	    strspn(v, "0123456789") == strlen(v) && strlen(v) < 7)
		k->retry_after = atol(v);
	if (resp->status / 100 != 2)
		return 0;
	if (s3c_hdr(resp, "etag", v, sizeof(v)) != NULL)
		snprintf(k->etag, sizeof(k->etag), "%s", v);
	if (s3c_hdr(resp, "content-range", v, sizeof(v)) != NULL &&
	    (slash = strrchr(v, '/')) != NULL && slash[1] != '*')
		k->size = atoll(slash + 1);
	else if (s3c_hdr(resp, "content-length", v, sizeof(v)) != NULL &&
	    strspn(v, "0123456789") == strlen(v) && strlen(v) < 19)
		k->size = atoll(v); /* also for HEAD, which has no body */
	/* The ETag of the first answer guards a resumed GET (If-Match). */
	if (op->kind == S3C_GET && op->etag[0] == '\0')
		snprintf(op->etag, sizeof(op->etag), "%s", k->etag);
	if (op->kind == S3C_GET && k->delivered > 0 && resp->status == 200)
		k->skip = k->delivered; /* the Range was ignored */
	return 0;
}

static int
s3c_on_data(struct http_client_req *r, const void *p, size_t n, void *arg)
{
	struct s3c_call *k = arg;
	struct s3client_op *op = k->op;
	size_t lim;

	if (k->status / 100 == 2 && op->kind == S3C_GET) {
		if (k->skip > 0) {
			size_t s = k->skip < n ? (size_t)k->skip : n;

			k->skip -= s;
			p = (const char *)p + s;
			n -= s;
		}
		if (n == 0)
			return 0;
		k->delivered += n;
		if (op->data != NULL && op->data(op->arg, p, n) == -1) {
			k->user_abort = 1;
			return -1;
		}
		return 0;
	}
	lim = k->status / 100 == 2 ? S3CLIENT_MAX_XML : S3C_MAX_ERROR_DOC;
	if (k->doc.len < lim) {
		if (n > lim - k->doc.len)
			n = lim - k->doc.len;
		if (buf_append(&k->doc, p, n) == -1)
			return -1;
	}
	return 0;
}

static int
s3c_retryable_code(const char *code)
{
	static const char *const codes[] = { "SlowDown", "RequestTimeout",
		"InternalError", "ServiceUnavailable", "Throttling",
		"ThrottlingException", "RequestTimeTooSkewed" };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* Records the failure of k's last attempt in op->code/message. */
static int
s3c_record_error(struct s3c_call *k, const char *terr)
{
	struct s3client_op *op = k->op;
	struct span doc = span_make(k->doc.data, k->doc.len);

	if (k->req == S3C_R_ABORT)
		return 0;
	buf_reset(&op->code);
	buf_reset(&op->message);
	op->status = k->status;
	if (terr != NULL)
		return buf_append_str(&op->code, terr) == -1 ||
			buf_append_str(&op->message, "") == -1
		    ? -1
		    : 0;
	if (s3c_xml_get(doc, "Code", &op->code) != 1 || op->code.len == 0) {
		buf_reset(&op->code);
		if ((k->status == 404 &&
			buf_append_str(&op->code,
			    op->kind == S3C_HEAD ? "NotFound" : "NoSuchKey") ==
			    -1) ||
		    (k->status != 404 &&
			buf_printf(&op->code, "HTTP %d", k->status) == -1))
			return -1;
	}
	if (s3c_xml_get(doc, "Message", &op->message) == -1)
		buf_reset(&op->message);
	return buf_append_str(&op->message, "") == -1 ? -1 : 0;
}

static void
s3c_on_done(struct http_client_req *r, int ok, const char *err, void *arg)
{
	struct s3c_call *k = arg;
	struct s3client_op *op = k->op;
	struct s3client *c = op->c;
	int retry = 0, success = 0;
	uint64_t ms;

	k->hreq = NULL;
	op->attempts++;
	if (k->user_abort) {
		(void)s3c_record_error(k, "aborted by the caller");
	} else if (!ok) {
		(void)s3c_record_error(k, err != NULL ? err : "request failed");
		retry = 1;
	} else if (k->status / 100 == 2) {
		struct span v;
		size_t pos = 0;

		/* CompleteMultipartUpload may fail inside a 200 answer. */
		if (k->req == S3C_R_COMPLETE &&
		    s3client_xml_find(span_make(k->doc.data, k->doc.len), &pos,
			"Error", &v)) {
			(void)s3c_record_error(k, NULL);
			retry = op->code.len > 0 &&
			    s3c_retryable_code(buf_cstr(&op->code));
		} else
			success = 1;
	} else {
		(void)s3c_record_error(k, NULL);
		retry = k->status >= 500 || k->status == 429 ||
		    (op->code.len > 0 &&
			s3c_retryable_code(buf_cstr(&op->code)));
	}
	if (success) {
		s3c_call_finish(k, 1);
		return;
	}
	if (retry && k->attempt < c->max_attempts) {
		ms = s3client_backoff_ms(c->base_ms, c->max_ms, k->attempt,
		    k->retry_after, s3c_rand(c));
		c->stats.retries++;
		if (k->req == S3C_R_ABORT)
			log_info("s3 abort of %s: attempt %u failed; retry in "
				 "%llu ms",
			    op->display, k->attempt, (unsigned long long)ms);
		else
			log_info("s3 %s %s: %s%s%s%s; retry %u/%u in %llu ms",
			    op->verb, op->display, buf_cstr(&op->code),
			    op->message.len > 0 ? " (" : "",
			    buf_cstr(&op->message),
			    op->message.len > 0 ? ")" : "", k->attempt,
			    c->max_attempts - 1, (unsigned long long)ms);
		s3c_call_schedule(k, ms);
		return;
	}
	s3c_call_finish(k, 0);
}

static int
s3c_add_header(
    struct sigv4_header *h, size_t *n, const char *name, const char *value)
{
	if (*n >= S3C_MAX_HEADERS)
		return -1;
	h[*n].name = span_str(name);
	h[*n].value = span_str(value);
	(*n)++;
	return 0;
}

/* Builds, signs and sends one attempt of k.  Returns 0 or -1 with *errp. */
static int
s3c_call_send(struct s3c_call *k, const char **errp)
{
	struct s3client_op *op = k->op;
	struct s3client *c = op->c;
	struct sigv4_header sh[S3C_MAX_HEADERS];
	struct http_client_header hh[S3C_MAX_HEADERS + 1];
	struct http_client_request d;
	struct http_client_source src;
	struct sigv4_request sr;
	struct sigv4_params sp;
	struct sigv4_result res;
	struct buf url, path, host, scope;
	char date[17], range[64], declen[32], payload[SHA256_HEX_LEN + 1];
	const char *payload_hash = SIGV4_EMPTY_SHA256;
	int chunked = 0, rc = -1;
	size_t nh = 0, i;
	struct tm tm;
	time_t now;

	buf_init(&url);
	buf_init(&path);
	buf_init(&host);
	buf_init(&scope);
	sigv4_result_init(&res);
	*errp = "out of memory";
	k->status = 0;
	k->retry_after = -1;
	k->user_abort = 0;
	k->skip = 0;
	buf_reset(&k->doc);
	s3c_enc_free(k->enc);
	k->enc = NULL;
	now = (time_t)clock_wall();
	if (gmtime_r(&now, &tm) == NULL)
		goto fail;
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	if (s3c_url(c,
		k->req == S3C_R_LIST || k->req == S3C_R_BUCKET ? NULL
							       : op->fullkey,
		k->query, &url, &path, &host) == -1)
		goto fail;
	/* The payload: signed hash, unsigned, or signed aws-chunked. */
	if (k->has_body) {
		if (k->body == NULL && k->own.len == 0 &&
		    k->len <= S3C_SMALL_BODY && k->len > 0) {
			if (buf_reserve(&k->own, (size_t)k->len) == -1)
				goto fail;
			if (s3c_body_read(k, k->own.data, (size_t)k->len, 0) ==
			    -1) {
				*errp = "reading the body failed";
				goto fail;
			}
			k->own.len = (size_t)k->len;
		}
		if (k->body != NULL || k->own.len > 0 || k->len == 0) {
			if (k->body_sha[0] == '\0')
				sha256_hex(k->own.len > 0
					? (const void *)k->own.data
					: k->len == 0
					? (const void *)""
					: (const void *)(k->body + k->off),
				    (size_t)k->len, k->body_sha);
			payload_hash = k->body_sha;
		} else if (c->https || c->unsigned_payload ||
		    c->creds.access_key == NULL)
			payload_hash = SIGV4_UNSIGNED_PAYLOAD;
		else {
			chunked = 1;
			payload_hash = SIGV4_STREAMING_PAYLOAD;
		}
	}
	snprintf(payload, sizeof(payload), "%s", payload_hash);
	if (s3c_add_header(sh, &nh, "host", buf_cstr(&host)) == -1 ||
	    s3c_add_header(sh, &nh, "x-amz-date", date) == -1 ||
	    s3c_add_header(sh, &nh, "x-amz-content-sha256", payload) == -1)
		goto fail;
	if (c->creds.session_token != NULL &&
	    s3c_add_header(
		sh, &nh, "x-amz-security-token", c->creds.session_token) == -1)
		goto fail;
	if (op->kind == S3C_GET && (op->rstart >= 0 || k->delivered > 0)) {
		long long from = (op->rstart >= 0 ? op->rstart : 0) +
		    (long long)k->delivered;

		if (op->rend >= 0)
			snprintf(range, sizeof(range), "bytes=%lld-%lld", from,
			    op->rend);
		else
			snprintf(range, sizeof(range), "bytes=%lld-", from);
		if (s3c_add_header(sh, &nh, "range", range) == -1)
			goto fail;
		if (k->delivered > 0 && op->etag[0] != '\0' &&
		    s3c_add_header(sh, &nh, "if-match", op->etag) == -1)
			goto fail;
	}
	if ((k->req == S3C_R_OBJECT || k->req == S3C_R_CREATE) &&
	    op->ctype != NULL &&
	    s3c_add_header(sh, &nh, "content-type", op->ctype) == -1)
		goto fail;
	if (chunked) {
		snprintf(
		    declen, sizeof(declen), "%llu", (unsigned long long)k->len);
		if (s3c_add_header(
			sh, &nh, "content-encoding", "aws-chunked") == -1 ||
		    s3c_add_header(
			sh, &nh, "x-amz-decoded-content-length", declen) == -1)
			goto fail;
	}
	if (c->creds.access_key != NULL && c->creds.secret != NULL) {
		memset(&sr, 0, sizeof(sr));
		sr.method = span_str(k->method);
		sr.path = span_make(path.data, path.len);
		sr.query = span_str(k->query != NULL ? k->query : "");
		sr.headers = sh;
		sr.nheaders = nh;
		sr.payload_hash = span_str(payload);
		sr.mode = SIGV4_MODE_S3;
		memset(&sp, 0, sizeof(sp));
		sp.access_key = span_str(c->creds.access_key);
		sp.secret = span_str(c->creds.secret);
		sp.region = span_str(c->creds.region);
		sp.service = span_str("s3");
		sp.amz_date = date;
		if (sigv4_sign(&res, &sr, &sp, NULL) != 0) {
			*errp = "signing failed";
			goto fail;
		}
	}
	for (i = 0; i < nh; i++) {
		hh[i].name = (const char *)sh[i].name.p;
		hh[i].value = (const char *)sh[i].value.p;
	}
	if (c->creds.access_key != NULL && c->creds.secret != NULL) {
		hh[nh].name = "Authorization";
		hh[nh].value = buf_cstr(&res.authorization);
		nh++;
	}
	memset(&d, 0, sizeof(d));
	d.method = k->method;
	d.url = buf_cstr(&url);
	d.headers = hh;
	d.nheaders = nh;
	d.on_head = s3c_on_head;
	d.on_data = s3c_on_data;
	d.on_done = s3c_on_done;
	d.arg = k;
	if (k->has_body) {
		memset(&src, 0, sizeof(src));
		src.arg = k;
		src.read = s3c_plain_read;
		src.length = (long long)k->len;
		if (chunked) {
			if ((k->enc = calloc(1, sizeof(*k->enc))) == NULL ||
			    (k->enc->stage = malloc((size_t)c->chunk)) == NULL)
				goto fail;
			buf_init(&k->enc->out);
			if (sigv4_scope(&scope, date, sp.region, sp.service) ==
				-1 ||
			    sigv4_chunk_signer_init(&k->enc->signer,
				SIGV4_PAYLOAD_STREAMING, res.signing_key, date,
				buf_cstr(&scope), res.signature) == -1)
				goto fail;
			src.read = s3c_chunked_read;
			src.length = (long long)sigv4_chunked_encoded_length(
			    SIGV4_PAYLOAD_STREAMING, k->len, c->chunk, 2);
		}
		d.source = &src;
	} else if (strcmp(k->method, "PUT") == 0 ||
	    strcmp(k->method, "POST") == 0) {
		d.body = "";
		d.body_len = 0;
	}
	c->stats.requests++;
	k->attempt++;
	if ((k->hreq = http_client_request(c->hc, &d, errp)) == NULL)
		goto fail;
	rc = 0;
fail:
	if (rc == -1 && k->enc != NULL) {
		s3c_enc_free(k->enc);
		k->enc = NULL;
	}
	sigv4_result_release(&res);
	buf_release(&url);
	buf_release(&path);
	buf_release(&host);
	buf_release(&scope);
	return rc;
}

static void
s3c_call_timer(struct loop *l, void *arg)
{
	struct s3c_call *k = arg;
	const char *err;

	k->timer = NULL;
	if (s3c_call_send(k, &err) == -1) {
		(void)s3c_record_error(k, err);
		s3c_call_finish(k, 0);
	}
}

static void
s3c_call_schedule(struct s3c_call *k, uint64_t ms)
{
	k->timer = loop_timer_add(k->op->c->l, ms, s3c_call_timer, k);
	if (k->timer == NULL) {
		(void)s3c_record_error(k, "out of memory");
		s3c_call_finish(k, 0);
	}
}

/* ---- operations ---- */

/* Sets a local error code (no S3 document). */
static void
s3c_set_code(struct s3client_op *op, const char *code)
{
	buf_reset(&op->code);
	buf_reset(&op->message);
	if (buf_append_str(&op->code, code) == -1 ||
	    buf_append_str(&op->message, "") == -1)
		buf_reset(&op->code);
}

static void
s3c_op_free(struct s3client_op *op)
{
	unsigned i;

	if (op->etags != NULL)
		for (i = 0; i < op->nparts; i++)
			free(op->etags[i]);
	free(op->etags);
	free(op->pcalls);
	free(op->fullkey);
	free(op->display);
	free(op->ctype);
	free(op->upload_id);
	free(op->list_prefix);
	free(op->list_token);
	buf_release(&op->code);
	buf_release(&op->message);
	free(op);
}

/* Frees every call of op (no callbacks). */
static void
s3c_op_stop_calls(struct s3client_op *op)
{
	unsigned i;

	s3c_call_free(op->call);
	op->call = NULL;
	if (op->pcalls != NULL)
		for (i = 0; i < op->nparts; i++) {
			s3c_call_free(op->pcalls[i]);
			op->pcalls[i] = NULL;
		}
}

static void
s3c_op_unlink(struct s3client_op *op)
{
	if (op->prev != NULL)
		op->prev->next = op->next;
	else if (op->c->ops == op)
		op->c->ops = op->next;
	if (op->next != NULL)
		op->next->prev = op->prev;
	op->prev = op->next = NULL;
}

/* Ends op: the user callback (unless cancelled) with res, then frees. */
static void
s3c_op_end(struct s3client_op *op, struct s3client_result *res)
{
	s3c_op_stop_calls(op);
	s3c_op_unlink(op);
	res->attempts = op->attempts;
	res->status = op->status;
	res->upload_id = op->upload_id;
	res->aborted = op->aborted;
	res->parts = op->kind == S3C_MPUT ? op->nparts : 0;
	if (!res->ok) {
		op->c->stats.failures++;
		res->code = buf_cstr(&op->code);
		res->message = buf_cstr(&op->message);
		if (op->status == 404 || op->cancelled)
			log_debug("s3 %s %s: %s%s%s%s", op->verb, op->display,
			    res->code, *res->message != '\0' ? " (" : "",
			    res->message, *res->message != '\0' ? ")" : "");
		else
			log_info("s3 %s %s: %s%s%s%s", op->verb, op->display,
			    res->code, *res->message != '\0' ? " (" : "",
			    res->message, *res->message != '\0' ? ")" : "");
	}
	if (!op->cancelled && op->done != NULL)
		op->done(op->arg, res);
	s3c_op_free(op);
}

static void
s3c_op_fail(struct s3client_op *op)
{
	struct s3client_result res;

	memset(&res, 0, sizeof(res));
	res.size = -1;
	s3c_op_end(op, &res);
}

static void
s3c_list_done(struct s3client_op *op, struct s3c_call *k)
{
	struct s3client_entry *ents = NULL;
	struct s3client_result res;
	struct span doc = span_make(k->doc.data, k->doc.len), blk, v;
	struct buf text, tok, trunc;
	size_t pos = 0, n = 0, i, plen = strlen(op->c->prefix);
	char **strs = NULL;
	int bad = 0;

	buf_init(&text);
	buf_init(&tok);
	buf_init(&trunc);
	memset(&res, 0, sizeof(res));
	if ((ents = calloc(S3CLIENT_MAX_LIST, sizeof(*ents))) == NULL ||
	    (strs = calloc(S3CLIENT_MAX_LIST * 3, sizeof(*strs))) == NULL)
		bad = 1;
	while (!bad && n < S3CLIENT_MAX_LIST &&
	    s3client_xml_find(doc, &pos, "Contents", &blk)) {
		size_t p2 = 0;

		if (s3c_xml_get(blk, "Key", &text) != 1) {
			bad = 1;
			break;
		}
		if (text.len >= plen &&
		    memcmp(text.data, op->c->prefix, plen) == 0)
			buf_consume(&text, plen);
		strs[n * 3] = s3c_strdup(buf_cstr(&text));
		/* The value is followed by '<', which ends strtoll. */
		ents[n].size = s3client_xml_find(blk, &p2, "Size", &v)
		    ? strtoll((const char *)v.p, NULL, 10)
		    : -1;
		if (s3c_xml_get(blk, "ETag", &text) == 1)
			strs[n * 3 + 1] = s3c_strdup(buf_cstr(&text));
		if (s3c_xml_get(blk, "LastModified", &text) == 1)
			strs[n * 3 + 2] = s3c_strdup(buf_cstr(&text));
		if (strs[n * 3] == NULL) {
			bad = 1;
			break;
		}
		ents[n].key = strs[n * 3];
		ents[n].etag = strs[n * 3 + 1];
		ents[n].last_modified = strs[n * 3 + 2];
		n++;
	}
	if (!bad && s3c_xml_get(doc, "IsTruncated", &trunc) == 1)
		res.truncated = strcmp(buf_cstr(&trunc), "true") == 0;
	if (!bad && s3c_xml_get(doc, "NextContinuationToken", &tok) == 1 &&
	    tok.len > 0)
		res.next_token = buf_cstr(&tok);
	if (bad || (res.truncated && res.next_token == NULL)) {
		s3c_set_code(op, "MalformedListResponse");
		op->status = k->status;
	} else {
		res.ok = 1;
		res.entries = ents;
		res.nentries = n;
	}
	res.size = -1;
	s3c_op_end(op, &res);
	if (strs != NULL)
		for (i = 0; i < S3CLIENT_MAX_LIST * 3; i++)
			free(strs[i]);
	free(strs);
	free(ents);
	buf_release(&text);
	buf_release(&tok);
	buf_release(&trunc);
}

static void
s3c_call_finish(struct s3c_call *k, int ok)
{
	struct s3client_op *op = k->op;
	struct s3client_result res;
	struct buf id;

	memset(&res, 0, sizeof(res));
	res.size = -1;
	if (k->status != 0 && k->req != S3C_R_ABORT)
		op->status = k->status;
	switch (k->req) {
	case S3C_R_BUCKET:
	case S3C_R_OBJECT:
		if (!ok) {
			s3c_op_fail(op);
			return;
		}
		res.ok = 1;
		if (k->etag[0] != '\0')
			snprintf(op->etag, sizeof(op->etag), "%s", k->etag);
		res.etag = op->etag[0] != '\0' ? op->etag : NULL;
		res.size = op->kind == S3C_PUT ? (long long)op->len : k->size;
		s3c_op_end(op, &res);
		return;
	case S3C_R_LIST:
		if (!ok)
			s3c_op_fail(op);
		else
			s3c_list_done(op, k);
		return;
	case S3C_R_CREATE:
		if (!ok) {
			s3c_op_fail(op);
			return;
		}
		buf_init(&id);
		if (s3c_xml_get(span_make(k->doc.data, k->doc.len), "UploadId",
			&id) != 1 ||
		    id.len == 0 ||
		    (op->upload_id = s3c_strdup(buf_cstr(&id))) == NULL) {
			buf_release(&id);
			s3c_set_code(op, "MalformedCreateResponse");
			s3c_op_fail(op);
			return;
		}
		buf_release(&id);
		s3c_call_free(op->call);
		op->call = NULL;
		s3c_mput_pump(op);
		return;
	case S3C_R_PART:
		op->pcalls[k->part] = NULL;
		op->inflight--;
		if (!ok || k->etag[0] == '\0') {
			if (ok) {
				s3c_set_code(op, "MissingETag");
			}
			s3c_call_free(k);
			s3c_mput_abort(op);
			return;
		}
		if ((op->etags[k->part] = s3c_strdup(k->etag)) == NULL) {
			s3c_call_free(k);
			s3c_set_code(op, "out of memory");
			s3c_mput_abort(op);
			return;
		}
		s3c_call_free(k);
		op->parts_done++;
		s3c_mput_pump(op);
		return;
	case S3C_R_COMPLETE:
		if (!ok) {
			s3c_mput_abort(op);
			return;
		}
		buf_init(&id);
		if (s3c_xml_get(
			span_make(k->doc.data, k->doc.len), "ETag", &id) == 1)
			snprintf(
			    op->etag, sizeof(op->etag), "%s", buf_cstr(&id));
		buf_release(&id);
		res.ok = 1;
		res.etag = op->etag[0] != '\0' ? op->etag : NULL;
		res.size = (long long)op->len;
		s3c_op_end(op, &res);
		return;
	case S3C_R_ABORT:
		op->aborted = ok;
		if (op->cancelled) {
			s3c_op_stop_calls(op);
			s3c_op_unlink(op);
			s3c_op_free(op);
			return;
		}
		s3c_op_fail(op);
		return;
	}
}

static void
s3c_mput_abort(struct s3client_op *op)
{
	struct s3c_call *k;
	struct buf q;

	/* The first failure stays in op->code for the report: the abort's
	 * own errors are not recorded (s3c_record_error). */
	op->failed = 1;
	s3c_op_stop_calls(op);
	op->inflight = 0;
	buf_init(&q);
	if ((k = s3c_call_new(op, S3C_R_ABORT, "DELETE")) == NULL ||
	    buf_append_str(&q, "uploadId=") == -1 ||
	    sigv4_uri_encode(&q, op->upload_id, strlen(op->upload_id), 0) ==
		-1) {
		buf_release(&q);
		goto fail;
	}
	k->query = buf_detach(&q, NULL);
	op->call = k;
	s3c_call_schedule(k, 0);
	return;
fail:
	s3c_call_free(k);
	op->call = NULL;
	s3c_op_fail(op);
}

static void
s3c_mput_pump(struct s3client_op *op)
{
	struct s3c_call *k;
	struct buf q, doc;
	unsigned i;

	while (!op->failed && op->inflight < op->c->parts_in_flight &&
	    op->next_part < op->nparts) {
		i = op->next_part++;
		if ((k = s3c_call_new(op, S3C_R_PART, "PUT")) == NULL)
			goto nomem;
		buf_init(&q);
		if (buf_printf(&q, "partNumber=%u&uploadId=", i + 1) == -1 ||
		    sigv4_uri_encode(
			&q, op->upload_id, strlen(op->upload_id), 0) == -1) {
			buf_release(&q);
			s3c_call_free(k);
			goto nomem;
		}
		k->query = buf_detach(&q, NULL);
		k->part = i;
		k->has_body = 1;
		k->body = op->body;
		k->off = (uint64_t)i * op->psize;
		k->len =
		    op->len - k->off < op->psize ? op->len - k->off : op->psize;
		op->pcalls[i] = k;
		op->inflight++;
		s3c_call_schedule(k, 0);
		if (op->failed)
			return;
	}
	if (op->failed || op->parts_done < op->nparts || op->call != NULL)
		return;
	/* Every part is in: CompleteMultipartUpload. */
	if ((k = s3c_call_new(op, S3C_R_COMPLETE, "POST")) == NULL)
		goto nomem;
	buf_init(&q);
	buf_init(&doc);
	if (buf_append_str(&q, "uploadId=") == -1 ||
	    sigv4_uri_encode(&q, op->upload_id, strlen(op->upload_id), 0) ==
		-1 ||
	    buf_append_str(&doc, "<CompleteMultipartUpload>") == -1) {
		buf_release(&q);
		buf_release(&doc);
		s3c_call_free(k);
		goto nomem;
	}
	for (i = 0; i < op->nparts; i++) {
		const char *e;

		if (buf_printf(&doc, "<Part><PartNumber>%u</PartNumber><ETag>",
			i + 1) == -1)
			goto nomem2;
		for (e = op->etags[i]; *e != '\0'; e++)
			if ((*e == '"'		? buf_append_str(&doc, "&quot;")
				    : *e == '&' ? buf_append_str(&doc, "&amp;")
				    : *e == '<' ? buf_append_str(&doc, "&lt;")
						: buf_putc(&doc, *e)) == -1)
				goto nomem2;
		if (buf_append_str(&doc, "</ETag></Part>") == -1)
			goto nomem2;
	}
	if (buf_append_str(&doc, "</CompleteMultipartUpload>") == -1)
		goto nomem2;
	k->query = buf_detach(&q, NULL);
	k->own = doc;
	k->has_body = 1;
	k->len = doc.len;
	op->call = k;
	s3c_call_schedule(k, 0);
	return;
nomem2:
	buf_release(&q);
	buf_release(&doc);
	s3c_call_free(k);
nomem:
	s3c_set_code(op, "out of memory");
	s3c_mput_abort(op);
}

static struct s3client_op *
s3c_op_new(struct s3client *c, int kind, const char *verb, const char *key,
    s3client_done_cb *done, void *arg, const char **err)
{
	struct s3client_op *op;
	struct buf b;

	*err = "out of memory";
	if (key != NULL &&
	    (*key == '\0' ||
		strlen(key) + strlen(c->prefix) > S3CLIENT_MAX_KEY)) {
		*err = "bad key";
		return NULL;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL)
		return NULL;
	op->c = c;
	op->kind = kind;
	op->verb = verb;
	op->done = done;
	op->arg = arg;
	op->rstart = op->rend = -1;
	op->size = -1;
	buf_init(&op->code);
	buf_init(&op->message);
	buf_init(&b);
	if (buf_printf(&b, "%s%s", c->prefix, key != NULL ? key : "") == -1 ||
	    (op->fullkey = s3c_strdup(buf_cstr(&b))) == NULL) {
		buf_release(&b);
		free(op);
		return NULL;
	}
	buf_reset(&b);
	if (buf_printf(&b, "%s/%s", c->bucket, op->fullkey) == -1 ||
	    (op->display = s3c_strdup(buf_cstr(&b))) == NULL) {
		buf_release(&b);
		free(op->fullkey);
		free(op);
		return NULL;
	}
	buf_release(&b);
	return op;
}

/* Links op and schedules its first call. */
static struct s3client_op *
s3c_op_start(struct s3client_op *op, struct s3c_call *k, const char **err)
{
	struct s3client *c = op->c;

	if (k == NULL) {
		*err = "out of memory";
		s3c_op_free(op);
		return NULL;
	}
	op->call = k;
	k->timer = loop_timer_add(c->l, 0, s3c_call_timer, k);
	if (k->timer == NULL) {
		*err = "out of memory";
		s3c_call_free(k);
		s3c_op_free(op);
		return NULL;
	}
	op->next = c->ops;
	if (c->ops != NULL)
		c->ops->prev = op;
	c->ops = op;
	return op;
}

struct s3client_op *
s3client_get(struct s3client *c, const char *key, long long rstart,
    long long rend, s3client_data_cb *data, s3client_done_cb *done, void *arg,
    const char **err)
{
	struct s3client_op *op;

	if (rstart < -1 || rend < -1 || (rend >= 0 && rstart > rend) ||
	    (rstart < 0 && rend >= 0)) {
		*err = "bad range";
		return NULL;
	}
	if ((op = s3c_op_new(c, S3C_GET, "GET", key, done, arg, err)) == NULL)
		return NULL;
	op->data = data;
	op->rstart = rstart;
	op->rend = rend;
	return s3c_op_start(op, s3c_call_new(op, S3C_R_OBJECT, "GET"), err);
}

struct s3client_op *
s3client_head(struct s3client *c, const char *key, s3client_done_cb *done,
    void *arg, const char **err)
{
	struct s3client_op *op;

	if ((op = s3c_op_new(c, S3C_HEAD, "HEAD", key, done, arg, err)) == NULL)
		return NULL;
	return s3c_op_start(op, s3c_call_new(op, S3C_R_OBJECT, "HEAD"), err);
}

struct s3client_op *
s3client_delete(struct s3client *c, const char *key, s3client_done_cb *done,
    void *arg, const char **err)
{
	struct s3client_op *op;

	if ((op = s3c_op_new(c, S3C_DELETE, "DELETE", key, done, arg, err)) ==
	    NULL)
		return NULL;
	return s3c_op_start(op, s3c_call_new(op, S3C_R_OBJECT, "DELETE"), err);
}

struct s3client_op *
s3client_put(struct s3client *c, const char *key, const void *body, size_t len,
    const struct s3client_source *src, const char *content_type,
    s3client_done_cb *done, void *arg, const char **err)
{
	struct s3client_op *op;
	struct s3c_call *k;
	uint64_t total = src != NULL ? src->length : len;

	if ((body == NULL && len > 0) || (src != NULL && body != NULL) ||
	    (src != NULL && src->read == NULL)) {
		*err = "bad body";
		return NULL;
	}
	if ((op = s3c_op_new(c, total > c->threshold ? S3C_MPUT : S3C_PUT,
		 "PUT", key, done, arg, err)) == NULL)
		return NULL;
	op->body = body;
	op->len = total;
	if (src != NULL) {
		op->src = *src;
		op->has_src = 1;
	}
	if (content_type != NULL &&
	    (strpbrk(content_type, "\r\n") != NULL ||
		(op->ctype = s3c_strdup(content_type)) == NULL)) {
		s3c_op_free(op);
		*err = "bad content type";
		return NULL;
	}
	if (op->kind == S3C_PUT) {
		if ((k = s3c_call_new(op, S3C_R_OBJECT, "PUT")) != NULL) {
			k->has_body = 1;
			k->body = body;
			k->len = total;
		}
		return s3c_op_start(op, k, err);
	}
	op->psize = c->part_size;
	if (total / op->psize >= S3CLIENT_MAX_PARTS)
		op->psize = total / (S3CLIENT_MAX_PARTS - 1);
	op->nparts = (unsigned)((total + op->psize - 1) / op->psize);
	if ((op->etags = calloc(op->nparts, sizeof(*op->etags))) == NULL ||
	    (op->pcalls = calloc(op->nparts, sizeof(*op->pcalls))) == NULL) {
		s3c_op_free(op);
		*err = "out of memory";
		return NULL;
	}
	if ((k = s3c_call_new(op, S3C_R_CREATE, "POST")) != NULL &&
	    (k->query = s3c_strdup("uploads")) == NULL) {
		s3c_call_free(k);
		k = NULL;
	}
	return s3c_op_start(op, k, err);
}

struct s3client_op *
s3client_list(struct s3client *c, const char *prefix, const char *token,
    unsigned max_keys, s3client_done_cb *done, void *arg, const char **err)
{
	struct s3client_op *op;
	struct s3c_call *k;
	struct buf q;
	char pfx[S3CLIENT_MAX_KEY + 1];

	if (snprintf(pfx, sizeof(pfx), "%s%s", c->prefix,
		prefix != NULL ? prefix : "") >= (int)sizeof(pfx)) {
		*err = "bad prefix";
		return NULL;
	}
	if ((op = s3c_op_new(c, S3C_LIST, "LIST", NULL, done, arg, err)) ==
	    NULL)
		return NULL;
	free(op->display);
	op->display = NULL;
	buf_init(&q);
	if (max_keys == 0 || max_keys > S3CLIENT_MAX_LIST)
		max_keys = S3CLIENT_MAX_LIST;
	if ((k = s3c_call_new(op, S3C_R_LIST, "GET")) == NULL ||
	    buf_printf(&q, "list-type=2&max-keys=%u&prefix=", max_keys) == -1 ||
	    sigv4_uri_encode(&q, pfx, strlen(pfx), 0) == -1 ||
	    (token != NULL &&
		(buf_append_str(&q, "&continuation-token=") == -1 ||
		    sigv4_uri_encode(&q, token, strlen(token), 0) == -1))) {
		buf_release(&q);
		s3c_call_free(k);
		s3c_op_free(op);
		*err = "out of memory";
		return NULL;
	}
	k->query = buf_detach(&q, NULL);
	buf_init(&q);
	if (buf_printf(&q, "%s/%s", c->bucket, pfx) == -1 ||
	    (op->display = buf_detach(&q, NULL)) == NULL) {
		buf_release(&q);
		s3c_call_free(k);
		s3c_op_free(op);
		*err = "out of memory";
		return NULL;
	}
	return s3c_op_start(op, k, err);
}

struct s3client_op *
s3client_create_bucket(
    struct s3client *c, s3client_done_cb *done, void *arg, const char **err)
{
	struct s3client_op *op;

	if ((op = s3c_op_new(c, S3C_PUT, "PUT", NULL, done, arg, err)) == NULL)
		return NULL;
	return s3c_op_start(op, s3c_call_new(op, S3C_R_BUCKET, "PUT"), err);
}

void
s3client_cancel(struct s3client_op *op)
{
	op->cancelled = 1;
	if (op->kind == S3C_MPUT && op->upload_id != NULL && !op->failed) {
		s3c_mput_abort(op);
		return;
	}
	if (op->kind == S3C_MPUT && op->failed)
		return; /* the abort runs; it ends silently */
	s3c_op_stop_calls(op);
	s3c_op_unlink(op);
	s3c_op_free(op);
}

void
s3client_free(struct s3client *c)
{
	struct s3client_op *op;

	if (c == NULL)
		return;
	while ((op = c->ops) != NULL) {
		s3c_op_stop_calls(op);
		s3c_op_unlink(op);
		s3c_op_free(op);
	}
	free(c->bucket);
	free(c->prefix);
	free(c->authority);
	free(c->scheme);
	s3client_creds_release(&c->creds);
	free(c);
}

/* ---- resolver adapter ---- */

struct s3c_resolve {
	http_client_resolved_cb *done;
	void *done_arg;
	int port;
};

static void
s3c_resolved(
    void *arg, const struct resolver_addr *a, size_t n, const char *err)
{
	struct s3c_resolve *q = arg;
	struct http_client_addr out[HTTP_CLIENT_MAX_ADDRS];
	size_t i;

	if (n > HTTP_CLIENT_MAX_ADDRS)
		n = HTTP_CLIENT_MAX_ADDRS;
	for (i = 0; i < n; i++)
		out[i].len = resolver_addr_sockaddr(&a[i], 0, &out[i].ss);
	q->done(q->done_arg, out, n,
	    n == 0 ? (err != NULL ? err : "no address") : NULL);
	free(q);
}

void
s3client_resolve(void *resolver, const char *host,
    http_client_resolved_cb *done, void *done_arg)
{
	struct s3c_resolve *q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		done(done_arg, NULL, 0, "out of memory");
		return;
	}
	q->done = done;
	q->done_arg = done_arg;
	if (resolver_lookup(resolver, host, AF_UNSPEC, s3c_resolved, q) ==
	    NULL) {
		free(q);
		done(done_arg, NULL, 0, "out of memory");
	}
}
