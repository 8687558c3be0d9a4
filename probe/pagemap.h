/* SPDX-License-Identifier: MIT */
/* /proc/PID/pagemap, read in chunks of PAGEMAP_CHUNK entries (one pread each). */
#ifndef PMEMPROBE_PAGEMAP_H
#define PMEMPROBE_PAGEMAP_H

#include <stdint.h>
#include <sys/types.h>

#include "classify.h"

#define PAGEMAP_CHUNK 4096

/* Open @proc/self/pagemap (@pid 0) or @proc/PID/pagemap. fd or -errno. */
int pagemap_open(const char *proc, pid_t pid);

/* Classify @pages pages from @vaddr. 0 or -errno. */
int pagemap_classify(int fd, uint64_t vaddr, uint64_t pages, struct classifier *c);

#endif
