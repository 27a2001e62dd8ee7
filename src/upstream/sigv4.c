/*
 * AWS Signature Version 4: canonical request, string to sign, signing key,
 * Authorization header and presigned URLs (S3 API reference,
 * "Authenticating Requests (AWS Signature Version 4)"), server-side
 * verification, and the aws-chunked body encoding ("Signature Calculations
 * for the Authorization Header: Transferring Payload in Multiple Chunks",
 * signed and unsigned trailers).
 *
 * Security: everything in struct sigv4_request, the Authorization header,
 * the query string and the aws-chunked body is untrusted peer input.  The
 * parsers never read outside the given spans, bound every count and
 * length by the SIGV4_* limits before allocating, compare signatures in
 * constant time, and never report success for a request whose signature,
 * scope, time window or signed-header set did not check out.  Secrets and
 * signing keys are only held in caller-provided structures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base/b64.h"
#include "base/hex.h"
#include "base/sha.h"
#include "upstream/sigv4.h"

#define SIGV4_CHUNK_PREFIX "AWS4-HMAC-SHA256-PAYLOAD"
#define SIGV4_TRAILER_PREFIX "AWS4-HMAC-SHA256-TRAILER"

/* Chunk decoder states. */
enum sigv4_chunked_state {
	SIGV4_CH_HEADER,
	SIGV4_CH_DATA,
	SIGV4_CH_DATA_CR,
	SIGV4_CH_DATA_LF,
	SIGV4_CH_TRAILER,
	SIGV4_CH_DONE,
	SIGV4_CH_ERROR
};

/* One query parameter after canonical encoding (views into a scratch
 * buffer). */
struct sigv4_param {
	const unsigned char *name, *value;
	size_t name_off, name_len, value_off, value_len;
};

/* S3 wire errors, one row per SIGV4_ERR_* code. */
static const struct {
	int err;
	const char *code;
	int status;
} sigv4_errors[] = {
	{ SIGV4_ERR_SIGNATURE, "SignatureDoesNotMatch", 403 },
	{ SIGV4_ERR_ACCESS_KEY, "InvalidAccessKeyId", 403 },
	{ SIGV4_ERR_MALFORMED, "AuthorizationHeaderMalformed", 400 },
	{ SIGV4_ERR_SKEWED, "RequestTimeTooSkewed", 403 },
	{ SIGV4_ERR_EXPIRED, "AccessDenied", 403 },
	{ SIGV4_ERR_CONTENT_SHA256, "XAmzContentSHA256Mismatch", 400 },
	{ SIGV4_ERR_QUERY_MALFORMED, "AuthorizationQueryParametersError", 400 },
	{ SIGV4_ERR_ACCESS_DENIED, "AccessDenied", 403 },
	{ SIGV4_ERR_INVALID_REQUEST, "InvalidRequest", 400 },
	{ SIGV4_ERR_INVALID_ARGUMENT, "InvalidArgument", 400 },
	{ SIGV4_ERR_BAD_DIGEST, "BadDigest", 400 },
	{ SIGV4_ERR_INCOMPLETE_BODY, "IncompleteBody", 400 },
	{ SIGV4_ERR_CHUNK_FORMAT, "InvalidRequest", 400 },
	{ SIGV4_ERR_NOMEM, "InternalError", 500 },
};

static const struct {
	const char *value;
	int kind;
} sigv4_payload_kinds[] = {
	{ SIGV4_UNSIGNED_PAYLOAD, SIGV4_PAYLOAD_UNSIGNED },
	{ SIGV4_STREAMING_PAYLOAD, SIGV4_PAYLOAD_STREAMING },
	{ SIGV4_STREAMING_PAYLOAD_TRAILER, SIGV4_PAYLOAD_STREAMING_TRAILER },
	{ SIGV4_STREAMING_UNSIGNED_TRAILER,
	    SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER },
};

