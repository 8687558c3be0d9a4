// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "out.h"

static int tap_line(FILE *f, int num, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int tap_line(FILE *f, int num, bool ok, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%sok %d - ", ok ? "" : "not ", num);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	return num + 1;
}

static void diagnostics(FILE *f, const struct report *r)
{
	const struct evidence *ev = &r->ev;

	fprintf(f,
		"# pages %" PRIu64 ", present %" PRIu64 ", pmem %" PRIu64 ", dram %" PRIu64
		", unknown %" PRIu64 "\n",
		r->pages, r->n.present, r->n.pmem, r->n.dram, r->n.unknown);
	fprintf(f, "# statx DAX %s, MAP_SYNC %s, libpmem is_pmem %s, queue/dax %s\n",
		tri_name(ev->statx_dax), tri_name(ev->map_sync), tri_name(ev->libpmem_is_pmem),
		tri_name(ev->queue_dax));
	if (ev->have_mount)
		fprintf(f, "# filesystem %s on %s at %s (%s)\n", ev->mnt.fstype, ev->mnt.source,
			ev->mnt.mount_point, ev->mnt.super_options);
	fprintf(f, "# faults %" PRIu64 " minor, %" PRIu64 " major\n", ev->minor_faults,
		ev->major_faults);
	if (ev->resident_known)
		fprintf(f, "# page cache before touching: %" PRIu64 " pages\n",
			ev->page_cache_resident);
	if (ev->huge_known)
		fprintf(f, "# 2 MiB runs: %" PRIu64 "\n", ev->huge_runs_2m);
	if (ev->huge_1g_known)
		fprintf(f, "# 1 GiB runs: %" PRIu64 "\n", ev->huge_runs_1g);
	if (r->trace.traced)
		fprintf(f,
			"# DAX faults: %" PRIu64 " of 4 KiB, %" PRIu64 " of 2 MiB, %" PRIu64
			" fell back\n",
			r->trace.n.pte, r->trace.n.pmd, r->trace.n.pmd_fallback);
	else
		fprintf(f, "# DAX faults: unknown (%s)\n", r->trace.why);
	fprintf(f, "# timing: touch %.3f ms (%s), classify %.3f ms\n", r->touch_ms,
		touch_method_name(r->touch_method), r->classify_ms);
}

void out_tap(FILE *f, const struct report *r)
{
	int plan = 4 + r->expect_asked + r->verify_asked, num = 1;
	size_t i;

	fprintf(f, "TAP version 13\n1..%d\n", plan);
	num = tap_line(f, num, true,
		       "map %s: %" PRIu64 " pages of %" PRIu64 " bytes, write-faulted", r->path,
		       r->pages, r->page_size);
	if (r->witness == WITNESS_DEVICE_RANGE)
		num = tap_line(f, num, true,
			       "every page mapped by its write fault (pagemap does not report "
			       "1 GiB mappings; witness: device range)");
	else
		num = tap_line(f, num, r->n.present == r->pages,
			       "every page present after its write fault");
	if (r->verdict == VERDICT_UNKNOWN) {
		num = tap_line(f, num, false, "placement determined");
		fprintf(f, "# unknown: %s\n", r->reason);
	} else {
		num = tap_line(f, num, true, "placement determined: %s (witness: %s)",
			       verdict_name(r->verdict), witness_name(r->witness));
	}
	if (r->expect_asked)
		num = tap_line(f, num, r->verdict == r->expect, "verdict %s is the expected %s",
			       verdict_name(r->verdict), verdict_name(r->expect));
	if (r->nr_conflicts)
		num = tap_line(f, num, false,
			       "evidence agrees with the placement # TODO conflicts are reported, "
			       "not enforced");
	else
		num = tap_line(f, num, true, "evidence agrees with the placement");
	for (i = 0; i < r->nr_conflicts; i++)
		fprintf(f, "# conflict: %s\n", r->conflicts[i]);
	for (i = 0; i < r->nr_notes; i++)
		fprintf(f, "# note: %s\n", r->notes[i]);
	for (i = 0; i < r->nr_caveats; i++)
		fprintf(f, "# caveat: %s: %s\n", r->caveats[i].name, r->caveats[i].text);
	if (r->verify_asked) {
		num = tap_line(f, num, r->verify_ok, "pattern verified");
		if (!r->verify_ok)
			fprintf(f, "# first mismatch at page %" PRIu64 " (byte %" PRIu64 ")\n",
				r->verify_bad_page, r->verify_bad_offset);
	}
	diagnostics(f, r);
	if (r->show_pages)
		out_page_table(f, r, "# ");
}
