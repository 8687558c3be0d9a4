#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# One real matrix under TCG: Debian's default kernel and its rt flavour
# (fetched into the cache), memmap and nvdimm, every fixture, -j 2. The
# rt kernel has no device-DAX, so its devdax cells must be "unsupported",
# never "fail". The four reports are checked: JSON with jq, JUnit with an
# XML parser, Markdown, and the HTML page rendered by headless Chromium.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	require_guest_tools
	export MATRIX_REPORT=$BATS_FILE_TMPDIR/report
	local status=0
	"$PMEMLAB" matrix --kernels default,rt --backends memmap,nvdimm -j 2 --accel tcg \
		--report "$MATRIX_REPORT" >"$BATS_FILE_TMPDIR/stdout" 2>"$BATS_FILE_TMPDIR/stderr" || status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/status"
	# Only a kernel that neither the cache (pmemlab kernel fetch rt) nor
	# apt can give is a skip; any other failure is pmemlab's.
	if ((status == 3)) && grep -qE 'cannot download|cannot resolve' "$BATS_FILE_TMPDIR/stderr"; then
		echo "the rt kernel is neither in the cache nor to be had from apt: $(grep -m1 -E 'cannot download|cannot resolve' "$BATS_FILE_TMPDIR/stderr")" \
			>"$BATS_FILE_TMPDIR/skip"
	fi
}

setup() {
	load vm_helpers
	require_guest_tools
	[[ ! -e $BATS_FILE_TMPDIR/skip ]] || skip "$(cat "$BATS_FILE_TMPDIR/skip")"
	[[ -s $MATRIX_REPORT/matrix.json ]] || {
		echo "no matrix.json; pmemlab matrix exited $(cat "$BATS_FILE_TMPDIR/status"):" >&2
		cat "$BATS_FILE_TMPDIR/stderr" >&2
		return 1
	}
}

matrix() {
	jq -r "$@" "$MATRIX_REPORT/matrix.json"
}

@test "the matrix exits 0 and prints the table: 52 cells, 47 passed, 3 unsupported, 2 n/a" {
	[[ $(cat "$BATS_FILE_TMPDIR/status") == 0 ]]
	grep -q '^52 cells: 47 passed, 0 failed, 3 unsupported, 2 n/a; 4 guests, -j 2, ' "$BATS_FILE_TMPDIR/stdout"
	grep -Eq '^devdax +pmem +pass +pass +unsup +unsup$' "$BATS_FILE_TMPDIR/stdout"
}

@test "every cell of the generic kernel, and all but devdax on rt, give the expected placement" {
	[[ $(matrix '.summary | "\(.cells) \(.passed) \(.failed) \(.unsupported) \(.not_applicable) \(.guests) \(.guest_errors)"') == "52 47 0 3 2 4 0" ]]
	[[ $(matrix '[.cells[] | select(.result == "pass" and .verdict != .expected)] | length') == 0 ]]
	[[ $(matrix '[.cells[] | select(.result == "unsupported") | .id] | join(" ")') == *-rt-amd64:memmap:devdax*-rt-amd64:nvdimm:devdax*-rt-amd64:nvdimm:kmem ]]
	# kmem needs a NUMA node of its own, which memmap PMem has not
	[[ $(matrix '[.cells[] | select(.result == "n/a") | "\(.backend):\(.fixture)"] | unique | join(" ")') == memmap:kmem ]]
	[[ $(matrix '[.runs[].run.guest_kernel] | map(test("-rt-")) | sort | map(tostring) | join(",")') == false,false,true,true ]]
}

@test "the rt kernel's devdax cells are unsupported, naming DEV_DAX, and were never built" {
	[[ $(matrix '[.cells[] | select(.result == "unsupported" and .fixture == "devdax") | .reason] | unique | .[]') == "the kernel's config lacks DEV_DAX, DEV_DAX_PMEM, TRANSPARENT_HUGEPAGE" ]]
	[[ $(matrix '.cells[] | select(.result == "unsupported" and .fixture == "kmem") | .reason') == "the kernel's config lacks DEV_DAX,"* ]]
	# the guest was not asked for devdax at all
	[[ $(matrix '[.runs[] | select(.kernel | test("-rt-")) | .run.fixtures[].fixture] | index("devdax")') == null ]]
}

@test "matrix.json holds every cell's full evidence and a page strip" {
	# 52 cells, less the 4 whose kernel config lacks what they need: the
	# rt kernel's devdax (2) and kmem (2) cells never run
	[[ $(matrix '[.runs[].run.fixtures[]] | length') == 48 ]]
	[[ $(matrix '[.runs[].run.fixtures[] | select(.probe != null) | .probe.evidence | has("statx_dax") and has("map_sync") and has("libpmem_is_pmem")] | all') == true ]]
	[[ $(matrix '[.cells[] | select(.result == "pass" and .expected == "pmem") | .page_strip | test("^P+$")] | all') == true ]]
	[[ $(matrix '[.cells[] | select(.result == "pass" and .expected == "dram") | .page_strip | test("^D+$")] | all') == true ]]
}

@test "junit.xml parses, with a testcase per cell and per guest, the unsupported ones skipped" {
	local x=$MATRIX_REPORT/junit.xml
	xmllint --noout "$x"
	[[ $(xmllint --xpath 'count(/testsuites/testsuite)' "$x") == 4 ]]
	[[ $(xmllint --xpath 'count(//testcase)' "$x") == 56 ]]
	[[ $(xmllint --xpath 'count(//testcase/failure)' "$x") == 0 ]]
	[[ $(xmllint --xpath 'count(//testcase[starts-with(@name, "devdax")]/skipped)' "$x") == 2 ]]
	[[ $(xmllint --xpath 'string(/testsuites/@tests)' "$x") == 56 ]]
}

@test "summary.md has the table and says why devdax is unsupported on rt" {
	local md=$MATRIX_REPORT/summary.md
	grep -q '^## pmemlab matrix: 47 passed, 0 failed, 3 unsupported, 2 n/a$' "$md"
	grep -q '^| devdax | pmem | ✅ pass | ✅ pass | ➖ unsupported | ➖ unsupported |$' "$md"
	grep -q -- '-rt-amd64:memmap:devdax`: the kernel.s config lacks DEV_DAX' "$md"
}

@test "headless Chromium renders matrix.html: green cells, grey unsupported ones, PMem and DRAM strips, no red" {
	command -v chromium >/dev/null || skip "chromium is not installed (scripts/install-deps --test)"
	local png=$BATS_FILE_TMPDIR/matrix.png
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$BATS_TEST_TMPDIR/chromium" --hide-scrollbars --window-size=1400,1100 \
		--screenshot="$png" "file://$MATRIX_REPORT/matrix.html" 2>/dev/null
	run -0 "$BATS_TEST_DIRNAME/png-colors" "$png" 2da44e 8c959f cf222e 0969da e16f24
	echo "$output" >&2
	local -A px
	while read -r color n; do px[$color]=$n; done <<<"$output"
	# 42 pass cells of about 150x60 px; 2 unsupported; red only in the legend's swatch
	((px[2da44e] > 42 * 5000))
	((px[8c959f] > 2 * 5000))
	((px[cf222e] < 500))
	# 16 PMem strips (blue) and 26 DRAM strips (orange) of about 150x14 px
	((px[0969da] > 16 * 1500))
	((px[e16f24] > 26 * 1500))
}
