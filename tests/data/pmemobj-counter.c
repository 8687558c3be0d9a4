// SPDX-License-Identifier: MIT
/*
 * A stand-in for a user's PMem application (tests/46-vm-host-root.bats):
 * opens or creates a libpmemobj pool in DIR (or on a device-DAX device),
 * increments a counter in one transaction, and prints what libpmem itself
 * decides about that place.
 *
 *   pmemobj-counter DIR|/dev/daxX.Y  ->  "counter N is_pmem B"
 */
#include <errno.h>
#include <libpmem.h>
#include <libpmemobj.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAYOUT "pmemlab-counter"

struct root {
	uint64_t counter;
};

/* libpmem's own verdict: pmem_map_file maps through MAP_SYNC or devdax. */
static int libpmem_is_pmem(const char *dir, int devdax)
{
	char path[4096];
	size_t len;
	int is_pmem;
	void *addr;

	if (devdax) {
		addr = pmem_map_file(dir, 0, 0, 0, &len, &is_pmem);
		if (!addr) {
			fprintf(stderr, "pmem_map_file %s: %s\n", dir, pmem_errormsg());
			return -1;
		}
		pmem_unmap(addr, len);
		return is_pmem;
	}
	snprintf(path, sizeof(path), "%s/is-pmem.probe", dir);
	addr = pmem_map_file(path, 1 << 20, PMEM_FILE_CREATE, 0600, &len, &is_pmem);
	if (!addr) {
		fprintf(stderr, "pmem_map_file %s: %s\n", path, pmem_errormsg());
		return -1;
	}
	pmem_unmap(addr, len);
	unlink(path);
	return is_pmem;
}

int main(int argc, char **argv)
{
	char pool_path[4096];
	PMEMobjpool *pop;
	struct root *root;
	struct stat st;
	int is_pmem, devdax;

	if (argc != 2) {
		fprintf(stderr, "usage: pmemobj-counter DIR\n");
		return 2;
	}
	devdax = stat(argv[1], &st) == 0 && S_ISCHR(st.st_mode);
	is_pmem = libpmem_is_pmem(argv[1], devdax);
	if (is_pmem < 0)
		return 1;
	if (devdax)
		snprintf(pool_path, sizeof(pool_path), "%s", argv[1]);
	else
		snprintf(pool_path, sizeof(pool_path), "%s/counter.pool", argv[1]);
	pop = pmemobj_open(pool_path, LAYOUT);
	/* a device-DAX pool takes the whole device: size 0 */
	if (!pop)
		pop = pmemobj_create(pool_path, LAYOUT, devdax ? 0 : PMEMOBJ_MIN_POOL, 0600);
	if (!pop) {
		fprintf(stderr, "pmemobj_create %s: %s\n", pool_path, pmemobj_errormsg());
		return 1;
	}
	root = pmemobj_direct(pmemobj_root(pop, sizeof(*root)));
	TX_BEGIN(pop)
	{
		pmemobj_tx_add_range_direct(&root->counter, sizeof(root->counter));
		root->counter++;
	}
	TX_ONABORT
	{
		fprintf(stderr, "transaction aborted: %s\n", strerror(errno));
		pmemobj_close(pop);
		return 1;
	}
	TX_END
	printf("counter %llu is_pmem %d\n", (unsigned long long)root->counter, is_pmem);
	pmemobj_close(pop);
	return 0;
}
