#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# Kernel build trees by path (vm/kernels/tree.sh): a stand-in tree made
# from the cached Debian kernel (tests/kernel_tree_helpers.bash) is laid
# out in the cache, reused while it is unchanged and laid out again when
# it is rebuilt; directories that are no built tree are refused before
# anything is cached; a tree whose .config lacks what a fixture needs
# makes it unsupported. Host side: no guest boots (tests/53 boots one).

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	load kernel_package_helpers
	load kernel_tree_helpers
	pkg_source_kernel || skip "no Debian kernel in the shared cache (pmemlab kernel fetch default)"
	export PMEMLAB_CACHE=$BATS_TEST_TMPDIR/cache
	use_private_tmpdir
}

# no_kernel_cached: the refusal left nothing in the cache but lock files.
no_kernel_cached() {
	[[ -z $(find "$PMEMLAB_CACHE" -mindepth 1 ! -name '.lock-*' ! -path "$PMEMLAB_CACHE/kernels" 2>/dev/null) ]]
}

@test "a built tree is laid out in the cache as modules_install would, with its .config" {
	tree_standin "$BATS_TEST_TMPDIR/linux" nd_pmem
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$BATS_TEST_TMPDIR/linux"
	[[ $(cut -f2 <<<"$output") == "$KVER" ]]
	local image root
	image=$(cut -f3 <<<"$output")
	root=${image%/boot/*}
	cmp "$image" "$BATS_TEST_TMPDIR/linux/arch/x86/boot/bzImage"
	cmp "$root/boot/config-$KVER" "$BATS_TEST_TMPDIR/linux/.config"
	[[ $(head -n 1 "$root/lib/modules/$KVER/modules.order") == kernel/drivers/nvdimm/libnvdimm.ko ]]
	grep -q '^kernel/drivers/nvdimm/nd_pmem.ko:.* kernel/drivers/nvdimm/libnvdimm.ko' "$root/lib/modules/$KVER/modules.dep"
	cmp "$root/lib/modules/$KVER/modules.builtin" "$KROOT/lib/modules/$KVER/modules.builtin"
	# kconfig judges the tree's .config and finds its modules
	run -0 --separate-stderr "$PMEMLAB" kconfig --format json --kernel "$BATS_TEST_TMPDIR/linux"
	[[ $(jq -r .kernel_desc <<<"$output") == "tree:$KVER" ]]
	[[ $(jq -r .config <<<"$output") == "$root/boot/config-$KVER" ]]
	[[ $(jq -r .option_details.BLK_DEV_PMEM.state <<<"$output") == module ]]
	[[ $(jq -r .kernel_origin <<<"$output") == "tree $BATS_TEST_TMPDIR/linux" ]]
}

@test "a tree whose .config lacks ZONE_DEVICE: run marks the DAX fixtures unsupported naming it, and boots nothing" {
	tree_standin "$BATS_TEST_TMPDIR/linux" virtio_pci virtio_console nd_e820 nd_pmem xfs
	# as defconfig leaves it: no memory hot-plug, so no ZONE_DEVICE
	sed -i '/^CONFIG_ZONE_DEVICE=/d' "$BATS_TEST_TMPDIR/linux/.config"
	run -0 --separate-stderr "$PMEMLAB" run --format json --accel tcg --kernel "$BATS_TEST_TMPDIR/linux" --fixture xfs-dax --fixture devdax
	echo "$stderr" >&2
	[[ $(jq -r '[.fixtures[].status] | join(",")' <<<"$output") == unsupported,unsupported ]]
	[[ $(jq -r '.fixtures[0].reason' <<<"$output") == "the kernel's config lacks ZONE_DEVICE"* ]]
	[[ $(jq -r .boot_seconds <<<"$output") == 0 ]]
	no_leftovers
}

@test "a git tree's origin names its commit, and dirty when a tracked file changed" {
	local tree=$BATS_TEST_TMPDIR/linux commit
	tree_standin "$tree" nd_pmem
	git -C "$tree" init -q
	git -C "$tree" add Makefile
	git -C "$tree" -c user.email=t@invalid -c user.name=t commit -qm source
	commit=$(git -C "$tree" rev-parse --short=12 HEAD)
	run -0 --separate-stderr "$PMEMLAB" kconfig --format json --kernel "$tree"
	[[ $(jq -r .kernel_origin <<<"$output") == "tree $tree at $commit" ]]
	echo '# edited' >>"$tree/Makefile"
	run -0 --separate-stderr "$PMEMLAB" kconfig --format json --kernel "$tree"
	[[ $(jq -r .kernel_origin <<<"$output") == "tree $tree at $commit (dirty)" ]]
}

@test "an unchanged tree reuses its cache entry; a rebuilt one gets a new entry and the old one goes" {
	local tree=$BATS_TEST_TMPDIR/linux first second
	tree_standin "$tree" nd_pmem
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$tree"
	first=$(cut -f3 <<<"$output")
	[[ $stderr == *"laying out kernel tree $tree ($KVER, 3 modules)"* ]]
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$tree"
	[[ $(cut -f3 <<<"$output") == "$first" ]]
	[[ $stderr != *"laying out"* ]]
	# a module rebuilt (make writes it anew: another time)
	touch -d '+1 minute' "$tree/drivers/nvdimm/nd_pmem.ko"
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$tree"
	second=$(cut -f3 <<<"$output")
	[[ $second != "$first" ]]
	[[ $stderr == *"laying out kernel tree"* ]]
	[[ ! -e ${first%/boot/*} && -e $second ]]
	# and so for the image
	touch -d '+2 minutes' "$tree/arch/x86/boot/bzImage"
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$tree"
	[[ $(cut -f3 <<<"$output") != "$second" && ! -e ${second%/boot/*} ]]
	[[ $(find "$PMEMLAB_CACHE/kernels" -mindepth 1 -maxdepth 1 -name 'tree-*' | wc -l) -eq 1 ]]
}

@test "a tree built with make vmlinux alone boots its vmlinux" {
	local tree=$BATS_TEST_TMPDIR/linux
	tree_standin "$tree" nd_pmem
	tree_standin_vmlinux "$tree"
	rm "$tree/arch/x86/boot/bzImage"
	run -0 --separate-stderr "$PMEMLAB" kernel fetch "$tree"
	[[ $(cut -f3 <<<"$output") == "$PMEMLAB_CACHE"/kernels/tree-*/boot/vmlinux-"$KVER" ]]
	# its PVH entry note kept in the cache's copy
	[[ $(readelf -n "$(cut -f3 <<<"$output")") =~ XEN_ELFNOTE_PHYS32_ENTRY|0x00000012 ]]
}

