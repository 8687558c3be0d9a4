#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemlab doctor: host checks, what blocks a run and what to do about it.
# It only looks: no install, no download, no guest unless --probe-kvm.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	unset PMEMLAB_ACCEL PMEMLAB_SIZE PMEMLAB_BACKEND PMEMLAB_KERNEL
}

# doctor_json [ENV=VALUE...] STATUS: run doctor --format json, expect STATUS.
doctor_json() {
	local status=$1
	shift
	run "-$status" --separate-stderr env "$@" "$PMEMLAB" doctor --format json
	echo "stderr: $stderr" >&2
	jq -e 'type == "object"' <<<"$output" >/dev/null
}

check_field() {
	jq -r --arg n "$1" ".checks[] | select(.name == \$n) | $2" <<<"$output"
}

@test "doctor passes on this machine, and its JSON names the accelerator and why" {
	require_guest_tools
	run -0 "$PMEMLAB" doctor
	echo "$output" >&2
	[[ $output == *"nothing blocks a run"* ]]
	doctor_json 0
	[[ $(jq -r .ok <<<"$output") == true && $(jq -r .blocking <<<"$output") == 0 ]]
	[[ $(jq -r .accel.accel <<<"$output") == @(tcg|kvm) ]]
	[[ -n $(jq -r '.accel.reason // empty' <<<"$output") ]]
	[[ $(jq -r .qemu.version <<<"$output") =~ ^[0-9]+\.[0-9]+ ]]
	[[ $(jq -r .kernel.where <<<"$output") == @(host|cache|download) ]]
	# every check has a known status; every problem says what to do
	jq -e '.checks | all(.status | IN("ok", "info", "warn", "fail"))' <<<"$output" >/dev/null
	jq -e '[.checks[] | select(.status == "warn" or .status == "fail") | .fix] | all(. != null)' <<<"$output" >/dev/null
}

@test "without /dev/kvm, the accelerator is tcg and the reason says so" {
	[[ ! -e /dev/kvm ]] || skip "this host has /dev/kvm"
	doctor_json 0
	[[ $(jq -r '"\(.accel.accel) \(.accel.kvm_device) \(.accel.probed)"' <<<"$output") == "tcg missing false" ]]
	[[ $(jq -r .accel.reason <<<"$output") == "no /dev/kvm"* ]]
	[[ $(check_field accel .status) == info ]]
}

@test "PMEMLAB_ACCEL=tcg is reported as the reason" {
	doctor_json 0 PMEMLAB_ACCEL=tcg
	[[ $(jq -r '"\(.accel.accel): \(.accel.reason)"' <<<"$output") == "tcg: PMEMLAB_ACCEL=tcg" ]]
}

@test "PMEMLAB_ACCEL=kvm without a usable /dev/kvm blocks a run" {
	[[ ! -r /dev/kvm || ! -w /dev/kvm ]] || skip "/dev/kvm is usable here"
	doctor_json 1 PMEMLAB_ACCEL=kvm
	[[ $(check_field accel .status) == fail ]]
	[[ $(check_field accel .message) == "kvm: PMEMLAB_ACCEL=kvm but "* ]]
	[[ $(check_field accel .fix) == *"unset PMEMLAB_ACCEL"* ]]
}

