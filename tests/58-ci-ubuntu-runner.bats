#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# The action's steps (scripts/ci/*, in action.yml's order) on a simulated
# `runs-on: ubuntu-latest` runner without a container
# (tests/ubuntu_host_helpers.bash: Ubuntu 24.04's os-release, its apt
# with a local repository in Ubuntu's package shapes, the runner's user
# as nobody with passwordless sudo, a root-only /boot), with and without
# a /dev/kvm stand-in; and in the shape of a `debian:12` container job
# (root, no sudo, no /dev/kvm). The GitHub environment is files of the
# test, as in tests/33. One test boots Ubuntu's kernel through the run
# step; the others run a stand-in pmemlab in the run step.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	load kernel_package_helpers
	load ubuntu_host_helpers
	ubuntu_host_prereqs
	ubuntu_host_create
	export UH
	# the runner's sudo (passwordless: runs the command, here as the
	# runner's user) and udevadm (applies the kvm rule when UDEV_APPLIES=1),
	# logging their calls
	mkdir -p "$UH/bin"
	cat >"$UH/bin/sudo" <<-'STUB'
		#!/bin/sh
		[ "$1" = -n ] && shift
		echo "sudo $*" >>"$STUB_LOG"
		exec "$@"
	STUB
	cat >"$UH/bin/udevadm" <<-'STUB'
		#!/bin/sh
		echo "udevadm $*" >>"$STUB_LOG"
		[ "$1" = trigger ] && [ "$UDEV_APPLIES" = 1 ] && chmod 0666 "$PMEMLAB_TEST_KVM_DEVICE"
		exit 0
	STUB
	chmod 0755 "$UH/bin/sudo" "$UH/bin/udevadm"
}

teardown_file() {
	ubuntu_host_remove
}

setup() {
	load vm_helpers
	load kernel_package_helpers
	load ubuntu_host_helpers
	ubuntu_host_prereqs
	[[ -n ${UH:-} && -d $UH/repo ]] || skip "the simulated Ubuntu runner was not built"
	CI=$(readlink -f "$BATS_TEST_DIRNAME/../scripts/ci")
	export PMEMLAB_OS_RELEASE=$UH/os-release APT_CONFIG=$UH/apt/apt.conf
	# this test's job: its cache, GitHub's files and directories, nobody's
	local job=$UH/job-$BATS_TEST_NUMBER
	mkdir -p "$job/cache" "$job/runner_temp" "$job/workspace" "$job/rules.d"
	: >"$job/github_output"
	: >"$job/step_summary"
	: >"$job/github_path"
	: >"$job/stub.log"
	chown -R nobody:nogroup "$job"
	export PMEMLAB_CACHE=$job/cache GITHUB_OUTPUT=$job/github_output GITHUB_STEP_SUMMARY=$job/step_summary \
		GITHUB_PATH=$job/github_path RUNNER_TEMP=$job/runner_temp GITHUB_WORKSPACE=$job/workspace \
		STUB_LOG=$job/stub.log JOB=$job
	export RUNNER_PATH=$UH/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
}

# output NAME: the step output NAME as GitHub reads it.
output() {
	sed -n "s/^$1=//p" "$GITHUB_OUTPUT"
}

# ci_step NAME [VAR=VALUE...]: the action's step NAME as the runner's
# user, with GitHub's environment.
ci_step() {
	local name=$1
	shift
	as_runner GITHUB_OUTPUT="$GITHUB_OUTPUT" GITHUB_STEP_SUMMARY="$GITHUB_STEP_SUMMARY" \
		GITHUB_PATH="$GITHUB_PATH" RUNNER_TEMP="$RUNNER_TEMP" GITHUB_WORKSPACE="$GITHUB_WORKSPACE" \
		RUNNER_OS=Linux RUNNER_ARCH=X64 STUB_LOG="$STUB_LOG" PMEMLAB_TEST_UDEV_RULES_DIR="$JOB/rules.d" \
		"$@" "$CI/$name"
}

# stand_in SCRIPT: a pmemlab for the run step that prints SCRIPT's output.
stand_in() {
	local f=$JOB/pmemlab
	{
		printf '#!/usr/bin/env bash\n'
		cat
	} >"$f"
	chmod 0755 "$f"
	STAND_IN=$f
}

