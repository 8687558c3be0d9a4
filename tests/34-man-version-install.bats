#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2016 # $stderr is set by bats; backquotes and $1 in single quotes are literal
# The man pages render cleanly and keep up with the --help texts (the
# facts: what each command prints), one VERSION gives both programs'
# versions, and `make install` installs binaries, man pages and the
# completion, `make uninstall` removes them.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	ROOT=$(readlink -f "$BATS_TEST_DIRNAME/..")
	PMEMLAB=$ROOT/scripts/pmemlab
	PMEMPROBE=${PMEMPROBE:-$ROOT/build/pmemprobe}
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

require_groff() {
	command -v groff >/dev/null || skip "groff is not installed (scripts/install-deps --test: groff-base)"
}

# render PAGE: the page as plain ASCII text, no hyphenation at line ends
# (the pages say .nh), so that every option reads whole.
render() {
	groff -man -Tascii -P-c -P-b -P-u "$1" 2>/dev/null
}

# options_of TEXT: every -x and --word in a --help text, one a line.
options_of() {
	grep -oE '(^|[^A-Za-z0-9-])--?[A-Za-z][A-Za-z0-9-]*' <<<"$1" | sed -E 's/^[^-]+//' | sort -u
}

# names OPTION FILE: FILE names OPTION as a word of its own (--kernel is
# not found in --kernels).
names() {
	grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$2"
}

@test "both man pages render with groff and man without a warning" {
	require_groff
	local page
	for page in scripts/pmemlab.1 probe/pmemprobe.1; do
		run -0 --separate-stderr groff -man -ww -z "$ROOT/$page"
		[[ -z $stderr ]] || { echo "$page: $stderr" >&2; return 1; }
		if command -v man >/dev/null; then
			run -0 --separate-stderr env MANWIDTH=80 man --warnings -l "$ROOT/$page"
			[[ -z $stderr ]] || { echo "$page: $stderr" >&2; return 1; }
			[[ $output == *NAME*SYNOPSIS*DESCRIPTION*"EXIT STATUS"*"SEE ALSO"* ]]
		fi
	done
}

