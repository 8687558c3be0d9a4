# shellcheck shell=bash disable=SC2034 # the BACKEND_* arrays and GUEST_* sizes are read by the backend files
# The backends: where a guest's persistent memory comes from. Each one is
# a file on each side, vm/backends/NAME.sh (host: sizes, QEMU arguments,
# kernel options, guest modules) and, when it needs a bring-up in the
# guest, vm/backends/NAME.guest.sh (HACKING.md, "Add a backend"). This
# file loads the host halves and answers questions about them; nothing
# else names a backend.
#
# A host half sets, for its NAME (function prefix: NAME with - as _):
#   BACKEND_DESC[NAME]      one line for --help and docs
#   BACKEND_RANK[NAME]      its place in lists (smallest first)
#   BACKEND_GUEST_SECONDS[NAME]  a full TCG run's guest seconds here
#                           (docs/BENCHMARKS.md): the matrix starts the
#                           longest cells first
#   BACKEND_MODULES[NAME]   guest modules it needs, in load order
#   BACKEND_STEP[NAME]      size granularity in bytes, and
#   BACKEND_STEP_WHY[NAME]  the reason for it
#   BACKEND_MIN[NAME]       smallest region in bytes
#   BACKEND_MAX[NAME]       most regions one guest takes
#   BACKEND_BACKING[NAME]   empty when --backing can keep its PMem in a
#                           file; else why it cannot
#   BACKEND_SNAPSHOT[NAME]  (optional) set when its PMem is guest RAM that
#                           a saved exec guest holds whole (vm/lib/snapshot.sh)
#   NAME_plan WORK TOTAL SIZE...  fills PLAN_QEMU_ARGS, PLAN_APPEND,
#                           PLAN_SUMMARY; usage_die on impossible input
#   NAME_guest_ram TOTAL    bytes of guest RAM the plan gives QEMU's -m
#   NAME_files TOTAL COUNT  bytes of files the plan puts in the work dir
#   BACKEND_QEMU_DEVICES[NAME]  the QEMU devices its plan uses (-device)
#   NAME_emulator KERNEL_VERSION ACCEL  (optional) what this kernel needs
#                           from QEMU and the CPU model: returns 1 with
#                           QEMU_MISSING set when this QEMU or accelerator
#                           cannot give it; may add PLAN_CPU_FLAGS and
#                           PLAN_NOTES (said in the run's output)
#   BACKEND_EMULATOR_NEEDS[NAME]  (optional) the same for people and
#                           `pmemlab kconfig`, which knows no QEMU: lines
#                           "LINUX_VERSION<TAB>what the emulator must give
#                           from that Linux on"
# A plan may call plan_check_files and check_disk_space, below; an
# emulator check qemu_lacks (vm/lib/qemu-bin.sh) and
# kernel_version_at_least.

[[ -z ${_pmemlab_loaded_backends:-} ]] || return 0
_pmemlab_loaded_backends=1

# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"

readonly MiB=$((1 << 20)) GiB=$((1 << 30))
# The guest's own RAM next to the persistent memory.
readonly GUEST_LOW_RAM=$GiB GUEST_SPARE_RAM=$((512 * MiB))
# guest_own_ram: bytes of the guest's RAM beside its PMem: --mem
# (OPT_MEM_BYTES, checked by scripts/lib/options.sh), else 1.5 GiB.
guest_own_ram() {
	printf '%s\n' "${OPT_MEM_BYTES:-$((GUEST_LOW_RAM + GUEST_SPARE_RAM))}"
}

# q35, not pc: pc's ACPI interrupt links (LNKA-LNKD) cost about 0.7 s of
# every TCG boot; q35 routes PCI interrupts without them.
readonly GUEST_MACHINE=q35
# The default when neither --backend nor PMEMLAB_BACKEND says.
readonly BACKEND_DEFAULT=memmap

declare -gA BACKEND_EMULATOR_NEEDS=() BACKEND_QEMU_DEVICES=() BACKEND_DESC=() BACKEND_RANK=() BACKEND_GUEST_SECONDS=() BACKEND_MODULES=() BACKEND_STEP=() BACKEND_MIN=() BACKEND_MAX=() BACKEND_BACKING=() BACKEND_STEP_WHY=() BACKEND_SNAPSHOT=()

