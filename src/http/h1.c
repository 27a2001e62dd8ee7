/*
 * HTTP/1.1 message codec: request and response heads (RFC 9112 §2-§5),
 * the framing fields Content-Length, Transfer-Encoding, Connection, Host
 * and Expect (RFC 9112 §6-§9, RFC 9110 §7.2, §8.6, §10.1.1), and the
 * chunked transfer coding (RFC 9112 §7.1).
 *
 * Security: every byte handed in comes from a peer and is untrusted.  The
 * code never allocates, never reads outside in/buf[0..len) and never writes
 * outside the parser and message structs.  Heads, field counts, methods,
 * targets, chunk-size lines, chunk sizes and trailers are bounded by the
 * H1_MAX_* limits of h1.h.  The framing ambiguities behind request
 * smuggling are rejected, not repaired: bare CR, NUL and other CTLs,
 * obs-fold, whitespace before a colon, malformed or conflicting
 * Content-Length, Transfer-Encoding together with Content-Length or in
 * HTTP/1.0, and chunked framing whose lines do not end in CRLF.
 */
#include <limits.h>
#include <string.h>

#include "base/hex.h"
#include "http/h1.h"

_Static_assert(H1_MAX_HEAD > 0 && H1_MAX_HEAD <= INT_MAX,
    "H1_MAX_HEAD must fit an int and the field offsets");
_Static_assert(H1_MAX_TARGET > 0 && H1_MAX_METHOD > 0 &&
	H1_MAX_CHUNK_LINE > 0 && H1_MAX_HEADERS > 0,
    "h1 limits must be positive");
_Static_assert(H1_MAX_BODY > 0 && H1_MAX_BODY <= (1LL << 62),
    "H1_MAX_BODY must leave room to add one digit");

#define H1_KIND_REQUEST 1
#define H1_KIND_RESPONSE 2

/* Every head error: the status a server answers and a static message. */
enum h1_error {
	H1_E_EMPTY_LINES,
	H1_E_BARE_CR,
	H1_E_METHOD,
	H1_E_METHOD_LONG,
	H1_E_TARGET,
	H1_E_TARGET_LONG,
	H1_E_NO_VERSION,
	H1_E_VERSION,
	H1_E_VERSION_UNSUPPORTED,
	H1_E_STATUS,
	H1_E_REASON,
	H1_E_OBS_FOLD,
	H1_E_NAME,
	H1_E_NAME_WS,
	H1_E_VALUE,
	H1_E_HEAD_LONG,
	H1_E_TOO_MANY_FIELDS,
	H1_E_CL,
	H1_E_CL_CONFLICT,
	H1_E_TE_WITH_CL,
	H1_E_TE_HTTP10,
	H1_E_TE_MALFORMED,
	H1_E_TE_NOT_FINAL,
	H1_E_TE_TWICE,
	H1_E_TE_UNKNOWN,
	H1_E_HOST_MISSING,
	H1_E_HOST_MANY,
	H1_E_HOST_BAD,
	H1_E_BUFFER,
	H1_E_MODE
};

