/*
 * S3-compatible API.  Untrusted input: every request (path, query,
 * headers, bodies, XML).  Request bodies are streamed into a store writer
 * (or a part file) and committed only after the payload hash, every
 * aws-chunked signature and the trailing checksum were verified; on any
 * failure nothing becomes visible.  See doc/s3.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "base/b64.h"
#include "base/clock.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/sha.h"
#include "base/utf8.h"
#include "cache/stats.h"
#include "store/store.h"
#include "tools/s3.h"
#include "upstream/sigv4.h"

#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"
#define S3_XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define S3_CTYPE_DEFAULT "binary/octet-stream"
#define S3_KEYS_MAGIC "FS3KEYS1"
#define S3_META_MAGIC "S3M1"
#define S3_COPY_BLOCK (64 * 1024)

/* ---- errors: one const table ---- */

enum s3_err {
	S3E_NONE = -1,
	S3E_ACCESS_DENIED,
	S3E_BAD_DIGEST,
	S3E_BUCKET_EXISTS,
	S3E_BUCKET_NOT_EMPTY,
	S3E_ENTITY_TOO_LARGE,
	S3E_ENTITY_TOO_SMALL,
	S3E_INCOMPLETE_BODY,
	S3E_INTERNAL,
	S3E_INVALID_ARGUMENT,
	S3E_INVALID_BUCKET_NAME,
	S3E_INVALID_DIGEST,
	S3E_INVALID_PART,
	S3E_INVALID_PART_ORDER,
	S3E_INVALID_RANGE,
	S3E_INVALID_REQUEST,
	S3E_KEY_TOO_LONG,
	S3E_MALFORMED_XML,
	S3E_METADATA_TOO_LARGE,
	S3E_METHOD_NOT_ALLOWED,
	S3E_MISSING_CONTENT_LENGTH,
	S3E_NO_SUCH_BUCKET,
	S3E_NO_SUCH_KEY,
	S3E_NO_SUCH_UPLOAD,
	S3E_NOT_IMPLEMENTED,
	S3E_PRECONDITION,
	S3E_NO_SPACE,
	S3E_CONTENT_SHA256,
	S3E_COUNT
};

static const struct {
	const char *code;
	int status;
	const char *message;
} s3_errors[S3E_COUNT] = {
	[S3E_ACCESS_DENIED] = { "AccessDenied", 403, "Access Denied" },
	[S3E_BAD_DIGEST] = { "BadDigest", 400,
	    "The Content-MD5 or checksum you specified did not match what we "
	    "received." },
	[S3E_BUCKET_EXISTS] = { "BucketAlreadyOwnedByYou", 409,
	    "Your previous request to create the named bucket succeeded and "
	    "you already own it." },
	[S3E_BUCKET_NOT_EMPTY] = { "BucketNotEmpty", 409,
	    "The bucket you tried to delete is not empty" },
	[S3E_ENTITY_TOO_LARGE] = { "EntityTooLarge", 400,
	    "Your proposed upload exceeds the maximum allowed size" },
	[S3E_ENTITY_TOO_SMALL] = { "EntityTooSmall", 400,
	    "Your proposed upload is smaller than the minimum allowed object "
	    "size." },
	[S3E_INCOMPLETE_BODY] = { "IncompleteBody", 400,
	    "You did not provide the number of bytes specified by the "
	    "Content-Length HTTP header" },
	[S3E_INTERNAL] = { "InternalError", 500,
	    "We encountered an internal error. Please try again." },
	[S3E_INVALID_ARGUMENT] = { "InvalidArgument", 400, "Invalid Argument" },
	[S3E_INVALID_BUCKET_NAME] = { "InvalidBucketName", 400,
	    "The specified bucket is not valid." },
	[S3E_INVALID_DIGEST] = { "InvalidDigest", 400,
	    "The Content-MD5 you specified is not valid." },
	[S3E_INVALID_PART] = { "InvalidPart", 400,
	    "One or more of the specified parts could not be found or the "
	    "specified entity tag might not have matched the part's entity "
	    "tag." },
	[S3E_INVALID_PART_ORDER] = { "InvalidPartOrder", 400,
	    "The list of parts was not in ascending order." },
	[S3E_INVALID_RANGE] = { "InvalidRange", 416,
	    "The requested range is not satisfiable" },
	[S3E_INVALID_REQUEST] = { "InvalidRequest", 400, "Invalid Request" },
	[S3E_KEY_TOO_LONG] = { "KeyTooLongError", 400, "Your key is too long" },
	[S3E_MALFORMED_XML] = { "MalformedXML", 400,
	    "The XML you provided was not well-formed or did not validate "
	    "against our published schema" },
	[S3E_METADATA_TOO_LARGE] = { "MetadataTooLarge", 400,
	    "Your metadata headers exceed the maximum allowed metadata "
	    "size." },
	[S3E_METHOD_NOT_ALLOWED] = { "MethodNotAllowed", 405,
	    "The specified method is not allowed against this resource." },
	[S3E_MISSING_CONTENT_LENGTH] = { "MissingContentLength", 411,
	    "You must provide the Content-Length HTTP header." },
	[S3E_NO_SUCH_BUCKET] = { "NoSuchBucket", 404,
	    "The specified bucket does not exist" },
	[S3E_NO_SUCH_KEY] = { "NoSuchKey", 404,
	    "The specified key does not exist." },
	[S3E_NO_SUCH_UPLOAD] = { "NoSuchUpload", 404,
	    "The specified upload does not exist. The upload ID may be "
	    "invalid, or the upload may have been aborted or completed." },
	[S3E_NOT_IMPLEMENTED] = { "NotImplemented", 501,
	    "A header or query you provided implies functionality that is not "
	    "implemented." },
	[S3E_PRECONDITION] = { "PreconditionFailed", 412,
	    "At least one of the pre-conditions you specified did not hold" },
	[S3E_NO_SPACE] = { "InsufficientStorage", 507,
	    "The cache has no room for this object." },
	[S3E_CONTENT_SHA256] = { "XAmzContentSHA256Mismatch", 400,
	    "The provided 'x-amz-content-sha256' header does not match what "
	    "was computed." },
};

/* ---- state ---- */

struct s3_cred {
	char *ak;
	char *secret;
	int perms;
};

struct s3_bucket {
	char name[S3_BUCKET_MAX + 1];
	struct s3_keys keys;
};

struct s3 {
	const struct tools_env *env;
	char *dir; /* <cache>/s3 */
	char region[SIGV4_MAX_REGION + 1];
	struct s3_cred *creds;
	size_t ncreds;
	int auth_required;
	struct s3_bucket **buckets; /* sorted by name */
	size_t nbuckets;
	uint64_t reqseq;
};

/* Per-request state. */
struct s3_req {
	struct s3 *s3;
	char rid[17];
	int perms;
	int authed; /* auth holds a verified signature */
	int open_mode; /* no access keys: signatures not checked */
	struct sigv4_auth auth;
	char bucket[S3_BUCKET_MAX + 1];
	char *key; /* decoded, NUL-terminated; NULL for bucket requests */
	size_t klen;
	struct buf sbuf; /* scratch */
};

/* ---- small helpers ---- */

static int
s3_hexval(int c)
{
	return hex_digit(c);
}

/* Percent-decodes p[0..n) once into out ('+' stays '+'). */
static int
s3_pct_decode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n &&
		    (hi = s3_hexval(p[i + 1])) >= 0 &&
		    (lo = s3_hexval(p[i + 2])) >= 0) {
			if (buf_putc(out, hi * 16 + lo) == -1)
				return -1;
			i += 2;
		} else if (buf_putc(out, p[i]) == -1)
			return -1;
	}
	return 0;
}

/* Finds query parameter name; *val gets its raw value.  Returns 1 when
 * present (also without '='). */
static int
s3_query_raw(struct span q, const char *name, struct span *val)
{
	const unsigned char *p = q.p, *end = q.p + q.len, *amp, *eq;
	size_t nl = strlen(name);

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
			*val = eq < amp
			    ? span_make(eq + 1, (size_t)(amp - eq - 1))
			    : span_make(amp, 0);
			return 1;
		}
		p = amp + 1;
	}
	return 0;
}

static int
s3_query_has(struct http_req *r, const char *name)
{
	struct span v;

	return s3_query_raw(http_req_query(r), name, &v);
}

/* Decoded query parameter into out (reset first); 1 when present. */
static int
s3_query(struct http_req *r, const char *name, struct buf *out)
{
	struct span v;

	buf_reset(out);
	if (!s3_query_raw(http_req_query(r), name, &v))
		return 0;
	if (s3_pct_decode(out, v.p, v.len) == -1 || buf_reserve(out, 1) == -1)
		return -1;
	return 1;
}

int
s3_xml_escape(struct buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		switch (s[i]) {
		case '&':
			rc = buf_append_str(out, "&amp;");
			break;
		case '<':
			rc = buf_append_str(out, "&lt;");
			break;
		case '>':
			rc = buf_append_str(out, "&gt;");
			break;
		case '"':
			rc = buf_append_str(out, "&quot;");
			break;
		case '\'':
			rc = buf_append_str(out, "&apos;");
			break;
		default:
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
			    s[i] != '\n' && s[i] != '\r')
				rc = buf_printf(out, "&#%d;", s[i]);
			else
				rc = buf_putc(out, s[i]);
		}
	}
	return rc;
}

/* Appends <tag>escaped text</tag>. */
static int
s3_xml_elem(struct buf *out, const char *tag, const char *s, size_t n)
{
	if (buf_printf(out, "<%s>", tag) == -1 ||
	    s3_xml_escape(out, s, n) == -1 ||
	    buf_printf(out, "</%s>", tag) == -1)
		return -1;
	return 0;
}

static int
s3_xml_elem_str(struct buf *out, const char *tag, const char *s)
{
	return s3_xml_elem(out, tag, s, strlen(s));
}

int
s3_xml_next(struct span *in, const char *tag, struct span *text)
{
	const unsigned char *p = in->p, *end = in->p + in->len, *open, *gt;
	size_t tl = strlen(tag);

	while (p < end) {
		open = memchr(p, '<', (size_t)(end - p));
		if (open == NULL)
			break;
		p = open + 1;
		if ((size_t)(end - p) < tl + 1 || memcmp(p, tag, tl) != 0 ||
		    (p[tl] != '>' && p[tl] != ' ' && p[tl] != '\t' &&
			p[tl] != '\r' && p[tl] != '\n' && p[tl] != '/'))
			continue;
		gt = memchr(p, '>', (size_t)(end - p));
		if (gt == NULL)
			break;
		if (gt[-1] == '/') { /* <Tag/> */
			*text = span_make(gt, 0);
			in->len -= (size_t)(gt + 1 - in->p);
			in->p = gt + 1;
			return 1;
		}
		p = gt + 1;
		/* Find "</tag>" */
		for (open = p; open < end; open++) {
			open = memchr(open, '<', (size_t)(end - open));
			if (open == NULL)
				break;
			if ((size_t)(end - open) >= tl + 3 && open[1] == '/' &&
			    memcmp(open + 2, tag, tl) == 0 &&
			    open[2 + tl] == '>') {
				*text = span_make(p, (size_t)(open - p));
				in->len -= (size_t)(open + tl + 3 - in->p);
				in->p = open + tl + 3;
				return 1;
			}
		}
		break;
	}
	in->p = end;
	in->len = 0;
	return 0;
}

static int
s3_utf8_put(struct buf *out, unsigned long c)
{
	if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	return utf8_append(out, (uint32_t)c);
}

int
s3_xml_unescape(struct buf *out, struct span t)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = { { "amp", '&' }, { "lt", '<' }, { "gt", '>' },
		{ "quot", '"' }, { "apos", '\'' } };
	size_t i, j, n;
	unsigned long c;
	const unsigned char *semi;

	for (i = 0; i < t.len; i++) {
		if (t.p[i] != '&') {
			if (buf_putc(out, t.p[i]) == -1)
				return -1;
			continue;
		}
		semi = memchr(t.p + i, ';', t.len - i);
		if (semi == NULL || semi - (t.p + i) > 12)
			return -1;
		n = (size_t)(semi - (t.p + i)) - 1; /* name length */
		if (n >= 2 && t.p[i + 1] == '#') {
			c = 0;
			if (t.p[i + 2] == 'x' || t.p[i + 2] == 'X') {
				if (n < 3)
					return -1;
				for (j = i + 3; j < i + 1 + n; j++) {
					if (s3_hexval(t.p[j]) < 0)
						return -1;
					c = c * 16 +
					    (unsigned long)s3_hexval(t.p[j]);
				}
			} else {
				for (j = i + 2; j < i + 1 + n; j++) {
					if (t.p[j] < '0' || t.p[j] > '9')
						return -1;
					c = c * 10 +
					    (unsigned long)(t.p[j] - '0');
				}
			}
			if (s3_utf8_put(out, c) == -1)
				return -1;
		} else {
			for (j = 0; j < sizeof(ents) / sizeof(ents[0]); j++)
				if (strlen(ents[j].name) == n &&
				    memcmp(t.p + i + 1, ents[j].name, n) == 0)
					break;
			if (j == sizeof(ents) / sizeof(ents[0]) ||
			    buf_putc(out, ents[j].c) == -1)
				return -1;
		}
		i += n + 1;
	}
	return 0;
}

