#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# --anon SIZE --node N: anonymous memory bound to a NUMA node. On this host
# node 0 is DRAM; a crafted iomem nesting the host's RAM as
# Persistent Memory > namespace > dax > System RAM (kmem) makes it PMem
# onlined as volatile RAM. The real kmem node is tested in a guest.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	[[ -d /sys/devices/system/node/node0 ]] || skip "no /sys/devices/system/node/node0 (kernel without NUMA)"
}

teardown() {
	probe_teardown
}

@test "anonymous memory bound to node 0 is dram, every page on node 0" {
	require_root
	run -0 --separate-stderr "$PMEMPROBE" --anon 4M --node 0 --format json
	local j=$output
	[[ $(jq -r .target <<<"$j") == anon ]]
	[[ $(jq -r .path <<<"$j") == null ]]
	[[ $(jq -r .size <<<"$j") -eq 4194304 ]]
	[[ $(jq -r .verdict <<<"$j") == dram ]]
	[[ $(jq -r '.present == .pages' <<<"$j") == true ]]
	[[ $(jq -r '.numa | .node, .policy' <<<"$j" | paste -sd,) == "0,bind" ]]
	[[ $(jq -r '.numa.pages_on_node == .pages' <<<"$j") == true ]]
	[[ $(jq -r .numa.pages_elsewhere <<<"$j") -eq 0 ]]
	[[ $(jq -r .kmem_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .volatile <<<"$j") == null ]]
	[[ $(jq -r '[.evidence.statx_dax, .evidence.map_sync, .evidence.device] | unique | join(",")' <<<"$j") == "" ]]
	[[ $(jq -r '.conflicts | length' <<<"$j") -eq 0 ]]
}

@test "RAM nested as System RAM (kmem) in Persistent Memory: pmem, volatile, kmem pages" {
	require_root
	ram_as_kmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --anon 4M --node 0 --format json --iomem "$SHM/iomem" --sysfs /sys --expect pmem
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r '.kmem_pages == .present' <<<"$j") == true ]]
	[[ $(jq -r .volatile <<<"$j") == true ]]
	[[ $(jq -r '[.pmem_ranges[].kmem] | unique | join(",")' <<<"$j") == true ]]
	[[ $(jq -r '.notes[]' <<<"$j") == *"PMem onlined as System RAM (kmem): volatile"* ]]
	[[ $(jq -r '.conflicts | length' <<<"$j") -eq 0 ]]
}

@test "kmem in words: the text says volatile, the page table marks kmem runs" {
	require_root
	ram_as_kmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --anon 1M --node 0 --pages --iomem "$SHM/iomem"
	[[ $output == "pmemprobe anonymous memory bound to node 0"* ]]
	[[ $output == *"kmem pages:   256 (PMem onlined as System RAM: volatile)"* ]]
	[[ $output == *"System RAM (kmem): volatile"* ]]
	[[ $output == *"yes (Persistent Memory, kmem: volatile)"* ]]
	[[ $output == *"NUMA node:            0 (mbind MPOL_BIND)"* ]]
	[[ $output == *"note: 256 of 256 present pages are PMem onlined as System RAM (kmem)"* ]]
}

@test "a kmem range outside every PMem range (CXL volatile memory) stays dram" {
	require_root
	sed -n 's/^\([0-9a-f]*-[0-9a-f]*\) : System RAM$/\1 : System RAM (kmem)/p' /proc/iomem >"$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --anon 1M --node 0 --format json --iomem "$SHM/iomem"
	[[ $(jq -r .verdict <<<"$output") == dram ]]
	[[ $(jq -r .kmem_pages <<<"$output") -eq 0 ]]
}

@test "RAM as plain Persistent Memory: pmem and not volatile" {
	require_root
	ram_as_pmem "$SHM/iomem" "Persistent Memory"
	run -0 --separate-stderr "$PMEMPROBE" --anon 1M --node 0 --format json --iomem "$SHM/iomem"
	[[ $(jq -r .verdict <<<"$output") == pmem ]]
	[[ $(jq -r .volatile <<<"$output") == false ]]
}

@test "a node that does not exist is a runtime error naming the sysfs path" {
	run -3 --separate-stderr "$PMEMPROBE" --anon 1M --node 1023
	[[ $stderr == "pmemprobe: bind --node: no NUMA node 1023 (/sys/devices/system/node/node1023: No such file or directory)" ]]
	[[ -z $output ]]
}

@test "a node without memory is refused by mbind, and said so" {
	# A crafted sysfs names node 1 so that mbind itself refuses it
	# (unless this host really has a node 1).
	[[ ! -d /sys/devices/system/node/node1 ]] || skip "this host has a node 1"
	mkdir -p "$SHM/sys/devices/system/node/node1"
	run -3 --separate-stderr "$PMEMPROBE" --anon 1M --node 1 --sysfs "$SHM/sys"
	[[ $stderr == "pmemprobe: mbind MPOL_BIND anonymous memory: node 1: Invalid argument (a node without memory, or outside the allowed cpuset)" ]]
}

@test "--anon and --node usage errors" {
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M
	[[ $stderr == *"--anon needs --node N"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --node 0 "$SHM/f"
	[[ $stderr == *"--node goes with --anon"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M --node 0 "$SHM/f"
	[[ $stderr == *"--anon takes no PATH"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --anon 0 --node 0
	[[ $stderr == *"--anon '0': not a size"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --anon 1X --node 0
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M --node -1
	[[ $stderr == *"--node '-1': not a NUMA node number (0-1023)"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M --node 1024
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M --node 01
	run -2 --separate-stderr "$PMEMPROBE" --anon 1M --node x
	run -2 --separate-stderr "$PMEMPROBE" --anon 99999999T --node 0
	[[ $stderr == *"too large"* ]]
}

@test "an --anon size the kernel cannot map is a runtime error" {
	run -3 --separate-stderr "$PMEMPROBE" --anon 8388607T --node 0
	[[ $stderr == "pmemprobe: mmap anonymous memory: node 0: "* ]]
}

@test "--anon in TAP names the target" {
	run -0 --separate-stderr "$PMEMPROBE" --anon 1M --node 0 --format tap
	[[ $output == *"ok 1 - map anonymous memory: 256 pages of 4096 bytes, write-faulted"* ]] || [[ $(getconf PAGESIZE) -ne 4096 ]]
}
