/*
 * Unit tests for src/pb/reapi.c: every conformance vector in
 * t/data/reapi/vectors.txt is decoded, its fields are checked against the
 * values of NAME.txtpb (transcribed by hand below), it is re-encoded to
 * exactly the same bytes, and NAME.grpc is checked to be the 5-byte gRPC
 * prefix (00, big-endian length) plus NAME.bin.  Also the ByteStream
 * resource-name parser and the Digest check of src/tools/reapi.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "http/grpc_frame.h"
#include "pb/pb.h"
#include "pb/reapi.h"
#include "tap.h"
#include "tools/reapi.h"

int main(void);

#define HELLO "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
#define WORLD "486ea46224d1bb4fb680f34f7c9ad96a8f24ec88be73ea8e5a6c65260e9cb8a7"
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define UPLOAD "uploads/4f2a0a8c-5f8e-4b8e-9a4e-0d6b3c1e2f10/blobs/" HELLO "/5"

static int
digest_is(const struct reapi_digest *d, const char *hash, int64_t size)
{
	return d != NULL && span_eq_str(d->hash, hash) && d->size_bytes == size;
}

static int
status_is(const struct reapi_status *s, int32_t code, const char *msg)
{
	return s != NULL && s->code == code && span_eq_str(s->message, msg) &&
	    s->n_details == 0;
}

/* One check per vector: the .txtpb values. */
static void
chk_digest_empty(const void *m)
{
	const struct reapi_digest *d = m;

	ok(digest_is(d, EMPTY, 0), "digest_empty: hash, size 0");
}

static void
chk_digest_hello(const void *m)
{
	ok(digest_is(m, HELLO, 5), "digest_hello: hash, size 5");
}

static void
chk_caps_req_empty(const void *m)
{
	const struct reapi_get_capabilities_request *r = m;

	ok(r->instance_name.len == 0, "get_capabilities_request_empty");
}

static void
chk_caps_req_instance(const void *m)
{
	const struct reapi_get_capabilities_request *r = m;

	ok(span_eq_str(r->instance_name, "main"),
	    "get_capabilities_request_instance: main");
}

static void
chk_server_caps(const void *m)
{
	const struct reapi_server_capabilities *s = m;
	const struct reapi_cache_capabilities *c = s->cache_capabilities;

	ok(c != NULL, "server caps: cache_capabilities present");
	if (c == NULL)
		return;
	ok(c->n_digest_functions == 1 &&
		c->digest_functions[0] == REAPI_DIGEST_SHA256,
	    "digest_functions [SHA256]");
	ok(c->action_cache_update_capabilities != NULL &&
		c->action_cache_update_capabilities->update_enabled,
	    "update_enabled");
	ok(c->cache_priority_capabilities == NULL, "no priorities");
	is_int(c->max_batch_total_size_bytes, 4194304, "max batch size");
	is_int(c->symlink_absolute_path_strategy, REAPI_SYMLINK_ALLOWED,
	    "symlinks ALLOWED");
	ok(c->n_supported_compressors == 1 &&
		c->supported_compressors[0] == REAPI_COMPRESSOR_ZSTD,
	    "supported_compressors [ZSTD]");
	ok(c->n_supported_batch_update_compressors == 1 &&
		c->supported_batch_update_compressors[0] ==
		    REAPI_COMPRESSOR_ZSTD,
	    "supported_batch_update_compressors [ZSTD]");
	ok(c->max_cas_blob_size_bytes == 0 && !c->split_blob_support &&
		!c->splice_blob_support,
	    "unset cache fields are zero");
	ok(s->execution_capabilities == NULL &&
		s->deprecated_api_version == NULL,
	    "no execution caps");
	ok(s->low_api_version != NULL && s->low_api_version->major == 2 &&
		s->low_api_version->minor == 0,
	    "low_api_version 2.0");
	ok(s->high_api_version != NULL && s->high_api_version->major == 2 &&
		s->high_api_version->minor == 3 &&
		s->high_api_version->patch == 0,
	    "high_api_version 2.3");
}

static void
chk_fmb_req(const void *m)
{
	const struct reapi_find_missing_blobs_request *r = m;

	ok(r->instance_name.len == 0, "fmb request: no instance");
	ok(r->n_blob_digests == 2 && digest_is(&r->blob_digests[0], HELLO, 5) &&
		digest_is(&r->blob_digests[1], WORLD, 5),
	    "fmb request: hello, world");
	is_int(r->digest_function, REAPI_DIGEST_SHA256, "fmb: SHA256");
}

