// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmstat.h"

int vmstat_line(const char *line, const char *name, uint64_t *v)
{
	size_t len = strlen(name);
	const char *p = line + len + 1;
	uint64_t acc = 0;

	if (strncmp(line, name, len) || line[len] != ' ' || *p < '0' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (acc > (UINT64_MAX - d) / 10)
			return 0;
		acc = acc * 10 + d;
	}
	if (*p == '\n')
		p++;
	if (*p)
		return 0;
	*v = acc;
	return 1;
}

int vmstat_read(const char *path, const char *name, uint64_t *v)
{
	char line[256];
	int rc = -ENOENT;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (rc == -ENOENT && fgets(line, sizeof(line), f))
		if (vmstat_line(line, name, v))
			rc = 0;
	if (rc && ferror(f))
		rc = errno ? -errno : -EIO;
	fclose(f);
	return rc;
}