static const struct {
	int status;
	const char *msg;
} h1_errors[] = {
	[H1_E_EMPTY_LINES] = { 400, "too many empty lines before start line" },
	[H1_E_BARE_CR] = { 400, "CR not followed by LF" },
	[H1_E_METHOD] = { 400, "invalid character in method" },
	[H1_E_METHOD_LONG] = { 501, "method too long" },
	[H1_E_TARGET] = { 400, "invalid character in request-target" },
	[H1_E_TARGET_LONG] = { 414, "request-target too long" },
	[H1_E_NO_VERSION] = { 400, "request line without HTTP version" },
	[H1_E_VERSION] = { 400, "malformed HTTP version" },
	[H1_E_VERSION_UNSUPPORTED] = { 505, "HTTP version not supported" },
	[H1_E_STATUS] = { 400, "malformed status code" },
	[H1_E_REASON] = { 400, "invalid character in reason phrase" },
	[H1_E_OBS_FOLD] = { 400, "line starts with whitespace (obs-fold)" },
	[H1_E_NAME] = { 400, "invalid character in field name" },
	[H1_E_NAME_WS] = { 400, "whitespace before colon in field line" },
	[H1_E_VALUE] = { 400, "invalid character in field value" },
	[H1_E_HEAD_LONG] = { 431, "head too large" },
	[H1_E_TOO_MANY_FIELDS] = { 431, "too many header fields" },
	[H1_E_CL] = { 400, "invalid Content-Length" },
	[H1_E_CL_CONFLICT] = { 400, "conflicting Content-Length values" },
	[H1_E_TE_WITH_CL] = { 400, "Transfer-Encoding with Content-Length" },
	[H1_E_TE_HTTP10] = { 400, "Transfer-Encoding in HTTP/1.0 message" },
	[H1_E_TE_MALFORMED] = { 400, "malformed Transfer-Encoding" },
	[H1_E_TE_NOT_FINAL] = { 400,
	    "chunked is not the final transfer coding" },
	[H1_E_TE_TWICE] = { 400, "chunked applied more than once" },
	[H1_E_TE_UNKNOWN] = { 501, "unsupported transfer coding" },
	[H1_E_HOST_MISSING] = { 400, "HTTP/1.1 request without Host" },
	[H1_E_HOST_MANY] = { 400, "more than one Host field" },
	[H1_E_HOST_BAD] = { 400, "invalid Host" },
	[H1_E_BUFFER] = { 500, "buffer shorter than bytes already parsed" },
	[H1_E_MODE] = { 500, "parser used for a request and a response" },
};

static int
h1_is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
h1_is_ows(int c)
{
	return c == ' ' || c == '\t';
}

/* Bytes allowed inside a field value or reason phrase besides SP/HTAB:
 * VCHAR and obs-text (RFC 9110 §5.5). */
static int
h1_is_vchar(int c)
{
	return c > 0x20 && c != 0x7f;
}

static int
h1_is_token(struct span s)
{
	size_t i;

	if (s.len == 0)
		return 0;
	for (i = 0; i < s.len; i++)
		if (!h1_is_tchar(s.p[i]))
			return 0;
	return 1;
}

void
h1_parser_init(struct h1_parser *p)
{
	/* fields[] is only read below nfields: clearing it (1.6 KB) for
	 * every request on a connection would be wasted. */
	memset(p, 0, offsetof(struct h1_parser, fields));
	p->head_len = 0;
	p->err_status = 0;
	p->err_msg = NULL;
	p->err_offset = 0;
	p->state = H1_S_LINE_START;
}

static int
h1_fail(struct h1_parser *p, enum h1_error e, size_t off)
{
	p->state = H1_S_ERROR;
	p->err_status = h1_errors[e].status;
	p->err_msg = h1_errors[e].msg;
	p->err_offset = off;
	return FAB_ERROR;
}

/* One byte of "HTTP/d.d" (RFC 9112 §2.3: case-sensitive, one digit each). */
static int
h1_version_byte(struct h1_parser *p, int c)
{
	static const char prefix[] = "HTTP/";

	if (p->vpos < 5) {
		if (c != prefix[p->vpos])
			return -1;
	} else if (p->vpos == 6) {
		if (c != '.')
			return -1;
	} else {
		if (c < '0' || c > '9')
			return -1;
		if (p->vpos == 5)
			p->major = c - '0';
		else
			p->minor = c - '0';
	}
	p->vpos++;
	return 0;
}

static void
h1_end_field(struct h1_parser *p)
{
	struct h1_field_pos *f = &p->fields[p->nfields++];

	f->value_off = (uint32_t)p->tok;
	f->value_len = (uint32_t)(p->vend - p->tok);
}

/*
 * The byte-level state machine shared by requests and responses: resumes at
 * p->pos, records offsets, and stops at the end of the head.  Returns the
 * head length, FAB_INCOMPLETE or FAB_ERROR (p->err_* set).
 */
