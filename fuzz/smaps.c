// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the /proc/self/smaps scan (smaps_scan_line()) and the
 * /proc/vmstat line reader (vmstat_line()). The input's first byte picks
 * which; for smaps the next 8 bytes are the address looked up, the rest the
 * text, fed line by line.
 *
 * smaps: a mapping found holds the address, is the first header line that
 * does (START-END in lower-case hex, START < END, then a space), and its
 * page sizes are whole kB from its own lines; nothing found, no sizes.
 * vmstat: a line is taken exactly when it is "thp_split_pud DIGITS" with an
 * optional newline and a value below 2^64, and the value agrees with a
 * 128-bit reference.
 */
#include <stdbool.h>

#include "fuzz.h"
#include "smaps.h"
#include "vmstat.h"

static bool hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Reference header parse: 1-16 hex digits, '-', 1-16 hex digits, ' ', start < end. */
static bool ref_header(const char *s, uint64_t *start, uint64_t *end)
{
	uint64_t v[2] = {0, 0};
	int i, n;

	for (i = 0; i < 2; i++) {
		for (n = 0; hexdigit(*s); s++, n++)
			v[i] = v[i] * 16 + (uint64_t)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
		if (n == 0 || n > 16 || *s != (i ? ' ' : '-'))
			return false;
		s++;
	}
	*start = v[0];
	*end = v[1];
	return v[0] < v[1];
}

static void check_smaps(uint64_t addr, char *text)
{
	struct smaps_scan s;
	bool seen = false;
	uint64_t fs = 0, fe = 0;
	char *save = NULL, *line;

	smaps_scan_init(&s, addr);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t a, b;

		if (!seen && ref_header(line, &a, &b) && a <= addr && addr < b) {
			seen = true;
			fs = a;
			fe = b;
		}
		smaps_scan_line(&s, line);
	}
	CHECK(s.vma.found == seen);
	if (seen) {
		CHECK(s.vma.start == fs && s.vma.end == fe);
	} else {
		CHECK(s.vma.kernel_page_size == 0 && s.vma.mmu_page_size == 0);
	}
	CHECK(s.vma.kernel_page_size % 1024 == 0 && s.vma.mmu_page_size % 1024 == 0);
}

static void check_vmstat(const char *line)
{
	static const char name[] = "thp_split_pud ";
	unsigned __int128 acc = 0;
	const char *p = line + strlen(name);
	bool want = strncmp(line, name, strlen(name)) == 0 && *p >= '0' && *p <= '9';
	uint64_t v = 0;
	int got;

	for (; want && *p >= '0' && *p <= '9'; p++) {
		acc = acc * 10 + (unsigned)(*p - '0');
		if (acc > UINT64_MAX)
			want = false;
	}
	if (want && *p == '\n')
		p++;
	want = want && !*p;
	got = vmstat_line(line, "thp_split_pud", &v);
	CHECK(got == (int)want);
	if (got)
		CHECK(v == (uint64_t)acc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t addr = 0;
	char *s;

	if (!size)
		return 0;
	if (data[0] % 2) {
		s = fuzz_string(data + 1, size - 1);
		check_vmstat(s);
		free(s);
		return 0;
	}
	if (size < 9)
		return 0;
	memcpy(&addr, data + 1, sizeof(addr));
	s = fuzz_string(data + 9, size - 9);
	check_smaps(addr, s);
	free(s);
	return 0;
}
