#!/bin/sh
# SPDX-License-Identifier: MIT
# make schema-check: src/schema_table.c is what tools/gen-schema-table.py
# writes from the resource schemas of the installed cfn-lint. The passes
# read their facts (tag shapes, create-only properties, GetAtt names) from
# that table while cfn-lint judges their outputs with its own schemas, so
# after a cfn-lint upgrade the two must not silently disagree.
# REGEN=1 (make schema) rewrites the table instead. Nothing is downloaded:
# the schemas are the ones cfn-lint ships.
set -u
table=src/schema_table.c
gen=tools/gen-schema-table.py

# The python that can import cfnlint: python3 (how the generator is
# documented to run), else the interpreter of the cfn-lint command, for an
# install in its own virtualenv (pipx). Only a python is tried, never
# whatever else a script's #! line names.
find_python() {
	if python3 -c 'import cfnlint' >/dev/null 2>&1; then
		echo python3
		return 0
	fi
	bin=$(command -v cfn-lint 2>/dev/null) || return 1
	py=$(sed -n '1s/^#![[:space:]]*//p' "$bin")
	case $py in
	*python*) ;;
	*) return 1 ;;
	esac
	$py -c 'import cfnlint' >/dev/null 2>&1 || return 1
	echo "$py"
}

if ! py=$(find_python); then
	echo "schema-table: cfn-lint is not installed (no python3 imports cfnlint), so $table cannot be checked"
	exit 1
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/schema_table.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.err"' EXIT
if ! $py "$gen" > "$tmp" 2> "$tmp.err"; then
	cat "$tmp.err"
	echo "schema-table: $gen failed"
	exit 1
fi
version=$(sed -n 's/^ \* schemas of cfn-lint \([^ ]*\) .*/\1/p' "$tmp")

if cmp -s "$tmp" "$table"; then
	echo "schema-table: $table matches cfn-lint $version"
	exit 0
fi
if [ -n "${REGEN:-}" ]; then
	# Written only now, so that a failed run leaves the table whole.
	cat "$tmp.err"
	cat "$tmp" > "$table"
	echo "schema-table: rewrote $table from cfn-lint $version; review git diff $table"
	exit 0
fi
echo "schema-table: $table is stale against the installed cfn-lint $version; run 'make schema' and review the diff"
exit 1
