# shellcheck shell=bash
# What a command needs to prepare and boot one guest (run, exec, shell):
# the orchestration libraries and the guest preparation below them.

# shellcheck source=scripts/lib/options.sh
. "$PMEMLAB_ROOT/scripts/lib/options.sh"
# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"
# shellcheck source=scripts/lib/session.sh
. "$PMEMLAB_ROOT/scripts/lib/session.sh"
# shellcheck source=scripts/lib/report.sh
. "$PMEMLAB_ROOT/scripts/lib/report.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/vmlinux.sh
. "$PMEMLAB_ROOT/vm/lib/vmlinux.sh"
# shellcheck source=vm/lib/initramfs.sh
. "$PMEMLAB_ROOT/vm/lib/initramfs.sh"
# shellcheck source=vm/lib/plan.sh
. "$PMEMLAB_ROOT/vm/lib/plan.sh"
# shellcheck source=vm/lib/accel.sh
. "$PMEMLAB_ROOT/vm/lib/accel.sh"
# shellcheck source=vm/lib/qemu.sh
. "$PMEMLAB_ROOT/vm/lib/qemu.sh"
