# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# ubuntu: Ubuntu's kernel packages, on an Ubuntu host (a CI runner),
# downloaded with that host's own apt (apt-get download: any user, nothing
# installed, the host's apt state unchanged) and unpacked into the cache:
#   linux-image-V          the image, boot/vmlinuz-V (mode 0600 in the package)
#   linux-modules-V        the modules (and boot/config-V)
#   linux-modules-extra-V  more modules: through 24.04 the nvdimm drivers
#                          (drivers/nvdimm); fetched when apt knows it
# Specs, on an Ubuntu host (os-release ID or ID_LIKE ubuntu):
#   default                what linux-image-generic depends on
#   6.8.0-49-generic, linux-image-6.8.0-49-generic (any linux-image-*)
#                          that release (Debian's +debN versions stay
#                          Debian's, from Debian's archive)
# On any other host an Ubuntu release (6.8.0-49-generic...) is refused
# with exit 2: Ubuntu's archive is reached through an Ubuntu host's apt.
# Not the host's own /boot: Ubuntu keeps it root-only, and the installed
# kernel is often another flavour (GitHub's runners boot -azure) without
# modules-extra. The id is the release; the cache holds it under
# kernels/RELEASE (boot/, lib/modules/, .origin, and .modules-hint when
# the nvdimm drivers are missing).

KSOURCE_DESC["ubuntu"]="an Ubuntu kernel, on an Ubuntu host: default (linux-image-generic), a release (6.8.0-49-generic) or linux-image-RELEASE"
KSOURCE_RANK["ubuntu"]=5

readonly UBUNTU_DEFAULT_META=linux-image-generic
# The flavours of Ubuntu's kernel releases (6.8.0-49-generic, 6.8.0-1021-azure).
readonly UBUNTU_FLAVOURS='generic|generic-64k|lowlatency|lowlatency-64k|aws|azure|gcp|gke|oracle|kvm|ibm|nvidia|realtime'
# Where Ubuntu packs the nvdimm drivers through 24.04.
readonly UBUNTU_NVDIMM_MODULES='libnvdimm, nd_pmem, nd_btt, nd_e820'

ubuntu_kernel_match() {
	local spec=${1:-}
	ubuntu_release_p "${spec#linux-image-}" && return 0
	ubuntu_host_p || return 1
	case $spec in
	# package files (linux-image-V.deb without ./) are the package source's
	*.deb | *.deb[+,]* | *.rpm | *.rpm[+,]* | *.pkg.tar.*) return 1 ;;
	'' | default | linux-image-*) return 0 ;;
	*+deb[0-9]*) return 1 ;;
	[0-9]*) return 0 ;;
	esac
	return 1
}

ubuntu_kernel_id() {
	local spec=${1:-} release
	if ! ubuntu_host_p; then
		release=${spec#linux-image-}
		usage_die "'$spec' is an Ubuntu kernel: pmemlab downloads Ubuntu's kernels with an Ubuntu host's apt, and this host is $(kernel_os_release PRETTY_NAME || echo 'not Ubuntu'); give its package files instead (--kernel linux-image-$release.deb,linux-modules-$release.deb,linux-modules-extra-$release.deb)"
	fi
	case $spec in
	'' | default) release=$(ubuntu_meta_target "$UBUNTU_DEFAULT_META") || exit ;;
	linux-image-*)
		release=${spec#linux-image-}
		if kernel_package_is_meta "$spec"; then
			release=$(ubuntu_meta_target "$spec") || exit
		fi
		;;
	*) release=$spec ;;
	esac
	[[ $release =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || usage_die "invalid Ubuntu kernel release '$release'"
	printf '%s\n' "$release"
}

ubuntu_kernel_resolve() {
	local release=$1 root
	cache_ensure
	root=$CACHE_PATH/kernels/$release
	if [[ ! -e $root/.complete ]]; then
		cache_lock "kernel-$release"
		# another run may have fetched it while we waited
		[[ -e $root/.complete ]] || ubuntu_fetch "$release" "$root"
		cache_unlock
	fi
	KERNEL_VERSION=$release
	KERNEL_IMAGE=$root/boot/vmlinuz-$release
	KERNEL_BASE=$root
	KERNEL_DESC="ubuntu:$release"
	KERNEL_ORIGIN=$(cat "$root/.origin" 2>/dev/null) || KERNEL_ORIGIN="Ubuntu: linux-image-$release"
}

# ubuntu_kernel_module_hints MODULE...: for modules missing from the
# kernel resolved, "MODULE<TAB>which package holds it".
ubuntu_kernel_module_hints() {
	local root=${KERNEL_BASE%/} v=$KERNEL_VERSION mod hint=''
	[[ ! -r $root/.modules-hint ]] || hint=$(<"$root/.modules-hint")
	for mod in "$@"; do
		if [[ -z $hint ]]; then
			printf '%s\t%s\n' "$mod" "in neither linux-modules-$v nor linux-modules-extra-$v"
		elif [[ ", $UBUNTU_NVDIMM_MODULES, " == *", ${mod//-/_}, "* ]]; then
			printf '%s\t%s\n' "$mod" "$hint"
		else
			printf '%s\t%s\n' "$mod" "not in linux-modules-$v; linux-modules-extra-$v, which this host's apt does not know, may hold it"
		fi
	done
}

# ubuntu_spec_meta SPEC: the meta package SPEC names (default:
# linux-image-generic), or status 1 for a release.
ubuntu_spec_meta() {
	case ${1:-} in
	'' | default) printf '%s\n' "$UBUNTU_DEFAULT_META" ;;
	linux-image-*) kernel_package_is_meta "$1" && printf '%s\n' "$1" ;;
	*) return 1 ;;
	esac
}

