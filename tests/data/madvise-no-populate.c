// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD stand-in for a kernel before 5.14: madvise(MADV_POPULATE_WRITE)
 * fails with EINVAL, as an unknown advice does there; every other call
 * goes to the C library's madvise.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#define MADV_POPULATE_WRITE 23

int madvise(void *addr, size_t len, int advice)
{
	static int (*real)(void *, size_t, int);

	if (advice == MADV_POPULATE_WRITE) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "madvise");
	return real(addr, len, advice);
}
