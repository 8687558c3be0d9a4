# shellcheck shell=bash
# A simulated Ubuntu 24.04 host (a GitHub runner) for host-side tests of
# the ubuntu kernel source and of the action: an Ubuntu os-release
# (PMEMLAB_OS_RELEASE), the host's apt (APT_CONFIG) whose only source is
# a local file: repository in the shape of Ubuntu's archive, with lists
# fetched as root as a runner has them, and commands run as nobody in a
# mount namespace whose /boot holds a root-only vmlinuz, as Ubuntu's.
# The kernel packages are built from the suite's cached Debian kernel
# (Ubuntu's cannot be downloaded here) in Ubuntu's shape: linux-image-V
# (boot/vmlinuz-V, mode 0600), linux-modules-V (.ko.zst, boot/config-V),
# linux-modules-extra-V (drivers/nvdimm and drivers/dax, .ko.zst) and the
# meta package linux-image-generic depending on them. V is the Debian
# kernel's release (the image carries it), not an Ubuntu one.
# Needs kernel_package_helpers (pkg_source_kernel, pkg_modules).

# ubuntu_host_prereqs: skip naming what this machine lacks.
ubuntu_host_prereqs() {
	((EUID == 0)) || skip "not root: cannot build the runner's apt lists and run as nobody"
	local tool
	for tool in setpriv unshare dpkg-scanpackages dpkg-deb zstd apt-get; do
		command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install-deps --test)"
	done
	pkg_source_kernel || skip "no Debian kernel in the shared cache (pmemlab kernel fetch default)"
}

# ubuntu_host_create [noextra]: UH, the simulated host's directory (under
# /tmp: nobody cannot reach the test's own), with its repository (without
# linux-modules-extra-V when asked), apt configuration and lists, an
# empty cache and home for nobody. ubuntu_host_remove removes it.
ubuntu_host_create() {
	UH=$(mktemp -d /tmp/pmemlab-ubuntu.XXXXXX)
	chmod 0755 "$UH"
	export PMEMLAB_OS_RELEASE=$UH/os-release
	cat >"$PMEMLAB_OS_RELEASE" <<-'OSR'
		PRETTY_NAME="Ubuntu 24.04.1 LTS"
		NAME="Ubuntu"
		VERSION_ID="24.04"
		VERSION="24.04.1 LTS (Noble Numbat)"
		VERSION_CODENAME=noble
		ID=ubuntu
		ID_LIKE=debian
		UBUNTU_CODENAME=noble
	OSR
	ubuntu_repo "$UH/repo" "${1:-}"
	ubuntu_apt "$UH/apt" "$UH/repo"
	mkdir -p "$UH/cache" "$UH/home" "$UH/tmp"
	chown nobody:nogroup "$UH/cache" "$UH/home" "$UH/tmp"
	export PMEMLAB_CACHE=$UH/cache
}

ubuntu_host_remove() {
	[[ -z ${UH:-} || $UH != /tmp/pmemlab-ubuntu.* ]] || rm -rf -- "$UH"
}

# ubuntu_deb TREE OUT NAME VERSION [DEPENDS] [SOURCE]: a .deb of TREE.
ubuntu_deb() {
	local tree=$1 out=$2 name=$3 version=$4 depends=${5:-} source=${6:-linux}
	mkdir -p "$tree/DEBIAN" "${out%/*}"
	{
		printf 'Package: %s\nSource: %s\nVersion: %s\nArchitecture: amd64\n' "$name" "$source" "$version"
		printf 'Maintainer: Ubuntu Kernel Team <kernel-team@lists.ubuntu.com>\n'
		[[ -z $depends ]] || printf 'Depends: %s\n' "$depends"
		printf 'Section: kernel\nPriority: optional\nDescription: %s (pmemlab test, Ubuntu shape)\n' "$name"
	} >"$tree/DEBIAN/control"
	dpkg-deb --root-owner-group -Zzstd -b "$tree" "$out" >/dev/null
}

# ubuntu_modules DEST DIR...: the kernel's modules under DIR... (relative
# to lib/modules/KVER/kernel) into DEST/kernel as .ko.zst, a few
# processes in all (one per file costs a minute on a loaded machine).
ubuntu_modules() {
	local dest=$1
	shift
	mkdir -p "$dest/kernel"
	(cd "$KROOT/lib/modules/$KVER/kernel" && find "$@" -name '*.ko' -print0 | cpio -p0dm --quiet "$dest/kernel")
	find "$dest/kernel" -name '*.ko' -exec zstd -q --rm {} +
}

