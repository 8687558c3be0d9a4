#!/usr/bin/env bats
# shellcheck disable=SC2154 # $output and $stderr are set by bats' run
# pmemlab suite on stand-in trees, without a guest: each suite file's
# results (meson's testlog.json, xfstests' check lines, PMDK's RUNTESTS
# lines) become pass, fail, skip, notrun or hollow with the suite's reason;
# bad trees are refused before anything boots. A stand-in for `pmemlab
# exec` plays what each part's guest printed (tests/suite_helpers.bash).
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	load suite_helpers
	use_private_tmpdir
	standin_exec
	TREE=$BATS_TEST_TMPDIR/tree
}

@test "an unknown suite is refused with exit 2, naming the suites there are" {
	refuses "unknown suite 'ltp': choose ndctl, pmdk or xfstests" suite ltp "$BATS_TEST_TMPDIR"
	[[ $(standin_calls) == 0 ]]
}

@test "a DIR that is no built tree of the suite exits 2 naming it, before any guest" {
	mkdir -p "$TREE"
	refuses "'$TREE': no meson build directory of ndctl there" suite ndctl "$TREE"
	refuses "'$TREE': no xfstests tree there" suite xfstests "$TREE"
	refuses "'$TREE': no PMDK source tree there" suite pmdk "$TREE"
	refuses "'$TREE/none' is not a directory" suite ndctl "$TREE/none"
	xfstests_tree "$TREE"
	rm "$TREE/ltp/fsstress"
	refuses "xfstests is not built there (no ltp/fsstress: run make in it)" suite xfstests "$TREE"
	[[ $(standin_calls) == 0 ]]
}

@test "tests a suite cannot run here are refused with exit 2, naming them" {
	ndctl_tree "$TREE" dax-dev libndctl
	refuses "test 'libndctl' is not one of the 13 pmemlab can run (the others need the out-of-tree nfit_test or cxl_test module)" \
		suite ndctl "$TREE" --tests dax-dev,libndctl
	refuses "meson knows no test 'dm.sh' (build with -Dtest=enabled -Ddestructive=enabled)" \
		suite ndctl "$TREE" --tests dm.sh
	xfstests_tree "$TREE/x"
	refuses "no test xfs/999 (tests/xfs/999)" suite xfstests "$TREE/x" --tests dax,xfs/999
	pmdk_tree "$TREE/p"
	refuses "no test directory 'pmem2_nothing' in src/test" suite pmdk "$TREE/p" --tests pmem2_map,pmem2_nothing
	echo "PMEM_FS_DIR=/mnt/mine" >"$TREE/p/src/test/testconfig.sh"
	refuses "src/test/testconfig.sh is the user's: move it aside" suite pmdk "$TREE/p" --tests pmem2_map
	refuses "invalid timeout '0s'" suite pmdk "$TREE/p" --timeout 0s
	[[ $(standin_calls) == 0 ]]
}

@test "--dry-run prints each part's guest shape and command, and boots nothing" {
	ndctl_tree "$TREE" dax-dev mmap.sh pmem-ns
	run -0 "$PMEMLAB" suite ndctl "$TREE" --tests dax-dev,pmem-ns --dry-run
	[[ $(suite_json '[.parts[].part] | join(",")') == e820,nfit ]]
	[[ $(suite_json '.parts[0].args | join(" ")') == "--backend memmap --size 3G --mem 4G --append hugepagesz=1G hugepages=2 --fixture none --rw $TREE/build" ]]
	[[ $(suite_json '.parts[1].args | join(" ")') == "--backend nvdimm --size 4G,4G --fixture none --rw $TREE/build" ]]
	[[ $(suite_json '.parts[1].command') == *"meson test --no-rebuild --print-errorlogs --timeout-multiplier 3 --logbase pmemlab-nfit 'pmem-ns'" ]]
	[[ $(standin_calls) == 0 ]]
}

