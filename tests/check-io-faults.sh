#!/bin/sh
# SPDX-License-Identifier: MIT
# File-system faults and interruptions, end to end through the command
# line (issue 20, items 4, 5, 8 and 11): colliding destinations are
# refused before anything is written; a symbolic link below --out-dir or
# --pairs-dir is never written through; SIGINT, SIGTERM and `ulimit -f`
# leave no temporary file, and a later run sweeps those a killed run left;
# an unreadable directory or a path past PATH_MAX is a failed template,
# not a silent skip or the end of the batch.
set -u
build=${1:-build}
exe="$PWD/$build/cfn-harden"
tmp="$PWD/$build/io-faults-test"
rm -rf "$tmp"
mkdir -p "$tmp"
suite=io-faults
. tests/lib.sh
yaml="$PWD/examples/media-processing.yaml"
json="$PWD/tests/golden/encryption/json-all-stores/input.json"


# No staged file (.cfn-harden.*) anywhere under $1.
no_temp() {
	test -z "$(find "$1" -name '.cfn-harden.*' ! -name '.cfn-harden.yaml')"
}

# A shell runs a background command with SIGINT ignored, and cfn-harden
# keeps a signal it was started without (as nohup asks): give it back.
default_int() {
	if env --default-signal=INT true 2>/dev/null; then
		exec env --default-signal=INT "$@"
	fi
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}

# Wait for the background process $1, killing it if it outlives 20
# seconds (a run blocked for good); its exit status in $st.
reap() {
	(sleep 20; kill -KILL "$1") > /dev/null 2>&1 &
	guard=$!
	# The shell's "Terminated" for a job a signal ended is expected.
	{ wait "$1"; } 2>/dev/null
	st=$?
	kill "$guard" 2>/dev/null
}

# Wait up to 10 seconds for a file matching the find(1) test "$2..."
# under $1.
wait_for() {
	dir=$1
	shift
	n=0
	while [ "$n" -lt 200 ] && [ -z "$(find "$dir" "$@" 2>/dev/null)" ]; do
		sleep 0.05
		n=$((n + 1))
	done
}

# ---- 4: two templates, one destination: refused before any write ----
c="$tmp/collide"
mkdir -p "$c/x/a" "$c/y"
cp "$yaml" "$c/x/a b.yaml"
cp "$yaml" "$c/x/a_b.yaml"
cp "$yaml" "$c/y/a b.yaml"
cp "$yaml" "$c/y/a_b.yaml"
cp "$yaml" "$c/x/a/b.yaml"
"$exe" -r "$c/y" --pairs-dir "$c/pairs" > /dev/null 2> "$c/err-pairs"
st=$?
check "collide: two templates with one pair id are exit 2" test "$st" -eq 2
check "collide: the line names both inputs and the pair directory" \
	grep -qxF "cfn-harden: error: '$c/y/a b.yaml' and '$c/y/a_b.yaml' would both write $c/pairs/a_b.yaml" "$c/err-pairs"
check "collide: no pair is written" test ! -e "$c/pairs"
"$exe" -r "$c/x" --pairs-dir "$c/pairs" -j 2 > /dev/null 2> "$c/err-three"
st=$?
check "collide: 'a/b.yaml', 'a b.yaml', 'a_b.yaml' are exit 2" test "$st" -eq 2
check "collide: one line per collision (two for three templates)" \
	test "$(grep -c "would both write $c/pairs/a_b.yaml\$" "$c/err-three")" -eq 2
check "collide: no job ran (no summary, no pair)" \
	sh -c "! grep -q '^templates' '$c/err-three' && test ! -e '$c/pairs'"
mkdir -p "$c/z"
cp "$yaml" "$c/z/a.yaml"
cp "$json" "$c/z/a.json"
"$exe" -r "$c/z" --to json --out-dir "$c/out" > /dev/null 2> "$c/err-to"
st=$?
check "collide: a.yaml and a.json under --to json are exit 2" test "$st" -eq 2
check "collide: the --out-dir file is named" \
	grep -qxF "cfn-harden: error: '$c/z/a.json' and '$c/z/a.yaml' would both write $c/out/a.json" "$c/err-to"
