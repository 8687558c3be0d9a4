#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2030,SC2031 # $stderr is set by bats: run --separate-stderr; probe_real_instance_twice runs bats' run for the test that calls it
# Verdicts on this host (no real PMem): tmpfs and ext4 files are DRAM; a crafted
# iomem naming the host's RAM as persistent makes them PMem; a range covering
# one page makes them mixed. JSON is checked field by field.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	require_root
}

teardown() {
	probe_teardown
}

@test "a tmpfs file is dram, every field of the JSON says so" {
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	local j=$output
	[[ $(jq -r .tool <<<"$j") == pmemprobe ]]
	[[ $(jq -r .path <<<"$j") == "$SHM/f" ]]
	[[ $(jq -r .target <<<"$j") == file ]]
	[[ $(jq -r .size <<<"$j") -eq 65536 ]]
	[[ $(jq -r .page_size <<<"$j") -eq $(getconf PAGESIZE) ]]
	[[ $(jq -r .pages <<<"$j") -eq $((65536 / $(getconf PAGESIZE))) ]]
	[[ $(jq -r '.present == .pages' <<<"$j") == true ]]
	[[ $(jq -r '.dram_pages == .pages' <<<"$j") == true ]]
	[[ $(jq -r .pmem_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .unknown_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .absent_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r .verdict <<<"$j") == dram ]]
	[[ $(jq -r .reason <<<"$j") == null ]]
	[[ $(jq -r .iomem <<<"$j") == /proc/iomem ]]
	[[ $(jq -r .iomem_hidden <<<"$j") == false ]]
	[[ $(jq -r '.pmem_ranges | type' <<<"$j") == array ]]
	[[ $(jq -r '.conflicts | length' <<<"$j") -eq 0 ]]
	[[ $(jq -r '.page_runs' <<<"$j") == null ]]
	# one strip letter per page when there are fewer than 128 pages
	[[ $(jq -r .page_strip <<<"$j") =~ ^D{$((65536 / $(getconf PAGESIZE)))}$ ]]
	[[ $(jq -r '.timing.touch_ms | type' <<<"$j") == number ]]
	[[ $(jq -r '.timing.classify_ms | type' <<<"$j") == number ]]
}

@test "a tmpfs file's evidence: no DAX, MAP_SYNC refused, libpmem says not pmem" {
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	local e
	e=$(jq -c .evidence <<<"$output")
	[[ $(jq -r .statx_dax <<<"$e") == false ]]
	[[ $(jq -r .map_sync <<<"$e") == false ]]
	[[ $(jq -r .map_sync_error <<<"$e") == "Operation not supported" ]]
	[[ $(jq -r .libpmem_is_pmem <<<"$e") == false ]]
	[[ $(jq -r .libpmem_error <<<"$e") == null ]]
	[[ $(jq -r .fstype <<<"$e") == tmpfs ]]
	[[ $(jq -r .mount_point <<<"$e") == /dev/shm ]]
	[[ $(jq -r '.mount_options | type' <<<"$e") == string ]]
	[[ $(jq -r '.super_options | type' <<<"$e") == string ]]
	[[ $(jq -r .device <<<"$e") == "$(stat -c '%Hd:%Ld' "$SHM/f")" ]]
	[[ $(jq -r .queue_dax <<<"$e") == null ]]
	[[ $(jq -r '.minor_faults >= 1' <<<"$e") == true ]]
	[[ $(jq -r .major_faults <<<"$e") -eq 0 ]]
	[[ $(jq -r .page_cache_resident <<<"$e") -eq 16 ]]
	[[ $(jq -r '.huge_runs_2m | type' <<<"$e") == number ]]
}

@test "a file in BATS_TEST_TMPDIR (page cache, not tmpfs here) is dram and its mount is found" {
	local f=$BATS_TEST_TMPDIR/f
	make_file "$f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json "$f"
	[[ $(jq -r .verdict <<<"$output") == dram ]]
	[[ $(jq -r .evidence.fstype <<<"$output") == "$(findmnt -no FSTYPE -T "$f" | tail -n1)" ]]
	[[ $(jq -r .evidence.statx_dax <<<"$output") == false ]]
}

