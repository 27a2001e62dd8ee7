/*
 * C structs and pb descriptors for the Remote Execution API v2 cache
 * messages (build.bazel.remote.execution.v2), google.bytestream and
 * google.rpc.Status, with the field numbers of the public .proto files
 * (see proto/remote_execution.proto, proto/bytestream.proto,
 * proto/status.proto and doc/format-protobuf.md).
 *
 * Use with pb_decode/pb_encode: strings and bytes are spans into the
 * decoded input, message fields are pointers (NULL = absent), repeated
 * fields are an array pointer plus an n_ count (see pb.h).
 */
#ifndef FABRIK_REAPI_H
#define FABRIK_REAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "pb/pb.h"

/* build.bazel.remote.execution.v2.DigestFunction.Value */
enum reapi_digest_function {
	REAPI_DIGEST_UNKNOWN = 0,
	REAPI_DIGEST_SHA256 = 1,
	REAPI_DIGEST_SHA1 = 2,
	REAPI_DIGEST_MD5 = 3,
	REAPI_DIGEST_VSO = 4,
	REAPI_DIGEST_SHA384 = 5,
	REAPI_DIGEST_SHA512 = 6,
	REAPI_DIGEST_MURMUR3 = 7,
	REAPI_DIGEST_SHA256TREE = 8,
	REAPI_DIGEST_BLAKE3 = 9
};

/* build.bazel.remote.execution.v2.Compressor.Value */
enum reapi_compressor {
	REAPI_COMPRESSOR_IDENTITY = 0,
	REAPI_COMPRESSOR_ZSTD = 1,
	REAPI_COMPRESSOR_DEFLATE = 2,
	REAPI_COMPRESSOR_BROTLI = 3
};

/* build.bazel.remote.execution.v2.SymlinkAbsolutePathStrategy.Value */
enum reapi_symlink_strategy {
	REAPI_SYMLINK_UNKNOWN = 0,
	REAPI_SYMLINK_DISALLOWED = 1,
	REAPI_SYMLINK_ALLOWED = 2
};

/* Enum-typed fields are stored as int32_t: proto3 enums are open, so a
 * value this header does not name is kept as is. */

/* ---- google.protobuf / google.rpc ---- */

/* google.protobuf.Timestamp and google.protobuf.Duration (same layout). */
struct reapi_timestamp {
	int64_t seconds; /* 1 */
	int32_t nanos; /* 2 */
};

/* google.protobuf.Any */
struct reapi_any {
	struct span type_url; /* 1 */
	struct span value; /* 2 */
};

/* google.protobuf.UInt32Value */
struct reapi_uint32_value {
	uint32_t value; /* 1 */
};

/* google.rpc.Status */
struct reapi_status {
	int32_t code; /* 1 */
	struct span message; /* 2 */
	struct reapi_any *details; /* 3 */
	size_t n_details;
};

/* ---- build.bazel.remote.execution.v2 ---- */

struct reapi_digest {
	struct span hash; /* 1: lowercase hex */
	int64_t size_bytes; /* 2 */
};

struct reapi_node_property {
	struct span name; /* 1 */
	struct span value; /* 2 */
};

struct reapi_node_properties {
	struct reapi_node_property *properties; /* 1 */
	size_t n_properties;
	struct reapi_timestamp *mtime; /* 2 */
	struct reapi_uint32_value *unix_mode; /* 3 */
};

struct reapi_output_file {
	struct span path; /* 1 */
	struct reapi_digest *digest; /* 2 */
	bool is_executable; /* 4 */
	struct span contents; /* 5 */
	struct reapi_node_properties *node_properties; /* 7 */
};

struct reapi_output_symlink {
	struct span path; /* 1 */
	struct span target; /* 2 */
	struct reapi_node_properties *node_properties; /* 4 */
};

struct reapi_output_directory {
	struct span path; /* 1 */
	struct reapi_digest *tree_digest; /* 3 */
	bool is_topologically_sorted; /* 4 */
	struct reapi_digest *root_directory_digest; /* 5 */
};

