#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemlab matrix and report merge without booting: bad input, cell ids,
# a kernel whose config supports nothing (every cell unsupported, no
# guest), progress lines, and merging crafted run records.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	use_private_tmpdir
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

# no_kernel_downloaded: the cache holds no kernel tree (records of what
# a meta package resolved to are not downloads).
no_kernel_downloaded() {
	[[ -z $(find "$PMEMLAB_CACHE/kernels" -mindepth 1 -maxdepth 1 -type d 2>/dev/null) ]]
}

# A bzImage header whose config (beside it) has only CONFIG_X86_64: no
# guest can run on it, so every cell is unsupported and nothing boots.
# Its directory's name has a space and an '=' (ids are paths, any path).
bare_kernel() {
	local dir="$BATS_TEST_TMPDIR/k=1 dir" version=9.9.9-matrix-test
	mkdir -p "$dir/lib/modules/$version"
	: >"$dir/lib/modules/$version/modules.dep"
	fake_bzimage "$dir/bzImage" "$version"
	printf 'CONFIG_X86_64=y\n' >"$dir/config-$version"
	BARE_KERNEL=$dir/bzImage
}

@test "matrix refuses bad values before anything is fetched, naming the value" {
	refuses "invalid -j '0'" matrix -j 0
	refuses "invalid -j 'two'" matrix --jobs two
	refuses "unknown backend 'pmem'" matrix --backends memmap,pmem
	refuses "unknown backend 'memmap nvdimm'" matrix --backends "memmap nvdimm"
	refuses "unknown fixture 'tmpfs xfs-dax'" matrix --fixtures "tmpfs xfs-dax"
	refuses "unknown fixture 'ext5-dax'" matrix --fixtures tmpfs,ext5-dax
	refuses "unknown format 'xml'" matrix --format xml
	refuses "invalid cell '6.1.0-56-amd64'" matrix --cell 6.1.0-56-amd64
	refuses "invalid cell 'x:tmpfs'" matrix --cell x:tmpfs
	refuses "unknown kernel 'banana'" matrix --kernels banana --list
	refuses "invalid size '3M'" matrix --size 3M
	refuses "unknown accel 'fast'" matrix --accel fast
	refuses "matrix: unknown option '--kernel'" matrix --kernel default
	refuses "option --kernels needs a value" matrix --kernels
	: >"$BATS_TEST_TMPDIR/file"
	refuses "--report '$BATS_TEST_TMPDIR/file' exists and is not a directory" matrix --report "$BATS_TEST_TMPDIR/file"
}

