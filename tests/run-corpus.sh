#!/bin/sh
# SPDX-License-Identifier: MIT
# The corpus test: every template in the corpus loads (or is refused
# exactly as tests/corpus-refused.txt expects), reprints byte for byte,
# survives re-rendering of every value, hardens without failing, and
# hardening twice changes nothing. See tests/corpus_check.c.
#
# The corpus is ../shared/corpus (2,442 templates of five projects' test
# suites; CORPUS=DIR names another) when it is there. A clone without it
# checks the sample committed in tests/corpus/ (40 of those templates, at
# the same paths; tests/corpus/SOURCES.md) and says that the rest was
# skipped. With both, the sample must still be a copy of its originals.
set -eu
build=${1:-build}
corpus=${CORPUS:-../shared/corpus}
sample=tests/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
if [ -d "$corpus" ]; then
	find "$sample" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
		-o -name '*.template' \) | LC_ALL=C sort > "$tmp/sample"
	stale=0
	while read -r f; do
		if ! cmp -s "$f" "$corpus/${f#"$sample"/}"; then
			echo "corpus: $f is not a copy of $corpus/${f#"$sample"/}"
			stale=$((stale + 1))
		fi
	done < "$tmp/sample"
	[ "$stale" -eq 0 ] || status=1
else
	echo "corpus: $corpus not found: skipped (the committed sample in $sample/ was checked)"
	corpus=$sample
fi
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
	-o -name '*.template' \) | LC_ALL=C sort > "$tmp/list"
# Changed templates are kept; an evenly spread sample of them is left for
# make lint-outputs (cfn-lint costs ~0.2 s a file) and the semantic checks:
# 100 for make check, 250 for make check-full (CHECK_FULL=1), which also
# has the semantic checks take every changed template (manifest.all).
rm -rf "$build/corpus-sample"
mkdir -p "$build/corpus-sample"
"$build/corpus-check" --sample "$build/corpus-sample" 1 \
	< "$tmp/list" > "$tmp/out" || status=$?
m="$build/corpus-sample/manifest"
total=$(wc -l < "$m")
if [ -n "${CHECK_FULL:-}" ]; then
	cp "$m" "$m.all"
	want=${LINT_SAMPLE:-250}
else
	want=${LINT_SAMPLE:-100}
fi
if [ "$total" -gt "$want" ]; then
	awk -v n="$total" -v k="$want" 'int((NR - 1) * k / n) != int(NR * k / n)' "$m" > "$m.new"
	mv "$m.new" "$m"
fi
kept=$(wc -l < "$m")
if [ -f "$m.all" ]; then
	echo "corpus: $kept of $total changed templates kept for cfn-lint, all $total for the semantic checks"
elif [ "$kept" -lt "$total" ]; then
	echo "corpus: $kept of $total changed templates kept for cfn-lint and the semantic checks (make check-full: 250 and all)"
else
	echo "corpus: $kept of $total changed templates kept for cfn-lint and the semantic checks"
fi
grep -v '^refused: ' "$tmp/out" | grep -v '^corpus: ' || true
sed -n 's|^refused: '"$corpus"'/\([^:]*\):.*|\1|p' "$tmp/out" | LC_ALL=C sort > "$tmp/refused"
# The refusals expected of the templates this corpus has (all of them for
# ../shared/corpus, the sample's own for the sample).
grep -v '^#' tests/corpus-refused.txt | cut -f1 | while read -r f; do
	[ ! -e "$corpus/$f" ] || echo "$f"
done | LC_ALL=C sort > "$tmp/expected"
if ! cmp -s "$tmp/refused" "$tmp/expected"; then
	echo "corpus: refusals differ from tests/corpus-refused.txt:"
	diff "$tmp/expected" "$tmp/refused" || true
	status=1
fi
tail -n 1 "$tmp/out"
echo "corpus: refused $(wc -l < "$tmp/expected") bad input, as tests/corpus-refused.txt expects"
[ "$status" -eq 0 ] && echo "corpus: 1 passed, 0 failed" || echo "corpus: 0 passed, 1 failed"
exit "$status"
