# shellcheck shell=bash
# pmemlab matrix: every kernel x backend x fixture cell, several guests at
# once, and the reports (docs/MATRIX.md).

# shellcheck source=scripts/lib/options.sh
. "$PMEMLAB_ROOT/scripts/lib/options.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/plan.sh
. "$PMEMLAB_ROOT/vm/lib/plan.sh"
# shellcheck source=scripts/lib/progress.sh
. "$PMEMLAB_ROOT/scripts/lib/progress.sh"
# shellcheck source=scripts/lib/matrix.sh
. "$PMEMLAB_ROOT/scripts/lib/matrix.sh"
# shellcheck source=scripts/lib/matrix-report.sh
. "$PMEMLAB_ROOT/scripts/lib/matrix-report.sh"

matrix_usage() {
	cat <<USAGE
usage: pmemlab matrix [OPTIONS]
       pmemlab matrix --list [OPTIONS]
       pmemlab matrix --cell KERNEL:BACKEND [OPTIONS]

Boot one guest per kernel and backend, several at once, build the fixtures
in each and probe them: every kernel x backend x fixture cell gets its
expected placement and a result: pass, fail, n/a (the fixture cannot exist
on that backend: fixtures/expectations.tsv), or unsupported (the
kernel's config lacks what the fixture needs, 'pmemlab kconfig' says why;
or the kernel refuses this QEMU's device, and the guest says why).
Prints a table; --report DIR also writes matrix.json, junit.xml, summary.md
and matrix.html. Exit status: 0 no cell failed, 1 a cell or a guest failed,
2 bad usage, 3 a kernel could not be fetched or prepared.

options:
  --kernels LIST        comma-separated kernels as 'run --kernel' takes them: Debian
                        versions (6.12.117+deb12), flavours (cloud, rt), packages,
                        default (Debian's linux-image-amd64), bzImage paths (default: default)
  --backends LIST       comma-separated backends (default: all, $(backend_names | paste -sd, -))
  --fixtures LIST       fixtures to run (default all; 'fixtures/run --list')
  -j, --jobs N          guests at once (default: the cores, fewer if memory is short)
  --report DIR          write the reports there (created if missing)
  --format text|json    stdout: the table, or matrix.json's document
  --list                print the cell ids (KERNEL:BACKEND, one guest each) and stop;
                        with --format json as a JSON array (for CI job matrices)
  --cell ID             run only this cell (repeatable); 'pmemlab report merge' joins
                        the reports of cells run apart
  --size, --accel, --timeout, --modules   as for 'pmemlab run', for every guest
  -q, --quiet           no progress
USAGE
}

cmd_matrix() {
	local kernels=default backends fixtures='' jobs='' report='' format=text
	local list=0 cells=() run_args=()
	backends=$(backend_names | paste -sd, -)
	while (($#)); do
		case $1 in
		-h | --help)
			matrix_usage
			return 0
			;;
		--kernels | --backends | --fixtures | -j | --jobs | --report | --format | --cell | \
			--size | --accel | --timeout | --modules)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in
			--kernels) kernels=$2 ;;
			--backends) backends=$2 ;;
			--fixtures) fixtures=$2 ;;
			-j | --jobs) jobs=$2 ;;
			--report) report=$2 ;;
			--format) format=$2 ;;
			--cell) cells+=("$2") ;;
			*)
				parse_common_option "$1" "$2"
				run_args+=("$1" "$2")
				;;
			esac
			shift 2
			;;
		--list)
			list=1
			shift
			;;
		-q | --quiet)
			OPT_QUIET=1
			shift
			;;
		*) usage_die "matrix: unknown option '$1'" ;;
		esac
	done
	matrix_validate "$backends" "$fixtures" "$jobs" "$format" "$report"
	if ((list)); then validate_common_options no-boot; else validate_common_options boot; fi
	MATRIX_RUN_ARGS=("${run_args[@]}")

	local ids=()
	if ((${#cells[@]})); then
		local c
		for c in "${cells[@]}"; do
			matrix_parse_cell "$c"
			ids+=("$(matrix_cell_id "$(kernel_id "$CELL_KERNEL")" "$CELL_BACKEND")")
		done
	else
		matrix_ids "$kernels" "$backends"
		ids=("${MATRIX_IDS[@]}")
		((${#ids[@]})) || usage_die "--kernels '$kernels' and --backends '$backends' name no cell"
	fi
	if ((list)); then
		if [[ $format == json ]]; then
			printf '%s\n' "${ids[@]}" | jq -R . | jq -sc .
		else
			printf '%s\n' "${ids[@]}"
		fi
		return 0
	fi

	deps_ensure build guest
	if [[ -z $jobs ]]; then
		local used
		mapfile -t used < <(printf '%s\n' "${ids[@]##*:}" | sort -u)
		jobs=$(matrix_default_jobs "$(matrix_guest_mib "$OPT_SIZE" "${used[@]}")")
	fi

	scratch_dir_start matrix
	MATRIX_PIDS=()
	trap 'matrix_stop 130' INT
	trap 'matrix_stop 143' TERM
	local t0
	t0=$(now_ms)
	matrix_run_cells "$jobs" "${ids[@]}"
	local doc
	doc=$(matrix_document "$jobs" "$(elapsed_since "$t0")" "$SCRATCH"/cells/*/record.json)
	[[ -z $report ]] || matrix_write_reports "$report" <<<"$doc"
	if [[ $format == json ]]; then
		printf '%s\n' "$doc"
	else
		matrix_text <<<"$doc"
	fi
	[[ -z $report ]] || step "reports in $report: matrix.json junit.xml summary.md matrix.html"
	[[ $(jq -r .ok <<<"$doc") == true ]] || return "$EX_FAIL"
}

matrix_validate() {
	local backends=$1 fixtures=$2 jobs=$3 format=$4 report=$5 b f known list
	mapfile -t list < <(matrix_split "$backends")
	for b in "${list[@]}"; do
		backend_check "$b"
	done
	known=$(fixture_names | tr '\n' ' ')
	MATRIX_FIXTURES=()
	mapfile -t list < <(matrix_split "$fixtures")
	for f in "${list[@]}"; do
		fixture_check "$f"
		MATRIX_FIXTURES+=("$f")
	done
	# canonical order, whatever order they were given in
	((${#MATRIX_FIXTURES[@]})) || read -ra MATRIX_FIXTURES <<<"$known"
	mapfile -t MATRIX_FIXTURES < <(for f in $known; do
		[[ " ${MATRIX_FIXTURES[*]} " != *" $f "* ]] || echo "$f"
	done)
	[[ -z $jobs || $jobs =~ ^[1-9][0-9]?$ ]] || usage_die "invalid -j '$jobs': a whole number from 1 to 99"
	format_check "$format"
	[[ -z $report || -d $report || ! -e $report ]] || usage_die "--report '$report' exists and is not a directory"
}

# MATRIX_IDS: the cell ids, kernels in the order given, then backends.
# Not printed: a kernel_id refusal must end the command, not a subshell.
matrix_ids() {
	local kernels backends k b id
	local -A seen=()
	mapfile -t kernels < <(matrix_split "$1")
	mapfile -t backends < <(matrix_split "$2")
	MATRIX_IDS=()
	for k in "${kernels[@]}"; do
		id=$(kernel_id "$k") || exit
		[[ -z ${seen[$id]:-} ]] || continue
		seen[$id]=1
		for b in "${backends[@]}"; do
			MATRIX_IDS+=("$(matrix_cell_id "$id" "$b")")
		done
	done
}

# matrix_run_cells JOBS ID...: prepare each kernel once, then run the
# cells, at most JOBS at a time; each leaves cells/N/record.json.
matrix_run_cells() {
	local jobs=$1
	shift
	local ids=("$@") i kdir kernels=() k
	# kernel id -> its kconfig.json (ids may be paths: any character)
	declare -gA MATRIX_KCONFIG=()
	for i in "${!ids[@]}"; do
		matrix_parse_cell "${ids[$i]}"
		[[ -n ${MATRIX_KCONFIG[$CELL_KERNEL]:-} ]] && continue
		MATRIX_KCONFIG[$CELL_KERNEL]=$SCRATCH/kernels/${#kernels[@]}/kconfig.json
		kernels+=("$CELL_KERNEL")
	done
	# Kernels are prepared side by side: downloads and image builds overlap.
	local prep_pids=() failed=0
	step "preparing ${#kernels[@]} kernel(s): fetching those not in the cache, reading their configs, building guest images"
	for k in "${kernels[@]}"; do
		kdir=${MATRIX_KCONFIG[$k]%/*}
		(matrix_prepare_kernel "$k" "$kdir") &
		prep_pids+=($!)
		MATRIX_PIDS+=($!)
	done
	for k in "${!prep_pids[@]}"; do
		wait "${prep_pids[$k]}" || failed=$?
	done
	((failed == 0)) || exit "$failed"
	MATRIX_PIDS=()

	progress_start "${#ids[@]}" "$jobs"
	progress_event "${#ids[@]} cell(s), ${#MATRIX_FIXTURES[@]} fixture(s) each, $jobs at a time"
	local -A pid_of=()
	local next=0 done=0 id pid status
	while ((done < ${#ids[@]})); do
		while ((next < ${#ids[@]} && ${#pid_of[@]} < jobs)); do
			id=${ids[$next]}
			matrix_parse_cell "$id"
			matrix_start_cell "$id" "${MATRIX_KCONFIG[$CELL_KERNEL]}" "$SCRATCH/cells/$next" "${MATRIX_FIXTURES[@]}"
			if [[ -z $CELL_PID ]]; then
				matrix_finish "$id" "$next" ''
				done=$((done + 1))
				progress_unit_done "$next"
				progress_event "$id: every fixture unsupported by the kernel, not booted $(progress_status)"
			else
				pid_of[$next]=$CELL_PID
				MATRIX_PIDS+=("$CELL_PID")
				progress_unit_started "$next"
				progress_event "$id: started"
			fi
			next=$((next + 1))
		done
		for i in "${!pid_of[@]}"; do
			pid=${pid_of[$i]}
			kill -0 "$pid" 2>/dev/null && continue
			status=0
			wait "$pid" || status=$?
			unset "pid_of[$i]"
			matrix_finish "${ids[$i]}" "$i" "$status"
			done=$((done + 1))
			progress_unit_done "$i"
			progress_event "$(matrix_cell_summary "$SCRATCH/cells/$i/record.json") $(progress_status)"
		done
		local running=()
		for i in "${!pid_of[@]}"; do running+=("${ids[$i]}"); done
		progress_tick "${running[@]}"
		((done == ${#ids[@]})) || sleep 0.5
	done
	progress_end
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
