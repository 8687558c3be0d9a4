# shellcheck shell=bash disable=SC2034 # the DEPS_* lists are read by name (deps_ensure SET)
# Debian packages pmemlab needs, and the check that installs them (as
# root) or prints the exact command (as anyone else).

[[ -z ${_pmemlab_loaded_deps:-} ]] || return 0
_pmemlab_loaded_deps=1

# "package:file-that-proves-it-is-installed"
readonly DEPS_BUILD=(
	gcc:/usr/bin/gcc make:/usr/bin/make libc6-dev:/usr/include/stdio.h
	libpmem-dev:/usr/include/libpmem.h pkg-config:/usr/bin/pkg-config
)
readonly DEPS_GUEST=(
	qemu-system-x86:/usr/bin/qemu-system-x86_64 busybox-static:/bin/busybox
	ndctl:/usr/bin/ndctl daxctl:/usr/bin/daxctl
	xfsprogs:/usr/sbin/mkfs.xfs e2fsprogs:/usr/sbin/mke2fs
	cpio:/usr/bin/cpio kmod:/usr/sbin/depmod jq:/usr/bin/jq
	xz-utils:/usr/bin/xz zstd:/usr/bin/zstd binutils:/usr/bin/readelf
)
readonly DEPS_TEST=(
	bats:/usr/bin/bats shellcheck:/usr/bin/shellcheck shfmt:/usr/bin/shfmt clang-format:/usr/bin/clang-format
	clang:/usr/bin/clang util-linux:/usr/bin/setpriv
	pmdk-tools:/usr/bin/pmempool libpmemobj-dev:/usr/include/libpmemobj.h
	valgrind:/usr/bin/valgrind libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
	chromium:/usr/bin/chromium libxml2-utils:/usr/bin/xmllint python3:/usr/bin/python3
	groff-base:/usr/bin/groff man-db:/usr/bin/man yq:/usr/bin/yq parallel:/usr/bin/parallel
	dpkg-dev:/usr/bin/dpkg-scanpackages rpm:/usr/bin/rpmbuild rpm2cpio:/usr/bin/rpm2cpio
	dmsetup:/usr/sbin/dmsetup
)
# Fedora's kernel packages (vm/kernels/package.sh), asked for when one is given
readonly DEPS_RPM=(rpm2cpio:/usr/bin/rpm2cpio cpio:/usr/bin/cpio)

# deps_missing SET...: packages whose proof file is absent.
deps_missing() {
	local set entry
	for set in "$@"; do
		local -n list=DEPS_${set^^}
		for entry in "${list[@]}"; do
			[[ -e ${entry#*:} ]] || printf '%s\n' "${entry%%:*}"
		done
		unset -n list
	done
	# busybox must be the static build: the guest has no libc of its own
	# (Debian's busybox-static package is; ldd, a script, costs 30 ms)
	if [[ -x /bin/busybox && ! -e /var/lib/dpkg/info/busybox-static.list ]] &&
		ldd /bin/busybox >/dev/null 2>&1; then
		printf 'busybox-static\n'
	fi
}

# deps_ensure SET...: install what is missing, or stop and say how.
deps_ensure() {
	local missing pkgs
	mapfile -t pkgs < <(deps_missing "$@" | uniq_lines)
	missing=${pkgs[*]}
	[[ -n $missing ]] || return 0
	if ((EUID != 0)); then
		log "missing Debian packages: $missing"
		log "install them with: sudo apt-get install -y --no-install-recommends $missing"
		exit "$EX_RUNTIME"
	fi
	log "installing missing Debian packages: $missing"
	# shellcheck disable=SC2086 # a list of package names
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2; then
		apt_update "apt-get install failed (old package lists?)"
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
			die "apt-get install failed for: $missing"
	fi
}

# apt_knows PKG: apt's lists have a candidate for PKG. The output is
# captured first: `apt-cache policy | grep -q` fails under pipefail when
# grep stops reading and apt-cache dies of SIGPIPE.
apt_knows() {
	local policy
	policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
	[[ $policy =~ Candidate:\ [0-9] ]]
}

# apt_update WHY: `apt-get update` (root only), saying why; apt's output
# goes to a log shown only when it fails.
apt_update() {
	local out
	log "$1: running apt-get update"
	out=$(apt-get update -q 2>&1) || die "apt-get update failed: $(tail -n 3 <<<"$out" | tr '\n' ' ')"
}

# The default guest kernel comes from the distro's archive through apt,
# so at set-up apt's lists must know its meta package (META: Debian's
# linux-image-amd64, or Ubuntu's linux-image-generic on Ubuntu) unless
# a Debian kernel is installed (Ubuntu's installed one is not used).
deps_kernel_lists() {
	local meta=${1:-linux-image-amd64}
	apt_knows "$meta" && return 0
	[[ $meta != linux-image-amd64 ]] || ! compgen -G '/boot/vmlinuz-*' >/dev/null || return 0
	if ((EUID == 0)); then
		apt_update "apt's package lists do not know $meta"
	else
		log "apt's package lists do not know $meta: run 'sudo apt-get update' (or pass --kernel)"
	fi
}
