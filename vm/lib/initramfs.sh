# shellcheck shell=bash disable=SC2034 # INITRAMFS_REUSED is read by the report
# Assemble the guest's initramfs from host binaries, their shared
# libraries, the kernel's modules and pmemlab's guest scripts. The image
# is cached under a key made of every input's path, size and mtime, so
# an unchanged setup reuses it.
#
# initramfs_build PROBE_BIN sets INITRAMFS (path of the cached cpio).

[[ -z ${_pmemlab_loaded_initramfs:-} ]] || return 0
_pmemlab_loaded_initramfs=1

# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"
# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"

# Modules every guest loads before its backend's, and after them.
readonly GUEST_BASE_MODULES=(virtio_pci virtio_console libnvdimm)
readonly GUEST_PMEM_MODULES=(nd_pmem)
# The plain virtio disks' driver: only for a fixture in group virtio-disk
# (exec's default xfs-dax has no disk, and each insmod costs under TCG).
readonly GUEST_DISK_MODULES=(virtio_blk)
# exec and shell: the host's root over 9p, with an overlay on top, and
# loop devices for the user (and for `pmemlab host` run in a guest).
readonly GUEST_USER_MODULES=(9pnet_virtio 9p overlay loop)
# exec and shell --fixture none: every PMem module, loaded before the
# user's command as a machine with PMem loads them at boot.
readonly GUEST_NONE_MODULES=(nd_btt dax_pmem device_dax kmem)