/* ---- key lists ---- */

static int
s3_name_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = n > 0 ? memcmp(a, b, n) : 0; /* an empty name may be NULL */

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

size_t
s3_keys_find(const struct s3_keys *k, const char *name, size_t len, int *found)
{
	size_t lo = 0, hi = k->n, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = s3_name_cmp(k->v[mid]->name, k->v[mid]->len, name, len);
		if (c < 0)
			lo = mid + 1;
		else {
			if (c == 0)
				*found = 1;
			hi = mid;
		}
	}
	return lo;
}

/* In-memory insert/replace (no journal). */
static int
s3_keys_mem_put(struct s3_keys *k, const char *name, size_t len, uint64_t size,
    int64_t mtime, const char *etag, size_t elen)
{
	struct s3_key *e, **nv;
	size_t i, ncap;
	int found;

	if ((e = malloc(sizeof(*e) + len + 1)) == NULL)
		return -1;
	e->size = size;
	e->mtime = mtime;
	if (elen >= sizeof(e->etag))
		elen = sizeof(e->etag) - 1;
	memcpy(e->etag, etag, elen);
	e->etag[elen] = '\0';
	e->len = len;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	i = s3_keys_find(k, name, len, &found);
	if (found) {
		free(k->v[i]);
		k->v[i] = e;
		return 0;
	}
	if (k->n == k->cap) {
		ncap = k->cap ? k->cap * 2 : 64;
		if ((nv = realloc(k->v, ncap * sizeof(*nv))) == NULL) {
			free(e);
			return -1;
		}
		k->v = nv;
		k->cap = ncap;
	}
	memmove(k->v + i + 1, k->v + i, (k->n - i) * sizeof(*k->v));
	k->v[i] = e;
	k->n++;
	return 0;
}

static void
s3_keys_mem_del(struct s3_keys *k, const char *name, size_t len)
{
	size_t i;
	int found;

	i = s3_keys_find(k, name, len, &found);
	if (!found)
		return;
	free(k->v[i]);
	memmove(k->v + i, k->v + i + 1, (k->n - i - 1) * sizeof(*k->v));
	k->n--;
}

/* Encodes one journal record. */
static int
s3_keys_record(struct buf *b, int op, const char *name, size_t len,
    uint64_t size, int64_t mtime, const char *etag)
{
	unsigned char hdr[1 + 2 + 8 + 8 + 1];
	uint16_t l16 = (uint16_t)len;
	size_t el = etag != NULL ? strlen(etag) : 0, hl = 3;

	hdr[0] = (unsigned char)op;
	memcpy(hdr + 1, &l16, 2);
	if (op == 'P') {
		memcpy(hdr + 3, &size, 8);
		memcpy(hdr + 11, &mtime, 8);
		hdr[19] = (unsigned char)el;
		hl = sizeof(hdr);
	}
	if (buf_append(b, hdr, hl) == -1 ||
	    (op == 'P' && buf_append(b, etag, el) == -1) ||
	    buf_append(b, name, len) == -1)
		return -1;
	return 0;
}

