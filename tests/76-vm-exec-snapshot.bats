#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # the single-quoted $... are meant for the guest shell, literally
# Saved guests (vm/lib/snapshot.sh): exec on memmap under TCG saves its
# booted guest once per shape and later execs of that shape start it
# instead of booting, with their own command, fixture and clock.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	cd "$BATS_TEST_TMPDIR" || return
	# a guest size no other test uses: this file's saved guest is its own
	SHAPE=(--accel tcg --mem 1104M)
}

# state_of: the saved guest's file an exec of this file's shape uses.
state_of() {
	"$PMEMLAB" exec -q --dry-run "${SHAPE[@]}" -- true | jq -r '.snapshot_state // empty'
}

# timing_of STDERR: the kept work directory's timing.json.
timing_of() {
	cat "$(sed -n 's/.*work directory kept: //p' <<<"$1")/timing.json"
}

@test "exec saves its booted guest once; the next exec of that shape starts it with its own command, clock and status" {
	local state
	state=$(state_of)
	[[ $state == */snapshots/*.state ]]
	rm -f "$state" "$state.ram"
	run -0 --separate-stderr "$PMEMLAB" exec --keep-work "${SHAPE[@]}" -- sh -c 'echo first'
	[[ $output == first ]]
	[[ $(timing_of "$stderr" | jq -r '.start, (.snapshot_save | type), (.modules | type)') == $'boot\nnumber\nnumber' ]]
	[[ -s $state && -s $state.ram ]]

	run -3 --separate-stderr "$PMEMLAB" exec --keep-work "${SHAPE[@]}" -- \
		sh -c 'echo "second $1"; date +%s; ls "$PMEM_DIR"; exit 3' sh 'it'"'"'s'
	[[ ${lines[0]} == "second it's" ]]
	# the saved guest's clock stopped when it was saved: it takes the host's
	local now
	now=$(date +%s)
	((lines[1] >= now - 30 && lines[1] <= now))
	# this run's fixture, made and probed anew (nothing but the probe file)
	[[ ${lines[2]} == probe.dat && ${#lines[@]} == 3 ]]
	[[ $stderr == *'fixture xfs-dax at /mnt/pmem: pmem'* ]]
	[[ $stderr == *'saved guest started'* && $stderr != *'boot to /init'* ]]
	[[ $(timing_of "$stderr" | jq -r '.start, (.modules | type), (.snapshot_save | type)') == $'snapshot\nnull\nnull' ]]
}

@test "a saved guest QEMU cannot load is deleted with a warning, and exec boots and saves it again" {
	local state
	state=$(state_of)
	[[ -n $state ]]
	# a saved guest from the test above, or one made now
	[[ -s $state ]] || "$PMEMLAB" exec -q "${SHAPE[@]}" -- true
	head -c 4096 /dev/urandom >"$state"
	run -0 --separate-stderr "$PMEMLAB" exec --keep-work "${SHAPE[@]}" -- echo booted
	[[ $output == booted ]]
	[[ $stderr == *"the saved guest $state could not be restored"*'booting instead'* ]]
	[[ $(timing_of "$stderr" | jq -r .start) == boot ]]
	# saved again: the next exec starts it
	[[ $(state_of) == "$state" && $(stat -c %s "$state") -gt 4096 ]]
	run -0 --separate-stderr "$PMEMLAB" exec --keep-work "${SHAPE[@]}" -- true
	[[ $(timing_of "$stderr" | jq -r .start) == snapshot ]]
}

@test "--no-snapshot, PMEMLAB_SNAPSHOT=0, --backing and the other backends boot every time" {
	run -0 "$PMEMLAB" exec -q --dry-run "${SHAPE[@]}" --no-snapshot -- true
	[[ $(jq -r '.snapshot, .snapshot_why' <<<"$output") == $'off\noff (--no-snapshot or PMEMLAB_SNAPSHOT=0)' ]]
	PMEMLAB_SNAPSHOT=0 run -0 "$PMEMLAB" exec -q --dry-run "${SHAPE[@]}" -- true
	[[ $(jq -r .snapshot <<<"$output") == off ]]
	run -0 "$PMEMLAB" exec -q --dry-run "${SHAPE[@]}" --backend nvdimm -- true
	[[ $(jq -r '.snapshot, .snapshot_why' <<<"$output") == $'off\nthe nvdimm backend'"'"'s PMem is not guest RAM' ]]
	run -0 "$PMEMLAB" exec -q --dry-run "${SHAPE[@]}" --backend nvdimm --backing "$BATS_TEST_TMPDIR/pm.img" -- true
	[[ $(jq -r .snapshot <<<"$output") == off ]]
	run -0 "$PMEMLAB" run -q --dry-run --accel tcg
	[[ $(jq -r '.snapshot_why' <<<"$output") == 'only exec uses snapshots' ]]
	# and the exec that boots says so on its timing line
	run -0 --separate-stderr "$PMEMLAB" exec --keep-work "${SHAPE[@]}" --no-snapshot --fixture tmpfs -- true
	[[ $stderr == *'boot to /init'* && $stderr != *'snapshot save'* ]]
	[[ $(timing_of "$stderr" | jq -r .start) == boot ]]
}
