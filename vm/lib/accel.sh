# shellcheck shell=bash
# Choose KVM or TCG. /dev/kvm is only a hint: on some hosts it exists but
# guests hang before the kernel prints a line (KNOWLEDGE.md), so `auto`
# boots the real kernel once under KVM and watches for progress. The
# verdict is cached for the host's boot.
#
# accel_choose MODE sets ACCEL (kvm|tcg), ACCEL_ARGS and ACCEL_REASON.

: "${PMEMLAB_KVM_PROBE_TIMEOUT:=10}"

accel_choose() {
	local mode=$1
	case $mode in
	tcg) accel_use tcg "asked for" ;;
	kvm)
		kvm_device_usable || usage_die "--accel kvm: $KVM_WHY"
		accel_use kvm "asked for"
		;;
	auto)
		if ! kvm_device_usable; then
			accel_use tcg "$KVM_WHY"
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
	tcg) ACCEL_ARGS=(-accel tcg -cpu max) ;;
	esac
}

kvm_device_usable() {
	if [[ ! -e /dev/kvm ]]; then
		KVM_WHY="no /dev/kvm"
	elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
		KVM_WHY="/dev/kvm is not readable and writable by $(id -un) (add the user to group kvm)"
	else
		return 0
	fi
	return 1
}

kvm_guest_progresses() {
	local boot_id verdict_file
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	verdict_file="$(cache_dir)/kvm-verdict-$boot_id"
	if [[ -e $verdict_file ]]; then
		[[ $(cat "$verdict_file") == works ]]
		return
	fi
	step "checking that KVM guests make progress (up to ${PMEMLAB_KVM_PROBE_TIMEOUT}s, once per host boot)"
	local log pid verdict=hangs
	log=$(mktemp)
	qemu-system-x86_64 -accel kvm -cpu max -m 256M -nodefaults -no-user-config \
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
