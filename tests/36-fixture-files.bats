#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # fixture bodies hold $MNT for the guest, literally
# Your own fixture files and --fixture-opt, without a guest: a broken file
# or option is refused before anything is built (exit 2, the file and line
# named), and the plan a run ships carries the file and the options.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	use_private_tmpdir
	export PMEMLAB_CACHE=$BATS_FILE_TMPDIR/cache
	F=$BATS_TEST_TMPDIR/fx
	mkdir -p "$F"
}

# fixture_file NAME BODY: a fixture file in $F.
fixture_file() {
	printf '%s\n' "$2" >"$F/$1.sh"
}

GOOD='FIXTURE_EXPECT=pmem
FIXTURE_MAP_SYNC=yes
fixture_setup() {
	echo "new-file:$MNT/x"
}'

@test "a fixture file with a shell syntax error is refused before boot, naming the file" {
	fixture_file bad "$GOOD
fixture_teardown() {
	if true; then
}"
	refuses "fixture file '$F/bad.sh': shell syntax error" run --fixture "$F/bad.sh"
}

@test "a fixture file without fixture_setup is refused" {
	fixture_file nosetup 'FIXTURE_EXPECT=pmem'
	refuses "fixture file '$F/nosetup.sh': no fixture_setup() function" exec --fixture "$F/nosetup.sh" -- true
}

@test "a fixture file with an unknown FIXTURE_EXPECT is refused with its line" {
	fixture_file what "# a comment
FIXTURE_EXPECT=nvme
fixture_setup() { echo /x; }"
	refuses "$F/what.sh:2: FIXTURE_EXPECT='nvme': choose pmem or dram" run --fixture "$F/what.sh"
}

@test "a fixture file without FIXTURE_EXPECT, or with an unknown header, is refused" {
	fixture_file noexpect 'fixture_setup() { echo /x; }'
	refuses "no FIXTURE_EXPECT=pmem|dram line" run --fixture "$F/noexpect.sh"
	fixture_file typo "$GOOD
FIXTURE_MODULS=ext4"
	refuses "$F/typo.sh:6: unknown header FIXTURE_MODULS" run --fixture "$F/typo.sh"
}

@test "a fixture path that is no file is refused, and a name that is no fixture too" {
	refuses "fixture file './nope.sh' does not exist" run --fixture ./nope.sh
	refuses "unknown fixture 'nope'" run --fixture nope
}

@test "a fixture file named like an in-tree fixture is refused" {
	fixture_file xfs-dax "$GOOD"
	refuses "the name 'xfs-dax' is already taken" run --fixture "$F/xfs-dax.sh"
}

@test "bad --fixture-opt values are refused, naming them" {
	refuses "invalid --fixture-opt 'stripe=4'" run --fixture-opt stripe=4
	refuses "align is 4K, 2M or 1G" run --fixture-opt align=3M
	refuses "map is mem or dev" exec --fixture-opt map=ram -- true
	refuses "no fixture 'nosuch'" run --fixture-opt nosuch:mkfs=-b
	refuses "mount options are comma-separated words" run --fixture-opt 'mount=dax;reboot'
}

@test "exec refuses, before boot, a fixture that cannot exist on the backend" {
	refuses "fixture kmem cannot exist on the memmap backend: memmap PMem is carved out" exec --backend memmap --fixture kmem -- true
}

@test "pmemlab fixtures lists a user file with its own expectation beside the in-tree ones" {
	fixture_file mine "$GOOD
FIXTURE_DESC=\"my setup\""
	run -0 "$PMEMLAB" fixtures --backend virtio-pmem --fixture "$F/mine.sh" --format json
	[[ $(jq -r '.[] | select(.fixture == "mine") | "\(.expected) \(.expected_map_sync) \(.user_file) \(.description)"' <<<"$output") == "pmem true true my setup" ]]
	# the table's row for an in-tree fixture wins on its backend
	[[ $(jq -r '.[] | select(.fixture == "xfs-dax") | .expected_map_sync' <<<"$output") == false ]]
	[[ $(jq -r '.[] | select(.fixture == "kmem") | .expected' <<<"$output") == n/a ]]
	# the build order is the files' FIXTURE_RANK; the user's come last
	[[ $(jq -r 'map(.fixture) | "\(.[0]) \(.[-1])"' <<<"$output") == "ext4-dax mine" ]]
}

@test "the plan a run ships holds the user's file and the options, and no n/a fixture" {
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-pmemlab-test
	mkdir -p "$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test"
	: >"$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test/modules.dep"
	fixture_file mine "$GOOD
FIXTURE_PROBE_SIZE=1G"
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --keep-work --accel tcg --kernel "$BATS_TEST_TMPDIR/bzImage" \
		--backend memmap --fixture tmpfs --fixture kmem --fixture "$F/mine.sh" \
		--fixture-opt mount=dax --fixture-opt "mine:mkfs=-b 4096 -E stride=512"
	local work
	work=$(sed -n 's/.*work directory kept: //p' <<<"$stderr")
	[[ -d $work ]]
	# kmem is n/a on memmap: the guest never sees it
	run -0 cut -f1,2,3 "$work/plan.tsv"
	[[ $output == "tmpfs	/pmemlab/fixtures/tmpfs.sh	-
mine	/pmemlab/user/mine.sh	1G" ]]
	[[ $(grep '^mine' "$work/plan.tsv" | cut -f4) == "FIXTURE_OPT_MOUNT='dax' FIXTURE_OPT_MKFS='-b 4096 -E stride=512'" ]]
	[[ $(grep '^tmpfs' "$work/plan.tsv" | cut -f4) == "FIXTURE_OPT_MOUNT='dax'" ]]
	# the per-run archive's tree carries the file as the user wrote it
	cmp "$F/mine.sh" "$work/extra/pmemlab/user/mine.sh"
	cmp "$work/plan.tsv" "$work/extra/pmemlab/plan.tsv"
	rm -rf "$work"
}
