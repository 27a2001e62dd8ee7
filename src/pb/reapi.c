/*
 * Descriptor tables for the REAPI v2 cache messages, google.bytestream and
 * google.rpc.Status (field numbers from bazelbuild/remote-apis
 * remote_execution.proto and googleapis bytestream.proto / status.proto;
 * the subset Fabrik uses is in proto/).
 *
 * Security: these are const data; all untrusted input is handled by
 * pb_decode (pb.c), which enforces the PB_MAX_* limits for every message
 * here.  Fields that are not described (ExecutedActionMetadata is fully
 * described; CacheCapabilities 11 and 12, Action/Command internals) are
 * skipped as unknown and dropped when re-encoding.
 */
#include <stddef.h>

#include "pb/reapi.h"

#define ONE PB_ONE
#define REP PB_MANY
#define DESC PB_MSGDESC

static const struct pb_field reapi_timestamp_fields[] = {
	ONE(1, PB_INT64, reapi_timestamp, seconds, NULL),
	ONE(2, PB_INT32, reapi_timestamp, nanos, NULL),
};
DESC(reapi_timestamp, "google.protobuf.Timestamp");

static const struct pb_field reapi_any_fields[] = {
	ONE(1, PB_STRING, reapi_any, type_url, NULL),
	ONE(2, PB_BYTES, reapi_any, value, NULL),
};
DESC(reapi_any, "google.protobuf.Any");

static const struct pb_field reapi_uint32_value_fields[] = {
	ONE(1, PB_UINT32, reapi_uint32_value, value, NULL),
};
DESC(reapi_uint32_value, "google.protobuf.UInt32Value");

static const struct pb_field reapi_status_fields[] = {
	ONE(1, PB_INT32, reapi_status, code, NULL),
	ONE(2, PB_STRING, reapi_status, message, NULL),
	REP(3, PB_MESSAGE, 0, reapi_status, details, &reapi_any_desc),
};
DESC(reapi_status, "google.rpc.Status");

static const struct pb_field reapi_digest_fields[] = {
	ONE(1, PB_STRING, reapi_digest, hash, NULL),
	ONE(2, PB_INT64, reapi_digest, size_bytes, NULL),
};
DESC(reapi_digest, "build.bazel.remote.execution.v2.Digest");

static const struct pb_field reapi_node_property_fields[] = {
	ONE(1, PB_STRING, reapi_node_property, name, NULL),
	ONE(2, PB_STRING, reapi_node_property, value, NULL),
};
DESC(reapi_node_property, "build.bazel.remote.execution.v2.NodeProperty");

static const struct pb_field reapi_node_properties_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_node_properties, properties,
	    &reapi_node_property_desc),
	ONE(2, PB_MESSAGE, reapi_node_properties, mtime, &reapi_timestamp_desc),
	ONE(3, PB_MESSAGE, reapi_node_properties, unix_mode,
	    &reapi_uint32_value_desc),
};
DESC(reapi_node_properties, "build.bazel.remote.execution.v2.NodeProperties");

static const struct pb_field reapi_output_file_fields[] = {
	ONE(1, PB_STRING, reapi_output_file, path, NULL),
	ONE(2, PB_MESSAGE, reapi_output_file, digest, &reapi_digest_desc),
	ONE(4, PB_BOOL, reapi_output_file, is_executable, NULL),
	ONE(5, PB_BYTES, reapi_output_file, contents, NULL),
	ONE(7, PB_MESSAGE, reapi_output_file, node_properties,
	    &reapi_node_properties_desc),
};
DESC(reapi_output_file, "build.bazel.remote.execution.v2.OutputFile");

static const struct pb_field reapi_output_symlink_fields[] = {
	ONE(1, PB_STRING, reapi_output_symlink, path, NULL),
	ONE(2, PB_STRING, reapi_output_symlink, target, NULL),
	ONE(4, PB_MESSAGE, reapi_output_symlink, node_properties,
	    &reapi_node_properties_desc),
};
DESC(reapi_output_symlink, "build.bazel.remote.execution.v2.OutputSymlink");