@test "the text summary names the verdict and the evidence" {
	make_file "$SHM/f" 16384
	run -0 --separate-stderr "$PMEMPROBE" "$SHM/f"
	[[ $output == *"verdict:      dram"* ]]
	[[ $output == *"statx DAX:            no"* ]]
	[[ $output == *"MAP_SYNC:             refused (Operation not supported)"* ]]
	[[ $output == *"filesystem:           tmpfs"* ]]
	[[ $output == *"conflicts: none"* ]]
}

@test "a crafted iomem naming the host RAM as legacy PMem makes the file pmem" {
	make_file "$SHM/f" 65536
	ram_as_pmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	local j=$output
	[[ $(jq -r .verdict <<<"$j") == pmem ]]
	[[ $(jq -r .iomem <<<"$j") == "$SHM/iomem" ]]
	[[ $(jq -r '.pmem_pages == .pages' <<<"$j") == true ]]
	[[ $(jq -r .dram_pages <<<"$j") -eq 0 ]]
	[[ $(jq -r '.pmem_ranges | length' <<<"$j") -eq $(wc -l <"$SHM/iomem") ]]
	[[ $(jq -r '[.pmem_ranges[].kind] | unique | join(",")' <<<"$j") == legacy ]]
	[[ $(jq -r '.pmem_ranges[0].name' <<<"$j") == "Persistent Memory (legacy)" ]]
	[[ $(jq -r '.pmem_ranges[0].start' <<<"$j") =~ ^0x[0-9a-f]+$ ]]
	# tmpfs pages "on PMem": every other signal disagrees, and says so.
	[[ $(jq -r '.conflicts | length' <<<"$j") -eq 3 ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") == *"statx does not report DAX"* ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") == *"MAP_SYNC is refused"* ]]
	[[ $(jq -r '.conflicts[]' <<<"$j") == *"libpmem reports is_pmem=0"* ]]
}

@test "\"Persistent Memory\" ranges are recorded as kind nfit" {
	make_file "$SHM/f" 16384
	ram_as_pmem "$SHM/iomem" "Persistent Memory"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	[[ $(jq -r .verdict <<<"$output") == pmem ]]
	[[ $(jq -r '[.pmem_ranges[].kind] | unique | join(",")' <<<"$output") == nfit ]]
	[[ $(jq -r '.pmem_ranges[0].name' <<<"$output") == "Persistent Memory" ]]
}

@test "nested, duplicate and overlapping iomem entries are merged" {
	make_file "$SHM/f" 4096
	cat >"$SHM/iomem" <<-'IOMEM'
		00000000-00000fff : Reserved
		40000000-5fffffff : Persistent Memory (legacy)
		  40000000-5fffffff : namespace0.0
		    40000000-4fffffff : Persistent Memory (legacy)
		40000000-5fffffff : Persistent Memory (legacy)
		60000000-6fffffff : Persistent Memory (legacy)
		100000000-13fffffff : System RAM
		  100000000-13fffffff : Persistent Memory
		200000000-2ffffffff : Persistent Memory
		  200000000-23fffffff : dax0.0
		280000000-37fffffff : Persistent Memory
	IOMEM
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	run -0 jq -c '[.pmem_ranges[] | {start, "end": .end, name, kind}]' <<<"$output"
	[[ $output == '[{"start":"0x40000000","end":"0x6fffffff","name":"Persistent Memory (legacy)","kind":"legacy"},{"start":"0x100000000","end":"0x13fffffff","name":"Persistent Memory","kind":"nfit"},{"start":"0x200000000","end":"0x37fffffff","name":"Persistent Memory","kind":"nfit"}]' ]]
}

@test "a range covering one page of the file makes it mixed" {
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages "$SHM/f"
	local paddr
	paddr=$(jq -r '.page_runs[0].paddr' <<<"$output")
	[[ $paddr =~ ^0x[0-9a-f]+$ ]]
	page_as_pmem "$SHM/iomem" "$paddr"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	[[ $(jq -r .verdict <<<"$output") == mixed ]]
	[[ $(jq -r .pmem_pages <<<"$output") -eq 1 ]]
	[[ $(jq -r '.dram_pages == .pages - 1' <<<"$output") == true ]]
	[[ $(jq -r .page_strip <<<"$output") =~ ^PD+$ ]]
}

