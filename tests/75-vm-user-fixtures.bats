#!/usr/bin/env bats
# Your own DAX setup in one guest: the five bug-report setups of
# fixtures/examples/ as fixture files, an in-tree fixture given mkfs and
# mount options with --fixture-opt, and a fixture file that fails in the
# guest (it fails alone; the run goes on). nvdimm, 4 GiB: room for a
# 1 GiB-aligned namespace and for two namespaces side by side.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	local ex=$BATS_TEST_DIRNAME/../fixtures/examples
	printf '%s\n' 'FIXTURE_EXPECT=pmem' 'fixture_setup() {' \
		'	echo "the setup of this fixture failed on purpose" >&2' '	exit 1' '}' >"$BATS_FILE_TMPDIR/fails-in-guest.sh"
	boot_run_once nvdimm --size 4G \
		--fixture ext4-dax --fixture-opt 'ext4-dax:mkfs=-b 4096 -E stride=512' \
		--fixture-opt 'ext4-dax:mount=dax=always,noatime' \
		--fixture "$BATS_FILE_TMPDIR/fails-in-guest.sh" \
		--fixture "$ex/fsdax-align-1g.sh" --fixture "$ex/ext4-stride.sh" --fixture "$ex/xfs-reflink.sh" \
		--fixture "$ex/devdax-1g.sh" --fixture "$ex/two-namespaces.sh"
}

setup() {
	load vm_helpers
}

# passes_2m NAME: pmem, every page in PMem, MAP_SYNC, and 2 MiB faults only.
passes_2m() {
	assert_placement "$1" pmem
	[[ $(fixture_field "$1" .probe.evidence.fault_sizes.faults_2m) -gt 0 ]]
	[[ $(fixture_field "$1" .probe.evidence.fault_sizes.faults_4k) -eq 0 ]]
}

@test "an in-tree fixture takes mkfs and mount options from --fixture-opt, and the report shows them" {
	passes_2m ext4-dax
	[[ $(fixture_field ext4-dax '.options | join(";")') == "mkfs=-b 4096 -E stride=512;mount=dax=always,noatime" ]]
}

@test "a fixture file that fails in the guest fails alone, with its stderr, and the run goes on" {
	[[ $(cat "$RUN_STATUS") == 1 ]]
	[[ $(fixture_field fails-in-guest .result) == fail ]]
	[[ $(fixture_field fails-in-guest .reason) == *"the setup of this fixture failed on purpose"* ]]
	[[ $(fixture_field fails-in-guest .user_file) == "$BATS_FILE_TMPDIR/fails-in-guest.sh" ]]
	# every fixture after it ran
	[[ $(run_report -r '.fixtures | length') == 7 ]]
}

@test "example: fsdax aligned to 1 GiB with map=mem gives pmem and 2 MiB faults" {
	passes_2m fsdax-align-1g
}

@test "example: ext4 -b 4096 -E stride=512 mounted dax=always,noatime gives pmem and 2 MiB faults" {
	passes_2m ext4-stride
	[[ ,$(fixture_field ext4-stride .probe.evidence.mount_options), == *,noatime,* ]]
}

@test "example: xfs with mkfs's reflink=1 and -o dax gives pmem with 4 KiB faults only" {
	assert_placement xfs-reflink pmem
	[[ $(fixture_field xfs-reflink .probe.evidence.fault_sizes.faults_2m) -eq 0 ]]
	[[ $(fixture_field xfs-reflink .probe.evidence.fault_sizes.faults_4k) -eq $(fixture_field xfs-reflink .probe.pages) ]]
}

@test "example: two namespaces on one region, the fsdax one probed, gives pmem" {
	passes_2m two-namespaces
}

@test "example: device-DAX aligned to 1 GiB, 1 GiB mapped, gives pmem" {
	[[ $(fixture_field devdax-1g .probe.size) -eq 1073741824 ]]
	[[ $(fixture_field devdax-1g .probe.verdict) == pmem ]]
	[[ $(fixture_field devdax-1g .probe.witness) == device-range ]]
	[[ $(fixture_field devdax-1g .probe.evidence.huge_runs_1g) -eq 1 ]]
	[[ $(fixture_field devdax-1g .result) == pass ]]
}
