#!/bin/sh
# SPDX-License-Identifier: MIT
# Bad inputs too large or too odd to commit, generated here:
#  - a 20 MB template (a 20 MB block scalar and a queue) hardens, in
#    bounded time, with the scalar kept byte for byte;
#  - 20 MB of random bytes are refused as input (exit 3), quickly;
#  - an empty standard input is refused (exit 3);
#  - a directory without -r is a bad command line (exit 2), a file that
#    does not exist an I/O error (exit 4);
# and none of the failing runs leaves an output file behind.
set -u
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
result() { # ok|fail message
	if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi
}
expect() { # name want-status command...
	name=$1 want=$2
	shift 2
	"$@" > "$tmp/stdout" 2> "$tmp/stderr"
	got=$?
	if [ "$got" != "$want" ]; then
		result fail "$name: exit status $got, expected $want"
		head -n 3 "$tmp/stderr"
	elif [ "$want" != 0 ] && ls "$tmp"/out* "$tmp"/.cfn-harden.* >/dev/null 2>&1; then
		result fail "$name: an output file was left behind"
		rm -f "$tmp"/out* "$tmp"/.cfn-harden.*
	else
		result ok
	fi
}

python3 - "$tmp/big.yaml" <<'PY'
import sys
line = "    " + "x" * 75 + "\n"
with open(sys.argv[1], "w") as f:
    f.write("AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  Blob: |\n")
    f.write(line * (20 * 1024 * 1024 // len(line)))
    f.write("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
PY
start=$(date +%s)
expect big-20mb 0 "$build/cfn-harden" --only encryption -o "$tmp/big.out.yaml" "$tmp/big.yaml"
secs=$(($(date +%s) - start))
if [ "$secs" -gt "${BIG_LIMIT:-60}" ]; then
	result fail "big-20mb: took $secs s"
fi
# The blob is kept byte for byte: the first 20 MB of lines are the same.
n=$(grep -c '^    x' "$tmp/big.yaml")
if [ "$(head -n $((n + 3)) "$tmp/big.yaml" | cksum)" = "$(head -n $((n + 3)) "$tmp/big.out.yaml" | cksum)" ] &&
    grep -q KmsMasterKeyId "$tmp/big.out.yaml"; then
	result ok
else
	result fail "big-20mb: the output does not keep the blob, or is not hardened"
fi
expect big-20mb-again 0 "$build/cfn-harden" --only encryption --check "$tmp/big.out.yaml"
rm -f "$tmp/big.yaml" "$tmp/big.out.yaml"

head -c $((20 * 1024 * 1024)) /dev/urandom > "$tmp/random.bin"
start=$(date +%s)
expect random-20mb 3 "$build/cfn-harden" -o "$tmp/out.yaml" "$tmp/random.bin"
[ $(($(date +%s) - start)) -le 10 ] || result fail "random-20mb: too slow to refuse"
rm -f "$tmp/random.bin"

expect empty-stdin 3 sh -c "'$build/cfn-harden' -o '$tmp/out.yaml' - < /dev/null"
expect directory 2 "$build/cfn-harden" -o "$tmp/out.yaml" "$tmp"
expect missing-file 4 "$build/cfn-harden" -o "$tmp/out.yaml" "$tmp/no-such-file.yaml"
echo "generated-inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
