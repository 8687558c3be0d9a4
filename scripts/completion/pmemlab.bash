# shellcheck shell=bash
# Bash completion for pmemlab: commands, options and their values. The
# words come from the pmemlab being completed (`pmemlab _complete`,
# scripts/completion/complete.sh), which reads them from each command's
# --help, vm/backends/, the fixture catalog and the kernel cache, so this
# file holds no list of its own. Installed by `make install` as
# share/bash-completion/completions/pmemlab; or `. scripts/completion/pmemlab.bash`.

_pmemlab_words() {
	"${COMP_WORDS[0]}" _complete "$@" 2>/dev/null
}

# _pmemlab_offer CUR WORD...: COMPREPLY from a _complete answer, its
# :files, :dirs, :variables, :none and :list markers included.
_pmemlab_offer() {
	local cur=$1 prefix='' w words=()
	shift
	if [[ ${1:-} == :list ]]; then
		shift
		# complete the last item of a comma-separated list, which goes on
		# (no space after an item); compopt works only under completion
		compopt -o nospace 2>/dev/null || true
		[[ $cur != *,* ]] || prefix=${cur%,*}, cur=${cur##*,}
	fi
	for w in "$@"; do
		case $w in
		:files)
			_pmemlab_filenames
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
			;;
		:dirs)
			_pmemlab_filenames
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
			;;
		:variables) mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -v -- "$cur") ;;
		:none) ;;
		'') ;;
		*) [[ $w != "$cur"* ]] || words+=("$prefix$w") ;;
		esac
	done
	COMPREPLY+=("${words[@]}")
	return 0
}

# Paths are quoted and get a / after a directory.
_pmemlab_filenames() {
	compopt -o filenames 2>/dev/null || true
}

_pmemlab() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd='' verb='' i answer=()
	COMPREPLY=()
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if ((COMP_CWORD == 1)); then
		mapfile -t answer < <(_pmemlab_words commands)
		_pmemlab_offer "$cur" "${answer[@]}"
		return 0
	fi
	cmd=${COMP_WORDS[1]}
	for ((i = 2; i < COMP_CWORD; i++)); do
		# exec ... -- CMD ARGS: a command, then its files
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			if ((i == COMP_CWORD - 1)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				_pmemlab_filenames
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return 0
		fi
	done
	case $cmd in
	kernel | report)
		verb=${COMP_WORDS[2]}
		if ((COMP_CWORD == 2)); then
			mapfile -t answer < <(_pmemlab_words verbs "$cmd")
			_pmemlab_offer "$cur" "${answer[@]}"
			return 0
		fi
		;;
	esac
	if [[ $prev == -* ]]; then
		mapfile -t answer < <(_pmemlab_words values "$cmd" "$prev")
		if ((${#answer[@]})); then
			_pmemlab_offer "$cur" "${answer[@]}"
			return 0
		fi
	fi
	if [[ $cur == -* ]]; then
		mapfile -t answer < <(_pmemlab_words options "$cmd")
		_pmemlab_offer "$cur" "${answer[@]}"
		return 0
	fi
	# operands
	case $cmd:$verb in
	kernel:fetch | kernel:update)
		mapfile -t answer < <(_pmemlab_words values run --kernel)
		_pmemlab_offer "$cur" "${answer[@]/:files/}"
		;;
	kconfig:* | report:merge) _pmemlab_offer "$cur" :files ;;
	suite:*)
		# pmemlab suite NAME DIR
		if ((COMP_CWORD == 2)); then
			mapfile -t answer < <(_pmemlab_words suites)
			_pmemlab_offer "$cur" "${answer[@]}"
		else
			_pmemlab_offer "$cur" :dirs
		fi
		;;
	esac
	return 0
}

complete -F _pmemlab pmemlab
