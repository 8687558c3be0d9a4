/* SPDX-License-Identifier: MIT */
/* The mount holding a file (from /proc/self/mountinfo) and its block device's queue/dax. */
#ifndef PMEMPROBE_MOUNTINFO_H
#define PMEMPROBE_MOUNTINFO_H

#include <stdio.h>
#include <sys/types.h>

struct mount_info {
	char *mount_point;
	char *fstype;
	char *source;
	char *mount_options; /* per-mount options (field 6) */
	char *super_options; /* superblock options (last field): dax=always lives here */
};

/*
 * Find the mount of @path whose device is @dev (the file's st_dev), the
 * longest mount point prefix of @path's real path winning among several;
 * without a device match (btrfs subvolumes), the longest prefix alone.
 * Returns 0, -ENOENT, or -errno.
 */
int mount_find(const char *mountinfo, const char *path, dev_t dev, struct mount_info *m);

/* The same on an open mountinfo stream, for the real path @real (the fuzz harness's entry). */
int mount_find_in(FILE *f, const char *real, dev_t dev, struct mount_info *m);
void mount_free(struct mount_info *m);

/* /sys/dev/block/M:m/queue/dax (or the parent disk's for a partition): 1, 0, -1 unknown. */
int queue_dax(dev_t dev);

#endif
