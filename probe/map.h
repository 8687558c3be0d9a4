/* SPDX-License-Identifier: MIT */
/* Shared mappings of the target: aligned map, page-cache residency, write-fault touch. */
#ifndef PMEMPROBE_MAP_H
#define PMEMPROBE_MAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Map @size bytes of @fd read-write at a virtual address aligned to @align
 * (so DAX can use 2 MiB faults), with MAP_SHARED or, if @flags says so,
 * MAP_SHARED_VALIDATE|MAP_SYNC. Returns 0 or -errno.
 */
int map_aligned(int fd, uint64_t size, uint64_t align, int flags, void **addr);

/* Pages of the mapping that mincore() reports resident (untouched mapping: page cache). */
int map_resident(void *addr, uint64_t size, size_t page_size, uint64_t *resident);

/* How map_touch() gave every page its write fault. */
enum touch_method {
	TOUCH_AUTO,	      /* asked: populate, else per page */
	TOUCH_POPULATE_WRITE, /* one madvise(MADV_POPULATE_WRITE), Linux 5.14+ */
	TOUCH_PER_PAGE,	      /* one user-space fault per page */
};

const char *touch_method_name(enum touch_method m);

/*
 * Give every page a write fault without changing its content. With
 * @method TOUCH_AUTO, one madvise(MADV_POPULATE_WRITE) (write-fault
 * semantics: a DAX hole gets a real block, never the zero page); where the
 * kernel refuses it, or it fails part way, page by page: read the first
 * byte of each page and write the same value back (on x86 a single locked
 * "or 0", so no concurrent writer is overwritten). *@used says which did
 * the work; *@fallback_errno is the madvise error that led to the per-page
 * touch (0 if none). -EFAULT on SIGBUS, with *@bad_off the faulting offset
 * (no space for a block, file shrank, media error).
 */
int map_touch(void *addr, uint64_t size, size_t page_size, enum touch_method method,
	      enum touch_method *used, int *fallback_errno, uint64_t *bad_off);

#endif
