# The step summary of the action (scripts/ci/run), in Markdown, from the
# document it keeps as pmemlab.json: `pmemlab run --format json`
# (docs/RESULTS.md), or for exec the same fields for its one fixture plus
# .command and .status. The evidence reads as in `pmemlab run`'s table.
# Arguments: --arg status (pmemlab's exit status).

def yn: if . == true then "yes" elif . == false then "no" else "?" end;
def evidence:
	if .probe == null then (.reason // "")
	else "\(.probe.pmem_pages)/\(.probe.present) pages in PMem, statx DAX \(.probe.evidence.statx_dax | yn), MAP_SYNC \(.probe.evidence.map_sync | yn), libpmem \(.probe.evidence.libpmem_is_pmem | yn)"
	end;
# a table cell: no line break, no column separator
def cell: tostring | gsub("[\r\n]+"; " ") | gsub("\\|"; "\\|");

(if .command != null then
	"### pmemlab exec: `\(.command | cell)` exited \($status)"
else
	"### pmemlab run: \(.passed) passed, \(.failed) failed, \(.skipped) skipped (exit \($status))"
end),
"",
"| fixture | expected | verdict | result | evidence |",
"|---|---|---|---|---|",
(.fixtures[] | "| \(.fixture | cell) | \(.expected | cell) | \(.probe.verdict // "-" | cell) | \(.result | cell) | \(evidence | cell) |"),
"",
"\(.backend) backend (\(.size)), kernel \(.guest_kernel // .kernel // "?")\(if .kernel_origin then " (\(.kernel_origin | cell))" else "" end), \(.accel // "?")\(if .accel_reason then " (\(.accel_reason))" else "" end)",
"",
"Accelerator: **\(.accel // "?")**, guest clocksource \(.clocksource // "unknown")\(if .accel == "kvm" and .clocksource == "kvm-clock" then " (KVM confirmed)" elif .accel == "kvm" then " (KVM NOT confirmed)" else "" end)",
(if .timing then "",
	"timing (s): host prep \(.timing.host_prep), \(if .timing.start == "snapshot" then "saved guest started \(.timing.boot)" else "boot to /init \(.timing.boot), modules \(.timing.modules)" end), fixture \(.timing.fixture), command \(.timing.command), other \(.timing.other), power-off \(.timing.power_off), total \(.timing.total)"
else empty end),
(if .error then "", "error: \(.error)" else empty end)
