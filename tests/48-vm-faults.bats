#!/usr/bin/env bats
# Faults from outside: QEMU killed, a full disk, two runs at once, and
# memmap PMem that (as it should) forgets everything when the guest stops.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	use_private_tmpdir
	cd "$BATS_TEST_TMPDIR" || return
}

teardown() {
	if [[ -n ${SMALL_FS:-} ]] && mountpoint -q "$SMALL_FS"; then
		umount "$SMALL_FS"
	fi
}

# small_fs SIZE: a tmpfs of SIZE at $BATS_TEST_TMPDIR/small (needs root).
small_fs() {
	[[ $(id -u) -eq 0 ]] || skip "needs root to mount a small tmpfs"
	SMALL_FS=$BATS_TEST_TMPDIR/small
	mkdir -p "$SMALL_FS"
	mount -t tmpfs -o "size=$1" tmpfs "$SMALL_FS"
}

@test "QEMU killed from outside mid-run is reported, and nothing is left behind" {
	"$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- sleep 600 >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local pid=$! i status=0
	for ((i = 0; i < 300; i++)); do
		pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null && break
		sleep 0.1
	done
	sleep 2
	pkill -KILL -f "qemu-system-x86_64.*$TMPDIR"
	wait "$pid" || status=$?
	cat "$BATS_TEST_TMPDIR/out" >&2
	[[ $status -eq 125 ]]
	grep -q "QEMU was killed by signal 9 (KILL)" "$BATS_TEST_TMPDIR/out"
	no_leftovers
}

@test "memmap PMem is guest RAM: a file written in one run is gone in the next" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg -- sh -c 'echo kept >"$PMEM_DIR/marker" && cat "$PMEM_DIR/marker"'
	[[ $output == kept ]]
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg -- sh -c 'ls -A "$PMEM_DIR"'
	[[ $output != *marker* ]]
}

@test "no room for the NVDIMM backing file: refused before boot, nothing left" {
	small_fs 64M
	TMPDIR=$SMALL_FS run -3 --separate-stderr "$PMEMLAB" run --accel tcg --backend nvdimm --fixture tmpfs
	[[ $stderr == *"not enough disk space in $SMALL_FS/pmemlab."*"for 1026M of NVDIMM backing files"* ]]
	[[ -z $(ls -A "$SMALL_FS") ]]
}

@test "a cache disk that fills up while writing the initramfs: clear error, partial files removed" {
	small_fs 8M
	# the kernel comes by path from the suite's cache, so that only the
	# initramfs is written to the small one (and no download is needed)
	local image
	image=$(find "${PMEMLAB_SHARED_CACHE:-$HOME/.cache/pmemlab}"/kernels/*/boot -name 'vmlinuz-*-amd64' 2>/dev/null | sort | sed -n 1p)
	[[ -n $image ]] || skip "no kernel in the suite's cache to boot by path (pmemlab kernel fetch)"
	PMEMLAB_CACHE=$SMALL_FS run -3 --separate-stderr "$PMEMLAB" run --accel tcg --fixture tmpfs --kernel "$image"
	echo "$stderr" >&2
	[[ $stderr == *"disk full?"* || $stderr == *"No space left on device"* ]]
	[[ -z $(find "$SMALL_FS/initramfs" -mindepth 1 2>/dev/null) ]]
	no_leftovers
}

@test "two runs at the same time do not share work directories and both pass" {
	"$PMEMLAB" run -q --accel tcg --fixture tmpfs --fixture ext4-dax --format json >a.json 2>a.err 3>&- &
	local a=$!
	"$PMEMLAB" run -q --accel tcg --fixture tmpfs --fixture ext4-dax --format json >b.json 2>b.err 3>&- &
	local b=$!
	wait "$a"
	wait "$b"
	[[ $(jq -r .ok a.json) == true && $(jq -r .ok b.json) == true ]]
	no_leftovers
}
