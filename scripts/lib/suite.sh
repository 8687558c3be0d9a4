# shellcheck shell=bash disable=SC2034 # SUITE_* and PART_* are set by the plugin for this file
# The upstream test suites pmemlab runs unchanged (docs/SUITES.md): the one
# reader of scripts/suites/NAME.sh, the loop that boots each part's guest
# through `pmemlab exec`, and the judge that turns the suite's own results
# into one JSON document.
#
# A suite is one file, scripts/suites/NAME.sh (bash, sourced alone: one
# suite per process). It sets
#   SUITE_DESC            the --help line
#   SUITE_TESTS=()        the tests (or groups, test directories) run when
#                         --tests is not given
#   SUITE_HOLLOW_TCG=()   (associative) test -> why its pass proves nothing
#                         under TCG: such a pass is reported as "hollow"
#   SUITE_BOUND_TCG=()    (associative) test -> "REGEX|why": its failure
#                         whose reason matches REGEX is a speed bound TCG
#                         cannot meet and that proves nothing under it:
#                         reported as "hollow" too, not as a failure
# and defines
#   suite_check DIR TESTS...
#                         set SUITE_TREE, the tree to run (DIR or a
#                         directory in it); if DIR is no built tree of this
#                         suite or a test is none of its, set SUITE_WHY and
#                         return 1 (exit 2, before any boot)
#   suite_parts           the part names, one per line, in run order
#   suite_part PART TREE TESTS...
#                         from the selected TESTS, set PART_TESTS (those
#                         this part runs: none = the part is not booted),
#                         PART_EXPECT (names, or directories, the suite
#                         must report: a missing one is "notrun"),
#                         PART_ARGS (the `pmemlab exec` options of its
#                         guest shape), PART_TIMEOUT (seconds) and
#                         PART_CMD (the POSIX sh line the guest runs)
#   suite_results PART TREE OUT
#                         after the part ran (its stdout in OUT/PART.out,
#                         stderr in OUT/PART.err): copy what the suite left
#                         in TREE into OUT/, and print one JSON object per
#                         test: {test, status: pass|fail|skip|notrun,
#                         reason, seconds}, reason in the suite's words

[[ -z ${_pmemlab_loaded_suite:-} ]] || return 0
_pmemlab_loaded_suite=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

# A stand-in for `pmemlab exec`, same arguments (tests/37 runs the
# runner on stand-in trees without booting).
: "${PMEMLAB_TEST_SUITE_EXEC:=}"

# sh_quote_words WORD...: the words quoted for a POSIX shell line.
sh_quote_words() {
	local w line=''
	for w in "$@"; do
		line+=" $(sh_quote "$w")"
	done
	printf '%s\n' "${line# }"
}

