# shellcheck shell=bash disable=SC2034 # KERNEL_* are read by the session and report
# The guest kernel, from one of the kernel sources: vm/kernels/NAME.sh
# (HACKING.md, "Add a kernel source"). This file loads them and is the
# one grammar of --kernel: run, exec, shell, matrix, kconfig, kernel,
# doctor and completion all ask it; nothing else names a source.
#
# A source file sets, for its NAME (function prefix: NAME with - as _):
#   KSOURCE_DESC[NAME]    the specs it takes, one line for --help and errors
#   KSOURCE_RANK[NAME]    its place when asking who takes a spec (smallest
#                         first: the first that takes it wins)
#   KSOURCE_WORDS[NAME]   names it takes as they are (completion)
#   NAME_kernel_match SPEC   status 0 when NAME takes SPEC; looks only
#   NAME_kernel_id SPEC      the stable id: what --kernel takes back, the
#                            same on every machine; downloads nothing
#   NAME_kernel_resolve ID   fetches into the cache if needed (under a
#                            lock) and sets the KERNEL_* below
#   NAME_kernel_module_hints MODULE...   optional: for modules missing
#                            from the kernel resolved, "MODULE<TAB>which
#                            package holds it" (a distribution that splits
#                            its modules); kconfig's verdict says it
#
# kernel_resolve SPEC sets:
#   KERNEL_IMAGE    path of the bzImage (or vmlinuz)
#   KERNEL_VERSION  its release string (uname -r in the guest)
#   KERNEL_BASE     directory holding lib/modules/$KERNEL_VERSION
#   KERNEL_DESC     SOURCE:VERSION, for reports (debian:6.1.0-57-amd64,
#                   debian-trixie:6.12.117+deb13-amd64, deb:PATH...)
#   KERNEL_ORIGIN   where the kernel came from, one line for people
#                   (reports: kernel_origin): distro and release with the
#                   package names, the files, or the tree and its commit
#                   ("Debian 13 trixie: linux-image-6.12.117+deb13-amd64",
#                   "files: /p/a.rpm, /p/b.rpm", "tree /u/linux at 1a2b3c4
#                   (dirty)"); every source sets it
#   KERNEL_SOURCE   the source's name
#   KERNEL_VMLINUX  a vmlinux with a PVH entry that boots this kernel
#                   without its decompressor, when the source has one
#                   (a build tree's); "" lets vm/lib/vmlinux.sh extract it

[[ -z ${_pmemlab_loaded_kernel:-} ]] || return 0
_pmemlab_loaded_kernel=1

# shellcheck source=scripts/lib/common.sh
. "$PMEMLAB_ROOT/scripts/lib/common.sh"
# shellcheck source=scripts/lib/deps.sh
. "$PMEMLAB_ROOT/scripts/lib/deps.sh"
# shellcheck source=scripts/lib/debian-archive.sh
. "$PMEMLAB_ROOT/scripts/lib/debian-archive.sh"

declare -gA KSOURCE_DESC=() KSOURCE_RANK=() KSOURCE_WORDS=()

