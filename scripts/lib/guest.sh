# shellcheck shell=bash
# What a command needs to prepare and boot one guest (run, exec, shell):
# the orchestration libraries and the guest preparation below them.

[[ -z ${_pmemlab_loaded_guest:-} ]] || return 0
_pmemlab_loaded_guest=1

# shellcheck source=scripts/lib/session.sh
. "$PMEMLAB_ROOT/scripts/lib/session.sh"
# shellcheck source=scripts/lib/report.sh
. "$PMEMLAB_ROOT/scripts/lib/report.sh"
