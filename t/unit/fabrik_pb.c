/*
 * Unit tests for src/pb/fabrik_pb.c: the Fabrik protocol messages encode
 * to hand-computed bytes and decode back, the method table dispatches,
 * fabrik_pb_check_request and fabrik_pb_check_get_response enforce the
 * protocol rules; and the upstream's URL check (upstream/fabrikup).
 */
#include <string.h>

#include "pb/fabrik_pb.h"
#include "tap.h"
#include "upstream/fabrikup.h"

int main(void);

static unsigned char k1[32], k2[32];

static void
keys_init(void)
{
	int i;

	for (i = 0; i < 32; i++) {
		k1[i] = (unsigned char)i;
		k2[i] = (unsigned char)(0xff - i);
	}
}

/* Encodes msg, compares with want, decodes into out (arena a). */
static void
roundtrip(const struct pb_msgdesc *d, const void *msg, const struct buf *want,
    void *out, struct pb_arena *a, const char *name)
{
	struct buf b;
	const char *err = "";

	buf_init(&b);
	is_int(pb_encode(d, msg, &b), 0, name);
	is_mem(b.data, b.len, want->data, want->len, name);
	pb_arena_init(a);
	is_int(pb_decode(d, want->data, want->len, out, a, &err), 0, name);
	buf_release(&b);
}

static void
test_exists(void)
{
	struct fabrik_pb_exists_request rq, d;
	struct fabrik_pb_exists_response rs, dr;
	struct span keys[2];
	struct pb_arena a;
	struct buf w;
	const char *err = "";

	buf_init(&w);
	keys[0] = span_make(k1, 32);
	keys[1] = span_make(k2, 32);
	memset(&rq, 0, sizeof(rq));
	rq.keys = keys;
	rq.n_keys = 2;
	rq.ns = span_str("gradle");
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k1, 32) ||
	    buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k2, 32) ||
	    buf_append(&w, "\x12\x06gradle", 8))
		ok(0, "buf");
	roundtrip(
	    &fabrik_pb_exists_request_desc, &rq, &w, &d, &a, "ExistsRequest");
	ok(d.n_keys == 2 && span_eq(d.keys[0], keys[0]) &&
		span_eq(d.keys[1], keys[1]) && span_eq_str(d.ns, "gradle"),
	    "ExistsRequest fields");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_exists_request_desc, &d, true, &err),
	    0, "ExistsRequest valid");
	d.keys[1].len = 31;
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_exists_request_desc, &d, true, &err),
	    -1, "31-byte key rejected");
	is_str(err, "key must be 32 bytes", "key error");
	d.n_keys = FABRIK_PB_MAX_EXISTS_KEYS + 1;
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_exists_request_desc, &d, true, &err),
	    -1, "too many keys rejected");
	pb_arena_release(&a);

	memset(&rs, 0, sizeof(rs));
	rs.keys = &keys[1];
	rs.n_keys = 1;
	buf_reset(&w);
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k2, 32))
		ok(0, "buf");
	roundtrip(&fabrik_pb_exists_response_desc, &rs, &w, &dr, &a,
	    "ExistsResponse");
	ok(dr.n_keys == 1 && span_eq(dr.keys[0], keys[1]), "found key");
	pb_arena_release(&a);
	buf_release(&w);
}

