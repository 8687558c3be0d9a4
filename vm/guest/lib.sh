# shellcheck shell=sh disable=SC2016 # single-quoted scripts are for the shell in the new root
# Guest-side verbs for vm/guest/init (busybox sh, POSIX). Each function
# does one step of a run; none of them exits the shell.

log() {
	printf 'pmemlab-guest: %s\n' "$*" >/dev/kmsg 2>/dev/null || printf 'pmemlab-guest: %s\n' "$*" >&2
}

# mark NAME: the guest's uptime now, as NAME in the "done" record's
# marks (the host's timing line, exec); a file, as jobs run in subshells.
mark() {
	read -r up _ </proc/uptime
	echo "\"$1\":$up" >>/run/pmemlab.marks
}

mount_kernel_filesystems() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts
	# devtmpfs has no /dev/fd: bash's process substitution needs it
	ln -sf /proc/self/fd /dev/fd
	mount -t devpts devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=0755 tmpfs /run
	# the fs_dax tracepoints, for pmemprobe's fault sizes (no tracefs
	# in the kernel: the probe says "unknown" with the reason)
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || :
	echo 1 >/proc/sys/kernel/panic_on_oops
}

# insmod in the order the host resolved; a module that fails is listed
# in /run/modules.failed for the report, not fatal here.
load_modules() {
	: >/run/modules.failed
	loaded=' '
	# the modules this run needs (run.conf), each with its dependencies
	# first (lib/modules/sets/NAME); none: a built-in or absent module
	for set in $PMEMLAB_GUEST_MODULES; do
		[ -r "/lib/modules/sets/$set" ] || continue
		while read -r mod; do
			case $loaded in *" $mod "*) continue ;; esac
			loaded="$loaded$mod "
			out=$(insmod "/lib/modules/$mod" 2>&1) ||
				case $out in
				*exists*) ;;
				*) echo "$mod: $out" >>/run/modules.failed ;;
				esac
		done <"/lib/modules/sets/$set"
	done
}

# virtio-serial ports by name: /dev/vportNpM has no stable number.
# PORT: the node; read, not cat: a process start is 20-60 ms under TCG.
port_var() {
	for d in /sys/class/virtio-ports/*; do
		name=''
		read -r name 2>/dev/null <"$d/name" || continue
		if [ "$name" = "$1" ]; then
			PORT=/dev/${d##*/}
			return 0
		fi
	done
	return 1
}

# wait_port NAME: PORT, the node of port NAME, once it is there (a port
# shows up a moment after virtio_console loads); 1 after 5 s.
wait_port() {
	i=0
	until port_var "$1" && [ -c "$PORT" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || return 1
		sleep 0.1
	done
}

find_ports() {
	RESULTS=/dev/null
	if wait_port pmemlab.results; then
		RESULTS=$PORT
	else
		log "no pmemlab.results port: results cannot reach the host"
	fi
}

emit() {
	printf '%s\n' "$1" >>"$RESULTS"
}

# print_lines: cat for the host's small text files (lines the host ended
# with a newline), with no process start.
print_lines() {
	while IFS= read -r l; do
		printf '%s\n' "$l"
	done
}

# json_lines_var: JSON, stdin's non-empty lines as a JSON array of strings.
json_lines_var() {
	sep='' out='['
	while IFS= read -r l; do
		[ -n "$l" ] || continue
		json_var "$l"
		out="$out$sep$JSON"
		sep=,
	done
	JSON="$out]"
}

# clocksource: kvm-clock proves a KVM guest (TCG has none); the host checks it.
# Builtins only where it can (read, json_var): uname, cat, grep and sed
# here were 0.2-0.6 s of every boot under TCG.
report_guest() {
	read -r clock </sys/devices/system/clocksource/clocksource0/current_clocksource || clock=''
	read -r release </proc/sys/kernel/osrelease || release=''
	read -r cmdline </proc/cmdline || cmdline=''
	line='{"type":"guest","kernel":'
	json_var "$release" && line="$line$JSON,\"cmdline\":"
	json_var "$cmdline" && line="$line$JSON,\"clocksource\":"
	json_var "$clock" && line="$line$JSON,\"modules_failed\":"
	json_lines_var </run/modules.failed && line="$line$JSON,\"pmem_iomem\":"
	pmem_iomem_json
	emit "$line$JSON}"
}

# At the end too: a backend may bring its PMem up only when the first
# fixture asks (a CXL region), after report_guest looked.
report_done() {
	mark end
	marks='' sep=''
	while read -r m; do
		marks="$marks$sep$m" sep=,
	done </run/pmemlab.marks
	pmem_iomem_json
	emit "{\"type\":\"done\",\"pmem_iomem\":$JSON,\"marks\":{$marks}}"
}

# JSON: /proc/iomem's PMem ranges ("persistent memory" in any case),
# nesting indentation removed, as a JSON array of strings; no grep or sed.
pmem_iomem_json() {
	sep='' out='['
	while IFS= read -r l; do
		case $l in
		*[Pp][Ee][Rr][Ss][Ii][Ss][Tt][Ee][Nn][Tt]\ [Mm][Ee][Mm][Oo][Rr][Yy]*) ;;
		*) continue ;;
		esac
		while [ "${l# }" != "$l" ]; do l=${l# }; done
		json_var "$l"
		out="$out$sep$JSON"
		sep=,
	done </proc/iomem
	JSON="$out]"
}

# The host's plan (/pmemlab/plan.tsv), fixture by fixture.
run_fixtures() {
	sh /pmemlab/fixtures/run /pmemlab/plan.tsv | while IFS= read -r line; do
		emit "$line"
	done
}

