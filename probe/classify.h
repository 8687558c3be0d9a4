/* SPDX-License-Identifier: MIT */
/*
 * Classify pagemap entries against PMem ranges, streaming: counts and 2 MiB
 * runs need O(1) memory; the optional run list (--pages) grows with the
 * number of runs.
 */
#ifndef PMEMPROBE_CLASSIFY_H
#define PMEMPROBE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iomem.h"

#define PM_PRESENT  (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define HUGE_2M	    (2UL << 20)
/* The page strip: a fixed-width picture of the placements, whatever the size. */
#define STRIP_MAX 128

enum placement {
	PL_ABSENT,  /* not present */
	PL_UNKNOWN, /* present, but PFN or iomem addresses hidden */
	PL_DRAM,    /* present, outside every PMem range */
	PL_PMEM,    /* present, inside a PMem range */
};

/* Consecutive pages with one placement, one range and contiguous PFNs. */
struct page_run {
	uint64_t first; /* page index from the start of the classified area */
	uint64_t pages;
	uint64_t vaddr;
	uint64_t pfn; /* of the first page; 0 when absent or hidden */
	enum placement pl;
	long range; /* index into iomem ranges, or -1 (the range says kmem, window, region) */
};

struct placement_counts {
	uint64_t pages, present, pmem, dram, unknown;
	uint64_t kmem;	     /* of pmem: in a "System RAM (kmem)" range, volatile */
	uint64_t pfn_hidden; /* present pages whose PFN read as 0 */
	uint64_t huge_runs;  /* 2 MiB aligned virtual ranges with 512 contiguous, aligned PFNs */
	/* 2 MiB windows with every frame known: all, not starting aligned, not contiguous */
	uint64_t win_full, win_misaligned, win_discontig;
};

struct classifier {
	const struct iomem *io;
	size_t page_size;
	uint64_t per_huge; /* pages per 2 MiB */
	struct placement_counts n;
	bool win_ok;				 /* current 2 MiB window still contiguous */
	uint64_t win_base;			 /* PFN of the window's first page */
	bool win_known, win_aligned, win_contig; /* the same window, checked separately */
	long last_range;
	uint64_t *range_pages; /* present pages per iomem range (io->nr), allocated on first use */
	bool keep_runs;
	struct page_run *runs;
	size_t nr_runs, cap_runs;
	uint64_t strip_pages; /* pages the strip covers; 0 means no strip */
	unsigned strip_len;
	uint8_t strip_seen[STRIP_MAX]; /* bit (1 << placement) per placement seen in a slot */
};

void classify_init(struct classifier *c, const struct iomem *io, size_t page_size, bool keep_runs);
/* Feed @n entries describing pages from virtual address @vaddr. 0 or -ENOMEM. */
int classify_entries(struct classifier *c, uint64_t vaddr, const uint64_t *ent, size_t n);
void classify_free(struct classifier *c);
/* Also draw a strip of the next @pages pages, before the first classify_entries(). */
void classify_strip_init(struct classifier *c, uint64_t pages);
/*
 * The strip as text, one character per slot of about pages/STRIP_MAX pages:
 * P all PMem, D all DRAM, ? hidden address, . absent, M more than one of
 * these. @out holds STRIP_MAX + 1 bytes.
 */
void classify_strip(const struct classifier *c, char *out);

const char *placement_name(enum placement pl);

#endif