static void
chk_fmb_resp(const void *m)
{
	const struct reapi_find_missing_blobs_response *r = m;

	ok(r->n_missing_blob_digests == 1 &&
		digest_is(&r->missing_blob_digests[0], WORLD, 5),
	    "fmb response: world missing");
}

static void
chk_gar_req(const void *m)
{
	const struct reapi_get_action_result_request *r = m;

	ok(span_eq_str(r->instance_name, "main"), "gar: instance main");
	ok(digest_is(r->action_digest, HELLO, 5), "gar: action digest");
	ok(r->inline_stdout && r->inline_stderr, "gar: inline stdout/stderr");
	is_int(r->n_inline_output_files, 0, "gar: no inline files");
	is_int(r->digest_function, REAPI_DIGEST_SHA256, "gar: SHA256");
}

static void
chk_action_result(const void *m)
{
	const struct reapi_action_result *r = m;
	const struct reapi_output_file *f = r->output_files;

	ok(r->n_output_files == 1 && span_eq_str(f->path, "out/hello.txt") &&
		digest_is(f->digest, HELLO, 5) && f->is_executable &&
		f->contents.len == 0 && f->node_properties == NULL,
	    "action_result: one output file");
	is_int(r->exit_code, 0, "action_result: exit 0");
	ok(digest_is(r->stdout_digest, EMPTY, 0), "stdout_digest empty blob");
	ok(r->stderr_digest == NULL && r->stdout_raw.len == 0 &&
		r->stderr_raw.len == 0,
	    "no stderr digest, no raw output");
	ok(r->execution_metadata != NULL &&
		span_eq_str(r->execution_metadata->worker, "fabrik") &&
		r->execution_metadata->queued_timestamp == NULL,
	    "execution_metadata worker fabrik");
	ok(r->n_output_directories == 0 && r->n_output_symlinks == 0 &&
		r->n_output_file_symlinks == 0 &&
		r->n_output_directory_symlinks == 0,
	    "no directories or symlinks");
}

static void
chk_action_result_neg(const void *m)
{
	const struct reapi_action_result *r = m;

	is_int(r->exit_code, -1, "action_result: exit_code -1");
	ok(r->n_output_files == 0 && r->execution_metadata == NULL,
	    "action_result: nothing else");
}

static void
chk_uar_req(const void *m)
{
	const struct reapi_update_action_result_request *r = m;

	ok(r->instance_name.len == 0, "uar: no instance");
	ok(digest_is(r->action_digest, HELLO, 5), "uar: action digest");
	ok(r->action_result != NULL && r->action_result->exit_code == 1 &&
		span_eq_str(r->action_result->stderr_raw, "err"),
	    "uar: exit 1, stderr_raw err");
	ok(r->results_cache_policy == NULL, "uar: no policy");
	is_int(r->digest_function, REAPI_DIGEST_SHA256, "uar: SHA256");
}

static void
chk_bub_req(const void *m)
{
	const struct reapi_batch_update_blobs_request *r = m;

	ok(r->n_requests == 1 && digest_is(r->requests[0].digest, HELLO, 5) &&
		span_eq_str(r->requests[0].data, "hello") &&
		r->requests[0].compressor == REAPI_COMPRESSOR_IDENTITY,
	    "bub request: hello");
	is_int(r->digest_function, REAPI_DIGEST_SHA256, "bub: SHA256");
}

static void
chk_bub_resp_ok(const void *m)
{
	const struct reapi_batch_update_blobs_response *r = m;

	ok(r->n_responses == 1 && digest_is(r->responses[0].digest, HELLO, 5),
	    "bub ok: digest");
	ok(status_is(r->responses[0].status, 0, ""),
	    "bub ok: empty status present");
}

static void
chk_bub_resp_mismatch(const void *m)
{
	const struct reapi_batch_update_blobs_response *r = m;

	ok(r->n_responses == 1 && digest_is(r->responses[0].digest, HELLO, 5),
	    "bub mismatch: digest");
	ok(status_is(r->responses[0].status, 3, "digest mismatch"),
	    "bub mismatch: INVALID_ARGUMENT");
}

static void
chk_brb_req(const void *m)
{
	const struct reapi_batch_read_blobs_request *r = m;

	ok(r->n_digests == 2 && digest_is(&r->digests[0], HELLO, 5) &&
		digest_is(&r->digests[1], WORLD, 5),
	    "brb request: hello, world");
	ok(r->n_acceptable_compressors == 1 &&
		r->acceptable_compressors[0] == REAPI_COMPRESSOR_ZSTD,
	    "brb request: ZSTD");
	is_int(r->digest_function, 0, "brb request: no digest function");
}

