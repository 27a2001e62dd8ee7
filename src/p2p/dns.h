/*
 * DNS message codec (RFC 1035 §4): header, questions and resource records
 * of the answer/authority/additional sections; A, AAAA (RFC 3596), CNAME,
 * NS, PTR, SRV (RFC 2782) and TXT decoded, every other type kept raw; the
 * multicast DNS class bits (RFC 6762 §5.4, §10.2).  Pure: no I/O.
 */
#ifndef FABRIK_DNS_H
#define FABRIK_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Compression pointers followed while reading one name. */
#ifndef DNS_MAX_POINTER_HOPS
#define DNS_MAX_POINTER_HOPS 32
#endif
/* Questions plus records accepted in one message (checked against the
 * header counts before anything is allocated). */
#ifndef DNS_MAX_RECORDS
#define DNS_MAX_RECORDS 1024
#endif
/* Name suffixes the encoder remembers as compression targets. */
#ifndef DNS_ENCODE_MAX_SUFFIXES
#define DNS_ENCODE_MAX_SUFFIXES 128
#endif
#define DNS_MAX_LABEL 63 /* RFC 1035 §2.3.4 */
#define DNS_MAX_NAME 255 /* wire bytes, including the root label */
#define DNS_MAX_MESSAGE 65535 /* TCP length prefix; UDP is smaller */
#define DNS_UDP_SIZE 512 /* classic UDP payload without EDNS0 */
#define DNS_HEADER_SIZE 12
/* Bytes dns_name_to_text may need: every byte escaped as \DDD, plus NUL. */
#define DNS_NAME_TEXT_MAX (4 * DNS_MAX_NAME + 1)

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_PTR 12
#define DNS_TYPE_HINFO 13
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_OPT 41
#define DNS_TYPE_NSEC 47
#define DNS_TYPE_ANY 255

#define DNS_CLASS_IN 1
/* mDNS: top bit of a question's QCLASS asks for a unicast response ("QU"),
 * top bit of a record's CLASS is the cache-flush bit.  The decoder strips
 * both into separate fields; the encoder puts them back. */
#define DNS_CLASS_TOP_BIT 0x8000

/* Header flags (the 16 bits after the ID). */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags)&0xf)

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5

/* A domain name in uncompressed wire form: labels, each a length byte
 * (1..63) and its bytes, ending with the zero-length root label; len
 * counts every byte (1 for the root, at most 255).  Labels are opaque
 * bytes (mDNS uses UTF-8 and dots inside labels). */
struct dns_name {
	uint8_t len;
	uint8_t wire[DNS_MAX_NAME];
};

enum dns_section {
	DNS_SECTION_ANSWER,
	DNS_SECTION_AUTHORITY,
	DNS_SECTION_ADDITIONAL
};

struct dns_question {
	struct dns_name name;
	uint16_t type;
	uint16_t qclass; /* without the QU bit */
	int unicast_response; /* mDNS QU bit */
};

struct dns_rr {
	struct dns_name name;
	enum dns_section section;
	uint16_t type;
	uint16_t rclass; /* without the cache-flush bit (except OPT) */
	int cache_flush; /* mDNS cache-flush bit (never set for OPT) */
	uint32_t ttl;
	/* Decoded RDATA for the known types. */
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		struct dns_name target; /* CNAME, NS, PTR */
		struct {
			uint16_t priority, weight, port;
			struct dns_name target;
		} srv;
	} rd;
	/* TXT and every other type: the RDATA bytes.  After dns_decode it
	 * points into the decoded message and lives as long as those bytes;
	 * for A/AAAA/CNAME/NS/PTR/SRV it is also set, but names in it may be
	 * compressed against the message.  For dns_encoder_add_record it is
	 * read for every type but A, AAAA, CNAME, NS, PTR and SRV. */
	struct span rdata;
};

/* A decoded message.  qd and rr are heap arrays owned by the struct; the
 * rr array holds the answer, authority and additional records in order
 * (nan + nns + nar entries). */
struct dns_msg {
	uint16_t id;
	uint16_t flags;
	struct dns_question *qd;
	size_t nqd;
	struct dns_rr *rr;
	size_t nan, nns, nar;
};

