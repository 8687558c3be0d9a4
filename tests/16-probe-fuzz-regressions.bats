#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Every input that once crashed a parser's libFuzzer harness
# (fuzz/regressions/NAME/) and every seed (fuzz/corpus/NAME/) runs clean
# through the harness again: same checks, same sanitizers as `make fuzz`.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

FUZZERS=(iomem mountinfo size pagemap sysfs smaps)

setup_file() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export ROOT
	# The harnesses need clang's libFuzzer runtime (libclang-rt-14-dev).
	local rt
	rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null) || rt=
	if [[ $rt != /* || ! -e $rt ]]; then
		export FUZZ_SKIP="clang's libFuzzer runtime is missing (apt-get install libclang-rt-14-dev)"
		return 0
	fi
	make -s -C "$ROOT" fuzz-build >/dev/null
}

setup() {
	[[ -z ${FUZZ_SKIP:-} ]] || skip "$FUZZ_SKIP"
}

# replay NAME DIR: run every file of DIR once through the NAME harness.
replay() {
	local name=$1 dir=$2 files
	mapfile -t files < <(find "$dir" -type f | sort)
	((${#files[@]})) || return 0
	run -0 --separate-stderr "$ROOT/build/fuzz/$name" "${files[@]}"
	[[ $stderr == *"Executed ${files[-1]}"* ]]
	[[ $stderr != *"invariant violated"* ]]
}

@test "every fuzz regression input runs clean through its harness" {
	local name n=0
	for name in "${FUZZERS[@]}"; do
		[[ -d $ROOT/fuzz/regressions/$name ]] || continue
		replay "$name" "$ROOT/fuzz/regressions/$name"
		n=$((n + $(find "$ROOT/fuzz/regressions/$name" -type f | wc -l)))
	done
	((n > 0))
}

@test "every seed of the fuzz corpus runs clean through its harness" {
	local name
	for name in "${FUZZERS[@]}"; do
		[[ -n $(find "$ROOT/fuzz/corpus/$name" -type f) ]]
		replay "$name" "$ROOT/fuzz/corpus/$name"
	done
}

@test "every regression directory belongs to a harness" {
	local dir
	for dir in "$ROOT"/fuzz/regressions/*/; do
		[[ -x $ROOT/build/fuzz/$(basename "$dir") ]]
	done
}
