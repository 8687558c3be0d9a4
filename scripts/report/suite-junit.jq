# The suite document (pmemlab suite) -> JUnit XML: a testsuite per part
# (one guest each), a testcase per test. fail is a <failure>; skip, notrun
# and hollow (a result proving nothing under TCG) are <skipped>, each
# with the suite's reason.

include "xml";

def testcase($suite):
	"    <testcase\(attrs({classname: "\($suite).\(.part)", name: .test, time: (.seconds | secs)}))>"
	+ (if .status == "fail" then "<failure\(attrs({message: .reason, type: "fail"}))/>"
	   elif .status == "skip" or .status == "notrun" then "<skipped\(attrs({message: "\(.status): \(.reason)"}))/>"
	   elif .status == "hollow" then "<skipped\(attrs({message: "hollow: \(.reason)"}))/>"
	   else "" end)
	+ "</testcase>";

. as $doc
| "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
  "<testsuites\(attrs({name: "pmemlab suite \($doc.suite)", tests: ($doc.tests | length),
	failures: $doc.counts.fail, skipped: ($doc.counts.skip + $doc.counts.notrun + $doc.counts.hollow),
	time: ($doc.wall_seconds | secs)}))>",
  ($doc.parts[] as $p
   | [$doc.tests[] | select(.part == $p.part)] as $tests
   | "  <testsuite\(attrs({name: "\($doc.suite).\($p.part)", tests: ($tests | length),
	failures: ($tests | map(select(.status == "fail")) | length),
	skipped: ($tests | map(select(.status == "skip" or .status == "notrun" or .status == "hollow")) | length),
	time: ($p.seconds | secs)}))>",
     ($tests[] | testcase($doc.suite)),
     "  </testsuite>"),
  "</testsuites>"
