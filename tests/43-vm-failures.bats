#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# A guest that hangs or panics ends the run with a clear message, and
# leaves no QEMU process and no work directory behind.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

no_leftovers() {
	[[ -z $(ls -A "$TMPDIR") ]]
	! pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null
}

@test "a guest that does not finish in --timeout is killed and reported" {
	SECONDS=0
	run -125 --separate-stderr "$PMEMLAB" exec -q --accel tcg --timeout 3 --fixture tmpfs -- sleep 600
	echo "$stderr" >&2
	((SECONDS < 30))
	[[ $stderr == *"guest did not finish within 3s"* ]]
	no_leftovers
}

@test "a guest kernel panic ends the run with 'guest panicked' and the log excerpt" {
	run -125 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- \
		sh -c 'echo c >/proc/sysrq-trigger'
	echo "$stderr" >&2
	[[ $stderr == *"guest panicked"* ]]
	[[ $stderr == *"Kernel panic"* ]]
	no_leftovers
}

@test "a run whose guest times out exits 1 and says so" {
	run -1 --separate-stderr "$PMEMLAB" run -q --accel tcg --timeout 2 --format json
	[[ $(jq -r .ok <<<"$output") == false ]]
	[[ $(jq -r .error <<<"$output") == *"did not finish within 2s"* ]]
	no_leftovers
}
