# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# image: a kernel image file the user built or extracted (a bzImage or a
# distribution's vmlinuz), used where it is, with its modules from
# --modules DIR or found beside it (lib/modules or usr/lib/modules).

KSOURCE_DESC["image"]="a path to a bzImage/vmlinuz (modules from --modules DIR or beside it)"
KSOURCE_RANK["image"]=90

# Any path that is no package file and no directory (those have sources
# of their own, ranked before this one).
image_kernel_match() {
	[[ $1 == */* ]]
}

image_kernel_id() {
	[[ -f $1 && -r $1 ]] || usage_die "kernel image '$1' does not exist or is not readable"
	realpath -- "$1"
}

image_kernel_resolve() {
	local image=$1
	[[ -f $image && -r $image ]] || usage_die "kernel image '$image' does not exist or is not readable"
	KERNEL_VERSION=$(bzimage_version "$image") ||
		usage_die "'$image' is not a bzImage (no Linux boot header)"
	KERNEL_IMAGE=$(realpath "$image")
	KERNEL_DESC="image:$KERNEL_VERSION"
	if KERNEL_BASE=$(kernel_image_modules_base "$KERNEL_IMAGE" "$KERNEL_VERSION"); then
		kernel_ensure_depmod
		KERNEL_ORIGIN=$(image_kernel_origin "$KERNEL_IMAGE" "$KERNEL_BASE")
		return
	fi
	usage_die "no modules tree for kernel $KERNEL_VERSION: looked for lib/modules/$KERNEL_VERSION and usr/lib/modules/$KERNEL_VERSION beside '$image' and under --modules DIR (make modules_install INSTALL_MOD_PATH=DIR)"
}

# image_kernel_origin IMAGE [BASE]: the report's line for an image (kconfig
# asks it too, without resolving).
image_kernel_origin() {
	printf 'image: %s%s\n' "$1" "${2:+, modules from ${2%/}/lib/modules}"
}
