#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# The ubuntu kernel source (vm/kernels/ubuntu.sh) on a simulated Ubuntu
# 24.04 host (tests/ubuntu_host_helpers.bash): its os-release, its apt
# with a local repository in Ubuntu's package shapes, a non-root user and
# a root-only /boot. Host side: nothing boots here (tests/58 boots the
# kernel once, through the action's steps).
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	load kernel_package_helpers
	load ubuntu_host_helpers
	ubuntu_host_prereqs
	ubuntu_host_create
	# the same host without linux-modules-extra in its archive
	local uh=$UH
	ubuntu_host_create noextra
	export UH_FULL=$uh UH_NOEXTRA=$UH
}

teardown_file() {
	local uh
	for uh in "${UH_FULL:-}" "${UH_NOEXTRA:-}"; do
		UH=$uh ubuntu_host_remove
	done
}

setup() {
	load vm_helpers
	load kernel_package_helpers
	load ubuntu_host_helpers
	ubuntu_host_prereqs
	[[ -n ${UH_FULL:-} ]] || skip "the simulated Ubuntu host was not built"
	use_host "$UH_FULL"
}

# use_host DIR: the simulated host DIR, with an empty cache of its own.
use_host() {
	UH=$1
	export PMEMLAB_OS_RELEASE=$UH/os-release APT_CONFIG=$UH/apt/apt.conf
	export PMEMLAB_CACHE=$UH/cache-$BATS_TEST_NUMBER
	mkdir -p "$PMEMLAB_CACHE"
	chown nobody:nogroup "$PMEMLAB_CACHE"
}

# nothing_fetched: the cache holds no kernel and no unfinished download.
nothing_fetched() {
	[[ -z $(find "$PMEMLAB_CACHE" -mindepth 2 -maxdepth 2 -path '*/kernels/*' ! -name '*.target') ]]
}

@test "on an Ubuntu host, default is linux-image-generic's kernel: image, modules and modules-extra, fetched as nobody" {
	local before
	before=$(ubuntu_apt_state)
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel fetch default
	echo "$stderr" >&2
	local root=$PMEMLAB_CACHE/kernels/$KVER
	[[ $output == "default"$'\t'"$KVER"$'\t'"$root/boot/vmlinuz-$KVER" ]]
	[[ $stderr == *"fetching Ubuntu kernel packages linux-image-$KVER linux-modules-$KVER linux-modules-extra-$KVER"* ]]
	# the image is 0600 in the package: readable in the cache by whoever boots it
	[[ $(stat -c %a "$root/boot/vmlinuz-$KVER") == 644 ]]
	# modules.dep rebuilt over the .ko.zst of both module packages
	grep -q "kernel/drivers/nvdimm/nd_pmem.ko.zst:" "$root/lib/modules/$KVER/modules.dep"
	grep -q "kernel/fs/xfs/xfs.ko.zst:" "$root/lib/modules/$KVER/modules.dep"
	[[ -r $root/boot/config-$KVER ]]
	[[ $(<"$root/.origin") == "Ubuntu 24.04: linux-image-$KVER, linux-modules-$KVER, linux-modules-extra-$KVER" ]]
	[[ ! -e $root/.modules-hint ]]
	[[ $(<"$PMEMLAB_CACHE/kernels/linux-image-generic.target") == "linux-image-$KVER" ]]
	# the host's apt (lists, status, cache, configuration) is as it was
	[[ $(ubuntu_apt_state) == "$before" ]]
	[[ -z $(find "$PMEMLAB_CACHE/kernels" -maxdepth 1 -name '.fetch.*') ]]
}

@test "on an Ubuntu host, a release and its linux-image package name the same kernel, fetched once" {
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel fetch "linux-image-$KVER"
	[[ $output == "linux-image-$KVER"$'\t'"$KVER"$'\t'"$PMEMLAB_CACHE/kernels/$KVER/boot/vmlinuz-$KVER" ]]
	[[ $stderr == *"fetching Ubuntu kernel packages linux-image-$KVER "* ]]
	# the release by name is the same kernel: found in the cache
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel fetch "$KVER"
	[[ $(cut -f2 <<<"$output") == "$KVER" ]]
	[[ $stderr != *fetching* ]]
	# no meta package was asked: no record of one
	[[ ! -e $PMEMLAB_CACHE/kernels/linux-image-generic.target ]]
}

@test "kernel list and doctor name the Ubuntu source and the packages the kernel came from" {
	run -0 --separate-stderr as_runner "$PMEMLAB" doctor --format json
	[[ $(jq -r '.kernel.source' <<<"$output") == ubuntu ]]
	[[ $(jq -r '.kernel.version' <<<"$output") == "$KVER" ]]
	[[ $(jq -r '.kernel.where' <<<"$output") == download ]]
	[[ $(jq -r '.checks[] | select(.name == "kernel") | .message' <<<"$output") == "kernel source ubuntu (Ubuntu 24.04 host): linux-image-generic -> linux-image-$KVER, not here yet: the first run downloads it with linux-modules-$KVER and linux-modules-extra-$KVER (apt-get download, no install)" ]]
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel fetch default
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel list --format json
	[[ $(jq -r --arg v "$KVER" '.kernels[] | select(.version == $v) | .origin' <<<"$output") == "Ubuntu 24.04: linux-image-$KVER, linux-modules-$KVER, linux-modules-extra-$KVER" ]]
	[[ $(jq -r '.names[] | select(.name == "linux-image-generic") | .resolves_to' <<<"$output") == "$KVER" ]]
	run -0 --separate-stderr as_runner "$PMEMLAB" doctor --format json
	[[ $(jq -r '.kernel.where' <<<"$output") == cache ]]
}

