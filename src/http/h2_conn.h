/*
 * HTTP/2 connection helpers shared by the client and server ends (RFC
 * 9113 §6.5.3 SETTINGS acknowledgement, §6.9 flow control, §4.3 header
 * blocks, §8.2.2 connection-specific fields).  Pure: they work on
 * windows, settings and buffers the caller owns and never do I/O; who
 * may send what, and the stream states, stay in h2_client and h2_server.
 */
#ifndef FABRIK_H2_CONN_H
#define FABRIK_H2_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/h2_frame.h"
#include "http/hpack.h"

/* 1 if name (lower case) is a connection-specific header field that
 * HTTP/2 forbids (RFC 9113 §8.2.2), else 0. */
int h2_conn_is_connection_header(struct span name);

/*
 * Octets of DATA that may be framed now out of have queued octets: the
 * least of have, both send windows and the peer's max frame size; 0 when
 * either window is exhausted (or have is 0).
 */
size_t h2_conn_data_len(size_t have, int64_t stream_window, int64_t conn_window,
    uint32_t peer_max_frame_size);

/*
 * Adds delta (a WINDOW_UPDATE increment or a SETTINGS_INITIAL_WINDOW_SIZE
 * change, may be negative) to a send window.  Returns 0, or -1 when the
 * result is above 2^31-1 (a FLOW_CONTROL_ERROR; *window is updated
 * anyway).
 */
int h2_conn_window_add(int64_t *window, int64_t delta) FAB_WUR;

/*
 * Credits n received octets: adds them to *unacked and, once it reaches
 * threshold, appends a WINDOW_UPDATE for stream_id (0: the connection)
 * to out and gives them back to *recv_window.  Returns 0, or -1 on ENOMEM.
 */
int h2_conn_credit(struct buf *out, uint32_t stream_id, int64_t *recv_window,
    uint32_t *unacked, uint32_t n, uint32_t threshold) FAB_WUR;

/*
 * Applies a received SETTINGS frame (not an ACK) to *remote as
 * h2_settings_apply does.  On success *window_delta is the change of
 * INITIAL_WINDOW_SIZE every stream send window must take (§6.9.2; see
 * h2_conn_window_add) and *old the values before.  Returns 0, or FAB_ERROR
 * with *h2_error and *err (a connection error) and *remote unchanged.
 */
int h2_conn_settings_recv(struct h2_settings *remote, struct h2_settings *old,
    const struct h2_frame *f, int64_t *window_delta, uint32_t *h2_error,
    const char **err) FAB_WUR;

/*
 * Finishes a received SETTINGS frame once the stream windows are shifted:
 * resizes the HPACK encoder if HEADER_TABLE_SIZE changed from old and
 * appends the SETTINGS ACK to out.  Returns 0, or -1 on ENOMEM.
 */
int h2_conn_settings_ack(struct buf *out, struct hpack_encoder *enc,
    const struct h2_settings *old, const struct h2_settings *remote) FAB_WUR;

/*
 * 1 if f belongs to header-block reassembly (RFC 9113 §4.3) and must go
 * to h2_frame_block_add: a block is open, or f is HEADERS, PUSH_PROMISE
 * or CONTINUATION; else 0 (dispatch it by type).
 */
int h2_conn_is_block_frame(
    const struct h2_frame_block *, const struct h2_frame *f);

/*
 * Encodes the header list f[0..n) with enc into scratch (reset first) and
 * appends it to out as HEADERS plus CONTINUATION frames no larger than
 * peer_max_frame_size.  Returns 0, or -1 on ENOMEM.
 */
int h2_conn_write_block(struct buf *out, struct buf *scratch,
    struct hpack_encoder *enc, uint32_t stream_id, const struct hpack_field *f,
    size_t n, int end_stream, uint32_t peer_max_frame_size) FAB_WUR;

/*
 * Drops the first *off octets of b that the caller has used: empties b
 * when all of it is used, moves the rest to the front once *off reaches
 * min (1 or more), and leaves b alone otherwise.
 */
void h2_conn_compact(struct buf *b, size_t *off, size_t min);

#endif
