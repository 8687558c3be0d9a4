#!/usr/bin/env bats
# exec runs the host's own programs: the host's / is the root of the
# command (read-only, over 9p), so PMDK's tools and a program linked on the
# host against libpmemobj run unchanged on the DAX fixture.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	build_counter
}

setup() {
	load vm_helpers
	require_guest_tools
	cd "$BATS_TEST_TMPDIR" || return
}

@test "PMDK's pmempool from the host creates, checks and reads a pool on the DAX mount" {
	[[ -x /usr/bin/pmempool ]] || skip "pmempool is not installed (apt-get install pmdk-tools)"
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg -- sh -c '
		pmempool create obj "$PMEM_DIR/pool.obj" &&
		pmempool check -v "$PMEM_DIR/pool.obj" &&
		pmempool info "$PMEM_DIR/pool.obj" | grep -i "^path" &&
		pmemprobe --format json "$PMEM_DIR/pool.obj"'
	echo "$output" >&2
	[[ $output == *consistent* ]]
	[[ $output == *"/mnt/pmem/pool.obj"* ]]
	[[ $(tail -n 1 <<<"$output" | jq -r .verdict) == pmem ]]
}

@test "a host-built libpmemobj program commits a transaction and libpmem says PMem on fsdax" {
	require_counter
	cp "$BATS_FILE_TMPDIR/pmemobj-counter" .
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg -- ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 1 is_pmem 1" ]]
}

@test "the same program on the plain-disk fixture: libpmem says not PMem" {
	require_counter
	cp "$BATS_FILE_TMPDIR/pmemobj-counter" .
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture virtio-ext4 -- ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 1 is_pmem 0" ]]
}

@test "--rw shares one directory writable; the rest of the host stays read-only" {
	mkdir out
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs --rw out -- sh -c '
		echo written >out/result.txt
		if touch /usr/pmemlab-should-not-exist 2>/dev/null; then echo usr-writable; else echo usr-read-only; fi
		touch "$HOME/scratch" && echo home-writable
		readlink /bin /lib'
	[[ $(cat out/result.txt) == written ]]
	[[ $output == *usr-read-only*home-writable* ]]
	# the host's top-level symlinks are there as they are on the host
	[[ ! -L /bin || ! -L /lib || $output == *"$(readlink /bin)"$'\n'"$(readlink /lib)" ]]
	[[ ! -e /usr/pmemlab-should-not-exist ]]
}

@test "a HOME under /tmp (as on some CI runners) is the host's, writable scratch in the guest" {
	local home cache
	home=$(mktemp -d /tmp/pmemlab-home.XXXXXX)
	echo from-host >"$home/mark"
	cache=${PMEMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmemlab}
	HOME=$home PMEMLAB_CACHE=$cache run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- sh -c '
		cat "$HOME/mark"; echo guest >"$HOME/scratch" && cat "$HOME/scratch"'
	local left
	left=$(ls "$home")
	rm -rf "$home"
	[[ $output == $'from-host\nguest' ]]
	# the guest's write went to its own layer, not to the host
	[[ $left == mark ]]
}

@test "run from /tmp itself: the host's /tmp is shown and the guest's /tmp stays writable scratch" {
	local mark
	mark=$(mktemp /tmp/pmemlab-test-mark.XXXXXX)
	echo from-host >"$mark"
	cd /tmp || return
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- sh -c '
		pwd; cat "$1"; echo guest >"$1.guest" && cat "$1.guest"' sh "$mark"
	rm -f "$mark"
	[[ $output == $'/tmp\nfrom-host\nguest' ]]
	# the guest's write went to its own layer, not to the host
	[[ ! -e $mark.guest ]]
}

@test "the environment: PATH, LD_LIBRARY_PATH and --env names pass; PMEM_IS_PMEM_FORCE does not" {
	PMEMLAB_TEST_VAR=hello LD_LIBRARY_PATH=/opt/none PMEM_IS_PMEM_FORCE=1 \
		run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs --env PMEMLAB_TEST_VAR -- \
		sh -c 'echo "var=$PMEMLAB_TEST_VAR ld=$LD_LIBRARY_PATH force=${PMEM_IS_PMEM_FORCE-unset}"; echo "$PATH"'
	[[ ${lines[0]} == "var=hello ld=/opt/none force=unset" ]]
	[[ ${lines[1]} == /run/pmemlab/bin:* ]]
}
