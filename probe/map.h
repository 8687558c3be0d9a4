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

/*
 * Give every page a write fault without changing its content: read the first
 * byte of each page and write the same value back (on x86 a single locked
 * "or 0", so no concurrent writer is overwritten). -EFAULT on SIGBUS, with
 * *@bad_off the faulting offset (no space for a block, file shrank, media
 * error).
 */
int map_touch(void *addr, uint64_t size, size_t page_size, uint64_t *bad_off);

#endif
