#!/bin/sh
# SPDX-License-Identifier: MIT
# Every fix of the catalogue (../shared/docs/fix-catalogue.md) that a
# template can express is made by some golden test: its ID is cited in the
# reason of a change in an expected report. A fix no test shows is a fix
# nobody knows still works. (S002-03, "output passes cfn-lint", is a
# property of every output: tests/lint-outputs.sh checks it.)
set -u
catalogue=${CATALOGUE:-../shared/docs/fix-catalogue.md}
[ -f "$catalogue" ] || { echo "catalogue: $catalogue not found"; exit 1; }
ids=$(awk -F'|' '/^\| S[0-9]+-[0-9]+ / {
	gsub(/ /, "", $2); t = $4; p = $5; gsub(/^ +| +$/, "", p)
	if (t ~ /^ *yes/ && p != "-" && p != "all") print $2 }' "$catalogue")
pass=0
fail=0
for id in $ids; do
	if grep -lq "($id)\|$id[),;: ]" tests/golden/*/*/expected-report.* 2>/dev/null; then
		pass=$((pass + 1))
	else
		echo "catalogue: no golden test shows $id ($(grep "^| $id " "$catalogue" | cut -d'|' -f3 | sed 's/^ *//; s/ *$//'))"
		fail=$((fail + 1))
	fi
done
echo "catalogue: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
