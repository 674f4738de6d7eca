#!/bin/sh
# SPDX-License-Identifier: MIT
# make valgrind: memcheck on every example (examples/, with its .args),
# each run writing its output and a Markdown and a JSON report, and on
# the bad inputs (tests/golden/errors): no invalid access, no use of
# uninitialised memory, no leak (definite, indirect or possible).
set -u
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
vg() { # name args...
	name=$1
	shift
	valgrind -q --tool=memcheck --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 --log-file="$tmp/vg.log" "$@" \
		> /dev/null 2> "$tmp/err"
	if [ $? = 99 ] || [ -s "$tmp/vg.log" ]; then
		echo "FAIL $name:"
		head -n 40 "$tmp/vg.log"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}
for input in examples/*.yaml examples/*.json; do
	[ -f "$input" ] || continue
	file=${input#examples/}
	name=${file%.*}
	args=""
	[ -f "examples/$name.args" ] && args=$(cat "examples/$name.args")
	# shellcheck disable=SC2086
	vg "$input" "$build/cfn-harden" $args -o "$tmp/out.${file##*.}" --report "$tmp/r.md" "$input"
	# shellcheck disable=SC2086
	vg "$input (json report, --to json)" "$build/cfn-harden" $args --to json \
		--report "$tmp/r.json" "$input"
done
for dir in tests/golden/errors/*/; do
	input=$(ls "$dir"input.* 2>/dev/null | head -n 1)
	[ -n "$input" ] || continue
	args=$(sed "s|@OUT@|$tmp/w|g" "$dir/args" 2>/dev/null)
	# shellcheck disable=SC2086
	vg "$input" "$build/cfn-harden" $args "$input"
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
