# shellcheck shell=bash disable=SC2034 # CELL_PID is read by the matrix command
# The validation matrix: kernels x backends (x QEMUs), one `pmemlab run` per cell
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

# matrix_cell_id KERNEL_ID BACKEND [QEMU]: KERNEL:BACKEND, or
# KERNEL:BACKEND@QEMU when the matrix has a QEMU axis (--qemus).
matrix_cell_id() {
	printf '%s:%s%s\n' "$1" "$2" "${3:+@$3}"
}

# matrix_parse_cell ID: sets CELL_KERNEL, CELL_BACKEND and CELL_QEMU (empty:
# the matrix's one QEMU). The kernel part may itself hold ':' and the
# QEMU part be a path, so the backend is matched as the last ':WORD'
# followed by the end or by '@QEMU'.
matrix_parse_cell() {
	local id=$1
	CELL_QEMU=
	if [[ $id =~ ^(.+):([a-z0-9-]+)@([^@]+)$ && -n ${BACKEND_DESC[${BASH_REMATCH[2]}]+set} ]]; then
		CELL_QEMU=${BASH_REMATCH[3]}
	elif ! [[ $id =~ ^(.+):([a-z0-9-]+)$ && -n ${BACKEND_DESC[${BASH_REMATCH[2]}]+set} ]]; then
		usage_die "invalid cell '$id': give KERNEL:BACKEND or KERNEL:BACKEND@QEMU as 'pmemlab matrix --list' prints it (backend $(backend_list))"
	fi
	CELL_KERNEL=${BASH_REMATCH[1]}
	CELL_BACKEND=${BASH_REMATCH[2]}
}

# ---- the QEMU axis: --qemus system,backports,PATH ----

# QEMU spec -> "binary<TAB>version", each resolved once by qemu_select.
declare -gA MATRIX_QEMU=()

