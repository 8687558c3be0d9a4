#!/usr/bin/env bats
# shellcheck disable=SC2034,SC2154 # COMP_WORDS/COMP_CWORD are read by _pmemlab; $stderr is set by bats
# The bash completion offers what pmemlab accepts: its commands, each
# command's options, and their values (backends, fixtures, formats, the
# cached kernels), read from pmemlab itself.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	PMEMLAB=$(readlink -f "$BATS_TEST_DIRNAME/../scripts/pmemlab")
	# shellcheck source=scripts/completion/pmemlab.bash
	. "$BATS_TEST_DIRNAME/../scripts/completion/pmemlab.bash"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
}

# complete WORD...: COMPREPLY for the command line WORD... (the last
# word is the one being completed), one word a line in $BATS_TEST_TMPDIR/reply.
complete() {
	COMP_WORDS=("$PMEMLAB" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_pmemlab
	printf '%s\n' "${COMPREPLY[@]}" >"$BATS_TEST_TMPDIR/reply"
}

offered() {
	grep -qxF -- "$1" "$BATS_TEST_TMPDIR/reply" || {
		echo "'$1' not offered; the reply was:" >&2
		cat "$BATS_TEST_TMPDIR/reply" >&2
		return 1
	}
}

not_offered() {
	! grep -qxF -- "$1" "$BATS_TEST_TMPDIR/reply" || {
		echo "'$1' offered where it does not belong" >&2
		return 1
	}
}

@test "the first word completes to every command pmemlab help lists" {
	complete ''
	local cmd
	# pmemlab's own usage is the fact: each "  NAME  text" line under commands:
	for cmd in $("$PMEMLAB" help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		offered "$cmd"
	done
	offered --version
	complete ma
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == matrix ]]
}

@test "an option prefix completes to that command's options only" {
	complete run --ba
	offered --backend
	offered --backing
	complete run --
	offered --format
	not_offered --rw
	complete exec --
	offered --rw
	offered --env
	offered --pmem-dir
	complete matrix --
	offered --kernels
	offered --jobs
	not_offered --kernel
	complete doctor --p
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == --probe-kvm ]]
}

@test "--backend offers each backend of vm/backends, not the guest halves" {
	local f name n=0
	complete run --backend ''
	for f in "$BATS_TEST_DIRNAME"/../vm/backends/*.sh; do
		[[ -e $f ]] || skip "vm/backends/ holds no backend (being created)"
		name=${f##*/}
		[[ $name == *.guest.sh ]] && { not_offered "${name%.sh}"; not_offered "${name%.guest.sh}.guest"; continue; }
		offered "${name%.sh}"
		n=$((n + 1))
	done
	offered memmap
	[[ $(wc -l <"$BATS_TEST_TMPDIR/reply") -eq $n ]]
}

@test "--fixture offers every fixture file, and a prefix narrows it" {
	local f name
	complete exec --fixture ''
	for f in "$BATS_TEST_DIRNAME"/../fixtures/*.sh; do
		name=${f##*/}
		[[ $name == lib.sh ]] || offered "${name%.sh}"
	done
	complete run --fixture xfs-dax-inode-n
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == xfs-dax-inode-noflag ]]
}

@test "every command's options complete, host's and fixtures' too" {
	complete host --
	offered --region
	offered --yes
	offered --fixture-opt
	complete fixtures --
	offered --backend
	offered --fixture
}

@test "--fixture-opt is not taken for --fixture: it offers no fixture names" {
	complete run --fixture ''
	offered xfs-dax
	complete run --fixture-opt ''
	not_offered xfs-dax
}

@test "--format, --accel and kernel verbs offer the values the help names" {
	complete run --format ''
	[[ $(sort "$BATS_TEST_TMPDIR/reply" | tr '\n' ' ') == "json text " ]]
	complete exec --accel k
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == kvm ]]
	complete kernel ''
	[[ $(sort "$BATS_TEST_TMPDIR/reply" | tr '\n' ' ') == "fetch list update " ]]
	complete report ''
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == merge ]]
	complete kernel list --format j
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == json ]]
}

@test "--kernel offers the flavours and the kernels in the cache" {
	# a cache holding one kernel, as 'pmemlab kernel fetch' leaves it
	mkdir -p "$PMEMLAB_CACHE/kernels/9.9.9-pmemlab-amd64"
	: >"$PMEMLAB_CACHE/kernels/9.9.9-pmemlab-amd64/.complete"
	complete run --kernel ''
	offered default
	offered cloud
	offered rt
	offered 9.9.9-pmemlab-amd64
	complete kernel fetch 9.9
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == 9.9.9-pmemlab-amd64 ]]
}

@test "matrix lists complete their last item after a comma" {
	complete matrix --fixtures xfs-dax,ext4-dax-n
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == xfs-dax,ext4-dax-never ]]
	complete matrix --backends memmap,n
	[[ $(cat "$BATS_TEST_TMPDIR/reply") == memmap,nvdimm ]]
}

@test "directories, variables and free values complete as what they are" {
	mkdir "$BATS_TEST_TMPDIR/results.d"
	: >"$BATS_TEST_TMPDIR/results.file"
	complete exec --rw "$BATS_TEST_TMPDIR/results"
	offered "$BATS_TEST_TMPDIR/results.d"
	not_offered "$BATS_TEST_TMPDIR/results.file"
	PMEMLAB_TEST_VARIABLE=1
	complete exec --env PMEMLAB_TEST_VA
	offered PMEMLAB_TEST_VARIABLE
	# a size is no list and no path
	complete run --size ''
	[[ ! -s $BATS_TEST_TMPDIR/reply || $(cat "$BATS_TEST_TMPDIR/reply") == "" ]]
}

@test "after -- exec completes the guest command, not pmemlab's options" {
	complete exec --fixture xfs-dax -- bas
	offered bash
	not_offered --backend
}

@test "the hidden helper refuses an unknown question with exit 2" {
	run -2 --separate-stderr "$PMEMLAB" _complete frobnicate
	[[ $stderr == *"_complete: say commands"* ]]
}