static void
chk_brb_resp(const void *m)
{
	const struct reapi_batch_read_blobs_response *r = m;

	is_int(r->n_responses, 2, "brb response: two entries");
	if (r->n_responses != 2)
		return;
	ok(digest_is(r->responses[0].digest, HELLO, 5) &&
		span_eq_str(r->responses[0].data, "hello") &&
		status_is(r->responses[0].status, 0, "") &&
		r->responses[0].compressor == 0,
	    "brb response: hello OK");
	ok(digest_is(r->responses[1].digest, WORLD, 5) &&
		r->responses[1].data.len == 0 &&
		status_is(r->responses[1].status, 5, "not found"),
	    "brb response: world NOT_FOUND");
}

static void
chk_get_tree_req(const void *m)
{
	const struct reapi_get_tree_request *r = m;

	ok(digest_is(r->root_digest, HELLO, 5), "get_tree: root");
	is_int(r->page_size, 100, "get_tree: page_size 100");
	ok(r->page_token.len == 0 && r->instance_name.len == 0,
	    "get_tree: no token, no instance");
}

static void
chk_directory(const void *m)
{
	const struct reapi_directory *d = m;

	ok(d->n_files == 1 && span_eq_str(d->files[0].name, "hello.txt") &&
		digest_is(d->files[0].digest, HELLO, 5) &&
		d->files[0].is_executable,
	    "directory: hello.txt executable");
	ok(d->n_directories == 0 && d->n_symlinks == 0 &&
		d->node_properties == NULL,
	    "directory: nothing else");
}

static void
chk_bs_read_req(const void *m)
{
	const struct reapi_bytestream_read_request *r = m;

	ok(span_eq_str(r->resource_name, "blobs/" HELLO "/5"),
	    "bs read: resource name");
	ok(r->read_offset == 0 && r->read_limit == 0, "bs read: offsets 0");
}

static void
chk_bs_read_req_comp(const void *m)
{
	const struct reapi_bytestream_read_request *r = m;

	ok(span_eq_str(
	       r->resource_name, "main/compressed-blobs/zstd/" HELLO "/5"),
	    "bs read compressed: resource name");
	is_int(r->read_offset, 2, "bs read compressed: offset 2");
	is_int(r->read_limit, 0, "bs read compressed: no limit");
}

static void
chk_bs_read_resp(const void *m)
{
	const struct reapi_bytestream_read_response *r = m;

	ok(span_eq_str(r->data, "hello"), "bs read response: hello");
}

static void
chk_bs_write_single(const void *m)
{
	const struct reapi_bytestream_write_request *r = m;

	ok(span_eq_str(r->resource_name, UPLOAD), "bs write: resource name");
	is_int(r->write_offset, 0, "bs write: offset 0");
	ok(r->finish_write, "bs write: finish_write");
	ok(span_eq_str(r->data, "hello"), "bs write: data");
}

static void
chk_bs_write_second(const void *m)
{
	const struct reapi_bytestream_write_request *r = m;

	ok(r->resource_name.len == 0, "bs write 2: no resource name");
	is_int(r->write_offset, 16384, "bs write 2: offset 16384");
	ok(!r->finish_write && span_eq_str(r->data, "x"), "bs write 2: x");
}

static void
chk_bs_write_resp(const void *m)
{
	const struct reapi_bytestream_write_response *r = m;

	is_int(r->committed_size, 5, "bs write response: 5");
}

static void
chk_bs_write_resp_neg(const void *m)
{
	const struct reapi_bytestream_write_response *r = m;

	is_int(r->committed_size, -1, "bs write response: -1");
}

static void
chk_bs_qws_req(const void *m)
{
	const struct reapi_bytestream_query_write_status_request *r = m;

	ok(span_eq_str(r->resource_name, UPLOAD), "qws request: name");
}

static void
chk_bs_qws_resp(const void *m)
{
	const struct reapi_bytestream_query_write_status_response *r = m;

	ok(r->committed_size == 5 && r->complete, "qws response: 5, complete");
}

static void
chk_rpc_status(const void *m)
{
	ok(status_is(m, 5, "blob not found"), "rpc status: NOT_FOUND");
}