static int
s3_keys_append(struct s3_keys *k, const struct buf *b)
{
	ssize_t w;
	size_t off = 0;

	while (off < b->len) {
		w = write(k->fd, b->data + off, b->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Rewrites the journal with only the live names. */
static int
s3_keys_compact(struct s3_keys *k)
{
	struct buf b;
	char tmp[PATH_MAX];
	size_t i;
	int fd, rc = -1, ofd;

	buf_init(&b);
	if (buf_append(&b, S3_KEYS_MAGIC, 8) == -1 ||
	    buf_append(&b, &k->created, 8) == -1)
		goto out;
	for (i = 0; i < k->n; i++)
		if (s3_keys_record(&b, 'P', k->v[i]->name, k->v[i]->len,
			k->v[i]->size, k->v[i]->mtime, k->v[i]->etag) == -1)
			goto out;
	snprintf(tmp, sizeof(tmp), "%s.tmp", k->path);
	fd = open(
	    tmp, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1)
		goto out;
	ofd = k->fd;
	k->fd = fd;
	if (s3_keys_append(k, &b) == -1 || rename(tmp, k->path) == -1) {
		k->fd = ofd;
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(ofd);
	k->records = k->n;
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

int
s3_keys_open(struct s3_keys *k, const char *path, int create)
{
	struct buf b;
	struct stat st;
	size_t off, el, hl;
	uint16_t l16;
	uint64_t size;
	int64_t mtime;
	ssize_t got;
	int op;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	buf_init(&b);
	if ((k->path = strdup(path)) == NULL)
		return -1;
	k->fd = open(path,
	    O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0),
	    0644);
	if (k->fd == -1)
		goto fail;
	if (fstat(k->fd, &st) == -1)
		goto fail;
	if (st.st_size == 0) {
		k->created = clock_wall();
		if (buf_append(&b, S3_KEYS_MAGIC, 8) == -1 ||
		    buf_append(&b, &k->created, 8) == -1 ||
		    s3_keys_append(k, &b) == -1)
			goto fail;
		buf_release(&b);
		return 0;
	}
	if (buf_reserve(&b, (size_t)st.st_size) == -1)
		goto fail;
	got = pread(k->fd, b.data, (size_t)st.st_size, 0);
	if (got != (ssize_t)st.st_size || got < 16 ||
	    memcmp(b.data, S3_KEYS_MAGIC, 8) != 0) {
		errno = EINVAL;
		goto fail;
	}
	b.len = (size_t)got;
	memcpy(&k->created, b.data + 8, 8);
	off = 16;
	while (off < b.len) {
		op = b.data[off];
		if (b.len - off < 3)
			break;
		memcpy(&l16, b.data + off + 1, 2);
		if (op == 'P') {
			hl = 20;
			if (b.len - off < hl)
				break;
			memcpy(&size, b.data + off + 3, 8);
			memcpy(&mtime, b.data + off + 11, 8);
			el = b.data[off + 19];
			if (b.len - off < hl + el + l16)
				break;
			if (s3_keys_mem_put(k,
				(const char *)b.data + off + hl + el, l16, size,
				mtime, (const char *)b.data + off + hl,
				el) == -1)
				goto fail;
			off += hl + el + l16;
		} else if (op == 'D') {
			if (b.len - off < 3 + (size_t)l16)
				break;
			s3_keys_mem_del(k, (const char *)b.data + off + 3, l16);
			off += 3 + l16;
		} else
			break;
		k->records++;
	}
	if (off < b.len) {
		/* A torn or damaged tail (crash mid-append): drop it. */
		log_warn("%s: ignoring %zu bytes of a damaged tail", path,
		    b.len - off);
		if (ftruncate(k->fd, (off_t)off) == -1)
			goto fail;
	}
	buf_release(&b);
	if (k->records > 2 * k->n + 1024 && s3_keys_compact(k) == -1)
		log_warn("%s: cannot compact: %s", path, strerror(errno));
	return 0;
fail:
	buf_release(&b);
	s3_keys_close(k);
	return -1;
}

void
s3_keys_close(struct s3_keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	if (k->fd != -1)
		close(k->fd);
	free(k->path);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
}

int
s3_keys_put(struct s3_keys *k, const char *name, size_t len, uint64_t size,
    int64_t mtime, const char *etag)
{
	struct buf b;
	int rc;

	if (len > UINT16_MAX || strlen(etag) >= sizeof(k->v[0]->etag))
		return -1;
	buf_init(&b);
	rc = s3_keys_record(&b, 'P', name, len, size, mtime, etag);
	if (rc == 0)
		rc = s3_keys_append(k, &b);
	buf_release(&b);
	if (rc == 0)
		rc = s3_keys_mem_put(
		    k, name, len, size, mtime, etag, strlen(etag));
	if (rc == 0 && ++k->records > 2 * k->n + 1024 &&
	    s3_keys_compact(k) == -1)
		log_warn("%s: cannot compact: %s", k->path, strerror(errno));
	return rc;
}

int
s3_keys_del(struct s3_keys *k, const char *name, size_t len)
{
	struct buf b;
	int rc, found;

	s3_keys_find(k, name, len, &found);
	if (!found)
		return 0;
	buf_init(&b);
	rc = s3_keys_record(&b, 'D', name, len, 0, 0, NULL);
	if (rc == 0)
		rc = s3_keys_append(k, &b);
	buf_release(&b);
	s3_keys_mem_del(k, name, len);
	if (rc == 0 && ++k->records > 2 * k->n + 1024 &&
	    s3_keys_compact(k) == -1)
		log_warn("%s: cannot compact: %s", k->path, strerror(errno));
	return rc;
}

/* ---- object metadata blob ---- */

/* Headers kept with an object and returned on GET/HEAD. */
static const char *const s3_kept_headers[] = { "content-type",
	"content-encoding", "cache-control", "content-disposition",
	"content-language", "expires" };

/* "S3M1" u16 bucket-len bucket u16 key-len key, then "name:value\n"
 * lines (kept headers and x-amz-meta-*). */
static int
s3_meta_head(struct buf *m, const char *bucket, const char *key, size_t klen)
{
	uint16_t bl = (uint16_t)strlen(bucket), kl = (uint16_t)klen;

	if (buf_append(m, S3_META_MAGIC, 4) == -1 ||
	    buf_append(m, &bl, 2) == -1 || buf_append(m, bucket, bl) == -1 ||
	    buf_append(m, &kl, 2) == -1 || buf_append(m, key, klen) == -1)
		return -1;
	return 0;
}

/* The "name:value\n" lines of a blob. */
static struct span
s3_meta_lines(const unsigned char *m, size_t len)
{
	uint16_t bl, kl;

	if (m == NULL || len < 8 || memcmp(m, S3_META_MAGIC, 4) != 0)
		return span_make(NULL, 0);
	memcpy(&bl, m + 4, 2);
	if (len < 8u + bl)
		return span_make(NULL, 0);
	memcpy(&kl, m + 6 + bl, 2);
	if (len < 8u + bl + kl)
		return span_make(NULL, 0);
	return span_make(m + 8 + bl + kl, len - 8 - bl - kl);
}

/* Calls fn for every line of a blob (name and value NUL-free spans). */
static void
s3_meta_each(const unsigned char *m, size_t len,
    void (*fn)(void *, struct span, struct span), void *arg)
{
	struct span l = s3_meta_lines(m, len);
	const unsigned char *p = l.p, *end = l.p + l.len, *nl, *colon;

	while (p != NULL && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL)
			fn(arg, span_make(p, (size_t)(colon - p)),
			    span_make(colon + 1, (size_t)(nl - colon - 1)));
		p = nl + 1;
	}
}

/* ---- buckets ---- */

static int
s3_bucket_name_ok(const char *b, size_t n)
{
	size_t i;

	if (n < 3 || n > S3_BUCKET_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
			(b[i] >= '0' && b[i] <= '9') || b[i] == '-' ||
			b[i] == '.' || b[i] == '_'))
			return 0;
	return b[0] != '.' && b[0] != '-' && b[n - 1] != '.' && b[n - 1] != '-';
}

static struct s3_bucket *
s3_bucket_find(struct s3 *s, const char *name, size_t *pos)
{
	size_t lo = 0, hi = s->nbuckets, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(s->buckets[mid]->name, name);
		if (c == 0) {
			if (pos != NULL)
				*pos = mid;
			return s->buckets[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos != NULL)
		*pos = lo;
	return NULL;
}

static int
s3_bucket_add(struct s3 *s, const char *name, int create)
{
	struct s3_bucket *b, **nv;
	char path[PATH_MAX];
	size_t pos;

	if (s3_bucket_find(s, name, &pos) != NULL)
		return 0;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(path, sizeof(path), "%s/buckets/%s", s->dir, name);
	if (s3_keys_open(&b->keys, path, create) == -1) {
		free(b);
		return -1;
	}
	if ((nv = realloc(s->buckets, (s->nbuckets + 1) * sizeof(*nv))) ==
	    NULL) {
		s3_keys_close(&b->keys);
		free(b);
		return -1;
	}
	s->buckets = nv;
	memmove(s->buckets + pos + 1, s->buckets + pos,
	    (s->nbuckets - pos) * sizeof(*nv));
	s->buckets[pos] = b;
	s->nbuckets++;
	return 0;
}

static int
s3_mkdir(const char *path)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

struct s3 *
s3_new(
    const struct tools_env *env, const struct s3_config *cfg, const char **err)
{
	struct s3 *s;
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	const char *c1, *c2;
	size_t i, n;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	s->env = env;
	s->auth_required = cfg->auth_required;
	snprintf(s->region, sizeof(s->region), "%s",
	    cfg->region != NULL && *cfg->region ? cfg->region : "us-east-1");
	snprintf(path, sizeof(path), "%s/s3", cfg->dir);
	if ((s->dir = strdup(path)) == NULL)
		goto nomem;
	snprintf(path, sizeof(path), "%s/s3/buckets", cfg->dir);
	if (s3_mkdir(s->dir) == -1 || s3_mkdir(path) == -1) {
		*err = "cannot create the s3 directory in the cache";
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/s3/uploads", cfg->dir);
	if (s3_mkdir(path) == -1) {
		*err = "cannot create the s3 directory in the cache";
		goto fail;
	}
	if (cfg->nkeys > 0 &&
	    (s->creds = calloc(cfg->nkeys, sizeof(*s->creds))) == NULL)
		goto nomem;
	for (i = 0; i < cfg->nkeys; i++) {
		c1 = strchr(cfg->keys[i], ':');
		if (c1 == NULL) {
			*err = "s3.access_keys: an entry lacks ':SECRET'";
			goto fail;
		}
		c2 = strchr(c1 + 1, ':');
		n = c2 != NULL ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
		s->creds[i].ak =
		    strndup(cfg->keys[i], (size_t)(c1 - cfg->keys[i]));
		s->creds[i].secret = strndup(c1 + 1, n);
		s->ncreds = i + 1;
		if (s->creds[i].ak == NULL || s->creds[i].secret == NULL)
			goto nomem;
		s->creds[i].perms = AUTH_READ | AUTH_WRITE;
		if (c2 != NULL) {
			s->creds[i].perms = 0;
			for (c1 = c2 + 1; *c1 != '\0';) {
				n = strcspn(c1, ",");
				if (n == 4 && strncmp(c1, "read", 4) == 0)
					s->creds[i].perms |= AUTH_READ;
				else if (n == 5 && strncmp(c1, "write", 5) == 0)
					s->creds[i].perms |= AUTH_WRITE;
				else if (n == 5 && strncmp(c1, "admin", 5) == 0)
					s->creds[i].perms |=
					    AUTH_READ | AUTH_WRITE | AUTH_ADMIN;
				c1 += n;
				if (*c1 == ',')
					c1++;
			}
		}
	}
	snprintf(path, sizeof(path), "%s/buckets", s->dir);
	if ((d = opendir(path)) == NULL) {
		*err = "cannot read the s3 bucket directory";
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		if (!s3_bucket_name_ok(de->d_name, strlen(de->d_name)))
			continue;
		if (s3_bucket_add(s, de->d_name, 0) == -1)
			log_warn("s3: bucket %s cannot be loaded: %s",
			    de->d_name, strerror(errno));
	}
	closedir(d);
	return s;
nomem:
	*err = "out of memory";
fail:
	s3_free(s);
	return NULL;
}

void
s3_free(struct s3 *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++) {
		s3_keys_close(&s->buckets[i]->keys);
		free(s->buckets[i]);
	}
	free(s->buckets);
	for (i = 0; i < s->ncreds; i++) {
		free(s->creds[i].ak);
		free(s->creds[i].secret);
	}
	free(s->creds);
	free(s->dir);
	free(s);
}

/* ---- replies ---- */

static void
s3_req_free(struct s3_req *q)
{
	if (q == NULL)
		return;
	sigv4_auth_release(&q->auth);
	free(q->key);
	buf_release(&q->sbuf);
	free(q);
}

static void
s3_common_headers(struct http_req *r, const struct s3_req *q)
{
	http_reply_header(r, "x-amz-request-id", q->rid);
	http_reply_header(r, "x-amz-id-2", q->rid);
	http_reply_header(r, "Server", "Fabrik");
}

/* Answers with an S3 <Error> document (no body for HEAD, as S3); auth,
 * when given, adds the server's StringToSign and CanonicalRequest. */
static void
s3_error_doc(struct http_req *r, struct s3_req *q, int status, const char *code,
    const char *msg, const struct sigv4_auth *auth)
{
	struct buf b;
	struct span res = http_req_path(r);

	buf_init(&b);
	if (status == 403)
		stats_auth_failure(strcmp(code, "AccessDenied") == 0
			? "forbidden"
			: "invalid");
	if (buf_append_str(&b, S3_XML_HEAD "<Error>") == -1 ||
	    s3_xml_elem_str(&b, "Code", code) == -1 ||
	    s3_xml_elem_str(&b, "Message", msg) == -1 ||
	    (q->key != NULL && s3_xml_elem(&b, "Key", q->key, q->klen) == -1) ||
	    (q->bucket[0] != '\0' &&
		s3_xml_elem_str(&b, "BucketName", q->bucket) == -1) ||
	    s3_xml_elem(&b, "Resource", (const char *)res.p, res.len) == -1 ||
	    (auth != NULL && auth->res.string_to_sign.len > 0 &&
		(s3_xml_elem(&b, "StringToSign",
		     (const char *)auth->res.string_to_sign.data,
		     auth->res.string_to_sign.len) == -1 ||
		    s3_xml_elem(&b, "CanonicalRequest",
			(const char *)auth->res.canonical_request.data,
			auth->res.canonical_request.len) == -1)) ||
	    s3_xml_elem_str(&b, "RequestId", q->rid) == -1 ||
	    buf_append_str(&b, "<HostId>fabrik</HostId></Error>") == -1) {
		buf_release(&b);
		http_reply_text(r, 500, "out of memory");
		return;
	}
	s3_common_headers(r, q);
	http_reply(r, status, "application/xml", b.data, b.len);
	buf_release(&b);
}

static void
s3_error_ex(struct http_req *r, struct s3_req *q, enum s3_err e,
    const char *detail, const struct sigv4_auth *auth)
{
	s3_error_doc(r, q, s3_errors[e].status, s3_errors[e].code,
	    detail != NULL ? detail : s3_errors[e].message, auth);
}

/* A SIGV4_ERR_* code as an S3 error. */
static void
s3_error_sigv4(struct http_req *r, struct s3_req *q, int rc, const char *msg)
{
	s3_error_doc(r, q, sigv4_error_status(rc), sigv4_error_code(rc),
	    msg != NULL ? msg : sigv4_error_code(rc),
	    rc == SIGV4_ERR_SIGNATURE ? &q->auth : NULL);
}

static void
s3_error(struct http_req *r, struct s3_req *q, enum s3_err e)
{
	s3_error_ex(r, q, e, NULL, NULL);
}

static void
s3_reply_xml(struct http_req *r, struct s3_req *q, struct buf *b)
{
	s3_common_headers(r, q);
	http_reply(r, 200, "application/xml", b->data, b->len);
}

static enum s3_err
s3_store_err(int rc)
{
	switch (rc) {
	case STORE_ETOOBIG:
		return S3E_ENTITY_TOO_LARGE;
	case STORE_ENOSPC:
		return S3E_NO_SPACE;
	default:
		return S3E_INTERNAL;
	}
}

/* ---- authentication ---- */

struct s3_lookup {
	struct s3 *s3;
	int perms;
};

static int
s3_lookup(void *arg, struct span ak, struct span token, struct span *secret)
{
	struct s3_lookup *l = arg;
	size_t i;

	(void)token;
	for (i = 0; i < l->s3->ncreds; i++)
		if (span_eq_str(ak, l->s3->creds[i].ak)) {
			*secret = span_str(l->s3->creds[i].secret);
			l->perms = l->s3->creds[i].perms;
			return 0;
		}
	return -1;
}

/* x-amz-* headers that must be signed when present (the verifier checks
 * them), besides the ones the client lists as signed. */
static const char *const s3_amz_headers[] = { "authorization", "host",
	"x-amz-date", "x-amz-content-sha256", "x-amz-security-token",
	"x-amz-decoded-content-length", "x-amz-trailer",
	"x-amz-sdk-checksum-algorithm", "x-amz-checksum-crc32",
	"x-amz-checksum-crc32c", "x-amz-checksum-sha1", "x-amz-checksum-sha256",
	"x-amz-copy-source", "x-amz-acl", "x-amz-storage-class" };

#define S3_MAX_HDRS (SIGV4_MAX_SIGNED_HEADERS + 16)

/* The names the client signed: SignedHeaders of Authorization, or the
 * X-Amz-SignedHeaders query parameter (decoded into q->sbuf). */
static struct span
s3_signed_names(struct http_req *r, struct s3_req *q)
{
	struct sigv4_authz az;
	const char *err;
	struct span a = http_req_header(r, "authorization");

	if (a.p != NULL) {
		if (sigv4_parse_authorization(a, &az, &err) == 0)
			return az.signed_headers;
		return span_make(NULL, 0);
	}
	if (s3_query(r, "X-Amz-SignedHeaders", &q->sbuf) == 1)
		return span_make(q->sbuf.data, q->sbuf.len);
	return span_make(NULL, 0);
}

static int
s3_hdr_add(struct sigv4_header *h, size_t *n, struct http_req *r,
    const char *name, size_t nlen)
{
	char tmp[128];
	struct span v;
	size_t i;

	if (nlen == 0 || nlen >= sizeof(tmp) || *n >= S3_MAX_HDRS)
		return 0;
	for (i = 0; i < *n; i++)
		if (h[i].name.len == nlen &&
		    strncasecmp((const char *)h[i].name.p, name, nlen) == 0)
			return 0;
	memcpy(tmp, name, nlen);
	tmp[nlen] = '\0';
	v = http_req_header(r, tmp);
	if (v.p == NULL)
		return 0;
	h[*n].name = span_make(name, nlen);
	h[*n].value = v;
	(*n)++;
	return 0;
}

/* Authenticates; returns 0 with q->perms set, or -1 after answering. */
static int
s3_authenticate(struct http_req *r, struct s3_req *q)
{
	struct sigv4_header hdrs[S3_MAX_HDRS];
	struct sigv4_request sr;
	struct sigv4_verify_params vp;
	struct s3_lookup l;
	struct span names;
	const unsigned char *p, *end, *semi;
	size_t nh = 0, i;
	int rc;

	names = s3_signed_names(r, q);
	for (i = 0; i < sizeof(s3_amz_headers) / sizeof(s3_amz_headers[0]); i++)
		s3_hdr_add(
		    hdrs, &nh, r, s3_amz_headers[i], strlen(s3_amz_headers[i]));
	for (p = names.p, end = names.p + names.len; p != NULL && p < end;
	     p = semi + 1) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		s3_hdr_add(hdrs, &nh, r, (const char *)p, (size_t)(semi - p));
	}
	memset(&sr, 0, sizeof(sr));
	sr.method = http_req_method(r);
	sr.path = http_req_path(r);
	sr.query = http_req_query(r);
	sr.headers = hdrs;
	sr.nheaders = nh;
	sr.mode = SIGV4_MODE_S3;
	memset(&vp, 0, sizeof(vp));
	l.s3 = q->s3;
	l.perms = 0;
	vp.lookup = s3_lookup;
	vp.lookup_arg = &l;
	vp.now = clock_wall();
	vp.service = span_str("s3");
	rc = sigv4_verify(&q->auth, &sr, &vp);
	if (q->s3->ncreds == 0) {
		/* No access keys: open unless auth.required. */
		if (q->s3->auth_required) {
			s3_error_ex(r, q, S3E_ACCESS_DENIED,
			    "auth.required is set but s3.access_keys is empty",
			    NULL);
			return -1;
		}
		q->open_mode = 1;
		q->perms = AUTH_READ | AUTH_WRITE;
		return 0;
	}
	if (rc == 1) {
		s3_error_ex(r, q, S3E_ACCESS_DENIED,
		    "Anonymous access is not allowed: sign the request with "
		    "one of s3.access_keys",
		    NULL);
		return -1;
	}
	if (rc != 0) {
		log_info("s3 %s: %s: %s", q->rid, sigv4_error_code(rc),
		    q->auth.message != NULL ? q->auth.message : "");
		if (rc == SIGV4_ERR_SIGNATURE)
			log_debug("s3 %s: canonical request:\n%s\nstring to "
				  "sign:\n%s",
			    q->rid, buf_cstr(&q->auth.res.canonical_request),
			    buf_cstr(&q->auth.res.string_to_sign));
		s3_error_sigv4(r, q, rc, q->auth.message);
		return -1;
	}
	q->authed = 1;
	q->perms = l.perms;
	return 0;
}

static int
s3_need(struct http_req *r, struct s3_req *q, int perm)
{
	if ((q->perms & perm) == perm)
		return 0;
	s3_error_ex(r, q, S3E_ACCESS_DENIED,
	    perm == AUTH_WRITE ? "This access key may only read"
			       : "This access key may not read",
	    NULL);
	return -1;
}

/* ---- object keys and paths ---- */

static void
s3_store_key(const char *bucket, const char *key, size_t klen,
    unsigned char out[STORE_KEY_LEN])
{
	char tk[S3_BUCKET_MAX + 1 + S3_KEY_MAX];
	size_t bl = strlen(bucket);

	memcpy(tk, bucket, bl);
	tk[bl] = '\0';
	memcpy(tk + bl + 1, key, klen);
	store_key_for(STORE_NS_S3, tk, bl + 1 + klen, out);
}

static int
s3_upload_id_ok(const char *id, size_t n)
{
	return n == 32 && hex_is_lower(id, n);
}

static void
s3_upload_dir(const struct s3 *s, const char *id, char *out, size_t n)
{
	snprintf(out, n, "%s/uploads/%s", s->dir, id);
}

static void
s3_rmtree_uploads(const char *dir)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static int
s3_md5_init(EVP_MD_CTX **c)
{
	if ((*c = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(*c, EVP_md5(), NULL) != 1) {
		EVP_MD_CTX_free(*c);
		*c = NULL;
		return -1;
	}
	return 0;
}

static void
s3_md5_final(EVP_MD_CTX *c, unsigned char out[16])
{
	unsigned int n = 16;

	EVP_DigestFinal_ex(c, out, &n);
}

/* ---- request bodies ---- */

enum s3_body_kind { S3B_OBJECT, S3B_PART, S3B_XML };

struct s3_body;
typedef void s3_xml_fn(struct http_req *, struct s3_body *);

struct s3_body {
	struct s3_req *q;
	enum s3_body_kind kind;
	s3_xml_fn *xml_done;
	int chunked, chunk_done;
	struct sigv4_chunked dec;
	int sha_on;
	struct sha256 sha;
	EVP_MD_CTX *md5;
	unsigned long crc;
	uint64_t size;
	struct store_writer *w;
	unsigned char skey[STORE_KEY_LEN];
	int fd;
	char tmp[PATH_MAX + 64], dst[PATH_MAX + 64];
	struct buf xml;
	int err; /* S3E_*, or a SIGV4_ERR_* (negative below -1) */
	const char *errmsg;
};

static void
s3_body_free(struct s3_body *b)
{
	if (b->w != NULL)
		chain_put_abort(b->q->s3->env->chain, b->w, STORE_NS_S3);
	if (b->fd != -1) {
		close(b->fd);
		unlink(b->tmp);
	}
	if (b->chunked)
		sigv4_chunked_release(&b->dec);
	if (b->sha_on)
		sha256_release(&b->sha);
	if (b->md5 != NULL)
		EVP_MD_CTX_free(b->md5);
	buf_release(&b->xml);
	s3_req_free(b->q);
	free(b);
}

static void
s3_body_fail(struct http_req *r, struct s3_body *b)
{
	if (b->err <= SIGV4_ERR_SIGNATURE)
		s3_error_doc(r, b->q, sigv4_error_status(b->err),
		    sigv4_error_code(b->err),
		    b->errmsg != NULL ? b->errmsg : sigv4_error_code(b->err),
		    NULL);
	else
		s3_error_ex(r, b->q, (enum s3_err)b->err, b->errmsg, NULL);
}

static int
s3_body_sink(struct s3_body *b, const unsigned char *p, size_t n)
{
	ssize_t w;
	size_t off = 0;
	int rc;

	EVP_DigestUpdate(b->md5, p, n);
	b->crc = crc32(b->crc, p, (uInt)n);
	b->size += n;
	switch (b->kind) {
	case S3B_OBJECT:
		if (b->size > b->q->s3->env->max_object_size) {
			b->err = S3E_ENTITY_TOO_LARGE;
			return -1;
		}
		if ((rc = store_put_write(b->w, p, n)) != STORE_OK) {
			b->err = s3_store_err(rc);
			return -1;
		}
		break;
	case S3B_PART:
		if (b->size > b->q->s3->env->max_object_size) {
			b->err = S3E_ENTITY_TOO_LARGE;
			return -1;
		}
		while (off < n) {
			w = write(b->fd, p + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				b->err = errno == ENOSPC ? S3E_NO_SPACE
							 : S3E_INTERNAL;
				return -1;
			}
			off += (size_t)w;
		}
		break;
	case S3B_XML:
		if (b->xml.len + n > S3_XML_MAX) {
			b->err = S3E_MALFORMED_XML;
			b->errmsg = "XML body too large";
			return -1;
		}
		if (buf_append(&b->xml, p, n) == -1) {
			b->err = S3E_INTERNAL;
			return -1;
		}
		break;
	}
	return 0;
}

static void
s3_body_abort(struct http_req *r, void *arg)
{
	(void)r;
	s3_body_free(arg);
}

static int
s3_body_data(struct http_req *r, const unsigned char *p, size_t n, void *arg)
{
	struct s3_body *b = arg;
	struct span data;
	size_t used;
	int rc;

	if (!b->chunked) {
		if (b->sha_on)
			sha256_update(&b->sha, p, n);
		if (s3_body_sink(b, p, n) == 0)
			return 0;
		goto fail;
	}
	while (n > 0) {
		if (b->chunk_done) {
			b->err = S3E_INVALID_REQUEST;
			b->errmsg =
			    "data after the end of the aws-chunked body";
			goto fail;
		}
		rc = sigv4_chunked_feed(&b->dec, p, n, &used, &data);
		p += used;
		n -= used;
		if (rc < 0) {
			b->err = rc;
			b->errmsg = b->dec.message;
			goto fail;
		}
		if (rc == SIGV4_CHUNKED_DATA &&
		    s3_body_sink(b, data.p, data.len) == -1)
			goto fail;
		if (rc == SIGV4_CHUNKED_DONE)
			b->chunk_done = 1;
		if (rc == SIGV4_CHUNKED_MORE)
			break;
	}
	return 0;
fail:
	http_req_on_abort(r, NULL, NULL);
	s3_body_fail(r, b);
	s3_body_free(b);
	return -1;
}

/* Checks Content-MD5 and x-amz-checksum-crc32 against the body. */
static int
s3_body_digests(struct http_req *r, struct s3_body *b, unsigned char md5[16])
{
	struct span h = http_req_header(r, "content-md5");
	struct buf t;
	int bad = 0;

	buf_init(&t);
	if (h.p != NULL) {
		if (b64_decode(&t, (const char *)h.p, h.len, B64_STD) == -1 ||
		    t.len != 16) {
			b->err = S3E_INVALID_DIGEST;
			bad = 1;
		} else if (memcmp(t.data, md5, 16) != 0) {
			b->err = S3E_BAD_DIGEST;
			bad = 1;
		}
	}
	h = http_req_header(r, "x-amz-checksum-crc32");
	if (!bad && h.p != NULL && !b->chunked) {
		buf_reset(&t);
		if (sigv4_crc32_b64(&t, b->crc) == -1 || t.len != h.len ||
		    memcmp(t.data, h.p, h.len) != 0) {
			b->err = S3E_BAD_DIGEST;
			b->errmsg =
			    "x-amz-checksum-crc32 does not match the body";
			bad = 1;
		}
	}
	buf_release(&t);
	return bad ? -1 : 0;
}

static void s3_put_object_done(
    struct http_req *, struct s3_body *, const unsigned char md5[16]);
static void s3_put_part_done(
    struct http_req *, struct s3_body *, const unsigned char md5[16]);

static void
s3_body_end(struct http_req *r, int ok, void *arg)
{
	struct s3_body *b = arg;
	unsigned char digest[SHA256_LEN], md5[16];
	int rc;

	http_req_on_abort(r, NULL, NULL);
	if (!ok) {
		if (http_req_body_error(r) == 413)
			s3_error(r, b->q, S3E_ENTITY_TOO_LARGE);
		else
			s3_error(r, b->q, S3E_INCOMPLETE_BODY);
		s3_body_free(b);
		return;
	}
	if (b->chunked && !b->chunk_done &&
	    (rc = sigv4_chunked_end(&b->dec)) != 0) {
		b->err = rc;
		b->errmsg = b->dec.message;
		goto fail;
	}
	if (b->sha_on) {
		sha256_final(&b->sha, digest);
		b->sha_on = 0;
		if (sigv4_payload_verify(&b->q->auth, digest) != 0) {
			b->err = S3E_CONTENT_SHA256;
			goto fail;
		}
	}
	s3_md5_final(b->md5, md5);
	if (s3_body_digests(r, b, md5) == -1)
		goto fail;
	if (b->chunked && b->dec.checksum_name[0] != '\0')
		http_reply_header(
		    r, b->dec.checksum_name, b->dec.checksum_value);
	switch (b->kind) {
	case S3B_OBJECT:
		s3_put_object_done(r, b, md5);
		break;
	case S3B_PART:
		s3_put_part_done(r, b, md5);
		break;
	case S3B_XML:
		b->xml_done(r, b);
		break;
	}
	s3_body_free(b);
	return;
fail:
	s3_body_fail(r, b);
	s3_body_free(b);
}

/* Starts reading a body; b->q is owned by b from here on.  Returns after
 * answering on errors. */
static void
s3_body_start(struct http_req *r, struct s3_body *b, long long *decoded)
{
	struct s3_req *q = b->q;
	struct span h;
	int payload;
	long long clen = http_req_content_length(r), dlen = -1;
	char tmp[32];

	b->fd = -1;
	b->crc = crc32(0L, Z_NULL, 0);
	if (s3_md5_init(&b->md5) == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto fail;
	}
	h = http_req_header(r, "x-amz-content-sha256");
	payload = q->authed ? q->auth.payload
	    : h.p != NULL   ? sigv4_payload_kind(h)
			    : SIGV4_PAYLOAD_UNSIGNED;
	if (payload == SIGV4_PAYLOAD_INVALID)
		payload = SIGV4_PAYLOAD_UNSIGNED;
	if (payload >= SIGV4_PAYLOAD_STREAMING) {
		h = http_req_header(r, "x-amz-decoded-content-length");
		if (h.p != NULL && h.len > 0 && h.len < sizeof(tmp)) {
			memcpy(tmp, h.p, h.len);
			tmp[h.len] = '\0';
			dlen = strtoll(tmp, NULL, 10);
		}
		if (payload != SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER &&
		    !q->authed) {
			s3_error_ex(r, q, S3E_ACCESS_DENIED,
			    "signed aws-chunked bodies need s3.access_keys "
			    "(the chunk signatures cannot be checked without "
			    "the secret)",
			    NULL);
			goto fail;
		}
		if ((q->authed
			    ? sigv4_chunked_init_auth(&b->dec, &q->auth, dlen)
			    : sigv4_chunked_init(&b->dec, payload, NULL, NULL,
				  NULL, NULL, dlen)) == -1) {
			s3_error(r, q, S3E_INVALID_REQUEST);
			goto fail;
		}
		b->chunked = 1;
	} else {
		if (clen < 0 && http_req_has_body(r) &&
		    http_req_header(r, "transfer-encoding").p == NULL) {
			s3_error(r, q, S3E_MISSING_CONTENT_LENGTH);
			goto fail;
		}
		dlen = clen;
		if (q->authed && payload == SIGV4_PAYLOAD_HASH) {
			if (sha256_init(&b->sha) == -1) {
				s3_error(r, q, S3E_INTERNAL);
				goto fail;
			}
			b->sha_on = 1;
		}
	}
	if (dlen >= 0 && (uint64_t)dlen > q->s3->env->max_object_size) {
		s3_error(r, q, S3E_ENTITY_TOO_LARGE);
		goto fail;
	}
	if (decoded != NULL)
		*decoded = dlen;
	return;
fail:
	b->err = -2; /* answered */
}

static void
s3_body_go(struct http_req *r, struct s3_body *b)
{
	http_req_on_abort(r, s3_body_abort, b);
	http_req_read_body(r, s3_body_data, s3_body_end, b);
}

static struct s3_body *
s3_body_new(struct s3_req *q, enum s3_body_kind kind)
{
	struct s3_body *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->q = q;
	b->kind = kind;
	b->fd = -1;
	b->err = S3E_NONE;
	buf_init(&b->xml);
	return b;
}

/* ---- PutObject ---- */

static int
s3_bucket_required(struct http_req *r, struct s3_req *q, struct s3_bucket **bp)
{
	if ((*bp = s3_bucket_find(q->s3, q->bucket, NULL)) == NULL) {
		s3_error(r, q, S3E_NO_SUCH_BUCKET);
		return -1;
	}
	return 0;
}

/* Builds the object's metadata blob from the request headers. */
static int
s3_meta_from_req(struct http_req *r, struct s3_req *q, struct buf *m)
{
	struct span v, names;
	const unsigned char *p, *end, *semi;
	size_t i, user = 0;
	char name[128];

	if (s3_meta_head(m, q->bucket, q->key, q->klen) == -1)
		return S3E_INTERNAL;
	for (i = 0; i < sizeof(s3_kept_headers) / sizeof(s3_kept_headers[0]);
	     i++) {
		v = http_req_header(r, s3_kept_headers[i]);
		if (v.p == NULL || memchr(v.p, '\n', v.len) != NULL)
			continue;
		if (i == 1) { /* content-encoding: drop aws-chunked */
			if (v.len >= 11 &&
			    strncasecmp((const char *)v.p, "aws-chunked", 11) ==
				0) {
				v.p += 11;
				v.len -= 11;
				while (
				    v.len > 0 && (*v.p == ',' || *v.p == ' ')) {
					v.p++;
					v.len--;
				}
			}
			if (v.len == 0)
				continue;
		}
		if (buf_printf(m, "%s:%.*s\n", s3_kept_headers[i], (int)v.len,
			(const char *)v.p) == -1)
			return S3E_INTERNAL;
	}
	/* x-amz-meta-*: the server only sees the signed header names. */
	names = s3_signed_names(r, q);
	for (p = names.p, end = names.p + names.len; p != NULL && p < end;
	     p = semi + 1) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		if ((size_t)(semi - p) <= 11 ||
		    (size_t)(semi - p) >= sizeof(name) ||
		    strncasecmp((const char *)p, "x-amz-meta-", 11) != 0)
			continue;
		memcpy(name, p, (size_t)(semi - p));
		name[semi - p] = '\0';
		v = http_req_header(r, name);
		if (v.p == NULL || memchr(v.p, '\n', v.len) != NULL)
			continue;
		user += strlen(name) - 11 + v.len;
		if (user > S3_USER_META_MAX)
			return S3E_METADATA_TOO_LARGE;
		for (i = 0; name[i] != '\0'; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				name[i] = (char)(name[i] - 'A' + 'a');
		if (buf_printf(m, "%s:%.*s\n", name, (int)v.len,
			(const char *)v.p) == -1)
			return S3E_INTERNAL;
	}
	return m->len > STORE_META_MAX ? S3E_METADATA_TOO_LARGE : S3E_NONE;
}

static void
s3_put_object(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	struct s3_body *b;
	struct buf m;
	long long dlen = -1;
	int e, rc;

	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_WRITE))
		goto out;
	if (http_req_header(r, "x-amz-copy-source").p != NULL) {
		s3_error_ex(r, q, S3E_NOT_IMPLEMENTED,
		    "CopyObject is not implemented", NULL);
		goto out;
	}
	buf_init(&m);
	if ((e = s3_meta_from_req(r, q, &m)) != S3E_NONE) {
		buf_release(&m);
		s3_error(r, q, (enum s3_err)e);
		goto out;
	}
	if ((b = s3_body_new(q, S3B_OBJECT)) == NULL) {
		buf_release(&m);
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	s3_body_start(r, b, &dlen);
	if (b->err == -2) {
		buf_release(&m);
		s3_body_free(b);
		return;
	}
	s3_store_key(q->bucket, q->key, q->klen, b->skey);
	rc = chain_put_begin(q->s3->env->chain, b->skey, STORE_NS_S3, dlen,
	    m.data, m.len, &b->w);
	buf_release(&m);
	if (rc != STORE_OK) {
		b->w = NULL;
		s3_error(r, q, s3_store_err(rc));
		s3_body_free(b);
		return;
	}
	s3_body_go(r, b);
	return;
out:
	s3_req_free(q);
}

static void
s3_put_object_done(
    struct http_req *r, struct s3_body *b, const unsigned char md5[16])
{
	struct s3_req *q = b->q;
	struct s3_bucket *bk;
	char etag[33], qetag[40];
	int rc;

	rc = chain_put_commit(
	    q->s3->env->chain, b->w, STORE_NS_S3, b->size, NULL);
	b->w = NULL;
	if (rc != STORE_OK) {
		s3_error(r, q, s3_store_err(rc));
		return;
	}
	hex_encode(etag, md5, 16);
	etag[32] = '\0';
	if ((bk = s3_bucket_find(q->s3, q->bucket, NULL)) != NULL &&
	    s3_keys_put(
		&bk->keys, q->key, q->klen, b->size, clock_wall(), etag) == -1)
		log_warn("s3: cannot record %s/%s in the bucket list: %s",
		    q->bucket, q->key, strerror(errno));
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	http_reply_header(r, "ETag", qetag);
	s3_common_headers(r, q);
	http_reply(r, 200, NULL, NULL, 0);
}

/* ---- multipart ---- */

static void
s3_create_upload(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	unsigned char rnd[16];
	char id[33], dir[PATH_MAX], path[PATH_MAX + 8];
	struct buf m, x;
	int e, fd;

	buf_init(&m);
	buf_init(&x);
	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_WRITE))
		goto out;
	if ((e = s3_meta_from_req(r, q, &m)) != S3E_NONE) {
		s3_error(r, q, (enum s3_err)e);
		goto out;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	hex_encode(id, rnd, 16);
	id[32] = '\0';
	s3_upload_dir(q->s3, id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/meta", dir);
	if (mkdir(dir, 0755) == -1 ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) ==
		-1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	if (write(fd, m.data, m.len) != (ssize_t)m.len) {
		close(fd);
		s3_rmtree_uploads(dir);
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	close(fd);
	if (buf_append_str(&x,
		S3_XML_HEAD "<InitiateMultipartUploadResult xmlns=\"" S3_XMLNS
			    "\">") == -1 ||
	    s3_xml_elem_str(&x, "Bucket", q->bucket) == -1 ||
	    s3_xml_elem(&x, "Key", q->key, q->klen) == -1 ||
	    s3_xml_elem_str(&x, "UploadId", id) == -1 ||
	    buf_append_str(&x, "</InitiateMultipartUploadResult>") == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	s3_reply_xml(r, q, &x);
out:
	buf_release(&m);
	buf_release(&x);
	s3_req_free(q);
}

/* Reads the upload's metadata blob and checks it names bucket/key. */
static int
s3_upload_meta(struct s3_req *q, const char *id, struct buf *m)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	struct buf want;
	ssize_t got;
	int fd, ok;

	s3_upload_dir(q->s3, id, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/meta", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (buf_reserve(m, STORE_META_MAX + 1) == -1) {
		close(fd);
		return -1;
	}
	got = read(fd, m->data, STORE_META_MAX + 1);
	close(fd);
	if (got < 0 || got > STORE_META_MAX)
		return -1;
	m->len = (size_t)got;
	buf_init(&want);
	ok = s3_meta_head(&want, q->bucket, q->key, q->klen) == 0 &&
	    m->len >= want.len && memcmp(m->data, want.data, want.len) == 0;
	buf_release(&want);
	return ok ? 0 : -1;
}

static int
s3_part_number(struct http_req *r, struct s3_req *q, long *n)
{
	char *end;

	if (s3_query(r, "partNumber", &q->sbuf) != 1)
		return -1;
	*n = strtol((const char *)q->sbuf.data, &end, 10);
	if (*end != '\0' || q->sbuf.len == 0 || *n < 1 || *n > S3_PARTS_MAX)
		return -1;
	return 0;
}

static void
s3_upload_part(struct http_req *r, struct s3_req *q, const char *id)
{
	struct s3_bucket *bk;
	struct s3_body *b;
	struct buf m;
	char dir[PATH_MAX];
	long n;

	buf_init(&m);
	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_WRITE))
		goto out;
	if (s3_part_number(r, q, &n) == -1) {
		s3_error_ex(r, q, S3E_INVALID_ARGUMENT,
		    "Part number must be an integer between 1 and 10000, "
		    "inclusive",
		    NULL);
		goto out;
	}
	if (http_req_header(r, "x-amz-copy-source").p != NULL) {
		s3_error_ex(r, q, S3E_NOT_IMPLEMENTED,
		    "UploadPartCopy is not implemented", NULL);
		goto out;
	}
	if (s3_upload_meta(q, id, &m) == -1) {
		s3_error(r, q, S3E_NO_SUCH_UPLOAD);
		goto out;
	}
	buf_release(&m);
	if ((b = s3_body_new(q, S3B_PART)) == NULL) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	s3_body_start(r, b, NULL);
	if (b->err == -2) {
		s3_body_free(b);
		return;
	}
	s3_upload_dir(q->s3, id, dir, sizeof(dir));
	snprintf(b->dst, sizeof(b->dst), "%s/%05ld", dir, n);
	snprintf(b->tmp, sizeof(b->tmp), "%s/tmp.%05ld.%llu", dir, n,
	    (unsigned long long)++q->s3->reqseq);
	b->fd = open(b->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (b->fd == -1) {
		s3_error(r, q, S3E_INTERNAL);
		s3_body_free(b);
		return;
	}
	s3_body_go(r, b);
	return;
out:
	buf_release(&m);
	s3_req_free(q);
}

static void
s3_put_part_done(
    struct http_req *r, struct s3_body *b, const unsigned char md5[16])
{
	char etag[33], qetag[40], mpath[PATH_MAX + 80];
	int fd;

	hex_encode(etag, md5, 16);
	etag[32] = '\0';
	snprintf(mpath, sizeof(mpath), "%s.md5", b->dst);
	close(b->fd);
	b->fd = -1;
	/* The part's MD5 first, then the data under its final name. */
	fd = open(mpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, etag, 32) != 32 ||
	    rename(b->tmp, b->dst) == -1) {
		if (fd != -1)
			close(fd);
		unlink(b->tmp);
		s3_error(r, b->q, S3E_INTERNAL);
		return;
	}
	close(fd);
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	http_reply_header(r, "ETag", qetag);
	s3_common_headers(r, b->q);
	http_reply(r, 200, NULL, NULL, 0);
}

/* Parses the <Part> list of CompleteMultipartUpload. */
struct s3_part {
	long number;
	char etag[33];
	uint64_t size;
};

static const char *
s3_memmem(const char *h, size_t hl, const unsigned char *n, size_t nl)
{
	size_t i;

	if (nl == 0 || nl > hl)
		return NULL;
	for (i = 0; i + nl <= hl; i++)
		if (h[i] == (char)n[0] && memcmp(h + i, n, nl) == 0)
			return h + i;
	return NULL;
}

static void
s3_complete_done(struct http_req *r, struct s3_body *b)
{
	struct s3_req *q = b->q;
	struct s3_part *parts = NULL, *np;
	struct span in = span_make(b->xml.data, b->xml.len), part, v, in2;
	struct buf t, m, x;
	struct s3_bucket *bk;
	struct store_writer *w = NULL;
	struct stat st;
	unsigned char skey[STORE_KEY_LEN], md5s[16], *blk = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 16], etag[48], qetag[56];
	const char *id;
	size_t nparts = 0, i, cap = 0;
	uint64_t total = 0;
	EVP_MD_CTX *mc = NULL;
	ssize_t got;
	int fd, rc;
	char *end;

	buf_init(&t);
	buf_init(&m);
	buf_init(&x);
	if (s3_query(r, "uploadId", &q->sbuf) != 1) {
		s3_error(r, q, S3E_NO_SUCH_UPLOAD);
		goto out;
	}
	id = (const char *)q->sbuf.data;
	if (!s3_upload_id_ok(id, q->sbuf.len) ||
	    s3_upload_meta(q, id, &m) == -1) {
		s3_error(r, q, S3E_NO_SUCH_UPLOAD);
		goto out;
	}
	s3_upload_dir(q->s3, id, dir, sizeof(dir));
	while (s3_xml_next(&in, "Part", &part)) {
		if (nparts == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > S3_PARTS_MAX ||
			    (np = realloc(parts, cap * sizeof(*np))) == NULL) {
				s3_error(r, q, S3E_MALFORMED_XML);
				goto out;
			}
			parts = np;
		}
		np = &parts[nparts];
		memset(np, 0, sizeof(*np));
		in2 = part;
		buf_reset(&t);
		if (!s3_xml_next(&in2, "PartNumber", &v) ||
		    s3_xml_unescape(&t, v) == -1 || buf_putc(&t, 0) == -1) {
			s3_error(r, q, S3E_MALFORMED_XML);
			goto out;
		}
		np->number = strtol((const char *)t.data, &end, 10);
		if (*end != '\0' || np->number < 1 ||
		    np->number > S3_PARTS_MAX) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		if (nparts > 0 && np->number <= parts[nparts - 1].number) {
			s3_error(r, q, S3E_INVALID_PART_ORDER);
			goto out;
		}
		in2 = part;
		buf_reset(&t);
		if (!s3_xml_next(&in2, "ETag", &v) ||
		    s3_xml_unescape(&t, v) == -1) {
			s3_error(r, q, S3E_MALFORMED_XML);
			goto out;
		}
		/* Strip quotes. */
		v = span_make(t.data, t.len);
		while (v.len > 0 && (*v.p == '"' || *v.p == ' ')) {
			v.p++;
			v.len--;
		}
		while (v.len > 0 &&
		    (v.p[v.len - 1] == '"' || v.p[v.len - 1] == ' '))
			v.len--;
		if (v.len != 32) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		memcpy(np->etag, v.p, 32);
		np->etag[32] = '\0';
		nparts++;
	}
	if (nparts == 0) {
		s3_error_ex(r, q, S3E_MALFORMED_XML,
		    "The XML you provided did not list any part", NULL);
		goto out;
	}
	/* Every listed part exists with that ETag; sizes follow the rules. */
	for (i = 0; i < nparts; i++) {
		snprintf(
		    path, sizeof(path), "%s/%05ld.md5", dir, parts[i].number);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		got = read(fd, etag, 32);
		close(fd);
		if (got != 32 || strncasecmp(etag, parts[i].etag, 32) != 0) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%05ld", dir, parts[i].number);
		if (stat(path, &st) == -1) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		parts[i].size = (uint64_t)st.st_size;
		if (i + 1 < nparts && parts[i].size < S3_PART_MIN) {
			s3_error(r, q, S3E_ENTITY_TOO_SMALL);
			goto out;
		}
		total += parts[i].size;
	}
	if (total > q->s3->env->max_object_size) {
		s3_error(r, q, S3E_ENTITY_TOO_LARGE);
		goto out;
	}
	if ((blk = malloc(S3_COPY_BLOCK)) == NULL || s3_md5_init(&mc) == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	/* Concatenate the parts into the object (synchronous disk copy). */
	s3_store_key(q->bucket, q->key, q->klen, skey);
	rc = chain_put_begin(q->s3->env->chain, skey, STORE_NS_S3,
	    (int64_t)total, m.data, m.len, &w);
	if (rc != STORE_OK) {
		w = NULL;
		s3_error(r, q, s3_store_err(rc));
		goto out;
	}
	for (i = 0; i < nparts; i++) {
		if (hex_decode(md5s, parts[i].etag, 16) == -1) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		EVP_DigestUpdate(mc, md5s, 16);
		snprintf(path, sizeof(path), "%s/%05ld", dir, parts[i].number);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			s3_error(r, q, S3E_INVALID_PART);
			goto out;
		}
		while ((got = read(fd, blk, S3_COPY_BLOCK)) > 0)
			if ((rc = store_put_write(w, blk, (size_t)got)) !=
			    STORE_OK)
				break;
		close(fd);
		if (got != 0) {
			s3_error(
			    r, q, got < 0 ? S3E_INTERNAL : s3_store_err(rc));
			goto out;
		}
	}
	rc = chain_put_commit(q->s3->env->chain, w, STORE_NS_S3, total, NULL);
	w = NULL;
	if (rc != STORE_OK) {
		s3_error(r, q, s3_store_err(rc));
		goto out;
	}
	s3_md5_final(mc, md5s);
	hex_encode(etag, md5s, 16);
	snprintf(etag + 32, sizeof(etag) - 32, "-%u", (unsigned)nparts);
	if ((bk = s3_bucket_find(q->s3, q->bucket, NULL)) != NULL &&
	    s3_keys_put(
		&bk->keys, q->key, q->klen, total, clock_wall(), etag) == -1)
		log_warn("s3: cannot record %s/%s in the bucket list",
		    q->bucket, q->key);
	s3_rmtree_uploads(dir);
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	if (buf_append_str(&x,
		S3_XML_HEAD "<CompleteMultipartUploadResult xmlns=\"" S3_XMLNS
			    "\">") == -1 ||
	    buf_append_str(&x, "<Location>/") == -1 ||
	    s3_xml_escape(&x, q->bucket, strlen(q->bucket)) == -1 ||
	    buf_putc(&x, '/') == -1 ||
	    s3_xml_escape(&x, q->key, q->klen) == -1 ||
	    buf_append_str(&x, "</Location>") == -1 ||
	    s3_xml_elem_str(&x, "Bucket", q->bucket) == -1 ||
	    s3_xml_elem(&x, "Key", q->key, q->klen) == -1 ||
	    s3_xml_elem_str(&x, "ETag", qetag) == -1 ||
	    buf_append_str(&x, "</CompleteMultipartUploadResult>") == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	http_reply_header(r, "ETag", qetag);
	s3_reply_xml(r, q, &x);
out:
	if (w != NULL)
		chain_put_abort(q->s3->env->chain, w, STORE_NS_S3);
	if (mc != NULL)
		EVP_MD_CTX_free(mc);
	free(blk);
	free(parts);
	buf_release(&t);
	buf_release(&m);
	buf_release(&x);
}

