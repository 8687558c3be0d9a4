#!/usr/bin/env bats
# shellcheck disable=SC2016 # the single-quoted $... are meant for the guest shell, literally
# The exec guest as a Linux test host (issue 25, issue 22 points 4-5): the
# guest kernel's modules for modprobe, modinfo and the kernel's autoload,
# /dev/mapper links, /dev/shm, a throw-away writable /etc, dmesg, and
# --fixture none leaving an NVDIMM region empty and ready for ndctl, and
# --mem and --append shaping the guest. One
# exec boot answers every test: its script prints NAME=VALUE lines.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	command -v qemu-system-x86_64 >/dev/null || return 0
	cd "$BATS_FILE_TMPDIR" || return
	cat >checks.sh <<'SCRIPT'
echo "region=$PMEM_REGION"
modprobe ext4 && echo "ext4=$(grep -c '^ext4 ' /proc/modules)"
echo "modinfo=$(modinfo -F filename kmem)"
# no modprobe dm_mod: opening /dev/mapper/control makes the kernel load it
dmsetup create pmemlab-t --table '0 2048 zero' >/dev/null &&
	echo "mapper=$(stat -L -c %F /dev/mapper/pmemlab-t)" &&
	echo "mapper_link=$(readlink /dev/mapper/pmemlab-t)" &&
	dmsetup remove /dev/mapper/pmemlab-t && echo "mapper_gone=$(ls /dev/mapper)"
echo "dm_mod=$(grep -c '^dm_mod ' /proc/modules)"
python3 -c 'import multiprocessing; multiprocessing.Semaphore(); print("sem_open=ok")'
echo "shm=$(awk '$2 == "/dev/shm" { print $3 }' /proc/mounts)"
useradd fsgqa && echo "fsgqa=$(id -un fsgqa)"
echo "dmesg=$(dmesg | grep -c 'pmemlab-guest: /init reached')"
dev=$(ndctl create-namespace -r "$PMEM_REGION" -m devdax | jq -r '.daxregion.devices[0].chardev')
[ -c "/dev/$dev" ] && echo "devdax=$dev"
echo "cmdline=$(cat /proc/cmdline)"
echo "memtotal=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "hugepages=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)"
SCRIPT
	local status=0
	"$PMEMLAB" exec -q --accel tcg --backend nvdimm --fixture none \
		--mem 2G --append 'hugepagesz=2M hugepages=8' -- sh checks.sh \
		>"$BATS_FILE_TMPDIR/out" 2>"$BATS_FILE_TMPDIR/err" || status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/status"
}

setup() {
	load vm_helpers
	require_guest_tools
}

need_dmsetup() {
	command -v dmsetup >/dev/null || skip "dmsetup is not installed on the host (scripts/install-deps)"
}

# seen NAME: the value the guest's script printed for NAME.
seen() {
	sed -n "s/^$1=//p" "$BATS_FILE_TMPDIR/out"
}

exec_ok() {
	[[ $(cat "$BATS_FILE_TMPDIR/status") == 0 ]] || {
		echo "pmemlab exec failed ($(cat "$BATS_FILE_TMPDIR/status")):" >&2
		cat "$BATS_FILE_TMPDIR/err" "$BATS_FILE_TMPDIR/out" >&2
		return 1
	}
}

@test "modprobe loads a module of the guest kernel and modinfo finds one" {
	exec_ok
	[[ $(seen ext4) == 1 ]]
	[[ $(seen modinfo) == /lib/modules/*/kmem.ko* ]]
}

@test "the kernel loads a module itself on first use (dm_mod for dmsetup)" {
	need_dmsetup
	exec_ok
	[[ $(seen dm_mod) == 1 ]]
}

@test "dmsetup create makes /dev/mapper/NAME the link to ../dm-N udev makes, and remove takes it away" {
	need_dmsetup
	exec_ok
	[[ $(seen mapper) == 'block special file' ]]
	# scripts written for udev test for the link (ndctl's dm.sh)
	[[ $(seen mapper_link) =~ ^\.\./dm-[0-9]+$ ]]
	[[ $(seen mapper_gone) == control ]]
}

@test "sem_open works: /dev/shm is a tmpfs" {
	exec_ok
	[[ $(seen shm) == tmpfs ]]
	[[ $(seen sem_open) == ok ]]
}

@test "/etc is writable in the guest (useradd) and the host's stays as it was" {
	exec_ok
	[[ $(seen fsgqa) == fsgqa ]]
	run -1 grep -q '^fsgqa:' /etc/passwd
}

@test "dmesg reads the guest kernel's log" {
	exec_ok
	[[ $(seen dmesg) == 1 ]]
}

@test "--fixture none leaves an NVDIMM region that ndctl create-namespace -m devdax takes" {
	exec_ok
	[[ $(seen region) == region* ]]
	[[ $(seen devdax) == dax* ]]
}

@test "--append reaches the guest's kernel command line, and --mem its RAM" {
	exec_ok
	[[ " $(seen cmdline) " == *' hugepagesz=2M hugepages=8 '* ]]
	[[ $(seen hugepages) == 8 ]]
	# 2 GiB less what the kernel keeps; the default 1.5 GiB shows about 1.4
	(($(seen memtotal) > 1800000))
}
