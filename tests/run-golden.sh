#!/bin/sh
# SPDX-License-Identifier: MIT
# Golden tests, one directory per case (jansson's test/suites layout):
#
#   tests/golden/<group>/<case>/input.{yaml,json,template}
#   args            optional: cfn-harden options, one line
#   edits.json      optional: run tests/edit_driver (cfh-edit) instead
#   expected.*      the expected output, byte for byte (same extension)
#   expected-report.FMT    optional: the report in format FMT (json, md,
#                          sarif, json-patch, diff)
#   expected-stderr, expected-status   for failing cases, which must leave
#                   no file behind (@OUT@ in args, @OUT@.<ext>, temporaries);
#                   expected-stderr alone pins what a successful run says
#
# A missing expectation is written and the case fails, so that it is
# reviewed before it is committed; REGEN=1 rewrites all of them (make regen).
# Every output is kept under $build/golden-out for the cfn-lint pass.
set -u
build=${1:-build}
out="$build/golden-out"
rm -rf "$out"
mkdir -p "$out"
pass=0
fail=0
# GOLDEN=<group> or GOLDEN=<group>/<case> limits the run (REGEN too).
case "${GOLDEN:-}" in
"") pattern='*/*' ;;
*/*) pattern=$GOLDEN ;;
*) pattern="$GOLDEN/*" ;;
esac
for dir in tests/golden/$pattern/; do
	dir=${dir%/}
	name=${dir#tests/golden/}
	input=$(ls "$dir"/input.* 2>/dev/null | head -n 1)
	[ -n "$input" ] || continue
	ext=${input##*.}
	case_out="$out/$(echo "$name" | tr / _).$ext"
	written="$case_out.written"
	rm -f "$written" "$written".*
	args=""
	# @OUT@ in args names a file the case may write (-o, --report).
	[ -f "$dir/args" ] && args=$(sed "s|@OUT@|$written|g" "$dir/args")
	rm -f "$case_out".report.*
	if [ -f "$dir/edits.json" ]; then
		"$build/cfh-edit" "$input" "$dir/edits.json" > "$case_out" 2> "$case_out.err"
		status=$?
	else
		# expected-report.FMT: the report in that format (json, md,
		# sarif, json-patch, diff).
		report=""
		for r in "$dir"/expected-report.*; do
			[ -f "$r" ] || continue
			fmt=${r##*/expected-report.}
			report="$report --report $fmt:$case_out.report.$fmt"
		done
		# The semantic checks read the run's mode from its JSON report:
		# a case that pins none still writes one, not compared.
		case "$report" in
		*" --report json:"*) ;;
		*) [ -f "$dir/expected-status" ] ||
			report="$report --report json:$case_out.report.json" ;;
		esac
		# shellcheck disable=SC2086
		"$build/cfn-harden" $args $report "$input" > "$case_out" 2> "$case_out.err"
		status=$?
	fi
	ok=1
	expected_status=0
	[ -f "$dir/expected-status" ] && expected_status=$(cat "$dir/expected-status")
	if [ "$status" != "$expected_status" ]; then
		echo "FAIL $name: exit status $status, expected $expected_status"
		cat "$case_out.err"
		ok=0
	fi
	check() { # expected-file actual-file
		if [ -n "${REGEN:-}" ] || [ ! -f "$1" ]; then
			[ -f "$1" ] || { echo "FAIL $name: wrote missing $1: review it"; ok=0; }
			cp "$2" "$1"
			return
		fi
		if ! cmp -s "$1" "$2"; then
			echo "FAIL $name: $(basename "$1") differs"
			diff -u "$1" "$2" | head -n 40
			ok=0
		fi
	}
	if [ "$expected_status" = 0 ]; then
		check "$dir/expected.$ext" "$case_out"
		if [ -f "$dir/edits.json" ]; then
			# What the edit API wrote must load again.
			if ! "$build/cfn-harden" --check "$case_out" >/dev/null 2>"$case_out.err2" &&
			    [ $? -gt 1 ]; then
				echo "FAIL $name: the output does not load:"
				cat "$case_out.err2"
				ok=0
			fi
		else
			printf '%s\t%s\n' "$input" "$case_out" >> "$out/manifest"
			# Idempotent: hardening the output again changes nothing.
			# shellcheck disable=SC2086
			"$build/cfn-harden" $args "$case_out" > "$case_out.again" 2>/dev/null
			if ! cmp -s "$case_out" "$case_out.again"; then
				echo "FAIL $name: not idempotent (a second run changes the output)"
				diff -u "$case_out" "$case_out.again" | head -n 20
				ok=0
			fi
		fi
		for r in "$dir"/expected-report.*; do
			[ -f "$r" ] || continue
			check "$r" "$case_out.report.${r##*/expected-report.}"
		done
		# What a successful run says on stderr, when the case pins it.
		[ -f "$dir/expected-stderr" ] && check "$dir/expected-stderr" "$case_out.err"
	else
		check "$dir/expected-stderr" "$case_out.err"
		# A failing run must not leave an output file behind: neither
		# the files @OUT@ names (@OUT@ and @OUT@.<ext>) nor a temporary
		# file of the atomic write.
		for f in "$written" "$written".* "$out"/.cfn-harden.*; do
			if [ -e "$f" ]; then
				echo "FAIL $name: a file was left behind: $f"
				rm -f "$f"
				ok=0
			fi
		done
		rm -f "$case_out"
	fi
	if [ "$ok" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
