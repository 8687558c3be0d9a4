// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <string.h>

#include "out.h"

/* "CXL Window 0 > region1" or "region1" or "", for a range. */
static const char *where(const struct pmem_range *rg, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s%s%s", rg->window, rg->window[0] && rg->region[0] ? " > " : "",
		 rg->region);
	return buf;
}

static void ranges(FILE *f, const struct iomem *io, const char *iomem_path,
		   const struct nd_regions *regs, const char *sysfs, const uint64_t *range_pages)
{
	size_t i;

	if (io->hidden) {
		fprintf(f, "  pmem ranges:  unknown (%s shows every address as 0)\n", iomem_path);
		return;
	}
	if (!io->nr)
		fprintf(f, "  pmem ranges:  none in %s or %s/bus/nd\n", iomem_path, sysfs);
	for (i = 0; i < io->nr; i++) {
		const struct pmem_range *rg = &io->ranges[i];
		char in[2 * PMEM_NAME_MAX + 4];

		fprintf(f, "  pmem range:   %#" PRIx64 "-%#" PRIx64 " : %s [%s]", rg->start,
			rg->end,
			rg->kind == PMEM_KIND_ND_REGION ? rg->nd_region : pmem_kind_label(rg->kind),
			pmem_kind_name(rg->kind));
		fprintf(f, " backend %s", pmem_range_backend(rg));
		if (rg->provider[0])
			fprintf(f, " (provider %s, %s)", rg->provider, rg->nd_region);
		fprintf(f, ", %s",
			rg->sync > 0	? "synchronous"
			: rg->sync == 0 ? "asynchronous (flush by virtio request)"
					: "synchronous: unknown");
		if (where(rg, in, sizeof(in))[0])
			fprintf(f, ", in %s", in);
		if (rg->kmem)
			fprintf(f, ", System RAM (kmem): volatile");
		if (range_pages)
			fprintf(f, ", %" PRIu64 " pages", range_pages[i]);
		fputc('\n', f);
	}
	for (i = 0; i < regs->nr; i++)
		if (!regs->v[i].have_range)
			fprintf(f, "  nd region:    %s (provider %s): range unknown: %s\n",
				regs->v[i].name,
				regs->v[i].provider[0] ? regs->v[i].provider : "unknown",
				regs->v[i].error);
}

static void verdict_line(FILE *f, enum verdict v, const char *reason, bool expect_asked,
			 enum verdict expect)
{
	fprintf(f, "  verdict:      %s", verdict_name(v));
	if (reason)
		fprintf(f, " (%s)", reason);
	if (expect_asked)
		fprintf(f, "; expected %s", verdict_name(expect));
	fputc('\n', f);
}

static void witness_line(FILE *f, const struct report *r)
{
	const struct dax_ranges *d = &r->dax;

	if (r->witness == WITNESS_PAGEMAP)
		fprintf(f, "  witness:      pagemap (the frames of the present pages)\n");
	if (r->witness != WITNESS_DEVICE_RANGE)
		return;
	fprintf(f,
		"  witness:      device-range (%s, %s: %#" PRIx64 "-%#" PRIx64 "%s; %" PRIu64
		" pages in PMem ranges, %" PRIu64 " outside; pagemap reports none of the pages)\n",
		d->dir, d->attrs, d->v[0].start, d->v[0].end, d->nr > 1 ? " and more" : "",
		r->dax_pl.pmem, r->dax_pl.other);
}