static void
test_get_put(void)
{
	struct fabrik_pb_get_request gq, dgq;
	struct fabrik_pb_get_response gr, dgr;
	struct fabrik_pb_put_request pq, dpq;
	struct fabrik_pb_put_response pr, dpr;
	struct pb_arena a;
	struct buf w;
	const char *err = "";

	buf_init(&w);
	memset(&gq, 0, sizeof(gq));
	gq.key = span_make(k1, 32);
	gq.ns = span_str("bazel");
	gq.offset = 16384;
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k1, 32) ||
	    buf_append(&w,
		"\x12\x05"
		"bazel"
		"\x18\x80\x80\x01",
		11))
		ok(0, "buf");
	roundtrip(&fabrik_pb_get_request_desc, &gq, &w, &dgq, &a, "GetRequest");
	ok(dgq.offset == 16384 && span_eq_str(dgq.ns, "bazel"),
	    "GetRequest fields");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_get_request_desc, &dgq, true, &err),
	    0, "GetRequest valid");
	pb_arena_release(&a);

	memset(&gr, 0, sizeof(gr));
	gr.size = 5;
	gr.sha256 = span_make(k2, 32);
	gr.data = span_str("hello");
	buf_reset(&w);
	if (buf_append(&w, "\x08\x05\x12\x20", 4) || buf_append(&w, k2, 32) ||
	    buf_append(&w, "\x1a\x05hello", 7))
		ok(0, "buf");
	roundtrip(&fabrik_pb_get_response_desc, &gr, &w, &dgr, &a,
	    "GetResponse (first)");
	ok(dgr.size == 5 && span_eq(dgr.sha256, gr.sha256) &&
		span_eq_str(dgr.data, "hello"),
	    "GetResponse fields");
	pb_arena_release(&a);

	memset(&pq, 0, sizeof(pq));
	pq.key = span_make(k1, 32);
	pq.ns = span_str("gradle");
	pq.size = 5;
	pq.sha256 = span_make(k2, 32);
	pq.data = span_str("he");
	buf_reset(&w);
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k1, 32) ||
	    buf_append(&w, "\x12\x06gradle\x18\x05\x22\x20", 12) ||
	    buf_append(&w, k2, 32) || buf_append(&w, "\x2a\x02he", 4))
		ok(0, "buf");
	roundtrip(&fabrik_pb_put_request_desc, &pq, &w, &dpq, &a,
	    "PutRequest (first)");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, true, &err),
	    0, "first PutRequest valid");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, false, &err),
	    -1, "header in a later Put message rejected");
	dpq.sha256.len = 0;
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, true, &err),
	    -1, "first Put without sha256 rejected");
	pb_arena_release(&a);

	memset(&pq, 0, sizeof(pq));
	pq.data = span_str("llo");
	buf_reset(&w);
	if (buf_append(&w, "\x2a\x03llo", 5))
		ok(0, "buf");
	roundtrip(&fabrik_pb_put_request_desc, &pq, &w, &dpq, &a,
	    "PutRequest (later chunk)");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, false, &err),
	    0, "data-only Put message valid");
	dpq.data.len = FABRIK_PB_MAX_CHUNK + 1;
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, false, &err),
	    -1, "chunk over FABRIK_PB_MAX_CHUNK rejected");
	pb_arena_release(&a);

	memset(&pr, 0, sizeof(pr));
	pr.committed_size = 5;
	pr.already_present = true;
	buf_reset(&w);
	if (buf_append(&w, "\x08\x05\x10\x01", 4))
		ok(0, "buf");
	roundtrip(
	    &fabrik_pb_put_response_desc, &pr, &w, &dpr, &a, "PutResponse");
	ok(dpr.committed_size == 5 && dpr.already_present, "PutResponse");
	pb_arena_release(&a);
	buf_release(&w);
}

