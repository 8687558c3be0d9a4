#!/usr/bin/env bash
# make valgrind: representative pmemprobe runs and error paths under
# valgrind's memcheck. A run passes when pmemprobe exits with the code it
# documents and memcheck reports no error and no definite leak.
#
#   tests/probe-valgrind.sh [PMEMPROBE]
#
# memcheck's --error-exitcode is 99, not 1: pmemprobe itself exits 1 for a
# missed --expect or --verify, and every code from 0 to 4 is a meaning.
set -Eeuo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

: "${VALGRIND:=valgrind}"
readonly VG_ERROR=99

log() {
	printf 'probe-valgrind: %s\n' "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

probe=$(readlink -f -- "${1:-build/pmemprobe}")
[[ -x $probe ]] || die "no pmemprobe at ${1:-build/pmemprobe} (run make)"
command -v "$VALGRIND" >/dev/null || die "valgrind is missing (apt-get install valgrind)"

work=$(mktemp -d /dev/shm/pmemprobe-valgrind.XXXXXX)
sleeper=
cleanup() {
	local status=$?
	[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
	rm -rf -- "$work"
	exit "$status"
}
trap cleanup EXIT

runs=0 failed=0

# vg WANT NAME -- ARGS...: pmemprobe ARGS under memcheck must exit WANT.
vg() {
	local want=$1 name=$2 rc=0 vlog
	shift 3
	runs=$((runs + 1))
	vlog=$work/vg-$runs.log
	"$VALGRIND" --error-exitcode="$VG_ERROR" --leak-check=full \
		--errors-for-leak-kinds=definite --log-file="$vlog" \
		"$probe" "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	if [[ $rc -eq $want ]] && grep -q 'ERROR SUMMARY: 0 errors' "$vlog"; then
		printf 'ok   %-48s exit %d\n' "$name" "$rc"
		return 0
	fi
	failed=$((failed + 1))
	printf 'FAIL %-48s exit %d, want %d\n' "$name" "$rc" "$want"
	sed 's/^/  stderr: /' "$work/err"
	sed 's/^/  valgrind: /' "$vlog"
}

# Placement needs CAP_SYS_ADMIN; without it the verdict is unknown (exit 4).
placed=0
[[ $(id -u) -eq 0 ]] || placed=4

f=$work/file
head -c 1048576 /dev/urandom >"$f"
sed -n 's/^\( *[0-9a-f]*-[0-9a-f]*\) : System RAM$/\1 : Persistent Memory (legacy)/p' \
	/proc/iomem >"$work/ram-as-pmem"
printf '00000000-00000fff : Reserved\nnot an iomem line\n' >"$work/bad-iomem"
: >"$work/empty"
mkfifo "$work/fifo"
# A crafted sysfs: one virtio-pmem region over the first System RAM line.
read -r ram_start ram_end < <(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1 \2/p' /proc/iomem | sed -n 1p)
mkdir -p "$work/sys/devices/platform/ndbus0/region0" "$work/sys/bus/nd/devices" "$work/notrace"
echo virtio-pmem >"$work/sys/devices/platform/ndbus0/provider"
printf '0x%s\n' "$ram_start" >"$work/sys/devices/platform/ndbus0/region0/resource"
printf '%d\n' "$((16#$ram_end - 16#$ram_start + 1))" >"$work/sys/devices/platform/ndbus0/region0/size"
ln -s ../../../devices/platform/ndbus0/region0 "$work/sys/bus/nd/devices/region0"
# /dev/zero as a 1 GiB-aligned device DAX that pagemap does not see (tests/21-probe-witness.bats).
read -r zmaj zmin < <(stat -c '%t %T' /dev/zero)
zdev=$work/sys/dev/char/$((16#$zmaj)):$((16#$zmin))
mkdir -p "$zdev" "$work/sys/bus/dax" "$work/proc/self"
ln -s ../../../bus/dax "$zdev/subsystem"
echo 4194304 >"$zdev/size"
echo 0x140000000 >"$zdev/resource"
truncate -s 1T "$work/proc/self/pagemap"
printf '%s\n' '0-7fffffffffff rw-s 00000000 00:05 1 /dev/dax0.0' 'KernelPageSize: 1048576 kB' \
	'MMUPageSize: 1048576 kB' >"$work/proc/self/smaps"
echo 'thp_split_pud 0' >"$work/proc/vmstat"
printf '100000000-1ffffffff : Persistent Memory\n' >"$work/dax-iomem"
cp -a "$work/sys" "$work/sys-norange"
rm "$work/sys-norange/dev/char/$((16#$zmaj)):$((16#$zmin))/resource"

# A process with a file mapping for --pid: its own sleep binary.
sleep 600 &
sleeper=$!
sleep_bin=$(readlink -f -- "$(command -v sleep)")
for ((i = 0; i < 100; i++)); do
	grep -qF -- "$sleep_bin" "/proc/$sleeper/maps" 2>/dev/null && break
	sleep 0.05
done

vg 0 "--help" -- --help
vg "$placed" "tmpfs file, json" -- --format json "$f"
vg "$placed" "tmpfs file, text, --pages" -- --pages --size 256K "$f"
vg "$placed" "RAM as PMem, tap, --expect pmem, --pages" -- \
	--format tap --pages --expect pmem --iomem "$work/ram-as-pmem" "$f"
vg "$placed" "--create --verify, json" -- --format json --create --verify --size 1M "$work/new"
vg "$placed" "--verify of the created file" -- --verify "$work/new"
vg 1 "--verify mismatch" -- --verify --size 64K "$f"
vg "$placed" "--pid, json" -- --format json --pid "$sleeper"
vg "$placed" "--pid PATH, text" -- --pid "$sleeper" "$sleep_bin"
vg "$placed" "--sysfs virtio-pmem region, json, --pages" -- \
	--format json --pages --sysfs "$work/sys" "$f"
vg 0 "device-range witness, json" -- --format json --sysfs "$work/sys" --proc "$work/proc" \
	--iomem "$work/dax-iomem" /dev/zero
vg 4 "device range missing: unknown" -- --sysfs "$work/sys-norange" --proc "$work/proc" \
	--iomem "$work/dax-iomem" /dev/zero
vg "$placed" "--anon --node 0, kmem-less, text" -- --anon 1M --node 0 --iomem "$work/ram-as-pmem"
vg "$placed" "--tracefs that is no tracefs, json" -- --format json --tracefs "$work/notrace" "$f"
vg 3 "--anon on a missing node" -- --anon 1M --node 1023
vg 2 "bad --size" -- --size 12X "$f"
vg 2 "--create without --size" -- --create "$work/new2"
vg 3 "missing path" -- "$work/missing"
vg 3 "directory" -- "$work"
vg 3 "FIFO" -- "$work/fifo"
vg 3 "/dev/zero" -- /dev/zero
vg 3 "/proc file" -- /proc/self/status
vg 3 "empty file" -- "$work/empty"
vg 3 "--size beyond the end of the file" -- --size 2M "$f"
vg 3 "--create on an existing file" -- --create --size 4K "$f"
vg 3 "malformed --iomem" -- --iomem "$work/bad-iomem" "$f"
vg 3 "--iomem FIFO" -- --iomem "$work/fifo" "$f"
vg 3 "--pid of no process" -- --pid 2147483647

echo "valgrind: $runs runs, $((runs - failed)) clean, $failed failed"
((failed == 0))
