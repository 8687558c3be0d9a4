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
