# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB, GiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# cxl: a CXL type-3 memory device behind a CXL host bridge, its memory a
# file on the host, its label area (LSA) another (with --backing FILE:
# FILE and FILE.lsa). The guest half (cxl.guest.sh) turns it into a PMem
# region with `cxl create-region` (docs/BACKENDS.md, "cxl").

BACKEND_DESC["cxl"]="a CXL type-3 device (its memory a file) made a PMem region with cxl create-region"
BACKEND_RANK["cxl"]=4
BACKEND_MODULES["cxl"]="cxl_acpi cxl_pci cxl_mem cxl_pmem"
BACKEND_STEP["cxl"]=$((256 * MiB))
BACKEND_STEP_WHY["cxl"]="QEMU's cxl-type3 memory is mapped in 256 MiB HDM decoder granules"
BACKEND_MIN["cxl"]=$((512 * MiB))
# QEMU 7.2 emulates one HDM decoder per host bridge and device, so one
# host bridge holds one region (docs/KERNEL-NOTES.md, "CXL recipe").
BACKEND_MAX["cxl"]=1
BACKEND_BACKING["cxl"]=""

# The label area: namespaces live in labels there, as on NVDIMMs.
readonly CXL_LSA=$((128 << 10))
# The device's serial number. QEMU gives none by default, and Linux 6.1
# computes the region's interleave-set cookie from serial and DPA offset:
# 0 and 0 give cookie 0, and 6.1 then rejects the labels of the last
# boot's namespace (the region stays disabled, "invalid
# interleave-set-cookie"). A fixed serial keeps the cookie the same at
# every boot (docs/KERNEL-NOTES.md, "CXL recipe").
readonly CXL_SERIAL=1
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
	local ram memfile=$work/cxl0.img lsafile=$work/cxl0.lsa window
	ram=$(cxl_guest_ram "$total")
	if [[ -n ${OPT_BACKING:-} ]]; then
		memfile=$OPT_BACKING lsafile=$OPT_BACKING.lsa
		cxl_backing_pair "$memfile" "$lsafile"
		check_backing_file "$memfile" "$#" "$total" "CXL device"
		cxl_backing_lsa "$lsafile"
	else
		check_disk_space "$work" "$(cxl_files "$total" "$#")" "CXL memory"
	fi
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
		-device "cxl-type3,bus=rp0,memdev=cxl-mem0,lsa=cxl-lsa0,id=cxl-pmem0,sn=$CXL_SERIAL"
		-M "cxl-fmw.0.targets.0=cxl.0,cxl-fmw.0.size=$((window / MiB))M"
	)
	# PMEMLAB_TEST_CXL_ONE_PORT=1 (a test seam): the one-port trap, to
	# show that the fixtures catch the dropped writes
	[[ ${PMEMLAB_TEST_CXL_ONE_PORT:-0} == 1 ]] ||
		PLAN_QEMU_ARGS+=(-device cxl-rp,id=rp1,bus=cxl.0,chassis=0,slot=1,port=1)
	PLAN_NEEDS_BIOS="SeaBIOS sets up the CXL host bridge's PCI bus; qboot leaves it bare"
	PLAN_SUMMARY="cxl: 1 type-3 device, $(human_size "$total") of CXL PMem"
}

# cxl_backing_pair FILE LSA: the memory and its label area go together.
# The namespace lives in the labels: memory without them is found blank
# (and formatted anew), labels without their memory describe no data.
cxl_backing_pair() {
	local file=$1 lsa=$2
	[[ -e $file || ! -e $lsa ]] ||
		usage_die "--backing '$file' does not exist, but its label area '$lsa' does: move it away or give the FILE it belongs to"
	[[ ! -e $file || -e $lsa ]] ||
		usage_die "--backing '$file' exists, but its label area '$lsa' does not: without it the namespace and its data are lost"
}

# cxl_backing_lsa LSA: an existing label area must have the size QEMU
# gives it; a missing one is created private before QEMU opens it.
cxl_backing_lsa() {
	local lsa=$1 have
	if [[ -e $lsa ]]; then
		[[ -f $lsa && -r $lsa && -w $lsa ]] || usage_die "--backing label area '$lsa' is not a readable and writable regular file"
		have=$(stat -c %s "$lsa")
		((have == CXL_LSA)) ||
			usage_die "--backing label area '$lsa' holds $(human_size "$have"), not the $(human_size "$CXL_LSA") of a CXL label area"
	else
		(umask 077 && : >"$lsa") || die "cannot create --backing label area '$lsa'"
	fi
}