static void evidence(FILE *f, const struct report *r)
{
	const struct evidence *ev = &r->ev;

	fprintf(f, "evidence:\n");
	if (r->kind == TARGET_ANON) {
		fprintf(f, "  NUMA node:            %u (mbind MPOL_BIND)\n", r->node);
		if (r->nodes_known)
			fprintf(f,
				"  pages by node:        %" PRIu64 " on node %u, %" PRIu64
				" elsewhere, %" PRIu64 " not reported (move_pages)\n",
				r->on_node, r->node, r->elsewhere, r->unreported);
		else
			fprintf(f, "  pages by node:        unknown (move_pages failed)\n");
		goto faults;
	}
	fprintf(f, "  statx DAX:            %s\n", tri_name(ev->statx_dax));
	if (ev->map_sync == TRI_NO)
		fprintf(f, "  MAP_SYNC:             refused (%s)\n", strerror(ev->map_sync_errno));
	else
		fprintf(f, "  MAP_SYNC:             %s\n",
			ev->map_sync == TRI_YES ? "accepted" : "unknown");
	if (ev->libpmem_is_pmem == TRI_UNKNOWN)
		fprintf(f, "  libpmem is_pmem:      unknown (%s)\n", ev->libpmem_error);
	else
		fprintf(f, "  libpmem is_pmem:      %d\n", ev->libpmem_is_pmem == TRI_YES);
	fprintf(f, "  device:               %u:%u\n", ev->dev_major, ev->dev_minor);
	if (ev->have_mount)
		fprintf(f, "  filesystem:           %s on %s at %s (%s; %s)\n", ev->mnt.fstype,
			ev->mnt.source, ev->mnt.mount_point, ev->mnt.mount_options,
			ev->mnt.super_options);
	else if (r->kind == TARGET_FILE)
		fprintf(f, "  filesystem:           unknown (no mountinfo entry)\n");
	fprintf(f, "  queue/dax:            %s\n", tri_name(ev->queue_dax));
faults:
	fprintf(f, "  faults while touching: %" PRIu64 " minor, %" PRIu64 " major\n",
		ev->minor_faults, ev->major_faults);
	if (ev->resident_known)
		fprintf(f, "  page cache before:    %" PRIu64 " of %" PRIu64 " pages resident\n",
			ev->page_cache_resident, r->pages);
	if (ev->huge_known)
		fprintf(f, "  2 MiB runs:           %" PRIu64 "\n", ev->huge_runs_2m);
	else
		fprintf(f, "  2 MiB runs:           unknown\n");
	if (ev->huge_1g_known)
		fprintf(f,
			"  1 GiB runs:           %" PRIu64
			" (thp_split_pud: each read of pagemap splits them)\n",
			ev->huge_runs_1g);
	else if (r->kind != TARGET_ANON)
		fprintf(f, "  1 GiB runs:           unknown (%s)\n", ev->huge_1g_why);
	if (ev->kernel_page_size)
		fprintf(f,
			"  page size (smaps):    KernelPageSize %" PRIu64
			" kB, MMUPageSize %" PRIu64 " kB\n",
			ev->kernel_page_size >> 10, ev->mmu_page_size >> 10);
	if (r->trace.traced)
		fprintf(f,
			"  DAX faults (trace):   %" PRIu64 " of 4 KiB, %" PRIu64
			" of 2 MiB, %" PRIu64 " 2 MiB fell back, %" PRIu64 " holes, %" PRIu64
			" events lost\n",
			r->trace.n.pte, r->trace.n.pmd, r->trace.n.pmd_fallback,
			r->trace.n.load_hole, r->trace.lost);
	else
		fprintf(f, "  DAX faults (trace):   unknown (%s)\n", r->trace.why);
	for (size_t i = 0; i < r->nr_fallback_reasons; i++)
		fprintf(f, "  2 MiB fallback:       %s\n", r->fallback_reasons[i]);
	fprintf(f, "  page strip:           %s\n", r->strip);
}

void out_page_table(FILE *f, const struct report *r, const char *prefix)
{
	size_t i;

	fprintf(f, "%s%-17s %-33s %-33s %s\n", prefix, "page", "virtual address",
		"physical address", "PMEM?");
	for (i = 0; i < r->nr_runs; i++) {
		const struct page_run *run = &r->runs[i];
		uint64_t last = run->first + run->pages - 1;
		uint64_t vend = run->vaddr + run->pages * r->page_size - 1;
		char pages[40], virt[40], phys[40];
		const char *pmem = run->pl == PL_PMEM	  ? "yes"
				   : run->pl == PL_DRAM	  ? "no"
				   : run->pl == PL_ABSENT ? "absent"
							  : "unknown";

		if (run->pages == 1) {
			snprintf(pages, sizeof(pages), "%" PRIu64, run->first);
			snprintf(virt, sizeof(virt), "%#" PRIx64, run->vaddr);
		} else {
			snprintf(pages, sizeof(pages), "%" PRIu64 "-%" PRIu64, run->first, last);
			snprintf(virt, sizeof(virt), "%#" PRIx64 "-%#" PRIx64, run->vaddr, vend);
		}
		if (run->pl == PL_ABSENT || run->pfn == 0)
			snprintf(phys, sizeof(phys), "-");
		else if (run->pages == 1)
			snprintf(phys, sizeof(phys), "%#" PRIx64, run->pfn * r->page_size);
		else
			snprintf(phys, sizeof(phys), "%#" PRIx64 "-%#" PRIx64,
				 run->pfn * r->page_size,
				 (run->pfn + run->pages) * r->page_size - 1);
		fprintf(f, "%s%-17s %-33s %-33s %s", prefix, pages, virt, phys, pmem);
		if (run->range >= 0) {
			const struct pmem_range *rg = &r->io->ranges[run->range];
			char in[2 * PMEM_NAME_MAX + 4];

			fprintf(f, " (%s",
				rg->kind == PMEM_KIND_ND_REGION ? rg->nd_region
								: pmem_kind_label(rg->kind));
			if (where(rg, in, sizeof(in))[0])
				fprintf(f, ", %s", in);
			if (rg->kmem)
				fprintf(f, ", kmem: volatile");
			if (rg->sync == 0)
				fprintf(f, ", asynchronous");
			fputc(')', f);
		}
		fputc('\n', f);
	}
}

