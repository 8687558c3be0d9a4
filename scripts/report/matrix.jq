# Run records (scripts/lib/matrix.sh, one per kernel x backend x QEMU) -> the
# matrix document (docs/MATRIX.md). Input: an array of records.
# $catalog: [{name, expected, backends: {NAME: {placement, map_sync,
# note}}}] in the catalog's order; the records add the user's fixture files. $jobs, $wall: the
# run's -j and wall seconds (null after a merge).
#
# A cell is kernel x backend (x QEMU) x fixture; each names its QEMU
# ({name, binary, version}; null in records older than the QEMU axis).
# Its result:
#   unsupported  the kernel's config lacks what it needs (never booted), or
#                the guest found that this kernel and QEMU cannot do it
#   pass         the probe's verdict is the expected placement
#   n/a          the fixture cannot exist on this backend (fixtures/
#                expectations.tsv says why)
#   fail         anything else: wrong verdict, an error, or a skip the
#                config says should not happen, or no result at all

def missing_text:
	if length == 0 then "what this needs" else join(", ") end;

# kconfig judgement of one fixture in a record
def support($r; $f):
	($r.kconfig.fixtures[$f]
	 # a user's fixture file names no kernel options: run and backend decide
	 // (if ($r.user_fixtures // []) | map(.name) | index([$f]) then {supported: true, reasons: [], missing: []}
	     else {supported: false, reasons: ["the kernel's config does not know this fixture"], missing: []} end)) as $fx
	| [$r.kconfig.run, $r.kconfig.backend, $fx] as $levels
	| {supported: ($levels | all(.supported)),
	   reasons: ($levels | map(.reasons // []) | add | unique),
	   missing: ($levels | map(.missing // []) | add | unique),
	   missing_modules: ($levels | map(.missing_modules // []) | add | unique),
	   hints: ($levels | map(.hints // []) | add | unique)};

# why a cell is unsupported: module files the kernel's packages lack
# (and which package ships them), else the config's options
def unsupported_reason($s):
	if ($s.missing_modules | length) > 0 then
		"no \($s.missing_modules | map("\(.).ko") | join(", ")) in the kernel's modules"
		+ (if ($s.hints | length) > 0 then ": \($s.hints | join("; "))" else "" end)
	else "the kernel's config lacks \($s.missing | missing_text)" end;

def cell($r; $f; $entry):
	support($r; $f) as $s
	| ($r.run.fixtures // [] | map(select(.fixture == $f)) | first) as $fx
	| ($entry.backends[$r.backend] // {placement: $entry.expected}) as $want
	| (if $want.placement == "-" then "n/a" else $want.placement end) as $expected
	| {id: "\($r.id):\($f)", run: $r.id, kernel: $r.kernel, backend: $r.backend, qemu: $r.qemu,
	   fixture: $f, expected: $expected,
	   verdict: $fx.probe.verdict,
	   page_strip: $fx.probe.page_strip,
	   pmem_pages: $fx.probe.pmem_pages, present: $fx.probe.present,
	   seconds: $fx.seconds}
	+ if $expected == "n/a" then
		{result: "n/a", reason: "not on the \($r.backend) backend: \($want.note)", missing: [], reasons: []}
	elif $s.supported | not then
		{result: "unsupported", reason: unsupported_reason($s),
		 missing: $s.missing, reasons: $s.reasons}
	elif $fx == null then
		{result: "fail", reason: ($r.error // "the guest reported no result for this fixture"),
		 missing: [], reasons: []}
	elif $fx.result == "unsupported" then
		{result: "unsupported", reason: $fx.reason, missing: [], reasons: [$fx.reason]}
	elif $fx.result == "pass" then
		{result: "pass", reason: null, missing: [], reasons: []}
	elif $fx.result == "skip" then
		{result: "fail", reason: "the kernel's config supports it, but the guest skipped it: \($fx.reason)",
		 missing: [], reasons: []}
	else
		{result: "fail",
		 reason: ($fx.reason // "verdict \($fx.probe.verdict // "none"), expected \($expected)"),
		 missing: [], reasons: []}
	end;

def count($cells; $what): $cells | map(select(.result == $what)) | length;

sort_by(.kernel, .backend, .qemu.name // "") as $runs
| ($runs | map(.fixtures) | add // [] | unique) as $asked
# the user's fixture files, from the records: their own expectation on
# every backend (they have no rows in expectations.tsv)
| ($runs | map(.user_fixtures // []) | add // [] | unique_by(.name)
   | map({name, expected, user_file: .file, backends: {}})) as $user
| [($catalog + $user)[] | select(.name as $n | $asked | index([$n]))] as $fixtures
| [$runs[] as $r | $fixtures[] | select(.name as $n | $r.fixtures | index($n))
	| cell($r; .name; .)] as $cells
| ($runs | map(select(.error != null)) | map({run: .id, error})) as $guest_errors
| {tool: "pmemlab", report: "matrix", format_version: 1,
   kernels: ($runs | map(.kernel) | unique),
   # where each kernel came from (vm/lib/kernel.sh: KERNEL_ORIGIN)
   kernel_origins: ($runs | map({key: .kernel, value: (.kernel_origin // .run.kernel_origin // .kconfig.kernel_origin)})
	| from_entries),
   backends: ($runs | map(.backend) | unique),
   qemus: ($runs | map(.qemu // empty) | unique_by(.name, .binary, .version)),
   fixtures: $fixtures,
   jobs: $jobs, wall_seconds: $wall,
   guest_seconds: ($runs | map(.run.boot_seconds // 0) | add // 0),
   summary: {cells: ($cells | length), passed: count($cells; "pass"),
	     failed: count($cells; "fail"), unsupported: count($cells; "unsupported"),
	     not_applicable: count($cells; "n/a"),
	     guests: ($runs | map(select(.booted)) | length), guest_errors: ($guest_errors | length)},
   guest_errors: $guest_errors,
   cells: $cells,
   runs: $runs}
| . + {ok: (.summary.failed == 0 and .summary.guest_errors == 0 and .summary.cells > 0)}
