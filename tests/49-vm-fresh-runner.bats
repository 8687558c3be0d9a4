#!/usr/bin/env bats
# A CI runner's life: set up once, then offline; several jobs at once on
# one cache; a job killed with SIGKILL. No apt after set-up, runs that
# wait for each other instead of racing, and nothing left running.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2030,SC2031 # each test exports its own PMEMLAB_CACHE

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	use_private_tmpdir
	cd "$BATS_TEST_TMPDIR" || return
}

# apt_spy: apt-get and apt-cache first on PATH, logging each call to
# $APT_CALLS before running the real one.
apt_spy() {
	local dir=$BATS_TEST_TMPDIR/spy tool
	APT_CALLS=$BATS_TEST_TMPDIR/apt-calls
	mkdir -p "$dir"
	for tool in apt-get apt-cache; do
		printf '#!/bin/sh\necho "%s $*" >>"%s"\nexec /usr/bin/%s "$@"\n' "$tool" "$APT_CALLS" "$tool" >"$dir/$tool"
		chmod +x "$dir/$tool"
	done
	export PATH=$dir:$PATH
}

@test "offline, with apt's lists empty and a warm cache, a run passes and never calls apt" {
	[[ $(id -u) -eq 0 ]] || skip "needs root for a network namespace (unshare -n)"
	# warm the cache as set-up would (offline itself if set-up already did)
	run -0 --separate-stderr "$PMEMLAB" kernel fetch default
	apt_knows_nothing
	apt_spy
	local t0=$SECONDS
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/fresh-runner" --offline \
		"$PMEMLAB" run -q --accel tcg --fixture tmpfs --fixture xfs-dax
	echo "offline run: $((SECONDS - t0)) s; stderr: $stderr" >&2
	[[ -z $stderr ]]
	[[ $output == *"2 passed, 0 failed"* ]]
	[[ ! -e $APT_CALLS ]]
	# doctor, too, answers from the cache
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/fresh-runner" --offline "$PMEMLAB" doctor --format json
	[[ $(jq -r '.kernel | "\(.where) \(.resolved_by)"' <<<"$output") == "cache cache" ]]
	[[ ! -e $APT_CALLS ]]
}

# three_runs_at_once: three `pmemlab run` on $PMEMLAB_CACHE, started
# together; their statuses in $BATS_TEST_TMPDIR/{1,2,3}.status, their
# wall times in {1,2,3}.seconds.
three_runs_at_once() {
	local i pids=()
	for i in 1 2 3; do
		(
			t0=$(date +%s%N)
			status=0
			"$PMEMLAB" run --accel tcg --fixture tmpfs --format json >"$i.json" 2>"$i.err" 3>&- || status=$?
			echo $((($(date +%s%N) - t0) / 1000000)) >"$i.ms"
			exit "$status"
		) 3>&- &
		pids+=($!)
	done
	for i in 1 2 3; do
		local status=0
		wait "${pids[$((i - 1))]}" || status=$?
		echo "$status" >"$i.status"
	done
}

# assert_three_passed: every run passed, the cache was filled once.
assert_three_passed() {
	local i
	for i in 1 2 3; do
		echo "run $i: status $(cat "$i.status"), $(cat "$i.ms") ms wall" >&2
		sed 's/^/  | /' "$i.err" >&2
		[[ $(cat "$i.status") == 0 && $(jq -r .ok "$i.json") == true ]]
	done
	[[ $(cat ./*.err | grep -c 'building initramfs') -eq 1 ]]
	[[ $(find "$PMEMLAB_CACHE/initramfs" -name '*.cpio' | wc -l) -eq 1 ]]
	no_leftovers
}

@test "three runs started together on an empty cache fetch the kernel once, build the image once, and all pass" {
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	three_runs_at_once
	if grep -qE 'cannot download|cannot resolve' 1.err 2.err 3.err; then
		skip "the Debian archive is out of reach, so a cold cache cannot get a kernel: $(grep -h -m1 -E 'cannot download|cannot resolve' 1.err 2.err 3.err | sed -n 1p)"
	fi
	[[ $(cat ./*.err | grep -c 'fetching kernel package') -eq 1 ]]
	assert_three_passed
}

@test "three runs started together with the kernel cached but no image build it once and all pass" {
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	seed_kernels "$PMEMLAB_CACHE"
	[[ -n $(find "$PMEMLAB_CACHE/kernels" -name .complete) ]] ||
		skip "the suite's cache has no kernel to start from (pmemlab kernel fetch)"
	three_runs_at_once
	[[ $(cat ./*.err | grep -c 'fetching kernel package') -eq 0 ]]
	assert_three_passed
}

@test "a run killed with SIGKILL takes its QEMU along; doctor lists its work directory, the next run removes it" {
	"$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- sleep 600 >out 2>&1 3>&- &
	local pid=$! i
	for ((i = 0; i < 600; i++)); do
		pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null && break
		sleep 0.1
	done
	pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null
	kill -KILL "$pid"
	wait "$pid" || true
	# within 3 s no QEMU of that run is left
	for ((i = 0; i < 30; i++)); do
		pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null || break
		sleep 0.1
	done
	run ! pgrep -f "qemu-system-x86_64.*$TMPDIR"
	local dead
	dead=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'pmemlab.*')
	[[ -n $dead ]]
	run -0 --separate-stderr "$PMEMLAB" doctor --format json
	[[ $(jq -c .workdirs.dead <<<"$output") == "[\"$dead\"]" ]]
	[[ $(jq -r '.checks[] | select(.name == "workdirs") | .status' <<<"$output") == info ]]
	run -0 --separate-stderr "$PMEMLAB" run --accel tcg --fixture tmpfs
	[[ $stderr == *"removed the work directory of a run that was killed: $dead"* ]]
	no_leftovers
}

@test "a kept work directory (--keep-work) is never taken for a dead run's" {
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --keep-work --accel tcg --fixture tmpfs
	local kept
	kept=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 -name 'pmemlab.*')
	[[ -d $kept ]]
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg --fixture tmpfs
	[[ -d $kept ]]
	run -0 --separate-stderr "$PMEMLAB" doctor --format json
	[[ $(jq -c .workdirs.dead <<<"$output") == "[]" ]]
}