static void
s3_abort_upload(struct http_req *r, struct s3_req *q, const char *id)
{
	char dir[PATH_MAX];
	struct buf m;

	buf_init(&m);
	if (s3_need(r, q, AUTH_WRITE) == -1)
		goto out;
	if (s3_upload_meta(q, id, &m) == -1) {
		s3_error(r, q, S3E_NO_SUCH_UPLOAD);
		goto out;
	}
	s3_upload_dir(q->s3, id, dir, sizeof(dir));
	s3_rmtree_uploads(dir);
	s3_common_headers(r, q);
	http_reply(r, 204, NULL, NULL, 0);
out:
	buf_release(&m);
	s3_req_free(q);
}

/* ---- GetObject / HeadObject ---- */

struct s3_range_src {
	struct store_obj o;
	uint64_t start;
};

static int64_t
s3_range_read(void *arg, void *out, size_t n, uint64_t pos)
{
	struct s3_range_src *s = arg;

	return store_obj_read(&s->o, out, n, s->start + pos);
}

static int
s3_range_finish(void *arg, int ok)
{
	(void)arg;
	(void)ok;
	return 0;
}

static void
s3_range_release(void *arg)
{
	struct s3_range_src *s = arg;

	store_obj_release(&s->o);
	free(s);
}

/* Parses Range for an object of size; 0: whole object (no, malformed or
 * multi-range header), 1: start and len set, -1: unsatisfiable. */
