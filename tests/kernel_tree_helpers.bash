# shellcheck shell=bash
# A stand-in for a built kernel tree (`make` ran in it), made from the
# Debian kernel the suite's cache holds (pkg_source_kernel in
# tests/kernel_package_helpers.bash): its vmlinuz as arch/x86/boot/bzImage,
# its config as .config, its release in include/config/kernel.release,
# the modules the named ones need at their tree paths, listed in
# modules.order as Linux 6.1 lists them, and its modules.builtin(.modinfo).

# tree_standin DIR MODULE...: the stand-in in DIR, with MODULE... and
# what they depend on.
tree_standin() {
	local dir=$1 empty p rel
	shift
	mkdir -p "$dir/arch/x86/boot" "$dir/include/config"
	printf '# a stand-in for a kernel build tree (tests/kernel_tree_helpers.bash)\n' >"$dir/Makefile"
	cp "$KROOT/boot/vmlinuz-$KVER" "$dir/arch/x86/boot/bzImage"
	cp "$KROOT/boot/config-$KVER" "$dir/.config"
	printf '%s\n' "$KVER" >"$dir/include/config/kernel.release"
	empty=$(mktemp -d)
	: >"$dir/modules.order"
	while IFS= read -r p; do
		rel=${p#"$KROOT/lib/modules/$KVER/kernel/"}
		mkdir -p "$dir/${rel%/*}"
		cp "$p" "$dir/$rel"
		printf '%s\n' "$rel" >>"$dir/modules.order"
	done < <(
		for m in "$@"; do
			/usr/sbin/modprobe -d "$KROOT" -S "$KVER" -C "$empty" --show-depends "$m" |
				sed -n 's/^insmod \([^ ]*\).*/\1/p'
		done | awk '!seen[$0]++'
	)
	rmdir "$empty"
	cp "$KROOT/lib/modules/$KVER"/modules.builtin{,.modinfo} "$dir/"
}

# tree_standin_vmlinux DIR: the stand-in's vmlinux (the one its bzImage
# holds, which has the PVH entry note), as `make` leaves it beside the
# bzImage: the one runs extracted into the shared cache when there is
# one (linked, never changed), else extracted here.
tree_standin_vmlinux() {
	local shared=${PMEMLAB_SHARED_CACHE:-$HOME/.cache/pmemlab} key root
	key=$(stat -L -c '%n %s %Y' "$KROOT/boot/vmlinuz-$KVER" | sha256sum)
	if [[ -s $shared/vmlinux/$KVER-${key:0:16}.elf ]]; then
		cp -l "$shared/vmlinux/$KVER-${key:0:16}.elf" "$1/vmlinux" 2>/dev/null ||
			cp "$shared/vmlinux/$KVER-${key:0:16}.elf" "$1/vmlinux"
		return
	fi
	root=$(readlink -f "$BATS_TEST_DIRNAME/..")
	(
		export PMEMLAB_ROOT=$root
		. "$root/scripts/lib/common.sh"
		. "$root/vm/lib/vmlinux.sh"
		vmlinux_payload "$1/arch/x86/boot/bzImage"
	) >"$1/vmlinux"
}
