#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemprobe's command line: help, version, usage errors (exit 2) and paths it
# must refuse with exit 3, each message naming the operation, path and reason.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
}

teardown() {
	probe_teardown
}

@test "--help prints the usage and exits 0" {
	run -0 "$PMEMPROBE" --help
	[[ $output == *"usage: pmemprobe [OPTIONS] PATH"* ]]
	[[ $output == *"--expect VERDICT"* ]]
}

@test "--version prints the VERSION file's version and exits 0" {
	run -0 "$PMEMPROBE" --version
	[[ $output == "pmemprobe $(<"$BATS_TEST_DIRNAME/../VERSION")" ]]
	run -0 "$PMEMPROBE" --help
	[[ $output == *"--version     print \"pmemprobe VERSION\""* ]]
}

@test "the JSON version is the same as --version's" {
	make_file "$SHM/f" 4096
	run --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	[[ $status -eq 0 || $status -eq 4 ]] # 4: not root, placement unknown
	[[ $(jq -r .version <<<"$output") == "$(<"$BATS_TEST_DIRNAME/../VERSION")" ]]
}

@test "built without PMEMLAB_VERSION, the version is unknown" {
	command -v cc >/dev/null || skip "no C compiler (cc)"
	run -0 cc -E -P -I"$BATS_TEST_DIRNAME/../probe" -x c - <<<$'#include "out.h"
PMEMPROBE_VERSION'
	[[ $output == *'"unknown"' ]]
}

@test "no PATH is a usage error" {
	run -2 --separate-stderr "$PMEMPROBE"
	[[ $stderr == *"missing PATH"* ]]
}

@test "an unknown option is a usage error" {
	run -2 --separate-stderr "$PMEMPROBE" --frobnicate "$SHM/f"
	[[ $stderr == *"--frobnicate: unknown option"* ]]
}

@test "an option without its argument is a usage error" {
	run -2 --separate-stderr "$PMEMPROBE" --size
	[[ $stderr == *"--size: needs an argument"* ]]
}

@test "two paths are a usage error" {
	run -2 --separate-stderr "$PMEMPROBE" "$SHM/a" "$SHM/b"
	[[ $stderr == *"only one PATH"* ]]
}

@test "bad sizes are usage errors: junk, zero, negative, fractions, unknown suffixes" {
	make_file "$SHM/f" 8192
	local size
	for size in abc "" 0 0K -1 -4K 1.5G 4KB 12X " 4096" "4096 " 0x1000; do
		run -2 --separate-stderr "$PMEMPROBE" --size "$size" "$SHM/f"
		[[ $stderr == *"--size '$size': not a size"* ]]
	done
}

@test "sizes that overflow are usage errors" {
	make_file "$SHM/f" 8192
	local size
	for size in 9223372036854775808 99999999999999999999 8388608T 9007199254740992K; do
		run -2 --separate-stderr "$PMEMPROBE" --size "$size" "$SHM/f"
		[[ $stderr == *"--size '$size': too large"* ]]
	done
}

@test "bad --format, --expect and --pid values are usage errors" {
	make_file "$SHM/f" 4096
	run -2 --separate-stderr "$PMEMPROBE" --format xml "$SHM/f"
	[[ $stderr == *"--format 'xml'"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --expect unknown "$SHM/f"
	[[ $stderr == *"--expect 'unknown'"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --pid 0
	[[ $stderr == *"--pid '0'"* ]]
	run -2 --separate-stderr "$PMEMPROBE" --pid 12x
	[[ $stderr == *"--pid '12x'"* ]]
}

@test "--create without --size is a usage error and creates nothing" {
	run -2 --separate-stderr "$PMEMPROBE" --create "$SHM/new"
	[[ $stderr == *"--create needs --size"* ]]
	[[ ! -e $SHM/new ]]
}

@test "--pid refuses the options that touch pages, and tap" {
	run -2 --separate-stderr "$PMEMPROBE" --pid $$ --size 4K
	run -2 --separate-stderr "$PMEMPROBE" --pid $$ --create
	run -2 --separate-stderr "$PMEMPROBE" --pid $$ --format tap
}

@test "a missing path exits 3, names the path, and creates nothing" {
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/missing"
	[[ $stderr == *"$SHM/missing: No such file or directory"* ]]
	[[ ! -e $SHM/missing ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 4K "$SHM/missing"
	[[ ! -e $SHM/missing ]]
}

@test "a directory is refused with exit 3" {
	run -3 --separate-stderr "$PMEMPROBE" "$SHM"
	[[ $stderr == *"probe $SHM: is a directory"* ]]
}

@test "a FIFO is refused with exit 3 without blocking on it" {
	mkfifo "$SHM/fifo"
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" "$SHM/fifo"
	[[ $stderr == *"$SHM/fifo: is not a regular file or a device-DAX character device"* ]]
}

@test "a socket is refused with exit 3" {
	command -v python3 >/dev/null || skip "python3 is missing (needed to make a socket)"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SHM/sock"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/sock"
	[[ $stderr == *"$SHM/sock: is not a regular file"* ]]
}

@test "character devices other than device DAX are refused with exit 3" {
	run -3 --separate-stderr "$PMEMPROBE" /dev/null
	[[ $stderr == *"/dev/null: is a character device but not device DAX"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 4K /dev/zero
	[[ $stderr == *"/dev/zero: is a character device but not device DAX"* ]]
}

@test "procfs and sysfs files are refused with exit 3" {
	run -3 --separate-stderr "$PMEMPROBE" --size 4K /proc/self/status
	[[ $stderr == *"/proc/self/status: is on procfs"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 4K /sys/kernel/mm/transparent_hugepage/enabled
	[[ $stderr == *"is on sysfs"* ]]
}

@test "an empty file is a runtime error (exit 3) and stays empty" {
	: >"$SHM/empty"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/empty"
	[[ $stderr == *"map $SHM/empty: the file is empty"* ]]
	[[ $(stat -c %s "$SHM/empty") -eq 0 ]]
}

@test "--size beyond the end of the file exits 3 and never extends it" {
	make_file "$SHM/f" 8192
	run -3 --separate-stderr "$PMEMPROBE" --size 3G "$SHM/f"
	[[ $stderr == *"--size 3221225472 exceeds the file size 8192"* ]]
	[[ $(stat -c %s "$SHM/f") -eq 8192 ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 8193 "$SHM/f"
	[[ $(stat -c %s "$SHM/f") -eq 8192 ]]
}

@test "a file the user cannot write exits 3 and says why" {
	require_nobody
	chmod 0777 "$SHM"
	make_file "$SHM/ro" 8192
	chmod 0644 "$SHM/ro"
	run -3 --separate-stderr as_nobody "$PMEMPROBE" "$SHM/ro"
	[[ $stderr == *"open read-write $SHM/ro: Permission denied"* ]]
	[[ $stderr == *"write fault"* ]]
}

@test "an unreadable --iomem file exits 3 naming it" {
	make_file "$SHM/f" 4096
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/no-iomem" "$SHM/f"
	[[ $stderr == *"read $SHM/no-iomem: No such file or directory"* ]]
}

@test "a malformed --iomem file exits 3 naming the line" {
	make_file "$SHM/f" 4096
	printf '00000000-00000fff : Reserved\nnot an iomem line\n' >"$SHM/iomem"
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/iomem" "$SHM/f"
	[[ $stderr == *"parse $SHM/iomem: line 2 is not"* ]]
}
