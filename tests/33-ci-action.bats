#!/usr/bin/env bats
# shellcheck disable=SC2154,SC2016 # $stderr is set by bats; jq programs, ${{ }} and guest command lines are literal
# The GitHub Action (action.yml) and its steps (scripts/ci/), run here in
# a fake GitHub environment: GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
# GITHUB_PATH are files, RUNNER_TEMP and GITHUB_WORKSPACE directories of
# the test. The tests check what each step writes into them. Only the
# test tagged vm boots a guest; the others run a stand-in pmemlab
# (PMEMLAB_TEST_PMEMLAB) or none.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup() {
	ROOT=$(readlink -f "$BATS_TEST_DIRNAME/..")
	CI=$ROOT/scripts/ci
	export GITHUB_OUTPUT=$BATS_TEST_TMPDIR/github_output GITHUB_STEP_SUMMARY=$BATS_TEST_TMPDIR/step_summary \
		GITHUB_PATH=$BATS_TEST_TMPDIR/github_path RUNNER_TEMP=$BATS_TEST_TMPDIR/runner_temp \
		GITHUB_WORKSPACE=$BATS_TEST_TMPDIR/workspace PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	mkdir -p "$RUNNER_TEMP" "$GITHUB_WORKSPACE"
	: >"$GITHUB_OUTPUT"
	: >"$GITHUB_STEP_SUMMARY"
	: >"$GITHUB_PATH"
}

# output NAME: the step output NAME as GitHub reads it (NAME=VALUE lines).
output() {
	sed -n "s/^$1=//p" "$GITHUB_OUTPUT"
}

require_yq() {
	command -v yq >/dev/null || skip "yq is not installed (scripts/install-deps --test)"
}

# ---- action.yml ----------------------------------------------------------

