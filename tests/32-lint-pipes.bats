#!/usr/bin/env bats
# scripts/lint-pipes (run by `make lint`) catches pipes into readers that
# may exit early, which fail at random under pipefail; the tree has none.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	LINT=$BATS_TEST_DIRNAME/../scripts/lint-pipes
}

@test "the SIGPIPE trap itself: a producer piped into grep -q fails under pipefail" {
	command -v apt-cache >/dev/null || skip "apt-cache is not installed"
	# a producer that writes more after grep -q has found its line and left
	run bash -c 'set -o pipefail; { echo Candidate: 1; seq 1 200000; } | grep -q Candidate' # pipe-ok: the trap, on purpose
	[[ $status -eq 141 ]]
	run bash -c 'set -o pipefail; out=$({ echo Candidate: 1; seq 1 200000; }); [[ $out == *Candidate* ]]'
	[[ $status -eq 0 ]]
}

@test "lint-pipes flags grep -q, grep -m, --quiet and head after a pipe, also across a line break" {
	# PIPE stands for the bar, so that this file passes the lint itself
	sed 's/PIPE/|/g' >"$BATS_TEST_TMPDIR/bad.sh" <<'SH'
apt-cache policy x 2>/dev/null PIPE grep -q 'Candidate: [0-9]'
dpkg-query -W x PIPE grep -o 'linux-image-[0-9]*' PIPE head -n 1
find . -name '*.deb' PIPE grep -m1 deb
ls PIPE grep --quiet foo
apt-cache depends x PIPE
	grep -Eq Depends
SH
	run -1 "$LINT" "$BATS_TEST_TMPDIR/bad.sh"
	echo "$output" >&2
	[[ $(grep -c 'early-exiting reader' <<<"$output") -eq 5 ]]
	[[ $output == *"bad.sh:1:"* && $output == *"bad.sh:2:"* && $output == *"bad.sh:3:"* && $output == *"bad.sh:4:"* && $output == *"bad.sh:6:"* ]]
}

@test "lint-pipes leaves alone what reads all its input, ||, files, and lines marked pipe-ok" {
	cat >"$BATS_TEST_TMPDIR/good.sh" <<'SH'
out=$(apt-cache policy x) && [[ $out == *Candidate* ]]
grep -q pattern file.txt
test -e x || grep -q y file
producer | sed -n 1p
producer | grep -c pattern
head -n 1 file
producer | head -n 1 # pipe-ok: producer writes one line
# producer | grep -q commented out
SH
	run -0 "$LINT" "$BATS_TEST_TMPDIR/good.sh"
}

@test "the tree's shell files have no such pipe (as make lint checks)" {
	cd "$BATS_TEST_DIRNAME/.." || return
	local files
	mapfile -t files < <(git ls-files -- '*.sh' '*.bash' '*.bats' scripts vm fixtures bench .ci 2>/dev/null | sort -u)
	((${#files[@]} > 20)) || skip "not a git checkout: cannot list the tree's files"
	run -0 "$LINT" "${files[@]}"
}
