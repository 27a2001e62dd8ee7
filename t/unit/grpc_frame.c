/*
 * Unit tests for http/grpc_frame: message framing and reassembly across
 * arbitrary DATA splits, the size limit, grpc-timeout, grpc-message
 * percent-encoding and the status tables.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/grpc_frame.h"
#include "http/h2_frame.h"
#include "tap.h"

int main(void);

/* Feeds all of in, split into pieces of at most chunk octets, collecting
 * every message into out as "<flag>:<len>;" records plus the bytes. */
static int
feed(struct grpc_frame_reader *r, const struct buf *in, size_t chunk,
    struct buf *out, const char **err)
{
	struct grpc_frame_message m;
	size_t off = 0, n, used;
	int got, k;

	while (off < in->len) {
		n = in->len - off < chunk ? in->len - off : chunk;
		used = 0;
		do {
			k = grpc_frame_read(
			    r, in->data + off + used, n - used, &m, &got, err);
			if (k < 0)
				return k;
			used += (size_t)k;
			if (got &&
			    (buf_printf(out, "%d:%zu;", m.compressed,
				 m.data.len) == -1 ||
				buf_append(out, m.data.p, m.data.len) == -1))
				return -1;
		} while (used < n || got);
		off += n;
	}
	return 0;
}

static void
test_framing(void)
{
	static const size_t chunks[] = { 1, 2, 3, 5, 7, 16384, 1 << 20 };
	struct grpc_frame_reader r;
	struct buf in, want, out, big;
	const char *err = NULL;
	size_t i;
	int good = 1;

	buf_init(&in);
	buf_init(&want);
	buf_init(&out);
	buf_init(&big);
	ok(grpc_frame_write(&in, 0, "\x0a\x04main", 6) == 0, "write message");
	is_mem(in.data, in.len, "\0\0\0\0\x06\x0a\x04main", 11,
	    "GetCapabilitiesRequest{instance_name: main} framing");
	for (i = 0; i < 70000; i++)
		if (buf_putc(&big, (int)(i % 251)) == -1)
			abort();
	if (grpc_frame_write(&in, 0, NULL, 0) == -1 ||
	    grpc_frame_write(&in, 1, "zz", 2) == -1 ||
	    grpc_frame_write(&in, 0, big.data, big.len) == -1 ||
	    grpc_frame_write(&in, 0, NULL, 0) == -1)
		abort();
	if (buf_printf(&want, "0:6;\x0a\x04main0:0;1:2;zz0:70000;") == -1 ||
	    buf_append(&want, big.data, big.len) == -1 ||
	    buf_append_str(&want, "0:0;") == -1)
		abort();
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		grpc_frame_reader_init(&r, 0);
		buf_reset(&out);
		if (feed(&r, &in, chunks[i], &out, &err) != 0 ||
		    out.len != want.len ||
		    memcmp(out.data, want.data, want.len) != 0 ||
		    !grpc_frame_reader_idle(&r)) {
			diag("split every %zu octets fails", chunks[i]);
			good = 0;
		}
		ok(r.cap <= 70000, "buffer never above the largest message");
		grpc_frame_reader_release(&r);
	}
	ok(good, "5 messages reassembled across every DATA split");

	/* A partial message is visible at END_STREAM. */
	grpc_frame_reader_init(&r, 0);
	buf_reset(&out);
	buf_reset(&in);
	if (buf_append(&in,
		"\0\0\0\0\x03"
		"ab",
		7) == -1)
		abort();
	ok(feed(&r, &in, 100, &out, &err) == 0 && out.len == 0 &&
		!grpc_frame_reader_idle(&r),
	    "truncated message leaves the reader busy");
	grpc_frame_reader_release(&r);
	grpc_frame_reader_init(&r, 0);
	ok(feed(&r, &in, 3, &out, &err) == 0 && !grpc_frame_reader_idle(&r),
	    "partial prefix leaves the reader busy");
	grpc_frame_reader_release(&r);

	buf_release(&in);
	buf_release(&want);
	buf_release(&out);
	buf_release(&big);
}

