# shellcheck shell=bash disable=SC2034 # GUEST_SECONDS is read by the report
# Build the QEMU command line and run one guest to the end: no network,
# -no-reboot with panic=-1 so a panic ends QEMU, a host-side timeout, and
# results back as data on a virtio-serial port.
#
# Reads QEMU_* (vm/lib/qemu-bin.sh), KERNEL_*, INITRAMFS, ACCEL_ARGS, PLAN_* and WORK (the run's
# private directory). guest_run MODE sets GUEST_STATUS, GUEST_SECONDS and
# INIT_SECONDS (QEMU start to the guest's "/init reached" console line).
# This file owns the guest's processes (QEMU_PID, RELAY_PIDS); guest_stop
# ends them whatever state the run is in.

[[ -z ${_pmemlab_loaded_qemu:-} ]] || return 0
_pmemlab_loaded_qemu=1

: "${PMEMLAB_TIMEOUT:=300}"
# One vCPU: two, with the fixtures that touch no PMem in a second lane,
# made a run slower on a 2-core host (13.6 s against 12.5 s), not faster.
: "${PMEMLAB_GUEST_CPUS:=1}"
# Kernel messages that fail a run whatever the fixtures said.
readonly CONSOLE_ALARMS='Call Trace|WARNING:|kernel BUG|Oops|general protection fault|BUG: '

# qboot, a firmware that only loads the kernel: about 0.2 s less than
# SeaBIOS under TCG (Debian's qemu-system-data ships it), from the data
# directory of the QEMU that runs (vm/lib/qemu-bin.sh).
qboot_path() {
	printf '%s\n' "${QEMU_DATA_DIR:-/usr/share/qemu}/qboot.rom"
}