static void
chk_request_metadata(const void *m)
{
	const struct reapi_request_metadata *r = m;

	ok(r->tool_details != NULL &&
		span_eq_str(r->tool_details->tool_name, "bazel") &&
		span_eq_str(r->tool_details->tool_version, "8.0.0"),
	    "metadata: bazel 8.0.0");
	ok(span_eq_str(r->action_id, "a1") &&
		span_eq_str(r->tool_invocation_id, "inv-1") &&
		span_eq_str(r->correlated_invocations_id, "build-1") &&
		span_eq_str(r->action_mnemonic, "CppCompile") &&
		span_eq_str(r->target_id, "//:hello") &&
		span_eq_str(r->configuration_id, "k8-fastbuild"),
	    "metadata: ids");
}

static const struct vector {
	const char *name;
	const struct pb_msgdesc *desc;
	void (*check)(const void *);
} vectors[] = {
	{ "digest_empty", &reapi_digest_desc, chk_digest_empty },
	{ "digest_hello", &reapi_digest_desc, chk_digest_hello },
	{ "get_capabilities_request_empty",
	    &reapi_get_capabilities_request_desc, chk_caps_req_empty },
	{ "get_capabilities_request_instance",
	    &reapi_get_capabilities_request_desc, chk_caps_req_instance },
	{ "server_capabilities_cache_only", &reapi_server_capabilities_desc,
	    chk_server_caps },
	{ "find_missing_blobs_request", &reapi_find_missing_blobs_request_desc,
	    chk_fmb_req },
	{ "find_missing_blobs_response",
	    &reapi_find_missing_blobs_response_desc, chk_fmb_resp },
	{ "get_action_result_request", &reapi_get_action_result_request_desc,
	    chk_gar_req },
	{ "action_result", &reapi_action_result_desc, chk_action_result },
	{ "action_result_exit_code_negative", &reapi_action_result_desc,
	    chk_action_result_neg },
	{ "update_action_result_request",
	    &reapi_update_action_result_request_desc, chk_uar_req },
	{ "batch_update_blobs_request", &reapi_batch_update_blobs_request_desc,
	    chk_bub_req },
	{ "batch_update_blobs_response_ok",
	    &reapi_batch_update_blobs_response_desc, chk_bub_resp_ok },
	{ "batch_update_blobs_response_mismatch",
	    &reapi_batch_update_blobs_response_desc, chk_bub_resp_mismatch },
	{ "batch_read_blobs_request", &reapi_batch_read_blobs_request_desc,
	    chk_brb_req },
	{ "batch_read_blobs_response", &reapi_batch_read_blobs_response_desc,
	    chk_brb_resp },
	{ "get_tree_request", &reapi_get_tree_request_desc, chk_get_tree_req },
	{ "directory_one_file", &reapi_directory_desc, chk_directory },
	{ "bytestream_read_request", &reapi_bytestream_read_request_desc,
	    chk_bs_read_req },
	{ "bytestream_read_request_compressed_offset",
	    &reapi_bytestream_read_request_desc, chk_bs_read_req_comp },
	{ "bytestream_read_response", &reapi_bytestream_read_response_desc,
	    chk_bs_read_resp },
	{ "bytestream_write_request_single",
	    &reapi_bytestream_write_request_desc, chk_bs_write_single },
	{ "bytestream_write_request_second_chunk",
	    &reapi_bytestream_write_request_desc, chk_bs_write_second },
	{ "bytestream_write_response", &reapi_bytestream_write_response_desc,
	    chk_bs_write_resp },
	{ "bytestream_write_response_minus_one",
	    &reapi_bytestream_write_response_desc, chk_bs_write_resp_neg },
	{ "bytestream_query_write_status_request",
	    &reapi_bytestream_query_write_status_request_desc, chk_bs_qws_req },
	{ "bytestream_query_write_status_response",
	    &reapi_bytestream_query_write_status_response_desc,
	    chk_bs_qws_resp },
	{ "rpc_status_not_found", &reapi_status_desc, chk_rpc_status },
	{ "request_metadata", &reapi_request_metadata_desc,
	    chk_request_metadata },
};

#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* Reads t/data/reapi/NAME.EXT into b; returns 0 or -1. */
static int
load(const char *name, const char *ext, struct buf *b)
{
	char path[4096], tmp[4096];
	FILE *f;
	size_t n;

	snprintf(
	    path, sizeof(path), "%s/data/reapi/%s%s", tap_tdir(), name, ext);
	buf_reset(b);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_append(b, tmp, n) != 0) {
			fclose(f);
			return -1;
		}
	fclose(f);
	return 0;
}

