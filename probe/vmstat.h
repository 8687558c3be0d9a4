/* SPDX-License-Identifier: MIT */
/* One counter of /proc/vmstat ("NAME VALUE" lines). */
#ifndef PMEMPROBE_VMSTAT_H
#define PMEMPROBE_VMSTAT_H

#include <stdint.h>

/*
 * If @line is "@name VALUE" (one space, decimal, optional '\n'), 1 with
 * *@v set; else 0. The fuzz harness's entry.
 */
int vmstat_line(const char *line, const char *name, uint64_t *v);

/* The counter @name in @path: 0, -ENOENT when no line names it, or -errno. */
int vmstat_read(const char *path, const char *name, uint64_t *v);

#endif
