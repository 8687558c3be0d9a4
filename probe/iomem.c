// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iomem.h"

static const char *const kind_label[] = {
	[PMEM_KIND_LEGACY] = "Persistent Memory (legacy)",
	[PMEM_KIND_NFIT] = "Persistent Memory",
};

static const char *const kind_name[] = {
	[PMEM_KIND_LEGACY] = "legacy",
	[PMEM_KIND_NFIT] = "nfit",
};

const char *pmem_kind_name(enum pmem_kind kind)
{
	return kind_name[kind];
}

const char *pmem_kind_label(enum pmem_kind kind)
{
	return kind_label[kind];
}

static int parse_hex(const char **s, uint64_t *v)
{
	char *end;

	if (!((**s >= '0' && **s <= '9') || (**s >= 'a' && **s <= 'f') ||
	      (**s >= 'A' && **s <= 'F')))
		return -EINVAL;
	errno = 0;
	*v = strtoull(*s, &end, 16);
	if (errno)
		return -EINVAL;
	*s = end;
	return 0;
}

/* "<indent>start-end : name" -> 0, or -EINVAL. *@name points into @line. */
static int parse_line(char *line, uint64_t *start, uint64_t *end, const char **name)
{
	const char *s = line;
	size_t len = strlen(line);

	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	while (*s == ' ')
		s++;
	if (parse_hex(&s, start) || *s++ != '-' || parse_hex(&s, end))
		return -EINVAL;
	if (strncmp(s, " : ", 3) != 0 || *end < *start)
		return -EINVAL;
	*name = s + 3;
	return 0;
}

static int add_range(struct iomem *io, size_t *cap, uint64_t start, uint64_t end,
		     enum pmem_kind kind)
{
	if (io->nr == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct pmem_range *r = realloc(io->ranges, ncap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		io->ranges = r;
		*cap = ncap;
	}
	io->ranges[io->nr++] = (struct pmem_range){start, end, kind};
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct pmem_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : (x->end > y->end ? -1 : 0); /* outer first */
}

/*
 * Sort, then merge duplicates and nested or overlapping entries (the outer,
 * earlier one keeps its kind) and adjacent entries of the same kind.
 */
static void merge_ranges(struct iomem *io)
{
	size_t i, n = 0;

	if (!io->nr)
		return;
	qsort(io->ranges, io->nr, sizeof(*io->ranges), cmp_range);
	for (i = 1; i < io->nr; i++) {
		struct pmem_range *cur = &io->ranges[n], *r = &io->ranges[i];
		bool overlap = r->start <= cur->end;
		bool adjacent = cur->end != UINT64_MAX && r->start == cur->end + 1;

		if (overlap || (adjacent && r->kind == cur->kind)) {
			if (r->end > cur->end)
				cur->end = r->end;
			continue;
		}
		io->ranges[++n] = *r;
	}
	io->nr = n + 1;
}

int iomem_load(const char *path, struct iomem *io, unsigned int *bad_line)
{
	unsigned int lineno = 0;
	bool all_zero = true;
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	int rc = 0;
	FILE *f;

	memset(io, 0, sizeof(*io));
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &linecap, f) > 0) {
		uint64_t start, end;
		const char *name;
		int k;

		lineno++;
		if (line[strspn(line, " \t\n")] == '\0')
			continue;
		if (parse_line(line, &start, &end, &name)) {
			*bad_line = lineno;
			rc = -EINVAL;
			break;
		}
		io->entries++;
		if (start || end)
			all_zero = false;
		for (k = PMEM_KIND_LEGACY; k <= PMEM_KIND_NFIT; k++)
			if (strcmp(name, kind_label[k]) == 0)
				rc = add_range(io, &cap, start, end, k);
		if (rc)
			break;
	}
	if (!rc && ferror(f))
		rc = -EIO;
	free(line);
	fclose(f);
	if (rc) {
		iomem_free(io);
		return rc;
	}
	io->hidden = io->entries && all_zero;
	merge_ranges(io);
	return 0;
}

void iomem_free(struct iomem *io)
{
	free(io->ranges);
	io->ranges = NULL;
	io->nr = 0;
}

long iomem_find(const struct iomem *io, uint64_t paddr)
{
	size_t lo = 0, hi = io->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct pmem_range *r = &io->ranges[mid];

		if (paddr < r->start)
			hi = mid;
		else if (paddr > r->end)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}
