/* SPDX-License-Identifier: MIT */
/* Persistent Memory ranges from /proc/iomem (or a crafted file of the same format). */
#ifndef PMEMPROBE_IOMEM_H
#define PMEMPROBE_IOMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/*
 * Read @path. Returns 0 or -errno; -EINVAL for a malformed line, whose number
 * is stored in *@bad_line.
 */
int iomem_load(const char *path, struct iomem *io, unsigned int *bad_line);
void iomem_free(struct iomem *io);

/* The range holding physical address @paddr, or -1. */
long iomem_find(const struct iomem *io, uint64_t paddr);

const char *pmem_kind_name(enum pmem_kind kind);
const char *pmem_kind_label(enum pmem_kind kind); /* the iomem name */

#endif
