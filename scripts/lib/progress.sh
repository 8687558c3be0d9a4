# shellcheck shell=bash
# Progress of long work made of units (the matrix's cells). On a terminal:
# one live line, redrawn in place (done/total, elapsed, ETA, what runs).
# Elsewhere (CI logs, pipes): a plain line per event, nothing redrawn.
# PMEMLAB_PROGRESS=live|plain|none overrides the choice; --quiet is none.
#
#   progress_start TOTAL JOBS    progress_unit_started ID    progress_unit_done ID
#   progress_event TEXT          progress_tick NAME...          progress_end
#
# The ETA comes from the average time of the units done so far: units not
# started take that long each, running ones the rest of it, JOBS at a time.

[[ -z ${_pmemlab_loaded_progress:-} ]] || return 0
_pmemlab_loaded_progress=1

progress_start() {
	PROGRESS_TOTAL=$1
	PROGRESS_JOBS=$2
	PROGRESS_DONE=0 PROGRESS_DONE_MS=0
	declare -gA PROGRESS_STARTED=()
	PROGRESS_T0=$(now_ms)
	PROGRESS_LIVE_SHOWN=0
	PROGRESS_MODE=${PMEMLAB_PROGRESS:-}
	if [[ ${OPT_QUIET:-0} == 1 ]]; then
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

progress_unit_started() {
	PROGRESS_STARTED[$1]=$(now_ms)
}

# progress_unit_done ID: a unit that never started (nothing to run) counts
# as done without adding to the average.
progress_unit_done() {
	local started=${PROGRESS_STARTED[$1]:-}
	PROGRESS_DONE=$((PROGRESS_DONE + 1))
	[[ -z $started ]] && return
	PROGRESS_DONE_MS=$((PROGRESS_DONE_MS + $(now_ms) - started))
	PROGRESS_TIMED=$((${PROGRESS_TIMED:-0} + 1))
	unset "PROGRESS_STARTED[$1]"
}

progress_eta() {
	local now avg queued running=${#PROGRESS_STARTED[@]} rest=0 id left lanes
	queued=$((PROGRESS_TOTAL - PROGRESS_DONE - running))
	if ((PROGRESS_DONE == PROGRESS_TOTAL)); then
		echo 0:00
		return
	fi
	((${PROGRESS_TIMED:-0} > 0)) || {
		echo '?'
		return
	}
	now=$(now_ms)
	avg=$((PROGRESS_DONE_MS / PROGRESS_TIMED))
	for id in "${!PROGRESS_STARTED[@]}"; do
		left=$((avg - (now - PROGRESS_STARTED[$id])))
		rest=$((rest + (left > 1000 ? left : 1000)))
	done
	lanes=$((queued + running < PROGRESS_JOBS ? queued + running : PROGRESS_JOBS))
	((lanes > 0)) || lanes=1
	progress_clock $(((queued * avg + rest) / lanes / 1000))
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

# progress_tick NAME...: redraw the live line (terminal only).
progress_tick() {
	[[ $PROGRESS_MODE == live ]] || return 0
	# callers poll often; the line is redrawn twice a second at most
	local now=${EPOCHREALTIME/[.,]/}
	now=$((now / 1000))
	((now - ${PROGRESS_TICK_MS:-0} >= 500)) || return 0
	PROGRESS_TICK_MS=$now
	printf '\r\033[K%s: %s, running: %s' "${PMEMLAB_PROG:-pmemlab}" "$(progress_status)" "${*:-nothing}" >&2
	PROGRESS_LIVE_SHOWN=1
}

# "[2/4] 0:35 elapsed, ETA 0:35", for the live line and plain lines.
progress_status() {
	local elapsed=$((($(now_ms) - PROGRESS_T0) / 1000))
	printf '[%d/%d] %s elapsed, ETA %s\n' "$PROGRESS_DONE" "$PROGRESS_TOTAL" \
		"$(progress_clock "$elapsed")" "$(progress_eta)"
}

progress_end() {
	[[ $PROGRESS_MODE != live || $PROGRESS_LIVE_SHOWN == 0 ]] || printf '\r\033[K' >&2
	PROGRESS_LIVE_SHOWN=0
}
