# shellcheck shell=bash
# Plan guest memory for a backend: where the persistent memory goes and
# how much RAM the guest gets. Checks every request before anything boots.
#
# plan_backend BACKEND SIZES WORKDIR fills the arrays PLAN_QEMU_ARGS and
# PLAN_APPEND (kernel command line words) and sets PLAN_SUMMARY; the
# backend's own file (vm/backends/NAME.sh) says how.

[[ -z ${_pmemlab_loaded_plan:-} ]] || return 0
_pmemlab_loaded_plan=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

plan_backend() {
	local backend=$1 sizes=$2 work=$3
	backend_check "$backend"
	local -a regions
	mapfile -t regions < <(backend_sizes "$backend" "$sizes")
	((${#regions[@]} > 0)) || exit "$EX_USAGE"
	((${#regions[@]} <= BACKEND_MAX[$backend])) ||
		usage_die "too many $backend regions (${#regions[@]}): at most ${BACKEND_MAX[$backend]}"
	PLAN_QEMU_ARGS=() PLAN_NEEDS_BIOS=
	PLAN_APPEND=()
	backend_call "$backend" plan "$work" "$(backend_total "${regions[@]}")" "${regions[@]}"
}

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