check "collide: no output is written" test ! -e "$c/out"
"$exe" "$c/x/a_b.yaml" "$c/y/a_b.yaml" --out-dir "$c/out" > /dev/null 2> "$c/err-args"
st=$?
check "collide: two arguments with one base name are exit 2" test "$st" -eq 2
check "collide: ... and said" grep -q "would both write $c/out/a_b.yaml\$" "$c/err-args"
"$exe" -r "$c/z" --out-dir "$c/out" > /dev/null 2>&1
check "collide: without --to, a.yaml and a.json are both written" \
	test -f "$c/out/a.yaml" -a -f "$c/out/a.json"

# ---- 5: a symbolic link below --out-dir or --pairs-dir ----
s="$tmp/links"
mkdir -p "$s/x/sub" "$s/out" "$s/pairs" "$s/elsewhere" "$s/elsewhere2" "$s/real"
cp "$yaml" "$s/x/sub/a.yaml"
cp "$yaml" "$s/x/b.yaml"
cp "$yaml" "$s/x/c.yaml"
ln -s "$s/elsewhere" "$s/out/sub"
echo precious > "$s/elsewhere/target"
ln -s "$s/elsewhere/target" "$s/out/b.yaml"
mkfifo "$s/elsewhere/fifo"
ln -s "$s/elsewhere/fifo" "$s/out/c.yaml"
"$exe" "$yaml" > "$s/real-b.yaml" 2>/dev/null
# The old code blocked for good writing into the FIFO through the link.
timeout 20 "$exe" -r "$s/x" --out-dir "$s/out" > /dev/null 2> "$s/err"
st=$?
check "links: a linked directory below --out-dir is exit 4" test "$st" -eq 4
check "links: the error line names the link" \
	grep -qF "$s/x/sub/a.yaml: error: cannot write '$s/out/sub/a.yaml': '$s/out/sub' is a symbolic link" "$s/err"
check "links: nothing is written through the linked directory" \
	test "$(ls -A "$s/elsewhere" | tr '\n' ' ')" = "fifo target "
check "links: the linked directory is left a link" test -L "$s/out/sub"
check "links: a linked output file is replaced by the output" \
	sh -c "test -f '$s/out/b.yaml' && test ! -L '$s/out/b.yaml' && cmp -s '$s/out/b.yaml' '$s/real-b.yaml'"
check "links: ... and the file it named is untouched" grep -qx precious "$s/elsewhere/target"
check "links: a link to a FIFO is replaced, not written through" \
	sh -c "test -f '$s/out/c.yaml' && test ! -L '$s/out/c.yaml' && test -p '$s/elsewhere/fifo'"
check "links: the summary counts the failure" grep -Eq "^failed +1$" "$s/err"
check "links: no staged file is left" no_temp "$s/out"
ln -s "$s/elsewhere2" "$s/pairs/sub_a.yaml"
"$exe" -r "$s/x" --pairs-dir "$s/pairs" > /dev/null 2> "$s/err-pairs"
st=$?
check "links: a linked pair directory is exit 4" test "$st" -eq 4
check "links: ... named on one line" \
	grep -qF "'$s/pairs/sub_a.yaml' is a symbolic link" "$s/err-pairs"
check "links: nothing is written through the linked pair directory" \
	test -z "$(ls -A "$s/elsewhere2")"
check "links: the other pairs are written" test -f "$s/pairs/b.yaml/IDEAL_RESPONSE.yaml"
ln -s "$s/real" "$s/out-link"
"$exe" -r "$s/x" --out-dir "$s/out-link" > /dev/null 2>&1
st=$?
check "links: the --out-dir named may itself be a link" \
	sh -c "test $st -eq 0 && test -f '$s/real/sub/a.yaml'"

# ---- 8: signals, `ulimit -f`, and the temporary files a kill leaves ----
g="$tmp/signals"
mkdir -p "$g/out"
mkfifo "$g/report.fifo"
# The output is staged, then the report is written to a FIFO nobody
# reads: the run blocks with its staged file in place.
(default_int "$exe" --report "md:$g/report.fifo" -o "$g/out/t.yaml" "$yaml") 2> "$g/err-int" &
pid=$!
wait_for "$g/out" -name '.cfn-harden.*'
check "SIGINT: the output is staged while the report blocks" \
	test -n "$(find "$g/out" -name '.cfn-harden.*')"
