// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mountinfo.h"

#define MI_FIELDS 32

/* mountinfo escapes space, tab, newline and backslash as \ooo; undo it in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Split a mountinfo line; fills the wanted fields. Returns 0 or -EINVAL. */
static int split(char *line, unsigned int *maj, unsigned int *min, struct mount_info *m)
{
	char *f[MI_FIELDS], *save = NULL, *tok;
	int n = 0, dash = -1, i;

	for (tok = strtok_r(line, " \n", &save); tok && n < MI_FIELDS;
	     tok = strtok_r(NULL, " \n", &save))
		f[n++] = tok;
	for (i = 6; i < n; i++) {
		if (strcmp(f[i], "-") == 0) {
			dash = i;
			break;
		}
	}
	if (n < 6 || dash < 0 || dash + 3 > n || sscanf(f[2], "%u:%u", maj, min) != 2)
		return -EINVAL;
	m->mount_point = f[4];
	m->mount_options = f[5];
	m->fstype = f[dash + 1];
	m->source = f[dash + 2];
	m->super_options = dash + 3 < n ? f[dash + 3] : f[dash + 2] + strlen(f[dash + 2]);
	return 0;
}

/* Length of mount point @mp if it is a path prefix of @real, else -1. */
static long prefix_len(const char *mp, const char *real)
{
	size_t len = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return 1;
	if (strncmp(mp, real, len) == 0 && (real[len] == '/' || real[len] == '\0'))
		return (long)len;
	return -1;
}

static int dup_mount(const struct mount_info *src, struct mount_info *m)
{
	m->mount_point = strdup(src->mount_point);
	m->fstype = strdup(src->fstype);
	m->source = strdup(src->source);
	m->mount_options = strdup(src->mount_options);
	m->super_options = strdup(src->super_options);
	if (!m->mount_point || !m->fstype || !m->source || !m->mount_options || !m->super_options) {
		mount_free(m);
		return -ENOMEM;
	}
	unescape(m->mount_point);
	unescape(m->source);
	unescape(m->mount_options);
	unescape(m->super_options);
	return 0;
}

int mount_find_in(FILE *f, const char *real, dev_t dev, struct mount_info *m)
{
	char *line = NULL, *best = NULL;
	long best_score = 0;
	size_t cap = 0;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	while (getline(&line, &cap, f) > 0) {
		char *copy = strdup(line);
		struct mount_info e;
		unsigned int maj, min;
		long score;

		if (!copy) {
			rc = -ENOMEM;
			break;
		}
		if (split(copy, &maj, &min, &e)) {
			free(copy);
			continue;
		}
		unescape(e.mount_point);
		/* A device match beats any prefix; then the longer prefix; then the later line. */
		score = prefix_len(e.mount_point, real) + 1;
		if (maj == major(dev) && min == minor(dev))
			score += 1L << 20;
		if (score > 0 && score >= best_score) {
			free(best);
			best = strdup(line);
			best_score = score;
			if (!best)
				rc = -ENOMEM;
		}
		free(copy);
		if (rc)
			break;
	}
	free(line);
	if (!rc && !best)
		rc = -ENOENT;
	if (!rc) {
		struct mount_info e;
		unsigned int maj, min;

		rc = split(best, &maj, &min, &e);
		if (!rc)
			rc = dup_mount(&e, m);
	}
	free(best);
	return rc;
}

int mount_find(const char *mountinfo, const char *path, dev_t dev, struct mount_info *m)
{
	char real[PATH_MAX];
	FILE *f;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!realpath(path, real))
		real[0] = '\0';
	f = fopen(mountinfo, "re");
	if (!f)
		return -errno;
	rc = mount_find_in(f, real, dev, m);
	fclose(f);
	return rc;
}

void mount_free(struct mount_info *m)
{
	free(m->mount_point);
	free(m->fstype);
	free(m->source);
	free(m->mount_options);
	free(m->super_options);
	memset(m, 0, sizeof(*m));
}

static int read_flag(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, &c, 1);
	close(fd);
	return n == 1 && (c == '0' || c == '1') ? c - '0' : -1;
}

int queue_dax(dev_t dev)
{
	char path[128];
	int v;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/queue/dax", major(dev), minor(dev));
	v = read_flag(path);
	if (v >= 0)
		return v;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/partition", major(dev), minor(dev));
	if (access(path, F_OK))
		return -1;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../queue/dax", major(dev), minor(dev));
	return read_flag(path);
}
