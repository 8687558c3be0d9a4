# shellcheck shell=bash
# Human sizes ("512M", "1G", "1GiB") to bytes, and back.

[[ -z ${_pmemlab_loaded_size:-} ]] || return 0
_pmemlab_loaded_size=1

# parse_size VALUE: print the size in bytes, or fail with a message
# naming VALUE. Zero, negative, fractional and overflowing sizes fail.
parse_size() {
	local value=$1 num unit mult
	if [[ ! $value =~ ^([0-9]{1,15})([KkMmGgTt]?)(i?[Bb])?$ ]]; then
		log "invalid size '$value': expected a whole number with an optional K, M, G or T suffix"
		return 1
	fi
	num=$((10#${BASH_REMATCH[1]}))
	unit=${BASH_REMATCH[2]^^}
	case $unit in
	'') mult=1 ;;
	K) mult=$((1 << 10)) ;;
	M) mult=$((1 << 20)) ;;
	G) mult=$((1 << 30)) ;;
	T) mult=$((1 << 40)) ;;
	esac
	if ((num == 0)); then
		log "invalid size '$value': must be greater than zero"
		return 1
	fi
	if ((num > (1 << 50) / mult)); then
		log "invalid size '$value': too large"
		return 1
	fi
	printf '%s\n' "$((num * mult))"
}

# human_size BYTES: the largest exact unit ("1G", "528M", "4096").
human_size() {
	local bytes=$1 unit
	for unit in T:40 G:30 M:20 K:10; do
		local shift=${unit#*:}
		if ((bytes >= (1 << shift) && bytes % (1 << shift) == 0)); then
			printf '%s%s\n' "$((bytes >> shift))" "${unit%:*}"
			return
		fi
	done
	printf '%s\n' "$bytes"
}
