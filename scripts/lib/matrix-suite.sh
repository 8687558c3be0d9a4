# shellcheck shell=bash
# pmemlab matrix --suite NAME:DIR: "does DAX work on these kernels", asked
# of an upstream suite (docs/SUITES.md): one `pmemlab suite` per kernel,
# one after the other (the suites write their logs and results into their
# own tree: two kernels at once would mix them), and the document that
# puts each test's result on every kernel side by side, with each
# kernel's pass, fail, skip, notrun and hollow counts
# (scripts/report/suite-matrix.jq renders it).

[[ -z ${_pmemlab_loaded_matrix_suite:-} ]] || return 0
_pmemlab_loaded_matrix_suite=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# matrix_split and kernel_id: scripts/lib/matrix.sh (sourced by the
# matrix command before this file)

# matrix_suite_parse SPEC: MSUITE_NAME and MSUITE_DIR from NAME:DIR.
matrix_suite_parse() {
	[[ $1 =~ ^([a-z0-9-]+):(.+)$ ]] ||
		usage_die "invalid --suite '$1': give NAME:DIR, a suite and your built tree of it (xfstests:\$HOME/xfstests)"
	MSUITE_NAME=${BASH_REMATCH[1]} MSUITE_DIR=${BASH_REMATCH[2]}
}

# matrix_suite_check ARG...: the suite's own check of its name, tree,
# tests and parts (`pmemlab suite --dry-run`: boots nothing); its refusal
# (exit 2, its message) is the matrix's.
matrix_suite_check() {
	local status=0
	"$PMEMLAB_ROOT/scripts/pmemlab" suite "$MSUITE_NAME" "$MSUITE_DIR" "$@" --dry-run >/dev/null || status=$?
	((status == 0)) || exit "$status"
}

