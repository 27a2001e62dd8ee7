/*
 * Fuzz target for recipe/js_interp (with js_compile, js_builtins,
 * js_inspect, js_json): the input is parsed and run as a module with small
 * limits (4 MiB heap, 200000 instructions, 64 nested calls), then the job
 * queue is drained and any exception formatted.  An import resolves to
 * the input itself (a cycle, refused) or to a small native module.  No
 * input may crash, leak or exceed the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "recipe/js_interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
quiet(void *opaque, int is_err, const char *s, size_t len)
{
	(void)opaque;
	(void)is_err;
	(void)s;
	(void)len;
}

static int
resolve(struct js_vm *vm, void *opaque, const char *spec, const char *referrer,
    struct js_resolved *out)
{
	(void)referrer;
	if (strcmp(spec, "native") == 0) {
		out->is_native = 1;
		out->native = js_object_new(vm);
		if (js_is_exception(out->native) ||
		    js_set(vm, out->native, "n", js_number(1)) == -1)
			return -1;
		return 0;
	}
	out->source = opaque;
	out->len = 0;
	out->filename = "fuzz.js";
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct js_limits lim = { 4u * 1024 * 1024, 200000, 64 };
	struct js_vm *vm;
	struct buf b;
	int ts = size > 0 && data[0] == 1;

	if ((vm = js_vm_new(&lim)) == NULL)
		return 0;
	js_vm_set_console(vm, quiet, NULL);
	js_vm_set_resolver(vm, resolve, (void *)"");
	buf_init(&b);
	if (js_module_load(vm, (const char *)data + ts, size - (size_t)ts,
		"fuzz.js", ts ? JS_MODULE_TS : 0, NULL) == -1 ||
	    js_run_jobs(vm) == -1) {
		if (js_exception_format(vm, js_exception_take(vm), &b) == -1)
			abort();
	}
	buf_release(&b);
	js_vm_free(vm);
	return 0;
}