@test "--list prints KERNEL:BACKEND ids, kernels resolved, duplicates once, nothing downloaded" {
	run -0 --separate-stderr "$PMEMLAB" matrix --list --kernels "6.1.0-99-amd64,linux-image-6.1.0-99-amd64,6.12.117+deb12" \
		--backends nvdimm,memmap
	[[ $output == "6.1.0-99-amd64:nvdimm
6.1.0-99-amd64:memmap
6.12.117+deb12-amd64:nvdimm
6.12.117+deb12-amd64:memmap" ]]
	no_kernel_downloaded
}

@test "--kernels takes any mix: names, versions, a .deb, a package set joined by '+', ~/PATH" {
	mkdir -p "$BATS_TEST_TMPDIR/home/k" "$BATS_TEST_TMPDIR/p"
	fake_bzimage "$BATS_TEST_TMPDIR/home/k/bzImage" 9.9.9-mix
	local p=$BATS_TEST_TMPDIR/p deb
	# Debian's own file names hold '+': one file, not a set
	deb="linux-image-6.12.118+deb12-amd64_6.12.118-1~deb12u1_amd64.deb"
	: >"$p/$deb"
	: >"$p/linux-image-9.deb"
	: >"$p/linux-modules-9.deb"
	cd "$p"
	run -0 --separate-stderr env HOME="$BATS_TEST_TMPDIR/home" "$PMEMLAB" matrix --list --backends memmap \
		--kernels "6.1.0-99-amd64,./$deb,linux-image-9.deb+./linux-modules-9.deb,~/k/bzImage"
	[[ $output == "6.1.0-99-amd64:memmap
$p/$deb:memmap
$p/linux-image-9.deb+$p/linux-modules-9.deb:memmap
$BATS_TEST_TMPDIR/home/k/bzImage:memmap" ]]
	no_kernel_downloaded
}

@test "default resolves from the cache's record, without apt, when dpkg has no linux-image-amd64" {
	local installed
	installed=$(dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null) || true
	[[ $installed != *"ok installed"* ]] || skip "linux-image-amd64 is installed: dpkg's answer comes before the cache's"
	mkdir -p "$PMEMLAB_CACHE/kernels"
	echo linux-image-6.1.0-99-amd64 >"$PMEMLAB_CACHE/kernels/linux-image-amd64.target"
	apt_knows_nothing
	run -0 --separate-stderr "$PMEMLAB" matrix --list --format json --kernels default --backends memmap
	[[ $(jq -c . <<<"$output") == '["6.1.0-99-amd64:memmap"]' ]]
	no_kernel_downloaded
}

@test "with linux-image-amd64 installed, default is the kernel in /boot it points at" {
	local installed
	installed=$(dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null) || true
	[[ $installed == *"ok installed"* ]] || skip "linux-image-amd64 is not installed on this host (its twin covers the cache)"
	run -0 --separate-stderr "$PMEMLAB" matrix --list --format json --kernels default --backends memmap
	local id
	id=$(jq -r '.[0]' <<<"$output")
	[[ -r /boot/vmlinuz-${id%:memmap} ]]
	no_kernel_downloaded
}

@test "a bzImage's cell id is its absolute path, and --cell takes it back" {
	bare_kernel
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr "$PMEMLAB" matrix --list --kernels "k=1 dir/bzImage,$BARE_KERNEL" --backends memmap
	[[ $output == "$BARE_KERNEL:memmap" ]]
	run -0 --separate-stderr "$PMEMLAB" matrix --cell "$output" --format json -q
	[[ $(jq -r '.runs | map(.id) | join(" ")' <<<"$output") == "$BARE_KERNEL:memmap" ]]
}

@test "a user's fixture file is a matrix column, judged by its own expectation" {
	bare_kernel
	printf '%s\n' 'FIXTURE_EXPECT=dram' 'FIXTURE_MAP_SYNC=no' 'fixture_setup() { echo /tmp/x; }' >"$BATS_TEST_TMPDIR/mine.sh"
	local report=$BATS_TEST_TMPDIR/report
	run -0 --separate-stderr "$PMEMLAB" matrix --kernels "$BARE_KERNEL" --backends memmap,nvdimm \
		--fixtures "$BATS_TEST_TMPDIR/mine.sh,tmpfs" --report "$report" --format json
	local j=$output
	# the catalog's fixtures first, the file after them
	[[ $(jq -r '[.fixtures[].name] | join(",")' <<<"$j") == tmpfs,mine ]]
	[[ $(jq -r '.fixtures[] | select(.name == "mine") | "\(.expected) \(.user_file)"' <<<"$j") == "dram $BATS_TEST_TMPDIR/mine.sh" ]]
	# this kernel cannot run a guest at all: the file's cells say so too
	[[ $(jq -r '[.cells[] | select(.fixture == "mine") | .result] | unique | join(",")' <<<"$j") == unsupported ]]
	[[ $(jq -r '.runs[0].user_fixtures[0].name' <<<"$j") == mine ]]
}

@test "a kernel whose config supports nothing: every cell unsupported with the reason, no guest, exit 0" {
	bare_kernel
	local report=$BATS_TEST_TMPDIR/report
	run -0 --separate-stderr "$PMEMLAB" matrix --kernels "$BARE_KERNEL" --report "$report" --format json
	local j=$output backends cells na
	# the default is every backend: one per host half in vm/backends;
	# a fixture that cannot exist on a backend ("-" in the table) is n/a
	backends=$(find "$BATS_TEST_DIRNAME/../vm/backends" -name '*.sh' ! -name '*.guest.sh' | wc -l)
	cells=$((13 * backends))
	na=$(awk -F '\t' '!/^#/ && $3 == "-"' "$BATS_TEST_DIRNAME/../fixtures/expectations.tsv" | wc -l)
	[[ $(jq -r '.summary | "\(.cells) \(.passed) \(.failed) \(.unsupported) \(.not_applicable) \(.guests)"' <<<"$j") == "$cells 0 0 $((cells - na)) $na 0" ]]
	[[ $(jq -r '[.cells[].result] | unique | join(",")' <<<"$j") == "n/a,unsupported" ]]
	[[ $(jq -r '.cells[] | select(.fixture == "devdax" and .backend == "nvdimm") | .reason' <<<"$j") == "the kernel's config lacks ACPI_NFIT, "*DEV_DAX*VIRTIO_CONSOLE* ]]
	[[ $(jq -r '[.runs[].booted] | unique | join(",")' <<<"$j") == false ]]
	[[ $(jq -r .ok <<<"$j") == true ]]
	[[ $stderr == *"not booted"* ]]
	diff <(jq -S . "$report/matrix.json") <(jq -S . <<<"$j")
	xmllint --noout "$report/junit.xml"
	[[ $(xmllint --xpath 'count(//testcase)' "$report/junit.xml") == "$cells" ]]
	[[ $(xmllint --xpath 'count(//testcase/skipped)' "$report/junit.xml") == "$cells" ]]
	[[ $(jq -r '.cells[] | select(.fixture == "kmem" and .backend == "memmap") | .reason' <<<"$j") == "not on the memmap backend: memmap PMem is carved out"* ]]
	[[ $(xmllint --xpath 'string(/testsuites/@skipped)' "$report/junit.xml") == "$cells" ]]
	grep -Eq "^\| devdax \| pmem \|( ➖ unsupported \|){$backends}\$" "$report/summary.md"
	# every report names where the kernel came from, though none booted
	local origin="image: $BARE_KERNEL, modules from $BATS_TEST_TMPDIR/k=1 dir/lib/modules"
	[[ $(jq -r --arg k "$BARE_KERNEL" '.kernel_origins[$k]' <<<"$j") == "$origin" ]]
	[[ $(jq -r '[.runs[].kernel_origin] | unique | join(",")' <<<"$j") == "$origin" ]]
	[[ $(xmllint --xpath 'string((//testsuite)[1]/properties/property[@name="kernel_origin"]/@value)' "$report/junit.xml") == "$origin" ]]
	grep -Fqx "| \`$BARE_KERNEL\` | $origin |" "$report/summary.md"
	grep -Fq "<small class=\"origin\">$origin</small>" "$report/matrix.html"
	no_leftovers
}

@test "without a terminal progress is plain lines; on one, a live line with done/total and ETA" {
	bare_kernel
	run -0 --separate-stderr "$PMEMLAB" matrix --kernels "$BARE_KERNEL" --backends memmap,nvdimm
	[[ $stderr == *"bzImage:memmap: every fixture unsupported by the kernel, not booted [1/2]"*"ETA"* ]]
	[[ $stderr != *$'\r'* ]]
	[[ $output == *"26 cells: 0 passed, 0 failed, 25 unsupported, 1 n/a;"* ]]
	# script(1) gives the command a terminal
	run -0 script -qec "$PMEMLAB matrix --kernels $(printf %q "$BARE_KERNEL") --backends memmap" /dev/null
	[[ $output == *$'\r\e[K'*"[1/1]"*"ETA 0:00"* ]]
	run -0 --separate-stderr "$PMEMLAB" matrix -q --kernels "$BARE_KERNEL"
	[[ -z $stderr ]]
}

# record ID FIXTURE STATUS RESULT REASON: a crafted run record (the seam:
# what 'matrix' writes for one guest) with one fixture.
record() {
	local id=$1 fixture=$2 status=$3 result=$4 reason=$5
	jq -nc --arg id "$id" --arg f "$fixture" --arg status "$status" --arg result "$result" --arg reason "$reason" '
		($id | capture("^(?<k>.+):(?<b>[a-z]+)$")) as $c
		| {id: $id, kernel: $c.k, backend: $c.b, host: "h", fixtures: [$f], booted: true,
		   exit_status: 0, seconds: 10, error: null,
		   kconfig: {kernel: $c.k, run: {supported: true}, backend: {supported: true},
			fixtures: {($f): {expected: "pmem", supported: true, reasons: [], missing: []}}},
		   run: {boot_seconds: 9, guest_kernel: $c.k, accel: "tcg", pmem_iomem: [], error: null,
			fixtures: [{fixture: $f, expected: "pmem", status: $status, result: $result,
				reason: (if $reason == "" then null else $reason end),
				probe: (if $status == "ok" then {verdict: "pmem", page_strip: "PPPP", pmem_pages: 4, present: 4} else null end)}]}}
		| {report: "matrix", runs: [.]}'
}

@test "report merge joins cells; a skip the config says cannot happen is a failure" {
	record k1:memmap xfs-dax ok pass "" >"$BATS_TEST_TMPDIR/a.json"
	record k2:nvdimm xfs-dax skip skip "kernel has no xfs filesystem" >"$BATS_TEST_TMPDIR/b.json"
	mkdir "$BATS_TEST_TMPDIR/dir"
	record k1:nvdimm xfs-dax ok pass "" >"$BATS_TEST_TMPDIR/dir/matrix.json"
	run -1 --separate-stderr "$PMEMLAB" report merge --format json --report "$BATS_TEST_TMPDIR/out" \
		"$BATS_TEST_TMPDIR/b.json" "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/dir"
	local j=$output
	[[ $(jq -r '[.cells[].id] | join(" ")' <<<"$j") == "k1:memmap:xfs-dax k1:nvdimm:xfs-dax k2:nvdimm:xfs-dax" ]]
	[[ $(jq -r '[.cells[].result] | join(" ")' <<<"$j") == "pass pass fail" ]]
	[[ $(jq -r '.cells[2].reason' <<<"$j") == "the kernel's config supports it, but the guest skipped it: kernel has no xfs filesystem" ]]
	[[ $(jq -r '"\(.ok) \(.jobs) \(.wall_seconds)"' <<<"$j") == "false null null" ]]
	[[ $(xmllint --xpath 'count(//testcase/failure)' "$BATS_TEST_TMPDIR/out/junit.xml") == 1 ]]
	grep -q 'k2:nvdimm:xfs-dax.*guest skipped it' "$BATS_TEST_TMPDIR/out/summary.md"
}

@test "report merge refuses a cell twice, a file that is not a matrix report, and no input" {
	record k1:memmap xfs-dax ok pass "" >"$BATS_TEST_TMPDIR/a.json"
	refuses "cell 'k1:memmap' is in more than one input" report merge "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/a.json"
	echo '{"tool":"pmemprobe"}' >"$BATS_TEST_TMPDIR/probe.json"
	refuses "'$BATS_TEST_TMPDIR/probe.json' is not a pmemlab matrix report" report merge "$BATS_TEST_TMPDIR/probe.json"
	echo 'not json' >"$BATS_TEST_TMPDIR/junk"
	refuses "is not a pmemlab matrix report" report merge "$BATS_TEST_TMPDIR/junk"
	refuses "is not a readable matrix.json" report merge "$BATS_TEST_TMPDIR/missing"
	refuses "give one or more matrix.json files" report merge
	refuses "unknown subcommand 'join'" report join
}

@test "the HTML report is one self-contained file: no script, no external resource" {
	record k1:memmap xfs-dax ok pass "" >"$BATS_TEST_TMPDIR/a.json"
	run -0 --separate-stderr "$PMEMLAB" report merge --report "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/a.json"
	local html=$BATS_TEST_TMPDIR/out/matrix.html
	xmllint --html --noout "$html"
	run -1 grep -Eiq '<script|<link|src=|url\(|https?://' "$html"
	grep -q '<svg class="strip"' "$html"
	grep -q 'fill="#0969da"' "$html"
}

# qemu_wrapper: a QEMU of its own path (the system one behind it).
qemu_wrapper() {
	mkdir -p "$BATS_TEST_TMPDIR/q/bin"
	QEMU_WRAPPER=$BATS_TEST_TMPDIR/q/bin/qemu-system-x86_64
	printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v qemu-system-x86_64)" >"$QEMU_WRAPPER"
	chmod +x "$QEMU_WRAPPER"
}

@test "--qemus gives the cells a QEMU axis, KERNEL:BACKEND@QEMU; --list needs no fetched QEMU; bad QEMUs exit 2" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
	qemu_wrapper
	run -0 --separate-stderr "$PMEMLAB" matrix --list --kernels 6.1.0-99-amd64 --backends cxl,nvdimm \
		--qemus "system,backports,$QEMU_WRAPPER,system"
	[[ $output == "6.1.0-99-amd64:cxl@system
6.1.0-99-amd64:cxl@backports
6.1.0-99-amd64:cxl@$QEMU_WRAPPER
6.1.0-99-amd64:nvdimm@system
6.1.0-99-amd64:nvdimm@backports
6.1.0-99-amd64:nvdimm@$QEMU_WRAPPER" ]]
	no_kernel_downloaded
	refuses "--qemu '/bin/true': /usr/bin/true is no QEMU" matrix --qemus system,/bin/true
	refuses "--qemus ',' names no QEMU" matrix --qemus ,
	refuses "--qemu backports: not in the cache" matrix --qemus backports
	refuses "unknown --qemu 'qemu9'" matrix --cell 6.1.0-99-amd64:memmap@qemu9
	refuses "invalid cell '6.1.0-99-amd64:pmem@system'" matrix --cell 6.1.0-99-amd64:pmem@system
	no_kernel_downloaded
}

@test "every matrix report names each cell's QEMU, binary and version, and report merge keeps them" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
	bare_kernel
	qemu_wrapper
	local report=$BATS_TEST_TMPDIR/report sys version
	sys=$(command -v qemu-system-x86_64)
	version=$("$sys" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
	run -0 --separate-stderr "$PMEMLAB" matrix --kernels "$BARE_KERNEL" --backends memmap \
		--qemus "system,$QEMU_WRAPPER" --fixtures tmpfs --report "$report" --format json
	local j=$output
	[[ $(jq -r '[.runs[] | "\(.id)=\(.qemu.name),\(.qemu.binary),\(.qemu.version)"] | join(" ")' <<<"$j") == \
		"$BARE_KERNEL:memmap@$QEMU_WRAPPER=$QEMU_WRAPPER,$QEMU_WRAPPER,$version $BARE_KERNEL:memmap@system=system,$sys,$version" ]]
	[[ $(jq -r '[.cells[] | "\(.id) \(.qemu.binary)"] | join(",")' <<<"$j") == \
		"$BARE_KERNEL:memmap@$QEMU_WRAPPER:tmpfs $QEMU_WRAPPER,$BARE_KERNEL:memmap@system:tmpfs $sys" ]]
	[[ $(jq -r '.qemus[].binary' <<<"$j" | sort) == "$(printf '%s\n' "$sys" "$QEMU_WRAPPER" | sort)" ]]
	[[ $(xmllint --xpath 'string(//testsuite[@name="'"$BARE_KERNEL:memmap@system"'"]/properties/property[@name="qemu_binary"]/@value)' "$report/junit.xml") == "$sys" ]]
	[[ $(xmllint --xpath 'string(//testsuite[@name="'"$BARE_KERNEL:memmap@system"'"]/properties/property[@name="qemu_version"]/@value)' "$report/junit.xml") == "$version" ]]
	grep -qF "| \`$BARE_KERNEL:memmap@$QEMU_WRAPPER\` | not booted | QEMU $version (\`$QEMU_WRAPPER\`) |" "$report/summary.md"
	grep -qF "<td>$version <code>$QEMU_WRAPPER</code></td>" "$report/matrix.html"
	# the terminal table: each guest line names its QEMU
	run -0 --separate-stderr "$PMEMLAB" report merge "$report"
	[[ $output == *"$BARE_KERNEL:memmap@system "*"QEMU $version ($sys)"* ]]
	# each cell's report apart (as 'matrix --cell ID --report' writes
	# them), merged: the QEMUs are kept
	jq '.runs |= [.[0]]' "$report/matrix.json" >"$BATS_TEST_TMPDIR/a.json"
	jq '.runs |= [.[1]]' "$report/matrix.json" >"$BATS_TEST_TMPDIR/b.json"
	run -0 --separate-stderr "$PMEMLAB" report merge --format json "$BATS_TEST_TMPDIR/b.json" "$BATS_TEST_TMPDIR/a.json"
	[[ $(jq -r '[.cells[] | "\(.qemu.name)=\(.qemu.binary)"] | join(" ")' <<<"$output") == "$QEMU_WRAPPER=$QEMU_WRAPPER system=$sys" ]]
}