@test "without linux-modules-extra in the archive, the fetch names the missing nvdimm drivers and where Ubuntu ships them" {
	use_host "$UH_NOEXTRA"
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel fetch default
	echo "$stderr" >&2
	local root=$PMEMLAB_CACHE/kernels/$KVER
	[[ $stderr == *"Ubuntu 24.04 ships the nvdimm drivers (libnvdimm, nd_pmem, nd_btt, nd_e820) in linux-modules-extra-$KVER, which this host's apt does not know: PMem fixtures will be unsupported"* ]]
	[[ $(<"$root/.origin") == "Ubuntu 24.04: linux-image-$KVER, linux-modules-$KVER" ]]
	[[ -s $root/.modules-hint ]]
	run -1 grep -q nd_pmem "$root/lib/modules/$KVER/modules.dep"
}

@test "without linux-modules-extra, a run's PMem fixtures are unsupported naming the package, and no guest boots" {
	grep -q '^session_module_gaps()' "$BATS_TEST_DIRNAME/../scripts/lib/session.sh" ||
		skip "this pmemlab has no missing-module verdict before boot yet (session_module_gaps, issue 23 point 3)"
	use_host "$UH_NOEXTRA"
	run --separate-stderr as_runner TMPDIR="$UH/tmp" "$PMEMLAB" run --fixture xfs-dax --accel tcg --format json
	echo "$stderr" >&2
	[[ $(jq -r '.fixtures[0].status' <<<"$output") == unsupported ]]
	[[ $(jq -r '.fixtures[0].reason' <<<"$output") == *"libnvdimm.ko"*"Ubuntu 24.04 ships the nvdimm drivers (libnvdimm, nd_pmem, nd_btt, nd_e820) in linux-modules-extra-$KVER, which this host's apt does not know"* ]]
	[[ $(jq -r .boot_seconds <<<"$output") == 0 ]]
}

@test "an Ubuntu release the host's apt does not know exits 3 naming the package, and nothing stays in the cache" {
	run -3 --separate-stderr as_runner "$PMEMLAB" kernel fetch 6.8.0-49-generic
	[[ $stderr == *"cannot download linux-image-6.8.0-49-generic: this host's apt knows no such package"* ]]
	nothing_fetched
}

@test "an Ubuntu host whose apt lists do not know linux-image-generic says so and what to run" {
	# the same host before its first apt-get update: no lists
	local conf=$UH/apt-nolists-$BATS_TEST_NUMBER.conf
	mkdir -p "$UH/nolists-$BATS_TEST_NUMBER/partial"
	sed "s|\"$UH/apt/lists\"|\"$UH/nolists-$BATS_TEST_NUMBER\"|" "$UH/apt/apt.conf" >"$conf"
	chmod -R a+rX "$conf" "$UH/nolists-$BATS_TEST_NUMBER"
	APT_CONFIG=$conf run -3 --separate-stderr as_runner "$PMEMLAB" kernel fetch default
	[[ $stderr == *"cannot resolve linux-image-generic: this Ubuntu host's apt knows no such package (run 'sudo apt-get update', or pass --kernel RELEASE"* ]]
	nothing_fetched
}

@test "kernel update on an Ubuntu host asks apt again what linux-image-generic points at, and says what it was" {
	mkdir -p "$PMEMLAB_CACHE/kernels"
	echo linux-image-6.8.0-1-generic >"$PMEMLAB_CACHE/kernels/linux-image-generic.target"
	chown -R nobody:nogroup "$PMEMLAB_CACHE/kernels"
	run -0 --separate-stderr as_runner "$PMEMLAB" kernel update
	[[ $output == "default"$'\t'"$KVER (was 6.8.0-1-generic)" ]]
	[[ $stderr == *"not root: apt's lists stay as they are"* ]]
	[[ $(<"$PMEMLAB_CACHE/kernels/linux-image-generic.target") == "linux-image-$KVER" ]]
}

@test "an Ubuntu release on a Debian host exits 2 naming its package files as the way to use it" {
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_CODENAME=bookworm\n' >"$BATS_TEST_TMPDIR/os-release"
	export PMEMLAB_OS_RELEASE=$BATS_TEST_TMPDIR/os-release TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	run -2 --separate-stderr "$PMEMLAB" run --dry-run --kernel 6.8.0-49-generic
	[[ $stderr == *"'6.8.0-49-generic' is an Ubuntu kernel: pmemlab downloads Ubuntu's kernels with an Ubuntu host's apt, and this host is Debian GNU/Linux 12 (bookworm); give its package files instead (--kernel linux-image-6.8.0-49-generic.deb,linux-modules-6.8.0-49-generic.deb,linux-modules-extra-6.8.0-49-generic.deb)"* ]]
	run -2 --separate-stderr "$PMEMLAB" kernel fetch linux-image-6.8.0-49-generic
	[[ $stderr == *"'linux-image-6.8.0-49-generic' is an Ubuntu kernel"* ]]
	nothing_fetched
	[[ -z $(ls -A "$TMPDIR") ]]
}
