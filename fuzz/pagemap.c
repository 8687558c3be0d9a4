// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: pagemap entry decoding and classification. The input
 * describes PMem ranges (written as iomem text and parsed by the real
 * parser), a start address and raw 64-bit pagemap entries, fed to the
 * streaming classifier in two chunks. Counts, 2 MiB runs, the page strip
 * and the --pages run list must match a per-page reference; the run list
 * must be exact.
 *
 * Layout: flags, number of ranges (0-7), chunk split, then per range
 * start (8 bytes), length (8), kind (1), then the virtual address (8), then
 * the entries (8 bytes each, native order).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>

#include "classify.h"
#include "fuzz.h"
#include "iomem.h"

#define MAX_RANGES 8

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, size_t n)
{
	uint64_t v = 0;

	if (n > in->left)
		n = in->left;
	memcpy(&v, in->p, n);
	in->p += n;
	in->left -= n;
	return v;
}

/* Ranges as iomem text: kind bit 0 nfit/legacy, bit 1 nested, bit 2 not PMem at all. */
static void build_iomem(struct input *in, unsigned int nr, bool hidden, struct iomem *io)
{
	char text[MAX_RANGES * 80 + 64];
	struct iomem_error err;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	len += (size_t)snprintf(text, sizeof(text), "%s : Reserved\n", hidden ? "0-0" : "0-fff");
	for (i = 0; i < nr; i++) {
		uint64_t start = take(in, 8), n = take(in, 8), end;
		unsigned int kind = (unsigned int)take(in, 1);

		end = start + n < start ? UINT64_MAX : start + n;
		if (hidden)
			start = end = 0;
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"%s%" PRIx64 "-%" PRIx64 " : %s\n", kind & 2 ? "  " : "",
					start, end,
					kind & 4   ? "System RAM"
					: kind & 1 ? "Persistent Memory"
						   : "Persistent Memory (legacy)");
	}
	f = fmemopen(text, len, "r");
	CHECK(f);
	CHECK(iomem_parse(f, io, &err) == 0); /* well-formed by construction */
	fclose(f);
	CHECK(io->hidden == hidden);
}

static enum placement expected(const struct iomem *io, uint64_t ent, size_t page_size, long *range)
{
	uint64_t pfn = ent & PM_PFN_MASK;
	unsigned __int128 paddr = (unsigned __int128)pfn * page_size;
	size_t i;

	*range = -1;
	if (!(ent & PM_PRESENT))
		return PL_ABSENT;
	if (pfn == 0 || io->hidden)
		return PL_UNKNOWN;
	for (i = 0; i < io->nr && paddr <= UINT64_MAX; i++) {
		if (paddr >= io->ranges[i].start && paddr <= io->ranges[i].end) {
			*range = (long)i;
			return PL_PMEM;
		}
	}
	return PL_DRAM;
}

/* Aligned 2 MiB windows wholly inside the input: present, contiguous, aligned frames. */
static uint64_t expected_huge(const uint64_t *ent, size_t n, uint64_t vpage, uint64_t per_huge)
{
	uint64_t runs = 0;
	size_t i = (size_t)((per_huge - vpage % per_huge) % per_huge), j;

	for (; i + per_huge <= n; i += per_huge) {
		uint64_t base = ent[i] & PM_PFN_MASK;
		bool ok = base % per_huge == 0;

		for (j = 0; j < per_huge && ok; j++)
			ok = (ent[i + j] & PM_PRESENT) && (ent[i + j] & PM_PFN_MASK) &&
			     (ent[i + j] & PM_PFN_MASK) == base + j;
		runs += ok;
	}
	return runs;
}

