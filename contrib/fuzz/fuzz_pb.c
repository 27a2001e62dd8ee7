/*
 * Fuzz target for src/pb: decodes the input as every REAPI, ByteStream,
 * google.rpc and Fabrik protocol message type; whenever it decodes, the
 * canonical encoding must decode again and re-encode to the same bytes
 * (encode . decode is idempotent), and the low-level reader must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb/fabrik_pb.h"
#include "pb/pb.h"
#include "pb/reapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct pb_msgdesc *const fabrik_descs[] = {
	&fabrik_pb_exists_request_desc,
	&fabrik_pb_exists_response_desc,
	&fabrik_pb_get_request_desc,
	&fabrik_pb_get_response_desc,
	&fabrik_pb_put_request_desc,
	&fabrik_pb_put_response_desc,
	&fabrik_pb_delete_request_desc,
	&fabrik_pb_delete_response_desc,
	&fabrik_pb_get_stats_request_desc,
	&fabrik_pb_namespace_stats_desc,
	&fabrik_pb_get_stats_response_desc,
};

static void
check(const struct pb_msgdesc *d, const uint8_t *data, size_t size, void *msg)
{
	struct pb_arena a1, a2;
	struct buf e1, e2;
	const char *err;
	int rc;

	pb_arena_init(&a1);
	pb_arena_init(&a2);
	buf_init(&e1);
	buf_init(&e2);
	rc = pb_decode(d, data, size, msg, &a1, &err);
	if (rc != 0)
		goto done;
	if (pb_encode(d, msg, &e1) != 0)
		abort();
	if (pb_decode(d, e1.data, e1.len, msg, &a2, &err) != 0)
		abort();
	if (pb_encode(d, msg, &e2) != 0)
		abort();
	if (e1.len != e2.len ||
	    (e1.len > 0 && memcmp(e1.data, e2.data, e1.len) != 0))
		abort();
done:
	pb_arena_release(&a1);
	pb_arena_release(&a2);
	buf_release(&e1);
	buf_release(&e2);
}

/* Walks the top level with the low-level reader; where it succeeds the
 * table decoder must at least not fail on framing of unknown fields. */
static void
walk(const uint8_t *data, size_t size)
{
	size_t off = 0, used;
	uint32_t field;
	int n, wt;

	while (off < size) {
		if ((n = pb_read_tag(data + off, size - off, &field, &wt)) < 0)
			return;
		off += (size_t)n;
		if (pb_skip(data + off, size - off, wt, &used) != 0)
			return;
		if (used > size - off)
			abort();
		off += used;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pb_msgdesc *const *list;
	size_t n, i, max = 0;
	void *msg;

	n = reapi_descriptors(&list);
	for (i = 0; i < n; i++)
		if (list[i]->size > max)
			max = list[i]->size;
	for (i = 0; i < sizeof(fabrik_descs) / sizeof(fabrik_descs[0]); i++)
		if (fabrik_descs[i]->size > max)
			max = fabrik_descs[i]->size;
	if ((msg = malloc(max)) == NULL)
		return 0;
	walk(data, size);
	for (i = 0; i < n; i++)
		check(list[i], data, size, msg);
	for (i = 0; i < sizeof(fabrik_descs) / sizeof(fabrik_descs[0]); i++)
		check(fabrik_descs[i], data, size, msg);
	free(msg);
	return 0;
}
