#!/usr/bin/env bats
# One guest with a 1 GiB CXL type-3 device under TCG (Debian's default
# kernel): the region made in the guest, every fixture, the evidence that
# names the CXL window; the one-root-port trap caught; two devices, each
# its own window and region, and one size too many refused; a --backing file
# (and its label area beside it) that keeps namespace, filesystem and data
# across runs; and Debian 6.12, whose CXL driver needs event interrupts
# that QEMU 7.2's device lacks, reported unsupported without a boot.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	boot_run_once cxl --size 1G --keep-work
}

setup() {
	load vm_helpers
	require_guest_tools
}

teardown_file() {
	local work
	work=$(sed -n 's/^pmemlab: work directory kept: //p' "$RUN_STDERR")
	[[ -z $work ]] || rm -rf "$work"
}

@test "cxl: pmemlab run exits 0 with every fixture passing" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .ok) == true ]]
	[[ $(run_report -r .failed) -eq 0 ]]
	[[ $(run_report -r .passed) -eq 13 ]]
	# kmem: the CXL window's own NUMA node (an SRAT from -numa node 0)
	[[ $(fixture_field kmem .result) == pass ]]
}

@test "cxl: the region is a Persistent Memory range inside the CXL window, and the probe names both" {
	run_report -e '.pmem_iomem == ["110000000-14fffffff : Persistent Memory"]'
	run_report -e '.fixtures[0].probe.pmem_ranges[0] | .window == "CXL Window 0" and .provider == "CXL" and (.region | startswith("region")) and .synchronous == true'
}

@test "cxl: fsdax and device-DAX are pmem with MAP_SYNC; the controls are dram" {
	local f
	for f in ext4-dax xfs-dax xfs-dax-inode-flag devdax; do
		assert_placement "$f" pmem
	done
	for f in xfs-dax-inode-noflag ext4-dax-never xfs-dax-never btt-ext4 virtio-ext4 virtio-xfs tmpfs; do
		assert_placement "$f" dram
	done
}

@test "cxl: QEMU 7.2's ACPI quirk is on the console and does not fail the run" {
	local work
	work=$(sed -n 's/^pmemlab: work directory kept: //p' "$RUN_STDERR")
	grep -q 'ACPI BIOS Error (bug): Failure creating named object \[\\_SB.CL34._UID\]' "$work/console.log"
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
}

