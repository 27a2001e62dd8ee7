/*
 * Base64 and base64url, RFC 4648 §4 and §5.  Decoding is strict: only the
 * alphabet(s) asked for, '=' only as trailing padding, no whitespace, and
 * the unused bits of the last quantum must be zero.
 */
#include "base/b64.h"

static const char b64_std_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
b64_encoded_len(size_t n, int alphabet)
{
	if (alphabet == B64_URL)
		return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	return (n + 2) / 3 * 4;
}

int
b64_encode(struct buf *out, const void *in, size_t n, int alphabet)
{
	const char *tab = alphabet == B64_URL ? b64_url_chars : b64_std_chars;
	const unsigned char *p = in;
	unsigned char *o;
	size_t i, olen;
	unsigned v;

	olen = b64_encoded_len(n, alphabet);
	if (buf_reserve(out, olen) == -1)
		return -1;
	o = out->data + out->len;
	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned)p[i] << 16;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		if (alphabet != B64_URL) {
			*o++ = '=';
			*o++ = '=';
		}
	} else if (n - i == 2) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		if (alphabet != B64_URL)
			*o++ = '=';
	}
	out->len += olen;
	out->data[out->len] = '\0';
	return 0;
}

static int
b64_value(int c, int alphabet)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if ((alphabet & B64_STD) && c == '+')
		return 62;
	if ((alphabet & B64_STD) && c == '/')
		return 63;
	if ((alphabet & B64_URL) && c == '-')
		return 62;
	if ((alphabet & B64_URL) && c == '_')
		return 63;
	return -1;
}

int
b64_decode(struct buf *out, const char *in, size_t n, int alphabet)
{
	unsigned char *o;
	unsigned v = 0;
	size_t i, pad = 0, nchars;
	int d, bits = 0;

	while (pad < 2 && n - pad > 0 && in[n - pad - 1] == '=')
		pad++;
	nchars = n - pad;
	if (pad > 0 && n % 4 != 0)
		return -1;
	if (nchars % 4 == 1)
		return -1;
	if (buf_reserve(out, nchars / 4 * 3 + 3) == -1)
		return -1;
	o = out->data + out->len;
	for (i = 0; i < nchars; i++) {
		d = b64_value((unsigned char)in[i], alphabet);
		if (d < 0)
			return -1;
		v = v << 6 | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(v >> bits & 0xff);
		}
	}
	if (bits > 0 && (v & ((1u << bits) - 1)) != 0)
		return -1;
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return 0;
}
