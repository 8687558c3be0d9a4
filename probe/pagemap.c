// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "pagemap.h"

int pagemap_open(const char *proc, pid_t pid)
{
	char path[4096];
	int fd, n;

	if (pid)
		n = snprintf(path, sizeof(path), "%s/%d/pagemap", proc, (int)pid);
	else
		n = snprintf(path, sizeof(path), "%s/self/pagemap", proc);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Read exactly @n entries for pages starting at virtual page @vpage. */
static int read_entries(int fd, uint64_t vpage, uint64_t *buf, size_t n)
{
	size_t want = n * sizeof(*buf), got = 0;

	while (got < want) {
		ssize_t r = pread(fd, (char *)buf + got, want - got,
				  (off_t)(vpage * sizeof(*buf) + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		got += (size_t)r;
	}
	return 0;
}

int pagemap_classify(int fd, uint64_t vaddr, uint64_t pages, struct classifier *c)
{
	uint64_t buf[PAGEMAP_CHUNK];
	uint64_t done = 0;

	while (done < pages) {
		size_t n = pages - done < PAGEMAP_CHUNK ? (size_t)(pages - done) : PAGEMAP_CHUNK;
		uint64_t va = vaddr + done * c->page_size;
		int rc = read_entries(fd, va / c->page_size, buf, n);

		if (rc)
			return rc;
		rc = classify_entries(c, va, buf, n);
		if (rc)
			return rc;
		done += n;
	}
	return 0;
}
