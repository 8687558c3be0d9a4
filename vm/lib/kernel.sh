# shellcheck shell=bash disable=SC2034 # KERNEL_* are read by the session and report
# Find the guest kernel: Debian's default, a Debian package version or
# flavour (fetched into the cache, never installed), or a user bzImage.
#
# kernel_resolve SPEC sets:
#   KERNEL_IMAGE    path of the bzImage
#   KERNEL_VERSION  its release string (uname -r in the guest)
#   KERNEL_BASE     directory holding lib/modules/$KERNEL_VERSION
#   KERNEL_DESC     a short description for reports

[[ -z ${_pmemlab_loaded_kernel:-} ]] || return 0
_pmemlab_loaded_kernel=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"

readonly DEFAULT_KERNEL_META=linux-image-amd64

kernel_resolve() {
	local id
	id=$(kernel_id "${1:-}") || exit
	case $id in
	/*) kernel_from_image "$id" ;;
	*) kernel_from_package "linux-image-$id" ;;
	esac
}

# kernel_id SPEC: the name of a kernel that --kernel takes back and that
# stays the same on every machine: a Debian release (6.1.0-56-amd64) for
# versions, flavours and packages, the absolute path for a bzImage.
# Nothing is downloaded (meta packages need at most apt's lists).
kernel_id() {
	local spec=${1:-} pkg
	case $spec in
	*/*)
		[[ -f $spec && -r $spec ]] || usage_die "kernel image '$spec' does not exist or is not readable"
		realpath -- "$spec"
		return
		;;
	esac
	pkg=$(kernel_spec_package "$spec") || exit
	if kernel_package_is_meta "$pkg"; then
		pkg=$(kernel_meta_target "$pkg") || exit
	fi
	printf '%s\n' "${pkg#linux-image-}"
}

# kernel_spec_package SPEC: the Debian package a name stands for: default,
# cloud and rt are meta packages, versions and package names are taken
# as they are.
kernel_spec_package() {
	case ${1:-} in
	'' | default) printf '%s\n' "$DEFAULT_KERNEL_META" ;;
	cloud | rt) printf 'linux-image-%s-amd64\n' "$1" ;;
	linux-image-*) printf '%s\n' "$1" ;;
	[0-9]*) kernel_package_name "$1" || exit "$EX_USAGE" ;;
	*) usage_die "unknown kernel '$1': give a Debian kernel version (6.1.0-28-amd64), a flavour (cloud, rt), or a path to a bzImage" ;;
	esac
}

