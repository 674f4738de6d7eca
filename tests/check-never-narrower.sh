#!/bin/sh
# SPDX-License-Identifier: MIT
# Never narrower on what is used, on every input/output pair the suite
# produced (golden cases and the corpus sample), and a check of the checker
# itself: every pair in tests/never-narrower-bad/<case>/ must be reported,
# and no pair in tests/never-narrower-good/<case>/ may be. See
# tests/never_narrower.py.
set -u
build=${1:-build}
tool="$build/cfn-harden"
nn="python3 tests/never_narrower.py --cfn-harden $tool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# Every corpus output when run-corpus.sh kept the full list, else the sample.
corpus="$build/corpus-sample/manifest"
[ -f "$corpus.all" ] && corpus="$corpus.all"
cat "$build/golden-out/manifest" "$corpus" 2>/dev/null > "$tmp/pairs"
if [ -s "$tmp/pairs" ]; then
	$nn --pairs "$tmp/pairs" > "$tmp/out"
	status=$?
	grep -v -e '^never-narrower: [0-9]* pairs checked' \
		-e '^never-narrower: [0-9]* principals compared' "$tmp/out"
	summary=$(tail -n 1 "$tmp/out")
	p=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ] || { [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "never-narrower: the checker failed (exit status $status): $summary"
		p=0
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
fi
for dir in tests/never-narrower-bad/*/; do
	[ -f "$dir/input.yaml" ] || continue
	$nn "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"
	status=$?
	if [ "$status" -eq 1 ] && grep -q '^never-narrower: .*, which .* allowed$' "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "never-narrower: the checker missed the narrowing in ${dir%/} (exit status $status)"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
for dir in tests/never-narrower-good/*/; do
	[ -f "$dir/input.yaml" ] || continue
	if $nn "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "never-narrower: the checker wrongly reports ${dir%/}:"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
echo "never-narrower: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
