# The suite matrix's document (pmemlab matrix --suite) rendered; $part
# picks what: "table" (tests down, kernels across, tab-separated),
# "summary" (a line per kernel), "markdown" (summary.md), "junit" (the
# document suite-junit.jq reads: a testsuite per kernel and part).

def counts: if . == null then "no result"
	else "\(.pass) pass, \(.fail) fail, \(.skip) skip, \(.notrun) not run, \(.hollow) hollow" end;
def kernel_line: "\(.kernel): " + (if .error then "error: \(.error)" else (.counts | counts) end)
	+ " in \(.seconds | round) s";
def cell($k): .results[$k].status // "-";
def md: tostring | gsub("\\|"; "\\|") | gsub("[\n\r]"; " ");

. as $doc
| [$doc.kernels[].kernel] as $ks
| if $part == "table" then
	(["TEST", "PART"] + $ks | @tsv),
	($doc.tests[] | [.test, .part] + [cell($ks[])] | @tsv)
elif $part == "summary" then
	($doc.kernels[] | kernel_line),
	"\($doc.suite): \($ks | length) kernel(s), \($doc.wall_seconds | round) s: "
	+ (if $doc.ok then "no test failed" else "a test or a run failed" end)
elif $part == "markdown" then
	"# pmemlab matrix --suite \($doc.suite)", "",
	"| kernel | pass | fail | skip | not run | hollow | seconds | error |",
	"|---|---|---|---|---|---|---|---|",
	($doc.kernels[] | "| `\(.kernel)` | \(.counts.pass // "-") | \(.counts.fail // "-") | \(.counts.skip // "-") | \(.counts.notrun // "-") | \(.counts.hollow // "-") | \(.seconds | round) | \(.error // "" | md) |"),
	"",
	"| test | part | " + ($ks | map("`\(.)`") | join(" | ")) + " |",
	"|---|---|" + ($ks | map("---|") | join("")),
	($doc.tests[] | . as $t | "| \(.test | md) | \(.part) | "
		+ ([$ks[] as $k | ($t.results[$k] // null) | if . == null then "-"
			elif .status == "pass" then "pass"
			else "\(.status): \(.reason // "" | md)" end] | join(" | ")) + " |")
elif $part == "junit" then
	# a kernel's part is a part of its own; a kernel with no report is a
	# failed test, so it is never silent
	([$doc.tests[] | . as $t | .results | to_entries[]
	  | .value + {test: $t.test, part: "\(.key).\($t.part)"}]
	 + [$doc.kernels[] | select(.error)
	  | {test: "(suite run)", part: .kernel, status: "fail", reason: .error, seconds: .seconds}]) as $tests
	| {suite: $doc.suite, wall_seconds: $doc.wall_seconds, tests: $tests,
	   parts: ($tests | map(.part) | unique | map(. as $p | {part: $p, seconds: ([$tests[] | select(.part == $p) | .seconds // 0] | add)})),
	   counts: {fail: ($tests | map(select(.status == "fail")) | length),
		skip: ($tests | map(select(.status == "skip")) | length),
		notrun: ($tests | map(select(.status == "notrun")) | length),
		hollow: ($tests | map(select(.status == "hollow")) | length)}}
else error("unknown part \($part)") end
