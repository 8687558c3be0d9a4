# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# debian: Debian's kernel packages, fetched into the cache (never
# installed) from the host's apt or, for other suites, from Debian's
# archive through a private apt state (scripts/lib/debian-archive.sh).
#   default, cloud, rt         the host's apt: linux-image-amd64 and the
#                              flavours' meta packages
#   backports, trixie, SUITE   that suite's linux-image-amd64 (backports is
#                              the host release's, e.g. bookworm-backports);
#   SUITE:cloud, SUITE:rt      its flavours
#   6.1.0-28-amd64, 6.12.117+deb13, linux-image-*
#                              a version or package: the host's apt when it
#                              knows it, else the suite its +debN names
# The id is the release (6.12.117+deb13-amd64); the cache holds it under
# kernels/RELEASE with boot/ and lib/modules/ (usr-merged packages too).

KSOURCE_DESC["debian"]="a Debian kernel: default, cloud, rt, backports, trixie (any suite, SUITE:cloud, SUITE:rt), a version (6.1.0-28-amd64, 6.12.117+deb13) or a linux-image-* package"
KSOURCE_RANK["debian"]=10
KSOURCE_WORDS["debian"]="default cloud rt backports trixie"

# Debian's release names: the suites a spec may name.
readonly DEBIAN_SUITES=" bullseye bookworm trixie forky sid "

