# shellcheck shell=bash
# One run's private work directory and its cleanup. Whatever ends the
# run (success, error, Ctrl-C, SIGTERM), QEMU is killed and the work
# directory removed, unless --keep-work asked to keep it. SIGKILL runs no
# trap: QEMU then dies with us (DIE_WITH_US_KILL), and the next run
# removes the directory (workdir_sweep).

[[ -z ${_pmemlab_loaded_session:-} ]] || return 0
_pmemlab_loaded_session=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/options.sh
. "$PMEMLAB_ROOT/scripts/lib/options.sh"
# shellcheck source=vm/lib/plan.sh
. "$PMEMLAB_ROOT/vm/lib/plan.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/vmlinux.sh
. "$PMEMLAB_ROOT/vm/lib/vmlinux.sh"
# shellcheck source=vm/lib/initramfs.sh
. "$PMEMLAB_ROOT/vm/lib/initramfs.sh"
# shellcheck source=vm/lib/accel.sh
. "$PMEMLAB_ROOT/vm/lib/accel.sh"
# shellcheck source=vm/lib/qemu.sh
. "$PMEMLAB_ROOT/vm/lib/qemu.sh"
# shellcheck source=vm/lib/snapshot.sh
. "$PMEMLAB_ROOT/vm/lib/snapshot.sh"

WORK=

session_start() {
	workdir_sweep
	WORK=$(workdir_create pmemlab) || exit
	trap session_cleanup EXIT
	trap 'log "interrupted"; exit 130' INT
	trap 'log "terminated"; exit 143' TERM
}

session_cleanup() {
	local status=$?
	trap - EXIT INT TERM
	guest_stop
	if [[ -n $WORK && -d $WORK ]]; then
		if [[ ${OPT_KEEP_WORK:-0} == 1 ]]; then
			rm -f "$WORK/$WORKDIR_OWNER"
			log "work directory kept: $WORK"
		else
			rm -rf "$WORK"
		fi
	fi
	exit "$status"
}

# The probe binary the guest runs: built from this tree when missing.
probe_binary() {
	local bin=${PMEMPROBE_BIN:-$PMEMLAB_ROOT/build/pmemprobe}
	if [[ -e $PMEMLAB_ROOT/Makefile ]] && { [[ ! -x $bin ]] || probe_stale "$bin"; }; then
		step "building pmemprobe"
		make -s -C "$PMEMLAB_ROOT" >&2 || die "cannot build pmemprobe (run 'make' in $PMEMLAB_ROOT; 'scripts/install-deps' installs what it needs)"
	fi
	[[ -x $bin ]] || die "pmemprobe not found at $bin"
	printf '%s\n' "$bin"
}

