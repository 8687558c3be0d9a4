// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>

#include "size.h"

static int suffix_shift(const char *s)
{
	if (s[0] == '\0')
		return 0;
	if (s[1] != '\0')
		return -1;
	switch (s[0]) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	case 'T':
	case 't':
		return 40;
	}
	return -1;
}

int size_parse(const char *s, uint64_t *bytes)
{
	const uint64_t max = INT64_MAX; /* must fit in off_t */
	uint64_t v = 0;
	int shift;

	if (*s < '0' || *s > '9')
		return -EINVAL; /* empty, sign, space, junk */
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	shift = suffix_shift(s);
	if (shift < 0)
		return -EINVAL;
	if (v == 0)
		return -EINVAL;
	if (v > (max >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}
