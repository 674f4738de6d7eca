#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo: harden one example and show what changed and why.
set -eu
build=${1:-build}
input=${DEMO:-examples/media-processing.yaml}
out="$build/demo"
mkdir -p "$out"
ext=${input##*.}
# The example is a first draft: nothing uses it yet.
"$build/cfn-harden" --mode new-stack --set outputs.export=true -o "$out/hardened.$ext" --report "$out/report.md" "$input"
echo "== cfn-harden --mode new-stack --set outputs.export=true -o $out/hardened.$ext --report $out/report.md $input"
echo
echo "== the change (diff -u input output):"
diff -u "$input" "$out/hardened.$ext" || true
echo
echo "== the report ($out/report.md), first lines:"
sed -n '1,40p' "$out/report.md"
echo "..."
echo
echo "== cfn-lint on the hardened template:"
if command -v cfn-lint >/dev/null 2>&1; then
	cfn-lint "$out/hardened.$ext" && echo "cfn-lint: no errors"
else
	echo "cfn-lint is not installed: skipped"
fi
