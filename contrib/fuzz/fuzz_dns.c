/*
 * Fuzz target for p2p/dns: decodes the input as one DNS message; a
 * message that decodes is re-encoded with compression (SRV targets too),
 * decoded again and encoded once more: the two encodings must be
 * identical and every name must survive text -> wire -> text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "p2p/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_name(const struct dns_name *n)
{
	char text[DNS_NAME_TEXT_MAX];
	struct dns_name back;
	const char *err;

	dns_name_to_text(n, text, sizeof(text));
	if (dns_name_from_text(&back, text, &err) == -1 || back.len != n->len ||
	    memcmp(back.wire, n->wire, n->len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const unsigned opts = DNS_ENC_COMPRESS | DNS_ENC_COMPRESS_SRV;
	struct dns_msg m, m2;
	struct buf b1, b2;
	const char *err;
	size_t i;

	if (dns_decode(data, len, &m, &err) < 0)
		return 0;
	for (i = 0; i < m.nqd; i++)
		check_name(&m.qd[i].name);
	for (i = 0; i < m.nan + m.nns + m.nar; i++)
		check_name(&m.rr[i].name);
	buf_init(&b1);
	buf_init(&b2);
	if (dns_encode(&m, &b1, 0, opts, &err) == -1) {
		/* Decompressed names may not fit once re-encoded. */
		if (strcmp(err, "message full") != 0)
			abort();
		goto done;
	}
	if (dns_decode(b1.data, b1.len, &m2, &err) != (int)b1.len)
		abort();
	if (m2.nqd != m.nqd || m2.nan != m.nan || m2.nns != m.nns ||
	    m2.nar != m.nar || m2.id != m.id || m2.flags != m.flags)
		abort();
	for (i = 0; i < m.nan + m.nns + m.nar; i++)
		if (m2.rr[i].type != m.rr[i].type ||
		    m2.rr[i].ttl != m.rr[i].ttl ||
		    !dns_name_eq(&m2.rr[i].name, &m.rr[i].name))
			abort();
	if (dns_encode(&m2, &b2, 0, opts, &err) == -1 || b1.len != b2.len ||
	    memcmp(b1.data, b2.data, b1.len) != 0)
		abort();
	dns_msg_release(&m2);
done:
	buf_release(&b1);
	buf_release(&b2);
	dns_msg_release(&m);
	return 0;
}