# guest_modules MODE BACKEND [FIXTURE...]: the modules a guest loads, in
# order: its backend's (vm/backends/NAME.sh) and its fixtures'
# (FIXTURE_MODULES). Each costs boot time under TCG (xfs.ko alone about
# 0.95 s), so a run of one tmpfs fixture loads no filesystem. No
# FIXTURE: all of them.
guest_modules() {
	local mode=$1 backend=$2
	shift 2
	# shellcheck disable=SC2046 # fixture names are words
	(($#)) || set -- $(fixture_names)
	local mods=("${GUEST_BASE_MODULES[@]}") f
	for f in "$@"; do
		fixture_ref "$f"
		[[ " ${FIXTURE_FIELDS["$FIXTURE_REF/GROUPS"]:-} " != *" virtio-disk "* ]] || {
			mods+=("${GUEST_DISK_MODULES[@]}")
			break
		}
	done
	# shellcheck disable=SC2206 # a space-separated list of module names
	mods+=(${BACKEND_MODULES[$backend]} "${GUEST_PMEM_MODULES[@]}")
	mapfile -t -O "${#mods[@]}" mods < <(fixture_modules "$@")
	[[ $mode == run ]] || mods+=("${GUEST_USER_MODULES[@]}")
	[[ $mode == run || " $* " != *" none "* ]] || mods+=("${GUEST_NONE_MODULES[@]}")
	printf '%s\n' "${mods[*]}"
}

# guest_modules_all: every module an image holds (each with what it
# depends on), for every backend, fixture and mode. A module the kernel
# lacks (or has built in) is noted, not fatal: fixtures skip with the reason.
guest_modules_all() {
	local b
	{
		printf '%s\n' "${GUEST_BASE_MODULES[@]}" "${GUEST_DISK_MODULES[@]}"
		# shellcheck disable=SC2046,SC2086 # names are words
		for b in $(backend_names); do
			printf '%s\n' ${BACKEND_MODULES[$b]}
		done
		printf '%s\n' "${GUEST_PMEM_MODULES[@]}"
		# shellcheck disable=SC2046 # fixture names are words
		fixture_modules $(fixture_names) "${!FIXTURE_USER[@]}"
		printf '%s\n' "${GUEST_USER_MODULES[@]}" "${GUEST_NONE_MODULES[@]}"
	} | uniq_lines
}

# Real tools by absolute path: the busybox shell would otherwise run its
# own applets of the same name (docs/KERNEL-NOTES.md, "Busybox applet trap").
readonly GUEST_BINARIES=(
	/usr/bin/ndctl /usr/bin/daxctl /usr/bin/cxl
	/usr/sbin/mke2fs /usr/sbin/mkfs.xfs /usr/sbin/xfs_io
	/usr/bin/jq
)

readonly INITRAMFS_FORMAT=4

# Print "SOURCE<TAB>DEST" for every file the image holds.
initramfs_inputs() {
	local probe=$1 bin lib busybox
	busybox=$(busybox_path) || exit
	printf '%s\t%s\n' "$busybox" /bin/busybox
	for bin in "${GUEST_BINARIES[@]}" "$probe"; do
		[[ -x $bin ]] || die "guest tool $bin is missing (run: scripts/install-deps)"
	done
	printf '%s\t%s\n' "$probe" /usr/bin/pmemprobe
	for bin in "${GUEST_BINARIES[@]}"; do
		printf '%s\t%s\n' "$bin" "$bin"
	done
	# Shared libraries and the dynamic loader, at their host paths.
	ldd "${GUEST_BINARIES[@]}" "$probe" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		sort -u | while read -r lib; do
		printf '%s\t%s\n' "$(realpath "$lib")" "$lib"
	done
	local f
	while IFS= read -r f; do
		printf '%s\t/pmemlab/%s\n' "$PMEMLAB_ROOT/$f" "$f"
	done < <(cd "$PMEMLAB_ROOT" && find vm/guest vm/backends fixtures -type f | sort)
	modules_inputs
}

# Module files, "SOURCE<TAB>DEST<TAB>MODULE": for each of guest_modules_all
# the files it needs, in load order (a shared dependency is listed under
# every module that needs it, and copied once).
modules_inputs() {
	local empty_conf mod line modprobe
	modprobe=$(kmod_tool modprobe) || exit
	empty_conf=$(mktemp -d)
	for mod in $(guest_modules_all); do
		# -C on an empty directory: ignore the host's modprobe.d
		# (Debian's libnvdimm install hook calls ndctl).
		"$modprobe" -d "$KERNEL_BASE" -S "$KERNEL_VERSION" -C "$empty_conf" \
			--show-depends "$mod" 2>/dev/null | while read -r line; do
			case $line in
			insmod\ *)
				line=${line#insmod }
				line=${line%% *}
				printf '%s\t%s\t%s\n' "$line" "/lib/modules/${line##*/}" "$mod"
				;;
			esac
		done
	done
	rmdir "$empty_conf"
}

# busybox_find: "PATH STATIC" of the busybox the guest would get: the
# first static one (STATIC true), else the first one at all (false);
# nothing when there is none. Looks only (doctor asks it too).
busybox_find() {
	local p first=''
	for p in /bin/busybox /usr/bin/busybox; do
		[[ -x $p ]] || continue
		# a static binary: ldd fails on it
		if ! ldd "$p" >/dev/null 2>&1; then
			printf '%s true\n' "$p"
			return
		fi
		[[ -n $first ]] || first=$p
	done
	[[ -z $first ]] || printf '%s false\n' "$first"
}

busybox_path() {
	local found
	found=$(busybox_find)
	[[ $found == *' true' ]] || die "a static busybox is needed for the guest (apt-get install busybox-static)"
	printf '%s\n' "${found% true}"
}

# The cache key: every direct input's path, size and mtime. Shared
# libraries come from packages, so dpkg's status file stands for them;
# modules.dep stands for the kernel's modules.
initramfs_key() {
	local probe=$1
	{
		printf 'format %s kernel %s %s\n' "$INITRAMFS_FORMAT" "$KERNEL_VERSION" "$KERNEL_BASE"
		# the modules it holds: a module added to a list is a new image
		# shellcheck disable=SC2046 # module names are words
		printf '%s ' $(guest_modules_all)
		printf '%s\n' "${GUEST_BINARIES[*]}"
		# one stat for every input: each process start counts (about 10 ms
		# here), and the key is computed at every run
		(cd "$PMEMLAB_ROOT" && stat -L -c '%n %s %Y' /bin/busybox "${GUEST_BINARIES[@]}" "$probe" \
			/var/lib/dpkg/status "$KERNEL_BASE/lib/modules/$KERNEL_VERSION/modules.dep" \
			vm/guest/* vm/backends/* fixtures/* 2>&1)
	} | sha256sum | {
		local sum
		read -r sum _
		printf '%s\n' "${sum:0:16}"
	}
}

initramfs_build() {
	local probe=$1 key dir
	key=$(initramfs_key "$probe")
	cache_ensure
	dir=$CACHE_PATH/initramfs
	INITRAMFS=$dir/$KERNEL_VERSION-$key.cpio
	INITRAMFS_REUSED=1
	if [[ ! -e $INITRAMFS ]]; then
		# Runs started together build it once: the others wait, then reuse it.
		cache_lock "initramfs-$KERNEL_VERSION"
		[[ -e $INITRAMFS ]] || initramfs_assemble "$probe" "$dir"
		cache_unlock
	fi
	# the time of last use, which initramfs_assemble's clean-up reads
	touch -c "$INITRAMFS"
}

# initramfs_assemble PROBE DIR: build $INITRAMFS (under the cache lock).
initramfs_assemble() {
	local probe=$1 dir=$2 inputs
	INITRAMFS_REUSED=0
	inputs=$(initramfs_inputs "$probe") || exit
	# A kernel with modules of which none resolved: say so, never boot a
	# guest that would skip every fixture for a host-side reason.
	if [[ -s $KERNEL_BASE/lib/modules/$KERNEL_VERSION/modules.dep && $inputs != *$'\t/lib/modules/'* ]]; then
		die "no guest module of kernel $KERNEL_VERSION could be resolved with modprobe -d $KERNEL_BASE"
	fi
	mkdir -p "$dir"
	step "building initramfs for $KERNEL_VERSION"
	local stage
	stage=$(mktemp -d "$dir/.stage.XXXXXX") || die "cannot create a staging directory in $dir"
	initramfs_stage "$stage" "$inputs" || {
		rm -rf "$stage"
		die "cannot assemble the initramfs in $stage"
	}
	(cd "$stage/root" && find . -print0 | LC_ALL=C sort -z |
		cpio --quiet -o -0 -H newc -R 0:0 >"$stage/image.cpio") ||
		{
			rm -rf "$stage"
			die "cpio failed writing $stage/image.cpio (disk full?)"
		}
	mv "$stage/image.cpio" "$INITRAMFS"
	rm -rf "$stage"
	# Old images of this kernel are dead weight, once no run has used
	# them for a while (another checkout's run may be about to).
	find "$dir" -maxdepth 1 -name "$KERNEL_VERSION-*.cpio" ! -path "$INITRAMFS" -mmin +10 -delete
}

# module_drop_signature KO: cut the signature appended to a module (its
# code is untouched). The guest kernel checks it at every insmod, and
# under TCG that was 0.3 s of the 1.2 s that loading a full run's modules
# takes (docs/KERNEL-NOTES.md, "TCG timings"). Without it the kernel
# notes "module verification failed" and taints itself 'E' once; it
# enforces signatures only with module.sig_enforce or lockdown, which
# pmemlab's guests do not set.
readonly MODULE_SIG_MAGIC='~Module signature appended~'
module_drop_signature() {
	local ko=$1 size info len
	# $(...) drops the magic's closing newline
	[[ $(tail -c 28 "$ko") == "$MODULE_SIG_MAGIC" ]] || return 0
	size=$(stat -c %s "$ko")
	# struct module_signature (12 bytes) ends in the signature's length,
	# big-endian; the signature comes before it
	info=$(od -An -tu1 -v -j $((size - 40)) -N 12 "$ko") || return
	read -r -a info <<<"$info"
	len=$(((info[8] << 24) | (info[9] << 16) | (info[10] << 8) | info[11]))
	((len > 0 && len + 40 < size)) || return 0
	truncate -s $((size - 40 - len)) "$ko"
}

initramfs_stage() {
	local stage=$1 inputs=$2 root=$1/root src dest mod ko
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,mnt,etc,lib/modules/sets,pmemlab} || return
	while IFS=$'\t' read -r src dest mod; do
		ko=${dest%.xz} ko=${ko%.zst} ko=${ko%.gz}
		# the load order of each module, by file name, for the guest's init
		[[ -z $mod ]] || printf '%s\n' "${ko##*/}" >>"$root/lib/modules/sets/$mod" || return
		[[ ! -e $root$ko ]] || continue
		mkdir -p "$root${dest%/*}" || return
		case $src in
		*.ko.xz) xz -dc "$src" >"$root$ko" || return ;;
		*.ko.zst) zstd -qdc "$src" >"$root$ko" || return ;;
		*.ko.gz) gzip -dc "$src" >"$root$ko" || return ;;
		*) cp -L "$src" "$root$dest" || return ;;
		esac
		[[ $ko != *.ko ]] || module_drop_signature "$root$ko" || return
	done <<<"$inputs"
	# busybox applets, except names a real tool in the image provides.
	local applet
	for applet in $("$root/bin/busybox" --list); do
		[[ -e $root/bin/$applet || -e $root/sbin/$applet || -e $root/usr/bin/$applet || -e $root/usr/sbin/$applet ]] ||
			ln -s busybox "$root/bin/$applet"
	done
	ln -sf /pmemlab/vm/guest/init "$root/init"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
}
