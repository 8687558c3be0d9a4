# pmemlab run's report (scripts/lib/report.sh, report_json) -> the table
# a person reads: a TSV that align_columns lines up, then the summary line
# (with --arg part summary).

def yn: if . == true then "yes" elif . == false then "no" else "?" end;
# DAX mapping sizes: traced fault counts, else 2 MiB PFN runs
def faults:
	(.probe.evidence.fault_sizes // {}) as $f
	| if $f.traced == true and ($f.faults_2m + $f.faults_4k) > 0 then
		", faults 2M \($f.faults_2m) 4K \($f.faults_4k)"
	elif (.probe.evidence.huge_runs_1g // 0) > 0 then ", 1G runs \(.probe.evidence.huge_runs_1g)"
	elif .probe.pmem_pages > 0 then ", 2M runs \(.probe.evidence.huge_runs_2m // 0)"
	else "" end;
def evidence:
	if .probe == null then .reason
	elif .probe.target == "anon" then
		"\(.probe.pmem_pages)/\(.probe.present) pages in PMem, \(.probe.kmem_pages) of them kmem (volatile), NUMA node \(.probe.numa.node): \(.probe.numa.pages_on_node // "?") pages on it"
		+ if .why then " (\(.why))" else "" end
	else (if .probe.witness == "device-range" then "\(.probe.device_range.pmem_pages)/\(.probe.pages) pages in PMem by the device's range (pagemap does not report 1 GiB mappings)"
		else "\(.probe.pmem_pages)/\(.probe.present) pages in PMem" end)
		+ ", statx DAX \(.probe.evidence.statx_dax | yn), MAP_SYNC \(.probe.evidence.map_sync | yn), libpmem \(.probe.evidence.libpmem_is_pmem | yn)"
		+ faults + if .why then " (\(.why))" else "" end
	end;
# what --fixture-opt gave the fixture, or its user file
def setup:
	(if (.options // []) | length > 0 then "; options \(.options | join(" "))" else "" end)
	+ (if .user_file then "; file \(.user_file)" else "" end);
def want_sync: if .expected_map_sync == null then "-" else .expected_map_sync | yn end;

if $part == "summary" then
	"\n\(.passed) passed, \(.failed) failed, \(.skipped) skipped\(if .unsupported > 0 then ", \(.unsupported) unsupported" else "" end): \(.backend) backend (\(.size)), kernel \(.guest_kernel // .kernel)\(if .kernel_origin then " (\(.kernel_origin))" else "" end), \(.accel) (\(.accel_reason)), QEMU \(.qemu.version // "?") (\(.qemu.binary // "?"))\(if (.qemu.cpu_flags // []) != [] then " (cpu \(.qemu.cpu_flags | join(",")))" else "" end), guest ran \(.boot_seconds) s"
else
	(["FIXTURE", "EXPECTED", "SYNC", "VERDICT", "RESULT", "EVIDENCE"] | @tsv),
	(.fixtures[] | [.fixture, .expected, want_sync, (.probe.verdict // "-"), .result, evidence + setup] | @tsv)
end
