# shellcheck shell=bash disable=SC2154,SC2034 # (SC2034: its BACKEND_* entries are read by vm/lib/backends.sh) SC2154: MiB, GiB and the BACKEND_* arrays: vm/lib/backends.sh, which sources this file
# cxl: CXL type-3 memory devices, one per --size, each behind a CXL host
# bridge of its own, its memory a file on the host, its label area (LSA)
# another (with --backing FILE, one device: FILE and FILE.lsa). The guest
# half (cxl.guest.sh) turns each into a PMem region with `cxl
# create-region` (docs/BACKENDS.md, "cxl").

BACKEND_DESC["cxl"]="CXL type-3 devices (each a file) made PMem regions with cxl create-region"
BACKEND_RANK["cxl"]=4
BACKEND_GUEST_SECONDS["cxl"]=28
BACKEND_MODULES["cxl"]="cxl_acpi cxl_pci cxl_mem cxl_pmem"
BACKEND_STEP["cxl"]=$((256 * MiB))
BACKEND_STEP_WHY["cxl"]="QEMU's cxl-type3 memory is mapped in 256 MiB HDM decoder granules"
BACKEND_MIN["cxl"]=$((512 * MiB))
# QEMU 7.2 emulates one HDM decoder per host bridge and device, so each
# device gets a host bridge and a window of its own (cxl_plan). 4 such
# devices were measured to work on Linux 6.1; more were not tried.
BACKEND_MAX["cxl"]=4
BACKEND_BACKING["cxl"]=""
BACKEND_QEMU_DEVICES["cxl"]="pxb-cxl cxl-rp cxl-type3"
# What cxl_emulator checks against the QEMU that runs, for kconfig.
BACKEND_EMULATOR_NEEDS["cxl"]="6.3	CXL event interrupts, QEMU >= 8.1 (cxl_pci gives up a device without them; --qemu backports has them)
6.2	a CPU without the hypervisor bit (only then does Linux commit a CXL region): pmemlab hides it under TCG; under KVM cxl is unsupported"

# The label area: namespaces live in labels there, as on NVDIMMs.
readonly CXL_LSA=$((128 << 10))
# The first device's serial number; device N gets CXL_SERIAL + N. QEMU
# gives none by default, and Linux 6.1 computes the region's
# interleave-set cookie from serial and DPA offset: 0 and 0 give cookie
# 0, and 6.1 then rejects the labels of the last boot's namespace (the
# region stays disabled, "invalid interleave-set-cookie"). A fixed serial
# keeps the cookie the same at every boot (docs/KERNEL-NOTES.md, "CXL
# recipe"); distinct ones give each device's region its own cookie.
readonly CXL_SERIAL=1
# Host bridge N takes PCI buses CXL_BUS0 + N * CXL_BUS_STEP onwards: its
# own and one behind each of its two root ports.
readonly CXL_BUS0=52 CXL_BUS_STEP=4
# The fixed memory window each host bridge decodes (CEDT CFMWS): at
# least its device, in 4 GiB steps as QEMU's examples use.
readonly CXL_WINDOW_STEP=$((4 * GiB))

# cxl_emulator KERNEL_VERSION ACCEL: what newer kernels need of QEMU.
# Linux >= 6.3's cxl_pci gives up a device without event interrupts
# ("Failed to get interrupt for event Info log"); QEMU 8.1 brought them.
# Linux >= 6.2 commits a CXL region only on a CPU that announces no
# hypervisor (cpu_cache_has_invalidate_memregion() is
# !X86_FEATURE_HYPERVISOR on x86, unless a kernel built with
# CONFIG_CXL_REGION_INVALIDATION_TEST, which no distribution sets): the
# guest's CPU model hides the bit under TCG, where it changes nothing
# else a guest sees of its timing. Under KVM hiding it was not measured
# safe (no /dev/kvm here), so KVM says what it would need instead.
cxl_emulator() {
	local kver=$1 accel=$2
	if kernel_version_at_least "$kver" 6.3; then
		! qemu_lacks cxl-events "Linux >= 6.3 needs them (cxl_pci: \"Failed to get interrupt for event Info log\")" || return 1
	fi
	kernel_version_at_least "$kver" 6.2 || return 0
	if [[ $accel != tcg ]]; then
		QEMU_MISSING="Linux >= 6.2 commits a CXL region only on a CPU without the hypervisor bit, and pmemlab hides it under TCG only (not measured safe under KVM): use --accel tcg"
		return 1
	fi
	PLAN_CPU_FLAGS+=(-hypervisor)
	PLAN_NOTES+=("CPU model without the hypervisor bit: Linux >= 6.2 commits a CXL region only on such a CPU (a distribution kernel has no CONFIG_CXL_REGION_INVALIDATION_TEST)")
}

