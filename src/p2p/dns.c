/*
 * DNS message codec: RFC 1035 §4.1 (header, question, resource record),
 * §4.1.4 (name compression), RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6762
 * §10.2 and §5.4 (mDNS cache-flush and unicast-response class bits).
 *
 * Security: the whole message is untrusted (it comes from the network).
 * The decoder checks every length against the bytes present, accepts
 * header counts only if that many minimum-size entries could fit and the
 * total stays under DNS_MAX_RECORDS before it allocates, rejects labels
 * with the reserved 01/10 type bits, names over 255 bytes, and compression
 * pointers that do not point strictly before the labels being read (so a
 * chain cannot loop) or that exceed DNS_MAX_POINTER_HOPS.  RDATA of known
 * types must match its RDLENGTH exactly.  Nothing is read out of bounds
 * and memory use is bounded by the header counts.
 */
#include <stdlib.h>
#include <string.h>

#include "p2p/dns.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int
dns_name_read(const uint8_t *msg, size_t len, size_t *pos,
    struct dns_name *name, const char **err)
{
	size_t p = *pos, seg = *pos, end = 0;
	unsigned hops = 0, c, off;

	name->len = 0;
	for (;;) {
		if (p >= len) {
			*err = "truncated name";
			return -1;
		}
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len) {
				*err = "truncated compression pointer";
				return -1;
			}
			off = (c & 0x3f) << 8 | msg[p + 1];
			if (off >= seg) {
				*err = "compression pointer does not point "
				       "backwards (loop)";
				return -1;
			}
			if (++hops > DNS_MAX_POINTER_HOPS) {
				*err = "too many compression pointers";
				return -1;
			}
			if (end == 0)
				end = p + 2;
			p = seg = off;
			continue;
		}
		if ((c & 0xc0) != 0) {
			*err = "reserved label type";
			return -1;
		}
		/* Room for this label and, if it is not the root, a
		 * root label after it. */
		if ((size_t)name->len + 1 + c + (c != 0) > DNS_MAX_NAME) {
			*err = "name longer than 255 bytes";
			return -1;
		}
		if (p + 1 + c > len) {
			*err = "truncated label";
			return -1;
		}
		memcpy(name->wire + name->len, msg + p, 1 + c);
		name->len += (uint8_t)(1 + c);
		p += 1 + c;
		if (c == 0)
			break;
	}
	*pos = end != 0 ? end : p;
	return 0;
}

int
dns_name_eq(const struct dns_name *a, const struct dns_name *b)
{
	unsigned i;

	if (a->len != b->len)
		return 0;
	for (i = 0; i < a->len; i++)
		if (lower(a->wire[i]) != lower(b->wire[i]))
			return 0;
	return 1;
}

unsigned
dns_name_labels(const struct dns_name *n)
{
	unsigned i = 0, count = 0;

	while (i < n->len && n->wire[i] != 0) {
		count++;
		i += 1 + n->wire[i];
	}
	return count;
}

int
dns_name_from_text(struct dns_name *n, const char *text, const char **err)
{
	const unsigned char *s = (const unsigned char *)text;
	uint8_t label[DNS_MAX_LABEL + 1];
	size_t ll = 0;
	unsigned v;
	int c;

	n->len = 0;
	if (s[0] == '.' && s[1] == '\0') {
		n->wire[n->len++] = 0;
		return 0;
	}
	for (;;) {
		c = *s;
		if (c == '\0' || c == '.') {
			if (ll == 0 &&
			    !(c == '\0' && n->len > 0 && s[-1] == '.')) {
				*err = "empty label in name";
				return -1;
			}
			if (ll > 0) {
				if ((size_t)n->len + 1 + ll + 1 >
				    DNS_MAX_NAME) {
					*err = "name longer than 255 bytes";
					return -1;
				}
				n->wire[n->len++] = (uint8_t)ll;
				memcpy(n->wire + n->len, label, ll);
				n->len += (uint8_t)ll;
				ll = 0;
			}
			if (c == '\0' || s[1] == '\0')
				break;
			s++;
			continue;
		}
		if (c == '\\') {
			if (s[1] >= '0' && s[1] <= '9') {
				if (!(s[2] >= '0' && s[2] <= '9' &&
					s[3] >= '0' && s[3] <= '9')) {
					*err = "bad \\DDD escape in name";
					return -1;
				}
				v = (s[1] - '0') * 100u + (s[2] - '0') * 10u +
				    (s[3] - '0');
				if (v > 255) {
					*err = "bad \\DDD escape in name";
					return -1;
				}
				c = (int)v;
				s += 4;
			} else if (s[1] == '\0') {
				*err = "trailing backslash in name";
				return -1;
			} else {
				c = s[1];
				s += 2;
			}
		} else
			s++;
		if (ll == DNS_MAX_LABEL) {
			*err = "label longer than 63 bytes";
			return -1;
		}
		label[ll++] = (uint8_t)c;
	}
	n->wire[n->len++] = 0;
	return 0;
}

