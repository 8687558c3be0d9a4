#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# --create makes a new file with a per-page pattern and never touches an
# existing one; --verify checks the pattern; a probe never changes a byte.
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

@test "a probe leaves an existing file's bytes and size identical" {
	make_file "$SHM/f" 1048576
	local before
	before=$(sha256sum <"$SHM/f")
	run -0 --separate-stderr "$PMEMPROBE" "$SHM/f"
	run -0 --separate-stderr "$PMEMPROBE" --format json --pages --size 64K "$SHM/f"
	[[ $(sha256sum <"$SHM/f") == "$before" ]]
	[[ $(stat -c %s "$SHM/f") -eq 1048576 ]]
}

@test "a probe of a file outside tmpfs leaves its bytes identical too" {
	local f=$BATS_TEST_TMPDIR/f
	make_file "$f" 262144
	cp "$f" "$f.orig"
	run -0 --separate-stderr "$PMEMPROBE" "$f"
	cmp "$f" "$f.orig"
}

@test "--create makes the file with the pattern, and --verify accepts it" {
	run -0 --separate-stderr "$PMEMPROBE" --format json --create --size 1M "$SHM/new"
	[[ $(jq -r .created <<<"$output") == true ]]
	[[ $(jq -r .verdict <<<"$output") == dram ]]
	[[ $(stat -c %s "$SHM/new") -eq 1048576 ]]
	# Recognisable: each 4 KiB block starts with its number.
	[[ $(head -c 30 "$SHM/new") == "pmemlab block 0000000000000000" ]]
	[[ $(dd if="$SHM/new" bs=1 skip=$((4096 * 255)) count=30 status=none) == "pmemlab block 00000000000000ff" ]]
	run -0 --separate-stderr "$PMEMPROBE" --format json --verify "$SHM/new"
	[[ $(jq -r .verify.ok <<<"$output") == true ]]
	[[ $(jq -r .verify.first_bad_page <<<"$output") == null ]]
	[[ $(jq -r .created <<<"$output") == false ]]
}

@test "--create and --verify in one run" {
	run -0 --separate-stderr "$PMEMPROBE" --create --verify --size 64K "$SHM/new"
	[[ $output == *"pattern:      verified"* ]]
}

@test "--create allocates real blocks (no holes)" {
	run -0 --separate-stderr "$PMEMPROBE" --create --size 1M "$SHM/new"
	[[ $(stat -c %b "$SHM/new") -ge $((1048576 / $(stat -c %B "$SHM/new"))) ]]
}

@test "--create refuses an existing file with exit 3 and leaves it untouched" {
	make_file "$SHM/f" 8192
	local before
	before=$(sha256sum <"$SHM/f")
	run -3 --separate-stderr "$PMEMPROBE" --create --size 1M "$SHM/f"
	[[ $stderr == *"create (O_CREAT|O_EXCL) $SHM/f: File exists"* ]]
	[[ $(sha256sum <"$SHM/f") == "$before" ]]
	[[ $(stat -c %s "$SHM/f") -eq 8192 ]]
}

@test "--create refuses an existing empty file and a symlink to one" {
	: >"$SHM/empty"
	ln -s "$SHM/empty" "$SHM/link"
	run -3 --separate-stderr "$PMEMPROBE" --create --size 4K "$SHM/empty"
	run -3 --separate-stderr "$PMEMPROBE" --create --size 4K "$SHM/link"
	[[ $(stat -c %s "$SHM/empty") -eq 0 ]]
}

@test "--create in a missing directory exits 3 naming the path" {
	run -3 --separate-stderr "$PMEMPROBE" --create --size 4K "$SHM/no/such/new"
	[[ $stderr == *"$SHM/no/such/new: No such file or directory"* ]]
}

@test "--verify on a file without the pattern exits 1 naming the first bad page" {
	make_file "$SHM/f" 65536
	run -1 --separate-stderr "$PMEMPROBE" --format json --verify "$SHM/f"
	[[ $(jq -r .verify.ok <<<"$output") == false ]]
	[[ $(jq -r .verify.first_bad_page <<<"$output") -eq 0 ]]
	[[ $stderr == *"verify $SHM/f: pattern mismatch at page 0"* ]]
}

@test "--verify finds one changed byte and reports its page" {
	run -0 --separate-stderr "$PMEMPROBE" --create --size 64K "$SHM/new"
	printf 'X' | dd of="$SHM/new" bs=1 seek=$((5 * 4096 + 100)) conv=notrunc status=none
	run -1 --separate-stderr "$PMEMPROBE" --format json --verify "$SHM/new"
	[[ $(jq -r .verify.first_bad_offset <<<"$output") -eq $((5 * 4096 + 100)) ]]
	[[ $(jq -r .verify.first_bad_page <<<"$output") -eq $(((5 * 4096 + 100) / $(getconf PAGESIZE))) ]]
	run -1 --separate-stderr "$PMEMPROBE" --verify "$SHM/new"
	[[ $output == *"pattern:      MISMATCH at page"* ]]
}

@test "--verify with --size checks only the mapped bytes" {
	run -0 --separate-stderr "$PMEMPROBE" --create --size 64K "$SHM/new"
	printf 'X' | dd of="$SHM/new" bs=1 seek=$((12 * 4096)) conv=notrunc status=none
	run -0 --separate-stderr "$PMEMPROBE" --verify --size 8K "$SHM/new"
	run -1 --separate-stderr "$PMEMPROBE" --verify "$SHM/new"
}

@test "--create that runs out of space exits 3 and leaves no partial file" {
	small_tmpfs "$SHM/small"
	run -3 --separate-stderr "$PMEMPROBE" --create --size 4M "$SHM/small/new"
	[[ $stderr == *"$SHM/small/new: No space left on device"* ]]
	[[ ! -e $SHM/small/new ]]
}

@test "a hole that cannot be allocated (SIGBUS) exits 3 naming the offset" {
	small_tmpfs "$SHM/small"
	truncate -s 4M "$SHM/small/sparse"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/small/sparse"
	[[ $stderr == *"write-fault $SHM/small/sparse: SIGBUS at offset "* ]]
	[[ $(stat -c %s "$SHM/small/sparse") -eq 4194304 ]]
}

@test "--create on tmpfs sets no extent size hint" {
	run -0 --separate-stderr "$PMEMPROBE" --create --size 4M --format json "$SHM/new"
	[[ $(jq -r .created_extsize <<<"$output") == null ]]
}

@test "--create on xfs asks for 2 MiB extents (an extent size hint)" {
	command -v mkfs.xfs >/dev/null || skip "mkfs.xfs (xfsprogs) is missing"
	command -v unshare >/dev/null || skip "unshare (util-linux) is missing"
	truncate -s 300M "$SHM/xfs.img"
	mkfs.xfs -q "$SHM/xfs.img"
	mkdir "$SHM/mnt"
	# a private mount namespace: the mount goes away with the command
	# shellcheck disable=SC2016 # expanded by the inner shell
	run --separate-stderr unshare -m sh -c '
		mount -o loop "$1" "$2" 2>/dev/null || exit 90
		"$PMEMPROBE" --create --size 8M --format json "$2/p"' sh "$SHM/xfs.img" "$SHM/mnt"
	[[ $status -ne 90 ]] || skip "cannot mount a loop device here"
	[[ $status -eq 0 ]]
	[[ $(jq -r .created_extsize <<<"$output") -eq 2097152 ]]
	[[ $(jq -r .evidence.fstype <<<"$output") == xfs ]]
}
