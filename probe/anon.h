/* SPDX-License-Identifier: MIT */
/* --anon: anonymous memory bound to one NUMA node (a kmem tier, or any node). */
#ifndef PMEMPROBE_ANON_H
#define PMEMPROBE_ANON_H

#include <stddef.h>
#include <stdint.h>

/* Highest node --node accepts: the bind mask has this many bits. */
#define ANON_NODE_MAX 1023

/*
 * Map @size bytes of private anonymous memory at a 2 MiB aligned address
 * and bind it to @node with mbind(MPOL_BIND), before any page exists. 0 or
 * -errno; *@op names the step that failed ("mmap" or "mbind").
 */
int anon_map_bind(uint64_t size, unsigned int node, void **addr, const char **op);

/*
 * Where the kernel placed each page, by move_pages(2) with no target nodes:
 * pages on @node, on another node, and not reported (absent or an error).
 * 0 or -errno.
 */
int anon_nodes(void *addr, uint64_t pages, size_t page_size, unsigned int node, uint64_t *on,
	       uint64_t *elsewhere, uint64_t *unreported);

#endif
