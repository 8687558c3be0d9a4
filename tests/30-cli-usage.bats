#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemlab refuses bad input before it builds or boots anything: exit 2,
# a message naming the value, no QEMU started, no work directory left.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	use_private_tmpdir
	# images of the crafted kernels below must not land in the user's cache
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

@test "no command prints the usage and exits 2" {
	run -2 "$PMEMLAB"
	[[ $output == *"usage: pmemlab COMMAND"* ]]
}

@test "an unknown command is refused" {
	refuses "unknown command 'frobnicate'" frobnicate
}

@test "run --help lists every backend of vm/backends and exits 0" {
	run -0 "$PMEMLAB" run --help
	[[ $output == *"--backend NAME"* ]]
	local f name n=0
	for f in "$BATS_TEST_DIRNAME"/../vm/backends/*.sh; do
		[[ $f != *.guest.sh ]] || continue
		name=${f##*/} name=${name%.sh}
		[[ $output =~ $'\n'\ +$name\ + ]] || { echo "--help misses backend $name" >&2; return 1; }
		n=$((n + 1))
	done
	((n >= 2))
}

@test "an unknown backend is refused, naming the ones there are" {
	refuses "unknown backend 'pmem': choose memmap" run --backend pmem
	refuses "nvdimm" run --backend pmem
}

@test "sizes with junk, zero, overflow or a bad unit are refused, naming the value" {
	refuses "invalid size '1Gx'" run --size 1Gx
	refuses "invalid size '0'" run --size 0
	refuses "invalid size '-1G'" run --size -1G
	refuses "invalid size '99999999999999999T'" run --size 99999999999999999T
	refuses "invalid size '1.5G'" run --size 1.5G
}

@test "sizes that are misaligned or too small for the fixtures are refused" {
	refuses "invalid size '520M': memmap sizes must be multiples of 16M" run --size 520M
	refuses "invalid size '256M': at least 512M per region" run --size 256M --backend nvdimm
}

@test "more memmap regions than KASLR handles are refused" {
	refuses "too many memmap regions (5)" run --size 512M,512M,512M,512M,512M
}

@test "memmap regions larger than the host's memory are refused" {
	refuses "do not fit in this host's available memory" run --size 64T
}

@test "unknown backend, accel, fixture and format are refused" {
	refuses "unknown backend 'optane'" run --backend optane
	refuses "unknown accel 'hvf'" run --accel hvf
	refuses "unknown fixture 'ext5-dax'" run --fixture ext5-dax
	refuses "unknown format 'yaml'" run --format yaml
}

@test "a bad timeout and an option without its value are refused" {
	refuses "invalid timeout 'soon'" run --timeout soon
	refuses "option --size needs a value" run --size
}

@test "a kernel that is neither a version, a flavour nor a bzImage is refused" {
	refuses "unknown kernel 'latest'" run --kernel latest
	refuses "kernel image '/nonexistent/bzImage' does not exist" run --kernel /nonexistent/bzImage
	echo "not a kernel" >"$BATS_TEST_TMPDIR/bzImage"
	refuses "is not a bzImage" run --kernel "$BATS_TEST_TMPDIR/bzImage"
}

@test "a bzImage without a modules tree is refused, naming its version" {
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-pmemlab-test
	refuses "no modules tree for kernel 9.9.9-pmemlab-test" run --kernel "$BATS_TEST_TMPDIR/bzImage"
}

@test "a bzImage with lib/modules beside it is accepted up to the boot" {
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-pmemlab-test
	mkdir -p "$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test"
	: >"$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/bzImage"
	[[ $(jq -r .kernel <<<"$output") == image:9.9.9-pmemlab-test ]]
	[[ $(jq -r '.qemu | index("-kernel") as $i | .[$i + 1]' <<<"$output") == "$BATS_TEST_TMPDIR/bzImage" ]]
}

@test "--fixture none is taken by exec, and refused by run, which probes fixtures" {
	refuses "unknown fixture 'none'" run --fixture none
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-pmemlab-test
	mkdir -p "$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test"
	: >"$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" exec -q --dry-run --accel tcg --fixture none \
		--kernel "$BATS_TEST_TMPDIR/bzImage" -- true
}

