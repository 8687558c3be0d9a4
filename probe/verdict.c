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

static void note(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_notes == MAX_CONFLICTS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nr_notes++], sizeof(r->notes[0]), fmt, ap);
	va_end(ap);
}

static void caveat(struct report *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void caveat(struct report *r, const char *name, const char *fmt, ...)
{
	struct caveat *c;
	va_list ap;

	if (r->nr_caveats == MAX_CONFLICTS)
		return;
	c = &r->caveats[r->nr_caveats++];
	c->name = name;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

/* Present pages in asynchronous ranges (virtio-pmem): their flush is a request to the host. */
uint64_t report_async_pages(const struct report *r)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; r->range_pages && i < r->io->nr; i++)
		if (r->io->ranges[i].sync == 0)
			n += r->range_pages[i];
	return n;
}

void conflicts_find(struct report *r)
{
	const struct evidence *ev = &r->ev;
	struct placement_counts by_range = r->n;
	const struct placement_counts *n = &r->n;
	bool placed = r->verdict != VERDICT_UNKNOWN;
	bool file = r->kind == TARGET_FILE;
	const char *dax = file ? mount_dax(ev) : NULL;
	uint64_t async = report_async_pages(r), durable;
	bool all_durable, all_async;

	if (r->witness == WITNESS_DEVICE_RANGE) { /* pagemap saw no page: the device's range did */
		by_range.pmem = r->dax_pl.pmem;
		by_range.dram = r->dax_pl.other;
		by_range.present = r->dax_pl.pmem + r->dax_pl.other;
		by_range.kmem = 0;
		n = &by_range;
		async = r->dax_pl.async;
	}
	durable = n->pmem - n->kmem; /* PMem pages not onlined as RAM */
	all_durable = r->verdict == VERDICT_PMEM && n->kmem == 0;
	all_async = all_durable && async == n->pmem;

	r->nr_conflicts = r->nr_notes = r->nr_caveats = 0;
	if (placed && ev->statx_dax == TRI_YES && n->dram)
		add(r, "statx reports DAX but %" PRIu64 " of %" PRIu64 " present pages are in DRAM",
		    n->dram, n->present);
	if (placed && ev->statx_dax == TRI_YES && n->kmem)
		add(r,
		    "statx reports DAX but %" PRIu64 " of %" PRIu64
		    " present pages are PMem onlined as System RAM (kmem)",
		    n->kmem, n->present);
	if (placed && file && ev->statx_dax == TRI_NO && durable)
		add(r, "%" PRIu64 " pages are in PMem ranges but statx does not report DAX",
		    durable);
	if (placed && ev->map_sync == TRI_YES && n->dram)
		add(r, "MAP_SYNC is accepted but %" PRIu64 " pages are in DRAM", n->dram);
	if (all_async && ev->map_sync == TRI_NO)
		note(r,
		     "asynchronous region: MAP_SYNC is refused by design (%s): flushes go to "
		     "the host as virtio requests, so only fsync()/msync() make data durable",
		     strerror(ev->map_sync_errno));
	else if (all_durable && ev->map_sync == TRI_NO)
		add(r, "every page is in a PMem range but MAP_SYNC is refused (%s)",
		    strerror(ev->map_sync_errno));
	if (placed && ev->map_sync == TRI_YES && async)
		caveat(r, "map-sync-on-async-region",
		       "MAP_SYNC is accepted but %" PRIu64
		       " pages are on an asynchronous region (virtio-pmem): CPU cache flushes "
		       "do not make them durable; only fsync()/msync() (a flush request to the "
		       "host) does",
		       async);
	if (placed && ev->libpmem_is_pmem == TRI_YES && n->dram)
		add(r, "libpmem reports is_pmem=1 but %" PRIu64 " pages are in DRAM", n->dram);
	if (all_async && ev->libpmem_is_pmem == TRI_NO)
		note(r, "asynchronous region: libpmem reports is_pmem=0 by design (it needs "
			"MAP_SYNC or device DAX)");
	else if (all_durable && ev->libpmem_is_pmem == TRI_NO)
		add(r, "every page is in a PMem range but libpmem reports is_pmem=0");
	if (placed && n->kmem)
		note(r,
		     "%" PRIu64 " of %" PRIu64
		     " present pages are PMem onlined as System RAM (kmem): volatile, their "
		     "content does not survive a reboot",
		     n->kmem, n->present);
	if (ev->statx_dax == TRI_YES && ev->resident_known && ev->page_cache_resident)
		add(r, "statx reports DAX but %" PRIu64 " pages were in the page cache",
		    ev->page_cache_resident);
	if (dax && strcmp(dax, "always") == 0 && ev->statx_dax == TRI_NO)
		add(r, "the filesystem is mounted dax=always but statx does not report DAX");
	if (dax && strcmp(dax, "never") == 0 && ev->statx_dax == TRI_YES)
		add(r, "the filesystem is mounted dax=never but statx reports DAX");
}
