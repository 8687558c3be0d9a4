# shellcheck shell=bash
# pmemlab qemu: the QEMUs pmemlab keeps in its cache, beside the system's.
# `fetch` fills it at set-up (a CI runner may go offline after); `list`
# shows what is there.

# shellcheck source=vm/lib/qemu-fetch.sh
. "$PMEMLAB_ROOT/vm/lib/qemu-fetch.sh"

qemu_usage() {
	cat <<USAGE
usage: pmemlab qemu fetch [NAME...]
       pmemlab qemu list [--format text|json]

fetch   put Debian's QEMU NAME into the cache (default: backports, QEMU
        10.0 of bookworm-backports, with its firmware), through a private
        apt configuration: the host's apt and dpkg are never touched and
        no root is needed. Then '--qemu NAME' runs it, offline.
list    the QEMUs in the cache: name, version, Debian suite, binary
Exit status: 0 done, 2 bad usage, 3 a QEMU could not be fetched or run.
USAGE
}

cmd_qemu() {
	local verb=${1:-} names=() format=text
	(($#)) && shift
	case $verb in
	fetch)
		while (($#)); do
			case $1 in
			-q | --quiet) OPT_QUIET=1 ;;
			-*) usage_die "qemu fetch: unknown option '$1'" ;;
			*) names+=("$1") ;;
			esac
			shift
		done
		((${#names[@]})) || names=(backports)
		local name
		for name in "${names[@]}"; do
			[[ -n ${QEMU_FETCHABLE[$name]:-} ]] || usage_die "qemu fetch: unknown QEMU '$name': choose ${!QEMU_FETCHABLE[*]}"
		done
		for name in "${names[@]}"; do qemu_fetch "$name"; done
		;;
	list)
		while (($#)); do
			case $1 in
			--format)
				(($# >= 2)) || usage_die "option --format needs a value"
				format=$2
				shift
				;;
			*) usage_die "qemu list: unknown option '$1'" ;;
			esac
			shift
		done
		format_check "$format"
		if [[ $format == json ]]; then
			qemu_list | jq -R -n '[inputs | split("\t") | {name: .[0], version: .[1], suite: .[2], binary: .[3]}]'
		else
			{
				printf 'NAME\tVERSION\tSUITE\tBINARY\n'
				qemu_list
			} | align_columns
		fi
		;;
	-h | --help) qemu_usage ;;
	'') usage_die "qemu: say fetch or list" ;;
	*) usage_die "qemu: unknown verb '$verb': say fetch or list" ;;
	esac
}
