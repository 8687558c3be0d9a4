#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# The witness of the verdict. /proc/PID/pagemap does not report 1 GiB (PUD)
# mappings: a device-DAX device with align=1G reads as "no page present".
# Its own physical range in sysfs then gives the verdict ("device-range");
# without that range the verdict is unknown, never wrong. Stand-ins: /dev/zero
# plays the device (a crafted --sysfs tree says it is device DAX, with its
# range), --proc DIR gives a pagemap of holes (every page not present), a
# smaps with KernelPageSize 1048576 kB and a vmstat; --iomem the PMem ranges.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	SYSFS=$SHM/sys PROC=$SHM/proc
	# /dev/zero as device DAX: 4 MiB, align 2 MiB, at physical 0x140000000
	local rdev
	rdev=$(stat -c '%t %T' /dev/zero)
	read -r maj min <<<"$rdev"
	DEV=$SYSFS/dev/char/$((16#$maj)):$((16#$min))
	mkdir -p "$DEV" "$SYSFS/bus/dax" "$PROC/self"
	ln -s ../../../bus/dax "$DEV/subsystem"
	echo 4194304 >"$DEV/size"
	echo 2097152 >"$DEV/align"
	echo 0x140000000 >"$DEV/resource"
	# a pagemap of holes: every entry 0, not present (sparse, any address)
	truncate -s 1T "$PROC/self/pagemap"
	printf '%s\n' '0-7fffffffffff rw-s 00000000 00:05 118 /dev/dax0.0' \
		'KernelPageSize:  1048576 kB' 'MMUPageSize:     1048576 kB' >"$PROC/self/smaps"
	printf 'nr_free_pages 1\nthp_split_pud 3\n' >"$PROC/vmstat"
	printf '100000000-1ffffffff : Persistent Memory\n' >"$SHM/iomem"
}

teardown() {
	probe_teardown
}

blind() {
	"$PMEMPROBE" --sysfs "$SYSFS" --proc "$PROC" --iomem "$SHM/iomem" "$@"
}

@test "device DAX that pagemap does not see is pmem by its device range" {
	run -0 --separate-stderr blind --format json /dev/zero
	local j=$output
	[[ $(jq -r '.target, .verdict, .witness, .reason, .present' <<<"$j" | paste -sd,) == "devdax,pmem,device-range,null,0" ]]
	[[ $(jq -r '.device_range | .from, .used, .pmem_pages, .other_pages, .error' <<<"$j" | paste -sd,) == "resource,true,1024,0,null" ]]
	[[ $(jq -r '.device_range.ranges[0] | .start, .end' <<<"$j" | paste -sd,) == "0x140000000,0x1403fffff" ]]
	[[ $(jq -r '.evidence | .kernel_page_size, .mmu_page_size' <<<"$j" | paste -sd,) == "1073741824,1073741824" ]]
	run -0 --separate-stderr blind /dev/zero
	[[ $output == *"verdict:      pmem"* ]]
	[[ $output == *"witness:      device-range ($DEV, resource: 0x140000000-0x1403fffff; 1024 pages in PMem ranges, 0 outside"* ]]
	[[ $output == *"page size (smaps):    KernelPageSize 1048576 kB, MMUPageSize 1048576 kB"* ]]
	run -0 --separate-stderr blind --format tap /dev/zero
	[[ $output == *"ok 3 - placement determined: pmem (witness: device-range)"* ]]
}

@test "a device range outside every PMem range is dram, half inside is mixed" {
	printf '200000000-2ffffffff : Persistent Memory\n' >"$SHM/iomem"
	run -0 --separate-stderr blind --format json --expect dram /dev/zero
	[[ $(jq -r '.verdict, .witness, .device_range.pmem_pages, .device_range.other_pages' <<<"$output" | paste -sd,) == "dram,device-range,0,1024" ]]
	printf '100000000-1401fffff : Persistent Memory\n' >"$SHM/iomem"
	run -0 --separate-stderr blind --format json --expect mixed /dev/zero
	[[ $(jq -r '.verdict, .witness, .device_range.pmem_pages, .device_range.other_pages' <<<"$output" | paste -sd,) == "mixed,device-range,512,512" ]]
}

@test "the mappingN ranges of a device place each device offset where it lies" {
	# two 2 MiB pieces: device offset 0 at 0x300000000 (no PMem), offset 2 MiB at 0x140000000
	mkdir -p "$DEV/mapping0" "$DEV/mapping1"
	printf '0x300000000\n' >"$DEV/mapping0/start"
	printf '0x3001fffff\n' >"$DEV/mapping0/end"
	printf '0x0\n' >"$DEV/mapping0/page_offset"
	printf '0x140000000\n' >"$DEV/mapping1/start"
	printf '0x1401fffff\n' >"$DEV/mapping1/end"
	printf '0x200\n' >"$DEV/mapping1/page_offset"
	run -0 --separate-stderr blind --format json --size 2M /dev/zero
	[[ $(jq -r '.verdict, .device_range.from, (.device_range.ranges | length)' <<<"$output" | paste -sd,) == "dram,mappingN,2" ]]
	run -0 --separate-stderr blind --format json /dev/zero
	[[ $(jq -r '.verdict, .device_range.pmem_pages, .device_range.other_pages' <<<"$output" | paste -sd,) == "mixed,512,512" ]]
}

@test "without the device's physical range the verdict is unknown, with the reason" {
	rm "$DEV/resource"
	run -4 --separate-stderr blind --format json /dev/zero
	[[ $(jq -r '.verdict, .witness, .device_range.used' <<<"$output" | paste -sd,) == "unknown,null,false" ]]
	[[ $(jq -r .reason <<<"$output") == "pagemap reports none of the 1024 pages present (it does not report 1 GiB (PUD) mappings, and smaps shows KernelPageSize 1048576 kB), and the device's physical range is unknown: $DEV/resource: No such file or directory" ]]
	[[ $stderr == "pmemprobe: classify /dev/zero: placement undetermined: pagemap reports none of the 1024 pages present"* ]]
	# --expect cannot turn unknown into a pass or a miss
	run -4 --separate-stderr blind --expect pmem /dev/zero
}

@test "a resource only root may read gives unknown for another user, never dram" {
	require_nobody
	chmod -R a+rX "$SHM"
	chmod 0400 "$DEV/resource"
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --sysfs "$SYSFS" --proc "$PROC" --iomem "$SHM/iomem" --format json /dev/zero
	[[ $(jq -r .verdict <<<"$output") == unknown ]]
	[[ $(jq -r .reason <<<"$output") == *"resource: Permission denied (mode 0400: root only)" ]]
}

@test "a regular file never uses a device range: pagemap stays its witness" {
	require_root
	make_file "$SHM/f" 65536
	ram_as_pmem "$SHM/ram"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/ram" "$SHM/f"
	[[ $(jq -r '.verdict, .witness, .device_range' <<<"$output" | paste -sd,) == "pmem,pagemap,null" ]]
	run -0 --separate-stderr "$PMEMPROBE" --iomem "$SHM/ram" "$SHM/f"
	[[ $output == *"witness:      pagemap (the frames of the present pages)"* ]]
	# the same file with a pagemap of holes: no page present, unknown
	run -4 --separate-stderr "$PMEMPROBE" --format json --proc "$PROC" --iomem "$SHM/ram" "$SHM/f"
	[[ $(jq -r '.verdict, .witness, .reason' <<<"$output" | paste -sd,) == "unknown,null,no page is present: nothing to classify" ]]
}

@test "1 GiB runs come from vmstat's thp_split_pud, unknown without it" {
	run -0 --separate-stderr blind --format json /dev/zero
	[[ $(jq -r '.evidence | .huge_runs_1g, .huge_runs_1g_reason' <<<"$output" | paste -sd,) == "0,null" ]]
	printf 'nr_free_pages 1\n' >"$PROC/vmstat"
	run -0 --separate-stderr blind --format json /dev/zero
	[[ $(jq -r '.evidence | .huge_runs_1g, .huge_runs_1g_reason' <<<"$output" | paste -sd,) == "null,$PROC/vmstat has no thp_split_pud (no PUD-sized THP in this kernel)" ]]
	run -0 --separate-stderr blind /dev/zero
	[[ $output == *"1 GiB runs:           unknown ($PROC/vmstat has no thp_split_pud"* ]]
}

@test "--proc '' is a usage error and --proc without a pagemap a runtime error" {
	run -2 --separate-stderr "$PMEMPROBE" --proc '' /dev/zero
	[[ $stderr == *"--proc '': empty; give a directory such as /proc"* ]]
	make_file "$SHM/f" 8192
	run -3 --separate-stderr "$PMEMPROBE" --proc "$SHM/none" "$SHM/f"
	[[ $stderr == "pmemprobe: open $SHM/none/self/pagemap: No such file or directory" ]]
}
