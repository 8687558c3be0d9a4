#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Bad input for pmemprobe, beyond tests/10-probe-cli.bats: symlinks to what
# it refuses, FIFOs it must never open, pseudo-filesystem files, devices,
# read-only and immutable files, files whose shared mapping the kernel
# refuses, bad --iomem files, and sizes at the edges. Each one: the
# documented exit code (2 usage, 3 runtime), a message naming the path and
# the reason, and no byte written.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
	MOUNTS=() PINNED=() LOOPS=() BACKGROUND=()
}

teardown() {
	local i
	for ((i = ${#BACKGROUND[@]} - 1; i >= 0; i--)); do
		kill "${BACKGROUND[i]}" 2>/dev/null || true
	done
	for ((i = ${#PINNED[@]} - 1; i >= 0; i--)); do
		chattr -i -a "${PINNED[i]}" 2>/dev/null || true
	done
	for ((i = ${#LOOPS[@]} - 1; i >= 0; i--)); do
		losetup -d "${LOOPS[i]}" 2>/dev/null || true
	done
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[i]}" 2>/dev/null || true
	done
	probe_teardown
}

# A random file and its checksum, to compare after a refused probe.
random_file() {
	make_file "$1" "${2:-65536}"
	sha256sum <"$1"
}

# Undone by teardown, last first: mounts, chattr flags, loop devices, processes.
unmount_later() { MOUNTS+=("$1"); }
unpin_later() { PINNED+=("$1"); }
detach_later() { LOOPS+=("$1"); }
kill_later() { BACKGROUND+=("$1"); }

# Wait (5 s at most) until process PID sleeps in the kernel function WCHAN.
wait_for_wchan() {
	local pid=$1 wchan=$2 i
	for ((i = 0; i < 100; i++)); do
		[[ $(cat "/proc/$pid/wchan" 2>/dev/null) == "$wchan" ]] && return 0
		sleep 0.05
	done
	echo "process $pid never reached $wchan" >&2
	return 1
}

@test "symlinks to a directory, a FIFO, a socket and /dev/null are refused like their targets" {
	mkfifo "$SHM/fifo"
	ln -s "$SHM" "$SHM/to-dir"
	ln -s "$SHM/fifo" "$SHM/to-fifo"
	ln -s /dev/null "$SHM/to-null"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/to-dir"
	[[ $stderr == *"probe $SHM/to-dir: is a directory"* ]]
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" "$SHM/to-fifo"
	[[ $stderr == *"probe $SHM/to-fifo: is not a regular file or a device-DAX character device"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 4K "$SHM/to-null"
	[[ $stderr == *"probe $SHM/to-null: is a character device but not device DAX"* ]]
	if command -v python3 >/dev/null; then
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SHM/sock"
		ln -s "$SHM/sock" "$SHM/to-sock"
		run -3 --separate-stderr "$PMEMPROBE" "$SHM/to-sock"
		[[ $stderr == *"probe $SHM/to-sock: is not a regular file"* ]]
	fi
}

@test "a dangling symlink and a symlink loop exit 3 naming the path" {
	ln -s "$SHM/nowhere" "$SHM/dangling"
	ln -s "$SHM/loop" "$SHM/loop"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/dangling"
	[[ $stderr == *"stat $SHM/dangling: No such file or directory"* ]]
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/loop"
	[[ $stderr == *"stat $SHM/loop: Too many levels of symbolic links"* ]]
	[[ ! -e $SHM/nowhere ]]
}

@test "an empty PATH or --iomem is a usage error" {
	run -2 --separate-stderr "$PMEMPROBE" ""
	[[ $stderr == *"PATH is empty"* ]]
	make_file "$SHM/f" 4096
	run -2 --separate-stderr "$PMEMPROBE" --iomem "" "$SHM/f"
	[[ $stderr == *"--iomem '': empty"* ]]
}

@test "a FIFO is never opened: a reader waiting on it stays blocked, with any option" {
	mkfifo "$SHM/fifo"
	# cat blocks in open() until a writer comes; pmemprobe's O_RDWR would be one.
	cat "$SHM/fifo" >/dev/null &
	kill_later "$!"
	wait_for_wchan "$!" wait_for_partner
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" "$SHM/fifo"
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --size 4K --verify "$SHM/fifo"
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --format json --pages "$SHM/fifo"
	[[ $stderr == *"$SHM/fifo: is not a regular file"* ]]
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --create --size 4K "$SHM/fifo"
	[[ $stderr == *"create (O_CREAT|O_EXCL) $SHM/fifo: File exists"* ]]
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --pid $$ "$SHM/fifo"
	[[ $stderr == *"$SHM/fifo: process $$ does not map it"* ]]
	[[ $(cat "/proc/$!/wchan") == wait_for_partner ]]
	[[ -p $SHM/fifo ]]
}

@test "a FIFO, a socket, a device or a directory as --iomem is refused without blocking" {
	local sum
	sum=$(random_file "$SHM/f")
	mkfifo "$SHM/fifo"
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --iomem "$SHM/fifo" "$SHM/f"
	[[ $stderr == *"read $SHM/fifo: is a FIFO; the ranges file must be a regular file"* ]]
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --pid $$ --iomem "$SHM/fifo"
	[[ $stderr == *"read $SHM/fifo: is a FIFO"* ]]
	# /dev/zero has no newline: a line reader without a bound would eat memory.
	run -3 --separate-stderr timeout 10 "$PMEMPROBE" --iomem /dev/zero "$SHM/f"
	[[ $stderr == *"read /dev/zero: is a character device"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM" "$SHM/f"
	[[ $stderr == *"read $SHM: is a directory"* ]]
	if command -v python3 >/dev/null; then
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SHM/sock"
		run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/sock" "$SHM/f"
		[[ $stderr == *"read $SHM/sock: is a socket"* ]]
	fi
	[[ $(sha256sum <"$SHM/f") == "$sum" ]]
}

@test "an --iomem file that is empty, has a NUL byte or an overlong line is refused" {
	make_file "$SHM/f" 4096
	: >"$SHM/empty"
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/empty" "$SHM/f"
	[[ $stderr == *"read $SHM/empty: has no entries: not an iomem file"* ]]
	printf '\n  \n\t\n' >"$SHM/blank"
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/blank" "$SHM/f"
	[[ $stderr == *"has no entries"* ]]
	# Without the check the NUL would hide the junk and the range would count.
	printf '00000000-00000fff : Reserved\n100000000-13fffffff : Persistent Memory\0junk\n' >"$SHM/nul"
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/nul" "$SHM/f"
	[[ $stderr == *"parse $SHM/nul: line 2 contains a NUL byte"* ]]
	{
		printf '00000000-00000fff : Reserved\n00001000-00001fff : '
		head -c 5000 /dev/zero | tr '\0' x
		printf '\n'
	} >"$SHM/long"
	run -3 --separate-stderr "$PMEMPROBE" --iomem "$SHM/long" "$SHM/f"
	[[ $stderr == *"parse $SHM/long: line 2 is longer than 4096 bytes"* ]]
}

@test "procfs files of every kind are refused, with or without --size" {
	local f
	for f in /proc/iomem /proc/self/pagemap /proc/self/mem /proc/self/maps /proc/kcore \
		/proc/sys/vm/drop_caches; do
		[[ -e $f ]] || continue
		run -3 --separate-stderr "$PMEMPROBE" "$f"
		[[ $stderr == *"probe $f: is on procfs; pseudo-filesystem files cannot be probed"* ]]
		run -3 --separate-stderr "$PMEMPROBE" --size 4K "$f"
	done
}

@test "a pipe and an eventfd reached through /proc/self/fd are refused" {
	# shellcheck disable=SC2016 # the inner shell expands $PMEMPROBE (exported)
	run -3 --separate-stderr bash -c 'echo data | "$PMEMPROBE" /dev/stdin'
	[[ $stderr == *"probe /dev/stdin: is not a regular file"* ]]
	command -v python3 >/dev/null || skip "python3 is missing (needed for an eventfd)"
	run -3 --separate-stderr python3 -c '
import os, sys
fd = os.eventfd(0)
os.set_inheritable(fd, True)
os.execv(sys.argv[1], [sys.argv[1], "/proc/self/fd/%d" % fd])' "$PMEMPROBE"
	[[ $stderr == *"probe /proc/self/fd/"*": is not a regular file"* ]]
}

@test "sysfs and cgroup files are refused" {
	local f found=0
	for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/profiling \
		/sys/power/state; do
		[[ -f $f ]] || continue
		found=1
		run -3 --separate-stderr "$PMEMPROBE" --size 4K "$f"
		[[ $stderr == *"probe $f: is on sysfs"* ]]
	done
	f=$(find /sys/fs/cgroup -maxdepth 2 -name cgroup.procs -print -quit 2>/dev/null)
	if [[ -n $f ]]; then
		found=1
		run -3 --separate-stderr "$PMEMPROBE" --size 4K "$f"
		[[ $stderr == *"probe $f: is on a kernel pseudo-filesystem"* ]]
	fi
	((found)) || skip "no sysfs or cgroup file found"
}

@test "character devices other than device DAX, and symlinks to them, are refused" {
	local dev
	for dev in /dev/full /dev/urandom /dev/random /dev/tty; do
		[[ -c $dev ]] || continue
		run -3 --separate-stderr "$PMEMPROBE" --size 4K "$dev"
		[[ $stderr == *"probe $dev: is a character device but not device DAX"* ]]
	done
	ln -s /dev/zero "$SHM/to-zero"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/to-zero"
	[[ $stderr == *"probe $SHM/to-zero: is a character device but not device DAX"* ]]
	[[ -c /dev/null && -c /dev/zero ]]
}

@test "a block device is refused before it is opened, and stays unchanged" {
	require_root
	command -v losetup >/dev/null || skip "losetup (util-linux) is missing"
	local sum dev
	sum=$(random_file "$SHM/disk" 1048576)
	dev=$(losetup -f --show "$SHM/disk" 2>/dev/null) || skip "cannot attach a loop device"
	detach_later "$dev"
	run -3 --separate-stderr "$PMEMPROBE" "$dev"
	[[ $stderr == *"probe $dev: is a block device; probe a file on a DAX filesystem on it instead"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --size 4K --verify "$dev"
	losetup -d "$dev"
	[[ $(sha256sum <"$SHM/disk") == "$sum" ]]
}

@test "an empty file is refused with --size, --verify and through a symlink, and stays empty" {
	: >"$SHM/empty"
	ln -s "$SHM/empty" "$SHM/to-empty"
	run -3 --separate-stderr "$PMEMPROBE" --size 4K "$SHM/empty"
	[[ $stderr == *"map $SHM/empty: --size 4096 exceeds the file size 0 (pmemprobe never extends a file)"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --verify "$SHM/empty"
	[[ $stderr == *"map $SHM/empty: the file is empty"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --format json "$SHM/to-empty"
	[[ $stderr == *"map $SHM/to-empty: the file is empty"* ]]
	[[ -z $output ]]
	[[ $(stat -c %s "$SHM/empty") -eq 0 ]]
}

@test "more junk sizes are usage errors, and the file is untouched" {
	local sum size
	sum=$(random_file "$SHM/f" 8192)
	for size in +4096 "4096"$'\n' "4096"$'\t' 1e3 4K4 K k -0 00 "4 K" "４０９６" 4KiB 0T; do
		run -2 --separate-stderr "$PMEMPROBE" --size "$size" "$SHM/f"
		[[ $stderr == *"--size '$size': not a size"* ]]
		[[ -z $output ]]
	done
	run -2 --separate-stderr "$PMEMPROBE" --size= "$SHM/f"
	[[ $stderr == *"--size '': not a size"* ]]
	[[ $(sha256sum <"$SHM/f") == "$sum" ]]
}

@test "sizes at the 63-bit edge: too large is 2, the largest valid one is 3 (beyond the end)" {
	local sum size
	sum=$(random_file "$SHM/f" 8192)
	for size in 18446744073709551615 18446744073709551616 9223372036854775807K 8388608t 8192P; do
		run -2 --separate-stderr "$PMEMPROBE" --size "$size" "$SHM/f"
		[[ $stderr == *"--size '$size': "* ]]
	done
	for size in 9223372036854775807 8388607T 000000000000000000000000000000008193; do
		run -3 --separate-stderr "$PMEMPROBE" --size "$size" "$SHM/f"
		[[ $stderr == *"map $SHM/f: --size "*" exceeds the file size 8192"* ]]
	done
	[[ $(sha256sum <"$SHM/f") == "$sum" ]]
	[[ $(stat -c %s "$SHM/f") -eq 8192 ]]
}

@test "a file on a read-only bind mount exits 3 with EROFS, byte for byte unchanged" {
	require_root
	local sum
	mkdir -p "$SHM/rw" "$SHM/ro"
	sum=$(random_file "$SHM/rw/f")
	mount --bind "$SHM/rw" "$SHM/ro" 2>/dev/null || skip "cannot bind-mount (needs CAP_SYS_ADMIN)"
	unmount_later "$SHM/ro"
	mount -o remount,bind,ro "$SHM/ro" || skip "cannot remount the bind mount read-only"
	[[ $(findmnt -n -o OPTIONS --target "$SHM/ro") == ro,* ]]
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/ro/f"
	[[ $stderr == *"open read-write $SHM/ro/f: Read-only file system (pmemprobe needs write access: every page takes a write fault)"* ]]
	run -3 --separate-stderr "$PMEMPROBE" --verify --size 4K "$SHM/ro/f"
	run -3 --separate-stderr "$PMEMPROBE" --create --size 4K "$SHM/ro/new"
	[[ $stderr == *"create (O_CREAT|O_EXCL) $SHM/ro/new: Read-only file system"* ]]
	[[ ! -e $SHM/rw/new ]]
	[[ $(sha256sum <"$SHM/rw/f") == "$sum" ]]
}

@test "an immutable or append-only file exits 3 with EPERM, byte for byte unchanged" {
	require_root
	local sum attr
	for attr in i a; do
		sum=$(random_file "$SHM/$attr")
		chattr "+$attr" "$SHM/$attr" 2>/dev/null || skip "chattr +$attr is not supported on $SHM"
		unpin_later "$SHM/$attr"
		run -3 --separate-stderr "$PMEMPROBE" "$SHM/$attr"
		[[ $stderr == *"open read-write $SHM/$attr: Operation not permitted (pmemprobe needs write access"* ]]
		chattr "-$attr" "$SHM/$attr"
		[[ $(sha256sum <"$SHM/$attr") == "$sum" ]]
	done
}

@test "a sealed memfd: open succeeds, the shared mapping is refused, exit 3" {
	command -v python3 >/dev/null || skip "python3 is missing (needed for a sealed memfd)"
	# F_SEAL_WRITE: writable shared mappings are refused with EPERM; nothing can change it.
	run -3 --separate-stderr python3 -c '
import fcntl, os, sys
fd = os.memfd_create("pmemprobe-sealed", os.MFD_ALLOW_SEALING)
os.write(fd, os.urandom(65536))
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
os.set_inheritable(fd, True)
os.execv(sys.argv[1], [sys.argv[1], "/proc/self/fd/%d" % fd])' "$PMEMPROBE"
	[[ $stderr == *"mmap MAP_SHARED /proc/self/fd/"*": Operation not permitted (the kernel refuses a shared read-write mapping of this file)"* ]]
	[[ -z $output ]]
}

@test "a hugetlbfs file without huge pages: the mapping is refused, exit 3" {
	require_root
	[[ $(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo) == 0 ]] ||
		skip "huge pages are reserved here, so hugetlbfs would map"
	mkdir -p "$SHM/huge"
	mount -t hugetlbfs pmemprobe-test "$SHM/huge" 2>/dev/null || skip "cannot mount hugetlbfs"
	unmount_later "$SHM/huge"
	truncate -s 2M "$SHM/huge/f"
	run -3 --separate-stderr "$PMEMPROBE" "$SHM/huge/f"
	[[ $stderr == *"mmap MAP_SHARED $SHM/huge/f: Cannot allocate memory (the kernel refuses a shared read-write mapping of this file)"* ]]
	[[ $(stat -c %s "$SHM/huge/f") -eq 2097152 ]]
}

@test "--pid of a kernel thread says it has no user address space" {
	local pid stat rest flags
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		rest=${stat##*) }
		read -r -a flags <<<"$rest"
		# field 9 (flags) is the 7th after the command; PF_KTHREAD is 0x00200000
		if ((flags[6] & 0x200000)); then
			run -3 --separate-stderr "$PMEMPROBE" --pid "$pid"
			[[ $stderr == *"/proc/$pid/pagemap: process $pid has no user address space"* ]]
			return 0
		fi
	done
	skip "no kernel thread is visible (PID namespace)"
}
