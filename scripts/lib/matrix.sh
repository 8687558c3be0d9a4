# shellcheck shell=bash disable=SC2034 # CELL_PID is read by the matrix command
# The validation matrix: kernels x backends, one `pmemlab run` per pair
# (one guest boots and builds every fixture), several at once. Each pair
# leaves a run record (JSON): what the kernel's config supports, and the
# run's whole report. scripts/report/matrix.jq turns records into cells
# (kernel x backend x fixture); `report merge` does the same with records
# from several machines.

[[ -z ${_pmemlab_loaded_matrix:-} ]] || return 0
_pmemlab_loaded_matrix=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/progress.sh
. "$PMEMLAB_ROOT/scripts/lib/progress.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

# What one guest needs besides its PMem: QEMU and the kernel's own use.
readonly MATRIX_GUEST_OVERHEAD_MIB=256

# matrix_split LIST: comma-separated words, one per line, no empty ones;
# words are taken as they are (no globbing, spaces kept: paths).
matrix_split() {
	local words word
	IFS=, read -ra words <<<"$1"
	for word in "${words[@]}"; do
		[[ -z $word ]] || printf '%s\n' "$word"
	done
}

# matrix_cell_id KERNEL_ID BACKEND
matrix_cell_id() {
	printf '%s:%s\n' "$1" "$2"
}

# matrix_parse_cell ID: sets CELL_KERNEL and CELL_BACKEND. The kernel part
# may itself hold ':' (a path), so the backend is matched at the end.
matrix_parse_cell() {
	local id=$1
	[[ $id =~ ^(.+):([a-z0-9-]+)$ && -n ${BACKEND_DESC[${BASH_REMATCH[2]}]+set} ]] ||
		usage_die "invalid cell '$id': give KERNEL:BACKEND as 'pmemlab matrix --list' prints it (backend $(backend_list))"
	CELL_KERNEL=${BASH_REMATCH[1]}
	CELL_BACKEND=${BASH_REMATCH[2]}
}

# The default -j: one guest per core, as many as the available memory holds.
matrix_default_jobs() {
	local guest_mib=$1 cores avail_kib by_mem
	cores=$(nproc)
	avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	by_mem=$((avail_kib / 1024 / (guest_mib + MATRIX_GUEST_OVERHEAD_MIB)))
	((by_mem >= 1)) || by_mem=1
	printf '%s\n' "$((cores < by_mem ? cores : by_mem))"
}

# Guest RAM in MiB for one cell of the hungriest backend asked for: what
# its plan gives QEMU's -m plus its files (page cache, not QEMU's
# memory, but they count the same).
matrix_guest_mib() {
	local sizes=$1 b ram most=0
	shift
	for b in "$@"; do
		ram=$(($(backend_guest_ram "$b" "$sizes") + $(backend_files "$b" "$sizes")))
		((ram < most)) || most=$ram
	done
	printf '%s\n' "$((most / MiB))"
}

# matrix_prepare_kernel ID DIR: fetch the kernel, read its config and
# build its initramfs once, before cells start in parallel (they would
# each build the same one). Writes DIR/kconfig.json.
matrix_prepare_kernel() {
	local id=$1 dir=$2
	mkdir -p "$dir"
	local status=0 quiet=()
	[[ ${OPT_QUIET:-0} != 1 ]] || quiet=(-q)
	# kconfig fetches a missing kernel and says so on stderr
	"$PMEMLAB_ROOT/scripts/pmemlab" kconfig --format json "${quiet[@]}" --kernel "$id" \
		>"$dir/kconfig.json" || status=$?
	((status == 0)) || PMEMLAB_DIE_STATUS=$status die "kernel $id: its config could not be read"
	# A kernel that cannot run a guest at all never boots: no image to build.
	jq -e .commands.run.supported "$dir/kconfig.json" >/dev/null || return 0
	"$PMEMLAB_ROOT/scripts/pmemlab" run --dry-run -q --kernel "$id" \
		"${MATRIX_RUN_ARGS[@]}" >/dev/null 2>"$dir/prepare.log" || status=$?
	if ((status)); then
		cat "$dir/prepare.log" >&2
		PMEMLAB_DIE_STATUS=$status die "kernel $id: its guest image could not be built"
	fi
}

