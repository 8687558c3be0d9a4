#!/usr/bin/env bats
# Host side never needs root: an ordinary user (nobody, with Debian's user
# PATH that lacks /usr/sbin) prepares and boots a guest and gets placements.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	require_guest_tools
	[[ $(id -u) -eq 0 ]] || skip "needs root to switch to the user nobody"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# bats' own directories are private to root: nobody gets one in /tmp
	USER_HOME=$(mktemp -d /tmp/pmemlab-nobody.XXXXXX)
	chmod 0777 "$USER_HOME"
	# nobody's own cache, with the suite's kernels in it (read-only hard
	# links): no download, so the test runs offline after set-up
	local cache=$USER_HOME/.cache/pmemlab
	seed_kernels "$cache"
	chown nobody: "$USER_HOME/.cache" "$cache" "$cache/kernels"
}

teardown() {
	[[ -z ${USER_HOME:-} ]] || rm -rf -- "$USER_HOME"
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i HOME="$USER_HOME" PATH=/usr/local/bin:/usr/bin:/bin TMPDIR="$USER_HOME" "$@"
}

@test "nobody runs pmemlab: the guest's fsdax and devdax fixtures are pmem, tmpfs is dram" {
	[[ -x $PMEMLAB ]] && as_nobody test -x "$PMEMLAB" || skip "nobody cannot reach $PMEMLAB (a private checkout)"
	run --separate-stderr as_nobody "$PMEMLAB" run --accel tcg --format json \
		--fixture ext4-dax --fixture devdax --fixture tmpfs
	echo "$stderr" >&2
	[[ $status -eq 0 ]]
	[[ $(jq -r '.fixtures | map(.fixture + "=" + .probe.verdict) | join(" ")' <<<"$output") == "ext4-dax=pmem devdax=pmem tmpfs=dram" ]]
	[[ $(jq -r .ok <<<"$output") == true ]]
	# the initramfs went into nobody's own cache
	compgen -G "$USER_HOME/.cache/pmemlab/initramfs/*.cpio" >/dev/null
}

# A /dev/kvm nobody cannot open, as on GitHub's hosted runners
# (crw-rw---- root:kvm): a root-owned 0600 file stands for it.
locked_kvm() {
	KVM_STANDIN=$USER_HOME/kvm
	: >"$KVM_STANDIN"
	chmod 0600 "$KVM_STANDIN"
}

@test "a /dev/kvm nobody cannot open: doctor, run and --accel kvm say so and print the udev fix" {
	[[ -x $PMEMLAB ]] && as_nobody test -x "$PMEMLAB" || skip "nobody cannot reach $PMEMLAB (a private checkout)"
	locked_kvm
	run -0 --separate-stderr as_nobody env PMEMLAB_TEST_KVM_DEVICE="$KVM_STANDIN" "$PMEMLAB" doctor --format json
	[[ $(jq -r '.accel | "\(.accel) \(.kvm_device)"' <<<"$output") == "tcg no-access" ]]
	[[ $(jq -r '.checks[] | select(.name == "accel") | .status' <<<"$output") == warn ]]
	[[ $(jq -r '.checks[] | select(.name == "accel") | .fix' <<<"$output") == *'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"'*"/etc/udev/rules.d/99-kvm4all.rules"*"udevadm control --reload-rules && sudo udevadm trigger --name-match=kvm"*"--device /dev/kvm"* ]]
	# --accel kvm is refused before anything is built
	run -2 --separate-stderr as_nobody env PMEMLAB_TEST_KVM_DEVICE="$KVM_STANDIN" "$PMEMLAB" run --accel kvm --fixture tmpfs
	[[ $stderr == *"/dev/kvm exists but nobody cannot open it"*"99-kvm4all.rules"* ]]
	[[ -z $(find "$USER_HOME/.cache/pmemlab" -name '*.cpio') ]]
	# auto falls back to TCG and says how to get KVM
	run -0 --separate-stderr as_nobody env PMEMLAB_TEST_KVM_DEVICE="$KVM_STANDIN" "$PMEMLAB" run --dry-run --fixture tmpfs
	[[ $(jq -r .accel <<<"$output") == tcg ]]
	[[ $stderr == *"KVM would be much faster: make /dev/kvm usable"*"99-kvm4all.rules"* ]]
}
