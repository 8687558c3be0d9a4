// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>

#include "map.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

int map_aligned(int fd, uint64_t size, uint64_t align, int flags, void **addr)
{
	uint64_t span = size + align;
	uintptr_t base, start;
	void *resv, *p;

	if (span < size || span > SIZE_MAX)
		return -ENOMEM;
	/* Reserve address space, then map the file over its aligned part. */
	resv = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (resv == MAP_FAILED)
		return -errno;
	base = (uintptr_t)resv;
	start = (base + align - 1) & ~(uintptr_t)(align - 1);
	flags = flags ? flags | MAP_SHARED_VALIDATE : MAP_SHARED;
	p = mmap((void *)start, size, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		munmap(resv, span);
		return rc;
	}
	if (start > base)
		munmap(resv, start - base);
	if (base + span > start + size)
		munmap((void *)(start + size), base + span - (start + size));
	*addr = p;
	return 0;
}

int map_resident(void *addr, uint64_t size, size_t page_size, uint64_t *resident)
{
	unsigned char vec[4096];
	uint64_t off, n = 0;

	for (off = 0; off < size; off += sizeof(vec) * page_size) {
		uint64_t len = size - off;
		size_t i, pages;

		if (len > sizeof(vec) * page_size)
			len = sizeof(vec) * page_size;
		pages = (size_t)((len + page_size - 1) / page_size);
		if (mincore((char *)addr + off, len, vec))
			return -errno;
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	}
	*resident = n;
	return 0;
}

/*
 * A read and a write of the same byte. On x86 one locked "or 0": no
 * concurrent writer can slip between the read and the write, and no compiler
 * may drop it (clang turns __atomic_fetch_or(p, 0) into nothing).
 */
static inline void touch_byte(uint8_t *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("lock orb $0, %0" : "+m"(*p) : : "memory");
#else
	volatile uint8_t *v = p;

	*v = *v;
#endif
}

static sigjmp_buf touch_env;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(touch_env, 1);
}

static int touch_per_page(void *addr, uint64_t size, size_t page_size, uint64_t *bad_off)
{
	struct sigaction sa = {.sa_handler = on_sigbus}, old;
	volatile uint64_t off = 0;
	int rc = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		return -errno;
	if (sigsetjmp(touch_env, 1) == 0) {
		for (off = 0; off < size; off += page_size)
			touch_byte((uint8_t *)addr + off);
	} else {
		*bad_off = off;
		rc = -EFAULT;
	}
	sigaction(SIGBUS, &old, NULL);
	return rc;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* include/uapi/asm-generic/mman-common.h, 5.14 */
#endif

const char *touch_method_name(enum touch_method m)
{
	switch (m) {
	case TOUCH_POPULATE_WRITE:
		return "populate-write";
	case TOUCH_PER_PAGE:
		return "per-page";
	default:
		return "auto";
	}
}

int map_touch(void *addr, uint64_t size, size_t page_size, enum touch_method method,
	      enum touch_method *used, int *fallback_errno, uint64_t *bad_off)
{
	*fallback_errno = 0;
	if (method != TOUCH_PER_PAGE) {
		int rc;

		do
			rc = madvise(addr, size, MADV_POPULATE_WRITE);
		while (rc && (errno == EINTR || errno == EAGAIN));
		if (rc == 0) {
			*used = TOUCH_POPULATE_WRITE;
			return 0;
		}
		/*
		 * EINVAL: a kernel before 5.14 or a mapping it cannot populate;
		 * EFAULT/EHWPOISON: a page failed. Either way the per-page
		 * touch does the rest and, on SIGBUS, finds the offset.
		 */
		*fallback_errno = errno;
	}
	*used = TOUCH_PER_PAGE;
	return touch_per_page(addr, size, page_size, bad_off);
}
