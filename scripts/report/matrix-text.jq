# The matrix document (matrix.jq) -> the terminal table, in four parts
# (--arg part): "kernels", where each came from; "runs", a TSV line per guest; "cells", a TSV of fixture x
# run (align_columns lines both up); "summary", the reasons and the count.
# Every guest line names its QEMU (version and binary).

def qemu_text: if .qemu then "QEMU \(.qemu.version) (\(.qemu.binary))" else "QEMU ?" end;

if $part == "kernels" then
	.kernels[] as $k | ["kernel", $k, "from \((.kernel_origins // {})[$k] // "unknown")"] | @tsv
elif $part == "runs" then
	.runs | to_entries[] | [" ", .key + 1, .value.id,
		if .value.booted then "\(.value.run.guest_kernel // "?"), \(.value.run.accel // "?"), \(.value.run.boot_seconds // "?") s"
		else "not booted: the kernel supports none of its fixtures" end,
		(.value | qemu_text),
		if .value.error then "ERROR: \(.value.error)" else "" end] | @tsv
elif $part == "cells" then
	. as $doc
	| (["FIXTURE", "EXPECTED"] + [range(1; (.runs | length) + 1) | tostring] | @tsv),
	  (.fixtures[] as $f
	   | [$f.name, $f.expected] + [$doc.runs[] as $r
		| ($doc.cells | map(select(.run == $r.id and .fixture == $f.name)) | first)
		| if . == null then "-" elif .result == "unsupported" then "unsup" else .result end]
	   | @tsv)
else
	(if .summary.failed > 0 then "\nfailed:", (.cells[] | select(.result == "fail") | "  \(.id): \(.reason)") else empty end),
	(if .summary.unsupported > 0 then "\nunsupported:", (.cells[] | select(.result == "unsupported") | "  \(.id): \(.reason)") else empty end),
	(if (.summary.not_applicable // 0) > 0 then "\nnot applicable:", (.cells[] | select(.result == "n/a") | "  \(.id): \(.reason)") else empty end),
	"\n\(.summary.cells) cells: \(.summary.passed) passed, \(.summary.failed) failed, \(.summary.unsupported) unsupported\(if (.summary.not_applicable // 0) > 0 then ", \(.summary.not_applicable) n/a" else "" end); \(.summary.guests) guests"
	+ (if .wall_seconds then ", -j \(.jobs), \(.wall_seconds) s" else " (merged)" end)
	+ (if .summary.guest_errors > 0 then "; \(.summary.guest_errors) guest error(s)" else "" end)
end
