# shellcheck shell=bash
# Logging, errors and small helpers shared by every host-side script.
# Sourcing this file defines functions only.

# Exit codes of the pmemlab CLI (docs/CLI.md). `exec` passes the
# command's own status through and uses 125 for its own failures.
readonly EX_OK=0 EX_FAIL=1 EX_USAGE=2 EX_RUNTIME=3

log() {
	printf '%s: %s\n' "${PMEMLAB_PROG:-pmemlab}" "$*" >&2
}

# Progress lines for long steps; silenced by --quiet.
step() {
	[[ ${PMEMLAB_QUIET:-0} == 1 ]] || log "$*"
}

die() {
	log "error: $*"
	exit "${PMEMLAB_DIE_STATUS:-$EX_RUNTIME}"
}

usage_die() {
	log "$*"
	log "see '${PMEMLAB_PROG:-pmemlab} --help'"
	exit "$EX_USAGE"
}

# The user's cache: kernels, initramfs images, the KVM verdict.
cache_dir() {
	local dir=${PMEMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pmemlab}
	mkdir -p "$dir" || die "cannot create cache directory $dir"
	printf '%s\n' "$dir"
}

# Quote a value for a POSIX shell: the guest sources what we write.
sh_quote() {
	local s=${1//\'/\'\\\'\'}
	printf "'%s'" "$s"
}

# scratch_dir_start NAME: a private temporary directory in $SCRATCH,
# removed however the command ends (for commands that boot no guest;
# those use session_start, which also stops QEMU).
scratch_dir_start() {
	SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pmemlab-$1.XXXXXX") ||
		die "cannot create a scratch directory in ${TMPDIR:-/tmp} (is it writable?)"
	trap scratch_dir_cleanup EXIT
}

scratch_dir_cleanup() {
	local status=$?
	[[ -z ${SCRATCH:-} ]] || rm -rf "$SCRATCH"
	exit "$status"
}

# Wait until "$@" succeeds or SECONDS_LEFT run out; polls every 0.1 s.
poll_wait_for() {
	local timeout=$1
	shift
	local deadline=$((SECONDS + timeout))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

now_ms() {
	local t
	t=$(date +%s%N)
	printf '%s\n' "$((t / 1000000))"
}

# elapsed_since MS: seconds since now_ms printed MS, as 12.34.
elapsed_since() {
	local ms=$(($(now_ms) - $1))
	printf '%d.%02d\n' "$((ms / 1000))" "$((ms % 1000 / 10))"
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
