#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# PMem ranges from libnvdimm's sysfs (--sysfs DIR, a crafted tree): a
# virtio-pmem guest's /proc/iomem shows only "namespace1.0", yet its pages are
# PMem, on an asynchronous region; NFIT and e820 regions agree with iomem and
# name their provider. CXL: a crafted iomem nests the host's RAM as CXL
# Window N > Persistent Memory > regionM with a CXL ndbus in sysfs, and the
# evidence names window, region and provider. Placement needs root.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	SYSFS=$SHM/sys
	mkdir -p "$SYSFS"
}

teardown() {
	probe_teardown
}

@test "virtio-pmem: iomem shows only namespace1.0, sysfs makes every page pmem, asynchronous" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" virtio-pmem
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r .sysfs <<<"$j") == "$SYSFS" ]]
	[[ $(jq -r '.pmem_pages == .present' <<<"$j") == true ]]
	[[ $(jq -r '.async_pages == .present' <<<"$j") == true ]]
	[[ $(jq -r '[.pmem_ranges[] | .kind, .backend, .source, .provider, .synchronous] | unique | join(",")' <<<"$j") == "false,nd-region,sysfs,virtio-pmem" ]]
	[[ $(jq -r '[.pmem_ranges[].pages] | add == '"$(jq .present <<<"$j")" <<<"$j") == true ]]
	[[ $(jq -r '.pmem_ranges[0].nd_region' <<<"$j") == region0 ]]
	[[ $(jq -r '.pmem_ranges[0].name' <<<"$j") == region0 ]]
	[[ $(jq -r '.nd_regions[0] | .name, .provider, .synchronous, .error' <<<"$j" | paste -sd,) == "region0,virtio-pmem,false,null" ]]
	[[ $(jq -r .evidence.synchronous <<<"$j") == false ]]
}

@test "virtio-pmem: a refused MAP_SYNC is a note, not a conflict" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" virtio-pmem
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	local j=$output
	[[ $(jq -r .evidence.map_sync <<<"$j") == false ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") != *MAP_SYNC* ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") != *libpmem* ]]
	[[ $(jq -r '.notes[]' <<<"$j") == *"asynchronous region: MAP_SYNC is refused by design"* ]]
	[[ $(jq -r '.caveats | length' <<<"$j") -eq 0 ]]
}

@test "virtio-pmem: the text output names provider, region and asynchronous flush" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" virtio-pmem
	run -0 --separate-stderr "$PMEMPROBE" --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $output == *"verdict:      pmem"* ]]
	[[ $output == *"pmem range:   0x"*" : region0 [nd-region] backend virtio-pmem (provider virtio-pmem, region0), asynchronous (flush by virtio request)"* ]]
	[[ $output == *"note: asynchronous region: MAP_SYNC is refused by design"* ]]
	[[ $output != *"conflict: every page is in a PMem range but MAP_SYNC"* ]]
}

@test "virtio-pmem in TAP: the note is a diagnostic, the evidence check passes" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" virtio-pmem
	run -0 --separate-stderr "$PMEMPROBE" --format tap --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	tap_validate <<<"$output"
	[[ $output == *"# note: asynchronous region: MAP_SYNC is refused by design"* ]]
	[[ $output == *"# DAX faults: "* ]]
}

@test "without the sysfs regions the same iomem gives dram" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SHM/unused" virtio-pmem
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r .verdict <<<"$output") == dram ]]
	[[ $(jq -r '.pmem_ranges | length' <<<"$output") -eq 0 ]]
	[[ $(jq -r '.nd_regions | length' <<<"$output") -eq 0 ]]
}

@test "ACPI.NFIT regions agree with iomem: source iomem+sysfs, synchronous, MAP_SYNC still a conflict" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" ACPI.NFIT "Persistent Memory"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r '[.pmem_ranges[] | .name, .kind, .backend, .source, .provider, .synchronous] | unique | join(",")' <<<"$j") == "true,ACPI.NFIT,Persistent Memory,iomem+sysfs,nfit" ]]
	[[ $(jq -r .evidence.synchronous <<<"$j") == true ]]
	[[ $(jq -r .async_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") == *"MAP_SYNC is refused"* ]]
}

@test "e820 regions agree with legacy iomem ranges" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_nd_regions "$SHM/iomem" "$SYSFS" e820 "Persistent Memory (legacy)"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r '[.pmem_ranges[] | .kind, .backend, .source, .provider, .synchronous] | unique | join(",")' <<<"$j") == "true,e820,iomem+sysfs,legacy" ]]
}

@test "iomem ranges without sysfs say where they came from and guess the backend" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_pmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r '[.pmem_ranges[] | .source, .backend, .provider, .synchronous, .nd_region] | unique | map(tostring) | join(",")' <<<"$output") == "null,true,e820,iomem" ]]
}