# guest_accel_args: ACCEL_ARGS with the plan's CPU flags added to -cpu.
guest_accel_args() {
	local arg flags='' prev=''
	((${#PLAN_CPU_FLAGS[@]})) && flags=,$(IFS=, && printf '%s' "${PLAN_CPU_FLAGS[*]}")
	GUEST_ACCEL_ARGS=()
	for arg in "${ACCEL_ARGS[@]}"; do
		[[ $prev != -cpu ]] || arg+=$flags
		GUEST_ACCEL_ARGS+=("$arg")
		prev=$arg
	done
}

# guest_cmdline MODE: fill QCMD.
guest_cmdline() {
	local mode=$1
	# cryptomgr.notests: the crypto self-tests cost about 0.6 s of every
	# TCG boot, and a throwaway test guest has nothing to protect with them;
	# crypto_kdf108_init is one more self-test that ignores it (0.1 s).
	# Initcalls of what no guest uses, 0.24 s of boot together (measured
	# with initcall_debug, docs/KERNEL-NOTES.md): kprobe trace events
	# (the probe uses tracepoints), the cubic TCP congestion control
	# (loopback TCP falls back to reno), the PS/2 controller (the console
	# is a serial port).
	# pmemlab.guest: what fixtures/run checks before it reformats PMem
	# (no environment variable can fake a kernel command line)
	# no_timer_check: the IO-APIC timer check counts ticks over a busy
	# wait, and a TCG guest on a starved host misses them: "Kernel panic
	# - IO-APIC + timer doesn't work!" (seen at a load of 19 on 2 cores)
	local append=(console=ttyS0 loglevel=5 panic=-1 rdinit=/init pmemlab.guest mitigations=off no_timer_check cryptomgr.notests
		initcall_blacklist=crypto_kdf108_init,init_kprobe_trace,cubictcp_register,i8042_init
		"${PLAN_APPEND[@]}" "${OPT_APPEND[@]}")
	local firmware=() qboot
	qboot=$(qboot_path)
	[[ ! -r $qboot || -n ${PLAN_NEEDS_BIOS:-} ]] || firmware=(-bios "$qboot")
	guest_accel_args
	QCMD=("$QEMU_BIN" -nodefaults -no-user-config -display none -no-reboot "${QEMU_DATA_ARGS[@]}"
		"${firmware[@]}" "${GUEST_ACCEL_ARGS[@]}" -smp "$PMEMLAB_GUEST_CPUS"
		-kernel "$KERNEL_BOOT" -initrd "$WORK/initrd.cpio"
		-append "${append[*]}"
		-device virtio-serial-pci,id=vser
		-chardev "file,id=results,path=$WORK/results.jsonl"
		-device virtserialport,bus=vser.0,chardev=results,name=pmemlab.results)
	local fs
	for fs in $(guest_plain_types); do
		QCMD+=(-drive "file=$WORK/plain-$fs.img,if=none,id=plain-$fs,format=raw,cache=unsafe"
			-device "virtio-blk-pci,drive=plain-$fs,serial=pmemlab-plain-$fs")
	done
	if [[ $mode == shell ]]; then
		QCMD+=(-serial mon:stdio)
	else
		QCMD+=(-chardev "file,id=console,path=$WORK/console.log" -serial chardev:console)
	fi
	if [[ $mode == exec ]]; then
		# CMD's stdout and stderr, kept apart, through FIFOs that
		# guest_relay_streams copies to ours as they arrive.
		QCMD+=(-chardev "file,id=out,path=$WORK/stdout.fifo"
			-device virtserialport,bus=vser.0,chardev=out,name=pmemlab.stdout
			-chardev "file,id=err,path=$WORK/stderr.fifo"
			-device virtserialport,bus=vser.0,chardev=err,name=pmemlab.stderr)
	fi
	if [[ -n ${OPT_HOST_DIR:-} ]]; then
		# exec and shell: the host's / read-only, the root of the user's command
		QCMD+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap,id=hostroot")
	fi
	if [[ -n ${OPT_RW_DIR:-} ]]; then
		QCMD+=(-virtfs "local,path=$OPT_RW_DIR,mount_tag=hostrw,security_model=none,multidevs=remap,id=hostrw")
	fi
	# The backend's devices last: QEMU puts a device given no bus on the
	# newest bus, and a CXL host bridge (pxb-cxl) takes root ports only.
	QCMD+=("${PLAN_QEMU_ARGS[@]}")
}

# guest_plain_types: the filesystems of the plain virtio disks this run
# uses, one a line: of each fixture the plan builds ($WORK/plan.tsv) in
# group virtio-disk (FIXTURE_GROUPS), its ext4 or xfs group. A run that
# builds no such fixture (exec's default xfs-dax) gets no disk.
guest_plain_types() {
	local name groups g fs
	while IFS=$'\t' read -r name _; do
		groups=" ${FIXTURE_FIELDS["$name/GROUPS"]:-} "
		[[ $groups == *" virtio-disk "* ]] || continue
		fs=''
		for g in ext4 xfs; do
			[[ $groups != *" $g "* ]] || fs=$g
		done
		[[ -n $fs ]] || die "fixture $name is in group virtio-disk but in neither ext4 nor xfs"
		printf '%s\n' "$fs"
	done <"$WORK/plan.tsv"
}

# guest_prepare_disk: the plain virtio disks the run uses, sparse,
# one per filesystem, each made here with the same mke2fs and mkfs.xfs
# the guest has (the guest image holds the host's): about 30 ms each
# natively against 0.15-0.2 s in a TCG guest, but 0.3-0.6 s of host time
# together on a loaded machine, paid only by runs that need them. The
# guest mounts them as they are.
guest_prepare_disk() {
	local fs img
	for fs in $(guest_plain_types); do
		img=$WORK/plain-$fs.img
		truncate -s 512M "$img" || die "cannot create the plain disk $img"
		case $fs in
		ext4) /usr/sbin/mke2fs -q -F -t ext4 -b 4096 "$img" >&2 ;;
		xfs) /usr/sbin/mkfs.xfs -q -f -m reflink=0 "$img" >&2 ;;
		*) die "fixture plain disk type '$fs' is neither ext4 nor xfs" ;;
		esac || die "cannot make the plain disk's $fs in $img"
	done
}

# The per-run archive (run.conf, cmd) appended to the cached image: the
# kernel unpacks concatenated cpio archives in order.
guest_initrd() {
	local extra=$WORK/extra
	local files=(. pmemlab pmemlab/run.conf) copy=("$WORK/run.conf") f
	for f in cmd env plan.tsv; do
		[[ ! -e $WORK/$f ]] || {
			files+=("pmemlab/$f")
			copy+=("$WORK/$f")
		}
	done
	# one cp for all: each process start counts on a loaded host
	{ mkdir -p "$extra/pmemlab" && cp "${copy[@]}" "$extra/pmemlab/"; } || die "cannot write $extra/pmemlab"
	# the user's fixture files (--fixture PATH), at the plan's paths
	if compgen -G "$WORK/fixtures/*.sh" >/dev/null; then
		mkdir -p "$extra/pmemlab/user"
		files+=(pmemlab/user)
		for f in "$WORK"/fixtures/*.sh; do
			cp "$f" "$extra/pmemlab/user/" && files+=("pmemlab/user/${f##*/}")
		done
	fi
	{
		cat "$INITRAMFS"
		(cd "$extra" && printf '%s\n' "${files[@]}" | cpio --quiet -o -H newc -R 0:0)
	} >"$WORK/initrd.cpio" || die "cannot write $WORK/initrd.cpio (disk full?)"
}

