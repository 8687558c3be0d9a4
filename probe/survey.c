// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pagemap.h"
#include "survey.h"

static int failed(struct failure *f, const char *op, const char *path, const char *why, int rc)
{
	f->op = op;
	f->path = path;
	f->why = why;
	return rc;
}

/* "start-end perms offset maj:min inode   path" -> 0, or -EINVAL (also: no path). */
static int parse_map(char *line, struct survey_map *m)
{
	char *path;
	int pos = 0;
	size_t len;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n", &m->start,
		   &m->end, m->perms, &m->offset, &m->dev_major, &m->dev_minor, &m->inode,
		   &pos) != 7 ||
	    pos == 0)
		return -EINVAL;
	path = line + pos;
	len = strlen(path);
	if (len && path[len - 1] == '\n')
		path[--len] = '\0';
	if (!len || m->inode == 0)
		return -EINVAL; /* anonymous, [heap], [stack], [vdso] */
	m->path = path;
	return 0;
}

static int add_map(struct survey *s, const struct survey_map *m)
{
	struct survey_map *copy;

	if (s->nr == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 32;
		struct survey_map *v = realloc(s->maps, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->maps = v;
		s->cap = ncap;
	}
	copy = &s->maps[s->nr];
	*copy = *m;
	copy->path = strdup(m->path);
	if (!copy->path)
		return -ENOMEM;
	s->nr++;
	return 0;
}

static void add_counts(struct placement_counts *t, const struct placement_counts *n)
{
	t->pages += n->pages;
	t->present += n->present;
	t->pmem += n->pmem;
	t->dram += n->dram;
	t->unknown += n->unknown;
	t->kmem += n->kmem;
	t->pfn_hidden += n->pfn_hidden;
	t->huge_runs += n->huge_runs;
}

static int survey_maps(struct survey *s, FILE *maps, int pagemap, const struct stat *want)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	while (!rc && getline(&line, &cap, maps) > 0) {
		struct survey_map m;
		struct classifier c;

		if (parse_map(line, &m))
			continue;
		if (want && (m.inode != want->st_ino || m.dev_major != major(want->st_dev) ||
			     m.dev_minor != minor(want->st_dev)))
			continue;
		classify_init(&c, &s->io, s->page_size, false);
		rc = pagemap_classify(pagemap, m.start, (m.end - m.start) / s->page_size, &c);
		classify_free(&c);
		if (rc)
			break;
		m.n = c.n;
		add_counts(&s->total, &m.n);
		rc = add_map(s, &m);
	}
	free(line);
	return rc;
}

int survey_run(pid_t pid, const char *filter, const char *iomem_path, const char *sysfs,
	       struct survey *s, struct failure *f)
{
	static char maps_path[64];
	struct stat st;
	FILE *maps;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	memset(f, 0, sizeof(*f));
	s->pid = pid;
	s->filter = filter;
	s->iomem_path = iomem_path;
	s->sysfs_path = sysfs;
	s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);

	rc = ranges_load(iomem_path, sysfs, &s->io, &s->regions, f);
	if (rc)
		return rc;
	if (filter && stat(filter, &st))
		return failed(f, "stat", filter, NULL, -errno);

	snprintf(maps_path, sizeof(maps_path), "/proc/%d/maps", (int)pid);
	maps = fopen(maps_path, "re");
	if (!maps)
		return failed(f, "open", maps_path, NULL, -errno);
	fd = pagemap_open("/proc", pid);
	if (fd < 0) {
		fclose(maps);
		snprintf(maps_path, sizeof(maps_path), "/proc/%d/pagemap", (int)pid);
		if (fd == -ESRCH) /* the process exists: its maps opened */
			snprintf(f->buf, sizeof(f->buf),
				 "process %d has no user address space (a kernel thread or a "
				 "zombie)",
				 (int)pid);
		return failed(f, "open", maps_path, fd == -ESRCH ? f->buf : NULL, fd);
	}
	rc = survey_maps(s, maps, fd, filter ? &st : NULL);
	close(fd);
	fclose(maps);
	if (rc) {
		snprintf(maps_path, sizeof(maps_path), "/proc/%d/pagemap", (int)pid);
		return failed(f, "read", maps_path, NULL, rc);
	}
	if (!s->nr) {
		snprintf(f->buf, sizeof(f->buf), "process %d %s", (int)pid,
			 filter ? "does not map it" : "has no file-backed mapping");
		return failed(f, "survey", filter ? filter : maps_path, f->buf, -ENOENT);
	}
	s->verdict = verdict_of(&s->total, &s->io, &s->reason);
	return 0;
}

void survey_free(struct survey *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free(s->maps[i].path);
	free(s->maps);
	s->maps = NULL;
	s->nr = s->cap = 0;
	iomem_free(&s->io);
	nd_regions_free(&s->regions);
}
