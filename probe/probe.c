// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "anon.h"
#include "map.h"
#include "pagemap.h"
#include "pattern.h"
#include "probe.h"
#include "smaps.h"
#include "target.h"
#include "vmstat.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int failed(struct failure *f, const char *op, const char *path, const char *why, int rc)
{
	f->op = op;
	f->path = path;
	f->why = why;
	return rc;
}

int ranges_load(const char *iomem_path, const char *sysfs, struct iomem *io,
		struct nd_regions *regions, struct failure *f)
{
	struct iomem_error err;
	int rc = iomem_load(iomem_path, io, &err);

	if (rc) {
		snprintf(f->buf, sizeof(f->buf), "%s", err.why);
		return failed(f, err.line ? "parse" : "read", iomem_path,
			      err.why[0] ? f->buf : NULL, rc);
	}
	rc = nd_regions_load(sysfs, regions);
	if (rc)
		return failed(f, "read libnvdimm regions under", sysfs, NULL, rc);
	rc = iomem_add_regions(io, regions->v, regions->nr);
	if (rc)
		return failed(f, "merge libnvdimm regions from", sysfs, NULL, rc);
	return 0;
}

static void gather_evidence(const struct probe_opts *o, const struct target *t, uint64_t size,
			    struct evidence *ev)
{
	evidence_statx(t, ev);
	evidence_mount(o->path, t, ev);
	evidence_map_sync(t, size, ev);
	evidence_libpmem(o->path, ev);
}

/* Touch every page, counting the faults it takes. */
static int touch(struct probe *p, void *addr, enum touch_method method, struct failure *f,
		 const char *path)
{
	struct report *r = &p->r;
	struct rusage before, after;
	uint64_t bad = 0;
	double t0;
	int rc;

	getrusage(RUSAGE_SELF, &before);
	t0 = now_ms();
	rc = map_touch(addr, r->size, r->page_size, method, &r->touch_method,
		       &r->touch_fallback_errno, &bad);
	r->touch_ms = now_ms() - t0;
	getrusage(RUSAGE_SELF, &after);
	if (rc == -EFAULT) {
		snprintf(f->buf, sizeof(f->buf),
			 "SIGBUS at offset %" PRIu64
			 " (no space to allocate a block, the file shrank, or a media error)",
			 bad);
		return failed(f, "write-fault", path, f->buf, rc);
	}
	if (rc)
		return failed(f, "write-fault", path, NULL, rc);
	r->ev.minor_faults = (uint64_t)(after.ru_minflt - before.ru_minflt);
	r->ev.major_faults = (uint64_t)(after.ru_majflt - before.ru_majflt);
	return 0;
}

/*
 * Reading pagemap (or smaps) splits each 1 GiB (PUD) mapping it meets,
 * which unmaps it and counts thp_split_pud in /proc/vmstat
 * (walk_pud_range() in mm/pagewalk.c): the counter's growth across the
 * read is how many 1 GiB mappings there were, pagemap's own answer for them
 * being "not present". The counter is system-wide.
 */
static void pud_count(const struct probe_opts *o, struct report *r, int rc_before, uint64_t before)
{
	struct evidence *ev = &r->ev;
	char path[4096];
	uint64_t after = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/vmstat", o->proc_path);
	rc = rc_before ? rc_before : vmstat_read(path, "thp_split_pud", &after);
	if (rc == -ENOENT)
		snprintf(ev->huge_1g_why, sizeof(ev->huge_1g_why),
			 "%.96s has no thp_split_pud (no PUD-sized THP in this kernel)", path);
	else if (rc)
		snprintf(ev->huge_1g_why, sizeof(ev->huge_1g_why), "%.96s: %s", path,
			 strerror(-rc));
	else if (after < before || after - before > r->size / (1ULL << 30))
		snprintf(ev->huge_1g_why, sizeof(ev->huge_1g_why),
			 "thp_split_pud grew by more than this mapping holds (another process "
			 "split 1 GiB mappings meanwhile)");
	else
		ev->huge_runs_1g = after - before;
	ev->huge_1g_known = !ev->huge_1g_why[0];
}

/* The mapping's page sizes from smaps, after pagemap (smaps splits 1 GiB mappings too). */
static void page_sizes(const struct probe_opts *o, struct report *r, void *addr)
{
	char path[4096];
	struct smaps_vma v;

	snprintf(path, sizeof(path), "%s/self/smaps", o->proc_path);
	if (smaps_load(path, (uint64_t)(uintptr_t)addr, &v) == 0 && v.found) {
		r->ev.kernel_page_size = v.kernel_page_size;
		r->ev.mmu_page_size = v.mmu_page_size;
	}
}

