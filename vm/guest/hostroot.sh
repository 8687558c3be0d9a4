# shellcheck shell=sh
# The host's root filesystem as the root of the user's command (exec and
# shell), so host programs run with their own shared libraries: the host's
# / comes over 9p read-only, its top-level entries go into a tmpfs
# /newroot (directories bound, symlinks copied), and the guest's own
# /proc, /sys, /dev, a scratch /tmp, /run and /mnt, and the fixture's
# mount are added. $HOME gets a tmpfs overlay so it is writable scratch
# over the host's files. $HOSTVIEW is the host's / as it is (the source
# of binds and overlays).

NEWROOT=/newroot
HOSTVIEW=/host
# What the guest mounts in the new root instead of the host's.
GUEST_MOUNTS='proc sys dev run tmp mnt'

mount_9p() {
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144,$3" "$1" "$2"
}

build_host_root() {
	mkdir -p /host "$NEWROOT"
	# cache=loose: the read-only host root is looked up, not changed; every
	# lookup otherwise is a 9p round trip (PATH and ld.so searches)
	mount_9p hostroot /host ro,cache=loose || return 1
	mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT" || return 1
	bind_host_entries || return 1
	mount -o bind /proc "$NEWROOT/proc"
	# rbind: tracefs on /sys/kernel/tracing comes along (DAX fault sizes)
	mount -o rbind /sys "$NEWROOT/sys"
	mount -o bind /dev "$NEWROOT/dev"
	mount -o bind /dev/pts "$NEWROOT/dev/pts"
	mount -t tmpfs -o mode=1777 tmpfs "$NEWROOT/tmp"
	mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT/run"
	mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT/mnt"
	# the probe the host built, whether or not the host installed it; the
	# dmsetup that leaves /dev/mapper as udev would (vm/guest/dmsetup)
	mkdir -p "$NEWROOT/run/pmemlab/bin"
	cp /usr/bin/pmemprobe /pmemlab/vm/guest/dmsetup "$NEWROOT/run/pmemlab/bin/"
}

# bind_host_entries: the host's top-level entries in $NEWROOT, with a
# few process starts in all, where one per entry and step took about 50
# (1.3 s of a TCG guest on a loaded host): the symlinks (bin -> usr/bin)
# copied by one cp, so that they resolve in the guest (a 9p symlink is
# read from the host at every lookup: every exec and ld.so search), the
# directories made by one mkdir and bound by one mount -a of a table. A
# name with a blank or a backslash (which the table would need escaped)
# gets its own mount.
bind_host_entries() {
	fstab=/run/hostroot.fstab
	: >"$fstab"
	set --
	for entry in /host/*; do
		name=${entry##*/}
		case " $GUEST_MOUNTS " in *" $name "*) continue ;; esac
		[ -L "$entry" ] && set -- "$@" "$entry"
	done
	[ $# = 0 ] || cp -a "$@" "$NEWROOT/" || return 1
	set --
	for d in $GUEST_MOUNTS; do
		set -- "$@" "$NEWROOT/$d"
	done
	for entry in /host/*; do
		name=${entry##*/}
		case " $GUEST_MOUNTS " in *" $name "*) continue ;; esac
		if [ -L "$entry" ] || [ ! -d "$entry" ]; then continue; fi
		set -- "$@" "$NEWROOT/$name"
		case $name in
		*[[:space:]\\]*) ;;
		*) echo "$entry $NEWROOT/$name none bind 0 0" >>"$fstab" ;;
		esac
	done
	mkdir "$@" || return 1
	[ ! -s "$fstab" ] || mount -a -T "$fstab" || return 1
	for entry in /host/*; do
		name=${entry##*/}
		case $name in
		*[[:space:]\\]*) [ -L "$entry" ] || [ ! -d "$entry" ] || mount -o bind "$entry" "$NEWROOT/$name" || return 1 ;;
		esac
	done
}

# show_host_dir DIR: the host's DIR where the guest put its own scratch
# (a current directory under /tmp, /run or /mnt), read-only; /tmp itself
# as an overlay, so that the scratch /tmp programs write to stays writable.
show_host_dir() {
	case $1 in
	/tmp) overlay_host_dir /tmp tmp-rw ;;
	/tmp/* | /run/* | /mnt/*)
		mkdir -p "$NEWROOT$1" && mount -o bind "$HOSTVIEW$1" "$NEWROOT$1"
		;;
	esac
}

# overlay_host_dir DIR NAME: the host's DIR with a tmpfs upper layer
# (/run/NAME): writable in the guest, the host's files untouched.
overlay_host_dir() {
	mkdir -p "/run/$2/upper" "/run/$2/work" &&
		mount -t overlay overlay \
			-o "lowerdir=$HOSTVIEW$1,upperdir=/run/$2/upper,workdir=/run/$2/work" "$NEWROOT$1"
}

# writable_home DIR: a tmpfs overlay on the host's DIR, also where the
# guest's own scratch (/tmp, /run, /mnt) would hide it (a CI runner's
# HOME under /tmp).
writable_home() {
	home=$1
	[ -n "$home" ] || return 0
	case $home in
	/tmp/* | /run/* | /mnt/*) [ ! -d "$HOSTVIEW$home" ] || mkdir -p "$NEWROOT$home" ;;
	esac
	[ -d "$NEWROOT$home" ] || return 0
	overlay_host_dir "$home" home-rw || log "cannot overlay $home: it stays read-only"
}

# move_fixture_into_root DIR: the fixture mounted at DIR moves into the new root.
move_fixture_into_root() {
	mkdir -p "$NEWROOT$1" && mount -o move "$1" "$NEWROOT$1"
}

# share_rw_dir DIR: the host's DIR, writable (exec/shell --rw).
share_rw_dir() {
	[ -n "$1" ] || return 0
	mkdir -p "$NEWROOT$1" 2>/dev/null
	mount_9p hostrw "$NEWROOT$1" rw
}
