#!/usr/bin/env bats
# One guest with a 1 GiB virtio-pmem device (the microVM shape) under TCG:
# every fixture that applies, with the probe finding the pages through
# libnvdimm's sysfs (no "Persistent Memory" line in /proc/iomem there),
# MAP_SYNC refused on its fsdax files, and a --backing file that keeps data.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	boot_run_once virtio-pmem --size 1G
	build_counter
}

setup() {
	load vm_helpers
}

@test "virtio-pmem: pmemlab run exits 0, every applicable fixture passing, BTT and kmem skipped with the reason" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .ok) == true ]]
	[[ $(run_report -r .failed) -eq 0 ]]
	[[ $(run_report -r '.fixtures | length') -eq 13 ]]
	[[ $(run_report -r .skipped) -eq 2 ]]
	[[ $(fixture_field btt-ext4 .status) == skip ]]
	[[ $(fixture_field kmem .reason) == *"no NUMA node of its own"* ]]
	[[ $(fixture_field btt-ext4 .reason) == *"scheduling while atomic"* ]]
}

@test "virtio-pmem: /proc/iomem has no Persistent Memory line, yet the probe finds the region in sysfs" {
	run_report -e '.pmem_iomem == []'
	run_report -e '.fixtures[0].probe.pmem_ranges[0] | .provider == "virtio-pmem" and .synchronous == false and .source == "sysfs"'
}

# On an asynchronous region the kernel refuses MAP_SYNC (a CPU cache flush
# cannot make data durable) and libpmem says it is not PMem.
assert_async_fsdax() {
	local f=$1
	[[ $(fixture_field "$f" .status) == ok ]]
	[[ $(fixture_field "$f" .probe.verdict) == pmem ]]
	[[ $(fixture_field "$f" .probe.pmem_pages) -eq $(fixture_field "$f" .probe.pages) ]]
	[[ $(fixture_field "$f" .probe.evidence.statx_dax) == true ]]
	[[ $(fixture_field "$f" .probe.evidence.map_sync) == false ]]
	[[ $(fixture_field "$f" .probe.evidence.map_sync_error) == "Operation not supported" ]]
	[[ $(fixture_field "$f" .probe.evidence.libpmem_is_pmem) == false ]]
	[[ $(fixture_field "$f" .expected_map_sync) == false ]]
	[[ $(fixture_field "$f" .probe.conflicts | jq length) -eq 0 ]]
	[[ $(fixture_field "$f" .result) == pass ]]
}

@test "virtio-pmem: ext4 dax=always is pmem, MAP_SYNC refused" {
	assert_async_fsdax ext4-dax
}

@test "virtio-pmem: xfs dax=always is pmem, MAP_SYNC refused" {
	assert_async_fsdax xfs-dax
	assert_async_fsdax xfs-dax-unaligned
}

@test "virtio-pmem: xfs dax=inode with the flag is pmem, MAP_SYNC refused" {
	assert_async_fsdax xfs-dax-inode-flag
}

@test "virtio-pmem: device-DAX is pmem and accepts MAP_SYNC, with the caveat named" {
	[[ $(fixture_field devdax .probe.verdict) == pmem ]]
	[[ $(fixture_field devdax .probe.evidence.map_sync) == true ]]
	[[ $(fixture_field devdax '.probe.caveats | map(.name) | index("map-sync-on-async-region")') != null ]]
	[[ $(fixture_field devdax .result) == pass ]]
}

@test "virtio-pmem: the non-DAX controls are dram" {
	local f
	for f in xfs-dax-inode-noflag ext4-dax-never xfs-dax-never virtio-ext4 virtio-xfs tmpfs; do
		assert_placement "$f" dram
	done
}

@test "virtio-pmem: a --backing file keeps a libpmemobj pool across runs (flushes reach the host file)" {
	require_counter
	cd "$BATS_TEST_TMPDIR" || return
	cp "$BATS_FILE_TMPDIR/pmemobj-counter" .
	local counter_run=("$PMEMLAB" exec -q --accel tcg --backend virtio-pmem --backing "$BATS_TEST_TMPDIR/vpmem.img" -- ./pmemobj-counter /mnt/pmem)
	run -0 --separate-stderr "${counter_run[@]}"
	[[ $output == "counter 1 is_pmem 0" ]]
	[[ $(stat -c %a vpmem.img) == 600 ]]
	run -0 --separate-stderr "${counter_run[@]}"
	[[ $output == "counter 2 is_pmem 0" ]]
}
