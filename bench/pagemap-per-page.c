// SPDX-License-Identifier: MIT
/*
 * Baseline for `make bench`: the classic way to find where a file's pages
 * live. Map FILE shared, write-fault every page, then for every page open
 * /proc/self/pagemap, pread its 8-byte entry, close, and check the PFN against
 * the Persistent Memory ranges of /proc/iomem. Prints one JSON object; only
 * the per-page loop is timed (classify_ms), like pmemprobe's timing.classify_ms.
 *
 * usage: pagemap-per-page FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_RANGES 64

struct range {
	uint64_t start, end;
};

static int load_ranges(struct range *r)
{
	char line[256];
	int n = 0;
	FILE *f = fopen("/proc/iomem", "re");

	if (!f)
		return -errno;
	while (n < MAX_RANGES && fgets(line, sizeof(line), f)) {
		uint64_t s, e;
		char name[128];

		if (sscanf(line, " %" SCNx64 "-%" SCNx64 " : %127[^\n]", &s, &e, name) == 3 &&
		    strncmp(name, "Persistent Memory", 17) == 0)
			r[n++] = (struct range){s, e};
	}
	fclose(f);
	return n;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int entry(uint64_t vaddr, long psize, uint64_t *e)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, e, 8, (off_t)(vaddr / (uint64_t)psize * 8));
	close(fd);
	return n == 8 ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct range ranges[MAX_RANGES];
	uint64_t i, pages, present = 0, pmem = 0;
	long psize = sysconf(_SC_PAGESIZE);
	volatile uint8_t *p;
	struct stat st;
	double t0, ms;
	int fd, nr;

	if (argc != 2) {
		fprintf(stderr, "usage: pagemap-per-page FILE\n");
		return 2;
	}
	nr = load_ranges(ranges);
	fd = open(argv[1], O_RDWR);
	if (nr < 0 || fd < 0 || fstat(fd, &st) || st.st_size == 0) {
		fprintf(stderr, "pagemap-per-page: open %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "pagemap-per-page: mmap %s: %s\n", argv[1], strerror(errno));
		return 3;
	}
	pages = ((uint64_t)st.st_size + (uint64_t)psize - 1) / (uint64_t)psize;
	for (i = 0; i < pages; i++)
		p[i * (uint64_t)psize] = p[i * (uint64_t)psize];

	t0 = now_ms();
	for (i = 0; i < pages; i++) {
		uint64_t e, paddr;
		int r;

		if (entry((uint64_t)(uintptr_t)p + i * (uint64_t)psize, psize, &e)) {
			fprintf(stderr, "pagemap-per-page: read /proc/self/pagemap failed\n");
			return 3;
		}
		if (!(e >> 63))
			continue;
		present++;
		paddr = (e & ((1ULL << 55) - 1)) * (uint64_t)psize;
		for (r = 0; r < nr; r++)
			if (paddr >= ranges[r].start && paddr <= ranges[r].end)
				pmem++;
	}
	ms = now_ms() - t0;
	printf("{\"pages\":%" PRIu64 ",\"present\":%" PRIu64 ",\"pmem_pages\":%" PRIu64
	       ",\"classify_ms\":%.3f}\n",
	       pages, present, pmem, ms);
	munmap((void *)p, (size_t)st.st_size);
	close(fd);
	return 0;
}