static const struct pb_field reapi_output_directory_fields[] = {
	ONE(1, PB_STRING, reapi_output_directory, path, NULL),
	ONE(3, PB_MESSAGE, reapi_output_directory, tree_digest,
	    &reapi_digest_desc),
	ONE(4, PB_BOOL, reapi_output_directory, is_topologically_sorted, NULL),
	ONE(5, PB_MESSAGE, reapi_output_directory, root_directory_digest,
	    &reapi_digest_desc),
};
DESC(reapi_output_directory, "build.bazel.remote.execution.v2.OutputDirectory");

static const struct pb_field reapi_executed_action_metadata_fields[] = {
	ONE(1, PB_STRING, reapi_executed_action_metadata, worker, NULL),
	ONE(2, PB_MESSAGE, reapi_executed_action_metadata, queued_timestamp,
	    &reapi_timestamp_desc),
	ONE(3, PB_MESSAGE, reapi_executed_action_metadata,
	    worker_start_timestamp, &reapi_timestamp_desc),
	ONE(4, PB_MESSAGE, reapi_executed_action_metadata,
	    worker_completed_timestamp, &reapi_timestamp_desc),
	ONE(5, PB_MESSAGE, reapi_executed_action_metadata,
	    input_fetch_start_timestamp, &reapi_timestamp_desc),
	ONE(6, PB_MESSAGE, reapi_executed_action_metadata,
	    input_fetch_completed_timestamp, &reapi_timestamp_desc),
	ONE(7, PB_MESSAGE, reapi_executed_action_metadata,
	    execution_start_timestamp, &reapi_timestamp_desc),
	ONE(8, PB_MESSAGE, reapi_executed_action_metadata,
	    execution_completed_timestamp, &reapi_timestamp_desc),
	ONE(9, PB_MESSAGE, reapi_executed_action_metadata,
	    output_upload_start_timestamp, &reapi_timestamp_desc),
	ONE(10, PB_MESSAGE, reapi_executed_action_metadata,
	    output_upload_completed_timestamp, &reapi_timestamp_desc),
	REP(11, PB_MESSAGE, 0, reapi_executed_action_metadata,
	    auxiliary_metadata, &reapi_any_desc),
	ONE(12, PB_MESSAGE, reapi_executed_action_metadata,
	    virtual_execution_duration, &reapi_timestamp_desc),
};
DESC(reapi_executed_action_metadata,
    "build.bazel.remote.execution.v2.ExecutedActionMetadata");

static const struct pb_field reapi_action_result_fields[] = {
	REP(2, PB_MESSAGE, 0, reapi_action_result, output_files,
	    &reapi_output_file_desc),
	REP(3, PB_MESSAGE, 0, reapi_action_result, output_directories,
	    &reapi_output_directory_desc),
	ONE(4, PB_INT32, reapi_action_result, exit_code, NULL),
	ONE(5, PB_BYTES, reapi_action_result, stdout_raw, NULL),
	ONE(6, PB_MESSAGE, reapi_action_result, stdout_digest,
	    &reapi_digest_desc),
	ONE(7, PB_BYTES, reapi_action_result, stderr_raw, NULL),
	ONE(8, PB_MESSAGE, reapi_action_result, stderr_digest,
	    &reapi_digest_desc),
	ONE(9, PB_MESSAGE, reapi_action_result, execution_metadata,
	    &reapi_executed_action_metadata_desc),
	REP(10, PB_MESSAGE, 0, reapi_action_result, output_file_symlinks,
	    &reapi_output_symlink_desc),
	REP(11, PB_MESSAGE, 0, reapi_action_result, output_directory_symlinks,
	    &reapi_output_symlink_desc),
	REP(12, PB_MESSAGE, 0, reapi_action_result, output_symlinks,
	    &reapi_output_symlink_desc),
};
DESC(reapi_action_result, "build.bazel.remote.execution.v2.ActionResult");

static const struct pb_field reapi_file_node_fields[] = {
	ONE(1, PB_STRING, reapi_file_node, name, NULL),
	ONE(2, PB_MESSAGE, reapi_file_node, digest, &reapi_digest_desc),
	ONE(4, PB_BOOL, reapi_file_node, is_executable, NULL),
	ONE(6, PB_MESSAGE, reapi_file_node, node_properties,
	    &reapi_node_properties_desc),
};
DESC(reapi_file_node, "build.bazel.remote.execution.v2.FileNode");