cxl_guest_ram() {
	guest_own_ram
}

cxl_files() {
	printf '%s\n' "$(($1 + $2 * CXL_LSA))"
}

cxl_plan() {
	local work=$1 total=$2
	shift 2
	local ram i=0 r fmw=()
	ram=$(cxl_guest_ram "$total")
	if [[ -n ${OPT_BACKING:-} ]]; then
		cxl_backing_pair "$OPT_BACKING" "$OPT_BACKING.lsa"
		check_backing_file "$OPT_BACKING" "$#" "$total" "CXL device"
		cxl_backing_lsa "$OPT_BACKING.lsa"
	else
		check_disk_space "$work" "$(cxl_files "$total" "$#")" "CXL memory"
	fi
	# The guest's RAM and CPUs on NUMA node 0: with an SRAT, Linux gives
	# each CXL window (CEDT CFMWS) a NUMA node of its own, which the kmem
	# fixture onlines as a separate memory tier.
	PLAN_QEMU_ARGS+=(-machine "$GUEST_MACHINE,cxl=on" -m "$((ram / MiB))M"
		-object "memory-backend-ram,id=ram0,size=$((ram / MiB))M"
		-numa "node,nodeid=0,cpus=0-$((${PMEMLAB_GUEST_CPUS:-1} - 1)),memdev=ram0")
	# memory onlined by hand (daxctl), not by the kernel (nvdimm.sh)
	PLAN_APPEND+=(memhp_default_state=offline)
	for r in "$@"; do
		cxl_device "$i" "$r" "${OPT_BACKING:-$work/cxl$i.img}" "${OPT_BACKING:-$work/cxl$i}.lsa"
		# window N routes to host bridge cxl.N, at least its device in size
		fmw+=("cxl-fmw.$i.targets.0=cxl.$i" "cxl-fmw.$i.size=$(((r + CXL_WINDOW_STEP - 1) / CXL_WINDOW_STEP * CXL_WINDOW_STEP / MiB))M")
		i=$((i + 1))
	done
	# every window in one -M: QEMU 7.2 refuses cxl-fmw.N spread over
	# several ("Parameters 'cxl-fmw.*' used inconsistently")
	PLAN_QEMU_ARGS+=(-M "$(IFS=, && printf '%s' "${fmw[*]}")")
	PLAN_NEEDS_BIOS="SeaBIOS sets up the CXL host bridge's PCI bus; qboot leaves it bare"
	PLAN_SUMMARY="cxl: $# type-3 device(s), $(human_size "$total") of CXL PMem"
}

# cxl_device N SIZE MEMFILE LSAFILE: device N behind host bridge cxl.N.
cxl_device() {
	local n=$1 size=$2 memfile=$3 lsafile=$4
	# Two root ports although one device: with one, Linux 6.1 gives the
	# host bridge a pass-through decoder that QEMU 7.2 never commits, and
	# writes are dropped without an error (docs/KERNEL-NOTES.md).
	PLAN_QEMU_ARGS+=(
		-object "memory-backend-file,id=cxl-mem$n,share=on,mem-path=$memfile,size=$((size / MiB))M"
		-object "memory-backend-file,id=cxl-lsa$n,share=on,mem-path=$lsafile,size=$((CXL_LSA >> 10))K"
		-device "pxb-cxl,id=cxl.$n,bus=pcie.0,bus_nr=$((CXL_BUS0 + n * CXL_BUS_STEP))"
		-device "cxl-rp,id=rp$((2 * n)),bus=cxl.$n,chassis=$n,slot=0,port=0"
		-device "cxl-type3,bus=rp$((2 * n)),memdev=cxl-mem$n,lsa=cxl-lsa$n,id=cxl-pmem$n,sn=$((CXL_SERIAL + n))"
	)
	# PMEMLAB_TEST_CXL_ONE_PORT=1 (a test seam): the one-port trap, to
	# show that the fixtures catch the dropped writes
	[[ ${PMEMLAB_TEST_CXL_ONE_PORT:-0} == 1 ]] ||
		PLAN_QEMU_ARGS+=(-device "cxl-rp,id=rp$((2 * n + 1)),bus=cxl.$n,chassis=$n,slot=1,port=1")
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