@test "--mem and --append that cannot work are refused, naming the value" {
	refuses "--mem '64T' is more than this host's available memory" run --mem 64T
	refuses "--mem '512M' is too small" exec --mem 512M -- true
	refuses "invalid --mem '2X'" run --mem 2X
	refuses "--append 'console=ttyS1': pmemlab sets console itself" run --append console=ttyS1
	refuses "--append 'memmap=1G!4G': pmemlab sets memmap itself" exec --append 'hugepages=2 memmap=1G!4G' -- true
	refuses "--append 'a\"b' is not a kernel argument" run --append 'a"b'
	refuses "pmemlab sets loglevel itself" run --append loglevel=0
}

@test "--mem and --append reach QEMU's RAM and the kernel command line" {
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-pmemlab-test
	mkdir -p "$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test"
	: >"$BATS_TEST_TMPDIR/lib/modules/9.9.9-pmemlab-test/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/bzImage" \
		--backend memmap --size 1G --mem 3G --append 'hugepagesz=1G hugepages=2'
	# memmap: the guest's 3G of RAM and the 1G region carved from it
	[[ $(jq -r '.qemu | index("-m") as $i | .[$i + 1]' <<<"$output") == 4096M ]]
	[[ $(jq -r '.qemu | index("-append") as $i | .[$i + 1]' <<<"$output") == *' memmap=1G!4G '*'hugepagesz=1G hugepages=2' ]]
}

@test "exec without a command is refused" {
	refuses "exec: no command given" exec --fixture tmpfs
}

@test "exec --junit into a missing directory is refused before anything boots" {
	refuses "--junit '/nonexistent/report.xml': not a file in an existing directory" exec --junit /nonexistent/report.xml -- true
}

@test "shell without a terminal is refused" {
	refuses "standard input is not a terminal" shell </dev/null
}

@test "fixtures refuse to run outside a guest without the explicit opt-in, whatever the environment says" {
	printf 'tmpfs\t%s\t-\t-\n' "$BATS_TEST_DIRNAME/../fixtures/tmpfs.sh" >"$BATS_TEST_TMPDIR/plan.tsv"
	# the guard of old was this variable: it must not open the door now
	PMEMLAB_GUEST=1 run -2 sh "$BATS_TEST_DIRNAME/../fixtures/run" "$BATS_TEST_TMPDIR/plan.tsv"
	[[ $output == *"refusing to run outside a pmemlab guest"*"--destroy-pmem-data"* ]]
}

@test "matrix refuses a fixture file that does not exist" {
	refuses "fixture file './mine.sh' does not exist" matrix --list --fixtures ./mine.sh
}

@test "die's exit status cannot be set from the environment" {
	DIE_STATUS=0 PMEMLAB_DIE_STATUS=0 run -3 "$PMEMLAB" kconfig /nonexistent
	[[ $output == *"/nonexistent"* ]]
}

# The guest's awk is busybox's; `pmemlab host` runs the fixtures with the
# host's (mawk on Debian): a reason with a backslash must be the same JSON.
@test "fixtures' json_str gives the same valid JSON with busybox awk and mawk" {
	local awk_impl out want='a\\b"c	d'
	want+=$'\n'e
	for awk_impl in "busybox awk" mawk; do
		command -v "${awk_impl%% *}" >/dev/null || skip "${awk_impl%% *} is not installed"
		mkdir -p "$BATS_TEST_TMPDIR/$awk_impl-bin"
		printf '#!/bin/sh\nexec %s "$@"\n' "$awk_impl" >"$BATS_TEST_TMPDIR/$awk_impl-bin/awk"
		chmod +x "$BATS_TEST_TMPDIR/$awk_impl-bin/awk"
		# shellcheck disable=SC2016 # expanded by the inner shell
		out=$(PATH="$BATS_TEST_TMPDIR/$awk_impl-bin:$PATH" sh -c '. "$1" && json_str "$2"' sh \
			"$BATS_TEST_DIRNAME/../fixtures/lib.sh" "$want")
		[[ $(jq -r . <<<"$out") == "$want" ]]
	done
}

# shellcheck disable=SC2016 # the single-quoted shell syntax is the point
@test "option values carrying shell syntax are refused and never executed" {
	cd "$BATS_TEST_TMPDIR" || return
	refuses "invalid size '\$(touch pwned)'" run --size '$(touch pwned)'
	refuses "invalid kernel version '1;touch pwned'" run --kernel '1;touch pwned'
	refuses "unknown fixture 'tmpfs\`touch pwned\`'" run --fixture 'tmpfs`touch pwned`'
	refuses "invalid timeout '1 \"; touch pwned'" run --timeout '1 "; touch pwned'
	refuses "--env 'A;touch' is not a variable name" exec --env 'A;touch' -- true
	[[ ! -e pwned ]]
}