static const struct pb_field reapi_directory_node_fields[] = {
	ONE(1, PB_STRING, reapi_directory_node, name, NULL),
	ONE(2, PB_MESSAGE, reapi_directory_node, digest, &reapi_digest_desc),
};
DESC(reapi_directory_node, "build.bazel.remote.execution.v2.DirectoryNode");

static const struct pb_field reapi_symlink_node_fields[] = {
	ONE(1, PB_STRING, reapi_symlink_node, name, NULL),
	ONE(2, PB_STRING, reapi_symlink_node, target, NULL),
	ONE(4, PB_MESSAGE, reapi_symlink_node, node_properties,
	    &reapi_node_properties_desc),
};
DESC(reapi_symlink_node, "build.bazel.remote.execution.v2.SymlinkNode");

static const struct pb_field reapi_directory_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_directory, files, &reapi_file_node_desc),
	REP(2, PB_MESSAGE, 0, reapi_directory, directories,
	    &reapi_directory_node_desc),
	REP(3, PB_MESSAGE, 0, reapi_directory, symlinks,
	    &reapi_symlink_node_desc),
	ONE(5, PB_MESSAGE, reapi_directory, node_properties,
	    &reapi_node_properties_desc),
};
DESC(reapi_directory, "build.bazel.remote.execution.v2.Directory");

static const struct pb_field reapi_tree_fields[] = {
	ONE(1, PB_MESSAGE, reapi_tree, root, &reapi_directory_desc),
	REP(2, PB_MESSAGE, 0, reapi_tree, children, &reapi_directory_desc),
};
DESC(reapi_tree, "build.bazel.remote.execution.v2.Tree");

static const struct pb_field reapi_get_action_result_request_fields[] = {
	ONE(1, PB_STRING, reapi_get_action_result_request, instance_name, NULL),
	ONE(2, PB_MESSAGE, reapi_get_action_result_request, action_digest,
	    &reapi_digest_desc),
	ONE(3, PB_BOOL, reapi_get_action_result_request, inline_stdout, NULL),
	ONE(4, PB_BOOL, reapi_get_action_result_request, inline_stderr, NULL),
	REP(5, PB_STRING, 0, reapi_get_action_result_request,
	    inline_output_files, NULL),
	ONE(6, PB_ENUM, reapi_get_action_result_request, digest_function, NULL),
};
DESC(reapi_get_action_result_request,
    "build.bazel.remote.execution.v2.GetActionResultRequest");

static const struct pb_field reapi_results_cache_policy_fields[] = {
	ONE(1, PB_INT32, reapi_results_cache_policy, priority, NULL),
};
DESC(reapi_results_cache_policy,
    "build.bazel.remote.execution.v2.ResultsCachePolicy");

static const struct pb_field reapi_update_action_result_request_fields[] = {
	ONE(1, PB_STRING, reapi_update_action_result_request, instance_name,
	    NULL),
	ONE(2, PB_MESSAGE, reapi_update_action_result_request, action_digest,
	    &reapi_digest_desc),
	ONE(3, PB_MESSAGE, reapi_update_action_result_request, action_result,
	    &reapi_action_result_desc),
	ONE(4, PB_MESSAGE, reapi_update_action_result_request,
	    results_cache_policy, &reapi_results_cache_policy_desc),
	ONE(5, PB_ENUM, reapi_update_action_result_request, digest_function,
	    NULL),
};
DESC(reapi_update_action_result_request,
    "build.bazel.remote.execution.v2.UpdateActionResultRequest");

static const struct pb_field reapi_find_missing_blobs_request_fields[] = {
	ONE(1, PB_STRING, reapi_find_missing_blobs_request, instance_name,
	    NULL),
	REP(2, PB_MESSAGE, 0, reapi_find_missing_blobs_request, blob_digests,
	    &reapi_digest_desc),
	ONE(3, PB_ENUM, reapi_find_missing_blobs_request, digest_function,
	    NULL),
};
DESC(reapi_find_missing_blobs_request,
    "build.bazel.remote.execution.v2.FindMissingBlobsRequest");

static const struct pb_field reapi_find_missing_blobs_response_fields[] = {
	REP(2, PB_MESSAGE, 0, reapi_find_missing_blobs_response,
	    missing_blob_digests, &reapi_digest_desc),
};
DESC(reapi_find_missing_blobs_response,
    "build.bazel.remote.execution.v2.FindMissingBlobsResponse");

