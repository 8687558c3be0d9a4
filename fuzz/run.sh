#!/usr/bin/env bash
# make fuzz: replay each harness's regression inputs, then fuzz it for a
# bounded time on a scratch copy of its seed corpus (fuzz/corpus/NAME is
# read, never written). One summary line per harness; a crash prints the
# log's end and the saved input, and the script fails.
#
#   fuzz/run.sh BUILD_DIR SECONDS NAME:MAX_LEN...
set -Eeuo pipefail
shopt -s inherit_errexit nullglob
cd "$(dirname "$0")/.."

(($# >= 3)) || {
	echo "usage: fuzz/run.sh BUILD_DIR SECONDS NAME:MAX_LEN..." >&2
	exit 2
}
build=$1 seconds=$2
shift 2
[[ $seconds =~ ^[1-9][0-9]*$ ]] || {
	echo "fuzz/run.sh: FUZZ_SECONDS '$seconds': a positive number of seconds" >&2
	exit 2
}
status=0

# stat NAME LOG: a value from libFuzzer's -print_final_stats=1 lines.
stat() {
	sed -n "s/^stat::$1: *//p" "$2" | tail -n 1
}

for spec in "$@"; do
	name=${spec%%:*} max_len=${spec#*:}
	bin=$build/$name log=$build/$name.log work=$build/corpus/$name
	mkdir -p "$work"

	regressions=(fuzz/regressions/"$name"/*)
	if ((${#regressions[@]})) && ! "$bin" "${regressions[@]}" >"$log" 2>&1; then
		echo "fuzz $name: a regression input crashes again (log: $log)" >&2
		tail -n 30 "$log" >&2
		status=1
		continue
	fi

	rm -f "$build/crash-$name-"* "$build/timeout-$name-"* "$build/oom-$name-"*
	if "$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/" -exact_artifact_path= \
		"$work" "fuzz/corpus/$name" >"$log" 2>&1; then
		printf 'fuzz %-9s %9s runs in %3s s (%6s/s), %s, %s new inputs, %d regressions replayed, no crash\n' \
			"$name" "$(stat number_of_executed_units "$log")" "$seconds" \
			"$(stat average_exec_per_sec "$log")" \
			"$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)" \
			"$(find "$work" -type f | wc -l)" "${#regressions[@]}"
	else
		echo "fuzz $name: FAILED (log: $log)" >&2
		tail -n 40 "$log" >&2
		grep -E 'Test unit written to' "$log" >&2 || true
		echo "fix the parser, then add the input to fuzz/regressions/$name/" >&2
		status=1
	fi
done
exit "$status"