static void
test_vector(const struct vector *v)
{
	struct buf bin, grpc, out;
	struct pb_arena a;
	const char *err = "";
	void *msg;
	int rc;

	buf_init(&bin);
	buf_init(&grpc);
	buf_init(&out);
	pb_arena_init(&a);
	msg = calloc(1, v->desc->size);
	ok(load(v->name, ".bin", &bin) == 0 &&
		load(v->name, ".grpc", &grpc) == 0,
	    "%s: files readable", v->name);
	ok(grpc.len == bin.len + 5 && grpc.data[0] == 0 &&
		(((size_t)grpc.data[1] << 24) | ((size_t)grpc.data[2] << 16) |
		    ((size_t)grpc.data[3] << 8) | grpc.data[4]) == bin.len &&
		(bin.len == 0 || memcmp(grpc.data + 5, bin.data, bin.len) == 0),
	    "%s: .grpc = 00, BE32 length, .bin", v->name);
	rc = pb_decode(v->desc, bin.data, bin.len, msg, &a, &err);
	ok(rc == 0, "%s: decodes (%s)", v->name, rc == 0 ? "ok" : err);
	if (rc == 0) {
		v->check(msg);
		rc = pb_encode(v->desc, msg, &out);
		ok(rc == 0, "%s: encodes", v->name);
		is_mem(out.data, out.len, bin.data, bin.len, v->name);
	}
	/* The gRPC payload decodes identically. */
	pb_arena_release(&a);
	rc = grpc.len >= 5
	    ? pb_decode(v->desc, grpc.data + 5, grpc.len - 5, msg, &a, &err)
	    : -1;
	ok(rc == 0, "%s: gRPC payload decodes", v->name);
	free(msg);
	pb_arena_release(&a);
	buf_release(&bin);
	buf_release(&grpc);
	buf_release(&out);
}

/* Every case of vectors.txt has an entry in the table above. */
static void
test_vector_list(void)
{
	struct buf list;
	const char *p, *nl;
	size_t i, len, seen = 0, missing = 0;
	int found;

	buf_init(&list);
	ok(load("vectors", ".txt", &list) == 0, "vectors.txt readable");
	for (p = buf_cstr(&list); (p = strstr(p, "\n== ")) != NULL; p = nl) {
		p += 4;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		len = (size_t)(nl - p);
		found = 0;
		for (i = 0; i < NVECTORS; i++)
			if (strlen(vectors[i].name) == len &&
			    memcmp(vectors[i].name, p, len) == 0)
				found = 1;
		if (!found) {
			diag("vector %.*s not covered", (int)len, p);
			missing++;
		}
		seen++;
	}
	is_int(seen, NVECTORS, "vectors.txt case count");
	is_int(missing, 0, "every vector covered");
	buf_release(&list);
}

/* Messages built by hand encode to the vectors' bytes. */
static void
test_build(void)
{
	struct reapi_cache_capabilities cc;
	struct reapi_action_cache_update_capabilities acu;
	struct reapi_semver low, high;
	struct reapi_server_capabilities sc;
	struct reapi_batch_update_blobs_response resp;
	struct reapi_batch_update_blobs_result res;
	struct reapi_digest dg;
	struct reapi_status st;
	struct reapi_bytestream_write_response wr;
	int32_t sha256 = REAPI_DIGEST_SHA256, zstd = REAPI_COMPRESSOR_ZSTD;
	struct buf out, want;

	buf_init(&out);
	buf_init(&want);
	memset(&cc, 0, sizeof(cc));
	memset(&acu, 0, sizeof(acu));
	memset(&low, 0, sizeof(low));
	memset(&high, 0, sizeof(high));
	memset(&sc, 0, sizeof(sc));
	cc.digest_functions = &sha256;
	cc.n_digest_functions = 1;
	acu.update_enabled = true;
	cc.action_cache_update_capabilities = &acu;
	cc.max_batch_total_size_bytes = 4194304;
	cc.symlink_absolute_path_strategy = REAPI_SYMLINK_ALLOWED;
	cc.supported_compressors = &zstd;
	cc.n_supported_compressors = 1;
	cc.supported_batch_update_compressors = &zstd;
	cc.n_supported_batch_update_compressors = 1;
	sc.cache_capabilities = &cc;
	low.major = 2;
	high.major = 2;
	high.minor = 3;
	sc.low_api_version = &low;
	sc.high_api_version = &high;
	is_int(pb_encode(&reapi_server_capabilities_desc, &sc, &out), 0,
	    "encode built capabilities");
	ok(load("server_capabilities_cache_only", ".bin", &want) == 0, "load");
	is_mem(out.data, out.len, want.data, want.len,
	    "built capabilities == server_capabilities_cache_only.bin");

	memset(&resp, 0, sizeof(resp));
	memset(&res, 0, sizeof(res));
	memset(&st, 0, sizeof(st));
	dg.hash = span_str(HELLO);
	dg.size_bytes = 5;
	res.digest = &dg;
	res.status = &st;
	resp.responses = &res;
	resp.n_responses = 1;
	buf_reset(&out);
	is_int(pb_encode(&reapi_batch_update_blobs_response_desc, &resp, &out),
	    0, "encode built batch update response");
	ok(load("batch_update_blobs_response_ok", ".bin", &want) == 0, "load");
	is_mem(out.data, out.len, want.data, want.len,
	    "OK status encodes as 12 00");

	wr.committed_size = -1;
	buf_reset(&out);
	is_int(pb_encode(&reapi_bytestream_write_response_desc, &wr, &out), 0,
	    "encode committed_size -1");
	is_mem(out.data, out.len,
	    "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11,
	    "-1 is a 10-byte varint");
	buf_release(&out);
	buf_release(&want);
}

