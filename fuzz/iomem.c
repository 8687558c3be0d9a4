// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the /proc/iomem parser. Whatever it accepts must come
 * out sorted, disjoint and merged; iomem_find() must agree with a linear
 * search; every PMem line of an accepted file must lie inside one range; an
 * accepted file has no NUL byte and no line longer than IOMEM_LINE_MAX.
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
		CHECK(r->kind == PMEM_KIND_LEGACY || r->kind == PMEM_KIND_NFIT);
		CHECK(pmem_kind_name(r->kind)[0] && pmem_kind_label(r->kind)[0]);
		if (io->hidden)
			CHECK(r->start == 0 && r->end == 0);
		if (i) {
			const struct pmem_range *prev = r - 1;

			CHECK(prev->end < r->start); /* sorted, no overlap */
			CHECK(prev->end + 1 != r->start || prev->kind != r->kind);
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
		CHECK(io->ranges[r].end >= end);
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
	iomem_free(&io);
	return 0;
}
