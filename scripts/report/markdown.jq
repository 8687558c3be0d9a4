# The matrix document -> a Markdown summary (for CI step summaries):
# fixtures down, kernel x backend (x QEMU) across, then what failed and
# why; every column and guest names its QEMU.

def mark: {pass: "✅ pass", fail: "❌ fail", unsupported: "➖ unsupported", "n/a": "n/a"}[.] // .;
def md: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def qemu_md: if .qemu then "QEMU \(.qemu.version) (`\(.qemu.binary | md)`)" else "QEMU ?" end;

. as $doc
| "## pmemlab matrix: \(.summary.passed) passed, \(.summary.failed) failed, \(.summary.unsupported) unsupported\(if (.summary.not_applicable // 0) > 0 then ", \(.summary.not_applicable) n/a" else "" end)",
  "",
  "\(.summary.cells) cells on \(.runs | length) kernel x backend pairs; \(.summary.guests) guests"
	+ (if .wall_seconds then ", -j \(.jobs), \(.wall_seconds) s wall" else " (merged)" end) + ".",
  "",
  "QEMU: " + ([.qemus // [] | .[] | "\(.name) = \(.version) (`\(.binary | md)`)"] | join(", ")) + ".",
  "",
  "| fixture | expected | " + ([.runs[] | "`\(.kernel)` \(.backend), QEMU \(.qemu.version // "?")\(if .id | test("@") then " `\(.qemu.name | md)`" else "" end)"] | join(" | ")) + " |",
  "|---|---|" + ([.runs[] | "---|"] | join("")),
  (.fixtures[] as $f
   | "| \($f.name) | \($f.expected) | "
     + ([$doc.runs[] as $r | ($doc.cells | map(select(.run == $r.id and .fixture == $f.name)) | first)
	| if . == null then "" else (.result | mark) end] | join(" | ")) + " |"),
  "",
  (if .summary.failed > 0 then
	"### Failed", "",
	(.cells[] | select(.result == "fail") | "- `\(.id)`: \(.reason | md)"), ""
   else empty end),
  (if .summary.unsupported > 0 then
	"### Unsupported by kernel", "",
	(.cells[] | select(.result == "unsupported") | "- `\(.id)`: \(.reason | md)"), ""
   else empty end),
  (if .summary.guest_errors > 0 then
	"### Guest errors", "",
	(.guest_errors[] | "- `\(.run)`: \(.error | md)"), ""
   else empty end),
  "### Kernels", "",
  "| kernel | from |",
  "|---|---|",
  (.kernels[] | "| `\(.)` | \($doc.kernel_origins[.] // "unknown" | md) |"),
  "",
  "### Guests", "",
  "| cell | guest kernel | QEMU | accel | boot s | PMem in the guest |",
  "|---|---|---|---|---|---|",
  (.runs[] | "| `\(.id)` | \(.run.guest_kernel // "not booted") | \(qemu_md) | \(.run.accel // "") | \(.run.boot_seconds // "") | \(.run.pmem_iomem // [] | map(tostring) | join(", ") | md) |")
