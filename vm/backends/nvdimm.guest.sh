# shellcheck shell=sh
# nvdimm, guest half (busybox sh): QEMU NVDIMMs with a label area start
# with uninitialised labels and a raw namespace that cannot be
# reconfigured; backend_bringup initialises them.

# backend_bringup: called once by fixtures/lib.sh before the first
# namespace is made.
backend_bringup() {
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r/mapping0" ] || continue
		init_region_labels "${r##*/}" || return 1
	done
}

init_region_labels() {
	region=$1
	# mappingN is "nmemX,offset,length,position" (mappings is a count)
	dimms=$(cat /sys/bus/nd/devices/"$region"/mapping[0-9]* | cut -d, -f1)
	has_labels=0
	for d in $dimms; do
		[ "$(cat "/sys/bus/nd/devices/$d/available_slots" 2>/dev/null || echo 0)" -gt 0 ] && has_labels=1
	done
	[ "$has_labels" = 1 ] || return 0
	# a namespace with a uuid lives in labels already (a --backing file)
	for n in /sys/bus/nd/devices/"$region"/namespace*.*; do
		u=$(cat "$n/uuid" 2>/dev/null) || continue
		case $u in '' | 00000000-0000-0000-0000-000000000000) ;; *) return 0 ;; esac
	done
	$NDCTL disable-region "$region" >&2 || {
		echo "ndctl disable-region $region failed" >&2
		return 1
	}
	for d in $dimms; do
		$NDCTL init-labels -f "$d" >&2 || {
			echo "ndctl init-labels -f $d failed" >&2
			return 1
		}
	done
	$NDCTL enable-region "$region" >&2 || {
		echo "ndctl enable-region $region failed" >&2
		return 1
	}
}
