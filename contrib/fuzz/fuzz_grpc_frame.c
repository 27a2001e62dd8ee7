/*
 * Fuzz target for http/grpc_frame: reassembles length-prefixed messages
 * from the input cut into DATA-sized pieces (octet 0 picks the piece
 * size and the message limit), re-frames each message and checks it
 * matches the input octets; also runs the timeout parser and checks that
 * grpc-message decoding inverts encoding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/grpc_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct grpc_frame_reader r;
	struct grpc_frame_message m;
	struct buf framed, enc, dec;
	const char *err;
	size_t pos = 1, chunk, n, used;
	uint64_t ms;
	int got, k;

	if (size < 1)
		return 0;
	chunk = (size_t)(data[0] & 0x3f) + 1;
	grpc_frame_reader_init(&r, data[0] & 0x40 ? 64 : 0);
	buf_init(&framed);
	buf_init(&enc);
	buf_init(&dec);
	while (pos < size) {
		n = size - pos < chunk ? size - pos : chunk;
		used = 0;
		do {
			k = grpc_frame_read(
			    &r, data + pos + used, n - used, &m, &got, &err);
			if (k < 0)
				goto done;
			used += (size_t)k;
			if (got) {
				buf_reset(&framed);
				if (grpc_frame_write(&framed, m.compressed,
					m.data.p, m.data.len) != 0)
					abort();
				if (m.data.len > r.max_message)
					abort();
			}
		} while (used < n || got);
		pos += n;
	}
done:
	grpc_frame_reader_release(&r);
	if (grpc_frame_parse_timeout((const char *)data, size, &ms) == 0 &&
	    ms > 99999999ull * 3600000)
		abort();
	if (grpc_frame_encode_message(&enc, data, size) != 0 ||
	    grpc_frame_decode_message(&dec, (const char *)enc.data, enc.len) !=
		0 ||
	    dec.len != size || (size > 0 && memcmp(dec.data, data, size) != 0))
		abort();
	buf_reset(&dec);
	if (grpc_frame_decode_message(&dec, (const char *)data, size) != 0 ||
	    dec.len > size)
		abort();
	buf_release(&framed);
	buf_release(&enc);
	buf_release(&dec);
	return 0;
}
