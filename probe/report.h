/* SPDX-License-Identifier: MIT */
/* Everything one probe run found, as the output formats see it. */
#ifndef PMEMPROBE_REPORT_H
#define PMEMPROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "daxrange.h"
#include "daxtrace.h"
#include "evidence.h"
#include "iomem.h"
#include "map.h"
#include "ndsysfs.h"
#include "target.h"
#include "verdict.h"
#include "witness.h"

#define MAX_CONFLICTS 12

struct report {
	const char *path;
	const char *iomem_path;
	const char *sysfs_path;
	const struct nd_regions *regions;
	const uint64_t *range_pages; /* present pages per range, NULL when none was PMem */
	enum target_kind kind;
	uint64_t size, page_size, pages;
	struct placement_counts n;
	const struct iomem *io;
	enum verdict verdict;
	const char *reason; /* why the verdict is unknown */
	char reason_buf[400];
	enum witness witness;	     /* what gave the verdict */
	bool pagemap_blind;	     /* device DAX whose pages pagemap did not report */
	struct dax_ranges dax;	     /* device DAX: its physical ranges from sysfs */
	struct dax_placement dax_pl; /* the mapped device pages by those ranges */
	struct evidence ev;
	char conflicts[MAX_CONFLICTS][240];
	size_t nr_conflicts;
	char notes[MAX_CONFLICTS][240]; /* expected disagreements, explained */
	size_t nr_notes;
	struct caveat {
		const char *name; /* stable identifier, e.g. "map-sync-on-async-region" */
		char text[240];
	} caveats[MAX_CONFLICTS];
	size_t nr_caveats;
	double touch_ms, classify_ms;
	enum touch_method touch_method; /* what gave the pages their write faults */
	int touch_fallback_errno;	/* madvise's error when it fell back, or 0 */
	bool show_pages;		/* runs below are valid */
	const struct page_run *runs;
	size_t nr_runs;
	char strip[STRIP_MAX + 1]; /* classify_strip() */
	bool created;
	uint64_t created_extsize; /* the extent size hint --create set, or 0 */
	bool verify_asked, verify_ok;
	uint64_t verify_bad_page, verify_bad_offset; /* first mismatch: page, byte in file */
	bool expect_asked;
	enum verdict expect;
	/* fault sizes from fs_dax tracepoints; fallback_reasons when a 2 MiB fault fell back */
	struct dax_trace trace;
	char fallback_reasons[8][200];
	size_t nr_fallback_reasons;
	/* --anon */
	unsigned int node;
	bool nodes_known; /* move_pages() answered */
	uint64_t on_node, elsewhere, unreported;
};

#endif
