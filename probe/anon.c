// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "anon.h"
#include "classify.h"

/* include/uapi/linux/mempolicy.h */
#define PMEMPROBE_MPOL_BIND 2

#define MASK_LONGS ((ANON_NODE_MAX + 1) / (8 * sizeof(unsigned long)))

int anon_map_bind(uint64_t size, unsigned int node, void **addr, const char **op)
{
	unsigned long mask[MASK_LONGS];
	uint64_t span = size + HUGE_2M;
	uintptr_t base, start;
	void *resv;

	*op = "mmap";
	if (node > ANON_NODE_MAX)
		return -EINVAL;
	if (span < size || span > SIZE_MAX)
		return -ENOMEM;
	resv = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		    -1, 0);
	if (resv == MAP_FAILED)
		return -errno;
	base = (uintptr_t)resv;
	start = (base + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
	if (start > base)
		munmap(resv, start - base);
	if (base + span > start + size)
		munmap((void *)(start + size), base + span - (start + size));
	memset(mask, 0, sizeof(mask));
	mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
	*op = "mbind MPOL_BIND";
	/* maxnode counts bits plus one: the kernel reads maxnode - 1 of them */
	if (syscall(SYS_mbind, (void *)start, (unsigned long)size, PMEMPROBE_MPOL_BIND, mask,
		    (unsigned long)(ANON_NODE_MAX + 2), 0UL)) {
		int rc = -errno;

		munmap((void *)start, size);
		return rc;
	}
	*addr = (void *)start;
	return 0;
}

#define NODES_CHUNK 1024

int anon_nodes(void *addr, uint64_t pages, size_t page_size, unsigned int node, uint64_t *on,
	       uint64_t *elsewhere, uint64_t *unreported)
{
	void *ptrs[NODES_CHUNK];
	int status[NODES_CHUNK];
	uint64_t done = 0;

	*on = *elsewhere = *unreported = 0;
	while (done < pages) {
		size_t i, n = pages - done < NODES_CHUNK ? (size_t)(pages - done) : NODES_CHUNK;

		for (i = 0; i < n; i++)
			ptrs[i] = (char *)addr + (done + i) * page_size;
		if (syscall(SYS_move_pages, 0, (unsigned long)n, ptrs, NULL, status, 0))
			return -errno;
		for (i = 0; i < n; i++) {
			if (status[i] < 0)
				(*unreported)++;
			else if ((unsigned int)status[i] == node)
				(*on)++;
			else
				(*elsewhere)++;
		}
		done += n;
	}
	return 0;
}
