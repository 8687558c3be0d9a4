# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB, GiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# nvdimm: QEMU NVDIMMs, each a file-backed DIMM with a label area,
# described to the guest by the ACPI NFIT (docs/BACKENDS.md, "nvdimm").
# The guest half (nvdimm.guest.sh) initialises the labels.

BACKEND_DESC["nvdimm"]="emulated NVDIMMs described by the ACPI NFIT, each a file"
BACKEND_RANK["nvdimm"]=2
BACKEND_GUEST_SECONDS["nvdimm"]=10
BACKEND_MODULES["nvdimm"]="nfit"
BACKEND_STEP["nvdimm"]=$((16 * MiB))
BACKEND_STEP_WHY["nvdimm"]="namespace alignment"
BACKEND_MIN["nvdimm"]=$((512 * MiB))
BACKEND_MAX["nvdimm"]=8
BACKEND_BACKING["nvdimm"]=""
BACKEND_QEMU_DEVICES["nvdimm"]="nvdimm"

# QEMU: usable NVDIMM size = ALIGN_DOWN(backend - label, align), so each
# file gets an extra 2 MiB and label + alignment leave the requested size.
readonly NVDIMM_LABEL=$((128 << 10)) NVDIMM_ALIGN=$((2 * MiB))

nvdimm_guest_ram() {
	guest_own_ram
}

nvdimm_files() {
	printf '%s\n' "$(($1 + $2 * NVDIMM_ALIGN))"
}

nvdimm_plan() {
	local work=$1 total=$2
	shift 2
	local ram files i=0 r backing
	ram=$(nvdimm_guest_ram "$total")
	files=$(nvdimm_files "$total" "$#")
	plan_check_files "$work" "$#" "$files" NVDIMM
	# The NVDIMMs on a NUMA node of their own, without CPUs or RAM, so
	# that the kmem fixture can online them as a separate memory tier.
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE,nvdimm=on" -m "$((ram / MiB))M,slots=$#,maxmem=$(((ram + files) / MiB))M"
		-object "memory-backend-ram,id=ram0,size=$((ram / MiB))M"
		-numa "node,nodeid=0,cpus=0-$((${PMEMLAB_GUEST_CPUS:-1} - 1)),memdev=ram0" -numa node,nodeid=1)
	# memory onlined by hand (daxctl), not by the kernel: 6.12 onlines
	# hot-added memory itself, and daxctl then refuses the device
	PLAN_APPEND+=(memhp_default_state=offline)
	for r in "$@"; do
		backing=${OPT_BACKING:-$work/nvdimm$i.img}
		PLAN_QEMU_ARGS+=(
			-object "memory-backend-file,id=nvmem$i,share=on,mem-path=$backing,size=$(((r + NVDIMM_ALIGN) / MiB))M,align=$((NVDIMM_ALIGN / MiB))M"
			-device "nvdimm,id=nvdimm$i,memdev=nvmem$i,label-size=$((NVDIMM_LABEL >> 10))K,node=1"
		)
		i=$((i + 1))
	done
	PLAN_SUMMARY="nvdimm: $# NVDIMM(s), $(human_size "$total") of NFIT PMem"
}
