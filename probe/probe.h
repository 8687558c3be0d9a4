/* SPDX-License-Identifier: MIT */
/* One probe of PATH: map, touch, classify, gather evidence, verify. */
#ifndef PMEMPROBE_PROBE_H
#define PMEMPROBE_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "classify.h"
#include "iomem.h"
#include "ndsysfs.h"
#include "report.h"

struct probe_opts {
	const char *path;
	const char *iomem_path;
	const char *sysfs_path; /* --sysfs: "/sys" unless a test gives a crafted tree */
	const char *proc_path;	/* --proc: "/proc" unless a test gives stand-ins */
	bool size_given;
	uint64_t size;
	bool pages, create, verify;
	enum touch_method touch; /* --touch: TOUCH_AUTO or TOUCH_PER_PAGE */
	bool expect_asked;
	enum verdict expect;
	const char *tracefs; /* --tracefs: a tracefs mount, NULL to look for one */
	bool anon;	     /* --anon SIZE (in size): anonymous memory, no PATH */
	unsigned int node;   /* --node N */
	bool node_given;
};

/* What failed: "<op> <path>: <why, or strerror>". */
struct failure {
	const char *op;
	const char *path;
	const char *why; /* NULL: strerror(-rc) */
	char buf[240];	 /* storage for a formatted why */
};

struct probe {
	struct iomem io;
	struct nd_regions regions;
	struct classifier cls;
	struct report r;
};

/* 0 or -errno with @f filled. Free with probe_free() either way. */
int probe_run(const struct probe_opts *o, struct probe *p, struct failure *f);
void probe_free(struct probe *p);

/*
 * The PMem ranges: /proc/iomem (or @iomem_path), then libnvdimm's regions
 * under @sysfs. 0 or -errno with @f filled.
 */
int ranges_load(const char *iomem_path, const char *sysfs, struct iomem *io,
		struct nd_regions *regions, struct failure *f);

#endif