static const struct pb_field reapi_batch_update_blobs_entry_fields[] = {
	ONE(1, PB_MESSAGE, reapi_batch_update_blobs_entry, digest,
	    &reapi_digest_desc),
	ONE(2, PB_BYTES, reapi_batch_update_blobs_entry, data, NULL),
	ONE(3, PB_ENUM, reapi_batch_update_blobs_entry, compressor, NULL),
};
DESC(reapi_batch_update_blobs_entry,
    "build.bazel.remote.execution.v2.BatchUpdateBlobsRequest.Request");

static const struct pb_field reapi_batch_update_blobs_request_fields[] = {
	ONE(1, PB_STRING, reapi_batch_update_blobs_request, instance_name,
	    NULL),
	REP(2, PB_MESSAGE, 0, reapi_batch_update_blobs_request, requests,
	    &reapi_batch_update_blobs_entry_desc),
	ONE(5, PB_ENUM, reapi_batch_update_blobs_request, digest_function,
	    NULL),
};
DESC(reapi_batch_update_blobs_request,
    "build.bazel.remote.execution.v2.BatchUpdateBlobsRequest");

static const struct pb_field reapi_batch_update_blobs_result_fields[] = {
	ONE(1, PB_MESSAGE, reapi_batch_update_blobs_result, digest,
	    &reapi_digest_desc),
	ONE(2, PB_MESSAGE, reapi_batch_update_blobs_result, status,
	    &reapi_status_desc),
};
DESC(reapi_batch_update_blobs_result,
    "build.bazel.remote.execution.v2.BatchUpdateBlobsResponse.Response");

static const struct pb_field reapi_batch_update_blobs_response_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_batch_update_blobs_response, responses,
	    &reapi_batch_update_blobs_result_desc),
};
DESC(reapi_batch_update_blobs_response,
    "build.bazel.remote.execution.v2.BatchUpdateBlobsResponse");

static const struct pb_field reapi_batch_read_blobs_request_fields[] = {
	ONE(1, PB_STRING, reapi_batch_read_blobs_request, instance_name, NULL),
	REP(2, PB_MESSAGE, 0, reapi_batch_read_blobs_request, digests,
	    &reapi_digest_desc),
	REP(3, PB_ENUM, PB_PACKED, reapi_batch_read_blobs_request,
	    acceptable_compressors, NULL),
	ONE(4, PB_ENUM, reapi_batch_read_blobs_request, digest_function, NULL),
};
DESC(reapi_batch_read_blobs_request,
    "build.bazel.remote.execution.v2.BatchReadBlobsRequest");

static const struct pb_field reapi_batch_read_blobs_result_fields[] = {
	ONE(1, PB_MESSAGE, reapi_batch_read_blobs_result, digest,
	    &reapi_digest_desc),
	ONE(2, PB_BYTES, reapi_batch_read_blobs_result, data, NULL),
	ONE(3, PB_MESSAGE, reapi_batch_read_blobs_result, status,
	    &reapi_status_desc),
	ONE(4, PB_ENUM, reapi_batch_read_blobs_result, compressor, NULL),
};
DESC(reapi_batch_read_blobs_result,
    "build.bazel.remote.execution.v2.BatchReadBlobsResponse.Response");

static const struct pb_field reapi_batch_read_blobs_response_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_batch_read_blobs_response, responses,
	    &reapi_batch_read_blobs_result_desc),
};
DESC(reapi_batch_read_blobs_response,
    "build.bazel.remote.execution.v2.BatchReadBlobsResponse");

static const struct pb_field reapi_get_tree_request_fields[] = {
	ONE(1, PB_STRING, reapi_get_tree_request, instance_name, NULL),
	ONE(2, PB_MESSAGE, reapi_get_tree_request, root_digest,
	    &reapi_digest_desc),
	ONE(3, PB_INT32, reapi_get_tree_request, page_size, NULL),
	ONE(4, PB_STRING, reapi_get_tree_request, page_token, NULL),
	ONE(5, PB_ENUM, reapi_get_tree_request, digest_function, NULL),
};
DESC(reapi_get_tree_request, "build.bazel.remote.execution.v2.GetTreeRequest");

