#!/bin/sh
# SPDX-License-Identifier: MIT
# make check's totals: runs each TARGET as `MAKE --no-print-directory
# TARGET`, one after the other, showing its output as it comes, and adds up
# the counts the targets print. Every target goes on after one fails, so
# that the totals count the whole suite.
#
#   total.sh MAKE TARGET...
#
# A target's count is the last line of its output of the form
# "NAME: ... N passed, N failed"; the Check runner's "N%: Checks: N,
# Failures: N, Errors: N" for the unit tests; for a target that prints
# neither, one test, passed if it exits 0. A target that exits non-zero
# with no failure counted counts one more failure. Ends with
#
#   total: N passed, N failed
#
# and exits 1 when anything failed, 0 otherwise.
set -u
make=${1:?usage: total.sh MAKE TARGET...}
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
bad=""
for t in "$@"; do
	{ $make --no-print-directory "$t" 2>&1; echo $? > "$tmp/rc"; } | tee "$tmp/out"
	rc=$(cat "$tmp/rc")
	line=$(grep -E '^[A-Za-z0-9_. -]+: (.*[ ,])?[0-9]+ passed, [0-9]+ failed$' "$tmp/out" | tail -n 1)
	unit=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+$' "$tmp/out" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed 's/.*[^0-9]\([0-9][0-9]*\) passed, [0-9]* failed$/\1/')
		f=$(echo "$line" | sed 's/.* \([0-9][0-9]*\) failed$/\1/')
	elif [ -n "$unit" ]; then
		line=$unit
		n=$(echo "$line" | sed 's/.*Checks: \([0-9]*\),.*/\1/')
		f=$(($(echo "$line" | sed 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\)$/\1 + \2/')))
		p=$((n - f))
	elif [ "$rc" -eq 0 ]; then
		p=1
		f=0
	else
		p=0
		f=1
	fi
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
	[ "$f" -eq 0 ] || bad="$bad $t"
	passed=$((passed + p))
	failed=$((failed + f))
done
[ -z "$bad" ] || echo "make check: failed in:$bad"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
