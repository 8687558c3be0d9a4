# shellcheck shell=bash disable=SC2034 # ACCEL_*, KVM_DEVICE are read by the session and doctor
# Choose KVM or TCG. /dev/kvm is only a hint: on some hosts it exists but
# guests hang before the kernel prints a line (docs/KERNEL-NOTES.md,
# "KVM caveats"), so `auto` boots the real kernel once under KVM and
# watches for progress. The verdict is cached for the host's boot.
#
# accel_choose MODE sets ACCEL (kvm|tcg), ACCEL_ARGS and ACCEL_REASON.

[[ -z ${_pmemlab_loaded_accel:-} ]] || return 0
_pmemlab_loaded_accel=1

: "${PMEMLAB_KVM_PROBE_TIMEOUT:=10}"

accel_choose() {
	local mode=$1
	case $mode in
	tcg) accel_use tcg "asked for" ;;
	kvm)
		if ! kvm_device_usable; then
			((KVM_FIX_NEEDED == 0)) || usage_die "--accel kvm: $KVM_WHY; $KVM_FIX"
			usage_die "--accel kvm: $KVM_WHY"
		fi
		accel_use kvm "asked for"
		;;
	auto)
		if ! kvm_device_usable; then
			accel_use tcg "$KVM_WHY"
			((KVM_FIX_NEEDED == 0)) || log "KVM would be much faster: $KVM_FIX"
		elif kvm_guest_progresses; then
			accel_use kvm "a KVM guest boots here"
		else
			accel_use tcg "/dev/kvm is there but a KVM guest made no progress in ${PMEMLAB_KVM_PROBE_TIMEOUT}s"
		fi
		;;
	*) usage_die "unknown accel '$mode': choose auto, kvm or tcg" ;;
	esac
}

accel_use() {
	ACCEL=$1
	ACCEL_REASON=$2
	case $ACCEL in
	kvm) ACCEL_ARGS=(-accel kvm -cpu max) ;;
	# no 5-level paging (each TCG page walk one level shorter) and no
	# ERMS: about 1 s off an 11-fixture run (docs/KERNEL-NOTES.md).
	# QEMU 10's "max" stalls Linux's boot under TCG (docs/KERNEL-NOTES.md,
	# "QEMU 10's max CPU under TCG"): a named model there
	tcg)
		if [[ ${QEMU_VERSION:-0} =~ ^([0-9]+) ]] && ((BASH_REMATCH[1] >= 10)); then
			ACCEL_ARGS=(-accel tcg -cpu Skylake-Server-v4,-erms)
		else
			ACCEL_ARGS=(-accel tcg -cpu max,-la57,-erms)
		fi
		;;
	esac
}

# The fix for a /dev/kvm its user cannot open, as on GitHub's hosted
# runners (crw-rw---- root:kvm, the runner outside group kvm).
readonly KVM_FIX="make /dev/kvm usable: echo 'KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0666\", OPTIONS+=\"static_node=kvm\"' | sudo tee /etc/udev/rules.d/99-kvm4all.rules && sudo udevadm control --reload-rules && sudo udevadm trigger --name-match=kvm (in a container job: --device /dev/kvm; or add the user to group kvm)"

# PMEMLAB_TEST_KVM_DEVICE: a test seam standing for /dev/kvm.
# kvm_device_usable sets KVM_DEVICE (usable, no-access, missing) and,
# when it is not usable, KVM_WHY.
kvm_device_usable() {
	local dev=${PMEMLAB_TEST_KVM_DEVICE:-/dev/kvm}
	KVM_FIX_NEEDED=0 KVM_DEVICE=usable
	if [[ ! -e $dev ]]; then
		KVM_WHY="no /dev/kvm" KVM_DEVICE=missing
	elif [[ ! -r $dev || ! -w $dev ]]; then
		KVM_WHY="/dev/kvm exists but $(id -un) cannot open it ($(stat -c '%A %U:%G' "$dev"))"
		KVM_FIX_NEEDED=1 KVM_DEVICE=no-access
	else
		return 0
	fi
	return 1
}

# The KVM verdict of this host boot: its file, and what it says
# (works, hangs, or unknown when no run checked yet). Looks only.
kvm_verdict_file() {
	local boot_id
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	printf '%s\n' "$(cache_path)/kvm-verdict-$boot_id"
}

kvm_verdict_cached() {
	local file
	file=$(kvm_verdict_file)
	if [[ -r $file ]]; then cat "$file"; else echo unknown; fi
}

kvm_guest_progresses() {
	local verdict_file
	cache_dir >/dev/null
	verdict_file=$(kvm_verdict_file)
	if [[ -e $verdict_file ]]; then
		[[ $(cat "$verdict_file") == works ]]
		return
	fi
	step "checking that KVM guests make progress (up to ${PMEMLAB_KVM_PROBE_TIMEOUT}s, once per host boot)"
	local log pid verdict=hangs
	log=$(mktemp)
	"${DIE_WITH_US_KILL[@]}" "$QEMU_BIN" "${QEMU_DATA_ARGS[@]}" -accel kvm -cpu max -m 256M -nodefaults -no-user-config \
		-display none -no-reboot -serial "file:$log" \
		-kernel "$KERNEL_IMAGE" -append "console=ttyS0 panic=-1 rdinit=/nonexistent" \
		>/dev/null 2>&1 &
	pid=$!
	if poll_wait_for "$PMEMLAB_KVM_PROBE_TIMEOUT" grep -q 'Linux version' "$log"; then
		verdict=works
	fi
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$log" "$verdict_file".*
	printf '%s\n' "$verdict" >"$verdict_file"
	[[ $verdict == works ]]
}