static int
s3_parse_range(struct span h, uint64_t size, uint64_t *start, uint64_t *len)
{
	char tmp[64], *dash, *end;
	unsigned long long a, b;

	if (h.p == NULL || h.len < 7 || h.len >= sizeof(tmp) ||
	    strncasecmp((const char *)h.p, "bytes=", 6) != 0)
		return 0;
	memcpy(tmp, h.p + 6, h.len - 6);
	tmp[h.len - 6] = '\0';
	if (strchr(tmp, ',') != NULL || (dash = strchr(tmp, '-')) == NULL)
		return 0;
	*dash = '\0';
	if (tmp[0] == '\0') { /* suffix */
		if (dash[1] < '0' || dash[1] > '9')
			return 0;
		b = strtoull(dash + 1, &end, 10);
		if (*end != '\0')
			return 0;
		if (b == 0 || size == 0)
			return -1;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return 1;
	}
	if (tmp[0] < '0' || tmp[0] > '9')
		return 0;
	a = strtoull(tmp, &end, 10);
	if (*end != '\0')
		return 0;
	if (dash[1] == '\0')
		b = size > 0 ? size - 1 : 0;
	else {
		if (dash[1] < '0' || dash[1] > '9')
			return 0;
		b = strtoull(dash + 1, &end, 10);
		if (*end != '\0' || b < a)
			return 0;
	}
	if (a >= size)
		return -1;
	if (b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 1;
}

/* Reads an unverified streamed object once so a slice of it can be
 * served (the store only verifies whole reads). */
static int
s3_obj_verify(struct chain *chain, struct store_obj *o)
{
	unsigned char *blk;
	uint64_t pos = 0;
	int64_t got;

	if (o->verified || o->data != NULL)
		return 0;
	if ((blk = malloc(S3_COPY_BLOCK)) == NULL)
		return -1;
	while (pos < o->size) {
		got = store_obj_read(o, blk, S3_COPY_BLOCK, pos);
		if (got <= 0) {
			free(blk);
			return -1;
		}
		pos += (uint64_t)got;
	}
	free(blk);
	return store_obj_finish(chain_store(chain), o);
}

static void
s3_iso_time(int64_t t, char out[32])
{
	size_t n;

	clock_format_rfc3339(t, out, 32);
	n = strlen(out);
	if (n > 0 && out[n - 1] == 'Z')
		snprintf(out + n - 1, 32 - (n - 1), ".000Z");
}

struct s3_hdr_ctx {
	struct http_req *r;
	char ctype[1024];
};

static void
s3_meta_header(void *arg, struct span name, struct span value)
{
	struct s3_hdr_ctx *c = arg;
	char n[128], v[1024], qn[160];
	struct span ov;

	if (name.len >= sizeof(n) || value.len >= sizeof(v))
		return;
	memcpy(n, name.p, name.len);
	n[name.len] = '\0';
	memcpy(v, value.p, value.len);
	v[value.len] = '\0';
	snprintf(qn, sizeof(qn), "response-%s", n);
	if (s3_query_raw(http_req_query(c->r), qn, &ov))
		return; /* overridden below */
	if (strcmp(n, "content-type") == 0)
		snprintf(c->ctype, sizeof(c->ctype), "%s", v);
	else
		http_reply_header(c->r, n, v);
}

/* Strips surrounding quotes and spaces. */
static struct span
s3_unquote(struct span v)
{
	while (v.len > 0 && (*v.p == '"' || *v.p == ' ')) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && (v.p[v.len - 1] == '"' || v.p[v.len - 1] == ' '))
		v.len--;
	return v;
}

