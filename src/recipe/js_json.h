/*
 * JSON.parse and JSON.stringify of the JavaScript recipe interpreter
 * (ECMA-262 §25.5, RFC 8259).
 */
#ifndef FABRIK_JS_JSON_H
#define FABRIK_JS_JSON_H

#include "recipe/js_value.h"

/* Nesting accepted by parse and produced by stringify. */
#ifndef JS_JSON_MAX_DEPTH
#define JS_JSON_MAX_DEPTH 512
#endif

/* Installs the JSON object on the global object.  Returns 0 or -1. */
int js_json_init(struct js_vm *) FAB_WUR;

#endif
