// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "out.h"

static void u64(FILE *f, const char *key, uint64_t v)
{
	json_key(f, key, 0);
	fprintf(f, "%" PRIu64, v);
}

static void str(FILE *f, const char *key, const char *v)
{
	json_key(f, key, 0);
	json_str(f, v);
}

static void boolean(FILE *f, const char *key, int v)
{
	json_key(f, key, 0);
	fputs(v ? "true" : "false", f);
}

static void tri(FILE *f, const char *key, enum tri v)
{
	json_key(f, key, 0);
	fputs(v == TRI_YES ? "true" : v == TRI_NO ? "false" : "null", f);
}

static void opt_u64(FILE *f, const char *key, int known, uint64_t v)
{
	if (known)
		u64(f, key, v);
	else
		str(f, key, NULL);
}

static void counts(FILE *f, const struct placement_counts *n)
{
	u64(f, "pages", n->pages);
	u64(f, "present", n->present);
	u64(f, "pmem_pages", n->pmem);
	u64(f, "dram_pages", n->dram);
	u64(f, "unknown_pages", n->unknown);
	u64(f, "absent_pages", n->pages - n->present);
}

static void opt_str(FILE *f, const char *key, const char *v)
{
	str(f, key, v && *v ? v : NULL);
}

static void sync_value(FILE *f, const char *key, int sync)
{
	json_key(f, key, 0);
	fputs(sync > 0 ? "true" : sync == 0 ? "false" : "null", f);
}

static const char *source_name(unsigned int src)
{
	if (src == (PMEM_SRC_IOMEM | PMEM_SRC_SYSFS))
		return "iomem+sysfs";
	return src == PMEM_SRC_SYSFS ? "sysfs" : "iomem";
}

static void nd_regions(FILE *f, const struct nd_regions *regs)
{
	size_t i;

	json_key(f, "nd_regions", 0);
	fputc('[', f);
	for (i = 0; i < regs->nr; i++) {
		const struct nd_region_info *g = &regs->v[i];

		fputs(i ? ",{" : "{", f);
		json_key(f, "name", 1);
		json_str(f, g->name);
		opt_str(f, "provider", g->provider);
		json_key(f, "start", 0);
		if (g->have_range)
			json_hex(f, g->start);
		else
			fputs("null", f);
		json_key(f, "end", 0);
		if (g->have_range)
			json_hex(f, g->end);
		else
			fputs("null", f);
		sync_value(f, "synchronous", g->sync);
		opt_str(f, "error", g->error);
		fputc('}', f);
	}
	fputc(']', f);
}

/* @range_pages: present pages per range (a probe), or NULL (a survey: no "pages" key). */
static void header(FILE *f, const struct iomem *io, const char *iomem_path, const char *sysfs,
		   const struct nd_regions *regs, bool per_range, const uint64_t *range_pages)
{
	size_t i;

	fputs("{\"tool\":\"pmemprobe\"", f);
	str(f, "version", PMEMPROBE_VERSION);
	str(f, "iomem", iomem_path);
	boolean(f, "iomem_hidden", io->hidden);
	str(f, "sysfs", sysfs);
	json_key(f, "pmem_ranges", 0);
	fputc('[', f);
	for (i = 0; i < io->nr; i++) {
		const struct pmem_range *rg = &io->ranges[i];

		fputs(i ? ",{" : "{", f);
		json_key(f, "start", 1);
		json_hex(f, rg->start);
		json_key(f, "end", 0);
		json_hex(f, rg->end);
		str(f, "name",
		    rg->kind == PMEM_KIND_ND_REGION ? rg->nd_region : pmem_kind_label(rg->kind));
		str(f, "kind", pmem_kind_name(rg->kind));
		str(f, "backend", pmem_range_backend(rg));
		str(f, "source", source_name(rg->source));
		opt_str(f, "provider", rg->provider);
		sync_value(f, "synchronous", rg->sync);
		boolean(f, "kmem", rg->kmem);
		opt_str(f, "window", rg->window);
		opt_str(f, "region", rg->region);
		opt_str(f, "nd_region", rg->nd_region);
		if (per_range)
			u64(f, "pages", range_pages ? range_pages[i] : 0);
		fputc('}', f);
	}
	fputc(']', f);
	nd_regions(f, regs);
}

