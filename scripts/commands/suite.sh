# shellcheck shell=bash
# pmemlab suite: an upstream test suite (ndctl, xfstests, PMDK), built by
# the user, run unchanged in the guests its parts need (docs/SUITES.md).

# shellcheck source=scripts/lib/options.sh
. "$PMEMLAB_ROOT/scripts/lib/options.sh"
# shellcheck source=scripts/lib/suite.sh
. "$PMEMLAB_ROOT/scripts/lib/suite.sh"

suite_usage() {
	cat <<USAGE
usage: pmemlab suite NAME DIR [OPTIONS]

Run the upstream suite NAME from DIR, the user's built tree of it, in one
guest per part (each part's guest shape is the suite file's:
scripts/suites/NAME.sh), and report each test as pass, fail, skip or notrun
with the suite's own reason. A pass that proves nothing under TCG (a
time-boxed write phase) is reported as hollow, not as a pass. DIR is
shared writable with the guest (the suites write their logs in it).
Exit status: 0 no test failed, 1 a test or a guest failed, 2 bad usage
(DIR no built tree of NAME), 3 pmemlab could not run.

suites:
$(for s in $(suite_names); do printf '  %-10s %s\n' "$s" "$(suite_desc "$s")"; done)

options:
  --tests LIST              comma-separated tests (ndctl: test names; xfstests: tests
                            or groups, default the dax group; pmdk: test directories)
  --part PART               run only this part's guest (repeatable; default every part:
                            ndctl e820 nfit, xfstests xfs ext4, pmdk fsdax devdax)
  --kernel K                the guest kernel, as 'pmemlab exec --kernel' takes it
  --modules DIR             lib/modules for a --kernel PATH
  --accel auto|kvm|tcg      as for exec
  --timeout SECONDS         each part's guest is killed after this long (default: the suite's)
  --format text|json        stdout: the table, or the JSON document
  --report DIR              keep suite.json, junit.xml and each part's output there
  --dry-run                 print the parts, their guest shapes and commands as JSON; boot nothing
  -q, --quiet               no progress lines
USAGE
}

# suite_junit DOC: the document as JUnit XML.
suite_junit() {
	jq -r -L "$PMEMLAB_ROOT/scripts/report" -f "$PMEMLAB_ROOT/scripts/report/suite-junit.jq" <<<"$1"
}

# suite_write_reports DIR DOC: suite.json and junit.xml, each written
# whole, then renamed.
suite_write_reports() {
	local dir=$1 doc=$2
	printf '%s\n' "$doc" >"$dir/.suite.json.tmp" && mv "$dir/.suite.json.tmp" "$dir/suite.json"
	suite_junit "$doc" >"$dir/.junit.xml.tmp" && mv "$dir/.junit.xml.tmp" "$dir/junit.xml"
}

cmd_suite() {
	local name='' dir='' tests_arg='' report='' timeout='' tree out doc tests=()
	SUITE_EXEC_ARGS=() SUITE_ONLY_PARTS=()
	while (($#)); do
		case $1 in
		-h | --help)
			suite_usage
			return 0
			;;
		--tests | --part | --report | --timeout | --kernel | --modules | --accel | --format)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in
			--tests) tests_arg=$2 ;;
			--part) SUITE_ONLY_PARTS+=("$2") ;;
			--report) report=$2 ;;
			--timeout) timeout=$2 ;;
			*)
				parse_common_option "$1" "$2"
				[[ $1 == --format ]] || SUITE_EXEC_ARGS+=("$1" "$2")
				;;
			esac
			shift 2
			;;
		--dry-run | -q | --quiet)
			# not passed on: exec's stderr goes to PART.err, and its
			# lines (the accelerator) are what the runner reads there
			parse_common_option "$1"
			shift
			;;
		-*) usage_die "suite: unknown option '$1'" ;;
		*)
			if [[ -z $name ]]; then
				name=$1
			elif [[ -z $dir ]]; then
				dir=$1
			else
				usage_die "suite: one NAME and one DIR ('$1' is a third)"
			fi
			shift
			;;
		esac
	done
	[[ -n $name && -n $dir ]] || usage_die "suite: say which suite and its tree (pmemlab suite NAME DIR)"
	suite_load "$name"
	local p parts
	mapfile -t parts < <(suite_parts)
	for p in "${SUITE_ONLY_PARTS[@]}"; do
		word_in "$p" "${parts[@]}" || usage_die "suite $name has no part '$p': choose $(join_or "${parts[@]}")"
	done
	format_check "$OPT_FORMAT"
	case $OPT_ACCEL in auto | kvm | tcg) ;; *) usage_die "unknown accel '$OPT_ACCEL': choose auto, kvm or tcg" ;; esac
	[[ -z $timeout || $timeout =~ ^[1-9][0-9]{0,5}$ ]] ||
		usage_die "invalid timeout '$timeout': a whole number of seconds, 1 or more"
	[[ -z ${OPT_MODULES:-} || -d $OPT_MODULES ]] || usage_die "--modules '$OPT_MODULES' is not a directory"
	[[ -d $dir ]] || usage_die "suite $name: '$dir' is not a directory"
	if [[ -n $tests_arg ]]; then
		IFS=, read -ra tests <<<"$tests_arg"
	else
		tests=("${SUITE_TESTS[@]}")
	fi
	suite_check "$(realpath "$dir")" "${tests[@]}" ||
		usage_die "suite $name: '$dir': $SUITE_WHY"
	tree=$SUITE_TREE
	SUITE_TIMEOUT=$timeout
	if ((OPT_DRY_RUN)); then
		suite_run "$name" "$tree" /nonexistent "${tests[@]}"
		return 0
	fi
	if [[ -n $report ]]; then
		mkdir -p "$report" || die "cannot create the report directory $report"
		out=$(realpath "$report")
	else
		scratch_dir_start "suite-$name"
		out=$SCRATCH
	fi
	doc=$(suite_run "$name" "$tree" "$out" "${tests[@]}")
	[[ -z $report ]] || suite_write_reports "$out" "$doc"
	if [[ $OPT_FORMAT == json ]]; then
		printf '%s\n' "$doc"
	else
		suite_text "$doc"
	fi
	[[ $(jq -r .ok <<<"$doc") == true ]] || return "$EX_FAIL"
}
