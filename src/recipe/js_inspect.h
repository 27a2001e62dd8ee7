/*
 * console.* and value formatting like Node's util.inspect (depth 2,
 * breakLength 80, compact 3, array grouping) for the JavaScript recipe
 * interpreter.
 */
#ifndef FABRIK_JS_INSPECT_H
#define FABRIK_JS_INSPECT_H

#include "recipe/js_value.h"

/* Installs console on the global object.  Returns 0 or -1. */
int js_inspect_init(struct js_vm *) FAB_WUR;

/* Appends util.inspect(v) (top: strings unquoted, as console.log prints
 * its arguments).  Returns 0 or -1 on ENOMEM. */
int js_inspect_value(
    struct js_vm *, struct js_value v, struct buf *out, int top) FAB_WUR;

#endif