void out_text(FILE *f, const struct report *r)
{
	const struct placement_counts *n = &r->n;
	size_t i;

	if (r->kind == TARGET_ANON)
		fprintf(f, "pmemprobe anonymous memory bound to node %u\n", r->node);
	else
		fprintf(f, "pmemprobe %s%s\n", r->path,
			r->kind == TARGET_DEVDAX ? " (device DAX)"
			: r->created		 ? " (created)"
						 : "");
	fprintf(f, "  size:         %" PRIu64 " bytes, %" PRIu64 " pages of %" PRIu64 "\n", r->size,
		r->pages, r->page_size);
	fprintf(f, "  present:      %" PRIu64 "\n", n->present);
	fprintf(f, "  pmem pages:   %" PRIu64 "\n", n->pmem);
	fprintf(f, "  dram pages:   %" PRIu64 "\n", n->dram);
	fprintf(f, "  unknown:      %" PRIu64 "\n", n->unknown);
	if (n->kmem)
		fprintf(f, "  kmem pages:   %" PRIu64 " (PMem onlined as System RAM: volatile)\n",
			n->kmem);
	ranges(f, r->io, r->iomem_path, r->regions, r->sysfs_path, r->range_pages);
	verdict_line(f, r->verdict, r->reason, r->expect_asked, r->expect);
	witness_line(f, r);
	if (r->verify_asked && r->verify_ok)
		fprintf(f, "  pattern:      verified\n");
	else if (r->verify_asked)
		fprintf(f, "  pattern:      MISMATCH at page %" PRIu64 " (byte %" PRIu64 ")\n",
			r->verify_bad_page, r->verify_bad_offset);
	evidence(f, r);
	for (i = 0; i < r->nr_conflicts; i++)
		fprintf(f, "conflict: %s\n", r->conflicts[i]);
	if (!r->nr_conflicts)
		fprintf(f, "conflicts: none\n");
	for (i = 0; i < r->nr_notes; i++)
		fprintf(f, "note: %s\n", r->notes[i]);
	for (i = 0; i < r->nr_caveats; i++)
		fprintf(f, "caveat: %s: %s\n", r->caveats[i].name, r->caveats[i].text);
	fprintf(f, "timing: touch %.3f ms (%s", r->touch_ms, touch_method_name(r->touch_method));
	if (r->touch_fallback_errno)
		fprintf(f, ", MADV_POPULATE_WRITE: %s", strerror(r->touch_fallback_errno));
	fprintf(f, "), classify %.3f ms\n", r->classify_ms);
	if (r->show_pages)
		out_page_table(f, r, "");
}

void out_survey_text(FILE *f, const struct survey *s)
{
	const struct placement_counts *t = &s->total;
	size_t i;

	fprintf(f, "pmemprobe: process %d, %zu file-backed mapping%s%s%s\n", (int)s->pid, s->nr,
		s->nr == 1 ? "" : "s", s->filter ? " of " : "", s->filter ? s->filter : "");
	fprintf(f, "%-33s %-5s %8s %8s %8s %8s %8s  %s\n", "address", "perm", "pages", "present",
		"pmem", "dram", "unknown", "path");
	for (i = 0; i < s->nr; i++) {
		const struct survey_map *m = &s->maps[i];
		char range[40];

		snprintf(range, sizeof(range), "%#" PRIx64 "-%#" PRIx64, m->start, m->end - 1);
		fprintf(f,
			"%-33s %-5s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
			"  %s\n",
			range, m->perms, m->n.pages, m->n.present, m->n.pmem, m->n.dram,
			m->n.unknown, m->path);
	}
	fprintf(f,
		"total: %" PRIu64 " pages, %" PRIu64 " present, %" PRIu64 " pmem, %" PRIu64
		" dram, %" PRIu64 " unknown\n",
		t->pages, t->present, t->pmem, t->dram, t->unknown);
	ranges(f, &s->io, s->iomem_path, &s->regions, s->sysfs_path, NULL);
	verdict_line(f, s->verdict, s->reason, s->expect_asked, s->expect);
}
