# SPDX-License-Identifier: MIT
# bash completion for cfn-harden. Installed by `make install` into
# $(PREFIX)/share/bash-completion/completions/cfn-harden.
# Pass ids, groups and settings come from the installed binary itself
# (--list-passes, --list-settings), so they are never out of date.

_cfn_harden()
{
	local cur prev words cword
	_init_completion || return

	case $prev in
	-o|--output|--report|--config|--baseline|--write-baseline)
		_filedir
		return ;;
	--out-dir|--pairs-dir)
		_filedir -d
		return ;;
	-f|--report-format)
		COMPREPLY=($(compgen -W 'json md sarif json-patch diff junit' -- "$cur"))
		return ;;
	--only|--skip)
		local ids
		ids="$(cfn-harden --list-passes 2>/dev/null | awk '!/^#/ {print $1; g[$3]} END {for (k in g) print k}')"
		# A comma-separated list: complete the last item.
		local pre=${cur%,*}
		[[ $pre == "$cur" ]] && pre= || pre="$pre,"
		COMPREPLY=($(compgen -P "$pre" -W "$ids" -- "${cur##*,}"))
		compopt -o nospace
		return ;;
	--set)
		COMPREPLY=($(compgen -W "$(cfn-harden --list-settings 2>/dev/null | awk '{print $1 "="}')" -- "$cur"))
		compopt -o nospace
		return ;;
	--profile)
		COMPREPLY=($(compgen -W 'prod dev' -- "$cur"))
		return ;;
	--mode)
		COMPREPLY=($(compgen -W 'deployed new-stack' -- "$cur"))
		return ;;
	--min-severity)
		COMPREPLY=($(compgen -W 'low medium high critical' -- "$cur"))
		return ;;
	--to)
		COMPREPLY=($(compgen -W 'json yaml' -- "$cur"))
		return ;;
	--explain)
		COMPREPLY=($(compgen -W "$(cfn-harden --list-passes 2>/dev/null | awk '!/^#/ {print $1}')" -- "$cur"))
		return ;;
	-j|--jobs)
		return ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '$(_parse_help cfn-harden)' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	_filedir '@(json|yaml|yml|template)'
} &&
	complete -F _cfn_harden cfn-harden