struct reapi_executed_action_metadata {
	struct span worker; /* 1 */
	struct reapi_timestamp *queued_timestamp; /* 2 */
	struct reapi_timestamp *worker_start_timestamp; /* 3 */
	struct reapi_timestamp *worker_completed_timestamp; /* 4 */
	struct reapi_timestamp *input_fetch_start_timestamp; /* 5 */
	struct reapi_timestamp *input_fetch_completed_timestamp; /* 6 */
	struct reapi_timestamp *execution_start_timestamp; /* 7 */
	struct reapi_timestamp *execution_completed_timestamp; /* 8 */
	struct reapi_timestamp *output_upload_start_timestamp; /* 9 */
	struct reapi_timestamp *output_upload_completed_timestamp; /* 10 */
	struct reapi_any *auxiliary_metadata; /* 11 */
	size_t n_auxiliary_metadata;
	struct reapi_timestamp *virtual_execution_duration; /* 12 */
};

struct reapi_action_result {
	struct reapi_output_file *output_files; /* 2 */
	size_t n_output_files;
	struct reapi_output_directory *output_directories; /* 3 */
	size_t n_output_directories;
	int32_t exit_code; /* 4 */
	struct span stdout_raw; /* 5 */
	struct reapi_digest *stdout_digest; /* 6 */
	struct span stderr_raw; /* 7 */
	struct reapi_digest *stderr_digest; /* 8 */
	struct reapi_executed_action_metadata *execution_metadata; /* 9 */
	struct reapi_output_symlink *output_file_symlinks; /* 10 */
	size_t n_output_file_symlinks;
	struct reapi_output_symlink *output_directory_symlinks; /* 11 */
	size_t n_output_directory_symlinks;
	struct reapi_output_symlink *output_symlinks; /* 12 */
	size_t n_output_symlinks;
};

struct reapi_file_node {
	struct span name; /* 1 */
	struct reapi_digest *digest; /* 2 */
	bool is_executable; /* 4 */
	struct reapi_node_properties *node_properties; /* 6 */
};

struct reapi_directory_node {
	struct span name; /* 1 */
	struct reapi_digest *digest; /* 2 */
};

struct reapi_symlink_node {
	struct span name; /* 1 */
	struct span target; /* 2 */
	struct reapi_node_properties *node_properties; /* 4 */
};

struct reapi_directory {
	struct reapi_file_node *files; /* 1 */
	size_t n_files;
	struct reapi_directory_node *directories; /* 2 */
	size_t n_directories;
	struct reapi_symlink_node *symlinks; /* 3 */
	size_t n_symlinks;
	struct reapi_node_properties *node_properties; /* 5 */
};

struct reapi_tree {
	struct reapi_directory *root; /* 1 */
	struct reapi_directory *children; /* 2 */
	size_t n_children;
};

struct reapi_get_action_result_request {
	struct span instance_name; /* 1 */
	struct reapi_digest *action_digest; /* 2 */
	bool inline_stdout; /* 3 */
	bool inline_stderr; /* 4 */
	struct span *inline_output_files; /* 5 */
	size_t n_inline_output_files;
	int32_t digest_function; /* 6 */
};

struct reapi_results_cache_policy {
	int32_t priority; /* 1 */
};

struct reapi_update_action_result_request {
	struct span instance_name; /* 1 */
	struct reapi_digest *action_digest; /* 2 */
	struct reapi_action_result *action_result; /* 3 */
	struct reapi_results_cache_policy *results_cache_policy; /* 4 */
	int32_t digest_function; /* 5 */
};

struct reapi_find_missing_blobs_request {
	struct span instance_name; /* 1 */
	struct reapi_digest *blob_digests; /* 2 */
	size_t n_blob_digests;
	int32_t digest_function; /* 3 */
};

struct reapi_find_missing_blobs_response {
	struct reapi_digest *missing_blob_digests; /* 2 */
	size_t n_missing_blob_digests;
};

/* BatchUpdateBlobsRequest.Request */
struct reapi_batch_update_blobs_entry {
	struct reapi_digest *digest; /* 1 */
	struct span data; /* 2 */
	int32_t compressor; /* 3 */
};

struct reapi_batch_update_blobs_request {
	struct span instance_name; /* 1 */
	struct reapi_batch_update_blobs_entry *requests; /* 2 */
	size_t n_requests;
	int32_t digest_function; /* 5 */
};

/* BatchUpdateBlobsResponse.Response */
struct reapi_batch_update_blobs_result {
	struct reapi_digest *digest; /* 1 */
	struct reapi_status *status; /* 2 */
};

struct reapi_batch_update_blobs_response {
	struct reapi_batch_update_blobs_result *responses; /* 1 */
	size_t n_responses;
};