/* Does an If-Match / If-None-Match list match etag? */
static int
s3_etag_match(struct span h, const char *etag)
{
	const unsigned char *p = h.p, *end = h.p + h.len, *comma;
	struct span one;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		one = s3_unquote(span_make(p, (size_t)(comma - p)));
		if (span_eq_str(one, "*") || span_eq_str(one, etag))
			return 1;
		p = comma + 1;
	}
	return 0;
}

static void
s3_get_object(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	struct store_obj o;
	struct s3_key *e = NULL;
	struct s3_hdr_ctx hc;
	struct s3_range_src *src;
	struct http_source hs;
	unsigned char skey[STORE_KEY_LEN], md5[16];
	char etag[48] = "", qetag[56], date[40], cr[96], qn[64];
	static const char *const over[] = { "content-type",
		"content-disposition", "content-encoding", "content-language",
		"cache-control", "expires" };
	EVP_MD_CTX *mc;
	uint64_t start = 0, len = 0;
	int64_t mtime;
	size_t i, pos;
	int found, rng;
	struct span h;

	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_READ))
		goto out;
	s3_store_key(q->bucket, q->key, q->klen, skey);
	/* Counted once below, with the bytes actually sent. */
	if (store_get(chain_store(q->s3->env->chain), skey, &o) != STORE_OK) {
		stats_miss(STORE_NS_S3);
		s3_error(r, q, S3E_NO_SUCH_KEY);
		goto out;
	}
	pos = s3_keys_find(&bk->keys, q->key, q->klen, &found);
	if (found)
		e = bk->keys.v[pos];
	mtime = e != NULL ? e->mtime : o.created;
	if (e != NULL && e->size == o.size)
		snprintf(etag, sizeof(etag), "%s", e->etag);
	else if (o.data != NULL && s3_md5_init(&mc) == 0) {
		/* Not in the list (crash before it was recorded): heal. */
		EVP_DigestUpdate(mc, o.data, o.size);
		s3_md5_final(mc, md5);
		EVP_MD_CTX_free(mc);
		hex_encode(etag, md5, 16);
		etag[32] = '\0';
		if (s3_keys_put(
			&bk->keys, q->key, q->klen, o.size, mtime, etag) == -1)
			log_warn("s3: cannot record %s/%s", q->bucket, q->key);
	}
	h = http_req_header(r, "if-match");
	if (h.p != NULL && etag[0] != '\0' && !s3_etag_match(h, etag)) {
		store_obj_release(&o);
		s3_error(r, q, S3E_PRECONDITION);
		goto out;
	}
	snprintf(qetag, sizeof(qetag), "\"%s\"", etag);
	clock_format_http(mtime, date, sizeof(date));
	h = http_req_header(r, "if-none-match");
	if (h.p != NULL && etag[0] != '\0' && s3_etag_match(h, etag)) {
		store_obj_release(&o);
		http_reply_header(r, "ETag", qetag);
		http_reply_header(r, "Last-Modified", date);
		s3_common_headers(r, q);
		stats_hit(STORE_NS_S3, 0);
		http_reply(r, 304, NULL, NULL, 0);
		goto out;
	}
	rng = s3_parse_range(http_req_header(r, "range"), o.size, &start, &len);
	if (rng == -1) {
		snprintf(
		    cr, sizeof(cr), "bytes */%llu", (unsigned long long)o.size);
		http_reply_header(r, "Content-Range", cr);
		store_obj_release(&o);
		s3_error(r, q, S3E_INVALID_RANGE);
		goto out;
	}
	if (etag[0] != '\0')
		http_reply_header(r, "ETag", qetag);
	http_reply_header(r, "Last-Modified", date);
	http_reply_header(r, "Accept-Ranges", "bytes");
	hc.r = r;
	snprintf(hc.ctype, sizeof(hc.ctype), "%s", S3_CTYPE_DEFAULT);
	s3_meta_each(o.meta, o.meta_len, s3_meta_header, &hc);
	for (i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
		snprintf(qn, sizeof(qn), "response-%s", over[i]);
		if (s3_query(r, qn, &q->sbuf) != 1 ||
		    memchr(q->sbuf.data, '\n', q->sbuf.len) != NULL ||
		    memchr(q->sbuf.data, '\r', q->sbuf.len) != NULL)
			continue;
		if (i == 0)
			snprintf(hc.ctype, sizeof(hc.ctype), "%s",
			    (const char *)q->sbuf.data);
		else
			http_reply_header(
			    r, over[i], (const char *)q->sbuf.data);
	}
	s3_common_headers(r, q);
	stats_hit(STORE_NS_S3,
	    http_req_is(r, "HEAD") ? 0 : (rng == 0 ? o.size : len));
	if (rng == 0) {
		tool_reply_obj(r, q->s3->env->chain, &o, 200, hc.ctype);
		goto out;
	}
	snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu",
	    (unsigned long long)start, (unsigned long long)(start + len - 1),
	    (unsigned long long)o.size);
	http_reply_header(r, "Content-Range", cr);
	if (o.data != NULL) {
		http_reply(r, 206, hc.ctype, o.data + start, (size_t)len);
		store_obj_release(&o);
		goto out;
	}
	if (!http_req_is(r, "HEAD") &&
	    s3_obj_verify(q->s3->env->chain, &o) == -1) {
		store_obj_release(&o);
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	if ((src = malloc(sizeof(*src))) == NULL) {
		store_obj_release(&o);
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	src->o = o;
	src->start = start;
	hs.read = s3_range_read;
	hs.finish = s3_range_finish;
	hs.release = s3_range_release;
	hs.arg = src;
	http_reply_stream(r, 206, hc.ctype, len, &hs);
out:
	s3_req_free(q);
}

static void
s3_delete_object(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	unsigned char skey[STORE_KEY_LEN];

	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_WRITE))
		goto out;
	s3_store_key(q->bucket, q->key, q->klen, skey);
	chain_del(q->s3->env->chain, skey);
	if (s3_keys_del(&bk->keys, q->key, q->klen) == -1)
		log_warn("s3: cannot record the deletion of %s/%s", q->bucket,
		    q->key);
	s3_common_headers(r, q);
	http_reply(r, 204, NULL, NULL, 0);