debian_kernel_match() {
	case ${1:-} in
	# package files (linux-image-V.deb without ./) are the package source's
	*.deb | *.deb[+,]* | *.rpm | *.rpm[+,]* | *.pkg.tar.*) return 1 ;;
	'' | default | cloud | rt | linux-image-* | [0-9]*) return 0 ;;
	*/*) return 1 ;;
	esac
	debian_spec_suite "$1" >/dev/null
}

# debian_spec_suite SPEC: the suite a suite name stands for (backports,
# trixie, trixie-backports, trixie:cloud...), or status 1.
debian_spec_suite() {
	local name=${1%%:*} flavour='' codename
	[[ $1 == *:* ]] && flavour=${1#*:}
	case $flavour in '' | cloud | rt) ;; *) return 1 ;; esac
	if [[ $name == backports ]]; then
		codename=$(kernel_os_release VERSION_CODENAME) || return 1
		[[ $DEBIAN_SUITES == *" $codename "* ]] || codename=bookworm
		name=$codename-backports
	fi
	[[ $DEBIAN_SUITES == *" ${name%-backports} "* ]] || return 1
	printf '%s\n' "$name"
}

debian_kernel_id() {
	local spec=${1:-} pkg suite
	if suite=$(debian_spec_suite "$spec"); then
		pkg=linux-image-amd64
		[[ $spec != *:* ]] || pkg=linux-image-${spec#*:}-amd64
		debian_suite_meta_target "$suite" "$pkg"
		return
	fi
	pkg=$(kernel_spec_package "$spec") || exit
	if kernel_package_is_meta "$pkg"; then
		pkg=$(kernel_meta_target "$pkg") || exit
	fi
	printf '%s\n' "${pkg#linux-image-}"
}

debian_kernel_resolve() {
	kernel_from_package "linux-image-$1"
}

# debian_suite_meta_target SUITE META: the release META points at in
# SUITE (its lists in the cache, fetched once).
debian_suite_meta_target() {
	local suite=$1 meta=$2 dep
	while IFS= read -r dep; do
		[[ $dep =~ ^linux-image-([0-9].*)$ ]] || continue
		printf '%s\n' "${BASH_REMATCH[1]}"
		return
	done < <(debian_archive_depends "$suite" "$meta")
	die "Debian $suite's $meta depends on no versioned kernel package"
}

# debian_version_suite VERSION: the suite to download VERSION from when
# the host's apt does not know it: the one its +debN names (N the host's
# release: that release's backports), else none (status 1).
debian_version_suite() {
	local n codename host
	[[ $1 =~ \+deb([0-9]+) ]] || return 1
	n=${BASH_REMATCH[1]}
	case $n in
	11) codename=bullseye ;;
	12) codename=bookworm ;;
	13) codename=trixie ;;
	14) codename=forky ;;
	*) return 1 ;;
	esac
	host=$(kernel_os_release VERSION_CODENAME) || host=
	[[ $codename != "$host" ]] || codename+=-backports
	printf '%s\n' "$codename"
}

readonly DEFAULT_KERNEL_META=linux-image-amd64

# kernel_spec_package SPEC: the Debian package a name stands for: default,
# cloud and rt are meta packages, versions and package names are taken
# as they are.
kernel_spec_package() {
	case ${1:-} in
	'' | default) printf '%s\n' "$DEFAULT_KERNEL_META" ;;
	cloud | rt) printf 'linux-image-%s-amd64\n' "$1" ;;
	linux-image-*) printf '%s\n' "$1" ;;
	[0-9]*) kernel_package_name "$1" || exit "$EX_USAGE" ;;
	*) usage_die "unknown kernel '$1': give $(kernel_grammar)" ;;
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
	local meta=$1 target
	kernel_meta_ask "$meta"
	target=$KERNEL_META_TARGET
	if [[ -z $target ]]; then
		target=$(kernel_newest_installed) ||
			die "cannot resolve $meta: apt knows no such package and no Debian kernel is installed (run 'apt-get update' as root, or pass --kernel)"
		log "apt does not know $meta; using installed $target"
	fi
	printf '%s\n' "$target"
}

# kernel_meta_ask META: steps 1-3 above, acting: as root one `apt-get
# update` when nothing knows META, and apt's answer recorded in the cache.
# Sets KERNEL_META_TARGET (empty when none knows META), as
# kernel_meta_lookup does; the ubuntu source asks the same way.
kernel_meta_ask() {
	local meta=$1 record
	if ! kernel_meta_lookup "$meta" && ((EUID == 0)); then
		# one update for runs started together: the others wait, then find it
		cache_lock apt
		kernel_meta_lookup "$meta" ||
			apt_update "apt's lists do not know $meta and the cache has no kernel for it"
		cache_unlock
		kernel_meta_lookup "$meta" || true
	fi
	if [[ $KERNEL_META_SOURCE == apt ]]; then
		# kept, so that the next runs need no apt
		record=$(kernel_meta_record "$meta")
		{ mkdir -p "${record%/*}" && printf '%s\n' "$KERNEL_META_TARGET" >"$record.$$" && mv "$record.$$" "$record"; } ||
			die "cannot write $record (disk full?)"
	fi
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
	local version=$1 suite
	if [[ -r /boot/vmlinuz-$version && -e /lib/modules/$version/modules.dep ]]; then
		echo host
	elif [[ -e $(cache_path)/kernels/$version/.complete ]]; then
		echo cache
	elif apt_knows "linux-image-$version"; then
		echo download
	elif suite=$(debian_version_suite "$version"); then
		echo "download from $suite"
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
	local where suite=''
	where=$(kernel_where "$version")
	# Installed on the host already: use it in place.
	if [[ $where == host ]]; then
		KERNEL_IMAGE=/boot/vmlinuz-$version
		KERNEL_BASE=/
		KERNEL_ORIGIN="$(debian_origin '') $pkg (installed on this machine)"
		return
	fi
	local root
	cache_ensure
	root=$CACHE_PATH/kernels/$version
	[[ $where != "download from "* ]] || suite=${where#download from }
	if [[ ! -e $root/.complete ]]; then
		cache_lock "kernel-$version"
		# another run may have fetched it while we waited
		[[ -e $root/.complete ]] || kernel_fetch "$pkg" "$root" "$suite"
		cache_unlock
	fi
	[[ ! -e $root/.suite ]] || suite=$(<"$root/.suite")
	[[ -z $suite ]] || KERNEL_DESC="debian-$suite:$version"
	KERNEL_ORIGIN="$(debian_origin "$suite") $pkg"
	KERNEL_IMAGE=$root/boot/vmlinuz-$version
	KERNEL_BASE=$root
}

# debian_origin SUITE: "Debian 13 trixie:", the release a package came
# from (SUITE empty: the host's own, through its apt).
debian_origin() {
	local suite=${1:-} n
	[[ -n $suite ]] || suite=$(kernel_os_release VERSION_CODENAME) || suite=
	case ${suite%-backports} in
	bullseye) n=11 ;;
	bookworm) n=12 ;;
	trixie) n=13 ;;
	forky) n=14 ;;
	sid) n=unstable ;;
	*)
		printf "the host's apt%s:\n" "${suite:+ ($suite)}"
		return
		;;
	esac
	printf 'Debian %s %s:\n' "$n" "$suite"
}

# kernel_fetch PKG ROOT [SUITE]: download PKG with the host's apt, or
# from Debian's SUITE (no root needed either way), and unpack it into ROOT.
kernel_fetch() {
	local pkg=$1 root=$2 suite=${3:-} tmp deb version=${1#linux-image-}
	command -v dpkg-deb >/dev/null || die "dpkg-deb is needed to unpack $pkg"
	tmp=$(kernel_stage_dir "$root")
	step "fetching kernel package $pkg${suite:+ from Debian $suite}"
	if [[ -n $suite ]]; then
		(debian_archive_download "$suite" "$tmp" "$pkg") || kernel_stage_die "$tmp" "cannot download $pkg from Debian $suite"
	elif ! (cd "$tmp" && apt-get download -q "$pkg" >download.log 2>&1); then
		local why
		why=$(grep -m1 -E '^E:' "$tmp/download.log" || tail -n 1 "$tmp/download.log")
		kernel_stage_die "$tmp" "cannot download $pkg: ${why:-apt-get download failed} (is the version right? 'apt-cache search linux-image' lists them; run 'apt-get update' as root if the lists are old)"
	fi
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
	mkdir -p "$tmp/root"
	dpkg-deb -x "$deb" "$tmp/root" || kernel_stage_die "$tmp" "cannot unpack $deb"
	[[ -e $tmp/root/boot/vmlinuz-$version ]] ||
		kernel_stage_die "$tmp" "$pkg holds no /boot/vmlinuz-$version"
	[[ -z $suite ]] || printf '%s\n' "$suite" >"$tmp/root/.suite"
	# dpkg-deb -x runs no maintainer scripts, so modules.dep is missing.
	kernel_layout_commit "$tmp/root" "$root" "$version" "$pkg" "$tmp"
	rm -rf "$tmp"
}
