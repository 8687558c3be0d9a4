# shellcheck shell=bash
# Kernel packages in the shape of each distribution's, built from the
# Debian kernel the suite's cache holds (Ubuntu, Fedora and Arch cannot
# be downloaded here): the same image and modules, in their file names,
# paths, package split and compression. Only the modules
# vm/kconfig-requirements.tsv names, with what they depend on, are packed
# (about 30, not 200: the packages stay small and quick to build).

# pkg_source_kernel: KVER and KROOT, the cached Debian default kernel.
pkg_source_kernel() {
	local shared=${PMEMLAB_SHARED_CACHE:-$HOME/.cache/pmemlab} line
	line=$("$PMEMLAB" kernel fetch default 2>/dev/null) || return 1
	KVER=$(cut -f2 <<<"$line")
	KROOT=$shared/kernels/$KVER
	[[ -e $KROOT/.complete ]]
}

# pkg_needed: PKG_NEEDED, the modules (paths under lib/modules/KVER/
# kernel, one a line) that the requirement table names and those they
# depend on, from the source kernel's modules.dep.
pkg_needed() {
	[[ -z ${PKG_NEEDED:-} ]] || return 0
	PKG_NEEDED=$(awk -F '\t' '
		FILENAME == ARGV[1] { if ($0 !~ /^[[:space:]]*(#|$)/ && $2 != "-") { m = $2; gsub("-", "_", m); want[m] }; next }
		{ split($0, a, ":"); n = split(a[1], p, "/"); m = p[n]; sub("\\.ko.*$", "", m); gsub("-", "_", m)
		  if (m in want) { print a[1]; k = split(a[2], d, " "); for (i = 1; i <= k; i++) print d[i] } }' \
		"$BATS_TEST_DIRNAME/../vm/kconfig-requirements.tsv" "$KROOT/lib/modules/$KVER/modules.dep" |
		sed 's|^kernel/||' | sort -u)
	[[ -n $PKG_NEEDED ]]
}

# pkg_modules DEST COMPRESS DIR...: the kernel's modules under DIR...
# (relative to lib/modules/KVER/kernel) that pkg_needed names into
# DEST/kernel, compressed with COMPRESS (none, xz, zstd, gzip).
pkg_modules() {
	local dest=$1 compress=$2 dir f
	shift 2
	pkg_needed
	for dir in "$@"; do
		while IFS= read -r f; do
			[[ $'\n'$PKG_NEEDED$'\n' == *$'\n'"$f"$'\n'* ]] || continue
			mkdir -p "$dest/kernel/$(dirname "$f")"
			case $compress in
			none) cp "$KROOT/lib/modules/$KVER/kernel/$f" "$dest/kernel/$f" ;;
			xz) xz -0 -T1 -c --check=crc32 "$KROOT/lib/modules/$KVER/kernel/$f" >"$dest/kernel/$f.xz" ;;
			zstd) zstd -q -c "$KROOT/lib/modules/$KVER/kernel/$f" >"$dest/kernel/$f.zst" ;;
			gzip) gzip -c "$KROOT/lib/modules/$KVER/kernel/$f" >"$dest/kernel/$f.gz" ;;
			esac
		done < <(cd "$KROOT/lib/modules/$KVER/kernel" && find "$dir" -name '*.ko')
	done
}

# The memmap guest's modules outside drivers/nvdimm and drivers/dax.
PKG_BASE_DIRS=(drivers/virtio drivers/char drivers/acpi fs/xfs fs/ext4 fs/jbd2 fs/mbcache.ko lib crypto net/9p fs/9p fs/netfs fs/fscache drivers/block)
PKG_NVDIMM_DIRS=(drivers/nvdimm drivers/dax)

# pkg_deb TREE OUT NAME [DEPENDS]
pkg_deb() {
	local tree=$1 out=$2 name=$3 depends=${4:-}
	mkdir -p "$tree/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: t <t@invalid>\n%sDescription: test\n' \
		"$name" "${KVER%%-*}-1" "${depends:+Depends: $depends
}" >"$tree/DEBIAN/control"
	dpkg-deb -Zxz -z1 -b "$tree" "$out" >/dev/null
}

