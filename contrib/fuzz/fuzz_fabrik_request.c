/*
 * Fuzz target for the Fabrik protocol's request validation (pb/fabrik_pb,
 * as tools/fabrik_svc and upstream/fabrikup apply it): the input is
 * decoded as every request type and as a GetResponse, and each decoded
 * message is checked as a first and as a later stream message.  An
 * accepted message must keep the limits the service relies on (32-byte
 * keys and digests, bounded namespace, metadata, chunk and key count),
 * and the URL check of the upstream must not crash on the input as text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb/fabrik_pb.h"
#include "upstream/fabrikup.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct pb_msgdesc *const fz_requests[] = {
	&fabrik_pb_exists_request_desc,
	&fabrik_pb_get_request_desc,
	&fabrik_pb_put_request_desc,
	&fabrik_pb_delete_request_desc,
	&fabrik_pb_get_stats_request_desc,
};

/* What an accepted request guarantees. */
static void
fz_accepted(const struct pb_msgdesc *d, const void *msg, int first)
{
	const struct fabrik_pb_exists_request *ex;
	const struct fabrik_pb_put_request *put;
	const struct fabrik_pb_get_request *get;
	size_t i;

	if (d == &fabrik_pb_exists_request_desc) {
		ex = msg;
		if (ex->n_keys > FABRIK_PB_MAX_EXISTS_KEYS ||
		    ex->ns.len > FABRIK_PB_MAX_NAMESPACE)
			abort();
		for (i = 0; i < ex->n_keys; i++)
			if (ex->keys[i].len != FABRIK_PB_KEY_LEN)
				abort();
	} else if (d == &fabrik_pb_get_request_desc) {
		get = msg;
		if (get->key.len != FABRIK_PB_KEY_LEN)
			abort();
	} else if (d == &fabrik_pb_put_request_desc) {
		put = msg;
		if (put->data.len > FABRIK_PB_MAX_CHUNK)
			abort();
		if (first &&
		    (put->key.len != FABRIK_PB_KEY_LEN ||
			put->sha256.len != FABRIK_PB_KEY_LEN ||
			put->meta.len > FABRIK_PB_MAX_META ||
			put->data.len > put->size))
			abort();
		if (!first && (put->key.len != 0 || put->meta.len != 0))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fabrik_pb_get_response gr;
	struct pb_arena a;
	const char *err;
	union {
		struct fabrik_pb_exists_request ex;
		struct fabrik_pb_get_request get;
		struct fabrik_pb_put_request put;
		struct fabrik_pb_delete_request del;
		struct fabrik_pb_get_stats_request st;
	} msg;
	char *text;
	size_t i;
	int first;

	for (i = 0; i < sizeof(fz_requests) / sizeof(fz_requests[0]); i++) {
		pb_arena_init(&a);
		if (pb_decode(fz_requests[i], data, size, &msg, &a, &err) == 0)
			for (first = 0; first < 2; first++)
				if (fabrik_pb_check_request(
					fz_requests[i], &msg, first, &err) == 0)
					fz_accepted(
					    fz_requests[i], &msg, first);
		pb_arena_release(&a);
	}
	pb_arena_init(&a);
	if (pb_decode(
		&fabrik_pb_get_response_desc, data, size, &gr, &a, &err) == 0)
		for (first = 0; first < 2; first++)
			if (fabrik_pb_check_get_response(&gr, first, &err) ==
				0 &&
			    (gr.data.len > FABRIK_PB_MAX_CHUNK ||
				(first && gr.sha256.len != FABRIK_PB_KEY_LEN) ||
				gr.meta.len > FABRIK_PB_MAX_META ||
				gr.ns.len > FABRIK_PB_MAX_NAMESPACE))
				abort();
	pb_arena_release(&a);
	if ((text = malloc(size + 1)) != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)fabrikup_check_url(text);
		free(text);
	}
	return 0;
}
