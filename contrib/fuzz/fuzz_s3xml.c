/*
 * Fuzz target for the two S3 XML scanners: the client's
 * (upstream/s3client: s3client_xml_find, s3client_xml_text) over error,
 * list and multipart answers, and the server's (tools/s3: s3_xml_next,
 * s3_xml_unescape) over CompleteMultipartUpload and Delete bodies, driven
 * as their callers drive them.  Every value found must lie inside the
 * input and every scan must advance; when both decoders accept a value
 * they must agree; s3_xml_escape -> both decoders gives the input back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "tools/s3.h"
#include "upstream/s3client.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Element names the client looks for (s3client.c). */
static const char *const fz_client_names[] = { "Error", "Code", "Message",
	"UploadId", "Contents", "Key", "Size", "ETag", "LastModified",
	"IsTruncated", "NextContinuationToken" };

static int
fz_inside(struct span in, struct span v)
{
	return v.p >= in.p && v.len <= in.len &&
	    (size_t)(v.p - in.p) <= in.len - v.len;
}

/* Decodes v with both decoders; when both accept, they must agree. */
static void
fz_decode(struct span v)
{
	struct buf a, b;
	int ra, rb;

	buf_init(&a);
	buf_init(&b);
	ra = s3client_xml_text(&a, v);
	rb = s3_xml_unescape(&b, v);
	/* No reference is shorter than what it stands for. */
	if ((ra == 0 && a.len > v.len) || (rb == 0 && b.len > v.len))
		abort();
	if (memchr(v.p, '&', v.len) == NULL &&
	    (ra != 0 || rb != 0 || a.len != v.len ||
		(v.len > 0 && memcmp(a.data, v.p, v.len) != 0)))
		abort();
	if (ra == 0 && rb == 0 &&
	    (a.len != b.len ||
		(a.len > 0 && memcmp(a.data, b.data, a.len) != 0)))
		abort();
	buf_release(&a);
	buf_release(&b);
}

/* s3client_xml_find over doc for name until absent. */
static void
fz_client_scan(struct span doc, const char *name, int nested)
{
	struct span v, v2;
	size_t pos = 0, old, p2, k, n = 0;

	for (;;) {
		old = pos;
		if (!s3client_xml_find(doc, &pos, name, &v))
			break;
		if (pos <= old || pos > doc.len || !fz_inside(doc, v) ||
		    (size_t)(v.p - doc.p) + v.len > pos)
			abort();
		fz_decode(v);
		/* A ListObjectsV2 <Contents> block: its fields. */
		if (nested && n++ < S3CLIENT_MAX_LIST)
			for (k = 5; k < 9; k++) {
				p2 = 0;
				if (s3client_xml_find(
					v, &p2, fz_client_names[k], &v2) &&
				    (!fz_inside(v, v2) || p2 > v.len))
					abort();
			}
	}
	if (pos > doc.len)
		abort();
}

/* s3_xml_next over in for tag until absent; calls fn on each value. */
static size_t
fz_server_scan(
    struct span in, const char *tag, size_t max, void (*fn)(struct span))
{
	struct span all = in, v;
	const unsigned char *old;
	size_t n = 0;

	for (;;) {
		old = in.p;
		if (!s3_xml_next(&in, tag, &v))
			break;
		if (in.p <= old || !fz_inside(all, in) ||
		    in.p + in.len != all.p + all.len || !fz_inside(all, v) ||
		    v.p + v.len > in.p)
			abort();
		if (fn != NULL)
			fn(v);
		if (++n == max)
			return n;
	}
	if (in.len != 0)
		abort();
	return n;
}

static void
fz_field(struct span v)
{
	fz_decode(v);
}

/* One <Part> of CompleteMultipartUpload, as s3_complete_done reads it. */
static void
fz_part(struct span part)
{
	(void)fz_server_scan(part, "PartNumber", 1, fz_field);
	(void)fz_server_scan(part, "ETag", 1, fz_field);
}

/* One <Object> of Delete. */
static void
fz_object(struct span obj)
{
	(void)fz_server_scan(obj, "Key", 1, fz_field);
}

/* <Key> + s3_xml_escape(data) + </Key> must scan and decode to data. */
static void
fz_roundtrip(const uint8_t *data, size_t size)
{
	struct buf x, a, b;
	struct span in, v;
	size_t pos = 0;

	if (memchr(data, 0, size) != NULL) /* "&#0;" is not XML */
		return;
	buf_init(&x);
	buf_init(&a);
	buf_init(&b);
	if (buf_append_str(&x, "<Key>") == -1 ||
	    s3_xml_escape(&x, (const char *)data, size) == -1 ||
	    buf_append_str(&x, "</Key>") == -1)
		abort();
	in = span_make(x.data, x.len);
	if (!s3_xml_next(&in, "Key", &v) || in.len != 0 ||
	    s3_xml_unescape(&a, v) != 0 || a.len != size ||
	    (size > 0 && memcmp(a.data, data, size) != 0))
		abort();
	if (!s3client_xml_find(span_make(x.data, x.len), &pos, "Key", &v) ||
	    pos != x.len || s3client_xml_text(&b, v) != 0 || b.len != size ||
	    (size > 0 && memcmp(b.data, data, size) != 0))
		abort();
	buf_release(&x);
	buf_release(&a);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span doc;
	size_t i;

	if (size == 0)
		data = (const uint8_t *)"";
	doc = span_make(data, size);
	for (i = 0; i < sizeof(fz_client_names) / sizeof(fz_client_names[0]);
	     i++)
		fz_client_scan(doc, fz_client_names[i],
		    strcmp(fz_client_names[i], "Contents") == 0);
	(void)fz_server_scan(doc, "Part", S3_PARTS_MAX, fz_part);
	(void)fz_server_scan(doc, "Quiet", 1, NULL);
	(void)fz_server_scan(doc, "Object", S3_LIST_MAX + 1, fz_object);
	fz_decode(doc);
	if (size <= 4096)
		fz_roundtrip(data, size);
	return 0;
}
