# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# virtio-pmem: a virtio-pmem-pci device per region, each a file on the
# host, as microVMs (Firecracker, Cloud Hypervisor, Kata) give their
# guests. libnvdimm registers it as an asynchronous region: a guest flush
# is a virtio request that the host answers with an fsync of the file,
# so MAP_SYNC is refused (docs/BACKENDS.md, "virtio-pmem").

BACKEND_DESC["virtio-pmem"]="virtio-pmem-pci devices, each a file; flushes go to the host (no MAP_SYNC)"
BACKEND_RANK["virtio-pmem"]=3
BACKEND_GUEST_SECONDS["virtio-pmem"]=15
BACKEND_MODULES["virtio-pmem"]="virtio_pmem"
BACKEND_STEP["virtio-pmem"]=$((16 * MiB))
BACKEND_STEP_WHY["virtio-pmem"]="namespace alignment"
BACKEND_MIN["virtio-pmem"]=$((512 * MiB))
BACKEND_MAX["virtio-pmem"]=8
BACKEND_BACKING["virtio-pmem"]=""
BACKEND_QEMU_DEVICES["virtio-pmem"]="virtio-pmem-pci"

virtio_pmem_guest_ram() {
	guest_own_ram
}

virtio_pmem_files() {
	printf '%s\n' "$1"
}

virtio_pmem_plan() {
	local work=$1 total=$2
	shift 2
	local ram i=0 r backing
	ram=$(virtio_pmem_guest_ram "$total")
	plan_check_files "$work" "$#" "$total" virtio-pmem
	# the devices sit in the hotplug area above RAM: maxmem must hold them
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE" -m "$((ram / MiB))M,maxmem=$(((ram + total) / MiB))M")
	for r in "$@"; do
		backing=${OPT_BACKING:-$work/virtio-pmem$i.img}
		PLAN_QEMU_ARGS+=(
			-object "memory-backend-file,id=vpmem$i,share=on,mem-path=$backing,size=$((r / MiB))M"
			-device "virtio-pmem-pci,memdev=vpmem$i,id=vpmem-dev$i"
		)
		i=$((i + 1))
	done
	PLAN_SUMMARY="virtio-pmem: $# device(s), $(human_size "$total") of asynchronous PMem"
}
