/*
 * HTTP/2 connection helpers shared by h2_client and h2_server (RFC 9113
 * §6.5.3, §6.9, §4.3, §8.2.2).  No untrusted input is parsed here beyond
 * h2_settings_apply; window arithmetic is done in 64 bits so that no sum
 * of 31-bit values overflows.
 */
#include <stddef.h>
#include <stdint.h>

#include "http/h2_conn.h"

int
h2_conn_is_connection_header(struct span name)
{
	static const char *const names[] = { "connection", "keep-alive",
		"proxy-connection", "transfer-encoding", "upgrade" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (span_eq_str(name, names[i]))
			return 1;
	return 0;
}

size_t
h2_conn_data_len(size_t have, int64_t stream_window, int64_t conn_window,
    uint32_t peer_max_frame_size)
{
	size_t n = have;

	if (stream_window <= 0 || conn_window <= 0)
		return 0;
	if ((int64_t)n > stream_window)
		n = (size_t)stream_window;
	if ((int64_t)n > conn_window)
		n = (size_t)conn_window;
	if (n > peer_max_frame_size)
		n = peer_max_frame_size;
	return n;
}

int
h2_conn_window_add(int64_t *window, int64_t delta)
{
	*window += delta;
	return *window > (int64_t)H2_MAX_WINDOW ? -1 : 0;
}

int
h2_conn_credit(struct buf *out, uint32_t stream_id, int64_t *recv_window,
    uint32_t *unacked, uint32_t n, uint32_t threshold)
{
	*unacked += n;
	if (*unacked < threshold)
		return 0;
	if (h2_frame_write_window_update(out, stream_id, *unacked) == -1)
		return -1;
	*recv_window += *unacked;
	*unacked = 0;
	return 0;
}

int
h2_conn_settings_recv(struct h2_settings *remote, struct h2_settings *old,
    const struct h2_frame *f, int64_t *window_delta, uint32_t *h2_error,
    const char **err)
{
	*old = *remote;
	if (h2_settings_apply(
		remote, f->payload.p, f->payload.len, h2_error, err) < 0)
		return FAB_ERROR;
	*window_delta = (int64_t)remote->initial_window_size -
	    (int64_t)old->initial_window_size;
	return 0;
}

int
h2_conn_settings_ack(struct buf *out, struct hpack_encoder *enc,
    const struct h2_settings *old, const struct h2_settings *remote)
{
	if (remote->header_table_size != old->header_table_size)
		hpack_encoder_set_max(enc, remote->header_table_size);
	return h2_frame_write_settings_ack(out);
}

int
h2_conn_is_block_frame(
    const struct h2_frame_block *block, const struct h2_frame *f)
{
	return h2_frame_block_open(block) || f->type == H2_FRAME_HEADERS ||
	    f->type == H2_FRAME_PUSH_PROMISE ||
	    f->type == H2_FRAME_CONTINUATION;
}

int
h2_conn_write_block(struct buf *out, struct buf *scratch,
    struct hpack_encoder *enc, uint32_t stream_id, const struct hpack_field *f,
    size_t n, int end_stream, uint32_t peer_max_frame_size)
{
	buf_reset(scratch);
	if (hpack_encode_list(enc, scratch, f, n) == -1)
		return -1;
	return h2_frame_write_headers(out, stream_id, scratch->data,
	    scratch->len, end_stream, peer_max_frame_size);
}

void
h2_conn_compact(struct buf *b, size_t *off, size_t min)
{
	if (*off == b->len) {
		buf_reset(b);
		*off = 0;
	} else if (*off >= min) {
		buf_consume(b, *off);
		*off = 0;
	}
}