@test "action.yml is a composite action whose shell steps are scripts in scripts/ci" {
	require_yq
	[[ $(yq -r .runs.using "$ROOT/action.yml") == composite ]]
	local line n=0
	while IFS= read -r line; do
		[[ $line =~ ^\"\$GITHUB_ACTION_PATH/(scripts/ci/[a-z-]+)\"$ ]] || {
			echo "a run: step that is not one script of scripts/ci: $line" >&2
			return 1
		}
		[[ -x $ROOT/${BASH_REMATCH[1]} ]]
		n=$((n + 1))
	done < <(yq -r '.runs.steps[] | select(.run) | .run' "$ROOT/action.yml")
	((n == 5))
	# every shell step says its shell (a composite action requires it)
	[[ $(yq '[.runs.steps[] | select(.run) | select(.shell != "bash")] | length' "$ROOT/action.yml") == 0 ]]
}

@test "action.yml passes every input to a step and takes every output from one" {
	require_yq
	local input output ids used
	used=$(yq -r '[.runs.steps[] | (.env // {}), (.with // {}), {if: (.if // ""), wd: (."working-directory" // "")} | .[]] | join(" ")' "$ROOT/action.yml")
	for input in run backend fixture kernel size timeout args working-directory artifact; do
		[[ $(yq -r --arg i "$input" '.inputs | has($i)' "$ROOT/action.yml") == true ]]
		[[ $used == *"inputs.$input"* ]] || { echo "input $input reaches no step" >&2; return 1; }
	done
	ids=" $(yq -r '[.runs.steps[] | .id // empty] | join(" ")' "$ROOT/action.yml") "
	while IFS=$'\t' read -r output value; do
		[[ $value =~ ^\$\{\{\ steps\.([a-z]+)\.outputs\.[a-z-]+\ \}\}$ ]] || { echo "output $output: $value" >&2; return 1; }
		[[ $ids == *" ${BASH_REMATCH[1]} "* ]] || { echo "output $output names no step" >&2; return 1; }
	done < <(yq -r '.outputs | to_entries[] | [.key, .value.value] | @tsv' "$ROOT/action.yml")
}

@test "action.yml caches pmemlab's cache under the kernel key and keeps the results as an artifact" {
	require_yq
	[[ $(yq -r '.runs.steps[] | select(.uses == "actions/cache@v4") | .with.key' "$ROOT/action.yml") == '${{ steps.key.outputs.key }}' ]]
	[[ $(yq -r '.runs.steps[] | select(.uses == "actions/cache@v4") | .with.path' "$ROOT/action.yml") == '${{ steps.key.outputs.path }}' ]]
	[[ $(yq -r '.runs.steps[] | select(.uses == "actions/upload-artifact@v4") | .with.path' "$ROOT/action.yml") == '${{ steps.run.outputs.dir }}' ]]
	# the artifact is kept when the run failed too
	[[ $(yq -r '.runs.steps[] | select(.uses == "actions/upload-artifact@v4") | .if' "$ROOT/action.yml") == "always() && "* ]]
	# the cache is restored before the kernel is fetched, the kernel before the run
	[[ $(yq -r '[.runs.steps[] | .id // .run] | join(" ")' "$ROOT/action.yml") == *"key cache "*"scripts/ci/kernel"*" run"* ]]
}

# ---- the deps step -------------------------------------------------------

# os_release ID [ID_LIKE]: a stand-in os-release file, in PMEMLAB_OS_RELEASE.
os_release() {
	export PMEMLAB_OS_RELEASE=$BATS_TEST_TMPDIR/os-release
	printf 'PRETTY_NAME="%s"\nID=%s\n' "$1 test" "$1" >"$PMEMLAB_OS_RELEASE"
	[[ -z ${2:-} ]] || printf 'ID_LIKE="%s"\n' "$2" >>"$PMEMLAB_OS_RELEASE"
}

@test "deps: a runner that is neither Debian nor Ubuntu fails the first step, naming the fix" {
	os_release fedora
	run -3 --separate-stderr "$CI/deps"
	[[ $stderr == *"this runner is fedora test: pmemlab installs Debian's (or Ubuntu's) packages"*"container: {image: debian:12"* ]]
	[[ ! -s $GITHUB_PATH ]]
}

# ---- the kvm step --------------------------------------------------------

@test "kvm: a usable /dev/kvm is left as it is" {
	: >"$BATS_TEST_TMPDIR/kvm"
	run -0 --separate-stderr env PMEMLAB_TEST_KVM_DEVICE="$BATS_TEST_TMPDIR/kvm" \
		PMEMLAB_TEST_UDEV_RULES_DIR="$BATS_TEST_TMPDIR" "$CI/kvm"
	[[ $(cat "$GITHUB_OUTPUT") == "kvm=usable" ]]
	[[ ! -e $BATS_TEST_TMPDIR/99-kvm4all.rules ]]
}

@test "kvm: no /dev/kvm is no failure, and says how a container job gets one" {
	run -0 --separate-stderr env PMEMLAB_TEST_KVM_DEVICE="$BATS_TEST_TMPDIR/none" \
		PMEMLAB_TEST_UDEV_RULES_DIR="$BATS_TEST_TMPDIR" "$CI/kvm"
	[[ $(cat "$GITHUB_OUTPUT") == "kvm=missing" ]]
	[[ $stderr == *"options: --device /dev/kvm"* ]]
	[[ ! -e $BATS_TEST_TMPDIR/99-kvm4all.rules ]]
}

# The runner's user (nobody) with a /dev/kvm it cannot open, as on
# GitHub's hosted runners; sudo and udevadm on PATH are stand-ins that
# log their arguments. The udevadm stand-in's trigger does what udev
# does with the rule (chmod 0666) when UDEV_APPLIES=1.
kvm_as_runner() {
	command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
	((EUID == 0)) || skip "not root: cannot run the step as another user"
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$CI/kvm" ||
		skip "nobody cannot reach $CI/kvm (a private checkout)"
	# outside the test's own directories, which nobody cannot reach
	local dir bin
	dir=$(mktemp -d /tmp/pmemlab-runner.XXXXXX)
	RUNNER_DIR=$dir bin=$dir/bin
	mkdir -p "$bin" "$dir/rules.d"
	cat >"$bin/sudo" <<-'STUB'
		#!/bin/sh
		[ "$1" = -n ] && shift
		echo "sudo $*" >>"$STUB_LOG"
		exec "$@"
	STUB
	cat >"$bin/udevadm" <<-'STUB'
		#!/bin/sh
		echo "udevadm $*" >>"$STUB_LOG"
		[ "$1" = trigger ] && [ "$UDEV_APPLIES" = 1 ] && chmod 0666 "$PMEMLAB_TEST_KVM_DEVICE"
		exit 0
	STUB
	chmod 0755 "$bin/sudo" "$bin/udevadm"
	: >"$dir/kvm"
	chmod 0000 "$dir/kvm"
	: >"$dir/stub.log"
	: >"$dir/github_output"
	chmod 0666 "$dir/stub.log" "$dir/github_output"
	chmod 0777 "$dir/rules.d"
	chmod 0755 "$dir"
	chown nobody "$dir/kvm"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env -i PATH="$bin:/usr/bin:/bin" HOME="$dir" GITHUB_OUTPUT="$dir/github_output" \
		PMEMLAB_TEST_KVM_DEVICE="$dir/kvm" PMEMLAB_TEST_UDEV_RULES_DIR="$dir/rules.d" \
		STUB_LOG="$dir/stub.log" UDEV_APPLIES="$1" "$CI/kvm"
	RULES=$dir/rules.d/99-kvm4all.rules STUB_LOG=$dir/stub.log
	cp "$dir/github_output" "$GITHUB_OUTPUT"
}

teardown() {
	[[ -z ${RUNNER_DIR:-} ]] || rm -rf -- "$RUNNER_DIR"
}

@test "kvm: a closed /dev/kvm gets the udev rule through sudo, and is then usable" {
	kvm_as_runner 1
	[[ $status -eq 0 ]]
	[[ $(cat "$RULES") == 'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"' ]]
	[[ $(grep -c . "$RULES") == 1 ]]
	# the rule is written, udev reloads its rules, then applies them to kvm
	[[ $(grep udevadm "$STUB_LOG" | grep -v '^sudo') == $'udevadm control --reload-rules\nudevadm trigger --name-match=kvm' ]]
	[[ $(grep -c '^sudo ' "$STUB_LOG") == 3 ]]
	[[ $(cat "$GITHUB_OUTPUT") == "kvm=enabled" ]]
}

@test "kvm: a /dev/kvm the rule does not open leaves the job on TCG, saying why" {
	kvm_as_runner 0
	[[ $status -eq 0 ]]
	[[ -s $RULES ]]
	[[ $(cat "$GITHUB_OUTPUT") == "kvm=no-access" ]]
	[[ $stderr == *"nobody cannot open it"*"guests run under TCG"* ]]
}

# ---- the cache-key step --------------------------------------------------

@test "cache-key: the key names the kernel's Debian release, the path is the cache" {
	run -0 env INPUT_KERNEL=6.1.0-56-amd64 RUNNER_OS=Linux RUNNER_ARCH=X64 "$CI/cache-key"
	[[ $(output key) == pmemlab-Linux-X64-kernel-6.1.0-56-amd64 ]]
	[[ $(output path) == "$PMEMLAB_CACHE" ]]
	# a version without its flavour is the same kernel, so the same key
	: >"$GITHUB_OUTPUT"
	run -0 env INPUT_KERNEL=6.12.38+deb12 RUNNER_OS=Linux RUNNER_ARCH=X64 "$CI/cache-key"
	[[ $(output key) == pmemlab-Linux-X64-kernel-6.12.38+deb12-amd64 ]]
}

@test "cache-key: default is keyed by what it resolves to, not by the word" {
	local out
	out=$(dpkg-query -W -f='${Status}' linux-image-amd64 2>/dev/null) || out=
	[[ $out != *"install ok installed"* ]] || skip "linux-image-amd64 is installed here: dpkg, not the cache, answers 'default'"
	# the cache's record of what linux-image-amd64 pointed at answers first
	mkdir -p "$PMEMLAB_CACHE/kernels"
	echo linux-image-9.9.9-9-amd64 >"$PMEMLAB_CACHE/kernels/linux-image-amd64.target"
	run -0 env INPUT_KERNEL=default "$CI/cache-key"
	[[ $(output key) == *-kernel-9.9.9-9-amd64 ]]
}

@test "cache-key: a bzImage is keyed by its content, a bad kernel is refused" {
	printf 'one\n' >"$BATS_TEST_TMPDIR/bzImage"
	run -0 env INPUT_KERNEL="$BATS_TEST_TMPDIR/bzImage" "$CI/cache-key"
	[[ $(output key) == *-image-"$(printf 'one\n' | sha256sum | cut -c1-16)" ]]
	run -2 --separate-stderr env INPUT_KERNEL=latest "$CI/cache-key"
	[[ $stderr == *"unknown kernel 'latest'"* ]]
}

# ---- the run step, with a stand-in pmemlab -------------------------------

# A `pmemlab run --format json` document, two fixtures, one failed.
run_document() {
	jq -n '{backend: "nvdimm", size: "2G", kernel: "6.1.0-56-amd64", guest_kernel: "6.1.0-56-amd64",
		accel: "tcg", accel_reason: "no /dev/kvm", clocksource: "tsc", error: null, passed: 1, failed: 1, skipped: 0, ok: false,
		fixtures: [
		 {fixture: "xfs-dax", expected: "pmem", status: "ok", result: "pass",
		  probe: {verdict: "pmem", pmem_pages: 4096, present: 4096,
		   evidence: {statx_dax: true, map_sync: true, libpmem_is_pmem: true}}},
		 {fixture: "tmpfs", expected: "dram", status: "ok", result: "fail",
		  probe: {verdict: "pmem", pmem_pages: 4096, present: 4096,
		   evidence: {statx_dax: false, map_sync: false, libpmem_is_pmem: true}}}]}'
}