static int
sigv4_unreserved(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

static int
sigv4_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
sigv4_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Case-insensitive equality of two spans. */
static int
sigv4_case_eq(struct span a, struct span b)
{
	size_t i;

	if (a.len != b.len)
		return 0;
	for (i = 0; i < a.len; i++)
		if (sigv4_lower(a.p[i]) != sigv4_lower(b.p[i]))
			return 0;
	return 1;
}

static int
sigv4_prefix_case(struct span s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && span_case_eq_str(span_make(s.p, n), prefix);
}

int
sigv4_uri_encode(struct buf *out, const void *p, size_t n, int keep_slash)
{
	static const char hexu[] = "0123456789ABCDEF";
	const unsigned char *s = p;
	unsigned char *o;
	size_t i;

	if (n > ((size_t)-1) / 3 || buf_reserve(out, n * 3) == -1)
		return -1;
	o = out->data + out->len;
	for (i = 0; i < n; i++) {
		if (sigv4_unreserved(s[i]) || (keep_slash && s[i] == '/')) {
			*o++ = s[i];
		} else {
			*o++ = '%';
			*o++ = hexu[s[i] >> 4];
			*o++ = hexu[s[i] & 15];
		}
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}

/* Appends the percent-decoding of p (a '%' not followed by two hex digits
 * stays literal; '+' stays '+'). */
static int
sigv4_pct_decode(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;
	int hi, lo;

	if (buf_reserve(out, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n &&
		    (hi = hex_digit(p[i + 1])) >= 0 &&
		    (lo = hex_digit(p[i + 2])) >= 0) {
			out->data[out->len++] = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else {
			out->data[out->len++] = p[i];
		}
	}
	out->data[out->len] = '\0';
	return 0;
}

int
sigv4_payload_kind(struct span v)
{
	size_t i;

	if (v.len == 64) {
		for (i = 0; i < 64; i++)
			if (hex_digit(v.p[i]) < 0)
				return SIGV4_PAYLOAD_INVALID;
		return SIGV4_PAYLOAD_HASH;
	}
	for (i = 0;
	     i < sizeof(sigv4_payload_kinds) / sizeof(sigv4_payload_kinds[0]);
	     i++)
		if (span_eq_str(v, sigv4_payload_kinds[i].value))
			return sigv4_payload_kinds[i].kind;
	return SIGV4_PAYLOAD_INVALID;
}

const char *
sigv4_error_code(int err)
{
	size_t i;

	for (i = 0; i < sizeof(sigv4_errors) / sizeof(sigv4_errors[0]); i++)
		if (sigv4_errors[i].err == err)
			return sigv4_errors[i].code;
	return "InternalError";
}

int
sigv4_error_status(int err)
{
	size_t i;

	for (i = 0; i < sizeof(sigv4_errors) / sizeof(sigv4_errors[0]); i++)
		if (sigv4_errors[i].err == err)
			return sigv4_errors[i].status;
	return 500;
}

/*
 * Path canonicalisation.  S3: decode once, encode once, keep "//", "."
 * and ".." as parts of the key.  Generic services (the botocore suite):
 * remove empty and dot segments, keep a trailing slash, then encode the
 * raw bytes (so existing %XX are encoded a second time).
 */
static int
sigv4_canonical_uri(struct buf *out, const struct sigv4_request *req)
{
	struct buf tmp;
	const unsigned char *p = req->path.p;
	size_t n = req->path.len, i, start, seg;
	size_t *stack = NULL, depth = 0, cap;
	int rc = -1;

	buf_init(&tmp);
	if (n == 0)
		return buf_putc(out, '/');
	if (req->mode != SIGV4_MODE_GENERIC) {
		if (sigv4_pct_decode(&tmp, p, n) == -1)
			goto fail;
		if (tmp.len == 0 || tmp.data[0] != '/')
			if (buf_putc(out, '/') == -1)
				goto fail;
		rc = sigv4_uri_encode(out, tmp.data, tmp.len, 1);
		goto fail;
	}
	/* Segment start offsets of the output so far ("..": pop one). */
	cap = n / 2 + 1;
	if ((stack = calloc(cap, sizeof(*stack))) == NULL)
		goto fail;
	for (i = 0; i <= n; i = seg + 1) {
		start = i;
		for (seg = i; seg < n && p[seg] != '/'; seg++)
			;
		if (seg == start || (seg - start == 1 && p[start] == '.'))
			continue;
		if (seg - start == 2 && p[start] == '.' &&
		    p[start + 1] == '.') {
			if (depth > 0)
				tmp.len = stack[--depth];
			continue;
		}
		if (depth == cap)
			goto fail;
		stack[depth++] = tmp.len;
		if (buf_putc(&tmp, '/') == -1 ||
		    buf_append(&tmp, p + start, seg - start) == -1)
			goto fail;
	}
	if (tmp.len == 0) {
		if (buf_putc(&tmp, '/') == -1)
			goto fail;
	} else if (p[n - 1] == '/') {
		if (buf_putc(&tmp, '/') == -1)
			goto fail;
	}
	rc = sigv4_uri_encode(out, tmp.data, tmp.len, 1);
fail:
	free(stack);
	buf_release(&tmp);
	return rc;
}

static int
sigv4_param_cmp(const void *a, const void *b)
{
	const struct sigv4_param *x = a, *y = b;
	size_t n;
	int c;

	n = x->name_len < y->name_len ? x->name_len : y->name_len;
	if ((c = memcmp(x->name, y->name, n)) != 0)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	n = x->value_len < y->value_len ? x->value_len : y->value_len;
	if ((c = memcmp(x->value, y->value, n)) != 0)
		return c;
	if (x->value_len != y->value_len)
		return x->value_len < y->value_len ? -1 : 1;
	return 0;
}

/*
 * Canonical query string: each parameter decoded then encoded with the
 * SigV4 unreserved set, "name=" for a parameter without value, sorted by
 * name then value.  skip_signature drops X-Amz-Signature (presigned
 * verification).  Extra parameters (extra, nextra) are appended before
 * sorting; they are already canonical.
 */
static int
sigv4_canonical_query(struct buf *out, struct span query, int skip_signature,
    const struct sigv4_param *extra, size_t nextra)
{
	struct buf scratch, dec;
	struct sigv4_param *params = NULL;
	size_t nparams = 0, count = 0, i, start, end, eq;
	const unsigned char *q = query.p, *base;
	int rc = SIGV4_ERR_NOMEM;

	buf_init(&scratch);
	buf_init(&dec);
	for (i = 0; i < query.len; i++)
		if (q[i] == '&')
			count++;
	count += 1 + nextra;
	if (count > SIGV4_MAX_QUERY_PARAMS + nextra) {
		rc = SIGV4_ERR_INVALID_ARGUMENT;
		goto fail;
	}
	if ((params = calloc(count, sizeof(*params))) == NULL)
		goto fail;
	for (start = 0; start < query.len; start = end + 1) {
		for (end = start; end < query.len && q[end] != '&'; end++)
			;
		if (end == start)
			continue;
		for (eq = start; eq < end && q[eq] != '='; eq++)
			;
		buf_reset(&dec);
		if (sigv4_pct_decode(&dec, q + start, eq - start) == -1)
			goto fail;
		if (skip_signature &&
		    span_eq_str(
			span_make(dec.data, dec.len), "X-Amz-Signature"))
			continue;
		params[nparams].name_off = scratch.len;
		if (sigv4_uri_encode(&scratch, dec.data, dec.len, 0) == -1)
			goto fail;
		params[nparams].name_len =
		    scratch.len - params[nparams].name_off;
		buf_reset(&dec);
		if (eq < end &&
		    sigv4_pct_decode(&dec, q + eq + 1, end - eq - 1) == -1)
			goto fail;
		params[nparams].value_off = scratch.len;
		if (sigv4_uri_encode(&scratch, dec.data, dec.len, 0) == -1)
			goto fail;
		params[nparams].value_len =
		    scratch.len - params[nparams].value_off;
		nparams++;
	}
	for (i = 0; i < nextra; i++) {
		params[nparams].name_off = scratch.len;
		params[nparams].name_len = extra[i].name_len;
		if (buf_append(&scratch, extra[i].name, extra[i].name_len) ==
		    -1)
			goto fail;
		params[nparams].value_off = scratch.len;
		params[nparams].value_len = extra[i].value_len;
		if (buf_append(&scratch, extra[i].value, extra[i].value_len) ==
		    -1)
			goto fail;
		nparams++;
	}
	/* buf_cstr: scratch may still be unallocated when all are empty. */
	base = (const unsigned char *)buf_cstr(&scratch);
	for (i = 0; i < nparams; i++) {
		params[i].name = base + params[i].name_off;
		params[i].value = base + params[i].value_off;
	}
	if (nparams > 1)
		qsort(params, nparams, sizeof(*params), sigv4_param_cmp);
	for (i = 0; i < nparams; i++) {
		if ((i > 0 && buf_putc(out, '&') == -1) ||
		    buf_append(out, params[i].name, params[i].name_len) == -1 ||
		    buf_putc(out, '=') == -1 ||
		    buf_append(out, params[i].value, params[i].value_len) == -1)
			goto fail;
	}
	rc = 0;
fail:
	free(params);
	buf_release(&scratch);
	buf_release(&dec);
	return rc;
}

/* Appends the value of header name: every occurrence trimmed, inner runs
 * of whitespace (obs-fold included) collapsed to one space, joined with
 * ','.  Returns the number of occurrences or -1. */
static int
sigv4_header_value(
    struct buf *out, const struct sigv4_request *req, struct span name)
{
	size_t i, j, start, end;
	const unsigned char *v;
	int found = 0, pending;

	for (i = 0; i < req->nheaders; i++) {
		if (!sigv4_case_eq(req->headers[i].name, name))
			continue;
		if (found++ > 0 && buf_putc(out, ',') == -1)
			return -1;
		v = req->headers[i].value.p;
		start = 0;
		end = req->headers[i].value.len;
		while (start < end && sigv4_space(v[start]))
			start++;
		while (end > start && sigv4_space(v[end - 1]))
			end--;
		pending = 0;
		for (j = start; j < end; j++) {
			if (sigv4_space(v[j])) {
				pending = 1;
				continue;
			}
			if ((pending && buf_putc(out, ' ') == -1) ||
			    buf_putc(out, v[j]) == -1)
				return -1;
			pending = 0;
		}
	}
	return found;
}

static struct sigv4_header const *
sigv4_find_header(const struct sigv4_request *req, const char *name, int *count)
{
	const struct sigv4_header *h = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < req->nheaders; i++) {
		if (span_case_eq_str(req->headers[i].name, name)) {
			if (h == NULL)
				h = &req->headers[i];
			(*count)++;
		}
	}
	return h;
}

/* The payload line: req->payload_hash or the x-amz-content-sha256 header
 * (trimmed).  Returns 0 and sets *out, or a SIGV4_ERR_* code. */
static int
sigv4_payload_line(const struct sigv4_request *req, struct span *out)
{
	const struct sigv4_header *h;
	struct span v;
	int n;

	if (req->payload_hash.len > 0) {
		*out = req->payload_hash;
		return 0;
	}
	if ((h = sigv4_find_header(req, "x-amz-content-sha256", &n)) == NULL)
		return SIGV4_ERR_INVALID_REQUEST;
	if (n > 1)
		return SIGV4_ERR_INVALID_ARGUMENT;
	v = h->value;
	while (v.len > 0 && sigv4_space(v.p[0])) {
		v.p++;
		v.len--;
	}
	while (v.len > 0 && sigv4_space(v.p[v.len - 1]))
		v.len--;
	*out = v;
	return 0;
}

static int
sigv4_name_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len, i;
	int c;

	for (i = 0; i < n; i++)
		if ((c = sigv4_lower(x->p[i]) - sigv4_lower(y->p[i])) != 0)
			return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
sigv4_signed_headers_all(struct buf *out, const struct sigv4_request *req)
{
	struct span *names;
	size_t i, j, n = 0;
	int rc = -1;

	if (req->nheaders == 0)
		return 0;
	if ((names = calloc(req->nheaders, sizeof(*names))) == NULL)
		return -1;
	for (i = 0; i < req->nheaders; i++)
		names[i] = req->headers[i].name;
	qsort(names, req->nheaders, sizeof(*names), sigv4_name_cmp);
	for (i = 0; i < req->nheaders; i++) {
		if (i > 0 && sigv4_name_cmp(&names[i - 1], &names[i]) == 0)
			continue;
		if (names[i].len == 0 || ++n > SIGV4_MAX_SIGNED_HEADERS)
			goto fail;
		if (n > 1 && buf_putc(out, ';') == -1)
			goto fail;
		for (j = 0; j < names[i].len; j++)
			if (buf_putc(out, sigv4_lower(names[i].p[j])) == -1)
				goto fail;
	}
	rc = 0;
fail:
	free(names);
	return rc;
}

/* Calls fn for each name of a ';'-separated list; -1 on an empty name or
 * more than SIGV4_MAX_SIGNED_HEADERS names. */
static int
sigv4_split_names(struct span list, struct span *names, size_t *count)
{
	size_t i, start = 0, n = 0;

	if (list.len == 0)
		return -1;
	for (i = 0; i <= list.len; i++) {
		if (i < list.len && list.p[i] != ';')
			continue;
		if (i == start || n == SIGV4_MAX_SIGNED_HEADERS)
			return -1;
		names[n++] = span_make(list.p + start, i - start);
		start = i + 1;
	}
	*count = n;
	return 0;
}

int
sigv4_canonical_request(struct buf *out, const struct sigv4_request *req,
    struct span signed_headers)
{
	struct span names[SIGV4_MAX_SIGNED_HEADERS], payload;
	size_t n, i;
	int rc;

	if (sigv4_split_names(signed_headers, names, &n) == -1)
		return SIGV4_ERR_MALFORMED;
	if ((rc = sigv4_payload_line(req, &payload)) != 0)
		return rc;
	if (buf_append(out, req->method.p, req->method.len) == -1 ||
	    buf_putc(out, '\n') == -1 || sigv4_canonical_uri(out, req) == -1 ||
	    buf_putc(out, '\n') == -1)
		return SIGV4_ERR_NOMEM;
	if ((rc = sigv4_canonical_query(out, req->query, 0, NULL, 0)) != 0)
		return rc;
	if (buf_putc(out, '\n') == -1)
		return SIGV4_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (buf_append(out, names[i].p, names[i].len) == -1 ||
		    buf_putc(out, ':') == -1 ||
		    sigv4_header_value(out, req, names[i]) == -1 ||
		    buf_putc(out, '\n') == -1)
			return SIGV4_ERR_NOMEM;
	}
	if (buf_putc(out, '\n') == -1 ||
	    buf_append(out, signed_headers.p, signed_headers.len) == -1 ||
	    buf_putc(out, '\n') == -1 ||
	    buf_append(out, payload.p, payload.len) == -1)
		return SIGV4_ERR_NOMEM;
	return 0;
}

int
sigv4_scope(struct buf *out, const char *amz_date, struct span region,
    struct span service)
{
	if (amz_date == NULL || strlen(amz_date) < 8)
		return -1;
	if (buf_append(out, amz_date, 8) == -1 || buf_putc(out, '/') == -1 ||
	    buf_append(out, region.p, region.len) == -1 ||
	    buf_putc(out, '/') == -1 ||
	    buf_append(out, service.p, service.len) == -1 ||
	    buf_append_str(out, "/aws4_request") == -1)
		return -1;
	return 0;
}

int
sigv4_string_to_sign(
    struct buf *out, const char *amz_date, struct span scope, struct span creq)
{
	char h[SHA256_HEX_LEN + 1];

	sha256_hex(creq.p, creq.len, h);
	return buf_printf(out, "%s\n%s\n%.*s\n%s", SIGV4_ALGORITHM, amz_date,
	    (int)scope.len, (const char *)scope.p, h);
}

int
sigv4_signing_key(struct span secret, struct span date, struct span region,
    struct span service, unsigned char out[32])
{
	unsigned char k[4 + SIGV4_MAX_SECRET], a[SHA256_LEN], b[SHA256_LEN];

	if (secret.len > SIGV4_MAX_SECRET)
		return -1;
	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret.p, secret.len);
	hmac_sha256(k, 4 + secret.len, date.p, date.len, a);
	hmac_sha256(a, sizeof(a), region.p, region.len, b);
	hmac_sha256(b, sizeof(b), service.p, service.len, a);
	hmac_sha256(a, sizeof(a), "aws4_request", 12, out);
	memset(k, 0, sizeof(k));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	return 0;
}

