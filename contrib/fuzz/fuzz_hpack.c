/*
 * Fuzz target for http/hpack: decodes a sequence of header blocks on one
 * connection; every block that decodes is re-encoded by an encoder and
 * decoded again by a second decoder in step with it, and the lists must
 * match.
 *
 * Input: octet 0 sets the advertised table size (x32); then records of a
 * 2-octet big-endian header (bit 15: first lower the table size to the
 * next octet x16 on every side; low 15 bits: block length) and the block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "http/hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
compare(const struct hpack_list *a, const struct hpack_list *b)
{
	size_t i;

	if (a->count != b->count)
		abort();
	for (i = 0; i < a->count; i++)
		if (!span_eq(a->fields[i].name, b->fields[i].name) ||
		    !span_eq(a->fields[i].value, b->fields[i].value) ||
		    a->fields[i].flags != b->fields[i].flags)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpack_decoder d1, d2;
	struct hpack_encoder e;
	struct hpack_list l1, l2;
	struct buf block;
	const char *err;
	size_t pos = 1, n;
	uint32_t table;
	unsigned hdr;

	if (size < 1)
		return 0;
	table = (uint32_t)data[0] * 32;
	hpack_decoder_init(&d1, table);
	hpack_decoder_init(&d2, table);
	hpack_encoder_init(&e, table);
	hpack_list_init(&l1);
	hpack_list_init(&l2);
	buf_init(&block);
	while (size - pos >= 2) {
		hdr = (unsigned)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if ((hdr & 0x8000) && pos < size) {
			table = (uint32_t)data[pos++] * 16;
			hpack_decoder_set_max_table(&d1, table);
			hpack_decoder_set_max_table(&d2, table);
			hpack_encoder_set_max(&e, table);
		}
		n = hdr & 0x7fff;
		if (n > size - pos)
			n = size - pos;
		if (hpack_decode_list(&d1, data + pos, n, &l1, &err) != 0)
			break;
		pos += n;
		buf_reset(&block);
		if (hpack_encode_list(&e, &block, l1.fields, l1.count) != 0)
			abort();
		if (hpack_decode_list(&d2, block.data, block.len, &l2, &err) !=
		    0)
			abort();
		compare(&l1, &l2);
		if (e.table.size != d2.table.size ||
		    e.table.count != d2.table.count)
			abort();
	}
	buf_release(&block);
	hpack_list_release(&l1);
	hpack_list_release(&l2);
	hpack_encoder_release(&e);
	hpack_decoder_release(&d1);
	hpack_decoder_release(&d2);
	return 0;
}
