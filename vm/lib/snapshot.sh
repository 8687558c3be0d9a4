# shellcheck shell=bash
# Snapshots of a booted exec guest. Under TCG a boot to /init and the
# module loads are about 3 s of every exec (docs/BENCHMARKS.md); they
# are the same for every exec of one shape (kernel, initramfs, QEMU and
# its command line, backend, modules). The first exec of a shape saves
# its guest there, with QEMU's own migration to a file, and goes on; a
# later exec of that shape starts QEMU from the file (-incoming) instead
# of booting. Either way the guest then waits on its pmemlab.go port for
# the host's clock and this run's files (run.conf, cmd, env, plan, user
# fixtures), sent down that port (vm/guest/snapshot.sh): the fixture and
# the command are always this run's.
#
# Only for a backend that says BACKEND_SNAPSHOT (its PMem is guest RAM,
# saved with it), under TCG (KVM boots in about a second, and its saved
# state is untested here), without --backing. PMEMLAB_SNAPSHOT=0 or
# --no-snapshot turn it off. Reads QCMD, WORK, ACCEL, OPT_*; sets
# SNAPSHOT_MODE (off, save or restore), SNAPSHOT_STATE, SNAPSHOT_WHY.

[[ -z ${_pmemlab_loaded_snapshot:-} ]] || return 0
_pmemlab_loaded_snapshot=1

: "${PMEMLAB_SNAPSHOT:=1}"
# about 165 MB each on disk (the guest's written RAM, sparse): the newest few stay
readonly SNAPSHOTS_KEPT=4
SNAPSHOT_MODE=off SNAPSHOT_STATE='' SNAPSHOT_WHY='' MIGRATION_STATUS=''

# snapshot_eligible MODE: 0 when this run may use a snapshot; else 1
# with SNAPSHOT_WHY.
snapshot_eligible() {
	SNAPSHOT_WHY=''
	if [[ $1 != exec ]]; then
		SNAPSHOT_WHY="only exec uses snapshots"
	elif [[ $PMEMLAB_SNAPSHOT != 1 ]]; then
		SNAPSHOT_WHY="off (--no-snapshot or PMEMLAB_SNAPSHOT=0)"
	elif [[ -z ${BACKEND_SNAPSHOT[$OPT_BACKEND]:-} ]]; then
		SNAPSHOT_WHY="the $OPT_BACKEND backend's PMem is not guest RAM"
	elif [[ -n ${OPT_BACKING:-} ]]; then
		SNAPSHOT_WHY="--backing keeps PMem outside the guest"
	elif [[ $ACCEL != tcg ]]; then
		SNAPSHOT_WHY="only under TCG"
	fi
	[[ -z $SNAPSHOT_WHY ]]
}

