#!/bin/sh
# SPDX-License-Identifier: MIT
# Invariant 6 (consistent encryption), one policy per name and bucket, and
# load balancer log delivery, on every hardened output the suite
# produced (golden cases and the corpus sample), and a check that the
# checker itself catches the broken templates in tests/invariants-bad/.
set -eu
build=${1:-build}
outputs=$(cat "$build/golden-out/manifest" "$build/corpus-sample/manifest" 2>/dev/null | cut -f2)
status=0
# shellcheck disable=SC2086
python3 tests/invariants.py "$build/cfn-harden" $outputs || status=1
for f in tests/invariants-bad/*.yaml; do
	if python3 tests/invariants.py "$build/cfn-harden" "$f" > /dev/null; then
		echo "invariants: the checker missed the problem in $f"
		status=1
	fi
done
exit "$status"
