# shellcheck shell=bash
# pmemlab doctor: check the host (QEMU, packages, tools, KVM, memory, disk,
# the default kernel, the cache) and say what to do about each problem.

# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"
# shellcheck source=scripts/lib/doctor.sh
. "$PMEMLAB_ROOT/scripts/lib/doctor.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/accel.sh
. "$PMEMLAB_ROOT/vm/lib/accel.sh"
# shellcheck source=vm/lib/plan.sh
. "$PMEMLAB_ROOT/vm/lib/plan.sh"

doctor_usage() {
	cat <<USAGE
usage: pmemlab doctor [OPTIONS]

Check this host for what 'pmemlab run' needs: QEMU, its version and what
it offers (per backend), the Debian packages, the tools on PATH, a static
busybox, KVM (or why TCG), memory, disk space in the cache and TMPDIR,
the default kernel and the cache's contents; print what to do about each
problem. Nothing is installed, downloaded or booted (except with
--probe-kvm).
Exit status: 0 nothing blocks a run, 1 something does, 2 bad usage.

options:
  --qemu system|backports|PATH  the QEMU to check, as 'run --qemu' takes
                        it (default: PMEMLAB_QEMU, else system): its version
                        and what it offers (asked over QMP, no guest)
  --probe-kvm           boot one short KVM guest to see whether KVM really works
                        here (the check 'run --accel auto' makes once per host boot)
  --format text|json    a list of checks, or one JSON document
USAGE
}

cmd_doctor() {
	local format=text probe=0 qemu=${PMEMLAB_QEMU:-system}
	while (($#)); do
		case $1 in
		-h | --help)
			doctor_usage
			return 0
			;;
		--probe-kvm)
			probe=1
			shift
			;;
		--format | --qemu)
			(($# >= 2)) || usage_die "option $1 needs a value"
			if [[ $1 == --format ]]; then format=$2; else qemu=$2; fi
			shift 2
			;;
		*) usage_die "doctor: unknown option '$1'" ;;
		esac
	done
	format_check "$format"
	scratch_dir_start doctor
	DOCTOR_TMP=$SCRATCH

	doctor_qemu "$qemu"
	doctor_tools
	doctor_packages
	doctor_busybox
	doctor_probe_binary
	doctor_kernel
	doctor_accel "$probe"
	doctor_memory
	doctor_disk "$DOCTOR_FETCH"
	doctor_cache
	doctor_workdirs

	local json
	json=$(doctor_report_json)
	if [[ $format == json ]]; then
		printf '%s\n' "$json"
	else
		doctor_report_text <<<"$json"
	fi
	[[ $(jq -r .ok <<<"$json") == true ]] || return "$EX_FAIL"
}