# json_words WORD...: the words (no newlines in them) as a JSON array
# (jq 1.6 reads options even after --args: --backend cannot go there).
json_words() {
	(($#)) || {
		printf '[]\n'
		return 0
	}
	printf '%s\n' "$@" | jq -nRc '[inputs]'
}

# word_in WORD LIST...: whether WORD is one of LIST.
word_in() {
	local w=$1
	shift
	while (($#)); do
		[[ $1 != "$w" ]] || return 0
		shift
	done
	return 1
}

# suite_names: the suites, one per line (the file names).
suite_names() {
	local f
	for f in "$PMEMLAB_ROOT"/scripts/suites/*.sh; do
		f=${f##*/}
		printf '%s\n' "${f%.sh}"
	done
}

# suite_desc NAME: its --help line (read in a subshell: plugins share names).
suite_desc() {
	(
		# shellcheck source=/dev/null
		. "$PMEMLAB_ROOT/scripts/suites/$1.sh"
		printf '%s\n' "$SUITE_DESC"
	)
}

# suite_load NAME: source its file, or exit 2 naming the suites.
suite_load() {
	local name=$1 names
	[[ $name =~ ^[a-z0-9-]+$ && -f $PMEMLAB_ROOT/scripts/suites/$name.sh ]] ||
		{
			mapfile -t names < <(suite_names)
			usage_die "unknown suite '$name': choose $(join_or "${names[@]}")"
		}
	SUITE_NAME=$name
	SUITE_TESTS=()
	declare -gA SUITE_HOLLOW_TCG=() SUITE_BOUND_TCG=()
	# shellcheck source=/dev/null
	. "$PMEMLAB_ROOT/scripts/suites/$name.sh"
}

# suite_exec OUT PART: run the part's guest; its status on stdout's
# file OUT/PART.status, its seconds in OUT/PART.seconds.
suite_exec() {
	local out=$1 part=$2 start status=0
	local runner=("$PMEMLAB_ROOT/scripts/pmemlab" exec)
	[[ -z $PMEMLAB_TEST_SUITE_EXEC ]] || runner=("$PMEMLAB_TEST_SUITE_EXEC")
	start=$(now_ms)
	# the suite's own exit status is not the verdict (its reported results
	# are): the line always exits 0, so anything else is exec's own
	"${runner[@]}" "${PART_ARGS[@]}" "${SUITE_EXEC_ARGS[@]}" --timeout "$PART_TIMEOUT" -- \
		sh -c "($PART_CMD); echo \"pmemlab suite: $part exited \$?\" >&2; exit 0" \
		>"$out/$part.out" 2>"$out/$part.err" </dev/null || status=$?
	printf '%s\n' "$status" >"$out/$part.status"
	elapsed_since "$start" >"$out/$part.seconds"
}

# suite_accel ERRFILE: the accelerator exec said it used ("" if none).
suite_accel() {
	local line re=', accel (kvm|tcg) \('
	while IFS= read -r line; do
		[[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}" && return 0
	done <"$1"
	return 0
}

# suite_exec_error ERRFILE: exec's own last "error:" line, if any.
suite_exec_error() {
	local line last=''
	while IFS= read -r line; do
		[[ $line == *"error: "* ]] && last=${line#*error: }
	done <"$1"
	printf '%s\n' "$last"
}

# suite_last_words ERRFILE: the last three lines the guest's command wrote
# on stderr (the last: the runner's "PART exited N"), joined.
suite_last_words() {
	local line lines=()
	while IFS= read -r line; do
		[[ -n ${line// /} && $line != "pmemlab: "* ]] || continue
		lines+=("$line")
	done <"$1"
	local n=${#lines[@]} from
	from=$((n > 3 ? n - 3 : 0))
	printf '%s\n' "${lines[*]:from}"
}

# suite_part_record OUT PART TREE: the part's JSON record (one line):
# its shape, its status, and its tests judged. A pass the suite marks
# hollow under TCG, or a failure it marks as TCG's speed bound, becomes
# "hollow"; an expected test (PART_EXPECT: a
# name, or a directory its tests are under) the suite never reported is
# "notrun" saying why; a guest that failed is a failed test named after
# the part, so it is never silent.
suite_part_record() {
	local out=$1 part=$2 tree=$3 status seconds accel error tests hollow bound t
	status=$(<"$out/$part.status")
	seconds=$(<"$out/$part.seconds")
	accel=$(suite_accel "$out/$part.err")
	error=''
	if ((status != 0)); then
		error=$(suite_exec_error "$out/$part.err")
		[[ -n $error ]] || error="pmemlab exec exited $status ($part.err in the report)"
	fi
	tests=$(suite_results "$part" "$tree" "$out" | jq -sc .)
	# a suite that reported nothing at all did not run: say what it said last
	if [[ -z $error && $tests == '[]' ]]; then
		error="the suite reported no test; its last words: $(suite_last_words "$out/$part.err")"
	fi
	hollow='{}' bound='{}'
	if [[ $accel != kvm ]]; then
		for t in "${!SUITE_HOLLOW_TCG[@]}"; do
			hollow=$(jq -c --arg t "$t" --arg why "${SUITE_HOLLOW_TCG[$t]}" '. + {($t): $why}' <<<"$hollow")
		done
		for t in "${!SUITE_BOUND_TCG[@]}"; do
			bound=$(jq -c --arg t "$t" --arg b "${SUITE_BOUND_TCG[$t]}" \
				'. + {($t): {re: ($b | sub("[|].*$"; "")), why: ($b | sub("^[^|]*[|]"; ""))}}' <<<"$bound")
		done
	fi
	jq -cn --arg part "$part" --argjson status "$status" --arg seconds "$seconds" \
		--arg accel "$accel" --arg error "$error" --argjson tests "$tests" \
		--argjson hollow "$hollow" --argjson bound "$bound" --argjson args "$(json_words "${PART_ARGS[@]}")" \
		--argjson expect "$(json_words "${PART_EXPECT[@]}")" '
		def reported($e): any($tests[]; .test == $e or (.test | startswith($e + "/")));
		{part: $part, args: $args, exec_status: $status, seconds: ($seconds | tonumber),
		 accel: (if $accel == "" then null else $accel end),
		 error: (if $error == "" then null else $error end)}
		| .tests = ([$tests[] | . + {part: $part}
			| if .status == "pass" and $hollow[.test] != null
			  then . + {status: "hollow", suite_status: "pass", reason: $hollow[.test]}
			  elif .status == "fail" and $bound[.test] != null and (.test as $t | .reason | test($bound[$t].re))
			  then . + {status: "hollow", suite_status: "fail", reason: "\($bound[.test].why); the suite: \(.reason)"}
			  else . + {suite_status: .status} end]
		  + [$expect[] | select(reported(.) | not)
			| {test: ., part: $part, status: "notrun", suite_status: null, seconds: null,
			   reason: (if $error != "" then "the guest failed before the suite reported it"
				else "the suite did not report it (\($part).out in the report)" end)}]
		  + (if $error != "" then [{test: "(\($part) part)", part: $part, status: "fail",
			suite_status: null, seconds: ($seconds | tonumber), reason: $error}] else [] end))'
}

# suite_run NAME TREE OUT TESTS...: boot each part that has tests, in
# order, and print the suite's JSON document.
suite_run() {
	local name=$1 tree=$2 out=$3 part records=() start
	shift 3
	start=$(now_ms)
	while IFS= read -r part; do
		((${#SUITE_ONLY_PARTS[@]} == 0)) || word_in "$part" "${SUITE_ONLY_PARTS[@]}" || continue
		PART_TESTS=() PART_EXPECT=() PART_ARGS=() PART_TIMEOUT=1800 PART_CMD=''
		suite_part "$part" "$tree" "$@"
		[[ -z ${SUITE_TIMEOUT:-} ]] || PART_TIMEOUT=$SUITE_TIMEOUT
		((${#PART_TESTS[@]})) || continue
		if ((OPT_DRY_RUN)); then
			records+=("$(jq -cn --arg part "$part" --arg cmd "$PART_CMD" --argjson timeout "$PART_TIMEOUT" \
				--argjson tests "$(json_words "${PART_TESTS[@]}")" --argjson args "$(json_words "${PART_ARGS[@]}")" \
				'{part: $part, tests: $tests, args: $args, timeout: $timeout, command: $cmd}')")
			continue
		fi
		step "$name: part $part (${PART_TESTS[*]}): pmemlab exec ${PART_ARGS[*]}"
		suite_exec "$out" "$part"
		records+=("$(suite_part_record "$out" "$part" "$tree")")
		step "$name: part $part done in $(<"$out/$part.seconds") s"
	done < <(suite_parts)
	if ((OPT_DRY_RUN)); then
		printf '%s\n' "${records[@]}" | jq -s --arg suite "$name" --arg tree "$tree" \
			'{suite: $suite, tree: $tree, dry_run: true, parts: .}'
		return 0
	fi
	printf '%s\n' "${records[@]}" | jq -s --arg suite "$name" --arg tree "$tree" \
		--arg kernel "${OPT_KERNEL:-default}" --arg wall "$(elapsed_since "$start")" '
		[.[].tests[]] as $tests
		| def count($s): $tests | map(select(.status == $s)) | length;
		{suite: $suite, tree: $tree, kernel: $kernel, wall_seconds: ($wall | tonumber),
		 parts: map(del(.tests)), tests: $tests,
		 counts: {pass: count("pass"), fail: count("fail"), skip: count("skip"),
			notrun: count("notrun"), hollow: count("hollow")}}
		| .ok = (.counts.fail == 0 and ($tests | length) > 0)'
}

# suite_text DOC: the table a person reads.
suite_text() {
	jq -r '
		def secs: if . == null then "-" else "\(. * 10 | round / 10)s" end;
		(["TEST", "PART", "RESULT", "TIME", "REASON"] | @tsv),
		(.tests[] | [.test, .part, .status, (.seconds | secs), (.reason // "" | gsub("[\t\n]"; " "))] | @tsv)' \
		<<<"$1" | align_columns
	jq -r '"\(.suite): \(.counts.pass) pass, \(.counts.fail) fail, \(.counts.skip) skip, " +
		"\(.counts.notrun) not run, \(.counts.hollow) hollow (proving nothing under TCG) " +
		"in \(.parts | length) guests, \(.wall_seconds | round) s"' <<<"$1"
}
