#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# pmemlab kconfig on real Debian kernel configs (the host's 6.1, the 6.1
# and 6.12 cloud flavours fetched through pmemlab's own kernel cache) and
# on crafted fragments. Host only: no guest boots.
# bats file_tags=cli

bats_require_minimum_version 1.5.0

setup_file() {
	load vm_helpers
	export PMEMLAB_CACHE=$BATS_FILE_TMPDIR/cache
	# The cloud flavours come through `pmemlab kconfig KERNEL` itself: from
	# the suite's cache when set-up fetched them, else apt-get download.
	seed_kernels "$PMEMLAB_CACHE"
	fetch_kernel_config cloud cloud61
	fetch_kernel_config 6.12-cloud cloud612
}

# fetch_kernel_config SPEC NAME: kconfig's JSON for SPEC in
# $BATS_FILE_TMPDIR/NAME.json, or the reason it could not be had in NAME.skip.
fetch_kernel_config() {
	local spec=$1 out=$BATS_FILE_TMPDIR/$2 status=0
	"$PMEMLAB" kconfig -q --format json "$spec" >"$out.json" 2>"$out.err" || status=$?
	echo "$status" >"$out.status"
	# Only an archive apt cannot reach or does not list is a skip; any
	# other failure is pmemlab's.
	if ((status == 3)) && grep -qE 'cannot download|cannot resolve' "$out.err"; then
		echo "the $spec kernel is neither in the suite's cache nor to be had from apt: $(grep -m1 -E 'cannot download|cannot resolve' "$out.err")" >"$out.skip"
	fi
}

# fetched NAME: the JSON of a fetched kernel's config, or skip saying why.
fetched() {
	local out=$BATS_FILE_TMPDIR/$1
	[[ ! -e $out.skip ]] || skip "$(cat "$out.skip")"
	if [[ $(cat "$out.status") != 0 ]]; then
		echo "pmemlab kconfig exited $(cat "$out.status"): $(cat "$out.err")" >&2
		return 1
	fi
	KCONFIG_JSON=$out.json
}

setup() {
	load vm_helpers
	export PMEMLAB_CACHE=$BATS_FILE_TMPDIR/cache
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	FRAGMENT=$BATS_TEST_DIRNAME/../vm/config
	REQUIREMENTS=$BATS_TEST_DIRNAME/../vm/kconfig-requirements.tsv
}

# craft FILE SED_EXPR...: vm/config with each SED_EXPR applied.
craft() {
	local file=$1 expr
	shift
	cp "$FRAGMENT" "$file"
	for expr in "$@"; do
		sed -i "$expr" "$file"
	done
}

# kconfig_ok ARGS...: pmemlab kconfig --format json ARGS, exit 0, JSON in $output.
kconfig_ok() {
	run -0 --separate-stderr "$PMEMLAB" kconfig --format json "$@"
	echo "stderr: $stderr" >&2
	jq -e 'type == "object"' <<<"$output" >/dev/null
}

# Every fixture on every backend, the commands, all supported.
assert_everything_supported() {
	jq -e '[.backends[], .commands[], .fixtures[], .fixtures[].backends[] | .supported] | all' <<<"$output" >/dev/null
	jq -e '.fixtures | length == 13' <<<"$output" >/dev/null
}

# assert_debian_61_generic MODULES_DIR: Debian's generic 6.1 flavour,
# whose PMem stack and ext4 are modules, supports everything.
assert_debian_61_generic() {
	assert_everything_supported
	[[ $(jq -r .modules_dir <<<"$output") == "$1" ]]
	[[ $(jq -r .modules_checked <<<"$output") == true ]]
	[[ $(jq -r '.options | [.X86_PMEM_LEGACY, .ACPI_NFIT, .LIBNVDIMM, .DEV_DAX_PMEM, .EXT4_FS, .XFS_FS] | join(" ")' <<<"$output") == "m m m m m m" ]]
	[[ $(jq -r '.option_details.EXT4_FS.module_path' <<<"$output") == kernel/fs/ext4/ext4.ko* ]]
	[[ $(jq -r '.options | [.FS_DAX, .FS_DAX_PMD, .ZONE_DEVICE] | join(" ")' <<<"$output") == "y y y" ]]
}