@test "ndctl: meson's OK, SKIP, FAIL and TIMEOUT become pass, skip and fail, with the test's last line" {
	ndctl_tree "$TREE" dax-dev mmap.sh device-dax-fio.sh pmem-ns dm.sh
	mkdir -p "$STANDIN/1.files/meson-logs" "$STANDIN/2.files/meson-logs"
	{
		meson_log dax-dev OK 1.5 "ok"
		meson_log mmap.sh TIMEOUT 600 $'mmap: step 3\n'
		meson_log device-dax-fio.sh OK 20 "fio done"
	} >"$STANDIN/1.files/meson-logs/pmemlab-e820.json"
	{
		meson_log pmem-ns SKIP 0.2 $'test/pmem-ns: no free capacity\n\n'
		meson_log dm.sh FAIL 3 $'dm.sh: /dev/mapper/pmem-dm not found\nlibndctl: ndctl_unref: context 0x5 released\n'
	} >"$STANDIN/2.files/meson-logs/pmemlab-nfit.json"
	run -1 "$PMEMLAB" suite ndctl "$TREE" --tests dax-dev,mmap.sh,device-dax-fio.sh,pmem-ns,dm.sh --format json -q
	[[ $(standin_calls) == 2 ]]
	[[ $(test_field dax-dev e820 status) == pass ]]
	[[ $(test_field dax-dev e820 seconds) == 1.5 ]]
	[[ $(test_field mmap.sh e820 status) == fail ]]
	[[ $(test_field mmap.sh e820 reason) == "TIMEOUT (meson killed it); last line: mmap: step 3" ]]
	[[ $(test_field pmem-ns nfit status) == skip ]]
	[[ $(test_field pmem-ns nfit reason) == "test/pmem-ns: no free capacity" ]]
	[[ $(test_field dm.sh nfit status) == fail ]]
	[[ $(test_field dm.sh nfit reason) == "FAIL, exit 1: dm.sh: /dev/mapper/pmem-dm not found" ]]
	[[ $(suite_json '.counts | "\(.pass) \(.fail) \(.skip) \(.notrun) \(.hollow)"') == "1 2 1 0 1" ]]
	[[ $(suite_json .ok) == false ]]
}

@test "ndctl under TCG: device-dax-fio.sh's pass is hollow, not a pass; under KVM it counts" {
	ndctl_tree "$TREE" device-dax-fio.sh
	mkdir -p "$STANDIN/1.files/meson-logs"
	meson_log device-dax-fio.sh OK 20 "fio done" >"$STANDIN/1.files/meson-logs/pmemlab-e820.json"
	run -0 "$PMEMLAB" suite ndctl "$TREE" --tests device-dax-fio.sh --format json -q
	[[ $(test_field device-dax-fio.sh e820 status) == hollow ]]
	[[ $(test_field device-dax-fio.sh e820 suite_status) == pass ]]
	[[ $(test_field device-dax-fio.sh e820 reason) == *"time-boxed"* ]]
	[[ $(suite_json '"\(.counts.pass) \(.counts.hollow)"') == "0 1" ]]
	rm "$STANDIN/calls"
	STANDIN_ACCEL=kvm run -0 "$PMEMLAB" suite ndctl "$TREE" --tests device-dax-fio.sh --format json -q
	[[ $(test_field device-dax-fio.sh e820 status) == pass ]]
	[[ $(suite_json '"\(.counts.pass) \(.counts.hollow)"') == "1 0" ]]
	# -q quiets suite, not the exec whose lines say the accelerator
	[[ $(suite_json '.parts[0].accel') == kvm ]]
}

@test "ndctl under TCG: device-dax missing its cache-mode time bound is hollow, any other failure a failure" {
	ndctl_tree "$TREE" device-dax
	mkdir -p "$STANDIN/1.files/meson-logs"
	meson_log device-dax FAIL 100 $'dax0.0: verify loop took too long usecs: 18689597\n' \
		>"$STANDIN/1.files/meson-logs/pmemlab-e820.json"
	run -0 "$PMEMLAB" suite ndctl "$TREE" --tests device-dax --format json -q
	[[ $(test_field device-dax e820 status) == hollow ]]
	[[ $(test_field device-dax e820 suite_status) == fail ]]
	[[ $(test_field device-dax e820 reason) == *"speed bound"*"the suite: FAIL, exit 1: dax0.0: verify loop took too long usecs: 18689597" ]]
	[[ $(suite_json '"\(.counts.fail) \(.counts.hollow)"') == "0 1" ]]
	# under KVM the bound is the test's: missing it is a failure
	rm "$STANDIN/calls"
	STANDIN_ACCEL=kvm run -1 "$PMEMLAB" suite ndctl "$TREE" --tests device-dax --format json -q
	[[ $(test_field device-dax e820 status) == fail ]]
	# a wrong byte is a failure under TCG too
	rm "$STANDIN/calls"
	meson_log device-dax FAIL 3 $'dax0.0: @ 0x1000 expected 0x1 got 0x2\n' >"$STANDIN/1.files/meson-logs/pmemlab-e820.json"
	run -1 "$PMEMLAB" suite ndctl "$TREE" --tests device-dax --format json -q
	[[ $(test_field device-dax e820 status) == fail ]]
}