static int classify(const struct probe_opts *o, struct probe *p, void *addr, struct failure *f)
{
	struct report *r = &p->r;
	double t0 = now_ms();
	char vmstat[4096];
	uint64_t before = 0;
	int fd, rc, rc_before;

	classify_init(&p->cls, &p->io, r->page_size, o->pages);
	classify_strip_init(&p->cls, r->pages);
	snprintf(f->buf, sizeof(f->buf), "%s/self/pagemap", o->proc_path);
	fd = pagemap_open(o->proc_path, 0);
	if (fd < 0)
		return failed(f, "open", f->buf, NULL, fd);
	snprintf(vmstat, sizeof(vmstat), "%s/vmstat", o->proc_path);
	rc_before = vmstat_read(vmstat, "thp_split_pud", &before);
	rc = pagemap_classify(fd, (uintptr_t)addr, r->pages, &p->cls);
	close(fd);
	r->classify_ms = now_ms() - t0;
	if (rc)
		return failed(f, "read", f->buf, NULL, rc);
	pud_count(o, r, rc_before, before);
	page_sizes(o, r, addr);
	r->n = p->cls.n;
	r->ev.huge_known = r->n.pfn_hidden == 0;
	r->ev.huge_runs_2m = r->n.huge_runs;
	r->range_pages = p->cls.range_pages;
	classify_strip(&p->cls, r->strip);
	if (o->pages) {
		r->show_pages = true;
		r->runs = p->cls.runs;
		r->nr_runs = p->cls.nr_runs;
	}
	return 0;
}

