# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB, GiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# memmap: the kernel option memmap=SIZE!OFFSET marks part of the guest's
# RAM as legacy persistent memory (e820 type 12); nd_e820 turns each such
# range into a libnvdimm region (docs/BACKENDS.md, "memmap").

BACKEND_DESC["memmap"]="memmap=SIZE!OFFSET: guest RAM the kernel treats as PMem (e820)"
BACKEND_RANK["memmap"]=1
BACKEND_GUEST_SECONDS["memmap"]=8
BACKEND_MODULES["memmap"]="nd_e820"
BACKEND_STEP["memmap"]=$((16 * MiB))
BACKEND_STEP_WHY["memmap"]="namespace alignment"
BACKEND_MIN["memmap"]=$((512 * MiB))
# x86 KASLR copes with at most 4 memmap= regions (arch/x86/boot/compressed/kaslr.c).
BACKEND_MAX["memmap"]=4
BACKEND_BACKING["memmap"]="memmap PMem is guest RAM and cannot persist"
# guest RAM: a saved exec guest holds it, empty as the boot left it
BACKEND_SNAPSHOT["memmap"]=1

# The regions sit in RAM above 4 GiB, sized to hold every one; RAM below
# 4 GiB stays at 1 GiB so the layout is the same for every size.
memmap_guest_ram() {
	printf '%s\n' "$(($(guest_own_ram) + $1))"
}

memmap_files() {
	printf '0\n'
}

memmap_plan() {
	local total=$2
	shift 2
	local host_mem ram offset=$((4 * GiB)) r
	local key value _
	host_mem=0
	while read -r key value _; do
		[[ $key != MemAvailable: ]] || {
			host_mem=$((value * 1024))
			break
		}
	done </proc/meminfo
	ram=$(memmap_guest_ram "$total")
	((ram <= host_mem)) ||
		usage_die "memmap regions of $(human_size "$total") in all do not fit in this host's available memory ($(human_size $((host_mem / MiB * MiB))))"
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE,max-ram-below-4g=$GUEST_LOW_RAM" -m "$((ram / MiB))M")
	for r in "$@"; do
		PLAN_APPEND+=("memmap=$(human_size "$r")!$(human_size "$offset")")
		offset=$((offset + r))
	done
	PLAN_SUMMARY="memmap: $# region(s), $(human_size "$total") of legacy PMem"
}
