/*
 * KDL document parser and canonical printer: KDL 2.0.0 (the kdl-org/kdl
 * specification, draft-marchan-kdl2) with a KDL 1.0.0 mode (SPEC_v1.md).
 * Used for the `#FABRIK` annotation lines of script recipes and for
 * configuration.  See doc/format-kdl.md.
 */
#ifndef FABRIK_KDL_H
#define FABRIK_KDL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Maximum nesting of children blocks ({ ... } inside { ... }). */
#ifndef KDL_MAX_DEPTH
#define KDL_MAX_DEPTH 128
#endif
/* Maximum document size in bytes. */
#ifndef KDL_MAX_INPUT
#define KDL_MAX_INPUT (4 * 1024 * 1024)
#endif
/* Maximum decoded length (UTF-8 bytes) of one string, name or key. */
#ifndef KDL_MAX_STRING
#define KDL_MAX_STRING (1024 * 1024)
#endif
/* Maximum number of nodes parsed, slashdashed ones included. */
#ifndef KDL_MAX_NODES
#define KDL_MAX_NODES 100000
#endif
/* Maximum number of arguments plus properties parsed, slashdashed ones
 * included. */
#ifndef KDL_MAX_ENTRIES
#define KDL_MAX_ENTRIES 262144
#endif
/* Maximum length in characters of one number literal (radix conversion of
 * hexadecimal/octal/binary literals is quadratic in their length). */
#ifndef KDL_MAX_NUMBER
#define KDL_MAX_NUMBER 1024
#endif

/* kdl_parse() flags. */
#define KDL_V2 0 /* KDL 2.0 grammar (the default) */
#define KDL_V1 1 /* KDL 1.0 grammar */
#define KDL_DETECT \
	2 /* a leading `/- kdl-version 1` selects KDL 1.0,
			anything else KDL 2.0; no fallback on failure */

enum kdl_type { KDL_STRING, KDL_NUMBER, KDL_BOOL, KDL_NULL };

/* Where and why a parse failed.  line and col are 1-based; col counts
 * Unicode characters (code points), not bytes.  msg is a static string. */
struct kdl_error {
	size_t line;
	size_t col;
	const char *msg;
};

struct kdl_document;
struct kdl_node;
struct kdl_value;

/*
 * Parses len bytes of UTF-8 text (need not be NUL-terminated).  flags is
 * KDL_V2, KDL_V1 or KDL_DETECT (KDL_DETECT wins when combined).  With
 * KDL_DETECT the version marker `/- kdl-version N` on the first line (after
 * an optional BOM and spaces) chooses the grammar; without a marker, or with
 * `2`, the document is parsed as KDL 2.0 and a failure is reported as such:
 * a document is never re-parsed as KDL 1.0 behind the caller's back.
 * Returns a document owned by the caller (release with kdl_free), which
 * does not refer to text; or NULL with *err filled (err may be NULL).
 */
struct kdl_document *kdl_parse(
    const char *text, size_t len, int flags, struct kdl_error *err) FAB_WUR;
/* Frees a document and everything reached from it; NULL is a no-op. */
void kdl_free(struct kdl_document *);
/* The grammar the document was parsed with: 1 or 2. */
int kdl_document_version(const struct kdl_document *);
/* Top-level nodes in document order (slashdashed nodes are gone). */
size_t kdl_document_count(const struct kdl_document *);
/* The i-th top-level node, or NULL when i is out of range. */
const struct kdl_node *kdl_document_node(const struct kdl_document *, size_t i);

/*
 * Every string below (names, keys, annotations, string values) is a span
 * into the document: valid until kdl_free, UTF-8, NUL-terminated just past
 * len, but may itself contain NUL characters written as \u{0}.
 */
struct span kdl_node_name(const struct kdl_node *);
/* The node's type annotation; .p == NULL when there is none. */
struct span kdl_node_annotation(const struct kdl_node *);
/* Arguments in document order. */
size_t kdl_node_nargs(const struct kdl_node *);
const struct kdl_value *kdl_node_arg(const struct kdl_node *, size_t i);
/* Properties after duplicate resolution (the rightmost value of a key
 * wins), in the order each key first appeared; *key (may be NULL) receives
 * the key.  NULL when i is out of range. */
size_t kdl_node_nprops(const struct kdl_node *);
const struct kdl_value *kdl_node_prop_at(
    const struct kdl_node *, size_t i, struct span *key);
/* The value of property key (a C string), or NULL when absent. */
const struct kdl_value *kdl_node_prop(const struct kdl_node *, const char *key);
/* Children in document order; an empty `{}` block gives 0 children. */
size_t kdl_node_nchildren(const struct kdl_node *);
const struct kdl_node *kdl_node_child(const struct kdl_node *, size_t i);

enum kdl_type kdl_value_type(const struct kdl_value *);
/* The value's type annotation; .p == NULL when there is none. */
struct span kdl_value_annotation(const struct kdl_value *);
/* KDL_STRING: the decoded string.  KDL_NUMBER: the canonical decimal text
 * (`_` removed, radix literals in decimal, exponent as E+N/E-N, `#inf`,
 * `#-inf`, `#nan`), exactly as kdl_serialize prints it.  Otherwise empty. */
struct span kdl_value_text(const struct kdl_value *);
/* KDL_NUMBER: the literal as written in the document.  Otherwise empty. */
struct span kdl_value_source(const struct kdl_value *);
/* KDL_BOOL: 0 or 1.  Otherwise 0. */
int kdl_value_bool(const struct kdl_value *);
/* KDL_NUMBER written as an integer (no fraction, no exponent, any radix)
 * whose value fits in int64_t: stores it and returns 0; else -1. */
int kdl_value_int64(const struct kdl_value *, int64_t *out) FAB_WUR;
/* KDL_NUMBER: stores the nearest double (0 for underflow, inf/nan for the
 * keywords) and returns 0; -1 when the magnitude overflows a double or the
 * value is not a number.  Uses strtod: assumes the "C" LC_NUMERIC locale. */
int kdl_value_double(const struct kdl_value *, double *out) FAB_WUR;

/*
 * Appends the document in the official test suite's canonical KDL 2.0 form:
 * comments and blank lines dropped, 4-space indents, `name args props
 * {children}`, properties sorted by key (byte order), strings bare when they
 * are valid identifiers and quoted with minimal escapes otherwise, numbers as
 * kdl_value_text.  An empty document prints as a single newline.  The output
 * parses back (as KDL 2.0) to the same document.  Returns 0, or -1 when
 * memory runs out (out then holds a partial text).
 */
int kdl_serialize(const struct kdl_document *, struct buf *out) FAB_WUR;

#endif
