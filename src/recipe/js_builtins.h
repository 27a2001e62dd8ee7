/*
 * Global objects of the JavaScript recipe interpreter (ECMA-262 §19-§28
 * subset): Object, Function, Array, String, Number, Boolean, Symbol,
 * Math, the Error constructors, Promise, Map, Set, Uint8Array,
 * TextEncoder/TextDecoder, Date.now, console and JSON.  js_vm_new calls
 * js_builtins_init (declared in js_value.h with the other internals).
 */
#ifndef FABRIK_JS_BUILTINS_H
#define FABRIK_JS_BUILTINS_H

#include "recipe/js_value.h"

/* Defines fn as a non-enumerable method name of obj.  Returns 0 or -1. */
int js_builtins_method(struct js_vm *, struct js_obj *obj, const char *name,
    int nargs, js_native_fn *fn, int magic) FAB_WUR;

#endif