static int
h1_scan(struct h1_parser *p, const unsigned char *buf, size_t len)
{
	size_t i, end;
	int c;

	end = len < H1_MAX_HEAD ? len : H1_MAX_HEAD;
	for (i = p->pos; i < end; i++) {
		c = buf[i];
		switch (p->state) {
		case H1_S_LINE_START:
			if (c == '\r') {
				p->state = H1_S_LEADING_CR;
				break;
			}
			if (c == '\n') {
				if (++p->empty_lines > H1_MAX_EMPTY_LINES)
					return h1_fail(p, H1_E_EMPTY_LINES, i);
				break;
			}
			p->tok = i;
			if (p->kind == H1_KIND_RESPONSE) {
				p->state = H1_S_RESP_VERSION;
				if (h1_version_byte(p, c) == -1)
					return h1_fail(p, H1_E_VERSION, i);
				break;
			}
			if (!h1_is_tchar(c))
				return h1_fail(p, H1_E_METHOD, i);
			p->state = H1_S_METHOD;
			break;
		case H1_S_LEADING_CR:
			if (c != '\n')
				return h1_fail(p, H1_E_BARE_CR, i);
			if (++p->empty_lines > H1_MAX_EMPTY_LINES)
				return h1_fail(p, H1_E_EMPTY_LINES, i);
			p->state = H1_S_LINE_START;
			break;
		case H1_S_METHOD:
			if (c == ' ') {
				p->method_off = p->tok;
				p->method_len = i - p->tok;
				p->state = H1_S_TARGET_START;
				break;
			}
			if (!h1_is_tchar(c))
				return h1_fail(p, H1_E_METHOD, i);
			if (i - p->tok >= H1_MAX_METHOD)
				return h1_fail(p, H1_E_METHOD_LONG, i);
			break;
		case H1_S_TARGET_START:
			/* RFC 9112 §3: exactly one SP between the parts. */
			if (c < 0x21 || c > 0x7e)
				return h1_fail(p, H1_E_TARGET, i);
			p->tok = i;
			p->state = H1_S_TARGET;
			break;
		case H1_S_TARGET:
			if (c == ' ') {
				p->target_off = p->tok;
				p->target_len = i - p->tok;
				p->vpos = 0;
				p->state = H1_S_REQ_VERSION;
				break;
			}
			if (c == '\r' || c == '\n')
				return h1_fail(p, H1_E_NO_VERSION, i);
			if (c < 0x21 || c > 0x7e)
				return h1_fail(p, H1_E_TARGET, i);
			if (i - p->tok >= H1_MAX_TARGET)
				return h1_fail(p, H1_E_TARGET_LONG, i);
			break;
		case H1_S_REQ_VERSION:
			if (p->vpos < 8) {
				if (h1_version_byte(p, c) == -1)
					return h1_fail(p, H1_E_VERSION, i);
				break;
			}
			if (c != '\r' && c != '\n')
				return h1_fail(p, H1_E_VERSION, i);
			if (p->major != 1 || p->minor > 1)
				return h1_fail(p, H1_E_VERSION_UNSUPPORTED, i);
			p->state = c == '\r' ? H1_S_START_CR : H1_S_FIELD_START;
			break;
		case H1_S_RESP_VERSION:
			if (p->vpos < 8) {
				if (h1_version_byte(p, c) == -1)
					return h1_fail(p, H1_E_VERSION, i);
				break;
			}
			if (c != ' ')
				return h1_fail(p, H1_E_VERSION, i);
			if (p->major != 1 || p->minor > 1)
				return h1_fail(p, H1_E_VERSION_UNSUPPORTED, i);
			p->vpos = 0;
			p->code = 0;
			p->state = H1_S_STATUS;
			break;
		case H1_S_STATUS:
			if (p->vpos < 3) {
				if (c < '0' || c > '9')
					return h1_fail(p, H1_E_STATUS, i);
				p->code = p->code * 10 + (c - '0');
				p->vpos++;
				break;
			}
			if (p->code < 100 || p->code > 599)
				return h1_fail(p, H1_E_STATUS, i - 1);
			p->reason_off = i;
			p->reason_len = 0;
			if (c == ' ') {
				p->tok = i + 1;
				p->state = H1_S_REASON;
			} else if (c == '\r') {
				/* A missing SP before an empty reason is
				 * common; accept it (the reason is ignored). */
				p->state = H1_S_START_CR;
			} else if (c == '\n') {
				p->state = H1_S_FIELD_START;
			} else
				return h1_fail(p, H1_E_STATUS, i);
			break;
		case H1_S_REASON:
			if (c == '\r' || c == '\n') {
				p->reason_off = p->tok;
				p->reason_len = i - p->tok;
				p->state = c == '\r' ? H1_S_START_CR
						     : H1_S_FIELD_START;
				break;
			}
			if (!h1_is_ows(c) && !h1_is_vchar(c))
				return h1_fail(p, H1_E_REASON, i);
			break;
		case H1_S_START_CR:
		case H1_S_FIELD_CR:
			if (c != '\n')
				return h1_fail(p, H1_E_BARE_CR, i);
			p->state = H1_S_FIELD_START;
			break;
		case H1_S_FIELD_START:
			if (c == '\r') {
				p->state = H1_S_END_CR;
				break;
			}
			if (c == '\n')
				goto done;
			/* obs-fold, or whitespace after the start line
			 * (RFC 9112 §2.2, §5.2): reject. */
			if (h1_is_ows(c))
				return h1_fail(p, H1_E_OBS_FOLD, i);
			if (!h1_is_tchar(c))
				return h1_fail(p, H1_E_NAME, i);
			if (p->nfields == H1_MAX_HEADERS)
				return h1_fail(p, H1_E_TOO_MANY_FIELDS, i);
			p->tok = i;
			p->state = H1_S_NAME;
			break;
		case H1_S_NAME:
			if (c == ':') {
				p->fields[p->nfields].name_off =
				    (uint32_t)p->tok;
				p->fields[p->nfields].name_len =
				    (uint32_t)(i - p->tok);
				p->state = H1_S_VALUE_OWS;
				break;
			}
			if (h1_is_ows(c))
				return h1_fail(p, H1_E_NAME_WS, i);
			if (!h1_is_tchar(c))
				return h1_fail(p, H1_E_NAME, i);
			break;
		case H1_S_VALUE_OWS:
			if (h1_is_ows(c))
				break;
			if (c == '\r' || c == '\n') {
				p->tok = p->vend = i;
				h1_end_field(p);
				p->state = c == '\r' ? H1_S_FIELD_CR
						     : H1_S_FIELD_START;
				break;
			}
			if (!h1_is_vchar(c))
				return h1_fail(p, H1_E_VALUE, i);
			p->tok = i;
			p->vend = i + 1;
			p->state = H1_S_VALUE;
			break;
		case H1_S_VALUE:
			if (c == '\r' || c == '\n') {
				h1_end_field(p);
				p->state = c == '\r' ? H1_S_FIELD_CR
						     : H1_S_FIELD_START;
				break;
			}
			if (h1_is_ows(c))
				break;
			if (!h1_is_vchar(c))
				return h1_fail(p, H1_E_VALUE, i);
			p->vend = i + 1;
			break;
		case H1_S_END_CR:
			if (c != '\n')
				return h1_fail(p, H1_E_BARE_CR, i);
			goto done;
		case H1_S_DONE:
		case H1_S_ERROR:
			/* Not reached: the callers handle both. */
			return FAB_ERROR;
		}
	}
	p->pos = i;
	if (len > H1_MAX_HEAD)
		return h1_fail(p, H1_E_HEAD_LONG, H1_MAX_HEAD);
	return FAB_INCOMPLETE;
done:
	p->state = H1_S_DONE;
	p->pos = p->head_len = i + 1;
	return (int)p->head_len;
}