guest_run() {
	local mode=$1
	# exec: a saved guest of this shape instead of a boot (vm/lib/snapshot.sh)
	SNAPSHOT_MODE=off
	! snapshot_eligible "$mode" || printf 'PMEMLAB_SNAPSHOT=1\n' >>"$WORK/run.conf"
	guest_initrd
	guest_cmdline "$mode"
	[[ -n $SNAPSHOT_WHY ]] || snapshot_plan
	: >"$WORK/results.jsonl"
	[[ ${OPT_SHOW_CMDLINE:-0} != 1 ]] || log "qemu: ${QCMD[*]}"
	if [[ ${OPT_DRY_RUN:-0} == 1 ]]; then
		printf '%s\n' "${QCMD[@]}" | jq -R . | jq -s --arg initramfs "$INITRAMFS" \
			--arg reused "$INITRAMFS_REUSED" --arg seconds "$INITRAMFS_SECONDS" \
			--arg kernel "$KERNEL_DESC" --arg kernel_origin "${KERNEL_ORIGIN:-}" \
			--arg accel "$ACCEL" --arg boot "$KERNEL_BOOT_KIND" \
			--arg qemu_binary "$QEMU_BIN" --arg qemu_version "$QEMU_VERSION" \
			--arg snapshot "$SNAPSHOT_MODE" --arg snapshot_why "$SNAPSHOT_WHY" --arg snapshot_state "$SNAPSHOT_STATE" \
			'{qemu: ., qemu_binary: $qemu_binary, qemu_version: $qemu_version,
			  initramfs: $initramfs, initramfs_reused: ($reused == "1"),
			  initramfs_seconds: ($seconds | tonumber), kernel: $kernel, kernel_origin: $kernel_origin,
			  kernel_boot: $boot, accel: $accel, snapshot: $snapshot,
			  snapshot_why: (if $snapshot_why == "" then null else $snapshot_why end),
			  snapshot_state: (if $snapshot_state == "" then null else $snapshot_state end)}'
		exit "$EX_OK"
	fi
	# only for a boot: a dry run names the disks and makes no filesystem
	guest_prepare_disk
	local rc=0
	guest_boot "$mode" || rc=$?
	snapshot_restore_failed || return "$rc"
	guest_cmdline "$mode"
	snapshot_plan
	: >"$WORK/results.jsonl"
	guest_boot "$mode"
}

# guest_boot MODE: start QEMU and wait for its end (guest_run).
guest_boot() {
	local mode=$1 start
	case $SNAPSHOT_MODE in
	restore) step "starting the saved guest (timeout ${PMEMLAB_TIMEOUT}s)" ;;
	*) step "booting the guest (timeout ${PMEMLAB_TIMEOUT}s)" ;;
	esac
	start=$(now_ms)
	if [[ $mode == shell ]]; then
		GUEST_STATUS=0
		"${DIE_WITH_US_KILL[@]}" "${QCMD[@]}" || GUEST_STATUS=$?
		GUEST_SECONDS=$(elapsed_since "$start")
		return
	fi
	[[ $mode != exec ]] || guest_relay_streams
	"${DIE_WITH_US_KILL[@]}" "${QCMD[@]}" </dev/null >"$WORK/qemu.out" 2>&1 &
	QEMU_PID=$!
	GUEST_STATUS=0 INIT_SECONDS=null QEMU_START_MS=$start SNAPSHOT_POINT=0
	case $SNAPSHOT_MODE in
	restore) snapshot_restore ;;
	save)
		# the guest waits at its snapshot point until the state is saved
		if poll_wait_for "${PMEMLAB_TIMEOUT}" snapshot_point_or_exit && ((SNAPSHOT_POINT)); then
			snapshot_save
		fi
		;;
	esac
	if ! poll_wait_for "${PMEMLAB_TIMEOUT}" qemu_exited; then
		guest_stop
		GUEST_SECONDS=$(elapsed_since "$start")
		GUEST_ERROR="guest did not finish within ${PMEMLAB_TIMEOUT}s (--timeout); last console lines:"$'\n'"$(console_tail)"
		return 1
	fi
	wait "$QEMU_PID" || GUEST_STATUS=$?
	QEMU_PID=
	# a snapshot-shaped guest's RAM file (vm/lib/snapshot.sh): of no use
	# once QEMU is gone, and as large as the guest's RAM
	rm -f "$WORK/ram"
	guest_relay_wait
	GUEST_SECONDS=$(elapsed_since "$start")
	guest_check_end
}

