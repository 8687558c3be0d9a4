/* SPDX-License-Identifier: MIT */
/* The PATH under test: checks its type, opens it read-write, finds its size. */
#ifndef PMEMPROBE_TARGET_H
#define PMEMPROBE_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

enum target_kind {
	TARGET_FILE,
	TARGET_DEVDAX,
	TARGET_ANON, /* --anon: no PATH, anonymous memory bound to a node */
};

struct target {
	int fd;
	enum target_kind kind;
	struct stat st;
	uint64_t dev_size; /* bytes: st_size, or the device-DAX size */
	uint64_t align;	   /* mapping alignment: 2 MiB or the device-DAX align */
	const char *sysfs; /* where /sys/dev/char is read */
	/* on failure: the operation and, when errno says too little, why */
	const char *op;
	const char *why;
	char buf[200]; /* storage for a formatted why */
};

/* Returns 0 or -errno; on failure t->op (and maybe t->why) describe it. */
/* Device DAX is recognised by @sysfs/dev/char/MAJ:MIN/subsystem ("/sys"). */
int target_open(const char *path, const char *sysfs, struct target *t);

/*
 * Bytes to map: @want if @given, else the whole file or device. -EINVAL with
 * t->why set when that is impossible (empty file, beyond EOF, misaligned).
 */
int target_map_size(struct target *t, bool given, uint64_t want, uint64_t *size);

void target_close(struct target *t);

const char *target_kind_name(enum target_kind kind);

#endif
