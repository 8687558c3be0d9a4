# shellcheck shell=bash
# `pmemlab host`: the machine's own persistent memory, surveyed through
# libnvdimm's sysfs. Looks, never changes anything; the command decides.
#
# host_regions lists "REGION<TAB>SIZE<TAB>STATE<TAB>WHY" for every PMem
# region: STATE is unused (no namespace holds any of it), configured
# (namespaces, none in use: only touched when named) or busy (a
# namespace is mounted, or onlined as System RAM: never touched).

[[ -z ${_pmemlab_loaded_host:-} ]] || return 0
_pmemlab_loaded_host=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"

# The sysfs root: a test seam, like pmemprobe --sysfs.
HOST_SYSFS=${PMEMLAB_TEST_SYSFS:-/sys}

host_regions() {
	local r name size busy configured ns dev mounts
	mounts=$(cat /proc/mounts 2>/dev/null)
	for r in "$HOST_SYSFS"/bus/nd/devices/region*; do
		[[ -e $r/nstype ]] || continue # not a PMem region (e.g. BLK)
		name=${r##*/}
		size=$(<"$r/size")
		busy='' configured=''
		for ns in "$r"/namespace*.*; do
			[[ -e $ns/size ]] || continue
			(($(<"$ns/size") > 0)) || continue
			configured+="${ns##*/} "
			for dev in "$ns"/block/* "$ns"/pfn*/block/* "$ns"/btt*/block/*; do
				[[ -e $dev ]] || continue
				[[ $mounts != *"/dev/${dev##*/} "* ]] || busy+="/dev/${dev##*/} is mounted; "
			done
		done
		for dev in "$HOST_SYSFS"/bus/dax/devices/dax*; do
			[[ -e $dev/driver && $(readlink -f "$dev/driver") == */kmem ]] || continue
			[[ $(readlink -f "$dev") == "$(readlink -f "$r")"/* ]] || continue
			busy+="${dev##*/} is onlined as System RAM (kmem); "
		done
		if [[ -n $busy ]]; then
			printf '%s\t%s\tbusy\t%s\n' "$name" "$size" "${busy%; }"
		elif [[ -n $configured ]]; then
			printf '%s\t%s\tconfigured\tholds namespace(s) %s\n' "$name" "$size" "${configured% }"
		else
			printf '%s\t%s\tunused\t\n' "$name" "$size"
		fi
	done
}
