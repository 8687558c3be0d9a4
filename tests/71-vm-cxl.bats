#!/usr/bin/env bats
# One guest with a 1 GiB CXL type-3 device under TCG (Debian's default
# kernel): the region made in the guest, every fixture, the evidence that
# names the CXL window; the one-root-port trap caught; --backing refused
# with the reason; and Debian 6.12, whose CXL driver refuses QEMU 7.2's
# device, reported as unsupported with the reason.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	boot_run_once cxl --size 1G --keep-work
}

setup() {
	load vm_helpers
	require_guest_tools
}

teardown_file() {
	local work
	work=$(sed -n 's/^pmemlab: work directory kept: //p' "$RUN_STDERR")
	[[ -z $work ]] || rm -rf "$work"
}

@test "cxl: pmemlab run exits 0 with every fixture passing" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .ok) == true ]]
	[[ $(run_report -r .failed) -eq 0 ]]
	[[ $(run_report -r .passed) -eq 12 ]]
	[[ $(fixture_field kmem .status) == skip ]]
}

@test "cxl: the region is a Persistent Memory range inside the CXL window, and the probe names both" {
	run_report -e '.pmem_iomem == ["110000000-14fffffff : Persistent Memory"]'
	run_report -e '.fixtures[0].probe.pmem_ranges[0] | .window == "CXL Window 0" and .provider == "CXL" and (.region | startswith("region")) and .synchronous == true'
}

@test "cxl: fsdax and device-DAX are pmem with MAP_SYNC; the controls are dram" {
	local f
	for f in ext4-dax xfs-dax xfs-dax-inode-flag devdax; do
		assert_placement "$f" pmem
	done
	for f in xfs-dax-inode-noflag ext4-dax-never xfs-dax-never btt-ext4 virtio-ext4 virtio-xfs tmpfs; do
		assert_placement "$f" dram
	done
}

@test "cxl: QEMU 7.2's ACPI quirk is on the console and does not fail the run" {
	local work
	work=$(sed -n 's/^pmemlab: work directory kept: //p' "$RUN_STDERR")
	grep -q 'ACPI BIOS Error (bug): Failure creating named object \[\\_SB.CL34._UID\]' "$work/console.log"
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
}

@test "cxl: with one root port (writes dropped without an error) the PMem fixtures fail, never pass" {
	PMEMLAB_TEST_CXL_ONE_PORT=1 run -1 --separate-stderr "$PMEMLAB" run --backend cxl --accel tcg --format json \
		--fixture ext4-dax --fixture devdax
	[[ $(jq -r '.fixtures[] | .result' <<<"$output" | sort -u) == fail ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "devdax") | .reason' <<<"$output") == *"info block was not on the device"* ]]
}

@test "cxl: --backing is refused with the reason (a region made at the next boot stays disabled on 6.1)" {
	run -2 --separate-stderr "$PMEMLAB" run --backend cxl --backing "$BATS_TEST_TMPDIR/cxl.img"
	[[ $stderr == *"--backing needs --backend nvdimm or virtio-pmem (on Debian 6.1 a CXL region made at the next boot stays disabled"* ]]
	[[ ! -e $BATS_TEST_TMPDIR/cxl.img ]]
}

@test "cxl on Debian 6.12: every PMem fixture unsupported, naming cxl_pci's refusal; the controls pass" {
	local kernels
	kernels=$("$PMEMLAB" kernel list 2>/dev/null)
	[[ $kernels =~ (^|$'\n')6\.12\.[^$'\n']*cloud ]] ||
		skip "no Debian 6.12 cloud kernel in the cache (pmemlab kernel fetch 6.12-cloud)"
	run -0 --separate-stderr "$PMEMLAB" run --backend cxl --kernel 6.12-cloud --accel tcg --format json \
		--fixture xfs-dax --fixture devdax --fixture tmpfs
	[[ $(jq -r '[.fixtures[] | select(.fixture != "tmpfs") | .result] | unique | join(",")' <<<"$output") == unsupported ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "xfs-dax") | .reason' <<<"$output") == *"cxl_pci"*"Failed to get interrupt for event"*"newer QEMU"* ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "tmpfs") | .result' <<<"$output") == pass ]]
	[[ $(jq -r .unsupported <<<"$output") -eq 2 ]]
}