@test "the page strip is 128 slots wide for a large file; a slot holding both placements is M" {
	make_file "$SHM/f" $((1024 * $(getconf PAGESIZE)))
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages "$SHM/f"
	page_as_pmem "$SHM/iomem" "$(jq -r '.page_runs[0].paddr' <<<"$output")"
	run -0 --separate-stderr "$PMEMPROBE" --format json --iomem "$SHM/iomem" "$SHM/f"
	# 1024 pages in 128 slots: the first slot has 1 PMem page and 7 DRAM pages
	[[ $(jq -r .page_strip <<<"$output") =~ ^MD{127}$ ]]
	run -0 --separate-stderr "$PMEMPROBE" --iomem "$SHM/iomem" "$SHM/f"
	[[ $output == *"page strip:           MDDD"* ]]
}

@test "--pages lists every page exactly once, in runs of contiguous placement" {
	make_file "$SHM/f" 65536
	ram_as_pmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages --iomem "$SHM/iomem" "$SHM/f"
	local j=$output
	[[ $(jq -r '[.page_runs[].pages] | add' <<<"$j") -eq $(jq -r .pages <<<"$j") ]]
	[[ $(jq -r '.page_runs[0].first_page' <<<"$j") -eq 0 ]]
	# Runs follow each other without gaps.
	[[ $(jq -r '[.page_runs as $r | range(1; $r | length) | select($r[.].first_page != $r[. - 1].first_page + $r[. - 1].pages)] | length' <<<"$j") -eq 0 ]]
	[[ $(jq -r '[.page_runs[].placement] | unique | join(",")' <<<"$j") == pmem ]]
	[[ $(jq -r '.page_runs[0].vaddr' <<<"$j") =~ ^0x[0-9a-f]+$ ]]
	[[ $(jq -r '[.page_runs[].range | type] | unique | join(",")' <<<"$j") == number ]]
}

@test "the text page table has a header and one row per run" {
	make_file "$SHM/f" 16384
	run -0 --separate-stderr "$PMEMPROBE" --pages "$SHM/f"
	[[ $output == *"page              virtual address"*"physical address"*"PMEM?"* ]]
	local runs
	runs=$("$PMEMPROBE" --pages --format json "$SHM/f" | jq '.page_runs | length')
	[[ $(grep -cE '^[0-9]+(-[0-9]+)? +0x' <<<"$output") -eq $runs ]]
	[[ $(grep -E '^0 ' <<<"$output") == *" no" ]]
}

@test "--size maps only the first bytes" {
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" --format json --size 8K "$SHM/f"
	[[ $(jq -r .size <<<"$output") -eq 8192 ]]
	[[ $(jq -r .pages <<<"$output") -eq $((8192 / $(getconf PAGESIZE))) ]]
}

@test "a size that is not a page multiple covers the last partial page" {
	make_file "$SHM/f" 5000
	run -0 --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	[[ $(jq -r .size <<<"$output") -eq 5000 ]]
	[[ $(jq -r .pages <<<"$output") -eq $(((5000 + $(getconf PAGESIZE) - 1) / $(getconf PAGESIZE))) ]]
	[[ $(jq -r '.present == .pages' <<<"$output") == true ]]
}

@test "--expect exits 0 when met and 1 when not, in every format" {
	make_file "$SHM/f" 16384
	ram_as_pmem "$SHM/iomem"
	local fmt
	for fmt in text json tap; do
		run -0 --separate-stderr "$PMEMPROBE" --format "$fmt" --expect dram "$SHM/f"
		run -1 --separate-stderr "$PMEMPROBE" --format "$fmt" --expect pmem "$SHM/f"
		[[ $stderr == *"expect $SHM/f: verdict is dram, expected pmem"* ]]
		run -1 --separate-stderr "$PMEMPROBE" --format "$fmt" --expect mixed "$SHM/f"
		run -0 --separate-stderr "$PMEMPROBE" --format "$fmt" --expect pmem --iomem "$SHM/iomem" "$SHM/f"
		run -1 --separate-stderr "$PMEMPROBE" --format "$fmt" --expect dram --iomem "$SHM/iomem" "$SHM/f"
	done
}

@test "--expect is recorded in the JSON" {
	make_file "$SHM/f" 16384
	run -1 --separate-stderr "$PMEMPROBE" --format json --expect pmem "$SHM/f"
	[[ $(jq -r .expect <<<"$output") == pmem ]]
	[[ $(jq -r .expect_met <<<"$output") == false ]]
	run -0 --separate-stderr "$PMEMPROBE" --format json --expect dram "$SHM/f"
	[[ $(jq -r .expect_met <<<"$output") == true ]]
	run -0 --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	[[ $(jq -r .expect <<<"$output") == null ]]
	[[ $(jq -r .expect_met <<<"$output") == null ]]
}

