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
	PMEM_KIND_LEGACY,    /* "Persistent Memory (legacy)": e820 type 12, memmap= */
	PMEM_KIND_NFIT,	     /* "Persistent Memory": ACPI NFIT (QEMU nvdimm) */
	PMEM_KIND_CXL,	     /* "Persistent Memory" inside a "CXL Window N" */
	PMEM_KIND_ND_REGION, /* no iomem line: a libnvdimm region in sysfs (virtio-pmem) */
};
#define PMEM_KIND_LAST PMEM_KIND_ND_REGION

/* Where a range was seen (bits). */
#define PMEM_SRC_IOMEM 1
#define PMEM_SRC_SYSFS 2

#define PMEM_NAME_MAX 32

struct pmem_range {
	uint64_t start; /* physical address, first byte */
	uint64_t end;	/* physical address, last byte (inclusive, as iomem prints) */
	enum pmem_kind kind;
	bool kmem;		    /* inside "System RAM (kmem)": PMem onlined as volatile RAM */
	unsigned int source;	    /* PMEM_SRC_* */
	char window[PMEM_NAME_MAX]; /* enclosing "CXL Window N" line, or "" */
	char region[PMEM_NAME_MAX]; /* a "regionN" child line (CXL's region), or "" */
	char nd_region[PMEM_NAME_MAX]; /* the libnvdimm region in sysfs, or "" */
	char provider[PMEM_NAME_MAX];  /* its ndbus provider, or "" */
	int sync; /* 1 synchronous, 0 asynchronous flush (virtio-pmem), -1 unknown */
};

/* A "System RAM (kmem)" line: PMem (or CXL memory) handed to the page allocator. */
struct kmem_range {
	uint64_t start, end;
};

struct iomem {
	struct pmem_range *ranges; /* sorted by start, overlaps merged */
	size_t nr;
	struct kmem_range *kmem; /* sorted, merged; any depth, PMem or not */
	size_t nr_kmem;
	size_t entries; /* lines parsed, any name */
	bool hidden;	/* every address printed as 0: reader lacks CAP_SYS_ADMIN */
};

/* A libnvdimm region as sysfs shows it (ndsysfs.c). */
struct nd_region_info {
	char name[PMEM_NAME_MAX];     /* "regionN" */
	char provider[PMEM_NAME_MAX]; /* ndbus provider, "" if unreadable */
	bool have_range;	      /* resource and size were read */
	uint64_t start, end;
	int sync;	/* from the provider: 0 virtio-pmem, 1 other known providers, -1 unknown */
	char error[96]; /* why have_range is false, or "" */
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

/*
 * Annotate the ranges with the libnvdimm regions: a region overlapping
 * ranges gives them its name, provider and sync; a region overlapping none
 * (virtio-pmem has no "Persistent Memory" line) becomes a range of kind
 * PMEM_KIND_ND_REGION. Nothing when @io is hidden. 0 or -ENOMEM.
 */
int iomem_add_regions(struct iomem *io, const struct nd_region_info *reg, size_t nr);

/* Two neighbouring ranges that parsing would merge into one. */
bool pmem_range_mergeable(const struct pmem_range *a, const struct pmem_range *b);

const char *pmem_kind_name(enum pmem_kind kind);
const char *pmem_kind_label(enum pmem_kind kind); /* the iomem name */
/* "nfit", "e820", "cxl", "virtio-pmem", the provider itself, or "unknown". */
const char *pmem_range_backend(const struct pmem_range *r);
/* 1, 0 or -1 for a provider name: virtio-pmem flushes asynchronously. */
int pmem_provider_sync(const char *provider);

#endif
