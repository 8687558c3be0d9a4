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
# shellcheck source=scripts/lib/matrix-suite.sh
. "$PMEMLAB_ROOT/scripts/lib/matrix-suite.sh"

matrix_usage() {
	cat <<USAGE
usage: pmemlab matrix [OPTIONS]
       pmemlab matrix --list [OPTIONS]
       pmemlab matrix --cell KERNEL:BACKEND[@QEMU] [OPTIONS]
       pmemlab matrix --suite NAME:DIR [--kernels LIST] [--tests LIST] [--part PART] [OPTIONS]

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
  --kernels LIST        comma-separated kernels as 'run --kernel' takes them, any mix:
                        default, cloud, rt, backports, trixie, versions (6.12.117+deb12),
                        package files (./linux-image-X.deb; a set as one entry joined
                        by '+': image.deb+modules.deb), kernel tree DIRs, bzImage paths
                        (default: default)
  --backends LIST       comma-separated backends (default: all, $(backend_names | paste -sd, -))
  --qemus LIST          comma-separated QEMUs as 'run --qemu' takes them: system, backports,
                        paths; each cell then runs on each (ids KERNEL:BACKEND@QEMU)
                        (default: one QEMU, PMEMLAB_QEMU or system; ids KERNEL:BACKEND)
  --fixtures LIST       fixtures to run (default all: 'pmemlab fixtures'; a PATH is your fixture file)
  -j, --jobs N          guests at once (default: the cores, fewer if memory is short)
  --report DIR          write the reports there (created if missing)
  --format text|json    stdout: the table, or matrix.json's document
  --list                print the cell ids (KERNEL:BACKEND[@QEMU], one guest each) and stop;
                        with --format json as a JSON array (for CI job matrices)
  --cell ID             run only this cell (repeatable); 'pmemlab report merge' joins
                        the reports of cells run apart
  --size, --accel, --timeout, --modules   as for 'pmemlab run', for every guest
  --suite NAME:DIR      instead of the fixtures: the upstream suite NAME (ndctl, xfstests,
                        pmdk) from DIR, your built tree of it, on each kernel, one kernel
                        after the other ('pmemlab suite'; its parts are its guest shapes:
                        no --backends, --fixtures, --size, --cell, --list, -j);
                        --report DIR keeps matrix.json, junit.xml, summary.md and each
                        kernel's suite report (kernels/N/)
  --tests LIST, --part PART   with --suite: as for 'pmemlab suite'
  -q, --quiet           no progress
USAGE
}

cmd_matrix() {
	local kernels_arg=default backends_arg fixtures='' jobs='' report='' format=text
	local list=0 cells=() run_args=() suite='' suite_args=() not_suite=() qemus_arg=''
	backends_arg=$(backend_names | paste -sd, -)
	while (($#)); do
		case $1 in
		-h | --help)
			matrix_usage
			return 0
			;;
		--kernels | --backends | --qemus | --fixtures | -j | --jobs | --report | --format | --cell | \
			--size | --accel | --timeout | --modules | --suite | --tests | --part)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in --backends | --qemus | --fixtures | -j | --jobs | --cell | --size) not_suite+=("$1") ;; esac
			case $1 in
			--suite) suite=$2 ;;
			--tests | --part) suite_args+=("$1" "$2") ;;
			--kernels) kernels_arg=$2 ;;
			--backends) backends_arg=$2 ;;
			--qemus) qemus_arg=$2 ;;
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
			not_suite+=("$1")
			shift
			;;
		-q | --quiet)
			OPT_QUIET=1
			shift
			;;
		*) usage_die "matrix: unknown option '$1'" ;;
		esac
	done
	if [[ -n $suite ]]; then
		((${#not_suite[@]} == 0)) ||
			usage_die "--suite runs the suite's own guest shapes, one kernel at a time: ${not_suite[0]} does not go with it"
		matrix_suite_parse "$suite"
		format_check "$format"
		[[ -z $report || -d $report || ! -e $report ]] || usage_die "--report '$report' exists and is not a directory"
		local status=0
		matrix_suite_main "$kernels_arg" "$format" "$report" "${suite_args[@]}" "${run_args[@]}" || status=$?
		return "$status"
	fi
	((${#suite_args[@]} == 0)) || usage_die "${suite_args[0]} goes with --suite only"
	matrix_validate "$backends_arg" "$fixtures" "$jobs" "$format" "$report"
	if ((list)); then validate_common_options no-boot; else validate_common_options boot; fi
	MATRIX_RUN_ARGS=("${run_args[@]}")
	MATRIX_QEMUS=()
	if [[ -n $qemus_arg ]]; then
		if ((list)); then matrix_qemus "$qemus_arg" no-boot; else matrix_qemus "$qemus_arg"; fi
	elif ((!list)); then
		matrix_qemu_resolve "$OPT_QEMU"
	fi

	local ids=()
	if ((${#cells[@]})); then
		local c
		for c in "${cells[@]}"; do
			matrix_parse_cell "$c"
			[[ -z $CELL_QEMU ]] || ((list)) || matrix_qemu_resolve "$CELL_QEMU"
			ids+=("$(matrix_cell_id "$(kernel_id "$CELL_KERNEL")" "$CELL_BACKEND" "$CELL_QEMU")")
		done
	else
		matrix_ids "$kernels_arg" "$backends_arg" "${MATRIX_QEMUS[@]}"
		ids=("${MATRIX_IDS[@]}")
		((${#ids[@]})) || usage_die "--kernels '$kernels_arg' and --backends '$backends_arg' name no cell"
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
		local used id
		mapfile -t used < <(for id in "${ids[@]}"; do
			matrix_parse_cell "$id"
			printf '%s\n' "$CELL_BACKEND"
		done | sort -u)
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