size_t
dns_name_to_text(const struct dns_name *n, char *out, size_t outlen)
{
	size_t need = 0, i = 0, k;
	unsigned c;
	char tmp[5];

	if (n->len <= 1) {
		if (outlen > 1) {
			out[0] = '.';
			out[1] = '\0';
		} else if (outlen == 1)
			out[0] = '\0';
		return 1;
	}
	while (i < n->len && n->wire[i] != 0) {
		unsigned ll = n->wire[i++];

		if (need > 0) {
			if (need + 1 < outlen)
				out[need] = '.';
			need++;
		}
		for (k = 0; k < ll && i < n->len; k++, i++) {
			c = n->wire[i];
			if (c == '.' || c == '\\') {
				tmp[0] = '\\';
				tmp[1] = (char)c;
				tmp[2] = '\0';
			} else if (c < 0x20 || c == 0x7f) {
				tmp[0] = '\\';
				tmp[1] = (char)('0' + c / 100);
				tmp[2] = (char)('0' + c / 10 % 10);
				tmp[3] = (char)('0' + c % 10);
				tmp[4] = '\0';
			} else {
				tmp[0] = (char)c;
				tmp[1] = '\0';
			}
			for (c = 0; tmp[c] != '\0'; c++, need++)
				if (need + 1 < outlen)
					out[need] = tmp[c];
		}
	}
	if (outlen > 0)
		out[need < outlen ? need : outlen - 1] = '\0';
	return need;
}

int
dns_txt_next(struct span *rest, struct span *str)
{
	size_t l;

	if (rest->len == 0)
		return 0;
	l = rest->p[0];
	if (1 + l > rest->len)
		return -1;
	str->p = rest->p + 1;
	str->len = l;
	rest->p += 1 + l;
	rest->len -= 1 + l;
	return 1;
}

/* Decodes the RDATA of rr at msg[pos..pos+rdlen). */
static int
decode_rdata(const uint8_t *msg, size_t len, size_t pos, size_t rdlen,
    struct dns_rr *rr, const char **err)
{
	size_t p = pos, end = pos + rdlen;
	struct span rest, str;
	int r;

	rr->rdata = span_make(msg + pos, rdlen);
	switch (rr->type) {
	case DNS_TYPE_A:
		if (rdlen != 4)
			goto badlen;
		memcpy(rr->rd.a, msg + pos, 4);
		return 0;
	case DNS_TYPE_AAAA:
		if (rdlen != 16)
			goto badlen;
		memcpy(rr->rd.aaaa, msg + pos, 16);
		return 0;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		/* The name must end inside RDATA: limit the view to it. */
		if (dns_name_read(msg, end, &p, &rr->rd.target, err) == -1)
			return -1;
		if (p != end)
			goto badlen;
		return 0;
	case DNS_TYPE_SRV:
		if (rdlen < 7)
			goto badlen;
		rr->rd.srv.priority = get16(msg + pos);
		rr->rd.srv.weight = get16(msg + pos + 2);
		rr->rd.srv.port = get16(msg + pos + 4);
		p = pos + 6;
		if (dns_name_read(msg, end, &p, &rr->rd.srv.target, err) == -1)
			return -1;
		if (p != end)
			goto badlen;
		return 0;
	case DNS_TYPE_TXT:
		if (rdlen == 0)
			goto badlen;
		rest = rr->rdata;
		while ((r = dns_txt_next(&rest, &str)) == 1)
			;
		if (r == -1)
			goto badlen;
		return 0;
	default:
		(void)len;
		return 0;
	}
badlen:
	*err = "RDATA does not match its type";
	return -1;
}

void
dns_msg_release(struct dns_msg *m)
{
	free(m->qd);
	free(m->rr);
	memset(m, 0, sizeof(*m));
}

