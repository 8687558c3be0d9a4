# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# package: kernel package files by path, one or several that together
# make one kernel (joined by ',' or '+': image.deb+modules.deb, the form
# a matrix's comma-separated --kernels takes as one entry), unpacked
# into the cache (never installed):
#   Debian   linux-image-V.deb: boot/vmlinuz-V, modules in lib/modules/V
#            (usr/lib/modules/V from Debian 13 on)
#   Ubuntu   linux-image-V + linux-modules-V (+ linux-modules-extra-V:
#            the nvdimm drivers through 24.04), .ko.zst
#   Fedora   kernel-core + kernel-modules-core + kernel-modules .rpm: the
#            image at lib/modules/V/vmlinuz, .ko.xz
#   Arch     linux .pkg.tar.zst (.PKGINFO): usr/lib/modules/V/vmlinuz
# Modules may be compressed (xz, zstd, gzip); modules.dep is rebuilt when
# missing. The distribution, told from the files (their format and
# package names), says which package holds a missing module
# (package_kernel_module_hint). The id is the files' absolute paths
# joined by '+'; the cache entry (kernels/pkg-HASH) is renewed when a
# file changes.

KSOURCE_DESC["package"]="kernel package files: FILE.deb, FILE.rpm or FILE.pkg.tar.zst, a set joined by '+' or ',' (image.deb+modules.deb)"
KSOURCE_RANK["package"]=20

# package_files SPEC: its files, one per line. ',' separates; so does a
# '+' right after a package's suffix (Debian's own file names hold '+':
# linux-image-6.12.117+deb13-amd64_6.12.117-1_amd64.deb).
package_files() {
	local s=$1 ext f files
	for ext in .deb .rpm .pkg.tar.zst .pkg.tar.xz; do
		s=${s//"$ext+"/"$ext,"}
	done
	IFS=, read -ra files <<<"$s"
	for f in "${files[@]}"; do
		[[ -z $f ]] || printf '%s\n' "$f"
	done
}

package_kernel_match() {
	local f
	while IFS= read -r f; do
		case $f in
		*.deb | *.rpm | *.pkg.tar.zst | *.pkg.tar.xz) return 0 ;;
		esac
	done < <(package_files "$1")
	return 1
}

package_kernel_id() {
	local f out='' files
	mapfile -t files < <(package_files "$1")
	for f in "${files[@]}"; do
		case $f in
		*.deb | *.rpm | *.pkg.tar.zst | *.pkg.tar.xz) ;;
		*) usage_die "kernel package '$f' is no .deb, .rpm or .pkg.tar.zst" ;;
		esac
		[[ -f $f && -r $f ]] || usage_die "kernel package '$f' does not exist or is not readable"
		out+=${out:++}$(realpath -- "$f")
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
	local family=''
	[[ ! -r $root/.family ]] || family=$(package_family_name "$(<"$root/.family")")
	KERNEL_ORIGIN="${family:+$family }packages: $(package_list "$id")"
}

# package_list ID: the files, ", " between them.
package_list() {
	local out='' f
	while IFS= read -r f; do
		out+=${out:+, }$f
	done < <(package_files "$1")
	printf '%s\n' "$out"
}

# package_cache_key ID: names, sizes and times of the files: a file
# replaced is a new cache entry.
package_cache_key() {
	local f
	while IFS= read -r f; do
		stat -L -c '%n %s %Y' -- "$f"
	done < <(package_files "$1") | sha256sum | cut -c1-16
}

# package_unpack ID ROOT: every file into one tree, then laid out. Beside
# the tree: .version, .family (debian, ubuntu, fedora, arch) and
# .packages (each file's package name).
package_unpack() {
	local id=$1 root=$2 tmp f version image what files
	what=$(package_list "$id")
	mapfile -t files < <(package_files "$id")
	tmp=$(kernel_stage_dir "$root")
	mkdir -p "$tmp/root"
	step "unpacking kernel package$( ((${#files[@]} == 1)) || echo s) $what"
	for f in "${files[@]}"; do
		package_extract "$f" "$tmp/root" || kernel_stage_die "$tmp" "cannot unpack '$f'" "$EX_USAGE"
		printf '%s\t%s\n' "$(package_name "$f")" "$f" >>"$tmp/root/.packages"
	done
	package_family "$tmp/root/.packages" >"$tmp/root/.family"
	version=$(package_version "$tmp/root") ||
		kernel_stage_die "$tmp" "'$what' holds no kernel: no boot/vmlinuz-VERSION and no lib/modules/VERSION/vmlinuz (under / or /usr)" "$EX_USAGE"
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
	package_modules_check "$tmp" "$version" "$what"
	kernel_layout_commit "$tmp/root" "$root" "$version" "'$what'" "$tmp"
	rm -rf "$tmp"
}

