// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pattern.h"

#define HUGE_EXTENT (2ULL << 20)
#define HEADER	    32
#define WRITE_CHUNK (256 * PATTERN_BLOCK)

static void pattern_block(uint64_t block, uint8_t *buf)
{
	size_t w;

	memset(buf, 0, HEADER);
	snprintf((char *)buf, HEADER, "pmemlab block %016" PRIx64 "\n", block);
	for (w = HEADER / 8; w < PATTERN_BLOCK / 8; w++) {
		uint64_t v = htole64((block << 20 | w) * 0x9e3779b97f4a7c15ULL);

		memcpy(buf + w * 8, &v, 8);
	}
}

static int write_pattern(int fd, uint64_t size)
{
	uint8_t *buf = malloc(WRITE_CHUNK);
	uint64_t off = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	while (off < size && !rc) {
		size_t len = size - off < WRITE_CHUNK ? (size_t)(size - off) : WRITE_CHUNK;
		size_t i, done = 0;

		for (i = 0; i < len; i += PATTERN_BLOCK)
			pattern_block((off + i) / PATTERN_BLOCK, buf + i);
		while (done < len) {
			ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = n < 0 ? -errno : -EIO;
				break;
			}
			done += (size_t)n;
		}
		off += len;
	}
	free(buf);
	return rc;
}

/* A 2 MiB extent size hint on the new, empty file; 0 where refused (not xfs). */
static uint64_t hint_extsize(int fd, uint64_t size)
{
	struct fsxattr fa;

	if (size < HUGE_EXTENT || ioctl(fd, FS_IOC_FSGETXATTR, &fa))
		return 0;
	fa.fsx_xflags |= FS_XFLAG_EXTSIZE;
	fa.fsx_extsize = HUGE_EXTENT;
	return ioctl(fd, FS_IOC_FSSETXATTR, &fa) ? 0 : HUGE_EXTENT;
}

int pattern_create(const char *path, uint64_t size, const char **op, uint64_t *extsize)
{
	int fd, rc;

	*op = "create (O_CREAT|O_EXCL)";
	*extsize = 0;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	*extsize = hint_extsize(fd, size);
	/* Real blocks, not holes: DAX must not map the zero page. */
	*op = "allocate (posix_fallocate)";
	rc = -posix_fallocate(fd, 0, (off_t)size);
	if (rc == -EOPNOTSUPP || rc == -EINVAL)
		rc = 0; /* writing the pattern allocates the blocks too */
	if (!rc) {
		*op = "write pattern";
		rc = write_pattern(fd, size);
	}
	if (!rc) {
		*op = "fsync";
		rc = fsync(fd) ? -errno : 0;
	}
	if (close(fd) && !rc) {
		*op = "close";
		rc = -errno;
	}
	if (rc)
		unlink(path);
	return rc;
}

bool pattern_check(const uint8_t *p, uint64_t size, uint64_t *bad_off)
{
	uint8_t want[PATTERN_BLOCK];
	uint64_t off;

	for (off = 0; off < size; off += PATTERN_BLOCK) {
		size_t len = size - off < PATTERN_BLOCK ? (size_t)(size - off) : PATTERN_BLOCK;
		size_t i;

		pattern_block(off / PATTERN_BLOCK, want);
		if (memcmp(p + off, want, len) == 0)
			continue;
		for (i = 0; i < len; i++) {
			if (p[off + i] != want[i]) {
				*bad_off = off + i;
				return false;
			}
		}
	}
	return true;
}
