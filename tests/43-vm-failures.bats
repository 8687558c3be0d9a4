#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# A guest that hangs or panics ends the run with a clear message, and
# leaves no QEMU process and no work directory behind.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	use_private_tmpdir
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

# interrupt_during_boot SIGNAL EXPECTED_STATUS
interrupt_during_boot() {
	local sig=$1 expected=$2 pid status=0 i
	# job control, so the background pmemlab does not ignore SIGINT; and
	# SIGINT at its default even if whatever started the suite ignores it
	# (a background job of a shell without job control does), as it is
	# for a user's Ctrl-C
	set -m
	env --default-signal=INT "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- sleep 600 3>&- &
	pid=$!
	set +m
	for ((i = 0; i < 300; i++)); do
		pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null && break
		sleep 0.1
	done
	pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null
	kill "-$sig" "$pid"
	wait "$pid" || status=$?
	echo "status after SIG$sig: $status" >&2
	[[ $status -eq $expected ]]
	no_leftovers
	# and nothing stands in the way of the next run
	run -0 "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- true
}

@test "Ctrl-C (SIGINT) while the guest runs leaves no QEMU and no work directory" {
	interrupt_during_boot INT 130
}

@test "SIGTERM while the guest runs leaves no QEMU and no work directory" {
	interrupt_during_boot TERM 143
}
