// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: --size parsing. size_parse() must agree with a
 * reference written with 128-bit arithmetic: same error, same value.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz.h"
#include "size.h"

static int reference(const char *s, uint64_t *bytes)
{
	static const char suffixes[] = "kmgt";
	unsigned __int128 v = 0;
	bool big = false;
	const char *p;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (!big)
			v = v * 10 + (unsigned)(*s - '0');
		big = big || v > INT64_MAX;
	}
	if (big)
		return -ERANGE;
	if (*s) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		p = strchr(suffixes, c);
		if (!p || s[1])
			return -EINVAL;
		shift = 10 * (int)(p - suffixes + 1);
	}
	if (v == 0)
		return -EINVAL;
	if ((v << shift) > INT64_MAX)
		return -ERANGE;
	*bytes = (uint64_t)(v << shift);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	uint64_t got = 0, want = 0;
	int rc = size_parse(s, &got), ref = reference(s, &want);

	CHECK(rc == ref);
	if (rc == 0) {
		CHECK(got == want);
		CHECK(got > 0 && got <= INT64_MAX);
	}
	free(s);
	return 0;
}
