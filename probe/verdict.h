/* SPDX-License-Identifier: MIT */
/* The verdict from placement counts, and the evidence that disagrees with it. */
#ifndef PMEMPROBE_VERDICT_H
#define PMEMPROBE_VERDICT_H

#include "classify.h"
#include "iomem.h"

enum verdict {
	VERDICT_PMEM,	 /* every present page in a PMem range */
	VERDICT_DRAM,	 /* no present page in a PMem range */
	VERDICT_MIXED,	 /* some in, some out */
	VERDICT_UNKNOWN, /* cannot tell: never read as DRAM */
};

/* The verdict for @n; for unknown, *@reason says why. */
enum verdict verdict_of(const struct placement_counts *n, const struct iomem *io,
			const char **reason);
const char *verdict_name(enum verdict v);
/* "pmem", "dram", "mixed" -> 0 and *@v; else -EINVAL. */
int verdict_parse(const char *s, enum verdict *v);

struct report;
/* Fill r->conflicts with every disagreement between the verdict and the evidence. */
void conflicts_find(struct report *r);
uint64_t report_async_pages(const struct report *r);

#endif
