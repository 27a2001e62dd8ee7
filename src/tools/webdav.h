/*
 * A minimal WebDAV endpoint for sccache's webdav backend (and rclone's):
 * GET/HEAD/PUT/DELETE of files, MKCOL, PROPFIND (Depth 0 and 1) and
 * OPTIONS under WEBDAV_PREFIX.  Files live in the local store under
 * SHA-256("sccache\0" path); their names are kept in one struct s3_keys
 * journal (cache/webdav/keys) so that collections can be listed after a
 * restart.  Collections are implicit (any prefix of a file) or created
 * by MKCOL.  See doc/sccache.md.
 */
#ifndef FABRIK_WEBDAV_H
#define FABRIK_WEBDAV_H

#include "http/server.h"

#define WEBDAV_PREFIX "/webdav/"
/* Longest path below the prefix. */
#define WEBDAV_PATH_MAX 1024

/* Opens the name journal under cache_dir (one endpoint per process).
 * Returns 0, or -1 with *err. */
int webdav_open(const char *cache_dir, const char **err);
void webdav_close(void);

/* Route handler; arg is the struct tools_env. */
void webdav_handle(struct http_req *, void *arg);

#endif