static void
test_delete_stats(void)
{
	struct fabrik_pb_delete_request dq, ddq;
	struct fabrik_pb_delete_response dr, ddr;
	struct fabrik_pb_get_stats_request sq, dsq;
	struct fabrik_pb_get_stats_response sr, dsr;
	struct fabrik_pb_namespace_stats ns;
	struct pb_arena a;
	struct buf w;
	const char *err = "";

	buf_init(&w);
	memset(&dq, 0, sizeof(dq));
	dq.key = span_make(k2, 32);
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k2, 32))
		ok(0, "buf");
	roundtrip(
	    &fabrik_pb_delete_request_desc, &dq, &w, &ddq, &a, "DeleteRequest");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_delete_request_desc, &ddq, true, &err),
	    0, "DeleteRequest valid");
	ddq.ns = span_make(k1, 32);
	ddq.ns.len = FABRIK_PB_MAX_NAMESPACE + 1;
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_delete_request_desc, &ddq, true, &err),
	    -1, "namespace over FABRIK_PB_MAX_NAMESPACE rejected");
	pb_arena_release(&a);

	dr.deleted = true;
	buf_reset(&w);
	if (buf_append(&w, "\x08\x01", 2))
		ok(0, "buf");
	roundtrip(&fabrik_pb_delete_response_desc, &dr, &w, &ddr, &a,
	    "DeleteResponse");
	ok(ddr.deleted, "deleted");
	pb_arena_release(&a);

	memset(&sq, 0, sizeof(sq));
	buf_reset(&w);
	roundtrip(&fabrik_pb_get_stats_request_desc, &sq, &w, &dsq, &a,
	    "GetStatsRequest (all namespaces) is empty");
	pb_arena_release(&a);

	memset(&sr, 0, sizeof(sr));
	memset(&ns, 0, sizeof(ns));
	sr.objects = 2;
	sr.bytes = 300;
	sr.hits = 1;
	ns.ns = span_str("gradle");
	ns.objects = 2;
	sr.namespaces = &ns;
	sr.n_namespaces = 1;
	buf_reset(&w);
	if (buf_append(&w,
		"\x08\x02\x10\xac\x02\x18\x01\x2a\x0a\x0a\x06gradle"
		"\x10\x02",
		19))
		ok(0, "buf");
	roundtrip(&fabrik_pb_get_stats_response_desc, &sr, &w, &dsr, &a,
	    "GetStatsResponse");
	ok(dsr.objects == 2 && dsr.bytes == 300 && dsr.hits == 1 &&
		dsr.misses == 0 && dsr.n_namespaces == 1 &&
		span_eq_str(dsr.namespaces[0].ns, "gradle") &&
		dsr.namespaces[0].objects == 2,
	    "GetStatsResponse fields");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_get_stats_response_desc, &dsr, true, &err),
	    -1, "a response type is not a request");
	pb_arena_release(&a);
	buf_release(&w);
}

/* The metadata and namespace fields of the first Get and Put messages. */
static void
test_meta(void)
{
	struct fabrik_pb_get_response gr, dgr;
	struct fabrik_pb_put_request pq, dpq;
	unsigned char big[FABRIK_PB_MAX_META + 1];
	struct pb_arena a;
	struct buf w;
	const char *err = "";

	buf_init(&w);
	memset(big, 'm', sizeof(big));
	memset(&gr, 0, sizeof(gr));
	gr.size = 3;
	gr.sha256 = span_make(k2, 32);
	gr.data = span_str("abc");
	gr.meta = span_str("\x01md");
	gr.ns = span_str("turbo");
	if (buf_append(&w, "\x08\x03\x12\x20", 4) || buf_append(&w, k2, 32) ||
	    buf_append(&w,
		"\x1a\x03"
		"abc"
		"\x22\x03\x01md"
		"\x2a\x05turbo",
		17))
		ok(0, "buf");
	roundtrip(&fabrik_pb_get_response_desc, &gr, &w, &dgr, &a,
	    "GetResponse with meta (4) and namespace (5)");
	ok(span_eq_str(dgr.meta, "\x01md") && span_eq_str(dgr.ns, "turbo"),
	    "GetResponse meta and namespace decode");
	is_int(fabrik_pb_check_get_response(&dgr, true, &err), 0,
	    "first GetResponse valid");
	is_int(fabrik_pb_check_get_response(&dgr, false, &err), -1,
	    "a later GetResponse with a header is rejected");
	is_str(err, "only the first Get message has a header", "its error");
	dgr.sha256.len = 31;
	is_int(fabrik_pb_check_get_response(&dgr, true, &err), -1,
	    "first GetResponse with a 31-byte sha256 rejected");
	dgr.sha256.len = 32;
	dgr.size = 2;
	is_int(fabrik_pb_check_get_response(&dgr, true, &err), -1,
	    "first GetResponse with more data than size rejected");
	dgr.size = 3;
	dgr.meta = span_make(big, sizeof(big));
	is_int(fabrik_pb_check_get_response(&dgr, true, &err), -1,
	    "GetResponse metadata over FABRIK_PB_MAX_META rejected");
	is_str(err, "metadata too large", "its error");
	memset(&dgr, 0, sizeof(dgr));
	dgr.data = span_str("more");
	is_int(fabrik_pb_check_get_response(&dgr, false, &err), 0,
	    "a data-only later GetResponse is valid");
	dgr.data.len = FABRIK_PB_MAX_CHUNK + 1;
	is_int(fabrik_pb_check_get_response(&dgr, false, &err), -1,
	    "a GetResponse chunk over FABRIK_PB_MAX_CHUNK rejected");
	pb_arena_release(&a);

	memset(&pq, 0, sizeof(pq));
	pq.key = span_make(k1, 32);
	pq.ns = span_str("nx");
	pq.sha256 = span_make(k2, 32);
	pq.meta = span_str("md");
	buf_reset(&w);
	if (buf_append(&w, "\x0a\x20", 2) || buf_append(&w, k1, 32) ||
	    buf_append(&w, "\x12\x02nx\x22\x20", 6) || buf_append(&w, k2, 32) ||
	    buf_append(&w, "\x32\x02md", 4))
		ok(0, "buf");
	roundtrip(&fabrik_pb_put_request_desc, &pq, &w, &dpq, &a,
	    "PutRequest with meta (6)");
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, true, &err),
	    0, "first PutRequest with meta valid");
	memset(&dpq.key, 0, sizeof(dpq.key));
	dpq.ns = span_make(NULL, 0);
	dpq.sha256 = span_make(NULL, 0);
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, false, &err),
	    -1, "meta in a later Put message rejected");
	dpq.key = span_make(k1, 32);
	dpq.sha256 = span_make(k2, 32);
	dpq.meta = span_make(big, sizeof(big));
	is_int(fabrik_pb_check_request(
		   &fabrik_pb_put_request_desc, &dpq, true, &err),
	    -1, "Put metadata over FABRIK_PB_MAX_META rejected");
	is_str(err, "metadata too large", "its error");
	pb_arena_release(&a);
	buf_release(&w);
}