@test "a part whose guest fails: its unreported tests are notrun and the part is a failed test" {
	ndctl_tree "$TREE" dax-dev mmap.sh
	mkdir -p "$STANDIN/1.files/meson-logs"
	meson_log dax-dev OK 1 "ok" >"$STANDIN/1.files/meson-logs/pmemlab-e820.json"
	echo "pmemlab: error: the guest did not finish within 5400 s (timeout)" >"$STANDIN/1.err"
	echo 125 >"$STANDIN/1.status"
	run -1 "$PMEMLAB" suite ndctl "$TREE" --tests dax-dev,mmap.sh --format json -q
	[[ $(test_field dax-dev e820 status) == pass ]]
	[[ $(test_field mmap.sh e820 status) == notrun ]]
	[[ $(test_field mmap.sh e820 reason) == "the guest failed before the suite reported it" ]]
	[[ $(test_field '(e820 part)' e820 status) == fail ]]
	[[ $(test_field '(e820 part)' e820 reason) == "the guest did not finish within 5400 s (timeout)" ]]
	[[ $(suite_json '.parts[0].error') == "the guest did not finish within 5400 s (timeout)" ]]
}

@test "xfstests: check's pass, [not run] and output mismatch lines, on xfs and ext4 guests" {
	xfstests_tree "$TREE"
	cat >"$STANDIN/1.out" <<'EOF'
FSTYP         -- xfs (non-debug)
PLATFORM      -- Linux/x86_64 (none) 6.1.0-57-amd64
MKFS_OPTIONS  -- -f -m rmapbt=1 /dev/pmem1

generic/470       [not run] This test requires a valid $LOGWRITES_DEV
xfs/550        12s
xfs/551 3s ... - output mismatch (see /x/results/pmemlab-xfs/xfs/551.out.bad)
    --- tests/xfs/551.out
    +++ /x/results/pmemlab-xfs/xfs/551.out.bad
xfs/552 4s ...  5s
Ran: generic/470 xfs/550 xfs/551 xfs/552
Not run: generic/470
Failures: xfs/551
Failed 1 of 4 tests
EOF
	cat >"$STANDIN/2.out" <<'EOF'
FSTYP         -- ext4
generic/470        8s
xfs/550       [not run] not suitable for this filesystem type: ext4
Passed all 2 tests
EOF
	run -1 "$PMEMLAB" suite xfstests "$TREE" --tests dax,xfs/550 --format json -q
	[[ $(standin_calls) == 2 ]]
	[[ $(suite_json '[.tests[] | "\(.part) \(.test) \(.status)"] | join(",")') == \
		"xfs generic/470 notrun,xfs xfs/550 pass,xfs xfs/551 fail,xfs xfs/552 pass,ext4 generic/470 pass,ext4 xfs/550 notrun" ]]
	# shellcheck disable=SC2016 # xfstests' own words, a variable's name in them
	[[ $(test_field generic/470 xfs reason) == 'This test requires a valid $LOGWRITES_DEV' ]]
	[[ $(test_field xfs/550 xfs seconds) == 12 ]]
	[[ $(test_field xfs/551 xfs reason) == "- output mismatch (see /x/results/pmemlab-xfs/xfs/551.out.bad)" ]]
	[[ $(test_field xfs/550 ext4 reason) == "not suitable for this filesystem type: ext4" ]]
	grep -qx -- "--fixture" "$STANDIN/args.1"
	grep -qx -- "none" "$STANDIN/args.1"
	grep -qx -- "1G,1G,1G" "$STANDIN/args.2"
	grep -q "./check -g dax xfs/550" "$STANDIN/args.2"
	grep -q "export FSTYP=ext4 TEST_DEV=/dev/pmem0" "$STANDIN/args.2"
}

