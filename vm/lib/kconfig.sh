# shellcheck shell=bash
# Find a kernel's config and judge, from the options it sets, which
# backends, fixtures and commands that kernel can support. The rules live
# in vm/kconfig-requirements.tsv (one table for `pmemlab kconfig` and the
# matrix); vm/lib/kconfig.jq applies them.
#
# kconfig_locate_path PATH   a .config, /boot/config-*, config.gz, a build
#                            tree or a bzImage
# kconfig_locate_kernel SPEC a kernel as --kernel takes it
# Both set KCONFIG_FILE, KCONFIG_SOURCE, KCONFIG_KERNEL (release or ""),
# KCONFIG_DESC, KCONFIG_MODDIR (lib/modules/RELEASE or ""), KCONFIG_ORIGIN
# (what to call the config: the image for CONFIG_IKCONFIG) and
# KCONFIG_LOOKED (where they looked), or die with status 3.
# kconfig_json prints the verdict (docs/KCONFIG.md); kconfig_text renders it.
#
# KCONFIG_TMP: a scratch directory for IKCONFIG extraction, made when
# first needed.

[[ -z ${_pmemlab_loaded_kconfig:-} ]] || return 0
_pmemlab_loaded_kconfig=1

# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"
# shellcheck source=vm/lib/backends.sh
. "$PMEMLAB_ROOT/vm/lib/backends.sh"
# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"

KCONFIG_REQUIREMENTS=$PMEMLAB_ROOT/vm/kconfig-requirements.tsv

kconfig_reset() {
	KCONFIG_FILE='' KCONFIG_SOURCE='' KCONFIG_KERNEL='' KCONFIG_DESC='' KCONFIG_MODDIR=''
	KCONFIG_ORIGIN='' KCONFIG_KERNEL_ORIGIN='' KCONFIG_HINTS=''
	KCONFIG_LOOKED=()
}

kconfig_locate_path() {
	local path=$1
	kconfig_reset
	[[ -e $path ]] || die "no such file: $path"
	if [[ -d $path ]]; then
		[[ -f $path/.config ]] || die "$path is a directory without a .config (give a config file, a bzImage or a kernel version)"
		path=$path/.config
	fi
	[[ -r $path ]] || die "cannot read $path"
	if bzimage_version "$path" >/dev/null; then
		kconfig_locate_image "$path"
		return
	fi
	KCONFIG_FILE=$(realpath "$path")
	KCONFIG_SOURCE='file'
	KCONFIG_DESC="config file"
	local name=${KCONFIG_FILE##*/} dir=${KCONFIG_FILE%/*} moddir=''
	case $name in
	config-*)
		KCONFIG_KERNEL=${name#config-}
		# /boot/config-V, or ROOT/boot/config-V in an unpacked package
		[[ $dir != */boot && $dir != /boot ]] || moddir=${dir%/boot}/lib/modules/$KCONFIG_KERNEL
		;;
	config)
		# Fedora's /lib/modules/V/config
		if [[ $dir == */lib/modules/* ]]; then
			KCONFIG_KERNEL=${dir##*/}
			moddir=$dir
		fi
		;;
	config.gz)
		if [[ $KCONFIG_FILE == /proc/config.gz ]]; then
			KCONFIG_KERNEL=$(uname -r)
			KCONFIG_SOURCE=proc
			KCONFIG_DESC="running kernel"
			moddir=/lib/modules/$KCONFIG_KERNEL
		fi
		;;
	.config)
		# a kernel build tree knows its release once built
		[[ ! -r $dir/include/config/kernel.release ]] ||
			KCONFIG_KERNEL=$(head -n 1 "$dir/include/config/kernel.release")
		;;
	esac
	[[ -z $moddir || ! -d $moddir ]] || KCONFIG_MODDIR=$moddir
}

