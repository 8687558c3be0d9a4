#!/usr/bin/env bats
# pmemlab host: the fixtures and the probe on a machine's own PMem. Here
# that machine is a pmemlab guest (memmap PMem, as a GRUB memmap= gives a
# real host), reached with pmemlab exec; and this host itself, which has
# no PMem at all.
# bats file_tags=vm
# shellcheck disable=SC2154 # $stderr is set by bats: run --separate-stderr
# shellcheck disable=SC2016 # single-quoted $... are for the guest shell

bats_require_minimum_version 1.5.0

setup() {
	load vm_helpers
	cd "$BATS_TEST_DIRNAME/.." || return
}

# in_guest FIXTURE... -- CMD: CMD in a memmap guest whose kernel has the
# modules of those fixtures loaded (the first is built: tmpfs is harmless).
in_guest() {
	local args=()
	while [[ $1 != -- ]]; do args+=(--fixture "$1"); shift; done
	shift
	"$PMEMLAB" exec -q --accel tcg --backend memmap "${args[@]}" -- "$@"
}

@test "host: on a machine without PMem it says so and exits 3" {
	! compgen -G '/sys/bus/nd/devices/region*' >/dev/null || skip "this machine has libnvdimm regions: the no-PMem case cannot be seen here"
	run -3 --separate-stderr "$PMEMLAB" host --yes
	[[ $stderr == *"no persistent memory on this machine"* ]]
}

@test "host: bad input is refused with exit 2" {
	run -2 --separate-stderr "$PMEMLAB" host --region nvdimm0
	[[ $stderr == *"invalid region 'nvdimm0'"* ]]
	run -2 --separate-stderr "$PMEMLAB" host --fixture nope
	[[ $stderr == *"unknown fixture 'nope'"* ]]
	run -2 --separate-stderr "$PMEMLAB" host --format yaml
	[[ $stderr == *"unknown format 'yaml'"* ]]
}

@test "host: in a guest, no unused region is taken by itself, and without --yes nothing is touched (exit 2)" {
	require_guest_tools
	run -0 --separate-stderr in_guest tmpfs -- sh -c '
		before=$(ndctl list -N)
		scripts/pmemlab host; echo "auto=$?"
		scripts/pmemlab host --region region0; echo "named=$?"
		[ "$(ndctl list -N)" = "$before" ] && echo untouched'
	[[ $output == *"auto=3"* && $output == *"named=2"* ]]
	[[ $stderr == *"skipping region0: holds namespace(s) namespace0.0"* ]]
	[[ $stderr == *"would destroy the data on region0 (1G)"* ]]
	[[ ${lines[-1]} == untouched ]]
}

@test "host: in a guest, a region with a mounted namespace is refused, naming the mount" {
	require_guest_tools
	run -0 --separate-stderr in_guest tmpfs ext4-dax -- sh -c '
		mkdir -p /run/m && /usr/sbin/mke2fs -q -F -t ext4 /dev/pmem0 && mount -t ext4 /dev/pmem0 /run/m &&
		{ scripts/pmemlab host --yes --region region0; echo "rc=$?"; }'
	[[ $output == *"rc=2"* ]]
	[[ $stderr == *"region0 is in use: /dev/pmem0 is mounted"* ]]
}

@test "host: in a guest, --yes --region runs the fixtures on the guest's PMem: same table, JSON and exit code as run" {
	require_guest_tools
	run -0 --separate-stderr in_guest tmpfs ext4-dax xfs-dax devdax btt-ext4 -- \
		scripts/pmemlab host --yes --region region0 --format json \
		--fixture ext4-dax --fixture xfs-dax-never --fixture devdax --fixture btt-ext4 --fixture virtio-ext4 --fixture tmpfs
	local j=$output
	[[ $(jq -r '.backend' <<<"$j") == host ]]
	[[ $(jq -r '[.fixtures[] | "\(.fixture)=\(.result)"] | join(" ")' <<<"$j") == "ext4-dax=pass xfs-dax-never=pass devdax=pass btt-ext4=pass virtio-ext4=pass tmpfs=pass" ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "ext4-dax") | .probe.verdict' <<<"$j") == pmem ]]
	[[ $(jq -r '.fixtures[] | select(.fixture == "ext4-dax") | .probe.evidence.fault_sizes.faults_2m' <<<"$j") -eq 4 ]]
	[[ $(jq -r .ok <<<"$j") == true ]]
	[[ $stderr == *"using region0 (1G) and /dev/loop"* ]]
}
