// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iomem.h"

static const char *const kind_label[] = {
	[PMEM_KIND_LEGACY] = "Persistent Memory (legacy)",
	[PMEM_KIND_NFIT] = "Persistent Memory",
	[PMEM_KIND_CXL] = "Persistent Memory",
	[PMEM_KIND_ND_REGION] = "libnvdimm region",
};

static const char *const kind_name[] = {
	[PMEM_KIND_LEGACY] = "legacy",
	[PMEM_KIND_NFIT] = "nfit",
	[PMEM_KIND_CXL] = "cxl",
	[PMEM_KIND_ND_REGION] = "nd-region",
};

const char *pmem_kind_name(enum pmem_kind kind)
{
	return kind_name[kind];
}

const char *pmem_kind_label(enum pmem_kind kind)
{
	return kind_label[kind];
}

/*
 * ndbus provider names: drivers/acpi/nfit/core.c "ACPI.NFIT",
 * drivers/nvdimm/e820.c "e820", drivers/cxl/pmem.c "CXL",
 * drivers/nvdimm/virtio_pmem.c "virtio-pmem" (the only one that always
 * sets ND_REGION_ASYNC). Others (papr_scm, of_pmem, ...) pass through.
 */
static const struct {
	const char *provider, *backend;
	int sync;
} providers[] = {
	{"ACPI.NFIT", "nfit", 1},
	{"e820", "e820", 1},
	{"CXL", "cxl", 1},
	{"virtio-pmem", "virtio-pmem", 0},
};

int pmem_provider_sync(const char *provider)
{
	size_t i;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(provider, providers[i].provider) == 0)
			return providers[i].sync;
	return -1;
}

const char *pmem_range_backend(const struct pmem_range *r)
{
	size_t i;

	if (r->provider[0]) {
		for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
			if (strcmp(r->provider, providers[i].provider) == 0)
				return providers[i].backend;
		return r->provider;
	}
	switch (r->kind) {
	case PMEM_KIND_LEGACY:
		return "e820";
	case PMEM_KIND_NFIT:
		return "nfit";
	case PMEM_KIND_CXL:
		return "cxl";
	default:
		return "unknown";
	}
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

/* "<indent>start-end : name" (newline already stripped) -> 0, or -EINVAL. */
static int parse_line(const char *line, uint64_t *start, uint64_t *end, const char **name)
{
	const char *s = line;

	while (*s == ' ')
		s++;
	if (parse_hex(&s, start) || *s++ != '-' || parse_hex(&s, end))
		return -EINVAL;
	if (strncmp(s, " : ", 3) != 0 || *end < *start)
		return -EINVAL;
	*name = s + 3;
	return 0;
}

/*
 * One line of @f into @buf (@cap bytes), without its newline. Returns 1 for
 * a line, 0 at the end, -E2BIG for a line that does not fit, -EILSEQ for a
 * line with a NUL byte (strlen() would see a different line than the file
 * has), -EIO for a read error. Bounded: a file without newlines (a wrong
 * --iomem) cannot make it allocate.
 */
static int read_line(FILE *f, char *buf, size_t cap)
{
	bool nul = false;
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF && c != '\n') {
		if (n + 1 >= cap)
			return -E2BIG;
		nul |= c == '\0';
		buf[n++] = (char)c;
	}
	if (c == EOF && ferror(f))
		return -EIO;
	if (c == EOF && n == 0)
		return 0;
	buf[n] = '\0';
	return nul ? -EILSEQ : 1;
}

static int bad(struct iomem_error *err, unsigned int line, const char *what)
{
	err->line = line;
	snprintf(err->why, sizeof(err->why), "line %u %s", line, what);
	return -EINVAL;
}