struct reapi_batch_read_blobs_request {
	struct span instance_name; /* 1 */
	struct reapi_digest *digests; /* 2 */
	size_t n_digests;
	int32_t *acceptable_compressors; /* 3, packed */
	size_t n_acceptable_compressors;
	int32_t digest_function; /* 4 */
};

/* BatchReadBlobsResponse.Response */
struct reapi_batch_read_blobs_result {
	struct reapi_digest *digest; /* 1 */
	struct span data; /* 2 */
	struct reapi_status *status; /* 3 */
	int32_t compressor; /* 4 */
};

struct reapi_batch_read_blobs_response {
	struct reapi_batch_read_blobs_result *responses; /* 1 */
	size_t n_responses;
};

struct reapi_get_tree_request {
	struct span instance_name; /* 1 */
	struct reapi_digest *root_digest; /* 2 */
	int32_t page_size; /* 3 */
	struct span page_token; /* 4 */
	int32_t digest_function; /* 5 */
};

struct reapi_get_tree_response {
	struct reapi_directory *directories; /* 1 */
	size_t n_directories;
	struct span next_page_token; /* 2 */
};

struct reapi_get_capabilities_request {
	struct span instance_name; /* 1 */
};

/* build.bazel.semver.SemVer */
struct reapi_semver {
	int32_t major; /* 1 */
	int32_t minor; /* 2 */
	int32_t patch; /* 3 */
	struct span prerelease; /* 4 */
};

struct reapi_priority_range {
	int32_t min_priority; /* 1 */
	int32_t max_priority; /* 2 */
};

struct reapi_priority_capabilities {
	struct reapi_priority_range *priorities; /* 1 */
	size_t n_priorities;
};

struct reapi_action_cache_update_capabilities {
	bool update_enabled; /* 1 */
};

/* CacheCapabilities; fields 11 and 12 (chunking parameters) are not
 * described and are skipped as unknown. */
struct reapi_cache_capabilities {
	int32_t *digest_functions; /* 1, packed */
	size_t n_digest_functions;
	struct reapi_action_cache_update_capabilities
	    *action_cache_update_capabilities; /* 2 */
	struct reapi_priority_capabilities *cache_priority_capabilities; /* 3 */
	int64_t max_batch_total_size_bytes; /* 4 */
	int32_t symlink_absolute_path_strategy; /* 5 */
	int32_t *supported_compressors; /* 6 */
	size_t n_supported_compressors;
	int32_t *supported_batch_update_compressors; /* 7 */
	size_t n_supported_batch_update_compressors;
	int64_t max_cas_blob_size_bytes; /* 8 */
	bool split_blob_support; /* 9 */
	bool splice_blob_support; /* 10 */
};

struct reapi_execution_capabilities {
	int32_t digest_function; /* 1 */
	bool exec_enabled; /* 2 */
	struct reapi_priority_capabilities
	    *execution_priority_capabilities; /* 3 */
	struct span *supported_node_properties; /* 4 */
	size_t n_supported_node_properties;
	int32_t *digest_functions; /* 5, packed */
	size_t n_digest_functions;
};

struct reapi_server_capabilities {
	struct reapi_cache_capabilities *cache_capabilities; /* 1 */
	struct reapi_execution_capabilities *execution_capabilities; /* 2 */
	struct reapi_semver *deprecated_api_version; /* 3 */
	struct reapi_semver *low_api_version; /* 4 */
	struct reapi_semver *high_api_version; /* 5 */
};

struct reapi_tool_details {
	struct span tool_name; /* 1 */
	struct span tool_version; /* 2 */
};

/* Sent base64-encoded in the requestmetadata-bin gRPC header. */
struct reapi_request_metadata {
	struct reapi_tool_details *tool_details; /* 1 */
	struct span action_id; /* 2 */
	struct span tool_invocation_id; /* 3 */
	struct span correlated_invocations_id; /* 4 */
	struct span action_mnemonic; /* 5 */
	struct span target_id; /* 6 */
	struct span configuration_id; /* 7 */
};

/* ---- google.bytestream ---- */

struct reapi_bytestream_read_request {
	struct span resource_name; /* 1 */
	int64_t read_offset; /* 2 */
	int64_t read_limit; /* 3 */
};

struct reapi_bytestream_read_response {
	struct span data; /* 10 */
};

