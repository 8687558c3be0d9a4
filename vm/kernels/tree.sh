# shellcheck shell=bash disable=SC2034 # KSOURCE_* and KERNEL_* are read by vm/lib/kernel.sh
# tree: a kernel build tree (a directory where `make` ran, or its O=
# directory), used as built: Makefile and .config, the image
# (arch/x86/boot/bzImage, or a vmlinux with a PVH entry note), the
# release (include/config/kernel.release), and the modules modules.order
# lists. Needs no make and no root: the image, the .config and the
# modules (hard links when the cache is on the tree's filesystem, else
# copies) are laid out in the cache as `make modules_install` would
# (kernel/PATH.ko, modules.order, modules.builtin(.modinfo)), then depmod.
# The cache entry (kernels/tree-PATHKEY-BUILDKEY) is keyed on the size
# and time of every file the build wrote that is used: a rebuilt tree
# gets a new entry and the tree's older entries are removed; an unchanged
# tree reuses its entry. The id is the tree's absolute path.

# shellcheck source=vm/lib/vmlinux.sh
. "$PMEMLAB_ROOT/vm/lib/vmlinux.sh"

KSOURCE_DESC["tree"]="a built kernel tree: DIR where make ran (its bzImage or PVH vmlinux, .config and modules; ./DIR when its name is a kernel name)"
KSOURCE_RANK["tree"]=30

tree_kernel_match() {
	[[ -d $1 ]]
}

tree_kernel_id() {
	tree_check "$1"
	realpath -- "$1"
}

tree_kernel_resolve() {
	local dir=$1 key root
	tree_check "$dir"
	key=$(tree_key "$dir")
	cache_ensure
	root=$CACHE_PATH/kernels/tree-$key
	if [[ ! -e $root/.complete ]]; then
		cache_lock "kernel-tree-${key%%-*}"
		[[ -e $root/.complete ]] || tree_install "$dir" "$root" "${key%%-*}"
		cache_unlock
	fi
	KERNEL_VERSION=$TREE_RELEASE
	KERNEL_BASE=$root
	KERNEL_IMAGE=$root/boot/vmlinuz-$KERNEL_VERSION
	[[ -e $KERNEL_IMAGE ]] || KERNEL_IMAGE=$root/boot/vmlinux-$KERNEL_VERSION
	[[ ! -e $root/boot/vmlinux-$KERNEL_VERSION ]] || KERNEL_VMLINUX=$root/boot/vmlinux-$KERNEL_VERSION
	KERNEL_DESC="tree:$KERNEL_VERSION"
	KERNEL_ORIGIN=$(tree_origin "$dir")
}

