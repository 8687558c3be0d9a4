# shellcheck shell=sh
# The snapshot point of an exec guest (vm/lib/snapshot.sh): when the host
# asked for it (PMEMLAB_SNAPSHOT=1 in run.conf), the guest says so on the
# console and waits on its pmemlab.go port. The host saves the guest
# there (first exec of a shape) or starts a saved one (later execs):
# either way what comes down the port is this run's: the host's clock
# and this run's files, which replace those the saved guest booted with.

snapshot_point() {
	[ "${PMEMLAB_SNAPSHOT:-0}" = 1 ] || return 0
	wait_port pmemlab.go || {
		log "no pmemlab.go port: the guest cannot wait for the host"
		return 1
	}
	# this run's files come down the port: the saved guest holds none
	rm -rf /pmemlab/cmd /pmemlab/env /pmemlab/plan.tsv /pmemlab/user
	mkdir -p /pmemlab/user
	log "snapshot point"
	exec 3<"$PORT"
	epoch=''
	read -r epoch _ <&3
	log "resumed" # the host times a saved guest's start up to this line
	mark resumed
	# the saved guest's clock stopped when it was saved
	[ -z "$epoch" ] || date -s "@$epoch" >/dev/null
	rc=0
	take_run_files || rc=1
	exec 3<&-
	[ $rc = 0 ] || return 1
	# shellcheck source=/dev/null # written by the host, every value quoted
	. /pmemlab/run.conf
}

# take_run_files: from fd 3, "file NAME LINES" and that many lines, per
# file, up to "end" (vm/lib/snapshot.sh, snapshot_go); builtins only.
take_run_files() {
	while IFS= read -r line <&3; do
		case $line in
		end) return 0 ;;
		"file "*)
			# shellcheck disable=SC2086 # "file", a relative path, a count
			set -- $line
			n=0
			while [ "$n" -lt "$3" ]; do
				IFS= read -r l <&3 || return 1
				printf '%s\n' "$l"
				n=$((n + 1))
			done >"/pmemlab/$2"
			;;
		*)
			log "unexpected line from the host on pmemlab.go: $line"
			return 1
			;;
		esac
	done
	return 1
}