@test "a sparse file reads as dram, never as the zero page: every page is write-faulted" {
	truncate -s 1M "$SHM/sparse"
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages "$SHM/sparse"
	[[ $(jq -r '.present == .pages' <<<"$output") == true ]]
	# A read fault would map one shared zero page: all pages at one address.
	[[ $(jq -r '[.page_runs[].paddr] | unique | length' <<<"$output") -gt 1 ]]
	[[ $(stat -c %s "$SHM/sparse") -eq 1048576 ]]
	cmp -n 1048576 "$SHM/sparse" /dev/zero
}

@test "every page gets its write fault from one MADV_POPULATE_WRITE, or page by page with --touch per-page" {
	make_file "$SHM/f" $((4 << 20))
	run -0 --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	[[ $(jq -r '"\(.timing.touch_method) \(.timing.touch_fallback) \(.present == .pages)"' <<<"$output") == "populate-write null true" ]]
	# the write faults are still counted: at least one per page
	(($(jq -r '.evidence.minor_faults' <<<"$output") >= $(jq -r .pages <<<"$output")))
	run -0 --separate-stderr "$PMEMPROBE" --touch per-page --format json "$SHM/f"
	[[ $(jq -r '"\(.timing.touch_method) \(.timing.touch_fallback) \(.present == .pages)"' <<<"$output") == "per-page null true" ]]
	run -2 --separate-stderr "$PMEMPROBE" --touch sometimes "$SHM/f"
	[[ $stderr == *"--touch 'sometimes': use auto or per-page"* ]]
}

@test "a kernel that refuses MADV_POPULATE_WRITE (EINVAL, before 5.14): page by page, and the report says why" {
	command -v cc >/dev/null || skip "no C compiler to build the madvise stand-in"
	cc -shared -fPIC -o "$SHM/old-kernel.so" "$BATS_TEST_DIRNAME/data/madvise-no-populate.c" -ldl
	make_file "$SHM/f" $((4 << 20))
	# the ASan build wants its runtime first; the stand-in only replaces madvise
	run -0 --separate-stderr env LD_PRELOAD="$SHM/old-kernel.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$PMEMPROBE" --format json "$SHM/f"
	echo "$stderr" >&2
	[[ $(jq -r '"\(.timing.touch_method): \(.timing.touch_fallback)"' <<<"$output") == "per-page: Invalid argument" ]]
	[[ $(jq -r '"\(.verdict) \(.present == .pages)"' <<<"$output") == "dram true" ]]
	run -0 --separate-stderr env LD_PRELOAD="$SHM/old-kernel.so" ASAN_OPTIONS=verify_asan_link_order=0 "$PMEMPROBE" "$SHM/f"
	[[ $output == *"timing: touch "*" ms (per-page, MADV_POPULATE_WRITE: Invalid argument)"* ]]
}

# DAX fault sizes from the fs_dax tracepoints. This host has no DAX: what is
# tested is every way tracing can be impossible (an "unknown" with its
# reason), and, with a tracefs mounted in a private mount namespace, that
# the instance is made and removed and counts nothing on tmpfs.

@test "fault sizes: a directory that is no tracefs gives unknown with the reason" {
	make_file "$SHM/f" 65536
	mkdir "$SHM/notrace"
	run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/notrace" "$SHM/f"
	local t
	t=$(jq -c .evidence.fault_sizes <<<"$output")
	[[ $(jq -r .traced <<<"$t") == false ]]
	[[ $(jq -r .reason <<<"$t") == "$SHM/notrace is not a tracefs mount (no instances directory)" ]]
	[[ $(jq -r '[.faults_4k, .faults_2m, .faults_1g, .pmd_fallbacks, .tracefs] | unique | map(tostring) | join(",")' <<<"$t") == null ]]
	[[ $(jq -r '.fallback_reasons | length' <<<"$t") -eq 0 ]]
	# the second witness is still there
	[[ $(jq -r .evidence.huge_runs_2m <<<"$output") =~ ^[0-9]+$ ]]
}

