// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the sysfs attribute parsers (libnvdimm region `resource`
 * and `size`) and the fs_dax trace line counter. The input's first byte picks
 * which; the rest is the text.
 *
 * sysfs_parse_u64() must agree with a reference: optional 0x (base 16), at
 * least one digit, no sign or space, one optional trailing newline, no
 * overflow. dax_trace_line() counts at most one event per line, a
 * "dax_pmd_fault_done" line as 2 MiB or fallback, and keeps a fallback's
 * address only with a fallback; dax_trace_line_pid() finds only a pid
 * written as "-PID [CPU]".
 */
#include <errno.h>
#include <stdbool.h>

#include "daxtrace.h"
#include "fuzz.h"
#include "ndsysfs.h"

static int digit(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int reference(const char *s, int base, uint64_t *v)
{
	unsigned __int128 acc = 0;
	bool any = false;

	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; digit(*s, base) >= 0; s++) {
		acc = acc * (unsigned)base + (unsigned)digit(*s, base);
		if (acc > UINT64_MAX)
			return -EINVAL;
		any = true;
	}
	if (!any)
		return -EINVAL;
	if (*s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	*v = (uint64_t)acc;
	return 0;
}

static void check_number(const char *s, int base)
{
	uint64_t got = 0, want = 0;
	int rc = sysfs_parse_u64(s, base, &got), ref = reference(s, base, &want);

	CHECK(rc == ref);
	if (!rc)
		CHECK(got == want);
}

/* A pid found is the digits after a '-', followed by blanks and "[CPU]". */
static void check_line_pid(const char *line)
{
	long pid = dax_trace_line_pid(line);
	char want[32];
	const char *p;

	CHECK(pid >= -1 && pid < 1000000000L);
	if (pid < 0)
		return;
	snprintf(want, sizeof(want), "-%ld", pid);
	for (p = strstr(line, want); p; p = strstr(p + 1, want)) {
		const char *q = p + strlen(want);

		while (*q == ' ')
			q++;
		if (q > p + strlen(want) && *q == '[')
			return;
	}
	CHECK(!"a pid not written as -PID [CPU]");
}

static void check_trace(char *text)
{
	char *save = NULL, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct dax_faults n = {0};
		uint64_t total;

		dax_trace_line(line, &n);
		total = n.pte + n.pmd + n.pmd_fallback + n.load_hole + n.other;
		CHECK(total <= 1);
		if (line[0] != '#' && strstr(line, ": dax_pmd_fault_done: "))
			CHECK(n.pmd + n.pmd_fallback == 1);
		if (n.have_fallback)
			CHECK(n.pmd_fallback == 1);
		if (line[0] == '#')
			CHECK(total == 0);
		check_line_pid(line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (!size)
		return 0;
	s = fuzz_string(data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		check_number(s, 16);
		break;
	case 1:
		check_number(s, 10);
		break;
	default:
		check_trace(s);
	}
	free(s);
	return 0;
}
