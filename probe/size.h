/* SPDX-License-Identifier: MIT */
/* Byte counts on the command line: "4096", "64K", "2M", "1G", "1T" (powers of 1024). */
#ifndef PMEMPROBE_SIZE_H
#define PMEMPROBE_SIZE_H

#include <stdint.h>

/*
 * Parse @s into *@bytes. Returns 0, -EINVAL for junk, an empty string, a sign
 * or zero, -ERANGE when the value does not fit in 63 bits (off_t).
 */
int size_parse(const char *s, uint64_t *bytes);

#endif
