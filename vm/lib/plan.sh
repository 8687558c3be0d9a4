# shellcheck shell=bash disable=SC2034 # PLAN_* are read by qemu.sh
# Plan guest memory for a backend: where the persistent memory goes and
# how much RAM the guest gets. Checks every request before anything boots.
#
# plan_backend BACKEND SIZES WORKDIR fills the arrays PLAN_QEMU_ARGS and
# PLAN_APPEND (kernel command line words) and sets PLAN_SUMMARY; the
# backend's own file (vm/backends/NAME.sh) says how.

[[ -z ${_pmemlab_loaded_plan:-} ]] || return 0
_pmemlab_loaded_plan=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

plan_backend() {
	local backend=$1 sizes=$2 work=$3
	backend_check "$backend"
	local -a regions
	mapfile -t regions < <(backend_sizes "$backend" "$sizes")
	((${#regions[@]} > 0)) || exit "$EX_USAGE"
	((${#regions[@]} <= BACKEND_MAX[$backend])) ||
		usage_die "too many $backend regions (${#regions[@]}): at most ${BACKEND_MAX[$backend]}"
	PLAN_QEMU_ARGS=() PLAN_NEEDS_BIOS=
	PLAN_APPEND=() PLAN_CPU_FLAGS=() PLAN_NOTES=()
	backend_call "$backend" plan "$work" "$(backend_total "${regions[@]}")" "${regions[@]}"
}