# tree_check DIR: a built tree, or exit 2 saying what is missing. Sets
# TREE_RELEASE, TREE_BZIMAGE and TREE_VMLINUX (each "" when absent;
# TREE_VMLINUX only when it has the PVH entry note) and TREE_MODULES
# (the .ko files modules.order lists, relative to DIR).
tree_check() {
	local dir=${1%/} missing=() why
	TREE_RELEASE='' TREE_BZIMAGE='' TREE_VMLINUX='' TREE_MODULES=()
	[[ -f $dir/Makefile ]] || missing+=(Makefile)
	[[ -f $dir/.config ]] || missing+=(.config)
	((${#missing[@]} == 0)) ||
		usage_die "'$1' is no kernel build tree: it has $(tree_none "${missing[@]}") (give the directory where make ran, or its O= directory)"
	[[ ! -f $dir/arch/x86/boot/bzImage ]] || TREE_BZIMAGE=$dir/arch/x86/boot/bzImage
	if [[ -f $dir/vmlinux ]]; then
		if why=$(vmlinux_has_pvh "$dir/vmlinux"); then
			TREE_VMLINUX=$dir/vmlinux
		elif [[ -z $TREE_BZIMAGE ]]; then
			usage_die "kernel tree '$1' has no arch/x86/boot/bzImage, and its vmlinux cannot boot alone: $why (make bzImage)"
		fi
	fi
	[[ -n $TREE_BZIMAGE || -n $TREE_VMLINUX ]] || missing+=("arch/x86/boot/bzImage (nor vmlinux)")
	[[ -s $dir/include/config/kernel.release ]] || missing+=(include/config/kernel.release)
	((${#missing[@]} == 0)) ||
		usage_die "kernel tree '$1' is not built: it has $(tree_none "${missing[@]}") (run make)"
	TREE_RELEASE=$(head -n 1 "$dir/include/config/kernel.release")
	local image_release
	if [[ -n $TREE_BZIMAGE ]]; then
		image_release=$(bzimage_version "$TREE_BZIMAGE") ||
			usage_die "kernel tree '$1': arch/x86/boot/bzImage is not a bzImage (no Linux boot header)"
		[[ $image_release == "$TREE_RELEASE" ]] ||
			usage_die "kernel tree '$1' is half built: arch/x86/boot/bzImage is $image_release, include/config/kernel.release says $TREE_RELEASE (run make)"
	fi
	tree_modules "$1"
}

# tree_none WHAT...: "no A and no B".
tree_none() {
	local out="no $1"
	shift
	(($# == 0)) || out+=" and no $1"
	printf '%s\n' "$out"
}

# tree_modules DIR: TREE_MODULES from modules.order (.ko paths up to
# Linux 6.1, .o paths since 6.2); exit 2 when the .config has modules
# that were not built.
tree_modules() {
	local dir=${1%/} line missing=()
	if [[ ! -f $dir/modules.order ]]; then
		grep -q '^CONFIG_MODULES=y' "$dir/.config" &&
			usage_die "kernel tree '$1' has CONFIG_MODULES=y but no modules.order: its modules are not built (make modules)"
		return 0
	fi
	while IFS= read -r line; do
		[[ -n $line ]] || continue
		line=${line%.o}
		line=${line%.ko}.ko
		if [[ -f $dir/$line ]]; then
			TREE_MODULES+=("$line")
		else
			missing+=("$line")
		fi
	done <"$dir/modules.order"
	((${#missing[@]} == 0)) ||
		usage_die "kernel tree '$1': modules.order lists ${#missing[@]} module(s) that are not built, first ${missing[0]} (make modules)"
}

# tree_key DIR: PATHKEY-BUILDKEY: the tree's path, and the size and time
# of each file of its build that the cache entry is made of.
tree_key() {
	local dir=${1%/} path
	path=$(realpath -- "$dir" | sha256sum)
	printf '%s-' "${path:0:8}"
	(cd "$dir" && stat -L -c '%n %s %Y' .config include/config/kernel.release \
		${TREE_BZIMAGE:+arch/x86/boot/bzImage} ${TREE_VMLINUX:+vmlinux} \
		modules.order modules.builtin modules.builtin.modinfo "${TREE_MODULES[@]}" 2>&1) |
		sha256sum | cut -c1-16
}

# tree_install DIR ROOT PATHKEY: the tree's kernel into ROOT, in the
# layout `make modules_install` gives, then the tree's older entries out.
tree_install() {
	local dir=${1%/} root=$2 pathkey=$3 tmp stage moddir v=$TREE_RELEASE
	tmp=$(kernel_stage_dir "$root")
	stage=$tmp/root
	moddir=$stage/lib/modules/$v
	step "laying out kernel tree $dir ($v, ${#TREE_MODULES[@]} modules) in the cache"
	mkdir -p "$stage/boot" "$moddir/kernel" || kernel_stage_die "$tmp" "cannot write in $tmp"
	[[ -z $TREE_BZIMAGE ]] || cp "$TREE_BZIMAGE" "$stage/boot/vmlinuz-$v" ||
		kernel_stage_die "$tmp" "cannot copy $TREE_BZIMAGE"
	# the vmlinux boots through PVH without a decompressor; its symbols
	# and debug information stay in the tree
	[[ -z $TREE_VMLINUX ]] || objcopy --strip-all "$TREE_VMLINUX" "$stage/boot/vmlinux-$v" ||
		kernel_stage_die "$tmp" "cannot copy $TREE_VMLINUX (objcopy --strip-all)"
	cp "$dir/.config" "$stage/boot/config-$v" || kernel_stage_die "$tmp" "cannot copy $dir/.config"
	if ((${#TREE_MODULES[@]})); then
		# one cp for all: hard links on the same filesystem (the key
		# changes when the build rewrites a module), else copies
		if ! (cd "$dir" && printf '%s\0' "${TREE_MODULES[@]}" | xargs -0 cp -l --parents -t "$moddir/kernel" -- 2>/dev/null); then
			(cd "$dir" && printf '%s\0' "${TREE_MODULES[@]}" | xargs -0 cp -f --parents -t "$moddir/kernel" --) ||
				kernel_stage_die "$tmp" "cannot copy the modules of $dir"
		fi
		printf 'kernel/%s\n' "${TREE_MODULES[@]}" >"$moddir/modules.order"
	fi
	local f
	for f in modules.builtin modules.builtin.modinfo; do
		[[ ! -f $dir/$f ]] || cp "$dir/$f" "$moddir/" || kernel_stage_die "$tmp" "cannot copy $dir/$f"
	done
	kernel_layout_commit "$stage" "$root" "$v" "kernel tree '$dir'" "$tmp"
	rm -rf "$tmp"
	for f in "${root%/*}/tree-$pathkey"-*; do
		[[ $f == "$root" || ! -d $f ]] || rm -rf "$f"
	done
}

# tree_origin DIR: "tree PATH at COMMIT" (and " (dirty)" when tracked
# files differ from it) for the top of a git work tree, else "tree PATH".
tree_origin() {
	local dir top commit state=0
	dir=$(realpath -- "$1")
	local git=(git -c "safe.directory=$dir" -C "$dir")
	if command -v git >/dev/null && top=$("${git[@]}" rev-parse --show-toplevel 2>/dev/null) &&
		[[ $top -ef $dir ]] && commit=$("${git[@]}" rev-parse --short=12 HEAD 2>/dev/null); then
		"${git[@]}" diff --quiet HEAD -- 2>/dev/null || state=$?
		case $state in
		0) printf 'tree %s at %s\n' "$dir" "$commit" ;;
		1) printf 'tree %s at %s (dirty)\n' "$dir" "$commit" ;;
		*) printf 'tree %s at %s (state unknown)\n' "$dir" "$commit" ;;
		esac
		return
	fi
	printf 'tree %s\n' "$dir"
}