# stand_in SCRIPT: a pmemlab that logs its arguments and runs SCRIPT.
stand_in() {
	export PMEMLAB_TEST_PMEMLAB=$BATS_TEST_TMPDIR/pmemlab ARGS_LOG=$BATS_TEST_TMPDIR/args
	{
		printf '#!/usr/bin/env bash\nprintf "%%s\\n" "$@" >"$ARGS_LOG"\n'
		cat
	} >"$PMEMLAB_TEST_PMEMLAB"
	chmod +x "$PMEMLAB_TEST_PMEMLAB"
}

@test "run: without a command, pmemlab run's table goes to the summary and its counts to the outputs" {
	run_document >"$BATS_TEST_TMPDIR/run.json"
	stand_in <<-EOF
		echo "pmemlab: booting the guest" >&2
		cat "$BATS_TEST_TMPDIR/run.json"
		exit 1
	EOF
	run -1 --separate-stderr env INPUT_BACKEND=nvdimm INPUT_SIZE=2G INPUT_KERNEL=6.1.0-56-amd64 \
		INPUT_TIMEOUT=60 INPUT_FIXTURE="xfs-dax, tmpfs" INPUT_ARGS=" --accel tcg
		--keep-work" "$CI/run"
	# the options, from the inputs, in order
	[[ $(tr '\n' ' ' <"$ARGS_LOG") == "run --format json --backend nvdimm --size 2G --kernel 6.1.0-56-amd64 --timeout 60 --fixture xfs-dax --fixture tmpfs --accel tcg --keep-work " ]]
	[[ $(cat "$GITHUB_STEP_SUMMARY") == "### pmemlab run: 1 passed, 1 failed, 0 skipped (exit 1)

| fixture | expected | verdict | result | evidence |
|---|---|---|---|---|
| xfs-dax | pmem | pmem | pass | 4096/4096 pages in PMem, statx DAX yes, MAP_SYNC yes, libpmem yes |
| tmpfs | dram | pmem | fail | 4096/4096 pages in PMem, statx DAX no, MAP_SYNC no, libpmem yes |

nvdimm backend (2G), kernel 6.1.0-56-amd64, tcg (no /dev/kvm)

Accelerator: **tcg**, guest clocksource tsc" ]]
	[[ $(output status) == 1 && $(output failed) == 1 && $(output passed) == 1 && $(output skipped) == 0 ]]
	[[ $(output accel) == tcg && $(output verdict) == "" ]]
	[[ $(output dir) == "$RUNNER_TEMP/pmemlab" ]]
	# the artifact: the document as pmemlab printed it, and its stderr
	[[ $(output json) == "$RUNNER_TEMP/pmemlab/pmemlab.json" ]]
	cmp "$BATS_TEST_TMPDIR/run.json" "$RUNNER_TEMP/pmemlab/pmemlab.json"
	[[ $(cat "$RUNNER_TEMP/pmemlab/stderr.log") == "pmemlab: booting the guest" ]]
	[[ $stderr == *"pmemlab: booting the guest"* ]]
}

@test "run: a command runs in pmemlab exec, its status is the step's, the fixture's row is in the summary" {
	stand_in <<-'EOF'
		# what pmemlab exec --keep-work leaves in TMPDIR, and CMD's status
		work=$(mktemp -d "$TMPDIR/pmemlab.XXXXXX")
		echo "guest console" >"$work/console.log"
		cat >"$work/results.jsonl" <<-'JSON'
			{"type":"guest","kernel":"6.1.0-56-amd64","pmem_iomem":[]}
			{"type":"fixture","fixture":"devdax","status":"ok","probe":{"verdict":"pmem"}}
			{"type":"exec","status":3}
			{"type":"done"}
		JSON
		cat >"$work/report.json" <<-'JSON'
			{"backend":"memmap","size":"1G","kernel":"6.1.0-56-amd64","guest_kernel":"6.1.0-56-amd64","kernel_origin":"Debian 12 bookworm: linux-image-6.1.0-56-amd64","accel":"kvm","accel_reason":"a KVM guest boots here",
			 "fixtures":[{"fixture":"devdax","expected":"pmem","status":"ok","result":"pass","probe":{"verdict":"pmem","pmem_pages":10,"present":10,"evidence":{"statx_dax":true,"map_sync":true,"libpmem_is_pmem":true}}}],
			 "passed":1,"failed":0,"skipped":0}
		JSON
		echo '{"command":1.5}' >"$work/timing.json"
		echo "${PMEMLAB_SNAPSHOT-unset}" >"$BATS_TEST_TMPDIR/snapshot"
		exit 3
	EOF
	cd "$GITHUB_WORKSPACE"
	run -3 --separate-stderr env INPUT_RUN='make test | tee "log"' INPUT_FIXTURE=devdax "$CI/run"
	[[ $(tr '\n' ' ' <"$ARGS_LOG") == "exec --keep-work --junit $RUNNER_TEMP/pmemlab/junit.xml --backend memmap --size 1G --kernel default --timeout 300 --fixture devdax -- sh -c make test | tee \"log\" " ]]
	[[ $(head -n 1 "$GITHUB_STEP_SUMMARY") == '### pmemlab exec: `make test \| tee "log"` exited 3' ]]
	grep -qxF '| devdax | pmem | pmem | pass | 10/10 pages in PMem, statx DAX yes, MAP_SYNC yes, libpmem yes |' "$GITHUB_STEP_SUMMARY"
	# where the kernel came from, beside its release
	grep -qxF 'memmap backend (1G), kernel 6.1.0-56-amd64 (Debian 12 bookworm: linux-image-6.1.0-56-amd64), kvm (a KVM guest boots here)' "$GITHUB_STEP_SUMMARY"
	# one exec per step: no guest saved for later execs (vm/lib/snapshot.sh)
	[[ $(<"$BATS_TEST_TMPDIR/snapshot") == 0 ]]
	[[ $(output status) == 3 && $(output verdict) == pmem && $(output accel) == kvm && $(output passed) == 1 ]]
	[[ $(jq -r '[.command, .status, .exec_status, .guest_kernel] | join(" ")' "$RUNNER_TEMP/pmemlab/pmemlab.json") == 'make test | tee "log" 3 3 6.1.0-56-amd64' ]]
	[[ $(cat "$RUNNER_TEMP/pmemlab/console.log") == "guest console" ]]
	[[ $(jq -c .timing "$RUNNER_TEMP/pmemlab/pmemlab.json") == '{"command":1.5}' ]]
	# pmemlab said "work directory kept": it is, until the job ends
	[[ -f $(echo "$RUNNER_TEMP"/pmemlab-work.*/pmemlab.*/console.log) ]]
}

# kvm_document CLOCKSOURCE: pmemlab run's document of a guest that says
# accel kvm, whose clocksource was CLOCKSOURCE.
kvm_document() {
	run_document | jq --arg c "$1" '. + {accel: "kvm", accel_reason: "a KVM guest boots here", clocksource: $c}'
}

@test "run: accel kvm confirmed by the guest's kvm-clock is said in the summary and the outputs" {
	kvm_document kvm-clock >"$BATS_TEST_TMPDIR/run.json"
	stand_in <<-EOF
		cat "$BATS_TEST_TMPDIR/run.json"
	EOF
	run -0 --separate-stderr "$CI/run"
	[[ $(output accel) == kvm && $(output accel-confirmed) == true ]]
	grep -qxF 'Accelerator: **kvm**, guest clocksource kvm-clock (KVM confirmed)' "$GITHUB_STEP_SUMMARY"
}

@test "run: accel kvm with a guest clocksource other than kvm-clock fails the step, saying so" {
	kvm_document tsc >"$BATS_TEST_TMPDIR/run.json"
	stand_in <<-EOF
		cat "$BATS_TEST_TMPDIR/run.json"
	EOF
	run -1 --separate-stderr "$CI/run"
	[[ $stderr == *"reported accel kvm, but the guest's clocksource is 'tsc', not kvm-clock"* ]]
	[[ $(output accel-confirmed) == false && $(output status) == 0 ]]
	grep -qxF 'error: accel kvm not confirmed: the guest clocksource is `tsc`, not `kvm-clock`' "$GITHUB_STEP_SUMMARY"
}

@test "run: pmemlab stopping before any result puts its stderr in the summary and exits with its status" {
	stand_in <<-'EOF'
		echo "pmemlab: unknown backend 'pmem'" >&2
		exit 2
	EOF
	run -2 --separate-stderr env INPUT_BACKEND=pmem "$CI/run"
	[[ $(cat "$GITHUB_STEP_SUMMARY") == '### pmemlab run: failed before any result (exit 2)

```text
pmemlab: unknown backend '"'pmem'"'
```' ]]
	[[ $(output status) == 2 && $(output json) == "" ]]
	[[ ! -e $RUNNER_TEMP/pmemlab/pmemlab.json ]]
}

@test "the steps refuse to run outside a job, naming what GitHub did not set" {
	run -3 --separate-stderr env -u GITHUB_STEP_SUMMARY "$CI/run"
	[[ $stderr == *"GITHUB_STEP_SUMMARY is not set"* ]]
	run -3 --separate-stderr env -u GITHUB_OUTPUT "$CI/kvm"
	[[ $stderr == *"GITHUB_OUTPUT is not set"* ]]
}

# ---- one real guest --------------------------------------------------------

# bats test_tags=vm
@test "run: a real exec on xfs-dax: the command's status, the fixture's placement, pmem" {
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (scripts/install-deps)"
	# the kernels the suite's set-up fetched: a runner offline by now
	# cannot download one into this test's empty cache
	load vm_helpers
	seed_kernels "$PMEMLAB_CACHE"
	cd "$GITHUB_WORKSPACE"
	run -4 --separate-stderr env INPUT_RUN='pmemprobe --create --size 4M --expect pmem "$PMEM_DIR/f" >/dev/null && exit 4' \
		INPUT_ARGS="--accel tcg" "$CI/run"
	echo "$stderr" >&2
	[[ $(output status) == 4 && $(output verdict) == pmem && $(output accel) == tcg ]]
	# the guest's own word on its accelerator: no kvm-clock under TCG
	[[ $(output accel-confirmed) == false ]]
	[[ $(jq -r .clocksource "$RUNNER_TEMP/pmemlab/pmemlab.json") =~ ^(tsc|hpet|acpi_pm)$ ]]
	grep -qE '^Accelerator: \*\*tcg\*\*, guest clocksource (tsc|hpet|acpi_pm)$' "$GITHUB_STEP_SUMMARY"
	grep -qE '^\| xfs-dax \| pmem \| pmem \| pass \| [0-9]+/[0-9]+ pages in PMem, statx DAX yes, MAP_SYNC yes, libpmem yes \|$' "$GITHUB_STEP_SUMMARY"
	[[ $(jq -r .exec_status "$RUNNER_TEMP/pmemlab/pmemlab.json") == 4 ]]
	[[ -s $RUNNER_TEMP/pmemlab/console.log ]]
	[[ $(jq -r '.timing | [.boot, .command] | map(type) | join(" ")' "$RUNNER_TEMP/pmemlab/pmemlab.json") == "number number" ]]
	# the JUnit report: the fixture passed, the command failed with its status
	[[ $(output junit) == "$RUNNER_TEMP/pmemlab/junit.xml" ]]
	grep -qF 'tests="2" failures="1" errors="0" skipped="0"' "$RUNNER_TEMP/pmemlab/junit.xml"
	grep -qxF '    <failure message="exited 4"/>' "$RUNNER_TEMP/pmemlab/junit.xml"
	# the work directory pmemlab says it kept is there
	[[ $stderr =~ "work directory kept: "([^$'\n']+) && -s ${BASH_REMATCH[1]}/console.log ]]
}

# ---- docs/CI.md shows what the tests run ------------------------------------

# ci_doc_blocks LANG: the fenced blocks of docs/CI.md in LANG, each ending
# with a line "---".
ci_doc_blocks() {
	awk -v lang="$1" '/^```/ { if (inb) { print "---"; inb = 0; next } if ($0 == "```" lang) { inb = 1; next } }
		inb' "$ROOT/docs/CI.md"
}

@test "docs/CI.md: its YAML parses, and the action's example uses inputs the action has" {
	require_yq
	local n=0 doc keys key
	while IFS= read -r -d $'\x1e' doc; do
		[[ -n ${doc//[$'\n' ]/} ]] || continue
		yq -e 'type == "object"' <<<"$doc" >/dev/null || { echo "docs/CI.md: a YAML block does not parse: $doc" >&2; return 1; }
		n=$((n + 1))
	done < <(ci_doc_blocks yaml | sed 's/^---$/\x1e/')
	((n >= 3))
	# the step that uses the action: every with: key is an input
	keys=$(ci_doc_blocks yaml | sed '/^---$/,$d' | yq -r '.jobs[].steps[] | select(.uses // "" | test("/pmemlab@")) | .with | keys[]')
	[[ -n $keys ]]
	for key in $keys; do
		[[ $(yq -r --arg k "$key" '.inputs | has($k)' "$ROOT/action.yml") == true ]] ||
			{ echo "docs/CI.md passes '$key', which action.yml has no input for" >&2; return 1; }
	done
}

@test "docs/CI.md: every pmemlab command it shows is one pmemlab accepts, with options its --help lists" {
	local line sub rest word help checked=0
	local re='pmemlab (run|exec|shell|matrix|report|kernel|kconfig|doctor)( (.*))?$'
	while IFS= read -r line; do
		while [[ $line =~ $re ]]; do
			sub=${BASH_REMATCH[1]} rest=${BASH_REMATCH[3]}
			line=$rest
			help=$("$ROOT/scripts/pmemlab" "$sub" --help)
			for word in $rest; do
				word=${word//\`/}
				[[ $word == -- || $word == *'|'* || $word == '&&' || $word == '>'* || $word == pmemlab ]] && break
				[[ $word == -* ]] || continue
				word=${word%%[),.:;]*}
				grep -qE -- "(^|[^A-Za-z0-9-])$word([^A-Za-z0-9-]|\$)" <<<"$help" ||
					{ echo "docs/CI.md: 'pmemlab $sub' has no option $word" >&2; return 1; }
				checked=$((checked + 1))
			done
		done
	done <"$ROOT/docs/CI.md"
	((checked >= 15))
}

@test "docs/CI.md shows the udev rule and the udevadm calls the kvm step makes" {
	kvm_as_runner 1
	[[ $status -eq 0 ]]
	grep -qF "echo '$(cat "$RULES")' |" "$ROOT/docs/CI.md"
	grep -qF "sudo tee /etc/udev/rules.d/${RULES##*/}" "$ROOT/docs/CI.md"
	local call
	while IFS= read -r call; do
		grep -qxF "    sudo $call" "$ROOT/docs/CI.md" || { echo "docs/CI.md does not show: sudo $call" >&2; return 1; }
	done < <(grep '^udevadm' "$STUB_LOG")
}