@test "cxl: with one root port (writes dropped without an error) the PMem fixtures fail, never pass" {
	PMEMLAB_TEST_CXL_ONE_PORT=1 run -1 --separate-stderr "$PMEMLAB" run --backend cxl --accel tcg --format json \
		--fixture ext4-dax --fixture devdax
	[[ $(jq -r '.fixtures[] | .result' <<<"$output" | sort -u) == fail ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "devdax") | .reason' <<<"$output") == *"info block was not on the device"* ]]
}

@test "cxl: two sizes make two devices, each a region in a window of its own; the fixture uses the first; five sizes are refused" {
	run -0 --separate-stderr "$PMEMLAB" run --backend cxl --size 1G,512M --accel tcg --format json --fixture ext4-dax
	[[ $(jq -r '.fixtures[0].result' <<<"$output") == pass ]]
	# each device's size, in a 4 GiB window of its own
	jq -e '.pmem_iomem == ["110000000-14fffffff : Persistent Memory", "210000000-22fffffff : Persistent Memory"]' <<<"$output"
	jq -e '[.fixtures[0].probe.pmem_ranges[] | [.window, .provider]] == [["CXL Window 0", "CXL"], ["CXL Window 1", "CXL"]]' <<<"$output"
	jq -e '.fixtures[0].probe.pmem_ranges | (.[0].pages > 0) and (.[1].pages == 0) and (.[0].region != .[1].region)' <<<"$output"
	run -2 --separate-stderr "$PMEMLAB" run --backend cxl --size 512M,512M,512M,512M,512M --accel tcg
	[[ $stderr == *"too many cxl regions (5): at most 4"* ]]
}

# cxl_backing_run FILE CMD...: pmemlab exec on the cxl backend, its
# device kept in FILE (and FILE.lsa).
cxl_backing_run() {
	local file=$1
	shift
	"$PMEMLAB" exec -q --accel tcg --backend cxl --backing "$file" -- "$@"
}

@test "cxl: a second run on the same --backing file finds the namespace, the filesystem and the data; both files are private" {
	local file=$BATS_TEST_TMPDIR/cxl.img token=kept-$RANDOM-$RANDOM first
	# the marker, then the filesystem's UUID: mkfs would change it
	local show='cat "$PMEM_DIR/marker" && blkid -o value -s UUID "$(findmnt -n -o SOURCE "$PMEM_DIR")"'
	run -0 --separate-stderr cxl_backing_run "$file" sh -c 'echo "$1" >"$PMEM_DIR/marker" && '"$show" sh "$token"
	[[ ${lines[0]} == "$token" && -n ${lines[1]} ]]
	first=${lines[1]}
	[[ $(stat -c %a "$file") == 600 && $(stat -c %a "$file.lsa") == 600 ]]
	[[ $(stat -c %s "$file.lsa") -eq $((128 << 10)) ]]
	run -0 --separate-stderr cxl_backing_run "$file" sh -c "$show"
	[[ ${lines[0]} == "$token" ]]
	[[ ${lines[1]} == "$first" ]]
}

@test "cxl: --backing refuses a FILE without its label area, a label area without its FILE, and a label area of the wrong size" {
	local file=$BATS_TEST_TMPDIR/cxl.img
	truncate -s 1G "$file"
	run -2 --separate-stderr "$PMEMLAB" exec --backend cxl --backing "$file" -- true
	[[ $stderr == *"--backing '$file' exists, but its label area '$file.lsa' does not"* ]]
	[[ ! -e $file.lsa ]]
	mv "$file" "$BATS_TEST_TMPDIR/other.img"
	truncate -s 128K "$file.lsa"
	run -2 --separate-stderr "$PMEMLAB" exec --backend cxl --backing "$file" -- true
	[[ $stderr == *"--backing '$file' does not exist, but its label area '$file.lsa' does"* ]]
	[[ ! -e $file ]]
	mv "$BATS_TEST_TMPDIR/other.img" "$file"
	truncate -s 64K "$file.lsa"
	run -2 --separate-stderr "$PMEMLAB" exec --backend cxl --backing "$file" -- true
	[[ $stderr == *"label area '$file.lsa' holds 64K, not the 128K of a CXL label area"* ]]
}

@test "cxl on Debian 6.12 with QEMU 7.2: unsupported before any boot, naming the CXL event interrupts it lacks" {
	local kernels
	kernels=$("$PMEMLAB" kernel list 2>/dev/null)
	[[ $kernels =~ (^|$'\n')6\.12\.[^$'\n']*cloud ]] ||
		skip "no Debian 6.12 cloud kernel in the cache (pmemlab kernel fetch 6.12-cloud)"
	[[ $(qemu-system-x86_64 --version) == "QEMU emulator version 7."* ]] ||
		skip "the QEMU on PATH is not 7.x ($(qemu-system-x86_64 --version))"
	run -0 --separate-stderr "$PMEMLAB" run --backend cxl --kernel 6.12-cloud --accel tcg --format json \
		--qemu system --fixture xfs-dax --fixture devdax --fixture tmpfs
	[[ $(jq -r '[.fixtures[].result] | unique | join(",")' <<<"$output") == unsupported ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "xfs-dax") | .reason' <<<"$output") == "QEMU 7."*" has no CXL event interrupts; Linux >= 6.3 needs them (cxl_pci: \"Failed to get interrupt for event Info log\"): use --qemu backports"* ]]
	[[ $(jq -r '.unsupported, .boot_seconds, .qemu.version' <<<"$output") == 3$'\n'0$'\n'7.* ]]
}

@test "cxl on Debian 6.12 with Debian's backported QEMU: pmem with MAP_SYNC, the hypervisor bit hidden" {
	local kernels
	kernels=$("$PMEMLAB" kernel list 2>/dev/null)
	[[ $kernels =~ (^|$'\n')6\.12\.[^$'\n']*cloud ]] ||
		skip "no Debian 6.12 cloud kernel in the cache (pmemlab kernel fetch 6.12-cloud)"
	[[ $("$PMEMLAB" qemu list --format json | jq -r '.[].name') == *backports* ]] ||
		skip "no backported QEMU in the cache (pmemlab qemu fetch backports)"
	run -0 --separate-stderr "$PMEMLAB" run --backend cxl --kernel 6.12-cloud --accel tcg --format json \
		--qemu backports --fixture xfs-dax --fixture devdax --fixture tmpfs
	echo "$stderr" >&2
	[[ $(jq -r '.qemu.version' <<<"$output") == 10.* ]]
	[[ $(jq -r '.passed, .failed' <<<"$output") == 3$'\n'0 ]]
	local f
	for f in xfs-dax devdax; do
		[[ $(jq -r --arg f "$f" '.fixtures[] | select(.fixture == $f) | "\(.probe.verdict) \(.probe.pmem_pages == .probe.pages) \(.probe.evidence.map_sync)"' <<<"$output") == "pmem true true" ]]
	done
	[[ $stderr == *"CPU model without the hypervisor bit"* ]]
}
