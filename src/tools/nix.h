/*
 * Nix HTTP binary cache: GET /nix-cache-info, GET/HEAD/PUT
 * /{hashpart}.narinfo and /nar/{file} under NIX_PREFIX, so that
 * `nix copy --to http://host:port/nix` uploads and substituters read.
 * Optional managed signing (ed25519, OpenSSL) adds a Sig: line to every
 * narinfo served.  See doc/nix.md and
 * ../shared/protocols/nix-binary-cache.md (§1 layout, §1.2 narinfo, §1.3
 * nix32, §2 signatures).
 */
#ifndef FABRIK_NIX_H
#define FABRIK_NIX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "http/server.h"

#define NIX_PREFIX "/nix/"
/* A narinfo (or nix-cache-info) body larger than this is refused (413). */
#ifndef NIX_MAX_NARINFO
#define NIX_MAX_NARINFO (64 * 1024)
#endif
/* Longest NAR file name under nar/ ("<52 nix32>.nar.zst" is 60). */
#ifndef NIX_MAX_NAR_NAME
#define NIX_MAX_NAR_NAME 128
#endif
/* Longest store path and store-path name (Nix: 211 for the name). */
#ifndef NIX_MAX_STORE_PATH
#define NIX_MAX_STORE_PATH 4096
#endif
#define NIX_MAX_NAME 211
/* Length of the nix32 hash part of a store path (160 bits). */
#define NIX_HASH_PART_LEN 32
/* Length of a SHA-256 in nix32. */
#define NIX_SHA256_NIX32_LEN 52

/* Nix base-32 ("nix32") encoding of len bytes into out, which must hold
 * nix_base32_len(len) + 1 bytes (NUL-terminated). */
size_t nix_base32_len(size_t len);
void nix_base32_encode(const unsigned char *in, size_t len, char *out);
/* Decodes exactly nix_base32_len(len) characters into len bytes.
 * Returns 0, or -1 for a wrong length, a character outside the alphabet
 * or bits set beyond len bytes. */
int nix_base32_decode(
    const char *in, size_t n, unsigned char *out, size_t len) FAB_WUR;

/* A parsed narinfo: every span points into the parsed text and lives as
 * long as it.  Absent optional fields have p == NULL. */
struct nix_narinfo {
	struct span store_path; /* full path: "/nix/store/<hash>-<name>" */
	struct span store_dir; /* "/nix/store" */
	struct span hash_part; /* the 32 nix32 characters */
	struct span url; /* relative to the cache root */
	struct span compression;
	struct span file_hash;
	struct span nar_hash; /* as written */
	struct span references; /* space-separated basenames; may be empty */
	struct span deriver;
	uint64_t nar_size;
	uint64_t file_size; /* 0 when absent */
	unsigned char nar_sha256[32]; /* NarHash decoded */
	unsigned nsigs;
};

/* Parses and validates a narinfo (§1.2): "Key: value\n" lines, at most
 * NIX_MAX_NARINFO bytes, no NUL or other control bytes; StorePath, URL,
 * NarHash (sha256 as nix32, hex or SRI) and NarSize > 0 required, each
 * at most once; References must be store-path basenames.  Unknown keys
 * are accepted.  Returns 0, or -1 with *err set to a static message. */
int nix_narinfo_parse(const unsigned char *p, size_t n, struct nix_narinfo *,
    const char **err) FAB_WUR;

/* Validates a nix-cache-info body (§1.1): "Key: value\n" lines, at
 * most NIX_MAX_NARINFO bytes, with an absolute StoreDir.  0 or -1 with
 * *err. */
int nix_info_parse(const unsigned char *p, size_t n, const char **err) FAB_WUR;

/* Non-zero when s is a store-path basename: 32 nix32 characters, '-',
 * and a name of 1..NIX_MAX_NAME characters from [A-Za-z0-9+-._?=] that
 * does not start with '.'. */
int nix_store_basename_valid(struct span s);

/* Non-zero when s is a NAR file name Fabrik accepts under nar/:
 * 1..NIX_MAX_NAR_NAME characters of [0-9a-z], ".nar", and at most one
 * compression suffix of [0-9a-z] (".xz", ".zst", ".bz2", ...). */
int nix_nar_name_valid(struct span s);

/* Appends the signed message of §2 to out: "1;StorePath;sha256:<nix32
 * NarHash>;NarSize;<References as full paths, sorted, comma-separated>".
 * Returns 0 or -1 (out of memory, too many references). */
int nix_fingerprint(const struct nix_narinfo *, struct buf *out) FAB_WUR;

/* A signing key; opaque. */
struct nix_key;

/* Parses a Nix secret key "name:base64(32-byte seed || 32-byte public
 * key)" (trailing whitespace ignored) and checks that the public half
 * matches the seed.  Returns NULL with *err on failure. */
struct nix_key *nix_key_parse(const char *text, size_t len, const char **err);
/* Reads and parses a secret key file (at most 4 KiB). */
struct nix_key *nix_key_load(const char *path, const char **err);
void nix_key_free(struct nix_key *);
const char *nix_key_name(const struct nix_key *);
/* Appends "name:base64(public key)" (the trusted-public-keys form). */
int nix_key_public(const struct nix_key *, struct buf *out) FAB_WUR;
/* Appends "name:base64(ed25519 signature of msg)" to out.  0 or -1. */
int nix_key_sign(const struct nix_key *, const void *msg, size_t len,
    struct buf *out) FAB_WUR;

/* Checks sig ("name:base64(64 bytes)") over msg against pub
 * ("name:base64(32 bytes)"); the names must match.  0 when it verifies,
 * -1 otherwise. */
int nix_sig_verify(
    const char *pub, const char *sig, const void *msg, size_t len) FAB_WUR;

/* Managed signing for the daemon: with a key file, every narinfo served
 * carries an extra "Sig:" line by this key.  path "" turns signing off.
 * Returns 0, or -1 with *err (the previous key is kept). */
int nix_setup(const char *secret_key_file, const char **err) FAB_WUR;
void nix_close(void);

/* Route handler; arg is the struct tools_env. */
void nix_handle(struct http_req *, void *arg);

#endif
