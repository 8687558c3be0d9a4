#!/usr/bin/env bats
# Debian's kernels beyond the host's release, by name (vm/kernels/debian.sh):
# `backports` (bookworm-backports' linux-image-amd64) and `trixie`
# (Debian 13's), each booted once on memmap with one fixture, xfs-dax:
# about 20 s of guest time each under TCG. .ci/run fetches both before the
# suite goes offline; without them in the cache the tests skip, naming
# the fetch.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

# suite_run NAME: `pmemlab kernel fetch NAME`, then one memmap run on it;
# its report, stderr and status in BATS_FILE_TMPDIR/NAME.{json,stderr,status}.
suite_run() {
	local name=$1 out=$BATS_FILE_TMPDIR/$1 status=0
	if ! "$PMEMLAB" kernel fetch "$name" >"$out.fetch" 2>&1; then
		echo "pmemlab kernel fetch $name: $(tail -n 1 "$out.fetch")" >"$out.skip"
		return 0
	fi
	"$PMEMLAB" run --backend memmap --accel tcg --format json --kernel "$name" \
		--fixture xfs-dax >"$out.json" 2>"$out.stderr" || status=$?
	echo "$status" >"$out.status"
}

setup_file() {
	load vm_helpers
	require_guest_tools
	suite_run backports
	suite_run trixie
}

setup() {
	load vm_helpers
	require_guest_tools
}

# use_suite NAME: the file's run on NAME is the one the assertions read
# (run_report, assert_placement), or a skip naming the missing kernel.
use_suite() {
	local out=$BATS_FILE_TMPDIR/$1
	[[ ! -e $out.skip ]] || skip "Debian's $1 kernel is not in the cache and could not be fetched ($(<"$out.skip"))"
	export RUN_JSON=$out.json RUN_STDERR=$out.stderr RUN_STATUS=$out.status
	echo "stderr of the run on $1:" >&2
	cat "$RUN_STDERR" >&2
	[[ $(<"$RUN_STATUS") -eq 0 ]]
}

@test "backports by name boots bookworm-backports' 6.12 kernel and xfs-dax on memmap is pmem" {
	use_suite backports
	[[ $(run_report -r .kernel) == debian-bookworm-backports:6.12.*+deb12-amd64 ]]
	[[ $(run_report -r .guest_kernel) == "$(run_report -r '.kernel | sub("^[^:]*:"; "")')" ]]
	[[ $(run_report -r .kernel_origin) == "Debian 12 bookworm-backports: linux-image-6.12."*"+deb12-amd64" ]]
	[[ $(run_report -r '.modules_failed | length') -eq 0 ]]
	assert_placement xfs-dax pmem
}

@test "trixie by name boots Debian 13's usr-merged kernel and xfs-dax on memmap is pmem" {
	use_suite trixie
	[[ $(run_report -r .kernel) == debian-trixie:6.12.*+deb13-amd64 ]]
	[[ $(run_report -r .guest_kernel) == "$(run_report -r '.kernel | sub("^[^:]*:"; "")')" ]]
	[[ $(run_report -r .kernel_origin) == "Debian 13 trixie: linux-image-6.12."*"+deb13-amd64" ]]
	[[ $(run_report -r '.modules_failed | length') -eq 0 ]]
	assert_placement xfs-dax pmem
}