# A PATH like the real one without qemu: the seam that shows a missing tool.
path_without_qemu() {
	local farm=$BATS_TEST_TMPDIR/bin
	mkdir -p "$farm"
	cp -s /usr/bin/* "$farm/" 2>/dev/null || true # directories are skipped
	rm -f "$farm"/qemu-system-*
	printf '%s\n' "$farm:/usr/sbin:/sbin"
}

@test "qemu missing from PATH blocks a run, and doctor says where it is" {
	[[ -x /usr/bin/qemu-system-x86_64 ]] || skip "qemu-system-x86_64 is not installed in /usr/bin"
	local path
	path=$(path_without_qemu)
	doctor_json 1 PATH="$path"
	[[ $(jq -r '"\(.ok) \(.blocking)"' <<<"$output") == "false 1" ]]
	[[ $(check_field qemu .status) == fail ]]
	[[ $(check_field qemu .message) == "qemu-system-x86_64 is not on PATH (it is installed as /usr/bin/qemu-system-x86_64)" ]]
	[[ $(check_field qemu .fix) == *"PATH"* ]]
	[[ $(jq -r .qemu.path <<<"$output") == null ]]
	run -1 env PATH="$path" "$PMEMLAB" doctor
	[[ $output == *"FAIL  qemu "*"not on PATH"* ]]
	[[ $output == *"-> put /usr/bin on PATH"* ]]
	[[ $output == *"1 problem blocks a run"* ]]
}

@test "modprobe off PATH (Debian's PATH for users) blocks nothing: runs call it by path" {
	[[ ! -e /usr/bin/modprobe && -x /usr/sbin/modprobe ]] || skip "modprobe is not (only) in /usr/sbin here"
	doctor_json 0 PATH=/usr/local/bin:/usr/bin:/bin
	[[ $(check_field tools .status) == ok ]]
	[[ $(jq -c .tools.off_path <<<"$output") == '[]' ]]
}

# A stand-in qemu-system-x86_64 first on PATH that logs how it was called.
fake_qemu() {
	local dir=$BATS_TEST_TMPDIR/fakeqemu
	mkdir -p "$dir"
	cat >"$dir/qemu-system-x86_64" <<EOF
#!/bin/sh
echo "\$*" >>"$dir/calls"
echo "QEMU emulator version 9.9.9 (pmemlab test)"
EOF
	chmod +x "$dir/qemu-system-x86_64"
	printf '%s\n' "$dir"
}

@test "doctor finds qemu on PATH, reads its version and boots nothing" {
	local dir
	dir=$(fake_qemu)
	# the stand-in answers no QMP: what it offers is unknown, and a run
	# would stop there, so doctor fails
	doctor_json 1 PATH="$dir:$PATH"
	[[ $(jq -r '"\(.qemu.path) \(.qemu.version)"' <<<"$output") == "$dir/qemu-system-x86_64 9.9.9" ]]
	[[ $(check_field qemu-caps .status) == fail ]]
	[[ $(check_field qemu-caps .message) == "QEMU 9.9.9 ($dir/qemu-system-x86_64) does not say what it offers over QMP"* ]]
	# --version, then the capabilities over QMP with no machine: no guest
	[[ $(sed -n 1p "$dir/calls") == "--version" ]]
	[[ $(sed -n 2p "$dir/calls") == "-machine none "*"-qmp stdio" ]]
	run -1 grep -e -kernel "$dir/calls"
	# --probe-kvm boots a guest only when /dev/kvm is usable
	if [[ ! -e /dev/kvm ]]; then
		run -1 --separate-stderr env PATH="$dir:$PATH" "$PMEMLAB" doctor --probe-kvm --format json
		[[ $(jq -r .accel.probed <<<"$output") == false ]]
		run -1 grep -e -kernel "$dir/calls"
	fi
}

@test "doctor names the chosen QEMU (--qemu, PMEMLAB_QEMU), its version and what it offers per backend" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	local sys version
	sys=$(command -v qemu-system-x86_64)
	version=$("$sys" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')
	run --separate-stderr "$PMEMLAB" doctor --format json
	[[ $(jq -r '"\(.qemu.name) \(.qemu.path) \(.qemu.version)"' <<<"$output") == "system $sys $version" ]]
	[[ $(jq -r '.qemu.backends.memmap, (.qemu.capabilities | index("device:virtio-serial-pci") != null)' <<<"$output") == $'true\ntrue' ]]
	[[ $(check_field qemu-caps .message) == "QEMU $version ($sys) runs "*"CXL event interrupts"* ]]
	# doctor looks: no capability cache written
	[[ ! -e $PMEMLAB_CACHE ]]
	# a QEMU too old for any guest blocks a run, and doctor says why
	too_old_qemu
	run -1 --separate-stderr env PMEMLAB_QEMU="$TOO_OLD_QEMU" "$PMEMLAB" doctor --format json
	[[ $(jq -r '"\(.qemu.name) \(.qemu.version)"' <<<"$output") == "$TOO_OLD_QEMU 2.5.0" ]]
	[[ $(check_field qemu-caps .status) == fail ]]
	[[ $(check_field qemu-caps .message) == *"has no virtio-serial device (virtio-serial-pci): every guest needs it" ]]
	# backports not fetched: a failed check naming the fetch
	run -1 --separate-stderr "$PMEMLAB" doctor --qemu backports --format json
	[[ $(check_field qemu .message) == "--qemu backports: not in the cache"* ]]
	[[ $(check_field qemu .fix) == "pmemlab qemu fetch backports" ]]
}

@test "an empty cache is reported, not created" {
	local cache=$BATS_TEST_TMPDIR/no/such/cache
	doctor_json 0 PMEMLAB_CACHE="$cache"
	[[ $(check_field cache .status) == info ]]
	[[ $(check_field cache .message) == "$cache does not exist yet"* ]]
	[[ $(jq -r '"\(.cache.exists) \(.disk.cache.path)"' <<<"$output") == "false $cache" ]]
	[[ ! -e $BATS_TEST_TMPDIR/no ]]
}

@test "the cache's kernels and images are listed; leftovers and stale images come with a fix" {
	local cache=$BATS_TEST_TMPDIR/cache
	mkdir -p "$cache"/kernels/9.9.9-done "$cache"/kernels/.fetch.abc123 "$cache"/initramfs
	: >"$cache/kernels/9.9.9-done/.complete"
	head -c 4096 /dev/zero >"$cache/initramfs/9.9.9-done-0123456789abcdef.cpio"
	head -c 8192 /dev/zero >"$cache/initramfs/9.9.9-gone-0123456789abcdef.cpio"
	doctor_json 0 PMEMLAB_CACHE="$cache"
	[[ $(jq -c '[.cache.kernels[] | [.version, .complete]]' <<<"$output") == '[["9.9.9-done",true]]' ]]
	[[ $(jq -c '[.cache.initramfs[] | [.kernel, .bytes, .kernel_present]]' <<<"$output") == '[["9.9.9-done",4096,true],["9.9.9-gone",8192,false]]' ]]
	[[ $(check_field cache-leftovers .status) == warn ]]
	[[ $(check_field cache-leftovers .fix) == "rm -rf $cache/kernels/.fetch.abc123" ]]
	[[ $(check_field cache-stale .fix) == "rm -f $cache/initramfs/9.9.9-gone-0123456789abcdef.cpio" ]]
}

@test "a PMem size this host cannot hold, or cannot parse, blocks a run" {
	doctor_json 1 PMEMLAB_SIZE=64T
	[[ $(check_field memory .status) == fail ]]
	[[ $(check_field memory .message) == "a memmap guest with 64T of PMem needs "* ]]
	doctor_json 1 PMEMLAB_SIZE=1.5G
	[[ $(check_field memory .message) == "PMEMLAB_SIZE='1.5G' is refused: invalid size '1.5G'"* ]]
}

@test "an unknown kernel in PMEMLAB_KERNEL blocks a run" {
	doctor_json 1 PMEMLAB_KERNEL=latest
	[[ $(check_field kernel .status) == fail ]]
	[[ $(check_field kernel .message) == "PMEMLAB_KERNEL='latest' is not a kernel pmemlab knows" ]]
}

@test "doctor refuses bad usage with exit 2" {
	run -2 --separate-stderr "$PMEMLAB" doctor --format yaml
	[[ $stderr == *"unknown format 'yaml'"* ]]
	run -2 --separate-stderr "$PMEMLAB" doctor --frobnicate
	[[ $stderr == *"doctor: unknown option '--frobnicate'"* ]]
	run -0 "$PMEMLAB" doctor --help
	[[ $output == *"--probe-kvm"* ]]
}