static void
test_reader_limits(void)
{
	struct grpc_frame_reader r;
	struct grpc_frame_message m;
	struct buf in;
	const char *err = NULL;
	int got;

	buf_init(&in);
	grpc_frame_reader_init(&r, 0);
	is_int(r.max_message, GRPC_MAX_MESSAGE, "default limit");
	ok(grpc_frame_write_prefix(&in, 0, GRPC_MAX_MESSAGE) == 0,
	    "prefix at the limit");
	is_int(grpc_frame_read(&r, in.data, in.len, &m, &got, &err), 5,
	    "prefix of a max-size message accepted");
	ok(!got && r.cap == 0, "nothing allocated for an announced length");
	grpc_frame_reader_release(&r);

	grpc_frame_reader_init(&r, 100);
	buf_reset(&in);
	if (grpc_frame_write_prefix(&in, 0, 101) == -1)
		abort();
	is_int(grpc_frame_read(&r, in.data, in.len, &m, &got, &err), FAB_ERROR,
	    "length above the configured max rejected");
	is_str(err, "message larger than max", "limit message");
	grpc_frame_reader_release(&r);

	grpc_frame_reader_init(&r, 0);
	buf_reset(&in);
	if (grpc_frame_write_prefix(&in, 0, (size_t)GRPC_MAX_MESSAGE + 1) == -1)
		abort();
	is_int(grpc_frame_read(&r, in.data, in.len, &m, &got, &err), FAB_ERROR,
	    "GRPC_MAX_MESSAGE + 1 rejected");
	grpc_frame_reader_release(&r);

	grpc_frame_reader_init(&r, 0);
	is_int(grpc_frame_read(&r, (const unsigned char *)"\x02\0\0\0\0", 5, &m,
		   &got, &err),
	    FAB_ERROR, "compressed flag 2 rejected");
	is_str(err, "invalid compressed flag", "flag message");
	grpc_frame_reader_release(&r);

	buf_reset(&in);
	ok(grpc_frame_write_prefix(&in, 0, (size_t)UINT32_MAX + 1) == -1,
	    "prefix refuses more than 2^32-1");
	buf_release(&in);
}

static void
test_timeout(void)
{
	static const struct {
		const char *in;
		long long ms; /* -1: invalid */
	} cases[] = {
		{ "1H", 3600000 },
		{ "10S", 10000 },
		{ "100m", 100 },
		{ "500u", 1 },
		{ "5n", 1 },
		{ "1000u", 1 },
		{ "1001u", 2 },
		{ "2M", 120000 },
		{ "0m", 0 },
		{ "59999m", 59999 },
		{ "99999999H", 99999999LL * 3600000 },
		{ "99999999n", 100 },
		{ "00000001S", 1000 },
		{ "123456789S", -1 },
		{ "S", -1 },
		{ "", -1 },
		{ "10", -1 },
		{ "10s", -1 },
		{ "1 S", -1 },
		{ "-1S", -1 },
		{ "1.5S", -1 },
	};
	char out[GRPC_TIMEOUT_MAX_LEN + 1];
	uint64_t ms;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms = 12345;
		r = grpc_frame_parse_timeout(
		    cases[i].in, strlen(cases[i].in), &ms);
		if (cases[i].ms < 0)
			is_int(r, -1, cases[i].in);
		else
			ok(r == 0 && ms == (uint64_t)cases[i].ms,
			    "timeout %s = %lld ms (got %llu)", cases[i].in,
			    cases[i].ms, (unsigned long long)ms);
	}
	grpc_frame_format_timeout(out, 59999);
	is_str(out, "59999m", "format ms");
	grpc_frame_format_timeout(out, 100000000);
	is_str(out, "100000S", "format seconds past 8 digits of ms");
	grpc_frame_format_timeout(out, 100000001);
	is_str(out, "100001S", "format rounds up");
	grpc_frame_format_timeout(out, UINT64_MAX);
	is_str(out, "99999999H", "format saturates");
	ok(grpc_frame_parse_timeout(out, strlen(out), &ms) == 0 &&
		ms == 99999999ull * 3600000,
	    "formatted value parses");
}

