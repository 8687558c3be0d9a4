// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "smaps.h"

void smaps_scan_init(struct smaps_scan *s, uint64_t addr)
{
	memset(s, 0, sizeof(*s));
	s->addr = addr;
}

/* Lower-case hex digits into @v, at most 16 of them; the end, or NULL if none or too many. */
static const char *hex(const char *p, uint64_t *v)
{
	const char *start = p;
	uint64_t acc = 0;

	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++) {
		if (p - start == 16)
			return NULL;
		acc = acc * 16 + (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	}
	*v = acc;
	return p == start ? NULL : p;
}

/* "START-END " with START < END: a mapping's header line. */
static bool header(const char *line, uint64_t *start, uint64_t *end)
{
	const char *p = hex(line, start);

	if (!p || *p != '-')
		return false;
	p = hex(p + 1, end);
	return p && *p == ' ' && *start < *end;
}

/* "NAME:   N kB" -> N * 1024 bytes; 0 when the line is not that or overflows. */
static uint64_t kb_field(const char *line, const char *name)
{
	size_t len = strlen(name);
	const char *p = line + len;
	uint64_t kb = 0;
	int digits = 0;

	if (strncmp(line, name, len) || *p != ':')
		return 0;
	for (p++; *p == ' '; p++)
		;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (kb > (UINT64_MAX / 1024 - d) / 10)
			return 0;
		kb = kb * 10 + d;
	}
	if (!digits || strncmp(p, " kB", 3) || (p[3] && p[3] != '\n'))
		return 0;
	return kb * 1024;
}

void smaps_scan_line(struct smaps_scan *s, const char *line)
{
	uint64_t start, end, v;

	if (header(line, &start, &end)) {
		s->in = !s->vma.found && start <= s->addr && s->addr < end;
		if (s->in) {
			s->vma.found = true;
			s->vma.start = start;
			s->vma.end = end;
		}
		return;
	}
	if (!s->in)
		return;
	v = kb_field(line, "KernelPageSize");
	if (v)
		s->vma.kernel_page_size = v;
	v = kb_field(line, "MMUPageSize");
	if (v)
		s->vma.mmu_page_size = v;
}

int smaps_load(const char *path, uint64_t addr, struct smaps_vma *out)
{
	char line[SMAPS_LINE_MAX];
	struct smaps_scan s;
	bool whole = true; /* the previous fgets() ended a line */
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	smaps_scan_init(&s, addr);
	while (fgets(line, sizeof(line), f)) {
		bool ends = strchr(line, '\n') != NULL;

		if (whole && (ends || feof(f)))
			smaps_scan_line(&s, line);
		whole = ends; /* the pieces of an overlong line are skipped */
	}
	if (ferror(f)) {
		int rc = errno ? -errno : -EIO;

		fclose(f);
		return rc;
	}
	fclose(f);
	*out = s.vma;
	return 0;
}