# probe_stale BIN: a source of the checkout's own pmemprobe is newer than
# BIN (an edited probe would otherwise run its old build). Builtin tests
# only: this is on every run's path.
probe_stale() {
	local src
	[[ -z ${PMEMPROBE_BIN:-} ]] || return 1
	for src in "$PMEMLAB_ROOT"/probe/*.[ch] "$PMEMLAB_ROOT/Makefile"; do
		[[ ! $src -nt $1 ]] || return 0
	done
	return 1
}

# Everything before boot: kernel, initramfs, accelerator, memory plan.
session_prepare() {
	local mode=$1 probe t0
	deps_ensure build guest
	plan_backend "$OPT_BACKEND" "$OPT_SIZE" "$WORK"
	kernel_resolve "$OPT_KERNEL"
	vmlinux_choose
	probe=$(probe_binary)
	t0=$(now_ms)
	initramfs_build "$probe"
	INITRAMFS_SECONDS=$(elapsed_since "$t0")
	accel_choose "$OPT_ACCEL"
	step "kernel $KERNEL_VERSION ($KERNEL_BOOT_KIND), $PLAN_SUMMARY, accel $ACCEL ($ACCEL_REASON), $(qemu_describe)"
	session_emulator_check
	[[ $mode == run || -z $BACKEND_UNSUPPORTED ]] ||
		die "the $OPT_BACKEND backend cannot run on this kernel and QEMU: $BACKEND_UNSUPPORTED"
	write_run_conf "$mode"
}

# modules_tree: the host path of the kernel's module tree (the guest
# sees it over the 9p host root); nothing when there is none.
modules_tree() {
	local d
	for d in "$KERNEL_BASE/lib/modules/$KERNEL_VERSION" "$KERNEL_BASE/usr/lib/modules/$KERNEL_VERSION"; do
		[[ ! -d $d ]] || {
			realpath "$d"
			return
		}
	done
}

# session_emulator_check: can this QEMU give the backend what this
# kernel needs (vm/lib/backends.sh, backend_emulator_check)? Sets
# BACKEND_UNSUPPORTED; says the plan's CPU notes.
session_emulator_check() {
	local note
	qemu_caps_usable
	backend_emulator_check "$OPT_BACKEND" "$KERNEL_VERSION" "$ACCEL"
	if [[ -n $BACKEND_UNSUPPORTED ]]; then
		step "unsupported: $BACKEND_UNSUPPORTED"
		return
	fi
	for note in "${PLAN_NOTES[@]}"; do
		step "$note"
	done
}

# session_unsupported_results: the results of a run that does not boot,
# as the guest would report them: every fixture of the plan (plan.json)
# unsupported, with the reason (BACKEND_UNSUPPORTED); the judge turns
# those that cannot exist on the backend into skips, as ever.
session_unsupported_results() {
	jq -c --arg why "$BACKEND_UNSUPPORTED" '.[] | select(.expected != "n/a")
		| {type: "fixture", fixture, status: "unsupported", reason: $why,
		   target: "", mount: "", probe: null, seconds: 0}' "$WORK/plan.json" >"$WORK/results.jsonl" ||
		die "cannot write $WORK/results.jsonl"
	# shellcheck disable=SC2034 # read by report_json
	GUEST_SECONDS=0 INIT_SECONDS=null
}

# session_module_gaps MODE: the planned fixtures (run's, or the one exec
# and shell build) that need a module file the kernel's packages lack
# (an Ubuntu set without linux-modules-extra, a Fedora set without
# kernel-modules) are unsupported, with the package that ships it, and
# the guest never builds them: their results go to
# $WORK/unsupported.jsonl, their lines leave plan.tsv (exec and shell
# then refuse to boot). kconfig judges (vm/lib/kconfig.sh), asked only
# when a module the requirement table names is in neither modules.dep
# nor modules.builtin (one awk), or always for a kernel build tree: its
# .config is the user's own, and a fixture whose options it lacks (e.g.
# ZONE_DEVICE off, as defconfig leaves it) is unsupported naming them.
session_module_gaps() {
	local mode=$1 moddir tree=false
	: >"$WORK/unsupported.jsonl"
	moddir=$(modules_tree)
	[[ ${KERNEL_SOURCE:-} != tree ]] || tree=true
	[[ $tree == true || (-n $moddir && -r $moddir/modules.dep) ]] || return 0
	[[ $tree == true ]] || awk -F '\t' '
		FILENAME == ARGV[1] { if ($0 !~ /^[[:space:]]*(#|@|$)/ && $2 != "-") { m = $2; gsub("-", "_", m); want[m] } ; next }
		{ sub(":.*", ""); n = split($0, p, "/"); m = p[n]; sub("\\.ko(\\.(xz|zst|gz))?$", "", m); gsub("-", "_", m); delete want[m] }
		END { for (m in want) exit 0; exit 1 }' \
		"$PMEMLAB_ROOT/vm/kconfig-requirements.tsv" "$moddir/modules.dep" "$moddir/modules.builtin" 2>/dev/null || return 0
	# a file, not an argument: the verdict outgrows the argument limit
	"$PMEMLAB_ROOT/scripts/pmemlab" kconfig -q --format json --kernel "$OPT_KERNEL" >"$WORK/kconfig.json" 2>/dev/null || return 0
	jq -c --arg b "$OPT_BACKEND" --argjson tree "$tree" --slurpfile kk "$WORK/kconfig.json" '
		$kk[0] as $k |
		def gap($c): (($c.missing_modules // []) | length > 0)
			or ($tree and $c.supported == false and (($c.missing // []) | length > 0));
		def why($c): if ($c.missing_modules // []) | length > 0 then
			"no \($c.missing_modules | map("\(.).ko") | join(", ")) in the kernel'"'"'s modules"
			+ (if ($c.hints // []) | length > 0 then ": \($c.hints | join("; "))" else "" end)
			else "the kernel'"'"'s config lacks \($c.missing | join(", "))" end;
		$k.backends[$b] as $backend
		| .[] | select(.expected != "n/a")
		| (if gap($backend // {}) then $backend
		   else ($k.fixtures[.fixture].backends[$b] // {}) end) as $c
		| select(gap($c))
		| {type: "fixture", fixture, status: "unsupported", reason: why($c),
		   target: "", mount: "", probe: null, seconds: 0}' "$WORK/plan.json" >"$WORK/unsupported.jsonl" ||
		die "cannot write $WORK/unsupported.jsonl"
	[[ -s $WORK/unsupported.jsonl ]] || return 0
	if ! awk -F '\t' 'NR == FNR { gone[$0]; next } !($1 in gone)' \
		<(jq -r .fixture "$WORK/unsupported.jsonl") "$WORK/plan.tsv" >"$WORK/plan.tsv.new" ||
		! mv "$WORK/plan.tsv.new" "$WORK/plan.tsv"; then
		die "cannot write $WORK/plan.tsv"
	fi
	[[ $mode != run ]] ||
		step "unsupported: $(jq -r -s 'map("\(.fixture) (\(.reason))") | join("; ")' "$WORK/unsupported.jsonl")"
}

# run.conf is sourced by the guest's init: every value is quoted.
write_run_conf() {
	local mode=$1
	{
		sh_assign PMEMLAB_MODE "$mode"
		sh_assign PMEMLAB_BACKEND "$OPT_BACKEND"
		local fixtures=("${OPT_FIXTURES[@]}") names=() f
		# exec and shell build one fixture, xfs-dax unless named; run all
		((${#fixtures[@]})) || if [[ $mode == run ]]; then mapfile -t fixtures < <(fixture_names); else fixtures=(xfs-dax); fi
		for f in "${fixtures[@]}"; do
			fixture_ref "$f"
			names+=("$FIXTURE_REF")
		done
		sh_assign PMEMLAB_FIXTURE "${names[0]}"
		sh_assign PMEMLAB_GUEST_MODULES "$(guest_modules "$mode" "$OPT_BACKEND" "${names[@]}")"
		# the plan: exec and shell build the first fixture, the others
		# only have their modules loaded (pmemlab host in a guest)
		[[ $mode == run ]] || fixtures=("${fixtures[0]}")
		# none: no fixture to plan (vm/guest/regions.sh reports instead)
		[[ ${fixtures[0]} != none ]] || fixtures=()
		fixture_plan "$WORK" "$OPT_BACKEND" "$(printf '%s\n' "${OPT_FIXTURE_OPTS[@]}")" "${fixtures[@]}"
		session_module_gaps "$mode"
		sh_assign PMEM_DIR "${PMEM_DIR_GUEST:-/mnt/pmem}"
		sh_assign PMEMLAB_HOST_DIR "${OPT_HOST_DIR:-}"
		sh_assign PMEMLAB_RW_DIR "${OPT_RW_DIR:-}"
		# exec and shell: the kernel's module tree, shown at /lib/modules
		[[ $mode == run ]] || sh_assign PMEMLAB_MODULES_TREE "$(modules_tree)"
		# empty: fixtures/lib.sh's default
		sh_assign PMEMLAB_PROBE_SIZE "${PMEMLAB_PROBE_SIZE:-}"
		local reuse=0
		[[ -z ${OPT_BACKING:-} ]] || reuse=1
		printf 'PMEMLAB_REUSE=%s\n' "$reuse"
		printf 'export PMEMLAB_REUSE PMEMLAB_BACKEND\n'
		printf 'export PMEMLAB_PROBE_SIZE\n'
	} >"$WORK/run.conf"
	write_user_env
}

# The environment the user's command gets in the guest: PATH, HOME,
# LD_LIBRARY_PATH and the names given with --env. PMEM_IS_PMEM_FORCE is
# never passed unless named: libpmem decides for itself.
write_user_env() {
	local name
	for name in PATH HOME USER LOGNAME LANG LC_ALL LD_LIBRARY_PATH "${OPT_ENV[@]}"; do
		[[ -n ${!name+set} ]] || continue
		printf 'export '
		sh_assign "$name" "${!name}"
	done >"$WORK/env"
}
