#!/usr/bin/env bats
# Which QEMU runs the guest (--qemu, PMEMLAB_QEMU) and what it can do,
# all on the host with crafted kernels and no guest: a path that is no
# QEMU refused, a QEMU in a tree of its own run with its own data
# directories, and a backend this QEMU (or accelerator) cannot give a
# kernel reported unsupported before anything boots, naming what is
# missing.
# bats file_tags=cli
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	use_private_tmpdir
	# one cache for the file: each crafted kernel's image is built once
	export PMEMLAB_CACHE=$BATS_FILE_TMPDIR/cache
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
}

# kernel VERSION: a crafted bzImage with an empty modules tree beside it,
# the same files for every test of the file.
kernel() {
	local dir=$BATS_FILE_TMPDIR/kernel-$1
	if [[ ! -e $dir/bzImage ]]; then
		mkdir -p "$dir/lib/modules/$1"
		: >"$dir/lib/modules/$1/modules.dep"
		fake_bzimage "$dir/bzImage" "$1"
	fi
	printf '%s\n' "$dir/bzImage"
}

# system_qemu_has_cxl_events: does the QEMU on PATH answer QMP's
# cxl-inject-general-media-event (QEMU >= 8.1)?
system_qemu_has_cxl_events() {
	local out
	out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-commands"}' '{"execute":"quit"}' |
		qemu-system-x86_64 -machine none -nodefaults -display none -qmp stdio 2>/dev/null)
	[[ $out == *cxl-inject-general-media-event* ]]
}

@test "--qemu with a path that is no QEMU exits 2, naming it, and leaves nothing" {
	refuses "--qemu '/bin/true': /usr/bin/true is no QEMU" run --qemu /bin/true --backend cxl
	refuses "--qemu '$BATS_TEST_TMPDIR/none' is not an executable file" run --qemu "$BATS_TEST_TMPDIR/none"
	refuses "unknown --qemu 'qemu9': choose system, backports or the path" exec --qemu qemu9 -- true
	PMEMLAB_QEMU=/bin/true refuses "/usr/bin/true is no QEMU" run
}

@test "--qemu backports before 'pmemlab qemu fetch backports' exits 2, naming the fetch" {
	refuses "--qemu backports: not in the cache" run --qemu backports
	refuses "run 'pmemlab qemu fetch backports' first" run --qemu backports
}

@test "a QEMU in a tree of its own runs with that tree's data directories, and the run names it" {
	local prefix=$BATS_TEST_TMPDIR/prefix real
	real=$(command -v qemu-system-x86_64)
	mkdir -p "$prefix/bin" "$prefix/share/qemu" "$prefix/share/seabios"
	printf '#!/bin/sh\nexec %s "$@"\n' "$real" >"$prefix/bin/qemu-system-x86_64"
	chmod +x "$prefix/bin/qemu-system-x86_64"
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --qemu "$prefix/bin/qemu-system-x86_64" \
		--kernel "$(kernel 6.1.0-pmemlab-test)"
	[[ $(jq -r '.qemu[0]' <<<"$output") == "$prefix/bin/qemu-system-x86_64" ]]
	[[ $(jq -r '.qemu_binary' <<<"$output") == "$prefix/bin/qemu-system-x86_64" ]]
	[[ $(jq -r '.qemu_version' <<<"$output") == "$("$real" --version | sed -n '1s/^QEMU emulator version \([^ ]*\).*/\1/p')" ]]
	[[ $(jq -r '[.qemu | indices("-L")[] as $i | .[$i + 1]] | join(" ")' <<<"$output") == "$prefix/share/qemu $prefix/share/seabios" ]]
	[[ $stderr == *"QEMU $(jq -r .qemu_version <<<"$output") ($prefix/bin/qemu-system-x86_64)"* ]]
	# the system QEMU reads its own: no -L
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$(kernel 6.1.0-pmemlab-test)"
	[[ $(jq -r '.qemu_binary' <<<"$output") == "$real" ]]
	[[ $(jq -r '.qemu | index("-L")' <<<"$output") == null ]]
}

