# shellcheck shell=bash
# The fixture catalog on the host side: names in fixtures/run's order,
# and each one's expected placement and description, read from the
# fixture files themselves (the guest runs the same files). Read with
# bash alone: `fixtures/run --list` starts a sed per field, 0.2 s a call.

# fixture_names: the names, in the order the guest builds them.
fixture_names() {
	local line re='^DEFAULT_FIXTURES="(.*)"$'
	while IFS= read -r line; do
		# shellcheck disable=SC2086 # the names are space-separated
		[[ $line =~ $re ]] && { printf '%s\n' ${BASH_REMATCH[1]}; return; }
	done <"$PMEMLAB_ROOT/fixtures/run"
	die "fixtures/run names no DEFAULT_FIXTURES"
}

# fixture_catalog: "NAME<TAB>EXPECTED<TAB>DESCRIPTION" per fixture.
fixture_catalog() {
	local name line expect desc
	for name in $(fixture_names); do
		expect='' desc=''
		while IFS= read -r line; do
			case $line in
			FIXTURE_EXPECT=*) expect=${line#*=} expect=${expect//\"/} ;;
			FIXTURE_DESC=*) desc=${line#*=} desc=${desc//\"/} ;;
			esac
		done <"$PMEMLAB_ROOT/fixtures/$name.sh"
		printf '%s\t%s\t%s\n' "$name" "$expect" "$desc"
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
