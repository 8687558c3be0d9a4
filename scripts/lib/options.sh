# shellcheck shell=bash disable=SC2034 # OPT_* are read by the commands and session
# Options shared by run, exec and shell. parse_common_option OPT VALUE
# consumes one option; it returns 1 for an option it does not know.
# Values are checked here, before anything is built or booted.

[[ -z ${_pmemlab_loaded_options:-} ]] || return 0
_pmemlab_loaded_options=1

# shellcheck source=vm/lib/accel.sh
. "$PMEMLAB_ROOT/vm/lib/accel.sh"
# shellcheck source=vm/lib/qemu-bin.sh
. "$PMEMLAB_ROOT/vm/lib/qemu-bin.sh"
# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"
# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

OPT_BACKEND=${PMEMLAB_BACKEND:-$BACKEND_DEFAULT}
OPT_SIZE=${PMEMLAB_SIZE:-1G}
OPT_KERNEL=${PMEMLAB_KERNEL:-}
OPT_ACCEL=${PMEMLAB_ACCEL:-auto}
OPT_QEMU=${PMEMLAB_QEMU:-system}
OPT_FORMAT=text
OPT_KEEP_WORK=0
OPT_FIXTURES=()
OPT_APPEND=()
OPT_FIXTURE_OPTS=()
OPT_ENV=()

# The backends whose PMem a --backing file can keep, as "a or b".
backing_backends() {
	local b keep=()
	for b in "${BACKEND_ORDER[@]}"; do
		[[ -n ${BACKEND_BACKING[$b]} ]] || keep+=("$b")
	done
	join_or "${keep[@]}"
}

# common_options_help: the options text of run, exec and shell (made
# when asked: its dozen subshells cost about 0.1 s at every start).
common_options_help() {
	printf '%s\n' "\
  --backend NAME            where the persistent memory comes from (default $BACKEND_DEFAULT):
$(for b in $(backend_names); do printf '%-27s %-12s %s\n' '' "$b" "${BACKEND_DESC[$b]}"; done)
  --size SIZE[,SIZE...]     one region or device per size, >= 512M, in steps of
                           $(for b in $(backend_names); do printf ' %s %s' "$b" "$(human_size "${BACKEND_STEP[$b]}")"; done) (default 1G)
  --kernel K                Debian kernel version (6.1.0-28-amd64), flavour (cloud, rt),
                            a built kernel tree DIR (where make ran),
                            or a bzImage path with lib/modules/VERSION beside it
  --modules DIR             directory holding lib/modules/VERSION for --kernel PATH
  --accel auto|kvm|tcg      auto uses KVM only when a KVM guest really progresses
  --qemu system|backports|PATH  the QEMU that runs the guest (default system: qemu-system-x86_64
                            on PATH; backports: 'pmemlab qemu fetch backports' put it in the cache)
  --timeout SECONDS         kill the guest after this long (default 300)
  --mem SIZE                the guest's own RAM beside its PMem (default 1536M, at least 1G;
                            no more than the host has available)
  --append ARGS             extra kernel arguments (e.g. 'hugepagesz=1G hugepages=2'); those
                            pmemlab sets (console, panic, init, rdinit, memmap, loglevel...) are refused
  --backing FILE            $(backing_backends): keep the device in FILE across runs (created 0600 if missing;
                            an existing one is reused as it is: namespace and filesystem, no mkfs;
                            cxl keeps its label area in FILE.lsa beside it)
  --keep-work               keep the run's work directory (console log, results)
  --show-cmdline            print the QEMU command line
  --dry-run                 prepare kernel and initramfs, print the QEMU command, do not boot
  --fixture-opt KEY=VALUE   setup options for the fsdax and devdax fixtures (repeatable):
                            mkfs='ARGS' (added to mkfs's), mount=OPTS (replace the dax= mount
                            options), align=4K|2M|1G and map=mem|dev (the namespace)
  -q, --quiet               no progress lines"
}

# parse_common_option OPT [VALUE]: sets SHIFT_BY to the words consumed.
parse_common_option() {
	local opt=$1
	SHIFT_BY=2
	case $opt in
	--backend | --size | --kernel | --modules | --accel | --qemu | --timeout | --fixture | --fixture-opt | --format | --backing | --mem | --append)
		(($# >= 2)) || usage_die "option $opt needs a value"
		;;
	esac
	case $opt in
	--backend) OPT_BACKEND=$2 ;;
	--size) OPT_SIZE=$2 ;;
	--kernel) OPT_KERNEL=$2 ;;
	--modules) OPT_MODULES=$2 ;;
	--accel) OPT_ACCEL=$2 ;;
	--qemu) OPT_QEMU=$2 ;;
	--timeout) PMEMLAB_TIMEOUT=$2 ;;
	--fixture) OPT_FIXTURES+=("$2") ;;
	--fixture-opt) OPT_FIXTURE_OPTS+=("$2") ;;
	--format) OPT_FORMAT=$2 ;;
	--backing) OPT_BACKING=$(realpath -m -- "$2") ;;
	--mem) OPT_MEM=$2 ;;
	--append)
		# words, as a kernel command line splits them (no globbing)
		local words
		read -r -a words <<<"$2"
		OPT_APPEND+=("${words[@]}")
		;;
	--keep-work) OPT_KEEP_WORK=1 SHIFT_BY=1 ;;
	--show-cmdline) OPT_SHOW_CMDLINE=1 SHIFT_BY=1 ;;
	--dry-run) OPT_DRY_RUN=1 SHIFT_BY=1 ;;
	-q | --quiet) OPT_QUIET=1 SHIFT_BY=1 ;;
	*) return 1 ;;
	esac
}

