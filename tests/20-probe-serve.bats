#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemprobe --serve: one process that runs each probe asked on stdin in a
# child forked from itself (fixtures/run keeps one up for a whole guest
# run). Every request gets the same output, standard error and exit
# status as the same pmemprobe run by itself.
# bats file_tags=probe

bats_require_minimum_version 1.5.0

setup() {
	load probe_helpers
	probe_setup
}

teardown() {
	probe_teardown
}

# serve_lines REQUEST...: the requests (fields joined by tabs, one
# argument each) through one server; its answers in $output.
serve_lines() {
	local req
	for req in "$@"; do printf '%s\n' "$req"; done >"$SHM/requests"
	run --separate-stderr "$PMEMPROBE" --serve <"$SHM/requests"
}

tab() {
	local IFS=$'\t'
	printf '%s\n' "$*"
}

@test "serve: says it is up, then answers each probe with the exit status a run by itself gives" {
	make_file "$SHM/f" $((64 * 4096))
	serve_lines "$(tab "$SHM/o1" "$SHM/e1" --format json "$SHM/f")" \
		"$(tab "$SHM/o2" "$SHM/e2" --format json --create --size 1M "$SHM/new")"
	((status == 0))
	[[ ${lines[0]} == "pmemprobe serve 1" ]]
	((${#lines[@]} == 3))
	local served=("${lines[@]}")
	run --separate-stderr "$PMEMPROBE" --format json "$SHM/f"
	[[ ${served[1]} == "$status" ]] # 0 as root, 4 (placement hidden) otherwise
	# the served report is the direct one, but for what each process saw
	filter='del(.timing, .evidence.minor_faults, .evidence.major_faults)'
	diff <(jq "$filter" "$SHM/o1") <(jq "$filter" <<<"$output")
	[[ $(jq -r .pages "$SHM/o1") == 64 ]]
	# --create made the file with its pattern, as a direct run does
	[[ $(jq -r '.created, .pages' "$SHM/o2") == $'true\n256' ]]
	run -0 "$PMEMPROBE" --verify "$SHM/new"
}

@test "serve: a probe's usage error and runtime error come back as 2 and 3, with its message, and serving goes on" {
	serve_lines "$(tab "$SHM/o1" "$SHM/e1" --format yaml "$SHM/f")" \
		"$(tab "$SHM/o2" "$SHM/e2" "$SHM/missing")" \
		"$(tab "$SHM/o3" "$SHM/e3" --version)"
	((status == 0))
	[[ ${lines[*]:1} == "2 3 0" ]]
	[[ $(<"$SHM/e1") == *"--format 'yaml': use text, json or tap"* ]]
	[[ $(<"$SHM/e2") == *"$SHM/missing"* ]]
	[[ $(<"$SHM/o3") == "pmemprobe $(<"$BATS_TEST_DIRNAME/../VERSION")" ]]
	[[ ! -s $SHM/o1 && ! -s $SHM/e3 ]]
}

@test "serve: a malformed request or an output it cannot open is answered, not fatal" {
	make_file "$SHM/f" 4096
	serve_lines "just-one-field" \
		"$(tab "$SHM/no-such-dir/out" "$SHM/err" --version)" \
		"$(tab "$SHM/o" "$SHM/e" --version)"
	((status == 0))
	[[ ${lines[*]:1} == "2 3 0" ]]
	[[ $stderr == *"a request is OUT<TAB>ERR<TAB>ARGS..., got 'just-one-field'"* ]]
	[[ $(<"$SHM/err") == *"$SHM/no-such-dir/out: No such file or directory"* ]]
	[[ -s $SHM/o ]]
}

@test "serve: a probe killed by a signal is answered 128 + the signal, and serving goes on" {
	command -v pgrep >/dev/null || skip "pgrep (procps) is missing"
	# long enough to be caught: 64K pages, each faulted by itself
	head -c 256M /dev/zero >"$SHM/big"
	coproc SERVER { exec "$PMEMPROBE" --serve 2>"$SHM/server.err"; }
	local ready answer child='' i
	read -r ready <&"${SERVER[0]}"
	[[ $ready == "pmemprobe serve 1" ]]
	tab "$SHM/o" "$SHM/e" --touch per-page "$SHM/big" >&"${SERVER[1]}"
	for ((i = 0; i < 500; i++)); do
		child=$(pgrep -P "$SERVER_PID") && break
		sleep 0.01
	done
	[[ -n $child ]]
	kill -TERM "$child"
	read -r answer <&"${SERVER[0]}"
	[[ $answer == 143 ]]
	tab "$SHM/o" "$SHM/e" --version >&"${SERVER[1]}"
	read -r answer <&"${SERVER[0]}"
	[[ $answer == 0 ]]
	# end of input ends the server, with 0
	local server=$SERVER_PID to_server=${SERVER[1]}
	exec {to_server}>&-
	wait "$server"
}

@test "serve: --serve takes no other argument" {
	run -2 --separate-stderr "$PMEMPROBE" --serve --format json
	[[ $stderr == *"--serve takes no other argument"* ]]
	run -0 "$PMEMPROBE" --help
	[[ $output == *"--serve "* ]]
}
