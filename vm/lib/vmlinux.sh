# shellcheck shell=bash disable=SC2034 # KERNEL_BOOT* are read by qemu.sh and the report
# The image QEMU boots. A bzImage spends its first seconds under TCG in
# its own decompressor (xz: 3.7 s to the first kernel line here); the
# uncompressed vmlinux inside it, booted directly through its PVH entry
# (Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY), prints its first line at about
# 1 s (docs/KERNEL-NOTES.md, "TCG timings"). It is extracted once per
# kernel into the cache and used only when it has that note; a kernel
# source that has it already (a build tree's) gives it as KERNEL_VMLINUX.
#
# vmlinux_choose sets KERNEL_BOOT (the file for -kernel) and
# KERNEL_BOOT_KIND (pvh or bzimage) from KERNEL_IMAGE.

[[ -z ${_pmemlab_loaded_vmlinux:-} ]] || return 0
_pmemlab_loaded_vmlinux=1

: "${PMEMLAB_PVH:=1}"

vmlinux_choose() {
	KERNEL_BOOT=$KERNEL_IMAGE KERNEL_BOOT_KIND=bzimage
	# the source's own vmlinux (a build tree's), or an image that is one
	if [[ -n ${KERNEL_VMLINUX:-} && ($PMEMLAB_PVH == 1 || $KERNEL_IMAGE == "$KERNEL_VMLINUX") ]]; then
		KERNEL_BOOT=$KERNEL_VMLINUX KERNEL_BOOT_KIND=pvh
		return 0
	fi
	[[ $PMEMLAB_PVH == 1 ]] || return 0
	local dir key elf
	cache_location
	dir=$CACHE_PATH/vmlinux
	key=$(stat -L -c '%n %s %Y' "$KERNEL_IMAGE" | sha256sum)
	elf=$dir/$KERNEL_VERSION-${key:0:16}.elf
	if [[ ! -e $elf && ! -e $elf.none ]]; then
		mkdir -p "$dir" || die "cannot create $dir"
		cache_lock "vmlinux-$KERNEL_VERSION"
		[[ -e $elf || -e $elf.none ]] || vmlinux_extract "$KERNEL_IMAGE" "$elf"
		cache_unlock
	fi
	if [[ -e $elf ]]; then
		KERNEL_BOOT=$elf KERNEL_BOOT_KIND=pvh
	fi
}

# vmlinux_extract BZIMAGE ELF: write ELF, or ELF.none (with the reason)
# when the image holds no vmlinux that QEMU can boot through PVH.
vmlinux_extract() {
	local image=$1 elf=$2 tmp why
	tmp=$(mktemp "$elf.XXXXXX") || die "cannot write in ${elf%/*}"
	if why=$(vmlinux_payload "$image" >"$tmp") && why=$(vmlinux_has_pvh "$tmp"); then
		mv "$tmp" "$elf"
	else
		rm -f "$tmp"
		step "booting the bzImage: ${why:-its payload could not be read}"
		printf '%s\n' "${why:-no payload}" >"$elf.none"
	fi
}

# vmlinux_payload BZIMAGE: the decompressed payload on stdout. Boot
# protocol 2.08+: the payload starts payload_offset (0x248) bytes into
# the protected-mode part, which follows (setup_sects + 1) * 512 bytes
# (setup_sects at 0x1f1; 0 means 4); payload_length is at 0x24c.
vmlinux_payload() {
	local image=$1 sects off len start magic
	sects=$(od -An -tu1 -j 0x1f1 -N 1 "$image" | tr -d ' ')
	((sects)) || sects=4
	off=$(od -An -tu4 -j 0x248 -N 4 "$image" | tr -d ' ')
	len=$(od -An -tu4 -j 0x24c -N 4 "$image" | tr -d ' ')
	[[ $off =~ ^[0-9]+$ && $len =~ ^[1-9][0-9]*$ ]] || {
		echo "no payload in the boot header"
		return 1
	}
	start=$(((sects + 1) * 512 + off))
	magic=$(od -An -tx1 -j "$start" -N 4 "$image" | tr -d ' ')
	# the payload's last 4 bytes are the decompressed size, not part of
	# the stream: decompressors that see them as trailing data only warn
	local slice=(dd "if=$image" bs=1M iflag=skip_bytes,count_bytes "skip=$start" status=none)
	# gzip and xz may complain about the trailing size: the ELF check decides
	case $magic in
	fd377a58) "${slice[@]}" "count=$len" | xz -dc --single-stream 2>/dev/null || true ;;
	28b52ffd) "${slice[@]}" "count=$((len - 4))" | zstd -qdc 2>/dev/null || true ;;
	1f8b*) "${slice[@]}" "count=$len" | gzip -dc 2>/dev/null || true ;;
	*)
		echo "payload compressed with an unknown method (magic $magic)"
		return 1
		;;
	esac
}

# vmlinux_has_pvh FILE: an ELF with the PVH entry note, or say why not.
vmlinux_has_pvh() {
	local file=$1 notes
	[[ $(od -An -c -N 4 "$file" | tr -d ' ') == 177ELF ]] || {
		echo "the payload is not an ELF file"
		return 1
	}
	notes=$(readelf -n "$file" 2>/dev/null) || {
		echo "readelf cannot read the payload's notes"
		return 1
	}
	# readelf names it only when it knows Xen's note types
	[[ $notes == *XEN_ELFNOTE_PHYS32_ENTRY* || $notes == *"Unknown note type: (0x00000012)"* ]] ||
		{
			echo "the vmlinux has no PVH entry note (CONFIG_PVH)"
			return 1
		}
}
