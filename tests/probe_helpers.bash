# shellcheck shell=bash
# Helpers for the pmemprobe tests (tests/1?-probe-*.bats). Sourced by bats;
# no side effects at load time beyond setting PMEMPROBE.

# The binary under test: `make check` reruns the same tests with the ASan build.
PMEMPROBE=${PMEMPROBE:-$BATS_TEST_DIRNAME/../build/pmemprobe}
# Absolute, so that tests may cd and other users may run it.
PMEMPROBE=$(readlink -f -- "$PMEMPROBE")
export PMEMPROBE

# A private directory on tmpfs (/dev/shm), removed by probe_teardown.
# BATS_TEST_TMPDIR lives under /tmp, which may be any filesystem.
probe_setup() {
	[[ -x $PMEMPROBE ]] || {
		echo "pmemprobe binary missing: $PMEMPROBE (run make)" >&2
		return 1
	}
	SHM=$(mktemp -d /dev/shm/pmemprobe-test.XXXXXX)
	export SHM
}

probe_teardown() {
	if [[ -n ${SMALL_TMPFS:-} ]]; then
		umount "$SMALL_TMPFS"
	fi
	if [[ -n ${SHM:-} && -d $SHM ]]; then
		rm -rf -- "$SHM"
	fi
}

require_root() {
	if [[ $(id -u) -ne 0 ]]; then
		skip "needs root (CAP_SYS_ADMIN) to read physical addresses"
	fi
}

# Running a command as nobody needs root (to switch) and setpriv.
require_nobody() {
	require_root
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	id nobody >/dev/null 2>&1 || skip "no user 'nobody'"
}

# The command prefix that runs a program as nobody (an array, so that
# backgrounded commands keep their own PID).
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)

as_nobody() {
	"${NOBODY[@]}" "$@"
}

# A file of SIZE bytes that is not pmemprobe's pattern: random bytes.
make_file() {
	local path=$1 size=$2
	head -c "$size" /dev/urandom >"$path"
}

# FILE: the host's "System RAM" ranges relabelled LABEL (default the legacy
# PMem name), so that every DRAM page reads as PMem. Needs root: without
# CAP_SYS_ADMIN /proc/iomem prints 0 for every address.
ram_as_pmem() {
	local out=$1 label=${2:-Persistent Memory (legacy)}
	sed -n "s/^\( *[0-9a-f]*-[0-9a-f]*\) : System RAM\$/\1 : $label/p" /proc/iomem >"$out"
	[[ -s $out ]] || {
		echo "no System RAM line in /proc/iomem" >&2
		return 1
	}
}

# An iomem FILE naming only the 4 KiB page at physical address PADDR (0x...) as PMem.
page_as_pmem() {
	local out=$1 paddr=$2
	printf '%x-%x : Persistent Memory\n' "$((paddr))" "$((paddr + 4095))" >"$out"
}

# A 1 MiB tmpfs mounted at DIR (unmounted by probe_teardown), to run out of space.
small_tmpfs() {
	local dir=$1
	mkdir -p "$dir"
	mount -t tmpfs -o size=1M pmemprobe-test "$dir" 2>/dev/null ||
		skip "cannot mount a tmpfs (needs CAP_SYS_ADMIN in the initial mount namespace)"
	SMALL_TMPFS=$dir
}

# Poll (10 s at most) until process PID maps FILE.
wait_for_mapping() {
	local pid=$1 file=$2 i
	for ((i = 0; i < 100; i++)); do
		grep -qF -- "$file" "/proc/$pid/maps" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "process $pid never mapped $file" >&2
	return 1
}

# Check that stdin is a well-formed TAP 13 stream: version line, plan first,
# tests numbered 1..N in order, N matching the plan, everything else a
# "# " diagnostic. Prints what is wrong and fails.
tap_validate() {
	awk '
		NR == 1 { if ($0 != "TAP version 13") { print "line 1 is not TAP version 13"; bad = 1 } next }
		NR == 2 { if ($0 !~ /^1\.\.[0-9]+$/) { print "line 2 is not a plan"; bad = 1 } plan = substr($0, 4) + 0; next }
		/^(not )?ok [0-9]+( - .*)?$/ {
			n++
			num = $0; sub(/^(not )?ok /, "", num); sub(/ .*/, "", num)
			if (num + 0 != n) { print "test " n " is numbered " num; bad = 1 }
			next
		}
		/^# / { next }
		{ print "line " NR " is neither a test nor a diagnostic: " $0; bad = 1 }
		END {
			if (n != plan) { print "plan says " plan ", found " n " tests"; bad = 1 }
			exit bad
		}'
}

