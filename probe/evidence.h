/* SPDX-License-Identifier: MIT */
/* Signals besides the page placement, each measured on its own. */
#ifndef PMEMPROBE_EVIDENCE_H
#define PMEMPROBE_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "mountinfo.h"
#include "target.h"

enum tri {
	TRI_UNKNOWN = -1,
	TRI_NO = 0,
	TRI_YES = 1,
};

struct evidence {
	enum tri statx_dax;	  /* STATX_ATTR_DAX; unknown if the kernel does not report it */
	enum tri map_sync;	  /* MAP_SHARED_VALIDATE|MAP_SYNC mapping accepted */
	int map_sync_errno;	  /* why it was refused */
	enum tri libpmem_is_pmem; /* pmem_map_file(); unknown if it failed */
	char libpmem_error[200];
	bool have_mount;
	struct mount_info mnt;
	unsigned int dev_major, dev_minor;   /* st_dev (file) or st_rdev (device DAX) */
	enum tri queue_dax;		     /* the filesystem's block device supports DAX */
	uint64_t minor_faults, major_faults; /* taken while touching */
	bool resident_known;
	uint64_t page_cache_resident; /* mincore() on the fresh mapping, before touching */
	bool huge_known;
	uint64_t huge_runs_2m;
	/* 1 GiB (PUD) mappings the pagemap read met: /proc/vmstat thp_split_pud grew by that */
	bool huge_1g_known;
	uint64_t huge_runs_1g;
	char huge_1g_why[160]; /* why unknown */
	/* the mapping's smaps: 0 when unknown */
	uint64_t kernel_page_size, mmu_page_size;
};

void evidence_init(struct evidence *ev);
void evidence_free(struct evidence *ev);

/* Each fills its part of @ev; failures leave the field unknown. */
void evidence_statx(const struct target *t, struct evidence *ev);
void evidence_map_sync(const struct target *t, uint64_t size, struct evidence *ev);
void evidence_libpmem(const char *path, struct evidence *ev);
void evidence_mount(const char *path, const struct target *t, struct evidence *ev);

const char *tri_name(enum tri v); /* "yes", "no", "unknown" */

#endif