void
sigv4_signature(const unsigned char key[32], struct span sts, char out[65])
{
	unsigned char mac[SHA256_LEN];

	hmac_sha256(key, 32, sts.p, sts.len, mac);
	hex_encode(out, mac, SHA256_LEN);
}

void
sigv4_result_init(struct sigv4_result *res)
{
	memset(res, 0, sizeof(*res));
	buf_init(&res->canonical_request);
	buf_init(&res->string_to_sign);
	buf_init(&res->authorization);
}

void
sigv4_result_release(struct sigv4_result *res)
{
	buf_release(&res->canonical_request);
	buf_release(&res->string_to_sign);
	buf_release(&res->authorization);
	memset(res->signing_key, 0, sizeof(res->signing_key));
}

int
sigv4_parse_amz_date(const char *s, size_t n, long long *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int v[6], w[6] = { 4, 2, 2, 2, 2, 2 }, i, k, pos = 0;
	long long y, m, era, yoe, doy, doe, days;

	if (n != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (i = 0; i < 6; i++) {
		if (i == 3)
			pos = 9;
		v[i] = 0;
		for (k = 0; k < w[i]; k++, pos++) {
			if (s[pos] < '0' || s[pos] > '9')
				return -1;
			v[i] = v[i] * 10 + (s[pos] - '0');
		}
	}
	if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] ||
	    v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	/* Days from the civil date (proleptic Gregorian). */
	y = v[0] - (v[1] <= 2);
	m = v[1];
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + v[2] - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	days = era * 146097 + doe - 719468;
	*t = days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	return 0;
}

/* Fills res for req under p, signing signed_headers (a list). */
static int
sigv4_compute(struct sigv4_result *res, const struct sigv4_request *req,
    struct span access_key, struct span secret, struct span region,
    struct span service, const char *amz_date, struct span signed_headers)
{
	struct buf scope;
	long long t;
	int rc;

	buf_init(&scope);
	buf_reset(&res->canonical_request);
	buf_reset(&res->string_to_sign);
	buf_reset(&res->authorization);
	if (amz_date == NULL ||
	    sigv4_parse_amz_date(amz_date, strlen(amz_date), &t) == -1) {
		rc = SIGV4_ERR_MALFORMED;
		goto fail;
	}
	if ((rc = sigv4_canonical_request(
		 &res->canonical_request, req, signed_headers)) != 0)
		goto fail;
	rc = SIGV4_ERR_NOMEM;
	if (sigv4_scope(&scope, amz_date, region, service) == -1 ||
	    sigv4_string_to_sign(&res->string_to_sign, amz_date,
		span_make(scope.data, scope.len),
		span_make(res->canonical_request.data,
		    res->canonical_request.len)) == -1)
		goto fail;
	if (sigv4_signing_key(secret, span_make(amz_date, 8), region, service,
		res->signing_key) == -1) {
		rc = SIGV4_ERR_MALFORMED;
		goto fail;
	}
	sigv4_signature(res->signing_key,
	    span_make(res->string_to_sign.data, res->string_to_sign.len),
	    res->signature);
	if (buf_printf(&res->authorization,
		"%s Credential=%.*s/%s, SignedHeaders=%.*s, Signature=%s",
		SIGV4_ALGORITHM, (int)access_key.len,
		(const char *)access_key.p, buf_cstr(&scope),
		(int)signed_headers.len, (const char *)signed_headers.p,
		res->signature) == -1)
		goto fail;
	rc = 0;
fail:
	buf_release(&scope);
	return rc;
}

int
sigv4_sign(struct sigv4_result *res, const struct sigv4_request *req,
    const struct sigv4_params *p, const char *signed_headers)
{
	struct buf all;
	struct span list;
	int rc;

	buf_init(&all);
	if (signed_headers == NULL) {
		if (sigv4_signed_headers_all(&all, req) == -1) {
			buf_release(&all);
			return SIGV4_ERR_MALFORMED;
		}
		list = span_make(all.data, all.len);
	} else {
		list = span_str(signed_headers);
	}
	rc = sigv4_compute(res, req, p->access_key, p->secret, p->region,
	    p->service, p->amz_date, list);
	buf_release(&all);
	return rc;
}