# Ubuntu: linux-image-V (boot/vmlinuz-V, mode 0600), linux-modules-V and
# linux-modules-extra-V (the nvdimm drivers, as through 24.04), .ko.zst.
pkg_ubuntu() {
	local out=$1 t=$BATS_TEST_TMPDIR/ubuntu
	mkdir -p "$t/image/boot" "$t/modules/lib/modules/$KVER" "$t/extra/lib/modules/$KVER" "$out"
	install -m 0600 "$KROOT/boot/vmlinuz-$KVER" "$t/image/boot/vmlinuz-$KVER"
	cp "$KROOT/boot/config-$KVER" "$t/modules/boot-config" && mkdir -p "$t/modules/boot" && mv "$t/modules/boot-config" "$t/modules/boot/config-$KVER"
	pkg_modules "$t/modules/lib/modules/$KVER" zstd "${PKG_BASE_DIRS[@]}"
	cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin} "$t/modules/lib/modules/$KVER/"
	pkg_modules "$t/extra/lib/modules/$KVER" zstd "${PKG_NVDIMM_DIRS[@]}"
	# as Ubuntu's: the image depends on its modules package
	pkg_deb "$t/image" "$out/linux-image-$KVER.deb" "linux-image-$KVER" "linux-modules-$KVER"
	pkg_deb "$t/modules" "$out/linux-modules-$KVER.deb" "linux-modules-$KVER"
	pkg_deb "$t/extra" "$out/linux-modules-extra-$KVER.deb" "linux-modules-extra-$KVER"
}

# Arch: one linux package, .pkg.tar.zst with .PKGINFO, usr-merged, the
# image at usr/lib/modules/V/vmlinuz, .ko.zst.
pkg_arch() {
	local out=$1 t=$BATS_TEST_TMPDIR/arch
	local m=$t/usr/lib/modules/$KVER
	mkdir -p "$m" "${out%/*}"
	cp "$KROOT/boot/vmlinuz-$KVER" "$m/vmlinuz"
	printf 'linux\n' >"$m/pkgbase"
	pkg_modules "$m" zstd "${PKG_BASE_DIRS[@]}" "${PKG_NVDIMM_DIRS[@]}"
	printf 'pkgname = linux\npkgbase = linux\npkgver = %s-1\narch = x86_64\n' "${KVER%%-*}" >"$t/.PKGINFO"
	(cd "$t" && tar --zstd -cf "$out" .PKGINFO usr)
}

# Debian 13's shape: one .deb, modules in usr/lib/modules, .ko.xz.
pkg_debian_usrmerged() {
	local out=$1 t=$BATS_TEST_TMPDIR/debian
	mkdir -p "$t/boot" "$t/usr/lib/modules/$KVER" "${out%/*}"
	cp "$KROOT/boot/vmlinuz-$KVER" "$KROOT/boot/config-$KVER" "$t/boot/"
	pkg_modules "$t/usr/lib/modules/$KVER" xz "${PKG_BASE_DIRS[@]}" "${PKG_NVDIMM_DIRS[@]}"
	pkg_deb "$t" "$out" "linux-image-$KVER"
}

# Fedora: kernel-core (lib/modules/V/vmlinuz, config, modules.order and
# .builtin, no modules), kernel-modules-core (the base modules) and
# kernel-modules (the nvdimm and dax drivers), .ko.xz, rpms built with
# rpmbuild into OUT (kernel-core-VER-REL.x86_64.rpm...).
pkg_fedora() {
	local out=$1 t=$BATS_TEST_TMPDIR/fedora ver=${KVER%%-*} rel
	rel=${KVER#*-} rel=${rel%%-*}.fc41
	mkdir -p "$out" "$t/core/lib/modules/$KVER" "$t/modcore/lib/modules/$KVER" "$t/mods/lib/modules/$KVER"
	cp "$KROOT/boot/vmlinuz-$KVER" "$t/core/lib/modules/$KVER/vmlinuz"
	cp "$KROOT/boot/config-$KVER" "$t/core/lib/modules/$KVER/config"
	cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin} "$t/core/lib/modules/$KVER/"
	pkg_modules "$t/modcore/lib/modules/$KVER" xz "${PKG_BASE_DIRS[@]}"
	pkg_modules "$t/mods/lib/modules/$KVER" xz "${PKG_NVDIMM_DIRS[@]}"
	local name tree
	for name in kernel-core:core kernel-modules-core:modcore kernel-modules:mods; do
		tree=$t/${name#*:} name=${name%%:*}
		cat >"$t/$name.spec" <<SPEC
Name: $name
Version: $ver
Release: $rel
Summary: test
License: GPL-2.0-only
BuildArch: x86_64
%define __os_install_post %{nil}
%define debug_package %{nil}
%define _build_id_links none
%description
test
%install
mkdir -p %{buildroot}
cp -a $tree/. %{buildroot}/
%files
/lib/modules/$KVER
SPEC
		rpmbuild -bb --quiet --define "_topdir $t/rpmbuild" --define "_rpmdir $t/rpms" --define '_binary_payload w0.ufdio' \
			--define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$t/$name.spec" >/dev/null 2>&1 ||
			return 1
		mv "$t/rpms/$name-$ver-$rel.x86_64.rpm" "$out/"
	done
	# shellcheck disable=SC2034 # read by the tests
	FEDORA_SUFFIX=$ver-$rel.x86_64.rpm
}
