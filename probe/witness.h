/* SPDX-License-Identifier: MIT */
/*
 * Which evidence gives the verdict: pagemap's frames, or, for device DAX
 * mapped by 1 GiB (PUD) pages that pagemap does not report, the device's
 * own physical range.
 */
#ifndef PMEMPROBE_WITNESS_H
#define PMEMPROBE_WITNESS_H

enum witness {
	WITNESS_NONE,	      /* the verdict is unknown */
	WITNESS_PAGEMAP,      /* the frames of the present pages */
	WITNESS_DEVICE_RANGE, /* device DAX: every page maps into the device's range */
};

/* "pagemap", "device-range", or NULL for none. */
const char *witness_name(enum witness w);

struct report;
/* r->verdict, r->reason and r->witness from the counts, the ranges and the device. */
void witness_decide(struct report *r);

#endif