int
sigv4_presign(struct buf *out, struct sigv4_result *resp,
    const struct sigv4_request *req, const struct sigv4_params *p, long expires,
    const char *signed_headers)
{
	struct sigv4_param extra[6];
	struct sigv4_request r = *req;
	struct sigv4_result local;
	struct sigv4_result *res = resp != NULL ? resp : &local;
	struct buf vals, scope, query;
	size_t offs[6][2], n = 0, i;
	const char *names[6] = { "X-Amz-Algorithm", "X-Amz-Credential",
		"X-Amz-Date", "X-Amz-Expires", "X-Amz-Security-Token",
		"X-Amz-SignedHeaders" };
	long long t;
	int rc = SIGV4_ERR_NOMEM;

	buf_init(&vals);
	buf_init(&scope);
	buf_init(&query);
	if (resp == NULL)
		sigv4_result_init(&local);
	if (signed_headers == NULL)
		signed_headers = "host";
	if (expires < 1 || expires > SIGV4_MAX_EXPIRES || p->amz_date == NULL ||
	    sigv4_parse_amz_date(p->amz_date, strlen(p->amz_date), &t) == -1) {
		rc = SIGV4_ERR_QUERY_MALFORMED;
		goto fail;
	}
	if (sigv4_scope(&scope, p->amz_date, p->region, p->service) == -1)
		goto fail;
	/* Values are stored encoded; offsets first, pointers after. */
	for (i = 0; i < 6; i++) {
		if (i == 4 && p->session_token.len == 0)
			continue;
		offs[n][0] = vals.len;
		switch (i) {
		case 0:
			rc = buf_append_str(&vals, SIGV4_ALGORITHM);
			break;
		case 1:
			if (sigv4_uri_encode(&vals, p->access_key.p,
				p->access_key.len, 0) == -1 ||
			    buf_append_str(&vals, "%2F") == -1) {
				rc = -1;
				break;
			}
			rc = sigv4_uri_encode(&vals, scope.data, scope.len, 0);
			break;
		case 2:
			rc = buf_append_str(&vals, p->amz_date);
			break;
		case 3:
			rc = buf_printf(&vals, "%ld", expires);
			break;
		case 4:
			rc = sigv4_uri_encode(
			    &vals, p->session_token.p, p->session_token.len, 0);
			break;
		default:
			rc = sigv4_uri_encode(
			    &vals, signed_headers, strlen(signed_headers), 0);
			break;
		}
		if (rc == -1) {
			rc = SIGV4_ERR_NOMEM;
			goto fail;
		}
		offs[n][1] = vals.len - offs[n][0];
		extra[n].name = (const unsigned char *)names[i];
		extra[n].name_len = strlen(names[i]);
		n++;
	}
	for (i = 0; i < n; i++) {
		extra[i].value = vals.data + offs[i][0];
		extra[i].value_len = offs[i][1];
	}
	if ((rc = sigv4_canonical_query(&query, req->query, 0, extra, n)) != 0)
		goto fail;
	r.query = span_make(query.data, query.len);
	if (r.payload_hash.len == 0)
		r.payload_hash = span_str(SIGV4_UNSIGNED_PAYLOAD);
	if ((rc = sigv4_compute(res, &r, p->access_key, p->secret, p->region,
		 p->service, p->amz_date, span_str(signed_headers))) != 0)
		goto fail;
	/* The canonical query is itself canonical: re-canonicalising it in
	 * sigv4_compute gave the same string, so send it as is. */
	if (buf_append(out, query.data, query.len) == -1 ||
	    buf_printf(out, "%sX-Amz-Signature=%s", query.len > 0 ? "&" : "",
		res->signature) == -1) {
		rc = SIGV4_ERR_NOMEM;
		goto fail;
	}
	rc = 0;
fail:
	if (resp == NULL)
		sigv4_result_release(&local);
	buf_release(&vals);
	buf_release(&scope);
	buf_release(&query);
	return rc;
}

/* Splits "AK/YYYYMMDD/region/service/aws4_request". */
static int
sigv4_parse_credential(struct span c, struct sigv4_authz *a)
{
	struct span part[5];
	size_t i, start = 0, n = 0;

	if (c.len == 0)
		return -1;
	for (i = 0; i <= c.len; i++) {
		if (i < c.len && c.p[i] != '/')
			continue;
		if (n == 5)
			return -1;
		part[n++] = span_make(c.p + start, i - start);
		start = i + 1;
	}
	if (n != 5 || part[0].len == 0 || part[1].len != 8 ||
	    part[2].len == 0 || part[3].len == 0 ||
	    !span_eq_str(part[4], "aws4_request"))
		return -1;
	for (i = 0; i < 8; i++)
		if (part[1].p[i] < '0' || part[1].p[i] > '9')
			return -1;
	if (part[0].len > SIGV4_MAX_ACCESS_KEY ||
	    part[2].len > SIGV4_MAX_REGION || part[3].len > SIGV4_MAX_SERVICE)
		return -1;
	a->access_key = part[0];
	a->date = part[1];
	a->region = part[2];
	a->service = part[3];
	return 0;
}

static int
sigv4_valid_signature(struct span s)
{
	size_t i;

	if (s.len != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (hex_digit(s.p[i]) < 0)
			return 0;
	return 1;
}

/* Signed header names: lowercase tchar. */
static int
sigv4_valid_names(struct span list)
{
	struct span names[SIGV4_MAX_SIGNED_HEADERS];
	size_t n, i, j;
	int c;

	if (sigv4_split_names(list, names, &n) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < names[i].len; j++) {
			c = names[i].p[j];
			if (!((c >= 'a' && c <= 'z') ||
				(c >= '0' && c <= '9') ||
				(c != '\0' &&
				    strchr("!#$%&'*+-.^_`|~", c) != NULL)))
				return 0;
		}
	}
	return 1;
}

#define SIGV4_FAIL(msg) \
	do { \
		*errp = (msg); \
		return SIGV4_ERR_MALFORMED; \
	} while (0)

int
sigv4_parse_authorization(
    struct span v, struct sigv4_authz *a, const char **errp)
{
	static const char *keys[3] = { "Credential", "SignedHeaders",
		"Signature" };
	struct span field[3];
	int seen[3] = { 0, 0, 0 };
	size_t i = 0, alg = strlen(SIGV4_ALGORITHM), start, end, eq, k;

	memset(a, 0, sizeof(*a));
	if (v.len > SIGV4_MAX_AUTHORIZATION)
		SIGV4_FAIL("Authorization header too long");
	while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	if (v.len - i < alg || memcmp(v.p + i, SIGV4_ALGORITHM, alg) != 0)
		SIGV4_FAIL("unsupported authorization algorithm");
	i += alg;
	if (i == v.len || (v.p[i] != ' ' && v.p[i] != '\t'))
		SIGV4_FAIL("missing space after the algorithm");
	while (i < v.len) {
		while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t'))
			i++;
		if (i == v.len)
			break;
		start = i;
		while (i < v.len && v.p[i] != ',')
			i++;
		end = i;
		if (i < v.len)
			i++; /* ',' */
		while (end > start &&
		    (v.p[end - 1] == ' ' || v.p[end - 1] == '\t'))
			end--;
		if (end == start)
			SIGV4_FAIL("empty Authorization field");
		for (eq = start; eq < end && v.p[eq] != '='; eq++)
			;
		if (eq == end)
			SIGV4_FAIL("Authorization field without '='");
		for (k = 0; k < 3; k++)
			if (span_eq_str(
				span_make(v.p + start, eq - start), keys[k]))
				break;
		if (k == 3)
			SIGV4_FAIL("unknown Authorization field");
		if (seen[k]++)
			SIGV4_FAIL("repeated Authorization field");
		field[k] = span_make(v.p + eq + 1, end - eq - 1);
	}
	if (!seen[0] || !seen[1] || !seen[2])
		SIGV4_FAIL("Authorization lacks Credential, SignedHeaders or "
			   "Signature");
	if (sigv4_parse_credential(field[0], a) == -1)
		SIGV4_FAIL("malformed Credential");
	if (!sigv4_valid_names(field[1]))
		SIGV4_FAIL("malformed SignedHeaders");
	if (!sigv4_valid_signature(field[2]))
		SIGV4_FAIL("malformed Signature");
	a->signed_headers = field[1];
	a->signature = field[2];
	return 0;
}

#undef SIGV4_FAIL

void
sigv4_auth_init(struct sigv4_auth *auth)
{
	memset(auth, 0, sizeof(*auth));
	auth->payload = SIGV4_PAYLOAD_INVALID;
	sigv4_result_init(&auth->res);
}

void
sigv4_auth_release(struct sigv4_auth *auth)
{
	sigv4_result_release(&auth->res);
	memset(auth->signing_key, 0, sizeof(auth->signing_key));
}

static int
sigv4_list_has_span(struct span list, struct span name)
{
	struct span names[SIGV4_MAX_SIGNED_HEADERS];
	size_t n, i;

	if (sigv4_split_names(list, names, &n) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (sigv4_case_eq(names[i], name))
			return 1;
	return 0;
}

static int
sigv4_list_has(struct span list, const char *name)
{
	return sigv4_list_has_span(list, span_str(name));
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate) to "19941106T084937Z". */
static int
sigv4_http_date(struct span d, char out[17])
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *s = (const char *)d.p;
	int m, i;
	static const int digits[] = { 5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23,
		24 };

	if (d.len != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    memcmp(s + 25, " GMT", 4) != 0)
		return -1;
	for (i = 0; i < 12; i++)
		if (s[digits[i]] < '0' || s[digits[i]] > '9')
			return -1;
	for (m = 0; m < 12; m++)
		if (memcmp(months + m * 3, s + 8, 3) == 0)
			break;
	if (m == 12)
		return -1;
	snprintf(out, 17, "%.4s%02d%.2sT%.2s%.2s%.2sZ", s + 12, m + 1, s + 5,
	    s + 17, s + 20, s + 23);
	return 0;
}

