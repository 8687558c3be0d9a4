/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer harnesses: a checked invariant and the input as a stream or string. */
#ifndef PMEMPROBE_FUZZ_H
#define PMEMPROBE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant of the code under test: a violation is a crash libFuzzer keeps. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__,     \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A read-only stream over @data (glibc's fmemopen refuses size 0: /dev/null then). */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
	if (!size)
		return fopen("/dev/null", "re");
	return fmemopen((void *)data, size, "r");
}

/* @data as a NUL-terminated string (cut at its first NUL, as argv would be). Free it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
