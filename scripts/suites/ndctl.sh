# shellcheck shell=bash disable=SC2034 # SUITE_* and PART_* are read by scripts/lib/suite.sh
# ndctl's DAX tests (meson, v81 or newer, built with -Dtest=enabled
# -Ddestructive=enabled): the 13 that need no out-of-tree nfit_test or
# cxl_test module. The e820 tests want memmap PMem with room; the ACPI.NFIT
# tests label-initialised NVDIMMs with free capacity.

SUITE_DESC="ndctl's DAX tests, the 13 needing no nfit_test/cxl_test (a meson build dir)"

# test -> the part whose guest it needs
declare -gA NDCTL_PART=(
	["dax-dev"]=e820 ["dax-ext4.sh"]=e820 ["dax-xfs.sh"]=e820 ["device-dax"]=e820
	["revoke-devmem"]=e820 ["mmap.sh"]=e820 ["device-dax-fio.sh"]=e820 ["hugetlb"]=e820
	["pmem-ns"]=nfit ["sub-section.sh"]=nfit ["align.sh"]=nfit ["dm.sh"]=nfit
	["daxctl-devices.sh"]=nfit
)
SUITE_TESTS=(dax-dev dax-ext4.sh dax-xfs.sh device-dax revoke-devmem mmap.sh device-dax-fio.sh hugetlb
	pmem-ns sub-section.sh align.sh dm.sh daxctl-devices.sh)
declare -gA SUITE_HOLLOW_TCG=(
	["device-dax-fio.sh"]="its fio write phase is time-boxed (5 s): under TCG it covers about a third of the device, and the script ignores fio's verify errors"
)
# device-dax reads 2 GiB back within 60 us per 4 KiB page of its 1 GiB
# alignment (15.7 s) to see that the kernel mapped the range cacheable:
# TCG emulates no memory types and reads about that fast, so missing the
# bound says nothing (and the test stops there)
declare -gA SUITE_BOUND_TCG=(
	["device-dax"]="verify loop took too long|its cache-mode check is a speed bound (a 2 GiB read-back in 60 us per 4 KiB page of the alignment) that TCG, which emulates no memory types, can neither meet reliably nor make meaningful; the test stops there, its later checks not run"
)

# The build directory: DIR itself or DIR/build, with meson's test list.
suite_check() {
	local dir=$1 t list
	shift
	if [[ -f $dir/meson-info/intro-tests.json ]]; then
		SUITE_TREE=$dir
	elif [[ -f $dir/build/meson-info/intro-tests.json ]]; then
		SUITE_TREE=$dir/build
	else
		SUITE_WHY="no meson build directory of ndctl there (meson-info/intro-tests.json in it or in build/)"
		return 1
	fi
	list=$(jq -r '.[].name' "$SUITE_TREE/meson-info/intro-tests.json") || {
		SUITE_WHY="$SUITE_TREE/meson-info/intro-tests.json is not meson's test list"
		return 1
	}
	for t in "$@"; do
		if [[ -z ${NDCTL_PART[$t]:-} ]]; then
			SUITE_WHY="test '$t' is not one of the 13 pmemlab can run (the others need the out-of-tree nfit_test or cxl_test module): ${SUITE_TESTS[*]}"
			return 1
		fi
		grep -qxF -- "$t" <<<"$list" || {
			SUITE_WHY="meson knows no test '$t' (build with -Dtest=enabled -Ddestructive=enabled)"
			return 1
		}
	done
}

suite_parts() {
	printf '%s\n' e820 nfit
}

suite_part() {
	local part=$1 tree=$2 t words
	shift 2
	for t in "$@"; do
		[[ ${NDCTL_PART[$t]} != "$part" ]] || PART_TESTS+=("$t")
	done
	PART_EXPECT=("${PART_TESTS[@]}")
	case $part in
	# the device-dax and align tests want about 3 GiB; hugetlb two 1 GiB
	# pages. Measured: with 3 GiB of RAM (1 GiB below 4 GiB, its first MiB
	# taken; 2 GiB above the PMem) the kernel's early allocations at the
	# top of RAM leave one free 1 GiB block ("Only allocated 1 hugepages"),
	# and hugetlb's 2 GiB mmap gets ENOMEM; 4 GiB gives both pages
	e820) PART_ARGS=(--backend memmap --size 3G --mem 4G --append "hugepagesz=1G hugepages=2") ;;
	nfit) PART_ARGS=(--backend nvdimm --size 4G,4G) ;;
	esac
	PART_ARGS+=(--fixture none --rw "$tree")
	PART_TIMEOUT=$((600 + 600 * ${#PART_TESTS[@]}))
	words=$(sh_quote_words "${PART_TESTS[@]}")
	# meson gives each test 600 s; under TCG mmap.sh alone takes 231 s on
	# an idle machine and more than 600 on a busy one: three times that
	PART_CMD="cd $(sh_quote "$tree") && rm -f meson-logs/pmemlab-$part.json &&
		meson test --no-rebuild --print-errorlogs --timeout-multiplier 3 --logbase pmemlab-$part $words"
}

# meson's JSON log: a line per test, "result" OK, SKIP, FAIL, TIMEOUT ...;
# the reason is the test's last line of output that is not debug chatter
suite_results() {
	local part=$1 tree=$2 out=$3 log=$3/$1.testlog.json
	[[ ! -f $tree/meson-logs/pmemlab-$part.json ]] || cp "$tree/meson-logs/pmemlab-$part.json" "$log"
	[[ -f $log ]] || return 0
	jq -c '
		# the last line that says something: not blank, not the libraries
		# debug chatter (libndctl: ndctl_unref: context ... released)
		def last_line: [splits("\n") | select(test("\\S") and (test("^lib(ndctl|daxctl|cxl): ") | not))] | last // "";
		(.name | sub("^.* / "; "")) as $test
		| ((.stdout // "") + "\n" + (.stderr // "")) as $output
		| {test: $test, seconds: .duration,
		   status: ({OK: "pass", EXPECTEDFAIL: "pass", SKIP: "skip"}[.result] // "fail"),
		   reason: (if .result == "OK" then ""
			elif .result == "TIMEOUT" then "TIMEOUT (meson killed it); last line: \($output | last_line)"
			elif .result == "SKIP" then ($output | last_line)
			else "\(.result), exit \(.returncode): \($output | last_line)" end)}' "$log"
}