# matrix_suite_run OUT KERNEL_ID... -- ARG...: each kernel's suite run,
# in order; OUT/N/ keeps its report (suite.json, junit.xml, the parts'
# output) and OUT/N/record.json its record.
matrix_suite_run() {
	local out=$1 kernels=() args=() n=0 k status start
	shift
	while (($#)) && [[ $1 != -- ]]; do
		kernels+=("$1")
		shift
	done
	shift
	args=("$@")
	for k in "${kernels[@]}"; do
		mkdir -p "$out/$n"
		step "$MSUITE_NAME on kernel $k ($((n + 1)) of ${#kernels[@]})"
		start=$(now_ms)
		status=0
		"${DIE_WITH_US_TERM[@]}" "$PMEMLAB_ROOT/scripts/pmemlab" suite "$MSUITE_NAME" "$MSUITE_DIR" \
			--kernel "$k" --format json -q --report "$out/$n" "${args[@]}" \
			>"$out/$n/stdout" 2>"$out/$n/stderr" </dev/null || status=$?
		matrix_suite_record "$k" "$status" "$(elapsed_since "$start")" "$out/$n" >"$out/$n/record.json"
		step "$(jq -r 'if .error then "\(.kernel): error: \(.error)"
			else "\(.kernel): \(.counts | "\(.pass) pass, \(.fail) fail, \(.skip) skip, \(.notrun) not run, \(.hollow) hollow") in \(.seconds | round) s" end' \
			"$out/$n/record.json")"
		n=$((n + 1))
	done
}

# matrix_suite_record KERNEL STATUS SECONDS DIR: one kernel's record: the
# suite's document, or the reason there is none (its last stderr line).
matrix_suite_record() {
	local kernel=$1 status=$2 seconds=$3 dir=$4
	jq -n --arg kernel "$kernel" --argjson status "$status" --argjson seconds "$seconds" \
		--rawfile out "$dir/stdout" --rawfile log "$dir/stderr" '
		($out | try fromjson catch null) as $doc
		| {kernel: $kernel, exit_status: $status, seconds: $seconds,
		   error: (if $doc == null then
				"pmemlab suite exited \($status) without a report: \($log | split("\n") | map(select(test("\\S"))) | last // "no message")"
			else null end),
		   counts: ($doc.counts // null), ok: ($doc.ok // false),
		   parts: ($doc.parts // []), tests: ($doc.tests // [])}'
}

# matrix_suite_document WALL RECORD...: the document on stdout; parts
# and the tests in each come in the order the suite ran them.
matrix_suite_document() {
	local wall=$1
	shift
	jq -s --arg suite "$MSUITE_NAME" --arg tree "$MSUITE_DIR" --argjson wall "$wall" '
		{suite: $suite, tree: $tree, wall_seconds: $wall,
		 kernels: map({kernel, exit_status, seconds, error, counts, ok, parts}),
		 tests: (([.[].parts[].part] | reduce .[] as $p ([]; if index([$p]) then . else . + [$p] end)) as $parts
			| [.[] | .kernel as $k | .tests[] | . + {kernel: $k}] | to_entries
			| map(.value.part as $p | .value + {at: .key, part_at: ($parts | index([$p]) // length)})
			| group_by([.part, .test]) | sort_by(.[0].part_at, (map(.at) | min))
			| map({test: .[0].test, part: .[0].part,
				results: map({key: .kernel, value: {status, suite_status, reason, seconds}}) | from_entries}))}
		| .ok = (.kernels | length > 0 and all(.ok and .error == null))' "$@"
}

# matrix_suite_write_reports DIR < DOCUMENT: matrix.json, junit.xml (a
# testsuite per kernel and part) and summary.md, each written whole.
matrix_suite_write_reports() {
	local dir=$1 doc name jq_file=$PMEMLAB_ROOT/scripts/report/suite-matrix.jq
	doc=$(cat)
	for name in matrix.json junit.xml summary.md; do
		case $name in
		matrix.json) jq . <<<"$doc" ;;
		junit.xml) jq -r --arg part junit -f "$jq_file" <<<"$doc" |
			jq -r -L "$PMEMLAB_ROOT/scripts/report" -f "$PMEMLAB_ROOT/scripts/report/suite-junit.jq" ;;
		summary.md) jq -r --arg part markdown -f "$jq_file" <<<"$doc" ;;
		esac >"$dir/.$name.tmp" || {
			rm -f "$dir/.$name.tmp"
			die "cannot write $dir/$name (disk full?)"
		}
		mv -f "$dir/.$name.tmp" "$dir/$name" || die "cannot write $dir/$name"
	done
}

# matrix_suite_text < DOCUMENT: tests down, kernels across, then a line
# per kernel.
matrix_suite_text() {
	local doc jq_file=$PMEMLAB_ROOT/scripts/report/suite-matrix.jq
	doc=$(cat)
	jq -r --arg part table -f "$jq_file" <<<"$doc" | align_columns
	jq -r --arg part summary -f "$jq_file" <<<"$doc"
}

# matrix_suite_main KERNELS FORMAT REPORT ARG...: the whole of `matrix
# --suite`; ARGs go to every `pmemlab suite`. Returns the exit status.
matrix_suite_main() {
	local kernels_arg=$1 format=$2 report=$3 ids=() k id doc t0 status
	shift 3
	local -A seen=()
	mapfile -t ids < <(matrix_split "$kernels_arg")
	local kernels=()
	for k in "${ids[@]}"; do
		id=$(kernel_id "$k") || exit
		[[ -z ${seen[$id]:-} ]] || continue
		seen[$id]=1
		kernels+=("$id")
	done
	((${#kernels[@]})) || usage_die "--kernels '$kernels_arg' names no kernel"
	matrix_suite_check "$@"
	if [[ -n $report ]]; then
		mkdir -p "$report" || die "cannot create the report directory $report"
		MSUITE_OUT=$(realpath "$report")
	else
		scratch_dir_start matrix-suite
		MSUITE_OUT=$SCRATCH
	fi
	t0=$(now_ms)
	matrix_suite_run "$MSUITE_OUT/kernels" "${kernels[@]}" -- "$@"
	local records=()
	for ((k = 0; k < ${#kernels[@]}; k++)); do records+=("$MSUITE_OUT/kernels/$k/record.json"); done
	doc=$(matrix_suite_document "$(elapsed_since "$t0")" "${records[@]}")
	[[ -z $report ]] || matrix_suite_write_reports "$MSUITE_OUT" <<<"$doc"
	if [[ $format == json ]]; then
		printf '%s\n' "$doc"
	else
		matrix_suite_text <<<"$doc"
	fi
	[[ -z $report ]] || step "reports in $report: matrix.json junit.xml summary.md, each kernel's suite report in kernels/N/"
	status=0
	[[ $(jq -r .ok <<<"$doc") == true ]] || status=$EX_FAIL
	# a kernel pmemlab could not prepare: as the matrix says it
	! jq -e 'any(.kernels[]; .exit_status == 3)' <<<"$doc" >/dev/null || status=3
	return "$status"
}
