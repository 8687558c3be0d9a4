# shellcheck shell=bash
# pmemlab kernel: the guest kernels in the cache. `fetch` fills it at
# set-up (a CI runner may go offline after), `update` asks apt again what
# the default and the flavours point at, `list` shows what is there.
# Runs never ask apt when the cache can answer (vm/lib/kernel.sh).

# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"

kernel_usage() {
	cat <<USAGE
usage: pmemlab kernel fetch [K...]
       pmemlab kernel update [K...]
       pmemlab kernel list [--format text|json]

fetch   download each kernel K into the cache (default: 'default'), so that
        later runs need neither apt nor the network
update  forget what 'default', 'cloud' and 'rt' resolved to, ask apt again
        (as root, after 'apt-get update'), and fetch the kernel it names
list    the kernels in the cache, and what each name resolves to

K is what --kernel takes: default, cloud, rt, backports, trixie (or any
Debian suite, SUITE:cloud, SUITE:rt), a Debian version (6.1.0-28-amd64,
6.12.117+deb13), a package name, package files (FILE.deb, FILE.rpm,
FILE.pkg.tar.zst, comma-separated for a set), or a built kernel tree (DIR). On an Ubuntu host, default
is Ubuntu's linux-image-generic, and a release (6.8.0-49-generic) or
linux-image-* is Ubuntu's, from the host's apt. Exit status: 0 done,
2 bad usage, 3 a kernel could not be resolved or downloaded.
USAGE
}

cmd_kernel() {
	local verb=${1:-}
	(($#)) && shift
	case $verb in
	fetch) kernel_cmd_fetch "$@" ;;
	update) kernel_cmd_update "$@" ;;
	list) kernel_cmd_list "$@" ;;
	-h | --help) kernel_usage ;;
	'') usage_die "kernel: say fetch, update or list" ;;
	*) usage_die "kernel: unknown verb '$verb': say fetch, update or list" ;;
	esac
}

# kernel_cmd_specs K...: KERNEL_SPECS, the specs to act on (default:
# 'default'); a path (a user's bzImage) is not a cache matter.
kernel_cmd_specs() {
	local spec
	for spec in "$@"; do
		case $spec in
		-q | --quiet) OPT_QUIET=1 ;;
		-h | --help)
			kernel_usage
			exit 0
			;;
		-*) usage_die "kernel: unknown option '$spec'" ;;
		*)
			[[ $(kernel_source_of "$spec") != image ]] ||
				usage_die "kernel: '$spec' is a path: a bzImage is used where it is, not cached"
			KERNEL_SPECS+=("$spec")
			;;
		esac
	done
	((${#KERNEL_SPECS[@]})) || KERNEL_SPECS=(default)
}

kernel_cmd_fetch() {
	local spec KERNEL_SPECS=()
	kernel_cmd_specs "$@"
	for spec in "${KERNEL_SPECS[@]}"; do
		kernel_resolve "$spec"
		printf '%s\t%s\t%s\n' "$spec" "$KERNEL_VERSION" "$KERNEL_IMAGE"
	done
}

# The names whose answer apt gives: forget it, refresh apt's lists (as
# root), and resolve again.
kernel_cmd_update() {
	local spec meta old new suite KERNEL_SPECS=()
	if (($#)); then
		kernel_cmd_specs "$@"
	elif [[ $(kernel_source_default) == ubuntu ]]; then
		KERNEL_SPECS=(default)
	else
		KERNEL_SPECS=(default cloud rt)
	fi
	if ((EUID == 0)); then
		cache_lock apt
		apt_update "pmemlab kernel update"
		cache_unlock
	else
		log "not root: apt's lists stay as they are (run 'sudo apt-get update' for the newest kernels)"
	fi
	for spec in "${KERNEL_SPECS[@]}"; do
		# another suite's lists (backports, trixie) are the cache's own
		if suite=$(debian_spec_suite "$spec"); then
			debian_archive_update "$suite"
			kernel_resolve "$spec"
			printf '%s\t%s\n' "$spec" "$KERNEL_VERSION"
			continue
		fi
		# the meta package the spec's source reads (ubuntu: linux-image-generic)
		if [[ $(kernel_source_of "$spec") == ubuntu ]]; then
			meta=$(ubuntu_spec_meta "$spec") || meta=
		else
			meta=$(kernel_spec_meta "$spec") || meta=
		fi
		[[ -n $meta ]] || {
			kernel_resolve "$spec"
			printf '%s\t%s\n' "$spec" "$KERNEL_VERSION"
			continue
		}
		old=$(cat "$(kernel_meta_record "$meta")" 2>/dev/null) || old=
		rm -f "$(kernel_meta_record "$meta")"
		kernel_resolve "$spec"
		new=linux-image-$KERNEL_VERSION
		if [[ -z $old || $old == "$new" ]]; then
			printf '%s\t%s\n' "$spec" "$KERNEL_VERSION"
		else
			printf '%s\t%s (was %s)\n' "$spec" "$KERNEL_VERSION" "${old#linux-image-}"
		fi
	done
}

kernel_cmd_list() {
	local format=text cache meta record dir json
	case ${1:-} in
	'') ;;
	--format)
		format=${2:-}
		format_check "$format"
		;;
	*) usage_die "kernel list: unknown option '$1'" ;;
	esac
	cache=$(cache_path)
	json=$(
		for record in "$cache"/kernels/*.target; do
			[[ -f $record ]] || continue
			meta=${record##*/}
			jq -n -c --arg meta "${meta%.target}" --arg target "$(<"$record")" \
				'{name: $meta, resolves_to: ($target | ltrimstr("linux-image-"))}'
		done | jq -s -c .
	)
	json=$(jq -c --argjson names "$json" '{names: $names, kernels: .}' < <(
		for dir in "$cache"/kernels/*/; do
			[[ -e $dir/.complete ]] || continue
			dir=${dir%/}
			# the source's own line, when it kept one (ubuntu: .origin)
			jq -n -c --arg v "${dir##*/}" --arg path "$dir" --argjson bytes "$(du -sb "$dir" | cut -f1)" \
				--arg origin "$(cat "$dir/.origin" 2>/dev/null)" \
				'{version: $v, path: $path, bytes: $bytes, origin: (if $origin == "" then null else $origin end)}'
		done | jq -s -c .
	))
	if [[ $format == json ]]; then
		jq . <<<"$json"
		return
	fi
	jq -r '(.kernels[] | "\(.version)\t\(.bytes / 1048576 | floor) MiB\t\(.path)\(if .origin then "\t" + .origin else "" end)"),
		(.names[] | "\(.name)\t-> \(.resolves_to)")' <<<"$json" | align_columns
	[[ $(jq '.kernels | length' <<<"$json") != 0 ]] || log "no kernel in $cache/kernels: 'pmemlab kernel fetch' downloads the default"
}
