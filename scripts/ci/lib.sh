# shellcheck shell=bash
# What the GitHub Action's steps (action.yml, scripts/ci/*) share: the
# files GitHub gives a step and how to write into them. Needs
# scripts/lib/common.sh.
#
# GitHub sets, for every step: GITHUB_OUTPUT (a file: NAME=VALUE lines,
# the step's outputs), GITHUB_STEP_SUMMARY (a file: Markdown shown on the
# run's page), RUNNER_TEMP (a directory emptied after the job) and
# GITHUB_WORKSPACE (the checkout). The test suite sets them to its own
# files to run the steps here (tests/33-ci-action.bats).

# ci_need_env NAME...: stop when GitHub did not set NAME.
ci_need_env() {
	local name
	for name in "$@"; do
		[[ -n ${!name:-} ]] || die "$name is not set: this step runs in a GitHub Actions job (or a test that sets it)"
	done
}

# ci_output NAME VALUE: a step output. A value with a newline is written
# between delimiter lines, as GitHub's multiline syntax wants.
ci_output() {
	local name=$1 value=$2 eof
	if [[ $value == *$'\n'* ]]; then
		eof=pmemlab_eof_$RANDOM$RANDOM
		printf '%s<<%s\n%s\n%s\n' "$name" "$eof" "$value" "$eof" >>"$GITHUB_OUTPUT"
	else
		printf '%s=%s\n' "$name" "$value" >>"$GITHUB_OUTPUT"
	fi
}

# ci_summary: append stdin to the step summary.
ci_summary() {
	cat >>"$GITHUB_STEP_SUMMARY"
}

# ci_as_root CMD...: CMD as root: directly when we are root (a container
# job), through sudo -n otherwise (a hosted runner's user may sudo
# without a password); 1 when neither is possible.
ci_as_root() {
	if ((EUID == 0)); then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo -n "$@"
	else
		return 1
	fi
}

# ci_host_check: the first step stops, with the reason and the fix, on a
# runner where a later step could not work: an OS whose packages and
# kernels pmemlab does not know (Debian and Ubuntu: vm/kernels/debian.sh,
# ubuntu.sh), a machine that is not x86_64, or no way to install
# packages as root. PMEMLAB_OS_RELEASE names the os-release file (a test
# seam).
ci_host_check() {
	local file=${PMEMLAB_OS_RELEASE:-/etc/os-release} key value id='' like='' name='' arch
	[[ -r $file ]] || file=/usr/lib/os-release
	while IFS='=' read -r key value; do
		value=${value#[\"\']} value=${value%[\"\']}
		case $key in
		ID) id=$value ;;
		ID_LIKE) like=$value ;;
		PRETTY_NAME) name=$value ;;
		esac
	done <"$file" || die "cannot read $file: which OS is this runner?"
	if [[ $id != debian && $id != ubuntu && " $like " != *" ubuntu "* ]]; then
		die "this runner is ${name:-$id}: pmemlab installs Debian's (or Ubuntu's) packages and boots their kernels; run the job on 'runs-on: ubuntu-latest', or in a Debian 12 container: 'container: {image: debian:12, options: --device /dev/kvm}' (docs/CI.md)"
	fi
	arch=$(uname -m)
	[[ $arch == x86_64 ]] ||
		die "this runner is $arch: pmemlab boots x86_64 guests with x86_64 kernels; use an x86_64 runner ('runs-on: ubuntu-latest')"
	((EUID == 0)) || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; } ||
		die "the steps install packages as root: run as root, or as a user with passwordless sudo (GitHub's hosted runners have it)"
}

# ci_kernel_check SPEC: the kernel SPEC names, resolved here as the
# later steps will (kernel_id: apt's lists, no download), and to be had
# (in the cache, or known to apt or Debian's archive), or the step stops
# with why and what to do. Needs vm/lib/kernel.sh.
ci_kernel_check() {
	local spec=$1 status=0 id src fix
	fix="pass 'kernel:' a release its apt knows ('apt-cache search linux-image-'), or run the job in a Debian 12 container (docs/CI.md)"
	id=$(kernel_id "$spec") || status=$?
	((status == 0)) ||
		DIE_STATUS=$status die "the kernel '$spec' cannot be resolved on this runner (the reason is above): $fix"
	src=$(kernel_source_of "$id")
	case $src in
	debian) [[ $(kernel_where "$id") != unavailable ]] ;;
	ubuntu) [[ -e $(cache_path)/kernels/$id/.complete ]] || apt_knows "linux-image-$id" ;;
	esac || die "the kernel '$spec' ($id) is neither in the cache nor known to this runner's apt: $fix"
}
