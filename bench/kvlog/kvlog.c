// SPDX-License-Identifier: MIT
/*
 * kvlog: the small libpmem program of the exec benchmark (bench/exec) and
 * of docs/CI.md's example. An append-only log in one file mapped with
 * pmem_map_file: each call appends its arguments as records, made durable
 * with pmem_persist, then prints every record in the log and whether
 * libpmem calls the mapping PMem. Exit status 0 on success, 1 on error.
 */
#include <errno.h>
#include <libpmem.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LOG_SIZE (4u << 20)

struct log_header {
	uint64_t used; /* bytes of records after the header */
};

static int append(char *base, const char *text)
{
	struct log_header *h = (struct log_header *)base;
	size_t len = strlen(text) + 1;

	if (sizeof(*h) + h->used + len > LOG_SIZE)
		return -ENOSPC;
	memcpy(base + sizeof(*h) + h->used, text, len);
	pmem_persist(base + sizeof(*h) + h->used, len);
	h->used += len;
	pmem_persist(&h->used, sizeof(h->used));
	return 0;
}

int main(int argc, char **argv)
{
	size_t mapped;
	int is_pmem;
	char *base;

	if (argc < 2) {
		fprintf(stderr, "usage: kvlog FILE [RECORD...]\n");
		return 1;
	}
	base = pmem_map_file(argv[1], LOG_SIZE, PMEM_FILE_CREATE, 0600, &mapped, &is_pmem);
	if (base == NULL) {
		fprintf(stderr, "kvlog: pmem_map_file %s: %s\n", argv[1], pmem_errormsg());
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int rc = append(base, argv[i]);

		if (rc < 0) {
			fprintf(stderr, "kvlog: append to %s: %s\n", argv[1], strerror(-rc));
			pmem_unmap(base, mapped);
			return 1;
		}
	}
	printf("is_pmem %d\n", is_pmem);
	const struct log_header *h = (const struct log_header *)base;
	for (size_t off = 0; off < h->used; off += strlen(base + sizeof(*h) + off) + 1)
		printf("%s\n", base + sizeof(*h) + off);
	pmem_unmap(base, mapped);
	return 0;
}