static void
test_lenient(void)
{
	struct reapi_server_capabilities sc;
	struct reapi_digest dg;
	struct reapi_action_result ar;
	struct pb_arena a;
	struct buf out;
	const char *err = "";

	buf_init(&out);
	pb_arena_init(&a);
	/* Unpacked repeated enums, and an unknown value (42). */
	is_int(pb_decode(&reapi_server_capabilities_desc,
		   (const unsigned char *)"\x0a\x06\x08\x01\x08\x09\x08\x2a", 8,
		   &sc, &a, &err),
	    0, "unpacked digest_functions");
	ok(sc.cache_capabilities != NULL &&
		sc.cache_capabilities->n_digest_functions == 3 &&
		sc.cache_capabilities->digest_functions[1] ==
		    REAPI_DIGEST_BLAKE3 &&
		sc.cache_capabilities->digest_functions[2] == 42,
	    "[SHA256, BLAKE3, 42]");
	is_int(pb_encode(&reapi_server_capabilities_desc, &sc, &out), 0,
	    "re-encode");
	is_mem(out.data, out.len, "\x0a\x05\x0a\x03\x01\x09\x2a", 7,
	    "re-encoded packed");
	pb_arena_release(&a);

	/* Fields in reverse order, plus an unknown field 3 (fixed64). */
	is_int(pb_decode(&reapi_digest_desc,
		   (const unsigned char *)"\x10\x05\x19\x01\x02\x03\x04\x05\x06"
					  "\x07\x08\x0a\x01x",
		   14, &dg, &a, &err),
	    0, "digest in reverse order with unknown field");
	ok(span_eq_str(dg.hash, "x") && dg.size_bytes == 5, "digest values");
	buf_reset(&out);
	is_int(pb_encode(&reapi_digest_desc, &dg, &out), 0, "re-encode digest");
	is_mem(out.data, out.len, "\x0a\x01x\x10\x05", 5,
	    "canonical order, unknown dropped");
	pb_arena_release(&a);

	/* CacheCapabilities field 11 (not described) is skipped. */
	is_int(pb_decode(&reapi_server_capabilities_desc,
		   (const unsigned char *)"\x0a\x04\x5a\x02\x08\x01", 6, &sc,
		   &a, &err),
	    0, "unknown cache capability skipped");
	pb_arena_release(&a);

	/* A Digest where ActionResult.stdout_digest expects one must be a
	 * message: wrong wire type is an error. */
	is_int(pb_decode(&reapi_action_result_desc,
		   (const unsigned char *)"\x30\x01", 2, &ar, &a, &err),
	    PB_EMALFORMED, "stdout_digest as varint rejected");
	pb_arena_release(&a);
	buf_release(&out);
}

