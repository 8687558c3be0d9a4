/* SPDX-License-Identifier: MIT */
/* Persistent Memory ranges from /proc/iomem (or a crafted file of the same format). */
#ifndef PMEMPROBE_IOMEM_H
#define PMEMPROBE_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Longest line accepted; real /proc/iomem lines are under 100 bytes. */
#define IOMEM_LINE_MAX	   4096
#define IOMEM_LINE_MAX_STR "4096"

enum pmem_kind {
	PMEM_KIND_LEGACY, /* "Persistent Memory (legacy)": e820 type 12, memmap= */
	PMEM_KIND_NFIT,	  /* "Persistent Memory": ACPI NFIT (QEMU nvdimm), CXL pmem */
};

struct pmem_range {
	uint64_t start; /* physical address, first byte */
	uint64_t end;	/* physical address, last byte (inclusive, as iomem prints) */
	enum pmem_kind kind;
};

struct iomem {
	struct pmem_range *ranges; /* sorted by start, overlaps merged */
	size_t nr;
	size_t entries; /* lines parsed, any name */
	bool hidden;	/* every address printed as 0: reader lacks CAP_SYS_ADMIN */
};

/* Why a load failed, when errno alone does not say it. */
struct iomem_error {
	unsigned int line; /* the offending line (1-based), or 0 */
	char why[160];	   /* a sentence, or "" when strerror() says it all */
};

/*
 * Read @path: a regular file (/proc/iomem is one), never a FIFO, socket,
 * device or directory, which are refused before being opened for I/O.
 * Returns 0 or -errno; -EINVAL with @err->why set for a refused file, a
 * malformed, overlong or NUL-carrying line, or a file without entries.
 */
int iomem_load(const char *path, struct iomem *io, struct iomem_error *err);

/* The parser behind iomem_load(), on an open stream (the fuzz harness's entry). */
int iomem_parse(FILE *f, struct iomem *io, struct iomem_error *err);
void iomem_free(struct iomem *io);

/* The range holding physical address @paddr, or -1. */
long iomem_find(const struct iomem *io, uint64_t paddr);

const char *pmem_kind_name(enum pmem_kind kind);
const char *pmem_kind_label(enum pmem_kind kind); /* the iomem name */

#endif
