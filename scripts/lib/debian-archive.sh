# shellcheck shell=bash
# Private apt access to any suite of Debian's archive (bookworm,
# bookworm-backports, trixie...): its own sources, lists and download
# cache under $CACHE/apt/SUITE, never the host's apt state, and no root
# needed. The mirror is the host's own: the first Debian entry of the
# host's apt sources (one-line sources.list or deb822 .sources, as apt
# itself names them: APT_CONFIG is honoured), or PMEMLAB_DEBIAN_MIRROR.
#
#   debian_archive_update SUITE             fetch (again) SUITE's lists
#   debian_archive_version SUITE PACKAGE    PACKAGE's candidate version,
#                                           no download; status 1: unknown
#   debian_archive_depends SUITE PACKAGE    the packages PACKAGE's candidate
#                                           Depends on, one a line (the
#                                           first of each alternative)
#   debian_archive_download SUITE DIR PACKAGE...
#                                           the candidates' .debs into DIR
#   debian_archive_mirror                   the mirror ("URI\tOPTIONS")
#
# Offline after set-up: version, depends and download fetch the lists
# only when SUITE has none yet; afterwards they read the cache (download
# needs the network for the .debs, of course). Lists are fetched under
# the cache lock apt-SUITE; a failed first fetch leaves nothing behind.

[[ -z ${_pmemlab_loaded_debian_archive:-} ]] || return 0
_pmemlab_loaded_debian_archive=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"

debian_archive_update() {
	local suite=$1 dir
	debian_archive_suite_check "$suite"
	dir=$(debian_archive_dir "$suite")
	# local: a caller's own lock (e.g. the kernel's) stays held and its own
	local CACHE_LOCK_FD
	cache_lock "apt-$suite"
	debian_archive_fetch_lists "$suite" "$dir"
	cache_unlock
}

debian_archive_version() {
	local suite=$1 pkg=$2 out re='Candidate: ([^[:space:]]+)'
	debian_archive_ready "$suite"
	out=$(debian_archive_apt "$suite" apt-cache policy "$pkg" 2>/dev/null) || return 1
	[[ $out =~ $re && ${BASH_REMATCH[1]} != '(none)' ]] || return 1
	printf '%s\n' "${BASH_REMATCH[1]}"
}

debian_archive_depends() {
	local suite=$1 pkg=$2 out line
	debian_archive_ready "$suite"
	debian_archive_version "$suite" "$pkg" >/dev/null ||
		die "Debian $suite has no package $pkg"
	out=$(debian_archive_apt "$suite" apt-cache depends --no-recommends \
		--no-suggests --no-conflicts --no-breaks --no-replaces \
		--no-enhances "$pkg" 2>/dev/null) || die "apt-cache depends $pkg failed for Debian $suite"
	while IFS= read -r line; do
		# " Depends: x" or " |Depends: x" (x then the first alternative)
		[[ $line =~ ^[[:space:]]+\|?Depends:\ ([^[:space:]]+) ]] || continue
		printf '%s\n' "${BASH_REMATCH[1]}"
	done <<<"$out" | uniq_lines
}

debian_archive_download() {
	local suite=$1 dest=$2 pkg log
	shift 2
	debian_archive_ready "$suite"
	for pkg in "$@"; do
		debian_archive_version "$suite" "$pkg" >/dev/null ||
			die "Debian $suite has no package $pkg (lists of $(debian_archive_dir "$suite"); 'pmemlab kernel update' fetches them again)"
	done
	mkdir -p "$dest" || die "cannot create $dest"
	log=$(mktemp) || die "cannot create a temporary file"
	if ! (cd "$dest" && debian_archive_apt "$suite" apt-get download -q "$@") >"$log" 2>&1; then
		local why
		why=$(grep -m1 -E '^E:' "$log" || tail -n 1 "$log")
		rm -f "$log"
		die "cannot download $* from Debian $suite: ${why:-apt-get download failed}"
	fi
	rm -f "$log"
}

