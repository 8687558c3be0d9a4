#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Without CAP_SYS_ADMIN the kernel shows PFN 0 in pagemap and address 0 in
# /proc/iomem: pmemprobe must say "unknown" (exit 4), name CAP_SYS_ADMIN,
# and never report DRAM.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	require_nobody
	# nobody must be able to write the file and traverse its directory.
	chmod 0777 "$SHM"
	make_file "$SHM/f" 65536
	chmod 0666 "$SHM/f"
}

teardown() {
	probe_teardown
}

@test "as nobody, the verdict is unknown, exit 4, and the message names CAP_SYS_ADMIN" {
	run -4 --separate-stderr as_nobody "$PMEMPROBE" "$SHM/f"
	[[ $stderr == *"placement undetermined"* ]]
	[[ $stderr == *CAP_SYS_ADMIN* ]]
	[[ $stderr == *"$SHM/f"* ]]
	[[ $output == *"verdict:      unknown"* ]]
	[[ $output != *"verdict:      dram"* ]]
}

@test "as nobody, the JSON counts every page unknown and none dram" {
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --format json "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == unknown ]]
	[[ $(jq -r .reason <<<"$j") == *CAP_SYS_ADMIN* ]]
	[[ $(jq -r .iomem_hidden <<<"$j") == true ]]
	[[ $(jq -r '.unknown_pages == .pages' <<<"$j") == true ]]
	[[ $(jq -r .dram_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .pmem_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .evidence.huge_runs_2m <<<"$j") == null ]]
	[[ $(jq -r .page_strip <<<"$j") =~ ^\?+$ ]]
	[[ $(jq -r '.conflicts | length' <<<"$j") -eq 0 ]]
}

@test "as nobody with a readable --iomem, hidden PFNs alone make it unknown" {
	ram_as_pmem "$SHM/iomem"
	chmod 0644 "$SHM/iomem"
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	[[ $(jq -r .verdict <<<"$output") == unknown ]]
	[[ $(jq -r .iomem_hidden <<<"$output") == false ]]
	[[ $(jq -r .reason <<<"$output") == *"pagemap PFNs read as 0"*CAP_SYS_ADMIN* ]]
	[[ $stderr == *CAP_SYS_ADMIN* ]]
}

@test "as nobody, --expect dram is not met by unknown: exit 4, not 0" {
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --expect dram "$SHM/f"
	[[ $stderr == *CAP_SYS_ADMIN* ]]
}

@test "as nobody, the file's bytes are unchanged" {
	local before
	before=$(sha256sum <"$SHM/f")
	run -4 --separate-stderr as_nobody "$PMEMPROBE" "$SHM/f"
	[[ $(sha256sum <"$SHM/f") == "$before" ]]
}

@test "as nobody, TAP marks the placement check not ok" {
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --format tap "$SHM/f"
	[[ $output == *"not ok 3 - placement determined"* ]]
	[[ $output == *"# unknown: "*CAP_SYS_ADMIN* ]]
}
