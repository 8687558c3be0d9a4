# shellcheck shell=bash
# Find the guest kernel: Debian's default, a Debian package version or
# flavour (fetched into the cache, never installed), or a user bzImage.
#
# kernel_resolve SPEC sets:
#   KERNEL_IMAGE    path of the bzImage
#   KERNEL_VERSION  its release string (uname -r in the guest)
#   KERNEL_BASE     directory holding lib/modules/$KERNEL_VERSION
#   KERNEL_DESC     a short description for reports

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
# Nothing is downloaded (flavours need only apt's lists).
kernel_id() {
	local spec=${1:-} pkg
	case $spec in
	'' | default) pkg=$(kernel_meta_target "$DEFAULT_KERNEL_META") || exit ;;
	*/*)
		[[ -f $spec && -r $spec ]] || usage_die "kernel image '$spec' does not exist or is not readable"
		realpath -- "$spec"
		return
		;;
	cloud | rt) pkg=$(kernel_meta_target "linux-image-$spec-amd64") || exit ;;
	linux-image-*) pkg=$spec ;;
	[0-9]*) pkg=$(kernel_package_name "$spec") || exit "$EX_USAGE" ;;
	*) usage_die "unknown kernel '$spec': give a Debian kernel version (6.1.0-28-amd64), a flavour (cloud, rt), or a path to a bzImage" ;;
	esac
	printf '%s\n' "${pkg#linux-image-}"
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

# The versioned package a meta package (linux-image-amd64) points at.
# Without apt lists, fall back to the newest kernel installed on the host.
kernel_meta_target() {
	local meta=$1 target
	# Installed meta package: dpkg answers in milliseconds, apt in a second.
	target=$(dpkg-query -W -f='${Depends}\n' "$meta" 2>/dev/null |
		grep -o 'linux-image-[0-9][^ ,]*' | head -n 1) || true
	if [[ -z $target ]]; then
		deps_kernel_lists
		target=$(apt-cache depends "$meta" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	fi
	if [[ -z $target ]]; then
		target=$(kernel_newest_installed) ||
			die "cannot resolve $meta: apt knows no such package and no Debian kernel is installed (run 'apt-get update' as root, or pass --kernel)"
		log "apt does not know $meta; using installed $target"
	fi
	printf '%s\n' "$target"
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
	if [[ -r /boot/vmlinuz-$version && -e /lib/modules/$version/modules.dep ]]; then
		KERNEL_IMAGE=/boot/vmlinuz-$version
		KERNEL_BASE=/
		return
	fi
	local root
	root="$(cache_dir)/kernels/$version"
	[[ -e $root/.complete ]] || kernel_fetch "$pkg" "$root"
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
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n 1)
	mkdir -p "$tmp/root"
	dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; die "cannot unpack $deb"; }
	local version=${pkg#linux-image-}
	[[ -e $tmp/root/boot/vmlinuz-$version ]] ||
		{ rm -rf "$tmp"; die "$pkg holds no /boot/vmlinuz-$version"; }
	# dpkg-deb -x runs no maintainer scripts, so modules.dep is missing.
	"$(depmod_path)" -b "$tmp/root" "$version" ||
		{ rm -rf "$tmp"; die "depmod failed for $pkg"; }
	touch "$tmp/root/.complete"
	rm -rf "$root"
	mv "$tmp/root" "$root"
	rm -rf "$tmp"
}

# A user's bzImage, with modules from --modules or found beside it.
kernel_from_image() {
	local image=$1 dir
	[[ -f $image && -r $image ]] || usage_die "kernel image '$image' does not exist or is not readable"
	KERNEL_VERSION=$(bzimage_version "$image") ||
		usage_die "'$image' is not a bzImage (no Linux boot header)"
	KERNEL_IMAGE=$(realpath "$image")
	KERNEL_DESC="image:$KERNEL_VERSION"
	dir=$(dirname "$KERNEL_IMAGE")
	local candidates=("${PMEMLAB_MODULES:-}" "$dir" "$dir/.." "$dir/../.." /)
	local base
	for base in "${candidates[@]}"; do
		[[ -n $base ]] || continue
		if [[ -d $base/lib/modules/$KERNEL_VERSION ]]; then
			KERNEL_BASE=$(realpath "$base")
			kernel_ensure_depmod
			return
		fi
	done
	usage_die "no modules tree for kernel $KERNEL_VERSION: expected lib/modules/$KERNEL_VERSION beside '$image' or under --modules DIR (make modules_install INSTALL_MOD_PATH=DIR)"
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
		[[ -x $p ]] && { printf '%s\n' "$p"; return; }
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
		tr '\0' '\n' | head -n 1 | cut -d' ' -f1
}
