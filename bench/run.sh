#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: cfn-harden against libfyaml's own parse and emit (fy-tool
# --dump), side by side in one run, medians of REPEATS runs (default 5):
#   - realistic generated templates of SIZES resources (default 500 to
#     10,000): time, the ratio to fy-tool, the growth exponent, peak
#     memory as a multiple of the input;
#   - the corpus in one process against one fy-tool process over the
#     same files, with and without reports, and -j 2 against -j 1;
#   - what a reviewer reads (bench/review.sh).
# Missing inputs are an error, not a figure: no corpus (CORPUS, default
# ../shared/corpus), no fy-tool, no build.
#
#   bench/run.sh [BUILD]
set -eu
build=${1:-build}
corpus=${CORPUS:-../shared/corpus}
fail() {
	echo "bench: error: $*" >&2
	exit 1
}
[ -x "$build/cfn-harden" ] || fail "'$build/cfn-harden' not found: make build first"
[ -d "$corpus" ] || fail "corpus '$corpus' not found: set CORPUS to a directory of templates"
[ -n "$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' \
	-o -name '*.json' -o -name '*.template' \) -print | head -n 1)" ] ||
	fail "no templates under '$corpus'"
command -v fy-tool > /dev/null 2>&1 ||
	fail "fy-tool not found: install libfyaml-utils (make deps)"
command -v python3 > /dev/null 2>&1 || fail "python3 not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/bench.py "$build" "$corpus" "$tmp"

# Where the time goes inside one process, over the corpus.
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
	-o -name '*.template' \) | LC_ALL=C sort > "$tmp/list"
if [ -x "$build/corpus-check" ]; then
	printf 'bench: phases (one process, all passes): '
	"$build/corpus-check" --bench < "$tmp/list" | grep -v "^refused: "
fi

# What a reviewer reads: diff and markdown report lines per template.
sh bench/review.sh "$build" "$corpus"
