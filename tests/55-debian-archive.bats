#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# scripts/lib/debian-archive.sh: private apt access to a Debian suite,
# with the mirror taken from the host's sources. A local repository built
# here stands in for Debian's archive; APT_CONFIG for the host's apt.

bats_require_minimum_version 1.5.0

setup() {
	load apt_repo_helpers
	command -v dpkg-scanpackages >/dev/null || skip "dpkg-scanpackages (dpkg-dev) is missing"
	REPO=$BATS_TEST_TMPDIR/repo
	apt_repo_add "$REPO" trixie linux-image-7.1.2+deb13-amd64 7.1.2-1 '' boot/vmlinuz-7.1.2+deb13-amd64=image
	apt_repo_add "$REPO" trixie linux-image-amd64 7.1.2-1 'linux-image-7.1.2+deb13-amd64 (= 7.1.2-1)'
	apt_repo_index "$REPO" trixie
	apt_host_sources "$BATS_TEST_TMPDIR/host" oneline "file:$REPO"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

# archive FUNCTION ARG...: one of the library's functions, as a caller runs it.
archive() {
	PMEMLAB_ROOT=$BATS_TEST_DIRNAME/.. bash -c 'set -Eeuo pipefail
		. "$PMEMLAB_ROOT/scripts/lib/debian-archive.sh"; "$@"' archive "$@"
}

@test "the mirror is the host's first Debian entry of a one-line sources.list" {
	run -0 archive debian_archive_mirror
	[[ $output == "file:$REPO"$'\t'"trusted=yes" ]]
}

@test "the mirror is the host's first Debian entry of a deb822 .sources file" {
	apt_host_sources "$BATS_TEST_TMPDIR/host822" deb822 "file:$REPO"
	run -0 archive debian_archive_mirror
	[[ $output == "file:$REPO"$'\t'"trusted=yes" ]]
}

@test "a suite's candidate version and a meta package's Depends come from its own lists" {
	run -0 archive debian_archive_version trixie linux-image-amd64
	[[ ${lines[-1]} == 7.1.2-1 ]]
	run -0 --separate-stderr archive debian_archive_depends trixie linux-image-amd64
	[[ $output == linux-image-7.1.2+deb13-amd64 ]]
	# the host's apt knows nothing of it: its lists were not touched
	run -0 apt-cache policy linux-image-7.1.2+deb13-amd64
	[[ $output != *"Candidate: 7"* ]]
}

@test "download puts the .debs into the directory given" {
	run -0 --separate-stderr archive debian_archive_download trixie "$BATS_TEST_TMPDIR/debs" linux-image-7.1.2+deb13-amd64
	run -0 dpkg-deb -c "$BATS_TEST_TMPDIR/debs/linux-image-7.1.2+deb13-amd64_7.1.2-1_amd64.deb"
	[[ $output == *./boot/vmlinuz-7.1.2+deb13-amd64* ]]
}

@test "once its lists are fetched a suite answers without its mirror" {
	run -0 --separate-stderr archive debian_archive_update trixie
	[[ $stderr == *"fetching Debian trixie's package lists from file:$REPO"* ]]
	mv "$REPO" "$REPO.gone"
	run -0 --separate-stderr archive debian_archive_version trixie linux-image-amd64
	[[ $output == 7.1.2-1 && $stderr != *fetching* ]]
	run -0 --separate-stderr archive debian_archive_depends trixie linux-image-amd64
	[[ $output == linux-image-7.1.2+deb13-amd64 ]]
}

@test "a package the suite does not have is no candidate" {
	run -1 --separate-stderr archive debian_archive_version trixie linux-image-0.0.0-amd64
	[[ -z $output ]]
	run -3 --separate-stderr archive debian_archive_download trixie "$BATS_TEST_TMPDIR/debs" linux-image-0.0.0-amd64
	[[ $stderr == *"Debian trixie has no package linux-image-0.0.0-amd64"* ]]
}

@test "a suite the mirror does not have fails and leaves nothing in the cache" {
	run -3 --separate-stderr archive debian_archive_update forky
	[[ $stderr == *"cannot fetch Debian forky's lists from file:$REPO"* ]]
	[[ ! -e $PMEMLAB_CACHE/apt/forky ]]
}

@test "an invalid suite name exits 2 naming it" {
	run -2 --separate-stderr archive debian_archive_update '../etc'
	[[ $stderr == *"invalid Debian suite '../etc'"* ]]
	[[ ! -e $PMEMLAB_CACHE/apt ]]
}

@test "an ordinary user fetches a suite into a cache of their own" {
	[[ $(id -u) -eq 0 ]] || skip "needs root to switch to the user nobody"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# bats' own directories are private to root: nobody gets one in /tmp
	local home owner
	home=$(mktemp -d /tmp/pmemlab-nobody.XXXXXX)
	cp -r "$REPO" "$home/repo"
	apt_host_sources "$home/host" oneline "file:$home/repo"
	chmod -R a+rX "$home"
	chown nobody "$home"
	# shellcheck disable=SC2016 # expanded by the inner bash
	PMEMLAB_CACHE=$home/cache HOME=$home run -0 --separate-stderr \
		setpriv --reuid nobody --regid nogroup --clear-groups \
		env PMEMLAB_ROOT="$BATS_TEST_DIRNAME/.." bash -c 'set -Eeuo pipefail
		. "$PMEMLAB_ROOT/scripts/lib/debian-archive.sh"; debian_archive_version "$@"' archive trixie linux-image-amd64
	owner=$(stat -c %U "$home/cache/apt/trixie/lists")
	rm -rf "$home"
	[[ $output == 7.1.2-1 && $owner == nobody ]]
}