static void verdict_fields(FILE *f, enum verdict v, const char *reason, int expect_asked,
			   enum verdict expect)
{
	str(f, "verdict", verdict_name(v));
	str(f, "reason", reason);
	str(f, "expect", expect_asked ? verdict_name(expect) : NULL);
	json_key(f, "expect_met", 0);
	if (!expect_asked || v == VERDICT_UNKNOWN)
		fputs("null", f);
	else
		fputs(v == expect ? "true" : "false", f);
}

static void fault_sizes(FILE *f, const struct report *r)
{
	const struct dax_trace *t = &r->trace;
	size_t i;

	json_key(f, "fault_sizes", 0);
	fputc('{', f);
	json_key(f, "traced", 1);
	fputs(t->traced ? "true" : "false", f);
	str(f, "reason", t->traced ? NULL : t->why);
	opt_str(f, "tracefs", t->traced ? t->root : NULL);
	opt_u64(f, "faults_4k", t->traced, t->n.pte);
	opt_u64(f, "faults_2m", t->traced, t->n.pmd);
	str(f, "faults_1g", NULL);
	opt_u64(f, "pmd_fallbacks", t->traced, t->n.pmd_fallback);
	opt_u64(f, "load_holes", t->traced, t->n.load_hole);
	opt_u64(f, "lost_events", t->traced, t->lost);
	json_key(f, "fallback_reasons", 0);
	fputc('[', f);
	for (i = 0; i < r->nr_fallback_reasons; i++) {
		if (i)
			fputc(',', f);
		json_str(f, r->fallback_reasons[i]);
	}
	fputs("]}", f);
}

static void evidence(FILE *f, const struct evidence *ev, bool anon)
{
	char dev[32];
	const struct mount_info *m = ev->have_mount ? &ev->mnt : NULL;

	snprintf(dev, sizeof(dev), "%u:%u", ev->dev_major, ev->dev_minor);
	json_key(f, "evidence", 0);
	fputc('{', f);
	json_key(f, "statx_dax", 1);
	fputs(ev->statx_dax == TRI_YES ? "true" : ev->statx_dax == TRI_NO ? "false" : "null", f);
	tri(f, "map_sync", ev->map_sync);
	str(f, "map_sync_error", ev->map_sync == TRI_NO ? strerror(ev->map_sync_errno) : NULL);
	tri(f, "libpmem_is_pmem", ev->libpmem_is_pmem);
	str(f, "libpmem_error",
	    ev->libpmem_is_pmem == TRI_UNKNOWN && !anon ? ev->libpmem_error : NULL);
	str(f, "device", anon ? NULL : dev);
	str(f, "fstype", m ? m->fstype : NULL);
	str(f, "source", m ? m->source : NULL);
	str(f, "mount_point", m ? m->mount_point : NULL);
	str(f, "mount_options", m ? m->mount_options : NULL);
	str(f, "super_options", m ? m->super_options : NULL);
	tri(f, "queue_dax", ev->queue_dax);
	u64(f, "minor_faults", ev->minor_faults);
	u64(f, "major_faults", ev->major_faults);
	opt_u64(f, "page_cache_resident", ev->resident_known, ev->page_cache_resident);
	opt_u64(f, "huge_runs_2m", ev->huge_known, ev->huge_runs_2m);
	opt_u64(f, "huge_runs_1g", ev->huge_1g_known, ev->huge_runs_1g);
	str(f, "huge_runs_1g_reason", ev->huge_1g_known || anon ? NULL : ev->huge_1g_why);
	opt_u64(f, "kernel_page_size", ev->kernel_page_size != 0, ev->kernel_page_size);
	opt_u64(f, "mmu_page_size", ev->mmu_page_size != 0, ev->mmu_page_size);
}

