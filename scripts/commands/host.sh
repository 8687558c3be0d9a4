# shellcheck shell=bash
# pmemlab host: the same fixtures and probe as `run`, on this machine's
# own persistent memory (real NVDIMMs, CXL memory, a GRUB memmap=), with
# the same table, JSON and exit codes. It reformats what it uses, so it
# needs root and --yes, and it only takes a region the user names or one
# nothing is configured on, never one with a mounted namespace.

# shellcheck source=scripts/lib/host.sh
. "$PMEMLAB_ROOT/scripts/lib/host.sh"
# shellcheck source=scripts/lib/report.sh
. "$PMEMLAB_ROOT/scripts/lib/report.sh"
# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"
# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"

host_usage() {
	cat <<USAGE
usage: pmemlab host [OPTIONS]

Build the fixtures on this machine's own persistent memory and probe each,
as 'pmemlab run' does in a guest: the same table, JSON and exit status
(0 every placement as expected, 1 one was not, 2 bad usage or no --yes,
3 no usable persistent memory or a set-up failure).

It destroys the data on the region it uses (namespaces are reconfigured and
formatted), so it needs root and --yes. Without --region it takes the first
region that holds no namespace; a region with a mounted namespace, or one
onlined as System RAM, is never touched. The plain-disk controls use a
512 MiB loop file.

options:
  --yes                     really do it (without: say what would be done, exit 2)
  --region NAME             the libnvdimm region to use (regionN, 'ndctl list -R')
  --fixture NAME|PATH       only this fixture (repeatable): a name or your fixture file
  --fixture-opt KEY=VALUE   setup options for the fsdax and devdax fixtures, as for run
  --format text|json        the table, or one JSON document (docs/RESULTS.md)
  -q, --quiet               no progress lines
USAGE
}