/* Checks the scope against the verifier's expectations and fills auth. */
static int
sigv4_check_scope(struct sigv4_auth *auth, const struct sigv4_authz *a,
    const struct sigv4_verify_params *vp, int malformed)
{
	if (vp->region.len > 0 && !span_eq(a->region, vp->region)) {
		auth->message = "credential scope has the wrong region";
		return malformed;
	}
	if (vp->service.len > 0 && !span_eq(a->service, vp->service)) {
		auth->message = "credential scope has the wrong service";
		return malformed;
	}
	memcpy(auth->access_key, a->access_key.p, a->access_key.len);
	auth->access_key[a->access_key.len] = '\0';
	memcpy(auth->region, a->region.p, a->region.len);
	auth->region[a->region.len] = '\0';
	snprintf(auth->scope, sizeof(auth->scope),
	    "%.8s/%.*s/%.*s/aws4_request", (const char *)a->date.p,
	    (int)a->region.len, (const char *)a->region.p, (int)a->service.len,
	    (const char *)a->service.p);
	return 0;
}

/* Finds a query parameter by exact decoded name; decoded value into out.
 * Returns the number of occurrences (value of the first), -1 on ENOMEM. */
static int
sigv4_query_get(struct span query, const char *name, struct buf *out)
{
	struct buf dec;
	size_t start, end, eq;
	int found = 0;

	buf_init(&dec);
	buf_reset(out);
	for (start = 0; start < query.len; start = end + 1) {
		for (end = start; end < query.len && query.p[end] != '&'; end++)
			;
		for (eq = start; eq < end && query.p[eq] != '='; eq++)
			;
		buf_reset(&dec);
		if (sigv4_pct_decode(&dec, query.p + start, eq - start) == -1)
			goto nomem;
		if (!span_eq_str(span_make(dec.data, dec.len), name))
			continue;
		if (found++ == 0 && eq < end &&
		    sigv4_pct_decode(out, query.p + eq + 1, end - eq - 1) == -1)
			goto nomem;
	}
	buf_release(&dec);
	return found;
nomem:
	buf_release(&dec);
	return -1;
}

/* Compares the computed and the presented signature in constant time. */
static int
sigv4_signature_matches(const char *computed, struct span presented)
{
	char low[64];
	size_t i;

	if (presented.len != 64)
		return 0;
	for (i = 0; i < 64; i++)
		low[i] = (char)sigv4_lower(presented.p[i]);
	return sha_ct_equal(computed, low, 64);
}

/* Common tail: look up the secret, compute, compare, fill auth. */
static int
sigv4_finish_verify(struct sigv4_auth *auth, const struct sigv4_request *req,
    const struct sigv4_verify_params *vp, const struct sigv4_authz *a,
    struct span token)
{
	struct span secret = { NULL, 0 }, payload;
	int rc;

	if ((rc = sigv4_payload_line(req, &payload)) != 0) {
		auth->message = rc == SIGV4_ERR_INVALID_REQUEST
		    ? "missing x-amz-content-sha256"
		    : "repeated x-amz-content-sha256";
		return rc;
	}
	if ((auth->payload = sigv4_payload_kind(payload)) ==
	    SIGV4_PAYLOAD_INVALID) {
		auth->message =
		    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
		    "STREAMING-... or a SHA-256 value";
		return SIGV4_ERR_INVALID_ARGUMENT;
	}
	if (auth->payload == SIGV4_PAYLOAD_HASH) {
		for (rc = 0; rc < 64; rc++)
			auth->payload_hash[rc] =
			    (char)sigv4_lower(payload.p[rc]);
		auth->payload_hash[64] = '\0';
	}
	if (vp->lookup == NULL ||
	    vp->lookup(vp->lookup_arg, a->access_key, token, &secret) != 0) {
		auth->message = "the access key id does not exist";
		return SIGV4_ERR_ACCESS_KEY;
	}
	if ((rc = sigv4_compute(&auth->res, req, a->access_key, secret,
		 a->region, a->service, auth->amz_date, a->signed_headers)) !=
	    0) {
		auth->message = "cannot compute the signature";
		return rc;
	}
	memcpy(auth->signing_key, auth->res.signing_key, 32);
	memcpy(auth->signature, auth->res.signature, 65);
	if (!sigv4_signature_matches(auth->res.signature, a->signature)) {
		auth->message = "the request signature does not match";
		return SIGV4_ERR_SIGNATURE;
	}
	auth->message = NULL;
	return 0;
}

static int
sigv4_verify_header(struct sigv4_auth *auth, const struct sigv4_request *req,
    const struct sigv4_verify_params *vp, struct span value)
{
	struct sigv4_authz a;
	const struct sigv4_header *h, *tok;
	struct span token = { NULL, 0 };
	size_t i;
	int n, rc;

	if (sigv4_prefix_case(value, "AWS ")) {
		auth->message = "Signature Version 2 is not supported";
		return SIGV4_ERR_INVALID_REQUEST;
	}
	if (sigv4_parse_authorization(value, &a, &auth->message) != 0)
		return SIGV4_ERR_MALFORMED;
	if ((rc = sigv4_check_scope(auth, &a, vp, SIGV4_ERR_MALFORMED)) != 0)
		return rc;
	/* Request time: x-amz-date, else a signed Date header. */
	if ((h = sigv4_find_header(req, "x-amz-date", &n)) != NULL) {
		if (n > 1 || h->value.len != 16) {
			auth->message = "invalid x-amz-date";
			return SIGV4_ERR_ACCESS_DENIED;
		}
		memcpy(auth->amz_date, h->value.p, 16);
		auth->amz_date[16] = '\0';
	} else if ((h = sigv4_find_header(req, "date", &n)) != NULL && n == 1 &&
	    sigv4_list_has(a.signed_headers, "date")) {
		if (sigv4_http_date(h->value, auth->amz_date) == -1) {
			auth->message = "invalid Date header";
			return SIGV4_ERR_ACCESS_DENIED;
		}
	} else {
		auth->message = "a valid, signed x-amz-date or Date header is "
				"required";
		return SIGV4_ERR_ACCESS_DENIED;
	}
	if (sigv4_parse_amz_date(auth->amz_date, 16, &auth->time) == -1) {
		auth->message = "invalid x-amz-date";
		return SIGV4_ERR_ACCESS_DENIED;
	}
	if (memcmp(auth->amz_date, a.date.p, 8) != 0) {
		auth->message = "credential date does not match x-amz-date";
		return SIGV4_ERR_MALFORMED;
	}
	if (auth->time > vp->now + SIGV4_MAX_SKEW ||
	    auth->time < vp->now - SIGV4_MAX_SKEW) {
		auth->message = "the difference between the request time and "
				"the server's time is too large";
		return SIGV4_ERR_SKEWED;
	}
	if (!sigv4_list_has(a.signed_headers, "host")) {
		auth->message = "the host header must be signed";
		return SIGV4_ERR_ACCESS_DENIED;
	}
	for (i = 0; i < req->nheaders; i++) {
		h = &req->headers[i];
		if (sigv4_prefix_case(h->name, "x-amz-") &&
		    !sigv4_list_has_span(a.signed_headers, h->name)) {
			auth->message = "x-amz-* headers present in the "
					"request were not signed";
			return SIGV4_ERR_ACCESS_DENIED;
		}
	}
	if ((tok = sigv4_find_header(req, "x-amz-security-token", &n)) != NULL)
		token = tok->value;
	return sigv4_finish_verify(auth, req, vp, &a, token);
}