/* Runs the scanner with the checks common to both message kinds. */
static int
h1_resume(struct h1_parser *p, int kind, const unsigned char *buf, size_t len)
{
	if (p->state == H1_S_ERROR)
		return FAB_ERROR;
	if (p->kind == 0)
		p->kind = kind;
	else if (p->kind != kind)
		return h1_fail(p, H1_E_MODE, 0);
	if (len < p->pos)
		return h1_fail(p, H1_E_BUFFER, len);
	if (p->state == H1_S_DONE)
		return (int)p->head_len;
	return h1_scan(p, buf, len);
}

static void
h1_fill_headers(const struct h1_parser *p, const unsigned char *buf,
    struct h1_header *h, size_t *nh)
{
	size_t i;

	for (i = 0; i < p->nfields; i++) {
		h[i].name = span_make(
		    buf + p->fields[i].name_off, p->fields[i].name_len);
		h[i].value = span_make(
		    buf + p->fields[i].value_off, p->fields[i].value_len);
	}
	*nh = p->nfields;
}

/* Next comma-separated list element (RFC 9110 §5.6.1) of s from *pos, with
 * OWS trimmed; may be empty.  Returns 0 when the list is exhausted. */
static int
h1_list_next(struct span s, size_t *pos, struct span *elem)
{
	size_t a, b, i = *pos;

	if (i > s.len)
		return 0;
	a = i;
	while (i < s.len && s.p[i] != ',')
		i++;
	b = i;
	while (a < b && h1_is_ows(s.p[a]))
		a++;
	while (b > a && h1_is_ows(s.p[b - 1]))
		b--;
	*elem = span_make(s.p + a, b - a);
	*pos = i + 1;
	return 1;
}

