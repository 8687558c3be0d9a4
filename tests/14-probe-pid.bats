#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# --pid: a "pmap with placement" of a running process, read from its
# pagemap without touching its pages.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	require_root
	# A sleep whose binary lives on tmpfs: its text pages are tmpfs pages.
	cp /bin/sleep "$SHM/sleepy"
	PIDS=()
}

teardown() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	probe_teardown
}

# Start COMMAND... in the background (fd 3 closed so bats does not wait).
start() {
	"$@" 3>&- &
	PIDS+=("$!")
	PID=$!
}

@test "--pid lists a sleeping process's file-backed mappings with placement" {
	start "$SHM/sleepy" 300
	wait_for_mapping "$PID" "$SHM/sleepy"
	run -0 --separate-stderr "$PMEMPROBE" --pid "$PID"
	[[ $output == *"pmemprobe: process $PID, "*" file-backed mappings"* ]]
	[[ $output == *"$SHM/sleepy"* ]]
	[[ $output == *"libc.so"* ]]
	[[ $output == *"verdict:      dram"* ]]
}

@test "--pid with PATH surveys only that file, in JSON" {
	start "$SHM/sleepy" 300
	wait_for_mapping "$PID" "$SHM/sleepy"
	run -0 --separate-stderr "$PMEMPROBE" --pid "$PID" --format json "$SHM/sleepy"
	local j=$output
	[[ $(jq -r .pid <<<"$j") -eq $PID ]]
	[[ $(jq -r .path <<<"$j") == "$SHM/sleepy" ]]
	[[ $(jq -r '.mappings | length' <<<"$j") -ge 1 ]]
	[[ $(jq -r '[.mappings[].path] | unique | join(",")' <<<"$j") == "$SHM/sleepy" ]]
	[[ $(jq -r '.mappings[0].inode' <<<"$j") -eq $(stat -c %i "$SHM/sleepy") ]]
	[[ $(jq -r '.mappings[0].start' <<<"$j") =~ ^0x[0-9a-f]+$ ]]
	[[ $(jq -r '.mappings[0].perms' <<<"$j") =~ ^[r-][w-][x-][ps]$ ]]
	[[ $(jq -r '.pages == ([.mappings[].pages] | add)' <<<"$j") == true ]]
	[[ $(jq -r '.present >= 1' <<<"$j") == true ]]
	[[ $(jq -r .verdict <<<"$j") == dram ]]
	[[ $(jq -r '.dram_pages == .present' <<<"$j") == true ]]
}

@test "--pid with a crafted iomem and --expect pmem passes for the tmpfs binary" {
	start "$SHM/sleepy" 300
	wait_for_mapping "$PID" "$SHM/sleepy"
	ram_as_pmem "$SHM/iomem"
	run -0 --separate-stderr "$PMEMPROBE" --pid "$PID" --iomem "$SHM/iomem" --expect pmem --format json "$SHM/sleepy"
	[[ $(jq -r .verdict <<<"$output") == pmem ]]
	[[ $(jq -r .expect_met <<<"$output") == true ]]
	run -1 --separate-stderr "$PMEMPROBE" --pid "$PID" --expect dram --iomem "$SHM/iomem" "$SHM/sleepy"
	[[ $stderr == *"expect process $PID: verdict is pmem, expected dram"* ]]
}

@test "--pid does not touch the process's pages" {
	command -v python3 >/dev/null || skip "python3 is missing (needed to map a file in another process)"
	head -c 4M /dev/zero >"$SHM/data"
	# Maps 4 MiB shared and writes one byte: exactly one page present.
	start python3 -c '
import mmap, sys, time
f = open(sys.argv[1], "r+b")
m = mmap.mmap(f.fileno(), 0)
m[0] = m[0]
time.sleep(300)' "$SHM/data"
	wait_for_mapping "$PID" "$SHM/data"
	local round
	for round in first second; do
		echo "$round survey" >&2
		run -0 --separate-stderr "$PMEMPROBE" --pid "$PID" --format json "$SHM/data"
		[[ $(jq -r .pages <<<"$output") -eq $((4194304 / $(getconf PAGESIZE))) ]]
		[[ $(jq -r .present <<<"$output") -ge 1 ]]
		[[ $(jq -r '.present < .pages / 2' <<<"$output") == true ]]
		[[ $(jq -r '.absent_pages == .pages - .present' <<<"$output") == true ]]
	done
}

@test "--pid of a process that does not map PATH exits 3" {
	start "$SHM/sleepy" 300
	wait_for_mapping "$PID" "$SHM/sleepy"
	make_file "$SHM/other" 4096
	run -3 --separate-stderr "$PMEMPROBE" --pid "$PID" "$SHM/other"
	[[ $stderr == *"$SHM/other"*"does not map"* ]]
}

@test "--pid of a process that does not exist exits 3 naming /proc/PID" {
	run -3 --separate-stderr "$PMEMPROBE" --pid 2147483647
	[[ $stderr == *"open /proc/2147483647/maps: No such file or directory"* ]]
}

@test "--pid as nobody on nobody's own process is unknown: exit 4, CAP_SYS_ADMIN" {
	require_nobody
	chmod 0755 "$SHM"
	start "${NOBODY[@]}" "$SHM/sleepy" 300
	wait_for_mapping "$PID" "$SHM/sleepy"
	run -4 --separate-stderr as_nobody "$PMEMPROBE" --pid "$PID" --format json "$SHM/sleepy"
	[[ $(jq -r .verdict <<<"$output") == unknown ]]
	[[ $(jq -r .dram_pages <<<"$output") -eq 0 ]]
	[[ $stderr == *CAP_SYS_ADMIN* ]]
}