static const struct pb_field reapi_get_tree_response_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_get_tree_response, directories,
	    &reapi_directory_desc),
	ONE(2, PB_STRING, reapi_get_tree_response, next_page_token, NULL),
};
DESC(
    reapi_get_tree_response, "build.bazel.remote.execution.v2.GetTreeResponse");

static const struct pb_field reapi_get_capabilities_request_fields[] = {
	ONE(1, PB_STRING, reapi_get_capabilities_request, instance_name, NULL),
};
DESC(reapi_get_capabilities_request,
    "build.bazel.remote.execution.v2.GetCapabilitiesRequest");

static const struct pb_field reapi_semver_fields[] = {
	ONE(1, PB_INT32, reapi_semver, major, NULL),
	ONE(2, PB_INT32, reapi_semver, minor, NULL),
	ONE(3, PB_INT32, reapi_semver, patch, NULL),
	ONE(4, PB_STRING, reapi_semver, prerelease, NULL),
};
DESC(reapi_semver, "build.bazel.semver.SemVer");

static const struct pb_field reapi_priority_range_fields[] = {
	ONE(1, PB_INT32, reapi_priority_range, min_priority, NULL),
	ONE(2, PB_INT32, reapi_priority_range, max_priority, NULL),
};
DESC(reapi_priority_range,
    "build.bazel.remote.execution.v2.PriorityCapabilities.PriorityRange");

static const struct pb_field reapi_priority_capabilities_fields[] = {
	REP(1, PB_MESSAGE, 0, reapi_priority_capabilities, priorities,
	    &reapi_priority_range_desc),
};
DESC(reapi_priority_capabilities,
    "build.bazel.remote.execution.v2.PriorityCapabilities");

static const struct pb_field reapi_action_cache_update_capabilities_fields[] = {
	ONE(1, PB_BOOL, reapi_action_cache_update_capabilities, update_enabled,
	    NULL),
};
DESC(reapi_action_cache_update_capabilities,
    "build.bazel.remote.execution.v2.ActionCacheUpdateCapabilities");

static const struct pb_field reapi_cache_capabilities_fields[] = {
	REP(1, PB_ENUM, PB_PACKED, reapi_cache_capabilities, digest_functions,
	    NULL),
	ONE(2, PB_MESSAGE, reapi_cache_capabilities,
	    action_cache_update_capabilities,
	    &reapi_action_cache_update_capabilities_desc),
	ONE(3, PB_MESSAGE, reapi_cache_capabilities,
	    cache_priority_capabilities, &reapi_priority_capabilities_desc),
	ONE(4, PB_INT64, reapi_cache_capabilities, max_batch_total_size_bytes,
	    NULL),
	ONE(5, PB_ENUM, reapi_cache_capabilities,
	    symlink_absolute_path_strategy, NULL),
	REP(6, PB_ENUM, PB_PACKED, reapi_cache_capabilities,
	    supported_compressors, NULL),
	REP(7, PB_ENUM, PB_PACKED, reapi_cache_capabilities,
	    supported_batch_update_compressors, NULL),
	ONE(8, PB_INT64, reapi_cache_capabilities, max_cas_blob_size_bytes,
	    NULL),
	ONE(9, PB_BOOL, reapi_cache_capabilities, split_blob_support, NULL),
	ONE(10, PB_BOOL, reapi_cache_capabilities, splice_blob_support, NULL),
};
DESC(reapi_cache_capabilities,
    "build.bazel.remote.execution.v2.CacheCapabilities");

static const struct pb_field reapi_execution_capabilities_fields[] = {
	ONE(1, PB_ENUM, reapi_execution_capabilities, digest_function, NULL),
	ONE(2, PB_BOOL, reapi_execution_capabilities, exec_enabled, NULL),
	ONE(3, PB_MESSAGE, reapi_execution_capabilities,
	    execution_priority_capabilities, &reapi_priority_capabilities_desc),
	REP(4, PB_STRING, 0, reapi_execution_capabilities,
	    supported_node_properties, NULL),
	REP(5, PB_ENUM, PB_PACKED, reapi_execution_capabilities,
	    digest_functions, NULL),
};
DESC(reapi_execution_capabilities,
    "build.bazel.remote.execution.v2.ExecutionCapabilities");

