#!/usr/bin/env bats
# One guest with 1 GiB of memmap= (legacy e820) persistent memory under TCG:
# every fixture, and where pmemprobe finds its pages.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	boot_run_once memmap --size 1G
}

setup() {
	load vm_helpers
}

@test "memmap: pmemlab run exits 0 with every fixture passing and no kernel complaint" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .ok) == true ]]
	[[ $(run_report -r .error) == null ]]
	[[ $(run_report -r .failed) -eq 0 ]]
	[[ $(run_report -r '.fixtures | length') -eq 13 ]]
}

@test "memmap: the report names where the kernel came from: its release and package" {
	local origin guest
	origin=$(run_report -r .kernel_origin)
	guest=$(run_report -r .guest_kernel)
	# "Debian 12 bookworm: linux-image-6.1.0-57-amd64" (the host's distro)
	[[ $origin =~ ^[A-Z][a-z]+\ [0-9.]+\ [a-z-]+:\ linux-image-"$guest"( |$) ]]
}

@test "memmap: the guest sees 1 GiB of legacy PMem at 4 GiB" {
	run_report -e '.pmem_iomem == ["100000000-13fffffff : Persistent Memory (legacy)"]'
	run_report -e '.fixtures[0].probe.pmem_ranges[0].kind == "legacy"'
}

@test "memmap: ext4 on fsdax with dax=always is pmem" {
	assert_placement ext4-dax pmem
}

@test "memmap: xfs on fsdax with dax=always is pmem" {
	assert_placement xfs-dax pmem
}

@test "memmap: the DAX files map with 2 MiB faults; one written 1 MiB at a time falls back, with the reason" {
	local f
	for f in ext4-dax xfs-dax xfs-dax-inode-flag; do
		assert_pmd_faults "$f"
	done
	assert_placement xfs-dax-unaligned pmem
	assert_pmd_fallback xfs-dax-unaligned
}

@test "memmap: xfs dax=inode, file with the DAX flag, is pmem" {
	assert_placement xfs-dax-inode-flag pmem
}

@test "memmap: xfs dax=inode, file without the DAX flag, is dram" {
	assert_placement xfs-dax-inode-noflag dram
}

@test "memmap: ext4 with dax=never is dram" {
	assert_placement ext4-dax-never dram
}

@test "memmap: xfs with dax=never is dram" {
	assert_placement xfs-dax-never dram
}

@test "memmap: a devdax namespace is pmem" {
	assert_placement devdax pmem
	[[ $(fixture_field devdax .target) == /dev/dax* ]]
}

@test "memmap: ext4 on a sector (BTT) namespace is dram" {
	assert_placement btt-ext4 dram
	[[ $(fixture_field btt-ext4 .probe.evidence.source) == /dev/pmem*s ]]
}

@test "memmap: ext4 on a plain virtio disk is dram" {
	assert_placement virtio-ext4 dram
	[[ $(fixture_field virtio-ext4 .probe.evidence.fstype) == ext4 ]]
	[[ $(fixture_field virtio-ext4 .probe.evidence.source) == /dev/vd? ]]
}

@test "memmap: xfs on a plain virtio disk is dram, on a disk of its own (each made by the host)" {
	assert_placement virtio-xfs dram
	[[ $(fixture_field virtio-xfs .probe.evidence.fstype) == xfs ]]
	[[ $(fixture_field virtio-xfs .probe.evidence.source) == /dev/vd? ]]
	[[ $(fixture_field virtio-xfs .probe.evidence.source) != "$(fixture_field virtio-ext4 .probe.evidence.source)" ]]
}

@test "memmap: tmpfs is dram" {
	assert_placement tmpfs dram
}

@test "memmap: kmem is skipped: memmap PMem has no NUMA node of its own" {
	[[ $(fixture_field kmem .status) == skip ]]
	[[ $(fixture_field kmem .reason) == *"no NUMA node of its own"* ]]
}
