# shellcheck shell=bash disable=SC2034 # SUITE_* and PART_* are read by scripts/lib/suite.sh
# PMDK's unit tests (a source tree built with `make test`), run by its own
# RUNTESTS.sh or RUNTESTS.py: once on fsdax (xfs-dax at PMEM_FS_DIR, a
# tmpfs at NON_PMEM_FS_DIR) and once on devdax (DEVICE_DAX_PATH), never
# with PMEM_IS_PMEM_FORCE, so libpmem decides for itself what is PMem.

SUITE_DESC="PMDK's unit tests (test directories) on fsdax and devdax (a tree built with make test)"
# a subset that ends in about ten minutes per part under TCG (docs/SUITES.md)
SUITE_TESTS=(pmem_is_pmem pmem_map_file pmem2_map pmem2_source_size pmem2_granularity
	pmem2_deep_flush obj_basic_integration obj_pool util_file_create)
# the config files RUNTESTS reads; pmemlab writes them for each guest
PMDK_MARK="# written by pmemlab suite pmdk, for one guest"

suite_check() {
	local dir=$1 t f
	shift
	SUITE_TREE=$dir/src/test
	[[ -f $SUITE_TREE/RUNTESTS.sh && -f $SUITE_TREE/RUNTESTS.py ]] || {
		SUITE_WHY="no PMDK source tree there (src/test/RUNTESTS.sh, RUNTESTS.py)"
		return 1
	}
	[[ -f $SUITE_TREE/unittest/libut.a ]] || {
		SUITE_WHY="PMDK's tests are not built there (no src/test/unittest/libut.a: run make test)"
		return 1
	}
	for t in "$@"; do
		[[ $t =~ ^[a-z0-9_]+$ && -d $SUITE_TREE/$t ]] || {
			SUITE_WHY="no test directory '$t' in src/test"
			return 1
		}
	done
	for f in testconfig.sh testconfig.py; do
		[[ ! -e $SUITE_TREE/$f ]] || grep -qxF "$PMDK_MARK" "$SUITE_TREE/$f" || {
			SUITE_WHY="src/test/$f is the user's: move it aside (pmemlab writes its own for each guest)"
			return 1
		}
	done
}

suite_parts() {
	printf '%s\n' fsdax devdax
}

suite_part() {
	local part=$1 tree=$2 t dirs='' fs py=''
	shift 2
	PART_TESTS=("$@")
	PART_EXPECT=("$@")
	for t in "$@"; do dirs+=" $t"; done
	case $part in
	fsdax)
		PART_ARGS=(--backend memmap --size 2G --fixture xfs-dax)
		# shellcheck disable=SC2016 # expanded in the guest
		fs='PMEM_FS_DIR=$PMEM_DIR; DEVICE_DAX_PATH='
		;;
	devdax)
		PART_ARGS=(--backend memmap --size 2G --fixture devdax)
		# shellcheck disable=SC2016 # expanded in the guest
		fs='PMEM_FS_DIR='
		# no PMem filesystem here for cacheline granularity (the fsdax
		# part runs those): its checks would open the test directory
		py='-g page'
		;;
	esac
	PART_ARGS+=(--rw "$tree")
	PART_TIMEOUT=1800
	# shellcheck disable=SC2016 # expanded in the guest
	PART_CMD="cd $(sh_quote "$tree") && $fs && NON_PMEM_FS_DIR=/tmp/pmdk-non-pmem &&
		mkdir -p \$NON_PMEM_FS_DIR && dax=\${DEVICE_DAX_PATH:-} &&
		printf '%s\n' '$PMDK_MARK' \${PMEM_FS_DIR:+\"PMEM_FS_DIR=\$PMEM_FS_DIR\"} \"NON_PMEM_FS_DIR=\$NON_PMEM_FS_DIR\" \\
			\"DEVICE_DAX_PATH=(\$dax)\" TEST_BUILD=debug TM=1 KEEP_GOING=y >testconfig.sh &&
		printf '%s\nconfig = {%s}\n' '$PMDK_MARK' \"'unittest_log_level': 1, 'tm': True, 'test_type': 'check',
			'build': 'debug', 'granularity': 'all', 'keep_going': True, 'fail_on_skip': False,
			'timeout': '3m', 'dump_lines': 30, 'force_enable': None, 'enable_admin_tests': False,
			'force_page': False, 'force_cacheline': False, 'force_byte': False,
			'page_fs_dir': '\$NON_PMEM_FS_DIR', 'cacheline_fs_dir': '\$PMEM_FS_DIR',
			'device_dax_path': [\${dax:+'\$dax'}]\" >testconfig.py &&
		for t in$dirs; do
			if [ -f \$t/TESTS.py ]; then ./RUNTESTS.py \$t -b debug -t check $py; else ./RUNTESTS.sh -b debug -t check \$t; fi
		done"
}

# RUNTESTS lines: "DIR/TESTn: SETUP (check/pmem/debug)", then "DIR/TESTn:
# PASS [s]", "...: SKIP ... why", "...: FAILED", "...: TIMEOUT", or
# RUNTESTS.sh's "stopping: DIR/TESTn failed|timed out, ...". A test case
# is named with its last SETUP's configuration.
suite_results() {
	local part=$1 out=$3 line name rest status reason seconds config
	local re='^([a-z0-9_]+/TEST[0-9]+): (SETUP|PASS|SKIP|FAILED|TIMEOUT|FAIL)(.*)$'
	local re_stop='^RUNTESTS\.sh: stopping: ([a-z0-9_]+/TEST[0-9]+) (failed|timed out)'
	local re_secs='\[([0-9:.]+) s\]' re_config='\(([^)]*)\)'
	declare -A configs=()
	while IFS= read -r line; do
		line=${line//$'\e'\[[0-9][0-9]m/}
		line=${line//$'\e'\[0m/}
		seconds=null reason=''
		if [[ $line =~ $re ]]; then
			name=${BASH_REMATCH[1]} status=${BASH_REMATCH[2]} rest=${BASH_REMATCH[3]}
			if [[ $status == SETUP ]]; then
				[[ $rest =~ $re_config ]] && configs[$name]=${BASH_REMATCH[1]}
				continue
			fi
			[[ $rest =~ $re_secs ]] && seconds=$(pmdk_seconds "${BASH_REMATCH[1]}")
			case $status in
			PASS) status=pass ;;
			SKIP)
				status=skip reason=${rest#:}
				reason=${reason# }
				;;
			*) reason=${status}${rest} status=fail ;;
			esac
		elif [[ $line =~ $re_stop ]]; then
			name=${BASH_REMATCH[1]} status=fail reason="RUNTESTS.sh: ${BASH_REMATCH[2]}"
		else
			continue
		fi
		config=${configs[$name]:-}
		jq -cn --arg test "$name${config:+ ($config)}" --arg status "$status" --arg reason "$reason" \
			--argjson seconds "$seconds" '{test: $test, status: $status, reason: ($reason | gsub("^\\s+|\\s+$"; "")), seconds: $seconds}'
	done < <(cat "$out/$part.out" "$out/$part.err")
}

# "01.234", "1:02.345" -> seconds
pmdk_seconds() {
	local t=$1 m=0
	[[ $t != *:* ]] || m=${t%%:*} t=${t#*:}
	jq -n --arg m "$m" --arg s "$t" '($m | tonumber) * 60 + ($s | tonumber)'
}
