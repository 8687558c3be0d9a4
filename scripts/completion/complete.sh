# shellcheck shell=bash
# `pmemlab _complete WHAT ...` (hidden): the words the bash completion
# (scripts/completion/pmemlab.bash) offers, one per line, read from where
# pmemlab keeps them, so that no list is written twice: the commands from
# `pmemlab help`, each command's options, verbs and fixed values from its
# --help, backends from vm/backends/, fixtures from the fixture catalog,
# kernels from the cache. Needs scripts/lib/common.sh and the `usage`
# function of scripts/pmemlab.
#
#   _complete commands              run, exec, ... (and --version, --help)
#   _complete verbs CMD             kernel: fetch update list; report: merge
#   _complete options CMD           every option CMD's --help names
#   _complete suites                the suites of scripts/suites/ (pmemlab suite NAME)
#   _complete values CMD OPTION     what OPTION takes; nothing for a flag.
#       Besides words, a line may be :files, :dirs or :variables (the
#       completion offers paths or shell variables), :none (a value no
#       list holds, such as a size) or :list (first: a comma-separated
#       list of the words follows).

# shellcheck source=vm/lib/fixtures.sh
. "$PMEMLAB_ROOT/vm/lib/fixtures.sh"
# shellcheck source=vm/lib/kernel.sh
. "$PMEMLAB_ROOT/vm/lib/kernel.sh"

complete_words() {
	local what=${1:-}
	(($#)) && shift
	case $what in
	commands) complete_commands ;;
	verbs) complete_verbs "${1:-}" ;;
	options) complete_options "${1:-}" ;;
	values) complete_values "${1:-}" "${2:-}" ;;
	suites)
		# shellcheck source=scripts/lib/suite.sh
		. "$PMEMLAB_ROOT/scripts/lib/suite.sh"
		suite_names
		;;
	*) usage_die "_complete: say commands, verbs CMD, options CMD, values CMD OPTION or suites" ;;
	esac
}

# The commands section of `pmemlab help`: the first word of each line.
complete_commands() {
	local line in=0 re='^  ([a-z]+) '
	while IFS= read -r line; do
		case $line in
		commands:) in=1 ;;
		'') in=0 ;;
		*) ((in)) && [[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}" ;;
		esac
	done < <(usage)
	printf '%s\n' --version --help
}

# complete_help CMD: CMD's --help text (nothing for an unknown CMD).
complete_help() {
	# a command is its file (scripts/pmemlab)
	[[ ${1:-} =~ ^[a-z]+$ && -r $PMEMLAB_ROOT/scripts/commands/$1.sh ]] || return 0
	"$PMEMLAB_ROOT/scripts/pmemlab" "$1" --help 2>/dev/null || true
}

# Verbs: the word after "pmemlab CMD" on the usage lines, when it is one.
complete_verbs() {
	local cmd=$1 line re
	re="^(usage:)? +pmemlab $cmd ([a-z][a-z|]*)( |$)"
	while IFS= read -r line; do
		[[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[2]//|/$'\n'}"
	done < <(complete_help "$cmd")
	return 0
}

# Options: those that start a line of the help, follow ", " (-q, --quiet;
# a list of options) or open a bracket ([--report DIR]); an option merely
# mentioned in a sentence ("as 'run --kernel' takes them") is not one.
complete_options() {
	local line rest re='(^ *|, |\[)(--?[a-zA-Z][a-zA-Z0-9-]*)'
	while IFS= read -r line; do
		rest=$line
		while [[ $rest =~ $re ]]; do
			printf '%s\n' "${BASH_REMATCH[2]}"
			rest=${rest#*"${BASH_REMATCH[0]}"}
		done
	done < <(complete_help "$1") | sort -u
	printf '%s\n' --help
}

# complete_metavar CMD OPTION: the word after OPTION where the help
# defines it (a metavariable such as DIR, or a list such as text|json);
# nothing when OPTION is a flag.
complete_metavar() {
	local cmd=$1 opt=$2 line re whole
	re="(^ *|, |\[)$opt(, --?[a-zA-Z0-9-]+)*( ([^] ]+))?"
	# the option itself, not one it is the start of (--fixture-opt)
	whole="(^ *|, |\[)$opt([],[:space:]]|$)"
	while IFS= read -r line; do
		[[ $line =~ $whole && $line =~ $re ]] || continue
		# matrix: "--size, --accel, --timeout, --modules   as for 'pmemlab run'"
		if [[ $line == *"as for 'pmemlab run'"* && $cmd != run ]]; then
			complete_metavar run "$opt"
			return
		fi
		local word=${BASH_REMATCH[4]}
		[[ $word =~ ^[A-Z] || $word == *'|'* ]] && printf '%s\n' "$word"
		return 0
	done < <(complete_help "$cmd")
}

complete_values() {
	local cmd=$1 opt=$2 metavar
	metavar=$(complete_metavar "$cmd" "$opt")
	[[ -n $metavar ]] || return 0
	[[ $metavar != LIST ]] || printf ':list\n'
	case $opt in
	--backend | --backends) complete_backends "$cmd" ;;
	--qemus) printf '%s\n' system backports :files ;;
	--fixture | --fixtures)
		fixture_names
		# a fixture file of the user's (--fixture PATH)
		[[ $opt != --fixture ]] || printf ':files\n'
		# exec and shell: no fixture, the regions left empty
		[[ $cmd != exec && $cmd != shell ]] || printf 'none\n'
		;;
	--kernel | --kernels)
		complete_kernels
		printf ':files\n'
		;;
	*)
		case $metavar in
		*'|'*) printf '%s\n' "${metavar//|/$'\n'}" ;;
		DIR) printf ':dirs\n' ;;
		FILE) printf ':files\n' ;;
		NAME) printf ':variables\n' ;;
		*) printf ':none\n' ;;
		esac
		;;
	esac
}

# The backends: the host halves in vm/backends/ (NAME.sh, not
# NAME.guest.sh); without that directory, the list run's --help gives.
complete_backends() {
	local f name found=0
	for f in "$PMEMLAB_ROOT"/vm/backends/*.sh; do
		[[ -f $f ]] || continue
		name=${f##*/}
		[[ $name == *.guest.sh ]] && continue
		printf '%s\n' "${name%.sh}"
		found=1
	done
	((found)) || complete_metavar run --backend | tr '|' '\n'
}

# The kernels: the names the kernel sources take (kernel_words in
# vm/lib/kernel.sh) and the versions in the cache.
complete_kernels() {
	kernel_words
	"$PMEMLAB_ROOT/scripts/pmemlab" kernel list --format json 2>/dev/null |
		jq -r '.kernels[].version' 2>/dev/null || true
}