/* Content-Length (RFC 9112 §6.3, RFC 9110 §8.6): digits, or a list of
 * identical values; merged with *cl from earlier fields (-1 = none). */
static int
h1_content_length(struct span v, long long *cl, enum h1_error *e)
{
	struct span el;
	size_t pos = 0, i;
	long long val;
	int d;

	while (h1_list_next(v, &pos, &el)) {
		if (el.len == 0) {
			*e = H1_E_CL;
			return -1;
		}
		val = 0;
		for (i = 0; i < el.len; i++) {
			if (el.p[i] < '0' || el.p[i] > '9') {
				*e = H1_E_CL;
				return -1;
			}
			d = el.p[i] - '0';
			if (val > (H1_MAX_BODY - d) / 10) {
				*e = H1_E_CL;
				return -1;
			}
			val = val * 10 + d;
		}
		if (*cl != -1 && *cl != val) {
			*e = H1_E_CL_CONFLICT;
			return -1;
		}
		*cl = val;
	}
	return 0;
}

/* What the Transfer-Encoding fields say, in order across all of them. */
struct h1_te {
	int present;
	int malformed;
	int ncodings;
	int nchunked;
	int other; /* a coding other than chunked */
	int last_chunked; /* the final coding is chunked */
};

static void
h1_transfer_encoding(struct span v, struct h1_te *te)
{
	struct span el, name;
	size_t pos = 0, n;

	te->present = 1;
	while (h1_list_next(v, &pos, &el)) {
		if (el.len == 0)
			continue;
		for (n = 0; n < el.len && el.p[n] != ';'; n++)
			;
		while (n > 0 && h1_is_ows(el.p[n - 1]))
			n--;
		name = span_make(el.p, n);
		if (!h1_is_token(name)) {
			te->malformed = 1;
			continue;
		}
		te->ncodings++;
		te->last_chunked = span_case_eq_str(name, "chunked");
		if (te->last_chunked)
			te->nchunked++;
		else
			te->other = 1;
	}
}

static void
h1_connection(struct span v, int *close, int *keep_alive)
{
	struct span el;
	size_t pos = 0;

	while (h1_list_next(v, &pos, &el)) {
		if (span_case_eq_str(el, "close"))
			*close = 1;
		else if (span_case_eq_str(el, "keep-alive"))
			*keep_alive = 1;
	}
}

/* uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2), loosely: only
 * the characters those productions can contain. */
static int
h1_host_ok(struct span v)
{
	size_t i;
	int c;

	for (i = 0; i < v.len; i++) {
		c = v.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (strchr("-._~!$&'()*+,;=:[]%", c) == NULL)
			return 0;
	}
	return 1;
}

/* The framing fields shared by requests and responses. */
struct h1_framing {
	long long cl;
	struct h1_te te;
	int close, keep_alive_token;
	int expect_continue, upgrade, nhost, host_bad;
};

