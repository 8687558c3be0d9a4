# shellcheck shell=bash disable=SC2034 # EX_* and OPT_* are read by every command
# Logging, errors and small helpers shared by every host-side script.
# Sourcing this file defines functions and constants, and resets the
# internal option state below.

[[ -z ${_pmemlab_loaded_common:-} ]] || return 0
_pmemlab_loaded_common=1

# Exit codes of the pmemlab CLI (docs/CLI.md). `exec` passes the
# command's own status through and uses 125 for its own failures.
readonly EX_OK=0 EX_FAIL=1 EX_USAGE=2 EX_RUNTIME=3

# Set by command-line options only, never taken from the environment
# (the documented PMEMLAB_* tunables are in docs/CLI.md).
OPT_QUIET=0 OPT_DRY_RUN=0 OPT_SHOW_CMDLINE=0 OPT_BACKING='' OPT_MODULES='' OPT_HOST_DIR='' OPT_RW_DIR=''
# die's exit status: a command may set it (exec's 125); internal, so
# reset here whatever the environment holds.
DIE_STATUS=$EX_RUNTIME

log() {
	printf '%s: %s\n' "${PMEMLAB_PROG:-pmemlab}" "$*" >&2
}

# Progress lines for long steps; silenced by --quiet.
step() {
	[[ ${OPT_QUIET:-0} == 1 ]] || log "$*"
}

die() {
	log "error: $*"
	exit "$DIE_STATUS"
}

# format_check FORMAT: the --format every command takes, text or json.
format_check() {
	[[ $1 == text || $1 == json ]] || usage_die "unknown format '$1': choose text or json"
}

usage_die() {
	log "$*"
	log "see '${PMEMLAB_PROG:-pmemlab} --help'"
	exit "$EX_USAGE"
}

# The user's cache: kernels, initramfs images, the KVM verdict.
# cache_path only names it; cache_dir also creates it.
cache_path() {
	cache_location
	printf '%s\n' "$CACHE_PATH"
}

cache_dir() {
	cache_ensure
	printf '%s\n' "$CACHE_PATH"
}

# cache_ensure: cache_dir into CACHE_PATH, without a subshell.
cache_ensure() {
	cache_location
	[[ -d $CACHE_PATH ]] || mkdir -p "$CACHE_PATH" || die "cannot create cache directory $CACHE_PATH"
}

# cache_location: CACHE_PATH, for callers that avoid a subshell.
cache_location() {
	CACHE_PATH=${PMEMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmemlab}
}

# Quote a value for a POSIX shell: the guest sources what we write.
sh_quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# uniq_lines: stdin's lines, each once, in their first order (awk
# '!seen[$0]++' without its process start).
uniq_lines() {
	local line seen=$'\n'
	while IFS= read -r line; do
		[[ $seen == *$'\n'"$line"$'\n'* ]] && continue
		seen+=$line$'\n'
		printf '%s\n' "$line"
	done
}