@test "xfstests: check runs with the test, scratch and log-writes devices in its environment" {
	xfstests_tree "$TREE"
	# a check that, like xfstests', finds no scratch device when the
	# variable did not reach it
	cat >"$TREE/check" <<'EOF'
#!/bin/sh
env | grep -E '^(FSTYP|TEST_DEV|SCRATCH_DEV|SCRATCH_MNT|LOGWRITES_DEV|MKFS_OPTIONS)=' | sort >"check-env.$FSTYP"
if [ -n "${SCRATCH_DEV:-}" ]; then
	echo "xfs/550        1s"
else
	echo 'xfs/550       [not run] this test requires a valid $SCRATCH_DEV'
fi
EOF
	standin_guest_bin
	run -0 "$PMEMLAB" suite xfstests "$TREE" --tests xfs/550 --format json -q
	[[ $(test_field xfs/550 xfs status) == pass ]]
	[[ $(test_field xfs/550 ext4 status) == pass ]]
	[[ $(<"$TREE/check-env.xfs") == "FSTYP=xfs
LOGWRITES_DEV=/dev/pmem2
MKFS_OPTIONS=-m rmapbt=1
SCRATCH_DEV=/dev/pmem1
SCRATCH_MNT=/mnt/fstests/scratch
TEST_DEV=/dev/pmem0" ]]
	grep -qx "SCRATCH_DEV=/dev/pmem1" "$TREE/check-env.ext4"
	# the test device got its filesystem before check; the user it asks for
	grep -qx "mkfs.xfs -f -q -m rmapbt=1 /dev/pmem0" "$STANDIN/guest-calls"
	grep -qx "mkfs.ext4 -F -q /dev/pmem0" "$STANDIN/guest-calls"
	grep -qx "useradd fsgqa" "$STANDIN/guest-calls"
}

@test "a part whose suite reported nothing fails with the suite's last words" {
	xfstests_tree "$TREE"
	printf 'mount: /mnt/fstests/test: wrong fs type\ncommon/rc: could not mount /dev/pmem0 on /mnt/fstests/test\n' >"$STANDIN/1.err"
	printf 'xfs/550        12s\n' >"$STANDIN/2.out"
	run -1 "$PMEMLAB" suite xfstests "$TREE" --format json -q
	[[ $(test_field '(xfs part)' xfs status) == fail ]]
	[[ $(test_field '(xfs part)' xfs reason) == "the suite reported no test; its last words: mount: /mnt/fstests/test: wrong fs type common/rc: could not mount /dev/pmem0 on /mnt/fstests/test" ]]
	[[ $(test_field xfs/550 ext4 status) == pass ]]
}

@test "xfstests: a named test check never reported is notrun, saying so" {
	xfstests_tree "$TREE"
	printf 'xfs/550        12s\n' >"$STANDIN/1.out"
	printf 'xfs/550        12s\n' >"$STANDIN/2.out"
	run -0 "$PMEMLAB" suite xfstests "$TREE" --tests xfs/550,generic/470 --format json -q
	[[ $(test_field generic/470 ext4 status) == notrun ]]
	[[ $(test_field generic/470 ext4 reason) == "the suite did not report it (ext4.out in the report)" ]]
}

@test "pmdk: RUNTESTS' PASS, SKIP, FAILED, TIMEOUT and stopping lines, each case named with its configuration" {
	pmdk_tree "$TREE"
	cat >"$STANDIN/1.out" <<'EOF'
pmem2_map/TEST0: SETUP	(check/fs/debug)
pmem2_map/TEST0: [92mPASS[0m 	[00.512 s]
pmem2_map/TEST1: [93mSKIP[0m: DEVICE_DAX_PATH does not specify enough dax devices (min: 1)
pmem2_map/TEST4: SETUP	(check/fs/debug)
pmem2_map/TEST4: [91mTIMEOUT[0m	(fs/debug)
obj_pool/TEST0: SETUP (check/pmem/debug)
obj_pool/TEST0: PASS			[01:02.500 s]
obj_pool/TEST1: SETUP (check/pmem/debug)
EOF
	# RUNTESTS colours its words on a terminal and under make
	sed -i 's/\[\([0-9]*\)m/\x1b[\1m/g' "$STANDIN/1.out"
	cat >"$STANDIN/1.err" <<'EOF'
obj_pool/TEST1 failed with exit code 1.
RUNTESTS.sh: stopping: obj_pool/TEST1 failed, TEST=check FS=pmem BUILD=debug
EOF
	printf 'pmem2_map/TEST0: SETUP\t(check/devdax/debug)\npmem2_map/TEST0: PASS\n' >"$STANDIN/2.out"
	run -1 "$PMEMLAB" suite pmdk "$TREE" --tests pmem2_map,obj_pool --format json -q
	[[ $(test_field "pmem2_map/TEST0 (check/fs/debug)" fsdax status) == pass ]]
	[[ $(test_field "pmem2_map/TEST0 (check/fs/debug)" fsdax seconds) == 0.512 ]]
	[[ $(test_field pmem2_map/TEST1 fsdax status) == skip ]]
	[[ $(test_field pmem2_map/TEST1 fsdax reason) == "DEVICE_DAX_PATH does not specify enough dax devices (min: 1)" ]]
	[[ $(test_field "pmem2_map/TEST4 (check/fs/debug)" fsdax status) == fail ]]
	[[ $(test_field "pmem2_map/TEST4 (check/fs/debug)" fsdax reason) == TIMEOUT*"(fs/debug)" ]]
	[[ $(test_field "obj_pool/TEST0 (check/pmem/debug)" fsdax seconds) == 62.5 ]]
	[[ $(test_field "obj_pool/TEST1 (check/pmem/debug)" fsdax reason) == "RUNTESTS.sh: failed" ]]
	[[ $(test_field "pmem2_map/TEST0 (check/devdax/debug)" devdax status) == pass ]]
	# devdax reported nothing of obj_pool
	[[ $(test_field obj_pool devdax status) == notrun ]]
	grep -qx -- xfs-dax "$STANDIN/args.1"
	grep -qx -- devdax "$STANDIN/args.2"
	run -1 grep -q PMEM_IS_PMEM_FORCE "$STANDIN/args.1" "$STANDIN/args.2"
}

@test "pmdk: RUNTESTS.py gets its test directory before its options, RUNTESTS.sh after them" {
	pmdk_tree "$TREE"
	local t=$TREE/src/test
	touch "$t/pmem2_map/TESTS.py"
	# RUNTESTS.py's argparse: -t, -b and -g take every word after them, so
	# a directory must come first; one after -t is a test type it does not
	# know
	cat >"$t/RUNTESTS.py" <<'PY'
#!/bin/sh
dirs='' opt=''
for a; do
	case $a in
	-t | -b | -g) opt=$a ;;
	*) case $opt$a in
		-tcheck | -bdebug | -gpage) ;;
		-t*) echo "RUNTESTS.py: error: argument -t/--test_type: invalid choice: '$a'" >&2 && exit 2 ;;
		-*) echo "RUNTESTS.py: error: unrecognized arguments: $a" >&2 && exit 2 ;;
		*) dirs="$dirs $a" ;;
		esac ;;
	esac
done
for d in $dirs; do printf '%s/TEST0: SETUP\t(check/fs/debug)\n%s/TEST0: PASS\n' "$d" "$d"; done
PY
	# RUNTESTS.sh: its options, then the directories; an empty PMEM_FS_DIR
	# in its config is one it cannot use
	cat >"$t/RUNTESTS.sh" <<'SH'
#!/bin/sh
while [ "${1#-}" != "$1" ]; do shift 2; done
! grep -qx 'PMEM_FS_DIR=' testconfig.sh || { echo "RUNTESTS.sh: PMEM_FS_DIR is empty" >&2 && exit 1; }
for d; do printf '%s/TEST0: SETUP (check/pmem/debug)\n%s/TEST0: PASS\n' "$d" "$d"; done
SH
	chmod +x "$t/RUNTESTS.py" "$t/RUNTESTS.sh"
	standin_guest_bin
	PMEM_DIR=/mnt/pmem0 run -0 "$PMEMLAB" suite pmdk "$TREE" --tests pmem2_map,obj_pool --format json -q
	[[ $(test_field "pmem2_map/TEST0 (check/fs/debug)" fsdax status) == pass ]]
	[[ $(test_field "pmem2_map/TEST0 (check/fs/debug)" devdax status) == pass ]]
	[[ $(test_field "obj_pool/TEST0 (check/pmem/debug)" fsdax status) == pass ]]
	[[ $(test_field "obj_pool/TEST0 (check/pmem/debug)" devdax status) == pass ]]
	[[ $(suite_json '.counts | "\(.pass) \(.fail) \(.notrun)"') == "4 0 0" ]]
	# the devdax part has no PMem filesystem for cacheline granularity
	grep -q -- "-b debug -t check -g page" "$STANDIN/args.2"
}

@test "--report keeps each part's output, suite.json and a junit.xml xmllint accepts" {
	command -v xmllint >/dev/null || skip "xmllint is not installed (libxml2-utils, scripts/install-deps)"
	pmdk_tree "$TREE"
	printf 'pmem2_map/TEST0: PASS\npmem2_map/TEST1: SKIP: no <dax> & such\npmem2_map/TEST2: FAILED\t(check/x)\n' >"$STANDIN/1.out"
	printf 'pmem2_map/TEST0: PASS\n' >"$STANDIN/2.out"
	run -1 "$PMEMLAB" suite pmdk "$TREE" --tests pmem2_map --report "$BATS_TEST_TMPDIR/report" -q
	[[ $output == *"pmdk: 2 pass, 1 fail, 1 skip, 0 not run, 0 hollow"* ]]
	[[ -f $BATS_TEST_TMPDIR/report/fsdax.out && -f $BATS_TEST_TMPDIR/report/devdax.err ]]
	jq -e '.counts.fail == 1' "$BATS_TEST_TMPDIR/report/suite.json"
	xmllint --noout "$BATS_TEST_TMPDIR/report/junit.xml"
	[[ $(xmllint --xpath 'string(/testsuites/@failures)' "$BATS_TEST_TMPDIR/report/junit.xml") == 1 ]]
	[[ $(xmllint --xpath 'string(/testsuites/@skipped)' "$BATS_TEST_TMPDIR/report/junit.xml") == 1 ]]
	[[ $(xmllint --xpath 'string(//testcase[@name="pmem2_map/TEST1"]/skipped/@message)' "$BATS_TEST_TMPDIR/report/junit.xml") == \
		'skip: no <dax> & such' ]]
	[[ -z $(ls -A "$TMPDIR") ]]
}

@test "every test passing or skipping exits 0 and prints the table" {
	pmdk_tree "$TREE"
	printf 'obj_pool/TEST0: PASS\n' >"$STANDIN/1.out"
	printf 'obj_pool/TEST0: SKIP: fs-type pmem not configured\n' >"$STANDIN/2.out"
	run -0 "$PMEMLAB" suite pmdk "$TREE" --tests obj_pool -q
	[[ $output == *"obj_pool/TEST0  devdax  skip    -     fs-type pmem not configured"* ]]
	[[ $output == *"pmdk: 1 pass, 0 fail, 1 skip, 0 not run, 0 hollow"* ]]
	[[ -z $(ls -A "$TMPDIR") ]]
}

@test "matrix --suite runs the suite on each kernel in turn and puts each test's result per kernel" {
	xfstests_tree "$TREE"
	printf 'xfs/550        3s\n' >"$STANDIN/1.out"
	printf 'xfs/550       [not run] not suitable for this filesystem type: ext4\n' >"$STANDIN/2.out"
	printf 'xfs/550 3s ... - output mismatch (see xfs/550.out.bad)\n' >"$STANDIN/3.out"
	printf 'xfs/550       [not run] not suitable for this filesystem type: ext4\n' >"$STANDIN/4.out"
	run -1 --separate-stderr "$PMEMLAB" matrix --suite "xfstests:$TREE" --kernels 6.1.0-99-amd64,6.12.117+deb12 \
		--tests xfs/550 --format json --report "$BATS_TEST_TMPDIR/report"
	# one kernel after the other, each part its own guest, on that kernel
	[[ $(standin_calls) == 4 ]]
	[[ $(grep -A1 -x -- --kernel "$STANDIN/args.2" | tail -1) == 6.1.0-99-amd64 ]]
	[[ $(grep -A1 -x -- --kernel "$STANDIN/args.3" | tail -1) == 6.12.117+deb12-amd64 ]]
	[[ $(suite_json '[.kernels[] | "\(.kernel) \(.counts.pass) \(.counts.fail) \(.counts.notrun)"] | join(",")') == \
		"6.1.0-99-amd64 1 0 1,6.12.117+deb12-amd64 0 1 1" ]]
	[[ $(suite_json '.tests[] | select(.test == "xfs/550" and .part == "xfs") | .results | "\(.["6.1.0-99-amd64"].status) \(.["6.12.117+deb12-amd64"].status)"') == "pass fail" ]]
	[[ $(suite_json '.tests[] | select(.part == "xfs") | .results["6.12.117+deb12-amd64"].reason') == "- output mismatch (see xfs/550.out.bad)" ]]
	[[ $(suite_json .ok) == false ]]
	# the reports: the matrix's, and each kernel's own suite report
	[[ -f $BATS_TEST_TMPDIR/report/summary.md && -f $BATS_TEST_TMPDIR/report/kernels/1/suite.json ]]
	# shellcheck disable=SC2016 # Markdown's backticks
	grep -qF '| `6.12.117+deb12-amd64` | 0 | 1 | 0 | 1 | 0 |' "$BATS_TEST_TMPDIR/report/summary.md"
	if command -v xmllint >/dev/null; then
		[[ $(xmllint --xpath 'string(//testsuite[@name="xfstests.6.12.117+deb12-amd64.xfs"]/testcase/failure/@message)' \
			"$BATS_TEST_TMPDIR/report/junit.xml") == "- output mismatch (see xfs/550.out.bad)" ]]
	fi
	[[ -z $(ls -A "$TMPDIR") ]]
}

@test "matrix --suite lists the parts and their tests in the order the suite ran them, not by name" {
	xfstests_tree "$TREE"
	touch "$TREE/tests/xfs/551"
	printf 'xfs/551        3s\nxfs/550        2s\n' >"$STANDIN/1.out"
	printf 'xfs/551       [not run] not suitable for this filesystem type: ext4\n' >"$STANDIN/2.out"
	run -0 --separate-stderr "$PMEMLAB" matrix --suite "xfstests:$TREE" --kernels 6.1.0-99-amd64 --tests xfs/551,xfs/550 --format json
	[[ $(suite_json '[.tests[] | "\(.part) \(.test)"] | join(",")') == "xfs xfs/551,xfs xfs/550,ext4 xfs/551,ext4 xfs/550" ]]
	rm "$STANDIN/calls"
	run -0 --separate-stderr "$PMEMLAB" matrix --suite "xfstests:$TREE" --kernels 6.1.0-99-amd64 --tests xfs/551,xfs/550
	[[ $(grep -oE '^xfs/55[01] +(xfs|ext4)' <<<"$output" | tr -s ' ' | paste -sd,) == "xfs/551 xfs,xfs/550 xfs,xfs/551 ext4,xfs/550 ext4" ]]
}

@test "matrix --suite refuses what does not go with a suite, and a bad suite, before any guest" {
	xfstests_tree "$TREE"
	refuses "--backends does not go with it" matrix --suite "xfstests:$TREE" --backends memmap
	refuses "-j does not go with it" matrix --suite "xfstests:$TREE" -j 2
	refuses "--tests goes with --suite only" matrix --tests xfs/550
	refuses "invalid --suite 'xfstests': give NAME:DIR" matrix --suite xfstests
	refuses "unknown suite 'ltp'" matrix --suite "ltp:$TREE"
	refuses "no test xfs/999 (tests/xfs/999)" matrix --suite "xfstests:$TREE" --tests xfs/999
	[[ $(standin_calls) == 0 ]]
}
