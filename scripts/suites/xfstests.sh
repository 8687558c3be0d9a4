# shellcheck shell=bash disable=SC2034 # SUITE_* and PART_* are read by scripts/lib/suite.sh
# xfstests (fstests), built with make: its dax group by default, on xfs and
# on ext4, each in its own guest with three empty memmap PMem devices:
# TEST_DEV, SCRATCH_DEV and LOGWRITES_DEV (generic/470's dm-log-writes).

SUITE_DESC="xfstests' dax group (or --tests) on xfs and ext4 (a built xfstests tree)"
SUITE_TESTS=(dax)

suite_check() {
	local dir=$1 t
	shift
	[[ -x $dir/check && -d $dir/tests && -d $dir/common ]] || {
		SUITE_WHY="no xfstests tree there (its check script, tests/ and common/)"
		return 1
	}
	[[ -x $dir/ltp/fsstress ]] || {
		SUITE_WHY="xfstests is not built there (no ltp/fsstress: run make in it)"
		return 1
	}
	for t in "$@"; do
		if [[ $t =~ ^[a-z0-9]+/[0-9]+$ ]]; then
			[[ -f $dir/tests/$t ]] || {
				SUITE_WHY="no test $t (tests/$t)"
				return 1
			}
		elif ! [[ $t =~ ^[a-z_]+$ ]]; then
			SUITE_WHY="'$t' is neither a test (generic/470) nor a group (dax)"
			return 1
		fi
	done
	SUITE_TREE=$dir
}

suite_parts() {
	printf '%s\n' xfs ext4
}

suite_part() {
	local part=$1 tree=$2 t words='' mkfs='' mkfs_test
	shift 2
	PART_TESTS=("$@")
	for t in "$@"; do
		# groups are xfstests' to expand; named tests must be reported
		if [[ $t == */* ]]; then
			PART_EXPECT+=("$t")
			words+=" $t"
		else
			words+=" -g $t"
		fi
	done
	# the reverse-mapping tests (xfs/550-552) need rmapbt; check mounts
	# TEST_DEV before anything else, so it gets its filesystem first
	if [[ $part == xfs ]]; then
		mkfs="-m rmapbt=1" mkfs_test="mkfs.xfs -f -q $mkfs /dev/pmem0"
	else
		mkfs_test="mkfs.$part -F -q /dev/pmem0"
	fi
	PART_ARGS=(--backend memmap --size 1G,1G,1G --fixture none --rw "$tree")
	# measured: the 14 dax tests on xfs took more than 3600 s under TCG on
	# a shared 2-core machine (generic/452 alone 677 s)
	PART_TIMEOUT=7200
	# the guest's /etc is a throw-away overlay: the user xfstests' README
	# asks for (generic/462 and others) is made there, never on the host.
	# One export, one line: a variable assigned on a line of its own would
	# stay the shell's, and check would see no SCRATCH_DEV (every test
	# needing it "not run")
	PART_CMD="cd $(sh_quote "$tree") && mkdir -p /mnt/fstests/test /mnt/fstests/scratch &&
		export FSTYP=$part TEST_DEV=/dev/pmem0 TEST_DIR=/mnt/fstests/test SCRATCH_DEV=/dev/pmem1 SCRATCH_MNT=/mnt/fstests/scratch LOGWRITES_DEV=/dev/pmem2 MKFS_OPTIONS='$mkfs' RESULT_BASE=$(sh_quote "$tree/results/pmemlab-$part") &&
		{ id -u fsgqa >/dev/null 2>&1 || useradd fsgqa || :; } &&
		$mkfs_test && ./check$words"
}

# check's lines: "xfs/550 12s ...  11s" (pass), "xfs/551 [not run] why",
# "generic/470 - output mismatch (see ...)" or another complaint (fail).
suite_results() {
	local part=$1 out=$3 line test rest status reason seconds
	local re_test='^([a-z0-9]+/[0-9]+) +(.*)$' re_pass='^([0-9]+s \.\.\. +)?([0-9]+)s$'
	while IFS= read -r line; do
		[[ $line =~ $re_test ]] || continue
		test=${BASH_REMATCH[1]} rest=${BASH_REMATCH[2]} seconds=null reason=''
		if [[ $rest == *"[not run] "* ]]; then
			status=notrun reason=${rest#*\[not run\] }
		elif [[ $rest == *"[expunged]"* ]]; then
			status=notrun reason="expunged (the exclude list)"
		elif [[ $rest =~ $re_pass ]]; then
			status=pass seconds=${BASH_REMATCH[2]}
		else
			status=fail reason=${rest#*s ... }
		fi
		jq -cn --arg test "$test" --arg status "$status" --arg reason "$reason" \
			--argjson seconds "$seconds" '{test: $test, status: $status, reason: $reason, seconds: $seconds}'
	done <"$out/$part.out"
}
