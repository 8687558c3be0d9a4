# shellcheck shell=sh
# What a test host has beyond the kernel's own filesystems, in the user's
# root (exec and shell): /dev/shm (POSIX semaphores and shared memory:
# sem_open), /dev/hugepages and /dev/mqueue, and a throw-away /etc.
# Device nodes: devtmpfs makes every node the kernel names (/dev/pmemN,
# /dev/daxX.Y, /dev/dm-N); device-mapper's /dev/mapper/NAME is made by
# libdevmapper itself, as DM_DISABLE_UDEV=1 in the command's environment
# asks (there is no udev to make it), and made udev's symlink by the
# dmsetup first on PATH (vm/guest/dmsetup).

# mount_user_dev: the /dev mounts, on the /dev bound into $NEWROOT.
mount_user_dev() {
	mkdir -p "$NEWROOT/dev/shm" "$NEWROOT/dev/hugepages" "$NEWROOT/dev/mqueue"
	mount -t tmpfs -o mode=1777,nosuid,nodev shm "$NEWROOT/dev/shm" || return 1
	# no hugetlbfs or mqueue in the kernel: the directory stays empty
	mount -t hugetlbfs -o mode=1770 hugetlbfs "$NEWROOT/dev/hugepages" 2>/dev/null ||
		log "no hugetlbfs in this kernel: /dev/hugepages is an empty directory"
	mount -t mqueue mqueue "$NEWROOT/dev/mqueue" 2>/dev/null || :
}

# writable_etc: the host's /etc with a tmpfs upper layer: a command may
# add users (useradd) or edit configuration; the host's files stay as
# they are and the changes end with the guest.
writable_etc() {
	overlay_host_dir /etc etc-rw
}
