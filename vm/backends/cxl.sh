# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB, GiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# cxl: a CXL type-3 memory device behind a CXL host bridge, its memory a
# file on the host, its label area (LSA) another. The guest half
# (cxl.guest.sh) turns it into a PMem region with `cxl create-region`
# (docs/BACKENDS.md, "cxl").

BACKEND_DESC["cxl"]="a CXL type-3 device (its memory a file) made a PMem region with cxl create-region"
BACKEND_RANK["cxl"]=4
BACKEND_MODULES["cxl"]="cxl_acpi cxl_pci cxl_mem cxl_pmem"
BACKEND_STEP["cxl"]=$((256 * MiB))
BACKEND_STEP_WHY["cxl"]="QEMU's cxl-type3 memory is mapped in 256 MiB HDM decoder granules"
BACKEND_MIN["cxl"]=$((512 * MiB))
# QEMU 7.2 emulates one HDM decoder per host bridge and device, so one
# host bridge holds one region (docs/KERNEL-NOTES.md, "CXL recipe").
BACKEND_MAX["cxl"]=1
# Measured, Debian 6.1.0-56 on QEMU 7.2: a region made at the next boot
# comes up disabled when the label area holds the last boot's namespace
# ("ndctl enable-region: failed to enable"), so kept data is not found.
BACKEND_BACKING["cxl"]="on Debian 6.1 a CXL region made at the next boot stays disabled when its label area holds the last boot's namespace, so kept data would not be found"

# The label area: namespaces live in labels there, as on NVDIMMs.
readonly CXL_LSA=$((128 << 10))
# The fixed memory window the host bridge decodes (CEDT CFMWS): at least
# the device, in 4 GiB steps as QEMU's examples use.
readonly CXL_WINDOW_STEP=$((4 * GiB))

cxl_guest_ram() {
	printf '%s\n' "$((GUEST_LOW_RAM + GUEST_SPARE_RAM))"
}

cxl_files() {
	printf '%s\n' "$(($1 + $2 * CXL_LSA))"
}

cxl_plan() {
	local work=$1 total=$2
	shift 2
	local ram memfile lsafile window
	ram=$(cxl_guest_ram "$total")
	check_disk_space "$work" "$(cxl_files "$total" "$#")" "CXL memory"
	memfile=$work/cxl0.img
	lsafile=$work/cxl0.lsa
	window=$(((total + CXL_WINDOW_STEP - 1) / CXL_WINDOW_STEP * CXL_WINDOW_STEP))
	# Two root ports although one device: with one, Linux 6.1 gives the
	# host bridge a pass-through decoder that QEMU 7.2 never commits, and
	# writes are dropped without an error (docs/KERNEL-NOTES.md).
	PLAN_QEMU_ARGS+=(
		-machine "$GUEST_MACHINE,cxl=on" -m "$((ram / MiB))M"
		-object "memory-backend-file,id=cxl-mem0,share=on,mem-path=$memfile,size=$((total / MiB))M"
		-object "memory-backend-file,id=cxl-lsa0,share=on,mem-path=$lsafile,size=$((CXL_LSA >> 10))K"
		-device pxb-cxl,id=cxl.0,bus=pcie.0,bus_nr=52
		-device cxl-rp,id=rp0,bus=cxl.0,chassis=0,slot=0,port=0
		-device cxl-type3,bus=rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0
		-M "cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=$((window / MiB))M"
	)
	# PMEMLAB_TEST_CXL_ONE_PORT=1 (a test seam): the one-port trap, to
	# show that the fixtures catch the dropped writes
	[[ ${PMEMLAB_TEST_CXL_ONE_PORT:-0} == 1 ]] ||
		PLAN_QEMU_ARGS+=(-device cxl-rp,id=rp1,bus=cxl.0,chassis=0,slot=1,port=1)
	PLAN_NEEDS_BIOS="SeaBIOS sets up the CXL host bridge's PCI bus; qboot leaves it bare"
	PLAN_SUMMARY="cxl: 1 type-3 device, $(human_size "$total") of CXL PMem"
}
