#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: harden one example, show the summary of its report and one
# kind of fix as a diff, and say where the rest went: it all goes to
# files, and what is shown stays under 100 lines.
#   DEMO=FILE     the template (default examples/media-processing.yaml)
#   DEMO_PASS=ID  the pass whose diff is shown (default iam)
set -eu
build=${1:-build}
input=${DEMO:-examples/media-processing.yaml}
pass=${DEMO_PASS:-iam}
out="$build/demo"
max=99
mkdir -p "$out"
ext=${input##*.}
# The example is a first draft: nothing uses it yet.
args="--mode new-stack --set outputs.export=true"
# shellcheck disable=SC2086
"$build/cfn-harden" $args -o "$out/hardened.$ext" --report "$out/report.md" \
	--report "json:$out/report.json" --report "diff:$out/hardened.diff" \
	"$input" 2> "$out/stderr"
# One kind of fix alone, with one line of context: a diff that fits.
# shellcheck disable=SC2086
"$build/cfn-harden" $args --only "$pass" -o "$out/$pass.$ext" "$input" 2>/dev/null
diff -U1 --label "a/$input" --label "b/$input" "$input" "$out/$pass.$ext" \
	> "$out/$pass.diff" || true
lint="cfn-lint is not installed: skipped"
if command -v cfn-lint >/dev/null 2>&1; then
	if cfn-lint "$out/hardened.$ext" > "$out/cfn-lint.txt" 2>&1; then
		lint="cfn-lint: no errors or warnings"
	elif grep -q '^E' "$out/cfn-lint.txt"; then
		lint="cfn-lint: ERRORS, in $out/cfn-lint.txt"
	else
		lint="cfn-lint: no errors; warnings in $out/cfn-lint.txt"
	fi
fi

{
	echo "== cfn-harden $args -o $out/hardened.$ext --report $out/report.md $input"
	cat "$out/stderr"
	echo
	echo "== the summary of $out/report.md:"
	# From "## Summary" to the rule before the first finding.
	sed -n '/^## Summary/,/^---$/p' "$out/report.md" | sed -e '1,2d' -e '$d'
} > "$out/head"
{
	echo "== written to $out/:"
	echo "   hardened.$ext, the hardened template; hardened.diff, the whole change" \
		"($(wc -l < "$out/hardened.diff") lines)"
	echo "   report.md, every finding, most severe first ($(wc -l < "$out/report.md")" \
		"lines); report.json, the same for machines"
	echo "== $lint"
} > "$out/tail"
cat "$out/head"
# What is left of the budget goes to the diff of one kind of fix.
room=$((max - $(wc -l < "$out/head") - $(wc -l < "$out/tail") - 2))
[ "$room" -ge 10 ] || room=10
lines=$(wc -l < "$out/$pass.diff")
echo "== one kind of fix (--only $pass) as a diff, $out/$pass.diff:"
if [ "$lines" -le "$room" ]; then
	cat "$out/$pass.diff"
else
	head -n $((room - 1)) "$out/$pass.diff"
	echo "... $((lines - room + 1)) more lines in $out/$pass.diff"
fi
echo
cat "$out/tail"
