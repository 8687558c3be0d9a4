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
# kernels pmemlab does not know, Ubuntu while no Ubuntu kernel source
# (vm/kernels/ubuntu.sh) is there, or no way to install packages as root.
# PMEMLAB_OS_RELEASE names the os-release file (a test seam).
ci_host_check() {
	local file=${PMEMLAB_OS_RELEASE:-/etc/os-release} key value id='' like='' name=''
	[[ -r $file ]] || file=/usr/lib/os-release
	while IFS='=' read -r key value; do
		value=${value#[\"\']} value=${value%[\"\']}
		case $key in
		ID) id=$value ;;
		ID_LIKE) like=$value ;;
		PRETTY_NAME) name=$value ;;
		esac
	done <"$file" || die "cannot read $file: which OS is this runner?"
	local fix="run the job in a Debian 12 container: 'container: {image: debian:12, options: --device /dev/kvm}' (docs/CI.md)"
	if [[ $id == ubuntu || " $like " == *" ubuntu "* ]]; then
		[[ -r $PMEMLAB_ROOT/vm/kernels/ubuntu.sh ]] ||
			die "this runner is ${name:-Ubuntu}, and this pmemlab has no Ubuntu kernel source (vm/kernels/ubuntu.sh): $fix"
	elif [[ $id != debian ]]; then
		die "this runner is ${name:-$id}: pmemlab installs Debian's (or Ubuntu's) packages and boots their kernels; $fix"
	fi
	((EUID == 0)) || { command -v sudo >/dev/null && sudo -n true 2>/dev/null; } ||
		die "the steps install packages as root: run as root, or as a user with passwordless sudo (GitHub's hosted runners have it)"
}
