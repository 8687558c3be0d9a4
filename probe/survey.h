/* SPDX-License-Identifier: MIT */
/* --pid: placement of a running process's file-backed mappings, without touching them. */
#ifndef PMEMPROBE_SURVEY_H
#define PMEMPROBE_SURVEY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "classify.h"
#include "iomem.h"
#include "ndsysfs.h"
#include "probe.h"
#include "verdict.h"

struct survey_map {
	uint64_t start, end; /* [start, end) */
	char perms[5];
	uint64_t offset;
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char *path;
	struct placement_counts n;
};

struct survey {
	pid_t pid;
	const char *filter; /* only mappings of this file, or NULL */
	const char *iomem_path;
	const char *sysfs_path;
	uint64_t page_size;
	struct iomem io;
	struct nd_regions regions;
	struct survey_map *maps;
	size_t nr, cap;
	struct placement_counts total;
	enum verdict verdict;
	const char *reason;
	bool expect_asked;
	enum verdict expect;
};

/* 0 or -errno with @f filled. Free with survey_free() either way. */
int survey_run(pid_t pid, const char *filter, const char *iomem_path, const char *sysfs,
	       struct survey *s, struct failure *f);
void survey_free(struct survey *s);

#endif
