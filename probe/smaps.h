/* SPDX-License-Identifier: MIT */
/* The page sizes of one mapping, from /proc/self/smaps. */
#ifndef PMEMPROBE_SMAPS_H
#define PMEMPROBE_SMAPS_H

#include <stdbool.h>
#include <stdint.h>

/* Longest smaps line read; longer ones (a path near PATH_MAX) are skipped whole. */
#define SMAPS_LINE_MAX 4352

struct smaps_vma {
	bool found;		   /* a header line covered the address */
	uint64_t start, end;	   /* [start, end) of that mapping */
	uint64_t kernel_page_size; /* bytes from "KernelPageSize: N kB", 0 if absent */
	uint64_t mmu_page_size;	   /* bytes from "MMUPageSize: N kB", 0 if absent */
};

/* Line by line: the state of one scan for the mapping holding @addr. */
struct smaps_scan {
	uint64_t addr;
	bool in; /* the lines being read belong to that mapping */
	struct smaps_vma vma;
};

void smaps_scan_init(struct smaps_scan *s, uint64_t addr);
/*
 * Feed one whole line (without or with its '\n'). A header line
 * ("START-END PERMS OFFSET DEV INODE [PATH]", lower-case hex) starts a
 * mapping; "KernelPageSize:" and "MMUPageSize:" lines of the mapping
 * holding the address fill the sizes. Anything else is ignored. The fuzz
 * harness's entry.
 */
void smaps_scan_line(struct smaps_scan *s, const char *line);

/*
 * Scan @path (/proc/self/smaps, or a stand-in) for the mapping holding
 * @addr. 0 (out->found says whether it was there) or -errno.
 */
int smaps_load(const char *path, uint64_t addr, struct smaps_vma *out);

#endif
