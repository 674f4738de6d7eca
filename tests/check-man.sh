#!/bin/sh
# SPDX-License-Identifier: MIT
# The man page is lint-clean, and every option of --help is in it with the
# same words.
set -eu
build=${1:-build}
fail=0
if command -v mandoc >/dev/null 2>&1; then
	if ! mandoc -Tlint -Wwarning man/cfn-harden.1; then
		echo "man: mandoc -Tlint found problems"
		fail=1
	fi
else
	echo "man: mandoc not installed (make deps)" >&2
	fail=1
fi
n=0
"$build/cfn-harden" --help | sed -n 's/^  \(-., \)\{0,1\} *--\([a-z-]*\)[^ ]*\( [][A-Z.=:]*\)\{0,1\}  *\(.*\)$/\2\t\4/p' > "$build/help-options"
while IFS="	" read -r opt desc; do
	n=$((n + 1))
	if ! grep -q "Fl \\\\-$opt\\b" man/cfn-harden.1; then
		echo "man: option --$opt is missing"
		fail=1
	elif ! grep -qxF "$desc" man/cfn-harden.1; then
		echo "man: the words for --$opt differ from --help: '$desc'"
		fail=1
	fi
done < "$build/help-options"
# Every setting has an entry in SETTINGS.
"$build/cfn-harden" --list-settings | sed -n 's/^\([a-z-]*\.[a-z-]*\) (.*/\1/p' > "$build/settings"
while read -r name; do
	n=$((n + 1))
	if ! grep -q "^\.It Cm $name " man/cfn-harden.1; then
		echo "man: setting $name is missing from SETTINGS"
		fail=1
	fi
done < "$build/settings"
# The bash completion parses, and completes the value of every option that
# takes one (it reads the options themselves from --help).
if ! bash -n contrib/cfn-harden.bash; then
	echo "man: contrib/cfn-harden.bash does not parse"
	fail=1
fi
"$build/cfn-harden" --help | sed -n 's/^ *\(-., \)\{0,1\}--\([a-z-]*\) [A-Z.]\{1,\}.*/\2/p' |
while read -r opt; do
	grep -q -- "--$opt[|)]" contrib/cfn-harden.bash ||
		echo "man: the completion does not complete the value of --$opt"
done > "$build/completion-missing"
if [ -s "$build/completion-missing" ]; then
	cat "$build/completion-missing"
	fail=1
fi
[ "$n" -ge 10 ] || { echo "man: only $n options parsed from --help"; fail=1; }
if [ "$fail" -eq 0 ]; then
	echo "man: $n options and settings checked, 1 passed, 0 failed"
else
	echo "man: 0 passed, 1 failed"
fi
exit "$fail"