static const struct pb_field reapi_server_capabilities_fields[] = {
	ONE(1, PB_MESSAGE, reapi_server_capabilities, cache_capabilities,
	    &reapi_cache_capabilities_desc),
	ONE(2, PB_MESSAGE, reapi_server_capabilities, execution_capabilities,
	    &reapi_execution_capabilities_desc),
	ONE(3, PB_MESSAGE, reapi_server_capabilities, deprecated_api_version,
	    &reapi_semver_desc),
	ONE(4, PB_MESSAGE, reapi_server_capabilities, low_api_version,
	    &reapi_semver_desc),
	ONE(5, PB_MESSAGE, reapi_server_capabilities, high_api_version,
	    &reapi_semver_desc),
};
DESC(reapi_server_capabilities,
    "build.bazel.remote.execution.v2.ServerCapabilities");

static const struct pb_field reapi_tool_details_fields[] = {
	ONE(1, PB_STRING, reapi_tool_details, tool_name, NULL),
	ONE(2, PB_STRING, reapi_tool_details, tool_version, NULL),
};
DESC(reapi_tool_details, "build.bazel.remote.execution.v2.ToolDetails");

static const struct pb_field reapi_request_metadata_fields[] = {
	ONE(1, PB_MESSAGE, reapi_request_metadata, tool_details,
	    &reapi_tool_details_desc),
	ONE(2, PB_STRING, reapi_request_metadata, action_id, NULL),
	ONE(3, PB_STRING, reapi_request_metadata, tool_invocation_id, NULL),
	ONE(4, PB_STRING, reapi_request_metadata, correlated_invocations_id,
	    NULL),
	ONE(5, PB_STRING, reapi_request_metadata, action_mnemonic, NULL),
	ONE(6, PB_STRING, reapi_request_metadata, target_id, NULL),
	ONE(7, PB_STRING, reapi_request_metadata, configuration_id, NULL),
};
DESC(reapi_request_metadata, "build.bazel.remote.execution.v2.RequestMetadata");

static const struct pb_field reapi_bytestream_read_request_fields[] = {
	ONE(1, PB_STRING, reapi_bytestream_read_request, resource_name, NULL),
	ONE(2, PB_INT64, reapi_bytestream_read_request, read_offset, NULL),
	ONE(3, PB_INT64, reapi_bytestream_read_request, read_limit, NULL),
};
DESC(reapi_bytestream_read_request, "google.bytestream.ReadRequest");

static const struct pb_field reapi_bytestream_read_response_fields[] = {
	ONE(10, PB_BYTES, reapi_bytestream_read_response, data, NULL),
};
DESC(reapi_bytestream_read_response, "google.bytestream.ReadResponse");

static const struct pb_field reapi_bytestream_write_request_fields[] = {
	ONE(1, PB_STRING, reapi_bytestream_write_request, resource_name, NULL),
	ONE(2, PB_INT64, reapi_bytestream_write_request, write_offset, NULL),
	ONE(3, PB_BOOL, reapi_bytestream_write_request, finish_write, NULL),
	ONE(10, PB_BYTES, reapi_bytestream_write_request, data, NULL),
};
DESC(reapi_bytestream_write_request, "google.bytestream.WriteRequest");

static const struct pb_field reapi_bytestream_write_response_fields[] = {
	ONE(1, PB_INT64, reapi_bytestream_write_response, committed_size, NULL),
};
DESC(reapi_bytestream_write_response, "google.bytestream.WriteResponse");

static const struct pb_field
    reapi_bytestream_query_write_status_request_fields[] = {
	    ONE(1, PB_STRING, reapi_bytestream_query_write_status_request,
		resource_name, NULL),
    };
DESC(reapi_bytestream_query_write_status_request,
    "google.bytestream.QueryWriteStatusRequest");

static const struct pb_field
    reapi_bytestream_query_write_status_response_fields[] = {
	    ONE(1, PB_INT64, reapi_bytestream_query_write_status_response,
		committed_size, NULL),
	    ONE(2, PB_BOOL, reapi_bytestream_query_write_status_response,
		complete, NULL),
    };
DESC(reapi_bytestream_query_write_status_response,
    "google.bytestream.QueryWriteStatusResponse");

