/*
 * Messages of the Fabrik protocol between cache layers (proto/fabrik.proto,
 * service fabrik.v1.FabrikCache over gRPC): C structs, pb descriptors and
 * the method table.  Semantics are in doc/protocol-fabrik.md.
 */
#ifndef FABRIK_FABRIK_PB_H
#define FABRIK_FABRIK_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "pb/pb.h"

/* A key is a binary SHA-256 (32 bytes); so is a content hash. */
#define FABRIK_PB_KEY_LEN 32
/* Most keys one ExistsRequest may carry (34 wire bytes each: ~2.2 MB). */
#ifndef FABRIK_PB_MAX_EXISTS_KEYS
#define FABRIK_PB_MAX_EXISTS_KEYS 65536
#endif
/* Largest data chunk in one GetResponse/PutRequest message. */
#ifndef FABRIK_PB_MAX_CHUNK
#define FABRIK_PB_MAX_CHUNK (1024 * 1024)
#endif
/* Longest namespace name ("gradle", "bazel-ac", ...). */
#ifndef FABRIK_PB_MAX_NAMESPACE
#define FABRIK_PB_MAX_NAMESPACE 64
#endif
/* Largest object metadata (the local store keeps at most 4 KiB). */
#ifndef FABRIK_PB_MAX_META
#define FABRIK_PB_MAX_META 4096
#endif

/* The proto field is called "namespace"; the C member is ns. */

struct fabrik_pb_exists_request {
	struct span *keys; /* 1: repeated bytes, 32 each */
	size_t n_keys;
	struct span ns; /* 2 */
};

struct fabrik_pb_exists_response {
	struct span *keys; /* 1: the requested keys present, request order */
	size_t n_keys;
};

struct fabrik_pb_get_request {
	struct span key; /* 1 */
	struct span ns; /* 2 */
	uint64_t offset; /* 3: resume a read from this byte */
};

/* Streamed: the first message carries size, sha256, meta and ns (and
 * may carry data); later messages carry data only. */
struct fabrik_pb_get_response {
	uint64_t size; /* 1: whole object size */
	struct span sha256; /* 2: SHA-256 of the whole object, 32 bytes */
	struct span data; /* 3: next chunk */
	struct span meta; /* 4: object metadata */
	struct span ns; /* 5: the object's namespace name */
};

/* Streamed: the first message carries key, ns, size, sha256 and meta
 * (and may carry data); later messages carry data only. */
struct fabrik_pb_put_request {
	struct span key; /* 1 */
	struct span ns; /* 2 */
	uint64_t size; /* 3 */
	struct span sha256; /* 4 */
	struct span data; /* 5 */
	struct span meta; /* 6: object metadata, first message only */
};

struct fabrik_pb_put_response {
	uint64_t committed_size; /* 1 */
	bool already_present; /* 2: the server had it; data was skipped */
};

struct fabrik_pb_delete_request {
	struct span key; /* 1 */
	struct span ns; /* 2 */
};

struct fabrik_pb_delete_response {
	bool deleted; /* 1: false when the key was absent */
};

struct fabrik_pb_get_stats_request {
	struct span ns; /* 1: empty = every namespace */
};

struct fabrik_pb_namespace_stats {
	struct span ns; /* 1 */
	uint64_t objects; /* 2 */
	uint64_t bytes; /* 3 */
	uint64_t hits; /* 4 */
	uint64_t misses; /* 5 */
};

struct fabrik_pb_get_stats_response {
	uint64_t objects; /* 1 */
	uint64_t bytes; /* 2 */
	uint64_t hits; /* 3 */
	uint64_t misses; /* 4 */
	struct fabrik_pb_namespace_stats *namespaces; /* 5 */
	size_t n_namespaces;
};

extern const struct pb_msgdesc fabrik_pb_exists_request_desc;
extern const struct pb_msgdesc fabrik_pb_exists_response_desc;
extern const struct pb_msgdesc fabrik_pb_get_request_desc;
extern const struct pb_msgdesc fabrik_pb_get_response_desc;
extern const struct pb_msgdesc fabrik_pb_put_request_desc;
extern const struct pb_msgdesc fabrik_pb_put_response_desc;
extern const struct pb_msgdesc fabrik_pb_delete_request_desc;
extern const struct pb_msgdesc fabrik_pb_delete_response_desc;
extern const struct pb_msgdesc fabrik_pb_get_stats_request_desc;
extern const struct pb_msgdesc fabrik_pb_namespace_stats_desc;
extern const struct pb_msgdesc fabrik_pb_get_stats_response_desc;

/* /fabrik.v1.FabrikCache/{Exists,Get,Put,Delete,GetStats}. */
extern const struct pb_rpc fabrik_pb_rpcs[];
extern const size_t fabrik_pb_nrpcs;

/*
 * Checks the protocol rules pb_decode cannot know, for a decoded request
 * of type desc (one of the *_request_desc above; first=true for the first
 * message of a Put stream): keys and sha256 exactly 32 bytes, at most
 * FABRIK_PB_MAX_EXISTS_KEYS keys, namespace at most FABRIK_PB_MAX_NAMESPACE
 * bytes, metadata at most FABRIK_PB_MAX_META, data at most
 * FABRIK_PB_MAX_CHUNK, later Put messages carry data only.  Returns 0, or -1 with *err set to a static message (map to gRPC
 * INVALID_ARGUMENT).
 */
int fabrik_pb_check_request(const struct pb_msgdesc *desc, const void *msg,
    bool first, const char **err) FAB_WUR;

/*
 * The same for one decoded GetResponse of a stream (first=true for the
 * first): the first carries a 32-byte sha256, a namespace of at most
 * FABRIK_PB_MAX_NAMESPACE bytes, metadata of at most FABRIK_PB_MAX_META
 * bytes and no more data than size; later ones carry data only; no chunk
 * exceeds FABRIK_PB_MAX_CHUNK.  Returns 0, or -1 with *err a static
 * message (the client treats the object as failed, never as a hit).
 */
int fabrik_pb_check_get_response(const struct fabrik_pb_get_response *,
    bool first, const char **err) FAB_WUR;

#endif
