/*
 * Fuzz target for recipe/tar: the input is a tar archive, or a gzip'd one
 * when it starts with the gzip magic.  Every entry tar_next() accepts must
 * have a safe name (and link target), content inside the input, and must
 * survive tar_write_entry -> tar_next with the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "recipe/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
entries(const uint8_t *data, size_t len)
{
	struct tar_entry e, e2;
	struct buf b;
	const char *err;
	size_t off = 0, n = 0;
	int64_t r;

	buf_init(&b);
	while ((r = tar_next(data, len, off, &e, &err)) > 0) {
		if ((size_t)r > len - off || r % 512 != 0)
			abort();
		if (tar_check_path(e.name, &err) != 0)
			abort();
		if (e.type == TAR_SYMLINK &&
		    tar_check_link(e.name, e.link, &err) != 0)
			abort();
		if (e.type == TAR_FILE &&
		    (e.data < data || e.size > (uint64_t)(data + len - e.data)))
			abort();
		buf_reset(&b);
		if (tar_write_entry(&b, &e, &err) == 0) {
			if (tar_next(b.data, b.len, 0, &e2, &err) <= 0 ||
			    strcmp(e.name, e2.name) != 0 || e.type != e2.type ||
			    e.size != e2.size || e.mode != e2.mode ||
			    (e.size > 0 &&
				memcmp(e.data, e2.data, e.size) != 0))
				abort();
		}
		off += (size_t)r;
		if (++n > TAR_MAX_ENTRIES)
			break;
	}
	if (r < 0 && err == NULL)
		abort();
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct buf out;
	const char *err;

	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		buf_init(&out);
		if (tar_gunzip(data, len, &out, 1 << 24, &err) == 0)
			entries(out.data, out.len);
		buf_release(&out);
		return 0;
	}
	entries(data, len);
	return 0;
}
