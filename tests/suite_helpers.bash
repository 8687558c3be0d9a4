# shellcheck shell=bash
# Stand-ins for tests/37-suite-cli.bats: the smallest trees each suite
# file accepts as built, and a stand-in for `pmemlab exec` that records
# its arguments and plays what a part's guest printed and left behind.

# standin_exec: installs the stand-in and points pmemlab suite at it.
# Part N (in run order) plays $STANDIN/N.out (stdout), N.err (stderr),
# N.status (exit status, default 0) and copies N.files/ into the --rw
# directory, as the suite run in the guest would have written there.
standin_exec() {
	STANDIN=$BATS_TEST_TMPDIR/standin
	mkdir -p "$STANDIN"
	cat >"$STANDIN/exec" <<'EOF'
#!/bin/bash
set -euo pipefail
n=$(($(cat "$STANDIN/calls" 2>/dev/null || echo 0) + 1))
echo "$n" >"$STANDIN/calls"
printf '%s\n' "$@" >"$STANDIN/args.$n"
rw='' quiet=0
while (($#)); do
	case $1 in
	--rw) rw=$2 && shift 2 ;;
	-q | --quiet) quiet=1 && shift ;;
	--) shift && break ;;
	*) shift ;;
	esac
done
# as exec: -q keeps its own lines off stderr
((quiet)) || echo "pmemlab: kernel 6.1.0-57-amd64 (vmlinux), a plan, accel ${STANDIN_ACCEL:-tcg} (the reason)" >&2
[[ ! -d $STANDIN/$n.files ]] || cp -r "$STANDIN/$n.files/." "$rw/"
[[ ! -f $STANDIN/$n.out ]] || cat "$STANDIN/$n.out"
[[ ! -f $STANDIN/$n.err ]] || cat "$STANDIN/$n.err" >&2
# STANDIN_RUN: run the part's command line on the host, with the programs
# that would touch the host's devices or /mnt replaced (standin_guest_bin)
[[ -z ${STANDIN_RUN:-} ]] || PATH=$STANDIN/bin:$PATH "$@"
exit "$(cat "$STANDIN/$n.status" 2>/dev/null || echo 0)"
EOF
	chmod +x "$STANDIN/exec"
	export STANDIN PMEMLAB_TEST_SUITE_EXEC=$STANDIN/exec
}

# standin_guest_bin: STANDIN_RUN's programs: mkdir, mkfs.*, id and
# useradd that only say what they were asked (id: no such user).
standin_guest_bin() {
	local p
	mkdir -p "$STANDIN/bin"
	for p in mkdir mkfs.xfs mkfs.ext4 id useradd; do
		# shellcheck disable=SC2016 # expanded by the stand-in program
		printf '#!/bin/sh\necho "%s $*" >>"$STANDIN/guest-calls"\nexit %d\n' "$p" "$([[ $p != id ]] || echo 1)" >"$STANDIN/bin/$p"
		chmod +x "$STANDIN/bin/$p"
	done
	export STANDIN_RUN=1
}

# The number of guests the stand-in "booted".
standin_calls() {
	cat "$STANDIN/calls" 2>/dev/null || echo 0
}

# ndctl_tree DIR TEST...: a meson build directory whose test list names TESTs.
ndctl_tree() {
	local dir=$1
	shift
	mkdir -p "$dir/build/meson-info" "$dir/build/meson-logs"
	printf '%s\n' "$@" | jq -nR '[inputs | {name: ., suite: ["ndctl:dax"]}]' \
		>"$dir/build/meson-info/intro-tests.json"
}

# meson_log NAME RESULT SECONDS OUTPUT: one line of meson's testlog.json.
meson_log() {
	jq -cn --arg name "$1" --arg result "$2" --argjson d "$3" --arg out "$4" \
		'{name: "ndctl:dax / \($name)", stdout: $out, result: $result, duration: $d,
		  returncode: ({OK: 0, SKIP: 77, TIMEOUT: -15}[$result] // 1)}'
}

xfstests_tree() {
	local dir=$1
	mkdir -p "$dir/tests/xfs" "$dir/tests/generic" "$dir/common" "$dir/ltp"
	printf '#!/bin/sh\n' >"$dir/check"
	cp "$dir/check" "$dir/ltp/fsstress"
	chmod +x "$dir/check" "$dir/ltp/fsstress"
	touch "$dir/tests/xfs/550" "$dir/tests/generic/470"
}

pmdk_tree() {
	local dir=$1
	mkdir -p "$dir/src/test/unittest" "$dir/src/test/pmem2_map" "$dir/src/test/obj_pool"
	touch "$dir/src/test/RUNTESTS.sh" "$dir/src/test/RUNTESTS.py" "$dir/src/test/unittest/libut.a"
}

# suite_json FILTER: jq on the JSON document the last `run` printed.
suite_json() {
	# shellcheck disable=SC2154 # set by bats' run
	jq -r "$@" <<<"$output"
}

# test_field TEST PART FIELD: one test's field in the last document.
test_field() {
	suite_json --arg t "$1" --arg p "$2" ".tests[] | select(.test == \$t and .part == \$p) | .$3"
}