package_extract() {
	case $1 in
	*.deb) dpkg-deb -x "$1" "$2" ;;
	*.rpm)
		deps_ensure rpm
		rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet --no-absolute-filenames)
		;;
	*.pkg.tar.zst) tar --zstd -xf "$1" -C "$2" --exclude=.PKGINFO --exclude=.BUILDINFO --exclude=.MTREE ;;
	*.pkg.tar.xz) tar -xJf "$1" -C "$2" --exclude=.PKGINFO --exclude=.BUILDINFO --exclude=.MTREE ;;
	esac
}

# package_name FILE: the package's name: a .deb's control, an Arch
# package's .PKGINFO, an rpm's file name up to its version.
package_name() {
	local name=''
	case $1 in
	*.deb) name=$(dpkg-deb -f "$1" Package 2>/dev/null) || name='' ;;
	*.pkg.tar.*) name=$(tar -xOf "$1" .PKGINFO 2>/dev/null | sed -n 's/^pkgname = //p') || name='' ;;
	*.rpm)
		name=${1##*/}
		[[ ! $name =~ ^(.+)-[0-9][^-]*-[^-]+\.rpm$ ]] || name=${BASH_REMATCH[1]}
		;;
	esac
	printf '%s\n' "${name:-${1##*/}}"
}

# package_family PACKAGES_TSV: whose kernel this is. Ubuntu's .debs are
# told from Debian's by linux-modules-V, given or depended on.
package_family() {
	local name file
	while IFS=$'\t' read -r name file; do
		case $file in
		*.rpm) echo fedora && return ;;
		*.pkg.tar.*) echo arch && return ;;
		esac
		case $name in linux-modules-*) echo ubuntu && return ;; esac
		[[ $(dpkg-deb -f "$file" Depends 2>/dev/null) != *linux-modules-* ]] || {
			echo ubuntu
			return
		}
	done <"$1"
	echo debian
}

package_family_name() {
	case $1 in
	debian) echo "Debian" ;;
	ubuntu) echo "Ubuntu" ;;
	fedora) echo "Fedora" ;;
	arch) echo "Arch" ;;
	*) echo "$1" ;;
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

# package_modules_check TMP VERSION WHAT: an image without any modules is
# refused naming the package that holds them.
package_modules_check() {
	local tmp=$1 version=$2 what=$3 dir hint
	for dir in "$tmp/root"/{,usr/}lib/modules/"$version"/kernel; do
		[[ -d $dir ]] && return
	done
	case $(<"$tmp/root/.family") in
	ubuntu) hint="Ubuntu ships them in linux-modules-$version (and, through 24.04, the nvdimm drivers in linux-modules-extra-$version)" ;;
	fedora) hint="Fedora ships them in kernel-modules-core and kernel-modules (kernel-core holds the image)" ;;
	*) hint="add the package holding its modules" ;;
	esac
	kernel_stage_die "$tmp" "$what: kernel $version without modules (looked in lib/modules/$version/kernel and usr/lib/modules/$version/kernel): $hint" "$EX_USAGE"
}

# package_kernel_module_hints MODULE...: for each module missing from the
# files given, "MODULE<TAB>which package of the distribution holds it"
# (kconfig's verdict, and so the fixtures needing it, say so).
# KERNEL_BASE is the unpacked set.
package_kernel_module_hints() {
	local root=${KERNEL_BASE%/} family version names='' name file mod
	[[ -r $root/.family && -r $root/.packages ]] || return 0
	family=$(<"$root/.family") version=$(<"$root/.version")
	while IFS=$'\t' read -r name file; do
		names+=" $name"
	done <"$root/.packages"
	names+=' '
	for mod in "$@"; do
		printf '%s\t%s\n' "$mod" "$(package_module_hint "$mod" "$family" "$version" "$names")"
	done
}

# package_module_hint MODULE FAMILY VERSION " NAME... ": one hint.
package_module_hint() {
	local mod=$1 family=$2 version=$3 names=$4
	case $family in
	ubuntu)
		if [[ $names != *" linux-modules-$version "* ]]; then
			echo "Ubuntu ships $mod in linux-modules-$version (the nvdimm drivers, through 24.04, in linux-modules-extra-$version)"
		elif [[ $names != *" linux-modules-extra-$version "* ]]; then
			echo "Ubuntu ships $mod in linux-modules-extra-$version"
		else
			echo "$mod is in none of Ubuntu's packages given"
		fi
		;;
	fedora)
		if [[ $names != *" kernel-modules "* ]]; then
			echo "Fedora ships $mod in kernel-modules"
		else
			echo "$mod is in none of Fedora's packages given"
		fi
		;;
	arch) echo "Arch's linux package ships every module, but $mod is not in the one given" ;;
	*) echo "Debian's linux-image-$version ships every module, but $mod is not in the one given" ;;
	esac
}
