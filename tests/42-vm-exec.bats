#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # the single-quoted $... are meant for the guest shell, literally
# pmemlab exec: the user's command runs in the guest on a DAX fixture, sees
# the host's current directory read-only, and its exit status, stdout and
# stderr come back.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	cd "$BATS_TEST_TMPDIR" || return
}

@test "exec passes the command's exit status through, and --junit reports it as a failure, escaped" {
	# an argument with markup and a control character XML cannot carry
	run -7 "$PMEMLAB" exec -q --accel tcg --fixture tmpfs --junit report.xml -- sh -c 'exit 7' $'a<b\x01'
	grep -qF '<testsuite name="pmemlab exec" tests="2" failures="1" errors="0" skipped="0"' report.xml
	grep -qE '^  <testcase classname="pmemlab.fixture" name="tmpfs placement" time="[0-9.]+"></testcase>$' report.xml
	grep -qE '^  <testcase classname="pmemlab.exec" name="sh -c exit 7 a&lt;b" time="[0-9.]+">$' report.xml
	[[ $(<report.xml) != *$'\x01'* ]]
	grep -qxF '    <failure message="exited 7"/>' report.xml
	grep -qxF '    <property name="exit_status" value="7"/>' report.xml
	grep -qE '^    <property name="kernel_origin" value="[^"]+: linux-image-[^"]+"/>$' report.xml
}

@test "exec keeps stdout and stderr apart and takes arguments literally" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- \
		sh -c 'echo "out: $1"; echo "err: $2" >&2' sh '$(touch /pwned); x' "it's"
	[[ $output == 'out: $(touch /pwned); x' ]]
	[[ $stderr == "err: it's" ]]
}

@test "exec shows the host's current directory read-only at the same path" {
	echo "from the host" >note.txt
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- \
		sh -c 'pwd; cat note.txt; if touch new.txt 2>/dev/null; then echo writable; else echo read-only; fi'
	[[ ${lines[0]} == "$BATS_TEST_TMPDIR" ]]
	[[ ${lines[1]} == "from the host" ]]
	[[ ${lines[2]} == read-only ]]
	[[ ! -e new.txt ]]
}

@test "exec: a file the command writes on \$PMEM_DIR (xfs on fsdax) probes as pmem" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg -- \
		sh -c 'pmemprobe --create --size 4M --format json --expect pmem "$PMEM_DIR/app.pool"'
	[[ $(jq -r .verdict <<<"$output") == pmem ]]
	[[ $(jq -r .path <<<"$output") == /mnt/pmem/app.pool ]]
	[[ $(jq -r .evidence.fstype <<<"$output") == xfs ]]
}

@test "the guest has no network: only the loopback interface" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture tmpfs -- ls /sys/class/net
	[[ $output == lo ]]
}

@test "exec on the devdax fixture exports DEVICE_DAX_PATH" {
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --fixture devdax -- \
		sh -c 'pmemprobe --size 2M --expect pmem --format json "$DEVICE_DAX_PATH"'
	[[ $(jq -r .path <<<"$output") == /dev/dax* ]]
	[[ $(jq -r .verdict <<<"$output") == pmem ]]
}

@test "exec on tmpfs attaches no plain disk and says on stderr where its time went" {
	run -0 --separate-stderr "$PMEMLAB" exec --accel tcg --no-snapshot --fixture tmpfs -- ls /sys/block
	[[ $output != *vd* ]]
	local re='timing: host prep [0-9.]+ s, boot to /init [0-9.]+ s, modules [0-9.]+ s, fixture [0-9.]+ s, command [0-9.]+ s, other -?[0-9.]+ s, power-off -?[0-9.]+ s \(total [0-9.]+ s\)'
	[[ $stderr =~ $re ]]
}

# guest_modules WORK: the modules the guest of a kept work directory loads.
guest_modules() {
	# shellcheck source=/dev/null # written by pmemlab, every value quoted
	(. "$1/run.conf" && printf '%s\n' "$PMEMLAB_GUEST_MODULES")
}

@test "a plain virtio disk, and its driver, only for a fixture that uses it" {
	local work
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --dry-run --keep-work -- true
	[[ $(jq '[.qemu[] | select(startswith("virtio-blk-pci"))] | length' <<<"$output") == 0 ]]
	work=$(sed -n 's/.*work directory kept: //p' <<<"$stderr")
	[[ " $(guest_modules "$work") " == *" xfs "* && " $(guest_modules "$work") " != *" virtio_blk "* ]]
	rm -rf "$work"
	run -0 --separate-stderr "$PMEMLAB" exec -q --accel tcg --dry-run --keep-work --fixture virtio-xfs -- true
	[[ $(jq -c '[.qemu[] | select(startswith("virtio-blk-pci"))]' <<<"$output") == '["virtio-blk-pci,drive=plain-xfs,serial=pmemlab-plain-xfs"]' ]]
	work=$(sed -n 's/.*work directory kept: //p' <<<"$stderr")
	[[ " $(guest_modules "$work") " == *" virtio_blk "* ]]
	rm -rf "$work"
	run -0 --separate-stderr "$PMEMLAB" run -q --accel tcg --dry-run
	[[ $(jq '[.qemu[] | select(startswith("virtio-blk-pci"))] | length' <<<"$output") == 2 ]]
}