QEMU_PID=
RELAY_PIDS=()

# guest_stop: kill QEMU and the stream relays, if running.
guest_stop() {
	if [[ -n $QEMU_PID ]]; then
		kill -KILL "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
		QEMU_PID=
	fi
	local pid
	for pid in "${RELAY_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	RELAY_PIDS=()
}

# Our own stdout/stderr are passed on unchanged (never reopened by path,
# which would lose data on a file opened without O_APPEND).
guest_relay_streams() {
	rm -f "$WORK/stdout.fifo" "$WORK/stderr.fifo"
	mkfifo "$WORK/stdout.fifo" "$WORK/stderr.fifo" || die "cannot create FIFOs in $WORK"
	cat "$WORK/stdout.fifo" &
	RELAY_PIDS+=($!)
	cat "$WORK/stderr.fifo" >&2 &
	RELAY_PIDS+=($!)
}

# After QEMU exits the relays see EOF; one whose FIFO QEMU never opened
# would block forever, so it gets a short grace period.
guest_relay_wait() {
	local pid
	for pid in "${RELAY_PIDS[@]}"; do
		poll_wait_for 2 relay_done "$pid" || kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
	done
	RELAY_PIDS=()
}

relay_done() {
	! kill -0 "$1" 2>/dev/null
}

# Polled every 0.1 s while the guest runs; notes when /init was reached.
# Builtins only (see poll_wait_for).
qemu_exited() {
	if [[ $INIT_SECONDS == null ]]; then
		local console=''
		read -r -d '' console 2>/dev/null <"$WORK/console.log" || true
		# a saved guest never prints its /init line again: its
		# "resumed" line ends its boot
		[[ $console != *'pmemlab-guest: /init reached'* && $console != *'pmemlab-guest: resumed'* ]] ||
			seconds_since "$QEMU_START_MS" INIT_SECONDS
	fi
	! kill -0 "$QEMU_PID" 2>/dev/null
}

# Polled while a guest to be saved boots: true at its snapshot point
# (SNAPSHOT_POINT=1) or when QEMU is gone.
snapshot_point_or_exit() {
	local console=''
	read -r -d '' console 2>/dev/null <"$WORK/console.log" || true
	[[ $console != *'pmemlab-guest: snapshot point'* ]] || {
		SNAPSHOT_POINT=1
		return 0
	}
	qemu_exited
}

console_tail() {
	tail -n 15 "$WORK/console.log" 2>/dev/null | sed 's/^/  | /'
}

# Decide whether the guest ended the way it should: QEMU exited cleanly,
# the guest said "done", and the kernel never complained.
guest_check_end() {
	GUEST_ERROR=
	# results.jsonl read, not grepped (the guest's JSON has no NUL
	# byte; the console log may, so grep reads that)
	local results=''
	read -r -d '' results 2>/dev/null <"$WORK/results.jsonl" || true
	if ((GUEST_STATUS > 128)); then
		GUEST_ERROR="QEMU was killed by signal $((GUEST_STATUS - 128)) ($(kill -l "$((GUEST_STATUS - 128))" 2>/dev/null || echo unknown)) before the guest finished; last console lines:"$'\n'"$(console_tail)"
	elif ((GUEST_STATUS != 0)); then
		GUEST_ERROR="qemu exited with status $GUEST_STATUS: $(tail -n 3 "$WORK/qemu.out" | tr '\n' ' ')"
	elif grep -q 'Kernel panic' "$WORK/console.log"; then
		GUEST_ERROR="guest panicked:"$'\n'"$(grep -A 12 -m 1 'Kernel panic' "$WORK/console.log" | sed 's/^/  | /')"
	elif [[ $results != *'"type":"done"'* ]]; then
		GUEST_ERROR="guest stopped before reporting its results; last console lines:"$'\n'"$(console_tail)"
	elif grep -qE "$CONSOLE_ALARMS" "$WORK/console.log"; then
		GUEST_ERROR="guest kernel reported a problem:"$'\n'"$(grep -E -B 2 -A 10 -m 1 "$CONSOLE_ALARMS" "$WORK/console.log" | sed 's/^/  | /')"
	fi
	[[ -z $GUEST_ERROR ]]
}