# --rw DIR and --env NAME, for exec and shell.
parse_user_option() {
	(($# >= 2)) || usage_die "option $1 needs a value"
	case $1 in
	--rw)
		[[ -d $2 ]] || usage_die "--rw '$2' is not a directory"
		[[ -z ${OPT_RW_DIR:-} ]] || usage_die "give --rw once"
		OPT_RW_DIR=$(realpath "$2")
		;;
	--env)
		[[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || usage_die "--env '$2' is not a variable name"
		OPT_ENV+=("$2")
		;;
	esac
}

# Checks that need no guest: everything a user can mistype. With
# "no-boot" (matrix --list), what only a boot needs is not checked.
validate_common_options() {
	local purpose=$1
	backend_check "$OPT_BACKEND"
	qemu_select "$OPT_QEMU"
	case $OPT_ACCEL in
	auto | tcg) ;;
	# asked for KVM: a /dev/kvm we cannot use is refused before any build
	kvm) [[ $purpose == no-boot ]] || accel_choose kvm ;;
	*) usage_die "unknown accel '$OPT_ACCEL': choose auto, kvm or tcg" ;;
	esac
	format_check "$OPT_FORMAT"
	[[ ${PMEMLAB_TIMEOUT:-300} =~ ^[1-9][0-9]{0,5}$ ]] ||
		usage_die "invalid timeout '${PMEMLAB_TIMEOUT}': a whole number of seconds, 1 or more"
	[[ -z ${OPT_BACKING:-} || -z ${BACKEND_BACKING[$OPT_BACKEND]} ]] ||
		usage_die "--backing needs --backend $(backing_backends) (${BACKEND_BACKING[$OPT_BACKEND]})"
	[[ -z ${OPT_MODULES:-} || -d $OPT_MODULES ]] ||
		usage_die "--modules '$OPT_MODULES' is not a directory"
	# none (exec and shell): no fixture, the regions left empty
	local f named=()
	for f in "${OPT_FIXTURES[@]}"; do
		[[ $f == none && ${OPT_FIXTURE_NONE_OK:-0} == 1 ]] || named+=("$f")
	done
	fixture_check "${named[@]}"
	local kv
	for kv in "${OPT_FIXTURE_OPTS[@]}"; do fixture_opt_check "$kv"; done
	guest_shape_check
	# parse sizes now so a bad one fails before any build
	backend_sizes "$OPT_BACKEND" "$OPT_SIZE" >/dev/null
}

# validate_built_fixture: exec and shell build one fixture (the first
# named); one that cannot exist on the backend is refused before boot.
validate_built_fixture() {
	[[ ${OPT_FIXTURES[0]:-} != none ]] || return 0
	fixture_ref "${OPT_FIXTURES[0]:-xfs-dax}"
	fixture_expectation "$FIXTURE_REF" "$OPT_BACKEND"
	[[ $FIXTURE_PLACEMENT != - ]] ||
		usage_die "fixture $FIXTURE_REF cannot exist on the $OPT_BACKEND backend: $FIXTURE_NOTE"
}

# Kernel arguments pmemlab sets itself (vm/lib/qemu.sh, the backends):
# another value would break the guest or hide what the run checks
# (loglevel and quiet hide the kernel warnings that fail a run).
readonly APPEND_OWNED=(console panic init rdinit pmemlab.guest memmap memhp_default_state initcall_blacklist loglevel quiet)

# guest_shape_check: --mem (OPT_MEM_BYTES) and --append, refused (exit 2)
# where they cannot work.
guest_shape_check() {
	if [[ -n ${OPT_MEM:-} ]]; then
		OPT_MEM_BYTES=$(parse_size "$OPT_MEM") || usage_die "invalid --mem '$OPT_MEM'"
		((OPT_MEM_BYTES >= GUEST_LOW_RAM)) ||
			usage_die "--mem '$OPT_MEM' is too small: the guest needs at least $(human_size "$GUEST_LOW_RAM") of RAM"
		((OPT_MEM_BYTES % MiB == 0)) || usage_die "--mem '$OPT_MEM' is not a whole number of MiB"
		local avail
		avail=$(awk '/^MemAvailable:/ { print $2 * 1024 }' /proc/meminfo)
		((OPT_MEM_BYTES <= avail)) ||
			usage_die "--mem '$OPT_MEM' is more than this host's available memory ($(human_size $((avail / MiB * MiB))))"
	fi
	local word key owned
	for word in "${OPT_APPEND[@]}"; do
		[[ $word =~ ^[A-Za-z0-9_.][A-Za-z0-9_.,:=@!%/+-]*$ ]] ||
			usage_die "--append '$word' is not a kernel argument (NAME or NAME=VALUE, no quotes)"
		key=${word%%=*}
		for owned in "${APPEND_OWNED[@]}"; do
			[[ $key != "$owned" ]] || usage_die "--append '$word': pmemlab sets $owned itself (vm/lib/qemu.sh and the backends)"
		done
	done
	local all="${OPT_APPEND[*]}"
	((${#all} <= 1024)) || usage_die "--append: ${#all} characters of kernel arguments, at most 1024"
}