# ubuntu_release_p NAME: NAME is an Ubuntu kernel release (6.8.0-49-generic).
ubuntu_release_p() {
	[[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+-[0-9]+-($UBUNTU_FLAVOURS)$ ]]
}

# ubuntu_host_p: this host is Ubuntu (or derived from it), by os-release.
ubuntu_host_p() {
	[[ $(kernel_source_default) == ubuntu ]]
}

# ubuntu_meta_target META: the release META (linux-image-generic) depends
# on, answered offline when it can be (kernel_meta_lookup: dpkg, the
# cache's record, apt's lists); as root, one `apt-get update` when the
# lists do not know it. The answer is recorded in the cache
# (kernel_meta_ask, vm/kernels/debian.sh).
ubuntu_meta_target() {
	local meta=$1
	kernel_meta_ask "$meta"
	[[ -n $KERNEL_META_TARGET ]] ||
		die "cannot resolve $meta: this Ubuntu host's apt knows no such package (run 'sudo apt-get update', or pass --kernel RELEASE, e.g. 6.8.0-49-generic)"
	printf '%s\n' "${KERNEL_META_TARGET#linux-image-}"
}

# ubuntu_fetch RELEASE ROOT: image, modules and (when apt knows it)
# modules-extra downloaded with the host's apt and laid out in ROOT.
ubuntu_fetch() {
	local release=$1 root=$2 tmp deb pkgs why
	command -v dpkg-deb >/dev/null || die "dpkg-deb is needed to unpack Ubuntu's kernel packages"
	pkgs=("linux-image-$release" "linux-modules-$release")
	for deb in "${pkgs[@]}"; do
		apt_knows "$deb" ||
			die "cannot download $deb: this host's apt knows no such package (is the release right? 'apt-cache search linux-image-' lists them; run 'sudo apt-get update' if the lists are old)"
	done
	local extra=linux-modules-extra-$release
	apt_knows "$extra" && pkgs+=("$extra")
	tmp=$(kernel_stage_dir "$root")
	step "fetching Ubuntu kernel packages ${pkgs[*]}"
	if ! (cd "$tmp" && apt-get download -q "${pkgs[@]}" >download.log 2>&1); then
		why=$(grep -m1 -E '^E:' "$tmp/download.log" || tail -n 1 "$tmp/download.log")
		kernel_stage_die "$tmp" "cannot download ${pkgs[*]}: ${why:-apt-get download failed}"
	fi
	mkdir -p "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root" || kernel_stage_die "$tmp" "cannot unpack $deb"
	done
	[[ -f $tmp/root/boot/vmlinuz-$release ]] ||
		kernel_stage_die "$tmp" "linux-image-$release holds no boot/vmlinuz-$release"
	# root-only in the package; the cache is read by whoever boots it
	chmod a+r "$tmp/root/boot/vmlinuz-$release"
	local what
	what=$(ubuntu_release_name)
	printf '%s: %s\n' "$what" "$(ubuntu_join "${pkgs[@]}")" >"$tmp/root/.origin"
	if [[ ${pkgs[*]} != *"$extra"* ]] && ! ubuntu_has_nvdimm "$tmp/root" "$release"; then
		printf '%s ships the nvdimm drivers (%s) in %s, which this host'"'"'s apt does not know\n' \
			"$what" "$UBUNTU_NVDIMM_MODULES" "$extra" >"$tmp/root/.modules-hint"
		log "$(<"$tmp/root/.modules-hint"): PMem fixtures will be unsupported"
	fi
	kernel_layout_commit "$tmp/root" "$root" "$release" "linux-image-$release" "$tmp"
	rm -rf "$tmp"
}

# ubuntu_has_nvdimm ROOT RELEASE: the unpacked modules hold nd_pmem (or
# the kernel has it built in).
ubuntu_has_nvdimm() {
	local dir
	for dir in "$1"/{,usr/}lib/modules/"$2"; do
		[[ -d $dir ]] || continue
		grep -qs '/nd_pmem\.ko' "$dir/modules.builtin" && return
		[[ -z $(find "$dir" -name 'nd_pmem.ko*' -print -quit) ]] || return
	done
	return 1
}

# ubuntu_release_name: "Ubuntu 24.04", the host's release.
ubuntu_release_name() {
	local v
	v=$(kernel_os_release VERSION_ID) || v=
	printf 'Ubuntu%s\n' "${v:+ $v}"
}

ubuntu_join() {
	local IFS=,
	local s="$*"
	printf '%s\n' "${s//,/, }"
}