# debian_archive_mirror: "URI<TAB>OPTIONS" of the host's first Debian
# mirror (not debian-security, not Ubuntu's), OPTIONS those of apt's to
# keep (signed-by, trusted) as one-line [ ] options; PMEMLAB_DEBIAN_MIRROR
# wins; a host without one (Ubuntu) gets deb.debian.org.
debian_archive_mirror() {
	if [[ -n ${PMEMLAB_DEBIAN_MIRROR:-} ]]; then
		printf '%s\t\n' "$PMEMLAB_DEBIAN_MIRROR"
		return
	fi
	local list='' parts='' f
	eval "$(apt-config shell list Dir::Etc::SourceList/f parts Dir::Etc::SourceParts/d 2>/dev/null)" || true
	: "${list:=/etc/apt/sources.list}" "${parts:=/etc/apt/sources.list.d/}"
	for f in "$list" "${parts%/}"/*.list "${parts%/}"/*.sources; do
		[[ -r $f ]] || continue
		case $f in
		*.sources) debian_archive_deb822 <"$f" ;;
		*) debian_archive_oneline <"$f" ;;
		esac
	done | awk -F'\t' '$1 !~ /security|ubuntu/ && $2 !~ /-security$/ { print $1 "\t" $3; exit }' |
		grep . && return
	local key=/usr/share/keyrings/debian-archive-keyring.gpg
	[[ -r $key ]] || key=''
	printf 'http://deb.debian.org/debian\t%s\n' "${key:+signed-by=$key}"
}

# One-line sources: "URI<TAB>SUITE<TAB>OPTIONS" for each deb entry.
debian_archive_oneline() {
	local line opts uri suite rest
	while read -r line; do
		line=${line%%#*}
		[[ $line =~ ^deb[[:space:]]+(\[([^]]*)\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+) ]] || continue
		opts=${BASH_REMATCH[2]} uri=${BASH_REMATCH[3]} suite=${BASH_REMATCH[4]}
		rest=''
		[[ $opts =~ (signed-by=[^[:space:]]+) ]] && rest=${BASH_REMATCH[1]}
		[[ $opts =~ trusted=yes ]] && rest+=${rest:+ }trusted=yes
		printf '%s\t%s\t%s\n' "$uri" "$suite" "$rest"
	done
}

# deb822 sources: the same, one line per URI and suite of a stanza.
debian_archive_deb822() {
	awk '
	function flush(   i, j, nu, ns, u, s, o) {
		if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
			o = ""
			if (signed != "") o = "signed-by=" signed
			if (trusted == "yes") o = o (o == "" ? "" : " ") "trusted=yes"
			nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
			for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
				if (u[i] != "" && s[j] != "") print u[i] "\t" s[j] "\t" o
		}
		types = uris = suites = signed = trusted = enabled = ""
	}
	/^[ \t]*#/ { next }
	/^[ \t]*$/ { flush(); next }
	{
		key = tolower($0); sub(/:.*/, "", key)
		val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
		if (key == "types") types = val
		else if (key == "uris") uris = val
		else if (key == "suites") suites = val
		else if (key == "signed-by" && val !~ /^-----/) signed = val
		else if (key == "trusted") trusted = tolower(val)
		else if (key == "enabled") enabled = tolower(val)
	}
	END { flush() }'
}

debian_archive_suite_check() {
	[[ ${1:-} =~ ^[a-z][a-z0-9-]*$ ]] || usage_die "invalid Debian suite '${1:-}'"
}

debian_archive_dir() {
	printf '%s/apt/%s\n' "$(cache_path)" "$1"
}

# debian_archive_ready SUITE: lists fetched, once (under the lock).
debian_archive_ready() {
	local suite=$1
	debian_archive_suite_check "$suite"
	[[ -e $(debian_archive_dir "$suite")/.complete ]] && return
	debian_archive_update "$suite"
}

# debian_archive_fetch_lists SUITE DIR: (re)write DIR's sources and run
# apt-get update there. A first fetch that fails removes DIR.
debian_archive_fetch_lists() {
	local suite=$1 dir=$2 mirror uri opts out fresh=
	mirror=$(debian_archive_mirror) || exit
	uri=${mirror%%$'\t'*} opts=${mirror#*$'\t'}
	[[ -e $dir/.complete ]] || fresh=1
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/sources.list.d" "$dir/preferences.d" ||
		die "cannot create $dir"
	printf 'deb [arch=amd64%s] %s %s main\n' "${opts:+ $opts}" "$uri" "$suite" >"$dir/sources.list"
	: >>"$dir/status"
	step "fetching Debian $suite's package lists from $uri"
	if ! out=$(debian_archive_apt "$suite" apt-get update -q 2>&1) ||
		[[ $out =~ (^|$'\n')(E:|W:\ Failed to fetch|Err:) ]]; then
		[[ -z $fresh ]] || rm -rf "$dir"
		die "cannot fetch Debian $suite's lists from $uri: $(grep -m2 -E '^(E|Err):' <<<"$out" | tr '\n' ' ')"
	fi
	touch "$dir/.complete"
}

# debian_archive_apt SUITE CMD ARG...: apt-get or apt-cache on SUITE's
# private state alone (the host's installed packages, pins and lists are
# not looked at; its apt.conf, e.g. a proxy, still is).
debian_archive_apt() {
	local dir cmd
	dir=$(debian_archive_dir "$1")
	shift
	cmd=$1
	shift
	"$cmd" -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts="$dir/sources.list.d" \
		-o Dir::Etc::Preferences="$dir/preferences" \
		-o Dir::Etc::PreferencesParts="$dir/preferences.d" \
		-o Dir::State="$dir" -o Dir::State::Lists="$dir/lists" \
		-o Dir::State::status="$dir/status" \
		-o Dir::State::extended_states="$dir/extended_states" \
		-o Dir::Cache="$dir" -o Dir::Cache::archives="$dir/archives" \
		-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
		-o Debug::NoLocking=1 -o Acquire::Languages=none \
		-o APT::Sandbox::User="$(id -un)" "$@"
}
