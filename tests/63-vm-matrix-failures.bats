#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# The matrix when guests go wrong, for real under TCG: a guest that runs
# past --timeout fails its cells (exit 1, a JUnit failure), and SIGTERM
# stops every guest and leaves no QEMU and no work directory.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	use_private_tmpdir
}

@test "a guest past --timeout fails its cells and the matrix exits 1, with the reason everywhere" {
	local report=$BATS_TEST_TMPDIR/report
	run -1 --separate-stderr "$PMEMLAB" matrix --backends memmap --fixtures tmpfs,xfs-dax \
		--accel tcg --timeout 3 --report "$report" --format json
	local j=$output
	[[ $(jq -r '.summary | "\(.cells) \(.passed) \(.failed) \(.guest_errors)"' <<<"$j") == "2 0 2 1" ]]
	[[ $(jq -r '.cells[0].reason' <<<"$j") == "guest did not finish within 3s (--timeout)"* ]]
	[[ $(jq -r .ok <<<"$j") == false ]]
	[[ $(xmllint --xpath 'count(//testcase/failure)' "$report/junit.xml") == 3 ]]
	grep -q '^### Guest errors$' "$report/summary.md"
	grep -q 'guest did not finish within 3s' "$report/matrix.html"
	no_leftovers
}

@test "SIGTERM during a matrix stops every guest: exit 143, no QEMU, no work directory" {
	"$PMEMLAB" matrix --backends memmap,nvdimm --fixtures tmpfs --accel tcg -j 2 \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	# wait until both guests run
	poll() { (($(pgrep -fc "qemu-system-x86_64.*$TMPDIR") == 2)); }
	local i
	for ((i = 0; i < 300; i++)); do poll && break; sleep 0.1; done
	poll
	kill -TERM "$pid"
	local status=0
	wait "$pid" || status=$?
	cat "$BATS_TEST_TMPDIR/err" >&2
	[[ $status == 143 ]]
	grep -q 'interrupted: stopping 2 guest(s)' "$BATS_TEST_TMPDIR/err"
	no_leftovers
}
