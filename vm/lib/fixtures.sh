# shellcheck shell=bash
# The fixture catalog, read on the host alone: every fixture file
# (fixtures/NAME.sh, and the user's own given to --fixture PATH) says
# everything about itself in its FIXTURE_* header lines (docs/FIXTURES.md,
# "The fixture file"); fixtures/expectations.tsv holds only the rows where
# a backend differs from a file's FIXTURE_EXPECT/FIXTURE_MAP_SYNC. From
# them fixture_plan writes the plan a guest executes: the guest parses no
# catalog and learns no expectation (the host judges).

[[ -z ${_pmemlab_loaded_fixtures:-} ]] || return 0
_pmemlab_loaded_fixtures=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"

readonly FIXTURE_EXPECTATIONS=$PMEMLAB_ROOT/fixtures/expectations.tsv
# The header fields a fixture file may set, and the keys of --fixture-opt.
readonly FIXTURE_HEADER_FIELDS='DESC RANK MODULES EXPECT MAP_SYNC GROUPS PROBE_SIZE'
readonly FIXTURE_OPT_KEYS='mkfs mount align map'

# FIXTURE_NAMES: the in-tree fixtures in FIXTURE_RANK order (the order a
# run builds them: fsdax ones share a namespace, kmem reconfigures it
# last). FIXTURE_FIELDS[NAME/FIELD]: a header's value. FIXTURE_FILE[NAME]:
# the file. User fixtures join the last two when fixture_check reads them.
FIXTURE_NAMES=()
declare -gA FIXTURE_FIELDS=() FIXTURE_FILE=()

