# shellcheck shell=bash disable=SC2034 # DOCTOR_FETCH is read by the doctor command
# Host checks behind `pmemlab doctor`. Each doctor_* check looks, never
# changes anything (no install, no download, no guest unless --probe-kvm),
# and records one result per concern with doctor_check: ok, info, warn,
# or fail (fail = `pmemlab run` would not get through), and what to do.
#
# Tools are looked up on PATH, exactly as `pmemlab run` runs them: a PATH
# without qemu-system-x86_64 is the seam tests use to see a missing tool.

[[ -z ${_pmemlab_loaded_doctor:-} ]] || return 0
_pmemlab_loaded_doctor=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/size.sh
. "$PMEMLAB_ROOT/scripts/lib/size.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/accel.sh
. "$PMEMLAB_ROOT/vm/lib/accel.sh"
# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"
# shellcheck source=vm/lib/initramfs.sh
. "$PMEMLAB_ROOT/vm/lib/initramfs.sh"
# shellcheck source=vm/lib/qemu-bin.sh
. "$PMEMLAB_ROOT/vm/lib/qemu-bin.sh"

DOCTOR_CHECKS=() DOCTOR_FACTS=()

# doctor_check NAME STATUS MESSAGE [FIX]: one line of the report.
doctor_check() {
	local line
	printf -v line '%s\t%s\t%s\t%s' "$1" "$2" "$3" "${4:-}"
	DOCTOR_CHECKS+=("${line//$'\n'/ }")
}

# doctor_fact KEY JSON: a detail for the JSON report (JSON's own newlines
# are whitespace: those inside strings are escaped).
doctor_fact() {
	DOCTOR_FACTS+=("$1"$'\t'"${2//$'\n'/ }")
}

doctor_is_root() {
	((EUID == 0))
}

# How to get Debian packages: as root `pmemlab run` installs them itself.
doctor_install_hint() {
	if doctor_is_root; then
		printf 'pmemlab run installs them (you are root), or now: apt-get install -y --no-install-recommends %s' "$*"
	else
		printf 'sudo apt-get install -y --no-install-recommends %s' "$*"
	fi
}

# Missing packages block a run only when pmemlab cannot install them.
doctor_missing_status() {
	if doctor_is_root; then echo warn; else echo fail; fi
}

# doctor_qemu SPEC: the QEMU a run would use (--qemu, PMEMLAB_QEMU:
# system, backports or a path), its version, and what it can do.
doctor_qemu() {
	local spec=${1:-system} path='' version='' out
	if [[ $spec != system ]]; then
		if out=$( (qemu_select "$spec") 2>&1); then
			qemu_select "$spec"
			path=$QEMU_BIN version=$QEMU_VERSION
			doctor_check qemu ok "--qemu $spec: qemu-system-x86_64 $version ($path)"
		else
			out=${out%%$'\n'*}
			doctor_check qemu fail "${out#pmemlab: }" \
				"$(if [[ $spec == backports ]]; then echo "pmemlab qemu fetch backports"; else echo "give --qemu system, backports or the path of a qemu-system-x86_64"; fi)"
		fi
	elif path=$(command -v qemu-system-x86_64); then
		version=$("$path" --version 2>/dev/null | sed -n '1s/.*version \([^ ]*\).*/\1/p')
		if [[ -z $version ]]; then
			doctor_check qemu fail "$path does not run (qemu-system-x86_64 --version failed)" \
				"reinstall it: $(doctor_install_hint qemu-system-x86)"
		else
			doctor_check qemu ok "qemu-system-x86_64 $version ($path)"
			QEMU_BIN=$path QEMU_VERSION=$version
			qemu_data_dirs "$path"
		fi
	elif [[ -x /usr/bin/qemu-system-x86_64 ]]; then
		doctor_check qemu fail "qemu-system-x86_64 is not on PATH (it is installed as /usr/bin/qemu-system-x86_64)" \
			"put /usr/bin on PATH: export PATH=/usr/bin:\$PATH"
	else
		doctor_check qemu "$(doctor_missing_status)" "qemu-system-x86_64 is not installed" \
			"$(doctor_install_hint qemu-system-x86)"
	fi
	local caps_json=null backends_json=null
	if [[ -n $version ]]; then
		doctor_qemu_caps
		caps_json=$(tr ' ' '\n' <<<"$QEMU_CAPS" | jq -R -n '[inputs | select(. != "")]')
		backends_json=$DOCTOR_QEMU_BACKENDS
	fi
	doctor_fact qemu "$(jq -n --arg name "$spec" --arg path "${path:-}" --arg version "${version:-}" \
		--argjson caps "$caps_json" --argjson backends "$backends_json" \
		'def nonempty: if . == "" then null else . end;
		{name: $name, path: ($path | nonempty), version: ($version | nonempty), capabilities: $caps, backends: $backends}')"
}