# A kernel as --kernel takes it: default, version, package, flavour.
# Debian ships /boot/config-VERSION in every linux-image package.
kconfig_locate_kernel() {
	local spec=$1
	kconfig_reset
	local src
	src=$(kernel_source_of "$spec") || exit
	if [[ $src == image ]]; then
		[[ ! -f $spec ]] || bzimage_version "$spec" >/dev/null ||
			usage_die "--kernel '$spec' is not a bzImage; give a config file as 'pmemlab kconfig FILE' or --config FILE"
		kconfig_locate_path "$spec"
		return
	fi
	kernel_resolve "$spec"
	KCONFIG_KERNEL=$KERNEL_VERSION
	KCONFIG_DESC=$KERNEL_DESC
	KCONFIG_KERNEL_ORIGIN=$KERNEL_ORIGIN
	# its source may know which package holds a missing module
	KCONFIG_HINTS=1
	local base=${KERNEL_BASE%/}
	local moddir=$base/lib/modules/$KERNEL_VERSION
	[[ ! -d $moddir ]] || KCONFIG_MODDIR=$moddir
	local candidates=()
	# a cached package's own boot/ first (base is "" for the host's kernel)
	[[ -z $base ]] || candidates+=("$base/boot/config-$KERNEL_VERSION" boot)
	candidates+=("/boot/config-$KERNEL_VERSION" boot "$moddir/config" modules-dir
		"$moddir/build/.config" build-tree)
	kconfig_pick "${candidates[@]}" ||
		kconfig_from_ikconfig "$KERNEL_IMAGE" ||
		kconfig_from_proc ||
		kconfig_not_found
}

# A bzImage: a config beside it or in its modules tree, else the one
# built into it (CONFIG_IKCONFIG), else /proc/config.gz when it runs here.
kconfig_locate_image() {
	local image version dir base=''
	image=$(realpath "$1")
	version=$(bzimage_version "$image")
	dir=${image%/*}
	KCONFIG_KERNEL=$version
	KCONFIG_DESC="image:$version"
	base=$(kernel_image_modules_base "$image" "$version") || base=''
	KCONFIG_KERNEL_ORIGIN=$(image_kernel_origin "$image" "$base")
	base=${base%/}
	[[ -z $base && ! -d /lib/modules/$version ]] || KCONFIG_MODDIR=$base/lib/modules/$version
	local candidates=("$dir/config-$version" boot "$dir/.config" build-tree)
	# a build tree's arch/x86/boot/bzImage
	[[ $dir != */arch/*/boot ]] || candidates+=("${dir%/arch/*/boot}/.config" build-tree)
	[[ -z $base ]] || candidates+=("$base/boot/config-$version" boot)
	[[ -z $KCONFIG_MODDIR ]] ||
		candidates+=("$KCONFIG_MODDIR/config" modules-dir "$KCONFIG_MODDIR/build/.config" build-tree)
	candidates+=("/boot/config-$version" boot)
	kconfig_pick "${candidates[@]}" ||
		kconfig_from_ikconfig "$image" ||
		kconfig_from_proc ||
		kconfig_not_found
}