out:
	s3_req_free(q);
}

/* ---- listing ---- */

/* Appends s escaped (and URL-encoded first with encoding-type=url). */
static int
s3_list_text(struct buf *out, const char *s, size_t n, int url)
{
	struct buf t;
	int rc;

	if (!url)
		return s3_xml_escape(out, s, n);
	buf_init(&t);
	rc = sigv4_uri_encode(&t, s, n, 1);
	if (rc == 0)
		rc = s3_xml_escape(out, (const char *)t.data, t.len);
	buf_release(&t);
	return rc;
}

static int
s3_list_elem(struct buf *out, const char *tag, const char *s, size_t n, int url)
{
	if (buf_printf(out, "<%s>", tag) == -1 ||
	    s3_list_text(out, s, n, url) == -1 ||
	    buf_printf(out, "</%s>", tag) == -1)
		return -1;
	return 0;
}

/* Drops names whose object the store no longer has (evicted). */
static int
s3_key_alive(struct s3 *s, const char *bucket, const struct s3_key *e)
{
	unsigned char skey[STORE_KEY_LEN];

	s3_store_key(bucket, e->name, e->len, skey);
	return store_has(chain_store(s->env->chain), skey, NULL, NULL);
}

static void
s3_list_objects(struct http_req *r, struct s3_req *q, int v2)
{
	struct s3_bucket *bk;
	struct buf prefix, delim, marker, tmp, contents, cps, x, last, lastcp;
	struct s3_key *e;
	char **dead = NULL, when[32], *end;
	size_t ndead = 0, i, count = 0, item_len;
	long maxk = S3_LIST_MAX;
	int url = 0, truncated = 0, found, is_cp, c;
	const char *item, *d;

	buf_init(&prefix);
	buf_init(&delim);
	buf_init(&marker);
	buf_init(&tmp);
	buf_init(&contents);
	buf_init(&cps);
	buf_init(&x);
	buf_init(&last);
	buf_init(&lastcp);
	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_READ))
		goto out;
	if (s3_query(r, "prefix", &prefix) == -1 ||
	    s3_query(r, "delimiter", &delim) == -1 ||
	    buf_reserve(&prefix, 1) == -1 || buf_reserve(&delim, 1) == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	if (s3_query(r, "max-keys", &tmp) == 1) {
		maxk = strtol((const char *)tmp.data, &end, 10);
		if (tmp.len == 0 || *end != '\0' || maxk < 0) {
			s3_error_ex(r, q, S3E_INVALID_ARGUMENT,
			    "Provided max-keys not an integer or within "
			    "integer range",
			    NULL);
			goto out;
		}
		if (maxk > S3_LIST_MAX)
			maxk = S3_LIST_MAX;
	}
	if (s3_query(r, "encoding-type", &tmp) == 1) {
		if (!span_eq_str(span_make(tmp.data, tmp.len), "url")) {
			s3_error_ex(r, q, S3E_INVALID_ARGUMENT,
			    "Invalid Encoding Method specified in Request",
			    NULL);
			goto out;
		}
		url = 1;
	}
	if (v2 && s3_query(r, "continuation-token", &tmp) == 1) {
		if (b64_decode(&marker, (const char *)tmp.data, tmp.len,
			B64_STD) == -1) {
			s3_error_ex(r, q, S3E_INVALID_ARGUMENT,
			    "The continuation token provided is incorrect",
			    NULL);
			goto out;
		}
	} else if (s3_query(r, v2 ? "start-after" : "marker", &marker) == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	/* Start at max(prefix, marker). */
	if (s3_name_cmp((const char *)marker.data, marker.len,
		(const char *)prefix.data, prefix.len) > 0)
		i = s3_keys_find(
		    &bk->keys, (const char *)marker.data, marker.len, &found);
	else
		i = s3_keys_find(
		    &bk->keys, (const char *)prefix.data, prefix.len, &found);
	for (; i < bk->keys.n; i++) {
		e = bk->keys.v[i];
		if (e->len < prefix.len ||
		    memcmp(e->name, prefix.data, prefix.len) != 0)
			break;
		if (e->len > 0 && e->name[e->len - 1] == '/' && e->size == 0 &&
		    strcmp(e->etag, "dir") == 0)
			continue; /* a WebDAV collection marker */
		item = e->name;
		item_len = e->len;
		is_cp = 0;
		if (delim.len > 0 && e->len >= prefix.len + delim.len &&
		    (d = s3_memmem(e->name + prefix.len, e->len - prefix.len,
			 delim.data, delim.len)) != NULL) {
			item_len = (size_t)(d - e->name) + delim.len;
			is_cp = 1;
		}
		if (marker.len > 0 &&
		    s3_name_cmp(item, item_len, (const char *)marker.data,
			marker.len) <= 0)
			continue;
		if (is_cp && lastcp.len == item_len &&
		    memcmp(lastcp.data, item, item_len) == 0)
			continue;
		if (!is_cp && !s3_key_alive(q->s3, q->bucket, e)) {
			char **nd = realloc(dead, (ndead + 1) * sizeof(*nd));

			if (nd != NULL) {
				dead = nd;
				if ((dead[ndead] = strdup(e->name)) != NULL)
					ndead++;
			}
			continue;
		}
		if (count == (size_t)maxk) {
			truncated = 1;
			break;
		}
		count++;
		buf_reset(&last);
		if (buf_append(&last, item, item_len) == -1)
			goto nomem;
		if (is_cp) {
			buf_reset(&lastcp);
			if (buf_append(&lastcp, item, item_len) == -1 ||
			    buf_append_str(&cps, "<CommonPrefixes>") == -1 ||
			    s3_list_elem(&cps, "Prefix", item, item_len, url) ==
				-1 ||
			    buf_append_str(&cps, "</CommonPrefixes>") == -1)
				goto nomem;
			continue;
		}
		s3_iso_time(e->mtime, when);
		if (buf_append_str(&contents, "<Contents>") == -1 ||
		    s3_list_elem(&contents, "Key", e->name, e->len, url) ==
			-1 ||
		    buf_printf(&contents,
			"<LastModified>%s</LastModified>"
			"<ETag>&quot;%s&quot;</ETag><Size>%llu</Size>",
			when, e->etag, (unsigned long long)e->size) == -1 ||
		    ((!v2 || s3_query_has(r, "fetch-owner")) &&
			buf_append_str(&contents,
			    "<Owner><ID>fabrik</ID><DisplayName>fabrik"
			    "</DisplayName></Owner>") == -1) ||
		    buf_append_str(&contents,
			"<StorageClass>STANDARD</StorageClass></Contents>") ==
			-1)
			goto nomem;
	}
	for (i = 0; i < ndead; i++) {
		c = s3_keys_del(&bk->keys, dead[i], strlen(dead[i]));
		(void)c;
		free(dead[i]);
	}
	free(dead);
	dead = NULL;
	if (buf_append_str(
		&x, S3_XML_HEAD "<ListBucketResult xmlns=\"" S3_XMLNS "\">") ==
		-1 ||
	    s3_xml_elem_str(&x, "Name", q->bucket) == -1 ||
	    s3_list_elem(
		&x, "Prefix", (const char *)prefix.data, prefix.len, url) == -1)
		goto nomem;
	if (v2) {
		if (s3_query(r, "continuation-token", &tmp) == 1 &&
		    s3_xml_elem(&x, "ContinuationToken", (const char *)tmp.data,
			tmp.len) == -1)
			goto nomem;
		if (s3_query(r, "start-after", &tmp) == 1 &&
		    s3_list_elem(&x, "StartAfter", (const char *)tmp.data,
			tmp.len, url) == -1)
			goto nomem;
		if (buf_printf(&x, "<KeyCount>%zu</KeyCount>", count) == -1)
			goto nomem;
	} else if (s3_list_elem(&x, "Marker", (const char *)marker.data,
		       marker.len, url) == -1)
		goto nomem;
	if (buf_printf(&x, "<MaxKeys>%ld</MaxKeys>", maxk) == -1 ||
	    (delim.len > 0 &&
		s3_list_elem(&x, "Delimiter", (const char *)delim.data,
		    delim.len, url) == -1) ||
	    (url &&
		buf_append_str(&x, "<EncodingType>url</EncodingType>") == -1) ||
	    buf_printf(&x, "<IsTruncated>%s</IsTruncated>",
		truncated ? "true" : "false") == -1)
		goto nomem;
	if (truncated && v2) {
		buf_reset(&tmp);
		if (b64_encode(&tmp, last.data, last.len, B64_STD) == -1 ||
		    s3_xml_elem(&x, "NextContinuationToken",
			(const char *)tmp.data, tmp.len) == -1)
			goto nomem;
	} else if (truncated &&
	    s3_list_elem(
		&x, "NextMarker", (const char *)last.data, last.len, url) == -1)
		goto nomem;
	if (buf_append(&x, contents.data, contents.len) == -1 ||
	    buf_append(&x, cps.data, cps.len) == -1 ||
	    buf_append_str(&x, "</ListBucketResult>") == -1)
		goto nomem;
	s3_reply_xml(r, q, &x);
	goto out;
nomem:
	s3_error(r, q, S3E_INTERNAL);
out:
	for (i = 0; i < ndead; i++)
		free(dead[i]);
	free(dead);
	buf_release(&prefix);
	buf_release(&delim);
	buf_release(&marker);
	buf_release(&tmp);
	buf_release(&contents);
	buf_release(&cps);
	buf_release(&x);
	buf_release(&last);
	buf_release(&lastcp);
	s3_req_free(q);
}

/* ---- buckets ---- */

static void
s3_list_buckets(struct http_req *r, struct s3_req *q)
{
	struct buf x;
	char when[32];
	size_t i;

	buf_init(&x);
	if (s3_need(r, q, AUTH_READ) == -1)
		goto out;
	if (buf_append_str(&x,
		S3_XML_HEAD "<ListAllMyBucketsResult xmlns=\"" S3_XMLNS
			    "\"><Owner><ID>fabrik</ID><DisplayName>fabrik"
			    "</DisplayName></Owner><Buckets>") == -1)
		goto nomem;
	for (i = 0; i < q->s3->nbuckets; i++) {
		s3_iso_time(q->s3->buckets[i]->keys.created, when);
		if (buf_append_str(&x, "<Bucket>") == -1 ||
		    s3_xml_elem_str(&x, "Name", q->s3->buckets[i]->name) ==
			-1 ||
		    s3_xml_elem_str(&x, "CreationDate", when) == -1 ||
		    buf_append_str(&x, "</Bucket>") == -1)
			goto nomem;
	}
	if (buf_append_str(&x, "</Buckets></ListAllMyBucketsResult>") == -1)
		goto nomem;
	s3_reply_xml(r, q, &x);
	goto out;
nomem:
	s3_error(r, q, S3E_INTERNAL);
out:
	buf_release(&x);
	s3_req_free(q);
}

static void
s3_create_bucket_done(struct http_req *r, struct s3_body *b)
{
	struct s3_req *q = b->q;
	char loc[S3_BUCKET_MAX + 2];

	if (s3_bucket_find(q->s3, q->bucket, NULL) != NULL) {
		s3_error(r, q, S3E_BUCKET_EXISTS);
		return;
	}
	if (s3_bucket_add(q->s3, q->bucket, 1) == -1) {
		log_warn("s3: cannot create bucket %s: %s", q->bucket,
		    strerror(errno));
		s3_error(
		    r, q, errno == EEXIST ? S3E_BUCKET_EXISTS : S3E_INTERNAL);
		return;
	}
	log_info("s3: bucket %s created", q->bucket);
	snprintf(loc, sizeof(loc), "/%s", q->bucket);
	http_reply_header(r, "Location", loc);
	s3_common_headers(r, q);
	http_reply(r, 200, NULL, NULL, 0);
}

static void
s3_delete_bucket(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	size_t pos, i;

	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_WRITE))
		goto out;
	for (i = bk->keys.n; i > 0; i--) {
		if (s3_key_alive(q->s3, q->bucket, bk->keys.v[i - 1]))
			continue;
		if (s3_keys_del(&bk->keys, bk->keys.v[i - 1]->name,
			bk->keys.v[i - 1]->len) == -1)
			break;
	}
	if (bk->keys.n > 0) {
		s3_error(r, q, S3E_BUCKET_NOT_EMPTY);
		goto out;
	}
	if (unlink(bk->keys.path) == -1) {
		s3_error(r, q, S3E_INTERNAL);
		goto out;
	}
	s3_bucket_find(q->s3, q->bucket, &pos);
	s3_keys_close(&bk->keys);
	free(bk);
	memmove(q->s3->buckets + pos, q->s3->buckets + pos + 1,
	    (q->s3->nbuckets - pos - 1) * sizeof(*q->s3->buckets));
	q->s3->nbuckets--;
	log_info("s3: bucket %s deleted", q->bucket);
	s3_common_headers(r, q);
	http_reply(r, 204, NULL, NULL, 0);