static void check_runs(const struct classifier *c, const uint64_t *ent, size_t n, uint64_t vaddr)
{
	uint64_t page = 0;
	size_t i, j;

	for (i = 0; i < c->nr_runs; i++) {
		const struct page_run *r = &c->runs[i];

		CHECK(r->first == page && r->pages > 0 && r->pages <= n - page);
		CHECK(r->vaddr == vaddr + page * c->page_size);
		CHECK((r->pl == PL_PMEM) == (r->range >= 0));
		CHECK(r->range < (long)c->io->nr);
		for (j = 0; j < r->pages; j++, page++) {
			long range;
			enum placement pl = expected(c->io, ent[page], c->page_size, &range);
			uint64_t pfn = ent[page] & PM_PFN_MASK;

			CHECK(pl == r->pl && range == r->range);
			/* the table prints first..last frame: each page's must be exact */
			if (pl != PL_ABSENT)
				CHECK(r->pfn ? pfn == r->pfn + j : pfn == 0);
		}
	}
	CHECK(page == n);
}

/* Every strip slot: the letter of its pages' one placement, or M. */
static void check_strip(const struct classifier *c, const uint64_t *ent, size_t n)
{
	static const char letter[] = {
		[PL_ABSENT] = '.', [PL_UNKNOWN] = '?', [PL_DRAM] = 'D', [PL_PMEM] = 'P'};
	char strip[STRIP_MAX + 1], want;
	size_t slot, i, len = n < STRIP_MAX ? n : STRIP_MAX;

	classify_strip(c, strip);
	CHECK(strlen(strip) == len);
	for (slot = 0; slot < len; slot++) {
		/* pages i with i * len / n == slot */
		size_t first = (slot * n + len - 1) / len, end = ((slot + 1) * n + len - 1) / len;
		long range;

		CHECK(first < end);
		want = letter[expected(c->io, ent[first], c->page_size, &range)];
		for (i = first + 1; i < end; i++)
			if (letter[expected(c->io, ent[i], c->page_size, &range)] != want)
				want = 'M';
		CHECK(strip[slot] == want);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t page_sizes[] = {4096, 16384, 65536, 4096};
	struct input in = {data, size};
	unsigned int flags = (unsigned int)take(&in, 1);
	unsigned int nr = (unsigned int)take(&in, 1) % MAX_RANGES;
	unsigned int split = (unsigned int)take(&in, 1);
	size_t page_size = page_sizes[flags & 3], n, k, i;
	bool keep_runs = flags & 4, hidden = flags & 8;
	struct placement_counts want = {0};
	struct classifier c;
	struct iomem io;
	uint64_t vaddr, *ent;

	build_iomem(&in, nr, hidden, &io);
	vaddr = take(&in, 8);
	n = in.left / sizeof(*ent);
	ent = malloc((n ? n : 1) * sizeof(*ent));
	CHECK(ent);
	memcpy(ent, in.p, n * sizeof(*ent));

	for (i = 0; i < n; i++) {
		long range;
		enum placement pl = expected(&io, ent[i], page_size, &range);

		want.present += pl != PL_ABSENT;
		want.pmem += pl == PL_PMEM;
		want.dram += pl == PL_DRAM;
		want.unknown += pl == PL_UNKNOWN;
		want.pfn_hidden += pl != PL_ABSENT && (ent[i] & PM_PFN_MASK) == 0;
	}

	/* two chunks, as pagemap_classify() feeds them: state must carry over */
	k = n * split / 256;
	classify_init(&c, &io, page_size, keep_runs);
	classify_strip_init(&c, n);
	CHECK(classify_entries(&c, vaddr, ent, k) == 0);
	CHECK(classify_entries(&c, vaddr + k * page_size, ent + k, n - k) == 0);

	CHECK(c.n.pages == n);
	CHECK(c.n.present == want.present);
	CHECK(c.n.pmem == want.pmem && c.n.dram == want.dram && c.n.unknown == want.unknown);
	CHECK(c.n.pfn_hidden == want.pfn_hidden);
	CHECK(c.n.huge_runs == expected_huge(ent, n, vaddr / page_size, c.per_huge));
	check_strip(&c, ent, n);
	if (keep_runs)
		check_runs(&c, ent, n, vaddr);
	else
		CHECK(c.nr_runs == 0);

	classify_free(&c);
	iomem_free(&io);
	free(ent);
	return 0;
}