# kconfig_pick PATH SOURCE...: the first readable PATH.
kconfig_pick() {
	while (($# >= 2)); do
		KCONFIG_LOOKED+=("$(realpath -m "$1")")
		if [[ -f $1 && -r $1 ]]; then
			KCONFIG_FILE=$(realpath "$1")
			KCONFIG_SOURCE=$2
			return 0
		fi
		shift 2
	done
	return 1
}

kconfig_from_proc() {
	[[ $KCONFIG_KERNEL == "$(uname -r)" ]] || return 1
	KCONFIG_LOOKED+=(/proc/config.gz)
	[[ -r /proc/config.gz ]] || return 1
	KCONFIG_FILE=/proc/config.gz
	KCONFIG_SOURCE=proc
}

kconfig_from_ikconfig() {
	local image=$1
	KCONFIG_LOOKED+=("$image (CONFIG_IKCONFIG)")
	[[ -r $image ]] || return 1
	# a scratch directory only now: most configs are plain files
	if [[ -z ${KCONFIG_TMP:-} ]]; then
		scratch_dir_start kconfig
		KCONFIG_TMP=$SCRATCH
	fi
	kconfig_extract_ikconfig "$image" "$KCONFIG_TMP/ikconfig" || return 1
	KCONFIG_FILE=$KCONFIG_TMP/ikconfig
	KCONFIG_ORIGIN=$image
	KCONFIG_SOURCE=ikconfig
}

kconfig_not_found() {
	local where
	where=$(printf '  %s\n' "${KCONFIG_LOOKED[@]}")
	die "no kernel config found for ${KCONFIG_KERNEL:-this kernel}; looked at:
$where
Debian's linux-image packages ship /boot/config-VERSION; for your own kernel give its .config ('pmemlab kconfig path/to/.config'), or build it with CONFIG_IKCONFIG=y"
}

# kconfig_extract_ikconfig IMAGE OUT: the config a kernel built with
# CONFIG_IKCONFIG carries between "IKCFG_ST" and "IKCFG_ED", gzipped,
# inside its (compressed) payload; the method of the kernel's
# scripts/extract-ikconfig.
kconfig_extract_ikconfig() {
	local image=$1 out=$2 payload=$KCONFIG_TMP/payload format magic off
	kconfig_ikconfig_dump "$image" "$out" && return 0
	for format in gzip:'\x1f\x8b\x08' xz:'\xfd7zXZ\x00' zstd:'\x28\xb5\x2f\xfd' \
		bzip2:'BZh' lzma:'\x5d\x00\x00\x00' lz4:'\x02\x21\x4c\x18'; do
		magic=${format#*:}
		format=${format%%:*}
		kconfig_decompressor "$format" >/dev/null || continue
		# a few candidates: a short magic can occur by chance
		local offsets
		offsets=$(LC_ALL=C grep -obUaP "$magic" "$image" 2>/dev/null | sed -n '1,4s/:.*//p') || true
		for off in $offsets; do
			tail -c "+$((off + 1))" "$image" | kconfig_decompress "$format" >"$payload" 2>/dev/null || true
			if kconfig_ikconfig_dump "$payload" "$out"; then
				rm -f "$payload"
				return 0
			fi
		done
	done
	rm -f "$payload"
	return 1
}

kconfig_ikconfig_dump() {
	local file=$1 out=$2 off
	off=$(LC_ALL=C grep -obaF IKCFG_ST "$file" 2>/dev/null | sed -n '1s/:.*//p') || true
	[[ -n $off ]] || return 1
	tail -c "+$((off + 9))" "$file" | gzip -dc >"$out" 2>/dev/null || true
	grep -q '^CONFIG_' "$out"
}

kconfig_decompressor() {
	case $1 in
	gzip) command -v gzip ;;
	xz | lzma) command -v xz ;;
	zstd) command -v zstd ;;
	bzip2) command -v bzip2 ;;
	lz4) command -v lz4 ;;
	*) return 1 ;;
	esac
}

kconfig_decompress() {
	case $1 in
	gzip) gzip -dc ;;
	xz) xz -dc ;;
	lzma) xz -dc --format=lzma ;;
	zstd) zstd -qdc ;;
	bzip2) bzip2 -dc ;;
	lz4) lz4 -dc ;;
	esac
}

# Use DIR's modules for the =m checks: DIR holds lib/modules/RELEASE, or
# is lib/modules/RELEASE itself.
kconfig_use_modules() {
	local dir=$1 only
	[[ -d $dir ]] || usage_die "--modules '$dir' is not a directory"
	if [[ -n $KCONFIG_KERNEL && -d $dir/lib/modules/$KCONFIG_KERNEL ]]; then
		KCONFIG_MODDIR=$(realpath "$dir/lib/modules/$KCONFIG_KERNEL")
	elif [[ -e $dir/modules.builtin || -e $dir/modules.order || -d $dir/kernel ]]; then
		KCONFIG_MODDIR=$(realpath "$dir")
	elif [[ -z $KCONFIG_KERNEL ]] && only=$(kconfig_only_entry "$dir/lib/modules"); then
		KCONFIG_MODDIR=$(realpath "$dir/lib/modules/$only")
	else
		usage_die "--modules '$dir' holds no lib/modules/${KCONFIG_KERNEL:-RELEASE} (nor modules.builtin, modules.order or kernel/)"
	fi
}