/* Device DAX: its physical ranges from sysfs and the probed pages by them; else null. */
static void device_range(FILE *f, const struct report *r)
{
	const struct dax_ranges *d = &r->dax;
	size_t i;

	json_key(f, "device_range", 0);
	if (r->kind != TARGET_DEVDAX) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	json_key(f, "sysfs", 1);
	json_str(f, d->dir);
	json_key(f, "ranges", 0);
	fputc('[', f);
	for (i = 0; d->known && i < d->nr; i++) {
		fputs(i ? ",{" : "{", f);
		json_key(f, "start", 1);
		json_hex(f, d->v[i].start);
		json_key(f, "end", 0);
		json_hex(f, d->v[i].end);
		json_key(f, "page_offset", 0);
		json_hex(f, d->v[i].pgoff);
		fputc('}', f);
	}
	fputc(']', f);
	str(f, "from", d->known ? d->attrs : NULL);
	str(f, "error", d->known ? NULL : d->error);
	boolean(f, "used", r->witness == WITNESS_DEVICE_RANGE);
	opt_u64(f, "pmem_pages", r->pagemap_blind && d->known, r->dax_pl.pmem);
	opt_u64(f, "other_pages", r->pagemap_blind && d->known, r->dax_pl.other);
	fputc('}', f);
}

/* Do the present PMem pages flush synchronously? null: no PMem page, or a range unknown. */
static int pages_sync(const struct report *r)
{
	int all = 1;
	size_t i;

	if (!r->n.pmem || !r->range_pages)
		return -1;
	for (i = 0; i < r->io->nr; i++) {
		if (!r->range_pages[i])
			continue;
		if (r->io->ranges[i].sync == 0)
			return 0;
		if (r->io->ranges[i].sync < 0)
			all = -1;
	}
	return all;
}

