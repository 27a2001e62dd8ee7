/*
 * gRPC message framing and metadata values (grpc/grpc
 * doc/PROTOCOL-HTTP2.md: Length-Prefixed-Message, Timeout,
 * Status-Message; doc/statuscodes.md; doc/http-grpc-status-mapping.md).
 *
 * Security: DATA payloads and header values come from the peer.  The
 * reassembler checks the announced length against max_message before
 * keeping anything and grows its buffer only as octets arrive, never past
 * the announced length, so a peer cannot make it reserve memory it has
 * not sent.  Timeout parsing accepts at most 8 digits (no overflow) and
 * percent-decoding only shrinks its input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/grpc_frame.h"
#include "http/h2_frame.h"

const struct grpc_frame_status_info grpc_frame_statuses[17] = {
	{ GRPC_STATUS_OK, "OK" },
	{ GRPC_STATUS_CANCELLED, "CANCELLED" },
	{ GRPC_STATUS_UNKNOWN, "UNKNOWN" },
	{ GRPC_STATUS_INVALID_ARGUMENT, "INVALID_ARGUMENT" },
	{ GRPC_STATUS_DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED" },
	{ GRPC_STATUS_NOT_FOUND, "NOT_FOUND" },
	{ GRPC_STATUS_ALREADY_EXISTS, "ALREADY_EXISTS" },
	{ GRPC_STATUS_PERMISSION_DENIED, "PERMISSION_DENIED" },
	{ GRPC_STATUS_RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED" },
	{ GRPC_STATUS_FAILED_PRECONDITION, "FAILED_PRECONDITION" },
	{ GRPC_STATUS_ABORTED, "ABORTED" },
	{ GRPC_STATUS_OUT_OF_RANGE, "OUT_OF_RANGE" },
	{ GRPC_STATUS_UNIMPLEMENTED, "UNIMPLEMENTED" },
	{ GRPC_STATUS_INTERNAL, "INTERNAL" },
	{ GRPC_STATUS_UNAVAILABLE, "UNAVAILABLE" },
	{ GRPC_STATUS_DATA_LOSS, "DATA_LOSS" },
	{ GRPC_STATUS_UNAUTHENTICATED, "UNAUTHENTICATED" },
};

/* HTTP status -> gRPC status for responses lacking grpc-status. */
static const struct {
	int http;
	enum grpc_status grpc;
} grpc_frame_http_map[] = {
	{ 400, GRPC_STATUS_INTERNAL },
	{ 401, GRPC_STATUS_UNAUTHENTICATED },
	{ 403, GRPC_STATUS_PERMISSION_DENIED },
	{ 404, GRPC_STATUS_UNIMPLEMENTED },
	{ 429, GRPC_STATUS_UNAVAILABLE },
	{ 431, GRPC_STATUS_INTERNAL },
	{ 502, GRPC_STATUS_UNAVAILABLE },
	{ 503, GRPC_STATUS_UNAVAILABLE },
	{ 504, GRPC_STATUS_UNAVAILABLE },
};

/* RST_STREAM error code -> gRPC status; codes not listed are INTERNAL. */
static const struct {
	uint32_t h2;
	enum grpc_status grpc;
} grpc_frame_h2_map[] = {
	{ H2_REFUSED_STREAM, GRPC_STATUS_UNAVAILABLE },
	{ H2_CANCEL, GRPC_STATUS_CANCELLED },
	{ H2_ENHANCE_YOUR_CALM, GRPC_STATUS_RESOURCE_EXHAUSTED },
	{ H2_INADEQUATE_SECURITY, GRPC_STATUS_PERMISSION_DENIED },
};

/* grpc-timeout units and their length in nanoseconds. */
static const struct {
	char unit;
	uint64_t ns;
} grpc_frame_units[] = {
	{ 'H', 3600000000000ull },
	{ 'M', 60000000000ull },
	{ 'S', 1000000000ull },
	{ 'm', 1000000ull },
	{ 'u', 1000ull },
	{ 'n', 1ull },
};