static int
h1_framing(
    const struct h1_header *h, size_t n, struct h1_framing *f, enum h1_error *e)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->cl = -1;
	for (i = 0; i < n; i++) {
		if (span_case_eq_str(h[i].name, "content-length")) {
			if (h1_content_length(h[i].value, &f->cl, e) == -1)
				return -1;
		} else if (span_case_eq_str(h[i].name, "transfer-encoding"))
			h1_transfer_encoding(h[i].value, &f->te);
		else if (span_case_eq_str(h[i].name, "connection"))
			h1_connection(
			    h[i].value, &f->close, &f->keep_alive_token);
		else if (span_case_eq_str(h[i].name, "expect")) {
			if (span_case_eq_str(h[i].value, "100-continue"))
				f->expect_continue = 1;
		} else if (span_case_eq_str(h[i].name, "upgrade"))
			f->upgrade = 1;
		else if (span_case_eq_str(h[i].name, "host")) {
			f->nhost++;
			if (!h1_host_ok(h[i].value))
				f->host_bad = 1;
		}
	}
	return 0;
}

/* RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with keep-alive. */
static int
h1_keep_alive(int minor, const struct h1_framing *f)
{
	if (f->close)
		return 0;
	return minor >= 1 || f->keep_alive_token;
}

static int
h1_request_finish(
    struct h1_parser *p, const unsigned char *buf, struct h1_request *req)
{
	struct h1_framing f;
	enum h1_error e;

	req->method = span_make(buf + p->method_off, p->method_len);
	req->target = span_make(buf + p->target_off, p->target_len);
	req->minor = p->minor;
	h1_fill_headers(p, buf, req->headers, &req->nheaders);
	if (h1_framing(req->headers, req->nheaders, &f, &e) == -1)
		return h1_fail(p, e, 0);
	/* RFC 9112 §3.2 */
	if (f.nhost > 1)
		return h1_fail(p, H1_E_HOST_MANY, 0);
	if (f.nhost == 0 && req->minor == 1)
		return h1_fail(p, H1_E_HOST_MISSING, 0);
	if (f.host_bad)
		return h1_fail(p, H1_E_HOST_BAD, 0);
	req->content_length = f.cl;
	req->chunked = 0;
	if (f.te.present) {
		/* RFC 9112 §6.1, §6.3 (3) and (4), in that order. */
		if (f.cl != -1)
			return h1_fail(p, H1_E_TE_WITH_CL, 0);
		if (req->minor == 0)
			return h1_fail(p, H1_E_TE_HTTP10, 0);
		if (f.te.malformed || f.te.ncodings == 0)
			return h1_fail(p, H1_E_TE_MALFORMED, 0);
		if (!f.te.last_chunked)
			return h1_fail(p, H1_E_TE_NOT_FINAL, 0);
		if (f.te.nchunked > 1)
			return h1_fail(p, H1_E_TE_TWICE, 0);
		if (f.te.other)
			return h1_fail(p, H1_E_TE_UNKNOWN, 0);
		req->chunked = 1;
	}
	req->keep_alive = h1_keep_alive(req->minor, &f);
	/* RFC 9110 §10.1.1: ignore 100-continue from HTTP/1.0. */
	req->expect_continue = f.expect_continue && req->minor == 1;
	req->upgrade = f.upgrade;
	return (int)p->head_len;
}

int
h1_parse_request(struct h1_parser *p, const unsigned char *buf, size_t len,
    struct h1_request *req, int *status, const char **err)
{
	int r;

	r = h1_resume(p, H1_KIND_REQUEST, buf, len);
	if (r > 0)
		r = h1_request_finish(p, buf, req);
	if (r == FAB_ERROR) {
		*status = p->err_status;
		*err = p->err_msg;
	}
	return r;
}

static int
h1_response_finish(
    struct h1_parser *p, const unsigned char *buf, struct h1_response *resp)
{
	struct h1_framing f;
	enum h1_error e;

