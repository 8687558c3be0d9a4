/* SPDX-License-Identifier: MIT */
/*
 * A recognisable per-block pattern (4096-byte blocks): the text
 * "pmemlab block %016x\n" padded with NULs to 32 bytes, then 508 64-bit
 * little-endian words ((block << 20 | word) * 0x9e3779b97f4a7c15).
 */
#ifndef PMEMPROBE_PATTERN_H
#define PMEMPROBE_PATTERN_H

#include <stdbool.h>
#include <stdint.h>

#define PATTERN_BLOCK 4096

/*
 * Create @path (O_CREAT|O_EXCL: never an existing file) holding @size bytes
 * of pattern, blocks allocated. 0 or -errno with *@op naming the failed step;
 * a file created here is removed again on failure. For 2 MiB or more it
 * first asks for a 2 MiB extent size hint (FS_IOC_FSSETXATTR, honoured by
 * xfs), so that DAX can map whole 2 MiB extents: *@extsize is the hint set,
 * 0 where the file system refused it.
 */
int pattern_create(const char *path, uint64_t size, const char **op, uint64_t *extsize);

/* Compare @size bytes at @p with the pattern. true, or false with *@bad_off. */
bool pattern_check(const uint8_t *p, uint64_t size, uint64_t *bad_off);

#endif
