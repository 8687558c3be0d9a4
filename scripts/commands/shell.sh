# shellcheck shell=bash
# pmemlab shell: an interactive guest shell on a DAX fixture.

# shellcheck source=scripts/lib/guest.sh
. "$PMEMLAB_ROOT/scripts/lib/guest.sh"

shell_usage() {
	cat <<USAGE
usage: pmemlab shell [OPTIONS]

An interactive shell in the guest, with the fixture (default xfs-dax) at
\$PMEM_DIR and the host's current directory read-only at the same path.
Leave with 'exit' (or Ctrl-A X).

options:
$(common_options_help)
  --fixture NAME            the fixture to build (default xfs-dax); none: the PMem
                            regions left empty for ndctl, \$PMEM_REGION the first
  --rw DIR                  share the host's DIR writable (everything else is read-only)
  --env NAME                pass the host's variable NAME too (repeatable)
USAGE
}

cmd_shell() {
	while (($#)); do
		case $1 in
		-h | --help)
			shell_usage
			return 0
			;;
		--rw | --env)
			parse_user_option "$@"
			shift 2
			;;
		*)
			parse_common_option "$@" || usage_die "shell: unknown option '$1'"
			shift "$SHIFT_BY"
			;;
		esac
	done
	[[ -t 0 ]] || usage_die "shell: standard input is not a terminal (use 'pmemlab exec' in scripts)"
	OPT_FIXTURE_NONE_OK=1
	validate_common_options boot
	validate_built_fixture
	OPT_HOST_DIR=$PWD
	session_start
	session_prepare shell
	# the fixture needs a module the kernel lacks (session_module_gaps)
	[[ ! -s $WORK/unsupported.jsonl ]] ||
		die "fixture ${OPT_FIXTURES[0]:-xfs-dax}: unsupported: $(jq -r .reason "$WORK/unsupported.jsonl")"
	guest_run shell
}
