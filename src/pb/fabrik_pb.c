/*
 * Descriptor tables, method table and request checks for the Fabrik
 * protocol (proto/fabrik.proto, doc/protocol-fabrik.md).
 *
 * Security: requests come from other Fabrik layers and are untrusted;
 * pb_decode enforces the wire limits, and fabrik_pb_check_request the
 * protocol's own (key and hash lengths, key count, namespace length,
 * chunk size) before a request reaches the cache chain.
 */
#include <stddef.h>

#include "pb/fabrik_pb.h"

#define ONE PB_ONE
#define REP PB_MANY
#define DESC PB_MSGDESC

static const struct pb_field fabrik_pb_exists_request_fields[] = {
	REP(1, PB_BYTES, 0, fabrik_pb_exists_request, keys, NULL),
	ONE(2, PB_STRING, fabrik_pb_exists_request, ns, NULL),
};
DESC(fabrik_pb_exists_request, "fabrik.v1.ExistsRequest");

static const struct pb_field fabrik_pb_exists_response_fields[] = {
	REP(1, PB_BYTES, 0, fabrik_pb_exists_response, keys, NULL),
};
DESC(fabrik_pb_exists_response, "fabrik.v1.ExistsResponse");

static const struct pb_field fabrik_pb_get_request_fields[] = {
	ONE(1, PB_BYTES, fabrik_pb_get_request, key, NULL),
	ONE(2, PB_STRING, fabrik_pb_get_request, ns, NULL),
	ONE(3, PB_UINT64, fabrik_pb_get_request, offset, NULL),
};
DESC(fabrik_pb_get_request, "fabrik.v1.GetRequest");

static const struct pb_field fabrik_pb_get_response_fields[] = {
	ONE(1, PB_UINT64, fabrik_pb_get_response, size, NULL),
	ONE(2, PB_BYTES, fabrik_pb_get_response, sha256, NULL),
	ONE(3, PB_BYTES, fabrik_pb_get_response, data, NULL),
	ONE(4, PB_BYTES, fabrik_pb_get_response, meta, NULL),
	ONE(5, PB_STRING, fabrik_pb_get_response, ns, NULL),
};
DESC(fabrik_pb_get_response, "fabrik.v1.GetResponse");

static const struct pb_field fabrik_pb_put_request_fields[] = {
	ONE(1, PB_BYTES, fabrik_pb_put_request, key, NULL),
	ONE(2, PB_STRING, fabrik_pb_put_request, ns, NULL),
	ONE(3, PB_UINT64, fabrik_pb_put_request, size, NULL),
	ONE(4, PB_BYTES, fabrik_pb_put_request, sha256, NULL),
	ONE(5, PB_BYTES, fabrik_pb_put_request, data, NULL),
	ONE(6, PB_BYTES, fabrik_pb_put_request, meta, NULL),
};
DESC(fabrik_pb_put_request, "fabrik.v1.PutRequest");

static const struct pb_field fabrik_pb_put_response_fields[] = {
	ONE(1, PB_UINT64, fabrik_pb_put_response, committed_size, NULL),
	ONE(2, PB_BOOL, fabrik_pb_put_response, already_present, NULL),
};
DESC(fabrik_pb_put_response, "fabrik.v1.PutResponse");

static const struct pb_field fabrik_pb_delete_request_fields[] = {
	ONE(1, PB_BYTES, fabrik_pb_delete_request, key, NULL),
	ONE(2, PB_STRING, fabrik_pb_delete_request, ns, NULL),
};
DESC(fabrik_pb_delete_request, "fabrik.v1.DeleteRequest");

static const struct pb_field fabrik_pb_delete_response_fields[] = {
	ONE(1, PB_BOOL, fabrik_pb_delete_response, deleted, NULL),
};
DESC(fabrik_pb_delete_response, "fabrik.v1.DeleteResponse");

static const struct pb_field fabrik_pb_get_stats_request_fields[] = {
	ONE(1, PB_STRING, fabrik_pb_get_stats_request, ns, NULL),
};
DESC(fabrik_pb_get_stats_request, "fabrik.v1.GetStatsRequest");

static const struct pb_field fabrik_pb_namespace_stats_fields[] = {
	ONE(1, PB_STRING, fabrik_pb_namespace_stats, ns, NULL),
	ONE(2, PB_UINT64, fabrik_pb_namespace_stats, objects, NULL),
	ONE(3, PB_UINT64, fabrik_pb_namespace_stats, bytes, NULL),
	ONE(4, PB_UINT64, fabrik_pb_namespace_stats, hits, NULL),
	ONE(5, PB_UINT64, fabrik_pb_namespace_stats, misses, NULL),
};
DESC(fabrik_pb_namespace_stats, "fabrik.v1.NamespaceStats");

