// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the /proc/iomem parser. Whatever it accepts must come
 * out sorted, disjoint and merged; iomem_find() must agree with a linear
 * search; every PMem line of an accepted file must be covered by consecutive
 * ranges (one, or several cut where "System RAM (kmem)" begins or ends);
 * every kmem piece lies in a kmem line; an accepted file has no NUL byte and
 * no line longer than IOMEM_LINE_MAX. Then libnvdimm regions derived from the
 * input are added, and the same checks hold again.
 */
#include <errno.h>
#include <inttypes.h>

#include "fuzz.h"
#include "iomem.h"

static long find_linear(const struct iomem *io, uint64_t a)
{
	size_t i;

	for (i = 0; i < io->nr; i++)
		if (a >= io->ranges[i].start && a <= io->ranges[i].end)
			return (long)i;
	return -1;
}

static bool in_kmem(const struct iomem *io, uint64_t a)
{
	size_t i;

	for (i = 0; i < io->nr_kmem; i++)
		if (a >= io->kmem[i].start && a <= io->kmem[i].end)
			return true;
	return false;
}

static void check_find(const struct iomem *io, uint64_t a)
{
	CHECK(iomem_find(io, a) == find_linear(io, a));
}

static void check_ranges(const struct iomem *io)
{
	size_t i;

	for (i = 0; i < io->nr; i++) {
		const struct pmem_range *r = &io->ranges[i];

		CHECK(r->start <= r->end);
		CHECK(r->kind <= PMEM_KIND_LAST);
		CHECK(pmem_kind_name(r->kind)[0] && pmem_kind_label(r->kind)[0]);
		CHECK(pmem_range_backend(r)[0]);
		CHECK(r->source && (r->source & ~(unsigned)(PMEM_SRC_IOMEM | PMEM_SRC_SYSFS)) == 0);
		CHECK(r->sync >= -1 && r->sync <= 1);
		CHECK((r->kind == PMEM_KIND_CXL) == (r->window[0] != '\0'));
		CHECK(memchr(r->window, '\0', sizeof(r->window)) &&
		      memchr(r->region, '\0', sizeof(r->region)));
		if (r->kmem)
			CHECK(in_kmem(io, r->start) && in_kmem(io, r->end));
		if (io->hidden)
			CHECK(r->start == 0 && r->end == 0);
		if (i) {
			const struct pmem_range *prev = r - 1;

			CHECK(prev->end < r->start); /* sorted, no overlap */
			CHECK(prev->end + 1 != r->start || !pmem_range_mergeable(prev, r));
		}
		check_find(io, r->start);
		check_find(io, r->end);
		check_find(io, r->start - 1);
		check_find(io, r->end + 1);
		check_find(io, r->start + (r->end - r->start) / 2);
	}
}

/* An accepted file is all well-formed lines: read each PMem one again, independently. */
static void check_coverage(const struct iomem *io, const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t start, end;
		int n = 0;
		long r;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 "%n", &start, &end, &n) != 2 ||
		    strncmp(line + n, " : ", 3) != 0)
			continue; /* a blank line */
		if (strcmp(line + n + 3, "Persistent Memory") != 0 &&
		    strcmp(line + n + 3, "Persistent Memory (legacy)") != 0)
			continue;
		r = iomem_find(io, start);
		CHECK(r >= 0);
		/* the line is covered by ranges that follow each other */
		while (io->ranges[r].end < end) {
			CHECK((size_t)r + 1 < io->nr);
			CHECK(io->ranges[r + 1].start == io->ranges[r].end + 1);
			r++;
		}
	}
	free(text);
}

/* No accepted line is longer than the parser's buffer. */
static void check_lines(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *nl;

	for (; data < end; data = nl + 1) {
		nl = memchr(data, '\n', (size_t)(end - data));
		if (!nl)
			nl = end;
		CHECK((size_t)(nl - data) <= IOMEM_LINE_MAX);
	}
}

/*
 * Regions as sysfs would give them, from the input's first bytes: each 17
 * bytes are a start (8), a size (8) and a provider choice (1). Those that
 * overlap a range annotate it; the others become ranges of their own.
 */
static void add_regions(struct iomem *io, const uint8_t *data, size_t size)
{
	static const char *const prov[] = {"ACPI.NFIT",	  "e820",     "CXL",
					   "virtio-pmem", "papr_scm", ""};
	struct nd_region_info reg[4];
	size_t i, nr = 0;

	memset(reg, 0, sizeof(reg));
	for (i = 0; i + 17 <= size && nr < 4; i += 17) {
		struct nd_region_info *g = &reg[nr];
		uint64_t start, len;

		memcpy(&start, data + i, 8);
		memcpy(&len, data + i + 8, 8);
		start &= ~0xfffULL;
		len = (len & 0xffffffffULL) + 1;
		if (start + (len - 1) < start)
			continue;
		snprintf(g->name, sizeof(g->name), "region%zu", nr);
		snprintf(g->provider, sizeof(g->provider), "%s", prov[data[i + 16] % 6]);
		g->sync = pmem_provider_sync(g->provider);
		g->have_range = data[i + 16] % 7 != 6;
		g->start = start;
		g->end = start + (len - 1);
		nr++;
	}
	CHECK(iomem_add_regions(io, reg, nr) == 0);
	for (i = 0; i < nr; i++) {
		long r;

		if (!reg[i].have_range || io->hidden)
			continue;
		r = iomem_find(io, reg[i].start);
		CHECK(r >= 0); /* every readable region is now PMem */
		CHECK(io->ranges[r].source & PMEM_SRC_SYSFS || io->ranges[r].nd_region[0]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iomem_error err;
	struct iomem io;
	FILE *f = fuzz_stream(data, size);
	int rc;

	if (!f)
		return 0;
	rc = iomem_parse(f, &io, &err);
	fclose(f);
	if (rc) {
		CHECK(rc == -EINVAL || rc == -ENOMEM || rc == -EIO);
		CHECK(rc != -EINVAL || err.why[0]);
		CHECK(!io.ranges && !io.nr);
		return 0;
	}
	CHECK(io.entries > 0 && !err.why[0]);
	CHECK(!memchr(data, '\0', size)); /* what strlen() sees is what the file says */
	check_lines(data, size);
	check_ranges(&io);
	check_coverage(&io, data, size);
	add_regions(&io, data, size);
	check_ranges(&io);
	check_coverage(&io, data, size);
	iomem_free(&io);
	return 0;
}