static void reason(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reason(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nr_fallback_reasons == sizeof(r->fallback_reasons) / sizeof(r->fallback_reasons[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(r->fallback_reasons[r->nr_fallback_reasons++], sizeof(r->fallback_reasons[0]),
		  fmt, ap);
	va_end(ap);
}

/*
 * Why 2 MiB DAX faults fell back to 4 KiB, from what the probe sees: a PMD
 * mapping needs a 2 MiB aligned virtual address, file offset and physical
 * extent, and a whole 2 MiB window inside the mapping.
 */
static void fallback_reasons(struct report *r, uint64_t addr)
{
	const struct dax_faults *d = &r->trace.n;
	const struct placement_counts *n = &r->n;
	size_t i;

	r->nr_fallback_reasons = 0;
	if (!r->trace.traced || (!d->pmd_fallback && !(d->pte && !d->pmd)))
		return;
	if (addr % HUGE_2M)
		reason(r, "the mapping address %#" PRIx64 " is not 2 MiB aligned", addr);
	if (r->size < HUGE_2M)
		reason(r, "the mapping (%" PRIu64 " bytes) is shorter than 2 MiB", r->size);
	else if (r->size % HUGE_2M)
		reason(r, "the last %" PRIu64 " bytes of the mapping do not fill a 2 MiB window",
		       r->size % HUGE_2M);
	if (d->have_fallback && (d->fallback_pgoff * r->page_size) % HUGE_2M)
		reason(r, "the file offset %#" PRIx64 " of the first fallback is not 2 MiB aligned",
		       d->fallback_pgoff * r->page_size);
	if (n->win_misaligned)
		reason(r,
		       "%" PRIu64 " of %" PRIu64
		       " 2 MiB windows start at a physical address that is not 2 MiB aligned (the "
		       "file's blocks are not 2 MiB aligned on the device)",
		       n->win_misaligned, n->win_full);
	if (n->win_discontig)
		reason(r,
		       "%" PRIu64 " of %" PRIu64
		       " 2 MiB windows are not physically contiguous (the file's extents are "
		       "fragmented)",
		       n->win_discontig, n->win_full);
	for (i = 0; r->range_pages && i < r->io->nr; i++) {
		const struct pmem_range *rg = &r->io->ranges[i];

		if (r->range_pages[i] && rg->start % HUGE_2M)
			reason(r,
			       "the PMem range at %#" PRIx64 " does not start on a 2 MiB boundary "
			       "(namespace or region alignment)",
			       rg->start);
	}
	if (!r->nr_fallback_reasons)
		reason(r, "unknown: address, offset and physical extents are aligned (the file "
			  "system's allocation or the namespace's align, see ndctl list -N)");
}

/* Map, check residency, touch, classify, verify, unmap. */
static int probe_mapping(const struct probe_opts *o, struct probe *p, const struct target *t,
			 struct failure *f)
{
	struct report *r = &p->r;
	void *addr;
	int rc = map_aligned(t->fd, r->size, t->align, 0, &addr);

	if (rc) {
		snprintf(f->buf, sizeof(f->buf),
			 "%s (the kernel refuses a shared read-write mapping of this file)",
			 strerror(-rc));
		return failed(f, "mmap MAP_SHARED", o->path, f->buf, rc);
	}
	r->ev.resident_known =
		map_resident(addr, r->size, r->page_size, &r->ev.page_cache_resident) == 0;
	if (t->kind == TARGET_DEVDAX)
		snprintf(r->trace.why, sizeof(r->trace.why),
			 "device DAX faults have no tracepoints (drivers/dax/device.c); "
			 "huge_runs_2m and huge_runs_1g are the witnesses");
	else
		dax_trace_start(&r->trace, o->tracefs);
	rc = touch(p, addr, o->touch, f, o->path);
	dax_trace_stop(&r->trace);
	if (!rc)
		rc = classify(o, p, addr, f);
	if (!rc)
		fallback_reasons(r, (uint64_t)(uintptr_t)addr);
	if (!rc && o->verify) {
		uint64_t bad = 0;

		r->verify_asked = true;
		r->verify_ok = pattern_check(addr, r->size, &bad);
		r->verify_bad_offset = bad;
		r->verify_bad_page = bad / r->page_size;
	}
	munmap(addr, r->size);
	return rc;
}

/* --anon: map, bind, touch, classify; no file, so no file evidence. */
static int probe_anon(const struct probe_opts *o, struct probe *p, struct failure *f)
{
	struct report *r = &p->r;
	const char *op;
	void *addr;
	int rc = numa_node_exists(o->sysfs_path, o->node);

	r->kind = TARGET_ANON;
	r->node = o->node;
	r->path = "anonymous memory";
	if (rc) {
		snprintf(f->buf, sizeof(f->buf),
			 "no NUMA node %u (%s/devices/system/node/node%u: %s)", o->node,
			 o->sysfs_path, o->node, strerror(-rc));
		return failed(f, "bind", "--node", f->buf, rc);
	}
	r->size = o->size;
	r->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	r->pages = (r->size + r->page_size - 1) / r->page_size;
	rc = anon_map_bind(r->size, o->node, &addr, &op);
	if (rc) {
		snprintf(f->buf, sizeof(f->buf), "node %u: %s%s", o->node, strerror(-rc),
			 rc == -EINVAL && op[0] == 'm' && op[1] == 'b'
				 ? " (a node without memory, or outside the allowed cpuset)"
				 : "");
		return failed(f, op, "anonymous memory", f->buf, rc);
	}
	r->ev.resident_known =
		map_resident(addr, r->size, r->page_size, &r->ev.page_cache_resident) == 0;
	snprintf(r->trace.why, sizeof(r->trace.why), "anonymous memory takes no DAX faults");
	rc = touch(p, addr, o->touch, f, "anonymous memory");
	if (!rc)
		rc = classify(o, p, addr, f);
	if (!rc)
		r->nodes_known = anon_nodes(addr, r->pages, r->page_size, o->node, &r->on_node,
					    &r->elsewhere, &r->unreported) == 0;
	munmap(addr, r->size);
	if (rc)
		return rc;
	witness_decide(r);
	conflicts_find(r);
	return 0;
}

int probe_run(const struct probe_opts *o, struct probe *p, struct failure *f)
{
	struct report *r = &p->r;
	struct target t;
	int rc;

	memset(p, 0, sizeof(*p));
	memset(f, 0, sizeof(*f));
	evidence_init(&r->ev);
	r->path = o->path;
	r->iomem_path = o->iomem_path;
	r->sysfs_path = o->sysfs_path;
	r->io = &p->io;
	r->regions = &p->regions;
	r->expect_asked = o->expect_asked;
	r->expect = o->expect;

	rc = ranges_load(o->iomem_path, o->sysfs_path, &p->io, &p->regions, f);
	if (rc)
		return rc;
	if (o->anon)
		return probe_anon(o, p, f);
	if (o->create) {
		const char *op;

		rc = pattern_create(o->path, o->size, &op, &r->created_extsize);
		if (rc)
			return failed(f, op, o->path, NULL, rc);
		r->created = true;
	}
	rc = target_open(o->path, o->sysfs_path, &t);
	if (!rc)
		rc = target_map_size(&t, o->size_given, o->size, &r->size);
	if (rc) {
		target_close(&t);
		if (t.why) /* t.buf dies with t */
			snprintf(f->buf, sizeof(f->buf), "%s", t.why);
		return failed(f, t.op, o->path, t.why ? f->buf : NULL, rc);
	}
	r->kind = t.kind;
	r->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	r->pages = (r->size + r->page_size - 1) / r->page_size;

	gather_evidence(o, &t, r->size, &r->ev);
	if (t.kind == TARGET_DEVDAX)
		dax_ranges_load(o->sysfs_path, major(t.st.st_rdev), minor(t.st.st_rdev), &r->dax);
	rc = probe_mapping(o, p, &t, f);
	target_close(&t);
	if (rc)
		return rc;
	witness_decide(r);
	conflicts_find(r);
	return 0;
}

void probe_free(struct probe *p)
{
	classify_free(&p->cls);
	iomem_free(&p->io);
	nd_regions_free(&p->regions);
	evidence_free(&p->r.ev);
}