# matrix_qemus LIST [no-boot]: check every QEMU of the axis before
# anything is fetched (a path that is no QEMU, backports not fetched:
# exit 2; not for no-boot, --list: a CI job lists its cells before it
# fetches) and set MATRIX_QEMUS, the specs in the order given, each once.
matrix_qemus() {
	local spec list purpose=${2:-boot}
	mapfile -t list < <(matrix_split "$1")
	((${#list[@]})) || usage_die "--qemus '$1' names no QEMU: give system, backports or paths, comma-separated"
	MATRIX_QEMUS=()
	for spec in "${list[@]}"; do
		[[ $purpose == no-boot ]] || matrix_qemu_resolve "$spec"
		[[ " ${MATRIX_QEMUS[*]} " == *" $spec "* ]] || MATRIX_QEMUS+=("$spec")
	done
}

# matrix_qemu_resolve SPEC: MATRIX_QEMU[SPEC], from qemu_select (which
# refuses a SPEC that names no QEMU: exit 2) and qemu_caps_usable (a
# QEMU no guest can run on: exit 3).
matrix_qemu_resolve() {
	[[ -z ${MATRIX_QEMU[$1]:-} ]] || return 0
	qemu_select "$1"
	qemu_caps_usable
	MATRIX_QEMU[$1]=$QEMU_BIN$'\t'$QEMU_VERSION
}

# matrix_qemu_json SPEC: {name, binary, version} for the run record.
matrix_qemu_json() {
	matrix_qemu_resolve "$1"
	jq -nc --arg name "$1" --arg bin "${MATRIX_QEMU[$1]%%$'\t'*}" --arg version "${MATRIX_QEMU[$1]#*$'\t'}" \
		'{name: $name, binary: $bin, version: $version}'
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

# matrix_prepare_kernel ID DIR: fetch the kernel if it is not in the
# cache and read its config. Writes DIR/kconfig.json. The guest image is
# left to the kernel's first cell: the cache lock makes its other cells
# wait for that build, then reuse the image.
matrix_prepare_kernel() {
	local id=$1 dir=$2
	mkdir -p "$dir"
	local status=0 quiet=()
	[[ ${OPT_QUIET:-0} != 1 ]] || quiet=(-q)
	# kconfig fetches a missing kernel and says so on stderr
	"$PMEMLAB_ROOT/scripts/pmemlab" kconfig --format json "${quiet[@]}" --kernel "$id" \
		>"$dir/kconfig.json" || status=$?
	((status == 0)) || DIE_STATUS=$status die "kernel $id: its config could not be read"
}

# MATRIX_FIXTURE_FILE[NAME]: the file of a user's fixture (--fixtures PATH).
declare -gA MATRIX_FIXTURE_FILE=()

# matrix_supported_fixtures KCONFIG BACKEND FIXTURE...: those the kernel's
# config supports on BACKEND, one per line. A user's fixture file names
# no kernel options: the run's and the backend's decide.
matrix_supported_fixtures() {
	local kconfig=$1 backend=$2
	shift 2
	jq -r --arg b "$backend" '
		. as $k
		| $ARGS.positional[]
		| select($k.commands.run.supported and $k.backends[$b].supported
			and ($k.fixtures[.] == null or $k.fixtures[.].backends[$b].supported))' \
		--args "$@" <"$kconfig"
}

# matrix_user_fixtures FIXTURE...: the user's fixture files among them, as
# a JSON array [{name, file, expected, map_sync}] for the run record (the
# report, and a later merge, judge their cells by it).
matrix_user_fixtures() {
	local f
	for f in "$@"; do
		[[ -n ${MATRIX_FIXTURE_FILE[$f]:-} ]] || continue
		printf '%s\t%s\t%s\t%s\n' "$f" "${MATRIX_FIXTURE_FILE[$f]}" \
			"${FIXTURE_FIELDS["$f/EXPECT"]}" "${FIXTURE_FIELDS["$f/MAP_SYNC"]:--}"
	done | jq -R -n '[inputs | split("\t") | {name: .[0], file: .[1], expected: .[2], map_sync: .[3]}]'
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
	local args=(run --format json -q --kernel "$CELL_KERNEL" --backend "$CELL_BACKEND" --qemu "${CELL_QEMU:-$OPT_QEMU}")
	for f in "${supported[@]}"; do args+=(--fixture "${MATRIX_FIXTURE_FILE[$f]:-$f}"); done
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
		--argjson qemu "$(matrix_qemu_json "${CELL_QEMU:-$OPT_QEMU}")" \
		--arg status "$status" --argjson seconds "$seconds" \
		--slurpfile kconfig "$kconfig" --rawfile out "$dir/run.json" --rawfile log "$dir/run.log" \
		--argjson user "$(matrix_user_fixtures "$@")" --arg host "$(uname -n)" '
		($out | try fromjson catch null) as $run
		| $kconfig[0] as $k
		| {id: $id, kernel: $kernel, kernel_origin: ($run.kernel_origin // $k.kernel_origin),
		   backend: $backend, qemu: $qemu, host: $host,
		   fixtures: $ARGS.positional, user_fixtures: $user,
		   booted: ($status != ""),
		   exit_status: (if $status == "" then null else ($status | tonumber) end),
		   seconds: $seconds,
		   error: (if $status == "" then null
			elif $run == null then
				"pmemlab run exited \($status) without a report: \($log | split("\n") | map(select(. != "")) | last // "no message")"
			else $run.error end),
		   kconfig: {kernel: $k.kernel, kernel_desc: $k.kernel_desc, kernel_origin: $k.kernel_origin,
			config: $k.config,
			run: $k.commands.run, backend: $k.backends[$backend],
			fixtures: ($k.fixtures | map_values({expected, supported: .backends[$backend].supported,
				reasons: .backends[$backend].reasons, missing: .backends[$backend].missing,
				missing_modules: .backends[$backend].missing_modules, hints: .backends[$backend].hints}))},
		   run: $run}' --args "$@"
}

# ---- the scheduler: cells run as guests, -j at a time ----

matrix_validate() {
	local backends=$1 fixtures=$2 jobs=$3 format=$4 report=$5 b f known list
	mapfile -t list < <(matrix_split "$backends")
	for b in "${list[@]}"; do
		backend_check "$b"
	done
	known=$(fixture_names | tr '\n' ' ')
	MATRIX_FIXTURES=()
	mapfile -t list < <(matrix_split "$fixtures")
	local files=()
	MATRIX_FIXTURE_FILE=()
	for f in "${list[@]}"; do
		fixture_check "$f"
		if [[ $f == */* ]]; then
			# a user's fixture file: cells run it by path, records name it
			fixture_ref "$f"
			files+=("$FIXTURE_REF")
			MATRIX_FIXTURE_FILE[${files[-1]}]=${FIXTURE_USER[${files[-1]}]}
		else
			MATRIX_FIXTURES+=("$f")
		fi
	done
	# canonical order, whatever order they were given in; files last
	((${#MATRIX_FIXTURES[@]} + ${#files[@]})) || read -ra MATRIX_FIXTURES <<<"$known"
	mapfile -t MATRIX_FIXTURES < <(for f in $known; do
		[[ " ${MATRIX_FIXTURES[*]} " != *" $f "* ]] || echo "$f"
	done)
	MATRIX_FIXTURES+=("${files[@]}")
	[[ -z $jobs || $jobs =~ ^[1-9][0-9]?$ ]] || usage_die "invalid -j '$jobs': a whole number from 1 to 99"
	format_check "$format"
	[[ -z $report || -d $report || ! -e $report ]] || usage_die "--report '$report' exists and is not a directory"
}

# matrix_ids KERNELS BACKENDS [QEMU...]: MATRIX_IDS, the cell ids,
# kernels in the order given, then backends, then QEMUs (none: the one
# QEMU, no @QEMU in the ids).
# A kernel is anything --kernel takes (a package set as one entry joins
# its files with '+': image.deb+modules.deb).
# Not printed: a kernel_id refusal must end the command, not a subshell.
matrix_ids() {
	local kernels backends k b q id
	local -A seen=()
	mapfile -t kernels < <(matrix_split "$1")
	mapfile -t backends < <(matrix_split "$2")
	shift 2
	local qemus=("$@")
	((${#qemus[@]})) || qemus=('')
	MATRIX_IDS=()
	for k in "${kernels[@]}"; do
		# the shell expands no ~ after a comma: ~/linux is the user's
		case $k in \~/*) k=$HOME/${k:2} ;; esac
		id=$(kernel_id "$k") || exit
		[[ -z ${seen[$id]:-} ]] || continue
		seen[$id]=1
		for b in "${backends[@]}"; do
			for q in "${qemus[@]}"; do
				MATRIX_IDS+=("$(matrix_cell_id "$id" "$b" "$q")")
			done
		done
	done
}

# matrix_run_cells JOBS ID...: read each kernel's config (side by side),
# then run the cells, at most JOBS at a time, each as soon as its
# kernel is ready; each leaves cells/N/record.json.
matrix_run_cells() {
	local jobs=$1
	shift
	local ids=("$@") i kernels=() k
	# kernel id -> its kconfig.json (ids may be paths: any character)
	declare -gA MATRIX_KCONFIG=()
	for i in "${!ids[@]}"; do
		matrix_parse_cell "${ids[$i]}"
		[[ -n ${MATRIX_KCONFIG[$CELL_KERNEL]:-} ]] && continue
		MATRIX_KCONFIG[$CELL_KERNEL]=$SCRATCH/kernels/${#kernels[@]}/kconfig.json
		kernels+=("$CELL_KERNEL")
	done
	# kernel id -> the PID preparing it, until it is ready
	local -A prep_pid=()
	step "reading ${#kernels[@]} kernel config(s), fetching the kernels not in the cache"
	for k in "${kernels[@]}"; do
		(matrix_prepare_kernel "$k" "${MATRIX_KCONFIG[$k]%/*}") &
		prep_pid[$k]=$!
		MATRIX_PIDS+=($!)
	done

	# The longest cells first (by backend), so that the last lane to
	# finish is not one long cell started late; ties keep the given order.
	local order=() cost=() j c
	for i in "${!ids[@]}"; do
		matrix_parse_cell "${ids[$i]}"
		c=${BACKEND_GUEST_SECONDS[$CELL_BACKEND]:-0}
		for ((j = ${#order[@]}; j > 0 && cost[j - 1] < c; j--)); do
			order[j]=${order[j - 1]} cost[j]=${cost[j - 1]}
		done
		order[j]=$i cost[j]=$c
	done

	progress_start "${#ids[@]}" "$jobs"
	progress_event "${#ids[@]} cell(s), ${#MATRIX_FIXTURES[@]} fixture(s) each, $jobs at a time"
	# indexed by cell number: cells are recorded in their order
	local -a pid_of=() ended=()
	local next=0 done=0 id pid status
	while ((done < ${#ids[@]})); do
		while ((next < ${#ids[@]} && ${#pid_of[@]} < jobs)); do
			i=${order[next]}
			id=${ids[$i]}
			matrix_parse_cell "$id"
			matrix_kernel_ready "$CELL_KERNEL" || break
			matrix_start_cell "$id" "${MATRIX_KCONFIG[$CELL_KERNEL]}" "$SCRATCH/cells/$i" "${MATRIX_FIXTURES[@]}"
			if [[ -z $CELL_PID ]]; then
				ended[i]=''
			else
				pid_of[i]=$CELL_PID
				MATRIX_PIDS+=("$CELL_PID")
				progress_unit_started "$i"
				progress_event "$id: started"
			fi
			next=$((next + 1))
		done
		# Records are written after the next cells started: a guest
		# waits for no jq.
		for i in "${!ended[@]}"; do
			matrix_finish "${ids[$i]}" "$i" "${ended[$i]}"
			done=$((done + 1))
			progress_unit_done "$i"
			if [[ -z ${ended[$i]} ]]; then
				progress_event "${ids[$i]}: every fixture unsupported by the kernel, not booted $(progress_status)"
			else
				progress_event "$(matrix_cell_summary "$SCRATCH/cells/$i/record.json") $(progress_status)"
			fi
			unset "ended[$i]"
		done
		for i in "${!pid_of[@]}"; do
			pid=${pid_of[$i]}
			kill -0 "$pid" 2>/dev/null && continue
			status=0
			wait "$pid" || status=$?
			unset "pid_of[$i]"
			ended[i]=$status
		done
		((${#ended[@]} == 0)) || continue
		local running=()
		for i in "${!pid_of[@]}"; do running+=("${ids[$i]}"); done
		progress_tick "${running[@]}"
		((done == ${#ids[@]})) || pause 0.1
	done
	progress_end
}

# matrix_kernel_ready ID: true once the kernel's config was read; a
# kernel that could not be prepared ends the matrix (it said why). Reads
# and updates matrix_run_cells's prep_pid (called from there only).
matrix_kernel_ready() {
	local pid=${prep_pid[$1]:-} status=0
	[[ -n $pid ]] || return 0
	kill -0 "$pid" 2>/dev/null && return 1
	wait "$pid" || status=$?
	((status == 0)) || exit "$status"
	unset "prep_pid[$1]"
}

matrix_finish() {
	local id=$1 n=$2 status=$3
	matrix_parse_cell "$id"
	matrix_record "$id" "${MATRIX_KCONFIG[$CELL_KERNEL]}" "$SCRATCH/cells/$n" "$status" \
		"${MATRIX_FIXTURES[@]}" >"$SCRATCH/cells/$n/record.json"
}

# Ctrl-C or SIGTERM: stop every guest (each run cleans up after itself).
matrix_stop() {
	local status=$1 pid
	trap - INT TERM
	progress_end 2>/dev/null || true
	local alive=()
	for pid in "${MATRIX_PIDS[@]}"; do ! kill -0 "$pid" 2>/dev/null || alive+=("$pid"); done
	log "interrupted: stopping ${#alive[@]} guest(s) or kernel preparation(s)"
	for pid in "${alive[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${MATRIX_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
	exit "$status"
}
