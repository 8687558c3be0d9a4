# shellcheck shell=bash
# A local apt repository in Debian's shape, a stand-in for Debian's
# archive in host-side tests: `apt_repo_add ROOT SUITE NAME VERSION
# [DEPENDS] [FILE=CONTENT...]` builds a .deb and adds it to SUITE,
# `apt_repo_index ROOT SUITE` writes SUITE's Packages and Release.

# apt_repo_deb OUT NAME VERSION DEPENDS [PATH=CONTENT...]: one .deb.
apt_repo_deb() {
	local out=$1 name=$2 version=$3 depends=$4 tree file
	shift 4
	tree=$(mktemp -d)
	mkdir -p "$tree/DEBIAN"
	{
		printf 'Package: %s\nVersion: %s\nArchitecture: amd64\n' "$name" "$version"
		printf 'Maintainer: pmemlab tests <tests@invalid>\n'
		[[ -z $depends ]] || printf 'Depends: %s\n' "$depends"
		printf 'Description: pmemlab test package\n'
	} >"$tree/DEBIAN/control"
	for file in "$@"; do
		mkdir -p "$tree/$(dirname "${file%%=*}")"
		printf '%s' "${file#*=}" >"$tree/${file%%=*}"
		# programs are executable, as in a real package
		case ${file%%=*} in */bin/* | */sbin/*) chmod 0755 "$tree/${file%%=*}" ;; esac
	done
	dpkg-deb -Zgzip -b "$tree" "$out" >/dev/null
	rm -rf "$tree"
}

apt_repo_add() {
	local root=$1 suite=$2 name=$3 version=$4 depends=${5:-}
	shift 4
	(($#)) && shift
	mkdir -p "$root/pool/$suite"
	apt_repo_deb "$root/pool/$suite/${name}_${version}_amd64.deb" "$name" "$version" "$depends" "$@"
}

apt_repo_index() {
	local root=$1 suite=$2 dir
	dir=$root/dists/$suite/main/binary-amd64
	mkdir -p "$dir"
	(cd "$root" && dpkg-scanpackages -m "pool/$suite" /dev/null 2>/dev/null) >"$dir/Packages"
	gzip -kf "$dir/Packages"
	{
		printf 'Origin: Debian\nLabel: Debian\nSuite: %s\nCodename: %s\n' "$suite" "$suite"
		printf 'Date: %s\nArchitectures: amd64\nComponents: main\nSHA256:\n' "$(LC_ALL=C date -Ru)"
		(cd "$root/dists/$suite" && for f in main/binary-amd64/Packages main/binary-amd64/Packages.gz; do
			printf ' %s %s %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "$(stat -c %s "$f")" "$f"
		done)
	} >"$root/dists/$suite/Release"
}

# apt_host_sources DIR KIND URI: a host apt configuration whose sources
# (KIND oneline or deb822) name URI for bookworm; APT_CONFIG points at it.
apt_host_sources() {
	local dir=$1 kind=$2 uri=$3
	mkdir -p "$dir/sources.list.d"
	: >"$dir/sources.list"
	case $kind in
	oneline)
		printf '# the host\ndeb [trusted=yes] %s-security bookworm-security main\n' "$uri" >"$dir/sources.list"
		printf 'deb [ arch=amd64 trusted=yes ] %s bookworm main\n' "$uri" >>"$dir/sources.list"
		;;
	deb822)
		printf 'Types: deb\nURIs: %s-security\nSuites: bookworm-security\nComponents: main\nTrusted: yes\n\n' "$uri" >"$dir/sources.list.d/debian.sources"
		printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nTrusted: yes\n' "$uri" >>"$dir/sources.list.d/debian.sources"
		;;
	esac
	printf 'Dir::Etc::SourceList "%s/sources.list";\nDir::Etc::SourceParts "%s/sources.list.d";\n' "$dir" "$dir" >"$dir/apt.conf"
	export APT_CONFIG=$dir/apt.conf
}