static void
test_descriptors(void)
{
	const struct pb_msgdesc *const *list;
	size_t n, i;
	const char *err = NULL;
	int bad = 0;

	n = reapi_descriptors(&list);
	ok(n >= 40, "%zu descriptors", n);
	for (i = 0; i < n; i++)
		if (pb_msgdesc_check(list[i], &err) != 0) {
			diag("%s: %s", list[i]->name, err);
			bad++;
		}
	is_int(bad, 0, "every descriptor table is well formed");
	ok(pb_rpc_find(reapi_rpcs, reapi_nrpcs,
	       "/google.bytestream.ByteStream/Write", 35) != NULL &&
		pb_rpc_find(reapi_rpcs, reapi_nrpcs,
		    "/google.bytestream.ByteStream/Write", 35)
			->flags == PB_RPC_CLIENT_STREAM,
	    "ByteStream/Write is client streaming");
	ok(pb_rpc_find(reapi_rpcs, reapi_nrpcs,
	       "/build.bazel.remote.execution.v2.ActionCache/GetActionResult",
	       60) != NULL,
	    "GetActionResult found");
	ok(pb_rpc_find(reapi_rpcs, reapi_nrpcs, "/x", 2) == NULL,
	    "unknown method");
}

/* Parses name; 0 when it is accepted, else the gRPC code. */
static int
rname(const char *name, int write, struct reapi_rname *rn)
{
	const char *err;
	int code = -1;

	err = reapi_rname_parse(span_str(name), write, rn, &code);
	return err == NULL ? 0 : code;
}

static int
hello_is(const struct reapi_rname *rn, const char *instance, uint64_t size)
{
	unsigned char d[32];

	return hex_decode(d, HELLO, 32) == 0 &&
	    memcmp(rn->digest, d, 32) == 0 &&
	    span_eq_str(rn->instance, instance) && rn->size == size;
}

static void
test_rname(void)
{
	static const char *const bad_read[] = {
		"",
		"blobs",
		"blobs/" HELLO,
		"blobs/" HELLO "/",
		"main/blobs/" HELLO,
		"blobs/" HELLO "/-5",
		"blobs/" HELLO "/+5",
		"blobs/" HELLO "/05",
		"blobs/" HELLO "/5x",
		"blobs/" HELLO "/9223372036854775808",
		"blobs/" HELLO "/18446744073709551616",
		"blobs/" HELLO "/99999999999999999999",
		"blobs/" HELLO "/5/extra",
		"blobs/" HELLO "0/5",
		"blobs/" HELLO "/0",
		"blobs/"
		"2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B98"
		"24/5",
		"blobs/"
		"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b98"
		"2g/5",
		"blobs/2cf24dba/5",
		"blobs/sha256/" HELLO "/5",
		"blobs/blake3/" HELLO "/5",
		"a//b/blobs/" HELLO "/5",
		"a/../blobs/" HELLO "/5",
		"./blobs/" HELLO "/5",
		"a b/blobs/" HELLO "/5",
		"uploads/blobs/" HELLO "/5",
		"actions/blobs/" HELLO "/5",
		"bl0bs/" HELLO "/5",
		UPLOAD,
	};
	static const char *const bad_write[] = {
		"",
		"uploads",
		"uploads/",
		"uploads/u",
		"uploads/u/blobs",
		"uploads//blobs/" HELLO "/5",
		"uploads/blobs/" HELLO "/5",
		"uploads/u/" HELLO "/5",
		"uploads/u/blobs/" HELLO,
		"uploads/u/blobs/" HELLO "/",
		"uploads/u/blobs/" HELLO "/9223372036854775808",
		"uploads/u/blobs/xyz/5",
		"blobs/" HELLO "/5",
		"a//uploads/u/blobs/" HELLO "/5",
		"blobs/uploads/u/blobs/" HELLO "/5",
	};
	struct reapi_rname rn;
	char big[64 + 4 * REAPI_RNAME_MAX_SEGS + 100];
	size_t i;

	/* Valid names. */
	is_int(rname("blobs/" HELLO "/5", 0, &rn), 0, "read, default instance");
	ok(hello_is(&rn, "", 5), "read: digest, size 5, instance \"\"");
	is_int(rname("main/blobs/" HELLO "/5", 0, &rn), 0, "read, instance");
	ok(hello_is(&rn, "main", 5), "read: instance main");
	is_int(rname("my/ci.x/in-st_1/blobs/" HELLO "/5", 0, &rn), 0,
	    "read, instance with slashes");
	ok(hello_is(&rn, "my/ci.x/in-st_1", 5),
	    "read: instance my/ci.x/in-st_1");
	is_int(
	    rname("blobs/" EMPTY "/0", 0, &rn), 0, "read, empty blob size 0");
	ok(rn.size == 0, "empty blob: size 0");
	is_int(rname("blobs/" HELLO "/9223372036854775807", 0, &rn), 0,
	    "read, size INT64_MAX");
	ok(rn.size == 9223372036854775807ULL, "size INT64_MAX kept");
	is_int(rname(UPLOAD, 1, &rn), 0, "write, default instance");
	ok(hello_is(&rn, "", 5), "write: digest, size 5");
	is_int(rname("a/b/" UPLOAD, 1, &rn), 0, "write, instance with slashes");
	ok(hello_is(&rn, "a/b", 5), "write: instance a/b");
	is_int(rname(UPLOAD "/meta/data", 1, &rn), 0,
	    "write, trailing metadata segments");
	ok(hello_is(&rn, "", 5), "write with metadata: fields");

	/* Invalid names. */
	for (i = 0; i < sizeof(bad_read) / sizeof(bad_read[0]); i++)
		is_int(rname(bad_read[i], 0, &rn), GRPC_STATUS_INVALID_ARGUMENT,
		    bad_read[i][0] != '\0' ? bad_read[i] : "read: empty name");
	for (i = 0; i < sizeof(bad_write) / sizeof(bad_write[0]); i++)
		is_int(rname(bad_write[i], 1, &rn),
		    GRPC_STATUS_INVALID_ARGUMENT,
		    bad_write[i][0] != '\0' ? bad_write[i]
					    : "write: empty name");
	is_int(rname("compressed-blobs/zstd/" HELLO "/5", 0, &rn),
	    GRPC_STATUS_UNIMPLEMENTED, "read: compressed-blobs unimplemented");
	is_int(rname("main/compressed-blobs/zstd/" HELLO "/5", 0, &rn),
	    GRPC_STATUS_UNIMPLEMENTED, "read: instance + compressed-blobs");
	is_int(rname("uploads/u/compressed-blobs/zstd/" HELLO "/5", 1, &rn),
	    GRPC_STATUS_UNIMPLEMENTED, "write: compressed-blobs unimplemented");

	/* Segment limit: many instance segments, then the blob. */
	big[0] = '\0';
	for (i = 0; i < REAPI_RNAME_MAX_SEGS; i++)
		strcat(big, "a/");
	strcat(big, "blobs/" HELLO "/5");
	is_int(rname(big, 0, &rn), GRPC_STATUS_INVALID_ARGUMENT,
	    "more than REAPI_RNAME_MAX_SEGS segments");
	big[0] = '\0';
	for (i = 0; i + 3 < REAPI_RNAME_MAX_SEGS; i++)
		strcat(big, "a/");
	strcat(big, "blobs/" HELLO "/5");
	is_int(rname(big, 0, &rn), 0, "exactly REAPI_RNAME_MAX_SEGS segments");
}