# snapshot_args: the devices every snapshot-shaped guest has, saved or
# restored alike (a restored guest must find the devices it was saved
# with): its RAM as a file, the go port, the QMP monitor.
#
# The guest's RAM is a file in the work directory ($WORK/ram, shared
# with QEMU) and the migration leaves it out (x-ignore-shared): the saved
# state is that file, copied sparse, and the devices' state; a restored
# guest maps the saved file private. Loading RAM
# through the migration stream instead took 11-24 s here: QEMU reads or
# writes every page of the guest's RAM, and each first touch of the
# host's memory is a fault (93% of the time in the kernel's clear_page).
snapshot_args() {
	local i ram=''
	for ((i = 0; i < ${#QCMD[@]} - 1; i++)); do
		[[ ${QCMD[i]} != -m ]] || ram=${QCMD[i + 1]}
	done
	[[ -n $ram ]] || die "snapshot: no -m in the QEMU command line"
	# the go port's and the QMP monitor's FIFOs, in one start each
	rm -f "$WORK/go.in" "$WORK/go.out" "$WORK/qmp.in" "$WORK/qmp.out" "$WORK/ram"
	mkfifo "$WORK/go.in" "$WORK/go.out" "$WORK/qmp.in" "$WORK/qmp.out" || die "cannot create FIFOs in $WORK"
	SNAPSHOT_RAM=$ram SNAPSHOT_RAM_ARG=$((${#QCMD[@]} + 1))
	QCMD+=(-object "memory-backend-file,id=pmemlab-ram,size=$ram,mem-path=$WORK/ram,share=on"
		-machine memory-backend=pmemlab-ram
		-chardev "pipe,id=go,path=$WORK/go"
		-device virtserialport,bus=vser.0,chardev=go,name=pmemlab.go)
}

# snapshot_plan: after guest_cmdline, for a guest that snapshot_eligible
# passed: the state's key and whether it exists; QCMD gets what the
# mode needs (to restore: -incoming defer and the saved RAM file) and
# the QMP monitor both modes talk through.
snapshot_plan() {
	snapshot_args
	local key arg
	# the command line with this run's directory taken out, and the
	# files it names by identity, and what the guest did before the
	# snapshot point (run.conf: its modules)
	{
		for arg in "${QCMD[@]}"; do
			arg=${arg//"$WORK"/@WORK@}
			# --rw's directory: a 9p share's path is the host's business
			[[ -z ${OPT_RW_DIR:-} ]] || arg=${arg//"path=$OPT_RW_DIR,"/path=@RW@,}
			printf '%s\n' "$arg"
		done
		# by path, size and inode: a replaced file (an upgrade, a new
		# build) is a new inode; no mtime, as the initramfs's says when
		# it was last used (vm/lib/initramfs.sh), not what it holds
		stat -L -c '%n %s %i' "$KERNEL_BOOT" "$QEMU_BIN" "$INITRAMFS"
		printf '%s\n' "$QEMU_VERSION"
		local line
		while IFS= read -r line; do
			case $line in PMEMLAB_MODE=* | PMEMLAB_BACKEND=* | PMEMLAB_GUEST_MODULES=*) printf '%s\n' "$line" ;; esac
		done <"$WORK/run.conf"
	} >"$WORK/snapshot.key"
	key=$(sha256sum <"$WORK/snapshot.key")
	cache_location
	SNAPSHOT_STATE=$CACHE_PATH/snapshots/${key:0:24}.state
	if [[ -s $SNAPSHOT_STATE && -s $SNAPSHOT_STATE.ram ]]; then
		SNAPSHOT_MODE=restore
		# the state comes in once the RAM is left out (snapshot_restore)
		QCMD+=(-incoming defer)
		# the saved RAM itself, mapped private: the guest's writes stay
		# in this QEMU, the file is shared by every restore in the page
		# cache, nothing is copied
		QCMD[SNAPSHOT_RAM_ARG]="memory-backend-file,id=pmemlab-ram,size=$SNAPSHOT_RAM,mem-path=$SNAPSHOT_STATE.ram,share=off"
	else
		SNAPSHOT_MODE=save
	fi
	# QEMU 7.2 sets migration capabilities over QMP only
	QCMD+=(-chardev "pipe,id=qmp,path=$WORK/qmp" -mon chardev=qmp,mode=control)
}

# qmp_open / qmp_close: QMP_IN and QMP_OUT, the monitor's FIFOs, opened
# read-write (never blocks), and the RAM left out of every migration.
qmp_open() {
	exec {QMP_IN}<>"$WORK/qmp.in" {QMP_OUT}<>"$WORK/qmp.out"
	qmp_call qmp_capabilities '{}' &&
		qmp_call migrate-set-capabilities '{"capabilities": [{"capability": "x-ignore-shared", "state": true}]}'
}

qmp_close() {
	exec {QMP_IN}>&- {QMP_OUT}>&-
}

# qmp_migration_wait: MIGRATION_STATUS once the migration ended
# (completed, failed, cancelled) or after 120 s.
qmp_migration_wait() {
	local i
	MIGRATION_STATUS=''
	for ((i = 0; i < 2400; i++)); do
		qmp_call query-migrate '{}' || return 1
		[[ $QMP_REPLY =~ \"status\":\ *\"([a-z-]+)\" ]] && MIGRATION_STATUS=${BASH_REMATCH[1]}
		case $MIGRATION_STATUS in completed | failed | cancelled) return 0 ;; esac
		pause 0.05
	done
	return 1
}

# snapshot_restore: QEMU waits (-incoming defer) for the saved state;
# the guest runs on by itself once it is in (it was saved running).
snapshot_restore() {
	qmp_open &&
		qmp_call migrate-incoming "{\"uri\": $(json_string "exec:cat $(printf '%q' "$SNAPSHOT_STATE")")}" &&
		qmp_migration_wait
	qmp_close
	snapshot_go || die "cannot write to the guest's go port"
}

# snapshot_go: let the guest run on: down the go port, the host's clock,
# then each of this run's files as "file NAME LINES" and its lines, then
# "end" (read by the guest's shell with builtins: no process start, no
# 9p mount). Written in the background and counted with the relays, so a
# guest that never reads cannot hang pmemlab (a FIFO holds 64 KiB).
snapshot_go() {
	local fd
	exec {fd}<>"$WORK/go.in" || return 1
	{
		local f lines=()
		printf '%s\n' "$EPOCHSECONDS"
		for f in "$WORK"/extra/pmemlab/{run.conf,cmd,env,plan.tsv} "$WORK"/extra/pmemlab/user/*.sh; do
			[[ -f $f ]] || continue
			mapfile -t lines <"$f"
			printf 'file %s %s\n' "${f#"$WORK"/extra/pmemlab/}" "${#lines[@]}"
			((${#lines[@]} == 0)) || printf '%s\n' "${lines[@]}"
		done
		printf 'end\n'
	} >&"$fd" &
	RELAY_PIDS+=($!)
	exec {fd}>&-
}

# snapshot_save: the guest waits at its snapshot point; QEMU writes its
# state to the cache (migration to a file), then runs on. A failed save
# costs this run nothing but the time: the guest goes on either way.
snapshot_save() {
	local dir=${SNAPSHOT_STATE%/*} tmp status=''
	mkdir -p "$dir" || die "cannot create $dir"
	tmp=$(mktemp "$SNAPSHOT_STATE.XXXXXX") || die "cannot write in $dir"
	step "saving the booted guest for the next exec of this shape (once)"
	qmp_open &&
		qmp_call migrate "{\"uri\": $(json_string "exec:cat > $(printf '%q' "$tmp")")}" &&
		qmp_migration_wait
	status=$MIGRATION_STATUS
	# the guest's RAM as it was saved: QEMU stopped it when its state
	# was written, and it runs on only after cont
	if [[ $status == completed && -s $tmp ]] && cp --sparse=always "$WORK/ram" "$tmp.ram"; then
		mv "$tmp.ram" "$SNAPSHOT_STATE.ram"
		mv "$tmp" "$SNAPSHOT_STATE"
		snapshot_prune "$dir"
	else
		rm -f "$tmp" "$tmp.ram"
		log "warning: the guest could not be saved (migration ${status:-not started}${QMP_REPLY:+: $QMP_REPLY}); the next exec boots again"
	fi
	# the guest stopped when its state was written: it runs on
	qmp_call cont '{}' || true
	qmp_close
	snapshot_go || die "cannot write to the guest's go port"
}

# json_string TEXT: TEXT as a JSON string (no jq start: a path has no
# control characters, printf %q saw to that).
json_string() {
	local t=${1//\\/\\\\}
	printf '"%s"\n' "${t//\"/\\\"}"
}

# qmp_call COMMAND ARGS_JSON: QMP_REPLY, the command's reply line (the
# events QEMU sends between are skipped). 1 on an error reply, when QEMU
# is gone (our read-write FIFO never sees an end of file) or says
# nothing for 30 s.
qmp_call() {
	local line part='' waited=0
	QMP_REPLY=''
	printf '{"execute": "%s", "arguments": %s}\n' "$1" "$2" >&"$QMP_IN"
	while ((waited < 300)); do
		if ! IFS= read -r -t 0.1 line <&"$QMP_OUT"; then
			# a read that timed out keeps what it got of a line
			part+=$line
			kill -0 "$QEMU_PID" 2>/dev/null || return 1
			waited=$((waited + 1))
			continue
		fi
		line=$part$line part=''
		case $line in
		*'"return"'*)
			QMP_REPLY=$line
			return 0
			;;
		*'"error"'*)
			QMP_REPLY=$line
			return 1
			;;
		esac
	done
	return 1
}

# snapshot_prune DIR: the newest SNAPSHOTS_KEPT states stay.
snapshot_prune() {
	local states=() f
	mapfile -t states < <(ls -1t "$1"/*.state 2>/dev/null)
	for f in "${states[@]:SNAPSHOTS_KEPT}"; do
		rm -f "$f" "$f.ram"
	done
}

# snapshot_restore_failed: QEMU could not load the state (another QEMU
# build, a truncated file): 0 when that is what happened, the state
# deleted so that the next try boots and saves again.
snapshot_restore_failed() {
	[[ $SNAPSHOT_MODE == restore ]] || return 1
	local results=''
	read -r -d '' results 2>/dev/null <"$WORK/results.jsonl" || true
	[[ -z $results ]] || return 1
	log "warning: the saved guest $SNAPSHOT_STATE could not be restored ($(tail -n 2 "$WORK/qemu.out" | tr '\n' ' ')); booting instead"
	rm -f "$SNAPSHOT_STATE" "$SNAPSHOT_STATE.ram"
	mv "$WORK/console.log" "$WORK/console-restore.log" 2>/dev/null || true
	mv "$WORK/qemu.out" "$WORK/qemu-restore.out" 2>/dev/null || true
	return 0
}