static int grow(void **v, size_t *cap, size_t nr, size_t elem)
{
	size_t ncap;
	void *n;

	if (nr < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	n = realloc(*v, ncap * elem);
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = ncap;
	return 0;
}

static int add_range(struct iomem *io, size_t *cap, const struct pmem_range *r)
{
	if (grow((void **)&io->ranges, cap, io->nr, sizeof(*r)))
		return -ENOMEM;
	io->ranges[io->nr++] = *r;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct pmem_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : (x->end > y->end ? -1 : 0); /* outer first */
}

static int cmp_kmem(const void *a, const void *b)
{
	const struct kmem_range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? 1 : (x->end > y->end ? -1 : 0);
}

bool pmem_range_mergeable(const struct pmem_range *a, const struct pmem_range *b)
{
	return a->kind == b->kind && a->kmem == b->kmem && !strcmp(a->window, b->window) &&
	       !strcmp(a->region, b->region) && !strcmp(a->nd_region, b->nd_region);
}

/*
 * Sort, then merge duplicates and nested or overlapping entries (the outer,
 * earlier one keeps its attributes) and adjacent entries that differ in
 * nothing but their addresses.
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

		if (overlap || (adjacent && pmem_range_mergeable(cur, r))) {
			if (r->end > cur->end)
				cur->end = r->end;
			cur->source |= r->source;
			continue;
		}
		io->ranges[++n] = *r;
	}
	io->nr = n + 1;
}

static void merge_kmem(struct iomem *io)
{
	size_t i, n = 0;

	if (!io->nr_kmem)
		return;
	qsort(io->kmem, io->nr_kmem, sizeof(*io->kmem), cmp_kmem);
	for (i = 1; i < io->nr_kmem; i++) {
		struct kmem_range *cur = &io->kmem[n], *r = &io->kmem[i];

		if (r->start <= cur->end || (cur->end != UINT64_MAX && r->start == cur->end + 1)) {
			if (r->end > cur->end)
				cur->end = r->end;
			continue;
		}
		io->kmem[++n] = *r;
	}
	io->nr_kmem = n + 1;
}

/*
 * Cut every PMem range where a "System RAM (kmem)" range begins or ends, so
 * that each piece is wholly kmem or not (a page's range says which).
 * Idempotent. 0 or -ENOMEM.
 */
static int split_kmem(struct iomem *io)
{
	struct pmem_range *out = NULL;
	size_t i, k = 0, nr = 0, cap = 0;

	if (!io->nr_kmem || !io->nr)
		return 0;
	for (i = 0; i < io->nr; i++) {
		struct pmem_range r = io->ranges[i], piece;
		uint64_t cur = r.start;
		bool done = false;

		while (k > 0 && io->kmem[k - 1].end >= r.start)
			k--; /* ranges are disjoint, but kmem ones may span several */
		for (; k < io->nr_kmem && !done; k++) {
			const struct kmem_range *km = &io->kmem[k];
			uint64_t lo, hi;

			if (km->end < cur)
				continue;
			if (km->start > r.end)
				break;
			lo = km->start > cur ? km->start : cur;
			hi = km->end < r.end ? km->end : r.end;
			if (lo > cur) {
				piece = r;
				piece.start = cur;
				piece.end = lo - 1;
				if (grow((void **)&out, &cap, nr, sizeof(*out)))
					goto nomem;
				out[nr++] = piece;
			}
			piece = r;
			piece.start = lo;
			piece.end = hi;
			piece.kmem = true;
			if (grow((void **)&out, &cap, nr, sizeof(*out)))
				goto nomem;
			out[nr++] = piece;
			done = hi == r.end;
			cur = hi + 1;
		}
		if (!done) {
			piece = r;
			piece.start = cur;
			if (grow((void **)&out, &cap, nr, sizeof(*out)))
				goto nomem;
			out[nr++] = piece;
		}
	}
	free(io->ranges);
	io->ranges = out;
	io->nr = nr;
	return 0;
nomem:
	free(out);
	return -ENOMEM;
}

/* Names the parser remembers for each nesting depth (2 spaces per level). */
#define DEPTH_MAX 16

struct parse_state {
	char name[DEPTH_MAX][PMEM_NAME_MAX];
	long range[DEPTH_MAX]; /* the PMem range a line at this depth added, or -1 */
};

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, PMEM_NAME_MAX, "%s", src);
}

static bool is_region_name(const char *name)
{
	return strncmp(name, "region", 6) == 0 && name[6] >= '0' && name[6] <= '9' &&
	       name[6 + strspn(name + 6, "0123456789")] == '\0';
}

/* One well-formed line at @depth: remember it, and record PMem and kmem ranges. */
static int take_line(struct iomem *io, size_t *cap, size_t *kcap, struct parse_state *ps,
		     unsigned int depth, uint64_t start, uint64_t end, const char *name)
{
	unsigned int d;
	int k;

	copy_name(ps->name[depth], name);
	ps->range[depth] = -1;
	for (d = depth + 1; d < DEPTH_MAX; d++) {
		ps->name[d][0] = '\0';
		ps->range[d] = -1;
	}
	for (k = PMEM_KIND_LEGACY; k <= PMEM_KIND_NFIT; k++) {
		struct pmem_range r = {.start = start, .end = end, .kind = (enum pmem_kind)k};

		if (strcmp(name, kind_label[k]) != 0)
			continue;
		r.source = PMEM_SRC_IOMEM;
		r.sync = 1; /* only virtio-pmem and papr_scm regions are async; neither names iomem
			     */
		for (d = 0; k == PMEM_KIND_NFIT && d < depth; d++)
			if (strncmp(ps->name[d], "CXL Window ", 11) == 0)
				copy_name(r.window, ps->name[d]);
		if (k == PMEM_KIND_NFIT && r.window[0])
			r.kind = PMEM_KIND_CXL;
		ps->range[depth] = (long)io->nr;
		return add_range(io, cap, &r);
	}
	if (depth > 0 && ps->range[depth - 1] >= 0 && is_region_name(name)) {
		struct pmem_range *parent = &io->ranges[ps->range[depth - 1]];

		if (!parent->region[0])
			copy_name(parent->region, name);
	}
	if (strcmp(name, "System RAM (kmem)") == 0) {
		if (grow((void **)&io->kmem, kcap, io->nr_kmem, sizeof(*io->kmem)))
			return -ENOMEM;
		io->kmem[io->nr_kmem++] = (struct kmem_range){start, end};
	}
	return 0;
}