static const struct pb_field fabrik_pb_get_stats_response_fields[] = {
	ONE(1, PB_UINT64, fabrik_pb_get_stats_response, objects, NULL),
	ONE(2, PB_UINT64, fabrik_pb_get_stats_response, bytes, NULL),
	ONE(3, PB_UINT64, fabrik_pb_get_stats_response, hits, NULL),
	ONE(4, PB_UINT64, fabrik_pb_get_stats_response, misses, NULL),
	REP(5, PB_MESSAGE, 0, fabrik_pb_get_stats_response, namespaces,
	    &fabrik_pb_namespace_stats_desc),
};
DESC(fabrik_pb_get_stats_response, "fabrik.v1.GetStatsResponse");

#define SVC "/fabrik.v1.FabrikCache/"

const struct pb_rpc fabrik_pb_rpcs[] = {
	{ SVC "Exists", &fabrik_pb_exists_request_desc,
	    &fabrik_pb_exists_response_desc, 0 },
	{ SVC "Get", &fabrik_pb_get_request_desc, &fabrik_pb_get_response_desc,
	    PB_RPC_SERVER_STREAM },
	{ SVC "Put", &fabrik_pb_put_request_desc, &fabrik_pb_put_response_desc,
	    PB_RPC_CLIENT_STREAM },
	{ SVC "Delete", &fabrik_pb_delete_request_desc,
	    &fabrik_pb_delete_response_desc, 0 },
	{ SVC "GetStats", &fabrik_pb_get_stats_request_desc,
	    &fabrik_pb_get_stats_response_desc, 0 },
};

const size_t fabrik_pb_nrpcs =
    sizeof(fabrik_pb_rpcs) / sizeof(fabrik_pb_rpcs[0]);

static int
check_fail(const char **err, const char *msg)
{
	*err = msg;
	return -1;
}

static int
check_key(struct span key, const char **err)
{
	if (key.len != FABRIK_PB_KEY_LEN)
		return check_fail(err, "key must be 32 bytes");
	return 0;
}

static int
check_ns(struct span ns, const char **err)
{
	if (ns.len > FABRIK_PB_MAX_NAMESPACE)
		return check_fail(err, "namespace too long");
	return 0;
}

int
fabrik_pb_check_request(const struct pb_msgdesc *desc, const void *msg,
    bool first, const char **err)
{
	const struct fabrik_pb_exists_request *ex;
	const struct fabrik_pb_put_request *put;
	size_t i;

	if (desc == &fabrik_pb_exists_request_desc) {
		ex = msg;
		if (ex->n_keys > FABRIK_PB_MAX_EXISTS_KEYS)
			return check_fail(err, "too many keys");
		for (i = 0; i < ex->n_keys; i++)
			if (check_key(ex->keys[i], err) == -1)
				return -1;
		return check_ns(ex->ns, err);
	}
	if (desc == &fabrik_pb_get_request_desc) {
		if (check_key(((const struct fabrik_pb_get_request *)msg)->key,
			err) == -1)
			return -1;
		return check_ns(
		    ((const struct fabrik_pb_get_request *)msg)->ns, err);
	}
	if (desc == &fabrik_pb_delete_request_desc) {
		if (check_key(
			((const struct fabrik_pb_delete_request *)msg)->key,
			err) == -1)
			return -1;
		return check_ns(
		    ((const struct fabrik_pb_delete_request *)msg)->ns, err);
	}
	if (desc == &fabrik_pb_get_stats_request_desc)
		return check_ns(
		    ((const struct fabrik_pb_get_stats_request *)msg)->ns, err);
	if (desc == &fabrik_pb_put_request_desc) {
		put = msg;
		if (put->data.len > FABRIK_PB_MAX_CHUNK)
			return check_fail(err, "chunk too large");
		if (!first) {
			if (put->key.len != 0 || put->ns.len != 0 ||
			    put->size != 0 || put->sha256.len != 0 ||
			    put->meta.len != 0)
				return check_fail(err,
				    "only the first Put message has a header");
			return 0;
		}
		if (check_key(put->key, err) == -1)
			return -1;
		if (put->sha256.len != FABRIK_PB_KEY_LEN)
			return check_fail(err, "sha256 must be 32 bytes");
		if (put->data.len > put->size)
			return check_fail(err, "more data than size");
		if (put->meta.len > FABRIK_PB_MAX_META)
			return check_fail(err, "metadata too large");
		return check_ns(put->ns, err);
	}
	return check_fail(err, "not a Fabrik request type");
}

int
fabrik_pb_check_get_response(
    const struct fabrik_pb_get_response *r, bool first, const char **err)
{
	if (r->data.len > FABRIK_PB_MAX_CHUNK)
		return check_fail(err, "chunk too large");
	if (!first) {
		if (r->size != 0 || r->sha256.len != 0 || r->meta.len != 0 ||
		    r->ns.len != 0)
			return check_fail(
			    err, "only the first Get message has a header");
		return 0;
	}
	if (r->sha256.len != FABRIK_PB_KEY_LEN)
		return check_fail(err, "sha256 must be 32 bytes");
	if (r->meta.len > FABRIK_PB_MAX_META)
		return check_fail(err, "metadata too large");
	if (r->data.len > r->size)
		return check_fail(err, "more data than size");
	return check_ns(r->ns, err);
}
