#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# --format tap: TAP 13 that a harness can consume (kselftest style).
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	require_root
	make_file "$SHM/f" 65536
}

teardown() {
	probe_teardown
}

@test "TAP output is well-formed, with a plan and only ok lines for a tmpfs file" {
	run -0 --separate-stderr "$PMEMPROBE" --format tap "$SHM/f"
	tap_validate <<<"$output"
	[[ ${lines[0]} == "TAP version 13" ]]
	[[ ${lines[1]} == "1..4" ]]
	[[ $output == *"ok 3 - placement determined: dram"* ]]
	[[ $output != *"not ok"* ]]
}

@test "TAP adds a check for --expect and one for --verify" {
	"$PMEMPROBE" --create --size 64K "$SHM/new" >/dev/null
	run -0 --separate-stderr "$PMEMPROBE" --format tap --expect dram --verify "$SHM/new"
	tap_validate <<<"$output"
	[[ ${lines[1]} == "1..6" ]]
	[[ $output == *"ok 4 - verdict dram is the expected dram"* ]]
	[[ $output == *"ok 6 - pattern verified"* ]]
}

@test "TAP reports a missed --expect as not ok, and exits 1" {
	run -1 --separate-stderr "$PMEMPROBE" --format tap --expect pmem "$SHM/f"
	tap_validate <<<"$output"
	[[ $output == *"not ok 4 - verdict dram is the expected pmem"* ]]
}

@test "TAP reports conflicts as a TODO with one diagnostic each" {
	ram_as_pmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --format tap --iomem "$SHM/iomem" "$SHM/f"
	tap_validate <<<"$output"
	[[ $output == *"not ok 4 - evidence agrees with the placement # TODO"* ]]
	[[ $(grep -c '^# conflict: ' <<<"$output") -eq 3 ]]
}

@test "TAP with --pages carries the page table as diagnostics" {
	run -0 --separate-stderr "$PMEMPROBE" --format tap --pages "$SHM/f"
	tap_validate <<<"$output"
	[[ $output == *"# page "*"PMEM?"* ]]
}

@test "the TAP validator itself rejects a broken stream" {
	run -1 tap_validate <<<$'TAP version 13\n1..2\nok 1 - a\nnoise'
	[[ $output == *"neither a test nor a diagnostic"* ]]
	[[ $output == *"plan says 2, found 1"* ]]
}
