# shellcheck shell=bash
# pmemlab exec: the user's command inside the guest, on a DAX fixture.

# shellcheck source=scripts/lib/guest.sh
. "$PMEMLAB_ROOT/scripts/lib/guest.sh"
# shellcheck source=scripts/lib/junit.sh
. "$PMEMLAB_ROOT/scripts/lib/junit.sh"

# pmemlab's own failures in exec: CMD's status passes through otherwise.
readonly EX_EXEC_FAILED=125

exec_usage() {
	cat <<USAGE
usage: pmemlab exec [OPTIONS] -- CMD [ARGS...]

Run CMD inside the guest. The host's current directory is visible read-only
at the same path, pmemprobe is on PATH, and the fixture (default xfs-dax) is
mounted at \$PMEM_DIR (devdax: \$DEVICE_DAX_PATH). CMD's exit status becomes
pmemlab's; pmemlab's own failures exit 125, bad usage 2.

options:
$(common_options_help)
  --fixture NAME            the fixture to build (default xfs-dax); given again, the
                            first is built and the others' kernel modules are loaded too
                            (for a command that builds fixtures itself: pmemlab host);
                            none: no fixture, the PMem regions left empty for ndctl
                            (nvdimm labels initialised), \$PMEM_REGION the first
  --rw DIR                  share the host's DIR writable (everything else is read-only)
  --env NAME                pass the host's variable NAME too (repeatable)
  --pmem-dir DIR            where the fixture is mounted in the guest (default /mnt/pmem)
  --junit FILE              write the fixture's placement and CMD's outcome as JUnit XML
  --no-snapshot             boot the guest, neither starting a saved one nor saving it
                            (memmap under TCG saves its booted guest once per shape and
                            starts that instead of booting: PMEMLAB_SNAPSHOT=0 does the same)

CMD runs under the host's /bin/sh (sh -c for a command line), as root in
the guest, with the host's PATH, HOME, USER, LANG and LD_LIBRARY_PATH and
the --env names. The host's files are read-only but for the --rw
directory (/tmp, /run, /mnt and \$HOME are scratch): a command that
builds (make test) needs --rw . to write its objects. A timing line on
stderr says where the time went (not with -q).
USAGE
}

# CMD as a POSIX shell line the guest sources: each word single-quoted,
# so nothing in it is ever expanded or executed by pmemlab.
write_user_command() {
	local word line="exec"
	for word in "$@"; do
		line+=" $(sh_quote "$word")"
	done
	printf '%s\n' "$line" >"$WORK/cmd"
}

