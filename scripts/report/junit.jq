# The matrix document -> JUnit XML: a testsuite per guest (kernel x
# backend), a testcase per cell, plus one "guest" testcase per booted
# guest (it failed to boot, hung, panicked or warned). Unsupported cells
# are <skipped>. Each testsuite's properties name its QEMU too (qemu,
# qemu_binary, qemu_version); with a QEMU axis the classnames end in @QEMU.

include "xml";

def class($r): "pmemlab.matrix.\($r.kernel).\($r.backend)" + (if $r.id | test("@") then "@\($r.qemu.name)" else "" end);
def testcase($r):
	"    <testcase\(attrs({classname: class($r),
		name: "\(.fixture) (expected \(.expected))", time: (.seconds | secs)}))>"
	+ (if .result == "fail" then
		"<failure\(attrs({message: .reason, type: "placement"}))>verdict \(.verdict // "none"), expected \(.expected)</failure>"
	   elif .result == "unsupported" or .result == "n/a" then
		"<skipped\(attrs({message: .reason}))/>"
	   else "" end)
	+ (if .page_strip then "<system-out>pages \(.page_strip | xml)</system-out>" else "" end)
	+ "</testcase>";

def guest_case($r):
	"    <testcase\(attrs({classname: class($r), name: "guest",
		time: ($r.run.boot_seconds | secs)}))>"
	+ (if $r.error != null then "<failure\(attrs({message: $r.error, type: "guest"}))/>" else "" end)
	+ "</testcase>";

. as $doc
| ([$doc.runs[] | select(.booted)] | length) as $guests
| "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
  "<testsuites\(attrs({name: "pmemlab matrix", tests: ($doc.summary.cells + $guests),
	failures: ($doc.summary.failed + $doc.summary.guest_errors), skipped: ($doc.summary.unsupported + ($doc.summary.not_applicable // 0)),
	time: ($doc.wall_seconds // $doc.guest_seconds | secs)}))>",
  ($doc.runs[] as $r
   | [$doc.cells[] | select(.run == $r.id)] as $cells
   | "  <testsuite\(attrs({name: $r.id, tests: (($cells | length) + (if $r.booted then 1 else 0 end)),
	failures: (($cells | map(select(.result == "fail")) | length) + (if $r.error != null then 1 else 0 end)),
	skipped: ($cells | map(select(.result == "unsupported" or .result == "n/a")) | length),
	time: ($r.seconds | secs), hostname: ($r.host // "")}))>",
     "    <properties>",
     ({kernel: $r.kernel, kernel_origin: ($doc.kernel_origins // {})[$r.kernel], backend: $r.backend,
       qemu: $r.qemu.name, qemu_binary: $r.qemu.binary, qemu_version: $r.qemu.version}
      | to_entries[] | select(.value != null) | "      <property\(attrs({name: .key, value: .value}))/>"),
     "    </properties>",
     ($cells[] | testcase($r)),
     (if $r.booted then guest_case($r) else empty end),
     "  </testsuite>"),
  "</testsuites>"