# fixture_read_header NAME FILE: its FIXTURE_* lines into FIXTURE_FIELDS,
# each value as written (quotes removed; no expansion: headers are data).
# FIXTURE_LINE[FIELD] keeps the line number, for error messages.
declare -gA FIXTURE_LINE=()
fixture_read_header() {
	local name=$1 file=$2 line field value n=0
	FIXTURE_LINE=()
	FIXTURE_FILE[$name]=$file
	while IFS= read -r line || [[ -n $line ]]; do
		n=$((n + 1))
		[[ $line =~ ^FIXTURE_([A-Z_]+)=(.*)$ ]] || continue
		field=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
		value=${value%%[[:space:]]#*}
		if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then
			value=${BASH_REMATCH[1]}
		fi
		FIXTURE_FIELDS["$name/$field"]=$value
		FIXTURE_LINE[$field]=$n
	done <"$file"
}

# fixture_load_catalog: the in-tree fixture files, read once when this
# file is sourced (before any subshell), ordered by FIXTURE_RANK.
fixture_load_catalog() {
	local file name rank byrank=()
	# the glob is in name order: names of one rank stay in it; an indexed
	# array's keys come in numeric order (no sort | cut: two process
	# starts at every pmemlab command)
	for file in "$PMEMLAB_ROOT"/fixtures/*.sh; do
		name=${file##*/} name=${name%.sh}
		[[ $name != lib ]] || continue
		fixture_read_header "$name" "$file"
		rank=${FIXTURE_FIELDS["$name/RANK"]:-}
		[[ $rank =~ ^[0-9]+$ ]] || die "fixtures/$name.sh has no FIXTURE_RANK=NUMBER line"
		byrank[10#$rank]+="$name "
	done
	# shellcheck disable=SC2206 # fixture names are words
	FIXTURE_NAMES=(${byrank[*]})
}
fixture_load_catalog

fixture_names() {
	printf '%s\n' "${FIXTURE_NAMES[@]}"
}

# fixture_field NAME FIELD
fixture_field() {
	printf '%s\n' "${FIXTURE_FIELDS["$1/$2"]:-}"
}

# FIXTURE_ROWS[NAME/BACKEND]: expectations.tsv's "PLACEMENT<TAB>MAP_SYNC
# <TAB>NOTE", the backends where a fixture differs from its file.
declare -gA FIXTURE_ROWS=()
fixture_load_rows() {
	local f b p s n
	while IFS=$'\t' read -r f b p s n; do
		[[ -z $f || $f == \#* || -z $s ]] || FIXTURE_ROWS["$f/$b"]="$p"$'\t'"$s"$'\t'"$n"
	done <"$FIXTURE_EXPECTATIONS"
}
fixture_load_rows

# fixture_expectation NAME BACKEND: FIXTURE_PLACEMENT, FIXTURE_SYNC and
# FIXTURE_NOTE, from the table's row for that backend when it has one,
# else from the file. No output and no fork: callers ask it per fixture
# and backend, and a fork costs about 9 ms on a loaded host.
fixture_expectation() {
	local row=${FIXTURE_ROWS["$1/$2"]:-}
	if [[ -n $row ]]; then
		IFS=$'\t' read -r FIXTURE_PLACEMENT FIXTURE_SYNC FIXTURE_NOTE <<<"$row"
	else
		FIXTURE_PLACEMENT=${FIXTURE_FIELDS["$1/EXPECT"]:-} FIXTURE_SYNC=${FIXTURE_FIELDS["$1/MAP_SYNC"]:--} FIXTURE_NOTE=''
	fi
}

# fixture_expectations [BACKEND...]: "FIXTURE<TAB>BACKEND<TAB>PLACEMENT
# <TAB>MAP_SYNC<TAB>NOTE" per in-tree fixture and backend (default: every
# backend).
# shellcheck disable=SC2120 # no BACKEND: every backend
fixture_expectations() {
	local f b backends=("$@")
	((${#backends[@]})) || mapfile -t backends < <(backend_names)
	for f in "${FIXTURE_NAMES[@]}"; do
		for b in "${backends[@]}"; do
			fixture_expectation "$f" "$b"
			printf '%s\t%s\t%s\t%s\t%s\n' "$f" "$b" "$FIXTURE_PLACEMENT" "$FIXTURE_SYNC" "$FIXTURE_NOTE"
		done
	done
}

# fixture_catalog: "NAME<TAB>EXPECTED<TAB>DESCRIPTION" per in-tree
# fixture, the placement its file states (what most backends expect).
fixture_catalog() {
	local name
	for name in "${FIXTURE_NAMES[@]}"; do
		printf '%s\t%s\t%s\n' "$name" "${FIXTURE_FIELDS["$name/EXPECT"]}" "${FIXTURE_FIELDS["$name/DESC"]}"
	done
}

# fixture_groups: the kernel-option groups of vm/kconfig-requirements.tsv
# as "@group<TAB>GROUP<TAB>MEMBERS" lines, from the files' FIXTURE_GROUPS.
fixture_groups() {
	local -A members=()
	local name g order=()
	for name in "${FIXTURE_NAMES[@]}"; do
		for g in ${FIXTURE_FIELDS["$name/GROUPS"]:-}; do
			[[ -n ${members[$g]+set} ]] || order+=("$g")
			members[$g]+="${members[$g]:+ }$name"
		done
	done
	for g in "${order[@]}"; do
		printf '@group\t%s\t%s\n' "$g" "${members[$g]}"
	done
}

# fixture_modules NAME|PATH...: the guest modules those fixtures load, in
# order, each once.
fixture_modules() {
	local f m seen=' '
	for f in "$@"; do
		fixture_ref "$f"
		# no $(fixture_field): a fork costs about 9 ms on a loaded host
		for m in ${FIXTURE_FIELDS["$FIXTURE_REF/MODULES"]:-}; do
			[[ $seen == *" $m "* ]] || {
				seen+="$m "
				printf '%s\n' "$m"
			}
		done
	done
}

# fixture_load_user PATH: check a user's fixture file (exit 2 naming the
# file and line) and add it to the catalog under its name. Checked here,
# before anything is built: a broken file would fail only in the guest.
fixture_load_user() {
	local path=$1 name sh_n out field
	[[ -f $path && -r $path ]] || usage_die "fixture file '$path' does not exist or is not readable"
	fixture_ref "$path"
	name=$FIXTURE_REF
	[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || usage_die "fixture file '$path': its name '$name' must be letters, digits, '.', '_' or '-'"
	[[ ${FIXTURE_FILE[$name]:-$path} -ef $path ]] ||
		usage_die "fixture file '$path': the name '$name' is already taken by ${FIXTURE_FILE[$name]} (rename the file)"
	# the guest runs it with busybox sh: check it with the same grammar
	sh_n=(sh -n)
	! command -v busybox >/dev/null || sh_n=(busybox sh -n)
	out=$("${sh_n[@]}" "$path" 2>&1) || usage_die "fixture file '$path': shell syntax error: ${out//$'\n'/ }"
	grep -Eq '^[[:space:]]*fixture_setup[[:space:]]*\(\)' "$path" ||
		usage_die "fixture file '$path': no fixture_setup() function (it must print the path to probe)"
	fixture_read_header "$name" "$path"
	for field in "${!FIXTURE_LINE[@]}"; do
		[[ " $FIXTURE_HEADER_FIELDS " == *" $field "* ]] ||
			usage_die "$path:${FIXTURE_LINE[$field]}: unknown header FIXTURE_$field (known: ${FIXTURE_HEADER_FIELDS// /, })"
	done
	case ${FIXTURE_FIELDS["$name/EXPECT"]-unset} in
	pmem | dram) ;;
	unset) usage_die "fixture file '$path': no FIXTURE_EXPECT=pmem|dram line (where its pages must land)" ;;
	*) usage_die "$path:${FIXTURE_LINE[EXPECT]}: FIXTURE_EXPECT='${FIXTURE_FIELDS["$name/EXPECT"]}': choose pmem or dram" ;;
	esac
	case ${FIXTURE_FIELDS["$name/MAP_SYNC"]:--} in
	yes | no | -) ;;
	*) usage_die "$path:${FIXTURE_LINE[MAP_SYNC]}: FIXTURE_MAP_SYNC='${FIXTURE_FIELDS["$name/MAP_SYNC"]}': choose yes, no or -" ;;
	esac
	[[ ${FIXTURE_FIELDS["$name/PROBE_SIZE"]:-1M} =~ ^[1-9][0-9]*[KMG]$ ]] ||
		usage_die "$path:${FIXTURE_LINE[PROBE_SIZE]}: FIXTURE_PROBE_SIZE='${FIXTURE_FIELDS["$name/PROBE_SIZE"]}': a size such as 8M or 1G"
	[[ ${FIXTURE_FIELDS["$name/MODULES"]:-} =~ ^[A-Za-z0-9_\ -]*$ ]] ||
		usage_die "$path:${FIXTURE_LINE[MODULES]}: FIXTURE_MODULES='${FIXTURE_FIELDS["$name/MODULES"]}': module names separated by spaces"
	[[ -n ${FIXTURE_FIELDS["$name/DESC"]:-} ]] || FIXTURE_FIELDS["$name/DESC"]="user fixture $path"
	FIXTURE_USER[$name]=$(realpath "$path")
}
declare -gA FIXTURE_USER=()

# fixture_ref NAME_OR_PATH: FIXTURE_REF, the catalog name of a --fixture
# value: a value with a / is a file, named by its file name without .sh.
# No output and no fork, as for fixture_expectation.
fixture_ref() {
	FIXTURE_REF=$1
	[[ $FIXTURE_REF != */* ]] || FIXTURE_REF=${FIXTURE_REF##*/} FIXTURE_REF=${FIXTURE_REF%.sh}
}

# fixture_check VALUE...: refuse (exit 2) a name that is no fixture and a
# fixture file that is broken; read the files into the catalog.
fixture_check() {
	local f
	for f in "$@"; do
		if [[ $f == */* ]]; then
			fixture_load_user "$f"
			continue
		fi
		# a name, not a space-separated run of names
		[[ $f =~ ^[a-z0-9-]+$ && -n ${FIXTURE_FILE[$f]:-} ]] ||
			usage_die "unknown fixture '$f': choose one of: ${FIXTURE_NAMES[*]}, or give a fixture file's path (docs/FIXTURES.md)"
	done
}

# fixture_opt_check [FIXTURE:]KEY=VALUE: refuse a --fixture-opt the
# fixtures do not know, and values that cannot reach them intact. With
# FIXTURE: (a name, or a fixture file's name) it is for that one alone.
fixture_opt_check() {
	local kv=$1 key value
	if [[ $kv =~ ^([A-Za-z0-9_.-]+):([a-z]+=.*)$ ]]; then
		[[ -n ${FIXTURE_FILE[${BASH_REMATCH[1]}]:-} ]] ||
			usage_die "invalid --fixture-opt '$1': no fixture '${BASH_REMATCH[1]}' (give --fixture first for a file)"
		kv=${BASH_REMATCH[2]}
	fi
	key=${kv%%=*} value=${kv#*=}
	[[ $kv == *=* && " $FIXTURE_OPT_KEYS " == *" $key "* ]] ||
		usage_die "invalid --fixture-opt '$1': give [FIXTURE:]KEY=VALUE with KEY one of: ${FIXTURE_OPT_KEYS// /, }"
	[[ $value != *[$'\t\n']* ]] || usage_die "invalid --fixture-opt '$1': no tabs or newlines"
	case $key in
	align) [[ $value =~ ^(4K|2M|1G)$ ]] || usage_die "invalid --fixture-opt '$1': align is 4K, 2M or 1G" ;;
	map) [[ $value =~ ^(mem|dev)$ ]] || usage_die "invalid --fixture-opt '$1': map is mem or dev" ;;
	mount) [[ $value =~ ^[A-Za-z0-9_=,.:/-]+$ ]] || usage_die "invalid --fixture-opt '$1': mount options are comma-separated words" ;;
	esac
}

# fixture_plan DIR BACKEND OPTS FIXTURE...: what a guest executes, in
# order. DIR/plan.tsv for the guest, one line per fixture it builds:
# "NAME<TAB>FILE<TAB>PROBE_SIZE<TAB>OPTS" (FILE the guest's path;
# PROBE_SIZE the file's FIXTURE_PROBE_SIZE or "-"; OPTS "-" or the
# --fixture-opt values as FIXTURE_OPT_KEY='value' assignments). DIR/plan.json
# for the host's judge: every fixture with its expectation, those that
# cannot exist on BACKEND too (the guest never sees them). User files are
# copied to DIR/fixtures/ for the per-run archive. OPTS is one string of
# KEY=VALUE lines. BACKEND "host": the files' own expectations.
fixture_plan() {
	local dir=$1 backend=$2 opts=$3
	shift 3
	local name ref file guest_file placement sync note user assign kv key mine rows=''
	mkdir -p "$dir/fixtures"
	: >"$dir/plan.tsv"
	for ref in "$@"; do
		fixture_ref "$ref"
		name=$FIXTURE_REF
		# the options for every fixture, then those named for this one
		assign='' mine=''
		while IFS= read -r kv; do
			[[ -n $kv ]] || continue
			if [[ $kv =~ ^([A-Za-z0-9_.-]+):([a-z]+=.*)$ ]]; then
				[[ ${BASH_REMATCH[1]} == "$name" ]] || continue
				kv=${BASH_REMATCH[2]}
			fi
			key=${kv%%=*}
			assign+="${assign:+ }FIXTURE_OPT_${key^^}=$(sh_quote "${kv#*=}")"
			mine+=$kv$'\x1f'
		done <<<"$opts"
		file=${FIXTURE_FILE[$name]} user=${FIXTURE_USER[$name]:+1}
		guest_file=/pmemlab/fixtures/$name.sh
		if [[ -n $user ]]; then
			cp "$file" "$dir/fixtures/$name.sh" || die "cannot copy $file into $dir"
			guest_file=/pmemlab/user/$name.sh
		fi
		fixture_expectation "$name" "$backend"
		placement=$FIXTURE_PLACEMENT sync=$FIXTURE_SYNC note=$FIXTURE_NOTE
		[[ $placement == - ]] || printf '%s\t%s\t%s\t%s\n' "$name" "$guest_file" \
			"${FIXTURE_FIELDS["$name/PROBE_SIZE"]:--}" "${assign:--}" >>"$dir/plan.tsv"
		rows+="$name"$'\t'"$file"$'\t'"${user:-0}"$'\t'"$placement"$'\t'"$sync"$'\t'"$mine"$'\t'"$note"$'\n'
	done
	# one jq for the whole plan: a process start costs 10-100 ms here
	printf '%s' "$rows" | jq -R -n '
		[inputs | split("\t") | {fixture: .[0], file: .[1], user_file: (.[2] == "1"),
		 expected: (if .[3] == "-" then "n/a" else .[3] end),
		 expected_map_sync: ({"yes": true, "no": false}[.[4]]),
		 options: (.[5] | split("\u001f") | map(select(. != ""))), note: (.[6] // "")}]' >"$dir/plan.json" ||
		die "cannot write $dir/plan.json"
}
