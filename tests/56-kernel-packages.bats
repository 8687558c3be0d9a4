#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Kernel package files by path (vm/kernels/package.sh): Ubuntu's split
# .debs, Arch's .pkg.tar.zst and Debian 13's usr-merged .deb, each built
# here in its distribution's shape from the cached Debian kernel; and
# what is refused. Host side: `run --dry-run` resolves the modules the
# guest would load and builds its initramfs, no guest boots.

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	load kernel_package_helpers
	require_guest_tools
	pkg_source_kernel || skip "no Debian kernel in the shared cache (pmemlab kernel fetch default)"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	use_private_tmpdir
}

@test "Ubuntu's image, modules and modules-extra .debs make one kernel" {
	pkg_ubuntu "$BATS_TEST_TMPDIR/u"
	local set=$BATS_TEST_TMPDIR/u/linux-image-$KVER.deb,$BATS_TEST_TMPDIR/u/linux-modules-$KVER.deb,$BATS_TEST_TMPDIR/u/linux-modules-extra-$KVER.deb
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$set"
	[[ $(cut -f2 <<<"$output") == "$KVER" ]]
	local image
	image=$(cut -f3 <<<"$output")
	[[ -r $image ]]
	# modules.dep rebuilt over the .ko.zst of both module packages
	grep -q 'nd_pmem.ko.zst' "${image%/boot/*}/lib/modules/$KVER/modules.dep"
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$set"
	[[ $(jq -r .kernel <<<"$output") == "package:$KVER" ]]
}

@test "Arch's linux .pkg.tar.zst boots from usr/lib/modules/VERSION/vmlinuz" {
	pkg_arch "$BATS_TEST_TMPDIR/linux-6.1-1-x86_64.pkg.tar.zst"
	run -0 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/linux-6.1-1-x86_64.pkg.tar.zst"
	[[ $(jq -r .kernel <<<"$output") == "package:$KVER" ]]
	[[ -s $(jq -r .initramfs <<<"$output") ]]
}

@test "a .deb that holds no kernel exits 2 naming both places looked, and no kernel stays in the cache" {
	local tree=$BATS_TEST_TMPDIR/nk
	mkdir -p "$tree/DEBIAN" "$tree/usr/share/doc/notakernel"
	printf 'Package: notakernel\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@invalid>\nDescription: t\n' >"$tree/DEBIAN/control"
	echo readme >"$tree/usr/share/doc/notakernel/README"
	dpkg-deb -b "$tree" "$BATS_TEST_TMPDIR/notakernel.deb" >/dev/null
	run -2 --separate-stderr "$PMEMLAB" run --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/notakernel.deb"
	[[ $stderr == *"'$BATS_TEST_TMPDIR/notakernel.deb' holds no kernel: no boot/vmlinuz-VERSION and no lib/modules/VERSION/vmlinuz (under / or /usr)"* ]]
	# only the cache's lock files may remain: no unpacked tree, no image
	[[ -z $(find "$PMEMLAB_CACHE" -mindepth 1 ! -name '.lock-*' ! -path "$PMEMLAB_CACHE/kernels") ]]
}