@test "the host's installed Debian 6.1 kernel supports every backend, fixture and command" {
	local config
	config=$(compgen -G '/boot/config-6.1.0-*-amd64' | sort -V | tail -n 1) || true
	[[ -n $config ]] || skip "no Debian 6.1 kernel installed (/boot/config-6.1.0-*-amd64); its twin covers a cached one"
	kconfig_ok "$config"
	local version=${config#/boot/config-}
	[[ $(jq -r .kernel <<<"$output") == "$version" ]]
	assert_debian_61_generic "/lib/modules/$version"
}

@test "the default kernel's config is found in /boot when the host has a kernel installed" {
	compgen -G '/boot/vmlinuz-*' >/dev/null || skip "no kernel installed in /boot; its twin covers a fresh runner"
	kconfig_ok
	local version
	version=$(jq -r .kernel <<<"$output")
	# whatever linux-image-amd64 points at, it is a kernel installed in /boot
	[[ -r /boot/vmlinuz-$version ]]
	[[ $(jq -r .config <<<"$output") == "/boot/config-$version" ]]
	[[ $(jq -r .config_source <<<"$output") == boot ]]
	[[ $(jq -r .kernel_desc <<<"$output") == "debian:$version" ]]
}

@test "with no kernel in /boot (a fresh runner), the default kernel comes from the cache and supports everything" {
	[[ $(id -u) -eq 0 ]] || skip "needs root for a mount namespace with an empty /boot"
	seed_kernels "$PMEMLAB_CACHE"
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/../scripts/fresh-runner" "$PMEMLAB" kconfig -q --format json
	echo "$stderr" >&2
	local version
	version=$(jq -r .kernel <<<"$output")
	[[ $version == 6.*-amd64 ]]
	[[ $(jq -r .config <<<"$output") == "$PMEMLAB_CACHE/kernels/$version/boot/config-$version" ]]
	[[ $(jq -r .kernel_desc <<<"$output") == "debian:$version" ]]
	if [[ $version == 6.1.* ]]; then
		assert_debian_61_generic "$PMEMLAB_CACHE/kernels/$version/lib/modules/$version"
	else
		assert_everything_supported
	fi
}

@test "Debian's 6.1 cloud flavour: every fixture on both backends, but no exec (no 9p)" {
	fetched cloud61
	output=$(cat "$KCONFIG_JSON")
	[[ $(jq -r .kernel <<<"$output") == 6.1.*-cloud-amd64 ]]
	[[ $(jq -r .config_source <<<"$output") == boot ]]
	[[ $(jq -r .config <<<"$output") == "$PMEMLAB_CACHE/kernels/"*/boot/config-6.1.*-cloud-amd64 ]]
	jq -e '[.backends[], .fixtures[], .fixtures[].backends[] | .supported] | all' <<<"$output" >/dev/null
	[[ $(jq -r .commands.run.supported <<<"$output") == true ]]
	[[ $(jq -r .commands.exec.supported <<<"$output") == false ]]
	[[ $(jq -r '.commands.exec.missing | index("NET_9P") != null' <<<"$output") == true ]]
	[[ $(jq -r '.commands.exec.reasons[]' <<<"$output") == *"CONFIG_NET_9P is not set"* ]]
	# the cloud flavour builds ext4 in; the PMem drivers stay modules, found in the tree
	[[ $(jq -r '.option_details.EXT4_FS | "\(.value) \(.state)"' <<<"$output") == "y builtin" ]]
	[[ $(jq -r '.option_details.ACPI_NFIT | "\(.value) \(.state)"' <<<"$output") == "m module" ]]
}

@test "a cached kernel's verdict is kept in the cache and reused until its config changes" {
	fetched cloud61
	local version config kept
	version=$(jq -r .kernel "$KCONFIG_JSON")
	config=$(jq -r .config "$KCONFIG_JSON")
	[[ $config == "$PMEMLAB_CACHE/kernels/"* ]]
	# set-up's run left its verdict in the cache
	kept=("$PMEMLAB_CACHE/kconfig/$version"-*.json)
	((${#kept[@]} == 1))
	diff <(jq -S . "${kept[0]}") <(jq -S . "$KCONFIG_JSON")
	# reused: a mark put into the kept verdict comes back
	jq -c '.kernel_desc = "marked in the cache"' "${kept[0]}" >"$BATS_TEST_TMPDIR/marked"
	cp "$BATS_TEST_TMPDIR/marked" "${kept[0]}"
	run -0 "$PMEMLAB" kconfig -q --format json cloud
	[[ $(jq -r .kernel_desc <<<"$output") == "marked in the cache" ]]
	# a config rewritten (a new inode: the suite's cache shares the old
	# one) is judged again
	cp "$config" "$config.new"
	mv "$config.new" "$config"
	run -0 "$PMEMLAB" kconfig -q --format json cloud
	[[ $(jq -r .kernel_desc <<<"$output") == "debian:$version" ]]
	diff <(jq -S . <<<"$output") <(jq -S . "$KCONFIG_JSON")
	kept=("$PMEMLAB_CACHE/kconfig/$version"-*.json)
	((${#kept[@]} == 2))
}

@test "Debian's 6.12 cloud flavour: the same, with modules compressed as .ko.xz" {
	fetched cloud612
	output=$(cat "$KCONFIG_JSON")
	[[ $(jq -r .kernel <<<"$output") == 6.12.*-cloud-amd64 ]]
	jq -e '[.backends[], .fixtures[], .fixtures[].backends[] | .supported] | all' <<<"$output" >/dev/null
	[[ $(jq -r .commands.exec.supported <<<"$output") == false ]]
	[[ $(jq -r .option_details.XFS_FS.module_path <<<"$output") == *"/xfs.ko.xz" ]]
}

@test "the fragment vm/config names exactly the options of the requirement table, and satisfies it" {
	diff <(grep -v -E '^[[:space:]]*(#|@|$)' "$REQUIREMENTS" | cut -f1 | sort) \
		<(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=.*/\1/p' "$FRAGMENT" | sort)
	kconfig_ok "$FRAGMENT"
	assert_everything_supported
	[[ $(jq -r .modules_dir <<<"$output") == null ]]
}

@test "every fixture file is judged, in the catalog's order" {
	kconfig_ok "$FRAGMENT"
	local judged
	judged=$(jq -r '.fixtures | keys_unsorted[]' <<<"$output")
	# the files on disk are the independent fact
	diff <(find "$BATS_TEST_DIRNAME/../fixtures" -maxdepth 1 -name '*.sh' ! -name lib.sh -printf '%f\n' | sed 's/\.sh$//' | sort) <(sort <<<"$judged")
	run -0 "$PMEMLAB" fixtures --format json
	diff <(jq -r '.[].fixture' <<<"$output") - <<<"$judged"
}

@test "a fixture's FIXTURE_GROUPS puts it under that group's kernel options" {
	# ext4-dax is in the ext4 group by its file alone: without ext4, unsupported
	grep -qx 'FIXTURE_GROUPS="fsdax pmem ext4"' "$BATS_TEST_DIRNAME/../fixtures/ext4-dax.sh"
	craft "$BATS_TEST_TMPDIR/config" 's/^CONFIG_EXT4_FS=y$/# CONFIG_EXT4_FS is not set/'
	kconfig_ok "$BATS_TEST_TMPDIR/config"
	[[ $(jq -r '.fixtures["ext4-dax"].supported' <<<"$output") == false ]]
	[[ $(jq -r '.fixtures["xfs-dax"].supported' <<<"$output") == true ]]
	[[ $(jq -c '.fixtures["ext4-dax"].missing' <<<"$output") == *EXT4_FS* ]]
}

@test "without CONFIG_DEV_DAX_PMEM, devdax is unsupported on both backends, with the reason" {
	craft "$BATS_TEST_TMPDIR/config" 's/^CONFIG_DEV_DAX_PMEM=y$/# CONFIG_DEV_DAX_PMEM is not set/'
	kconfig_ok "$BATS_TEST_TMPDIR/config"
	[[ $(jq -r .options.DEV_DAX_PMEM <<<"$output") == n ]]
	[[ $(jq -r .fixtures.devdax.supported <<<"$output") == false ]]
	[[ $(jq -c .fixtures.devdax.missing <<<"$output") == '["DEV_DAX_PMEM"]' ]]
	[[ $(jq -r '.fixtures.devdax.reasons[0]' <<<"$output") == "CONFIG_DEV_DAX_PMEM is not set: dax_pmem binds device-DAX to a PMem namespace" ]]
	[[ $(jq -r '[.fixtures.devdax.backends[].supported] | any' <<<"$output") == false ]]
	# kmem onlines a device-DAX namespace; nothing else depends on it
	[[ $(jq -r .fixtures.kmem.supported <<<"$output") == false ]]
	[[ $(jq -r '[.fixtures | to_entries[] | select(.key != "devdax" and .key != "kmem") | .value.supported] | all' <<<"$output") == true ]]
	[[ $(jq -r '[.backends[].supported] | all' <<<"$output") == true ]]
}

@test "a fixture that cannot exist on a backend (expectations.tsv '-') is n/a there, not yes" {
	kconfig_ok "$FRAGMENT"
	[[ $(jq -r '.fixtures.kmem.backends.memmap | "\(.applicable) \(.note != "")"' <<<"$output") == "false true" ]]
	[[ $(jq -r '.fixtures["btt-ext4"].backends["virtio-pmem"].applicable' <<<"$output") == false ]]
	[[ $(jq -r '.fixtures.kmem.backends.nvdimm.applicable' <<<"$output") == true ]]
	[[ $(jq -r '.fixtures["ext4-dax"].backends.memmap.applicable' <<<"$output") == true ]]
	run -0 "$PMEMLAB" kconfig "$FRAGMENT"
	[[ $(grep '^kmem ' <<<"$output" | tr -s ' ') == "kmem pmem n/a yes n/a yes" ]]
	[[ $output == *"fixtures supported: memmap 12/12, nvdimm 13/13, virtio-pmem 11/11, cxl 13/13;"* ]]
}

@test "without CONFIG_ACPI_NFIT, the nvdimm backend is unsupported and memmap still is" {
	craft "$BATS_TEST_TMPDIR/config" '/^CONFIG_ACPI_NFIT=/d'
	kconfig_ok "$BATS_TEST_TMPDIR/config"
	[[ $(jq -r .backends.nvdimm.supported <<<"$output") == false ]]
	[[ $(jq -r '.backends.nvdimm.reasons[0]' <<<"$output") == "CONFIG_ACPI_NFIT is not in the config"*": nfit finds QEMU's NVDIMMs in the ACPI NFIT table" ]]
	[[ $(jq -r .backends.memmap.supported <<<"$output") == true ]]
	# PMem fixtures: memmap only; the controls do not need the backend
	[[ $(jq -r '.fixtures["ext4-dax"] | "\(.supported) \(.backends.memmap.supported) \(.backends.nvdimm.supported)"' <<<"$output") == "true true false" ]]
	[[ $(jq -r '.fixtures.tmpfs.backends.nvdimm.supported' <<<"$output") == true ]]
	[[ $(jq -r '.fixtures["virtio-xfs"].backends.nvdimm.supported' <<<"$output") == true ]]
}

# A kernel tree at $BATS_TEST_TMPDIR/root: boot/config-VERSION and
# lib/modules/VERSION with xfs.ko (and whatever modules.builtin says).
fake_tree() {
	local root=$BATS_TEST_TMPDIR/root version=9.9.9-kconfig-test
	mkdir -p "$root/boot" "$root/lib/modules/$version/kernel/fs/xfs"
	: >"$root/lib/modules/$version/kernel/fs/xfs/xfs.ko"
	: >"$root/lib/modules/$version/modules.builtin"
	craft "$root/boot/config-$version" 's/^CONFIG_EXT4_FS=y$/CONFIG_EXT4_FS=m/' 's/^CONFIG_XFS_FS=y$/CONFIG_XFS_FS=m/'
	TREE_CONFIG=$root/boot/config-$version
	TREE_MODULES=$root/lib/modules/$version
}

@test "ext4 =m whose module is absent from the kernel's modules tree is unsupported" {
	fake_tree
	kconfig_ok "$TREE_CONFIG"
	[[ $(jq -r .modules_dir <<<"$output") == "$TREE_MODULES" ]]
	[[ $(jq -r '.option_details.EXT4_FS | "\(.value) \(.state) \(.available)"' <<<"$output") == "m module-missing false" ]]
	[[ $(jq -r '.option_details.XFS_FS | "\(.value) \(.state) \(.module_path)"' <<<"$output") == "m module kernel/fs/xfs/xfs.ko" ]]
	local f
	for f in ext4-dax ext4-dax-never btt-ext4 virtio-ext4; do
		[[ $(jq -r --arg f "$f" '.fixtures[$f].supported' <<<"$output") == false ]]
		[[ $(jq -r --arg f "$f" '.fixtures[$f].reasons[0]' <<<"$output") == "CONFIG_EXT4_FS=m but ext4.ko is neither in $TREE_MODULES nor in its modules.builtin: the ext4 filesystem" ]]
	done
	for f in xfs-dax xfs-dax-never virtio-xfs tmpfs devdax; do
		[[ $(jq -r --arg f "$f" '.fixtures[$f].supported' <<<"$output") == true ]]
	done
}

@test "ext4 =m that modules.builtin lists counts as built in" {
	fake_tree
	echo kernel/fs/ext4/ext4.ko >"$TREE_MODULES/modules.builtin"
	kconfig_ok "$TREE_CONFIG"
	[[ $(jq -r '.option_details.EXT4_FS | "\(.state) \(.available) \(.module_path)"' <<<"$output") == "module-builtin true kernel/fs/ext4/ext4.ko" ]]
	assert_everything_supported
}

@test "--modules points a plain config at a modules tree" {
	fake_tree
	cp "$TREE_CONFIG" "$BATS_TEST_TMPDIR/plain.config"
	kconfig_ok "$BATS_TEST_TMPDIR/plain.config"
	[[ $(jq -r '.modules_checked' <<<"$output") == false ]]
	[[ $(jq -r '.notes[0]' <<<"$output") == "no modules tree known"* ]]
	assert_everything_supported
	kconfig_ok --modules "$TREE_MODULES" --config "$BATS_TEST_TMPDIR/plain.config"
	[[ $(jq -r '.modules_dir' <<<"$output") == "$TREE_MODULES" ]]
	[[ $(jq -r '.fixtures["ext4-dax"].supported' <<<"$output") == false ]]
}

@test "a bzImage built with CONFIG_IKCONFIG gives its own config" {
	local image=$BATS_TEST_TMPDIR/bzImage
	fake_bzimage "$image" 9.9.9-ikconfig-test
	# the payload, compressed, holds the gzipped config between the markers
	craft "$BATS_TEST_TMPDIR/config" 's/^CONFIG_VIRTIO_BLK=y$/# CONFIG_VIRTIO_BLK is not set/'
	{ printf 'IKCFG_ST'; gzip -c "$BATS_TEST_TMPDIR/config"; printf 'IKCFG_ED'; } | xz -c >>"$image"
	kconfig_ok "$image"
	[[ $(jq -r '"\(.kernel) \(.config_source) \(.config)"' <<<"$output") == "9.9.9-ikconfig-test ikconfig $image" ]]
	[[ $(jq -r '.fixtures["virtio-ext4"].missing[0]' <<<"$output") == VIRTIO_BLK ]]
}

@test "a kernel whose config cannot be found exits 3 and says where it looked" {
	fake_bzimage "$BATS_TEST_TMPDIR/bzImage" 9.9.9-noconfig-test
	run -3 --separate-stderr "$PMEMLAB" kconfig "$BATS_TEST_TMPDIR/bzImage"
	[[ $stderr == *"no kernel config found for 9.9.9-noconfig-test; looked at:"* ]]
	[[ $stderr == *"$BATS_TEST_TMPDIR/bzImage (CONFIG_IKCONFIG)"* ]]
	[[ $stderr == *"CONFIG_IKCONFIG=y"* ]]
	[[ -z $output ]]
}

@test "files that are not configs exit 3; bad usage exits 2" {
	run -3 --separate-stderr "$PMEMLAB" kconfig /nonexistent/config
	[[ $stderr == *"no such file: /nonexistent/config"* ]]
	echo "hello" >"$BATS_TEST_TMPDIR/notes.txt"
	run -3 --separate-stderr "$PMEMLAB" kconfig "$BATS_TEST_TMPDIR/notes.txt"
	[[ $stderr == *"is not a kernel config (no CONFIG_ lines)"* ]]
	run -2 --separate-stderr "$PMEMLAB" kconfig --format yaml "$FRAGMENT"
	[[ $stderr == *"unknown format 'yaml'"* ]]
	run -2 --separate-stderr "$PMEMLAB" kconfig "$FRAGMENT" "$FRAGMENT"
	[[ $stderr == *"one config or kernel at a time"* ]]
	run -2 --separate-stderr "$PMEMLAB" kconfig --kernel latest
	[[ $stderr == *"unknown kernel 'latest'"* ]]
	run -2 --separate-stderr "$PMEMLAB" kconfig --kernel "$FRAGMENT"
	[[ $stderr == *"is not a bzImage"* ]]
	run -2 --separate-stderr "$PMEMLAB" kconfig --frobnicate
	[[ $stderr == *"unknown option '--frobnicate'"* ]]
	[[ -z $(ls -A "$TMPDIR") ]]
}

@test "the running kernel's /proc/config.gz is read, gzip and all" {
	[[ -r /proc/config.gz ]] || skip "this kernel has no /proc/config.gz (CONFIG_IKCONFIG_PROC off)"
	kconfig_ok /proc/config.gz
	[[ $(jq -r '"\(.kernel) \(.config_source)"' <<<"$output") == "$(uname -r) proc" ]]
	jq -e '.options | length > 30' <<<"$output" >/dev/null
}

@test "the text report has a table per concern and names what is missing" {
	craft "$BATS_TEST_TMPDIR/config" 's/^CONFIG_DEV_DAX_PMEM=y$/# CONFIG_DEV_DAX_PMEM is not set/' '/^CONFIG_ACPI_NFIT=/d'
	run -0 "$PMEMLAB" kconfig "$BATS_TEST_TMPDIR/config"
	[[ $output == *"OPTION "*"VALUE"*"STATUS"*"NEEDED BY"* ]]
	[[ $output == *"BACKEND "*"SUPPORTED"* ]]
	[[ $(grep -E '^nvdimm ' <<<"$output") == *"no"*"ACPI_NFIT"* ]]
	[[ $(grep -E '^devdax ' <<<"$output") == "devdax"*"pmem"*"no"*"no"*"memmap: missing DEV_DAX_PMEM; nvdimm: missing ACPI_NFIT, DEV_DAX_PMEM"* ]]
	[[ $(grep -E '^tmpfs ' <<<"$output") =~ ^tmpfs\ +dram(\ +yes)+$ ]]
	[[ $output == *"Missing:"*"CONFIG_DEV_DAX_PMEM is not set: dax_pmem binds device-DAX to a PMem namespace"* ]]
	[[ $output == *"fixtures supported: memmap 11/12, nvdimm 3/13, "*"; commands: run yes, exec yes, shell yes" ]]
}

@test "cxl's verdict tells the config from the emulator: Linux >= 6.3 needs QEMU's CXL event interrupts, >= 6.2 no hypervisor bit" {
	local v
	for v in 6.1.0-kconfig-test 6.12.0-kconfig-test; do
		craft "$BATS_TEST_TMPDIR/config-$v"
	done
	kconfig_ok "$BATS_TEST_TMPDIR/config-6.12.0-kconfig-test"
	[[ $(jq -r '.backends.cxl.supported' <<<"$output") == true ]]
	[[ $(jq -r '.backends.cxl.emulator | map(.linux) | join(" ")' <<<"$output") == "6.2 6.3" ]]
	[[ $(jq -r '.backends.cxl.emulator[1].needs' <<<"$output") == "CXL event interrupts, QEMU >= 8.1"* ]]
	[[ $(jq -r '.backends.cxl.emulator[0].needs' <<<"$output") == "a CPU without the hypervisor bit"* ]]
	[[ $(jq -r '[.backends.memmap, .backends.nvdimm] | map(.emulator | length) | add' <<<"$output") == 0 ]]
	kconfig_ok "$BATS_TEST_TMPDIR/config-6.1.0-kconfig-test"
	[[ $(jq -r '.backends.cxl | "\(.supported) \(.emulator | length)"' <<<"$output") == "true 0" ]]
	run -0 "$PMEMLAB" kconfig "$BATS_TEST_TMPDIR/config-6.12.0-kconfig-test"
	[[ $(grep -E '^cxl ' <<<"$output") =~ ^cxl\ +yes\ +the\ config\ allows\ it\;\ the\ emulator\ must\ give\ more ]]
	[[ $output == *"Emulator ("*"cxl, Linux >= 6.3: CXL event interrupts, QEMU >= 8.1"* ]]
	[[ $(grep -E '^memmap ' <<<"$output") =~ ^memmap\ +yes$ ]]
}
