# The matrix document -> one self-contained HTML page (no script, no
# external file): the colored matrix, and in every cell a strip picture
# of the probed pages (pmemprobe's page_strip: PMem, DRAM, hidden, absent,
# mixed), then the guests and the reasons. Every column and guest names
# its QEMU.

def h: tostring | @html;
def result_color: {pass: "#2da44e", fail: "#cf222e", unsupported: "#8c959f", "n/a": "#d0d7de"}[.] // "#ffffff";
def strip_color: {"P": "#0969da", "D": "#e16f24", "?": "#6e7781", ".": "#ffffff", "M": "#a475f9"}[.] // "#000000";

# "PPPDD" -> [["P",3],["D",2]]
def strip_runs:
	explode | reduce .[] as $c ([];
		if length > 0 and .[-1][0] == $c then .[-1][1] += 1 else . + [[$c, 1]] end)
	| map([([.[0]] | implode), .[1]]);

def strip_svg:
	if . == null or . == "" then ""
	else length as $n
	| (strip_runs | reduce .[] as $run ({x: 0, out: ""};
		.out += "<rect x=\"\(.x)\" y=\"0\" width=\"\($run[1])\" height=\"1\" fill=\"\($run[0] | strip_color)\"/>"
		| .x += $run[1])) as $r
	| "<svg class=\"strip\" viewBox=\"0 0 \($n) 1\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"pages: \(h)\">\($r.out)</svg>"
	end;

def cell_html:
	if . == null then "<td class=\"none\">not run</td>"
	else
		"<td class=\"cell \(.result)\" title=\"\(.id | h)&#10;expected \(.expected), verdict \(.verdict // "none")"
		+ (if .reason then "&#10;\(.reason | h)" else "" end)
		+ (if .present then "&#10;\(.pmem_pages)/\(.present) pages in PMem" else "" end) + "\">"
		+ "<div class=\"result\">\(.result)</div>"
		+ "<div class=\"verdict\">\(if .verdict then "verdict \(.verdict)" else (.missing | if length > 0 then "no \(.[0])" else "" end) end | h)</div>"
		+ (.page_strip | strip_svg) + "</td>"
	end;

# a count in its result's color; a zero stays grey so no color means none
def badge($n; $text; $color):
	"<span style=\"background:\(if $n > 0 then $color else "#afb8c1" end)\">\($n) \($text)</span>";

def legend_item($color; $text): "<span class=\"key\"><i style=\"background:\($color)\"></i>\($text)</span>";

. as $doc
| ($doc.kernels | map(. as $k | {kernel: $k, runs: [$doc.runs[] | select(.kernel == $k)]})) as $groups
| "<!DOCTYPE html>
<html lang=\"en\"><head><meta charset=\"utf-8\">
<title>pmemlab matrix: \(.summary.passed) passed, \(.summary.failed) failed, \(.summary.unsupported) unsupported</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 24px; color: #1f2328; background: #ffffff; }
h1 { font-size: 20px; margin: 0 0 8px; }
.summary span { display: inline-block; padding: 2px 10px; margin-right: 6px; border-radius: 10px; color: #ffffff; }
.legend { margin: 12px 0; }
.key { margin-right: 16px; white-space: nowrap; }
.key i { display: inline-block; width: 14px; height: 14px; margin-right: 4px; vertical-align: -2px; border: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: 12px 0 24px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.cell { width: 150px; color: #ffffff; }
td.pass { background: #2da44e; }
td.fail { background: #cf222e; }
td.unsupported { background: #8c959f; }
td.n\\/a { background: #d0d7de; }
td.none { color: #6e7781; }
.result { font-weight: bold; }
.verdict { font-size: 12px; min-height: 16px; }
svg.strip { display: block; width: 150px; height: 14px; margin-top: 4px; background: #ffffff; border: 1px solid #ffffff; }
code { font-size: 12px; }
</style></head><body>
<h1>pmemlab matrix</h1>
<p class=\"summary\">\(badge(.summary.passed; "passed"; "#2da44e"))\(badge(.summary.failed; "failed"; "#cf222e"))\(badge(.summary.unsupported; "unsupported"; "#8c959f"))
\(.summary.cells) cells, \(.summary.guests) guests\(if .wall_seconds then ", -j \(.jobs), \(.wall_seconds) s wall" else " (merged)" end)\(if .summary.guest_errors > 0 then ", <b>\(.summary.guest_errors) guest error(s)</b>" else "" end)</p>
<p class=\"legend\">"
+ legend_item("#2da44e"; "pass: placement as expected")
+ legend_item("#cf222e"; "fail")
+ legend_item("#8c959f"; "unsupported: the kernel's config, or the kernel on this QEMU")
+ legend_item("#d0d7de"; "n/a: the fixture cannot exist on this backend")
+ "<br>pages: "
+ legend_item("#0969da"; "PMem") + legend_item("#e16f24"; "DRAM")
+ legend_item("#6e7781"; "address hidden") + legend_item("#ffffff"; "absent")
+ legend_item("#a475f9"; "mixed") + "</p>
<table class=\"matrix\">
<tr><th rowspan=\"2\">fixture</th><th rowspan=\"2\">expected</th>"
+ ($groups | map("<th colspan=\"\(.runs | length)\"><code>\(.kernel | h)</code>"
	+ (($doc.kernel_origins // {})[.kernel] | if . then "<br><small class=\"origin\">\(h)</small>" else "" end) + "</th>") | join(""))
+ "</tr>\n<tr>" + ([$groups[].runs[] | "<th>\(.backend)<br><small title=\"\(.qemu.binary // "" | h)\">QEMU \(.qemu.version // "?" | h)</small></th>"] | join("")) + "</tr>\n"
+ ($doc.fixtures | map(. as $f
	| "<tr><th>\($f.name | h)</th><td>\($f.expected)</td>"
	  + ([$groups[].runs[] as $r | $doc.cells | map(select(.run == $r.id and .fixture == $f.name)) | first | cell_html] | join(""))
	  + "</tr>\n") | join(""))
+ "</table>
<h2>Guests</h2>
<table class=\"guests\"><tr><th>cell</th><th>guest kernel</th><th>QEMU</th><th>accel</th><th>boot s</th><th>PMem in the guest</th><th>error</th></tr>\n"
+ ($doc.runs | map("<tr><td><code>\(.id | h)</code></td><td>\(.run.guest_kernel // "not booted" | h)</td><td>\(.qemu.version // "?" | h) <code>\(.qemu.binary // "" | h)</code></td><td>\(.run.accel // "" | h)</td><td>\(.run.boot_seconds // "")</td><td>\(.run.pmem_iomem // [] | map(h) | join("<br>"))</td><td>\(.error // "" | h)</td></tr>\n") | join(""))
+ "</table>\n"
+ (if $doc.summary.failed + $doc.summary.unsupported > 0 then
	"<h2>Why</h2>\n<ul>\n" + ($doc.cells | map(select(.result != "pass") | "<li><code>\(.id | h)</code> \(.result): \(.reason | h)</li>\n") | join("")) + "</ul>\n"
   else "" end)
+ "</body></html>"