# A meta package (linux-image-amd64, linux-image-6.12-cloud-amd64) points
# at a release; a versioned one (linux-image-6.1.0-56-amd64) is one.
kernel_package_is_meta() {
	[[ ! ${1#linux-image-} =~ ^[0-9]+\.[0-9]+\.[0-9] ]]
}

# kernel_spec_meta SPEC: the meta package SPEC names, or return 1.
kernel_spec_meta() {
	local pkg
	pkg=$( (kernel_spec_package "${1:-}") 2>/dev/null) && kernel_package_is_meta "$pkg" && printf '%s\n' "$pkg"
}

# "6.12.38+deb12" -> linux-image-6.12.38+deb12-amd64; a flavoured
# version is taken as it is.
kernel_package_name() {
	local version=$1
	[[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] ||
		usage_die "invalid kernel version '$version'"
	case $version in
	*-amd64) printf 'linux-image-%s\n' "$version" ;;
	*) printf 'linux-image-%s-amd64\n' "$version" ;;
	esac
}

# The versioned package a meta package (linux-image-amd64) points at,
# answered offline whenever it can be (a CI runner goes offline after
# set-up, and apt costs a second and a screen of output):
#   1. dpkg: the meta package is installed on the host;
#   2. the cache: what it pointed at when this cache last asked apt
#      (kernels/META.target, renewed by `pmemlab kernel update`);
#   3. apt's lists, read only; when they know nothing, as root, one
#      `apt-get update`, said first;
#   4. the newest kernel installed in /boot.
kernel_meta_target() {
	local meta=$1 target record
	if ! kernel_meta_lookup "$meta" && ((EUID == 0)); then
		# one update for runs started together: the others wait, then find it
		cache_lock apt
		kernel_meta_lookup "$meta" ||
			apt_update "apt's lists do not know $meta and the cache has no kernel for it"
		cache_unlock
		kernel_meta_lookup "$meta" || true
	fi
	target=$KERNEL_META_TARGET
	if [[ $KERNEL_META_SOURCE == apt ]]; then
		# kept, so that the next runs need no apt
		record=$(kernel_meta_record "$meta")
		{ mkdir -p "${record%/*}" && printf '%s\n' "$target" >"$record.$$" && mv "$record.$$" "$record"; } ||
			die "cannot write $record (disk full?)"
	fi
	if [[ -z $target ]]; then
		target=$(kernel_newest_installed) ||
			die "cannot resolve $meta: apt knows no such package and no Debian kernel is installed (run 'apt-get update' as root, or pass --kernel)"
		log "apt does not know $meta; using installed $target"
	fi
	printf '%s\n' "$target"
}

# kernel_meta_lookup META: steps 1-3 above without acting (no apt-get
# update, nothing written). Sets KERNEL_META_TARGET (the package) and
# KERNEL_META_SOURCE (dpkg, cache or apt); returns 1 when none knows META.
kernel_meta_lookup() {
	local meta=$1 out record re='(linux-image-[0-9][^[:space:],]*)'
	KERNEL_META_TARGET='' KERNEL_META_SOURCE=''
	out=$(dpkg-query -W -f='${Status}\t${Depends}\n' "$meta" 2>/dev/null) || out=
	if [[ $out == *"install ok installed"* && $out =~ $re ]]; then
		KERNEL_META_TARGET=${BASH_REMATCH[1]} KERNEL_META_SOURCE=dpkg
		return
	fi
	record=$(kernel_meta_record "$meta")
	out=$(cat "$record" 2>/dev/null) || out=
	if [[ $out =~ ^$re$ ]]; then
		KERNEL_META_TARGET=$out KERNEL_META_SOURCE=cache
		return
	fi
	out=$(apt-cache depends "$meta" 2>/dev/null) || out=
	if [[ $out =~ Depends:\ $re ]]; then
		KERNEL_META_TARGET=${BASH_REMATCH[1]} KERNEL_META_SOURCE=apt
		return
	fi
	return 1
}

kernel_meta_record() {
	printf '%s\n' "$(cache_path)/kernels/$1.target"
}

# kernel_where VERSION: where kernel_from_package would take it from,
# without acting: host, cache, download (apt knows it) or unavailable.
kernel_where() {
	local version=$1
	if [[ -r /boot/vmlinuz-$version && -e /lib/modules/$version/modules.dep ]]; then
		echo host
	elif [[ -e $(cache_path)/kernels/$version/.complete ]]; then
		echo cache
	elif apt_knows "linux-image-$version"; then
		echo download
	else
		echo unavailable
	fi
}

kernel_newest_installed() {
	local v
	v=$(find /boot -maxdepth 1 -name 'vmlinuz-*' -readable -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	[[ -n $v && -e /lib/modules/$v/modules.dep ]] || return 1
	printf 'linux-image-%s\n' "$v"
}

kernel_from_package() {
	local pkg=$1 version=${1#linux-image-}
	KERNEL_VERSION=$version
	KERNEL_DESC="debian:$version"
	# Installed on the host already: use it in place.
	if [[ $(kernel_where "$version") == host ]]; then
		KERNEL_IMAGE=/boot/vmlinuz-$version
		KERNEL_BASE=/
		return
	fi
	local root
	cache_ensure
	root=$CACHE_PATH/kernels/$version
	if [[ ! -e $root/.complete ]]; then
		cache_lock "kernel-$version"
		# another run may have fetched it while we waited
		[[ -e $root/.complete ]] || kernel_fetch "$pkg" "$root"
		cache_unlock
	fi
	KERNEL_IMAGE=$root/boot/vmlinuz-$version
	KERNEL_BASE=$root
}

# Download PKG with apt (no root needed) and unpack it into ROOT.
kernel_fetch() {
	local pkg=$1 root=$2 tmp deb
	command -v dpkg-deb >/dev/null || die "dpkg-deb is needed to unpack $pkg"
	tmp=$(mktemp -d "${root%/*}/.fetch.XXXXXX" 2>/dev/null) ||
		{ mkdir -p "${root%/*}" && tmp=$(mktemp -d "${root%/*}/.fetch.XXXXXX"); } ||
		die "cannot create a download directory under ${root%/*}"
	step "fetching kernel package $pkg"
	if ! (cd "$tmp" && apt-get download -q "$pkg" >download.log 2>&1); then
		local why
		why=$(grep -m1 -E '^E:' "$tmp/download.log" || tail -n 1 "$tmp/download.log")
		rm -rf "$tmp"
		die "cannot download $pkg: ${why:-apt-get download failed} (is the version right? 'apt-cache search linux-image' lists them; run 'apt-get update' as root if the lists are old)"
	fi
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
	mkdir -p "$tmp/root"
	dpkg-deb -x "$deb" "$tmp/root" || {
		rm -rf "$tmp"
		die "cannot unpack $deb"
	}
	local version=${pkg#linux-image-}
	[[ -e $tmp/root/boot/vmlinuz-$version ]] ||
		{
			rm -rf "$tmp"
			die "$pkg holds no /boot/vmlinuz-$version"
		}
	# dpkg-deb -x runs no maintainer scripts, so modules.dep is missing.
	"$(depmod_path)" -b "$tmp/root" "$version" ||
		{
			rm -rf "$tmp"
			die "depmod failed for $pkg"
		}
	touch "$tmp/root/.complete"
	rm -rf "$root"
	mv "$tmp/root" "$root"
	rm -rf "$tmp"
}

# A user's bzImage, with modules from --modules or found beside it.
kernel_from_image() {
	local image=$1
	[[ -f $image && -r $image ]] || usage_die "kernel image '$image' does not exist or is not readable"
	KERNEL_VERSION=$(bzimage_version "$image") ||
		usage_die "'$image' is not a bzImage (no Linux boot header)"
	KERNEL_IMAGE=$(realpath "$image")
	KERNEL_DESC="image:$KERNEL_VERSION"
	if KERNEL_BASE=$(kernel_image_modules_base "$KERNEL_IMAGE" "$KERNEL_VERSION"); then
		kernel_ensure_depmod
		return
	fi
	usage_die "no modules tree for kernel $KERNEL_VERSION: expected lib/modules/$KERNEL_VERSION beside '$image' or under --modules DIR (make modules_install INSTALL_MOD_PATH=DIR)"
}

# kernel_image_modules_base IMAGE VERSION: the directory holding
# lib/modules/VERSION for a bzImage (--modules DIR, else beside the image
# or up to two levels above it, else /); fails when there is none. Looks,
# never changes anything (doctor asks it too).
kernel_image_modules_base() {
	local dir base
	dir=$(dirname "$(realpath "$1")")
	for base in "${OPT_MODULES:-}" "$dir" "$dir/.." "$dir/../.." /; do
		[[ -n $base && -d $base/lib/modules/$2 ]] || continue
		realpath "$base"
		return
	done
	return 1
}

kernel_ensure_depmod() {
	local moddir=$KERNEL_BASE/lib/modules/$KERNEL_VERSION
	[[ -e $moddir/modules.dep ]] && return
	[[ -w $moddir ]] || die "$moddir has no modules.dep and is not writable: run depmod -b $KERNEL_BASE $KERNEL_VERSION"
	"$(depmod_path)" -b "$KERNEL_BASE" "$KERNEL_VERSION" || die "depmod failed for $moddir"
}

# kmod_tool NAME: depmod or modprobe by path; a user's PATH often lacks /usr/sbin.
kmod_tool() {
	local p
	for p in "/usr/sbin/$1" "/sbin/$1"; do
		[[ -x $p ]] && {
			printf '%s\n' "$p"
			return
		}
	done
	command -v "$1" || die "$1 not found (apt-get install kmod)"
}

depmod_path() {
	kmod_tool depmod
}

# The release string a bzImage carries (boot protocol: the 16-bit
# kernel_version field at 0x20e points 0x200 bytes before the string).
bzimage_version() {
	local image=$1 magic off
	magic=$(od -An -c -j 0x202 -N 4 "$image" 2>/dev/null | tr -d ' ')
	[[ $magic == HdrS ]] || return 1
	off=$(od -An -tu2 -j 0x20e -N 2 "$image" | tr -d ' ')
	[[ -n $off && $off != 0 ]] || return 1
	dd if="$image" bs=1 skip=$((off + 0x200)) count=128 status=none |
		tr '\0' '\n' | sed -n '1{s/ .*//;p}'
}