# Build the chosen fixture and export PMEM_DIR for the user's command
# (none: the regions left empty, PMEM_REGION, vm/guest/regions.sh).
prepare_user_fixture() {
	if [ "$PMEMLAB_FIXTURE" = none ]; then
		rc=0
		prepare_empty_regions || rc=$?
		emit "$NONE_RESULT"
		unset PMEM_DIR
		[ -z "$PMEM_REGION" ] || export PMEM_REGION
		return $rc
	fi
	out=$(sh /pmemlab/fixtures/run --keep --mount-at "$PMEM_DIR" /pmemlab/plan.tsv)
	emit "$out"
	case $out in *'"status":"ok"'*) ;; *) return 1 ;; esac
	target=$(cat "$PMEMLAB_STATE/target")
	if [ "${target#numa-node:}" != "$target" ]; then
		# kmem: a NUMA node of PMem, for numactl --membind or memkind
		PMEM_KMEM_NODE=${target#numa-node:}
		export PMEM_KMEM_NODE
		unset PMEM_DIR
	elif [ -c "$target" ]; then
		# PMDK's name for a device-DAX test path
		DEVICE_DAX_PATH=$target
		export DEVICE_DAX_PATH
		unset PMEM_DIR
	else
		export PMEM_DIR
	fi
}

# The user's world: host root, fixture, environment. Writes
# /newroot/run/pmemlab/env for the command's shell to source.
prepare_user_root() {
	if ! build_host_root; then
		USER_ERROR="cannot mount the host's root filesystem over 9p (does the guest kernel have 9p and 9pnet_virtio?)"
		return 1
	fi
	if ! share_module_tree; then
		USER_ERROR="cannot show the guest kernel's modules at /lib/modules/$(uname -r)"
		return 1
	fi
	if ! mount_user_dev || ! writable_etc; then
		USER_ERROR="cannot mount /dev/shm or the /etc overlay in the guest"
		return 1
	fi
	if ! prepare_user_fixture; then
		USER_ERROR="fixture $PMEMLAB_FIXTURE could not be set up"
		return 1
	fi
	# the host directory first: a fixture under it then stays on top
	if ! show_host_dir "$PMEMLAB_HOST_DIR"; then
		USER_ERROR="cannot show the host directory $PMEMLAB_HOST_DIR in the guest"
		return 1
	fi
	if [ -n "${PMEM_DIR:-}" ] && ! move_fixture_into_root "$PMEM_DIR"; then
		USER_ERROR="cannot mount the fixture at $PMEM_DIR: its parent does not exist on the host (choose --pmem-dir under /mnt or /tmp)"
		return 1
	fi
	if ! share_rw_dir "${PMEMLAB_RW_DIR:-}"; then
		USER_ERROR="cannot share $PMEMLAB_RW_DIR writable over 9p"
		return 1
	fi
	{
		print_lines </pmemlab/env
		echo 'PATH=/run/pmemlab/bin:$PATH'
		[ -z "${PMEM_DIR:-}" ] || echo "export PMEM_DIR='$PMEM_DIR'"
		[ -z "${DEVICE_DAX_PATH:-}" ] || echo "export DEVICE_DAX_PATH='$DEVICE_DAX_PATH'"
		[ -z "${PMEM_KMEM_NODE:-}" ] || echo "export PMEM_KMEM_NODE='$PMEM_KMEM_NODE'"
		[ -z "${PMEM_REGION:-}" ] || echo "export PMEM_REGION='$PMEM_REGION'"
		# no udev: libdevmapper makes /dev/mapper/NAME itself (devices.sh)
		echo "export DM_DISABLE_UDEV=1"
	} >"$NEWROOT/run/pmemlab/env"
	# shellcheck source=/dev/null # written by the host: export NAME='value'
	writable_home "$(. /pmemlab/env && echo "${HOME:-}")"
	[ ! -e /pmemlab/cmd ] || print_lines </pmemlab/cmd >"$NEWROOT/run/pmemlab/cmd"
}

# The command runs in the host's root, in the host's current directory,
# with only the environment the host passed (docs/CLI.md).
run_user_command() {
	if ! prepare_user_root; then
		emit "{\"type\":\"exec\",\"status\":125,\"error\":$(json_str "$USER_ERROR")}"
		return
	fi
	out=/dev/console err=/dev/console
	! port_var pmemlab.stdout || out=$PORT
	! port_var pmemlab.stderr || err=$PORT
	status=0
	mark command_start
	chroot "$NEWROOT" /usr/bin/env -i /bin/sh -c \
		'. /run/pmemlab/env && cd "$1" && . /run/pmemlab/cmd' sh "$PMEMLAB_HOST_DIR" \
		</dev/null >"$out" 2>"$err" || status=$?
	mark command_end
	emit "{\"type\":\"exec\",\"status\":$status}"
}

run_shell() {
	if ! prepare_user_root; then
		echo "pmemlab shell: $USER_ERROR; a shell in the bare guest starts instead"
		setsid cttyhack sh -l
		return
	fi
	echo "pmemlab shell: host root, PMEM_DIR=${PMEM_DIR:-} DEVICE_DAX_PATH=${DEVICE_DAX_PATH:-} PMEM_REGION=${PMEM_REGION:-} (fixture $PMEMLAB_FIXTURE); exit or Ctrl-D powers off"
	setsid cttyhack chroot "$NEWROOT" /usr/bin/env -i TERM=linux /bin/sh -c \
		'. /run/pmemlab/env && cd "$1" && exec /bin/sh -i' sh "$PMEMLAB_HOST_DIR"
}