@test "fault sizes: no tracefs mounted at the usual places is unknown, said in text" {
	if [[ -d /sys/kernel/tracing/instances || -d /sys/kernel/debug/tracing/instances ]]; then
		skip "this host has tracefs mounted"
	fi
	make_file "$SHM/f" 65536
	run -0 --separate-stderr "$PMEMPROBE" "$SHM/f"
	[[ $output == *"DAX faults (trace):   unknown (no tracefs at /sys/kernel/tracing or /sys/kernel/debug/tracing"* ]]
}

@test "fault sizes: a kernel without fs_dax events is unknown naming the event" {
	make_file "$SHM/f" 65536
	mkdir -p "$SHM/trace/instances" "$SHM/trace/events/sched"
	run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/trace" "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.reason <<<"$output") == "no event fs_dax/dax_pmd_fault_done in $SHM/trace"* ]]
}

@test "fault sizes: an instance that cannot be set up is removed again" {
	make_file "$SHM/f" 65536
	mkdir -p "$SHM/trace/instances" "$SHM/trace/events/fs_dax/dax_pmd_fault_done" \
		"$SHM/trace/events/fs_dax/dax_pte_fault_done"
	run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/trace" "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.traced <<<"$output") == false ]]
	[[ $(jq -r .evidence.fault_sizes.reason <<<"$output") == "set up trace instance $SHM/trace/instances/pmemprobe-"*"set_event_pid)" ]]
	[[ -z $(ls -A "$SHM/trace/instances") ]]
}

# In a private mount namespace: this host's /sys/kernel/tracing stays as it is.
require_private_tracefs() {
	command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
	grep -qw tracefs /proc/filesystems || skip "the kernel has no tracefs"
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace (unshare -m)"
}

@test "fault sizes: a real tracefs instance counts no DAX fault on tmpfs and is removed" {
	require_private_tracefs
	make_file "$SHM/f" 4194304
	# shellcheck disable=SC2016 # expanded by the inner shell
	run -0 --separate-stderr unshare -m sh -c '
		mount -t tracefs nodev "$1" || exit 90
		[ -d "$1/events/fs_dax" ] || exit 91
		"$PMEMPROBE" --format json --tracefs "$1" "$2" || exit
		ls -A "$1/instances" >&2' sh /sys/kernel/tracing "$SHM/f"
	[[ $status -ne 91 ]] || skip "the kernel has no fs_dax events"
	local t
	t=$(jq -c .evidence.fault_sizes <<<"$output")
	[[ $(jq -r .traced <<<"$t") == true ]]
	[[ $(jq -r .reason <<<"$t") == null ]]
	[[ $(jq -r .tracefs <<<"$t") == /sys/kernel/tracing ]]
	[[ $(jq -r '[.faults_4k, .faults_2m, .pmd_fallbacks, .load_holes, .lost_events] | unique | join(",")' <<<"$t") == 0 ]]
	[[ $(jq -r .faults_1g <<<"$t") == null ]]
	# no instance left behind
	[[ -z $stderr ]]
}

@test "fault sizes: PMEMPROBE_TRACE_INSTANCE that does not exist is unknown, naming it" {
	make_file "$SHM/f" 65536
	mkdir -p "$SHM/trace/instances" "$SHM/trace/events/fs_dax/dax_pmd_fault_done" \
		"$SHM/trace/events/fs_dax/dax_pte_fault_done"
	PMEMPROBE_TRACE_INSTANCE=gone run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/trace" "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.reason <<<"$output") == "PMEMPROBE_TRACE_INSTANCE: no trace instance $SHM/trace/instances/gone" ]]
}