#define GRPC_FRAME_NUNITS \
	(sizeof(grpc_frame_units) / sizeof(grpc_frame_units[0]))

const char *
grpc_frame_status_name(int code)
{
	if (code < 0 || code > GRPC_STATUS_UNAUTHENTICATED)
		return "UNKNOWN";
	return grpc_frame_statuses[code].name;
}

int
grpc_frame_parse_status(const char *s, size_t len, int *code)
{
	size_t i;
	int v = 0;

	if (len == 0 || len > 3)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*code = v;
	return 0;
}

enum grpc_status
grpc_frame_status_from_http(int http_status)
{
	size_t i;

	for (i = 0;
	     i < sizeof(grpc_frame_http_map) / sizeof(grpc_frame_http_map[0]);
	     i++)
		if (grpc_frame_http_map[i].http == http_status)
			return grpc_frame_http_map[i].grpc;
	return GRPC_STATUS_UNKNOWN;
}

enum grpc_status
grpc_frame_status_from_h2(uint32_t h2_error)
{
	size_t i;

	for (i = 0;
	     i < sizeof(grpc_frame_h2_map) / sizeof(grpc_frame_h2_map[0]); i++)
		if (grpc_frame_h2_map[i].h2 == h2_error)
			return grpc_frame_h2_map[i].grpc;
	return GRPC_STATUS_INTERNAL;
}

/* ------------------------------------------------------------------ */
/* Length-Prefixed-Message */

void
grpc_frame_reader_init(struct grpc_frame_reader *r, size_t max_message)
{
	r->max_message = max_message == 0 ? GRPC_MAX_MESSAGE : max_message;
	r->prefix_have = 0;
	r->msg_len = 0;
	r->data = NULL;
	r->msg_have = 0;
	r->cap = 0;
	r->ready = 0;
}

void
grpc_frame_reader_release(struct grpc_frame_reader *r)
{
	free(r->data);
	grpc_frame_reader_init(r, r->max_message);
}

int
grpc_frame_reader_idle(const struct grpc_frame_reader *r)
{
	return r->prefix_have == 0 || r->ready;
}

/* Room for n more octets, growing geometrically but never past msg_len. */
static int
reader_reserve(struct grpc_frame_reader *r, size_t n)
{
	unsigned char *p;
	size_t need = r->msg_have + n, ncap;

	if (need <= r->cap)
		return 0;
	ncap = r->cap < 4096 ? 4096 : r->cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap > r->msg_len)
		ncap = r->msg_len;
	if ((p = realloc(r->data, ncap)) == NULL)
		return -1;
	r->data = p;
	r->cap = ncap;
	return 0;
}

int
grpc_frame_read(struct grpc_frame_reader *r, const unsigned char *p, size_t len,
    struct grpc_frame_message *m, int *got, const char **err)
{
	size_t used = 0, n;

	*got = 0;
	if (r->ready) {
		/* The previous message has been handed out. */
		r->ready = 0;
		r->prefix_have = 0;
		r->msg_have = 0;
	}
	while (used < len && !r->ready) {
		if (r->prefix_have < GRPC_FRAME_PREFIX_LEN) {
			n = GRPC_FRAME_PREFIX_LEN - r->prefix_have;
			if (n > len - used)
				n = len - used;
			memcpy(r->prefix + r->prefix_have, p + used, n);
			r->prefix_have += n;
			used += n;
			if (r->prefix_have < GRPC_FRAME_PREFIX_LEN)
				break;
			if (r->prefix[0] > 1) {
				*err = "invalid compressed flag";
				return FAB_ERROR;
			}
			r->msg_len = (uint32_t)r->prefix[1] << 24 |
			    (uint32_t)r->prefix[2] << 16 |
			    (uint32_t)r->prefix[3] << 8 | r->prefix[4];
			if (r->msg_len > r->max_message) {
				*err = "message larger than max";
				return FAB_ERROR;
			}
		} else {
			n = r->msg_len - r->msg_have;
			if (n > len - used)
				n = len - used;
			if (reader_reserve(r, n) == -1) {
				*err = "out of memory";
				return FAB_ERROR;
			}
			memcpy(r->data + r->msg_have, p + used, n);
			r->msg_have += n;
			used += n;
		}
		if (r->msg_have == r->msg_len)
			r->ready = 1;
	}
	/* A zero-length message completes with its prefix. */
	if (!r->ready && r->prefix_have == GRPC_FRAME_PREFIX_LEN &&
	    r->msg_have == r->msg_len)
		r->ready = 1;
	if (r->ready) {
		*got = 1;
		m->compressed = r->prefix[0];
		m->data = span_make(r->data, r->msg_have);
	}
	return (int)used;
}

