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

int iomem_parse(FILE *f, struct iomem *io, struct iomem_error *err)
{
	char line[IOMEM_LINE_MAX + 1];
	unsigned int lineno = 0;
	bool all_zero = true;
	size_t cap = 0;
	int got = 0, rc = 0;

	memset(io, 0, sizeof(*io));
	memset(err, 0, sizeof(*err));
	while (!rc && (got = read_line(f, line, sizeof(line))) > 0) {
		uint64_t start, end;
		const char *name;
		int k;

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
		for (k = PMEM_KIND_LEGACY; k <= PMEM_KIND_NFIT && !rc; k++)
			if (strcmp(name, kind_label[k]) == 0)
				rc = add_range(io, &cap, start, end, k);
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
	if (rc) {
		iomem_free(io);
		return rc;
	}
	io->hidden = all_zero;
	merge_ranges(io);
	return 0;
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