@test "ubuntu-latest: the deps step installs through sudo, checks Ubuntu's kernel, and puts pmemlab on the PATH" {
	run -0 --separate-stderr ci_step deps INPUT_KERNEL=default
	echo "$stderr" >&2
	# sudo -n asked first (can the user install?), then install-deps through it
	[[ $(<"$STUB_LOG") == "sudo true"$'\n'"sudo $(readlink -f "$CI/../install-deps")" ]]
	[[ $(<"$GITHUB_PATH") == "$(readlink -f "$CI/..")" ]]
	# resolving the kernel recorded what linux-image-generic points at
	[[ $(<"$PMEMLAB_CACHE/kernels/linux-image-generic.target") == "linux-image-$KVER" ]]
}

@test "ubuntu-latest: a runner whose apt cannot resolve the kernel fails the deps step, with the reason and the fix" {
	local conf=$JOB/apt-nolists.conf
	mkdir -p "$JOB/nolists/partial"
	sed "s|\"$UH/apt/lists\"|\"$JOB/nolists\"|" "$UH/apt/apt.conf" >"$conf"
	chmod -R a+rX "$conf" "$JOB/nolists"
	APT_CONFIG=$conf run -3 --separate-stderr ci_step deps INPUT_KERNEL=default
	[[ $stderr == *"cannot resolve linux-image-generic: this Ubuntu host's apt knows no such package"* ]]
	[[ $stderr == *"the kernel 'default' cannot be resolved on this runner (the reason is above): pass 'kernel:' a release its apt knows"*"Debian 12 container"* ]]
	[[ ! -s $GITHUB_PATH ]]
	# a release apt does not know stops here too, not in the kernel step
	run -3 --separate-stderr ci_step deps INPUT_KERNEL=6.8.0-49-generic
	[[ $stderr == *"the kernel '6.8.0-49-generic' (6.8.0-49-generic) is neither in the cache nor known to this runner's apt: pass 'kernel:' a release its apt knows"* ]]
	[[ ! -s $GITHUB_PATH ]]
}

@test "an arm64 Ubuntu runner fails the first step, naming an x86_64 runner as the fix" {
	mkdir -p "$JOB/bin"
	printf '#!/bin/sh\necho aarch64\n' >"$JOB/bin/uname"
	chmod 0755 "$JOB/bin" "$JOB/bin/uname"
	RUNNER_PATH=$JOB/bin:$RUNNER_PATH run -3 --separate-stderr ci_step deps
	[[ $stderr == *"this runner is aarch64: pmemlab boots x86_64 guests with x86_64 kernels; use an x86_64 runner ('runs-on: ubuntu-latest')"* ]]
	[[ ! -s $STUB_LOG && ! -s $GITHUB_PATH ]]
}

@test "ubuntu-latest: the cache key is Ubuntu's kernel release, resolved without a download" {
	run -0 --separate-stderr ci_step cache-key INPUT_KERNEL=default
	[[ $(output key) == "pmemlab-Linux-X64-kernel-$KVER" ]]
	[[ $(output path) == "$PMEMLAB_CACHE" ]]
	[[ -z $(find "$PMEMLAB_CACHE/kernels" -mindepth 1 -maxdepth 1 -type d) ]]
	: >"$GITHUB_OUTPUT"
	run -0 --separate-stderr ci_step cache-key INPUT_KERNEL=linux-image-6.8.0-49-generic
	[[ $(output key) == pmemlab-Linux-X64-kernel-6.8.0-49-generic ]]
}