int
grpc_frame_write_prefix(struct buf *out, int compressed, size_t len)
{
	unsigned char h[GRPC_FRAME_PREFIX_LEN];

	if (len > UINT32_MAX)
		return -1;
	h[0] = compressed ? 1 : 0;
	h[1] = (unsigned char)(len >> 24);
	h[2] = (unsigned char)(len >> 16);
	h[3] = (unsigned char)(len >> 8);
	h[4] = (unsigned char)len;
	return buf_append(out, h, sizeof(h));
}

int
grpc_frame_write(struct buf *out, int compressed, const void *msg, size_t len)
{
	if (grpc_frame_write_prefix(out, compressed, len) == -1)
		return -1;
	return buf_append(out, msg, len);
}

/* ------------------------------------------------------------------ */
/* grpc-timeout */

int
grpc_frame_parse_timeout(const char *s, size_t len, uint64_t *ms)
{
	uint64_t v = 0, ns;
	size_t i;

	if (len < 2 || len > GRPC_TIMEOUT_MAX_LEN)
		return -1;
	for (i = 0; i < len - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	for (i = 0; i < GRPC_FRAME_NUNITS; i++) {
		if (grpc_frame_units[i].unit != s[len - 1])
			continue;
		/* v < 10^8, ns <= 3.6e12: both products fit in 64 bits
		 * after dividing by 10^6 first where the unit allows. */
		ns = grpc_frame_units[i].ns;
		if (ns >= 1000000ull)
			*ms = v * (ns / 1000000ull);
		else
			*ms = (v * ns + 999999ull) / 1000000ull;
		return 0;
	}
	return -1;
}

void
grpc_frame_format_timeout(char *out, uint64_t ms)
{
	static const struct {
		char unit;
		uint64_t ms;
	} steps[] = { { 'm', 1 }, { 'S', 1000 }, { 'M', 60000 },
		{ 'H', 3600000 } };
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		/* Round up so the peer never sees a shorter deadline. */
		v = ms / steps[i].ms + (ms % steps[i].ms != 0);
		if (v <= 99999999u)
			break;
	}
	if (i == sizeof(steps) / sizeof(steps[0])) {
		i--;
		v = 99999999u;
	}
	snprintf(out, GRPC_TIMEOUT_MAX_LEN + 1, "%llu%c", (unsigned long long)v,
	    steps[i].unit);
}

/* ------------------------------------------------------------------ */
/* grpc-message */

int
grpc_frame_encode_message(struct buf *out, const void *msg, size_t len)
{
	static const char hexd[] = "0123456789ABCDEF";
	const unsigned char *p = msg;
	unsigned char esc[3];
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] >= 0x20 && p[i] <= 0x7e && p[i] != '%') {
			if (buf_putc(out, p[i]) == -1)
				return -1;
			continue;
		}
		esc[0] = '%';
		esc[1] = (unsigned char)hexd[p[i] >> 4];
		esc[2] = (unsigned char)hexd[p[i] & 0xf];
		if (buf_append(out, esc, 3) == -1)
			return -1;
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
grpc_frame_decode_message(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int hi, lo;

	if (buf_reserve(out, len) == -1)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			if (buf_putc(out, hi << 4 | lo) == -1)
				return -1;
			i += 2;
			continue;
		}
		if (buf_putc(out, s[i]) == -1)
			return -1;
	}
	return 0;
}