@test "pmemlab(1) has a section for every command 'pmemlab help' lists" {
	local cmd n=0
	for cmd in $("$PMEMLAB" help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		grep -qE "^\.SS $cmd( |\$)" "$ROOT/scripts/pmemlab.1" || {
			echo "pmemlab.1 has no '.SS $cmd' section: add one beside the others" >&2
			return 1
		}
		n=$((n + 1))
	done
	((n >= 8))
}

@test "pmemlab(1) names every option that pmemlab and each command's --help print" {
	require_groff
	local cmd opt text missing=()
	render "$ROOT/scripts/pmemlab.1" >"$BATS_TEST_TMPDIR/pmemlab.txt"
	for cmd in '' $("$PMEMLAB" help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		[[ $cmd == help ]] && continue
		# shellcheck disable=SC2086 # no command: pmemlab's own --help
		text=$("$PMEMLAB" $cmd --help)
		for opt in $(options_of "$text"); do
			names "$opt" "$BATS_TEST_TMPDIR/pmemlab.txt" || missing+=("${cmd:-pmemlab} $opt")
		done
	done
	((${#missing[@]} == 0)) || {
		printf 'scripts/pmemlab.1 does not describe: %s\n' "${missing[@]}" >&2
		return 1
	}
}

@test "pmemlab(1) names every environment variable of docs/CLI.md's tunables" {
	require_groff
	local var n=0
	render "$ROOT/scripts/pmemlab.1" >"$BATS_TEST_TMPDIR/pmemlab.txt"
	# shellcheck disable=SC2013 # the names are words
	for var in $(sed -n '/^## Tunables/,/^## /p' "$ROOT/docs/CLI.md" | grep -oE '^\| `[A-Z_]+`(, `[A-Z_]+`)*' | grep -oE '[A-Z_]{3,}'); do
		names "$var" "$BATS_TEST_TMPDIR/pmemlab.txt" || { echo "pmemlab.1 has no $var (ENVIRONMENT)" >&2; return 1; }
		n=$((n + 1))
	done
	((n >= 10))
}

@test "pmemprobe(1) names every option pmemprobe --help prints" {
	require_groff
	[[ -x $PMEMPROBE ]] || skip "$PMEMPROBE is not built (make)"
	local opt missing=()
	render "$ROOT/probe/pmemprobe.1" >"$BATS_TEST_TMPDIR/pmemprobe.txt"
	run -0 "$PMEMPROBE" --help
	for opt in $(options_of "$output"); do
		names "$opt" "$BATS_TEST_TMPDIR/pmemprobe.txt" || missing+=("$opt")
	done
	((${#missing[@]} == 0)) || {
		echo "probe/pmemprobe.1 does not describe: ${missing[*]}" >&2
		return 1
	}
}

@test "the man pages carry the version of the VERSION file" {
	local version
	version=$(<"$ROOT/VERSION")
	[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
	grep -qF "\"pmemlab $version\"" "$ROOT/scripts/pmemlab.1"
	grep -qF "\"pmemlab $version\"" "$ROOT/probe/pmemprobe.1"
}

@test "pmemlab --version prints the VERSION file, with git describe in a checkout" {
	local version
	version=$(<"$ROOT/VERSION")
	run -0 "$PMEMLAB" --version
	if [[ -e $ROOT/.git ]] && command -v git >/dev/null; then
		[[ $output == "pmemlab $version (git $(git -C "$ROOT" describe --always --dirty))" ]]
	else
		[[ $output == "pmemlab $version" ]]
	fi
	# a tree without git: the file alone, whatever it says
	mkdir -p "$BATS_TEST_TMPDIR/tree"
	cp -R "$ROOT/scripts" "$BATS_TEST_TMPDIR/tree/"
	echo 9.8.7-test >"$BATS_TEST_TMPDIR/tree/VERSION"
	run -0 "$BATS_TEST_TMPDIR/tree/scripts/pmemlab" --version
	[[ $output == "pmemlab 9.8.7-test" ]]
	[[ $("$PMEMLAB" help) == *"--version"* ]]
}

@test "the Makefile passes VERSION to the C build as PMEMLAB_VERSION" {
	run -0 make -s -n -B -C "$ROOT" BUILD="$BATS_TEST_TMPDIR/build" "$BATS_TEST_TMPDIR/build/probe/main.o"
	[[ $output == *"-DPMEMLAB_VERSION=\"\\\"$(<"$ROOT/VERSION")\\\"\""* ]]
	run -0 make -s -n -B -C "$ROOT" BUILD="$BATS_TEST_TMPDIR/build" VERSION=9.8.7 "$BATS_TEST_TMPDIR/build/probe/main.o"
	[[ $output == *'-DPMEMLAB_VERSION="\"9.8.7\""'* ]]
}

@test "pmemprobe --version prints the VERSION the Makefile gave it" {
	grep -rqs PMEMLAB_VERSION "$ROOT"/probe/*.[ch] || skip "probe/ does not use PMEMLAB_VERSION yet"
	run -0 make -s -C "$ROOT" BUILD="$BATS_TEST_TMPDIR/build" VERSION=9.8.7-test "$BATS_TEST_TMPDIR/build/pmemprobe"
	run -0 "$BATS_TEST_TMPDIR/build/pmemprobe" --version
	[[ $output == "pmemprobe 9.8.7-test" ]]
}

# bats test_tags=slow
@test "make install DESTDIR puts binaries, man pages and completion in place; uninstall removes them" {
	local dest=$BATS_TEST_TMPDIR/dest prefix=/usr version
	version=$(<"$ROOT/VERSION")
	# a private build directory: the probe is compiled afresh for the install
	run -0 make -s -C "$ROOT" install DESTDIR="$dest" PREFIX="$prefix" BUILD="$BATS_TEST_TMPDIR/build"
	[[ -x $dest$prefix/bin/pmemprobe && -L $dest$prefix/bin/pmemlab ]]
	[[ -f $dest$prefix/share/man/man1/pmemlab.1 && -f $dest$prefix/share/man/man1/pmemprobe.1 ]]
	[[ -f $dest$prefix/share/bash-completion/completions/pmemlab ]]
	[[ $(stat -c %a "$dest$prefix/share/man/man1/pmemlab.1") == 644 ]]
	# the installed pmemlab runs from its own tree, with its own VERSION
	run -0 "$dest$prefix/bin/pmemlab" --version
	[[ $output == "pmemlab $version" ]]
	run -0 "$dest$prefix/bin/pmemlab" help
	[[ $output == *"commands:"*"run "*"exec "* ]]
	run -0 "$dest$prefix/bin/pmemprobe" --help
	# the installed completion asks the installed pmemlab
	run -0 bash -c '. "$1" && complete -p pmemlab && COMP_WORDS=("$2" ker) COMP_CWORD=1 && _pmemlab && echo "${COMPREPLY[*]}"' \
		_ "$dest$prefix/share/bash-completion/completions/pmemlab" "$dest$prefix/bin/pmemlab"
	[[ ${lines[-1]} == kernel ]]
	if command -v man >/dev/null; then
		run -0 env MANWIDTH=80 man -l "$dest$prefix/share/man/man1/pmemlab.1"
		[[ $output == *"pmemlab - prove"* ]]
	fi
	run -0 make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX="$prefix"
	[[ -z $(find "$dest" ! -type d) ]] || { find "$dest" ! -type d >&2; return 1; }
}
