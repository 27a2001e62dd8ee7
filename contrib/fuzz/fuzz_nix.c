/*
 * Fuzz target for the Nix binary-cache parsers: narinfo (and, when it
 * parses, its fingerprint), nix-cache-info, nix32 decoding, store and NAR
 * names, and secret keys.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "tools/nix.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nix_narinfo ni;
	struct nix_key *k;
	struct buf fp;
	unsigned char raw[64];
	const char *err;

	if (nix_narinfo_parse(data, size, &ni, &err) == 0) {
		buf_init(&fp);
		if (nix_fingerprint(&ni, &fp) == 0 && fp.len == 0)
			__builtin_trap();
		buf_release(&fp);
	}
	(void)!nix_info_parse(data, size, &err);
	(void)nix_store_basename_valid(span_make(data, size));
	(void)nix_nar_name_valid(span_make(data, size));
	if (size <= 104)
		(void)!nix_base32_decode(
		    (const char *)data, size, raw, sizeof(raw));
	if ((k = nix_key_parse((const char *)data, size, &err)) != NULL)
		nix_key_free(k);
	return 0;
}