int
dns_decode(const uint8_t *msg, size_t len, struct dns_msg *m, const char **err)
{
	size_t pos = DNS_HEADER_SIZE, i, nrr, rdlen;
	unsigned counts[4];
	uint16_t cls;
	struct dns_rr *rr;

	memset(m, 0, sizeof(*m));
	if (len < DNS_HEADER_SIZE) {
		*err = "message shorter than the header";
		return FAB_ERROR;
	}
	if (len > DNS_MAX_MESSAGE) {
		*err = "message longer than 65535 bytes";
		return FAB_ERROR;
	}
	m->id = get16(msg);
	m->flags = get16(msg + 2);
	for (i = 0; i < 4; i++)
		counts[i] = get16(msg + 4 + 2 * i);
	nrr = (size_t)counts[1] + counts[2] + counts[3];
	/* Smallest question: root name + type + class = 5 bytes; smallest
	 * record: root name + 10 bytes of fixed fields. */
	if (counts[0] + nrr > DNS_MAX_RECORDS ||
	    counts[0] * 5 + nrr * 11 > len - DNS_HEADER_SIZE) {
		*err = "header counts exceed the message";
		return FAB_ERROR;
	}
	if (counts[0] > 0 &&
	    (m->qd = calloc(counts[0], sizeof(*m->qd))) == NULL) {
		*err = "out of memory";
		return FAB_ERROR;
	}
	if (nrr > 0 && (m->rr = calloc(nrr, sizeof(*m->rr))) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	for (i = 0; i < counts[0]; i++) {
		struct dns_question *q = &m->qd[i];

		if (dns_name_read(msg, len, &pos, &q->name, err) == -1)
			goto fail;
		if (len - pos < 4) {
			*err = "truncated question";
			goto fail;
		}
		q->type = get16(msg + pos);
		cls = get16(msg + pos + 2);
		q->qclass = cls & ~DNS_CLASS_TOP_BIT;
		q->unicast_response = (cls & DNS_CLASS_TOP_BIT) != 0;
		pos += 4;
		m->nqd++;
	}
	for (i = 0; i < nrr; i++) {
		rr = &m->rr[i];
		rr->section = i < counts[1] ? DNS_SECTION_ANSWER
		    : i < (size_t)counts[1] + counts[2]
		    ? DNS_SECTION_AUTHORITY
		    : DNS_SECTION_ADDITIONAL;
		if (dns_name_read(msg, len, &pos, &rr->name, err) == -1)
			goto fail;
		if (len - pos < 10) {
			*err = "truncated resource record";
			goto fail;
		}
		rr->type = get16(msg + pos);
		cls = get16(msg + pos + 2);
		if (rr->type == DNS_TYPE_OPT)
			rr->rclass = cls;
		else {
			rr->rclass = cls & ~DNS_CLASS_TOP_BIT;
			rr->cache_flush = (cls & DNS_CLASS_TOP_BIT) != 0;
		}
		rr->ttl = get32(msg + pos + 4);
		rdlen = get16(msg + pos + 8);
		pos += 10;
		if (rdlen > len - pos) {
			*err = "truncated RDATA";
			goto fail;
		}
		if (decode_rdata(msg, len, pos, rdlen, rr, err) == -1)
			goto fail;
		pos += rdlen;
	}
	m->nan = counts[1];
	m->nns = counts[2];
	m->nar = counts[3];
	return (int)pos;
fail:
	dns_msg_release(m);
	return FAB_ERROR;
}

/* --- encoder --- */

size_t
dns_encoder_len(const struct dns_encoder *e)
{
	return e->out->len - e->base;
}

int
dns_encoder_begin(struct dns_encoder *e, struct buf *out, uint16_t id,
    uint16_t flags, size_t limit, unsigned opts)
{
	uint8_t h[DNS_HEADER_SIZE];

	memset(e, 0, sizeof(*e));
	e->out = out;
	e->base = out->len;
	e->limit =
	    limit == 0 || limit > DNS_MAX_MESSAGE ? DNS_MAX_MESSAGE : limit;
	e->opts = opts;
	if (e->limit < DNS_HEADER_SIZE)
		return -1;
	memset(h, 0, sizeof(h));
	put16(h, id);
	put16(h + 2, flags);
	return buf_append(out, h, sizeof(h));
}

void
dns_encoder_set_flags(struct dns_encoder *e, uint16_t flags)
{
	put16(e->out->data + e->base + 2, flags);
}

/* Does the (uncompressed) name suffix s equal, byte for byte, the name
 * written at message offset off (following our own pointers)? */
static int
suffix_matches(const struct dns_encoder *e, size_t off, const uint8_t *s)
{
	const uint8_t *m = e->out->data + e->base;
	size_t mlen = e->out->len - e->base;
	unsigned hops = 0;

	for (;;) {
		if (off >= mlen)
			return 0;
		if ((m[off] & 0xc0) == 0xc0) {
			if (off + 1 >= mlen || ++hops > DNS_MAX_POINTER_HOPS)
				return 0;
			off = (size_t)(m[off] & 0x3f) << 8 | m[off + 1];
			continue;
		}
		if (m[off] != s[0] || off + 1 + m[off] > mlen)
			return 0;
		if (s[0] == 0)
			return 1;
		if (memcmp(m + off + 1, s + 1, s[0]) != 0)
			return 0;
		off += 1 + m[off];
		s += 1 + s[0];
	}
}

/* Appends name, compressed against earlier names when compress is set,
 * and remembers the offsets of the labels written in full. */
static int
put_name(struct dns_encoder *e, const struct dns_name *n, int compress)
{
	size_t i = 0, j, at;
	unsigned k, found = 0;
	uint8_t ptr[2];

	while (i < n->len && n->wire[i] != 0) {
		if (compress)
			for (k = 0; k < e->nsuffix; k++)
				if (suffix_matches(
					e, e->suffix[k], n->wire + i)) {
					found = 1;
					break;
				}
		if (found)
			break;
		i += 1 + n->wire[i];
	}
	if (i > n->len)
		return -1;
	at = e->out->len - e->base;
	if (buf_append(e->out, n->wire, i) == -1)
		return -1;
	if (found) {
		put16(ptr, (uint16_t)(0xc000 | e->suffix[k]));
		if (buf_append(e->out, ptr, 2) == -1)
			return -1;
	} else if (buf_putc(e->out, 0) == -1)
		return -1;
	for (j = 0; j < i && e->nsuffix < DNS_ENCODE_MAX_SUFFIXES;
	     j += 1 + n->wire[j])
		if (at + j < 0x4000)
			e->suffix[e->nsuffix++] = (uint16_t)(at + j);
	return 0;
}

/* Saves the state an add may need to roll back. */
struct enc_mark {
	size_t len;
	unsigned nsuffix;
};

static int
enc_fail(struct dns_encoder *e, const struct enc_mark *mk, const char *msg,
    const char **err)
{
	e->out->len = mk->len;
	if (e->out->cap > mk->len)
		e->out->data[mk->len] = '\0';
	e->nsuffix = mk->nsuffix;
	*err = msg;
	return -1;
}

static int
check_name(const struct dns_name *n)
{
	size_t i = 0;

	if (n->len == 0)
		return -1;
	while (i < n->len && n->wire[i] != 0) {
		if (n->wire[i] > DNS_MAX_LABEL)
			return -1;
		i += 1 + n->wire[i];
	}
	return i + 1 == n->len ? 0 : -1;
}

static void
bump_count(struct dns_encoder *e, int idx)
{
	e->count[idx]++;
	put16(e->out->data + e->base + 4 + 2 * idx, e->count[idx]);
}

int
dns_encoder_add_question(
    struct dns_encoder *e, const struct dns_question *q, const char **err)
{
	struct enc_mark mk = { e->out->len, e->nsuffix };
	uint8_t t[4];

	if (e->stage != 0)
		return enc_fail(e, &mk, "question after records", err);
	if (check_name(&q->name) == -1)
		return enc_fail(e, &mk, "malformed name", err);
	if (e->count[0] == 0xffff)
		return enc_fail(e, &mk, "too many questions", err);
	if (put_name(e, &q->name, e->opts & DNS_ENC_COMPRESS) == -1)
		return enc_fail(e, &mk, "out of memory", err);
	put16(t, q->type);
	put16(t + 2,
	    (uint16_t)(q->qclass |
		(q->unicast_response ? DNS_CLASS_TOP_BIT : 0)));
	if (buf_append(e->out, t, 4) == -1)
		return enc_fail(e, &mk, "out of memory", err);
	if (dns_encoder_len(e) > e->limit)
		return enc_fail(e, &mk, "message full", err);
	bump_count(e, 0);
	return 0;
}

int
dns_encoder_add_record(
    struct dns_encoder *e, const struct dns_rr *rr, const char **err)
{
	struct enc_mark mk = { e->out->len, e->nsuffix };
	int compress = (e->opts & DNS_ENC_COMPRESS) != 0;
	uint8_t f[10];
	uint16_t cls;
	size_t rdpos, rdlen;

	if ((int)rr->section + 1 < e->stage ||
	    (unsigned)rr->section > DNS_SECTION_ADDITIONAL)
		return enc_fail(e, &mk, "records out of section order", err);
	if (check_name(&rr->name) == -1)
		return enc_fail(e, &mk, "malformed name", err);
	if (e->count[1 + rr->section] == 0xffff)
		return enc_fail(e, &mk, "too many records", err);
	if (put_name(e, &rr->name, compress) == -1)
		return enc_fail(e, &mk, "out of memory", err);
	cls = rr->rclass;
	if (rr->type != DNS_TYPE_OPT && rr->cache_flush)
		cls |= DNS_CLASS_TOP_BIT;
	put16(f, rr->type);
	put16(f + 2, cls);
	f[4] = (uint8_t)(rr->ttl >> 24);
	f[5] = (uint8_t)(rr->ttl >> 16);
	f[6] = (uint8_t)(rr->ttl >> 8);
	f[7] = (uint8_t)rr->ttl;
	put16(f + 8, 0);
	if (buf_append(e->out, f, 10) == -1)
		return enc_fail(e, &mk, "out of memory", err);
	rdpos = e->out->len;
	switch (rr->type) {
	case DNS_TYPE_A:
		if (buf_append(e->out, rr->rd.a, 4) == -1)
			goto nomem;
		break;
	case DNS_TYPE_AAAA:
		if (buf_append(e->out, rr->rd.aaaa, 16) == -1)
			goto nomem;
		break;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		if (check_name(&rr->rd.target) == -1)
			return enc_fail(e, &mk, "malformed name", err);
		if (put_name(e, &rr->rd.target, compress) == -1)
			goto nomem;
		break;
	case DNS_TYPE_SRV:
		if (check_name(&rr->rd.srv.target) == -1)
			return enc_fail(e, &mk, "malformed name", err);
		put16(f, rr->rd.srv.priority);
		put16(f + 2, rr->rd.srv.weight);
		put16(f + 4, rr->rd.srv.port);
		if (buf_append(e->out, f, 6) == -1 ||
		    put_name(e, &rr->rd.srv.target,
			compress && (e->opts & DNS_ENC_COMPRESS_SRV)) == -1)
			goto nomem;
		break;
	default:
		if (rr->rdata.len > 0xffff)
			return enc_fail(e, &mk, "RDATA too long", err);
		if (rr->rdata.len > 0 &&
		    buf_append(e->out, rr->rdata.p, rr->rdata.len) == -1)
			goto nomem;
		break;
	}
	rdlen = e->out->len - rdpos;
	if (dns_encoder_len(e) > e->limit)
		return enc_fail(e, &mk, "message full", err);
	put16(e->out->data + rdpos - 2, (uint16_t)rdlen);
	e->stage = 1 + (int)rr->section;
	bump_count(e, 1 + (int)rr->section);
	return 0;
nomem:
	return enc_fail(e, &mk, "out of memory", err);
}

int
dns_encode(const struct dns_msg *m, struct buf *out, size_t limit,
    unsigned opts, const char **err)
{
	struct dns_encoder e;
	size_t i, start = out->len;

	if (dns_encoder_begin(&e, out, m->id, m->flags, limit, opts) == -1) {
		*err = "out of memory";
		return -1;
	}
	for (i = 0; i < m->nqd; i++)
		if (dns_encoder_add_question(&e, &m->qd[i], err) == -1)
			goto fail;
	for (i = 0; i < m->nan + m->nns + m->nar; i++)
		if (dns_encoder_add_record(&e, &m->rr[i], err) == -1)
			goto fail;
	return 0;
fail:
	out->len = start;
	if (out->cap > start)
		out->data[start] = '\0';
	return -1;
}

int
dns_encode_query(struct buf *out, uint16_t id, uint16_t flags,
    const struct dns_name *name, uint16_t type, const char **err)
{
	struct dns_encoder e;
	struct dns_question q;

	memset(&q, 0, sizeof(q));
	q.name = *name;
	q.type = type;
	q.qclass = DNS_CLASS_IN;
	if (dns_encoder_begin(&e, out, id, flags, DNS_UDP_SIZE, 0) == -1) {
		*err = "out of memory";
		return -1;
	}
	if (dns_encoder_add_question(&e, &q, err) == -1) {
		out->len = e.base;
		if (out->cap > e.base)
			out->data[e.base] = '\0';
		return -1;
	}
	return 0;
}
