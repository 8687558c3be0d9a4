// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the /proc/self/mountinfo parser and its \ooo unescaping.
 * Input: the file's real path on the first line, mountinfo after it. Looked
 * up for a few devices; a match must have every field, as C strings.
 */
#include <errno.h>
#include <sys/sysmacros.h>

#include "fuzz.h"
#include "mountinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int devs[][2] = {{0, 26}, {259, 0}, {8, 1}};
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size;
	char *real = fuzz_string(data, plen);
	size_t i;

	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		FILE *f = fuzz_stream(data + plen, size - plen);
		struct mount_info m;
		int rc;

		if (!f)
			break;
		rc = mount_find_in(f, real, makedev(devs[i][0], devs[i][1]), &m);
		fclose(f);
		CHECK(rc == 0 || rc == -ENOENT || rc == -ENOMEM);
		if (rc) {
			CHECK(!m.mount_point && !m.fstype && !m.source);
			continue;
		}
		CHECK(m.mount_point && m.fstype && m.source && m.mount_options && m.super_options);
		/* every field is a C string: ASan checks each byte strlen reads */
		CHECK(strlen(m.mount_point) + strlen(m.fstype) + strlen(m.source) +
			      strlen(m.mount_options) + strlen(m.super_options) <
		      size + 5);
		mount_free(&m);
	}
	free(real);
	return 0;
}
