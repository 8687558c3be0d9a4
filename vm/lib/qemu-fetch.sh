# shellcheck shell=bash
# `pmemlab qemu fetch NAME`: a QEMU from Debian's archive, unpacked into
# the cache without touching the host (no dpkg database, no root):
# NAME's packages downloaded through the private apt access of
# scripts/lib/debian-archive.sh, `dpkg-deb -x` into a staging tree, its
# binary checked (it runs, it finds its libraries), then moved to
# $CACHE/qemu/NAME, where `--qemu NAME` finds it (vm/lib/qemu-bin.sh).
# Offline after set-up, as for kernels.

[[ -z ${_pmemlab_loaded_qemu_fetch:-} ]] || return 0
_pmemlab_loaded_qemu_fetch=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/debian-archive.sh
. "$PMEMLAB_ROOT/scripts/lib/debian-archive.sh"
# shellcheck source=vm/lib/qemu-bin.sh
. "$PMEMLAB_ROOT/vm/lib/qemu-bin.sh"

# The QEMUs `qemu fetch` knows: NAME -> "SUITE PACKAGE...". The binary,
# its common files and data (firmware, keymaps, option ROMs) and
# SeaBIOS of the same suite: QEMU 10.0 from bookworm-backports runs on
# Debian 12's libraries (docs/KERNEL-NOTES.md, "Debian's newer QEMU").
declare -gA QEMU_FETCHABLE=(
	[backports]="bookworm-backports qemu-system-x86 qemu-system-common qemu-system-data seabios"
)

# qemu_fetch NAME: NAME in the cache (again, when it is there already).
qemu_fetch() {
	local name=$1 suite pkgs root stage deb missing
	[[ -n ${QEMU_FETCHABLE[$name]:-} ]] ||
		usage_die "qemu fetch: unknown QEMU '$name': choose ${!QEMU_FETCHABLE[*]}"
	read -r suite pkgs <<<"${QEMU_FETCHABLE[$name]}"
	root=$(qemu_cached_root "$name")
	mkdir -p "${root%/*}" || die "cannot create ${root%/*}"
	# local: the lock is this function's alone
	local CACHE_LOCK_FD
	cache_lock "qemu-$name"
	stage=$(mktemp -d "${root%/*}/.stage-$name.XXXXXX") || die "cannot create a staging directory in ${root%/*}"
	QEMU_FETCH_STAGE=$stage
	trap 'rm -rf "$QEMU_FETCH_STAGE"' EXIT
	step "fetching $pkgs from Debian $suite"
	# shellcheck disable=SC2086 # a list of package names
	(debian_archive_download "$suite" "$stage/debs" $pkgs) ||
		die "cannot download QEMU's packages from Debian $suite (see above)"
	for deb in "$stage"/debs/*.deb; do
		dpkg-deb -x "$deb" "$stage/root" || die "cannot unpack $deb"
	done
	[[ -x $stage/root/usr/bin/qemu-system-x86_64 ]] ||
		die "Debian $suite's packages hold no usr/bin/qemu-system-x86_64"
	# libraries Debian 12 lacks would make every boot fail: say so now
	# (ldd fails on a static binary or a script: no library is missing then)
	missing=$({ ldd "$stage/root/usr/bin/qemu-system-x86_64" 2>/dev/null || :; } |
		sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
	[[ -z $missing ]] || die "QEMU from Debian $suite needs libraries this host lacks: ${missing% }"
	qemu_version "$stage/root/usr/bin/qemu-system-x86_64" ||
		die "the qemu-system-x86_64 of Debian $suite does not run here ('--version' says no QEMU version)"
	printf 'suite=%s\nversion=%s\npackages=%s\n' "$suite" "$QEMU_VERSION" "$pkgs" >"$stage/root/.pmemlab-qemu"
	rm -rf "$root"
	mv "$stage/root" "$root" || die "cannot move the QEMU tree to $root"
	rm -rf "$stage"
	trap - EXIT
	cache_unlock
	step "QEMU $QEMU_VERSION from Debian $suite in $root (use: --qemu $name)"
}

# qemu_list: "NAME<TAB>VERSION<TAB>SUITE<TAB>PATH" of each QEMU in the cache.
qemu_list() {
	local name root version suite
	for name in "${!QEMU_FETCHABLE[@]}"; do
		root=$(qemu_cached_root "$name")
		[[ -r $root/.pmemlab-qemu ]] || continue
		version=$(sed -n 's/^version=//p' "$root/.pmemlab-qemu")
		suite=$(sed -n 's/^suite=//p' "$root/.pmemlab-qemu")
		printf '%s\t%s\t%s\t%s\n' "$name" "$version" "$suite" "$root/usr/bin/qemu-system-x86_64"
	done
}
