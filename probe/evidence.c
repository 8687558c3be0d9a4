// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <libpmem.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "evidence.h"
#include "map.h"

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

const char *tri_name(enum tri v)
{
	return v == TRI_YES ? "yes" : v == TRI_NO ? "no" : "unknown";
}

void evidence_init(struct evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->statx_dax = TRI_UNKNOWN;
	ev->map_sync = TRI_UNKNOWN;
	ev->libpmem_is_pmem = TRI_UNKNOWN;
	ev->queue_dax = TRI_UNKNOWN;
}

void evidence_free(struct evidence *ev)
{
	if (ev->have_mount)
		mount_free(&ev->mnt);
	ev->have_mount = false;
}

void evidence_statx(const struct target *t, struct evidence *ev)
{
	struct statx stx;

	if (statx(t->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		return;
	if (stx.stx_attributes_mask & STATX_ATTR_DAX)
		ev->statx_dax = (stx.stx_attributes & STATX_ATTR_DAX) ? TRI_YES : TRI_NO;
}

/* A separate mapping, never touched: does the kernel accept MAP_SYNC here? */
void evidence_map_sync(const struct target *t, uint64_t size, struct evidence *ev)
{
	void *p;
	int rc = map_aligned(t->fd, size, t->align, MAP_SYNC, &p);

	if (rc == 0) {
		munmap(p, size);
		ev->map_sync = TRI_YES;
		return;
	}
	ev->map_sync = TRI_NO;
	ev->map_sync_errno = -rc;
}

/*
 * libpmem's own opinion: with len 0 and flags 0 pmem_map_file() maps the
 * whole existing file or device and neither creates, extends nor writes it.
 */
void evidence_libpmem(const char *path, struct evidence *ev)
{
	size_t len = 0;
	int is_pmem = 0;
	void *p = pmem_map_file(path, 0, 0, 0, &len, &is_pmem);

	if (!p) {
		snprintf(ev->libpmem_error, sizeof(ev->libpmem_error), "%s", pmem_errormsg());
		return;
	}
	ev->libpmem_is_pmem = is_pmem ? TRI_YES : TRI_NO;
	pmem_unmap(p, len);
}

void evidence_mount(const char *path, const struct target *t, struct evidence *ev)
{
	dev_t dev = t->kind == TARGET_DEVDAX ? t->st.st_rdev : t->st.st_dev;

	ev->dev_major = major(dev);
	ev->dev_minor = minor(dev);
	if (t->kind == TARGET_DEVDAX)
		return; /* a device, not a file on a filesystem */
	ev->have_mount = mount_find("/proc/self/mountinfo", path, dev, &ev->mnt) == 0;
	ev->queue_dax = (enum tri)queue_dax(dev);
}
