# shellcheck shell=sh
# cxl, guest half (busybox sh): wait for the CXL drivers to find the
# type-3 devices, then make each one's memory a PMem region. A step that
# fails says which one and why; fixtures/lib.sh turns that into the run's
# error.

: "${CXL:=/usr/bin/cxl}"
# A misprogrammed decoder drops writes without an error: every probe
# file is read back from the device (fixtures/lib.sh).
# shellcheck disable=SC2034 # read by fixtures/lib.sh
BACKEND_REREAD=1

# cxl_poll CHECK [ARG...]: run CHECK until it succeeds; the drivers
# probe asynchronously, so give them 10 s (then 1, for the caller to say
# what did not happen).
cxl_poll() {
	i=0
	until "$@"; do
		[ $i -lt 100 ] || return 1
		i=$((i + 1))
		sleep 0.1
	done
}

# cxl_wait PATH WHAT: PATH appears within 10 s.
cxl_wait() {
	cxl_poll [ -e "$1" ] || {
		echo "cxl: $2 did not appear in 10 s ($1)" >&2
		return 1
	}
}

backend_bringup() {
	[ -d /sys/bus/cxl ] || {
		echo "cxl: no /sys/bus/cxl (cxl_core missing: CONFIG_CXL_BUS)" >&2
		return 1
	}
	cxl_wait /sys/bus/cxl/devices/decoder0.0 "the root decoder of the CXL window (cxl_acpi, CEDT)" || return 1
	if ! cxl_wait /sys/bus/cxl/devices/mem0 "the memory device mem0 (cxl_pci, cxl_mem)"; then
		# Measured with Debian 6.12 on QEMU 7.2: cxl_pci wants an interrupt
		# for the device's event logs, which 7.2's cxl-type3 lacks (QEMU's
		# CXL event support is newer), and gives the device up.
		log=$(dmesg)
		case $log in
		*'Failed to get interrupt for event'*)
			line=$(printf '%s\n' "$log" | awk '/cxl_pci .*Failed to get interrupt for event/ { sub(/^\[[^]]*\] /, ""); print; exit }')
			echo "unsupported by this kernel on this QEMU: cxl_pci needs event-log interrupts that this QEMU's cxl-type3 device does not offer ($line); a newer QEMU is needed" >&2
			return 2
			;;
		esac
		return 1
	fi
	cxl_wait /sys/bus/cxl/devices/nvdimm-bridge0 "the nvdimm bridge (cxl_pmem)" || return 1
	# Linux 6.1 does not assemble a region from an earlier boot: make each
	# anew. Its libnvdimm region finds the namespace the label area holds
	# (--backing), as the device's serial keeps the label cookie valid.
	# Each root decoder is one window, routed to one host bridge with one
	# device behind it (vm/backends/cxl.sh).
	n=0
	for d in /sys/bus/cxl/devices/decoder0.*; do
		cxl_region "${d##*/}" || return 1
		n=$((n + 1))
	done
	cxl_wait_nd_regions "$n" || return 1
	# --backing: the namespace in the labels is probed asynchronously (its
	# fsdax or devdax part took 0.7 s under TCG); reading wait_probe
	# returns once libnvdimm has probed everything queued
	cat /sys/bus/nd/devices/ndbus*/wait_probe >/dev/null
	# labels the kernel rejects leave the region without a driver
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r/driver" ] || {
			echo "cxl: libnvdimm region ${r##*/} stays disabled: the kernel rejected the namespace labels in its label area" >&2
			return 1
		}
	done
}

# cxl_region DECODER: a PMem region of the device behind the host bridge
# that root decoder DECODER routes to.
cxl_region() {
	mem=$(cxl_memdev "$1") || return 1
	if ! out=$($CXL create-region -t pmem -d "$1" -m "$mem" 2>&1); then
		echo "cxl create-region -t pmem -d $1 -m $mem failed: $(printf '%s\n' "$out" | tail -n 3 | tr '\n' ' ')" >&2
		return 1
	fi
}

# cxl_memdev DECODER: the memory device under DECODER's one target, the
# host bridge root0 names dportID (ID in DECODER's target_list): the
# device's sysfs path lies under the bridge's PCI host. Linux 6.1's
# dportID is the bridge's ACPI device, its PCI host in physical_node;
# 6.12's dportID links straight to the PCI host (pci0000:34).
cxl_memdev() {
	read -r id <"/sys/bus/cxl/devices/$1/target_list"
	dport=/sys/bus/cxl/devices/root0/dport$id
	if [ -e "$dport/physical_node" ]; then
		host=$(readlink -f "$dport/physical_node")
	else
		host=$(readlink -f "$dport")
	fi
	case ${host##*/} in pci*) ;; *)
		echo "cxl: root decoder $1 routes to dport$id, which is no PCI host bridge (${host:-a dangling link}; neither it nor its physical_node is pciDDDD:BB)" >&2
		return 1
		;;
	esac
	cxl_poll memdev_under "$host" || {
		echo "cxl: no memory device behind host bridge ${host##*/} (root decoder $1) in 10 s" >&2
		return 1
	}
	echo "$MEMDEV"
}

# memdev_under HOST: MEMDEV, the memory device whose sysfs path lies
# under HOST, if one has appeared.
memdev_under() {
	for m in /sys/bus/cxl/devices/mem*; do
		case $(readlink -f "$m") in "$1"/*)
			MEMDEV=${m##*/}
			return 0
			;;
		esac
	done
	return 1
}

# cxl_wait_nd_regions N: the libnvdimm regions that follow the CXL ones.
cxl_wait_nd_regions() {
	cxl_poll nd_regions_at_least "$1" || {
		echo "cxl: $1 region(s) created, but $have libnvdimm region(s) appeared in 10 s" >&2
		return 1
	}
}

# nd_regions_at_least N: are there N libnvdimm regions? (counted in have)
nd_regions_at_least() {
	have=0
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r/nstype" ] && have=$((have + 1))
	done
	[ "$have" -ge "$1" ]
}