static void
test_message(void)
{
	struct buf b;

	buf_init(&b);
	ok(grpc_frame_encode_message(&b, "not found", 9) == 0, "encode");
	is_str(buf_cstr(&b), "not found", "spaces stay literal");
	buf_reset(&b);
	ok(grpc_frame_encode_message(&b, "100% \xe2\x82\xac\n\x7f~", 11) == 0,
	    "encode");
	is_str(buf_cstr(&b), "100%25 %E2%82%AC%0A%7F~",
	    "percent, UTF-8, control octets escaped in uppercase");
	buf_reset(&b);
	ok(grpc_frame_decode_message(&b, "100%25 %e2%82%AC%0A%7F~", 23) == 0,
	    "decode");
	is_str(buf_cstr(&b), "100% \xe2\x82\xac\n\x7f~", "decode either case");
	buf_reset(&b);
	ok(grpc_frame_decode_message(&b, "50% off %4", 10) == 0, "decode");
	is_str(buf_cstr(&b), "50% off %4", "invalid escapes kept literally");
	buf_reset(&b);
	ok(grpc_frame_decode_message(&b, "%zz%", 4) == 0, "decode");
	is_str(buf_cstr(&b), "%zz%", "non-hex escape kept");
	buf_release(&b);
}

static void
test_status(void)
{
	int code = -1, i, good = 1;

	for (i = 0; i <= 16; i++)
		good &= (int)grpc_frame_statuses[i].code == i;
	ok(good, "status table indexed by code");
	is_str(grpc_frame_status_name(5), "NOT_FOUND", "name of 5");
	is_str(grpc_frame_status_name(16), "UNAUTHENTICATED", "name of 16");
	is_str(grpc_frame_status_name(17), "UNKNOWN", "name of 17");
	is_str(grpc_frame_status_name(-1), "UNKNOWN", "name of -1");
	ok(grpc_frame_parse_status("0", 1, &code) == 0 && code == 0, "0");
	ok(grpc_frame_parse_status("14", 2, &code) == 0 && code == 14, "14");
	ok(grpc_frame_parse_status("", 0, &code) == -1, "empty status");
	ok(grpc_frame_parse_status("1x", 2, &code) == -1, "non-digit status");
	ok(grpc_frame_parse_status("1000", 4, &code) == -1, "4 digits");
	is_int(grpc_frame_status_from_http(404), GRPC_STATUS_UNIMPLEMENTED,
	    "HTTP 404");
	is_int(grpc_frame_status_from_http(503), GRPC_STATUS_UNAVAILABLE,
	    "HTTP 503");
	is_int(grpc_frame_status_from_http(401), GRPC_STATUS_UNAUTHENTICATED,
	    "HTTP 401");
	is_int(
	    grpc_frame_status_from_http(500), GRPC_STATUS_UNKNOWN, "HTTP 500");
	is_int(grpc_frame_status_from_h2(H2_REFUSED_STREAM),
	    GRPC_STATUS_UNAVAILABLE, "REFUSED_STREAM");
	is_int(grpc_frame_status_from_h2(H2_CANCEL), GRPC_STATUS_CANCELLED,
	    "CANCEL");
	is_int(grpc_frame_status_from_h2(H2_ENHANCE_YOUR_CALM),
	    GRPC_STATUS_RESOURCE_EXHAUSTED, "ENHANCE_YOUR_CALM");
	is_int(grpc_frame_status_from_h2(H2_PROTOCOL_ERROR),
	    GRPC_STATUS_INTERNAL, "PROTOCOL_ERROR");
	is_int(grpc_frame_status_from_h2(0x1234), GRPC_STATUS_INTERNAL,
	    "unknown error code");
}

int
main(void)
{
	test_framing();
	test_reader_limits();
	test_timeout();
	test_message();
	test_status();
	return done_testing();
}
