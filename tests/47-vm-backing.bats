#!/usr/bin/env bats
# --backing FILE keeps an NVDIMM across runs: the first run creates and
# formats it, later runs reuse namespace and filesystem as they are, so data
# a libpmemobj transaction committed is there next time, even when the
# guest was cut off by a kernel panic right after the commit.
# bats file_tags=vm
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	build_counter
}

setup() {
	load vm_helpers
	require_guest_tools
	require_counter
	cd "$BATS_TEST_TMPDIR" || return
	cp "$BATS_FILE_TMPDIR/pmemobj-counter" .
}

counter_run() {
	"$PMEMLAB" exec -q --accel tcg --backend nvdimm --backing "$BATS_TEST_TMPDIR/nvdimm.img" -- "$@"
}

@test "a second run on the same --backing file finds the committed data; the file is private" {
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 1 is_pmem 1" ]]
	[[ $(stat -c %a nvdimm.img) == 600 ]]
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 2 is_pmem 1" ]]
}

@test "data committed before a guest kernel panic survives on the --backing file" {
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	run -125 --separate-stderr counter_run sh -c './pmemobj-counter /mnt/pmem; echo c >/proc/sysrq-trigger'
	[[ $stderr == *"guest panicked"* ]]
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 3 is_pmem 1" ]]
}

@test "data committed before QEMU is killed (no shutdown at all) survives on the --backing file" {
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	counter_run sh -c './pmemobj-counter /mnt/pmem; sleep 600' >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local pid=$! i
	for ((i = 0; i < 600; i++)); do
		grep -q '^counter 2' "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	grep -q '^counter 2' "$BATS_TEST_TMPDIR/out"
	pkill -KILL -f "qemu-system-x86_64.*$BATS_TEST_TMPDIR/nvdimm.img"
	wait "$pid" || true
	run -0 --separate-stderr counter_run ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 3 is_pmem 1" ]]
}

@test "a device-DAX pool on a --backing file keeps its data across runs" {
	local devdax_run=("$PMEMLAB" exec -q --accel tcg --backend nvdimm --fixture devdax
		--backing "$BATS_TEST_TMPDIR/devdax.img" -- sh -c './pmemobj-counter "$DEVICE_DAX_PATH"')
	run -0 --separate-stderr "${devdax_run[@]}"
	[[ $output == "counter 1 is_pmem 1" ]]
	run -0 --separate-stderr "${devdax_run[@]}"
	[[ $output == "counter 2 is_pmem 1" ]]
}

@test "without --backing nothing is reused: every run starts from an empty NVDIMM" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --backend nvdimm -- ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 1 is_pmem 1" ]]
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --backend nvdimm -- ./pmemobj-counter /mnt/pmem
	[[ $output == "counter 1 is_pmem 1" ]]
}

@test "--backing is refused with memmap, with several NVDIMMs, and with a size it was not made with" {
	run -2 --separate-stderr "$PMEMLAB" exec --backing "$BATS_TEST_TMPDIR/x.img" -- true
	[[ $stderr == *"--backing needs --backend nvdimm"* ]]
	run -2 --separate-stderr "$PMEMLAB" exec --backend nvdimm --size 512M,512M --backing "$BATS_TEST_TMPDIR/x.img" -- true
	[[ $stderr == *"--backing keeps one NVDIMM"* ]]
	truncate -s 100M "$BATS_TEST_TMPDIR/x.img"
	run -2 --separate-stderr "$PMEMLAB" exec --backend nvdimm --backing "$BATS_TEST_TMPDIR/x.img" -- true
	[[ $stderr == *"holds 100M, but --size plans 1026M"* ]]
}
