# shellcheck shell=bash
# exec's outcome as JUnit XML (exec --junit FILE), for CI systems that
# show test reports: one testsuite "pmemlab exec" with two testcases,
# the fixture's placement (failure: placed other than expected; skipped:
# the kernel or backend cannot build it; error: it failed) and the
# command (failure: a non-zero status; error: pmemlab could not run it).
# A guest that never reported (boot, timeout, panic) is one error
# testcase "guest". Properties: backend, kernel, accel, QEMU (binary and
# version), and the timing line's fields (timing.json). Read from the
# run's work directory: the judged fixture from report.json
# (report_json), CMD's status from results.jsonl.

[[ -z ${_pmemlab_loaded_junit:-} ]] || return 0
_pmemlab_loaded_junit=1

# junit_write FILE STATUS GUEST_ERROR: exec's JUnit report into FILE
# (STATUS: exec's exit status; GUEST_ERROR: empty when the guest reported).
junit_write() {
	local file=$1 status=$2 guest_error=$3 results=$WORK/results.jsonl timing='{}' report='{}'
	[[ ! -s $WORK/timing.json ]] || timing=$(<"$WORK/timing.json")
	[[ ! -s $WORK/report.json ]] || report=$(<"$WORK/report.json")
	[[ -f $results ]] || results=/dev/null
	jq -r -s -L "$PMEMLAB_ROOT/scripts/report" --arg status "$status" --arg guest_error "$guest_error" --argjson timing "$timing" \
		--argjson report "$report" \
		--arg backend "${OPT_BACKEND:-}" --arg kernel "${KERNEL_VERSION:-}" --arg accel "${ACCEL:-}" \
		--arg kernel_origin "${KERNEL_ORIGIN:-}" \
		--arg qemu_binary "${QEMU_BIN:-}" --arg qemu_version "${QEMU_VERSION:-}" \
		--arg command "${EXEC_COMMAND:-}" --arg stamp "$(date -u +%Y-%m-%dT%H:%M:%S)" '
		include "xml";
		def prop($n; $v): "    <property name=\"\($n | xml)\" value=\"\($v | xml)\"/>";
		def case($class; $name; $time; $body):
			"  <testcase classname=\"\($class | xml)\" name=\"\($name | xml)\" time=\"\($time // 0 | xml)\">"
			+ (if $body == "" then "" else "\n" + $body + "\n  " end) + "</testcase>";
		def tag($t; $msg): "    <\($t) message=\"\($msg | xml)\"/>";
		($report.fixtures // [] | first) as $f
		| (map(select(.type == "exec")) | first) as $e
		| (if $guest_error != "" then
			[case("pmemlab"; "guest"; $timing.total; tag("error"; $guest_error))]
		   else
			[(if $f == null then empty else
				case("pmemlab.fixture"; "\($f.fixture) placement"; $f.seconds;
					if $f.result == "skip" or $f.result == "unsupported" then tag("skipped"; $f.reason)
					elif $f.status != "ok" then tag("error"; "\($f.fixture): \($f.reason)")
					elif $f.result != "pass" then tag("failure"; $f.why // "placed \($f.probe.verdict // "?"), expected \($f.expected)")
					else "" end) end),
			 case("pmemlab.exec"; $command; $timing.command;
				if $e == null then tag("error"; "the command did not run (\($f.fixture // "the fixture") was not set up)")
				elif $e.error then tag("error"; $e.error)
				elif $e.status != 0 then tag("failure"; "exited \($e.status)")
				else "" end)]
		   end) as $cases
		| "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
		  "<testsuite name=\"pmemlab exec\" tests=\"\($cases | length)\" failures=\"\([$cases[] | select(contains("<failure"))] | length)\" errors=\"\([$cases[] | select(contains("<error"))] | length)\" skipped=\"\([$cases[] | select(contains("<skipped"))] | length)\" time=\"\($timing.total // 0 | xml)\" timestamp=\"\($stamp)\">",
		  "  <properties>",
		  prop("backend"; $backend), prop("kernel"; $kernel), prop("kernel_origin"; $kernel_origin), prop("accel"; $accel), prop("exit_status"; $status),
		  prop("qemu_binary"; $qemu_binary), prop("qemu_version"; $qemu_version),
		  ($timing | to_entries[] | prop("seconds." + .key; .value // "")),
		  "  </properties>",
		  $cases[],
		  "</testsuite>"' "$results" >"$file" || log "warning: cannot write the JUnit report $file"
}
