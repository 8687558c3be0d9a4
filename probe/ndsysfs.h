/* SPDX-License-Identifier: MIT */
/* libnvdimm's regions from sysfs (/sys/bus/nd/devices/regionN), and NUMA nodes. */
#ifndef PMEMPROBE_NDSYSFS_H
#define PMEMPROBE_NDSYSFS_H

#include <stdbool.h>
#include <stddef.h>

#include "iomem.h"

struct nd_regions {
	struct nd_region_info *v; /* sorted by name */
	size_t nr;
	bool bus_present; /* SYSFS/bus/nd/devices exists: libnvdimm is loaded */
};

/*
 * Every regionN under @sysfs/bus/nd/devices: its range from `resource`
 * (hex, mode 0400: root only) and `size` (decimal), its provider from the
 * parent ndbus's `provider`. A region whose range cannot be read keeps a
 * reason in ->error and is not used for placement. No bus directory is no
 * error (libnvdimm not loaded). Returns 0 or -errno (-ENOMEM, or @sysfs
 * itself unreadable).
 */
int nd_regions_load(const char *sysfs, struct nd_regions *out);
void nd_regions_free(struct nd_regions *r);

/*
 * Parse a sysfs number: @base 16 ("0x180000000\n") or 10 ("1073741824\n").
 * 0 or -EINVAL (empty, sign, junk, overflow). The fuzz harness's entry.
 */
int sysfs_parse_u64(const char *text, int base, uint64_t *v);

/* A small sysfs attribute (a regular file) into @buf, NUL-terminated. 0 or -errno. */
int sysfs_read_attr(const char *path, char *buf, size_t cap);

/* Does @sysfs/devices/system/node/nodeN exist? 0, -ENOENT, or -errno. */
int numa_node_exists(const char *sysfs, unsigned int node);

#endif