# matrix_supported_fixtures KCONFIG BACKEND FIXTURE...: those the kernel's
# config supports on BACKEND, one per line.
matrix_supported_fixtures() {
	local kconfig=$1 backend=$2
	shift 2
	jq -r --arg b "$backend" '
		. as $k
		| $ARGS.positional[]
		| select($k.commands.run.supported and $k.backends[$b].supported
			and $k.fixtures[.].backends[$b].supported)' \
		--args "$@" <"$kconfig"
}

# matrix_start_cell ID KCONFIG DIR FIXTURE...: start one `pmemlab run` in
# the background (its PID in CELL_PID), or nothing when the kernel
# supports none of the fixtures. Output goes to DIR/{run.json,run.log}.
matrix_start_cell() {
	local id=$1 kconfig=$2 dir=$3
	shift 3
	local supported=() f
	matrix_parse_cell "$id"
	mkdir -p "$dir"
	mapfile -t supported < <(matrix_supported_fixtures "$kconfig" "$CELL_BACKEND" "$@")
	printf '%s\n' "$(now_ms)" >"$dir/started"
	CELL_PID=
	((${#supported[@]})) || return 0
	local args=(run --format json -q --kernel "$CELL_KERNEL" --backend "$CELL_BACKEND")
	for f in "${supported[@]}"; do args+=(--fixture "$f"); done
	# TERM if we die unannounced: the run then stops its guest itself
	"${DIE_WITH_US_TERM[@]}" "$PMEMLAB_ROOT/scripts/pmemlab" "${args[@]}" "${MATRIX_RUN_ARGS[@]}" \
		>"$dir/run.json" 2>"$dir/run.log" </dev/null &
	CELL_PID=$!
}

# matrix_record ID KCONFIG DIR STATUS FIXTURE...: the cell's run record
# on stdout. STATUS is the run's exit status ("" when nothing ran).
matrix_record() {
	local id=$1 kconfig=$2 dir=$3 status=$4
	shift 4
	matrix_parse_cell "$id"
	local started seconds
	started=$(cat "$dir/started")
	seconds=$(elapsed_since "$started")
	[[ -e $dir/run.json ]] || : >"$dir/run.json"
	[[ -e $dir/run.log ]] || : >"$dir/run.log"
	jq -n --arg id "$id" --arg kernel "$CELL_KERNEL" --arg backend "$CELL_BACKEND" \
		--arg status "$status" --argjson seconds "$seconds" \
		--slurpfile kconfig "$kconfig" --rawfile out "$dir/run.json" --rawfile log "$dir/run.log" \
		--arg host "$(uname -n)" '
		($out | try fromjson catch null) as $run
		| $kconfig[0] as $k
		| {id: $id, kernel: $kernel, backend: $backend, host: $host,
		   fixtures: $ARGS.positional,
		   booted: ($status != ""),
		   exit_status: (if $status == "" then null else ($status | tonumber) end),
		   seconds: $seconds,
		   error: (if $status == "" then null
			elif $run == null then
				"pmemlab run exited \($status) without a report: \($log | split("\n") | map(select(. != "")) | last // "no message")"
			else $run.error end),
		   kconfig: {kernel: $k.kernel, kernel_desc: $k.kernel_desc, config: $k.config,
			run: $k.commands.run, backend: $k.backends[$backend],
			fixtures: ($k.fixtures | map_values({expected, supported: .backends[$backend].supported,
				reasons: .backends[$backend].reasons, missing: .backends[$backend].missing}))},
		   run: $run}' --args "$@"
}