static void page_runs(FILE *f, const struct report *r)
{
	size_t i;

	json_key(f, "page_runs", 0);
	fputc('[', f);
	for (i = 0; i < r->nr_runs; i++) {
		const struct page_run *run = &r->runs[i];
		int has_pfn = run->pl != PL_ABSENT && run->pfn;

		fputs(i ? ",{" : "{", f);
		json_key(f, "first_page", 1);
		fprintf(f, "%" PRIu64, run->first);
		u64(f, "pages", run->pages);
		json_key(f, "vaddr", 0);
		json_hex(f, run->vaddr);
		json_key(f, "paddr", 0);
		if (has_pfn)
			json_hex(f, run->pfn * r->page_size);
		else
			fputs("null", f);
		str(f, "placement", placement_name(run->pl));
		json_key(f, "range", 0);
		if (run->range >= 0)
			fprintf(f, "%ld", run->range);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fputc(']', f);
}

void out_json(FILE *f, const struct report *r)
{
	size_t i;

	header(f, r->io, r->iomem_path, r->sysfs_path, r->regions, true, r->range_pages);
	str(f, "path", r->kind == TARGET_ANON ? NULL : r->path);
	str(f, "target", target_kind_name(r->kind));
	json_key(f, "numa", 0);
	if (r->kind != TARGET_ANON) {
		fputs("null", f);
	} else {
		fprintf(f, "{\"node\":%u,\"policy\":\"bind\"", r->node);
		opt_u64(f, "pages_on_node", r->nodes_known, r->on_node);
		opt_u64(f, "pages_elsewhere", r->nodes_known, r->elsewhere);
		opt_u64(f, "pages_unreported", r->nodes_known, r->unreported);
		fputc('}', f);
	}
	u64(f, "size", r->size);
	u64(f, "page_size", r->page_size);
	counts(f, &r->n);
	u64(f, "kmem_pages", r->n.kmem);
	u64(f, "async_pages", report_async_pages(r));
	json_key(f, "volatile", 0);
	fputs(!r->n.pmem ? "null" : r->n.kmem == r->n.pmem ? "true" : "false", f);
	str(f, "page_strip", r->strip);
	verdict_fields(f, r->verdict, r->reason, r->expect_asked, r->expect);
	str(f, "witness", witness_name(r->witness));
	device_range(f, r);
	boolean(f, "created", r->created);
	opt_u64(f, "created_extsize", r->created && r->created_extsize, r->created_extsize);
	json_key(f, "verify", 0);
	if (!r->verify_asked) {
		fputs("null", f);
	} else {
		fputc('{', f);
		json_key(f, "ok", 1);
		fputs(r->verify_ok ? "true" : "false", f);
		opt_u64(f, "first_bad_page", !r->verify_ok, r->verify_bad_page);
		opt_u64(f, "first_bad_offset", !r->verify_ok, r->verify_bad_offset);
		fputc('}', f);
	}
	evidence(f, &r->ev, r->kind == TARGET_ANON);
	sync_value(f, "synchronous", pages_sync(r));
	fault_sizes(f, r);
	fputc('}', f);
	json_key(f, "conflicts", 0);
	fputc('[', f);
	for (i = 0; i < r->nr_conflicts; i++) {
		if (i)
			fputc(',', f);
		json_str(f, r->conflicts[i]);
	}
	fputc(']', f);
	json_key(f, "notes", 0);
	fputc('[', f);
	for (i = 0; i < r->nr_notes; i++) {
		if (i)
			fputc(',', f);
		json_str(f, r->notes[i]);
	}
	fputc(']', f);
	json_key(f, "caveats", 0);
	fputc('[', f);
	for (i = 0; i < r->nr_caveats; i++) {
		fputs(i ? ",{" : "{", f);
		json_key(f, "name", 1);
		json_str(f, r->caveats[i].name);
		str(f, "text", r->caveats[i].text);
		fputc('}', f);
	}
	fputc(']', f);
	json_key(f, "timing", 0);
	fprintf(f, "{\"touch_ms\":%.3f,\"classify_ms\":%.3f,\"touch_method\":", r->touch_ms,
		r->classify_ms);
	json_str(f, touch_method_name(r->touch_method));
	fputs(",\"touch_fallback\":", f);
	if (r->touch_fallback_errno)
		json_str(f, strerror(r->touch_fallback_errno));
	else
		fputs("null", f);
	fputc('}', f);
	if (r->show_pages)
		page_runs(f, r);
	fputs("}\n", f);
}

void out_survey_json(FILE *f, const struct survey *s)
{
	size_t i;

	header(f, &s->io, s->iomem_path, s->sysfs_path, &s->regions, false, NULL);
	json_key(f, "pid", 0);
	fprintf(f, "%d", (int)s->pid);
	str(f, "path", s->filter);
	u64(f, "page_size", s->page_size);
	counts(f, &s->total);
	u64(f, "kmem_pages", s->total.kmem);
	u64(f, "huge_runs_2m", s->total.huge_runs);
	verdict_fields(f, s->verdict, s->reason, s->expect_asked, s->expect);
	json_key(f, "mappings", 0);
	fputc('[', f);
	for (i = 0; i < s->nr; i++) {
		const struct survey_map *m = &s->maps[i];
		char dev[32];

		snprintf(dev, sizeof(dev), "%u:%u", m->dev_major, m->dev_minor);
		fputs(i ? ",{" : "{", f);
		json_key(f, "start", 1);
		json_hex(f, m->start);
		json_key(f, "end", 0);
		json_hex(f, m->end - 1); /* inclusive, like every "end" */
		str(f, "perms", m->perms);
		json_key(f, "offset", 0);
		json_hex(f, m->offset);
		str(f, "device", dev);
		u64(f, "inode", m->inode);
		str(f, "path", m->path);
		counts(f, &m->n);
		u64(f, "huge_runs_2m", m->n.huge_runs);
		fputc('}', f);
	}
	fputs("]}\n", f);
}