static void
test_url(void)
{
	static const char *const good[] = { "grpc://127.0.0.1:7070",
		"grpcs://cache.example.com:443/", "grpc://[::1]:7070",
		"grpc://host", "grpcs://[2001:db8::1]" };
	static const char *const bad[] = { "http://h:1", "grpc://",
		"grpc://:7070", "grpc://h:0", "grpc://h:65536", "grpc://h:x",
		"grpc://h:1/path", "grpc://h/x", "grpc://u@h:1", "grpc://h?x",
		"grpc://[::1", "grpc://[]:1", "grpcs://h:1//" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(fabrikup_check_url(good[i]) == NULL, "URL accepted: %s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(fabrikup_check_url(bad[i]) != NULL, "URL refused: %s",
		    bad[i]);
}

static void
test_rpcs(void)
{
	const struct pb_rpc *r;
	const char *err = "";
	size_t i;
	int bad = 0;

	is_int(fabrik_pb_nrpcs, 5, "five methods");
	r = pb_rpc_find(
	    fabrik_pb_rpcs, fabrik_pb_nrpcs, "/fabrik.v1.FabrikCache/Get", 26);
	ok(r != NULL && r->request == &fabrik_pb_get_request_desc &&
		r->flags == PB_RPC_SERVER_STREAM,
	    "Get is server streaming");
	r = pb_rpc_find(
	    fabrik_pb_rpcs, fabrik_pb_nrpcs, "/fabrik.v1.FabrikCache/Put", 26);
	ok(r != NULL && r->flags == PB_RPC_CLIENT_STREAM,
	    "Put is client streaming");
	ok(pb_rpc_find(fabrik_pb_rpcs, fabrik_pb_nrpcs,
	       "/fabrik.v1.FabrikCache/Ge", 25) == NULL,
	    "prefix does not match");
	for (i = 0; i < fabrik_pb_nrpcs; i++)
		if (pb_msgdesc_check(fabrik_pb_rpcs[i].request, &err) != 0 ||
		    pb_msgdesc_check(fabrik_pb_rpcs[i].response, &err) != 0)
			bad++;
	is_int(bad, 0, "descriptor tables well formed");
	is_int(pb_msgdesc_check(&fabrik_pb_namespace_stats_desc, &err), 0,
	    "NamespaceStats well formed");
}

int
main(void)
{
	keys_init();
	test_exists();
	test_get_put();
	test_delete_stats();
	test_meta();
	test_url();
	test_rpcs();
	return done_testing();
}
