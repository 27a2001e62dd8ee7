/*
 * Gradle HTTP build cache (HttpBuildCache): GET/HEAD/PUT {prefix}{key}.
 * See doc/gradle.md and ../shared/protocols/gradle-http-cache.md.
 */
#ifndef FABRIK_GRADLE_H
#define FABRIK_GRADLE_H

#include "http/server.h"

#define GRADLE_PREFIX "/cache/"
/* Gradle keys are hex; 32 digits today, anything up to this accepted. */
#define GRADLE_MAX_KEY 128

/* Route handler; arg is the struct tools_env. */
void gradle_handle(struct http_req *, void *arg);

#endif