static int
sigv4_verify_query(struct sigv4_auth *auth, const struct sigv4_request *req,
    const struct sigv4_verify_params *vp)
{
	enum {
		Q_ALG,
		Q_CRED,
		Q_DATE,
		Q_EXPIRES,
		Q_HEADERS,
		Q_SIG,
		Q_TOKEN,
		Q_N
	};
	static const char *names[Q_N] = { "X-Amz-Algorithm", "X-Amz-Credential",
		"X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
		"X-Amz-Signature", "X-Amz-Security-Token" };
	struct buf v[Q_N], query;
	struct sigv4_request r = *req;
	struct sigv4_authz a;
	long long expires = 0;
	size_t i;
	int n, rc = SIGV4_ERR_QUERY_MALFORMED;

	buf_init(&query);
	for (i = 0; i < Q_N; i++)
		buf_init(&v[i]);
	auth->presigned = 1;
	memset(&a, 0, sizeof(a));
	for (i = 0; i < Q_N; i++) {
		if ((n = sigv4_query_get(req->query, names[i], &v[i])) == -1) {
			rc = SIGV4_ERR_NOMEM;
			goto fail;
		}
		if (n > 1 || (n == 0 && i != Q_TOKEN)) {
			auth->message = "presigned URL lacks or repeats an "
					"X-Amz-* parameter";
			goto fail;
		}
	}
	auth->message = "malformed presigned URL parameter";
	if (!span_eq_str(
		span_make(buf_cstr(&v[Q_ALG]), v[Q_ALG].len), SIGV4_ALGORITHM))
		goto fail;
	if (sigv4_parse_credential(
		span_make(buf_cstr(&v[Q_CRED]), v[Q_CRED].len), &a) == -1)
		goto fail;
	if (v[Q_EXPIRES].len == 0 || v[Q_EXPIRES].len > 7)
		goto fail;
	for (i = 0; i < v[Q_EXPIRES].len; i++) {
		if (v[Q_EXPIRES].data[i] < '0' || v[Q_EXPIRES].data[i] > '9')
			goto fail;
		expires = expires * 10 + (v[Q_EXPIRES].data[i] - '0');
	}
	if (expires < 1 || expires > SIGV4_MAX_EXPIRES) {
		auth->message = "X-Amz-Expires must be 1..604800 seconds";
		goto fail;
	}
	a.signed_headers = span_make(buf_cstr(&v[Q_HEADERS]), v[Q_HEADERS].len);
	a.signature = span_make(buf_cstr(&v[Q_SIG]), v[Q_SIG].len);
	if (!sigv4_valid_names(a.signed_headers) ||
	    !sigv4_valid_signature(a.signature))
		goto fail;
	if (v[Q_DATE].len != 16 ||
	    sigv4_parse_amz_date((char *)v[Q_DATE].data, 16, &auth->time) == -1)
		goto fail;
	memcpy(auth->amz_date, v[Q_DATE].data, 17);
	if (memcmp(auth->amz_date, a.date.p, 8) != 0) {
		auth->message = "credential date does not match X-Amz-Date";
		goto fail;
	}
	if ((rc = sigv4_check_scope(auth, &a, vp, SIGV4_ERR_QUERY_MALFORMED)) !=
	    0)
		goto fail;
	if (auth->time > vp->now + SIGV4_MAX_SKEW) {
		auth->message = "the request is not valid yet";
		rc = SIGV4_ERR_SKEWED;
		goto fail;
	}
	if (vp->now > auth->time + expires) {
		auth->message = "Request has expired";
		rc = SIGV4_ERR_EXPIRED;
		goto fail;
	}
	if (!sigv4_list_has(a.signed_headers, "host")) {
		auth->message = "the host header must be signed";
		rc = SIGV4_ERR_ACCESS_DENIED;
		goto fail;
	}
	/* Everything but X-Amz-Signature is signed; the canonical form is a
	 * fixed point of canonicalisation, so it can stand in for the query. */
	if ((rc = sigv4_canonical_query(&query, req->query, 1, NULL, 0)) != 0)
		goto fail;
	r.query = span_make(query.data, query.len);
	if (r.payload_hash.len == 0 &&
	    sigv4_find_header(req, "x-amz-content-sha256", &n) == NULL)
		r.payload_hash = span_str(SIGV4_UNSIGNED_PAYLOAD);
	rc = sigv4_finish_verify(
	    auth, &r, vp, &a, span_make(buf_cstr(&v[Q_TOKEN]), v[Q_TOKEN].len));
fail:
	for (i = 0; i < Q_N; i++)
		buf_release(&v[i]);
	buf_release(&query);
	return rc;
}

int
sigv4_verify(struct sigv4_auth *auth, const struct sigv4_request *req,
    const struct sigv4_verify_params *vp)
{
	const struct sigv4_header *h;
	struct buf tmp;
	int n, q;

	auth->presigned = 0;
	auth->payload = SIGV4_PAYLOAD_INVALID;
	auth->payload_hash[0] = auth->access_key[0] = auth->amz_date[0] = '\0';
	auth->scope[0] = auth->region[0] = auth->signature[0] = '\0';
	auth->time = 0;
	auth->message = NULL;
	buf_init(&tmp);
	q = sigv4_query_get(req->query, "X-Amz-Algorithm", &tmp);
	if (q == 0)
		q = sigv4_query_get(req->query, "X-Amz-Signature", &tmp);
	buf_release(&tmp);
	if (q == -1)
		return SIGV4_ERR_NOMEM;
	h = sigv4_find_header(req, "authorization", &n);
	if (h != NULL && q > 0) {
		auth->message = "only one authentication mechanism is allowed";
		return SIGV4_ERR_INVALID_ARGUMENT;
	}
	if (h != NULL) {
		if (n > 1) {
			auth->message = "repeated Authorization header";
			return SIGV4_ERR_MALFORMED;
		}
		return sigv4_verify_header(auth, req, vp, h->value);
	}
	if (q > 0)
		return sigv4_verify_query(auth, req, vp);
	return 1;
}

int
sigv4_payload_verify(
    const struct sigv4_auth *auth, const unsigned char digest[32])
{
	char h[SHA256_HEX_LEN + 1];

	if (auth->payload != SIGV4_PAYLOAD_HASH)
		return 0;
	hex_encode(h, digest, SHA256_LEN);
	return sha_ct_equal(h, auth->payload_hash, 64)
	    ? 0
	    : SIGV4_ERR_CONTENT_SHA256;
}

/*
 * aws-chunked.
 */

static int
sigv4_streaming_kind(int payload)
{
	return payload == SIGV4_PAYLOAD_STREAMING ||
	    payload == SIGV4_PAYLOAD_STREAMING_TRAILER ||
	    payload == SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER;
}

static int
sigv4_signed_kind(int payload)
{
	return payload == SIGV4_PAYLOAD_STREAMING ||
	    payload == SIGV4_PAYLOAD_STREAMING_TRAILER;
}

/* Signature of one chunk (or of the trailer when trailer != 0) given the
 * hex SHA-256 of its data, chained from prev. */
static void
sigv4_chain_signature(const unsigned char key[32], const char *amz_date,
    const char *scope, const char *prev, int trailer, const char *hash_hex,
    char out[65])
{
	char sts[SIGV4_MAX_SCOPE + 320];
	int n;

	if (trailer)
		n = snprintf(sts, sizeof(sts), "%s\n%s\n%s\n%s\n%s",
		    SIGV4_TRAILER_PREFIX, amz_date, scope, prev, hash_hex);
	else
		n = snprintf(sts, sizeof(sts), "%s\n%s\n%s\n%s\n%s\n%s",
		    SIGV4_CHUNK_PREFIX, amz_date, scope, prev,
		    SIGV4_EMPTY_SHA256, hash_hex);
	if (n < 0 || (size_t)n >= sizeof(sts))
		n = 0;
	sigv4_signature(key, span_make(sts, (size_t)n), out);
}

static int
sigv4_copy_context(unsigned char dkey[32], char ddate[17], char dscope[],
    char dprev[65], int payload, const unsigned char key[32],
    const char *amz_date, const char *scope, const char *seed)
{
	long long t;

	if (!sigv4_streaming_kind(payload))
		return -1;
	if (!sigv4_signed_kind(payload))
		return 0;
	if (key == NULL || amz_date == NULL || scope == NULL || seed == NULL ||
	    sigv4_parse_amz_date(amz_date, strlen(amz_date), &t) == -1 ||
	    strlen(scope) > SIGV4_MAX_SCOPE ||
	    !sigv4_valid_signature(span_str(seed)))
		return -1;
	memcpy(dkey, key, 32);
	memcpy(ddate, amz_date, 17);
	memcpy(dscope, scope, strlen(scope) + 1);
	memcpy(dprev, seed, 65);
	return 0;
}

int
sigv4_chunked_init(struct sigv4_chunked *d, int payload,
    const unsigned char key[32], const char *amz_date, const char *scope,
    const char *seed_signature, long long expect_len)
{
	memset(d, 0, sizeof(*d));
	d->payload = payload;
	d->state = SIGV4_CH_HEADER;
	d->expect_len = expect_len < 0 ? -1 : expect_len;
	d->crc32 = crc32(0L, Z_NULL, 0);
	if (sigv4_copy_context(d->key, d->amz_date, d->scope, d->prev_sig,
		payload, key, amz_date, scope, seed_signature) == -1) {
		d->state = SIGV4_CH_ERROR;
		d->err = SIGV4_ERR_CHUNK_FORMAT;
		d->message = "bad aws-chunked parameters";
		return -1;
	}
	return 0;
}

