# shellcheck shell=bash
# Progress of long work made of units (the matrix's cells). On a terminal:
# one live line, redrawn in place (done/total, elapsed, ETA, what runs).
# Elsewhere (CI logs, pipes): a plain line per event, nothing redrawn.
# PMEMLAB_PROGRESS=live|plain|none overrides the choice; --quiet is none.
#
#   progress_start TOTAL    progress_event TEXT    progress_tick DONE RUNNING...
#   progress_end

progress_start() {
	PROGRESS_TOTAL=$1
	PROGRESS_T0=$(now_ms)
	PROGRESS_LIVE_SHOWN=0
	PROGRESS_MODE=${PMEMLAB_PROGRESS:-}
	if [[ ${PMEMLAB_QUIET:-0} == 1 ]]; then
		PROGRESS_MODE=none
	elif [[ -z $PROGRESS_MODE ]]; then
		[[ -t 2 ]] && PROGRESS_MODE=live || PROGRESS_MODE=plain
	fi
	case $PROGRESS_MODE in
	live | plain | none) ;;
	*) usage_die "PMEMLAB_PROGRESS='$PROGRESS_MODE': choose live, plain or none" ;;
	esac
}

# "1:05" from seconds.
progress_clock() {
	printf '%d:%02d\n' "$(($1 / 60))" "$(($1 % 60))"
}

# ETA from the pace so far: elapsed / done * left.
progress_eta() {
	local done=$1 elapsed=$2 left=$((PROGRESS_TOTAL - $1))
	if ((left == 0)); then
		echo 0:00
	elif ((done == 0)); then
		echo '?'
	else
		progress_clock $(((elapsed * left + done / 2) / done))
	fi
}

# progress_event TEXT: a line that stays (a cell started or ended).
progress_event() {
	case $PROGRESS_MODE in
	none) return ;;
	live) ((PROGRESS_LIVE_SHOWN == 0)) || printf '\r\033[K' >&2 ;;
	esac
	log "$*"
	PROGRESS_LIVE_SHOWN=0
}

# progress_tick DONE NAME...: redraw the live line (terminal only).
progress_tick() {
	[[ $PROGRESS_MODE == live ]] || return 0
	local done=$1 elapsed
	shift
	elapsed=$((($(now_ms) - PROGRESS_T0) / 1000))
	printf '\r\033[K%s: [%d/%d] %s elapsed, ETA %s, running: %s' "${PMEMLAB_PROG:-pmemlab}" \
		"$done" "$PROGRESS_TOTAL" "$(progress_clock "$elapsed")" \
		"$(progress_eta "$done" "$elapsed")" "${*:-nothing}" >&2
	PROGRESS_LIVE_SHOWN=1
}

# progress_status DONE: "[2/4] 0:35 elapsed, ETA 0:35" for plain lines.
progress_status() {
	local done=$1 elapsed
	elapsed=$((($(now_ms) - PROGRESS_T0) / 1000))
	printf '[%d/%d] %s elapsed, ETA %s\n' "$done" "$PROGRESS_TOTAL" \
		"$(progress_clock "$elapsed")" "$(progress_eta "$done" "$elapsed")"
}

progress_end() {
	[[ $PROGRESS_MODE != live || $PROGRESS_LIVE_SHOWN == 0 ]] || printf '\r\033[K' >&2
	PROGRESS_LIVE_SHOWN=0
}
