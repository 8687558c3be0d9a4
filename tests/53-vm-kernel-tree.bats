#!/usr/bin/env bats
# One guest booted from a kernel build tree (--kernel DIR): a stand-in
# made from the cached Debian kernel (tests/kernel_tree_helpers.bash)
# with its bzImage, its vmlinux and the modules a memmap guest and the
# ext4-dax fixture need, as `make` leaves them. One fixture: about 15 s
# of guest time under TCG.
# bats file_tags=vm

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	load kernel_package_helpers
	load kernel_tree_helpers
	require_guest_tools
	pkg_source_kernel || skip "no Debian kernel in the shared cache (pmemlab kernel fetch default)"
	export PMEMLAB_CACHE=$BATS_FILE_TMPDIR/cache
	TREE=$BATS_FILE_TMPDIR/linux
	tree_standin "$TREE" virtio_pci virtio_blk virtio_console libnvdimm nd_e820 nd_pmem ext4
	tree_standin_vmlinux "$TREE"
	export TREE KVER
	boot_run_once memmap --size 512M --fixture ext4-dax --kernel "$TREE"
}

setup() {
	load vm_helpers
}

@test "tree: the guest runs the tree's kernel, booted from its own vmlinux" {
	[[ $(cat "$RUN_STATUS") -eq 0 ]]
	[[ $(run_report -r .kernel) == "tree:$KVER" ]]
	[[ $(run_report -r .guest_kernel) == "$KVER" ]]
	[[ $(run_report -r .kernel_origin) == "tree $TREE" ]]
	[[ $(run_report -r .kernel_boot) == pvh ]]
	# the tree's own vmlinux: none was extracted from its bzImage
	[[ ! -e $PMEMLAB_CACHE/vmlinux ]]
	[[ $(run_report -r '.modules_failed | length') -eq 0 ]]
}

@test "tree: ext4 on fsdax with dax=always is pmem, with the tree's modules" {
	assert_placement ext4-dax pmem
}
