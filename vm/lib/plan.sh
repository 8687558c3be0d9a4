# shellcheck shell=bash
# Plan guest memory for a backend: where the persistent memory goes and
# how much RAM the guest gets. Checks every request before anything boots.
#
# plan_backend BACKEND SIZES WORKDIR fills the arrays PLAN_QEMU_ARGS and
# PLAN_APPEND (kernel command line words) and sets PLAN_SUMMARY.

readonly MiB=$((1 << 20)) GiB=$((1 << 30))
# Namespaces are carved in 16 MiB steps (the NVDIMM region's align); xfs
# needs about 300 MiB, so the smallest region that fits every fixture is 512 MiB.
readonly REGION_ALIGN=$((16 * MiB)) REGION_MIN=$((512 * MiB))
# The guest's own RAM next to the persistent memory.
readonly GUEST_LOW_RAM=$GiB GUEST_SPARE_RAM=$((512 * MiB))
# q35, not pc: pc's ACPI interrupt links (LNKA-LNKD) cost about 0.7 s of
# every TCG boot; q35 routes PCI interrupts without them.
readonly GUEST_MACHINE=q35
# x86 KASLR copes with at most 4 memmap= regions (arch/x86/boot/compressed/kaslr.c).
readonly MEMMAP_MAX_REGIONS=4 NVDIMM_MAX=8
# QEMU: usable NVDIMM size = ALIGN_DOWN(backend - label, align).
readonly NVDIMM_LABEL=$((128 << 10)) NVDIMM_ALIGN=$((2 * MiB))

# parse_region_sizes "1G,512M": print sizes in bytes, one per line.
parse_region_sizes() {
	local list=$1 item bytes
	[[ -n $list ]] || usage_die "--size needs a value"
	local IFS=,
	for item in $list; do
		bytes=$(parse_size "$item") || exit "$EX_USAGE"
		if ((bytes % REGION_ALIGN)); then
			usage_die "invalid size '$item': persistent memory sizes must be multiples of 16M (namespace alignment)"
		fi
		if ((bytes < REGION_MIN)); then
			usage_die "invalid size '$item': at least 512M per region (mkfs.xfs needs about 300M)"
		fi
		printf '%s\n' "$bytes"
	done
}

plan_backend() {
	local backend=$1 sizes=$2 work=$3
	local -a regions
	mapfile -t regions < <(parse_region_sizes "$sizes")
	((${#regions[@]} > 0)) || exit "$EX_USAGE"
	local total=0 r
	for r in "${regions[@]}"; do total=$((total + r)); done
	PLAN_QEMU_ARGS=()
	PLAN_APPEND=()
	case $backend in
	memmap) plan_memmap "$total" "${regions[@]}" ;;
	nvdimm) plan_nvdimm "$work" "$total" "${regions[@]}" ;;
	*) usage_die "unknown backend '$backend': choose memmap or nvdimm" ;;
	esac
}

# memmap=SIZE!OFFSET carves PMem out of guest RAM, so the RAM above 4 GiB
# is sized to hold every region; RAM below 4 GiB stays at 1 GiB so the
# layout is the same for every size.
plan_memmap() {
	local total=$1
	shift
	(($# <= MEMMAP_MAX_REGIONS)) ||
		usage_die "too many memmap regions ($#): x86 KASLR handles at most $MEMMAP_MAX_REGIONS"
	local host_mem
	host_mem=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	host_mem=$((host_mem * 1024))
	((total + GUEST_LOW_RAM + GUEST_SPARE_RAM <= host_mem)) ||
		usage_die "memmap regions of $(human_size "$total") in all do not fit in this host's available memory ($(human_size $((host_mem / MiB * MiB))))"
	local ram=$((GUEST_LOW_RAM + total + GUEST_SPARE_RAM)) offset=$((4 * GiB)) r
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE,max-ram-below-4g=$GUEST_LOW_RAM" -m "$((ram / MiB))M")
	for r in "$@"; do
		PLAN_APPEND+=("memmap=$(human_size "$r")!$(human_size "$offset")")
		offset=$((offset + r))
	done
	PLAN_SUMMARY="memmap: $# region(s), $(human_size "$total") of legacy PMem"
}

# Each NVDIMM is a file-backed DIMM with a label area. The backend gets an
# extra 2 MiB so that label + alignment leave exactly the requested size.
plan_nvdimm() {
	local work=$1 total=$2
	shift 2
	(($# <= NVDIMM_MAX)) || usage_die "too many NVDIMMs ($#): at most $NVDIMM_MAX"
	local ram=$((GUEST_LOW_RAM + GUEST_SPARE_RAM)) maxmem i=0 r backing
	local backend_total=0
	for r in "$@"; do backend_total=$((backend_total + r + NVDIMM_ALIGN)); done
	if [[ -n ${OPT_BACKING:-} ]]; then
		check_backing_file "$OPT_BACKING" "$#" "$backend_total"
	else
		check_disk_space "$work" "$backend_total"
	fi
	maxmem=$((ram + backend_total))
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE,nvdimm=on" -m "$((ram / MiB))M,slots=$#,maxmem=$((maxmem / MiB))M")
	for r in "$@"; do
		backing=${OPT_BACKING:-$work/nvdimm$i.img}
		PLAN_QEMU_ARGS+=(
			-object "memory-backend-file,id=nvmem$i,share=on,mem-path=$backing,size=$(((r + NVDIMM_ALIGN) / MiB))M,align=$((NVDIMM_ALIGN / MiB))M"
			-device "nvdimm,id=nvdimm$i,memdev=nvmem$i,label-size=$((NVDIMM_LABEL >> 10))K"
		)
		i=$((i + 1))
	done
	PLAN_SUMMARY="nvdimm: $# NVDIMM(s), $(human_size "$total") of NFIT PMem"
}

# --backing FILE: one NVDIMM whose file outlives the run. An existing file
# must have the size this --size plans, or its namespace would not fit.
check_backing_file() {
	local file=$1 count=$2 bytes=$3 have
	((count == 1)) || usage_die "--backing keeps one NVDIMM: give one --size, not $count"
	if [[ -e $file ]]; then
		[[ -f $file && -r $file && -w $file ]] || usage_die "--backing '$file' is not a readable and writable regular file"
		have=$(stat -c %s "$file")
		((have == bytes)) ||
			usage_die "--backing '$file' holds $(human_size "$have"), but --size plans $(human_size "$bytes") (size + 2M): give the --size it was made with"
	else
		[[ -d $(dirname "$file") ]] || usage_die "--backing '$file': directory $(dirname "$file") does not exist"
		check_disk_space "$(dirname "$file")" "$bytes"
		# created here, private to the user, before QEMU opens it
		(umask 077 && : >"$file") || die "cannot create --backing file '$file'"
	fi
}

# Backing files are sparse, but the guest may fill them: refuse early.
check_disk_space() {
	local dir=$1 need=$2 avail
	avail=$(df -P -B1 "$dir" | awk 'NR == 2 { print $4 }')
	((avail >= need)) ||
		die "not enough disk space in $dir for $(human_size "$need") of NVDIMM backing files ($(human_size $((avail / MiB * MiB))) free)"
}