	resp->minor = p->minor;
	resp->status = p->code;
	resp->reason = span_make(buf + p->reason_off, p->reason_len);
	h1_fill_headers(p, buf, resp->headers, &resp->nheaders);
	if (h1_framing(resp->headers, resp->nheaders, &f, &e) == -1)
		return h1_fail(p, e, 0);
	resp->content_length = f.cl;
	resp->chunked = 0;
	resp->keep_alive = h1_keep_alive(resp->minor, &f);
	if (f.te.present) {
		if (resp->minor == 0)
			return h1_fail(p, H1_E_TE_HTTP10, 0);
		if (f.te.malformed || f.te.ncodings == 0)
			return h1_fail(p, H1_E_TE_MALFORMED, 0);
		/* We never send TE, so only chunked may be applied. */
		if (f.te.other || !f.te.last_chunked)
			return h1_fail(p, H1_E_TE_UNKNOWN, 0);
		if (f.te.nchunked > 1)
			return h1_fail(p, H1_E_TE_TWICE, 0);
		resp->chunked = 1;
		/* RFC 9112 §6.3 (3): TE overrides CL; do not reuse. */
		if (f.cl != -1) {
			resp->content_length = -1;
			resp->keep_alive = 0;
		}
	}
	return (int)p->head_len;
}

int
h1_parse_response(struct h1_parser *p, const unsigned char *buf, size_t len,
    struct h1_response *resp, const char **err)
{
	int r;

	r = h1_resume(p, H1_KIND_RESPONSE, buf, len);
	if (r > 0)
		r = h1_response_finish(p, buf, resp);
	if (r == FAB_ERROR)
		*err = p->err_msg;
	return r;
}

size_t
h1_parser_error_offset(const struct h1_parser *p)
{
	return p->err_offset;
}

const struct h1_header *
h1_header_find(const struct h1_header *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (span_case_eq_str(h[i].name, name))
			return &h[i];
	return NULL;
}

const struct h1_header *
h1_header_get(const struct h1_request *req, const char *name)
{
	return h1_header_find(req->headers, req->nheaders, name);
}

const struct h1_header *
h1_response_header_get(const struct h1_response *resp, const char *name)
{
	return h1_header_find(resp->headers, resp->nheaders, name);
}

int
h1_response_has_body(const struct h1_response *resp, int request_was_head)
{
	if (request_was_head)
		return 0;
	return !(
	    resp->status < 200 || resp->status == 204 || resp->status == 304);
}

enum h1_body
h1_response_body(const struct h1_response *resp, int request_was_head)
{
	if (!h1_response_has_body(resp, request_was_head))
		return H1_BODY_NONE;
	if (resp->chunked)
		return H1_BODY_CHUNKED;
	if (resp->content_length >= 0)
		return H1_BODY_LENGTH;
	return H1_BODY_CLOSE;
}

void
h1_chunked_init(struct h1_chunked *c)
{
	memset(c, 0, sizeof(*c));
	c->state = H1_C_SIZE_START;
}

int
h1_chunked_done(const struct h1_chunked *c)
{
	return c->state == H1_C_DONE;
}

static int
h1_chunked_fail(struct h1_chunked *c, const char *msg, const char **err)
{
	c->state = H1_C_ERROR;
	c->err_msg = msg;
	*err = msg;
	return FAB_ERROR;
}

/* Counts a byte of the chunk-size line against H1_MAX_CHUNK_LINE. */
static int
h1_chunk_line_byte(struct h1_chunked *c)
{
	return ++c->line_len > H1_MAX_CHUNK_LINE ? -1 : 0;
}