struct reapi_bytestream_write_request {
	struct span resource_name; /* 1 */
	int64_t write_offset; /* 2 */
	bool finish_write; /* 3 */
	struct span data; /* 10 */
};

struct reapi_bytestream_write_response {
	int64_t committed_size; /* 1 */
};

struct reapi_bytestream_query_write_status_request {
	struct span resource_name; /* 1 */
};

struct reapi_bytestream_query_write_status_response {
	int64_t committed_size; /* 1 */
	bool complete; /* 2 */
};

/* Descriptors (const tables; pass to pb_decode/pb_encode). */
extern const struct pb_msgdesc reapi_timestamp_desc;
extern const struct pb_msgdesc reapi_any_desc;
extern const struct pb_msgdesc reapi_uint32_value_desc;
extern const struct pb_msgdesc reapi_status_desc;
extern const struct pb_msgdesc reapi_digest_desc;
extern const struct pb_msgdesc reapi_node_property_desc;
extern const struct pb_msgdesc reapi_node_properties_desc;
extern const struct pb_msgdesc reapi_output_file_desc;
extern const struct pb_msgdesc reapi_output_symlink_desc;
extern const struct pb_msgdesc reapi_output_directory_desc;
extern const struct pb_msgdesc reapi_executed_action_metadata_desc;
extern const struct pb_msgdesc reapi_action_result_desc;
extern const struct pb_msgdesc reapi_file_node_desc;
extern const struct pb_msgdesc reapi_directory_node_desc;
extern const struct pb_msgdesc reapi_symlink_node_desc;
extern const struct pb_msgdesc reapi_directory_desc;
extern const struct pb_msgdesc reapi_tree_desc;
extern const struct pb_msgdesc reapi_get_action_result_request_desc;
extern const struct pb_msgdesc reapi_results_cache_policy_desc;
extern const struct pb_msgdesc reapi_update_action_result_request_desc;
extern const struct pb_msgdesc reapi_find_missing_blobs_request_desc;
extern const struct pb_msgdesc reapi_find_missing_blobs_response_desc;
extern const struct pb_msgdesc reapi_batch_update_blobs_entry_desc;
extern const struct pb_msgdesc reapi_batch_update_blobs_request_desc;
extern const struct pb_msgdesc reapi_batch_update_blobs_result_desc;
extern const struct pb_msgdesc reapi_batch_update_blobs_response_desc;
extern const struct pb_msgdesc reapi_batch_read_blobs_request_desc;
extern const struct pb_msgdesc reapi_batch_read_blobs_result_desc;
extern const struct pb_msgdesc reapi_batch_read_blobs_response_desc;
extern const struct pb_msgdesc reapi_get_tree_request_desc;
extern const struct pb_msgdesc reapi_get_tree_response_desc;
extern const struct pb_msgdesc reapi_get_capabilities_request_desc;
extern const struct pb_msgdesc reapi_semver_desc;
extern const struct pb_msgdesc reapi_priority_range_desc;
extern const struct pb_msgdesc reapi_priority_capabilities_desc;
extern const struct pb_msgdesc reapi_action_cache_update_capabilities_desc;
extern const struct pb_msgdesc reapi_cache_capabilities_desc;
extern const struct pb_msgdesc reapi_execution_capabilities_desc;
extern const struct pb_msgdesc reapi_server_capabilities_desc;
extern const struct pb_msgdesc reapi_tool_details_desc;
extern const struct pb_msgdesc reapi_request_metadata_desc;
extern const struct pb_msgdesc reapi_bytestream_read_request_desc;
extern const struct pb_msgdesc reapi_bytestream_read_response_desc;
extern const struct pb_msgdesc reapi_bytestream_write_request_desc;
extern const struct pb_msgdesc reapi_bytestream_write_response_desc;
extern const struct pb_msgdesc reapi_bytestream_query_write_status_request_desc;
extern const struct pb_msgdesc
    reapi_bytestream_query_write_status_response_desc;

/*
 * The gRPC methods a cache serves (Capabilities, ActionCache, CAS without
 * SplitBlob/SpliceBlob, ByteStream), for dispatch with pb_rpc_find.
 */
extern const struct pb_rpc reapi_rpcs[];
extern const size_t reapi_nrpcs;

/*
 * Every descriptor above, for tests and the fuzz target: returns the
 * number of entries and stores a pointer to a static NULL-free array.
 */
size_t reapi_descriptors(const struct pb_msgdesc *const **list);

#endif
