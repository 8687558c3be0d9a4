#!/usr/bin/env bats
# shellcheck disable=SC2154 # $output is set by bats' run
# pmemlab suite in a real guest, on a stand-in PMDK tree whose RUNTESTS.sh
# checks, inside the guest, what the real suite relies on: the config
# pmemlab writes, PMEM_FS_DIR on a DAX mount, no PMEM_IS_PMEM_FORCE, a
# writable tree. One guest: the fsdax part only, run as `pmemlab matrix
# --suite` on the default kernel (the matrix runs `pmemlab suite`).
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	TREE=$BATS_FILE_TMPDIR/pmdk
	mkdir -p "$TREE/src/test/unittest" "$TREE/src/test/pmem_check"
	touch "$TREE/src/test/RUNTESTS.py" "$TREE/src/test/unittest/libut.a"
	cat >"$TREE/src/test/RUNTESTS.sh" <<'EOF'
#!/bin/bash
# stands in for PMDK's RUNTESTS.sh: its config file, its output lines
. ./testconfig.sh
t=${!#}
verdict() { # TEST CONDITION-STATUS
	echo "$t/$1: SETUP (check/pmem/debug)"
	if [ "$2" = 0 ]; then echo "$t/$1: PASS [00.010 s]"; else echo "RUNTESTS.sh: stopping: $t/$1 failed, TEST=check" >&2; fi
}
awk -v d="$PMEM_FS_DIR" '$2 == d && $4 ~ /(^|,)dax(=always)?(,|$)/ { found = 1 } END { exit !found }' /proc/mounts
verdict TEST0 $?
[ -z "${PMEM_IS_PMEM_FORCE+set}" ]
verdict TEST1 $?
echo written >"$t/written-in-the-guest"
verdict TEST2 $?
[ -n "${DEVICE_DAX_PATH[*]}" ] || echo "$t/TEST3: SKIP (check/none/debug) DEVICE_DAX_PATH does not specify enough dax devices (min: 1)"
EOF
	chmod +x "$TREE/src/test/RUNTESTS.sh"
	local status=0
	PMEM_IS_PMEM_FORCE=1 "$PMEMLAB" matrix --suite "pmdk:$TREE" --kernels default --tests pmem_check --part fsdax \
		--accel tcg --format json --report "$BATS_FILE_TMPDIR/report" \
		>"$BATS_FILE_TMPDIR/matrix.json" 2>"$BATS_FILE_TMPDIR/stderr" || status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/status"
	export TREE
}

setup() {
	load vm_helpers
	load suite_helpers
	require_guest_tools
	# the kernel's own suite document, kept in the matrix's report
	output=$(<"$BATS_FILE_TMPDIR/report/kernels/0/suite.json")
}

@test "the suite ran in one guest and exited 0" {
	cat "$BATS_FILE_TMPDIR/stderr" >&2
	[[ $(<"$BATS_FILE_TMPDIR/status") == 0 ]]
	[[ $(suite_json '[.parts[].part] | join(",")') == fsdax ]]
	[[ $(suite_json '.parts[0].accel') == tcg ]]
}

@test "the matrix document gives the kernel's counts and each test's result on it" {
	output=$(<"$BATS_FILE_TMPDIR/matrix.json")
	[[ $(suite_json '.kernels | length') == 1 ]]
	[[ $(suite_json '.kernels[0].counts | "\(.pass) \(.fail) \(.skip)"') == "3 0 1" ]]
	[[ $(suite_json '.ok') == true ]]
	[[ $(suite_json '[.tests[] | .results[] | .status] | join(",")') == pass,pass,pass,skip ]]
	[[ -f $BATS_FILE_TMPDIR/report/summary.md && -f $BATS_FILE_TMPDIR/report/junit.xml ]]
}

@test "PMEM_FS_DIR from pmemlab's testconfig.sh is a DAX mount in the guest" {
	[[ $(test_field "pmem_check/TEST0 (check/pmem/debug)" fsdax status) == pass ]]
	grep -qx "PMEM_FS_DIR=/mnt/pmem" "$TREE/src/test/testconfig.sh"
}

@test "PMEM_IS_PMEM_FORCE does not reach the suite, even when the host has it" {
	[[ $(test_field "pmem_check/TEST1 (check/pmem/debug)" fsdax status) == pass ]]
}

@test "the tree is writable in the guest and the writes reach the host" {
	[[ $(test_field "pmem_check/TEST2 (check/pmem/debug)" fsdax status) == pass ]]
	[[ $(<"$TREE/src/test/pmem_check/written-in-the-guest") == written ]]
}

@test "the suite's own skip reaches the report with its reason" {
	[[ $(test_field pmem_check/TEST3 fsdax status) == skip ]]
	[[ $(test_field pmem_check/TEST3 fsdax reason) == "(check/none/debug) DEVICE_DAX_PATH does not specify enough dax devices (min: 1)" ]]
	[[ -s $BATS_FILE_TMPDIR/report/kernels/0/fsdax.out && -f $BATS_FILE_TMPDIR/report/kernels/0/junit.xml ]]
}