check "SIGINT: the staged file carries the pid" \
	test -n "$(find "$g/out" -name ".cfn-harden.$pid.*")"
kill -INT "$pid"
reap "$pid"
check "SIGINT: exit 130" test "$st" -eq 130
check "SIGINT: the staged file is removed" no_temp "$g/out"
check "SIGINT: no output" test ! -e "$g/out/t.yaml"
rm -f "$g/report.fifo"

# Reading a FIFO with no writer blocks in open(): SIGTERM there.
mkdir -p "$g/read"
mkfifo "$g/in.fifo"
"$exe" "$g/in.fifo" -o "$g/read/fifo.yaml" 2>/dev/null &
pid=$!
sleep 0.3
kill -TERM "$pid"
reap "$pid"
check "SIGTERM while reading: exit 143" test "$st" -eq 143
check "SIGTERM while reading: no output" test -z "$(ls -A "$g/read")"
rm -f "$g/in.fifo"

# A batch interrupted mid-run, by each of the three signals. The signal
# goes as soon as the first output is there, with hundreds of templates
# still to do: on a loaded machine the poll below can lag the batch by a
# second, and a run that ends first exits 0 (a flaky failure once).
mkdir -p "$g/tree"
i=0
while [ "$i" -lt 600 ]; do
	cp "$PWD/examples/media-platform.yaml" "$g/tree/t$i.yaml"
	i=$((i + 1))
done
for sig in INT TERM HUP; do
	rm -rf "$g/batch"
	(default_int "$exe" -r "$g/tree" --out-dir "$g/batch" -j 2) 2>/dev/null &
	pid=$!
	wait_for "$g/batch" -name 't*.yaml'
	kill -"$sig" "$pid"
	reap "$pid"
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	check "SIG$sig mid-batch: exit $want (the run was not over)" test "$st" -eq "$want"
	check "SIG$sig mid-batch: no staged file is left" no_temp "$g/batch"
done

# The sweep: a killed run's staged files go, a live run's stay.
w="$tmp/sweep"
mkdir -p "$w"
dead=99999999
while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
touch "$w/.cfn-harden.$dead.abcdef" "$w/.cfn-harden.$$.abcdef" \
	"$w/.cfn-harden.Xy9abc"
touch -d '20 minutes ago' "$w/.cfn-harden.Ab3dEf" "$w/.cfn-harden.backup"
echo "keep" > "$w/.cfn-harden.yaml"
"$exe" "$yaml" -o "$w/out.yaml" 2>/dev/null
st=$?
check "sweep: the run writes its output" sh -c "test $st -eq 0 && test -s '$w/out.yaml'"
check "sweep: a staged file of a dead pid is removed" test ! -e "$w/.cfn-harden.$dead.abcdef"
check "sweep: a staged file of a live pid is kept" test -e "$w/.cfn-harden.$$.abcdef"
check "sweep: an old-style name older than 10 minutes is removed" \
	test ! -e "$w/.cfn-harden.Ab3dEf"
check "sweep: an old-style name younger than 10 minutes is kept" \
	test -e "$w/.cfn-harden.Xy9abc"
check "sweep: a name a person chose is kept" \
	sh -c "test -e '$w/.cfn-harden.backup' && grep -qx keep '$w/.cfn-harden.yaml'"
"$exe" -r "$c/z" --out-dir "$w/tree" > /dev/null 2>&1
touch "$w/tree/.cfn-harden.$dead.zzzzzz"
"$exe" -r "$c/z" --out-dir "$w/tree" > /dev/null 2>&1
check "sweep: a batch sweeps the directories it writes" \
	test ! -e "$w/tree/.cfn-harden.$dead.zzzzzz"

# `ulimit -f`: write() fails with EFBIG instead of a SIGXFSZ kill.
u="$tmp/ulimit"
mkdir -p "$u"
echo "old" > "$u/out.yaml"
(ulimit -f 1 && exec "$exe" "$yaml" -o "$u/out.yaml") 2> "$u/err"
st=$?
check "ulimit -f: exit 4" test "$st" -eq 4
check "ulimit -f: one error line" test "$(wc -l < "$u/err")" -eq 1
check "ulimit -f: it says the file is too large" \
	grep -q "^$u/out.yaml: error: cannot write '$u/out.yaml': File too large\$" "$u/err"
