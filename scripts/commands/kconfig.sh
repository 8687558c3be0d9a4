# shellcheck shell=bash
# pmemlab kconfig: read a kernel's config and say, per backend, fixture
# and command, whether that kernel can support it, and why not.

# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"
# shellcheck source=vm/lib/kconfig.sh
. "$PMEMLAB_ROOT/vm/lib/kconfig.sh"

kconfig_usage() {
	cat <<USAGE
usage: pmemlab kconfig [OPTIONS] [CONFIG|KERNEL]

Read a kernel config and say, per backend, fixture and
command, whether that kernel can support it, with each option's y/m/n and
the reason. CONFIG is a .config, /boot/config-*, a config.gz (/proc/config.gz)
or a bzImage; KERNEL is what --kernel takes (default: Debian's
linux-image-amd64), whose config is found in /boot, in the cached package or
in the image itself (CONFIG_IKCONFIG). =m options count only when the module
is in the kernel's modules tree (or its modules.builtin).
Exit status: 0 the config was read (whatever it supports), 2 bad usage,
3 no config could be found or read. See docs/KCONFIG.md.

options:
  --config FILE         the config to read (same as CONFIG)
  --kernel K            a Debian kernel version (6.1.0-28-amd64), flavour (cloud, rt),
                        package name, kernel tree DIR or bzImage path (same as KERNEL)
  --modules DIR         the modules tree for =m checks: DIR/lib/modules/RELEASE,
                        or lib/modules/RELEASE itself
  --format text|json    tables, or one JSON document
  -q, --quiet           no progress lines (kernel downloads)
USAGE
}

cmd_kconfig() {
	local format=text config='' kernel='' modules='' positional=() set_by=()
	while (($#)); do
		case $1 in
		-h | --help)
			kconfig_usage
			return 0
			;;
		--config | --kernel | --modules | --format)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in
			--config) config=$2 set_by+=(--config) ;;
			--kernel) kernel=$2 set_by+=(--kernel) ;;
			--modules) modules=$2 ;;
			--format) format=$2 ;;
			esac
			shift 2
			;;
		-q | --quiet)
			OPT_QUIET=1
			shift
			;;
		--)
			shift
			positional+=("$@")
			break
			;;
		-*) usage_die "kconfig: unknown option '$1'" ;;
		*)
			positional+=("$1")
			set_by+=("'$1'")
			shift
			;;
		esac
	done
	((${#positional[@]} <= 1)) || usage_die "kconfig: one config or kernel at a time (got ${#positional[@]})"
	((${#set_by[@]} <= 1)) || usage_die "kconfig: ${set_by[*]} name more than one config or kernel"
	format_check "$format"
	[[ -z $modules || -d $modules ]] || usage_die "--modules '$modules' is not a directory"
	[[ -z $modules ]] || OPT_MODULES=$modules

	KCONFIG_TMP=''
	local arg=${positional[0]:-}
	if [[ -n $config ]]; then
		kconfig_locate_path "$config"
	elif [[ -n $kernel ]]; then
		kconfig_locate_kernel "$kernel"
	elif [[ -n $arg && (-e $arg || $arg == */*) ]]; then
		kconfig_locate_path "$arg"
	else
		kconfig_locate_kernel "${arg:-${PMEMLAB_KERNEL:-}}"
	fi
	[[ -z $modules ]] || kconfig_use_modules "$modules"

	local json
	json=$(kconfig_json_cached)
	if [[ $format == json ]]; then
		printf '%s\n' "$json"
	else
		kconfig_text <<<"$json"
	fi
}
