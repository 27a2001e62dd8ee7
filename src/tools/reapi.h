/*
 * Bazel's remote cache over gRPC: the Remote Execution API v2 cache
 * services (Capabilities, ActionCache, ContentAddressableStorage) and
 * google.bytestream.ByteStream on an http/grpc_server.  Action-cache
 * entries share their store keys with the HTTP adapter (bazel_ac_key);
 * CAS blobs are stored under their SHA-256.  See doc/bazel-grpc.md and
 * ../shared/protocols/bazel-reapi.md.
 */
#ifndef FABRIK_REAPI_TOOL_H
#define FABRIK_REAPI_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include "base/sha.h"
#include "http/grpc_server.h"
#include "tools/tool.h"

/* Most digests in one FindMissingBlobs request. */
#ifndef REAPI_MAX_FIND
#define REAPI_MAX_FIND 10000
#endif
/* Advertised max_batch_total_size_bytes (BatchUpdate/BatchRead). */
#ifndef REAPI_MAX_BATCH
#define REAPI_MAX_BATCH (4 * 1024 * 1024)
#endif
/* ByteStream.Read chunk size. */
#ifndef REAPI_READ_CHUNK
#define REAPI_READ_CHUNK (64 * 1024)
#endif
/* Interrupted uploads kept for resumption, and for how long. */
#ifndef REAPI_MAX_PARTIAL
#define REAPI_MAX_PARTIAL 64
#endif
#ifndef REAPI_PARTIAL_TTL_MS
#define REAPI_PARTIAL_TTL_MS (10 * 60 * 1000)
#endif
/* Most Directory messages one GetTree walks. */
#ifndef REAPI_MAX_TREE
#define REAPI_MAX_TREE 100000
#endif

/* Most '/'-separated segments in a ByteStream resource name. */
#ifndef REAPI_RNAME_MAX_SEGS
#define REAPI_RNAME_MAX_SEGS 80
#endif

struct reapi;
struct reapi_digest;

/* A parsed ByteStream resource name. */
struct reapi_rname {
	struct span instance; /* points into the parsed name; "" default */
	unsigned char digest[SHA256_LEN];
	uint64_t size; /* <= INT64_MAX */
};

/* The method table to pass to grpc_server_new with the struct reapi as
 * its argument. */
extern const struct grpc_method reapi_methods[];
extern const size_t reapi_nmethods;

/*
 * Parses a ByteStream resource name (REAPI v2, "ByteStream API"):
 * "[instance/]blobs/{hash}/{size}" for Read (write 0), or
 * "[instance/]uploads/{uuid}/blobs/{hash}/{size}[/...]" for Write and
 * QueryWriteStatus (write 1).  The instance must pass the same rules as
 * instance_name fields (no reserved word as a segment); the hash is 64
 * lowercase hex digits, the size decimal without sign or leading zeros,
 * size 0 only with the empty blob's hash.  Pure: no allocation, no I/O.
 * Returns NULL with *out filled, or a static error message with *code the
 * gRPC status to answer (INVALID_ARGUMENT; UNIMPLEMENTED for
 * compressed-blobs).
 */
const char *reapi_rname_parse(
    struct span, int write, struct reapi_rname *out, int *code);

/*
 * Checks a Digest message (pb/reapi; NULL: absent) and decodes its hash
 * into out: 64 lowercase hex digits, size_bytes >= 0, size 0 only with
 * the empty blob's hash.  Pure.  Returns NULL, or a static error message
 * (the answer is INVALID_ARGUMENT).
 */
const char *reapi_digest_check(
    const struct reapi_digest *, unsigned char out[SHA256_LEN]);

/* env is borrowed (its auth pointer may change on reload). */
struct reapi *reapi_new(const struct tools_env *env);
/* Frees the service and aborts interrupted uploads; the gRPC server
 * must be freed first. */
void reapi_free(struct reapi *);

#endif
