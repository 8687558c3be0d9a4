#!/usr/bin/env bats
# Scale-out round trip under TCG: `matrix --list`, one `matrix --cell ID`
# per id (as a CI job matrix would run them, each with its own report),
# then `report merge`, gives the report one `matrix` run gives: the same
# cells, results and verdicts (times and fault counts differ by nature).
# One column is a user's fixture file (fixtures/examples/ext4-stride.sh):
# its cells and its expectation travel in the records through the merge.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	local args=(--backends memmap,nvdimm --accel tcg -q
		--fixtures "tmpfs,xfs-dax,btt-ext4,$BATS_TEST_DIRNAME/../fixtures/examples/ext4-stride.sh")
	local dir=$BATS_FILE_TMPDIR
	"$PMEMLAB" matrix "${args[@]}" -j 2 --report "$dir/whole" >/dev/null 2>"$dir/whole.err" || true
	"$PMEMLAB" matrix "${args[@]}" --list >"$dir/ids" 2>"$dir/list.err" || true
	local n=0 id pids=()
	while read -r id; do
		n=$((n + 1))
		"$PMEMLAB" matrix "${args[@]}" --cell "$id" --report "$dir/cell$n" >/dev/null 2>"$dir/cell$n.err" &
		pids+=($!)
	done <"$dir/ids"
	for id in "${pids[@]}"; do wait "$id" || true; done
	"$PMEMLAB" report merge --report "$dir/merged" "$dir"/cell* >/dev/null 2>"$dir/merge.err" || true
}

setup() {
	load vm_helpers
	require_guest_tools
}

# What must be equal: everything but times, fault counts and addresses.
comparable() {
	jq -S '{kernels, backends, fixtures: [.fixtures[] | del(.user_file)], summary, ok,
		cells: [.cells[] | del(.seconds)],
		runs: [.runs[] | {id, kernel, backend, fixtures, booted, error,
			guest_kernel: .run.guest_kernel, accel: .run.accel}]}' "$1"
}

@test "--list gives one id per kernel x backend" {
	[[ $(wc -l <"$BATS_FILE_TMPDIR/ids") == 2 ]]
	grep -q ':memmap$' "$BATS_FILE_TMPDIR/ids"
	grep -q ':nvdimm$' "$BATS_FILE_TMPDIR/ids"
}

@test "each --cell report holds its one cell row, all passing" {
	local f
	for f in "$BATS_FILE_TMPDIR"/cell*/matrix.json; do
		[[ $(jq -r '"\(.runs | length) \(.summary.cells) \(.summary.passed)"' "$f") == "1 4 4" ]]
		[[ $(jq -r '.cells[] | select(.fixture == "ext4-stride") | "\(.expected) \(.verdict)"' "$f") == "pmem pmem" ]]
	done
}

@test "merging the cells' reports gives the same report as one matrix run" {
	[[ -s $BATS_FILE_TMPDIR/whole/matrix.json ]] || { cat "$BATS_FILE_TMPDIR/whole.err" >&2; false; }
	[[ -s $BATS_FILE_TMPDIR/merged/matrix.json ]] || { cat "$BATS_FILE_TMPDIR/merge.err" >&2; false; }
	diff <(comparable "$BATS_FILE_TMPDIR/whole/matrix.json") <(comparable "$BATS_FILE_TMPDIR/merged/matrix.json")
	[[ $(jq -r '.summary | "\(.cells) \(.passed)"' "$BATS_FILE_TMPDIR/merged/matrix.json") == "8 8" ]]
	# and the same test cases
	diff <(xmllint --xpath '//testcase/@name' "$BATS_FILE_TMPDIR/whole/junit.xml") \
		<(xmllint --xpath '//testcase/@name' "$BATS_FILE_TMPDIR/merged/junit.xml")
}
