// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "witness.h"

#define HUGE_1G (1ULL << 30)

const char *witness_name(enum witness w)
{
	return w == WITNESS_PAGEMAP ? "pagemap" : w == WITNESS_DEVICE_RANGE ? "device-range" : NULL;
}

/* Why pagemap saw nothing, as far as smaps tells. */
static const char *blind_why(const struct report *r)
{
	if (r->ev.kernel_page_size >= HUGE_1G)
		return "it does not report 1 GiB (PUD) mappings, and smaps shows "
		       "KernelPageSize 1048576 kB";
	return "the pages were mapped by their write faults";
}

void witness_decide(struct report *r)
{
	const struct placement_counts *n = &r->n;
	const struct dax_placement *d = &r->dax_pl;
	uint64_t total;

	r->verdict = verdict_of(n, r->io, &r->reason);
	r->witness = r->verdict == VERDICT_UNKNOWN ? WITNESS_NONE : WITNESS_PAGEMAP;
	/* Only device DAX has a range of its own; a file's blocks are the file system's. */
	if (r->kind != TARGET_DEVDAX || r->verdict != VERDICT_UNKNOWN || n->present ||
	    n->pfn_hidden || r->io->hidden)
		return;
	r->pagemap_blind = true;
	if (!r->dax.known) {
		snprintf(r->reason_buf, sizeof(r->reason_buf),
			 "pagemap reports none of the %" PRIu64
			 " pages present (%s), and the device's physical range is unknown: %s",
			 n->pages, blind_why(r), r->dax.error);
		r->reason = r->reason_buf;
		return;
	}
	dax_ranges_place(&r->dax, r->size, r->page_size, r->io, &r->dax_pl);
	total = d->pmem + d->other;
	if (d->uncovered || !total) {
		snprintf(r->reason_buf, sizeof(r->reason_buf),
			 "pagemap reports none of the %" PRIu64
			 " pages present (%s), and the device's ranges in %s cover only %" PRIu64
			 " of them",
			 n->pages, blind_why(r), r->dax.dir, total);
		r->reason = r->reason_buf;
		return;
	}
	r->reason = NULL;
	r->witness = WITNESS_DEVICE_RANGE;
	r->verdict = d->pmem == total ? VERDICT_PMEM : d->pmem ? VERDICT_MIXED : VERDICT_DRAM;
}