# nd_region SYSFS BUS PROVIDER REGION START END: a libnvdimm region in a
# crafted sysfs tree, laid out like the kernel's: the region lives under its
# bus (SYSFS/devices/platform/BUS/REGION, the bus directory holding
# `provider`), and SYSFS/bus/nd/devices/REGION is a relative symlink to it.
# START and END are hex without 0x, END inclusive, as /proc/iomem prints.
nd_region() {
	local sysfs=$1 bus=$2 provider=$3 region=$4 start=$5 end=$6
	local dir=$sysfs/devices/platform/$bus/$region
	mkdir -p "$dir" "$sysfs/bus/nd/devices"
	printf '%s\n' "$provider" >"$sysfs/devices/platform/$bus/provider"
	printf '0x%x\n' "$((16#$start))" >"$dir/resource"
	printf '%d\n' "$((16#$end - 16#$start + 1))" >"$dir/size"
	ln -sfn "../../../devices/platform/$bus/$region" "$sysfs/bus/nd/devices/$region"
}

# ram_as_nd_regions IOMEM SYSFS PROVIDER [CHILD]: the host's System RAM lines
# written to IOMEM named CHILD (default namespace1.0, what a virtio-pmem
# guest shows: no "Persistent Memory" line), and one region per line in the
# crafted SYSFS tree under an ndbus whose provider is PROVIDER. Needs root.
ram_as_nd_regions() {
	local iomem=$1 sysfs=$2 provider=$3 child=${4:-namespace1.0} start end n=0
	: >"$iomem"
	while read -r start end; do
		printf '%s-%s : %s\n' "$start" "$end" "$child" >>"$iomem"
		nd_region "$sysfs" ndbus0 "$provider" "region$n" "$start" "$end"
		n=$((n + 1))
	done < <(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1 \2/p' /proc/iomem)
	((n > 0)) || {
		echo "no System RAM line in /proc/iomem" >&2
		return 1
	}
}

# ram_as_kmem IOMEM: the host's System RAM lines nested as PMem onlined by
# `daxctl reconfigure-device --mode=system-ram`: Persistent Memory >
# namespace0.0 > dax0.0 > System RAM (kmem). Needs root.
ram_as_kmem() {
	local out=$1 start end
	: >"$out"
	while read -r start end; do
		printf '%s-%s : Persistent Memory\n' "$start" "$end"
		printf '  %s-%s : namespace0.0\n' "$start" "$end"
		printf '    %s-%s : dax0.0\n' "$start" "$end"
		printf '      %s-%s : System RAM (kmem)\n' "$start" "$end"
	done < <(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1 \2/p' /proc/iomem) >"$out"
	[[ -s $out ]] || {
		echo "no System RAM line in /proc/iomem" >&2
		return 1
	}
}

# ram_as_cxl IOMEM SYSFS: the host's System RAM lines as CXL persistent
# memory, as /proc/iomem nests it (CXL Window N > Persistent Memory >
# regionM, M = N + 1 as CXL numbers its regions apart from libnvdimm), and
# one libnvdimm region per line in SYSFS under an ndbus whose provider is
# "CXL" (drivers/cxl/pmem.c). Needs root.
ram_as_cxl() {
	local iomem=$1 sysfs=$2 start end n=0
	: >"$iomem"
	while read -r start end; do
		{
			printf '%s-%s : CXL Window %d\n' "$start" "$end" "$n"
			printf '  %s-%s : Persistent Memory\n' "$start" "$end"
			printf '    %s-%s : region%d\n' "$start" "$end" "$((n + 1))"
		} >>"$iomem"
		nd_region "$sysfs" ndbus1 CXL "region$n" "$start" "$end"
		n=$((n + 1))
	done < <(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1 \2/p' /proc/iomem)
	((n > 0)) || {
		echo "no System RAM line in /proc/iomem" >&2
		return 1
	}
}