static void
test_digest_check(void)
{
	struct reapi_digest d;
	unsigned char out[32], want[32];

	memset(&d, 0, sizeof(d));
	d.hash = span_str(HELLO);
	d.size_bytes = 5;
	ok(reapi_digest_check(&d, out) == NULL, "digest hello/5 accepted");
	ok(hex_decode(want, HELLO, 32) == 0 && memcmp(out, want, 32) == 0,
	    "digest decoded");
	d.hash = span_str(EMPTY);
	d.size_bytes = 0;
	ok(reapi_digest_check(&d, out) == NULL, "empty blob, size 0");
	ok(reapi_digest_check(NULL, out) != NULL, "missing digest");
	d.hash = span_str(HELLO);
	d.size_bytes = 0;
	ok(reapi_digest_check(&d, out) != NULL, "size 0, other hash");
	d.size_bytes = -1;
	ok(reapi_digest_check(&d, out) != NULL, "negative size");
	d.size_bytes = 5;
	d.hash = span_str("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E"
			  "73043362938B9824");
	ok(reapi_digest_check(&d, out) != NULL, "uppercase hex");
	d.hash = span_str(HELLO "00");
	ok(reapi_digest_check(&d, out) != NULL, "66 hex digits");
	d.hash = span_make(HELLO, 62);
	ok(reapi_digest_check(&d, out) != NULL, "62 hex digits");
	d.hash = span_str("");
	ok(reapi_digest_check(&d, out) != NULL, "empty hash");
}

int
main(void)
{
	size_t i;

	test_descriptors();
	test_vector_list();
	for (i = 0; i < NVECTORS; i++)
		test_vector(&vectors[i]);
	test_build();
	test_lenient();
	test_rname();
	test_digest_check();
	return done_testing();
}
