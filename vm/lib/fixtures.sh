# shellcheck shell=bash
# The fixture catalog on the host side: names in fixtures/run's order,
# each one's description and modules (from the fixture files, which the
# guest runs too) and its expectations per backend (fixtures/
# expectations.tsv, which the guest reads too). Read with bash alone:
# `fixtures/run --list` starts a sed per field, 0.2 s a call.

[[ -z ${_pmemlab_loaded_fixtures:-} ]] || return 0
_pmemlab_loaded_fixtures=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

readonly FIXTURE_EXPECTATIONS=$PMEMLAB_ROOT/fixtures/expectations.tsv

# FIXTURE_NAMES: the names, in the order the guest builds them, read
# once from fixtures/run (a run asks for them several times).
fixture_load_names() {
	local line re='^DEFAULT_FIXTURES="(.*)"$'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		read -r -a FIXTURE_NAMES <<<"${BASH_REMATCH[1]}"
		return
	done <"$PMEMLAB_ROOT/fixtures/run"
	die "fixtures/run names no DEFAULT_FIXTURES"
}
fixture_load_names

fixture_names() {
	printf '%s\n' "${FIXTURE_NAMES[@]}"
}

# FIXTURE_FIELDS[NAME/FIELD]: FIXTURE_FIELD's value in fixtures/NAME.sh,
# every file read once, when this file is sourced (before any subshell).
declare -gA FIXTURE_FIELDS=()
fixture_load_fields() {
	local name line value
	for name in "${FIXTURE_NAMES[@]}"; do
		[[ -r $PMEMLAB_ROOT/fixtures/$name.sh ]] || continue
		while IFS= read -r line; do
			[[ $line =~ ^FIXTURE_([A-Z_]+)= ]] || continue
			value=${line#*=} value=${value//\"/}
			FIXTURE_FIELDS["$name/${BASH_REMATCH[1]}"]=$value
		done <"$PMEMLAB_ROOT/fixtures/$name.sh"
	done
}
fixture_load_fields

# fixture_field NAME FIELD
fixture_field() {
	printf '%s\n' "${FIXTURE_FIELDS["$1/$2"]:-}"
}

# fixture_expectations [BACKEND...]: "FIXTURE<TAB>BACKEND<TAB>PLACEMENT
# <TAB>MAP_SYNC<TAB>NOTE" per fixture and backend (default: every one), the
# table's rows resolved: a backend without its own row takes the * row.
fixture_expectations() {
	local -A row=()
	local f b p s n backends=("$@")
	((${#backends[@]})) || mapfile -t backends < <(backend_names)
	while IFS=$'\t' read -r f b p s n; do
		[[ -z $f || $f == \#* || -z $s ]] || row["$f/$b"]="$p"$'\t'"$s"$'\t'"$n"
	done <"$FIXTURE_EXPECTATIONS"
	for f in $(fixture_names); do
		[[ -n ${row["$f/*"]+set} ]] || die "fixtures/expectations.tsv has no '*' row for fixture $f"
		for b in "${backends[@]}"; do
			printf '%s\t%s\t%s\n' "$f" "$b" "${row["$f/$b"]:-${row["$f/*"]}}"
		done
	done
}

# fixture_catalog: "NAME<TAB>EXPECTED<TAB>DESCRIPTION" per fixture, the
# placement of the * row (what most backends expect).
fixture_catalog() {
	local name expect
	while IFS=$'\t' read -r name _ expect _; do
		printf '%s\t%s\t%s\n' "$name" "$expect" "$(fixture_field "$name" DESC)"
	done < <(fixture_expectations '*')
}

# fixture_modules NAME...: the guest modules those fixtures load, in
# order, each once.
fixture_modules() {
	local f m seen=' '
	for f in "$@"; do
		# no $(fixture_field): a fork costs about 9 ms on a loaded host
		for m in ${FIXTURE_FIELDS["$f/MODULES"]:-}; do
			[[ $seen == *" $m "* ]] || {
				seen+="$m "
				printf '%s\n' "$m"
			}
		done
	done
}

# fixture_check NAME...: refuse (exit 2) a name that is no fixture.
fixture_check() {
	local known f
	known=$(fixture_names | tr '\n' ' ')
	for f in "$@"; do
		# a name, not a space-separated run of names
		[[ $f =~ ^[a-z0-9-]+$ && " $known" == *" $f "* ]] || usage_die "unknown fixture '$f': choose one of: $known"
	done
}