# sh_assign NAME VALUE: the line NAME='VALUE' for a POSIX shell, without
# the subshell of $(sh_quote) (run.conf has a dozen of them).
sh_assign() {
	local s=${2//\'/\'\\\'\'}
	printf "%s='%s'\n" "$1" "$s"
}

# scratch_dir_start NAME: a private temporary directory in $SCRATCH,
# removed however the command ends (for commands that boot no guest;
# those use session_start, which also stops QEMU).
scratch_dir_start() {
	SCRATCH=$(workdir_create "pmemlab-$1") || exit
	trap scratch_dir_cleanup EXIT
}

scratch_dir_cleanup() {
	local status=$?
	[[ -z ${SCRATCH:-} ]] || rm -rf "$SCRATCH"
	exit "$status"
}

# Work directories carry an owner record (pid, start time, boot id), so
# that a run killed with SIGKILL, whose traps never ran, leaves a
# directory the next run can recognise as dead and remove.
readonly WORKDIR_OWNER=.pmemlab-owner

# workdir_create PREFIX: a new 0700 directory in TMPDIR, owned by this
# process; prints its path.
workdir_create() {
	local tmp=${TMPDIR:-/tmp} dir
	# mktemp -d makes it 0700 (the umask can only take bits away)
	dir=$(mktemp -d "$tmp/$1.XXXXXX") || die "cannot create a work directory in $tmp (is it writable?)"
	# written whole, then renamed: another run's sweep never reads half a record
	{ process_identity "$$" >"$dir/.owner.tmp" && mv "$dir/.owner.tmp" "$dir/$WORKDIR_OWNER"; } ||
		die "cannot write in $dir (disk full?)"
	printf '%s\n' "$dir"
}

# process_identity PID: "PID START_TIME BOOT_ID", unique across PID reuse.
process_identity() {
	local stat fields
	stat=$(<"/proc/$1/stat") || return 1
	read -ra fields <<<"${stat##*) }"
	printf '%s %s %s\n' "$1" "${fields[19]}" "$(</proc/sys/kernel/random/boot_id)"
}

# workdir_dead: this user's pmemlab work directories in TMPDIR whose
# owner is gone, one per line. Kept ones (--keep-work) have no owner.
workdir_dead() {
	local dir owner pid rest
	for dir in "${TMPDIR:-/tmp}"/pmemlab.* "${TMPDIR:-/tmp}"/pmemlab-*.*; do
		[[ -d $dir && -O $dir && -f $dir/$WORKDIR_OWNER ]] || continue
		owner=$(<"$dir/$WORKDIR_OWNER") || continue
		[[ $owner =~ ^[0-9]+\ [0-9]+\ [0-9a-f-]+$ ]] || continue
		pid=${owner%% *} rest=$(process_identity "$pid" 2>/dev/null) || rest=
		[[ $owner == "$rest" ]] || printf '%s\n' "$dir"
	done
}

# workdir_sweep: remove what workdir_dead lists, saying so.
workdir_sweep() {
	local dir
	while IFS= read -r dir; do
		rm -rf "$dir" && step "removed the work directory of a run that was killed: $dir"
	done < <(workdir_dead)
}

# Prefixes for children that must not outlive us, even if we die of
# SIGKILL (no trap runs then): the kernel sends them the signal when this
# process exits. A command, not a function: `"${DIE_WITH_US_KILL[@]}" cmd &`
# must exec in the forked child, whose parent is then this very process.
readonly DIE_WITH_US_KILL=(setpriv --pdeathsig KILL --)
readonly DIE_WITH_US_TERM=(setpriv --pdeathsig TERM --)

# cache_lock NAME: wait for, then hold, the cache's lock NAME (one file
# in the cache); CACHE_LOCK_FD is its descriptor, for cache_unlock. Runs
# that share a cache fill it one at a time: the second one to want a
# kernel or an image waits, then finds it there.
: "${PMEMLAB_LOCK_TIMEOUT:=900}"
cache_lock() {
	local file
	cache_ensure
	file=$CACHE_PATH/.lock-$1
	exec {CACHE_LOCK_FD}>>"$file" || die "cannot open the lock $file"
	flock -n "$CACHE_LOCK_FD" && return
	step "waiting for another pmemlab filling the cache ($1)"
	flock -w "$PMEMLAB_LOCK_TIMEOUT" "$CACHE_LOCK_FD" ||
		die "waited ${PMEMLAB_LOCK_TIMEOUT}s for the cache lock $file: is another pmemlab stuck? (fuser -v $file)"
}

cache_unlock() {
	flock -u "$CACHE_LOCK_FD"
	exec {CACHE_LOCK_FD}>&-
	CACHE_LOCK_FD=
}

# Wait until "$@" succeeds or SECONDS_LEFT run out; polls every 0.1 s.
# While a guest runs, the loop starts no process and no command
# substitution: bash drops a SIGINT that arrives while it waits for a
# child that then exits normally (it takes the child to have handled it),
# and Ctrl-C must always stop the run.
poll_wait_for() {
	local timeout=$1
	shift
	local deadline=$((SECONDS + timeout))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		pause 0.1
	done
}

# pause SECONDS: sleep in a builtin (read with a timeout on a pipe that
# never gets data), for the reason above.
pause() {
	[[ -n ${PAUSE_FD:-} ]] || exec {PAUSE_FD}<> <(:)
	read -rt "$1" -u "$PAUSE_FD" _ || true
}

# now_ms: milliseconds since the epoch, from bash's own clock.
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	printf '%s\n' "$((t / 1000))"
}

# elapsed_since MS: seconds since now_ms printed MS, as 12.34.
elapsed_since() {
	local s
	seconds_since "$1" s
	printf '%s\n' "$s"
}

# seconds_since MS VAR: the same into VAR, with builtins only (the poll
# loop calls it while a guest runs, see poll_wait_for).
seconds_since() {
	local t=${EPOCHREALTIME/[.,]/}
	local ms=$((t / 1000 - $1))
	printf -v "$2" '%d.%02d' "$((ms / 1000))" "$((ms % 1000 / 10))"
}

# Tab-separated rows on stdin -> columns padded to their widest cell.
align_columns() {
	awk -F'\t' '
		{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (i < NF && length($i) > w[i]) w[i] = length($i) }
		  if (NF > n) n = NF; rows = NR }
		END { for (r = 1; r <= rows; r++) { line = ""
			for (i = 1; i <= n; i++) line = line sprintf(i < n ? "%-" w[i] "s  " : "%s", cell[r, i])
			sub(/ +$/, "", line); print line } }'
}