@test "cxl with a Linux >= 6.3 kernel on a QEMU without CXL event interrupts is unsupported before any boot, naming them" {
	! system_qemu_has_cxl_events || skip "the QEMU on PATH has CXL event interrupts (QEMU >= 8.1)"
	run -0 --separate-stderr "$PMEMLAB" run --format json --accel tcg --backend cxl \
		--kernel "$(kernel 6.12.0-pmemlab-test)" --fixture xfs-dax --fixture tmpfs --fixture kmem
	[[ $(jq -r '[.fixtures[] | .result] | unique | join(",")' <<<"$output") == unsupported ]]
	[[ $(jq -r '.fixtures[0].reason' <<<"$output") == "QEMU "*" has no CXL event interrupts; Linux >= 6.3 needs them"*"use --qemu backports"*"or QEMU >= 8.1" ]]
	[[ $(jq -r '.boot_seconds, .qemu.binary' <<<"$output") == "0"$'\n'"$(command -v qemu-system-x86_64)" ]]
	[[ $stderr != *"booting the guest"* ]]
	no_leftovers
	# exec cannot report a table: it fails as pmemlab (125), with the reason
	run -125 --separate-stderr "$PMEMLAB" exec --accel tcg --backend cxl --kernel "$(kernel 6.12.0-pmemlab-test)" -- true
	[[ $stderr == *"the cxl backend cannot run on this kernel and QEMU: QEMU "*" has no CXL event interrupts"* ]]
	no_leftovers
}

@test "cxl hides the hypervisor bit from Linux >= 6.2 under TCG, says why, and leaves it on 6.1 and other backends" {
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --backend cxl --kernel "$(kernel 6.2.0-pmemlab-test)"
	[[ $(jq -r '.qemu | index("-cpu") as $i | .[$i + 1]' <<<"$output") == max,-la57,-erms,-hypervisor ]]
	[[ $stderr == *"CPU model without the hypervisor bit: Linux >= 6.2 commits a CXL region only on such a CPU"* ]]
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --backend cxl --kernel "$(kernel 6.1.0-pmemlab-test)"
	[[ $(jq -r '.qemu | index("-cpu") as $i | .[$i + 1]' <<<"$output") == max,-la57,-erms ]]
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --backend nvdimm --kernel "$(kernel 6.2.0-pmemlab-test)"
	[[ $(jq -r '.qemu | index("-cpu") as $i | .[$i + 1]' <<<"$output") == max,-la57,-erms ]]
}

@test "cxl under KVM on Linux >= 6.2 is unsupported, saying it needs the hypervisor bit hidden and --accel tcg" {
	export PMEMLAB_TEST_KVM_DEVICE=$BATS_TEST_TMPDIR/kvm
	: >"$PMEMLAB_TEST_KVM_DEVICE"
	run -0 --separate-stderr "$PMEMLAB" run --format json --accel kvm --backend cxl \
		--kernel "$(kernel 6.2.0-pmemlab-test)" --fixture xfs-dax
	[[ $(jq -r '.fixtures[0].result' <<<"$output") == unsupported ]]
	[[ $(jq -r '.fixtures[0].reason' <<<"$output") == *"only on a CPU without the hypervisor bit"*"under TCG only"*"use --accel tcg" ]]
	# 6.1 needs neither: the KVM command line keeps the host's CPU model
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel kvm --backend cxl --kernel "$(kernel 6.1.0-pmemlab-test)"
	[[ $(jq -r '.qemu | index("-cpu") as $i | .[$i + 1]' <<<"$output") == max ]]
}

@test "a QEMU no guest can run on (no virtio-serial) exits 3 before any boot, naming what it lacks; the matrix too" {
	too_old_qemu
	run -3 --separate-stderr "$PMEMLAB" run --format json --accel tcg --qemu "$TOO_OLD_QEMU" \
		--kernel "$(kernel 6.1.0-pmemlab-test)" --fixture tmpfs
	[[ $stderr == *"QEMU 2.5.0 ($TOO_OLD_QEMU) has no virtio-serial device (virtio-serial-pci): every guest needs it, so no backend can run on this QEMU"*"pmemlab qemu fetch backports"* ]]
	[[ $stderr != *"booting the guest"* ]]
	no_leftovers
	run -3 --separate-stderr "$PMEMLAB" matrix --kernels "$(kernel 6.1.0-pmemlab-test)" --backends memmap \
		--qemus "system,$TOO_OLD_QEMU"
	[[ $stderr == *"QEMU 2.5.0 ($TOO_OLD_QEMU) has no virtio-serial device"* ]]
	[[ $stderr != *"reading 1 kernel config"* ]]
	no_leftovers
}
