#!/usr/bin/env bats
# One guest with a 1 GiB QEMU NVDIMM (ACPI NFIT, label area) as persistent memory under TCG:
# every fixture, and where pmemprobe finds its pages.
# bats file_tags=vm
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	boot_run_once nvdimm --size 1G
}

setup() {
	load vm_helpers
}

@test "nvdimm: pmemlab run exits 0 with every fixture passing and no kernel complaint" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .ok) == true ]]
	[[ $(run_report -r .error) == null ]]
	[[ $(run_report -r .failed) -eq 0 ]]
	[[ $(run_report -r '.fixtures | length') -eq 13 ]]
}

@test "nvdimm: --size 1G gives a region of exactly 1 GiB, NFIT-described" {
	# backend = size + 2 MiB so that label area and alignment leave 1 GiB
	run_report -e '.pmem_iomem == ["100000000-13fffffff : Persistent Memory"]'
	run_report -e '.fixtures[0].probe.pmem_ranges[0].kind == "nfit"'
}

@test "nvdimm: ext4 on fsdax with dax=always is pmem" {
	assert_placement ext4-dax pmem
}

@test "nvdimm: xfs on fsdax with dax=always is pmem" {
	assert_placement xfs-dax pmem
}

@test "nvdimm: the DAX files map with 2 MiB faults; one written 1 MiB at a time falls back, with the reason" {
	local f
	for f in ext4-dax xfs-dax xfs-dax-inode-flag; do
		assert_pmd_faults "$f"
	done
	assert_placement xfs-dax-unaligned pmem
	assert_pmd_fallback xfs-dax-unaligned
}

@test "nvdimm: xfs dax=inode, file with the DAX flag, is pmem" {
	assert_placement xfs-dax-inode-flag pmem
}

@test "nvdimm: xfs dax=inode, file without the DAX flag, is dram" {
	assert_placement xfs-dax-inode-noflag dram
}

@test "nvdimm: ext4 with dax=never is dram" {
	assert_placement ext4-dax-never dram
}

@test "nvdimm: xfs with dax=never is dram" {
	assert_placement xfs-dax-never dram
}

@test "nvdimm: a devdax namespace is pmem" {
	assert_placement devdax pmem
	[[ $(fixture_field devdax .target) == /dev/dax* ]]
}

@test "nvdimm: ext4 on a sector (BTT) namespace is dram" {
	assert_placement btt-ext4 dram
	[[ $(fixture_field btt-ext4 .probe.evidence.source) == /dev/pmem*s ]]
}

@test "nvdimm: ext4 on a plain virtio disk is dram" {
	assert_placement virtio-ext4 dram
}

@test "nvdimm: xfs on a plain virtio disk is dram" {
	assert_placement virtio-xfs dram
}

@test "nvdimm: tmpfs is dram" {
	assert_placement tmpfs dram
}

@test "nvdimm: kmem onlines the namespace as a NUMA node: every page of memory bound to it is PMem, volatile" {
	[[ $(fixture_field kmem .result) == pass ]]
	[[ $(fixture_field kmem .probe.verdict) == pmem ]]
	[[ $(fixture_field kmem .probe.volatile) == true ]]
	[[ $(fixture_field kmem .probe.kmem_pages) -eq $(fixture_field kmem .probe.pages) ]]
	[[ $(fixture_field kmem .probe.numa.node) -eq 1 ]]
	[[ $(fixture_field kmem .probe.numa.pages_elsewhere) -eq 0 ]]
}

@test "nvdimm: exec --fixture kmem tells the command its node, whose memory is the NVDIMM's" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --backend nvdimm --fixture kmem -- \
		sh -c 'echo "node=$PMEM_KMEM_NODE dir=${PMEM_DIR:-none}"; cat /sys/devices/system/node/node$PMEM_KMEM_NODE/memory*/state | grep -c online'
	[[ ${lines[0]} == "node=1 dir=none" ]]
	[[ ${lines[1]} -gt 0 ]]
}

@test "nvdimm: at the smallest size, 512M, the xfs fixtures pass (mkfs.xfs's 64 MiB log fits)" {
	run -0 --separate-stderr "$PMEMLAB" run -q --accel tcg --backend nvdimm --size 512M \
		--fixture xfs-dax --fixture xfs-dax-never --format json
	[[ $(jq -r '[.fixtures[] | "\(.fixture)=\(.result)"] | join(" ")' <<<"$output") == "xfs-dax=pass xfs-dax-never=pass" ]]
}