kernel_source_load_all() {
	local f
	for f in "$PMEMLAB_ROOT"/vm/kernels/*.sh; do
		# shellcheck source=/dev/null # each source, by name
		. "$f"
	done
	local i j a b
	KSOURCE_ORDER=("${!KSOURCE_DESC[@]}")
	for ((i = 1; i < ${#KSOURCE_ORDER[@]}; i++)); do
		for ((j = i; j > 0; j--)); do
			a=${KSOURCE_ORDER[j - 1]} b=${KSOURCE_ORDER[j]}
			((${KSOURCE_RANK[$a]:-99} > ${KSOURCE_RANK[$b]:-99})) || break
			KSOURCE_ORDER[j - 1]=$b KSOURCE_ORDER[j]=$a
		done
	done
}
kernel_source_load_all

# kernel_source_of SPEC: the source that takes SPEC; exit 2 naming what
# --kernel takes when none does.
kernel_source_of() {
	local src
	for src in "${KSOURCE_ORDER[@]}"; do
		if "${src//-/_}_kernel_match" "$1"; then
			printf '%s\n' "$src"
			return
		fi
	done
	usage_die "unknown kernel '$1': give $(kernel_grammar)"
}

# kernel_grammar: what --kernel takes, one line.
kernel_grammar() {
	local src out=''
	for src in "${KSOURCE_ORDER[@]}"; do
		out+=${out:+; }${KSOURCE_DESC[$src]}
	done
	printf '%s\n' "$out"
}

# kernel_words: the names --kernel takes as they are (completion).
kernel_words() {
	local src
	for src in "${KSOURCE_ORDER[@]}"; do
		# shellcheck disable=SC2086 # a list of words
		[[ -z ${KSOURCE_WORDS[$src]:-} ]] || printf '%s\n' ${KSOURCE_WORDS[$src]}
	done
}

kernel_resolve() {
	local id src
	id=$(kernel_id "${1:-}") || exit
	src=$(kernel_source_of "$id") || exit
	KERNEL_SOURCE=$src KERNEL_ORIGIN='' KERNEL_VMLINUX=''
	"${src//-/_}_kernel_resolve" "$id"
	# a source that says nothing of its origin still names itself
	[[ -n $KERNEL_ORIGIN ]] || KERNEL_ORIGIN="$src: $id"
}

# kernel_module_hints MODULE...: the resolved kernel's source's hints
# (NAME_kernel_module_hints), nothing when it has none.
kernel_module_hints() {
	local fn=${KERNEL_SOURCE:-}
	fn=${fn//-/_}_kernel_module_hints
	declare -F "$fn" >/dev/null || return 0
	"$fn" "$@"
}

# kernel_id SPEC: the name of a kernel that --kernel takes back and that
# stays the same on every machine (a Debian release for names, versions
# and packages, an absolute path for files and trees). Nothing is
# downloaded (names need at most apt's lists).
kernel_id() {
	local spec=${1:-} src
	src=$(kernel_source_of "$spec") || exit
	"${src//-/_}_kernel_id" "$spec"
}

# kernel_os_release FIELD: a field of the host's os-release (ID,
# VERSION_CODENAME, VERSION_ID...); PMEMLAB_OS_RELEASE names the file.
kernel_os_release() {
	local file=${PMEMLAB_OS_RELEASE:-/etc/os-release} line
	[[ -r $file ]] || file=/usr/lib/os-release
	while IFS= read -r line; do
		[[ $line == "$1="* ]] || continue
		line=${line#*=}
		line=${line#[\"\']}
		printf '%s\n' "${line%[\"\']}"
		return
	done <"$file" 2>/dev/null
	return 1
}

# kernel_source_default: the source `default` means on this host, from
# its os-release: ubuntu on Ubuntu, debian everywhere else.
kernel_source_default() {
	local id like
	id=$(kernel_os_release ID) || id=
	like=$(kernel_os_release ID_LIKE) || like=
	case " $id $like " in
	*" ubuntu "*) [[ -n ${KSOURCE_DESC[ubuntu]:-} ]] && echo ubuntu || echo debian ;;
	*) echo debian ;;
	esac
}

# kernel_default_meta: the package `default` stands for on this host
# (install-deps makes sure apt's lists know it).
kernel_default_meta() {
	case $(kernel_source_default) in
	ubuntu) printf '%s\n' "$UBUNTU_DEFAULT_META" ;;
	*) printf '%s\n' "$DEFAULT_KERNEL_META" ;;
	esac
}

# kernel_modules_base ROOT VERSION: the directory under ROOT whose
# lib/modules/VERSION exists: ROOT, or ROOT/usr (usr-merged packages).
kernel_modules_base() {
	local base
	for base in "${1%/}" "${1%/}/usr"; do
		[[ -d $base/lib/modules/$2 ]] || continue
		printf '%s\n' "${base:-/}"
		return
	done
	return 1
}

# kernel_layout_commit STAGE ROOT VERSION WHAT [TMP]: a staged kernel
# into the cache: usr-merged modules moved to lib/modules (one place for
# modprobe and kconfig), modules.dep rebuilt, then ROOT replaced at once.
# On failure TMP (default STAGE) is removed and the reason names WHAT.
kernel_layout_commit() {
	local stage=$1 root=$2 version=$3 what=$4 tmp=${5:-$1}
	if [[ ! -d $stage/lib/modules/$version && -d $stage/usr/lib/modules/$version ]]; then
		{ mkdir -p "$stage/lib/modules" && mv "$stage/usr/lib/modules/$version" "$stage/lib/modules/"; } ||
			kernel_stage_die "$tmp" "cannot lay out the modules of $what"
	fi
	[[ -d $stage/lib/modules/$version/kernel ]] ||
		kernel_stage_die "$tmp" "$what holds no modules tree for $version (looked in lib/modules/$version and usr/lib/modules/$version)"
	[[ -e $stage/lib/modules/$version/modules.dep ]] ||
		"$(depmod_path)" -b "$stage" "$version" || kernel_stage_die "$tmp" "depmod failed for $what"
	touch "$stage/.complete"
	rm -rf "$root"
	mv "$stage" "$root" || die "cannot move $stage to $root"
}

kernel_stage_die() {
	rm -rf "$1"
	DIE_STATUS=${3:-$EX_RUNTIME} die "$2"
}

# kernel_stage_dir ROOT: a fresh staging directory beside ROOT.
kernel_stage_dir() {
	{ mkdir -p "${1%/*}" && mktemp -d "${1%/*}/.fetch.XXXXXX"; } ||
		die "cannot create a download directory under ${1%/*}"
}

# kernel_image_modules_base IMAGE VERSION: the directory holding
# lib/modules/VERSION for an image (--modules DIR, else beside the image
# or up to two levels above it, else /), each also as DIR/usr (usr-merged
# trees); fails when there is none. Looks, never changes anything (doctor
# asks it too).
kernel_image_modules_base() {
	local dir base
	dir=$(dirname "$(realpath "$1")")
	for base in "${OPT_MODULES:-}" "$dir" "$dir/.." "$dir/../.." /; do
		[[ -n $base ]] || continue
		base=$(kernel_modules_base "$base" "$2") || continue
		realpath "$base"
		return
	done
	return 1
}

kernel_ensure_depmod() {
	local moddir=$KERNEL_BASE/lib/modules/$KERNEL_VERSION
	[[ -e $moddir/modules.dep ]] && return
	[[ -w $moddir ]] || die "$moddir has no modules.dep and is not writable: run depmod -b $KERNEL_BASE $KERNEL_VERSION"
	"$(depmod_path)" -b "$KERNEL_BASE" "$KERNEL_VERSION" || die "depmod failed for $moddir"
}

# kmod_tool NAME: depmod or modprobe by path; a user's PATH often lacks /usr/sbin.
kmod_tool() {
	local p
	for p in "/usr/sbin/$1" "/sbin/$1"; do
		[[ -x $p ]] && {
			printf '%s\n' "$p"
			return
		}
	done
	command -v "$1" || die "$1 not found (apt-get install kmod)"
}

depmod_path() {
	kmod_tool depmod
}

# The release string a bzImage carries (boot protocol: the 16-bit
# kernel_version field at 0x20e points 0x200 bytes before the string).
bzimage_version() {
	local image=$1 magic off
	magic=$(od -An -c -j 0x202 -N 4 "$image" 2>/dev/null | tr -d ' ')
	[[ $magic == HdrS ]] || return 1
	off=$(od -An -tu2 -j 0x20e -N 2 "$image" | tr -d ' ')
	[[ -n $off && $off != 0 ]] || return 1
	dd if="$image" bs=1 skip=$((off + 0x200)) count=128 status=none |
		tr '\0' '\n' | sed -n '1{s/ .*//;p}'
}
