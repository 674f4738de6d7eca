#!/bin/sh
# SPDX-License-Identifier: MIT
# The seed examples (examples/*.yaml, examples/*.json), end to end:
#  - each hardens to its committed output and Markdown report
#    (examples/hardened/); REGEN=1 (make examples) rewrites them;
#  - cfn-lint finds no error in any output (one call for all);
#  - the seed checklist (tests/examples_checklist.py): every fix-catalogue
#    row of the example's seed is present in its output or report.
# examples/<name>.args holds extra options for one example.
set -u
build=${1:-build}
want=examples/hardened
tmp="$build/examples-out"
rm -rf "$tmp"
mkdir -p "$tmp" "$want"
status=0
all=$("$build/cfn-harden" --list-passes | awk '!/^#/ {print $1}')
skip=$(echo "$all" | paste -sd, -)
echo "$all" > "$tmp/passes"
names=""
outs=""
for input in examples/*.yaml examples/*.json; do
	[ -f "$input" ] || continue
	file=${input#examples/}
	name=${file%.*}
	ext=${file##*.}
	# The examples are first drafts, as the seed scenarios were, whose
	# fixes export the key resources' outputs.
	args="--mode new-stack --set outputs.export=true"
	[ -f "examples/$name.args" ] && args="$args $(cat "examples/$name.args")"
	# shellcheck disable=SC2086
	if ! "$build/cfn-harden" $args -o "$tmp/$name.$ext" --report "$tmp/$name.md" "$input"; then
		echo "FAIL $input: cfn-harden failed"
		status=1
		continue
	fi
	for f in "$name.$ext" "$name.md"; do
		if [ -n "${REGEN:-}" ]; then
			cp "$tmp/$f" "$want/$f"
		elif ! cmp -s "$want/$f" "$tmp/$f"; then
			echo "FAIL $input: $want/$f differs (make examples, then review):"
			diff -u "$want/$f" "$tmp/$f" | head -n 30
			status=1
		fi
	done
	# The checklist reads the output as JSON, as it is (no pass runs).
	"$build/cfn-harden" --skip "$skip" --to json "$tmp/$name.$ext" \
		> "$tmp/$name.view.json" || status=1
	# ... and the draft, on which every row must fail (else it tests
	# nothing).
	"$build/cfn-harden" --skip "$skip" --to json "$input" \
		> "$tmp/$name.input.json" || status=1
	names="$names $name"
	outs="$outs $tmp/$name.$ext"
done
: > "$tmp/lint"
if command -v cfn-lint >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	cfn-lint -f parseable $outs > "$tmp/lint.out" 2>&1
	for n in $names; do
		errs=$(grep "^$tmp/$n\.[a-z]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:E" "$tmp/lint.out" | paste -sd' ' -)
		printf '%s\t%s\n' "$n" "$errs" >> "$tmp/lint"
		if [ -n "$errs" ]; then
			echo "FAIL examples/$n: cfn-lint errors on the output:"
			grep "^$tmp/$n\.[a-z]*:[0-9]*:[0-9]*:[0-9]*:[0-9]*:E" "$tmp/lint.out"
			status=1
		fi
	done
	echo "examples: cfn-lint on $(echo $names | wc -w) outputs: $(grep -c ':E[0-9]' "$tmp/lint.out") errors"
else
	echo "examples: cfn-lint is not installed: lint skipped"
fi
# shellcheck disable=SC2086
python3 tests/examples_checklist.py "$tmp/passes" "$tmp/lint" "$tmp" $names || status=1
[ "$status" -eq 0 ] && echo "examples: 1 passed, 0 failed" || echo "examples: 0 passed, 1 failed"
exit "$status"
