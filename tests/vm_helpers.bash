# shellcheck shell=bash
# Helpers for the guest tests (tests/4?-*.bats): run pmemlab, keep its JSON
# report for the whole file, and assert placements from it.

PMEMLAB=$(readlink -f "$BATS_TEST_DIRNAME/../scripts/pmemlab")
export PMEMLAB

# Guests need QEMU and a kernel; `make check` installs both as root.
require_guest_tools() {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
}

# boot_run_once BACKEND [ARGS...]: in setup_file, one `pmemlab run` whose
# JSON report and exit status every test of the file reads.
boot_run_once() {
	local backend=$1
	shift
	RUN_JSON=$BATS_FILE_TMPDIR/run.json
	RUN_STATUS=$BATS_FILE_TMPDIR/run.status
	RUN_STDERR=$BATS_FILE_TMPDIR/run.stderr
	local status=0
	"$PMEMLAB" run --backend "$backend" --accel tcg --format json "$@" \
		>"$RUN_JSON" 2>"$RUN_STDERR" || status=$?
	echo "$status" >"$RUN_STATUS"
	export RUN_JSON RUN_STATUS RUN_STDERR
}

# The report of the file's run, or a failure that shows pmemlab's stderr.
run_report() {
	if ! jq -e 'type == "object"' "$RUN_JSON" >/dev/null 2>&1; then
		echo "pmemlab run printed no JSON report; its stderr:" >&2
		cat "$RUN_STDERR" >&2
		return 1
	fi
	jq "$@" "$RUN_JSON"
}

fixture_field() {
	run_report -r --arg f "$1" ".fixtures[] | select(.fixture == \$f) | $2"
}

# assert_placement FIXTURE EXPECTED: the fixture was built, pmemprobe's
# verdict is EXPECTED, and the page counts and evidence agree with it.
assert_placement() {
	local fixture=$1 expected=$2 status verdict pages present pmem
	status=$(fixture_field "$fixture" .status)
	if [[ $status != ok ]]; then
		echo "fixture $fixture: status '$status': $(fixture_field "$fixture" .reason)" >&2
		return 1
	fi
	verdict=$(fixture_field "$fixture" .probe.verdict)
	present=$(fixture_field "$fixture" .probe.present)
	pmem=$(fixture_field "$fixture" .probe.pmem_pages)
	pages=$(fixture_field "$fixture" .probe.pages)
	echo "fixture $fixture: verdict $verdict, $pmem of $present present pages (of $pages) in PMem" >&2
	[[ $verdict == "$expected" ]]
	[[ $present -eq $pages && $pages -gt 0 ]]
	case $expected in
	pmem)
		[[ $pmem -eq $present ]]
		[[ $(fixture_field "$fixture" .probe.evidence.map_sync) == true ]]
		[[ $(fixture_field "$fixture" .probe.evidence.libpmem_is_pmem) == true ]]
		;;
	dram)
		[[ $pmem -eq 0 ]]
		[[ $(fixture_field "$fixture" .probe.evidence.map_sync) != true ]]
		[[ $(fixture_field "$fixture" .probe.evidence.statx_dax) != true ]]
		;;
	esac
	[[ $(fixture_field "$fixture" .result) == pass ]]
}

# A file with just a bzImage's boot header: the magic and a release string
# (kernel_version at 0x20e points 0x200 bytes before the string).
fake_bzimage() {
	local image=$1 version=$2
	head -c 4096 /dev/zero >"$image"
	printf 'HdrS' | dd of="$image" bs=1 seek=$((0x202)) conv=notrunc status=none
	printf '\x00\x08' | dd of="$image" bs=1 seek=$((0x20e)) conv=notrunc status=none
	printf '%s (builder@host) #1' "$version" | dd of="$image" bs=1 seek=$((0x800 + 0x200)) conv=notrunc status=none
}

# tests/data/pmemobj-counter.c, a stand-in PMem application, built in
# setup_file against the host's libpmemobj.
build_counter() {
	command -v cc >/dev/null || return 0
	cc -Wall -Wextra -o "$BATS_FILE_TMPDIR/pmemobj-counter" \
		"$BATS_TEST_DIRNAME/data/pmemobj-counter.c" -lpmemobj -lpmem 2>"$BATS_FILE_TMPDIR/cc.err" || true
}

require_counter() {
	[[ -x $BATS_FILE_TMPDIR/pmemobj-counter ]] ||
		skip "cannot build tests/data/pmemobj-counter.c (libpmemobj-dev missing?): $(cat "$BATS_FILE_TMPDIR/cc.err" 2>/dev/null)"
}

# The test's own TMPDIR, so pmemlab's work directories land where
# no_leftovers can look.
use_private_tmpdir() {
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
}