@test "a region whose resource is unreadable or malformed is listed with the reason, not used" {
	make_file "$SHM/f" 65536
	nd_region "$SYSFS" ndbus0 virtio-pmem region0 100000000 13fffffff
	nd_region "$SYSFS" ndbus0 virtio-pmem region1 140000000 17fffffff
	echo 'junk' >"$SYSFS/devices/platform/ndbus0/region1/resource"
	rm "$SYSFS/devices/platform/ndbus0/region0/resource"
	printf '0-fff : Reserved\n' >"$SHM/iomem"
	run --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $status -eq 0 || $status -eq 4 ]]
	[[ $(jq -r '.pmem_ranges | length' <<<"$output") -eq 0 ]]
	[[ $(jq -r '.nd_regions[0] | .name, .start, .error' <<<"$output" | paste -sd,) == "region0,null,no resource attribute (not a PMem region)" ]]
	[[ $(jq -r '.nd_regions[1] | .name, .provider, .error' <<<"$output" | paste -sd,) == "region1,virtio-pmem,resource: not a hex address" ]]
}

@test "a root-only resource read by another user is named as such" {
	require_nobody
	make_file "$SHM/f" 65536
	chmod 0777 "$SHM"
	chmod 0666 "$SHM/f"
	nd_region "$SYSFS" ndbus0 virtio-pmem region0 100000000 13fffffff
	chmod 0400 "$SYSFS/devices/platform/ndbus0/region0/resource"
	printf '0-fff : Reserved\n' >"$SHM/iomem"
	chmod 0644 "$SHM/iomem"
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r '.nd_regions[0].error' <<<"$output") == "resource: Permission denied (mode 0400: root only)" ]]
	[[ $(jq -r '.nd_regions[0].provider' <<<"$output") == virtio-pmem ]]
}

@test "--sysfs must be a directory; an empty one is a usage error" {
	make_file "$SHM/f" 4096
	run -3 --separate-stderr "$PMEMPROBE" --sysfs "$SHM/missing" "$SHM/f"
	[[ $stderr == "pmemprobe: read libnvdimm regions under $SHM/missing: No such file or directory" ]]
	run -3 --separate-stderr "$PMEMPROBE" --sysfs "$SHM/f" "$SHM/f"
	[[ $stderr == *"Not a directory"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --sysfs '' "$SHM/f"
	[[ $stderr == *"--sysfs '': empty"* ]]
}

@test "a sysfs tree without bus/nd (libnvdimm not loaded) is no error" {
	require_root
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r '.nd_regions | length' <<<"$output") -eq 0 ]]
}

# The CXL tests' file, iomem and sysfs tree.
cxl_setup() {
	require_root
	make_file "$SHM/f" 65536
	ram_as_cxl "$SHM/iomem" "$SYSFS"
}

@test "CXL ranges: kind cxl, window, region, provider and backend in the JSON" {
	cxl_setup
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r '[.pmem_ranges[] | .name, .kind, .backend, .source, .provider, .synchronous, .kmem] | unique | map(tostring) | join(",")' <<<"$j") == "false,true,CXL,Persistent Memory,cxl,iomem+sysfs" ]]
	# the range holding the pages names its window and CXL region
	local r
	r=$(jq -c '[.pmem_ranges[] | select(.pages > 0)][0]' <<<"$j")
	[[ $(jq -r .window <<<"$r") =~ ^CXL\ Window\ [0-9]+$ ]]
	[[ $(jq -r .region <<<"$r") =~ ^region[0-9]+$ ]]
	[[ $(jq -r .nd_region <<<"$r") =~ ^region[0-9]+$ ]]
	# window N holds CXL region N+1: the two numbers are not confused
	[[ $(jq -r '.window | sub("CXL Window "; "") | tonumber + 1' <<<"$r") == "$(jq -r '.region | sub("region"; "")' <<<"$r")" ]]
	[[ $(jq -r '[.pmem_ranges[].pages] | add == '"$(jq .present <<<"$j")" <<<"$j") == true ]]
}

@test "CXL: every page run of --pages points at a range with a window" {
	cxl_setup
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r '. as $o | [.page_runs[] | $o.pmem_ranges[.range].window | startswith("CXL Window ")] | all' <<<"$output") == true ]]
}

@test "CXL in text: range line and page table name window and region" {
	cxl_setup
	run -0 --separate-stderr "$PMEMPROBE" --pages --iomem "$SHM/iomem" --sysfs "$SYSFS" "$SHM/f"
	[[ $output =~ pmem\ range:\ +0x[0-9a-f]+-0x[0-9a-f]+\ :\ Persistent\ Memory\ \[cxl\]\ backend\ cxl\ \(provider\ CXL,\ region[0-9]+\),\ synchronous,\ in\ CXL\ Window\ [0-9]+\ \>\ region[0-9]+ ]]
	[[ $output =~ yes\ \(Persistent\ Memory,\ CXL\ Window\ [0-9]+\ \>\ region[0-9]+\) ]]
}

@test "CXL without sysfs: the window alone makes the kind and backend cxl" {
	mkdir -p "$SHM/empty"
	cxl_setup
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" --sysfs "$SHM/empty" "$SHM/f"
	[[ $(jq -r '[.pmem_ranges[] | .kind, .backend, .source, .provider] | unique | map(tostring) | join(",")' <<<"$output") == "null,cxl,iomem" ]]
}

@test "a Persistent Memory line outside a CXL window stays nfit" {
	ram_as_pmem "$SHM/iomem2" "Persistent Memory"
	cxl_setup
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem2" --sysfs "$SYSFS" "$SHM/f"
	[[ $(jq -r '[.pmem_ranges[] | .kind, (.window | tostring)] | unique | join(",")' <<<"$output") == "nfit,null" ]]
}
