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
