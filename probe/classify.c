// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

static const char *const pl_name[] = {
	[PL_ABSENT] = "absent",
	[PL_UNKNOWN] = "unknown",
	[PL_DRAM] = "dram",
	[PL_PMEM] = "pmem",
};

const char *placement_name(enum placement pl)
{
	return pl_name[pl];
}

void classify_init(struct classifier *c, const struct iomem *io, size_t page_size, bool keep_runs)
{
	memset(c, 0, sizeof(*c));
	c->io = io;
	c->page_size = page_size;
	c->per_huge = HUGE_2M / page_size;
	c->last_range = -1;
	c->keep_runs = keep_runs;
}

void classify_free(struct classifier *c)
{
	free(c->runs);
	c->runs = NULL;
	free(c->range_pages);
	c->range_pages = NULL;
	c->nr_runs = c->cap_runs = 0;
}

static long find_range(struct classifier *c, uint64_t paddr)
{
	if (c->last_range >= 0) {
		const struct pmem_range *r = &c->io->ranges[c->last_range];

		if (paddr >= r->start && paddr <= r->end)
			return c->last_range;
	}
	c->last_range = iomem_find(c->io, paddr);
	return c->last_range;
}

static int add_run(struct classifier *c, uint64_t vaddr, uint64_t pfn, enum placement pl,
		   long range)
{
	struct page_run *last = c->nr_runs ? &c->runs[c->nr_runs - 1] : NULL;
	bool contiguous;

	/*
	 * A run's frames are exact: absent pages have none, hidden PFNs (0) go
	 * with hidden PFNs only, known ones must follow each other.
	 */
	if (pl == PL_ABSENT)
		contiguous = true;
	else if (!last || pfn == 0 || last->pfn == 0)
		contiguous = last && pfn == 0 && last->pfn == 0;
	else
		contiguous = pfn == last->pfn + last->pages;

	if (last && last->pl == pl && last->range == range && contiguous) {
		last->pages++;
		return 0;
	}
	if (c->nr_runs == c->cap_runs) {
		size_t ncap = c->cap_runs ? c->cap_runs * 2 : 64;
		struct page_run *v = realloc(c->runs, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->runs = v;
		c->cap_runs = ncap;
	}
	c->runs[c->nr_runs++] = (struct page_run){
		.first = c->n.pages - 1,
		.pages = 1,
		.vaddr = vaddr,
		.pfn = pfn,
		.pl = pl,
		.range = range,
	};
	return 0;
}

void classify_strip_init(struct classifier *c, uint64_t pages)
{
	c->strip_pages = pages;
	c->strip_len = pages < STRIP_MAX ? (unsigned)pages : STRIP_MAX;
	memset(c->strip_seen, 0, sizeof(c->strip_seen));
}

static void strip_mark(struct classifier *c, uint64_t page, enum placement pl)
{
	/* page * len fits: len <= 128 and a mapping has far fewer than 2^57 pages */
	uint64_t slot = page * c->strip_len / c->strip_pages;

	if (slot < c->strip_len)
		c->strip_seen[slot] |= (uint8_t)(1u << pl);
}

void classify_strip(const struct classifier *c, char *out)
{
	static const char letter[] = {
		[PL_ABSENT] = '.',
		[PL_UNKNOWN] = '?',
		[PL_DRAM] = 'D',
		[PL_PMEM] = 'P',
	};
	unsigned i;

	for (i = 0; i < c->strip_len; i++) {
		uint8_t seen = c->strip_seen[i];
		int pl = seen ? __builtin_ctz(seen) : PL_ABSENT;

		out[i] = seen & (seen - 1) ? 'M' : letter[pl];
	}
	out[i] = '\0';
}

/* Track 2 MiB aligned virtual windows whose PFNs are contiguous and 2 MiB aligned. */
static void track_huge(struct classifier *c, uint64_t vaddr, bool known, uint64_t pfn)
{
	uint64_t idx = (vaddr / c->page_size) % c->per_huge;

	if (idx == 0) {
		c->win_ok = known && pfn % c->per_huge == 0;
		c->win_base = pfn;
		c->win_known = known;
		c->win_aligned = pfn % c->per_huge == 0;
		c->win_contig = true;
	} else {
		if (c->win_ok)
			c->win_ok = known && pfn == c->win_base + idx;
		c->win_known = c->win_known && known;
		c->win_contig = c->win_contig && pfn == c->win_base + idx;
	}
	if (idx == c->per_huge - 1 && c->win_known) {
		c->n.win_full++;
		if (!c->win_aligned)
			c->n.win_misaligned++;
		else if (!c->win_contig)
			c->n.win_discontig++;
		c->win_known = false;
	}
	if (idx == c->per_huge - 1 && c->win_ok) {
		c->n.huge_runs++;
		c->win_ok = false;
	}
}

static int count_range(struct classifier *c, long range)
{
	if (!c->range_pages) {
		c->range_pages = calloc(c->io->nr, sizeof(*c->range_pages));
		if (!c->range_pages)
			return -ENOMEM;
	}
	c->range_pages[range]++;
	if (c->io->ranges[range].kmem)
		c->n.kmem++;
	return 0;
}

int classify_entries(struct classifier *c, uint64_t vaddr, const uint64_t *ent, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, vaddr += c->page_size) {
		bool present = ent[i] & PM_PRESENT;
		uint64_t pfn = present ? ent[i] & PM_PFN_MASK : 0;
		enum placement pl = PL_ABSENT;
		long range = -1;

		c->n.pages++;
		if (present) {
			c->n.present++;
			if (pfn == 0)
				c->n.pfn_hidden++;
			if (pfn == 0 || c->io->hidden) {
				pl = PL_UNKNOWN;
				c->n.unknown++;
			} else {
				/* a frame beyond 2^64 bytes (garbage) is in no range: no wrap */
				range = pfn <= UINT64_MAX / c->page_size
						? find_range(c, pfn * c->page_size)
						: -1;
				pl = range >= 0 ? PL_PMEM : PL_DRAM;
				if (range >= 0 && count_range(c, range))
					return -ENOMEM;
				if (range >= 0)
					c->n.pmem++;
				else
					c->n.dram++;
			}
		}
		track_huge(c, vaddr, present && pfn != 0, pfn);
		if (c->strip_pages)
			strip_mark(c, c->n.pages - 1, pl);
		if (c->keep_runs && add_run(c, vaddr, pfn, pl, range))
			return -ENOMEM;
	}
	return 0;
}
