# shellcheck shell=bash
# pmemlab fixtures: the fixture catalog as the host reads it (one reader:
# vm/lib/fixtures.sh): names in build order, where each must land on a
# backend, and what it builds. No guest.

# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"

fixtures_usage() {
	cat <<USAGE
usage: pmemlab fixtures [--backend NAME] [--fixture PATH]... [--format text|json]

List the fixtures in the order a run builds them: expected placement
(pmem, dram, or n/a where the fixture cannot exist on the backend),
MAP_SYNC (yes, no, -: not judged), description. With --fixture PATH, your
own fixture files are checked as run would check them and listed too.

options:
  --backend NAME            the backend whose expectations to show (default $BACKEND_DEFAULT)
  --fixture PATH            a fixture file of yours (repeatable; docs/FIXTURES.md)
  --format text|json        a table, or a JSON array
USAGE
}

cmd_fixtures() {
	local backend=$BACKEND_DEFAULT format=text files=() names=() work
	while (($#)); do
		case $1 in
		-h | --help)
			fixtures_usage
			return 0
			;;
		--backend | --fixture | --format)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in
			--backend) backend=$2 ;;
			--fixture) files+=("$2") ;;
			--format) format=$2 ;;
			esac
			shift 2
			;;
		*) usage_die "fixtures: unknown option '$1'" ;;
		esac
	done
	backend_check "$backend"
	format_check "$format"
	local f
	for f in "${files[@]}"; do
		[[ $f == */* ]] || usage_die "--fixture '$f': give a path to a fixture file (with a /)"
	done
	fixture_check "${files[@]}"
	work=$(mktemp -d "${TMPDIR:-/tmp}/pmemlab-fixtures.XXXXXX") || die "cannot create a temporary directory"
	# shellcheck disable=SC2064 # the directory is known now
	trap "rm -rf '$work'" EXIT
	mapfile -t names < <(fixture_names)
	fixture_plan "$work" "$backend" "" "${names[@]}" "${files[@]}"
	local json
	json=$(jq --arg backend "$backend" '[.[] | {fixture, backend: $backend, expected, expected_map_sync, note,
		file: (.file | ltrimstr(env.PMEMLAB_ROOT + "/")), user_file}]' "$work/plan.json")
	# descriptions from the catalog, keyed by name
	json=$(for f in "${names[@]}" "${files[@]}"; do
		fixture_ref "$f"
		f=$FIXTURE_REF
		printf '%s\t%s\n' "$f" "$(fixture_field "$f" DESC)"
	done | jq -R -n --argjson list "$json" '
		([inputs | split("\t") | {key: .[0], value: .[1]}] | from_entries) as $desc
		| $list | map(. + {description: $desc[.fixture]})')
	if [[ $format == json ]]; then
		printf '%s\n' "$json"
		return 0
	fi
	jq -r '(["FIXTURE", "EXPECTED", "SYNC", "DESCRIPTION"] | @tsv),
		(.[] | [.fixture, .expected,
			(if .expected_map_sync == true then "yes" elif .expected_map_sync == false then "no" else "-" end),
			.description + (if .note != "" then " (\(.note))" else "" end)] | @tsv)' <<<"$json" | align_columns
}
