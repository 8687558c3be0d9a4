#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Kernel package files by path (vm/kernels/package.sh): Ubuntu's split
# .debs, Fedora's rpms, Arch's .pkg.tar.zst and Debian 13's usr-merged
# .deb, each built here in its distribution's shape from the cached
# Debian kernel (tests/kernel_package_helpers.bash), and what is refused.
# Host side: `kernel fetch` and `run --dry-run` unpack and build the
# initramfs; a run whose every fixture lacks its module boots nothing.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

# The packages are built once (a few hundred processes: slow on a
# loaded machine) into the file's directory; each test unpacks them into
# a cache of its own.
setup_file() {
	load vm_helpers
	load kernel_package_helpers
	pkg_source_kernel || return 0
	local BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR
	pkg_ubuntu "$BATS_FILE_TMPDIR/u"
	pkg_fedora "$BATS_FILE_TMPDIR/f" || rm -rf "$BATS_FILE_TMPDIR/f"
	pkg_arch "$BATS_FILE_TMPDIR/linux-6.1-1-x86_64.pkg.tar.zst"
	pkg_debian_usrmerged "$BATS_FILE_TMPDIR/d/linux-image-$KVER.deb"
}

setup() {
	load vm_helpers
	load kernel_package_helpers
	require_guest_tools
	pkg_source_kernel || skip "no Debian kernel in the shared cache (pmemlab kernel fetch default)"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	use_private_tmpdir
	U=$BATS_FILE_TMPDIR/u F=$BATS_FILE_TMPDIR/f
	# as pkg_fedora names them: kernel-core-6.1.0-57.fc41.x86_64.rpm
	local rel=${KVER#*-}
	FEDORA_SUFFIX=${KVER%%-*}-${rel%%-*}.fc41.x86_64.rpm
}

# fedora_built: the rpms setup_file built with rpmbuild.
fedora_built() {
	[[ -s $F/kernel-core-$FEDORA_SUFFIX ]] || skip "rpmbuild could not build the test's rpms (apt-get install rpm)"
}

# cache_holds_no_kernel: only the cache's lock files may remain: no
# unpacked tree, no staging directory.
cache_holds_no_kernel() {
	[[ -z $(find "$PMEMLAB_CACHE" -mindepth 1 ! -name '.lock-*' ! -path "$PMEMLAB_CACHE/kernels") ]]
}

@test "Ubuntu's image, modules and modules-extra .debs make one kernel, joined by '+' or ','" {
	local u=$U
	local set=$u/linux-image-$KVER.deb+$u/linux-modules-$KVER.deb+$u/linux-modules-extra-$KVER.deb
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$set"
	[[ $(cut -f2 <<<"$output") == "$KVER" ]]
	local image
	image=$(cut -f3 <<<"$output")
	[[ -r $image ]]
	# modules.dep rebuilt over the .ko.zst of both module packages
	grep -q 'nd_pmem.ko.zst' "${image%/boot/*}/lib/modules/$KVER/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "${set//+/,}"
	[[ $(jq -r .kernel <<<"$output") == "package:$KVER" ]]
	[[ $(jq -r .kernel_origin <<<"$output") == "Ubuntu packages: $u/linux-image-$KVER.deb, $u/linux-modules-$KVER.deb, $u/linux-modules-extra-$KVER.deb" ]]
}

@test "Ubuntu's image without its modules package exits 2 naming linux-modules-V, nothing cached" {
	run -2 --separate-stderr "$PMEMLAB" kernel fetch "$U/linux-image-$KVER.deb"
	[[ $stderr == *"kernel $KVER without modules"*"Ubuntu ships them in linux-modules-$KVER"* ]]
	cache_holds_no_kernel
}

@test "Fedora's kernel-core, kernel-modules-core and kernel-modules rpms make one kernel" {
	fedora_built
	local f=$F
	local set=$f/kernel-core-$FEDORA_SUFFIX+$f/kernel-modules-core-$FEDORA_SUFFIX+$f/kernel-modules-$FEDORA_SUFFIX
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$set"
	[[ $(cut -f2 <<<"$output") == "$KVER" ]]
	local root
	root=$(cut -f3 <<<"$output")
	root=${root%/boot/*}
	# the image came from lib/modules/V/vmlinuz, the config beside it
	cmp "$root/boot/vmlinuz-$KVER" "$KROOT/boot/vmlinuz-$KVER"
	grep -q 'nd_pmem.ko.xz' "$root/lib/modules/$KVER/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" kconfig -q --format json --kernel "$set"
	[[ $(jq -r '.fixtures["xfs-dax"].backends.memmap.supported' <<<"$output") == true ]]
	[[ $(jq -r .kernel_origin <<<"$output") == "Fedora packages: $f/kernel-core-$FEDORA_SUFFIX, $f/kernel-modules-core-$FEDORA_SUFFIX, $f/kernel-modules-$FEDORA_SUFFIX" ]]
}

@test "Fedora without kernel-modules: the PMem fixtures are unsupported naming kernel-modules, and no guest boots" {
	fedora_built
	local f=$F
	local set=$f/kernel-core-$FEDORA_SUFFIX,$f/kernel-modules-core-$FEDORA_SUFFIX
	run -0 --separate-stderr "$PMEMLAB" kconfig -q --format json --kernel "$set"
	[[ $(jq -r '.fixtures["xfs-dax"].backends.memmap.supported' <<<"$output") == false ]]
	[[ $(jq -r '.fixtures["xfs-dax"].backends.memmap.hints | join("; ")' <<<"$output") == *"Fedora ships nd_pmem in kernel-modules"* ]]
	run -0 --separate-stderr "$PMEMLAB" run --format json --accel tcg --kernel "$set" --fixture xfs-dax --fixture devdax
	[[ $(jq -r '[.fixtures[].status] | join(",")' <<<"$output") == unsupported,unsupported ]]
	# memmap's own modules are missing too: the reason names those
	[[ $(jq -r '.fixtures[0].reason' <<<"$output") == "no nd_e820.ko, libnvdimm.ko in the kernel's modules: Fedora ships nd_e820 in kernel-modules; Fedora ships libnvdimm in kernel-modules" ]]
	[[ $(jq -r .boot_seconds <<<"$output") == 0 ]]
}

@test "exec and shell on Fedora without kernel-modules refuse the fixture naming the modules and kernel-modules, and boot nothing" {
	fedora_built
	local f=$F
	local set=$f/kernel-core-$FEDORA_SUFFIX,$f/kernel-modules-core-$FEDORA_SUFFIX
	local why="fixture xfs-dax: unsupported: no nd_e820.ko, libnvdimm.ko in the kernel's modules: Fedora ships nd_e820 in kernel-modules; Fedora ships libnvdimm in kernel-modules"
	cd "$BATS_TEST_TMPDIR"
	run -125 --separate-stderr "$PMEMLAB" exec --accel tcg --kernel "$set" --junit "$BATS_TEST_TMPDIR/exec.xml" -- true
	echo "$stderr" >&2
	[[ $stderr == *"error: $why"* ]]
	# no guest: exec's timing line comes after a boot only
	[[ $stderr != *"timing:"* ]]
	grep -qF '<skipped message="no nd_e820.ko, libnvdimm.ko in the kernel&apos;s modules: Fedora ships nd_e820' "$BATS_TEST_TMPDIR/exec.xml"
	no_leftovers
	# shell wants a terminal: script(1) gives it one
	run -3 script -qec "$(printf '%q ' "$PMEMLAB" shell --accel tcg --kernel "$set")" /dev/null
	[[ $output == *"error: $why"* ]]
	no_leftovers
}

@test "an rpm set without modules exits 2 naming Fedora's module packages, nothing cached" {
	fedora_built
	run -2 --separate-stderr "$PMEMLAB" kernel fetch "$F/kernel-core-$FEDORA_SUFFIX"
	[[ $stderr == *"kernel $KVER without modules"*"Fedora ships them in kernel-modules-core and kernel-modules"* ]]
	cache_holds_no_kernel
}

@test "Arch's linux .pkg.tar.zst boots from usr/lib/modules/VERSION/vmlinuz" {
	local arch=$BATS_FILE_TMPDIR/linux-6.1-1-x86_64.pkg.tar.zst
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$arch"
	[[ $(jq -r .kernel <<<"$output") == "package:$KVER" ]]
	[[ $(jq -r .kernel_origin <<<"$output") == "Arch packages: $arch" ]]
	[[ -s $(jq -r .initramfs <<<"$output") ]]
}

@test "Debian 13's usr-merged .deb by path lays its modules out" {
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$BATS_FILE_TMPDIR/d/linux-image-$KVER.deb"
	local root
	root=$(cut -f3 <<<"$output")
	root=${root%/boot/*}
	grep -q 'nd_pmem.ko.xz' "$root/lib/modules/$KVER/modules.dep"
	[[ ! -e $root/usr/lib/modules/$KVER ]]
}

@test "a .deb that holds no kernel exits 2 naming both places looked, and no kernel stays in the cache" {
	local tree=$BATS_TEST_TMPDIR/nk
	mkdir -p "$tree/DEBIAN" "$tree/usr/share/doc/notakernel"
	printf 'Package: notakernel\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@invalid>\nDescription: t\n' >"$tree/DEBIAN/control"
	echo readme >"$tree/usr/share/doc/notakernel/README"
	dpkg-deb -b "$tree" "$BATS_TEST_TMPDIR/notakernel.deb" >/dev/null
	run -2 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/notakernel.deb"
	[[ $stderr == *"'$BATS_TEST_TMPDIR/notakernel.deb' holds no kernel: no boot/vmlinuz-VERSION and no lib/modules/VERSION/vmlinuz (under / or /usr)"* ]]
	cache_holds_no_kernel
}

@test "a package file that does not exist, and an unknown name, exit 2 before anything is unpacked" {
	run -2 --separate-stderr "$PMEMLAB" run --dry-run --kernel "$BATS_TEST_TMPDIR/missing.deb"
	[[ $stderr == *"kernel package '$BATS_TEST_TMPDIR/missing.deb' does not exist or is not readable"* ]]
	run -2 --separate-stderr "$PMEMLAB" kernel fetch nosuchkernel
	[[ $stderr == *"unknown kernel 'nosuchkernel'"*backports*".pkg.tar.zst"* ]]
	cache_holds_no_kernel
}
