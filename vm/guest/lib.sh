# shellcheck shell=sh
# Guest-side verbs for vm/guest/init (busybox sh, POSIX). Each function
# does one step of a run; none of them exits the shell.

log() {
	printf 'pmemlab-guest: %s\n' "$*" >/dev/kmsg 2>/dev/null || printf 'pmemlab-guest: %s\n' "$*" >&2
}

mount_kernel_filesystems() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts
	mount -t devpts devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t tmpfs -o mode=0755 tmpfs /run
	echo 1 >/proc/sys/kernel/panic_on_oops
}

# insmod in the order the host resolved; a module that fails is listed
# in /run/modules.failed for the report, not fatal here.
load_modules() {
	: >/run/modules.failed
	while read -r mod; do
		out=$(insmod "/lib/modules/$mod" 2>&1) ||
			case $out in
			*exists*) ;;
			*) echo "$mod: $out" >>/run/modules.failed ;;
			esac
	done </lib/modules/load.order
}

# virtio-serial ports by name: /dev/vportNpM has no stable number.
port_path() {
	for d in /sys/class/virtio-ports/*; do
		[ -r "$d/name" ] || continue
		if [ "$(cat "$d/name")" = "$1" ]; then
			echo "/dev/${d##*/}"
			return 0
		fi
	done
	return 1
}

find_ports() {
	RESULTS=/dev/null
	i=0
	while [ $i -lt 50 ]; do
		if p=$(port_path pmemlab.results) && [ -c "$p" ]; then
			RESULTS=$p
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	log "no pmemlab.results port: results cannot reach the host"
}

emit() {
	printf '%s\n' "$1" >>"$RESULTS"
}

# json_lines: stdin's non-empty lines as a JSON array of strings.
json_lines() {
	sep='' out='['
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		out="$out$sep$(json_str "$line")"
		sep=,
	done
	printf '%s]' "$out"
}

report_guest() {
	emit "$(printf '{"type":"guest","kernel":%s,"cmdline":%s,"modules_failed":%s,"pmem_iomem":%s}' \
		"$(json_str "$(uname -r)")" "$(json_str "$(cat /proc/cmdline)")" \
		"$(json_lines </run/modules.failed)" \
		"$(grep -i 'persistent memory' /proc/iomem | json_lines)")"
}

report_done() {
	emit '{"type":"done"}'
}

run_fixtures() {
	# shellcheck disable=SC2086 # a space-separated list of fixture names
	PMEMLAB_GUEST=1 sh /pmemlab/fixtures/run $PMEMLAB_FIXTURES | while IFS= read -r line; do
		emit "$line"
	done
}

# The host's current directory, read-only at the same path (9p).
mount_host_dir() {
	[ -n "${PMEMLAB_HOST_DIR:-}" ] || return 0
	mkdir -p "$PMEMLAB_HOST_DIR"
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostdir "$PMEMLAB_HOST_DIR"
}

# Build the chosen fixture and export PMEM_DIR for the user's command.
prepare_user_fixture() {
	out=$(PMEMLAB_GUEST=1 sh /pmemlab/fixtures/run --keep --mount-at "$PMEM_DIR" "$PMEMLAB_FIXTURE")
	emit "$out"
	case $out in *'"status":"ok"'*) ;; *) return 1 ;; esac
	target=$(cat "$PMEMLAB_STATE/target")
	if [ -c "$target" ]; then
		# PMDK's name for a device-DAX test path
		DEVICE_DAX_PATH=$target
		export DEVICE_DAX_PATH
		unset PMEM_DIR
	else
		export PMEM_DIR
	fi
}

run_user_command() {
	if ! mount_host_dir; then
		emit "{\"type\":\"exec\",\"status\":125,\"error\":$(json_str "cannot mount the host directory $PMEMLAB_HOST_DIR over 9p (does the guest kernel have 9p and 9pnet_virtio?)")}"
		return
	fi
	if ! prepare_user_fixture; then
		emit '{"type":"exec","status":125,"error":"fixture setup failed"}'
		return
	fi
	out=$(port_path pmemlab.stdout) || out=/dev/console
	err=$(port_path pmemlab.stderr) || err=/dev/console
	cd "${PMEMLAB_HOST_DIR:-/}" || cd /
	status=0
	# shellcheck source=/dev/null # written by the host: exec 'CMD' 'ARG'...
	(. /pmemlab/cmd) <&- >"$out" 2>"$err" || status=$?
	emit "{\"type\":\"exec\",\"status\":$status}"
}

run_shell() {
	mount_host_dir || echo "pmemlab shell: cannot mount the host directory $PMEMLAB_HOST_DIR over 9p"
	prepare_user_fixture || log "fixture setup failed; the shell starts anyway"
	cd "${PMEMLAB_HOST_DIR:-/}" || cd /
	echo "pmemlab shell: PMEM_DIR=$PMEM_DIR (fixture $PMEMLAB_FIXTURE); exit or Ctrl-D powers off"
	setsid cttyhack sh -l
}