@test "a directory without a Makefile and a .config is no kernel build tree: exit 2, nothing cached" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	: >"$BATS_TEST_TMPDIR/src/Makefile"
	refuses "'$BATS_TEST_TMPDIR/src' is no kernel build tree: it has no .config" \
		run --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/src"
	no_kernel_cached
}

@test "a configured tree that was never built is refused naming the image and release it lacks" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	: >"$BATS_TEST_TMPDIR/src/Makefile"
	cp "$KROOT/boot/config-$KVER" "$BATS_TEST_TMPDIR/src/.config"
	refuses "kernel tree '$BATS_TEST_TMPDIR/src' is not built: it has no arch/x86/boot/bzImage (nor vmlinux) and no include/config/kernel.release (run make)" \
		run --dry-run --accel tcg --kernel "$BATS_TEST_TMPDIR/src"
	no_kernel_cached
}

@test "a tree whose modules are not built is refused, before anything is cached" {
	local tree=$BATS_TEST_TMPDIR/linux
	tree_standin "$tree" nd_pmem
	rm "$tree/drivers/nvdimm/nd_pmem.ko"
	refuses "kernel tree '$tree': modules.order lists 1 module(s) that are not built, first drivers/nvdimm/nd_pmem.ko (make modules)" \
		kernel fetch "$tree"
	no_kernel_cached
	rm "$tree/modules.order"
	refuses "kernel tree '$tree' has CONFIG_MODULES=y but no modules.order: its modules are not built (make modules)" \
		kernel fetch "$tree"
	no_kernel_cached
}

@test "a tree whose bzImage is of another release than its kernel.release is half built: exit 2" {
	local tree=$BATS_TEST_TMPDIR/linux
	tree_standin "$tree" nd_pmem
	printf '6.1.0-rc1+\n' >"$tree/include/config/kernel.release"
	refuses "kernel tree '$tree' is half built: arch/x86/boot/bzImage is $KVER, include/config/kernel.release says 6.1.0-rc1+ (run make)" \
		kernel fetch "$tree"
	no_kernel_cached
}

@test "a vmlinux without a PVH entry and no bzImage cannot boot: exit 2 naming CONFIG_PVH" {
	local tree=$BATS_TEST_TMPDIR/linux
	tree_standin "$tree" nd_pmem
	rm "$tree/arch/x86/boot/bzImage"
	# an ELF file without the note
	cp "$(type -P true)" "$tree/vmlinux"
	refuses "kernel tree '$tree' has no arch/x86/boot/bzImage, and its vmlinux cannot boot alone: the vmlinux has no PVH entry note (CONFIG_PVH) (make bzImage)" \
		kernel fetch "$tree"
	no_kernel_cached
}

@test "doctor fails a PMEMLAB_KERNEL that is a directory but no built tree" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	PMEMLAB_KERNEL=$BATS_TEST_TMPDIR/src run --separate-stderr "$PMEMLAB" doctor --format json
	[[ $(jq -r '.checks[] | select(.name == "kernel") | .status' <<<"$output") == fail ]]
	[[ $(jq -r '.checks[] | select(.name == "kernel") | .message' <<<"$output") == "PMEMLAB_KERNEL='$BATS_TEST_TMPDIR/src': '$BATS_TEST_TMPDIR/src' is no kernel build tree: it has no Makefile and no .config (give the directory where make ran, or its O= directory)" ]]
}