int iomem_parse(FILE *f, struct iomem *io, struct iomem_error *err)
{
	char line[IOMEM_LINE_MAX + 1];
	struct parse_state ps;
	unsigned int lineno = 0;
	bool all_zero = true;
	size_t cap = 0, kcap = 0;
	int got = 0, rc = 0;

	memset(io, 0, sizeof(*io));
	memset(err, 0, sizeof(*err));
	memset(&ps, 0, sizeof(ps));
	for (size_t d = 0; d < DEPTH_MAX; d++)
		ps.range[d] = -1; /* no PMem line at any depth yet */
	while (!rc && (got = read_line(f, line, sizeof(line))) > 0) {
		uint64_t start, end;
		const char *name;
		size_t depth;

		lineno++;
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if (parse_line(line, &start, &end, &name)) {
			rc = bad(err, lineno, "is not \"start-end : name\" (hex addresses)");
			break;
		}
		io->entries++;
		if (start || end)
			all_zero = false;
		depth = strspn(line, " ") / 2;
		rc = take_line(io, &cap, &kcap, &ps,
			       depth < DEPTH_MAX ? (unsigned int)depth : DEPTH_MAX - 1, start, end,
			       name);
	}
	if (!rc && got == -E2BIG)
		rc = bad(err, lineno + 1, "is longer than " IOMEM_LINE_MAX_STR " bytes");
	else if (!rc && got == -EILSEQ)
		rc = bad(err, lineno + 1, "contains a NUL byte");
	else if (!rc && got < 0)
		rc = got;
	else if (!rc && io->entries == 0) {
		snprintf(err->why, sizeof(err->why),
			 "has no entries: not an iomem file (/proc/iomem lists System RAM at "
			 "least)");
		rc = -EINVAL;
	}
	if (!rc) {
		io->hidden = all_zero;
		merge_ranges(io);
		merge_kmem(io);
		rc = split_kmem(io);
	}
	if (rc)
		iomem_free(io);
	return rc;
}

static bool overlaps(const struct pmem_range *r, uint64_t start, uint64_t end)
{
	return r->start <= end && start <= r->end;
}

int iomem_add_regions(struct iomem *io, const struct nd_region_info *reg, size_t nr)
{
	size_t i, j, cap = io->nr, before = io->nr;

	if (io->hidden)
		return 0; /* no placement without addresses; a crafted mix is not trusted */
	for (i = 0; i < nr; i++) {
		const struct nd_region_info *g = &reg[i];
		struct pmem_range r = {.kind = PMEM_KIND_ND_REGION};
		bool seen = false;

		if (!g->have_range)
			continue;
		for (j = 0; j < before; j++) {
			struct pmem_range *x = &io->ranges[j];

			if (!overlaps(x, g->start, g->end))
				continue;
			seen = true;
			x->source |= PMEM_SRC_SYSFS;
			copy_name(x->nd_region, g->name);
			copy_name(x->provider, g->provider);
			x->sync = g->sync;
		}
		if (seen)
			continue;
		r.start = g->start;
		r.end = g->end;
		r.source = PMEM_SRC_SYSFS;
		r.sync = g->sync;
		copy_name(r.nd_region, g->name);
		copy_name(r.provider, g->provider);
		if (add_range(io, &cap, &r))
			return -ENOMEM;
	}
	if (io->nr == before)
		return 0;
	merge_ranges(io);
	return split_kmem(io);
}

static const char *type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

int iomem_load(const char *path, struct iomem *io, struct iomem_error *err)
{
	struct stat before, st;
	FILE *f;
	int fd, rc;

	memset(io, 0, sizeof(*io));
	memset(err, 0, sizeof(*err));
	/* Look before opening: opening a FIFO blocks, opening a device has side effects. */
	if (stat(path, &before))
		return -errno;
	if (!S_ISREG(before.st_mode)) {
		snprintf(err->why, sizeof(err->why),
			 "is %s; the ranges file must be a regular file such as /proc/iomem",
			 type_name(before.st_mode));
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
		close(fd);
		snprintf(err->why, sizeof(err->why), "the path changed while it was opened");
		return -ESTALE;
	}
	f = fdopen(fd, "r");
	if (!f) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = iomem_parse(f, io, err);
	fclose(f);
	return rc;
}

void iomem_free(struct iomem *io)
{
	free(io->ranges);
	io->ranges = NULL;
	io->nr = 0;
	free(io->kmem);
	io->kmem = NULL;
	io->nr_kmem = 0;
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
