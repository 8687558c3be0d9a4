// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "classify.h"
#include "target.h"

const char *target_kind_name(enum target_kind kind)
{
	return kind == TARGET_DEVDAX ? "devdax" : kind == TARGET_ANON ? "anon" : "file";
}

static int fail(struct target *t, const char *op, const char *why, int rc)
{
	t->op = op;
	t->why = why;
	return rc;
}

/* Read one unsigned decimal or 0x-hex number from a sysfs attribute. */
static int read_sysfs_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

/* Device DAX: /sys/dev/char/M:m/subsystem points at the "dax" bus or class. */
static bool is_devdax(const char *sysfs, dev_t rdev)
{
	char link[4096], dest[256];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/dev/char/%u:%u/subsystem", sysfs, major(rdev),
		 minor(rdev));
	n = readlink(link, dest, sizeof(dest) - 1);
	if (n <= 0)
		return false;
	dest[n] = '\0';
	return strcmp(basename(dest), "dax") == 0;
}

static int devdax_geometry(struct target *t)
{
	const char *attrs[] = {"size", "device/size"};
	unsigned int maj = major(t->st.st_rdev), min = minor(t->st.st_rdev);
	char path[4096];
	uint64_t align;
	size_t i;
	int rc = -ENOENT;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]) && rc; i++) {
		snprintf(path, sizeof(path), "%s/dev/char/%u:%u/%s", t->sysfs, maj, min, attrs[i]);
		rc = read_sysfs_u64(path, &t->dev_size);
	}
	if (rc)
		return fail(t, "read device-DAX size from /sys/dev/char", NULL, rc);
	snprintf(path, sizeof(path), "%s/dev/char/%u:%u/align", t->sysfs, maj, min);
	if (read_sysfs_u64(path, &align) == 0 && align > t->align)
		t->align = align;
	return 0;
}

static const char *pseudo_fs(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs))
		return NULL;
	switch ((unsigned long)sfs.f_type) {
	case PROC_SUPER_MAGIC:
		return "is on procfs; pseudo-filesystem files cannot be probed";
	case SYSFS_MAGIC:
		return "is on sysfs; pseudo-filesystem files cannot be probed";
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case BPF_FS_MAGIC:
	case EFIVARFS_MAGIC:
		return "is on a kernel pseudo-filesystem; it cannot be probed";
	}
	return NULL;
}

static const char *check_type(const char *sysfs, const struct stat *st)
{
	static const char *const what =
		"is not a regular file or a device-DAX character device (/dev/daxX.Y)";

	if (S_ISREG(st->st_mode))
		return NULL;
	if (S_ISDIR(st->st_mode))
		return "is a directory; give a file inside it";
	if (S_ISCHR(st->st_mode))
		return is_devdax(sysfs, st->st_rdev) ? NULL
						     : "is a character device but not device DAX";
	if (S_ISBLK(st->st_mode))
		return "is a block device; probe a file on a DAX filesystem on it instead";
	return what; /* FIFO, socket */
}

int target_open(const char *path, const char *sysfs, struct target *t)
{
	const char *why;
	struct stat st;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->align = HUGE_2M;
	t->sysfs = sysfs;
	/* Look before opening: opening a FIFO or an arbitrary device has side effects. */
	if (stat(path, &t->st))
		return fail(t, "stat", NULL, -errno);
	why = check_type(sysfs, &t->st);
	if (why)
		return fail(t, "probe", why, -EINVAL);
	why = S_ISREG(t->st.st_mode) ? pseudo_fs(path) : NULL;
	if (why)
		return fail(t, "probe", why, -EINVAL);

	t->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		int rc = -errno;

		snprintf(t->buf, sizeof(t->buf),
			 "%s (pmemprobe needs write access: every page takes a write fault)",
			 strerror(-rc));
		return fail(t, "open read-write", t->buf, rc);
	}
	if (fstat(t->fd, &st))
		return fail(t, "fstat", NULL, -errno);
	if (st.st_dev != t->st.st_dev || st.st_ino != t->st.st_ino)
		return fail(t, "open", "the path changed while it was opened", -ESTALE);
	t->st = st;

	if (S_ISCHR(st.st_mode)) {
		t->kind = TARGET_DEVDAX;
		return devdax_geometry(t);
	}
	t->kind = TARGET_FILE;
	t->dev_size = (uint64_t)st.st_size;
	return 0;
}

int target_map_size(struct target *t, bool given, uint64_t want, uint64_t *size)
{
	const char *what = t->kind == TARGET_FILE ? "file" : "device";

	if (!given && t->dev_size == 0)
		return fail(t, "map",
			    "the file is empty: nothing to map (pmemprobe never extends a file; "
			    "--create --size makes a new one)",
			    -EINVAL);
	if (given && want > t->dev_size) {
		snprintf(t->buf, sizeof(t->buf),
			 "--size %" PRIu64 " exceeds the %s size %" PRIu64
			 " (pmemprobe never extends a file)",
			 want, what, t->dev_size);
		return fail(t, "map", t->buf, -EINVAL);
	}
	*size = given ? want : t->dev_size;
	if (t->kind == TARGET_DEVDAX && *size % t->align) {
		snprintf(t->buf, sizeof(t->buf),
			 "size %" PRIu64 " is not a multiple of the device-DAX alignment %" PRIu64,
			 *size, t->align);
		return fail(t, "map", t->buf, -EINVAL);
	}
	return 0;
}

void target_close(struct target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