# probe_real_instance_twice ARMED: two probes of $SHM/f borrowing one real
# tracefs instance (its events switched on first when ARMED is 1), in a
# private mount namespace; the last line of $output is "kept E" when the
# instance is still there, E its dax_pte_fault_done enable afterwards.
probe_real_instance_twice() {
	require_private_tracefs
	make_file "$SHM/f" 4194304
	# shellcheck disable=SC2016 # expanded by the inner shell
	run -0 --separate-stderr unshare -m sh -c '
		mount -t tracefs nodev "$1" || exit 90
		[ -d "$1/events/fs_dax" ] || exit 91
		# tracefs is one for the whole kernel: a unique name, removed at the end
		inst=$1/instances/kept-$$ ev=$1/instances/kept-$$/events/fs_dax
		mkdir "$inst" || exit 92
		[ "$3" != 1 ] || { echo 1 >"$ev/dax_pmd_fault_done/enable" && echo 1 >"$ev/dax_pte_fault_done/enable"; } || exit 93
		PMEMPROBE_TRACE_INSTANCE=${inst##*/} "$PMEMPROBE" --format json --tracefs "$1" "$2" >/dev/null &&
			PMEMPROBE_TRACE_INSTANCE=${inst##*/} "$PMEMPROBE" --format json --tracefs "$1" "$2" &&
			[ -d "$inst" ] && echo "kept $(cat "$ev/dax_pte_fault_done/enable")"
		rc=$?
		echo 0 >"$ev/dax_pmd_fault_done/enable"
		echo 0 >"$ev/dax_pte_fault_done/enable"
		rmdir "$inst"
		exit $rc' sh /sys/kernel/tracing "$SHM/f" "$1"
	[[ $status -ne 91 ]] || skip "the kernel has no fs_dax events"
	[[ $(head -n -1 <<<"$output" | jq -r '.evidence.fault_sizes | "\(.traced) \(.reason) \(.faults_4k)"') == "true null 0" ]]
}

@test "fault sizes: a borrowed real instance is used and kept, twice in a row" {
	probe_real_instance_twice 0
	[[ ${lines[-1]} == kept* ]]
}

# An instance whose events are already on (fixtures/run arms one per
# guest): the probe must leave events and pid filter alone.
make_fake_armed_instance() {
	local ev inst=$SHM/trace/instances/armed
	for ev in dax_pmd_fault_done dax_pte_fault_done; do
		mkdir -p "$SHM/trace/events/fs_dax/$ev" "$inst/events/fs_dax/$ev"
		echo "$1" >"$inst/events/fs_dax/$ev/enable"
	done
	: >"$inst/set_event_pid"
	echo "# an earlier probe's lines" >"$inst/trace"
	: >"$inst/trace_pipe"
	echo 0 >"$inst/tracing_on"
}

@test "fault sizes: an armed instance keeps its events on, gets no pid filter and is not cleared" {
	make_file "$SHM/f" 65536
	make_fake_armed_instance 1
	PMEMPROBE_TRACE_INSTANCE=armed run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/trace" "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.traced <<<"$output") == true ]]
	local inst=$SHM/trace/instances/armed
	[[ $(cat "$inst/events/fs_dax/dax_pmd_fault_done/enable" "$inst/events/fs_dax/dax_pte_fault_done/enable") == $'1\n1' ]]
	[[ ! -s $inst/set_event_pid ]]
	[[ $(cat "$inst/tracing_on") == 0 ]]
	# drained through trace_pipe: clearing waits for an RCU grace period
	[[ $(cat "$inst/trace") == "# an earlier probe's lines" ]]
}

@test "fault sizes: a borrowed instance with its events off is filtered to the probe and switched off after" {
	make_file "$SHM/f" 65536
	make_fake_armed_instance 0
	PMEMPROBE_TRACE_INSTANCE=armed run -0 --separate-stderr "$PMEMPROBE" --format json --tracefs "$SHM/trace" "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.traced <<<"$output") == true ]]
	local inst=$SHM/trace/instances/armed
	[[ $(cat "$inst/events/fs_dax/dax_pmd_fault_done/enable") == 0 ]]
	[[ $(cat "$inst/set_event_pid") =~ ^[1-9][0-9]*$ ]]
	[[ ! -s $inst/trace ]]
}

@test "fault sizes: a real armed instance stays armed after two probes" {
	probe_real_instance_twice 1
	[[ ${lines[-1]} == "kept 1" ]]
}

@test "fault sizes: another user cannot trace, and is told why" {
	require_private_tracefs
	require_nobody
	make_file "$SHM/f" 65536
	chmod 0755 "$SHM"
	chmod 0666 "$SHM/f"
	# shellcheck disable=SC2016 # expanded by the inner shell
	run -4 --separate-stderr unshare -m sh -c '
		mount -t tracefs nodev "$1" || exit 90
		shift
		exec "$@"' sh /sys/kernel/tracing "${NOBODY[@]}" "$PMEMPROBE" --format json "$SHM/f"
	[[ $(jq -r .evidence.fault_sizes.traced <<<"$output") == false ]]
	[[ $(jq -r .evidence.fault_sizes.reason <<<"$output") == *"tracing needs root"* ]]
}

@test "--tracefs '' is a usage error" {
	run -2 --separate-stderr "$PMEMPROBE" --tracefs '' "$SHM/f"
	[[ $stderr == *"--tracefs '': empty"* ]]
}
