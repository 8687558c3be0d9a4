#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # the stand-in QEMU's script is literal
# pmemlab qemu fetch: Debian's newer QEMU unpacked into the cache through
# the private apt access, without root or the host's dpkg. A local
# repository in Debian's shape (bookworm-backports: the binary, its common
# files, its data, SeaBIOS) stands in for the archive; its "QEMU" is a
# script that answers --version as QEMU does.

bats_require_minimum_version 1.5.0

setup() {
	load apt_repo_helpers
	load vm_helpers
	command -v dpkg-scanpackages >/dev/null || skip "dpkg-scanpackages (dpkg-dev) is missing"
	REPO=$BATS_TEST_TMPDIR/repo
	local v=1:10.0.2+ds-2~bpo12+1
	apt_repo_add "$REPO" bookworm-backports qemu-system-x86 "$v" 'qemu-system-common, qemu-system-data, seabios' \
		usr/bin/qemu-system-x86_64='#!/bin/sh
[ "$1" = --version ] && echo "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2~bpo12+1)"'
	apt_repo_add "$REPO" bookworm-backports qemu-system-common "$v" '' usr/share/doc/qemu-system-common/README=common
	apt_repo_add "$REPO" bookworm-backports qemu-system-data "$v" '' usr/share/qemu/linuxboot_dma.bin=rom
	apt_repo_add "$REPO" bookworm-backports seabios 1.16.3-2~bpo12+1 '' usr/share/seabios/bios.bin=bios
	apt_repo_index "$REPO" bookworm-backports
	apt_host_sources "$BATS_TEST_TMPDIR/host" oneline "file:$REPO"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

@test "qemu fetch unpacks the suite's QEMU, data and SeaBIOS into the cache, and list names it" {
	[[ $(id -u) -eq 0 ]] || skip "needs root to switch to the user nobody"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# as an ordinary user, with a cache of their own (bats' directories
	# are private to root: nobody gets one in /tmp)
	local home
	home=$(mktemp -d /tmp/pmemlab-nobody.XXXXXX)
	cp -r "$REPO" "$home/repo"
	apt_host_sources "$home/host" oneline "file:$home/repo"
	chmod -R a+rX "$home"
	chown nobody "$home"
	run -0 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env HOME="$home" PMEMLAB_CACHE="$home/cache" APT_CONFIG="$APT_CONFIG" "$PMEMLAB" qemu fetch backports
	echo "$stderr" >&2
	[[ $stderr == *"QEMU 10.0.2 from Debian bookworm-backports"*"--qemu backports"* ]]
	local root=$home/cache/qemu/backports
	[[ -x $root/usr/bin/qemu-system-x86_64 && -f $root/usr/share/qemu/linuxboot_dma.bin && -f $root/usr/share/seabios/bios.bin ]]
	[[ $(stat -c %U "$root") == nobody ]]
	# nothing half-made left beside it
	[[ $(find "$home/cache/qemu" -maxdepth 1 -name '.stage*' | wc -l) == 0 ]]
	run -0 env PMEMLAB_CACHE="$home/cache" "$PMEMLAB" qemu list --format json
	rm -rf "$home"
	[[ $(jq -r '.[0] | "\(.name) \(.version) \(.suite)"' <<<"$output") == "backports 10.0.2 bookworm-backports" ]]
}

@test "a suite without QEMU fails with the reason and leaves nothing in the cache" {
	rm "$REPO"/pool/bookworm-backports/qemu-system-x86_*
	apt_repo_index "$REPO" bookworm-backports
	run -3 --separate-stderr "$PMEMLAB" qemu fetch backports
	[[ $stderr == *"cannot download QEMU's packages from Debian bookworm-backports"* ]]
	[[ ! -e $PMEMLAB_CACHE/qemu/backports ]]
	[[ $(find "$PMEMLAB_CACHE/qemu" -maxdepth 1 -name '.stage*' | wc -l) == 0 ]]
}

@test "a QEMU name qemu fetch does not know is refused with exit 2" {
	run -2 --separate-stderr "$PMEMLAB" qemu fetch sid
	[[ $stderr == *"unknown QEMU 'sid': choose backports"* ]]
	[[ ! -e $PMEMLAB_CACHE/qemu ]]
}
