# shellcheck shell=sh
# The host's root filesystem as the root of the user's command (exec and
# shell), so host programs run with their own shared libraries: the host's
# / comes over 9p read-only and becomes $NEWROOT, with the guest's own
# /proc, /sys, /dev, a scratch /tmp, /run and /mnt, and the fixture's
# mount on top. $HOME gets a tmpfs overlay so it is writable scratch over
# the host's files. $HOSTVIEW shows the host's / as it is (the source of
# binds and overlays), whatever the guest mounted on top of $NEWROOT.

NEWROOT=/newroot
HOSTVIEW=/host
# What the guest mounts over the host's root.
GUEST_MOUNTS='proc sys dev run tmp mnt'

mount_9p() {
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=262144,$3" "$1" "$2"
}

build_host_root() {
	mkdir -p /host
	# cache=loose: the read-only host root is looked up, not changed; every
	# lookup otherwise is a 9p round trip (PATH and ld.so searches)
	mount_9p hostroot /host ro,cache=loose || return 1
	if host_has_mount_points; then
		# the 9p mount itself is the root: a dozen process starts, where
		# a bind per top-level directory took about 50 (1 s under TCG)
		mkdir /hostview && mount -o bind /host /hostview || return 1
		HOSTVIEW=/hostview
		ln -s /host "$NEWROOT"
	else
		bind_host_entries || return 1
	fi
	mount -o bind /proc "$NEWROOT/proc"
	# rbind: tracefs on /sys/kernel/tracing comes along (DAX fault sizes)
	mount -o rbind /sys "$NEWROOT/sys"
	mount -o bind /dev "$NEWROOT/dev"
	mount -o bind /dev/pts "$NEWROOT/dev/pts"
	mount -t tmpfs -o mode=1777 tmpfs "$NEWROOT/tmp"
	mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT/run"
	mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT/mnt"
	# the probe the host built, whether or not the host installed it
	mkdir -p "$NEWROOT/run/pmemlab/bin"
	cp /usr/bin/pmemprobe "$NEWROOT/run/pmemlab/bin/"
}

# host_has_mount_points: the host's / has a directory for each of
# GUEST_MOUNTS (a read-only 9p root cannot get one made).
host_has_mount_points() {
	for d in $GUEST_MOUNTS; do
		[ -d "/host/$d" ] || return 1
	done
}

# bind_host_entries: a tmpfs $NEWROOT with the host's top-level entries
# bound in, and directories for GUEST_MOUNTS.
bind_host_entries() {
	mkdir -p "$NEWROOT" && mount -t tmpfs -o mode=0755 tmpfs "$NEWROOT" || return 1
	for entry in /host/*; do
		name=${entry##*/}
		case " $GUEST_MOUNTS " in *" $name "*) continue ;; esac
		if [ -L "$entry" ]; then
			ln -s "$(readlink "$entry")" "$NEWROOT/$name"
		elif [ -d "$entry" ]; then
			mkdir "$NEWROOT/$name"
			mount -o bind "$entry" "$NEWROOT/$name"
		fi
	done
	for d in $GUEST_MOUNTS; do
		mkdir -p "$NEWROOT/$d"
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