kconfig_only_entry() {
	local -a entries
	[[ -d $1 ]] || return 1
	mapfile -t entries < <(find "$1" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
	((${#entries[@]} == 1)) || return 1
	printf '%s\n' "${entries[0]}"
}

# The config's "NAME<TAB>VALUE" lines ("n" for "is not set"), gzip or not.
kconfig_values() {
	local file=$1
	if [[ $(od -An -tx1 -N2 "$file" 2>/dev/null | tr -d ' \n') == 1f8b ]]; then
		gzip -dc "$file"
	else
		cat "$file"
	fi | sed -n -E 's/^CONFIG_([A-Za-z0-9_]+)=(.*)$/\1\t\2/p; s/^# CONFIG_([A-Za-z0-9_]+) is not set$/\1\tn/p'
}

# The requirement table's rows (not comments, groups or blank lines).
kconfig_requirement_rows() {
	grep -v -E '^[[:space:]]*(#|@|$)' "$KCONFIG_REQUIREMENTS"
}

# kconfig_module_index NAMES_JSON: {name: path} for the module files
# (paths on stdin) whose names are in NAMES_JSON; "-" and "_" are one.
kconfig_module_index() {
	jq -R -n --argjson want "$1" '
		($want | map(gsub("-"; "_"))) as $w
		| [inputs | {key: (sub(".*/"; "") | sub("\\.ko(\\.(xz|zst|gz))?$"; "") | gsub("-"; "_")), value: .}
		   | select(.key as $k | $w | index([$k]))] | from_entries'
}

# kconfig_module_hints WANTED MODULES BUILTIN: {module: which package
# holds it} for the wanted modules neither in the tree nor built in, as
# the kernel's source tells (kernel_module_hints); keys as norm makes them.
kconfig_module_hints() {
	local missing
	mapfile -t missing < <(jq -r -n --argjson w "$1" --argjson m "$2" --argjson b "$3" \
		'$w[] | gsub("-"; "_") | select(($m[.] // $b[.]) == null)')
	((${#missing[@]})) || {
		echo '{}'
		return
	}
	kernel_module_hints "${missing[@]}" | jq -R -n '[inputs | split("\t") | {key: .[0], value: .[1]}] | from_entries'
}

kconfig_json() {
	local kv fixtures meta wanted modules=null builtin=null hints='{}'
	[[ -r $KCONFIG_REQUIREMENTS ]] || die "cannot read $KCONFIG_REQUIREMENTS"
	kv=$(kconfig_values "$KCONFIG_FILE") || die "cannot read $KCONFIG_FILE"
	[[ -n $kv ]] || die "$KCONFIG_FILE is not a kernel config (no CONFIG_ lines)"
	# Only the options the table names: a whole config is too big for jq's arguments.
	kv=$(awk -F '\t' 'NR == FNR { want[$1]; next } $1 in want' \
		<(kconfig_requirement_rows | cut -f1) <(printf '%s\n' "$kv"))
	wanted=$(kconfig_requirement_rows | cut -f2 | grep -vx -- - | jq -R -n '[inputs]')
	if [[ -n $KCONFIG_MODDIR ]]; then
		modules=$(find "$KCONFIG_MODDIR" -type f \( -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz' \) \
			-printf '%P\n' 2>/dev/null | kconfig_module_index "$wanted")
		builtin='{}'
		[[ ! -r $KCONFIG_MODDIR/modules.builtin ]] ||
			builtin=$(kconfig_module_index "$wanted" <"$KCONFIG_MODDIR/modules.builtin")
		[[ -z $KCONFIG_HINTS ]] || hints=$(kconfig_module_hints "$wanted" "$modules" "$builtin")
	fi
	fixtures=$(fixture_catalog | jq -R -n '[inputs | split("\t") | {name: .[0], expected: .[1]}]')
	# the cells expectations.tsv says cannot exist (placement "-")
	local na
	na=$(fixture_expectations | jq -R -n '[inputs | split("\t") | select(.[2] == "-") | {fixture: .[0], backend: .[1], note: .[4]}]')
	local backends
	mapfile -t backends < <(backend_names)
	meta=$(jq -n --arg kernel "$KCONFIG_KERNEL" --arg desc "$KCONFIG_DESC" --arg config "${KCONFIG_ORIGIN:-$KCONFIG_FILE}" \
		--arg origin "$KCONFIG_KERNEL_ORIGIN" --argjson hints "$hints" \
		--arg source "$KCONFIG_SOURCE" --arg moddir "$KCONFIG_MODDIR" \
		'def nonempty: if . == "" then null else . end;
		 {kernel: ($kernel | nonempty), kernel_desc: $desc, kernel_origin: ($origin | nonempty),
		  config: $config, config_source: $source, module_hints: $hints,
		  modules_dir: ($moddir | nonempty), backends: $ARGS.positional}' --args "${backends[@]}")
	# the fixture groups follow the table (its line numbers stay true)
	jq -n --arg tsv "$(cat "$KCONFIG_REQUIREMENTS" && fixture_groups)" --arg config "$kv" --argjson fixtures "$fixtures" --argjson na "$na" \
		--argjson modules "$modules" --argjson builtin "$builtin" --argjson meta "$meta" \
		--argjson emulator "$(backend_emulator_needs "$KCONFIG_KERNEL")" \
		-f "$PMEMLAB_ROOT/vm/lib/kconfig.jq" ||
		die "cannot judge $KCONFIG_FILE against $KCONFIG_REQUIREMENTS"
}

# kconfig_json_cached: kconfig_json, kept in the cache for the kernels
# pmemlab unpacked there (never changed once unpacked): judging a config
# starts about 10 processes (1 s under load); the matrix asks for it at
# every run, before any guest may start. The key is every input's path,
# size and mtime: the config, the modules tree's lists, and the
# requirement table, fixtures and backends it is judged against.
kconfig_json_cached() {
	cache_location
	case $KCONFIG_FILE in
	"$CACHE_PATH"/kernels/*) ;;
	*)
		kconfig_json
		return
		;;
	esac
	local key file json
	key=$({
		printf '%s\n' "$KCONFIG_KERNEL" "$KCONFIG_DESC" "$KCONFIG_ORIGIN" "$KCONFIG_SOURCE" "$KCONFIG_MODDIR" \
			"$KCONFIG_KERNEL_ORIGIN"
		(cd "$PMEMLAB_ROOT" && stat -L -c '%n %s %Y' "$KCONFIG_FILE" \
			"$KCONFIG_MODDIR"/modules.{builtin,order,dep} \
			vm/kconfig-requirements.tsv vm/lib/kconfig.sh vm/lib/kconfig.jq vm/backends/* fixtures/* 2>&1)
	} | sha256sum)
	file=$CACHE_PATH/kconfig/${KCONFIG_KERNEL:-unknown}-${key:0:16}.json
	if [[ -s $file ]]; then
		cat "$file"
		return
	fi
	json=$(kconfig_json) || exit
	# written whole, then renamed: a run beside us never reads half of it
	if ! { mkdir -p "${file%/*}" && printf '%s\n' "$json" >"$file.$$" && mv -f "$file.$$" "$file"; }; then
		rm -f "$file.$$"
	fi
	# the kernel's verdicts under older keys (pmemlab changed): the 3 newest stay
	local old
	# shellcheck disable=SC2012 # names are a kernel release and a hex key
	mapfile -t old < <(ls -t "${file%-*}"-*.json 2>/dev/null | tail -n +4)
	((${#old[@]} == 0)) || rm -f "${old[@]}"
	printf '%s\n' "$json"
}

# The verdict as tables: options, backends, fixtures, commands, then the
# reason for every option that is missing, and what the emulator must
# give where the config allows a backend but that is not enough.
kconfig_text() {
	jq -r '
	def pad($n): tostring | if length < $n then . + (" " * ($n - length)) else . end;
	def yn: if . then "yes" else "no" end;
	def state:
		if .state == "builtin" then "built in"
		elif .state == "module" then (if .module then "module \(.module)" else "module" end)
		elif .state == "module-builtin" then "\(.module) in modules.builtin"
		elif .state == "module-unchecked" then "module \(.module) (not checked)"
		elif .state == "module-missing" then "MISSING: no \(.module).ko"
		elif .state == "not-set" then "not set"
		elif .state == "absent" then "absent (a dependency is off)"
		else "value \(.value)" end;
	def cell: if .applicable == false then "n/a" elif .supported then "yes" else "no" end;
	(.fixtures | to_entries) as $fixtures |
	def whynot: .missing | join(", ");
	def fixture_whynot:
		[.backends | to_entries[] | select(.value.applicable != false)] as $apt
		| [$apt[] | select(.value.supported | not)] as $bad
		| if ($bad | length) == 0 then ""
		  elif ($bad | map(.value.missing) | unique | length) == 1 and ($bad | length) == ($apt | length)
		  then "missing " + ($bad[0].value.missing | join(", "))
		  else $bad | map("\(.key): missing \(.value.missing | join(", "))") | join("; ") end;
	"kernel   \(.kernel // "unknown") (\(.kernel_desc))",
	(if .kernel_origin then "from     \(.kernel_origin)" else empty end),
	"config   \(.config) (\(.config_source))",
	"modules  \(.modules_dir // "no modules tree known: =m options are taken as present")",
	"",
	("OPTION" | pad(24)) + ("VALUE" | pad(6)) + ("OK" | pad(4)) + ("STATUS" | pad(30)) + "NEEDED BY",
	(.option_details | to_entries[] | (.key | pad(24)) + (.value.value | pad(6)) + (.value.available | yn | pad(4))
		+ (.value | state | pad(30)) + (.value.needed_by | join(" ")) + (if .value.level == "want" then " (optional)" else "" end)),
	"",
	([.backends | keys_unsorted[] | length + 2] | max) as $bw
	| ("BACKEND" | pad($bw)) + ("SUPPORTED" | pad(11)) + "WHY NOT",
	(.backends | to_entries[] | (.key | pad($bw)) + (.value | cell | pad(11))
		+ (if .value.supported and (.value.emulator // []) != [] then "the config allows it; the emulator must give more (Emulator, below)"
		   else .value | whynot end)),
	"",
	([.backends | keys_unsorted[] | [length + 2, 8] | max]) as $widths
	| ("FIXTURE" | pad(22)) + ("EXPECTED" | pad(10))
		+ ([.backends | keys_unsorted | to_entries[] | .key as $i | .value | ascii_upcase | pad($widths[$i])] | join("")) + "WHY NOT",
	(.fixtures | to_entries[] | (.key | pad(22)) + (.value.expected | pad(10))
		+ ([.value.backends | to_entries | to_entries[] | .key as $i | .value.value | cell | pad($widths[$i])] | join("")) + (.value | fixture_whynot)),
	"",
	("COMMAND" | pad(10)) + ("SUPPORTED" | pad(11)) + "WHY NOT",
	(.commands | to_entries[] | (.key | pad(10)) + (.value | cell | pad(11)) + (.value | whynot)),
	([.backends[], .commands[], .fixtures[].backends[] | .reasons[]] | unique) as $reasons
	| ([.backends[], .commands[], .fixtures[].backends[] | .notes[]] | unique) as $notes
	| (if ($reasons | length) > 0 then "", "Missing:", ($reasons[] | "  " + .) else empty end),
	  (if ($notes + .notes | length) > 0 then "", "Notes:", (($notes + .notes)[] | "  " + .) else empty end),
	([.backends | to_entries[] | .key as $b | .value.emulator // [] | .[] | "  \($b), Linux >= \(.linux): \(.needs)"]
	 | if length > 0 then "", "Emulator (not in the config: what QEMU and the CPU model must give; a run checks its QEMU):", .[] else empty end),
	"",
	([.backends | to_entries[] | .key as $b
	  | [$fixtures[] | select(.value.backends[$b].applicable != false)] as $apt
	  | "\($b) \([$apt[] | select(.value.backends[$b].supported)] | length)/\($apt | length)"]
	 | "fixtures supported: " + join(", ")) + "; commands: "
	 + ([.commands | to_entries[] | "\(.key) \(if .value.supported then "yes" else "no" end)"] | join(", "))
	' | sed 's/ *$//'
}
