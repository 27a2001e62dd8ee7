/*
 * Fuzz target for recipe/kdl: parses the input as KDL 2.0, KDL 1.0 and with
 * version detection; whatever parses must print, re-parse as KDL 2.0 and
 * print to the same canonical text (parse -> print -> parse -> print).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "recipe/kdl.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
roundtrip(const uint8_t *data, size_t len, int flags)
{
	struct kdl_document *d, *d2;
	struct kdl_error err;
	struct buf a, b;

	if ((d = kdl_parse((const char *)data, len, flags, &err)) == NULL) {
		if (err.msg == NULL || err.line == 0 || err.col == 0)
			abort();
		return;
	}
	buf_init(&a);
	buf_init(&b);
	if (kdl_serialize(d, &a) == -1)
		abort();
	if ((d2 = kdl_parse((const char *)a.data, a.len, KDL_V2, &err)) == NULL)
		abort();
	if (kdl_serialize(d2, &b) == -1)
		abort();
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
	kdl_free(d2);
	kdl_free(d);
	buf_release(&a);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	roundtrip(data, len, KDL_V2);
	roundtrip(data, len, KDL_V1);
	roundtrip(data, len, KDL_DETECT);
	return 0;
}
