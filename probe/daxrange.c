// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daxrange.h"
#include "ndsysfs.h"

#define DAX_PGOFF_UNIT 4096 /* page_offset counts PAGE_SIZE pages (x86-64: 4 KiB) */

static bool failed(struct dax_ranges *d, const char *attr, int rc)
{
	snprintf(d->error, sizeof(d->error), "%s/%s: %s%s", d->dir, attr,
		 rc == -EINVAL ? "not a number" : strerror(-rc),
		 rc == -EACCES ? " (mode 0400: root only)" : "");
	return false;
}

/* @d->dir/@attr as a number in @base. */
static bool attr_u64(struct dax_ranges *d, const char *attr, int base, uint64_t *v)
{
	char path[256], buf[64];
	int n = snprintf(path, sizeof(path), "%s/%s", d->dir, attr), rc;

	if (n < 0 || (size_t)n >= sizeof(path))
		return failed(d, attr, -ENAMETOOLONG);
	rc = sysfs_read_attr(path, buf, sizeof(buf));
	if (!rc)
		rc = sysfs_parse_u64(buf, base, v);
	return rc ? failed(d, attr, rc) : true;
}

/* mappingN/start, end, page_offset for N = 0, 1, ...; 1 read, 0 no mapping0, -1 failed. */
static int load_mappings(struct dax_ranges *d)
{
	char attr[3][48];
	size_t i;

	for (i = 0; i <= DAX_RANGES_MAX; i++) {
		struct dax_range *r = &d->v[i];
		char path[256];
		int n = snprintf(path, sizeof(path), "%s/mapping%zu", d->dir, i);

		if (n < 0 || (size_t)n >= sizeof(path) || access(path, F_OK))
			break;
		if (i == DAX_RANGES_MAX) {
			snprintf(d->error, sizeof(d->error), "%s: more than %d mappings", d->dir,
				 DAX_RANGES_MAX);
			return -1;
		}
		snprintf(attr[0], sizeof(attr[0]), "mapping%zu/start", i);
		snprintf(attr[1], sizeof(attr[1]), "mapping%zu/end", i);
		snprintf(attr[2], sizeof(attr[2]), "mapping%zu/page_offset", i);
		if (!attr_u64(d, attr[0], 16, &r->start) || !attr_u64(d, attr[1], 16, &r->end) ||
		    !attr_u64(d, attr[2], 16, &r->pgoff))
			return -1;
		if (r->end < r->start) {
			snprintf(d->error, sizeof(d->error), "%s/mapping%zu: end before start",
				 d->dir, i);
			return -1;
		}
		d->nr++;
	}
	return d->nr ? 1 : 0;
}

void dax_ranges_load(const char *sysfs, unsigned int maj, unsigned int min, struct dax_ranges *d)
{
	uint64_t start, size;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = snprintf(d->dir, sizeof(d->dir), "%s/dev/char/%u:%u", sysfs, maj, min);
	if (rc < 0 || (size_t)rc >= sizeof(d->dir)) {
		snprintf(d->error, sizeof(d->error), "the sysfs path is too long");
		return;
	}
	rc = load_mappings(d);
	if (rc < 0)
		return;
	if (rc > 0) {
		d->attrs = "mappingN";
		d->known = true;
		return;
	}
	if (!attr_u64(d, "resource", 16, &start) || !attr_u64(d, "size", 10, &size))
		return;
	if (!size || start + (size - 1) < start) {
		snprintf(d->error, sizeof(d->error), "%s/size: not a positive size within 2^64",
			 d->dir);
		return;
	}
	d->v[0] = (struct dax_range){.start = start, .end = start + (size - 1), .pgoff = 0};
	d->nr = 1;
	d->attrs = "resource";
	d->known = true;
}

/* Bytes of [a, b] inside PMem ranges (sorted, disjoint); *@async those of asynchronous ones. */
static uint64_t pmem_bytes(const struct iomem *io, uint64_t a, uint64_t b, uint64_t *async)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < io->nr; i++) {
		uint64_t lo = io->ranges[i].start > a ? io->ranges[i].start : a;
		uint64_t hi = io->ranges[i].end < b ? io->ranges[i].end : b;

		if (lo > hi)
			continue;
		sum += hi - lo + 1;
		if (io->ranges[i].sync == 0)
			*async += hi - lo + 1;
	}
	return sum;
}

void dax_ranges_place(const struct dax_ranges *d, uint64_t size, uint64_t page_size,
		      const struct iomem *io, struct dax_placement *out)
{
	uint64_t covered = 0, in = 0, async = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; d->known && i < d->nr; i++) {
		const struct dax_range *r = &d->v[i];
		uint64_t off, len = r->end - r->start; /* length - 1 */

		if (r->pgoff > (UINT64_MAX - len) / DAX_PGOFF_UNIT)
			continue;
		off = r->pgoff * DAX_PGOFF_UNIT;
		if (off >= size)
			continue;
		if (len > size - 1 - off)
			len = size - 1 - off;
		covered += len + 1;
		in += pmem_bytes(io, r->start, r->start + len, &async);
	}
	if (covered > size) /* overlapping mappings: a malformed tree */
		covered = size;
	if (in > covered)
		in = covered;
	if (async > in)
		async = in;
	out->async = async / page_size;
	out->pmem = in / page_size;
	out->other = (covered - in) / page_size;
	out->uncovered = (size - covered) / page_size;
}