# doctor_qemu_caps: a check "qemu-caps": what QEMU_BIN offers (asked over
# QMP, no guest; from the cache when a run asked before) and, per
# backend, whether it has the devices (DOCTOR_QEMU_BACKENDS, JSON). cxl
# on Linux >= 6.3 also needs the CXL event interrupts: said, not judged
# (doctor knows no kernel).
doctor_qemu_caps() {
	local b missing=() ok=() dev cap lacks
	QEMU_CAPS=' ' DOCTOR_QEMU_BACKENDS=null
	if ! qemu_caps_peek; then
		doctor_check qemu-caps fail "$(qemu_describe) does not say what it offers over QMP (-machine none): ${QEMU_CAPS_ERROR:0:200}" \
			"give --qemu a working qemu-system-x86_64"
		return
	fi
	for cap in $QEMU_BASE_DEVICES; do
		cap=device:$cap
		qemu_has "$cap" && continue
		doctor_check qemu-caps fail "$(qemu_describe) has no ${QEMU_CAP_WHAT[$cap]}: every guest needs it" \
			"give --qemu a newer qemu-system-x86_64 (Debian's: pmemlab qemu fetch backports)"
		return
	done
	local json='{}'
	for b in $(backend_names); do
		lacks=''
		for dev in ${BACKEND_QEMU_DEVICES[$b]:-}; do
			qemu_has "device:$dev" || lacks+="${lacks:+, }$dev"
		done
		if [[ -n $lacks ]]; then missing+=("$b (no $lacks)"); else ok+=("$b"); fi
		json=$(jq -c --arg b "$b" --arg lacks "$lacks" '. + {($b): ($lacks == "")}' <<<"$json")
	done
	DOCTOR_QEMU_BACKENDS=$json
	local events="CXL event interrupts (Linux >= 6.3's cxl needs them): "
	if qemu_has cxl-events; then events+=yes; else events+="no, cxl on Linux >= 6.3 is unsupported with this QEMU"; fi
	if ((${#missing[@]})); then
		doctor_check qemu-caps info "$(qemu_describe) runs ${ok[*]:-no backend}; not ${missing[*]}; $events" \
			"for every backend: pmemlab qemu fetch backports, then --qemu backports"
	elif qemu_has cxl-events; then
		doctor_check qemu-caps ok "$(qemu_describe) runs every backend ($(backend_names | paste -sd, -)); $events"
	else
		doctor_check qemu-caps info "$(qemu_describe) runs every backend ($(backend_names | paste -sd, -)); $events" \
			"for cxl on newer kernels: pmemlab qemu fetch backports, then --qemu backports"
	fi
}

# Programs pmemlab runs by name, and the package with each. qemu has its
# own check; apt-get and dpkg-deb only matter when a kernel is fetched.
readonly DOCTOR_TOOLS=(
	cpio:cpio jq:jq modprobe:kmod xz:xz-utils zstd:zstd gzip:gzip ldd:libc-bin
	sha256sum:coreutils truncate:coreutils mkfifo:coreutils setpriv:util-linux flock:util-linux
	apt-get:apt dpkg-deb:dpkg
)

doctor_tools() {
	local entry tool pkg where off_path=() absent=() absent_pkgs=()
	for entry in "${DOCTOR_TOOLS[@]}"; do
		tool=${entry%%:*} pkg=${entry#*:}
		command -v "$tool" >/dev/null && continue
		# runs call modprobe by path (kmod_tool): a user's PATH may lack /usr/sbin
		[[ $tool != modprobe ]] || ! (kmod_tool modprobe) >/dev/null 2>&1 || continue
		where=''
		for where in /usr/sbin/"$tool" /sbin/"$tool" /usr/bin/"$tool" /bin/"$tool" ''; do
			[[ -z $where || -x $where ]] && break
		done
		if [[ -n $where ]]; then
			off_path+=("$tool ($where)")
		else
			absent+=("$tool")
			absent_pkgs+=("$pkg")
		fi
	done
	if ((${#off_path[@]})); then
		doctor_check tools fail "not on PATH: ${off_path[*]}" \
			"add their directories to PATH, e.g. export PATH=\$PATH:/usr/sbin:/sbin (modprobe resolves the guest's modules)"
	fi
	if ((${#absent[@]})); then
		doctor_check tools "$(doctor_missing_status)" "not installed: ${absent[*]}" \
			"$(doctor_install_hint "$(printf '%s\n' "${absent_pkgs[@]}" | sort -u | tr '\n' ' ')")"
	fi
	if ((${#off_path[@]} + ${#absent[@]} == 0)); then
		doctor_check tools ok "on PATH: $(printf '%s\n' "${DOCTOR_TOOLS[@]}" | cut -d: -f1 | tr '\n' ' ' | sed 's/ $//')"
	fi
	doctor_fact tools "$(jq -n '{off_path: $ARGS.named.off, missing: $ARGS.named.missing}' \
		--argjson off "$(printf '%s\n' "${off_path[@]}" | jq -R -s 'split("\n") | map(select(. != ""))')" \
		--argjson missing "$(printf '%s\n' "${absent[@]}" | jq -R -s 'split("\n") | map(select(. != ""))')")"
}

doctor_packages() {
	local run test
	run=$(deps_missing build guest | sort -u | tr '\n' ' ')
	run=${run% }
	test=$(deps_missing test | sort -u | tr '\n' ' ')
	test=${test% }
	if [[ -n $run ]]; then
		doctor_check packages "$(doctor_missing_status)" "missing Debian packages: $run" \
			"$(doctor_install_hint "$run")"
	else
		doctor_check packages ok "every Debian package pmemlab runs with is installed"
	fi
	if [[ -n $test ]]; then
		doctor_check test-packages info "missing for 'make check' only: $test" \
			"scripts/install-deps --test (as root)"
	fi
	doctor_fact packages "$(jq -n --arg run "$run" --arg test "$test" \
		'{missing: ($run | split(" ") | map(select(. != ""))), missing_for_tests: ($test | split(" ") | map(select(. != "")))}')"
}

doctor_busybox() {
	local found='' static=false
	read -r found static <<<"$(busybox_find)"
	[[ -n $static ]] || static=false
	if [[ $static == true ]]; then
		doctor_check busybox ok "$found is static (the guest's shell and tools)"
	elif [[ -n $found ]]; then
		doctor_check busybox "$(doctor_missing_status)" "$found is dynamically linked: the guest has no libc for it" \
			"$(doctor_install_hint busybox-static)"
	else
		doctor_check busybox "$(doctor_missing_status)" "no busybox: the guest's shell and tools" \
			"$(doctor_install_hint busybox-static)"
	fi
	doctor_fact busybox "$(jq -n --arg path "$found" --argjson static "$static" \
		'{path: (if $path == "" then null else $path end), static: $static}')"
}

doctor_probe_binary() {
	local bin=${PMEMPROBE_BIN:-$PMEMLAB_ROOT/build/pmemprobe} state
	if [[ -x $bin ]]; then
		state=built
		doctor_check pmemprobe ok "$bin"
	elif [[ -n ${PMEMPROBE_BIN:-} ]]; then
		state=missing
		doctor_check pmemprobe fail "PMEMPROBE_BIN=$bin is not an executable" "unset PMEMPROBE_BIN or point it at a pmemprobe binary"
	elif [[ -e $PMEMLAB_ROOT/Makefile && -z $(deps_missing build) ]]; then
		state=buildable
		doctor_check pmemprobe info "not built yet: the first run builds $bin" "or now: make -C $PMEMLAB_ROOT"
	else
		state=missing
		doctor_check pmemprobe "$(doctor_missing_status)" "$bin is not built and the build tools are missing" \
			"$(doctor_install_hint "$(deps_missing build | sort -u | tr '\n' ' ')"), then make -C $PMEMLAB_ROOT"
	fi
	doctor_fact pmemprobe "$(jq -n --arg path "$bin" --arg state "$state" '{path: $path, state: $state}')"
}

# What --accel auto (or PMEMLAB_ACCEL) will use, and why. Only --probe-kvm
# boots a guest (the same check `run` makes once per host boot).
doctor_accel() {
	local probe=$1 mode=${PMEMLAB_ACCEL:-auto} device verdict accel reason status=ok fix=''
	verdict=$(kvm_verdict_cached)
	kvm_device_usable || true
	device=$KVM_DEVICE
	if [[ $device == usable && $mode != tcg && $probe == 1 ]]; then
		rm -f "$(kvm_verdict_file)"
		if doctor_probe_kernel && kvm_guest_progresses; then verdict=works; else verdict=hangs; fi
		verdict=$(kvm_verdict_cached)
	fi
	case $mode in
	tcg) accel=tcg reason="PMEMLAB_ACCEL=tcg" ;;
	kvm)
		if [[ $device == usable ]]; then
			accel=kvm reason="PMEMLAB_ACCEL=kvm"
		else
			accel=kvm status=fail reason="PMEMLAB_ACCEL=kvm but $KVM_WHY"
			fix="unset PMEMLAB_ACCEL (auto falls back to TCG), or make /dev/kvm usable"
			((KVM_FIX_NEEDED == 0)) || fix="$fix: $KVM_FIX"
		fi
		;;
	*)
		if [[ $device == missing ]]; then
			accel=tcg status=info reason="no /dev/kvm: guests run under TCG (slower, about 15 s a run)"
			fix="for KVM: a host with virtualisation enabled (nested virtualisation for a VM, kvm_intel/kvm_amd loaded)"
		elif [[ $device == no-access ]]; then
			accel=tcg status=warn reason="$KVM_WHY: guests run under TCG"
			fix=$KVM_FIX
		elif [[ $verdict == works ]]; then
			accel=kvm reason="a KVM guest boots here (checked this host boot)"
		elif [[ $verdict == hangs ]]; then
			accel=tcg status=warn reason="/dev/kvm is there but a KVM guest made no progress: guests run under TCG"
			fix="a host whose KVM works; to check again: pmemlab doctor --probe-kvm"
		else
			accel=kvm status=info reason="/dev/kvm is usable; the first run checks that a KVM guest progresses (else TCG)"
			fix="check now: pmemlab doctor --probe-kvm (boots one guest, up to ${PMEMLAB_KVM_PROBE_TIMEOUT}s)"
		fi
		;;
	esac
	doctor_check accel "$status" "$accel: $reason" "$fix"
	doctor_fact accel "$(jq -n --arg accel "$accel" --arg reason "$reason" --arg mode "$mode" --arg device "$device" \
		--arg verdict "$verdict" --argjson probed "$([[ $probe == 1 && $device == usable && $mode != tcg ]] && echo true || echo false)" \
		'{accel: $accel, reason: $reason, mode: $mode, kvm_device: $device, kvm_verdict: $verdict, probed: $probed}')"
}

# The KVM probe boots the run's kernel: resolve it as run does.
doctor_probe_kernel() {
	[[ -n ${KERNEL_IMAGE:-} ]] && return 0
	(kernel_resolve "${PMEMLAB_KERNEL:-}" && printf '%s\n' "$KERNEL_IMAGE") >"$DOCTOR_TMP/kernel" || return 1
	KERNEL_IMAGE=$(<"$DOCTOR_TMP/kernel")
}

# Free bytes on the filesystem that holds PATH (or would, once created).
doctor_free_bytes() {
	local dir=$1
	while [[ ! -e $dir && $dir == */* ]]; do dir=${dir%/*}; done
	df -P -B1 "${dir:-/}" 2>/dev/null | awk 'NR == 2 { print $4 }'
}

# The memory the default run plans for (PMEMLAB_BACKEND, PMEMLAB_SIZE),
# as the backend's own file computes it for `run`.
doctor_memory() {
	local backend=${PMEMLAB_BACKEND:-$BACKEND_DEFAULT} size=${PMEMLAB_SIZE:-1G} need avail
	if [[ -z ${BACKEND_DESC[$backend]+set} ]]; then
		doctor_check memory fail "PMEMLAB_BACKEND='$backend' is no backend" "unset PMEMLAB_BACKEND or set it to $(backend_list)"
		return
	fi
	if ! need=$(backend_guest_ram "$backend" "$size" 2>"$DOCTOR_TMP/size.err"); then
		doctor_check memory fail "PMEMLAB_SIZE='$size' is refused: $(sed -n '1s/^pmemlab: //p' "$DOCTOR_TMP/size.err")" \
			"unset PMEMLAB_SIZE or fix it (see --size in 'pmemlab run --help')"
		return
	fi
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	avail=$((${avail:-0} * 1024))
	if ((avail < need)); then
		doctor_check memory fail "a $backend guest with $size of PMem needs $(doctor_human "$need") of RAM; $(doctor_human "$avail") is available" \
			"free memory, or run with a smaller --size (512M) or --backend nvdimm (its PMem is a file)"
	else
		doctor_check memory ok "$(doctor_human "$avail") available; a $backend guest with $size of PMem needs $(doctor_human "$need")"
	fi
	doctor_fact memory "$(jq -n --argjson avail "$avail" --argjson need "$need" --arg backend "$backend" --arg size "$size" \
		'{available_bytes: $avail, needed_bytes: $need, backend: $backend, size: $size}')"
}

doctor_human() {
	awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u); i = 1
		while (b >= 1024 && i < 5) { b /= 1024; i++ }
		printf(i == 1 ? "%d %s" : "%.1f %s", b, u[i]) }'
}

# doctor_space NAME DIR NEED HOPE WHAT: fail below NEED, warn below HOPE;
# prints the JSON detail.
doctor_space() {
	local name=$1 dir=$2 need=$3 hope=$4 what=$5 free probe=$2
	while [[ ! -e $probe && $probe == */* ]]; do probe=${probe%/*}; done
	free=$(doctor_free_bytes "$dir")
	if [[ -z $free ]]; then
		doctor_check "$name" fail "cannot tell the free space of $dir" "check that $dir (or its parent) exists"
		free=0
	elif [[ ! -w ${probe:-/} ]]; then
		doctor_check "$name" fail "$dir is not writable by $(id -un)" "$what"
	elif ((free < need)); then
		doctor_check "$name" fail "$dir: $(doctor_human "$free") free, a run needs $(doctor_human "$need")" "$what"
	elif ((free < hope)); then
		doctor_check "$name" warn "$dir: $(doctor_human "$free") free; $(doctor_human "$hope") fits every case" "$what"
	else
		doctor_check "$name" ok "$dir: $(doctor_human "$free") free"
	fi
	jq -n -c --arg path "$dir" --argjson free "$free" --argjson need "$need" \
		'{path: $path, free_bytes: $free, needed_bytes: $need}'
}

doctor_disk() {
	local fetch=$1 tmp=${TMPDIR:-/tmp} cache need mib=$((1 << 20)) gib=$((1 << 30))
	cache=$(cache_path)
	# A fetched Debian kernel unpacks to 38-114 MiB here (6.12 cloud, 6.1 cloud,
	# 6.12 generic); an initramfs is about 25 MiB.
	need=$((64 * mib))
	[[ $fetch != 1 ]] || need=$((need + 512 * mib))
	doctor_space disk-cache "$cache" "$need" "$gib" \
		"free space there, or point PMEMLAB_CACHE at a roomier directory" >"$DOCTOR_TMP/disk-cache"
	# A work directory holds the initrd and a sparse 512 MiB disk, and the
	# backend's files (NVDIMMs: size + 2 MiB each), which a run checks again.
	local backend=${PMEMLAB_BACKEND:-$BACKEND_DEFAULT} size=${PMEMLAB_SIZE:-1G} files most=0 b
	for b in $(backend_names); do
		files=$(backend_files "$b" 1G) || continue
		((files <= most)) || most=$files
	done
	files=0
	[[ -z ${BACKEND_DESC[$backend]+set} ]] || files=$(backend_files "$backend" "$size" 2>/dev/null) || files=0
	need=$((64 * mib + files))
	doctor_space disk-tmpdir "$tmp" "$need" "$((64 * mib + most))" \
		"free space there, or point TMPDIR at a roomier directory (file-backed PMem, e.g. --backend nvdimm, lives there)" \
		>"$DOCTOR_TMP/disk-tmpdir"
	doctor_fact disk "$(jq -n -c --slurpfile c "$DOCTOR_TMP/disk-cache" --slurpfile t "$DOCTOR_TMP/disk-tmpdir" \
		'{cache: $c[0], tmpdir: $t[0]}')"
}

# Which kernel a plain `pmemlab run` boots, without downloading it.
# Sets DOCTOR_FETCH=1 when the first run will have to download it.
doctor_kernel() {
	local spec=${PMEMLAB_KERNEL:-} pkg='' version='' where='' meta='' status=ok message fix=''
	DOCTOR_FETCH=0 KERNEL_META_SOURCE=
	meta=$(kernel_spec_meta "$spec") || meta=
	# the kernel sources (vm/kernels/*.sh) say who takes the spec
	local src suite
	src=$( (kernel_source_of "$spec") 2>/dev/null) || src=
	case $src in
	image)
		doctor_kernel_image "$spec"
		return
		;;
	ubuntu)
		doctor_kernel_ubuntu "$spec"
		return
		;;
	debian) ;;
	'') spec=${spec:-?} ;;
	*)
		# the source's own refusal (a directory that is no built tree...)
		local why
		if ! why=$( (kernel_id "$spec") 2>&1 >/dev/null); then
			why=${why%%$'\n'*}
			doctor_check kernel fail "PMEMLAB_KERNEL='$spec': ${why#"${PMEMLAB_PROG:-pmemlab}: "}" "unset PMEMLAB_KERNEL or fix it"
			doctor_fact kernel "$(jq -n --arg spec "$spec" --arg src "$src" '{spec: $spec, package: null, version: null, where: $src}')"
			return
		fi
		doctor_check kernel ok "PMEMLAB_KERNEL='$spec': kernel source $src, unpacked into the cache at the first run"
		doctor_fact kernel "$(jq -n --arg spec "$spec" --arg src "$src" '{spec: $spec, package: null, version: null, where: $src}')"
		return
		;;
	esac
	if suite=$(debian_spec_suite "$spec"); then
		DOCTOR_FETCH=1
		doctor_check kernel info "PMEMLAB_KERNEL='$spec': Debian $suite's kernel ('pmemlab kernel fetch $spec' downloads it)"
		doctor_fact kernel "$(jq -n --arg spec "$spec" --arg suite "$suite" '{spec: $spec, package: null, version: null, where: ("debian " + $suite)}')"
		return
	fi
	case $spec in
	'' | default | cloud | rt) ;;
	linux-image-*) pkg=$spec ;;
	[0-9]*)
		if ! pkg=$( (kernel_package_name "$spec") 2>/dev/null); then
			doctor_check kernel fail "PMEMLAB_KERNEL='$spec' is not a kernel version" "unset PMEMLAB_KERNEL or fix it"
			return
		fi
		;;
	*)
		doctor_check kernel fail "PMEMLAB_KERNEL='$spec' is not a kernel pmemlab knows" \
			"$(kernel_grammar)"
		return
		;;
	esac
	if [[ -n $meta ]]; then
		if kernel_meta_lookup "$meta"; then
			pkg=$KERNEL_META_TARGET
		elif pkg=$(kernel_newest_installed); then
			status=warn fix="sudo apt-get update (so that apt knows $meta)"
		fi
	fi
	if [[ -z $pkg ]]; then
		doctor_check kernel fail "cannot resolve $meta: apt's lists do not know it, the cache has no kernel for it and no Debian kernel is installed" \
			"sudo apt-get update, or pass --kernel (a version, or a bzImage with its modules)"
		doctor_fact kernel "$(jq -n --arg spec "$spec" '{spec: $spec, package: null, version: null, where: null}')"
		return
	fi
	version=${pkg#linux-image-}
	where=$(kernel_where "$version")
	case $where in
	host) message="$pkg, installed on the host (/boot/vmlinuz-$version)" ;;
	cache) message="$pkg, in the cache ($(cache_path)/kernels/$version)" ;;
	download*)
		DOCTOR_FETCH=1 message="$pkg, not here yet: the first run downloads it (apt-get download${where#download}, no install)"
		[[ $status != ok ]] || status=info
		;;
	*)
		status=fail message="$pkg is neither installed, cached nor known to apt"
		fix="sudo apt-get update, or choose another --kernel ('apt-cache search linux-image' lists them)"
		;;
	esac
	case $KERNEL_META_SOURCE in
	dpkg) message="$message; $meta as installed" ;;
	cache) message="$message; $meta as the cache recorded it ('pmemlab kernel update' asks apt again)" ;;
	apt) message="$message; $meta as apt's lists say" ;;
	esac
	[[ -z $meta ]] || message="$meta -> $message"
	doctor_check kernel "$status" "$message" "$fix"
	doctor_fact kernel "$(jq -n --arg spec "$spec" --arg pkg "$pkg" --arg version "$version" --arg where "$where" \
		--arg by "$KERNEL_META_SOURCE" '{spec: $spec, package: $pkg, version: $version, where: $where,
		resolved_by: (if $by == "" then null else $by end)}')"
}

# The ubuntu source (an Ubuntu host): what its spec resolves to, from
# apt's lists or the cache's record, and where the packages come from.
doctor_kernel_ubuntu() {
	local spec=${1:-default} release='' meta='' status=ok message fix='' where
	case $spec in
	default) meta=$UBUNTU_DEFAULT_META ;;
	linux-image-*)
		release=${spec#linux-image-}
		! kernel_package_is_meta "$spec" || meta=$spec release=
		;;
	*) release=$spec ;;
	esac
	if [[ -n $meta ]]; then
		if kernel_meta_lookup "$meta"; then
			release=${KERNEL_META_TARGET#linux-image-}
		else
			doctor_check kernel fail "kernel source ubuntu ($(ubuntu_release_name) host): cannot resolve $meta: apt's lists do not know it and the cache has no record of it" \
				"sudo apt-get update, or pass --kernel RELEASE (apt-cache search linux-image-)"
			doctor_fact kernel "$(jq -n --arg spec "$spec" '{spec: $spec, source: "ubuntu", package: null, version: null, where: null}')"
			return
		fi
	fi
	if [[ -e $(cache_path)/kernels/$release/.complete ]]; then
		where=cache message="linux-image-$release, in the cache ($(cache_path)/kernels/$release)"
	elif apt_knows "linux-image-$release"; then
		where=download DOCTOR_FETCH=1 status=info
		message="linux-image-$release, not here yet: the first run downloads it with linux-modules-$release"
		if apt_knows "linux-modules-extra-$release"; then
			message+=" and linux-modules-extra-$release (apt-get download, no install)"
		else
			message+=" (apt-get download, no install); apt knows no linux-modules-extra-$release: if the nvdimm drivers are in it, PMem fixtures will be unsupported"
		fi
	else
		where=unavailable status=fail message="linux-image-$release is neither cached nor known to apt"
		fix="sudo apt-get update, or choose another --kernel ('apt-cache search linux-image-' lists them)"
	fi
	[[ -z $meta ]] || message="$meta -> $message"
	doctor_check kernel "$status" "kernel source ubuntu ($(ubuntu_release_name) host): $message" "$fix"
	doctor_fact kernel "$(jq -n --arg spec "$spec" --arg pkg "linux-image-$release" --arg version "$release" --arg where "$where" \
		'{spec: $spec, source: "ubuntu", package: $pkg, version: $version, where: $where}')"
}

doctor_kernel_image() {
	local image=$1 version status=ok message fix=''
	if [[ ! -r $image ]]; then
		status=fail message="PMEMLAB_KERNEL=$image does not exist or is not readable" fix="unset PMEMLAB_KERNEL or fix it"
	elif ! version=$(bzimage_version "$image"); then
		status=fail message="PMEMLAB_KERNEL=$image is not a bzImage" fix="unset PMEMLAB_KERNEL or fix it"
	else
		local found
		if found=$(kernel_image_modules_base "$image" "$version"); then
			message="$image ($version), modules in $found/lib/modules/$version"
		else
			status=fail message="$image ($version) has no modules tree beside it"
			fix="make modules_install INSTALL_MOD_PATH=DIR, then --modules DIR"
		fi
	fi
	doctor_check kernel "$status" "$message" "$fix"
	doctor_fact kernel "$(jq -n --arg spec "$image" --arg version "${version:-}" \
		'{spec: $spec, package: null, version: (if $version == "" then null else $version end), where: "image"}')"
}

# What the cache holds: kernels, initramfs images, KVM verdicts.
doctor_cache() {
	local cache d f name bytes total boot_id rows=() leftovers=() stale=()
	cache=$(cache_path)
	if [[ ! -d $cache ]]; then
		doctor_check cache info "$cache does not exist yet: the first run fills it"
		doctor_fact cache "$(jq -n -c --arg path "$cache" \
			'{path: $path, exists: false, bytes: 0, kernels: [], initramfs: [], kvm_verdicts: []}')"
		return
	fi
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	# rows: "kernel VERSION BYTES COMPLETE", "initramfs FILE KERNEL BYTES PRESENT",
	# "verdict FILE VERDICT THIS_BOOT", tab-separated
	for d in "$cache"/kernels/*/ "$cache"/kernels/.fetch.*/; do
		[[ -d $d ]] || continue
		d=${d%/}
		name=${d##*/}
		if [[ $name == .fetch.* || ! -e $d/.complete ]]; then
			leftovers+=("$d")
			[[ $name == .fetch.* ]] && continue
		fi
		bytes=$(du -sb "$d" 2>/dev/null | cut -f1)
		rows+=("kernel"$'\t'"$name"$'\t'"${bytes:-0}"$'\t'"$([[ -e $d/.complete ]] && echo true || echo false)")
	done
	for f in "$cache"/initramfs/*.cpio; do
		[[ -f $f ]] || continue
		name=${f##*/}
		name=${name%-*.cpio}
		local present=true
		if [[ ! -e /lib/modules/$name/modules.dep && ! -e $cache/kernels/$name/.complete ]]; then
			present=false
			stale+=("$f")
		fi
		rows+=("initramfs"$'\t'"$f"$'\t'"$name"$'\t'"$(stat -c %s "$f")"$'\t'"$present")
	done
	for f in "$cache"/kvm-verdict-*; do
		[[ -f $f ]] || continue
		rows+=("verdict"$'\t'"$f"$'\t'"$(head -c 16 "$f" | tr -dc '[:lower:]')"$'\t'"$([[ $f == *"-$boot_id" ]] && echo true || echo false)")
	done
	total=$(du -sb "$cache" 2>/dev/null | cut -f1)
	jq -n -c --arg path "$cache" --argjson bytes "${total:-0}" --rawfile rows <(printf '%s\n' "${rows[@]}") '
		($rows | split("\n") | map(select(. != "") | split("\t"))) as $r
		| {path: $path, exists: true, bytes: $bytes,
		   kernels: [$r[] | select(.[0] == "kernel") | {version: .[1], bytes: (.[2] | tonumber), complete: (.[3] == "true")}],
		   initramfs: [$r[] | select(.[0] == "initramfs")
			| {file: .[1], kernel: .[2], bytes: (.[3] | tonumber), kernel_present: (.[4] == "true")}],
		   kvm_verdicts: [$r[] | select(.[0] == "verdict") | {file: .[1], verdict: .[2], this_boot: (.[3] == "true")}]}' \
		>"$DOCTOR_TMP/cache.json"
	doctor_fact cache "$(<"$DOCTOR_TMP/cache.json")"
	doctor_check cache ok "$cache, $(doctor_human "${total:-0}"): $(jq -r '
		def h: if . >= 1048576 then "\(. / 1048576 | floor) MiB" else "\(. / 1024 | floor) KiB" end;
		def list(f): if length == 0 then "none" else map(f) | join(", ") end;
		"kernels: \(.kernels | list("\(.version) (\(.bytes | h))")); initramfs: \(.initramfs | list("\(.kernel) (\(.bytes | h))"))"' \
		"$DOCTOR_TMP/cache.json")"
	if ((${#leftovers[@]})); then
		doctor_check cache-leftovers warn "unfinished kernel downloads: ${leftovers[*]}" "rm -rf ${leftovers[*]}"
	fi
	if ((${#stale[@]})); then
		doctor_check cache-stale info "initramfs images of kernels no longer here: ${stale[*]}" "rm -f ${stale[*]}"
	fi
}

# Work directories of runs that were killed (SIGKILL: no trap ran). The
# next run removes them; doctor only lists them.
doctor_workdirs() {
	local dead=()
	mapfile -t dead < <(workdir_dead)
	if ((${#dead[@]})); then
		doctor_check workdirs info "${#dead[@]} work director$( ((${#dead[@]} == 1)) && echo "y of a killed run" || echo "ies of killed runs") in ${TMPDIR:-/tmp}: ${dead[*]}" \
			"the next pmemlab run removes them, or now: rm -rf ${dead[*]}"
	else
		doctor_check workdirs ok "no work directory of a killed run in ${TMPDIR:-/tmp}"
	fi
	doctor_fact workdirs "$(printf '%s\n' "${dead[@]}" | jq -R -s -c '{dead: split("\n") | map(select(. != ""))}')"
}

# The report: {ok, blocking, warnings, checks: [...], FACT: {...}...}.
doctor_report_json() {
	jq -n --rawfile checks <(printf '%s\n' "${DOCTOR_CHECKS[@]}") --rawfile facts <(printf '%s\n' "${DOCTOR_FACTS[@]}") '
		($checks | split("\n") | map(select(. != "") | split("\t")
			| {name: .[0], status: .[1], message: .[2], fix: (if .[3] == "" then null else .[3] end)})) as $c
		| {ok: ($c | all(.status != "fail")),
		   blocking: ($c | map(select(.status == "fail")) | length),
		   warnings: ($c | map(select(.status == "warn")) | length),
		   checks: $c}
		+ ($facts | split("\n") | map(select(. != "") | index("\t") as $i
			| {key: .[:$i], value: (.[$i + 1:] | fromjson)}) | from_entries)'
}

doctor_report_text() {
	jq -r '
		def pad($n): if length < $n then . + (" " * ($n - length)) else . end;
		(.checks[] | ((if .status == "fail" then "FAIL" else .status end) | pad(6)) + (.name | pad(16)) + .message,
			(if .fix and .status != "ok" then "      " + ("" | pad(16)) + "-> " + .fix else empty end)),
		"",
		if .ok then "nothing blocks a run" + (if .warnings > 0 then " (\(.warnings) warning\(if .warnings > 1 then "s" else "" end))" else "" end)
		else "\(.blocking) problem\(if .blocking > 1 then "s block" else " blocks" end) a run: see FAIL above" end'
}
