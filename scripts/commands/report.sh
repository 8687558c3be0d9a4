# shellcheck shell=bash
# pmemlab report merge: join matrix reports (matrix.json) of cells run
# apart, on one machine or many, into one report, as one matrix run
# would have written it.

# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"
# shellcheck source=scripts/lib/matrix-report.sh
. "$PMEMLAB_ROOT/scripts/lib/matrix-report.sh"

report_usage() {
	cat <<USAGE
usage: pmemlab report merge [--report DIR] [--format text|json] INPUT...

Join the matrix reports INPUT (matrix.json files, or directories holding
one, as 'pmemlab matrix --cell ID --report DIR' writes them) into one:
the same cells, table and files as one 'pmemlab matrix' run of them all.
A cell in two inputs is refused. --report DIR writes matrix.json,
junit.xml, summary.md and matrix.html there.
Exit status: 0 no cell failed, 1 a cell or a guest failed, 2 bad usage or
an input that is not a matrix report.
USAGE
}

cmd_report() {
	local sub=${1:-}
	case $sub in
	merge)
		shift
		report_merge "$@"
		;;
	-h | --help) report_usage ;;
	'')
		report_usage >&2
		exit "$EX_USAGE"
		;;
	*) usage_die "report: unknown subcommand '$sub' (there is: merge)" ;;
	esac
}

report_merge() {
	local report='' format=text inputs=()
	while (($#)); do
		case $1 in
		-h | --help)
			report_usage
			return 0
			;;
		--report | --format)
			(($# >= 2)) || usage_die "option $1 needs a value"
			[[ $1 == --report ]] && report=$2 || format=$2
			shift 2
			;;
		--)
			shift
			inputs+=("$@")
			break
			;;
		-*) usage_die "report merge: unknown option '$1'" ;;
		*)
			inputs+=("$1")
			shift
			;;
		esac
	done
	format_check "$format"
	((${#inputs[@]})) || usage_die "report merge: give one or more matrix.json files or report directories"
	[[ -z $report || -d $report || ! -e $report ]] || usage_die "--report '$report' exists and is not a directory"

	scratch_dir_start merge
	local input file n=0
	for input in "${inputs[@]}"; do
		file=$input
		[[ ! -d $file ]] || file=$file/matrix.json
		[[ -f $file && -r $file ]] || usage_die "report merge: '$input' is not a readable matrix.json or a directory holding one"
		jq -e 'type == "object" and .report == "matrix" and (.runs | type) == "array"' "$file" >/dev/null 2>&1 ||
			usage_die "report merge: '$input' is not a pmemlab matrix report (matrix.json)"
		jq -c '.runs[]' "$file" >"$SCRATCH/$n.records" || die "cannot read $file"
		n=$((n + 1))
	done
	local dup
	dup=$(cat "$SCRATCH"/*.records | jq -r .id | sort | uniq -d | sed -n 1p)
	[[ -z $dup ]] || usage_die "report merge: cell '$dup' is in more than one input"
	local doc
	doc=$(matrix_document null null "$SCRATCH"/*.records)
	[[ -z $report ]] || matrix_write_reports "$report" <<<"$doc"
	if [[ $format == json ]]; then
		printf '%s\n' "$doc"
	else
		matrix_text <<<"$doc"
	fi
	[[ $(jq -r .ok <<<"$doc") == true ]] || return "$EX_FAIL"
}
