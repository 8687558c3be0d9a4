# shellcheck shell=bash
# The matrix's document and its renderings: run records -> matrix.json
# (scripts/report/matrix.jq), then the terminal table, JUnit XML,
# Markdown and HTML (scripts/report/*.jq). `report merge` uses the same.

[[ -z ${_pmemlab_loaded_matrix_report:-} ]] || return 0
_pmemlab_loaded_matrix_report=1

MATRIX_JQ_DIR=$PMEMLAB_ROOT/scripts/report

# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"

# The fixtures in fixtures/run's order, with their expected placement
# (the * row) and, per backend, expected placement, MAP_SYNC and note
# (fixtures/expectations.tsv).
matrix_catalog() {
	local by
	by=$(fixture_expectations | jq -R -n '
		[inputs | split("\t") | {name: .[0], backend: .[1], placement: .[2], map_sync: .[3], note: (.[4] // "")}]
		| group_by(.name) | map({key: .[0].name, value: (map({key: .backend, value: {placement, map_sync, note}}) | from_entries)})
		| from_entries')
	fixture_catalog | jq -R 'split("\t") | {name: .[0], expected: .[1]}' |
		jq -sc --argjson by "$by" 'map(. + {backends: $by[.name]})'
}

# matrix_document JOBS WALL RECORD...: the document on stdout. JOBS and
# WALL are "null" for a merge.
matrix_document() {
	local jobs=$1 wall=$2
	shift 2
	jq -s --argjson catalog "$(matrix_catalog)" --argjson jobs "$jobs" --argjson wall "$wall" \
		-f "$MATRIX_JQ_DIR/matrix.jq" "$@"
}

# matrix_write_reports DIR < DOCUMENT: the four files, each written whole
# (a temporary name, then renamed), so a reader never sees half a report.
matrix_write_reports() {
	local dir=$1 doc name
	doc=$(cat)
	mkdir -p "$dir" || die "cannot create the report directory $dir"
	for name in matrix.json junit.xml summary.md matrix.html; do
		case $name in
		matrix.json) jq . <<<"$doc" ;;
		junit.xml) jq -r -L "$MATRIX_JQ_DIR" -f "$MATRIX_JQ_DIR/junit.jq" <<<"$doc" ;;
		summary.md) jq -r -f "$MATRIX_JQ_DIR/markdown.jq" <<<"$doc" ;;
		matrix.html) jq -r -f "$MATRIX_JQ_DIR/html.jq" <<<"$doc" ;;
		esac >"$dir/.$name.tmp" || {
			rm -f "$dir/.$name.tmp"
			die "cannot write $dir/$name (disk full?)"
		}
		mv -f "$dir/.$name.tmp" "$dir/$name" || die "cannot write $dir/$name"
	done
}

# One line for a finished cell: "K:B: done in 17 s, 11 passed, ...".
matrix_cell_summary() {
	jq -r '"\(.id): "
		+ (if .booted then "done in \(.seconds | floor) s, \(.run.passed // 0) passed, \(.run.failed // 0) failed, \(.run.skipped // 0) skipped"
		   else "not booted" end)
		+ ", \((.fixtures | length) - (.run.fixtures // [] | length)) unsupported by the kernel config"
		+ (if .error then "; error: \(.error)" else "" end)' "$1"
}

# The document as the terminal table: fixtures down, cells across.
matrix_text() {
	local doc text=$MATRIX_JQ_DIR/matrix-text.jq
	doc=$(cat)
	jq -r --arg part kernels -f "$text" <<<"$doc" | align_columns
	jq -r --arg part runs -f "$text" <<<"$doc" | align_columns
	echo
	jq -r --arg part cells -f "$text" <<<"$doc" | align_columns
	jq -r --arg part summary -f "$text" <<<"$doc"
}
