#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# The initramfs is built once and reused while nothing it holds changes.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
}

@test "a second preparation reuses the cached initramfs" {
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg
	[[ $(jq -r .initramfs_reused <<<"$output") == true ]]
	[[ -s $(jq -r .initramfs <<<"$output") ]]
}

@test "a changed guest input gives a new initramfs" {
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	seed_kernels "$PMEMLAB_CACHE"
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg
	local first
	first=$(jq -r .initramfs <<<"$output")
	# a different probe binary is a different input
	cp "$BATS_TEST_DIRNAME/../build/pmemprobe" "$BATS_TEST_TMPDIR/pmemprobe"
	PMEMPROBE_BIN=$BATS_TEST_TMPDIR/pmemprobe run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg
	[[ $(jq -r .initramfs_reused <<<"$output") == false ]]
	[[ $(jq -r .initramfs <<<"$output") != "$first" ]]
}

@test "a pmemprobe older than its sources is rebuilt before a run" {
	# a checkout in miniature: the real scripts, a probe source and a
	# Makefile that builds it (a real pmemprobe build and image cost minutes)
	local root=$BATS_TEST_TMPDIR/checkout repo
	repo=$(readlink -f "$BATS_TEST_DIRNAME/..")
	mkdir -p "$root/probe"
	ln -s "$repo/scripts" "$repo/vm" "$repo/fixtures" "$root/"
	printf 'int main(void) { return 0; }\n' >"$root/probe/main.c"
	printf 'build/pmemprobe: probe/main.c\n\tmkdir -p build && cc -o $@ probe/main.c\n' >"$root/Makefile"
	make -s -C "$root"
	# shellcheck disable=SC2016 # expanded by the inner bash
	local prepare='. "$1/scripts/lib/session.sh" && probe_binary'
	PMEMLAB_ROOT=$root run -0 --separate-stderr bash -c "$prepare" sh "$root"
	[[ $stderr != *"building pmemprobe"* ]]
	touch -d 2000-01-01 "$root/build/pmemprobe"
	PMEMLAB_ROOT=$root run -0 --separate-stderr bash -c "$prepare" sh "$root"
	[[ $stderr == *"building pmemprobe"* && $output == "$root/build/pmemprobe" ]]
	[[ ! $root/probe/main.c -nt $root/build/pmemprobe ]]
}

@test "--accel auto says which accelerator it chose and why" {
	run -0 --separate-stderr "$PMEMLAB" run --dry-run
	[[ $stderr == *"accel "@(kvm|tcg)" ("* ]]
	local accel
	accel=$(jq -r .accel <<<"$output")
	if [[ ! -e /dev/kvm ]]; then
		[[ $accel == tcg && $stderr == *"no /dev/kvm"* ]]
	fi
}

@test "internal flags in the environment change nothing: no silent dry run, no backing file" {
	# names a user might try, old and new: only options set these
	run -0 --separate-stderr env PMEMLAB_DRY_RUN=1 OPT_DRY_RUN=1 PMEMLAB_BACKING=/nonexistent OPT_BACKING=/nonexistent \
		PMEMLAB_QUIET=1 OPT_QUIET=1 "$PMEMLAB" run --accel tcg --fixture tmpfs --format json
	[[ $(jq -r '"\(.ok) \(.fixtures | length)"' <<<"$output") == "true 1" ]]
	[[ $stderr == *"booting the guest"* ]]
}

@test "--accel kvm builds the KVM command line: -accel kvm, -cpu max, none of TCG's CPU flags" {
	# a readable and writable file stands for a usable /dev/kvm; --dry-run
	# boots nothing, so no KVM is needed to check the line
	: >"$BATS_TEST_TMPDIR/kvm"
	run -0 --separate-stderr env PMEMLAB_TEST_KVM_DEVICE="$BATS_TEST_TMPDIR/kvm" "$PMEMLAB" run -q --dry-run --accel kvm --fixture tmpfs
	[[ $(jq -r .accel <<<"$output") == kvm ]]
	[[ $(jq -r '.qemu | join(" ")' <<<"$output") == *" -accel kvm -cpu max "* ]]
	[[ $(jq -r '.qemu | join(" ")' <<<"$output") != *"la57"* ]]
	# and TCG gets its flags
	run -0 --separate-stderr "$PMEMLAB" run -q --dry-run --accel tcg --fixture tmpfs
	[[ $(jq -r '.qemu | join(" ")' <<<"$output") == *" -accel tcg -cpu max,-la57,-erms "* ]]
}