@test "ubuntu-latest with a /dev/kvm the runner's user cannot open: the steps pass, the udev rule opens it, KVM is confirmed" {
	: >"$JOB/kvm"
	chmod 0000 "$JOB/kvm"
	chown nobody "$JOB/kvm"
	local kvm=(PMEMLAB_TEST_KVM_DEVICE="$JOB/kvm")
	run -0 --separate-stderr ci_step deps
	run -0 --separate-stderr ci_step kvm "${kvm[@]}" UDEV_APPLIES=1
	[[ $(output kvm) == enabled ]]
	[[ $(<"$JOB/rules.d/99-kvm4all.rules") == 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"' ]]
	run -0 --separate-stderr ci_step cache-key INPUT_KERNEL=default
	[[ $(output key) == "pmemlab-Linux-X64-kernel-$KVER" ]]
	run -0 --separate-stderr ci_step kernel INPUT_KERNEL=default
	[[ $stderr == *"fetching Ubuntu kernel packages linux-image-$KVER linux-modules-$KVER linux-modules-extra-$KVER"* ]]
	[[ -e $PMEMLAB_CACHE/kernels/$KVER/.complete ]]
	# a guest under KVM cannot start here: the run step's pmemlab is a
	# stand-in printing what a KVM guest reports
	stand_in <<-EOF
		jq -n '{backend: "memmap", size: "1G", kernel: "ubuntu:$KVER", guest_kernel: "$KVER",
			kernel_origin: "Ubuntu 24.04: linux-image-$KVER", accel: "kvm", accel_reason: "a KVM guest boots here",
			clocksource: "kvm-clock", passed: 1, failed: 0, skipped: 0, ok: true,
			fixtures: [{fixture: "xfs-dax", expected: "pmem", status: "ok", result: "pass",
			  probe: {verdict: "pmem", pmem_pages: 8, present: 8,
			   evidence: {statx_dax: true, map_sync: true, libpmem_is_pmem: true}}}]}'
	EOF
	run -0 --separate-stderr ci_step run "${kvm[@]}" PMEMLAB_TEST_PMEMLAB="$STAND_IN" INPUT_FIXTURE=xfs-dax
	[[ $(output accel) == kvm && $(output accel-confirmed) == true && $(output passed) == 1 ]]
}

# bats test_tags=vm
@test "ubuntu-latest without /dev/kvm: deps, kvm, cache-key, kernel, and the run step boots Ubuntu's kernel as nobody" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
	local nokvm=(PMEMLAB_TEST_KVM_DEVICE="$JOB/no-kvm")
	run -0 --separate-stderr ci_step deps
	run -0 --separate-stderr ci_step kvm "${nokvm[@]}"
	[[ $(output kvm) == missing ]]
	run -0 --separate-stderr ci_step cache-key INPUT_KERNEL=default
	run -0 --separate-stderr ci_step kernel INPUT_KERNEL=default
	# one fixture: xfs-dax loads modules of both module packages (xfs, nd_pmem)
	run --separate-stderr ci_step run "${nokvm[@]}" INPUT_FIXTURE=xfs-dax INPUT_ARGS="--accel tcg"
	echo "$stderr" >&2
	[[ $status -eq 0 ]]
	local json=$RUNNER_TEMP/pmemlab/pmemlab.json
	[[ $(output passed) == 1 && $(output failed) == 0 && $(output accel) == tcg ]]
	[[ $(jq -r .kernel "$json") == "ubuntu:$KVER" ]]
	[[ $(jq -r .kernel_origin "$json") == "Ubuntu 24.04: linux-image-$KVER, linux-modules-$KVER, linux-modules-extra-$KVER" ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "xfs-dax") | .probe.verdict' "$json") == pmem ]]
	# the summary names the kernel and where it came from
	grep -qF "kernel $KVER (Ubuntu 24.04: linux-image-$KVER, linux-modules-$KVER, linux-modules-extra-$KVER), tcg" "$GITHUB_STEP_SUMMARY"
	echo "# guest: boot_seconds $(jq .boot_seconds "$json")" >&3
}

@test "a debian:12 container job (root, no sudo, no /dev/kvm): every step passes with Debian's kernel" {
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' >"$JOB/os-release"
	seed_kernels "$PMEMLAB_CACHE"
	local debian_kver
	debian_kver=$(sed 's/^linux-image-//' "$PMEMLAB_CACHE/kernels/linux-image-amd64.target")
	# the container's environment: root, the host's own apt, a PATH without sudo
	local env=(env -u APT_CONFIG PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
		PMEMLAB_OS_RELEASE="$JOB/os-release" PMEMLAB_TEST_KVM_DEVICE="$JOB/no-kvm"
		PMEMLAB_TEST_UDEV_RULES_DIR="$JOB/rules.d" RUNNER_OS=Linux RUNNER_ARCH=X64 INPUT_KERNEL=default)
	run -0 --separate-stderr "${env[@]}" "$CI/deps"
	[[ $(<"$GITHUB_PATH") == "$(readlink -f "$CI/..")" ]]
	run -0 --separate-stderr "${env[@]}" "$CI/kvm"
	[[ $(output kvm) == missing ]]
	run -0 --separate-stderr "${env[@]}" "$CI/cache-key"
	[[ $(output key) == "pmemlab-Linux-X64-kernel-$debian_kver" ]]
	run -0 --separate-stderr "${env[@]}" "$CI/kernel"
	stand_in <<-EOF
		jq -n '{backend: "memmap", size: "1G", kernel: "debian:$debian_kver", accel: "tcg", clocksource: "tsc",
			passed: 1, failed: 0, skipped: 0, fixtures: []}'
	EOF
	run -0 --separate-stderr "${env[@]}" PMEMLAB_TEST_PMEMLAB="$STAND_IN" "$CI/run"
	[[ $(output accel) == tcg && $(output accel-confirmed) == false ]]
	[[ ! -s $STUB_LOG ]]
}
