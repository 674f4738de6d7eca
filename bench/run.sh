#!/bin/sh
# SPDX-License-Identifier: MIT
# make bench: cfn-harden with every pass skipped over the corpus, against
# libfyaml's own parse and emit (fy-tool --dump) over the same files, one
# process per file for both; then the per-phase split (load, passes,
# reprint) measured inside one process, with the passes enabled; then
# generated templates of 500 to 5,000 resources (scale).
set -eu
build=${1:-build}
corpus=${CORPUS:-../shared/corpus}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
	-o -name '*.template' \) | LC_ALL=C sort > "$tmp/list"
n=$(wc -l < "$tmp/list")
skip=$("$build/cfn-harden" --list-passes | awk '!/^#/ {print $1}' | paste -sd, -)
now() { date +%s.%N; }

t0=$(now)
while IFS= read -r f; do
	"$build/cfn-harden" --skip "$skip" "$f" > /dev/null 2>&1 || true
done < "$tmp/list"
t1=$(now)
while IFS= read -r f; do
	fy-tool --dump "$f" > /dev/null 2>&1 || true
done < "$tmp/list"
t2=$(now)
ours=$(echo "$t1 - $t0" | bc)
theirs=$(echo "$t2 - $t1" | bc)
printf 'bench: %d files\n' "$n"
printf 'bench: cfn-harden (no passes)  %6.2f s\n' "$ours"
printf 'bench: fy-tool --dump          %6.2f s\n' "$theirs"
printf 'bench: ratio                   %6.2fx (target <= 1.5x)\n' "$(echo "$ours / $theirs" | bc -l)"
printf 'bench: phases (one process, all passes): '
"$build/corpus-check" --bench < "$tmp/list" | grep -v "^refused: "

# Scale: generated first drafts of 500 to 5,000 resources, all passes:
# wall time, time per resource (flat when the time is linear in the
# size), and peak memory (getrusage of the child: no /usr/bin/time needed).
for n in 500 1000 2000 5000; do
	python3 bench/gen.py "$n" > "$tmp/gen-$n.yaml"
	python3 - "$n" "$build/cfn-harden" "$tmp/gen-$n.yaml" <<'PY'
import os, resource, subprocess, sys, time
n, tool, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
t0 = time.monotonic()
subprocess.run([tool, path], stdout=subprocess.DEVNULL, check=True)
dt = time.monotonic() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("bench: %5d resources (%5.2f MB): %6.2f s, %5.2f ms per resource, peak %4d MB"
      % (n, os.path.getsize(path) / 1e6, dt, dt * 1000 / n, peak // 1024))
PY
done

# A repository at a time: the whole corpus as one batch, every pass, one
# worker and two (outputs are byte-identical; tests/check-batch.sh checks).
for j in 1 2; do
	t0=$(now)
	"$build/cfn-harden" -r "$corpus" --out-dir "$tmp/batch-$j" -j "$j" \
		> /dev/null 2>&1 || true
	t1=$(now)
	files=$(wc -l < "$tmp/list")
	printf 'bench: batch of %d files, -j %d: %6.2f s, %6.0f files/s\n' "$files" "$j" \
		"$(echo "$t1 - $t0" | bc)" "$(echo "$files / ($t1 - $t0)" | bc -l)"
done

# What a reviewer reads: diff and markdown report lines per template.
sh bench/review.sh "$build" "$corpus"