/*
 * Decodes one message of len bytes (UDP payload, or a TCP message without
 * its length prefix).  Every count, length, label and pointer is checked;
 * names are decompressed into struct dns_name.  Returns the bytes
 * consumed (the end of the last record; trailing bytes are left alone) or
 * FAB_ERROR with *err set to a static message; on error nothing needs to
 * be released.  On success release with dns_msg_release.
 */
int dns_decode(
    const uint8_t *msg, size_t len, struct dns_msg *, const char **err) FAB_WUR;
void dns_msg_release(struct dns_msg *);

/*
 * Reads one possibly compressed name at *pos in msg (len bytes), as the
 * decoder does; on success *pos is just past the name in the original
 * position.  Returns 0 or -1 with *err set.
 */
int dns_name_read(const uint8_t *msg, size_t len, size_t *pos,
    struct dns_name *, const char **err) FAB_WUR;

/* Presentation form: "a.b.c" ("." for the root); '.', '\\' and control
 * bytes in labels are escaped ("\.", "\\", "\DDD").  A trailing dot is
 * optional on input.  Returns 0, or -1 with *err set (empty label, label
 * over 63 bytes, name over 255 bytes, bad escape). */
int dns_name_from_text(
    struct dns_name *, const char *text, const char **err) FAB_WUR;
/* Writes the presentation form into out (outlen >= DNS_NAME_TEXT_MAX is
 * always enough); truncates safely and returns the length it needed. */
size_t dns_name_to_text(const struct dns_name *, char *out, size_t outlen);
/* 1 if the names are equal, ASCII letters compared case-insensitively. */
int dns_name_eq(const struct dns_name *, const struct dns_name *);
/* Number of labels (0 for the root). */
unsigned dns_name_labels(const struct dns_name *);

/* Iterates the character-strings of TXT RDATA: on each call stores the
 * next string in *str and returns 1; returns 0 at the end and -1 if the
 * data is malformed.  *rest starts as the RDATA and is advanced. */
int dns_txt_next(struct span *rest, struct span *str);

/* Encoder options. */
#define DNS_ENC_COMPRESS 0x1 /* compress owner and RDATA names */
#define DNS_ENC_COMPRESS_SRV 0x2 /* also SRV targets (mDNS, RFC 6762 §18.14) */

/*
 * Incremental message writer with name compression.  Questions and
 * records must be added in section order.  A call that would make the
 * message longer than limit fails and leaves the message as it was, so a
 * caller can stop and set TC.  The struct is embedded by the caller.
 */
struct dns_encoder {
	struct buf *out;
	size_t base; /* offset of the header in out */
	size_t limit;
	unsigned opts;
	int stage; /* 0: questions, then 1 + enum dns_section */
	uint16_t count[4];
	unsigned nsuffix;
	uint16_t suffix[DNS_ENCODE_MAX_SUFFIXES];
};

/* Starts a message at the end of out (limit: maximum message bytes, at
 * most DNS_MAX_MESSAGE; 0 means DNS_MAX_MESSAGE).  Returns 0 or -1. */
int dns_encoder_begin(struct dns_encoder *, struct buf *out, uint16_t id,
    uint16_t flags, size_t limit, unsigned opts) FAB_WUR;
/* Returns 0, or -1 with *err set (too long, out of order, no memory). */
int dns_encoder_add_question(struct dns_encoder *, const struct dns_question *,
    const char **err) FAB_WUR;
int dns_encoder_add_record(
    struct dns_encoder *, const struct dns_rr *, const char **err) FAB_WUR;
/* Rewrites the flags of the header (e.g. to set TC after a failed add). */
void dns_encoder_set_flags(struct dns_encoder *, uint16_t flags);
/* Length of the message written so far. */
size_t dns_encoder_len(const struct dns_encoder *);

/* Encodes a whole message (all of msg's questions and records) to the
 * end of out.  Returns 0 or -1 with *err set. */
int dns_encode(const struct dns_msg *, struct buf *out, size_t limit,
    unsigned opts, const char **err) FAB_WUR;

/* Builds a one-question query (flags: e.g. DNS_FLAG_RD) for name/type IN
 * into out (appended).  Returns 0 or -1 with *err set. */
int dns_encode_query(struct buf *out, uint16_t id, uint16_t flags,
    const struct dns_name *, uint16_t type, const char **err) FAB_WUR;

#endif