int
sigv4_chunked_init_auth(
    struct sigv4_chunked *d, const struct sigv4_auth *a, long long expect_len)
{
	return sigv4_chunked_init(d, a->payload, a->signing_key, a->amz_date,
	    a->scope, a->signature, expect_len);
}

void
sigv4_chunked_release(struct sigv4_chunked *d)
{
	sha256_release(&d->hash);
	memset(d->key, 0, sizeof(d->key));
}

static int
sigv4_chunked_fail(struct sigv4_chunked *d, int err, const char *msg)
{
	sha256_release(&d->hash);
	d->state = SIGV4_CH_ERROR;
	d->err = err;
	d->message = msg;
	return err;
}

/* Parses the chunk header line hdr[0..n) (CRLF removed). */
static int
sigv4_chunk_header(struct sigv4_chunked *d, size_t n)
{
	static const char ext[] = ";chunk-signature=";
	unsigned long long size = 0;
	size_t i = 0;
	int v;

	while (i < n && (v = hex_digit((unsigned char)d->hdr[i])) >= 0) {
		if (i == 16)
			return sigv4_chunked_fail(
			    d, SIGV4_ERR_CHUNK_FORMAT, "chunk size too long");
		size = size << 4 | (unsigned)v;
		i++;
	}
	if (i == 0)
		return sigv4_chunked_fail(
		    d, SIGV4_ERR_CHUNK_FORMAT, "chunk header lacks a size");
	if (size > SIGV4_CHUNK_SIZE_MAX)
		return sigv4_chunked_fail(d, SIGV4_ERR_CHUNK_FORMAT,
		    "chunk larger than SIGV4_CHUNK_SIZE_MAX");
	if (sigv4_signed_kind(d->payload)) {
		if (n - i != sizeof(ext) - 1 + 64 ||
		    memcmp(d->hdr + i, ext, sizeof(ext) - 1) != 0 ||
		    !sigv4_valid_signature(
			span_make(d->hdr + i + sizeof(ext) - 1, 64)))
			return sigv4_chunked_fail(d, SIGV4_ERR_CHUNK_FORMAT,
			    "chunk header needs ;chunk-signature=<64 hex>");
		for (v = 0; v < 64; v++)
			d->chunk_sig[v] = (char)sigv4_lower(
			    (unsigned char)d->hdr[i + sizeof(ext) - 1 + v]);
		d->chunk_sig[64] = '\0';
		if (sha256_init(&d->hash) == -1)
			return sigv4_chunked_fail(
			    d, SIGV4_ERR_NOMEM, "out of memory");
	} else if (i < n && d->hdr[i] != ';') {
		return sigv4_chunked_fail(
		    d, SIGV4_ERR_CHUNK_FORMAT, "junk after the chunk size");
	}
	if (d->expect_len >= 0 &&
	    size > (unsigned long long)d->expect_len - d->decoded_len)
		return sigv4_chunked_fail(d, SIGV4_ERR_INCOMPLETE_BODY,
		    "more data than x-amz-decoded-content-length");
	d->left = size;
	d->last = size == 0;
	return 0;
}

/* Verifies the signature of the chunk that just ended. */
static int
sigv4_chunk_verify(struct sigv4_chunked *d)
{
	unsigned char digest[SHA256_LEN];
	char hexd[SHA256_HEX_LEN + 1], sig[65];

	if (!sigv4_signed_kind(d->payload))
		return 0;
	sha256_final(&d->hash, digest);
	hex_encode(hexd, digest, SHA256_LEN);
	sigv4_chain_signature(
	    d->key, d->amz_date, d->scope, d->prev_sig, 0, hexd, sig);
	if (!sha_ct_equal(sig, d->chunk_sig, 64))
		return sigv4_chunked_fail(
		    d, SIGV4_ERR_SIGNATURE, "chunk signature does not match");
	memcpy(d->prev_sig, sig, 65);
	return 0;
}

static int
sigv4_checksum_check(struct sigv4_chunked *d)
{
	struct buf raw;
	unsigned long want;
	int rc = 0;

	if (!span_case_eq_str(
		span_str(d->checksum_name), "x-amz-checksum-crc32"))
		return 0;
	buf_init(&raw);
	if (b64_decode(&raw, d->checksum_value, strlen(d->checksum_value),
		B64_STD) == -1 ||
	    raw.len != 4) {
		rc = sigv4_chunked_fail(d, SIGV4_ERR_BAD_DIGEST,
		    "malformed x-amz-checksum-crc32 trailer");
	} else {
		want = (unsigned long)raw.data[0] << 24 |
		    (unsigned long)raw.data[1] << 16 |
		    (unsigned long)raw.data[2] << 8 | raw.data[3];
		if (want != (d->crc32 & 0xffffffffUL))
			rc = sigv4_chunked_fail(d, SIGV4_ERR_BAD_DIGEST,
			    "CRC-32 of the body does not match the trailer");
		else
			d->checksum_verified = 1;
	}
	buf_release(&raw);
	return rc;
}

/* The trailer section trailer[0..tline) is complete: parse, verify the
 * trailer signature and checksum, and the decoded length. */
static int
sigv4_trailers_done(struct sigv4_chunked *d)
{
	struct sha256 th;
	unsigned char digest[SHA256_LEN];
	char hexd[SHA256_HEX_LEN + 1], sig[65];
	const char *line, *colon, *val, *sigval = NULL;
	size_t pos = 0, len, nlen, vlen, siglen = 0;

	if (d->payload == SIGV4_PAYLOAD_STREAMING && d->ntrailers > 0)
		return sigv4_chunked_fail(d, SIGV4_ERR_CHUNK_FORMAT,
		    "trailers in a body without x-amz-trailer");
	if (sha256_init(&th) == -1)
		return sigv4_chunked_fail(d, SIGV4_ERR_NOMEM, "out of memory");
	while (pos < d->tline) {
		line = d->trailer + pos;
		len =
		    (size_t)((const char *)memchr(line, '\n', d->tline - pos) -
			line) -
		    1; /* without CRLF */
		pos += len + 2;
		if (sigval != NULL)
			goto bad; /* the signature must be the last line */
		if ((colon = memchr(line, ':', len)) == NULL || colon == line)
			goto bad;
		nlen = (size_t)(colon - line);
		val = colon + 1;
		vlen = len - nlen - 1;
		while (vlen > 0 && (*val == ' ' || *val == '\t')) {
			val++;
			vlen--;
		}
		while (
		    vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
			vlen--;
		if (span_case_eq_str(
			span_make(line, nlen), "x-amz-trailer-signature")) {
			sigval = val;
			siglen = vlen;
			continue;
		}
		sha256_update(&th, line, len);
		sha256_update(&th, "\n", 1);
		if (sigv4_prefix_case(
			span_make(line, nlen), "x-amz-checksum-")) {
			if (d->checksum_name[0] != '\0' ||
			    nlen >= sizeof(d->checksum_name) ||
			    vlen >= sizeof(d->checksum_value))
				goto bad;
			memcpy(d->checksum_name, line, nlen);
			d->checksum_name[nlen] = '\0';
			memcpy(d->checksum_value, val, vlen);
			d->checksum_value[vlen] = '\0';
		}
	}
	sha256_final(&th, digest);
	if (d->payload == SIGV4_PAYLOAD_STREAMING_TRAILER) {
		if (sigval == NULL ||
		    !sigv4_valid_signature(span_make(sigval, siglen)))
			return sigv4_chunked_fail(d, SIGV4_ERR_SIGNATURE,
			    "missing or malformed x-amz-trailer-signature");
		hex_encode(hexd, digest, SHA256_LEN);
		sigv4_chain_signature(
		    d->key, d->amz_date, d->scope, d->prev_sig, 1, hexd, sig);
		if (!sigv4_signature_matches(sig, span_make(sigval, siglen)))
			return sigv4_chunked_fail(d, SIGV4_ERR_SIGNATURE,
			    "trailer signature does not match");
	} else if (sigval != NULL) {
		goto bad2;
	}
	if (sigv4_checksum_check(d) != 0)
		return d->err;
	if (d->expect_len >= 0 &&
	    d->decoded_len != (unsigned long long)d->expect_len)
		return sigv4_chunked_fail(d, SIGV4_ERR_INCOMPLETE_BODY,
		    "body shorter than x-amz-decoded-content-length");
	d->state = SIGV4_CH_DONE;
	return 0;
bad:
	sha256_release(&th);
bad2:
	return sigv4_chunked_fail(
	    d, SIGV4_ERR_CHUNK_FORMAT, "malformed aws-chunked trailer");
}

static void
sigv4_crc_update(struct sigv4_chunked *d, const unsigned char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		k = n > (1U << 30) ? (1U << 30) : n;
		d->crc32 = crc32(d->crc32, p, (uInt)k);
		p += k;
		n -= k;
	}
}

