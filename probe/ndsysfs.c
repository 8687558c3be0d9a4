// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ndsysfs.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sysfs_parse_u64(const char *text, int base, uint64_t *v)
{
	const char *s = text;
	uint64_t acc = 0;
	int d;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	/* digits by hand: strtoull would take a second "0x" ("0x0xff") and a sign */
	for (text = s; (d = hex_digit(*s)) >= 0 && d < base; s++) {
		if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -EINVAL;
		acc = acc * (uint64_t)base + (uint64_t)d;
	}
	if (s == text)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*v = acc;
	return 0;
}

int sysfs_read_attr(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), rc = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		rc = errno ? -errno : -EINVAL;
		close(fd);
		return rc ? rc : -EINVAL;
	}
	n = read(fd, buf, cap - 1);
	if (n < 0)
		rc = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return rc;
}

/* @dir/@name/@attr into @path; -ENAMETOOLONG if it does not fit. */
static int attr_path(char *path, size_t cap, const char *dir, const char *name, const char *attr)
{
	int n = snprintf(path, cap, "%s/%s/%s", dir, name, attr);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void region_read(const char *dir, struct nd_region_info *g)
{
	char path[4096], buf[128];
	uint64_t start, size;
	int rc;

	g->sync = -1;
	/* regionN is a symlink into its ndbus: ".." resolves to the bus. */
	if (!attr_path(path, sizeof(path), dir, g->name, "../provider") &&
	    sysfs_read_attr(path, buf, sizeof(buf)) == 0) {
		size_t len = strcspn(buf, "\n");

		if (len >= sizeof(g->provider))
			len = sizeof(g->provider) - 1;
		memcpy(g->provider, buf, len);
		g->provider[len] = '\0';
		g->sync = pmem_provider_sync(g->provider);
	}
	rc = attr_path(path, sizeof(path), dir, g->name, "resource");
	if (!rc)
		rc = sysfs_read_attr(path, buf, sizeof(buf));
	if (rc == -ENOENT) {
		snprintf(g->error, sizeof(g->error), "no resource attribute (not a PMem region)");
		return;
	}
	if (rc) {
		snprintf(g->error, sizeof(g->error), "resource: %s%s", strerror(-rc),
			 rc == -EACCES ? " (mode 0400: root only)" : "");
		return;
	}
	if (sysfs_parse_u64(buf, 16, &start)) {
		snprintf(g->error, sizeof(g->error), "resource: not a hex address");
		return;
	}
	rc = attr_path(path, sizeof(path), dir, g->name, "size");
	if (!rc)
		rc = sysfs_read_attr(path, buf, sizeof(buf));
	if (rc) {
		snprintf(g->error, sizeof(g->error), "size: %s", strerror(-rc));
		return;
	}
	if (sysfs_parse_u64(buf, 10, &size) || size == 0 || start + (size - 1) < start) {
		snprintf(g->error, sizeof(g->error), "size: not a positive number within 2^64");
		return;
	}
	g->start = start;
	g->end = start + (size - 1);
	g->have_range = true;
}

static int cmp_name(const void *a, const void *b)
{
	const struct nd_region_info *x = a, *y = b;
	size_t lx = strlen(x->name), ly = strlen(y->name);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->name, y->name); /* region2 < region10 */
}

int nd_regions_load(const char *sysfs, struct nd_regions *out)
{
	char dir[4096];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(sysfs, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (attr_path(dir, sizeof(dir), sysfs, "bus/nd", "devices"))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	out->bus_present = true;
	while ((de = readdir(d))) {
		struct nd_region_info *g;
		const char *n = de->d_name;

		if (strncmp(n, "region", 6) || !n[6] || n[6 + strspn(n + 6, "0123456789")] ||
		    strlen(n) >= PMEM_NAME_MAX)
			continue;
		if (out->nr == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct nd_region_info *v = realloc(out->v, ncap * sizeof(*v));

			if (!v) {
				closedir(d);
				nd_regions_free(out);
				return -ENOMEM;
			}
			out->v = v;
			cap = ncap;
		}
		g = &out->v[out->nr++];
		memset(g, 0, sizeof(*g));
		memcpy(g->name, n, strlen(n) + 1); /* shorter than PMEM_NAME_MAX */
		region_read(dir, g);
	}
	closedir(d);
	if (out->nr)
		qsort(out->v, out->nr, sizeof(*out->v), cmp_name);
	return 0;
}

void nd_regions_free(struct nd_regions *r)
{
	free(r->v);
	r->v = NULL;
	r->nr = 0;
}

int numa_node_exists(const char *sysfs, unsigned int node)
{
	char path[4096];
	struct stat st;

	int n = snprintf(path, sizeof(path), "%s/devices/system/node/node%u", sysfs, node);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOENT;
}
