#!/bin/sh
# SPDX-License-Identifier: MIT
# Inputs the fuzzer (make fuzz) once crashed on, or on which it broke a
# promise: each must now either harden, with an output that loads again,
# or be refused as invalid input (exit 3); never a crash or an internal
# error. The file name says what went wrong.
set -u
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for f in tests/fuzz-regress/*; do
	[ -f "$f" ] || continue
	"$build/cfn-harden" "$f" > "$tmp/out" 2> "$tmp/err"
	status=$?
	ok=1
	case $status in
	0)
		"$build/cfn-harden" --check "$tmp/out" > /dev/null 2> "$tmp/err2"
		s2=$?
		if [ "$s2" -gt 1 ]; then
			echo "FAIL $f: the hardened output does not load (exit $s2):"
			cat "$tmp/err2"
			ok=0
		fi ;;
	3) ;;
	*)
		echo "FAIL $f: exit status $status"
		head -n 5 "$tmp/err"
		ok=0 ;;
	esac
	if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "fuzz-regress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