# After a run whose TMPDIR is the test's own: no work directory is left in
# it, and no QEMU of it still runs.
no_leftovers() {
	[[ -z $(ls -A "$TMPDIR") ]]
	! pgrep -f "qemu-system-x86_64.*$TMPDIR" >/dev/null
}

# refuses MESSAGE ARGS...: pmemlab ARGS exits 2 with MESSAGE on stderr and
# leaves nothing in the test's private TMPDIR (use_private_tmpdir).
refuses() {
	local message=$1
	shift
	run -2 --separate-stderr "$PMEMLAB" "$@"
	# shellcheck disable=SC2154 # set by bats' run --separate-stderr
	echo "stderr: $stderr" >&2
	[[ $stderr == *"$message"* ]]
	[[ -z $(ls -A "$TMPDIR") ]]
}

# apt_knows_nothing: APT_CONFIG for an apt whose package lists are
# empty (a fresh runner before `apt-get update`, or one that went offline
# with no lists): any answer about kernels must come from elsewhere.
apt_knows_nothing() {
	local dir=$BATS_TEST_TMPDIR/apt-empty
	mkdir -p "$dir/lists/partial"
	printf 'Dir::State::Lists "%s";\nDir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n' \
		"$dir/lists" >"$dir/apt.conf"
	export APT_CONFIG=$dir/apt.conf
}

# seed_kernels CACHE: the complete kernels of the suite's shared cache
# (and what its meta packages resolved to), hard-linked into a test's own
# CACHE, so that the test downloads only what set-up did not fetch
# (`pmemlab kernel fetch` in .ci/run: the suite then runs offline).
seed_kernels() {
	local cache=$1 shared=${PMEMLAB_SHARED_CACHE:-$HOME/.cache/pmemlab} dir
	mkdir -p "$cache/kernels"
	for dir in "$shared"/kernels/*/; do
		[[ -e $dir/.complete ]] || continue
		cp -al "${dir%/}" "$cache/kernels/" 2>/dev/null || cp -a "${dir%/}" "$cache/kernels/"
	done
	for dir in "$shared"/kernels/*.target; do
		[[ ! -f $dir ]] || cp "$dir" "$cache/kernels/"
	done
}

# assert_pmd_faults FIXTURE: 16 MiB of a DAX file mapped by 2 MiB faults
# (the kernel's fs_dax tracepoints) and 2 MiB PFN runs, no fallback.
assert_pmd_faults() {
	local f=$1 pages
	pages=$(fixture_field "$f" .probe.pages)
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.traced) == true ]]
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.faults_2m) -eq $((pages / 512)) ]]
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.faults_4k) -eq 0 ]]
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.pmd_fallbacks) -eq 0 ]]
	[[ $(fixture_field "$f" .probe.evidence.huge_runs_2m) -eq $((pages / 512)) ]]
}

# assert_pmd_fallback FIXTURE: every 2 MiB fault fell back to 4 KiB ones,
# and the probe names the unaligned extents as the reason.
assert_pmd_fallback() {
	local f=$1
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.faults_2m) -eq 0 ]]
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.pmd_fallbacks) -gt 0 ]]
	[[ $(fixture_field "$f" .probe.evidence.fault_sizes.faults_4k) -eq $(fixture_field "$f" .probe.pages) ]]
	[[ $(fixture_field "$f" .probe.evidence.huge_runs_2m) -eq 0 ]]
	[[ $(fixture_field "$f" '.probe.evidence.fault_sizes.fallback_reasons[0]') == *"not 2 MiB aligned"* ]]
}

# too_old_qemu: a stand-in qemu-system-x86_64 (its path in TOO_OLD_QEMU)
# that says it is QEMU 2.5.0 and answers QMP knowing no device at all:
# no backend, not even the devices every guest needs.
too_old_qemu() {
	local dir=$BATS_TEST_TMPDIR/old-qemu/bin
	mkdir -p "$dir"
	TOO_OLD_QEMU=$dir/qemu-system-x86_64
	cat >"$TOO_OLD_QEMU" <<'QEMU'
#!/bin/sh
case "$*" in *--version*)
	echo "QEMU emulator version 2.5.0"
	exit 0
	;;
esac
echo '{"QMP": {"version": {}, "capabilities": []}}'
while read -r line; do
	id=$(printf '%s' "$line" | jq -r '.id // empty')
	case $line in
	*'"quit"'*) echo '{"return": {}}' && exit 0 ;;
	*query-commands*) printf '{"return": [], "id": "%s"}\n' "$id" ;;
	*device-list-properties*) printf '{"error": {"class": "DeviceNotFound", "desc": "no such device"}, "id": "%s"}\n' "$id" ;;
	*) echo '{"return": {}}' ;;
	esac
done
QEMU
	chmod +x "$TOO_OLD_QEMU"
}
