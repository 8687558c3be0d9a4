# shellcheck shell=sh
# The guest kernel's own module tree at /lib/modules/$(uname -r) in the
# user's root (exec and shell), so modprobe, modinfo and the kernel's
# module autoload work as on a machine booted with that kernel. The tree
# is the host's cached copy (PMEMLAB_MODULES_TREE in run.conf), seen
# through the 9p host root that is mounted already and bound read-only:
# nothing is copied into the initramfs, and the host's kmod (which reads
# .ko, .ko.xz and .ko.zst) loads from it.

# modules_dir_in_root: where /lib/modules is inside $NEWROOT, through a
# usr-merged /lib symlink (Debian 12: /lib -> usr/lib).
modules_dir_in_root() {
	lib=$NEWROOT/lib
	if [ -L "$lib" ]; then
		t=$(readlink "$lib")
		case $t in
		/*) lib=$NEWROOT$t ;;
		*) lib=$NEWROOT/$t ;;
		esac
	fi
	echo "$lib/modules"
}

# share_module_tree: the tree at /lib/modules/VERSION in $NEWROOT, over
# an empty tmpfs /lib/modules (the host's own kernels' trees are of no
# use in the guest), and the kernel's autoload helper pointed at it.
share_module_tree() {
	tree=${PMEMLAB_MODULES_TREE:-}
	# uname -r without its process start (20-60 ms under TCG)
	read -r release </proc/sys/kernel/osrelease
	if [ -z "$tree" ] || [ ! -d "$HOSTVIEW$tree" ]; then
		log "no module tree for $release on the host (${tree:-none}): modprobe in the guest finds nothing"
		return 0
	fi
	dir=$(modules_dir_in_root)
	if [ ! -d "$dir" ]; then
		# a host without /lib/modules: a writable overlay on its parent
		parent=${dir%/modules}
		overlay_host_dir "${parent#"$NEWROOT"}" modules-parent && mkdir -p "$dir" || return 1
	fi
	mount -t tmpfs -o mode=0755 modules "$dir" &&
		mkdir "$dir/$release" &&
		mount -o bind "$HOSTVIEW$tree" "$dir/$release" || return 1
	# request_module() runs this helper from the guest's own root
	echo /pmemlab/vm/guest/modprobe >/proc/sys/kernel/modprobe
}