# exec_timing: where the time went, from the host's clock (host prep
# up to QEMU's start, boot up to the guest's "/init reached" line, or
# for a saved guest its "resumed" line, the whole guest) and the guest's
# uptime marks (the "done" record's marks, the fixture's seconds):
# $WORK/timing.json, and a line on stderr unless -q. power-off is QEMU's
# last part after the guest said done; other is the guest's own rest
# (the host root over 9p, ports, reports); snapshot save is the first
# exec of a shape saving its guest (vm/lib/snapshot.sh).
exec_timing() {
	local total out json line restored=false
	[[ $SNAPSHOT_MODE != restore ]] || restored=true
	total=$(elapsed_since "$EXEC_START_MS")
	# one jq for the JSON and the line: each process start is 10-50 ms
	# on a loaded host
	out=$(jq -s -r --argjson prep "$(((QEMU_START_MS - EXEC_START_MS) / 10))" --argjson boot "$INIT_SECONDS" \
		--argjson guest "$GUEST_SECONDS" --argjson total "$total" --argjson restored "$restored" '
		def r: . * 100 | round / 100;
		def s: if . == null then "?" else "\(.) s" end;
		(map(select(.type == "done")) | first | .marks // {}) as $m
		| (map(select(.type == "fixture")) | first | .seconds // 0) as $fixture
		| (if $restored then $m.resumed else $m.init end) as $start
		| (if $restored or ($m.modules | not) then null else $m.modules - $m.init end) as $modules
		| (if ($restored | not) and $m.resumed and $m.modules then $m.resumed - $m.modules else null end) as $save
		| (($m.end // 0) - ($start // 0)) as $after_start
		| (if $m.command_end then $m.command_end - $m.command_start else null end) as $command
		| {host_prep: ($prep / 100), start: (if $restored then "snapshot" else "boot" end),
		   boot: $boot, modules: ($modules | if . then r else null end),
		   snapshot_save: ($save | if . then r else null end),
		   fixture: $fixture, command: ($command | if . then r else null end),
		   other: (if $m.end then $after_start - ($modules // 0) - ($save // 0) - $fixture - ($command // 0) | r else null end),
		   power_off: (if $boot and $m.end then $guest - $boot - $after_start | r else null end),
		   guest: $guest, total: $total}
		| tojson,
		  "host prep \(.host_prep | s), "
		  + (if $restored then "saved guest started \(.boot | s)" else "boot to /init \(.boot | s), modules \(.modules | s)" end)
		  + (if .snapshot_save then ", snapshot save \(.snapshot_save | s)" else "" end)
		  + ", fixture \(.fixture | s), command \(.command | s), other \(.other | s), power-off \(.power_off | s) (total \(.total | s))"' \
		"$WORK/results.jsonl") || return 0
	{
		IFS= read -r json
		IFS= read -r line
	} <<<"$out"
	printf '%s\n' "$json" >"$WORK/timing.json" || return 0
	step "timing: $line"
}

cmd_exec() {
	EXEC_START_MS=$(now_ms) OPT_JUNIT=
	while (($#)); do
		case $1 in
		-h | --help)
			exec_usage
			return 0
			;;
		--pmem-dir)
			(($# >= 2)) || usage_die "option --pmem-dir needs a value"
			[[ $2 == /* ]] || usage_die "--pmem-dir '$2' must be an absolute path"
			PMEM_DIR_GUEST=$2
			shift 2
			;;
		--rw | --env)
			parse_user_option "$@"
			shift 2
			;;
		--no-snapshot)
			PMEMLAB_SNAPSHOT=0
			shift
			;;
		--junit)
			(($# >= 2)) || usage_die "option --junit needs a value"
			[[ -d $(dirname -- "$2") && ! -d $2 ]] || usage_die "--junit '$2': not a file in an existing directory"
			OPT_JUNIT=$(realpath -- "$2")
			shift 2
			;;
		--)
			shift
			break
			;;
		-*)
			parse_common_option "$@" || usage_die "exec: unknown option '$1'"
			shift "$SHIFT_BY"
			;;
		*) break ;;
		esac
	done
	(($# > 0)) || usage_die "exec: no command given (pmemlab exec [OPTIONS] -- CMD [ARGS...])"
	OPT_FIXTURE_NONE_OK=1
	validate_common_options boot
	validate_built_fixture
	DIE_STATUS=$EX_EXEC_FAILED
	OPT_HOST_DIR=$PWD
	session_start
	session_prepare exec
	write_user_command "$@"
	GUEST_ERROR='' EXEC_COMMAND="$*"
	exec_outcome
	[[ -z $OPT_JUNIT ]] || junit_write "$OPT_JUNIT" "$EXEC_STATUS" "$GUEST_ERROR"
	return "$EXEC_STATUS"
}

# exec_outcome: boot and report; EXEC_STATUS: exec's exit status (set,
# not returned, so that errexit stays on in here).
exec_outcome() {
	if [[ -s $WORK/unsupported.jsonl ]]; then
		# the fixture needs a module the kernel lacks (session_module_gaps):
		# no boot, the reason names the module and the package that ships it
		cp "$WORK/unsupported.jsonl" "$WORK/results.jsonl" || die "cannot write $WORK/results.jsonl"
		GUEST_SECONDS=0 INIT_SECONDS=null
		report_json "$WORK/results.jsonl" "$WORK/plan.json" >"$WORK/report.json" || die "cannot judge the fixture"
		log "error: fixture ${OPT_FIXTURES[0]:-xfs-dax}: unsupported: $(jq -r .reason "$WORK/unsupported.jsonl")"
		EXEC_STATUS=$EX_EXEC_FAILED
		return 0
	fi
	if ! guest_run exec; then
		log "error: $GUEST_ERROR"
		EXEC_STATUS=$EX_EXEC_FAILED
		return 0
	fi
	exec_timing
	# the judged fixture (the host's plan holds the expectation)
	report_json "$WORK/results.jsonl" "$WORK/plan.json" >"$WORK/report.json" || die "cannot judge the guest's results"
	# what exec says, from one jq (shell assignments, each value quoted)
	local fx_status fx_reason fx_where fx_target ex_error ex_status
	eval "$(jq -s -r '
		(map(select(.type == "fixture")) | first // {}) as $f
		| (map(select(.type == "exec")) | first // {}) as $e
		| "fx_status=\($f.status // "" | @sh)", "fx_reason=\($f.reason // "" | @sh)",
		  "fx_target=\($f.target // "" | @sh)",
		  "fx_where=\(($f.fixture // "") + " at " + (if ($f.mount // "") != "" then $f.mount else $f.target // "" end)
			+ ": " + ($f.probe.verdict // "?") | @sh)",
		  "ex_error=\($e.error // "" | @sh)", "ex_status=\($e.status // "" | tostring | @sh)"' "$WORK/results.jsonl")" ||
		die "cannot read the guest's results"
	if [[ $fx_status != ok ]]; then
		log "error: fixture ${OPT_FIXTURES[0]:-xfs-dax}: $fx_reason"
		EXEC_STATUS=$EX_EXEC_FAILED
		return 0
	fi
	if [[ ${OPT_FIXTURES[0]:-} == none ]]; then
		step "no fixture: the PMem regions are empty, PMEM_REGION=$fx_target"
	else
		step "fixture $fx_where"
	fi
	if [[ -n $ex_error ]]; then
		log "error: $ex_error"
		EXEC_STATUS=$EX_EXEC_FAILED
		return 0
	fi
	[[ $ex_status =~ ^[0-9]+$ ]] || {
		log "error: the guest did not report CMD's exit status"
		EXEC_STATUS=$EX_EXEC_FAILED
		return 0
	}
	EXEC_STATUS=$ex_status
}
