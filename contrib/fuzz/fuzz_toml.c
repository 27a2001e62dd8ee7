/*
 * Fuzz target for base/toml: parses the input as a TOML document and, when
 * it parses, walks the whole tree through the public accessors, checking
 * that every key is found again by toml_table_get() and every date-time
 * splits into fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_walk(const struct toml_value *v, int depth)
{
	struct toml_datetime dt;
	const char *key;
	size_t i, n;

	/* Containers are at most TOML_MAX_DEPTH deep; scalars one more. */
	if (toml_line(v) < 1 || toml_col(v) < 1 ||
	    depth > TOML_MAX_DEPTH +
		    (toml_type(v) != TOML_ARRAY && toml_type(v) != TOML_TABLE))
		abort();
	switch (toml_type(v)) {
	case TOML_STRING:
		if (toml_string(v, &n) == NULL || toml_string(v, NULL)[n] != 0)
			abort();
		break;
	case TOML_INTEGER:
		(void)toml_integer(v);
		break;
	case TOML_FLOAT:
		(void)toml_float(v);
		break;
	case TOML_BOOL:
		if (toml_bool(v) != 0 && toml_bool(v) != 1)
			abort();
		break;
	case TOML_DATETIME:
		if (toml_datetime_text(v) == NULL || toml_datetime(v, &dt) != 0)
			abort();
		break;
	case TOML_ARRAY:
		for (i = 0; i < toml_array_len(v); i++)
			fuzz_walk(toml_array_at(v, i), depth + 1);
		if (toml_array_at(v, i) != NULL)
			abort();
		break;
	case TOML_TABLE:
		n = toml_table_len(v);
		for (i = 0; i < n; i++) {
			key = toml_table_key(v, i);
			if (key == NULL ||
			    toml_table_get(v, key) != toml_table_value(v, i))
				abort();
			if (toml_table_key_line(v, i) < 1 ||
			    toml_table_key_col(v, i) < 1)
				abort();
			fuzz_walk(toml_table_value(v, i), depth + 1);
		}
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_error err;
	struct toml_value *root;

	root = toml_parse((const char *)data, size, &err);
	if (root == NULL) {
		if (err.line < 1 || err.col < 1 || err.msg[0] == '\0' ||
		    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
			abort();
		return 0;
	}
	fuzz_walk(root, 0);
	toml_free(root);
	return 0;
}
