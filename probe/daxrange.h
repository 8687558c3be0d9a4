/* SPDX-License-Identifier: MIT */
/*
 * A device-DAX device's own physical ranges from sysfs, and where the first
 * bytes of the device lie against the PMem ranges: the witness when
 * pagemap cannot see the mapping (1 GiB, PUD).
 */
#ifndef PMEMPROBE_DAXRANGE_H
#define PMEMPROBE_DAXRANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iomem.h"

#define DAX_RANGES_MAX 16

struct dax_range {
	uint64_t start, end; /* physical, end inclusive */
	uint64_t pgoff;	     /* device offset of start, in 4 KiB pages */
};

struct dax_ranges {
	bool known;	   /* v[] holds every range of the device */
	const char *attrs; /* "mappingN" or "resource": where they came from */
	size_t nr;
	struct dax_range v[DAX_RANGES_MAX];
	char dir[160];	 /* the device's sysfs directory read */
	char error[200]; /* why !known */
};

/* Pages of the device's first bytes by where their frames lie. */
struct dax_placement {
	uint64_t pmem, other, uncovered; /* uncovered: no range of the device holds them */
	uint64_t async;			 /* of pmem: in asynchronous (virtio-pmem) ranges */
};

/*
 * The ranges of the device-DAX device MAJ:MIN under @sysfs/dev/char/MAJ:MIN:
 * each mappingN/{start,end,page_offset} (hex, mode 0400), or else
 * `resource` (hex, 0400) and `size` (decimal) as one range. A failure
 * leaves ->known false and says why in ->error.
 */
void dax_ranges_load(const char *sysfs, unsigned int maj, unsigned int min, struct dax_ranges *d);

/* Where device offsets [0, @size) lie, in pages of @page_size. */
void dax_ranges_place(const struct dax_ranges *d, uint64_t size, uint64_t page_size,
		      const struct iomem *io, struct dax_placement *out);

#endif
