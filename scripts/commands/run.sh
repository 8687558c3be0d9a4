# shellcheck shell=bash
# pmemlab run: one guest, every fixture, the placement table.

# shellcheck source=scripts/lib/guest.sh
. "$PMEMLAB_ROOT/scripts/lib/guest.sh"

run_usage() {
	cat <<USAGE
usage: pmemlab run [OPTIONS]

Boot one guest, build every fixture (or those named with --fixture), probe
each with pmemprobe and print: fixture | expected | verdict | result | evidence.
Exit status: 0 every placement as expected, 1 a placement or the guest failed,
2 bad usage, 3 could not prepare or boot the guest.

options:
$(common_options_help)
  --fixture NAME|PATH       only this fixture (repeatable): a name ('pmemlab fixtures' lists
                            them) or your own fixture file (docs/FIXTURES.md)
  --format text|json        the table, or one JSON document (docs/RESULTS.md)
USAGE
}

cmd_run() {
	while (($#)); do
		case $1 in
		-h | --help)
			run_usage
			return 0
			;;
		*)
			parse_common_option "$@" || usage_die "run: unknown option '$1'"
			shift "$SHIFT_BY"
			;;
		esac
	done
	validate_common_options boot
	session_start
	session_prepare run
	if [[ -n $BACKEND_UNSUPPORTED && ${OPT_DRY_RUN:-0} != 1 ]]; then
		session_unsupported_results
	elif [[ -s $WORK/unsupported.jsonl && ! -s $WORK/plan.tsv && ${OPT_DRY_RUN:-0} != 1 ]]; then
		# every fixture needs a module the kernel's packages lack
		: >"$WORK/results.jsonl"
		GUEST_SECONDS=0 INIT_SECONDS=null
	else
		guest_run run || true
	fi
	# the fixtures whose modules are missing (session_module_gaps)
	cat "$WORK/unsupported.jsonl" >>"$WORK/results.jsonl" 2>/dev/null || true
	local json
	json=$(report_json "$WORK/results.jsonl" "$WORK/plan.json")
	report_print "$json"
	[[ -z ${GUEST_ERROR:-} ]] || log "error: $GUEST_ERROR"
	[[ $(jq -r .ok <<<"$json") == true ]] || return "$EX_FAIL"
}
