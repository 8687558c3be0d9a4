// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "verdict.h"

static const char *const names[] = {
	[VERDICT_PMEM] = "pmem",
	[VERDICT_DRAM] = "dram",
	[VERDICT_MIXED] = "mixed",
	[VERDICT_UNKNOWN] = "unknown",
};

const char *verdict_name(enum verdict v)
{
	return names[v];
}

int verdict_parse(const char *s, enum verdict *v)
{
	int i;

	for (i = VERDICT_PMEM; i <= VERDICT_MIXED; i++) {
		if (strcmp(s, names[i]) == 0) {
			*v = (enum verdict)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum verdict verdict_of(const struct placement_counts *n, const struct iomem *io,
			const char **reason)
{
	*reason = NULL;
	if (io->hidden && n->pfn_hidden) {
		*reason = "pagemap PFNs and iomem addresses read as 0: reading physical "
			  "addresses needs CAP_SYS_ADMIN (run as root)";
		return VERDICT_UNKNOWN;
	}
	if (io->hidden) {
		*reason = "every iomem address reads as 0: reading physical addresses "
			  "needs CAP_SYS_ADMIN (run as root)";
		return VERDICT_UNKNOWN;
	}
	if (n->pfn_hidden) {
		*reason = "pagemap PFNs read as 0: reading physical addresses needs "
			  "CAP_SYS_ADMIN (run as root)";
		return VERDICT_UNKNOWN;
	}
	if (n->present == 0) {
		*reason = "no page is present: nothing to classify";
		return VERDICT_UNKNOWN;
	}
	if (n->pmem == n->present)
		return VERDICT_PMEM;
	return n->pmem ? VERDICT_MIXED : VERDICT_DRAM;
}

static void add(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_conflicts == MAX_CONFLICTS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->conflicts[r->nr_conflicts++], sizeof(r->conflicts[0]), fmt, ap);
	va_end(ap);
}

/* The DAX mode the mount options ask for: "always", "never", "inode" or NULL. */
static const char *mount_dax(const struct evidence *ev)
{
	const char *lists[2] = {ev->mnt.super_options, ev->mnt.mount_options};
	const char *mode = NULL;
	int i;

	for (i = 0; i < 2 && ev->have_mount; i++) {
		char buf[1024], *save = NULL, *tok;

		snprintf(buf, sizeof(buf), "%s", lists[i]);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, "dax") == 0 || strcmp(tok, "dax=always") == 0)
				mode = "always";
			else if (strcmp(tok, "dax=never") == 0)
				mode = "never";
			else if (strcmp(tok, "dax=inode") == 0)
				mode = "inode";
		}
	}
	return mode;
}

void conflicts_find(struct report *r)
{
	const struct evidence *ev = &r->ev;
	const struct placement_counts *n = &r->n;
	bool placed = r->verdict != VERDICT_UNKNOWN;
	bool file = r->kind == TARGET_FILE;
	const char *dax = file ? mount_dax(ev) : NULL;

	r->nr_conflicts = 0;
	if (placed && ev->statx_dax == TRI_YES && n->dram)
		add(r, "statx reports DAX but %" PRIu64 " of %" PRIu64 " present pages are in DRAM",
		    n->dram, n->present);
	if (placed && file && ev->statx_dax == TRI_NO && n->pmem)
		add(r, "%" PRIu64 " pages are in PMem ranges but statx does not report DAX",
		    n->pmem);
	if (placed && ev->map_sync == TRI_YES && n->dram)
		add(r, "MAP_SYNC is accepted but %" PRIu64 " pages are in DRAM", n->dram);
	if (r->verdict == VERDICT_PMEM && ev->map_sync == TRI_NO)
		add(r, "every page is in a PMem range but MAP_SYNC is refused (%s)",
		    strerror(ev->map_sync_errno));
	if (placed && ev->libpmem_is_pmem == TRI_YES && n->dram)
		add(r, "libpmem reports is_pmem=1 but %" PRIu64 " pages are in DRAM", n->dram);
	if (r->verdict == VERDICT_PMEM && ev->libpmem_is_pmem == TRI_NO)
		add(r, "every page is in a PMem range but libpmem reports is_pmem=0");
	if (ev->statx_dax == TRI_YES && ev->resident_known && ev->page_cache_resident)
		add(r, "statx reports DAX but %" PRIu64 " pages were in the page cache",
		    ev->page_cache_resident);
	if (dax && strcmp(dax, "always") == 0 && ev->statx_dax == TRI_NO)
		add(r, "the filesystem is mounted dax=always but statx does not report DAX");
	if (dax && strcmp(dax, "never") == 0 && ev->statx_dax == TRI_YES)
		add(r, "the filesystem is mounted dax=never but statx reports DAX");
}
