#!/bin/sh
# SPDX-License-Identifier: MIT
# make fuzz: run the libFuzzer harness (fuzz/fuzz_harden.c) for FUZZ_TIME
# seconds, seeded from every golden input, the examples and an evenly
# spread sample of the corpus. The working corpus is kept in
# $build/corpus between runs; crash inputs land in $build/crashes: copy
# each to tests/fuzz-regress/ once fixed (make check replays them).
set -eu
build=${1:-build-fuzz}
time=${FUZZ_TIME:-600}
corpus=${CORPUS:-../shared/corpus}
seeds="$build/seeds"
mkdir -p "$seeds" "$build/corpus" "$build/crashes"
for f in tests/golden/*/*/input.* examples/*.yaml examples/*.json \
	tests/fuzz-regress/*; do
	[ -f "$f" ] && cp "$f" "$seeds/$(echo "$f" | tr / _)"
done
if [ -d "$corpus" ]; then
	# One file in 20, under the harness's 64 KiB limit.
	find "$corpus" -type f -size -64k \( -name '*.yaml' -o -name '*.yml' \
		-o -name '*.json' -o -name '*.template' \) | LC_ALL=C sort |
		awk 'NR % 20 == 1' | while IFS= read -r f; do
			cp "$f" "$seeds/corpus_$(echo "$f" | cksum | cut -d' ' -f1)"
		done
fi
echo "fuzz: $(ls "$seeds" | wc -l) seeds, $time s"
# -dict: the words CloudFormation templates are made of.
exec "$build/fuzz_harden" -max_total_time="$time" -max_len=65536 \
	-timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
	-dict=fuzz/cfn.dict -artifact_prefix="$build/crashes/" \
	"$build/corpus" "$seeds"