int
sigv4_chunked_feed(struct sigv4_chunked *d, const void *in, size_t len,
    size_t *consumed, struct span *data)
{
	const unsigned char *p = in;
	size_t i = 0, n;
	int c;

	*consumed = 0;
	data->p = NULL;
	data->len = 0;
	if (d->state == SIGV4_CH_ERROR)
		return d->err;
	while (i < len) {
		switch (d->state) {
		case SIGV4_CH_HEADER:
			c = p[i++];
			if (d->hlen == sizeof(d->hdr))
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "chunk header too long");
			d->hdr[d->hlen++] = (char)c;
			if (c != '\n')
				break;
			if (d->hlen < 2 || d->hdr[d->hlen - 2] != '\r')
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "chunk header not ended by CRLF");
			n = d->hlen - 2;
			d->hlen = 0;
			if (sigv4_chunk_header(d, n) != 0)
				return d->err;
			if (!d->last) {
				d->state = SIGV4_CH_DATA;
				break;
			}
			if (sigv4_chunk_verify(d) != 0)
				return d->err;
			d->state = SIGV4_CH_TRAILER;
			d->tlen = d->tline = 0;
			break;
		case SIGV4_CH_DATA:
			n = len - i;
			if (n > d->left)
				n = (size_t)d->left;
			if (sigv4_signed_kind(d->payload))
				sha256_update(&d->hash, p + i, n);
			if (d->payload != SIGV4_PAYLOAD_STREAMING)
				sigv4_crc_update(d, p + i, n);
			d->left -= n;
			d->decoded_len += n;
			if (d->left == 0)
				d->state = SIGV4_CH_DATA_CR;
			data->p = p + i;
			data->len = n;
			*consumed = i + n;
			return SIGV4_CHUNKED_DATA;
		case SIGV4_CH_DATA_CR:
		case SIGV4_CH_DATA_LF:
			c = p[i++];
			if (c != (d->state == SIGV4_CH_DATA_CR ? '\r' : '\n'))
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "chunk data not followed by CRLF");
			if (d->state == SIGV4_CH_DATA_CR) {
				d->state = SIGV4_CH_DATA_LF;
				break;
			}
			if (sigv4_chunk_verify(d) != 0)
				return d->err;
			d->state = SIGV4_CH_HEADER;
			break;
		case SIGV4_CH_TRAILER:
			c = p[i++];
			if (d->tlen == sizeof(d->trailer))
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "aws-chunked trailer too long");
			d->trailer[d->tlen++] = (char)c;
			if (c != '\n')
				break;
			if (d->tlen - d->tline < 2 ||
			    d->trailer[d->tlen - 2] != '\r')
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "trailer line not ended by CRLF");
			if (d->tlen - d->tline == 2) {
				if (sigv4_trailers_done(d) != 0)
					return d->err;
				*consumed = i;
				return SIGV4_CHUNKED_DONE;
			}
			if (++d->ntrailers > SIGV4_MAX_TRAILERS)
				return sigv4_chunked_fail(d,
				    SIGV4_ERR_CHUNK_FORMAT,
				    "too many aws-chunked trailers");
			d->tline = d->tlen;
			break;
		default: /* SIGV4_CH_DONE */
			*consumed = i;
			return SIGV4_CHUNKED_DONE;
		}
	}
	*consumed = i;
	return d->state == SIGV4_CH_DONE ? SIGV4_CHUNKED_DONE
					 : SIGV4_CHUNKED_MORE;
}

int
sigv4_chunked_end(struct sigv4_chunked *d)
{
	if (d->state == SIGV4_CH_DONE)
		return 0;
	if (d->state == SIGV4_CH_ERROR)
		return d->err;
	if (d->payload == SIGV4_PAYLOAD_STREAMING_UNSIGNED_TRAILER &&
	    d->state == SIGV4_CH_TRAILER && d->tlen == d->tline &&
	    d->ntrailers > 0)
		return sigv4_trailers_done(d);
	return sigv4_chunked_fail(
	    d, SIGV4_ERR_INCOMPLETE_BODY, "aws-chunked body ended early");
}

int
sigv4_chunk_signer_init(struct sigv4_chunk_signer *s, int payload,
    const unsigned char key[32], const char *amz_date, const char *scope,
    const char *seed_signature)
{
	memset(s, 0, sizeof(*s));
	s->payload = payload;
	return sigv4_copy_context(s->key, s->amz_date, s->scope, s->prev_sig,
	    payload, key, amz_date, scope, seed_signature);
}

int
sigv4_chunk_signer_chunk(
    struct sigv4_chunk_signer *s, const void *data, size_t len, struct buf *out)
{
	char hexd[SHA256_HEX_LEN + 1];

	if (!sigv4_signed_kind(s->payload)) {
		if (buf_printf(out, "%zx\r\n", len) == -1)
			return -1;
	} else {
		sha256_hex(data, len, hexd);
		sigv4_chain_signature(s->key, s->amz_date, s->scope,
		    s->prev_sig, 0, hexd, s->prev_sig);
		if (buf_printf(out, "%zx;chunk-signature=%s\r\n", len,
			s->prev_sig) == -1)
			return -1;
	}
	if (len > 0 &&
	    (buf_append(out, data, len) == -1 ||
		buf_append_str(out, "\r\n") == -1))
		return -1;
	return 0;
}

int
sigv4_chunk_signer_finish(struct sigv4_chunk_signer *s,
    const struct sigv4_header *t, size_t nt, struct buf *out)
{
	struct sha256 th;
	unsigned char digest[SHA256_LEN];
	char hexd[SHA256_HEX_LEN + 1], sig[65];
	size_t i;

	if (s->payload == SIGV4_PAYLOAD_STREAMING && nt > 0)
		return -1;
	if (sha256_init(&th) == -1)
		return -1;
	for (i = 0; i < nt; i++) {
		sha256_update(&th, t[i].name.p, t[i].name.len);
		sha256_update(&th, ":", 1);
		sha256_update(&th, t[i].value.p, t[i].value.len);
		sha256_update(&th, "\n", 1);
		if (buf_append(out, t[i].name.p, t[i].name.len) == -1 ||
		    buf_putc(out, ':') == -1 ||
		    buf_append(out, t[i].value.p, t[i].value.len) == -1 ||
		    buf_append_str(out, "\r\n") == -1) {
			sha256_release(&th);
			return -1;
		}
	}
	sha256_final(&th, digest);
	if (s->payload == SIGV4_PAYLOAD_STREAMING_TRAILER) {
		hex_encode(hexd, digest, SHA256_LEN);
		sigv4_chain_signature(
		    s->key, s->amz_date, s->scope, s->prev_sig, 1, hexd, sig);
		if (buf_printf(out, "x-amz-trailer-signature:%s\r\n", sig) ==
		    -1)
			return -1;
	}
	return buf_append_str(out, "\r\n");
}

static unsigned long long
sigv4_hex_len(unsigned long long v)
{
	unsigned long long n = 1;

	while (v >= 16) {
		v >>= 4;
		n++;
	}
	return n;
}

unsigned long long
sigv4_chunked_encoded_length(int payload, unsigned long long decoded_len,
    unsigned long long chunk_size, unsigned long long trailer_len)
{
	unsigned long long ext = sigv4_signed_kind(payload) ? 17 + 64 : 0;
	unsigned long long full, rest, total;

	if (chunk_size == 0)
		return 0;
	full = decoded_len / chunk_size;
	rest = decoded_len % chunk_size;
	total = full * (sigv4_hex_len(chunk_size) + ext + 2 + chunk_size + 2);
	if (rest > 0)
		total += sigv4_hex_len(rest) + ext + 2 + rest + 2;
	return total + 1 + ext + 2 + trailer_len;
}

int
sigv4_crc32_b64(struct buf *out, unsigned long crc)
{
	unsigned char b[4];

	b[0] = (unsigned char)(crc >> 24);
	b[1] = (unsigned char)(crc >> 16);
	b[2] = (unsigned char)(crc >> 8);
	b[3] = (unsigned char)crc;
	return b64_encode(out, b, 4, B64_STD);
}