backend_load_all() {
	local f
	for f in "$PMEMLAB_ROOT"/vm/backends/*.sh; do
		[[ $f == *.guest.sh ]] && continue
		# shellcheck source=/dev/null # each host half, by name
		. "$f"
	done
}
backend_load_all

# BACKEND_ORDER: every backend in BACKEND_RANK order (then by name): the
# order of help texts, tables and matrix columns. Sorted once, in bash:
# a run asks for it several times, and each sort | cut pair was two
# process starts.
backend_order() {
	local i j a b ra rb
	BACKEND_ORDER=("${!BACKEND_DESC[@]}")
	for ((i = 1; i < ${#BACKEND_ORDER[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			a=${BACKEND_ORDER[j - 1]} b=${BACKEND_ORDER[j]}
			ra=${BACKEND_RANK[$a]:-99} rb=${BACKEND_RANK[$b]:-99}
			((ra > rb)) || { ((ra == rb)) && [[ $a > $b ]]; } || break
			BACKEND_ORDER[j - 1]=$b BACKEND_ORDER[j]=$a
		done
	done
}
backend_order

backend_names() {
	printf '%s\n' "${BACKEND_ORDER[@]}"
}

# backend_list: every backend as "a, b or c", for messages.
backend_list() {
	join_or "${BACKEND_ORDER[@]}"
}

# join_or NAME...: "a, b or c".
join_or() {
	local names=("$@") out='' i
	for ((i = 0; i < ${#names[@]}; i++)); do
		((i == 0)) || { ((i == ${#names[@]} - 1)) && out+=" or " || out+=", "; }
		out+=${names[i]}
	done
	printf '%s\n' "$out"
}

# backend_check NAME: refuse (exit 2) a name that is no backend.
backend_check() {
	[[ -n $1 && -n ${BACKEND_DESC[$1]+set} ]] ||
		usage_die "unknown backend '$1': choose $(backend_list)"
}

# backend_call NAME FUNCTION ARGS...: the backend's own FUNCTION.
backend_call() {
	local name=$1 fn=$2
	shift 2
	"${name//-/_}_$fn" "$@"
}

# backend_sizes NAME SIZES: "1G,512M" in bytes, one per line, each checked
# against the backend's step and minimum.
backend_sizes() {
	local name=$1 list=$2 item bytes step=${BACKEND_STEP[$1]} min=${BACKEND_MIN[$1]}
	[[ -n $list ]] || usage_die "--size needs a value"
	local IFS=,
	for item in $list; do
		bytes=$(parse_size "$item") || exit "$EX_USAGE"
		((bytes % step == 0)) ||
			usage_die "invalid size '$item': $name sizes must be multiples of $(human_size "$step") (${BACKEND_STEP_WHY[$name]:-namespace alignment})"
		((bytes >= min)) ||
			usage_die "invalid size '$item': at least $(human_size "$min") per region on $name (mkfs.xfs needs about 300M)"
		printf '%s\n' "$bytes"
	done
}
# backend_total SIZES...: the sum.
backend_total() {
	local total=0 r
	for r in "$@"; do total=$((total + r)); done
	printf '%s\n' "$total"
}

# backend_guest_ram NAME SIZES: bytes of RAM QEMU gives the guest.
backend_guest_ram() {
	local -a regions
	mapfile -t regions < <(backend_sizes "$1" "$2")
	((${#regions[@]})) || exit "$EX_USAGE"
	backend_call "$1" guest_ram "$(backend_total "${regions[@]}")"
}

# backend_files NAME SIZES: bytes of backing files in the work directory.
backend_files() {
	local -a regions
	mapfile -t regions < <(backend_sizes "$1" "$2")
	((${#regions[@]})) || exit "$EX_USAGE"
	backend_call "$1" files "$(backend_total "${regions[@]}")" "${#regions[@]}"
}

# What a backend's plan may call: room for its files.

# plan_check_files WORK COUNT BYTES WHAT: room for the backing files
# (WHAT: "NVDIMM", ...), in the work directory or in the --backing file
# (checked or created here).
plan_check_files() {
	local work=$1 count=$2 bytes=$3 what=$4
	if [[ -n ${OPT_BACKING:-} ]]; then
		check_backing_file "$OPT_BACKING" "$count" "$bytes" "$what"
	else
		check_disk_space "$work" "$bytes" "$what"
	fi
}

# --backing FILE: one device whose file outlives the run. An existing file
# must have the size this --size plans, or its namespace would not fit.
check_backing_file() {
	local file=$1 count=$2 bytes=$3 what=$4 have
	((count == 1)) || usage_die "--backing keeps one $what: give one --size, not $count"
	if [[ -e $file ]]; then
		[[ -f $file && -r $file && -w $file ]] || usage_die "--backing '$file' is not a readable and writable regular file"
		have=$(stat -c %s "$file")
		((have == bytes)) ||
			usage_die "--backing '$file' holds $(human_size "$have"), but --size plans $(human_size "$bytes") for it: give the --size it was made with"
	else
		[[ -d $(dirname "$file") ]] || usage_die "--backing '$file': directory $(dirname "$file") does not exist"
		check_disk_space "$(dirname "$file")" "$bytes" "$what"
		# created here, private to the user, before QEMU opens it
		(umask 077 && : >"$file") || die "cannot create --backing file '$file'"
	fi
}

# Backing files are sparse, but the guest may fill them: refuse early.
check_disk_space() {
	local dir=$1 need=$2 what=$3 avail
	avail=$(df -P -B1 "$dir" | awk 'NR == 2 { print $4 }')
	((avail >= need)) ||
		die "not enough disk space in $dir for $(human_size "$need") of $what backing files ($(human_size $((avail / MiB * MiB))) free)"
}

# kernel_version_at_least VERSION MAJOR.MINOR: is the kernel release
# VERSION (6.12.118+deb12-amd64) MAJOR.MINOR or newer?
kernel_version_at_least() {
	local have=$1 want=$2
	[[ $have =~ ^([0-9]+)\.([0-9]+) ]] || return 1
	local hmaj=${BASH_REMATCH[1]} hmin=${BASH_REMATCH[2]}
	((hmaj > ${want%%.*} || (hmaj == ${want%%.*} && hmin >= ${want#*.})))
}

# backend_emulator_needs KERNEL_VERSION: a JSON object, per backend that
# has BACKEND_EMULATOR_NEEDS, what the emulator must give this kernel:
# [{linux, needs}], the rows from LINUX_VERSION on (every row when the
# version is unknown, "").
backend_emulator_needs() {
	local kver=$1 name since what
	for name in "${!BACKEND_EMULATOR_NEEDS[@]}"; do
		while IFS=$'\t' read -r since what; do
			[[ -n $since ]] || continue
			[[ -z $kver ]] || kernel_version_at_least "$kver" "$since" || continue
			printf '%s\t%s\t%s\n' "$name" "$since" "$what"
		done <<<"${BACKEND_EMULATOR_NEEDS[$name]}"
	done | jq -R -n '[inputs | split("\t") | {backend: .[0], linux: .[1], needs: .[2]}]
		| group_by(.backend) | map({key: .[0].backend, value: map({linux, needs}) | sort_by(.linux)}) | from_entries'
}

# backend_emulator_check NAME KERNEL_VERSION ACCEL: BACKEND_UNSUPPORTED,
# empty when this QEMU (qemu_caps) and accelerator can give the backend
# what this kernel needs, else the reason. Fills PLAN_CPU_FLAGS and
# PLAN_NOTES.
backend_emulator_check() {
	local name=$1 kver=$2 accel=$3 dev
	BACKEND_UNSUPPORTED=
	for dev in ${BACKEND_QEMU_DEVICES[$name]:-}; do
		if qemu_lacks "device:$dev" "the $name backend needs it"; then
			BACKEND_UNSUPPORTED=$QEMU_MISSING
			return
		fi
	done
	declare -F "${name//-/_}_emulator" >/dev/null || return 0
	backend_call "$name" emulator "$kver" "$accel" || BACKEND_UNSUPPORTED=$QEMU_MISSING
}
