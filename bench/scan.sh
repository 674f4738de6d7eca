#!/bin/sh
# SPDX-License-Identifier: MIT
# make scan: the findings of independent checkers (cfn-lint's security
# rules, cdk-nag AwsSolutions + NIST 800-53 R5, cfn-guard with the AWS
# Control Tower rules) on a fixed sample of ../shared/corpus, before and
# after hardening in each mode (bench/scan.py prints the totals, the rules
# that remain and the findings the tool adds). A measurement, not a test:
# keep it out of `make check`. It needs the checkers (installed once by
# ../shared/oracles/install.sh) and the corpus, and stops, exit 2, without
# them.
#
#   sh bench/scan.sh [BUILD]          (CORPUS, ORACLES, SCAN_JOBS to override)
#   SCAN_RESAMPLE=1 sh bench/scan.sh  rebuild bench/scan-sample.txt first
set -eu
build=${1:-build}
corpus=${CORPUS:-../shared/corpus}
oracles=${ORACLES:-../shared/oracles}
sample=bench/scan-sample.txt
home=${ORACLES_HOME:-$HOME/.cache/cfn-harden-oracles}

die() { echo "scan: error: $*" >&2; exit 2; }

[ -x "$oracles/count-findings.sh" ] ||
	die "no checkers at '$oracles' (set ORACLES to the folder with count-findings.sh)"
[ -x "$home/run-oracles.sh" ] ||
	die "checkers not installed in '$home': run '$oracles/install.sh' once"
[ -d "$corpus" ] ||
	die "no corpus at '$corpus' (set CORPUS)"
[ -x "$build/cfn-harden" ] ||
	die "no '$build/cfn-harden': build it first"

if [ -n "${SCAN_RESAMPLE:-}" ]; then
	python3 bench/scan-sample.py "$corpus" > "$sample.tmp"
	mv "$sample.tmp" "$sample"
fi
missing=0
for f in $(grep -v '^#' "$sample"); do
	[ -f "$corpus/$f" ] || { echo "scan: error: '$corpus/$f' is missing" >&2; missing=1; }
done
[ "$missing" = 0 ] || die "the corpus does not hold the sample of '$sample'"

exec python3 bench/scan.py "$build" "$corpus" "$oracles/count-findings.sh" "$sample"
