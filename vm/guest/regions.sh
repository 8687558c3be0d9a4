# shellcheck shell=sh
# --fixture none (exec and shell): no fixture, the PMem regions left
# empty for the user's own `ndctl create-namespace`, as a machine with
# PMem would give them: the backend's bring-up (fixtures/lib.sh's
# bringup_once: NVDIMM labels initialised, the CXL region made; memmap's
# e820 namespace stays as the kernel made it), every PMem module loaded
# (the host listed them in PMEMLAB_GUEST_MODULES), and PMEM_REGION naming
# the first region.

# shellcheck disable=SC2034,SC2031 # NONE_RESULT is read by vm/guest/lib.sh; the subshell only re-reads fixtures/lib.sh
# prepare_empty_regions: sets PMEM_REGION and NONE_RESULT, the fixture
# result line exec reads (status ok, or error with the reason).
prepare_empty_regions() {
	mkdir -p "$PMEMLAB_STATE"
	PMEM_REGION='' reason=''
	rc=0
	# lib.sh again: init sourced it before run.conf named the backend,
	# whose guest half it loads
	# shellcheck source=fixtures/lib.sh
	(. /pmemlab/fixtures/lib.sh && bringup_once) 2>"$PMEMLAB_STATE/none.err" || rc=$?
	if [ "$rc" != 0 ]; then
		reason=$(cat "$PMEMLAB_STATE/skip-reason" 2>/dev/null || tail -n 3 "$PMEMLAB_STATE/none.err")
		[ -n "$reason" ] || reason="the $PMEMLAB_BACKEND backend's bring-up failed ($rc)"
	else
		for r in /sys/bus/nd/devices/region*; do
			[ -e "$r/nstype" ] || continue
			PMEM_REGION=${r##*/}
			break
		done
		[ -n "$PMEM_REGION" ] || reason="no persistent memory region in /sys/bus/nd (libnvdimm or the $PMEMLAB_BACKEND region driver missing?)"
	fi
	status=ok
	[ -z "$reason" ] || status=error
	json_var "$reason"
	NONE_RESULT=$(printf '{"type":"fixture","fixture":"none","expected":"n/a","expected_map_sync":null,"status":"%s","reason":%s,"target":"%s","mount":"","probe":null}' \
		"$status" "$JSON" "$PMEM_REGION")
	[ "$status" = ok ]
}