int
h1_chunked_decode(struct h1_chunked *c, const unsigned char *in, size_t len,
    size_t *data_off, size_t *data_len, const char **err)
{
	size_t i = 0, n;
	int ch, d;

	*data_off = 0;
	*data_len = 0;
	if (c->state == H1_C_ERROR) {
		*err = c->err_msg;
		return FAB_ERROR;
	}
	if (len > INT_MAX)
		len = INT_MAX;
	while (i < len && c->state != H1_C_DONE) {
		ch = in[i];
		switch (c->state) {
		case H1_C_SIZE_START:
			/* RFC 9112 §7.1: chunk-size = 1*HEXDIG */
			if ((d = hex_digit(ch)) < 0)
				return h1_chunked_fail(
				    c, "invalid chunk size", err);
			c->remaining = (uint64_t)d;
			c->line_len = 1;
			c->state = H1_C_SIZE;
			break;
		case H1_C_SIZE:
			if (ch == '\r') {
				c->state = H1_C_SIZE_LF;
				break;
			}
			if (h1_chunk_line_byte(c) == -1)
				return h1_chunked_fail(
				    c, "chunk size line too long", err);
			if ((d = hex_digit(ch)) >= 0) {
				if (c->remaining >
				    (uint64_t)(H1_MAX_BODY - d) / 16)
					return h1_chunked_fail(
					    c, "chunk size too large", err);
				c->remaining = c->remaining * 16 + (uint64_t)d;
			} else if (ch == ';')
				c->state = H1_C_EXT;
			else if (h1_is_ows(ch))
				c->state = H1_C_EXT_WS;
			else
				return h1_chunked_fail(
				    c, "invalid chunk size", err);
			break;
		case H1_C_EXT_WS:
			/* BWS is only allowed before ";" (§7.1.1). */
			if (h1_chunk_line_byte(c) == -1)
				return h1_chunked_fail(
				    c, "chunk size line too long", err);
			if (ch == ';')
				c->state = H1_C_EXT;
			else if (!h1_is_ows(ch))
				return h1_chunked_fail(
				    c, "invalid chunk extension", err);
			break;
		case H1_C_EXT:
			if (ch == '\r') {
				c->state = H1_C_SIZE_LF;
				break;
			}
			if (h1_chunk_line_byte(c) == -1)
				return h1_chunked_fail(
				    c, "chunk size line too long", err);
			if (!h1_is_ows(ch) && !h1_is_vchar(ch))
				return h1_chunked_fail(
				    c, "invalid chunk extension", err);
			break;
		case H1_C_SIZE_LF:
			if (ch != '\n')
				return h1_chunked_fail(c,
				    "chunk size line not ended by CRLF", err);
			if (c->remaining == 0) {
				c->trailer_len = 0;
				c->state = H1_C_TRAILER_START;
			} else
				c->state = H1_C_DATA;
			break;
		case H1_C_DATA:
			n = len - i;
			if (n > c->remaining)
				n = (size_t)c->remaining;
			*data_off = i;
			*data_len = n;
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = H1_C_DATA_CR;
			return (int)(i + n);
		case H1_C_DATA_CR:
			if (ch != '\r')
				return h1_chunked_fail(
				    c, "chunk data not followed by CRLF", err);
			c->state = H1_C_DATA_LF;
			break;
		case H1_C_DATA_LF:
			if (ch != '\n')
				return h1_chunked_fail(
				    c, "chunk data not followed by CRLF", err);
			c->state = H1_C_SIZE_START;
			break;
		case H1_C_TRAILER_START:
		case H1_C_TRAILER_NAME:
		case H1_C_TRAILER_VALUE:
		case H1_C_TRAILER_LF:
		case H1_C_END_LF:
			if (++c->trailer_len > H1_MAX_HEAD)
				return h1_chunked_fail(
				    c, "trailer section too large", err);
			if (c->state == H1_C_TRAILER_START) {
				if (ch == '\r')
					c->state = H1_C_END_LF;
				else if (h1_is_tchar(ch))
					c->state = H1_C_TRAILER_NAME;
				else
					return h1_chunked_fail(
					    c, "invalid trailer field", err);
			} else if (c->state == H1_C_TRAILER_NAME) {
				if (ch == ':')
					c->state = H1_C_TRAILER_VALUE;
				else if (!h1_is_tchar(ch))
					return h1_chunked_fail(
					    c, "invalid trailer field", err);
			} else if (c->state == H1_C_TRAILER_VALUE) {
				if (ch == '\r')
					c->state = H1_C_TRAILER_LF;
				else if (!h1_is_ows(ch) && !h1_is_vchar(ch))
					return h1_chunked_fail(
					    c, "invalid trailer field", err);
			} else {
				if (ch != '\n')
					return h1_chunked_fail(c,
					    "trailer line not ended by CRLF",
					    err);
				c->state = c->state == H1_C_END_LF
				    ? H1_C_DONE
				    : H1_C_TRAILER_START;
			}
			break;
		case H1_C_DONE:
		case H1_C_ERROR:
			/* Not reached: the loop and the entry check. */
			break;
		}
		i++;
	}
	return (int)i;
}