out:
	s3_req_free(q);
}

static void
s3_head_bucket(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;

	if (s3_bucket_required(r, q, &bk) == -1 || s3_need(r, q, AUTH_READ))
		goto out;
	http_reply_header(r, "x-amz-bucket-region", q->s3->region);
	s3_common_headers(r, q);
	http_reply(r, 200, NULL, NULL, 0);
out:
	s3_req_free(q);
}

static void
s3_simple_xml(struct http_req *r, struct s3_req *q, const char *xml)
{
	struct buf x;

	buf_init(&x);
	if (s3_need(r, q, AUTH_READ) == 0) {
		if (buf_append_str(&x, xml) == -1)
			s3_error(r, q, S3E_INTERNAL);
		else
			s3_reply_xml(r, q, &x);
	}
	buf_release(&x);
	s3_req_free(q);
}

static void
s3_location(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;
	char xml[256];

	if (s3_bucket_required(r, q, &bk) == -1) {
		s3_req_free(q);
		return;
	}
	snprintf(xml, sizeof(xml),
	    S3_XML_HEAD "<LocationConstraint xmlns=\"" S3_XMLNS
			"\">%s</LocationConstraint>",
	    strcmp(q->s3->region, "us-east-1") == 0 ? "" : q->s3->region);
	s3_simple_xml(r, q, xml);
}

/* POST /bucket?delete */
static void
s3_delete_objects_done(struct http_req *r, struct s3_body *b)
{
	struct s3_req *q = b->q;
	struct s3_bucket *bk;
	struct span in = span_make(b->xml.data, b->xml.len), obj, k, quiet, in2;
	struct buf name, x;
	unsigned char skey[STORE_KEY_LEN];
	int q_on = 0;
	size_t n = 0;

	buf_init(&name);
	buf_init(&x);
	if ((bk = s3_bucket_find(q->s3, q->bucket, NULL)) == NULL) {
		s3_error(r, q, S3E_NO_SUCH_BUCKET);
		goto out;
	}
	in2 = in;
	if (s3_xml_next(&in2, "Quiet", &quiet) && span_eq_str(quiet, "true"))
		q_on = 1;
	if (buf_append_str(
		&x, S3_XML_HEAD "<DeleteResult xmlns=\"" S3_XMLNS "\">") == -1)
		goto nomem;
	while (s3_xml_next(&in, "Object", &obj)) {
		buf_reset(&name);
		in2 = obj;
		if (++n > S3_LIST_MAX || !s3_xml_next(&in2, "Key", &k) ||
		    s3_xml_unescape(&name, k) == -1 || name.len == 0 ||
		    name.len > S3_KEY_MAX) {
			s3_error(r, q, S3E_MALFORMED_XML);
			goto out;
		}
		s3_store_key(
		    q->bucket, (const char *)name.data, name.len, skey);
		chain_del(q->s3->env->chain, skey);
		if (s3_keys_del(&bk->keys, (const char *)name.data, name.len) ==
		    -1)
			log_warn(
			    "s3: cannot record a deletion in %s", q->bucket);
		if (!q_on &&
		    (buf_append_str(&x, "<Deleted>") == -1 ||
			s3_xml_elem(&x, "Key", (const char *)name.data,
			    name.len) == -1 ||
			buf_append_str(&x, "</Deleted>") == -1))
			goto nomem;
	}
	if (buf_append_str(&x, "</DeleteResult>") == -1)
		goto nomem;
	s3_reply_xml(r, q, &x);
	goto out;
nomem:
	s3_error(r, q, S3E_INTERNAL);
out:
	buf_release(&name);
	buf_release(&x);
}

/* Starts an XML-bodied operation. */
static void
s3_xml_op(struct http_req *r, struct s3_req *q, s3_xml_fn *fn)
{
	struct s3_body *b;

	if ((b = s3_body_new(q, S3B_XML)) == NULL) {
		s3_error(r, q, S3E_INTERNAL);
		s3_req_free(q);
		return;
	}
	b->xml_done = fn;
	s3_body_start(r, b, NULL);
	if (b->err == -2) {
		s3_body_free(b);
		return;
	}
	s3_body_go(r, b);
}

/* ---- dispatch ---- */

/* Sub-resources this server does not implement. */
static const char *const s3_unsupported[] = { "acl", "policy", "tagging",
	"lifecycle", "cors", "encryption", "website", "logging", "notification",
	"replication", "requestPayment", "accelerate", "analytics", "inventory",
	"metrics", "intelligent-tiering", "object-lock", "ownershipControls",
	"publicAccessBlock", "retention", "legal-hold", "torrent", "attributes",
	"restore", "select", "policyStatus", "uploads", "versions",
	"versionId" };

static int
s3_unsupported_sub(struct http_req *r)
{
	size_t i;

	for (i = 0; i < sizeof(s3_unsupported) / sizeof(s3_unsupported[0]); i++)
		if (s3_query_has(r, s3_unsupported[i]))
			return 1;
	return 0;
}

static void
s3_object_op(struct http_req *r, struct s3_req *q)
{
	struct buf id;
	int has_id;

	buf_init(&id);
	has_id = s3_query(r, "uploadId", &id) == 1;
	if (has_id && !s3_upload_id_ok((const char *)id.data, id.len) &&
	    !http_req_is(r, "POST")) {
		buf_release(&id);
		s3_error(r, q, S3E_NO_SUCH_UPLOAD);
		s3_req_free(q);
		return;
	}
	if (http_req_is(r, "GET") || http_req_is(r, "HEAD")) {
		if (has_id ||
		    (s3_unsupported_sub(r) && !s3_query_has(r, "versionId")))
			goto notimpl;
		s3_get_object(r, q);
	} else if (http_req_is(r, "PUT")) {
		if (has_id)
			s3_upload_part(r, q, (const char *)id.data);
		else if (s3_unsupported_sub(r))
			goto notimpl;
		else
			s3_put_object(r, q);
	} else if (http_req_is(r, "DELETE")) {
		if (has_id)
			s3_abort_upload(r, q, (const char *)id.data);
		else if (s3_unsupported_sub(r) && !s3_query_has(r, "versionId"))
			goto notimpl;
		else
			s3_delete_object(r, q);
	} else if (http_req_is(r, "POST")) {
		if (s3_query_has(r, "uploads"))
			s3_create_upload(r, q);
		else if (has_id) {
			if (s3_need(r, q, AUTH_WRITE) == -1)
				s3_req_free(q);
			else
				s3_xml_op(r, q, s3_complete_done);
		} else
			goto notallowed;
	} else
		goto notallowed;
	buf_release(&id);
	return;
notimpl:
	buf_release(&id);
	s3_error(r, q, S3E_NOT_IMPLEMENTED);
	s3_req_free(q);
	return;
notallowed:
	buf_release(&id);
	s3_error(r, q, S3E_METHOD_NOT_ALLOWED);
	s3_req_free(q);
}

static void
s3_bucket_op(struct http_req *r, struct s3_req *q)
{
	struct s3_bucket *bk;

	if (http_req_is(r, "GET")) {
		if (s3_query_has(r, "location"))
			s3_location(r, q);
		else if (s3_query_has(r, "versioning")) {
			if (s3_bucket_required(r, q, &bk) == -1)
				s3_req_free(q);
			else
				s3_simple_xml(r, q,
				    S3_XML_HEAD
				    "<VersioningConfiguration xmlns=\"" S3_XMLNS
				    "\"/>");
		} else if (s3_unsupported_sub(r))
			goto notimpl;
		else if (s3_query_has(r, "list-type")) {
			struct buf lt;

			buf_init(&lt);
			if (s3_query(r, "list-type", &lt) != 1 ||
			    !span_eq_str(span_make(lt.data, lt.len), "2")) {
				buf_release(&lt);
				s3_error_ex(r, q, S3E_INVALID_ARGUMENT,
				    "Invalid list-type", NULL);
				s3_req_free(q);
				return;
			}
			buf_release(&lt);
			s3_list_objects(r, q, 1);
		} else
			s3_list_objects(r, q, 0);
	} else if (http_req_is(r, "HEAD"))
		s3_head_bucket(r, q);
	else if (http_req_is(r, "PUT")) {
		if (s3_unsupported_sub(r))
			goto notimpl;
		if (!s3_bucket_name_ok(q->bucket, strlen(q->bucket))) {
			s3_error(r, q, S3E_INVALID_BUCKET_NAME);
			s3_req_free(q);
			return;
		}
		if (s3_need(r, q, AUTH_WRITE) == -1) {
			s3_req_free(q);
			return;
		}
		s3_xml_op(r, q, s3_create_bucket_done);
	} else if (http_req_is(r, "DELETE")) {
		if (s3_unsupported_sub(r))
			goto notimpl;
		s3_delete_bucket(r, q);
	} else if (http_req_is(r, "POST") && s3_query_has(r, "delete")) {
		if (s3_bucket_required(r, q, &bk) == -1 ||
		    s3_need(r, q, AUTH_WRITE) == -1) {
			s3_req_free(q);
			return;
		}
		s3_xml_op(r, q, s3_delete_objects_done);
	} else {
		s3_error(r, q, S3E_METHOD_NOT_ALLOWED);
		s3_req_free(q);
	}
	return;
notimpl:
	s3_error(r, q, S3E_NOT_IMPLEMENTED);
	s3_req_free(q);
}

void
s3_handle(struct http_req *r, void *arg)
{
	struct s3 *s = arg;
	struct s3_req *q;
	struct span path = http_req_path(r);
	const unsigned char *p, *slash, *end;
	struct buf t;

	http_req_set_tag(r, STORE_NS_S3);
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		http_reply_text(r, 500, "out of memory");
		return;
	}
	q->s3 = s;
	sigv4_auth_init(&q->auth);
	buf_init(&q->sbuf);
	snprintf(q->rid, sizeof(q->rid), "%08llX%08llX",
	    (unsigned long long)(clock_wall() & 0xFFFFFFFF),
	    (unsigned long long)(++s->reqseq & 0xFFFFFFFF));
	if (path.len == 0 || path.p[0] != '/') {
		s3_error(r, q, S3E_INVALID_REQUEST);
		s3_req_free(q);
		return;
	}
	p = path.p + 1;
	end = path.p + path.len;
	slash = memchr(p, '/', (size_t)(end - p));
	if (slash == NULL)
		slash = end;
	buf_init(&t);
	if (s3_pct_decode(&t, p, (size_t)(slash - p)) == -1 ||
	    buf_reserve(&t, 1) == -1) {
		buf_release(&t);
		s3_error(r, q, S3E_INTERNAL);
		s3_req_free(q);
		return;
	}
	if (t.len > S3_BUCKET_MAX || memchr(t.data, '/', t.len) != NULL ||
	    memchr(t.data, '\0', t.len) != NULL) {
		buf_release(&t);
		s3_error(r, q, S3E_INVALID_BUCKET_NAME);
		s3_req_free(q);
		return;
	}
	memcpy(q->bucket, t.data, t.len);
	q->bucket[t.len] = '\0';
	buf_reset(&t);
	if (slash < end && slash + 1 < end) {
		if (s3_pct_decode(&t, slash + 1, (size_t)(end - slash - 1)) ==
			-1 ||
		    buf_reserve(&t, 1) == -1) {
			buf_release(&t);
			s3_error(r, q, S3E_INTERNAL);
			s3_req_free(q);
			return;
		}
		q->klen = t.len;
		q->key = buf_detach(&t, NULL);
		if (q->klen > S3_KEY_MAX) {
			s3_error(r, q, S3E_KEY_TOO_LONG);
			s3_req_free(q);
			return;
		}
	}
	buf_release(&t);
	if (s3_authenticate(r, q) == -1) {
		s3_req_free(q);
		return;
	}
	if (q->bucket[0] == '\0') {
		if (http_req_is(r, "GET"))
			s3_list_buckets(r, q);
		else {
			s3_error(r, q, S3E_METHOD_NOT_ALLOWED);
			s3_req_free(q);
		}
		return;
	}
	if (q->key != NULL)
		s3_object_op(r, q);
	else
		s3_bucket_op(r, q);
}
