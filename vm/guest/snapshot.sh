# shellcheck shell=sh
# The snapshot point of an exec guest (vm/lib/snapshot.sh): when the host
# asked for it (PMEMLAB_SNAPSHOT=1 in run.conf), the guest says so on the
# console and waits for one line on its pmemlab.go port. The host saves
# the guest there (first exec of a shape) or starts a saved one (later
# execs): either way the line comes from this run's host, with its
# clock, and this run's files replace those the saved guest booted with.

snapshot_point() {
	[ "${PMEMLAB_SNAPSHOT:-0}" = 1 ] || return 0
	i=0
	until port_var pmemlab.go && [ -c "$PORT" ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || {
			log "no pmemlab.go port: the guest cannot wait for the host"
			return 1
		}
		sleep 0.1
	done
	mkdir -p /run/pmemlab.run
	# this run's files come over 9p, and the saved guest has none
	rm -rf /pmemlab/cmd /pmemlab/env /pmemlab/plan.tsv /pmemlab/user
	log "snapshot point"
	epoch=''
	read -r epoch _ <"$PORT"
	log "resumed" # the host times a saved guest's start up to this line
	mark resumed
	# the saved guest's clock stopped when it was saved
	[ -z "$epoch" ] || date -s "@$epoch" >/dev/null
	take_run_files
}

# take_run_files: run.conf, cmd, env, plan.tsv and the user's fixtures
# of this run, from the host over 9p (left mounted: a process start is
# 20-60 ms under TCG); run.conf read again.
take_run_files() {
	mount -t 9p -o trans=virtio,version=9p2000.L,ro pmemlab.run /run/pmemlab.run || {
		log "cannot mount this run's files (9p tag pmemlab.run)"
		return 1
	}
	cp -R /run/pmemlab.run/pmemlab/. /pmemlab/ || return 1
	# shellcheck source=/dev/null # written by the host, every value quoted
	. /pmemlab/run.conf
}