check "ulimit -f: the file is left as it was" grep -qx old "$u/out.yaml"
check "ulimit -f: no staged file is left" no_temp "$u"

# ---- 11: what the walk cannot read ----
# A path past PATH_MAX (4096 bytes): two chains of 2,400 bytes, one moved
# into the other, so that no command is given a path that long. lstat()
# fails with ENAMETOOLONG, as root too.
d="$tmp/deep"
long=$(printf '%0200d' 0 | tr 0 d)
chain=$long
i=1
while [ "$i" -lt 12 ]; do
	chain="$chain/$long"
	i=$((i + 1))
done
mkdir -p "$d/tree/$chain" "$d/b/$chain"
cp "$yaml" "$d/tree/top.yaml"
cp "$yaml" "$d/b/$chain/deep.yaml"
mv "$d/b/$long" "$d/tree/$chain/"
"$exe" -r "$d/tree" --out-dir "$d/out" > /dev/null 2> "$d/err"
st=$?
check "deep: a path past PATH_MAX is exit 4" test "$st" -eq 4
check "deep: one error line for it" \
	test "$(grep -c 'error: cannot read the directory entry: File name too long$' "$d/err")" -eq 1
check "deep: counted as failed in the summary" grep -Eq "^failed +1$" "$d/err"
check "deep: the rest of the tree is hardened" test -f "$d/out/top.yaml"
"$exe" -r "$d/tree" --check > /dev/null 2>&1
st=$?
check "deep: --check does not pass over it" test "$st" -eq 4

# A directory without read permission. Root reads it anyway: as root,
# the run is made as nobody.
p="$tmp/perm"
mkdir -p "$p/tree/locked"
cp "$yaml" "$p/tree/ok.yaml"
cp "$yaml" "$p/tree/locked/x.yaml"
runas=""
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1 &&
	   chown -R 65534:65534 "$p" 2>/dev/null &&
	   setpriv --reuid=65534 --regid=65534 --clear-groups \
		test -x "$exe" -a -w "$p" 2>/dev/null; then
		runas="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		runas=none
	fi
fi
if [ "$runas" = none ]; then
	echo "io-faults: skipped: unreadable directory (running as root, and" \
		"setpriv cannot run the test as nobody here)"
else
	chmod 000 "$p/tree/locked"
	# shellcheck disable=SC2086
	$runas "$exe" -r "$p/tree" --out-dir "$p/out" > /dev/null 2> "$p/err"
	st=$?
	chmod 755 "$p/tree/locked"
	check "unreadable: exit 4" test "$st" -eq 4
	check "unreadable: one line naming the directory" \
		grep -qx "$p/tree/locked: error: cannot read the directory: Permission denied" "$p/err"
	check "unreadable: counted as failed in the summary" grep -Eq "^failed +1$" "$p/err"
	check "unreadable: the rest of the tree is hardened" test -f "$p/out/ok.yaml"
fi

# A directory with no template in it: said; under --check not a pass.
e="$tmp/empty"
mkdir -p "$e/none" "$e/some"
echo "hello" > "$e/none/README.md"
printf 'version: "3"\n' > "$e/none/compose.yaml"
cp "$yaml" "$e/some/t.yaml"
"$exe" -r "$e/none" --check > /dev/null 2> "$e/err-check"
st=$?
check "empty: --check over no template is exit 2" test "$st" -eq 2
check "empty: and says so" \
	grep -qx "$e/none: error: no template found under the directory" "$e/err-check"
"$exe" -r "$e/none" --out-dir "$e/out" > /dev/null 2> "$e/err-out"
st=$?
check "empty: without --check, a warning and exit 0" \
	sh -c "test $st -eq 0 && grep -qx '$e/none: warning: no template found under the directory' '$e/err-out'"
"$exe" -r "$e/some" "$e/none" --check > /dev/null 2> "$e/err-mixed"
st=$?
check "empty: one empty directory of two fails --check" test "$st" -eq 2
check "empty: only the empty one is named" \
	sh -c "grep -q '$e/none: error: no template' '$e/err-mixed' && ! grep -q '$e/some: error' '$e/err-mixed'"

rm -rf "$tmp/signals/tree" "$tmp/signals/batch"
check_summary