static const struct pb_msgdesc *const reapi_all[] = {
	&reapi_timestamp_desc,
	&reapi_any_desc,
	&reapi_uint32_value_desc,
	&reapi_status_desc,
	&reapi_digest_desc,
	&reapi_node_property_desc,
	&reapi_node_properties_desc,
	&reapi_output_file_desc,
	&reapi_output_symlink_desc,
	&reapi_output_directory_desc,
	&reapi_executed_action_metadata_desc,
	&reapi_action_result_desc,
	&reapi_file_node_desc,
	&reapi_directory_node_desc,
	&reapi_symlink_node_desc,
	&reapi_directory_desc,
	&reapi_tree_desc,
	&reapi_get_action_result_request_desc,
	&reapi_results_cache_policy_desc,
	&reapi_update_action_result_request_desc,
	&reapi_find_missing_blobs_request_desc,
	&reapi_find_missing_blobs_response_desc,
	&reapi_batch_update_blobs_entry_desc,
	&reapi_batch_update_blobs_request_desc,
	&reapi_batch_update_blobs_result_desc,
	&reapi_batch_update_blobs_response_desc,
	&reapi_batch_read_blobs_request_desc,
	&reapi_batch_read_blobs_result_desc,
	&reapi_batch_read_blobs_response_desc,
	&reapi_get_tree_request_desc,
	&reapi_get_tree_response_desc,
	&reapi_get_capabilities_request_desc,
	&reapi_semver_desc,
	&reapi_priority_range_desc,
	&reapi_priority_capabilities_desc,
	&reapi_action_cache_update_capabilities_desc,
	&reapi_cache_capabilities_desc,
	&reapi_execution_capabilities_desc,
	&reapi_server_capabilities_desc,
	&reapi_tool_details_desc,
	&reapi_request_metadata_desc,
	&reapi_bytestream_read_request_desc,
	&reapi_bytestream_read_response_desc,
	&reapi_bytestream_write_request_desc,
	&reapi_bytestream_write_response_desc,
	&reapi_bytestream_query_write_status_request_desc,
	&reapi_bytestream_query_write_status_response_desc,
};

#define V2 "/build.bazel.remote.execution.v2."

const struct pb_rpc reapi_rpcs[] = {
	{ V2 "Capabilities/GetCapabilities",
	    &reapi_get_capabilities_request_desc,
	    &reapi_server_capabilities_desc, 0 },
	{ V2 "ActionCache/GetActionResult",
	    &reapi_get_action_result_request_desc, &reapi_action_result_desc,
	    0 },
	{ V2 "ActionCache/UpdateActionResult",
	    &reapi_update_action_result_request_desc, &reapi_action_result_desc,
	    0 },
	{ V2 "ContentAddressableStorage/FindMissingBlobs",
	    &reapi_find_missing_blobs_request_desc,
	    &reapi_find_missing_blobs_response_desc, 0 },
	{ V2 "ContentAddressableStorage/BatchUpdateBlobs",
	    &reapi_batch_update_blobs_request_desc,
	    &reapi_batch_update_blobs_response_desc, 0 },
	{ V2 "ContentAddressableStorage/BatchReadBlobs",
	    &reapi_batch_read_blobs_request_desc,
	    &reapi_batch_read_blobs_response_desc, 0 },
	{ V2 "ContentAddressableStorage/GetTree", &reapi_get_tree_request_desc,
	    &reapi_get_tree_response_desc, PB_RPC_SERVER_STREAM },
	{ "/google.bytestream.ByteStream/Read",
	    &reapi_bytestream_read_request_desc,
	    &reapi_bytestream_read_response_desc, PB_RPC_SERVER_STREAM },
	{ "/google.bytestream.ByteStream/Write",
	    &reapi_bytestream_write_request_desc,
	    &reapi_bytestream_write_response_desc, PB_RPC_CLIENT_STREAM },
	{ "/google.bytestream.ByteStream/QueryWriteStatus",
	    &reapi_bytestream_query_write_status_request_desc,
	    &reapi_bytestream_query_write_status_response_desc, 0 },
};

const size_t reapi_nrpcs = sizeof(reapi_rpcs) / sizeof(reapi_rpcs[0]);

size_t
reapi_descriptors(const struct pb_msgdesc *const **list)
{
	*list = reapi_all;
	return sizeof(reapi_all) / sizeof(reapi_all[0]);
}
