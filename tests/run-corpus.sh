#!/bin/sh
# SPDX-License-Identifier: MIT
# The corpus test: every template in ../shared/corpus loads (or is refused
# exactly as tests/corpus-refused.txt expects), reprints byte for byte,
# survives re-rendering of every value, hardens without failing, and
# hardening twice changes nothing. See tests/corpus_check.c.
set -eu
build=${1:-build}
corpus=${CORPUS:-../shared/corpus}
if [ ! -d "$corpus" ]; then
	# CI always has shared/ beside the clone: missing there is a failure.
	if [ -n "${CI:-}" ]; then
		echo "corpus: $corpus not found" >&2
		exit 1
	fi
	echo "corpus: $corpus not found: skipped" >&2
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
	-o -name '*.template' \) | LC_ALL=C sort > "$tmp/list"
status=0
# Changed templates are kept; an evenly spread sample of them (250 by
# default: cfn-lint costs ~0.2 s a file) is left for make lint-outputs.
rm -rf "$build/corpus-sample"
mkdir -p "$build/corpus-sample"
"$build/corpus-check" --sample "$build/corpus-sample" 1 \
	< "$tmp/list" > "$tmp/out" || status=$?
m="$build/corpus-sample/manifest"
# Every changed output, for the semantic checks (never broader, never
# narrower, replacements), which are fast enough for all of them.
cp "$m" "$m.all"
total=$(wc -l < "$m")
want=${LINT_SAMPLE:-250}
if [ "$total" -gt "$want" ]; then
	awk -v n="$total" -v k="$want" 'int((NR - 1) * k / n) != int(NR * k / n)' "$m" > "$m.new"
	mv "$m.new" "$m"
fi
echo "corpus: $(wc -l < "$m") of $total changed templates kept for cfn-lint"
grep -v '^refused: ' "$tmp/out" | grep -v '^corpus: ' || true
sed -n 's|^refused: '"$corpus"'/\([^:]*\):.*|\1|p' "$tmp/out" | LC_ALL=C sort > "$tmp/refused"
grep -v '^#' tests/corpus-refused.txt | cut -f1 | LC_ALL=C sort > "$tmp/expected"
if ! cmp -s "$tmp/refused" "$tmp/expected"; then
	echo "corpus: refusals differ from tests/corpus-refused.txt:"
	diff "$tmp/expected" "$tmp/refused" || true
	status=1
fi
tail -n 1 "$tmp/out"
bad=$(grep -c 'bad-input$' tests/corpus-refused.txt || true)
echo "corpus: refused $bad bad input"
[ "$status" -eq 0 ] && echo "corpus: 1 passed, 0 failed" || echo "corpus: 0 passed, 1 failed"
exit "$status"