# ubuntu_repo ROOT [noextra]: the archive: pool/ and dists/noble/.
ubuntu_repo() {
	local root=$1 noextra=$2 t v abi
	t=$(mktemp -d "$root.build.XXXXXX")
	# Ubuntu's versions: release 6.8.0-49-generic is package version 6.8.0-49.49
	abi=${KVER#*-} abi=${abi%%-*}
	v=${KVER%%-*}-$abi.$abi
	mkdir -p "$t/image/boot" "$t/modules/boot" "$t/modules/lib/modules/$KVER" "$t/extra/lib/modules/$KVER"
	install -m 0600 "$KROOT/boot/vmlinuz-$KVER" "$t/image/boot/vmlinuz-$KVER"
	cp "$KROOT/boot/config-$KVER" "$t/modules/boot/"
	ubuntu_modules "$t/modules/lib/modules/$KVER" "${PKG_BASE_DIRS[@]}"
	cp "$KROOT/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$t/modules/lib/modules/$KVER/"
	ubuntu_modules "$t/extra/lib/modules/$KVER" "${PKG_NVDIMM_DIRS[@]}"
	ubuntu_deb "$t/image" "$root/pool/main/l/linux-signed/linux-image-${KVER}_${v}_amd64.deb" \
		"linux-image-$KVER" "$v" "linux-modules-$KVER" linux-signed
	ubuntu_deb "$t/modules" "$root/pool/main/l/linux/linux-modules-${KVER}_${v}_amd64.deb" \
		"linux-modules-$KVER" "$v"
	local depends="linux-image-$KVER, linux-firmware"
	if [[ $noextra != noextra ]]; then
		ubuntu_deb "$t/extra" "$root/pool/main/l/linux/linux-modules-extra-${KVER}_${v}_amd64.deb" \
			"linux-modules-extra-$KVER" "$v" "linux-modules-$KVER"
		depends="linux-image-$KVER, linux-modules-extra-$KVER, linux-firmware"
	fi
	ubuntu_deb "$t/meta" "$root/pool/main/l/linux-meta/linux-image-generic_${v/-/.}_amd64.deb" \
		linux-image-generic "${v/-/.}" "$depends" linux-meta
	rm -rf "$t"
	local dir=$root/dists/noble/main/binary-amd64
	mkdir -p "$dir"
	(cd "$root" && dpkg-scanpackages -m pool /dev/null 2>/dev/null) >"$dir/Packages"
	gzip -kf "$dir/Packages"
	{
		printf 'Origin: Ubuntu\nLabel: Ubuntu\nSuite: noble\nVersion: 24.04\nCodename: noble\n'
		printf 'Date: %s\nArchitectures: amd64\nComponents: main\nSHA256:\n' "$(LC_ALL=C date -Ru)"
		(cd "$root/dists/noble" && for f in main/binary-amd64/Packages main/binary-amd64/Packages.gz; do
			printf ' %s %s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
		done)
	} >"$root/dists/noble/Release"
	chmod -R a+rX "$root"
}

# ubuntu_apt DIR REPO: the host's apt configuration (APT_CONFIG) with
# REPO as its one source and state of its own, its lists fetched as root.
# The cache directory is root's, as /var/cache/apt is.
ubuntu_apt() {
	local dir=$1 repo=$2
	mkdir -p "$dir/sources.list.d" "$dir/preferences.d" "$dir/lists/partial" "$dir/cache/archives/partial"
	printf 'deb [trusted=yes] file:%s noble main\n' "$repo" >"$dir/sources.list"
	: >"$dir/status"
	cat >"$dir/apt.conf" <<-CONF
		Dir::Etc::SourceList "$dir/sources.list";
		Dir::Etc::SourceParts "$dir/sources.list.d";
		Dir::Etc::Preferences "$dir/preferences";
		Dir::Etc::PreferencesParts "$dir/preferences.d";
		Dir::State "$dir";
		Dir::State::Lists "$dir/lists";
		Dir::State::status "$dir/status";
		Dir::Cache "$dir/cache";
		Acquire::Languages "none";
	CONF
	export APT_CONFIG=$dir/apt.conf
	apt-get update -q >"$dir/update.log" 2>&1 || {
		cat "$dir/update.log" >&2
		return 1
	}
	chmod -R a+rX "$dir"
}

# ubuntu_apt_state: a fingerprint of the host's apt state (lists, status,
# cache, configuration), to show that nothing in it changed.
ubuntu_apt_state() {
	(cd "$UH/apt" && find . -path ./lists/lock -prune -o -type f -print0 | sort -z | xargs -0 sha256sum)
}

# as_runner CMD...: CMD as nobody, in a mount namespace whose /boot holds
# a root-only vmlinuz (Ubuntu's mode 0600), with the host's environment
# of a runner: HOME, TMPDIR, PATH, APT_CONFIG, PMEMLAB_OS_RELEASE,
# PMEMLAB_CACHE and whatever NAME=VALUE words come first.
as_runner() {
	local envs=()
	while [[ ${1:-} == *=* ]]; do
		envs+=("$1")
		shift
	done
	unshare -m bash -c '
		set -e
		mount -t tmpfs -o mode=0755 boot /boot
		printf "root-only\n" >/boot/vmlinuz-6.8.0-49-generic
		chmod 0600 /boot/vmlinuz-6.8.0-49-generic
		exec "$@"' as_runner \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i PATH="${RUNNER_PATH:-/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin}" HOME="$UH/home" TMPDIR="$UH/tmp" \
		APT_CONFIG="$APT_CONFIG" PMEMLAB_OS_RELEASE="$PMEMLAB_OS_RELEASE" PMEMLAB_CACHE="$PMEMLAB_CACHE" \
		"${envs[@]}" "$@"
}
