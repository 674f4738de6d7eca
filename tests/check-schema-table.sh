#!/bin/sh
# SPDX-License-Identifier: MIT
# make schema-check: src/schema_table.c is what tools/gen-schema-table.py
# writes from the resource schemas of the installed cfn-lint. The passes
# read their facts (tag shapes, create-only properties, GetAtt names) from
# that table while cfn-lint judges their outputs with its own schemas, so
# after a cfn-lint upgrade the two must not silently disagree.
# make iam-table-check (argument "iam"): the same for src/iam_table_data.c,
# which tools/gen-iam-table.py writes from the IAM service reference data
# cfn-lint checks policies against.
# REGEN=1 (make schema, make iam-table) rewrites the table instead. Nothing
# is downloaded: the data is what cfn-lint ships.
set -u
case ${1:-schema} in
schema)
	name=schema-table
	table=src/schema_table.c
	gen=tools/gen-schema-table.py
	target=schema
	;;
iam)
	name=iam-table
	table=src/iam_table_data.c
	gen=tools/gen-iam-table.py
	target=iam-table
	;;
*)
	echo "usage: $0 [schema|iam]" >&2
	exit 2
	;;
esac

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
	echo "$name: cfn-lint is not installed (no python3 imports cfnlint), so $table cannot be checked"
	exit 1
fi
tmp=$(mktemp "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 1
trap 'rm -f "$tmp" "$tmp.err"' EXIT
if ! $py "$gen" > "$tmp" 2> "$tmp.err"; then
	cat "$tmp.err"
	echo "$name: $gen failed"
	exit 1
fi
# Both generators name the version in their header comment, as
# "... of cfn-lint 1.51.0 ...".
version=$(sed -n 's/^ \* .* of cfn-lint \([^ ]*\) .*/\1/p' "$tmp" | head -n 1)

if cmp -s "$tmp" "$table"; then
	echo "$name: $table matches cfn-lint $version"
	exit 0
fi
if [ -n "${REGEN:-}" ]; then
	# Written only now, so that a failed run leaves the table whole.
	cat "$tmp.err"
	cat "$tmp" > "$table"
	echo "$name: rewrote $table from cfn-lint $version; review git diff $table"
	exit 0
fi
echo "$name: $table is stale against the installed cfn-lint $version; run 'make $target' and review the diff"
exit 1
