# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# package: kernel package files by path, one or several (comma-separated)
# that together make one kernel, unpacked into the cache (never
# installed): Debian's or Ubuntu's .deb (image + linux-modules +
# linux-modules-extra), Fedora's .rpm (kernel-core + kernel-modules-core +
# kernel-modules), Arch's .pkg.tar.zst. The image is boot/vmlinuz-VERSION
# (Debian, Ubuntu) or lib/modules/VERSION/vmlinuz (Fedora, Arch), under
# / or /usr; modules may be compressed (xz, zstd, gzip); modules.dep is
# rebuilt when missing. The id is the files' absolute paths; the cache
# entry (kernels/pkg-HASH) is renewed when a file changes.

KSOURCE_DESC["package"]="kernel package files: FILE.deb, FILE.rpm or FILE.pkg.tar.zst, comma-separated for a set (image,modules,...)"
KSOURCE_RANK["package"]=20

package_kernel_match() {
	local f
	local IFS=,
	for f in $1; do
		case $f in
		*.deb | *.rpm | *.pkg.tar.zst | *.pkg.tar.xz) return 0 ;;
		esac
	done
	return 1
}

package_kernel_id() {
	local f out=''
	local IFS=,
	for f in $1; do
		case $f in
		*.deb | *.rpm | *.pkg.tar.zst | *.pkg.tar.xz) ;;
		*) usage_die "kernel package '$f' is no .deb, .rpm or .pkg.tar.zst" ;;
		esac
		[[ -f $f && -r $f ]] || usage_die "kernel package '$f' does not exist or is not readable"
		out+=${out:+,}$(realpath -- "$f")
	done
	printf '%s\n' "$out"
}

package_kernel_resolve() {
	local id=$1 key root
	key=$(package_cache_key "$id")
	cache_ensure
	root=$CACHE_PATH/kernels/pkg-$key
	if [[ ! -e $root/.complete ]]; then
		cache_lock "kernel-pkg-$key"
		[[ -e $root/.complete ]] || package_unpack "$id" "$root"
		cache_unlock
	fi
	KERNEL_VERSION=$(<"$root/.version")
	KERNEL_IMAGE=$root/boot/vmlinuz-$KERNEL_VERSION
	KERNEL_BASE=$root
	KERNEL_DESC="package:$KERNEL_VERSION"
	KERNEL_ORIGIN="files: ${id//,/, }"
}

# package_cache_key ID: names, sizes and times of the files: a file
# replaced is a new cache entry.
package_cache_key() {
	local f
	local IFS=,
	for f in $1; do
		stat -L -c '%n %s %Y' -- "$f"
	done | sha256sum | cut -c1-16
}

# package_unpack ID ROOT: every file into one tree, then laid out.
package_unpack() {
	local id=$1 root=$2 tmp f version image
	tmp=$(kernel_stage_dir "$root")
	mkdir -p "$tmp/root"
	step "unpacking kernel package${id//[^,]/s} ${id//,/, }"
	local IFS=,
	for f in $id; do
		unset IFS
		package_extract "$f" "$tmp/root" || kernel_stage_die "$tmp" "cannot unpack '$f'" "$EX_USAGE"
	done
	unset IFS
	version=$(package_version "$tmp/root") ||
		kernel_stage_die "$tmp" "'${id//,/, }' holds no kernel: no boot/vmlinuz-VERSION and no lib/modules/VERSION/vmlinuz (under / or /usr)" "$EX_USAGE"
	for image in "$tmp/root"/{,usr/}boot/vmlinuz-"$version" "$tmp/root"/{,usr/}lib/modules/"$version"/vmlinuz; do
		[[ -f $image ]] || continue
		mkdir -p "$tmp/root/boot"
		[[ $image -ef $tmp/root/boot/vmlinuz-$version ]] || cp "$image" "$tmp/root/boot/vmlinuz-$version"
		break
	done
	# Ubuntu's and Fedora's images are readable by root alone
	chmod a+r "$tmp/root/boot/vmlinuz-$version"
	for f in "$tmp/root"/{,usr/}lib/modules/"$version"/config; do
		[[ ! -f $f || -e $tmp/root/boot/config-$version ]] || cp "$f" "$tmp/root/boot/config-$version"
	done
	printf '%s\n' "$version" >"$tmp/root/.version"
	package_modules_check "$tmp" "$version" "${id//,/, }"
	kernel_layout_commit "$tmp/root" "$root" "$version" "'${id//,/, }'" "$tmp"
	rm -rf "$tmp"
}

package_extract() {
	case $1 in
	*.deb) dpkg-deb -x "$1" "$2" ;;
	*.rpm)
		command -v rpm2cpio >/dev/null || die "rpm2cpio is needed to unpack $1 (apt-get install rpm2cpio)"
		rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet --no-absolute-filenames)
		;;
	*.pkg.tar.zst) tar --zstd -xf "$1" -C "$2" --exclude=.PKGINFO --exclude=.BUILDINFO --exclude=.MTREE ;;
	*.pkg.tar.xz) tar -xJf "$1" -C "$2" --exclude=.PKGINFO --exclude=.BUILDINFO --exclude=.MTREE ;;
	esac
}

# package_version ROOT: the release whose image the tree holds.
package_version() {
	local f v
	for f in "$1"/{,usr/}boot/vmlinuz-* "$1"/{,usr/}lib/modules/*/vmlinuz; do
		[[ -f $f ]] || continue
		case $f in
		*/vmlinuz) v=${f%/vmlinuz} v=${v##*/} ;;
		*) v=${f##*/vmlinuz-} ;;
		esac
		printf '%s\n' "$v"
		return
	done
	return 1
}

# package_modules_check TMP VERSION WHAT: an image without its modules
# package is refused naming the package that holds them.
package_modules_check() {
	local tmp=$1 version=$2 what=$3 dir
	for dir in "$tmp/root"/{,usr/}lib/modules/"$version"/kernel; do
		[[ -d $dir ]] && return
	done
	local hint="add the package holding its modules"
	case $version in
	*-generic | *-lowlatency | *-aws | *-azure | *-gcp) hint="Ubuntu ships them in linux-modules-$version (and, through 24.04, the nvdimm drivers in linux-modules-extra-$version)" ;;
	*.fc[0-9]* | *.el[0-9]*) hint="Fedora ships them in kernel-modules-core and kernel-modules" ;;
	esac
	kernel_stage_die "$tmp" "$what: kernel $version without modules (looked in lib/modules/$version/kernel and usr/lib/modules/$version/kernel): $hint" "$EX_USAGE"
}