cmd_host() {
	local yes=0 region=''
	OPT_FORMAT=text OPT_FIXTURES=() OPT_FIXTURE_OPTS=()
	while (($#)); do
		case $1 in
		-h | --help)
			host_usage
			return 0
			;;
		--yes)
			yes=1
			shift
			;;
		-q | --quiet)
			OPT_QUIET=1
			shift
			;;
		--region | --fixture | --fixture-opt | --format)
			(($# >= 2)) || usage_die "option $1 needs a value"
			case $1 in
			--region) region=$2 ;;
			--fixture) OPT_FIXTURES+=("$2") ;;
			--fixture-opt) OPT_FIXTURE_OPTS+=("$2") ;;
			--format) OPT_FORMAT=$2 ;;
			esac
			shift 2
			;;
		*) usage_die "host: unknown option '$1'" ;;
		esac
	done
	format_check "$OPT_FORMAT"
	fixture_check "${OPT_FIXTURES[@]}"
	local kv
	for kv in "${OPT_FIXTURE_OPTS[@]}"; do fixture_opt_check "$kv"; done
	[[ -z $region || $region =~ ^region[0-9]+$ ]] || usage_die "invalid region '$region': give regionN as 'ndctl list -R' names it"

	local survey chosen='' size='' line name rsize state why
	host_load_region_drivers
	survey=$(host_regions)
	[[ -n $survey ]] ||
		die "no persistent memory on this machine: $HOST_SYSFS/bus/nd has no PMem region (no NVDIMM, CXL PMem region or memmap= range, or libnvdimm not loaded)"
	while IFS=$'\t' read -r name rsize state why; do
		if [[ -n $region ]]; then
			[[ $name == "$region" ]] || {
				step "skipping $name: not the one named"
				continue
			}
			[[ $state != busy ]] || usage_die "$name is in use: $why; pmemlab host never touches it"
		elif [[ $state != unused || -n $chosen ]]; then
			step "skipping $name: ${why:-another region was chosen}"
			continue
		fi
		chosen=$name size=$rsize
	done <<<"$survey"
	[[ -n $chosen ]] || {
		[[ -z $region ]] || usage_die "no region $region on this machine ('ndctl list -R')"
		DIE_STATUS=$EX_RUNTIME die "no unused persistent memory region: name one with --region (its data will be destroyed)"
	}
	local fixtures=("${OPT_FIXTURES[@]}")
	# no process substitution: /dev/fd may be missing (a chroot)
	((${#fixtures[@]})) || mapfile -t fixtures <<<"$(fixture_names)"
	if ((!yes)); then
		log "would destroy the data on $chosen ($(human_size "$size")): reconfigure its namespaces and format them for ${fixtures[*]}"
		log "and use a 512 MiB loop file for the plain-disk controls; run again with --yes to do it"
		return "$EX_USAGE"
	fi
	((EUID == 0)) || DIE_STATUS=$EX_RUNTIME die "pmemlab host needs root (namespaces, mkfs, mount): sudo $PMEMLAB_ROOT/scripts/pmemlab host --yes ..."
	host_run "$chosen" "$size" "${fixtures[@]}"
}

# host_load_region_drivers: the drivers that make PMem regions appear
# (memmap=, ACPI NFIT, virtio-pmem, CXL), loaded before the survey says
# there is none: a machine whose drivers are modules shows no region
# until they load. As root only; one the kernel lacks is skipped.
readonly HOST_REGION_DRIVERS=(nd_e820 nfit virtio_pmem cxl_acpi cxl_pci cxl_mem cxl_pmem nd_pmem)
host_load_region_drivers() {
	local mod loaded=()
	((EUID == 0)) && command -v modprobe >/dev/null || return 0
	for mod in "${HOST_REGION_DRIVERS[@]}"; do
		[[ ! -d /sys/module/$mod ]] || continue
		modprobe -q "$mod" 2>/dev/null && [[ -d /sys/module/$mod ]] && loaded+=("$mod")
	done
	((${#loaded[@]} == 0)) || step "loaded region drivers: ${loaded[*]}"
}

# host_load_modules FIXTURE...: modprobe the fixtures' FIXTURE_MODULES
# that are not loaded yet (nd_btt, dax_pmem, kmem, ...), so a fixture
# skips only when this kernel really lacks one. A module modprobe cannot
# find is left to the fixture's own check, which names it.
host_load_modules() {
	local mod loaded=()
	command -v modprobe >/dev/null || return 0
	while read -r mod; do
		[[ -n $mod && ! -d /sys/module/$mod ]] || continue
		# a built-in one succeeds too, but has no /sys/module to show for it
		modprobe -q "$mod" 2>/dev/null && [[ -d /sys/module/$mod ]] && loaded+=("$mod")
	done <<<"$(fixture_modules "$@")"
	((${#loaded[@]} == 0)) || step "loaded modules: ${loaded[*]}"
}

# host_run REGION SIZE FIXTURE...: fixtures/run on REGION, the report.
host_run() {
	local region=$1 size=$2
	shift 2
	local state plain loop='' t0 probe
	probe=${PMEMPROBE_BIN:-$PMEMLAB_ROOT/build/pmemprobe}
	[[ -x $probe ]] || die "pmemprobe not found at $probe (run 'make' in $PMEMLAB_ROOT)"
	state=$(mktemp -d "${TMPDIR:-/tmp}/pmemlab-host.XXXXXX") || die "cannot create a state directory"
	HOST_STATE=$state HOST_LOOP=''
	trap 'host_cleanup' EXIT
	trap 'log "interrupted"; exit 130' INT
	trap 'log "terminated"; exit 143' TERM
	plain=$state/plain.img
	truncate -s 512M "$plain" || die "cannot create $plain"
	loop=$(losetup --find --show "$plain") || die "losetup failed for $plain (no loop device?)"
	HOST_LOOP=$loop
	host_load_modules "$@"
	step "using $region ($(human_size "$size")) and $loop for the controls"
	# the plan, with the files' own expectations; user files run from where they are
	fixture_plan "$state" host "$(printf '%s\n' "${OPT_FIXTURE_OPTS[@]}")" "$@"
	sed -i "s|\t/pmemlab/fixtures/|\t$PMEMLAB_ROOT/fixtures/|; s|\t/pmemlab/user/|\t$state/fixtures/|" "$state/plan.tsv"
	t0=$(now_ms)
	(
		unset PMEMLAB_BACKEND
		export PMEMLAB_STATE=$state PMEMLAB_REGION=$region PMEMLAB_PLAIN_DISK=$loop PMEMPROBE=$probe
		sh "$PMEMLAB_ROOT/fixtures/run" --destroy-pmem-data "$state/plan.tsv"
	) >"$state/results.jsonl"
	printf '{"type":"guest","kernel":"%s","modules_failed":[],"pmem_iomem":[]}\n{"type":"done"}\n' "$(uname -r)" >>"$state/results.jsonl"
	OPT_BACKEND=host OPT_SIZE=$(human_size "$size") KERNEL_DESC="$(uname -r) (this machine)"
	KERNEL_ORIGIN="this machine's running kernel"
	ACCEL=none ACCEL_REASON="the machine itself" GUEST_SECONDS=$(elapsed_since "$t0") INITRAMFS_SECONDS=0
	local json
	json=$(report_json "$state/results.jsonl" "$state/plan.json")
	report_print "$json"
	[[ $(jq -r .ok <<<"$json") == true ]] || return "$EX_FAIL"
}

host_cleanup() {
	local status=$?
	trap - EXIT INT TERM
	[[ -z ${HOST_STATE:-} ]] || umount "$HOST_STATE"/mnt/* 2>/dev/null || :
	[[ -z ${HOST_LOOP:-} ]] || losetup -d "$HOST_LOOP" 2>/dev/null || :
	[[ -z ${HOST_STATE:-} ]] || rm -rf "$HOST_STATE"
	exit "$status"
}
