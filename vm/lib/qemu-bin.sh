# shellcheck shell=bash disable=SC2034 # QEMU_* are read by qemu.sh, accel.sh, the reports and doctor
# Which QEMU runs the guests, and what it can do. --qemu (PMEMLAB_QEMU)
# names it: `system` (qemu-system-x86_64 on PATH, the default), `backports`
# (Debian's newer QEMU that `pmemlab qemu fetch backports` put in the
# cache) or the path of a qemu-system-x86_64. A QEMU outside /usr gets
# its own data and firmware directories (-L) and modules: an extracted
# Debian package would otherwise read the system QEMU's.
#
# qemu_select SPEC sets QEMU_BIN, QEMU_SPEC, QEMU_VERSION and
# QEMU_DATA_ARGS; qemu_caps fills QEMU_CAPS (what this binary offers,
# asked of the binary itself once, then cached per binary).

[[ -z ${_pmemlab_loaded_qemu_bin:-} ]] || return 0
_pmemlab_loaded_qemu_bin=1

# The QEMU packages `pmemlab qemu fetch NAME` keeps, each a tree in the
# cache as dpkg -x made it.
qemu_cached_root() {
	cache_location
	printf '%s\n' "$CACHE_PATH/qemu/$1"
}

# qemu_select SPEC: refuse (exit 2) a SPEC that names no QEMU.
qemu_select() {
	local spec=${1:-system} bin
	case $spec in
	system)
		bin=$(command -v qemu-system-x86_64) ||
			die "qemu-system-x86_64 is not on PATH: install qemu-system-x86 (scripts/install-deps), or give --qemu PATH or --qemu backports"
		;;
	backports)
		bin=$(qemu_cached_root backports)/usr/bin/qemu-system-x86_64
		[[ -x $bin ]] || usage_die "--qemu backports: not in the cache ($bin): run 'pmemlab qemu fetch backports' first"
		;;
	*/*)
		[[ -f $spec && -x $spec ]] || usage_die "--qemu '$spec' is not an executable file"
		bin=$(realpath -- "$spec")
		;;
	*) usage_die "unknown --qemu '$spec': choose system, backports or the path of a qemu-system-x86_64" ;;
	esac
	QEMU_SPEC=$spec QEMU_BIN=$bin
	qemu_version_cached "$bin" || usage_die "--qemu '$spec': $bin is no QEMU ('$bin --version' does not say 'QEMU emulator version')"
	qemu_data_dirs "$bin"
}

# qemu_version BIN: QEMU_VERSION, from BIN --version's first line.
qemu_version() {
	local line='' out
	out=$(timeout 10 "$1" --version 2>/dev/null </dev/null) || true
	line=${out%%$'\n'*}
	[[ $line =~ ^QEMU\ emulator\ version\ ([0-9][^ ]*) ]] || return 1
	QEMU_VERSION=${BASH_REMATCH[1]}
}

# qemu_key BIN: QEMU_KEY, BIN's key in the cache (qemu-caps/KEY): its
# size, modification time and path, for QEMU_KEY_BIN. One stat: no
# hashing process (the path's slashes become underscores).
QEMU_KEY='' QEMU_KEY_BIN=''
qemu_key() {
	[[ $QEMU_KEY_BIN != "$1" || -z $QEMU_KEY ]] || return 0
	QEMU_KEY=$(stat -c '%s-%Y' "$1")${1//\//_} QEMU_KEY_BIN=$1
}

# qemu_version_cached BIN: qemu_version, kept in the cache beside the
# capabilities (qemu_caps makes the directory): a QEMU start to print its
# version is 30 ms natively and 0.4 s on a loaded host, at every command.
qemu_version_cached() {
	local file='' line=''
	cache_location
	qemu_key "$1" 2>/dev/null && file=$CACHE_PATH/qemu-caps/$QEMU_KEY.version
	if [[ -n $file && -s $file ]] && read -r line <"$file" && [[ $line =~ ^[0-9] ]]; then
		QEMU_VERSION=$line
		return 0
	fi
	qemu_version "$1" || return
	[[ -z $file || ! -d ${file%/*} ]] ||
		{ printf '%s\n' "$QEMU_VERSION" >"$file.$$" && mv -f "$file.$$" "$file"; } 2>/dev/null || true
}

# qemu_data_dirs BIN: QEMU_DATA_ARGS (-L DIR...), QEMU_DATA_DIR and, for
# its modules, QEMU_MODULE_DIR (exported) when BIN lies in a tree of its
# own (PREFIX/bin/qemu-system-x86_64 beside PREFIX/share/qemu); Debian's
# SeaBIOS lives in share/seabios, not share/qemu.
qemu_data_dirs() {
	local prefix dir
	prefix=${1%/*} prefix=${prefix%/*}
	QEMU_DATA_ARGS=() QEMU_DATA_DIR=/usr/share/qemu
	[[ $prefix != /usr && -d $prefix/share/qemu ]] || return 0
	QEMU_DATA_DIR=$prefix/share/qemu
	for dir in "$prefix/share/qemu" "$prefix/share/seabios"; do
		[[ ! -d $dir ]] || QEMU_DATA_ARGS+=(-L "$dir")
	done
	dir=$prefix/lib/x86_64-linux-gnu/qemu
	if [[ -d $dir ]]; then
		QEMU_MODULE_DIR=$dir
		export QEMU_MODULE_DIR
	fi
}

# qemu_describe: "QEMU VERSION (PATH)", for progress lines and reports.
qemu_describe() {
	printf 'QEMU %s (%s)\n' "$QEMU_VERSION" "$QEMU_BIN"
}

# What a capability is, in words, and the first QEMU that has it.
declare -gA QEMU_CAP_WHAT=(
	["cxl-events"]="CXL event interrupts"
	["device:nvdimm"]="NVDIMM device (nvdimm)"
	["device:virtio-pmem-pci"]="virtio-pmem device (virtio-pmem-pci)"
	["device:pxb-cxl"]="CXL host bridge (pxb-cxl)"
	["device:cxl-rp"]="CXL root port (cxl-rp)"
	["device:cxl-type3"]="CXL type-3 memory device (cxl-type3)"
	["device:virtio-serial-pci"]="virtio-serial device (virtio-serial-pci)"
	["device:virtio-blk-pci"]="virtio block device (virtio-blk-pci)"
)
declare -gA QEMU_CAP_SINCE=(["cxl-events"]=8.1 ["device:pxb-cxl"]=7.1 ["device:cxl-rp"]=7.1 ["device:cxl-type3"]=7.1)

# The devices asked about; every run needs the last two.
readonly QEMU_CAP_DEVICES="nvdimm virtio-pmem-pci pxb-cxl cxl-rp cxl-type3 virtio-serial-pci virtio-blk-pci"

# qemu_caps: QEMU_CAPS, " cap cap ... ", of QEMU_BIN. Asked once per
# binary over QMP (one QEMU start, no guest, -machine none) and cached:
# the key is the binary's path, size and modification time. QMP, not
# `-device help`: listing every device loads every module, and an
# extracted QEMU then aborts on the system QEMU's modules.
#   device:NAME   -device NAME exists (device-list-properties answers)
#   cxl-events    the cxl-type3 device has event logs and their interrupt
#                 (QEMU 8.1 brought both, with the cxl-inject-*-event
#                 commands that this answers from)
qemu_caps() {
	local file out line
	cache_ensure
	qemu_caps_file
	file=$QEMU_CAPS_FILE
	if [[ ! -s $file ]]; then
		out=$(qemu_caps_ask) || die "cannot ask $(qemu_describe) what it offers (QMP, -machine none): $out"
		{ mkdir -p "${file%/*}" && printf '%s\n' "$out" >"$file.$$" && mv -f "$file.$$" "$file"; } ||
			die "cannot write $file"
	fi
	QEMU_CAPS=' '
	while read -r line; do
		QEMU_CAPS+="$line "
	done <"$file"
}

# qemu_caps_file: QEMU_CAPS_FILE, where QEMU_BIN's capabilities are
# cached (qemu_key); no subshell.
qemu_caps_file() {
	cache_location
	qemu_key "$QEMU_BIN"
	QEMU_CAPS_FILE=$CACHE_PATH/qemu-caps/$QEMU_KEY
}

# qemu_caps_peek: QEMU_CAPS as qemu_caps sets it, but writing nothing
# (doctor): from the cache when there, else asked; 1 with QEMU_CAPS_ERROR
# when QEMU_BIN does not answer.
qemu_caps_peek() {
	local file out
	qemu_caps_file
	file=$QEMU_CAPS_FILE
	if [[ -s $file ]]; then
		out=$(<"$file")
	else
		out=$(qemu_caps_ask) || {
			QEMU_CAPS_ERROR=$out
			return 1
		}
	fi
	QEMU_CAPS=" $(tr '\n' ' ' <<<"$out")"
}

# qemu_caps_ask: the capabilities, one a line, from QEMU_BIN itself.
qemu_caps_ask() {
	local d out
	out=$({
		printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"query-commands","id":"commands"}'
		for d in $QEMU_CAP_DEVICES; do
			printf '{"execute":"device-list-properties","arguments":{"typename":"%s"},"id":"device:%s"}\n' "$d" "$d"
		done
		printf '%s\n' '{"execute":"quit"}'
	} | timeout 20 "$QEMU_BIN" -machine none -nodefaults -no-user-config -display none "${QEMU_DATA_ARGS[@]}" -qmp stdio 2>&1) || {
		printf '%s\n' "$out" | tail -n 2 | tr '\n' ' '
		return 1
	}
	jq -r 'select(.id != null and .return != null)
		| if .id == "commands" then
			if any(.return[]; .name == "cxl-inject-general-media-event") then "cxl-events" else empty end
		else .id end' <<<"$out" 2>/dev/null || {
		printf 'QMP answered no JSON: %s\n' "${out:0:200}"
		return 1
	}
}

# The devices every guest needs (vm/lib/qemu.sh), whatever the backend.
readonly QEMU_BASE_DEVICES="virtio-serial-pci virtio-blk-pci"

# qemu_caps_usable: qemu_caps, and die (exit 3) when this QEMU lacks what
# every guest needs: no backend could run on it.
qemu_caps_usable() {
	local d cap
	qemu_caps
	for d in $QEMU_BASE_DEVICES; do
		cap=device:$d
		qemu_has "$cap" ||
			die "$(qemu_describe) has no ${QEMU_CAP_WHAT[$cap]}: every guest needs it, so no backend can run on this QEMU: give --qemu a newer one (Debian's: pmemlab qemu fetch backports, then --qemu backports)"
	done
}

# qemu_has CAP
qemu_has() {
	[[ $QEMU_CAPS == *" $1 "* ]]
}

# qemu_lacks CAP WHY: QEMU_MISSING, the sentence that says this QEMU lacks
# CAP, which WHY needs, and what has it; 1 when it has CAP.
qemu_lacks() {
	local cap=$1 why=$2 since=${QEMU_CAP_SINCE[$1]:-}
	qemu_has "$cap" && return 1
	QEMU_MISSING="QEMU $QEMU_VERSION has no ${QEMU_CAP_WHAT[$cap]:-$cap}; $why: use --qemu backports (pmemlab qemu fetch backports)${since:+ or QEMU >= $since}"
}
