# shellcheck shell=bash
# Judge the guest's results (JSON lines: facts only) against the host's
# plan (plan.json: each fixture's expectation, vm/lib/fixtures.sh), and
# turn them into the placement table or one JSON document. A fixture
# passes when pmemprobe's verdict equals the expected placement; a skip
# names what the kernel lacked; a fixture that cannot exist on the
# backend (n/a) was never built and is a skip with the plan's note.

[[ -z ${_pmemlab_loaded_report:-} ]] || return 0
_pmemlab_loaded_report=1

# report_json RESULTS PLAN: the whole run as one JSON object on stdout.
report_json() {
	local results=$1 plan=$2
	jq -s --slurpfile plan "$plan" --arg backend "$OPT_BACKEND" --arg size "$OPT_SIZE" \
		--arg kernel "$KERNEL_DESC" --arg kernel_origin "${KERNEL_ORIGIN:-}" \
		--arg accel "$ACCEL" --arg accel_reason "$ACCEL_REASON" \
		--arg boot_seconds "$GUEST_SECONDS" --arg initramfs_seconds "$INITRAMFS_SECONDS" \
		--arg init_seconds "${INIT_SECONDS:-null}" --arg kernel_boot "${KERNEL_BOOT_KIND:-bzimage}" \
		--argjson initramfs_reused "${INITRAMFS_REUSED:-0}" --arg error "${GUEST_ERROR:-}" \
		--arg qemu_binary "${QEMU_BIN:-}" --arg qemu_version "${QEMU_VERSION:-}" --arg qemu_spec "${QEMU_SPEC:-}" \
		--arg cpu_flags "${PLAN_CPU_FLAGS[*]}" '
		def sync_word: if . == true then "accepted" elif . == false then "refused" else "unknown" end;
		# placement first, then MAP_SYNC where the table judges it
		def judged:
			if .status == "skip" then {result: "skip"}
			elif .status == "unsupported" then {result: "unsupported"}
			elif .status != "ok" then {result: "fail"}
			elif .probe.verdict != .expected then
				{result: "fail", why: "verdict \(.probe.verdict // "none"), expected \(.expected)"}
			elif .expected_map_sync != null and .probe.evidence.map_sync != .expected_map_sync then
				{result: "fail", why: "MAP_SYNC \(.probe.evidence.map_sync | sync_word), expected \(.expected_map_sync | sync_word)"}
			else {result: "pass"} end;
		(map(select(.type == "guest")) | first // {}) as $guest
		| (map(select(.type == "done")) | first // {}) as $done
		# the plan in its order: each fixture the guest reported, with its
		# expectation; an n/a one as a skip with the note
		| (map(select(.type == "fixture")) | map({key: .fixture, value: .}) | from_entries) as $got
		| [ $plan[0][] as $p
		    | if $p.expected == "n/a" then
			{type: "fixture", fixture: $p.fixture, status: "skip", expected: "n/a", expected_map_sync: null,
			 reason: "not on the \($backend) backend: \($p.note)", target: "", mount: "", probe: null}
		      elif $got[$p.fixture] then
			$got[$p.fixture] + {expected: $p.expected, expected_map_sync: $p.expected_map_sync}
		      else empty end
		    | . + {options: $p.options, user_file: (if $p.user_file then $p.file else null end)}
		    | . + judged ] as $fixtures
		| {backend: $backend, size: $size, kernel: $kernel,
		   kernel_origin: (if $kernel_origin == "" then null else $kernel_origin end),
		   guest_kernel: $guest.kernel, accel: $accel, accel_reason: $accel_reason, clocksource: $guest.clocksource,
		   qemu: {name: $qemu_spec, binary: $qemu_binary, version: $qemu_version,
		          cpu_flags: ($cpu_flags | split(" ") | map(select(. != "")))},
		   boot_seconds: ($boot_seconds | tonumber),
		   init_seconds: ($init_seconds | fromjson), kernel_boot: $kernel_boot,
		   initramfs_seconds: ($initramfs_seconds | tonumber),
		   initramfs_reused: ($initramfs_reused == 1),
		   pmem_iomem: ($done.pmem_iomem // $guest.pmem_iomem), modules_failed: $guest.modules_failed,
		   error: (if $error != "" then $error
			elif ($fixtures | length) == 0 then "the guest reported no fixture results (--keep-work keeps its console log)"
			else null end),
		   fixtures: $fixtures,
		   passed: ($fixtures | map(select(.result == "pass")) | length),
		   failed: ($fixtures | map(select(.result == "fail")) | length),
		   skipped: ($fixtures | map(select(.result == "skip")) | length),
		   unsupported: ($fixtures | map(select(.result == "unsupported")) | length)}
		| . + {ok: (.error == null and .failed == 0 and (.fixtures | length) > 0)}' "$results"
}

# report_print JSON: the report in the format asked for (--format).
report_print() {
	if [[ $OPT_FORMAT == json ]]; then
		printf '%s\n' "$1"
	else
		report_text "$1"
	fi
}

# report_text JSON: the table a person reads.
report_text() {
	local json=$1
	jq -r --arg part table -f "$PMEMLAB_ROOT/scripts/report/run-text.jq" <<<"$json" | align_columns
	jq -r --arg part summary -f "$PMEMLAB_ROOT/scripts/report/run-text.jq" <<<"$json"
}
